/*
 * The fft module's init code: exports avx512_fft_table (fft.c) as the fft
 * interface's capsule. Compiled with baseline flags, like _module.c:
 * importing the module executes no AVX-512 instruction.
 */
#define PY_SSIZE_T_CLEAN
#include "hostlib_fft_fft_provider.h"

extern const hostlib_fft_fft_table avx512_fft_table;

HOSTLIB_FFT_FFT_PROVIDER_MODULE(_fft, avx512_fft_table)
