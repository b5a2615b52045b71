#!/usr/bin/env python3
"""Derive the constants of simd/elementwise.h (run by hand, not by the build).

    python3 simd/elementwise_consts.py            # prints the C block
    python3 simd/elementwise_consts.py --write    # replaces it in elementwise.h
    python3 simd/elementwise_consts.py --check    # also reports the errors

Everything is computed here from first principles with mpmath:

* minimax polynomials (weighted Remez exchange, then rounded to the target
  format and re-checked on a dense grid in high precision),
* Cody-Waite splits of ln 2 and pi/2 with trailing zero bits chosen so the
  products the kernels form are exact,
* the bits of 2/pi that the Payne-Hanek reduction of huge arguments uses.

The printed block replaces the one between the "BEGIN GENERATED" and
"END GENERATED" markers in simd/elementwise.h.
"""

from __future__ import annotations

import sys

import mpmath as mp

mp.mp.prec = 160

FORMATS = {"f64": 53, "f32": 24}


# --------------------------------------------------------------------------
# rounding to a binary format, hex-float printing
# --------------------------------------------------------------------------

def round_to(x, p: int, mode="n"):
    """x rounded to p significant bits (no exponent limits: the constants
    are normal numbers). mode 'n' nearest, 'z' toward zero."""
    x = mp.mpf(x)
    if x == 0:
        return mp.mpf(0)
    m, e = mp.frexp(x)  # x = m * 2^e, 0.5 <= |m| < 1
    scaled = mp.ldexp(m, p)
    if mode == "n":
        i = int(mp.nint(scaled))
    else:
        i = int(mp.floor(scaled)) if scaled > 0 else int(mp.ceil(scaled))
    return mp.ldexp(mp.mpf(i), e - p)


def hexf(x, p: int) -> str:
    """C hex-float literal of x, which must be representable in p bits."""
    x = mp.mpf(x)
    if x == 0:
        return "0x0p+0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    m, e = mp.frexp(x)
    i = int(mp.ldexp(m, p))
    assert mp.ldexp(mp.mpf(i), e - p) == x, "not representable"
    # write as 0x1.<frac>p<exp>: i has exactly p bits
    e1 = e - 1
    frac = i - (1 << (p - 1))
    nhex = (p - 1 + 3) // 4
    frac <<= nhex * 4 - (p - 1)
    s = f"{frac:0{nhex}x}".rstrip("0") or "0"
    return f"{sign}0x1.{s}p{e1:+d}"


def sigbits(x) -> int:
    x = abs(mp.mpf(x))
    if x == 0:
        return 0
    m, e = mp.frexp(x)
    k = 0
    while mp.ldexp(m, k) != mp.floor(mp.ldexp(m, k)):
        k += 1
    return k


# --------------------------------------------------------------------------
# weighted Remez exchange: minimise max |w(t) (f(t) - sum c_j t^j)| on [a, b]
# --------------------------------------------------------------------------

def max_weighted_error(f, w, a, b, coeffs, samples=20000):
    a, b = mp.mpf(a), mp.mpf(b)
    worst = mp.mpf(0)
    for i in range(samples + 1):
        t = a + (b - a) * i / samples
        e = abs(w(t) * (f(t) - mp.polyval(coeffs[::-1], t)))
        worst = max(worst, e)
    return worst


def rounded_fit(f, w, a, b, deg, p, order):
    """Remez, then round the coefficients one at a time in the given order
    of degrees, refitting the still-free ones after each rounding."""
    fixed = {}
    for j in order:
        free = [i for i in range(deg + 1) if i not in fixed]

        def g(t, fixed=dict(fixed)):
            return f(t) - sum(c * t**i for i, c in fixed.items())

        coeffs = remez_basis(g, w, a, b, free)
        fixed[j] = round_to(coeffs[free.index(j)], p)
    return [fixed[i] for i in range(deg + 1)]


def remez_basis(f, w, a, b, powers, iters=30, grid=1500):
    """Remez with the basis t^i for i in powers."""
    a, b = mp.mpf(a), mp.mpf(b)
    n = len(powers)
    ref = [a + (b - a) * (1 - mp.cos(mp.pi * (i + mp.mpf(0.5)) / (n + 1))) / 2 for i in range(n + 1)]
    # a weight that vanishes somewhere (r^2 at r = 0) makes that point
    # useless as a reference: nudge such points
    ref = [t if abs(w(t)) > mp.mpf("1e-30") else t + (b - a) / (8 * n) for t in ref]
    pts = [a + (b - a) * (1 - mp.cos(mp.pi * i / grid)) / 2 for i in range(grid + 1)]
    fv = [f(t) for t in pts]
    wv = [w(t) for t in pts]
    coeffs = None
    for _ in range(iters):
        A = mp.matrix(n + 1, n + 1)
        rhs = mp.matrix(n + 1, 1)
        for i, t in enumerate(ref):
            for j, pw in enumerate(powers):
                A[i, j] = t**pw
            A[i, n] = (-1) ** i / w(t)
            rhs[i] = f(t)
        sol = mp.lu_solve(A, rhs)
        coeffs = [sol[j] for j in range(n)]

        def ev(t):
            return sum(c * t**pw for c, pw in zip(coeffs, powers))

        err = [wv[i] * (fv[i] - ev(t)) for i, t in enumerate(pts)]
        ext = []
        for i in range(len(pts)):
            e = err[i]
            left = err[i - 1] if i > 0 else None
            right = err[i + 1] if i + 1 < len(pts) else None
            if (left is None or abs(e) >= abs(left)) and (right is None or abs(e) >= abs(right)):
                if ext and mp.sign(err[ext[-1]]) == mp.sign(e):
                    if abs(e) > abs(err[ext[-1]]):
                        ext[-1] = i
                else:
                    ext.append(i)
        while len(ext) > n + 1:
            if abs(err[ext[0]]) < abs(err[ext[-1]]):
                ext.pop(0)
            else:
                ext.pop()
        if len(ext) < n + 1:
            break
        emax = max(abs(e) for e in err)
        emin = min(abs(err[i]) for i in ext)
        ref = [pts[i] for i in ext]
        if emax - emin < emax * mp.mpf("1e-5"):
            break
    return coeffs


# --------------------------------------------------------------------------
# the approximations
# --------------------------------------------------------------------------

LN2 = mp.log(2)
PIO2 = mp.pi / 2


def exp_q(t):
    """(e^r - 1 - r) / r^2"""
    if abs(t) < mp.mpf("1e-40"):
        return mp.mpf(1) / 2 + t / 6
    return (mp.expm1(t) - t) / t**2


def exp_w(t):
    # error of r^2 Q relative to e^r
    return t**2 / mp.exp(t)


def log_l(z):
    """(2 atanh(s)/s - 2) / z with z = s^2"""
    if z < mp.mpf("1e-60"):
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (2 * mp.atanh(s) / s - 2) / z


def log_w(z):
    # log1p(f) ~ 2s; the term is s * z * L: error relative to 2s
    return z / 2


def sin_s(z):
    """(sin(r)/r - 1) / z with z = r^2"""
    if z < mp.mpf("1e-60"):
        return -mp.mpf(1) / 6 + z / 120
    r = mp.sqrt(z)
    return (mp.sin(r) / r - 1) / z


def sin_w(z):
    # sin r = r + r z S(z): the error of r z S relative to sin r
    if z < mp.mpf("1e-60"):
        return z
    r = mp.sqrt(z)
    return r * z / mp.sin(r)


def cos_c(z):
    """(cos(r) - 1 + z/2) / z^2 with z = r^2"""
    if z < mp.mpf("1e-40"):
        return mp.mpf(1) / 24 - z / 720
    r = mp.sqrt(z)
    return (mp.cos(r) - 1 + z / 2) / z**2


def cos_w(z):
    # cos r = 1 - z/2 + z^2 C(z): the error of z^2 C relative to cos r
    r = mp.sqrt(z)
    return z**2 / mp.cos(r)


def fit(name, f, w, a, b, deg, p):
    """the better of rounding from the lowest or from the highest degree"""
    best = None
    for order in (list(range(deg + 1)), list(range(deg, -1, -1))):
        c = rounded_fit(f, w, a, b, deg, p, order)
        err = max_weighted_error(f, w, a, b, c, samples=4000)
        if best is None or err < best[1]:
            best = (c, err)
    return best


def cw_split(value, p, parts_bits):
    """value split into parts; parts_bits[i] = significant bits of part i
    (None: rounded to nearest at full precision p). Leading parts are
    truncated so that the remainder keeps its sign structure simple."""
    out = []
    rest = mp.mpf(value)
    for bits in parts_bits:
        if bits is None:
            part = round_to(rest, p)
        else:
            part = round_to(rest, bits, "n")
        out.append(part)
        rest -= part
    return out, rest


def two_over_pi_words(nwords):
    """fraction bits of 2/pi as 32-bit words (word 0 = bits 1..32)."""
    old = mp.mp.prec
    mp.mp.prec = 32 * nwords + 64
    v = 2 / mp.pi
    words = []
    for _ in range(nwords):
        v *= 2**32
        wd = int(mp.floor(v))
        words.append(wd)
        v -= wd
    mp.mp.prec = old
    return words


def main():
    check = "--check" in sys.argv
    lines = []
    emit = lines.append
    report = []

    # exp: r in [-a, a]; a covers ln2/2 plus the rounding slop of k
    a_exp = {"f64": LN2 / 2 * (1 + mp.mpf(2) ** -20), "f32": LN2 / 2 * (1 + mp.mpf(2) ** -12)}
    deg_exp = {"f64": 10, "f32": 4}
    # log: z = s^2, |s| <= (sqrt2 - 1)/(sqrt2 + 1) (plus slop)
    smax = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    zmax = {"f64": (smax * (1 + mp.mpf(2) ** -40)) ** 2, "f32": (smax * (1 + mp.mpf(2) ** -18)) ** 2}
    deg_log = {"f64": 6, "f32": 2}
    # sin, cos: r in [0, pi/4 + slop] (the slop: the rounding of x * 2/pi)
    rmax = {"f64": mp.pi / 4 + mp.mpf(2) ** -20, "f32": mp.pi / 4 + mp.mpf("0.01")}
    deg_sin = {"f64": 6, "f32": 3}
    deg_cos = {"f64": 5, "f32": 2}

    coeff = {}
    for fmt, p in FORMATS.items():
        c, e = fit("exp", exp_q, exp_w, -a_exp[fmt], a_exp[fmt], deg_exp[fmt], p)
        coeff[("exp", fmt)] = c
        report.append(f"exp {fmt}: degree {deg_exp[fmt]} Q, max rel error {mp.nstr(mp.log(e, 2), 5)} (log2)")
        c, e = fit("log", log_l, log_w, 0, zmax[fmt], deg_log[fmt], p)
        coeff[("log", fmt)] = c
        report.append(f"log {fmt}: degree {deg_log[fmt]} L, max rel error {mp.nstr(mp.log(e, 2), 5)} (log2)")
        c, e = fit("sin", sin_s, sin_w, 0, rmax[fmt] ** 2, deg_sin[fmt], p)
        coeff[("sin", fmt)] = c
        report.append(f"sin {fmt}: degree {deg_sin[fmt]} S, max rel error {mp.nstr(mp.log(e, 2), 5)} (log2)")
        c, e = fit("cos", cos_c, cos_w, 0, rmax[fmt] ** 2, deg_cos[fmt], p)
        coeff[("cos", fmt)] = c
        report.append(f"cos {fmt}: degree {deg_cos[fmt]} C, max rel error {mp.nstr(mp.log(e, 2), 5)} (log2)")

    ctype = {"f64": "double", "f32": "float"}
    suffix = {"f64": "", "f32": "f"}

    def arr(name, fmt, values):
        p = FORMATS[fmt]
        rep = 8 if fmt == "f64" else 16  # 64 bytes: one aligned vector load, any layer
        emit(f"static EW_ALIGN64 const {ctype[fmt]} ew_{fmt}_{name}[{len(values)}][{rep}] = {{")
        for v in values:
            emit(f"    EW_ROW{rep}({hexf(v, p)}{suffix[fmt]}), /* {mp.nstr(v, 20)} */")
        emit("};")

    def const(name, fmt, v):
        p = FORMATS[fmt]
        emit(f"#define EW_{fmt.upper()}_{name} {hexf(v, p)}{suffix[fmt]} /* {mp.nstr(v, 20)} */")

    emit("/* Polynomial coefficients, lowest degree first (Horner from the end),")
    emit("   each repeated over 64 bytes so that a layer loads it as one aligned")
    emit("   vector (SSE2 has no broadcast load). */")
    for fmt in FORMATS:
        arr("exp_q", fmt, coeff[("exp", fmt)])
        arr("log_l", fmt, coeff[("log", fmt)])
        arr("sin_s", fmt, coeff[("sin", fmt)])
        arr("cos_c", fmt, coeff[("cos", fmt)])

    emit("")
    emit("/* Cody-Waite splits. ln2: the high part has enough trailing zero bits")
    emit("   that k * LN2_HI is exact for every k the kernels form (|k| < 2^11,")
    emit("   float: 2^8). pi/2: PIO2_1 * m is exact in the fused variant (fma")
    emit("   computes it exactly) and PIO2_2 * m always, for |m| < 2^PIO2_MBITS. */")
    for fmt, p in FORMATS.items():
        kbits = 11 if fmt == "f64" else 8
        (hi, lo), _ = cw_split(LN2, p, [p - kbits, None])
        const("LN2_HI", fmt, hi)
        const("LN2_LO", fmt, lo)
        const("LOG2E", fmt, round_to(1 / LN2, p))
        const("TWO_OVER_PI", fmt, round_to(2 / mp.pi, p))
    for variant, fused in (("FMA", True), ("NOFMA", False)):
        emit(f"#if {'' if fused else '!'}SIMD_FMA_NATIVE")
        for fmt, p in FORMATS.items():
            if fused:
                mbits = 30 if fmt == "f64" else 17
                bits = [None, p - mbits, None]
            else:
                mbits = 20 if fmt == "f64" else 12
                bits = [p - mbits, p - mbits, None]
            parts, rest = cw_split(PIO2, p, bits)
            emit(f"#define EW_{fmt.upper()}_PIO2_MBITS {mbits}")
            for i, part in enumerate(parts):
                const(f"PIO2_{i + 1}", fmt, part)
            report.append(f"pio2 {fmt} {variant}: bits {[sigbits(x) for x in parts]}, remainder 2^{mp.nstr(mp.log(abs(rest), 2), 5)}")
        emit("#endif")

    words = two_over_pi_words(40)
    emit("")
    emit("/* 2/pi = 0.w[0] w[1] ... in 32-bit words (for the Payne-Hanek reduction) */")
    emit(f"static const uint32_t ew_two_over_pi[{len(words)}] = {{")
    for i in range(0, len(words), 6):
        emit("    " + " ".join(f"0x{wd:08x}u," for wd in words[i:i + 6]))
    emit("};")
    # pi/2 as a double-double, for the scalar reduction of huge arguments
    hi = round_to(PIO2, 53)
    lo = round_to(PIO2 - hi, 53)
    emit(f"#define EW_PIO2_DD_HI {hexf(hi, 53)} /* pi/2 = HI + LO + O(2^-108) */")
    emit(f"#define EW_PIO2_DD_LO {hexf(lo, 53)}")

    block = "\n".join(lines)
    if "--write" in sys.argv:
        write(block)
    else:
        print(block)
    if check:
        print("\n".join("/* " + r + " */" for r in report), file=sys.stderr)


def write(block: str) -> None:
    import pathlib

    path = pathlib.Path(__file__).with_name("elementwise.h")
    text = path.read_text()
    begin, end = "/* BEGIN GENERATED */\n", "/* END GENERATED */"
    i, j = text.index(begin) + len(begin), text.index(end)
    path.write_text(text[:i] + block + "\n" + text[j:])


if __name__ == "__main__":
    main()
