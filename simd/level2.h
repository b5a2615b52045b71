/*
 * level2.h -- BLAS level-2 routines written once over the vector layer:
 * gemv, ger and trsv in float32 and float64, row-major like gemm.h (the
 * kernels interface's ABI 1.2 entries; interface/kernels.toml documents
 * their arguments and status codes), and the contiguous vector loops they,
 * level3.h and lapack.h share (blas_f64_dot, _axpy, _div, _scal, ...).
 *
 * Include it after exactly one vector layer. It defines SIMD_HAVE_LEVEL2
 * and static SIMD_NAME(<s|d>gemv), SIMD_NAME(<s|d>ger) and
 * SIMD_NAME(<s|d>trsv), with the signatures of hostlib_<s|d><entry>_fn,
 * unless SIMD_BLAS_INTERNAL is defined (a user of the loops alone, such as
 * lapack.h, which needs no table entries).
 *
 * Vectors are x[i*incx] (incx != 0, negative walks backwards from x), as in
 * the level-1 entries. Nothing here allocates, and every routine is one
 * pass over A (gemv, ger) or over its triangle (trsv): they are bound by
 * memory, and one thread serves them (no split class).
 */
#ifndef BLAS2_PASS
#ifndef SIMD_LEVEL2_H
#define SIMD_LEVEL2_H
#define SIMD_HAVE_LEVEL2 1

#include <stddef.h>

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before level2.h"
#endif
#ifndef SIMD_BLAS_INTERNAL
#include "hostlib_kernels_table.h"
#include "blas_args.h"
#endif

#define BLAS2_PASS 1
#define T double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define B_(x) blas_f64_##x
#define B_FN(r) SIMD_NAME(d##r)
#include "level2.h"

#define BLAS2_PASS 2
#define T float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define B_(x) blas_f32_##x
#define B_FN(r) SIMD_NAME(s##r)
#include "level2.h"

#endif /* SIMD_LEVEL2_H */

#else /* BLAS2_PASS: the generic code, instantiated once per element type */

/* ---------------- contiguous vector loops ---------------- */

/* sum of x[i] y[i*incy], x contiguous */
static T B_(dot_sy)(ptrdiff_t n, const T *x, const T *y, ptrdiff_t incy)
{
    V s0 = V_(zero)(), s1 = V_(zero)();
    ptrdiff_t i = 0;
    if (incy == 1) {
        for (; i + 2 * LANES <= n; i += 2 * LANES) {
            s0 = V_(fma)(V_(loadu)(x + i), V_(loadu)(y + i), s0);
            s1 = V_(fma)(V_(loadu)(x + i + LANES), V_(loadu)(y + i + LANES), s1);
        }
        for (; i + LANES <= n; i += LANES) {
            s0 = V_(fma)(V_(loadu)(x + i), V_(loadu)(y + i), s0);
        }
        if (i < n) {
            s1 = V_(fma)(V_(loadn)(x + i, n - i), V_(loadn)(y + i, n - i), s1);
        }
    } else {
        for (; i + LANES <= n; i += LANES) {
            s0 = V_(fma)(V_(loadu)(x + i), V_(loads)(y + i * incy, incy), s0);
        }
        if (i < n) {
            s1 = V_(fma)(V_(loadn)(x + i, n - i), V_(loadsn)(y + i * incy, incy, n - i), s1);
        }
    }
    return V_(hsum)(V_(add)(s0, s1));
}

/* sum of x[i] y[i], both contiguous */
static inline T B_(dot)(ptrdiff_t n, const T *x, const T *y)
{
    return B_(dot_sy)(n, x, y, 1);
}

/* y += alpha x, both contiguous */
static void B_(axpy)(ptrdiff_t n, T alpha, const T *x, T *y)
{
    const V va = V_(set1)(alpha);
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        V_(storeu)(y + i, V_(fma)(va, V_(loadu)(x + i), V_(loadu)(y + i)));
    }
    if (i < n) {
        V_(storen)(y + i, n - i, V_(fma)(va, V_(loadn)(x + i, n - i), V_(loadn)(y + i, n - i)));
    }
}

/* y += alpha x, x with stride incx, y contiguous */
static void B_(axpy_sx)(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y)
{
    if (incx == 1) {
        B_(axpy)(n, alpha, x, y);
        return;
    }
    const V va = V_(set1)(alpha);
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        V_(storeu)(y + i, V_(fma)(va, V_(loads)(x + i * incx, incx), V_(loadu)(y + i)));
    }
    if (i < n) {
        V_(storen)(y + i, n - i, V_(fma)(va, V_(loadsn)(x + i * incx, incx, n - i), V_(loadn)(y + i, n - i)));
    }
}

/* x /= d, contiguous (a division, as BLAS's trsm: no reciprocal's rounding) */
static void B_(div)(ptrdiff_t n, T d, T *x)
{
    const V vd = V_(set1)(d);
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        V_(storeu)(x + i, V_(div)(V_(loadu)(x + i), vd));
    }
    for (; i < n; i++) {
        x[i] /= d;
    }
}

/* x *= alpha, contiguous */
static void B_(scal)(ptrdiff_t n, T alpha, T *x)
{
    const V va = V_(set1)(alpha);
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        V_(storeu)(x + i, V_(mul)(va, V_(loadu)(x + i)));
    }
    if (i < n) {
        V_(storen)(x + i, n - i, V_(mul)(va, V_(loadn)(x + i, n - i)));
    }
}

#ifndef SIMD_BLAS_INTERNAL

/* ---------------- the entries (row-major) ---------------- */

/* y[i*incy] += alpha x[i], x contiguous (a strided y: one element at a
   time, with the same fused multiply-add as the vector loop) */
static void B_(axpy_sy)(ptrdiff_t n, T alpha, const T *x, T *y, ptrdiff_t incy)
{
    if (incy == 1) {
        B_(axpy)(n, alpha, x, y);
        return;
    }
    const V va = V_(set1)(alpha);
    for (ptrdiff_t i = 0; i < n; i++) {
        T r[LANES];
        V_(storeu)(r, V_(fma)(va, V_(loadn)(x + i, 1), V_(loadn)(y + i * incy, 1)));
        y[i * incy] = r[0];
    }
}


static int B_FN(gemv)(int trans, ptrdiff_t m, ptrdiff_t n, T alpha, const T *a, ptrdiff_t lda, const T *x,
                      ptrdiff_t incx, T beta, T *y, ptrdiff_t incy)
{
    const int bad = blas_gemv_args(trans, m, n, lda, incx, incy);
    if (bad) {
        return bad;
    }
    if (m == 0 || n == 0) {
        return 0; /* BLAS's quick return: y is not scaled */
    }
    if (trans == HOSTLIB_NOTRANS) {
        /* y[i] = alpha A[i, :] x + beta y[i]: a dot product per row */
        for (ptrdiff_t i = 0; i < m; i++) {
            const T s = alpha == 0 ? 0 : alpha * B_(dot_sy)(n, a + i * lda, x, incx);
            y[i * incy] = beta == 0 ? s : s + beta * y[i * incy];
        }
        return 0;
    }
    /* y = alpha A^T x + beta y: y scaled, then a row of A at a time added */
    for (ptrdiff_t j = 0; j < n; j++) {
        y[j * incy] = beta == 0 ? 0 : beta * y[j * incy];
    }
    if (alpha == 0) {
        return 0;
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        B_(axpy_sy)(n, alpha * x[i * incx], a + i * lda, y, incy);
    }
    return 0;
}

static int B_FN(ger)(ptrdiff_t m, ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy,
                     T *a, ptrdiff_t lda)
{
    const int bad = blas_ger_args(m, n, incx, incy, lda);
    if (bad) {
        return bad;
    }
    if (m == 0 || n == 0 || alpha == 0) {
        return 0;
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        B_(axpy_sx)(n, alpha * x[i * incx], y, incy, a + i * lda);
    }
    return 0;
}

static int B_FN(trsv)(int uplo, int trans, int diag, ptrdiff_t n, const T *a, ptrdiff_t lda, T *x, ptrdiff_t incx)
{
    const int bad = blas_trsv_args(uplo, trans, diag, n, lda, incx);
    if (bad) {
        return bad;
    }
    const int unit = diag == HOSTLIB_UNIT, upper = uplo == HOSTLIB_UPPER;
    if (trans == HOSTLIB_NOTRANS) {
        /* row i of A is contiguous: x[i] = (x[i] - A[i, solved] . x[solved]) / A[i, i] */
        for (ptrdiff_t s = 0; s < n; s++) {
            const ptrdiff_t i = upper ? n - 1 - s : s;
            const T *ai = a + i * lda;
            const T d = upper ? B_(dot_sy)(n - 1 - i, ai + i + 1, x + (i + 1) * incx, incx)
                              : B_(dot_sy)(i, ai, x, incx);
            T xi = x[i * incx] - d;
            if (!unit) {
                xi /= ai[i];
            }
            x[i * incx] = xi;
        }
        return 0;
    }
    /* A^T x = b: x[i] solved, then row i of A times it leaves the others */
    for (ptrdiff_t s = 0; s < n; s++) {
        const ptrdiff_t i = upper ? s : n - 1 - s;
        const T *ai = a + i * lda;
        if (!unit) {
            x[i * incx] /= ai[i];
        }
        const T xi = x[i * incx];
        if (upper) {
            B_(axpy_sy)(n - 1 - i, -xi, ai + i + 1, x + (i + 1) * incx, incx);
        } else {
            B_(axpy_sy)(i, -xi, ai, x, incx);
        }
    }
    return 0;
}

#endif /* SIMD_BLAS_INTERNAL */

#undef BLAS2_PASS
#undef T
#undef V
#undef LANES
#undef V_
#undef B_
#undef B_FN

#endif /* BLAS2_PASS */
