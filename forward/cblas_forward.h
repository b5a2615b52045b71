/*
 * cblas_forward.h -- the shapes of a kernels table that forwards to a
 * library's cblas, written once for the wheels that do it
 * (kernels_openblas/_openblas.c, kernels_mkl/_mkl.c).
 *
 * Why a shared header: both wheels translate hostlib's calls to cblas the
 * same way (argument checks, flags to CBLAS's enums, numpy-style strides to
 * BLAS's lowest-address pointers, packed copies for leading dimensions cblas
 * refuses); only the library's integer type, its symbol names and the
 * largest size it takes differ. So the wrappers are macros over those:
 *
 *   NAME(r)   the wrapper's name for routine r (e.g. ob_##r)
 *   CBLAS(r)  the library's cblas function for r (scipy_cblas_##r,
 *             mk_cblas_##r##_64)
 *   INT       the library's integer (blasint, int64_t)
 *   FITS(...) nonzero when every size, |increment| and leading dimension
 *             given fits INT (a library with 64-bit integers: 1)
 *
 * Include it after hostlib_kernels_table.h. It is installed with hostlib's
 * headers (hostlib/include/forward/), so a wheel built against an installed
 * hostlib reaches it as "forward/cblas_forward.h".
 */
#ifndef HOSTLIB_FORWARD_CBLAS_H
#define HOSTLIB_FORWARD_CBLAS_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simd/blas_args.h" /* hostlib's checks of the level-2/3 entries' arguments */

/* CBLAS's enum values (cblas.h: the same in every cblas), as plain ints
   that convert to a library's own enum types without a warning */
#define FW_ROW_MAJOR 101
#define FW_NOTRANS 111
#define FW_TRANS 112
#define FW_CONJTRANS 113
#define FW_UPPER 121
#define FW_LOWER 122
#define FW_NONUNIT 131
#define FW_UNIT 132
#define FW_LEFT 141
#define FW_RIGHT 142

/* hostlib's flags (already checked) as CBLAS's */
static inline int fw_trans(int t)
{
    return t == HOSTLIB_NOTRANS ? FW_NOTRANS : t == HOSTLIB_TRANS ? FW_TRANS : FW_CONJTRANS;
}
static inline int fw_uplo(int u)
{
    return u == HOSTLIB_LOWER ? FW_LOWER : FW_UPPER;
}
static inline int fw_diag(int d)
{
    return d == HOSTLIB_UNIT ? FW_UNIT : FW_NONUNIT;
}

/* hostlib's x points at logical element 0; BLAS's at the lowest address */
#define FW_VEC(x, n, inc) ((inc) < 0 && (n) > 0 ? (x) + ((n) - 1) * (inc) : (x))

/* ------------------------------------------------------------------------ */
/* level 1: scal, asum, nrm2                                                 */
/* ------------------------------------------------------------------------ */

/*
 * What hostlib's strides need before a BLAS sees them, for the routines
 * whose result does not depend on the order: n <= 0 and a zero increment
 * (BLAS does nothing or returns 0 for inc <= 0) are done here, a negative
 * increment becomes the same elements from the lowest address; then
 * CALL(n, [alpha,] x, incx) with incx > 0 is the library's part (one call,
 * or calls cut to fit its integer).
 */
#define FW_SCAL(name, T, CALL)                                                  \
    static void name(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)                \
    {                                                                           \
        if (n <= 0) {                                                           \
            return;                                                             \
        }                                                                       \
        if (incx == 0) { /* in order: x[0] is multiplied n times */             \
            T v = x[0];                                                         \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                v = alpha * v;                                                  \
            }                                                                   \
            x[0] = v;                                                           \
            return;                                                             \
        }                                                                       \
        if (incx < 0) { /* the same elements, lowest address first */          \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        if (alpha == 0) { /* no shortcut: nan * 0 stays nan, like numpy */      \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                x[i * incx] = alpha * x[i * incx];                              \
            }                                                                   \
            return;                                                             \
        }                                                                       \
        CALL(n, alpha, x, incx);                                                \
    }

#define FW_ASUM(name, T, CALL)                                                  \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx)                      \
    {                                                                           \
        if (n <= 0) {                                                           \
            return 0;                                                           \
        }                                                                       \
        if (incx == 0) {                                                        \
            return (T)((double)n * fabs((double)x[0]));                         \
        }                                                                       \
        if (incx < 0) {                                                         \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        return (T)CALL(n, x, incx);                                             \
    }

/* hostlib's rule: inf wins over nan (like math.hypot), which a BLAS's nrm2
   does not keep; checked only after a nan result */
#define FW_NRM2(name, T, HUGE, CALL)                                            \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx)                      \
    {                                                                           \
        if (n <= 0) {                                                           \
            return 0;                                                           \
        }                                                                       \
        if (incx == 0) {                                                        \
            return (T)(sqrt((double)n) * fabs((double)x[0]));                   \
        }                                                                       \
        if (incx < 0) {                                                         \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        const T r = (T)CALL(n, x, incx);                                        \
        if (isnan(r)) {                                                         \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                if (isinf(x[i * incx])) {                                       \
                    return HUGE;                                                \
                }                                                               \
            }                                                                   \
        }                                                                       \
        return r;                                                               \
    }

/* ------------------------------------------------------------------------ */
/* gemm: leading dimensions cblas refuses, packed copies                     */
/* ------------------------------------------------------------------------ */

/* gemm with k == 0 (cblas may refuse it, or skip beta): C = beta*C here,
   C not read when beta == 0 */
#define FW_GEMM_K0(T, m, n, beta, c, ldc)                        \
    for (ptrdiff_t i_ = 0; i_ < (m); i_++) {                     \
        T *crow_ = (c) + i_ * (ldc);                             \
        for (ptrdiff_t j_ = 0; j_ < (n); j_++) {                 \
            crow_[j_] = (beta) == 0 ? (T)0 : (beta) * crow_[j_]; \
        }                                                        \
    }

/* A leading dimension cblas would refuse (it needs ld >= max(1, cols)), or
   one beyond lim (the library's largest integer); harmless when the matrix
   has at most one row, whose ld fw_ld then replaces. */
static inline int fw_bad_ld(ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld, ptrdiff_t lim)
{
    return rows > 1 && (ld < (cols > 1 ? cols : 1) || ld > lim);
}

static inline ptrdiff_t fw_ld(ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld)
{
    return rows > 1 ? ld : (cols > 1 ? cols : 1);
}

/* Copy rows x cols elements (row stride ld, any sign) into a new packed
   buffer, or return NULL (no memory, or a size beyond size_t); with
   copy == 0 only allocate. */
static inline void *fw_pack(const void *src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld, size_t size, int copy)
{
    if ((size_t)rows > SIZE_MAX / size / (size_t)cols) {
        return NULL;
    }
    char *dst = malloc((size_t)rows * (size_t)cols * size);
    if (dst != NULL && copy) {
        for (ptrdiff_t i = 0; i < rows; i++) {
            memcpy(dst + (size_t)i * (size_t)cols * size, (const char *)src + i * ld * (ptrdiff_t)size,
                   (size_t)cols * size);
        }
    }
    return dst;
}

static inline void fw_unpack(void *dst, const void *src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld, size_t size)
{
    for (ptrdiff_t i = 0; i < rows; i++) {
        memcpy((char *)dst + i * ld * (ptrdiff_t)size, (const char *)src + (size_t)i * (size_t)cols * size,
               (size_t)cols * size);
    }
}

/* ------------------------------------------------------------------------ */
/* level 2 and 3 (ABI 1.2): checked here, then one cblas call               */
/* ------------------------------------------------------------------------ */

/*
 * Each wrapper checks its arguments with blas_args.h (a bad one returns -i
 * and cblas, which would print an error, is not called), returns at once
 * for an empty problem (BLAS's quick return), HOSTLIB_ETOOLARGE when a
 * value does not fit the library's integer, and otherwise makes one
 * row-major cblas call.
 */
#define FW_LEVEL23(p, T, NAME, CBLAS, INT, FITS)                                                        \
    static int NAME(p##gemv)(int trans, ptrdiff_t m, ptrdiff_t n, T alpha, const T *a, ptrdiff_t lda,  \
                             const T *x, ptrdiff_t incx, T beta, T *y, ptrdiff_t incy)                 \
    {                                                                                                   \
        const int bad = blas_gemv_args(trans, m, n, lda, incx, incy);                                   \
        if (bad || m == 0 || n == 0) {                                                                  \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(m, n, lda, incx, incy)) {                                                             \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        const ptrdiff_t nx = trans == HOSTLIB_NOTRANS ? n : m, ny = trans == HOSTLIB_NOTRANS ? m : n;   \
        CBLAS(p##gemv)(FW_ROW_MAJOR, fw_trans(trans), (INT)m, (INT)n, alpha, a, (INT)lda,               \
                       FW_VEC(x, nx, incx), (INT)incx, beta, FW_VEC(y, ny, incy), (INT)incy);           \
        return 0;                                                                                       \
    }                                                                                                   \
    static int NAME(p##ger)(ptrdiff_t m, ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, const T *y, \
                            ptrdiff_t incy, T *a, ptrdiff_t lda)                                       \
    {                                                                                                   \
        const int bad = blas_ger_args(m, n, incx, incy, lda);                                           \
        if (bad || m == 0 || n == 0) {                                                                  \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(m, n, lda, incx, incy)) {                                                             \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##ger)(FW_ROW_MAJOR, (INT)m, (INT)n, alpha, FW_VEC(x, m, incx), (INT)incx,               \
                      FW_VEC(y, n, incy), (INT)incy, a, (INT)lda);                                      \
        return 0;                                                                                       \
    }                                                                                                   \
    static int NAME(p##trsv)(int uplo, int trans, int diag, ptrdiff_t n, const T *a, ptrdiff_t lda,    \
                             T *x, ptrdiff_t incx)                                                      \
    {                                                                                                   \
        const int bad = blas_trsv_args(uplo, trans, diag, n, lda, incx);                                \
        if (bad || n == 0) {                                                                            \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(n, lda, incx)) {                                                                      \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##trsv)(FW_ROW_MAJOR, fw_uplo(uplo), fw_trans(trans), fw_diag(diag), (INT)n, a,          \
                       (INT)lda, FW_VEC(x, n, incx), (INT)incx);                                        \
        return 0;                                                                                       \
    }                                                                                                   \
    static int NAME(p##trsm)(int side, int uplo, int trans, int diag, ptrdiff_t m, ptrdiff_t n,        \
                             T alpha, const T *a, ptrdiff_t lda, T *b, ptrdiff_t ldb)                   \
    {                                                                                                   \
        const int bad = blas_trsm_args(side, uplo, trans, diag, m, n, lda, ldb);                        \
        if (bad || m == 0 || n == 0) {                                                                  \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(m, n, lda, ldb)) {                                                                    \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##trsm)(FW_ROW_MAJOR, side == HOSTLIB_LEFT ? FW_LEFT : FW_RIGHT, fw_uplo(uplo),          \
                       fw_trans(trans), fw_diag(diag), (INT)m, (INT)n, alpha, a, (INT)lda, b, (INT)ldb); \
        return 0;                                                                                       \
    }                                                                                                   \
    static int NAME(p##syrk)(int uplo, int trans, ptrdiff_t n, ptrdiff_t k, T alpha, const T *a,       \
                             ptrdiff_t lda, T beta, T *c, ptrdiff_t ldc)                                \
    {                                                                                                   \
        const int bad = blas_syrk_args(0, uplo, trans, n, k, lda, ldc);                                 \
        if (bad || n == 0) {                                                                            \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(n, k, lda, ldc)) {                                                                    \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##syrk)(FW_ROW_MAJOR, fw_uplo(uplo), trans == HOSTLIB_NOTRANS ? FW_NOTRANS : FW_TRANS,   \
                       (INT)n, (INT)k, alpha, a, (INT)lda, beta, c, (INT)ldc);                          \
        return 0;                                                                                       \
    }

/* complex gemm and herk: alpha and beta of gemm by address, herk's real */
#define FW_COMPLEX23(p, T, R, NAME, CBLAS, INT, FITS)                                                   \
    static int NAME(p##gemm)(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, \
                             const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c,       \
                             ptrdiff_t ldc)                                                             \
    {                                                                                                   \
        const int bad = blas_gemm_args(trans_a, trans_b, m, n, k, lda, ldb, ldc);                       \
        if (bad || m == 0 || n == 0) {                                                                  \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(m, n, k, lda, ldb, ldc)) {                                                            \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##gemm)(FW_ROW_MAJOR, fw_trans(trans_a), fw_trans(trans_b), (INT)m, (INT)n, (INT)k,      \
                       &alpha, a, (INT)lda, b, (INT)ldb, &beta, c, (INT)ldc);                           \
        return 0;                                                                                       \
    }                                                                                                   \
    static int NAME(p##herk)(int uplo, int trans, ptrdiff_t n, ptrdiff_t k, R alpha, const T *a,       \
                             ptrdiff_t lda, R beta, T *c, ptrdiff_t ldc)                                \
    {                                                                                                   \
        const int bad = blas_syrk_args(1, uplo, trans, n, k, lda, ldc);                                 \
        if (bad || n == 0) {                                                                            \
            return bad;                                                                                 \
        }                                                                                               \
        if (!FITS(n, k, lda, ldc)) {                                                                    \
            return HOSTLIB_ETOOLARGE;                                                                   \
        }                                                                                               \
        CBLAS(p##herk)(FW_ROW_MAJOR, fw_uplo(uplo), fw_trans(trans), (INT)n, (INT)k, alpha, a,          \
                       (INT)lda, beta, c, (INT)ldc);                                                    \
        return 0;                                                                                       \
    }

/* the table's slots of the entries above: FW_SLOTS23(NAME) inside its
   initializer */
#define FW_SLOTS23(NAME)                                                                                \
    .sgemv = NAME(sgemv), .dgemv = NAME(dgemv), .sger = NAME(sger), .dger = NAME(dger),                 \
    .strsv = NAME(strsv), .dtrsv = NAME(dtrsv), .strsm = NAME(strsm), .dtrsm = NAME(dtrsm),             \
    .ssyrk = NAME(ssyrk), .dsyrk = NAME(dsyrk), .cgemm = NAME(cgemm), .zgemm = NAME(zgemm),             \
    .cherk = NAME(cherk), .zherk = NAME(zherk)

#endif /* HOSTLIB_FORWARD_CBLAS_H */
