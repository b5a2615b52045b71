"""Quick comparison: hostlib with OpenBLAS vs hostlib's own kernels vs numpy.

    python kernels_openblas/benchmark.py [--quick]

Run it from outside the hostlib source tree's top folder with hostlib and
hostlib-openblas installed. Every row is measured in one run, through
hostlib's public functions (the same Cython wrappers for every backend), so
the ratios compare the kernels behind the table:

    openblas   hostlib.use("openblas")            (OpenBLAS, then portable)
    hostlib    hostlib's best own kernels: the highest-priority usable
               SIMD module, then portable (gemm: portable, the SIMD modules
               do not provide it)
    numpy      x @ y, y += alpha * x, a @ b (numpy's own bundled OpenBLAS)

Times are the best of several repeats; ratio = time / time of `openblas`
(above 1: slower than OpenBLAS). OpenBLAS and numpy use their default
thread counts (shown at the top); hostlib's own kernels are single-threaded.
To compare kernels rather than thread pools, run with OPENBLAS_NUM_THREADS=1
(read by both OpenBLAS copies, this one and numpy's). On a small or busy
machine the default counts can be much slower than one thread: the two
copies' worker threads spin while they wait, and compete for the cores.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import hostlib
import kernels_openblas


def best_time(fn, min_total=0.2, repeats=5) -> float:
    fn()  # warm up (page faults, thread pool start)
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - t0
        if t >= min_total / repeats or n >= 1 << 20:
            break
        n *= 2
    best = t / n
    for _ in range(repeats - 1):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - t0) / n)
    return best


def own_best() -> str:
    simd = [b.name for b in hostlib.backends() if b.usable and b.name not in ("openblas", "portable")]
    return simd[0] if simd else "portable"


def fmt(t: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if t >= scale:
            return f"{t / scale:7.2f} {unit}"
    return f"{t / 1e-9:7.0f} ns"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="shorter timings")
    args = p.parse_args()
    min_total = 0.05 if args.quick else 0.3

    own = own_best()
    details = kernels_openblas.details()
    print(f"hostlib {hostlib.__version__}; own best: {own}; {details['config']}; "
          f"core {details['corename']}; threads {details['threads']}")
    print(f"numpy {np.__version__}\n")
    rng = np.random.default_rng(0)
    rows = []

    def measure(label, make_call, numpy_call):
        times = {}
        for name in ("openblas", own):
            with hostlib.using(name):
                times[name] = best_time(make_call, min_total)
        times["numpy"] = best_time(numpy_call, min_total)
        rows.append((label, times))
        t0 = times["openblas"]
        print(f"{label:<22} openblas {fmt(t0)}   {own} {times[own] / t0:6.2f}x   numpy {times['numpy'] / t0:6.2f}x",
              flush=True)

    for dtype in (np.float64, np.float32):
        tag = "f64" if dtype == np.float64 else "f32"
        for n in (10**3, 10**5, 10**7):
            x = rng.standard_normal(n).astype(dtype)
            y = rng.standard_normal(n).astype(dtype)
            measure(f"dot  {tag} n=1e{len(str(n)) - 1}", lambda: hostlib.dot(x, y), lambda: x @ y)
            a = dtype(1e-9)  # keeps y bounded over many repeats
            measure(f"axpy {tag} n=1e{len(str(n)) - 1}", lambda: hostlib.axpy(a, x, y), lambda: y.__iadd__(a * x))
        for n in (256, 1024):
            A = rng.standard_normal((n, n)).astype(dtype)
            B = rng.standard_normal((n, n)).astype(dtype)
            C = np.empty((n, n), dtype)
            measure(f"gemm {tag} n={n}", lambda: hostlib.gemm(A, B, C), lambda: np.matmul(A, B, out=C))


if __name__ == "__main__":
    main()
