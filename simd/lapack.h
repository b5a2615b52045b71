/*
 * lapack.h -- LAPACK's factorizations and solves, written once over the
 * vector layer: getrf, getrs, getri, potrf, potrs, geqrf and orgqr in
 * float32 and float64 (column-major, LAPACK's conventions and info codes;
 * see interface/lapack.toml). Include it after exactly one vector layer; it
 * defines SIMD_HAVE_LAPACK and static SIMD_NAME(lapack_<s|d><routine>)
 * with the signatures of hostlib_lapack_<s|d><routine>_fn, and the pointer
 * SIMD_NAME(lapack_pool) (NULL: one thread), which the module's init code
 * sets to hostlib's thread pool.
 *
 * Matrices are handled as views: (p, rs, cs), element (i, j) at
 * p[i*rs + j*cs], with rs == 1 (column-major) or cs == 1 (its transpose).
 * A transpose is then a swap of strides, so one triangular solve (left
 * side, lower or upper view) and one Cholesky (lower view) serve every
 * case: A X = B, A^T X = B, X A^T = B (A X^T = B^T), and the upper
 * Cholesky A = U^T U is the lower one of A^T. Products go through this
 * layer's row-major gemm (gemm.h): a view with cs == 1 is a row-major
 * matrix, one with rs == 1 the row-major transpose.
 *
 * The algorithms:
 *  - getrf: recursive LU with partial pivoting (Toledo; LAPACK's getrf2):
 *    left half, row swaps, a triangular solve, one gemm for the Schur
 *    complement, right half. Most flops are in a few large gemms (k up to
 *    n/2), which keep gemm near its peak; a blocked right-looking LU does
 *    its flops as rank-nb updates, where gemm runs slower.
 *  - potrf: recursive Cholesky (LAPACK's potrf2) on the lower view; the
 *    symmetric update is a recursive syrk whose off-diagonal blocks are
 *    gemms and whose diagonal blocks (LEVEL3_SYRK_BASE wide) are computed
 *    into a buffer, so the other triangle is never written.
 *  - geqrf: blocked Householder QR with the compact WY form
 *    (I - V T V^T), two levels: panels of LAPACK_QR_NB1 columns (fewer
 *    for smaller matrices), each factored the same way in
 *    LAPACK_QR_NB0-column panels, each of those
 *    unblocked. T comes from one gemm (V^T V) and a triangular recurrence
 *    (LAPACK's larft); the block reflector is three gemms (larfb). The
 *    reflectors are LAPACK's larfg: scaled, so that neither the norm nor
 *    beta overflows or underflows.
 *  - orgqr: the same blocks backwards (LAPACK's orgqr), panels by the same
 *    routine one level down.
 *  - getrs, potrs: row swaps and triangular solves; getri: the inverse as
 *    the solution of A X = I (2 n^3 flops, LAPACK's getri 4/3 n^3, but all
 *    of it in the solve's gemms).
 *  - trsm, syrk and the gemms on views are level3.h's (the kernels
 *    interface's trsm and syrk entries are the same code).
 *
 * Threads: gemms of at least LEVEL3_SPLIT_MIN multiply-adds, triangular
 * solves of as many (level3.h, over this file's pool), the row swaps of
 * as many columns (L_(laswp)) and the block reflector updates are split
 * into
 * column blocks over hostlib's pool (as wide as pool->width() allows,
 * so the thread budget holds and nested calls run on one thread). Each
 * column of a result is computed by the same operations whatever the split
 * (gemm.h's promise), so results do not depend on the thread count.
 *
 * Workspace: every routine allocates what it needs once per call, before
 * it writes anything, and answers HOSTLIB_LAPACK_ENOMEM (the input
 * unchanged) if it cannot. That one allocation holds the routine's own
 * arrays (syrk's diagonal blocks, getri's X, QR's V, T and W) and the
 * packing buffers of all its updates' gemms (level3_ws): one slice per
 * thread the pool may run at once, each as large as the largest update
 * needs (gemm.h's bound over the shapes the recursion will make:
 * L_(getrf_ws), L_(potrf_ws), B_(trsm_ws), ...). Before, every gemm
 * allocated and page-faulted its own buffers: 448 allocations for one
 * getrf at n = 2000, 547 for potrf. The bytes live at the peak are what
 * they were on one thread (n = 2000 float64 on Zen 4: 6.2 MiB getrf, 4.5
 * potrf, 9.7 geqrf); on two, a split update's task packs in a whole slice
 * (benchmarks/README.md, Linear algebra).
 */
#ifndef LAPACK_PASS
#ifndef SIMD_LAPACK_H
#define SIMD_LAPACK_H
#define SIMD_HAVE_LAPACK 1

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "hostlib_lapack_lapack_table.h"
#include "hostlib_pool_api.h"

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before lapack.h"
#endif
/* hostlib's pool, set by the module's init code before the table is
   exported (so every call sees it set); NULL runs everything on the caller */
extern const hostlib_pool_api *SIMD_NAME(lapack_pool);
const hostlib_pool_api *SIMD_NAME(lapack_pool) = NULL;

/* the level-3 routines (trsm, syrk, gemm on views) the factorizations' updates
   go through: level3.h's, which the kernels tables' entries are too, split
   over the same pool; their entries are not compiled here */
#ifdef SIMD_HAVE_LEVEL3
#error "lapack.h includes level3.h itself, with its pool: include lapack.h first"
#endif
#define SIMD_BLAS_INTERNAL 1
#define LEVEL3_POOL SIMD_NAME(lapack_pool)
#include "level3.h"
#define lapack_split_at level3_split_at
#define lapack_split_parts level3_split_parts

/* a hint that the line holding p is about to be written (nothing where the
   compiler has no such builtin) */
#if defined(__GNUC__) || defined(__clang__)
#define LAPACK_PREFETCH_W(p) __builtin_prefetch((p), 1)
#else
#define LAPACK_PREFETCH_W(p) ((void)0)
#endif

/* what one row swap costs, in the multiply-adds splitting is weighed in
   (level3.h's LEVEL3_SPLIT_MIN): a swap of scattered rows takes a few ns,
   a core does ~50 multiply-adds per ns in gemm */
#define LAPACK_SWAP_MADDS 64.0

/* The look-ahead jobs' shared parts (getrf, potrf and geqrf below): the
   next block of `cols` columns of [first, n) from a job's counter, -1 when
   none is left (*j1 its end); and a job of `tasks` tasks, on the pool when
   there is one and more than one task. */
static inline ptrdiff_t lapack_next_block(atomic_ptrdiff_t *cursor, ptrdiff_t first, ptrdiff_t cols, ptrdiff_t n,
                                          ptrdiff_t *j1)
{
    const ptrdiff_t j0 = first + atomic_fetch_add(cursor, 1) * cols;
    if (j0 >= n) {
        return -1;
    }
    *j1 = j0 + cols < n ? j0 + cols : n;
    return j0;
}

static inline void lapack_run_job(void (*task)(void *, ptrdiff_t), void *ctx, ptrdiff_t tasks)
{
    if (LEVEL3_POOL != NULL && tasks > 1) {
        LEVEL3_POOL->run(task, ctx, tasks, (int)tasks);
        return;
    }
    for (ptrdiff_t t = 0; t < tasks; t++) {
        task(ctx, t);
    }
}

static inline size_t lapack_max(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* getrf's recursion stops at panels this wide, factored by a left-looking
   leaf (L_(getrf_leaf)): below it the recursion's tiny gemms and solves
   cost more in calls than in flops */
#ifndef LAPACK_LU_LEAF
#define LAPACK_LU_LEAF 16
#endif
#if LAPACK_LU_LEAF < 1
#error "LAPACK_LU_LEAF must be at least 1: getrf_rec leaves every panel that narrow to L_(getrf_leaf)"
#endif
#ifndef LAPACK_POTF2_BASE
#define LAPACK_POTF2_BASE 16
#endif
#ifndef LAPACK_QR_NB0
#define LAPACK_QR_NB0 32
#endif
/* the outer panels: LAPACK_QR_NB1_SMALL columns while the smaller side is
   below LAPACK_QR_NB1_FROM, LAPACK_QR_NB1 from there. Building T costs
   nb^2 m per panel, nb m n in all, against ~m n^2 for the whole: at
   n = 500 a 128-column T was a quarter of the useful work, while from
   n ~ 2000 the wider block's rank-128 updates win. Float64 on Zen 5, one
   thread, GFLOP/s for 128 / 64 columns: 58.6 / 67.7 at n = 500, 78.8 / 84-86
   at 1000, 87.0 / 88.1 at 2000, 90.8 / 74.8 at 3000, 97.8 / 76.3 at 4000. */
#ifndef LAPACK_QR_NB1
#define LAPACK_QR_NB1 128
#endif
#ifndef LAPACK_QR_NB1_SMALL
#define LAPACK_QR_NB1_SMALL 64
#endif
#ifndef LAPACK_QR_NB1_FROM
#define LAPACK_QR_NB1_FROM 2048
#endif

#define LAPACK_QR_LEVELS 2 /* the blocks' sizes: LAPACK_QR_NB0, then the outer panels' */

#define LAPACK_PASS 1
#define T double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define L_(x) lapack_f64_##x
#define B_(x) blas_f64_##x
#define L_GEMM SIMD_NAME(dgemm)
#define L_FN(r) SIMD_NAME(lapack_d##r)
#define L_EPS DBL_EPSILON
#define L_TINY DBL_MIN
#define L_HUGE DBL_MAX
#define L_SQRT sqrt
#define L_ABS fabs
#include "lapack.h"

#define LAPACK_PASS 2
#define T float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define L_(x) lapack_f32_##x
#define B_(x) blas_f32_##x
#define L_GEMM SIMD_NAME(sgemm)
#define L_FN(r) SIMD_NAME(lapack_s##r)
#define L_EPS FLT_EPSILON
#define L_TINY FLT_MIN
#define L_HUGE FLT_MAX
#define L_SQRT sqrtf
#define L_ABS fabsf
#include "lapack.h"

#endif /* SIMD_LAPACK_H */

#else /* LAPACK_PASS: the generic code, instantiated once per element type */

/* ---------------- small matrices ---------------- */

/* Up to LAPACK_SMALL_N rows and columns, getrf, getrs, getri, potrf and
   potrs take unblocked algorithms directly (LAPACK's getf2, potf2 and
   trsv-style solves): on a stack of small matrices the recursion's calls,
   gemm's packing buffers and the pool's checks cost more than the flops.
   No heap, no pool. The vector loops work in a stack copy whose columns
   (getrf) or rows (getri) are padded to whole vectors, so every vector is
   loaded and stored at the same offsets from step to step: a loop sliding
   along a shrinking column, or one ending in a masked tail, makes each
   load wait for a store it only partly overlaps (measured: 16 x 16 getri
   slower than the scalar loops). The solves of one column and Cholesky
   are plain loops. Same info codes, pivots (the first largest |a_i|, NaN
   never chosen) and failure values as the general path. */
#ifndef LAPACK_SMALL_N
#define LAPACK_SMALL_N 32
#endif
#define LAPACK_SMALL_PAD(n) (((n) + LANES - 1) / LANES * LANES)

/* up to this many rows, getf2 runs in place as plain loops: the padded
   copy's vectors are then mostly padding */
#ifndef LAPACK_SMALL_PLAIN_M
#define LAPACK_SMALL_PLAIN_M 8
#endif

/* the first index i in [j, m) of the largest |x_i|; NaNs never win (all
   NaN: j). LAPACK's i?amax, as every LU here picks its pivot. */
static ptrdiff_t L_(iamax)(ptrdiff_t j, ptrdiff_t m, const T *x)
{
    ptrdiff_t p = j;
    T big = L_ABS(x[j]);
    for (ptrdiff_t i = j + 1; i < m; i++) {
        const T v = L_ABS(x[i]);
        if (v > big) {
            big = v;
            p = i;
        }
    }
    return p;
}

/* getf2's step j on a column-major m x n array: the pivot of column j
   (the first largest |a_i| from row j on, NaN never chosen; ipiv 1-based),
   its row swapped into row j across all n columns, the multipliers below
   it divided by it. Returns info updated: j + 1 at the first zero pivot. */
static ptrdiff_t L_(getf2_pivot)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t j, ptrdiff_t *ipiv,
                                 ptrdiff_t info)
{
    T *cj = a + j * lda;
    const ptrdiff_t p = L_(iamax)(j, m, cj);
    ipiv[j] = p + 1;
    if (cj[p] == 0) {
        return info == 0 ? j + 1 : info;
    }
    if (p != j) {
        for (ptrdiff_t c = 0; c < n; c++) {
            T *col = a + c * lda;
            const T t = col[j];
            col[j] = col[p];
            col[p] = t;
        }
    }
    const T piv = cj[j];
    if (L_ABS(piv) >= L_TINY) {
        const T r = 1 / piv;
        for (ptrdiff_t i = j + 1; i < m; i++) {
            cj[i] *= r;
        }
    } else {
        for (ptrdiff_t i = j + 1; i < m; i++) {
            cj[i] /= piv;
        }
    }
    return info;
}

/* LAPACK's getf2 in place, plain loops, ipiv 1-based */
static ptrdiff_t L_(getrf_plain)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv)
{
    const ptrdiff_t mn = m < n ? m : n;
    ptrdiff_t info = 0;
    for (ptrdiff_t j = 0; j < mn; j++) {
        info = L_(getf2_pivot)(m, n, a, lda, j, ipiv, info);
        const T *cj = a + j * lda;
        for (ptrdiff_t c = j + 1; c < n; c++) {
            T *cc = a + c * lda;
            const T u = cc[j];
            for (ptrdiff_t i = j + 1; i < m; i++) {
                cc[i] -= u * cj[i];
            }
        }
    }
    return info;
}

/* LAPACK's getf2 (right-looking), ipiv 1-based. The rank-1 update of
   column c runs over whole vectors from the one holding row j + 1, with
   the multipliers' copy zero above row j + 1 (a non-finite U(j, c), whose
   product with those zeros would not be zero, takes the scalar loop). */
static ptrdiff_t L_(getrf_small)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv)
{
    if (m <= LAPACK_SMALL_PLAIN_M) {
        return L_(getrf_plain)(m, n, a, lda, ipiv);
    }
    _Alignas(64) T w[LAPACK_SMALL_PAD(LAPACK_SMALL_N) * LAPACK_SMALL_N];
    _Alignas(64) T lv[LAPACK_SMALL_PAD(LAPACK_SMALL_N)];
    const ptrdiff_t ld = LAPACK_SMALL_PAD(m), mn = m < n ? m : n;
    /* copies by loops, not memcpy: a library call per short column costs
       more than the copy */
    for (ptrdiff_t c = 0; c < n; c++) {
        for (ptrdiff_t i = 0; i < ld; i++) {
            w[c * ld + i] = i < m ? a[c * lda + i] : 0;
        }
    }
    ptrdiff_t info = 0;
    for (ptrdiff_t j = 0; j < mn; j++) {
        info = L_(getf2_pivot)(m, n, w, ld, j, ipiv, info);
        const T *cj = w + j * ld;
        if (j + 1 >= m || j + 1 >= n) {
            continue;
        }
        const ptrdiff_t i0 = (j + 1) / LANES * LANES;
        for (ptrdiff_t i = i0; i < ld; i++) {
            lv[i] = i > j ? cj[i] : 0;
        }
        for (ptrdiff_t c = j + 1; c < n; c++) {
            T *cc = w + c * ld;
            const T u = cc[j];
            if (u - u == 0) {
                const V vu = V_(set1)(-u);
                for (ptrdiff_t i = i0; i < ld; i += LANES) {
                    V_(storeu)(cc + i, V_(fma)(vu, V_(loadu)(lv + i), V_(loadu)(cc + i)));
                }
            } else {
                for (ptrdiff_t i = j + 1; i < m; i++) {
                    cc[i] -= u * cj[i];
                }
            }
        }
    }
    for (ptrdiff_t c = 0; c < n; c++) {
        ptrdiff_t i = 0;
        for (; i + LANES <= m; i += LANES) {
            V_(storeu)(a + c * lda + i, V_(loadu)(w + c * ld + i));
        }
        if (i < m) {
            V_(storen)(a + c * lda + i, m - i, V_(loadu)(w + c * ld + i));
        }
    }
    return info;
}

/* one contiguous column x := op(A)^-1 x, A n x n triangular column-major
   (upper or lower, unit diagonal or not), op = transpose when trans. Kept
   scalar: each step reads what the last one wrote, and a vector load over
   several fresh scalar stores (or one store it only partly overlaps)
   waits for them to retire (4x4 solve: 45% of the time in such loads). */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize", "no-tree-slp-vectorize")))
#endif
static void L_(trsv_small)(int upper, int unit, int trans, ptrdiff_t n, const T *a, ptrdiff_t lda, T *x)
{
    if (!trans) { /* the columns of A, as axpys */
        for (ptrdiff_t s = 0; s < n; s++) {
            const ptrdiff_t k = upper ? n - 1 - s : s;
            const T *ak = a + k * lda;
            if (!unit) {
                x[k] /= ak[k];
            }
            const T xk = x[k];
            const ptrdiff_t i0 = upper ? 0 : k + 1, i1 = upper ? k : n;
            for (ptrdiff_t i = i0; i < i1; i++) {
                x[i] -= xk * ak[i];
            }
        }
        return;
    }
    /* op(A) = A^T: row k of op(A) is column k of A, as dots (four sums:
       one would wait on each multiply-add's latency) */
    for (ptrdiff_t s = 0; s < n; s++) {
        const ptrdiff_t k = upper ? s : n - 1 - s;
        const T *ak = a + k * lda;
        const ptrdiff_t i0 = upper ? 0 : k + 1, i1 = upper ? k : n;
        T s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        ptrdiff_t i = i0;
        for (; i + 4 <= i1; i += 4) {
            s0 += ak[i] * x[i];
            s1 += ak[i + 1] * x[i + 1];
            s2 += ak[i + 2] * x[i + 2];
            s3 += ak[i + 3] * x[i + 3];
        }
        for (; i < i1; i++) {
            s0 += ak[i] * x[i];
        }
        const T v = x[k] - ((s0 + s1) + (s2 + s3));
        x[k] = unit ? v : v / ak[k];
    }
}

/* B's rows swapped by ipiv (1-based), forward or backward */
static void L_(laswp_small)(ptrdiff_t n, ptrdiff_t nrhs, T *b, ptrdiff_t ldb, const ptrdiff_t *ipiv, int backward)
{
    for (ptrdiff_t j = 0; j < nrhs; j++) {
        T *col = b + j * ldb;
        for (ptrdiff_t s = 0; s < n; s++) {
            const ptrdiff_t i = backward ? n - 1 - s : s;
            const ptrdiff_t p = ipiv[i] - 1;
            if (p != i && p >= 0 && p < n) {
                const T t = col[i];
                col[i] = col[p];
                col[p] = t;
            }
        }
    }
}

static void L_(getrs_small)(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda,
                            const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)
{
    if (!trans) {
        L_(laswp_small)(n, nrhs, b, ldb, ipiv, 0);
    }
    for (ptrdiff_t j = 0; j < nrhs; j++) {
        T *x = b + j * ldb;
        if (!trans) { /* L U x = b */
            L_(trsv_small)(0, 1, 0, n, a, lda, x);
            L_(trsv_small)(1, 0, 0, n, a, lda, x);
        } else { /* U^T L^T x = b */
            L_(trsv_small)(1, 0, 1, n, a, lda, x);
            L_(trsv_small)(0, 1, 1, n, a, lda, x);
        }
    }
    if (trans) {
        L_(laswp_small)(n, nrhs, b, ldb, ipiv, 1);
    }
}

/* inv(A) = inv(U) inv(L) P as the solution of A X = I, by rows of X (all
   right-hand sides at once, whole vectors): X = P I, then
   X(i, :) -= L(i, k) X(k, :) forwards, X(k, :) /= U(k, k) and
   X(i, :) -= U(i, k) X(k, :) backwards. The caller has checked U's diagonal. */
static void L_(getri_small)(ptrdiff_t n, T *a, ptrdiff_t lda, const ptrdiff_t *ipiv)
{
    _Alignas(64) T x[LAPACK_SMALL_PAD(LAPACK_SMALL_N) * LAPACK_SMALL_N];
    ptrdiff_t perm[LAPACK_SMALL_N];
    const ptrdiff_t ld = LAPACK_SMALL_PAD(n);
    memset(x, 0, (size_t)n * (size_t)ld * sizeof(T));
    for (ptrdiff_t i = 0; i < n; i++) {
        perm[i] = i;
    }
    for (ptrdiff_t i = 0; i < n; i++) { /* the rows of P I: unit rows */
        const ptrdiff_t p = ipiv[i] - 1;
        if (p != i && p >= 0 && p < n) {
            const ptrdiff_t t = perm[i];
            perm[i] = perm[p];
            perm[p] = t;
        }
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        x[i * ld + perm[i]] = 1;
    }
    for (ptrdiff_t k = 0; k < n; k++) {
        const T *xk = x + k * ld;
        for (ptrdiff_t i = k + 1; i < n; i++) {
            const V l = V_(set1)(-a[i + k * lda]);
            T *xi = x + i * ld;
            for (ptrdiff_t q = 0; q < ld; q += LANES) {
                V_(storeu)(xi + q, V_(fma)(l, V_(loadu)(xk + q), V_(loadu)(xi + q)));
            }
        }
    }
    for (ptrdiff_t k = n - 1; k >= 0; k--) {
        T *xk = x + k * ld;
        const V d = V_(set1)(a[k + k * lda]);
        for (ptrdiff_t q = 0; q < ld; q += LANES) {
            V_(storeu)(xk + q, V_(div)(V_(loadu)(xk + q), d));
        }
        for (ptrdiff_t i = 0; i < k; i++) {
            const V u = V_(set1)(-a[i + k * lda]);
            T *xi = x + i * ld;
            for (ptrdiff_t q = 0; q < ld; q += LANES) {
                V_(storeu)(xi + q, V_(fma)(u, V_(loadu)(xk + q), V_(loadu)(xi + q)));
            }
        }
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        for (ptrdiff_t i = 0; i < n; i++) {
            a[i + j * lda] = x[i * ld + j];
        }
    }
}

/* potf2: lower, right-looking (the update along the columns below the
   diagonal); upper, left-looking (dots of U's columns). A failing pivot
   keeps its updated value, as LAPACK's. */
static ptrdiff_t L_(potrf_small)(int upper, ptrdiff_t n, T *a, ptrdiff_t lda)
{
    if (!upper) {
        for (ptrdiff_t j = 0; j < n; j++) {
            T *cj = a + j * lda;
            T ajj = cj[j];
            if (!(ajj > 0)) { /* also NaN */
                return j + 1;
            }
            ajj = L_SQRT(ajj);
            cj[j] = ajj;
            for (ptrdiff_t i = j + 1; i < n; i++) {
                cj[i] /= ajj;
            }
            for (ptrdiff_t c = j + 1; c < n; c++) {
                T *cc = a + c * lda;
                const T l = cj[c];
                for (ptrdiff_t i = c; i < n; i++) {
                    cc[i] -= l * cj[i];
                }
            }
        }
        return 0;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        T *cj = a + j * lda;
        T ajj = cj[j];
        for (ptrdiff_t p = 0; p < j; p++) {
            ajj -= cj[p] * cj[p];
        }
        if (!(ajj > 0)) {
            cj[j] = ajj;
            return j + 1;
        }
        ajj = L_SQRT(ajj);
        cj[j] = ajj;
        for (ptrdiff_t c = j + 1; c < n; c++) {
            T *cc = a + c * lda;
            T s = cc[j];
            for (ptrdiff_t p = 0; p < j; p++) {
                s -= cj[p] * cc[p];
            }
            cc[j] = s / ajj;
        }
    }
    return 0;
}

static void L_(potrs_small)(int upper, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, T *b, ptrdiff_t ldb)
{
    for (ptrdiff_t j = 0; j < nrhs; j++) {
        T *x = b + j * ldb;
        if (!upper) { /* L L^T x = b */
            L_(trsv_small)(0, 0, 0, n, a, lda, x);
            L_(trsv_small)(0, 0, 1, n, a, lda, x);
        } else { /* U^T U x = b */
            L_(trsv_small)(1, 0, 1, n, a, lda, x);
            L_(trsv_small)(1, 0, 0, n, a, lda, x);
        }
    }
}

/* ---------------- LU ---------------- */

/* rows k1..k2-1 of the n columns at a swapped with rows ipiv[i] - base,
   forward or backward; a pivot outside the matrix (which getrf never
   writes) is skipped rather than followed out of bounds. Column by column
   (a column is contiguous), each swap prefetching its row of the next
   column: the pivot rows are scattered, and without the hint every swap
   waited for its line (getrf float64 n = 2000 on Zen 5: 16% of the time
   in these swaps, 8% with it; 88 -> 97 GFLOP/s). */
static void L_(laswp_cols)(ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t k1, ptrdiff_t k2,
                           const ptrdiff_t *ipiv, ptrdiff_t base, int backward)
{
    for (ptrdiff_t j = 0; j < n; j++) {
        T *col = a + j * lda;
        const int ahead = j + 1 < n;
        for (ptrdiff_t s = k1; s < k2; s++) {
            const ptrdiff_t i = backward ? k2 - 1 - (s - k1) : s;
            const ptrdiff_t p = ipiv[i] - base;
            if (p != i && p >= 0 && p < rows) {
                if (ahead) {
                    LAPACK_PREFETCH_W(col + lda + p);
                }
                const T t = col[i];
                col[i] = col[p];
                col[p] = t;
            }
        }
    }
}

typedef struct {
    T *a;
    ptrdiff_t n, lda, rows, k1, k2, base, parts;
    const ptrdiff_t *ipiv;
    int backward;
} L_(laswp_job);

static void L_(laswp_task)(void *ctx, ptrdiff_t t)
{
    const L_(laswp_job) *w = (const L_(laswp_job) *)ctx;
    const ptrdiff_t j0 = lapack_split_at(w->n, w->parts, t), j1 = lapack_split_at(w->n, w->parts, t + 1);
    L_(laswp_cols)(j1 - j0, w->a + j0 * w->lda, w->lda, w->rows, w->k1, w->k2, w->ipiv, w->base, w->backward);
}

/* laswp_cols, its columns split over the pool when there are many swaps
   (the columns are independent) */
static void L_(laswp)(ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t rows, ptrdiff_t k1, ptrdiff_t k2,
                      const ptrdiff_t *ipiv, ptrdiff_t base, int backward)
{
    const ptrdiff_t parts = lapack_split_parts(LAPACK_SWAP_MADDS * (double)n * (double)(k2 - k1), n);
    if (parts > 1) {
        L_(laswp_job) w = {a, n, lda, rows, k1, k2, base, parts, ipiv, backward};
        LEVEL3_POOL->run(L_(laswp_task), &w, parts, (int)parts);
        return;
    }
    L_(laswp_cols)(n, a, lda, rows, k1, k2, ipiv, base, backward);
}

/* y[0..m) -= sum_{i<k} x[i] * column i of a (lda), y contiguous: the
   left-looking update of one column, over rows, four vectors at a time */
static void L_(gemv_cols)(ptrdiff_t m, ptrdiff_t k, const T *a, ptrdiff_t lda, const T *x, T *y)
{
    ptrdiff_t r = 0;
    for (; r + 4 * LANES <= m; r += 4 * LANES) {
        V y0 = V_(loadu)(y + r), y1 = V_(loadu)(y + r + LANES), y2 = V_(loadu)(y + r + 2 * LANES),
          y3 = V_(loadu)(y + r + 3 * LANES);
        for (ptrdiff_t i = 0; i < k; i++) {
            const V xi = V_(set1)(-x[i]);
            const T *ai = a + i * lda + r;
            y0 = V_(fma)(xi, V_(loadu)(ai), y0);
            y1 = V_(fma)(xi, V_(loadu)(ai + LANES), y1);
            y2 = V_(fma)(xi, V_(loadu)(ai + 2 * LANES), y2);
            y3 = V_(fma)(xi, V_(loadu)(ai + 3 * LANES), y3);
        }
        V_(storeu)(y + r, y0);
        V_(storeu)(y + r + LANES, y1);
        V_(storeu)(y + r + 2 * LANES, y2);
        V_(storeu)(y + r + 3 * LANES, y3);
    }
    for (; r < m; r += LANES) {
        const ptrdiff_t w = m - r < LANES ? m - r : LANES;
        V y0 = V_(loadn)(y + r, w);
        for (ptrdiff_t i = 0; i < k; i++) {
            y0 = V_(fma)(V_(set1)(-x[i]), V_(loadn)(a + i * lda + r, w), y0);
        }
        V_(storen)(y + r, w, y0);
    }
}

/* getrf of an m x n panel, n <= LAPACK_LU_LEAF, left-looking (column j:
   the earlier swaps, the unit lower solve for its top, one update of the
   rest by all earlier columns, then its pivot): one pass over the rows per
   column instead of one per earlier column, and no calls below it. The
   pivot, zero-pivot and NaN rules are LAPACK's getrf2 one-column step's
   (L_(iamax)'s pivot; a zero pivot column is left unscaled; below the
   smallest normal, a division instead of a multiplication by the inverse).
   ipiv 0-based; returns the 1-based first zero pivot. */
static ptrdiff_t L_(getrf_leaf)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv)
{
    ptrdiff_t info = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        T *cj = a + j * lda;
        const ptrdiff_t kt = j < m ? j : m; /* rows of U above the diagonal in this column */
        for (ptrdiff_t k = 0; k < kt; k++) { /* the earlier columns' swaps */
            const ptrdiff_t p = ipiv[k];
            if (p != k) {
                const T t = cj[k];
                cj[k] = cj[p];
                cj[p] = t;
            }
        }
        for (ptrdiff_t k = 1; k < kt; k++) { /* U's column: unit lower solve */
            T s = cj[k];
            for (ptrdiff_t i = 0; i < k; i++) {
                s -= a[k + i * lda] * cj[i];
            }
            cj[k] = s;
        }
        if (j >= m) {
            continue;
        }
        L_(gemv_cols)(m - j, j, a + j, lda, cj, cj + j);
        const ptrdiff_t p = L_(iamax)(j, m, cj);
        ipiv[j] = p;
        if (cj[p] == 0) {
            if (info == 0) {
                info = j + 1;
            }
            continue;
        }
        if (p != j) { /* row j and row p of the columns so far (L's and this one) */
            for (ptrdiff_t i = 0; i <= j; i++) {
                T *ci = a + i * lda;
                const T t = ci[j];
                ci[j] = ci[p];
                ci[p] = t;
            }
        }
        if (L_ABS(cj[j]) >= L_TINY) {
            B_(scal)(m - j - 1, 1 / cj[j], cj + j + 1);
        } else {
            B_(div)(m - j - 1, cj[j], cj + j + 1);
        }
    }
    return info;
}

/* getrf_rec's split of an m x n panel: its left n1 columns */
static ptrdiff_t L_(lu_split)(ptrdiff_t m, ptrdiff_t n)
{
    const ptrdiff_t mn = m < n ? m : n;
    const ptrdiff_t n1 = mn / 2;
    return n1 > 64 ? n1 / 16 * 16 : n1;
}

/* the packing slice getrf_rec's updates of the m x n panel a take at most:
   its recursion, without the data (a few hundred steps at n = 2000) */
static size_t L_(getrf_ws)(ptrdiff_t m, ptrdiff_t n, B_(mat) a)
{
    if (m == 1 || n == 1 || n <= LAPACK_LU_LEAF) {
        return 0;
    }
    const ptrdiff_t n1 = L_(lu_split)(m, n), n2 = n - n1;
    size_t w = B_(trsm_ws)(n1, n2, B_(sub)(a, 0, n1));
    w = lapack_max(w, B_(gemm_ws)(m - n1, n2, n1, B_(sub)(a, n1, n1)));
    w = lapack_max(w, L_(getrf_ws)(m, n1, a));
    return lapack_max(w, L_(getrf_ws)(m - n1, n2, B_(sub)(a, n1, n1)));
}

/* LAPACK's getrf2: ipiv 0-based here; returns the 1-based first zero pivot */
static ptrdiff_t L_(getrf_rec)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv, level3_ws ws)
{
    if (n <= LAPACK_LU_LEAF && m > 1) {
        return L_(getrf_leaf)(m, n, a, lda, ipiv);
    }
    if (m == 1) {
        ipiv[0] = 0;
        return a[0] == 0 ? 1 : 0;
    }
    /* here n > LAPACK_LU_LEAF >= 1: the leaf took every narrower panel */
    const ptrdiff_t mn = m < n ? m : n;
    const ptrdiff_t n1 = L_(lu_split)(m, n), n2 = n - n1;
    ptrdiff_t info = L_(getrf_rec)(m, n1, a, lda, ipiv, ws);
    L_(laswp)(n2, a + n1 * lda, lda, m, 0, n1, ipiv, 0, 0);
    B_(trsm)(0, 1, n1, n2, B_(cm)(a, lda), B_(cm)(a + n1 * lda, lda), ws);
    B_(gemm)(m - n1, n2, n1, -1, B_(cm)(a + n1, lda), B_(cm)(a + n1 * lda, lda), 1, B_(cm)(a + n1 + n1 * lda, lda),
             ws);
    const ptrdiff_t info2 = L_(getrf_rec)(m - n1, n2, a + n1 + n1 * lda, lda, ipiv + n1, ws);
    if (info == 0 && info2 > 0) {
        info = info2 + n1;
    }
    for (ptrdiff_t i = n1; i < mn; i++) {
        ipiv[i] += n1;
    }
    L_(laswp)(n1, a, lda, m, n1, mn, ipiv, 0, 0);
    return info;
}

/* ---- getrf in panels, with look-ahead ----
   For min(m, n) in [LAPACK_LU_BLOCKED_FROM, LAPACK_LU_BLOCKED_BELOW),
   getrf runs in panels of LAPACK_LU_PANEL columns, each factored by
   getrf_rec, and every step's update of the columns to its right is one
   pool job: task 0 first updates the next panel's columns and factors that
   panel (the path every later step waits on), then joins the others in
   updating the rest, in blocks of LAPACK_LU_COLS columns taken from a
   shared counter. So the next panel is factored while the rest is
   updated, where the recursion has one thread factor the deep levels
   (updates too small to split) while the other waits. Larger matrices
   keep the recursion, whose rank-n/2 updates run faster on one thread
   than rank-128 ones, and as fast on two. 2-core Zen 5, float64, GFLOP/s
   on one / two threads, the recursion against panels of 128 (medians of
   round-robin samples in one run):
     n = 700   81.0 / 121.7 against 81.5 / 135.2
     n = 1000  92.4 / 147.9 against 90.7 / 158.9
     n = 1500  99.3 / 164.1 against 95.3 / 174.9
     n = 2000  98.3 / 170.7 against 90.2 / 169.7
     n = 4000  110.5 / 203.5 against 100.0 / 184.6 (panels of 256: 104.2 / 195.8)
   Blocks of 256 columns measured as blocks of 128. Each block's update
   (row swaps, a triangular solve, a gemm) is the same whichever thread
   takes it, and the panels' splits depend on the sizes only: results do
   not depend on the thread count. Rows of the earlier panels are swapped
   at the end (nothing reads them after their own step). */
#define LAPACK_LU_BLOCKED_FROM 384
#define LAPACK_LU_BLOCKED_BELOW 1536
#define LAPACK_LU_PANEL 128
#define LAPACK_LU_COLS 128

typedef struct {
    T *a;
    ptrdiff_t m, n, lda;
    ptrdiff_t *ipiv;    /* 0-based, each panel's relative to its first row, until the end */
    ptrdiff_t r, nbk;   /* this step's panel (factored): first row and column r, width nbk */
    ptrdiff_t nbn;      /* the next panel's width (at column r + nbk), 0 if none */
    ptrdiff_t rest;     /* the first column after it */
    atomic_ptrdiff_t cursor; /* the next block of LAPACK_LU_COLS columns from `rest` */
    level3_ws ws;       /* one slice per task */
    ptrdiff_t info_next; /* the next panel's getrf_rec result */
} L_(lu_step);

/* the step's update of columns [j0, j1): its panel's row swaps, U's rows by
   a unit lower solve, then the rows below less L times them */
static void L_(lu_update)(const L_(lu_step) *s, ptrdiff_t j0, ptrdiff_t j1, level3_ws ws)
{
    T *const a = s->a, *const panel = s->a + s->r + s->r * s->lda;
    const ptrdiff_t lda = s->lda, r = s->r, nbk = s->nbk;
    L_(laswp_cols)(j1 - j0, a + r + j0 * lda, lda, s->m - r, 0, nbk, s->ipiv + r, 0, 0);
    B_(trsm)(0, 1, nbk, j1 - j0, B_(cm)(panel, lda), B_(cm)(a + r + j0 * lda, lda), ws);
    B_(gemm)(s->m - r - nbk, j1 - j0, nbk, -1, B_(cm)(panel + nbk, lda), B_(cm)(a + r + j0 * lda, lda), 1,
             B_(cm)(a + r + nbk + j0 * lda, lda), ws);
}

static void L_(lu_step_task)(void *ctx, ptrdiff_t t)
{
    L_(lu_step) *s = (L_(lu_step) *)ctx;
    const level3_ws ws = level3_ws_slice(s->ws, t);
    if (t == 0 && s->nbn > 0) {
        const ptrdiff_t next = s->r + s->nbk;
        L_(lu_update)(s, next, next + s->nbn, ws);
        s->info_next = L_(getrf_rec)(s->m - next, s->nbn, s->a + next + next * s->lda, s->lda, s->ipiv + next, ws);
    }
    for (ptrdiff_t j0, j1; (j0 = lapack_next_block(&s->cursor, s->rest, LAPACK_LU_COLS, s->n, &j1)) >= 0;) {
        L_(lu_update)(s, j0, j1, ws);
    }
}

/* the packing slice a task of getrf_blocked takes at most (its first step's) */
static size_t L_(getrf_blocked_ws)(ptrdiff_t m, ptrdiff_t n, B_(mat) a)
{
    const ptrdiff_t nb = LAPACK_LU_PANEL;
    size_t w = L_(getrf_ws)(m, nb, a);
    w = lapack_max(w, L_(getrf_ws)(m - nb, nb, B_(sub)(a, nb, nb)));
    w = lapack_max(w, B_(trsm_ws)(nb, LAPACK_LU_COLS, B_(sub)(a, 0, nb)));
    return lapack_max(w, B_(gemm_ws)(m - nb, n - nb < LAPACK_LU_COLS ? n - nb : LAPACK_LU_COLS, nb,
                                     B_(sub)(a, nb, nb)));
}

/* getrf_rec's contract (ipiv 0-based; the 1-based first zero pivot), for
   min(m, n) >= LAPACK_LU_BLOCKED_FROM */
static ptrdiff_t L_(getrf_blocked)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv, level3_ws ws)
{
    const ptrdiff_t mn = m < n ? m : n, nb = LAPACK_LU_PANEL;
    const ptrdiff_t tasks = ws.count > 1 ? ws.count : 1;
    ptrdiff_t info = L_(getrf_rec)(m, nb, a, lda, ipiv, ws);
    for (ptrdiff_t r = 0; r < mn; r += nb) {
        const ptrdiff_t nbk = mn - r < nb ? mn - r : nb, next = r + nbk;
        const ptrdiff_t nbn = next < mn ? (mn - next < nb ? mn - next : nb) : 0;
        if (next >= n) {
            break;
        }
        L_(lu_step) s = {a, m, n, lda, ipiv, r, nbk, nbn, next + nbn, 0, ws, 0};
        lapack_run_job(L_(lu_step_task), &s, tasks);
        if (info == 0 && s.info_next > 0) {
            info = s.info_next + next;
        }
    }
    for (ptrdiff_t r = nb; r < mn; r += nb) {
        const ptrdiff_t nbk = mn - r < nb ? mn - r : nb;
        for (ptrdiff_t i = r; i < r + nbk; i++) {
            ipiv[i] += r;
        }
        L_(laswp)(r, a, lda, m, r, r + nbk, ipiv, 0, 0);
    }
    return info;
}

static ptrdiff_t L_FN(getrf)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv)
{
    if (m < 0) {
        return -1;
    }
    if (n < 0) {
        return -2;
    }
    if (lda < (m > 1 ? m : 1)) {
        return -4;
    }
    if (m == 0 || n == 0) {
        return 0;
    }
    if (m <= LAPACK_SMALL_N && n <= LAPACK_SMALL_N) {
        return L_(getrf_small)(m, n, a, lda, ipiv);
    }
    /* one workspace for all the updates' packing, before anything is written */
    const ptrdiff_t mn = m < n ? m : n;
    const int blocked = mn >= LAPACK_LU_BLOCKED_FROM && mn < LAPACK_LU_BLOCKED_BELOW;
    level3_ws ws;
    void *buf = level3_ws_alloc(0, blocked ? L_(getrf_blocked_ws)(m, n, B_(cm)(a, lda)) : L_(getrf_ws)(m, n, B_(cm)(a, lda)),
                                &ws);
    if (buf == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    const ptrdiff_t info = blocked ? L_(getrf_blocked)(m, n, a, lda, ipiv, ws) : L_(getrf_rec)(m, n, a, lda, ipiv, ws);
    gemm_free_aligned(buf);
    for (ptrdiff_t i = 0; i < mn; i++) {
        ipiv[i] += 1;
    }
    return info;
}

static ptrdiff_t L_FN(getrs)(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda,
                             const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)
{
    if (trans != HOSTLIB_LAPACK_NOTRANS && trans != HOSTLIB_LAPACK_TRANS && trans != HOSTLIB_LAPACK_CONJTRANS) {
        return -1;
    }
    if (n < 0) {
        return -2;
    }
    if (nrhs < 0) {
        return -3;
    }
    if (lda < (n > 1 ? n : 1)) {
        return -5;
    }
    if (ldb < (n > 1 ? n : 1)) {
        return -8;
    }
    if (n == 0 || nrhs == 0) {
        return 0;
    }
    if (n <= LAPACK_SMALL_N) {
        L_(getrs_small)(trans != HOSTLIB_LAPACK_NOTRANS, n, nrhs, a, lda, ipiv, b, ldb);
        return 0;
    }
    const B_(mat) lu = B_(cm)((T *)a, lda), x = B_(cm)(b, ldb); /* a is only read */
    level3_ws ws;
    void *buf = level3_ws_alloc(0, B_(trsm_ws)(n, nrhs, x), &ws);
    if (buf == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    if (trans == HOSTLIB_LAPACK_NOTRANS) {
        L_(laswp)(nrhs, b, ldb, n, 0, n, ipiv, 1, 0);
        B_(trsm)(0, 1, n, nrhs, lu, x, ws);
        B_(trsm)(1, 0, n, nrhs, lu, x, ws);
    } else { /* real: A^H = A^T */
        B_(trsm)(0, 0, n, nrhs, B_(tr)(lu), x, ws);
        B_(trsm)(1, 1, n, nrhs, B_(tr)(lu), x, ws);
        L_(laswp)(nrhs, b, ldb, n, 0, n, ipiv, 1, 1);
    }
    gemm_free_aligned(buf);
    return 0;
}

static ptrdiff_t L_FN(getri)(ptrdiff_t n, T *a, ptrdiff_t lda, const ptrdiff_t *ipiv)
{
    if (n < 0) {
        return -1;
    }
    if (lda < (n > 1 ? n : 1)) {
        return -3;
    }
    if (n == 0) {
        return 0;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        if (a[i + i * lda] == 0) {
            return i + 1;
        }
    }
    if (n <= LAPACK_SMALL_N) {
        L_(getri_small)(n, a, lda, ipiv);
        return 0;
    }
    if ((size_t)n > SIZE_MAX / sizeof(T) / (size_t)n) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    /* X (n x n) and the solves' packing, one allocation */
    level3_ws ws;
    T *w = (T *)level3_ws_alloc((size_t)n * (size_t)n * sizeof(T), B_(trsm_ws)(n, n, B_(cm)(NULL, n)), &ws);
    if (w == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    /* inv(A) = inv(U) inv(L) P: the identity's rows swapped, then the two solves */
    memset(w, 0, (size_t)n * (size_t)n * sizeof(T));
    for (ptrdiff_t i = 0; i < n; i++) {
        w[i + i * n] = 1;
    }
    L_(laswp)(n, w, n, n, 0, n, ipiv, 1, 0);
    const B_(mat) lu = B_(cm)(a, lda), x = B_(cm)(w, n);
    B_(trsm)(0, 1, n, n, lu, x, ws);
    B_(trsm)(1, 0, n, n, lu, x, ws);
    for (ptrdiff_t j = 0; j < n; j++) {
        memcpy(a + j * lda, w + j * n, (size_t)n * sizeof(T));
    }
    gemm_free_aligned(w);
    return 0;
}

/* ---------------- Cholesky (on the lower view) ---------------- */

/* LAPACK's potf2 on a small lower view: the failing pivot keeps its value */
static ptrdiff_t L_(potf2)(ptrdiff_t n, B_(mat) a)
{
    for (ptrdiff_t j = 0; j < n; j++) {
        T ajj = B_AT(a, j, j);
        for (ptrdiff_t p = 0; p < j; p++) {
            ajj -= B_AT(a, j, p) * B_AT(a, j, p);
        }
        if (!(ajj > 0)) { /* also NaN */
            B_AT(a, j, j) = ajj;
            return j + 1;
        }
        ajj = L_SQRT(ajj);
        B_AT(a, j, j) = ajj;
        for (ptrdiff_t i = j + 1; i < n; i++) {
            T s = B_AT(a, i, j);
            for (ptrdiff_t p = 0; p < j; p++) {
                s -= B_AT(a, i, p) * B_AT(a, j, p);
            }
            B_AT(a, i, j) = s / ajj;
        }
    }
    return 0;
}

/* potrf_rec's split of n: the first n1 columns */
static ptrdiff_t L_(chol_split)(ptrdiff_t n)
{
    const ptrdiff_t n1 = n / 2;
    return n1 > 64 ? n1 / 16 * 16 : n1;
}

/* the packing slice potrf_rec's updates take at most: its recursion,
   without the data */
static size_t L_(potrf_ws)(ptrdiff_t n, B_(mat) a)
{
    if (n <= LAPACK_POTF2_BASE) {
        return 0;
    }
    const ptrdiff_t n1 = L_(chol_split)(n), n2 = n - n1;
    size_t w = lapack_max(B_(trsm_ws)(n1, n2, B_(tr)(B_(sub)(a, n1, 0))), B_(syrk_ws)(n2, n1));
    w = lapack_max(w, L_(potrf_ws)(n1, a));
    return lapack_max(w, L_(potrf_ws)(n2, B_(sub)(a, n1, n1)));
}

static ptrdiff_t L_(potrf_rec)(ptrdiff_t n, B_(mat) a, T *ws, level3_ws gws)
{
    if (n <= LAPACK_POTF2_BASE) {
        return L_(potf2)(n, a);
    }
    const ptrdiff_t n1 = L_(chol_split)(n), n2 = n - n1;
    ptrdiff_t info = L_(potrf_rec)(n1, a, ws, gws);
    if (info != 0) {
        return info;
    }
    /* A21 L11^T = old A21, as L11 A21^T = old A21^T */
    B_(trsm)(0, 0, n1, n2, a, B_(tr)(B_(sub)(a, n1, 0)), gws);
    B_(syrk)(n2, n1, -1, B_(sub)(a, n1, 0), 1, B_(sub)(a, n1, n1), ws, gws);
    info = L_(potrf_rec)(n2, B_(sub)(a, n1, n1), ws, gws);
    return info != 0 ? info + n1 : 0;
}

/* ---- potrf in panels, with look-ahead, as getrf (above) ----
   From LAPACK_CHOL_BLOCKED_FROM, each step's update of the columns to its
   right (for each block a syrk of its diagonal part and a gemm below it)
   is one pool job whose task 0 first updates and factors the next panel:
   its diagonal block by potrf_rec, the rows below it by a triangular
   solve. 2-core Zen 5, float64, GFLOP/s on one / two threads, the
   recursion against panels of 128 (256 from n = 3072), blocks of 256
   columns (medians of round-robin samples in one run):
     n = 500   77.9 / 93.5 against 78.3 / 102.7
     n = 1000  94.4 / 142.5 against 94.8 / 166.2
     n = 1500  102.8 / 165.4 against 103.3 / 191.8
     n = 2000  102.4 / 172.7 against 103.8 / 198.1
     n = 4000  107.9 / 191.8 against 105.8 / 205.9 (panels of 128: 101.5 / 188.3) */
#define LAPACK_CHOL_BLOCKED_FROM 384
#define LAPACK_CHOL_PANEL(n) ((n) < 3072 ? 128 : 256)
#define LAPACK_CHOL_COLS 256
#define LAPACK_CHOL_SCRATCH ((size_t)LEVEL3_SYRK_BASE * LEVEL3_SYRK_BASE) /* syrk's diagonal blocks, per task */

typedef struct {
    B_(mat) a;
    ptrdiff_t n;
    ptrdiff_t r, nbk;        /* this step's panel, factored and solved below: columns [r, r + nbk) */
    ptrdiff_t nbn;           /* the next panel's width (at column r + nbk) */
    ptrdiff_t rest;          /* the first column after it */
    atomic_ptrdiff_t cursor; /* the next block of LAPACK_CHOL_COLS columns from `rest` */
    T *scratch;              /* LAPACK_CHOL_SCRATCH elements per task */
    level3_ws ws;            /* one slice per task */
    ptrdiff_t info_next;     /* the next panel's potrf_rec result */
} L_(chol_step);

/* columns [c, c + w), updated: the diagonal block's Cholesky factor, then
   the rows below it solved against it */
static ptrdiff_t L_(chol_panel)(const L_(chol_step) *s, ptrdiff_t c, ptrdiff_t w, T *scratch, level3_ws ws)
{
    const ptrdiff_t info = L_(potrf_rec)(w, B_(sub)(s->a, c, c), scratch, ws);
    if (info == 0 && s->n > c + w) {
        B_(trsm)(0, 0, w, s->n - c - w, B_(sub)(s->a, c, c), B_(tr)(B_(sub)(s->a, c + w, c)), ws);
    }
    return info;
}

/* the step's update of columns [j0, j1), from row j0 down */
static void L_(chol_update)(const L_(chol_step) *s, ptrdiff_t j0, ptrdiff_t j1, T *scratch, level3_ws ws)
{
    const B_(mat) panel = B_(sub)(s->a, 0, s->r);
    B_(syrk)(j1 - j0, s->nbk, -1, B_(sub)(panel, j0, 0), 1, B_(sub)(s->a, j0, j0), scratch, ws);
    B_(gemm)(s->n - j1, j1 - j0, s->nbk, -1, B_(sub)(panel, j1, 0), B_(tr)(B_(sub)(panel, j0, 0)), 1,
             B_(sub)(s->a, j1, j0), ws);
}

static void L_(chol_step_task)(void *ctx, ptrdiff_t t)
{
    L_(chol_step) *s = (L_(chol_step) *)ctx;
    const level3_ws ws = level3_ws_slice(s->ws, t);
    T *const scratch = s->scratch + (size_t)t * LAPACK_CHOL_SCRATCH;
    if (t == 0) {
        const ptrdiff_t next = s->r + s->nbk;
        L_(chol_update)(s, next, next + s->nbn, scratch, ws);
        s->info_next = L_(chol_panel)(s, next, s->nbn, scratch, ws);
    }
    for (ptrdiff_t j0, j1; (j0 = lapack_next_block(&s->cursor, s->rest, LAPACK_CHOL_COLS, s->n, &j1)) >= 0;) {
        L_(chol_update)(s, j0, j1, scratch, ws);
    }
}

/* the packing slice a task of potrf_blocked takes at most */
static size_t L_(potrf_blocked_ws)(ptrdiff_t n, B_(mat) a)
{
    const ptrdiff_t nb = LAPACK_CHOL_PANEL(n), cols = n - nb < LAPACK_CHOL_COLS ? n - nb : LAPACK_CHOL_COLS;
    size_t w = lapack_max(L_(potrf_ws)(nb, a), B_(trsm_ws)(nb, n - nb, B_(tr)(B_(sub)(a, nb, 0))));
    w = lapack_max(w, B_(syrk_ws)(cols, nb));
    return lapack_max(w, B_(gemm_ws)(n - nb, cols, nb, B_(sub)(a, nb, nb)));
}

/* potrf_rec's contract, for n >= LAPACK_CHOL_BLOCKED_FROM, with `tasks`
   scratch areas */
static ptrdiff_t L_(potrf_blocked)(ptrdiff_t n, B_(mat) a, T *scratch, ptrdiff_t tasks, level3_ws ws)
{
    const ptrdiff_t nb = LAPACK_CHOL_PANEL(n);
    L_(chol_step) first = {a, n, 0, 0, 0, 0, 0, scratch, ws, 0};
    const ptrdiff_t info = L_(chol_panel)(&first, 0, nb, scratch, ws);
    if (info != 0) {
        return info;
    }
    for (ptrdiff_t r = 0; r + nb < n; r += nb) {
        const ptrdiff_t next = r + nb, nbn = n - next < nb ? n - next : nb;
        L_(chol_step) s = {a, n, r, nb, nbn, next + nbn, 0, scratch, ws, 0};
        lapack_run_job(L_(chol_step_task), &s, tasks);
        if (s.info_next != 0) {
            return s.info_next + next;
        }
    }
    return 0;
}

static ptrdiff_t L_FN(potrf)(int uplo, ptrdiff_t n, T *a, ptrdiff_t lda)
{
    if (uplo != HOSTLIB_LAPACK_LOWER && uplo != HOSTLIB_LAPACK_UPPER) {
        return -1;
    }
    if (n < 0) {
        return -2;
    }
    if (lda < (n > 1 ? n : 1)) {
        return -4;
    }
    if (n == 0) {
        return 0;
    }
    if (n <= LAPACK_SMALL_N) {
        return L_(potrf_small)(uplo == HOSTLIB_LAPACK_UPPER, n, a, lda);
    }
    /* U^T U = A is L L^T of the transpose: the upper triangle read as a lower view */
    const B_(mat) l = uplo == HOSTLIB_LAPACK_LOWER ? B_(cm)(a, lda) : B_(tr)(B_(cm)(a, lda));
    /* syrk's diagonal blocks (one per task in panels) and the updates'
       packing, one allocation (n > LAPACK_SMALL_N here) */
    const int blocked = n >= LAPACK_CHOL_BLOCKED_FROM;
    const ptrdiff_t width = blocked && LEVEL3_POOL != NULL ? LEVEL3_POOL->width() : 1;
    level3_ws gws;
    T *ws = (T *)level3_ws_alloc((size_t)width * LAPACK_CHOL_SCRATCH * sizeof(T),
                                 blocked ? L_(potrf_blocked_ws)(n, l) : L_(potrf_ws)(n, l), &gws);
    if (ws == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    const ptrdiff_t tasks = gws.count < width ? gws.count : width;
    const ptrdiff_t info = blocked ? L_(potrf_blocked)(n, l, ws, tasks, gws) : L_(potrf_rec)(n, l, ws, gws);
    gemm_free_aligned(ws);
    return info;
}

static ptrdiff_t L_FN(potrs)(int uplo, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, T *b, ptrdiff_t ldb)
{
    if (uplo != HOSTLIB_LAPACK_LOWER && uplo != HOSTLIB_LAPACK_UPPER) {
        return -1;
    }
    if (n < 0) {
        return -2;
    }
    if (nrhs < 0) {
        return -3;
    }
    if (lda < (n > 1 ? n : 1)) {
        return -5;
    }
    if (ldb < (n > 1 ? n : 1)) {
        return -7;
    }
    if (n == 0 || nrhs == 0) {
        return 0;
    }
    if (n <= LAPACK_SMALL_N) {
        L_(potrs_small)(uplo == HOSTLIB_LAPACK_UPPER, n, nrhs, a, lda, b, ldb);
        return 0;
    }
    const B_(mat) l = uplo == HOSTLIB_LAPACK_LOWER ? B_(cm)((T *)a, lda) : B_(tr)(B_(cm)((T *)a, lda));
    const B_(mat) x = B_(cm)(b, ldb);
    level3_ws ws;
    void *buf = level3_ws_alloc(0, B_(trsm_ws)(n, nrhs, x), &ws);
    if (buf == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    B_(trsm)(0, 0, n, nrhs, l, x, ws);
    B_(trsm)(1, 0, n, nrhs, B_(tr)(l), x, ws);
    gemm_free_aligned(buf);
    return 0;
}

/* ---------------- Householder QR ---------------- */

/* sqrt(x^2 + y^2) without overflow or underflow; NaN if either is NaN */
static T L_(lapy2)(T x, T y)
{
    if (x != x || y != y) {
        return x + y;
    }
    const T ax = L_ABS(x), ay = L_ABS(y);
    const T w = ax > ay ? ax : ay, z = ax > ay ? ay : ax;
    if (z == 0 || w > L_HUGE) { /* w = inf */
        return w;
    }
    const T r = z / w;
    return w * L_SQRT(1 + r * r);
}

/* the 2-norm of x (n contiguous), scaled by its largest magnitude so that
   no square overflows or underflows; NaN in, NaN out */
static T L_(nrm2)(ptrdiff_t n, const T *x)
{
    T big = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        const T v = L_ABS(x[i]);
        if (v != v) {
            return v;
        }
        big = v > big ? v : big;
    }
    if (big == 0 || big > L_HUGE) { /* zero, inf */
        return big;
    }
    /* divided by big: no square overflows, and the largest is 1 */
    const V vb = V_(set1)(big);
    V acc0 = V_(zero)(), acc1 = V_(zero)();
    ptrdiff_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        const V v = V_(div)(V_(loadu)(x + i), vb);
        acc0 = V_(fma)(v, v, acc0);
    }
    if (i < n) {
        const V v = V_(div)(V_(loadn)(x + i, n - i), vb);
        acc1 = V_(fma)(v, v, acc1);
    }
    return big * L_SQRT(V_(hsum)(V_(add)(acc0, acc1)));
}

/* LAPACK's larfg: H (I - tau v v^T, v = (1, x)) maps (alpha, x) to
   (beta, 0); alpha becomes beta, x becomes v's tail. Scaled by
   1/safmin up to 20 times when beta would underflow. */
static void L_(larfg)(ptrdiff_t n, T *alpha, T *x, T *tau)
{
    if (n <= 1) {
        *tau = 0;
        return;
    }
    T xnorm = L_(nrm2)(n - 1, x);
    if (xnorm == 0) {
        *tau = 0;
        return;
    }
    T beta = -copysign(L_(lapy2)(*alpha, xnorm), *alpha);
    const T safmin = L_TINY / L_EPS, rsafmn = 1 / safmin;
    int knt = 0;
    if (L_ABS(beta) < safmin) {
        do {
            knt++;
            B_(scal)(n - 1, rsafmn, x);
            beta *= rsafmn;
            *alpha *= rsafmn;
        } while (L_ABS(beta) < safmin && knt < 20);
        xnorm = L_(nrm2)(n - 1, x);
        beta = -copysign(L_(lapy2)(*alpha, xnorm), *alpha);
    }
    *tau = (beta - *alpha) / beta;
    B_(scal)(n - 1, 1 / (*alpha - beta), x);
    for (int j = 0; j < knt; j++) {
        beta *= safmin;
    }
    *alpha = beta;
}

/* C (m x n) -= tau v (v^T C), v = a column of m contiguous elements, one
   pass per column of C */
static void L_(larf)(ptrdiff_t m, ptrdiff_t n, const T *v, T tau, T *c, ptrdiff_t ldc)
{
    if (tau == 0) {
        return;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        T *cj = c + j * ldc;
        B_(axpy)(m, -tau * B_(dot)(m, v, cj), v, cj);
    }
}

/* LAPACK's geqr2 */
static void L_(geqr2)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau)
{
    const ptrdiff_t k = m < n ? m : n;
    for (ptrdiff_t i = 0; i < k; i++) {
        T *aii = a + i + i * lda;
        L_(larfg)(m - i, aii, aii + 1, tau + i);
        if (i + 1 < n) {
            const T keep = *aii;
            *aii = 1;
            L_(larf)(m - i, n - i - 1, aii, tau[i], aii + lda, lda);
            *aii = keep;
        }
    }
}

/* per blocking level: V (explicit, m x nb), T and V^T V (nb x nb), and W
   (nb x n, twice) for the block reflector */
typedef struct {
    ptrdiff_t nb;
    T *v, *t, *s, *w, *w2;
} L_(qr_ws);

/* One allocation for both levels and the block reflectors' packing (at
   most one outer panel's reflectors of m rows, applied to n columns of the
   column-major a: W = V^T C, T W, C -= V W; larft's V^T V); NULL if it
   fails. The levels' block sizes are set here, from the shape. */
static void *L_(qr_alloc)(ptrdiff_t m, ptrdiff_t n, B_(mat) a, L_(qr_ws) *ws, level3_ws *gws)
{
    const ptrdiff_t nbs[LAPACK_QR_LEVELS] = {
        LAPACK_QR_NB0, (m < n ? m : n) < LAPACK_QR_NB1_FROM ? LAPACK_QR_NB1_SMALL : LAPACK_QR_NB1};
    size_t total = 0, sizes[LAPACK_QR_LEVELS][5];
    for (int l = 0; l < LAPACK_QR_LEVELS; l++) {
        const size_t nb = (size_t)nbs[l];
        sizes[l][0] = (size_t)m * nb;
        sizes[l][1] = sizes[l][2] = nb * nb;
        sizes[l][3] = sizes[l][4] = nb * (size_t)n;
        for (int i = 0; i < 5; i++) {
            if ((size_t)m > SIZE_MAX / 64 / nb || (size_t)n > SIZE_MAX / 64 / nb) {
                return NULL;
            }
            sizes[l][i] = (sizes[l][i] + 7) / 8 * 8; /* 64-byte aligned parts */
            total += sizes[l][i];
        }
    }
    size_t slice = 0;
    for (int l = 0; l < LAPACK_QR_LEVELS; l++) {
        const ptrdiff_t nb = nbs[l];
        slice = lapack_max(slice, B_(gemm_ws)(nb, nb, m, a));
        slice = lapack_max(slice, B_(gemm_ws)(nb, n, m, a));
        slice = lapack_max(slice, B_(gemm_ws)(nb, n, nb, a));
        slice = lapack_max(slice, B_(gemm_ws)(m, n, nb, a));
    }
    T *buf = (T *)level3_ws_alloc(total * sizeof(T), slice, gws);
    if (buf == NULL) {
        return NULL;
    }
    T *p = buf;
    for (int l = 0; l < LAPACK_QR_LEVELS; l++) {
        ws[l].nb = nbs[l];
        ws[l].v = p, p += sizes[l][0];
        ws[l].t = p, p += sizes[l][1];
        ws[l].s = p, p += sizes[l][2];
        ws[l].w = p, p += sizes[l][3];
        ws[l].w2 = p, p += sizes[l][4];
    }
    return buf;
}

/* V (explicit unit lower trapezoid) and T (upper, zeros below) of the k
   reflectors stored in the m x k panel at a, as LAPACK's larft (forward,
   columnwise): T(0:i, i) = -tau_i T(0:i, 0:i) V(:, 0:i)^T v_i */
static void L_(larft)(ptrdiff_t m, ptrdiff_t k, const T *a, ptrdiff_t lda, const T *tau, L_(qr_ws) *ws,
                      level3_ws gws)
{
    T *v = ws->v, *t = ws->t, *s = ws->s;
    for (ptrdiff_t j = 0; j < k; j++) {
        T *vj = v + j * m;
        const ptrdiff_t top = j < m ? j : m;
        memset(vj, 0, (size_t)top * sizeof(T));
        if (j < m) {
            vj[j] = 1;
            memcpy(vj + j + 1, a + j + 1 + j * lda, (size_t)(m - j - 1) * sizeof(T));
        }
    }
    B_(gemm1)(k, k, m, 1, B_(tr)(B_(cm)(v, m)), B_(cm)(v, m), 0, B_(cm)(s, k), gws);
    for (ptrdiff_t i = 0; i < k; i++) {
        T *ti = t + i * k;
        memset(ti, 0, (size_t)k * sizeof(T));
        ti[i] = tau[i];
        if (tau[i] == 0) {
            continue;
        }
        /* ti[0:i] = -tau_i T(0:i, 0:i) s(0:i, i), column by column of the
           triangle: contiguous vector updates (row by row, T's rows are
           strided and the loop scalar: 14% of geqrf's time at n = 500) */
        for (ptrdiff_t q = 0; q < i; q++) {
            B_(axpy)(q + 1, s[q + i * k], t + q * k, ti);
        }
        B_(scal)(i, -tau[i], ti);
    }
}

typedef struct {
    ptrdiff_t m, n, k, parts;
    int trans;
    const L_(qr_ws) *ws;
    T *c;
    ptrdiff_t ldc;
    level3_ws gws;
} L_(larfb_job);

/* columns j0..j1 of C := (I - V op(T) V^T) C, op(T) = T^T when trans,
   packing in slice 0 of gws */
static void L_(larfb_cols)(const L_(larfb_job) *b, ptrdiff_t j0, ptrdiff_t j1, level3_ws gws)
{
    const ptrdiff_t m = b->m, k = b->k, nc = j1 - j0;
    if (nc <= 0) {
        return;
    }
    const B_(mat) v = B_(cm)(b->ws->v, m), t = B_(cm)(b->ws->t, k);
    const B_(mat) c = B_(cm)(b->c + j0 * b->ldc, b->ldc);
    /* W's leading dimension at least 2: with one reflector, a 1 x nc view
       with both strides 1 would be row-major to gemm1, whose update then
       packs a larger block than qr_alloc's bound (the W arrays hold
       nb >= 2 rows per column) */
    const ptrdiff_t ldw = k > 1 ? k : 2;
    const B_(mat) w = B_(cm)(b->ws->w + j0 * ldw, ldw), w2 = B_(cm)(b->ws->w2 + j0 * ldw, ldw);
    B_(gemm1)(k, nc, m, 1, B_(tr)(v), c, 0, w, gws);
    B_(gemm1)(k, nc, k, 1, b->trans ? B_(tr)(t) : t, w, 0, w2, gws);
    B_(gemm1)(m, nc, k, -1, v, w2, 1, c, gws);
}

static void L_(larfb_task)(void *ctx, ptrdiff_t t)
{
    const L_(larfb_job) *b = (const L_(larfb_job) *)ctx;
    L_(larfb_cols)(b, lapack_split_at(b->n, b->parts, t), lapack_split_at(b->n, b->parts, t + 1),
                   level3_ws_slice(b->gws, t));
}

static void L_(larfb)(int trans, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const L_(qr_ws) *ws, T *c, ptrdiff_t ldc,
                      level3_ws gws)
{
    if (m <= 0 || n <= 0 || k <= 0) {
        return;
    }
    L_(larfb_job) b = {m, n, k, 1, trans, ws, c, ldc, gws};
    b.parts = level3_ws_parts(gws, lapack_split_parts(2.0 * (double)m * (double)n * (double)k, n));
    if (b.parts > 1) {
        SIMD_NAME(lapack_pool)->run(L_(larfb_task), &b, b.parts, (int)b.parts);
        return;
    }
    L_(larfb_cols)(&b, 0, n, gws);
}

static void L_(geqrf_blk)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau, int level, L_(qr_ws) *ws,
                          level3_ws gws);

/* ---- the outer panels with look-ahead, as getrf and potrf (above) ----
   Each step's block reflector is applied to the columns on its right as
   one pool job: task 0 first updates the next panel's columns and factors
   that panel (one level down), then joins the others on the rest, in
   blocks of LAPACK_QR_COLS columns from a shared counter. The next panel's
   V and T are built after the job, which reads this one's. Every column
   goes through the same operations in the same order as in the plain loop
   (geqrf_blk), which one thread keeps: the bits do not depend on the
   thread count. 2-core Zen 5, float64, GFLOP/s on one / two threads,
   round-robin in one run, the loop against look-ahead: n = 500 68.2 / 79.4
   against 67.2 / 90.6, n = 700 79.7 / 113.2 against 77.5 / 120.9, n = 1000
   85.1 / 125.6 against 83.6 / 130.1, n = 1500 90.4 / 146.0 against 85.2 /
   152.5, n = 2000 93.8 / 166.2 against 90.8 / 162.8, n = 4000 95.7 / 170.7
   against 95.0 / 173.3 (on one thread the blocks' extra packing cost up to
   6%). */
#define LAPACK_QR_COLS 256

typedef struct {
    L_(larfb_job) b;          /* this step's reflector on the columns right of its panel */
    T *next;                  /* the next panel (its top left element), nbn columns */
    ptrdiff_t next_m, nbn;
    T *tau_next;
    L_(qr_ws) *ws;
    atomic_ptrdiff_t cursor;  /* the next block of LAPACK_QR_COLS columns after the next panel */
} L_(qr_step);

static void L_(qr_step_task)(void *ctx, ptrdiff_t t)
{
    L_(qr_step) *s = (L_(qr_step) *)ctx;
    const level3_ws gws = level3_ws_slice(s->b.gws, t);
    if (t == 0 && s->nbn > 0) {
        L_(larfb_cols)(&s->b, 0, s->nbn, gws);
        L_(geqrf_blk)(s->next_m, s->nbn, s->next, s->b.ldc, s->tau_next, LAPACK_QR_LEVELS - 2, s->ws, gws);
    }
    for (ptrdiff_t j0, j1; (j0 = lapack_next_block(&s->cursor, s->nbn, LAPACK_QR_COLS, s->b.n, &j1)) >= 0;) {
        L_(larfb_cols)(&s->b, j0, j1, gws);
    }
}

static void L_(geqrf_ahead)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau, L_(qr_ws) *ws, level3_ws gws)
{
    const int top = LAPACK_QR_LEVELS - 1;
    const ptrdiff_t k = m < n ? m : n, nb = ws[top].nb;
    const ptrdiff_t tasks = gws.count;
    L_(geqrf_blk)(m, k < nb ? k : nb, a, lda, tau, top - 1, ws, gws);
    for (ptrdiff_t j = 0; j < k; j += nb) {
        const ptrdiff_t ib = k - j < nb ? k - j : nb, next = j + ib;
        if (next >= n) {
            break;
        }
        T *ajj = a + j + j * lda;
        L_(larft)(m - j, ib, ajj, lda, tau + j, &ws[top], gws);
        L_(qr_step) s = {{m - j, n - next, ib, 1, 1, &ws[top], ajj + ib * lda, lda, gws},
                         a + next + next * lda, m - next, next < k ? (k - next < nb ? k - next : nb) : 0,
                         tau + next, ws, 0};
        lapack_run_job(L_(qr_step_task), &s, tasks);
    }
}

/* blocked QR of the m x n matrix at a with level `level`'s blocks, panels
   one level down (unblocked below level 0) */
static void L_(geqrf_blk)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau, int level, L_(qr_ws) *ws,
                          level3_ws gws)
{
    const ptrdiff_t k = m < n ? m : n;
    if (level < 0 || k <= ws[level].nb / 2) {
        if (level < 0) {
            L_(geqr2)(m, n, a, lda, tau);
        } else {
            L_(geqrf_blk)(m, n, a, lda, tau, level - 1, ws, gws);
        }
        return;
    }
    const ptrdiff_t nb = ws[level].nb;
    if (level == LAPACK_QR_LEVELS - 1 && LEVEL3_POOL != NULL && gws.count > 1) {
        L_(geqrf_ahead)(m, n, a, lda, tau, ws, gws);
        return;
    }
    for (ptrdiff_t j = 0; j < k; j += nb) {
        const ptrdiff_t ib = k - j < nb ? k - j : nb;
        T *ajj = a + j + j * lda;
        L_(geqrf_blk)(m - j, ib, ajj, lda, tau + j, level - 1, ws, gws);
        if (j + ib < n) {
            L_(larft)(m - j, ib, ajj, lda, tau + j, &ws[level], gws);
            L_(larfb)(1, m - j, n - j - ib, ib, &ws[level], ajj + ib * lda, lda, gws);
        }
    }
}

static ptrdiff_t L_FN(geqrf)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau)
{
    if (m < 0) {
        return -1;
    }
    if (n < 0) {
        return -2;
    }
    if (lda < (m > 1 ? m : 1)) {
        return -4;
    }
    if (m == 0 || n == 0) {
        return 0;
    }
    const ptrdiff_t k = m < n ? m : n;
    if (k <= LAPACK_QR_NB0 / 2) { /* no blocks: no workspace */
        L_(geqr2)(m, n, a, lda, tau);
        return 0;
    }
    L_(qr_ws) ws[LAPACK_QR_LEVELS];
    level3_ws gws;
    void *buf = L_(qr_alloc)(m, n, B_(cm)(a, lda), ws, &gws);
    if (buf == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    L_(geqrf_blk)(m, n, a, lda, tau, LAPACK_QR_LEVELS - 1, ws, gws);
    gemm_free_aligned(buf);
    return 0;
}

/* LAPACK's org2r: Q's n columns from k reflectors, columns k..n starting
   as the identity's */
static void L_(org2r)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda, const T *tau)
{
    for (ptrdiff_t j = k; j < n; j++) {
        T *aj = a + j * lda;
        memset(aj, 0, (size_t)m * sizeof(T));
        aj[j] = 1;
    }
    for (ptrdiff_t i = k - 1; i >= 0; i--) {
        T *aii = a + i + i * lda;
        if (i + 1 < n) {
            *aii = 1;
            L_(larf)(m - i, n - i - 1, aii, tau[i], aii + lda, lda);
        }
        B_(scal)(m - i - 1, -tau[i], aii + 1);
        *aii = 1 - tau[i];
        memset(a + i * lda, 0, (size_t)i * sizeof(T));
    }
}

static void L_(orgqr_blk)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda, const T *tau, int level,
                          L_(qr_ws) *ws, level3_ws gws)
{
    if (level < 0 || k <= ws[level].nb / 2) {
        if (level < 0) {
            L_(org2r)(m, n, k, a, lda, tau);
        } else {
            L_(orgqr_blk)(m, n, k, a, lda, tau, level - 1, ws, gws);
        }
        return;
    }
    const ptrdiff_t nb = ws[level].nb;
    for (ptrdiff_t j = k; j < n; j++) {
        T *aj = a + j * lda;
        memset(aj, 0, (size_t)m * sizeof(T));
        aj[j] = 1;
    }
    for (ptrdiff_t j = (k - 1) / nb * nb; j >= 0; j -= nb) {
        const ptrdiff_t ib = k - j < nb ? k - j : nb;
        T *ajj = a + j + j * lda;
        if (j + ib < n) {
            L_(larft)(m - j, ib, ajj, lda, tau + j, &ws[level], gws);
            L_(larfb)(0, m - j, n - j - ib, ib, &ws[level], ajj + ib * lda, lda, gws);
        }
        L_(orgqr_blk)(m - j, ib, ib, ajj, lda, tau + j, level - 1, ws, gws);
        for (ptrdiff_t c = j; c < j + ib; c++) {
            memset(a + c * lda, 0, (size_t)j * sizeof(T));
        }
    }
}

static ptrdiff_t L_FN(orgqr)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda, const T *tau)
{
    if (m < 0) {
        return -1;
    }
    if (n < 0 || n > m) {
        return -2;
    }
    if (k < 0 || k > n) {
        return -3;
    }
    if (lda < (m > 1 ? m : 1)) {
        return -5;
    }
    if (n == 0) {
        return 0;
    }
    if (k <= LAPACK_QR_NB0 / 2) {
        L_(org2r)(m, n, k, a, lda, tau);
        return 0;
    }
    L_(qr_ws) ws[LAPACK_QR_LEVELS];
    level3_ws gws;
    void *buf = L_(qr_alloc)(m, n, B_(cm)(a, lda), ws, &gws);
    if (buf == NULL) {
        return HOSTLIB_LAPACK_ENOMEM;
    }
    L_(orgqr_blk)(m, n, k, a, lda, tau, LAPACK_QR_LEVELS - 1, ws, gws);
    gemm_free_aligned(buf);
    return 0;
}

#undef LAPACK_PASS
#undef T
#undef V
#undef LANES
#undef V_
#undef L_
#undef B_
#undef L_GEMM
#undef L_FN
#undef L_EPS
#undef L_TINY
#undef L_HUGE
#undef L_SQRT
#undef L_ABS

#endif /* LAPACK_PASS */
