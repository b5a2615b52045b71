"""Python-level overhead: hostlib's functions and numpy's on 8 float64
elements, where the call costs more than the work."""

from __future__ import annotations

from typing import Any

from common import Local, fmt_num, hostlib, render_table

NAME = "python"
#: (label, hostlib call, numpy call)
CALLS = (
    ("dot", "hl.dot(x, y)", "x @ y"),
    ("exp", "hl.exp(x)", "np.exp(x)"),
    ("exp out=", "hl.exp(x, out=o)", "np.exp(x, out=o)"),
    ("sum", "hl.sum(x)", "x.sum()"),
)


def count(mode: str) -> int:
    return 1


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    import numpy as np

    progress.step("Python-level overhead, 8 elements")
    x = np.linspace(0.1, 0.9, 8)
    ns = {"np": np, "hl": hostlib, "x": x, "y": x[::-1].copy(), "o": np.empty(8)}
    rows = []
    for label, h, p in CALLS:
        times = ctx.compare({"hostlib": Local(h, ns), "numpy": Local(p, ns)})
        th, tp = times["hostlib"], times["numpy"]
        rows.append({"call": label, "hostlib": h, "numpy": p, "hostlib_ns": th["best_ns"], "numpy_ns": tp["best_ns"],
                     "hostlib_over_numpy": th["best_ns"] / tp["best_ns"], "timings": {"hostlib": th, "numpy": tp}})
    progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    return ["", "== Python-level overhead on 8 float64 elements (auto selection): ns per call", render_table(
        ["call", "hostlib", "numpy", "hostlib ns", "numpy ns", "hostlib/numpy"],
        [[r["call"], r["hostlib"], r["numpy"], f(r["hostlib_ns"]), f(r["numpy_ns"]), f(r["hostlib_over_numpy"])]
         for r in rows], "lllrrr")]
