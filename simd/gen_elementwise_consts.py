#!/usr/bin/env python3
"""Write elementwise_consts.h, the constants of simd/elementwise.h and of
the function groups of simd/math/, from their data files. Run by the build
(meson custom_target); stdlib only, fast.

    python3 simd/gen_elementwise_consts.py OUT.h simd/elementwise_consts.json [simd/math/GROUP.json ...]

Each data file is derived (slowly, with mpmath, by hand) by the script of
the same name (simd/elementwise_consts.py, simd/math/GROUP.py); this script
only formats them as C, after checking that every value is exactly
representable in its format (so the C compiler's reading of a literal cannot
round it). A data file may hold:

* "polynomials": {fmt: [{name, what, degree, max_error, coeffs}]}, emitted
  as ew_<fmt>_<name>[degree + 1][row], each coefficient repeated over 64
  bytes (one aligned vector load on any layer);
* "constants": {fmt: [{name, value, what}]}, emitted as EW_<FMT>_<NAME>;
* "tables": {fmt: [{name, what, values}]}, emitted as a plain 64-byte
  aligned array ew_<fmt>_<name>[len] for vf64_lookup;
* the trig data of elementwise_consts.json (pio2_split, two_over_pi,
  pio2_dd).

The header is meant to be included by elementwise.h only (it uses
EW_ALIGN64, EW_ROW8/16 and SIMD_FMA_NATIVE from there).
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


FORMATS = {"f64": {"ctype": "double", "bits": 53}, "f32": {"ctype": "float", "bits": 24}}


def render(files: list[tuple[str, dict]]) -> str:
    """the header for the data files [(name, data)], in order"""
    out = []
    emit = out.append
    emit("/* elementwise_consts.h -- GENERATED at build time by simd/gen_elementwise_consts.py")
    emit("   from " + ", ".join(name for name, _ in files) + " (each derived by the script")
    emit("   of the same name). Do not edit. Included by elementwise.h only. */")
    emit("#ifndef SIMD_ELEMENTWISE_CONSTS_H")
    emit("#define SIMD_ELEMENTWISE_CONSTS_H")
    emit("#if !defined(EW_ALIGN64) || !defined(EW_ROW8) || !defined(SIMD_FMA_NATIVE)")
    emit('#error "elementwise_consts.h is included by elementwise.h, not directly"')
    emit("#endif")
    for name, data in files:
        if "*/" in json.dumps(data):
            raise ValueError(f"{name}: the data's texts go into C comments: no '*/' in them")
        emit("")
        emit(f"/* ---------------- from {name} ---------------- */")
        render_file(data, emit)
    emit("")
    emit("#endif /* SIMD_ELEMENTWISE_CONSTS_H */")
    return "\n".join(out) + "\n"


def render_file(data: dict, emit) -> None:
    fmts = data.get("formats", FORMATS)
    if fmts != FORMATS:
        raise ValueError(f"formats must be {FORMATS}")
    unknown = set(data) - {"about", "formats", "polynomials", "constants", "tables", "pio2_split", "two_over_pi", "pio2_dd"}
    if unknown:
        raise ValueError(f"unknown sections {sorted(unknown)}")
    # Polynomial coefficients, lowest degree first (Horner from the end),
    # each repeated over 64 bytes so that a layer loads it as one aligned
    # vector (SSE2 has no broadcast load).
    for fmt, poly in data.get("polynomials", {}).items():
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

    for fmt, consts in data.get("constants", {}).items():
        for c in consts:
            define(fmt, c["name"], c["value"], c["what"])

    for fmt, tables in data.get("tables", {}).items():
        ctype, bits = fmts[fmt]["ctype"], fmts[fmt]["bits"]
        for t in tables:
            values = t["values"]
            emit(f"/* {t['what']} */")
            emit(f"static EW_ALIGN64 const {ctype} ew_{fmt}_{t['name']}[{len(values)}] = {{")
            for i in range(0, len(values), 4):
                emit("    " + " ".join(literal(v, fmt, bits) + "," for v in values[i:i + 4]))
            emit("};")

    if "pio2_split" not in data:
        return
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


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    files = []
    for path in argv[2:]:
        with open(path, encoding="utf-8") as f:
            files.append(("/".join(path.replace("\\", "/").split("/")[-3:]), json.load(f)))
    text = render(files)
    if argv[1] == "-":
        sys.stdout.write(text)
    else:
        with open(argv[1], "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
