/*
 * gemm.h -- row-major gemm, cache-blocked with packed panels and a register-
 * blocked micro-kernel, written once over the vector layer.
 *
 * Not written yet: SIMD_HAVE_GEMM stays undefined, so the SIMD tables leave
 * sgemm/dgemm NULL and hostlib serves them from the portable table.
 */
#ifndef SIMD_GEMM_H
#define SIMD_GEMM_H
#endif
