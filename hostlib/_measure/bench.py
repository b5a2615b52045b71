"""``python -m hostlib bench`` and the kernel catalogue it shares with the
benchmark suite.

* the catalogue (:data:`KERNELS`, :func:`setup`): for each kernel the
  hostlib call, the numpy call it is compared with, the array set-up, and
  the bytes it moves / flops it does, so ``benchmarks/run.py`` and ``bench``
  measure the same things the same way;
* :func:`main`: the ``bench`` subcommand, a quick side-by-side of every
  usable backend for every kernel at one or two sizes, timed with
  :mod:`hostlib._measure.timing`. The full suite (numpy at equal instruction set,
  OpenBLAS, bandwidth, call overhead, default choice against the fastest
  backend) is ``benchmarks/run.py`` in the source tree; what only it needs
  lives there, not in the installed package.

Conventions: times are per call; elementwise and level-1 kernels are shown in
ns per element, gemm in GFLOP/s (``2*m*n*k`` flops). A speedup is
``time(reference) / time(backend)``: above 1 the backend is faster.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from .._host import spec as _spec
from .timing import THREADED_SETTLE, Contestant, Local, compare

# ---------------------------------------------------------------------------
# the kernels and what they are compared with
# ---------------------------------------------------------------------------

DTYPES = {"f32": "float32", "f64": "float64"}


@dataclass(frozen=True)
class Kernel:
    """A function of the table (its float32 and float64 entries), the call
    that benchmarks it, and its numpy twin: from the spec's ``bench`` keys.

    ``hostlib`` and ``numpy`` are statements over the names :func:`setup`
    defines (``hl`` = hostlib, ``np`` = numpy, arrays ``x``, ``y``, scalar
    ``a``; for gemm ``A``, ``B``, ``C``). Outputs are preallocated, so no
    statement allocates, except numpy expressions that need a temporary
    (``np.abs(x).sum()``, ``y += a * x``) -- that is what numpy users write.
    ``bytes_per_elem``: elements read + written per element of ``n``
    (the streaming traffic of the kernel, temporaries not counted).
    """

    name: str
    kind: str  # the spec's kind: "elementwise" | "level1" | "gemm"
    hostlib: str
    numpy: str
    bytes_per_elem: int = 0
    domain: tuple[float, float] = (-1.0, 1.0)
    alpha: float = 1.0
    #: the second input's domain (``x2``), for a function of two inputs
    domain2: tuple[float, float] | None = None

    def entry(self, dtype: str) -> str:
        return _spec.entry_of(self.name, DTYPES[dtype]).name

    @staticmethod
    def of_entry(entry: str) -> tuple[Kernel, str]:
        """The kernel and dtype of a table entry: its function and dtype in the spec."""
        e = _spec.kernels()[entry]
        return KERNELS[e.function], {v: k for k, v in DTYPES.items()}[e.dtype]

    def unit(self) -> str:
        return "GFLOP/s" if self.kind == "gemm" else "ns/elem"

    def flops(self, n: int) -> int:
        return 2 * n**3 if self.kind == "gemm" else n

    def value(self, ns: float, n: int) -> float:
        """The number a table shows: ns/element, or GFLOP/s for gemm."""
        if self.kind == "gemm":
            return self.flops(n) / ns
        return ns / n

    def nbytes(self, n: int, itemsize: int) -> int:
        """Bytes read + written by one call (streaming kernels)."""
        return self.bytes_per_elem * n * itemsize


def _kernel(e: _spec.EntryInfo) -> Kernel:
    b = e.bench
    if e.ufunc:  # an elementwise map: the ufunc against numpy's own
        args = "x, x2" if e.nin == 2 else "x"
        call, twin, nbytes = f"hl.{e.function}({args}, out=y)", f"np.{e.ufunc['name']}({args}, out=y)", e.nin + 1
    else:
        call, twin, nbytes = b["call"], b["numpy"], 0
    return Kernel(e.function, e.kind, b.get("call", call), b.get("numpy", twin), b.get("bytes", nbytes),
                  tuple(b.get("domain", (-1.0, 1.0))), b.get("alpha", 1.0),
                  tuple(b["domain2"]) if "domain2" in b else None)


#: every function the spec gives a benchmark call, in spec order
KERNELS: dict[str, Kernel] = {
    e.function: _kernel(e) for e in _spec.kernels().values() if e.ufunc or "call" in e.bench
}
ELEMENTWISE = tuple(k for k in KERNELS if KERNELS[k].kind == "elementwise")
LEVEL1 = tuple(k for k in KERNELS if KERNELS[k].kind == "level1")


def setup(kernel: Kernel | str, n: int, dtype: str, seed: int = 12345,
          shape: Sequence[Any] | None = None) -> dict[str, Any]:
    """Namespace for the kernel's statements: arrays of ``n`` elements
    (``n x n`` matrices for gemm) of ``dtype`` ("f32"/"f64"), filled
    reproducibly (same seed, same data in every process).

    For gemm, ``shape = (m, k, n, trans)`` replaces the square: ``A`` is
    m x k and ``B`` k x n, each a transposed view of a C-ordered array
    where ``trans`` ("NN", "TN", "NT", "TT") says so, as a caller holding
    the transpose would pass it."""
    import numpy as np

    import hostlib

    k = KERNELS[kernel] if isinstance(kernel, str) else kernel
    dt = np.dtype(DTYPES[dtype])
    rng = np.random.default_rng(seed)
    ns: dict[str, Any] = {"np": np, "hl": hostlib}
    if k.kind == "gemm":
        m, kk, nn, trans = shape if shape is not None else (n, n, n, "NN")
        ns["A"] = rng.standard_normal((kk, m)).astype(dt).T if trans[0] == "T" else rng.standard_normal((m, kk)).astype(dt)
        ns["B"] = rng.standard_normal((nn, kk)).astype(dt).T if trans[1] == "T" else rng.standard_normal((kk, nn)).astype(dt)
        ns["C"] = np.zeros((m, nn), dt)
        return ns
    lo, hi = k.domain
    ns["x"] = rng.uniform(lo, hi, n).astype(dt)
    if k.domain2 is not None:
        ns["x2"] = rng.uniform(*k.domain2, n).astype(dt)
    if k.kind == "elementwise":
        ns["y"] = np.zeros(n, dt)
    else:
        ns["y"] = rng.uniform(-1.0, 1.0, n).astype(dt)
    ns["a"] = dt.type(k.alpha)
    return ns


# ---------------------------------------------------------------------------
# backends
# ---------------------------------------------------------------------------


def usable_backends() -> list[Any]:
    """Usable backends, portable first, then by ascending priority (so the
    columns read from the plainest to the preferred)."""
    from .._host import registry

    return list(reversed([b for b in registry.host().listing() if b.usable]))


def providers(entry: str, backends: Iterable[Any] | None = None) -> list[str]:
    """Names of the usable backends that provide ``entry`` themselves (a
    backend that leaves it empty would be measured on the portable table)."""
    return [b.name for b in (usable_backends() if backends is None else backends) if entry in b.provides]


def blas_threads_limit(n: int = 1) -> tuple[Any, str]:
    """Limit BLAS libraries (numpy's OpenBLAS, a forwarding backend's) to
    ``n`` threads with threadpoolctl if it is installed. Returns the limiter
    (keep it alive; ``restore_original_limits()`` undoes it) and a note."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        env = os.environ.get("OPENBLAS_NUM_THREADS")
        return None, f"OPENBLAS_NUM_THREADS={env}" if env else "BLAS threads: library default (no threadpoolctl)"
    # threadpoolctl limits the libraries loaded now: load them first. `import
    # hostlib` loads neither numpy (and its OpenBLAS) nor any backend, and
    # hostlib's own pool joins threadpoolctl when its host starts.
    import numpy  # noqa: F401

    from .._host import registry

    registry.host()
    limiter = threadpool_limits(limits=n, user_api="blas")
    return limiter, f"BLAS threads: {n} (threadpoolctl)"


# ---------------------------------------------------------------------------
# progress on stderr
# ---------------------------------------------------------------------------


class Progress:
    """A line per step on stderr (or a rich progress bar when rich is
    installed and stderr is a terminal). ``quiet`` silences it."""

    def __init__(self, total: int, quiet: bool = False, title: str = "bench") -> None:
        self.total = total
        self.quiet = quiet
        self.title = title
        self.done = 0
        self.t0 = time.perf_counter()
        self._rich = None
        if not quiet and sys.stderr.isatty():
            try:
                from rich.progress import Progress as RichProgress
                from rich.console import Console

                self._rich = RichProgress(console=Console(stderr=True), transient=True)
                self._task = self._rich.add_task(title, total=total)
                self._rich.start()
            except Exception:
                self._rich = None

    def step(self, what: str) -> None:
        if self.quiet:
            return
        if self._rich is not None:
            self._rich.update(self._task, description=f"{self.title}: {what}")
            return
        self.done_line(what)

    def done_line(self, what: str) -> None:
        print(f"[{self.done + 1}/{self.total} {time.perf_counter() - self.t0:5.1f}s] {self.title}: {what}",
              file=sys.stderr, flush=True)

    def advance(self) -> None:
        self.done += 1
        if self._rich is not None:
            self._rich.advance(self._task)

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None


# ---------------------------------------------------------------------------
# machine description
# ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """CPU, Python, numpy, hostlib's selection and the date: what a result
    needs to be read later (``benchmarks/run.py`` adds the details)."""
    import datetime

    import numpy as np

    from .._report import runtime_info

    info = runtime_info()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "numpy": {"version": np.__version__},
        "hostlib": {
            "version": info["hostlib"]["version"],
            "abi": info["hostlib"]["abi"],
            "selection": info["selection"],
            "active": info["entries"],
        },
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


# ---------------------------------------------------------------------------
# formatting
# ---------------------------------------------------------------------------


def fmt_n(n: int) -> str:
    """1000 -> '1e3'; other numbers as they are."""
    if n >= 1000:
        e = round(math.log10(n))
        if 10**e == n:
            return f"1e{e}"
    return str(n)


def fmt_num(v: float | None, width: int = 0) -> str:
    """A number with 3 significant digits; '-' for missing."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        s = "-"
    elif v == 0:
        s = "0"
    elif abs(v) >= 100:
        s = f"{v:.0f}"
    elif abs(v) >= 10:
        s = f"{v:.1f}"
    elif abs(v) >= 1:
        s = f"{v:.2f}"
    else:
        s = f"{v:.3g}"
    return s.rjust(width) if width else s


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str | None = None) -> str:
    """Plain-text table; ``align`` per column: 'l' or 'r' (default: the
    first column left, others right; columns past its end: right)."""
    cols = len(header)
    align = (align or "l").ljust(cols, "r")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(cols)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            (str(c).ljust(w) if a == "l" else str(c).rjust(w)) for c, w, a in zip(cells, widths, align)
        ).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0 or num != num or den != den:
        return None
    return num / den


# ---------------------------------------------------------------------------
# the bench subcommand
# ---------------------------------------------------------------------------


def run_bench(
    kernels: Sequence[str],
    sizes: Sequence[int],
    gemm_sizes: Sequence[int],
    dtypes: Sequence[str] = ("f32", "f64"),
    *,
    timing: dict[str, Any] | None = None,
    quiet: bool = False,
    threads: int | None = None,
) -> dict[str, Any]:
    """Measure every usable backend that provides each kernel, the
    automatic selection, and numpy's equivalent, in this process, all with
    ``threads`` threads (default: hostlib's thread budget, what ``hostlib
    tune`` measures with). Returns a JSON-serialisable dict."""
    from .._host import registry
    from .._pool import control

    host = registry.host()
    timing = dict(timing or {})
    backends = usable_backends()
    names = [b.name for b in backends]
    #: the entries each backend threads itself (its library's own threads)
    spinning = {b.name: frozenset(b.threaded) for b in backends}
    threads = control.get_num_threads() if threads is None else threads
    limiter, threads_note = blas_threads_limit(threads)
    cases = [
        (KERNELS[k], n, dt)
        for k in kernels
        for n in (gemm_sizes if KERNELS[k].kind == "gemm" else sizes)
        for dt in dtypes
    ]
    progress = Progress(len(cases), quiet=quiet)
    results = []
    try:
        for k, n, dt in cases:
            progress.step(f"{k.name} {dt} n={fmt_n(n)}")
            ns = setup(k, n, dt)
            row: dict[str, Any] = {"kernel": k.name, "dtype": dt, "n": n, "unit": k.unit(), "backends": {}}
            # A library that threads itself leaves its threads spinning after
            # its calls; on few cores they would slow the next contestant
            # (hostlib's split, whose helper finds its core taken), so each
            # such sample is followed by a pause (timing.THREADED_SETTLE).
            def settle(backend: str | None, numpy: bool = False) -> float:
                if threads <= 1:
                    return 0.0
                if numpy:
                    return THREADED_SETTLE if k.kind != "elementwise" else 0.0
                return THREADED_SETTLE if k.entry(dt) in spinning.get(backend or "", ()) else 0.0

            auto = host.automatic(k.entry(dt), n)
            who: dict[str, Contestant] = {"=numpy": Local(k.numpy, ns, settle=settle(None, numpy=True))}
            who["=auto"] = Local(k.hostlib, ns, context=lambda: host.using(None), settle=settle(auto))
            for name in providers(k.entry(dt), backends):
                who[name] = Local(k.hostlib, ns, context=lambda name=name: host.using(name), settle=settle(name))
            times = compare(who, **timing)
            t = times.pop("=numpy")
            row["numpy"] = {"stmt": k.numpy, "value": k.value(t.best_ns, n), "timing": t.to_dict()}
            t = times.pop("=auto")
            fastest = min(x.best_ns for x in times.values()) if times else None
            row["auto"] = {"backend": auto, "value": k.value(t.best_ns, n),
                           "timing": t.to_dict(), "vs_fastest": ratio(t.best_ns, fastest)}
            for name, t in times.items():
                row["backends"][name] = {"value": k.value(t.best_ns, n), "timing": t.to_dict()}
            base = row["backends"].get("portable", {}).get("timing", {}).get("best_ns")
            ref = row["numpy"]["timing"]["best_ns"]
            for cell in row["backends"].values():
                cell["speedup_vs_portable"] = ratio(base, cell["timing"]["best_ns"])
                cell["speedup_vs_numpy"] = ratio(ref, cell["timing"]["best_ns"])
            results.append(row)
            progress.advance()
            del ns
    finally:
        progress.close()
        if limiter is not None:
            limiter.restore_original_limits()
    return {
        "machine": machine_info(),
        "threads": threads_note,
        "backends": names,
        "threads_used": threads,
        "conventions": {
            "time": "best of N samples, per call, time.perf_counter_ns",
            "auto": "the automatic selection (with tune's size classes); vs_fastest = its time / the fastest "
                    "backend's (1.00 = it is the fastest)",
            "value": "ns per element; gemm: GFLOP/s with 2*n^3 flops",
            "speedup": "time(reference) / time(backend); > 1 means the backend is faster",
        },
        "results": results,
    }


def format_bench(res: dict[str, Any]) -> str:
    names = res["backends"]
    m = res["machine"]
    out = [
        f"hostlib bench   numpy {m['numpy']['version']}   {res['threads']}   {m['processor']}",
        f"threads: {res.get('threads_used', 1)} for every backend and numpy (hostlib's budget unless --threads)",
        "value: ns per element (gemm: GFLOP/s, higher is better); best of N calls.",
        "speedup = time(reference) / time(backend): > 1 means the backend is faster.",
        "'-' = the backend does not provide this kernel itself.",
        "",
    ]
    header = ["kernel", "dtype", "n", "unit", *names, "numpy", "auto", "auto/fastest"]
    rows = []
    for r in res["results"]:
        auto = r.get("auto", {})
        cells = [fmt_num(r["backends"][b]["value"]) + ("*" if auto.get("backend") == b else " ")
                 if b in r["backends"] else "- " for b in names]
        rows.append([r["kernel"], r["dtype"], fmt_n(r["n"]), r["unit"], *cells, fmt_num(r["numpy"]["value"]),
                     auto.get("backend", "-"), fmt_num(auto.get("vs_fastest"))])
    out.append(render_table(header, rows, "lllr" + "r" * (len(names) + 1) + "lr"))
    out.append("* = the automatic choice at this size (hostlib tune's profile, else declared priority); "
               "auto/fastest = its time over the fastest backend's, measured as it is served.")
    out.append("")
    out.append("speedup vs portable / vs numpy")
    header = ["kernel", "dtype", "n", *names]
    rows = []
    for r in res["results"]:
        cells = []
        for b in names:
            c = r["backends"].get(b)
            cells.append("-" if c is None else f"{fmt_num(c['speedup_vs_portable'])} / {fmt_num(c['speedup_vs_numpy'])}")
        rows.append([r["kernel"], r["dtype"], fmt_n(r["n"]), *cells])
    out.append(render_table(header, rows, "llr" + "r" * len(names)))
    active = m["hostlib"]["active"]
    auto = sorted({v for v in active.values()})
    out.append("")
    out.append(f"active selection ({m['hostlib']['selection'] if isinstance(m['hostlib']['selection'], str) else ','.join(m['hostlib']['selection'])}): "
               + ", ".join(f"{b}: {sum(1 for v in active.values() if v == b)} entries" for b in auto))
    return "\n".join(out)


def _int_list(text: str) -> list[int]:
    out = []
    for item in text.replace(",", " ").split():
        v = float(item)  # accepts 1e5
        if v != int(v) or v < 1:
            raise argparse.ArgumentTypeError(f"not a positive integer: {item!r}")
        out.append(int(v))
    if not out:
        raise argparse.ArgumentTypeError("no size given")
    return out


def _name_list(valid: Sequence[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        items = [s.strip().lower() for s in text.replace(" ", ",").split(",") if s.strip()]
        bad = [s for s in items if s not in valid]
        if bad or not items:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(bad) or 'empty list'}; choose from {', '.join(valid)}")
        return items

    return parse


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hostlib bench",
        description="Compare every usable hostlib backend and the automatic choice, kernel by kernel, with numpy, "
        "all with the same threads (hostlib's budget, as hostlib tune measures; --threads to change). "
        "The full suite (numpy at equal instruction set, OpenBLAS, bandwidth, call overhead) is "
        "benchmarks/run.py in the source tree.",
    )
    parser.add_argument("--size", type=_int_list, default=[1000, 100_000], metavar="N[,N]",
                        help="vector length(s) for elementwise and level-1 kernels (default 1e3,1e5)")
    parser.add_argument("--gemm-size", type=_int_list, default=[64, 256], metavar="N[,N]",
                        help="square gemm size(s) (default 64,256)")
    parser.add_argument("--kernels", type=_name_list(list(KERNELS)), default=list(KERNELS), metavar="K[,K]",
                        help="kernels to run (default all: " + ",".join(KERNELS) + ")")
    parser.add_argument("--dtype", type=_name_list(list(DTYPES)), default=list(DTYPES), metavar="f32,f64",
                        help="dtypes (default f32,f64)")
    parser.add_argument("--time", type=float, default=0.05, metavar="SECONDS",
                        help="minimum time per measurement (default 0.05; more is steadier)")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="threads for every backend and numpy (default: hostlib.get_num_threads())")
    parser.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m hostlib bench [options]``."""
    args = make_parser().parse_args(argv)
    if not args.time > 0:
        raise SystemExit("python -m hostlib bench: --time must be > 0")
    timing = {"min_time": args.time, "max_time": max(0.5, 10 * args.time), "repeat": 5}
    if args.threads is not None and args.threads < 1:
        raise SystemExit("python -m hostlib bench: --threads must be >= 1")
    res = run_bench(args.kernels, args.size, args.gemm_size, args.dtype, timing=timing, quiet=args.quiet,
                    threads=args.threads)
    if args.json:
        json.dump(res, sys.stdout, indent=1)
        print()
    else:
        print(format_bench(res))
    return 0
