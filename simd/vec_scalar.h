/*
 * vec_scalar.h -- the portable "vector" layer: one lane, plain C.
 *
 * It exists so that the portable table runs the very same level-1 template
 * as the SIMD modules (same algorithms, same accuracy); the template's
 * independent accumulators still give the CPU instruction-level
 * parallelism. level1.h lists the operations every layer provides.
 */
#ifndef SIMD_VEC_SCALAR_H
#define SIMD_VEC_SCALAR_H

#include <math.h>
#include <stddef.h>

#define SIMD_NAME(x) scalar_##x
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
    static inline T p##_loadu_partial(const T *x, ptrdiff_t m) { return m > 0 ? *x : 0; } \
    static inline T p##_loads(const T *x, ptrdiff_t inc) { (void)inc; return *x; }      \
    static inline void p##_stores(T *x, ptrdiff_t inc, T a) { (void)inc; *x = a; }

SIMD_SCALAR_OPS_(vf64, double, fabs)
SIMD_SCALAR_OPS_(vf32, float, fabsf)
#undef SIMD_SCALAR_OPS_

/* float32 elements widened to float64 lanes (snrm2 sums squares in double) */
static inline VF64 vf64_loadu_f32(const float *p) { return *p; }
static inline VF64 vf64_loadu_partial_f32(const float *p, ptrdiff_t m) { return m > 0 ? *p : 0; }
static inline VF64 vf64_loads_f32(const float *p, ptrdiff_t inc) { (void)inc; return *p; }

/* scalar a*b + c rounded like vfNN_fma (tails must match the vector body) */
static inline double sf64_fma(double a, double b, double c) { return a * b + c; }
static inline float sf32_fma(float a, float b, float c) { return a * b + c; }

#endif /* SIMD_VEC_SCALAR_H */
