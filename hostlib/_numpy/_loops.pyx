# cython: language_level=3, boundscheck=False, wraparound=False, freethreading_compatible=True
"""The C half of ``hostlib.patch_numpy()``: numpy's own inner loops of the
ufuncs the kernels spec maps entries to (``ufunc`` in kernels.toml),
swapped for hostlib's, and back.

Only numpy's public C-API is used: ``PyUFunc_ReplaceLoopBySignature``
writes a loop, and the documented ``PyUFuncObject`` fields ``ntypes``,
``nargs``, ``types`` and ``functions`` are read to see which loop is in
place. numpy looks a ufunc's legacy loop up in ``functions`` at every call,
so a swap takes effect at the next call; a call already running finishes
with the loop it started with, and both stay valid for the life of the
process (numpy's are static, and this module is never unloaded).

hostlib's loops are those of hostlib's own ufuncs (``ufunc_loops.h``):
they call the active table at each call, so ``hostlib.use()`` switches
what ``np.exp`` runs without swapping anything here.

These functions hold the GIL throughout and never release it; the Python
half (``hostlib._numpy.patch``) serialises them with a lock, for
free-threaded builds.
"""

cimport numpy as cnp
from cpython.mem cimport PyMem_Malloc

cimport hostlib_stubs as hs

import numpy as np

cnp.import_array()
cnp.import_umath()
hs.import_hostlib()

from .ufunc_loops cimport hl_ufunc_loop_at, hl_ufunc_loop_count

cdef int _N = hl_ufunc_loop_count()

#: (ufunc name, dtype name) -> index of hostlib's loop, in spec order
_INDEX = {
    (hl_ufunc_loop_at(i).ufunc.decode(), (<object>cnp.PyArray_DescrFromType(hl_ufunc_loop_at(i).typenum)).name): i
    for i in range(_N)
}
#: the ufuncs whose loops can be swapped, in spec order
UFUNCS = tuple(dict.fromkeys(u for u, _ in _INDEX))
#: the loops of each that can be swapped
DTYPES = {u: tuple(dt for v, dt in _INDEX if v == u) for u in UFUNCS}

# The loop found in each place when this module was imported (numpy's own,
# unless another library had replaced it already), and the loop hostlib's
# replaced the last time it was put in: what uninstall() puts back. Never
# freed: numpy may be running them.
cdef cnp.PyUFuncGenericFunction *_found = <cnp.PyUFuncGenericFunction *>PyMem_Malloc(
    max(_N, 1) * sizeof(cnp.PyUFuncGenericFunction))
cdef cnp.PyUFuncGenericFunction *_saved = <cnp.PyUFuncGenericFunction *>PyMem_Malloc(
    max(_N, 1) * sizeof(cnp.PyUFuncGenericFunction))
if _found == NULL or _saved == NULL:
    raise MemoryError()


cdef int _key(str ufunc, str dtype) except -1:
    i = _INDEX.get((ufunc, dtype))
    if i is None:
        if ufunc not in UFUNCS:
            raise ValueError(f"hostlib cannot serve numpy.{ufunc}; it serves {', '.join(UFUNCS)}")
        raise ValueError(f"no {dtype} loop of numpy.{ufunc} to swap; the loops are {', '.join(DTYPES[ufunc])}")
    return i


cdef int _slot(cnp.ufunc uf, int i) except -1:
    """Index in ``uf.functions`` of the loop ``T -> T`` (``T, T -> T``) of
    loop i's type."""
    cdef int k, a
    cdef char t = hl_ufunc_loop_at(i).typenum
    cdef int nargs = hl_ufunc_loop_at(i).nin + 1
    if uf.nargs != nargs:
        raise TypeError(f"numpy.{uf.__name__} takes {uf.nargs - 1} input(s), not {nargs - 1}")
    for k in range(uf.ntypes):
        for a in range(nargs):
            if uf.types[nargs * k + a] != t:
                break
        else:
            return k
    raise LookupError(f"numpy.{uf.__name__} has no {chr(t)} loop")


cdef cnp.ufunc _ufunc(int i):
    return getattr(np, hl_ufunc_loop_at(i).ufunc.decode())


cdef cnp.PyUFuncGenericFunction _current(int i) except *:
    cdef cnp.ufunc uf = _ufunc(i)
    return uf.functions[_slot(uf, i)]


cdef cnp.PyUFuncGenericFunction _replace(int i, cnp.PyUFuncGenericFunction new) except *:
    """Put ``new`` in the place of loop i; return the loop it replaced."""
    cdef cnp.ufunc uf = _ufunc(i)
    cdef int signature[3]
    cdef cnp.PyUFuncGenericFunction old = NULL
    signature[0] = signature[1] = signature[2] = hl_ufunc_loop_at(i).typenum
    if cnp.PyUFunc_ReplaceLoopBySignature(uf, new, signature, &old) != 0:
        raise LookupError(f"numpy.{uf.__name__}: no {chr(signature[0])} loop to replace")
    return old


def owner(str ufunc, str dtype):
    """Whose loop numpy's ``ufunc`` runs for ``dtype`` now: ``'hostlib'``,
    ``'numpy'`` (the loop that was there when hostlib was imported) or
    ``'other'`` (another library replaced it since)."""
    cdef int i = _key(ufunc, dtype)
    cdef cnp.PyUFuncGenericFunction cur = _current(i)
    if cur == hl_ufunc_loop_at(i).loop:
        return "hostlib"
    return "numpy" if cur == _found[i] else "other"


def install(str ufunc, str dtype):
    """Make numpy's ``ufunc`` run hostlib's loop for ``dtype``, keeping the
    loop it replaces. False if hostlib's loop was there already."""
    cdef int i = _key(ufunc, dtype)
    if _current(i) == hl_ufunc_loop_at(i).loop:
        return False
    _saved[i] = _replace(i, hl_ufunc_loop_at(i).loop)
    return True


def uninstall(str ufunc, str dtype):
    """Put back the loop hostlib's replaced. False, changing nothing, if
    hostlib's loop is not the one in place (never installed, or another
    library has replaced it since)."""
    cdef int i = _key(ufunc, dtype)
    if _current(i) != hl_ufunc_loop_at(i).loop:
        return False
    _replace(i, _saved[i])
    return True


cdef int _i
for _i in range(_N):
    _found[_i] = _current(_i)
    _saved[_i] = _found[_i]
