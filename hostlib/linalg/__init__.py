"""numpy.linalg's solvers and decompositions computed by hostlib's
``lapack`` interface.

:func:`solve`, :func:`inv`, :func:`det`, :func:`slogdet`, :func:`cholesky`,
:func:`qr`, :func:`eigh`, :func:`eigvalsh`, :func:`eig`, :func:`eigvals`,
:func:`svd` and :func:`lstsq` take the arguments of their numpy.linalg
namesakes, make the same checks with the same exceptions and messages, follow
the same dtype rules (integers and booleans compute in float64, float32 and
complex64 in float64/complex128 and are cast back; float16 and long double
are refused with TypeError), broadcast over stacks of matrices the same way,
and return numpy's own result types (``numpy.linalg``'s ``SVDResult``, ...).
Failures raise numpy's own :class:`LinAlgError`.

The work is done by hostlib's gufuncs, made from the same C loops that
``hostlib.patch_numpy("linalg")`` puts into numpy.linalg's gufuncs: each
matrix is copied into a column-major buffer and handed to the entry the
active lapack backend serves (``hostlib.active(interface="lapack")``);
where that entry answers "unavailable" (the portable table has no
eigensolver, for one), numpy's own loop computes the call instead, so the
results are numpy's. :func:`status` says which backend serves each entry.

Nothing here patches numpy, and numpy.linalg keeps working as before.
Importing this module does not start the host; the first computation does.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
from numpy.linalg import LinAlgError
from numpy.linalg._linalg import EighResult, EigResult, QRResult, SlogdetResult, SVDResult

__all__ = [
    "LinAlgError",
    "solve",
    "inv",
    "det",
    "slogdet",
    "cholesky",
    "qr",
    "eigh",
    "eigvalsh",
    "eig",
    "eigvals",
    "svd",
    "lstsq",
    "status",
]

#: the lapack entries each function calls (its first entry decides the fallback)
ENTRIES = {
    "solve": ("getrf", "getrs"),
    "inv": ("getrf", "getri"),
    "det": ("getrf",),
    "slogdet": ("getrf",),
    "cholesky": ("potrf",),
    "qr": ("geqrf", "orgqr", "ungqr"),
    "eigh": ("syevd", "heevd"),
    "eigvalsh": ("syevd", "heevd"),
    "eig": ("geev",),
    "eigvals": ("geev",),
    "svd": ("gesdd",),
    "lstsq": ("gelsd",),
}

_gufuncs: dict[str, np.ufunc] | None = None


def _g(name: str) -> np.ufunc:
    """hostlib's gufunc `name` (numpy.linalg._umath_linalg's name); the
    first call imports the C half, which starts the lapack host."""
    global _gufuncs
    if _gufuncs is None:
        from . import _loops

        _gufuncs = dict(_loops.gufuncs)
    return _gufuncs[name]


# ---------------------------------------------------------------------------
# numpy.linalg's checks and dtype rules
# ---------------------------------------------------------------------------

_REAL = {np.float32: np.float32, np.float64: np.float64, np.complex64: np.float32, np.complex128: np.float64}
_COMPLEX = {np.float32: np.complex64, np.float64: np.complex128}


def _common_type(*arrays: np.ndarray) -> tuple[type, type]:
    """(the type computed in, the type returned): float64 or complex128,
    and the narrowest of float32/float64 (complex: complex64/complex128)
    that holds every input; anything not inexact counts as float64."""
    result: type = np.float32
    is_complex = False
    for a in arrays:
        kind = a.dtype.type
        if issubclass(kind, np.inexact):
            is_complex |= issubclass(kind, np.complexfloating)
            real = _REAL.get(kind)
            if real is None:
                raise TypeError(f"array type {a.dtype.name} is unsupported in linalg")
            if real is np.float64:
                result = np.float64
        else:
            result = np.float64
    if is_complex:
        return np.complex128, _COMPLEX[result]
    return np.float64, result


def _is_complex(t: type) -> bool:
    return issubclass(t, np.complexfloating)


def _real_of(t: type) -> type:
    return _REAL[t]


def _complex_of(t: type) -> type:
    return t if _is_complex(t) else _COMPLEX[t]


def _assert_2d(*arrays: np.ndarray) -> None:
    for a in arrays:
        if a.ndim != 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be two-dimensional")


def _assert_stacked_2d(*arrays: np.ndarray) -> None:
    for a in arrays:
        if a.ndim < 2:
            raise LinAlgError(f"{a.ndim}-dimensional array given. Array must be at least two-dimensional")


def _assert_stacked_square(*arrays: np.ndarray) -> None:
    for a in arrays:
        _assert_stacked_2d(a)
        if a.shape[-1] != a.shape[-2]:
            raise LinAlgError("Last 2 dimensions of the array must be square")


def _assert_finite(*arrays: np.ndarray) -> None:
    for a in arrays:
        if not np.isfinite(a).all():
            raise LinAlgError("Array must not contain infs or NaNs")


def _raiser(message: str) -> Any:
    def raise_it(err: str, flag: int) -> None:
        raise LinAlgError(message)

    return raise_it


_SINGULAR = _raiser("Singular matrix")
_NOT_POSDEF = _raiser("Matrix is not positive definite")
_EIG_NONCONVERGENCE = _raiser("Eigenvalues did not converge")
_SVD_NONCONVERGENCE = _raiser("SVD did not converge")
_LSTSQ_NONCONVERGENCE = _raiser("SVD did not converge in Linear Least Squares")
_QR_ERROR = _raiser("Incorrect argument found while performing QR factorization")


def _errors(call: Any) -> Any:
    """What numpy.linalg runs its gufuncs under: a NaN result (the loop's
    invalid flag) calls `call`, which raises LinAlgError."""
    return np.errstate(call=call, invalid="call", over="ignore", divide="ignore", under="ignore")


def _sig(t: type, complex_sig: str, real_sig: str) -> str:
    return complex_sig if _is_complex(t) else real_sig


# ---------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------


def solve(a: Any, b: Any) -> np.ndarray:
    """Solve ``a @ x = b`` for x, as :func:`numpy.linalg.solve`: `a` is
    (..., M, M); `b` is (M,) (one right-hand side, shared by the stack) or
    (..., M, K). Raises LinAlgError if `a` is singular or not square."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    b = np.asarray(b)
    t, result_t = _common_type(a, b)
    gufunc = _g("solve1") if b.ndim == 1 else _g("solve")
    with _errors(_SINGULAR):
        r = gufunc(a, b, signature=_sig(t, "DD->D", "dd->d"))
    return r.astype(result_t, copy=False)


def inv(a: Any) -> np.ndarray:
    """The inverse of each (..., M, M) matrix, as :func:`numpy.linalg.inv`.
    Raises LinAlgError if one is singular or not square."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    with _errors(_SINGULAR):
        r = _g("inv")(a, signature=_sig(t, "D->D", "d->d"))
    return r.astype(result_t, copy=False)


def det(a: Any) -> Any:
    """The determinant of each (..., M, M) matrix, as
    :func:`numpy.linalg.det` (0 for a singular one)."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    r = _g("det")(a, signature=_sig(t, "D->D", "d->d"))
    return r.astype(result_t, copy=False)


def slogdet(a: Any) -> SlogdetResult:
    """``(sign, logabsdet)`` of each (..., M, M) matrix, as
    :func:`numpy.linalg.slogdet` ((0, -inf) for a singular one)."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    sign, logdet = _g("slogdet")(a, signature=_sig(t, "D->Dd", "d->dd"))
    return SlogdetResult(sign.astype(result_t, copy=False), logdet.astype(_real_of(result_t), copy=False))


def cholesky(a: Any, /, *, upper: bool = False) -> np.ndarray:
    """The Cholesky factor L (``a = L @ L.H``), or U (``a = U.H @ U``) with
    ``upper=True``, of each Hermitian positive-definite (..., M, M) matrix,
    as :func:`numpy.linalg.cholesky`: only that triangle of `a` is read.
    Raises LinAlgError if one is not positive definite."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    with _errors(_NOT_POSDEF):
        r = _g("cholesky_up" if upper else "cholesky_lo")(a, signature=_sig(t, "D->D", "d->d"))
    return r.astype(result_t, copy=False)


_QRMode = Literal["reduced", "complete", "r", "raw"]


def qr(a: Any, mode: _QRMode | str = "reduced") -> Any:
    """The QR factorization of each (..., M, N) matrix, as
    :func:`numpy.linalg.qr`: ``mode`` "reduced" (Q: M x K, R: K x N,
    K = min(M, N)), "complete" (Q: M x M, R: M x N), "r" (R only) or "raw"
    (LAPACK's Householder form h and tau)."""
    if mode not in ("reduced", "complete", "r", "raw"):
        if mode in ("f", "full"):
            warnings.warn("The 'full' option is deprecated in favor of 'reduced'.\n"
                          "For backward compatibility let mode default.", DeprecationWarning, stacklevel=2)
            mode = "reduced"
        elif mode in ("e", "economic"):
            warnings.warn("The 'economic' option is deprecated.", DeprecationWarning, stacklevel=2)
            mode = "economic"
        else:
            raise ValueError(f"Unrecognized mode '{mode}'")
    a = np.asarray(a)
    _assert_stacked_2d(a)
    m, n = a.shape[-2:]
    t, result_t = _common_type(a)
    a = a.astype(t, copy=True)
    if not a.dtype.isnative:
        a = a.astype(a.dtype.newbyteorder("="))
    k = min(m, n)
    with _errors(_QR_ERROR):
        tau = _g("qr_r_raw")(a, signature=_sig(t, "D->D", "d->d"))  # writes the factors into a
    if mode == "r":
        return np.triu(a[..., :k, :]).astype(result_t, copy=False)
    if mode == "raw":
        return a.swapaxes(-1, -2).astype(result_t, copy=False), tau.astype(result_t, copy=False)
    if mode == "economic":
        return a.astype(result_t, copy=False)
    rows = m if mode == "complete" and m > n else k
    gufunc = _g("qr_complete" if mode == "complete" and m > n else "qr_reduced")
    with _errors(_QR_ERROR):
        q = gufunc(a, tau, signature=_sig(t, "DD->D", "dd->d"))
    r = np.triu(a[..., :rows, :])
    return QRResult(q.astype(result_t, copy=False), r.astype(result_t, copy=False))


def _uplo(UPLO: str) -> str:
    u = UPLO.upper()
    if u not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return u


def eigvalsh(a: Any, UPLO: str = "L") -> np.ndarray:
    """The eigenvalues, ascending, of each Hermitian (real symmetric)
    (..., M, M) matrix, read from its lower (``UPLO="L"``) or upper
    triangle, as :func:`numpy.linalg.eigvalsh`."""
    uplo = _uplo(UPLO)
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    with _errors(_EIG_NONCONVERGENCE):
        w = _g("eigvalsh_lo" if uplo == "L" else "eigvalsh_up")(a, signature=_sig(t, "D->d", "d->d"))
    return w.astype(_real_of(result_t), copy=False)


def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors (the columns)
    of each Hermitian (real symmetric) (..., M, M) matrix, as
    :func:`numpy.linalg.eigh`."""
    uplo = _uplo(UPLO)
    a = np.asarray(a)
    _assert_stacked_square(a)
    t, result_t = _common_type(a)
    with _errors(_EIG_NONCONVERGENCE):
        w, v = _g("eigh_lo" if uplo == "L" else "eigh_up")(a, signature=_sig(t, "D->dD", "d->dd"))
    return EighResult(w.astype(_real_of(result_t), copy=False), v.astype(result_t, copy=False))


def eigvals(a: Any) -> np.ndarray:
    """The eigenvalues of each general (..., M, M) matrix, as
    :func:`numpy.linalg.eigvals`: real if every one is real (for real
    input), complex otherwise. Raises LinAlgError for infs or NaNs."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    _assert_finite(a)
    t, result_t = _common_type(a)
    with _errors(_EIG_NONCONVERGENCE):
        w = _g("eigvals")(a, signature=_sig(t, "D->D", "d->D"))
    if not _is_complex(t):
        if (w.imag == 0).all():
            return w.real.astype(result_t, copy=False)
        return w.astype(_complex_of(result_t), copy=False)
    return w.astype(result_t, copy=False)


def eig(a: Any) -> EigResult:
    """Eigenvalues and right eigenvectors (the columns, of norm 1) of each
    general (..., M, M) matrix, as :func:`numpy.linalg.eig`."""
    a = np.asarray(a)
    _assert_stacked_square(a)
    _assert_finite(a)
    t, result_t = _common_type(a)
    with _errors(_EIG_NONCONVERGENCE):
        w, v = _g("eig")(a, signature=_sig(t, "D->DD", "d->DD"))
    if not _is_complex(t):
        if (w.imag == 0).all():
            w, v = w.real, v.real
        else:
            result_t = _complex_of(result_t)
    return EigResult(w.astype(result_t, copy=False), v.astype(result_t, copy=False))


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False) -> Any:
    """The singular value decomposition ``a = U @ diag(S) @ Vh`` of each
    (..., M, N) matrix, as :func:`numpy.linalg.svd`: S descending; U and Vh
    square (``full_matrices``) or M x K and K x N; only S without
    ``compute_uv``; ``hermitian`` takes it from :func:`eigh`."""
    a = np.asarray(a)
    if hermitian:
        if compute_uv:
            s, u = eigh(a)
            sgn = np.sign(s)
            s = np.abs(s)
            order = np.argsort(s)[..., ::-1]
            sgn = np.take_along_axis(sgn, order, axis=-1)
            s = np.take_along_axis(s, order, axis=-1)
            u = np.take_along_axis(u, order[..., None, :], axis=-1)
            vt = (u * sgn[..., None, :]).swapaxes(-1, -2).conjugate()
            return SVDResult(u, s, vt)
        return np.sort(np.abs(eigvalsh(a)))[..., ::-1]
    _assert_stacked_2d(a)
    t, result_t = _common_type(a)
    if compute_uv:
        with _errors(_SVD_NONCONVERGENCE):
            u, s, vh = _g("svd_f" if full_matrices else "svd_s")(a, signature=_sig(t, "D->DdD", "d->ddd"))
        return SVDResult(u.astype(result_t, copy=False), s.astype(_real_of(result_t), copy=False),
                         vh.astype(result_t, copy=False))
    with _errors(_SVD_NONCONVERGENCE):
        s = _g("svd")(a, signature=_sig(t, "D->d", "d->d"))
    return s.astype(_real_of(result_t), copy=False)


def lstsq(a: Any, b: Any, rcond: float | None = None) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """The least-squares solution of ``a @ x = b`` of least norm, as
    :func:`numpy.linalg.lstsq`: ``(x, residuals, rank, s)``; `a` is (M, N),
    `b` (M,) or (M, K); singular values below ``rcond`` times the largest
    count as zero (default: machine precision times max(M, N))."""
    a = np.asarray(a)
    b = np.asarray(b)
    is_1d = b.ndim == 1
    if is_1d:
        b = b[:, np.newaxis]
    _assert_2d(a, b)
    m, n = a.shape[-2:]
    m2, n_rhs = b.shape[-2:]
    if m != m2:
        raise LinAlgError("Incompatible dimensions")
    t, result_t = _common_type(a, b)
    result_real_t = _real_of(result_t)
    if rcond is None:
        rcond = np.finfo(t).eps * max(n, m)
    if n_rhs == 0:  # the loop wants a column: solve for a zero one and drop it
        b = np.zeros(b.shape[:-2] + (m, 1), dtype=b.dtype)
    with _errors(_LSTSQ_NONCONVERGENCE):
        x, resids, rank, s = _g("lstsq")(a, b, rcond, signature=_sig(t, "DDd->Ddid", "ddd->ddid"))
    if m == 0:
        x[...] = 0
    if n_rhs == 0:
        x = x[..., :0]
        resids = resids[..., :0]
    if is_1d:
        x = x.squeeze(axis=-1)
    if rank != n or m <= n:
        resids = np.array([], result_real_t)
    return (x.astype(result_t, copy=True), resids.astype(result_real_t, copy=False), int(rank),
            s.astype(result_real_t, copy=False))


# ---------------------------------------------------------------------------
# What serves
# ---------------------------------------------------------------------------


def status() -> dict[str, dict[str, str]]:
    """For each function here, per lapack entry it calls (``dgetrf``, ...),
    who computes now: the name of the backend serving the entry
    (``hostlib.active(interface="lapack")``), or ``"numpy"`` where the
    served entry answers "unavailable" (asked with an empty matrix), so
    numpy's own loop computes. Starts the lapack host."""
    import hostlib

    from . import _loops

    serving = hostlib.active(interface="lapack")
    available = _loops.available()
    out: dict[str, dict[str, str]] = {}
    for func, entries in ENTRIES.items():
        row = {}
        for e in entries:
            for p in "sdcz":
                name = p + e
                if name in serving:
                    row[name] = serving[name] if available.get(name) else "numpy"
        out[func] = row
    return out
