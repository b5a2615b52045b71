/*
 * Init code of the modules serving the fft interface (baseline flags only:
 * the transforms are compiled elsewhere, with the module's ISA flags). The
 * build names the module and its table:
 *   -DHOSTLIB_PROVIDER_MODULE_NAME=_avx2_fft -DHOSTLIB_PROVIDER_TABLE=avx2_fft_table
 * and, for a table built from simd/fft.h, its pool pointer and four-step
 * threshold (SIMD_NAME(fft_pool), SIMD_NAME(fft_fourstep_min)):
 *   -DHOSTLIB_PROVIDER_POOL=avx2_fft_pool -DHOSTLIB_PROVIDER_FOURSTEP=avx2_fft_fourstep_min
 * Installed with hostlib's headers, so an optional kernel wheel builds its
 * fft module's init code from this same file.
 *
 * With the pool named, the module binds hostlib's thread pool
 * (hostlib._pool._threads' capsule) before it exports the table: a large
 * transform's four steps are split over it. Without it (a pool built for
 * another layout, an import that fails) every transform runs on the
 * calling thread. With the threshold named, the module has
 * four_step_min([n]): the length from which plans made afterwards take
 * four steps (read, or set to n >= 1).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include "hostlib_pool_api.h"

#if !defined(HOSTLIB_PROVIDER_MODULE_NAME) || !defined(HOSTLIB_PROVIDER_TABLE)
#error "define HOSTLIB_PROVIDER_MODULE_NAME and HOSTLIB_PROVIDER_TABLE"
#endif

#ifdef HOSTLIB_PROVIDER_FOURSTEP
extern ptrdiff_t HOSTLIB_PROVIDER_FOURSTEP;

static PyObject *hostlib_fft_four_step_min_(PyObject *self, PyObject *args)
{
    (void)self;
    Py_ssize_t n = -1;
    if (!PyArg_ParseTuple(args, "|n:four_step_min", &n)) {
        return NULL;
    }
    if (PyTuple_GET_SIZE(args) > 0) {
        if (n < 1) {
            PyErr_SetString(PyExc_ValueError, "four_step_min: n must be >= 1");
            return NULL;
        }
        HOSTLIB_PROVIDER_FOURSTEP = (ptrdiff_t)n;
    }
    return PyLong_FromSsize_t((Py_ssize_t)HOSTLIB_PROVIDER_FOURSTEP);
}

static PyMethodDef hostlib_fft_methods_[] = {
    {"four_step_min", hostlib_fft_four_step_min_, METH_VARARGS,
     "four_step_min([n]) -> int: the length from which plans made afterwards are four-step (set to n if given)"},
    {NULL, NULL, 0, NULL},
};
#define HOSTLIB_PROVIDER_METHODS hostlib_fft_methods_
#endif

#include "hostlib_fft_fft_provider.h"

extern const hostlib_fft_fft_table HOSTLIB_PROVIDER_TABLE;

#ifdef HOSTLIB_PROVIDER_POOL
extern const hostlib_pool_api *HOSTLIB_PROVIDER_POOL;

static void hostlib_fft_bind_pool_(void)
{
    const hostlib_pool_api *pool = hostlib_import_pool();
    if (pool == NULL) {
        PyErr_Clear(); /* no pool: every call runs on the calling thread */
        return;
    }
    HOSTLIB_PROVIDER_POOL = pool;
}
#else
static void hostlib_fft_bind_pool_(void)
{
}
#endif

static int hostlib_provider_exec_(PyObject *module)
{
    hostlib_fft_bind_pool_();
    return hostlib_provider_export_(module, "_C_API", &HOSTLIB_PROVIDER_TABLE, HOSTLIB_FFT_FFT_PROVIDER_CAPSULE);
}

/* one more level of expansion so that the -D value is substituted */
#define HOSTLIB_EXPAND_FFT_MODULE_DEF_(mod) HOSTLIB_PROVIDER_MODULE_DEF_(mod)
HOSTLIB_EXPAND_FFT_MODULE_DEF_(HOSTLIB_PROVIDER_MODULE_NAME)
