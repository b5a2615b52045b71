/*
 * provider_table.h -- a provider's table, built from the template kernels.
 *
 * Include it after a vector layer and level1.h. It defines the table as a
 * compile-time constant (no code runs to build it):
 *
 *     const hostlib_kernels_table SIMD_TABLE_NAME = { header, .saxpy = ..., ... };
 *
 * The including file may set, before the include:
 *   SIMD_TABLE_NAME      the table's (extern) name; default SIMD_NAME(table),
 *                        e.g. avx2_table
 *   SIMD_EXTRA_ENTRIES   more designated initializers for entries the layer
 *                        implements elsewhere, e.g. `.dexp = my_dexp, .sexp = ...`
 * The elementwise and gemm entries are listed when simd/elementwise.h or
 * simd/gemm.h, included before, define SIMD_HAVE_ELEMENTWISE / SIMD_HAVE_GEMM
 * for the current layer.
 * Entries nobody sets stay NULL: the host fills them from another table.
 *
 * The build passes the header fields (derived from the module's metadata):
 *   -DSIMD_PROVIDER_NAME='"avx2"' -DSIMD_PROVIDER_VERSION='"0.1.0"'
 *   -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_... bits)'
 */
#ifndef SIMD_PROVIDER_TABLE_H
#define SIMD_PROVIDER_TABLE_H

#include "hostlib_kernels_table.h"

#if !defined(SIMD_PROVIDER_NAME) || !defined(SIMD_PROVIDER_VERSION) || !defined(SIMD_PROVIDER_FEATURES)
#error "define SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION and SIMD_PROVIDER_FEATURES (the build passes them with -D)"
#endif

#ifndef SIMD_TABLE_NAME
#define SIMD_TABLE_NAME SIMD_NAME(table)
#endif
#ifndef SIMD_EXTRA_ENTRIES
#define SIMD_EXTRA_ENTRIES
#endif

/* The declared features must cover what the layer's intrinsics need... */
HOSTLIB_STATIC_ASSERT(((SIMD_PROVIDER_FEATURES) & (SIMD_LAYER_FEATURES)) == (SIMD_LAYER_FEATURES),
                      "SIMD_PROVIDER_FEATURES lacks a feature the vector layer needs");

/* ...and every instruction set the compiler was allowed to use, since it may
   emit those anywhere (numpy issue 27745). SSE and SSE2 are not checked:
   they are baseline on x86-64, where even the portable table has them. */
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
#undef SIMD_CHECK_FEATURE_

extern const hostlib_kernels_table SIMD_TABLE_NAME;

const hostlib_kernels_table SIMD_TABLE_NAME = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .saxpy = SIMD_NAME(saxpy),
    .daxpy = SIMD_NAME(daxpy),
    .sdot = SIMD_NAME(sdot),
    .ddot = SIMD_NAME(ddot),
    .sscal = SIMD_NAME(sscal),
    .dscal = SIMD_NAME(dscal),
    .sasum = SIMD_NAME(sasum),
    .dasum = SIMD_NAME(dasum),
    .snrm2 = SIMD_NAME(snrm2),
    .dnrm2 = SIMD_NAME(dnrm2),
    .ssum = SIMD_NAME(ssum),
    .dsum = SIMD_NAME(dsum),
#ifdef SIMD_HAVE_ELEMENTWISE /* simd/elementwise.h implements them for this layer */
    .sexp = SIMD_NAME(sexp),
    .dexp = SIMD_NAME(dexp),
    .slog = SIMD_NAME(slog),
    .dlog = SIMD_NAME(dlog),
    .ssqrt = SIMD_NAME(ssqrt),
    .dsqrt = SIMD_NAME(dsqrt),
    .ssin = SIMD_NAME(ssin),
    .dsin = SIMD_NAME(dsin),
    .scos = SIMD_NAME(scos),
    .dcos = SIMD_NAME(dcos),
#endif
#ifdef SIMD_HAVE_GEMM /* simd/gemm.h implements it for this layer */
    .sgemm = SIMD_NAME(sgemm),
    .dgemm = SIMD_NAME(dgemm),
#endif
    SIMD_EXTRA_ENTRIES
};

#endif /* SIMD_PROVIDER_TABLE_H */
