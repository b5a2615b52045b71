"""The OpenBLAS wheel's lapack table (kernels_openblas._openblas_lapack).

Skipped when that optional wheel is not installed:

    pip install --no-build-isolation ./kernels_openblas

Every entry is called directly through the address the backend's table
holds (ctypes), for float32, float64, complex64 and complex128, and its
results are checked against numpy.linalg (or by their backward error);
then the error paths: info for singular and not positive definite
matrices, illegal flags and pivots, sizes beyond the library's 32-bit int
(with null pointers: nothing may be read or allocated), size 0, and a
workspace that cannot be allocated.
"""

from __future__ import annotations

import ctypes
import json
import sys

import numpy as np
import pytest

import hostlib
from hostlib._host import registry

kernels_openblas = pytest.importorskip(
    "kernels_openblas",
    reason="hostlib-openblas is not installed (pip install --no-build-isolation ./kernels_openblas)",
)
try:
    from kernels_openblas import _openblas_lapack  # noqa: F401
except ModuleNotFoundError as exc:  # e.g. the source folder shadows the install, or an older wheel
    pytest.skip(f"kernels_openblas has no lapack table here ({exc})", allow_module_level=True)

HOST = registry.host("lapack")
OB = "openblas"
DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
PREFIX = {np.float32: "s", np.float64: "d", np.complex64: "c", np.complex128: "z"}
ETOOLARGE, ENOMEM = -1003, -1001
NOTRANS, TRANS, CONJTRANS = 0, 1, 2
LOWER, UPPER = 0, 1
NOVECTORS, VECTORS = 0, 1
SVD_NONE, SVD_REDUCED, SVD_ALL = 0, 1, 2

Z, P, I = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int


def _real(dtype):
    return np.float32 if dtype in (np.float32, np.complex64) else np.float64


def _c_real(dtype):
    return ctypes.c_float if _real(dtype) == np.float32 else ctypes.c_double


def _args(routine: str, dtype) -> tuple:
    """The argument types of an entry (interface/lapack.toml)."""
    cplx = np.dtype(dtype).kind == "c"
    return {
        "getrf": (Z, Z, P, Z, P),
        "getrs": (I, Z, Z, P, Z, P, P, Z),
        "getri": (Z, P, Z, P),
        "potrf": (I, Z, P, Z),
        "potrs": (I, Z, Z, P, Z, P, Z),
        "geqrf": (Z, Z, P, Z, P),
        "orgqr": (Z, Z, Z, P, Z, P),
        "syevd": (I, I, Z, P, Z, P),
        "gesdd": (I, Z, Z, P, Z, P, P, Z, P, Z),
        "gelsd": (Z, Z, Z, P, Z, P, Z, P, _c_real(dtype), P),
        "geev": (I, I, Z, P, Z, P, P, Z, P, Z) if cplx else (I, I, Z, P, Z, P, P, P, Z, P, Z),
    }[routine]


def entry_name(routine: str, dtype) -> str:
    if np.dtype(dtype).kind == "c":
        routine = {"orgqr": "ungqr", "syevd": "heevd"}.get(routine, routine)
    return PREFIX[dtype] + routine


def fn(routine: str, dtype):
    """The function the OpenBLAS table holds for `routine` of `dtype`
    (`orgqr` and `syevd` name ungqr and heevd for complex types)."""
    addr = HOST.slot_address(OB, entry_name(routine, dtype))
    assert addr, f"{OB} does not provide {entry_name(routine, dtype)}"
    return ctypes.CFUNCTYPE(Z, *_args(routine, dtype))(addr)


def ptr(x) -> int:
    return x.ctypes.data


def tol(dtype, n: int = 10) -> float:
    return 50 * max(n, 1) * np.finfo(dtype).eps


def rand(dtype, *shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return np.asfortranarray(x.astype(dtype))


def hpd(dtype, n, seed=0):
    m = rand(dtype, n, n, seed=seed)
    return np.asfortranarray((m @ m.conj().T + n * np.eye(n)).astype(dtype))


def rel(a, b) -> float:
    a, b = np.asarray(a, np.complex128), np.asarray(b, np.complex128)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))


def test_backend_serves_every_entry():
    b = HOST.backends.get(OB)
    assert b is not None, "kernels_openblas is installed but hostlib did not discover its lapack table"
    assert b.usable, f"{b.status}: {b.reason}"
    assert b.threaded, "OpenBLAS threads itself: the lapack table must say so"
    missing = [e for e in HOST.iface.entries if not HOST.slot_address(OB, e)]
    assert not missing and len(HOST.iface.entries) == 44


# ---------------------------------------------------------------- results


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, n", [(6, 6), (7, 4), (4, 7)])
def test_getrf(dtype, m, n):
    a0 = rand(dtype, m, n)
    a, ipiv = a0.copy(order="F"), np.full(min(m, n), -7, np.intp)
    assert fn("getrf", dtype)(m, n, ptr(a), m, ptr(ipiv)) == 0
    k = min(m, n)
    lower = np.tril(a, -1)[:, :k] + np.eye(m, k, dtype=dtype)
    upper = np.triu(a)[:k, :]
    pa = a0.copy()
    for i, p in enumerate(ipiv):  # LAPACK's row interchanges, 1-based
        assert i + 1 <= p <= m
        pa[[i, p - 1]] = pa[[p - 1, i]]
    assert rel(lower @ upper, pa) < tol(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("trans", [NOTRANS, TRANS, CONJTRANS])
def test_getrs(dtype, trans):
    n, nrhs = 9, 3
    a0, b0 = rand(dtype, n, n), rand(dtype, n, nrhs, seed=1)
    lu, ipiv = a0.copy(order="F"), np.zeros(n, np.intp)
    assert fn("getrf", dtype)(n, n, ptr(lu), n, ptr(ipiv)) == 0
    b = np.zeros((n + 2, nrhs), dtype, order="F")  # ldb > n
    b[:n] = b0
    assert fn("getrs", dtype)(trans, n, nrhs, ptr(lu), n, ptr(ipiv), ptr(b), n + 2) == 0
    op = {NOTRANS: a0, TRANS: a0.T, CONJTRANS: a0.conj().T}[trans]
    assert rel(b[:n], np.linalg.solve(op, b0)) < tol(dtype, 100)
    assert np.all(b[n:] == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_getri(dtype):
    n = 8
    a0 = rand(dtype, n, n)
    a, ipiv = a0.copy(order="F"), np.zeros(n, np.intp)
    assert fn("getrf", dtype)(n, n, ptr(a), n, ptr(ipiv)) == 0
    assert fn("getri", dtype)(n, ptr(a), n, ptr(ipiv)) == 0
    assert rel(a, np.linalg.inv(a0)) < tol(dtype, 100)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", [LOWER, UPPER])
def test_potrf_potrs(dtype, uplo):
    n, nrhs = 7, 2
    a0 = hpd(dtype, n)
    a = a0.copy(order="F")
    assert fn("potrf", dtype)(uplo, n, ptr(a), n) == 0
    if uplo == LOWER:
        f = np.tril(a)
        assert rel(f @ f.conj().T, a0) < tol(dtype)
        assert np.array_equal(np.triu(a, 1), np.triu(a0, 1))  # the other triangle untouched
    else:
        f = np.triu(a)
        assert rel(f.conj().T @ f, a0) < tol(dtype)
        assert np.array_equal(np.tril(a, -1), np.tril(a0, -1))
    b0 = rand(dtype, n, nrhs, seed=2)
    b = b0.copy(order="F")
    assert fn("potrs", dtype)(uplo, n, nrhs, ptr(a), n, ptr(b), n) == 0
    assert rel(b, np.linalg.solve(a0, b0)) < tol(dtype, 100)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, n", [(8, 5), (6, 6)])
def test_geqrf_orgqr(dtype, m, n):
    a0 = rand(dtype, m, n)
    a, tau = a0.copy(order="F"), np.zeros(n, dtype)
    assert fn("geqrf", dtype)(m, n, ptr(a), m, ptr(tau)) == 0
    r = np.triu(a)[:n]
    assert fn("orgqr", dtype)(m, n, n, ptr(a), m, ptr(tau)) == 0
    q = a
    assert rel(q.conj().T @ q, np.eye(n)) < tol(dtype)
    assert rel(q @ r, a0) < tol(dtype)
    # R agrees with numpy's up to the signs of its rows
    r_np = np.linalg.qr(a0.astype(np.complex128 if np.dtype(dtype).kind == "c" else np.float64), mode="r")
    assert rel(np.abs(r), np.abs(r_np)) < tol(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", [LOWER, UPPER])
def test_syevd_heevd(dtype, uplo):
    n = 10
    a0 = rand(dtype, n, n)
    a0 = np.asfortranarray((a0 + a0.conj().T) / 2)
    a, w = a0.copy(order="F"), np.zeros(n, _real(dtype))
    assert fn("syevd", dtype)(VECTORS, uplo, n, ptr(a), n, ptr(w)) == 0
    assert np.all(np.diff(w) >= 0)
    assert rel(w, np.linalg.eigvalsh(a0)) < tol(dtype)
    assert rel(a0 @ a, a * w) < tol(dtype, 100)
    assert rel(a.conj().T @ a, np.eye(n)) < tol(dtype)
    # values only; the triangle not named is never read
    b = a0.copy(order="F")
    if uplo == UPPER:
        b[np.tril_indices(n, -1)] = np.nan
    else:
        b[np.triu_indices(n, 1)] = np.nan
    w2 = np.zeros(n, _real(dtype))
    assert fn("syevd", dtype)(NOVECTORS, uplo, n, ptr(b), n, ptr(w2)) == 0
    assert rel(w2, w) < tol(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, n", [(7, 5), (5, 7)])
@pytest.mark.parametrize("job", [SVD_NONE, SVD_REDUCED, SVD_ALL])
def test_gesdd(dtype, m, n, job):
    k = min(m, n)
    a0 = rand(dtype, m, n)
    a, s = a0.copy(order="F"), np.zeros(k, _real(dtype))
    ucols, vrows = {SVD_NONE: (1, 1), SVD_REDUCED: (k, k), SVD_ALL: (m, n)}[job]
    u = np.zeros((m, ucols), dtype, order="F")
    vt = np.zeros((vrows, n), dtype, order="F")
    assert fn("gesdd", dtype)(job, m, n, ptr(a), m, ptr(s), ptr(u), m, ptr(vt), vrows) == 0
    assert rel(s, np.linalg.svd(a0, compute_uv=False)) < tol(dtype)
    if job != SVD_NONE:
        assert rel(u[:, :k] * s @ vt[:k], a0) < tol(dtype)
        assert rel(u.conj().T @ u, np.eye(ucols)) < tol(dtype)
        assert rel(vt @ vt.conj().T, np.eye(vrows)) < tol(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m, n", [(9, 5), (5, 9)])
def test_gelsd(dtype, m, n):
    nrhs = 2
    a0 = rand(dtype, m, n)
    b0 = rand(dtype, m, nrhs, seed=3)
    ldb = max(m, n)
    a, b = a0.copy(order="F"), np.zeros((ldb, nrhs), dtype, order="F")
    b[:m] = b0
    s, rank = np.zeros(min(m, n), _real(dtype)), np.zeros(1, np.intp)
    assert fn("gelsd", dtype)(m, n, nrhs, ptr(a), m, ptr(b), ldb, ptr(s), -1.0, ptr(rank)) == 0
    x, _, r, sv = np.linalg.lstsq(a0, b0, rcond=None)
    assert rank[0] == r == min(m, n)
    assert rel(b[:n], x) < tol(dtype, 100)
    assert rel(s, sv) < tol(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gelsd_rank_deficient(dtype):
    m, n = 8, 6
    a0 = np.asfortranarray(rand(dtype, m, 3) @ rand(dtype, 3, n, seed=5))  # rank 3
    b0 = rand(dtype, m, 1, seed=4)
    a, b = a0.copy(order="F"), b0.copy(order="F")
    s, rank = np.zeros(n, _real(dtype)), np.zeros(1, np.intp)
    rcond = 1e-3 if _real(dtype) == np.float32 else 1e-10
    assert fn("gelsd", dtype)(m, n, 1, ptr(a), m, ptr(b), m, ptr(s), rcond, ptr(rank)) == 0
    assert rank[0] == 3
    x = np.linalg.lstsq(a0.astype(np.complex128), b0.astype(np.complex128), rcond=rcond)[0]
    assert rel(b[:n], x) < 1e3 * tol(dtype)


def _packed_vectors(wr, wi, v):
    """LAPACK's real packed eigenvectors as complex columns."""
    out = v.astype(np.complex128)
    j = 0
    while j < len(wr):
        if wi[j] != 0:
            out[:, j] = v[:, j] + 1j * v[:, j + 1]
            out[:, j + 1] = v[:, j] - 1j * v[:, j + 1]
            j += 2
        else:
            j += 1
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("jobvl, jobvr", [(VECTORS, VECTORS), (NOVECTORS, VECTORS), (NOVECTORS, NOVECTORS)])
def test_geev(dtype, jobvl, jobvr):
    n = 9
    a0 = rand(dtype, n, n)
    a = a0.copy(order="F")
    vl = np.zeros((n, n), dtype, order="F")
    vr = np.zeros((n, n), dtype, order="F")
    ldvl, ldvr = (n if jobvl else 1), (n if jobvr else 1)
    if np.dtype(dtype).kind == "c":
        w = np.zeros(n, dtype)
        assert fn("geev", dtype)(jobvl, jobvr, n, ptr(a), n, ptr(w), ptr(vl), ldvl, ptr(vr), ldvr) == 0
        left, right = vl, vr
    else:
        wr, wi = np.zeros(n, dtype), np.zeros(n, dtype)
        assert fn("geev", dtype)(jobvl, jobvr, n, ptr(a), n, ptr(wr), ptr(wi), ptr(vl), ldvl, ptr(vr), ldvr) == 0
        w = wr + 1j * wi
        for j in np.nonzero(wi)[0][::2]:  # conjugate pairs, positive imaginary part first
            assert wi[j] > 0 and wi[j + 1] == -wi[j] and wr[j + 1] == wr[j]
        left, right = _packed_vectors(wr, wi, vl), _packed_vectors(wr, wi, vr)
    ref = np.linalg.eigvals(a0.astype(np.complex128))
    d = np.abs(w.astype(np.complex128)[:, None] - ref[None, :])  # each close to one of numpy's, both ways
    assert max(d.min(axis=0).max(), d.min(axis=1).max()) < tol(dtype, 100) * np.abs(ref).max()
    if jobvr:
        assert rel(a0 @ right, right * w) < tol(dtype, 100)
    if jobvl:
        assert rel(left.conj().T @ a0, w[:, None] * left.conj().T) < tol(dtype, 100)


# ---------------------------------------------------------------- info > 0


@pytest.mark.parametrize("dtype", DTYPES)
def test_singular(dtype):
    n = 5
    a0 = rand(dtype, n, n)
    a0[:, 2] = 0  # U[2, 2] is exactly zero
    a, ipiv = a0.copy(order="F"), np.zeros(n, np.intp)
    assert fn("getrf", dtype)(n, n, ptr(a), n, ptr(ipiv)) == 3
    assert fn("getri", dtype)(n, ptr(a), n, ptr(ipiv)) == 3


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("uplo", [LOWER, UPPER])
def test_not_positive_definite(dtype, uplo):
    n = 6
    a = hpd(dtype, n)
    a[3, 3] = -1000  # the leading minor of order 4 is not positive definite
    assert fn("potrf", dtype)(uplo, n, ptr(a), n) == 4


# ---------------------------------------------------------------- info < 0


def _flag_calls(dtype):
    """(routine, args, expected info) with one illegal flag or pivot each."""
    n = 3
    cplx = np.dtype(dtype).kind == "c"
    a = rand(dtype, n, n)
    buf = np.zeros((n, n), dtype, order="F")
    w = np.zeros(n, dtype if not cplx else _real(dtype))
    ipiv = np.array([1, 2, 3], np.intp)
    bad_piv = np.array([1, 4, 3], np.intp)
    geev = ((ptr(w), ptr(buf), n, ptr(buf), n) if cplx else (ptr(w), ptr(w), ptr(buf), n, ptr(buf), n))
    yield "getrs", (3, n, 1, ptr(a), n, ptr(ipiv), ptr(buf), n), -1
    yield "getrs", (-1, n, 1, ptr(a), n, ptr(ipiv), ptr(buf), n), -1
    yield "getrs", (NOTRANS, n, 1, ptr(a), n, ptr(bad_piv), ptr(buf), n), -6
    yield "getri", (n, ptr(buf), n, ptr(bad_piv)), -4
    yield "potrf", (2, n, ptr(buf), n), -1
    yield "potrs", (-1, n, 1, ptr(a), n, ptr(buf), n), -1
    yield "syevd", (2, LOWER, n, ptr(buf), n, ptr(w)), -1
    yield "syevd", (VECTORS, 2, n, ptr(buf), n, ptr(w)), -2
    yield "gesdd", (3, n, n, ptr(buf), n, ptr(w), ptr(buf), n, ptr(buf), n), -1
    yield "geev", (2, NOVECTORS, n, ptr(buf), n) + geev, -1
    yield "geev", (NOVECTORS, 7, n, ptr(buf), n) + geev, -2
    # illegal sizes are LAPACK's own checks, at the same positions
    yield "getrf", (-1, n, ptr(buf), n, ptr(ipiv)), -1
    yield "getrf", (n, n, ptr(buf), n - 1, ptr(ipiv)), -4
    yield "geqrf", (n, -2, ptr(buf), n, ptr(w)), -2


@pytest.mark.parametrize("dtype", DTYPES)
def test_illegal_arguments(dtype):
    for routine, args, expected in _flag_calls(dtype):
        assert fn(routine, dtype)(*args) == expected, (routine, args)


# ---------------------------------------------------------------- sizes


BIG = 2**31  # one beyond the library's int


def _huge_args(routine, dtype):
    """Every size BIG, every pointer null, every flag legal."""
    cplx = np.dtype(dtype).kind == "c"
    N = BIG
    return {
        "getrf": (N, N, None, N, None),
        "getrs": (NOTRANS, N, 1, None, N, None, None, N),
        "getri": (N, None, N, None),
        "potrf": (LOWER, N, None, N),
        "potrs": (LOWER, N, 1, None, N, None, N),
        "geqrf": (N, N, None, N, None),
        "orgqr": (N, N, N, None, N, None),
        "syevd": (VECTORS, LOWER, N, None, N, None),
        "gesdd": (SVD_ALL, N, N, None, N, None, None, N, None, N),
        "gelsd": (N, N, 1, None, N, None, N, None, -1.0, None),
        "geev": ((VECTORS, VECTORS, N, None, N, None, None, N, None, N) if cplx
                 else (VECTORS, VECTORS, N, None, N, None, None, None, N, None, N)),
    }[routine]


ROUTINES = ["getrf", "getrs", "getri", "potrf", "potrs", "geqrf", "orgqr", "syevd", "gesdd", "gelsd", "geev"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("routine", ROUTINES)
def test_too_large(routine, dtype):
    """n > INT_MAX: ETOOLARGE before anything is read (the pointers are null)."""
    assert fn(routine, dtype)(*_huge_args(routine, dtype)) == ETOOLARGE
    # one size at a time: the leading dimension alone
    if routine == "getrf":
        assert fn(routine, dtype)(2, 2, None, BIG, None) == ETOOLARGE


@pytest.mark.parametrize("dtype", DTYPES)
def test_workspace_too_large(dtype):
    """Sizes that fit an int, but the workspace LAPACK asks for does not
    (gesdd's is about 4 n^2 elements): ETOOLARGE from the query, which reads
    no matrix (the pointers are null)."""
    n = 50000
    r = fn("gesdd", dtype)(SVD_ALL, n, n, None, n, None, None, n, None, n)
    assert r == ETOOLARGE


def _empty_args(routine, dtype, a, w, ipiv, rank):
    cplx = np.dtype(dtype).kind == "c"
    A, W = ptr(a), ptr(w)
    return {
        "getrf": (0, 0, A, 1, ptr(ipiv)),
        "getrs": (NOTRANS, 0, 0, A, 1, ptr(ipiv), A, 1),
        "getri": (0, A, 1, ptr(ipiv)),
        "potrf": (UPPER, 0, A, 1),
        "potrs": (UPPER, 0, 0, A, 1, A, 1),
        "geqrf": (0, 0, A, 1, W),
        "orgqr": (0, 0, 0, A, 1, W),
        "syevd": (VECTORS, LOWER, 0, A, 1, W),
        "gesdd": (SVD_ALL, 0, 0, A, 1, W, A, 1, A, 1),
        "gelsd": (0, 0, 0, A, 1, A, 1, W, -1.0, ptr(rank)),
        "geev": ((VECTORS, VECTORS, 0, A, 1, W, A, 1, A, 1) if cplx
                 else (VECTORS, VECTORS, 0, A, 1, W, W, A, 1, A, 1)),
    }[routine]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("routine", ROUTINES)
def test_size_zero(routine, dtype):
    a = np.full(4, 7, dtype)
    w = np.full(4, 7, dtype)
    ipiv, rank = np.full(2, 7, np.intp), np.full(1, 7, np.intp)
    assert fn(routine, dtype)(*_empty_args(routine, dtype, a, w, ipiv, rank)) == 0
    assert np.all(a == 7) and np.all(w == 7) and np.all(ipiv == 7)
    if routine == "gelsd":
        assert rank[0] == 0


@pytest.mark.parametrize("dtype", [np.float64, np.complex64])
def test_tall_and_wide_sizes(dtype):
    """m != n on the LU and QR entries, with leading dimensions above the rows."""
    m, n, lda = 5, 3, 8
    a0 = rand(dtype, lda, n)
    a, tau = a0.copy(order="F"), np.zeros(n, dtype)
    assert fn("geqrf", dtype)(m, n, ptr(a), lda, ptr(tau)) == 0
    assert np.array_equal(a[m:], a0[m:])  # rows beyond m untouched
    r = np.triu(a[:n])
    assert fn("orgqr", dtype)(m, n, n, ptr(a), lda, ptr(tau)) == 0
    assert rel(a[:m] @ r, a0[:m]) < tol(dtype)


def test_without_memory(run_python):
    """A workspace that cannot be allocated: ENOMEM, and nothing read (the
    matrix pointers are null). The address space is limited below the
    workspace dgesdd asks for at n = 16000 (about 4 n^2 doubles, 8 GB; the
    wrapper's bound on LAPACK's int sizes, 8 n^2, still fits)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("uses RLIMIT_AS")
    code = """
import ctypes, resource
from hostlib._host import registry
h = registry.host("lapack")
Z, P, I = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int
f = ctypes.CFUNCTYPE(Z, I, Z, Z, P, Z, P, P, Z, P, Z)(h.slot_address("openblas", "dgesdd"))
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, hard))
n = 16000
print(f(2, n, n, None, n, None, None, n, None, n))
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.split()[-1]) == ENOMEM


# ---------------------------------------------------------------- the host


def test_use_and_report(run_python):
    """use("openblas", interface="lapack") makes it serve every entry; the
    report says so."""
    code = """
import json, io, contextlib, runpy, sys
import hostlib
hostlib.use("openblas", interface="lapack")
active = hostlib.active("lapack")
sys.argv = ["hostlib", "--json"]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        runpy.run_module("hostlib", run_name="__main__")
    except SystemExit:
        pass
print(json.dumps({"active": active, "report": out.getvalue()}))
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert set(out["active"].values()) == {OB} and len(out["active"]) == 44
    assert "openblas" in out["report"] and "lapack" in out["report"]

    # and the plain report of a fresh process: automatic selection prefers it
    r = run_python("import runpy, sys; sys.argv = ['hostlib']; runpy.run_module('hostlib', run_name='__main__')")
    assert r.returncode == 0, r.stderr
    section = r.stdout[r.stdout.index("Interface 'lapack'"):]
    assert "openblas" in section and "provides 44/44 entries" in section


def test_thread_budget(run_python):
    """hostlib.set_num_threads sets OpenBLAS's threads when only the lapack
    interface has started (the kernels interface's host is not needed)."""
    code = """
import hostlib, kernels_openblas
hostlib.active("lapack")
hostlib.set_num_threads(1)
one = kernels_openblas.get_num_threads()
hostlib.set_num_threads(2)
from hostlib._host import registry
print(one, kernels_openblas.get_num_threads(), sorted(registry.started()))
"""
    r = run_python(code)
    assert r.returncode == 0, r.stderr
    one, two, started = r.stdout.split(maxsplit=2)
    assert (one, two) == ("1", "2"), r.stdout
    assert "kernels" not in started
