/*
 * vec_avx512.h -- the AVX-512 vector layer: 8 x f64, 16 x f32 (512-bit),
 * with fused multiply-add. The same operations, under the same names, as
 * hostlib's simd/vec_avx2.h: level1.h lists the basic ones, elementwise.h
 * the ones it needs on top. hostlib's installed templates (level1.h,
 * elementwise.h, gemm.h) are compiled over this layer unchanged; when they
 * start using a new layer operation, it has to be added here too (the
 * build of this file then fails on the missing function).
 *
 * Instruction sets: AVX512F only (plus the AVX2/FMA3/AVX it implies, for
 * the 256/128-bit steps of the horizontal reductions). Every intrinsic here
 * is an AVX512F one. That is deliberate and checked by the compiler: the
 * build derives its flags from kernels_avx512/__init__.py's FEATURES
 * (generate.py cflags), which declares AVX512F alone, so an AVX512DQ/BW/VL
 * intrinsic (e.g. _mm512_and_pd, _mm512_movepi64_mask, a 256-bit masked
 * load) fails to compile instead of becoming an instruction the host never
 * checked for (numpy issue 27745). Several obvious spellings are DQ or VL;
 * the comments below name the AVX512F equivalents used instead.
 *
 * Masks are the mask registers (k0-k7) the comparisons produce: VM64 is
 * __mmask8 (one bit per double lane), VM32 __mmask16. A select is one
 * masked blend or move, an any/all test one kortest, with no vector made
 * of the mask. The partial loads and stores (the first n lanes) are masked
 * moves, gathers and scatters: a masked-out lane is never accessed, so it
 * cannot fault past the end.
 */
#ifndef SIMD_VEC_AVX512_H
#define SIMD_VEC_AVX512_H

/* MSVC's /arch:AVX512 implies FMA but does not define __FMA__ */
#if !(defined(__AVX512F__) && defined(__AVX2__) && (defined(__FMA__) || defined(_MSC_VER)))
#error "vec_avx512.h needs AVX512F, AVX2 and FMA: compile this translation unit with the flags of generate.py cflags --module kernels_avx512/__init__.py (x86 only)"
#endif

#include <immintrin.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define SIMD_NAME(x) avx512_##x
/* the version of the op set the templates use (simd/layer_api.h) */
#define SIMD_LAYER_API 4
#define SIMD_LAYER_FEATURES (HOSTLIB_CPU_AVX512F | HOSTLIB_CPU_AVX2 | HOSTLIB_CPU_FMA3)

typedef __m512d VF64;
typedef __m512 VF32;
#define VF64_LANES 8
#define VF32_LANES 16

/* The operations that are one intrinsic, for prefix p, vector V, element T
   and intrinsic suffix s (pd / ps). load/store need 64-byte alignment.
   _mm512_abs_* is AVX512F (an and with the sign mask). */
#define SIMD_AVX512_OPS_(p, V, T, s)                                                 \
    static inline V p##_load(const T *x) { return _mm512_load_##s(x); }             \
    static inline V p##_loadu(const T *x) { return _mm512_loadu_##s(x); }           \
    static inline void p##_store(T *x, V a) { _mm512_store_##s(x, a); }             \
    static inline void p##_storeu(T *x, V a) { _mm512_storeu_##s(x, a); }           \
    static inline V p##_set1(T a) { return _mm512_set1_##s(a); }                    \
    static inline V p##_zero(void) { return _mm512_setzero_##s(); }                 \
    static inline V p##_add(V a, V b) { return _mm512_add_##s(a, b); }              \
    static inline V p##_mul(V a, V b) { return _mm512_mul_##s(a, b); }              \
    static inline V p##_fma(V a, V b, V c) { return _mm512_fmadd_##s(a, b, c); }    \
    static inline V p##_abs(V a) { return _mm512_abs_##s(a); }                      \
    static inline V p##_max(V a, V b) { return _mm512_max_##s(a, b); }

SIMD_AVX512_OPS_(vf64, VF64, double, pd)
SIMD_AVX512_OPS_(vf32, VF32, float, ps)
#undef SIMD_AVX512_OPS_

typedef __mmask8 VM64;  /* a mask of VF64/VI64 lanes: bit k is lane k */
typedef __mmask16 VM32; /* a mask of VF32/VI32 lanes */

/* lanes 0..n-1, 0 <= n <= lanes */
static inline VM64 vm64_first_n(ptrdiff_t n) { return (VM64)((1u << n) - 1u); }
static inline VM32 vm32_first_n(ptrdiff_t n) { return (VM32)((1u << n) - 1u); }

/* lane k's offset k * inc, in elements, for the strided partial ops (64-bit
   offsets: no stride overflows them; 8 of them, a float32 vector takes two) */
static inline __m512i simd_avx512_steps_(ptrdiff_t inc)
{
    const long long i = (long long)inc;
    return _mm512_setr_epi64(0, i, 2 * i, 3 * i, 4 * i, 5 * i, 6 * i, 7 * i);
}

/* ---- float64 ---- */
static inline VF64 vf64_loadn(const double *p, ptrdiff_t n) { return _mm512_maskz_loadu_pd(vm64_first_n(n), p); }
static inline void vf64_storen(double *p, ptrdiff_t n, VF64 a) { _mm512_mask_storeu_pd(p, vm64_first_n(n), a); }
static inline VF64 vf64_loadsn(const double *p, ptrdiff_t inc, ptrdiff_t n)
{
    return _mm512_mask_i64gather_pd(_mm512_setzero_pd(), vm64_first_n(n), simd_avx512_steps_(inc), p, 8);
}
/* a scatter writes overlapping lanes in lane order: with inc == 0 the
   last one stays, as the contract asks */
static inline void vf64_storesn(double *p, ptrdiff_t inc, ptrdiff_t n, VF64 a)
{
    _mm512_mask_i64scatter_pd(p, vm64_first_n(n), simd_avx512_steps_(inc), a, 8);
}
/* pairwise: lanes i and i + 4, then i and i + 2, then the last two */
static inline double vf64_hsum(VF64 a)
{
    const __m256d t = _mm256_add_pd(_mm512_castpd512_pd256(a), _mm512_extractf64x4_pd(a, 1));
    const __m128d u = _mm_add_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_add_sd(u, _mm_unpackhi_pd(u, u)));
}
static inline double vf64_hmax(VF64 a)
{
    const __m256d t = _mm256_max_pd(_mm512_castpd512_pd256(a), _mm512_extractf64x4_pd(a, 1));
    const __m128d u = _mm_max_pd(_mm256_castpd256_pd128(t), _mm256_extractf128_pd(t, 1));
    return _mm_cvtsd_f64(_mm_max_sd(u, _mm_unpackhi_pd(u, u)));
}
/* Strided lanes from scalar loads, like vec_avx2.h (which measured gathers
   slower on AMD); a gather of 32-bit indices would also overflow for large
   float32 strides. The order of the stores matters when inc == 0: the
   last lane wins, as in a sequential loop. */
static inline VF64 vf64_loads(const double *p, ptrdiff_t inc)
{
    return _mm512_setr_pd(p[0], p[inc], p[2 * inc], p[3 * inc],
                          p[4 * inc], p[5 * inc], p[6 * inc], p[7 * inc]);
}
static inline void vf64_stores(double *p, ptrdiff_t inc, VF64 a)
{
    const __m256d lo = _mm512_castpd512_pd256(a), hi = _mm512_extractf64x4_pd(a, 1);
    const __m128d q0 = _mm256_castpd256_pd128(lo), q1 = _mm256_extractf128_pd(lo, 1);
    const __m128d q2 = _mm256_castpd256_pd128(hi), q3 = _mm256_extractf128_pd(hi, 1);
    _mm_storel_pd(p, q0);
    _mm_storeh_pd(p + inc, q0);
    _mm_storel_pd(p + 2 * inc, q1);
    _mm_storeh_pd(p + 3 * inc, q1);
    _mm_storel_pd(p + 4 * inc, q2);
    _mm_storeh_pd(p + 5 * inc, q2);
    _mm_storel_pd(p + 6 * inc, q3);
    _mm_storeh_pd(p + 7 * inc, q3);
}
/* eight float32 widened to float64, as two 4-lane conversions: on AMD Zen 4
   (double-pumped 512-bit units) 14% faster in snrm2 than one 512-bit
   vcvtps2pd from a 256-bit load */
static inline VF64 vf64_loadu_f32(const float *p)
{
    const __m256d lo = _mm256_cvtps_pd(_mm_loadu_ps(p)), hi = _mm256_cvtps_pd(_mm_loadu_ps(p + 4));
    return _mm512_insertf64x4(_mm512_castpd256_pd512(lo), hi, 1);
}
/* n <= 8 of them: a 512-bit masked load (the 256-bit one is AVX512VL) */
static inline VF64 vf64_loadn_f32(const float *p, ptrdiff_t n)
{
    return _mm512_cvtps_pd(_mm512_castps512_ps256(_mm512_maskz_loadu_ps(vm32_first_n(n), p)));
}
static inline VF64 vf64_loadsn_f32(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    return _mm512_cvtps_pd(_mm512_mask_i64gather_ps(_mm256_setzero_ps(), vm64_first_n(n), simd_avx512_steps_(inc), p, 4));
}
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc)
{
    return _mm512_cvtps_pd(_mm256_setr_ps(p[0], p[inc], p[2 * inc], p[3 * inc],
                                          p[4 * inc], p[5 * inc], p[6 * inc], p[7 * inc]));
}

/* ---- float32 ---- */
static inline VF32 vf32_loadn(const float *p, ptrdiff_t n) { return _mm512_maskz_loadu_ps(vm32_first_n(n), p); }
static inline void vf32_storen(float *p, ptrdiff_t n, VF32 a) { _mm512_mask_storeu_ps(p, vm32_first_n(n), a); }
/* the upper 256 bits (_mm512_extractf32x8_ps is AVX512DQ) */
static inline __m256 simd_avx512_hi256_ps_(VF32 a)
{
    return _mm256_castsi256_ps(_mm512_extracti64x4_epi64(_mm512_castps_si512(a), 1));
}
/* pairwise over the 16 lanes */
static inline float vf32_hsum(VF32 a)
{
    const __m256 t = _mm256_add_ps(_mm512_castps512_ps256(a), simd_avx512_hi256_ps_(a));
    __m128 u = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
    u = _mm_add_ps(u, _mm_movehl_ps(u, u));
    return _mm_cvtss_f32(_mm_add_ss(u, _mm_movehdup_ps(u)));
}
static inline float vf32_hmax(VF32 a)
{
    const __m256 t = _mm256_max_ps(_mm512_castps512_ps256(a), simd_avx512_hi256_ps_(a));
    __m128 u = _mm_max_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
    u = _mm_max_ps(u, _mm_movehl_ps(u, u));
    return _mm_cvtss_f32(_mm_max_ss(u, _mm_movehdup_ps(u)));
}
static inline VF32 vf32_loads(const float *p, ptrdiff_t inc)
{
    return _mm512_setr_ps(p[0], p[inc], p[2 * inc], p[3 * inc], p[4 * inc], p[5 * inc], p[6 * inc],
                          p[7 * inc], p[8 * inc], p[9 * inc], p[10 * inc], p[11 * inc], p[12 * inc],
                          p[13 * inc], p[14 * inc], p[15 * inc]);
}
static inline void vf32_stores(float *p, ptrdiff_t inc, VF32 a)
{
    float lanes[VF32_LANES];
    _mm512_storeu_ps(lanes, a);
    for (int k = 0; k < VF32_LANES; k++) {
        p[k * inc] = lanes[k];
    }
}
/* the first n lanes as two halves of 8 lanes (gathers and scatters of
   64-bit offsets from p, the low half's lanes first) */
static inline VF32 vf32_loadsn(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    const VM32 m = vm32_first_n(n);
    const __m512i steps = simd_avx512_steps_(inc), hi_steps = _mm512_add_epi64(steps, _mm512_set1_epi64(8 * (long long)inc));
    const __m256 lo = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8)m, steps, p, 4);
    const __m256 hi = _mm512_mask_i64gather_ps(_mm256_setzero_ps(), (__mmask8)(m >> 8), hi_steps, p, 4);
    return _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castps_pd(_mm512_castps256_ps512(lo)), _mm256_castps_pd(hi), 1));
}
static inline void vf32_storesn(float *p, ptrdiff_t inc, ptrdiff_t n, VF32 a)
{
    const VM32 m = vm32_first_n(n);
    const __m512i steps = simd_avx512_steps_(inc), hi_steps = _mm512_add_epi64(steps, _mm512_set1_epi64(8 * (long long)inc));
    _mm512_mask_i64scatter_ps(p, (__mmask8)m, steps, _mm512_castps512_ps256(a), 4);
    _mm512_mask_i64scatter_ps(p, (__mmask8)(m >> 8), hi_steps, simd_avx512_hi256_ps_(a), 4);
}

/* Pairs (optional ops, SIMD_HAVE_LOAD2): load2 reads 2 LANES contiguous
   elements and returns the even ones in *a, the odd ones in *b (complex
   re, im pairs); store2 writes them back interleaved. */
#define SIMD_HAVE_LOAD2 1
static inline void vf64_load2(const double *p, VF64 *a, VF64 *b)
{
    const __m512d lo = _mm512_loadu_pd(p), hi = _mm512_loadu_pd(p + 8);
    *a = _mm512_permutex2var_pd(lo, _mm512_setr_epi64(0, 2, 4, 6, 8, 10, 12, 14), hi);
    *b = _mm512_permutex2var_pd(lo, _mm512_setr_epi64(1, 3, 5, 7, 9, 11, 13, 15), hi);
}
static inline void vf64_store2(double *p, VF64 a, VF64 b)
{
    _mm512_storeu_pd(p, _mm512_permutex2var_pd(a, _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11), b));
    _mm512_storeu_pd(p + 8, _mm512_permutex2var_pd(a, _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15), b));
}
static inline void vf32_load2(const float *p, VF32 *a, VF32 *b)
{
    const __m512 lo = _mm512_loadu_ps(p), hi = _mm512_loadu_ps(p + 16);
    *a = _mm512_permutex2var_ps(lo, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), hi);
    *b = _mm512_permutex2var_ps(lo, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31), hi);
}
static inline void vf32_store2(float *p, VF32 a, VF32 b)
{
    _mm512_storeu_ps(p, _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), b));
    _mm512_storeu_ps(p + 16, _mm512_permutex2var_ps(a, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), b));
}

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body);
   with -mfma the compiler inlines fma() as one vfmadd */
static inline double sf64_fma(double a, double b, double c) { return fma(a, b, c); }
static inline float sf32_fma(float a, float b, float c) { return fmaf(a, b, c); }

/* ------------------------------------------------------------------------
 * Elementwise math support (simd/elementwise.h), with vec_avx2.h's
 * contract: the comparisons are QUIET (_OQ/_UQ: a NaN operand raises
 * nothing); fnma is fused (SIMD_FMA_NATIVE 1).
 *
 * AVX512F has no floating-point and/or/xor/andnot (those are AVX512DQ):
 * the integer ones on the same bits do the same thing. Masks stay in the
 * k registers: selects are masked blends and moves.
 * ------------------------------------------------------------------------ */
#define SIMD_FMA_NATIVE 1

typedef __m512i VI64; /* 8 x 64-bit lanes: the bits of a VF64 */
typedef __m512i VI32; /* 16 x 32-bit lanes: the bits of a VF32 */

/* p: prefix, V/T/s as above, I: the integer vector, w: lane width (64/32),
   K: the mask-register type */
#define SIMD_AVX512_MATH_(p, V, T, s, I, w, K)                                       \
    static inline V p##_sub(V a, V b) { return _mm512_sub_##s(a, b); }              \
    static inline V p##_div(V a, V b) { return _mm512_div_##s(a, b); }              \
    static inline V p##_sqrt(V a) { return _mm512_sqrt_##s(a); }                    \
    static inline V p##_min(V a, V b) { return _mm512_min_##s(a, b); }              \
    /* c - a*b, fused */                                                            \
    static inline V p##_fnma(V a, V b, V c) { return _mm512_fnmadd_##s(a, b, c); }  \
    static inline I p##_as_bits(V a) { return _mm512_cast##s##_si512(a); }          \
    static inline V p##_from_bits(I a) { return _mm512_castsi512_##s(a); }          \
    static inline V p##_and(V a, V b) { return p##_from_bits(_mm512_and_si512(p##_as_bits(a), p##_as_bits(b))); } \
    static inline V p##_or(V a, V b) { return p##_from_bits(_mm512_or_si512(p##_as_bits(a), p##_as_bits(b))); }   \
    static inline V p##_xor(V a, V b) { return p##_from_bits(_mm512_xor_si512(p##_as_bits(a), p##_as_bits(b))); } \
    /* ~a & b */                                                                    \
    static inline V p##_andnot(V a, V b) { return p##_from_bits(_mm512_andnot_si512(p##_as_bits(a), p##_as_bits(b))); } \
    /* m ? a : b, lane by lane */                                                  \
    static inline V p##_select(K m, V a, V b) { return _mm512_mask_blend_##s(m, b, a); } \
    static inline V p##_zero_if(K m, V a) { return _mm512_mask_mov_##s(a, m, _mm512_setzero_##s()); } \
    static inline V p##_zero_unless(K m, V a) { return _mm512_maskz_mov_##s(m, a); } \
    /* lanes of s with the sign bit set take a, the others b (the sign bit   \
       read as a signed integer compare; vpmovq2m/d2m is AVX512DQ) */        \
    static inline V p##_select_sign(V s, V a, V b)                                  \
    {                                                                               \
        const K neg = _mm512_cmplt_epi##w##_mask(p##_as_bits(s), _mm512_setzero_si512()); \
        return _mm512_mask_blend_##s(neg, b, a);                                    \
    }                                                                               \
    static inline K p##_isnan(V a) { return _mm512_cmp_##s##_mask(a, a, _CMP_UNORD_Q); } \
    static inline K p##_eq(V a, V b) { return _mm512_cmp_##s##_mask(a, b, _CMP_EQ_OQ); } \
    static inline K p##_lt(V a, V b) { return _mm512_cmp_##s##_mask(a, b, _CMP_LT_OQ); } \
    static inline K p##_le(V a, V b) { return _mm512_cmp_##s##_mask(a, b, _CMP_LE_OQ); } \
    /* !(a <= b): true where a > b or either is NaN */                              \
    static inline K p##_nle(V a, V b) { return _mm512_cmp_##s##_mask(a, b, _CMP_NLE_UQ); }

SIMD_AVX512_MATH_(vf64, VF64, double, pd, VI64, 64, __mmask8)
SIMD_AVX512_MATH_(vf32, VF32, float, ps, VI32, 32, __mmask16)
#undef SIMD_AVX512_MATH_

/* mask logic on the k registers (as plain integers: the compiler picks
   k or general registers; kandb and friends are AVX512DQ) */
#define SIMD_AVX512_MASK_(p, M, L)                                                     \
    static inline M p##_and(M a, M b) { return (M)(a & b); }                          \
    static inline M p##_or(M a, M b) { return (M)(a | b); }                           \
    static inline M p##_andnot(M a, M b) { return (M)(~a & b); }                      \
    static inline unsigned p##_bits(M m) { return m; }                                \
    static inline int p##_any(M m) { return m != 0; }                                 \
    static inline int p##_all(M m) { return m == (M)((1u << L) - 1u); }

SIMD_AVX512_MASK_(vm64, VM64, 8)
SIMD_AVX512_MASK_(vm32, VM32, 16)
#undef SIMD_AVX512_MASK_

/* Constant tables (elementwise.h reads its constants from 64-byte rows of
   one value, through a pointer SIMD_OPAQUE_PTR may launder so that SSE2
   and AVX2, short of registers, fold each row into the arithmetic as a
   memory operand). With 32 vector registers the compiler does better when
   it sees the constants and keeps them in registers: laundering measured
   10% slower dlog and slog on AMD Zen 4, the others equal or slower. So
   the pointer is left visible, and a row is read as a broadcast of its
   first value (a constant the compiler can fold, or an embedded {1to8}
   broadcast operand). */
#define SIMD_OPAQUE_PTR(p) ((void)0)
static inline VF64 vf64_load_const(const double *p) { return _mm512_set1_pd(*p); }
static inline VF32 vf32_load_const(const float *p) { return _mm512_set1_ps(*p); }

/* integer lanes: wrapping add/sub, bitwise ops, shifts by a constant */
static inline VI64 vi64_set1(uint64_t a) { return _mm512_set1_epi64((long long)a); }
static inline VI64 vi64_add(VI64 a, VI64 b) { return _mm512_add_epi64(a, b); }
static inline VI64 vi64_sub(VI64 a, VI64 b) { return _mm512_sub_epi64(a, b); }
static inline VI64 vi64_and(VI64 a, VI64 b) { return _mm512_and_si512(a, b); }
static inline VI64 vi64_or(VI64 a, VI64 b) { return _mm512_or_si512(a, b); }
static inline VI64 vi64_xor(VI64 a, VI64 b) { return _mm512_xor_si512(a, b); }
#define vi64_slli(a, n) _mm512_slli_epi64((a), (n))
#define vi64_srli(a, n) _mm512_srli_epi64((a), (n))
/* signed a > b as a mask */
static inline VM64 vi64_gt(VI64 a, VI64 b) { return _mm512_cmpgt_epi64_mask(a, b); }
/* a > b at least by the signed high 32-bit halves; equal high halves may
   answer either way (here: the exact 64-bit compare, one instruction) */
static inline VM64 vi64_gt_hi(VI64 a, VI64 b) { return vi64_gt(a, b); }

static inline VI32 vi32_set1(uint32_t a) { return _mm512_set1_epi32((int)a); }
static inline VI32 vi32_add(VI32 a, VI32 b) { return _mm512_add_epi32(a, b); }
static inline VI32 vi32_sub(VI32 a, VI32 b) { return _mm512_sub_epi32(a, b); }
static inline VI32 vi32_and(VI32 a, VI32 b) { return _mm512_and_si512(a, b); }
static inline VI32 vi32_or(VI32 a, VI32 b) { return _mm512_or_si512(a, b); }
static inline VI32 vi32_xor(VI32 a, VI32 b) { return _mm512_xor_si512(a, b); }
#define vi32_slli(a, n) _mm512_slli_epi32((a), (n))
#define vi32_srli(a, n) _mm512_srli_epi32((a), (n))
/* signed a > b as a mask */
static inline VM32 vi32_gt(VI32 a, VI32 b) { return _mm512_cmpgt_epi32_mask(a, b); }

/* float32 <-> float64 by vector halves (float32 sin/cos compute in
   float64). The 256-bit halves move through the pd forms: the ps ones
   (vextractf32x8, vinsertf32x8) are AVX512DQ. */
#define SIMD_HAVE_F32_F64_CVT 1
static inline VF64 vf64_cvt_f32_lo(VF32 a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
static inline VF64 vf64_cvt_f32_hi(VF32 a)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}
static inline VF32 vf32_cvt_f64_pair(VF64 lo, VF64 hi)
{
    const __m512d l = _mm512_castpd256_pd512(_mm256_castps_pd(_mm512_cvtpd_ps(lo)));
    return _mm512_castpd_ps(_mm512_insertf64x4(l, _mm256_castps_pd(_mm512_cvtpd_ps(hi)), 1));
}

/* table lookup (layer API 3): lane k is t[i_k]; every index is in range.
   Eight scalar loads, not vgatherqpd: on AMD Zen 4 the zmm gather costs
   more than the loads and two 256-bit inserts (float64 exp 1.17 -> 0.93
   ns/element, sinh 2.56 -> 2.01, arctan 2.61 -> 2.15), as on Zen 1 for
   AVX2 (vec_avx2.h) */
static inline VF64 vf64_lookup(const double *t, VI64 i)
{
    uint64_t k[8];
    _mm512_storeu_si512((void *)k, i);
    const __m256d lo = _mm256_setr_pd(t[k[0]], t[k[1]], t[k[2]], t[k[3]]);
    const __m256d hi = _mm256_setr_pd(t[k[4]], t[k[5]], t[k[6]], t[k[7]]);
    return _mm512_insertf64x4(_mm512_castpd256_pd512(lo), hi, 1);
}

/* lookup in a 16-value table (layer API 4): lane k is t[i_k mod 16] (only
   the low 4 bits of each index count), t 64-byte aligned. One vpermt2pd
   (AVX512F) of the table's two halves, which a loop keeps in registers:
   SIMD_LOOKUP16_PERMUTE 1 tells the templates it is cheap (a gather of 8
   lanes costs ~6x as much on AMD Zen 4) */
#define SIMD_LOOKUP16_PERMUTE 1
static inline VF64 vf64_lookup16(const double *t, VI64 i)
{
    return _mm512_permutex2var_pd(_mm512_load_pd(t), i, _mm512_load_pd(t + 8));
}

#endif /* SIMD_VEC_AVX512_H */
