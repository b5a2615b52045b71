#!/usr/bin/env python3
"""Derive the constants of simd/math/exp.h, the "exp" function group (exp,
exp2, expm1, sinh, cosh, tanh). Run by hand, not by the build:

    python3 simd/math/exp.py            # prints the data (JSON)
    python3 simd/math/exp.py --write    # rewrites simd/math/exp.json
    python3 simd/math/exp.py --check    # verifies it (exit 1 if it differs)

Everything comes from mpmath, with the helpers (Remez, rounding, hex-floats)
of simd/elementwise_consts.py:

* the table 2^(j/N), j < N = 128, as two doubles HI + LO each (the value to
  ~2^-106: the table's rounding is carried, not dropped),
* the Cody-Waite split of ln2/N and of ln2 (for exp2),
* minimax polynomials: e^r - 1 - r = r^2 Q(r) on |r| <= ln2/(2N) (float64
  and, shorter, for float32 computed in float64), and the odd
  polynomials of sinh and tanh near 0,
* for the float32 paths of layers that look up 16 entries in registers
  (SIMD_LOOKUP16_PERMUTE): the table 2^(j/16), Q on |r| <= ln2/32, and
  cosh r = 1 + z C(z), sinh r = r + r z S(z) there.
"""

from __future__ import annotations

import json
import pathlib
import struct
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import mpmath as mp  # noqa: E402

import elementwise_consts as ec  # noqa: E402  (sets mp.mp.prec = 160)

N = 128
N16 = 16
LN2 = mp.log(2)
DATA_FILE = "exp.json"
P = 53


def expq(t):
    """(e^r - 1 - r) / r^2"""
    if abs(t) < mp.mpf("1e-40"):
        return mp.mpf(1) / 2 + t / 6
    return (mp.expm1(t) - t) / t**2


def expq_w(t):
    # error of r^2 Q relative to e^r
    return t**2 / mp.exp(t)


def cosh_c(z):
    """(cosh(x) - 1) / z, z = x^2"""
    if z < mp.mpf("1e-60"):
        return mp.mpf(1) / 2 + z / 24
    return (mp.cosh(mp.sqrt(z)) - 1) / z


def cosh_w(z):
    # cosh x = 1 + z C(z): error of z C relative to cosh x
    if z < mp.mpf("1e-60"):
        return z
    return z / mp.cosh(mp.sqrt(z))


def sinh_s(z):
    """(sinh(x)/x - 1) / z, z = x^2"""
    if z < mp.mpf("1e-60"):
        return mp.mpf(1) / 6 + z / 120
    x = mp.sqrt(z)
    return (mp.sinh(x) / x - 1) / z


def sinh_w(z):
    # sinh x = x + x z S(z): error of x z S relative to sinh x
    if z < mp.mpf("1e-60"):
        return z
    x = mp.sqrt(z)
    return x * z / mp.sinh(x)


def tanh_t(z):
    """(tanh(x)/x - 1) / z, z = x^2"""
    if z < mp.mpf("1e-60"):
        return -mp.mpf(1) / 3 + 2 * z / 15
    x = mp.sqrt(z)
    return (mp.tanh(x) / x - 1) / z


def tanh_w(z):
    if z < mp.mpf("1e-60"):
        return z
    x = mp.sqrt(z)
    return x * z / mp.tanh(x)


# |x| below which sinh and tanh take their odd polynomial (and above which
# the exponentials' difference loses at most log2(coth(XS)) ~ 3 bits)
XS = mp.mpf(1) / 8


def derive() -> dict:
    # r = x - k ln2/N: |r| <= ln2/(2N) plus the slop of k's rounding
    a = LN2 / (2 * N) * (1 + mp.mpf(2) ** -30)
    zs = XS**2 * (1 + mp.mpf(2) ** -40)
    # the float32 paths with a 16-entry table (layers with a register
    # lookup of 16): |r| <= ln2/32 plus slop
    a16 = LN2 / (2 * N16) * (1 + mp.mpf(2) ** -30)
    specs = [
        ("xp_q", expq, expq_w, -a, a, 4,
         f"Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xp_q3", expq, expq_w, -a, a, 3,
         f"exp, exp2 (rounded at once): Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xpf_q", expq, expq_w, -a, a, 1,
         f"float32 in float64: Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xp16_q", expq, expq_w, -a16, a16, 7,
         f"float64 pair, table of {N16}: Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N16} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xp16_q3", expq, expq_w, -a16, a16, 5,
         f"float64 exp, exp2, table of {N16}: Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N16} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xpf16_q", expq, expq_w, -a16, a16, 3,
         f"float32 in float64, table of {N16}: Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N16} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xpf16_qm", expq, expq_w, -a16, a16, 4,
         f"float32 expm1 in float64, table of {N16}: Q(r) = (e^r - 1 - r) / r^2, r in [-a, a], a = ln2/{2 * N16} plus slop",
         "relative error of r^2 Q(r) to e^r"),
        ("xpf16_c", cosh_c, cosh_w, 0, a16**2, 1,
         f"float32 sinh, cosh in float64: C(z) = (cosh(r) - 1) / z, z = r^2, |r| <= ln2/{2 * N16} plus slop",
         "error of z C(z) relative to cosh r"),
        ("xpf16_s", sinh_s, sinh_w, 0, a16**2, 1,
         f"float32 sinh, cosh in float64: S(z) = (sinh(r)/r - 1) / z, z = r^2, |r| <= ln2/{2 * N16} plus slop",
         "error of r z S(z) relative to sinh r"),
        ("sinh_s", sinh_s, sinh_w, 0, zs, 4,
         "S(z) = (sinh(x)/x - 1) / z, sinh x = x + x z S(z), z = x^2 in [0, 1/64 plus slop]",
         "error of x z S(z) relative to sinh x"),
        ("tanh_t", tanh_t, tanh_w, 0, zs, 7,
         "T(z) = (tanh(x)/x - 1) / z, tanh x = x + x z T(z), z = x^2 in [0, 1/64 plus slop]",
         "error of x z T(z) relative to tanh x"),
    ]
    polys = []
    for name, f, w, lo, hi, deg, what, errwhat in specs:
        c, e = ec.fit(name, f, w, lo, hi, deg, P)
        polys.append({
            "name": name,
            "what": what,
            "interval": [mp.nstr(lo, 20), mp.nstr(hi, 20)],
            "degree": deg,
            "max_error": ec.log2_str(e) + " (" + errwhat + ", dense grid, coefficients as rounded)",
            "coeffs": [ec.hexf(x, P) for x in c],
        })

    his, los = [], []
    worst = mp.mpf(0)
    for j in range(N):
        v = mp.mpf(2) ** (mp.mpf(j) / N)
        hi = ec.round_to(v, P)
        lo = ec.round_to(v - hi, P)
        worst = max(worst, abs(v - hi - lo) / v)
        his.append(ec.hexf(hi, P))
        # (the generator's literal form of zero: its regex wants a point)
        los.append(ec.hexf(lo, P) if lo else "0x0.0p+0")

    his16 = [ec.hexf(ec.round_to(mp.mpf(2) ** (mp.mpf(j) / N16), P), P) for j in range(N16)]
    los16 = []
    for j in range(N16):
        v = mp.mpf(2) ** (mp.mpf(j) / N16)
        lo = ec.round_to(v - ec.round_to(v, P), P)
        los16.append(ec.hexf(lo, P) if lo else "0x0.0p+0")
    # the same with j * 2^48 taken from the bits (2^(j/16) - 1 < j/16: the
    # exponent drops by one, the value stays a normal double), so that
    # adding the low 16 bits of k + (bias - 1023) 16 shifted by 48 gives
    # 2^(k/16) 2^bias-1023 (k = 16 e + j): one shift and one add
    tb16 = []
    for j in range(N16):
        v = float(ec.round_to(mp.mpf(2) ** (mp.mpf(j) / N16), P))
        bits = struct.unpack("<Q", struct.pack("<d", v))[0] - (j << 48)
        tb16.append(ec.hexf(mp.mpf(struct.unpack("<d", struct.pack("<Q", bits))[0]), P))

    # k = round(x N/ln2), |k| < 2^18 for |x| <= 746: k * LN2N_HI exact
    kbits = 18
    (l_hi, l_lo), rest = ec.cw_split(LN2 / N, P, [P - kbits, None])
    d_hi = ec.round_to(LN2, P)
    d_lo = ec.round_to(LN2 - d_hi, P)
    consts = [
        {"name": "EXP_N_LN2", "value": ec.hexf(ec.round_to(N / LN2, P), P), "what": f"{N}/ln2 rounded"},
        {"name": "EXP_LN2N_HI", "value": ec.hexf(l_hi, P),
         "what": f"ln2/{N}, high part: {ec.sigbits(l_hi)} significant bits, k * HI exact for |k| < 2^{kbits}"},
        {"name": "EXP_LN2N_LO", "value": ec.hexf(l_lo, P),
         "what": f"ln2/{N} - HI rounded; ln2/{N} - HI - LO = {ec.log2_str(rest)}"},
        {"name": "EXP_LN2_HI", "value": ec.hexf(d_hi, P), "what": "ln2 rounded (exp2's r ln2 as a pair)"},
        {"name": "EXP_LN2_LO", "value": ec.hexf(d_lo, P),
         "what": f"ln2 - HI rounded; ln2 - HI - LO = {ec.log2_str(LN2 - d_hi - d_lo)}"},
        {"name": "EXP_XS", "value": ec.hexf(XS, P),
         "what": "sinh, tanh: the odd polynomial below, the exponentials from here"},
    ]
    return {
        "about": ("The constants of simd/math/exp.h. Written by simd/math/exp.py --write (mpmath, run by "
                  "hand; --check verifies this file); the build turns it into C with "
                  "simd/gen_elementwise_consts.py. Do not edit by hand."),
        "formats": {"f64": {"ctype": "double", "bits": 53}, "f32": {"ctype": "float", "bits": 24}},
        "polynomials": {"f64": polys},
        "constants": {"f64": consts},
        "tables": {"f64": [
            {"name": "exp_th", "what": f"2^(j/{N}) rounded (HI), j = 0..{N - 1}", "values": his},
            {"name": "exp_tl", "what": (f"2^(j/{N}) - HI rounded (LO); |2^(j/{N}) - HI - LO| / 2^(j/{N}) "
                                        f"<= {ec.log2_str(worst)}"), "values": los},
            {"name": "exp16_th", "what": f"2^(j/{N16}) rounded, j = 0..{N16 - 1} (float32 paths, vf64_lookup16)",
             "values": his16},
            {"name": "exp16_tl", "what": f"2^(j/{N16}) - exp16_th[j] rounded, j = 0..{N16 - 1} (vf64_lookup16)",
             "values": los16},
            {"name": "exp16_tb", "what": (f"2^(j/{N16}) rounded, j * 2^48 subtracted from its bits "
                                          "(float32 paths: the scaling by an integer add)"),
             "values": tb16},
        ]},
    }


def main() -> int:
    path = HERE / DATA_FILE
    text = json.dumps(derive(), indent=2) + "\n"
    return ec.write_or_check(path, text)


if __name__ == "__main__":
    sys.exit(main())
