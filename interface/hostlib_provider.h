/*
 * hostlib_provider.h -- the Python side of a kernel module, in one macro.
 *
 * A kernel module is an ordinary extension module whose only job is to
 * export its table through a capsule attribute `_C_API`. Its init code
 * runs no SIMD instruction: put the kernels (and the table, a compile-time
 * constant) in translation units of their own, compiled with the ISA
 * flags, and this macro in one compiled with baseline flags:
 *
 *     #include "hostlib_provider.h"
 *     #include "hostlib_kernels_table.h"
 *     extern const hostlib_kernels_table my_table;
 *     HOSTLIB_PROVIDER_MODULE(_mykernels, my_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
 *
 * Module-level functions (e.g. the kernel-parameter protocol's
 * hostlib_parameters and hostlib_set_parameters, see simd/gemm_params.h):
 * define HOSTLIB_PROVIDER_METHODS as the name of a PyMethodDef array
 * before including this header; it becomes the module's m_methods.
 */
#ifndef HOSTLIB_PROVIDER_H
#define HOSTLIB_PROVIDER_H

#include <Python.h>

#if defined(Py_mod_gil)
#define HOSTLIB_PROVIDER_GIL_SLOT_ {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#else
#define HOSTLIB_PROVIDER_GIL_SLOT_
#endif
#if defined(Py_mod_multiple_interpreters)
#define HOSTLIB_PROVIDER_INTERP_SLOT_ \
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#else
#define HOSTLIB_PROVIDER_INTERP_SLOT_
#endif

/* export a const table as a capsule attribute of the module */
static inline int hostlib_provider_export_(PyObject *module, const char *attr, const void *table,
                                           const char *capsule_name)
{
    /* the table is const data; the capsule only lends its address */
    PyObject *capsule = PyCapsule_New((void *)table, capsule_name, NULL);
    if (capsule == NULL) {
        return -1;
    }
    int rc = PyModule_AddObjectRef(module, attr, capsule);
    Py_DECREF(capsule);
    return rc;
}

#define HOSTLIB_PROVIDER_MODULE(modname, table, capsule_name)                   \
    static int hostlib_provider_exec_(PyObject *module)                        \
    {                                                                          \
        return hostlib_provider_export_(module, "_C_API", &(table), (capsule_name)); \
    }                                                                          \
    HOSTLIB_PROVIDER_MODULE_DEF_(modname)

/* The same, also exporting a table of reproducible reductions (see
   simd/kernels_table.h) as _C_API_REPRODUCIBLE: the host serves its
   entries instead of the main table's in reproducible mode. */
#define HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE(modname, table, repro_table, capsule_name) \
    static int hostlib_provider_exec_(PyObject *module)                        \
    {                                                                          \
        if (hostlib_provider_export_(module, "_C_API", &(table), (capsule_name)) < 0) { \
            return -1;                                                         \
        }                                                                      \
        return hostlib_provider_export_(module, "_C_API_REPRODUCIBLE", &(repro_table), \
                                        (capsule_name));                       \
    }                                                                          \
    HOSTLIB_PROVIDER_MODULE_DEF_(modname)

#ifdef HOSTLIB_PROVIDER_METHODS
#define HOSTLIB_PROVIDER_METHODS_ HOSTLIB_PROVIDER_METHODS
#else
#define HOSTLIB_PROVIDER_METHODS_ NULL
#endif

#define HOSTLIB_PROVIDER_MODULE_DEF_(modname)                                  \
    static PyModuleDef_Slot hostlib_provider_slots_[] = {                      \
        {Py_mod_exec, (void *)hostlib_provider_exec_},                        \
        HOSTLIB_PROVIDER_INTERP_SLOT_                                          \
        HOSTLIB_PROVIDER_GIL_SLOT_                                             \
        {0, NULL}};                                                            \
    static struct PyModuleDef hostlib_provider_def_ = {                        \
        PyModuleDef_HEAD_INIT, #modname,                                       \
        "hostlib kernel table provider: exports its table as _C_API.", 0,     \
        HOSTLIB_PROVIDER_METHODS_, hostlib_provider_slots_, NULL, NULL, NULL}; \
    PyMODINIT_FUNC PyInit_##modname(void)                                      \
    {                                                                          \
        return PyModuleDef_Init(&hostlib_provider_def_);                       \
    }

#endif /* HOSTLIB_PROVIDER_H */
