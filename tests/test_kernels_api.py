"""The numpy-facing Python API: hostlib.exp/log/sqrt/sin/cos (ufuncs),
dot, axpy, scal, asum, nrm2, sum and gemm.

Every result is compared with numpy (or with an exactly rounded sum), for
every usable backend that provides the entry in question, across sizes
around the vector widths, strided/negative/non-contiguous views, both
dtypes, and the documented error cases.

Tolerances: reductions within the reassociation bound
``(n + 2) * eps * sum(|terms|)`` of the exact sum (plus gradual-underflow
slack), elementwise math within 4 ULP of numpy, scal exactly (one IEEE
multiplication), axpy and gemm within their rounding bounds.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import hostlib

DTYPES = [np.float32, np.float64]
SIZES = list(range(34)) + [63, 64, 65, 127, 128, 129, 1000]
STEPS = [1, -1, 2, -2, 3]
UFUNCS = ["exp", "log", "sqrt", "sin", "cos"]

HYPO = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def _providers(entry: str) -> list[str]:
    """Usable backends that provide ``entry`` (the portable table provides all)."""
    return [b.name for b in hostlib.backends() if b.usable and entry in b.provides]


ALL_BACKENDS = [b.name for b in hostlib.backends() if b.usable]


@pytest.fixture(autouse=True)
def _restore_selection():
    # the selection is process-wide: put back whatever was selected before
    host = hostlib._kernels_host
    before = host.preference
    yield
    host.use(before)


def backend_params(*entries: str):
    names = sorted({n for e in entries for n in _providers(e)})
    return pytest.mark.parametrize("backend", names)


def strided(rng, n, dtype, step, low=-1.0, high=1.0):
    """A length-n view with the given element step (negative: reversed)."""
    base = rng.uniform(low, high, size=abs(step) * n + 1).astype(dtype)
    view = base[::step][:n]
    assert view.shape == (n,)
    return view


def eps(dtype):
    return float(np.finfo(dtype).eps)


def assert_sum_close(got, exact, abs_terms, n, dtype, what=""):
    bound = (n + 2) * eps(dtype) * abs_terms + (n + 1) * float(np.finfo(dtype).smallest_subnormal)
    assert abs(float(got) - exact) <= bound, f"{what}: got {got!r}, exact {exact!r}, bound {bound!r}"


# ---------------------------------------------------------------- ufuncs


def test_ufuncs_are_numpy_ufuncs():
    for name in UFUNCS:
        uf = getattr(hostlib, name)
        assert isinstance(uf, np.ufunc)
        assert uf.__name__ == name
        assert (uf.nin, uf.nout) == (1, 1)
        assert uf.types == ["f->f", "d->d"]
        assert "hostlib" in uf.__doc__ and "backend" in uf.__doc__


def test_ufuncs_pickle_and_methods():
    import pickle

    for name in UFUNCS:
        uf = getattr(hostlib, name)
        assert pickle.loads(pickle.dumps(uf)) is uf
        x = np.linspace(0.25, 2.0, 8)
        want = x.copy()
        idx = [0, 3, 3, 7]
        getattr(np, name).at(want, idx)
        uf.at(x, idx)
        np.testing.assert_array_max_ulp(x, want, maxulp=8)


def _ufunc_domain(name, rng, n, dtype):
    f = np.finfo(dtype)
    if name == "exp":
        hi = math.log(float(f.max))
        return rng.uniform(-hi * 1.05, hi * 0.999, n).astype(dtype)
    if name in ("log", "sqrt"):
        # magnitudes from subnormal to max
        lo, hi = math.log10(float(f.smallest_subnormal)), math.log10(float(f.max))
        return (10.0 ** rng.uniform(lo, hi, n)).astype(dtype)
    # sin, cos: mostly moderate arguments, some large ones
    small = rng.uniform(-10, 10, n)
    large = rng.uniform(-1e4, 1e4, n)
    return np.where(rng.random(n) < 0.8, small, large).astype(dtype)


@pytest.mark.parametrize("name", UFUNCS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ufunc_matches_numpy(name, dtype):
    ch = "s" if dtype == np.float32 else "d"
    rng = np.random.default_rng(1234)
    for backend in _providers(ch + name):
        with hostlib.using(backend):
            for n in SIZES + [4099]:
                x = _ufunc_domain(name, rng, n, dtype)
                got = getattr(hostlib, name)(x)
                want = getattr(np, name)(x)
                assert got.dtype == want.dtype == dtype
                np.testing.assert_array_max_ulp(got, want, maxulp=4, dtype=dtype)


@pytest.mark.parametrize("name", UFUNCS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", [-1, 2, -3])
def test_ufunc_strided_input_and_output(name, dtype, step):
    rng = np.random.default_rng(7)
    x = np.abs(strided(rng, 77, dtype, step, 0.1, 3.0))
    out_base = np.full(77 * 2, -7.0, dtype=dtype)
    out = out_base[::-2]
    r = getattr(hostlib, name)(x, out=out)
    assert r is out
    np.testing.assert_array_max_ulp(out, getattr(np, name)(x), maxulp=4, dtype=dtype)
    # the elements between the output's are untouched
    assert np.all(out_base[-2::-2] == -7.0)


@pytest.mark.parametrize("name", UFUNCS)
def test_ufunc_2d_noncontiguous_and_fortran(name):
    rng = np.random.default_rng(3)
    a = rng.uniform(0.1, 5.0, (9, 14))
    for x in (a[::-2, ::3], np.asfortranarray(a), a.T, a[:, 1:]):
        np.testing.assert_array_max_ulp(getattr(hostlib, name)(x), getattr(np, name)(x), maxulp=4)


@pytest.mark.parametrize("name", UFUNCS)
def test_ufunc_broadcasting_out_where(name):
    rng = np.random.default_rng(5)
    col = rng.uniform(0.1, 4.0, (5, 1))
    out = np.zeros((5, 6))
    want = np.zeros((5, 6))
    getattr(hostlib, name)(col, out=out)
    getattr(np, name)(col, out=want)
    np.testing.assert_array_max_ulp(out, want, maxulp=4)

    x = rng.uniform(0.1, 4.0, (5, 6))
    mask = rng.random((1, 6)) < 0.5
    out = np.full((5, 6), 42.0)
    want = np.full((5, 6), 42.0)
    getattr(hostlib, name)(x, out=out, where=mask)
    getattr(np, name)(x, out=want, where=mask)
    np.testing.assert_array_max_ulp(out, want, maxulp=4)
    assert np.all(out[:, ~mask[0]] == 42.0)

    # out of another dtype: computed, then cast by numpy
    out32 = np.empty((5, 6), dtype=np.float32)
    getattr(hostlib, name)(x, out=out32, casting="same_kind")
    np.testing.assert_array_max_ulp(out32, getattr(np, name)(x).astype(np.float32), maxulp=1)


@pytest.mark.parametrize("name", UFUNCS)
def test_ufunc_dtypes_and_casting(name):
    f, g = getattr(hostlib, name), getattr(np, name)
    for dtype in (np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64, np.uint64, np.bool_):
        x = np.arange(1, 12).astype(dtype)
        # numpy's type resolution: the first loop the input casts to safely
        # (numpy's own ufuncs also have a float16 loop, ours do not)
        expected = np.float32 if np.can_cast(dtype, np.float32) else np.float64
        got = f(x)
        assert got.dtype == expected, dtype
        np.testing.assert_array_max_ulp(got, g(x.astype(expected)), maxulp=4, dtype=expected)
    x = np.linspace(0.5, 3.0, 11, dtype=np.float32)
    got = f(x, dtype=np.float64)
    assert got.dtype == np.float64
    np.testing.assert_array_max_ulp(got, g(x.astype(np.float64)), maxulp=4)
    # float16 is computed with the float32 loop (numpy has an own float16 loop)
    h = np.linspace(0.5, 3.0, 11, dtype=np.float16)
    got = f(h)
    assert got.dtype == np.float32
    np.testing.assert_array_max_ulp(got, g(h.astype(np.float32)), maxulp=4)
    # Python scalars and lists
    s = f(1.5)
    assert isinstance(s, np.float64)
    np.testing.assert_array_max_ulp(s, g(1.5), maxulp=4)
    np.testing.assert_array_max_ulp(f([0.5, 1.5]), g([0.5, 1.5]), maxulp=4)
    # ufunc machinery: methods and non-native byte order
    be = np.linspace(0.5, 3.0, 11).astype(">f8")
    np.testing.assert_array_max_ulp(f(be), g(be.astype(np.float64)), maxulp=4)
    with pytest.raises(TypeError):
        f(np.array([1 + 1j]))
    with pytest.raises(TypeError):
        f(np.array([1.0]), out=np.empty(1, dtype=np.int64))


def _specials(dtype):
    f = np.finfo(dtype)
    return np.array(
        [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, f.smallest_subnormal, -f.smallest_subnormal,
         f.smallest_normal, f.max, -f.max, 2.0, 0.5, np.pi, -np.pi / 2],
        dtype=dtype,
    )


@pytest.mark.parametrize("name", UFUNCS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_ufunc_special_values(name, dtype):
    ch = "s" if dtype == np.float32 else "d"
    x = _specials(dtype)
    with np.errstate(all="ignore"):
        want = getattr(np, name)(x)
        for backend in _providers(ch + name):
            with hostlib.using(backend):
                for view in (x, x[::-1]):  # also through the strided path
                    got = getattr(hostlib, name)(view)
                    ref = want if view is x else want[::-1]
                    assert np.array_equal(np.isnan(got), np.isnan(ref)), (backend, view, got, ref)
                    fin = ~np.isnan(ref)
                    assert np.array_equal(np.isinf(got[fin]), np.isinf(ref[fin])), (backend, got, ref)
                    np.testing.assert_array_max_ulp(got[fin], ref[fin], maxulp=4, dtype=dtype)
                    zero = fin & (ref == 0)
                    assert np.array_equal(np.signbit(got[zero]), np.signbit(ref[zero])), (backend, got, ref)


def test_ufunc_floating_point_errors_reach_errstate():
    with pytest.warns(RuntimeWarning, match="invalid value"):
        hostlib.log(-1.0)
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        hostlib.log(np.float32(0.0))
    with np.errstate(invalid="raise"):
        with pytest.raises(FloatingPointError):
            hostlib.sqrt(np.array([-1.0, 4.0]))
    with np.errstate(all="ignore"):
        assert np.isnan(hostlib.log(-1.0))


def test_ufunc_misaligned_data_is_correct():
    # numpy copies misaligned operands of legacy loops; the result must be right
    y = np.ndarray((40,), dtype=np.float64, buffer=bytearray(8 * 40 + 1), offset=1)
    assert not y.flags.aligned
    y[:] = np.linspace(0.5, 4.0, 40)
    out = np.ndarray((40,), dtype=np.float64, buffer=bytearray(8 * 40 + 1), offset=1)
    for name in UFUNCS:
        getattr(hostlib, name)(y, out=out)
        np.testing.assert_array_max_ulp(out, getattr(np, name)(np.linspace(0.5, 4.0, 40)), maxulp=4)


@HYPO
@given(data=st.data(), dtype=st.sampled_from(DTYPES), name=st.sampled_from(UFUNCS))
def test_ufunc_hypothesis(data, dtype, name):
    x = data.draw(hnp.arrays(dtype, hnp.array_shapes(max_dims=2, max_side=40), elements=hnp.from_dtype(np.dtype(dtype))))
    with np.errstate(all="ignore"):
        want = getattr(np, name)(x)
        ch = "s" if dtype == np.float32 else "d"
        for backend in _providers(ch + name):
            with hostlib.using(backend):
                got = getattr(hostlib, name)(x)
                assert np.array_equal(np.isnan(got), np.isnan(want))
                fin = ~np.isnan(want)
                np.testing.assert_array_max_ulp(got[fin], want[fin], maxulp=4, dtype=dtype)


# ---------------------------------------------------------------- level 1: reductions


def _exact_dot(x, y):
    return math.fsum((x.astype(np.float64) * y.astype(np.float64)).tolist())


@backend_params("sdot", "ddot")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", [(1, 1), (-1, 1), (2, -2), (3, 1), (1, -3)])
def test_dot(backend, dtype, steps):
    rng = np.random.default_rng(11)
    with hostlib.using(backend):
        for n in SIZES + [4096, 5000]:
            x = strided(rng, n, dtype, steps[0])
            y = strided(rng, n, dtype, steps[1])
            got = hostlib.dot(x, y)
            assert type(got) is type(np.dot(x, y)) is np.dtype(dtype).type
            prods = np.abs(x.astype(np.float64) * y.astype(np.float64))
            assert_sum_close(got, _exact_dot(x, y), math.fsum(prods.tolist()), n, dtype, f"n={n}")


def test_dot_types_and_conversions():
    x64 = np.array([1.0, 2.0, 3.0])
    x32 = x64.astype(np.float32)
    assert isinstance(hostlib.dot(x32, x32), np.float32)
    assert isinstance(hostlib.dot(x64, x64), np.float64)
    assert isinstance(hostlib.dot(x32, x64), np.float64)
    assert isinstance(hostlib.dot(x32, x64.astype(np.float16)), np.float32)
    assert isinstance(hostlib.dot([1, 2, 3], [4, 5, 6]), np.float64)
    assert hostlib.dot([1, 2, 3], [4, 5, 6]) == np.dot([1, 2, 3], [4, 5, 6])
    assert hostlib.dot([True, False], [3, 4]) == 3.0
    assert hostlib.dot(x32, x64) == np.dot(x32.astype(np.float64), x64)
    assert hostlib.dot([], []) == 0.0 and isinstance(hostlib.dot([], []), np.float64)
    assert isinstance(hostlib.dot(x32[:0], x32[:0]), np.float32)
    # byte-swapped, misaligned and odd-stride inputs are copied, not misread
    rng = np.random.default_rng(2)
    v = rng.standard_normal(50)
    w = rng.standard_normal(50)
    want = np.dot(v, w)
    swapped = v.astype(">f8")
    misaligned = np.ndarray((50,), dtype=np.float64, buffer=bytearray(8 * 50 + 3), offset=3)
    misaligned[:] = v
    odd = np.ndarray((50,), dtype=np.float64, buffer=bytearray(12 * 50), strides=(12,))
    odd[:] = v
    for xv in (swapped, misaligned, odd):
        assert math.isclose(hostlib.dot(xv, w), want, rel_tol=1e-12, abs_tol=1e-12)
    # zero stride (broadcast) is passed as stride 0
    b = np.broadcast_to(np.float64(2.0), (50,))
    assert math.isclose(hostlib.dot(b, w), 2.0 * math.fsum(w.tolist()), rel_tol=1e-12, abs_tol=1e-12)


_REDUCTIONS = {
    "sum": (lambda x: math.fsum(x.astype(np.float64).tolist()), lambda x: np.abs(x.astype(np.float64))),
    "asum": (lambda x: math.fsum(np.abs(x.astype(np.float64)).tolist()), lambda x: np.abs(x.astype(np.float64))),
}


@pytest.mark.parametrize("name", ["sum", "asum"])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", STEPS)
def test_sum_asum(name, dtype, step):
    ch = "s" if dtype == np.float32 else "d"
    exact, terms = _REDUCTIONS[name]
    rng = np.random.default_rng(13)
    for backend in _providers(ch + name):
        with hostlib.using(backend):
            for n in SIZES + [4096, 5001]:
                x = strided(rng, n, dtype, step, -100, 100)
                got = getattr(hostlib, name)(x)
                assert type(got) is np.dtype(dtype).type
                assert_sum_close(got, exact(x), math.fsum(terms(x).tolist()), n, dtype, f"{backend} n={n}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", STEPS)
def test_nrm2(dtype, step):
    ch = "s" if dtype == np.float32 else "d"
    rng = np.random.default_rng(17)
    for backend in _providers(ch + "nrm2"):
        with hostlib.using(backend):
            for n in SIZES + [4096]:
                x = strided(rng, n, dtype, step, -3, 3)
                got = hostlib.nrm2(x)
                assert type(got) is np.dtype(dtype).type
                want = math.hypot(*x.astype(np.float64).tolist())
                assert abs(float(got) - want) <= (n + 4) * eps(dtype) * want, (backend, n, got, want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nrm2_does_not_overflow_or_underflow(dtype):
    f = np.finfo(dtype)
    for backend in _providers(("s" if dtype == np.float32 else "d") + "nrm2"):
        with hostlib.using(backend):
            for scale in (float(f.max) / 16, float(f.smallest_normal) * 4, float(f.smallest_subnormal) * 8):
                x = np.array([3.0, 4.0, 0.0, 12.0], dtype=np.float64) * scale
                x = x.astype(dtype)
                want = 13.0 * scale
                got = float(hostlib.nrm2(x))
                assert math.isfinite(got) and got > 0, (backend, scale, got)
                assert abs(got - want) <= 8 * eps(dtype) * want + float(f.smallest_subnormal) * 4, (backend, scale, got)


@pytest.mark.parametrize("scale", [1e-30, 1e-20, 3e-13, 1.0, 1e17, 1e19, 1e30])
def test_snrm2_float32_sum_around_its_limits(scale):
    # float32 nrm2 sums squares in float32 (blocks combined in float64) and
    # redoes in float64 what overflowed or may have lost bits to underflow:
    # these scales put the squares, and their sum, on either side of those
    # limits. The error stays within the documented bound of ~9 units.
    rng = np.random.default_rng(23)
    for backend in _providers("snrm2"):
        with hostlib.using(backend):
            for n in (1, 17, 1000, 5000):
                x = (rng.standard_normal(n) * scale).astype(np.float32)
                if n > 1:
                    x[n // 2] = np.float32(scale * 50)  # one large element among small ones
                want = math.hypot(*x.astype(np.float64).tolist())
                got = float(hostlib.nrm2(x))
                assert abs(got - want) <= 10 * eps(np.float32) * want, (backend, n, scale, got, want)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nrm2_special_values(dtype):
    # documented: inf if any element is inf, else nan if any is nan
    for backend in _providers(("s" if dtype == np.float32 else "d") + "nrm2"):
        with hostlib.using(backend):
            for n in (2, 7, 40):
                x = np.ones(n, dtype=dtype)
                x[0] = np.nan
                assert np.isnan(hostlib.nrm2(x))
                x[-1] = -np.inf
                assert hostlib.nrm2(x) == np.inf
                x[0] = 1.0
                assert hostlib.nrm2(x) == np.inf
                assert hostlib.nrm2(x[::-1]) == np.inf


def test_reduction_dtypes():
    for f in (hostlib.sum, hostlib.asum, hostlib.nrm2):
        assert isinstance(f([1, 2, 3]), np.float64)
        assert isinstance(f(np.arange(4, dtype=np.int8)), np.float64)
        assert isinstance(f(np.arange(4, dtype=np.uint64)), np.float64)
        assert isinstance(f(np.ones(3, dtype=bool)), np.float64)
        assert isinstance(f(np.ones(3, dtype=np.float16)), np.float32)
        assert isinstance(f(np.ones(3, dtype=np.float32)), np.float32)
        assert isinstance(f(np.ones(3, dtype=np.float64)), np.float64)
        for empty in ([], np.zeros(0, np.float32)):
            r = f(empty)
            assert r == 0.0 and not np.signbit(r)
    assert hostlib.sum(np.array([True, True, False])) == 2.0
    assert hostlib.sum(np.arange(-5, 100, dtype=np.int16)) == np.sum(np.arange(-5, 100))
    assert hostlib.asum([-1, 2, -3]) == 6.0
    assert hostlib.nrm2(np.array([3, 4], dtype=np.int64)) == 5.0
    assert hostlib.sum(np.arange(10.0)[::-3]) == np.sum(np.arange(10.0)[::-3])


@HYPO
@given(data=st.data(), dtype=st.sampled_from(DTYPES), step=st.sampled_from(STEPS))
def test_reductions_hypothesis(data, dtype, step):
    lim = float(np.float32(1e15)) if dtype == np.float32 else 1e100
    base = data.draw(
        hnp.arrays(dtype, st.integers(0, 300), elements=st.floats(-lim, lim, width=np.dtype(dtype).itemsize * 8))
    )
    x = base[::step]
    m = data.draw(hnp.arrays(dtype, x.shape, elements=st.floats(-lim, lim, width=np.dtype(dtype).itemsize * 8)))
    n = x.shape[0]
    ch = "s" if dtype == np.float32 else "d"
    absx = np.abs(x.astype(np.float64))
    for backend in ALL_BACKENDS:
        with hostlib.using(backend):
            assert_sum_close(hostlib.sum(x), math.fsum(x.astype(np.float64).tolist()), math.fsum(absx.tolist()), n, dtype, "sum")
            assert_sum_close(hostlib.asum(x), math.fsum(absx.tolist()), math.fsum(absx.tolist()), n, dtype, "asum")
            prods = np.abs(x.astype(np.float64) * m.astype(np.float64))
            assert_sum_close(hostlib.dot(x, m), _exact_dot(x, m), math.fsum(prods.tolist()), n, dtype, "dot")
            want = math.hypot(*x.astype(np.float64).tolist())
            got = float(hostlib.nrm2(x))
            tiny = float(np.finfo(dtype).smallest_subnormal)
            assert abs(got - want) <= (n + 4) * eps(dtype) * want + 4 * tiny, (backend, ch, got, want)


# ---------------------------------------------------------------- level 1: in place


@backend_params("saxpy", "daxpy")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("steps", [(1, 1), (-1, 1), (2, -2), (1, 3), (-3, -1)])
def test_axpy(backend, dtype, steps):
    rng = np.random.default_rng(19)
    with hostlib.using(backend):
        for n in SIZES + [4096, 5000]:
            x = strided(rng, n, dtype, steps[0])
            ybase = rng.uniform(-1, 1, abs(steps[1]) * n + 1).astype(dtype)
            y = ybase[:: steps[1]][:n]
            y0 = y.copy()
            base0 = ybase.copy()
            alpha = float(rng.uniform(-3, 3))
            a = np.float64(dtype(alpha))
            r = hostlib.axpy(alpha, x, y)
            assert r is y
            exact = y0.astype(np.float64) + a * x.astype(np.float64)
            bound = 2 * eps(dtype) * (np.abs(y0.astype(np.float64)) + np.abs(a * x.astype(np.float64)))
            assert np.all(np.abs(y.astype(np.float64) - exact) <= bound), (n, steps)
            # nothing outside the view changed
            mask = np.ones(ybase.shape, bool)
            mask[np.arange(ybase.size)[:: steps[1]][:n]] = False
            assert np.array_equal(ybase[mask], base0[mask])


@backend_params("sscal", "dscal")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("step", STEPS)
def test_scal(backend, dtype, step):
    rng = np.random.default_rng(23)
    with hostlib.using(backend):
        for n in SIZES + [4096, 5000]:
            base = rng.uniform(-10, 10, abs(step) * n + 1).astype(dtype)
            x = base[::step][:n]
            base0 = base.copy()
            alpha = float(rng.uniform(-3, 3))
            want = x * dtype(alpha)  # one IEEE multiplication: exact
            r = hostlib.scal(alpha, x)
            assert r is x
            np.testing.assert_array_equal(x, want)
            mask = np.ones(base.shape, bool)
            mask[np.arange(base.size)[::step][:n]] = False
            assert np.array_equal(base[mask], base0[mask])


def test_axpy_conversions():
    y = np.zeros(4, dtype=np.float32)
    hostlib.axpy(2, [1, 2, 3, 4], y)  # list of ints -> float32 (same_kind)
    np.testing.assert_array_equal(y, [2, 4, 6, 8])
    hostlib.axpy(np.float32(0.5), np.array([2.0, 2.0, 2.0, 2.0]), y)  # float64 x into float32 y
    np.testing.assert_array_equal(y, [3, 5, 7, 9])
    y64 = np.ones(3)
    hostlib.axpy(1.0, np.array([1, 2, 3], dtype=">f4"), y64)
    np.testing.assert_array_equal(y64, [2, 3, 4])
    empty = np.zeros(0)
    assert hostlib.axpy(1.0, [], empty) is empty
    assert hostlib.scal(2.0, empty) is empty


def test_axpy_overlapping_operands_behave_like_a_copy():
    rng = np.random.default_rng(29)
    for n in (5, 64, 5000):
        a = rng.standard_normal(n + 1)
        # shifted views of one buffer
        for xs, ys in ((slice(0, n), slice(1, n + 1)), (slice(1, n + 1), slice(0, n))):
            b = a.copy()
            want = b[ys] + 0.5 * b[xs]
            hostlib.axpy(0.5, b[xs], b[ys])
            np.testing.assert_allclose(b[ys], want, rtol=1e-15, atol=1e-15)
        # reversed view of itself
        b = a.copy()
        want = b + 2.0 * b[::-1]
        hostlib.axpy(2.0, b[::-1], b)
        np.testing.assert_allclose(b, want, rtol=1e-15, atol=1e-15)
        # the very same view: y += alpha * y
        b = a.copy()
        want = b + 3.0 * b
        hostlib.axpy(3.0, b, b)
        np.testing.assert_allclose(b, want, rtol=1e-15, atol=1e-15)
        # interleaved, disjoint: no copy needed, still right
        c = rng.standard_normal(2 * n)
        want = c[1::2] - c[0::2]
        hostlib.axpy(-1.0, c[0::2], c[1::2])
        np.testing.assert_allclose(c[1::2], want, rtol=1e-15, atol=1e-15)


def test_level1_from_threads():
    rng = np.random.default_rng(31)
    xs = [rng.standard_normal(200_000) for _ in range(4)]
    wants = [math.fsum((x * x).tolist()) for x in xs]
    results = [None] * 4

    def work(i):
        results[i] = [hostlib.dot(xs[i], xs[i]) for _ in range(20)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for want, got in zip(wants, results):
        assert all(math.isclose(g, want, rel_tol=1e-10) for g in got)


# ---------------------------------------------------------------- gemm


def _layout(arr, kind, rng):
    """A copy of the logical matrix ``arr`` in the given memory layout."""
    r, s = arr.shape
    if kind == "C":
        return np.array(arr, order="C")
    if kind == "F":
        return np.array(arr, order="F")
    if kind == "rows":  # unit inner stride, row stride > row length
        big = np.full((r, s + 3), np.nan, dtype=arr.dtype)
        big[:, 1 : s + 1] = arr
        return big[:, 1 : s + 1]
    if kind == "cols":  # unit outer stride, column stride > column length
        big = np.full((s, r + 2), np.nan, dtype=arr.dtype).T
        big[1 : r + 1, :] = arr
        return big[1 : r + 1, :]
    if kind == "strided":  # no unit stride at all
        big = np.full((2 * r, 3 * s), np.nan, dtype=arr.dtype)
        big[::2, ::3] = arr
        return big[::2, ::3]
    if kind == "neg":  # negative row stride
        return np.ascontiguousarray(arr[::-1])[::-1]
    if kind == "list":
        return arr.tolist()
    raise AssertionError(kind)


def _gemm_check(got, a, b, c0, alpha, beta, ta, tb, dtype):
    A = np.asarray(a, dtype=np.float64)
    B = np.asarray(b, dtype=np.float64)
    opa = A.T if ta else A
    opb = B.T if tb else B
    want = alpha * (opa @ opb)
    mag = abs(alpha) * (np.abs(opa) @ np.abs(opb))
    if c0 is not None and beta != 0:
        want = want + beta * c0.astype(np.float64)
        mag = mag + abs(beta) * np.abs(c0.astype(np.float64))
    k = opa.shape[1]
    # relative rounding, plus gradual underflow (half a subnormal step per operation)
    bound = (k + 3) * eps(dtype) * mag + (3 * k + 4) * float(np.finfo(dtype).smallest_subnormal)
    assert got.shape == want.shape
    assert np.all(np.abs(got.astype(np.float64) - want) <= bound), np.max(np.abs(got - want) - bound)


GEMM_SHAPES = [(1, 1, 1), (2, 3, 4), (7, 1, 5), (1, 9, 1), (17, 33, 9), (65, 31, 66)]
LAYOUTS = ["C", "F", "rows", "cols", "strided", "neg"]


@backend_params("sgemm", "dgemm")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [False, True])
@pytest.mark.parametrize("tb", [False, True])
@pytest.mark.parametrize("la", LAYOUTS)
@pytest.mark.parametrize("lb", LAYOUTS)
def test_gemm_layouts_and_transposes(backend, dtype, ta, tb, la, lb):
    rng = np.random.default_rng(37)
    with hostlib.using(backend):
        for m, k, n in GEMM_SHAPES:
            a0 = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(dtype)
            b0 = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(dtype)
            a, b = _layout(a0, la, rng), _layout(b0, lb, rng)
            a_before, b_before = np.array(a), np.array(b)
            got = hostlib.gemm(a, b, trans_a=ta, trans_b=tb)
            assert got.dtype == dtype and got.flags.c_contiguous
            _gemm_check(got, a0, b0, None, 1.0, 0.0, ta, tb, dtype)
            # inputs are not modified
            assert np.array_equal(np.array(a), a_before, equal_nan=True)
            assert np.array_equal(np.array(b), b_before, equal_nan=True)


@backend_params("sgemm", "dgemm")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lc", ["C", "F", "rows", "cols"])
@pytest.mark.parametrize("alpha,beta", [(1.0, 0.0), (2.5, 0.0), (-1.0, 1.0), (0.5, -2.0), (0.0, 3.0)])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_into_c(backend, dtype, lc, alpha, beta, ta, tb):
    rng = np.random.default_rng(41)
    with hostlib.using(backend):
        for m, k, n in GEMM_SHAPES:
            a0 = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(dtype)
            b0 = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(dtype)
            c0 = rng.uniform(-1, 1, (m, n)).astype(dtype)
            c = _layout(c0, lc, rng)
            got = hostlib.gemm(a0, b0, c, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
            assert got is c
            _gemm_check(c, a0, b0, c0, alpha, beta, ta, tb, dtype)
            if lc in ("rows", "cols"):
                # the padding around the view is untouched (still nan)
                assert np.isnan(c.base).sum() == c.base.size - c.size


@backend_params("sgemm", "dgemm")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lc", ["C", "F"])
def test_gemm_beta_zero_does_not_read_c(backend, dtype, lc):
    rng = np.random.default_rng(43)
    with hostlib.using(backend):
        for m, k, n in GEMM_SHAPES + [(3, 0, 4)]:
            a = rng.uniform(-1, 1, (m, k)).astype(dtype)
            b = rng.uniform(-1, 1, (k, n)).astype(dtype)
            for fill in (np.nan, np.inf):
                c = _layout(np.full((m, n), fill, dtype=dtype), lc, rng)
                hostlib.gemm(a, b, c, alpha=1.5, beta=0.0)
                assert np.all(np.isfinite(c))
                _gemm_check(c, a, b, None, 1.5, 0.0, False, False, dtype)


def test_gemm_degenerate_shapes():
    for m, k, n in [(0, 3, 4), (3, 4, 0), (0, 0, 0), (3, 0, 4)]:
        a, b = np.ones((m, k)), np.ones((k, n))
        got = hostlib.gemm(a, b)
        np.testing.assert_array_equal(got, np.matmul(a, b))
        c = np.full((m, n), 2.0)
        hostlib.gemm(a, b, c, beta=0.5)
        np.testing.assert_array_equal(c, np.full((m, n), 1.0) + a @ b)


def test_gemm_dtypes():
    a32 = np.ones((2, 3), np.float32)
    b32 = np.ones((3, 2), np.float32)
    assert hostlib.gemm(a32, b32).dtype == np.float32
    assert hostlib.gemm(a32, b32.astype(np.float16)).dtype == np.float32
    assert hostlib.gemm(a32, b32.astype(np.float64)).dtype == np.float64
    assert hostlib.gemm([[1, 2]], [[3], [4]]).dtype == np.float64
    np.testing.assert_array_equal(hostlib.gemm([[1, 2]], [[3], [4]]), [[11.0]])
    # c's dtype decides: float64 inputs into a float32 c (same_kind)
    c = np.zeros((2, 2), np.float32)
    hostlib.gemm(a32.astype(np.float64), b32.astype(np.float64), c)
    np.testing.assert_array_equal(c, np.full((2, 2), 3.0))
    # byte-swapped inputs are converted
    got = hostlib.gemm(np.arange(6.0).reshape(2, 3).astype(">f8"), np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(got, np.arange(6.0).reshape(2, 3) @ np.arange(6.0).reshape(3, 2))


def test_gemm_c_overlapping_an_input():
    rng = np.random.default_rng(47)
    for n in (3, 40):
        a = rng.standard_normal((n, n))
        b = rng.standard_normal((n, n))
        want = a @ b + 0.5 * a
        a_copy = a.copy()
        hostlib.gemm(a, b, a, beta=0.5)
        np.testing.assert_allclose(a, want, rtol=1e-12, atol=1e-12)
        # c is a transposed view of b
        b2 = b.copy()
        want = a_copy @ b2 + b2.T
        hostlib.gemm(a_copy, b2, b2.T, beta=1.0)
        np.testing.assert_allclose(b2.T, want, rtol=1e-12, atol=1e-12)


@HYPO
@given(
    m=st.integers(1, 24), k=st.integers(1, 24), n=st.integers(1, 24),
    ta=st.booleans(), tb=st.booleans(), dtype=st.sampled_from(DTYPES),
    la=st.sampled_from(LAYOUTS), lb=st.sampled_from(LAYOUTS), lc=st.sampled_from(["C", "F", "rows", "cols"]),
    alpha=st.floats(-4, 4), beta=st.floats(-4, 4), seed=st.integers(0, 2**32 - 1),
)
def test_gemm_hypothesis(m, k, n, ta, tb, dtype, la, lb, lc, alpha, beta, seed):
    rng = np.random.default_rng(seed)
    a0 = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(dtype)
    b0 = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(dtype)
    c0 = rng.uniform(-1, 1, (m, n)).astype(dtype)
    a32 = np.float64(dtype(alpha))
    b32 = np.float64(dtype(beta))
    for backend in _providers("dgemm"):
        with hostlib.using(backend):
            c = _layout(c0, lc, rng)
            hostlib.gemm(_layout(a0, la, rng), _layout(b0, lb, rng), c, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
            _gemm_check(c, a0, b0, c0, a32, b32, ta, tb, dtype)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["dot", "sum", "asum", "nrm2"])
def test_input_shape_and_dtype_errors(name):
    f = getattr(hostlib, name)

    def call(x):
        return f(x, x) if name == "dot" else f(x)

    with pytest.raises(ValueError, match=r"1-D.*shape \(\)"):
        call(np.float64(1.0))
    with pytest.raises(ValueError, match=r"1-D.*shape \(2, 3\)"):
        call(np.ones((2, 3)))
    for bad, spelled in (
        (np.ones(3, np.complex128), "complex128"),
        (np.array([1, "a"], dtype=object), "object"),
        (np.array(["ab", "c"]), "<U2"),
        (np.ones(3, np.longdouble), str(np.dtype(np.longdouble))),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetime64"),
    ):
        with pytest.raises(TypeError, match=spelled.replace("[", r"\[")):
            call(bad)


def test_dot_length_mismatch():
    with pytest.raises(ValueError, match=r"3 and 4"):
        hostlib.dot(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match=r"0 and 1"):
        hostlib.dot([], [1.0])
    with pytest.raises(TypeError, match="complex128"):
        hostlib.dot(np.ones(3), np.ones(3, complex))


@pytest.mark.parametrize("name", ["axpy", "scal"])
def test_in_place_errors(name):
    def call(arr, x=None, alpha=2.0):
        if name == "axpy":
            return hostlib.axpy(alpha, np.ones(len(arr)) if x is None else x, arr)
        return hostlib.scal(alpha, arr)

    with pytest.raises(TypeError, match="list"):
        call([1.0, 2.0])
    for dt in (np.int64, np.complex128, np.float16, ">f8"):
        with pytest.raises(TypeError, match=str(np.dtype(dt)).replace("[", r"\[")):
            call(np.ones(3, dtype=dt))
    with pytest.raises(ValueError, match=r"1-D.*\(2, 2\)"):
        call(np.ones((2, 2)), x=np.ones(4))
    ro = np.ones(4)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        call(ro)
    odd = np.ndarray((3,), dtype=np.float64, buffer=bytearray(64), strides=(12,))
    with pytest.raises(ValueError):
        call(odd)
    misaligned = np.ndarray((3,), dtype=np.float64, buffer=bytearray(64), offset=4)
    with pytest.raises(ValueError, match="aligned"):
        call(misaligned)
    zero = np.lib.stride_tricks.as_strided(np.ones(1), shape=(3,), strides=(0,), writeable=True)
    with pytest.raises(ValueError, match="stride 0"):
        call(zero)
    with pytest.raises(TypeError, match="real number"):
        call(np.ones(3), alpha=1j)
    with pytest.raises(TypeError, match="real number"):
        call(np.ones(3), alpha="2")


def test_axpy_x_errors():
    y = np.ones(3)
    with pytest.raises(ValueError, match=r"2 and 3"):
        hostlib.axpy(1.0, np.ones(2), y)
    with pytest.raises(ValueError, match=r"1-D.*\(\)"):
        hostlib.axpy(1.0, 2.0, y)
    with pytest.raises(TypeError, match="complex128.*float64"):
        hostlib.axpy(1.0, np.ones(3, complex), y)
    with pytest.raises(TypeError, match="same_kind"):
        hostlib.axpy(1.0, np.array(["a", "b", "c"]), y)
    np.testing.assert_array_equal(y, 1.0)  # untouched by the failed calls


def test_gemm_errors():
    a, b = np.ones((2, 3)), np.ones((3, 4))
    with pytest.raises(ValueError, match=r"a must be 2-D.*\(3,\)"):
        hostlib.gemm(np.ones(3), b)
    with pytest.raises(ValueError, match=r"b must be 2-D.*\(2, 3, 4\)"):
        hostlib.gemm(a, np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match=r"\(2, 3\) and \(4, 3\)"):
        hostlib.gemm(a, b.T)
    with pytest.raises(ValueError, match=r"\(3, 2\) and \(3, 4\)"):
        hostlib.gemm(a, b, trans_a=True)
    with pytest.raises(ValueError, match="beta"):
        hostlib.gemm(a, b, beta=1.0)
    with pytest.raises(ValueError, match=r"\(4, 2\).*\(2, 4\)"):
        hostlib.gemm(a, b, np.zeros((4, 2)))
    ro = np.zeros((2, 4))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        hostlib.gemm(a, b, ro)
    with pytest.raises(ValueError, match="unit stride"):
        hostlib.gemm(a, b, np.zeros((4, 8))[::2, ::2])
    with pytest.raises(ValueError, match="2-D"):
        hostlib.gemm(a, b, np.zeros(8))
    with pytest.raises(TypeError, match="list"):
        hostlib.gemm(a, b, [[0.0] * 4] * 2)
    with pytest.raises(TypeError, match="int64"):
        hostlib.gemm(a, b, np.zeros((2, 4), np.int64))
    with pytest.raises(TypeError, match="complex128"):
        hostlib.gemm(a.astype(complex), b)
    with pytest.raises(TypeError, match="complex128"):
        hostlib.gemm(a.astype(complex), b, np.zeros((2, 4)))
    with pytest.raises(TypeError, match="object"):
        hostlib.gemm(a, b.astype(object))
    with pytest.raises(TypeError, match="real number"):
        hostlib.gemm(a, b, alpha=1j)


# ------------------------------------------------------- signed zeros
@pytest.mark.parametrize("backend", [b for b in sorted({*_providers("ddot"), *_providers("dsum")})
                                     if b not in ("openblas", "mkl")])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reproducible", [False, True])
def test_a_sum_of_negative_zeros_is_negative_zero(backend, dtype, reproducible):
    """As in IEEE arithmetic and numpy: sum([-0.0]) and dot([-0.0], [1.0])
    are -0.0 (the engines' accumulators start at +0.0; issue 26). OpenBLAS
    and MKL serve their own answer (+0.0) and are left out."""
    hostlib.set_reproducible(reproducible)
    try:
        with hostlib.using(backend):
            for n in (1, 3, 17, 64, 100, 40_000):
                neg, pos = np.full(n, -0.0, dtype), np.ones(n, dtype)
                for got in (hostlib.dot(neg, pos), hostlib.dot(pos, neg), hostlib.sum(neg)):
                    assert got == 0 and np.signbit(got), (n, got)
                mixed = neg.copy()
                mixed[n // 2] = 0.0  # one +0.0 term: +0.0, as numpy
                assert not np.signbit(hostlib.sum(mixed)) and not np.signbit(hostlib.dot(mixed, pos))
                assert not np.signbit(hostlib.asum(neg))
    finally:
        hostlib.set_reproducible(False)
