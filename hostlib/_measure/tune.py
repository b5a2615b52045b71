"""``hostlib tune``: choose each entry's backend by measurement.

Per interface (its host's; the command line tunes every interface whose
spec sets ``tune = true``), for every entry that more than one usable
backend provides:

1. **verify** each backend against the portable table on a fixed input set
   (random values over the kernel's domain, special values, every tail
   length up to past the widest vector, misaligned starts, strides,
   reversed views, gemm transposes and alpha/beta). A backend whose results
   disagree beyond the bound of :data:`BOUNDS` is excluded for that entry,
   however fast. An fft planner's transforms (:func:`_verify_fft`) are
   compared with the portable table's over lengths of every radix, primes
   that take Bluestein's path, batches and strided, reversed and
   interleaved layouts, with round trips for the real transforms;
2. **time** the verified ones at representative sizes with the timing core
   (:mod:`hostlib._measure.timing`: calibrated, round-robin, best of N), through the
   same Python functions users call (fft: ``hostlib.fft._transforms.execute``,
   what every ``hostlib.fft`` function runs), with ``using(name)`` around
   each sample;
3. the **winner** has the best geometric mean over the sizes of its time
   relative to the fastest at that size;
4. the **size classes**: where another backend beats the winner by more
   than 5% at some sizes, those sizes are timed once more, every verified
   backend round-robin again, and each keeps its best of both runs (on two
   cores one run's ratio varies by more than 5%: a class built on it
   served avx2's dsin at 2.1x avx512's time). If another backend still
   wins, it serves those sizes, from the size where the two cross
   (:func:`hostlib._host.profile.size_classes`). The host's split
   wrappers choose between them with one comparison per call; an entry
   they do not serve (an interface without split wrappers, like fft's)
   gets one class, its winner for every size;
5. **gemm's blocks** (not with ``quick``): for the backend serving each
   gemm entry's largest calls, the blocks derived from the caches and
   :data:`BLOCK_TRIALS` around them, timed at the largest gemm size; the
   profile keeps the fastest if it beats the derived ones by
   :data:`BLOCK_GAIN`.

Every backend is measured under the same thread budget,
:func:`hostlib.get_num_threads`: hostlib's pool splits its own tables'
calls, and a backend that threads itself (``THREADED``) is set to as many
threads, so that the choice holds in use.

The result is merged into the machine's profile (:mod:`hostlib._host.profile`)
under its writers' lock, so concurrent runs add up, and applied at once; a
profile that cannot be saved leaves the measurement applied in this process
and says why. The selection is process-wide, so while ``tune()`` runs,
other threads calling kernels are served by whichever backend is being
measured: results stay correct, only their speed varies.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from .._host import params as _params
from .._host import profile as _profile
from .._host import spec as _spec
from .._host.host import PORTABLE
from . import timing as _timing

#: stated agreement with the portable table, per kind of kernel; c is the
#: entry's verify.tolerance in the spec (interface/kernels.toml)
BOUNDS = {
    "elementwise": "within c ULP (c = 2: each side is within 1 ULP of the exact result), "
    "same NaNs, infinities and signed zeros",
    "level1": "|result - portable| <= c (n + 1) eps sum|terms| (norms: relative c (n + 1) eps; "
    "axpy, scal: c eps per element), same NaNs and infinities",
    "gemm": "|C - portable| <= c (k + 1) eps |alpha| (|A| |B|) + 2 eps |beta C| per element, same NaNs",
    "fft": "|X - portable| <= c eps log2(n) max|portable| per transform (both signs; real transforms also "
    "round trip within 2 c eps log2(n) max|x|), the same elements NaN (c2r: the same transforms)",
}

SIZES = {"elementwise": (1_000, 100_000, 1_000_000), "level1": (1_000, 100_000, 1_000_000),
         "gemm": (64, 256, 1024), "fft": (64, 1024, 65536)}
QUICK_SIZES = {"elementwise": (10_000,), "level1": (10_000,), "gemm": (128,), "fft": (1024,)}
#: the interface whose functions tune verifies and times each kind through:
#: the kernels kinds through hostlib's numpy-facing functions, fft through
#: hostlib.fft's primitive; another interface's entries of these kinds
#: would need functions of their own, and are not measured
KIND_INTERFACE = {"elementwise": "kernels", "level1": "kernels", "gemm": "kernels", "fft": "fft"}
#: fft timing: a call transforms about this many elements (a batch of
#: 65536 / n transforms of a short length), so that the call's fixed cost
#: (argument checks, the plan lookup) does not decide between backends
FFT_BATCH_ELEMENTS = 65536
TIMING = dict(sample_time=0.001, repeat=3, min_repeat=2, min_time=0.01, max_time=0.05, confirm=2)
QUICK_TIMING = dict(sample_time=0.0005, repeat=2, min_repeat=1, min_time=0.0, max_time=0.01, confirm=1)



def split_entry(entry: str) -> tuple[str, np.dtype]:
    """An entry's numpy-facing function and dtype, from the spec."""
    e = _spec.kernels()[entry]
    return e.function, np.dtype(e.dtype)


def entry_info(host: Any, entry: str) -> _spec.EntryInfo:
    """What the spec of ``host``'s interface says of ``entry``."""
    for e in host.iface.info:
        if e.name == entry and not e.retired:
            return e
    raise KeyError(f"interface {host.iface.name!r} serves no entry {entry!r}")


def unmeasurable(host: Any, entry: str) -> str | None:
    """Why tune cannot verify and time ``entry`` of ``host``'s interface,
    or None if it can."""
    e = entry_info(host, entry)
    through = KIND_INTERFACE.get(e.kind)
    if through is None:
        if e.kind in ("level2", "level3"):
            return f"tune does not measure kind {e.kind!r} (BLAS level-2/3): the declared priority serves it"
        return f"tune cannot verify or time an entry of kind {e.kind!r}"
    if through != host.iface.name:
        return (f"tune measures kind {e.kind!r} through the functions of hostlib's {through!r} interface, "
                f"which do not call interface {host.iface.name!r}")
    return None


class VerificationError(AssertionError):
    """A backend's result disagrees with the portable table's."""


# ---------------------------------------------------------------------------
# verification: the fixed input set, run through one backend
# ---------------------------------------------------------------------------


class _Runner:
    """Runs a call with one backend serving, and the same call on the
    portable table (``reference``)."""

    def __init__(self, host: Any, name: str) -> None:
        self.host, self.name = host, name

    def __call__(self, fn: Callable[[], Any]) -> Any:
        with self.host.using(self.name):
            return fn()

    def reference(self, fn: Callable[[], Any]) -> Any:
        with self.host.using(PORTABLE):
            return fn()


def _specials(dt: np.dtype) -> np.ndarray:
    fi = np.finfo(dt)
    v = [0.0, -0.0, np.inf, -np.inf, np.nan, fi.smallest_subnormal, -fi.smallest_subnormal, fi.tiny,
         -fi.tiny, fi.max, -fi.max, fi.eps, 1.0, -1.0, 0.5, 2.0, 1.0 + fi.eps, 1.0 - fi.epsneg]
    return np.array(v, dt)


def _domain(ranges: Sequence[Sequence[Any]], dt: np.dtype, rng: np.random.Generator, n: int) -> np.ndarray:
    """Random arguments covering the kernel's interesting range: ``n`` from
    each of the spec's ``verify.ranges``, uniform or (``[lo, hi, "log"]``)
    log-uniform."""
    parts = [np.exp(rng.uniform(np.log(r[0]), np.log(r[1]), n)) if r[2:] == ["log"] else rng.uniform(r[0], r[1], n)
             for r in ranges] or [rng.uniform(-1, 1, n)]
    with np.errstate(over="ignore", under="ignore"):
        return np.concatenate(parts).astype(dt)


def _layouts(x: np.ndarray, lanes: int = 64) -> Iterable[tuple[str, slice]]:
    """Views of ``x``: every length up to past the widest vector (tails),
    a misaligned start, strides, reversed."""
    for n in range(0, lanes + 2):
        yield f"n={n}", slice(0, n)
    yield "offset 1", slice(1, None)
    yield "stride 2", slice(None, None, 2)
    yield "stride -1", slice(None, None, -1)
    yield "stride -3", slice(None, None, -3)


def _ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in units in the last place, for finite values of one dtype."""
    it = {4: np.int32, 8: np.int64}[a.dtype.itemsize]
    ia, ib = a.view(it).astype(np.int64), b.view(it).astype(np.int64)
    mag = np.int64(np.iinfo(it).max)
    oa = np.where(ia < 0, -(ia & mag), ia)
    ob = np.where(ib < 0, -(ib & mag), ib)
    return np.abs(oa - ob)


def _same_specials(got: np.ndarray, ref: np.ndarray, what: str) -> np.ndarray:
    """Check NaN and infinity positions agree; return the mask of finite values."""
    bad = np.isnan(got) != np.isnan(ref)
    both_inf = np.isinf(got) | np.isinf(ref)
    bad |= both_inf & ~np.isnan(ref) & (got != ref)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise VerificationError(f"{what}: element {i} is {got.flat[i]!r}, portable gives {ref.flat[i]!r}")
    return np.isfinite(got) & np.isfinite(ref)


def _check_close(got: np.ndarray, ref: np.ndarray, bound: np.ndarray, what: str) -> None:
    fin = _same_specials(got, ref, what)
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: not compared
        err = np.abs(got.astype(np.float64) - ref.astype(np.float64))
    bad = fin & (err > bound)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise VerificationError(
            f"{what}: element {i} is {got.flat[i]!r}, portable gives {ref.flat[i]!r} "
            f"(difference {err.flat[i]:.3g} > bound {np.broadcast_to(bound, err.shape).flat[i]:.3g})"
        )


def _elementwise_inputs(e: _spec.EntryInfo, dt: np.dtype) -> list[np.ndarray]:
    """The fixed arguments of an elementwise entry: special values (every
    pair of them for two inputs), then random ones from each of the spec's
    ranges (for two inputs, each range a pair: x's and y's)."""
    rng = np.random.default_rng(2026)
    sp = _specials(dt)
    ranges = e.verify.get("ranges", ())
    if e.nin == 1:
        return [np.concatenate([sp, _domain(ranges, dt, rng, 1024)])]
    pairs = ranges or [[[-1, 1], [-1, 1]]]
    xs = [np.repeat(sp, sp.size)] + [_domain([rx], dt, rng, 1024) for rx, _ in pairs]
    ys = [np.tile(sp, sp.size)] + [_domain([ry], dt, rng, 1024) for _, ry in pairs]
    return [np.concatenate(xs), np.concatenate(ys)]


def _verify_elementwise(e: _spec.EntryInfo, dt: np.dtype, run: _Runner) -> None:
    import hostlib

    kernel, ulps_allowed = e.function, e.verify.get("tolerance", 1)
    ufunc = getattr(hostlib, kernel)
    inputs = _elementwise_inputs(e, dt)
    x = inputs[0]
    for label, sl in _layouts(x):
        xs = x[sl]
        args = [a[sl] for a in inputs]
        with np.errstate(all="ignore"):
            got = run(lambda: ufunc(*args, out=np.empty(xs.shape, dt)))
            ref = run.reference(lambda: ufunc(*args, out=np.empty(xs.shape, dt)))
        what = f"{kernel} ({label})"
        fin = _same_specials(got, ref, what)
        zero = fin & (ref == 0)
        if (np.signbit(got[zero]) != np.signbit(ref[zero])).any():
            raise VerificationError(f"{what}: the sign of a zero result differs from portable's")
        ulps = _ulp_distance(got[fin], ref[fin])
        if ulps.size and ulps.max() > ulps_allowed:
            i = int(np.argmax(ulps))
            at = ", ".join(repr(a[fin][i]) for a in args)
            raise VerificationError(
                f"{what}: {kernel}({at}) = {got[fin][i]!r}, portable gives {ref[fin][i]!r} "
                f"({int(ulps[i])} ULP apart > {ulps_allowed})"
            )


def _verify_level1(e: _spec.EntryInfo, dt: np.dtype, run: _Runner) -> None:
    """Checked by the entry's split class: how it is called and bounded."""
    import hostlib

    kernel, split, c = e.function, e.split, e.verify.get("tolerance", 1)
    fn = getattr(hostlib, kernel)
    eps = float(np.finfo(dt).eps)
    rng = np.random.default_rng(2027)
    base_x = rng.standard_normal(5000).astype(dt)
    base_y = rng.standard_normal(5000).astype(dt)
    fi = np.finfo(dt)
    cases: list[tuple[str, np.ndarray, np.ndarray]] = []
    for label, sl in _layouts(base_x):
        cases.append((label, base_x[sl], base_y[sl]))
    for n in (100, 1000, 4097):
        cases.append((f"n={n}", base_x[:n], base_y[:n]))
    for name, value in (("a NaN", np.nan), ("an inf", np.inf), ("a -inf", -np.inf)):
        xs = base_x[:37].copy()
        xs[20] = value
        cases.append((f"{name} at 20 of 37", xs, base_y[:37]))
    for name, scale in (("huge", float(fi.max) / 64), ("tiny", float(fi.tiny) * 4)):
        cases.append((f"{name} values", (base_x[:50] * dt.type(scale)).astype(dt), base_y[:50]))
    alpha = dt.type(-0.75)
    for label, x, y in cases:
        what = f"{kernel} ({label})"
        n = x.size
        with np.errstate(all="ignore"):
            if split in ("dot", "sum", "norm"):
                args = (x, y) if split == "dot" else (x,)
                got = np.asarray(run(lambda: fn(*args)))
                ref = np.asarray(run.reference(lambda: fn(*args)))
                x64 = x.astype(np.float64)
                terms = x64 * y.astype(np.float64) if split == "dot" else x64
                scale = abs(float(ref)) if split == "norm" else float(np.sum(np.abs(terms)))
                bound = np.float64(c * (n + 1) * eps * scale) if math.isfinite(scale) else np.float64(np.inf)
            elif split == "axpy":
                got = run(lambda: fn(alpha, x, y.copy()))
                ref = run.reference(lambda: fn(alpha, x, y.copy()))
                bound = c * eps * (np.abs(y.astype(np.float64)) + abs(float(alpha)) * np.abs(x.astype(np.float64)))
            elif split == "scal":
                got = run(lambda: fn(alpha, x.copy()))
                ref = run.reference(lambda: fn(alpha, x.copy()))
                bound = c * eps * abs(float(alpha)) * np.abs(x.astype(np.float64))
            else:
                raise VerificationError(f"tune cannot verify a level-1 entry of split class {split!r}")
        _check_close(np.asarray(got), np.asarray(ref), bound + float(fi.smallest_subnormal), what)


def _verify_gemm(e: _spec.EntryInfo, dt: np.dtype, run: _Runner) -> None:
    import hostlib

    c_tol = e.verify.get("tolerance", 1)
    eps = float(np.finfo(dt).eps)
    rng = np.random.default_rng(2028)
    shapes = [(1, 1, 1), (3, 5, 7), (17, 19, 23), (64, 64, 64), (33, 1, 65), (1, 40, 9), (70, 31, 1), (9, 130, 67)]
    cases = [(s, False, False, 1.0, 0.0) for s in shapes]
    cases += [((13, 29, 31), ta, tb, 1.5, 0.5) for ta in (False, True) for tb in (False, True)]
    cases.append(((16, 16, 16), False, False, -2.0, 1.0))
    for (m, n, k), ta, tb, alpha, beta in cases:
        a = rng.standard_normal((k, m) if ta else (m, k)).astype(dt)
        b = rng.standard_normal((n, k) if tb else (k, n)).astype(dt)
        c = rng.standard_normal((m, n)).astype(dt)
        if (m, n, k) == (17, 19, 23):
            a[3, 5] = np.nan  # row 3 of C is NaN in every implementation
        kw = dict(alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
        got = run(lambda: hostlib.gemm(a, b, c.copy(), **kw))
        ref = run.reference(lambda: hostlib.gemm(a, b, c.copy(), **kw))
        opa = np.abs((a.T if ta else a).astype(np.float64))
        opb = np.abs((b.T if tb else b).astype(np.float64))
        with np.errstate(invalid="ignore"):
            mag = np.nan_to_num(opa) @ np.nan_to_num(opb)
        bound = c_tol * (k + 1) * eps * abs(alpha) * mag + 2 * eps * abs(beta) * np.abs(c.astype(np.float64))
        what = f"gemm (m={m} n={n} k={k} trans_a={ta} trans_b={tb} alpha={alpha} beta={beta})"
        _check_close(np.asarray(got), np.asarray(ref), bound + float(np.finfo(dt).smallest_subnormal), what)


#: the lengths an fft planner is verified at: 1 and 2; every radix of the
#: Stockham passes (2, 4, 8, 3, 5, 7) alone, powered and mixed; odd primes
#: the generic butterfly takes (11 to 31) and primes above it, which take
#: Bluestein's path (37, 97, 101, 1009), alone and times a smooth part;
#: odd and even lengths of each; and a long power of two
FFT_LENGTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 25, 27, 29, 31, 32, 37, 45, 49, 60, 64, 74,
               97, 101, 105, 125, 128, 210, 243, 256, 343, 360, 481, 512, 1000, 1009, 1024, 2018, 4096)
#: rows per batch: one, a few (fewer than a vector's lanes), more than a
#: vector's lanes of float32 on the widest vectors and not a multiple of it
FFT_BATCHES = (1, 3, 17)


def _fft_transform(e: _spec.EntryInfo) -> str:
    """c2c, r2c or c2r: the transform an fft planner's plans make (the end
    of its name, as the spec's generator checks)."""
    return e.function.rsplit("_", 1)[-1]


def _fft_layouts(a: np.ndarray, writeable: bool) -> Iterator[tuple[str, Callable[[], np.ndarray]]]:
    """2-D views of ``a``'s values (rows: the batch), each made fresh by its
    factory: contiguous, every element strided, reversed rows and batch,
    the batch interleaved (row b's element j at j*rows + b), and for an
    input a batch that reads one row for every transform (distance 0)."""
    rows, cols = a.shape

    def strided() -> np.ndarray:
        big = np.zeros((rows, 3 * cols), a.dtype)
        big[:, ::3] = a
        return big[:, ::3]

    def reversed_() -> np.ndarray:
        return np.ascontiguousarray(a[::-1, ::-1])[::-1, ::-1]

    def interleaved() -> np.ndarray:
        return np.ascontiguousarray(a.T).T

    yield "contiguous", lambda: a.copy()
    yield "stride 3", strided
    yield "reversed", reversed_
    yield "batch interleaved", interleaved
    if not writeable and rows == 1:
        yield "distance 0", lambda: np.broadcast_to(a[0], (3, cols))


def _fft_out(rows: int, cols: int, dt: np.dtype, layout: str) -> np.ndarray:
    """An output of ``layout`` (as _fft_layouts names them), filled with a
    NaN a transform must overwrite."""
    fill = np.array(np.nan, dt)
    if layout == "stride 3":
        return np.full((rows, 3 * cols), fill)[:, ::3]
    if layout == "reversed":
        return np.full((rows, cols), fill)[::-1, ::-1]
    if layout == "batch interleaved":
        return np.full((cols, rows), fill).T
    return np.full((rows, cols), fill)


def _check_fft(got: np.ndarray, ref: np.ndarray, c: float, eps: float, n: int, what: str,
               scale: np.ndarray | None = None, nan_rows: bool = False) -> None:
    """Row by row: the same elements NaN (a complex element counts as NaN
    if either part is; with ``nan_rows``, the same rows), and every element
    finite in both within c eps log2(n) of the reference, relative to the
    largest magnitude of the row's reference (or of ``scale``'s row)."""
    got, ref = np.asarray(got), np.asarray(ref)
    if nan_rows:
        bad = np.isnan(got).any(axis=1) != np.isnan(ref).any(axis=1)
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            raise VerificationError(f"{what}: row {r} has {int(np.isnan(got[r]).sum())} NaN, "
                                    f"portable's {int(np.isnan(ref[r]).sum())}")
    bad = np.zeros(got.shape, bool) if nan_rows else np.isnan(got) != np.isnan(ref)
    if bad.any():
        r, i = (int(v[0]) for v in np.nonzero(bad))
        raise VerificationError(f"{what}: row {r} element {i} is {got[r, i]!r}, portable gives {ref[r, i]!r}")
    fin = np.isfinite(ref) & np.isfinite(got)
    base = ref if scale is None else np.asarray(scale)
    mag = np.where(np.isfinite(base), np.abs(base), 0.0).max(axis=1, initial=0.0)
    tol = c * eps * math.log2(max(n, 2)) * mag[:, None] + float(np.finfo(np.float32).tiny)
    with np.errstate(invalid="ignore"):
        err = np.abs(got.astype(np.complex128) - ref.astype(np.complex128))
    over = fin & (err > tol)
    if over.any():
        r, i = (int(v[0]) for v in np.nonzero(over))
        raise VerificationError(
            f"{what}: row {r} element {i} is {got[r, i]!r}, portable gives {ref[r, i]!r} "
            f"(difference {err[r, i]:.3g} > bound {float(tol[r, 0]):.3g})")


def _fft_inputs(transform: str, n: int, rows: int, dt: np.dtype, rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    """The inputs of a transform of length n in ``rows`` rows: random
    values; with a NaN in one row (the others stay finite); for c2r, a
    NaN in the imaginary parts the transform does not read (element 0,
    and n/2 for even n), which must change nothing."""
    cdt = np.result_type(dt, np.complex64)
    width = n // 2 + 1 if transform == "c2r" else n
    if transform == "r2c":
        x = rng.standard_normal((rows, width)).astype(dt)
    else:
        x = (rng.standard_normal((rows, width)) + 1j * rng.standard_normal((rows, width))).astype(cdt)
    out = [("random", x)]
    if rows > 1:
        y = x.copy()
        y[rows // 2, int(rng.integers(width))] = np.nan
        out.append((f"a NaN in row {rows // 2}", y))
    if transform == "c2r":
        y = x.copy()
        y[:, 0] = y[:, 0].real + 1j * np.nan
        if n % 2 == 0:
            y[:, -1] = y[:, -1].real + 1j * np.nan
        out.append(("NaN in the imaginary parts c2r does not read", y))
    return out


def _verify_fft(e: _spec.EntryInfo, dt: np.dtype, run: _Runner) -> None:
    """An fft planner's transforms through hostlib.fft's primitive, the
    backend's against the portable table's: c2c in both directions, r2c,
    c2r (on a spectrum whose unread imaginary parts are random), at every
    length of FFT_LENGTHS, in batches of FFT_BATCHES rows, in every layout
    of _fft_layouts for input and output (c2c also in place), one batch
    split over two of the pool's threads; then round trips of the real
    transforms, c2r(r2c(x)) / n against x, on the backend alone."""
    from ..fft import _transforms as T

    transform = _fft_transform(e)
    if transform not in ("c2c", "r2c", "c2r"):
        raise VerificationError(f"tune cannot tell the transform of fft entry {e.name}")
    c, eps = e.verify.get("tolerance", 1), float(np.finfo(dt).eps)
    cdt = np.result_type(dt, np.complex64)
    kind = {"c2c": T.C2C, "r2c": T.R2C, "c2r": T.C2R}[transform]
    signs = (T.FORWARD, T.BACKWARD) if transform == "c2c" else ((T.FORWARD,) if transform == "r2c" else (T.BACKWARD,))
    out_dt = dt if transform == "c2r" else cdt
    rng = np.random.default_rng(2029)

    def execute(sign: int, x: np.ndarray, out: np.ndarray, n: int, workers: int = 1) -> np.ndarray:
        T.execute(kind, sign, x, out, n, 1.0, workers)
        return out

    for n in FFT_LENGTHS:
        width = n // 2 + 1 if transform == "r2c" else n  # the output's
        for rows in FFT_BATCHES:
            for label, x in _fft_inputs(transform, n, rows, dt, rng):
                for sign in signs:
                    what = f"{e.name} n={n} rows={rows} sign={sign:+d} ({label})"
                    ref = run.reference(lambda: execute(sign, x, np.empty((rows, width), out_dt), n))
                    for layout, make in _fft_layouts(x, writeable=False):
                        xs = make()
                        rows_out = xs.shape[0]
                        want = ref if rows_out == rows else np.broadcast_to(ref[0], (rows_out, width))
                        got = run(lambda: execute(sign, xs, _fft_out(rows_out, width, out_dt, layout), n))
                        # which of a row's reals a NaN reaches through c2r depends on the algorithm
                        # (a product with an exact 0 or 1 may be skipped): rows are compared
                        _check_fft(got, want, c, eps, n, f"{what}, {layout}", nan_rows=transform == "c2r")
                    if transform == "c2c" and label == "random":
                        inplace = x.copy()
                        run(lambda: execute(sign, inplace, inplace, n))
                        _check_fft(inplace, ref, c, eps, n, f"{what}, in place")
    # a batch the pool splits (enough work, two threads): each part writes its own rows
    n, rows = 1024, 64
    x = _fft_inputs(transform, n, rows, dt, rng)[0][1]
    width = n // 2 + 1 if transform == "r2c" else n
    ref = run.reference(lambda: execute(signs[0], x, np.empty((rows, width), out_dt), n))
    got = run(lambda: execute(signs[0], x, np.empty((rows, width), out_dt), n, workers=2))
    _check_fft(got, ref, c, eps, n, f"{e.name} n={n} rows={rows} on two threads")
    if transform == "c2c":
        return
    # round trips on the backend alone: x -> r2c -> c2r -> x * n
    for n in FFT_LENGTHS:
        xr = rng.standard_normal((3, n)).astype(dt)
        spectrum = np.empty((3, n // 2 + 1), cdt)
        back = np.empty((3, n), dt)

        def round_trip() -> np.ndarray:
            T.execute(T.R2C, T.FORWARD, xr, spectrum, n, 1.0, 1)
            T.execute(T.C2R, T.BACKWARD, spectrum, back, n, 1.0 / n, 1)
            return back

        _check_fft(run(round_trip), xr, 2 * c, eps, n, f"{e.name} round trip c2r(r2c(x))/n, n={n}")


#: how each kind is verified: (entry, dtype, runner) -> raises VerificationError
VERIFIERS: dict[str, Callable[[_spec.EntryInfo, np.dtype, _Runner], None]] = {
    "elementwise": _verify_elementwise, "level1": _verify_level1, "gemm": _verify_gemm, "fft": _verify_fft}


def verify(host: Any, entry: str, backend: str) -> str | None:
    """None if ``backend`` agrees with the portable table on ``entry`` over
    the fixed input set; else the first disagreement found."""
    why = unmeasurable(host, entry)
    if why is not None:
        raise ValueError(f"{entry}: {why}")
    e = entry_info(host, entry)
    kernel, dt = e.function, np.dtype(e.dtype)
    run = _Runner(host, backend)
    try:
        VERIFIERS[e.kind](e, dt, run)
    except VerificationError as exc:
        return str(exc)
    except Exception as exc:  # a kernel that raises is as wrong as one that miscomputes
        return f"{kernel} raised {type(exc).__name__}: {exc}"
    return None


# ---------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------


def _time(host: Any, entry: str, names: Sequence[str], sizes: Sequence[int], timing: dict) -> dict[str, list[float]]:
    """Best ns per call of each backend at each size, sampled round-robin."""
    from .bench import KERNELS, setup

    from .._pool import control

    kernel, dt = split_entry(entry)
    k = KERNELS[kernel]
    # a backend that threads this entry itself leaves its threads spinning
    # after each sample; on few cores they would slow the next backend's
    # (the pool's helper finds its core taken): a pause follows its samples
    threads = control.get_num_threads()
    settle = {b.name: _timing.THREADED_SETTLE if threads > 1 and entry in b.threaded else 0.0
              for b in host.listing() if b.name in names}
    out: dict[str, list[float]] = {n: [] for n in names}
    for size in sizes:
        ns = setup(k, size, "f32" if dt == np.float32 else "f64")
        who = {n: _timing.Local(k.hostlib, ns, context=lambda n=n: host.using(n), settle=settle.get(n, 0.0))
               for n in names}
        for n, t in _timing.compare(who, **timing).items():
            out[n].append(t.best_ns)
    return out


def _time_fft(host: Any, entry: str, names: Sequence[str], sizes: Sequence[int],
              timing: dict) -> dict[str, list[float]]:
    """Best ns per transform of each backend at each length, sampled
    round-robin: calls of hostlib.fft's primitive on a batch of
    FFT_BATCH_ELEMENTS / n transforms (one for the longest), with the
    thread budget hostlib.fft's functions have (workers 0)."""
    from ..fft import _transforms as T

    e = entry_info(host, entry)
    dt = np.dtype(e.dtype)
    cdt = np.result_type(dt, np.complex64)
    transform = _fft_transform(e)
    kind, sign = {"c2c": (T.C2C, T.FORWARD), "r2c": (T.R2C, T.FORWARD), "c2r": (T.C2R, T.BACKWARD)}[transform]
    rng = np.random.default_rng(2030)
    out: dict[str, list[float]] = {n: [] for n in names}
    for size in sizes:
        rows = max(1, FFT_BATCH_ELEMENTS // size)
        width_in = size // 2 + 1 if transform == "c2r" else size
        width_out = size // 2 + 1 if transform == "r2c" else size
        if transform == "r2c":
            x = rng.standard_normal((rows, width_in)).astype(dt)
        else:
            x = (rng.standard_normal((rows, width_in)) + 1j * rng.standard_normal((rows, width_in))).astype(cdt)
        ns = {"execute": T.execute, "kind": kind, "sign": sign, "x": x, "n": size,
              "out": np.empty((rows, width_out), dt if transform == "c2r" else cdt)}
        who = {n: _timing.Local("execute(kind, sign, x, out, n, 1.0, 0)", ns, context=lambda n=n: host.using(n))
               for n in names}
        for n, t in _timing.compare(who, **timing).items():
            out[n].append(t.best_ns / rows)
    return out


#: how each kind is timed: (host, entry, backends, sizes, timing) -> ns per call (fft: per transform)
TIMERS: dict[str, Callable[..., dict[str, list[float]]]] = {"fft": _time_fft}


#: gemm's blocks tried, as (MC, KC) factors of those derived from the
#: caches (NC stays derived): the formula is right within these on the
#: CPUs measured so far (Zen 4: KC 256-512, MC 96-192 within 10%)
BLOCK_TRIALS = ((1, 1), (0.75, 1), (1.5, 1), (1, 0.75), (0.75, 0.75), (1.5, 0.75), (1, 0.5), (1.5, 0.5))
#: a trial replaces the derived blocks only when at least this much faster
BLOCK_GAIN = 1.02


def _refine_blocks(host: Any, records: dict[str, _profile.EntryRecord],
                   timing: dict) -> tuple[dict[str, _profile.Tuned], dict[str, str]]:
    """gemm's blocks for the backend that serves each gemm entry's largest
    calls: the derived ones and BLOCK_TRIALS around them, timed at the
    largest gemm size; the fastest kept if it beats the derived ones by
    BLOCK_GAIN. Returns the tuned values per backend and a line per entry."""
    from .bench import KERNELS, setup

    size = SIZES["gemm"][-1]
    identities = host.identities()
    tuned: dict[str, dict[str, dict[str, int]]] = {}
    lines: dict[str, str] = {}
    for e, rec in records.items():
        if entry_info(host, e).kind != "gemm":
            continue
        name = rec.classes[-1][1]
        module = host.backends[name].module
        have = (_params.current(module) or {}).get(e) if module is not None else None
        if not have or "mr" not in have:
            continue
        derived = _params.derived_for(module).get(e, {k: have[k] for k in ("mc", "kc", "nc")})
        trials = {}
        for fm, fk in BLOCK_TRIALS:
            mc = max(have["mr"], int(derived["mc"] * fm) // have["mr"] * have["mr"])
            kc = max(64, int(derived["kc"] * fk) // 16 * 16)
            trials.setdefault((mc, kc), {"mc": mc, "kc": kc, "nc": derived["nc"]})
        kernel, dt = split_entry(e)
        ns = setup(KERNELS[kernel], size, "f32" if dt == np.float32 else "f64")

        @contextlib.contextmanager
        def blocks(values: dict[str, int], name: str = name, module: Any = module, e: str = e) -> Iterator[None]:
            _params.apply(module, {e: values})
            with host.using(name):
                yield

        who = {f"{v['mc']}/{v['kc']}": _timing.Local(KERNELS[kernel].hostlib, ns, context=lambda v=v: blocks(v))
               for v in trials.values()}
        times = {k: t.best_ns for k, t in _timing.compare(who, **timing).items()}
        first = f"{derived['mc']}/{derived['kc']}"
        best = min(times, key=times.get)
        keep = best if times[first] >= BLOCK_GAIN * times[best] else first
        chosen = next(v for v in trials.values() if f"{v['mc']}/{v['kc']}" == keep)
        tuned.setdefault(name, {})[e] = chosen
        lines[e] = (f"{e} on {name} at n = {size}: MC {chosen['mc']}, KC {chosen['kc']}, NC {chosen['nc']} "
                    + ("(derived from the caches, the fastest within "
                       f"{BLOCK_GAIN:.2f}x of {len(trials)} tried)" if keep == first else
                       f"({times[first] / times[keep]:.2f}x faster than the derived MC {derived['mc']}, "
                       f"KC {derived['kc']})"))
        _params.apply(module, {e: chosen})
    return {n: _profile.Tuned(identities[n], v) for n, v in tuned.items()}, lines


# ---------------------------------------------------------------------------
# the whole run
# ---------------------------------------------------------------------------


@dataclass
class TuneResult:
    """What ``tune()`` measured, and where it was saved."""

    records: dict[str, _profile.EntryRecord]
    declared: dict[str, str]  #: entry -> what priority alone would choose
    path: str | None  #: where it was saved; None if not
    seconds: float
    quick: bool
    skipped: dict[str, str] = field(default_factory=dict)  #: entry -> why not measured
    save_error: str | None = None  #: why saving failed (the measurement still applies)
    blocks: dict[str, str] = field(default_factory=dict)  #: gemm entry -> the blocks chosen, in words
    interface: str = "kernels"  #: the interface measured

    def to_dict(self) -> dict[str, Any]:
        return {
            "interface": self.interface,
            "path": self.path,
            "seconds": self.seconds,
            "quick": self.quick,
            "bounds": BOUNDS,
            "entries": {
                e: {**r.to_dict(), "declared": self.declared.get(e), "margin": r.margin(),
                    "size_winners": {str(k): v for k, v in r.size_winners().items()},
                    "classes": [list(c) for c in r.classes]}
                for e, r in self.records.items()
            },
            "skipped": self.skipped,
            "save_error": self.save_error,
            "blocks": self.blocks,
        }

    def summary(self) -> str:
        """The table ``hostlib tune`` prints at the end."""
        from .bench import fmt_n, render_table

        rows = []
        for e, r in self.records.items():
            scores = r.scores()
            others = sorted((s / scores[r.winner], n) for n, s in scores.items() if n != r.winner)
            margin = r.margin()
            note = ", ".join(f"{n} {s:.2f}x" for s, n in others)
            excluded = [f"{n} EXCLUDED" for n, c in r.candidates.items() if c.excluded]
            rows.append([
                e,
                r.winner,
                "-" if margin is None else f"{margin:.2f}x",
                self.declared.get(e, "-") + ("" if self.declared.get(e) != r.winner else " ="),
                _profile.describe_classes(r.classes, fmt_n) if len(r.classes) > 1 else "all sizes: winner",
                "; ".join(x for x in (note, ", ".join(excluded)) if x) or "-",
            ])
        header = ["entry", "winner", "margin", "declared", "serves", "others (time / winner's)"]
        lines = render_table(header, rows, "l" * len(header)).splitlines()
        lines.append("")
        lines.append("winner: the best geometric mean over the sizes of time / fastest time at that size. "
                     "margin and others: time / the winner's, same mean (margin = the runner-up's). "
                     f"serves: the size classes, where another backend beats the winner by more than "
                     f"{_profile.SWITCH_GAIN:.2f}x at some sizes.")
        changed = sum(1 for e, r in self.records.items() if self.declared.get(e) != r.winner)
        lines.append("")
        lines.append(f"{len(self.records)} entries measured in {self.seconds:.1f} s; "
                     f"{changed} served differently from the declared priorities ('=' marks agreement).")
        for e, r in self.records.items():
            for n, c in r.candidates.items():
                if c.excluded:
                    lines.append(f"excluded {n} for {e}: {c.excluded}")
        for e, why in self.skipped.items():
            lines.append(f"not measured {e}: {why}")
        for e, text in self.blocks.items():
            lines.append(f"gemm blocks: {text}")
        if self.interface == KIND_INTERFACE["fft"]:
            lines.append(f"verification: fft {BOUNDS['fft']}; c per entry in the interface's spec.")
        else:
            lines.append(f"verification: elementwise {BOUNDS['elementwise']}; level-1 {BOUNDS['level1']}; "
                         f"gemm {BOUNDS['gemm']}; c per entry in the interface's spec.")
        if self.save_error:
            lines.append(f"profile: not saved, the measurement applies to this process only: {self.save_error}")
        else:
            lines.append(f"profile: {self.path}" if self.path else "profile: not saved")
        return "\n".join(lines)


def _disputed(times: dict[str, list[float]], sizes: Sequence[int],
              prefer: str | None = None) -> tuple[str | None, list[int]]:
    """The overall winner (profile.choose_winner), and the indices of the
    sizes where some backend beats it by more than SWITCH_GAIN: the sizes
    a size class would be made for."""
    cands = {n: _profile.Candidate({}, tuple(t), None) for n, t in times.items()}
    winner = _profile.choose_winner(cands, tuple(sizes), prefer)
    if winner is None:
        return None, []
    return winner, [i for i in range(len(sizes))
                    if _profile.outpaced(times[winner][i], min(t[i] for t in times.values()))]


def _confirm_disputed_sizes(host: Any, entry: str, names: Sequence[str], sizes: Sequence[int], timing: dict,
                            times: dict[str, list[float]], timer: Callable[..., dict[str, list[float]]],
                            prefer: str | None = None) -> None:
    """Time the disputed sizes again, every backend (in place). Where the
    second run beats the winner there too, each backend keeps its best of
    both runs: more samples where a class would hinge on one ratio. Where
    it does not, the dispute was one run's luck (a memory-bound dasum at
    1e5 got an avx2 class, avx512 then 1.09x faster as served), and the
    second run's times stand: no class is made of a ratio seen once."""
    winner, disputed = _disputed(times, sizes, prefer)
    if not disputed:
        return
    again = timer(host, entry, names, [sizes[i] for i in disputed], timing)
    for j, i in enumerate(disputed):
        second = {name: again[name][j] for name in names}
        repeated = _profile.outpaced(second[winner], min(second.values()))
        for name in names:
            times[name][i] = min(times[name][i], second[name]) if repeated else second[name]


def tune(
    host: Any,
    *,
    quick: bool = False,
    entries: Sequence[str] | None = None,
    save: bool = True,
    path: str | None = None,
    progress: bool = True,
) -> TuneResult:
    """Verify and time every competing backend of each entry, save the
    profile (merged into an existing valid one when only some entries are
    tuned) and apply it. See the module docstring."""
    from .bench import Progress

    start = time.perf_counter()
    if not host.iface.tune:
        raise ValueError(f"interface {host.iface.name!r}: its spec does not ask hostlib tune to measure it "
                         "(tune = true)")
    providers = host.providers()
    wanted = list(providers) if entries is None else list(entries)
    unknown = [e for e in wanted if e not in providers]
    if unknown:
        raise ValueError(f"unknown entries {unknown}; choose from {', '.join(providers)}")
    declared = {e: host.declared_provider(e) for e in wanted}
    skipped = {e: f"only {providers[e][0]} provides it" for e in wanted if len(providers[e]) <= 1}
    skipped.update({e: why for e in wanted if e not in skipped and (why := unmeasurable(host, e)) is not None})
    competing = [e for e in wanted if e not in skipped]
    sizes_by_kind, timing = (QUICK_SIZES, QUICK_TIMING) if quick else (SIZES, TIMING)
    identities = host.identities()
    bar = Progress(len(competing), quiet=not progress, title="tune")
    records: dict[str, _profile.EntryRecord] = {}
    try:
        for e in competing:
            bar.step(e)
            kind = entry_info(host, e).kind
            sizes = sizes_by_kind[kind]
            cands: dict[str, _profile.Candidate] = {}
            verified = []
            for name in providers[e]:
                why = None if name == PORTABLE else verify(host, e, name)
                if why is None:
                    verified.append(name)
                else:
                    cands[name] = _profile.Candidate(identities[name], None, _profile.clean_text(why))
            timer = TIMERS.get(kind, _time)
            times = timer(host, e, verified, sizes, timing)
            if host.serves_size_classes(e):
                _confirm_disputed_sizes(host, e, verified, sizes, timing, times, timer, prefer=declared[e])
            for name in verified:
                cands[name] = _profile.Candidate(identities[name], tuple(times[name]), None)
            winner = _profile.choose_winner(cands, tuple(sizes), prefer=declared[e])
            assert winner is not None  # portable is always verified and timed
            # without the split wrappers a call's size cannot choose: the winner serves every size
            one_class = () if host.serves_size_classes(e) else ((0, winner),)
            records[e] = _profile.EntryRecord(winner, tuple(sizes), cands, one_class)
            bar.advance()
        tuned, blocks = ({}, {}) if quick else _refine_blocks(host, records, timing)
    finally:
        bar.close()
        host.reselect()

    save_path = path or host.profile_path
    merge = functools.partial(_merge, host, records, tuned)
    saved, save_error, profile = None, None, None
    if save:
        try:
            profile = _profile.update(save_path, merge)
            saved = save_path
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
            save_error = f"could not save the profile {save_path}: {exc}"
            warnings.warn(save_error + "; the measurement applies to this process only", _profile.ProfileWarning,
                          stacklevel=2)
    if profile is None:  # not saved: apply it merged with what is there, as a save would have
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", _profile.ProfileWarning)
            profile = merge(_profile.load(save_path))
    host.apply_profile(profile)
    return TuneResult(records, declared, saved, time.perf_counter() - start, quick, skipped, save_error, blocks,
                      host.iface.name)


def _merge(host: Any, records: dict[str, _profile.EntryRecord], tuned: dict[str, _profile.Tuned],
           old: _profile.Profile | None) -> _profile.Profile:
    """The new records, plus those of the ``old`` profile that still hold;
    the verification failures of both, except those of a backend build this
    run verified again (its newest result is the one that counts); the
    tuned kernel parameters of both, this run's first."""
    from .._version import version as __version__

    kept: dict[str, _profile.EntryRecord] = {}
    failures: tuple[_profile.Failure, ...] = ()
    parameters = dict(tuned)
    if old is not None and all(old.key.get(k) == v for k, v in host.profile_key().items()):
        identities = host.identities()
        parameters = {**{n: t for n, t in old.parameters.items() if identities.get(n) == t.identity}, **tuned}
    if old is not None:
        valid, _ = _profile.applicable(old, host.profile_key(), host.identities(), host.competing())
        kept = {e: r for e, r in valid.items() if e not in records}
        if old.key.get("interface") == host.iface.name:
            checked = {_profile.Failure(e, n, c.identity, "").key()
                       for e, r in records.items() for n, c in r.candidates.items()}
            failures = tuple(f for f in old.failures if f.key() not in checked)
    merged = {e: (records.get(e) or kept[e]) for e in host.iface.entries if e in records or e in kept}
    created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    return _profile.Profile(host.profile_key(), merged, created, __version__,
                            _profile.failures_of(merged, failures), parameters)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


def _interfaces_to_tune(only: str | None) -> tuple[list[Any], list[str]]:
    """The hosts ``hostlib tune`` measures, in order (kernels, fft, then the
    others by name), and a note for each interface left out although its
    spec asks for tuning. ``only``: that interface alone (ValueError if it
    cannot be tuned)."""
    from .._host import registry as _registry

    if only is not None:
        host = _registry.host(only)  # InterfaceError (a ValueError) if unknown or unusable
        if not host.iface.tune:
            raise ValueError(f"interface {only!r}: its spec does not ask hostlib tune to measure it")
        return [host], []
    names = _registry.names()
    order = [n for n in ("kernels", "fft") if n in names] + [n for n in names if n not in ("kernels", "fft")]
    hosts, notes = [], []
    for name in order:
        try:
            host = _registry.host(name)
        except _registry.InterfaceError as exc:
            notes.append(f"interface {name!r} not tuned: {exc}")
            continue
        if not host.iface.tune:
            continue
        competing = list(host.competing())
        why = {e: unmeasurable(host, e) for e in competing}
        if competing and all(why.values()):
            notes.append(f"interface {name!r} not tuned: {next(iter(why.values()))}")
            continue
        hosts.append(host)
    return hosts, notes


def _owner(hosts: Sequence[Any], entries: Sequence[str]) -> Any:
    """The one host whose interface serves every entry named; ValueError
    when none does, or when the names are ambiguous or span interfaces."""
    owners = {e: [h for h in hosts if e in h.providers()] for e in entries}
    unknown = [e for e, hs in owners.items() if not hs]
    if unknown:
        choices = "; ".join(f"{h.iface.name}: {', '.join(h.providers())}" for h in hosts)
        raise ValueError(f"unknown entries {unknown}; choose from {choices}")
    shared = {e: hs for e, hs in owners.items() if len(hs) > 1}
    if shared:
        e, hs = next(iter(shared.items()))
        raise ValueError(f"entry {e!r} is in interfaces {', '.join(h.iface.name for h in hs)}: "
                         "name one with --interface")
    found = {hs[0].iface.name: hs[0] for hs in owners.values()}
    if len(found) > 1:
        raise ValueError(f"--entries names entries of interfaces {', '.join(found)}: tune one at a time "
                         "with --interface")
    return next(iter(found.values()))


def main(argv: Sequence[str] | None = None) -> int:
    """``hostlib tune [--interface NAME] [--quick] [--entries ...] [--profile PATH] [--json] [-q]``."""
    import argparse
    import json

    parser = argparse.ArgumentParser(
        prog="hostlib tune",
        description="Verify every usable backend against the portable table, time the ones that agree, "
        "and save the fastest per entry as this machine's profile (used from then on by automatic selection). "
        "Every interface whose spec asks for it is tuned (kernels, then fft, then others'), each into its own "
        "profile file.",
    )
    parser.add_argument("--interface", metavar="NAME", help="only this interface (kernels, fft, ...)")
    parser.add_argument("--quick", action="store_true", help="one size per entry, fewer samples (a few seconds)")
    parser.add_argument("--entries", metavar="E[,E]", help="only these entries (names as in `hostlib`'s report), "
                        "of the interface --interface names or else the one that has them; others are kept")
    parser.add_argument("--profile", metavar="PATH", help=f"where to save the kernels interface's profile (default: "
                        f"{_profile.ENV_PROFILE} or the cache); another interface's goes beside it, with "
                        "-<interface> before the extension")
    parser.add_argument("--dry-run", action="store_true", help="measure and print, do not save")
    parser.add_argument("--json", action="store_true", help="print the result as JSON (the first interface's at "
                        "the top level, the others' under \"interfaces\")")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    entries = None
    if args.entries is not None:
        entries = [e for e in args.entries.replace(" ", ",").split(",") if e]
        if not entries:  # "--entries ," would measure nothing and rewrite the profile
            parser.error(f"--entries {args.entries!r} names no entry")
    try:
        hosts, notes = _interfaces_to_tune(args.interface)
        if entries is not None and args.interface is None:
            hosts = [_owner(hosts, entries)]
        results = []
        for host in hosts:
            path = None if args.profile is None else _profile.interface_path(args.profile, host.iface.name)
            results.append(tune(host, quick=args.quick, entries=entries, save=not args.dry_run, path=path,
                                progress=not args.quiet))
    except ValueError as exc:
        parser.error(str(exc))
    if args.json:
        first = results[0].to_dict() if results else {}
        first["interfaces"] = {r.interface: r.to_dict() for r in results[1:]}
        first["notes"] = notes
        json.dump(first, sys.stdout, indent=1)
        print()
    else:
        print("\n\n".join(f"Interface {r.interface!r}\n{r.summary()}" for r in results))
        for note in notes:
            print(note)
        if not results:
            print("no interface to tune")
    return 1 if any(r.save_error for r in results) else 0
