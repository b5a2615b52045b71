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

#include "gemm_tile.h" /* gemm's register tile, shared with lapack.c */
#include "gemm.h"
#include "level2.h"
#include "level3.h"

#include "kernels_table.h"
