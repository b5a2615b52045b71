# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, freethreading_compatible=True
"""numpy-facing wrappers of the kernels table: ufuncs and BLAS-like functions.

Written on the same ``hostlib_stubs.pxd`` that downstream code cimports:
``import_hostlib()`` once at import, then every kernel call goes to the
table that is active at that moment (``hostlib.use`` switches it for these
functions as for any downstream module).

Conventions shared by every function here:

* the table takes strides in ELEMENTS and a pointer to logical element 0,
  which is exactly a numpy array's data pointer and ``strides // itemsize``,
  negative and zero strides included, so strided views are passed without
  copying whenever their byte strides are multiples of the itemsize and
  their data is aligned and in native byte order; inputs that are not are
  copied first, outputs that are not are rejected (ValueError);
* inputs compute in float32 when every input is float16 or float32, and in
  float64 when they are float64, integer or bool; other dtypes (complex,
  object, strings, long double, ...) raise TypeError;
* the GIL is released around kernel calls that are long enough for it to
  pay (re-acquiring it costs about as much as a dot of a few hundred
  elements).
"""

cimport numpy as cnp
from cpython.mem cimport PyMem_Malloc
from libc.stdint cimport PTRDIFF_MAX, uintptr_t

cimport hostlib_stubs as hs

import numpy as np

cnp.import_array()
cnp.import_umath()
# Binds this module to hostlib's re-exported table (hostlib/__init__.py sets
# hostlib._C_API before importing us) and checks the ABI.
hs.import_hostlib()

from .._host import spec as _spec

__all__ = list(_spec.functions())

cdef extern from "numpy/arrayobject.h":
    # not declared by numpy's Cython pxd
    object PyArray_Scalar(void *data, cnp.dtype descr, object base)
    enum: NPY_HALF

cdef extern from "composed.h":
    ctypedef void (*hostlib_fn)() noexcept nogil
    const hostlib_fn *HOSTLIB_PUBLIC_SLOTS(const void *header) noexcept nogil

# The signature shapes of the split classes (hostlib.generate.SPLITS) the
# functions below call, per element type. A function finds its entries'
# slots in the spec (_slots) and calls the active table's slot as its
# shape: no entry is named here.
ctypedef void (*axpy_f)(ptrdiff_t, float, const float *, ptrdiff_t, float *, ptrdiff_t) noexcept nogil
ctypedef void (*axpy_d)(ptrdiff_t, double, const double *, ptrdiff_t, double *, ptrdiff_t) noexcept nogil
ctypedef void (*scal_f)(ptrdiff_t, float, float *, ptrdiff_t) noexcept nogil
ctypedef void (*scal_d)(ptrdiff_t, double, double *, ptrdiff_t) noexcept nogil
ctypedef float (*sum_f)(ptrdiff_t, const float *, ptrdiff_t) noexcept nogil
ctypedef double (*sum_d)(ptrdiff_t, const double *, ptrdiff_t) noexcept nogil
ctypedef float (*dot_f)(ptrdiff_t, const float *, ptrdiff_t, const float *, ptrdiff_t) noexcept nogil
ctypedef double (*dot_d)(ptrdiff_t, const double *, ptrdiff_t, const double *, ptrdiff_t) noexcept nogil
ctypedef void (*gemm_f)(int, int, ptrdiff_t, ptrdiff_t, ptrdiff_t, float, const float *, ptrdiff_t,
                        const float *, ptrdiff_t, float, float *, ptrdiff_t) noexcept nogil
ctypedef void (*gemm_d)(int, int, ptrdiff_t, ptrdiff_t, ptrdiff_t, double, const double *, ptrdiff_t,
                        const double *, ptrdiff_t, double, double *, ptrdiff_t) noexcept nogil

# a function's entries: [0] its float32 slot, [1] its float64 slot
ctypedef int Slots[2]


cdef int _slots(str function, Slots out) except -1:
    out[0] = _spec.entry_of(function, "float32").slot
    out[1] = _spec.entry_of(function, "float64").slot
    return 0


cdef Slots _DOT, _AXPY, _SCAL, _ASUM, _NRM2, _SUM, _GEMM
_slots("dot", _DOT)
_slots("axpy", _AXPY)
_slots("scal", _SCAL)
_slots("asum", _ASUM)
_slots("nrm2", _NRM2)
_slots("sum", _SUM)
_slots("gemm", _GEMM)


# slot i of the active table, read once per call
cdef inline hostlib_fn _fn(int slot) noexcept nogil:
    return HOSTLIB_PUBLIC_SLOTS(hs.hostlib_kernels_current())[slot]


cdef extern from "Python.h":
    ctypedef struct PyThreadState
    PyThreadState *PyEval_SaveThread() nogil
    void PyEval_RestoreThread(PyThreadState *) nogil


# Release the GIL around a kernel call only when the call is long enough,
# like numpy's NPY_BEGIN_THREADS_THRESHOLDED: between the two calls there
# must be nothing but C (the kernel call itself).
cdef inline PyThreadState *_release_gil_if(bint long_call) noexcept:
    return PyEval_SaveThread() if long_call else NULL


cdef inline void _restore_gil(PyThreadState *state) noexcept:
    if state != NULL:
        PyEval_RestoreThread(state)


# Level-1 calls on at least this many elements release the GIL. Below it the
# save/restore (~100 ns) would be a large share of the call.
cdef enum:
    NOGIL_MIN = 4096
    # gemm: m*n*k at or above which the GIL is released
    NOGIL_GEMM_MIN = 4096

cdef cnp.dtype _F4 = cnp.PyArray_DescrFromType(cnp.NPY_FLOAT)
cdef cnp.dtype _F8 = cnp.PyArray_DescrFromType(cnp.NPY_DOUBLE)


# ---------------------------------------------------------------------------
# Helpers: checking and converting arrays
# ---------------------------------------------------------------------------

cdef struct Vec:
    char *data
    ptrdiff_t n
    ptrdiff_t inc       # in elements


cdef inline cnp.dtype _dtype_of(int typenum):
    return _F4 if typenum == cnp.NPY_FLOAT else _F8


cdef inline object _scalar(double value, int typenum):
    """A numpy.float32 or numpy.float64 scalar, like numpy's own reductions."""
    cdef float f
    if typenum == cnp.NPY_FLOAT:
        f = <float>value
        return PyArray_Scalar(&f, _F4, None)
    return PyArray_Scalar(&value, _F8, None)


cdef cnp.ndarray _as_1d(object obj, str func, str name):
    cdef cnp.ndarray a
    if isinstance(obj, cnp.ndarray):
        a = <cnp.ndarray>obj
    else:
        a = np.asarray(obj)
    if cnp.PyArray_NDIM(a) != 1:
        raise ValueError(f"{func}: {name} must be 1-D, got an array of shape {(<object>a).shape}")
    _check_span(a, func, name)
    return a


cdef int _check_span(cnp.ndarray a, str func, str name) except -1:
    """ValueError unless the bytes ``a`` spans -- the itemsize plus
    ``(dim - 1) * |stride|`` over its axes -- fit in ``ptrdiff_t``. Only a
    hand-made description (``as_strided``, ``ndarray(strides=...)``) can
    exceed that: no memory can be behind it, and the kernels' index
    arithmetic (``i * inc``) and ``_extent`` would overflow."""
    cdef int i
    cdef ptrdiff_t d, s, span = cnp.PyArray_ITEMSIZE(a)
    for i in range(cnp.PyArray_NDIM(a)):
        if cnp.PyArray_DIMS(a)[i] == 0:
            return 0
    for i in range(cnp.PyArray_NDIM(a)):
        d = cnp.PyArray_DIMS(a)[i]
        s = cnp.PyArray_STRIDES(a)[i]
        if d > 1:
            if s < -<ptrdiff_t>PTRDIFF_MAX or (s if s >= 0 else -s) > (<ptrdiff_t>PTRDIFF_MAX - span) // (d - 1):
                raise ValueError(
                    f"{func}: {name} (shape {(<object>a).shape}, strides {(<object>a).strides}) does not fit "
                    f"in the address space: its elements would span more than {PTRDIFF_MAX} bytes"
                )
            span += (d - 1) * (s if s >= 0 else -s)
    return 0


cdef int _compute_type(cnp.ndarray a, str func, str name) except -1:
    """NPY_FLOAT for float16/float32, NPY_DOUBLE for float64/integer/bool."""
    cdef int t = cnp.PyArray_TYPE(a)
    if t == cnp.NPY_FLOAT or t == NPY_HALF:
        return cnp.NPY_FLOAT
    if t == cnp.NPY_DOUBLE or cnp.PyTypeNum_ISBOOL(t) or cnp.PyTypeNum_ISINTEGER(t):
        return cnp.NPY_DOUBLE
    raise TypeError(
        f"{func}: {name} has dtype {a.dtype}, which is not supported: expected real "
        f"floating-point (float16/32/64), integer or bool data"
    )


cdef inline bint _direct_1d(cnp.ndarray a, int typenum) noexcept:
    """Whether 1-D ``a`` can be handed to a ``typenum`` kernel as it is."""
    if cnp.PyArray_TYPE(a) != typenum or not cnp.PyArray_ISBEHAVED_RO(a):
        return False
    return cnp.PyArray_DIMS(a)[0] <= 1 or cnp.PyArray_STRIDES(a)[0] % cnp.PyArray_ITEMSIZE(a) == 0


cdef inline void _fill(cnp.ndarray a, Vec *v) noexcept:
    v.data = cnp.PyArray_BYTES(a)
    v.n = cnp.PyArray_DIMS(a)[0]
    if v.n > 1:
        v.inc = cnp.PyArray_STRIDES(a)[0] // cnp.PyArray_ITEMSIZE(a)
    else:
        v.inc = 1


cdef cnp.ndarray _vec_in(cnp.ndarray a, int typenum, Vec *v):
    """Describe 1-D input ``a`` as a ``typenum`` vector, copying it first if
    its dtype, byte order, alignment or stride does not allow passing it
    as is. Returns the array ``v`` points into (keep it alive)."""
    if not _direct_1d(a, typenum):
        a = np.array(a, dtype=_dtype_of(typenum))  # a fresh, aligned, contiguous copy
    _fill(a, v)
    return a


cdef cnp.ndarray _inplace_float_array(object obj, str func, str name):
    """An output updated in place: a float32/float64 ndarray in native byte order."""
    if not isinstance(obj, cnp.ndarray):
        raise TypeError(
            f"{func}: {name} is updated in place, so it must be a numpy.ndarray of float32 "
            f"or float64, got {type(obj).__name__}"
        )
    cdef cnp.ndarray a = <cnp.ndarray>obj
    cdef int t = cnp.PyArray_TYPE(a)
    if (t != cnp.NPY_FLOAT and t != cnp.NPY_DOUBLE) or not cnp.PyArray_ISNOTSWAPPED(a):
        raise TypeError(
            f"{func}: {name} has dtype {a.dtype}; it is updated in place, so it must be "
            f"float32 or float64 in native byte order"
        )
    return a


cdef cnp.ndarray _vec_out(object obj, str func, str name, Vec *v):
    """Check a 1-D array that is updated in place."""
    cdef cnp.ndarray a = _inplace_float_array(obj, func, name)
    cdef int t = cnp.PyArray_TYPE(a)
    cdef ptrdiff_t s
    if cnp.PyArray_NDIM(a) != 1:
        raise ValueError(f"{func}: {name} must be 1-D, got an array of shape {(<object>a).shape}")
    _check_span(a, func, name)
    if not cnp.PyArray_ISWRITEABLE(a):
        raise ValueError(f"{func}: {name} is read-only")
    if not cnp.PyArray_ISALIGNED(a):
        raise ValueError(f"{func}: {name} is not aligned for its dtype; it cannot be updated in place")
    if cnp.PyArray_DIMS(a)[0] > 1:
        s = cnp.PyArray_STRIDES(a)[0]
        if s % cnp.PyArray_ITEMSIZE(a) != 0:
            raise ValueError(
                f"{func}: {name} has byte stride {s}, not a multiple of its itemsize "
                f"{cnp.PyArray_ITEMSIZE(a)}; it cannot be updated in place"
            )
        if s == 0:
            raise ValueError(f"{func}: {name} has stride 0 (its elements overlap); it cannot be updated in place")
    _fill(a, v)
    return a


cdef void _extent(cnp.ndarray a, uintptr_t *lo, uintptr_t *hi) noexcept:
    """Byte range [lo, hi) spanned by ``a`` (lo == hi when it is empty)."""
    cdef int i
    cdef ptrdiff_t d, s
    cdef uintptr_t base = <uintptr_t>cnp.PyArray_BYTES(a)
    cdef ptrdiff_t low = 0, high = 0
    for i in range(cnp.PyArray_NDIM(a)):
        d = cnp.PyArray_DIMS(a)[i]
        if d == 0:
            lo[0] = hi[0] = base
            return
        s = cnp.PyArray_STRIDES(a)[i]
        if s < 0:
            low += (d - 1) * s
        else:
            high += (d - 1) * s
    lo[0] = base + low
    hi[0] = base + high + cnp.PyArray_ITEMSIZE(a)


cdef bint _bounds_overlap(cnp.ndarray a, cnp.ndarray b) noexcept:
    cdef uintptr_t alo, ahi, blo, bhi
    _extent(a, &alo, &ahi)
    _extent(b, &blo, &bhi)
    return alo < ahi and blo < bhi and alo < bhi and blo < ahi


cdef double _real(object value, str func, str name) except? -1.0:
    if isinstance(value, (float, int)):  # also numpy.float64 and bool
        return value
    # numpy's other real scalars (float32, the integer types): checked by type,
    # since the complex check below costs ~300 ns, 8% of scal at n = 1e5
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value
    # numpy's complex scalars convert to float with only a warning, dropping
    # the imaginary part: refuse them like Python's complex
    if np.iscomplexobj(value):
        raise TypeError(f"{func}: {name} must be a real number, got {type(value).__name__}")
    try:
        return value
    except TypeError:
        raise TypeError(f"{func}: {name} must be a real number, got {type(value).__name__}") from None


# ---------------------------------------------------------------------------
# ufuncs: one per name the spec maps entries to (exp, log, ..., power, hypot)
# ---------------------------------------------------------------------------

from .ufunc_loops cimport hl_ufunc_loop_at, hl_ufunc_loop_count

# numpy keeps these pointers (not copies) for the life of the ufuncs, which
# is the life of the process: never freed, and the name/doc bytes are kept
# referenced by _ufunc_strings. The loops ignore their data.
_ufunc_strings = []

_UFUNC_DOC = """\
{summary}, element-wise, computed by hostlib's active backend.

A numpy ufunc with loops for {dtypes} (``types`` is
``{types}``): broadcasting, ``out=``, ``where=``, ``dtype=``,
``casting=`` and the ufunc methods behave as for ``numpy.{name}``; integer
and bool inputs are cast by numpy's type resolution (small integers to
float32, others to float64), float16 is computed in float32.

The backend serving the {entries} entries (see ``hostlib.active()``)
computes the values, looked up at each call, so ``hostlib.use`` and
``hostlib.using`` switch it. Special values follow numpy's semantics
{special}; floating-point errors are reported through ``numpy.errstate``
as far as the backend raises the IEEE flags.

Parameters
----------
{params}
out : ndarray, None, or tuple of ndarray and None, optional
    Where to store the result, as for any ufunc.
**kwargs
    The other ufunc keyword arguments (``where``, ``casting``, ``order``,
    ``dtype``, ``subok``).

Returns
-------
y : ndarray or scalar
    {summary} of each element {of_what}; a scalar if {scalars}.

See Also
--------
numpy.{name}
"""


cdef object _make_ufunc(str name, list loops):
    """A ufunc of the given loop indices (ufunc_loops.h), documented from the spec."""
    cdef int nloops = len(loops), j, a
    cdef int nin = hl_ufunc_loop_at(loops[0]).nin
    cdef cnp.PyUFuncGenericFunction *funcs = <cnp.PyUFuncGenericFunction *>PyMem_Malloc(
        nloops * sizeof(cnp.PyUFuncGenericFunction))
    cdef void **data = <void **>PyMem_Malloc(nloops * sizeof(void *))
    cdef char *types = <char *>PyMem_Malloc((nin + 1) * nloops)
    if funcs == NULL or data == NULL or types == NULL:
        raise MemoryError()
    for j in range(nloops):
        if hl_ufunc_loop_at(loops[j]).nin != nin:
            raise TypeError(f"the spec maps entries with different numbers of inputs to the ufunc {name}")
        funcs[j] = hl_ufunc_loop_at(loops[j]).loop
        data[j] = NULL
        for a in range(nin + 1):
            types[(nin + 1) * j + a] = hl_ufunc_loop_at(loops[j]).typenum
    served = _spec.ufunc_loops()[name]
    info = _spec.kernels()[next(iter(served.values()))].ufunc
    chars = [cnp.PyArray_DescrFromType(hl_ufunc_loop_at(i).typenum).char for i in loops]
    cdef bytes bname = name.encode()
    cdef bytes bdoc = _UFUNC_DOC.format(
        name=name, summary=info["summary"], special=info["special"], dtypes=" and ".join(served),
        types=[f"{c * nin}->{c}" for c in chars], entries="/".join(f"``{e}``" for e in served.values()),
        params="x : array_like\n    Input values." if nin == 1 else
        "x1, x2 : array_like\n    Input values, broadcast together as by any ufunc.",
        of_what="of `x`" if nin == 1 else "pair of `x1` and `x2`",
        scalars="`x` is a scalar" if nin == 1 else "both are scalars",
    ).encode()
    _ufunc_strings.append(bname)
    _ufunc_strings.append(bdoc)
    return cnp.PyUFunc_FromFuncAndData(
        funcs, data, types, nloops, nin, 1, cnp.PyUFunc_None, <char *>bname, <char *>bdoc, 0,
    )


def _make_ufuncs():
    """One ufunc per name the spec maps entries to, with those entries' loops."""
    by_name = {}
    for i in range(hl_ufunc_loop_count()):
        by_name.setdefault(hl_ufunc_loop_at(i).ufunc.decode(), []).append(i)
    return {name: _make_ufunc(name, loops) for name, loops in by_name.items()}


UFUNCS = _make_ufuncs()
globals().update(UFUNCS)


# ---------------------------------------------------------------------------
# Level 1
# ---------------------------------------------------------------------------

def dot(x, y):
    """Dot product of two vectors, computed by hostlib's active backend.

    Parameters
    ----------
    x, y : array_like
        1-D arrays of equal length, any strides (negative and non-unit
        strides are used as they are, without copying, when the byte stride
        is a multiple of the itemsize).

    Returns
    -------
    numpy.float32 or numpy.float64
        ``sum(x[i] * y[i])``: a numpy.float32 computed in float32 if both
        inputs are float32 (or float16), else a numpy.float64 computed in
        float64 (integer and bool inputs are converted to float64). 0.0 for
        empty inputs. Summation order differs from numpy's, so results may
        differ from ``numpy.dot`` by rounding.

    Raises
    ------
    ValueError
        If an input is not 1-D, or the lengths differ.
    TypeError
        If an input has an unsupported dtype (complex, object, ...).

    See Also
    --------
    numpy.dot
    """
    cdef cnp.ndarray ax = _as_1d(x, "dot", "x")
    cdef cnp.ndarray ay = _as_1d(y, "dot", "y")
    cdef int t, tx = cnp.PyArray_TYPE(ax), ty = cnp.PyArray_TYPE(ay)
    cdef Vec vx, vy
    cdef double r
    if cnp.PyArray_DIMS(ax)[0] != cnp.PyArray_DIMS(ay)[0]:
        raise ValueError(
            f"dot: x and y must have the same length, got {cnp.PyArray_DIMS(ax)[0]} "
            f"and {cnp.PyArray_DIMS(ay)[0]}"
        )
    if tx == ty and (tx == cnp.NPY_DOUBLE or tx == cnp.NPY_FLOAT):
        t = tx
    else:
        tx = _compute_type(ax, "dot", "x")
        ty = _compute_type(ay, "dot", "y")
        t = cnp.NPY_FLOAT if tx == cnp.NPY_FLOAT and ty == cnp.NPY_FLOAT else cnp.NPY_DOUBLE
    ax = _vec_in(ax, t, &vx)
    ay = _vec_in(ay, t, &vy)
    if vx.n == 0:
        return _scalar(0.0, t)
    cdef PyThreadState *gil
    gil = _release_gil_if(vx.n >= NOGIL_MIN)
    if t == cnp.NPY_FLOAT:
        r = (<dot_f>_fn(_DOT[0]))(vx.n, <const float *>vx.data, vx.inc, <const float *>vy.data, vy.inc)
    else:
        r = (<dot_d>_fn(_DOT[1]))(vx.n, <const double *>vx.data, vx.inc, <const double *>vy.data, vy.inc)
    _restore_gil(gil)
    return _scalar(r, t)


cdef int _reduce_type(cnp.ndarray a, str func) except -1:
    cdef int t = cnp.PyArray_TYPE(a)
    if t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT:
        return t
    return _compute_type(a, func, "x")


cdef object _reduce(object x, str func, const int *slots):
    """asum, nrm2 and sum: one vector in, one scalar out."""
    cdef cnp.ndarray a = _as_1d(x, func, "x")
    cdef int t = _reduce_type(a, func)
    cdef Vec v
    cdef double r
    a = _vec_in(a, t, &v)
    if v.n == 0:
        return _scalar(0.0, t)
    cdef PyThreadState *gil
    gil = _release_gil_if(v.n >= NOGIL_MIN)
    if t == cnp.NPY_FLOAT:
        r = (<sum_f>_fn(slots[0]))(v.n, <const float *>v.data, v.inc)
    else:
        r = (<sum_d>_fn(slots[1]))(v.n, <const double *>v.data, v.inc)
    _restore_gil(gil)
    return _scalar(r, t)


def asum(x):
    """Sum of absolute values, computed by hostlib's active backend.

    Parameters
    ----------
    x : array_like
        1-D array, any strides.

    Returns
    -------
    numpy.float32 or numpy.float64
        ``sum(abs(x[i]))``: numpy.float32 for float32 (and float16) input,
        numpy.float64 for float64, integer and bool input. 0.0 if `x` is
        empty.

    Raises
    ------
    ValueError
        If `x` is not 1-D.
    TypeError
        If `x` has an unsupported dtype (complex, object, ...).

    See Also
    --------
    numpy.sum, numpy.abs
    """
    return _reduce(x, "asum", _ASUM)


def nrm2(x):
    """Euclidean norm, computed by hostlib's active backend.

    No intermediate overflow or underflow: the norm of ``[1e200, 1e200]``
    is ``1.414e200``, not inf.

    Parameters
    ----------
    x : array_like
        1-D array, any strides.

    Returns
    -------
    numpy.float32 or numpy.float64
        ``sqrt(sum(x[i]**2))``: numpy.float32 for float32 (and float16)
        input, numpy.float64 for float64, integer and bool input. inf if any
        element is infinite, else nan if any is nan; 0.0 if `x` is empty.

    Raises
    ------
    ValueError
        If `x` is not 1-D.
    TypeError
        If `x` has an unsupported dtype (complex, object, ...).

    See Also
    --------
    numpy.linalg.norm
    """
    return _reduce(x, "nrm2", _NRM2)


def sum(x):
    """Sum of the elements, computed by hostlib's active backend.

    The backend sums pairwise or more accurately (error bound about
    ``log2(n) * eps * sum(abs(x))`` or better).

    Parameters
    ----------
    x : array_like
        1-D array, any strides.

    Returns
    -------
    numpy.float32 or numpy.float64
        ``sum(x[i])``: numpy.float32 for float32 (and float16) input,
        numpy.float64 for float64, integer and bool input (integers are
        converted to float64 first, so large ones round; unlike
        ``numpy.sum``, which sums integers exactly in integers). 0.0 if `x`
        is empty.

    Raises
    ------
    ValueError
        If `x` is not 1-D.
    TypeError
        If `x` has an unsupported dtype (complex, object, ...).

    See Also
    --------
    numpy.sum
    """
    return _reduce(x, "sum", _SUM)


cdef cnp.ndarray _cast_to(cnp.ndarray a, int typenum, str func, str name, str target):
    """``a`` as ``typenum`` data (same_kind casting, like numpy's ``out=``)."""
    cdef cnp.dtype dt = _dtype_of(typenum)
    if cnp.PyArray_TYPE(a) == typenum:
        return a
    if not np.can_cast(a.dtype, dt, "same_kind"):
        raise TypeError(
            f"{func}: cannot cast {name} from dtype {a.dtype} to {dt} (the dtype of {target}) "
            f"with casting rule 'same_kind'"
        )
    return np.asarray(a, dtype=dt)


def axpy(alpha, x, y):
    """``y += alpha * x``, in place, computed by hostlib's active backend.

    Parameters
    ----------
    alpha : float
        Real scalar, converted to `y`'s dtype.
    x : array_like
        1-D, same length as `y`. Converted to `y`'s dtype if needed, with
        ``'same_kind'`` casting (float64 into float32 is allowed, complex
        into float is not). If `x` shares memory with `y` without being the
        very same view, a copy of `x` is used, so the result is always that
        of ``y += alpha * x.copy()``.
    y : numpy.ndarray
        1-D, float32 or float64 in native byte order, writeable, aligned,
        byte stride a multiple of the itemsize (negative and non-unit
        strides are fine); updated in place.

    Returns
    -------
    numpy.ndarray
        `y` itself.

    Raises
    ------
    TypeError
        If `y` is not a float32/float64 ndarray, if `x` cannot be cast to
        `y`'s dtype, or `alpha` is not a real number.
    ValueError
        If `x` or `y` is not 1-D, the lengths differ, or `y` is read-only
        or cannot be updated in place (misaligned, byte stride not a
        multiple of the itemsize, stride 0).
    """
    cdef Vec vx, vy
    cdef cnp.ndarray ay = _vec_out(y, "axpy", "y", &vy)
    cdef int t = cnp.PyArray_TYPE(ay)
    cdef cnp.ndarray ax = _as_1d(x, "axpy", "x")
    cdef double a = _real(alpha, "axpy", "alpha")
    cdef float af = <float>a
    if cnp.PyArray_DIMS(ax)[0] != vy.n:
        raise ValueError(f"axpy: x and y must have the same length, got {cnp.PyArray_DIMS(ax)[0]} and {vy.n}")
    ax = _cast_to(ax, t, "axpy", "x", "y")
    ax = _vec_in(ax, t, &vx)
    if vy.n == 0:
        return y
    if _bounds_overlap(ax, ay) and not (vx.data == vy.data and vx.inc == vy.inc):
        if np.shares_memory(ax, ay):
            ax = np.array(ax)
            _fill(ax, &vx)
    cdef PyThreadState *gil
    gil = _release_gil_if(vy.n >= NOGIL_MIN)
    if t == cnp.NPY_FLOAT:
        (<axpy_f>_fn(_AXPY[0]))(vy.n, af, <const float *>vx.data, vx.inc, <float *>vy.data, vy.inc)
    else:
        (<axpy_d>_fn(_AXPY[1]))(vy.n, a, <const double *>vx.data, vx.inc, <double *>vy.data, vy.inc)
    _restore_gil(gil)
    return y


def scal(alpha, x):
    """``x *= alpha``, in place, computed by hostlib's active backend.

    Parameters
    ----------
    alpha : float
        Real scalar, converted to `x`'s dtype.
    x : numpy.ndarray
        1-D, float32 or float64 in native byte order, writeable, aligned,
        byte stride a multiple of the itemsize (negative and non-unit
        strides are fine); updated in place.

    Returns
    -------
    numpy.ndarray
        `x` itself.

    Raises
    ------
    TypeError
        If `x` is not a float32/float64 ndarray or `alpha` is not a real
        number.
    ValueError
        If `x` is not 1-D, is read-only or cannot be updated in place
        (misaligned, byte stride not a multiple of the itemsize, stride 0).
    """
    cdef Vec v
    cdef cnp.ndarray ax = _vec_out(x, "scal", "x", &v)
    cdef double a = _real(alpha, "scal", "alpha")
    cdef float af = <float>a
    if v.n == 0:
        return x
    cdef PyThreadState *gil
    gil = _release_gil_if(v.n >= NOGIL_MIN)
    if cnp.PyArray_TYPE(ax) == cnp.NPY_FLOAT:
        (<scal_f>_fn(_SCAL[0]))(v.n, af, <float *>v.data, v.inc)
    else:
        (<scal_d>_fn(_SCAL[1]))(v.n, a, <double *>v.data, v.inc)
    _restore_gil(gil)
    return x


# ---------------------------------------------------------------------------
# gemm
# ---------------------------------------------------------------------------

cdef struct Mat:
    char *data
    ptrdiff_t ld        # elements between rows of the stored row-major matrix
    int trans           # 1: the array is the transpose of the stored matrix


cdef bint _as_rowmajor(cnp.ndarray x, int typenum, Mat *m) noexcept:
    """Describe 2-D ``x`` (no zero dimension) as a stored row-major matrix
    without copying: directly if its inner stride is one element, as the
    transpose of one if its outer stride is. False if neither fits (or the
    dtype, byte order or alignment is wrong): the caller copies."""
    cdef ptrdiff_t r = cnp.PyArray_DIMS(x)[0], s = cnp.PyArray_DIMS(x)[1]
    cdef ptrdiff_t s0 = cnp.PyArray_STRIDES(x)[0], s1 = cnp.PyArray_STRIDES(x)[1]
    cdef ptrdiff_t isz = cnp.PyArray_ITEMSIZE(x)
    if cnp.PyArray_TYPE(x) != typenum or not cnp.PyArray_ISBEHAVED_RO(x):
        return False
    m.data = cnp.PyArray_BYTES(x)
    # Leading dimensions must be >= the row length (and >= 1), as a BLAS
    # behind the table may require: rows that overlap or run backwards
    # (broadcast, negative strides) go through a copy.
    if (s == 1 or s1 == isz) and (r == 1 or (s0 % isz == 0 and s0 // isz >= s)):
        m.trans = 0
        m.ld = s0 // isz if r > 1 else s
        return True
    if (r == 1 or s0 == isz) and (s == 1 or (s1 % isz == 0 and s1 // isz >= r)):
        m.trans = 1
        m.ld = s1 // isz if s > 1 else r
        return True
    return False


cdef cnp.ndarray _as_2d(object obj, str name):
    cdef cnp.ndarray a
    if isinstance(obj, cnp.ndarray):
        a = <cnp.ndarray>obj
    else:
        a = np.asarray(obj)
    if cnp.PyArray_NDIM(a) != 2:
        raise ValueError(f"gemm: {name} must be 2-D, got an array of shape {(<object>a).shape}")
    _check_span(a, "gemm", name)
    return a


cdef cnp.ndarray _mat_in(cnp.ndarray x, int typenum, Mat *m):
    if not _as_rowmajor(x, typenum, m):
        # order 'K' keeps a Fortran-ordered input Fortran-ordered: it is then
        # passed transposed, like the original would have been
        x = np.array(x, dtype=_dtype_of(typenum), order="K")
        if not _as_rowmajor(x, typenum, m):
            x = np.array(x, order="C")
            _as_rowmajor(x, typenum, m)
    return x


cdef int _flag(object value, str name) except -1:
    # a string such as "no" is truthy: only real booleans (and 0/1) are flags
    if isinstance(value, (bool, np.bool_)) or (isinstance(value, int) and value in (0, 1)):
        return 1 if value else 0
    raise TypeError(f"gemm: {name} must be a bool, got {type(value).__name__} {value!r}")


def gemm(a, b, c=None, *, alpha=1.0, beta=0.0, trans_a=False, trans_b=False):
    """General matrix product ``alpha * op(a) @ op(b) + beta * c``,
    computed by hostlib's active backend.

    ``op(a)`` is ``a.T`` if `trans_a` else `a` (likewise for `b`).

    Parameters
    ----------
    a, b : array_like
        2-D; ``op(a)`` is m x k and ``op(b)`` is k x n. Any layout:
        arrays whose inner stride is one element (C order, row slices) are
        passed as they are, arrays whose outer stride is one element
        (Fortran order, transposed views) are passed as their transpose
        with the transpose flag flipped; anything else (non-contiguous in
        both axes, negative strides, other dtypes) is copied first.
    c : numpy.ndarray, optional
        m x n, float32 or float64 in native byte order, writeable, aligned,
        with one axis of unit stride (C or Fortran order, or a slice of such
        an array along the other axis). Updated in place and returned. Its
        dtype is the computation's: `a` and `b` are cast to it with
        ``'same_kind'`` casting. With ``beta == 0`` its old contents are
        not read (nan or inf in it do not propagate).
    alpha, beta : float, optional
        Real scalars. `beta` must be 0 when `c` is not given. As in BLAS,
        ``alpha == 0`` does not read `a` and `b` (nan or inf in them do not
        propagate): the result is ``beta * c`` (zeros when `beta` is 0 too).
    trans_a, trans_b : bool, optional
        Use the transpose of `a` / `b`.

    Returns
    -------
    numpy.ndarray
        `c` if given, else a new C-ordered m x n array: float32 if `a` and
        `b` are both float32 (or float16), float64 otherwise (integer and
        bool inputs are converted to float64). If `c` overlaps `a` or `b`,
        those inputs are copied first.

    Raises
    ------
    ValueError
        If an input is not 2-D, the inner dimensions of ``op(a)`` and
        ``op(b)`` differ, `c` has the wrong shape, is read-only or has no
        unit-stride axis, or `beta` is nonzero without `c`.
    TypeError
        If `c` is not a float32/float64 ndarray, or an input has an
        unsupported dtype or cannot be cast to `c`'s dtype.

    See Also
    --------
    numpy.matmul
    """
    cdef cnp.ndarray A = _as_2d(a, "a")
    cdef cnp.ndarray B = _as_2d(b, "b")
    cdef cnp.ndarray C
    cdef double al = _real(alpha, "gemm", "alpha")
    cdef double be = _real(beta, "gemm", "beta")
    cdef int ta = _flag(trans_a, "trans_a")
    cdef int tb = _flag(trans_b, "trans_b")
    cdef int t, t1, t2
    cdef ptrdiff_t m, n, k, k2, isz
    cdef ptrdiff_t r, s, s0, s1
    cdef Mat ma, mb, mc, mt
    cdef int fa, fb
    cdef bint big

    if c is None:
        if be != 0.0:
            raise ValueError("gemm: beta must be 0 when c is not given (there is no c to scale)")
        t1 = _compute_type(A, "gemm", "a")
        t2 = _compute_type(B, "gemm", "b")
        t = cnp.NPY_FLOAT if t1 == cnp.NPY_FLOAT and t2 == cnp.NPY_FLOAT else cnp.NPY_DOUBLE
    else:
        C = _inplace_float_array(c, "gemm", "c")
        t = cnp.PyArray_TYPE(C)
        if cnp.PyArray_NDIM(C) != 2:
            raise ValueError(f"gemm: c must be 2-D, got an array of shape {(<object>C).shape}")
        _check_span(C, "gemm", "c")
        A = _cast_to(A, t, "gemm", "a", "c")
        B = _cast_to(B, t, "gemm", "b", "c")

    if ta:
        m, k = cnp.PyArray_DIMS(A)[1], cnp.PyArray_DIMS(A)[0]
    else:
        m, k = cnp.PyArray_DIMS(A)[0], cnp.PyArray_DIMS(A)[1]
    if tb:
        k2, n = cnp.PyArray_DIMS(B)[1], cnp.PyArray_DIMS(B)[0]
    else:
        k2, n = cnp.PyArray_DIMS(B)[0], cnp.PyArray_DIMS(B)[1]
    if k != k2:
        raise ValueError(
            f"gemm: shapes {(m, k)} and {(k2, n)} not aligned: {k} (dim 1) != {k2} (dim 0) "
            f"(op(a) and op(b) of a {(<object>A).shape}, b {(<object>B).shape}, trans_a={bool(ta)}, trans_b={bool(tb)})"
        )

    if c is None:
        C = np.empty((m, n), dtype=_dtype_of(t))
    else:
        if (<object>C).shape != (m, n):
            raise ValueError(f"gemm: c has shape {(<object>C).shape}, expected {(m, n)} for op(a) {(m, k)} @ op(b) {(k, n)}")
        if not cnp.PyArray_ISWRITEABLE(C):
            raise ValueError("gemm: c is read-only")
        if not cnp.PyArray_ISALIGNED(C):
            raise ValueError("gemm: c is not aligned for its dtype; it cannot be updated in place")

    if m == 0 or n == 0:
        return C
    if k == 0:
        # op(a) @ op(b) is all zeros; as with beta == 0 elsewhere, c is not
        # read then
        if be == 0.0:
            C[...] = 0
        else:
            C *= be
        return C

    # C's layout: row-major, or (Fortran order) computed as its transpose.
    isz = cnp.PyArray_ITEMSIZE(C)
    r, s = m, n
    s0, s1 = cnp.PyArray_STRIDES(C)[0], cnp.PyArray_STRIDES(C)[1]
    if (s == 1 or s1 == isz) and (r == 1 or (s0 % isz == 0 and s0 // isz >= s)):
        mc.trans = 0
        mc.ld = s0 // isz if r > 1 else s
    elif (r == 1 or s0 == isz) and (s == 1 or (s1 % isz == 0 and s1 // isz >= r)):
        mc.trans = 1
        mc.ld = s1 // isz if s > 1 else r
    else:
        raise ValueError(
            f"gemm: c (strides {(<object>C).strides}) has no axis of unit stride with non-overlapping "
            f"rows or columns; it cannot be updated in place"
        )
    mc.data = cnp.PyArray_BYTES(C)

    if c is not None:
        if _bounds_overlap(C, A):
            A = np.array(A)
        if _bounds_overlap(C, B):
            B = np.array(B)
    A = _mat_in(A, t, &ma)
    B = _mat_in(B, t, &mb)
    fa = ma.trans ^ ta   # flag for the stored A: op(a) = A_stored^fa
    fb = mb.trans ^ tb
    big = m * n * k >= NOGIL_GEMM_MIN

    if mc.trans:
        # C^T (n x m) = alpha * op(b)^T @ op(a)^T + beta * C^T
        fa, fb = 1 - fb, 1 - fa
        mt = ma
        ma = mb
        mb = mt
        m, n = n, m
    fa = hs.HOSTLIB_TRANS if fa else hs.HOSTLIB_NOTRANS
    fb = hs.HOSTLIB_TRANS if fb else hs.HOSTLIB_NOTRANS

    cdef PyThreadState *gil
    gil = _release_gil_if(big)
    if t == cnp.NPY_FLOAT:
        (<gemm_f>_fn(_GEMM[0]))(fa, fb, m, n, k, <float>al, <const float *>ma.data, ma.ld,
                                <const float *>mb.data, mb.ld, <float>be, <float *>mc.data, mc.ld)
    else:
        (<gemm_d>_fn(_GEMM[1]))(fa, fb, m, n, k, al, <const double *>ma.data, ma.ld,
                                <const double *>mb.data, mb.ld, be, <double *>mc.data, mc.ld)
    _restore_gil(gil)
    return C


# Pickled by their public names (hostlib.dot, hostlib.exp, ...): a pickle says
# what a user wrote, and this private module may move. A ufunc without
# __module__ is pickled under whichever loaded module pickle finds holding
# it first, which depended on import order. (numpy releases whose ufuncs take
# no __module__ keep that behaviour.)
for _f in (dot, asum, nrm2, sum, axpy, scal, gemm, *UFUNCS.values()):
    try:
        _f.__module__ = "hostlib"
    except (AttributeError, TypeError):
        pass
del _f
