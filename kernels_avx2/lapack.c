/*
 * The AVX2 lapack table (avx2_lapack_table): simd/lapack.h compiled for
 * this module's vector layer, with the same ISA flags as its kernels table.
 * The module's init code (interface/lapack_provider_module.c) stays
 * baseline.
 */
#include "vec_avx2.h"
#include "lapack.h"
#include "lapack_table.h"
