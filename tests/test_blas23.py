"""The kernels interface's BLAS level-2/3 entries (ABI 1.2: gemv, ger, trsv,
trsm, syrk, complex gemm, herk), called through every usable table's slot
(portable, sse2, avx2, the avx512 wheel, OpenBLAS...) and checked against
numpy computed in float64/complex128: every trans/uplo/side/diag
combination, sizes 0, 1 and around every vector width and the recursions'
base cases, leading dimensions above the row length, negative increments,
what BLAS does not read (C with beta == 0, A's diagonal with UNIT, the
other triangle), NaN propagation, and the documented status of every bad
argument (-i, nothing written)."""

from __future__ import annotations

import ctypes
import itertools

import numpy as np
import pytest

from hostlib._host import registry

NOTRANS, TRANS, CONJTRANS = 0, 1, 2
LEFT, RIGHT = 0, 1
LOWER, UPPER = 0, 1
NONUNIT, UNIT = 0, 1
ENTRIES = ("gemv", "ger", "trsv", "trsm", "syrk")
SS, INT, PTR = ctypes.c_ssize_t, ctypes.c_int, ctypes.c_void_p
REAL = {"s": (np.float32, ctypes.c_float), "d": (np.float64, ctypes.c_double)}
CPLX = {"c": (np.complex64, ctypes.c_float), "z": (np.complex128, ctypes.c_double)}


def _complex_struct(real):
    return type(f"hostlib_complex_{real.__name__}", (ctypes.Structure,), {"_fields_": [("re", real), ("im", real)]})


CSTRUCT = {p: _complex_struct(r) for p, (_, r) in CPLX.items()}


def _host():
    return registry.host("kernels")


def _backends(entry: str) -> list[str]:
    return list(_host().providers()[entry])


def _fn(backend: str, entry: str, restype, *argtypes):
    address = _host().slot_address(backend, entry)
    assert address, f"{backend} has no {entry}"
    return ctypes.CFUNCTYPE(restype, *argtypes)(address)


def _all_pairs():
    """(backend, letter) for every table serving the real entries"""
    return [(b, p) for p in "sd" for b in _backends(p + "trsm")]


def _tol(dt) -> float:
    return 2e-4 if np.dtype(dt) in (np.float32, np.complex64) else 1e-11


def _ptr(a: np.ndarray) -> int:
    return a.ctypes.data


def _padded(rows: int, cols: int, dt, pad: int, rng, fill=None):
    """a row-major rows x cols matrix inside a buffer with rows of cols + pad
    elements (the padding is NaN: a kernel that reads past a row shows it)"""
    buf = np.full((max(rows, 1), cols + pad), np.nan, dtype=dt)
    vals = rng.standard_normal((rows, cols)) if fill is None else fill
    if np.dtype(dt).kind == "c" and fill is None:
        vals = vals + 1j * rng.standard_normal((rows, cols))
    buf[:rows, :cols] = vals
    return buf, cols + pad


def test_every_layer_serves_them():
    import hostlib

    usable = {b.name for b in hostlib.backends() if b.status == "usable"}
    for p in "sd":
        for e in ENTRIES:
            names = set(_backends(p + e))
            assert "portable" in names
            # every bundled or installed SIMD table the CPU runs serves them too
            assert {"sse2", "avx2", "avx512", "neon"} & usable <= names, (p + e, names)
    for p in "cz":
        for e in ("gemm", "herk"):
            assert "portable" in _backends(p + e)


@pytest.mark.parametrize("backend", ["openblas", "mkl"])
def test_forwarding_wheels_serve_them(backend):
    """The OpenBLAS and MKL wheels forward every level-2/3 entry to their
    cblas; the tests below then check each of them like every other table."""
    b = _host().backends.get(backend)
    if b is None or not b.usable:
        why = "not installed" if b is None else f"{b.status}: {b.reason}"
        pytest.skip(f"the {backend} backend is not usable here ({why}); pip install --no-build-isolation "
                    f"./kernels_{backend}" + (" and pip install mkl" if backend == "mkl" else ""))
    for p in "sd":
        for e in ENTRIES:
            assert backend in _backends(p + e), (backend, p + e)
    for p in "cz":
        for e in ("gemm", "herk"):
            assert backend in _backends(p + e), (backend, p + e)


# ---------------------------------------------------------------- trsm


def _triangular(n, uplo, diag, dt, rng, unit_nan=True):
    a = rng.standard_normal((n, n)) * 0.3
    a = np.tril(a) if uplo == LOWER else np.triu(a)
    a[np.diag_indices(n)] = rng.uniform(1.0, 2.0, n) * rng.choice([-1, 1], n)
    full = a.copy()
    if diag == UNIT:
        full[np.diag_indices(n)] = 1.0
        if unit_nan:
            a[np.diag_indices(n)] = np.nan  # never read
    # the other triangle holds NaN too: never read
    other = np.triu_indices(n, 1) if uplo == LOWER else np.tril_indices(n, -1)
    a[other] = np.nan
    return a.astype(dt), full


SHAPES = [(0, 3), (3, 0), (1, 1), (5, 17), (17, 5), (33, 9), (70, 40)]


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_trsm(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "trsm", INT, INT, INT, INT, INT, SS, SS, ct, PTR, SS, PTR, SS)
    rng = np.random.default_rng(1)
    for side, uplo, trans, diag in itertools.product((LEFT, RIGHT), (LOWER, UPPER), (NOTRANS, TRANS), (NONUNIT, UNIT)):
        for m, n in SHAPES:
            ka = m if side == LEFT else n
            a, full = _triangular(ka, uplo, diag, dt, rng)
            abuf, lda = _padded(ka, ka, dt, 3, rng, fill=a)
            bbuf, ldb = _padded(m, n, dt, 2, rng)
            b0 = bbuf[:m, :n].astype(np.float64)
            alpha = 0.75
            assert f(side, uplo, trans, diag, m, n, alpha, _ptr(abuf), lda, _ptr(bbuf), ldb) == 0
            op = full.T if trans else full
            if m and n:
                want = np.linalg.solve(op, alpha * b0) if side == LEFT else np.linalg.solve(op.T, alpha * b0.T).T
                got = bbuf[:m, :n]
                assert np.allclose(got, want, rtol=_tol(dt), atol=_tol(dt) * np.abs(want).max()), \
                    (backend, side, uplo, trans, diag, m, n)
            assert np.isnan(bbuf[:m, n:]).all()  # the padding is not written


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_trsm_alpha_zero_and_nan(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "trsm", INT, INT, INT, INT, INT, SS, SS, ct, PTR, SS, PTR, SS)
    rng = np.random.default_rng(2)
    n = 20
    a = np.full((n, n), np.nan, dt)  # alpha == 0: A is not read, B becomes 0
    b = np.full((n, 7), np.nan, dt)
    assert f(LEFT, LOWER, NOTRANS, NONUNIT, n, 7, 0.0, _ptr(a), n, _ptr(b), 7) == 0
    assert (b == 0).all()
    # a NaN in B spreads down its column in a lower solve, and nowhere else
    a, _ = _triangular(n, LOWER, NONUNIT, dt, rng, unit_nan=False)
    a = np.nan_to_num(a, nan=0.0)
    b = rng.standard_normal((n, 7)).astype(dt)
    b[5, 3] = np.nan
    assert f(LEFT, LOWER, NOTRANS, NONUNIT, n, 7, 1.0, _ptr(a), n, _ptr(b), 7) == 0
    nan = np.isnan(b)
    assert nan[5:, 3].all() and not nan[:5, 3].any() and not np.delete(nan, 3, axis=1).any()


# ---------------------------------------------------------------- syrk


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_syrk(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "syrk", INT, INT, INT, SS, SS, ct, PTR, SS, ct, PTR, SS)
    rng = np.random.default_rng(3)
    for uplo, trans in itertools.product((LOWER, UPPER), (NOTRANS, TRANS)):
        for n, k in [(0, 0), (1, 1), (5, 0), (9, 3), (17, 8), (70, 33), (130, 17)]:
            for alpha, beta in ((1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)):
                x = rng.standard_normal((n, k))
                abuf, lda = _padded(*(x.T.shape if trans else x.shape), dt, 1, rng, fill=x.T if trans else x)
                c = rng.standard_normal((n, n))
                c = c + c.T
                cbuf, ldc = _padded(n, n, dt, 2, rng, fill=c)
                if beta == 0:
                    cbuf[:n, :n] = np.nan  # not read
                assert f(uplo, trans, n, k, alpha, _ptr(abuf), lda, beta, _ptr(cbuf), ldc) == 0
                xf = x.astype(dt).astype(np.float64)
                want = alpha * xf @ xf.T + (beta * c.astype(dt) if beta else 0)
                tri = np.tril_indices(n) if uplo == LOWER else np.triu_indices(n)
                other = np.triu_indices(n, 1) if uplo == LOWER else np.tril_indices(n, -1)
                got = cbuf[:n, :n]
                scale = max(1.0, np.abs(want).max()) if n else 1.0
                assert np.allclose(got[tri], want[tri], rtol=_tol(dt), atol=_tol(dt) * scale * max(k, 1)), \
                    (backend, uplo, trans, n, k, alpha, beta)
                if beta == 0:
                    assert np.isnan(got[other]).all()  # the other triangle is not written
                else:
                    assert np.array_equal(got[other], c.astype(dt)[other])


# ---------------------------------------------------------------- gemv, ger, trsv


def _vector(n, inc, dt, rng, vals=None):
    """(buffer, pointer, logical values) with element i at pointer[i*inc]"""
    vals = rng.standard_normal(n).astype(dt) if vals is None else vals
    buf = np.full(max(1, (n - 1) * abs(inc) + 1) + 2, np.nan, dt)
    start = 1 + ((n - 1) * -inc if inc < 0 and n else 0)
    for i in range(n):
        buf[start + i * inc] = vals[i]
    return buf, buf.ctypes.data + start * buf.itemsize, vals


def _read(buf, ptr, n, inc):
    start = (ptr - buf.ctypes.data) // buf.itemsize
    return np.array([buf[start + i * inc] for i in range(n)])


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_gemv(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "gemv", INT, INT, SS, SS, ct, PTR, SS, PTR, SS, ct, PTR, SS)
    rng = np.random.default_rng(4)
    for trans in (NOTRANS, TRANS):
        for m, n in [(0, 4), (4, 0), (1, 1), (3, 17), (17, 3), (33, 64), (65, 31)]:
            for incx, incy in ((1, 1), (2, -1), (-3, 2)):
                for alpha, beta in ((1.0, 0.0), (0.5, -2.0), (0.0, 0.5)):
                    abuf, lda = _padded(m, n, dt, 3, rng)
                    nx, ny = (n, m) if trans == NOTRANS else (m, n)
                    xb, xp, xv = _vector(nx, incx, dt, rng)
                    yv = rng.standard_normal(ny).astype(dt)
                    yb, yp, _ = _vector(ny, incy, dt, rng, np.full(ny, np.nan, dt) if beta == 0 else yv)
                    assert f(trans, m, n, alpha, _ptr(abuf), lda, xp, incx, beta, yp, incy) == 0
                    got = _read(yb, yp, ny, incy)
                    if m == 0 or n == 0:  # BLAS's quick return: y untouched
                        want = np.full(ny, np.nan) if beta == 0 else yv
                        assert np.array_equal(got, want, equal_nan=True)
                        continue
                    a = abuf[:m, :n].astype(np.float64)
                    op = a if trans == NOTRANS else a.T
                    want = alpha * op @ xv.astype(np.float64) + (beta * yv if beta else 0)
                    assert np.allclose(got, want, rtol=_tol(dt), atol=_tol(dt) * max(nx, 1) * 4), \
                        (backend, trans, m, n, incx, incy, alpha, beta)
    # NaN in x spreads to every y (no-transpose: each y[i] reads all of x)
    a = np.ones((4, 5), dt)
    x = np.ones(5, dt)
    x[2] = np.nan
    y = np.zeros(4, dt)
    assert f(NOTRANS, 4, 5, 1.0, _ptr(a), 5, _ptr(x), 1, 0.0, _ptr(y), 1) == 0
    assert np.isnan(y).all()


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_ger(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "ger", INT, SS, SS, ct, PTR, SS, PTR, SS, PTR, SS)
    rng = np.random.default_rng(5)
    for m, n in [(0, 3), (3, 0), (1, 1), (7, 9), (17, 33), (40, 5)]:
        for incx, incy in ((1, 1), (-1, 3), (2, -2)):
            abuf, lda = _padded(m, n, dt, 2, rng)
            a0 = abuf[:m, :n].astype(np.float64)
            xb, xp, xv = _vector(m, incx, dt, rng)
            yb, yp, yv = _vector(n, incy, dt, rng)
            assert f(m, n, -1.5, xp, incx, yp, incy, _ptr(abuf), lda) == 0
            want = a0 - 1.5 * np.outer(xv, yv)
            assert np.allclose(abuf[:m, :n], want, rtol=_tol(dt), atol=_tol(dt) * 4), (backend, m, n, incx, incy)
            assert np.isnan(abuf[:m, n:]).all()


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_trsv(backend, p):
    dt, ct = REAL[p]
    f = _fn(backend, p + "trsv", INT, INT, INT, INT, SS, PTR, SS, PTR, SS)
    rng = np.random.default_rng(6)
    for uplo, trans, diag in itertools.product((LOWER, UPPER), (NOTRANS, TRANS), (NONUNIT, UNIT)):
        for n in (0, 1, 7, 16, 33):
            for incx in (1, -2):
                a, full = _triangular(n, uplo, diag, dt, rng)
                abuf, lda = _padded(n, n, dt, 1, rng, fill=a)
                xb, xp, xv = _vector(n, incx, dt, rng)
                assert f(uplo, trans, diag, n, _ptr(abuf), lda, xp, incx) == 0
                if n:
                    op = full.T if trans else full
                    want = np.linalg.solve(op, xv.astype(np.float64))
                    got = _read(xb, xp, n, incx)
                    assert np.allclose(got, want, rtol=_tol(dt), atol=_tol(dt) * np.abs(want).max()), \
                        (backend, uplo, trans, diag, n, incx)


# ---------------------------------------------------------------- complex


def _cpairs():
    return [(b, p) for p in "cz" for b in _backends(p + "gemm")]


def _cval(p, z):
    return CSTRUCT[p](z.real, z.imag)


def _op(x, t):
    return x if t == NOTRANS else x.T if t == TRANS else x.conj().T


@pytest.mark.parametrize("backend, p", _cpairs())
def test_complex_gemm(backend, p):
    dt, rt = CPLX[p]
    S = CSTRUCT[p]
    f = _fn(backend, p + "gemm", INT, INT, INT, SS, SS, SS, S, PTR, SS, PTR, SS, S, PTR, SS)
    rng = np.random.default_rng(7)
    for ta, tb in itertools.product((NOTRANS, TRANS, CONJTRANS), repeat=2):
        for m, n, k in [(0, 2, 2), (2, 0, 2), (3, 2, 0), (1, 1, 1), (5, 9, 17), (33, 8, 12)]:
            for alpha, beta in ((1 + 0j, 0j), (0.5 - 2j, 1.5 + 0.5j)):
                sa = (k, m) if ta else (m, k)
                sb = (n, k) if tb else (k, n)
                abuf, lda = _padded(*sa, dt, 1, rng)
                bbuf, ldb = _padded(*sb, dt, 2, rng)
                c0 = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))
                cbuf, ldc = _padded(m, n, dt, 1, rng, fill=np.full((m, n), np.nan) if beta == 0 else c0)
                assert f(ta, tb, m, n, k, _cval(p, alpha), _ptr(abuf), lda, _ptr(bbuf), ldb, _cval(p, beta),
                         _ptr(cbuf), ldc) == 0
                if m == 0 or n == 0:
                    continue
                A = _op(abuf[:sa[0], :sa[1]].astype(np.complex128), ta)
                B = _op(bbuf[:sb[0], :sb[1]].astype(np.complex128), tb)
                want = alpha * A @ B + (beta * c0.astype(dt) if beta else 0)
                assert np.allclose(cbuf[:m, :n], want, rtol=_tol(dt), atol=_tol(dt) * 4 * max(k, 1)), \
                    (backend, ta, tb, m, n, k, alpha, beta)


@pytest.mark.parametrize("backend, p", _cpairs())
def test_herk(backend, p):
    dt, rt = CPLX[p]
    f = _fn(backend, p + "herk", INT, INT, INT, SS, SS, rt, PTR, SS, rt, PTR, SS)
    rng = np.random.default_rng(8)
    for uplo, trans in itertools.product((LOWER, UPPER), (NOTRANS, CONJTRANS)):
        for n, k in [(0, 0), (1, 1), (4, 0), (9, 5), (70, 12)]:
            for alpha, beta in ((1.0, 0.0), (-0.5, 2.0)):
                x = rng.standard_normal((n, k)) + 1j * rng.standard_normal((n, k))
                stored = x.conj().T if trans else x
                abuf, lda = _padded(*stored.shape, dt, 1, rng, fill=stored)
                c = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
                c = c + c.conj().T
                cbuf, ldc = _padded(n, n, dt, 1, rng, fill=np.full((n, n), np.nan) if beta == 0 else c)
                assert f(uplo, trans, n, k, alpha, _ptr(abuf), lda, beta, _ptr(cbuf), ldc) == 0
                xf = x.astype(dt).astype(np.complex128)
                want = alpha * xf @ xf.conj().T + (beta * c.astype(dt) if beta else 0)
                tri = np.tril_indices(n) if uplo == LOWER else np.triu_indices(n)
                got = cbuf[:n, :n]
                assert np.allclose(got[tri], want[tri], rtol=_tol(dt), atol=_tol(dt) * 4 * max(k, 1)), \
                    (backend, uplo, trans, n, k)
                assert (got[np.diag_indices(n)].imag == 0).all()
                other = np.triu_indices(n, 1) if uplo == LOWER else np.tril_indices(n, -1)
                if beta == 0:
                    assert np.isnan(got[other]).all()


# ---------------------------------------------------------------- bad arguments


def _bad_cases():
    """(entry letter-less, args before pointers are filled, expected status)"""
    return {
        "gemv": [((5, 2, 2, 1.0, "a", 2, "x", 1, 0.0, "y", 1), -1), ((0, -1, 2, 1.0, "a", 2, "x", 1, 0.0, "y", 1), -2),
                 ((0, 2, -3, 1.0, "a", 2, "x", 1, 0.0, "y", 1), -3), ((0, 2, 2, 1.0, "a", 1, "x", 1, 0.0, "y", 1), -6),
                 ((0, 2, 2, 1.0, "a", 2, "x", 0, 0.0, "y", 1), -8), ((0, 2, 2, 1.0, "a", 2, "x", 1, 0.0, "y", 0), -11)],
        "ger": [((-1, 2, 1.0, "x", 1, "y", 1, "a", 2), -1), ((2, -1, 1.0, "x", 1, "y", 1, "a", 2), -2),
                ((2, 2, 1.0, "x", 0, "y", 1, "a", 2), -5), ((2, 2, 1.0, "x", 1, "y", 0, "a", 2), -7),
                ((2, 2, 1.0, "x", 1, "y", 1, "a", 1), -9)],
        "trsv": [((7, 0, 0, 2, "a", 2, "x", 1), -1), ((0, 7, 0, 2, "a", 2, "x", 1), -2), ((0, 0, 7, 2, "a", 2, "x", 1), -3),
                 ((0, 0, 0, -2, "a", 2, "x", 1), -4), ((0, 0, 0, 2, "a", 1, "x", 1), -6),
                 ((0, 0, 0, 2, "a", 2, "x", 0), -8)],
        "trsm": [((2, 0, 0, 0, 2, 2, 1.0, "a", 2, "b", 2), -1), ((0, 2, 0, 0, 2, 2, 1.0, "a", 2, "b", 2), -2),
                 ((0, 0, -1, 0, 2, 2, 1.0, "a", 2, "b", 2), -3), ((0, 0, 0, 2, 2, 2, 1.0, "a", 2, "b", 2), -4),
                 ((0, 0, 0, 0, -2, 2, 1.0, "a", 2, "b", 2), -5), ((0, 0, 0, 0, 2, -2, 1.0, "a", 2, "b", 2), -6),
                 ((0, 0, 0, 0, 2, 2, 1.0, "a", 1, "b", 2), -9), ((1, 0, 0, 0, 2, 2, 1.0, "a", 1, "b", 2), -9),
                 ((0, 0, 0, 0, 2, 2, 1.0, "a", 2, "b", 1), -11), ((0, 0, 0, 0, 2, 0, 1.0, "a", 2, "b", 0), -11)],
        "syrk": [((3, 0, 2, 2, 1.0, "a", 2, 0.0, "c", 2), -1), ((0, 3, 2, 2, 1.0, "a", 2, 0.0, "c", 2), -2),
                 ((0, 0, -2, 2, 1.0, "a", 2, 0.0, "c", 2), -3), ((0, 0, 2, -2, 1.0, "a", 2, 0.0, "c", 2), -4),
                 ((0, 0, 2, 3, 1.0, "a", 2, 0.0, "c", 2), -7), ((0, 1, 3, 2, 1.0, "a", 2, 0.0, "c", 3), -7),
                 ((0, 0, 2, 2, 1.0, "a", 2, 0.0, "c", 1), -10)],
    }


SIGS = {
    "gemv": lambda ct: (INT, INT, SS, SS, ct, PTR, SS, PTR, SS, ct, PTR, SS),
    "ger": lambda ct: (INT, SS, SS, ct, PTR, SS, PTR, SS, PTR, SS),
    "trsv": lambda ct: (INT, INT, INT, INT, SS, PTR, SS, PTR, SS),
    "trsm": lambda ct: (INT, INT, INT, INT, INT, SS, SS, ct, PTR, SS, PTR, SS),
    "syrk": lambda ct: (INT, INT, INT, SS, SS, ct, PTR, SS, ct, PTR, SS),
}


@pytest.mark.parametrize("backend, p", _all_pairs())
def test_bad_arguments_give_their_status(backend, p):
    dt, ct = REAL[p]
    for entry, cases in _bad_cases().items():
        f = _fn(backend, p + entry, *SIGS[entry](ct))
        for args, status in cases:
            bufs = {name: np.full(16, 7.0, dt) for name in "abcxy"}
            call = [_ptr(bufs[v]) if isinstance(v, str) else v for v in args]
            assert f(*call) == status, (backend, entry, args)
            for b in bufs.values():
                assert (b == 7.0).all(), (backend, entry, args)  # nothing written


@pytest.mark.parametrize("backend, p", _cpairs())
def test_complex_bad_arguments(backend, p):
    dt, rt = CPLX[p]
    S = CSTRUCT[p]
    gemm = _fn(backend, p + "gemm", INT, INT, INT, SS, SS, SS, S, PTR, SS, PTR, SS, S, PTR, SS)
    herk = _fn(backend, p + "herk", INT, INT, INT, SS, SS, rt, PTR, SS, rt, PTR, SS)
    one, zero = S(1, 0), S(0, 0)
    bufs = [np.full(16, 7 + 7j, dt) for _ in range(3)]
    a, b, c = (_ptr(x) for x in bufs)
    for args, status in [((3, 0, 2, 2, 2), -1), ((0, -1, 2, 2, 2), -2), ((0, 0, -2, 2, 2), -3),
                         ((0, 0, 2, -2, 2), -4), ((0, 0, 2, 2, -2), -5)]:
        assert gemm(*args, one, a, 2, b, 2, zero, c, 2) == status
    assert gemm(0, 0, 2, 2, 3, one, a, 2, b, 2, zero, c, 2) == -8
    assert gemm(2, 0, 3, 2, 2, one, a, 2, b, 2, zero, c, 2) == -8
    assert gemm(0, 1, 2, 3, 2, one, a, 2, b, 1, zero, c, 3) == -10
    assert gemm(0, 0, 2, 2, 2, one, a, 2, b, 2, zero, c, 1) == -13
    assert herk(0, TRANS, 2, 2, 1.0, a, 2, 0.0, c, 2) == -2  # herk takes no plain transpose
    assert herk(2, 0, 2, 2, 1.0, a, 2, 0.0, c, 2) == -1
    assert herk(0, 0, 2, 3, 1.0, a, 2, 0.0, c, 2) == -7
    assert herk(0, 0, 2, 2, 1.0, a, 2, 0.0, c, 1) == -10
    for x in bufs:
        assert (x == 7 + 7j).all()
