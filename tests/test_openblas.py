"""The OpenBLAS forwarding backend (kernels_openblas, distribution hostlib-openblas).

Skipped when that optional wheel is not installed:

    pip install --no-build-isolation ./kernels_openblas

The table's functions are called directly through their addresses (ctypes),
so that every stride the table allows -- negative, zero, non-unit -- and
every gemm layout can be given, and each result is compared with numpy and
with hostlib's portable table.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import sys

import numpy as np
import pytest

import hostlib

kernels_openblas = pytest.importorskip(
    "kernels_openblas",
    reason="hostlib-openblas is not installed (pip install --no-build-isolation ./kernels_openblas)",
)
try:
    from kernels_openblas import _openblas
except ModuleNotFoundError as exc:  # e.g. the source folder shadows the install
    pytest.skip(f"kernels_openblas has no compiled part here ({exc})", allow_module_level=True)

HOST = hostlib._kernels_host
OB = "openblas"
FORWARDED = [p + k for k in ("axpy", "dot", "scal", "asum", "nrm2", "gemm") for p in "sd"]
NOT_FORWARDED = [p + k for k in ("sum", "exp", "log", "sqrt", "sin", "cos") for p in "sd"]
INT_MAX = 2**31 - 1
DTYPES = [np.float32, np.float64]


@pytest.fixture(autouse=True)
def _restore_state():
    before = HOST.preference
    threads = kernels_openblas.get_num_threads()
    yield
    HOST.use(before)
    _openblas._set_int_limit(INT_MAX)
    kernels_openblas.set_num_threads(threads)


def test_backend_is_usable():
    b = HOST.backends.get(OB)
    assert b is not None, "kernels_openblas is installed but hostlib did not discover it"
    assert b.usable, f"{b.status}: {b.reason}"


# ---------------------------------------------------------------- calling

S, P = ctypes.c_ssize_t, ctypes.c_void_p
_CT = {np.float32: ctypes.c_float, np.float64: ctypes.c_double}


def _proto(entry: str, T):
    kind = entry[1:]
    if kind == "axpy":
        return ctypes.CFUNCTYPE(None, S, T, P, S, P, S)
    if kind == "dot":
        return ctypes.CFUNCTYPE(T, S, P, S, P, S)
    if kind == "sum":
        return ctypes.CFUNCTYPE(T, S, P, S)
    if kind == "scal":
        return ctypes.CFUNCTYPE(None, S, T, P, S)
    if kind in ("asum", "nrm2"):
        return ctypes.CFUNCTYPE(T, S, P, S)
    if kind == "gemm":
        return ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, S, S, S, T, P, S, P, S, T, P, S)
    raise KeyError(entry)


def kernel(dtype, name: str, backend: str = OB):
    """The function `backend` provides for entry s<name>/d<name>."""
    entry = ("s" if dtype == np.float32 else "d") + name
    addr = HOST.slot_address(backend, entry)
    assert addr, f"{backend} does not provide {entry}"
    return _proto(entry, _CT[dtype])(addr)


def active_kernel(dtype, name: str):
    """The function the active (composed) table holds for the entry."""
    entry = ("s" if dtype == np.float32 else "d") + name
    return _proto(entry, _CT[dtype])(HOST.active_address(entry))


class Vec:
    """n logical elements, element i at base[off + i*inc] (numpy-style strides,
    inc may be negative or 0); guard elements around them."""

    def __init__(self, values, inc: int):
        values = np.asarray(values)
        n = len(values)
        span = (n - 1) * abs(inc) + 1 if n else 1
        self.base = np.full(span + 4, 7.0, values.dtype)
        self.off = 2 + ((n - 1) * -inc if inc < 0 and n else 0)
        self.inc = inc
        self.n = n
        self.idx = self.off + inc * np.arange(n)
        if n:
            self.base[self.idx] = values  # with inc == 0 the last value stays

    @property
    def ptr(self) -> int:
        return self.base.ctypes.data + self.off * self.base.itemsize

    @property
    def values(self):
        return self.base[self.idx]

    def guards_intact(self) -> bool:
        mask = np.ones(len(self.base), bool)
        mask[self.idx] = False
        return bool(np.all(self.base[mask] == 7.0))


def rand(rng, n, dtype):
    return rng.standard_normal(n).astype(dtype)


def eps(dtype) -> float:
    return float(np.finfo(dtype).eps)


def close(got, want, bound) -> bool:
    got, want = float(got), float(want)
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return abs(got - want) <= bound


SIZES = [0, 1, 2, 7, 100, 1003]
IN_STRIDES = [1, 3, -1, -2, 0]
OUT_STRIDES = [1, 2, -1, -3]


# ---------------------------------------------------------------- level 1


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("incx", IN_STRIDES)
@pytest.mark.parametrize("incy", IN_STRIDES)
def test_dot(dtype, n, incx, incy):
    rng = np.random.default_rng([n, incx + 5, incy + 5])
    x, y = Vec(rand(rng, n, dtype), incx), Vec(rand(rng, n, dtype), incy)
    got = kernel(dtype, "dot")(n, x.ptr, incx, y.ptr, incy)
    xv, yv = x.values.astype(np.longdouble), y.values.astype(np.longdouble)
    want = float(np.sum(xv * yv)) if n else 0.0
    bound = 2 * (n + 1) * eps(dtype) * float(np.sum(np.abs(xv * yv)))
    assert close(got, want, bound), (got, want)
    portable = kernel(dtype, "dot", "portable")(n, x.ptr, incx, y.ptr, incy)
    assert close(got, portable, 2 * bound)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("incx", IN_STRIDES)
@pytest.mark.parametrize("incy", OUT_STRIDES)
def test_axpy(dtype, n, incx, incy):
    rng = np.random.default_rng([n, incx + 5, incy + 5, 1])
    alpha = dtype(1.75)
    x, y = Vec(rand(rng, n, dtype), incx), Vec(rand(rng, n, dtype), incy)
    want = y.values.astype(np.float64) + float(alpha) * x.values.astype(np.float64)
    kernel(dtype, "axpy")(n, alpha, x.ptr, incx, y.ptr, incy)
    np.testing.assert_allclose(y.values, want, rtol=2 * eps(dtype), atol=4 * eps(dtype))
    assert y.guards_intact()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("incx", [1, -2, 0])
def test_axpy_into_one_element_goes_in_order(dtype, incx):
    # incy == 0: every step updates y[0], like hostlib's own kernels
    n = 1000
    rng = np.random.default_rng(3)
    x, y = Vec(rand(rng, n, dtype), incx), Vec(np.array([0.5], dtype), 0)
    y.n, y.idx = n, np.full(n, y.off)
    kernel(dtype, "axpy")(n, dtype(2), x.ptr, incx, y.ptr, 0)
    xv = x.values.astype(np.float64)
    want = 0.5 + 2 * math.fsum(xv)
    assert close(y.base[y.off], want, 4 * n * eps(dtype) * (0.5 + 2 * np.abs(xv).sum()))
    assert y.guards_intact()


@pytest.mark.parametrize("dtype", DTYPES)
def test_axpy_with_zero_alpha_still_multiplies(dtype):
    # OpenBLAS skips alpha == 0; hostlib computes y + 0*x, so inf/nan give nan
    x = Vec(np.array([np.inf, np.nan, 1.0, -np.inf, 2.0], dtype), 1)
    for backend in (OB, "portable"):
        y = Vec(np.ones(5, dtype), -1)
        kernel(dtype, "axpy", backend)(5, dtype(0), x.ptr, 1, y.ptr, -1)
        np.testing.assert_array_equal(y.values, [np.nan, np.nan, 1, np.nan, 1], err_msg=backend)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("incx", [1, 2, -1, -3])
@pytest.mark.parametrize("alpha", [2.5, -0.5, 0.0])
def test_scal(dtype, n, incx, alpha):
    rng = np.random.default_rng([n, incx + 5])
    values = rand(rng, n, dtype)
    if n >= 2:
        values[0], values[-1] = np.nan, np.inf
    x = Vec(values, incx)
    with np.errstate(invalid="ignore"):
        want = dtype(alpha) * values  # 0*nan and 0*inf are nan, as in numpy
    kernel(dtype, "scal")(n, dtype(alpha), x.ptr, incx)
    np.testing.assert_array_equal(x.values, want)
    assert x.guards_intact()


@pytest.mark.parametrize("dtype", DTYPES)
def test_scal_with_zero_stride_multiplies_n_times(dtype):
    x = Vec(np.array([3.0], dtype), 0)
    kernel(dtype, "scal")(5, dtype(2), x.ptr, 0)
    assert x.base[x.off] == 96.0
    assert x.guards_intact()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("incx", IN_STRIDES)
def test_asum_and_nrm2(dtype, n, incx):
    rng = np.random.default_rng([n, incx + 5, 2])
    x = Vec(rand(rng, n, dtype), incx)
    xv = x.values.astype(np.float64)
    got = kernel(dtype, "asum")(n, x.ptr, incx)
    assert close(got, math.fsum(np.abs(xv)), 2 * (n + 1) * eps(dtype) * np.abs(xv).sum()), got
    got = kernel(dtype, "nrm2")(n, x.ptr, incx)
    want = math.hypot(*xv.tolist()) if n else 0.0
    assert close(got, want, 4 * eps(dtype) * want), (got, want)
    assert close(got, kernel(dtype, "nrm2", "portable")(n, x.ptr, incx), 8 * eps(dtype) * want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 3, 17, 1000])
@pytest.mark.parametrize("case", ["inf+nan", "nan+inf", "nan", "-inf", "huge", "tiny", "subnormal"])
def test_nrm2_special_values(dtype, n, case):
    fi = np.finfo(dtype)
    v = np.random.default_rng(n).random(n).astype(dtype) + dtype(0.5)
    if case == "inf+nan":
        v[n // 2], v[-1] = np.inf, np.nan
    elif case == "nan+inf":
        v[0], v[-1] = np.nan, np.inf
    elif case == "nan":
        v[-1] = np.nan
    elif case == "-inf":
        v[n // 3] = -np.inf
    elif case == "huge":
        v *= dtype(fi.max / 4)  # squares overflow, the norm does not (for small n)
    elif case == "tiny":
        v *= dtype(fi.tiny)  # squares underflow
    elif case == "subnormal":
        v *= dtype(fi.smallest_subnormal * 64)
    # inf if any element is inf, else nan if any is nan (like math.hypot)
    want = math.hypot(*v.astype(np.float64).tolist())
    if want > float(fi.max):
        want = math.inf
    for inc in (1, -2):
        x = Vec(v, inc)
        got = kernel(dtype, "nrm2")(n, x.ptr, inc)
        tol = 4 * eps(dtype) * want if case != "subnormal" else 0.02 * want
        assert close(got, want, tol), (inc, got, want)
        if case not in ("subnormal",):
            assert close(got, kernel(dtype, "nrm2", "portable")(n, x.ptr, inc), 2 * tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_zero_length_reads_and_writes_nothing(dtype):
    # n = 0 with NULL pointers must not touch memory
    assert kernel(dtype, "dot")(0, None, 1, None, 1) == 0
    assert kernel(dtype, "asum")(0, None, 1) == 0
    assert kernel(dtype, "nrm2")(0, None, -1) == 0
    kernel(dtype, "axpy")(0, dtype(1), None, 1, None, 1)
    kernel(dtype, "scal")(0, dtype(2), None, 1)
    kernel(dtype, "gemm")(0, 0, 0, 5, 5, dtype(1), None, 5, None, 5, dtype(0), None, 5)
    kernel(dtype, "gemm")(1, 1, 4, 0, 3, dtype(1), None, 4, None, 3, dtype(0), None, 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_large_vectors_use_openblas_threads_correctly(dtype):
    # above OpenBLAS's threading thresholds, with a broadcast input
    n = 300_000
    rng = np.random.default_rng(5)
    x, y = Vec(rand(rng, 1, dtype), 0), Vec(rand(rng, n, dtype), -1)
    yv = y.values.astype(np.float64)
    got = kernel(dtype, "dot")(n, x.ptr, 0, y.ptr, -1)
    want = float(x.values[0]) * math.fsum(yv)
    assert close(got, want, 4 * n * eps(dtype) * abs(float(x.values[0])) * np.abs(yv).sum())
    kernel(dtype, "axpy")(n, dtype(2), x.ptr, 0, y.ptr, -1)
    np.testing.assert_allclose(y.values, yv + 2 * float(x.values[0]), rtol=2 * eps(dtype), atol=8 * eps(dtype))


# ---------------------------------------------------------------- gemm


def stored(rng, rows, cols, dtype, layout):
    """A rows x cols matrix in memory and its (pointer, ld, values).

    layout: "packed" (ld = cols), "padded" (ld = cols + 3), "reversed"
    (ld < 0: rows going backwards), "broadcast" (ld = 0: every row the
    same), "overlap" (0 < ld < cols: rows share elements).
    """
    if layout == "packed":
        ld = max(cols, 1)
    elif layout == "padded":
        ld = cols + 3
    elif layout == "reversed":
        ld = -(cols + 2)
    elif layout == "broadcast":
        ld = 0
    elif layout == "overlap":
        ld = max(cols // 2, 1)
    else:
        raise ValueError(layout)
    span = (rows - 1) * abs(ld) + cols if rows and cols else 1
    base = np.full(span + 4, 7.0, dtype)
    base[:] = rng.standard_normal(len(base)).astype(dtype)
    off = 2 + ((rows - 1) * -ld if ld < 0 and rows else 0)
    idx = off + ld * np.arange(rows)[:, None] + np.arange(cols)[None, :]
    return base, off, ld, idx


def ptr(base, off):
    return base.ctypes.data + off * base.itemsize


GEMM_SHAPES = [(1, 1, 1), (3, 5, 7), (64, 33, 17), (1, 40, 9), (40, 1, 9), (7, 6, 1)]


def run_gemm(dtype, ta, tb, m, n, k, alpha, beta, layouts=("packed", "packed", "packed"), backend=OB,
             nan_c=False, seed=0):
    rng = np.random.default_rng([seed, m, n, k, ta, tb])
    la, lb, lc = layouts
    a_base, a_off, lda, a_idx = stored(rng, k if ta else m, m if ta else k, dtype, la)
    b_base, b_off, ldb, b_idx = stored(rng, n if tb else k, k if tb else n, dtype, lb)
    c_base, c_off, ldc, c_idx = stored(rng, m, n, dtype, lc)
    if nan_c:
        c_base[c_idx] = np.nan
    c_guard = np.ones(len(c_base), bool)
    c_guard[c_idx.ravel()] = False
    c_outside = c_base[c_guard].copy()
    A = a_base[a_idx].astype(np.longdouble)
    B = b_base[b_idx].astype(np.longdouble)
    opA, opB = (A.T if ta else A), (B.T if tb else B)
    C0 = c_base[c_idx].astype(np.longdouble)
    kernel(dtype, "gemm", backend)(
        ta, tb, m, n, k, dtype(alpha), ptr(a_base, a_off), lda, ptr(b_base, b_off), ldb, dtype(beta),
        ptr(c_base, c_off), ldc,
    )
    got = c_base[c_idx]
    assert np.array_equal(c_base[c_guard], c_outside), "gemm wrote outside C"
    prod = opA @ opB if k else np.zeros((m, n), np.longdouble)
    want = alpha * prod + (beta * C0 if beta != 0 else 0)
    scale = abs(alpha) * (np.abs(opA) @ np.abs(opB) if k else 0) + (abs(beta) * np.abs(C0) if beta else 0)
    return got, want.astype(np.float64), np.asarray(scale, np.float64)


def check_gemm(got, want, scale, dtype, k):
    assert not np.isnan(got).any()
    tol = 2 * (k + 2) * eps(dtype) * scale + 1e-30
    bad = np.abs(got.astype(np.float64) - want) > tol
    assert not bad.any(), f"{bad.sum()} elements off, e.g. {got[bad][:3]} vs {want[bad][:3]}"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
@pytest.mark.parametrize("m, n, k", GEMM_SHAPES)
@pytest.mark.parametrize("alpha, beta", [(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)])
def test_gemm(dtype, ta, tb, m, n, k, alpha, beta):
    got, want, scale = run_gemm(dtype, ta, tb, m, n, k, alpha, beta, nan_c=(beta == 0))
    check_gemm(got, want, scale, dtype, k)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
@pytest.mark.parametrize(
    "layouts",
    [
        ("padded", "padded", "padded"),
        ("reversed", "packed", "packed"),
        ("packed", "reversed", "padded"),
        ("packed", "packed", "reversed"),
        ("broadcast", "packed", "packed"),
        ("packed", "broadcast", "packed"),
        ("overlap", "overlap", "packed"),
        ("reversed", "broadcast", "reversed"),
    ],
)
@pytest.mark.parametrize("beta", [0.0, 0.5])
def test_gemm_leading_dimensions(dtype, ta, tb, layouts, beta):
    # cblas needs cols <= ld; the table allows any ld for inputs (and a
    # backwards C): the wrapper packs those matrices first
    got, want, scale = run_gemm(dtype, ta, tb, 9, 11, 6, 1.5, beta, layouts, nan_c=(beta == 0))
    check_gemm(got, want, scale, dtype, 6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta, tb", [(0, 0), (1, 1)])
def test_gemm_one_row_matrices_may_have_any_ld(dtype, ta, tb):
    # m == 1 / k == 1: a leading dimension of 0 is legal in the table
    rng = np.random.default_rng(9)
    a, b = rand(rng, 7, dtype), rand(rng, 7, dtype)
    c = np.full(1, np.nan, dtype)
    f = kernel(dtype, "gemm")
    # 1 x 7 @ 7 x 1 with ld 0 for the one-row operands, and ldc 0
    if ta == 0:
        f(0, 1, 1, 1, 7, dtype(1), a.ctypes.data, 0, b.ctypes.data, 0, dtype(0), c.ctypes.data, 0)
    else:
        f(1, 0, 1, 1, 7, dtype(1), a.ctypes.data, 1, b.ctypes.data, 1, dtype(0), c.ctypes.data, 0)
    assert close(c[0], float(a.astype(np.float64) @ b.astype(np.float64)), 20 * eps(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta", [0.0, 3.0])
def test_gemm_k0_scales_c(dtype, beta):
    c = np.full((3, 4), np.nan if beta == 0 else 2.0, dtype)
    kernel(dtype, "gemm")(0, 0, 3, 4, 0, dtype(1), None, 1, None, 4, dtype(beta), c.ctypes.data, 4)
    np.testing.assert_array_equal(c, np.full((3, 4), 0.0 if beta == 0 else 6.0))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_beta0_big_nan_c(dtype):
    # OpenBLAS's threaded path must not read C either
    m = n = k = 300
    got, want, scale = run_gemm(dtype, 0, 1, m, n, k, 1.0, 0.0, nan_c=True)
    check_gemm(got, want, scale, dtype, k)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_alpha0_does_not_read_a_and_b_like_portable(dtype):
    for backend in (OB, "portable"):
        a = np.array([[np.inf, np.nan]], dtype)
        c = np.ones((1, 1), dtype)
        kernel(dtype, "gemm", backend)(0, 0, 1, 1, 2, dtype(0), a.ctypes.data, 2, a.ctypes.data, 1, dtype(1),
                                       c.ctypes.data, 1)
        assert c[0, 0] == 1, backend


# ---------------------------------------------------------------- 32-bit limits


@pytest.mark.parametrize("limit", [1, 2, 5, 64])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("incx, incy", [(1, 1), (3, -2), (-1, 0), (7, 1), (-9, -6), (0, 11)])
def test_level1_chunking(limit, dtype, incx, incy):
    """With a small artificial blasint limit the same calls go in pieces."""
    n = 301
    rng = np.random.default_rng([limit, incx + 20, incy + 20])
    x, y = Vec(rand(rng, n, dtype), incx), Vec(rand(rng, n, dtype), incy)
    xv, yv = x.values.astype(np.float64), y.values.astype(np.float64)
    _openblas._set_int_limit(limit)
    tol = 4 * n * eps(dtype)
    got = kernel(dtype, "dot")(n, x.ptr, incx, y.ptr, incy)
    assert close(got, math.fsum(xv * yv), tol * np.abs(xv * yv).sum())
    got = kernel(dtype, "asum")(n, x.ptr, incx)
    assert close(got, math.fsum(np.abs(xv)), tol * np.abs(xv).sum())
    got = kernel(dtype, "nrm2")(n, x.ptr, incx)
    want = math.hypot(*xv.tolist())
    assert close(got, want, tol * want)
    if incy != 0:
        kernel(dtype, "axpy")(n, dtype(0.5), x.ptr, incx, y.ptr, incy)
        np.testing.assert_allclose(y.values, yv + 0.5 * xv, rtol=2 * eps(dtype), atol=4 * eps(dtype))
        assert y.guards_intact()
    if incx != 0:
        kernel(dtype, "scal")(n, dtype(-3), x.ptr, incx)
        np.testing.assert_array_equal(x.values, (-3.0 * xv).astype(dtype))
        assert x.guards_intact()


@pytest.mark.parametrize("dtype", DTYPES)
def test_nrm2_chunks_combine_without_overflow(dtype):
    big = float(np.finfo(dtype).max) / 4
    x = Vec(np.full(6, big, dtype), -1)
    _openblas._set_int_limit(1)  # six partial norms of `big`
    want = big * math.sqrt(6)
    assert close(kernel(dtype, "nrm2")(6, x.ptr, -1), want, 4 * eps(dtype) * want)
    # inf in one piece, nan in another: inf
    x = Vec(np.array([1, np.nan, 2, np.inf, 3], dtype), 2)
    _openblas._set_int_limit(2)
    assert kernel(dtype, "nrm2")(5, x.ptr, 2) == math.inf


@pytest.mark.parametrize("limit", [1, 3, 8, 64])
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta", [0, 1])
@pytest.mark.parametrize("tb", [0, 1])
def test_gemm_chunking(limit, dtype, ta, tb):
    """m, n, k and the leading dimensions above the limit: split problems
    (and, where a row is longer than the limit, one stored row per call
    instead of packing)."""
    _openblas._set_int_limit(limit)
    for layouts, beta in (
        (("packed", "packed", "packed"), 0.0),
        (("padded", "padded", "padded"), 0.5),
        (("reversed", "padded", "packed"), 1.0),
        (("packed", "broadcast", "reversed"), 0.0),
        (("overlap", "packed", "reversed"), 2.0),
    ):
        got, want, scale = run_gemm(dtype, ta, tb, 13, 10, 11, 1.25, beta, layouts, nan_c=(beta == 0))
        check_gemm(got, want, scale, dtype, 11)


def test_int_limit_setter_checks_its_argument():
    assert _openblas._set_int_limit(5) == INT_MAX
    assert _openblas._set_int_limit(INT_MAX) == 5
    for bad in (0, -1, INT_MAX + 1):
        with pytest.raises(ValueError):
            _openblas._set_int_limit(bad)


# ---------------------------------------------------------------- selection


def test_use_openblas_serves_its_entries_and_portable_the_rest():
    with hostlib.using(OB):
        active = hostlib.active()
        assert {e: active[e] for e in FORWARDED} == {e: OB for e in FORWARDED}
        assert {e: active[e] for e in NOT_FORWARDED} == {e: "portable" for e in NOT_FORWARDED}
        for e in FORWARDED:
            assert HOST.active_address(e) == HOST.slot_address(OB, e) != 0
        x = np.random.default_rng(1).random(1001)
        assert hostlib.dot(x, x) == pytest.approx(float(x @ x), rel=1e-12)
        xs = Vec(x, -3)
        assert active_kernel(np.float64, "dot")(1001, xs.ptr, -3, xs.ptr, -3) == pytest.approx(float(x @ x))
        assert active_kernel(np.float64, "sum")(1001, xs.ptr, -3) == pytest.approx(math.fsum(x))


def test_auto_selection_ranks_openblas_below_hostlib_simd():
    order = [b.name for b in hostlib.backends() if b.usable]
    assert order.index(OB) < order.index("portable")
    for simd in ("sse2", "avx2"):
        if simd in order:
            assert order.index(simd) < order.index(OB)
    if HOST.preference is None:
        # nothing but openblas and portable provides gemm today
        providers = [n for n in order if "dgemm" in HOST.backends[n].provides]
        assert hostlib.active()["dgemm"] == providers[0]


def test_backend_from_environment(run_python):
    r = run_python(
        "import json, hostlib; print(json.dumps(hostlib.runtime_info()))",
        env={"HOSTLIB_BACKEND": "openblas"},
    )
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["selection"] == ["openblas"]
    assert {info["entries"][e] for e in FORWARDED} == {OB}
    assert {info["entries"][e] for e in NOT_FORWARDED} == {"portable"}


def test_metadata_module_is_light_and_library_comes_from_the_loader(run_python):
    r = run_python(
        """
        import json, sys
        import kernels_openblas as k
        before = sorted(m for m in sys.modules if m.startswith(("numpy", "scipy_openblas32", "kernels_openblas.")))
        meta = [k.NAME, list(k.FEATURES), k.PRIORITY, k.EXTENSION]
        import hostlib
        hostlib.use("openblas")
        maps = open("/proc/self/maps").read() if sys.platform.startswith("linux") else ""
        print(json.dumps({
            "before": before, "meta": meta,
            "scipy_openblas32_imported": "scipy_openblas32" in sys.modules,
            "mapped": sorted({l.split()[-1] for l in maps.splitlines() if "libscipy_openblas." in l}),
            "library": k._openblas.library_path(),
        }))
        """
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["before"] == [], "the metadata module imported " + ", ".join(out["before"])
    name, features, priority, extension = out["meta"]
    assert (name, extension) == ("openblas", "kernels_openblas._openblas")
    assert set(features) <= {"SSE3"}
    sse2 = HOST.backends.get("sse2")
    assert priority < (sse2.priority if sse2 and sse2.priority is not None else 10)
    # no Python-level loading: the dynamic loader brought the library in
    assert not out["scipy_openblas32_imported"]
    import scipy_openblas32

    libdir = os.path.realpath(scipy_openblas32.get_lib_dir())
    assert out["library"] and os.path.dirname(os.path.realpath(out["library"])) == libdir
    if sys.platform.startswith("linux"):
        # (numpy's wheel maps its own copy, numpy.libs/libscipy_openblas64_*)
        assert [os.path.realpath(p) for p in out["mapped"]] == [os.path.realpath(out["library"])]


# ---------------------------------------------------------------- OpenBLAS controls


def test_version_core_and_details():
    import scipy_openblas32

    cfg = kernels_openblas.config()
    assert cfg.startswith("OpenBLAS ") and "DYNAMIC_ARCH" in cfg
    version = scipy_openblas32.__version__.split(".")
    assert cfg.split()[1].split(".")[:3] == version[:3]
    assert kernels_openblas.corename()
    d = kernels_openblas.details()
    assert all(isinstance(v, str) for v in d.values())
    assert d["config"] == cfg and d["corename"] == kernels_openblas.corename()
    assert int(d["threads"]) == kernels_openblas.get_num_threads() >= 1
    assert d["threading"] in ("pthreads", "openmp", "sequential")
    # what the report shows (hostlib calls the metadata module's details())
    if hasattr(HOST.backends[OB], "details"):
        assert HOST.backends[OB].details() == d


def test_thread_count_can_be_set_and_restored():
    kernels_openblas.set_num_threads(1)
    assert kernels_openblas.get_num_threads() == 1
    with kernels_openblas.num_threads(2):
        assert kernels_openblas.get_num_threads() == 2
        # results do not depend on the thread count
        got, want, scale = run_gemm(np.float64, 0, 0, 200, 200, 200, 1.0, 0.0)
        check_gemm(got, want, scale, np.float64, 200)
    assert kernels_openblas.get_num_threads() == 1
    with pytest.raises(RuntimeError):
        with kernels_openblas.num_threads(2):
            raise RuntimeError
    assert kernels_openblas.get_num_threads() == 1
    with pytest.raises(ValueError):
        kernels_openblas.set_num_threads(0)
    with pytest.raises(TypeError):
        kernels_openblas.set_num_threads("2")
    with pytest.raises(TypeError):
        kernels_openblas.set_num_threads(True)


def test_openblas_num_threads_environment(run_python):
    r = run_python(
        "import kernels_openblas as k; print(k.get_num_threads())",
        env={"OPENBLAS_NUM_THREADS": "1"},
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"


def test_threadpoolctl_sees_and_limits_this_openblas():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    lib = os.path.realpath(_openblas.library_path())
    ours = [i for i in threadpoolctl.threadpool_info() if os.path.realpath(i["filepath"]) == lib]
    assert len(ours) == 1, threadpoolctl.threadpool_info()
    assert ours[0]["internal_api"] == "openblas"
    assert ours[0]["num_threads"] == kernels_openblas.get_num_threads()
    assert ours[0]["architecture"] == kernels_openblas.corename()
    kernels_openblas.set_num_threads(2)
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert kernels_openblas.get_num_threads() == 1
    assert kernels_openblas.get_num_threads() == 2


def test_openblas_threads_follow_hostlibs_budget(run_python):
    before = hostlib.get_num_threads()
    try:
        for n in (1, 2, 1):
            hostlib.set_num_threads(n)
            assert kernels_openblas.get_num_threads() == n
    finally:
        hostlib.set_num_threads(before)
    # at the host's start too, whatever OPENBLAS_NUM_THREADS said
    r = run_python("import hostlib, kernels_openblas as k; hostlib.active(); print(k.get_num_threads())",
                   env={"OPENBLAS_NUM_THREADS": "2", "HOSTLIB_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"
