/*
 * _fft_portable.c -- the fft interface's portable table, scalar_fft_table:
 * complete, plain C11, the last fallback on every platform. It is
 * simd/fft.h, the template the SIMD modules compile, over the one-lane
 * scalar layer: the same algorithms and the same accuracy. Its module init
 * code is interface/fft_provider_module.c.
 */
#include "vec_scalar.h"
#include "fft.h"
#include "fft_table.h"
