/*
 * Init code of the bundled kernel modules (baseline flags only). The build
 * names the module and its table:
 *   -DHOSTLIB_PROVIDER_MODULE_NAME=_avx2 -DHOSTLIB_PROVIDER_TABLE=avx2_table
 * and, for a table whose gemm comes from simd/gemm.h, its blocks' object,
 * which the module's hostlib_parameters() / hostlib_set_parameters() read
 * and set (simd/gemm_params.h):
 *   -DHOSTLIB_PROVIDER_GEMM_PARAMS=avx2_gemm_params
 */
#define PY_SSIZE_T_CLEAN
#ifdef HOSTLIB_PROVIDER_GEMM_PARAMS
#include <Python.h>
#include "gemm_params.h"
extern hostlib_gemm_params HOSTLIB_PROVIDER_GEMM_PARAMS;
HOSTLIB_GEMM_PARAMETER_METHODS(HOSTLIB_PROVIDER_GEMM_PARAMS)
#define HOSTLIB_PROVIDER_METHODS hostlib_gemm_parameter_methods_
#endif
#include "hostlib_provider.h"
#include "hostlib_kernels_table.h"

#if !defined(HOSTLIB_PROVIDER_MODULE_NAME) || !defined(HOSTLIB_PROVIDER_TABLE)
#error "define HOSTLIB_PROVIDER_MODULE_NAME and HOSTLIB_PROVIDER_TABLE"
#endif

extern const hostlib_kernels_table HOSTLIB_PROVIDER_TABLE;

/* one more level of expansion so that the -D values are substituted */
#ifdef HOSTLIB_PROVIDER_REPRODUCIBLE_TABLE /* -DHOSTLIB_PROVIDER_REPRODUCIBLE_TABLE=avx2_reproducible_table */
extern const hostlib_kernels_table HOSTLIB_PROVIDER_REPRODUCIBLE_TABLE;
#define HOSTLIB_EXPAND_PROVIDER_(mod, table, repro) \
    HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE(mod, table, repro, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
HOSTLIB_EXPAND_PROVIDER_(HOSTLIB_PROVIDER_MODULE_NAME, HOSTLIB_PROVIDER_TABLE,
                         HOSTLIB_PROVIDER_REPRODUCIBLE_TABLE)
#else
#define HOSTLIB_EXPAND_PROVIDER_(mod, table) \
    HOSTLIB_PROVIDER_MODULE(mod, table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
HOSTLIB_EXPAND_PROVIDER_(HOSTLIB_PROVIDER_MODULE_NAME, HOSTLIB_PROVIDER_TABLE)
#endif
