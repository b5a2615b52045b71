/*
 * The AArch64 NEON kernel table (neon_table): the same templates as the
 * x86 modules, over 128-bit vectors with fused multiply-add and 32
 * registers. Only this translation unit is built with the flags of the
 * declared features (-march=armv8-a+simd); vec_neon.h stops the build
 * (#error) anywhere but aarch64.
 */
#include "vec_neon.h"
#include "level1.h"
#include "elementwise.h"
#include "gemm.h"
#include "level2.h"
#include "level3.h"
#include "kernels_table.h"
