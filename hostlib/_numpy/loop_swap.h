/*
 * loop_swap.h -- putting hostlib's loops into a numpy (g)ufunc module's
 * ufuncs and taking them out again, for the C halves of the numpy patch's
 * families (hostlib/fft/_transforms.c: numpy.fft._pocketfft_umath;
 * hostlib/linalg/_loops.c: numpy.linalg._umath_linalg). One row per loop
 * hostlib serves; numpy's public PyUFunc_ReplaceLoopBySignature does the
 * swap, and each row remembers the loop it found at import (numpy's own,
 * or another library's patch) and the one it replaced last.
 *
 * Include after numpy's ufuncobject.h (import_umath() done by the module).
 * A module keeps one hostlib_loop_set and binds it in three methods:
 *     static PyObject *loop_owner(PyObject *self, PyObject *args) { return hostlib_loop_owner(&set, args); }
 * and so on for hostlib_loop_install and hostlib_loop_uninstall.
 */
#ifndef HOSTLIB_LOOP_SWAP_H
#define HOSTLIB_LOOP_SWAP_H

#include <string.h>

/* the most arguments (inputs + outputs) of a loop a row describes */
#define HOSTLIB_LOOP_MAX_ARGS 8

typedef struct hostlib_loop_row {
    const char *ufunc;                      /* its name in the set's module */
    const char *types;                      /* numpy's type characters of the loop, e.g. "dd->d" */
    int nargs;                              /* inputs + outputs */
    int signature[HOSTLIB_LOOP_MAX_ARGS];   /* their type numbers */
    PyUFuncGenericFunction loop;            /* hostlib's */
    PyUFuncGenericFunction found;           /* the loop in place at import (hostlib_loop_set_bind) */
    void *found_data;                       /* and its data */
    PyUFuncGenericFunction saved;           /* the loop hostlib's replaced the last time */
} hostlib_loop_row;

typedef struct hostlib_loop_set {
    const char *module_name; /* e.g. "numpy.fft._pocketfft_umath" */
    const char *what;        /* for messages, e.g. "numpy.fft" */
    hostlib_loop_row *rows;
    Py_ssize_t nrows;
    PyObject *module;        /* set by hostlib_loop_set_bind */
} hostlib_loop_set;

/* The loop numpy runs now for row l (NULL with an exception if numpy has
   no such loop), and its data pointer if `data` is not NULL. */
static PyUFuncGenericFunction hostlib_loop_current(const hostlib_loop_set *s, const hostlib_loop_row *l, void **data)
{
    PyObject *u = PyObject_GetAttrString(s->module, l->ufunc);
    if (u == NULL) {
        return NULL;
    }
    PyUFuncGenericFunction found = NULL;
    if (PyObject_TypeCheck(u, &PyUFunc_Type)) {
        PyUFuncObject *uf = (PyUFuncObject *)u;
        for (int k = 0; k < uf->ntypes && uf->nargs == l->nargs; k++) {
            const char *t = uf->types + (Py_ssize_t)l->nargs * k;
            int same = 1;
            for (int a = 0; a < l->nargs; a++) {
                same &= t[a] == l->signature[a];
            }
            if (same) {
                found = uf->functions[k];
                if (data != NULL) {
                    *data = uf->data != NULL ? uf->data[k] : NULL;
                }
            }
        }
    }
    Py_DECREF(u);
    if (found == NULL) {
        PyErr_Format(PyExc_LookupError, "%s's %s has no %s loop", s->what, l->ufunc, l->types);
    }
    return found;
}

/* Import the set's module and record each row's loop as found (-1 with an
   exception if numpy lacks one). */
static int hostlib_loop_set_bind(hostlib_loop_set *s)
{
    s->module = PyImport_ImportModule(s->module_name);
    if (s->module == NULL) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < s->nrows; i++) {
        hostlib_loop_row *l = &s->rows[i];
        if (l->nargs < 1 || l->nargs > HOSTLIB_LOOP_MAX_ARGS) {
            PyErr_Format(PyExc_SystemError, "%s %s: %d arguments", l->ufunc, l->types, l->nargs);
            return -1;
        }
        l->found = l->saved = hostlib_loop_current(s, l, &l->found_data);
        if (l->found == NULL) {
            return -1;
        }
    }
    return 0;
}

/* The row of (ufunc, types) parsed from args, or NULL with ValueError. */
static hostlib_loop_row *hostlib_loop_find(const hostlib_loop_set *s, PyObject *args)
{
    const char *ufunc, *types;
    if (!PyArg_ParseTuple(args, "ss", &ufunc, &types)) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < s->nrows; i++) {
        if (strcmp(s->rows[i].ufunc, ufunc) == 0 && strcmp(s->rows[i].types, types) == 0) {
            return &s->rows[i];
        }
    }
    PyErr_Format(PyExc_ValueError, "hostlib serves no loop %s of %s's %s", types, s->what, ufunc);
    return NULL;
}

static int hostlib_loop_replace(const hostlib_loop_set *s, hostlib_loop_row *l, PyUFuncGenericFunction new_loop,
                                PyUFuncGenericFunction *old)
{
    PyObject *u = PyObject_GetAttrString(s->module, l->ufunc);
    if (u == NULL) {
        return -1;
    }
    int rc = PyUFunc_ReplaceLoopBySignature((PyUFuncObject *)u, new_loop, l->signature, old);
    Py_DECREF(u);
    if (rc != 0) {
        PyErr_Format(PyExc_LookupError, "%s's %s: no %s loop to replace", s->what, l->ufunc, l->types);
    }
    return rc;
}

/* loop_owner(ufunc, types) -> "hostlib", "numpy" (what was found at
   import) or "other" (a loop another library put in since) */
static PyObject *hostlib_loop_owner(const hostlib_loop_set *s, PyObject *args)
{
    hostlib_loop_row *l = hostlib_loop_find(s, args);
    PyUFuncGenericFunction cur = l ? hostlib_loop_current(s, l, NULL) : NULL;
    if (cur == NULL) {
        return NULL;
    }
    return PyUnicode_FromString(cur == l->loop ? "hostlib" : cur == l->found ? "numpy" : "other");
}

/* loop_install(ufunc, types) -> whether it put hostlib's loop in (False:
   it was in already) */
static PyObject *hostlib_loop_install(const hostlib_loop_set *s, PyObject *args)
{
    hostlib_loop_row *l = hostlib_loop_find(s, args);
    PyUFuncGenericFunction cur = l ? hostlib_loop_current(s, l, NULL) : NULL;
    if (cur == NULL) {
        return NULL;
    }
    if (cur == l->loop) {
        Py_RETURN_FALSE;
    }
    if (hostlib_loop_replace(s, l, l->loop, &l->saved) < 0) {
        return NULL;
    }
    Py_RETURN_TRUE;
}

/* loop_uninstall(ufunc, types) -> whether it put back the loop hostlib's
   replaced (False: hostlib's is not in place, e.g. another library's is) */
static PyObject *hostlib_loop_uninstall(const hostlib_loop_set *s, PyObject *args)
{
    hostlib_loop_row *l = hostlib_loop_find(s, args);
    PyUFuncGenericFunction cur = l ? hostlib_loop_current(s, l, NULL) : NULL, ignored;
    if (cur == NULL) {
        return NULL;
    }
    if (cur != l->loop) {
        Py_RETURN_FALSE;
    }
    if (hostlib_loop_replace(s, l, l->saved, &ignored) < 0) {
        return NULL;
    }
    Py_RETURN_TRUE;
}

/* NUMPY_LOOPS: a tuple of (ufunc, types), one per row */
static PyObject *hostlib_loop_list(const hostlib_loop_set *s)
{
    PyObject *loops = PyTuple_New(s->nrows);
    for (Py_ssize_t i = 0; loops != NULL && i < s->nrows; i++) {
        PyObject *row = Py_BuildValue("(ss)", s->rows[i].ufunc, s->rows[i].types);
        if (row == NULL) {
            Py_CLEAR(loops);
            break;
        }
        PyTuple_SET_ITEM(loops, i, row);
    }
    return loops;
}

#endif /* HOSTLIB_LOOP_SWAP_H */
