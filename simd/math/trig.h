/*
 * math/trig.h -- tan, arctan, arctan2, arcsin, arccos: a function group of
 * elementwise.h (included there once per pass, with the pass's names and
 * the sin/cos reduction in scope). Constants: simd/math/trig.json, derived
 * by simd/math/trig.py.
 *
 * float64 (error analyses next to each kernel). float32 is computed by the
 * float64 kernels on widened halves and rounded once (EW_F32_VIA_F64): a
 * float64 result within 0.51 ULP rounds to the correctly rounded float32
 * but in ~2^-28 of cases; only the underflow of a subnormal float32
 * argument returned as the result needs a float32 fix-up (in float64 it
 * is a normal number, and the narrowing is exact).
 */

#define SIMD_HAVE_stan SIMD_YES
#define SIMD_HAVE_dtan SIMD_YES

#if EW_PASS == 1

/* -a */
EW_INLINE V EW_(tr_neg)(V a) { return V_(xor)(a, EW_(k)(-0.0)); }

/* p + *e = a b exactly (but ~2^-105 relative unfused; no overflow, and e
   is no subnormal where it is used). Unfused: Dekker's product with halves
   by bit masking (26 and 27 bits), as ew_two_prod. */
EW_INLINE V EW_(tr_two_prod)(V a, V b, V *e)
{
    const V p = V_(mul)(a, b);
#if SIMD_FMA_NATIVE
    *e = EW_(tr_neg)(V_(fnma)(a, b, p)); /* p - ab, exact */
#else
    const V m = V_(from_bits)(EW_(ki)(~(EW_UINT)0x7ffffff));
    const V ah = V_(and)(a, m), al = V_(sub)(a, ah), bh = V_(and)(b, m), bl = V_(sub)(b, bh);
    *e = V_(add)(V_(add)(V_(add)(V_(sub)(V_(mul)(ah, bh), p), V_(mul)(ah, bl)), V_(mul)(al, bh)), V_(mul)(al, bl));
#endif
    return p;
}

/* (nh + nl) / (dh + dl), |nl| <= ulp(nh), |dl| <= ulp(dh), to ~0.5 ULP + 2^-100 relative: one reciprocal, q0
   = nh/dh within an ULP, then q0 + (nh - q0 dh + nl - q0 dl)/dh: the
   residual's first difference is exact (two_prod, and Sterbenz), the
   correction is ~2^-52 of q0 and carries 2^-52 relative error. */
EW_INLINE V EW_(tr_div_dw)(V nh, V nl, V dh, V dl)
{
    const V inv = V_(div)(EW_(c)(EWC_ONE), dh);
    const V q0 = V_(mul)(nh, inv);
    V pe;
    const V p = EW_(tr_two_prod)(q0, dh, &pe);
    const V r = V_(fnma)(q0, dl, V_(add)(V_(sub)(V_(sub)(nh, p), pe), nl));
    return V_(fma)(r, inv, q0);
}

/* ---------------- tan ----------------
 * x = q pi/2 + rh + rl by the sin/cos reduction (its fast path, or its
 * slow path's exact reduction for huge x and x near a multiple of pi/2:
 * the pole's neighbourhood is thus computed from an accurate r). Then sin
 * r and cos r as double-words, tan x = s/c (q even) or -c/s (q odd) by
 * tr_div_dw, which keeps their relative errors and rounds once. The
 * polynomials of sin/cos, but their large terms carried exactly: z = rh^2
 * = z + zl (two_prod); sin r = rh + rh z (c0 + w) + rl with w = z S'(z)
 * (the rest of S: S(z) = c0 + w, c0 its constant coefficient, an exact
 * double, so the pair is exact but for w's rounding, 2^-60 of S), rh z
 * c0 exact as a pair (two products), the rest (rh z w ~ 0.001 sin r) in
 * one double: ~2^-62 relative. cos r = 1 - z/2 (exact as a pair: Fast2Sum),
 * plus z^2 C(z) - rh rl - zl/2, whose few roundings (z^2 C <= 0.016) give
 * ~2^-57 of cos r. Measured: see the report in trig.py's docstring. */
EW_INLINE V EW_(tan_poly)(V rh, V rl, VI qi)
{
    const V one = EW_(c)(EWC_ONE), half = EW_(c)(EWC_HALF);
    V zl, al, e1;
    const V z = EW_(tr_two_prod)(rh, rh, &zl);
    /* a = rh z: ah + al, with rh zl folded into al */
    const V ah = EW_(tr_two_prod)(rh, z, &al);
    al = V_(fma)(rh, zl, al);
    /* S(z) = c0 + w */
    const V c0 = V_(load_const)(EWA(sin_s)[0]);
    const V w = V_(mul)(z, EW_(horner)(z, EWA(sin_s) + 1, EW_NCOEF(EWA(sin_s)) - 1));
    const V p1 = EW_(tr_two_prod)(ah, c0, &e1);
    /* sin r = (rh + p1) + (e1 + al c0 + ah w + rl), the first sum by Fast2Sum */
    const V s1 = V_(add)(rh, p1);
    const V t1 = V_(sub)(p1, V_(sub)(s1, rh));
    /* sin(rh + rl) = sin rh + rl cos rh: rl (1 - z/2), as rl is up to half
       an ULP of rh and its factor's 1 - cos rh up to 0.3 */
    const V rc = V_(fnma)(V_(mul)(rl, half), z, rl);
    const V s2 = V_(add)(t1, V_(add)(V_(fma)(al, c0, e1), V_(fma)(ah, w, rc)));
    /* renormalised (s2 reaches ~0.001 s1): Fast2Sum */
    const V sh = V_(add)(s1, s2);
    const V sl = V_(sub)(s2, V_(sub)(sh, s1));
    const V hz = V_(mul)(z, half);
    const V ch = V_(sub)(one, hz);
    const V ct = V_(fnma)(zl, half, V_(fnma)(s1, rl, V_(mul)(V_(mul)(z, z), EW_(horner)(z, EWA(cos_c), EW_NCOEF(EWA(cos_c))))));
    const V c1 = V_(add)(V_(sub)(V_(sub)(one, ch), hz), ct);
    /* renormalised (tr_div_dw needs |cl| <= ulp(ch)): Fast2Sum */
    const V cr = V_(add)(ch, c1);
    const V cl = V_(sub)(c1, V_(sub)(cr, ch));
    /* q odd: -c/s; the sign bit of odd is q's low bit */
    const V odd = V_(from_bits)(VI_(slli)(qi, EW_BITS - 1));
    const V t = EW_(tr_div_dw)(V_(select_sign)(odd, cr, sh), V_(select_sign)(odd, cl, sl),
                               V_(select_sign)(odd, sh, cr), V_(select_sign)(odd, sl, cl));
    return V_(xor)(t, odd);
}

EW_NOINLINE V EW_(tan_slow)(V x)
{
    const V ax = V_(abs)(x);
    const VM nonfinite = V_(nle)(ax, EW_(k)(EW_TMAX)); /* inf, nan */
    const VM tiny = V_(lt)(ax, EW_(k)(EWK(TRIG_TINY)));
    V rh, rl;
    const VI qi = EW_(trig_reduce_slow)(x, 0, tiny, &rh, &rl);
    V y = EW_(tan_poly)(rh, rl, qi);
    /* tiny x: tan x = x + x^3/3 rounds to x; a subnormal x raises
       underflow (x*2^-60 underflows to 0 there, is 0 elsewhere) */
    const V xsub = V_(zero_unless)(V_(lt)(ax, EW_(k)(EW_TMIN)), x);
    y = V_(select)(tiny, V_(add)(x, V_(mul)(xsub, EW_(k)(0x1p-60))), y);
    /* inf: inf - inf = nan, raising invalid; nan stays, quietly */
    return V_(select)(nonfinite, V_(sub)(x, x), y);
}

EW_INLINE V EW_(tan_v)(V x)
{
    const VI ax = EW_(abs_bits)(x);
    if (!EW_(any_outside)(ax, EW_(bits)(EWK(TRIG_TINY)), EW_(bits)(EW_TRIG_MAX))) {
        V rh, rl;
        const VI qi = EW_(trig_reduce)(x, 0, &rh, &rl);
        if (!EW_UNLIKELY(EW_(any_igt)(EW_(ki)(EW_(bits)(EWK(TRIG_RMIN))), EW_(abs_bits)(rh)))) {
            return EW_(tan_poly)(rh, rl, qi);
        }
    }
    return EW_(tan_slow)(x);
}

#else /* EW_PASS == 2 */

/* A subnormal float32 x whose function value rounds to x itself (f(x) = x
   + O(x^3)): the float64 kernel returns x exactly, so the narrowing raises
   nothing; IEEE (and glibc) raise underflow for the tiny inexact result.
   x + x*2^-60 does, in those lanes only (elsewhere it is x + 0, unused). */
EW_INLINE VF32 ew_f32_tr_subnormal(VF32 x, VF32 y)
{
    const VM32 sub = vf32_lt(vf32_abs(x), ew_f32_k(FLT_MIN));
    if (EW_UNLIKELY(vm32_any(sub))) {
        y = vf32_select(sub, vf32_add(x, vf32_mul(vf32_zero_unless(sub, x), ew_f32_k(0x1p-60f))), y);
    }
    return y;
}

EW_INLINE VF32 ew_f32_tan_v(VF32 x) { return ew_f32_tr_subnormal(x, EW_F32_VIA_F64(ew_f64_tan_v, x)); }

#endif

EW_DEFINE_MAP(tan, EW_(tan_v))
