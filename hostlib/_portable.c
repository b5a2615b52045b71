/*
 * _portable.c -- hostlib's portable kernel table, hostlib_portable_table:
 * complete (every entry set), plain C11, the last fallback on every
 * platform. Its module init code is stubs/provider_module.c.
 *
 *   level-1      the template the SIMD modules use (simd/level1.h), over the
 *                one-lane scalar layer: same algorithms, same accuracy
 *   elementwise  the C library's exp/log/sqrt/sin/cos over strided arrays
 *   gemm         blocked loops whose inner step is the level-1 axpy over
 *                contiguous rows of C and op(B)
 *
 * gemm is written once for both types: this file includes itself once per
 * type with PORTABLE_GEMM_T set (the same re-include idea as level1.h).
 */
#ifndef PORTABLE_GEMM_T

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "hostlib_kernels_table.h"
#include "vec_scalar.h"
#include "level1.h"

/* ---------------- elementwise: y[i*incy] = f(x[i*incx]) ---------------- */

#define PORTABLE_MAP(name, T, f)                                                            \
    static void portable_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy) \
    {                                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                 \
            y[i * incy] = f(x[i * incx]);                                                   \
        }                                                                                   \
    }
PORTABLE_MAP(sexp, float, expf)
PORTABLE_MAP(dexp, double, exp)
PORTABLE_MAP(slog, float, logf)
PORTABLE_MAP(dlog, double, log)
PORTABLE_MAP(ssqrt, float, sqrtf)
PORTABLE_MAP(dsqrt, double, sqrt)
PORTABLE_MAP(ssin, float, sinf)
PORTABLE_MAP(dsin, double, sin)
PORTABLE_MAP(scos, float, cosf)
PORTABLE_MAP(dcos, double, cos)
#undef PORTABLE_MAP

/* ---------------- gemm ---------------- */

/* A KC x NC block of op(B) (128 KiB of float64) stays in L2 while every row
   of A goes over it; the NC-wide stripe of a C row stays in L1. */
#define PORTABLE_GEMM_KC 64
#define PORTABLE_GEMM_NC 256

#define PORTABLE_GEMM_T double
#define PORTABLE_GEMM_(x) portable_d##x
#define PORTABLE_GEMM_AXPY scalar_daxpy
#define PORTABLE_GEMM_SCAL scalar_dscal
#include "_portable.c"
#undef PORTABLE_GEMM_T
#undef PORTABLE_GEMM_
#undef PORTABLE_GEMM_AXPY
#undef PORTABLE_GEMM_SCAL

#define PORTABLE_GEMM_T float
#define PORTABLE_GEMM_(x) portable_s##x
#define PORTABLE_GEMM_AXPY scalar_saxpy
#define PORTABLE_GEMM_SCAL scalar_sscal
#include "_portable.c"
#undef PORTABLE_GEMM_T
#undef PORTABLE_GEMM_
#undef PORTABLE_GEMM_AXPY
#undef PORTABLE_GEMM_SCAL

/* ---------------- the table ---------------- */

#define SIMD_TABLE_NAME hostlib_portable_table
#define SIMD_EXTRA_ENTRIES                                                          \
    .sexp = portable_sexp, .dexp = portable_dexp, .slog = portable_slog,            \
    .dlog = portable_dlog, .ssqrt = portable_ssqrt, .dsqrt = portable_dsqrt,        \
    .ssin = portable_ssin, .dsin = portable_dsin, .scos = portable_scos,            \
    .dcos = portable_dcos, .sgemm = portable_sgemm, .dgemm = portable_dgemm,
#include "provider_table.h"

#else /* PORTABLE_GEMM_T: gemm for one element type */

#define T PORTABLE_GEMM_T

/* C = alpha * op(A) @ op(B) + beta * C, row-major; op(A) is m x k, op(B) is
   k x n; lda/ldb/ldc are the row strides of the stored A, B and C. */
static void PORTABLE_GEMM_(gemm)(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,
                                 T alpha, const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb,
                                 T beta, T *c, ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    /* C = beta * C first; with beta == 0, C is only written, so garbage
       (even NaN) in it does not leak into the result. */
    if (beta != 1) {
        for (ptrdiff_t i = 0; i < m; i++) {
            T *crow = c + i * ldc;
            if (beta == 0) {
                for (ptrdiff_t j = 0; j < n; j++) {
                    crow[j] = 0;
                }
            } else {
                PORTABLE_GEMM_SCAL(n, beta, crow, 1);
            }
        }
    }
    if (k <= 0 || alpha == 0) {
        return; /* A and B are not read */
    }

    /* The inner step is C[i, j0:] += alpha*op(A)[i, p] * op(B)[p, j0:], so
       rows of op(B) should be contiguous. With trans_b they are columns of B:
       copy each block into `panel`; if no memory, read B with a stride. */
    T *panel = trans_b ? malloc(sizeof(T) * PORTABLE_GEMM_KC * PORTABLE_GEMM_NC) : NULL;
    for (ptrdiff_t j0 = 0; j0 < n; j0 += PORTABLE_GEMM_NC) {
        const ptrdiff_t nc = n - j0 < PORTABLE_GEMM_NC ? n - j0 : PORTABLE_GEMM_NC;
        for (ptrdiff_t p0 = 0; p0 < k; p0 += PORTABLE_GEMM_KC) {
            const ptrdiff_t kc = k - p0 < PORTABLE_GEMM_KC ? k - p0 : PORTABLE_GEMM_KC;
            /* row p of the op(B) block: bp + p*ldbp, elements incb apart */
            const T *bp;
            ptrdiff_t ldbp, incb;
            if (!trans_b) {
                bp = b + p0 * ldb + j0;
                ldbp = ldb;
                incb = 1;
            } else if (panel != NULL) {
                for (ptrdiff_t j = 0; j < nc; j++) {
                    const T *bcol = b + (j0 + j) * ldb + p0; /* contiguous in p */
                    for (ptrdiff_t p = 0; p < kc; p++) {
                        panel[p * nc + j] = bcol[p];
                    }
                }
                bp = panel;
                ldbp = nc;
                incb = 1;
            } else {
                bp = b + j0 * ldb + p0;
                ldbp = 1;
                incb = ldb;
            }
            for (ptrdiff_t i = 0; i < m; i++) {
                T *crow = c + i * ldc + j0;
                for (ptrdiff_t p = 0; p < kc; p++) {
                    const T aip = trans_a ? a[(p0 + p) * lda + i] : a[i * lda + p0 + p];
                    PORTABLE_GEMM_AXPY(nc, alpha * aip, bp + p * ldbp, incb, crow, 1);
                }
            }
        }
    }
    free(panel);
}

#undef T

#endif /* PORTABLE_GEMM_T */
