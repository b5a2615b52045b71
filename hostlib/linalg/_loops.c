/*
 * _loops.c -- the C half of hostlib.linalg: gufunc loops with the
 * signatures of numpy.linalg._umath_linalg's, computed by the active table
 * of the lapack interface, serving both hostlib.linalg's own gufuncs (made
 * here, from the same loops) and numpy.linalg's (patch_numpy("linalg")).
 *
 * Each loop copies every matrix of the stack into a column-major buffer,
 * calls the table's entry, and writes the results back with numpy's
 * semantics: a singular matrix, a matrix that is not positive definite or a
 * solver that does not converge leaves NaN in every output of that matrix
 * and raises the floating-point invalid flag (as numpy's loops do), which numpy.linalg's
 * errstate(call=...) turns into LinAlgError; det and slogdet of a singular
 * matrix are 0 and (0, -inf) without a flag.
 *
 * Fallback. A table entry answering HOSTLIB_LAPACK_EUNAVAILABLE (the
 * portable table has no code for it), _ETOOLARGE (a 32-bit library behind
 * the table) or _ENOMEM hands the rest of the call, from the matrix it was
 * asked about, to numpy's own loop for that gufunc and type (the loop in
 * place when this module was imported); so do empty matrices, whose
 * conventions (identity factors of an empty SVD, ...) stay numpy's.
 *
 * numpy calls these loops without the GIL (no object dtypes), and nothing
 * here touches Python: the computation runs with the GIL released.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <complex.h>
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* numpy >= 2.1's gufunc layout (svd's "(m,n)->(p)" with p found by the
   gufunc's process_core_dims_func, which only 2.1's headers show) */
#define NPY_NO_DEPRECATED_API NPY_1_25_API_VERSION
#undef NPY_TARGET_VERSION
#define NPY_TARGET_VERSION NPY_2_1_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/npy_math.h>
#include <numpy/ufuncobject.h>
#include "../_numpy/loop_swap.h"

#include "hostlib_lapack_stubs.h"

typedef const hostlib_lapack_lapack_table table_t;

/* ------------------------------------------------------------------ */
/* Types                                                               */
/* ------------------------------------------------------------------ */

enum { S = 0, D = 1, C = 2, Z = 3 }; /* float32, float64, complex64, complex128 */
static const size_t ESIZE[4] = {4, 8, 8, 16};
static const int REAL_OF[4] = {S, D, S, D};
static const int COMPLEX_OF[4] = {C, Z, C, Z};

/* a loop's answer about one matrix */
enum { DONE = 0, FAILED = 1, FALLBACK = 2 };

static int unavailable(ptrdiff_t info)
{
    return info == HOSTLIB_LAPACK_EUNAVAILABLE || info == HOSTLIB_LAPACK_ETOOLARGE || info == HOSTLIB_LAPACK_ENOMEM;
}

/* The typed entry calls: one small wrapper per entry and type, so the
   loops below are written once over a type index. */
/* LAPACK wants every leading dimension >= 1, also for an empty matrix */
#define LD(x) ((x) > 0 ? (x) : 1)

static ptrdiff_t getrf(table_t *t, int ty, ptrdiff_t n, void *a, ptrdiff_t *ipiv)
{
    switch (ty) {
    case S: return t->sgetrf(n, n, a, LD(n), ipiv);
    case D: return t->dgetrf(n, n, a, LD(n), ipiv);
    case C: return t->cgetrf(n, n, a, LD(n), ipiv);
    default: return t->zgetrf(n, n, a, LD(n), ipiv);
    }
}
static ptrdiff_t getrs(table_t *t, int ty, int tr, ptrdiff_t n, ptrdiff_t nrhs, const void *a, const ptrdiff_t *ipiv,
                       void *b)
{
    switch (ty) {
    case S: return t->sgetrs(tr, n, nrhs, a, LD(n), ipiv, b, LD(n));
    case D: return t->dgetrs(tr, n, nrhs, a, LD(n), ipiv, b, LD(n));
    case C: return t->cgetrs(tr, n, nrhs, a, LD(n), ipiv, b, LD(n));
    default: return t->zgetrs(tr, n, nrhs, a, LD(n), ipiv, b, LD(n));
    }
}
static ptrdiff_t getri(table_t *t, int ty, ptrdiff_t n, void *a, const ptrdiff_t *ipiv)
{
    switch (ty) {
    case S: return t->sgetri(n, a, LD(n), ipiv);
    case D: return t->dgetri(n, a, LD(n), ipiv);
    case C: return t->cgetri(n, a, LD(n), ipiv);
    default: return t->zgetri(n, a, LD(n), ipiv);
    }
}
static ptrdiff_t potrf(table_t *t, int ty, int uplo, ptrdiff_t n, void *a)
{
    switch (ty) {
    case S: return t->spotrf(uplo, n, a, LD(n));
    case D: return t->dpotrf(uplo, n, a, LD(n));
    case C: return t->cpotrf(uplo, n, a, LD(n));
    default: return t->zpotrf(uplo, n, a, LD(n));
    }
}
static ptrdiff_t geqrf(table_t *t, int ty, ptrdiff_t m, ptrdiff_t n, void *a, void *tau)
{
    switch (ty) {
    case S: return t->sgeqrf(m, n, a, LD(m), tau);
    case D: return t->dgeqrf(m, n, a, LD(m), tau);
    case C: return t->cgeqrf(m, n, a, LD(m), tau);
    default: return t->zgeqrf(m, n, a, LD(m), tau);
    }
}
static ptrdiff_t orgqr(table_t *t, int ty, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, void *a, const void *tau)
{
    switch (ty) {
    case S: return t->sorgqr(m, n, k, a, LD(m), tau);
    case D: return t->dorgqr(m, n, k, a, LD(m), tau);
    case C: return t->cungqr(m, n, k, a, LD(m), tau);
    default: return t->zungqr(m, n, k, a, LD(m), tau);
    }
}
static ptrdiff_t evd(table_t *t, int ty, int jobz, int uplo, ptrdiff_t n, void *a, void *w)
{
    switch (ty) {
    case S: return t->ssyevd(jobz, uplo, n, a, LD(n), w);
    case D: return t->dsyevd(jobz, uplo, n, a, LD(n), w);
    case C: return t->cheevd(jobz, uplo, n, a, LD(n), w);
    default: return t->zheevd(jobz, uplo, n, a, LD(n), w);
    }
}
static ptrdiff_t gesdd(table_t *t, int ty, int jobz, ptrdiff_t m, ptrdiff_t n, void *a, void *s, void *u,
                       ptrdiff_t ldu, void *vt, ptrdiff_t ldvt)
{
    switch (ty) {
    case S: return t->sgesdd(jobz, m, n, a, LD(m), s, u, ldu, vt, ldvt);
    case D: return t->dgesdd(jobz, m, n, a, LD(m), s, u, ldu, vt, ldvt);
    case C: return t->cgesdd(jobz, m, n, a, LD(m), s, u, ldu, vt, ldvt);
    default: return t->zgesdd(jobz, m, n, a, LD(m), s, u, ldu, vt, ldvt);
    }
}
static ptrdiff_t gelsd(table_t *t, int ty, ptrdiff_t m, ptrdiff_t n, ptrdiff_t nrhs, void *a, void *b, ptrdiff_t ldb,
                       void *s, double rcond, ptrdiff_t *rank)
{
    switch (ty) {
    case S: return t->sgelsd(m, n, nrhs, a, LD(m), b, ldb, s, (float)rcond, rank);
    case D: return t->dgelsd(m, n, nrhs, a, LD(m), b, ldb, s, rcond, rank);
    case C: return t->cgelsd(m, n, nrhs, a, LD(m), b, ldb, s, (float)rcond, rank);
    default: return t->zgelsd(m, n, nrhs, a, LD(m), b, ldb, s, rcond, rank);
    }
}

/* ------------------------------------------------------------------ */
/* Copies between numpy's strided matrices and column-major buffers   */
/* ------------------------------------------------------------------ */

typedef struct {
    uint64_t lo, hi;
} u128;

#define COPY_IN(U)                                                                                  \
    for (npy_intp j = 0; j < cols; j++) {                                                           \
        U *d = (U *)dst + j * ld;                                                                   \
        const char *s = src + j * cs;                                                               \
        for (npy_intp i = 0; i < rows; i++) {                                                       \
            memcpy(&d[i], s + i * rs, sizeof(U));                                                   \
        }                                                                                           \
    }

/* dst[i + j*ld] = src[i*rs + j*cs] (strides in bytes) */
static void linearize(void *dst, npy_intp ld, const char *src, npy_intp rows, npy_intp cols, npy_intp rs, npy_intp cs,
                      size_t es)
{
    if (rs == (npy_intp)es && rows * (npy_intp)es >= 256) { /* long contiguous columns: one copy each */
        for (npy_intp j = 0; j < cols; j++) {
            memcpy((char *)dst + (size_t)j * ld * es, src + j * cs, (size_t)rows * es);
        }
        return;
    }
    switch (es) {
    case 4: COPY_IN(uint32_t) break;
    case 8: COPY_IN(uint64_t) break;
    default: COPY_IN(u128) break;
    }
}

#define COPY_OUT(U)                                                                                 \
    for (npy_intp j = 0; j < cols; j++) {                                                           \
        const U *s = (const U *)src + j * ld;                                                       \
        char *d = dst + j * cs;                                                                     \
        for (npy_intp i = 0; i < rows; i++) {                                                       \
            memcpy(d + i * rs, &s[i], sizeof(U));                                                   \
        }                                                                                           \
    }

/* dst[i*rs + j*cs] = src[i + j*ld] */
static void delinearize(char *dst, npy_intp rs, npy_intp cs, const void *src, npy_intp ld, npy_intp rows,
                        npy_intp cols, size_t es)
{
    if (rs == (npy_intp)es && rows * (npy_intp)es >= 256) {
        for (npy_intp j = 0; j < cols; j++) {
            memcpy(dst + j * cs, (const char *)src + (size_t)j * ld * es, (size_t)rows * es);
        }
        return;
    }
    switch (es) {
    case 4: COPY_OUT(uint32_t) break;
    case 8: COPY_OUT(uint64_t) break;
    default: COPY_OUT(u128) break;
    }
}

/* every element of a strided rows x cols matrix of type ty: NaN (+NaN i) */
static void nan_matrix(char *dst, npy_intp rows, npy_intp cols, npy_intp rs, npy_intp cs, int ty)
{
    for (npy_intp j = 0; j < cols; j++) {
        for (npy_intp i = 0; i < rows; i++) {
            char *p = dst + i * rs + j * cs;
            if (ty == S || ty == C) {
                const float v[2] = {NPY_NANF, NPY_NANF};
                memcpy(p, v, ty == S ? 4 : 8);
            } else {
                const double v[2] = {NPY_NAN, NPY_NAN};
                memcpy(p, v, ty == D ? 8 : 16);
            }
        }
    }
}

/* the zero of type ty written over the triangle strictly above (upper=1)
   or below the diagonal of a column-major n x n buffer */
static void zero_triangle(void *a, npy_intp n, int upper, size_t es)
{
    char *p = a;
    for (npy_intp j = 0; j < n; j++) {
        if (upper) {
            memset(p + (size_t)j * n * es, 0, (size_t)j * es);
        } else if (j + 1 < n) {
            memset(p + ((size_t)j * n + j + 1) * es, 0, (size_t)(n - j - 1) * es);
        }
    }
}

/* Whether a square matrix with these strides is stored by rows (numpy's
   C order): its column-major copy is then cheapest as the transpose (a
   copy of whole rows), and det, slogdet, solve, inv and cholesky compute
   with A^T instead (det A^T = det A; A x = b is (A^T)^T x = b, getrs
   transposed; inv(A^T) = inv(A)^T, written back transposed; A = L L^T
   from A's lower triangle is A^T = U^T U from A^T's upper one, U = L^T). */
static int by_rows(npy_intp rs, npy_intp cs, size_t es)
{
    return cs == (npy_intp)es && rs != (npy_intp)es;
}

/* ------------------------------------------------------------------ */
/* numpy's loops: the rows this module serves, and the fallback       */
/* ------------------------------------------------------------------ */

/* a row: one loop of numpy.linalg._umath_linalg hostlib serves (loop_swap.h) */
typedef hostlib_loop_row numpy_loop;

/* The rest of the call, from outer index `from`, done by numpy's loop. */
static void fallback(const numpy_loop *l, char **args, const npy_intp *dims, const npy_intp *steps, npy_intp from)
{
    char *moved[HOSTLIB_LOOP_MAX_ARGS];
    npy_intp d[8];
    for (int k = 0; k < l->nargs; k++) {
        moved[k] = args[k] + from * steps[k];
    }
    d[0] = dims[0] - from;
    for (int k = 1; k < 8; k++) {
        d[k] = dims[k];
    }
    l->found(moved, d, steps, l->found_data);
}

/* Each loop is one function per (gufunc, type) below, with the row of
   numpy_loops it serves; `body` computes matrix number `i` of the call
   and answers DONE, FAILED (its outputs NaN: the invalid flag is raised
   once at the end) or FALLBACK. */
typedef struct {
    char **args;
    const npy_intp *dims, *steps;
    table_t *tab;
    int ty;    /* the type of the matrix the entries compute in */
    void *buf; /* scratch, sized by the loop */
} call_t;

/* ------------------------------------------------------------------ */
/* LU: det, slogdet, inv, solve, solve1                               */
/* ------------------------------------------------------------------ */

/* sign and log|det| from getrf's factors (info 0), numpy's way: real
   sign +-1, complex sign a unit number, and the log of the product of the
   diagonal's magnitudes as a sum of logs */
static void slogdet_factored(int ty, const void *lu, npy_intp n, const ptrdiff_t *ipiv, double complex *sign,
                             double *logdet)
{
    int flips = 0;
    for (npy_intp i = 0; i < n; i++) {
        flips ^= ipiv[i] != i + 1;
    }
    double acc = 0.0;
    if (ty == S || ty == D) {
        double sg = flips ? -1.0 : 1.0;
        for (npy_intp i = 0; i < n; i++) {
            double d = ty == S ? (double)((const float *)lu)[i * (n + 1)] : ((const double *)lu)[i * (n + 1)];
            if (d < 0) {
                sg = -sg;
                d = -d;
            }
            acc += ty == S ? (double)logf((float)d) : log(d);
        }
        *sign = sg;
    } else {
        double complex sg = flips ? -1.0 : 1.0;
        for (npy_intp i = 0; i < n; i++) {
            double complex d;
            double ad;
            if (ty == C) {
                const float *p = (const float *)lu + 2 * i * (n + 1);
                float complex f = CMPLXF(p[0], p[1]);
                float af = cabsf(f);
                f = f / af;
                d = f;
                ad = logf(af);
                sg = (double complex)((float complex)sg * f);
            } else {
                const double *p = (const double *)lu + 2 * i * (n + 1);
                d = CMPLX(p[0], p[1]);
                double a = cabs(d);
                sg = sg * (d / a);
                ad = log(a);
            }
            acc += ad;
        }
        *sign = sg;
    }
    *logdet = acc;
}

/* the real determinant from getrf's factors (info 0): its sign and
   |det| = mant * 2^ex, the diagonal's product kept in range by splitting
   off exponents (no overflow or underflow on the way, one rounding per
   factor, no logarithms) */
static void real_det_factored(int ty, const void *lu, npy_intp n, const ptrdiff_t *ipiv, double *sign, double *mant,
                              int *ex)
{
    int flips = 0;
    for (npy_intp i = 0; i < n; i++) {
        flips ^= ipiv[i] != i + 1;
    }
    double sg = flips ? -1.0 : 1.0, m = 1.0;
    int e = 0;
    for (npy_intp i = 0; i < n; i++) {
        double d = ty == S ? (double)((const float *)lu)[i * (n + 1)] : ((const double *)lu)[i * (n + 1)];
        if (d < 0) {
            sg = -sg;
            d = -d;
        }
        int k;
        m *= frexp(d, &k); /* in [0.5, 1): m falls at most by half per factor */
        e += k;
        if (m < 0x1p-256) {
            m = frexp(m, &k);
            e += k;
        }
    }
    *sign = sg;
    *mant = m;
    *ex = e;
}

static void put_scalar(char *p, int ty, double complex v)
{
    switch (ty) {
    case S: *(float *)p = (float)creal(v); break;
    case D: *(double *)p = creal(v); break;
    case C: {
        const float f[2] = {(float)creal(v), (float)cimag(v)};
        memcpy(p, f, 8);
        break;
    }
    default: {
        const double f[2] = {creal(v), cimag(v)};
        memcpy(p, f, 16);
        break;
    }
    }
}

/* det (is_det) or slogdet of matrix i */
static int det_body(call_t *c, npy_intp i, int is_det)
{
    const npy_intp n = c->dims[1];
    const npy_intp *st = c->steps;
    const int nargs = is_det ? 2 : 3;
    const size_t es = ESIZE[c->ty];
    ptrdiff_t *ipiv = c->buf;
    void *a = ipiv + n;
    const npy_intp rs = st[nargs], cs = st[nargs + 1];
    if (by_rows(rs, cs, es)) { /* det A^T = det A */
        linearize(a, n, c->args[0] + i * st[0], n, n, cs, rs, es);
    } else {
        linearize(a, n, c->args[0] + i * st[0], n, n, rs, cs, es);
    }
    const ptrdiff_t info = getrf(c->tab, c->ty, n, a, ipiv);
    if (unavailable(info)) {
        return FALLBACK;
    }
    if (info == 0 && (c->ty == S || c->ty == D)) {
        double sg, mant;
        int ex;
        real_det_factored(c->ty, a, n, ipiv, &sg, &mant, &ex);
        if (is_det) {
            put_scalar(c->args[1] + i * st[1], c->ty, sg * ldexp(mant, ex));
        } else {
            put_scalar(c->args[1] + i * st[1], c->ty, sg);
            put_scalar(c->args[2] + i * st[2], c->ty, log(mant) + ex * 0.69314718055994530942);
        }
        return DONE;
    }
    double complex sign;
    double logdet;
    if (info == 0) {
        slogdet_factored(c->ty, a, n, ipiv, &sign, &logdet);
    } else if (info > 0) {
        sign = 0.0;
        logdet = -NPY_INFINITY;
    } else {
        sign = NPY_NAN;
        logdet = NPY_NAN;
    }
    if (is_det) {
        double complex det;
        if (c->ty == S) {
            det = (float)creal(sign) * expf((float)logdet);
        } else if (c->ty == C) {
            det = (double complex)((float complex)sign * expf((float)logdet));
        } else {
            det = sign * exp(logdet);
        }
        put_scalar(c->args[1] + i * st[1], c->ty, det);
    } else {
        put_scalar(c->args[1] + i * st[1], c->ty, sign);
        put_scalar(c->args[2] + i * st[2], REAL_OF[c->ty], logdet);
    }
    return info < 0 ? FAILED : DONE;
}

static int inv_body(call_t *c, npy_intp i)
{
    const npy_intp n = c->dims[1];
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty];
    ptrdiff_t *ipiv = c->buf;
    void *a = ipiv + n;
    const int tr = by_rows(st[2], st[3], es); /* inv(A^T) = inv(A)^T */
    linearize(a, n, c->args[0] + i * st[0], n, n, st[2 + tr], st[3 - tr], es);
    ptrdiff_t info = getrf(c->tab, c->ty, n, a, ipiv);
    if (info == 0) {
        info = getri(c->tab, c->ty, n, a, ipiv);
    }
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *out = c->args[1] + i * st[1];
    if (info != 0) {
        nan_matrix(out, n, n, st[4], st[5], c->ty);
        return FAILED;
    }
    delinearize(out, st[4 + tr], st[5 - tr], a, n, n, n, es);
    return DONE;
}

/* solve ((m,m),(m,n)->(m,n)) or solve1 ((m,m),(m)->(m)) */
static int solve_body(call_t *c, npy_intp i, int one)
{
    const npy_intp n = c->dims[1], nrhs = one ? 1 : c->dims[2];
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty];
    ptrdiff_t *ipiv = c->buf;
    char *a = (char *)(ipiv + n);
    char *b = a + (size_t)n * n * es;
    /* core steps: a (2), b (2 or 1), out (2 or 1) */
    const npy_intp *sa = st + 3, *sb = st + 5, *so = st + (one ? 6 : 7);
    const int tr = by_rows(sa[0], sa[1], es); /* A x = b as (A^T)^T x = b */
    linearize(a, n, c->args[0] + i * st[0], n, n, sa[tr], sa[1 - tr], es);
    linearize(b, n, c->args[1] + i * st[1], n, nrhs, sb[0], one ? 0 : sb[1], es);
    ptrdiff_t info = getrf(c->tab, c->ty, n, a, ipiv);
    if (info == 0) {
        info = getrs(c->tab, c->ty, tr ? HOSTLIB_LAPACK_TRANS : HOSTLIB_LAPACK_NOTRANS, n, nrhs, a, ipiv, b);
    }
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *out = c->args[2] + i * st[2];
    if (info != 0) {
        nan_matrix(out, n, nrhs, so[0], one ? 0 : so[1], c->ty);
        return FAILED;
    }
    delinearize(out, so[0], one ? 0 : so[1], b, n, n, nrhs, es);
    return DONE;
}

/* ------------------------------------------------------------------ */
/* Cholesky, eigh, eigvalsh                                           */
/* ------------------------------------------------------------------ */

static int cholesky_body(call_t *c, npy_intp i, int uplo)
{
    const npy_intp n = c->dims[1];
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty];
    void *a = c->buf;
    /* by rows: the other triangle of A^T, the factor written back transposed */
    const int tr = by_rows(st[2], st[3], es);
    if (tr) {
        uplo = uplo == HOSTLIB_LAPACK_LOWER ? HOSTLIB_LAPACK_UPPER : HOSTLIB_LAPACK_LOWER;
    }
    linearize(a, n, c->args[0] + i * st[0], n, n, st[2 + tr], st[3 - tr], es);
    const ptrdiff_t info = potrf(c->tab, c->ty, uplo, n, a);
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *out = c->args[1] + i * st[1];
    if (info != 0) {
        nan_matrix(out, n, n, st[4], st[5], c->ty);
        return FAILED;
    }
    zero_triangle(a, n, uplo == HOSTLIB_LAPACK_LOWER, es);
    delinearize(out, st[4 + tr], st[5 - tr], a, n, n, n, es);
    return DONE;
}

/* eigh ((m,m)->(m),(m,m)) or eigvalsh ((m,m)->(m)) */
static int eigh_body(call_t *c, npy_intp i, int uplo, int vectors)
{
    const npy_intp n = c->dims[1];
    const npy_intp *st = c->steps;
    const int nargs = vectors ? 3 : 2;
    const size_t es = ESIZE[c->ty], rs = ESIZE[REAL_OF[c->ty]];
    char *a = c->buf, *w = a + (size_t)n * n * es;
    linearize(a, n, c->args[0] + i * st[0], n, n, st[nargs], st[nargs + 1], es);
    const ptrdiff_t info = evd(c->tab, c->ty, vectors ? HOSTLIB_LAPACK_VECTORS : HOSTLIB_LAPACK_NOVECTORS, uplo, n, a,
                               w);
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *wo = c->args[1] + i * st[1];
    const npy_intp ws = st[nargs + 2];
    char *vo = vectors ? c->args[2] + i * st[2] : NULL;
    if (info != 0) {
        nan_matrix(wo, n, 1, ws, 0, REAL_OF[c->ty]);
        if (vectors) {
            nan_matrix(vo, n, n, st[nargs + 3], st[nargs + 4], c->ty);
        }
        return FAILED;
    }
    delinearize(wo, ws, 0, w, n, n, 1, rs);
    if (vectors) {
        delinearize(vo, st[nargs + 3], st[nargs + 4], a, n, n, n, es);
    }
    return DONE;
}

/* ------------------------------------------------------------------ */
/* SVD: svd ((m,n)->(p)), svd_s ((m,n)->(m,p),(p),(p,n)), svd_f       */
/* ((m,n)->(m,m),(p),(n,n))                                           */
/* ------------------------------------------------------------------ */

static int svd_body(call_t *c, npy_intp i, int jobz)
{
    const npy_intp m = c->dims[1], n = c->dims[2], p = m < n ? m : n;
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty], rs = ESIZE[REAL_OF[c->ty]];
    const int nargs = jobz == HOSTLIB_LAPACK_SVD_NONE ? 2 : 4;
    const npy_intp ucols = jobz == HOSTLIB_LAPACK_SVD_ALL ? m : p, vrows = jobz == HOSTLIB_LAPACK_SVD_ALL ? n : p;
    char *a = c->buf, *s = a + (size_t)m * n * es, *u = s + (size_t)p * rs + 16, *vt = u + (size_t)m * ucols * es;
    u = (char *)(((uintptr_t)u + 15) & ~(uintptr_t)15);
    vt = u + (size_t)m * ucols * es;
    const npy_intp *sa = st + nargs;
    linearize(a, m, c->args[0] + i * st[0], m, n, sa[0], sa[1], es);
    ptrdiff_t info;
    if (jobz == HOSTLIB_LAPACK_SVD_NONE) {
        info = gesdd(c->tab, c->ty, jobz, m, n, a, s, u, 1, vt, 1);
    } else {
        info = gesdd(c->tab, c->ty, jobz, m, n, a, s, u, m, vt, vrows);
    }
    if (unavailable(info)) {
        return FALLBACK;
    }
    if (jobz == HOSTLIB_LAPACK_SVD_NONE) {
        char *so = c->args[1] + i * st[1];
        if (info != 0) {
            nan_matrix(so, p, 1, sa[2], 0, REAL_OF[c->ty]);
            return FAILED;
        }
        delinearize(so, sa[2], 0, s, p, p, 1, rs);
        return DONE;
    }
    /* core steps: a (2), u (2), s (1), vt (2) */
    char *uo = c->args[1] + i * st[1], *so = c->args[2] + i * st[2], *vo = c->args[3] + i * st[3];
    if (info != 0) {
        nan_matrix(uo, m, ucols, sa[2], sa[3], c->ty);
        nan_matrix(so, p, 1, sa[4], 0, REAL_OF[c->ty]);
        nan_matrix(vo, vrows, n, sa[5], sa[6], c->ty);
        return FAILED;
    }
    delinearize(uo, sa[2], sa[3], u, m, m, ucols, es);
    delinearize(so, sa[4], 0, s, p, p, 1, rs);
    delinearize(vo, sa[5], sa[6], vt, vrows, vrows, n, es);
    return DONE;
}

/* ------------------------------------------------------------------ */
/* QR: qr_r_raw ((m,n)->(p), the factors written back into the input, */
/* as numpy's loop does), qr_reduced ((m,n),(k)->(m,k)) and            */
/* qr_complete ((m,n),(n)->(m,m))                                      */
/* ------------------------------------------------------------------ */

static int qr_raw_body(call_t *c, npy_intp i)
{
    const npy_intp m = c->dims[1], n = c->dims[2], p = m < n ? m : n;
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty];
    char *a = c->buf, *tau = a + (size_t)m * n * es;
    char *in = c->args[0] + i * st[0], *to = c->args[1] + i * st[1];
    linearize(a, m, in, m, n, st[2], st[3], es);
    const ptrdiff_t info = geqrf(c->tab, c->ty, m, n, a, tau);
    if (unavailable(info)) {
        return FALLBACK;
    }
    if (info != 0) {
        nan_matrix(to, p, 1, st[4], 0, c->ty);
        return FAILED;
    }
    delinearize(in, st[2], st[3], a, m, m, n, es);
    delinearize(to, st[4], 0, tau, p, p, 1, es);
    return DONE;
}

static int qr_q_body(call_t *c, npy_intp i, int complete)
{
    const npy_intp m = c->dims[1], n = c->dims[2], k = c->dims[3]; /* tau's length */
    const npy_intp qc = complete ? m : k;                              /* Q's columns */
    const npy_intp *st = c->steps;
    const size_t es = ESIZE[c->ty];
    char *q = c->buf, *tau = q + (size_t)m * qc * es;
    const npy_intp ncopy = n < qc ? n : qc;
    memset(q, 0, (size_t)m * qc * es);
    linearize(q, m, c->args[0] + i * st[0], m, ncopy, st[3], st[4], es);
    linearize(tau, k, c->args[1] + i * st[1], k, 1, st[5], 0, es);
    const ptrdiff_t info = orgqr(c->tab, c->ty, m, qc, k < qc ? k : qc, q, tau);
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *out = c->args[2] + i * st[2];
    if (info != 0) {
        nan_matrix(out, m, qc, st[6], st[7], c->ty);
        return FAILED;
    }
    delinearize(out, st[6], st[7], q, m, m, qc, es);
    return DONE;
}

/* ------------------------------------------------------------------ */
/* eig ((m,m)->(m),(m,m)) and eigvals ((m,m)->(m))                    */
/* ------------------------------------------------------------------ */

static int eig_body(call_t *c, npy_intp i, int vectors)
{
    const npy_intp n = c->dims[1];
    const npy_intp *st = c->steps;
    const int ty = c->ty, nargs = vectors ? 3 : 2;
    const size_t es = ESIZE[ty];
    const int cty = COMPLEX_OF[ty];
    const int jv = vectors ? HOSTLIB_LAPACK_VECTORS : HOSTLIB_LAPACK_NOVECTORS;
    char *a = c->buf, *w = a + (size_t)n * n * es, *vr = w + (size_t)2 * n * es;
    /* vr: n x n of type ty */
    linearize(a, n, c->args[0] + i * st[0], n, n, st[nargs], st[nargs + 1], es);
    ptrdiff_t info;
    char dummy[16];
    switch (ty) {
    case S: info = c->tab->sgeev(HOSTLIB_LAPACK_NOVECTORS, jv, n, (float *)a, n, (float *)w, (float *)w + n,
                                 (float *)dummy, 1, (float *)vr, n);
        break;
    case D: info = c->tab->dgeev(HOSTLIB_LAPACK_NOVECTORS, jv, n, (double *)a, n, (double *)w, (double *)w + n,
                                 (double *)dummy, 1, (double *)vr, n);
        break;
    case C: info = c->tab->cgeev(HOSTLIB_LAPACK_NOVECTORS, jv, n, (hostlib_lapack_complex64 *)a, n,
                                 (hostlib_lapack_complex64 *)w, (hostlib_lapack_complex64 *)dummy, 1,
                                 (hostlib_lapack_complex64 *)vr, n);
        break;
    default: info = c->tab->zgeev(HOSTLIB_LAPACK_NOVECTORS, jv, n, (hostlib_lapack_complex128 *)a, n,
                                  (hostlib_lapack_complex128 *)w, (hostlib_lapack_complex128 *)dummy, 1,
                                  (hostlib_lapack_complex128 *)vr, n);
        break;
    }
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *wo = c->args[1] + i * st[1], *vo = vectors ? c->args[2] + i * st[2] : NULL;
    const npy_intp ws = st[nargs + 2];
    if (info != 0) {
        nan_matrix(wo, n, 1, ws, 0, cty);
        if (vectors) {
            nan_matrix(vo, n, n, st[nargs + 3], st[nargs + 4], cty);
        }
        return FAILED;
    }
    if (ty == C || ty == Z) {
        delinearize(wo, ws, 0, w, n, n, 1, es);
        if (vectors) {
            delinearize(vo, st[nargs + 3], st[nargs + 4], vr, n, n, n, es);
        }
        return DONE;
    }
    /* real: w = wr + i wi; a conjugate pair (j, j+1) has the vectors
       vr[:, j] +- i vr[:, j+1] */
#define REAL_EIG(R)                                                                                 \
    {                                                                                               \
        const R *wr = (const R *)w, *wi = wr + n, *v = (const R *)vr;                               \
        for (npy_intp j = 0; j < n; j++) {                                                          \
            const R z[2] = {wr[j], wi[j]};                                                          \
            memcpy(wo + j * ws, z, sizeof z);                                                       \
        }                                                                                           \
        for (npy_intp j = 0; vectors && j < n; j++) {                                              \
            const npy_intp rs_ = st[nargs + 3], cs_ = st[nargs + 4];                                \
            if (wi[j] != 0 && j + 1 < n) {                                                          \
                for (npy_intp r = 0; r < n; r++) {                                                  \
                    const R re = v[r + j * n], im = v[r + (j + 1) * n];                             \
                    const R z1[2] = {re, im}, z2[2] = {re, -im};                                    \
                    memcpy(vo + r * rs_ + j * cs_, z1, sizeof z1);                                  \
                    memcpy(vo + r * rs_ + (j + 1) * cs_, z2, sizeof z2);                            \
                }                                                                                   \
                j++;                                                                                \
            } else {                                                                                \
                for (npy_intp r = 0; r < n; r++) {                                                  \
                    const R z[2] = {v[r + j * n], 0};                                               \
                    memcpy(vo + r * rs_ + j * cs_, z, sizeof z);                                    \
                }                                                                               \
            }                                                                                       \
        }                                                                                           \
    }
    if (ty == S) {
        REAL_EIG(float)
    } else {
        REAL_EIG(double)
    }
#undef REAL_EIG
    return DONE;
}

/* ------------------------------------------------------------------ */
/* lstsq ((m,n),(m,nrhs),()->(n,nrhs),(nrhs),(),(p))                  */
/* ------------------------------------------------------------------ */

static int lstsq_body(call_t *c, npy_intp i)
{
    const npy_intp m = c->dims[1], n = c->dims[2], nrhs = c->dims[3], p = c->dims[4];
    const npy_intp ldb = m > n ? m : n;
    const npy_intp *st = c->steps; /* outer 7; a 7,8; b 9,10; x 11,12; resid 13; s 14 */
    const int ty = c->ty, rty = REAL_OF[ty];
    const size_t es = ESIZE[ty], rs = ESIZE[rty];
    char *a = c->buf, *b = a + (size_t)m * n * es, *s = b + (size_t)ldb * nrhs * es;
    linearize(a, m, c->args[0] + i * st[0], m, n, st[7], st[8], es);
    memset(b, 0, (size_t)ldb * nrhs * es);
    linearize(b, ldb, c->args[1] + i * st[1], m, nrhs, st[9], st[10], es);
    const char *rc = c->args[2] + i * st[2];
    const double rcond = rty == S ? (double)*(const float *)rc : *(const double *)rc;
    ptrdiff_t rank = -1;
    const ptrdiff_t info = gelsd(c->tab, ty, m, n, nrhs, a, b, ldb, s, rcond, &rank);
    if (unavailable(info)) {
        return FALLBACK;
    }
    char *xo = c->args[3] + i * st[3], *ro = c->args[4] + i * st[4], *so = c->args[6] + i * st[6];
    int *rank_out = (int *)(c->args[5] + i * st[5]);
    if (info != 0) {
        nan_matrix(xo, n, nrhs, st[11], st[12], ty);
        nan_matrix(ro, nrhs, 1, st[13], 0, rty);
        nan_matrix(so, p, 1, st[14], 0, rty);
        *rank_out = -1;
        return FAILED;
    }
    delinearize(xo, st[11], st[12], b, ldb, n, nrhs, es);
    *rank_out = (int)rank;
    delinearize(so, st[14], 0, s, p, p, 1, rs);
    /* the residuals: squared norms of the rows of B beyond n, where they
       mean something (full rank, more equations than unknowns); NaN else */
    if (m > n && rank == n) {
        for (npy_intp j = 0; j < nrhs; j++) {
            double acc = 0.0;
            for (npy_intp r = n; r < m; r++) {
                const char *e = b + ((size_t)j * ldb + r) * es;
                switch (ty) {
                case S: acc += (double)((const float *)e)[0] * ((const float *)e)[0]; break;
                case D: acc += ((const double *)e)[0] * ((const double *)e)[0]; break;
                case C: acc += (double)((const float *)e)[0] * ((const float *)e)[0]
                               + (double)((const float *)e)[1] * ((const float *)e)[1];
                    break;
                default: acc += ((const double *)e)[0] * ((const double *)e)[0]
                                + ((const double *)e)[1] * ((const double *)e)[1];
                    break;
                }
            }
            put_scalar(ro + j * st[13], rty, acc);
        }
    } else {
        nan_matrix(ro, nrhs, 1, st[13], 0, rty);
    }
    return DONE;
}

/* ------------------------------------------------------------------ */
/* The driver: one per gufunc kind, one function per (gufunc, type)   */
/* ------------------------------------------------------------------ */

typedef enum {
    K_DET, K_SLOGDET, K_INV, K_SOLVE, K_SOLVE1, K_CHOL_LO, K_CHOL_UP, K_EIGH_LO, K_EIGH_UP, K_EIGVALSH_LO,
    K_EIGVALSH_UP, K_SVD, K_SVD_S, K_SVD_F, K_EIG, K_EIGVALS, K_QR_RAW, K_QR_REDUCED, K_QR_COMPLETE, K_LSTSQ
} kind_t;

/* scratch bytes for one matrix of a call; 0 when a dimension is empty
   (numpy's loop then does the call: its conventions for empty matrices) */
static size_t scratch(kind_t k, const npy_intp *dims, int ty)
{
    const size_t es = ESIZE[ty], rs = ESIZE[REAL_OF[ty]];
    const size_t a = (size_t)dims[1], b = (size_t)dims[2];
    switch (k) {
    case K_DET: case K_SLOGDET: case K_INV:
        return a ? a * sizeof(ptrdiff_t) + a * a * es : 0;
    case K_SOLVE:
        return a && b ? a * sizeof(ptrdiff_t) + (a * a + a * b) * es : 0;
    case K_SOLVE1:
        return a ? a * sizeof(ptrdiff_t) + (a * a + a) * es : 0;
    case K_CHOL_LO: case K_CHOL_UP:
        return a ? a * a * es : 0;
    case K_EIGH_LO: case K_EIGH_UP: case K_EIGVALSH_LO: case K_EIGVALSH_UP:
        return a ? a * a * es + a * rs : 0;
    case K_SVD: case K_SVD_S: case K_SVD_F: {
        const size_t p = a < b ? a : b, big = a > b ? a : b;
        return p ? a * b * es + p * rs + 32 + (a * big + big * b) * es : 0;
    }
    case K_EIG: case K_EIGVALS:
        return a ? (a * a + 2 * a + a * a) * es : 0;
    case K_QR_RAW:
        return a && b ? (a * b + (a < b ? a : b)) * es : 0;
    case K_QR_REDUCED: case K_QR_COMPLETE: {
        const size_t kk = (size_t)dims[3];
        return a && b && kk ? (a * (k == K_QR_COMPLETE ? a : kk) + kk) * es : 0;
    }
    case K_LSTSQ: {
        const size_t nrhs = (size_t)dims[3], ldb = a > b ? a : b;
        return a && b && nrhs ? (a * b + ldb * nrhs) * es + (a < b ? a : b) * rs : 0;
    }
    }
    return 0;
}

static int body(kind_t k, call_t *c, npy_intp i)
{
    switch (k) {
    case K_DET: return det_body(c, i, 1);
    case K_SLOGDET: return det_body(c, i, 0);
    case K_INV: return inv_body(c, i);
    case K_SOLVE: return solve_body(c, i, 0);
    case K_SOLVE1: return solve_body(c, i, 1);
    case K_CHOL_LO: return cholesky_body(c, i, HOSTLIB_LAPACK_LOWER);
    case K_CHOL_UP: return cholesky_body(c, i, HOSTLIB_LAPACK_UPPER);
    case K_EIGH_LO: return eigh_body(c, i, HOSTLIB_LAPACK_LOWER, 1);
    case K_EIGH_UP: return eigh_body(c, i, HOSTLIB_LAPACK_UPPER, 1);
    case K_EIGVALSH_LO: return eigh_body(c, i, HOSTLIB_LAPACK_LOWER, 0);
    case K_EIGVALSH_UP: return eigh_body(c, i, HOSTLIB_LAPACK_UPPER, 0);
    case K_SVD: return svd_body(c, i, HOSTLIB_LAPACK_SVD_NONE);
    case K_SVD_S: return svd_body(c, i, HOSTLIB_LAPACK_SVD_REDUCED);
    case K_SVD_F: return svd_body(c, i, HOSTLIB_LAPACK_SVD_ALL);
    case K_EIG: return eig_body(c, i, 1);
    case K_EIGVALS: return eig_body(c, i, 0);
    case K_QR_RAW: return qr_raw_body(c, i);
    case K_QR_REDUCED: return qr_q_body(c, i, 0);
    case K_QR_COMPLETE: return qr_q_body(c, i, 1);
    case K_LSTSQ: return lstsq_body(c, i);
    }
    return FALLBACK;
}

static void drive(kind_t k, int ty, const numpy_loop *l, char **args, const npy_intp *dims, const npy_intp *steps)
{
    const npy_intp outer = dims[0];
    if (outer == 0) {
        return;
    }
    const size_t bytes = scratch(k, dims, ty);
    void *buf = bytes ? malloc(bytes) : NULL;
    if (buf == NULL) { /* an empty matrix, or no memory: numpy's loop */
        fallback(l, args, dims, steps, 0);
        return;
    }
    call_t c = {.args = args, .dims = dims, .steps = steps, .tab = hostlib_lapack_lapack_current(), .ty = ty,
                .buf = buf};
    /* as numpy's loops: the flags the routines raise on the way (a
       backend's scaling, its own NaN tests) are not the caller's; the
       invalid flag says that a matrix failed, or that it was set before */
    const int was_invalid = fetestexcept(FE_INVALID) != 0;
    feclearexcept(FE_ALL_EXCEPT);
    int failed = 0, fell_back = 0;
    for (npy_intp i = 0; i < outer; i++) {
        const int r = body(k, &c, i);
        if (r == FALLBACK) {
            feclearexcept(FE_ALL_EXCEPT);
            fallback(l, args, dims, steps, i); /* sets the flags its way */
            fell_back = 1;
            break;
        }
        failed |= r == FAILED;
    }
    free(buf);
    if (!fell_back) {
        feclearexcept(FE_ALL_EXCEPT);
    }
    if (failed || was_invalid) {
        feraiseexcept(FE_INVALID); /* what npy_set_floatstatus_invalid() does, without libnpymath */
    }
}

/* numpy_loops[] and one loop function per row */
#define ROWS(X)                                                                                     \
    X(slogdet, "f->ff", K_SLOGDET, S, 3, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                           \
    X(slogdet, "d->dd", K_SLOGDET, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                        \
    X(slogdet, "F->Ff", K_SLOGDET, C, 3, NPY_CFLOAT, NPY_CFLOAT, NPY_FLOAT)                         \
    X(slogdet, "D->Dd", K_SLOGDET, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_DOUBLE)                      \
    X(det, "f->f", K_DET, S, 2, NPY_FLOAT, NPY_FLOAT)                                               \
    X(det, "d->d", K_DET, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                             \
    X(det, "F->F", K_DET, C, 2, NPY_CFLOAT, NPY_CFLOAT)                                             \
    X(det, "D->D", K_DET, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                                           \
    X(eigh_lo, "f->ff", K_EIGH_LO, S, 3, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                           \
    X(eigh_lo, "d->dd", K_EIGH_LO, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                        \
    X(eigh_lo, "F->fF", K_EIGH_LO, C, 3, NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT)                         \
    X(eigh_lo, "D->dD", K_EIGH_LO, Z, 3, NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE)                      \
    X(eigh_up, "f->ff", K_EIGH_UP, S, 3, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                           \
    X(eigh_up, "d->dd", K_EIGH_UP, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                        \
    X(eigh_up, "F->fF", K_EIGH_UP, C, 3, NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT)                         \
    X(eigh_up, "D->dD", K_EIGH_UP, Z, 3, NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE)                      \
    X(eigvalsh_lo, "f->f", K_EIGVALSH_LO, S, 2, NPY_FLOAT, NPY_FLOAT)                               \
    X(eigvalsh_lo, "d->d", K_EIGVALSH_LO, D, 2, NPY_DOUBLE, NPY_DOUBLE)                             \
    X(eigvalsh_lo, "F->f", K_EIGVALSH_LO, C, 2, NPY_CFLOAT, NPY_FLOAT)                              \
    X(eigvalsh_lo, "D->d", K_EIGVALSH_LO, Z, 2, NPY_CDOUBLE, NPY_DOUBLE)                            \
    X(eigvalsh_up, "f->f", K_EIGVALSH_UP, S, 2, NPY_FLOAT, NPY_FLOAT)                               \
    X(eigvalsh_up, "d->d", K_EIGVALSH_UP, D, 2, NPY_DOUBLE, NPY_DOUBLE)                             \
    X(eigvalsh_up, "F->f", K_EIGVALSH_UP, C, 2, NPY_CFLOAT, NPY_FLOAT)                              \
    X(eigvalsh_up, "D->d", K_EIGVALSH_UP, Z, 2, NPY_CDOUBLE, NPY_DOUBLE)                            \
    X(solve, "ff->f", K_SOLVE, S, 3, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                               \
    X(solve, "dd->d", K_SOLVE, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                            \
    X(solve, "FF->F", K_SOLVE, C, 3, NPY_CFLOAT, NPY_CFLOAT, NPY_CFLOAT)                            \
    X(solve, "DD->D", K_SOLVE, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)                         \
    X(solve1, "ff->f", K_SOLVE1, S, 3, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                             \
    X(solve1, "dd->d", K_SOLVE1, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                          \
    X(solve1, "FF->F", K_SOLVE1, C, 3, NPY_CFLOAT, NPY_CFLOAT, NPY_CFLOAT)                          \
    X(solve1, "DD->D", K_SOLVE1, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)                       \
    X(inv, "f->f", K_INV, S, 2, NPY_FLOAT, NPY_FLOAT)                                               \
    X(inv, "d->d", K_INV, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                             \
    X(inv, "F->F", K_INV, C, 2, NPY_CFLOAT, NPY_CFLOAT)                                             \
    X(inv, "D->D", K_INV, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                                           \
    X(cholesky_lo, "f->f", K_CHOL_LO, S, 2, NPY_FLOAT, NPY_FLOAT)                                   \
    X(cholesky_lo, "d->d", K_CHOL_LO, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                 \
    X(cholesky_lo, "F->F", K_CHOL_LO, C, 2, NPY_CFLOAT, NPY_CFLOAT)                                 \
    X(cholesky_lo, "D->D", K_CHOL_LO, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                               \
    X(cholesky_up, "f->f", K_CHOL_UP, S, 2, NPY_FLOAT, NPY_FLOAT)                                   \
    X(cholesky_up, "d->d", K_CHOL_UP, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                 \
    X(cholesky_up, "F->F", K_CHOL_UP, C, 2, NPY_CFLOAT, NPY_CFLOAT)                                 \
    X(cholesky_up, "D->D", K_CHOL_UP, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                               \
    X(svd, "f->f", K_SVD, S, 2, NPY_FLOAT, NPY_FLOAT)                                               \
    X(svd, "d->d", K_SVD, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                             \
    X(svd, "F->f", K_SVD, C, 2, NPY_CFLOAT, NPY_FLOAT)                                              \
    X(svd, "D->d", K_SVD, Z, 2, NPY_CDOUBLE, NPY_DOUBLE)                                            \
    X(svd_s, "f->fff", K_SVD_S, S, 4, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                   \
    X(svd_s, "d->ddd", K_SVD_S, D, 4, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)               \
    X(svd_s, "F->FfF", K_SVD_S, C, 4, NPY_CFLOAT, NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT)                \
    X(svd_s, "D->DdD", K_SVD_S, Z, 4, NPY_CDOUBLE, NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE)            \
    X(svd_f, "f->fff", K_SVD_F, S, 4, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT)                   \
    X(svd_f, "d->ddd", K_SVD_F, D, 4, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)               \
    X(svd_f, "F->FfF", K_SVD_F, C, 4, NPY_CFLOAT, NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT)                \
    X(svd_f, "D->DdD", K_SVD_F, Z, 4, NPY_CDOUBLE, NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE)            \
    X(eig, "f->FF", K_EIG, S, 3, NPY_FLOAT, NPY_CFLOAT, NPY_CFLOAT)                                 \
    X(eig, "d->DD", K_EIG, D, 3, NPY_DOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)                              \
    X(eig, "D->DD", K_EIG, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)                             \
    X(eigvals, "f->F", K_EIGVALS, S, 2, NPY_FLOAT, NPY_CFLOAT)                                      \
    X(eigvals, "d->D", K_EIGVALS, D, 2, NPY_DOUBLE, NPY_CDOUBLE)                                    \
    X(eigvals, "D->D", K_EIGVALS, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                                   \
    X(qr_r_raw, "d->d", K_QR_RAW, D, 2, NPY_DOUBLE, NPY_DOUBLE)                                     \
    X(qr_r_raw, "D->D", K_QR_RAW, Z, 2, NPY_CDOUBLE, NPY_CDOUBLE)                                   \
    X(qr_reduced, "dd->d", K_QR_REDUCED, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                  \
    X(qr_reduced, "DD->D", K_QR_REDUCED, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)               \
    X(qr_complete, "dd->d", K_QR_COMPLETE, D, 3, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE)                \
    X(qr_complete, "DD->D", K_QR_COMPLETE, Z, 3, NPY_CDOUBLE, NPY_CDOUBLE, NPY_CDOUBLE)             \
    X(lstsq, "fff->ffif", K_LSTSQ, S, 7, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,      \
      NPY_INT, NPY_FLOAT)                                                                           \
    X(lstsq, "ddd->ddid", K_LSTSQ, D, 7, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, \
      NPY_INT, NPY_DOUBLE)                                                                          \
    X(lstsq, "FFf->Ffif", K_LSTSQ, C, 7, NPY_CFLOAT, NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT, NPY_FLOAT,  \
      NPY_INT, NPY_FLOAT)                                                                           \
    X(lstsq, "DDd->Ddid", K_LSTSQ, Z, 7, NPY_CDOUBLE, NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE,         \
      NPY_DOUBLE, NPY_INT, NPY_DOUBLE)

#define ROW_ENUM(u, types, k, ty, ...) ROW_##u##_##ty,
enum { ROWS(ROW_ENUM) N_ROWS };

static numpy_loop numpy_loops[N_ROWS];

/* one loop function per row: (gufunc, type) is unique */
#define DEFINE_LOOP(u, types, k, ty, ...)                                                           \
    static void loop_##u##_##ty(char **args, const npy_intp *dims, const npy_intp *steps, void *Py_UNUSED(data)) \
    {                                                                                               \
        drive(k, ty, &numpy_loops[ROW_##u##_##ty], args, dims, steps);                              \
    }
ROWS(DEFINE_LOOP)

#define ROW_INIT(u, types, k, ty, nargs, ...) {#u, types, nargs, {__VA_ARGS__}, loop_##u##_##ty, NULL, NULL, NULL},
static const numpy_loop numpy_loops_init[N_ROWS] = {ROWS(ROW_INIT)};

/* ------------------------------------------------------------------ */
/* Swapping numpy.linalg's loops                                       */
/* ------------------------------------------------------------------ */

static hostlib_loop_set numpy_linalg = {"numpy.linalg._umath_linalg", "numpy.linalg", numpy_loops, N_ROWS, NULL};

static PyObject *loop_owner(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_owner(&numpy_linalg, args);
}

static PyObject *loop_install(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_install(&numpy_linalg, args);
}

static PyObject *loop_uninstall(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_uninstall(&numpy_linalg, args);
}

/* hostlib.linalg's own gufuncs: numpy's names, signatures and loop types,
   the loops above (their fallback is numpy's loop all the same) */
static PyObject *make_gufuncs(void)
{
    PyObject *d = PyDict_New();
    for (int i = 0; d != NULL && i < N_ROWS;) {
        const numpy_loop *first = &numpy_loops[i];
        int n = 0;
        while (i + n < N_ROWS && strcmp(numpy_loops[i + n].ufunc, first->ufunc) == 0) {
            n++;
        }
        /* kept for the life of the process, as the gufunc keeps pointers to them */
        PyUFuncGenericFunction *funcs = PyMem_RawMalloc(n * sizeof *funcs);
        void **data = PyMem_RawCalloc(n, sizeof *data);
        char *types = PyMem_RawMalloc((size_t)n * first->nargs);
        PyObject *numpy_u = PyObject_GetAttrString(numpy_linalg.module, first->ufunc);
        PyObject *sig = numpy_u ? PyObject_GetAttrString(numpy_u, "signature") : NULL;
        const char *sigs = sig ? PyUnicode_AsUTF8(sig) : NULL;
        if (funcs == NULL || data == NULL || types == NULL || sigs == NULL) {
            Py_XDECREF(numpy_u);
            Py_XDECREF(sig);
            Py_CLEAR(d);
            return PyErr_Occurred() ? NULL : PyErr_NoMemory();
        }
        for (int k = 0; k < n; k++) {
            funcs[k] = numpy_loops[i + k].loop;
            for (int a = 0; a < first->nargs; a++) {
                types[k * first->nargs + a] = (char)numpy_loops[i + k].signature[a];
            }
        }
        const int nin = ((PyUFuncObject *)numpy_u)->nin;
        char *sig_copy = PyMem_RawMalloc(strlen(sigs) + 1), *doc = PyMem_RawMalloc(128);
        if (sig_copy == NULL || doc == NULL) {
            Py_DECREF(numpy_u);
            Py_DECREF(sig);
            Py_CLEAR(d);
            return PyErr_NoMemory();
        }
        strcpy(sig_copy, sigs);
        snprintf(doc, 128, "numpy.linalg's %s gufunc, computed by hostlib's active lapack table.", first->ufunc);
        PyObject *g = PyUFunc_FromFuncAndDataAndSignature(funcs, data, types, n, nin, first->nargs - nin,
                                                          PyUFunc_None, first->ufunc, doc, 0, sig_copy);
        if (g != NULL) { /* p = min(m, n) and the like: numpy's own rule for its gufunc */
            ((PyUFuncObject *)g)->process_core_dims_func = ((PyUFuncObject *)numpy_u)->process_core_dims_func;
        }
        Py_DECREF(numpy_u);
        Py_DECREF(sig);
        if (g == NULL || PyDict_SetItemString(d, first->ufunc, g) < 0) {
            Py_XDECREF(g);
            Py_CLEAR(d);
            return NULL;
        }
        Py_DECREF(g);
        i += n;
    }
    return d;
}

/* Whether each entry of the active table computes, asked with empty
   matrices (a size LAPACK returns from at once): a stub answers
   HOSTLIB_LAPACK_EUNAVAILABLE whatever the size. */
static PyObject *available(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    table_t *t = hostlib_lapack_lapack_current();
    double z[4] = {0, 0, 0, 0}, s[4] = {0, 0, 0, 0}, u[4] = {0, 0, 0, 0};
    ptrdiff_t ipiv[2] = {1, 1}, rank = 0;
    PyObject *d = PyDict_New();
    static const char letters[] = "sdcz";
    for (int ty = 0; d != NULL && ty < 4; ty++) {
        struct {
            const char *name;
            ptrdiff_t info;
        } rows[] = {
            {"getrf", getrf(t, ty, 0, z, ipiv)},
            {"getrs", getrs(t, ty, HOSTLIB_LAPACK_NOTRANS, 0, 0, z, ipiv, u)},
            {"getri", getri(t, ty, 0, z, ipiv)},
            {"potrf", potrf(t, ty, HOSTLIB_LAPACK_LOWER, 0, z)},
            {"geqrf", geqrf(t, ty, 0, 0, z, s)},
            {ty < C ? "orgqr" : "ungqr", orgqr(t, ty, 0, 0, 0, z, s)},
            {ty < C ? "syevd" : "heevd", evd(t, ty, HOSTLIB_LAPACK_NOVECTORS, HOSTLIB_LAPACK_LOWER, 0, z, s)},
            {"gesdd", gesdd(t, ty, HOSTLIB_LAPACK_SVD_NONE, 0, 0, z, s, u, 1, u, 1)},
            {"gelsd", gelsd(t, ty, 0, 0, 0, z, u, 1, s, -1.0, &rank)},
            {"geev", ty == S ? t->sgeev(0, 0, 0, (float *)z, 1, (float *)s, (float *)s, (float *)u, 1, (float *)u, 1)
                     : ty == D ? t->dgeev(0, 0, 0, z, 1, s, s, u, 1, u, 1)
                     : ty == C ? t->cgeev(0, 0, 0, (void *)z, 1, (void *)s, (void *)u, 1, (void *)u, 1)
                               : t->zgeev(0, 0, 0, (void *)z, 1, (void *)s, (void *)u, 1, (void *)u, 1)},
        };
        for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
            char name[16];
            snprintf(name, sizeof name, "%c%s", letters[ty], rows[r].name);
            if (PyDict_SetItemString(d, name, unavailable(rows[r].info) ? Py_False : Py_True) < 0) {
                Py_CLEAR(d);
                break;
            }
        }
    }
    return d;
}

static PyMethodDef methods[] = {
    {"available", available, METH_NOARGS,
     "available() -> dict: entry name -> whether the active lapack table computes it (False: it answers "
     "unavailable, and numpy's loop computes)."},
    {"loop_owner", loop_owner, METH_VARARGS,
     "loop_owner(ufunc, types) -> 'hostlib' | 'numpy' | 'other': whose loop numpy.linalg's gufunc runs."},
    {"loop_install", loop_install, METH_VARARGS,
     "loop_install(ufunc, types) -> bool: numpy.linalg's gufunc runs hostlib's loop (False if it did already)."},
    {"loop_uninstall", loop_uninstall, METH_VARARGS,
     "loop_uninstall(ufunc, types) -> bool: put back the loop hostlib's replaced (False if hostlib's is not in place)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_loops",
    "numpy.linalg's gufunc loops computed by the active lapack table (numpy's own loop where an entry is "
    "unavailable), as hostlib.linalg's gufuncs and as replacements of numpy.linalg's loops.",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__loops(void)
{
    import_array();
    import_umath();
    if (import_hostlib_lapack() < 0) { /* starts the lapack interface's host */
        return NULL;
    }
    memcpy(numpy_loops, numpy_loops_init, sizeof numpy_loops);
    if (hostlib_loop_set_bind(&numpy_linalg) < 0) {
        return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    PyObject *loops = hostlib_loop_list(&numpy_linalg);
    PyObject *gufuncs = make_gufuncs();
    const int added = loops != NULL && gufuncs != NULL && PyModule_AddObjectRef(m, "NUMPY_LOOPS", loops) == 0
                      && PyModule_AddObjectRef(m, "gufuncs", gufuncs) == 0;
    Py_XDECREF(loops);
    Py_XDECREF(gufuncs);
    if (!added) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
