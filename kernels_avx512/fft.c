/*
 * The AVX-512 fft table (avx512_fft_table): hostlib's installed simd/fft.h
 * compiled over vec_avx512.h, with the same ISA flags as the kernels table.
 * The module's init code (hostlib's interface/fft_provider_module.c, as
 * installed) stays baseline.
 */
#include "vec_avx512.h"
#include "fft.h"
#include "fft_table.h"
