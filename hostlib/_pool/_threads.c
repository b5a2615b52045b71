/*
 * hostlib._pool._threads -- the kernels interface's thread-split wrappers
 * (interface/hostlib_split.h expanded over the spec's split entries), the
 * pool's API for other interfaces' split modules (_POOL_API), the C symbols
 * threadpoolctl calls, and the Python-facing controls of the pool (pool.c).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hostlib_kernels_entries.h"
#include "hostlib_kernels_table.h"
#define HOSTLIB_SPLIT_POOL_DIRECT
#include "hostlib_split.h"
#include "pool.h"

/* --------------------------------------------------------- the table */

/* one wrapper per entry of the kernels spec with a split class */
HOSTLIB_SPLIT_WRAPPERS(HOSTLIB_KERNELS_SPLIT_ENTRIES, hostlib_kernels_table, HOSTLIB_KERNELS_HEADER)

/* the pool, for other interfaces' split modules (HOSTLIB_SPLIT_MODULE) */
static const hostlib_pool_api pool_api = {HOSTLIB_SPLIT_ABI, hl_pool_run, hl_pool_width};

/* ------------------------------------------- C symbols for threadpoolctl
   threadpoolctl finds this library among the loaded shared objects by its
   file name and calls these through ctypes (hostlib/_pool/control.py). */
#if defined(__GNUC__) || defined(__clang__)
#define HL_EXPORT __attribute__((visibility("default")))
#else
#define HL_EXPORT
#endif

HL_EXPORT int hostlib_threads_get_num_threads(void);
HL_EXPORT void hostlib_threads_set_num_threads(int n);

HL_EXPORT int hostlib_threads_get_num_threads(void)
{
    return hl_pool_get_num_threads();
}

HL_EXPORT void hostlib_threads_set_num_threads(int n)
{
    hl_pool_set_num_threads(n < 1 ? 1 : n);
}

/* ------------------------------------------------------------- Python */

static PyObject *
threads_bind(PyObject *Py_UNUSED(self), PyObject *capsule)
{
    return hl_split_bind(capsule, HOSTLIB_KERNELS_MAGIC);
}

static PyObject *
threads_get_num_threads(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_get_num_threads());
}

static PyObject *
threads_set_num_threads(PyObject *Py_UNUSED(self), PyObject *arg)
{
    const long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "set_num_threads(): n must be >= 0 (0: the default)");
        return NULL;
    }
    hl_pool_set_num_threads(n > HL_POOL_MAX_THREADS ? HL_POOL_MAX_THREADS : (int)n);
    Py_RETURN_NONE;
}

static PyObject *
threads_get_spin_us(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_get_spin_ns() / 1000);
}

static PyObject *
threads_set_spin_us(PyObject *Py_UNUSED(self), PyObject *arg)
{
    const long us = PyLong_AsLong(arg);
    if (us == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (us < 0 || us > HL_POOL_MAX_SPIN_NS / 1000) {
        PyErr_Format(PyExc_ValueError, "set_spin_us(): from 0 to %ld microseconds", HL_POOL_MAX_SPIN_NS / 1000);
        return NULL;
    }
    hl_pool_set_spin_ns(us * 1000);
    Py_RETURN_NONE;
}

static PyObject *
threads_cpu_count(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_cpu_count());
}

static PyObject *
threads_started(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_started());
}

/* run a map job on the pool from Python, for tests: adds i to out[i] (so a
   task run twice or never shows) with
   tasks of `chunk` elements on up to `width` threads; returns the threads
   that took part. The GIL is released. */
typedef struct {
    double *out;
    ptrdiff_t n, chunk;
} fill_job;

static void fill_task(void *ctx, ptrdiff_t t)
{
    const fill_job *j = ctx;
    for (ptrdiff_t i = t * j->chunk; i < j->n && i < (t + 1) * j->chunk; i++) {
        j->out[i] += (double)i;
    }
}

static PyObject *
threads_fill(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t chunk;
    int width;
    if (!PyArg_ParseTuple(args, "w*ni:_fill", &buf, &chunk, &width)) {
        return NULL;
    }
    if (chunk < 1 || buf.len % (Py_ssize_t)sizeof(double) != 0) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "_fill(): a float64 buffer and chunk >= 1");
        return NULL;
    }
    fill_job j = {buf.buf, buf.len / (Py_ssize_t)sizeof(double), chunk};
    int used;
    Py_BEGIN_ALLOW_THREADS
    used = hl_pool_run(fill_task, &j, (j.n + chunk - 1) / chunk, width);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromLong(used);
}

static PyObject *threads_width(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    (void)self;
    return PyLong_FromLong(hl_pool_width());
}

static PyMethodDef threads_methods[] = {
    {"bind", threads_bind, METH_O, "bind(api_capsule): the kernels host API the wrappers read."},
    {"get_num_threads", threads_get_num_threads, METH_NOARGS, "The pool's thread setting."},
    {"set_num_threads", threads_set_num_threads, METH_O, "set_num_threads(n); 0: the default."},
    {"get_spin_us", threads_get_spin_us, METH_NOARGS, "How long idle workers spin before sleeping (us)."},
    {"set_spin_us", threads_set_spin_us, METH_O, "set_spin_us(us): 0 .. 100000."},
    {"cpu_count", threads_cpu_count, METH_NOARGS, "CPUs in this process's affinity mask."},
    {"started", threads_started, METH_NOARGS, "Worker threads started in this process."},
    {"_width", threads_width, METH_NOARGS, "The threads a split call arriving now would get (tests)."},
    {"_fill", threads_fill, METH_VARARGS, "_fill(buffer, chunk, width) -> threads used (tests)."},
    {NULL, NULL, 0, NULL},
};

static int
threads_exec(PyObject *module)
{
    if (hl_split_add_table(module, &hl_split_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE) < 0) {
        return -1;
    }
    PyObject *pool = PyCapsule_New((void *)&pool_api, HOSTLIB_POOL_CAPSULE, NULL);
    if (pool == NULL) {
        return -1;
    }
    const int rc = PyModule_AddObjectRef(module, "_POOL_API", pool);
    Py_DECREF(pool);
    if (rc < 0 || PyModule_AddIntConstant(module, "REDUCTION_CHUNK_BYTES", (long)RCHUNK_BYTES) < 0 ||
        PyModule_AddIntConstant(module, "MAX_THREADS", HL_POOL_MAX_THREADS) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot threads_slots[] = {
    {Py_mod_exec, (void *)threads_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef threads_module = {
    PyModuleDef_HEAD_INIT, "_threads",
    "hostlib's thread pool and the kernels interface's split wrappers.",
    0, threads_methods, threads_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__threads(void)
{
    return PyModuleDef_Init(&threads_module);
}
