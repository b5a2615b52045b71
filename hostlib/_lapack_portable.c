/*
 * _lapack_portable.c -- the lapack interface's portable table,
 * scalar_lapack_table: complete, plain C11, the last fallback on every
 * platform. The real factorizations and solves are simd/lapack.h over the
 * one-lane scalar layer (the SIMD modules compile the same template); every
 * other slot holds the generated stub answering HOSTLIB_LAPACK_EUNAVAILABLE.
 * Its module init code is interface/lapack_provider_module.c.
 */
#define SIMD_LAPACK_PORTABLE
#include "vec_scalar.h"
#include "lapack.h"
#include "lapack_table.h"
