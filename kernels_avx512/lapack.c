/*
 * The AVX-512 lapack table (avx512_lapack_table): hostlib's installed
 * simd/lapack.h compiled over vec_avx512.h, with the same ISA flags as the
 * kernels table. The module's init code (_lapack_module.c) stays baseline.
 */
#include "vec_avx512.h"
#include "gemm_tile.h" /* the kernels table's gemm tile (8 x 2), not gemm.h's 4 x 2 for 8 lanes */
#include "lapack.h"
#include "lapack_table.h"
