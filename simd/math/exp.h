/*
 * math/exp.h -- the "exp" function group of elementwise.h: exp (and, on the
 * same cores, the functions below), included by elementwise.h once per pass.
 * Constants: simd/math/exp.json, derived by simd/math/exp.py.
 *
 * float64 exp (Tang's table-driven scheme): k = round(x N/ln2), N = 128, by
 * the magic-number addition (the magic holds 1023 N, so the low bits of t
 * are k + 1023 N: j = k mod N indexes the table, bits 7.. give the biased
 * exponent of 2^e, e = floor(k/N)); r = x - k ln2/N = rh + rl, rh exact
 * (k * LN2N_HI is exact for |k| < 2^18 and Sterbenz), |r| <= ln2/256.
 * e^x = 2^e (TH + TL) e^r with 2^(j/N) = TH + TL to 2^-106, and
 *     e^r - 1 = rh + pl,  pl = rl + r^2 Q(r)   (Q minimax, 2^-65.4)
 *     y' = TH + q,  q = TH rh + (TH pl + TL)
 * q is rounded once (fused; twice on unfused layers), an error of at most
 * 2^-53 |q| <= 2^-61.5 TH; the other terms are smaller, so y' has one
 * rounding of 0.5 ULP plus ~0.003 ULP, and y = y' 2^e exactly (the result
 * is normal in the fast path). Measured 0.503 ULP, 0.1% of results not
 * correctly rounded. Slow path (a lane with |x| > EXP_FAST, or inf/nan):
 * the scaling is split, y' 2^(e -+ 60) exact then * 2^(+-60), which
 * rounds once into the subnormals or overflows, raising the flags.
 *
 * float32 exp: in float64, the same reduction with one table word and a
 * cubic (2^-41 relative): rounded once to float32 at the end, the
 * narrowing raising overflow/underflow.
 */

#define SIMD_HAVE_sexp SIMD_YES
#define SIMD_HAVE_dexp SIMD_YES

#if EW_PASS == 1

/* Thresholds:
 *   EXP_TINY   below it exp(x) rounds to 1 and r^2 could underflow
 *   EXP_FAST   up to it 2^e is a normal number and so is the result
 *   EXP_LO/HI  the slow path clamps x here: the result is already 0 / inf
 *   EXP_UFLOW  the largest float <= ln(smallest normal): below it the
 *              result is subnormal or 0 and underflow must be raised
 *   EXPF_MAX   float32 in float64: every |x| up to it needs no clamping
 */
#define EW_F64_EXP_TINY 0x1p-54
#define EW_F64_EXP_FAST 708.0
#define EW_F64_EXP_LO -746.0
#define EW_F64_EXP_HI 710.0
#define EW_F64_EXP_UFLOW -0x1.6232bdd7abcd3p+9 /* -708.39641853226416 */
#define EW_F32_EXPF_MAX 104.0f
#define EW_F32_EXPF_HI 89.0f

#define EW_XP_N 128
#define EW_XP_NBITS 7

enum {
    XPC_MAGIC, /* 1.5*2^52 + 1023 N: round to integer, k + 1023 N in the low bits */
    XPC_N_LN2,
    XPC_LN2N_HI,
    XPC_NLN2N_LO, /* -LN2N_LO */
    XPC_LN2_HI,
    XPC_LN2_LO,
    XPC_N,
    XPC_INV_N,
    XPC_ONE,
    XPC_HALF,
    XPC_SPLIT_HI, /* 2^60, 2^-60: the slow path's scaling */
    XPC_SPLIT_LO,
    XPC_COUNT
};

static EW_ALIGN64 const double ew_xp_k[XPC_COUNT][8] = {
    [XPC_MAGIC] = EW_ROW8(0x1.8p52 + 1023.0 * EW_XP_N),
    [XPC_N_LN2] = EW_ROW8(EW_F64_EXP_N_LN2),
    [XPC_LN2N_HI] = EW_ROW8(EW_F64_EXP_LN2N_HI),
    [XPC_NLN2N_LO] = EW_ROW8(-EW_F64_EXP_LN2N_LO),
    [XPC_LN2_HI] = EW_ROW8(EW_F64_EXP_LN2_HI),
    [XPC_LN2_LO] = EW_ROW8(EW_F64_EXP_LN2_LO),
    [XPC_N] = EW_ROW8((double)EW_XP_N),
    [XPC_INV_N] = EW_ROW8(1.0 / EW_XP_N),
    [XPC_ONE] = EW_ROW8(1.0),
    [XPC_HALF] = EW_ROW8(0.5),
    [XPC_SPLIT_HI] = EW_ROW8(0x1p60),
    [XPC_SPLIT_LO] = EW_ROW8(0x1p-60),
};

EW_INLINE VF64 ew_xp_c(int i)
{
    const double(*t)[8] = ew_xp_k;
    SIMD_OPAQUE_PTR(t);
    return vf64_load_const(t[i]);
}

/* x = k ln2/N + rh + rl, rh exact; returns t (k in the magic form) */
EW_INLINE VF64 ew_xp_reduce(VF64 x, VF64 *rh, VF64 *rl)
{
    const VF64 magic = ew_xp_c(XPC_MAGIC);
    const VF64 t = vf64_fma(x, ew_xp_c(XPC_N_LN2), magic);
    const VF64 kf = vf64_sub(t, magic);
    *rh = vf64_fnma(kf, ew_xp_c(XPC_LN2N_HI), x);
    *rl = vf64_mul(kf, ew_xp_c(XPC_NLN2N_LO));
    return t;
}

/* TH[j] (returned) and TL[j], j = k mod N */
EW_INLINE VF64 ew_xp_table(VF64 t, VF64 *tl)
{
    const VI64 j = vi64_and(vf64_as_bits(t), vi64_set1(EW_XP_N - 1));
    *tl = vf64_lookup(ew_f64_exp_tl, j);
    return vf64_lookup(ew_f64_exp_th, j);
}

/* 2^e from the bits of t (+ adj N): e + 1023 must be in [1, 2046] */
EW_INLINE VF64 ew_xp_scale(VI64 tbits)
{
    return vf64_from_bits(vi64_slli(vi64_srli(tbits, EW_XP_NBITS), 52));
}

/* e^(rh + rl) - 1 - rh */
EW_INLINE VF64 ew_xp_plo(VF64 rh, VF64 rl)
{
    const VF64 r = vf64_add(rh, rl);
    return vf64_fma(vf64_mul(r, r), ew_f64_horner(r, ew_f64_xp_q, EW_NCOEF(ew_f64_xp_q)), rl);
}

/* e^x / 2^e = th + q (returned: q), see the header */
EW_INLINE VF64 ew_xp_q(VF64 t, VF64 rh, VF64 rl, VF64 *th)
{
    VF64 tl;
    *th = ew_xp_table(t, &tl);
    return vf64_fma(*th, rh, vf64_fma(*th, ew_xp_plo(rh, rl), tl));
}

/* exp of x, |x| = 0 or in [EXP_TINY, EXP_FAST] */
EW_INLINE VF64 ew_xp_exp_fast(VF64 x)
{
    VF64 rh, rl, th;
    const VF64 t = ew_xp_reduce(x, &rh, &rl);
    const VF64 q = ew_xp_q(t, rh, rl, &th);
    return vf64_mul(vf64_add(th, q), ew_xp_scale(vf64_as_bits(t)));
}

/* y' 2^e for any e of x in [EXP_LO, EXP_HI]: y' 2^(e -+ 60) is exact (a
   normal number), the product with 2^(+-60) rounds once, raising
   overflow/underflow (the sign of x decides) */
EW_INLINE VF64 ew_xp_scale_wide(VF64 y1, VF64 t, VF64 x)
{
    const VM64 neg = vf64_lt(x, vf64_zero());
    const VF64 adj = vf64_select(neg, vf64_from_bits(vi64_set1(60 * EW_XP_N)),
                                 vf64_from_bits(vi64_set1((uint64_t)-60 * EW_XP_N)));
    const VF64 s1 = ew_xp_scale(vi64_add(vf64_as_bits(t), vf64_as_bits(adj)));
    return vf64_mul(vf64_mul(y1, s1), vf64_select(neg, ew_xp_c(XPC_SPLIT_LO), ew_xp_c(XPC_SPLIT_HI)));
}

EW_NOINLINE VF64 ew_xp_exp_slow(VF64 x)
{
    const VF64 ax = vf64_abs(x), inf = vf64_set1((double)INFINITY);
    VF64 xs = vf64_zero_if(vf64_nle(ax, vf64_set1(DBL_MAX)), x);     /* inf, nan -> 0 */
    xs = vf64_zero_if(vf64_lt(ax, vf64_set1(EW_F64_EXP_TINY)), xs);  /* exp(tiny) rounds to 1 */
    xs = vf64_max(vf64_min(xs, vf64_set1(EW_F64_EXP_HI)), vf64_set1(EW_F64_EXP_LO));
    VF64 rh, rl, th;
    const VF64 t = ew_xp_reduce(xs, &rh, &rl);
    const VF64 q = ew_xp_q(t, rh, rl, &th);
    VF64 y = ew_xp_scale_wide(vf64_add(th, q), t, xs);
    /* A subnormal result raises underflow only if its last rounding is
       inexact, and after the exact scaling it may not be although e^x is:
       raise it in those lanes (MIN^2 underflows to +0, adding 0 changes
       nothing). */
    const VF64 tmin = vf64_zero_unless(vf64_lt(xs, vf64_set1(EW_F64_EXP_UFLOW)), vf64_set1(DBL_MIN));
    y = vf64_add(y, vf64_mul(tmin, tmin));
    y = vf64_select(vf64_eq(x, inf), x, y);                      /* exp(inf) = inf */
    y = vf64_zero_if(vf64_eq(x, vf64_sub(vf64_zero(), inf)), y); /* exp(-inf) = 0 */
    return vf64_select(vf64_isnan(x), x, y);
}

EW_INLINE VF64 ew_xp_exp_v(VF64 x)
{
    const VI64 ax = ew_f64_abs_bits(x);
    if (EW_UNLIKELY(ew_f64_any_igt(ax, ew_f64_ki(ew_f64_bits(EW_F64_EXP_FAST))))) { /* also inf, nan */
        return ew_xp_exp_slow(x);
    }
    /* |x| < EXP_TINY (zeros, subnormals): e^x rounds to 1 = e^0, and 0
       keeps r^2 from underflowing */
    return ew_xp_exp_fast(vf64_zero_if(vi64_gt_hi(ew_f64_ki(ew_f64_bits(EW_F64_EXP_TINY)), ax), x));
}

/* float32 exp in float64, |x| <= EXPF_MAX: e^x = 2^e TH (1 + p), p = e^r -
   1 to 2^-41 (TL dropped: 2^-53 relative), one rounding
   to float32 at the end */
EW_INLINE VF64 ew_xp_expf_wide(VF64 x)
{
    const VF64 magic = ew_xp_c(XPC_MAGIC);
    const VF64 t = vf64_fma(x, ew_xp_c(XPC_N_LN2), magic);
    const VF64 kf = vf64_sub(t, magic);
    const VF64 r = vf64_fma(kf, ew_xp_c(XPC_NLN2N_LO), vf64_fnma(kf, ew_xp_c(XPC_LN2N_HI), x));
    const VI64 j = vi64_and(vf64_as_bits(t), vi64_set1(EW_XP_N - 1));
    const VF64 s = vf64_mul(vf64_lookup(ew_f64_exp_th, j), ew_xp_scale(vf64_as_bits(t)));
    const VF64 p = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, ew_f64_xpf_q, EW_NCOEF(ew_f64_xpf_q)), r);
    return vf64_fma(s, p, s);
}

#endif /* EW_PASS == 1 */

#if EW_PASS == 1
EW_DEFINE_MAP(exp, ew_xp_exp_v)
#else

/* lanes beyond EXPF_MAX, inf, nan: x clamped to [-EXPF_MAX, EXPF_HI] (the
   narrowing gives 0 or inf with the flags), inf and nan lanes zeroed and
   their results selected */
EW_NOINLINE VF32 ew_xp_expf_slow(VF32 x)
{
    const VF32 inf = vf32_set1((float)INFINITY);
    const VM32 nonfinite = vf32_nle(vf32_abs(x), vf32_set1(FLT_MAX));
    VF32 xs = vf32_zero_if(nonfinite, x);
    xs = vf32_max(vf32_min(xs, vf32_set1(EW_F32_EXPF_HI)), vf32_set1(-EW_F32_EXPF_MAX));
    VF32 y = EW_F32_VIA_F64(ew_xp_expf_wide, xs);
    y = vf32_select(vf32_eq(x, inf), x, y);
    y = vf32_zero_if(vf32_eq(x, vf32_sub(vf32_zero(), inf)), y);
    return vf32_select(vf32_isnan(x), x, y);
}

EW_INLINE VF32 ew_xp_expf_v(VF32 x)
{
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(EW_F32_EXPF_MAX))))) {
        return ew_xp_expf_slow(x);
    }
    return EW_F32_VIA_F64(ew_xp_expf_wide, x);
}
EW_DEFINE_MAP(exp, ew_xp_expf_v)
#endif
