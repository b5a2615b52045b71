#!/usr/bin/env python3
"""Write elementwise_consts.h, the constants of simd/elementwise.h, from
the data in simd/elementwise_consts.json. Run by the build (meson
custom_target); stdlib only, fast.

    python3 simd/gen_elementwise_consts.py simd/elementwise_consts.json OUT.h

The data file is derived (slowly, with mpmath, by hand) by
simd/elementwise_consts.py; this script only formats it as C, after
checking that every value is exactly representable in its format (so the C
compiler's reading of a literal cannot round it). The header is meant to be
included by elementwise.h only (it uses EW_ALIGN64, EW_ROW8/16 and
SIMD_FMA_NATIVE from there).
"""

from __future__ import annotations

import json
import re
import struct
import sys
from fractions import Fraction

HEX_RE = re.compile(r"^(-?)0x([01])\.([0-9a-f]+)p([+-]\d+)$")
SUFFIX = {"f64": "", "f32": "f"}
ROW = {"f64": 8, "f32": 16}  # values per 64-byte row: one aligned vector load, any layer


def exact(lit: str) -> Fraction:
    """the exact value of a C hex-float literal -0x1.8p+3 (normalised form)"""
    m = HEX_RE.match(lit)
    if not m:
        raise ValueError(f"not a normalised hex-float literal: {lit!r}")
    sign, lead, frac, exp = m.groups()
    v = (int(lead + frac, 16) * Fraction(2) ** int(exp)) / Fraction(16) ** len(frac)
    return -v if sign else v


def literal(lit: str, fmt: str, bits: int) -> str:
    """lit checked for exactness in the format, with its C suffix"""
    v = exact(lit)
    if v:
        # v = i * 2^e with i odd must fit in `bits` significant bits
        i = abs(v.numerator)  # the denominator is a power of two
        while i % 2 == 0:
            i //= 2
        if i.bit_length() > bits:
            raise ValueError(f"{lit} has more than {bits} significant bits")
    d = float.fromhex(lit)
    if Fraction(d) != v or (fmt == "f32" and struct.unpack("<f", struct.pack("<f", d))[0] != d):
        raise ValueError(f"{lit} is not exactly a {fmt} value")
    return lit + SUFFIX[fmt]


def decimal(lit: str, fmt: str) -> str:
    d = float.fromhex(lit)
    return repr(d) if fmt == "f64" else f"{d:.9g}"


def render(data: dict) -> str:
    fmts = data["formats"]
    if "*/" in json.dumps(data):
        raise ValueError("the data's texts go into C comments: no '*/' in them")
    out = []
    emit = out.append

    emit("/* elementwise_consts.h -- GENERATED at build time by simd/gen_elementwise_consts.py")
    emit("   from simd/elementwise_consts.json (itself derived by simd/elementwise_consts.py).")
    emit("   Do not edit. Included by elementwise.h only. */")
    emit("#ifndef SIMD_ELEMENTWISE_CONSTS_H")
    emit("#define SIMD_ELEMENTWISE_CONSTS_H")
    emit("#if !defined(EW_ALIGN64) || !defined(EW_ROW8) || !defined(SIMD_FMA_NATIVE)")
    emit('#error "elementwise_consts.h is included by elementwise.h, not directly"')
    emit("#endif")
    emit("")
    emit("/* Polynomial coefficients, lowest degree first (Horner from the end),")
    emit("   each repeated over 64 bytes so that a layer loads it as one aligned")
    emit("   vector (SSE2 has no broadcast load). */")
    for fmt, poly in data["polynomials"].items():
        ctype, bits, rep = fmts[fmt]["ctype"], fmts[fmt]["bits"], ROW[fmt]
        for p in poly:
            c = p["coeffs"]
            if len(c) != p["degree"] + 1:
                raise ValueError(f"{fmt} {p['name']}: degree {p['degree']} but {len(c)} coefficients")
            emit(f"/* {p['what']}; max error {p['max_error']} */")
            emit(f"static EW_ALIGN64 const {ctype} ew_{fmt}_{p['name']}[{len(c)}][{rep}] = {{")
            for lit in c:
                emit(f"    EW_ROW{rep}({literal(lit, fmt, bits)}), /* {decimal(lit, fmt)} */")
            emit("};")

    def define(fmt: str, name: str, lit: str, what: str = "") -> None:
        tail = f" /* {decimal(lit, fmt)}{': ' + what if what else ''} */"
        emit(f"#define EW_{fmt.upper()}_{name} {literal(lit, fmt, fmts[fmt]['bits'])}{tail}")

    emit("")
    for fmt, consts in data["constants"].items():
        for c in consts:
            define(fmt, c["name"], c["value"], c["what"])

    split = data["pio2_split"]
    emit("")
    emit(f"/* {split['what']} */")
    for variant, cond in (("fma", "SIMD_FMA_NATIVE"), ("nofma", "!SIMD_FMA_NATIVE")):
        emit(f"#if {cond}")
        for fmt, s in split[variant].items():
            emit(f"/* {s['what']} */")
            emit(f"#define EW_{fmt.upper()}_PIO2_MBITS {int(s['mbits'])}")
            if len(s["parts"]) != 3:
                raise ValueError(f"pio2_split {variant} {fmt}: 3 parts expected")
            for i, lit in enumerate(s["parts"]):
                define(fmt, f"PIO2_{i + 1}", lit)
            if len(s["pi_parts"]) != 2 or exact(s["pi_parts"][0]) != 2 * exact(s["parts"][0]):
                raise ValueError(f"pio2_split {variant} {fmt}: pi_parts: 2 parts, the first twice PIO2_1")
            for i, lit in enumerate(s["pi_parts"]):
                define(fmt, f"PI_{i + 1}", lit)
        emit("#endif")

    t = data["two_over_pi"]
    words = [int(w, 16) for w in t["words"]]
    if any(not 0 <= w < 2**32 for w in words):
        raise ValueError("two_over_pi: 32-bit words expected")
    emit("")
    emit(f"/* {t['what']} */")
    emit(f"static const uint32_t ew_two_over_pi[{len(words)}] = {{")
    for i in range(0, len(words), 6):
        emit("    " + " ".join(f"0x{w:08x}u," for w in words[i:i + 6]))
    emit("};")

    dd = data["pio2_dd"]
    emit(f"/* {dd['what']} */")
    emit(f"#define EW_PIO2_DD_HI {literal(dd['hi'], 'f64', 53)}")
    emit(f"#define EW_PIO2_DD_LO {literal(dd['lo'], 'f64', 53)}")
    emit("")
    emit("#endif /* SIMD_ELEMENTWISE_CONSTS_H */")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        text = render(json.load(f))
    if argv[2] == "-":
        sys.stdout.write(text)
    else:
        with open(argv[2], "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
