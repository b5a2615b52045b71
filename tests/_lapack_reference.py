"""A reference provider of the lapack interface for the tests: every entry
forwards, through ctypes callbacks, to SciPy's LAPACK wrappers
(``scipy.linalg.lapack``), so that hostlib.linalg's own C paths (copies,
result layouts, NaN on failure) run and can be checked against numpy before
a native or OpenBLAS table exists. Slow (a Python call per matrix) and for
tests only. Used as the compiled part of a fake provider module."""

from __future__ import annotations

import ctypes

import numpy as np
from scipy.linalg import lapack

from _capsules import CraftedTable

P = ctypes.c_ssize_t  # ptrdiff_t
VP = ctypes.c_void_p
DT = {"s": np.float32, "d": np.float64, "c": np.complex64, "z": np.complex128}
RT = {"s": ctypes.c_float, "d": ctypes.c_double, "c": ctypes.c_float, "z": ctypes.c_double}


def mat(ptr, p, rows, cols, ld, real=False):
    """A Fortran-ordered view of a column-major buffer."""
    dt = np.dtype(DT[p])
    if real:
        dt = np.dtype(dt.char.lower())
    es = dt.itemsize
    if rows == 0 or cols == 0:
        return np.zeros((rows, cols), dt, order="F")
    nbytes = ((cols - 1) * ld + rows) * es
    buf = (ctypes.c_char * nbytes).from_address(ptr)
    return np.ndarray((rows, cols), dt, buffer=buf, strides=(es, ld * es))


def vec(ptr, p, n, real=False, dtype=None):
    return mat(ptr, p, n, 1, max(n, 1), real)[:, 0] if dtype is None else \
        np.ndarray((n,), dtype, buffer=(ctypes.c_char * (n * np.dtype(dtype).itemsize)).from_address(ptr))


def entries(p):
    f = lambda name: getattr(lapack, p + name)  # noqa: E731
    cplx = p in "cz"

    def getrf(m, n, a, lda, ipiv):
        if min(m, n) == 0:
            return 0
        A = mat(a, p, m, n, lda)
        lu, piv, info = f("getrf")(A)
        A[...] = lu
        vec(ipiv, p, min(m, n), dtype=np.intp)[...] = piv + 1
        return info

    def getrs(trans, n, nrhs, a, lda, ipiv, b, ldb):
        if n == 0 or nrhs == 0:
            return 0
        B = mat(b, p, n, nrhs, ldb)
        x, info = f("getrs")(mat(a, p, n, n, lda), vec(ipiv, p, n, dtype=np.intp) - 1, B, trans=trans)
        B[...] = x
        return info

    def getri(n, a, lda, ipiv):
        if n == 0:
            return 0
        A = mat(a, p, n, n, lda)
        inv, info = f("getri")(A, vec(ipiv, p, n, dtype=np.intp) - 1)
        A[...] = inv
        return info

    def potrf(uplo, n, a, lda):
        if n == 0:
            return 0
        A = mat(a, p, n, n, lda)
        c, info = f("potrf")(A, lower=uplo == 0, clean=0)
        A[...] = c
        return info

    def geqrf(m, n, a, lda, tau):
        if min(m, n) == 0:
            return 0
        A = mat(a, p, m, n, lda)
        qr, t, _, info = f("geqrf")(A)
        A[...] = qr
        vec(tau, p, min(m, n))[...] = t
        return info

    def orgqr(m, n, k, a, lda, tau):
        if n == 0:
            return 0
        A = mat(a, p, m, n, lda)
        q, _, info = f("ungqr" if cplx else "orgqr")(A, vec(tau, p, k))
        A[...] = q
        return info

    def evd(jobz, uplo, n, a, lda, w):
        if n == 0:
            return 0
        A = mat(a, p, n, n, lda)
        ww, v, info = f("heevd" if cplx else "syevd")(A, compute_v=jobz, lower=uplo == 0)
        vec(w, p, n, real=True)[...] = ww
        if jobz:
            A[...] = v
        return info

    def gesdd(jobz, m, n, a, lda, s, u, ldu, vt, ldvt):
        k = min(m, n)
        if k == 0:
            return 0
        A = mat(a, p, m, n, lda)
        uu, ss, vv, info = f("gesdd")(A, compute_uv=int(jobz != 0), full_matrices=int(jobz == 2))
        vec(s, p, k, real=True)[...] = ss
        if jobz:
            mat(u, p, m, uu.shape[1], ldu)[...] = uu
            mat(vt, p, vv.shape[0], n, ldvt)[...] = vv
        return info

    def gelsd(m, n, nrhs, a, lda, b, ldb, s, rcond, rank):
        if min(m, n, nrhs) == 0:
            return 0
        A, B = mat(a, p, m, n, lda), mat(b, p, max(m, n), nrhs, ldb)
        work = f("gelsd_lwork")(m, n, nrhs, rcond)
        if cplx:
            x, ss, r, info = f("gelsd")(A, B, work[0], work[1], work[2], rcond)
        else:
            x, ss, r, info = f("gelsd")(A, B, work[0], work[1], rcond)
        B[...] = x
        vec(s, p, min(m, n), real=True)[...] = ss
        ctypes.cast(rank, ctypes.POINTER(P))[0] = r
        return info

    def geev_real(jobvl, jobvr, n, a, lda, wr, wi, vl, ldvl, vr, ldvr):
        if n == 0:
            return 0
        out = f("geev")(mat(a, p, n, n, lda), compute_vl=0, compute_vr=jobvr)
        vec(wr, p, n)[...], vec(wi, p, n)[...] = out[0], out[1]
        if jobvr:
            mat(vr, p, n, n, ldvr)[...] = out[3]
        return out[-1]

    def geev_complex(jobvl, jobvr, n, a, lda, w, vl, ldvl, vr, ldvr):
        if n == 0:
            return 0
        out = f("geev")(mat(a, p, n, n, lda), compute_vl=0, compute_vr=jobvr)
        vec(w, p, n)[...] = out[0]
        if jobvr:
            mat(vr, p, n, n, ldvr)[...] = out[2]
        return out[-1]

    i = ctypes.c_int
    return {
        "getrf": (getrf, [P, P, VP, P, VP]),
        "getrs": (getrs, [i, P, P, VP, P, VP, VP, P]),
        "getri": (getri, [P, VP, P, VP]),
        "potrf": (potrf, [i, P, VP, P]),
        "geqrf": (geqrf, [P, P, VP, P, VP]),
        ("ungqr" if cplx else "orgqr"): (orgqr, [P, P, P, VP, P, VP]),
        ("heevd" if cplx else "syevd"): (evd, [i, i, P, VP, P, VP]),
        "gesdd": (gesdd, [i, P, P, VP, P, VP, VP, P, VP, P]),
        "gelsd": (gelsd, [P, P, P, VP, P, VP, P, VP, RT[p], VP]),
        "geev": (geev_complex, [i, i, P, VP, P, VP, VP, P, VP, P]) if cplx
        else (geev_real, [i, i, P, VP, P, VP, VP, VP, P, VP, P]),
    }


def make_table(name: bytes = b"scipyref"):
    from hostlib import lapack_interface as d
    from hostlib._host.host import Interface

    iface = Interface.from_description(d.INTERFACE)
    keep = []
    funcs = {}
    for p in "sdcz":
        for entry, (fn, argtypes) in entries(p).items():
            cfunc = ctypes.CFUNCTYPE(P, *argtypes)(fn)
            keep.append(cfunc)
            funcs[p + entry] = ctypes.cast(cfunc, ctypes.c_void_p).value
    slots = [funcs.get(e, 0) for e in iface.entries]
    table = CraftedTable(slots, name=name, iface=iface)
    table.callbacks = keep
    return table
