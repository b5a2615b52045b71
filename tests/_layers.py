"""Build tests/layer_ops.c for one vector layer (used by test_layers.py and
tests/emulated/run_aarch64.py). Not a test file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent
PROGRAM = HERE / "layer_ops.c"
GENERATE = SOURCE / "hostlib" / "generate.py"

#: layer -> (header, the CPU features its module declares, architecture family)
LAYERS = {
    "scalar": ("vec_scalar.h", (), None),
    "sse2": ("vec_sse2.h", ("SSE2",), "x86"),
    "avx2": ("vec_avx2.h", ("AVX2", "FMA3"), "x86"),
    "avx512": ("vec_avx512.h", ("AVX512F",), "x86"),
    "neon": ("vec_neon.h", ("ASIMD",), "aarch64"),
}


def cflags_for(layer: str) -> list[str]:
    """The compiler flags of the layer's features, as its module is built."""
    features = LAYERS[layer][1]
    if not features:
        return []
    out = subprocess.run([sys.executable, "-B", str(GENERATE), "cflags", *features], capture_output=True,
                         text=True, check=True).stdout
    return out.split()


def build(layer: str, out_dir: Path, *, cc: str, include_dirs: list, static: bool = False) -> Path:
    """Compile layer_ops.c over *layer*; include_dirs must hold the layer
    header and hostlib_features.h. Raises CalledProcessError with the
    compiler's messages."""
    out_dir.mkdir(parents=True, exist_ok=True)
    exe = out_dir / f"layer_ops_{layer}"
    cmd = [cc, "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", *cflags_for(layer),
           f'-DLAYER="{LAYERS[layer][0]}"', *[f"-I{d}" for d in include_dirs], str(PROGRAM), "-o", str(exe),
           "-lm"] + (["-static"] if static else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd, proc.stdout, proc.stderr)
    return exe


def parse(output: str) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """(op, type) -> (result bit patterns, flags) of the lane-wise lines."""
    out = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) > 3 and "|" in words and words[0] not in ("layer", "done", "FAIL"):
            bar = words.index("|")
            out[(words[0], words[1])] = ([int(w, 16) for w in words[2:bar]], [int(w) for w in words[bar + 1:]])
    return out


#: ops whose results are bit patterns (masks, integer lanes): compared exactly,
#: NaN or not
BITWISE = {"and", "or", "xor", "andnot", "isnan", "eq", "lt", "le", "nle", "mand", "mor", "mandnot",
           "zero_if", "zero_unless", "bits", "iadd", "isub", "iand", "ior", "ixor", "shl", "shr", "igt"}


def _is_nan(bits: int, t: str) -> bool:
    if t == "f64":
        return (bits >> 52) & 0x7FF == 0x7FF and bits & ((1 << 52) - 1) != 0
    return (bits >> 23) & 0xFF == 0xFF and bits & ((1 << 23) - 1) != 0


def _is_zero(bits: int, t: str) -> bool:
    return bits & ~(1 << (63 if t == "f64" else 31)) == 0


def compare(layer_out: str, scalar_out: str) -> list[str]:
    """Where a layer's layer_ops output breaks the contract (simd/LAYERS.md),
    taking the scalar layer's as the reference; [] when it keeps it."""
    problems = [line for line in layer_out.splitlines() if line.startswith("FAIL")]
    got, ref = parse(layer_out), parse(scalar_out)
    native = " fma_native 1" in layer_out.splitlines()[0]
    for (op, t), (bits, flags) in got.items():
        if op.startswith("in_") or op.endswith("_fused"):
            continue
        want_bits, want_flags = ref[(op + "_fused", t) if native and op in ("fma", "fnma") else (op, t)]
        if op in ("fma", "fnma"):
            want_flags = ref[(op, t)][1]
        a, b = ref[("in_a", t)][0], ref[("in_b", t)][0]
        bad = []
        for i, (g, w) in enumerate(zip(bits, want_bits)):
            fa, fb = flags[i], want_flags[i]
            if op == "max" and _is_nan(b[i], t) or op == "min" and (_is_nan(a[i], t) or _is_nan(b[i], t)):
                continue  # outside the contract: max's b, min's operands are never NaN
            if op == "max" and _is_nan(a[i], t):
                fa = fb  # b, but whether invalid is raised is the ISA's (maxpd: yes; FMAXNM: no)
            if op in ("max", "min") and _is_zero(a[i], t) and _is_zero(b[i], t):
                ok = g in (a[i], b[i])
            elif op in BITWISE:
                ok = g == w
            else:
                ok = g == w or (_is_nan(g, t) and _is_nan(w, t))
            if not ok or fa != fb:
                bad.append(f"pair {i} (a={a[i]:#x}, b={b[i]:#x}): {g:#x} flags {fa}, scalar {w:#x} flags {fb}")
        if bad:
            problems.append(f"{op} {t}: {len(bad)} of {len(bits)} differ, e.g. " + "; ".join(bad[:3]))
    if len(got) != len(ref):
        problems.append(f"{len(got)} lines of ops, the scalar layer has {len(ref)}")
    return problems
