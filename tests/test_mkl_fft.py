"""The MKL wheel's fft table (kernels_mkl._mkl_fft: hostlib's plans on
MKL's DFTI).

Skipped when the wheel is not installed; the tests that need MKL itself
are skipped when the `mkl` package (about 1 GB) is not installed. To run
them all:

    pip install mkl && pip install --no-build-isolation ./kernels_mkl
    pytest tests/test_mkl_fft.py

The checks every fft backend passes run MKL's table too, since it is an
installed, usable backend: against numpy.fft at every length of
tests/test_fft_kernels.py (n = 1, 2, primes, powers of two, 1000, 65536;
c2c both signs, r2c, c2r with the imaginary parts irfft ignores; f32 and
f64; strided, reversed, in place), tests/test_fft_numpy.py (the primitive,
the plan cache, numpy's own fft tests with the patch), tests/test_fft_api.py
and tests/test_tune_fft.py (tune's verification). Here, what is MKL's own:

* tune's verification of every entry MKL serves (as tests/test_mkl.py does
  for the kernels);
* the layouts DFTI takes from its offsets (negative strides and
  distances), those it refuses (a zero stride) and the overlaps that are not
  its in place (the padded in-place r2c and c2r layouts), which go through
  copies; more batch layouts than a plan keeps descriptors for; the input
  left as it was; the error codes;
* one plan executed from many threads with different layouts;
* hostlib's thread budget decides MKL's threads per call, whatever MKL's
  process-wide count says;
* hostlib.fft and the patched numpy.fft switched to MKL, and the report's
  MKL lines in the fft section.

Without MKL the backend is "missing dependency" in the fft interface as in
the others: tests/test_mkl.py's tests of that state check all three.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np
import pytest

import hostlib
from hostlib._host import registry

from test_fft_kernels import (
    _DESTROY,
    _EXECUTE,
    _PLAN_C2C,
    _PLAN_REAL,
    BACKWARD,
    C2C,
    C2R,
    FORWARD,
    R2C,
    _close,
    _Plan,
    _table,
    _transform,
)

kernels_mkl = pytest.importorskip(
    "kernels_mkl",
    reason="hostlib-mkl is not installed (pip install mkl && pip install --no-build-isolation ./kernels_mkl)",
)

FHOST = registry.host("fft")
MKL_F = FHOST.backends.get("mkl")
USABLE = MKL_F is not None and MKL_F.usable
needs_mkl = pytest.mark.skipif(
    not USABLE,
    reason="the mkl package is not installed (about 1 GB): pip install mkl, then pytest tests/test_mkl_fft.py"
    + (f" [mkl fft backend: {MKL_F.status}: {MKL_F.reason}]" if MKL_F is not None else ""),
)
MODULE = "kernels_mkl._mkl_fft"


@needs_mkl
def test_serves_every_fft_entry():
    assert set(MKL_F.provides) == set(FHOST.iface.entries)
    assert set(MKL_F.threaded) == set(MKL_F.provides)  # THREADED: its set_num_threads gets hostlib's budget


@needs_mkl
@pytest.mark.parametrize("entry", sorted(MKL_F.provides) if USABLE else [])
def test_passes_tunes_verification(entry):
    """The check `hostlib tune --interface fft` makes before a backend may
    serve a planner, against the portable table."""
    from hostlib._measure import tune

    assert tune.verify(FHOST, entry, "mkl") is None


# ------------------------------------------------------------------ layouts


def _complex(rng, shape, dt=np.complex128):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt)


@needs_mkl
@pytest.mark.parametrize("n", [1, 2, 3, 17, 1000, 1024])
@pytest.mark.parametrize("single", [False, True], ids=["f64", "f32"])
def test_strided_reversed_and_zero_stride_batches(n, single):
    """Negative strides and distances (DFTI's offsets) and a zero stride,
    which DFTI refuses (copied), for every kind."""
    table = _table(MODULE)
    ct, rt = (np.complex64, np.float32) if single else (np.complex128, np.float64)
    rng = np.random.default_rng(n)
    base = _complex(rng, (10, 3 * n), ct)
    for x in (base[::2, ::3][:, :n], base[::-2, ::-3][:, :n], base[:1, :n]):
        _close(_transform(table, C2C, n, x), np.fft.fft(x), single, n)
        out = np.zeros((x.shape[0], 2 * n), ct)[::-1, ::-2]  # reversed output
        _transform(table, C2C, n, x, BACKWARD, 0.5, out=out)
        _close(out, np.fft.ifft(x) * n * 0.5, single, n)
        r = np.ascontiguousarray(x.real.astype(rt))[:, ::-1]
        _close(_transform(table, R2C, n, r), np.fft.rfft(r), single, n)
        h = np.fft.rfft(r).astype(ct)[::-1, ::-1][:, ::-1]
        _close(_transform(table, C2R, n, h, BACKWARD, 1.0 / n), np.fft.irfft(h, n), single, n)
    # every element at one address (stride 0): DFTI refuses it, the copy serves it
    one = np.broadcast_to(ct(1.5 - 2j), (1, n))
    _close(_transform(table, C2C, n, one), np.fft.fft(np.full((1, n), 1.5 - 2j)), single, n)


@needs_mkl
@pytest.mark.parametrize("n", [1, 2, 7, 16, 1000])
def test_in_place_and_overlapping_layouts(n):
    """c2c in place is DFTI's; the padded in-place r2c and c2r layouts and
    a shifted overlap are copies of the input first."""
    table = _table(MODULE)
    rng = np.random.default_rng(n)
    y = _complex(rng, (3, n))
    want = np.fft.fft(y) * 0.25
    _transform(table, C2C, n, y, FORWARD, 0.25, out=y)
    _close(y, want, False, n)
    # in place with reversed strides (equal on both sides): still DFTI's in place
    z = _complex(rng, (3, 2 * n))[::-1, ::-2]
    want = np.fft.fft(z)
    _transform(table, C2C, n, z, out=z)
    _close(z, want, False, n)
    # r2c in the padded layout: the n reals of a row are its n/2+1 complex values' storage
    buf = np.zeros((4, n // 2 + 1), complex)
    real = buf.view(np.float64)[:, :n]
    real[...] = rng.standard_normal((4, n))
    want = np.fft.rfft(real)
    _transform(table, R2C, n, real, out=buf)
    _close(buf, want, False, n)
    # c2r the other way round: a spectrum overwritten by its n reals
    spec = np.fft.rfft(rng.standard_normal((4, n)))
    want = np.fft.irfft(spec, n)
    real = spec.view(np.float64)[:, :n]
    _transform(table, C2R, n, spec, BACKWARD, 1.0 / n, out=real)
    _close(real, want, False, n)
    # output shifted by one element into the input's rows
    if n > 1:
        big = _complex(rng, (1, 2 * n))
        x, out = big[:, :n], big[:, 1:n + 1]
        want = np.fft.fft(x)
        _transform(table, C2C, n, x, out=out)
        _close(out, want, False, n)


def _plan(table, kind: int, n: int, single: bool = False, sign: int = FORWARD) -> ctypes.c_void_p:
    plan = ctypes.c_void_p()
    p = "s" if single else "d"
    if kind == C2C:
        st = _PLAN_C2C(getattr(table, p + "plan_c2c"))(n, sign, ctypes.byref(plan))
    else:
        st = _PLAN_REAL(getattr(table, p + ("plan_r2c" if kind == R2C else "plan_c2r")))(n, ctypes.byref(plan))
    assert st == 0
    return plan


def _execute(plan, x: np.ndarray, out: np.ndarray, scale: float = 1.0, howmany: int | None = None) -> int:
    head = _Plan.from_address(plan.value)
    isz, osz = x.itemsize, out.itemsize
    return _EXECUTE(head.execute)(plan, x.shape[0] if howmany is None else howmany, x.ctypes.data,
                                  x.strides[1] // isz, x.strides[0] // isz, out.ctypes.data,
                                  out.strides[1] // osz, out.strides[0] // osz, scale)


@needs_mkl
def test_one_plan_more_layouts_than_it_keeps_and_the_input_untouched():
    """A plan keeps a descriptor per layout for a few layouts; more are
    committed in their turn, and every one transforms right, before and
    after the others displaced it. No kind writes its input."""
    table = _table(MODULE)
    n = 60
    rng = np.random.default_rng(3)
    plans = {k: _plan(table, k, n) for k in (C2C, R2C, C2R)}
    try:
        for rounds in range(2):
            for howmany in range(1, 7):
                for scale in (1.0, 0.5):
                    x = _complex(rng, (howmany, 2 * n))[:, ::2]
                    keep = x.copy()
                    out = np.empty((howmany, n), complex)
                    assert _execute(plans[C2C], x, out, scale) == 0
                    _close(out, np.fft.fft(x) * scale, False, n)
                    r = rng.standard_normal((howmany, n))
                    rkeep = r.copy()
                    spec = np.empty((howmany, n // 2 + 1), complex)
                    assert _execute(plans[R2C], r, spec, scale) == 0
                    _close(spec, np.fft.rfft(r) * scale, False, n)
                    h = np.fft.rfft(r)
                    hkeep = h.copy()
                    back = np.empty((howmany, n))
                    assert _execute(plans[C2R], h, back, scale / n) == 0
                    _close(back, r * scale, False, n)
                    assert np.array_equal(x, keep) and np.array_equal(r, rkeep) and np.array_equal(h, hkeep)
    finally:
        for p in plans.values():
            _DESTROY(_Plan.from_address(p.value).destroy)(p)


@needs_mkl
def test_error_codes():
    table = _table(MODULE)
    plan = ctypes.c_void_p()
    assert _PLAN_C2C(table.dplan_c2c)(0, FORWARD, ctypes.byref(plan)) == -1  # EINVAL: n < 1
    assert _PLAN_C2C(table.dplan_c2c)(8, 0, ctypes.byref(plan)) == -1  # EINVAL: sign
    assert _PLAN_REAL(table.splan_r2c)(-3, ctypes.byref(plan)) == -1
    assert _PLAN_C2C(table.dplan_c2c)(8, FORWARD, None) == -1  # no place for the plan
    p = _plan(table, C2C, 8)
    head = _Plan.from_address(p.value)
    assert head.n == 8 and head.kind == C2C and head.sign == FORWARD and head.precision == 8
    assert b"DFTI" in head.algorithm
    x = np.ones((1, 8), complex)
    try:
        ex = _EXECUTE(head.execute)
        assert ex(p, -1, x.ctypes.data, 1, 8, x.ctypes.data, 1, 8, 1.0) == -1  # EINVAL: howmany < 0
        assert ex(p, 1, None, 1, 8, x.ctypes.data, 1, 8, 1.0) == -1  # EINVAL: NULL
        assert ex(p, 0, None, 1, 8, None, 1, 8, 1.0) == 0  # no arrays: nothing to do
    finally:
        _DESTROY(head.destroy)(p)


# ------------------------------------------------------------------ threads


@needs_mkl
def test_one_plan_from_many_threads_with_different_layouts():
    """Threads share one cached plan per kind (hostlib.fft's cache) and
    each executes its own batch layouts: every result is right."""
    import hostlib.fft
    from hostlib.fft import _transforms as T

    n = 256
    errors: list = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for i in range(40):
                howmany = 1 + (seed + i) % 5
                x = _complex(rng, (howmany, 2 * n))[:, :: 1 + i % 2][:, :n]
                out = np.empty((howmany, n), complex)
                T.execute(T.C2C, T.FORWARD, x, out, n, 1.0, 1)
                if not np.allclose(out, np.fft.fft(x), atol=1e-10 * n):
                    errors.append((seed, i))
        except Exception as exc:  # noqa: BLE001 -- reported below
            errors.append(exc)

    with hostlib.using("mkl", interface="fft"):
        threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        plans = hostlib.fft.plan_cache_info()["plans"]
    assert not errors, errors[:5]
    assert any(p["backend"] == "mkl" and p["n"] == n for p in plans), plans


@needs_mkl
def test_hostlib_thread_budget_decides_mkls_threads_per_call(run_python):
    """Each compute runs on the threads hostlib's pool allows it at that
    moment, not on MKL's process-wide count nor on the count when the
    descriptor was committed: a batch MKL would share out starts no OpenMP
    thread under a budget of 1 though MKL's own count (at commit and after)
    is 2, and a descriptor committed under a budget of 1 uses a second
    thread once the budget is 2."""
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("one CPU")
    code = """
        import os, sys, ctypes, numpy as np, hostlib, kernels_mkl
        sys.path.insert(0, {tests!r})
        from test_fft_kernels import _table, _PLAN_C2C, _Plan, _EXECUTE
        hostlib.active(interface="fft")
        hostlib.set_num_threads(1)
        if {force}:
            kernels_mkl.set_num_threads(2)  # MKL's own count, above the budget
        t = _table("kernels_mkl._mkl_fft")
        plan = ctypes.c_void_p()
        n, hm = 4096, 64
        assert _PLAN_C2C(t.dplan_c2c)(n, -1, ctypes.byref(plan)) == 0
        head = _Plan.from_address(plan.value)
        x = np.random.default_rng(0).standard_normal((hm, n)) + 1j
        out = np.empty_like(x)
        tasks = lambda: len(os.listdir("/proc/self/task"))
        seen = [tasks()]
        # the batch layout's descriptor is committed here, then computed
        assert _EXECUTE(head.execute)(plan, hm, x.ctypes.data, 1, n, out.ctypes.data, 1, n, 1.0) == 0
        seen.append(tasks())
        hostlib.set_num_threads({then})
        assert _EXECUTE(head.execute)(plan, hm, x.ctypes.data, 1, n, out.ctypes.data, 1, n, 1.0) == 0
        seen.append(tasks())
        assert np.allclose(out, np.fft.fft(x))
        print(*seen)
    """
    from pathlib import Path

    tests = str(Path(__file__).resolve().parent)
    one = run_python(code.format(tests=tests, force=True, then=1))
    assert one.returncode == 0, one.stderr
    start, first, second = map(int, one.stdout.split())
    assert start == first == second, "MKL started threads beyond a budget of 1"
    two = run_python(code.format(tests=tests, force=False, then=2))
    assert two.returncode == 0, two.stderr
    start, first, second = map(int, two.stdout.split())
    assert start == first < second, "a descriptor committed under a budget of 1 kept one thread under 2"


# ------------------------------------------- hostlib.fft, numpy.fft, report


@needs_mkl
def test_hostlib_fft_and_patched_numpy_fft_switched_to_mkl():
    import hostlib.fft as hfft

    rng = np.random.default_rng(5)
    x = _complex(rng, (3, 1000))
    r = rng.standard_normal((2, 999)).astype(np.float32)
    with hostlib.using("mkl", interface="fft"):
        assert hostlib.active(interface="fft")["dplan_c2c"] == "mkl"
        np.testing.assert_allclose(hfft.fft(x, norm="ortho"), np.fft.fft(x, norm="ortho"), atol=1e-12)
        np.testing.assert_allclose(hfft.irfft(hfft.rfft(r), 999), r, atol=1e-5)
        with hostlib.patched_numpy("fft"):
            got = np.fft.ifft(x, axis=0)
            spec = np.fft.rfft(r)
        plans = hfft.plan_cache_info()["plans"]
    mine = [p for p in plans if p["backend"] == "mkl"]
    assert {(p["kind"], p["n"]) for p in mine} >= {("c2c", 1000), ("r2c", 999), ("c2r", 999), ("c2c", 3)}, plans
    assert all("DFTI" in p["algorithm"] for p in mine)
    np.testing.assert_allclose(got, np.fft.ifft(x, axis=0), atol=1e-14)
    np.testing.assert_allclose(spec, np.fft.rfft(r.astype(np.float64)), atol=1e-3)


@needs_mkl
def test_report_shows_mkls_version_and_code_path_for_fft():
    d = MKL_F.details()
    assert "Math Kernel Library" in d["version"] and d["code path"], d
    assert d["threads"] == str(kernels_mkl.get_num_threads())
