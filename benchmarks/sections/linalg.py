"""Linear algebra: the lapack interface's factorizations per backend, and
numpy.linalg on small stacked matrices.

1. ``getrf``, ``potrf`` and ``geqrf`` (float64 and float32, square n x n),
   each usable lapack backend's table entry called directly (ctypes: a
   microsecond against milliseconds), against scipy.linalg.lapack (the
   LAPACK scipy bundles: OpenBLAS) and numpy.linalg (its own OpenBLAS:
   ``det`` is getrf, ``cholesky`` potrf, ``qr(mode="r")`` geqrf, each with a
   copy of A), on one thread and on two (hostlib's pool; the libraries'
   threads through threadpoolctl). A fresh copy of A precedes every call;
   the copy's time is measured alone and subtracted. GFLOP/s by LAPACK's
   counts (getrf 2/3 n^3, potrf 1/3 n^3, geqrf 4/3 n^3), and the share of
   the same backend's gemm (``hostlib.gemm`` under ``hostlib.using``).
2. 10^4 stacked matrices of 4 x 4 ... 16 x 16: ``det``, ``solve`` and
   ``inv`` through hostlib.linalg with each backend, against numpy.linalg.
3. The extra memory one factorization takes (Linux): the process's peak
   resident size over the call, less its size before, against the
   workspace LAPACK asks for (its ``lwork`` query, through scipy). Measured
   on a warm call after ``malloc_trim``, so a workspace the allocator kept
   from the last call counts again; one thread, then two (per-thread
   packing buffers).

MKL is a column where ``mkl`` is installed and the CPU is Intel (on AMD it
runs reduced code paths): not yet; the note says so.
"""

from __future__ import annotations

import ctypes
import time
from typing import Any

from common import fmt_num, render_table

from hostlib._measure.timing import THREADED_SETTLE

NAME = "linalg"
SIZES = {"full": (500, 1000, 2000, 4000), "quick": (500, 2000), "smoke": (64,)}
ROUTINES = ("getrf", "potrf", "geqrf")
DTYPES = {"full": ("float64", "float32"), "quick": ("float64",), "smoke": ("float64",)}
THREADS = (1, 2)
#: LAPACK's flop counts for square n x n
FLOPS = {"getrf": 2 / 3, "potrf": 1 / 3, "geqrf": 4 / 3}
STACKED = {"full": (4, 8, 16), "quick": (4, 16), "smoke": (4,)}
STACK = {"full": 10_000, "quick": 10_000, "smoke": 100}
MEMORY_N = {"full": 4000, "quick": 2000, "smoke": 64}
REPEATS = {"full": 5, "quick": 3, "smoke": 1}
CONVENTIONS = {
    "linalg_factorizations": "GFLOP/s by LAPACK's counts (getrf 2/3 n^3, potrf 1/3 n^3, geqrf 4/3 n^3), best of "
    "repeats after an untimed call, the copy of A before each call subtracted; backends through their lapack table entry, scipy = "
    "scipy.linalg.lapack, numpy = numpy.linalg (det, cholesky, qr mode='r'); gemm_share = GFLOP/s / the same "
    "backend's gemm GFLOP/s at that n",
    "linalg_stacked": "ms per call on a stack of matrices; speedup = numpy.linalg's time / hostlib.linalg's",
    "linalg_memory": "peak resident bytes over one warm call (VmHWM reset through /proc/self/clear_refs, after "
    "malloc_trim) less the bytes resident before it, less the same for the copy of A alone; lapack_query = LAPACK's optimal lwork (scipy's *_lwork) "
    "times the element size, 0 for getrf and potrf, which take no workspace",
}


def count(mode: str) -> int:
    return len(SIZES[mode]) * len(DTYPES[mode]) * len(THREADS) + len(STACKED[mode]) + len(THREADS)


def _threads(n: int) -> Any:
    """hostlib's pool and every library's threads (threadpoolctl) at n."""
    import hostlib

    hostlib.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=n)
    except ImportError:
        return None


def _best(fn: Any, repeats: int) -> float:
    """Best of `repeats` timed calls after an untimed one: the first call
    after a pause wakes the pool's helper, and in a VM the idle vCPU."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _table_calls(backend: str, dtype: str) -> dict[str, Any]:
    """routine -> f(a) calling the backend's entry on the Fortran-ordered a."""
    from hostlib._host import registry

    host = registry.host("lapack")
    p = "d" if dtype == "float64" else "s"
    ssize, cint, ptr = ctypes.c_ssize_t, ctypes.c_int, ctypes.c_void_p
    out = {}
    for routine in ROUTINES:
        address = host.slot_address(backend, p + routine)
        if not address:
            continue
        if routine == "getrf":
            f = ctypes.CFUNCTYPE(ssize, ssize, ssize, ptr, ssize, ptr)(address)
            out[routine] = lambda a, f=f, piv=None: f(a.shape[0], a.shape[1], a.ctypes.data, a.shape[0],
                                                       _scratch(a.shape[0], "intp").ctypes.data)
        elif routine == "potrf":
            f = ctypes.CFUNCTYPE(ssize, cint, ssize, ptr, ssize)(address)
            out[routine] = lambda a, f=f: f(0, a.shape[0], a.ctypes.data, a.shape[0])
        else:
            f = ctypes.CFUNCTYPE(ssize, ssize, ssize, ptr, ssize, ptr)(address)
            out[routine] = lambda a, f=f: f(a.shape[0], a.shape[1], a.ctypes.data, a.shape[0],
                                            _scratch(a.shape[1], a.dtype).ctypes.data)
    return out


_SCRATCH: dict[tuple[int, str], Any] = {}


def _scratch(n: int, dtype: Any) -> Any:
    import numpy as np

    key = (n, np.dtype(dtype).str)
    if key not in _SCRATCH:
        _SCRATCH[key] = np.empty(n, dtype)
    return _SCRATCH[key]


def _reference_calls(dtype: str) -> dict[str, dict[str, Any]]:
    import numpy as np

    out: dict[str, dict[str, Any]] = {"numpy": {
        "getrf": np.linalg.det, "potrf": np.linalg.cholesky, "geqrf": lambda a: np.linalg.qr(a, mode="r")}}
    try:
        from scipy.linalg import lapack as sl

        p = "d" if dtype == "float64" else "s"
        getrf, potrf, geqrf = (getattr(sl, p + r) for r in ROUTINES)
        # geqrf with the optimal workspace (its default falls back to the unblocked code)
        lwork = {}

        def qr(a: Any) -> Any:
            n = a.shape[0]
            if n not in lwork:
                lwork[n] = int(getattr(sl, p + "geqrf_lwork")(n, n)[0])
            return geqrf(a, lwork=lwork[n], overwrite_a=True)

        out["scipy"] = {"getrf": lambda a: getrf(a, overwrite_a=True),
                        "potrf": lambda a: potrf(a, lower=True, overwrite_a=True, clean=False), "geqrf": qr}
    except ImportError:
        pass
    return out


def _matrix(n: int, dtype: str, routine: str) -> Any:
    import numpy as np

    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    if routine == "potrf":
        a = a @ a.T + n * np.eye(n)
    return np.asfortranarray(a.astype(dtype))


def _factorizations(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    import numpy as np

    import hostlib

    found = [b for b in hostlib.backends(interface="lapack")
             if b.usable and any(e.endswith(ROUTINES) for e in b.provides) and b.name != "portable"]
    backends = [b.name for b in found]
    # libraries whose threads spin after a call on several threads: numpy's
    # and scipy's OpenBLAS, and the backends that thread themselves
    spinning = {"numpy", "scipy"} | {b.name for b in found if b.threaded}
    repeats = REPEATS[ctx.mode]
    rows = []
    before = hostlib.get_num_threads()
    try:
        for dtype in DTYPES[ctx.mode]:
            tables = {b: _table_calls(b, dtype) for b in backends}
            refs = _reference_calls(dtype)
            for n in SIZES[ctx.mode]:
                for threads in THREADS:
                    progress.step(f"{dtype} n={n} on {threads} thread(s)")
                    limits = _threads(threads)
                    try:
                        row: dict[str, Any] = {"dtype": dtype, "n": n, "threads": threads, "gflops": {},
                                               "gemm_gflops": {}}
                        work = np.empty((n, n), dtype, order="F")
                        mats = {r: _matrix(n, dtype, r) for r in ROUTINES}
                        copy = _best(lambda: np.copyto(work, mats["getrf"]), repeats)
                        for r in ROUTINES:
                            contestants = {b: tables[b][r] for b in backends if r in tables[b]}
                            contestants.update({k: v[r] for k, v in refs.items()})
                            for who, fn in contestants.items():
                                def call(fn: Any = fn, r: str = r, own_copy: bool = who == "numpy") -> None:
                                    if own_copy:  # numpy.linalg copies A itself
                                        fn(mats[r])
                                    else:
                                        np.copyto(work, mats[r])
                                        fn(work)
                                t = _best(call, repeats) - (0 if who == "numpy" else copy)
                                if threads > 1 and who in spinning:
                                    # the next contestant finds both cores free
                                    # (after OpenBLAS, native getrf at n = 500 ran
                                    # at 0.45x its one-thread speed on 2 threads)
                                    time.sleep(THREADED_SETTLE)
                                row["gflops"].setdefault(r, {})[who] = FLOPS[r] * n ** 3 / max(t, 1e-9) / 1e9
                        b_, c_ = np.ascontiguousarray(mats["getrf"]), np.empty((n, n), dtype)
                        for b in backends:
                            if b == "openblas":
                                continue  # its table has no gemm of its own here
                            with hostlib.using(b):
                                t = _best(lambda: hostlib.gemm(b_, b_, c_), repeats)
                            row["gemm_gflops"][b] = 2 * n ** 3 / t / 1e9
                        rows.append(row)
                    finally:
                        if limits is not None:
                            limits.restore_original_limits()
                    progress.advance()
    finally:
        hostlib.set_num_threads(before)
    return rows


def _stacked(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    import numpy as np

    import hostlib
    import hostlib.linalg as hl

    backends = [b.name for b in hostlib.backends(interface="lapack") if b.usable]
    repeats = REPEATS[ctx.mode]
    rows = []
    for m in STACKED[ctx.mode]:
        progress.step(f"{STACK[ctx.mode]} stacked {m}x{m}")
        rng = np.random.default_rng(m)
        a = rng.standard_normal((STACK[ctx.mode], m, m)) + m * np.eye(m)
        b = rng.standard_normal((STACK[ctx.mode], m, 1))
        row: dict[str, Any] = {"m": m, "ms": {}}
        for fname in ("det", "solve", "inv"):
            args = (a, b) if fname == "solve" else (a,)
            row["ms"].setdefault(fname, {})["numpy"] = _best(lambda: getattr(np.linalg, fname)(*args), repeats) * 1e3
            for backend in backends:
                with hostlib.using(backend, interface="lapack"):
                    t = _best(lambda: getattr(hl, fname)(*args), repeats)
                row["ms"][fname][backend] = t * 1e3
        rows.append(row)
        progress.advance()
    return rows


def _resident() -> tuple[int, int]:
    """(resident bytes now, peak resident bytes) of this process."""
    now = peak = 0
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                now = int(line.split()[1]) * 1024
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1]) * 1024
    return now, peak


def _memory_probe() -> tuple[Any, str | None]:
    """A function measuring a call's peak extra resident bytes, or why not."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to VmRSS (Linux >= 4.0)
    except (OSError, AttributeError) as exc:
        return None, f"no peak-memory probe here ({exc})"

    def extra(call: Any) -> int:
        call()  # warm: the pool's threads, the library's buffers
        trim(0)  # what the last call freed leaves the process, so it counts again
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before, _ = _resident()
        call()
        return max(0, _resident()[1] - before)

    return extra, None


def _memory(ctx: Any, progress: Any) -> dict[str, Any]:
    import numpy as np

    import hostlib

    n, dtype = MEMORY_N[ctx.mode], "float64"
    extra, why = _memory_probe()
    if why:
        for _ in THREADS:
            progress.advance()
        return {"skipped": why}
    backends = [b.name for b in hostlib.backends(interface="lapack")
                if b.usable and any(e.endswith(ROUTINES) for e in b.provides) and b.name != "portable"]
    tables = {b: _table_calls(b, dtype) for b in backends}
    scipy_calls = _reference_calls(dtype).get("scipy", {})
    query: dict[str, int] = {"getrf": 0, "potrf": 0}
    try:
        from scipy.linalg import lapack as sl

        query["geqrf"] = int(sl.dgeqrf_lwork(n, n)[0]) * 8
    except ImportError:
        pass
    rows = []
    before = hostlib.get_num_threads()
    try:
        for threads in THREADS:
            progress.step(f"peak memory, n={n}, {threads} thread(s)")
            limits = _threads(threads)
            try:
                work = np.empty((n, n), dtype, order="F")
                for r in ROUTINES:
                    mat = _matrix(n, dtype, r)
                    # what the copy and the Python around the call touch
                    baseline = extra(lambda mat=mat: np.copyto(work, mat))
                    contestants = {b: tables[b][r] for b in backends if r in tables[b]}
                    if r in scipy_calls:
                        contestants["scipy"] = scipy_calls[r]
                    for who, fn in contestants.items():
                        def call(fn: Any = fn, mat: Any = mat) -> None:
                            np.copyto(work, mat)
                            fn(work)
                        rows.append({"routine": r, "n": n, "threads": threads, "backend": who,
                                     "extra_bytes": max(0, extra(call) - baseline), "lapack_query_bytes": query.get(r)})
            finally:
                if limits is not None:
                    limits.restore_original_limits()
            progress.advance()
    finally:
        hostlib.set_num_threads(before)
    return {"n": n, "dtype": dtype, "matrix_bytes": n * n * 8, "rows": rows}


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    try:
        import hostlib.linalg  # noqa: F401
    except ImportError as exc:
        ctx.notes.append(f"linalg not measured: {exc}")
        for _ in range(count(ctx.mode)):
            progress.advance()
        return {"skipped": str(exc)}
    import hostlib

    mkl = next((b for b in hostlib.backends(interface="lapack") if b.name == "mkl"), None)
    if mkl is None:
        ctx.notes.append("linalg: no MKL column: its lapack backend comes with the MKL wheel "
                         "(pip install mkl ./kernels_mkl)")
    elif not mkl.usable:
        ctx.notes.append(f"linalg: no MKL column: the mkl backend is {mkl.status} ({mkl.reason})")
    return {"factorizations": _factorizations(ctx, progress), "stacked": _stacked(ctx, progress),
            "memory": _memory(ctx, progress)}


def format(res: dict[str, Any], result: dict[str, Any]) -> list[str]:
    f = fmt_num
    if "skipped" in result:
        return ["", "== linalg: skipped: " + result["skipped"]]
    out = []
    rows = result["factorizations"]
    for r_ in ROUTINES:
        whos = list(dict.fromkeys(w for row in rows for w in row["gflops"].get(r_, {})))
        natives = [w for w in whos if w not in ("openblas", "scipy", "numpy")]
        out += ["", f"== {r_}: GFLOP/s (square n x n), and each native backend over scipy's (OpenBLAS) and as a share "
                "of its own gemm"]
        head = ["dtype", "n", "thr"] + whos + [f"{w}/scipy" for w in natives] + [f"{w}/gemm" for w in natives]
        body = []
        for row in rows:
            g = row["gflops"].get(r_, {})
            body.append([row["dtype"], str(row["n"]), str(row["threads"])] + [f(g.get(w, float("nan"))) for w in whos]
                        + [f(g[w] / g["scipy"]) if w in g and "scipy" in g else "-" for w in natives]
                        + [f(g[w] / row["gemm_gflops"][w]) if w in g and w in row["gemm_gflops"] else "-"
                           for w in natives])
        out.append(render_table(head, body, "r" * (len(head) - 1)))
    by_thread = {(row["dtype"], row["n"], row["threads"]): row for row in rows}
    scale = []
    for (dt, n, thr), row in by_thread.items():
        one = by_thread.get((dt, n, 1))
        if thr == 2 and one:
            for r_ in ROUTINES:
                for w, g in row["gflops"].get(r_, {}).items():
                    if w in one["gflops"].get(r_, {}):
                        scale.append([dt, str(n), r_, w, f(g / one["gflops"][r_][w])])
    if scale:
        out += ["", "== two threads over one (target >= 1.8 for the native backends)"]
        out.append(render_table(["dtype", "n", "routine", "backend", "2t/1t"], scale, "rrrrr"))
    stacked = result["stacked"]
    if stacked:
        whos = [w for w in stacked[0]["ms"]["det"] if w != "numpy"]
        out += ["", "== numpy.linalg on stacked small matrices: numpy's ms / hostlib.linalg's with each backend "
                "(target >= 2)"]
        body = [[f"{row['m']}x{row['m']}", fn, f(row["ms"][fn]["numpy"])]
                + [f(row["ms"][fn]["numpy"] / row["ms"][fn][w]) for w in whos]
                for row in stacked for fn in row["ms"]]
        out.append(render_table(["m", "function", "numpy ms"] + whos, body, "r" * (len(whos) + 2)))
    memory = result.get("memory", {})
    if "skipped" in memory:
        out += ["", "== peak extra memory per call: skipped: " + memory["skipped"]]
    elif memory:
        mib = 1 << 20
        out += ["", f"== peak extra memory of one call, {memory['dtype']} n={memory['n']} (the matrix itself: "
                f"{f(memory['matrix_bytes'] / mib)} MiB), against LAPACK's workspace query"]
        body = [[row["routine"], str(row["threads"]), row["backend"], f(row["extra_bytes"] / mib),
                 "-" if row["lapack_query_bytes"] is None else f(row["lapack_query_bytes"] / mib),
                 f(row["extra_bytes"] / memory["matrix_bytes"])]
                for row in memory["rows"]]
        out.append(render_table(["routine", "thr", "backend", "extra MiB", "LAPACK query MiB", "extra/matrix"],
                                body, "lrlrrr"))
    return out
