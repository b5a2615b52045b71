/*
 * The fft module's init code: exports avx512_fft_table (fft.c) as the fft
 * interface's capsule, binds hostlib's thread pool (a large transform's
 * four steps are split over it) and offers four_step_min(). It is
 * hostlib's own fft_provider_module.c, as installed, compiled with
 * baseline flags like _module.c: importing the module executes no
 * AVX-512 instruction.
 */
#define HOSTLIB_PROVIDER_MODULE_NAME _fft
#define HOSTLIB_PROVIDER_TABLE avx512_fft_table
#define HOSTLIB_PROVIDER_POOL avx512_fft_pool
#define HOSTLIB_PROVIDER_FOURSTEP avx512_fft_fourstep_min
#include "fft_provider_module.c"
