/*
 * hostlib._core -- the generic table machinery, the same for every interface.
 *
 * It knows the shared layout (a hostlib_table_header followed by function
 * pointer slots) and nothing about what the slots mean. Policy (which
 * provider serves which slot) lives in Python (hostlib/_host/host.py); this file
 * does what must be done in C:
 *
 *   inspect(capsule, ...)   validate a provider capsule, report its slots
 *   compose(...)            build a new immutable table, slot by slot (some
 *                           slots may hold the host's threading wrappers)
 *   new_host_api(...)       the struct re-exported to downstream code
 *   activate(api, table)    atomically make a table the active one
 *   slot_address(cap, i)    a slot's function address (tests, report)
 *
 * Memory rule: composed tables and host APIs are never freed. A thread may
 * be inside a kernel of an old table at any time, and the cost is a few
 * hundred bytes per distinct composition (the host caches them).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib_table.h"
#include "composed.h"

#define SLOT_SIZE sizeof(hostlib_fn)
#define SLOTS_OF(header) ((hostlib_fn *)((char *)(header) + sizeof(hostlib_table_header)))

/* The provider's slot count, from its size. Validated by inspect(). */
static Py_ssize_t
provider_nslots(const hostlib_table_header *h)
{
    return (Py_ssize_t)((h->size - sizeof(hostlib_table_header)) / SLOT_SIZE);
}

/* Raise ValueError(reason) and return NULL. */
static void *
reject(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    PyObject *msg = PyUnicode_FromFormatV(fmt, ap);
    va_end(ap);
    if (msg != NULL) {
        PyErr_SetObject(PyExc_ValueError, msg);
        Py_DECREF(msg);
    }
    return NULL;
}

/*
 * The header of a provider capsule, or NULL with ValueError saying why it
 * is not one. Nothing behind the pointer is read before the capsule's name
 * says it is a table of this interface.
 */
static const hostlib_table_header *
checked_header(PyObject *capsule, const char *capsule_name, unsigned long magic,
               unsigned long abi_major)
{
    if (!PyCapsule_CheckExact(capsule)) {
        return reject("_C_API is a %.100s, not a capsule", Py_TYPE(capsule)->tp_name);
    }
    const char *name = PyCapsule_GetName(capsule);
    if (name == NULL) {
        return reject("capsule has no name (expected '%s')", capsule_name);
    }
    if (strcmp(name, capsule_name) != 0) {
        return reject("capsule is named '%.200s', expected '%s'", name, capsule_name);
    }
    const hostlib_table_header *h = PyCapsule_GetPointer(capsule, capsule_name);
    if (h == NULL) {
        return NULL;
    }
    if (h->magic != magic) {
        /* PyUnicode_FromFormat before Python 3.12 has no %lx or zero
           padding: format the numbers with C's snprintf */
        char got[24], want[24];
        PyOS_snprintf(got, sizeof got, "0x%08lx", (unsigned long)h->magic);
        PyOS_snprintf(want, sizeof want, "0x%08lx", magic);
        return reject("wrong magic number %s (expected %s)", got, want);
    }
    if (h->abi_major != abi_major) {
        return reject("ABI major version %u, but this hostlib speaks %lu",
                      (unsigned)h->abi_major, abi_major);
    }
    if (h->size < sizeof(hostlib_table_header)) {
        return reject("table size %lu is smaller than the %lu-byte header",
                      (unsigned long)h->size, (unsigned long)sizeof(hostlib_table_header));
    }
    if ((h->size - sizeof(hostlib_table_header)) % SLOT_SIZE != 0) {
        return reject("table size %lu is not the header plus whole slots",
                      (unsigned long)h->size);
    }
    /* zero today; a later ABI may give them a meaning, which a provider
       built now must not claim by accident */
    if (h->reserved0 != 0 || h->reserved1 != 0) {
        return reject("reserved header fields are not zero (reserved0 %lu, reserved1 %llu)",
                      (unsigned long)h->reserved0, (unsigned long long)h->reserved1);
    }
    if (h->name == NULL) {
        return reject("NULL provider name in the table header");
    }
    if (h->version == NULL) {
        return reject("NULL version in the table header");
    }
    return h;
}

PyDoc_STRVAR(inspect_doc,
"inspect(capsule, capsule_name, magic, abi_major, nslots) -> dict\n\n"
"Validate a provider capsule. Raises ValueError with the reason when it is\n"
"not a valid table. Returns its header fields and, for the host's nslots\n"
"slots, whether the provider fills each one (False past its size).");

static PyObject *
core_inspect(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *capsule;
    const char *capsule_name;
    unsigned long magic, abi_major;
    Py_ssize_t nslots;
    if (!PyArg_ParseTuple(args, "Oskkn:inspect", &capsule, &capsule_name, &magic,
                          &abi_major, &nslots)) {
        return NULL;
    }
    const hostlib_table_header *h = checked_header(capsule, capsule_name, magic, abi_major);
    if (h == NULL) {
        return NULL;
    }
    Py_ssize_t have = provider_nslots(h);
    PyObject *slots = PyTuple_New(nslots);
    if (slots == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nslots; i++) {
        PyObject *filled = (i < have && SLOTS_OF(h)[i] != NULL) ? Py_True : Py_False;
        PyTuple_SET_ITEM(slots, i, Py_NewRef(filled));
    }
    return Py_BuildValue("{s:s,s:s,s:I,s:I,s:I,s:K,s:N}",
                         "name", h->name, "version", h->version,
                         "abi_major", (unsigned)h->abi_major,
                         "abi_minor", (unsigned)h->abi_minor,
                         "size", (unsigned)h->size,
                         "features", (unsigned long long)h->features,
                         "slots", slots);
}

/* strdup into memory that lives as long as the process (see the file comment) */
static const char *
immortal_string(PyObject *str)
{
    Py_ssize_t len;
    const char *utf8 = PyUnicode_AsUTF8AndSize(str, &len);
    if (utf8 == NULL) {
        return NULL;
    }
    char *copy = PyMem_RawMalloc((size_t)len + 1);
    if (copy == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    memcpy(copy, utf8, (size_t)len + 1);
    return copy;
}

PyDoc_STRVAR(compose_doc,
"compose(capsule_name, magic, abi_major, abi_minor, name, version, features, sources,\n"
"        wrappers=None, wrapped=(), split=(), above=())\n\n"
"Build a new, immutable table of len(sources) slots whose slot i is slot i\n"
"of the provider capsule sources[i]. Every source must be valid and fill\n"
"its slot. Where wrapped[i] is true, public slot i is instead slot i of\n"
"the table `wrappers` (the host's threading wrappers), and the provider's\n"
"function stays reachable in the hidden extension (composed.h).\n"
"split[i]: whether the wrapper may split sources[i]'s calls over the pool\n"
"(default: wrapped[i]). above[i]: the size classes above the first, a\n"
"tuple of (bound, provider capsule, split) with increasing bounds > 0,\n"
"at most HOSTLIB_SIZE_CLASSES - 1 of them; only for wrapped slots.\n"
"Returns a capsule of the new table; the table is never freed.");

/* The hidden extension after the public slots: see composed.h. */
#define INNER_OF(header) ((hostlib_fn *)((char *)(header) + (header)->size)) /* writable */
#define CLASSES_OF(header) ((hostlib_size_classes *)HOSTLIB_SIZE_CLASSES_OF(header)) /* writable */

/* Item i of an optional per-slot tuple (NULL when the tuple is empty), or
   ValueError when its length is not nslots. */
static int
per_slot(PyObject *tuple, const char *what, Py_ssize_t nslots, Py_ssize_t i, PyObject **item)
{
    *item = NULL;
    if (tuple == NULL || PyTuple_GET_SIZE(tuple) == 0) {
        return 0;
    }
    if (PyTuple_GET_SIZE(tuple) != nslots) {
        reject("%s has %zd items for %zd slots", what, PyTuple_GET_SIZE(tuple), nslots);
        return -1;
    }
    *item = PyTuple_GET_ITEM(tuple, i);
    return 0;
}

/* Check slot i's classes above the first (above[i]); fill *out when not NULL. */
static int
check_classes(PyObject *classes, Py_ssize_t i, int wrapped, const char *capsule_name,
              unsigned long magic, unsigned long abi_major, hostlib_size_classes *out)
{
    if (classes == NULL || classes == Py_None) {
        return 0;
    }
    if (!PyTuple_Check(classes) || PyTuple_GET_SIZE(classes) > HOSTLIB_SIZE_CLASSES - 1) {
        reject("above[%zd] is not a tuple of at most %d size classes", i, HOSTLIB_SIZE_CLASSES - 1);
        return -1;
    }
    if (PyTuple_GET_SIZE(classes) > 0 && !wrapped) {
        reject("slot %zd has size classes but no wrapper to choose between them", i);
        return -1;
    }
    double previous = 0.0;
    for (Py_ssize_t c = 0; c < PyTuple_GET_SIZE(classes); c++) {
        PyObject *item = PyTuple_GET_ITEM(classes, c);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 3) {
            reject("above[%zd][%zd] is not (bound, capsule, split)", i, c);
            return -1;
        }
        const double bound = PyFloat_AsDouble(PyTuple_GET_ITEM(item, 0));
        if (bound == -1.0 && PyErr_Occurred()) {
            return -1;
        }
        if (!(bound > previous) || bound == HUGE_VAL) {
            reject("above[%zd]: the bounds must be finite, positive and increasing", i);
            return -1;
        }
        previous = bound;
        const hostlib_table_header *src =
            checked_header(PyTuple_GET_ITEM(item, 1), capsule_name, magic, abi_major);
        if (src == NULL) {
            return -1;
        }
        if (i >= provider_nslots(src) || SLOTS_OF(src)[i] == NULL) {
            reject("provider '%s' does not fill slot %zd", src->name, i);
            return -1;
        }
        const int split = PyObject_IsTrue(PyTuple_GET_ITEM(item, 2));
        if (split < 0) {
            return -1;
        }
        if (out != NULL) {
            out->bound[c] = bound;
            out->fn[c + 1] = SLOTS_OF(src)[i];
            out->split[c + 1] = (unsigned char)split;
        }
    }
    return 0;
}

static PyObject *
core_compose(PyObject *Py_UNUSED(self), PyObject *args)
{
    const char *capsule_name;
    unsigned long magic, abi_major, abi_minor;
    PyObject *name, *version, *sources, *wrappers = Py_None, *wrapped = NULL, *split = NULL, *above = NULL;
    unsigned long long features;
    if (!PyArg_ParseTuple(args, "skkkUUKO!|OO!O!O!:compose", &capsule_name, &magic, &abi_major,
                          &abi_minor, &name, &version, &features, &PyTuple_Type, &sources,
                          &wrappers, &PyTuple_Type, &wrapped, &PyTuple_Type, &split, &PyTuple_Type,
                          &above)) {
        return NULL;
    }
    Py_ssize_t nslots = PyTuple_GET_SIZE(sources);
    size_t size = sizeof(hostlib_table_header) + (size_t)nslots * SLOT_SIZE;
    if (size > UINT32_MAX) {
        return reject("too many slots");
    }
    const hostlib_table_header *wrap = NULL;
    if (wrapped != NULL && PyTuple_GET_SIZE(wrapped) != 0) {
        if (PyTuple_GET_SIZE(wrapped) != nslots) {
            return reject("wrapped has %zd items for %zd slots", PyTuple_GET_SIZE(wrapped), nslots);
        }
        if (wrappers == Py_None) {
            return reject("wrapped slots but no wrappers table");
        }
        wrap = checked_header(wrappers, capsule_name, magic, abi_major);
        if (wrap == NULL) {
            return NULL;
        }
        for (Py_ssize_t i = 0; i < nslots; i++) {
            int w = PyObject_IsTrue(PyTuple_GET_ITEM(wrapped, i));
            if (w < 0) {
                return NULL;
            }
            if (w && (i >= provider_nslots(wrap) || SLOTS_OF(wrap)[i] == NULL)) {
                return reject("the wrappers table does not fill slot %zd", i);
            }
        }
    }
    /* check everything before allocating anything that is never freed */
    for (Py_ssize_t i = 0; i < nslots; i++) {
        const hostlib_table_header *src = checked_header(PyTuple_GET_ITEM(sources, i),
                                                         capsule_name, magic, abi_major);
        if (src == NULL) {
            return NULL;
        }
        if (i >= provider_nslots(src) || SLOTS_OF(src)[i] == NULL) {
            return reject("provider '%s' does not fill slot %zd", src->name, i);
        }
        PyObject *classes, *split_i;
        if (per_slot(above, "above", nslots, i, &classes) < 0 || per_slot(split, "split", nslots, i, &split_i) < 0) {
            return NULL;
        }
        const int w = wrap != NULL && PyObject_IsTrue(PyTuple_GET_ITEM(wrapped, i)) == 1;
        if ((split_i != NULL && PyObject_IsTrue(split_i) < 0) ||
            check_classes(classes, i, w, capsule_name, magic, abi_major, NULL) < 0) {
            return NULL;
        }
    }
    /* names are copied before the table so that a failure leaks nothing big */
    const char *name_copy = immortal_string(name);
    if (name_copy == NULL) {
        return NULL;
    }
    const char *version_copy = immortal_string(version);
    if (version_copy == NULL) {
        PyMem_RawFree((void *)name_copy);
        return NULL;
    }
    hostlib_table_header *table =
        PyMem_RawCalloc(1, size + (size_t)nslots * (SLOT_SIZE + sizeof(hostlib_size_classes)));
    if (table == NULL) {
        PyMem_RawFree((void *)name_copy);
        PyMem_RawFree((void *)version_copy);
        return PyErr_NoMemory();
    }
    table->magic = (uint32_t)magic;
    table->abi_major = (uint16_t)abi_major;
    table->abi_minor = (uint16_t)abi_minor;
    table->size = (uint32_t)size;
    table->name = name_copy;
    table->version = version_copy;
    table->features = (uint64_t)features;
    for (Py_ssize_t i = 0; i < nslots; i++) {
        const hostlib_table_header *src =
            PyCapsule_GetPointer(PyTuple_GET_ITEM(sources, i), capsule_name);
        const int w = wrap != NULL && PyObject_IsTrue(PyTuple_GET_ITEM(wrapped, i)) == 1;
        SLOTS_OF(table)[i] = w ? SLOTS_OF(wrap)[i] : SLOTS_OF(src)[i];
        INNER_OF(table)[i] = SLOTS_OF(src)[i];
        /* one class (the inner slot's function) unless above[i] adds more */
        hostlib_size_classes *sc = CLASSES_OF(table) + i;
        for (int c = 0; c < HOSTLIB_SIZE_CLASSES - 1; c++) {
            sc->bound[c] = HUGE_VAL;
        }
        sc->fn[0] = SLOTS_OF(src)[i];
        PyObject *classes, *split_i;
        (void)per_slot(split, "split", nslots, i, &split_i); /* checked above */
        (void)per_slot(above, "above", nslots, i, &classes);
        sc->split[0] = (unsigned char)(split_i != NULL ? PyObject_IsTrue(split_i) == 1 : w);
        (void)check_classes(classes, i, w, capsule_name, magic, abi_major, sc);
    }
    return PyCapsule_New(table, capsule_name, NULL);
}

PyDoc_STRVAR(new_host_api_doc,
"new_host_api(host_capsule_name, magic, abi_major, abi_minor) -> capsule\n\n"
"The struct downstream code reaches through PyCapsule_Import. Its active\n"
"table is NULL until activate() is called. Never freed.");

static PyObject *
core_new_host_api(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *name;
    unsigned long magic, abi_major, abi_minor;
    if (!PyArg_ParseTuple(args, "Ukkk:new_host_api", &name, &magic, &abi_major, &abi_minor)) {
        return NULL;
    }
    /* PyCapsule_Import compares names, so the name must outlive the capsule */
    const char *name_copy = immortal_string(name);
    if (name_copy == NULL) {
        return NULL;
    }
    hostlib_host_api *api = PyMem_RawCalloc(1, sizeof *api);
    if (api == NULL) {
        PyMem_RawFree((void *)name_copy);
        return PyErr_NoMemory();
    }
    api->magic = (uint32_t)magic;
    api->abi_major = (uint16_t)abi_major;
    api->abi_minor = (uint16_t)abi_minor;
    api->size = (uint32_t)sizeof *api;
    return PyCapsule_New(api, name_copy, NULL);
}

PyDoc_STRVAR(activate_doc,
"activate(host_api, table, capsule_name, magic)\n\n"
"Make a composed table the one every call through host_api goes to. The\n"
"pointer is swapped atomically: a concurrent caller sees the whole old or\n"
"the whole new table.");

static PyObject *
core_activate(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *api_capsule, *table_capsule;
    const char *capsule_name;
    unsigned long magic;
    if (!PyArg_ParseTuple(args, "OOsk:activate", &api_capsule, &table_capsule, &capsule_name,
                          &magic)) {
        return NULL;
    }
    hostlib_host_api *api =
        PyCapsule_GetPointer(api_capsule, PyCapsule_GetName(api_capsule));
    if (api == NULL) {
        return NULL;
    }
    if (api->magic != magic) {
        return reject("host API of another interface");
    }
    const hostlib_table_header *table =
        checked_header(table_capsule, capsule_name, magic, api->abi_major);
    if (table == NULL) {
        return NULL;
    }
    HOSTLIB_STORE_ACTIVE(api, (const void *)table);
    Py_RETURN_NONE;
}

PyDoc_STRVAR(slot_address_doc,
"slot_address(capsule, capsule_name, magic, abi_major, slot, inner=False) -> int\n\n"
"Address of the function in a slot of a valid table (0 when not filled).\n"
"inner=True: of a composed table, the provider's function behind a\n"
"wrapper (the hidden extension); only for tables compose() built.");

static PyObject *
core_slot_address(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *capsule;
    const char *capsule_name;
    unsigned long magic, abi_major;
    Py_ssize_t slot;
    int inner = 0;
    if (!PyArg_ParseTuple(args, "Oskkn|p:slot_address", &capsule, &capsule_name, &magic,
                          &abi_major, &slot, &inner)) {
        return NULL;
    }
    const hostlib_table_header *h = checked_header(capsule, capsule_name, magic, abi_major);
    if (h == NULL) {
        return NULL;
    }
    if (slot < 0 || slot >= provider_nslots(h)) {
        return PyLong_FromLong(0);
    }
    return PyLong_FromVoidPtr((void *)(inner ? HOSTLIB_INNER_SLOTS(h) : HOSTLIB_PUBLIC_SLOTS(h))[slot]);
}

PyDoc_STRVAR(size_class_doc,
"size_class(capsule, capsule_name, magic, abi_major, slot, size) -> (address, split)\n\n"
"Of a composed table: the function a split wrapper calls for a call of\n"
"this size (elements, or m*n*k for gemm) and whether it splits it over the\n"
"pool, read as the wrappers read it (composed.h); (0, False) for a slot\n"
"out of range. Only for tables compose() built.");

static PyObject *
core_size_class(PyObject *Py_UNUSED(self), PyObject *args)
{
    PyObject *capsule;
    const char *capsule_name;
    unsigned long magic, abi_major;
    Py_ssize_t slot;
    double size;
    if (!PyArg_ParseTuple(args, "Oskknd:size_class", &capsule, &capsule_name, &magic, &abi_major,
                          &slot, &size)) {
        return NULL;
    }
    const hostlib_table_header *h = checked_header(capsule, capsule_name, magic, abi_major);
    if (h == NULL) {
        return NULL;
    }
    if (slot < 0 || slot >= provider_nslots(h)) {
        return Py_BuildValue("(iO)", 0, Py_False);
    }
    const hostlib_size_classes *sc = HOSTLIB_SIZE_CLASSES_OF(h) + slot;
    const int c = hostlib_size_class(sc, size);
    return Py_BuildValue("(NO)", PyLong_FromVoidPtr((void *)sc->fn[c]), sc->split[c] ? Py_True : Py_False);
}

static PyMethodDef core_methods[] = {
    {"inspect", core_inspect, METH_VARARGS, inspect_doc},
    {"compose", core_compose, METH_VARARGS, compose_doc},
    {"new_host_api", core_new_host_api, METH_VARARGS, new_host_api_doc},
    {"activate", core_activate, METH_VARARGS, activate_doc},
    {"slot_address", core_slot_address, METH_VARARGS, slot_address_doc},
    {"size_class", core_size_class, METH_VARARGS, size_class_doc},
    {NULL, NULL, 0, NULL},
};

static int
core_exec(PyObject *module)
{
    if (PyModule_AddIntConstant(module, "HEADER_SIZE", (long)sizeof(hostlib_table_header)) < 0 ||
        PyModule_AddIntConstant(module, "SLOT_SIZE", (long)SLOT_SIZE) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot core_slots[] = {
    {Py_mod_exec, (void *)core_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "_core",
    "hostlib's generic table machinery: validation, composition, atomic activation.",
    0, core_methods, core_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__core(void)
{
    return PyModuleDef_Init(&core_module);
}
