/*
 * fft_table.h -- a provider's table of hostlib's fft interface, built from
 * the transforms of simd/fft.h for the vector layer included before it.
 * It defines the table as a compile-time constant (no code runs to build it):
 *
 *     const hostlib_fft_fft_table SIMD_NAME(fft_table) = { header, planners };
 *
 * The build passes the header fields (derived from the module's metadata):
 *   -DSIMD_PROVIDER_NAME='"avx2"' -DSIMD_PROVIDER_VERSION='"0.1.0"'
 *   -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_... bits)'
 */
#ifndef SIMD_FFT_TABLE_H
#define SIMD_FFT_TABLE_H

#include "hostlib_fft_fft_table.h"

#if !defined(SIMD_PROVIDER_NAME) || !defined(SIMD_PROVIDER_VERSION) || !defined(SIMD_PROVIDER_FEATURES)
#error "define SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION and SIMD_PROVIDER_FEATURES (the build passes them with -D)"
#endif
#ifndef SIMD_HAVE_FFT
#error "include fft.h (after a vector layer) before fft_table.h"
#endif

#include "declared_features.h"

extern const hostlib_fft_fft_table SIMD_NAME(fft_table);

const hostlib_fft_fft_table SIMD_NAME(fft_table) = {
    HOSTLIB_FFT_FFT_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .splan_c2c = SIMD_NAME(fft_splan_c2c),
    .dplan_c2c = SIMD_NAME(fft_dplan_c2c),
    .splan_r2c = SIMD_NAME(fft_splan_r2c),
    .dplan_r2c = SIMD_NAME(fft_dplan_r2c),
    .splan_c2r = SIMD_NAME(fft_splan_c2r),
    .dplan_c2r = SIMD_NAME(fft_dplan_c2r),
};

#endif /* SIMD_FFT_TABLE_H */
