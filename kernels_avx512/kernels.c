/*
 * The AVX-512 kernel table (avx512_table): hostlib's installed templates
 * compiled over vec_avx512.h. Only this translation unit gets the AVX-512
 * flags (derived from __init__.py's FEATURES by the build); the module's
 * init code (_module.c) stays baseline. Without those flags vec_avx512.h
 * stops the build (#error), and kernels_table.h checks at compile time
 * that the declared feature bits cover every -m flag in effect.
 */
#include "vec_avx512.h"
#include "level1.h"
#include "elementwise.h"

/* gemm's register tile (gemm.h picks its shape from the lane count and
   knows 1, 2 and 4 lanes; with 8 it would take a conservative 4 x 2).
   AVX-512 has 32 vector registers. 8 x 2: 16 accumulators, 2 rows of B,
   the A values broadcast from memory into the FMAs; 16 independent FMAs
   cover latency 4 x 2 FMA units (Intel server cores), and the loads stay
   under one per FMA. Measured on AMD Zen 4 (double-pumped 512-bit FMA):
   every shape from 4 x 2 to 14 x 2, 8 x 3, 6 x 4 and KC 128-384 within
   ~5% (noise on a shared machine) at n = 64, 256, 1024, ~1.25x the AVX2
   table; the larger tiles lose at n = 64 (edge tiles). Cache blocks: the
   template's defaults. */
#define GEMM_D_MR 8
#define GEMM_D_NV 2
#define GEMM_S_MR 8
#define GEMM_S_NV 2
#include "gemm.h"

#include "kernels_table.h"
