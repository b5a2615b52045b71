"""gemm's cache blocks at work: square gemm from n = 256 to 4096, float32
and float64, on one thread and on the pool's thread count, against
numpy.matmul (numpy's OpenBLAS) at the same thread count, every ratio from
contestants sampled round-robin in this run; with the blocks the host
derived from the detected caches (hostlib/_host/params.py) and the
template's compiled defaults, on the backend serving gemm."""

from __future__ import annotations

import contextlib
from typing import Any

from hostlib._measure.timing import THREADED_SETTLE

from common import Local, compare, entry_name, fmt_num, hostlib, pool_threads, render_table

NAME = "blocks"
SIZES = {"full": (256, 512, 1024, 2048, 4096), "quick": (256, 1024, 2048), "smoke": (64,)}
DTYPES = ("f64", "f32")
#: the template's compiled blocks (simd/gemm.h) before the host derived others
TEMPLATE = {"dgemm": {"mc": None, "kc": 256, "nc": 4096}, "sgemm": {"mc": None, "kc": 256, "nc": 4096}}
CONVENTIONS = {"blocks": "gemm: 2*n^3 flops per call; vs numpy = time(numpy.matmul) / time(hostlib.gemm) "
                         "at the same thread count"}


def count(mode: str) -> int:
    return len(SIZES[mode]) * len(DTYPES)


@contextlib.contextmanager
def _setting(threads: int, module: Any = None, entry: str = "", blocks: dict[str, int] | None = None) -> Any:
    """hostlib's pool at `threads` (and other blocks) around one sample."""
    from hostlib._host import params

    before = hostlib.get_num_threads()
    saved = params.current(module) if module is not None else None
    hostlib.set_num_threads(threads)
    if blocks:
        params.apply(module, {entry: blocks})
    try:
        yield
    finally:
        hostlib.set_num_threads(before)
        if saved:
            params.apply(module, {entry: {k: saved[entry][k] for k in ("mc", "kc", "nc")}})


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    import numpy as np
    from threadpoolctl import threadpool_limits

    from hostlib._host import params

    threads = pool_threads()
    out: dict[str, Any] = {"threads": threads, "rows": []}
    rng = np.random.default_rng(0)
    for dtype in DTYPES:
        entry = entry_name("gemm", dtype)
        backend = hostlib.active()[entry]
        b = {x.name: x for x in hostlib.backends()}[backend]
        module = b.module if b.parameters() else None
        used = (b.parameters() or {}).get(entry)
        template = None
        if used is not None:
            template = dict(TEMPLATE[entry], mc=used["mr"] * (12 if entry == "dgemm" else 32))
        for n in SIZES[ctx.mode]:
            progress.step(f"blocks: gemm {dtype} n={n}")
            dt = np.dtype(np.float64 if dtype == "f64" else np.float32)
            a, bb = rng.standard_normal((n, n)).astype(dt), rng.standard_normal((n, n)).astype(dt)
            c = np.empty((n, n), dt)
            g = {"hostlib": hostlib, "np": np, "a": a, "b": bb, "c": c}
            contestants = {}
            for t in sorted({1, threads}):
                contestants[f"hostlib_{t}"] = Local("hostlib.gemm(a, b, c, beta=0.0)", g,
                                                    lambda t=t: _setting(t))
                if template is not None and n >= 1024:
                    contestants[f"template_{t}"] = Local("hostlib.gemm(a, b, c, beta=0.0)", g,
                                                         lambda t=t: _setting(t, module, entry, template))
                # numpy's OpenBLAS threads spin for about 0.1 s after each of
                # its calls on several threads: whatever came next (the order
                # rotates every round) found a core taken (measured: hostlib
                # on 2 threads at n = 1024 float64 0.66x numpy right after
                # numpy's call, 1.0x after a pause; and a 1-thread sample
                # shared its core). So a pause follows each such sample.
                # hostlib's pool spins 100 us after a call, not to be waited for.
                contestants[f"numpy_{t}"] = Local("np.matmul(a, b, out=c)", g,
                                                  lambda t=t: threadpool_limits(limits=t, user_api="blas"),
                                                  settle=THREADED_SETTLE if t > 1 and ctx.mode != "smoke" else 0.0)
            timing = dict(ctx.timing, repeat=min(ctx.timing.get("repeat", 3), 3)) if n >= 2048 else ctx.timing
            res = compare(contestants, **timing)
            flops = 2.0 * n ** 3
            out["rows"].append({
                "dtype": dt.name, "n": n, "backend": backend, "blocks": used, "template_blocks": template,
                "timing": {k: v.to_dict() for k, v in res.items()},
                "gflops": {k: flops / v.best_ns for k, v in res.items()},
                "vs_numpy": {str(t): res[f"numpy_{t}"].best_ns / res[f"hostlib_{t}"].best_ns
                             for t in sorted({1, threads})},
            })
            progress.advance()
    return out


def format(res: dict[str, Any], r: dict[str, Any]) -> list[str]:
    f = fmt_num
    t = r["threads"]
    counts = sorted({1, t})
    head = ["gemm", "n", "backend", "blocks MC/KC/NC"]
    for k in counts:
        head += [f"GFLOP/s {k}t", f"template {k}t", f"numpy {k}t", f"vs numpy {k}t"]
    rows = []
    for row in r["rows"]:
        bl = row["blocks"]
        cells = [row["dtype"], str(row["n"]), row["backend"], f"{bl['mc']}/{bl['kc']}/{bl['nc']}" if bl else "-"]
        for k in counts:
            gf = row["gflops"]
            cells += [f(gf[f"hostlib_{k}"]), f(gf.get(f"template_{k}")), f(gf[f"numpy_{k}"]),
                      f(row["vs_numpy"][str(k)])]
        rows.append(cells)
    return ["", f"== gemm blocks: derived from the caches vs the template's (MC/256/4096), and numpy.matmul, "
                f"1 and {t} threads (GFLOP/s; one round-robin run)",
            render_table(head, rows, "lrll" + "r" * (4 * len(counts)))]
