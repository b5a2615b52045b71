/*
 * vec_scalar.h -- the portable "vector" layer: one lane, plain C.
 *
 * It exists so that the portable table runs the very same level-1 template
 * as the SIMD modules (same algorithms, same accuracy); the template's
 * independent accumulators still give the CPU instruction-level
 * parallelism. simd/LAYERS.md is the contract every layer keeps; this
 * layer is the reference tests/test_layers.py compares the others with.
 */
#ifndef SIMD_VEC_SCALAR_H
#define SIMD_VEC_SCALAR_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SIMD_NAME(x) scalar_##x
/* the version of the op set the templates use (simd/layer_api.h) */
#define SIMD_LAYER_API 4
#define SIMD_LAYER_FEATURES 0 /* runs on any CPU */

typedef double VF64;
typedef float VF32;
#define VF64_LANES 1
#define VF32_LANES 1

/* One lane: the "vector" type is the element type T; p is the name prefix.
   max is a > b ? a : b as in every layer (level1.h skips NaNs with it). */
#define SIMD_SCALAR_OPS_(p, T, ABS)                                                      \
    static inline T p##_load(const T *x) { return *x; }                                 \
    static inline T p##_loadu(const T *x) { return *x; }                                \
    static inline void p##_store(T *x, T a) { *x = a; }                                 \
    static inline void p##_storeu(T *x, T a) { *x = a; }                                \
    static inline T p##_set1(T a) { return a; }                                         \
    static inline T p##_zero(void) { return 0; }                                        \
    static inline T p##_add(T a, T b) { return a + b; }                                 \
    static inline T p##_mul(T a, T b) { return a * b; }                                 \
    static inline T p##_fma(T a, T b, T c) { return a * b + c; }                        \
    static inline T p##_abs(T a) { return ABS(a); }                                     \
    static inline T p##_max(T a, T b) { return a > b ? a : b; }                         \
    static inline T p##_hsum(T a) { return a; }                                         \
    static inline T p##_hmax(T a) { return a; }                                         \
    static inline T p##_loads(const T *x, ptrdiff_t inc) { (void)inc; return *x; }      \
    static inline void p##_stores(T *x, ptrdiff_t inc, T a) { (void)inc; *x = a; }      \
    /* the first n <= 1 lanes: the lane, or nothing */                                 \
    static inline T p##_loadn(const T *x, ptrdiff_t n) { return n > 0 ? *x : 0; }       \
    static inline void p##_storen(T *x, ptrdiff_t n, T a) { if (n > 0) *x = a; }        \
    static inline T p##_loadsn(const T *x, ptrdiff_t inc, ptrdiff_t n) { (void)inc; return n > 0 ? *x : 0; } \
    static inline void p##_storesn(T *x, ptrdiff_t inc, ptrdiff_t n, T a) { (void)inc; if (n > 0) *x = a; }

SIMD_SCALAR_OPS_(vf64, double, fabs)
SIMD_SCALAR_OPS_(vf32, float, fabsf)
#undef SIMD_SCALAR_OPS_

/* Pairs (optional ops, SIMD_HAVE_LOAD2): load2 reads 2 LANES contiguous
   elements and returns the even ones in *a, the odd ones in *b (complex
   re, im pairs); store2 writes them back interleaved. */
#define SIMD_HAVE_LOAD2 1
static inline void vf64_load2(const double *p, VF64 *a, VF64 *b) { *a = p[0]; *b = p[1]; }
static inline void vf64_store2(double *p, VF64 a, VF64 b) { p[0] = a; p[1] = b; }
static inline void vf32_load2(const float *p, VF32 *a, VF32 *b) { *a = p[0]; *b = p[1]; }
static inline void vf32_store2(float *p, VF32 a, VF32 b) { p[0] = a; p[1] = b; }

/* float32 elements widened to float64 lanes (snrm2 sums squares in double) */
static inline VF64 vf64_loadu_f32(const float *p) { return *p; }
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc) { (void)inc; return *p; }
static inline VF64 vf64_loadn_f32(const float *p, ptrdiff_t n) { return n > 0 ? *p : 0; }
static inline VF64 vf64_loadsn_f32(const float *p, ptrdiff_t inc, ptrdiff_t n) { (void)inc; return n > 0 ? *p : 0; }

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body) */
static inline double sf64_fma(double a, double b, double c) { return a * b + c; }
static inline float sf32_fma(float a, float b, float c) { return a * b + c; }

/* ------------------------------------------------------------------------
 * Elementwise math support (simd/elementwise.h), one lane. A mask is a
 * plain int, 0 or 1 (VM64 and VM32 are the same type here); the integer
 * "lanes" are unsigned (wrapping) integers.
 * Comparisons are quiet: C's <, <=, == on a NaN raise nothing (the
 * compiler emits ucomisd/ucomiss, or their equivalents elsewhere).
 * fnma is unfused, like fma above: SIMD_FMA_NATIVE is 0.
 * ------------------------------------------------------------------------ */
#define SIMD_FMA_NATIVE 0

typedef uint64_t VI64;
typedef uint32_t VI32;
typedef int VM64; /* a mask: 0 or 1 */
typedef int VM32;

#define SIMD_SCALAR_MATH_(p, T, I, SQRT)                                                \
    static inline I p##_as_bits(T a) { I u; memcpy(&u, &a, sizeof u); return u; }     \
    static inline T p##_from_bits(I u) { T a; memcpy(&a, &u, sizeof a); return a; }    \
    static inline T p##_sub(T a, T b) { return a - b; }                                \
    static inline T p##_div(T a, T b) { return a / b; }                                \
    static inline T p##_sqrt(T a) { return SQRT(a); }                                  \
    static inline T p##_min(T a, T b) { return a < b ? a : b; }                        \
    static inline T p##_fnma(T a, T b, T c) { return c - a * b; }                      \
    static inline T p##_and(T a, T b) { return p##_from_bits(p##_as_bits(a) & p##_as_bits(b)); } \
    static inline T p##_or(T a, T b) { return p##_from_bits(p##_as_bits(a) | p##_as_bits(b)); }  \
    static inline T p##_xor(T a, T b) { return p##_from_bits(p##_as_bits(a) ^ p##_as_bits(b)); } \
    static inline T p##_andnot(T a, T b) { return p##_from_bits(~p##_as_bits(a) & p##_as_bits(b)); } \
    static inline T p##_select(int m, T a, T b) { return m ? a : b; }                  \
    static inline T p##_zero_if(int m, T a) { return m ? 0 : a; }                      \
    static inline T p##_zero_unless(int m, T a) { return m ? a : 0; }                  \
    static inline T p##_select_sign(T s, T a, T b) { return signbit(s) ? a : b; }      \
    static inline int p##_isnan(T a) { return a != a; }                                \
    static inline int p##_eq(T a, T b) { return a == b; }                              \
    static inline int p##_lt(T a, T b) { return isless(a, b); }                        \
    static inline int p##_le(T a, T b) { return islessequal(a, b); }                   \
    static inline int p##_nle(T a, T b) { return !islessequal(a, b); }

SIMD_SCALAR_MATH_(vf64, double, VI64, sqrt)
SIMD_SCALAR_MATH_(vf32, float, VI32, sqrtf)
#undef SIMD_SCALAR_MATH_

/* masks: one lane, so any, all and the lane bits are the mask itself */
#define SIMD_SCALAR_MASK_(p)                                                           \
    static inline int p##_and(int a, int b) { return a & b; }                          \
    static inline int p##_or(int a, int b) { return a | b; }                           \
    static inline int p##_andnot(int a, int b) { return (!a) & b; }                    \
    static inline int p##_any(int m) { return m; }                                     \
    static inline int p##_all(int m) { return m; }                                     \
    static inline unsigned p##_bits(int m) { return (unsigned)m; }                     \
    static inline int p##_first_n(ptrdiff_t n) { return n > 0; }

SIMD_SCALAR_MASK_(vm64)
SIMD_SCALAR_MASK_(vm32)
#undef SIMD_SCALAR_MASK_

#define SIMD_HAVE_F32_F64_CVT 1 /* the three conversions below */
/* float32 <-> float64 between a VF32 and "the two halves" of its one lane
   (both halves are the lane itself; the pair takes the first) */
static inline VF64 vf64_cvt_f32_lo(VF32 a) { return a; }
static inline VF64 vf64_cvt_f32_hi(VF32 a) { return a; }
static inline VF32 vf32_cvt_f64_pair(VF64 lo, VF64 hi) { (void)hi; return (VF32)lo; }

/* constant tables (see vec_sse2.h) */
#define SIMD_OPAQUE_PTR(p) ((void)0)
static inline VF64 vf64_load_const(const double *p) { return *p; }
static inline VF32 vf32_load_const(const float *p) { return *p; }

static inline VI64 vi64_set1(uint64_t a) { return a; }
static inline VI64 vi64_add(VI64 a, VI64 b) { return a + b; }
static inline VI64 vi64_sub(VI64 a, VI64 b) { return a - b; }
static inline VI64 vi64_and(VI64 a, VI64 b) { return a & b; }
static inline VI64 vi64_or(VI64 a, VI64 b) { return a | b; }
static inline VI64 vi64_xor(VI64 a, VI64 b) { return a ^ b; }
#define vi64_slli(a, n) ((VI64)((VI64)(a) << (n)))
#define vi64_srli(a, n) ((VI64)((VI64)(a) >> (n)))
static inline VM64 vi64_gt(VI64 a, VI64 b) { return (int64_t)a > (int64_t)b; }

/* a > b at least by the signed high 32-bit halves (here: exactly) */
static inline VM64 vi64_gt_hi(VI64 a, VI64 b) { return vi64_gt(a, b); }

static inline VI32 vi32_set1(uint32_t a) { return a; }
static inline VI32 vi32_add(VI32 a, VI32 b) { return a + b; }
static inline VI32 vi32_sub(VI32 a, VI32 b) { return a - b; }
static inline VI32 vi32_and(VI32 a, VI32 b) { return a & b; }
static inline VI32 vi32_or(VI32 a, VI32 b) { return a | b; }
static inline VI32 vi32_xor(VI32 a, VI32 b) { return a ^ b; }
#define vi32_slli(a, n) ((VI32)((VI32)(a) << (n)))
#define vi32_srli(a, n) ((VI32)((VI32)(a) >> (n)))
static inline VM32 vi32_gt(VI32 a, VI32 b) { return (int32_t)a > (int32_t)b; }

/* table lookup (layer API 3): lane k is t[i_k]; every index is in range */
static inline VF64 vf64_lookup(const double *t, VI64 i) { return t[i]; }

/* lookup in a 16-value table (layer API 4): lane k is t[i_k mod 16] (only
   the low 4 bits of each index count), t 64-byte aligned.
   SIMD_LOOKUP16_PERMUTE: 1 where this is a register permute (the table
   held in registers), cheap enough for the templates to trade a longer
   polynomial for a 16-cell reduction; 0 here: one load */
#define SIMD_LOOKUP16_PERMUTE 0
static inline VF64 vf64_lookup16(const double *t, VI64 i) { return t[i & 15]; }

#endif /* SIMD_VEC_SCALAR_H */
