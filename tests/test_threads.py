"""Backends switched while many threads call kernels: every result stays
right, nothing crashes.

Worker threads call kernels through the Python API (dot, axpy on private
arrays, the exp ufunc, gemm) and through a small downstream C module, built
here, that calls ``hostlib_ddot`` in a loop with the GIL released and checks
each table it loads. Meanwhile two threads switch the selection hundreds of
times, one with ``hostlib.use`` and one with ``hostlib.using``, across every
usable backend and ``auto``. Inputs are small integers wherever the result
can then be exact (dot, axpy, gemm), so any backend must give the same
answer and any wrong one is caught; exp is compared with numpy within 4 ULP.

The run takes about 2 s; ``HOSTLIB_STRESS_SECONDS=60 pytest
tests/test_threads.py`` runs longer. Without a C compiler the C part is
skipped (and the Python part still runs).

On a free-threaded CPython (3.13t) the same test runs with true parallelism
(hostlib's modules declare ``Py_MOD_GIL_NOT_USED``; the test reports if the
GIL was re-enabled).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from pathlib import Path

import numpy as np
import pytest

import hostlib

from _build_ext import BuildError, build_and_import, compiler_problem

HOST = hostlib._kernels_host
SECONDS = float(os.environ.get("HOSTLIB_STRESS_SECONDS", "2"))
MIN_SWITCHES = 300  # per switching thread, however short the run
USABLE = [b.name for b in hostlib.backends() if b.usable]
CHOICES = USABLE + ["auto"] + [",".join(reversed(USABLE))]

STRESS_C = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "hostlib_stubs.h"

/* ddot_loop(x, y, iters, expected) -> (bad_results, bad_tables, distinct_tables)
   iters calls of hostlib_ddot with the GIL released. x, y: float64 buffers.
   Each iteration loads the active table once, checks its header and that
   its ddot slot is filled (a thread must only ever see a whole table), then
   calls that ddot; the result must equal `expected` exactly (the test uses
   integer data). distinct_tables counts changes of the table seen. */
static PyObject *
ddot_loop(PyObject *self, PyObject *args)
{
    Py_buffer x, y;
    Py_ssize_t iters;
    double expected;
    if (!PyArg_ParseTuple(args, "y*y*nd", &x, &y, &iters, &expected)) {
        return NULL;
    }
    Py_ssize_t n = x.len / (Py_ssize_t)sizeof(double);
    if (y.len != x.len) {
        PyBuffer_Release(&x);
        PyBuffer_Release(&y);
        PyErr_SetString(PyExc_ValueError, "x and y differ in length");
        return NULL;
    }
    long bad_results = 0, bad_tables = 0, changes = 0;
    const hostlib_kernels_table *last = NULL;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < iters; i++) {
        const hostlib_kernels_table *t = hostlib_kernels_current();
        if (t != last) {
            changes++;
            last = t;
        }
        if (t == NULL || t->header.magic != HOSTLIB_KERNELS_MAGIC || t->header.name == NULL ||
            t->header.size < sizeof(hostlib_kernels_table) || t->ddot == NULL || t->dgemm == NULL) {
            bad_tables++;
            continue;
        }
        double r = t->ddot(n, (const double *)x.buf, 1, (const double *)y.buf, 1);
        /* and once through the call macro, as downstream code writes it */
        double r2 = hostlib_ddot(n, (const double *)x.buf, 1, (const double *)y.buf, 1);
        if (r != expected || r2 != expected) {
            bad_results++;
        }
    }
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&x);
    PyBuffer_Release(&y);
    return Py_BuildValue("lll", bad_results, bad_tables, changes);
}

static PyMethodDef methods[] = {
    {"ddot_loop", ddot_loop, METH_VARARGS, NULL},
    {NULL, NULL, 0, NULL},
};

static int
exec_module(PyObject *m)
{
    return import_hostlib();
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, (void *)exec_module},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "hostlib_stress_ext", NULL, 0, methods, slots};

PyMODINIT_FUNC
PyInit_hostlib_stress_ext(void)
{
    return PyModuleDef_Init(&def);
}
"""


@pytest.fixture(scope="module")
def stress_ext(tmp_path_factory):
    why = compiler_problem()
    if why:
        pytest.skip(f"no C compiler for the downstream stress module: {why}")
    out = tmp_path_factory.mktemp("stress_ext")
    try:
        return build_and_import(STRESS_C, "hostlib_stress_ext", out, include_dirs=[hostlib.get_include()])
    except BuildError as exc:
        pytest.skip(f"cannot build the downstream stress module: {exc}")


class Stress:
    """Runs workers and switchers until the deadline; collects failures."""

    def __init__(self, seconds: float):
        self.deadline = time.monotonic() + seconds
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def running(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def fail(self, what: str) -> None:
        with self.lock:
            if len(self.errors) < 20:
                self.errors.append(what)
        self.stop.set()

    def count(self, name: str, k: int = 1) -> None:
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + k

    def thread(self, name: str, fn, *args) -> threading.Thread:
        def run():
            try:
                fn(self, *args)
            except BaseException:  # noqa: BLE001 - report everything
                self.fail(f"{name}: {traceback.format_exc()}")

        return threading.Thread(target=run, name=name, daemon=True)


# ------------------------------------------------------------------ workers
# Integer-valued float64 data: every backend computes these results exactly.


def dot_worker(s: Stress, n: int) -> None:
    x = np.arange(n, dtype=np.float64) % 7 - 3
    y = np.arange(n, dtype=np.float64) % 5 - 2
    want = float(np.dot(x, y))
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    while s.running():
        got = hostlib.dot(x, y)
        if got != want:
            s.fail(f"dot({n}) = {got!r}, want {want!r} (serving {hostlib.active()['ddot']})")
        got32 = hostlib.dot(x32, y32)
        if got32 != np.float32(want):
            s.fail(f"sdot({n}) = {got32!r}, want {want!r}")
        s.count("dot")


def axpy_worker(s: Stress, n: int) -> None:
    x = (np.arange(n, dtype=np.float64) % 11) - 5
    y = np.zeros(n)  # private to this thread
    k = 0
    while s.running():
        hostlib.axpy(2.0, x, y)
        k += 1
        if k % 16 == 0 and not np.array_equal(y, 2.0 * k * x):
            s.fail(f"axpy({n}) after {k} calls: wrong result")
            return
        s.count("axpy")
    if not np.array_equal(y, 2.0 * k * x):
        s.fail(f"axpy({n}) after {k} calls: wrong result")


def exp_worker(s: Stress, n: int) -> None:
    x = np.linspace(-20.0, 20.0, n)
    want = np.exp(x)
    out = np.empty(n)
    while s.running():
        hostlib.exp(x, out=out)
        if not np.all(np.abs(out - want) <= 4 * np.spacing(want)):
            s.fail(f"exp({n}): off by more than 4 ULP")
        s.count("exp")


def gemm_worker(s: Stress, m: int, k: int, n: int) -> None:
    rng = np.random.default_rng(m * 1000 + n)
    a = rng.integers(-4, 5, (m, k)).astype(np.float64)
    b = rng.integers(-4, 5, (k, n)).astype(np.float64)
    want = a @ b
    c = np.empty((m, n))
    while s.running():
        hostlib.gemm(a, b, c)
        if not np.array_equal(c, want):
            s.fail(f"gemm {m}x{k}x{n}: wrong result (serving {hostlib.active()['dgemm']})")
        got = hostlib.gemm(b, a, trans_a=True, trans_b=True)  # (a @ b).T
        if not np.array_equal(got, want.T):
            s.fail(f"gemm transposed {m}x{k}x{n}: wrong result")
        s.count("gemm")


def c_worker(s: Stress, ext, n: int) -> None:
    x = np.arange(n, dtype=np.float64) % 9 - 4
    y = np.arange(n, dtype=np.float64) % 3 - 1
    want = float(np.dot(x, y))
    while s.running():
        bad_results, bad_tables, changes = ext.ddot_loop(x, y, 2000, want)
        if bad_tables:
            s.fail(f"C caller saw {bad_tables} malformed tables")
        if bad_results:
            s.fail(f"C caller got {bad_results} wrong ddot results")
        s.count("c_ddot", 2000)
        s.count("c_table_changes", changes)


# --------------------------------------------------------------- switchers


def use_switcher(s: Stress) -> None:
    i = 0
    while s.running() or i < MIN_SWITCHES:
        if s.stop.is_set():
            return
        hostlib.use(*CHOICES[i % len(CHOICES)].split(","))
        i += 1
    s.count("use", i)


def using_switcher(s: Stress) -> None:
    i = 0
    while s.running() or i < MIN_SWITCHES:
        if s.stop.is_set():
            return
        name = CHOICES[(i * 7 + 3) % len(CHOICES)]
        with hostlib.using(*name.split(",")):
            inner = USABLE[i % len(USABLE)]
            with hostlib.using(inner):
                pass
        i += 1
    s.count("using", i)


def run_stress(ext=None, seconds: float = SECONDS) -> Stress:
    s = Stress(seconds)
    threads = [
        s.thread("dot-big", dot_worker, 50_000),  # releases the GIL
        s.thread("dot-small", dot_worker, 37),  # keeps it
        s.thread("axpy-1", axpy_worker, 20_001),
        s.thread("axpy-2", axpy_worker, 99),
        s.thread("exp", exp_worker, 10_000),
        s.thread("gemm-big", gemm_worker, 96, 80, 72),
        s.thread("gemm-small", gemm_worker, 5, 3, 7),
        s.thread("use-switcher", use_switcher),
        s.thread("using-switcher", using_switcher),
    ]
    if ext is not None:
        threads += [s.thread(f"c-ddot-{i}", c_worker, ext, n) for i, n in enumerate((4096, 333))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
        if t.is_alive():
            s.fail(f"{t.name} did not finish")
    return s


def _check(s: Stress) -> None:
    assert not s.errors, "\n".join(s.errors)
    assert s.counts.get("use", 0) >= MIN_SWITCHES and s.counts.get("using", 0) >= MIN_SWITCHES, s.counts
    for name in ("dot", "axpy", "exp", "gemm"):
        assert s.counts.get(name, 0) > 0, f"no {name} call completed: {s.counts}"


@pytest.mark.skipif(len(USABLE) < 2, reason="only one usable backend: nothing to switch between")
def test_switching_under_load_python_api():
    s = run_stress()
    _check(s)


@pytest.mark.skipif(len(USABLE) < 2, reason="only one usable backend: nothing to switch between")
def test_switching_under_load_with_a_nogil_c_caller(stress_ext):
    s = run_stress(stress_ext)
    _check(s)
    assert s.counts.get("c_ddot", 0) > 0, s.counts
    print(f"\nstress counts: {s.counts}; GIL enabled: {getattr(sys, '_is_gil_enabled', lambda: True)()}")


def test_selection_is_consistent_after_the_storm():
    run_stress(seconds=0.2)
    hostlib.use("auto")
    for entry, provider in hostlib.active().items():
        assert HOST.active_address(entry) == HOST.slot_address(provider, entry) != 0


@pytest.mark.skipif(not hasattr(sys, "_is_gil_enabled"), reason="not a free-threading-aware CPython (< 3.13)")
def test_free_threaded_build_keeps_the_gil_disabled(stress_ext):
    """On a free-threaded build, importing hostlib (and a downstream module
    declaring Py_MOD_GIL_NOT_USED) must not re-enable the GIL."""
    import sysconfig

    if not sysconfig.get_config_var("Py_GIL_DISABLED"):
        pytest.skip("not a free-threaded build")
    assert not sys._is_gil_enabled(), "an imported module re-enabled the GIL (missing Py_mod_gil?)"
