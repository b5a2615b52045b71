"""Discrete Fourier transforms on hostlib's kernels: ``numpy.fft``'s API,
and a backend for ``scipy.fft``.

The functions here take the arguments of their ``numpy.fft`` namesakes
(numpy 2.x: ``n``/``s``, ``axis``/``axes``, ``norm``, ``out``) and return
the same shapes and dtypes, so ``import hostlib.fft as fft`` can replace
``import numpy.fft as fft``::

    >>> import numpy as np
    >>> import hostlib.fft
    >>> x = np.random.rand(1000)
    >>> X = hostlib.fft.rfft(x)                  # as numpy.fft.rfft(x)
    >>> import scipy.fft
    >>> with scipy.fft.set_backend(hostlib.fft):
    ...     Y = scipy.fft.fft2(x.reshape(20, 50), workers=2)

What computes
-------------
Every transform is a sequence of 1-D transforms (multi-dimensional ones
one axis after the other, as numpy does), each run by the backend that
serves hostlib's ``fft`` interface: query it with
``hostlib.active(interface="fft")`` and choose with
``hostlib.use("avx2", interface="fft")`` or
``with hostlib.using("portable", interface="fft"): ...``. The input is
handed over as strided views where its layout allows (transposed,
reversed or sliced arrays are not copied), and the result is written into
``out`` directly where its dtype and layout allow.

Threads: the ``numpy.fft``-style functions use up to
``hostlib.get_num_threads()`` threads of hostlib's pool (set it with
``hostlib.set_num_threads`` or threadpoolctl); through ``scipy.fft`` the
``workers`` argument decides, with scipy's meaning (``None``: the value of
``scipy.fft.set_workers``, else 1; negative values count back from
``os.cpu_count()``).

Dtypes
------
As numpy 2.x: float32 and complex64 are transformed in single precision
and give complex64 (float32 for ``irfft``/``hfft``); float16 is
transformed in single precision too (the real-output transforms return
float16, as numpy's do); booleans, integers, float64 and complex128 in
double precision. Through ``scipy.fft``, scipy's rules apply instead
(float16 is read as float32 and real outputs are float32).

Left to numpy
-------------
hostlib's transforms are single and double precision only. Arrays of
long double or complex long double, and an ``out`` of those dtypes, are
passed to ``numpy.fft`` itself, which computes in long double; arrays of
other dtypes (object, strings, ...) are passed to it as well, so they
raise exactly what numpy raises. Through ``scipy.fft``, such calls (and
any call with arguments scipy would reject, or that are not numpy arrays)
are declined, and scipy's own backend serves them.

Differences from numpy
----------------------
Values agree with numpy's within rounding (relative to the norm of the
result: about 1e-15 log n in double precision, 1e-6 in single), not bit
for bit. numpy's ``ifft2``, ``irfft2`` and ``hfft`` accept ``out`` but do
not use it (numpy 2.0-2.4); here they write into it, like every other
function. ``numpy.fft``'s ``__array_function__`` dispatch is not
provided: array-likes are converted with ``numpy.asarray``.

``fftfreq``, ``rfftfreq``, ``fftshift`` and ``ifftshift`` are numpy's own.
"""

from __future__ import annotations

import functools
import operator
import warnings
from typing import Any, Sequence

import numpy as np
from numpy.fft import fftfreq, fftshift, ifftshift, rfftfreq

from . import _helpers as _h

__all__ = [
    "fft", "ifft", "rfft", "irfft", "hfft", "ihfft",
    "fft2", "ifft2", "rfft2", "irfft2",
    "fftn", "ifftn", "rfftn", "irfftn",
    "fftfreq", "rfftfreq", "fftshift", "ifftshift",
    "plan_cache_info", "set_plan_cache_size",
]


def plan_cache_info() -> dict[str, Any]:
    """The plans hostlib.fft keeps: ``size`` (plans held), ``capacity``,
    ``bytes`` (their memory), ``hits``, ``misses``, and ``plans``: per plan
    its ``backend``, ``kind`` (c2c, r2c, c2r), ``n``, ``dtype``, ``sign``,
    ``bytes`` and ``algorithm`` (e.g. ``"radix 8x5x5x5"``).

    Plans are made by the backend serving the interface's planner at the
    time (``hostlib.active(interface="fft")``) and reused while it serves;
    after a switch, new plans are made by the new backend."""
    from .. import _registry
    from . import _transforms

    info = _transforms.cache_info()
    host = _registry().host("fft")
    for p in info["plans"]:
        p["backend"] = host.provider_of_address(p.pop("planner")) or "?"
    return info


def set_plan_cache_size(n: int) -> None:
    """Keep at most ``n`` plans (default 32; 0 keeps none): the least
    recently used leave first. A plan in use by a running transform is
    freed when that transform ends."""
    from . import _transforms

    _transforms.set_cache_capacity(operator.index(n))

#: the domain scipy.fft's backends share (``scipy.fft.set_backend(hostlib.fft)``)
__ua_domain__ = "numpy.scipy.fft"


def __ua_function__(method: Any, args: tuple, kwargs: dict) -> Any:
    """scipy.fft's backend protocol: compute ``method(*args, **kwargs)`` or
    return ``NotImplemented`` to leave the call to the next backend."""
    from . import _scipy

    return _scipy.ua_function(method, args, kwargs)


_NORMS = (None, "backward", "ortho", "forward")
_SWAP = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}
_EXACT_OUT = (np.dtype(np.float64), np.dtype(np.complex128))


def _swap_direction(norm: Any) -> str:
    """The norm of the opposite transform (hfft and ihfft run irfft and
    rfft with it), with numpy's error for a bad value."""
    try:
        return _SWAP[norm]
    except KeyError:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", '
                         '"ortho" or "forward".') from None


def _check_norm(norm: Any, forward: bool) -> None:
    if not forward:
        norm = _swap_direction(norm)
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward",'
                         '"ortho" or "forward".')


def _numpy_serves(a: np.ndarray, out: Any) -> bool:
    """Whether the call goes to numpy.fft: dtypes hostlib does not compute
    (long double, object, strings, ...), or an ``out`` of long double."""
    if not _h.served(a.dtype):
        return True
    if isinstance(out, np.ndarray) and out.dtype.kind in "fc":
        return not _h.served(out.dtype)
    return False


def _numpy(name: str, a: np.ndarray, *args: Any, out: Any) -> Any:
    func = getattr(np.fft, name)
    return func(a, *args) if out is None else func(a, *args, out=out)


@functools.lru_cache(maxsize=None)
def _castable(computed: np.dtype, to: np.dtype) -> bool:
    """Whether numpy's loop could write its result into an ``out`` of dtype
    ``to`` (casting "same_kind"); cached: a handful of pairs ever occur."""
    return bool(np.can_cast(computed, to, casting="same_kind"))


# numpy's names for the ufuncs behind each kind, for its casting error
_UFUNC_NAMES = {(_h.C2C, True): "fft", (_h.C2C, False): "ifft", (_h.C2R, False): "irfft"}


def _one(
    kind: int,
    a: np.ndarray,
    n: Any,
    axis: Any,
    forward: bool,
    norm: Any,
    out: Any,
    workers: int | None,
    conjugate_input: bool = False,
) -> np.ndarray:
    """A 1-D transform with numpy's checks, in numpy's order."""
    if n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    _check_norm(norm, forward)
    if isinstance(n, (bool, np.bool_)):
        raise TypeError("an integer is required")
    n = operator.index(n)
    axis = _h.normalize_axis_index(axis, a.ndim)
    n_out = n // 2 + 1 if kind == _h.R2C else n

    prec = _h.precision(a.dtype)
    if kind == _h.C2R:
        result_dtype = np.dtype(np.float16 if a.dtype == np.float16 else np.float32 if prec == 4 else np.float64)
    else:
        result_dtype = np.dtype(np.complex64 if prec == 4 else np.complex128)
    if out is not None:
        shape = getattr(out, "shape", None)
        if shape is not None and (len(shape) != a.ndim or shape[axis] != n_out):
            raise ValueError("output array has wrong shape.")
        if not isinstance(out, np.ndarray):
            raise TypeError("return arrays must be of ArrayType")
        if out.dtype in _EXACT_OUT:
            prec = 8  # numpy picks its double loop for a double output
        computed = np.dtype((np.float32 if prec == 4 else np.float64) if kind == _h.C2R
                            else (np.complex64 if prec == 4 else np.complex128))
        if not _castable(computed, out.dtype):
            name = _UFUNC_NAMES.get((kind, forward)) or ("rfft_n_even" if n % 2 == 0 else "rfft_n_odd")
            raise TypeError(f"Cannot cast ufunc '{name}' output from {computed!r} to "
                            f"{out.dtype!r} with casting rule 'same_kind'")
        if not out.flags.writeable:
            raise ValueError("output array is read-only")
        lead_a = a.shape[:axis] + a.shape[axis + 1:]
        lead_out = shape[:axis] + shape[axis + 1:]
        fits = lead_a == lead_out  # the common case, without broadcasting's cost
        if not fits:
            try:
                fits = np.broadcast_shapes(lead_a, lead_out) == lead_out
            except ValueError:
                fits = False
        if not fits:
            raise ValueError(f"non-broadcastable output operand with shape {shape} doesn't match "
                             f"the broadcast shape of the input {a.shape} along the other axes")
    scale = _h.scale_for(norm, n, forward)
    if workers is None:
        workers = _h.default_workers()
    return _h.transform(kind, a, n, axis, forward, scale, out, result_dtype, prec, workers,
                        conjugate_input)


# ---------------------------------------------------------------- 1-D

# kind -> {the input dtype it computes in: the result's dtype}, for the
# common call (_common); from the helpers' (real, complex) pair per precision
_PAIRS = (_h._SINGLE, _h._DOUBLE)
_COMMON = {
    _h.C2C: {c: c for _, c in _PAIRS},
    _h.R2C: {r: c for r, c in _PAIRS},
    _h.C2R: {c: r for r, c in _PAIRS},
}


def _common(kind: int, a: np.ndarray, n: Any, axis: Any, norm: Any, out: Any, workers: Any,
            forward: bool) -> np.ndarray | None:
    """The call most code makes, straight to the primitive: a C-contiguous
    array already of the computed dtype, the last axis at its own length,
    no norm, out or workers. None where any of that does not hold: the
    general path (_one) then checks and converts. A short transform costs
    about its call here, so the checks it can skip matter (n = 64: 4.2 us
    through _one, numpy.fft 3.5)."""
    if out is not None or norm is not None or workers is not None or n is not None:
        return None
    result_dtype = _COMMON[kind].get(a.dtype)
    if result_dtype is None or not (type(axis) is int and axis == -1) or a.ndim == 0:
        return None
    flags = a.flags
    if not (flags.c_contiguous and flags.aligned):
        return None
    m = a.shape[-1]
    n = (m - 1) * 2 if kind == _h.C2R else m
    if n < 1:
        return None  # the general path raises numpy's error
    n_out = n // 2 + 1 if kind == _h.R2C else n
    result = np.empty(a.shape[:-1] + (n_out,), result_dtype)
    sign = _h.FORWARD if forward else _h.BACKWARD
    _h.primitive()(kind, sign, a.reshape(-1, m), result.reshape(-1, n_out), n, _h.scale_for(None, n, forward), 0)
    return result


def _fft(a: Any, n: Any, axis: Any, norm: Any, out: Any, workers: int | None, forward: bool) -> Any:
    a = np.asarray(a)
    result = _common(_h.C2C, a, n, axis, norm, out, workers, forward)
    if result is not None:
        return result
    if _numpy_serves(a, out):
        return _numpy("fft" if forward else "ifft", a, n, axis, norm, out=out)
    if n is None:
        n = a.shape[axis]
    return _one(_h.C2C, a, n, axis, forward, norm, out, workers)


def _rfft(a: Any, n: Any, axis: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    result = _common(_h.R2C, a, n, axis, norm, out, workers, True)
    if result is not None:
        return result
    if _numpy_serves(a, out) or a.dtype.kind == "c":  # numpy raises for complex input
        return _numpy("rfft", a, n, axis, norm, out=out)
    if n is None:
        n = a.shape[axis]
    return _one(_h.R2C, a, n, axis, True, norm, out, workers)


def _irfft(a: Any, n: Any, axis: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    result = _common(_h.C2R, a, n, axis, norm, out, workers, False)
    if result is not None:
        return result
    if _numpy_serves(a, out):
        return _numpy("irfft", a, n, axis, norm, out=out)
    if n is None:
        n = (a.shape[axis] - 1) * 2
    return _one(_h.C2R, a, n, axis, False, norm, out, workers)


def _hfft(a: Any, n: Any, axis: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    if _numpy_serves(a, out):
        return _numpy("hfft", a, n, axis, norm, out=out)
    if n is None:
        n = (a.shape[axis] - 1) * 2
    norm = _swap_direction(norm)
    return _one(_h.C2R, a, n, axis, False, norm, out, workers, conjugate_input=True)


def _ihfft(a: Any, n: Any, axis: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    if _numpy_serves(a, out) or a.dtype.kind == "c":
        return _numpy("ihfft", a, n, axis, norm, out=out)
    if n is None:
        n = a.shape[axis]
    norm = _swap_direction(norm)
    result = _one(_h.R2C, a, n, axis, True, norm, out, workers)
    return np.conjugate(result, out=result)


def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
        out: np.ndarray | None = None) -> np.ndarray:
    """Compute the one-dimensional discrete Fourier Transform.

    ``out[k] = sum_j a[j] exp(-2 pi i j k / n)``, scaled as ``norm`` says.

    Parameters
    ----------
    a : array_like
        Input array, can be complex.
    n : int, optional
        Length of the transformed axis of the output. If `n` is smaller than
        the length of the input, the input is cropped; if larger, it is
        padded with zeros. Default: the length of the input along `axis`.
    axis : int, optional
        Axis over which to compute the FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode: "backward" (default, also None) leaves the
        forward transform unscaled, "ortho" scales it by ``1/sqrt(n)``,
        "forward" by ``1/n``.
    out : complex ndarray, optional
        If provided, the result is placed in this array. Its shape must be
        that of the result (its other axes may broadcast the input's).

    Returns
    -------
    out : complex ndarray
        The transformed input, complex64 for float16/float32/complex64
        input, complex128 otherwise.

    Raises
    ------
    IndexError
        If `axis` is not a valid axis of `a` (and `n` is None).
    numpy.exceptions.AxisError
        If `axis` is not a valid axis of `a` (and `n` is given).
    ValueError
        If `n` < 1, `norm` is not one of the modes, or `out` has the wrong
        shape or is read-only.
    TypeError
        If `out` is not an ndarray or cannot hold a complex result.

    See Also
    --------
    numpy.fft.fft : the reference behaviour.
    ifft, rfft, fftn
    """
    return _fft(a, n, axis, norm, out, None, True)


def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: np.ndarray | None = None) -> np.ndarray:
    """Compute the one-dimensional inverse discrete Fourier Transform.

    ``out[j] = sum_k a[k] exp(2 pi i j k / n)``, divided by ``n`` with the
    default ``norm``, so that ``ifft(fft(a)) == a`` within rounding.

    Parameters
    ----------
    a : array_like
        Input array, can be complex.
    n : int, optional
        Length of the transformed axis of the output; the input is cropped
        or zero-padded to it. Default: the length of the input along `axis`.
    axis : int, optional
        Axis over which to compute the inverse FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode: "backward" (default, also None) scales by
        ``1/n``, "ortho" by ``1/sqrt(n)``, "forward" not at all.
    out : complex ndarray, optional
        If provided, the result is placed in this array.

    Returns
    -------
    out : complex ndarray
        The transformed input (complex64 or complex128, as for `fft`).

    Raises
    ------
    IndexError, numpy.exceptions.AxisError, ValueError, TypeError
        As for `fft`.

    See Also
    --------
    numpy.fft.ifft, fft
    """
    return _fft(a, n, axis, norm, out, None, False)


def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: np.ndarray | None = None) -> np.ndarray:
    """Compute the one-dimensional discrete Fourier Transform of real input.

    Only the ``n//2 + 1`` non-negative frequency terms are returned (the
    others are their complex conjugates).

    Parameters
    ----------
    a : array_like
        Input array, real (complex input raises ``TypeError``, as numpy's).
    n : int, optional
        Number of points along the transformed axis of the input to use;
        the input is cropped or zero-padded to it. Default: the input's
        length along `axis`.
    axis : int, optional
        Axis over which to compute the FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode (see `fft`).
    out : complex ndarray, optional
        If provided, the result is placed in this array; its length along
        `axis` must be ``n//2 + 1``.

    Returns
    -------
    out : complex ndarray
        The transformed input, of length ``n//2 + 1`` along `axis`.

    Raises
    ------
    IndexError, numpy.exceptions.AxisError, ValueError, TypeError
        As for `fft`.

    See Also
    --------
    numpy.fft.rfft, irfft, fft
    """
    return _rfft(a, n, axis, norm, out, None)


def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: np.ndarray | None = None) -> np.ndarray:
    """Compute the inverse of `rfft`.

    The input is the non-negative frequency half of a Hermitian spectrum;
    the imaginary parts of its zero-frequency term and, for even `n`, of
    its Nyquist term are ignored.

    Parameters
    ----------
    a : array_like
        The input array (real input is read as complex).
    n : int, optional
        Length of the transformed axis of the output. ``n//2 + 1`` input
        points are used, cropped or zero-padded. Default:
        ``2*(m - 1)`` for an input of length ``m`` along `axis`.
    axis : int, optional
        Axis over which to compute the inverse FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode (see `ifft`).
    out : ndarray, optional
        If provided, the result is placed in this array.

    Returns
    -------
    out : ndarray
        The real result, of length `n` along `axis`: float32 for
        float32/complex64 input, float16 for float16 input, else float64.

    Raises
    ------
    IndexError, numpy.exceptions.AxisError, ValueError, TypeError
        As for `fft`.

    See Also
    --------
    numpy.fft.irfft, rfft
    """
    return _irfft(a, n, axis, norm, out, None)


def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
         out: np.ndarray | None = None) -> np.ndarray:
    """Compute the FFT of a signal that has Hermitian symmetry, i.e. a real
    spectrum.

    ``hfft(a, n)`` is ``irfft(conj(a), n)`` with the opposite normalization.

    Parameters
    ----------
    a : array_like
        The input array: the first half of a Hermitian-symmetric signal.
    n : int, optional
        Length of the transformed axis of the output; ``n//2 + 1`` input
        points are used. Default: ``2*(m - 1)`` for an input of length `m`.
    axis : int, optional
        Axis over which to compute the FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode (see `fft`).
    out : ndarray, optional
        If provided, the result is placed in this array (numpy 2.0-2.4
        ignore it here; this function uses it).

    Returns
    -------
    out : ndarray
        The real result, of length `n` along `axis`.

    Raises
    ------
    IndexError, numpy.exceptions.AxisError, ValueError, TypeError
        As for `fft`.

    See Also
    --------
    numpy.fft.hfft, ihfft, irfft
    """
    return _hfft(a, n, axis, norm, out, None)


def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None,
          out: np.ndarray | None = None) -> np.ndarray:
    """Compute the inverse FFT of a signal that has Hermitian symmetry.

    ``ihfft(a, n)`` is ``conj(rfft(a, n))`` with the opposite normalization.

    Parameters
    ----------
    a : array_like
        Real input array.
    n : int, optional
        Length of the inverse FFT: the number of input points used along
        `axis`. Default: the input's length along `axis`.
    axis : int, optional
        Axis over which to compute the inverse FFT. Default: the last axis.
    norm : {"backward", "ortho", "forward"}, optional
        Normalization mode (see `ifft`).
    out : complex ndarray, optional
        If provided, the result is placed in this array.

    Returns
    -------
    out : complex ndarray
        The result, of length ``n//2 + 1`` along `axis`.

    Raises
    ------
    IndexError, numpy.exceptions.AxisError, ValueError, TypeError
        As for `fft`.

    See Also
    --------
    numpy.fft.ihfft, hfft, rfft
    """
    return _ihfft(a, n, axis, norm, out, None)


# ---------------------------------------------------------------- N-D


def _cook_nd(a: np.ndarray, s: Any, axes: Any, invreal: bool = False) -> tuple[list, list]:
    """The lengths and axes of an N-D transform, with numpy's defaults,
    deprecation warnings and errors."""
    shapeless = s is None
    if shapeless:
        s = list(a.shape) if axes is None else np.take(a.shape, axes)
    s = list(s)
    if axes is None:
        if not shapeless:
            warnings.warn(
                "`axes` should not be `None` if `s` is not `None` (Deprecated in NumPy 2.0). "
                "In a future version of NumPy, this will raise an error and `s[i]` will "
                "correspond to the size along the transformed axis specified by `axes[i]`. "
                "To retain current behaviour, pass a sequence [0, ..., k-1] to `axes` for "
                "an array of dimension k.", DeprecationWarning, stacklevel=4)
        axes = list(range(-len(s), 0))
    if len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    if invreal and shapeless:
        s[-1] = (a.shape[axes[-1]] - 1) * 2
    if None in s:
        warnings.warn(
            "Passing an array containing `None` values to `s` is deprecated in NumPy 2.0 "
            "and will raise an error in a future version of NumPy. To use the default "
            "behaviour of the corresponding 1-D transform, pass the value matching the "
            "default for its `n` parameter. To use the default behaviour for every axis, "
            "the `s` argument can be omitted.", DeprecationWarning, stacklevel=4)
    s = [a.shape[ax] if length == -1 else length for length, ax in zip(s, axes)]
    return s, list(axes)


def _reusable(a: np.ndarray, out: Any, owned: bool, n: Any, axis: Any) -> Any:
    """The ``out`` for the next step of an N-D transform: the caller's, or
    the previous step's own result when the step keeps its shape (then it
    runs in place and allocates nothing)."""
    if out is not None or not owned:
        return out
    try:
        same = n is not None and a.shape[axis] == n
    except (IndexError, TypeError):
        return None
    return a if same else None


def _fftn(a: Any, s: Any, axes: Any, norm: Any, out: Any, workers: int | None, forward: bool) -> Any:
    a = np.asarray(a)
    if _numpy_serves(a, out):
        return _numpy("fftn" if forward else "ifftn", a, s, axes, norm, out=out)
    s, axes = _cook_nd(a, s, axes)
    owned = False
    for ii in reversed(range(len(axes))):
        step_out = _reusable(a, out, owned, s[ii], axes[ii])
        a = _fft(a, s[ii], axes[ii], norm, step_out, workers, forward)
        owned = out is None
    return a


def _rfftn(a: Any, s: Any, axes: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    if _numpy_serves(a, out) or a.dtype.kind == "c":
        return _numpy("rfftn", a, s, axes, norm, out=out)
    s, axes = _cook_nd(a, s, axes)
    a = _rfft(a, s[-1], axes[-1], norm, out, workers)
    for ii in range(len(axes) - 2, -1, -1):
        step_out = _reusable(a, out, True, s[ii], axes[ii])
        a = _fft(a, s[ii], axes[ii], norm, step_out, workers, True)
    return a


def _irfftn(a: Any, s: Any, axes: Any, norm: Any, out: Any, workers: int | None) -> Any:
    a = np.asarray(a)
    if _numpy_serves(a, out):
        return _numpy("irfftn", a, s, axes, norm, out=out)
    s, axes = _cook_nd(a, s, axes, invreal=True)
    owned = False
    for ii in range(len(axes) - 1):
        step_out = _reusable(a, None, owned, s[ii], axes[ii])
        a = _fft(a, s[ii], axes[ii], norm, step_out, workers, False)
        owned = True
    return _irfft(a, s[-1], axes[-1], norm, out, workers)


_ND_PARAMETERS = """
    Parameters
    ----------
    a : array_like
        Input array{what}.
    s : sequence of ints, optional
        Shape (length of each transformed axis) of the {shape_of}: the
        input is cropped or zero-padded to it along each axis; -1 means the
        input's length. Deprecated by numpy 2.0 without `axes`, as there.{s_default}
    axes : sequence of ints, optional
        Axes over which to compute the transform, applied one after the
        other (the last first); repeated axes are transformed repeatedly.
        Default: {axes_default}.
    norm : {{"backward", "ortho", "forward"}}, optional
        Normalization mode (see `{one}`).
    out : ndarray, optional
        If provided, the result is placed in this array{out_note}.
"""


def fftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
         norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _fftn(a, s, axes, norm, out, None, True)


def ifftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _fftn(a, s, axes, norm, out, None, False)


def fft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
         norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _fftn(a, s, axes, norm, out, None, True)


def ifft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _fftn(a, s, axes, norm, out, None, False)


def rfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
          norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _rfftn(a, s, axes, norm, out, None)


def rfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
          norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _rfftn(a, s, axes, norm, out, None)


def irfftn(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] | None = None,
           norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _irfftn(a, s, axes, norm, out, None)


def irfft2(a: Any, s: Sequence[int] | None = None, axes: Sequence[int] = (-2, -1),
           norm: str | None = None, out: np.ndarray | None = None) -> np.ndarray:
    return _irfftn(a, s, axes, norm, out, None)


def _nd_doc(summary: str, what: str, shape_of: str, s_default: str, axes_default: str, one: str,
            out_note: str, returns: str, see: str) -> str:
    return (summary + "\n" + _ND_PARAMETERS.format(
        what=what, shape_of=shape_of, s_default=s_default, axes_default=axes_default, one=one,
        out_note=out_note) + f"""
    Returns
    -------
    out : ndarray
        {returns}

    Raises
    ------
    ValueError
        If `s` and `axes` have different lengths, a length is < 1, or as
        for `{one}`.
    IndexError, numpy.exceptions.AxisError, TypeError
        For invalid axes or `out`, as for `{one}`.

    See Also
    --------
    {see}
    """)


_ALL_AXES = "all axes, or the last ``len(s)`` axes if `s` is given"
_LAST_TWO = "the last two axes"
fftn.__doc__ = _nd_doc("Compute the N-dimensional discrete Fourier Transform.", ", can be complex",
                       "output", "", _ALL_AXES, "fft", "",
                       "The complex result, transformed along `axes`.", "numpy.fft.fftn, ifftn, fft2")
ifftn.__doc__ = _nd_doc("Compute the N-dimensional inverse discrete Fourier Transform.",
                        ", can be complex", "output", "", _ALL_AXES, "ifft", "",
                        "The complex result, transformed along `axes`.", "numpy.fft.ifftn, fftn")
fft2.__doc__ = _nd_doc("Compute the 2-dimensional discrete Fourier Transform.", ", can be complex",
                       "output", "", _LAST_TWO, "fft", "",
                       "The complex result, transformed along `axes`.", "numpy.fft.fft2, fftn")
ifft2.__doc__ = _nd_doc("Compute the 2-dimensional inverse discrete Fourier Transform.",
                        ", can be complex", "output", "", _LAST_TWO, "ifft",
                        " (numpy 2.0-2.4 ignore it here; this function uses it)",
                        "The complex result, transformed along `axes`.", "numpy.fft.ifft2, ifftn")
rfftn.__doc__ = _nd_doc("Compute the N-dimensional discrete Fourier Transform of real input.\n\n"
                        "    `rfft` along the last of `axes`, then `fft` along the others.",
                        ", real", "input to use", "", _ALL_AXES, "rfft", "",
                        "The complex result; the last of `axes` has length ``s[-1]//2 + 1``.",
                        "numpy.fft.rfftn, irfftn, rfft2")
rfft2.__doc__ = _nd_doc("Compute the 2-dimensional FFT of a real array.", ", real", "input to use", "",
                        _LAST_TWO, "rfft", "",
                        "The complex result; the last of `axes` has length ``s[-1]//2 + 1``.",
                        "numpy.fft.rfft2, rfftn")
irfftn.__doc__ = _nd_doc("Compute the inverse of `rfftn`.\n\n"
                         "    `ifft` along all of `axes` but the last, then `irfft` along the last.",
                         "", "output",
                         " The last length defaults to ``2*(m - 1)`` for an input of length `m`.",
                         _ALL_AXES, "irfft", "", "The real result, of shape `s` along `axes`.",
                         "numpy.fft.irfftn, rfftn, irfft2")
irfft2.__doc__ = _nd_doc("Compute the inverse of `rfft2`.", "", "output",
                         " The last length defaults to ``2*(m - 1)`` for an input of length `m`.",
                         _LAST_TWO, "irfft", " (numpy 2.0-2.4 ignore it here; this function uses it)",
                         "The real result, of shape `s` along `axes`.", "numpy.fft.irfft2, irfftn")
