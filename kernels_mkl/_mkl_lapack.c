/*
 * _mkl_lapack.c -- a hostlib lapack table that forwards to the LAPACK in
 * Intel MKL (libmkl_rt, resolved at import: _mkl_rt.h), the library the
 * kernels table (_mkl.c) calls: both share MKL's threads and settings.
 *
 * Every one of the interface's 44 entries calls MKL's ILP64 Fortran routine
 * (dgetrf_64, ...), whose integers are 64-bit. What the wrappers translate:
 *
 *   sizes     hostlib's ptrdiff_t sizes are MKL's 64-bit integers as they
 *             are: no narrowing, so no HOSTLIB_LAPACK_ETOOLARGE (the
 *             OpenBLAS table, with 32-bit LAPACK integers, needs it).
 *   flags     hostlib's constants -> LAPACK's characters (fw_flag in
 *             forward/lapack_forward.h, shared with the OpenBLAS wheel). A value
 *             outside them is illegal: info = -i, i the argument's position
 *             in hostlib's signature, before LAPACK is called. MKL's
 *             character arguments take no hidden lengths.
 *   positions hostlib's signatures keep LAPACK's argument order up to the
 *             workspace arguments, so LAPACK's own info = -i is ours as is.
 *   pivots    LAPACK's 1-based pivots are 64-bit here, hostlib's ptrdiff_t:
 *             passed as they are. getrs and getri check them first: a pivot
 *             outside 1..n is an illegal ipiv (LAPACK would index out of
 *             the matrix with it).
 *   workspace every entry that needs one asks LAPACK (lwork = -1), then one
 *             malloc per call holds all of the call's arrays (FW_WORKSPACE);
 *             HOSTLIB_LAPACK_ENOMEM when it fails. gesdd's complex rwork and
 *             the geev/gesdd fixed-size arrays follow LAPACK's documented
 *             sizes.
 *   complex   hostlib_lapack_complex64/128 (re, im) is laid out as
 *             Fortran's COMPLEX / COMPLEX*16 (MKL_Complex8/16): passed as is.
 *
 * Baseline flags only: MKL picks its code path for the CPU at run time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_mkl_rt.h"
#include "hostlib_lapack_lapack_entries.h"
#include "hostlib_lapack_lapack_table.h"
#include "forward/lapack_forward.h" /* the helpers shared with the OpenBLAS wheel */

#ifndef KERNELS_MKL_VERSION
#error "the build passes -DKERNELS_MKL_VERSION=\"x.y.z\""
#endif

/* the largest workspace count: one this process could hold in bytes */
#define MK_MOST ((double)(PTRDIFF_MAX / 16))
#define MK_WORKSPACE(T, R, nr, ni, CALL) FW_WORKSPACE(mk_int, MK_MOST, T, R, nr, ni, CALL)

/* nonzero if a pivot is outside 1..n */
static int mk_bad_pivots(const ptrdiff_t *ipiv, ptrdiff_t n)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        if (ipiv[i] < 1 || ipiv[i] > n) {
            return 1;
        }
    }
    return 0;
}

/* A routine's pointer: MK_FN(p, r, (params)) declares mk_<p><r>_64. */
#define MK_FN(p, r, params) static void(*mk_##p##r##_64) params;

/* ------------------------------------------------------------------------ */
/* LU: getrf, getrs, getri                                                   */
/* ------------------------------------------------------------------------ */

#define MK_GETRF(p, T, R)                                                                       \
    MK_FN(p, getrf, (const mk_int *, const mk_int *, T *, const mk_int *, mk_int *, mk_int *))   \
    static ptrdiff_t mk_##p##getrf(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv) \
    {                                                                                           \
        mk_int info = 0;                                                                        \
        mk_##p##getrf_64(&m, &n, a, &lda, ipiv, &info);                                         \
        return info;                                                                            \
    }
FW_ALL(MK_GETRF)

#define MK_GETRS(p, T, R)                                                                       \
    MK_FN(p, getrs, (const char *, const mk_int *, const mk_int *, const T *, const mk_int *,    \
                     const mk_int *, T *, const mk_int *, mk_int *))                             \
    static ptrdiff_t mk_##p##getrs(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)                  \
    {                                                                                           \
        FW_FLAG(t, trans, TRANS_CHARS, 1);                                                      \
        if (n > 0 && mk_bad_pivots(ipiv, n)) return -6;                                         \
        mk_int info = 0;                                                                        \
        mk_##p##getrs_64(&t, &n, &nrhs, a, &lda, ipiv, b, &ldb, &info);                         \
        return info;                                                                            \
    }
FW_ALL(MK_GETRS)

#define MK_GETRI(p, T, R)                                                                       \
    MK_FN(p, getri, (const mk_int *, T *, const mk_int *, const mk_int *, T *, const mk_int *,   \
                     mk_int *))                                                                 \
    static ptrdiff_t mk_##p##getri(ptrdiff_t n, T *a, ptrdiff_t lda, const ptrdiff_t *ipiv)     \
    {                                                                                           \
        if (n > 0 && mk_bad_pivots(ipiv, n)) return -4;                                         \
        mk_int info = 0, lw = -1, dummy_piv = 1;                                                \
        T q;                                                                                    \
        mk_##p##getri_64(&n, a, &lda, n > 0 ? ipiv : &dummy_piv, &q, &lw, &info);               \
        if (info != 0) return info;                                                             \
        ptrdiff_t count;                                                                        \
        if (fw_count(FW_Q(R, q), MK_MOST, &count)) return ETOOLARGE;                            \
        lw = count;                                                                             \
        T *work = malloc(fw_bytes((size_t)lw, sizeof(T)));                                      \
        if (work == NULL) return ENOMEM_;                                                       \
        mk_##p##getri_64(&n, a, &lda, n > 0 ? ipiv : &dummy_piv, work, &lw, &info);             \
        free(work);                                                                             \
        return info;                                                                            \
    }
FW_ALL(MK_GETRI)

/* ------------------------------------------------------------------------ */
/* Cholesky: potrf, potrs                                                    */
/* ------------------------------------------------------------------------ */

#define MK_POTRF(p, T, R)                                                                       \
    MK_FN(p, potrf, (const char *, const mk_int *, T *, const mk_int *, mk_int *))               \
    static ptrdiff_t mk_##p##potrf(int uplo, ptrdiff_t n, T *a, ptrdiff_t lda)                  \
    {                                                                                           \
        FW_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        mk_int info = 0;                                                                        \
        mk_##p##potrf_64(&u, &n, a, &lda, &info);                                               \
        return info;                                                                            \
    }
FW_ALL(MK_POTRF)

#define MK_POTRS(p, T, R)                                                                       \
    MK_FN(p, potrs, (const char *, const mk_int *, const mk_int *, const T *, const mk_int *, T *, \
                     const mk_int *, mk_int *))                                                 \
    static ptrdiff_t mk_##p##potrs(int uplo, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb)                                         \
    {                                                                                           \
        FW_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        mk_int info = 0;                                                                        \
        mk_##p##potrs_64(&u, &n, &nrhs, a, &lda, b, &ldb, &info);                               \
        return info;                                                                            \
    }
FW_ALL(MK_POTRS)

/* ------------------------------------------------------------------------ */
/* workspace: one query, one allocation                                      */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* QR: geqrf, orgqr / ungqr                                                  */
/* ------------------------------------------------------------------------ */

#define MK_GEQRF(p, T, R)                                                                       \
    MK_FN(p, geqrf, (const mk_int *, const mk_int *, T *, const mk_int *, T *, T *, const mk_int *, \
                     mk_int *))                                                                 \
    static ptrdiff_t mk_##p##geqrf(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau)       \
    {                                                                                           \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, 0, mk_##p##geqrf_64(&m, &n, a, &lda, tau, work, &lwork, &info));  \
        return info;                                                                            \
    }
FW_ALL(MK_GEQRF)

/* orgqr (real) and ungqr (complex): one signature */
#define MK_ORGQR_AS(p, name, T, R)                                                              \
    MK_FN(p, name, (const mk_int *, const mk_int *, const mk_int *, T *, const mk_int *, const T *, \
                    T *, const mk_int *, mk_int *))                                             \
    static ptrdiff_t mk_##p##name(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda,   \
                                  const T *tau)                                                 \
    {                                                                                           \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, 0,                                                                \
                     mk_##p##name##_64(&m, &n, &k, a, &lda, tau, work, &lwork, &info));         \
        return info;                                                                            \
    }
#define MK_ORGQR(p, T, R) MK_ORGQR_AS(p, orgqr, T, R)
#define MK_UNGQR(p, T, R) MK_ORGQR_AS(p, ungqr, T, R)
FW_REAL(MK_ORGQR)
FW_CPLX(MK_UNGQR)

/* ------------------------------------------------------------------------ */
/* symmetric / Hermitian eigenproblem: syevd, heevd                          */
/* ------------------------------------------------------------------------ */

#define MK_SYEVD(p, T, R)                                                                       \
    MK_FN(p, syevd, (const char *, const char *, const mk_int *, T *, const mk_int *, R *, T *,  \
                     const mk_int *, mk_int *, const mk_int *, mk_int *))                       \
    static ptrdiff_t mk_##p##syevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        FW_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        FW_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, -1,                                                               \
                     mk_##p##syevd_64(&j, &u, &n, a, &lda, w, work, &lwork, iwork, &liwork, &info)); \
        return info;                                                                            \
    }
FW_REAL(MK_SYEVD)

#define MK_HEEVD(p, T, R)                                                                       \
    MK_FN(p, heevd, (const char *, const char *, const mk_int *, T *, const mk_int *, R *, T *,  \
                     const mk_int *, R *, const mk_int *, mk_int *, const mk_int *, mk_int *))  \
    static ptrdiff_t mk_##p##heevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        FW_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        FW_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, -1, -1,                                                              \
                     mk_##p##heevd_64(&j, &u, &n, a, &lda, w, work, &lwork, rwork, &lrwork, iwork, \
                                      &liwork, &info));                                         \
        return info;                                                                            \
    }
FW_CPLX(MK_HEEVD)

/* ------------------------------------------------------------------------ */
/* SVD: gesdd; least squares: gelsd                                          */
/* ------------------------------------------------------------------------ */

#define MK_GESDD_REAL(p, T, R)                                                                  \
    MK_FN(p, gesdd, (const char *, const mk_int *, const mk_int *, T *, const mk_int *, R *, T *, \
                     const mk_int *, T *, const mk_int *, T *, const mk_int *, mk_int *, mk_int *)) \
    static ptrdiff_t mk_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        FW_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, FW_GESDD_IWORK(m, n),                                             \
                     mk_##p##gesdd_64(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, \
                                      iwork, &info));                                           \
        return info;                                                                            \
    }
FW_REAL(MK_GESDD_REAL)

#define MK_GESDD_CPLX(p, T, R)                                                                  \
    MK_FN(p, gesdd, (const char *, const mk_int *, const mk_int *, T *, const mk_int *, R *, T *, \
                     const mk_int *, T *, const mk_int *, T *, const mk_int *, R *, mk_int *,   \
                     mk_int *))                                                                 \
    static ptrdiff_t mk_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        FW_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, fw_gesdd_rwork(j, m, n), FW_GESDD_IWORK(m, n),                       \
                     mk_##p##gesdd_64(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, \
                                      rwork, iwork, &info));                                    \
        return info;                                                                            \
    }
FW_CPLX(MK_GESDD_CPLX)

#define MK_GELSD(p, T, R)                                                                       \
    MK_FN(p, gelsd, (const mk_int *, const mk_int *, const mk_int *, T *, const mk_int *, T *,   \
                     const mk_int *, R *, const R *, mk_int *, T *, const mk_int *,              \
                     FW_GELSD_RWORK_PARAM_##p mk_int *, mk_int *))                              \
    static ptrdiff_t mk_##p##gelsd(ptrdiff_t m, ptrdiff_t n, ptrdiff_t nrhs, T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb, R *s, R rcond, ptrdiff_t *rank)         \
    {                                                                                           \
        mk_int info = 0, irank = 0;                                                             \
        MK_WORKSPACE(T, R, -1, -1,                                                              \
                     mk_##p##gelsd_64(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &irank, work, \
                                      &lwork, FW_GELSD_RWORK_ARG_##p iwork, &info));            \
        *rank = irank;                                                                          \
        return info;                                                                            \
    }
FW_ALL(MK_GELSD)

/* ------------------------------------------------------------------------ */
/* general eigenproblem: geev                                                */
/* ------------------------------------------------------------------------ */

#define MK_GEEV_REAL(p, T, R)                                                                   \
    MK_FN(p, geev, (const char *, const char *, const mk_int *, T *, const mk_int *, T *, T *, T *, \
                    const mk_int *, T *, const mk_int *, T *, const mk_int *, mk_int *))        \
    static ptrdiff_t mk_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *wr, \
                                  T *wi, T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)          \
    {                                                                                           \
        FW_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        FW_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, 0,                                                                \
                     mk_##p##geev_64(&jl, &jr, &n, a, &lda, wr, wi, vl, &ldvl, vr, &ldvr, work, \
                                     &lwork, &info));                                           \
        return info;                                                                            \
    }
FW_REAL(MK_GEEV_REAL)

#define MK_GEEV_CPLX(p, T, R)                                                                   \
    MK_FN(p, geev, (const char *, const char *, const mk_int *, T *, const mk_int *, T *, T *,   \
                    const mk_int *, T *, const mk_int *, T *, const mk_int *, R *, mk_int *))   \
    static ptrdiff_t mk_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *w, \
                                  T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)                 \
    {                                                                                           \
        FW_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        FW_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 2 * (n > 0 ? n : 0), 0,                                              \
                     mk_##p##geev_64(&jl, &jr, &n, a, &lda, w, vl, &ldvl, vr, &ldvr, work,      \
                                     &lwork, rwork, &info));                                    \
        return info;                                                                            \
    }
FW_CPLX(MK_GEEV_CPLX)

/* ------------------------------------------------------------------------ */
/* the table and the module                                                  */
/* ------------------------------------------------------------------------ */

/* every slot from the generated entry list: .<name> = mk_<name> */
#define MK_SLOT(slot, name, ...) .name = mk_##name,
static const hostlib_lapack_lapack_table mkl_lapack_table = {
    HOSTLIB_LAPACK_LAPACK_HEADER("mkl", KERNELS_MKL_VERSION, 0),
    HOSTLIB_LAPACK_LAPACK_ENTRIES(MK_SLOT)
};

/* every routine's ILP64 symbol, from the same entry list: <name>_64 */
#define MK_RESOLVE_ENTRY(slot, name, ...)                                  \
    if ((*(void **)&mk_##name##_64 = dlsym(mk_handle_, #name "_64")) == NULL) { \
        return mk_missing_(#name "_64");                                   \
    }
static int mk_load_lapack(void)
{
    HOSTLIB_LAPACK_LAPACK_ENTRIES(MK_RESOLVE_ENTRY)
    return 0;
}

#define MK_NO_SYMBOLS(X)
MK_DEFINE_LOADER(MK_NO_SYMBOLS)

static int mk_load(void)
{
    return MK_LOAD(MK_NO_SYMBOLS) < 0 || mk_load_lapack() < 0 ? -1 : 0;
}

MK_TABLE_MODULE(_mkl_lapack, mkl_lapack_table, HOSTLIB_LAPACK_LAPACK_PROVIDER_CAPSULE,
                "hostlib lapack table forwarding to Intel MKL's ILP64 LAPACK (libmkl_rt, loaded at import), "
                "exported as _C_API.")
