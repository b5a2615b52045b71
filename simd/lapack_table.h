/*
 * lapack_table.h -- a provider's table of hostlib's lapack interface, built
 * from the routines of simd/lapack.h for the vector layer included before
 * it, as a compile-time constant:
 *
 *     const hostlib_lapack_lapack_table SIMD_NAME(lapack_table) = { header, entries };
 *
 * The real factorizations and solves are native; what lapack.h does not
 * write (the complex ones, the eigensolvers, the SVD, least squares) is
 * left NULL here, so the host serves those entries from another provider
 * (the OpenBLAS wheel's LAPACK) or the portable table's stub, which
 * answers HOSTLIB_LAPACK_EUNAVAILABLE. The portable table
 * (hostlib/_lapack_portable.c) defines SIMD_LAPACK_PORTABLE to fill those
 * slots with the stubs: a portable table fills every slot.
 *
 * The build passes the header fields, as for the other tables:
 *   -DSIMD_PROVIDER_NAME='"avx2"' -DSIMD_PROVIDER_VERSION='"0.1.0"'
 *   -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_... bits)'
 */
#ifndef SIMD_LAPACK_TABLE_H
#define SIMD_LAPACK_TABLE_H

#ifdef SIMD_LAPACK_PORTABLE
#define HOSTLIB_LAPACK_LAPACK_DEFINE_UNAVAILABLE_STUBS
#endif
#include "hostlib_lapack_lapack_table.h"
#include "hostlib_lapack_lapack_entries.h"

#if !defined(SIMD_PROVIDER_NAME) || !defined(SIMD_PROVIDER_VERSION) || !defined(SIMD_PROVIDER_FEATURES)
#error "define SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION and SIMD_PROVIDER_FEATURES (the build passes them with -D)"
#endif
#ifndef SIMD_HAVE_LAPACK
#error "include lapack.h (after a vector layer) before lapack_table.h"
#endif

#include "declared_features.h"

extern const hostlib_lapack_lapack_table SIMD_NAME(lapack_table);

#define SIMD_LAPACK_NATIVE_(p)                          \
    .p##getrf = SIMD_NAME(lapack_##p##getrf),           \
    .p##getrs = SIMD_NAME(lapack_##p##getrs),           \
    .p##getri = SIMD_NAME(lapack_##p##getri),           \
    .p##potrf = SIMD_NAME(lapack_##p##potrf),           \
    .p##potrs = SIMD_NAME(lapack_##p##potrs),           \
    .p##geqrf = SIMD_NAME(lapack_##p##geqrf),           \
    .p##orgqr = SIMD_NAME(lapack_##p##orgqr),

#ifdef SIMD_LAPACK_PORTABLE
#define SIMD_LAPACK_STUB_(slot, name) .name = hostlib_lapack_##name##_unavailable,
#endif

const hostlib_lapack_lapack_table SIMD_NAME(lapack_table) = {
    HOSTLIB_LAPACK_LAPACK_HEADER(SIMD_PROVIDER_NAME, SIMD_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    SIMD_LAPACK_NATIVE_(s)
    SIMD_LAPACK_NATIVE_(d)
#ifdef SIMD_LAPACK_PORTABLE
    HOSTLIB_LAPACK_LAPACK_UNAVAILABLE_ENTRIES(SIMD_LAPACK_STUB_)
#endif
};

#endif /* SIMD_LAPACK_TABLE_H */
