"""FFT, one thread unless said: every usable backend of hostlib's fft
interface against numpy.fft (pocketfft), scipy.fft, FFTW (pyFFTW,
FFTW_MEASURE), ducc0 and MKL (mkl_fft), complex-to-complex and
real-to-complex, float64 and float32, in microseconds per transform; then a
batch on one thread against two. The MKL wheel's backend (hostlib's plans
on MKL's DFTI) is a backend column like the others, ``mkl``; Intel's own
Python binding of the same library is the library column ``mkl_fft``.

The comparison libraries are optional (``pip install "hostlib-simd[bench]"``
brings pyFFTW and ducc0; mkl_fft where it installs): a missing one is a
column left out, with a note. Every library transforms the same array into
a preallocated output where it can (numpy and hostlib: ``out=``; FFTW: its
builder's own arrays; ducc0: ``out=``; scipy and mkl_fft allocate theirs).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable

from common import compare, fmt_n, fmt_num, hostlib, Local, pool_threads, render_table

NAME = "fft"
#: the issue's sizes: powers of two 64 ... 2^20, 1000, 1536, 10000, the primes 1009 and 65537
SIZES = {
    "full": (64, 256, 1024, 4096, 16384, 65536, 1 << 18, 1 << 20, 1000, 1536, 10000, 1009, 65537),
    "quick": (64, 1024, 65536, 1000, 1009),
    "smoke": (16, 17),
}
KINDS = ("c2c", "r2c")
PRECISIONS = {"f64": ("float64", "complex128"), "f32": ("float32", "complex64")}
#: a batch of transforms, for the threads table: (count, n)
BATCH = {"full": (256, 4096), "quick": (64, 4096), "smoke": (4, 64)}
#: single large transforms, for the threads table (each split over the pool by the backend)
LARGE = {"full": (65536, 1 << 18, 1 << 20), "quick": (65536, 1 << 20), "smoke": (4096,)}
#: the comparison libraries, by column name: their module
#: (not "mkl": that is the MKL wheel's backend column)
LIBRARIES = {"scipy": "scipy.fft", "fftw": "pyfftw", "ducc0": "ducc0", "mkl_fft": "mkl_fft"}
CONVENTIONS = {
    "fft": "microseconds per transform (best of N, round-robin in one run); speedup = time(reference) / "
    "time(hostlib's fastest backend); c2c: complex n -> n, r2c: n reals -> n/2+1 complex",
}


def _available() -> dict[str, Any]:
    found = {}
    for name, module in LIBRARIES.items():
        try:
            found[name] = importlib.import_module(module)
        except ImportError:
            pass
    return found


def cases(mode: str) -> list[tuple[str, str, int]]:
    return [(kind, dt, n) for n in SIZES[mode] for kind in KINDS for dt in PRECISIONS]


def count(mode: str) -> int:
    return len(cases(mode)) + 1


def _inputs(kind: str, dt: str, n: int) -> tuple[Any, Any]:
    import numpy as np

    real, cplx = PRECISIONS[dt]
    rng = np.random.default_rng(n)
    if kind == "c2c":
        x = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(cplx)
        return x, np.empty(n, cplx)
    return rng.standard_normal(n).astype(real), np.empty(n // 2 + 1, cplx)


def _contestants(kind: str, dt: str, n: int, libs: dict[str, Any], backends: list[str]) -> dict[str, Any]:
    """Each library's call on the same input, set up (and planned) outside the timed loop."""
    import numpy as np

    import hostlib.fft as hfft

    from hostlib.fft import _transforms as t

    x, out = _inputs(kind, dt, n)
    np_fn, hl_fn = (np.fft.fft, hfft.fft) if kind == "c2c" else (np.fft.rfft, hfft.rfft)
    who: dict[str, Any] = {"numpy": Local(lambda: np_fn(x, out=out))}
    # each backend through the planned primitive (a cached plan executed:
    # what FFTW's planned call does), and the public function once, with the
    # automatic choice: its cost over the primitive is argument handling
    code, sign = (t.C2C, t.FORWARD) if kind == "c2c" else (t.R2C, t.FORWARD)
    x2, out2 = x[np.newaxis], out[np.newaxis]
    for b in backends:
        who[b] = Local(lambda: t.execute(code, sign, x2, out2, n, 1.0, 1),
                       context=lambda b=b: hostlib.using(b, interface="fft"))
    who["hostlib.fft"] = Local(lambda: hl_fn(x, out=out))
    if "scipy" in libs:
        fn = libs["scipy"].fft if kind == "c2c" else libs["scipy"].rfft
        who["scipy"] = Local(lambda: fn(x, workers=1))
    if "fftw" in libs:
        pyfftw = libs["fftw"]
        a = pyfftw.empty_aligned(x.shape, dtype=x.dtype)
        a[:] = x
        build = pyfftw.builders.fft if kind == "c2c" else pyfftw.builders.rfft
        plan = build(a, planner_effort="FFTW_MEASURE", threads=1, avoid_copy=True)
        who["fftw"] = Local(lambda: plan())
    if "ducc0" in libs:
        d = libs["ducc0"].fft
        if kind == "c2c":
            who["ducc0"] = Local(lambda: d.c2c(x, out=out, forward=True, nthreads=1))
        else:
            who["ducc0"] = Local(lambda: d.r2c(x, out=out, forward=True, nthreads=1))
    if "mkl_fft" in libs:
        fn = libs["mkl_fft"].fft if kind == "c2c" else libs["mkl_fft"].rfft
        who["mkl_fft"] = Local(lambda: fn(x))
    return who


def _check(kind: str, dt: str, n: int, backends: list[str]) -> float:
    """The largest error of hostlib's backends against numpy at this case,
    relative to the result's largest magnitude: a benchmark of a wrong
    transform would be worthless."""
    import numpy as np

    import hostlib.fft as hfft

    x, _ = _inputs(kind, dt, n)
    want = (np.fft.fft if kind == "c2c" else np.fft.rfft)(x.astype(np.complex128 if kind == "c2c" else np.float64))
    worst = 0.0
    for b in backends:
        with hostlib.using(b, interface="fft"):
            got = (hfft.fft if kind == "c2c" else hfft.rfft)(x)
        worst = max(worst, float(np.abs(got - want).max() / np.abs(want).max()))
    return worst


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    libs = _available()
    backends = [b.name for b in hostlib.backends(interface="fft") if b.usable]
    notes = [f"{name} ({module}) not installed: its column is left out"
             for name, module in LIBRARIES.items() if name not in libs]
    old_threads = hostlib.get_num_threads()
    hostlib.set_num_threads(1)
    rows = []
    try:
        for kind, dt, n in cases(ctx.mode):
            progress.step(f"fft {kind} {dt} n={fmt_n(n)}")
            times = compare(_contestants(kind, dt, n, libs, backends), **ctx.timing)
            us = {name: t.best_ns / 1e3 for name, t in times.items()}
            best = min(backends, key=lambda b: us[b])
            rows.append({"kind": kind, "dtype": dt, "n": n, "us": us, "best": best,
                         "error": _check(kind, dt, n, backends),
                         "speedup": {ref: us[ref] / us[best] for ref in us
                                     if ref not in backends and ref != "hostlib.fft"}})
            progress.advance()
    finally:
        hostlib.set_num_threads(old_threads)
    progress.step("fft batch, threads")
    threads = _batch(ctx, backends)
    progress.advance()
    return {"rows": rows, "backends": backends, "libraries": sorted(libs), "notes": notes, "threads": threads}


def _batch(ctx: Any, backends: list[str]) -> dict[str, Any]:
    """A batch of c2c transforms (the rows of one array) on 1 thread and on
    every thread hostlib may use, per backend; then single large
    transforms, 1 thread against all."""
    import numpy as np

    from hostlib.fft import _transforms

    count_, n = BATCH[ctx.mode]
    x = (np.random.default_rng(0).standard_normal((count_, n)) * (1 + 1j))
    out = np.empty_like(x)
    # the suite runs with hostlib's budget at 1 (common.py), and a call's
    # workers never exceed the budget: give the pool its threads here, as
    # the threads section does
    t = pool_threads()
    before = hostlib.get_num_threads()
    hostlib.set_num_threads(t)
    try:
        return _batch_rows(ctx, backends, x, out, n, count_, t)
    finally:
        hostlib.set_num_threads(before)


def _batch_rows(ctx: Any, backends: list[str], x: Any, out: Any, n: int, count_: int, t: int) -> dict[str, Any]:
    import numpy as np

    from hostlib.fft import _transforms

    def call(workers: int) -> Callable[[], None]:
        return lambda: _transforms.execute(_transforms.C2C, _transforms.FORWARD, x, out, n, 1.0, workers)

    result = {"count": count_, "n": n, "threads": t, "backends": {}, "single": []}
    for b in backends:
        who = {"1": Local(call(1), context=lambda b=b: hostlib.using(b, interface="fft")),
               str(t): Local(call(t), context=lambda b=b: hostlib.using(b, interface="fft"))}
        times = compare(who, **ctx.timing)
        result["backends"][b] = {k: v.best_ns / 1e3 for k, v in times.items()}
        result["backends"][b]["speedup"] = times["1"].best_ns / times[str(t)].best_ns
    # one large transform at a time, on the automatic backend: the backend
    # splits it over the pool itself (simd/fft.h's four steps); workers=1
    # keeps it on one thread. The two run round-robin, sample by sample.
    for n1 in LARGE[ctx.mode]:
        for kind in KINDS:
            for dt in PRECISIONS:
                xs, outs = _inputs(kind, dt, n1)
                xs, outs = xs[np.newaxis], outs[np.newaxis]
                code = _transforms.C2C if kind == "c2c" else _transforms.R2C

                def one(workers: int, code=code, xs=xs, outs=outs, n1=n1) -> Callable[[], None]:
                    return lambda: _transforms.execute(code, _transforms.FORWARD, xs, outs, n1, 1.0, workers)

                times = compare({"1": Local(one(1)), str(t): Local(one(t))}, **ctx.timing)
                result["single"].append({"kind": kind, "dtype": dt, "n": n1, "1": times["1"].best_ns / 1e3,
                                         str(t): times[str(t)].best_ns / 1e3,
                                         "speedup": times["1"].best_ns / times[str(t)].best_ns})
    return result


def format(res: dict[str, Any], data: dict[str, Any]) -> list[str]:
    f = fmt_num
    rows, backends = data["rows"], data["backends"]
    refs = ["numpy", *[lib for lib in LIBRARIES if lib in data["libraries"]]]
    out = ["", "== FFT, one thread: microseconds per transform (lower is better); "
           "c2c complex n -> n, r2c n reals -> n/2+1 complex. Backends: a cached plan executed "
           "(as FFTW's planned call, pyFFTW with FFTW_MEASURE); hostlib.fft: the numpy-style function "
           "(automatic backend), numpy's and scipy's for comparison"]
    out.append(render_table(
        ["kind", "dtype", "n", *backends, "hostlib.fft", *refs, "max rel. error"],
        [[r["kind"], r["dtype"], str(r["n"]), *[f(r["us"].get(b)) for b in backends], f(r["us"].get("hostlib.fft")),
          *[f(r["us"].get(ref)) for ref in refs], f"{r['error']:.1e}"] for r in rows],
        "lll" + "r" * (len(backends) + len(refs) + 2)))
    out += ["", "== FFT: speedup of hostlib's fastest backend (named) vs each library "
            "(targets: >= 3.0 vs numpy, >= 1.0 vs FFTW and MKL)"]
    out.append(render_table(
        ["kind", "dtype", "n", "backend", *[f"vs {ref}" for ref in refs]],
        [[r["kind"], r["dtype"], str(r["n"]), r["best"], *[f(r["speedup"].get(ref)) for ref in refs]]
         for r in rows], "llll" + "r" * len(refs)))
    th = data["threads"]
    out += ["", f"== FFT batch: {th['count']} c2c transforms of n = {th['n']}, complex128, "
            f"1 thread vs {th['threads']} (target >= 1.8x)"]
    out.append(render_table(
        ["backend", "us 1 thread", f"us {th['threads']} threads", "speedup"],
        [[b, f(v["1"]), f(v[str(th["threads"])]), f(v["speedup"])] for b, v in th["backends"].items()], "lrrr"))
    if th.get("single"):
        out += ["", f"== FFT, one large transform at a time (automatic backend, split over the pool by the "
                f"backend): 1 thread vs {th['threads']} (target >= 1.8x from n = 65536)"]
        out.append(render_table(
            ["kind", "dtype", "n", "us 1 thread", f"us {th['threads']} threads", "speedup"],
            [[r["kind"], r["dtype"], str(r["n"]), f(r["1"]), f(r[str(th["threads"])]), f(r["speedup"])]
             for r in th["single"]], "lllrrr"))
    out += [f"note: {n}" for n in data["notes"]]
    return out


PANELS = (2,)


def plot(res: dict[str, Any], data: dict[str, Any], axes: list[Any], colors: dict[str, Any]) -> set[str]:
    """Speedup of hostlib's fastest backend vs each library, per case (log scale)."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    ax = axes[0]
    rows = data["rows"]
    refs = ["numpy", *[lib for lib in LIBRARIES if lib in data["libraries"]]]
    x = np.arange(len(rows))
    w = 0.8 / max(1, len(refs))
    palette = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"]
    for i, ref in enumerate(refs):
        vals = [r["speedup"].get(ref) or np.nan for r in rows]
        ax.bar(x - 0.4 + w * (i + 0.5), vals, w, label=f"vs {ref}", color=palette[i % len(palette)])
    ax.axhline(1.0, color="black", lw=1)
    ax.axhline(3.0, color="gray", lw=1, ls="--")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xticks(x, [f"{r['kind']} {r['dtype']} {fmt_n(r['n'])}" for r in rows], rotation=60, ha="right",
                  fontsize=7)
    ax.set_title("FFT, 1 thread: hostlib's fastest backend, speedup vs each library (dashed: 3x)", fontsize=10)
    ax.set_ylabel("speedup (log)")
    ax.legend(fontsize=7, ncol=len(refs))
    ax.grid(axis="y", which="both", alpha=0.3)
    return set()
