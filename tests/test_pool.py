"""hostlib's thread pool: results independent of the thread count and of
the input's address, reproducible mode across backends, the controls
(set_num_threads, HOSTLIB_NUM_THREADS, threadpoolctl), fork, and many
Python threads calling at once."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostlib
from hostlib._pool import _threads

HOST = hostlib._kernels_host
#: hostlib's own backends (the pool splits their calls; OpenBLAS threads itself)
OWN = [b.name for b in hostlib.backends() if b.usable and not b.threaded]
#: reductions are cut into chunks of this many bytes; float32 has the most elements per chunk
CHUNK = _threads.REDUCTION_CHUNK_BYTES // 4
#: large enough for several chunks and for the reductions' pool threshold (2^18)
N_BIG = 5 * CHUNK + 4321 + (1 << 18)
DTYPES = [np.float32, np.float64]
THREADS = [1, 2, 3]


def _at_offset(values: np.ndarray, off: int) -> np.ndarray:
    """values copied to an array starting `off` elements into a buffer (so
    its address modulo the vector width differs with off)."""
    buf = np.empty(len(values) + 8, values.dtype)
    view = buf[off:off + len(values)]
    view[...] = values
    return view


def _reductions(x: np.ndarray, y: np.ndarray) -> tuple:
    return (hostlib.sum(x), hostlib.asum(x), hostlib.dot(x, y), hostlib.nrm2(x))


def _bits(values) -> list[str]:
    return [float(v).hex() for v in values]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(10)
    return {dt: (rng.standard_normal(N_BIG).astype(dt), rng.standard_normal(N_BIG).astype(dt)) for dt in DTYPES}


@pytest.mark.parametrize("backend", OWN)
@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_do_not_depend_on_threads_or_start_offset(backend, dtype, data):
    x, y = data[dtype]
    with hostlib.using(backend):
        hostlib.set_num_threads(1)
        ref = _bits(_reductions(x, y))
        for t in THREADS:
            hostlib.set_num_threads(t)
            for off in range(8):
                got = _bits(_reductions(_at_offset(x, off), _at_offset(y, (off * 3) % 8)))
                assert got == ref, (backend, t, off)
        # strided, and short (one chunk): the kernel alone
        hostlib.set_num_threads(1)
        ref_s = _bits(_reductions(x[::3], y[::3]))
        ref_short = {off: None for off in range(8)}
        short = x[:1003]
        for off in range(8):
            ref_short[off] = _bits(_reductions(_at_offset(short, off), _at_offset(short, 7 - off)))
        assert len({tuple(v) for v in ref_short.values()}) == 1, ref_short
        hostlib.set_num_threads(3)
        assert _bits(_reductions(x[::3], y[::3])) == ref_s
    assert _threads.started() >= 2  # the pool really ran helpers


@pytest.mark.parametrize("backend", OWN)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(301, 257, 190), (150, 513, 77), (256, 256, 256)])
@pytest.mark.parametrize("trans", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_does_not_depend_on_threads(backend, dtype, shape, trans):
    m, n, k = shape
    rng = np.random.default_rng(m * n + k)
    a = rng.standard_normal((k, m) if trans[0] else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if trans[1] else (k, n)).astype(dtype)
    c0 = rng.standard_normal((m, n)).astype(dtype)
    a_op, b_op = (a.T if trans[0] else a), (b.T if trans[1] else b)
    results = []
    with hostlib.using(backend):
        for t in THREADS:
            hostlib.set_num_threads(t)
            c = c0.copy()
            results.append(hostlib.gemm(a_op, b_op, c, alpha=1.5, beta=-0.5))
    for r in results[1:]:
        assert np.array_equal(r.view(np.uint8), results[0].view(np.uint8))
    expect = 1.5 * (a_op.astype(np.float64) @ b_op.astype(np.float64)) - 0.5 * c0
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(results[0], expect, rtol=tol, atol=tol * k)


@pytest.mark.parametrize("backend", OWN)
@pytest.mark.parametrize("func", ["exp", "sin", "sqrt"])
def test_elementwise_does_not_depend_on_threads(backend, func):
    x = np.random.default_rng(3).uniform(0.1, 50, 300_001)
    f = getattr(hostlib, func)
    with hostlib.using(backend):
        hostlib.set_num_threads(1)
        ref = f(x)
        for t in (2, 3):
            hostlib.set_num_threads(t)
            assert np.array_equal(f(x), ref)
            y = x.copy()
            f(y, out=y)  # in place: split too
            assert np.array_equal(y, ref)


@pytest.mark.parametrize("backend", OWN)
@pytest.mark.parametrize("func", ["power", "hypot"])
def test_two_input_functions_do_not_depend_on_threads(backend, func):
    rng = np.random.default_rng(5)
    x, y = rng.uniform(0.5, 2.0, 300_001), rng.uniform(-20, 20, 300_001)
    f = getattr(hostlib, func)
    with hostlib.using(backend):
        hostlib.set_num_threads(1)
        ref = f(x, y)
        shifted = f(x[1:], y[:-1])
        for t in (2, 3):
            hostlib.set_num_threads(t)
            assert np.array_equal(f(x, y), ref)
            for k in (0, 1):  # in place over either input: split too
                xy = [x.copy(), y.copy()]
                f(*xy, out=xy[k])
                assert np.array_equal(xy[k], ref)
            # the output overlapping an input shifted by one: not split, in order
            z = x.copy()
            f(z[1:], y[:-1], out=z[:-1])
            assert np.array_equal(z[:-1], shifted)


def test_a_large_two_input_call_wakes_the_pool(run_python):
    r = run_python(
        """
        import numpy as np, hostlib
        from hostlib._pool import _threads
        hostlib.set_num_threads(2)
        x = np.full(1 << 20, 1.5)
        hostlib.power(x[:1000], x[:1000])
        small = _threads.started()
        hostlib.power(x, x)
        print(small, _threads.started())
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "1"], r.stdout


def test_axpy_scal_split_and_in_order_cases():
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal(400_000), rng.standard_normal(400_000)
    hostlib.set_num_threads(1)
    ref_axpy = hostlib.axpy(2.5, x, y.copy())
    ref_scal = hostlib.scal(3.0, x.copy())
    hostlib.set_num_threads(3)
    assert np.array_equal(hostlib.axpy(2.5, x, y.copy()), ref_axpy)
    assert np.array_equal(hostlib.scal(3.0, x.copy()), ref_scal)


# ------------------------------------------------------- reproducible mode

def _each_backend(fn):
    out = {}
    for b in OWN:
        with hostlib.using(b):
            out[b] = fn()
    return out


_VALUES = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False, width=32),
    st.sampled_from([1e16, -1e16, 3.0, -3.0, 1e-300, 0.5, -0.0]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=st.lists(_VALUES, min_size=0, max_size=300),
    reps=st.sampled_from([1, 7, 40, 300]),
    stride=st.sampled_from([1, 2, -1, -3]),
    dtype=st.sampled_from(DTYPES),
    threads=st.sampled_from(THREADS),
)
def test_reproducible_mode_is_bit_identical_on_every_backend(values, reps, stride, dtype, threads):
    base = np.array(values * reps, dtype=np.float64)
    # cancellation: the same values with both signs, shuffled
    base = np.concatenate([base, -base[::2]])
    np.random.default_rng(len(base)).shuffle(base)
    x = np.repeat(base.astype(dtype), abs(stride))[::stride]
    y = np.roll(x, 1)
    hostlib.set_reproducible(True)
    hostlib.set_num_threads(threads)
    results = _each_backend(lambda: _bits(_reductions(x, y)))
    assert len({tuple(v) for v in results.values()}) == 1, results


def test_reproducible_mode_large_and_offsets(data):
    hostlib.set_reproducible(True)
    for dtype in DTYPES:
        x, y = data[dtype]
        results = {}
        for b in OWN:
            with hostlib.using(b):
                for t in (1, 2):
                    hostlib.set_num_threads(t)
                    for off in (0, 3, 5):
                        results[(b, t, off)] = tuple(_bits(_reductions(_at_offset(x, off), _at_offset(y, off))))
        assert len(set(results.values())) == 1, results
    assert hostlib.is_reproducible()
    assert "reproducible mode" in _report()
    hostlib.set_reproducible(False)
    assert not hostlib.is_reproducible()


def test_reproducible_mode_serves_no_backend_without_reproducible_kernels():
    threaded = [b for b in hostlib.backends() if b.usable and b.threaded]
    if not threaded:
        pytest.skip("no backend that threads itself is installed (kernels_openblas)")
    hostlib.set_reproducible(True)
    with hostlib.using(threaded[0].name):
        served = hostlib.active()
        for entry in ("ddot", "sdot", "dnrm2", "dasum"):
            assert served[entry] != threaded[0].name


def _report() -> str:
    import io

    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    return buf.getvalue()


# ----------------------------------------------------------------- controls

def test_set_and_get_num_threads():
    hostlib.set_num_threads(3)
    assert hostlib.get_num_threads() == 3
    assert "Threads    3" in _report()
    assert hostlib.runtime_info()["threads"]["num_threads"] == 3
    for bad in (0, -1):
        with pytest.raises(ValueError):
            hostlib.set_num_threads(bad)
    with pytest.raises(TypeError):
        hostlib.set_num_threads(2.0)


def test_threadpoolctl_lists_and_limits_hostlib():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    hostlib.set_num_threads(2)
    ours = [p for p in threadpoolctl.threadpool_info() if p["internal_api"] == "hostlib"]
    assert len(ours) == 1 and ours[0]["num_threads"] == 2, threadpoolctl.threadpool_info()
    with threadpoolctl.threadpool_limits(1):
        assert hostlib.get_num_threads() == 1
    assert hostlib.get_num_threads() == 2
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert hostlib.get_num_threads() == 1
    assert hostlib.get_num_threads() == 2


def test_threadpoolctl_imported_before_hostlib_limits_before_first_use(run_python):
    pytest.importorskip("threadpoolctl")
    r = run_python(
        """
        import threadpoolctl, hostlib
        with threadpoolctl.threadpool_limits(1):
            print(hostlib.get_num_threads())
        print(hostlib.get_num_threads() >= 1)
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "True"]


def test_environment_variable(run_python):
    r = run_python("import hostlib; print(hostlib.get_num_threads(), hostlib.runtime_info()['threads']['num_threads'])",
                   env={"HOSTLIB_NUM_THREADS": "3"})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["3", "3"]
    r = run_python("import hostlib; print(hostlib.get_num_threads())",
                   env={"OMP_NUM_THREADS": "1"})
    assert r.stdout.split() == ["1"], r.stderr
    r = run_python("import os, hostlib; print(hostlib.get_num_threads() == len(os.sched_getaffinity(0)))",
                   env={"HOSTLIB_NUM_THREADS": "auto", "OMP_NUM_THREADS": ""})
    assert r.stdout.split() == ["True"], r.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.5", "2 threads"])
def test_bad_num_threads_is_an_error_when_the_host_starts_not_at_import(run_python, value):
    r = run_python(
        """
        import hostlib
        print("imported")
        try:
            hostlib.active()
        except ValueError as exc:
            print("error:", exc)
        """,
        env={"HOSTLIB_NUM_THREADS": value},
    )
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "imported"
    assert lines[1].startswith("error: HOSTLIB_NUM_THREADS=") and repr(value) in lines[1], lines


def test_reproducible_environment_variable(run_python):
    r = run_python("import hostlib; print(hostlib.is_reproducible())", env={"HOSTLIB_REPRODUCIBLE": "1"})
    assert r.stdout.split() == ["True"], r.stderr
    r = run_python("import hostlib\ntry:\n    hostlib.active()\nexcept ValueError as e:\n    print(e)",
                   env={"HOSTLIB_REPRODUCIBLE": "maybe"})
    assert "HOSTLIB_REPRODUCIBLE='maybe'" in r.stdout, r.stderr


def test_import_starts_no_thread_and_small_calls_start_none(run_python):
    r = run_python(
        """
        import os
        import numpy as np
        tasks = lambda: len(os.listdir("/proc/self/task"))
        before = tasks()
        import hostlib
        after_import = tasks()
        hostlib.dot(np.ones(100), np.ones(100))
        hostlib.gemm(np.ones((8, 8)), np.ones((8, 8)))
        # (starting the host may load OpenBLAS, which starts its own threads)
        from hostlib._pool import _threads
        small = _threads.started()
        after_small = tasks()
        hostlib.set_num_threads(2)
        hostlib.gemm(np.ones((512, 512)), np.ones((512, 512)))
        print(before == after_import, small, _threads.started(), tasks() - after_small)
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "0", "1", "1"]


# ------------------------------------------------- a backend that threads itself

def test_backend_that_threads_itself_is_never_split():
    threaded = [b for b in hostlib.backends() if b.usable and b.threaded]
    for b in hostlib.backends():
        if b.usable:
            assert (b.metadata is not None and getattr(b.metadata, "THREADED", False) is True) == bool(b.threaded) \
                or b.name == "portable"
    own = OWN[0]
    provides = next(b.provides for b in hostlib.backends() if b.name == own)
    split_class = {e.name for e in HOST.iface.info if e.split != "none"}
    with hostlib.using(own):
        for entry in HOST.serving:
            if entry not in split_class:  # no split class (the BLAS level-2/3 entries): one thread
                assert entry not in HOST.split and HOST.public_address(entry) == HOST.active_address(entry)
                continue
            assert entry in HOST.split
            assert HOST.public_address(entry) != HOST.active_address(entry)
            if entry in provides:  # the others come from the portable table
                assert HOST.active_address(entry) == HOST.slot_address(own, entry)
    if not threaded:
        pytest.skip("no backend that threads itself is installed (kernels_openblas)")
    with hostlib.using(threaded[0].name):
        for entry, backend in HOST.serving.items():
            if backend == threaded[0].name:
                assert entry not in HOST.split
                assert HOST.public_address(entry) == HOST.active_address(entry) == HOST.slot_address(backend, entry)
            else:
                assert entry in HOST.split


def test_threaded_metadata_is_validated(tmp_path):
    from hostlib._host.host import _MalformedMetadata, _read_metadata

    class Meta:
        NAME, FEATURES, PRIORITY, EXTENSION = "x", (), 1, "x._t"

    entries = HOST.iface.entries
    Meta.THREADED = ("dgemm",)
    assert _read_metadata(Meta, "x", entries)[5] == ("dgemm",)
    Meta.THREADED = True
    assert _read_metadata(Meta, "x", entries)[5] == entries
    for bad in ("yes", ("nonsense",), 1):
        Meta.THREADED = bad
        with pytest.raises(_MalformedMetadata, match="THREADED"):
            _read_metadata(Meta, "x", entries)


# --------------------------------------------------------- concurrency, fork

def test_many_python_threads_at_once():
    hostlib.set_num_threads(2)
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((300, 280)), rng.standard_normal((280, 310))
    x = rng.standard_normal(N_BIG)
    ref_gemm, ref_sum, ref_exp = hostlib.gemm(a, b), hostlib.sum(x), hostlib.exp(x[:200_000])
    failures: list[str] = []

    def work(i: int) -> None:
        for _ in range(6):
            if not np.array_equal(hostlib.gemm(a, b), ref_gemm):
                failures.append(f"gemm {i}")
            if hostlib.sum(x) != ref_sum:
                failures.append(f"sum {i}")
            if not np.array_equal(hostlib.exp(x[:200_000]), ref_exp):
                failures.append(f"exp {i}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "deadlock: a caller never returned"
    assert not failures


def test_pool_runs_every_task_once_and_busy_callers_run_alone():
    buf = np.zeros(100_003)
    assert _threads._fill(buf, 1000, 2) == 2
    assert np.array_equal(buf, np.arange(len(buf)))  # _fill adds i: a task run twice or never shows
    buf[:] = 0
    assert _threads._fill(buf, 1000, 1) == 1
    assert np.array_equal(buf, np.arange(len(buf)))
    # blocks of tasks per thread, taken over by the others when a thread is
    # late: still every task once, for any count of tasks and threads
    for tasks, width in [(1, 2), (2, 2), (3, 2), (7, 3), (10_001, 3), (64, 4)]:
        buf = np.zeros(tasks * 3)
        _threads._fill(buf, 3, width)
        assert np.array_equal(buf, np.arange(len(buf))), (tasks, width)
    # many callers at once: every call completes; the pool serves one at a time
    used: list[int] = []
    bufs = [np.zeros(2_000_000) for _ in range(6)]

    def call(k: int) -> None:
        used.append(_threads._fill(bufs[k], 5000, 2))

    threads = [threading.Thread(target=call, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert all(np.array_equal(b, np.arange(len(b))) for b in bufs)
    assert set(used) <= {1, 2}


def test_spin_setting_every_task_once_at_any_spin():
    before = _threads.get_spin_us()
    try:
        for us in (0, 1, 100, 5000):
            _threads.set_spin_us(us)
            assert _threads.get_spin_us() == us
            for _ in range(3):  # back to back: the workers spinning, or asleep with 0
                buf = np.zeros(50_001)
                _threads._fill(buf, 1000, 2)
                assert np.array_equal(buf, np.arange(len(buf))), us
        for bad in (-1, 100_001):
            with pytest.raises(ValueError):
                _threads.set_spin_us(bad)
        assert _threads.get_spin_us() == 5000
    finally:
        _threads.set_spin_us(before)


@pytest.mark.skipif(not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
                    reason="a worker moves off its caller's CPU on Linux, with two CPUs or more")
def test_workers_woken_from_sleep_keep_the_process_affinity(run_python):
    # with no spin every job wakes the worker from sleep, and after a long
    # job the caller lets a worker woken onto its CPU move away (pool.c,
    # leave_cpu_of): the worker's affinity must be whole again afterwards
    r = run_python(
        """
        import os, time, numpy as np, hostlib
        hostlib.set_num_threads(2)
        a = np.ones((384, 384))
        for _ in range(20):
            hostlib.gemm(a, a)
            time.sleep(0.005)
        masks = {int(t): os.sched_getaffinity(int(t)) for t in os.listdir("/proc/self/task")}
        print(len(masks), all(m == os.sched_getaffinity(0) for m in masks.values()))
        """,
        env={"HOSTLIB_POOL_SPIN_US": "0"},
    )
    assert r.returncode == 0, r.stderr
    threads, same = r.stdout.split()
    assert int(threads) >= 2 and same == "True", r.stdout


def test_spin_environment_variable(run_python):
    code = "import hostlib; from hostlib._pool import _threads; hostlib.get_num_threads(); print(_threads.get_spin_us())"
    assert run_python(code).stdout.split() == ["100"]
    assert run_python(code, env={"HOSTLIB_POOL_SPIN_US": "0"}).stdout.split() == ["0"]
    assert run_python(code, env={"HOSTLIB_POOL_SPIN_US": "auto"}).stdout.split() == ["100"]
    for bad in ("-1", "1e3", "100001", "fast"):
        r = run_python("import hostlib\ntry:\n    hostlib.active()\nexcept ValueError as e:\n    print(e)",
                       env={"HOSTLIB_POOL_SPIN_US": bad})
        assert f"HOSTLIB_POOL_SPIN_US={bad!r}" in r.stdout, (bad, r.stdout, r.stderr)


def _child(queue) -> None:  # runs in a forked child
    from hostlib._pool import _threads as t

    started_at_fork = t.started()
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((400, 300)), rng.standard_normal((300, 350))
    x = rng.standard_normal(N_BIG)
    c = hostlib.gemm(a, b)
    queue.put((started_at_fork, t.started(), c.tobytes(), float(hostlib.sum(x))))


def test_fork_child_recreates_the_pool():
    hostlib.set_num_threads(2)
    rng = np.random.default_rng(6)
    a, b = rng.standard_normal((400, 300)), rng.standard_normal((300, 350))
    x = rng.standard_normal(N_BIG)
    c = hostlib.gemm(a, b)  # the parent's pool is running
    assert _threads.started() >= 1
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_child, args=(queue,)) for _ in range(2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for started_at_fork, started_after, c_bytes, s in results:
        assert started_at_fork == 0  # the parent's workers were not copied
        assert started_after >= 1  # the child started its own
        assert c_bytes == c.tobytes() and s == float(hostlib.sum(x))


def test_switch_during_calls_is_served_by_one_implementation():
    """Calls racing with use()/using() switches: each result is one a
    backend computes whole (reductions: the same bits on every backend in
    reproducible mode, so any mix would still show; gemm/exp: equal)."""
    hostlib.set_reproducible(True)
    hostlib.set_num_threads(2)
    x = np.random.default_rng(7).standard_normal(N_BIG)
    ref = float(hostlib.sum(x))
    stop = threading.Event()
    bad: list[float] = []

    def caller() -> None:
        while not stop.is_set():
            s = float(hostlib.sum(x))
            if s != ref:
                bad.append(s)

    callers = [threading.Thread(target=caller) for _ in range(3)]
    for t in callers:
        t.start()
    for _ in range(30):
        for b in OWN:
            hostlib.use(b)
    stop.set()
    for t in callers:
        t.join(timeout=60)
    assert not bad


@pytest.mark.skipif(not sys.platform.startswith("linux") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs Linux and two CPUs in the affinity mask")
def test_the_default_width_follows_the_affinity_mask(run_python):
    """The pool reads the mask's CPU count at most every 10 ms for its
    default width (a system call per split decision cost ~0.2 us), and at
    once when asked for the thread count."""
    code = (
        "import os, time, hostlib\n"
        "from hostlib._pool import _threads\n"
        "cpus = os.sched_getaffinity(0)\n"
        "print(_threads._width() == len(cpus))\n"
        "os.sched_setaffinity(0, {min(cpus)})\n"
        "print(hostlib.get_num_threads(), _threads._width())\n"
        "os.sched_setaffinity(0, cpus)\n"
        "time.sleep(0.05)\n"
        "print(_threads._width() == len(cpus))\n"
    )
    r = run_python(code, env={"HOSTLIB_NUM_THREADS": "auto", "OMP_NUM_THREADS": ""})
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "1", "1", "True"]
