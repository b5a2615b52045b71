"""The native lapack tables (simd/lapack.h), called table by table.

Every backend this CPU runs (the portable table and each SIMD module's) is
called directly through its capsule, with ctypes, and held to backward-error
bounds measured in float64 against the input: ||P A - L U||, ||A - L L^T||,
||A - Q R||, ||Q^T Q - I||, ||A X - B||, ||A X - I||, each divided by
n eps ||A|| (and ||X|| where it applies) and bounded by a small constant.
Sizes around the vector widths, the recursion's and the blocks' edges;
non-square matrices, padded leading dimensions; LAPACK's info for singular
and indefinite matrices and illegal arguments; NaN and inf return.
"""

from __future__ import annotations

import ctypes
import importlib
import os
from pathlib import Path

import numpy as np
import pytest

import hostlib

#: this folder: the child interpreters import its helpers (_no_memory)
TESTS = str(Path(__file__).resolve().parent)

#: module -> the CPU features it needs
MODULES = {
    "hostlib._lapack_portable": (),
    "kernels_sse2._sse2_lapack": ("SSE2",),
    "kernels_avx2._avx2_lapack": ("AVX2", "FMA3"),
    "kernels_avx512._lapack": ("AVX512F",),
    "kernels_neon._neon_lapack": ("ASIMD",),
}

NOTRANS, TRANS, CONJTRANS = 0, 1, 2
LOWER, UPPER = 0, 1

I = ctypes.c_ssize_t
P = ctypes.c_void_p
_SIGS = {
    "getrf": (I, I, P, I, P),
    "getrs": (ctypes.c_int, I, I, P, I, P, P, I),
    "getri": (I, P, I, P),
    "potrf": (ctypes.c_int, I, P, I),
    "potrs": (ctypes.c_int, I, I, P, I, P, I),
    "geqrf": (I, I, P, I, P),
    "orgqr": (I, I, I, P, I, P),
}
ROUTINES = tuple(_SIGS)

# the bound on every scaled residual (LAPACK's own tests use 30)
BOUND = 30.0


class Table:
    """One backend's native entries, callable with numpy arrays."""

    def __init__(self, module: str) -> None:
        from hostlib import lapack_interface as description
        from hostlib._host import _core
        from hostlib._host.host import Interface

        self.module = module

        missing = [f for f in MODULES[module] if not hostlib.cpu_features().get(f)]
        if missing:
            pytest.skip(f"this CPU lacks {', '.join(missing)}")
        try:
            mod = importlib.import_module(module)
        except ImportError as e:
            pytest.skip(f"{module} is not installed ({e})")
        iface = Interface.from_description(description.INTERFACE)
        self.fns = {}
        for p in "sd":
            for r in ROUTINES:
                name = p + r
                addr = _core.slot_address(mod._C_API, iface.provider_capsule, iface.magic, iface.abi_major,
                                          iface.entries.index(name))
                assert addr, f"{module} leaves {name} empty"
                self.fns[name] = ctypes.CFUNCTYPE(I, *_SIGS[r])(addr)

    def __call__(self, name: str, *args) -> int:
        conv = [a.ctypes.data if isinstance(a, np.ndarray) else a for a in args]
        return self.fns[name](*conv)


@pytest.fixture(scope="module", params=[m for m in MODULES], ids=lambda m: m.split(".")[-1])
def table(request) -> Table:
    return Table(request.param)


DTYPES = [pytest.param(np.float64, id="d"), pytest.param(np.float32, id="s")]
SIZES = [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 257, 300]
SHAPES = [(5, 40), (40, 5), (65, 17), (17, 65), (300, 100), (100, 257), (129, 130), (33, 1), (1, 33)]


def _scipy_lapack():
    """scipy's LAPACK (the reference for info and pivots), None without scipy."""
    try:
        from scipy.linalg import lapack
    except ImportError:
        return None
    return lapack


def _p(dt) -> str:
    return "d" if dt == np.float64 else "s"


def _eps(dt) -> float:
    return float(np.finfo(dt).eps)


def _padded(a: np.ndarray, extra: int = 3, fill: float = 7.0) -> np.ndarray:
    """a in a Fortran array with `extra` more rows (lda > m), filled with `fill`."""
    m, n = a.shape
    out = np.full((m + extra, n), fill, dtype=a.dtype, order="F")
    out[:m] = a
    return out


def _norm(x: np.ndarray) -> float:
    return float(np.linalg.norm(np.asarray(x, dtype=np.float64), 1)) if x.size else 0.0


def _rand(rng, m, n, dt) -> np.ndarray:
    return rng.standard_normal((m, n)).astype(dt)


def _lu(table, a: np.ndarray):
    m, n = a.shape
    fa = _padded(a)
    ipiv = np.zeros(max(min(m, n), 1), dtype=np.intp)
    info = table(_p(a.dtype) + "getrf", m, n, fa, fa.shape[0], ipiv)
    assert (fa[m:] == 7).all(), "getrf wrote beyond row m"
    return info, fa, ipiv[: min(m, n)]


def _lu_residual(a, fa, ipiv) -> float:
    m, n = a.shape
    k = min(m, n)
    lu = fa[:m].astype(np.float64)
    low = np.tril(lu[:, :k], -1) + np.eye(m, k)
    up = np.triu(lu[:k])
    pa = a.astype(np.float64)
    for i in range(k):
        assert 1 <= ipiv[i] <= m and ipiv[i] >= i + 1
        j = ipiv[i] - 1
        pa[[i, j]] = pa[[j, i]]
    return _norm(pa - low @ up) / (max(m, n) * _eps(a.dtype) * max(_norm(a), 1e-300))


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_and_solves(table, dt) -> None:
    rng = np.random.default_rng(1)
    p = _p(dt)
    eps = _eps(dt)
    for n in SIZES:
        a = _rand(rng, n, n, dt)
        info, fa, ipiv = _lu(table, a)
        assert info == 0
        assert _lu_residual(a, fa, ipiv) < BOUND, n
        a64 = a.astype(np.float64)
        for trans in (NOTRANS, TRANS, CONJTRANS):
            b = _rand(rng, n, 3, dt)
            fb = _padded(b, 2)
            assert table(p + "getrs", trans, n, 3, fa, fa.shape[0], ipiv, fb, fb.shape[0]) == 0
            x = fb[:n].astype(np.float64)
            op = a64.T if trans else a64
            r = _norm(op @ x - b) / (n * eps * _norm(a) * max(_norm(x), 1e-300))
            assert r < BOUND, (n, trans, r)
            assert (fb[n:] == 7).all()
        inv = fa.copy(order="F")
        assert table(p + "getri", n, inv, inv.shape[0], ipiv) == 0
        x = inv[:n].astype(np.float64)
        r = _norm(a64 @ x - np.eye(n)) / (n * eps * _norm(a) * _norm(x))
        assert r < BOUND, (n, r)
        assert (inv[n:] == 7).all()


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_non_square(table, dt) -> None:
    rng = np.random.default_rng(2)
    for m, n in SHAPES:
        a = _rand(rng, m, n, dt)
        info, fa, ipiv = _lu(table, a)
        assert info == 0
        assert _lu_residual(a, fa, ipiv) < BOUND, (m, n)


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_pivots_as_lapack(table, dt) -> None:
    """On a matrix whose pivots are clear, the same rows as scipy's LAPACK."""
    lapack = pytest.importorskip("scipy.linalg.lapack")

    rng = np.random.default_rng(3)
    for n in (9, 65, 257):
        a = _rand(rng, n, n, np.float64)
        _, piv, info = lapack.dgetrf(a)
        assert info == 0
        ours, fa, ipiv = _lu(table, a.astype(dt))
        if dt == np.float64:
            assert (ipiv == piv + 1).all()


# getrf's recursion ends in a left-looking leaf for panels of up to 16
# columns (simd/lapack.h, LAPACK_LU_LEAF): tall, square and wide panels
# around that width, and matrices whose recursion ends just either side
LEAF_SHAPES = [(1, 16), (2, 16), (5, 16), (3, 17), (16, 16), (16, 17), (17, 16), (40, 15), (40, 16), (40, 17),
               (1000, 16), (1000, 17), (33, 32), (32, 33), (200, 31), (31, 200)]


def _check_lu_shapes(table, dt, seed, shapes, zero_columns) -> None:
    """LU of random matrices of each shape (residual, and LAPACK's pivots),
    then of matrices with zero columns: info names the first, and the
    factorization goes on past all of them."""
    lapack = _scipy_lapack()
    rng = np.random.default_rng(seed)
    for m, n in shapes:
        a = _rand(rng, m, n, dt)
        info, fa, ipiv = _lu(table, a)
        assert info == 0
        assert _lu_residual(a, fa, ipiv) < BOUND, (m, n)
        if lapack and dt == np.float64:
            assert (ipiv == lapack.dgetrf(a)[1] + 1).all(), (m, n)
    for m, n, ks in zero_columns:
        a = _rand(rng, m, n, dt)
        for k in ks:
            a[:, k] = 0
        info, fa, ipiv = _lu(table, a)
        assert info == min(ks) + 1, (m, n, info)
        assert _lu_residual(a, fa, ipiv) < BOUND, (m, n)


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_around_the_leaf(table, dt) -> None:
    # two zero columns inside one leaf panel
    _check_lu_shapes(table, dt, 7, LEAF_SHAPES, ((40, 16, (5, 9)), (1000, 17, (0, 15)), (20, 33, (16, 20))))


# From 384 to 1535 rows and columns getrf runs in panels of 128 columns with
# look-ahead (simd/lapack.h, LAPACK_LU_BLOCKED_FROM, LAPACK_LU_PANEL): the
# threshold, a last panel of one column, tall and wide matrices whose
# panels end at min(m, n) while the updates go on to n
BLOCKED_SHAPES = [(383, 383), (384, 384), (385, 513), (513, 513), (1000, 384), (384, 900), (700, 600), (600, 700)]


@pytest.mark.parametrize("dt", DTYPES)
def test_lu_in_panels(table, dt) -> None:
    # zero columns in the first panel, in a later one and in the last
    zero_columns = ((600, 600, (130, 7, 599)), (513, 513, (512,)), (700, 600, (300, 450)))
    _check_lu_shapes(table, dt, 17, BLOCKED_SHAPES, zero_columns)


@pytest.mark.parametrize("dt", DTYPES)
def test_solves_around_the_trsm_chunk(table, dt) -> None:
    """The triangular solve's base case copies a column-major right-hand
    side 64 columns at a time (LAPACK_TRSM_CHUNK) and solves a last single
    column in place: nrhs around multiples of 64, both triangles, both
    transposes."""
    rng = np.random.default_rng(8)
    p = _p(dt)
    eps = _eps(dt)
    for n in (5, 16, 40):
        a = _rand(rng, n, n, dt)
        info, fa, ipiv = _lu(table, a)
        assert info == 0
        a64 = a.astype(np.float64)
        for nrhs in (2, 63, 64, 65, 129):
            for trans in (NOTRANS, TRANS):
                b = _rand(rng, n, nrhs, dt)
                fb = _padded(b, 2)
                assert table(p + "getrs", trans, n, nrhs, fa, fa.shape[0], ipiv, fb, fb.shape[0]) == 0
                x = fb[:n].astype(np.float64)
                op = a64.T if trans else a64
                r = _norm(op @ x - b) / (n * eps * _norm(a) * max(_norm(x), 1e-300))
                assert r < BOUND, (n, nrhs, trans, r)
                assert (fb[n:] == 7).all()


def _singular(rng, n, k, dt):
    """n x n, column k a combination of exact zeros: U[k, k] is exactly 0."""
    a = _rand(rng, n, n, dt)
    a[:, k] = 0
    return a


@pytest.mark.parametrize("dt", DTYPES)
def test_singular_info(table, dt) -> None:
    lapack = _scipy_lapack()

    rng = np.random.default_rng(4)
    p = _p(dt)
    for n, k in ((1, 0), (2, 1), (3, 0), (17, 16), (65, 40), (100, 3), (300, 299)):
        a = _singular(rng, n, k, dt)
        info, fa, ipiv = _lu(table, a)
        want = lapack.dgetrf(a.astype(np.float64))[2] if lapack else k + 1
        assert info == want == k + 1, (n, k, info, want)
        assert _lu_residual(a, fa, ipiv) < BOUND  # the factorization is completed
        inv = fa.copy(order="F")
        assert table(p + "getri", n, inv, inv.shape[0], ipiv) == k + 1
    # every column zero: info 1, ipiv all 1
    z = np.zeros((5, 5), dt)
    info, _, ipiv = _lu(table, z)
    assert info == 1 and (ipiv == np.arange(1, 6)).all()


#: simd/lapack.h's LAPACK_SMALL_N: up to it, getrf, getrs, getri, potrf and
#: potrs take the unblocked small-matrix path
SMALL_N = 32


@pytest.mark.parametrize("dt", DTYPES)
def test_small_path_edges(table, dt) -> None:
    """Either side of LAPACK_SMALL_N: non-square LU across it, pivots as
    LAPACK's, singular and indefinite info from every routine, NaN and inf."""
    lapack = _scipy_lapack()
    rng = np.random.default_rng(10)
    p = _p(dt)
    for n in (SMALL_N - 1, SMALL_N, SMALL_N + 1):
        for m in (n, n - 3, 2 * SMALL_N + 1 - n):
            a = _rand(rng, m, n, dt)
            info, fa, ipiv = _lu(table, a)
            assert info == 0 and _lu_residual(a, fa, ipiv) < BOUND, (m, n)
        if lapack is not None and dt == np.float64:
            a = _rand(rng, n, n, dt)
            assert (_lu(table, a)[2] == lapack.dgetrf(a)[1] + 1).all(), n
        for k in (0, n // 2, n - 1):
            a = _singular(rng, n, k, dt)
            info, fa, ipiv = _lu(table, a)
            assert info == k + 1, (n, k, info)
            assert _lu_residual(a, fa, ipiv) < BOUND
            inv = fa.copy(order="F")
            assert table(p + "getri", n, inv, inv.shape[0], ipiv) == k + 1
            s = _spd(rng, n, np.float64)
            s[k, k] = -1.0 - n * n  # indefinite at order k + 1 whatever came before
            for uplo in (LOWER, UPPER):
                c = _padded(s.astype(dt))
                assert table(p + "potrf", uplo, n, c, c.shape[0]) == k + 1, (n, k, uplo)
        for bad in (np.nan, np.inf):
            a = _rand(rng, n, n, dt)
            a[n // 2, n // 3] = bad
            fa = _padded(a)
            ipiv = np.zeros(n, np.intp)
            assert table(p + "getrf", n, n, fa, fa.shape[0], ipiv) >= 0
            assert ((1 <= ipiv) & (ipiv <= n)).all() and (fa[n:] == 7).all()
            for trans in (NOTRANS, TRANS):
                b = np.ones((n, 2), dt, order="F")
                assert table(p + "getrs", trans, n, 2, fa, fa.shape[0], ipiv, b, n) == 0
                if bad != bad:
                    assert np.isnan(b).any(), (n, trans)
            assert table(p + "getri", n, fa, fa.shape[0], ipiv) >= 0
            assert (fa[n:] == 7).all()
            c = _padded(_spd(rng, n, dt))
            c[n // 2, n // 2] = bad
            info = table(p + "potrf", LOWER, n, c, c.shape[0])
            assert info == (n // 2 + 1 if bad != bad else 0), (n, bad, info)


def _spd(rng, n, dt) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return (a @ a.T + n * np.eye(n)).astype(dt)


@pytest.mark.parametrize("dt", DTYPES)
def test_cholesky_and_solve(table, dt) -> None:
    rng = np.random.default_rng(5)
    p = _p(dt)
    eps = _eps(dt)
    # and from 384 on, in panels with look-ahead (simd/lapack.h,
    # LAPACK_CHOL_BLOCKED_FROM): the threshold and a last panel of one column
    for n in SIZES + [383, 384, 513]:
        s = _spd(rng, n, dt)
        s64 = s.astype(np.float64)
        for uplo in (LOWER, UPPER):
            fa = _padded(s)
            keep = fa.copy(order="F")
            assert table(p + "potrf", uplo, n, fa, fa.shape[0]) == 0
            if uplo == LOWER:
                f = np.tril(fa[:n]).astype(np.float64)
                rebuilt = f @ f.T
                assert (np.triu(fa[:n], 1) == np.triu(keep[:n], 1)).all(), "potrf wrote the upper triangle"
            else:
                f = np.triu(fa[:n]).astype(np.float64)
                rebuilt = f.T @ f
                assert (np.tril(fa[:n], -1) == np.tril(keep[:n], -1)).all(), "potrf wrote the lower triangle"
            assert (fa[n:] == 7).all()
            r = _norm(rebuilt - s64) / (n * eps * _norm(s))
            assert r < BOUND, (n, uplo, r)
            b = _rand(rng, n, 4, dt)
            fb = _padded(b, 1)
            assert table(p + "potrs", uplo, n, 4, fa, fa.shape[0], fb, fb.shape[0]) == 0
            x = fb[:n].astype(np.float64)
            r = _norm(s64 @ x - b) / (n * eps * _norm(s) * _norm(x))
            assert r < BOUND, (n, uplo, r)


@pytest.mark.parametrize("dt", DTYPES)
def test_not_positive_definite(table, dt) -> None:
    lapack = _scipy_lapack()

    rng = np.random.default_rng(6)
    p = _p(dt)
    # the last three in panels: the first, a later one, the last column
    for n, k in ((1, 0), (2, 1), (16, 5), (17, 16), (100, 64), (300, 150), (600, 100), (600, 300), (513, 512)):
        s = _spd(rng, n, np.float64)
        s[k, k] = -1.0  # the leading minor of order k + 1 is indefinite
        want = lapack.dpotrf(s, lower=1)[1] if lapack else k + 1
        for uplo in (LOWER, UPPER):
            fa = _padded(s.astype(dt))
            assert table(p + "potrf", uplo, n, fa, fa.shape[0]) == want == k + 1


def _qr_check(table, a: np.ndarray) -> None:
    m, n = a.shape
    k = min(m, n)
    dt = a.dtype
    p = _p(dt)
    eps = _eps(dt)
    fa = _padded(a)
    tau = np.zeros(max(k, 1), dt)
    assert table(p + "geqrf", m, n, fa, fa.shape[0], tau) == 0
    assert (fa[m:] == 7).all()
    r = np.triu(fa[:k]).astype(np.float64)
    # Q's first k columns (m x k; m >= k always)
    q = np.asfortranarray(fa[:, :k].copy())
    assert table(p + "orgqr", m, k, k, q, q.shape[0], tau) == 0
    assert (q[m:] == 7).all()
    q = q[:m].astype(np.float64)
    scale = max(m, n) * eps
    assert _norm(a.astype(np.float64) - q @ r) / (scale * max(_norm(a), 1e-300)) < BOUND, (m, n)
    assert _norm(q.T @ q - np.eye(k)) / scale < BOUND, (m, n)
    if m > n:
        # the whole m x m Q from the n reflectors (columns beyond k start as I's)
        full = np.zeros((m + 3, m), dt, order="F")
        full[:, :n] = fa
        assert table(p + "orgqr", m, m, k, full, full.shape[0], tau) == 0
        qf = full[:m].astype(np.float64)
        assert _norm(qf.T @ qf - np.eye(m)) / (m * eps) < BOUND
        assert np.allclose(qf[:, :k], q, atol=50 * eps)


@pytest.mark.parametrize("dt", DTYPES)
def test_qr(table, dt) -> None:
    rng = np.random.default_rng(7)
    for n in SIZES:
        _qr_check(table, _rand(rng, n, n, dt))
    for m, n in SHAPES:
        _qr_check(table, _rand(rng, m, n, dt))


@pytest.mark.parametrize("dt", DTYPES)
def test_qr_with_the_wide_outer_panels(table, dt) -> None:
    """From a smaller side of 2048 on, geqrf and orgqr take wider outer
    panels (simd/lapack.h, LAPACK_QR_NB1_FROM); below it the narrower ones
    that test_qr covers. Only the vector tables: the scalar ones would take
    seconds here."""
    if table.module in ("hostlib._lapack_portable", "kernels_sse2._sse2_lapack"):
        pytest.skip("the scalar and SSE2 tables: too slow at n = 2048 for the suite")
    rng = np.random.default_rng(12)
    _qr_check(table, _rand(rng, 2050, 2048, dt))


@pytest.mark.parametrize("dt", DTYPES)
def test_qr_extreme_scales(table, dt) -> None:
    """larfg's scaling: columns near the overflow and underflow thresholds."""
    rng = np.random.default_rng(8)
    fi = np.finfo(dt)
    for scale in (float(fi.max) / 64, float(fi.tiny) * 4, float(fi.tiny) * float(fi.eps) * 4):
        a = (_rand(rng, 40, 20, np.float64) * scale).astype(dt)
        a[:, 3] = 0
        fa = _padded(a)
        tau = np.zeros(20, dt)
        assert table(_p(dt) + "geqrf", 40, 20, fa, fa.shape[0], tau) == 0
        assert np.isfinite(fa[:40]).all() and np.isfinite(tau).all()
        # |R| keeps the columns' norms: |R[j, j]| <= ||a_j||, the first one equal
        r0 = abs(float(fa[0, 0]))
        want = float(np.linalg.norm(a[:, 0].astype(np.float64) / scale)) * scale
        assert r0 == pytest.approx(want, rel=1e-3), (scale, r0, want)


@pytest.mark.parametrize("dt", DTYPES)
def test_nan_and_inf_return(table, dt) -> None:
    """NaN and inf anywhere: every routine returns (NaN out is fine)."""
    rng = np.random.default_rng(9)
    p = _p(dt)
    for bad in (np.nan, np.inf, -np.inf):
        for n in (1, 5, 70):
            for where in ((0, 0), (n - 1, n // 2), (n // 2, n - 1)):
                a = _rand(rng, n, n, dt)
                a[where] = bad
                fa = _padded(a)
                ipiv = np.zeros(n, np.intp)
                info = table(p + "getrf", n, n, fa, fa.shape[0], ipiv)
                assert info >= 0 and ((1 <= ipiv) & (ipiv <= n)).all()
                b = np.ones((n, 2), dt, order="F")
                assert table(p + "getrs", NOTRANS, n, 2, fa, fa.shape[0], ipiv, b, n) == 0
                assert table(p + "getri", n, fa, fa.shape[0], ipiv) >= 0
                s = _padded(_spd(rng, n, dt))
                s[where] = bad
                s[where[::-1]] = bad
                for uplo in (LOWER, UPPER):
                    c = s.copy(order="F")
                    assert table(p + "potrf", uplo, n, c, c.shape[0]) >= 0
                q = _padded(a)
                tau = np.zeros(n, dt)
                assert table(p + "geqrf", n, n, q, q.shape[0], tau) == 0
                assert table(p + "orgqr", n, n, n, q, q.shape[0], tau) == 0
    # a NaN diagonal is not positive definite
    s = _padded(_spd(rng, 4, dt))
    s[2, 2] = np.nan
    assert table(p + "potrf", LOWER, 4, s, s.shape[0]) == 3


@pytest.mark.parametrize("dt", DTYPES)
def test_illegal_arguments_and_quick_returns(table, dt) -> None:
    p = _p(dt)
    a = np.zeros((4, 4), dt, order="F")
    b = np.zeros((4, 2), dt, order="F")
    ipiv = np.ones(4, np.intp)
    tau = np.zeros(4, dt)
    t = table
    assert t(p + "getrf", -1, 4, a, 4, ipiv) == -1
    assert t(p + "getrf", 4, -1, a, 4, ipiv) == -2
    assert t(p + "getrf", 4, 4, a, 3, ipiv) == -4
    assert t(p + "getrf", 0, 4, a, 1, ipiv) == 0
    assert t(p + "getrf", 4, 0, a, 4, ipiv) == 0
    assert t(p + "getrf", 0, 0, a, 0, ipiv) == -4  # lda >= max(1, m)
    assert t(p + "getrs", 3, 4, 2, a, 4, ipiv, b, 4) == -1
    assert t(p + "getrs", NOTRANS, -1, 2, a, 4, ipiv, b, 4) == -2
    assert t(p + "getrs", NOTRANS, 4, -1, a, 4, ipiv, b, 4) == -3
    assert t(p + "getrs", NOTRANS, 4, 2, a, 3, ipiv, b, 4) == -5
    assert t(p + "getrs", NOTRANS, 4, 2, a, 4, ipiv, b, 3) == -8
    assert t(p + "getrs", TRANS, 0, 2, a, 1, ipiv, b, 1) == 0
    assert t(p + "getri", -1, a, 4, ipiv) == -1
    assert t(p + "getri", 4, a, 3, ipiv) == -3
    assert t(p + "getri", 0, a, 1, ipiv) == 0
    assert t(p + "potrf", 2, 4, a, 4) == -1
    assert t(p + "potrf", LOWER, -1, a, 4) == -2
    assert t(p + "potrf", UPPER, 4, a, 3) == -4
    assert t(p + "potrf", UPPER, 0, a, 1) == 0
    assert t(p + "potrs", -1, 4, 2, a, 4, b, 4) == -1
    assert t(p + "potrs", LOWER, -1, 2, a, 4, b, 4) == -2
    assert t(p + "potrs", LOWER, 4, -1, a, 4, b, 4) == -3
    assert t(p + "potrs", LOWER, 4, 2, a, 3, b, 4) == -5
    assert t(p + "potrs", LOWER, 4, 2, a, 4, b, 3) == -7
    assert t(p + "geqrf", -1, 4, a, 4, tau) == -1
    assert t(p + "geqrf", 4, -1, a, 4, tau) == -2
    assert t(p + "geqrf", 4, 4, a, 3, tau) == -4
    assert t(p + "geqrf", 0, 4, a, 1, tau) == 0
    assert t(p + "orgqr", -1, 0, 0, a, 1, tau) == -1
    assert t(p + "orgqr", 3, 4, 0, a, 4, tau) == -2  # n > m
    assert t(p + "orgqr", 4, 2, 3, a, 4, tau) == -3  # k > n
    assert t(p + "orgqr", 4, 4, 4, a, 3, tau) == -5
    assert t(p + "orgqr", 4, 0, 0, a, 4, tau) == 0
    assert (a == 0).all() and (b == 0).all()


def test_every_usable_backend_serves_the_native_entries() -> None:
    """Each SIMD module the CPU runs is a usable lapack backend with the 14 entries."""
    want = {p + r for p in "sd" for r in ROUTINES}
    found = {b.name: b for b in hostlib.backends(interface="lapack")}
    assert "portable" in found
    for b in found.values():
        if b.status == "usable" and b.name != "openblas":
            assert want <= set(b.provides), (b.name, want - set(b.provides))


def test_workspace_fails_before_anything_is_written(run_python) -> None:
    """A factorization allocates its one workspace (all its updates' packing
    buffers, one slice per pool thread) before it touches the matrix: where
    that allocation fails it answers HOSTLIB_LAPACK_ENOMEM with the input
    unchanged, so that a caller can fall back on it (lapack.toml's
    contract). Before, getrf's and getrs' gemms each fell back on an
    unpacked loop instead. The address space is limited to what the process
    holds, and the heap taken, so that a workspace of n = 2000 (MiBs) cannot
    be had."""
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("uses RLIMIT_AS and /proc")
    if "asan" in os.environ.get("LD_PRELOAD", ""):
        # the sanitized run: AddressSanitizer's allocator aborts the process
        # ("Failed to mmap") where malloc would return NULL under the limit
        pytest.skip("AddressSanitizer aborts on a failed mmap instead of returning NULL")
    code = """
        import ctypes, importlib, json
        import numpy as np
        import hostlib
        from _no_memory import malloc_failing
        from hostlib import lapack_interface as description
        from hostlib._host import _core
        from hostlib._host.host import Interface

        MODULES = %r
        I, P, C = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int
        SIGS = {"dgetrf": (I, I, P, I, P), "dpotrf": (C, I, P, I), "dgeqrf": (I, I, P, I, P),
                "dgetrs": (C, I, I, P, I, P, P, I), "dpotrs": (C, I, I, P, I, P, I)}
        iface = Interface.from_description(description.INTERFACE)
        tables = {}
        for module, features in MODULES.items():
            if not all(hostlib.cpu_features().get(f) for f in features):
                continue
            try:
                mod = importlib.import_module(module)
            except ImportError:
                continue
            tables[module] = {name: ctypes.CFUNCTYPE(I, *sig)(_core.slot_address(
                mod._C_API, iface.provider_capsule, iface.magic, iface.abi_major, iface.entries.index(name)))
                for name, sig in SIGS.items()}
        n = 2000
        rng = np.random.default_rng(5)
        a0 = np.asfortranarray(rng.standard_normal((n, n)) + n * np.eye(n))
        ipiv = np.arange(1, n + 1, dtype=np.intp)
        tau = np.empty(n)
        work = {m: (a0.copy(order="F"), a0.copy(order="F")) for m in tables}
        infos = {}
        with malloc_failing() as limited:
            for m, f in tables.items():
                a, b = work[m]
                pa, pb, pp, pt = a.ctypes.data, b.ctypes.data, ipiv.ctypes.data, tau.ctypes.data
                infos[m] = {"dgetrf": f["dgetrf"](n, n, pa, n, pp), "dpotrf": f["dpotrf"](0, n, pa, n),
                            "dgeqrf": f["dgeqrf"](n, n, pa, n, pt),
                            "dgetrs": f["dgetrs"](0, n, n, pa, n, pp, pb, n),
                            "dpotrs": f["dpotrs"](0, n, n, pa, n, pb, n)}
        out = {"probe_failed": limited["failed"], "infos": infos,
               "unchanged": {m: bool(np.array_equal(a, a0) and np.array_equal(b, a0)) for m, (a, b) in work.items()},
               "after": {m: f["dgetrf"](n, n, work[m][0].ctypes.data, n, ipiv.ctypes.data) for m, f in tables.items()}}
        print(json.dumps(out))
    """ % (MODULES,)
    r = run_python(code, env={"OPENBLAS_NUM_THREADS": "1"}, pythonpath=[TESTS])
    assert r.returncode == 0, r.stderr
    out = r.json()
    if not out["probe_failed"]:
        pytest.skip("could not make malloc fail with RLIMIT_AS")
    assert out["infos"], "no native lapack table here"
    for module, infos in out["infos"].items():
        assert set(infos.values()) == {-1001}, (module, infos)  # HOSTLIB_LAPACK_ENOMEM
        assert out["unchanged"][module], module
        assert out["after"][module] == 0, module  # with memory again, it factors


# simd/lapack.h compiled into a test module, its allocations counted: each
# call's one workspace must hold every gemm's packing (gemm.h's bound
# covering the shapes the recursion makes); a gemm that did not fit would
# allocate its own (gemm.h's fallback), a second allocation
COUNTING_C = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
static long allocs;
static void *counted_malloc(size_t n)
{
    allocs++;
    return malloc(n);
}
#define malloc(n) counted_malloc(n)
#include LAYER
#include "lapack.h"
#undef malloc

#define D(r) SIMD_NAME(lapack_d##r)
static PyObject *call(PyObject *self, PyObject *args)
{
    const char *r;
    Py_ssize_t m, n, k, a, lda, b, ldb, p;
    if (!PyArg_ParseTuple(args, "snnnnnnnn", &r, &m, &n, &k, &a, &lda, &b, &ldb, &p)) {
        return NULL;
    }
    double *A = (double *)a, *B = (double *)b;
    ptrdiff_t *P = (ptrdiff_t *)p, info = -9999;
    allocs = 0;
    Py_BEGIN_ALLOW_THREADS
    if (!strcmp(r, "getrf")) info = D(getrf)(m, n, A, lda, P);
    else if (!strcmp(r, "getrs")) info = D(getrs)((int)k, n, m, A, lda, P, B, ldb);
    else if (!strcmp(r, "getri")) info = D(getri)(n, A, lda, P);
    else if (!strcmp(r, "potrf")) info = D(potrf)((int)k, n, A, lda);
    else if (!strcmp(r, "potrs")) info = D(potrs)((int)k, n, m, A, lda, B, ldb);
    else if (!strcmp(r, "geqrf")) info = D(geqrf)(m, n, A, lda, B);
    else if (!strcmp(r, "orgqr")) info = D(orgqr)(m, n, k, A, lda, B);
    Py_END_ALLOW_THREADS
    return Py_BuildValue("nl", (Py_ssize_t)info, allocs);
}

static PyObject *use_pool(PyObject *self, PyObject *arg)
{
    SIMD_NAME(lapack_pool) = PyObject_IsTrue(arg) ? hostlib_import_pool() : NULL;
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {{"call", call, METH_VARARGS, NULL}, {"use_pool", use_pool, METH_O, NULL},
                                {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, MODNAME, NULL, -1, methods};
PyMODINIT_FUNC INIT(void) { return PyModule_Create(&def); }
"""


@pytest.fixture(scope="module", params=["scalar", "avx2"])
def counting(request, tmp_path_factory):
    from _build_ext import BuildError, build_and_import, compiler_problem

    layer = request.param
    if layer == "avx2" and not (hostlib.cpu_features().get("AVX2") and hostlib.cpu_features().get("FMA3")):
        pytest.skip("this CPU lacks AVX2/FMA3")
    why = compiler_problem()
    if why:
        pytest.skip(f"cannot build the counting module: {why}")
    name = f"lapack_counting_{layer}"
    source = (f'#define LAYER "vec_{layer}.h"\n#define MODNAME "{name}"\n#define INIT PyInit_{name}\n'
              + ("#pragma GCC target(\"avx2,fma\")\n" if layer == "avx2" else "") + COUNTING_C)
    out = tmp_path_factory.mktemp(name)
    try:
        return build_and_import(source, name, out, include_dirs=[hostlib.get_include(),
                                                                 os.path.join(hostlib.get_include(), "simd")])
    except BuildError as exc:
        pytest.skip(f"cannot build the counting module: {exc}")


@pytest.mark.parametrize("dt", DTYPES)
def test_results_do_not_depend_on_the_thread_count(table, dt) -> None:
    """Large enough that the updates, the solves and the row swaps are split
    over the pool on two threads: every column is computed by the same
    operations however they are cut, so the bits are the same as on one."""
    rng = np.random.default_rng(11)
    n = 600
    p = _p(dt)
    a = _rand(rng, n, n, dt)
    spd = _spd(rng, n, dt)
    b = _rand(rng, n, n, dt)

    def run() -> list:
        lu = np.asfortranarray(a)
        ipiv = np.zeros(n, dtype=np.intp)
        assert table(p + "getrf", n, n, lu, n, ipiv) == 0
        x = np.asfortranarray(b)
        assert table(p + "getrs", NOTRANS, n, n, lu, n, ipiv, x, n) == 0
        inv = lu.copy(order="F")
        assert table(p + "getri", n, inv, n, ipiv) == 0
        chol = np.asfortranarray(spd)
        assert table(p + "potrf", LOWER, n, chol, n) == 0
        qr = np.asfortranarray(a)
        tau = np.zeros(n, dtype=dt)
        assert table(p + "geqrf", n, n, qr, n, tau) == 0
        return [lu, ipiv, x, inv, chol, qr, tau]

    before = hostlib.get_num_threads()
    try:
        hostlib.set_num_threads(1)
        one = run()
        hostlib.set_num_threads(2)
        two = run()
    finally:
        hostlib.set_num_threads(before)
    for name, r1, r2 in zip(("getrf", "ipiv", "getrs", "getri", "potrf", "geqrf", "tau"), one, two):
        assert np.array_equal(r1, r2), f"{name} differs between one and two threads"


@pytest.mark.parametrize("threads", [1, 2])
def test_one_allocation_per_call(counting, threads) -> None:
    """Each native routine (beyond the small-matrix paths, which allocate
    nothing) makes exactly one allocation, however its updates are shaped or
    split over the pool: square, tall and wide, padded leading dimensions,
    both triangles, QR panels of one reflector, many right-hand sides."""
    rng = np.random.default_rng(11)
    before = hostlib.get_num_threads()
    counting.use_pool(True)
    hostlib.set_num_threads(threads)
    try:
        for m, n in [(300, 300), (700, 200), (200, 700), (129, 300), (33, 200), (520, 513), (1100, 1100)]:
            lda = m + 3
            a = np.asfortranarray(rng.standard_normal((lda, n)) + 4 * np.eye(lda, n) * max(m, n))
            ipiv = np.zeros(min(m, n), np.intp)
            tau = np.zeros(min(m, n))
            info, allocs = counting.call("getrf", m, n, 0, a.ctypes.data, lda, 0, 0, ipiv.ctypes.data)
            assert (info, allocs) == (0, 1), ("getrf", m, n)
            qr = np.asfortranarray(rng.standard_normal((lda, n)))
            info, allocs = counting.call("geqrf", m, n, 0, qr.ctypes.data, lda, tau.ctypes.data, 0, 0)
            assert (info, allocs) == (0, 1), ("geqrf", m, n)
            k = min(m, n)
            info, allocs = counting.call("orgqr", m, k, k, qr.ctypes.data, lda, tau.ctypes.data, 0, 0)
            assert (info, allocs) == (0, 1), ("orgqr", m, k)
            if m > 500:  # Q's first w columns from 129 reflectors: the last block is one reflector
                w = min(m, 600)
                q = np.asfortranarray(rng.standard_normal((lda, w)))
                t = rng.uniform(1, 2, 129)
                info, allocs = counting.call("orgqr", m, w, 129, q.ctypes.data, lda, t.ctypes.data, 0, 0)
                assert (info, allocs) == (0, 1), ("orgqr", m, w, 129)
            if m != n:
                continue
            b = np.asfortranarray(rng.standard_normal((lda, n + 5)))
            for trans in (0, 1):
                info, allocs = counting.call("getrs", n + 5, n, trans, a.ctypes.data, lda, b.ctypes.data, lda,
                                             ipiv.ctypes.data)
                assert (info, allocs) == (0, 1), ("getrs", n, trans)
            spd = rng.standard_normal((n, n))
            spd = np.asfortranarray(spd @ spd.T + n * np.eye(n))
            for uplo in (0, 1):
                c = spd.copy(order="F")
                info, allocs = counting.call("potrf", 0, n, uplo, c.ctypes.data, n, 0, 0, 0)
                assert (info, allocs) == (0, 1), ("potrf", n, uplo)
                info, allocs = counting.call("potrs", 3, n, uplo, c.ctypes.data, n, b.ctypes.data, lda, 0)
                assert (info, allocs) == (0, 1), ("potrs", n, uplo)
            info, allocs = counting.call("getri", 0, n, 0, a.ctypes.data, lda, 0, 0, ipiv.ctypes.data)
            assert (info, allocs) == (0, 1), ("getri", n)
    finally:
        hostlib.set_num_threads(before)
        counting.use_pool(False)
