/*
 * The AVX2 fft table (avx2_fft_table): simd/fft.h compiled for this module's
 * vector layer, with the same ISA flags as its kernels table. The module's
 * init code (interface/fft_provider_module.c) stays baseline.
 */
#include "vec_avx2.h"
#include "fft.h"
#include "fft_table.h"
