/*
 * vec_neon.h -- the AArch64 Advanced SIMD (NEON) vector layer: 2 x f64,
 * 4 x f32 (128-bit), fused multiply-add, 32 vector registers.
 * simd/LAYERS.md is the contract every layer implements; the notes below
 * say where NEON needs more than one instruction to keep it.
 *
 * Instruction set: ARMv8.0-A Advanced SIMD only (the kernels_neon module
 * declares ASIMD and is compiled with -march=armv8-a+simd): no FP16, no
 * dot product, nothing a Cortex-A53 lacks.
 *
 * Masks (VM64, VM32) are unsigned vectors of all-ones / all-zeros lanes:
 * what NEON's comparisons produce and its bit select (BSL) reads.
 *
 * Comparisons and the invalid flag. NEON's FCMEQ is quiet (it raises
 * invalid only for signalling NaNs), but FCMGT/FCMGE/FCMLT/FCMLE and the
 * absolute forms FACGT/FACGE raise invalid for quiet NaNs too, as the
 * C operators < <= > >= may; x86's _OQ predicates do not. The layer's
 * lt/le/nle must be quiet (numpy reports the flags), so they compare
 * copies whose NaN lanes were zeroed, found by FCMEQ (the scheme of
 * vec_sse2.h, whose SSE2 has no quiet ordered compare either). max and
 * min are FMAXNM/FMIN, quiet for quiet NaNs.
 */
#ifndef SIMD_VEC_NEON_H
#define SIMD_VEC_NEON_H

#if !(defined(__aarch64__) || defined(_M_ARM64)) || !defined(__ARM_NEON)
#error "vec_neon.h needs AArch64 Advanced SIMD: compile this translation unit for aarch64 (-march=armv8-a+simd)"
#endif

#include <arm_neon.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define SIMD_NAME(x) neon_##x
/* the version of the op set the templates use (simd/layer_api.h) */
#define SIMD_LAYER_API 4
#define SIMD_LAYER_FEATURES (HOSTLIB_CPU_ASIMD)
/* v0-v31: gemm.h sizes its register tile by this */
#define SIMD_VEC_REGISTERS 32

typedef float64x2_t VF64;
typedef float32x4_t VF32;
#define VF64_LANES 2
#define VF32_LANES 4

/* The operations that are one intrinsic, for prefix p, vector V, element T
   and intrinsic suffix s (f64 / f32). NEON loads and stores have no
   alignment requirement, so load == loadu. max is FMAXNM: a quiet NaN in
   a gives b, as the contract asks (b is never NaN in the templates). */
#define SIMD_NEON_OPS_(p, V, T, s)                                                   \
    static inline V p##_load(const T *x) { return vld1q_##s(x); }                   \
    static inline V p##_loadu(const T *x) { return vld1q_##s(x); }                  \
    static inline void p##_store(T *x, V a) { vst1q_##s(x, a); }                    \
    static inline void p##_storeu(T *x, V a) { vst1q_##s(x, a); }                   \
    static inline V p##_set1(T a) { return vdupq_n_##s(a); }                        \
    static inline V p##_zero(void) { return vdupq_n_##s((T)0); }                    \
    static inline V p##_add(V a, V b) { return vaddq_##s(a, b); }                   \
    static inline V p##_mul(V a, V b) { return vmulq_##s(a, b); }                   \
    static inline V p##_fma(V a, V b, V c) { return vfmaq_##s(c, a, b); }           \
    static inline V p##_abs(V a) { return vabsq_##s(a); }                           \
    static inline V p##_max(V a, V b) { return vmaxnmq_##s(a, b); }

SIMD_NEON_OPS_(vf64, VF64, double, f64)
SIMD_NEON_OPS_(vf32, VF32, float, f32)
#undef SIMD_NEON_OPS_

/* ---- float64 ---- */
/* l0 + l1 (FADDP) */
static inline double vf64_hsum(VF64 a) { return vaddvq_f64(a); }
static inline double vf64_hmax(VF64 a) { return vmaxnmvq_f64(a); }
/* lane by lane, in lane order: with inc == 0 the last lane stored wins */
static inline VF64 vf64_loads(const double *p, ptrdiff_t inc)
{
    return vld1q_lane_f64(p + inc, vld1q_dup_f64(p), 1);
}
static inline void vf64_stores(double *p, ptrdiff_t inc, VF64 a)
{
    vst1q_lane_f64(p, a, 0);
    vst1q_lane_f64(p + inc, a, 1);
}
/* The first n lanes (0 <= n <= lanes), by single-lane loads and stores
   that touch only those elements: NEON has no masked load or store. With
   two lanes, fewer than two are contiguous whatever the stride. */
static inline VF64 vf64_loadn(const double *p, ptrdiff_t n)
{
    if (n >= 2) {
        return vld1q_f64(p);
    }
    return n == 1 ? vld1q_lane_f64(p, vdupq_n_f64(0.0), 0) : vdupq_n_f64(0.0);
}
static inline void vf64_storen(double *p, ptrdiff_t n, VF64 a)
{
    if (n >= 2) {
        vst1q_f64(p, a);
    } else if (n == 1) {
        vst1q_lane_f64(p, a, 0);
    }
}
static inline VF64 vf64_loadsn(const double *p, ptrdiff_t inc, ptrdiff_t n)
{
    return n >= 2 ? vf64_loads(p, inc) : vf64_loadn(p, n);
}
static inline void vf64_storesn(double *p, ptrdiff_t inc, ptrdiff_t n, VF64 a)
{
    if (n >= 2) {
        vf64_stores(p, inc, a);
    } else {
        vf64_storen(p, n, a);
    }
}
/* two float32 widened to float64 */
static inline VF64 vf64_loadu_f32(const float *p) { return vcvt_f64_f32(vld1_f32(p)); }
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc)
{
    return vcvt_f64_f32(vld1_lane_f32(p + inc, vld1_dup_f32(p), 1));
}
static inline VF64 vf64_loadn_f32(const float *p, ptrdiff_t n)
{
    if (n >= 2) {
        return vf64_loadu_f32(p);
    }
    return n == 1 ? vcvt_f64_f32(vld1_lane_f32(p, vdup_n_f32(0.0f), 0)) : vdupq_n_f64(0.0);
}
static inline VF64 vf64_loadsn_f32(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    return n >= 2 ? vf64_loads_f32(p, inc) : vf64_loadn_f32(p, n);
}

/* ---- float32 ---- */
/* pairwise: (l0 + l1) + (l2 + l3) */
static inline float vf32_hsum(VF32 a)
{
    const float32x4_t t = vpaddq_f32(a, a);
    return vgetq_lane_f32(t, 0) + vgetq_lane_f32(t, 1);
}
static inline float vf32_hmax(VF32 a) { return vmaxnmvq_f32(a); }
static inline VF32 vf32_loads(const float *p, ptrdiff_t inc)
{
    VF32 r = vld1q_dup_f32(p);
    r = vld1q_lane_f32(p + inc, r, 1);
    r = vld1q_lane_f32(p + 2 * inc, r, 2);
    return vld1q_lane_f32(p + 3 * inc, r, 3);
}
static inline void vf32_stores(float *p, ptrdiff_t inc, VF32 a)
{
    vst1q_lane_f32(p, a, 0);
    vst1q_lane_f32(p + inc, a, 1);
    vst1q_lane_f32(p + 2 * inc, a, 2);
    vst1q_lane_f32(p + 3 * inc, a, 3);
}
static inline VF32 vf32_loadn(const float *p, ptrdiff_t n)
{
    const float32x2_t z = vdup_n_f32(0.0f);
    switch (n) {
    case 0:
        return vdupq_n_f32(0.0f);
    case 1:
        return vcombine_f32(vld1_lane_f32(p, z, 0), z);
    case 2:
        return vcombine_f32(vld1_f32(p), z);
    case 3:
        return vcombine_f32(vld1_f32(p), vld1_lane_f32(p + 2, z, 0));
    default:
        return vld1q_f32(p);
    }
}
static inline void vf32_storen(float *p, ptrdiff_t n, VF32 a)
{
    if (n >= 4) {
        vst1q_f32(p, a);
        return;
    }
    if (n >= 2) {
        vst1_f32(p, vget_low_f32(a));
        if (n == 3) {
            vst1q_lane_f32(p + 2, a, 2);
        }
    } else if (n == 1) {
        vst1q_lane_f32(p, a, 0);
    }
}
static inline VF32 vf32_loadsn(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    if (n >= 4) {
        return vf32_loads(p, inc);
    }
    VF32 r = vdupq_n_f32(0.0f);
    if (n > 0) {
        r = vld1q_lane_f32(p, r, 0);
    }
    if (n > 1) {
        r = vld1q_lane_f32(p + inc, r, 1);
    }
    if (n > 2) {
        r = vld1q_lane_f32(p + 2 * inc, r, 2);
    }
    return r;
}
static inline void vf32_storesn(float *p, ptrdiff_t inc, ptrdiff_t n, VF32 a)
{
    if (n >= 4) {
        vf32_stores(p, inc, a);
        return;
    }
    if (n > 0) {
        vst1q_lane_f32(p, a, 0);
    }
    if (n > 1) {
        vst1q_lane_f32(p + inc, a, 1);
    }
    if (n > 2) {
        vst1q_lane_f32(p + 2 * inc, a, 2);
    }
}

/* Pairs (optional ops, SIMD_HAVE_LOAD2): load2 reads 2 LANES contiguous
   elements and returns the even ones in *a, the odd ones in *b (complex
   re, im pairs); store2 writes them back interleaved. */
#define SIMD_HAVE_LOAD2 1
static inline void vf64_load2(const double *p, VF64 *a, VF64 *b)
{
    const float64x2x2_t t = vld2q_f64(p);
    *a = t.val[0];
    *b = t.val[1];
}
static inline void vf64_store2(double *p, VF64 a, VF64 b)
{
    float64x2x2_t t;
    t.val[0] = a;
    t.val[1] = b;
    vst2q_f64(p, t);
}
static inline void vf32_load2(const float *p, VF32 *a, VF32 *b)
{
    const float32x4x2_t t = vld2q_f32(p);
    *a = t.val[0];
    *b = t.val[1];
}
static inline void vf32_store2(float *p, VF32 a, VF32 b)
{
    float32x4x2_t t;
    t.val[0] = a;
    t.val[1] = b;
    vst2q_f32(p, t);
}

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body):
   AArch64 has a scalar FMADD, which fma() compiles to */
static inline double sf64_fma(double a, double b, double c) { return fma(a, b, c); }
static inline float sf32_fma(float a, float b, float c) { return fmaf(a, b, c); }

/* ------------------------------------------------------------------------
 * Elementwise math support (simd/elementwise.h): bitwise float ops,
 * selects, quiet comparisons, and integer ops on the lanes' bit patterns.
 * fnma is fused (FMLS), so SIMD_FMA_NATIVE is 1.
 * ------------------------------------------------------------------------ */
#define SIMD_FMA_NATIVE 1

typedef uint64x2_t VI64; /* 2 x 64-bit lanes: the bits of a VF64 */
typedef uint32x4_t VI32; /* 4 x 32-bit lanes: the bits of a VF32 */
typedef uint64x2_t VM64; /* a mask of VF64/VI64 lanes */
typedef uint32x4_t VM32; /* a mask of VF32/VI32 lanes */

/* ~a (MVN works on bytes; the lane width does not matter) */
static inline uint64x2_t simd_neon_not64_(uint64x2_t a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(a))); }
static inline uint32x4_t simd_neon_not32_(uint32x4_t a) { return vmvnq_u32(a); }

/* p: prefix, V/T/s as above, I: the integer vector, u: its suffix (u64 /
   u32), S: the signed suffix (s64 / s32), w: the lane width */
#define SIMD_NEON_MATH_(p, V, T, s, I, u, S, w)                                        \
    static inline I p##_as_bits(V a) { return vreinterpretq_##u##_##s(a); }          \
    static inline V p##_from_bits(I a) { return vreinterpretq_##s##_##u(a); }        \
    static inline V p##_sub(V a, V b) { return vsubq_##s(a, b); }                    \
    static inline V p##_div(V a, V b) { return vdivq_##s(a, b); }                    \
    static inline V p##_sqrt(V a) { return vsqrtq_##s(a); }                          \
    static inline V p##_min(V a, V b) { return vminq_##s(a, b); }                    \
    /* c - a*b, fused */                                                             \
    static inline V p##_fnma(V a, V b, V c) { return vfmsq_##s(c, a, b); }           \
    static inline V p##_and(V a, V b) { return p##_from_bits(vandq_##u(p##_as_bits(a), p##_as_bits(b))); } \
    static inline V p##_or(V a, V b) { return p##_from_bits(vorrq_##u(p##_as_bits(a), p##_as_bits(b))); }  \
    static inline V p##_xor(V a, V b) { return p##_from_bits(veorq_##u(p##_as_bits(a), p##_as_bits(b))); } \
    /* ~a & b (BIC b, a) */                                                          \
    static inline V p##_andnot(V a, V b) { return p##_from_bits(vbicq_##u(p##_as_bits(b), p##_as_bits(a))); } \
    /* m ? a : b, bit by bit (BSL) */                                                \
    static inline V p##_select(I m, V a, V b) { return vbslq_##s(m, a, b); }         \
    static inline V p##_zero_if(I m, V a) { return p##_from_bits(vbicq_##u(p##_as_bits(a), m)); } \
    static inline V p##_zero_unless(I m, V a) { return p##_from_bits(vandq_##u(m, p##_as_bits(a))); } \
    /* lanes of s with the sign bit set take a (an integer compare: quiet) */       \
    static inline V p##_select_sign(V sg, V a, V b)                                  \
    {                                                                                \
        return vbslq_##s(vcltzq_##S(vreinterpretq_##S##_##s(sg)), a, b);             \
    }                                                                                \
    static inline I p##_eq(V a, V b) { return vceqq_##s(a, b); }                     \
    static inline I p##_isnan(V a) { return simd_neon_not##w##_(vceqq_##s(a, a)); }  \
    /* quiet a < b: NaN lanes of either operand zeroed in both (0 < 0 is false) */  \
    static inline I p##_lt(V a, V b)                                                 \
    {                                                                                \
        const I o = vandq_##u(vceqq_##s(a, a), vceqq_##s(b, b));                     \
        return vcltq_##s(p##_from_bits(vandq_##u(p##_as_bits(a), o)),               \
                         p##_from_bits(vandq_##u(p##_as_bits(b), o)));               \
    }                                                                                \
    static inline I p##_le(V a, V b)                                                 \
    {                                                                                \
        const I o = vandq_##u(vceqq_##s(a, a), vceqq_##s(b, b));                     \
        return vandq_##u(o, vcleq_##s(p##_from_bits(vandq_##u(p##_as_bits(a), o)),  \
                                      p##_from_bits(vandq_##u(p##_as_bits(b), o)))); \
    }                                                                                \
    /* !(a <= b): true where a > b or either is NaN */                               \
    static inline I p##_nle(V a, V b) { return simd_neon_not##w##_(p##_le(a, b)); }

SIMD_NEON_MATH_(vf64, VF64, double, f64, VI64, u64, s64, 64)
SIMD_NEON_MATH_(vf32, VF32, float, f32, VI32, u32, s32, 32)
#undef SIMD_NEON_MATH_

/* mask logic; any/all by the 32-bit lanes' maximum/minimum (a 64-bit
   lane is two equal halves); the lanes as bits (bit k: lane k) by adding
   up lane k's weight 2^k, as NEON has no movemask */
#define SIMD_NEON_MASK_(p, M, u, w)                                                    \
    static inline M p##_and(M a, M b) { return vandq_##u(a, b); }                    \
    static inline M p##_or(M a, M b) { return vorrq_##u(a, b); }                     \
    static inline M p##_andnot(M a, M b) { return vbicq_##u(b, a); }                 \
    static inline int p##_any(M m) { return vmaxvq_u32(simd_neon_u32_##w##_(m)) != 0; } \
    static inline int p##_all(M m) { return vminvq_u32(simd_neon_u32_##w##_(m)) != 0; } \
    static inline unsigned p##_bits(M m) { return (unsigned)vaddvq_##u(vandq_##u(m, simd_neon_weights##w##_())); }

static inline uint32x4_t simd_neon_u32_64_(uint64x2_t m) { return vreinterpretq_u32_u64(m); }
static inline uint32x4_t simd_neon_u32_32_(uint32x4_t m) { return m; }
static inline uint64x2_t simd_neon_weights64_(void) { return vcombine_u64(vcreate_u64(1), vcreate_u64(2)); }
static inline uint32x4_t simd_neon_weights32_(void)
{
    return vcombine_u32(vcreate_u32(1 | (uint64_t)2 << 32), vcreate_u32(4 | (uint64_t)8 << 32));
}
SIMD_NEON_MASK_(vm64, VM64, u64, 64)
SIMD_NEON_MASK_(vm32, VM32, u32, 32)
#undef SIMD_NEON_MASK_
/* lanes 0..n-1 (0 <= n <= lanes): lane k is true where k < n */
static inline VM64 vm64_first_n(ptrdiff_t n)
{
    return vcltq_u64(vcombine_u64(vcreate_u64(0), vcreate_u64(1)), vdupq_n_u64((uint64_t)n));
}
static inline VM32 vm32_first_n(ptrdiff_t n)
{
    return vcltq_u32(vcombine_u32(vcreate_u32((uint64_t)1 << 32), vcreate_u32(2 | (uint64_t)3 << 32)),
                     vdupq_n_u32((uint32_t)n));
}

#define SIMD_HAVE_F32_F64_CVT 1 /* the three conversions below */
/* float32 <-> float64 between a VF32 and the two VF64 of its halves */
static inline VF64 vf64_cvt_f32_lo(VF32 a) { return vcvt_f64_f32(vget_low_f32(a)); }
static inline VF64 vf64_cvt_f32_hi(VF32 a) { return vcvt_high_f64_f32(a); }
static inline VF32 vf32_cvt_f64_pair(VF64 lo, VF64 hi) { return vcvt_high_f32_f64(vcvt_f32_f64(lo), hi); }

/* Constant tables (see vec_sse2.h). With 32 registers the compiler keeps
   the constants of a loop in registers when it can see them (as on
   AVX-512): the pointer is left visible and a row is read as a splat of
   its first value. */
#define SIMD_OPAQUE_PTR(p) ((void)0)
static inline VF64 vf64_load_const(const double *p) { return vdupq_n_f64(*p); }
static inline VF32 vf32_load_const(const float *p) { return vdupq_n_f32(*p); }

/* integer lanes: wrapping add/sub, bitwise ops, shifts by a constant
   (srli: 1 <= n, as NEON's USHR needs) */
static inline VI64 vi64_set1(uint64_t a) { return vdupq_n_u64(a); }
static inline VI64 vi64_add(VI64 a, VI64 b) { return vaddq_u64(a, b); }
static inline VI64 vi64_sub(VI64 a, VI64 b) { return vsubq_u64(a, b); }
static inline VI64 vi64_and(VI64 a, VI64 b) { return vandq_u64(a, b); }
static inline VI64 vi64_or(VI64 a, VI64 b) { return vorrq_u64(a, b); }
static inline VI64 vi64_xor(VI64 a, VI64 b) { return veorq_u64(a, b); }
#define vi64_slli(a, n) vshlq_n_u64((a), (n))
#define vi64_srli(a, n) vshrq_n_u64((a), (n))
/* signed a > b as a mask (CMGT .2d) */
static inline VM64 vi64_gt(VI64 a, VI64 b) { return vcgtq_s64(vreinterpretq_s64_u64(a), vreinterpretq_s64_u64(b)); }
/* a > b at least by the signed high 32-bit halves (here: exactly) */
static inline VM64 vi64_gt_hi(VI64 a, VI64 b) { return vi64_gt(a, b); }

static inline VI32 vi32_set1(uint32_t a) { return vdupq_n_u32(a); }
static inline VI32 vi32_add(VI32 a, VI32 b) { return vaddq_u32(a, b); }
static inline VI32 vi32_sub(VI32 a, VI32 b) { return vsubq_u32(a, b); }
static inline VI32 vi32_and(VI32 a, VI32 b) { return vandq_u32(a, b); }
static inline VI32 vi32_or(VI32 a, VI32 b) { return vorrq_u32(a, b); }
static inline VI32 vi32_xor(VI32 a, VI32 b) { return veorq_u32(a, b); }
#define vi32_slli(a, n) vshlq_n_u32((a), (n))
#define vi32_srli(a, n) vshrq_n_u32((a), (n))
/* signed a > b as a mask */
static inline VM32 vi32_gt(VI32 a, VI32 b) { return vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b)); }

/* table lookup (layer API 3): lane k is t[i_k]; every index is in range.
   NEON has no gather: two scalar loads */
static inline VF64 vf64_lookup(const double *t, VI64 i)
{
    return vcombine_f64(vld1_f64(t + vgetq_lane_u64(i, 0)), vld1_f64(t + vgetq_lane_u64(i, 1)));
}

/* lookup in a 16-value table (layer API 4): lane k is t[i_k mod 16] (only
   the low 4 bits of each index count), t 64-byte aligned.
   SIMD_LOOKUP16_PERMUTE: 1 where this is a register permute (the table
   held in registers), cheap enough for the templates to trade a longer
   polynomial for a 16-cell reduction; 0 here: the lookup above */
#define SIMD_LOOKUP16_PERMUTE 0
static inline VF64 vf64_lookup16(const double *t, VI64 i) { return vf64_lookup(t, vi64_and(i, vi64_set1(15))); }

#endif /* SIMD_VEC_NEON_H */
