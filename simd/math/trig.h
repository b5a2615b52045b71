/*
 * math/trig.h -- tan, arctan, arctan2, arcsin, arccos: a function group of
 * elementwise.h (included there once per pass, with the pass's names and
 * the sin/cos section in scope: tan shares its reduction, slow path and
 * double-word sin/cos). Constants: simd/math/trig.json, derived by
 * simd/math/trig.py.
 *
 * float64: every kernel carries its large terms as exact double-words and
 * rounds once at the end (error analyses next to each kernel). Measured
 * against mpmath (20k random arguments per range, every layer): tan 0.509
 * ULP max, <= 0.17% not correctly rounded ([-4, 4], [-1e4, 1e4], huge,
 * next to poles); arctan 0.5000, arctan2 0.5003 (<= 0.005%); arcsin 0.522
 * (0.36%), arccos 0.521 (0.17%).
 *
 * float32: computed in float64 on widened halves and rounded once. A
 * float32 result needs only ~2^-40 before that rounding, so the common
 * vectors take short float64 paths (the same reductions, tables and
 * polynomials without the double-words); vectors with a rare lane
 * (huge, inf, nan, out of the domain) take the float64 kernels
 * (EW_F32_VIA_F64), whose results within 0.51 ULP round correctly but in
 * ~2^-28 of cases. Measured: 0.5000 ULP, no result not correctly rounded
 * in the samples. A subnormal float32 argument returned as the result (tan,
 * arctan, arcsin of tiny x; arctan2's tiny y/x) raises underflow in
 * float32 (ew_f32_tr_subnormal): in float64 it is a normal number, exact.
 *
 * Special values follow C99 Annex F and numpy: tan(+-inf), arcsin/arccos
 * outside [-1, 1] give nan raising invalid; odd functions keep -0;
 * arccos(1) = +0; arctan2's zeros and infinities as atan2 (+-pi, +-pi/2,
 * +-pi/4, +-3pi/4, +-0). NaN inputs give NaN and raise nothing.
 */

#define SIMD_HAVE_stan SIMD_YES
#define SIMD_HAVE_dtan SIMD_YES
#define SIMD_HAVE_sarctan SIMD_YES
#define SIMD_HAVE_darctan SIMD_YES
#define SIMD_HAVE_sarctan2 SIMD_YES
#define SIMD_HAVE_darctan2 SIMD_YES
#define SIMD_HAVE_sarcsin SIMD_YES
#define SIMD_HAVE_darcsin SIMD_YES
#define SIMD_HAVE_sarccos SIMD_YES
#define SIMD_HAVE_darccos SIMD_YES

#if EW_PASS == 1

/* tr_neg, two_prod and trig_sincos_dw: in elementwise.h's sin/cos
   section */

/* (nh + nl) / (dh + dl), |nl| <= ulp(nh), |dl| <= ulp(dh), rounded once
   (+ ~2^-100 relative): one reciprocal, q0 = nh/dh within an ULP, then q0
   + (nh - q0 dh + nl - q0 dl)/dh: the residual's first difference is
   exact (two_prod, and Sterbenz), the correction is ~2^-52 of q0 and
   carries 2^-52 relative error. */
EW_INLINE V EW_(tr_div_dw)(V nh, V nl, V dh, V dl)
{
    const V inv = V_(div)(EW_(c)(EWC_ONE), dh);
    const V q0 = V_(mul)(nh, inv);
    V pe;
    const V p = EW_(two_prod)(q0, dh, &pe);
    const V r = V_(fnma)(q0, dl, V_(add)(V_(sub)(V_(sub)(nh, p), pe), nl));
    return V_(fma)(r, inv, q0);
}

/* The same quotient as a double-word qh + *ql (|ql| <= ulp(qh)): the
   correction is kept apart instead of rounded into q0. */
EW_INLINE V EW_(tr_div_dw2)(V nh, V nl, V dh, V dl, V *ql)
{
    const V inv = V_(div)(EW_(c)(EWC_ONE), dh);
    const V q0 = V_(mul)(nh, inv);
    V pe;
    const V p = EW_(two_prod)(q0, dh, &pe);
    const V corr = V_(mul)(V_(fnma)(q0, dl, V_(add)(V_(sub)(V_(sub)(nh, p), pe), nl)), inv);
    const V qh = V_(add)(q0, corr);
    *ql = V_(sub)(corr, V_(sub)(qh, q0));
    return qh;
}

/* ---------------- tan ----------------
 * x = q pi/2 + rh + rl by the sin/cos reduction (its fast path, or its
 * slow path's exact reduction for huge x and x near a multiple of pi/2:
 * the pole's neighbourhood is thus computed from an accurate r). Then sin
 * r and cos r as double-words (trig_sincos_dw, ~2^-62 relative), and tan
 * x = s/c (q even) or -c/s (q odd) by tr_div_dw, which keeps their
 * relative errors and rounds once. */
EW_INLINE V EW_(tan_poly)(V rh, V rl, VI qi)
{
    V sh, sl, cr, cl;
    EW_(trig_sincos_dw)(rh, rl, &sh, &sl, &cr, &cl);
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

/* ---------------- arctan, arctan2 ----------------
 * atan2(y, x) for |y|, |x| in the fast range: with a = min(|y|, |x|), b =
 * max, t = a/b in [0, 1] (rounded: it only picks the table entry) and c =
 * j/16 the grid point nearest t, atan(a/b) = atan c + atan u with u = (a -
 * c b)/(b + c a), |u| <= 1/32. The numerator is exact as a pair (c b by
 * two_prod; a - c b by Sterbenz, as c b is within a factor 2 of a when c
 * >= 1/16), the denominator too (b >= c a: Fast2Sum), and u = uh + ul
 * from their quotient (tr_div_dw2) to ~2^-100. atan u = uh + (ul + uh z
 * P(z)), minimax P (2^-70). The quadrant comes with the table entry: one of
 * atan c, pi/2 - atan c (|y| > |x|), pi - atan c (x < 0), pi/2 + atan c
 * (both), each as hi + lo, and u's sign flipped for the middle two. The
 * result: A_hi + uh exactly by Fast2Sum (|A_hi| >= 1/16 > |uh|, or A = 0),
 * then the small terms (all below 2^-15 of the result) in one sum, and
 * one final rounding: 0.5 ULP + ~2^-60 relative. The sign of y last.
 * arctan x is atan2(|x|, 1), by a simpler copy of the core (atan1_core). */
EW_INLINE V EW_(atan_core)(V ay, V ax, V xsign)
{
    const V negz = EW_(k)(-0.0);
    const VM big = V_(lt)(ax, ay);
    const V a = V_(select)(big, ax, ay), b = V_(select)(big, ay, ax);
    const V magic = EW_(c)(EWC_MAGIC);
    const V tj = V_(fma)(V_(div)(a, b), EW_(k)(EW_F64_ATAN_N), magic); /* j + 1.5*2^52 */
    const V c = V_(mul)(V_(sub)(tj, magic), EW_(k)(1.0 / EW_F64_ATAN_N));
    /* table row j + 17 (big + 2 xneg) */
    const V rows = V_(select)(big, EW_(k)(0x1p-1074 * (EW_F64_ATAN_N + 1)), V_(zero)());
    const V rowx = V_(select_sign)(xsign, EW_(k)(0x1p-1074 * 2 * (EW_F64_ATAN_N + 1)), V_(zero)());
    const VI idx = VI_(add)(VI_(and)(V_(as_bits)(tj), EW_(ki)(31)), VI_(add)(V_(as_bits)(rows), V_(as_bits)(rowx)));
    /* u = (a - c b) / (b + c a) */
    V pl, ql;
    const V p = EW_(two_prod)(c, b, &pl);
    const V q = EW_(two_prod)(c, a, &ql);
    const V n1 = V_(sub)(a, p);
    const V nh = V_(sub)(n1, pl); /* |n1| >= |pl| or n1 = 0: Fast2Sum */
    const V nl = V_(sub)(V_(sub)(n1, nh), pl);
    const V dh = V_(add)(b, q);
    const V dl = V_(add)(V_(sub)(q, V_(sub)(dh, b)), ql);
    V ul;
    V uh = EW_(tr_div_dw2)(nh, nl, dh, dl, &ul);
    const V z = V_(mul)(uh, uh);
    V tail = V_(fma)(V_(mul)(uh, z), EW_(horner)(z, EWA(atan_p), EW_NCOEF(EWA(atan_p))), ul);
    /* -u for pi/2 - atan c and pi - atan c */
    const V usign = V_(xor)(V_(and)(xsign, negz), V_(zero_unless)(big, negz));
    uh = V_(xor)(uh, usign);
    tail = V_(xor)(tail, usign);
    const V ah = vf64_lookup(EWA(atan_tab_hi), idx), al = vf64_lookup(EWA(atan_tab_lo), idx);
    const V s = V_(add)(ah, uh);
    const V e = V_(sub)(uh, V_(sub)(s, ah));
    return V_(add)(s, V_(add)(e, V_(add)(al, tail)));
}

/* arctan's own core, ax = |x| in its fast range: atan_core with (a, b) =
   (ax, 1) or (1, ax) (ax > 1), where one exact product c ax serves both
   the numerator and the denominator: ax <= 1: u = (ax - c)/(1 + c ax),
   ax - c exact as in atan_core, 1 + c ax by Fast2Sum (c ax <= 1); ax > 1:
   u = (1 - c ax)/(ax + c), 1 - c ax exact by Sterbenz (c ax in [2/3, 2]
   for c >= 1/16), ax + c by Fast2Sum. The rest as atan_core (no x < 0
   rows: arctan is odd). */
EW_INLINE V EW_(atan1_core)(V ax)
{
    const V one = EW_(c)(EWC_ONE), magic = EW_(c)(EWC_MAGIC);
    const VM big = V_(lt)(one, ax);
    const V tj = V_(fma)(V_(select)(big, V_(div)(one, ax), ax), EW_(k)(EW_F64_ATAN_N), magic);
    const V c = V_(mul)(V_(sub)(tj, magic), EW_(k)(1.0 / EW_F64_ATAN_N));
    const V rows = V_(select)(big, EW_(k)(0x1p-1074 * (EW_F64_ATAN_N + 1)), V_(zero)());
    const VI idx = VI_(add)(VI_(and)(V_(as_bits)(tj), EW_(ki)(31)), V_(as_bits)(rows));
    V pl;
    const V p = EW_(two_prod)(c, ax, &pl);
    /* numerator n1 - (pl if big), exact, renormalised by Fast2Sum */
    const V n1 = V_(select)(big, V_(sub)(one, p), V_(sub)(ax, c));
    const V m1 = V_(zero_unless)(big, pl);
    const V nh = V_(sub)(n1, m1);
    const V nl = V_(sub)(V_(sub)(n1, nh), m1);
    /* denominator: (ax + c) if big, else (1 + p) + pl */
    const V da = V_(select)(big, ax, one), db = V_(select)(big, c, p);
    const V dh = V_(add)(da, db);
    const V dl = V_(add)(V_(sub)(db, V_(sub)(dh, da)), V_(zero_if)(big, pl));
    V ul;
    V uh = EW_(tr_div_dw2)(nh, nl, dh, dl, &ul);
    const V z = V_(mul)(uh, uh);
    V tail = V_(fma)(V_(mul)(uh, z), EW_(horner)(z, EWA(atan_p), EW_NCOEF(EWA(atan_p))), ul);
    /* pi/2 - atan c - u for ax > 1 */
    const V usign = V_(zero_unless)(big, EW_(k)(-0.0));
    uh = V_(xor)(uh, usign);
    tail = V_(xor)(tail, usign);
    const V ah = vf64_lookup(EWA(atan_tab_hi), idx), al = vf64_lookup(EWA(atan_tab_lo), idx);
    const V s = V_(add)(ah, uh);
    const V e = V_(sub)(uh, V_(sub)(s, ah));
    return V_(add)(s, V_(add)(e, V_(add)(al, tail)));
}

/* the fast range of both arguments: 2^-100 <= |v| <= 2^100, where t, u,
   u^3 and the products' errors stay normal and b + c a finite */
#define EW_ATAN2_LO 0x1p-100
#define EW_ATAN2_HI 0x1p100
/* arctan's: t = min(|x|, 1/|x|) >= 2^-300 */
#define EW_ATAN_LO 0x1p-300
#define EW_ATAN_HI 0x1p300

EW_NOINLINE V EW_(atan_slow)(V x)
{
    const V ax = V_(abs)(x);
    const VM tiny = V_(lt)(ax, EW_(k)(EW_ATAN_LO));
    const VM huge = V_(nle)(ax, EW_(k)(EW_ATAN_HI)); /* and nan */
    const V y = EW_(atan1_core)(V_(select)(VM_(or)(tiny, huge), EW_(c)(EWC_ONE), ax));
    V r = V_(xor)(V_(select)(huge, EW_(k)(EW_PIO2_DD_HI), y), V_(and)(x, EW_(k)(-0.0)));
    /* tiny: atan x = x - x^3/3 rounds to x; a subnormal raises underflow
       (x + x 2^-60: -0 stays -0) */
    const V xsub = V_(zero_unless)(V_(lt)(ax, EW_(k)(EW_TMIN)), x);
    r = V_(select)(tiny, V_(add)(x, V_(mul)(xsub, EW_(k)(0x1p-60))), r);
    return V_(select)(V_(isnan)(x), x, r);
}

EW_INLINE V EW_(arctan_v)(V x)
{
    if (EW_UNLIKELY(EW_(any_outside)(EW_(abs_bits)(x), EW_(bits)(EW_ATAN_LO), EW_(bits)(EW_ATAN_HI)))) {
        return EW_(atan_slow)(x);
    }
    return V_(xor)(EW_(atan1_core)(V_(abs)(x)), V_(and)(x, EW_(k)(-0.0)));
}

/* Vectors with a lane outside the fast range, prepared lane by lane (rare
   data): NaN lanes give y + x; infinities and zeros become the (y, x)
   pair of magnitude 0/1, 1/1 or 1/0 that gives the C99 (Annex F) result
   through the same core (0, pi/4, pi/2 before the quadrant: atan2(+-0,
   -0) = +-pi, atan2(+-inf, -inf) = +-3pi/4, ...); finite pairs whose ratio
   is beyond 2^+-200 become 1/0 (pi/2) or 0/1 (0 or pi, the result rounded
   as such), or, x > 0 and |y/x| tiny, the result y/x itself (rounded, and
   raising underflow if subnormal: atan2 is never exact there); the others
   are scaled by a power of two (exact) into the fast range. */
EW_NOINLINE V EW_(atan2_slow)(V y, V x)
{
    T ya[LANES], xa[LANES], yb[LANES], xb[LANES], ov[LANES], om[LANES];
    V_(storeu)(ya, y);
    V_(storeu)(xa, x);
    for (int k = 0; k < LANES; k++) {
        const double yy = ya[k], xx = xa[k], ay = fabs(yy), ax = fabs(xx);
        double b1 = 0, b0 = 1; /* |y|, |x| for the core */
        om[k] = 0;
        ov[k] = 0;
        if (isnan(yy) || isnan(xx)) {
            ov[k] = yy + xx;
            om[k] = 1;
        } else if (isinf(ay) || isinf(ax)) {
            b1 = isinf(ay);
            b0 = isinf(ax);
        } else if (ay == 0 || ax == 0) {
            b1 = ay != 0;
            b0 = ay == 0;
        } else {
            int ey, ex;
            (void)frexp(ay, &ey);
            (void)frexp(ax, &ex);
            if (ey - ex > 200) {
                b1 = 1, b0 = 0;
            } else if (ex - ey > 200) {
                if (!signbit(xx)) {
                    double t = ay / ax;
                    if (t < DBL_MIN) {
                        volatile double m = DBL_MIN;
                        m = m * m; /* underflow, inexact */
                        (void)m;
                    }
                    ov[k] = copysign(t, yy);
                    om[k] = 1;
                }
            } else {
                const int m = ey > ex ? ey : ex;
                b1 = ldexp(ay, -m);
                b0 = ldexp(ax, -m);
            }
        }
        yb[k] = b1;
        xb[k] = b0;
    }
    const V r = V_(xor)(EW_(atan_core)(V_(loadu)(yb), V_(loadu)(xb), x), V_(and)(y, EW_(k)(-0.0)));
    return V_(select)(V_(eq)(V_(loadu)(om), EW_(c)(EWC_ONE)), V_(loadu)(ov), r);
}

EW_INLINE V EW_(arctan2_v)(V y, V x)
{
    const VI lo = EW_(ki)(EW_SIGNBIT - EW_(bits)(EW_ATAN2_LO));
    const VI span = EW_(ki)(EW_SIGNBIT + (EW_(bits)(EW_ATAN2_HI) - EW_(bits)(EW_ATAN2_LO)));
    const VM out = VM_(or)(EW_IGT(VI_(add)(EW_(abs_bits)(y), lo), span), EW_IGT(VI_(add)(EW_(abs_bits)(x), lo), span));
    if (EW_UNLIKELY(VM_(any)(out))) {
        return EW_(atan2_slow)(y, x);
    }
    return V_(xor)(EW_(atan_core)(V_(abs)(y), V_(abs)(x), x), V_(and)(y, EW_(k)(-0.0)));
}

/* ---------------- arcsin, arccos ----------------
 * asin v = v + v z P(z), z = v^2, minimax P on z in [0, 1/4] (2^-63.8),
 * for v = |x| <= 1/2 (z = x^2 rounded), and for |x| > 1/2 v = s =
 * sqrt(zz), zz = (1 - |x|)/2 exact (Sterbenz, then a halving), with s =
 * sh + sl a double-word (the residual zz - sh^2 exact by two_prod) and z
 * = zz exact: asin|x| = pi/2 - 2 asin s. Every case is then A + m (v + w),
 * w = v z P + sl, m in {1, -1, 2, -2}, A in {0, pi/2, pi} (hi + lo):
 *   asin: |x| <= 1/2  0 + v;       beyond  pi/2 - 2 asin s
 *   acos: |x| <= 1/2  pi/2 -+ v;   x > 1/2  0 + 2 asin s;   x < -1/2  pi - 2 asin s
 * (asin's sign is x's, applied last). A_hi + m v exactly by Fast2Sum (A
 * = 0, or |A_hi| >= pi/2 >= |m v|), the rest (m w, under 0.05 of the
 * result, and A_lo) in a few sums, one final rounding. v z P (up to 0.047
 * v) is carried as p1 + w: p1 = v z c0 rounded (c0 = P(0), an exact
 * double) with its error and z = x^2's kept in w, and p1 added exactly
 * too (Fast2Sum): only w's roundings (~0.005 v) remain, ~2^-60 relative.
 * (Rounding p1's sum, 2^-54 of 0.047 v, left 1.2% of asin's results not
 * correctly rounded.) */
EW_INLINE V EW_(asin_core)(V x, int acos)
{
    const V one = EW_(c)(EWC_ONE), half = EW_(c)(EWC_HALF), ax = V_(abs)(x), negz = EW_(k)(-0.0);
    const VM hi = V_(lt)(half, ax);
    const V zz = V_(mul)(V_(sub)(one, ax), half);
    const V sh = V_(sqrt)(zz);
    V pe;
    const V p = EW_(two_prod)(sh, sh, &pe);
    /* sl = (zz - sh^2) / (2 sh); sh = 0 (|x| = 1) gives 0 / DBL_MIN = 0 */
    const V sl = V_(div)(V_(mul)(V_(sub)(V_(sub)(zz, p), pe), half), V_(max)(sh, EW_(k)(DBL_MIN)));
    const V v = V_(select)(hi, sh, ax);
    V zl, al1, e1;
    const V x2 = EW_(two_prod)(x, x, &zl);
    const V z = V_(select)(hi, zz, x2);
    zl = V_(zero_if)(hi, zl);
    /* v z P(z) = v z c0 + v z (z P'(z)): v z c0 = p1 + (e1 + al1 c0) exact
       but for the last product, the rest (<= 0.005 v) rounded */
    const V a1 = EW_(two_prod)(v, z, &al1);
    al1 = V_(fma)(v, zl, al1);
    const V c0 = V_(load_const)(EWA(asin_p)[0]);
    const V p1 = EW_(two_prod)(a1, c0, &e1);
    const V wz = V_(mul)(z, EW_(horner)(z, EWA(asin_p) + 1, EW_NCOEF(EWA(asin_p)) - 1));
    const V w = V_(add)(V_(fma)(al1, c0, e1), V_(fma)(a1, wz, V_(zero_unless)(hi, sl)));
    V ah, al, m;
    const V pio2h = EW_(k)(EW_PIO2_DD_HI), pio2l = EW_(k)(EW_PIO2_DD_LO), two = EW_(c)(EWC_TWO);
    if (!acos) {
        ah = V_(zero_unless)(hi, pio2h);
        al = V_(zero_unless)(hi, pio2l);
        m = V_(select)(hi, EW_(k)(-2.0), one);
    } else {
        /* x < -1/2: pi = 2 (pi/2)_hi+lo, exactly */
        const VM neg = V_(lt)(x, V_(zero)());
        const VM hineg = VM_(and)(hi, neg);
        ah = V_(select)(hi, V_(zero_unless)(neg, V_(add)(pio2h, pio2h)), pio2h);
        al = V_(select)(hi, V_(zero_unless)(neg, V_(add)(pio2l, pio2l)), pio2l);
        m = V_(select)(hi, V_(select)(hineg, EW_(k)(-2.0), two), V_(xor)(V_(and)(x, negz), EW_(k)(-1.0)));
    }
    const V mv = V_(mul)(m, v); /* exact */
    const V s = V_(add)(ah, mv);
    const V e = V_(sub)(mv, V_(sub)(s, ah));
    /* + m p1 exactly too (Fast2Sum: |s| >= |m p1|, or s = 0 = p1) */
    const V mp = V_(mul)(m, p1); /* exact */
    const V s2 = V_(add)(s, mp);
    const V e2 = V_(sub)(mp, V_(sub)(s2, s));
    const V r = V_(add)(s2, V_(add)(V_(add)(e, e2), V_(fma)(m, w, al)));
    return acos ? r : V_(xor)(r, V_(and)(x, negz));
}

/* |x| < 2^-26 (asin x = x + x^3/6 rounds to x, and x^2 could underflow),
   |x| > 1 (nan, invalid: sqrt(-1)), nan */
#define EW_ASIN_TINY 0x1p-26
EW_NOINLINE V EW_(asin_slow)(V x, int acos)
{
    const V ax = V_(abs)(x), one = EW_(c)(EWC_ONE);
    const VM tiny = V_(lt)(ax, EW_(k)(EW_ASIN_TINY));
    const VM bad = V_(nle)(ax, one); /* and nan */
    const VM dom = V_(lt)(one, ax);  /* |x| > 1, not nan */
    V y = EW_(asin_core)(V_(zero_if)(VM_(or)(tiny, bad), x), acos);
    if (acos) {
        y = V_(select)(tiny, V_(add)(EW_(k)(EW_PIO2_DD_HI), V_(sub)(EW_(k)(EW_PIO2_DD_LO), V_(zero_if)(bad, x))), y);
    } else {
        const V xsub = V_(zero_unless)(V_(lt)(ax, EW_(k)(EW_TMIN)), x);
        y = V_(select)(tiny, V_(add)(x, V_(mul)(xsub, EW_(k)(0x1p-60))), y);
    }
    y = V_(select)(dom, V_(sqrt)(V_(select)(dom, EW_(k)(-1.0), one)), y);
    return V_(select)(V_(isnan)(x), x, y);
}

EW_INLINE V EW_(asin_v)(V x, int acos)
{
    if (EW_UNLIKELY(EW_(any_outside)(EW_(abs_bits)(x), EW_(bits)(EW_ASIN_TINY), EW_(bits)(1.0)))) {
        return EW_(asin_slow)(x, acos);
    }
    return EW_(asin_core)(x, acos);
}
EW_INLINE V EW_(arcsin_v)(V x) { return EW_(asin_v)(x, 0); }
EW_INLINE V EW_(arccos_v)(V x) { return EW_(asin_v)(x, 1); }

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

/* tan of float32 lanes widened, |x| <= TRIG_MAX, finite: a float32 result
   needs ~2^-40 relative before its one rounding, not float64's
   double-words. On |x| (tan is odd: -0 keeps its sign): q = round(|x|
   2/pi), r = |x| - q PIO2_1 - q PI_2/2 (the first product exact as in
   sin/cos; PI_2/2 exact, pi/2 - PIO2_1 - PI_2/2 ~ 2^-109, unfused 2^-88:
   r's relative error ~2^-50, the closest float to a multiple of pi/2 being
   ~2^-30 from it), s = r + r z S(z), c = 1 + (z^2 C(z) - z/2) with the
   short S, C of trig.json (tanf_s, tanf_c: 2^-43 or better), and s/c or
   -c/s in one division. */
EW_INLINE VF64 ew_f32_tan_wide(VF64 x)
{
    const VF64 ax = vf64_abs(x), magic = ew_f64_c(EWC_MAGIC);
    const VF64 t = vf64_fma(ax, ew_f64_c(EWC_TWO_OVER_PI), magic);
    const VF64 q = vf64_sub(t, magic);
    const VF64 r = vf64_fnma(q, ew_f64_k(EW_F64_PI_2 * 0.5), vf64_fnma(q, ew_f64_c(EWC_PIO2_1), ax));
    const VF64 z = vf64_mul(r, r);
    const VF64 sn = vf64_fma(vf64_mul(r, z), ew_f64_horner(z, ew_f64_tanf_s, EW_NCOEF(ew_f64_tanf_s)), r);
    const VF64 cs = vf64_add(ew_f64_c(EWC_ONE), vf64_fnma(z, ew_f64_c(EWC_HALF),
                             vf64_mul(vf64_mul(z, z), ew_f64_horner(z, ew_f64_tanf_c, EW_NCOEF(ew_f64_tanf_c)))));
    /* q odd: -c/s, the sign from q's low bit; then x's sign */
    const VF64 odd = vf64_from_bits(vi64_slli(vf64_as_bits(t), 63));
    const VF64 y = vf64_div(vf64_select_sign(odd, cs, sn), vf64_select_sign(odd, sn, cs));
    return vf64_xor(vf64_xor(y, odd), vf64_and(x, ew_f64_k(-0.0)));
}

/* finite |x| <= TRIG_MAX: the short path; other vectors (rare) through
   the float64 kernel, its exact reductions and special values */
EW_INLINE VF32 ew_f32_tan_v(VF32 x)
{
    VF32 y;
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(EW_TRIG_MAX))))) {
        y = EW_F32_VIA_F64(ew_f64_tan_v, x);
    } else {
        y = EW_F32_VIA_F64(ew_f32_tan_wide, x);
    }
    return ew_f32_tr_subnormal(x, y);
}
/* The inverse functions' float32 paths, in float64 like tan's: the
   float64 algorithms without their double-words (each step's rounding,
   2^-53 of a term at most the result's size, leaves ~2^-50 relative), for
   vectors whose lanes are all ordinary (finite, in the domain); other
   vectors (rare) go through the float64 kernels. */

/* The float32 paths' table step. Where the layer looks up 16 entries in
   registers (SIMD_LOOKUP16_PERMUTE), j = round(t ATAN_N) is capped at 15
   (t > 31/32 takes c = 15/16: |u| <= 0.033, z <= 2^-9.9, P's three terms
   still 2^-42.8 of u) so that atan(j/16) is one permute of the table's
   first 16 entries, and the quadrant's A (atan c, pi/2 - atan c, pi -
   atan c, pi/2 + atan c: base + (atan c) xor usign) is formed in float64
   arithmetic (its roundings, 2^-53 of pi, and pi/2's low part dropped,
   are far below float32's needs); elsewhere the 68-entry table's row. */
#if SIMD_LOOKUP16_PERMUTE
#define EW_ATANF_16 1
#else
#define EW_ATANF_16 0
#endif

/* j + magic: the grid index of t in [0, 1] */
EW_INLINE VF64 ew_f32_atan_j(VF64 t, VF64 magic)
{
    const VF64 tj = vf64_fma(t, ew_f64_k(EW_F64_ATAN_N), magic);
#if EW_ATANF_16
    return vf64_min(tj, vf64_add(magic, ew_f64_k(EW_F64_ATAN_N - 1)));
#else
    return tj;
#endif
}

/* A for j (in tj's bits), big = |y| > |x| and xsign (x's sign bit;
   arctan: 0); usign: -0 where u enters negated (big xor x < 0) */
EW_INLINE VF64 ew_f32_atan_a(VF64 tj, VM64 big, VF64 xsign, VF64 usign)
{
#if EW_ATANF_16
    const VF64 pio2 = ew_f64_k(EW_PIO2_DD_HI);
    const VF64 base = vf64_select(big, pio2, vf64_select_sign(xsign, vf64_add(pio2, pio2), vf64_zero()));
    return vf64_add(base, vf64_xor(vf64_lookup16(ew_f64_atan_tab_hi, vf64_as_bits(tj)), usign));
#else
    const VF64 rows = vf64_select(big, ew_f64_k(0x1p-1074 * (EW_F64_ATAN_N + 1)), vf64_zero());
    const VF64 rowx = vf64_select_sign(xsign, ew_f64_k(0x1p-1074 * 2 * (EW_F64_ATAN_N + 1)), vf64_zero());
    (void)usign;
    const VI64 idx = vi64_add(vi64_and(vf64_as_bits(tj), ew_f64_ki(31)), vi64_add(vf64_as_bits(rows), vf64_as_bits(rowx)));
    return vf64_lookup(ew_f64_atan_tab_hi, idx);
#endif
}

/* atan2 magnitude for float32 lanes (finite, not both zero): the table
   reduction, u = (a - c b)/(b + c a) in plain arithmetic, atan u = u + u
   z P(z), A_hi + (+-u + tail). */
EW_INLINE VF64 ew_f32_atan_wide(VF64 ay, VF64 ax, VF64 xsign)
{
    const VF64 negz = ew_f64_k(-0.0);
    const VM64 big = vf64_lt(ax, ay);
    const VF64 a = vf64_select(big, ax, ay), b = vf64_select(big, ay, ax);
    const VF64 magic = ew_f64_c(EWC_MAGIC);
    const VF64 tj = ew_f32_atan_j(vf64_div(a, b), magic);
    const VF64 c = vf64_mul(vf64_sub(tj, magic), ew_f64_k(1.0 / EW_F64_ATAN_N));
    const VF64 usign = vf64_xor(vf64_and(xsign, negz), vf64_zero_unless(big, negz));
    const VF64 u = vf64_xor(vf64_div(vf64_fnma(c, b, a), vf64_fma(c, a, b)), usign);
    const VF64 z = vf64_mul(u, u);
    /* P's first three terms: the rest, z^3/9 (z <= 2^-10), is 2^-43 of u */
    const VF64 tail = vf64_mul(vf64_mul(u, z), ew_f64_horner(z, ew_f64_atan_p, 3));
    return vf64_add(ew_f32_atan_a(tj, big, xsign, usign), vf64_add(u, tail));
}

/* arctan for float32 lanes (finite): atan1_core's reduction in plain
   arithmetic, with t = |x| or 1/|x| (only for the table row: float32's
   precision suffices, |u| <= 1/32 + 2^-24) given by the caller */
EW_INLINE VF64 ew_f32_arctan_wide(VF64 x, VF64 t)
{
    const VF64 one = ew_f64_c(EWC_ONE), magic = ew_f64_c(EWC_MAGIC), ax = vf64_abs(x);
    const VM64 big = vf64_lt(one, ax);
    const VF64 tj = ew_f32_atan_j(t, magic);
    const VF64 c = vf64_mul(vf64_sub(tj, magic), ew_f64_k(1.0 / EW_F64_ATAN_N));
    /* ax > 1: -(1 - c ax)/(ax + c); else (ax - c)/(1 + c ax) */
    const VF64 n = vf64_select(big, vf64_fnma(c, ax, one), vf64_sub(ax, c));
    const VF64 d = vf64_select(big, vf64_add(ax, c), vf64_fma(c, ax, one));
    const VF64 u = vf64_xor(vf64_div(n, d), vf64_zero_unless(big, ew_f64_k(-0.0)));
    const VF64 z = vf64_mul(u, u);
    const VF64 tail = vf64_mul(vf64_mul(u, z), ew_f64_horner(z, ew_f64_atan_p, 3));
    const VF64 y = vf64_add(ew_f32_atan_a(tj, big, vf64_zero(), vf64_zero_unless(big, ew_f64_k(-0.0))), vf64_add(u, tail));
    return vf64_xor(y, vf64_and(x, ew_f64_k(-0.0)));
}

EW_INLINE VF64 ew_f32_arctan2_wide(VF64 y, VF64 x)
{
    return vf64_xor(ew_f32_atan_wide(vf64_abs(y), vf64_abs(x), x), vf64_and(y, ew_f64_k(-0.0)));
}

/* finite x: the short path */
EW_INLINE VF32 ew_f32_arctan_v(VF32 x)
{
    VF32 y;
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(FLT_MAX))))) {
        y = EW_F32_VIA_F64(ew_f64_arctan_v, x);
    } else {
        /* the table row's t in float32: one division for 8 lanes; 1/|x|
           only where |x| > 1, clamped at 2^64 (no underflow; the row is
           0 beyond) */
        const VF32 one = ew_f32_c(EWC_ONE), ax = vf32_abs(x);
        const VM32 big = vf32_lt(one, ax);
        const VF32 t = vf32_select(big, vf32_div(one, vf32_select(big, vf32_min(ax, ew_f32_k(0x1p64f)), one)), ax);
        y = EW_F32_VIA_F64_2(ew_f32_arctan_wide, x, t);
    }
    return ew_f32_tr_subnormal(x, y);
}

/* finite x and y, not both zero: the short path. A subnormal result y/x
   (whose float64 value may be exact) raises underflow in float32 too. */
EW_INLINE VF32 ew_f32_arctan2_v(VF32 y, VF32 x)
{
    const VI32 ay = ew_f32_abs_bits(y), ax = ew_f32_abs_bits(x), fmax = ew_f32_ki(ew_f32_bits(FLT_MAX));
    const VM32 odd = vm32_or(vm32_or(vi32_gt(ay, fmax), vi32_gt(ax, fmax)), vi32_gt(ew_f32_ki(1), vi32_or(ay, ax)));
    VF32 z;
    if (EW_UNLIKELY(vm32_any(odd))) {
        z = EW_F32_VIA_F64_2(ew_f64_arctan2_v, y, x);
    } else {
        z = EW_F32_VIA_F64_2(ew_f32_arctan2_wide, y, x);
    }
    return ew_f32_tr_subnormal(z, z);
}

/* asin/acos for float32 lanes, |x| <= 1: asin_core's cases without the
   double-words: v = |x| or s = sqrt((1 - |x|)/2) (rounded), asin v = v +
   v z P(z) with a shorter P (asinf_p, 2^-43.9), then A_hi + m (v + v z P)
   (+ A_lo). */
EW_INLINE VF64 ew_f32_asin_wide(VF64 x, int acos)
{
    const VF64 one = ew_f64_c(EWC_ONE), half = ew_f64_c(EWC_HALF), ax = vf64_abs(x), negz = ew_f64_k(-0.0);
    const VM64 hi = vf64_lt(half, ax);
    const VF64 zz = vf64_mul(vf64_sub(one, ax), half);
    const VF64 v = vf64_select(hi, vf64_sqrt(zz), ax);
    const VF64 z = vf64_select(hi, zz, vf64_mul(ax, ax));
    const VF64 w = vf64_fma(vf64_mul(v, z), ew_f64_horner(z, ew_f64_asinf_p, EW_NCOEF(ew_f64_asinf_p)), v);
    const VF64 pio2h = ew_f64_k(EW_PIO2_DD_HI), pio2l = ew_f64_k(EW_PIO2_DD_LO);
    VF64 ah, al, m;
    if (!acos) {
        ah = vf64_zero_unless(hi, pio2h);
        al = vf64_zero_unless(hi, pio2l);
        m = vf64_select(hi, ew_f64_k(-2.0), one);
    } else {
        const VM64 neg = vf64_lt(x, vf64_zero());
        ah = vf64_select(hi, vf64_zero_unless(neg, vf64_add(pio2h, pio2h)), pio2h);
        al = vf64_select(hi, vf64_zero_unless(neg, vf64_add(pio2l, pio2l)), pio2l);
        m = vf64_select(hi, vf64_select(vm64_and(hi, neg), ew_f64_k(-2.0), ew_f64_c(EWC_TWO)),
                        vf64_xor(vf64_and(x, negz), ew_f64_k(-1.0)));
    }
    const VF64 r = vf64_add(ah, vf64_fma(m, w, al));
    return acos ? r : vf64_xor(r, vf64_and(x, negz));
}

EW_INLINE VF64 ew_f32_arcsin_wide(VF64 x) { return ew_f32_asin_wide(x, 0); }
EW_INLINE VF64 ew_f32_arccos_wide(VF64 x) { return ew_f32_asin_wide(x, 1); }

/* |x| <= 1 (not nan): the short path */
EW_INLINE VF32 ew_f32_arcsin_v(VF32 x)
{
    VF32 y;
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(1.0f))))) {
        y = EW_F32_VIA_F64(ew_f64_arcsin_v, x);
    } else {
        y = EW_F32_VIA_F64(ew_f32_arcsin_wide, x);
    }
    return ew_f32_tr_subnormal(x, y);
}

EW_INLINE VF32 ew_f32_arccos_v(VF32 x)
{
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(1.0f))))) {
        return EW_F32_VIA_F64(ew_f64_arccos_v, x);
    }
    return EW_F32_VIA_F64(ew_f32_arccos_wide, x);
}

#endif

EW_DEFINE_MAP(tan, EW_(tan_v))
EW_DEFINE_MAP(arctan, EW_(arctan_v))
EW_DEFINE_MAP2(arctan2, EW_(arctan2_v))
EW_DEFINE_MAP(arcsin, EW_(arcsin_v))
EW_DEFINE_MAP(arccos, EW_(arccos_v))
