/*
 * The AVX2+FMA kernel table (avx2_table): the level-1 template compiled for
 * 256-bit vectors with fused multiply-add. Only this translation unit is
 * built with -mavx2 -mfma; the module's init code (interface/provider_module.c)
 * stays baseline. Without those flags vec_avx2.h stops the build (#error).
 */
#include "vec_avx2.h"
#include "level1.h"
#include "elementwise.h"
#include "gemm.h"
#include "level2.h"
#include "level3.h"
#include "kernels_table.h"
