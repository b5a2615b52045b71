/*
 * Init code of the bundled modules serving the fft interface (baseline
 * flags only: the transforms are compiled elsewhere, with the module's ISA
 * flags). The build names the module and its table:
 *   -DHOSTLIB_PROVIDER_MODULE_NAME=_avx2_fft -DHOSTLIB_PROVIDER_TABLE=avx2_fft_table
 */
#define PY_SSIZE_T_CLEAN
#include "hostlib_fft_fft_provider.h"

#if !defined(HOSTLIB_PROVIDER_MODULE_NAME) || !defined(HOSTLIB_PROVIDER_TABLE)
#error "define HOSTLIB_PROVIDER_MODULE_NAME and HOSTLIB_PROVIDER_TABLE"
#endif

extern const hostlib_fft_fft_table HOSTLIB_PROVIDER_TABLE;

/* one more level of expansion so that the -D values are substituted */
#define HOSTLIB_EXPAND_FFT_PROVIDER_(mod, table) HOSTLIB_FFT_FFT_PROVIDER_MODULE(mod, table)
HOSTLIB_EXPAND_FFT_PROVIDER_(HOSTLIB_PROVIDER_MODULE_NAME, HOSTLIB_PROVIDER_TABLE)
