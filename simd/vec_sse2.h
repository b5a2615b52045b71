/*
 * vec_sse2.h -- the SSE2 vector layer: 2 x f64, 4 x f32 (128-bit).
 * level1.h lists the operations every layer provides.
 */
#ifndef SIMD_VEC_SSE2_H
#define SIMD_VEC_SSE2_H

#if !(defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#error "vec_sse2.h needs SSE2: compile this translation unit with -msse2 (x86 only)"
#endif

#include <emmintrin.h>
#include <stddef.h>

#define SIMD_NAME(x) sse2_##x
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
static inline VF64 vf64_loadu_partial(const double *p, ptrdiff_t m)
{
    return m > 0 ? _mm_load_sd(p) : _mm_setzero_pd();
}
static inline double vf64_hsum(VF64 a) { return _mm_cvtsd_f64(_mm_add_sd(a, _mm_unpackhi_pd(a, a))); }
static inline double vf64_hmax(VF64 a) { return _mm_cvtsd_f64(_mm_max_sd(a, _mm_unpackhi_pd(a, a))); }
static inline VF64 vf64_loads(const double *p, ptrdiff_t inc) { return _mm_setr_pd(p[0], p[inc]); }
static inline void vf64_stores(double *p, ptrdiff_t inc, VF64 a)
{
    _mm_storel_pd(p, a);
    _mm_storeh_pd(p + inc, a);
}
/* two float32 widened to float64 (movq loads 8 bytes, any alignment) */
static inline VF64 vf64_loadu_f32(const float *p)
{
    return _mm_cvtps_pd(_mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p)));
}
static inline VF64 vf64_loadu_partial_f32(const float *p, ptrdiff_t m)
{
    return m > 0 ? _mm_cvtps_pd(_mm_load_ss(p)) : _mm_setzero_pd();
}
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc) { return _mm_setr_pd(p[0], p[inc]); }

/* ---- float32 ---- */
static inline VF32 vf32_loadu_partial(const float *p, ptrdiff_t m)
{
    if (m >= 2) {
        const VF32 lo = _mm_castsi128_ps(_mm_loadl_epi64((const __m128i *)p));
        return m == 2 ? lo : _mm_movelh_ps(lo, _mm_load_ss(p + 2));
    }
    return m == 1 ? _mm_load_ss(p) : _mm_setzero_ps();
}
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

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body) */
static inline double sf64_fma(double a, double b, double c) { return a * b + c; }
static inline float sf32_fma(float a, float b, float c) { return a * b + c; }

#endif /* SIMD_VEC_SSE2_H */
