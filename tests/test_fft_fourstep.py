"""The four-step transforms of simd/fft.h (n = n1 n2, for large n, split
over hostlib's pool) in every installed fft table, against numpy.fft.

Large lengths take four steps by themselves; here each module's planner is
told to take them from short lengths (``four_step_min()``), so the tests
stay fast: c2c and real lengths whose complex side splits into n1 x n2
with partial blocks, both precisions, strided and in place, on one thread
and on two (where the results must be bitwise equal: a block's values
never depend on the thread that computed it), and one plan executed from
several Python threads at once (the plan's cached scratch).
"""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import hostlib
import hostlib.fft as hfft

from test_fft_kernels import BACKWARD, C2C, C2R, FORWARD, MODULES, R2C, _close, _Plan, _PLAN_C2C, _table, \
    _transform

#: c2c lengths, and real lengths whose complex half is four-step: partial
#: column and row blocks (n1 = 25: 8-column blocks and 16-row blocks leave
#: a remainder), powers of two, a factor 3
C2C_SIZES = [256, 1000, 1536, 4096]
REAL_SIZES = [512, 2000, 3072]


@pytest.fixture
def four_step(request: pytest.FixtureRequest):
    """The module's table with four steps from length 16 up, restored after."""
    module = request.param
    table = _table(module)
    mod = importlib.import_module(module)
    if not hasattr(mod, "four_step_min"):
        pytest.skip(f"{module} predates four_step_min()")
    keep = mod.four_step_min()
    mod.four_step_min(16)
    try:
        yield table
    finally:
        mod.four_step_min(keep)


def _algorithm(table, n: int, single: bool = False) -> str:
    import ctypes

    plan = ctypes.c_void_p()
    assert _PLAN_C2C(table.splan_c2c if single else table.dplan_c2c)(n, FORWARD, ctypes.byref(plan)) == 0
    head = _Plan.from_address(plan.value)
    text = head.algorithm.decode()
    ctypes.CFUNCTYPE(None, ctypes.c_void_p)(head.destroy)(plan)
    return text


@pytest.mark.parametrize("four_step", list(MODULES), indirect=True)
@pytest.mark.parametrize("single", [False, True])
@pytest.mark.parametrize("threads", [1, 2])
def test_four_step_matches_numpy_fft(four_step, single: bool, threads: int) -> None:
    table = four_step
    ct, rt = (np.complex64, np.float32) if single else (np.complex128, np.float64)
    assert _algorithm(table, 1000, single).startswith("four-step 25 x 40")
    old = hostlib.get_num_threads()
    hostlib.set_num_threads(threads)
    try:
        for n in C2C_SIZES:
            rng = np.random.default_rng(n)
            x = (rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))).astype(ct)
            _close(_transform(table, C2C, n, x), np.fft.fft(x), single, n)
            _close(_transform(table, C2C, n, x, BACKWARD, 1.0 / n), np.fft.ifft(x), single, n)
        for n in REAL_SIZES:
            rng = np.random.default_rng(n)
            r = rng.standard_normal((2, n)).astype(rt)
            _close(_transform(table, R2C, n, r), np.fft.rfft(r), single, n)
            h = np.fft.rfft(rng.standard_normal((2, n))).astype(ct)
            h[:, 0] += 1j  # the imaginary parts irfft ignores
            h[:, -1] += 1j
            _close(_transform(table, C2R, n, h, BACKWARD, 1.0 / n), np.fft.irfft(h, n), single, n)
    finally:
        hostlib.set_num_threads(old)


@pytest.mark.parametrize("four_step", list(MODULES), indirect=True)
def test_four_step_strided_in_place_and_thread_count(four_step) -> None:
    table = four_step
    n = 1000
    rng = np.random.default_rng(7)
    base = rng.standard_normal((6, 3 * n)) + 1j * rng.standard_normal((6, 3 * n))
    x = base[::-2, ::3][:, :n]  # negative batch distance, stride 3
    results = []
    old = hostlib.get_num_threads()
    try:
        for threads in (1, 2):
            hostlib.set_num_threads(threads)
            out = np.zeros((3, 2 * n), complex)[:, ::-2]  # negative output stride
            _transform(table, C2C, n, x, out=out)
            _close(out, np.fft.fft(x), False, n)
            results.append(out.copy())
            y = np.ascontiguousarray(x)
            want = np.fft.ifft(y) * n * 0.5
            _transform(table, C2C, n, y, BACKWARD, 0.5, out=y)  # in place
            _close(y, want, False, n)
            r = rng.standard_normal((3, 4000))[:, ::-2]  # real, stride 2
            _close(_transform(table, R2C, 2000, r), np.fft.rfft(r), False, 2000)
    finally:
        hostlib.set_num_threads(old)
    # the split never changes a value
    assert np.array_equal(results[0], results[1])


def test_one_plan_from_several_threads() -> None:
    """hostlib.fft's cached plan of a four-step length executed by four
    Python threads at once (each execute takes its own scratch slot)."""
    mods = [importlib.import_module(m) for m in MODULES if _usable(m)]
    keep = [m.four_step_min() for m in mods]
    capacity = hfft.plan_cache_info()["capacity"]
    for m in mods:
        m.four_step_min(16)
    hfft.set_plan_cache_size(0)  # plans made before the change leave
    hfft.set_plan_cache_size(capacity)
    try:
        n = 3072
        rng = np.random.default_rng(3)
        xs = [rng.standard_normal(n) + 1j * rng.standard_normal(n) for _ in range(8)]
        want = [np.fft.fft(x) for x in xs]
        with ThreadPoolExecutor(4) as ex:
            got = list(ex.map(lambda x: [hfft.fft(x) for _ in range(5)][-1], xs))
        for g, w in zip(got, want):
            _close(g, w, False, n)
    finally:
        for m, k in zip(mods, keep):
            m.four_step_min(k)
        hfft.set_plan_cache_size(0)
        hfft.set_plan_cache_size(capacity)


def _usable(module: str) -> bool:
    if any(not hostlib.cpu_features().get(f) for f in MODULES[module]):
        return False
    try:
        return hasattr(importlib.import_module(module), "four_step_min")
    except ImportError:
        return False
