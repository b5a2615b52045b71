/*
 * hostlib_pool_api.h -- hostlib's one thread pool as other extension modules
 * reach it: the capsule HOSTLIB_POOL_CAPSULE, exported by
 * hostlib._pool._threads. The split wrappers of every interface
 * (hostlib_split.h) and hostlib.fft's batches run on it.
 */
#ifndef HOSTLIB_POOL_API_H
#define HOSTLIB_POOL_API_H

#include <stddef.h>
#include <stdint.h>

/* The layout of composed tables and the pool's API, as this header knows
   them: the host refuses (bind) a split module built for another. */
#define HOSTLIB_SPLIT_ABI 2

/* hostlib's thread pool, as hostlib._pool._threads exports it */
typedef struct hostlib_pool_api {
    uint32_t split_abi; /* HOSTLIB_SPLIT_ABI */
    /* run ntasks calls task(ctx, t) on up to width threads, the caller
       being one; return when all are done (see hostlib/_pool/pool.h) */
    int (*run)(void (*task)(void *ctx, ptrdiff_t t), void *ctx, ptrdiff_t ntasks, int width);
    /* the threads a call may use now: 1 inside a task or while another
       caller holds the pool */
    int (*width)(void);
} hostlib_pool_api;
#define HOSTLIB_POOL_CAPSULE "hostlib._pool._threads._POOL_API"

#endif /* HOSTLIB_POOL_API_H */

/* hostlib_import_pool(): hostlib's pool for an extension module's init
   code, or NULL with ImportError set (hostlib's pool module cannot be
   imported, or its pool has another layout than this header's). Outside
   the include guard, so that it is there once Python.h has been included,
   whatever the order the headers came in. */
#if defined(Py_PYTHON_H) && !defined(HOSTLIB_IMPORT_POOL_DEFINED)
#define HOSTLIB_IMPORT_POOL_DEFINED
static inline const hostlib_pool_api *hostlib_import_pool(void)
{
    /* PyCapsule_Import imports no submodule: import it first */
    PyObject *threads = PyImport_ImportModule("hostlib._pool._threads");
    if (threads == NULL) {
        return NULL;
    }
    Py_DECREF(threads);
    const hostlib_pool_api *pool = (const hostlib_pool_api *)PyCapsule_Import(HOSTLIB_POOL_CAPSULE, 0);
    if (pool == NULL) {
        return NULL;
    }
    if (pool->split_abi != HOSTLIB_SPLIT_ABI) {
        PyErr_Format(PyExc_ImportError,
                     "hostlib's thread pool has split ABI %d, this module was built for %d: "
                     "rebuild it against the installed hostlib",
                     (int)pool->split_abi, HOSTLIB_SPLIT_ABI);
        return NULL;
    }
    return pool;
}
#endif
