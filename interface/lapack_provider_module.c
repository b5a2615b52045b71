/*
 * Init code of the modules serving the lapack interface (baseline flags
 * only: the routines are compiled elsewhere, with the module's ISA flags).
 * The build names the module, its table and the table's pool pointer
 * (simd/lapack.h's SIMD_NAME(lapack_pool)):
 *   -DHOSTLIB_PROVIDER_MODULE_NAME=_avx2_lapack -DHOSTLIB_PROVIDER_TABLE=avx2_lapack_table
 *   -DHOSTLIB_PROVIDER_POOL=avx2_lapack_pool
 * and, as for a kernel module (provider_module.c), the blocks' object of
 * the gemm its trailing updates run on (simd/gemm.h's SIMD_NAME(gemm_params),
 * this module's own copy), which hostlib_parameters() /
 * hostlib_set_parameters() read and set (simd/gemm_params.h): the host then
 * gives it the blocks it derives from the caches, as it does the kernel
 * module of the same layer, instead of the compiled defaults:
 *   -DHOSTLIB_PROVIDER_GEMM_PARAMS=avx2_gemm_params
 * Installed with hostlib's headers, so an optional kernel wheel builds its
 * lapack module from this same file.
 *
 * Before it exports the table, the module binds hostlib's thread pool
 * (hostlib._pool._threads' capsule), which the factorizations split their
 * large trailing updates over. Without it (a pool built for another
 * layout, an import that fails) the routines run on the calling thread.
 */
#define PY_SSIZE_T_CLEAN
#ifdef HOSTLIB_PROVIDER_GEMM_PARAMS
#include <Python.h>
#include "gemm_params.h"
extern hostlib_gemm_params HOSTLIB_PROVIDER_GEMM_PARAMS;
HOSTLIB_GEMM_PARAMETER_METHODS(HOSTLIB_PROVIDER_GEMM_PARAMS)
#define HOSTLIB_PROVIDER_METHODS hostlib_gemm_parameter_methods_
#endif
#include "hostlib_lapack_lapack_provider.h"
#include "hostlib_pool_api.h"

#if !defined(HOSTLIB_PROVIDER_MODULE_NAME) || !defined(HOSTLIB_PROVIDER_TABLE) || !defined(HOSTLIB_PROVIDER_POOL)
#error "define HOSTLIB_PROVIDER_MODULE_NAME, HOSTLIB_PROVIDER_TABLE and HOSTLIB_PROVIDER_POOL"
#endif

extern const hostlib_lapack_lapack_table HOSTLIB_PROVIDER_TABLE;
extern const hostlib_pool_api *HOSTLIB_PROVIDER_POOL;

static void hostlib_lapack_bind_pool_(void)
{
    const hostlib_pool_api *pool = hostlib_import_pool();
    if (pool == NULL) {
        PyErr_Clear(); /* no pool: every call runs on the calling thread */
        return;
    }
    HOSTLIB_PROVIDER_POOL = pool;
}

static int hostlib_provider_exec_(PyObject *module)
{
    hostlib_lapack_bind_pool_();
    return hostlib_provider_export_(module, "_C_API", &HOSTLIB_PROVIDER_TABLE,
                                    HOSTLIB_LAPACK_LAPACK_PROVIDER_CAPSULE);
}

/* one more level of expansion so that the -D value is substituted */
#define HOSTLIB_EXPAND_LAPACK_MODULE_DEF_(mod) HOSTLIB_PROVIDER_MODULE_DEF_(mod)
HOSTLIB_EXPAND_LAPACK_MODULE_DEF_(HOSTLIB_PROVIDER_MODULE_NAME)
