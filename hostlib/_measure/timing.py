"""The one timing core of hostlib: ``hostlib tune``, ``hostlib bench`` and
the ``benchmarks/`` suite all measure with it.

:func:`compare` / :func:`measure`: best-of-N timing with
``time.perf_counter_ns``. Each contestant is calibrated (how many calls make
one sample, so a sample is long enough for the clock), then samples are
taken round-robin across the contestants until each has at least
``repeat`` of them *and* ``min_time`` per contestant has passed, or
``max_time`` with at least ``min_repeat``. The best sample is the estimate
(on a shared, noisy machine the minimum is the least disturbed run); the
median is kept as a noise indicator. Round-robin sampling makes a ratio of
two contestants robust to drift during the measurement.

No dependency beyond the standard library.
"""

from __future__ import annotations

import contextlib
import math
import time
import timeit
from dataclasses import asdict, dataclass
from typing import Any, Callable


#: what to wait after a sample of a library that threads itself, when it
#: ran on several threads (Contestant.settle): OpenBLAS's threads spin after
#: each call for its default thread timeout, 2^28 time-stamp-counter ticks
#: before they sleep: 103 ms at 2.6 GHz (measured: 100-110 ms), 134 ms at
#: 2.0 GHz. 0.15 s covers counters from 1.8 GHz up.
THREADED_SETTLE = 0.15

#: untimed calls before each sample of a Local contestant, in seconds (at
#: least one call): long enough for a pool's sleeping workers to be woken
#: and running (up to ~2.5 ms after 0.15 s idle on a 2-core VM); see Local
WARM_UP = 0.003


@dataclass(frozen=True)
class Timing:
    """One measurement: per-call times in nanoseconds."""

    best_ns: float  #: fastest sample (the estimate)
    median_ns: float  #: median sample (best/median near 1 means a quiet machine)
    samples: int  #: number of samples taken
    number: int  #: calls per sample
    total_s: float  #: wall time spent, calibration included

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Contestant:
    """One thing to time among several (see :func:`compare`)."""

    number: int = 1  #: calls per sample, set by prepare()
    #: seconds :func:`compare` waits after each of this contestant's samples,
    #: outside every budget: for a library whose threads keep spinning after
    #: its calls (OpenBLAS's, ~0.1 s), which on a machine with few cores
    #: would slow whichever contestant comes next
    settle: float = 0.0

    def prepare(self, sample_time: float, max_time: float) -> float:
        """Warm up and calibrate; return a first sample (ns per call)."""
        raise NotImplementedError

    def sample(self) -> float:
        """One sample: ns per call, averaged over ``number`` calls."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class Local(Contestant):
    """A statement timed in this process, optionally inside a context
    (``context()`` returns a context manager entered around each sample,
    outside the timed loop: e.g. ``lambda: hostlib.using("avx2")``).

    Each sample starts with untimed calls, one at least and as many as
    WARM_UP seconds take, so that a sample measures the statement called in
    a loop, not the first calls after another contestant ran: a thread
    pool's workers asleep since its last sample, or a library's threads
    spinning down. On a 2-core VM, after 0.15 s idle, a 2-thread sgemm of
    n = 512 ran at one thread's speed, and 2-thread daxpy calls of 1e5
    elements ran up to 3x slower than in a loop for their first ~2 ms (the
    other vCPU wakes from halt), which made tune prefer OpenBLAS there."""

    def __init__(
        self,
        stmt: str | Callable[[], Any],
        globals: dict[str, Any] | None = None,
        context: Callable[[], Any] | None = None,
        settle: float = 0.0,
    ) -> None:
        # a string is compiled into timeit's loop: the harness costs a loop
        # iteration per call (a few ns), not a Python function call
        self.timer = timeit.Timer(stmt, timer=time.perf_counter_ns, globals=globals)
        self.context = context
        self.number = 1
        self.settle = settle

    def _warm_up(self) -> None:
        end = time.perf_counter() + WARM_UP
        self.timer.timeit(1)
        while time.perf_counter() < end:
            self.timer.timeit(1)

    def _run(self, number: int) -> int:
        with self.context() if self.context is not None else contextlib.nullcontext():
            self._warm_up()
            return self.timer.timeit(number)

    def prepare(self, sample_time: float, max_time: float) -> float:
        start = time.perf_counter_ns()
        # _run's untimed first call is the warm-up (first touch of output
        # pages, lazy set-up)
        target = sample_time * 1e9
        number = 1
        while True:
            t = self._run(number)
            if t >= target or number >= 1 << 30 or time.perf_counter_ns() - start >= max_time * 1e9:
                break
            grow = target / t * 1.25 if t > 0 else 100.0  # a little past the target, at most x100
            number = max(number + 1, int(number * min(grow, 100.0)))
        self.number = number
        return t / number

    def sample(self) -> float:
        return self._run(self.number) / self.number


def compare(
    contestants: dict[str, Contestant],
    *,
    repeat: int = 5,
    min_repeat: int = 3,
    min_time: float = 0.1,
    max_time: float = 2.0,
    sample_time: float = 0.002,
    max_samples: int = 200,
    confirm: int = 2,
    tol: float = 0.05,
) -> dict[str, Timing]:
    """Best-of-N times of several contestants, sampled round-robin.

    Each contestant is warmed up and calibrated (calls per sample so that a
    sample lasts ``sample_time``; the calibration run is its first sample).
    Then rounds follow, one sample of every contestant per round, the order
    rotated each round, so that drift on a shared machine (another process,
    a frequency change) hits every contestant alike and their ratio holds.

    A contestant's ``settle`` seconds are waited after each of its samples
    (and its calibration) and count in no budget: the next contestant
    starts with the cores that library's threads spin on free again.

    Rounds stop when every contestant has ``repeat`` samples, ``confirm`` of
    them within ``tol`` of its best (a best seen once may be luck or may be
    the only quiet moment: on a busy machine sampling goes on until it
    repeats), and ``min_time`` seconds per contestant have passed; or when
    ``max_time`` seconds per contestant have passed and each has
    ``min_repeat`` samples; or at ``max_samples``. The clock for these
    budgets starts after calibration. A NaN sample (a
    contestant that failed) is ignored.
    """
    if repeat < 1 or min_repeat < 1:
        raise ValueError("repeat and min_repeat must be >= 1")
    names = list(contestants)
    samples: dict[str, list[float]] = {k: [] for k in names}
    spent = dict.fromkeys(names, 0)
    for k in names:
        t0 = time.perf_counter_ns()
        samples[k].append(contestants[k].prepare(sample_time, max_time))
        spent[k] += time.perf_counter_ns() - t0
        if getattr(contestants[k], "settle", 0.0) > 0:  # duck-typed contestants may lack it
            time.sleep(contestants[k].settle)
    start = time.perf_counter_ns()  # the budget counts rounds, not set-up and calibration
    lo, hi = min_time * len(names) * 1e9, max_time * len(names) * 1e9

    def settled(v: list[float]) -> bool:
        good = [x for x in v if x == x]
        if len(good) < repeat:
            return False
        best = min(good)
        return sum(1 for x in good if x <= best * (1 + tol)) >= min(confirm, repeat)

    r = 0
    while names:
        elapsed = time.perf_counter_ns() - start
        done = min(len(v) for v in samples.values())
        if done >= max_samples or (done >= min_repeat and elapsed >= hi):
            break
        if elapsed >= lo and all(settled(v) for v in samples.values()):
            break
        for k in names[r % len(names):] + names[: r % len(names)]:
            t0 = time.perf_counter_ns()
            samples[k].append(contestants[k].sample())
            spent[k] += time.perf_counter_ns() - t0
            if getattr(contestants[k], "settle", 0.0) > 0:
                time.sleep(contestants[k].settle)
        r += 1
    out = {}
    for k in names:
        good = sorted(v for v in samples[k] if v == v)
        if not good:
            out[k] = Timing(math.nan, math.nan, 0, contestants[k].number, spent[k] / 1e9)
            continue
        mid = len(good) // 2
        median = good[mid] if len(good) % 2 else (good[mid - 1] + good[mid]) / 2
        out[k] = Timing(good[0], median, len(good), contestants[k].number, spent[k] / 1e9)
    return out


def measure(
    stmt: str | Callable[[], Any],
    globals: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Timing:
    """Best-of-N time of one call of ``stmt`` (a statement string evaluated
    in ``globals``, or a zero-argument callable): :func:`compare` with one
    contestant, same keyword arguments (``repeat``, ``min_repeat``,
    ``min_time``, ``max_time``, ``sample_time``, ``max_samples``,
    ``confirm``, ``tol``)."""
    return compare({"": Local(stmt, globals)}, **kwargs)[""]
