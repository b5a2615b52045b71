/*
 * callbench.c -- the cost of calling a kernel through hostlib's table,
 * measured in C. benchmarks/run.py compiles it at benchmark time against the
 * installed hostlib_stubs.h (hostlib.get_include()) and imports it.
 *
 * Four loops, identical but for how they reach ddot, each timed with
 * CLOCK_MONOTONIC around `calls` calls of ddot(n, xs, 1, ys, 1):
 *
 *   MODE_TABLE   hostlib_ddot(...): exactly what downstream code writes. The
 *                macro expands to hostlib_kernels_current()->ddot, an atomic
 *                acquire load of the active-table pointer and a load of the
 *                slot, on EVERY call: an atomic load cannot be hoisted out of
 *                the loop, and the opaque call in between may change the
 *                table (hostlib.use() from another thread), so the compiler
 *                must reload it. This is the path under test.
 *   MODE_ONCE    the table loaded once (hostlib_kernels_current()) before the
 *                loop, the slot read per call: the documented pattern for
 *                many calls on one table.
 *   MODE_DIRECT  the same kernel address captured once into a function
 *                pointer: the baseline "direct call" (a kernel in another
 *                shared object, without the table lookup).
 *   MODE_EMPTY   an empty function with ddot's signature, through a pointer
 *                the compiler cannot see through: the bare cost of one
 *                indirect call plus the loop.
 *
 * The result of every call is stored to a volatile, so no call can be
 * dropped, and no loop-carried dependency (a running sum would be spilled
 * around each call: its store-reload latency would hide the cost under
 * test). The loops are noinline so each is compiled on its own.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <time.h>

#include "hostlib_stubs.h"

#define NMAX 1024
static double xs[NMAX], ys[NMAX];
static volatile double sink;

enum { MODE_TABLE = 0, MODE_ONCE = 1, MODE_DIRECT = 2, MODE_EMPTY = 3 };

#if defined(__GNUC__) || defined(__clang__)
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static NOINLINE double
empty_ddot(ptrdiff_t n, const double *x, ptrdiff_t incx, const double *y, ptrdiff_t incy)
{
    (void)n, (void)x, (void)incx, (void)y, (void)incy;
    return 0.0;
}
/* read through a volatile so the compiler cannot inline or devirtualise it */
static hostlib_ddot_fn volatile empty_fn = empty_ddot;

static NOINLINE int64_t
loop_table(long calls, ptrdiff_t n)
{
    int64_t t0 = now_ns();
    for (long i = 0; i < calls; i++) {
        sink = hostlib_ddot(n, xs, 1, ys, 1);
    }
    int64_t t1 = now_ns();
    return t1 - t0;
}

static NOINLINE int64_t
loop_once(long calls, ptrdiff_t n)
{
    int64_t t0 = now_ns();
    const hostlib_kernels_table *t = hostlib_kernels_current();
    for (long i = 0; i < calls; i++) {
        sink = t->ddot(n, xs, 1, ys, 1);
    }
    int64_t t1 = now_ns();
    return t1 - t0;
}

static NOINLINE int64_t
loop_fn(hostlib_ddot_fn fn, long calls, ptrdiff_t n)
{
    int64_t t0 = now_ns();
    for (long i = 0; i < calls; i++) {
        sink = fn(n, xs, 1, ys, 1);
    }
    int64_t t1 = now_ns();
    return t1 - t0;
}

/* run(mode, calls, n) -> nanoseconds for `calls` calls */
static PyObject *
cb_run(PyObject *Py_UNUSED(module), PyObject *args)
{
    int mode;
    long calls;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "iln:run", &mode, &calls, &n)) {
        return NULL;
    }
    if (n < 0 || n > NMAX || calls < 1) {
        PyErr_Format(PyExc_ValueError, "need 0 <= n <= %d and calls >= 1", NMAX);
        return NULL;
    }
    int64_t ns;
    hostlib_ddot_fn direct = hostlib_kernels_current()->ddot;
    hostlib_ddot_fn empty = empty_fn;
    Py_BEGIN_ALLOW_THREADS
    switch (mode) {
    case MODE_TABLE: ns = loop_table(calls, n); break;
    case MODE_ONCE: ns = loop_once(calls, n); break;
    case MODE_DIRECT: ns = loop_fn(direct, calls, n); break;
    default: ns = loop_fn(empty, calls, n); break;
    }
    Py_END_ALLOW_THREADS
    return PyLong_FromLongLong((long long)ns);
}

/* ddot_address() -> int: the kernel a hostlib_ddot call reaches now */
static PyObject *
cb_ddot_address(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    return PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)hostlib_kernels_current()->ddot);
}

/* check(n) -> (table result, direct result): both paths compute the same */
static PyObject *
cb_check(PyObject *Py_UNUSED(module), PyObject *args)
{
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "n:check", &n) || n < 0 || n > NMAX) {
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_ValueError, "bad n");
        }
        return NULL;
    }
    double expect = 0.0;
    for (Py_ssize_t i = 0; i < n; i++) {
        expect += xs[i] * ys[i];
    }
    return Py_BuildValue("(dd)", hostlib_ddot(n, xs, 1, ys, 1), expect);
}

static PyMethodDef cb_methods[] = {
    {"run", cb_run, METH_VARARGS, "run(mode, calls, n) -> ns: time `calls` ddot calls in C"},
    {"ddot_address", cb_ddot_address, METH_NOARGS, "address of the ddot hostlib_ddot reaches now"},
    {"check", cb_check, METH_VARARGS, "check(n) -> (hostlib_ddot, plain C loop) on the benchmark data"},
    {NULL, NULL, 0, NULL},
};

static int
cb_exec(PyObject *module)
{
    for (int i = 0; i < NMAX; i++) {
        xs[i] = 1.0 + (double)(i % 7) * 0.125;
        ys[i] = 0.5 - (double)(i % 5) * 0.0625;
    }
    if (PyModule_AddIntConstant(module, "MODE_TABLE", MODE_TABLE) < 0 ||
        PyModule_AddIntConstant(module, "MODE_ONCE", MODE_ONCE) < 0 ||
        PyModule_AddIntConstant(module, "MODE_DIRECT", MODE_DIRECT) < 0 ||
        PyModule_AddIntConstant(module, "MODE_EMPTY", MODE_EMPTY) < 0) {
        return -1;
    }
    return import_hostlib();
}

static PyModuleDef_Slot cb_slots[] = {
    {Py_mod_exec, (void *)cb_exec},
    {0, NULL},
};

static struct PyModuleDef cb_module = {
    PyModuleDef_HEAD_INIT, "_hostlib_callbench",
    "Times ddot calls through hostlib's table vs a direct function pointer.",
    0, cb_methods, cb_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__hostlib_callbench(void)
{
    return PyModuleDef_Init(&cb_module);
}
