#!/usr/bin/env python3
"""hostlib's benchmark suite: speed as ratios against numpy and OpenBLAS.

    python benchmarks/run.py                       # full run, about 35 minutes on 2 cores
    python benchmarks/run.py --quick               # under a minute
    python benchmarks/run.py --out r.json --plot r.png
    python benchmarks/run.py --from r.json --plot r.png    # re-print / re-plot a saved run
    python benchmarks/run.py --sections gemm,overhead      # part of it

Measures, in one run (ratios are only meaningful within a run on a shared
machine): every elementwise ufunc per backend against numpy's own, at
numpy's default and at an equal instruction set; numpy's own np.sin/np.exp
patched by hostlib.patch_numpy() against unpatched and against MKL's
mkl_umath patch; gemm against numpy.matmul
(OpenBLAS, one thread), also at an equal instruction set; level-1 kernels
against numpy/OpenBLAS and against the bandwidth of a plain copy; for every
table entry, the backend automatic selection picks against the fastest one;
the cost of a call through hostlib's table against a direct call, in C; and
Python-level overhead on tiny arrays. See benchmarks/README.md for how to read it.

Every backend hostlib reports as usable is measured, on the entries it
provides itself. Run from anywhere but the top of the source tree is not
required: this script's folder is first on sys.path, not the checkout.
"""

# This file is the command line only: each section is a module of
# sections/ (listed in sections/__init__.py), and what they share is in
# common.py.

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import common
from common import Context, Progress
from sections import NAMES, SECTIONS


def run(args: argparse.Namespace, env: common.Environment) -> dict[str, Any]:
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    chosen = [s for s in SECTIONS if s.NAME in args.sections]
    ctx = Context(mode, env)
    t0 = time.perf_counter()
    try:
        ctx.start(uses_mkl=any(getattr(s, "USES_MKL", False) for s in chosen))
        progress = Progress(sum(s.count(mode) for s in chosen), quiet=args.quiet, title="benchmarks")
        conventions = {
            "time": "per call, best of N samples (hostlib._measure.timing.compare), time.perf_counter_ns",
            "speedup": "time(reference) / time(hostlib backend): > 1 means hostlib is faster",
            "equal_isa": "numpy re-imported in a subprocess with NPY_DISABLE_CPU_FEATURES masking dispatch "
            "targets above the backend's level; OpenBLAS with OPENBLAS_CORETYPE; glibc's libm with "
            "GLIBC_TUNABLES=glibc.cpu.hwcaps masking its FMA/AVX variants",
        }
        for s in SECTIONS:  # every section's, whichever ran: a saved run reads the same
            conventions.update(getattr(s, "CONVENTIONS", {}))
        res: dict[str, Any] = {
            "machine": common.machine_info(),
            "mode": mode,
            "threads": ctx.threads_note + ", OPENBLAS_NUM_THREADS=1"
            + (f", pinned to CPU {args.pin}" if args.pin is not None else ""),
            "backends": ctx.names,
            "backend_levels": {b: common.lname(lvl) for b, lvl in ctx.backend_level.items()},
            "levels": ctx.level_info(),
            "timing": ctx.timing,
            "conventions": conventions,
            "sections": {},
        }
        if env.dropped:
            ctx.notes.append("dropped " + " ".join(f"{k}={v}" for k, v in env.dropped.items())
                             + " from the environment, so that numpy's OpenBLAS picks its own kernels "
                             "(--keep-openblas-env keeps them)")
        arch = next((p["architecture"] for p in res["machine"]["threadpools"] or []
                     if p["internal_api"] == "openblas" and "numpy" in (p["filepath"] or "")), None)
        if arch:
            ctx.notes.append(f"numpy's OpenBLAS runs its {arch} kernels at numpy's default level")
        for s in chosen:
            res["sections"][s.NAME] = s.run(ctx, progress)
        progress.close()
    finally:
        ctx.close()
    res["notes"] = list(dict.fromkeys(ctx.notes))
    res["elapsed_s"] = time.perf_counter() - t0
    return res


# ---------------------------------------------------------------------------
# printing: the run's header, each section's tables, the noise
# ---------------------------------------------------------------------------


def format_results(res: dict[str, Any]) -> str:
    out = []
    m = res["machine"]
    out.append(f"hostlib benchmarks  {m['date']}  {m['processor']}  ({m['cpu_count']} CPUs)")
    out.append(f"numpy {m['numpy']['version']}  python {m['python']}  {res['threads']}  mode: {res['mode']}")
    out.append("backends measured: " + ", ".join(
        f"{b} (vs numpy {res['backend_levels'].get(b) or '-'})" for b in res["backends"]))
    out.append("speedup = time(reference) / time(hostlib backend); > 1 means hostlib is faster. '-' = not provided/not measured.")
    for note in res.get("notes", []):
        out.append("note: " + note)
    levels = res.get("levels", {})
    for name, d in levels.items():
        env = d.get("env") or {}
        how = "default" if d.get("default") else " ".join(f"{k}={v!r}" for k, v in env.items())
        if d.get("error"):
            how += f"  -> unavailable: {d['error']}"
        elif not d.get("default") and d.get("info"):
            how += f"  -> numpy dispatch on: {' '.join(d['info']['dispatch_enabled']) or 'none (baseline only)'}"
        out.append(f"numpy {name} ({d['isa']}): {how}")
    if levels:
        out.append("numpy cannot run below X86_V2 (its baseline, SSE4.2+POPCNT): backends built for SSE2 "
                   "(sse2, portable) are compared with numpy at X86_V2, which may use SSE3-SSE4.2 they do not.")
    for s in SECTIONS:
        if s.NAME in res["sections"]:
            out += s.format(res, res["sections"][s.NAME])
    out.append("")
    spread = noise(res)
    if spread:
        k, total = spread
        out.append(f"noise: {k} of {total} measurements had a median more than 1.25x their best "
                   f"({100 * k / total:.0f}%){'; the machine was busy: compare with a re-run' if k > 0.1 * total else ''}")
    out.append(f"total {res.get('elapsed_s', 0):.0f} s")
    return "\n".join(out)


def noise(res: dict[str, Any]) -> tuple[int, int] | None:
    """(measurements whose median/best > 1.25, all measurements)."""
    found = [0, 0]

    def walk(o: Any) -> None:
        if isinstance(o, dict):
            if "best_ns" in o and "median_ns" in o:
                found[1] += 1
                found[0] += o["median_ns"] > 1.25 * o["best_ns"]
                return
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(res.get("sections", {}))
    return (found[0], found[1]) if found[1] else None


# ---------------------------------------------------------------------------
# the summary figure: each section's panels on a two-column grid
# ---------------------------------------------------------------------------


def panel_grid(widths: list[int]) -> tuple[list[tuple[int, int, int]], int]:
    """(row, column, width) of each panel, filled left to right, a panel
    two columns wide on a row of its own; and the number of rows."""
    cells, row, col = [], 0, 0
    for w in widths:
        if col + w > 2:
            row, col = row + 1, 0
        cells.append((row, col, w))
        col += w
        if col == 2:
            row, col = row + 1, 0
    return cells, row + (col > 0)


def plot(res: dict[str, Any], path: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib): no plot"

    sec = res["sections"]
    drawn = [s for s in SECTIONS if hasattr(s, "plot") and sec.get(s.NAME)]
    if not drawn:
        return "no section of this run draws a panel: no plot"
    names = res["backends"]
    colors = {b: plt.cm.tab10(i % 10) for i, b in enumerate(names)}
    cells, nrows = panel_grid([w for s in drawn for w in s.PANELS])
    fig = plt.figure(figsize=(16, 5 * nrows))
    grid = fig.add_gridspec(nrows, 2)
    axes = iter(fig.add_subplot(grid[r, c:c + w]) for r, c, w in cells)
    used: set[str] = set()
    for s in drawn:
        used |= s.plot(res, sec[s.NAME], [next(axes) for _ in s.PANELS], colors)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[b]) for b in names if b in used]
    labels = [b for b in names if b in used]
    handles.append(plt.Line2D([], [], color="black", marker="_", linestyle="none", mew=2.5, markersize=12))
    labels.append("vs equal ISA")
    fig.legend(handles, labels, loc="upper right", ncol=len(labels), fontsize=9)
    m = res["machine"]
    sub = f"{m['processor']}, numpy {m['numpy']['version']}, {res['threads']}, {m['date']}, mode {res['mode']}"
    for s in SECTIONS:
        line = s.caption(sec[s.NAME]) if hasattr(s, "caption") and s.NAME in sec else None
        if line:
            sub += "\n" + line
    fig.suptitle("hostlib kernels vs numpy / OpenBLAS (black line at 1.0 = parity)\n" + sub, fontsize=10, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (5 * nrows)))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# ---------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--quick", action="store_true", help="fewer sizes, shorter measurements (under a minute)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment (by default they are "
                        "dropped: they pin numpy's OpenBLAS below its best kernels)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and a few samples, to check that everything runs (seconds; numbers meaningless)")
    parser.add_argument("--out", metavar="FILE.json",
                        help="write the results as JSON (default: benchmarks/results/latest.json)")
    parser.add_argument("--plot", metavar="FILE.png", help="draw the summary figure (needs matplotlib)")
    parser.add_argument("--from", dest="from_", metavar="FILE.json", help="do not measure: print (and --plot) a saved run")
    parser.add_argument("--sections", default=",".join(NAMES),
                        help="comma-separated subset of: " + ",".join(NAMES))
    parser.add_argument("--pin", type=int, metavar="CPU",
                        help="run this process and its numpy workers on one CPU (Linux): the contestants of a "
                        "cross-process ratio then share a core and its neighbours")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        common.set_environment(worker=True)
        return common.worker_main()
    if args.pin is not None:
        if not hasattr(os, "sched_setaffinity"):
            parser.error("--pin needs os.sched_setaffinity (Linux)")
        os.sched_setaffinity(0, {args.pin})  # inherited by the workers
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    bad = [s for s in args.sections if s not in NAMES]
    if bad:
        parser.error(f"unknown section(s) {bad}; choose from {', '.join(NAMES)}")

    if args.from_:
        with open(args.from_) as f:
            res = json.load(f)
    else:
        res = run(args, common.set_environment(keep_openblas_env=args.keep_openblas_env))
        out = args.out or os.path.join(common.HERE, "results", "latest.json")
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            json.dump(res, f, indent=1)
        print(f"results written to {out}", file=sys.stderr)
    print(format_results(res))
    if args.plot:
        err = plot(res, args.plot)
        print(err or f"plot written to {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
