/*
 * sigproc's filter kernels, written once over hostlib's vector layer
 * (hostlib.get_include()/simd) and compiled once per target by meson.build,
 * each time with the flags of that provider's declared FEATURES:
 *
 *   portable  vec_scalar.h  (no flags)      -> scalar_filters_table
 *   sse2      vec_sse2.h    -msse2 ...      -> sse2_filters_table
 *   avx2      vec_avx2.h    -mavx2 -mfma ...-> avx2_filters_table
 *
 * The build passes -DSIGPROC_VEC_LAYER='"vec_avx2.h"', the table's header
 * fields (-DSIGPROC_PROVIDER_NAME, -DSIGPROC_PROVIDER_VERSION) and
 * -DSIMD_PROVIDER_FEATURES, the bits `hostlib.generate bits --module` derives
 * from the same FEATURES tuple; declared_features.h proves at compile time
 * that they cover the layer and every -m flag in effect. Only pointers,
 * counts and scalars cross the table; vector types stay in this file.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "sigproc_filters_table.h"

#if !defined(SIGPROC_VEC_LAYER) || !defined(SIGPROC_PROVIDER_NAME) || !defined(SIGPROC_PROVIDER_VERSION)
#error "the build passes SIGPROC_VEC_LAYER, SIGPROC_PROVIDER_NAME and SIGPROC_PROVIDER_VERSION"
#endif
#include SIGPROC_VEC_LAYER
#include "layer_api.h"
#include "declared_features.h"

#define LANES ((ptrdiff_t)VF64_LANES)

/* FIR: y[i] = sum over k of h[k] x[i + K-1 - k]. Every output is summed in
   the same order (k = 0, 1, ...) with the layer's fused or unfused
   multiply-add, in the vector body and in the scalar tail alike (sf64_fma
   rounds like vf64_fma), so an output's value does not depend on n or on
   where it falls. Four vectors of outputs share each broadcast tap: four
   independent FMA chains hide the FMA latency. In place (y == x) works:
   an output is stored only after every input it and the outputs before it
   read, and later outputs read later inputs only. */
static int SIMD_NAME(fir)(const sigproc_fir_taps *h, ptrdiff_t n, const double *x, double *y)
{
    if (h == NULL || h->taps == NULL || h->ntaps < 1 || n < 0 || (n > 0 && (x == NULL || y == NULL))) {
        return SIGPROC_EINVAL;
    }
    const double *t = h->taps;
    const ptrdiff_t ntaps = h->ntaps;
    const double *xe = x + (ntaps - 1); /* y[i] = sum_k t[k] xe[i - k] */
    ptrdiff_t i = 0;
    for (; i + 4 * LANES <= n; i += 4 * LANES) {
        VF64 s0 = vf64_zero(), s1 = vf64_zero(), s2 = vf64_zero(), s3 = vf64_zero();
        for (ptrdiff_t k = 0; k < ntaps; k++) {
            const VF64 c = vf64_set1(t[k]);
            const double *p = xe + i - k;
            s0 = vf64_fma(c, vf64_loadu(p), s0);
            s1 = vf64_fma(c, vf64_loadu(p + LANES), s1);
            s2 = vf64_fma(c, vf64_loadu(p + 2 * LANES), s2);
            s3 = vf64_fma(c, vf64_loadu(p + 3 * LANES), s3);
        }
        vf64_storeu(y + i, s0);
        vf64_storeu(y + i + LANES, s1);
        vf64_storeu(y + i + 2 * LANES, s2);
        vf64_storeu(y + i + 3 * LANES, s3);
    }
    for (; i + LANES <= n; i += LANES) {
        VF64 s = vf64_zero();
        for (ptrdiff_t k = 0; k < ntaps; k++) {
            s = vf64_fma(vf64_set1(t[k]), vf64_loadu(xe + i - k), s);
        }
        vf64_storeu(y + i, s);
    }
    for (; i < n; i++) {
        double s = 0.0;
        for (ptrdiff_t k = 0; k < ntaps; k++) {
            s = sf64_fma(t[k], xe[i - k], s);
        }
        y[i] = s;
    }
    return SIGPROC_OK;
}

/* Biquad, direct form I, in blocks. The feedforward part
   v[j] = b0 x[j] + b1 x[j-1] + b2 x[j-2] has no dependence between
   outputs and is computed a vector at a time; the feedback part
   y[j] = v[j] - a1 y[j-1] - a2 y[j-2] is a recurrence, each output waiting
   for the previous one, and stays scalar (its latency, two dependent
   multiply-adds per sample, bounds the speed of any single-signal IIR
   filter). The block's inputs are copied behind the two previous ones
   first, which also makes y == x safe. */
enum { BIQUAD_BLOCK = 256 };

static int SIMD_NAME(biquad)(const sigproc_biquad_coeffs *c, ptrdiff_t n, const double *x, double *y,
                             double *state)
{
    if (c == NULL || state == NULL || n < 0 || (n > 0 && (x == NULL || y == NULL))) {
        return SIGPROC_EINVAL;
    }
    const double b0 = c->b0, b1 = c->b1, b2 = c->b2, a1 = c->a1, a2 = c->a2;
    if (!(isfinite(b0) && isfinite(b1) && isfinite(b2) && isfinite(a1) && isfinite(a2))) {
        return SIGPROC_EUNSTABLE;
    }
    /* both poles strictly inside the unit circle: the stability triangle */
    if (!(fabs(a2) < 1.0 && fabs(a1) < 1.0 + a2)) {
        return SIGPROC_EUNSTABLE;
    }
    double xb[BIQUAD_BLOCK + 2], v[BIQUAD_BLOCK];
    double x1 = state[0], x2 = state[1], y1 = state[2], y2 = state[3];
    const VF64 vb0 = vf64_set1(b0), vb1 = vf64_set1(b1), vb2 = vf64_set1(b2);
    for (ptrdiff_t i0 = 0; i0 < n; i0 += BIQUAD_BLOCK) {
        const ptrdiff_t m = n - i0 < BIQUAD_BLOCK ? n - i0 : BIQUAD_BLOCK;
        xb[0] = x2;
        xb[1] = x1;
        memcpy(xb + 2, x + i0, (size_t)m * sizeof(double));
        ptrdiff_t j = 0;
        for (; j + LANES <= m; j += LANES) {
            VF64 s = vf64_mul(vb2, vf64_loadu(xb + j));
            s = vf64_fma(vb1, vf64_loadu(xb + j + 1), s);
            vf64_storeu(v + j, vf64_fma(vb0, vf64_loadu(xb + j + 2), s));
        }
        for (; j < m; j++) {
            v[j] = sf64_fma(b0, xb[j + 2], sf64_fma(b1, xb[j + 1], b2 * xb[j]));
        }
        for (j = 0; j < m; j++) {
            const double yj = sf64_fma(-a2, y2, sf64_fma(-a1, y1, v[j]));
            y[i0 + j] = yj;
            y2 = y1;
            y1 = yj;
        }
        x2 = xb[m];
        x1 = xb[m + 1];
    }
    state[0] = x1;
    state[1] = x2;
    state[2] = y1;
    state[3] = y2;
    return SIGPROC_OK;
}

extern const sigproc_filters_table SIMD_NAME(filters_table);

const sigproc_filters_table SIMD_NAME(filters_table) = {
    SIGPROC_FILTERS_HEADER(SIGPROC_PROVIDER_NAME, SIGPROC_PROVIDER_VERSION, SIMD_PROVIDER_FEATURES),
    .biquad = SIMD_NAME(biquad),
    .fir = SIMD_NAME(fir),
};
