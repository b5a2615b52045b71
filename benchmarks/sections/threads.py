"""hostlib's thread pool, every ratio from contestants sampled round-robin
in this run: gemm on the pool's thread count vs one thread and vs
numpy.matmul with OpenBLAS at the same count; maps on that count vs one
thread; reductions in reproducible mode vs the default mode (one thread:
kernel against kernel). The only section that runs on more than one
thread."""

from __future__ import annotations

import contextlib
from typing import Any

from common import Local, compare, entry_name, fmt_n, fmt_num, hostlib, pool_threads, render_table

NAME = "threads"
GEMM_N = {"full": 2048, "quick": 2048, "smoke": 64}
MAP_SIZES = {"full": (10_000, 1_000_000, 10_000_000), "quick": (10_000, 1_000_000, 10_000_000), "smoke": (64,)}
REDUCE_SIZES = {"full": (1_000, 100_000, 10_000_000), "quick": (100_000, 1_000_000), "smoke": (64,)}
#: maps split over the pool, each with its largest size (None: all): exp
#: streams from memory at large n; sin is compute-bound and slow
MAPS = (("exp", None), ("sin", 1_000_000))
#: reductions with a reproducible form
REDUCTIONS = (("sum", "f(x)"), ("dot", "f(x, x)"), ("nrm2", "f(x)"))
GEMM_DTYPES = ("f64", "f32")


def map_cases(mode: str) -> list[tuple[str, int]]:
    return [(func, n) for func, largest in MAPS for n in MAP_SIZES[mode] if largest is None or n <= largest]


def count(mode: str) -> int:
    return len(GEMM_DTYPES) + len(map_cases(mode)) + len(REDUCTIONS) * len(REDUCE_SIZES[mode])


@contextlib.contextmanager
def _pool(threads: int, reproducible: bool = False) -> Any:
    """hostlib's pool at `threads` threads (and reproducible mode on or off)
    around one sample, restored after."""
    before, mode = hostlib.get_num_threads(), hostlib.is_reproducible()
    hostlib.set_num_threads(threads)
    hostlib.set_reproducible(reproducible)
    try:
        yield
    finally:
        hostlib.set_num_threads(before)
        hostlib.set_reproducible(mode)


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    import numpy as np

    threads = pool_threads()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
        ctx.notes.append("threadpoolctl not installed: numpy.matmul ran with OPENBLAS_NUM_THREADS=1")
    timing = ctx.timing
    out: dict[str, Any] = {"threads": threads, "gemm": [], "maps": [], "reproducible": []}
    rng = np.random.default_rng(0)
    n = GEMM_N[ctx.mode]
    for dtype in GEMM_DTYPES:
        dt = np.dtype(np.float64 if dtype == "f64" else np.float32)
        progress.step(f"threads: gemm {dt.name} n={n}")
        a, b = rng.standard_normal((n, n)).astype(dt), rng.standard_normal((n, n)).astype(dt)
        c = np.empty((n, n), dt)
        g = {"hostlib": hostlib, "np": np, "a": a, "b": b, "c": c}
        contestants = {
            "hostlib_1": Local("hostlib.gemm(a, b, c, beta=0.0)", g, lambda: _pool(1)),
            f"hostlib_{threads}": Local("hostlib.gemm(a, b, c, beta=0.0)", g, lambda: _pool(threads)),
            f"numpy_{threads}": Local("np.matmul(a, b, out=c)", g,
                                      (lambda: threadpool_limits(limits=threads, user_api="blas"))
                                      if threadpool_limits else None),
        }
        t = compare(contestants, **timing)
        flops = 2.0 * n ** 3
        out["gemm"].append({
            "dtype": dt.name, "n": n, "backend": hostlib.active()[entry_name("gemm", dtype)],
            "timing": {k: v.to_dict() for k, v in t.items()},
            "gflops": {k: flops / v.best_ns for k, v in t.items()},
            "speedup_vs_1_thread": t["hostlib_1"].best_ns / t[f"hostlib_{threads}"].best_ns,
            "vs_numpy": t[f"numpy_{threads}"].best_ns / t[f"hostlib_{threads}"].best_ns,
        })
        progress.advance()
    for func, size in map_cases(ctx.mode):
        progress.step(f"threads: {func} n={fmt_n(size)}")
        x = rng.uniform(-20, 20, size)
        g = {"f": getattr(hostlib, func), "x": x, "y": np.empty_like(x)}
        t = compare({"1": Local("f(x, out=y)", g, lambda: _pool(1)),
                     str(threads): Local("f(x, out=y)", g, lambda: _pool(threads))}, **timing)
        out["maps"].append({"kernel": func, "dtype": "float64", "n": size,
                            "timing": {k: v.to_dict() for k, v in t.items()},
                            "speedup": t["1"].best_ns / t[str(threads)].best_ns})
        progress.advance()
    for func, stmt in REDUCTIONS:
        for size in REDUCE_SIZES[ctx.mode]:
            progress.step(f"threads: reproducible {func} n={fmt_n(size)}")
            x = rng.standard_normal(size)
            g = {"f": getattr(hostlib, func), "x": x}
            t = compare({"default": Local(stmt, g, lambda: _pool(1)),
                         "reproducible": Local(stmt, g, lambda: _pool(1, reproducible=True))}, **timing)
            out["reproducible"].append({"kernel": func, "dtype": "float64", "n": size,
                                        "backend": hostlib.active()[entry_name(func, "f64")],
                                        "timing": {k: v.to_dict() for k, v in t.items()},
                                        "cost": t["reproducible"].best_ns / t["default"].best_ns})
            progress.advance()
    return out


def format(res: dict[str, Any], th: dict[str, Any]) -> list[str]:
    f = fmt_num
    t = th["threads"]
    return [
        "", f"== hostlib's thread pool: {t} threads vs 1 (ratios from one round-robin run)",
        render_table(
            ["gemm", "n", "backend", "GFLOP/s 1 thread", f"GFLOP/s {t} threads", f"numpy.matmul {t} threads",
             "speedup vs 1", "vs numpy"],
            [[r["dtype"], str(r["n"]), r["backend"], f(r["gflops"]["hostlib_1"]), f(r["gflops"][f"hostlib_{t}"]),
              f(r["gflops"][f"numpy_{t}"]), f(r["speedup_vs_1_thread"]), f(r["vs_numpy"])] for r in th["gemm"]],
            "lrlrrrrr"),
        render_table(
            ["map", "n", "ns 1 thread", f"ns {t} threads", "speedup"],
            [[f"{r['kernel']} {r['dtype']}", fmt_n(r["n"]), f(r["timing"]["1"]["best_ns"]),
              f(r["timing"][str(t)]["best_ns"]), f(r["speedup"])] for r in th["maps"]], "lrrrr"),
        render_table(
            ["reduction (1 thread)", "n", "backend", "ns default", "ns reproducible", "cost"],
            [[f"{r['kernel']} {r['dtype']}", fmt_n(r["n"]), r["backend"], f(r["timing"]["default"]["best_ns"]),
              f(r["timing"]["reproducible"]["best_ns"]), f(r["cost"])] for r in th["reproducible"]], "lrlrrr"),
    ]
