/*
 * The avx512_rcp module's init code: exports avx512_rcp_table (log_rcp.c)
 * as the capsule _C_API. Baseline flags, like _module.c.
 */
#define PY_SSIZE_T_CLEAN
#include "hostlib_provider.h"
#include "hostlib_kernels_table.h"

extern const hostlib_kernels_table avx512_rcp_table;

HOSTLIB_PROVIDER_MODULE(_avx512_rcp, avx512_rcp_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
