/*
 * elementwise.h -- sqrt, sin, cos over strided arrays, written once over
 * the vector layer (the scheme of level1.h: the file includes itself once
 * per element type, and only the thin layer differs per ISA), and the
 * shared machinery of the function groups of simd/math/ (exp, log, pow,
 * trig), which it includes in each pass.
 *
 * Include it after exactly one vector layer (vec_scalar.h, vec_sse2.h,
 * vec_avx2.h). It defines SIMD_HAVE_ELEMENTWISE and static functions
 * SIMD_NAME(ssqrt) ... SIMD_NAME(dcos) (and those of the function groups:
 * exp in math/exp.h, log in math/log.h, ...) with the signature of
 * hostlib_<name>_fn:
 *
 *     void f(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy)
 *
 * y[i*incy] = f(x[i*incx]) for i < n, numpy-style element strides of any
 * sign (incx may be 0); x == y with incx == incy (in place) is allowed.
 *
 * Accuracy (measured by tests/test_math_accuracy.py against correctly
 * rounded mpmath values): about 1 ULP or less everywhere; sqrt is the
 * hardware's, correctly rounded. Special values and floating-point flags
 * follow IEEE 754 and numpy (each group's header lists its own):
 * sqrt(x < 0) = nan raising invalid; sin/cos(+-inf) = nan raising
 * invalid; sin(-0) = -0; NaN inputs give NaN and raise nothing.
 * No other flag is raised (inexact aside): lanes are never computed on
 * garbage, and every comparison of a possibly-NaN value is quiet.
 *
 * The algorithms (constants derived by simd/elementwise_consts.py, those
 * of the groups by simd/math/<group>.py; see elementwise_consts.h below):
 *
 *   exp  (and exp2, expm1, sinh, cosh, tanh): simd/math/exp.h, a
 *        table-driven reduction.
 *   log  (and log2, log10, log1p, arcsinh, arccosh, arctanh): simd/math/log.h,
 *        a table-driven reduction.
 *   sqrt the hardware instruction.
 *   sin, cos (float64)  q = round(x 2/pi) (adding and subtracting the
 *        magic number 1.5*2^52), r = x - q
 *        pi/2 in [-pi/4, pi/4] as a double-word rh + rl: q*PIO2_1 is exact
 *        (fused, or by trailing zero bits), q*PIO2_2 exact by trailing zero
 *        bits, the rounding error of their difference recovered exactly
 *        (Fast2Sum: |rh| >= TRIG_RMIN makes the first operand the larger),
 *        q*PIO2_3 added, the pair renormalised. Then both
 *        polynomials, sin r = rh + rh z S(z) + rl cos rh and cos r = 1 -
 *        z/2 + z^2 C(z) - rl sin rh with z = rh^2 and minimax S, C, each
 *        as a double-word whose large terms are exact (trig_poly, for
 *        the one each lane needs; ~2^-62, where the plain sums measured
 *        0.95 ULP and 5% not correctly rounded), and the two low
 *        bits of q (of q + 1 for cos) select one of sin r, cos r, -sin r,
 *        -cos r, rounded once. This is accurate for |x| <= 2^PIO2_MBITS and |rh| >=
 *        TRIG_RMIN. Lanes outside (huge |x|, x close to a multiple of pi/2,
 *        tiny x, inf, nan) are redone one by one: a Payne-Hanek reduction
 *        with 224 bits of 2/pi gives rh + rl, and the same polynomials
 *        finish. (One polynomial over a reduction by pi, as float32 does
 *        below, is not accurate enough in a type's own precision: near r =
 *        pi/2 the correction sin r - r is over a third of the result, and
 *        its rounding errors reach 2-3 ULP, measured on float32.)
 *   sin, cos (float32)  computed in float64, widened by vector halves and
 *        rounded once at the end, where a shorter scheme suffices: q =
 *        round(x/pi) (cos: q = round(x/pi + 1/2), as cos x = sin(x + pi/2)),
 *        r = x - q pi in [-pi/2, pi/2] in one double by two Cody-Waite
 *        steps (the first exact), then ONE odd polynomial, sin r = r + r z
 *        S(z), and sin x = (-1)^q sin r by an xor of q's low bit shifted to
 *        the sign: no select, no second polynomial. The polynomial's
 *        2^-35.3 relative error (degree 4, simd/math/trig.json; degree 3,
 *        2^-27.3, measured 0.601 ULP and 5% not correctly rounded)
 *        dominates the others before the final rounding: 0.5 + 2^-11 ULP
 *        (measured 0.5003, 0.03% not correctly rounded) for |x| <=
 *        2^PIO2_MBITS, with no near-multiple case: r's absolute
 *        error, below 2^-53 |r| + 2^-68, is tiny beside the ~2^-30 a float
 *        comes to a multiple of pi/2. Lanes beyond, tiny x, inf and nan
 *        take the slow path: the same Payne-Hanek reduction (4 words of
 *        2/pi), turned into this form one lane at a time.
 *
 * Every kernel tests a vector's lanes with integer comparisons on the bit
 * patterns (quiet by construction) and branches to its slow path only if a
 * lane needs it; typical data never does. (Unrolling the loop by two
 * vectors measured no faster: out-of-order execution already overlaps
 * iterations.)
 *
 * What a layer provides beyond level1.h's list (simd/LAYERS.md is the full
 * contract), for V in {vf64, vf32} with integer lanes VI64/VI32 (the same
 * bits) and masks VM64/VM32 (M in {vm64, vm32}: the layer's natural form,
 * k registers on AVX-512, vectors elsewhere, an int on the scalar layer):
 *   V_sub, V_div, V_sqrt, V_min (operands never NaN), V_fnma(a, b, c) = c - a*b
 *   V_and, V_or, V_xor, V_andnot(a, b) = ~a & b     bitwise, on the float bits
 *   V_isnan, V_eq, V_lt, V_le, V_nle     QUIET comparisons (never raise
 *                                        invalid on a NaN) giving masks;
 *                                        nle is !(a <= b)
 *   V_select(m, a, b) = m ? a : b; V_zero_if(m, a) = m ? +0 : a;
 *   V_zero_unless(m, a) = m ? a : +0; V_select_sign(s, a, b): a where s's
 *                                        sign bit is set
 *   M_and, M_or, M_andnot, M_any, M_bits mask logic, tests, lane bits
 *   M_first_n(n)                         lanes 0..n-1
 *   V_loadn, V_loadsn, V_storen, V_storesn
 *                                        the first n lanes, contiguous or
 *                                        strided, nothing touched beyond
 *   V_as_bits, V_from_bits               bit casts V <-> VI
 *   V_load_const(p)                      aligned load of a constant table row
 *   vi64_/vi32_ set1, add, sub, and, or, xor, slli(a, n), srli(a, n)
 *   vi32_gt(a, b), vi64_gt(a, b)         signed a > b as a mask
 *   vi64_gt_hi(a, b)                     the same, but may decide by the high
 *                                        32 bits only (SSE2 has no pcmpgtq)
 *   vf64_cvt_f32_lo/hi(VF32), vf32_cvt_f64_pair(lo, hi)
 *                                        float32 <-> float64 by vector halves,
 *                                        announced by SIMD_HAVE_F32_F64_CVT
 *                                        (required: float32 sin/cos compute
 *                                        in float64)
 *   SIMD_FMA_NATIVE                      1 if V_fma/V_fnma are fused
 *   SIMD_OPAQUE_PTR(p)                   hides a table pointer's target from
 *                                        the optimiser (or does nothing)
 */
#ifndef EW_PASS
#ifndef SIMD_ELEMENTWISE_H
#define SIMD_ELEMENTWISE_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before elementwise.h"
#endif
#include "layer_api.h"
#ifndef SIMD_FMA_NATIVE
#error "the vector layer lacks the elementwise operations (SIMD_FMA_NATIVE is not defined)"
#endif
#ifndef SIMD_HAVE_F32_F64_CVT
#error "the vector layer lacks the float32 <-> float64 conversions (float32 sin/cos need them)"
#endif

#define SIMD_HAVE_ELEMENTWISE 1

/* The elementwise entries this file and its function groups implement, one
   SIMD_HAVE_<entry> each (kernels_table.h lists exactly these; any other
   elementwise entry of the spec stays NULL in the table, and the host
   serves it from another one, in the end the portable table's C library).
   A group defines its own next to its code. */
#define SIMD_HAVE_ssqrt SIMD_YES
#define SIMD_HAVE_dsqrt SIMD_YES
#define SIMD_HAVE_ssin SIMD_YES
#define SIMD_HAVE_dsin SIMD_YES
#define SIMD_HAVE_scos SIMD_YES
#define SIMD_HAVE_dcos SIMD_YES

#if defined(__GNUC__) || defined(__clang__)
#define EW_INLINE static inline __attribute__((always_inline))
#define EW_NOINLINE static __attribute__((noinline))
#define EW_UNLIKELY(c) __builtin_expect(!!(c), 0)
#define EW_UNROLL _Pragma("GCC unroll 16")
#elif defined(_MSC_VER)
#define EW_INLINE static __forceinline
#define EW_NOINLINE static __declspec(noinline)
#define EW_UNLIKELY(c) (c)
#define EW_UNROLL
#else
#define EW_INLINE static inline
#define EW_NOINLINE static
#define EW_UNLIKELY(c) (c)
#define EW_UNROLL
#endif

#define EW_NCOEF(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define EW_ROW8(c) {c, c, c, c, c, c, c, c}
#define EW_ROW16(c) {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c}
#if defined(_MSC_VER) && !defined(__clang__)
#define EW_ALIGN64 __declspec(align(64))
#else
#define EW_ALIGN64 _Alignas(64)
#endif

/* ======================================================================
 * Constants (minimax coefficients, Cody-Waite splits, the bits of 2/pi):
 * elementwise_consts.h is generated at build time by
 * simd/gen_elementwise_consts.py from the data in
 * simd/elementwise_consts.json, which simd/elementwise_consts.py derives
 * (by hand, with mpmath). It is installed next to this file.
 * ====================================================================== */
#include "elementwise_consts.h"

/* Thresholds (chosen by the error analysis in the file header):
 *   TRIG_RMIN  below it the fast reduction's Fast2Sum may be inexact
 *              (|q PIO2_2| < 2^-24.5, unfused 2^-14.6, could outgrow x - q
 *              PIO2_1), and its absolute error (~2^-98) could exceed 1/16
 *              ULP of r (below 2^-40): redo the lane exactly (float64)
 *   TRIG_TINY  below it sin x rounds to x, cos x to 1 (and x^2 could underflow)
 */
#if SIMD_FMA_NATIVE
#define EW_F64_TRIG_RMIN 0x1p-22
#else
#define EW_F64_TRIG_RMIN 0x1p-13
#endif
#define EW_F64_TRIG_TINY 0x1p-30
#define EW_F32_TRIG_TINY 0x1p-16f

/* ======================================================================
 * Scalar helpers shared by both element types: the exact reduction of
 * sin/cos arguments that the fast path cannot take.
 * ====================================================================== */

/* s + e = a + b exactly, |a| >= |b| or a == 0 */
static inline void ew_fast_two_sum(double a, double b, double *s, double *e)
{
    *s = a + b;
    *e = b - (*s - a);
}

/* a with the low 27 bits of its significand cleared: 26 bits remain */
static inline double ew_hi26(double a)
{
    uint64_t u;
    memcpy(&u, &a, sizeof u);
    u &= ~(uint64_t)0x7ffffff;
    memcpy(&a, &u, sizeof a);
    return a;
}

/* p + e = a * b to ~2^-105 relative (Dekker's product; no FMA needed, no
   overflow here). The halves come from bit masking rather than Veltkamp's
   multiply-and-subtract, so that no floating-point contraction of the
   compiler can spoil them: every partial product but al*bl is exact. */
static inline void ew_two_prod(double a, double b, double *p, double *e)
{
    const double ah = ew_hi26(a), al = a - ah, bh = ew_hi26(b), bl = b - bh;
    *p = a * b;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

/* bits [pos, pos + 64) of the little-endian 32-bit limbs L[0..nl); bits
   below 0 are zeros */
static inline uint64_t ew_bits64(const uint32_t *L, int nl, int pos)
{
    if (pos < 0) {
        return pos <= -64 ? 0 : ew_bits64(L, nl, 0) << -pos;
    }
    const int q = pos >> 5, sh = pos & 31;
    const uint64_t l0 = q < nl ? L[q] : 0, l1 = q + 1 < nl ? L[q + 1] : 0, l2 = q + 2 < nl ? L[q + 2] : 0;
    const uint64_t lo = l0 | l1 << 32;
    return sh ? lo >> sh | l2 << (64 - sh) : lo;
}

/* 2^e as a double, -1022 <= e <= 1023 */
static inline double ew_pow2(int e)
{
    const uint64_t u = (uint64_t)(e + 1023) << 52;
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* leading zero bits of a nonzero 64-bit value */
static inline int ew_clz64(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(v);
#else
    int n = 0;
    while (!(v >> 63)) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* Payne-Hanek: for finite ax >= 0.5, ax * 2/pi = I + F with I the nearest
   integer and F in [-1/2, 1/2] returned as fh + fl. Returns I mod 8.
   Integer arithmetic on 32-bit limbs only. With ax = M 2^E (M of b
   significant bits), NW words of 2/pi leave an absolute error in F below
   2^(b + 2 - 32 (NW - 1)): 7 words for any double (error < 2^-137, while
   the closest a double comes to a multiple of pi/2 is ~2^-61), 4 for a
   float (b <= 24 after the zero bits are dropped: error < 2^-70, the
   closest a float comes is ~2^-30). */
EW_INLINE int ew_payne_hanek(double ax, double *fh, double *fl, const int NW)
{
    enum { NWMAX = 7, NL = NWMAX + 2 };
    uint64_t u;
    memcpy(&u, &ax, sizeof u);
    uint64_t M = (u & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52; /* ax = M * 2^E */
    int E = (int)(u >> 52) - 1075;
    /* a float widened has 29 zero bits at the bottom: dropping them keeps the
       truncation of 2/pi (relative to M * 2^-32NW) that much smaller */
    while (!(M & 0xff)) {
        M >>= 8;
        E += 8;
    }
    /* words of 2/pi that only add multiples of 8 to ax*2/pi are skipped */
    const int i0 = E >= 35 ? (E - 3) / 32 : 0;
    /* P = M * (the NW words as one integer, little-endian limbs W[0..NW)),
       column by column: limb j gets m0*W[j] and m1*W[j-1] */
    uint32_t W[NWMAX], L[NL];
    for (int k = 0; k < NW; k++) {
        W[k] = ew_two_over_pi[i0 + NW - 1 - k];
    }
    const uint64_t m0 = M & 0xffffffffu, m1 = M >> 32;
    uint64_t carry = 0;
    for (int j = 0; j < NW + 2; j++) {
        const uint64_t p0 = j < NW ? m0 * W[j] : 0, p1 = j >= 1 && j <= NW ? m1 * W[j - 1] : 0;
        const uint64_t lo = carry + (p0 & 0xffffffffu) + (p1 & 0xffffffffu);
        L[j] = (uint32_t)lo;
        carry = (lo >> 32) + (p0 >> 32) + (p1 >> 32);
    }
    /* ax * 2/pi = P * 2^-S (mod 8) */
    const int S = 32 * (i0 + NW) - E;
    int I = (int)(ew_bits64(L, NW + 2, S) & 7);
    uint64_t hi = ew_bits64(L, NW + 2, S - 64), lo = ew_bits64(L, NW + 2, S - 128);
    double sign = 1.0;
    if (hi >> 63) { /* fraction >= 1/2: F = fraction - 1 */
        I = (I + 1) & 7;
        sign = -1.0;
        hi = ~hi;
        lo = ~lo + 1;
        hi += lo == 0;
    }
    if (hi == 0 && lo == 0) {
        *fh = *fl = 0.0;
        return I;
    }
    /* normalise the 128-bit magnitude, then hi's top 53 bits and the rest */
    const int lz = hi ? ew_clz64(hi) : 64 + ew_clz64(lo);
    if (lz >= 64) {
        hi = lo << (lz - 64);
        lo = 0;
    } else if (lz > 0) {
        hi = hi << lz | lo >> (64 - lz);
        lo <<= lz;
    }
    const double scale = ew_pow2(-64 - lz);
    const double h = (double)(hi >> 11) * 2048.0 * scale;
    const double l = ((double)(hi & 0x7ff) + (double)lo * 0x1p-64) * scale;
    ew_fast_two_sum(h, l, fh, fl);
    *fh *= sign;
    *fl *= sign;
    return I;
}

/* The exact reduction of a finite x, |x| >= 1/2: x = q pi/2 + rh + rl with
   q the integer nearest to x * 2/pi and |rh + rl| <= pi/4. Returns q mod 4.
   nw: words of 2/pi, 7 for doubles, 4 for floats (see ew_payne_hanek). */
EW_INLINE int ew_reduce_scalar(double x, double *rh, double *rl, const int nw)
{
    double fh, fl, p, e;
    const int q = ew_payne_hanek(fabs(x), &fh, &fl, nw);
    /* r = (fh + fl) * (pi/2)_hi+lo */
    ew_two_prod(fh, EW_PIO2_DD_HI, &p, &e);
    e += fh * EW_PIO2_DD_LO + fl * EW_PIO2_DD_HI;
    ew_fast_two_sum(p, e, rh, rl);
    if (x < 0) {
        *rh = -*rh;
        *rl = -*rl;
        return -q & 3;
    }
    return q & 3;
}

/* The constants of the fast paths, one row each in a per-type table read
   through EW_(c) (see SIMD_OPAQUE_PTR in the layers). */
enum {
    EWC_ONE,
    EWC_TWO,
    EWC_HALF,
    EWC_MAGIC,       /* 1.5*2^p: round to integer */
    EWC_TWO_OVER_PI, /* the trig constants: float64's table only */
    EWC_PIO2_1,
    EWC_PIO2_2,
    EWC_PIO2_3,
    EWC_INV_PI,
    EWC_PI_1,
    EWC_PI_2,
    EWC_COUNT
};

/* ---------------- pass 1: float64 ---------------- */
#define EW_PASS 1
#define T double
#define V VF64
#define VI VI64
#define VM VM64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define VI_(op) vi64_##op
#define VM_(op) vm64_##op
#define EWK(c) EW_F64_##c
#define EWA(a) ew_f64_##a
#define EW_(x) ew_f64_##x
#define EW_NAME(x) SIMD_NAME(d##x)
#define EW_UINT uint64_t
#define EW_BITS 64
#define EW_MANT 52
#define EW_MAGIC 0x1.8p52
#define EW_TMIN DBL_MIN
#define EW_TMAX DBL_MAX
#define EW_IGT vi64_gt_hi /* the range checks tolerate ties of the high halves */
#define EW_ROW EW_ROW8
#define EW_PH_WORDS 7
#include "elementwise.h"

/* ---------------- pass 2: float32 ---------------- */
#define EW_PASS 2
#define T float
#define V VF32
#define VI VI32
#define VM VM32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define VI_(op) vi32_##op
#define VM_(op) vm32_##op
#define EWK(c) EW_F32_##c
#define EWA(a) ew_f32_##a
#define EW_(x) ew_f32_##x
#define EW_NAME(x) SIMD_NAME(s##x)
#define EW_UINT uint32_t
#define EW_BITS 32
#define EW_MANT 23
#define EW_MAGIC 0x1.8p23f
#define EW_TMIN FLT_MIN
#define EW_TMAX FLT_MAX
#define EW_IGT vi32_gt
#define EW_ROW EW_ROW16
#define EW_PH_WORDS 4
#include "elementwise.h"

#endif /* SIMD_ELEMENTWISE_H */

#else /* EW_PASS: the generic code, instantiated once per element type */

/* ---------------- small helpers ---------------- */

EW_INLINE EW_UINT EW_(bits)(T v)
{
    EW_UINT u;
    memcpy(&u, &v, sizeof u);
    return u;
}

EW_INLINE V EW_(k)(T v) { return V_(set1)(v); }
EW_INLINE VI EW_(ki)(EW_UINT u) { return VI_(set1)(u); }

#define EW_RLEN (64 / sizeof(T)) /* a table row: one value over 64 bytes */

static EW_ALIGN64 const T EW_(ktab)[EWC_COUNT][EW_RLEN] = {
    [EWC_ONE] = EW_ROW(1),
    [EWC_TWO] = EW_ROW(2),
    [EWC_HALF] = EW_ROW(0.5),
    [EWC_MAGIC] = EW_ROW(EW_MAGIC),
#if EW_PASS == 1
    [EWC_TWO_OVER_PI] = EW_ROW(EWK(TWO_OVER_PI)),
    [EWC_PIO2_1] = EW_ROW(EWK(PIO2_1)),
    [EWC_PIO2_2] = EW_ROW(EWK(PIO2_2)),
    [EWC_PIO2_3] = EW_ROW(EWK(PIO2_3)),
    [EWC_INV_PI] = EW_ROW(EWK(INV_PI)),
    [EWC_PI_1] = EW_ROW(EWK(PI_1)),
    [EWC_PI_2] = EW_ROW(EWK(PI_2)),
#endif
};

/* constant number i as a vector */
EW_INLINE V EW_(c)(int i)
{
    const T(*t)[EW_RLEN] = EW_(ktab);
    SIMD_OPAQUE_PTR(t);
    return V_(load_const)(t[i]);
}

#define EW_SIGNBIT ((EW_UINT)1 << (EW_BITS - 1))
#define EW_ABSMASK (EW_SIGNBIT - 1)
/* the vector reductions' bound, float64's for both types */
#define EW_TRIG_MAX ((T)((int64_t)1 << EW_F64_PIO2_MBITS))

/* c[0] + x (c[1] + x (c[2] + ...)); row i of c holds coefficient i
   repeated over 64 bytes, so it loads as one aligned vector */
EW_INLINE V EW_(horner)(V x, const T (*c)[EW_RLEN], int n)
{
    SIMD_OPAQUE_PTR(c);
    V acc = V_(load_const)(c[n - 1]);
    EW_UNROLL
    for (int i = n - 2; i >= 0; i--) {
        acc = V_(fma)(acc, x, V_(load_const)(c[i]));
    }
    return acc;
}

/* whether any lane has a > b (EW_IGT): the fast paths' checks (on
   AVX-512, a compare into a mask register and one kortest) */
EW_INLINE int EW_(any_igt)(VI a, VI b) { return VM_(any)(EW_IGT(a, b)); }

/* whether any lane's bit pattern b, read as an unsigned integer, lies
   outside [lo, hi]: shifted so that one signed comparison decides. For float64
   the comparison may look at the high 32 bits only (EW_IGT): a b whose
   high half equals hi's may count as inside or outside. Every use below
   has lo with a zero low half and is safe either way at hi. */
EW_INLINE int EW_(any_outside)(VI b, EW_UINT lo, EW_UINT hi)
{
    return EW_(any_igt)(VI_(add)(b, EW_(ki)(EW_SIGNBIT - lo)), EW_(ki)(EW_SIGNBIT + (hi - lo)));
}

/* |x| as bits */
EW_INLINE VI EW_(abs_bits)(V x) { return VI_(and)(V_(as_bits)(x), EW_(ki)(EW_ABSMASK)); }

/* ---------------- error-free transforms (the function groups' too) ---------------- */

/* p + *e = a b exactly, given no overflow and an error term that is a
   normal number or zero (the callers' ranges ensure it). Fused: the
   residual is one FMA. Unfused: Dekker's product, its halves (26 and 27
   bits) cut by bit masking, which no contraction can spoil. */
EW_INLINE V EW_(two_prod)(V a, V b, V *e)
{
    const V p = V_(mul)(a, b);
#if SIMD_FMA_NATIVE
    *e = V_(xor)(V_(fnma)(a, b, p), EW_(k)(-0.0)); /* -(p - ab), exact */
#else
    const V m = V_(from_bits)(EW_(ki)(~(EW_UINT)0x7ffffff));
    const V ah = V_(and)(a, m), al = V_(sub)(a, ah), bh = V_(and)(b, m), bl = V_(sub)(b, bh);
    *e = V_(add)(V_(add)(V_(add)(V_(sub)(V_(mul)(ah, bh), p), V_(mul)(ah, bl)), V_(mul)(al, bh)), V_(mul)(al, bl));
#endif
    return p;
}

/* s + *e = a + b exactly, any order (Knuth's TwoSum) */
EW_INLINE V EW_(two_sum)(V a, V b, V *e)
{
    const V s = V_(add)(a, b), bb = V_(sub)(s, a);
    *e = V_(add)(V_(sub)(a, V_(sub)(s, bb)), V_(sub)(b, bb));
    return s;
}

/* the same for |a| >= |b| or a == 0 (Fast2Sum) */
EW_INLINE V EW_(fast_two_sum)(V a, V b, V *e)
{
    const V s = V_(add)(a, b);
    *e = V_(sub)(b, V_(sub)(s, a));
    return s;
}

/* 2^k from t = k + bias + 1.5*2^p held in a float (the magic-number form;
   math/pow.h's cbrt and pow) */
EW_INLINE V EW_(pow2)(V t) { return V_(from_bits)(VI_(slli)(V_(as_bits)(t), EW_MANT)); }

/* ---------------- sqrt ---------------- */

EW_INLINE V EW_(sqrt_v)(V x) { return V_(sqrt)(x); }

/* ---------------- sin, cos ---------------- */

#if EW_PASS == 1

/* x = q pi/2 + rh + rl with q = round(x * 2/pi), |rl| <= ulp(rh)/2.
   Returns t's bits, whose low bits hold q (+1 for cos: cos x = sin(x +
   pi/2)). Accurate for |x| <= TRIG_MAX and |rh| >= TRIG_RMIN. */
EW_INLINE VI EW_(trig_reduce)(V x, int cosine, V *rh, V *rl)
{
    const V magic = EW_(c)(EWC_MAGIC);
    const V t = V_(fma)(x, EW_(c)(EWC_TWO_OVER_PI), magic);
    const V q = V_(sub)(t, magic);
    const V t1 = V_(fnma)(q, EW_(c)(EWC_PIO2_1), x); /* exact */
    const V p2 = V_(mul)(q, EW_(c)(EWC_PIO2_2));     /* exact */
    const V h = V_(sub)(t1, p2);
    /* Fast2Sum: t1 - p2 = h + err exactly where |t1| >= |p2|, which
       |rh| >= TRIG_RMIN ensures (|x| < 3/4 aside: q = 0 = p2) */
    const V err = V_(sub)(V_(sub)(t1, h), p2);
    const V l = V_(fnma)(q, EW_(c)(EWC_PIO2_3), err);
    *rh = V_(add)(h, l); /* renormalised: |l| << |h| here */
    *rl = V_(sub)(l, V_(sub)(*rh, h));
    const VI qi = V_(as_bits)(t);
    return cosine ? VI_(add)(qi, EW_(ki)(1)) : qi;
}

/* -a */
EW_INLINE V EW_(tr_neg)(V a) { return V_(xor)(a, EW_(k)(-0.0)); }


/* Both sin r = *sh + *sl and cos r = *ch + *cl (|lo| <= ulp(hi)), for tan
   (trig.h), r = rh + rl, |r| <= pi/4 (plus slop), to ~2^-62 relative: the
   polynomials S, C
   (2^-63), their large terms carried exactly. z = rh^2 = z + zl
   (two_prod). sin r = rh + rh z (c0 + w) + rl cos rh, c0 = S(0) (an exact
   double), w = z S'(z) the rest of S: rh z c0 exact as a pair (two
   products), rh + that by Fast2Sum, and the rest (rh z w ~ 0.001 sin r,
   rl's term) in one double. cos r = 1 - z/2 + z^2 (c0' + w') - rl sin rh:
   1 - z/2 exact as a pair (Fast2Sum), z^2 c0' exact as a pair and added
   by Fast2Sum, the rest (z^3 w' ~ 0.0003) in one double. rl, up to half
   an ULP of rh, enters with its derivative's factor (cos rh ~ 1 - z/2,
   sin rh): tan's derivative is >= 1, so there rl's effect is up to half
   an ULP itself. (The plain sums, rh + (rh z S(z) + rl) and 1 + (z^2 C(z)
   - z/2 - rh rl), measured 0.95 ULP, 5% not correctly rounded.) */
EW_INLINE void EW_(trig_sincos_dw)(V rh, V rl, V *sh, V *sl, V *ch, V *cl)
{
    const V one = EW_(c)(EWC_ONE), half = EW_(c)(EWC_HALF);
    V zl, al, e1, ql, e2;
    const V z = EW_(two_prod)(rh, rh, &zl);
    /* sin: a = rh z = ah + al (rh zl folded in), S(z) = c0 + w */
    const V ah = EW_(two_prod)(rh, z, &al);
    al = V_(fma)(rh, zl, al);
    const V c0 = V_(load_const)(EWA(sin_s)[0]);
    const V w = V_(mul)(z, EW_(horner)(z, EWA(sin_s) + 1, EW_NCOEF(EWA(sin_s)) - 1));
    const V p1 = EW_(two_prod)(ah, c0, &e1);
    const V s1 = V_(add)(rh, p1);
    const V t1 = V_(sub)(p1, V_(sub)(s1, rh));
    const V rc = V_(fnma)(V_(mul)(rl, half), z, rl); /* rl cos rh */
    const V s2 = V_(add)(t1, V_(add)(V_(fma)(al, c0, e1), V_(fma)(ah, w, rc)));
    *sh = V_(add)(s1, s2); /* renormalised: s2 reaches ~0.001 s1 */
    *sl = V_(sub)(s2, V_(sub)(*sh, s1));
    /* cos: 1 - z/2 = c1 + d1; z^2 = q + ql; C(z) = c0' + w' */
    const V hz = V_(mul)(z, half);
    const V c1 = V_(sub)(one, hz);
    const V d1 = V_(sub)(V_(sub)(one, c1), hz);
    const V q = EW_(two_prod)(z, z, &ql);
    ql = V_(fma)(V_(add)(z, z), zl, ql);
    const V cc0 = V_(load_const)(EWA(cos_c)[0]);
    const V wc = V_(mul)(z, EW_(horner)(z, EWA(cos_c) + 1, EW_NCOEF(EWA(cos_c)) - 1));
    const V p2 = EW_(two_prod)(q, cc0, &e2);
    const V c2 = V_(add)(c1, p2);
    const V d2 = V_(sub)(p2, V_(sub)(c2, c1));
    /* d1 + d2 + e2 + ql c0' + q w' - zl/2 - rl sin rh */
    const V ct = V_(add)(V_(add)(d1, d2), V_(fnma)(zl, half, V_(fnma)(rl, s1, V_(fma)(ql, cc0, V_(fma)(q, wc, e2)))));
    *ch = V_(add)(c2, ct);
    *cl = V_(sub)(ct, V_(sub)(*ch, c2));
}

/* sin(q pi/2 + rh + rl), |rh + rl| <= pi/4 (plus rounding slop), from the
   two low bits of qi: sin r, cos r, -sin r, -cos r. Each lane computes
   only the one it needs, with trig_sincos_dw's exact terms and error
   (~2^-62) but their structure shared (fewer operations than both):
   f = L + X c0 + (X W + rest), with, q even (sin): L = rh, X = rh z, c0 =
   S(0), W = z S'(z); q odd (cos): L = 1 - (z + zl)/2 (c1 + d1 exact by
   Fast2Sum, zl/2 in the rest), X = z^2, c0 =
   C(0), W = z C'(z), the coefficients picked per lane. X and X c0 are
   exact pairs (two_prod, z's low part folded in), L + X c0 by Fast2Sum;
   rl enters times cos rh ~ 1 - z/2 (sin) or -sin rh ~ -rh (1 + z S(0))
   (cos). One rounding at the end. */
EW_INLINE V EW_(trig_poly)(V rh, V rl, VI qi)
{
    const V one = EW_(c)(EWC_ONE), half = EW_(c)(EWC_HALF);
    const V odd = V_(from_bits)(VI_(slli)(qi, EW_BITS - 1));
    const T(*S)[EW_RLEN] = EWA(sin_s);
    const T(*C)[EW_RLEN] = EWA(cos_c);
    SIMD_OPAQUE_PTR(S);
    SIMD_OPAQUE_PTR(C);
    V zl, xl, e1;
    const V z = EW_(two_prod)(rh, rh, &zl);
    const V hz = V_(mul)(z, half);
    const V c1 = V_(sub)(one, hz);
    const V d1 = V_(sub)(V_(sub)(one, c1), hz);
    const V lh = V_(select_sign)(odd, c1, rh);
    /* X = (z or rh) (z + zl) = xh + xl */
    const V xh = EW_(two_prod)(V_(select_sign)(odd, z, rh), z, &xl);
    xl = V_(fma)(V_(select_sign)(odd, V_(add)(z, z), rh), zl, xl);
    /* W: S has one coefficient more than C (C's is 0) */
    V acc = V_(select_sign)(odd, V_(zero)(), V_(load_const)(S[EW_NCOEF(EWA(sin_s)) - 1]));
    EW_UNROLL
    for (int i = EW_NCOEF(EWA(sin_s)) - 2; i >= 1; i--) {
        acc = V_(fma)(acc, z, V_(select_sign)(odd, V_(load_const)(C[i]), V_(load_const)(S[i])));
    }
    const V w = V_(mul)(z, acc);
    const V s0 = V_(load_const)(S[0]);
    const V y0 = V_(select_sign)(odd, V_(load_const)(C[0]), s0);
    const V p1 = EW_(two_prod)(xh, y0, &e1);
    const V f1 = V_(add)(lh, p1);
    const V t1 = V_(sub)(p1, V_(sub)(f1, lh));
    /* rl's factor: cos rh (sin), -sin rh (cos) */
    const V rf = V_(select_sign)(odd, EW_(tr_neg)(V_(fma)(V_(mul)(rh, z), s0, rh)), c1);
    /* cos: 1 - (z + zl)/2 = c1 + d1 - zl/2 */
    const V tail = V_(add)(V_(add)(t1, V_(select_sign)(odd, V_(fnma)(zl, half, d1), V_(zero)())),
                           V_(fma)(rl, rf, V_(fma)(xh, w, V_(fma)(xl, y0, e1))));
    const V y = V_(add)(f1, tail);
    return V_(xor)(y, V_(from_bits)(VI_(and)(VI_(slli)(qi, EW_BITS - 2), EW_(ki)(EW_SIGNBIT))));
}

/* The reduction every lane gets, whatever path its vector takes (so a
   lane's result never depends on its neighbours): finite x, |x| <=
   TRIG_MAX. *near: lanes whose reduced argument is too small for it
   (|x| < 3/4 aside, where q = 0 and rh = x exactly). */
EW_INLINE VI EW_(trig_reduce_all)(V x, int cosine, V *rh, V *rl, VM *near)
{
    const VI qi = EW_(trig_reduce)(x, cosine, rh, rl);
    *near = V_(lt)(V_(abs)(*rh), EW_(k)(EWK(TRIG_RMIN)));
    return qi;
}

/* The reduction of a vector the fast paths cannot take, still as a vector:
   only the lanes the vector reductions cannot take (finite |x| >
   TRIG_MAX; |x| >= 3/4 too close to a multiple of pi/2) one by one through
   the exact reduction. Tiny, inf and nan lanes (tiny: |x| < TRIG_TINY) get
   rh = rl = 0 (no flag from x * 2/pi or z = x^2 of a tiny x, no inf - inf):
   the caller selects their results. Shared by sin, cos and tan (trig.h). */
EW_INLINE VI EW_(trig_reduce_slow)(V x, int cosine, VM tiny, V *rhp, V *rlp)
{
    const V ax = V_(abs)(x);
    const VM nonfinite = V_(nle)(ax, EW_(k)(EW_TMAX)); /* inf, nan */
    const VM big = V_(nle)(ax, EW_(k)(EW_TRIG_MAX));  /* includes them */
    V rh, rl;
    VM near;
    VI qi = EW_(trig_reduce_all)(V_(zero_if)(VM_(or)(big, tiny), x), cosine, &rh, &rl, &near);
    /* below 3/4, q = 0 and rh = x exactly, however small */
    near = VM_(and)(near, V_(le)(EW_(k)((T)0.75), ax));
    const VM redo = VM_(andnot)(nonfinite, VM_(or)(big, near));
    if (VM_(any)(redo)) {
        const unsigned lanes = VM_(bits)(redo);
        T xa[LANES], ha[LANES], la[LANES], qa[LANES];
        V_(storeu)(xa, x);
        V_(storeu)(ha, rh);
        V_(storeu)(la, rl);
        V_(storeu)(qa, V_(from_bits)(qi)); /* bits, carried in a float array */
        for (int k = 0; k < LANES; k++) {
            if (lanes >> k & 1) {
                double h, l;
                const EW_UINT q = (EW_UINT)(ew_reduce_scalar((double)xa[k], &h, &l, EW_PH_WORDS) + cosine);
                ha[k] = h;
                la[k] = l;
                memcpy(&qa[k], &q, sizeof q);
            }
        }
        rh = V_(loadu)(ha);
        rl = V_(loadu)(la);
        qi = V_(as_bits)(V_(loadu)(qa));
    }
    *rhp = rh;
    *rlp = rl;
    return qi;
}

/* The vectors the fast paths cannot take: tiny, inf and nan lanes by
   selects, the others through trig_reduce_slow. */
EW_NOINLINE V EW_(trig_slow)(V x, int cosine)
{
    const V ax = V_(abs)(x);
    const VM nonfinite = V_(nle)(ax, EW_(k)(EW_TMAX)); /* inf, nan */
    const VM tiny = V_(lt)(ax, EW_(k)(EWK(TRIG_TINY)));
    V rh, rl;
    const VI qi = EW_(trig_reduce_slow)(x, cosine, tiny, &rh, &rl);
    V y = EW_(trig_poly)(rh, rl, qi);
    /* tiny x: cos x = 1; sin x = x, correctly rounded, and a subnormal x
       also raises underflow (tiny and inexact), as numpy/libm do: x*2^-60
       underflows to 0 in those lanes and is exactly 0 elsewhere */
    if (cosine) {
        y = V_(select)(tiny, EW_(c)(EWC_ONE), y);
    } else {
        const V xsub = V_(zero_unless)(V_(lt)(ax, EW_(k)(EW_TMIN)), x);
        y = V_(select)(tiny, V_(add)(x, V_(mul)(xsub, EW_(k)((T)0x1p-60))), y);
    }
    /* inf: inf - inf = nan, raising invalid; nan stays, quietly */
    return V_(select)(nonfinite, V_(sub)(x, x), y);
}

EW_INLINE V EW_(trig_v)(V x, int cosine)
{
    const VI ax = EW_(abs_bits)(x);
    /* TRIG_TINY <= |x| <= TRIG_MAX (which excludes inf and nan) */
    if (!EW_(any_outside)(ax, EW_(bits)(EWK(TRIG_TINY)), EW_(bits)(EW_TRIG_MAX))) {
        V rh, rl;
        const VI qi = EW_(trig_reduce)(x, cosine, &rh, &rl);
        /* and |rh| >= TRIG_RMIN: the common case */
        if (!EW_UNLIKELY(EW_(any_igt)(EW_(ki)(EW_(bits)(EWK(TRIG_RMIN))), EW_(abs_bits)(rh)))) {
            return EW_(trig_poly)(rh, rl, qi);
        }
    }
    return EW_(trig_slow)(x, cosine);
}

#else /* EW_PASS == 2 */

/* float32: widened to float64, where a shorter computation is exact
   enough: x = q pi + r with q = round(x/pi) (for cos, x = (q - 1/2) pi + r
   with q = round(x/pi + 1/2): cos x = sin(x + pi/2)), sin x = (-1)^q sin r,
   r in [-pi/2, pi/2] in one float64, one odd polynomial, the sign flipped
   by q's low bit, and one rounding to float32 at the end. No select, and
   for every finite |x| <= TRIG_MAX (2^30 fused, 2^20 not): r's relative
   error stays below ~2^-51 for any float (the closest one comes to a
   multiple of pi is ~2^-30), so no lane needs a near-multiple redo.
   Returns q's low bit as the sign bit of a float64 (other bits 0). */
EW_INLINE VF64 ew_f32_wide_reduce(VF64 x, int cosine, VF64 *r)
{
    const VF64 magic = ew_f64_c(EWC_MAGIC), invpi = ew_f64_c(EWC_INV_PI);
    const VF64 t = cosine ? vf64_add(vf64_fma(x, invpi, ew_f64_c(EWC_HALF)), magic) : vf64_fma(x, invpi, magic);
    VF64 q = vf64_sub(t, magic);
    if (cosine) {
        q = vf64_sub(q, ew_f64_c(EWC_HALF)); /* exact */
    }
    /* q PI_1 = (2q) PIO2_1: exact product and difference as in trig_reduce;
       then the one rounding of the second step, and pi - PI_1 - PI_2
       (2^-108, unfused 2^-87) times q */
    *r = vf64_fnma(q, ew_f64_c(EWC_PI_2), vf64_fnma(q, ew_f64_c(EWC_PI_1), x));
    return vf64_from_bits(vi64_slli(vf64_as_bits(t), 63));
}

/* (-1)^q sin r = r + r z S(z), z = r^2, sign bit from sgn */
EW_INLINE VF64 ew_f32_wide_poly(VF64 r, VF64 sgn)
{
    const VF64 z = vf64_mul(r, r);
    const VF64 s = vf64_fma(vf64_mul(r, z), ew_f64_horner(z, ew_f64_sinf_s4, EW_NCOEF(ew_f64_sinf_s4)), r);
    return vf64_xor(s, sgn);
}

/* the fast path, and every lane's computation: TRIG_TINY <= |x| <= TRIG_MAX */
EW_INLINE VF32 ew_f32_trig_wide(VF32 x, int cosine)
{
    VF64 rl, rh;
    const VF64 sl = ew_f32_wide_reduce(vf64_cvt_f32_lo(x), cosine, &rl);
    const VF64 sh = ew_f32_wide_reduce(vf64_cvt_f32_hi(x), cosine, &rh);
    return vf32_cvt_f64_pair(ew_f32_wide_poly(rl, sl), ew_f32_wide_poly(rh, sh));
}

/* The vectors with a lane outside [TRIG_TINY, TRIG_MAX]: tiny, inf and nan
   lanes by selects, the lanes beyond TRIG_MAX one by one through the exact
   reduction (x = Q pi/2 + r, |r| <= pi/4), turned into the form above. */
EW_NOINLINE VF32 ew_f32_trig_slow(VF32 x, int cosine)
{
    const VF32 ax = vf32_abs(x);
    const VM32 nonfinite = vf32_nle(ax, ew_f32_k(FLT_MAX)); /* inf, nan */
    const VM32 big = vf32_nle(ax, ew_f32_k(EW_TRIG_MAX));   /* includes them */
    const VM32 tiny = vf32_lt(ax, ew_f32_k(EW_F32_TRIG_TINY));
    /* others get 0: no flag from x/pi or r^2 of a tiny x */
    const VF32 xs = vf32_zero_if(vm32_or(big, tiny), x);
    VF64 rl, rh;
    VF64 sl = ew_f32_wide_reduce(vf64_cvt_f32_lo(xs), cosine, &rl);
    VF64 sh = ew_f32_wide_reduce(vf64_cvt_f32_hi(xs), cosine, &rh);
    const VM32 redo = vm32_andnot(nonfinite, big);
    if (vm32_any(redo)) {
        enum { H = VF64_LANES };
        const unsigned lanes = vm32_bits(redo);
        float xa[VF32_LANES];
        double ra[2 * H], sa[2 * H];
        vf32_storeu(xa, x);
        vf64_storeu(ra, rl);
        vf64_storeu(ra + H, rh);
        vf64_storeu(sa, sl);
        vf64_storeu(sa + H, sh);
        for (int k = 0; k < VF32_LANES; k++) {
            if (lanes >> k & 1) {
                double h, l;
                /* x (+ pi/2 for cos) = Q pi/2 + h + l; odd Q: one pi/2 more
                   or less, toward the sign of r, keeps |r| <= pi/2 */
                int Q = ew_reduce_scalar((double)xa[k], &h, &l, EW_PH_WORDS) + cosine;
                double r = h + l;
                if (Q & 1) {
                    const double s = r > 0 ? -1.0 : 1.0;
                    r = (h + s * EW_PIO2_DD_HI) + (l + s * EW_PIO2_DD_LO);
                    Q -= (int)s;
                }
                ra[k] = r;
                sa[k] = Q & 2 ? -0.0 : 0.0;
            }
        }
        rl = vf64_loadu(ra);
        rh = vf64_loadu(ra + H);
        sl = vf64_loadu(sa);
        sh = vf64_loadu(sa + H);
    }
    VF32 y = vf32_cvt_f64_pair(ew_f32_wide_poly(rl, sl), ew_f32_wide_poly(rh, sh));
    /* tiny x: cos x = 1; sin x = x, correctly rounded, and a subnormal x
       also raises underflow (tiny and inexact), as numpy/libm do: x*2^-60
       underflows to 0 in those lanes and is exactly 0 elsewhere */
    if (cosine) {
        y = vf32_select(tiny, ew_f32_c(EWC_ONE), y);
    } else {
        const VF32 xsub = vf32_zero_unless(vf32_lt(ax, ew_f32_k(FLT_MIN)), x);
        y = vf32_select(tiny, vf32_add(x, vf32_mul(xsub, ew_f32_k(0x1p-60f))), y);
    }
    /* inf: inf - inf = nan, raising invalid; nan stays, quietly */
    return vf32_select(nonfinite, vf32_sub(x, x), y);
}

EW_INLINE VF32 ew_f32_trig_v(VF32 x, int cosine)
{
    /* TRIG_TINY <= |x| <= TRIG_MAX (which excludes inf and nan) */
    if (EW_UNLIKELY(ew_f32_any_outside(ew_f32_abs_bits(x), ew_f32_bits(EW_F32_TRIG_TINY), ew_f32_bits(EW_TRIG_MAX)))) {
        return ew_f32_trig_slow(x, cosine);
    }
    return ew_f32_trig_wide(x, cosine);
}

#endif

#if EW_PASS == 1
EW_INLINE V EW_(sin_v)(V x) { return EW_(trig_v)(x, 0); }
EW_INLINE V EW_(cos_v)(V x) { return EW_(trig_v)(x, 1); }
#else
EW_INLINE V EW_(sin_v)(V x) { return ew_f32_trig_v(x, 0); }
EW_INLINE V EW_(cos_v)(V x) { return ew_f32_trig_v(x, 1); }
#endif

/* ---------------- the strided map driver ---------------- */

/* the m < LANES elements x[k*inc], the other lanes `fill`: a value the
   kernel computes without a flag or a slow path (1.0 for nearly all: +0
   would take log's and sin's; arctanh(1) is a pole) */
EW_INLINE V EW_(load_part)(const T *x, ptrdiff_t inc, ptrdiff_t m, V fill)
{
    const V v = inc == 1 ? V_(loadn)(x, m) : V_(loadsn)(x, inc, m);
    return V_(select)(VM_(first_n)(m), v, fill);
}

EW_INLINE void EW_(store_part)(T *y, ptrdiff_t inc, ptrdiff_t m, V v)
{
    if (inc == 1) {
        V_(storen)(y, m, v);
    } else {
        V_(storesn)(y, inc, m, v);
    }
}

/* elements before p reaches a multiple of one vector's size (at most n) */
EW_INLINE ptrdiff_t EW_(head)(const T *p, ptrdiff_t n)
{
    const uintptr_t bytes = LANES * sizeof(T), addr = (uintptr_t)(const void *)p;
    const ptrdiff_t h = addr % sizeof(T) ? 0 : (ptrdiff_t)((bytes - addr % bytes) % bytes / sizeof(T));
    return h < n ? h : n;
}

/* Every element is read before its own result is stored and after the
   results of the elements before it, so x == y with incx == incy works.
   Contiguous data: an unaligned head (so the stores are aligned), then
   whole vectors; then the tail, by the layer's partial loads and stores,
   its lanes past the end FILL (EW_DEFINE_MAP: 1.0). */
#define EW_DEFINE_MAP(fname, KERN) EW_DEFINE_MAP_FILL(fname, KERN, 1)
#define EW_DEFINE_MAP_FILL(fname, KERN, FILL)                                          \
    static void EW_NAME(fname)(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy) \
    {                                                                                  \
        ptrdiff_t i = 0;                                                               \
        if (n <= 0) {                                                                  \
            return;                                                                    \
        }                                                                              \
        if (incx == 1 && incy == 1) {                                                  \
            const ptrdiff_t h = EW_(head)(y, n);                                       \
            if (h > 0) {                                                               \
                EW_(store_part)(y, 1, h, KERN(EW_(load_part)(x, 1, h, EW_(k)(FILL)))); \
                i = h;                                                                 \
            }                                                                          \
            for (; n - i >= LANES; i += LANES) {                                       \
                V_(storeu)(y + i, KERN(V_(loadu)(x + i)));                             \
            }                                                                          \
        } else {                                                                       \
            for (; n - i >= LANES; i += LANES) {                                       \
                V_(stores)(y + i * incy, incy, KERN(V_(loads)(x + i * incx, incx)));   \
            }                                                                          \
        }                                                                              \
        if (i < n) {                                                                   \
            EW_(store_part)(y + i * incy, incy, n - i,                                 \
                            KERN(EW_(load_part)(x + i * incx, incx, n - i, EW_(k)(FILL)))); \
        }                                                                              \
    }

/* The same for a function of two arguments: z[i*incz] = f(x[i*incx],
   y[i*incy]); z may be x or y with the same stride. Tails fill 1.0 in both
   (f(1, 1) is harmless to every binary kernel). */
#define EW_DEFINE_MAP2(fname, KERN2)                                                   \
    static void EW_NAME(fname)(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y,    \
                               ptrdiff_t incy, T *z, ptrdiff_t incz)                   \
    {                                                                                  \
        ptrdiff_t i = 0;                                                               \
        if (n <= 0) {                                                                  \
            return;                                                                    \
        }                                                                              \
        if (incx == 1 && incy == 1 && incz == 1) {                                     \
            for (; n - i >= LANES; i += LANES) {                                       \
                V_(storeu)(z + i, KERN2(V_(loadu)(x + i), V_(loadu)(y + i)));          \
            }                                                                          \
        } else {                                                                       \
            for (; n - i >= LANES; i += LANES) {                                       \
                V_(stores)(z + i * incz, incz,                                         \
                           KERN2(V_(loads)(x + i * incx, incx), V_(loads)(y + i * incy, incy))); \
            }                                                                          \
        }                                                                              \
        if (i < n) {                                                                   \
            EW_(store_part)(z + i * incz, incz, n - i,                                 \
                            KERN2(EW_(load_part)(x + i * incx, incx, n - i, EW_(k)(1)), \
                                  EW_(load_part)(y + i * incy, incy, n - i, EW_(k)(1)))); \
        }                                                                              \
    }

/* float32 through a float64 kernel: both halves widened, computed, and
   rounded once to float32 (a float64 result within 0.6 ULP rounds to the
   correctly rounded float32 but in ~2^-28 of cases). Flags are right:
   overflow and underflow of the float32 result are the narrowing's. */
#if EW_PASS == 2
#define EW_F32_VIA_F64(f64_kernel, x)                                                  \
    vf32_cvt_f64_pair(f64_kernel(vf64_cvt_f32_lo(x)), f64_kernel(vf64_cvt_f32_hi(x)))
#define EW_F32_VIA_F64_2(f64_kernel, x, y)                                             \
    vf32_cvt_f64_pair(f64_kernel(vf64_cvt_f32_lo(x), vf64_cvt_f32_lo(y)),              \
                      f64_kernel(vf64_cvt_f32_hi(x), vf64_cvt_f32_hi(y)))
#endif

EW_DEFINE_MAP(sqrt, EW_(sqrt_v))
EW_DEFINE_MAP(sin, EW_(sin_v))
EW_DEFINE_MAP(cos, EW_(cos_v))

/* ---------------- the function groups ----------------
 * Each simd/math/<group>.h is included here once per pass, with the pass's
 * names (T, V, V_, EW_, EW_NAME, ...) and every helper above in scope. It
 * defines its vector kernels EW_(<fn>_v), instantiates them with
 * EW_DEFINE_MAP (EW_DEFINE_MAP_FILL where 1.0 is no harmless tail filler)
 * or EW_DEFINE_MAP2, and defines SIMD_HAVE_s<fn> and
 * SIMD_HAVE_d<fn>. Its constants come from simd/math/<group>.json, through
 * elementwise_consts.h (list the group in meson.build's ew_math_groups).
 */
#include "math/exp.h"
#include "math/log.h"
#include "math/pow.h"
#include "math/trig.h"

#undef EW_DEFINE_MAP
#undef EW_DEFINE_MAP_FILL
#undef EW_DEFINE_MAP2
#undef EW_F32_VIA_F64
#undef EW_F32_VIA_F64_2
#undef EW_RLEN
#undef EW_SIGNBIT
#undef EW_ABSMASK
#undef EW_TRIG_MAX

/* end of the pass: its parameters go, so the next pass can set them */
#undef EW_PASS
#undef T
#undef V
#undef VI
#undef LANES
#undef V_
#undef VI_
#undef EWK
#undef EWA
#undef EW_
#undef EW_NAME
#undef EW_UINT
#undef EW_BITS
#undef EW_MANT
#undef EW_MAGIC
#undef EW_TMIN
#undef EW_TMAX
#undef EW_IGT
#undef VM
#undef VM_
#undef EW_ROW
#undef EW_PH_WORDS

#endif /* EW_PASS */
