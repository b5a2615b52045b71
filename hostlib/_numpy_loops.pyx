# cython: language_level=3, boundscheck=False, wraparound=False, freethreading_compatible=True
"""The C half of ``hostlib.patch_numpy()``: numpy's own float32 and float64
inner loops of exp, log, sqrt, sin and cos swapped for hostlib's, and back.

Only numpy's public C-API is used: ``PyUFunc_ReplaceLoopBySignature``
writes a loop, and the documented ``PyUFuncObject`` fields ``ntypes``,
``nargs``, ``types`` and ``functions`` are read to see which loop is in
place. numpy looks a ufunc's legacy loop up in ``functions`` at every call,
so a swap takes effect at the next call; a call already running finishes
with the loop it started with, and both stay valid for the life of the
process (numpy's are static, and this module is never unloaded).

hostlib's loops are those of hostlib's own ufuncs (``_map_loops.pxi``):
they call the active table at each call, so ``hostlib.use()`` switches
what ``np.exp`` runs without swapping anything here.

These functions hold the GIL throughout and never release it; the Python
half (``hostlib._numpy_patch``) serialises them with a lock, for
free-threaded builds.
"""

cimport numpy as cnp

cimport hostlib_stubs as hs

import numpy as np

cnp.import_array()
cnp.import_umath()
hs.import_hostlib()

include "_map_loops.pxi"

#: the ufuncs whose loops can be swapped, in OP_* order (_map_loops.pxi)
UFUNCS = ("exp", "log", "sqrt", "sin", "cos")
#: the loops swapped in each: 'f->f' and 'd->d'
DTYPES = ("float32", "float64")

cdef int _TYPENUM[2]
_TYPENUM[0] = cnp.NPY_FLOAT
_TYPENUM[1] = cnp.NPY_DOUBLE

# The loop found in each slot when this module was imported (numpy's own,
# unless another library had replaced it already), and the loop hostlib's
# replaced the last time it was put in: what uninstall() puts back.
cdef cnp.PyUFuncGenericFunction _found[N_OPS][2]
cdef cnp.PyUFuncGenericFunction _saved[N_OPS][2]


cdef int _key(str ufunc, str dtype, int *op, int *dt) except -1:
    if ufunc not in UFUNCS:
        raise ValueError(f"hostlib cannot serve numpy.{ufunc}; it serves {', '.join(UFUNCS)}")
    if dtype not in DTYPES:
        raise ValueError(f"no {dtype} loop to swap; the loops are {', '.join(DTYPES)}")
    op[0] = UFUNCS.index(ufunc)
    dt[0] = DTYPES.index(dtype)
    return 0


cdef int _slot(cnp.ufunc uf, int dt) except -1:
    """Index in ``uf.functions`` of the loop ``T -> T`` for DTYPES[dt]."""
    cdef int i
    cdef char t = _TYPENUM[dt]
    if uf.nargs != 2:
        raise TypeError(f"numpy.{uf.__name__} is not a unary ufunc")
    for i in range(uf.ntypes):
        if uf.types[2 * i] == t and uf.types[2 * i + 1] == t:
            return i
    raise LookupError(f"numpy.{uf.__name__} has no {DTYPES[dt]} loop")


cdef cnp.PyUFuncGenericFunction _current(int op, int dt) except *:
    cdef cnp.ufunc uf = getattr(np, UFUNCS[op])
    return uf.functions[_slot(uf, dt)]


cdef cnp.PyUFuncGenericFunction _replace(int op, int dt, cnp.PyUFuncGenericFunction new) except *:
    """Put ``new`` in the slot; return the loop it replaced."""
    cdef cnp.ufunc uf = getattr(np, UFUNCS[op])
    cdef int signature[2]
    cdef cnp.PyUFuncGenericFunction old = NULL
    signature[0] = signature[1] = _TYPENUM[dt]
    if cnp.PyUFunc_ReplaceLoopBySignature(uf, new, signature, &old) != 0:
        raise LookupError(f"numpy.{UFUNCS[op]}: no {DTYPES[dt]} loop to replace")
    return old


def owner(str ufunc, str dtype):
    """Whose loop numpy's ``ufunc`` runs for ``dtype`` now: ``'hostlib'``,
    ``'numpy'`` (the loop that was there when hostlib was imported) or
    ``'other'`` (another library replaced it since)."""
    cdef int op, dt
    _key(ufunc, dtype, &op, &dt)
    cdef cnp.PyUFuncGenericFunction cur = _current(op, dt)
    if cur == MAP_LOOPS[op][dt]:
        return "hostlib"
    return "numpy" if cur == _found[op][dt] else "other"


def install(str ufunc, str dtype):
    """Make numpy's ``ufunc`` run hostlib's loop for ``dtype``, keeping the
    loop it replaces. False if hostlib's loop was there already."""
    cdef int op, dt
    _key(ufunc, dtype, &op, &dt)
    if _current(op, dt) == MAP_LOOPS[op][dt]:
        return False
    _saved[op][dt] = _replace(op, dt, MAP_LOOPS[op][dt])
    return True


def uninstall(str ufunc, str dtype):
    """Put back the loop hostlib's replaced. False, changing nothing, if
    hostlib's loop is not the one in place (never installed, or another
    library has replaced it since)."""
    cdef int op, dt
    _key(ufunc, dtype, &op, &dt)
    if _current(op, dt) != MAP_LOOPS[op][dt]:
        return False
    _replace(op, dt, _saved[op][dt])
    return True


cdef int _op, _dt
for _op in range(N_OPS):
    for _dt in range(2):
        _found[_op][_dt] = _current(_op, _dt)
        _saved[_op][_dt] = _found[_op][_dt]
