/*
 * lapack.h -- LAPACK's factorizations and solves, written once over the
 * vector layer: getrf, getrs, getri, potrf, potrs, geqrf and orgqr in
 * float32 and float64 (column-major, LAPACK's conventions; see
 * interface/lapack.toml). Include it after exactly one vector layer; it
 * defines SIMD_HAVE_LAPACK and static SIMD_NAME(lapack_<s|d><routine>)
 * with the signatures of hostlib_lapack_<s|d><routine>_fn.
 *
 * NOT WRITTEN YET: every routine answers HOSTLIB_LAPACK_EUNAVAILABLE, so
 * callers fall back (hostlib's numpy patch to numpy's own loop).
 */
#ifndef SIMD_LAPACK_H
#define SIMD_LAPACK_H
#define SIMD_HAVE_LAPACK 1

#include <stddef.h>
#include "hostlib_lapack_lapack_table.h"

#define SIMD_LAPACK_TODO_(p, T)                                                                                    \
    static ptrdiff_t SIMD_NAME(lapack_##p##getrf)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, ptrdiff_t *ipiv)   \
    { (void)m; (void)n; (void)a; (void)lda; (void)ipiv; return HOSTLIB_LAPACK_EUNAVAILABLE; }                      \
    static ptrdiff_t SIMD_NAME(lapack_##p##getrs)(int trans, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                                  const ptrdiff_t *ipiv, T *b, ptrdiff_t ldb)                      \
    { (void)trans; (void)n; (void)nrhs; (void)a; (void)lda; (void)ipiv; (void)b; (void)ldb;                        \
      return HOSTLIB_LAPACK_EUNAVAILABLE; }                                                                        \
    static ptrdiff_t SIMD_NAME(lapack_##p##getri)(ptrdiff_t n, T *a, ptrdiff_t lda, const ptrdiff_t *ipiv)          \
    { (void)n; (void)a; (void)lda; (void)ipiv; return HOSTLIB_LAPACK_EUNAVAILABLE; }                               \
    static ptrdiff_t SIMD_NAME(lapack_##p##potrf)(int uplo, ptrdiff_t n, T *a, ptrdiff_t lda)                       \
    { (void)uplo; (void)n; (void)a; (void)lda; return HOSTLIB_LAPACK_EUNAVAILABLE; }                               \
    static ptrdiff_t SIMD_NAME(lapack_##p##potrs)(int uplo, ptrdiff_t n, ptrdiff_t nrhs, const T *a, ptrdiff_t lda, \
                                                  T *b, ptrdiff_t ldb)                                             \
    { (void)uplo; (void)n; (void)nrhs; (void)a; (void)lda; (void)b; (void)ldb; return HOSTLIB_LAPACK_EUNAVAILABLE; } \
    static ptrdiff_t SIMD_NAME(lapack_##p##geqrf)(ptrdiff_t m, ptrdiff_t n, T *a, ptrdiff_t lda, T *tau)            \
    { (void)m; (void)n; (void)a; (void)lda; (void)tau; return HOSTLIB_LAPACK_EUNAVAILABLE; }                       \
    static ptrdiff_t SIMD_NAME(lapack_##p##orgqr)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T *a, ptrdiff_t lda,       \
                                                  const T *tau)                                                    \
    { (void)m; (void)n; (void)k; (void)a; (void)lda; (void)tau; return HOSTLIB_LAPACK_EUNAVAILABLE; }

SIMD_LAPACK_TODO_(s, float)
SIMD_LAPACK_TODO_(d, double)

#endif /* SIMD_LAPACK_H */
