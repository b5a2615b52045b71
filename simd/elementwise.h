/*
 * elementwise.h -- exp, log, sqrt, sin, cos over strided arrays, written once
 * over the vector layer.
 *
 * Not written yet: SIMD_HAVE_ELEMENTWISE stays undefined, so the SIMD
 * tables leave these entries NULL and hostlib serves them from the portable
 * table (libm). The report shows this.
 */
#ifndef SIMD_ELEMENTWISE_H
#define SIMD_ELEMENTWISE_H
#endif
