/*
 * kernels_table.h -- a provider's table of hostlib's kernels interface, built
 * from the template kernels (the templates serve any interface: see
 * examples/third_party_interface; this file is the kernels interface's).
 *
 * Include it after a vector layer and level1.h. It defines the table as a
 * compile-time constant (no code runs to build it):
 *
 *     const hostlib_kernels_table SIMD_TABLE_NAME = { header, .saxpy = ..., ... };
 *
 * The including file may set, before the include:
 *   SIMD_TABLE_NAME      the table's (extern) name; default SIMD_NAME(table),
 *                        e.g. avx2_table
 *   SIMD_EXTRA_ENTRIES   more designated initializers for entries the layer
 *                        implements elsewhere, e.g. `.dexp = my_dexp, .sexp = ...`
 *   SIMD_REPRODUCIBLE_TABLE_NAME  the reproducible table's name (below);
 *                        default SIMD_NAME(reproducible_table)
 * The elementwise and gemm entries are listed when simd/elementwise.h or
 * simd/gemm.h, included before, define SIMD_HAVE_ELEMENTWISE / SIMD_HAVE_GEMM
 * for the current layer.
 * Entries nobody sets stay NULL: the host fills them from another table.
 *
 * The build passes the header fields (derived from the module's metadata):
 *   -DSIMD_PROVIDER_NAME='"avx2"' -DSIMD_PROVIDER_VERSION='"0.1.0"'
 *   -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_... bits)'
 */
#ifndef SIMD_KERNELS_TABLE_H
#define SIMD_KERNELS_TABLE_H

#include "hostlib_kernels_table.h"

#if !defined(SIMD_PROVIDER_NAME) || !defined(SIMD_PROVIDER_VERSION) || !defined(SIMD_PROVIDER_FEATURES)
#error "define SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION and SIMD_PROVIDER_FEATURES (the build passes them with -D)"
#endif

#ifndef SIMD_TABLE_NAME
#define SIMD_TABLE_NAME SIMD_NAME(table)
#endif
#ifndef SIMD_EXTRA_ENTRIES
#define SIMD_EXTRA_ENTRIES
#endif

#include "declared_features.h"

extern const hostlib_kernels_table SIMD_TABLE_NAME;

const hostlib_kernels_table SIMD_TABLE_NAME = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .saxpy = SIMD_NAME(saxpy),
    .daxpy = SIMD_NAME(daxpy),
    .sdot = SIMD_NAME(sdot),
    .ddot = SIMD_NAME(ddot),
    .sscal = SIMD_NAME(sscal),
    .dscal = SIMD_NAME(dscal),
    .sasum = SIMD_NAME(sasum),
    .dasum = SIMD_NAME(dasum),
    .snrm2 = SIMD_NAME(snrm2),
    .dnrm2 = SIMD_NAME(dnrm2),
    .ssum = SIMD_NAME(ssum),
    .dsum = SIMD_NAME(dsum),
#ifdef SIMD_HAVE_ELEMENTWISE /* simd/elementwise.h implements them for this layer */
    .sexp = SIMD_NAME(sexp),
    .dexp = SIMD_NAME(dexp),
    .slog = SIMD_NAME(slog),
    .dlog = SIMD_NAME(dlog),
    .ssqrt = SIMD_NAME(ssqrt),
    .dsqrt = SIMD_NAME(dsqrt),
    .ssin = SIMD_NAME(ssin),
    .dsin = SIMD_NAME(dsin),
    .scos = SIMD_NAME(scos),
    .dcos = SIMD_NAME(dcos),
#endif
#ifdef SIMD_HAVE_GEMM /* simd/gemm.h implements it for this layer */
    .sgemm = SIMD_NAME(sgemm),
    .dgemm = SIMD_NAME(dgemm),
#endif
    SIMD_EXTRA_ENTRIES
};

#ifdef SIMD_HAVE_REPRODUCIBLE
/* The same provider's reproducible reductions (level1.h's fixed order,
   which every layer reproduces bit for bit): what the host serves for
   sum, asum, dot and nrm2 in reproducible mode. The module exports it as
   the capsule _C_API_REPRODUCIBLE (HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE in
   hostlib_provider.h); a module without one is simply not used for those
   entries in that mode. */
#ifndef SIMD_REPRODUCIBLE_TABLE_NAME
#define SIMD_REPRODUCIBLE_TABLE_NAME SIMD_NAME(reproducible_table)
#endif
extern const hostlib_kernels_table SIMD_REPRODUCIBLE_TABLE_NAME;

const hostlib_kernels_table SIMD_REPRODUCIBLE_TABLE_NAME = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .sdot = SIMD_NAME(sdot_r),
    .ddot = SIMD_NAME(ddot_r),
    .sasum = SIMD_NAME(sasum_r),
    .dasum = SIMD_NAME(dasum_r),
    .snrm2 = SIMD_NAME(snrm2_r),
    .dnrm2 = SIMD_NAME(dnrm2_r),
    .ssum = SIMD_NAME(ssum_r),
    .dsum = SIMD_NAME(dsum_r),
};
#endif

#endif /* SIMD_KERNELS_TABLE_H */
