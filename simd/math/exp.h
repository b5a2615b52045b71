/*
 * math/exp.h -- the "exp" function group of elementwise.h: exp, exp2,
 * expm1, sinh, cosh, tanh, on one exponential core. Included by
 * elementwise.h once per pass; the float64 code is in pass 1, and float32
 * computes in float64 with it. Constants: simd/math/exp.json, derived by
 * simd/math/exp.py.
 *
 * The core (Tang's table-driven exp): k = round(x N/ln2), N = 128, by the
 * magic-number addition (the magic holds 1023 N, so the low bits of t are
 * k + 1023 N: j = k mod N indexes the table, bits 7.. are the biased
 * exponent of 2^e, e = floor(k/N)); r = x - k ln2/N = rh + rl, rh exact
 * (k * LN2N_HI is exact for |k| < 2^18, the difference by Sterbenz),
 * |r| <= ln2/256. e^x = 2^e (TH + TL) e^r with 2^(j/N) = TH + TL to
 * 2^-106, and
 *     e^r - 1 = rh + pl,  pl = rl + r^2 Q(r)   (Q minimax, 2^-65.4)
 *     y' = TH + q,  q = TH rh + (TH pl + TL)
 * q is rounded once (fused; twice on unfused layers), an error of at most
 * 2^-53 |q| <= 2^-61.5 TH; the dropped TL rh is below 2^-62.4 TH, Q's
 * error 2^-65.4, so y' has one rounding of 0.5 ULP plus at most ~0.004
 * ULP, and y = y' 2^e exactly. (The pair below, whose errors expm1 and
 * sinh can magnify, keeps TL rh and takes Q of degree 4, 2^-77.)
 * Layers that look up 16 entries in registers (SIMD_LOOKUP16_PERMUTE:
 * AVX-512's vpermt2pd, against eight loads or a gather of the 128-entry
 * table) take N = 16 instead: |r| <= ln2/32, Q of degree 5 (2^-65.3) and
 * 7 for the pair (2^-73), and TH rh, now up to 2^-5.5 TH, kept exact with
 * TL rh (ew_xp_y1): still one rounding of TH + q. The float32 paths do
 * the same with their shorter polynomials, and sinh, cosh without a
 * division (ew_xp_sinhcoshf16).
 *
 * exp   the core; measured 0.502 ULP, < 0.1% not correctly rounded. Slow
 *       path (a lane with |x| > EXP_FAST, or inf/nan): the scaling split
 *       in two, y' 2^(e -+ 60) exact then * 2^(+-60), which overflows or
 *       rounds once into the subnormals (see scale_wide), raising the flags.
 * exp2  the same with k = round(x N), r = x - k/N exact, r ln2 as an exact
 *       product pair: the core unchanged.
 * expm1 and the hyperbolics use the core without its last rounding, e^x =
 *       2^e (eh + el) (pair: TH rh split exactly, by an FMA residual or
 *       Dekker's product on unfused layers). expm1 = (S - 1) + Sl by 2Sum,
 *       S = 2^e eh: no cancellation is left, ~0.500 ULP; |x| < 2^-9 takes
 *       rh + pl directly (relative error ~2^-60).
 * cosh, sinh  (E +- F)/2, E = e^|x| as the pair, F = 1/E by one division
 *       and a Newton correction to a pair; the leading parts added by 2Sum.
 *       sinh loses at most 3 bits to cancellation for |x| >= XS = 1/8, and
 *       takes an odd minimax polynomial below. |x| > EXP_FAST: e^|x| / 2
 *       with the split scaling, which overflows only where the result does
 *       (cosh(710.4) is finite).
 * tanh  N/D, N = e^2a - 1 and D = N + 2 as pairs, one division and one
 *       residual correction; an odd polynomial for |x| < XS; |x| clamped
 *       at 20, where tanh rounds to 1 (no flag).
 * float32: in float64 with one table word: exp, exp2 by a cubic (2^-41);
 *       expm1 as (s - 1) + s p, relatively accurate to ~2^-50 for every x,
 *       and from it sinh, cosh, tanh in forms that cancel nowhere. One
 *       rounding to float32 at the end, whose narrowing raises overflow and
 *       underflow.
 * Tiny x (|x| < 2^-54): exp, cosh = 1; expm1, sinh, tanh = x, a subnormal
 * x raising underflow (tiny and inexact; numpy's own tanh does not raise
 * it). exp2 of an integer below -1022 is exact: no underflow (glibc
 * raises one). NaN propagates quietly; no lane ever computes on inf/nan
 * or a value that could raise, and only quiet comparisons see NaN.
 */

#define SIMD_HAVE_sexp SIMD_YES
#define SIMD_HAVE_dexp SIMD_YES
#define SIMD_HAVE_sexp2 SIMD_YES
#define SIMD_HAVE_dexp2 SIMD_YES
#define SIMD_HAVE_sexpm1 SIMD_YES
#define SIMD_HAVE_dexpm1 SIMD_YES
#define SIMD_HAVE_ssinh SIMD_YES
#define SIMD_HAVE_dsinh SIMD_YES
#define SIMD_HAVE_scosh SIMD_YES
#define SIMD_HAVE_dcosh SIMD_YES
#define SIMD_HAVE_stanh SIMD_YES
#define SIMD_HAVE_dtanh SIMD_YES

#if EW_PASS == 1

/* Thresholds:
 *   EXP_TINY   below it exp(x) rounds to 1 and r^2 could underflow
 *   EXP_FAST   up to it 2^e is a normal number and so is the result
 *   EXP_LO/HI  the slow path clamps x here: the result is already 0 / inf
 *   EXP_UFLOW  the largest float <= ln(smallest normal): below it the
 *              result is subnormal or 0 and underflow must be raised
 *   EXPF_MAX   float32 in float64: every |x| up to it needs no clamping
 *   EXP2_*, EXP2F_*  the same for exp2. The clamps are no integers: 2^x of
 *              a clamped lane must be inexact, or the compiler may fold
 *              the whole computation for that constant, dropping the
 *              overflow/underflow flag (seen with gcc on the scalar layer)
 */
#define EW_F64_EXP_TINY 0x1p-54
#define EW_F64_EXP_FAST 708.0
#define EW_F64_EXP_LO -746.0
#define EW_F64_EXP_HI 710.0
#define EW_F64_EXP_UFLOW -0x1.6232bdd7abcd3p+9 /* -708.39641853226416 */
#define EW_F64_EXP2_FAST 1022.0
#define EW_F64_EXP2_LO -1080.5
#define EW_F64_EXP2_HI 1024.5
#define EW_F64_EXPM1_XM 0x1p-9
#define EW_F64_SINH_HI 711.0
#define EW_F32_EXPF_MAX 104.0f
#define EW_F32_EXP2F_MAX 150.0f
#define EW_F32_EXP2F_HI 128.5f
#define EW_F32_EXP2F_LO -150.5f
#define EW_F32_EXPF_HI 89.0f

/* The table of 2^(j/N): N = 128 entries by vf64_lookup, or, where the
   layer looks up 16 entries in registers (SIMD_LOOKUP16_PERMUTE: one
   permute per table instead of a gather or eight loads), N = 16 and
   polynomials three degrees longer on |r| <= ln2/32 (exp.json's xp16_q,
   2^-73, and xp16_q3, 2^-65.3; the exp core then also keeps TH rh exact,
   see ew_xp_y1). k ln2/N_HI is exact for |k| < 2^18 (N = 128) and 2^15
   (N = 16): the N = 128 constants times 128/N, exactly. */
#if SIMD_LOOKUP16_PERMUTE
#define EW_XP_16 1
#define EW_XP_N 16
#define EW_XP_NBITS 4
#define EW_XP_Q ew_f64_xp16_q
#define EW_XP_Q3 ew_f64_xp16_q3
#else
#define EW_XP_16 0
#define EW_XP_N 128
#define EW_XP_NBITS 7
#define EW_XP_Q ew_f64_xp_q
#define EW_XP_Q3 ew_f64_xp_q3
#endif

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
    [XPC_N_LN2] = EW_ROW8(EW_F64_EXP_N_LN2 * (EW_XP_N / 128.0)),
    [XPC_LN2N_HI] = EW_ROW8(EW_F64_EXP_LN2N_HI * (128.0 / EW_XP_N)),
    [XPC_NLN2N_LO] = EW_ROW8(-EW_F64_EXP_LN2N_LO * (128.0 / EW_XP_N)),
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
#if EW_XP_16
    *tl = vf64_lookup16(ew_f64_exp16_tl, vf64_as_bits(t));
    return vf64_lookup16(ew_f64_exp16_th, vf64_as_bits(t));
#else
    const VI64 j = vi64_and(vf64_as_bits(t), vi64_set1(EW_XP_N - 1));
    *tl = vf64_lookup(ew_f64_exp_tl, j);
    return vf64_lookup(ew_f64_exp_th, j);
#endif
}

/* 2^e from the bits of t (+ adj N): e + 1023 must be in [1, 2046] */
EW_INLINE VF64 ew_xp_scale(VI64 tbits)
{
    return vf64_from_bits(vi64_slli(vi64_srli(tbits, EW_XP_NBITS), 52));
}

/* e^(rh + rl) - 1 - rh, by Q of degree 4 (2^-77; N = 16: 7, 2^-73) */
EW_INLINE VF64 ew_xp_plo(VF64 rh, VF64 rl)
{
    const VF64 r = vf64_add(rh, rl);
    return vf64_fma(vf64_mul(r, r), ew_f64_horner(r, EW_XP_Q, EW_NCOEF(EW_XP_Q)), rl);
}

/* e^x / 2^e = th + q rounded once, see the header: exp and exp2, rounded
   at once, need less than the pair below (Q3 of degree 3, TL rh dropped).
   N = 16: |rh| <= ln2/32 would make q's rounding 2^-58.5 TH (~0.5% of
   results not correctly rounded): TH rh = ph + pe exactly instead, TH + ph
   = s + err by Fast2Sum, and y1 = s + (err + pe + TH pl + TL (1 + rh)),
   rounded once (TL rh, up to 2^-58.5 TH, is kept too), the rest's error
   ~2^-60 TH */
EW_INLINE VF64 ew_xp_y1(VF64 t, VF64 rh, VF64 rl)
{
    VF64 tl;
    const VF64 th = ew_xp_table(t, &tl);
    const VF64 r = vf64_add(rh, rl);
    const VF64 pl = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, EW_XP_Q3, EW_NCOEF(EW_XP_Q3)), rl);
#if EW_XP_16
    const VF64 ph = vf64_mul(th, rh);
    const VF64 npe = vf64_fnma(th, rh, ph); /* -(TH rh - ph), exact */
    const VF64 s = vf64_add(th, ph);
    const VF64 err = vf64_sub(ph, vf64_sub(s, th));
    return vf64_add(s, vf64_add(vf64_sub(err, npe), vf64_fma(th, pl, vf64_fma(tl, rh, tl))));
#else
    return vf64_add(th, vf64_fma(th, rh, vf64_fma(th, pl, tl)));
#endif
}

/* exp of x, |x| = 0 or in [EXP_TINY, EXP_FAST] */
EW_INLINE VF64 ew_xp_exp_fast(VF64 x)
{
    VF64 rh, rl;
    const VF64 t = ew_xp_reduce(x, &rh, &rl);
    return vf64_mul(ew_xp_y1(t, rh, rl), ew_xp_scale(vf64_as_bits(t)));
}

/* The float32 paths' table: where the layer looks up 16 entries in
   registers (SIMD_LOOKUP16_PERMUTE: one permute instead of a gather or
   eight loads), NF = 16 entries of 2^(j/16) and polynomials a degree or two
   longer on |r| <= ln2/32 (exp.json's xpf16_*); elsewhere the float64 table
   of N = 128. XPF_C_MAGIC puts k + 1023 NF in t's low bits (NF = 16: k,
   see ew_xpf_s). ln2/NF in two parts, k ln2/NF_HI exact for |k| < 2^18
   (NF 128) or 2^15 (NF 16): the N = 128 parts times 128/NF, exactly. */
#if SIMD_LOOKUP16_PERMUTE
#define EW_XPF_16 1
#define EW_XPF_N 16
#define EW_XPF_C_MAGIC vf64_set1(0x1.8p52)
#define EW_XPF_C_N_LN2 vf64_set1(EW_F64_EXP_N_LN2 * (EW_XPF_N / 128.0))
#define EW_XPF_C_LN2N_HI vf64_set1(EW_F64_EXP_LN2N_HI * (128.0 / EW_XPF_N))
#define EW_XPF_C_NLN2N_LO vf64_set1(-EW_F64_EXP_LN2N_LO * (128.0 / EW_XPF_N))
/* ln2/16 in one double (HI + LO rounded): r = x - k LN2_16 by one FMA is
   off by k |ln2/16 - LN2_16| <= 2^11.3 2^-58 = 2^-46.7 for the float32
   paths' |x| <= 150 (k = 0: r = x exactly), far below their needs */
#define EW_XPF_REDUCE(kf, x) vf64_fnma((kf), vf64_set1((EW_F64_EXP_LN2N_HI + EW_F64_EXP_LN2N_LO) * (128.0 / EW_XPF_N)), (x))
#define EW_XPF_C_N vf64_set1((double)EW_XPF_N)
#define EW_XPF_C_INV_N vf64_set1(1.0 / EW_XPF_N)
#define EW_XPF_Q ew_f64_xpf16_q   /* exp, exp2: 2^-47.4 */
#define EW_XPF_QM ew_f64_xpf16_qm /* expm1: 2^-56.3 */
#else
#define EW_XPF_16 0
#define EW_XPF_N EW_XP_N
#define EW_XPF_C_MAGIC ew_xp_c(XPC_MAGIC)
#define EW_XPF_C_N_LN2 ew_xp_c(XPC_N_LN2)
#define EW_XPF_C_LN2N_HI ew_xp_c(XPC_LN2N_HI)
#define EW_XPF_C_NLN2N_LO ew_xp_c(XPC_NLN2N_LO)
#define EW_XPF_REDUCE(kf, x) vf64_fma((kf), EW_XPF_C_NLN2N_LO, vf64_fnma((kf), EW_XPF_C_LN2N_HI, (x)))
#define EW_XPF_C_N ew_xp_c(XPC_N)
#define EW_XPF_C_INV_N ew_xp_c(XPC_INV_N)
#define EW_XPF_Q ew_f64_xpf_q /* exp, exp2: 2^-41.2 */
#define EW_XPF_QM ew_f64_xp_q /* expm1: 2^-77 */
#endif

/* 2^e TH[j] (e = floor(k/NF), j = k mod NF) from the bits of t, k + 1023
   NF in the low bits: e + 1023 in [1, 2046]. NF = 16: the low 16 bits hold
   k + 16 b (mod 2^16), and the result is 2^(e+b) TH[j]: exp16_tb[j] is
   TH[j] with j 2^48 taken from its bits, so adding the low bits shifted by
   48, (16 (e + b) + j) 2^48, scales it (one shift and one integer add
   instead of two shifts and a product) */
EW_INLINE VF64 ew_xpf_s(VI64 tb)
{
#if EW_XPF_16
    return vf64_from_bits(vi64_add(vf64_as_bits(vf64_lookup16(ew_f64_exp16_tb, tb)), vi64_slli(tb, 48)));
#else
    const VF64 th = vf64_lookup(ew_f64_exp_th, vi64_and(tb, vi64_set1(EW_XP_N - 1)));
    return vf64_mul(th, vf64_from_bits(vi64_slli(vi64_srli(tb, EW_XP_NBITS), 52)));
#endif
}

/* the float32 paths' reduction: x = k ln2/NF + r with r in one rounding
   (TL dropped: 2^-53 relative, far below float32's needs); returns
   s = 2^e TH[j] */
EW_INLINE VF64 ew_xp_reduce_f32(VF64 x, VF64 *r)
{
    const VF64 magic = EW_XPF_C_MAGIC;
    const VF64 t = vf64_fma(x, EW_XPF_C_N_LN2, magic);
    const VF64 kf = vf64_sub(t, magic);
    *r = EW_XPF_REDUCE(kf, x);
    return ew_xpf_s(vf64_as_bits(t));
}

/* float32 expm1 (and sinh, cosh, tanh) in float64, x in [-20, 90]: e^x -
   1 = (s - 1) + s p, s = 2^e TH (2^-53), p = e^r - 1 by QM (2^-77 or,
   NF = 16, 2^-56: near k = +-1 the result is only ~r). s - 1 is exact for e in
   {-1, 0} and relatively small beside the result otherwise; for k = 0, s
   = 1 and the result is p itself: ~2^-50 relative everywhere, which the
   rounding to float32 hides but in ~2^-25 of cases. */
EW_INLINE VF64 ew_xp_expm1f_wide(VF64 x)
{
    VF64 r;
    const VF64 s = ew_xp_reduce_f32(x, &r);
    const VF64 p = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, EW_XPF_QM, EW_NCOEF(EW_XPF_QM)), r);
    return vf64_fma(s, p, vf64_sub(s, ew_xp_c(XPC_ONE)));
}

#if EW_XPF_16
/* float32 sinh, cosh of a = |x| in [0, 90] in float64 without a division
   (NF = 16): one reduction a = k ln2/16 + r, e^a = s (C + S) and e^-a = s'
   (C - S) with s = 2^(k/16)/2 and s' = 2^(-k/16)/2 from the table (-k's
   index and exponent by one integer subtraction from t's bits: both are
   t's low 16 bits), C = cosh r = 1 + z Cp(z), S = sinh r = r + r z Sp(z)
   (xpf16_c, xpf16_s: 2^-66, 2^-50). cosh a = (s + s') C + (s - s') S,
   sinh a = (s - s') C + (s + s') S. Nothing cancels but s - s': 0 exactly
   for k = 0 (sinh a = S), else >= 0.04 with an error of 2^-53, below
   2^-47 of sinh a. */
EW_INLINE VF64 ew_xp_sinhcoshf16(VF64 x, int cosine)
{
    const VF64 a = vf64_abs(x);
    const VF64 magic = vf64_set1(0x1.8p52 - EW_XPF_N); /* b = -1: the halves */
    const VF64 t = vf64_fma(a, EW_XPF_C_N_LN2, magic);
    const VF64 kf = vf64_sub(t, magic);
    const VF64 r = EW_XPF_REDUCE(kf, a);
    const VI64 tb = vf64_as_bits(t);
    /* low 16 bits: k - 16, and -32 - (k - 16) = -k - 16 */
    const VF64 s = ew_xpf_s(tb);
    const VF64 sn = ew_xpf_s(vi64_sub(vi64_set1((uint64_t)-2 * EW_XPF_N), tb));
    const VF64 z = vf64_mul(r, r);
    const VF64 c = vf64_fma(z, ew_f64_horner(z, ew_f64_xpf16_c, EW_NCOEF(ew_f64_xpf16_c)), ew_xp_c(XPC_ONE));
    const VF64 sr = vf64_fma(vf64_mul(r, z), ew_f64_horner(z, ew_f64_xpf16_s, EW_NCOEF(ew_f64_xpf16_s)), r);
    const VF64 sp = vf64_add(s, sn), sm = vf64_sub(s, sn);
    if (cosine) {
        return vf64_fma(sp, c, vf64_mul(sm, sr));
    }
    return vf64_xor(vf64_fma(sm, c, vf64_mul(sp, sr)), vf64_and(x, vf64_set1(-0.0)));
}
#endif

/* float32 hyperbolics in float64 from u = e^a - 1, a = |x| in [0, 90]
   (tanh: u = e^2a - 1, a <= 10), no cancellation anywhere: sinh a = (u +
   u/(u + 1))/2, cosh a = ((u + 1) + 1/(u + 1))/2, tanh a = u/(u + 2);
   the sign of x put back by xor (sinh, tanh). NF = 16: sinh and cosh by
   ew_xp_sinhcoshf16. */
EW_INLINE VF64 ew_xp_hypf_wide(VF64 x, int fn)
{
    const VF64 sign = vf64_and(x, vf64_set1(-0.0)), a = vf64_abs(x), one = ew_xp_c(XPC_ONE);
    if (fn == 2) {
        const VF64 u = ew_xp_expm1f_wide(vf64_add(a, a));
        return vf64_xor(vf64_div(u, vf64_add(u, vf64_set1(2.0))), sign);
    }
#if EW_XPF_16
    return ew_xp_sinhcoshf16(x, fn == 1);
#else
    const VF64 u = ew_xp_expm1f_wide(a), e = vf64_add(u, one);
    if (fn == 1) {
        return vf64_mul(vf64_add(e, vf64_div(one, e)), ew_xp_c(XPC_HALF));
    }
    return vf64_xor(vf64_mul(vf64_add(u, vf64_div(u, e)), ew_xp_c(XPC_HALF)), sign);
#endif
}
EW_INLINE VF64 ew_xp_sinhf_wide(VF64 x) { return ew_xp_hypf_wide(x, 0); }
EW_INLINE VF64 ew_xp_coshf_wide(VF64 x) { return ew_xp_hypf_wide(x, 1); }
EW_INLINE VF64 ew_xp_tanhf_wide(VF64 x) { return ew_xp_hypf_wide(x, 2); }

/* ---------------- error-free products, the exponential as a pair ---------------- */


/* e^x = 2^e (eh + *el) for x reduced to t, rh, rl: eh returned (in [0.99,
   2.01]): the core without its last rounding. TH rh is split exactly, TH +
   its high part by Fast2Sum (|TH| >= |TH rh|); what is left, below 2^-8 eh,
   carries errors of ~2^-70 eh (Q's, and the rounding of u). */
EW_INLINE VF64 ew_xp_pair_t(VF64 t, VF64 rh, VF64 rl, VF64 *el)
{
    VF64 tl, pe;
    const VF64 th = ew_xp_table(t, &tl);
    const VF64 u = vf64_fma(th, ew_xp_plo(rh, rl), vf64_fma(tl, rh, tl));
    const VF64 ph = ew_f64_two_prod(th, rh, &pe);
    const VF64 e1 = vf64_add(th, ph);
    const VF64 e2 = vf64_add(vf64_add(vf64_sub(th, e1), ph), vf64_add(pe, u));
    /* renormalised (Fast2Sum): |el| <= ulp(eh)/2, as the reciprocal and
       quotient corrections of the hyperbolics need */
    const VF64 eh = vf64_add(e1, e2);
    *el = vf64_sub(e2, vf64_sub(eh, e1));
    return eh;
}

/* the same from x, |x| <= EXP_FAST, with *sc = 2^e */
EW_INLINE VF64 ew_xp_pair(VF64 x, VF64 *el, VF64 *sc)
{
    VF64 rh, rl;
    const VF64 t = ew_xp_reduce(x, &rh, &rl);
    *sc = ew_xp_scale(vf64_as_bits(t));
    return ew_xp_pair_t(t, rh, rl, el);
}

/* 2^e (eh + el) for any e of x in [EXP_LO, EXP_HI] (exp, and exp2 in its
   range): y1 = TH + q as the fast path rounds it (so that a lane gives the
   same bits whichever path its vector takes), times 2^(e -+ 60) exactly
   (a normal number),
   times 2^(+-60), which rounds once (the sign of x decides), raising
   overflow or underflow. Where the result is subnormal (x < uflow) that
   would round twice: there z = A 2^-60 (A = eh 2^(e+60), exact) rounds
   once, its error is recovered exactly in the scaled domain, d = (A - z
   2^60) + el 2^(e+60), and d 2^-60 rounded to the subnormal grid is the
   step (0 or one unit) that z needs: one rounding of the pair in all. Other
   lanes compute that on 1 + 0 (no flag). */
EW_INLINE VF64 ew_xp_scale_wide(VF64 y1, VF64 eh, VF64 el, VF64 t, VF64 x, VF64 uflow)
{
    const VM64 neg = vf64_lt(x, vf64_zero());
    const VF64 adj = vf64_select(neg, vf64_from_bits(vi64_set1(60 * EW_XP_N)),
                                 vf64_from_bits(vi64_set1((uint64_t)-60 * EW_XP_N)));
    const VF64 s1 = ew_xp_scale(vi64_add(vf64_as_bits(t), vf64_as_bits(adj)));
    const VF64 y = vf64_mul(vf64_mul(y1, s1), vf64_select(neg, ew_xp_c(XPC_SPLIT_LO), ew_xp_c(XPC_SPLIT_HI)));
    const VM64 sub = vf64_lt(x, uflow);
    const VF64 A = vf64_select(sub, vf64_mul(eh, s1), ew_xp_c(XPC_ONE));
    const VF64 B = vf64_zero_unless(sub, vf64_mul(el, s1));
    const VF64 z = vf64_mul(A, ew_xp_c(XPC_SPLIT_LO));
    const VF64 d = vf64_add(vf64_sub(A, vf64_mul(z, ew_xp_c(XPC_SPLIT_HI))), B);
    return vf64_select(sub, vf64_add(z, vf64_mul(d, ew_xp_c(XPC_SPLIT_LO))), y);
}

EW_NOINLINE VF64 ew_xp_exp_slow(VF64 x)
{
    const VF64 ax = vf64_abs(x), inf = vf64_set1((double)INFINITY);
    VF64 xs = vf64_zero_if(vf64_nle(ax, vf64_set1(DBL_MAX)), x);     /* inf, nan -> 0 */
    xs = vf64_zero_if(vf64_lt(ax, vf64_set1(EW_F64_EXP_TINY)), xs);  /* exp(tiny) rounds to 1 */
    xs = vf64_max(vf64_min(xs, vf64_set1(EW_F64_EXP_HI)), vf64_set1(EW_F64_EXP_LO));
    VF64 rh, rl, el;
    const VF64 t = ew_xp_reduce(xs, &rh, &rl);
    const VF64 eh = ew_xp_pair_t(t, rh, rl, &el);
    VF64 y = ew_xp_scale_wide(ew_xp_y1(t, rh, rl), eh, el, t, xs, vf64_set1(EW_F64_EXP_UFLOW));
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
    VF64 r;
    const VF64 s = ew_xp_reduce_f32(x, &r);
    const VF64 p = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, EW_XPF_Q, EW_NCOEF(EW_XPF_Q)), r);
    return vf64_fma(s, p, s);
}

/* ---------------- exp2 ---------------- */

/* 2^x = 2^(k/N) 2^r, k = round(x N) (x N exact), r = x - k/N exact, and
   r ln2 = rh + rl as a pair (the rounding error of the product by an
   error-free product), so the core above serves as it is */
EW_INLINE VF64 ew_xp_reduce2(VF64 x, VF64 *rh, VF64 *rl)
{
    const VF64 magic = ew_xp_c(XPC_MAGIC);
    const VF64 t = vf64_fma(x, ew_xp_c(XPC_N), magic);
    const VF64 r = vf64_fnma(vf64_sub(t, magic), ew_xp_c(XPC_INV_N), x);
#if SIMD_FMA_NATIVE
    VF64 e;
    *rh = ew_f64_two_prod(r, ew_xp_c(XPC_LN2_HI), &e);
    *rl = vf64_fma(r, ew_xp_c(XPC_LN2_LO), e);
#else
    /* unfused, the exact product (Dekker's) costs more than it gives: its
       rounding, 2^-53 |r ln2| <= 2^-61.5, is as small as q's */
    *rh = vf64_mul(r, ew_xp_c(XPC_LN2_HI));
    *rl = vf64_mul(r, ew_xp_c(XPC_LN2_LO));
#endif
    return t;
}

EW_INLINE VF64 ew_xp_exp2_fast(VF64 x)
{
    VF64 rh, rl;
    const VF64 t = ew_xp_reduce2(x, &rh, &rl);
    return vf64_mul(ew_xp_y1(t, rh, rl), ew_xp_scale(vf64_as_bits(t)));
}

EW_NOINLINE VF64 ew_xp_exp2_slow(VF64 x)
{
    const VF64 ax = vf64_abs(x), inf = vf64_set1((double)INFINITY);
    VF64 xs = vf64_zero_if(vf64_nle(ax, vf64_set1(DBL_MAX)), x);
    xs = vf64_zero_if(vf64_lt(ax, vf64_set1(EW_F64_EXP_TINY)), xs);
    xs = vf64_max(vf64_min(xs, vf64_set1(EW_F64_EXP2_HI)), vf64_set1(EW_F64_EXP2_LO));
    VF64 rh, rl, el;
    const VF64 t = ew_xp_reduce2(xs, &rh, &rl);
    const VF64 eh = ew_xp_pair_t(t, rh, rl, &el);
    VF64 y = ew_xp_scale_wide(ew_xp_y1(t, rh, rl), eh, el, t, xs, vf64_set1(-1022.0));
    /* underflow for a subnormal result unless it is exact (x an integer):
       as for exp */
    const VF64 magic = ew_xp_c(XPC_MAGIC);
    const VM64 frac = vm64_andnot(vf64_eq(vf64_sub(vf64_add(xs, magic), magic), xs), vf64_lt(xs, vf64_set1(-1022.0)));
    const VF64 tmin = vf64_zero_unless(frac, vf64_set1(DBL_MIN));
    y = vf64_add(y, vf64_mul(tmin, tmin));
    y = vf64_select(vf64_eq(x, inf), x, y);
    y = vf64_zero_if(vf64_eq(x, vf64_sub(vf64_zero(), inf)), y);
    return vf64_select(vf64_isnan(x), x, y);
}

EW_INLINE VF64 ew_xp_exp2_v(VF64 x)
{
    const VI64 ax = ew_f64_abs_bits(x);
    if (EW_UNLIKELY(ew_f64_any_igt(ax, ew_f64_ki(ew_f64_bits(EW_F64_EXP2_FAST))))) {
        return ew_xp_exp2_slow(x);
    }
    return ew_xp_exp2_fast(vf64_zero_if(vi64_gt_hi(ew_f64_ki(ew_f64_bits(EW_F64_EXP_TINY)), ax), x));
}

/* float32 exp2 in float64, |x| <= EXP2F_MAX: as expf_wide, r = x - k/N
   exact, times ln2 rounded (2^-53) */
EW_INLINE VF64 ew_xp_exp2f_wide(VF64 x)
{
    const VF64 magic = EW_XPF_C_MAGIC;
    const VF64 t = vf64_fma(x, EW_XPF_C_N, magic);
    const VF64 r = vf64_mul(vf64_fnma(vf64_sub(t, magic), EW_XPF_C_INV_N, x), ew_xp_c(XPC_LN2_HI));
    const VF64 s = ew_xpf_s(vf64_as_bits(t));
    const VF64 p = vf64_fma(vf64_mul(r, r), ew_f64_horner(r, EW_XPF_Q, EW_NCOEF(EW_XPF_Q)), r);
    return vf64_fma(s, p, s);
}

/* ---------------- expm1 ---------------- */

/* expm1 of x in [-40, EXP_FAST], |x| >= EXP_TINY or 0 (x < -40 gives -1
   as it should: e^x < 2^-57). Two forms, selected per lane:
   |x| < XM: k = 0, e^x - 1 = rh + pl, with rh = x: one rounding, and
   the error of pl (~2^-53 x^2/2) is relative to x.
   else: e^x = S + Sl (S = 2^e eh, Sl = 2^e el, exact scalings), S - 1 =
   h + l exactly (2Sum), y = h + (l + Sl): h is the leading part, the
   rest is below 2^-52 |y| with an error below 2^-100 |y|. */
EW_INLINE VF64 ew_xp_expm1_fast(VF64 x)
{
    VF64 el, sc, l;
    const VF64 eh = ew_xp_pair(x, &el, &sc);
    const VF64 h = ew_f64_two_sum(vf64_mul(eh, sc), vf64_sub(vf64_zero(), ew_xp_c(XPC_ONE)), &l);
    const VF64 y = vf64_add(h, vf64_add(l, vf64_mul(el, sc)));
    /* the small form (rl = 0 for k = 0), computed only for the vectors
       that have such a lane (few, for most data: each lane's result
       still depends on its own x alone) */
    const VM64 small = vf64_lt(vf64_abs(x), vf64_set1(EW_F64_EXPM1_XM));
    if (!vm64_any(small)) {
        return y;
    }
    return vf64_select(small, vf64_add(x, ew_xp_plo(x, vf64_zero())), y);
}

/* tiny lanes: x itself, correctly rounded (e^x - 1 = x + x^2/2 + ...),
   and a subnormal x raises underflow (tiny, inexact), as glibc does: x
   2^-60 underflows to 0 there, and is exactly +-0 elsewhere */
EW_INLINE VF64 ew_xp_tiny(VF64 x)
{
    const VF64 xsub = vf64_zero_unless(vf64_lt(vf64_abs(x), vf64_set1(DBL_MIN)), x);
    return vf64_add(x, vf64_mul(xsub, vf64_set1(0x1p-60)));
}

EW_NOINLINE VF64 ew_xp_expm1_slow(VF64 x)
{
    const VM64 big = vf64_nle(x, vf64_set1(EW_F64_EXP_FAST)); /* also +inf, nan */
    const VM64 tiny = vf64_lt(vf64_abs(x), vf64_set1(EW_F64_EXP_TINY));
    const VF64 xs = vf64_max(vf64_zero_if(vm64_or(big, tiny), x), vf64_set1(-40.0)); /* -inf too */
    VF64 y = ew_xp_expm1_fast(xs);
    /* e^x - 1 rounds as e^x there; the other lanes compute exp(0) */
    y = vf64_select(big, ew_xp_exp_slow(vf64_zero_unless(big, x)), y);
    return vf64_select(tiny, ew_xp_tiny(x), y);
}

EW_INLINE VF64 ew_xp_expm1_v(VF64 x)
{
    /* |x| in [EXP_TINY, EXP_FAST]: also excludes inf, nan */
    if (EW_UNLIKELY(ew_f64_any_outside(ew_f64_abs_bits(x), ew_f64_bits(EW_F64_EXP_TINY), ew_f64_bits(EW_F64_EXP_FAST)))) {
        return ew_xp_expm1_slow(x);
    }
    return ew_xp_expm1_fast(vf64_max(x, vf64_set1(-40.0)));
}

/* ---------------- sinh, cosh, tanh ---------------- */

/* a = |x| in [XS... or any] up to EXP_FAST: E = e^a = S + Sl (as in expm1),
   F = e^-a = fh + fl: fh = 1/S, the residual 1 - fh (S + Sl) formed
   exactly (error-free product) times fh. F is scaled from the unscaled
   reciprocal by 2^-min(e, 64): beyond, F < 2^-128 E does not matter, and
   this keeps it (and fl) from underflowing. */
EW_INLINE VF64 ew_xp_hyp_pair(VF64 a, VF64 *sl, VF64 *fh, VF64 *fl)
{
    VF64 el, sc, pe;
    const VF64 eh = ew_xp_pair(a, &el, &sc);
    const VF64 f = vf64_div(ew_xp_c(XPC_ONE), eh);
    const VF64 p = ew_f64_two_prod(f, eh, &pe);
    /* 1 - f eh - f el: 1 - p is exact (p within an ulp of 1) */
    const VF64 res = vf64_fnma(f, el, vf64_sub(vf64_sub(ew_xp_c(XPC_ONE), p), pe));
    const VF64 sinv = vf64_max(vf64_from_bits(vi64_sub(vi64_set1((uint64_t)2046 << 52), vf64_as_bits(sc))),
                               vf64_set1(0x1p-64));
    *fh = vf64_mul(f, sinv);
    *fl = vf64_mul(vf64_mul(res, f), sinv);
    *sl = vf64_mul(el, sc);
    return vf64_mul(eh, sc);
}

/* cosh (sign 0) or sinh (sign: x's sign bit) of a = |x| in [0 or EXP_TINY,
   EXP_FAST]: (E +- F)/2, the sum of the leading parts exact by 2Sum (for
   sinh, E - F loses at most 3 bits for a >= XS: its error stays ~2^-60);
   sinh's small lanes a < XS: x + x z S(z), z = x^2, S minimax */
EW_INLINE VF64 ew_xp_sinhcosh_fast(VF64 x, int cosine)
{
    const VF64 a = vf64_abs(x);
    VF64 sl, fh, fl, l;
    const VF64 sh = ew_xp_hyp_pair(a, &sl, &fh, &fl);
    const VF64 m = cosine ? fh : vf64_sub(vf64_zero(), fh);
    const VF64 h = ew_f64_two_sum(sh, m, &l);
    const VF64 lo = cosine ? vf64_add(sl, fl) : vf64_sub(sl, fl);
    VF64 y = vf64_mul(vf64_add(h, vf64_add(l, lo)), ew_xp_c(XPC_HALF));
    if (!cosine) {
        const VM64 small = vf64_lt(a, vf64_set1(EW_F64_EXP_XS));
        y = vf64_xor(y, vf64_and(x, vf64_set1(-0.0)));
        if (vm64_any(small)) { /* (skipped for most vectors of most data) */
            const VF64 xp = vf64_zero_unless(small, x), z = vf64_mul(xp, xp);
            const VF64 ys = vf64_fma(vf64_mul(xp, z), ew_f64_horner(z, ew_f64_sinh_s, EW_NCOEF(ew_f64_sinh_s)), xp);
            y = vf64_select(small, ys, y);
        }
    }
    return y;
}

/* e^a / 2 for a in [EXP_FAST, SINH_HI]: the exp core, scaled by 2^(e-1-60)
   exactly and then by 2^60, which overflows where it must */
EW_INLINE VF64 ew_xp_exp_half_big(VF64 a)
{
    VF64 rh, rl;
    const VF64 t = ew_xp_reduce(a, &rh, &rl);
    const VF64 s1 = ew_xp_scale(vi64_sub(vf64_as_bits(t), vi64_set1(61 * EW_XP_N)));
    return vf64_mul(vf64_mul(ew_xp_y1(t, rh, rl), s1), ew_xp_c(XPC_SPLIT_HI));
}

EW_NOINLINE VF64 ew_xp_sinhcosh_slow(VF64 x, int cosine)
{
    const VF64 a = vf64_abs(x);
    const VM64 nan = vf64_isnan(x);
    const VM64 big = vf64_nle(a, vf64_set1(EW_F64_EXP_FAST)); /* also inf, nan */
    const VM64 tiny = vf64_lt(a, vf64_set1(EW_F64_EXP_TINY));
    VF64 y = ew_xp_sinhcosh_fast(vf64_zero_if(vm64_or(big, tiny), x), cosine);
    /* finite big lanes: e^a/2; inf: inf (exact, no flag); the others 708 */
    const VM64 fbig = vm64_andnot(vf64_nle(a, vf64_set1(DBL_MAX)), big);
    /* (min and max only on non-NaN lanes: x86's raise invalid on a NaN) */
    const VF64 ab = vf64_max(vf64_min(vf64_zero_unless(fbig, a), vf64_set1(EW_F64_SINH_HI)), vf64_set1(EW_F64_EXP_FAST));
    VF64 yb = vf64_select(fbig, ew_xp_exp_half_big(ab), a);
    if (!cosine) {
        yb = vf64_xor(yb, vf64_and(x, vf64_set1(-0.0)));
    }
    y = vf64_select(big, yb, y);
    y = vf64_select(tiny, cosine ? ew_xp_c(XPC_ONE) : ew_xp_tiny(x), y);
    return vf64_select(nan, x, y);
}

EW_INLINE VF64 ew_xp_sinhcosh_v(VF64 x, int cosine)
{
    if (EW_UNLIKELY(ew_f64_any_outside(ew_f64_abs_bits(x), ew_f64_bits(EW_F64_EXP_TINY), ew_f64_bits(EW_F64_EXP_FAST)))) {
        return ew_xp_sinhcosh_slow(x, cosine);
    }
    return ew_xp_sinhcosh_fast(x, cosine);
}
EW_INLINE VF64 ew_xp_sinh_v(VF64 x) { return ew_xp_sinhcosh_v(x, 0); }
EW_INLINE VF64 ew_xp_cosh_v(VF64 x) { return ew_xp_sinhcosh_v(x, 1); }

/* tanh of x, |x| >= EXP_TINY, not nan: a = min(|x|, 20) (beyond, tanh
   rounds to 1); E = e^(2a) as a pair, N = E - 1, D = E + 1 = N + 2 as
   pairs (2Sum; no cancellation for a >= XS), the quotient by one
   division and one correction: q = nh/dh (~1 ULP), y = q + (nh - q dh +
   nl - q dl)/dh, the residual formed exactly. Small lanes: x + x z T(z). */
EW_INLINE VF64 ew_xp_tanh_fast(VF64 x)
{
    const VF64 a = vf64_min(vf64_abs(x), vf64_set1(20.0));
    VF64 el, sc, nl, dl, pe;
    const VF64 eh = ew_xp_pair(vf64_add(a, a), &el, &sc);
    const VF64 s = vf64_mul(eh, sc);
    const VF64 nh = ew_f64_two_sum(s, vf64_sub(vf64_zero(), ew_xp_c(XPC_ONE)), &nl);
    nl = vf64_add(nl, vf64_mul(el, sc));
    const VF64 dh = ew_f64_two_sum(nh, vf64_set1(2.0), &dl);
    dl = vf64_add(dl, nl);
    const VF64 inv = vf64_div(ew_xp_c(XPC_ONE), dh);
    const VF64 q = vf64_mul(nh, inv);
    const VF64 p = ew_f64_two_prod(q, dh, &pe);
    const VF64 res = vf64_fnma(q, dl, vf64_add(vf64_sub(vf64_sub(nh, p), pe), nl));
    const VF64 y = vf64_fma(res, inv, q);
    /* the small lanes' polynomial on them alone (x^2 of a huge x would overflow) */
    const VM64 small = vf64_lt(vf64_abs(x), vf64_set1(EW_F64_EXP_XS));
    const VF64 yx = vf64_xor(y, vf64_and(x, vf64_set1(-0.0)));
    if (!vm64_any(small)) { /* most vectors of most data */
        return yx;
    }
    const VF64 xp = vf64_zero_unless(small, x), z = vf64_mul(xp, xp);
    const VF64 ys = vf64_fma(vf64_mul(xp, z), ew_f64_horner(z, ew_f64_tanh_t, EW_NCOEF(ew_f64_tanh_t)), xp);
    return vf64_select(small, ys, yx);
}

EW_NOINLINE VF64 ew_xp_tanh_slow(VF64 x)
{
    const VM64 nan = vf64_isnan(x);
    const VM64 tiny = vf64_lt(vf64_abs(x), vf64_set1(EW_F64_EXP_TINY));
    const VF64 y = ew_xp_tanh_fast(vf64_zero_if(vm64_or(nan, tiny), x));
    return vf64_select(nan, x, vf64_select(tiny, ew_xp_tiny(x), y));
}

EW_INLINE VF64 ew_xp_tanh_v(VF64 x)
{
    /* |x| in [EXP_TINY, inf]: not tiny, not nan */
    if (EW_UNLIKELY(ew_f64_any_outside(ew_f64_abs_bits(x), ew_f64_bits(EW_F64_EXP_TINY), ew_f64_bits((double)INFINITY)))) {
        return ew_xp_tanh_slow(x);
    }
    return ew_xp_tanh_fast(x);
}

#endif /* EW_PASS == 1 */

#if EW_PASS == 1
EW_DEFINE_MAP(exp, ew_xp_exp_v)
EW_DEFINE_MAP(exp2, ew_xp_exp2_v)
EW_DEFINE_MAP(expm1, ew_xp_expm1_v)
EW_DEFINE_MAP(sinh, ew_xp_sinh_v)
EW_DEFINE_MAP(cosh, ew_xp_cosh_v)
EW_DEFINE_MAP(tanh, ew_xp_tanh_v)
#else

/* lanes beyond EXPF_MAX, inf, nan: x clamped to [-EXPF_MAX, EXPF_HI] (the
   narrowing gives 0 or inf with the flags), inf and nan lanes zeroed and
   their results selected */
EW_NOINLINE VF32 ew_xp_expf_slow(VF32 x, int two)
{
    const VF32 inf = vf32_set1((float)INFINITY);
    const VM32 nonfinite = vf32_nle(vf32_abs(x), vf32_set1(FLT_MAX));
    VF32 xs = vf32_zero_if(nonfinite, x);
    VF32 y;
    if (two) {
        xs = vf32_max(vf32_min(xs, vf32_set1(EW_F32_EXP2F_HI)), vf32_set1(EW_F32_EXP2F_LO));
        y = EW_F32_VIA_F64(ew_xp_exp2f_wide, xs);
    } else {
        xs = vf32_max(vf32_min(xs, vf32_set1(EW_F32_EXPF_HI)), vf32_set1(-EW_F32_EXPF_MAX));
        y = EW_F32_VIA_F64(ew_xp_expf_wide, xs);
    }
    y = vf32_select(vf32_eq(x, inf), x, y);
    y = vf32_zero_if(vf32_eq(x, vf32_sub(vf32_zero(), inf)), y);
    return vf32_select(vf32_isnan(x), x, y);
}

EW_INLINE VF32 ew_xp_expf_v(VF32 x)
{
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(EW_F32_EXPF_MAX))))) {
        return ew_xp_expf_slow(x, 0);
    }
    return EW_F32_VIA_F64(ew_xp_expf_wide, x);
}

EW_INLINE VF32 ew_xp_exp2f_v(VF32 x)
{
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(EW_F32_EXP2F_MAX))))) {
        return ew_xp_expf_slow(x, 1);
    }
    return EW_F32_VIA_F64(ew_xp_exp2f_wide, x);
}

/* float32 expm1, sinh, cosh, tanh: |x| <= lim computes directly (expm1
   clamps x >= -20 first: e^x - 1 rounds to -1 below; tanh |x| <= 10: it
   rounds to +-1 beyond), other vectors here: inf and nan lanes zeroed,
   the rest clamped to [-lim, lim] (the narrowing of the clamped lanes'
   results raises overflow where it must: lim is beyond the overflow
   threshold and inexact), the results of +-inf (yinf, its sign the sign
   of inf for the odd functions) and nan selected at the end */
EW_NOINLINE VF32 ew_xp_hypf_slow(VF32 x, int fn, float lim, float yinf)
{
    const VF32 inf = vf32_set1((float)INFINITY);
    const VM32 nonfinite = vf32_nle(vf32_abs(x), vf32_set1(FLT_MAX));
    VF32 xs = vf32_zero_if(nonfinite, x);
    xs = vf32_max(vf32_min(xs, vf32_set1(lim)), vf32_set1(fn == 3 ? -20.0f : -lim));
    VF32 y;
    switch (fn) {
    case 0: y = EW_F32_VIA_F64(ew_xp_sinhf_wide, xs); break;
    case 1: y = EW_F32_VIA_F64(ew_xp_coshf_wide, xs); break;
    case 2: y = EW_F32_VIA_F64(ew_xp_tanhf_wide, xs); break;
    default: y = EW_F32_VIA_F64(ew_xp_expm1f_wide, xs); break;
    }
    const VF32 yi = vf32_set1(yinf);
    VF32 ym = fn == 1 ? yi : vf32_sub(vf32_zero(), yi); /* the result at -inf */
    if (fn == 3) {
        ym = vf32_set1(-1.0f);
    }
    y = vf32_select(vf32_eq(x, inf), yi, y);
    y = vf32_select(vf32_eq(x, vf32_sub(vf32_zero(), inf)), ym, y);
    return vf32_select(vf32_isnan(x), x, y);
}

/* A subnormal float32 x is a normal float64, whose result x is exact in
   float32: raise underflow for it here (x 2^-60 underflows to +-0 in those
   lanes only; the odd functions, which keep the sign of zero) */
EW_INLINE VF32 ew_xp_f32_tiny(VF32 x, VF32 y)
{
    if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_ki(ew_f32_bits(FLT_MIN)), ew_f32_abs_bits(x)))) {
        const VF32 xsub = vf32_zero_unless(vf32_lt(vf32_abs(x), vf32_set1(FLT_MIN)), x);
        y = vf32_add(y, vf32_mul(xsub, vf32_set1(0x1p-60f)));
        y = vf32_select(vf32_eq(x, vf32_zero()), x, y); /* f(+-0) = +-0 */
    }
    return y;
}

#define EW_XP_F32_KERNEL(fname, fn, wide, lim, yinf, lo_clamp, tiny)                         \
    EW_INLINE VF32 fname(VF32 x)                                                             \
    {                                                                                        \
        VF32 y;                                                                              \
        if (EW_UNLIKELY(ew_f32_any_igt(ew_f32_abs_bits(x), ew_f32_ki(ew_f32_bits(lim))))) { \
            y = ew_xp_hypf_slow(x, fn, lim, yinf);                                           \
        } else {                                                                             \
            y = EW_F32_VIA_F64(wide, lo_clamp ? vf32_max(x, vf32_set1(-20.0f)) : x);         \
        }                                                                                    \
        return tiny ? ew_xp_f32_tiny(x, y) : y;                                              \
    }
EW_XP_F32_KERNEL(ew_xp_sinhf_v, 0, ew_xp_sinhf_wide, 90.0f, INFINITY, 0, 1)
EW_XP_F32_KERNEL(ew_xp_coshf_v, 1, ew_xp_coshf_wide, 90.0f, INFINITY, 0, 0)
EW_XP_F32_KERNEL(ew_xp_tanhf_v, 2, ew_xp_tanhf_wide, 10.0f, 1.0f, 0, 1)
EW_XP_F32_KERNEL(ew_xp_expm1f_v, 3, ew_xp_expm1f_wide, 90.0f, INFINITY, 1, 1)
#undef EW_XP_F32_KERNEL

EW_DEFINE_MAP(exp, ew_xp_expf_v)
EW_DEFINE_MAP(exp2, ew_xp_exp2f_v)
EW_DEFINE_MAP(expm1, ew_xp_expm1f_v)
EW_DEFINE_MAP(sinh, ew_xp_sinhf_v)
EW_DEFINE_MAP(cosh, ew_xp_coshf_v)
EW_DEFINE_MAP(tanh, ew_xp_tanhf_v)
#endif
