/*
 * declared_features.h -- compile-time proof that a provider declares every
 * CPU feature its code may use, for a table of any interface.
 *
 * Include it in a kernel translation unit after a vector layer
 * (vec_*.h) and hostlib_features.h (every generated table header includes
 * it), with SIMD_PROVIDER_FEATURES defined to the HOSTLIB_CPU_* bits the
 * provider declares: the build passes the bits that
 * `python -m hostlib.generate bits --module <metadata>` derives from the
 * metadata's FEATURES. simd/kernels_table.h (the kernels interface)
 * includes it; a third-party interface's kernels include it themselves.
 */
#ifndef SIMD_DECLARED_FEATURES_H
#define SIMD_DECLARED_FEATURES_H

#if !defined(SIMD_PROVIDER_FEATURES) || !defined(SIMD_LAYER_FEATURES) || !defined(HOSTLIB_CPU_SSE2) \
    || !defined(HOSTLIB_STATIC_ASSERT)
#error "include a vector layer and a generated table header (hostlib_table.h, hostlib_features.h), and define SIMD_PROVIDER_FEATURES, before declared_features.h"
#endif

/* The declared features must cover what the layer's intrinsics need... */
HOSTLIB_STATIC_ASSERT(((SIMD_PROVIDER_FEATURES) & (SIMD_LAYER_FEATURES)) == (SIMD_LAYER_FEATURES),
                      "SIMD_PROVIDER_FEATURES lacks a feature the vector layer needs");

/* ...and every instruction set the compiler was allowed to use, since it may
   emit those anywhere (numpy issue 27745). SSE and SSE2 are not checked:
   they are baseline on x86-64, where even the portable table has them;
   nor is ASIMD, for the same reason on aarch64. */
#define SIMD_CHECK_FEATURE_(bit, flag)                                                    \
    HOSTLIB_STATIC_ASSERT(((SIMD_PROVIDER_FEATURES) & (bit)) == (bit),                    \
                          "compiled with " flag " but SIMD_PROVIDER_FEATURES does not declare it")
#ifdef __SSE3__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SSE3, "-msse3");
#endif
#ifdef __SSSE3__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SSSE3, "-mssse3");
#endif
#ifdef __POPCNT__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_POPCNT, "-mpopcnt");
#endif
#ifdef __SSE4_1__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SSE41, "-msse4.1");
#endif
#ifdef __SSE4_2__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SSE42, "-msse4.2");
#endif
#ifdef __AVX__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX, "-mavx");
#endif
#ifdef __F16C__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_F16C, "-mf16c");
#endif
#ifdef __FMA__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_FMA3, "-mfma");
#endif
#ifdef __AVX2__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX2, "-mavx2");
#endif
#ifdef __AVX512F__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX512F, "-mavx512f");
#endif
#ifdef __AVX512CD__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX512CD, "-mavx512cd");
#endif
#ifdef __AVX512VL__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX512VL, "-mavx512vl");
#endif
#ifdef __AVX512BW__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX512BW, "-mavx512bw");
#endif
#ifdef __AVX512DQ__
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_AVX512DQ, "-mavx512dq");
#endif
/* aarch64: Advanced SIMD (ASIMD) is baseline, like SSE2 on x86-64 */
#ifdef __ARM_FEATURE_FP16_SCALAR_ARITHMETIC
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_FPHP, "+fp16");
#endif
#ifdef __ARM_FEATURE_FP16_VECTOR_ARITHMETIC
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_ASIMDHP, "+fp16");
#endif
#ifdef __ARM_FEATURE_DOTPROD
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_ASIMDDP, "+dotprod");
#endif
#ifdef __ARM_FEATURE_FP16_FML
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_ASIMDFHM, "+fp16fml");
#endif
#ifdef __ARM_FEATURE_SVE
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SVE, "+sve");
#endif
#ifdef __ARM_FEATURE_SVE2
SIMD_CHECK_FEATURE_(HOSTLIB_CPU_SVE2, "+sve2");
#endif
#undef SIMD_CHECK_FEATURE_

#endif /* SIMD_DECLARED_FEATURES_H */
