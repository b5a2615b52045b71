#!/usr/bin/env python3
"""Derive the constants of simd/math/log.h (run by hand, not by the build).

    python3 simd/math/log.py            # prints the data (JSON)
    python3 simd/math/log.py --write    # rewrites simd/math/log.json
    python3 simd/math/log.py --check    # verifies it (exit 1 if it differs)

With mpmath, reusing the helpers of simd/elementwise_consts.py (weighted
Remez, rounding, hex-floats). The reduction (see log.h): x = 2^k z with z
in [OFF, 2 OFF), OFF = LOG_OFF just below 0.6875 so that 1 lies in the
middle of its cell; the cell j is given by the top LOG_N mantissa bits of
bits(x) + bits(1) - bits(OFF); r = z c_j - 1; log x = k ln2 - log(c_j) +
log1p(r).

* c_j: LOG_CBITS significant bits, chosen to minimise max |r| on cell j
  (c = 1 on the cell of 1). z c_j - 1 is then exact: checked here on the
  grid of z c_j. It is stored in the low 8 bits of the two tables below
  (whose values have 8 trailing zero bits): one lookup gives both.
* log_hic, log_lo: -log(c_j) = hi + lo, hi on the grid of LOG_LN2_HI (a
  multiple of 2^-42), so k LN2_HI + hi is exact for any k of a double.
* logw_lc: -log(c_j) to 45 bits, for the float32 functions (computed in
  float64).
* log_q: log1p(r) = r + r^2 Q(r) on the cells' range of r, float64.
* logw_q: the same, shorter, for float32 computed in float64 (needs
  ~2^-40 only).
* logw16_c, logw16_l, logw16_q, LOG16_OFF: float32's reduction where the
  layer's vf64_lookup16 is a register permute (AVX-512): 16 cells, c_j to
  24 bits (z c_j - 1 exact for a float z), -log(c_j) rounded, and Q of
  degree 5 on the larger range of r (|r| < 2^-5). logw16_pe, logw16_p2, logw16_p10,
  logw16_l2, logw16_l10, LOG_LOG10_2: log1p(r) = r P(r) divided by ln b,
  and -log_b(c_j), for float32 log, log2 and log10 (one FMA after P).
* log16_c, log16_hi, log16_lo, log16_q: float64's reduction there: 16
  cells, c_j of 5 bits (z c_j - 1 exact, checked as above), -log(c_j) = hi
  + lo as for the 128 cells, Q of degree 10 (|r| < 2^-4.4).
* asinhw_s, atanhw_s: float32 arcsinh/arctanh below 2^-8, Taylor series.
* constants: LN2 in parts, 1/ln2 and 1/ln10 split into a 26-bit head (its
  products with a 27-bit half of a double are exact) and a rounded tail.
"""

from __future__ import annotations

import json
import pathlib
import struct
import sys
from fractions import Fraction

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import elementwise_consts as ec  # noqa: E402
import mpmath as mp  # noqa: E402

mp.mp.prec = 160

LOG_N = 7        # table index bits: 128 cells
LOG_CBITS = 8    # significant bits of c_j: z c_j - 1 exact (|r| < 2^(1 - CBITS))
OFF_BITS = 0x3FE6000000000000 - (1 << (51 - LOG_N))  # 0.6875 - 2^-9: 1 mid-cell
ONE_BITS = 0x3FF0000000000000
HI_GRID = Fraction(1, 2**42)
LOG16_N = 4      # the 16-cell reduction (float32 where lookup16 is a permute)
OFF16_BITS = 0x3FE6000000000000 - (1 << (51 - LOG16_N))  # 0.671875: 1 mid-cell
DEG_Q16 = 5      # its Q: degree 5 (2^-44)
LOG16_CBITS = 5  # float64's 16-cell reduction: c_j of 5 bits keeps z c_j - 1 exact
DEG_Q16D = 10    # and its Q: degree 10 (2^-64.5; |r| < 2^-4.4)
DEG_Q = 5        # float64: Q of degree 5 (2^-62)
DEG_QW = 3       # float32 via float64: degree 3 (2^-45)


def from_bits(b: int) -> Fraction:
    return Fraction(struct.unpack("<d", struct.pack("<Q", b))[0])


def ulp53(v: Fraction) -> Fraction:
    """the spacing of doubles (53 bits) at v > 0"""
    e = 0
    while v >= 2:
        v /= 2
        e += 1
    while v < 1:
        v *= 2
        e -= 1
    return Fraction(2) ** (e - 52)


def round_bits(v: Fraction, bits: int) -> Fraction:
    """v > 0 rounded to `bits` significant bits"""
    u = ulp53(v) * 2 ** (53 - bits)
    return Fraction(round(v / u)) * u


def cells16():
    """[(zlo, zhi, c)] per cell of the 16-cell reduction (float32's, in
    float64, where vf64_lookup16 is a permute): c ~ 1/z to 24 bits, so that
    z c - 1 is exact for a float z (24 + 24 bits) in one FMA"""
    out = []
    width = 1 << (52 - LOG16_N)
    for j in range(1 << LOG16_N):
        zlo = from_bits(OFF16_BITS + j * width)
        zhi = from_bits(OFF16_BITS + (j + 1) * width)
        c = Fraction(1) if zlo <= 1 < zhi else round_bits(2 / (zlo + zhi), 24)
        out.append((zlo, zhi, c))
    return out


def cells(log_n=None, cbits=None, off_bits=None):
    """[(zlo, zhi, c)] per cell j: z in [zlo, zhi) (default: the 128-cell
    reduction; log_n=LOG16_N etc.: float64's 16-cell one)"""
    log_n = LOG_N if log_n is None else log_n
    cbits = LOG_CBITS if cbits is None else cbits
    off_bits = OFF_BITS if off_bits is None else off_bits
    out = []
    width = 1 << (52 - log_n)
    for j in range(1 << log_n):
        zlo = from_bits(off_bits + j * width)
        zhi = from_bits(off_bits + (j + 1) * width)
        if zlo <= 1 < zhi:
            c = Fraction(1)
        else:
            c0 = round_bits(2 / (zlo + zhi), cbits)
            step = ulp53(c0) * 2 ** (53 - cbits)
            cands = [c0 + i * step for i in range(-3, 4)]
            c = min(cands, key=lambda c: max(abs(zlo * c - 1), abs(zhi * c - 1)))
            assert round_bits(c, cbits) == c
        # exactness of z c - 1: z c is a multiple of ulp(z) ulp_b(c); |r| must
        # stay below 2^53 of those (zhi is excluded, the last z of the cell is
        # zhi - ulp)
        rmax = max(abs(zlo * c - 1), abs(zhi * c - 1))
        grid = min(ulp53(zlo), ulp53(zhi - ulp53(zhi) / 2)) * ulp53(c) * 2 ** (53 - cbits)
        assert rmax < grid * 2**53, (j, float(rmax))
        # t = hi + rh by Fast2Sum (k = 0; for k != 0 |hi| > ln2 - 0.38): |hi| >= |r|
        assert c == 1 or abs(mp.log(mp.mpf(c.numerator) / c.denominator)) > 1.3 * rmax, j
        out.append((zlo, zhi, c))
    return out


def q_f(r):
    """(log1p(r) - r) / r^2"""
    if abs(r) < mp.mpf("1e-40"):
        return -mp.mpf(1) / 2 + r / 3
    return (mp.log1p(r) - r) / r**2


def q_w(r):
    # the error of r^2 Q(r) relative to log1p(r), which is at most the
    # result's magnitude on the cell of 1 and far below it elsewhere
    if abs(r) < mp.mpf("1e-40"):
        return abs(r)
    return r**2 / abs(mp.log1p(r))


def hexd(v) -> str:
    """a double as a hex-float literal the generator accepts (0 too)"""
    s = ec.hexf(mp.mpf(v.numerator) / v.denominator if isinstance(v, Fraction) else v, 53)
    return "0x0.0p+0" if s == "0x0p+0" else s


def derive() -> dict:
    cs = cells()
    rlo = min(min(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in cs)
    rhi = max(max(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in cs)
    # slop: none for the float64 reduction (exact); the float32 one too
    a, b = mp.mpf(rlo.numerator) / rlo.denominator, mp.mpf(rhi.numerator) / rhi.denominator

    # c_j travels in the low 8 bits of a table value whose own low 8 bits
    # are zero: its code is (exponent - bias + 1) << 7 | its 7 fraction bits,
    # so that bits(c) = bits(0.5) + (code << 45)
    hic, lo, lwc = [], [], []
    for zlo, zhi, c in cs:
        cb = struct.unpack("<Q", struct.pack("<d", float(c)))[0]
        code = (cb - 0x3FE0000000000000) >> 45
        assert 0 <= code < 256 and 0x3FE0000000000000 + (code << 45) == cb, c
        L = -mp.log(mp.mpf(c.numerator) / c.denominator)
        h = mp.nint(L / mp.mpf(HI_GRID)) * mp.mpf(HI_GRID)
        w = ec.round_to(L, 45)  # float32's value: 45 bits, the low 8 for c
        for v, out in ((h, hic), (w, lwc)):
            vb = struct.unpack("<Q", struct.pack("<d", float(v)))[0]
            assert mp.mpf(float(v)) == v and vb & 0xFF == 0
            packed = struct.unpack("<d", struct.pack("<Q", vb | code))[0]
            out.append("0x0.0p+0" if packed == 0 else (packed.hex() if vb else f"0x0.{code:013x}p-1022"))
        lo.append(hexd(ec.round_to(L - h, 53)))

    polys = []
    for name, deg, what in (
        ("log_q", DEG_Q, "float64"),
        ("logw_q", DEG_QW, "float32 (computed in float64)"),
    ):
        c, e = ec.fit(name, q_f, q_w, a, b, deg, 53)
        polys.append({
            "name": name,
            "what": f"{what}: Q(r) = (log1p(r) - r) / r^2, log1p(r) = r + r^2 Q(r), r in [{mp.nstr(a, 8)}, {mp.nstr(b, 8)}]",
            "interval": [mp.nstr(a, 20), mp.nstr(b, 20)],
            "degree": deg,
            "max_error": ec.log2_str(e) + " (error of r^2 Q(r) relative to log1p(r), dense grid, coefficients as rounded)",
            "coeffs": [ec.hexf(x, 53) for x in c],
        })

    c16 = cells16()
    a16 = min(min(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in c16)
    b16 = max(max(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in c16)
    a16, b16 = mp.mpf(a16.numerator) / a16.denominator, mp.mpf(b16.numerator) / b16.denominator
    c, e = ec.fit("logw16_q", q_f, q_w, a16, b16, DEG_Q16, 53)
    polys.append({
        "name": "logw16_q",
        "what": ("float32 (computed in float64) with the 16-cell reduction: Q(r) = (log1p(r) - r) / r^2, "
                 f"r in [{mp.nstr(a16, 8)}, {mp.nstr(b16, 8)}]"),
        "interval": [mp.nstr(a16, 20), mp.nstr(b16, 20)],
        "degree": DEG_Q16,
        "max_error": ec.log2_str(e) + " (error of r^2 Q(r) relative to log1p(r), dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c],
    })

    # the same reduction's log1p(r) = r P(r) in base e, 2 and 10 (float32
    # log, log2, log10: log_b x = k log_b 2 - log_b(c_j) + r P_b(r), one
    # FMA after the polynomial, the base folded into P_b and the tables)
    def p_f(r):
        return mp.mpf(1) - r / 2 if abs(r) < mp.mpf("1e-40") else mp.log1p(r) / r
    for bname, scale in (("e", mp.mpf(1)), ("2", 1 / mp.log(2)), ("10", 1 / mp.log(10))):
        c, e = ec.fit(f"logw16_p{bname}", lambda r, s_=scale: p_f(r) * s_, lambda r, s_=scale: 1 / (p_f(r) * s_),
                      a16, b16, DEG_Q16 + 1, 53)
        polys.append({
            "name": f"logw16_p{bname}",
            "what": (f"float32 log base {bname} (in float64), 16-cell reduction: P(r) = log1p(r) / (r ln {bname}), "
                     f"r in [{mp.nstr(a16, 8)}, {mp.nstr(b16, 8)}]"),
            "interval": [mp.nstr(a16, 20), mp.nstr(b16, 20)],
            "degree": DEG_Q16 + 1,
            "max_error": ec.log2_str(e) + " (relative, dense grid, coefficients as rounded)",
            "coeffs": [ec.hexf(x, 53) for x in c],
        })

    # float64's 16-cell reduction (where lookup16 is a permute): c_j of 5
    # bits, -log(c_j) = hi + lo as above, three tables
    cd = cells(LOG16_N, LOG16_CBITS, OFF16_BITS)
    ad = min(min(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in cd)
    bd = max(max(zlo * c - 1, zhi * c - 1) for zlo, zhi, c in cd)
    ad, bd = mp.mpf(ad.numerator) / ad.denominator, mp.mpf(bd.numerator) / bd.denominator
    c, e = ec.fit("log16_q", q_f, q_w, ad, bd, DEG_Q16D, 53)
    polys.append({
        "name": "log16_q",
        "what": ("float64 with the 16-cell reduction: Q(r) = (log1p(r) - r) / r^2, "
                 f"r in [{mp.nstr(ad, 8)}, {mp.nstr(bd, 8)}]"),
        "interval": [mp.nstr(ad, 20), mp.nstr(bd, 20)],
        "degree": DEG_Q16D,
        "max_error": ec.log2_str(e) + " (error of r^2 Q(r) relative to log1p(r), dense grid, coefficients as rounded)",
        "coeffs": [ec.hexf(x, 53) for x in c],
    })
    hi16, lo16 = [], []
    for zlo, zhi, cc in cd:
        L = -mp.log(mp.mpf(cc.numerator) / cc.denominator)
        h = mp.nint(L / mp.mpf(HI_GRID)) * mp.mpf(HI_GRID)
        assert mp.mpf(float(h)) == h
        hi16.append(hexd(Fraction(float(h))) if h else "0x0.0p+0")
        lo16.append(hexd(ec.round_to(L - h, 53)))

    # float32 arcsinh/arctanh below 2^-8 (in float64): a + a^3 S(a^2), the
    # Taylor series to a^5 (the next term is below 2^-50 a)
    for name, f, what in (
        ("asinhw_s", lambda n: mp.binomial(-mp.mpf(1) / 2, n) / (2 * n + 1), "asinh"),
        ("atanhw_s", lambda n: mp.mpf(1) / (2 * n + 1), "atanh"),
    ):
        polys.append({
            "name": name,
            "what": f"float32 {what} (computed in float64) for |a| < 2^-8: a + a^3 S(a^2), Taylor coefficients",
            "interval": ["0", mp.nstr(mp.mpf(2) ** -16, 20)],
            "degree": 1,
            "max_error": "2^-50 (the first omitted term, relative, a < 2^-8)",
            "coeffs": [ec.hexf(ec.round_to(f(n), 53), 53) for n in (1, 2)],
        })

    ln2 = mp.log(2)
    ln2_hi = mp.nint(ln2 / mp.mpf(HI_GRID)) * mp.mpf(HI_GRID)
    assert ec.sigbits(ln2_hi) <= 42
    ln2_lo = ec.round_to(ln2 - ln2_hi, 53)

    def split26(v):
        h = ec.round_to(v, 26)
        return h, ec.round_to(v - h, 53), v - h - ec.round_to(v - h, 53)

    il2_h, il2_l, il2_r = split26(1 / ln2)
    il10_h, il10_l, il10_r = split26(1 / mp.log(10))
    off = from_bits(OFF_BITS)
    consts = [
        {"name": "LOG_OFF", "value": hexd(off),
         "what": f"z = 2^-k x lies in [OFF, 2 OFF); cells of 2^{52 - LOG_N} bit patterns, 1 in mid-cell"},
        {"name": "LOG_LN2_HI", "value": ec.hexf(ln2_hi, 53),
         "what": "ln 2 on the grid 2^-42 (the table's hi): k LN2_HI + hi exact"},
        {"name": "LOG_LN2_LO", "value": ec.hexf(ln2_lo, 53),
         "what": f"ln 2 - LN2_HI rounded; the rest {ec.log2_str(ln2 - ln2_hi - ln2_lo)}"},
        {"name": "LOG_LN2", "value": ec.hexf(ec.round_to(ln2, 53), 53), "what": "ln 2 rounded"},
        {"name": "LOG_INVLN2_HI", "value": ec.hexf(il2_h, 53), "what": "1/ln 2 to 26 bits"},
        {"name": "LOG_INVLN2_LO", "value": ec.hexf(il2_l, 53),
         "what": f"1/ln 2 - INVLN2_HI rounded; the rest {ec.log2_str(il2_r)}"},
        {"name": "LOG_INVLN10_HI", "value": ec.hexf(il10_h, 53), "what": "1/ln 10 to 26 bits"},
        {"name": "LOG_INVLN10_LO", "value": ec.hexf(il10_l, 53),
         "what": f"1/ln 10 - INVLN10_HI rounded; the rest {ec.log2_str(il10_r)}"},
        {"name": "LOG_INVLN2", "value": ec.hexf(ec.round_to(1 / ln2, 53), 53), "what": "1/ln 2 rounded"},
        {"name": "LOG_INVLN10", "value": ec.hexf(ec.round_to(1 / mp.log(10), 53), 53), "what": "1/ln 10 rounded"},
    ]
    consts.append({"name": "LOG16_OFF", "value": hexd(from_bits(OFF16_BITS)),
                   "what": f"the 16-cell reduction's OFF: cells of 2^{52 - LOG16_N} bit patterns, 1 in mid-cell"})
    rmax = max(abs(a), abs(b))
    tables = [
        {"name": "log_hic", "what": (f"-log(c_j) on the grid 2^-42, c_j ~ 1/z on cell j ({LOG_CBITS} significant bits, "
                                      f"max |z c_j - 1| = {ec.log2_str(rmax)}) coded in the low 8 bits"),
         "values": hic},
        {"name": "log_lo", "what": "-log(c_j) - hi_j, rounded", "values": lo},
        {"name": "logw_lc", "what": "-log(c_j) to 45 bits, c_j coded in the low 8 bits (float32 kernels, in float64)",
         "values": lwc},
    ]
    tables.append({"name": "log16_c", "what": f"c_j ~ 1/z on cell j of float64's 16-cell reduction ({LOG16_CBITS} bits)",
                   "values": [hexd(c) for _, _, c in cd]})
    tables.append({"name": "log16_hi", "what": "-log(c_j) of float64's 16-cell reduction on the grid 2^-42",
                   "values": hi16})
    tables.append({"name": "log16_lo", "what": "-log(c_j) - hi_j, rounded (float64's 16-cell reduction)",
                   "values": lo16})
    tables.append({"name": "logw16_c", "what": "c_j ~ 1/z on cell j of the 16-cell reduction, 24 bits (1 on the cell of 1)",
                   "values": [hexd(c) for _, _, c in c16]})
    tables.append({"name": "logw16_l", "what": "-log(c_j) of the 16-cell reduction, rounded",
                   "values": [hexd(ec.round_to(-mp.log(mp.mpf(c.numerator) / c.denominator), 53)) for _, _, c in c16]})
    for bname, lb in (("2", mp.log(2)), ("10", mp.log(10))):
        tables.append({"name": f"logw16_l{bname}", "what": f"-log_{bname}(c_j) of the 16-cell reduction, rounded",
                       "values": [hexd(ec.round_to(-mp.log(mp.mpf(c.numerator) / c.denominator) / lb, 53))
                                  for _, _, c in c16]})
    consts.append({"name": "LOG_LOG10_2", "value": ec.hexf(ec.round_to(mp.log10(2), 53), 53), "what": "log10(2) rounded"})
    return {
        "about": ("The constants of simd/math/log.h. Written by simd/math/log.py --write (mpmath, run by "
                  "hand; --check verifies this file); the build turns it into C with "
                  "simd/gen_elementwise_consts.py. Do not edit by hand."),
        "formats": {"f64": {"ctype": "double", "bits": 53}, "f32": {"ctype": "float", "bits": 24}},
        "polynomials": {"f64": polys},
        "constants": {"f64": consts},
        "tables": {"f64": tables},
    }


def main() -> int:
    path = pathlib.Path(__file__).with_name("log.json")
    text = json.dumps(derive(), indent=2) + "\n"
    return ec.write_or_check(path, text)


if __name__ == "__main__":
    sys.exit(main())
