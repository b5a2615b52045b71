/*
 * vec_avx2.h -- the AVX2+FMA vector layer: 4 x f64, 8 x f32 (256-bit),
 * with fused multiply-add. simd/LAYERS.md is the contract every layer
 * keeps.
 */
#ifndef SIMD_VEC_AVX2_H
#define SIMD_VEC_AVX2_H

/* MSVC's /arch:AVX2 implies FMA but does not define __FMA__ */
#if !(defined(__AVX2__) && (defined(__FMA__) || defined(_MSC_VER)))
#error "vec_avx2.h needs AVX2 and FMA: compile this translation unit with -mavx2 -mfma (x86 only)"
#endif

#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define SIMD_NAME(x) avx2_##x
/* the version of the op set the templates use (simd/layer_api.h) */
#define SIMD_LAYER_API 4
#define SIMD_LAYER_FEATURES (HOSTLIB_CPU_AVX2 | HOSTLIB_CPU_FMA3)

typedef __m256d VF64;
typedef __m256 VF32;
#define VF64_LANES 4
#define VF32_LANES 8

/* The operations that are one intrinsic, for prefix p, vector V, element T
   and intrinsic suffix s (pd / ps). */
#define SIMD_AVX2_OPS_(p, V, T, s)                                                   \
    static inline V p##_load(const T *x) { return _mm256_load_##s(x); }             \
    static inline V p##_loadu(const T *x) { return _mm256_loadu_##s(x); }           \
    static inline void p##_store(T *x, V a) { _mm256_store_##s(x, a); }             \
    static inline void p##_storeu(T *x, V a) { _mm256_storeu_##s(x, a); }           \
    static inline V p##_set1(T a) { return _mm256_set1_##s(a); }                    \
    static inline V p##_zero(void) { return _mm256_setzero_##s(); }                 \
    static inline V p##_add(V a, V b) { return _mm256_add_##s(a, b); }              \
    static inline V p##_mul(V a, V b) { return _mm256_mul_##s(a, b); }              \
    static inline V p##_fma(V a, V b, V c) { return _mm256_fmadd_##s(a, b, c); }    \
    static inline V p##_abs(V a) { return _mm256_andnot_##s(_mm256_set1_##s((T)-0.0), a); } \
    static inline V p##_max(V a, V b) { return _mm256_max_##s(a, b); }

SIMD_AVX2_OPS_(vf64, VF64, double, pd)
SIMD_AVX2_OPS_(vf32, VF32, float, ps)
#undef SIMD_AVX2_OPS_

/* Masks are float vectors whose lanes are all ones or all zeros: what
   AVX's comparisons produce, and what blendv and vmaskmov read. */
typedef __m256d VM64; /* a mask of VF64/VI64 lanes */
typedef __m256 VM32;  /* a mask of VF32/VI32 lanes */

/* The first n lanes (0 <= n <= lanes) as a mask: the n leading all-ones
   lanes start at tbl + lanes - n. */
static const int64_t simd_avx2_mask64_[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
static const int32_t simd_avx2_mask32_[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
static inline VM64 vm64_first_n(ptrdiff_t n)
{
    return _mm256_castsi256_pd(_mm256_loadu_si256((const __m256i *)(simd_avx2_mask64_ + 4 - n)));
}
static inline VM32 vm32_first_n(ptrdiff_t n)
{
    return _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)(simd_avx2_mask32_ + 8 - n)));
}

/* ---- float64 ---- */
/* The first n lanes by vmaskmov, which never touches the masked-out
   elements (so cannot fault past the end). Strided, by a masked gather
   (whose masked-out lanes are not read either) and lane by lane stores. */
static inline VF64 vf64_loadn(const double *p, ptrdiff_t n)
{
    return _mm256_maskload_pd(p, _mm256_castpd_si256(vm64_first_n(n)));
}
static inline void vf64_storen(double *p, ptrdiff_t n, VF64 a)
{
    _mm256_maskstore_pd(p, _mm256_castpd_si256(vm64_first_n(n)), a);
}
/* lane k's offset k * inc, in elements */
static inline __m256i simd_avx2_steps_(ptrdiff_t inc)
{
    return _mm256_setr_epi64x(0, (long long)inc, 2 * (long long)inc, 3 * (long long)inc);
}
static inline VF64 vf64_loadsn(const double *p, ptrdiff_t inc, ptrdiff_t n)
{
    return _mm256_mask_i64gather_pd(_mm256_setzero_pd(), p, simd_avx2_steps_(inc), vm64_first_n(n), 8);
}
/* pairwise: (l0 + l2) + (l1 + l3) */
static inline double vf64_hsum(VF64 a)
{
    const __m128d t = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
}
static inline double vf64_hmax(VF64 a)
{
    const __m128d t = _mm_max_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_max_sd(t, _mm_unpackhi_pd(t, t)));
}
/* Strided lanes are built from scalar loads: vgatherqpd/vgatherdps
   measured up to 2x slower in the strided reductions (AMD EPYC, 2025). */
static inline VF64 vf64_loads(const double *p, ptrdiff_t inc)
{
    return _mm256_setr_pd(p[0], p[inc], p[2 * inc], p[3 * inc]);
}
static inline void vf64_stores(double *p, ptrdiff_t inc, VF64 a)
{
    const __m128d lo = _mm256_castpd256_pd128(a), hi = _mm256_extractf128_pd(a, 1);
    _mm_storel_pd(p, lo);
    _mm_storeh_pd(p + inc, lo);
    _mm_storel_pd(p + 2 * inc, hi);
    _mm_storeh_pd(p + 3 * inc, hi);
}
static inline void vf64_storesn(double *p, ptrdiff_t inc, ptrdiff_t n, VF64 a)
{
    const __m128d lo = _mm256_castpd256_pd128(a), hi = _mm256_extractf128_pd(a, 1);
    if (n > 0) {
        _mm_storel_pd(p, lo);
    }
    if (n > 1) {
        _mm_storeh_pd(p + inc, lo);
    }
    if (n > 2) {
        _mm_storel_pd(p + 2 * inc, hi);
    }
    if (n > 3) {
        _mm_storeh_pd(p + 3 * inc, hi);
    }
}
/* four float32 widened to float64 */
static inline VF64 vf64_loadu_f32(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc)
{
    return _mm256_cvtps_pd(_mm_setr_ps(p[0], p[inc], p[2 * inc], p[3 * inc]));
}
static inline VF64 vf64_loadn_f32(const float *p, ptrdiff_t n)
{
    return _mm256_cvtps_pd(_mm_maskload_ps(p, _mm_loadu_si128((const __m128i *)(simd_avx2_mask32_ + 8 - n))));
}
static inline VF64 vf64_loadsn_f32(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    const __m128 m = _mm_castsi128_ps(_mm_loadu_si128((const __m128i *)(simd_avx2_mask32_ + 8 - n)));
    return _mm256_cvtps_pd(_mm256_mask_i64gather_ps(_mm_setzero_ps(), p, simd_avx2_steps_(inc), m, 4));
}

/* ---- float32 ---- */
static inline VF32 vf32_loadn(const float *p, ptrdiff_t n)
{
    return _mm256_maskload_ps(p, _mm256_castps_si256(vm32_first_n(n)));
}
static inline void vf32_storen(float *p, ptrdiff_t n, VF32 a)
{
    _mm256_maskstore_ps(p, _mm256_castps_si256(vm32_first_n(n)), a);
}
/* two gathers of four lanes, from p: 64-bit offsets, which no stride
   overflows */
static inline VF32 vf32_loadsn(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    const VM32 m = vm32_first_n(n);
    const __m128 lo = _mm256_mask_i64gather_ps(_mm_setzero_ps(), p, simd_avx2_steps_(inc), _mm256_castps256_ps128(m), 4);
    const __m256i hi_steps = _mm256_add_epi64(simd_avx2_steps_(inc), _mm256_set1_epi64x(4 * (long long)inc));
    const __m128 hi = _mm256_mask_i64gather_ps(_mm_setzero_ps(), p, hi_steps, _mm256_extractf128_ps(m, 1), 4);
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}
/* pairwise over the 8 lanes */
static inline float vf32_hsum(VF32 a)
{
    __m128 t = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    t = _mm_add_ps(t, _mm_movehl_ps(t, t));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_movehdup_ps(t)));
}
static inline float vf32_hmax(VF32 a)
{
    __m128 t = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    t = _mm_max_ps(t, _mm_movehl_ps(t, t));
    return _mm_cvtss_f32(_mm_max_ss(t, _mm_movehdup_ps(t)));
}
static inline VF32 vf32_loads(const float *p, ptrdiff_t inc)
{
    return _mm256_setr_ps(p[0], p[inc], p[2 * inc], p[3 * inc],
                          p[4 * inc], p[5 * inc], p[6 * inc], p[7 * inc]);
}
/* the first n lanes (all of them: n = lanes), in lane order */
static inline void vf32_storesn(float *p, ptrdiff_t inc, ptrdiff_t n, VF32 a)
{
    float lanes[VF32_LANES];
    _mm256_storeu_ps(lanes, a);
    for (ptrdiff_t k = 0; k < n; k++) {
        p[k * inc] = lanes[k];
    }
}

/* Pairs (optional ops, SIMD_HAVE_LOAD2): load2 reads 2 LANES contiguous
   elements and returns the even ones in *a, the odd ones in *b (complex
   re, im pairs); store2 writes them back interleaved. */
#define SIMD_HAVE_LOAD2 1
static inline void vf64_load2(const double *p, VF64 *a, VF64 *b)
{
    const __m256d lo = _mm256_loadu_pd(p), hi = _mm256_loadu_pd(p + 4);
    /* [a0 b0 a2 b2], [a1 b1 a3 b3] */
    const __m256d t0 = _mm256_permute2f128_pd(lo, hi, 0x20), t1 = _mm256_permute2f128_pd(lo, hi, 0x31);
    *a = _mm256_unpacklo_pd(t0, t1);
    *b = _mm256_unpackhi_pd(t0, t1);
}
static inline void vf64_store2(double *p, VF64 a, VF64 b)
{
    const __m256d t0 = _mm256_unpacklo_pd(a, b), t1 = _mm256_unpackhi_pd(a, b);
    _mm256_storeu_pd(p, _mm256_permute2f128_pd(t0, t1, 0x20));
    _mm256_storeu_pd(p + 4, _mm256_permute2f128_pd(t0, t1, 0x31));
}
static inline void vf32_load2(const float *p, VF32 *a, VF32 *b)
{
    const __m256 lo = _mm256_loadu_ps(p), hi = _mm256_loadu_ps(p + 8);
    /* [a0 b0 a1 b1 | a4 b4 a5 b5], [a2 b2 a3 b3 | a6 b6 a7 b7] */
    const __m256 t0 = _mm256_permute2f128_ps(lo, hi, 0x20), t1 = _mm256_permute2f128_ps(lo, hi, 0x31);
    *a = _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0));
    *b = _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1));
}
static inline void vf32_store2(float *p, VF32 a, VF32 b)
{
    const __m256 t0 = _mm256_unpacklo_ps(a, b), t1 = _mm256_unpackhi_ps(a, b);
    _mm256_storeu_ps(p, _mm256_permute2f128_ps(t0, t1, 0x20));
    _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(t0, t1, 0x31));
}
static inline void vf32_stores(float *p, ptrdiff_t inc, VF32 a) { vf32_storesn(p, inc, VF32_LANES, a); }

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body);
   with -mfma the compiler inlines fma() as one vfmadd */
static inline double sf64_fma(double a, double b, double c) { return fma(a, b, c); }
static inline float sf32_fma(float a, float b, float c) { return fmaf(a, b, c); }

/* ------------------------------------------------------------------------
 * Elementwise math support (simd/elementwise.h): bitwise float ops,
 * selects, quiet comparisons, and integer ops on the lanes' bit patterns.
 *
 * The comparisons are QUIET (the _OQ/_UQ predicates): a NaN operand never
 * raises the invalid flag. fnma is fused (SIMD_FMA_NATIVE 1: a*b is exact
 * inside it, which the kernels' argument reductions use).
 * ------------------------------------------------------------------------ */
#define SIMD_FMA_NATIVE 1

typedef __m256i VI64; /* 4 x 64-bit lanes: the bits of a VF64 */
typedef __m256i VI32; /* 8 x 32-bit lanes: the bits of a VF32 */

#define SIMD_AVX2_MATH_(p, V, T, s, I, M)                                              \
    static inline V p##_sub(V a, V b) { return _mm256_sub_##s(a, b); }              \
    static inline V p##_div(V a, V b) { return _mm256_div_##s(a, b); }              \
    static inline V p##_sqrt(V a) { return _mm256_sqrt_##s(a); }                    \
    static inline V p##_min(V a, V b) { return _mm256_min_##s(a, b); }              \
    /* c - a*b, fused */                                                            \
    static inline V p##_fnma(V a, V b, V c) { return _mm256_fnmadd_##s(a, b, c); }  \
    static inline V p##_and(V a, V b) { return _mm256_and_##s(a, b); }              \
    static inline V p##_or(V a, V b) { return _mm256_or_##s(a, b); }                \
    static inline V p##_xor(V a, V b) { return _mm256_xor_##s(a, b); }              \
    /* ~a & b */                                                                    \
    static inline V p##_andnot(V a, V b) { return _mm256_andnot_##s(a, b); }        \
    /* m ? a : b, lane by lane */                                                   \
    static inline V p##_select(M m, V a, V b) { return _mm256_blendv_##s(b, a, m); } \
    static inline V p##_zero_if(M m, V a) { return _mm256_andnot_##s(m, a); }       \
    static inline V p##_zero_unless(M m, V a) { return _mm256_and_##s(m, a); }      \
    /* lanes of s with the sign bit set take a, the others b */                    \
    static inline V p##_select_sign(V s, V a, V b) { return _mm256_blendv_##s(b, a, s); } \
    static inline M p##_isnan(V a) { return _mm256_cmp_##s(a, a, _CMP_UNORD_Q); }   \
    static inline M p##_eq(V a, V b) { return _mm256_cmp_##s(a, b, _CMP_EQ_OQ); }   \
    static inline M p##_lt(V a, V b) { return _mm256_cmp_##s(a, b, _CMP_LT_OQ); }   \
    static inline M p##_le(V a, V b) { return _mm256_cmp_##s(a, b, _CMP_LE_OQ); }   \
    /* !(a <= b): true where a > b or either is NaN */                              \
    static inline M p##_nle(V a, V b) { return _mm256_cmp_##s(a, b, _CMP_NLE_UQ); } \
    static inline I p##_as_bits(V a) { return _mm256_cast##s##_si256(a); }          \
    static inline V p##_from_bits(I a) { return _mm256_castsi256_##s(a); }

SIMD_AVX2_MATH_(vf64, VF64, double, pd, VI64, VM64)
SIMD_AVX2_MATH_(vf32, VF32, float, ps, VI32, VM32)
#undef SIMD_AVX2_MATH_

/* mask logic, and the lanes as bits (bit k: lane k) by vmovmskpd/ps */
#define SIMD_AVX2_MASK_(p, M, s, L)                                                   \
    static inline M p##_and(M a, M b) { return _mm256_and_##s(a, b); }              \
    static inline M p##_or(M a, M b) { return _mm256_or_##s(a, b); }                \
    static inline M p##_andnot(M a, M b) { return _mm256_andnot_##s(a, b); }        \
    static inline unsigned p##_bits(M m) { return (unsigned)_mm256_movemask_##s(m); } \
    static inline int p##_any(M m) { return _mm256_movemask_##s(m) != 0; }          \
    static inline int p##_all(M m) { return _mm256_movemask_##s(m) == (1 << L) - 1; }

SIMD_AVX2_MASK_(vm64, VM64, pd, 4)
SIMD_AVX2_MASK_(vm32, VM32, ps, 8)
#undef SIMD_AVX2_MASK_

#define SIMD_HAVE_F32_F64_CVT 1 /* the three conversions below */
/* float32 <-> float64 between a VF32 and the two VF64 of its halves */
static inline VF64 vf64_cvt_f32_lo(VF32 a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
static inline VF64 vf64_cvt_f32_hi(VF32 a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
static inline VF32 vf32_cvt_f64_pair(VF64 lo, VF64 hi)
{
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps(lo)), _mm256_cvtpd_ps(hi), 1);
}

/* Constant tables (see vec_sse2.h). Laundering the pointer helps here too:
   a constant the compiler can see is a vbroadcastsd of its own, a full
   table row folds into the FMA as a memory operand (measured 5-15% on the
   elementwise kernels). */
#if defined(__GNUC__) || defined(__clang__)
#define SIMD_OPAQUE_PTR(p) __asm__("" : "+r"(p))
#else
#define SIMD_OPAQUE_PTR(p) ((void)0)
#endif
static inline VF64 vf64_load_const(const double *p) { return _mm256_load_pd(p); }
static inline VF32 vf32_load_const(const float *p) { return _mm256_load_ps(p); }

/* integer lanes: wrapping add/sub, bitwise ops, shifts by a constant */
static inline VI64 vi64_set1(uint64_t a) { return _mm256_set1_epi64x((long long)a); }
static inline VI64 vi64_add(VI64 a, VI64 b) { return _mm256_add_epi64(a, b); }
static inline VI64 vi64_sub(VI64 a, VI64 b) { return _mm256_sub_epi64(a, b); }
static inline VI64 vi64_and(VI64 a, VI64 b) { return _mm256_and_si256(a, b); }
static inline VI64 vi64_or(VI64 a, VI64 b) { return _mm256_or_si256(a, b); }
static inline VI64 vi64_xor(VI64 a, VI64 b) { return _mm256_xor_si256(a, b); }
#define vi64_slli(a, n) _mm256_slli_epi64((a), (n))
#define vi64_srli(a, n) _mm256_srli_epi64((a), (n))
/* signed a > b as a mask */
static inline VM64 vi64_gt(VI64 a, VI64 b) { return _mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b)); }

/* a > b at least by the signed high 32-bit halves; equal high halves may
   answer either way (here: the exact 64-bit compare, one instruction) */
static inline VM64 vi64_gt_hi(VI64 a, VI64 b) { return vi64_gt(a, b); }

static inline VI32 vi32_set1(uint32_t a) { return _mm256_set1_epi32((int)a); }
static inline VI32 vi32_add(VI32 a, VI32 b) { return _mm256_add_epi32(a, b); }
static inline VI32 vi32_sub(VI32 a, VI32 b) { return _mm256_sub_epi32(a, b); }
static inline VI32 vi32_and(VI32 a, VI32 b) { return _mm256_and_si256(a, b); }
static inline VI32 vi32_or(VI32 a, VI32 b) { return _mm256_or_si256(a, b); }
static inline VI32 vi32_xor(VI32 a, VI32 b) { return _mm256_xor_si256(a, b); }
#define vi32_slli(a, n) _mm256_slli_epi32((a), (n))
#define vi32_srli(a, n) _mm256_srli_epi32((a), (n))
/* signed a > b as a mask */
static inline VM32 vi32_gt(VI32 a, VI32 b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); }

/* table lookup (layer API 3): lane k is t[i_k]; every index is in range.
   Four scalar loads, not vgatherqpd: faster on AMD Zen 1 (float64 exp 2.65
   -> 1.7 ns/element, power 6.9 -> 5.9), and qemu's emulation of
   vgatherqpd (Debian 12's qemu 7.2) returns zeros, which the emulated-CPU
   tests would meet */
static inline VF64 vf64_lookup(const double *t, VI64 i)
{
    uint64_t k[4];
    _mm256_storeu_si256((__m256i *)k, i);
    return _mm256_setr_pd(t[k[0]], t[k[1]], t[k[2]], t[k[3]]);
}

/* lookup in a 16-value table (layer API 4): lane k is t[i_k mod 16] (only
   the low 4 bits of each index count), t 64-byte aligned.
   SIMD_LOOKUP16_PERMUTE: 1 where this is a register permute (the table
   held in registers), cheap enough for the templates to trade a longer
   polynomial for a 16-cell reduction; 0 here: the lookup above */
#define SIMD_LOOKUP16_PERMUTE 0
static inline VF64 vf64_lookup16(const double *t, VI64 i) { return vf64_lookup(t, vi64_and(i, vi64_set1(15))); }

#endif /* SIMD_VEC_AVX2_H */
