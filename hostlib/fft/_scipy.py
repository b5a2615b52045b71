"""hostlib.fft as a ``scipy.fft`` backend (``scipy.fft.set_backend(hostlib.fft)``).

scipy calls ``hostlib.fft.__ua_function__(method, args, kwargs)`` with
the ``scipy.fft`` function called and its arguments. The complex and real
DFTs (``fft`` ... ``irfftn``, ``hfft``/``ihfft`` and their 2-D and N-D
forms) run here, with scipy's semantics: its dtype rules (float16 read as
float32), its ``s``/``axes`` rules (unique axes, ``s`` without ``axes``
meaning the last axes), its ``norm`` and ``workers``. ``overwrite_x`` is
accepted and ignored (inputs are never written). ``plan`` other than None
raises ``NotImplementedError``, as scipy's own backend does.

Everything else is declined (``NotImplemented``), so scipy serves it with
its next backend, normally its own: the other functions (dct, dst, fht,
...), inputs that are not numpy arrays or array-likes (CuPy, torch, masked
arrays), long double and object dtypes, and every call whose arguments
scipy would reject, so that the error raised is scipy's own.

scipy is not imported by this module; it is only ever called from scipy.
"""

from __future__ import annotations

import operator
import os
from numbers import Number
from typing import Any, Callable

import numpy as np

from . import _helpers as _h

_PLAN_MESSAGE = "Passing a precomputed plan is not yet supported by scipy.fft functions"
_NORMS = (None, "backward", "ortho", "forward")


class _Decline(Exception):
    """Arguments this backend leaves to scipy's own (which then raises
    scipy's error, or computes what hostlib cannot)."""


def _array(x: Any) -> np.ndarray:
    """``x`` as scipy's pocketfft path reads it, or _Decline."""
    if isinstance(x, np.ma.MaskedArray):
        raise _Decline
    if isinstance(x, np.ndarray):
        x = np.asarray(x)
    elif isinstance(x, (list, tuple, Number, np.generic)):
        x = np.asarray(x)
    else:  # other array libraries: scipy routes them through their own namespace
        raise _Decline
    if x.dtype == np.float16:
        return x.astype(np.float32)
    if not _h.served(x.dtype):
        raise _Decline
    return x


def _workers(workers: Any) -> int:
    """scipy's meaning of ``workers``: None is the default scipy.fft.set_workers
    set (1 unless set), negative values count back from os.cpu_count()."""
    if workers is None:
        import scipy.fft

        return int(scipy.fft.get_workers())
    workers = operator.index(workers)
    if workers < 0:
        cpus = os.cpu_count() or 1
        if workers < -cpus:
            raise _Decline
        workers += 1 + cpus
    if workers == 0:
        raise _Decline
    return workers


def _check(norm: Any, plan: Any) -> None:
    if plan is not None:
        raise NotImplementedError(_PLAN_MESSAGE)
    if not isinstance(norm, (str, type(None))) or norm not in _NORMS:
        raise _Decline


def _ints(value: Any) -> list[int]:
    if isinstance(value, Number):
        value = (value,)
    return [operator.index(v) for v in value]


def _shape_and_axes(x: np.ndarray, s: Any, axes: Any) -> tuple[list[int], list[int]]:
    """scipy's N-D ``s`` and ``axes``: the lengths and the (non-negative,
    unique) axes, or _Decline where scipy raises."""
    if axes is not None:
        axes = [a + x.ndim if a < 0 else a for a in _ints(axes)]
        if any(a < 0 or a >= x.ndim for a in axes) or len(set(axes)) != len(axes):
            raise _Decline
    if s is not None:
        s = _ints(s)
        if axes is None:
            if len(s) > x.ndim:
                raise _Decline
            axes = list(range(x.ndim - len(s), x.ndim))
        elif len(axes) != len(s):
            raise _Decline
        shape = [x.shape[a] if length == -1 else length for length, a in zip(s, axes)]
    elif axes is None:
        shape, axes = list(x.shape), list(range(x.ndim))
    else:
        shape = [x.shape[a] for a in axes]
    if any(length < 1 for length in shape) or not axes:
        raise _Decline
    return shape, axes


def _axis(x: np.ndarray, axis: Any) -> int:
    axis = operator.index(axis)
    if not -x.ndim <= axis < x.ndim:
        raise _Decline
    return axis % x.ndim


def _dtypes(x: np.ndarray, real_out: bool) -> tuple[np.dtype, int]:
    prec = _h.precision(x.dtype)
    if real_out:
        return np.dtype(np.float32 if prec == 4 else np.float64), prec
    return np.dtype(np.complex64 if prec == 4 else np.complex128), prec


def _run_c2c(x: np.ndarray, shape: list[int], axes: list[int], forward: bool, norm: Any,
             workers: int, conjugate_input: bool = False) -> np.ndarray:
    cdt, prec = _dtypes(x, False)
    owned = False
    for i in reversed(range(len(axes))):
        n, axis = shape[i], axes[i]
        out = x if owned and x.shape[axis] == n else None
        x = _h.transform(_h.C2C, x, n, axis, forward, _h.scale_for(norm, n, forward), out, cdt,
                         prec, workers, conjugate_input)
        owned, conjugate_input = True, False
    return x


def _run_r2c(x: np.ndarray, shape: list[int], axes: list[int], norm: Any, workers: int,
             hermitian: bool) -> np.ndarray:
    """rfftn, or for ``hermitian`` ihfftn: the conjugate of rfftn with the
    opposite normalization."""
    cdt, prec = _dtypes(x, False)
    forward = not hermitian  # the direction the norm refers to
    n = shape[-1]
    x = _h.transform(_h.R2C, x, n, axes[-1], True, _h.scale_for(norm, n, forward), None, cdt,
                     prec, workers)
    for i in range(len(axes) - 2, -1, -1):
        n, axis = shape[i], axes[i]
        out = x if x.shape[axis] == n else None
        x = _h.transform(_h.C2C, x, n, axis, True, _h.scale_for(norm, n, forward), out, cdt,
                         prec, workers)
    if hermitian:
        np.conjugate(x, out=x)
    return x


def _run_c2r(x: np.ndarray, shape: list[int], axes: list[int], norm: Any, workers: int,
             hermitian: bool) -> np.ndarray:
    """irfftn, or for ``hermitian`` hfftn: irfftn of the conjugate with the
    opposite normalization."""
    rdt, prec = _dtypes(x, True)
    forward = hermitian
    if len(axes) > 1:
        x = _c2r_complex_steps(x, shape[:-1], axes[:-1], norm, forward, workers, hermitian)
        hermitian = False
    n = shape[-1]
    return _h.transform(_h.C2R, x, n, axes[-1], False, _h.scale_for(norm, n, forward), None, rdt,
                        prec, workers, hermitian)


def _c2r_complex_steps(x: np.ndarray, shape: list[int], axes: list[int], norm: Any, forward: bool,
                       workers: int, conjugate_input: bool) -> np.ndarray:
    """The backward complex transforms before irfftn's (hfftn's) last one,
    scaled as the norm says for the direction ``forward`` names."""
    cdt, prec = _dtypes(x, False)
    owned = False
    for i in reversed(range(len(axes))):
        n, axis = shape[i], axes[i]
        out = x if owned and x.shape[axis] == n else None
        x = _h.transform(_h.C2C, x, n, axis, False, _h.scale_for(norm, n, forward), out, cdt,
                         prec, workers, conjugate_input)
        owned, conjugate_input = True, False
    return x


# ------------------------------------------------ scipy.fft's functions


def _one_d(kind: str) -> Callable[..., Callable[[], Any]]:
    """A preparer for one of scipy's 1-D functions: checks the arguments as
    scipy would (_Decline where scipy raises) and returns the computation."""

    def prepare(x: Any, n: Any = None, axis: Any = -1, norm: Any = None, overwrite_x: Any = False,
                workers: Any = None, *, plan: Any = None) -> Callable[[], Any]:
        _check(norm, plan)
        x = _array(x)
        axis = _axis(x, axis)
        workers = _workers(workers)
        real_in = kind in ("rfft", "ihfft")
        if real_in and x.dtype.kind == "c":
            raise _Decline
        if n is None:
            n = x.shape[axis] if kind in ("fft", "ifft", "rfft", "ihfft") else (x.shape[axis] - 1) * 2
        else:
            n = operator.index(n)
        if n < 1:
            raise _Decline
        shape, axes = [n], [axis]
        if kind in ("fft", "ifft"):
            return lambda: _run_c2c(x, shape, axes, kind == "fft", norm, workers)
        if real_in:
            return lambda: _run_r2c(x, shape, axes, norm, workers, kind == "ihfft")
        return lambda: _run_c2r(x, shape, axes, norm, workers, kind == "hfft")

    return prepare


def _n_d(kind: str, two: bool) -> Callable[..., Callable[[], Any]]:
    """A preparer for one of scipy's 2-D (``two``) or N-D functions."""

    def prepare(x: Any, s: Any = None, axes: Any = (-2, -1) if two else None, norm: Any = None,
                overwrite_x: Any = False, workers: Any = None, *, plan: Any = None) -> Callable[[], Any]:
        _check(norm, plan)
        x = _array(x)
        workers = _workers(workers)
        if kind in ("rfft", "ihfft") and x.dtype.kind == "c":
            raise _Decline
        shape, axes = _shape_and_axes(x, s, axes)
        if kind in ("irfft", "hfft") and s is None:
            shape[-1] = (x.shape[axes[-1]] - 1) * 2
            if shape[-1] < 1:
                raise _Decline
        if kind in ("fft", "ifft"):
            return lambda: _run_c2c(x, shape, axes, kind == "fft", norm, workers)
        if kind in ("rfft", "ihfft"):
            return lambda: _run_r2c(x, shape, axes, norm, workers, kind == "ihfft")
        return lambda: _run_c2r(x, shape, axes, norm, workers, kind == "hfft")

    return prepare


_KINDS = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")
PREPARERS: dict[str, Callable[..., Callable[[], Any]]] = {}
for _kind in _KINDS:
    PREPARERS[_kind] = _one_d(_kind)
    PREPARERS[_kind + "2"] = _n_d(_kind, True)
    PREPARERS[_kind + "n"] = _n_d(_kind, False)
del _kind


def ua_function(method: Any, args: tuple, kwargs: dict) -> Any:
    """``__ua_function__`` of hostlib.fft: the result of ``method(*args,
    **kwargs)``, or ``NotImplemented`` for what scipy should serve."""
    prepare = PREPARERS.get(getattr(method, "__name__", None))
    if prepare is None:
        return NotImplemented
    try:
        compute = prepare(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception:  # _Decline, or arguments scipy will reject in its own words
        return NotImplemented
    return compute()
