/*
 * The module's init code: exports avx512_table (kernels.c) as the capsule
 * _C_API. Compiled with baseline flags: importing the module executes no
 * AVX-512 instruction (hostlib imports it only on a CPU with the declared
 * features anyway, but the init code must not depend on that). It also
 * gives the module hostlib_parameters() and hostlib_set_parameters(), which
 * read and set gemm's cache blocks (plain data in kernels.c).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "gemm_params.h" /* hostlib's simd/: gemm's blocks, set at run time */

extern hostlib_gemm_params avx512_gemm_params;
HOSTLIB_GEMM_PARAMETER_METHODS(avx512_gemm_params)
#define HOSTLIB_PROVIDER_METHODS hostlib_gemm_parameter_methods_
#include "hostlib_provider.h"
#include "hostlib_kernels_table.h"

extern const hostlib_kernels_table avx512_table;
extern const hostlib_kernels_table avx512_reproducible_table;

HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE(_avx512, avx512_table, avx512_reproducible_table,
                                     HOSTLIB_KERNELS_PROVIDER_CAPSULE)
