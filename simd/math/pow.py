#!/usr/bin/env python3
"""Derive the constants of simd/math/pow.h (hypot, cbrt, power), run by hand:

    python3 simd/math/pow.py            # prints the data (JSON)
    python3 simd/math/pow.py --write    # rewrites simd/math/pow.json
    python3 simd/math/pow.py --check    # verifies it (exit 1 if it differs)

Reuses the Remez, rounding and hex-float helpers of simd/elementwise_consts.py.

* cbrt: a minimax polynomial for cbrt(m) on [1, 2] (the initial guess of
  two Newton steps), 2^(1/3), 2^(2/3), 1/3; for float32 one for m^(-1/3)
  (a division-free correction), 2^(-1/3), 2^(-2/3), 2/3, 5/9.
* power: log(x) as a double-double, Tang-style: x = 2^k m, m in [OFF, 2 OFF)
  by integer operations on the bits, m in one of 128 cells; c = an 8-bit
  approximation of 1/m (exactly 1 in the cell around m = 1, whose centre
  OFF puts at 1), r = m c - 1 exact, log x = k ln2 - log c + log1p(r), the
  table holding -log c as HI + LO and log1p(r) = r - r^2/2 + r^3 P(r).
  exp of a double-double z: z = (256 k' + j) ln2/256 + a, 2^(j/256) as
  HI + LO from a table, e^a - 1 - a = a^2 Q(a).
* float32 power where vf64_lookup16 is a register permute: exp with 16
  cells (2^(j/16), a Qf of degree 3); its log is log.h's 16-cell one.
"""

from __future__ import annotations

import json
import pathlib
import struct
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import mpmath as mp  # noqa: E402

import elementwise_consts as ec  # noqa: E402

mp.mp.prec = 200
DATA_FILE = "pow.json"
LOG_CELLS_BITS = 7  # 128 cells
C_BITS = 8  # significant bits of c: r = m c - 1 stays exact (checked below)
EXP_BITS = 8  # 256 entries of 2^(j/256)


def dbits(d: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", d))[0]


def dfrom(u: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", u))[0]


def h53(x) -> str:
    return ec.hexf(ec.round_to(x, 53), 53)


def ulp(d: float) -> mp.mpf:
    m, e = mp.frexp(mp.mpf(d))
    return mp.ldexp(1, e - 53)


def log_table():
    """OFF, and per cell: c, -log c (HI, LO); the largest |r| and the check
    that m c - 1 is exact for every m of the cell"""
    shift = 52 - LOG_CELLS_BITS
    # OFF ~ sqrt(1/2) with bits(1) - bits(OFF) = 2^(shift-1) mod 2^shift:
    # m = 1 is the centre of its cell
    base = dbits(0.70710678118654752440)
    off = (base >> shift << shift) + (1 << (shift - 1))
    one_cell = ((dbits(1.0) - off) >> shift)
    cs, his, los = [], [], []
    rmax = mp.mpf(0)
    for i in range(1 << LOG_CELLS_BITS):
        lo_b = off + (i << shift)
        hi_b = off + ((i + 1) << shift) - 1
        mlo, mhi = dfrom(lo_b), dfrom(hi_b)
        if i == one_cell:
            c = mp.mpf(1)
        else:
            c = ec.round_to(2 / (mp.mpf(mlo) + mp.mpf(mhi)), C_BITS)
            # exactness: r is a multiple of ulp(m) ulp(c) (one binade per cell)
            assert ulp(mlo) == ulp(mhi)
            g = ulp(mlo) * mp.ldexp(1, int(mp.floor(mp.log(c, 2))) - (C_BITS - 1))
            for m in (mlo, mhi):
                r = mp.mpf(m) * c - 1
                assert abs(r) < g * 2**53, (i, r)
        for m in (mlo, mhi):
            rmax = max(rmax, abs(mp.mpf(m) * c - 1))
        v = -mp.log(c)
        hi = ec.round_to(v, 53)
        cs.append(ec.hexf(c, 53))
        his.append(ec.hexf(hi, 53) if hi else "0x0.0p+0")
        lo = ec.round_to(v - hi, 53)
        los.append(ec.hexf(lo, 53) if lo else "0x0.0p+0")
    return dfrom(off), cs, his, los, rmax


def derive() -> dict:
    polys, consts, tables = [], [], []

    def const(name, value, what):
        consts.append({"name": name, "value": ec.hexf(value, 53), "what": what})

    # ---------------- cbrt ----------------
    deg_cbrt = 7
    c, err = ec.fit("cbrt_p", lambda t: mp.cbrt(t), lambda t: 1 / mp.cbrt(t), 1, 2, deg_cbrt, 53)
    polys.append({
        "name": "cbrt_p", "what": "P(m) ~ cbrt(m), m in [1, 2] (the initial guess of the Newton steps)",
        "interval": ["1", "2"], "degree": deg_cbrt,
        "max_error": ec.log2_str(err) + " (relative, dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})
    # float32's cbrt (in float64) needs no division: u ~ m^(-1/3) to
    # 2^-17, one correction of tt u^2 (see pow.h) leaves ~2^-48
    deg_rcbrt = 5
    c, err = ec.fit("rcbrt_p", lambda t: 1 / mp.cbrt(t), lambda t: mp.cbrt(t), 1, 2, deg_rcbrt, 53)
    polys.append({
        "name": "rcbrt_p", "what": "R(m) ~ m^(-1/3), m in [1, 2] (float32 cbrt's guess, in float64)",
        "interval": ["1", "2"], "degree": deg_rcbrt,
        "max_error": ec.log2_str(err) + " (relative, dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})
    const("RCBRT_2", ec.round_to(1 / mp.cbrt(2), 53), "2^(-1/3) rounded")
    const("RCBRT_4", ec.round_to(1 / mp.cbrt(4), 53), "2^(-2/3) rounded")
    const("CBRT_TWO_THIRDS", ec.round_to(mp.mpf(2) / 3, 53), "2/3 rounded")
    const("CBRT_FIVE_NINTHS", ec.round_to(mp.mpf(5) / 9, 53), "5/9 rounded")
    const("CBRT_2", ec.round_to(mp.cbrt(2), 53), "2^(1/3) rounded")
    const("CBRT_4", ec.round_to(mp.cbrt(4), 53), "2^(2/3) rounded")
    const("CBRT_THIRD", ec.round_to(mp.mpf(1) / 3, 53), "1/3 rounded")
    const("CBRT_NINTH", ec.round_to(mp.mpf(1) / 9, 53), "1/9 rounded")

    # ---------------- power: log ----------------
    off, cs, his, los, rmax = log_table()
    const("POW_OFF", mp.mpf(off), f"m in [OFF, 2 OFF): about sqrt(1/2), m = 1 the centre of a cell of {1 << LOG_CELLS_BITS}")
    tables.append({"name": "pow_logc", "what": f"c ~ 1/m ({C_BITS} bits) per cell of m in [OFF, 2 OFF); 1 in the cell around m = 1", "values": cs})
    tables.append({"name": "pow_logt_hi", "what": "-log(c) rounded (HI)", "values": his})
    tables.append({"name": "pow_logt_lo", "what": "-log(c) - HI rounded (LO)", "values": los})
    rm = rmax * (1 + mp.mpf(2) ** -20)
    deg_log = 7

    def l1p_p(t):
        if abs(t) < mp.mpf("1e-30"):
            return mp.mpf(1) / 3 - t / 4
        return (mp.log1p(t) - t + t * t / 2) / t**3

    c, err = ec.fit("pow_log_p", l1p_p, lambda t: t**3 / mp.log1p(t) if t else mp.mpf(0), -rm, rm, deg_log, 53)
    polys.append({
        "name": "pow_log_p", "what": f"P(r) = (log1p(r) - r + r^2/2) / r^3, |r| <= {mp.nstr(rm, 8)} ({ec.log2_str(rm)})",
        "interval": [mp.nstr(-rm, 20), mp.nstr(rm, 20)], "degree": deg_log,
        "max_error": ec.log2_str(err) + " (error of r^3 P(r) relative to log1p(r), dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})
    # float32 power (computed in float64, ~2^-43 relative is enough):
    # log1p(r) = r + r^2 Pf(r)
    deg_logf = 3

    def l1p_f(t):
        if abs(t) < mp.mpf("1e-30"):
            return -mp.mpf(1) / 2 + t / 3
        return (mp.log1p(t) - t) / t**2

    c, err = ec.fit("pow_logf_p", l1p_f, lambda t: t**2 / mp.log1p(t) if t else mp.mpf(0), -rm, rm, deg_logf, 53)
    polys.append({
        "name": "pow_logf_p", "what": f"Pf(r) = (log1p(r) - r) / r^2, |r| <= {mp.nstr(rm, 8)} (float32 power)",
        "interval": [mp.nstr(-rm, 20), mp.nstr(rm, 20)], "degree": deg_logf,
        "max_error": ec.log2_str(err) + " (error of r^2 Pf(r) relative to log1p(r), dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})
    ln2 = mp.log(2)
    (lh, ll), rest = ec.cw_split(ln2, 53, [42, None])
    const("POW_LN2_HI", lh, "ln 2, high part: 42 significant bits, k * HI exact for |k| < 2^11")
    const("POW_LN2_LO", ll, f"ln 2 - HI rounded; ln 2 - HI - LO = {ec.log2_str(rest)}")

    # ---------------- power: exp ----------------
    n = 1 << EXP_BITS
    const("POW_EXP_N_LN2", ec.round_to(n / ln2, 53), f"{n}/ln 2 rounded")
    (eh, el), rest = ec.cw_split(ln2 / n, 53, [34, None])
    const("POW_EXP_LN2N_HI", eh, f"ln 2/{n}, high part: 34 significant bits, K * HI exact for |K| < 2^19")
    const("POW_EXP_LN2N_LO", el, f"ln 2/{n} - HI rounded; the rest {ec.log2_str(rest)}")
    th, tl = [], []
    for j in range(n):
        v = mp.mpf(2) ** (mp.mpf(j) / n)
        hi = ec.round_to(v, 53)
        lo = ec.round_to(v - hi, 53)
        th.append(ec.hexf(hi, 53))
        tl.append(ec.hexf(lo, 53) if lo else "0x0.0p+0")
    tables.append({"name": "pow_exp_hi", "what": f"2^(j/{n}) rounded (HI)", "values": th})
    tables.append({"name": "pow_exp_lo", "what": f"2^(j/{n}) - HI rounded (LO)", "values": tl})
    am = ln2 / (2 * n) * (1 + mp.mpf(2) ** -12)
    deg_exp = 3
    c, err = ec.fit("pow_exp_q", ec.exp_q, ec.exp_w, -am, am, deg_exp, 53)
    polys.append({
        "name": "pow_exp_q", "what": f"Q(a) = (e^a - 1 - a) / a^2, |a| <= ln2/{2 * n} plus slop",
        "interval": [mp.nstr(-am, 20), mp.nstr(am, 20)], "degree": deg_exp,
        "max_error": ec.log2_str(err) + " (relative error of a^2 Q(a) to e^a, dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})
    # float32 power: the same reduction, a shorter Q
    c, err = ec.fit("pow_expf_q", ec.exp_q, ec.exp_w, -am, am, 1, 53)
    polys.append({
        "name": "pow_expf_q", "what": f"Qf(a) = (e^a - 1 - a) / a^2, |a| <= ln2/{2 * n} plus slop (float32 power)",
        "interval": [mp.nstr(-am, 20), mp.nstr(am, 20)], "degree": 1,
        "max_error": ec.log2_str(err) + " (relative error of a^2 Qf(a) to e^a, dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})

    # float32 power where the layer's vf64_lookup16 is a register permute
    # (AVX-512): 16 cells for exp, a longer Qf
    n16 = 16
    const("POW_EXP16_N_LN2", ec.round_to(n16 / ln2, 53), f"{n16}/ln 2 rounded")
    (eh, el), rest = ec.cw_split(ln2 / n16, 53, [34, None])
    const("POW_EXP16_LN2N_HI", eh, f"ln 2/{n16}, high part: 34 significant bits")
    const("POW_EXP16_LN2N_LO", el, f"ln 2/{n16} - HI rounded; the rest {ec.log2_str(rest)}")
    tables.append({"name": "pow_exp16", "what": f"2^(j/{n16}) rounded (float32 power, lookup16)",
                   "values": [ec.hexf(ec.round_to(mp.mpf(2) ** (mp.mpf(j) / n16), 53), 53) for j in range(n16)]})
    am16 = ln2 / (2 * n16) * (1 + mp.mpf(2) ** -12)
    deg16 = 3
    c, err = ec.fit("pow_expf16_q", ec.exp_q, ec.exp_w, -am16, am16, deg16, 53)
    polys.append({
        "name": "pow_expf16_q", "what": f"Qf(a) = (e^a - 1 - a) / a^2, |a| <= ln2/{2 * n16} plus slop (float32 power, lookup16)",
        "interval": [mp.nstr(-am16, 20), mp.nstr(am16, 20)], "degree": deg16,
        "max_error": ec.log2_str(err) + " (relative error of a^2 Qf(a) to e^a, dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c]})

    return {
        "about": "The constants of simd/math/pow.h (hypot, cbrt, power). Written by simd/math/pow.py --write "
                 "(mpmath, run by hand; --check verifies this file). Do not edit by hand.",
        "formats": {"f64": {"ctype": "double", "bits": 53}, "f32": {"ctype": "float", "bits": 24}},
        "polynomials": {"f64": polys},
        "constants": {"f64": consts},
        "tables": {"f64": tables},
    }


def main() -> int:
    path = pathlib.Path(__file__).with_name(DATA_FILE)
    text = json.dumps(derive(), indent=2) + "\n"
    return ec.write_or_check(path, text)


if __name__ == "__main__":
    sys.exit(main())
