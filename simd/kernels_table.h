/*
 * kernels_table.h -- a provider's table of hostlib's kernels interface, built
 * from the template kernels (the templates serve any interface: see
 * examples/third_party_interface; this file is the kernels interface's).
 *
 * Include it after a vector layer and level1.h. It defines the table as a
 * compile-time constant (no code runs to build it):
 *
 *     const hostlib_kernels_table SIMD_TABLE_NAME = { header, .<entry> = ..., ... };
 *
 * with one initializer per entry of the spec, expanded from the generated
 * hostlib_kernels_entries.h: kind level1 always, gemm when the layer
 * implements it, and each elementwise entry the templates define
 * SIMD_HAVE_<entry> for. A layer's kernel for entry E is SIMD_NAME(E)
 * (and SIMD_NAME(E_r) for its reproducible form).
 *
 * The including file may set, before the include:
 *   SIMD_TABLE_NAME      the table's (extern) name; default SIMD_NAME(table),
 *                        e.g. avx2_table
 *   SIMD_EXTRA_ENTRIES   more designated initializers for entries the layer
 *                        implements elsewhere, e.g. `.<entry> = my_kernel,`
 *   SIMD_REPRODUCIBLE_TABLE_NAME  the reproducible table's name (below);
 *                        default SIMD_NAME(reproducible_table)
 * The elementwise, gemm, level-2 and level-3 entries are listed when
 * simd/elementwise.h, simd/gemm.h, simd/level2.h or simd/level3.h, included
 * before, define SIMD_HAVE_ELEMENTWISE / _GEMM / _LEVEL2 / _LEVEL3 for the
 * current layer.
 * Entries nobody sets stay NULL: the host fills them from another table.
 *
 * The build passes the header fields (derived from the module's metadata):
 *   -DSIMD_PROVIDER_NAME='"avx2"' -DSIMD_PROVIDER_VERSION='"0.1.0"'
 *   -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_... bits)'
 */
#ifndef SIMD_KERNELS_TABLE_H
#define SIMD_KERNELS_TABLE_H

#include "hostlib_kernels_table.h"
#include "hostlib_kernels_entries.h"

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

/* .name = SIMD_NAME(name) for each entry of the spec (hostlib_kernels_entries.h) */
#define SIMD_TABLE_ENTRY(slot, name, ...) .name = SIMD_NAME(name),

/* The elementwise entries one by one: .name = SIMD_NAME(name) only if the
   layer's templates define SIMD_HAVE_<name> as SIMD_YES (elementwise.h and
   its function groups do, next to each kernel), so a function not yet
   written for the layers stays NULL. SIMD_HAS(name) is 1 or 0 by the usual
   probe: SIMD_YES expands to two arguments and shifts a 1 into place, an
   undefined SIMD_HAVE_<name> is one argument and leaves the 0. */
#define SIMD_YES ~, 1
#define SIMD_SECOND_(a, b, ...) b
#define SIMD_SECOND(...) SIMD_SECOND_(__VA_ARGS__)
#define SIMD_HAS(name) SIMD_SECOND(SIMD_HAVE_##name, 0, ~)
#define SIMD_CAT_(a, b) a##b
#define SIMD_CAT(a, b) SIMD_CAT_(a, b)
#define SIMD_WHEN_0(...)
#define SIMD_WHEN_1(...) __VA_ARGS__
#define SIMD_WHEN(cond) SIMD_CAT(SIMD_WHEN_, cond)
#define SIMD_TABLE_ENTRY_IF_HAVE(slot, name, ...) SIMD_WHEN(SIMD_HAS(name))(.name = SIMD_NAME(name),)
#define SIMD_REPRODUCIBLE_ENTRY(slot, name, ...) .name = SIMD_NAME(name##_r),

const hostlib_kernels_table SIMD_TABLE_NAME = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    HOSTLIB_KERNELS_KIND_LEVEL1(SIMD_TABLE_ENTRY)
#ifdef SIMD_HAVE_ELEMENTWISE /* simd/elementwise.h implements them for this layer */
    HOSTLIB_KERNELS_KIND_ELEMENTWISE(SIMD_TABLE_ENTRY_IF_HAVE)
#endif
#ifdef SIMD_HAVE_GEMM /* simd/gemm.h implements it for this layer */
    HOSTLIB_KERNELS_KIND_GEMM(SIMD_TABLE_ENTRY)
#endif
#if defined(SIMD_HAVE_LEVEL2) && !defined(SIMD_BLAS_INTERNAL) /* simd/level2.h: gemv, ger, trsv */
    HOSTLIB_KERNELS_KIND_LEVEL2(SIMD_TABLE_ENTRY)
#endif
#if defined(SIMD_HAVE_LEVEL3) && !defined(SIMD_BLAS_INTERNAL) /* simd/level3.h: trsm, syrk, complex gemm, herk */
    HOSTLIB_KERNELS_KIND_LEVEL3(SIMD_TABLE_ENTRY)
#endif
    SIMD_EXTRA_ENTRIES
};

#ifdef SIMD_HAVE_REPRODUCIBLE
/* The same provider's reproducible reductions (level1.h's fixed order,
   which every layer reproduces bit for bit): what the host serves for the
   entries the spec marks reproducible in reproducible mode. The module
   exports it as the capsule _C_API_REPRODUCIBLE
   (HOSTLIB_PROVIDER_MODULE_REPRODUCIBLE in hostlib_provider.h); a module
   without one is simply not used for those entries in that mode. */
#ifndef SIMD_REPRODUCIBLE_TABLE_NAME
#define SIMD_REPRODUCIBLE_TABLE_NAME SIMD_NAME(reproducible_table)
#endif
extern const hostlib_kernels_table SIMD_REPRODUCIBLE_TABLE_NAME;

const hostlib_kernels_table SIMD_REPRODUCIBLE_TABLE_NAME = {
    HOSTLIB_KERNELS_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    HOSTLIB_KERNELS_REPRODUCIBLE_ENTRIES(SIMD_REPRODUCIBLE_ENTRY)
};
#endif

#undef SIMD_TABLE_ENTRY
#undef SIMD_TABLE_ENTRY_IF_HAVE
#undef SIMD_REPRODUCIBLE_ENTRY

#endif /* SIMD_KERNELS_TABLE_H */
