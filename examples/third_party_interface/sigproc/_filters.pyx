# cython: language_level=3, boundscheck=False, wraparound=False
"""numpy-facing filters, calling the ``filters`` interface through hostlib.

The same three steps as any consumer of a hostlib interface:

1. ``cimport`` from ``sigproc_stubs`` (generated from filters.toml at build
   time, next to this module's build);
2. call ``import_sigproc()`` once, at module level: it imports the capsule
   ``hostlib._C_API_filters`` (which starts hostlib's host for the
   interface on first use) and checks the ABI, raising ImportError naming
   both versions on a mismatch;
3. call entries like C functions: ``sigproc_biquad(&c, n, x, y, state)``.
   Each call goes to the table hostlib has active at that moment, so
   ``hostlib.use("sse2", interface="filters")`` redirects it.

The kernels return a status (``SIGPROC_OK`` or an error code) instead of
raising; this module turns an error status into a ValueError.
"""

from libc.stdint cimport uintptr_t

from sigproc_stubs cimport (
    SIGPROC_EINVAL,
    SIGPROC_EUNSTABLE,
    SIGPROC_OK,
    import_sigproc,
    sigproc_biquad,
    sigproc_biquad_coeffs,
    sigproc_filters_current,
    sigproc_filters_table,
    sigproc_fir,
    sigproc_fir_taps,
)

import numpy as np

import_sigproc()

_STATUS = {
    SIGPROC_EINVAL: "SIGPROC_EINVAL (an invalid argument)",
    SIGPROC_EUNSTABLE: "SIGPROC_EUNSTABLE (coefficients not finite, or a pole on or outside the unit circle)",
}


cdef int _check(int status, str what) except -1:
    if status != SIGPROC_OK:
        raise ValueError(f"{what}: the kernel returned {_STATUS.get(status, status)}")
    return 0


cdef const double *_ptr(const double[::1] a) noexcept:
    """The first element, or NULL for an empty array."""
    return &a[0] if a.shape[0] > 0 else NULL


def _signal(x, name):
    a = np.ascontiguousarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-d, got shape {a.shape}")
    return a


def biquad(x, b, a, state=None):
    """Filter ``x`` by one second-order section (direct form I).

    ``y[i] = (b0 x[i] + b1 x[i-1] + b2 x[i-2] - a1 y[i-1] - a2 y[i-2]) / a0``,
    as ``scipy.signal.lfilter(b, a, x)`` with three coefficients each.
    ``state`` (float64, length 4: ``x[-1], x[-2], y[-1], y[-2]``) continues
    a signal across calls: it is read and then updated in place; without
    it the filter starts at rest. A filter that is not stable (a pole on or
    outside the unit circle) is a ValueError from the kernel's status.
    """
    X = _signal(x, "x")
    b0, b1, b2 = (float(v) for v in b)
    a0, a1, a2 = (float(v) for v in a)
    if a0 == 0.0:
        raise ValueError("a[0] must not be 0")
    cdef sigproc_biquad_coeffs c
    c.b0, c.b1, c.b2, c.a1, c.a2 = b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0
    if state is None:
        state = np.zeros(4)
    elif not (isinstance(state, np.ndarray) and state.dtype == np.float64 and state.shape == (4,)
              and state.flags.c_contiguous and state.flags.writeable):
        raise ValueError("state must be a writeable, contiguous float64 array of length 4")
    Y = np.empty_like(X)
    cdef const double[::1] xv = X
    cdef double[::1] yv = Y
    cdef double[::1] sv = state
    cdef Py_ssize_t n = X.shape[0]
    cdef const double *xp = _ptr(xv)
    cdef double *yp = <double *>_ptr(yv)
    cdef int status
    with nogil:
        status = sigproc_biquad(&c, n, xp, yp, &sv[0])
    _check(status, "biquad")
    return Y


def fir(x, taps):
    """Convolve ``x`` with the FIR filter ``taps`` where they overlap fully:
    ``numpy.convolve(x, taps, "valid")``, ``len(x) - len(taps) + 1`` samples.
    ``x`` must be at least as long as ``taps`` (numpy would swap them). No
    taps at all is a ValueError from the kernel's status."""
    X = _signal(x, "x")
    H = _signal(taps, "taps")
    cdef Py_ssize_t n = X.shape[0] - H.shape[0] + 1
    if H.shape[0] > 0 and n < 1:
        raise ValueError(f"x has {X.shape[0]} samples, fewer than the {H.shape[0]} taps")
    Y = np.empty(max(n, 0))
    cdef const double[::1] xv = X
    cdef const double[::1] hv = H
    cdef double[::1] yv = Y
    cdef sigproc_fir_taps h
    h.taps = _ptr(hv)
    h.ntaps = H.shape[0]
    cdef const double *xp = _ptr(xv)
    cdef double *yp = <double *>_ptr(yv)
    cdef int status
    with nogil:
        status = sigproc_fir(&h, n, xp, yp)
    _check(status, "fir")
    return Y


# ---------------------------------------------------------------- inspection

def kernel_address(entry):
    """Address of the function this module's calls to ``entry`` reach now
    (compare with ``hostlib`` host's ``slot_address(backend, entry)``)."""
    cdef const sigproc_filters_table *t = sigproc_filters_current()
    if entry == "biquad":
        return <uintptr_t>t.biquad
    if entry == "fir":
        return <uintptr_t>t.fir
    raise ValueError(f"the filters interface has biquad and fir, not {entry!r}")


def table_name():
    """Name of the table this module's calls go to, e.g. 'hostlib[avx2]'."""
    return sigproc_filters_current().header.name.decode()
