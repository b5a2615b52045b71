#!/usr/bin/env python3
"""Derive the constants of simd/math/trig.h (run by hand, not by the build).

    python3 simd/math/trig.py            # prints the data (JSON)
    python3 simd/math/trig.py --write    # rewrites simd/math/trig.json
    python3 simd/math/trig.py --check    # verifies it (exit 1 if it differs)

With mpmath, reusing the helpers of simd/elementwise_consts.py (weighted
Remez, rounding, hex-floats):

* atan_p: atan u = u + u z P(z), z = u^2, |u| <= 1/32 (plus slop): the
  polynomial after the table reduction of arctan/arctan2;
* atan_tab_hi/lo: the table of that reduction, atan(j/16) for j = 0..16 in
  four variants (index j + 17 v): v = 0 atan c, 1 pi/2 - atan c, 2 pi -
  atan c, 3 pi/2 + atan c, each as a double-word hi + lo (|lo| <= ulp(hi)/2);
* asin_p: asin x = x + x z P(z), z = x^2 in [0, 1/4]: arcsin/arccos on
  |x| <= 1/2, and asin(s) with s = sqrt((1 - |x|)/2) beyond;
* sinf_s4: float32 sin/cos (computed in float64, elementwise.h's sin/cos
  section): sin r = r + r z S(z), r in [-pi/2, pi/2] plus slop, degree 4
  (2^-35): the degree-3 polynomial elementwise_consts.json used to hold
  (2^-27.3) left 0.60 ULP and 5% of float32 results not correctly rounded;
* tanf_s, tanf_c: float32 tan (computed in float64): sin r = r + r z S(z),
  cos r = 1 - z/2 + z^2 C(z), |r| <= pi/4 plus slop, short (2^-43 or
  better: a float32 result needs ~2^-40 before its rounding; S of degree 3,
  2^-37.5, would leave ~0.02% of results not correctly rounded);
* asinf_p: asin_p for float32 arcsin/arccos (computed in float64), short.

The output is data (simd/math/trig.json); the build turns it into C with
simd/gen_elementwise_consts.py.
"""

from __future__ import annotations

import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import elementwise_consts as ec  # noqa: E402
import mpmath as mp  # noqa: E402

mp.mp.prec = 160

# the table grid: c = j/ATAN_N, and |u| <= 1/(2 ATAN_N) after the reduction
ATAN_N = 16


def atan_p(z):
    """(atan(u)/u - 1) / z, z = u^2"""
    if z < mp.mpf("1e-60"):
        return -mp.mpf(1) / 3 + z / 5
    u = mp.sqrt(z)
    return (mp.atan(u) / u - 1) / z


def atan_w(z):
    # the error of u z P(z) relative to atan u
    if z < mp.mpf("1e-60"):
        return z
    u = mp.sqrt(z)
    return u * z / mp.atan(u)


def asin_p(z):
    """(asin(x)/x - 1) / z, z = x^2"""
    if z < mp.mpf("1e-60"):
        return mp.mpf(1) / 6 + 3 * z / 40
    x = mp.sqrt(z)
    return (mp.asin(x) / x - 1) / z


def asin_w(z):
    # the error of x z P(z) relative to asin x
    if z < mp.mpf("1e-60"):
        return z
    x = mp.sqrt(z)
    return x * z / mp.asin(x)


def hexf(x) -> str:
    """a float64 hex-float literal; zero as 0x0.0p+0 (the generator's form)"""
    return ec.hexf(x, 53) if x else "0x0.0p+0"


def dd(v):
    hi = ec.round_to(v, 53)
    lo = ec.round_to(v - hi, 53)
    return hi, lo, v - hi - lo


def derive() -> dict:
    # |u| <= 1/32: |t - c| <= 1/32 (t rounded: slop 2^-52) and |1 + t c| >= 1
    umax = (mp.mpf(1) / (2 * ATAN_N)) * (1 + mp.mpf(2) ** -40)
    specs = [
        ("atan_p", atan_p, atan_w, 0, umax ** 2, 4,
         "P(z) = (atan(u)/u - 1) / z, atan u = u + u z P(z), z = u^2, |u| <= 1/32 plus slop",
         "error of u z P(z) relative to atan u"),
        ("asin_p", asin_p, asin_w, 0, mp.mpf(1) / 4, 13,
         "P(z) = (asin(x)/x - 1) / z, asin x = x + x z P(z), z = x^2 in [0, 1/4]",
         "error of x z P(z) relative to asin x"),
    ]
    # float32 sin/cos's r = x - q pi: |r| <= pi/2 plus the rounding of x/pi
    rmax_w = mp.pi / 2 + mp.mpf(2) ** -18
    specs.append(("sinf_s4", ec.sin_s, ec.sin_w, 0, rmax_w ** 2, 4,
                  "float32 sin/cos in float64: S(z) = (sin(r)/r - 1) / z, sin r = r + r z S(z), z = r^2, "
                  "r in [0, pi/2 plus slop]",
                  "error of r z S(z) relative to sin r"))
    # float32 tan's r = |x| - q pi/2: |r| <= pi/4 plus the rounding of x 2/pi
    rmax_t = mp.pi / 4 + mp.mpf(2) ** -20
    specs.append(("tanf_s", ec.sin_s, ec.sin_w, 0, rmax_t ** 2, 4,
                  "float32 tan in float64: S(z) = (sin(r)/r - 1) / z, sin r = r + r z S(z), z = r^2, "
                  "r in [0, pi/4 plus slop]",
                  "error of r z S(z) relative to sin r"))
    specs.append(("tanf_c", ec.cos_c, ec.cos_w, 0, rmax_t ** 2, 3,
                  "float32 tan in float64: C(z) = (cos(r) - 1 + z/2) / z^2, cos r = 1 - z/2 + z^2 C(z), "
                  "z = r^2, r in [0, pi/4 plus slop]",
                  "error of z^2 C(z) relative to cos r"))
    specs.append(("asinf_p", asin_p, asin_w, 0, mp.mpf(1) / 4, 8,
                  "float32 arcsin/arccos in float64: P(z) = (asin(x)/x - 1) / z, asin x = x + x z P(z), "
                  "z = x^2 in [0, 1/4]",
                  "error of x z P(z) relative to asin x"))
    polys = []
    for name, f, w, a, b, deg, what, errwhat in specs:
        c, e = ec.fit(name, f, w, a, b, deg, 53)
        polys.append({
            "name": name,
            "what": what,
            "interval": [mp.nstr(a, 20), mp.nstr(b, 20)],
            "degree": deg,
            "max_error": ec.log2_str(e) + " (" + errwhat + ", dense grid, coefficients as rounded)",
            "coeffs": [ec.hexf(x, 53) for x in c],
        })
    hi, lo, worst = [], [], mp.mpf(0)
    for v in range(4):
        for j in range(ATAN_N + 1):
            a = mp.atan(mp.mpf(j) / ATAN_N)
            val = [a, mp.pi / 2 - a, mp.pi - a, mp.pi / 2 + a][v]
            h, l, rest = dd(val)
            hi.append(hexf(h))
            lo.append(hexf(l))
            if val:
                worst = max(worst, abs(rest / val))
    tables = [
        {"name": "atan_tab_hi",
         "what": (f"atan(j/{ATAN_N}) for j = 0..{ATAN_N} in 4 variants (index j + {ATAN_N + 1} v): "
                  "atan c, pi/2 - atan c, pi - atan c, pi/2 + atan c; high parts (rounded)"),
         "values": hi},
        {"name": "atan_tab_lo",
         "what": f"the same, low parts: value - hi rounded; relative error of hi + lo at most {ec.log2_str(worst)}",
         "values": lo},
    ]
    return {
        "about": ("The constants of simd/math/trig.h. Written by simd/math/trig.py --write "
                  "(mpmath, run by hand; --check verifies this file); the build turns it into "
                  "C with simd/gen_elementwise_consts.py. Do not edit by hand."),
        "formats": {"f64": {"ctype": "double", "bits": 53}, "f32": {"ctype": "float", "bits": 24}},
        "polynomials": {"f64": polys},
        "constants": {"f64": [{"name": "ATAN_N", "value": ec.hexf(ATAN_N, 53),
                               "what": "the arctan table's grid: c = j / ATAN_N"}]},
        "tables": {"f64": tables},
    }


def main() -> int:
    path = pathlib.Path(__file__).with_name("trig.json")
    text = json.dumps(derive(), indent=2) + "\n"
    return ec.write_or_check(path, text)


if __name__ == "__main__":
    sys.exit(main())
