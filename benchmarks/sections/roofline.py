"""Roofline: the plainest float32 loop of each vector width
(benchmarks/roofline.c) against hostlib's scal and nrm2 and numpy's, in
bytes per cycle: where a kernel falls short of another ISA's speed,
whether its own width's ceiling is the reason."""

from __future__ import annotations

import platform
from typing import Any

from common import KERNELS, Local, compile_ext, entry_name, fmt_n, fmt_num, render_table, setup

from . import level1

NAME = "roofline"
#: hostlib's float32 kernel, the ceiling loop's kind, the bytes one element moves
KERNELS_MEASURED = (("scal", "scale", 8), ("nrm2", "sumsq", 4))
WIDTHS = {16: "SSE2", 32: "AVX2", 64: "AVX-512"}
#: bytes per vector of a backend compared with numpy at this level (the
#: portable table is vectorised by the compiler with SSE2)
LEVEL_WIDTH = {4: 64, 3: 32, 2: 16}


def count(mode: str) -> int:
    """The clock, then each kernel at the level-1 sizes."""
    return 1 + len(KERNELS_MEASURED) * len(level1.SIZES[mode])


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    mod, how = compile_ext("roofline") if ctx.x86 else (None, f"{platform.machine()}: the ceiling loops are x86 only")
    if mod is None:
        for _ in range(count(ctx.mode)):
            progress.advance()
        ctx.notes.append("roofline not measured: " + how)
        return {"skipped": how}
    progress.step("roofline: the core's clock under load")
    ghz = mod.clock_ghz()
    progress.advance()
    rows = []
    for kname, kind, per_elem in KERNELS_MEASURED:
        k = KERNELS[kname]
        entry = entry_name(kname, "f32")
        for n in level1.SIZES[ctx.mode]:
            progress.step(f"roofline {kind} f32 n={fmt_n(n)}")
            nbytes = per_elem * n
            reps = max(1, int(2e7 // n))  # ~10-40 ms per round
            ceil = {w: mod.stream(kind, w, n, reps) for w in WIDTHS}
            ns = setup(k, n, "f32")
            who: dict[str, Any] = {"=numpy": Local(k.numpy, ns), **ctx.backend_contestants(entry, k.hostlib, ns)}
            times = ctx.compare(who)
            del ns

            def bpc(t_ns: float | None) -> float | None:
                return None if t_ns is None else nbytes / t_ns / ghz

            row: dict[str, Any] = {
                "kernel": kname, "loop": kind, "dtype": "f32", "n": n, "bytes": nbytes,
                "ceiling": {WIDTHS[w]: {"width": w, "ns": t, "bytes_per_cycle": bpc(t)} for w, t in ceil.items()},
                "numpy": {"ns": times["=numpy"]["best_ns"], "bytes_per_cycle": bpc(times["=numpy"]["best_ns"])},
                "backends": {},
            }
            for b in ctx.backends:
                if b.name not in times:
                    continue
                t = times[b.name]["best_ns"]
                # a backend that picks its own kernels (OpenBLAS) has no one width
                w = None if "corename" in b.details() else LEVEL_WIDTH.get(ctx.backend_level[b.name])
                top = ceil.get(w) if w else None
                row["backends"][b.name] = {"ns": t, "bytes_per_cycle": bpc(t), "width": w,
                                           "fraction_of_ceiling": top / t if top else None}
            rows.append(row)
            progress.advance()
    return {"clock_ghz": ghz, "rows": rows}


def format(res: dict[str, Any], result: dict[str, Any]) -> list[str]:
    f = fmt_num
    if "skipped" in result:
        return ["", "== Roofline: skipped: " + result["skipped"]]
    rows = result["rows"]
    names = [b for b in res["backends"] if any(b in r["backends"] for r in rows)]
    out = ["", f"== Roofline, float32: bytes per cycle (core clock under load {result['clock_ghz']:.2f} GHz) of "
           "the plainest loop of each vector width (benchmarks/roofline.c; scale: x *= a, 8 bytes per "
           "element; sumsq: sum of x^2, 4), and of each kernel, with the fraction of its own width's "
           "ceiling in parentheses"]

    def bcell(c: dict[str, Any] | None) -> str:
        if not c or c.get("bytes_per_cycle") is None:
            return "-"
        frac = c.get("fraction_of_ceiling")
        return f(c["bytes_per_cycle"]) + (f" ({f(frac)})" if frac is not None else "")

    widths = list(WIDTHS.values())
    out.append(render_table(
        ["kernel", "n", *[f"{w} loop" for w in widths], *names, "numpy"],
        [[f"{r['kernel']} ({r['loop']})", fmt_n(r["n"]),
          *[f((r["ceiling"].get(w) or {}).get("bytes_per_cycle")) for w in widths],
          *[bcell(r["backends"].get(b)) for b in names], f(r["numpy"]["bytes_per_cycle"])] for r in rows],
        "lr" + "r" * (len(widths) + len(names) + 1)))
    return out
