/*
 * The module's init code: exports avx512_table (kernels.c) as the capsule
 * _C_API. Compiled with baseline flags: importing the module executes no
 * AVX-512 instruction (hostlib imports it only on a CPU with the declared
 * features anyway, but the init code must not depend on that).
 */
#define PY_SSIZE_T_CLEAN
#include "hostlib_provider.h"
#include "hostlib_kernels_table.h"

extern const hostlib_kernels_table avx512_table;
extern const hostlib_kernels_table avx512_reproducible_table;

HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE(_avx512, avx512_table, avx512_reproducible_table,
                                     HOSTLIB_KERNELS_PROVIDER_CAPSULE)
