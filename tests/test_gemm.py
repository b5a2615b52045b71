"""gemm kernels (simd/gemm.h and every other provider) against numpy.

test_kernels_api.py covers the Python wrapper: layouts, dtype rules,
errors, and small shapes (up to ~66). This file is about the kernels: shapes
that cross every register tile and cache block edge (up to ~150 with primes,
plus k, m and n beyond the KC/MC/NC blocks), all transpose flags, alpha and
beta including 0, and the raw table entries called directly (through their
function pointers) with leading dimensions larger than the rows, NaN in
every element a kernel must not read, k == 0, and a failed malloc.

Tolerance: |got - want| <= (k + 3) * eps * (|alpha| |op(A)| |op(B)| +
|beta| |C|), elementwise, against a float64 reference: the reassociation
bound of a length-k dot product plus the roundings of alpha, beta and the
final sum.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostlib

#: this folder: the child interpreters import its helpers (_no_memory)
TESTS = str(Path(__file__).resolve().parent)

DTYPES = [np.float32, np.float64]
TRANS = [(False, False), (True, False), (False, True), (True, True)]
PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 47, 53, 61, 67, 73, 97, 101, 127, 131, 149]

HYPO = settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])


def _providers(entry: str) -> list[str]:
    return [b.name for b in hostlib.backends() if b.usable and entry in b.provides]


GEMM_BACKENDS = sorted(set(_providers("sgemm")) | set(_providers("dgemm")))
backend_param = pytest.mark.parametrize("backend", GEMM_BACKENDS)


def _entry(dtype) -> str:
    return ("s" if dtype == np.float32 else "d") + "gemm"


def _backends_for(dtype) -> list[str]:
    return _providers(_entry(dtype))


def _eps(dtype) -> float:
    return float(np.finfo(dtype).eps)


def _op(x, t):
    return x.T if t else x


def _check(got, a, b, c0, alpha, beta, ta, tb, dtype):
    """got == alpha * op(a) @ op(b) + beta * c0 within the rounding bound;
    c0 is ignored when beta == 0 (it may hold nan)."""
    A = _op(np.asarray(a, dtype=np.float64), ta)
    B = _op(np.asarray(b, dtype=np.float64), tb)
    alpha, beta = float(dtype(alpha)), float(dtype(beta))
    want = alpha * (A @ B)
    mag = abs(alpha) * (np.abs(A) @ np.abs(B))
    if beta != 0:
        want = want + beta * c0.astype(np.float64)
        mag = mag + abs(beta) * np.abs(c0.astype(np.float64))
    k = A.shape[1]
    tiny = float(np.finfo(dtype).smallest_subnormal)
    bound = (k + 3) * _eps(dtype) * mag + (3 * k + 4) * tiny
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == want.shape
    err = np.abs(got - want)
    bad = ~(err <= bound)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise AssertionError(
            f"{bad.sum()} of {bad.size} elements off, first at ({i}, {j}): got {got[i, j]!r}, "
            f"want {want[i, j]!r}, bound {bound[i, j]!r}"
        )


# ---------------------------------------------------------------- raw entries


class Raw:
    """A backend's table entry, called through its function pointer with
    explicit leading dimensions. Arrays are 1-D buffers; matrices live in
    them at offset 0 with the given row strides."""

    def __init__(self, backend: str, dtype):
        self.dtype = np.dtype(dtype)
        addr = hostlib._kernels_host.slot_address(backend, _entry(dtype))
        assert addr, f"{backend} has no {_entry(dtype)}"
        T = ctypes.c_float if self.dtype == np.float32 else ctypes.c_double
        Z, P, I = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int
        self.fn = ctypes.CFUNCTYPE(None, I, I, Z, Z, Z, T, P, Z, P, Z, T, P, Z)(addr)

    def __call__(self, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
        for x in (a, b, c):
            assert x.dtype == self.dtype and x.flags.c_contiguous
        self.fn(int(ta), int(tb), m, n, k, alpha, a.ctypes.data, lda, b.ctypes.data, ldb, beta, c.ctypes.data, ldc)


def _padded(rng, rows, cols, ld, dtype, fill=np.nan):
    """A rows x cols matrix stored with row stride ld in a 1-D buffer of
    exactly (rows - 1) * ld + cols elements (so a read past the last row's
    end would be out of bounds); the gaps between rows hold `fill`. Returns
    the buffer and the logical matrix."""
    size = (rows - 1) * ld + cols if rows and cols else 0
    buf = np.full(max(size, 1), fill, dtype=dtype)
    mat = rng.uniform(-1, 1, (rows, cols)).astype(dtype)
    if rows and cols:
        np.lib.stride_tricks.as_strided(buf, (rows, cols), (ld * buf.itemsize, buf.itemsize))[...] = mat
    return buf, mat


def _view(buf, rows, cols, ld):
    if not (rows and cols):
        return np.zeros((rows, cols), buf.dtype)
    return np.lib.stride_tricks.as_strided(buf, (rows, cols), (ld * buf.itemsize, buf.itemsize))


def _gaps(buf, rows, cols, ld):
    """The elements of buf between the rows of the matrix."""
    if rows < 2 or cols == 0 or ld == cols:
        return buf[:0]
    return _view(buf[cols:], rows - 1, ld - cols, ld)


def _run_raw(backend, dtype, m, n, k, ta, tb, alpha, beta, pads, seed, nan_c=False):
    """One raw call with leading dimensions row length + pads; checks the
    result, that no padding was written, and that nan in the padding (and in
    C when beta == 0) does not leak."""
    rng = np.random.default_rng(seed)
    ar, ac = (k, m) if ta else (m, k)
    br, bc = (n, k) if tb else (k, n)
    lda, ldb, ldc = max(ac, 1) + pads[0], max(bc, 1) + pads[1], max(n, 1) + pads[2]
    a, amat = _padded(rng, ar, ac, lda, dtype)
    b, bmat = _padded(rng, br, bc, ldb, dtype)
    c, c0 = _padded(rng, m, n, ldc, dtype)
    if nan_c:
        _view(c, m, n, ldc)[...] = np.nan
    c_before = c.copy()
    Raw(backend, dtype)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    got = _view(c, m, n, ldc)
    _check(got, amat, bmat, c0, alpha, beta, ta, tb, dtype)
    gaps_before, gaps_after = _gaps(c_before, m, n, ldc), _gaps(c, m, n, ldc)
    assert np.array_equal(gaps_after, gaps_before, equal_nan=True), "wrote between the rows of C"
    return got


SIZES = st.one_of(st.integers(0, 150), st.sampled_from([1] + PRIMES))


@HYPO
@given(
    m=SIZES, n=SIZES, k=SIZES, trans=st.sampled_from(TRANS), dtype=st.sampled_from(DTYPES),
    alpha=st.sampled_from([1.0, -1.0, 0.5, 0.0, 3.25]), beta=st.sampled_from([0.0, 1.0, -0.5, 2.0]),
    pads=st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5)),
    nan_c=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_raw_entry_random(m, n, k, trans, dtype, alpha, beta, pads, nan_c, seed):
    """The table entries themselves, any shape, padded leading dimensions."""
    for backend in _backends_for(dtype):
        _run_raw(backend, dtype, m, n, k, *trans, alpha, beta, pads, seed, nan_c=nan_c and beta == 0)


# shapes beyond the cache blocks: k > KC (256-512: hostlib/_host/params.py)
# splits the sum (beta must be applied once), m > MC (96-256) and n > NC
# (~4096) split C; tests/test_gemm_params.py runs gemm under other blocks
LARGE = [(300, 40, 600), (7, 4200, 5), (150, 270, 257), (97, 131, 1)]


@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", LARGE)
@pytest.mark.parametrize("ta,tb", TRANS)
def test_raw_entry_large(backend, dtype, m, n, k, ta, tb):
    if backend not in _backends_for(dtype):
        pytest.skip(f"{backend} has no {_entry(dtype)}")
    _run_raw(backend, dtype, m, n, k, ta, tb, 1.5, 0.0, (3, 1, 2), 1, nan_c=True)
    _run_raw(backend, dtype, m, n, k, ta, tb, -0.75, 0.5, (0, 0, 0), 2)


# The template reads A and B in place, without packing (not on sse2 or the
# one-lane portable layer), when the problem is small: A when n <= 2 NR, or
# n <= 16 NR and m*k is at most 256 KiB; B (not transposed, alpha == 1) when
# m <= 6 MR, or m <= 16 MR and k*n is at most 256 KiB; NR is 4-32 and MR 4-8
# on the template's layers.
# Shapes on both sides of those limits, in both dtypes (float64: m*k =
# 32768 is the limit, float32: 65536).
IN_PLACE = [(1, 1, 1), (1, 70, 3), (70, 1, 3), (3, 5, 1), (16, 64, 9), (17, 65, 9), (33, 31, 70),
            (128, 40, 256), (129, 40, 256), (256, 33, 256), (257, 33, 256), (8, 300, 1024), (20, 300, 1024),
            (300, 20, 260), (24, 300, 300), (25, 300, 300), (36, 300, 300), (37, 300, 300), (48, 300, 300),
            (49, 300, 300), (96, 40, 16), (97, 40, 16), (128, 40, 16), (129, 40, 16), (20, 512, 16), (20, 513, 16)]


@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m,n,k", IN_PLACE)
@pytest.mark.parametrize("ta,tb", TRANS)
def test_raw_entry_in_place_limits(backend, dtype, m, n, k, ta, tb):
    if backend not in _backends_for(dtype):
        pytest.skip(f"{backend} has no {_entry(dtype)}")
    _run_raw(backend, dtype, m, n, k, ta, tb, 1.0, 0.0, (0, 0, 0), 3, nan_c=True)  # alpha 1: B may be in place
    _run_raw(backend, dtype, m, n, k, ta, tb, 1.0, -0.5, (3, 5, 1), 4)
    _run_raw(backend, dtype, m, n, k, ta, tb, 0.5, 1.0, (1, 0, 2), 5)  # B packed (alpha), A maybe in place


# The native backends compute k <= 4 row by row (simd/gemm.h rank_k) and
# larger k by blocks, promising the same bits: a fifth column and row of
# zeros adds exactly 0 to every sum, so k = 4 + zeros through the blocked
# path must equal k = 4 through the other, bit for bit.
@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("k", [1, 2, 4])
@pytest.mark.parametrize("ta,tb", TRANS)
def test_small_k_path_matches_blocked_path(backend, dtype, k, ta, tb):
    if backend not in _backends_for(dtype) or backend in ("openblas", "mkl"):  # forward to a library's own blocking
        pytest.skip(f"{backend} has no {_entry(dtype)} of its own")
    rng = np.random.default_rng(29)
    m, n = 37, 53  # tails for every vector width and tile
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    a5 = np.concatenate([a, np.zeros((m, 5 - k), dtype)], axis=1)
    b5 = np.concatenate([b, np.zeros((5 - k, n), dtype)], axis=0)
    c0 = rng.standard_normal((m, n)).astype(dtype)

    def op(x, t):  # the same values, stored transposed where asked
        return _layout(rng, x, "F" if t else "C")

    with hostlib.using(backend):
        for alpha, beta in ((1.0, 0.0), (0.3, 1.0), (1.0, -0.7)):
            small, blocked = c0.copy(), c0.copy()
            hostlib.gemm(op(a, ta), op(b, tb), small, alpha=alpha, beta=beta)
            hostlib.gemm(op(a5, ta), op(b5, tb), blocked, alpha=alpha, beta=beta)
            assert np.array_equal(small, blocked), (backend, k, alpha, beta)
            _check(small, a, b, c0, alpha, beta, False, False, dtype)


@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
def test_raw_entry_degenerate(backend, dtype):
    """m or n == 0: nothing is written; k == 0 or alpha == 0: C = beta * C
    and A and B are not read (nan there does not show); beta == 0 then
    writes zeros over nan."""
    if backend not in _backends_for(dtype):
        pytest.skip(f"{backend} has no {_entry(dtype)}")
    f = Raw(backend, dtype)
    nan_a = np.full(64, np.nan, dtype)
    nan_b = np.full(64, np.nan, dtype)
    for m, n in [(0, 5), (5, 0), (0, 0)]:
        c = np.full(16, 7.0, dtype)
        f(0, 0, m, n, 3, 1.0, nan_a, 3, nan_b, max(n, 1), 0.0, c, max(n, 1))
        assert np.all(c == 7.0)
    c0 = np.arange(1.0, 26.0, dtype=dtype)  # 4 x 5, ldc 6 (one gap element)
    for k, alpha in [(0, 1.0), (3, 0.0), (0, 0.0)]:
        for beta, want in [(0.5, 0.5 * c0), (1.0, c0), (0.0, np.zeros_like(c0)), (-2.0, -2.0 * c0)]:
            for ta, tb in TRANS:
                c = c0.copy()
                if beta == 0:
                    for i in range(4):
                        c[i * 6 : i * 6 + 5] = np.nan
                f(ta, tb, 4, 5, k, alpha, nan_a, 8, nan_b, 8, beta, c, 6)
                rows = [slice(i * 6, i * 6 + 5) for i in range(4)]
                for r in rows:
                    np.testing.assert_array_equal(c[r], want[r])
                assert np.array_equal(c[5::6], c0[5::6])  # the gaps


@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ta,tb", TRANS)
def test_raw_entry_specials_propagate(backend, dtype, ta, tb):
    """inf and nan in A and B reach exactly the elements of C they should,
    whatever the tile edges and zero padding of the packed panels."""
    if backend not in _backends_for(dtype):
        pytest.skip(f"{backend} has no {_entry(dtype)}")
    rng = np.random.default_rng(5)
    m, n, k = 29, 37, 19
    A = rng.uniform(0.5, 1.0, (m, k)).astype(dtype)  # no zeros: inf * a is inf
    B = rng.uniform(0.5, 1.0, (k, n)).astype(dtype)
    A[m - 1, 3] = np.nan  # the last row: an edge tile
    B[7, n - 1] = np.inf  # the last column: an edge tile
    B[2, 5] = -np.inf
    want = A.astype(np.float64) @ B.astype(np.float64)
    a = np.ascontiguousarray(A.T if ta else A).ravel()
    b = np.ascontiguousarray(B.T if tb else B).ravel()
    c = np.empty(m * n, dtype)
    Raw(backend, dtype)(ta, tb, m, n, k, 1.0, a, m if ta else k, b, k if tb else n, 0.0, c, n)
    got = c.reshape(m, n)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    fin = np.isfinite(want)
    assert np.isnan(want).sum() == n and np.isinf(want).sum() == 2 * m - 2
    np.testing.assert_allclose(got[fin], want[fin], rtol=(k + 3) * _eps(dtype))


# the backends built from simd/gemm.h (OpenBLAS, for one, exits the process
# when its buffer allocation fails)
TEMPLATE_BACKENDS = ("portable", "sse2", "avx2", "avx512")


def test_raw_entry_without_memory(run_python):
    """When malloc fails (the address space limited below the size of the
    packing buffers), hostlib's kernels still compute the right result."""
    if not sys.platform.startswith("linux"):
        pytest.skip("uses RLIMIT_AS and /proc")
    r = run_python(
        """
        import ctypes, json
        import numpy as np
        import hostlib
        from _no_memory import malloc_failing

        host = hostlib._kernels_host
        m, n, k = 8, 1024, 256  # packed B alone: >= 1 MiB (float32)
        alpha = 2.0  # not 1: B is packed (with alpha 1 and m this small it is read in place)
        rng = np.random.default_rng(3)
        Z, P, I = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int
        cases = []
        for dt, ct, e in ((np.float64, ctypes.c_double, "dgemm"), (np.float32, ctypes.c_float, "sgemm")):
            a = rng.uniform(-1, 1, (m, k)).astype(dt)
            b = rng.uniform(-1, 1, (k, n)).astype(dt)
            for be in hostlib.backends():
                if be.usable and e in be.provides and be.name in %r:
                    fn = ctypes.CFUNCTYPE(None, I, I, Z, Z, Z, ct, P, Z, P, Z, ct, P, Z)(host.slot_address(be.name, e))
                    cases.append((be.name + ":" + e, fn, a, b, np.full((m, n), np.nan, dt)))
        with malloc_failing() as limited:
            for _, fn, a, b, c in cases:
                fn(0, 0, m, n, k, alpha, a.ctypes.data, k, b.ctypes.data, n, 0.0, c.ctypes.data, n)
        out = {"probe_failed": limited["failed"], "held_mib": limited["held_mib"], "ratio": {}}
        for name, _, a, b, c in cases:
            want = alpha * (a.astype(np.float64) @ b.astype(np.float64))
            bound = alpha * (k + 3) * np.finfo(c.dtype).eps * (
                np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
            out["ratio"][name] = float(np.max(np.abs(c - want) / bound))
        print(json.dumps(out))
        """
        % (TEMPLATE_BACKENDS,),
        env={"OPENBLAS_NUM_THREADS": "1"},
        pythonpath=[TESTS],
    )
    assert r.returncode == 0, r.stderr
    out = r.json()
    if not out["probe_failed"]:
        pytest.skip("could not make malloc fail with RLIMIT_AS")
    assert out["ratio"], "no backend provides gemm"
    for name, ratio in out["ratio"].items():
        assert ratio <= 1.0, (name, ratio)  # nan fails too


# ---------------------------------------------------------------- Python API


def _layout(rng, arr, kind):
    """The logical matrix arr in a given memory layout."""
    r, s = arr.shape
    if kind == "C":
        return np.array(arr, order="C")  # always a copy: c is updated in place
    if kind == "F":
        return np.array(arr, order="F")
    if kind == "padded":  # row slices of a wider array: ld > row length, passed as is
        big = np.full((r, s + 5), np.nan, dtype=arr.dtype)
        big[:, :s] = arr
        return big[:, :s]
    if kind == "padded_F":  # the same for columns
        big = np.full((s, r + 3), np.nan, dtype=arr.dtype).T
        big[:r, :] = arr
        return big[:r, :]
    if kind == "strided":  # no unit stride: the wrapper copies
        big = np.full((r, 2 * s), np.nan, dtype=arr.dtype)
        big[:, ::2] = arr
        return big[:, ::2]
    raise AssertionError(kind)


LAYOUTS = ["C", "F", "padded", "padded_F", "strided"]


@HYPO
@given(
    m=SIZES, n=SIZES, k=SIZES, trans=st.sampled_from(TRANS), dtype=st.sampled_from(DTYPES),
    alpha=st.one_of(st.just(0.0), st.just(1.0), st.floats(-4, 4)),
    beta=st.one_of(st.just(0.0), st.just(1.0), st.floats(-4, 4)),
    la=st.sampled_from(LAYOUTS), lb=st.sampled_from(LAYOUTS), lc=st.sampled_from(["C", "F", "padded", "padded_F"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_gemm_random(m, n, k, trans, dtype, alpha, beta, la, lb, lc, seed):
    """hostlib.gemm for every backend: random shapes, layouts, alpha/beta;
    with beta == 0, C starts as nan."""
    ta, tb = trans
    rng = np.random.default_rng(seed)
    a0 = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(dtype)
    b0 = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(dtype)
    c0 = np.full((m, n), np.nan, dtype) if beta == 0 else rng.uniform(-1, 1, (m, n)).astype(dtype)
    a, b = _layout(rng, a0, la), _layout(rng, b0, lb)
    for backend in _backends_for(dtype):
        with hostlib.using(backend):
            c = _layout(rng, c0, lc)
            out = hostlib.gemm(a, b, c, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
            assert out is c
            _check(c, a0, b0, c0, alpha, beta, ta, tb, dtype)
            if lc.startswith("padded"):
                assert np.isnan(c.base).sum() == c.base.size - c.size  # padding untouched


@backend_param
@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_backends_agree_with_numpy_large(backend, dtype):
    """One square product well past every block size, through the API."""
    if backend not in _backends_for(dtype):
        pytest.skip(f"{backend} has no {_entry(dtype)}")
    rng = np.random.default_rng(11)
    n = 389
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    with hostlib.using(backend):
        got = hostlib.gemm(a, b)
        got_t = hostlib.gemm(a, b, trans_a=True, trans_b=True)
    _check(got, a, b, None, 1.0, 0.0, False, False, dtype)
    _check(got_t, a, b, None, 1.0, 0.0, True, True, dtype)


@backend_param
def test_gemm_concurrent_threads(backend):
    """Many threads in the kernels at once (the GIL is released for large
    products) give the same bits as one thread: no shared mutable state."""
    rng = np.random.default_rng(13)
    jobs = []
    for i in range(8):
        dt = DTYPES[i % 2]
        if backend not in _backends_for(dt):
            continue
        m, n, k = 120 + 7 * i, 140 - 5 * i, 300 + 11 * i
        jobs.append((rng.standard_normal((m, k)).astype(dt), rng.standard_normal((n, k)).astype(dt)))
    with hostlib.using(backend):
        want = [hostlib.gemm(a, b, trans_b=True) for a, b in jobs]
        got = [[None] * len(jobs) for _ in range(4)]
        errors = []

        def work(t):
            order = list(range(t, len(jobs))) + list(range(t))  # threads start apart
            try:
                for _ in range(3):
                    for j in order:
                        got[t][j] = hostlib.gemm(jobs[j][0], jobs[j][1], trans_b=True)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors, errors
    for per_thread in got:
        for w, g in zip(want, per_thread):
            np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alpha_zero_reads_neither_a_nor_b(dtype):
    """BLAS: alpha == 0 leaves C = beta * C; nan/inf in A or B do not
    propagate. Every backend that provides gemm."""
    entry = {np.float32: "sgemm", np.float64: "dgemm"}[dtype]
    a = np.full((5, 7), np.nan, dtype)
    b = np.full((7, 3), np.inf, dtype)
    c0 = np.arange(15, dtype=dtype).reshape(5, 3)
    for name in _providers(entry):
        with hostlib.using(name):
            np.testing.assert_array_equal(hostlib.gemm(a, b, c0.copy(), alpha=0.0, beta=0.5), 0.5 * c0, err_msg=name)
            np.testing.assert_array_equal(hostlib.gemm(a, b, c0.copy(), alpha=0.0, beta=0.0), 0 * c0, err_msg=name)
