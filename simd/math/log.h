/*
 * log.h -- the log group of elementwise.h: log, log2, log10, log1p,
 * arcsinh, arccosh, arctanh, float64 and float32. Included by elementwise.h
 * once per pass; constants from simd/math/log.json (simd/math/log.py).
 *
 * One float64 core, ew_f64_log_dd, gives log(u + ul) as an unevaluated sum
 * t + lo, accurate to ~2^-60 relative, for a positive normal u and a small
 * ul (|ul| <= ulp(u)): the low part of an argument that is itself a
 * double-word (1 + x for log1p, x + sqrt(x^2 + 1) for arcsinh, ...).
 *
 *   reduction  u = 2^k z, z in [OFF, 2 OFF), OFF ~ 0.6855, by integer
 *        operations on the bits; the top LOG_N = 7 mantissa bits of the
 *        same shifted pattern index a cell j of z, whose tables give c_j
 *        (8 significant bits, ~1/z; exactly 1 on the cell of 1) and
 *        -log(c_j) = hi_j + lo_j, hi_j on the grid 2^-42. c_j is coded in
 *        the low 8 bits of hi_j (zero bits there): two lookups, not three
 *        (gathers are slow on some cores: AMD Zen 1, 2.2 ns/element for
 *        three, measured).
 *   r = z c_j - 1 (|r| < 2^-7.4) is exact: one FMA, z c_j having at most
 *        53 + 8 bits of which the top ones cancel against 1 (log.py checks
 *        the grid). Unfused: z = zh + zl (zl its low 8 bits), zh c_j - 1
 *        exact (45 + 8 bits, then Sterbenz), zl c_j exact, and so is their
 *        sum. ul enters as r + rr = r0 + ul 2^-k c_j (2Sum; the product
 *        rounds once, a second-order error).
 *   16 cells where the layer's vf64_lookup16 is a register permute
 *        (SIMD_LOOKUP16_PERMUTE: AVX-512, where a gather of 8 lanes costs
 *        several times a permute, measured on AMD Zen 4): OFF = 0.671875,
 *        c_j of 5 bits (z c_j - 1 still exact, and |hi| >= 1.3 |r|, both
 *        checked by log.py), c_j, hi_j, lo_j from three tables of 16 (three
 *        vpermt2pd), |r| < 2^-4.4 and Q of degree 10 (2^-64.5). The rest
 *        as below.
 *   log u = k ln2 + hi_j + lo_j + log1p(r), log1p(r) = r + r^2 Q(r), Q of
 *        degree 5 (2^-60.7 relative). k LN2_HI + hi_j is exact (both on
 *        the grid 2^-42, below 2^10), then t = that + r by Fast2Sum with
 *        its rounding error e recovered (|hi| >= 1.33 |r| wherever hi != 0,
 *        checked by log.py), and lo = e + rr + k LN2_LO + lo_j + r^2 Q(r),
 *        where each rounding is at most 2^-53 of terms below 2^-8 |t| (or,
 *        on the cell of 1, below |r|/2 times |t| ~ |r|).
 *   log  t + lo: the one rounding that matters, plus ~2^-8 ULP.
 *   log2, log10  (t + lo)(IH + IL), IH 1/ln2 (1/ln10) to 26 bits: t IH as
 *        an exact pair (FMA, or t split into 26 + 27 bits), plus t IL + lo
 *        (IH + IL) (lo, up to 2^-15 t, holds log1p(r) - r). log2(2^k) = k
 *        exactly (and log10(10^k) = k where 10^k is a double): the error is
 *        far below k's half ULP.
 *   log1p  u = 1 + x with its rounding error ul (2Sum).
 *   arcsinh  log(a + sqrt(a^2 + 1)), a = |x|, the sign restored: a^2 + 1
 *        as a double-word (exact product and 2Sum), its square root as a
 *        double-word sh + sl with sl = (s - sh^2 + se) / 2sh, then a + sh by
 *        2Sum: u + ul accurate to ~2^-100 relative, so tiny a (>= 2^-27,
 *        below that asinh x rounds to x) loses nothing. a >= 2^28: log(2a)
 *        (the rest, 1/(4a^2), is below 2^-58), as log(a/2) + 2 ln2 so that
 *        2a cannot overflow.
 *   arccosh  the same with x^2 - 1 (exact as a double-word even at x ~ 1;
 *        arccosh(1) = +0).
 *   arctanh  (log(1 + a) - log(1 - a)) / 2, both as double-words from their
 *        exact sums: no cancellation (the logs have opposite signs).
 *
 * float32: computed in float64 and rounded once, by a shorter core
 * ew_f64_logw (one lookup: -log(c_j) to 45 bits and c_j, Q of degree 3, no
 * double-words: ~2^-48 relative; where lookup16 is a permute, 16 cells with
 * c_j of 24 bits and -log(c_j) rounded, two permutes, Q of degree 5:
 * ~2^-44; log, log2 and log10 there as k log_b 2 - log_b(c_j) + r P_b(r),
 * the base folded into the table and P_b), with arcsinh and arctanh
 * switching to
 * their Taylor series below 2^-8 (where the logarithm's absolute error
 * would be too large relative to the result). Every float is a normal
 * double, so subnormal inputs compute as any other (log1p, arcsinh and
 * arctanh still send them to their slow paths: their result, x, must raise
 * underflow).
 *
 * Measured against mpmath (30000 random arguments per function over its
 * range, plus arguments near 1, near the thresholds, 2^k and 10^k):
 * float64 at most 0.515 ULP and 0.08% not correctly rounded (log 0.503,
 * 0.03%), the same on the scalar, SSE2, AVX2 and NEON layers (fused and
 * unfused differ in a few last bits; the 16-cell reduction of AVX-512: at
 * most 0.502 ULP, 0.10% not correctly rounded, log2); float32 correctly
 * rounded on every sample.
 *
 * No division is left in log (arcsinh, arccosh, arctanh divide once).
 *
 * Special values as C99 Annex F and numpy: log*(+-0) = -inf, log1p(-1) =
 * -inf and arctanh(+-1) = +-inf raising divide-by-zero; log*(x < 0),
 * log1p(x < -1), arccosh(x < 1), |arctanh| > 1 give nan raising invalid;
 * tiny arguments of log1p, arcsinh, arctanh give x (-0 stays -0),
 * raising underflow if x is subnormal; inf and nan as numpy. arctanh's
 * partial vectors are padded with 0.5, not the drivers' 1.0 (arctanh(1)
 * raises divide-by-zero).
 */

#define SIMD_HAVE_slog SIMD_YES
#define SIMD_HAVE_dlog SIMD_YES
#define SIMD_HAVE_slog2 SIMD_YES
#define SIMD_HAVE_dlog2 SIMD_YES
#define SIMD_HAVE_slog10 SIMD_YES
#define SIMD_HAVE_dlog10 SIMD_YES
#define SIMD_HAVE_slog1p SIMD_YES
#define SIMD_HAVE_dlog1p SIMD_YES
#define SIMD_HAVE_sarcsinh SIMD_YES
#define SIMD_HAVE_darcsinh SIMD_YES
#define SIMD_HAVE_sarccosh SIMD_YES
#define SIMD_HAVE_darccosh SIMD_YES
#define SIMD_HAVE_sarctanh SIMD_YES
#define SIMD_HAVE_darctanh SIMD_YES

/* ------------- the float64 cores (defined once, in pass 1) ------------- */
#if EW_PASS == 1

#define EW_LOG_N 7 /* log.py's LOG_N: the table has 2^EW_LOG_N cells */

/* u = 2^k z: z, the cell index j, k as a double, and 2^-k (valid for k <=
   1022, else 0 or garbage: only multiplied by a zero ul there) */
EW_INLINE VF64 ew_f64_log_reduce_n(VF64 u, VI64 *j, VF64 *kf, VF64 *scale, double offv, int nbits, int mask)
{
    const uint64_t off = ew_f64_bits(offv), one = ew_f64_bits(1.0), expo = (uint64_t)0x7ff << 52;
    const VI64 ix = vi64_add(vf64_as_bits(u), vi64_set1(one - off));
    *j = vi64_srli(ix, 52 - nbits);
    if (mask) {
        *j = vi64_and(*j, vi64_set1(((uint64_t)1 << nbits) - 1));
    }
    /* biased k (< 2^11) into the mantissa of 2^52, then subtract 2^52 + bias */
    const VF64 kb = vf64_from_bits(vi64_or(vi64_srli(ix, 52), vi64_set1(ew_f64_bits(0x1p52))));
    *kf = vf64_sub(kb, vf64_set1(0x1p52 + 1023));
    *scale = vf64_from_bits(vi64_sub(vi64_set1((uint64_t)2046 << 52), vi64_and(ix, vi64_set1(expo))));
    return vf64_from_bits(vi64_add(vi64_and(ix, vi64_set1(~expo & ~((uint64_t)1 << 63))), vi64_set1(off)));
}

EW_INLINE VF64 ew_f64_log_reduce(VF64 u, VI64 *j, VF64 *kf, VF64 *scale)
{
    return ew_f64_log_reduce_n(u, j, kf, scale, EW_F64_LOG_OFF, EW_LOG_N, 1);
}

/* a table value whose low 8 bits code c_j (see log.py): c_j, and the value
   with those bits cleared */
EW_INLINE VF64 ew_f64_log_unpack(VF64 v, VF64 *c)
{
    const VI64 b = vf64_as_bits(v);
    *c = vf64_from_bits(vi64_add(vi64_slli(vi64_and(b, vi64_set1(0xff)), 45), vi64_set1(ew_f64_bits(0.5))));
    return vf64_from_bits(vi64_and(b, vi64_set1(~(uint64_t)0xff)));
}

/* log(u + ul) = t + *lo (see the header), u positive normal; kadj (if
   wide) is subtracted from k; ul is used if has_ul */
EW_INLINE VF64 ew_f64_log_dd(VF64 u, VF64 ul, VF64 kadj, int wide, int has_ul, VF64 *lo)
{
    VI64 j;
    VF64 kf, scale;
#if SIMD_LOOKUP16_PERMUTE
    /* 16 cells (c_j of 5 bits, Q of degree 10): three permutes, no gather
       (float64 log 1.37 -> ~1.0 ns/element on AMD Zen 4) */
    const VF64 z = ew_f64_log_reduce_n(u, &j, &kf, &scale, EW_F64_LOG16_OFF, 4, 0);
    const VF64 c = vf64_lookup16(ew_f64_log16_c, j);
    const VF64 lh = vf64_lookup16(ew_f64_log16_hi, j);
    const VF64 ll = vf64_lookup16(ew_f64_log16_lo, j);
#define EW_LOG_DD_Q ew_f64_log16_q
#else
    const VF64 z = ew_f64_log_reduce(u, &j, &kf, &scale);
    VF64 c;
    const VF64 lh = ew_f64_log_unpack(vf64_lookup(ew_f64_log_hic, j), &c);
    const VF64 ll = vf64_lookup(ew_f64_log_lo, j);
#define EW_LOG_DD_Q ew_f64_log_q
#endif
    if (wide) {
        kf = vf64_sub(kf, kadj);
    }
    const VF64 one = vf64_set1(1.0);
#if SIMD_FMA_NATIVE
    const VF64 r0 = vf64_fma(z, c, vf64_sub(vf64_zero(), one)); /* exact */
#else
    /* zh c - 1 and zl c are exact, and so is their sum, z c - 1 */
    const VF64 zh = vf64_and(z, vf64_from_bits(vi64_set1(~(uint64_t)0xff)));
    const VF64 r0 = vf64_add(vf64_sub(vf64_mul(zh, c), one), vf64_mul(vf64_sub(z, zh), c));
#endif
    /* r = r0 + ul 2^-k c rounded, and its error rr (2Sum): it may cancel
       much of r0 (log1p of x ~ -2^-54), and only t may be of the result's
       size */
    VF64 r = r0, rr = vf64_zero();
    if (has_ul) {
        const VF64 d = vf64_mul(vf64_mul(ul, scale), c);
        r = vf64_add(r0, d);
        const VF64 b = vf64_sub(r, r0);
        rr = vf64_add(vf64_sub(r0, vf64_sub(r, b)), vf64_sub(d, b));
    }
    const VF64 hi = vf64_fma(kf, vf64_set1(EW_F64_LOG_LN2_HI), lh); /* exact */
    const VF64 t = vf64_add(hi, r);
    const VF64 e = vf64_add(vf64_sub(hi, t), r); /* Fast2Sum */
    VF64 l0 = vf64_add(vf64_fma(kf, vf64_set1(EW_F64_LOG_LN2_LO), ll), e);
    if (has_ul) {
        l0 = vf64_add(l0, rr);
    }
    const VF64 q = ew_f64_horner(r, EW_LOG_DD_Q, EW_NCOEF(EW_LOG_DD_Q));
    *lo = vf64_fma(vf64_mul(r, r), q, l0);
    return t;
#undef EW_LOG_DD_Q
}

enum { EW_LOG_E, EW_LOG_2, EW_LOG_10 };

/* t + lo, times 1/ln2 or 1/ln10 as a double-word for log2, log10 */
EW_INLINE VF64 ew_f64_log_fin(VF64 t, VF64 lo, int base)
{
    if (base == EW_LOG_E) {
        return vf64_add(t, lo);
    }
    const VF64 ih = vf64_set1(base == EW_LOG_2 ? EW_F64_LOG_INVLN2_HI : EW_F64_LOG_INVLN10_HI);
    const VF64 il = vf64_set1(base == EW_LOG_2 ? EW_F64_LOG_INVLN2_LO : EW_F64_LOG_INVLN10_LO);
#if SIMD_FMA_NATIVE
    const VF64 p = vf64_mul(t, ih);
    const VF64 pe = vf64_fma(t, ih, vf64_sub(vf64_zero(), p)); /* exact */
#else
    const VF64 th = vf64_and(t, vf64_from_bits(vi64_set1(~(uint64_t)0x7ffffff)));
    const VF64 p = vf64_mul(th, ih);                /* exact: 26 x 26 bits */
    const VF64 pe = vf64_mul(vf64_sub(t, th), ih);  /* exact: 27 x 26 bits */
#endif
    /* lo is up to 2^-15 t (it holds log1p(r) - r): times the full 1/ln b */
    const VF64 ib = vf64_set1(base == EW_LOG_2 ? EW_F64_LOG_INVLN2 : EW_F64_LOG_INVLN10);
    return vf64_add(p, vf64_add(pe, vf64_fma(t, il, vf64_mul(lo, ib))));
}

/* log, log2, log10 of the lanes that are not positive normal numbers (and
   the others of their vector) */
EW_INLINE VF64 ew_f64_log_special(VF64 x, int base)
{
    const VF64 zero = vf64_zero(), one = vf64_set1(1.0);
    const VM64 nan = vf64_isnan(x);
    const VM64 neg = vf64_lt(x, zero); /* includes -inf, not -0 */
    const VM64 isz = vf64_eq(x, zero); /* +-0 */
    const VM64 pinf = vf64_eq(x, vf64_set1(INFINITY));
    const VM64 sub = vm64_andnot(vm64_or(isz, neg), vf64_lt(x, vf64_set1(DBL_MIN)));
    const VM64 bad = vm64_or(vm64_or(nan, neg), vm64_or(isz, pinf));
    /* subnormals scaled by 2^52 (exactly); the multiply only sees them */
    const VF64 xsub = vf64_mul(vf64_select(sub, x, one), vf64_set1(0x1p52));
    const VF64 xs = vf64_select(sub, xsub, vf64_select(bad, one, x));
    VF64 lo;
    const VF64 t = ew_f64_log_dd(xs, zero, vf64_zero_unless(sub, vf64_set1(52.0)), 1, 0, &lo);
    VF64 y = ew_f64_log_fin(t, lo, base);
    /* the special results, raising the flags IEEE asks for in those lanes
       only: -1/0 = -inf (divide-by-zero), sqrt(-1) = nan (invalid) */
    y = vf64_select(isz, vf64_div(vf64_set1(-1.0), vf64_zero_if(isz, one)), y);
    y = vf64_select(neg, vf64_sqrt(vf64_select(neg, vf64_set1(-1.0), one)), y);
    return vf64_select(vm64_or(pinf, nan), x, y); /* log(inf) = inf, nan stays */
}

EW_NOINLINE VF64 ew_f64_log_slow(VF64 x, int base) { return ew_f64_log_special(x, base); }

EW_INLINE VF64 ew_f64_log_base_v(VF64 x, int base)
{
    /* positive normal numbers are the bit patterns [bits(MIN), bits(MAX)] */
    if (EW_UNLIKELY(ew_f64_any_outside(vf64_as_bits(x), ew_f64_bits(DBL_MIN), ew_f64_bits(DBL_MAX)))) {
        return ew_f64_log_slow(x, base);
    }
    VF64 lo;
    const VF64 t = ew_f64_log_dd(x, x, x, 0, 0, &lo);
    return ew_f64_log_fin(t, lo, base);
}

/* The float32 functions' core, in float64: log u for a positive normal u
   (or garbage, raising nothing, for any other u), relative error ~2^-48:
   k ln2 + L_j rounds twice (2^-53 each), r = z c - 1 is exact fused (and
   within 2^-53 of z c otherwise, where z c ~ 1), log1p(r) = r + r^2 Q(r). */
EW_INLINE VF64 ew_f64_logw(VF64 u)
{
#if SIMD_LOOKUP16_PERMUTE
    /* where a 16-value table is a register permute (AVX-512): 16 cells,
       c_j and -log(c_j) from two permutes instead of a gather (and no
       unpacking), Q of degree 5 for the larger r (|r| < 2^-5, 2^-44.2):
       float32 log 1.0 -> ~0.6 ns/element on AMD Zen 4. r = z c_j - 1 is
       exact: z is a float (24 bits), c_j has 24 bits. lookup16 reads the
       low 4 bits of the shifted pattern, the cell. */
    VI64 j;
    VF64 kf, scale;
    const VF64 z = ew_f64_log_reduce_n(u, &j, &kf, &scale, EW_F64_LOG16_OFF, 4, 0);
    const VF64 r = vf64_fma(z, vf64_lookup16(ew_f64_logw16_c, j), vf64_set1(-1.0));
    const VF64 q = ew_f64_horner(r, ew_f64_logw16_q, EW_NCOEF(ew_f64_logw16_q));
    return vf64_add(vf64_fma(kf, vf64_set1(EW_F64_LOG_LN2), vf64_lookup16(ew_f64_logw16_l, j)), vf64_fma(vf64_mul(r, r), q, r));
#else
    VI64 j;
    VF64 kf, scale;
    const VF64 z = ew_f64_log_reduce(u, &j, &kf, &scale);
    VF64 c;
    const VF64 l = ew_f64_log_unpack(vf64_lookup(ew_f64_logw_lc, j), &c);
    const VF64 r = vf64_fma(z, c, vf64_set1(-1.0));
    const VF64 q = ew_f64_horner(r, ew_f64_logw_q, EW_NCOEF(ew_f64_logw_q));
    return vf64_add(vf64_fma(kf, vf64_set1(EW_F64_LOG_LN2), l), vf64_fma(vf64_mul(r, r), q, r));
#endif
}

#endif /* EW_PASS == 1: the float64 cores */

/* ---------------- log ---------------- */

#if EW_PASS == 1
EW_INLINE V EW_(log_v)(V x) { return ew_f64_log_base_v(x, EW_LOG_E); }
EW_INLINE V EW_(log2_v)(V x) { return ew_f64_log_base_v(x, EW_LOG_2); }
EW_INLINE V EW_(log10_v)(V x) { return ew_f64_log_base_v(x, EW_LOG_10); }
#else

/* log, log2, log10 of floats: every positive float (subnormals too) is a
   normal double; other lanes go through ew_f64_logw as 1 and are fixed */
EW_INLINE VF64 ew_f32_logw_base(VF64 u, int base)
{
#if SIMD_LOOKUP16_PERMUTE
    /* log_b u = k log_b 2 - log_b(c_j) + r P_b(r) (the 16-cell reduction of
       ew_f64_logw, P_b = log1p(r) / (r ln b) of degree 6, 2^-44.3): one FMA
       after the polynomial, no multiply by 1/ln b (three operations fewer
       for log2 and log10, one for log) */
    VI64 j;
    VF64 kf, scale;
    const VF64 z = ew_f64_log_reduce_n(u, &j, &kf, &scale, EW_F64_LOG16_OFF, 4, 0);
    const VF64 r = vf64_fma(z, vf64_lookup16(ew_f64_logw16_c, j), vf64_set1(-1.0));
    VF64 hi, p;
    if (base == EW_LOG_E) {
        hi = vf64_fma(kf, vf64_set1(EW_F64_LOG_LN2), vf64_lookup16(ew_f64_logw16_l, j));
        p = ew_f64_horner(r, ew_f64_logw16_pe, EW_NCOEF(ew_f64_logw16_pe));
    } else if (base == EW_LOG_2) {
        hi = vf64_add(kf, vf64_lookup16(ew_f64_logw16_l2, j)); /* k exact */
        p = ew_f64_horner(r, ew_f64_logw16_p2, EW_NCOEF(ew_f64_logw16_p2));
    } else {
        hi = vf64_fma(kf, vf64_set1(EW_F64_LOG_LOG10_2), vf64_lookup16(ew_f64_logw16_l10, j));
        p = ew_f64_horner(r, ew_f64_logw16_p10, EW_NCOEF(ew_f64_logw16_p10));
    }
    return vf64_fma(r, p, hi);
#endif
#if !SIMD_LOOKUP16_PERMUTE
    const VF64 y = ew_f64_logw(u);
    return base == EW_LOG_E ? y : vf64_mul(y, vf64_set1(base == EW_LOG_2 ? EW_F64_LOG_INVLN2 : EW_F64_LOG_INVLN10));
#endif
}

EW_INLINE VF32 ew_f32_log_special(VF32 x, int base)
{
    const VF32 zero = vf32_zero(), one = vf32_set1(1.0f);
    const VM32 nan = vf32_isnan(x);
    const VM32 neg = vf32_lt(x, zero);
    const VM32 isz = vf32_eq(x, zero);
    const VM32 pinf = vf32_eq(x, vf32_set1(INFINITY));
    const VM32 bad = vm32_or(vm32_or(nan, neg), vm32_or(isz, pinf));
    const VF32 xs = vf32_select(bad, one, x);
    VF32 y = vf32_cvt_f64_pair(ew_f32_logw_base(vf64_cvt_f32_lo(xs), base), ew_f32_logw_base(vf64_cvt_f32_hi(xs), base));
    y = vf32_select(isz, vf32_div(vf32_set1(-1.0f), vf32_zero_if(isz, one)), y);
    y = vf32_select(neg, vf32_sqrt(vf32_select(neg, vf32_set1(-1.0f), one)), y);
    return vf32_select(vm32_or(pinf, nan), x, y);
}

EW_NOINLINE VF32 ew_f32_log_slow(VF32 x, int base) { return ew_f32_log_special(x, base); }

EW_INLINE VF32 ew_f32_log_base_v(VF32 x, int base)
{
    /* positive finite floats: the bit patterns [1, bits(FLT_MAX)] */
    if (EW_UNLIKELY(ew_f32_any_outside(vf32_as_bits(x), 1, ew_f32_bits(FLT_MAX)))) {
        return ew_f32_log_slow(x, base);
    }
    return vf32_cvt_f64_pair(ew_f32_logw_base(vf64_cvt_f32_lo(x), base), ew_f32_logw_base(vf64_cvt_f32_hi(x), base));
}

EW_INLINE V EW_(log_v)(V x) { return ew_f32_log_base_v(x, EW_LOG_E); }
EW_INLINE V EW_(log2_v)(V x) { return ew_f32_log_base_v(x, EW_LOG_2); }
EW_INLINE V EW_(log10_v)(V x) { return ew_f32_log_base_v(x, EW_LOG_10); }
#endif

EW_DEFINE_MAP(log, EW_(log_v))
EW_DEFINE_MAP(log2, EW_(log2_v))
EW_DEFINE_MAP(log10, EW_(log10_v))

/* ---------------- log1p ---------------- */

/* log1p below it: x (x^2/2 is below half an ULP); float64 also sends
   arguments above LOG1P_HUGE to the slow path (2^-k must stay normal) */
#define EW_F64_LOG1P_TINY 0x1p-54
#define EW_F64_LOG1P_HUGE 0x1p1000
#define EW_F32_LOG1P_TINY 0x1p-25

#if EW_PASS == 1

/* log(1 + x) for x > -1 (or garbage, raising nothing, for other finite
   x): 1 + x = u + ul exactly (2Sum) */
EW_INLINE VF64 ew_f64_log1p_core(VF64 x, VF64 kadj, int wide, VF64 *lo)
{
    const VF64 one = vf64_set1(1.0);
    const VF64 u = vf64_add(one, x), b = vf64_sub(u, one);
    const VF64 ul = vf64_add(vf64_sub(one, vf64_sub(u, b)), vf64_sub(x, b));
    return ew_f64_log_dd(u, ul, kadj, wide, 1, lo);
}

EW_NOINLINE VF64 ew_f64_log1p_slow(VF64 x)
{
    const VF64 ax = vf64_abs(x), one = vf64_set1(1.0), inf = vf64_set1(INFINITY);
    const VM64 nan = vf64_isnan(x), pinf = vf64_eq(x, inf);
    const VM64 big = vm64_andnot(pinf, vf64_lt(vf64_set1(EW_F64_LOG1P_HUGE), x));
    const VM64 m1 = vf64_eq(x, vf64_set1(-1.0)), lt1 = vf64_lt(x, vf64_set1(-1.0));
    const VM64 tiny = vf64_lt(ax, vf64_set1(EW_F64_LOG1P_TINY));
    const VM64 other = vm64_or(vm64_or(vm64_or(nan, pinf), vm64_or(big, m1)), vm64_or(lt1, tiny));
    /* huge x: log(x 2^-64) + 64 ln2 (1/x is below 2^-1000) */
    const VF64 xs = vf64_select(other, vf64_set1(0.5), x);
    VF64 lo;
    const VF64 t = ew_f64_log1p_core(xs, vf64_zero(), 0, &lo);
    const VF64 xb = vf64_mul(vf64_select(big, x, one), vf64_set1(0x1p-64));
    VF64 lob;
    const VF64 tb = ew_f64_log_dd(xb, xb, vf64_set1(-64.0), 1, 0, &lob);
    VF64 y = vf64_select(big, vf64_add(tb, lob), vf64_add(t, lo));
    /* tiny x: x, raising underflow if subnormal (x 2^-60 underflows there) */
    const VF64 xsub = vf64_zero_unless(vf64_lt(ax, vf64_set1(DBL_MIN)), x);
    y = vf64_select(tiny, vf64_add(x, vf64_mul(xsub, vf64_set1(0x1p-60))), y);
    y = vf64_select(m1, vf64_div(vf64_set1(-1.0), vf64_zero_if(m1, one)), y);
    y = vf64_select(lt1, vf64_sqrt(vf64_select(lt1, vf64_set1(-1.0), one)), y);
    return vf64_select(vm64_or(pinf, nan), x, y);
}

EW_INLINE V EW_(log1p_v)(V x)
{
    /* TINY <= |x| <= HUGE (no inf, nan) and x > -1 */
    if (EW_UNLIKELY(EW_(any_outside)(EW_(abs_bits)(x), EW_(bits)(EW_F64_LOG1P_TINY), EW_(bits)(EW_F64_LOG1P_HUGE)) ||
                    VM_(any)(V_(le)(x, EW_(k)(-1.0))))) {
        return ew_f64_log1p_slow(x);
    }
    VF64 lo;
    const VF64 t = ew_f64_log1p_core(x, x, 0, &lo);
    return vf64_add(t, lo);
}

#else

/* float32 x > -1, in float64: 1 + x is exact for |x| >= 2^-29 (and within
   2^-53 beyond 2^53); below 2^-25 log1p x = x - x^2/2 (x^3/3 < 2^-51 x) */
EW_INLINE VF64 ew_f32_log1p_wide(VF64 x)
{
    const VF64 y = ew_f64_logw(vf64_add(vf64_set1(1.0), x));
    const VF64 ys = vf64_fma(x, vf64_mul(x, vf64_set1(-0.5)), x);
    return vf64_select(vf64_lt(vf64_abs(x), vf64_set1(EW_F32_LOG1P_TINY)), ys, y);
}

/* nonzero |x| < FLT_MIN: their results (x) must raise underflow */
EW_INLINE VM32 ew_f32_is_subnormal(VF32 x)
{
    const VI32 b = vi32_sub(ew_f32_abs_bits(x), vi32_set1(1)); /* 0 -> -1 */
    return vm32_and(vi32_gt(b, vi32_set1((uint32_t)-1)), vi32_gt(vi32_set1(ew_f32_bits(FLT_MIN) - 1), b));
}

/* y, and x + x 2^-60 (x, raising underflow) in the subnormal lanes */
EW_INLINE VF32 ew_f32_tiny_fix(VF32 x, VF32 y)
{
    const VM32 sub = ew_f32_is_subnormal(x);
    return vf32_select(sub, vf32_add(x, vf32_mul(vf32_zero_unless(sub, x), vf32_set1(0x1p-60f))), y);
}

EW_NOINLINE VF32 ew_f32_log1p_slow(VF32 x)
{
    const VF32 one = vf32_set1(1.0f);
    const VM32 nan = vf32_isnan(x), pinf = vf32_eq(x, vf32_set1(INFINITY));
    const VM32 m1 = vf32_eq(x, vf32_set1(-1.0f)), lt1 = vf32_lt(x, vf32_set1(-1.0f));
    const VF32 xs = vf32_zero_if(vm32_or(vm32_or(nan, pinf), vm32_or(m1, lt1)), x);
    VF32 y = ew_f32_tiny_fix(x, EW_F32_VIA_F64(ew_f32_log1p_wide, xs));
    y = vf32_select(m1, vf32_div(vf32_set1(-1.0f), vf32_zero_if(m1, one)), y);
    y = vf32_select(lt1, vf32_sqrt(vf32_select(lt1, vf32_set1(-1.0f), one)), y);
    return vf32_select(vm32_or(pinf, nan), x, y);
}

EW_INLINE V EW_(log1p_v)(V x)
{
    /* x > -1, finite, and not subnormal */
    if (EW_UNLIKELY(VM_(any)(VM_(or)(VM_(or)(V_(le)(x, EW_(k)(-1.0f)), V_(nle)(x, EW_(k)(FLT_MAX))),
                                     ew_f32_is_subnormal(x))))) {
        return ew_f32_log1p_slow(x);
    }
    return EW_F32_VIA_F64(ew_f32_log1p_wide, x);
}

#endif

EW_DEFINE_MAP(log1p, EW_(log1p_v))

/* ---------------- arcsinh, arccosh, arctanh ---------------- */

/* the cores' bounds: below TINY asinh x and atanh x round to x (x^3/3 is
   below half an ULP); above BIG asinh x = log(2x) + 1/(4x^2) and acosh x =
   log(2x) - 1/(4x^2) within 2^-10 ULP; float32 switches to the series below
   SERIES */
#define EW_F64_AHYP_TINY 0x1p-27
#define EW_F64_AHYP_BIG 0x1p28
#define EW_F64_AHYP_SERIES 0x1p-8

#if EW_PASS == 1


/* sh + *sl = sqrt(s + se), s > 0 or s = se = 0 (then 0): sl = (s - sh^2 +
   se) / (2 sh), the residual exact */
EW_INLINE VF64 ew_f64_log_sqrt_dd(VF64 s, VF64 se, VF64 *sl)
{
    const VF64 sh = vf64_sqrt(s);
    /* s - sh^2 is a double (sh is the rounded root) */
#if SIMD_FMA_NATIVE
    const VF64 res = vf64_add(vf64_fnma(sh, sh, s), se);
#else
    VF64 qe;
    const VF64 q = ew_f64_two_prod(sh, sh, &qe);
    const VF64 res = vf64_add(vf64_sub(vf64_sub(s, q), qe), se);
#endif
    const VF64 two_sh = vf64_max(vf64_add(sh, sh), vf64_set1(DBL_MIN)); /* 0/MIN = 0 */
    *sl = vf64_div(res, two_sh);
    return sh;
}

/* log(vh + vl) for v = x + sqrt(x^2 + sgn) (sgn = +1 asinh, -1 acosh),
   finite x >= TINY (asinh) or >= 1 (acosh): the square root on x clamped to
   BIG; beyond, log(x/2) + 2 ln2 (no overflow of 2x, and 2^-k stays
   harmless: the core's ul is 0 there) */
EW_INLINE VF64 ew_f64_ahyp_core(VF64 x, int acosh)
{
    const VF64 one = vf64_set1(1.0);
    const VM64 big = vf64_lt(vf64_set1(EW_F64_AHYP_BIG), x);
    const VF64 xm = vf64_min(x, vf64_set1(EW_F64_AHYP_BIG));
    VF64 pe, s, se;
    const VF64 p = ew_f64_two_prod(xm, xm, &pe);
    if (!acosh) {
        /* 1 + p by 2Sum */
        s = vf64_add(p, one);
        const VF64 b = vf64_sub(s, p);
        se = vf64_add(vf64_add(vf64_sub(p, vf64_sub(s, b)), vf64_sub(one, b)), pe);
    } else {
        /* p - 1 (p >= 1: Fast2Sum), then its sum with w = pe + e1, again
           by Fast2Sum: |w| <= 2^-53 p while p - 1 >= 2^-51 (x > 1) or both
           are 0 (x = 1) */
        const VF64 s1 = vf64_sub(p, one);
        const VF64 w = vf64_add(vf64_sub(vf64_sub(p, s1), one), pe);
        s = vf64_add(s1, w);
        se = vf64_add(vf64_sub(s1, s), w);
    }
    VF64 sl;
    const VF64 sh = ew_f64_log_sqrt_dd(s, se, &sl);
    /* xm + sh by Fast2Sum: asinh sh > xm, acosh xm > sh */
    const VF64 big_op = acosh ? xm : sh, small_op = acosh ? sh : xm;
    const VF64 vh = vf64_add(big_op, small_op);
    const VF64 vl = vf64_add(vf64_sub(small_op, vf64_sub(vh, big_op)), sl);
    const VF64 u = vf64_select(big, vf64_mul(x, vf64_set1(0.5)), vh);
    VF64 lo;
    const VF64 t = ew_f64_log_dd(u, vf64_zero_if(big, vl), vf64_zero_unless(big, vf64_set1(-2.0)), 1, 1, &lo);
    return vf64_add(t, lo);
}

/* atanh a = (log(1 + a) - log(1 - a)) / 2, TINY <= a < 1: 1 +- a exactly
   as double-words (Fast2Sum), the two logs' heads subtracted by 2Sum */
EW_INLINE VF64 ew_f64_atanh_core(VF64 a)
{
    const VF64 one = vf64_set1(1.0), zero = vf64_zero();
    const VF64 u1 = vf64_add(one, a), u2 = vf64_sub(one, a);
    const VF64 e1 = vf64_sub(a, vf64_sub(u1, one));
    const VF64 e2 = vf64_sub(vf64_sub(zero, a), vf64_sub(u2, one));
    VF64 lo1, lo2;
    const VF64 t1 = ew_f64_log_dd(u1, e1, zero, 0, 1, &lo1);
    const VF64 t2 = ew_f64_log_dd(u2, e2, zero, 0, 1, &lo2);
    const VF64 s = vf64_sub(t1, t2), b = vf64_sub(s, t1);
    const VF64 es = vf64_add(vf64_sub(t1, vf64_sub(s, b)), vf64_sub(vf64_sub(zero, t2), b));
    return vf64_mul(vf64_add(s, vf64_add(es, vf64_sub(lo1, lo2))), vf64_set1(0.5));
}

/* x + x 2^-60 in the lanes with |x| < MIN: x, raising underflow */
EW_INLINE VF64 ew_f64_log_tiny(VF64 x)
{
    const VF64 xsub = vf64_zero_unless(vf64_lt(vf64_abs(x), vf64_set1(DBL_MIN)), x);
    return vf64_add(x, vf64_mul(xsub, vf64_set1(0x1p-60)));
}

EW_INLINE VF64 ew_f64_sign_of(VF64 x) { return vf64_and(x, vf64_from_bits(vi64_set1((uint64_t)1 << 63))); }

EW_NOINLINE VF64 ew_f64_asinh_slow(VF64 x)
{
    const VF64 a = vf64_abs(x);
    const VM64 nonfinite = vf64_nle(a, vf64_set1(DBL_MAX)); /* inf, nan */
    const VM64 tiny = vf64_lt(a, vf64_set1(EW_F64_AHYP_TINY));
    const VF64 y = ew_f64_ahyp_core(vf64_select(vm64_or(nonfinite, tiny), vf64_set1(1.0), a), 0);
    return vf64_select(nonfinite, x, vf64_select(tiny, ew_f64_log_tiny(x), vf64_xor(y, ew_f64_sign_of(x))));
}

EW_NOINLINE VF64 ew_f64_acosh_slow(VF64 x)
{
    const VF64 one = vf64_set1(1.0);
    const VM64 nan = vf64_isnan(x), pinf = vf64_eq(x, vf64_set1(INFINITY));
    const VM64 lt1 = vf64_lt(x, one);
    const VF64 y = ew_f64_ahyp_core(vf64_select(vm64_or(vm64_or(nan, pinf), lt1), one, x), 1);
    /* x < 1: sqrt(-1) = nan, raising invalid */
    return vf64_select(vm64_or(nan, pinf), x, vf64_select(lt1, vf64_sqrt(vf64_select(lt1, vf64_set1(-1.0), one)), y));
}

EW_NOINLINE VF64 ew_f64_atanh_slow(VF64 x)
{
    const VF64 a = vf64_abs(x), one = vf64_set1(1.0);
    const VM64 nan = vf64_isnan(x), is1 = vf64_eq(a, one), gt1 = vf64_lt(one, a);
    const VM64 tiny = vf64_lt(a, vf64_set1(EW_F64_AHYP_TINY));
    const VM64 other = vm64_or(vm64_or(nan, is1), vm64_or(gt1, tiny));
    VF64 y = vf64_xor(ew_f64_atanh_core(vf64_select(other, vf64_set1(0.5), a)), ew_f64_sign_of(x));
    y = vf64_select(tiny, ew_f64_log_tiny(x), y);
    /* +-1: +-1/0 = +-inf (divide-by-zero); |x| > 1: sqrt(-1) = nan (invalid) */
    y = vf64_select(is1, vf64_div(x, vf64_zero_if(is1, one)), y);
    y = vf64_select(gt1, vf64_sqrt(vf64_select(gt1, vf64_set1(-1.0), one)), y);
    return vf64_select(nan, x, y);
}

EW_INLINE V EW_(arcsinh_v)(V x)
{
    const VI ax = EW_(abs_bits)(x);
    if (EW_UNLIKELY(EW_(any_outside)(ax, EW_(bits)(EW_F64_AHYP_TINY), EW_(bits)(DBL_MAX)))) {
        return ew_f64_asinh_slow(x);
    }
    return vf64_xor(ew_f64_ahyp_core(vf64_abs(x), 0), ew_f64_sign_of(x));
}

EW_INLINE V EW_(arccosh_v)(V x)
{
    if (EW_UNLIKELY(EW_(any_outside)(V_(as_bits)(x), EW_(bits)(1.0), EW_(bits)(DBL_MAX)))) {
        return ew_f64_acosh_slow(x);
    }
    return ew_f64_ahyp_core(x, 1);
}

EW_INLINE V EW_(arctanh_v)(V x)
{
    const VI ax = EW_(abs_bits)(x);
    if (EW_UNLIKELY(EW_(any_outside)(ax, EW_(bits)(EW_F64_AHYP_TINY), EW_(bits)(1.0) - 1))) {
        return ew_f64_atanh_slow(x);
    }
    return vf64_xor(ew_f64_atanh_core(vf64_abs(x)), ew_f64_sign_of(x));
}

#else /* float32, in float64 */

/* asinh a for 0 <= a <= FLT_MAX: the series below SERIES, else log(a +
   sqrt(a^2 + 1)) (within ~2^-51 absolute: 2^-43 relative from 2^-8 on) */
EW_INLINE VF64 ew_f32_asinh_wide(VF64 a)
{
    const VF64 z = vf64_mul(a, a);
    const VF64 y = ew_f64_logw(vf64_add(a, vf64_sqrt(vf64_add(z, vf64_set1(1.0)))));
    const VF64 ys = vf64_fma(vf64_mul(a, z), ew_f64_horner(z, ew_f64_asinhw_s, EW_NCOEF(ew_f64_asinhw_s)), a);
    return vf64_select(vf64_lt(a, vf64_set1(EW_F64_AHYP_SERIES)), ys, y);
}

/* acosh x, 1 <= x <= FLT_MAX: x^2 - 1 is exact (or within 2^-53) */
EW_INLINE VF64 ew_f32_acosh_wide(VF64 x)
{
    return ew_f64_logw(vf64_add(x, vf64_sqrt(vf64_fma(x, x, vf64_set1(-1.0)))));
}

/* atanh a, 0 <= a < 1: the series below SERIES, else log((1 + a)/(1 - a))/2
   (1 +- a exact) */
EW_INLINE VF64 ew_f32_atanh_wide(VF64 a)
{
    const VF64 one = vf64_set1(1.0), z = vf64_mul(a, a);
    const VF64 y = vf64_mul(ew_f64_logw(vf64_div(vf64_add(one, a), vf64_sub(one, a))), vf64_set1(0.5));
    const VF64 ys = vf64_fma(vf64_mul(a, z), ew_f64_horner(z, ew_f64_atanhw_s, EW_NCOEF(ew_f64_atanhw_s)), a);
    return vf64_select(vf64_lt(a, vf64_set1(EW_F64_AHYP_SERIES)), ys, y);
}

EW_INLINE VF32 ew_f32_sign_of(VF32 x) { return vf32_and(x, vf32_from_bits(vi32_set1((uint32_t)1 << 31))); }

EW_NOINLINE VF32 ew_f32_asinh_slow(VF32 x)
{
    const VF32 a = vf32_abs(x);
    const VM32 nonfinite = vf32_nle(a, vf32_set1(FLT_MAX));
    const VF32 y = vf32_xor(EW_F32_VIA_F64(ew_f32_asinh_wide, vf32_zero_if(nonfinite, a)), ew_f32_sign_of(x));
    return vf32_select(nonfinite, x, ew_f32_tiny_fix(x, y));
}

EW_NOINLINE VF32 ew_f32_acosh_slow(VF32 x)
{
    const VF32 one = vf32_set1(1.0f);
    const VM32 nan = vf32_isnan(x), pinf = vf32_eq(x, vf32_set1(INFINITY)), lt1 = vf32_lt(x, one);
    const VF32 y = EW_F32_VIA_F64(ew_f32_acosh_wide, vf32_select(vm32_or(vm32_or(nan, pinf), lt1), one, x));
    return vf32_select(vm32_or(nan, pinf), x, vf32_select(lt1, vf32_sqrt(vf32_select(lt1, vf32_set1(-1.0f), one)), y));
}

EW_NOINLINE VF32 ew_f32_atanh_slow(VF32 x)
{
    const VF32 a = vf32_abs(x), one = vf32_set1(1.0f);
    const VM32 nan = vf32_isnan(x), is1 = vf32_eq(a, one), gt1 = vf32_lt(one, a);
    const VF32 as = vf32_zero_if(vm32_or(nan, vm32_or(is1, gt1)), a);
    VF32 y = ew_f32_tiny_fix(x, vf32_xor(EW_F32_VIA_F64(ew_f32_atanh_wide, as), ew_f32_sign_of(x)));
    y = vf32_select(is1, vf32_div(x, vf32_zero_if(is1, one)), y);
    y = vf32_select(gt1, vf32_sqrt(vf32_select(gt1, vf32_set1(-1.0f), one)), y);
    return vf32_select(nan, x, y);
}

EW_INLINE V EW_(arcsinh_v)(V x)
{
    const VF32 a = vf32_abs(x);
    /* finite, not subnormal (zeros are fine) */
    if (EW_UNLIKELY(VM_(any)(VM_(or)(V_(nle)(a, EW_(k)(FLT_MAX)), ew_f32_is_subnormal(x))))) {
        return ew_f32_asinh_slow(x);
    }
    return vf32_xor(EW_F32_VIA_F64(ew_f32_asinh_wide, a), ew_f32_sign_of(x));
}

EW_INLINE V EW_(arccosh_v)(V x)
{
    if (EW_UNLIKELY(EW_(any_outside)(V_(as_bits)(x), EW_(bits)(1.0f), EW_(bits)(FLT_MAX)))) {
        return ew_f32_acosh_slow(x);
    }
    return EW_F32_VIA_F64(ew_f32_acosh_wide, x);
}

EW_INLINE V EW_(arctanh_v)(V x)
{
    /* |x| < 1, not subnormal (zeros are fine) */
    if (EW_UNLIKELY(EW_(any_outside)(EW_(abs_bits)(x), 0, EW_(bits)(1.0f) - 1) ||
                    VM_(any)(ew_f32_is_subnormal(x)))) {
        return ew_f32_atanh_slow(x);
    }
    return vf32_xor(EW_F32_VIA_F64(ew_f32_atanh_wide, vf32_abs(x)), ew_f32_sign_of(x));
}

#endif

EW_DEFINE_MAP(arcsinh, EW_(arcsinh_v))
EW_DEFINE_MAP(arccosh, EW_(arccosh_v))

/* arctanh(1) = inf raises divide-by-zero: its partial vectors are padded
   with 0.5, not the drivers' 1.0 */
EW_DEFINE_MAP_FILL(arctanh, EW_(arctanh_v), 0.5)
