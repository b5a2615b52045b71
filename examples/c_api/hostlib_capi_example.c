/*
 * hostlib_capi_example -- the smallest C extension module that calls
 * hostlib's kernels.
 *
 *     >>> import numpy as np, hostlib_capi_example as ex
 *     >>> ex.dot(np.arange(3.0), np.ones(3))        # hostlib_ddot
 *     3.0
 *
 * Build: the directory hostlib.get_include() prints must be on the include
 * path (it holds hostlib_stubs.h and the headers it includes). See
 * meson.build next to this file, or compile by hand (Linux; macOS also
 * needs -undefined dynamic_lookup):
 *
 *     cc -shared -fPIC -I"$(python -c 'import sysconfig; print(sysconfig.get_paths()["include"])')" \
 *        -I"$(python -c 'import hostlib; print(hostlib.get_include())')" \
 *        hostlib_capi_example.c \
 *        -o hostlib_capi_example"$(python -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')"
 *
 * Nothing from hostlib is linked: the kernels are reached at run time
 * through the capsule hostlib._C_API, which import_hostlib() fetches.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "hostlib_stubs.h"

/* A 1-d, C-contiguous buffer of doubles (numpy float64 array, array('d')). */
static int
get_doubles(PyObject *obj, Py_buffer *view, const char *what)
{
    if (PyObject_GetBuffer(obj, view, PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0) {
        return -1;
    }
    if (view->ndim != 1 || view->itemsize != sizeof(double) || view->format == NULL ||
        strcmp(view->format, "d") != 0) {
        PyErr_Format(PyExc_TypeError, "%s must be a 1-d contiguous buffer of doubles", what);
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* dot(x, y) -> float: hostlib_ddot over two equally long vectors. */
static PyObject *
example_dot(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *xo, *yo;
    Py_buffer x, y;
    if (!PyArg_ParseTuple(args, "OO:dot", &xo, &yo) || get_doubles(xo, &x, "x") < 0) {
        return NULL;
    }
    if (get_doubles(yo, &y, "y") < 0) {
        PyBuffer_Release(&x);
        return NULL;
    }
    if (x.shape[0] != y.shape[0]) {
        PyErr_SetString(PyExc_ValueError, "x and y differ in length");
        PyBuffer_Release(&x);
        PyBuffer_Release(&y);
        return NULL;
    }
    double result;
    Py_BEGIN_ALLOW_THREADS  /* kernels never need the GIL */
    /* Reads like a plain function call; it goes to whichever ddot hostlib
       has selected right now (hostlib.use("sse2") changes it). */
    result = hostlib_ddot(x.shape[0], (const double *)x.buf, 1, (const double *)y.buf, 1);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&x);
    PyBuffer_Release(&y);
    return PyFloat_FromDouble(result);
}

/* ddot_address() -> int: the function a hostlib_ddot call reaches now. Several
   calls that must use one table can load it once: hostlib_kernels_current(). */
static PyObject *
example_ddot_address(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    hostlib_ddot_fn fn = hostlib_kernels_current()->ddot;
    return PyLong_FromUnsignedLongLong((unsigned long long)(uintptr_t)fn);
}

/* abi() -> (major, minor): the hostlib ABI this module was compiled against. */
static PyObject *
example_abi(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    return Py_BuildValue("(ii)", HOSTLIB_KERNELS_ABI_MAJOR, HOSTLIB_KERNELS_ABI_MINOR);
}

static PyMethodDef example_methods[] = {
    {"dot", example_dot, METH_VARARGS, "dot(x, y): hostlib_ddot of two float64 vectors."},
    {"ddot_address", example_ddot_address, METH_NOARGS, "Address of the ddot calls go to now."},
    {"abi", example_abi, METH_NOARGS, "The hostlib ABI (major, minor) compiled against."},
    {NULL, NULL, 0, NULL},
};

static int
example_exec(PyObject *Py_UNUSED(module))
{
    /* Once, before any kernel call: imports hostlib, checks that its ABI
       major equals ours and its minor is >= ours. On a mismatch it returns
       -1 with an ImportError naming both versions, so `import` fails. */
    return import_hostlib();
}

static PyModuleDef_Slot example_slots[] = {
    {Py_mod_exec, (void *)example_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},  /* no module state to protect */
#endif
    {0, NULL},
};

static struct PyModuleDef example_module = {
    PyModuleDef_HEAD_INIT, "hostlib_capi_example",
    "Calls hostlib kernels from C (see hostlib_stubs.h).",
    0, example_methods, example_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit_hostlib_capi_example(void)
{
    return PyModuleDef_Init(&example_module);
}
