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
 *   flags     hostlib's constants -> LAPACK's characters (mk_flag). A value
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
 *             malloc per call holds all of the call's arrays (mk_block);
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

#ifndef KERNELS_MKL_VERSION
#error "the build passes -DKERNELS_MKL_VERSION=\"x.y.z\""
#endif

typedef hostlib_lapack_complex64 c64;
typedef hostlib_lapack_complex128 c128;

#define ENOMEM_ HOSTLIB_LAPACK_ENOMEM
#define ETOOLARGE HOSTLIB_LAPACK_ETOOLARGE

/* Every routine over its types: M(prefix, element type, real type). */
#define MK_REAL(M) M(s, float, float) M(d, double, double)
#define MK_CPLX(M) M(c, c64, float) M(z, c128, double)
#define MK_ALL(M) MK_REAL(M) MK_CPLX(M)

/* ------------------------------------------------------------------------ */
/* helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* A flag: chars[v] for 0 <= v < strlen(chars), else illegal argument pos. */
static char mk_flag(int v, const char *chars)
{
    return v >= 0 && (size_t)v < strlen(chars) ? chars[v] : 0;
}
#define MK_FLAG(var, v, chars, pos)       \
    const char var = mk_flag((v), chars); \
    if (!var) return -(pos)

#define TRANS_CHARS "NTC" /* HOSTLIB_LAPACK_NOTRANS, _TRANS, _CONJTRANS */
#define UPLO_CHARS "LU"   /* HOSTLIB_LAPACK_LOWER, _UPPER */
#define JOB_CHARS "NV"    /* HOSTLIB_LAPACK_NOVECTORS, _VECTORS */
#define SVD_CHARS "NSA"   /* HOSTLIB_LAPACK_SVD_NONE, _REDUCED, _ALL */

/* A workspace size LAPACK answered (work[0], a real number rounded up;
   iwork[0]): nonzero when it is not a count of bytes this process could
   hold. */
static int mk_count(double v, mk_int *out)
{
    v = ceil(v);
    if (!(v <= (double)(PTRDIFF_MAX / 16))) {
        return 1;
    }
    *out = v < 1 ? 1 : (mk_int)v;
    return 0;
}
/* the real part of a queried work[0]: a complex's first member is its re */
#define MK_Q(R, q) ((double)*(const R *)(const void *)&(q))

/* One malloc for the k arrays of a call, bytes[i] each, each start a
   multiple of 64 bytes after the block's; NULL on failure or overflow. */
enum { MK_ALIGN = 64 };
static void *mk_block(int k, const size_t bytes[], void *ptrs[])
{
    size_t total = 0;
    for (int i = 0; i < k; i++) {
        const size_t padded = (bytes[i] + MK_ALIGN - 1) / MK_ALIGN * MK_ALIGN;
        if (bytes[i] > SIZE_MAX - MK_ALIGN || total > SIZE_MAX - padded) {
            return NULL;
        }
        total += padded;
    }
    char *base = malloc(total ? total : MK_ALIGN);
    if (base != NULL) {
        size_t off = 0;
        for (int i = 0; i < k; i++) {
            ptrs[i] = base + off;
            off += (bytes[i] + MK_ALIGN - 1) / MK_ALIGN * MK_ALIGN;
        }
    }
    return base;
}

static size_t mk_bytes(size_t count, size_t size)
{
    return count > SIZE_MAX / size ? SIZE_MAX : count * size;
}

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
MK_ALL(MK_GETRF)

#define MK_GETRS(p, T, R)                                                                       \
    MK_FN(p, getrs, (const char *, const mk_int *, const mk_int *, const T *, const mk_int *,    \
                     const mk_int *, T *, const mk_int *, mk_int *))                             \
    static ptrdiff_t mk_##p##getrs(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)                  \
    {                                                                                           \
        MK_FLAG(t, trans, TRANS_CHARS, 1);                                                      \
        if (n > 0 && mk_bad_pivots(ipiv, n)) return -6;                                         \
        mk_int info = 0;                                                                        \
        mk_##p##getrs_64(&t, &n, &nrhs, a, &lda, ipiv, b, &ldb, &info);                         \
        return info;                                                                            \
    }
MK_ALL(MK_GETRS)

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
        if (mk_count(MK_Q(R, q), &lw)) return ETOOLARGE;                                        \
        T *work = malloc(mk_bytes((size_t)lw, sizeof(T)));                                      \
        if (work == NULL) return ENOMEM_;                                                       \
        mk_##p##getri_64(&n, a, &lda, n > 0 ? ipiv : &dummy_piv, work, &lw, &info);             \
        free(work);                                                                             \
        return info;                                                                            \
    }
MK_ALL(MK_GETRI)

/* ------------------------------------------------------------------------ */
/* Cholesky: potrf, potrs                                                    */
/* ------------------------------------------------------------------------ */

#define MK_POTRF(p, T, R)                                                                       \
    MK_FN(p, potrf, (const char *, const mk_int *, T *, const mk_int *, mk_int *))               \
    static ptrdiff_t mk_##p##potrf(int uplo, ptrdiff_t n, T *a, ptrdiff_t lda)                  \
    {                                                                                           \
        MK_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        mk_int info = 0;                                                                        \
        mk_##p##potrf_64(&u, &n, a, &lda, &info);                                               \
        return info;                                                                            \
    }
MK_ALL(MK_POTRF)

#define MK_POTRS(p, T, R)                                                                       \
    MK_FN(p, potrs, (const char *, const mk_int *, const mk_int *, const T *, const mk_int *, T *, \
                     const mk_int *, mk_int *))                                                 \
    static ptrdiff_t mk_##p##potrs(int uplo, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb)                                         \
    {                                                                                           \
        MK_FLAG(u, uplo, UPLO_CHARS, 1);                                                        \
        mk_int info = 0;                                                                        \
        mk_##p##potrs_64(&u, &n, &nrhs, a, &lda, b, &ldb, &info);                               \
        return info;                                                                            \
    }
MK_ALL(MK_POTRS)

/* ------------------------------------------------------------------------ */
/* workspace: one query, one allocation                                      */
/* ------------------------------------------------------------------------ */

/* Runs CALL (a LAPACK call that reads `work, lwork`, and where the routine
   has them `rwork, lrwork` and `iwork, liwork`; it sets `info`) twice: a
   workspace query (every l*work -1, each array one element), then for real
   with the sizes the query answered, except that rwork and iwork take
   nr/ni elements where those are >= 0 (sizes LAPACK documents but does not
   report). All three arrays come from one malloc. Returns from the
   enclosing function on a failed query or ENOMEM. */
#define MK_WORKSPACE(T, R, nr, ni, CALL)                                                        \
    mk_int lwork = -1, lrwork = -1, liwork = -1;                                                \
    T q_work;                                                                                   \
    R q_rwork = 0;                                                                              \
    mk_int q_iwork = 0;                                                                         \
    T *work = &q_work;                                                                          \
    R *rwork = &q_rwork;                                                                        \
    mk_int *iwork = &q_iwork;                                                                   \
    CALL;                                                                                       \
    if (info != 0) return info;                                                                 \
    if (mk_count(MK_Q(R, q_work), &lwork) || mk_count(q_rwork, &lrwork)                         \
        || mk_count((double)q_iwork, &liwork))                                                  \
        return ETOOLARGE;                                                                       \
    void *ws_[3];                                                                               \
    const size_t bytes_[3] = {                                                                  \
        mk_bytes((size_t)lwork, sizeof(T)),                                                     \
        mk_bytes((nr) >= 0 ? (size_t)(nr) : (size_t)lrwork, sizeof(R)),                         \
        mk_bytes((ni) >= 0 ? (size_t)(ni) : (size_t)liwork, sizeof(mk_int)),                    \
    };                                                                                          \
    void *block_ = mk_block(3, bytes_, ws_);                                                    \
    if (block_ == NULL) return ENOMEM_;                                                         \
    work = ws_[0];                                                                              \
    rwork = ws_[1];                                                                             \
    iwork = ws_[2];                                                                             \
    CALL;                                                                                       \
    (void)rwork;                                                                                \
    (void)iwork;                                                                                \
    free(block_)

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
MK_ALL(MK_GEQRF)

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
MK_REAL(MK_ORGQR)
MK_CPLX(MK_UNGQR)

/* ------------------------------------------------------------------------ */
/* symmetric / Hermitian eigenproblem: syevd, heevd                          */
/* ------------------------------------------------------------------------ */

#define MK_SYEVD(p, T, R)                                                                       \
    MK_FN(p, syevd, (const char *, const char *, const mk_int *, T *, const mk_int *, R *, T *,  \
                     const mk_int *, mk_int *, const mk_int *, mk_int *))                       \
    static ptrdiff_t mk_##p##syevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        MK_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        MK_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, -1,                                                               \
                     mk_##p##syevd_64(&j, &u, &n, a, &lda, w, work, &lwork, iwork, &liwork, &info)); \
        return info;                                                                            \
    }
MK_REAL(MK_SYEVD)

#define MK_HEEVD(p, T, R)                                                                       \
    MK_FN(p, heevd, (const char *, const char *, const mk_int *, T *, const mk_int *, R *, T *,  \
                     const mk_int *, R *, const mk_int *, mk_int *, const mk_int *, mk_int *))  \
    static ptrdiff_t mk_##p##heevd(int jobz, int uplo, ptrdiff_t n, T *a, ptrdiff_t lda, R *w)  \
    {                                                                                           \
        MK_FLAG(j, jobz, JOB_CHARS, 1);                                                         \
        MK_FLAG(u, uplo, UPLO_CHARS, 2);                                                        \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, -1, -1,                                                              \
                     mk_##p##heevd_64(&j, &u, &n, a, &lda, w, work, &lwork, rwork, &lrwork, iwork, \
                                      &liwork, &info));                                         \
        return info;                                                                            \
    }
MK_CPLX(MK_HEEVD)

/* ------------------------------------------------------------------------ */
/* SVD: gesdd; least squares: gelsd                                          */
/* ------------------------------------------------------------------------ */

/* the complex gesdd's rwork, LAPACK's documented size (3.7 onwards);
   PTRDIFF_MAX (then ENOMEM) if it overflows */
static ptrdiff_t mk_gesdd_rwork(char jobz, ptrdiff_t m, ptrdiff_t n)
{
    const size_t mn = (size_t)(m < n ? m : n), mx = (size_t)(m < n ? n : m);
    if (m < 0 || n < 0) {
        return 1;
    }
    if (jobz == 'N') {
        return (ptrdiff_t)(7 * mn > 1 ? 7 * mn : 1);
    }
    const size_t a = 5 * mn + 7, b = 2 * mx + 2 * mn + 1, c = a > b ? a : b;
    if (mn != 0 && c > (size_t)PTRDIFF_MAX / mn) {
        return PTRDIFF_MAX;
    }
    return (ptrdiff_t)(mn * c > 1 ? mn * c : 1);
}
/* gesdd's iwork: 8 min(m,n) */
#define MK_GESDD_IWORK(m, n) ((m) < 0 || (n) < 0 ? 1 : 8 * ((m) < (n) ? (m) : (n)))

#define MK_GESDD_REAL(p, T, R)                                                                  \
    MK_FN(p, gesdd, (const char *, const mk_int *, const mk_int *, T *, const mk_int *, R *, T *, \
                     const mk_int *, T *, const mk_int *, T *, const mk_int *, mk_int *, mk_int *)) \
    static ptrdiff_t mk_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        MK_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, MK_GESDD_IWORK(m, n),                                             \
                     mk_##p##gesdd_64(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, \
                                      iwork, &info));                                           \
        return info;                                                                            \
    }
MK_REAL(MK_GESDD_REAL)

#define MK_GESDD_CPLX(p, T, R)                                                                  \
    MK_FN(p, gesdd, (const char *, const mk_int *, const mk_int *, T *, const mk_int *, R *, T *, \
                     const mk_int *, T *, const mk_int *, T *, const mk_int *, R *, mk_int *,   \
                     mk_int *))                                                                 \
    static ptrdiff_t mk_##p##gesdd(int jobz, ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda,     \
                                   R *s, T *u, ptrdiff_t ldu, T *vt, ptrdiff_t ldvt)            \
    {                                                                                           \
        MK_FLAG(j, jobz, SVD_CHARS, 1);                                                         \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, mk_gesdd_rwork(j, m, n), MK_GESDD_IWORK(m, n),                       \
                     mk_##p##gesdd_64(&j, &m, &n, a, &lda, s, u, &ldu, vt, &ldvt, work, &lwork, \
                                      rwork, iwork, &info));                                    \
        return info;                                                                            \
    }
MK_CPLX(MK_GESDD_CPLX)

/* the real gelsd has no rwork */
#define MK_GELSD_RWORK_ARG_s
#define MK_GELSD_RWORK_ARG_d
#define MK_GELSD_RWORK_ARG_c rwork,
#define MK_GELSD_RWORK_ARG_z rwork,
#define MK_GELSD_RWORK_PARAM_s
#define MK_GELSD_RWORK_PARAM_d
#define MK_GELSD_RWORK_PARAM_c float *,
#define MK_GELSD_RWORK_PARAM_z double *,

#define MK_GELSD(p, T, R)                                                                       \
    MK_FN(p, gelsd, (const mk_int *, const mk_int *, const mk_int *, T *, const mk_int *, T *,   \
                     const mk_int *, R *, const R *, mk_int *, T *, const mk_int *,              \
                     MK_GELSD_RWORK_PARAM_##p mk_int *, mk_int *))                              \
    static ptrdiff_t mk_##p##gelsd(ptrdiff_t m, ptrdiff_t n, ptrdiff_t nrhs, T *a, ptrdiff_t lda, \
                                   T *b, ptrdiff_t ldb, R *s, R rcond, ptrdiff_t *rank)         \
    {                                                                                           \
        mk_int info = 0, irank = 0;                                                             \
        MK_WORKSPACE(T, R, -1, -1,                                                              \
                     mk_##p##gelsd_64(&m, &n, &nrhs, a, &lda, b, &ldb, s, &rcond, &irank, work, \
                                      &lwork, MK_GELSD_RWORK_ARG_##p iwork, &info));            \
        *rank = irank;                                                                          \
        return info;                                                                            \
    }
MK_ALL(MK_GELSD)

/* ------------------------------------------------------------------------ */
/* general eigenproblem: geev                                                */
/* ------------------------------------------------------------------------ */

#define MK_GEEV_REAL(p, T, R)                                                                   \
    MK_FN(p, geev, (const char *, const char *, const mk_int *, T *, const mk_int *, T *, T *, T *, \
                    const mk_int *, T *, const mk_int *, T *, const mk_int *, mk_int *))        \
    static ptrdiff_t mk_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *wr, \
                                  T *wi, T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)          \
    {                                                                                           \
        MK_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        MK_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 0, 0,                                                                \
                     mk_##p##geev_64(&jl, &jr, &n, a, &lda, wr, wi, vl, &ldvl, vr, &ldvr, work, \
                                     &lwork, &info));                                           \
        return info;                                                                            \
    }
MK_REAL(MK_GEEV_REAL)

#define MK_GEEV_CPLX(p, T, R)                                                                   \
    MK_FN(p, geev, (const char *, const char *, const mk_int *, T *, const mk_int *, T *, T *,   \
                    const mk_int *, T *, const mk_int *, T *, const mk_int *, R *, mk_int *))   \
    static ptrdiff_t mk_##p##geev(int jobvl, int jobvr, ptrdiff_t n, T *a, ptrdiff_t lda, T *w, \
                                  T *vl, ptrdiff_t ldvl, T *vr, ptrdiff_t ldvr)                 \
    {                                                                                           \
        MK_FLAG(jl, jobvl, JOB_CHARS, 1);                                                       \
        MK_FLAG(jr, jobvr, JOB_CHARS, 2);                                                       \
        mk_int info = 0;                                                                        \
        MK_WORKSPACE(T, R, 2 * (n > 0 ? n : 0), 0,                                              \
                     mk_##p##geev_64(&jl, &jr, &n, a, &lda, w, vl, &ldvl, vr, &ldvr, work,      \
                                     &lwork, rwork, &info));                                    \
        return info;                                                                            \
    }
MK_CPLX(MK_GEEV_CPLX)

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

static PyMethodDef mk_methods[] = {
    MK_SHARED_METHODS,
    {NULL, NULL, 0, NULL},
};

static int mk_exec(PyObject *module)
{
    if (MK_LOAD(MK_NO_SYMBOLS) < 0 || mk_load_lapack() < 0) {
        return -1;
    }
    PyObject *capsule = PyCapsule_New((void *)&mkl_lapack_table, HOSTLIB_LAPACK_LAPACK_PROVIDER_CAPSULE, NULL);
    if (capsule == NULL) {
        return -1;
    }
    const int rc = PyModule_AddObjectRef(module, "_C_API", capsule);
    Py_DECREF(capsule);
    return rc;
}

static PyModuleDef_Slot mk_slots[] = {
    {Py_mod_exec, (void *)mk_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef mk_module = {
    PyModuleDef_HEAD_INIT, "_mkl_lapack",
    "hostlib lapack table forwarding to Intel MKL's ILP64 LAPACK (libmkl_rt, loaded at import), exported as _C_API.",
    0, mk_methods, mk_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__mkl_lapack(void)
{
    return PyModuleDef_Init(&mk_module);
}
