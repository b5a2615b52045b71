/*
 * Init code of the bundled modules serving the lapack interface (baseline
 * flags only: the routines are compiled elsewhere, with the module's ISA
 * flags). The build names the module and its table:
 *   -DHOSTLIB_PROVIDER_MODULE_NAME=_avx2_lapack -DHOSTLIB_PROVIDER_TABLE=avx2_lapack_table
 */
#define PY_SSIZE_T_CLEAN
#include "hostlib_lapack_lapack_provider.h"

#if !defined(HOSTLIB_PROVIDER_MODULE_NAME) || !defined(HOSTLIB_PROVIDER_TABLE)
#error "define HOSTLIB_PROVIDER_MODULE_NAME and HOSTLIB_PROVIDER_TABLE"
#endif

extern const hostlib_lapack_lapack_table HOSTLIB_PROVIDER_TABLE;

/* one more level of expansion so that the -D values are substituted */
#define HOSTLIB_EXPAND_LAPACK_PROVIDER_(mod, table) HOSTLIB_LAPACK_LAPACK_PROVIDER_MODULE(mod, table)
HOSTLIB_EXPAND_LAPACK_PROVIDER_(HOSTLIB_PROVIDER_MODULE_NAME, HOSTLIB_PROVIDER_TABLE)
