/*
 * math/pow.h -- hypot, cbrt, power: a function group of elementwise.h,
 * included once per pass (see "the function groups" there). Constants from
 * simd/math/pow.json (derived by simd/math/pow.py).
 *
 * float64, built on error-free transforms over vectors (elementwise.h's two_prod: FMA
 * where fused, else Dekker's product on bit-masked halves; two_sum):
 *
 *   hypot  x^2 + y^2 = s + sl exactly (to ~2^-106), r = sqrt(s), then one
 *          Newton correction r + (s - r^2 + sl) / 2r with s - r^2 exact:
 *          the result is within 0.5 + ~2^-50 ULP (correctly rounded but in
 *          rare near-halfway cases). Arguments in [2^-480, 2^480] take it
 *          directly (no square or residual over/underflows, every error
 *          term exact); the others (zeros, huge, tiny, inf, nan) are scaled
 *          by the larger one's exponent (exact), a negligible smaller one
 *          (< 2^-60 relative) dropped, in a slower vector path.
 *   cbrt   |x| = 2^(3k + j) m, m in [1, 2), j in {0, 1, 2} by integer
 *          operations on the bits (k = round((e-1)/3) by a magic-number
 *          addition); y0 = P(m) 2^(j/3) within 2^-25 (minimax P); then
 *          with the residual h = (t - y0^3)/y0^3 formed exactly enough
 *          (t = 2^j m; y0^3 as a double-double), cbrt(t) = y0 (1 + h/3 -
 *          h^2/9 + O(h^3)): the O(h^3) term is below 2^-78, so one rounding
 *          of y0 + y0 (h/3 - h^2/9) is correctly rounded but in rare cases,
 *          and exact cubes come out exact. Times 2^k (exact).
 *   power  x^y = exp(y log x), with log x as a double-double to ~2^-70
 *          relative and exp of a double-double:
 *          log: x = 2^k m, m in [OFF, 2 OFF), OFF ~ sqrt(1/2), m in one of
 *          128 cells (m = 1 the centre of one); c ~ 1/m with 8 bits from a
 *          table (1 in that cell) so that r = m c - 1, |r| < 2^-7.4, is
 *          exact; log x = k ln2 - log c + r - r^2/2 + r^3 P(r), the big
 *          terms summed by exact two-sums, r^2 exact, the small ones (r^3
 *          P(r) < 2^-23, the sums' errors) in a low part rounded at ~2^-78.
 *          z = y log x = zh + zl (y * HI exact).
 *          exp: zh = K ln2/256 + a + (b - zl), K = round(zh 256/ln2), |a|
 *          <= ln2/512, b ~2^-43 (ln2/256 in two parts, the rounding error
 *          of a recovered into b); e^(a+b) = 1 + a + a^2 Q(a) + b (1 + a)
 *          (omitting b a^2/2 < 2^-63 and b^2); the result 2^(K/256) (that)
 *          with 2^(j/256) = TH + TL from a table: TH + (TH a + (TH q +
 *          TL)), the product TH a rounded once at ~2^-62.5 before the final
 *          rounding. Then times 2^(K div 256), exact for a normal result;
 *          a subnormal one is rounded once, by a two-sum of 1 + (TH +
 *          u) 2^(E+1022) at the bit where it ends.
 *          The fast path takes normal x (negative with integer y only),
 *          2^-60 <= |y| <= 2^63 and |zh| <= 708 (a normal result); the
 *          rest (negative x with non-integer y, zeros, inf,
 *          nan, subnormal x, huge or tiny y, overflow, underflow) a vector
 *          slow path: the C99 Annex F table by selects, the core on
 *          clamped arguments with the scaling split in two (over/underflow
 *          raised by the last multiply), the sign by y's parity found by
 *          integer operations on its bits.
 *
 * float32: all three computed in float64 (widened by vector halves,
 * rounded once to float32): hypot as sqrt(x^2 + y^2) (the squares exact,
 * two roundings ~2^-53 before the final one), cbrt from a guess of
 * tt^(-1/3) and a division-free correction of tt u^2, power by a shorter
 * float64 scheme (plain doubles, three table lookups; see ew_f32_pow_z)
 * with the float64 kernel for its special lanes. Flags: overflow and
 * underflow of a float32 result are the narrowing's.
 *
 * Flags: only those IEEE/glibc raise: invalid for pow(negative, non-integer),
 * divide-by-zero for pow(0, negative) (not for 0^-inf, as numpy), overflow
 * and underflow for results that do (float64 power raises underflow for
 * every subnormal result, exact ones too, as glibc's pow does); every
 * comparison of a possibly-NaN value is quiet and special lanes are
 * replaced by 1 before any arithmetic.
 */

#define SIMD_HAVE_shypot SIMD_YES
#define SIMD_HAVE_dhypot SIMD_YES
#define SIMD_HAVE_scbrt SIMD_YES
#define SIMD_HAVE_dcbrt SIMD_YES
#define SIMD_HAVE_spower SIMD_YES
#define SIMD_HAVE_dpower SIMD_YES

#ifndef PW_SIGN64
#define PW_SIGN64 (UINT64_C(1) << 63) /* float64's sign bit, in either pass */
#endif

#if EW_PASS == 1

/* ---------------- helpers (the error-free transforms are elementwise.h's) ---------------- */

EW_INLINE VF64 ew_f64_pw_neg(VF64 a) { return vf64_xor(a, vf64_set1(-0.0)); }

/* a with the low 27 bits of its significand cleared */
EW_INLINE VF64 ew_f64_pw_hi26(VF64 a)
{
    return vf64_from_bits(vi64_and(vf64_as_bits(a), vi64_set1(~(uint64_t)0x7ffffff)));
}

/* ---------------- hypot ---------------- */

/* sqrt(a^2 + b^2) for a, b >= 0 with a^2, b^2 and their error terms normal
   or zero, not both zero; *rem = a^2 + b^2 - r^2 (0 iff r is exact) */
EW_INLINE VF64 ew_f64_hypot_core(VF64 a, VF64 b, VF64 *rem)
{
    VF64 ea, eb, e;
    const VF64 ha = ew_f64_two_prod(a, a, &ea), hb = ew_f64_two_prod(b, b, &eb);
    const VF64 s = ew_f64_two_sum(ha, hb, &e);
    const VF64 sl = vf64_add(e, vf64_add(ea, eb));
    const VF64 r = vf64_sqrt(s);
    /* s - r^2 is a double when r = RN(sqrt(s)): exact fused, or from the
       exact square (s - p exact by Sterbenz) */
#if SIMD_FMA_NATIVE
    const VF64 res = vf64_fnma(r, r, s);
#else
    VF64 re;
    const VF64 rr = ew_f64_two_prod(r, r, &re);
    const VF64 res = vf64_sub(vf64_sub(s, rr), re);
#endif
    *rem = vf64_add(res, sl);
    return vf64_add(r, vf64_div(*rem, vf64_add(r, r)));
}

EW_NOINLINE VF64 ew_f64_hypot_slow(VF64 x, VF64 y)
{
    const VF64 ax = vf64_abs(x), ay = vf64_abs(y), one = vf64_set1(1.0), inf = vf64_set1((double)INFINITY);
    const VM64 isinf = vm64_or(vf64_eq(ax, inf), vf64_eq(ay, inf));
    const VM64 isnan = vm64_or(vf64_isnan(x), vf64_isnan(y));
    const VM64 bad = vm64_or(isinf, isnan);
    const VF64 a = vf64_select(bad, one, ax), b = vf64_select(bad, one, ay);
    const VM64 swap = vf64_lt(a, b);
    VF64 big = vf64_select(swap, b, a), sm = vf64_select(swap, a, b);
    /* subnormal (or zero) larger one: both times 2^600 first, exactly */
    const VM64 tiny = vf64_lt(big, vf64_set1(DBL_MIN));
    const VF64 pre = vf64_select(tiny, vf64_set1(0x1p600), one);
    big = vf64_mul(big, pre);
    sm = vf64_mul(sm, pre);
    const VM64 zero = vf64_eq(big, vf64_zero()); /* then both are 0 */
    big = vf64_select(zero, one, big);
    /* sm < 2^-60 big changes nothing (hypot rounds to big) and could
       underflow below: dropped (the bit patterns are ordered as the values) */
    const VM64 drop = vi64_gt_hi(vi64_sub(vf64_as_bits(big), vf64_as_bits(sm)), vi64_set1((uint64_t)60 << 52));
    const VM64 dropped = vm64_andnot(vf64_eq(sm, vf64_zero()), drop);
    sm = vf64_zero_if(drop, sm);
    /* inv = 2^E of big's exponent, s = 1/inv (2^-1023 is a subnormal, still
       exact): big s in [1, 2), sm s in [2^-61, 2) or 0 */
    const VF64 inv = vf64_from_bits(vi64_and(vf64_as_bits(big), vi64_set1(UINT64_C(0x7ff0000000000000))));
    const VF64 s = vf64_div(one, inv);
    VF64 rem;
    VF64 r = vf64_mul(ew_f64_hypot_core(vf64_mul(big, s), vf64_mul(sm, s), &rem), inv); /* overflows iff the result does */
    r = vf64_mul(r, vf64_select(tiny, vf64_set1(0x1p-600), one)); /* one rounding */
    /* a subnormal result raises underflow if inexact (a dropped sm, a
       nonzero remainder), which the last multiply may not tell: r^2 does
       (and adds 0; a run-time value, which no compiler folds away) */
    const VM64 inexact = vm64_or(dropped, vm64_andnot(vf64_eq(rem, vf64_zero()), vf64_eq(rem, rem)));
    const VF64 tmin = vf64_zero_unless(vm64_and(vm64_and(tiny, inexact), vf64_lt(r, vf64_set1(DBL_MIN))), r);
    r = vf64_add(vf64_zero_if(zero, r), vf64_mul(tmin, tmin));
    r = vf64_select(isnan, vf64_select(vf64_isnan(x), x, y), r);
    return vf64_select(isinf, inf, r); /* hypot(+-inf, nan) = +inf */
}

EW_INLINE VF64 ew_f64_hypot_v(VF64 x, VF64 y)
{
    const uint64_t lo = ew_f64_bits(0x1p-480), hi = ew_f64_bits(0x1p480);
    if (EW_UNLIKELY(vm64_any(vm64_or(vi64_gt_hi(vi64_add(ew_f64_abs_bits(x), vi64_set1(PW_SIGN64 - lo)),
                                                vi64_set1(PW_SIGN64 + (hi - lo))),
                                     vi64_gt_hi(vi64_add(ew_f64_abs_bits(y), vi64_set1(PW_SIGN64 - lo)),
                                                vi64_set1(PW_SIGN64 + (hi - lo))))))) {
        return ew_f64_hypot_slow(x, y);
    }
    VF64 rem;
    return ew_f64_hypot_core(vf64_abs(x), vf64_abs(y), &rem);
}

/* ---------------- cbrt ---------------- */

/* for a positive normal x (times 2^-kadj if wide; kadj a multiple of 3)
   = 2^(3k) tt, tt = 2^j m in [1, 8): returns y0 = P(m) c_j, *tt, and *t
   holding k in the magic-number form (ew_f64_pow2(*t) = 2^k). With P =
   cbrt_p and c_j = 2^(j/3): y0 ~ cbrt(tt) within 2^-25 (ew_f64_cbrt_guess);
   with rcbrt_p and 2^(-j/3): ~ tt^(-1/3) within 2^-17 (float32's). */
EW_INLINE VF64 ew_f64_cbrt_guess_p(VF64 x, VF64 kadj, int wide, VF64 *ttp, VF64 *tp, const double (*P)[EW_RLEN],
                                   int np, double c2, double c4)
{
    const VF64 one = vf64_set1(1.0);
    const VI64 ix = vf64_as_bits(x);
    /* e - 1 = E - 1024 exactly, with E the biased exponent in 2^52's mantissa */
    const VF64 eb = vf64_from_bits(vi64_or(vi64_srli(ix, 52), vi64_set1(ew_f64_bits(0x1p52))));
    VF64 em1 = vf64_sub(eb, vf64_set1(0x1p52 + 1024));
    if (wide) {
        em1 = vf64_sub(em1, kadj);
    }
    /* k = round((e - 1)/3) = floor(e/3): the quotient is 1/6 or more from a
       half-integer, so the rounding of the product cannot matter */
    const VF64 magic = vf64_set1(0x1.8p52 + 1023);
    const VF64 t = vf64_fma(em1, vf64_set1(EW_F64_CBRT_THIRD), magic);
    const VF64 kf = vf64_sub(t, magic);
    const VF64 j = vf64_fnma(kf, vf64_set1(3.0), vf64_add(em1, one)); /* e - 3k in {0, 1, 2}, exact */
    const VF64 m = vf64_from_bits(vi64_or(vi64_and(ix, vi64_set1((UINT64_C(1) << 52) - 1)), vi64_set1(ew_f64_bits(1.0))));
    const VM64 j1 = vf64_eq(j, one), j2 = vf64_eq(j, vf64_set1(2.0));
    const VF64 tt = vf64_mul(m, vf64_select(j2, vf64_set1(4.0), vf64_select(j1, vf64_set1(2.0), one)));
    const VF64 cj = vf64_select(j2, vf64_set1(c4), vf64_select(j1, vf64_set1(c2), one));
    *ttp = tt;
    *tp = t;
    return vf64_mul(ew_f64_horner(m, P, np), cj);
}

EW_INLINE VF64 ew_f64_cbrt_guess(VF64 x, VF64 kadj, int wide, VF64 *ttp, VF64 *tp)
{
    return ew_f64_cbrt_guess_p(x, kadj, wide, ttp, tp, ew_f64_cbrt_p, EW_NCOEF(ew_f64_cbrt_p), EW_F64_CBRT_2, EW_F64_CBRT_4);
}

/* cbrt of a positive normal x (times 2^(-kadj/3) if wide) */
EW_INLINE VF64 ew_f64_cbrt_core(VF64 x, VF64 kadj, int wide)
{
    VF64 tt, t;
    const VF64 y0 = ew_f64_cbrt_guess(x, kadj, wide, &tt, &t);
    /* tt - y0^3 with y0^3 = q + qe + pe y0 (y0^2 = p + pe, p y0 = q + qe):
       tt - q exact (Sterbenz), the rest rounds at ~2^-53 of the residual */
    VF64 pe, qe;
    const VF64 p = ew_f64_two_prod(y0, y0, &pe);
    const VF64 q = ew_f64_two_prod(p, y0, &qe);
    const VF64 res = vf64_fnma(pe, y0, vf64_sub(vf64_sub(tt, q), qe));
    const VF64 h = vf64_div(res, q);
    const VF64 d = vf64_mul(vf64_mul(y0, h), vf64_fnma(h, vf64_set1(EW_F64_CBRT_NINTH), vf64_set1(EW_F64_CBRT_THIRD)));
    return vf64_mul(vf64_add(y0, d), ew_f64_pow2(t)); /* 2^k, |k| <= 358: exact */
}

EW_NOINLINE VF64 ew_f64_cbrt_slow(VF64 x)
{
    const VF64 ax = vf64_abs(x), one = vf64_set1(1.0);
    /* zeros, inf, nan: cbrt(x) = x */
    const VM64 special = vm64_or(vf64_eq(ax, vf64_zero()), vf64_nle(ax, vf64_set1(DBL_MAX)));
    const VM64 sub = vm64_andnot(special, vf64_lt(ax, vf64_set1(DBL_MIN)));
    /* subnormals times 2^54 (exact): k 18 less */
    const VF64 xs = vf64_select(sub, vf64_mul(vf64_select(sub, ax, one), vf64_set1(0x1p54)), vf64_select(special, one, ax));
    const VF64 y = ew_f64_cbrt_core(xs, vf64_zero_unless(sub, vf64_set1(54.0)), 1);
    return vf64_or(vf64_select(special, ax, y), vf64_and(x, vf64_set1(-0.0)));
}

EW_INLINE VF64 ew_f64_cbrt_v(VF64 x)
{
    const VI64 ax = ew_f64_abs_bits(x);
    if (EW_UNLIKELY(ew_f64_any_outside(ax, ew_f64_bits(DBL_MIN), ew_f64_bits(DBL_MAX)))) {
        return ew_f64_cbrt_slow(x);
    }
    return vf64_or(ew_f64_cbrt_core(vf64_from_bits(ax), vf64_zero(), 0), vf64_and(x, vf64_set1(-0.0)));
}

/* ---------------- power ---------------- */

/* log x = *lh + *ll for a positive normal x (wide: k - kadj), see the
   header: to ~2^-70 relative, |*ll| <= ulp(*lh)/2 */
EW_INLINE VF64 ew_f64_pow_log(VF64 x, VF64 kadj, int wide, VF64 *ll)
{
    const uint64_t off = ew_f64_bits(EW_F64_POW_OFF);
    const VI64 ix = vi64_add(vf64_as_bits(x), vi64_set1(ew_f64_bits(1.0) - off));
    const VI64 idx = vi64_and(vi64_srli(ix, 45), vi64_set1(127));
    const VF64 m = vf64_from_bits(vi64_add(vi64_and(ix, vi64_set1((UINT64_C(1) << 52) - 1)), vi64_set1(off)));
    const VF64 kb = vf64_from_bits(vi64_or(vi64_srli(ix, 52), vi64_set1(ew_f64_bits(0x1p52))));
    VF64 kf = vf64_sub(kb, vf64_set1(0x1p52 + 1023));
    if (wide) {
        kf = vf64_sub(kf, kadj);
    }
    const VF64 c = vf64_lookup(ew_f64_pow_logc, idx);
    const VF64 th = vf64_lookup(ew_f64_pow_logt_hi, idx), tl = vf64_lookup(ew_f64_pow_logt_lo, idx);
#if SIMD_FMA_NATIVE
    const VF64 r = vf64_fma(m, c, vf64_set1(-1.0)); /* exact (checked by pow.py) */
#else
    /* m c - 1 = (mh c - 1) + ml c, both exact (8-bit c), summed exactly */
    const VF64 mh = ew_f64_pw_hi26(m);
    VF64 rl;
    const VF64 r = ew_f64_two_sum(vf64_sub(vf64_mul(mh, c), vf64_set1(1.0)), vf64_mul(vf64_sub(m, mh), c), &rl);
#endif
    VF64 pe, e1, e2, e3;
    const VF64 p = ew_f64_two_prod(r, r, &pe); /* r^2 exactly */
    /* k ln2 (HI exact) - log c: |k ln2| >= |log c| unless k = 0 */
    const VF64 a1 = ew_f64_fast_two_sum(vf64_mul(kf, vf64_set1(EW_F64_POW_LN2_HI)), th, &e1);
    const VF64 a2 = ew_f64_two_sum(a1, r, &e2);
    /* |a2| >= r^2/2: a2 = r in the cell of 1 (a1 = 0), else |a2| ~ |log x| > 2^-9 */
    const VF64 a3 = ew_f64_fast_two_sum(a2, vf64_mul(p, vf64_set1(-0.5)), &e3);
    const VF64 r3p = vf64_mul(vf64_mul(p, r), ew_f64_horner(r, ew_f64_pow_log_p, EW_NCOEF(ew_f64_pow_log_p)));
    VF64 lo = vf64_fma(kf, vf64_set1(EW_F64_POW_LN2_LO), tl);
    lo = vf64_add(lo, vf64_add(vf64_add(e1, e2), e3));
    lo = vf64_add(lo, vf64_fma(pe, vf64_set1(-0.5), r3p));
#if !SIMD_FMA_NATIVE
    lo = vf64_add(lo, vf64_fnma(rl, r, rl)); /* log1p(r + rl) - log1p(r) ~ rl (1 - r) */
#endif
    const VF64 lh = vf64_add(a3, lo);
    *ll = vf64_sub(lo, vf64_sub(lh, a3));
    return lh;
}

/* e^(zh + zl), |zl| <= ~2^-52 |zh|: |zh| <= 708 if !wide (a normal result),
   else zh in [-760, 720] (2^K split in two factors; the last multiply
   rounds once and raises overflow; subnormal results below) */
EW_INLINE VF64 ew_f64_pow_exp(VF64 zh, VF64 zl, int wide)
{
    const VF64 magic = vf64_set1(0x1.8p52);
    const VF64 t = vf64_fma(zh, vf64_set1(EW_F64_POW_EXP_N_LN2), magic);
    const VF64 kn = vf64_sub(t, magic);
    const VI64 ki = vi64_sub(vf64_as_bits(t), vi64_set1(ew_f64_bits(0x1.8p52))); /* K */
    const VI64 j = vi64_and(ki, vi64_set1(255));
    /* zh - K ln2/256 = a + (b - zl): K HI exact (34-bit HI) and so is the
       difference (Sterbenz); K LO (up to 2^-26) is added with its rounding
       error recovered, so that |b| stays ~2^-43 */
    const VF64 ah = vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP_LN2N_HI), zh);
    const VF64 a = vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP_LN2N_LO), ah);
    const VF64 b = vf64_add(zl, vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP_LN2N_LO), vf64_sub(ah, a)));
    /* e^(a+b) - 1 - a ~ a^2 Q(a) + b (1 + a) */
    const VF64 q = vf64_fma(vf64_mul(a, a), ew_f64_horner(a, ew_f64_pow_exp_q, EW_NCOEF(ew_f64_pow_exp_q)),
                            vf64_fma(b, a, b));
    const VF64 th = vf64_lookup(ew_f64_pow_exp_hi, j), tl = vf64_lookup(ew_f64_pow_exp_lo, j);
    const VF64 u = vf64_fma(th, a, vf64_fma(th, q, tl));
    const VF64 res = vf64_add(th, u);
    if (!wide) {
        /* 2^(K div 256): ((K + 1023*256) rounded down to a multiple of 256) << 44 */
        const VI64 sb = vi64_slli(vi64_and(vi64_add(ki, vi64_set1(1023 * 256)), vi64_set1(~(uint64_t)255)), 44);
        return vf64_mul(res, vf64_from_bits(sb));
    }
    /* E = K div 256 as a float (K + 2048*256 >= 0), then 2^E1 2^E2 with
       E1 = round(E/2), both normal */
    const VF64 ef = vf64_sub(vf64_from_bits(vi64_or(vi64_srli(vi64_add(ki, vi64_set1(2048 * 256)), 8),
                                                    vi64_set1(ew_f64_bits(0x1p52)))),
                             vf64_set1(0x1p52 + 2048));
    const VF64 mb = vf64_set1(0x1.8p52 + 1023);
    const VF64 t1 = vf64_fma(ef, vf64_set1(0.5), mb);
    const VF64 t2 = vf64_add(vf64_sub(ef, vf64_sub(t1, mb)), mb);
    const VF64 rn = vf64_mul(vf64_mul(res, ew_f64_pow2(t1)), ew_f64_pow2(t2));
    /* A subnormal result so formed rounds twice (th + u, then the
       scaling): up to 0.63 ULP. Rounded once instead: w = (th + u) 2^(E +
       1022) < 1 (both products exact), 1 + w rounded where the bits of
       2^-1022 w end, by a two-sum of 1 + th', then minus 1 and times
       2^-1022 (both exact). Underflow: v 2^-1074 rounds to 0, inexact, in
       those lanes (v <= 1/2, a run-time value: no compiler folds it). */
    const VM64 tiny = vf64_lt(rn, vf64_set1(DBL_MIN));
    const VF64 one = vf64_set1(1.0);
    const VF64 st = ew_f64_pow2(vf64_add(vf64_min(vf64_add(ef, vf64_set1(1022.0)), vf64_zero()), mb));
    const VF64 wh = vf64_mul(th, st);
    const VF64 hi = vf64_add(one, wh);
    const VF64 lo = vf64_add(vf64_add(vf64_sub(one, hi), wh), vf64_mul(u, st));
    const VF64 rt = vf64_mul(vf64_sub(vf64_add(hi, lo), one), vf64_set1(0x1p-1022));
    const VF64 v = vf64_zero_unless(tiny, st);
    return vf64_add(vf64_select(tiny, rt, rn), vf64_mul(v, vf64_set1(0x1p-1074)));
}

/* whether ay (finite, >= 0) is an integer; *odd: an odd one. |y| + 2^52
   rounds |y| < 2^52 to an integer with its parity in the last bit; in
   [2^52, 2^53) the last bit of |y| itself is the parity, beyond it every
   double is even */
EW_INLINE VM64 ew_f64_pow_yclass(VF64 ay, VM64 *odd)
{
    const VM64 ybig = vf64_le(vf64_set1(0x1p52), ay);
    const VF64 tq = vf64_select(ybig, ay, vf64_add(ay, vf64_set1(0x1p52)));
    const VM64 yint = vm64_or(ybig, vf64_eq(vf64_sub(tq, vf64_set1(0x1p52)), ay));
    *odd = vm64_and(vm64_and(yint, vf64_lt(ay, vf64_set1(0x1p53))),
                    vi64_gt(vi64_and(vf64_as_bits(tq), vi64_set1(1)), vi64_set1(0)));
    return yint;
}

/* every lane the fast path cannot take, as a vector: the C99 Annex F
   (and numpy) table by selects, the rest through the wide core */
EW_NOINLINE VF64 ew_f64_power_slow(VF64 x, VF64 y)
{
    const VF64 one = vf64_set1(1.0), zero = vf64_zero(), inf = vf64_set1((double)INFINITY);
    const VF64 ax = vf64_abs(x), ay = vf64_abs(y);
    const VM64 xnan = vf64_isnan(x), ynan = vf64_isnan(y);
    const VM64 xzero = vf64_eq(x, zero), xinf = vf64_eq(ax, inf), yinf = vf64_eq(ay, inf);
    const VM64 xneg = vf64_lt(x, zero); /* not -0, not nan */
    const VM64 ypos = vf64_lt(zero, y), yneg = vf64_lt(y, zero);
    /* y integer, y odd (finite y; inf and nan give 0: even) */
    VM64 yodd;
    const VM64 yint = ew_f64_pow_yclass(vf64_zero_if(vf64_nle(ay, vf64_set1(DBL_MAX)), ay), &yodd);
    const VF64 oddsign = vf64_zero_unless(yodd, vf64_set1(-0.0));
    /* negative finite x, non-integer finite y: the domain error */
    const VM64 dom = vm64_andnot(vm64_or(yint, xinf), xneg);

    /* the general lanes: finite nonzero x (|x|, the sign applied below),
       finite y; subnormal x times 2^54; |y| < 2^-64 gives 1 (|y log x| <
       2^-54), |y| > 2^65 over/underflows as 2^65 does (|log x| >= 2^-54) */
    const VM64 gen = vm64_andnot(vm64_or(vm64_or(vm64_or(xnan, ynan), dom), vm64_or(xzero, vm64_or(xinf, yinf))),
                                 vf64_eq(one, one));
    VF64 xs = vf64_select(gen, ax, one);
    const VM64 sub = vf64_lt(xs, vf64_set1(DBL_MIN));
    xs = vf64_select(sub, vf64_mul(vf64_select(sub, xs, one), vf64_set1(0x1p54)), xs);
    VF64 ys = vf64_zero_unless(gen, y);
    ys = vf64_zero_if(vf64_lt(vf64_abs(ys), vf64_set1(0x1p-64)), ys);
    ys = vf64_max(vf64_min(ys, vf64_set1(0x1p65)), vf64_set1(-0x1p65));
    VF64 ll, ze;
    const VF64 lh = ew_f64_pow_log(xs, vf64_zero_unless(sub, vf64_set1(54.0)), 1, &ll);
    const VF64 zh = ew_f64_two_prod(ys, lh, &ze);
    const VF64 zc = vf64_max(vf64_min(zh, vf64_set1(720.0)), vf64_set1(-760.0));
    const VF64 zl = vf64_zero_unless(vf64_eq(zc, zh), vf64_fma(ys, ll, ze));
    VF64 r = ew_f64_pow_exp(zc, zl, 1);
    /* glibc (so numpy) raises underflow for every subnormal result, exact
       ones too (2^-1074), which the last multiply may not: r^2 does, and
       adds 0 (r is a run-time value, no compiler folds it away) */
    const VF64 rsub = vf64_zero_unless(vf64_lt(r, vf64_set1(DBL_MIN)), r);
    r = vf64_add(r, vf64_mul(rsub, rsub));
    /* x < 0: (-1)^y |x|^y for integer y, else nan raising invalid */
    r = vf64_or(r, vf64_zero_unless(xneg, oddsign));
    r = vf64_select(dom, vf64_sqrt(vf64_select(dom, vf64_set1(-1.0), one)), r);
    /* x = +-0: y < 0 a pole (divide-by-zero), +inf, -inf for -0 and odd y;
       y > 0: +0, -0 for -0 and odd y */
    const VM64 pole = vm64_andnot(yinf, vm64_and(xzero, yneg)); /* 0^-inf = inf, no flag (numpy) */
    const VF64 zr = vf64_select(pole, vf64_div(one, vf64_zero_unless(vm64_andnot(pole, vf64_eq(one, one)), one)), zero);
    r = vf64_select(xzero, vf64_or(zr, vf64_and(x, oddsign)), r);
    /* x = +-inf: y < 0 gives 0, y > 0 inf; negative for -inf and odd y */
    r = vf64_select(xinf, vf64_or(vf64_zero_unless(ypos, inf), vf64_and(x, oddsign)), r);
    /* y = +-inf: 1 for |x| = 1, else 0 or inf by |x| < 1 and y's sign */
    const VM64 xlt1 = vf64_lt(ax, one);
    const VF64 yi = vf64_select(vf64_eq(ax, one), one, vf64_zero_unless(vm64_or(vm64_and(xlt1, yneg), vm64_andnot(xlt1, ypos)), inf));
    r = vf64_select(yinf, yi, r);
    /* nan in, nan out (quietly) ... */
    r = vf64_select(vm64_or(xnan, ynan), vf64_select(xnan, x, y), r);
    /* ... but x^0 = 1 and 1^y = 1 for any x, y */
    return vf64_select(vm64_or(vf64_eq(y, zero), vf64_eq(x, one)), one, r);
}

EW_INLINE VF64 ew_f64_power_v(VF64 x, VF64 y)
{
    /* |x| normal, 2^-60 <= |y| <= 2^63 (no product below under- or
       overflows); negative x only with integer y, the sign by y's parity */
    const uint64_t lo = ew_f64_bits(0x1p-60), hi = ew_f64_bits(0x1p63);
    const uint64_t xlo = ew_f64_bits(DBL_MIN), xhi = ew_f64_bits(DBL_MAX);
    if (EW_UNLIKELY(vm64_any(vm64_or(vi64_gt_hi(vi64_add(ew_f64_abs_bits(x), vi64_set1(PW_SIGN64 - xlo)),
                                                vi64_set1(PW_SIGN64 + (xhi - xlo))),
                                     vi64_gt_hi(vi64_add(ew_f64_abs_bits(y), vi64_set1(PW_SIGN64 - lo)),
                                                vi64_set1(PW_SIGN64 + (hi - lo))))))) {
        return ew_f64_power_slow(x, y);
    }
    VF64 sign = vf64_zero();
    const VM64 xneg = vf64_lt(x, vf64_zero());
    if (vm64_any(xneg)) {
        VM64 yodd;
        const VM64 yint = ew_f64_pow_yclass(vf64_abs(y), &yodd);
        if (EW_UNLIKELY(vm64_any(vm64_andnot(yint, xneg)))) {
            return ew_f64_power_slow(x, y);
        }
        sign = vf64_and(x, vf64_zero_unless(yodd, vf64_set1(-0.0)));
    }
    VF64 ll, ze;
    const VF64 lh = ew_f64_pow_log(vf64_abs(x), vf64_zero(), 0, &ll);
    const VF64 zh = ew_f64_two_prod(y, lh, &ze);
    if (EW_UNLIKELY(ew_f64_any_igt(ew_f64_abs_bits(zh), vi64_set1(ew_f64_bits(708.0))))) {
        return ew_f64_power_slow(x, y);
    }
    return vf64_or(ew_f64_pow_exp(zh, vf64_fma(y, ll, ze), 0), sign);
}

#endif /* EW_PASS == 1 */

#if EW_PASS == 1
EW_DEFINE_MAP2(hypot, ew_f64_hypot_v)
EW_DEFINE_MAP(cbrt, ew_f64_cbrt_v)
#else

/* float32 hypot in float64: x^2, y^2 exact, the sum and the square root
   round at 2^-53 each; hypot(+-inf, anything) = +inf, nan otherwise */
EW_INLINE VF64 ew_f32_hypot_wide(VF64 x, VF64 y)
{
    const VF64 inf = vf64_set1((double)INFINITY);
    const VF64 r = vf64_sqrt(vf64_fma(x, x, vf64_mul(y, y)));
    return vf64_select(vm64_or(vf64_eq(vf64_abs(x), inf), vf64_eq(vf64_abs(y), inf)), inf, r);
}
EW_INLINE VF32 ew_f32_hypot_v(VF32 x, VF32 y) { return EW_F32_VIA_F64_2(ew_f32_hypot_wide, x, y); }
/* float32 cbrt in float64, branch-free and without a division (a vector
   division costs as much as the rest on some cores): u ~ tt^(-1/3) within
   2^-17 (the guess's scheme with R(m) ~ m^(-1/3)), e = 1 - tt u^3 (fused,
   |e| < 2^-15.8), and cbrt(tt) = tt u^2 (1 - e)^(-2/3) = y (1 + 2e/3 +
   5e^2/9 + ...) with y = tt u^2: the omitted terms are below 2^-48, the
   roundings ~2^-51, before the one rounding to float32; exact cubes exact.
   0, inf and nan (|x| kept, the sign put back) by a select; float32 has no
   number the guess cannot take (subnormals are normal doubles). */
EW_INLINE VF64 ew_f32_cbrt_wide(VF64 x)
{
    const VF64 ax = vf64_abs(x), one = vf64_set1(1.0);
    const VM64 special = vm64_or(vf64_eq(ax, vf64_zero()), vf64_nle(ax, vf64_set1(DBL_MAX)));
    VF64 tt, t;
    const VF64 u = ew_f64_cbrt_guess_p(vf64_select(special, one, ax), vf64_zero(), 0, &tt, &t, ew_f64_rcbrt_p,
                                       EW_NCOEF(ew_f64_rcbrt_p), EW_F64_RCBRT_2, EW_F64_RCBRT_4);
    const VF64 p = vf64_mul(u, u);
    const VF64 e = vf64_fnma(tt, vf64_mul(p, u), one);
    const VF64 y0 = vf64_mul(tt, p);
    const VF64 d = vf64_mul(vf64_mul(y0, e), vf64_fma(e, vf64_set1(EW_F64_CBRT_FIVE_NINTHS), vf64_set1(EW_F64_CBRT_TWO_THIRDS)));
    const VF64 y = vf64_mul(vf64_add(y0, d), ew_f64_pow2(t));
    return vf64_or(vf64_select(special, ax, y), vf64_and(x, vf64_set1(-0.0)));
}
EW_INLINE VF32 ew_f32_cbrt_v(VF32 x) { return EW_F32_VIA_F64(ew_f32_cbrt_wide, x); }

EW_DEFINE_MAP2(hypot, ew_f32_hypot_v)
/* float32 power in float64, shorter than the float64 kernel: a float
   result needs ~2^-40 relative before its one rounding. log x = k ln2 -
   log c + r + r^2 Pf(r) (the same cells, no low parts: 2^-43.7 relative),
   z = y log x in one double (|z| <= ~104 where the float result is
   finite: |z| 2^-43.7 <= 2^-37 relative error), e^z = 2^(K/256) (1 + a +
   a^2 Qf(a)) with TH only (2^-45). Three lookups, no double-doubles,
   no clamping on the fast path (z is checked first). Where the layer's
   lookup16 is a register permute (AVX-512), no gather at all: log.h's
   16-cell float32 log (2^-44.2) and exp with 16 cells (Qf of degree 3). Lanes whose
   arguments it does not take (x <= 0, inf, nan; y inf or nan) or whose
   result is a subnormal float or 0 (z < -87: the exact cases, 2^-149 and
   the halfway 2^-150, and their flags need the correctly rounded double)
   or whose z > 700 come from the float64 kernel (the special-case table,
   the flags). Every lane's result equals that kernel's but in rare
   roundings, and the choice is per lane, never by a neighbour's.
   Here z = y log x: */
EW_INLINE VF64 ew_f32_pow_z(VF64 x, VF64 y)
{
#if SIMD_LOOKUP16_PERMUTE
    /* log.h's float32 log (16 cells, two permutes, 2^-44.2) */
    return vf64_mul(y, ew_f64_logw(x));
#else
    const uint64_t off = ew_f64_bits(EW_F64_POW_OFF);
    const VI64 ix = vi64_add(vf64_as_bits(x), vi64_set1(ew_f64_bits(1.0) - off));
    const VI64 idx = vi64_and(vi64_srli(ix, 45), vi64_set1(127));
    const VF64 m = vf64_from_bits(vi64_add(vi64_and(ix, vi64_set1((UINT64_C(1) << 52) - 1)), vi64_set1(off)));
    const VF64 kf = vf64_sub(vf64_from_bits(vi64_or(vi64_srli(ix, 52), vi64_set1(ew_f64_bits(0x1p52)))),
                             vf64_set1(0x1p52 + 1023));
    const VF64 c = vf64_lookup(ew_f64_pow_logc, idx), th = vf64_lookup(ew_f64_pow_logt_hi, idx);
    const VF64 r = vf64_fma(m, c, vf64_set1(-1.0)); /* exact if fused; else within 2^-53 */
    const VF64 l1p = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, ew_f64_pow_logf_p, EW_NCOEF(ew_f64_pow_logf_p)), r);
    const VF64 l = vf64_add(vf64_fma(kf, vf64_set1(EW_F64_POW_LN2_HI), th), vf64_fma(kf, vf64_set1(EW_F64_POW_LN2_LO), l1p));
    return vf64_mul(y, l);
#endif
}

/* e^z, |z| <= 700 (2^E normal): 2^(K/256) (1 + a + a^2 Qf(a)), 2^-45 */
EW_INLINE VF64 ew_f32_pow_e(VF64 z)
{
#if SIMD_LOOKUP16_PERMUTE
    /* 16 cells: 2^(j/16) by one permute, Qf of degree 3 (2^-47.4) */
    const VF64 magic = vf64_set1(0x1.8p52);
    const VF64 t = vf64_fma(z, vf64_set1(EW_F64_POW_EXP16_N_LN2), magic);
    const VF64 kn = vf64_sub(t, magic);
    const VI64 ki = vi64_sub(vf64_as_bits(t), vi64_set1(ew_f64_bits(0x1.8p52)));
    const VF64 a = vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP16_LN2N_LO), vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP16_LN2N_HI), z));
    const VF64 p = vf64_fma(vf64_mul(a, a), ew_f64_horner(a, ew_f64_pow_expf16_q, EW_NCOEF(ew_f64_pow_expf16_q)), a);
    const VF64 te = vf64_lookup16(ew_f64_pow_exp16, ki);
    const VI64 sb = vi64_slli(vi64_and(vi64_add(ki, vi64_set1(1023 * 16)), vi64_set1(~(uint64_t)15)), 48);
    return vf64_mul(vf64_fma(te, p, te), vf64_from_bits(sb));
#else
    const VF64 magic = vf64_set1(0x1.8p52);
    const VF64 t = vf64_fma(z, vf64_set1(EW_F64_POW_EXP_N_LN2), magic);
    const VF64 kn = vf64_sub(t, magic);
    const VI64 ki = vi64_sub(vf64_as_bits(t), vi64_set1(ew_f64_bits(0x1.8p52)));
    const VF64 a = vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP_LN2N_LO), vf64_fnma(kn, vf64_set1(EW_F64_POW_EXP_LN2N_HI), z));
    const VF64 p = vf64_fma(vf64_mul(a, a), ew_f64_horner(a, ew_f64_pow_expf_q, EW_NCOEF(ew_f64_pow_expf_q)), a);
    const VF64 te = vf64_lookup(ew_f64_pow_exp_hi, vi64_and(ki, vi64_set1(255)));
    const VI64 sb = vi64_slli(vi64_and(vi64_add(ki, vi64_set1(1023 * 256)), vi64_set1(~(uint64_t)255)), 44);
    return vf64_mul(vf64_fma(te, p, te), vf64_from_bits(sb));
#endif
}

/* the lanes of z the float64 kernel takes (see above) */
EW_INLINE VM64 ew_f32_pow_far(VF64 z)
{
    return vm64_or(vf64_lt(z, vf64_set1(-87.0)), vf64_nle(z, vf64_set1(700.0)));
}

EW_INLINE VF64 ew_f32_pow_wide(VF64 x, VF64 y)
{
    /* x in [2^-149, FLT_MAX] (a positive float), |y| <= FLT_MAX (finite) */
    const uint64_t xlo = ew_f64_bits(0x1p-149), xhi = ew_f64_bits((double)FLT_MAX);
    const VM64 bad = vm64_or(vi64_gt_hi(vi64_add(vf64_as_bits(x), vi64_set1(PW_SIGN64 - xlo)),
                                        vi64_set1(PW_SIGN64 + (xhi - xlo))),
                             vi64_gt_hi(ew_f64_abs_bits(y), vi64_set1(ew_f64_bits((double)FLT_MAX))));
    if (!EW_UNLIKELY(vm64_any(bad))) {
        const VF64 z = ew_f32_pow_z(x, y);
        if (!EW_UNLIKELY(vm64_any(ew_f32_pow_far(z)))) {
            return ew_f32_pow_e(z);
        }
    }
    /* the others' lanes as above (1^0 for the bad ones, z clamped) */
    const VF64 z = ew_f32_pow_z(vf64_select(bad, vf64_set1(1.0), x), vf64_zero_if(bad, y));
    const VF64 r = ew_f32_pow_e(vf64_max(vf64_min(z, vf64_set1(700.0)), vf64_set1(-700.0)));
    return vf64_select(vm64_or(bad, ew_f32_pow_far(z)), ew_f64_power_v(x, y), r);
}

EW_INLINE VF32 ew_f32_power_v(VF32 x, VF32 y) { return EW_F32_VIA_F64_2(ew_f32_pow_wide, x, y); }
EW_DEFINE_MAP(cbrt, ew_f32_cbrt_v)
#endif

/* numpy's power loops compute x^2, x^0.5 and x^-1 as x*x, sqrt(x) and 1/x,
   as x**2 etc. do through numpy's fast paths: each is the correctly
   rounded power, which the kernels above miss in ~0.03% of cases. The same
   bits here, so that a patched np.power(x, 2.0) agrees with x**2 (SciPy's
   optimizers compare runs that compute a square one way and the other).
   Special values as pow's: pow(-0, 0.5) = +0 and pow(-inf, 0.5) = +inf,
   where sqrt gives -0 and nan, keep the kernel's result. Only the lanes
   that take a case see their x, so no flag is raised for another lane. */
EW_INLINE V EW_(power_exact)(V x, V y, V r)
{
    const V one = EW_(c)(EWC_ONE);
    const VM sq = V_(eq)(y, EW_(k)((T)2)), rc = V_(eq)(y, EW_(k)((T)-1));
    const VM rt = VM_(andnot)(VM_(or)(V_(eq)(x, V_(zero)()), V_(eq)(x, EW_(k)((T)-INFINITY))),
                              V_(eq)(y, EW_(k)((T)0.5)));
    if (!VM_(any)(VM_(or)(VM_(or)(sq, rc), rt))) {
        return r;
    }
    const V xs = V_(select)(sq, x, one), xr = V_(select)(rt, x, one), xc = V_(select)(rc, x, one);
    r = V_(select)(sq, V_(mul)(xs, xs), r);
    r = V_(select)(rt, V_(sqrt)(xr), r);
    return V_(select)(rc, V_(div)(one, xc), r);
}

EW_INLINE V EW_(power_map_v)(V x, V y) { return EW_(power_exact)(x, y, EW_(power_v)(x, y)); }

EW_DEFINE_MAP2(power, EW_(power_map_v))
