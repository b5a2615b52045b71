/*
 * _openblas_lapack.c -- a hostlib lapack table that forwards to the LAPACK
 * inside scipy-openblas32's libscipy_openblas (the same library the kernels
 * table in _openblas.c calls, loaded once: both share OpenBLAS's threads).
 *
 * Every one of the interface's 44 entries calls the library's Fortran
 * routine (scipy_dgetrf_, ...). What the wrappers translate:
 *
 *   sizes     ptrdiff_t -> the library's 32-bit int. A size above INT_MAX
 *             gives HOSTLIB_LAPACK_ETOOLARGE before anything is read or
 *             allocated; a negative one is passed on as -1, so that LAPACK
 *             reports it as the illegal argument it is.
 *   flags     hostlib's constants -> LAPACK's characters (fw_flag). A value
 *             outside them is illegal: info = -i, i the argument's position
 *             in hostlib's signature, before LAPACK is called. Characters
 *             are passed by pointer with their hidden lengths (size_t, 1) at
 *             the end of the argument list, as gfortran expects.
 *   positions hostlib's signatures keep LAPACK's argument order up to the
 *             workspace arguments, so LAPACK's own info = -i is ours as is.
 *   pivots    getrf writes LAPACK's int pivots into the caller's ptrdiff_t
 *             array and widens them in place (from the end: no buffer);
 *             getrs and getri narrow a copy, and a pivot outside 1..n is an
 *             illegal ipiv (LAPACK would index out of the matrix with it).
 *   workspace every entry that needs one asks LAPACK (lwork = -1), then one
 *             malloc per call holds all of the call's arrays (FW_WORKSPACE;
 *             forward/lapack_forward.h, shared with the MKL wheel);
 *             HOSTLIB_LAPACK_ENOMEM when it fails, ETOOLARGE when a queried
 *             size does not fit an int. gesdd's complex rwork and the
 *             geev/gesdd fixed-size arrays follow LAPACK's documented sizes.
 *   complex   hostlib_lapack_complex64/128 (re, im) is laid out as Fortran's
 *             COMPLEX / COMPLEX*16: passed as is.
 *
 * Baseline flags only: OpenBLAS picks its kernels for the CPU at run time.
 */
#define PY_SSIZE_T_CLEAN
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hostlib_lapack_lapack_entries.h"
#include "hostlib_lapack_lapack_provider.h"
#include "forward/lapack_forward.h" /* the helpers shared with the MKL wheel */

#ifndef KERNELS_OPENBLAS_VERSION
#error "the build passes -DKERNELS_OPENBLAS_VERSION=\"x.y.z\""
#endif

typedef size_t flen; /* gfortran's hidden length of a CHARACTER argument */

/* ------------------------------------------------------------------------ */
/* translation helpers                                                       */
/* ------------------------------------------------------------------------ */

/* A size for LAPACK: nonzero when it does not fit (ETOOLARGE); negative
   sizes become -1, which LAPACK rejects with the argument's position. */
static int lp_narrow(ptrdiff_t v, int *out)
{
    if (v > INT_MAX) {
        return 1;
    }
    *out = v < 0 ? -1 : (int)v;
    return 0;
}
#define LP_N(var, v) \
    int var;         \
    if (lp_narrow((v), &var)) return ETOOLARGE

/* LAPACK computes its workspace sizes in int, and an int that overflows
   there is not caught: the query answers a wrong size (gesdd then runs with
   it). So before the query, `bound` -- the routine's largest workspace
   formula, with 64 for a block size (the largest reference ILAENV gives)
   and some margin, in double -- must fit an int, else ETOOLARGE. Products
   such as gesdd's 4 min(m,n)^2 are where it bites; a bound also rejects
   sizes LAPACK would survive, at matrices far beyond any memory. */
#define D(x) ((double)(x))
static int lp_bound_fits(double bound)
{
    return bound <= (double)INT_MAX;
}

/* getrf's pivots: LAPACK wrote k ints at the start of the caller's
   ptrdiff_t array; widen them from the last (each ptrdiff_t lands at or
   beyond the int it comes from, so no unread int is overwritten). memcpy
   keeps the two views of the memory legal C. */
static void lp_widen_pivots(ptrdiff_t *ipiv, ptrdiff_t k)
{
    for (ptrdiff_t i = k - 1; i >= 0; i--) {
        int v;
        memcpy(&v, (const char *)ipiv + (size_t)i * sizeof(int), sizeof v);
        const ptrdiff_t w = v;
        memcpy(ipiv + i, &w, sizeof w);
    }
}

/* getrs/getri's pivots as LAPACK's ints; nonzero if one is outside 1..n */
static int lp_narrow_pivots(const ptrdiff_t *ipiv, ptrdiff_t n, int *out)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        if (ipiv[i] < 1 || ipiv[i] > n) {
            return 1;
        }
        out[i] = (int)ipiv[i];
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* LU: getrf, getrs, getri                                                   */
/* ------------------------------------------------------------------------ */

#define LP_GETRF(p, T, R)                                                                       \
    extern void scipy_##p##getrf_(const int *m, const int *n, T *a, const int *lda, int *ipiv, \
                                  int *info);                                                   \
    static ptrdiff_t lp_##p##getrf(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv) \
    {                                                                                           \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        scipy_##p##getrf_(&im, &in, a, &ilda, (int *)(void *)ipiv, &info);                      \
        if (info >= 0) {                                                                        \
            lp_widen_pivots(ipiv, m < n ? m : n);                                               \
        }                                                                                       \
        return info;                                                                            \
    }
FW_ALL(LP_GETRF)

/* pivots up to this many are narrowed on the stack, more in one malloc */
enum { LP_STACK_PIVOTS = 512 };

#define LP_GETRS(p, T, R)                                                                       \
    extern void scipy_##p##getrs_(const char *trans, const int *n, const int *nrhs, const T *a, \
                                  const int *lda, const int *ipiv, T *b, const int *ldb, int *info, \
                                  flen);                                                        \
    static ptrdiff_t lp_##p##getrs(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)                  \
    {                                                                                           \
        FW_FLAG(t, trans, TRANS_CHARS, 1);                                                      \
        LP_N(in, n);                                                                            \
        LP_N(inrhs, nrhs);                                                                      \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildb, ldb);                                                                        \
        int stack[LP_STACK_PIVOTS], *piv = stack, info = 0;                                     \
        void *heap = NULL;                                                                      \
        if (n > LP_STACK_PIVOTS) {                                                              \
            const size_t bytes = (size_t)n * sizeof(int);                                       \
            if ((heap = fw_block(1, &bytes, (void **)&piv)) == NULL) return ENOMEM_;            \
        }                                                                                       \
        if (lp_narrow_pivots(ipiv, n, piv)) {                                                   \
            info = -6;                                                                          \
        } else {                                                                                \
            scipy_##p##getrs_(&t, &in, &inrhs, a, &ilda, piv, b, &ildb, &info, 1);              \
        }                                                                                       \
        free(heap);                                                                             \
        return info;                                                                            \
    }
FW_ALL(LP_GETRS)

#define LP_GETRI(p, T, R)                                                                       \
    extern void scipy_##p##getri_(const int *n, T *a, const int *lda, const int *ipiv, T *work, \
                                  const int *lwork, int *info);                                 \
    static ptrdiff_t lp_##p##getri(ptrdiff_t n, T *a, ptrdiff_t lda, const ptrdiff_t *ipiv)     \
    {                                                                                           \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        if (!lp_bound_fits(64 * D(in))) return ETOOLARGE; /* n nb, see LP_WORKSPACE */         \
        int info = 0, lw = -1, dummy_piv = 1;                                                   \
        T q;                                                                                    \
        scipy_##p##getri_(&in, a, &ilda, &dummy_piv, &q, &lw, &info);                           \
        if (info != 0) return info;                                                             \
        ptrdiff_t count;                                                                        \
        if (fw_count(FW_Q(R, q), (double)INT_MAX, &count)) return ETOOLARGE;                    \
        lw = (int)count;                                                                        \
        void *ws[2];                                                                            \
        const size_t bytes[2] = {fw_bytes((size_t)lw, sizeof(T)), (size_t)n * sizeof(int)};     \
        void *block = fw_block(2, bytes, ws);                                                   \
        if (block == NULL) return ENOMEM_;                                                      \
        if (lp_narrow_pivots(ipiv, n, ws[1])) {                                                 \
            info = -4;                                                                          \
        } else {                                                                                \
            scipy_##p##getri_(&in, a, &ilda, ws[1], ws[0], &lw, &info);                         \
        }                                                                                       \
        free(block);                                                                            \
        return info;                                                                            \
    }
FW_ALL(LP_GETRI)

/* ------------------------------------------------------------------------ */
/* Cholesky: potrf, potrs                                                    */
/* ------------------------------------------------------------------------ */

#define LP_POTRF(p, T, R)                                                                       \
    extern void scipy_##p##potrf_(const char *uplo, const int *n, T *a, const int *lda, int *info, \
                                  flen);                                                        \
    static ptrdiff_t lp_##p##potrf(int uplo, ptrdiff_t n, T *a, ptrdiff_t lda)                  \
    {                                                                                           \
        FW_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        scipy_##p##potrf_(&u, &in, a, &ilda, &info, 1);                                         \
        return info;                                                                            \
    }
FW_ALL(LP_POTRF)

#define LP_POTRS(p, T, R)                                                                       \
    extern void scipy_##p##potrs_(const char *uplo, const int *n, const int *nrhs, const T *a,  \
                                  const int *lda, T *b, const int *ldb, int *info, flen);       \
    static ptrdiff_t lp_##p##potrs(int uplo, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb)                                         \
    {                                                                                           \
        FW_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        LP_N(in, n);                                                                            \
        LP_N(inrhs, nrhs);                                                                      \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildb, ldb);                                                                        \
        int info = 0;                                                                           \
        scipy_##p##potrs_(&u, &in, &inrhs, a, &ilda, b, &ildb, &info, 1);                       \
        return info;                                                                            \
    }
FW_ALL(LP_POTRS)

/* ------------------------------------------------------------------------ */
/* workspace: one query, one allocation                                      */
/* ------------------------------------------------------------------------ */

/* forward/lapack_forward.h's FW_WORKSPACE with int counts, after `bound`
   (lp_bound_fits): returns ETOOLARGE when it is beyond an int. */
#define LP_WORKSPACE(T, R, bound, nr, ni, CALL)   \
    if (!lp_bound_fits(bound)) return ETOOLARGE; \
    FW_WORKSPACE(int, (double)INT_MAX, T, R, nr, ni, CALL)

/* ------------------------------------------------------------------------ */
/* QR: geqrf, orgqr / ungqr                                                  */
/* ------------------------------------------------------------------------ */

#define LP_GEQRF(p, T, R)                                                                       \
    extern void scipy_##p##geqrf_(const int *m, const int *n, T *a, const int *lda, T *tau,     \
                                  T *work, const int *lwork, int *info);                        \
    static ptrdiff_t lp_##p##geqrf(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau)       \
    {                                                                                           \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, 64 * D(in) + D(im), 0, 0,                                           \
                     scipy_##p##geqrf_(&im, &in, a, &ilda, tau, work, &lwork, &info));          \
        return info;                                                                            \
    }
FW_ALL(LP_GEQRF)

/* orgqr (real) and ungqr (complex): one signature */
#define LP_ORGQR_AS(p, name, T, R)                                                              \
    extern void scipy_##p##name##_(const int *m, const int *n, const int *k, T *a, const int *lda, \
                                   const T *tau, T *work, const int *lwork, int *info);         \
    static ptrdiff_t lp_##p##name(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda,   \
                                  const T *tau)                                                 \
    {                                                                                           \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(ik, k);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, 64 * D(in) + D(im), 0, 0,                                           \
                     scipy_##p##name##_(&im, &in, &ik, a, &ilda, tau, work, &lwork, &info));    \
        return info;                                                                            \
    }
#define LP_ORGQR(p, T, R) LP_ORGQR_AS(p, orgqr, T, R)
#define LP_UNGQR(p, T, R) LP_ORGQR_AS(p, ungqr, T, R)
FW_REAL(LP_ORGQR)
FW_CPLX(LP_UNGQR)

/* ------------------------------------------------------------------------ */
/* symmetric / Hermitian eigenproblem: syevd, heevd                          */
/* ------------------------------------------------------------------------ */

#define LP_SYEVD(p, T, R)                                                                       \
    extern void scipy_##p##syevd_(const char *jobz, const char *uplo, const int *n, T *a,       \
                                  const int *lda, R *w, T *work, const int *lwork, int *iwork,  \
                                  const int *liwork, int *info, flen, flen);                    \
    static ptrdiff_t lp_##p##syevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        FW_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        FW_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, 2 * D(in) * D(in) + 72 * D(in) + 1, 0, -1,                        \
                     scipy_##p##syevd_(&j, &u, &in, a, &ilda, w, work, &lwork, iwork, &liwork,  \
                                       &info, 1, 1));                                           \
        return info;                                                                            \
    }
FW_REAL(LP_SYEVD)

#define LP_HEEVD(p, T, R)                                                                       \
    extern void scipy_##p##heevd_(const char *jobz, const char *uplo, const int *n, T *a,       \
                                  const int *lda, R *w, T *work, const int *lwork, R *rwork,    \
                                  const int *lrwork, int *iwork, const int *liwork, int *info,  \
                                  flen, flen);                                                  \
    static ptrdiff_t lp_##p##heevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        FW_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        FW_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, 2 * D(in) * D(in) + 72 * D(in) + 1, -1, -1,                       \
                     scipy_##p##heevd_(&j, &u, &in, a, &ilda, w, work, &lwork, rwork, &lrwork,  \
                                       iwork, &liwork, &info, 1, 1));                           \
        return info;                                                                            \
    }
FW_CPLX(LP_HEEVD)

/* ------------------------------------------------------------------------ */
/* SVD: gesdd; least squares: gelsd                                          */
/* ------------------------------------------------------------------------ */

/* 7 min^2 + 4 min + max for JOBZ = 'A', plus block sizes over m and n */
#define LP_GESDD_BOUND(m, n) (8 * D((m) < (n) ? (m) : (n)) * D((m) < (n) ? (m) : (n)) + 128 * (D(m) + D(n)) + 64)

#define LP_GESDD_REAL(p, T, R)                                                                  \
    extern void scipy_##p##gesdd_(const char *jobz, const int *m, const int *n, T *a,           \
                                  const int *lda, R *s, T *u, const int *ldu, T *vt,            \
                                  const int *ldvt, T *work, const int *lwork, int *iwork,       \
                                  int *info, flen);                                             \
    static ptrdiff_t lp_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        FW_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildu, ldu);                                                                        \
        LP_N(ildvt, ldvt);                                                                      \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, LP_GESDD_BOUND(im, in), 0, FW_GESDD_IWORK(m, n),                     \
                     scipy_##p##gesdd_(&j, &im, &in, a, &ilda, s, u, &ildu, vt, &ildvt, work,   \
                                       &lwork, iwork, &info, 1));                               \
        return info;                                                                            \
    }
FW_REAL(LP_GESDD_REAL)

#define LP_GESDD_CPLX(p, T, R)                                                                  \
    extern void scipy_##p##gesdd_(const char *jobz, const int *m, const int *n, T *a,           \
                                  const int *lda, R *s, T *u, const int *ldu, T *vt,            \
                                  const int *ldvt, T *work, const int *lwork, R *rwork,         \
                                  int *iwork, int *info, flen);                                 \
    static ptrdiff_t lp_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        FW_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildu, ldu);                                                                        \
        LP_N(ildvt, ldvt);                                                                      \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, LP_GESDD_BOUND(im, in), fw_gesdd_rwork(j, m, n),                     \
                     FW_GESDD_IWORK(m, n),                                                      \
                     scipy_##p##gesdd_(&j, &im, &in, a, &ilda, s, u, &ildu, vt, &ildvt, work,   \
                                       &lwork, rwork, iwork, &info, 1));                        \
        return info;                                                                            \
    }
FW_CPLX(LP_GESDD_CPLX)

/* 12 mn + 2 mn smlsiz + 8 mn nlvl (smlsiz 25, nlvl <= 32) + mn nrhs + block
   sizes over m, n and nrhs */
#define LP_GELSD_BOUND(m, n, nrhs) (400 * (D(m) + D(n)) + (D(m) + D(n) + 128) * D(nrhs) + 1024)

#define LP_GELSD(p, T, R)                                                                       \
    extern void scipy_##p##gelsd_(const int *m, const int *n, const int *nrhs, T *a,            \
                                  const int *lda, T *b, const int *ldb, R *s, const R *rcond,   \
                                  int *rank, T *work, const int *lwork,                         \
                                  FW_GELSD_RWORK_PARAM_##p int *iwork, int *info);              \
    static ptrdiff_t lp_##p##gelsd(ptrdiff_t m, ptrdiff_t n, ptrdiff_t nrhs, T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb, R *s, R rcond, ptrdiff_t *rank)         \
    {                                                                                           \
        LP_N(im, m);                                                                            \
        LP_N(in, n);                                                                            \
        LP_N(inrhs, nrhs);                                                                      \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildb, ldb);                                                                        \
        int info = 0, irank = 0;                                                                \
        LP_WORKSPACE(T, R, LP_GELSD_BOUND(im, in, inrhs), -1, -1,                             \
                     scipy_##p##gelsd_(&im, &in, &inrhs, a, &ilda, b, &ildb, s, &rcond, &irank, \
                                       work, &lwork, FW_GELSD_RWORK_ARG_##p iwork, &info));     \
        *rank = irank;                                                                          \
        return info;                                                                            \
    }
FW_ALL(LP_GELSD)

/* ------------------------------------------------------------------------ */
/* general eigenproblem: geev                                                */
/* ------------------------------------------------------------------------ */

/* gehrd's and trevc3's blocked workspaces: n + 2 n nb, nb up to 128 */
#define LP_GEEV_BOUND(n) (264 * D(n) + 64)

#define LP_GEEV_REAL(p, T, R)                                                                   \
    extern void scipy_##p##geev_(const char *jobvl, const char *jobvr, const int *n, T *a,      \
                                 const int *lda, T *wr, T *wi, T *vl, const int *ldvl, T *vr,   \
                                 const int *ldvr, T *work, const int *lwork, int *info, flen,   \
                                 flen);                                                         \
    static ptrdiff_t lp_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *wr, \
                                  T *wi, T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)          \
    {                                                                                           \
        FW_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        FW_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildvl, ldvl);                                                                      \
        LP_N(ildvr, ldvr);                                                                      \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, LP_GEEV_BOUND(in), 0, 0,                                           \
                     scipy_##p##geev_(&jl, &jr, &in, a, &ilda, wr, wi, vl, &ildvl, vr, &ildvr,  \
                                      work, &lwork, &info, 1, 1));                              \
        return info;                                                                            \
    }
FW_REAL(LP_GEEV_REAL)

#define LP_GEEV_CPLX(p, T, R)                                                                   \
    extern void scipy_##p##geev_(const char *jobvl, const char *jobvr, const int *n, T *a,      \
                                 const int *lda, T *w, T *vl, const int *ldvl, T *vr,           \
                                 const int *ldvr, T *work, const int *lwork, R *rwork,          \
                                 int *info, flen, flen);                                        \
    static ptrdiff_t lp_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *w, \
                                  T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)                 \
    {                                                                                           \
        FW_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        FW_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        LP_N(in, n);                                                                            \
        LP_N(ilda, lda);                                                                        \
        LP_N(ildvl, ldvl);                                                                      \
        LP_N(ildvr, ldvr);                                                                      \
        int info = 0;                                                                           \
        LP_WORKSPACE(T, R, LP_GEEV_BOUND(in), 2 * (n > 0 ? n : 0), 0,                           \
                     scipy_##p##geev_(&jl, &jr, &in, a, &ilda, w, vl, &ildvl, vr, &ildvr, work, \
                                      &lwork, rwork, &info, 1, 1));                             \
        return info;                                                                            \
    }
FW_CPLX(LP_GEEV_CPLX)

/* ------------------------------------------------------------------------ */
/* the table and the module                                                  */
/* ------------------------------------------------------------------------ */

/* every slot from the generated entry list: .<name> = lp_<name> */
#define LP_SLOT(slot, name, ...) .name = lp_##name,
static const hostlib_lapack_lapack_table openblas_lapack_table = {
    HOSTLIB_LAPACK_LAPACK_HEADER("openblas", KERNELS_OPENBLAS_VERSION, 0),
    HOSTLIB_LAPACK_LAPACK_ENTRIES(LP_SLOT)
};

HOSTLIB_LAPACK_LAPACK_PROVIDER_MODULE(_openblas_lapack, openblas_lapack_table)
