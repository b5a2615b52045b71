/*
 * The avx512_rcp table (avx512_rcp_table): float32 and float64 log only,
 * hostlib's elementwise template over vec_avx512.h with the log's one
 * division replaced by vrcp14 and Newton's method (EW_LOG_RECIPROCAL, see
 * simd/elementwise.h). Which of the two is faster depends on the core's
 * divider, not on its features, so both are offered: the avx512 table
 * serves by default (higher priority), `hostlib tune` measures both and
 * keeps the faster. Every other entry is left empty.
 */
#define EW_LOG_RECIPROCAL 1
#include "vec_avx512.h"
#undef SIMD_NAME
#define SIMD_NAME(x) avx512_rcp_##x

/* the template defines all five functions; this table uses the log */
#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include "elementwise.h"

#include "hostlib_kernels_table.h"
#include "declared_features.h"

extern const hostlib_kernels_table avx512_rcp_table;

const hostlib_kernels_table avx512_rcp_table = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .slog = SIMD_NAME(slog),
    .dlog = SIMD_NAME(dlog),
};
