"""The machinery behind :mod:`hostlib.fft`: one 1-D transform along one axis
of an n-dimensional array, handed to ``hostlib.fft._transforms.execute`` as
2-D (batch, length) views wherever the memory layout allows.

Nothing here validates user arguments the way numpy does (that is the
public layer's job, in ``__init__``); these functions take an axis already
normalised, a length already checked, a scale already derived from ``norm``.
"""

from __future__ import annotations

import math
from typing import Any, Iterator

import numpy as np
from numpy.lib.stride_tricks import as_strided

try:  # numpy >= 2.0
    from numpy.lib.array_utils import normalize_axis_index
except ImportError:  # numpy 1.25, 1.26
    from numpy.core.multiarray import normalize_axis_index  # type: ignore[no-redef]

__all__ = ["normalize_axis_index", "C2C", "R2C", "C2R", "FORWARD", "BACKWARD", "transform",
           "served", "primitive", "default_workers", "scale_for"]

# the primitive's constants (hostlib.fft._transforms has the same values)
C2C, R2C, C2R = 0, 1, 2
FORWARD, BACKWARD = -1, 1

_SINGLE = (np.dtype(np.float32), np.dtype(np.complex64))
_DOUBLE = (np.dtype(np.float64), np.dtype(np.complex128))

_execute: Any = None


def primitive() -> Any:
    """``hostlib.fft._transforms.execute``, imported on first use so that
    ``import hostlib.fft`` starts nothing."""
    global _execute
    if _execute is None:
        from . import _transforms

        _execute = _transforms.execute
    return _execute


def default_workers() -> int:
    """Threads a transform may use when its caller did not say: 0, which the
    primitive reads as hostlib's pool budget at that moment
    (``hostlib.set_num_threads``, ``HOSTLIB_NUM_THREADS``, threadpoolctl),
    as for every other hostlib function."""
    return 0


def served(dtype: np.dtype) -> bool:
    """Whether transforms of an array of this dtype run on hostlib: booleans,
    integers, float16/32/64 and complex64/128. Long double, object, string
    and other dtypes are left to numpy."""
    if dtype.kind in "biu":
        return True
    if dtype.kind in "fc":
        return dtype.itemsize <= (8 if dtype.kind == "f" else 16) and dtype.type not in (
            np.longdouble,
            np.clongdouble,
        )
    return False


def precision(dtype: np.dtype) -> int:
    """Bytes per real of the computation for an input (or output) dtype:
    4 for float16, float32 and complex64, 8 for everything else served."""
    if dtype.kind == "f" and dtype.itemsize <= 4 or dtype.kind == "c" and dtype.itemsize == 8:
        return 4
    return 8


def scale_for(norm: str | None, n: int, forward: bool) -> float:
    """The factor every output is multiplied by. ``norm`` must already be
    one of None, "backward", "ortho", "forward"."""
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if (norm == "forward") == forward:
        return 1.0 / n
    return 1.0


def _complex(prec: int) -> np.dtype:
    return _SINGLE[1] if prec == 4 else _DOUBLE[1]


def _real(prec: int) -> np.dtype:
    return _SINGLE[0] if prec == 4 else _DOUBLE[0]


def _acceptable(arr: np.ndarray, dtype: np.dtype) -> bool:
    """Whether the primitive takes ``arr`` as it is: the exact (native)
    dtype, aligned, every stride a multiple of the itemsize."""
    if arr.dtype != dtype or not arr.flags.aligned:
        return False
    size = dtype.itemsize
    return all(s % size == 0 for s in arr.strides)


def _two_d(arr: np.ndarray, size: int, stride: int) -> np.ndarray:
    return as_strided(arr, shape=(size, arr.shape[-1]), strides=(stride, arr.strides[-1]),
                      writeable=arr.flags.writeable)


def batches(x: np.ndarray, y: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of 2-D (batch, length) views covering ``x`` and ``y``, whose
    last axis is the transform axis and whose other axes have equal sizes.

    Leading axes merge into one batch axis where the strides of both arrays
    allow (no copy); when they cannot all merge, the largest merged group is
    the batch axis and the others are looped over. Yields nothing for an
    empty batch. An in-place pair (``x is y``) is yielded as one object
    twice, as the primitive requires.
    """
    same = x is y
    lead = x.shape[:-1]
    if 0 in lead:
        return
    if len(lead) == 1:
        yield x, (x if same else y)
        return
    if not lead:  # one transform: a view with a batch axis of 1 (cheaper than as_strided)
        xv = x[np.newaxis]
        yield xv, (xv if same else y[np.newaxis])
        return
    # merged groups of leading axes, innermost first: [size, x stride, y stride]
    groups: list[list[int]] = []
    for size, xs, ys in zip(reversed(lead), reversed(x.strides[:-1]), reversed(y.strides[:-1])):
        if size == 1:
            continue
        if groups:
            g = groups[-1]
            if xs == g[0] * g[1] and ys == g[0] * g[2]:
                g[0] *= size
                continue
        groups.append([size, xs, ys])
    if not groups:
        groups = [[1, 0, 0]]
    if len(groups) == 1:
        size, xs, ys = groups[0]
        xv = _two_d(x, size, xs)
        yield xv, (xv if same else _two_d(y, size, ys))
        return
    groups.reverse()  # outermost first
    shape = tuple(g[0] for g in groups) + (x.shape[-1],)
    xv = as_strided(x, shape=shape, strides=tuple(g[1] for g in groups) + (x.strides[-1],),
                    writeable=x.flags.writeable)
    yv = xv if same else as_strided(y, shape=shape[:-1] + (y.shape[-1],),
                                    strides=tuple(g[2] for g in groups) + (y.strides[-1],),
                                    writeable=y.flags.writeable)
    big = max(range(len(groups)), key=lambda i: groups[i][0])
    xv = np.moveaxis(xv, big, -2)
    yv = xv if same else np.moveaxis(yv, big, -2)
    for index in np.ndindex(*xv.shape[:-2]):
        xb = xv[index]
        yield xb, (xb if same else yv[index])


def transform(
    kind: int,
    a: np.ndarray,
    n: int,
    axis: int,
    forward: bool,
    scale: float,
    out: np.ndarray | None,
    result_dtype: np.dtype,
    prec: int,
    workers: int,
    conjugate_input: bool = False,
) -> np.ndarray:
    """One 1-D transform of ``a`` along ``axis`` (normalised), of length
    ``n`` (>= 1), cropping or zero-padding the input as numpy does.

    ``kind`` is C2C (complex in and out; a real ``a`` is read as complex),
    R2C (real in, ``n//2+1`` complex out; always the forward sign) or C2R
    (``n//2+1`` complex in, ``n`` reals out; always the backward sign).
    ``prec`` is 4 or 8: the precision of the computation. The result goes
    to ``out`` if given (already checked: shape, dtype castable, writeable;
    its other axes may broadcast ``a``'s), else to a new array of
    ``result_dtype`` laid out like ``a``. Returns the array written.
    ``conjugate_input`` transforms the complex conjugate of ``a``.
    """
    execute = primitive()
    cdt, rdt = _complex(prec), _real(prec)
    in_dt = rdt if kind == R2C else cdt
    out_dt = rdt if kind == C2R else cdt
    n_in = n // 2 + 1 if kind == C2R else n
    n_out = n // 2 + 1 if kind == R2C else n

    # the input, as the primitive reads it: cropped, zero-padded, cast
    have = a.shape[axis]
    fresh = True  # x is an array of our own, sharing no memory with a or out
    if have >= n_in:
        x = a if have == n_in else a[(slice(None),) * axis + (slice(0, n_in),)]
        if conjugate_input:
            x = np.conjugate(x, dtype=in_dt)
        elif not _acceptable(x, in_dt):
            x = x.astype(in_dt)
        else:
            fresh = False
    else:
        shape = a.shape[:axis] + (n_in,) + a.shape[axis + 1:]
        x = np.zeros(shape, dtype=in_dt)
        x[(slice(None),) * axis + (slice(0, have),)] = a
        if conjugate_input:
            np.conjugate(x, out=x)

    # where the result goes
    oshape = a.shape[:axis] + (n_out,) + a.shape[axis + 1:]
    result = np.empty_like(a, shape=oshape, dtype=result_dtype) if out is None else out
    direct = _acceptable(result, out_dt)
    target = result if direct else np.empty_like(result, dtype=out_dt)

    last = axis == a.ndim - 1  # the common case needs no moved views
    xm = x if last else np.moveaxis(x, axis, -1)
    tm = target if last else np.moveaxis(target, axis, -1)
    if xm.shape[:-1] != tm.shape[:-1]:  # out's other axes broadcast a's
        xm = np.broadcast_to(xm, tm.shape[:-1] + xm.shape[-1:])
    # a result of our own shares nothing with the input
    if not fresh and (out is not None or not direct) and np.may_share_memory(xm, tm):
        in_place = (
            kind == C2C
            and xm.shape == tm.shape
            and xm.strides == tm.strides
            and xm.__array_interface__["data"][0] == tm.__array_interface__["data"][0]
            and 0 not in xm.strides
        )
        xm = tm if in_place else xm.copy()

    sign = FORWARD if forward else BACKWARD
    for xb, tb in batches(xm, tm):
        execute(kind, sign, xb, tb, n, scale, workers)
    if not direct:
        np.copyto(result, target, casting="unsafe")  # castability was checked by the caller
    return result
