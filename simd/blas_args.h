/*
 * blas_args.h -- the argument checks of the kernels interface's level-2/3
 * entries (ABI 1.2, interface/kernels.toml), written once for every table
 * that serves them: simd/level2.h and simd/level3.h (the native tables) and
 * kernels_openblas/_openblas.c (which forwards to cblas).
 *
 * Each returns 0 when the arguments are legal, or -i when the i-th one is
 * not (BLAS's xerbla numbering, first illegal argument wins): a flag that
 * is none of its constants, a negative size, an increment of 0, or a
 * leading dimension below the row length of a row-major matrix (at least
 * 1). Real entries take HOSTLIB_CONJTRANS as HOSTLIB_TRANS, as BLAS does.
 * Include it after hostlib_kernels_table.h.
 */
#ifndef SIMD_BLAS_ARGS_H
#define SIMD_BLAS_ARGS_H

#include <stddef.h>

static inline int blas_trans_ok(int t)
{
    return t == HOSTLIB_NOTRANS || t == HOSTLIB_TRANS || t == HOSTLIB_CONJTRANS;
}
static inline int blas_uplo_ok(int u)
{
    return u == HOSTLIB_LOWER || u == HOSTLIB_UPPER;
}
static inline int blas_ld_ok(ptrdiff_t ld, ptrdiff_t cols)
{
    return ld >= (cols > 1 ? cols : 1);
}

static inline int blas_gemv_args(int trans, ptrdiff_t m, ptrdiff_t n, ptrdiff_t lda, ptrdiff_t incx, ptrdiff_t incy)
{
    return !blas_trans_ok(trans) ? -1 : m < 0 ? -2 : n < 0 ? -3 : !blas_ld_ok(lda, n) ? -6 : incx == 0 ? -8
         : incy == 0 ? -11 : 0;
}

static inline int blas_ger_args(ptrdiff_t m, ptrdiff_t n, ptrdiff_t incx, ptrdiff_t incy, ptrdiff_t lda)
{
    return m < 0 ? -1 : n < 0 ? -2 : incx == 0 ? -5 : incy == 0 ? -7 : !blas_ld_ok(lda, n) ? -9 : 0;
}

static inline int blas_trsv_args(int uplo, int trans, int diag, ptrdiff_t n, ptrdiff_t lda, ptrdiff_t incx)
{
    return !blas_uplo_ok(uplo) ? -1 : !blas_trans_ok(trans) ? -2
         : diag != HOSTLIB_NONUNIT && diag != HOSTLIB_UNIT ? -3 : n < 0 ? -4 : !blas_ld_ok(lda, n) ? -6
         : incx == 0 ? -8 : 0;
}

static inline int blas_trsm_args(int side, int uplo, int trans, int diag, ptrdiff_t m, ptrdiff_t n, ptrdiff_t lda,
                                 ptrdiff_t ldb)
{
    return side != HOSTLIB_LEFT && side != HOSTLIB_RIGHT ? -1 : !blas_uplo_ok(uplo) ? -2 : !blas_trans_ok(trans) ? -3
         : diag != HOSTLIB_NONUNIT && diag != HOSTLIB_UNIT ? -4 : m < 0 ? -5 : n < 0 ? -6
         : !blas_ld_ok(lda, side == HOSTLIB_LEFT ? m : n) ? -9 : !blas_ld_ok(ldb, n) ? -11 : 0;
}

/* syrk (herk: herk != 0, whose trans is HOSTLIB_NOTRANS or HOSTLIB_CONJTRANS) */
static inline int blas_syrk_args(int herk, int uplo, int trans, ptrdiff_t n, ptrdiff_t k, ptrdiff_t lda, ptrdiff_t ldc)
{
    const int tok = herk ? trans == HOSTLIB_NOTRANS || trans == HOSTLIB_CONJTRANS : blas_trans_ok(trans);
    return !blas_uplo_ok(uplo) ? -1 : !tok ? -2 : n < 0 ? -3 : k < 0 ? -4
         : !blas_ld_ok(lda, trans == HOSTLIB_NOTRANS ? k : n) ? -7 : !blas_ld_ok(ldc, n) ? -10 : 0;
}

static inline int blas_gemm_args(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, ptrdiff_t lda,
                                 ptrdiff_t ldb, ptrdiff_t ldc)
{
    return !blas_trans_ok(trans_a) ? -1 : !blas_trans_ok(trans_b) ? -2 : m < 0 ? -3 : n < 0 ? -4 : k < 0 ? -5
         : !blas_ld_ok(lda, trans_a == HOSTLIB_NOTRANS ? k : m) ? -8
         : !blas_ld_ok(ldb, trans_b == HOSTLIB_NOTRANS ? n : k) ? -10 : !blas_ld_ok(ldc, n) ? -13 : 0;
}

#endif /* SIMD_BLAS_ARGS_H */
