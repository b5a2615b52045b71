/*
 * A provider module's init code: exports one table of src/filters.c as the
 * capsule _C_API. Compiled with baseline flags, so that importing the
 * module runs no instruction its CPU may lack. The build names them:
 *   -DSIGPROC_MODULE=_avx2 -DSIGPROC_TABLE=avx2_filters_table
 */
#define PY_SSIZE_T_CLEAN
#include "sigproc_filters_provider.h"

#if !defined(SIGPROC_MODULE) || !defined(SIGPROC_TABLE)
#error "the build passes SIGPROC_MODULE and SIGPROC_TABLE"
#endif

extern const sigproc_filters_table SIGPROC_TABLE;

/* one more level of expansion, so that the -D values are substituted */
#define SIGPROC_PROVIDER_(mod, table) SIGPROC_FILTERS_PROVIDER_MODULE(mod, table)
SIGPROC_PROVIDER_(SIGPROC_MODULE, SIGPROC_TABLE)
