/*
 * The SSE2 kernel table (sse2_table): the level-1 template compiled for
 * 128-bit vectors. Only this translation unit is built with -msse2; the
 * module's init code (interface/provider_module.c) stays baseline. Without that
 * flag vec_sse2.h stops the build (#error).
 */
#include "vec_sse2.h"
#include "level1.h"
#include "elementwise.h"
#include "gemm.h"
#include "level2.h"
#include "level3.h"
#include "kernels_table.h"
