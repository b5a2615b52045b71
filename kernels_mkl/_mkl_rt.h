/*
 * _mkl_rt.h -- how the MKL backend's extensions reach libmkl_rt, without
 * linking it.
 *
 * Nothing here includes an MKL header or links an MKL library: the few
 * prototypes the tables need are declared below (the ILP64 `_64` symbols of
 * MKL's single dynamic library, whose integers are 64-bit), and each
 * extension resolves them with dlsym from the libmkl_rt its package's
 * `_library_path()` names (the one the PyPI `mkl` distribution installed,
 * see __init__.py). So the wheel builds and installs with no MKL present;
 * without MKL its extensions fail to import with the reason, and the host
 * records the backend as unusable with that reason.
 *
 * Every extension that includes this file lists the symbols it needs as an
 * X-macro, X(return type, name, (parameter types)), and calls
 * MK_LOAD(list) in its module init: one static function pointer per symbol,
 * named mk_<name>, resolved at import; a symbol missing from the library is
 * an ImportError naming it. dlopen of the same file returns the same handle,
 * so the kernels, lapack and fft tables share one loaded MKL, its threads
 * and its settings.
 *
 * The threading layer is chosen here, before any other MKL call of the
 * process (MKL_Set_Threading_Layer has effect only then; later calls just
 * answer the layer in use):
 *   - MKL_THREADING_LAYER set by the user: MKL's own choice, untouched;
 *   - GNU OpenMP (libgomp) already loaded in the process: MKL's GNU layer,
 *     so that one OpenMP runtime serves both (two runtimes oversubscribe);
 *   - otherwise Intel's OpenMP (MKL's default, libiomp5 from the
 *     intel-openmp distribution `mkl` depends on), with KMP_BLOCKTIME = 0
 *     unless the user set it: its idle threads then sleep as soon as a call
 *     ends instead of spinning for 200 ms on cores hostlib's pool and
 *     OpenBLAS's threads need.
 */
#ifndef KERNELS_MKL_RT_H
#define KERNELS_MKL_RT_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

/* MKL's ILP64 integer (MKL_INT64); the `_64` symbols take it everywhere */
typedef int64_t mk_int;

#if PTRDIFF_MAX != INT64_MAX
#error "the MKL backend needs a 64-bit ptrdiff_t (MKL's ILP64 integers are passed ptrdiff_t sizes as is)"
#endif

/* MKLVersion (mkl_types.h): four ints, then four strings */
typedef struct {
    int major, minor, update, patch;
    const char *product_status, *build, *processor, *platform;
} mk_version;

/* MKL_Set_Threading_Layer's codes (mkl_service.h) */
enum { MK_THREADING_INTEL = 0, MK_THREADING_SEQUENTIAL = 1, MK_THREADING_GNU = 3, MK_THREADING_TBB = 4 };

/* The service functions every extension may use. */
#define MK_SERVICE_SYMBOLS(X)                          \
    X(int, MKL_Set_Threading_Layer, (int))             \
    X(void, MKL_Get_Version, (mk_version *))           \
    X(void, MKL_Get_Version_String, (char *, int))     \
    X(void, MKL_Set_Num_Threads, (int))                \
    X(int, MKL_Get_Max_Threads, (void))                \
    X(int, MKL_CBWR_Get, (int))

#define MK_DECLARE_(ret, name, params) static ret(*mk_##name) params;
#define MK_RESOLVE_(ret, name, params)                                          \
    if ((*(void **)&mk_##name = dlsym(mk_handle_, #name)) == NULL) {            \
        return mk_missing_(#name);                                              \
    }

MK_SERVICE_SYMBOLS(MK_DECLARE_)

static void *mk_handle_;
/* the threading layer in use (MKL_Set_Threading_Layer's answer) */
static int mk_layer_ = -1;
/* the library file, for the report (a Python str, kept for the process) */
static PyObject *mk_path_;

static int mk_missing_(const char *name)
{
    PyErr_Format(PyExc_ImportError, "%U has no symbol %s (an MKL older than 2023, without the ILP64 _64 API?)",
                 mk_path_, name);
    return -1;
}

/* The library path from the package (kernels_mkl._library_path()): an
   ImportError carrying its reason when MKL is not installed. */
static int mk_open_(void)
{
    PyObject *pkg = PyImport_ImportModule("kernels_mkl");
    if (pkg == NULL) {
        return -1;
    }
    PyObject *path = PyObject_CallMethod(pkg, "_library_path", NULL);
    Py_DECREF(pkg);
    if (path == NULL) { /* an ImportError with the reason: MKL is not installed */
        return -1;
    }
    PyObject *bytes = NULL;
    if (!PyUnicode_FSConverter(path, &bytes)) {
        Py_DECREF(path);
        return -1;
    }
    void *h = dlopen(PyBytes_AS_STRING(bytes), RTLD_NOW | RTLD_LOCAL);
    Py_DECREF(bytes);
    if (h == NULL) {
        const char *why = dlerror();
        PyErr_Format(PyExc_ImportError, "cannot load MKL from %U: %s", path, why ? why : "dlopen failed");
        Py_DECREF(path);
        return -1;
    }
    mk_handle_ = h;
    mk_path_ = path; /* owned for the life of the process, like the handle */
    return 0;
}

static void mk_choose_layer_(void)
{
    const char *user = getenv("MKL_THREADING_LAYER");
    if (user != NULL && user[0] != '\0') { /* the user's choice, as MKL itself would read it */
        static const struct { const char *name; int code; } names[] = {
            {"INTEL", MK_THREADING_INTEL}, {"SEQUENTIAL", MK_THREADING_SEQUENTIAL},
            {"GNU", MK_THREADING_GNU}, {"TBB", MK_THREADING_TBB}};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (strcasecmp(user, names[i].name) == 0) {
                mk_layer_ = mk_MKL_Set_Threading_Layer(names[i].code);
                return;
            }
        }
        return; /* a value MKL will judge: left to it, reported as unknown */
    }
    void *gomp = dlopen("libgomp.so.1", RTLD_LAZY | RTLD_NOLOAD);
    if (gomp != NULL) {
        dlclose(gomp); /* only a reference NOLOAD took */
        mk_layer_ = mk_MKL_Set_Threading_Layer(MK_THREADING_GNU);
        return;
    }
    if (getenv("KMP_BLOCKTIME") == NULL) {
        setenv("KMP_BLOCKTIME", "0", 0);
    }
    mk_layer_ = mk_MKL_Set_Threading_Layer(MK_THREADING_INTEL);
}

/* Open the library once per extension, resolve the service symbols, choose
   the threading layer; -1 with an ImportError set on failure. */
static int mk_load_service_(void)
{
    if (mk_handle_ != NULL) {
        return 0;
    }
    if (mk_open_() < 0) {
        return -1;
    }
    MK_SERVICE_SYMBOLS(MK_RESOLVE_)
    mk_choose_layer_();
    return 0;
}

/* MK_LOAD(list): the service functions and the extension's own list */
#define MK_LOAD(list) (mk_load_service_() < 0 ? -1 : mk_load_list_##list())
#define MK_DEFINE_LOADER(list)                 \
    list(MK_DECLARE_)                          \
    static int mk_load_list_##list(void)       \
    {                                          \
        list(MK_RESOLVE_)                      \
        return 0;                              \
    }

/* ------------------------------------------------------------------------ */
/* module functions every extension shares (its controls and its report)    */
/* ------------------------------------------------------------------------ */

static PyObject *mk_py_version(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    mk_version v = {0};
    char text[512] = {0};
    mk_MKL_Get_Version(&v);
    mk_MKL_Get_Version_String(text, (int)sizeof text - 1);
    return Py_BuildValue("{s:(iiii),s:s,s:s,s:s,s:s}", "version", v.major, v.minor, v.update, v.patch, "processor",
                         v.processor ? v.processor : "", "build", v.build ? v.build : "", "platform",
                         v.platform ? v.platform : "", "text", text);
}

static PyObject *mk_py_get_num_threads(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(mk_MKL_Get_Max_Threads());
}

static PyObject *mk_py_set_num_threads(PyObject *self, PyObject *arg)
{
    (void)self;
    const long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 1 || n > 4096) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be in 1..4096, got %ld", n);
        return NULL;
    }
    mk_MKL_Set_Num_Threads((int)n);
    Py_RETURN_NONE;
}

static PyObject *mk_py_cbwr(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    /* MKL_CBWR_BRANCH = 1, MKL_CBWR_ALL = ~0 (mkl_types.h) */
    return Py_BuildValue("(ii)", mk_MKL_CBWR_Get(1), mk_MKL_CBWR_Get(~0));
}

static PyObject *mk_py_threading_layer(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(mk_layer_);
}

static PyObject *mk_py_library_path(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return Py_NewRef(mk_path_);
}

#define MK_SHARED_METHODS                                                                                     \
    {"version", mk_py_version, METH_NOARGS, "version()\n--\n\nMKL_Get_Version and MKL_Get_Version_String, as a dict."}, \
    {"get_num_threads", mk_py_get_num_threads, METH_NOARGS, "get_num_threads()\n--\n\nMKL_Get_Max_Threads()."},        \
    {"set_num_threads", mk_py_set_num_threads, METH_O, "set_num_threads(n, /)\n--\n\nMKL_Set_Num_Threads(n), process-wide."}, \
    {"cbwr", mk_py_cbwr, METH_NOARGS, "cbwr()\n--\n\n(MKL_CBWR_Get(MKL_CBWR_BRANCH), MKL_CBWR_Get(MKL_CBWR_ALL))."},      \
    {"threading_layer", mk_py_threading_layer, METH_NOARGS,                                                  \
     "threading_layer()\n--\n\nThe MKL threading layer in use (MKL_THREADING_INTEL 0, SEQUENTIAL 1, GNU 3, TBB 4)."},  \
    {"library_path", mk_py_library_path, METH_NOARGS, "library_path()\n--\n\nThe libmkl_rt file loaded."}

/* ------------------------------------------------------------------------ */
/* the module: each extension exports one table as _C_API                   */
/* ------------------------------------------------------------------------ */

#if defined(Py_mod_gil)
#define MK_GIL_SLOT_ {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#else
#define MK_GIL_SLOT_
#endif

/* MK_TABLE_MODULE(name, table, capsule, doc): the extension module `name`
   with the shared methods, whose exec calls the extension's
   `static int mk_load(void)` (MKL and its symbols; -1 with an ImportError
   set) and then lends &table as the capsule _C_API (the table is const
   data). */
#define MK_TABLE_MODULE(name, table, capsule, doc)                                              \
    static PyMethodDef mk_methods[] = {                                                         \
        MK_SHARED_METHODS,                                                                      \
        {NULL, NULL, 0, NULL},                                                                  \
    };                                                                                          \
    static int mk_exec(PyObject *module)                                                        \
    {                                                                                           \
        if (mk_load() < 0) {                                                                    \
            return -1;                                                                          \
        }                                                                                       \
        PyObject *c = PyCapsule_New((void *)&(table), (capsule), NULL);                         \
        if (c == NULL) {                                                                        \
            return -1;                                                                          \
        }                                                                                       \
        const int rc = PyModule_AddObjectRef(module, "_C_API", c);                              \
        Py_DECREF(c);                                                                           \
        return rc;                                                                              \
    }                                                                                           \
    static PyModuleDef_Slot mk_slots[] = {                                                      \
        {Py_mod_exec, (void *)mk_exec},                                                         \
        MK_GIL_SLOT_{0, NULL},                                                                  \
    };                                                                                          \
    static struct PyModuleDef mk_module = {                                                     \
        PyModuleDef_HEAD_INIT, #name, doc, 0, mk_methods, mk_slots, NULL, NULL, NULL,           \
    };                                                                                          \
    PyMODINIT_FUNC PyInit_##name(void)                                                          \
    {                                                                                           \
        return PyModuleDef_Init(&mk_module);                                                    \
    }

#endif /* KERNELS_MKL_RT_H */
