/*
 * The lapack module's init code: binds hostlib's thread pool and exports
 * avx512_lapack_table (lapack.c) as the lapack interface's capsule; hostlib's
 * installed lapack_provider_module.c, compiled with baseline flags like
 * _module.c: importing the module executes no AVX-512 instruction.
 */
#define HOSTLIB_PROVIDER_MODULE_NAME _lapack
#define HOSTLIB_PROVIDER_TABLE avx512_lapack_table
#define HOSTLIB_PROVIDER_POOL avx512_lapack_pool
#define HOSTLIB_PROVIDER_GEMM_PARAMS avx512_gemm_params /* its gemm's blocks, set by the host */
#include "lapack_provider_module.c"
