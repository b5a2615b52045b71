"""hostlib.fft as a scipy.fft backend.

Under ``scipy.fft.set_backend(hostlib.fft)`` every DFT of scipy.fft must
give what scipy's own backend gives (dtype, shape, values within
rounding), run on hostlib's transforms with the ``workers`` asked for, and
leave to scipy (``NotImplemented``) what hostlib does not compute: other
transforms, long double, non-numpy arrays, and bad arguments, for which
scipy's own error is raised.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

scipy_fft = pytest.importorskip("scipy.fft")

import hostlib.fft as hfft  # noqa: E402
from hostlib.fft import _helpers  # noqa: E402

FUNCS = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
         "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]
REAL_IN = {"rfft", "ihfft", "rfft2", "ihfft2", "rfftn", "ihfftn"}
NORMS = [None, "backward", "ortho", "forward"]


@pytest.fixture
def calls(monkeypatch):
    real = _helpers.primitive()
    record = []

    def execute(kind, sign, x, out, n, scale, workers):
        record.append(dict(kind=kind, x=x, out=out, n=n, workers=workers))
        return real(kind, sign, x, out, n, scale, workers)

    monkeypatch.setattr(_helpers, "_execute", execute)
    return record


def assert_matches(got, want):
    assert type(got) is np.ndarray
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, want.dtype, got.shape, want.shape)
    if want.size == 0:
        return
    single = want.dtype in (np.float32, np.complex64)
    tol = 1e-5 if single else 1e-12 * max(1.0, math.log2(want.size + 1))
    err = np.linalg.norm((got.astype(complex) - want.astype(complex)).ravel())
    assert err <= tol * np.linalg.norm(want.astype(complex).ravel()) or err < 1e-300


def both(name, *args, **kwargs):
    want = getattr(scipy_fft, name)(*args, **kwargs)
    with scipy_fft.set_backend(hfft, only=True):
        got = getattr(scipy_fft, name)(*args, **kwargs)
    return got, want


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128,
                                   np.int32, np.bool_])
def test_matches_scipy(calls, name, dtype):
    if name in REAL_IN and np.dtype(dtype).kind == "c":
        pytest.skip("complex input: test_declined")
    x = data((4, 6, 7), dtype) if np.dtype(dtype).kind != "b" else data((4, 6, 7), float) > 0
    one = name[-1] not in "2n"
    for norm in NORMS:
        if one:
            for kwargs in (dict(), dict(n=5), dict(n=12, axis=0), dict(axis=1), dict(axis=-3)):
                assert_matches(*both(name, x, norm=norm, **kwargs))
        else:
            cases = [dict(), dict(s=(3, 8)), dict(axes=(0, 2)), dict(s=(-1, 9), axes=(2, 0))]
            if name.endswith("n"):
                cases += [dict(s=(5,)), dict(axes=(1,)), dict(axes=2), dict(s=(2, 3, 4))]
            for kwargs in cases:
                assert_matches(*both(name, x, norm=norm, **kwargs))
    assert calls, "hostlib's transforms did not run"
    single = np.dtype(dtype) in (np.float16, np.float32, np.complex64)
    assert all(c["x"].dtype in ((np.float32, np.complex64) if single else (np.float64, np.complex128))
               for c in calls)


@pytest.mark.parametrize("name", FUNCS)
def test_layouts_and_lengths(name):
    base = data((9, 8, 10), np.float64 if name in REAL_IN else np.complex128, seed=1)
    for x in (base[::-1], base.T, base[:, ::-2], base[1:, :, ::3]):
        for n in (1, 2, 3, 7, 16, 17):
            if name[-1] in "2n":
                assert_matches(*both(name, x, s=(n, n), axes=(0, -1)))
            else:
                assert_matches(*both(name, x, n, axis=1))


@pytest.mark.parametrize("workers", [None, 1, 2, -1, -2])
def test_workers(calls, workers):
    x = data((8, 64), np.complex128)
    assert_matches(*both("fft", x, workers=workers))
    cpus = os.cpu_count()
    expected = {None: 1, 1: 1, 2: 2, -1: cpus, -2: max(cpus - 1, 1)}[workers]
    if workers == -2 and cpus == 1:
        return
    assert calls and all(c["workers"] == expected for c in calls)


def test_set_workers_is_the_default(calls):
    x = data((8, 64), np.float64)
    with scipy_fft.set_workers(3), scipy_fft.set_backend(hfft):
        scipy_fft.rfft(x)
    assert calls and all(c["workers"] == 3 for c in calls)


def test_set_backend_forms(calls):
    x = data((5, 12), np.complex128)
    want = scipy_fft.fft2(x)
    with scipy_fft.set_backend(hfft):
        assert_matches(scipy_fft.fft2(x), want)
    assert calls
    calls.clear()
    scipy_fft.set_global_backend(hfft)
    try:
        assert_matches(scipy_fft.fft2(x), want)
        assert calls
    finally:
        scipy_fft.set_global_backend("scipy")
    calls.clear()
    scipy_fft.fft2(x)
    assert not calls


def test_overwrite_x_leaves_input(calls):
    x = data((4, 16), np.complex128)
    keep = x.copy()
    want = scipy_fft.fft(x.copy())  # scipy's own may overwrite its input
    with scipy_fft.set_backend(hfft, only=True):
        assert_matches(scipy_fft.fft(x, overwrite_x=True), want)
    assert calls and np.array_equal(x, keep)


def test_plan_not_implemented():
    x = data(8, np.complex128)
    with scipy_fft.set_backend(hfft, only=True):
        with pytest.raises(NotImplementedError, match="precomputed plan"):
            scipy_fft.fft(x, plan=object())


def _error(func, *args, **kwargs):
    try:
        func(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - compared with scipy's
        return exc
    return None


DECLINED_ERRORS = [
    ("fft", (np.ones(4),), dict(n=0)),
    ("fft", (np.ones(0),), dict()),
    ("fft", (np.ones(4),), dict(axis=3)),
    ("fft", (np.ones(4),), dict(norm="bad")),
    ("fft", (np.ones(4),), dict(workers=0)),
    ("fft", (np.ones(4),), dict(workers=-10**6)),
    ("rfft", (np.ones(4, complex),), dict()),
    ("ihfftn", (np.ones((2, 2), complex),), dict()),
    ("irfft", (np.ones(1),), dict()),
    ("fftn", (np.ones((2, 3)),), dict(axes=(0, 0))),
    ("fftn", (np.ones((2, 3)),), dict(axes=(0, 4))),
    ("fftn", (np.ones((2, 3)),), dict(s=(2, 3, 4))),
    ("fftn", (np.ones((2, 3)),), dict(s=(2, 0), axes=(0, 1))),
    ("fftn", (np.ones((2, 3)),), dict(s=(2,), axes=(0, 1))),
    ("rfftn", (np.ones((2, 3)),), dict(axes=())),
    ("fft", (np.ones(4),), dict(n=2.5)),
]


@pytest.mark.parametrize("name, args, kwargs", DECLINED_ERRORS,
                         ids=[f"{e[0]}-{i}" for i, e in enumerate(DECLINED_ERRORS)])
def test_bad_arguments_get_scipys_error(calls, name, args, kwargs):
    theirs = _error(getattr(scipy_fft, name), *args, **kwargs)
    assert theirs is not None
    with scipy_fft.set_backend(hfft):
        ours = _error(getattr(scipy_fft, name), *args, **kwargs)
    assert type(ours) is type(theirs) and str(ours) == str(theirs)
    assert not calls


def test_declined():
    """What hostlib does not compute goes to scipy: other transforms, long
    double, masked arrays; with only=True, scipy says nothing served it."""
    x = data((4, 8), np.float64)
    with scipy_fft.set_backend(hfft):
        assert_matches(scipy_fft.dct(x), scipy_fft.dct(x).copy())
        ld = x.astype(np.longdouble)
        got = scipy_fft.fft(ld)
        assert got.dtype == np.clongdouble and np.array_equal(got, scipy_fft.fft(ld))
        m = np.ma.array(x)
        assert_matches(np.asarray(scipy_fft.fft(m)), scipy_fft.fft(x))
    with scipy_fft.set_backend(hfft, only=True):
        with pytest.raises(Exception, match="No selected backends"):
            scipy_fft.dct(x)
    assert hfft.__ua_function__(scipy_fft.fht, (x[0], 1.0, 0.0), {}) is NotImplemented


def test_empty_axes_left_to_scipy():
    x = data((2, 3), np.complex128)
    with scipy_fft.set_backend(hfft):
        assert scipy_fft.fftn(x, axes=()) is x
