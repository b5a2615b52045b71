/*
 * lapackbench.c -- the cost of reaching LAPACK through a lapack table,
 * measured in C (no Python call in the timed loop). benchmarks/run.py
 * compiles it at benchmark time (the lapack section) and imports it.
 *
 * run(kind, fn, a, a0, n, calls) times `calls` iterations of: copy the
 * n x n column-major A0 over A, then factor A with dgetrf through `fn`,
 * an address taken in Python:
 *
 *   KIND_TABLE    a lapack table's dgetrf (ptrdiff_t sizes and pivots:
 *                 hostlib's signature), e.g. the OpenBLAS wheel's;
 *   KIND_FORTRAN  a Fortran dgetrf_ (every argument by pointer, int
 *                 sizes and pivots), e.g. scipy_dgetrf_ of the library
 *                 that table forwards to, or scipy.linalg.cython_lapack's;
 *   KIND_COPY     the copy alone (fn unused), to subtract.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

enum { KIND_TABLE = 0, KIND_FORTRAN = 1, KIND_COPY = 2, NMAX = 2048 };

typedef ptrdiff_t (*table_getrf)(ptrdiff_t, ptrdiff_t, double *, ptrdiff_t, ptrdiff_t *);
typedef void (*fortran_getrf)(const int *, const int *, double *, const int *, int *, int *);

static ptrdiff_t piv64[NMAX];
static int piv32[NMAX];
static volatile long sink;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static PyObject *lb_run(PyObject *Py_UNUSED(module), PyObject *args)
{
    int kind;
    unsigned long long fn, a, a0;
    Py_ssize_t n;
    long calls;
    if (!PyArg_ParseTuple(args, "iKKKnl:run", &kind, &fn, &a, &a0, &n, &calls)) {
        return NULL;
    }
    if (n < 1 || n > NMAX || calls < 1 || (kind != KIND_COPY && fn == 0)) {
        PyErr_Format(PyExc_ValueError, "need 1 <= n <= %d, calls >= 1 and a function", NMAX);
        return NULL;
    }
    double *A = (double *)(uintptr_t)a;
    const double *A0 = (const double *)(uintptr_t)a0;
    const size_t bytes = (size_t)n * (size_t)n * sizeof(double);
    const int ni = (int)n;
    int64_t t;
    Py_BEGIN_ALLOW_THREADS
    t = now_ns();
    if (kind == KIND_TABLE) {
        const table_getrf f = (table_getrf)(uintptr_t)fn;
        for (long i = 0; i < calls; i++) {
            memcpy(A, A0, bytes);
            sink = (long)f(n, n, A, n, piv64);
        }
    } else if (kind == KIND_FORTRAN) {
        const fortran_getrf f = (fortran_getrf)(uintptr_t)fn;
        for (long i = 0; i < calls; i++) {
            int info;
            memcpy(A, A0, bytes);
            f(&ni, &ni, A, &ni, piv32, &info);
            sink = info;
        }
    } else {
        for (long i = 0; i < calls; i++) {
            memcpy(A, A0, bytes);
            sink = (long)A[i % n];
        }
    }
    t = now_ns() - t;
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong((long long)t);
}

static PyMethodDef lb_methods[] = {
    {"run", lb_run, METH_VARARGS, "run(kind, fn, a, a0, n, calls) -> ns for `calls` copies + dgetrf calls"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef lb_module = {
    PyModuleDef_HEAD_INIT, "_hostlib_lapackbench", NULL, -1, lb_methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__hostlib_lapackbench(void)
{
    PyObject *m = PyModule_Create(&lb_module);
    if (m != NULL && (PyModule_AddIntConstant(m, "KIND_TABLE", KIND_TABLE) < 0
                      || PyModule_AddIntConstant(m, "KIND_FORTRAN", KIND_FORTRAN) < 0
                      || PyModule_AddIntConstant(m, "KIND_COPY", KIND_COPY) < 0)) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
