/*
 * vec_sse2.h -- the SSE2 vector layer: 2 x f64, 4 x f32 (128-bit).
 * simd/LAYERS.md is the contract every layer keeps.
 */
#ifndef SIMD_VEC_SSE2_H
#define SIMD_VEC_SSE2_H

#if !(defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#error "vec_sse2.h needs SSE2: compile this translation unit with -msse2 (x86 only)"
#endif

#include <emmintrin.h>
#include <stddef.h>
#include <stdint.h>

#define SIMD_NAME(x) sse2_##x
/* the version of the op set the templates use (simd/layer_api.h) */
#define SIMD_LAYER_API 4
#define SIMD_LAYER_FEATURES (HOSTLIB_CPU_SSE | HOSTLIB_CPU_SSE2)

typedef __m128d VF64;
typedef __m128 VF32;
#define VF64_LANES 2
#define VF32_LANES 4

/* The operations that are one intrinsic, for prefix p, vector V, element T
   and intrinsic suffix s (pd / ps). SSE2 has no FMA: fma rounds twice. */
#define SIMD_SSE2_OPS_(p, V, T, s)                                                   \
    static inline V p##_load(const T *x) { return _mm_load_##s(x); }                \
    static inline V p##_loadu(const T *x) { return _mm_loadu_##s(x); }              \
    static inline void p##_store(T *x, V a) { _mm_store_##s(x, a); }                \
    static inline void p##_storeu(T *x, V a) { _mm_storeu_##s(x, a); }              \
    static inline V p##_set1(T a) { return _mm_set1_##s(a); }                       \
    static inline V p##_zero(void) { return _mm_setzero_##s(); }                    \
    static inline V p##_add(V a, V b) { return _mm_add_##s(a, b); }                 \
    static inline V p##_mul(V a, V b) { return _mm_mul_##s(a, b); }                 \
    static inline V p##_fma(V a, V b, V c) { return _mm_add_##s(_mm_mul_##s(a, b), c); } \
    static inline V p##_abs(V a) { return _mm_andnot_##s(_mm_set1_##s((T)-0.0), a); } \
    static inline V p##_max(V a, V b) { return _mm_max_##s(a, b); }

SIMD_SSE2_OPS_(vf64, VF64, double, pd)
SIMD_SSE2_OPS_(vf32, VF32, float, ps)
#undef SIMD_SSE2_OPS_

/* ---- float64 ---- */
static inline double vf64_hsum(VF64 a) { return _mm_cvtsd_f64(_mm_add_sd(a, _mm_unpackhi_pd(a, a))); }
static inline double vf64_hmax(VF64 a) { return _mm_cvtsd_f64(_mm_max_sd(a, _mm_unpackhi_pd(a, a))); }
static inline VF64 vf64_loads(const double *p, ptrdiff_t inc) { return _mm_setr_pd(p[0], p[inc]); }
static inline void vf64_stores(double *p, ptrdiff_t inc, VF64 a)
{
    _mm_storel_pd(p, a);
    _mm_storeh_pd(p + inc, a);
}
/* The first n lanes (0 <= n <= lanes), from scalar and 64-bit moves that
   touch only those elements: SSE2 has no masked load or store. With two
   lanes, fewer than two are contiguous whatever the stride. */
static inline VF64 vf64_loadn(const double *p, ptrdiff_t n)
{
    return n >= 2 ? _mm_loadu_pd(p) : n == 1 ? _mm_load_sd(p) : _mm_setzero_pd();
}
static inline void vf64_storen(double *p, ptrdiff_t n, VF64 a)
{
    if (n >= 2) {
        _mm_storeu_pd(p, a);
    } else if (n == 1) {
        _mm_storel_pd(p, a);
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
/* two float32 widened to float64 (movq loads 8 bytes, any alignment) */
static inline VF64 vf64_loadu_f32(const float *p)
{
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
}
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc) { return _mm_setr_pd(p[0], p[inc]); }
static inline VF64 vf64_loadn_f32(const float *p, ptrdiff_t n)
{
    return n >= 2 ? vf64_loadu_f32(p) : n == 1 ? _mm_cvtps_pd(_mm_load_ss(p)) : _mm_setzero_pd();
}
static inline VF64 vf64_loadsn_f32(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    return n >= 2 ? vf64_loads_f32(p, inc) : vf64_loadn_f32(p, n);
}

/* ---- float32 ---- */
/* pairwise: (l0 + l2) + (l1 + l3) */
static inline float vf32_hsum(VF32 a)
{
    const VF32 t = _mm_add_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_add_ss(t, _mm_shuffle_ps(t, t, 1)));
}
static inline float vf32_hmax(VF32 a)
{
    const VF32 t = _mm_max_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_max_ss(t, _mm_shuffle_ps(t, t, 1)));
}
static inline VF32 vf32_loads(const float *p, ptrdiff_t inc)
{
    return _mm_setr_ps(p[0], p[inc], p[2 * inc], p[3 * inc]);
}
static inline void vf32_stores(float *p, ptrdiff_t inc, VF32 a)
{
    _mm_store_ss(p, a);
    _mm_store_ss(p + inc, _mm_shuffle_ps(a, a, 1));
    _mm_store_ss(p + 2 * inc, _mm_shuffle_ps(a, a, 2));
    _mm_store_ss(p + 3 * inc, _mm_shuffle_ps(a, a, 3));
}
static inline VF32 vf32_loadn(const float *p, ptrdiff_t n)
{
    if (n >= 4) {
        return _mm_loadu_ps(p);
    }
    if (n >= 2) {
        const VF32 lo = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p));
        return n == 2 ? lo : _mm_movelh_ps(lo, _mm_load_ss(p + 2));
    }
    return n == 1 ? _mm_load_ss(p) : _mm_setzero_ps();
}
static inline void vf32_storen(float *p, ptrdiff_t n, VF32 a)
{
    if (n >= 4) {
        _mm_storeu_ps(p, a);
        return;
    }
    if (n >= 2) {
        _mm_storel_epi64((__m128i *)p, _mm_castps_si128(a));
        if (n == 3) {
            _mm_store_ss(p + 2, _mm_movehl_ps(a, a));
        }
    } else if (n == 1) {
        _mm_store_ss(p, a);
    }
}
/* lane by lane, in lane order (with inc == 0 the last lane stored wins) */
static inline VF32 vf32_loadsn(const float *p, ptrdiff_t inc, ptrdiff_t n)
{
    if (n >= 4) {
        return vf32_loads(p, inc);
    }
    return _mm_setr_ps(n > 0 ? p[0] : 0.0f, n > 1 ? p[inc] : 0.0f, n > 2 ? p[2 * inc] : 0.0f, 0.0f);
}
static inline void vf32_storesn(float *p, ptrdiff_t inc, ptrdiff_t n, VF32 a)
{
    if (n >= 4) {
        vf32_stores(p, inc, a);
        return;
    }
    if (n > 0) {
        _mm_store_ss(p, a);
    }
    if (n > 1) {
        _mm_store_ss(p + inc, _mm_shuffle_ps(a, a, 1));
    }
    if (n > 2) {
        _mm_store_ss(p + 2 * inc, _mm_shuffle_ps(a, a, 2));
    }
}

/* Pairs (optional ops, SIMD_HAVE_LOAD2): load2 reads 2 LANES contiguous
   elements and returns the even ones in *a, the odd ones in *b (complex
   re, im pairs); store2 writes them back interleaved. */
#define SIMD_HAVE_LOAD2 1
static inline void vf64_load2(const double *p, VF64 *a, VF64 *b)
{
    const __m128d lo = _mm_loadu_pd(p), hi = _mm_loadu_pd(p + 2);
    *a = _mm_unpacklo_pd(lo, hi);
    *b = _mm_unpackhi_pd(lo, hi);
}
static inline void vf64_store2(double *p, VF64 a, VF64 b)
{
    _mm_storeu_pd(p, _mm_unpacklo_pd(a, b));
    _mm_storeu_pd(p + 2, _mm_unpackhi_pd(a, b));
}
static inline void vf32_load2(const float *p, VF32 *a, VF32 *b)
{
    const __m128 lo = _mm_loadu_ps(p), hi = _mm_loadu_ps(p + 4);
    *a = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0));
    *b = _mm_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1));
}
static inline void vf32_store2(float *p, VF32 a, VF32 b)
{
    _mm_storeu_ps(p, _mm_unpacklo_ps(a, b));
    _mm_storeu_ps(p + 4, _mm_unpackhi_ps(a, b));
}

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body) */
static inline double sf64_fma(double a, double b, double c) { return a * b + c; }
static inline float sf32_fma(float a, float b, float c) { return a * b + c; }

/* ------------------------------------------------------------------------
 * Elementwise math support (simd/elementwise.h): bitwise float ops,
 * selects, quiet comparisons, and integer ops on the lanes' bit patterns.
 *
 * Masks (VM64, VM32) are float vectors whose lanes are all ones or all
 * zeros: what SSE2's comparisons produce. The comparisons are QUIET: a NaN operand never raises the invalid flag
 * (numpy reports FP flags, so a kernel must not raise them for a NaN it
 * merely inspects). SSE2 has quiet encodings only for eq/neq/ord/unord;
 * lt/le/nle therefore compare copies whose NaN lanes were zeroed.
 * SSE2 has no FMA: fnma rounds twice, and SIMD_FMA_NATIVE is 0 so that the
 * kernels pick constants that do not rely on a fused product.
 * ------------------------------------------------------------------------ */
#define SIMD_FMA_NATIVE 0

typedef __m128i VI64; /* 2 x 64-bit lanes: the bits of a VF64 */
typedef __m128i VI32; /* 4 x 32-bit lanes: the bits of a VF32 */
typedef __m128d VM64; /* a mask of VF64/VI64 lanes */
typedef __m128 VM32;  /* a mask of VF32/VI32 lanes */

#define SIMD_SSE2_MATH_(p, V, T, s, I, M)                                              \
    static inline V p##_sub(V a, V b) { return _mm_sub_##s(a, b); }                 \
    static inline V p##_div(V a, V b) { return _mm_div_##s(a, b); }                 \
    static inline V p##_sqrt(V a) { return _mm_sqrt_##s(a); }                       \
    static inline V p##_min(V a, V b) { return _mm_min_##s(a, b); }                 \
    /* c - a*b */                                                                   \
    static inline V p##_fnma(V a, V b, V c) { return _mm_sub_##s(c, _mm_mul_##s(a, b)); } \
    static inline V p##_and(V a, V b) { return _mm_and_##s(a, b); }                 \
    static inline V p##_or(V a, V b) { return _mm_or_##s(a, b); }                   \
    static inline V p##_xor(V a, V b) { return _mm_xor_##s(a, b); }                 \
    /* ~a & b */                                                                    \
    static inline V p##_andnot(V a, V b) { return _mm_andnot_##s(a, b); }           \
    /* m ? a : b, lane by lane */                                                   \
    static inline V p##_select(M m, V a, V b)                                       \
    {                                                                               \
        return _mm_or_##s(_mm_and_##s(m, a), _mm_andnot_##s(m, b));                 \
    }                                                                               \
    static inline V p##_zero_if(M m, V a) { return _mm_andnot_##s(m, a); }          \
    static inline V p##_zero_unless(M m, V a) { return _mm_and_##s(m, a); }         \
    static inline M p##_isnan(V a) { return _mm_cmpunord_##s(a, a); }               \
    static inline M p##_eq(V a, V b) { return _mm_cmpeq_##s(a, b); }                \
    static inline M p##_lt(V a, V b)                                                \
    {                                                                               \
        const V o = _mm_cmpord_##s(a, b); /* NaN lanes: 0 < 0 is false */           \
        return _mm_cmplt_##s(_mm_and_##s(a, o), _mm_and_##s(b, o));                 \
    }                                                                               \
    static inline M p##_le(V a, V b)                                                \
    {                                                                               \
        const V o = _mm_cmpord_##s(a, b);                                           \
        return _mm_and_##s(o, _mm_cmple_##s(_mm_and_##s(a, o), _mm_and_##s(b, o))); \
    }                                                                               \
    /* !(a <= b): true where a > b or either is NaN */                              \
    static inline M p##_nle(V a, V b)                                               \
    {                                                                               \
        const V u = _mm_cmpunord_##s(a, b);                                         \
        return _mm_or_##s(u, _mm_cmpnle_##s(_mm_andnot_##s(u, a), _mm_andnot_##s(u, b))); \
    }                                                                               \
    static inline I p##_as_bits(V a) { return _mm_cast##s##_si128(a); }             \
    static inline V p##_from_bits(I a) { return _mm_castsi128_##s(a); }

SIMD_SSE2_MATH_(vf64, VF64, double, pd, VI64, VM64)
SIMD_SSE2_MATH_(vf32, VF32, float, ps, VI32, VM32)
#undef SIMD_SSE2_MATH_

/* mask logic, and the lanes as bits (bit k: lane k) by movmskpd/ps */
#define SIMD_SSE2_MASK_(p, M, s, L)                                                   \
    static inline M p##_and(M a, M b) { return _mm_and_##s(a, b); }                 \
    static inline M p##_or(M a, M b) { return _mm_or_##s(a, b); }                   \
    static inline M p##_andnot(M a, M b) { return _mm_andnot_##s(a, b); }           \
    static inline unsigned p##_bits(M m) { return (unsigned)_mm_movemask_##s(m); }  \
    static inline int p##_any(M m) { return _mm_movemask_##s(m) != 0; }             \
    static inline int p##_all(M m) { return _mm_movemask_##s(m) == (1 << L) - 1; }

SIMD_SSE2_MASK_(vm64, VM64, pd, 2)
SIMD_SSE2_MASK_(vm32, VM32, ps, 4)
#undef SIMD_SSE2_MASK_
/* lanes 0..n-1 (0 <= n <= lanes): lane k is true where n > k */
static inline VM64 vm64_first_n(ptrdiff_t n)
{
    return _mm_castsi128_pd(_mm_cmpgt_epi32(_mm_set1_epi32((int)n), _mm_setr_epi32(0, 0, 1, 1)));
}
static inline VM32 vm32_first_n(ptrdiff_t n)
{
    return _mm_castsi128_ps(_mm_cmpgt_epi32(_mm_set1_epi32((int)n), _mm_setr_epi32(0, 1, 2, 3)));
}

#define SIMD_HAVE_F32_F64_CVT 1 /* the three conversions below */
/* float32 <-> float64 between a VF32 and the two VF64 of its halves */
static inline VF64 vf64_cvt_f32_lo(VF32 a) { return _mm_cvtps_pd(a); }
static inline VF64 vf64_cvt_f32_hi(VF32 a) { return _mm_cvtps_pd(_mm_movehl_ps(a, a)); }
static inline VF32 vf32_cvt_f64_pair(VF64 lo, VF64 hi) { return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi)); }

/* Constant tables. GCC rebuilds a splat constant it can see with movsd +
   unpcklpd (2 instructions per use in a loop short of registers). The
   kernels therefore read their constants from aligned tables (each value
   repeated) through a pointer laundered once by SIMD_OPAQUE_PTR: the loads
   then fold into the arithmetic as memory operands. */
#if defined(__GNUC__) || defined(__clang__)
#define SIMD_OPAQUE_PTR(p) __asm__("" : "+r"(p))
#else
#define SIMD_OPAQUE_PTR(p) ((void)0)
#endif
static inline VF64 vf64_load_const(const double *p) { return _mm_load_pd(p); }
static inline VF32 vf32_load_const(const float *p) { return _mm_load_ps(p); }

/* integer lanes: wrapping add/sub, bitwise ops, shifts by a constant */
/* lanes of s with the sign bit set take a, the others b */
static inline VF64 vf64_select_sign(VF64 s, VF64 a, VF64 b)
{
    const __m128i m = _mm_shuffle_epi32(_mm_srai_epi32(_mm_castpd_si128(s), 31), _MM_SHUFFLE(3, 3, 1, 1));
    return vf64_select(_mm_castsi128_pd(m), a, b);
}
static inline VF32 vf32_select_sign(VF32 s, VF32 a, VF32 b)
{
    return vf32_select(_mm_castsi128_ps(_mm_srai_epi32(_mm_castps_si128(s), 31)), a, b);
}

static inline VI64 vi64_set1(uint64_t a) { return _mm_set1_epi64x((long long)a); }
static inline VI64 vi64_add(VI64 a, VI64 b) { return _mm_add_epi64(a, b); }
static inline VI64 vi64_sub(VI64 a, VI64 b) { return _mm_sub_epi64(a, b); }
static inline VI64 vi64_and(VI64 a, VI64 b) { return _mm_and_si128(a, b); }
static inline VI64 vi64_or(VI64 a, VI64 b) { return _mm_or_si128(a, b); }
static inline VI64 vi64_xor(VI64 a, VI64 b) { return _mm_xor_si128(a, b); }
#define vi64_slli(a, n) _mm_slli_epi64((a), (n))
#define vi64_srli(a, n) _mm_srli_epi64((a), (n))
/* signed a > b as a mask. SSE2 has no 64-bit compare (pcmpgtq is
   SSE4.2): high halves decide, equal high halves defer to the low halves
   compared unsigned. */
static inline VM64 vi64_gt(VI64 a, VI64 b)
{
    const __m128i flip = _mm_set1_epi32((int)0x80000000u);
    const __m128i gt = _mm_cmpgt_epi32(a, b);
    const __m128i eq = _mm_cmpeq_epi32(a, b);
    const __m128i ltu = _mm_cmpgt_epi32(_mm_xor_si128(a, flip), _mm_xor_si128(b, flip));
    const __m128i hi_gt = _mm_shuffle_epi32(gt, _MM_SHUFFLE(3, 3, 1, 1));
    const __m128i hi_eq = _mm_shuffle_epi32(eq, _MM_SHUFFLE(3, 3, 1, 1));
    const __m128i lo_gt = _mm_shuffle_epi32(ltu, _MM_SHUFFLE(2, 2, 0, 0));
    return _mm_castsi128_pd(_mm_or_si128(hi_gt, _mm_and_si128(hi_eq, lo_gt)));
}

/* a > b decided by the signed high 32-bit halves only (ties: false): what
   the kernels' range checks need, in 2 instructions instead of 9 */
static inline VM64 vi64_gt_hi(VI64 a, VI64 b)
{
    return _mm_castsi128_pd(_mm_shuffle_epi32(_mm_cmpgt_epi32(a, b), _MM_SHUFFLE(3, 3, 1, 1)));
}

static inline VI32 vi32_set1(uint32_t a) { return _mm_set1_epi32((int)a); }
static inline VI32 vi32_add(VI32 a, VI32 b) { return _mm_add_epi32(a, b); }
static inline VI32 vi32_sub(VI32 a, VI32 b) { return _mm_sub_epi32(a, b); }
static inline VI32 vi32_and(VI32 a, VI32 b) { return _mm_and_si128(a, b); }
static inline VI32 vi32_or(VI32 a, VI32 b) { return _mm_or_si128(a, b); }
static inline VI32 vi32_xor(VI32 a, VI32 b) { return _mm_xor_si128(a, b); }
#define vi32_slli(a, n) _mm_slli_epi32((a), (n))
#define vi32_srli(a, n) _mm_srli_epi32((a), (n))
/* signed a > b as a mask */
static inline VM32 vi32_gt(VI32 a, VI32 b) { return _mm_castsi128_ps(_mm_cmpgt_epi32(a, b)); }

/* table lookup (layer API 3): lane k is t[i_k]; every index is in range.
   SSE2 has no gather: two scalar loads */
static inline VF64 vf64_lookup(const double *t, VI64 i)
{
    uint64_t k[2];
    _mm_storeu_si128((__m128i *)k, i);
    return _mm_setr_pd(t[k[0]], t[k[1]]);
}

/* lookup in a 16-value table (layer API 4): lane k is t[i_k mod 16] (only
   the low 4 bits of each index count), t 64-byte aligned.
   SIMD_LOOKUP16_PERMUTE: 1 where this is a register permute (the table
   held in registers), cheap enough for the templates to trade a longer
   polynomial for a 16-cell reduction; 0 here: the lookup above */
#define SIMD_LOOKUP16_PERMUTE 0
static inline VF64 vf64_lookup16(const double *t, VI64 i) { return vf64_lookup(t, vi64_and(i, vi64_set1(15))); }

#endif /* SIMD_VEC_SSE2_H */
