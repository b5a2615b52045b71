"""hostlib.fft: numpy.fft's API on hostlib's transforms.

Every function is compared with numpy.fft called with the same arguments:
the same dtype and shape, values within rounding (relative to the norm of
the result: 1e-12 log2 n in double precision, 1e-5 in single), and for bad
arguments the same exception type, and the same message wherever numpy's
comes from its Python layer. Inputs cover lengths 1, 2, primes, powers of
two, empty batches, cropping and zero-padding, every axis, transposed,
strided and reversed views, every numpy dtype class, and ``out=``.

The transforms are checked for every usable backend of the fft interface
where hostlib lists them; the calls reaching the primitive are recorded to
check what it is given (views, not copies; precision kept; the threads).
"""

from __future__ import annotations

import math
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostlib
import hostlib.fft as hfft
from hostlib.fft import _helpers

HYPO = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])

ONE_D = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"]
N_D = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]
REAL_IN = {"rfft", "ihfft", "rfftn", "rfft2"}
NORMS = [None, "backward", "ortho", "forward"]
LENGTHS = [1, 2, 3, 4, 5, 7, 8, 11, 16, 17, 97, 128, 210, 1000, 1024]
DTYPES = [np.float32, np.float64, np.complex64, np.complex128, np.float16, np.int8, np.int64,
          np.uint16, np.bool_]


def _fft_backends() -> list[str | None]:
    try:
        return [b.name for b in hostlib.backends(interface="fft") if b.usable]
    except Exception:  # a hostlib without an fft host: whatever serves
        return [None]


FFT_BACKENDS = _fft_backends()


@pytest.fixture(params=FFT_BACKENDS)
def backend(request):
    if request.param is None:
        yield None
        return
    with hostlib.using(request.param, interface="fft"):
        yield request.param


@pytest.fixture
def calls(monkeypatch):
    """Every call of the primitive during the test, with its arguments."""
    real = _helpers.primitive()
    record = []

    def execute(kind, sign, x, out, n, scale, workers):
        record.append(dict(kind=kind, sign=sign, x=x, out=out, n=n, scale=scale, workers=workers))
        return real(kind, sign, x, out, n, scale, workers)

    monkeypatch.setattr(_helpers, "_execute", execute)
    return record


def _single(dtype) -> bool:
    return np.dtype(dtype) in (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.complex64))


def assert_matches(got, want, single=None, tol=None):
    """Same type, dtype and shape; values within rounding of the norm."""
    assert type(got) is type(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.size == 0:
        return
    if single is None:
        single = _single(want.dtype)
    g = got.astype(np.complex128).ravel()
    w = want.astype(np.complex128).ravel()
    if tol is not None:
        pass
    elif want.dtype == np.float16:
        tol = 4e-3  # both round to float16 (numpy also rounds its scale factor to it)
    elif single:
        tol = 1e-5
    else:
        tol = 1e-12 * max(1.0, math.log2(want.size + 1))
    ref = np.linalg.norm(w)
    err = np.linalg.norm(g - w)
    assert err <= tol * ref or err < 1e-300, (err, ref, tol)


def random_array(rng, shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        return rng.integers(0, 100, size=shape).astype(dtype)
    values = rng.standard_normal(shape)
    if dtype.kind == "c":
        values = values + 1j * rng.standard_normal(shape)
    return values.astype(dtype)


def call_both(name, *args, **kwargs):
    return getattr(hfft, name)(*args, **kwargs), getattr(np.fft, name)(*args, **kwargs)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("n", LENGTHS)
def test_lengths(backend, name, n):
    rng = np.random.default_rng(n)
    dtype = np.float64 if name in REAL_IN else np.complex128
    for length in {n, n // 2 + 1}:
        x = random_array(rng, (3, length), dtype)
        for norm in NORMS:
            for arg in (None, n):  # the default length and an explicit one (crop or pad)
                if arg is None and length == 1 and name in ("irfft", "hfft"):
                    continue  # the default length, 0, is an error: test_errors
                assert_matches(*call_both(name, x, arg, norm=norm))


@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("dtype", DTYPES + [">f8", ">c16", "<f4"])
def test_dtypes(backend, name, dtype):
    """numpy 2.x's dtypes: single precision stays single (float16 too, its
    real outputs float16), everything else double; byte-swapped inputs."""
    if name in REAL_IN and np.dtype(dtype).kind == "c":
        pytest.skip("complex input raises: test_errors")
    rng = np.random.default_rng(1)
    x = random_array(rng, (4, 10), dtype)
    # numpy rounds its scale factor for float16 input to float16 (1/10 by 2.4e-4)
    tol = 4e-3 if np.dtype(dtype) == np.float16 else None
    for n in (None, 7, 16):
        assert_matches(*call_both(name, x, n, axis=0 if n == 7 else -1), tol=tol)


@pytest.mark.parametrize("name", ONE_D)
@pytest.mark.parametrize("dtype", [np.float32, np.complex64, np.float64, np.complex128])
def test_precision_reaches_the_primitive(calls, name, dtype):
    if name in REAL_IN and np.dtype(dtype).kind == "c":
        pytest.skip("complex input raises")
    x = random_array(np.random.default_rng(2), (5, 12), dtype)
    getattr(hfft, name)(x)
    assert calls
    single = _single(dtype)
    for c in calls:
        for arr in (c["x"], c["out"]):
            assert arr.dtype in ((np.float32, np.complex64) if single else (np.float64, np.complex128))


@pytest.mark.parametrize("name", ONE_D)
def test_every_axis_and_layout(backend, name):
    rng = np.random.default_rng(3)
    dtype = np.float64 if name in REAL_IN else np.complex128
    base = random_array(rng, (6, 7, 8), dtype)
    views = [base, base.T, base[::-1], base[:, ::-2, 1:], base[::2, :, ::-1],
             np.asfortranarray(base), base.transpose(1, 0, 2)[:, 1:5]]
    for x in views:
        for axis in range(-3, 3):
            for n in (None, 5, 9):
                assert_matches(*call_both(name, x, n, axis))


def test_views_reach_the_primitive_uncopied(calls):
    """Strided, reversed and transposed inputs whose other axes merge into
    one batch axis are handed over as they are; so is the output."""
    base = random_array(np.random.default_rng(4), (8, 9, 10), np.complex128)
    for x, axis in [(base[::-1, ::2], -1), (base.T, 0), (base[:, :, ::-3], 1), (base, 1)]:
        calls.clear()
        out = np.empty(x.shape, np.complex128)
        hfft.fft(x, axis=axis, out=out)
        assert calls
        for c in calls:
            assert np.shares_memory(c["x"], x)
            assert np.shares_memory(c["out"], out)
        assert_matches(out, np.fft.fft(x, axis=axis))


def test_middle_axis_loops_over_the_outer_axis(calls):
    x = random_array(np.random.default_rng(5), (3, 4, 50), np.complex128)
    out = hfft.fft(x, axis=1)
    # (3, 4, 50) along axis 1: batches of 50 with stride 1, three of them
    assert len(calls) == 3 and all(c["x"].shape == (50, 4) for c in calls)
    assert_matches(out, np.fft.fft(x, axis=1))


@pytest.mark.parametrize("name", ONE_D + N_D)
def test_empty_batches(backend, name):
    for shape in [(0, 4), (3, 0, 4), (0, 0, 6)]:
        x = np.zeros(shape, np.float64 if name in REAL_IN else np.complex128)
        assert_matches(*call_both(name, x, axes=(-1,)) if name in N_D else call_both(name, x))


def _padded_if_empty(name, x, axis):
    """numpy 2.4's irfft (and hfft) of an empty axis padded to n returns
    uninitialised memory; the zero-padded input is the same transform."""
    if name.startswith(("irfft", "hfft")) and x.shape[axis] == 0:
        shape = list(x.shape)
        shape[axis] = 1
        return np.zeros(shape, x.dtype)
    return x


def test_zero_length_axis_padded():
    x = np.zeros((3, 0))
    assert_matches(*call_both("fft", x, 4))
    assert_matches(hfft.irfft(x, 4), np.zeros((3, 4)))
    assert_matches(hfft.hfft(x, 5), np.zeros((3, 5)))


def test_zero_stride_input(backend):
    x = np.broadcast_to(np.arange(8.0), (5, 8))
    for name in ONE_D:
        assert_matches(*call_both(name, x))
        assert_matches(*call_both(name, x, axis=0))


def test_array_likes_and_scalars_return_ndarray():
    assert_matches(*call_both("fft", [1, 2, 3]))
    assert_matches(*call_both("rfft", [[1.0, 2.0], [3.0, 4.0]]))
    m = np.ma.array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    assert_matches(*call_both("fft", m))
    assert_matches(*call_both("fft", np.matrix([[1.0, 2.0, 3.0]])))


@st.composite
def views(draw, real):
    """An array of 1-3 axes of sizes 0-9, maybe transposed, sliced with steps
    of either sign, of a random dtype."""
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(0, 9)) for _ in range(ndim))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int32] +
                                 ([] if real else [np.complex64, np.complex128])))
    seed = draw(st.integers(0, 2**32 - 1))
    steps = [draw(st.sampled_from([1, -1, 2, -2])) for _ in range(ndim)]
    base = random_array(np.random.default_rng(seed), tuple(s * abs(t) for s, t in zip(shape, steps)), dtype)
    x = base[tuple(slice(None, None, t) for t in steps)]
    perm = draw(st.permutations(range(ndim)))
    return x.transpose(perm)


@given(data=st.data())
@HYPO
def test_one_d_hypothesis(data):
    name = data.draw(st.sampled_from(ONE_D))
    x = data.draw(views(real=name in REAL_IN))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    default = x.shape[axis] if name in ("fft", "ifft", "rfft", "ihfft") else 2 * (x.shape[axis] - 1)
    n = data.draw(st.one_of(st.none(), st.integers(1, 20))) if default >= 1 else data.draw(st.integers(1, 20))
    norm = data.draw(st.sampled_from(NORMS))
    want = getattr(np.fft, name)(_padded_if_empty(name, x, axis), n, axis, norm)
    assert_matches(getattr(hfft, name)(x, n, axis, norm), want)


@given(data=st.data())
@HYPO
def test_n_d_hypothesis(data):
    name = data.draw(st.sampled_from(N_D))
    x = data.draw(views(real=name in REAL_IN))
    k = data.draw(st.integers(1, x.ndim)) if not name.endswith("2") else 2
    if x.ndim < k:
        x = x.reshape((1,) * (k - x.ndim) + x.shape)
    axes = data.draw(st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=k, max_size=k))
    s = data.draw(st.one_of(st.none(), st.lists(st.integers(1, 9) | st.just(-1), min_size=k, max_size=k)))
    if s is None:
        # the default lengths must be valid
        lengths = [x.shape[a] for a in axes]
        if name.startswith("irfft"):
            lengths[-1] = 2 * (lengths[-1] - 1)
        if min(lengths) < 1:
            s = [data.draw(st.integers(1, 9)) for _ in axes]
    elif -1 in s and min(x.shape[a] for a, n in zip(axes, s) if n == -1) < 1:
        s = [max(n, 1) for n in s]
    norm = data.draw(st.sampled_from(NORMS))
    want = getattr(np.fft, name)(_padded_if_empty(name, x, axes[-1]), s, axes, norm)
    assert_matches(getattr(hfft, name)(x, s, axes, norm), want)


@pytest.mark.parametrize("name", N_D)
def test_n_d_cases(backend, name):
    rng = np.random.default_rng(6)
    x = random_array(rng, (4, 5, 6), np.float64 if name in REAL_IN else np.complex128)
    cases = [dict(), dict(axes=(0, 2)), dict(axes=(-1, 0)), dict(s=(3, 8), axes=(1, 2)),
             dict(s=(-1, 4), axes=(0, 1)), dict(axes=(1, 1)), dict(s=(7, 7), axes=(2, 2)),
             dict(s=(1, 2), axes=(-2, -1)), dict(norm="ortho", axes=(0, 1)), dict(norm="forward")]
    for kwargs in cases:
        if name.endswith("2") and "axes" in kwargs and len(kwargs["axes"]) != 2:
            continue
        assert_matches(*call_both(name, x, **kwargs))
    if name.endswith("n"):
        assert_matches(*call_both(name, x, axes=(0, 1, 2), s=(2, 3, 4)))


def test_empty_axes_returns_the_input_as_numpy_does():
    x = np.arange(6.0).reshape(2, 3)
    for name in ("fftn", "ifftn"):
        got, want = call_both(name, x, axes=())
        assert got is x and want is x


@pytest.mark.parametrize("name", N_D)
def test_deprecations_as_numpy(name):
    x = random_array(np.random.default_rng(7), (3, 4, 5), np.float64)
    cases = [dict(s=(None, 6), axes=(0, 1))]
    if name.endswith("n"):  # the 2-D functions have axes by default
        cases.append(dict(s=(3, 4)))
    for kwargs in cases:
        with pytest.warns(DeprecationWarning) as ours:
            got = getattr(hfft, name)(x, **kwargs)
        with pytest.warns(DeprecationWarning) as theirs:
            want = getattr(np.fft, name)(x, **kwargs)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
        assert all(w.filename == __file__ for w in ours)  # the warning points to the caller
        assert_matches(got, want)


def test_long_double_left_to_numpy():
    """numpy computes long double in long double; hostlib cannot, so it
    hands those calls to numpy: the very same values."""
    x = random_array(np.random.default_rng(8), (3, 8), np.float64).astype(np.longdouble)
    for name in ONE_D + N_D:
        arg = x if name in REAL_IN else x.astype(np.clongdouble)
        got, want = call_both(name, arg)
        assert got.dtype == want.dtype and np.array_equal(got, want)
    out = np.empty((3, 8), np.clongdouble)
    r = hfft.fft(x.astype(np.float64), out=out)
    assert r is out and np.array_equal(out, np.fft.fft(x.astype(np.float64), out=np.empty_like(out)))


# ---------------------------------------------------------------- out=


@pytest.mark.parametrize("name", ONE_D)
def test_out(backend, name):
    rng = np.random.default_rng(9)
    x = random_array(rng, (4, 10), np.float64 if name in REAL_IN else np.complex128)
    want = getattr(np.fft, name)(x, 12, 0)
    for dtype in (want.dtype, np.complex64 if want.dtype.kind == "c" else np.float32, np.complex128):
        if want.dtype.kind == "c" and np.dtype(dtype).kind != "c":
            continue
        for layout in ("C", "F", "reversed", "strided"):
            big = np.zeros((want.shape[0] * 2, want.shape[1] * 3), dtype, order="F" if layout == "F" else "C")
            out = {"C": big[: want.shape[0], : want.shape[1]], "F": big[: want.shape[0], : want.shape[1]],
                   "reversed": big[: want.shape[0], : want.shape[1]][::-1, ::-1],
                   "strided": big[::2, ::3]}[layout]
            got = getattr(hfft, name)(x, 12, 0, out=out)
            assert got is out
            assert_matches(got, want.astype(dtype), single=_single(dtype) or _single(want.dtype))
            if name == "hfft":
                continue  # numpy 2.0-2.4's hfft does not fill out
            # numpy fills the same out with the same values
            check = np.zeros_like(out)
            getattr(np.fft, name)(x, 12, 0, out=check)
            assert_matches(out, check, single=_single(dtype))


def test_out_broadcasts_input_like_numpy():
    x = random_array(np.random.default_rng(10), (1, 8), np.complex128)
    got, want = np.empty((5, 8), complex), np.empty((5, 8), complex)
    hfft.fft(x, out=got)
    np.fft.fft(x, out=want)
    assert_matches(got, want)


@pytest.mark.parametrize("name", ["fft", "ifft"])
def test_out_in_place_and_overlapping(backend, calls, name):
    rng = np.random.default_rng(11)
    x = random_array(rng, (6, 16), np.complex128)
    want = getattr(np.fft, name)(x)
    y = x.copy()
    assert getattr(hfft, name)(y, out=y) is y
    assert_matches(y, want)
    assert any(c["x"] is c["out"] for c in calls)  # in place, no copy
    # out overlapping the input, shifted: numpy's result as if x were copied
    for shift in (slice(1, None), slice(None, -1)):
        buf = np.concatenate([x, x[:1]])
        src = buf[:-1] if shift.start else buf[1:]
        exp = getattr(np.fft, name)(src.copy())
        got = getattr(hfft, name)(src, out=buf[shift])
        assert_matches(got, exp)
    # out is the input read backwards: the same memory, other strides
    z = x.copy()
    view = z[:, ::-1]
    assert_matches(getattr(hfft, name)(view, out=z), getattr(np.fft, name)(x[:, ::-1]))


@pytest.mark.parametrize("name", N_D)
def test_n_d_out(backend, name):
    x = random_array(np.random.default_rng(12), (6, 5, 8), np.float64 if name in REAL_IN else np.complex128)
    want = getattr(np.fft, name)(x, axes=(0, 2) if name.endswith("n") else (-2, -1))
    out = np.empty_like(want)
    got = getattr(hfft, name)(x, axes=(0, 2) if name.endswith("n") else (-2, -1), out=out)
    # numpy 2.0-2.4 ignore out in ifft2 and irfft2: ours fills it in every function
    assert got is out
    assert_matches(out, want)


def test_hfft_out_is_used():
    x = random_array(np.random.default_rng(13), (3, 5), np.complex128)
    out = np.empty((3, 8))
    assert hfft.hfft(x, out=out) is out
    assert_matches(out, np.fft.hfft(x))


def test_n_d_reuses_its_own_buffer(calls):
    """Steps of an N-D transform after the first run in place in the first
    step's result: one output array in all."""
    x = random_array(np.random.default_rng(14), (8, 9, 10), np.complex128)
    got = hfft.fftn(x)
    outs = {c["out"].__array_interface__["data"][0] for c in calls}
    assert len(calls) >= 3 and all(np.shares_memory(c["out"], got) for c in calls)
    assert len(outs) >= 1
    assert_matches(got, np.fft.fftn(x))


# ---------------------------------------------------------------- errors


def _outcome(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            func(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the exception is what is compared
            return exc
    return None


X3 = np.ones(3)
C3 = np.ones(3, complex)
RO = np.zeros(3, complex)
RO.flags.writeable = False

#: (function, args, kwargs, whether the message must be numpy's too)
ERRORS = [
    ("fft", (X3,), dict(n=0), True),
    ("fft", (X3,), dict(n=-3), True),
    ("ifft", (X3,), dict(n=0, norm="bad"), True),
    ("fft", (X3,), dict(norm="bad"), True),
    ("ifft", (X3,), dict(norm="bad"), True),
    ("rfft", (X3,), dict(norm="Ortho"), True),
    ("irfft", (X3,), dict(norm="bad"), True),
    ("hfft", (X3,), dict(norm="bad"), True),
    ("hfft", (X3,), dict(norm="bad", n=0), True),
    ("ihfft", (X3,), dict(norm="bad"), True),
    ("ifft", (X3,), dict(norm=["ortho"]), True),
    ("fft", (X3,), dict(axis=5), True),
    ("fft", (X3,), dict(axis=-2), True),
    ("fft", (X3,), dict(n=4, axis=5), True),
    ("fft", (X3,), dict(n=4, axis=1.0), True),
    ("fft", (X3,), dict(axis=1.0), True),
    ("fft", (X3,), dict(n=3.0), True),
    ("fft", (X3,), dict(n=True), True),
    ("irfft", (np.ones(1),), dict(), True),
    ("hfft", (np.ones(1),), dict(), True),
    ("fft", (np.float64(5.0),), dict(), True),
    ("fft", (np.float64(5.0),), dict(n=3), True),
    ("fft", (np.ones(0),), dict(), True),
    ("fft", (X3,), dict(out=np.ones(4, complex)), True),
    ("fft", (X3,), dict(out=np.ones((1, 3), complex)), True),
    ("rfft", (X3,), dict(out=np.ones(3, complex)), True),
    ("irfft", (C3,), dict(out=np.ones(3)), True),
    ("fft", (X3,), dict(out=[0j, 0j, 0j]), True),
    ("fft", (X3,), dict(out=np.ones(3)), True),
    ("fft", (X3,), dict(out=np.ones(3, np.float16)), True),
    ("fft", (X3,), dict(out=np.ones(3, np.int64)), True),
    ("rfft", (np.ones(4),), dict(out=np.ones(3)), True),
    ("irfft", (C3,), dict(out=np.ones(4, np.int32)), True),
    ("fft", (X3,), dict(out=RO), True),
    ("fft", (np.ones((2, 3)),), dict(out=np.ones((5, 3), complex)), False),
    ("rfft", (C3,), dict(), True),
    ("ihfft", (C3,), dict(), True),
    ("rfftn", (np.ones((2, 2), complex),), dict(), True),
    ("fft", (np.array([object(), 1]),), dict(), True),
    ("irfft", (np.array([object(), 1]),), dict(), True),
    ("fft", (np.array(["a", "b"]),), dict(), True),
    ("rfft", (np.array([b"a", b"b"]),), dict(), True),
    ("fftn", (np.ones((2, 3)),), dict(s=(2, 3), axes=(0,)), True),
    ("fftn", (np.ones((2, 3)),), dict(axes=(0, 5)), True),
    ("fftn", (np.ones((2, 3)),), dict(s=(2, 3), axes=(0, 5)), True),
    ("fftn", (np.ones((2, 3)),), dict(s=(0, 3), axes=(0, 1)), True),
    ("fftn", (np.ones((2, 3)),), dict(axes=1), True),
    ("fftn", (np.ones((2, 3)),), dict(norm="bad"), True),
    ("rfftn", (np.ones((2, 3)),), dict(axes=()), True),
    ("irfftn", (np.ones((2, 3)),), dict(axes=()), True),
    ("irfftn", (np.ones((2, 1)),), dict(), True),
    ("rfft2", (np.ones(3),), dict(), True),
    ("fft2", (np.ones(3),), dict(), True),
    ("irfft2", (np.ones((3, 3)),), dict(s=(4, 4, 4)), True),
    ("fftn", (np.ones((4, 4)),), dict(s=(8, 8), out=np.ones((8, 8), complex)), False),
]


@pytest.mark.parametrize("name, args, kwargs, exact", ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(ERRORS)])
def test_errors(name, args, kwargs, exact):
    theirs = _outcome(getattr(np.fft, name), *args, **kwargs)
    ours = _outcome(getattr(hfft, name), *args, **kwargs)
    assert theirs is not None, "numpy accepts this: not an error case"
    assert ours is not None, f"numpy raises {theirs!r}, hostlib.fft does not"
    if exact:
        # the same class, or numpy's private UFuncTypeError's public base
        assert type(ours) is type(theirs) or (isinstance(ours, TypeError) and isinstance(theirs, TypeError)
                                               and type(theirs).__module__.startswith("numpy._core"))
        assert str(ours) == str(theirs)
    else:
        assert isinstance(ours, ValueError) and isinstance(theirs, ValueError)


# ---------------------------------------------------------------- the rest


def test_reexports_are_numpys():
    for name in ("fftfreq", "rfftfreq", "fftshift", "ifftshift"):
        assert getattr(hfft, name) is getattr(np.fft, name)
    assert set(hfft.__all__) >= set(ONE_D + N_D)
    for name in ONE_D + N_D:
        assert getattr(hfft, name).__doc__


def test_signatures_are_numpys():
    import inspect

    for name in ONE_D + N_D:
        ours = inspect.signature(getattr(hfft, name))
        theirs = inspect.signature(getattr(np.fft, name))
        assert [(p.name, p.default, p.kind) for p in ours.parameters.values()] == \
               [(p.name, p.default, p.kind) for p in theirs.parameters.values()]


def test_threads_are_the_pools(calls):
    """numpy-style calls leave the thread count to the primitive (0: the
    pool's budget when the transform runs)."""
    hfft.fft(np.ones((4, 64)))
    assert calls and all(c["workers"] == 0 for c in calls)


def test_concurrent_callers():
    rng = np.random.default_rng(15)
    xs = [random_array(rng, (16, 256), np.complex128) for _ in range(4)]
    want = [np.fft.fft(x) for x in xs]
    errors = []

    def work(i):
        try:
            for _ in range(20):
                assert_matches(hfft.fft(xs[i]), want[i])
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_import_needs_neither_scipy_nor_the_transforms():
    code = ("import sys; sys.modules['scipy'] = None\n"
            "import numpy as np, hostlib.fft\n"
            "assert 'hostlib.fft._transforms' not in sys.modules\n"
            "assert np.allclose(hostlib.fft.fft([1.0, 0, 0]), 1)\n"
            "assert hostlib.fft.__ua_domain__ == 'numpy.scipy.fft'\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd="/")


# ---------------------------------------------------------------- the primitive's arguments


def _primitive_args(n=8):
    from hostlib.fft import _transforms as t

    x = np.arange(2 * n, dtype=np.complex128).reshape(2, n)
    return t, [t.C2C, t.FORWARD, x, np.empty_like(x), n, 1.0, 1]


@pytest.mark.parametrize("index, value, error, match", [
    (0, 7, ValueError, "kind must be C2C, R2C or C2R, not 7"),
    (0, 1.0, TypeError, "float"),
    (1, 5, ValueError, "sign 5 does not fit"),
    (4, 0, ValueError, r"Invalid number of FFT data points \(0\)"),
    (4, 2**70, OverflowError, None),
    (4, "8", TypeError, "'n' must be an integer, not str"),
    (5, "1", TypeError, None),
    (6, -1, ValueError, "workers must be at least 1"),
    (2, [1, 2], TypeError, "x must be a numpy array"),
])
def test_the_primitive_rejects_bad_arguments(index, value, error, match):
    t, args = _primitive_args()
    args[index] = value
    with pytest.raises(error, match=match):
        t.execute(*args)


def test_the_primitive_takes_numpy_integers_and_checks_its_arrays():
    t, args = _primitive_args()
    args[4], args[6] = np.int64(8), np.int32(1)
    t.execute(*args)
    np.testing.assert_allclose(args[3], np.fft.fft(args[2]), rtol=1e-12, atol=1e-12)
    with pytest.raises(TypeError, match="takes 7 arguments"):
        t.execute(*args[:6])
    x, out = args[2], args[3]
    with pytest.raises(ValueError, match="out overlaps x"):
        t.execute(t.C2C, t.FORWARD, x[:, :8], x[:, ::-1], 8, 1.0, 1)
    raw = np.zeros(2 * 8 * 16 + 8, np.uint8)  # complex128 data 8 bytes off its 16-byte element
    odd = raw[8:8 + 2 * 8 * 16].view(np.complex128).reshape(2, 8)
    odd[...] = x
    t.execute(t.C2C, t.FORWARD, odd, out, 8, 1.0, 1)  # aligned to its real type: accepted
    np.testing.assert_allclose(out, np.fft.fft(x), rtol=1e-12, atol=1e-12)
    skewed = raw[4:4 + 2 * 8 * 16].view(np.complex128).reshape(2, 8)
    with pytest.raises(ValueError, match="not aligned"):
        t.execute(t.C2C, t.FORWARD, skewed, out, 8, 1.0, 1)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft"])
@pytest.mark.parametrize("shape", [(1,), (2,), (64,), (3, 10), (0, 6), (2, 3, 7)])
@pytest.mark.parametrize("single", [False, True])
def test_the_common_call_skips_the_general_path_and_agrees_with_it(name, shape, single, monkeypatch):
    """fft(a) of a C-contiguous array of the computed dtype goes straight to
    the primitive (fft/__init__.py's _common); its result must be the
    general path's, bit for bit (norm="backward" takes that path)."""
    import hostlib.fft as module

    real = name == "rfft"
    dtype = (np.float32 if single else np.float64) if real else (np.complex64 if single else np.complex128)
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shape).astype(dtype)
    if not real:
        a = a + 1j * rng.standard_normal(shape).astype(dtype)
    if name == "irfft" and shape[-1] == 1:
        pytest.skip("n = 0: both paths raise numpy's error (test_errors)")
    func = getattr(hfft, name)
    general = func(a, norm="backward")

    def no_general_path(*args, **kwargs):
        raise AssertionError("the common call went through _one")

    monkeypatch.setattr(module, "_one", no_general_path)
    common = func(a)
    assert common.dtype == general.dtype and common.shape == general.shape
    np.testing.assert_array_equal(common, general)
