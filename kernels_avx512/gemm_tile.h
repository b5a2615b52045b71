/*
 * gemm_tile.h -- the AVX-512 gemm's register tile, for both translation
 * units that compile simd/gemm.h over vec_avx512.h: kernels.c (the kernels
 * table's gemm) and lapack.c (the copy the factorizations' trailing
 * updates run on). One definition, so the two copies are the same
 * micro-kernel and take the same cache blocks from the host (the blocks
 * are derived from mr and nr). Include it before gemm.h.
 */
#ifndef KERNELS_AVX512_GEMM_TILE_H
#define KERNELS_AVX512_GEMM_TILE_H

/* gemm's register tile (gemm.h picks its shape from the lane count and
   knows 1, 2 and 4 lanes; with 8 it would take a conservative 4 x 2).
   AVX-512 has 32 vector registers. 8 x 2: 16 accumulators, 2 rows of B,
   the A values broadcast from memory into the FMAs; 16 independent FMAs
   cover latency 4 x 2 FMA units (Intel server cores), and the loads stay
   under one per FMA. Measured on AMD Zen 4 (double-pumped 512-bit FMA):
   every shape from 4 x 2 to 14 x 2, 8 x 3, 6 x 4 and KC 128-384 within
   ~5% (noise on a shared machine) at n = 64, 256, 1024, ~1.25x the AVX2
   table; the larger tiles lose at n = 64 (edge tiles). Cache blocks: the
   host's, derived from the caches (hostlib/_host/params.py). */
#define GEMM_D_MR 8
#define GEMM_D_NV 2
#define GEMM_S_MR 8
#define GEMM_S_NV 2

#endif /* KERNELS_AVX512_GEMM_TILE_H */
