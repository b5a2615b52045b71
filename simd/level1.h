/*
 * level1.h -- hostlib's level-1 kernels, written once for every instruction
 * set (Highway's idea: one algorithm, re-compiled per target; only the thin
 * vector layer differs).
 *
 * Include it after exactly one vector layer (vec_scalar.h, vec_sse2.h,
 * vec_avx2.h, ...). It defines static functions SIMD_NAME(saxpy) ...
 * SIMD_NAME(dsum) with the signatures of hostlib_<name>_fn. Strides are
 * numpy-style: element i of x is x[i*incx], incx may be negative or 0 (x
 * points at logical element 0); n <= 0 does nothing and reductions return 0.
 *
 * What a layer provides, for V in {vf64, vf32} (types VF64/VF32, lane counts
 * VF64_LANES/VF32_LANES); simd/LAYERS.md is the full contract (special
 * values, flags, tails), tests/test_layers.py checks it for every layer:
 *   V_load, V_loadu, V_store, V_storeu   aligned / unaligned contiguous access
 *   V_loads(p, inc), V_stores(p, inc, v) lanes p[k*inc] (any inc, even 0)
 *   V_loadn(p, n), V_loadsn(p, inc, n)   the first n lanes (0 <= n <= lanes),
 *                                        contiguous or strided, other lanes
 *                                        +0, reading nothing beyond
 *   V_set1, V_zero, V_add, V_mul, V_abs
 *   V_fma(a, b, c)                       a*b + c (fused where the ISA can)
 *   V_max(a, b)                          the larger of a and b; b when a is a
 *                                        NaN (b is never NaN here; of two
 *                                        zeros, either: simd/LAYERS.md)
 *   V_hsum, V_hmax                       reduce the lanes to a scalar
 *   vf64_loadu_f32, vf64_loads_f32, vf64_loadn_f32, vf64_loadsn_f32
 *                                        float32 elements widened to VF64
 *   vf64_cvt_f32_lo, vf64_cvt_f32_hi     a VF32's halves widened to VF64
 *   sf64_fma, sf32_fma                   scalar a*b + c rounded like V_fma
 *   SIMD_NAME(x)                         prefixes the function names
 *   SIMD_LAYER_FEATURES                  the HOSTLIB_CPU_* bits it needs
 *
 * Layout: the file includes itself once per "pass" (L1_PASS); each pass
 * instantiates the generic code at the bottom for one element type:
 *   pass 1: float64 elements in float64 lanes -> the d kernels
 *   pass 2: float32 elements in float32 lanes -> the s kernels
 *   pass 3: float32 elements in float64 lanes -> only the reduction engine,
 *           for snrm2's sum of squares
 * nrm2, whose algorithm differs between the two types, follows the passes.
 */
#ifndef L1_PASS
#ifndef SIMD_LEVEL1_H
#define SIMD_LEVEL1_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before level1.h"
#endif
#include "layer_api.h"

#if defined(__GNUC__) || defined(__clang__)
#define L1_INLINE static inline __attribute__((always_inline))
#define L1_COLD static __attribute__((noinline, cold))
#elif defined(_MSC_VER)
#define L1_INLINE static __forceinline
#define L1_COLD static __declspec(noinline)
#else
#define L1_INLINE static inline
#define L1_COLD static
#endif

/* The reductions share one engine. `op` is a constant at every call site,
   and the engine is force-inlined, so each use compiles to its own loop. */
enum {
    L1_SUM,          /* x */
    L1_ASUM,         /* |x| */
    L1_DOT,          /* x * y */
    L1_SUMSQ,        /* x * x */
    L1_SUMSQ_SCALED, /* (x * scale)^2 */
    L1_MAXABS        /* max |x|, NaNs skipped */
};

/* Contiguous loops keep 4 independent vector accumulators (hides add/FMA
   latency). A reduction block is 16 rounds of them, so every accumulator
   lane adds at most 16 elements before blocks are combined pairwise: the
   error bound of numpy's pairwise sum (8 accumulators over 128 elements). */
#define L1_BLOCK_VECTORS 64

/* pass 1: float64 */
#define L1_PASS 1
#define T double
#define TIN double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define S_(op) sf64_##op
#define L1_LOADU vf64_loadu
#define L1_LOADS vf64_loads
#define L1_LOADN vf64_loadn
#define L1_LOADSN vf64_loadsn
#define L1_(x) l1_f64_##x
#define L1_NAME(x) SIMD_NAME(d##x)
#define L1_RW 32
#include "level1.h"
/* (the pass undefines its parameters at its end) */

/* pass 2: float32 */
#define L1_PASS 2
#define T float
#define TIN float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define S_(op) sf32_##op
#define L1_LOADU vf32_loadu
#define L1_LOADS vf32_loads
#define L1_LOADN vf32_loadn
#define L1_LOADSN vf32_loadsn
#define L1_(x) l1_f32_##x
#define L1_NAME(x) SIMD_NAME(s##x)
#define L1_RW 64
#include "level1.h"

/* pass 3: float32 elements accumulated in float64 lanes */
#define L1_PASS 3
#define T double
#define TIN float
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define L1_LOADU vf64_loadu_f32
#define L1_LOADS vf64_loads_f32
#define L1_LOADN vf64_loadn_f32
#define L1_LOADSN vf64_loadsn_f32
#define L1_(x) l1_f32w_##x
#define L1_RW 32
#include "level1.h"

/* Rare cases of dnrm2: an inf or nan, an overflowed sum, or a sum so small
   that squares lost bits to underflow. `ss` is the plain sum of squares;
   `repro` selects the reproducible engine for the scaled sum (the maximum
   does not depend on the order). */
static double l1_dnrm2_rescaled(ptrdiff_t n, const double *x, ptrdiff_t incx, double ss, int repro)
{
    const double amax = l1_f64_reduce_any(L1_MAXABS, n, x, incx, NULL, 0, 0.0);
    if (amax == HUGE_VAL) {
        return HUGE_VAL; /* inf wins over nan, as in math.hypot */
    }
    if (ss != ss) {
        return ss; /* a nan (squares are >= 0, so only a nan makes one) */
    }
    if (amax == 0.0) {
        return 0.0;
    }
    /* Scaling by 2^k is exact and brings amax to [1, 2): the squares then
       neither overflow nor lose relevant bits. k is capped so that 2^k stays
       a normal number; a subnormal amax still lands in [2^-51, 1). */
    int k = -ilogb(amax);
    if (k > DBL_MAX_EXP - 1) {
        k = DBL_MAX_EXP - 1;
    }
    const double scale = ldexp(1.0, k);
    const double s = repro ? l1_f64_rreduce_any(L1_SUMSQ_SCALED, n, x, incx, NULL, 0, scale)
                           : l1_f64_reduce_any(L1_SUMSQ_SCALED, n, x, incx, NULL, 0, scale);
    return ldexp(sqrt(s), -k);
}

L1_INLINE double l1_dnrm2(ptrdiff_t n, const double *x, ptrdiff_t incx, int repro)
{
    if (n <= 0) {
        return 0.0;
    }
    /* One fast pass without scaling. Its result is accurate when finite and
       not tiny: squares below 2^-1022 lose bits, but relative to a sum above
       ~2^-600 those bits are far below rounding error. */
    const double ss = repro ? l1_f64_rreduce_any(L1_SUMSQ, n, x, incx, NULL, 0, 1.0)
                            : l1_f64_reduce_any(L1_SUMSQ, n, x, incx, NULL, 0, 1.0);
    if (ss >= 1e-180 && ss <= DBL_MAX) { /* 1e-180 ~ 2^-598 */
        return sqrt(ss);
    }
    return l1_dnrm2_rescaled(n, x, incx, ss, repro);
}

/* snrm2's fast sum of squares: float32 arithmetic within a reduction block
   (every accumulator lane adds at most L1_BLOCK_VECTORS / 4 = 16 squares,
   then 2 pairwise combines), the blocks' partials added in float64. The
   terms are all >= 0, so the relative error is at most ~17 u (u = 2^-24)
   of the sum, ~9 u of the norm; typically well under one unit. Twice the
   elements per instruction of widening every element to float64, which
   is what the reproducible engine and the rare cases below still do.
   Squares overflow above ~1.8e19 and underflow below ~1e-19: the caller
   checks the result and redoes those cases in float64. */
/* the blocks' float32 partials, widened and added in float64: both halves
   of the vector (the scalar layer's one lane is both its "halves") */
L1_INLINE void l1_snrm2_add_block(VF64 *acc, VF32 p)
{
    acc[0] = vf64_add(acc[0], vf64_cvt_f32_lo(p));
    if (VF32_LANES > 1) {
        acc[1] = vf64_add(acc[1], vf64_cvt_f32_hi(p));
    }
}

L1_INLINE double l1_snrm2_sumsq_f32(ptrdiff_t n, const float *x, ptrdiff_t incx)
{
    enum { BLOCK = L1_BLOCK_VECTORS * VF32_LANES };
    const l1_f32_src s = {x, NULL, incx, 0, vf32_set1(1.0f)};
    VF64 acc[2] = {vf64_zero(), vf64_zero()};
    ptrdiff_t i = 0;
    /* whole blocks with a constant length, so that the block's loop
       compiles without remainder paths (with them, GCC kept ~20 address
       counters on the stack and updated them every block: avx512 ran
       at 33 ps/element, 1.8x its sum's time) */
    if (incx == 1) {
        for (; n - i >= BLOCK; i += BLOCK) {
            l1_snrm2_add_block(acc, l1_f32_block(L1_SUMSQ, 1, &s, i, BLOCK));
        }
    } else {
        for (; n - i >= BLOCK; i += BLOCK) {
            l1_snrm2_add_block(acc, l1_f32_block(L1_SUMSQ, 0, &s, i, BLOCK));
        }
    }
    if (i < n) {
        l1_snrm2_add_block(acc, incx == 1 ? l1_f32_block(L1_SUMSQ, 1, &s, i, n - i)
                                          : l1_f32_block(L1_SUMSQ, 0, &s, i, n - i));
    }
    return vf64_hsum(vf64_add(acc[0], acc[1]));
}

L1_INLINE float l1_snrm2(ptrdiff_t n, const float *x, ptrdiff_t incx, int repro)
{
    if (n <= 0) {
        return 0.0f;
    }
    /* A sum of squares of at least 2^-40 lost nothing that matters to
       underflow: squares below 2^-126, however many (n < 2^40), add less
       than 2^-86. Inf or nan: an overflow, or an inf or nan in x. */
    if (!repro) {
        const double ss = l1_snrm2_sumsq_f32(n, x, incx);
        if (ss >= 0x1p-40 && ss <= DBL_MAX) {
            return (float)sqrt(ss);
        }
    }
    /* float32 squares are exact in float64, and their sum can neither
       overflow nor underflow: no scaling needed. */
    const double ss = repro ? l1_f32w_rreduce_any(L1_SUMSQ, n, x, incx, NULL, 0, 1.0)
                            : l1_f32w_reduce_any(L1_SUMSQ, n, x, incx, NULL, 0, 1.0);
    if (ss != ss && l1_f32_reduce_any(L1_MAXABS, n, x, incx, NULL, 0, 0.0f) == HUGE_VALF) {
        return HUGE_VALF; /* a nan, but inf wins as in math.hypot */
    }
    return (float)sqrt(ss);
}

static double SIMD_NAME(dnrm2)(ptrdiff_t n, const double *x, ptrdiff_t incx)
{
    return l1_dnrm2(n, x, incx, 0);
}

static float SIMD_NAME(snrm2)(ptrdiff_t n, const float *x, ptrdiff_t incx)
{
    return l1_snrm2(n, x, incx, 0);
}

static double SIMD_NAME(dnrm2_r)(ptrdiff_t n, const double *x, ptrdiff_t incx)
{
    return l1_dnrm2(n, x, incx, 1);
}

static float SIMD_NAME(snrm2_r)(ptrdiff_t n, const float *x, ptrdiff_t incx)
{
    return l1_snrm2(n, x, incx, 1);
}

/* The layer can fill a reproducible table (simd/kernels_table.h). */
#define SIMD_HAVE_REPRODUCIBLE 1

#endif /* SIMD_LEVEL1_H */

#else /* L1_PASS: the generic code, instantiated once per pass */

/* ---------------- the reduction engine (every pass) ---------------- */

/* What a reduction reads. */
typedef struct {
    const TIN *x;
    const TIN *y; /* L1_DOT only */
    ptrdiff_t incx, incy;
    V scale; /* L1_SUMSQ_SCALED only */
} L1_(src);

/* Elements before p reaches a multiple of one vector load's size (at most
   n): aligned accesses never straddle cache lines, which costs ~40% on
   data in L1/L2 (numpy only guarantees 16-byte alignment). */
L1_INLINE ptrdiff_t L1_(head)(const TIN *p, ptrdiff_t n)
{
    const uintptr_t bytes = LANES * sizeof(TIN), addr = (uintptr_t)(const void *)p;
    const ptrdiff_t h = addr % sizeof(TIN) ? 0 : (ptrdiff_t)((bytes - addr % bytes) % bytes / sizeof(TIN));
    return h < n ? h : n;
}

/* LANES elements starting at element j; `unit` is a constant: inc == 1 */
L1_INLINE V L1_(load)(const TIN *p, ptrdiff_t inc, ptrdiff_t j, int unit)
{
    return unit ? L1_LOADU(p + j) : L1_LOADS(p + j * inc, inc);
}

/* the m < LANES elements from element j on, zero-padded (zero is neutral
   for every op): the head and tail of a reduction */
L1_INLINE V L1_(load_part)(const TIN *p, ptrdiff_t inc, ptrdiff_t j, ptrdiff_t m, int unit)
{
    return unit ? L1_LOADN(p + j, m) : L1_LOADSN(p + j * inc, inc, m);
}

L1_INLINE V L1_(step)(int op, V acc, V a, V b, V scale)
{
    switch (op) {
    case L1_SUM:
        return V_(add)(acc, a);
    case L1_ASUM:
        return V_(add)(acc, V_(abs)(a));
    case L1_DOT:
        return V_(fma)(a, b, acc);
    case L1_SUMSQ:
        return V_(fma)(a, a, acc);
    case L1_SUMSQ_SCALED:
        a = V_(mul)(a, scale);
        return V_(fma)(a, a, acc);
    default: /* L1_MAXABS: max(|a|, acc) keeps acc when a is NaN */
        return V_(max)(V_(abs)(a), acc);
    }
}

L1_INLINE V L1_(combine)(int op, V a, V b)
{
    return op == L1_MAXABS ? V_(max)(a, b) : V_(add)(a, b);
}

/* one step for the LANES elements from j on */
L1_INLINE V L1_(step_at)(int op, int unit, V acc, const L1_(src) *s, ptrdiff_t j)
{
    const V a = L1_(load)(s->x, s->incx, j, unit);
    const V b = op == L1_DOT ? L1_(load)(s->y, s->incy, j, unit) : a;
    return L1_(step)(op, acc, a, b, s->scale);
}

/* op over elements [i, i + n), n <= one block, as a vector of partials */
L1_INLINE V L1_(block)(int op, int unit, const L1_(src) *s, ptrdiff_t i, ptrdiff_t n)
{
    const ptrdiff_t end = i + n;
    V a0 = V_(zero)(), a1 = V_(zero)(), a2 = V_(zero)(), a3 = V_(zero)();
    for (; end - i >= 4 * LANES; i += 4 * LANES) {
        a0 = L1_(step_at)(op, unit, a0, s, i);
        a1 = L1_(step_at)(op, unit, a1, s, i + LANES);
        a2 = L1_(step_at)(op, unit, a2, s, i + 2 * LANES);
        a3 = L1_(step_at)(op, unit, a3, s, i + 3 * LANES);
    }
    for (; end - i >= LANES; i += LANES) {
        a0 = L1_(step_at)(op, unit, a0, s, i);
    }
    if (i < end) {
        const V tx = L1_(load_part)(s->x, s->incx, i, end - i, unit);
        const V ty = op == L1_DOT ? L1_(load_part)(s->y, s->incy, i, end - i, unit) : tx;
        a1 = L1_(step)(op, a1, tx, ty, s->scale);
    }
    return L1_(combine)(op, L1_(combine)(op, a0, a1), L1_(combine)(op, a2, a3));
}

/* op over n >= 1 elements. Blocks start at element 0 whatever the
   address: which lane and which block an element goes to depends on its
   index only, so the result does not depend on where the array starts.
   (Peeling an unaligned head so that the loads are aligned made the sum
   depend on the address: 3 different avx512 dsum results over 8 start
   offsets. Unaligned loads of data already in L1/L2 cost some speed;
   streaming from memory, none.) Block results are combined pairwise by a
   binary counter (no recursion): stack[] holds partials of 2^k blocks,
   largest first; block b merges as many of them as b has trailing zero
   bits. */
L1_INLINE T L1_(reduce)(int op, int unit, const L1_(src) *s, ptrdiff_t n)
{
    enum { BLOCK = L1_BLOCK_VECTORS * LANES };
    ptrdiff_t i = 0;
    V r = V_(zero)();
    V stack[64];
    int top = 0;
    for (ptrdiff_t b = 1; i < n; b++, i += BLOCK) {
        V p = L1_(block)(op, unit, s, i, n - i < BLOCK ? n - i : BLOCK);
        for (ptrdiff_t k = b; (k & 1) == 0; k >>= 1) {
            p = L1_(combine)(op, stack[--top], p);
        }
        stack[top++] = p;
    }
    while (top > 0) {
        r = L1_(combine)(op, r, stack[--top]);
    }
    return op == L1_MAXABS ? V_(hmax)(r) : V_(hsum)(r);
}

/* op over n >= 1 elements, through the unit-stride instantiation when every
   operand is contiguous */
L1_INLINE T L1_(reduce_any)(int op, ptrdiff_t n, const TIN *x, ptrdiff_t incx, const TIN *y,
                            ptrdiff_t incy, T scale)
{
    const L1_(src) s = {x, y, incx, incy, V_(set1)(scale)};
    if (incx == 1 && (op != L1_DOT || incy == 1)) {
        return L1_(reduce)(op, 1, &s, n);
    }
    return L1_(reduce)(op, 0, &s, n);
}

/* ---------------- the reproducible engine (every pass) ----------------

   One summation order that every layer reproduces bit for bit, whatever its
   lane count (what the reproducible tables serve: see the end of the file).
   The order is defined on L1_RW logical lanes (32 for float64 lanes, 64 for
   float32; a layer holds them in L1_RV = L1_RW / LANES vectors, so avx512
   keeps its 4 accumulators and the scalar layer has 32 or 64):
     - element i is added to lane i % L1_RW, in index order, with one
       rounding per operation (no FMA: dot is add(acc, mul(x, y)), which
       every layer rounds alike; the layers' fma is fused on some and not
       on others);
     - a block is L1_RBLOCK consecutive elements; block partials (L1_RW
       lanes each) are combined lane by lane by the same binary counter as
       L1_(reduce);
     - the lanes are then folded in halves: lane j += lane j + h for
       h = L1_RW/2, ..., 1.
   Lanes past n are skipped: their accumulators stay +0, and adding +0
   would change nothing (an accumulator starting at +0 is never -0). */
#define L1_RV (L1_RW / LANES)
#define L1_RBLOCK (16 * L1_RW)

L1_INLINE V L1_(rstep)(int op, V acc, V a, V b, V scale)
{
    switch (op) {
    case L1_SUM:
        return V_(add)(acc, a);
    case L1_ASUM:
        return V_(add)(acc, V_(abs)(a));
    case L1_DOT:
        return V_(add)(acc, V_(mul)(a, b));
    case L1_SUMSQ:
        return V_(add)(acc, V_(mul)(a, a));
    case L1_SUMSQ_SCALED:
        a = V_(mul)(a, scale);
        return V_(add)(acc, V_(mul)(a, a));
    default: /* L1_MAXABS: order-independent anyway */
        return V_(max)(V_(abs)(a), acc);
    }
}

/* acc[] += op over elements [i, i + n), n <= L1_RBLOCK, lane by lane */
L1_INLINE void L1_(rblock)(int op, int unit, const L1_(src) *s, ptrdiff_t i, ptrdiff_t n, V *acc)
{
    const ptrdiff_t end = i + n;
    for (; end - i >= L1_RW; i += L1_RW) {
        for (int k = 0; k < L1_RV; k++) {
            const V a = L1_(load)(s->x, s->incx, i + k * LANES, unit);
            const V b = op == L1_DOT ? L1_(load)(s->y, s->incy, i + k * LANES, unit) : a;
            acc[k] = L1_(rstep)(op, acc[k], a, b, s->scale);
        }
    }
    for (int k = 0; k < L1_RV && i < end; k++, i += LANES) {
        const ptrdiff_t m = end - i;
        V a, b;
        if (m >= LANES) {
            a = L1_(load)(s->x, s->incx, i, unit);
            b = op == L1_DOT ? L1_(load)(s->y, s->incy, i, unit) : a;
        } else {
            a = L1_(load_part)(s->x, s->incx, i, m, unit);
            b = op == L1_DOT ? L1_(load_part)(s->y, s->incy, i, m, unit) : a;
        }
        acc[k] = L1_(rstep)(op, acc[k], a, b, s->scale);
    }
}

L1_INLINE T L1_(rreduce)(int op, int unit, const L1_(src) *s, ptrdiff_t n)
{
    V stack[64][L1_RV];
    int top = 0;
    for (ptrdiff_t b = 1, i = 0; i < n; b++, i += L1_RBLOCK) {
        V p[L1_RV];
        for (int k = 0; k < L1_RV; k++) {
            p[k] = V_(zero)();
        }
        L1_(rblock)(op, unit, s, i, n - i < L1_RBLOCK ? n - i : L1_RBLOCK, p);
        for (ptrdiff_t c = b; (c & 1) == 0; c >>= 1) {
            --top;
            for (int k = 0; k < L1_RV; k++) {
                p[k] = L1_(combine)(op, stack[top][k], p[k]);
            }
        }
        for (int k = 0; k < L1_RV; k++) {
            stack[top][k] = p[k];
        }
        top++;
    }
    V r[L1_RV];
    for (int k = 0; k < L1_RV; k++) {
        r[k] = stack[top - 1][k];
    }
    for (--top; top > 0; top--) {
        for (int k = 0; k < L1_RV; k++) {
            r[k] = L1_(combine)(op, stack[top - 1][k], r[k]);
        }
    }
    T lanes[L1_RW];
    for (int k = 0; k < L1_RV; k++) {
        V_(storeu)(lanes + k * LANES, r[k]);
    }
    for (int h = L1_RW / 2; h >= 1; h /= 2) {
        for (int j = 0; j < h; j++) {
            lanes[j] = op == L1_MAXABS ? (lanes[j] > lanes[j + h] ? lanes[j] : lanes[j + h])
                                       : lanes[j] + lanes[j + h];
        }
    }
    return lanes[0];
}

L1_INLINE T L1_(rreduce_any)(int op, ptrdiff_t n, const TIN *x, ptrdiff_t incx, const TIN *y,
                             ptrdiff_t incy, T scale)
{
    const L1_(src) s = {x, y, incx, incy, V_(set1)(scale)};
    if (incx == 1 && (op != L1_DOT || incy == 1)) {
        return L1_(rreduce)(op, 1, &s, n);
    }
    return L1_(rreduce)(op, 0, &s, n);
}

#if L1_PASS != 3
/* ---------------- the kernels (passes 1 and 2) ---------------- */

/* A sum whose every term is -0.0 is -0.0 in IEEE arithmetic (numpy's
   sum([-0.0]) and dot([-0.0], [1.0]) are -0.0); the engines start their
   accumulators at +0.0, which makes it +0.0. So a zero result gets one
   look at its terms: the scan stops at the first term that is not -0.0,
   at once for the usual zeros (an array of +0.0, a cancellation). */
L1_COLD T L1_(zero_sign_scan)(int op, ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy)
{
    for (ptrdiff_t i = 0; i < n; i++) {
        const T t = op == L1_DOT ? x[i * incx] * y[i * incy] : x[i * incx];
        if (!(t == 0 && signbit(t))) {
            return 0;
        }
    }
    return -(T)0;
}

/* (out of line: a small dot paid 0.4 ns, 20%, with the scan inlined) */
L1_INLINE T L1_(zero_sign)(int op, T r, ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy)
{
    return r != 0 ? r /* also NaN */ : L1_(zero_sign_scan)(op, n, x, incx, y, incy);
}

/* sum, asum, dot over one reduction engine: the fastest (reduce_any), and
   the reproducible variants (rreduce_any, the _r names: the reproducible
   table, see above) */
#define L1_REDUCTION_KERNELS_(suffix, engine)                                                  \
    static T L1_NAME(sum##suffix)(ptrdiff_t n, const T *x, ptrdiff_t incx)                  \
    {                                                                                          \
        return n > 0 ? L1_(zero_sign)(L1_SUM, L1_(engine)(L1_SUM, n, x, incx, NULL, 0, 1), n, x, incx, NULL, 0) \
                     : 0;                                                                      \
    }                                                                                          \
    static T L1_NAME(asum##suffix)(ptrdiff_t n, const T *x, ptrdiff_t incx)                 \
    {                                                                                          \
        return n > 0 ? L1_(engine)(L1_ASUM, n, x, incx, NULL, 0, 1) : 0;                       \
    }                                                                                          \
    static T L1_NAME(dot##suffix)(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y,      \
                                  ptrdiff_t incy)                                              \
    {                                                                                          \
        return n > 0 ? L1_(zero_sign)(L1_DOT, L1_(engine)(L1_DOT, n, x, incx, y, incy, 1), n, x, incx, y, incy) \
                     : 0;                                                                      \
    }
L1_REDUCTION_KERNELS_(, reduce_any)
L1_REDUCTION_KERNELS_(_r, rreduce_any)
#undef L1_REDUCTION_KERNELS_

static void L1_NAME(axpy)(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy)
{
    if (incx == 1 && incy == 1) {
        const V a = V_(set1)(alpha);
        ptrdiff_t i = 0;
        for (const ptrdiff_t h = L1_(head)(y, n); i < h; i++) {
            y[i] = S_(fma)(alpha, x[i], y[i]);
        }
        for (; n - i >= 4 * LANES; i += 4 * LANES) {
            const V y0 = V_(fma)(a, V_(loadu)(x + i), V_(loadu)(y + i));
            const V y1 = V_(fma)(a, V_(loadu)(x + i + LANES), V_(loadu)(y + i + LANES));
            const V y2 = V_(fma)(a, V_(loadu)(x + i + 2 * LANES), V_(loadu)(y + i + 2 * LANES));
            const V y3 = V_(fma)(a, V_(loadu)(x + i + 3 * LANES), V_(loadu)(y + i + 3 * LANES));
            V_(storeu)(y + i, y0);
            V_(storeu)(y + i + LANES, y1);
            V_(storeu)(y + i + 2 * LANES, y2);
            V_(storeu)(y + i + 3 * LANES, y3);
        }
        for (; n - i >= LANES; i += LANES) {
            V_(storeu)(y + i, V_(fma)(a, V_(loadu)(x + i), V_(loadu)(y + i)));
        }
        for (; i < n; i++) {
            y[i] = S_(fma)(alpha, x[i], y[i]);
        }
        return;
    }
    /* Any other strides, element by element in order: with incy == 0 every
       step updates y[0]. (Lane-built vectors measured no faster here.) */
    for (ptrdiff_t i = 0; i < n; i++) {
        y[i * incy] = S_(fma)(alpha, x[i * incx], y[i * incy]);
    }
}

/* No shortcut for alpha == 0: nan * 0 stays nan, like numpy's x *= 0. */
static void L1_NAME(scal)(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)
{
    if (incx == 1) {
        const V a = V_(set1)(alpha);
        ptrdiff_t i = 0;
        for (const ptrdiff_t h = L1_(head)(x, n); i < h; i++) {
            x[i] = alpha * x[i];
        }
        /* Each vector stored right after its multiply: four loads, then
           four stores, ran 1.12-1.23x longer at n = 1e5 (data in L2) on AMD
           Zen 5 for float64 (sse2, avx2, avx512) and avx512 float32. (axpy
           measured no different either way.) */
        for (; n - i >= 4 * LANES; i += 4 * LANES) {
            V_(storeu)(x + i, V_(mul)(a, V_(loadu)(x + i)));
            V_(storeu)(x + i + LANES, V_(mul)(a, V_(loadu)(x + i + LANES)));
            V_(storeu)(x + i + 2 * LANES, V_(mul)(a, V_(loadu)(x + i + 2 * LANES)));
            V_(storeu)(x + i + 3 * LANES, V_(mul)(a, V_(loadu)(x + i + 3 * LANES)));
        }
        for (; n - i >= LANES; i += LANES) {
            V_(storeu)(x + i, V_(mul)(a, V_(loadu)(x + i)));
        }
        for (; i < n; i++) {
            x[i] = alpha * x[i];
        }
        return;
    }
    /* in order, so that incx == 0 multiplies x[0] n times */
    for (ptrdiff_t i = 0; i < n; i++) {
        x[i * incx] = alpha * x[i * incx];
    }
}
#endif /* L1_PASS != 3 */

/* end of the pass: its parameters go, so the next pass can set them */
#undef L1_PASS
#undef T
#undef TIN
#undef V
#undef LANES
#undef V_
#undef S_
#undef L1_LOADU
#undef L1_LOADS
#undef L1_LOADN
#undef L1_LOADSN
#undef L1_
#undef L1_NAME
#undef L1_RW
#undef L1_RV

#endif /* L1_PASS */
