/*
 * gemm_params.h -- gemm's cache blocks as run-time parameters of a kernel
 * module, and the module-level functions that read and set them.
 *
 * simd/gemm.h defines, for the layer it is compiled over,
 *
 *     hostlib_gemm_params SIMD_NAME(gemm_params);   e.g. avx2_gemm_params
 *
 * initialised to the template's compile-time defaults. Each gemm call reads
 * MC, KC and NC once, when it starts, so a change between calls is safe. A
 * change while calls run is safe too: each value is read with one atomic
 * (relaxed) load and every value the setter accepts is valid on its own,
 * so a call that sees a new MC with an old KC still computes with valid
 * blocks (and the blocking never changes a result: every element of C is
 * computed by the same operations in the same order whatever the blocks).
 *
 * The Python side (this file again, in the module's init code, which
 * includes Python.h first and is compiled with baseline flags: the struct
 * is plain data, no vector code runs to read it):
 *
 *     #define HOSTLIB_PROVIDER_METHODS hostlib_gemm_parameter_methods_
 *     #include "hostlib_provider.h"
 *     #include "gemm_params.h"
 *     extern hostlib_gemm_params avx2_gemm_params;
 *     HOSTLIB_GEMM_PARAMETER_METHODS(avx2_gemm_params)
 *     HOSTLIB_PROVIDER_MODULE(...)
 *
 * gives the module the two functions of the kernel-parameter protocol
 * (README, "Writing a kernel module"):
 *
 *     hostlib_parameters() -> {"dgemm": {"mr", "nr", "mc", "kc", "nc"}, "sgemm": {...}}
 *     hostlib_set_parameters(name, **values)   e.g. ("dgemm", mc=96, kc=384)
 *
 * mr and nr are facts of the compiled micro-kernel, read-only. The setter
 * checks every value before it changes any: mc a positive multiple of mr,
 * nc of nr, kc >= 1, each at most HOSTLIB_GEMM_MAX_BLOCK_BYTES of packed
 * elements in one dimension's block (see below); else ValueError (TypeError
 * for a value that is not an int, or an unknown keyword).
 */
#ifndef HOSTLIB_GEMM_PARAMS_H
#define HOSTLIB_GEMM_PARAMS_H

#include <stddef.h>

/* one precision's blocks; mr, nr are fixed when the module is compiled */
typedef struct {
    int mr, nr;
    int elem_size;         /* sizeof(element) */
    ptrdiff_t mc, kc, nc;  /* read and written with HOSTLIB_GEMM_LOAD/STORE only */
} hostlib_gemm_blocks;

typedef struct {
    hostlib_gemm_blocks d; /* float64 */
    hostlib_gemm_blocks s; /* float32 */
} hostlib_gemm_params;

/* Upper bounds the setter enforces: a block is at most this many elements
   in each dimension (mc, kc, nc), and a packed block (mc x kc of A, kc x nc
   of B) at most 1 GiB. Far above any cache; they only keep a typo from
   asking malloc for terabytes per call. */
#define HOSTLIB_GEMM_MAX_BLOCK 65536
#define HOSTLIB_GEMM_MAX_BLOCK_BYTES ((double)(1u << 30))

#if defined(__GNUC__) || defined(__clang__)
#define HOSTLIB_GEMM_LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)
#define HOSTLIB_GEMM_STORE(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#elif defined(_MSC_VER)
/* an aligned pointer-sized volatile access is atomic on x86, x64, ARM64 */
#define HOSTLIB_GEMM_LOAD(field) (*(const volatile ptrdiff_t *)&(field))
#define HOSTLIB_GEMM_STORE(field, v) (*(volatile ptrdiff_t *)&(field) = (v))
#else
#error "gemm_params.h needs GCC/Clang atomics or MSVC"
#endif

#endif /* HOSTLIB_GEMM_PARAMS_H */

/* ---- the Python functions, where the includer has Python.h ---- */
#if defined(Py_PYTHON_H) && !defined(HOSTLIB_GEMM_PARAMS_PY_H)
#define HOSTLIB_GEMM_PARAMS_PY_H

#include <string.h>

static PyObject *hostlib_gemm_blocks_dict_(const hostlib_gemm_blocks *b)
{
    return Py_BuildValue("{s:i,s:i,s:n,s:n,s:n}", "mr", b->mr, "nr", b->nr, "mc",
                         (Py_ssize_t)HOSTLIB_GEMM_LOAD(b->mc), "kc", (Py_ssize_t)HOSTLIB_GEMM_LOAD(b->kc),
                         "nc", (Py_ssize_t)HOSTLIB_GEMM_LOAD(b->nc));
}

static PyObject *hostlib_gemm_parameters_(hostlib_gemm_params *p)
{
    PyObject *d = hostlib_gemm_blocks_dict_(&p->d), *s = NULL, *out = NULL;
    if (d != NULL && (s = hostlib_gemm_blocks_dict_(&p->s)) != NULL) {
        out = Py_BuildValue("{s:O,s:O}", "dgemm", d, "sgemm", s);
    }
    Py_XDECREF(d);
    Py_XDECREF(s);
    return out;
}

/* one keyword's value: an int (not a bool) within [lo, hi] and a multiple
   of `unit`; 0 and *out set, or -1 with the exception set */
static int hostlib_gemm_value_(const char *entry, const char *key, PyObject *v, long lo, long hi, long unit,
                               const char *unit_name, ptrdiff_t *out)
{
    if (!PyLong_Check(v) || PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be an int, not %.100s", entry, key, Py_TYPE(v)->tp_name);
        return -1;
    }
    int overflow = 0;
    const long x = PyLong_AsLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow || x < lo || x > hi) {
        PyErr_Format(PyExc_ValueError, "%s: %s=%S is out of range: %ld to %ld", entry, key, v, lo, hi);
        return -1;
    }
    if (x % unit != 0) {
        PyErr_Format(PyExc_ValueError, "%s: %s=%ld must be a multiple of %s=%ld", entry, key, x, unit_name,
                     unit);
        return -1;
    }
    *out = (ptrdiff_t)x;
    return 0;
}

static PyObject *hostlib_gemm_set_parameters_(hostlib_gemm_params *p, PyObject *args, PyObject *kwargs)
{
    const char *name;
    if (!PyArg_ParseTuple(args, "s:hostlib_set_parameters", &name)) {
        return NULL;
    }
    hostlib_gemm_blocks *b = strcmp(name, "dgemm") == 0 ? &p->d : strcmp(name, "sgemm") == 0 ? &p->s : NULL;
    if (b == NULL) {
        PyErr_Format(PyExc_ValueError, "hostlib_set_parameters: no parameters named %R; valid: 'dgemm', 'sgemm'",
                     PyTuple_GET_ITEM(args, 0));
        return NULL;
    }
    ptrdiff_t mc = HOSTLIB_GEMM_LOAD(b->mc), kc = HOSTLIB_GEMM_LOAD(b->kc), nc = HOSTLIB_GEMM_LOAD(b->nc);
    const long max = HOSTLIB_GEMM_MAX_BLOCK;
    PyObject *key, *value;
    Py_ssize_t pos = 0;
    while (kwargs != NULL && PyDict_Next(kwargs, &pos, &key, &value)) {
        const char *k = PyUnicode_AsUTF8(key);
        if (k == NULL) {
            return NULL;
        }
        int rc;
        if (strcmp(k, "mc") == 0) {
            rc = hostlib_gemm_value_(name, k, value, b->mr, max / b->mr * b->mr, b->mr, "mr", &mc);
        } else if (strcmp(k, "kc") == 0) {
            rc = hostlib_gemm_value_(name, k, value, 1, max, 1, "1", &kc);
        } else if (strcmp(k, "nc") == 0) {
            rc = hostlib_gemm_value_(name, k, value, b->nr, max / b->nr * b->nr, b->nr, "nr", &nc);
        } else if (strcmp(k, "mr") == 0 || strcmp(k, "nr") == 0) {
            PyErr_Format(PyExc_ValueError, "%s: %s is the compiled micro-kernel's, not settable (it is %d)", name,
                         k, strcmp(k, "mr") == 0 ? b->mr : b->nr);
            return NULL;
        } else {
            PyErr_Format(PyExc_TypeError, "%s: unknown parameter %R; settable: mc, kc, nc", name, key);
            return NULL;
        }
        if (rc < 0) {
            return NULL;
        }
    }
    const double bytes = (double)b->elem_size;
    if ((double)mc * (double)kc * bytes > HOSTLIB_GEMM_MAX_BLOCK_BYTES ||
        (double)kc * (double)nc * bytes > HOSTLIB_GEMM_MAX_BLOCK_BYTES) {
        PyErr_Format(PyExc_ValueError, "%s: mc=%zd, kc=%zd, nc=%zd: a packed block (mc x kc or kc x nc) over 1 GiB",
                     name, mc, kc, nc);
        return NULL;
    }
    HOSTLIB_GEMM_STORE(b->mc, mc);
    HOSTLIB_GEMM_STORE(b->kc, kc);
    HOSTLIB_GEMM_STORE(b->nc, nc);
    Py_RETURN_NONE;
}

/* The two module functions over one hostlib_gemm_params object, and the
   method table hostlib_gemm_parameter_methods_ (for HOSTLIB_PROVIDER_METHODS). */
#define HOSTLIB_GEMM_PARAMETER_METHODS(params)                                                           \
    static PyObject *hostlib_parameters_fn_(PyObject *self, PyObject *unused)                             \
    {                                                                                                    \
        (void)self, (void)unused;                                                                        \
        return hostlib_gemm_parameters_(&(params));                                                      \
    }                                                                                                    \
    static PyObject *hostlib_set_parameters_fn_(PyObject *self, PyObject *args, PyObject *kwargs)         \
    {                                                                                                    \
        (void)self;                                                                                      \
        return hostlib_gemm_set_parameters_(&(params), args, kwargs);                                    \
    }                                                                                                    \
    static PyMethodDef hostlib_gemm_parameter_methods_[] = {                                              \
        {"hostlib_parameters", hostlib_parameters_fn_, METH_NOARGS,                                       \
         "hostlib_parameters() -> dict: gemm's blocks per precision (mr, nr: the micro-kernel's tile; "   \
         "mc, kc, nc: the cache blocks in use)."},                                                        \
        {"hostlib_set_parameters", (PyCFunction)(void (*)(void))hostlib_set_parameters_fn_,               \
         METH_VARARGS | METH_KEYWORDS,                                                                    \
         "hostlib_set_parameters(name, **values): set 'dgemm' or 'sgemm' blocks, e.g. mc=96, kc=256, "    \
         "nc=4096 (mc a multiple of mr, nc of nr); ValueError/TypeError on a bad value, nothing changed."}, \
        {NULL, NULL, 0, NULL}};

#endif /* Py_PYTHON_H */
