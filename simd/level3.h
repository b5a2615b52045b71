/*
 * level3.h -- BLAS level-3 routines written once over the vector layer:
 * the triangular solve (trsm) and the symmetric rank-k update (syrk) in
 * float32 and float64, and the complex gemm and Hermitian rank-k update
 * (herk) in complex64 and complex128. The kernels interface's ABI 1.2
 * entries (row-major, like gemm.h: interface/kernels.toml documents their
 * arguments and status codes) and lapack.h's factorizations use this one
 * implementation.
 *
 * Include it after exactly one vector layer. It defines SIMD_HAVE_LEVEL3,
 * the view-based routines lapack.h calls (blas_f64_gemm, _trsm, _syrk,
 * on views, below), and, unless SIMD_BLAS_INTERNAL is defined, static
 * SIMD_NAME(<s|d>trsm), SIMD_NAME(<s|d>syrk), SIMD_NAME(<c|z>gemm) and
 * SIMD_NAME(<c|z>herk) with the signatures of hostlib_<entry>_fn.
 *
 * Matrices are views: (p, rs, cs), element (i, j) at p[i*rs + j*cs], with
 * rs == 1 (column-major) or cs == 1 (row-major). A transpose is a swap of
 * strides, so one triangular solve (left side, lower or upper view) and one
 * rank-k update (lower view) serve every case: X op(A) = B is
 * op(A)^T X^T = B^T, and an upper triangle is the lower one of the
 * transpose. Products go through this layer's row-major gemm (gemm.h).
 *
 *  - trsm: recursive (halves, a gemm between them) down to
 *    LEVEL3_TRSM_BASE rows, where a vector loop runs along whichever
 *    direction of B is contiguous (B's columns copied, LEVEL3_TRSM_CHUNK at
 *    a time, into a row-major stack buffer when they are the contiguous
 *    direction).
 *  - syrk: recursive; the off-diagonal blocks are gemms, the diagonal
 *    blocks (LEVEL3_SYRK_BASE wide) are computed into a buffer, so the
 *    other triangle is never written.
 *  - complex gemm: op(A) and op(B) copied into real and imaginary planes
 *    (conjugated as asked), four real gemms, and alpha and beta applied on
 *    the way back: the flops of a complex gemm at the real gemm's speed, for
 *    2 (mk + kn + mn) reals of workspace. herk likewise, with the real part
 *    as two syrks (one triangle) and the imaginary part as two gemms.
 *
 * Threads: the pool the including file names as LEVEL3_POOL (lapack.h:
 * hostlib's, set by its module's init code) splits gemms and solves of at
 * least LEVEL3_SPLIT_MIN multiply-adds into column blocks, as wide as
 * pool->width() allows (so the thread budget holds and nested calls run
 * on one thread). Each column of a result is computed by the same
 * operations whatever the split (gemm.h's promise), so results do not
 * depend on the thread count. Without LEVEL3_POOL (the kernels tables'
 * entries, which have no split class) everything runs on the caller.
 */
#ifndef BLAS3_PASS
#ifndef SIMD_LEVEL3_H
#define SIMD_LEVEL3_H
#define SIMD_HAVE_LEVEL3 1

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "hostlib_pool_api.h"

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before level3.h"
#endif
#include "level2.h"
#ifndef SIMD_HAVE_GEMM
#include "gemm.h"
#endif

/* the pool splitting large calls; none unless the including file names one */
#ifndef LEVEL3_POOL
#define LEVEL3_POOL ((const hostlib_pool_api *)NULL)
#endif
/* Splitting over the pool pays from ~30 us of work for two threads: about
   a million multiply-adds at the gemm's speed on one core. */
#ifndef LEVEL3_SPLIT_MIN
#define LEVEL3_SPLIT_MIN ((double)(1 << 20))
#endif
/* the narrowest column block a thread gets (a few gemm tiles) */
#ifndef LEVEL3_SPLIT_COLS
#define LEVEL3_SPLIT_COLS 32
#endif
#ifndef LEVEL3_TRSM_BASE
#define LEVEL3_TRSM_BASE 16
#endif
/* columns of a column-major B the triangular solve's base case transposes at once */
#ifndef LEVEL3_TRSM_CHUNK
#define LEVEL3_TRSM_CHUNK 64
#endif
#ifndef LEVEL3_SYRK_BASE
#define LEVEL3_SYRK_BASE 64
#endif

/* column block t of n columns cut into `parts`, each start a multiple of 8
   (whole vectors of the row-major gemm's packed panels) */
static inline ptrdiff_t level3_split_at(ptrdiff_t n, ptrdiff_t parts, ptrdiff_t t)
{
    if (t >= parts) {
        return n;
    }
    ptrdiff_t at = (ptrdiff_t)((double)n * (double)t / (double)parts);
    at = at / 8 * 8;
    return at < n ? at : n;
}

/* how many column blocks a job of `work` multiply-adds over n columns gets */
static inline ptrdiff_t level3_split_parts(double work, ptrdiff_t n)
{
    const hostlib_pool_api *pool = LEVEL3_POOL;
    if (pool == NULL || work < LEVEL3_SPLIT_MIN || n < 2 * LEVEL3_SPLIT_COLS) {
        return 1;
    }
    ptrdiff_t w = pool->width();
    ptrdiff_t most = n / LEVEL3_SPLIT_COLS;
    return w < most ? w : most;
}

/* a * b + c elements of `size` bytes, or 0 when that does not fit in size_t
   (a workspace that cannot be allocated) */
static inline size_t level3_bytes(size_t a, size_t b, size_t c, size_t size)
{
    if (a != 0 && b > SIZE_MAX / a) {
        return 0;
    }
    const size_t ab = a * b;
    if (c > SIZE_MAX - ab || ab + c > SIZE_MAX / size) {
        return 0;
    }
    return (ab + c) * size;
}

/* A caller's packing workspace for the gemms under one call (lapack.h's
   factorizations: one allocation per call, not one per gemm and per pool
   task): `count` slices of `slice` bytes, each GEMM_ALIGN-aligned. Pool
   task t computes in slice t, so a split runs at most `count` tasks; code
   on one thread uses slice 0. p == NULL: none, every gemm allocates its
   own (the kernels tables' entries, standalone calls). */
typedef struct {
    char *p;
    size_t slice;
    ptrdiff_t count;
} level3_ws;

#define LEVEL3_NO_WS ((level3_ws){NULL, 0, 0})

/* slice t, alone (what a pool task passes down) */
static inline level3_ws level3_ws_slice(level3_ws w, ptrdiff_t t)
{
    level3_ws s = {w.p == NULL ? NULL : w.p + (size_t)t * w.slice, w.slice, 1};
    return s;
}

/* a split into `parts` tasks, as many as the workspace has slices */
static inline ptrdiff_t level3_ws_parts(level3_ws w, ptrdiff_t parts)
{
    return w.p != NULL && parts > w.count ? w.count : parts;
}

/* One allocation for a call: `own` bytes of the caller's (first), then one
   slice of `slice` bytes for each task the pool may run at once (its width
   now; 1 without a pool). NULL if it fails or does not fit in size_t;
   free with gemm_free_aligned. */
static inline void *level3_ws_alloc(size_t own, size_t slice, level3_ws *w)
{
    const hostlib_pool_api *pool = LEVEL3_POOL;
    const int width = pool != NULL ? pool->width() : 1;
    const size_t count = width > 1 ? (size_t)width : 1, round = GEMM_ALIGN - 1;
    if (own > SIZE_MAX - round || slice > SIZE_MAX - round) {
        return NULL;
    }
    own = (own + round) / GEMM_ALIGN * GEMM_ALIGN;
    slice = (slice + round) / GEMM_ALIGN * GEMM_ALIGN;
    if (slice > (SIZE_MAX - own) / count) {
        return NULL;
    }
    char *p = (char *)gemm_alloc_aligned(own + slice * count);
    if (p == NULL) {
        return NULL;
    }
    w->p = slice > 0 ? p + own : NULL;
    w->slice = slice;
    w->count = (ptrdiff_t)count;
    return p;
}

#define BLAS3_PASS 1
#define T double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define B_(x) blas_f64_##x
#define B_GEMM SIMD_NAME(dgemm)
#define B_GEMM_WS SIMD_NAME(dgemm_ws)
#define B_GEMM_WS_BYTES SIMD_NAME(dgemm_ws_bytes)
#define B_FN(r) SIMD_NAME(d##r)
#define B_CFN(r) SIMD_NAME(z##r)
#define B_COMPLEX hostlib_complex128
#include "level3.h"

#define BLAS3_PASS 2
#define T float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define B_(x) blas_f32_##x
#define B_GEMM SIMD_NAME(sgemm)
#define B_GEMM_WS SIMD_NAME(sgemm_ws)
#define B_GEMM_WS_BYTES SIMD_NAME(sgemm_ws_bytes)
#define B_FN(r) SIMD_NAME(s##r)
#define B_CFN(r) SIMD_NAME(c##r)
#define B_COMPLEX hostlib_complex64
#include "level3.h"

#endif /* SIMD_LEVEL3_H */

#else /* BLAS3_PASS: the generic code, instantiated once per element type */

typedef struct {
    T *p;
    ptrdiff_t rs, cs;
} B_(mat);

/* a column-major matrix with leading dimension ld */
static inline B_(mat) B_(cm)(T *p, ptrdiff_t ld)
{
    B_(mat) m = {p, 1, ld};
    return m;
}
/* a row-major matrix with leading dimension ld */
static inline B_(mat) B_(rm)(T *p, ptrdiff_t ld)
{
    B_(mat) m = {p, ld, 1};
    return m;
}
static inline B_(mat) B_(sub)(B_(mat) a, ptrdiff_t i, ptrdiff_t j)
{
    B_(mat) m = {a.p + i * a.rs + j * a.cs, a.rs, a.cs};
    return m;
}
static inline B_(mat) B_(tr)(B_(mat) a)
{
    B_(mat) m = {a.p, a.cs, a.rs};
    return m;
}
#define B_AT(a, i, j) ((a).p[(i) * (a).rs + (j) * (a).cs])

/* ---------------- gemm on views, split over the pool ---------------- */

/* C = alpha A B + beta C (m x n, k), on one thread, in slice 0 of ws; C is
   not read when beta == 0 */
static void B_(gemm1)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, B_(mat) a, B_(mat) b, T beta, B_(mat) c,
                      level3_ws ws)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (c.cs != 1) {
        /* C column-major: C^T = B^T A^T, row-major */
        B_(gemm1)(n, m, k, alpha, B_(tr)(b), B_(tr)(a), beta, B_(tr)(c), ws);
        return;
    }
    /* C row-major, row stride c.rs; an operand with cs == 1 is row-major as stored */
    const int ta = a.cs != 1, tb = b.cs != 1;
    if (ws.p != NULL) {
        B_GEMM_WS(ta, tb, m, n, k, alpha, a.p, ta ? a.cs : a.rs, b.p, tb ? b.cs : b.rs, beta, c.p, c.rs, ws.p,
                  ws.slice);
    } else {
        B_GEMM(ta, tb, m, n, k, alpha, a.p, ta ? a.cs : a.rs, b.p, tb ? b.cs : b.rs, beta, c.p, c.rs);
    }
}

/* The workspace bounds: the bytes of one slice that the gemms of a call
   below take at most (B_GEMM_WS_BYTES, with the dimensions B_GEMM gets:
   swapped for a column-major C, as B_(gemm1) swaps them). gemm: m x n of
   C (the view c), depth k. */
static inline size_t B_(gemm_ws)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, B_(mat) c)
{
    return c.cs != 1 ? B_GEMM_WS_BYTES(n, m, k) : B_GEMM_WS_BYTES(m, n, k);
}

typedef struct {
    ptrdiff_t m, n, k, parts;
    T alpha, beta;
    B_(mat) a, b, c;
    level3_ws ws;
} B_(gemm_job);

static void B_(gemm_task)(void *ctx, ptrdiff_t t)
{
    const B_(gemm_job) *g = (const B_(gemm_job) *)ctx;
    const ptrdiff_t j0 = level3_split_at(g->n, g->parts, t), j1 = level3_split_at(g->n, g->parts, t + 1);
    B_(gemm1)(g->m, j1 - j0, g->k, g->alpha, g->a, B_(sub)(g->b, 0, j0), g->beta, B_(sub)(g->c, 0, j0),
              level3_ws_slice(g->ws, t));
}

static void B_(gemm)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, B_(mat) a, B_(mat) b, T beta, B_(mat) c,
                     level3_ws ws)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    const ptrdiff_t parts = level3_ws_parts(ws, level3_split_parts((double)m * (double)n * (double)k, n));
    if (parts > 1) {
        B_(gemm_job) g = {m, n, k, parts, alpha, beta, a, b, c, ws};
        LEVEL3_POOL->run(B_(gemm_task), &g, parts, (int)parts);
        return;
    }
    B_(gemm1)(m, n, k, alpha, a, b, beta, c, ws);
}

/* ---------------- triangular solve: A X = B, A triangular on the left ---------------- */

/* n <= LEVEL3_TRSM_BASE: along B's contiguous direction */
static void B_(trsm_base)(int upper, int unit, ptrdiff_t n, ptrdiff_t nrhs, B_(mat) a, B_(mat) b)
{
    if (b.cs == 1 && nrhs > 1) { /* rows of B contiguous: row operations */
        for (ptrdiff_t s = 0; s < n; s++) {
            const ptrdiff_t k = upper ? n - 1 - s : s;
            T *bk = b.p + k * b.rs;
            if (!unit) {
                B_(div)(nrhs, B_AT(a, k, k), bk);
            }
            const ptrdiff_t i0 = upper ? 0 : k + 1, i1 = upper ? k : n;
            for (ptrdiff_t i = i0; i < i1; i++) {
                B_(axpy)(nrhs, -B_AT(a, i, k), bk, b.p + i * b.rs);
            }
        }
        return;
    }
    if (b.rs == 1 && nrhs > 1) {
        /* columns of B contiguous (getrf's and getrs' column-major B): the
           columns' axpys would be shorter than n, mostly tails; copied in
           chunks of LEVEL3_TRSM_CHUNK columns into a row-major buffer, the
           row operations above run LEVEL3_TRSM_CHUNK long (the same
           operations on every element, in the same order) */
        T buf[LEVEL3_TRSM_BASE * LEVEL3_TRSM_CHUNK];
        for (ptrdiff_t j0 = 0; j0 < nrhs; j0 += LEVEL3_TRSM_CHUNK) {
            const ptrdiff_t w = nrhs - j0 < LEVEL3_TRSM_CHUNK ? nrhs - j0 : LEVEL3_TRSM_CHUNK;
            if (w == 1) { /* a last single column: in place */
                B_(trsm_base)(upper, unit, n, 1, a, B_(sub)(b, 0, j0));
                break;
            }
            for (ptrdiff_t j = 0; j < w; j++) {
                const T *bj = b.p + (j0 + j) * b.cs;
                for (ptrdiff_t k = 0; k < n; k++) {
                    buf[k * LEVEL3_TRSM_CHUNK + j] = bj[k];
                }
            }
            const B_(mat) t = {buf, LEVEL3_TRSM_CHUNK, 1};
            B_(trsm_base)(upper, unit, n, w, a, t);
            for (ptrdiff_t j = 0; j < w; j++) {
                T *bj = b.p + (j0 + j) * b.cs;
                for (ptrdiff_t k = 0; k < n; k++) {
                    bj[k] = buf[k * LEVEL3_TRSM_CHUNK + j];
                }
            }
        }
        return;
    }
    /* one column, or columns strided: column by column */
    for (ptrdiff_t j = 0; j < nrhs; j++) {
        T *bj = b.p + j * b.cs;
        const ptrdiff_t inc = b.rs;
        if (inc != 1) { /* one strided column: plain loops */
            for (ptrdiff_t s = 0; s < n; s++) {
                const ptrdiff_t k = upper ? n - 1 - s : s;
                if (!unit) {
                    bj[k * inc] /= B_AT(a, k, k);
                }
                const T x = bj[k * inc];
                const ptrdiff_t i0 = upper ? 0 : k + 1, i1 = upper ? k : n;
                for (ptrdiff_t i = i0; i < i1; i++) {
                    bj[i * inc] -= x * B_AT(a, i, k);
                }
            }
            continue;
        }
        for (ptrdiff_t s = 0; s < n; s++) {
            const ptrdiff_t k = upper ? n - 1 - s : s;
            if (!unit) {
                bj[k] /= B_AT(a, k, k);
            }
            const T x = bj[k];
            if (upper) {
                B_(axpy_sx)(k, -x, &B_AT(a, 0, k), a.rs, bj);
            } else {
                B_(axpy_sx)(n - k - 1, -x, &B_AT(a, k + 1, k), a.rs, bj + k + 1);
            }
        }
    }
}

static void B_(trsm_rec)(int upper, int unit, ptrdiff_t n, ptrdiff_t nrhs, B_(mat) a, B_(mat) b, level3_ws ws)
{
    if (n <= 0 || nrhs <= 0) {
        return;
    }
    if (n <= LEVEL3_TRSM_BASE) {
        B_(trsm_base)(upper, unit, n, nrhs, a, b);
        return;
    }
    ptrdiff_t n1 = n / 2;
    if (n1 > 2 * LEVEL3_TRSM_BASE) {
        n1 = n1 / LEVEL3_TRSM_BASE * LEVEL3_TRSM_BASE;
    }
    const ptrdiff_t n2 = n - n1;
    if (!upper) {
        B_(trsm_rec)(0, unit, n1, nrhs, a, b, ws);
        B_(gemm)(n2, nrhs, n1, -1, B_(sub)(a, n1, 0), b, 1, B_(sub)(b, n1, 0), ws);
        B_(trsm_rec)(0, unit, n2, nrhs, B_(sub)(a, n1, n1), B_(sub)(b, n1, 0), ws);
    } else {
        B_(trsm_rec)(1, unit, n2, nrhs, B_(sub)(a, n1, n1), B_(sub)(b, n1, 0), ws);
        B_(gemm)(n1, nrhs, n2, -1, B_(sub)(a, 0, n1), B_(sub)(b, n1, 0), 1, b, ws);
        B_(trsm_rec)(1, unit, n1, nrhs, a, b, ws);
    }
}

typedef struct {
    int upper, unit;
    ptrdiff_t n, nrhs, parts;
    B_(mat) a, b;
    level3_ws ws;
} B_(trsm_job);

static void B_(trsm_task)(void *ctx, ptrdiff_t t)
{
    const B_(trsm_job) *s = (const B_(trsm_job) *)ctx;
    const ptrdiff_t j0 = level3_split_at(s->nrhs, s->parts, t), j1 = level3_split_at(s->nrhs, s->parts, t + 1);
    B_(trsm_rec)(s->upper, s->unit, s->n, j1 - j0, s->a, B_(sub)(s->b, 0, j0), level3_ws_slice(s->ws, t));
}

/* A X = B for the n x n lower (upper) triangular view a, B n x nrhs
   overwritten by X; the columns of B are independent: a large solve is
   split by them */
static void B_(trsm)(int upper, int unit, ptrdiff_t n, ptrdiff_t nrhs, B_(mat) a, B_(mat) b, level3_ws ws)
{
    if (n <= 0 || nrhs <= 0) {
        return;
    }
    const ptrdiff_t parts = level3_ws_parts(ws, level3_split_parts(0.5 * (double)n * (double)n * (double)nrhs, nrhs));
    if (parts > 1) {
        B_(trsm_job) s = {upper, unit, n, nrhs, parts, a, b, ws};
        LEVEL3_POOL->run(B_(trsm_task), &s, parts, (int)parts);
        return;
    }
    B_(trsm_rec)(upper, unit, n, nrhs, a, b, ws);
}

/* trsm's workspace bound: its gemms update at most n / 2 + LEVEL3_TRSM_BASE
   rows of b (trsm_rec's halves) by as many */
static inline size_t B_(trsm_ws)(ptrdiff_t n, ptrdiff_t nrhs, B_(mat) b)
{
    const ptrdiff_t h = n / 2 + LEVEL3_TRSM_BASE;
    return n > LEVEL3_TRSM_BASE ? B_(gemm_ws)(h, nrhs, h, b) : 0;
}

/* ---------------- symmetric rank-k update on a lower view ---------------- */

/* C = alpha X X^T + beta C on C's lower triangle only (n x n, X n x k,
   k >= 1); C is not read when beta == 0; ws holds LEVEL3_SYRK_BASE^2
   elements, the gemms pack in gws */
static void B_(syrk)(ptrdiff_t n, ptrdiff_t k, T alpha, B_(mat) x, T beta, B_(mat) c, T *ws, level3_ws gws)
{
    if (n <= 0) {
        return;
    }
    if (n <= LEVEL3_SYRK_BASE) {
        const B_(mat) w = B_(cm)(ws, n);
        B_(gemm1)(n, n, k, alpha, x, B_(tr)(x), 0, w, gws);
        for (ptrdiff_t j = 0; j < n; j++) {
            for (ptrdiff_t i = j; i < n; i++) {
                T *cij = &B_AT(c, i, j);
                *cij = beta == 0 ? ws[i + j * n] : beta == 1 ? *cij + ws[i + j * n] : beta * *cij + ws[i + j * n];
            }
        }
        return;
    }
    ptrdiff_t n1 = n / 2;
    n1 = n1 / 16 * 16 > 0 ? n1 / 16 * 16 : n1;
    B_(syrk)(n1, k, alpha, x, beta, c, ws, gws);
    B_(gemm)(n - n1, n1, k, alpha, B_(sub)(x, n1, 0), B_(tr)(x), beta, B_(sub)(c, n1, 0), gws);
    B_(syrk)(n - n1, k, alpha, B_(sub)(x, n1, 0), beta, B_(sub)(c, n1, n1), ws, gws);
}

/* syrk's workspace bound: its off-diagonal gemms are at most
   n / 2 + 16 square (the halves, cut at multiples of 16), its diagonal
   blocks min(n, LEVEL3_SYRK_BASE) */
static inline size_t B_(syrk_ws)(ptrdiff_t n, ptrdiff_t k)
{
    const ptrdiff_t base = n < LEVEL3_SYRK_BASE ? n : LEVEL3_SYRK_BASE;
    const ptrdiff_t h = n / 2 + 16 > base ? n / 2 + 16 : base;
    return B_GEMM_WS_BYTES(h, h, k);
}

#ifndef SIMD_BLAS_INTERNAL

/* ---------------- the real entries (row-major) ---------------- */

/* C = beta C on the lower triangle of the view (beta == 0: zeros, C not read) */
static void B_(scale_lower)(ptrdiff_t n, T beta, B_(mat) c)
{
    if (beta == 1) {
        return;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        for (ptrdiff_t i = j; i < n; i++) {
            B_AT(c, i, j) = beta == 0 ? 0 : beta * B_AT(c, i, j);
        }
    }
}


static int B_FN(trsm)(int side, int uplo, int trans, int diag, ptrdiff_t m, ptrdiff_t n, T alpha, const T *a,
                      ptrdiff_t lda, T *b, ptrdiff_t ldb)
{
    const int bad = blas_trsm_args(side, uplo, trans, diag, m, n, lda, ldb);
    if (bad) {
        return bad;
    }
    if (m == 0 || n == 0) {
        return 0;
    }
    const B_(mat) bv = B_(rm)(b, ldb);
    if (alpha != 1) { /* B = alpha B first (alpha == 0: zeros, A not read) */
        for (ptrdiff_t i = 0; i < m; i++) {
            if (alpha == 0) {
                for (ptrdiff_t j = 0; j < n; j++) {
                    b[i * ldb + j] = 0;
                }
            } else {
                B_(scal)(n, alpha, b + i * ldb);
            }
        }
        if (alpha == 0) {
            return 0;
        }
    }
    /* op(A) as a view, and whether it is upper triangular */
    const B_(mat) av = B_(rm)((T *)a, lda);
    const int t = trans != HOSTLIB_NOTRANS;
    const B_(mat) op = t ? B_(tr)(av) : av;
    const int upper = (uplo == HOSTLIB_UPPER) != t;
    const int unit = diag == HOSTLIB_UNIT;
    if (side == HOSTLIB_LEFT) {
        B_(trsm)(upper, unit, m, n, op, bv, LEVEL3_NO_WS);
    } else { /* X op(A) = B is op(A)^T X^T = B^T */
        B_(trsm)(!upper, unit, n, m, B_(tr)(op), B_(tr)(bv), LEVEL3_NO_WS);
    }
    return 0;
}

static int B_FN(syrk)(int uplo, int trans, ptrdiff_t n, ptrdiff_t k, T alpha, const T *a, ptrdiff_t lda, T beta,
                      T *c, ptrdiff_t ldc)
{
    const int bad = blas_syrk_args(0, uplo, trans, n, k, lda, ldc);
    if (bad) {
        return bad;
    }
    const int t = trans != HOSTLIB_NOTRANS;
    if (n == 0) {
        return 0;
    }
    /* C's upper triangle (row-major) is the lower one of C^T, and C^T = C */
    const B_(mat) cv = uplo == HOSTLIB_LOWER ? B_(rm)(c, ldc) : B_(tr)(B_(rm)(c, ldc));
    if (k == 0 || alpha == 0) {
        B_(scale_lower)(n, beta, cv);
        return 0;
    }
    T *ws = (T *)gemm_alloc_aligned((size_t)LEVEL3_SYRK_BASE * LEVEL3_SYRK_BASE * sizeof(T));
    if (ws == NULL) {
        return HOSTLIB_ENOMEM;
    }
    const B_(mat) x = t ? B_(tr)(B_(rm)((T *)a, lda)) : B_(rm)((T *)a, lda);
    B_(syrk)(n, k, alpha, x, beta, cv, ws, LEVEL3_NO_WS);
    gemm_free_aligned(ws);
    return 0;
}

/* ---------------- the complex entries (row-major), over the real gemm ---------------- */

/* op(M) (rows x cols, from the row-major complex m with leading dimension
   ld) into the contiguous row-major planes re and im; conjugated for
   HOSTLIB_CONJTRANS */
static void B_(planes)(int trans, ptrdiff_t rows, ptrdiff_t cols, const B_COMPLEX *m, ptrdiff_t ld, T *re, T *im)
{
    const T s = trans == HOSTLIB_CONJTRANS ? -1 : 1;
    if (trans == HOSTLIB_NOTRANS) {
        for (ptrdiff_t i = 0; i < rows; i++) {
            for (ptrdiff_t j = 0; j < cols; j++) {
                re[i * cols + j] = m[i * ld + j].re;
                im[i * cols + j] = m[i * ld + j].im;
            }
        }
        return;
    }
    /* op(M)[i, j] = M[j, i]: read along M's rows, write down the planes' columns */
    for (ptrdiff_t j = 0; j < cols; j++) {
        for (ptrdiff_t i = 0; i < rows; i++) {
            re[i * cols + j] = m[j * ld + i].re;
            im[i * cols + j] = s * m[j * ld + i].im;
        }
    }
}

/* c = alpha p + beta c for one element (c not read when beta == 0) */
static inline void B_(combine)(B_COMPLEX alpha, T pr, T pi, B_COMPLEX beta, B_COMPLEX *c)
{
    T re = alpha.re * pr - alpha.im * pi;
    T im = alpha.re * pi + alpha.im * pr;
    if (beta.re != 0 || beta.im != 0) {
        const B_COMPLEX v = *c;
        re += beta.re * v.re - beta.im * v.im;
        im += beta.re * v.im + beta.im * v.re;
    }
    c->re = re;
    c->im = im;
}

static int B_CFN(gemm)(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, B_COMPLEX alpha,
                       const B_COMPLEX *a, ptrdiff_t lda, const B_COMPLEX *b, ptrdiff_t ldb, B_COMPLEX beta,
                       B_COMPLEX *c, ptrdiff_t ldc)
{
    const int bad = blas_gemm_args(trans_a, trans_b, m, n, k, lda, ldb, ldc);
    if (bad) {
        return bad;
    }
    if (m == 0 || n == 0) {
        return 0;
    }
    const B_COMPLEX zero = {0, 0};
    if (k == 0 || (alpha.re == 0 && alpha.im == 0)) { /* C = beta C; A and B are not read */
        for (ptrdiff_t i = 0; i < m; i++) {
            for (ptrdiff_t j = 0; j < n; j++) {
                B_(combine)(zero, 0, 0, beta, c + i * ldc + j);
            }
        }
        return 0;
    }
    /* 2 (m k + k n + m n) reals: 2 (m + n) k + 2 m n */
    size_t bytes = 0; /* m, n >= 1 here */
    if ((size_t)m <= SIZE_MAX / 4 && (size_t)n <= SIZE_MAX / 4 && (size_t)m <= SIZE_MAX / 2 / (size_t)n) {
        bytes = level3_bytes(2 * (size_t)m + 2 * (size_t)n, (size_t)k, 2 * (size_t)m * (size_t)n, sizeof(T));
    }
    T *w = bytes == 0 ? NULL : (T *)gemm_alloc_aligned(bytes);
    if (w == NULL) {
        return HOSTLIB_ENOMEM;
    }
    const size_t mk = (size_t)m * (size_t)k, kn = (size_t)k * (size_t)n, mn = (size_t)m * (size_t)n;
    T *ar = w, *ai = ar + mk, *br = ai + mk, *bi = br + kn, *pr = bi + kn, *pi = pr + mn;
    B_(planes)(trans_a, m, k, a, lda, ar, ai);
    B_(planes)(trans_b, k, n, b, ldb, br, bi);
    /* (ar + i ai)(br + i bi) = ar br - ai bi + i (ar bi + ai br) */
    B_GEMM(0, 0, m, n, k, 1, ar, k, br, n, 0, pr, n);
    B_GEMM(0, 0, m, n, k, -1, ai, k, bi, n, 1, pr, n);
    B_GEMM(0, 0, m, n, k, 1, ar, k, bi, n, 0, pi, n);
    B_GEMM(0, 0, m, n, k, 1, ai, k, br, n, 1, pi, n);
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            B_(combine)(alpha, pr[i * n + j], pi[i * n + j], beta, c + i * ldc + j);
        }
    }
    gemm_free_aligned(w);
    return 0;
}

static int B_CFN(herk)(int uplo, int trans, ptrdiff_t n, ptrdiff_t k, T alpha, const B_COMPLEX *a, ptrdiff_t lda,
                       T beta, B_COMPLEX *c, ptrdiff_t ldc)
{
    const int bad = blas_syrk_args(1, uplo, trans, n, k, lda, ldc);
    if (bad) {
        return bad;
    }
    if (n == 0) {
        return 0;
    }
    const int lower = uplo == HOSTLIB_LOWER;
    if (k == 0 || alpha == 0) { /* C = beta C on the triangle, the diagonal made real */
        for (ptrdiff_t i = 0; i < n; i++) {
            const ptrdiff_t j0 = lower ? 0 : i, j1 = lower ? i + 1 : n;
            for (ptrdiff_t j = j0; j < j1; j++) {
                B_COMPLEX *cij = c + i * ldc + j;
                cij->re = beta == 0 ? 0 : beta * cij->re;
                cij->im = beta == 0 || i == j ? 0 : beta * cij->im;
            }
        }
        return 0;
    }
    /* 2 (n k + n n) reals and syrk's buffer: 2 n (k + n) + LEVEL3_SYRK_BASE^2 */
    const size_t bytes = (size_t)n > SIZE_MAX / 4 || (size_t)k > SIZE_MAX / 4
                             ? 0
                             : level3_bytes(2 * (size_t)n, (size_t)k + (size_t)n,
                                            (size_t)LEVEL3_SYRK_BASE * LEVEL3_SYRK_BASE, sizeof(T));
    T *w = bytes == 0 ? NULL : (T *)gemm_alloc_aligned(bytes);
    if (w == NULL) {
        return HOSTLIB_ENOMEM;
    }
    const size_t nk = (size_t)n * (size_t)k, nn = (size_t)n * (size_t)n;
    T *xr = w, *xi = xr + nk, *pr = xi + nk, *pi = pr + nn, *ws = pi + nn;
    B_(planes)(trans, n, k, a, lda, xr, xi); /* X = op(A), n x k */
    /* X X^H = xr xr^T + xi xi^T + i (xi xr^T - xr xi^T): the real part is
       symmetric (two syrks, pr's lower triangle), the imaginary part
       antisymmetric (two gemms, all of pi) */
    const B_(mat) pv = B_(rm)(pr, n);
    B_(syrk)(n, k, 1, B_(rm)(xr, k), 0, pv, ws, LEVEL3_NO_WS);
    B_(syrk)(n, k, 1, B_(rm)(xi, k), 1, pv, ws, LEVEL3_NO_WS);
    B_GEMM(0, 1, n, n, k, 1, xi, k, xr, k, 0, pi, n);
    B_GEMM(0, 1, n, n, k, -1, xr, k, xi, k, 1, pi, n);
    for (ptrdiff_t i = 0; i < n; i++) {
        const ptrdiff_t j0 = lower ? 0 : i, j1 = lower ? i + 1 : n;
        for (ptrdiff_t j = j0; j < j1; j++) {
            B_COMPLEX *cij = c + i * ldc + j;
            const T re = alpha * (lower ? pr[i * n + j] : pr[j * n + i]);
            const T im = i == j ? 0 : alpha * pi[i * n + j];
            cij->re = beta == 0 ? re : re + beta * cij->re;
            cij->im = beta == 0 || i == j ? im : im + beta * cij->im;
        }
    }
    gemm_free_aligned(w);
    return 0;
}

#endif /* SIMD_BLAS_INTERNAL */

#undef BLAS3_PASS
#undef T
#undef V
#undef LANES
#undef V_
#undef B_
#undef B_GEMM
#undef B_GEMM_WS
#undef B_GEMM_WS_BYTES
#undef B_FN
#undef B_CFN
#undef B_COMPLEX

#endif /* BLAS3_PASS */
