"""A library's own interface, served by the installed hostlib next to its
kernels: the example ``examples/third_party_interface`` (import name
``sigproc``, interface ``filters``: ``biquad`` and ``fir`` with struct
arguments and status codes).

* every provider (portable, SSE2, AVX2) against numpy, at every length
  around the vector widths, and the status of every bad argument;
* two interfaces in one process: switching one, also under threads with
  GIL-free C callers, never changes the other, and callers see whole
  tables;
* in a subprocess with fake distributions on ``PYTHONPATH`` (as
  test_broken_modules.py does): a provider built from the header of an
  older minor still serves what it has; providers with a wrong capsule
  name or magic are rejected with the reason; an interface whose entries
  have the short names of other interfaces' entries; a registration that
  cannot be used shows in the report and breaks nothing else;
* the ABI lock of the example's spec stops the generator.

Skipped when the example is not installed (``pip install
--no-build-isolation ./examples/third_party_interface``).
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import hostlib

from _build_ext import BuildError, build_and_import, build_extension, compiler_problem

if importlib.util.find_spec("sigproc") is None:
    pytest.skip("the third-party interface example is not installed: "
                "pip install --no-build-isolation ./examples/third_party_interface", allow_module_level=True)

import sigproc  # noqa: E402

TESTS = Path(__file__).resolve().parent
EXAMPLE = TESTS.parent / "examples" / "third_party_interface"
KERNELS = hostlib._kernels_host
FILTERS = hostlib._host.registry.host("filters")
USABLE = [b.name for b in hostlib.backends(interface="filters") if b.usable]
KERNELS_USABLE = [b.name for b in hostlib.backends() if b.usable]
EPS = np.finfo(np.float64).eps
SIGPROC_OK, SIGPROC_EINVAL, SIGPROC_EUNSTABLE = 0, -1, -2


@pytest.fixture(autouse=True)
def _restore_filters_selection():
    before = FILTERS.preference
    yield
    FILTERS.use(before)


# ===================================================== served by the host


def test_both_interfaces_are_served_and_reported(run_python):
    assert hostlib.interfaces()[:1] == ["kernels"] and "filters" in hostlib.interfaces()
    r = run_python("""
        import io, json, hostlib
        buf = io.StringIO()
        hostlib.show_runtime(file=buf)
        print(json.dumps({"info": hostlib.runtime_info(), "report": buf.getvalue()}))
    """)
    assert r.returncode == 0, r.stderr
    out = r.json()
    filters = out["info"]["interfaces"]["filters"]
    assert filters["abi"] == "1.1" and set(filters["entries"]) == {"biquad", "fir"}
    assert {b["name"] for b in filters["backends"]} >= {"portable", "sse2", "avx2"}
    portable = next(b for b in filters["backends"] if b["name"] == "portable")
    assert "sigproc._portable" in portable["origin"] and "hostlib" not in portable["origin"]
    assert out["info"]["entries"]["ddot"]  # the kernels, as before, at the top level
    report = out["report"]
    assert "Interface 'filters' (ABI 1.1)" in report
    section = report.split("Interface 'filters'")[1]
    assert "biquad" in section and "fir" in section and "run `hostlib tune`" not in section


def test_best_provider_serves_and_avx2_on_an_avx2_machine():
    features = hostlib.cpu_features()
    active = hostlib.active(interface="filters")
    assert set(active.values()) == {USABLE[0]}
    if features["AVX2"] and features["FMA3"]:
        assert active == {"biquad": "avx2", "fir": "avx2"}
    for entry, backend in active.items():
        assert sigproc.kernel_address(entry) == FILTERS.slot_address(backend, entry) != 0
    assert sigproc.table_name() == f"hostlib[{USABLE[0]}]"


# ============================================== results against numpy

#: every tail of the widest 4-vector FIR block (4 x 4 lanes) and of the
#: biquad's 256-sample blocks
LENGTHS = sorted(set(range(0, 40)) | {63, 64, 65, 255, 256, 257, 511, 512, 513, 1000})
COEFFS = [(0.2, 0.4, 0.2, -0.4, 0.2), (1.0, -1.8, 0.81, -1.6, 0.68), (0.5, 0.0, -0.5, 0.0, -0.9)]


def biquad_reference(c, x, state=(0.0, 0.0, 0.0, 0.0)):
    """Direct form I in Python, plus a bound on its rounding: the sum of
    the absolute values of every term, propagated through the recursion."""
    b0, b1, b2, a1, a2 = c
    x1, x2, y1, y2 = state
    m1 = m2 = abs(y1) + abs(y2)
    y, mag = np.empty(len(x)), np.empty(len(x))
    for i, v in enumerate(x):
        y[i] = b0 * v + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
        mag[i] = abs(b0 * v) + abs(b1 * x1) + abs(b2 * x2) + abs(a1) * m1 + abs(a2) * m2
        x2, x1, y2, y1, m2, m1 = x1, v, y1, y[i], m1, mag[i]
    return y, mag


@pytest.mark.parametrize("backend", USABLE)
def test_fir_matches_numpy(backend):
    rng = np.random.default_rng(1)
    with hostlib.using(backend, interface="filters"):
        for ntaps in (1, 2, 3, 8, 33):
            h = rng.normal(size=ntaps)
            for n in LENGTHS[1:]:  # n = 0 (fewer samples than taps) is an error, as below
                x = rng.normal(size=n + ntaps - 1)
                y = sigproc.fir(x, h)
                ref = np.convolve(x, h, "valid")
                bound = 2 * ntaps * EPS * np.convolve(np.abs(x), np.abs(h), "valid")
                assert y.shape == (n,)
                assert (np.abs(y - ref) <= bound).all(), (backend, ntaps, n)
            # integers: exact on every provider, fused or not
            x = rng.integers(-50, 50, size=300).astype(float)
            hi = rng.integers(-5, 5, size=ntaps).astype(float)
            np.testing.assert_array_equal(sigproc.fir(x, hi), np.convolve(x, hi, "valid"))


@pytest.mark.parametrize("backend", USABLE)
def test_biquad_matches_numpy(backend):
    rng = np.random.default_rng(2)
    with hostlib.using(backend, interface="filters"):
        for c in COEFFS:
            b, a = c[:3], (1.0,) + c[3:]
            for n in LENGTHS:
                x = rng.normal(size=n)
                state = rng.normal(size=4)
                s = state.copy()
                y = sigproc.biquad(x, b, a, state=s)
                ref, mag = biquad_reference(c, x, state)
                assert (np.abs(y - ref) <= 64 * EPS * mag).all(), (backend, c, n)
                if n:
                    assert s.tolist() == [x[-1], x[-2] if n > 1 else state[0], y[-1], y[-2] if n > 1 else state[2]]
                else:
                    assert s.tolist() == state.tolist()
            # a0 normalizes, as in scipy.signal.lfilter
            x = rng.normal(size=100)
            np.testing.assert_allclose(sigproc.biquad(x, [2 * v for v in b], [2 * v for v in a]),
                                       sigproc.biquad(x, b, a), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("backend", USABLE)
def test_biquad_in_pieces_equals_one_call(backend):
    """The state carries a signal across calls, to the bit: every sample
    is computed the same way wherever a block or a vector starts."""
    x = np.random.default_rng(3).normal(size=1500)
    b, a = COEFFS[1][:3], (1.0,) + COEFFS[1][3:]
    with hostlib.using(backend, interface="filters"):
        whole = sigproc.biquad(x, b, a)
        state = np.zeros(4)
        cuts = [0, 1, 2, 7, 300, 301, 557, 1024, 1499, 1500]
        pieces = [sigproc.biquad(x[i:j], b, a, state=state) for i, j in zip(cuts, cuts[1:])]
    np.testing.assert_array_equal(np.concatenate(pieces), whole)


def test_bad_input_is_a_value_error_from_the_status():
    x = np.ones(10)
    with pytest.raises(ValueError, match="SIGPROC_EUNSTABLE"):
        sigproc.biquad(x, (1, 0, 0), (1, 0, 1.0))  # a pole on the unit circle
    with pytest.raises(ValueError, match="SIGPROC_EUNSTABLE"):
        sigproc.biquad(x, (np.nan, 0, 0), (1, 0, 0))
    with pytest.raises(ValueError, match="SIGPROC_EINVAL"):
        sigproc.fir(x, [])
    with pytest.raises(ValueError, match="x has 10 samples, fewer than the 11 taps"):
        sigproc.fir(x, np.ones(11))  # numpy.convolve would swap them
    with pytest.raises(ValueError, match="state must be"):
        sigproc.biquad(x, (1, 0, 0), (1, 0, 0), state=np.zeros(3))


# ---------------------------------- every provider's status, through ctypes


class Coeffs(ctypes.Structure):
    _fields_ = [(n, ctypes.c_double) for n in ("b0", "b1", "b2", "a1", "a2")]


class Taps(ctypes.Structure):
    _fields_ = [("taps", ctypes.POINTER(ctypes.c_double)), ("ntaps", ctypes.c_ssize_t)]


DP = ctypes.POINTER(ctypes.c_double)
BIQUAD = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Coeffs), ctypes.c_ssize_t, DP, DP, DP)
FIR = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(Taps), ctypes.c_ssize_t, DP, DP)


def ptr(a):
    return a.ctypes.data_as(DP)


@pytest.mark.parametrize("backend", USABLE)
def test_every_provider_returns_the_status_and_writes_nothing_on_error(backend):
    biquad = BIQUAD(FILTERS.slot_address(backend, "biquad"))
    fir = FIR(FILTERS.slot_address(backend, "fir"))
    x, y, state = np.arange(1.0, 9.0), np.full(8, 7.0), np.full(4, 0.5)
    good = Coeffs(0.2, 0.4, 0.2, -0.4, 0.2)
    cases = [
        (None, 8, ptr(x), ptr(y), ptr(state), SIGPROC_EINVAL),
        (good, 8, ptr(x), ptr(y), None, SIGPROC_EINVAL),
        (good, -1, ptr(x), ptr(y), ptr(state), SIGPROC_EINVAL),
        (good, 8, None, ptr(y), ptr(state), SIGPROC_EINVAL),
        (good, 8, ptr(x), None, ptr(state), SIGPROC_EINVAL),
        (Coeffs(1, 0, 0, 0, 1.0), 8, ptr(x), ptr(y), ptr(state), SIGPROC_EUNSTABLE),
        (Coeffs(1, 0, 0, 2.0, 0.99), 8, ptr(x), ptr(y), ptr(state), SIGPROC_EUNSTABLE),
        (Coeffs(1, 0, 0, 0, -1.0), 8, ptr(x), ptr(y), ptr(state), SIGPROC_EUNSTABLE),
        (Coeffs(1, float("inf"), 0, 0, 0), 8, ptr(x), ptr(y), ptr(state), SIGPROC_EUNSTABLE),
        (good, 0, None, None, ptr(state), SIGPROC_OK),  # nothing to do: no pointer needed
    ]
    for c, n, xp, yp, sp, status in cases:
        assert biquad(None if c is None else ctypes.byref(c), n, xp, yp, sp) == status, (backend, n, status)
        assert (y == 7.0).all() and (state == 0.5).all()
    h = np.array([1.0, -2.0, 0.5])
    for taps, n, xp, yp, status in [
        (None, 6, ptr(x), ptr(y), SIGPROC_EINVAL),
        (Taps(None, 3), 6, ptr(x), ptr(y), SIGPROC_EINVAL),
        (Taps(ptr(h), 0), 6, ptr(x), ptr(y), SIGPROC_EINVAL),
        (Taps(ptr(h), 3), -1, ptr(x), ptr(y), SIGPROC_EINVAL),
        (Taps(ptr(h), 3), 6, None, ptr(y), SIGPROC_EINVAL),
        (Taps(ptr(h), 3), 6, ptr(x), None, SIGPROC_EINVAL),
        (Taps(ptr(h), 3), 0, None, None, SIGPROC_OK),
    ]:
        assert fir(None if taps is None else ctypes.byref(taps), n, xp, yp) == status, (backend, n, status)
        assert (y == 7.0).all()


@pytest.mark.parametrize("backend", USABLE)
def test_every_provider_filters_in_place(backend):
    biquad = BIQUAD(FILTERS.slot_address(backend, "biquad"))
    fir = FIR(FILTERS.slot_address(backend, "fir"))
    x = np.random.default_rng(4).normal(size=700)
    c = Coeffs(*COEFFS[1])
    y, s1, s2 = np.empty_like(x), np.zeros(4), np.zeros(4)
    assert biquad(ctypes.byref(c), len(x), ptr(x), ptr(y), ptr(s1)) == 0
    z = x.copy()
    assert biquad(ctypes.byref(c), len(z), ptr(z), ptr(z), ptr(s2)) == 0
    assert z.tolist() == y.tolist() and s1.tolist() == s2.tolist()
    h = np.random.default_rng(5).normal(size=9)
    taps = Taps(ptr(h), len(h))
    n = len(x) - len(h) + 1
    assert fir(ctypes.byref(taps), n, ptr(x), ptr(y)) == 0
    z = x.copy()
    assert fir(ctypes.byref(taps), n, ptr(z), ptr(z)) == 0
    assert z[:n].tolist() == y[:n].tolist()


# ======================================== two interfaces in one process


def test_switching_one_interface_never_touches_the_other():
    kernels = {e: KERNELS.active_address(e) for e in KERNELS.iface.entries}
    kernels_active = hostlib.active()
    for choice in [*USABLE, "auto", ",".join(reversed(USABLE))]:
        hostlib.use(choice, interface="filters")
        expected = USABLE[0] if choice == "auto" else choice.split(",")[0]
        assert hostlib.active(interface="filters") == {"biquad": expected, "fir": expected}
        assert sigproc.kernel_address("fir") == FILTERS.slot_address(expected, "fir")
        assert hostlib.active() == kernels_active
        assert {e: KERNELS.active_address(e) for e in KERNELS.iface.entries} == kernels
    hostlib.use("auto", interface="filters")
    filters = {e: sigproc.kernel_address(e) for e in ("biquad", "fir")}
    before = KERNELS.preference
    try:
        for choice in KERNELS_USABLE:
            hostlib.use(choice)
            assert hostlib.active(interface="filters") == {"biquad": USABLE[0], "fir": USABLE[0]}
            assert {e: sigproc.kernel_address(e) for e in filters} == filters
        with hostlib.using("portable"), hostlib.using("portable", interface="filters"):
            assert set(hostlib.active().values()) == {"portable"}
            assert set(hostlib.active(interface="filters").values()) == {"portable"}
    finally:
        KERNELS.use(before)
    assert {e: sigproc.kernel_address(e) for e in filters} == filters


def test_a_bad_choice_names_the_interfaces_backends_and_changes_nothing():
    before = hostlib.active(interface="filters"), hostlib.active()
    with pytest.raises(hostlib.BackendError) as info:
        hostlib.use("openblas", interface="filters")  # a kernels backend, not a filters one
    assert "unknown backend 'openblas'" in str(info.value) and "avx2" in str(info.value)
    with pytest.raises(hostlib.InterfaceError, match="unknown interface 'filterz'"):
        hostlib.active(interface="filterz")
    assert (hostlib.active(interface="filters"), hostlib.active()) == before


STRESS_C = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "sigproc_stubs.h"

/* fir_loop(x, taps, expected, iters, pairs) -> (bad_results, bad_tables, changes)
   With the GIL released: load the active filters table once per
   iteration; its (biquad, fir) pair must be one of `pairs` (uint64 pairs,
   one per provider: a whole table, never a mix), then call its fir, and
   once more through the call macro; integer data: the result is exact. */
static PyObject *fir_loop(PyObject *self, PyObject *args)
{
    Py_buffer x, h, expected, pairs;
    Py_ssize_t iters;
    if (!PyArg_ParseTuple(args, "y*y*y*ny*", &x, &h, &expected, &iters, &pairs)) {
        return NULL;
    }
    const Py_ssize_t ntaps = h.len / 8, n = expected.len / 8, npairs = pairs.len / 16;
    const uint64_t *p = (const uint64_t *)pairs.buf;
    double *y = PyMem_Malloc((size_t)(n + 1) * sizeof(double));
    long bad_results = 0, bad_tables = 0, changes = 0;
    const sigproc_fir_taps taps = {(const double *)h.buf, ntaps};
    Py_BEGIN_ALLOW_THREADS
    const sigproc_filters_table *last = NULL;
    for (Py_ssize_t i = 0; i < iters && y != NULL; i++) {
        const sigproc_filters_table *t = sigproc_filters_current();
        changes += t != last;
        last = t;
        int whole = 0;
        for (Py_ssize_t k = 0; k < npairs; k++) {
            whole |= p[2 * k] == (uint64_t)(uintptr_t)t->biquad && p[2 * k + 1] == (uint64_t)(uintptr_t)t->fir;
        }
        if (!whole || t->header.magic != SIGPROC_FILTERS_MAGIC) {
            bad_tables++;
            continue;
        }
        if (t->fir(&taps, n, (const double *)x.buf, y) != SIGPROC_OK
            || memcmp(y, expected.buf, (size_t)n * sizeof(double)) != 0
            || sigproc_fir(&taps, n, (const double *)x.buf, y) != SIGPROC_OK
            || memcmp(y, expected.buf, (size_t)n * sizeof(double)) != 0) {
            bad_results++;
        }
    }
    Py_END_ALLOW_THREADS
    PyMem_Free(y);
    PyBuffer_Release(&x);
    PyBuffer_Release(&h);
    PyBuffer_Release(&expected);
    PyBuffer_Release(&pairs);
    return Py_BuildValue("lll", bad_results, bad_tables, changes);
}

static PyMethodDef methods[] = {{"fir_loop", fir_loop, METH_VARARGS, NULL}, {NULL, NULL, 0, NULL}};
static int exec_module(PyObject *m) { return import_sigproc(); }
static PyModuleDef_Slot slots[] = {{Py_mod_exec, (void *)exec_module}, {0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "sigproc_stress_ext", NULL, 0, methods, slots};
PyMODINIT_FUNC PyInit_sigproc_stress_ext(void) { return PyModuleDef_Init(&def); }
"""


@pytest.fixture(scope="module")
def stress_ext(tmp_path_factory):
    """A C consumer of the filters interface, built against the headers
    sigproc installs (sigproc.get_include()) and hostlib's."""
    problem = compiler_problem()
    if problem:
        pytest.skip(f"cannot build the C consumer: {problem}")
    out = tmp_path_factory.mktemp("sigproc-stress")
    try:
        return build_and_import(STRESS_C, "sigproc_stress_ext", out, [sigproc.get_include(), hostlib.get_include()])
    except BuildError as exc:
        pytest.skip(f"cannot build the C consumer: {exc}")


@pytest.mark.skipif(len(USABLE) < 2, reason="only one usable filters backend: nothing to switch between")
def test_per_interface_switching_under_threads(stress_ext):
    """Phase 1 switches the filters while the kernels stay put, phase 2
    the kernels while the filters stay put; GIL-free C callers of the
    filters run throughout and must see whole tables and exact results;
    an observer checks the interface not being switched never moves."""
    rng = np.random.default_rng(6)
    x = rng.integers(-20, 20, size=1200).astype(float)
    h = rng.integers(-3, 4, size=13).astype(float)
    expected = np.convolve(x, h, "valid")
    pairs = np.array([[FILTERS.slot_address(b, "biquad"), FILTERS.slot_address(b, "fir")] for b in USABLE],
                     dtype=np.uint64)
    errors: list[str] = []
    counts = {"switches": 0, "observed": 0, "c_calls": 0, "changes": 0}
    stop = threading.Event()

    def guard(fn):
        def run(*args):
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001
                errors.append(f"{fn.__name__}: {exc!r}")
                stop.set()
        return run

    @guard
    def c_caller():
        while not stop.is_set():
            bad, torn, changes = stress_ext.fir_loop(x.tobytes(), h.tobytes(), expected.tobytes(), 200,
                                                     pairs.tobytes())
            if bad or torn:
                errors.append(f"C caller: {bad} wrong results, {torn} torn tables")
                stop.set()
            counts["c_calls"] += 200
            counts["changes"] += changes

    @guard
    def switcher(interface, choices, until):
        i = 0
        while time.monotonic() < until and not stop.is_set():
            if i % 2:
                hostlib.use(choices[i % len(choices)], interface=interface)
            else:
                with hostlib.using(choices[i % len(choices)], interface=interface):
                    sigproc.fir(x, h)
            i += 1
            counts["switches"] += 1

    @guard
    def observer(interface, until):
        host = hostlib._host.registry.host(interface)
        entries = [e for e in host.iface.entries if e not in host.iface.retired]
        first = {e: host.active_address(e) for e in entries}
        active = hostlib.active(interface=interface)
        while time.monotonic() < until and not stop.is_set():
            assert {e: host.active_address(e) for e in entries} == first, f"{interface} moved"
            assert hostlib.active(interface=interface) == active, f"{interface} moved"
            counts["observed"] += 1

    callers = [threading.Thread(target=c_caller) for _ in range(2)]
    for t in callers:
        t.start()
    kernels_before = KERNELS.preference
    try:
        for switched, choices, watched in (("filters", [*USABLE, "auto"], "kernels"),
                                           ("kernels", [*KERNELS_USABLE, "auto"], "filters")):
            until = time.monotonic() + 1.0
            phase = [threading.Thread(target=switcher, args=(switched, choices, until)),
                     threading.Thread(target=observer, args=(watched, until))]
            for t in phase:
                t.start()
            for t in phase:
                t.join(timeout=60)
            hostlib.use("auto", interface=switched)
    finally:
        stop.set()
        for t in callers:
            t.join(timeout=60)
        KERNELS.use(kernels_before)
    assert not errors, errors
    assert counts["switches"] >= 100 and counts["observed"] > 0 and counts["c_calls"] > 0, counts


# ================== a fake site: older minor, bad providers, bad registrations


def write_dist(site: Path, dist: str, groups: dict[str, list[tuple[str, str]]]) -> None:
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{n} = {v}\n" for n, v in eps) for group, eps in groups.items()))


def write_provider(site: Path, name: str, ext: str | None = None, priority: int = 99) -> None:
    """A provider metadata module fake_<name> (and a stand-in compiled part)."""
    pkg = site / f"fake_{name}"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text(f"NAME = {name!r}\nFEATURES = ()\nPRIORITY = {priority}\n"
                                     f"EXTENSION = 'fake_{name}._ext'\n")
    if ext is not None:
        (pkg / "_ext.py").write_text(textwrap.dedent(ext))


def crafted(slots: str = "[0, 0]", **fields) -> str:
    """A compiled part exporting a ctypes table; ``slots`` is evaluated in
    the subprocess (function addresses differ from one process to another)."""
    return f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from _capsules import CraftedTable
        _keep = CraftedTable({slots}, **{fields!r})
        _C_API = _keep.capsule
    """


def run_generate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hostlib.generate", *args], capture_output=True, text=True,
                          timeout=60, cwd=tempfile.gettempdir())


def spec_at_minor_0(tmp: Path) -> Path:
    """The example's spec as released at ABI 1.0 (before fir), with its lock."""
    spec = (EXAMPLE / "filters.toml").read_text()
    head, _, rest = spec.partition("[[entry]]\nslot = 1\n")
    assert rest and "[[entry]]" not in rest, "the test expects fir to be the last entry"
    (tmp / "filters.toml").write_text(head)
    lock = [line for line in (EXAMPLE / "filters.abi").read_text().splitlines() if not line.startswith("1.1 ")]
    (tmp / "filters.abi").write_text("\n".join(lock) + "\n")
    return tmp / "filters.toml"


OLDER_PROVIDER = r"""
#define PY_SSIZE_T_CLEAN
#include "sigproc_filters_provider.h"

#if SIGPROC_FILTERS_ABI_MINOR != 0 || SIGPROC_FILTERS_NSLOTS != 1
#error "expected the header of ABI 1.0"
#endif

long provider_calls = 0;  /* read through ctypes: proves which code ran */

static int older_biquad(const sigproc_biquad_coeffs *c, ptrdiff_t n, const double *x, double *y, double *s)
{
    provider_calls++;
    if (c == NULL || s == NULL || n < 0 || (n > 0 && (x == NULL || y == NULL))) {
        return SIGPROC_EINVAL;
    }
    for (ptrdiff_t i = 0; i < n; i++) {
        const double xi = x[i];
        const double yi = c->b0 * xi + c->b1 * s[0] + c->b2 * s[1] - c->a1 * s[2] - c->a2 * s[3];
        s[1] = s[0]; s[0] = xi; s[3] = s[2]; s[2] = yi;
        y[i] = yi;
    }
    return SIGPROC_OK;
}

static const sigproc_filters_table table = {
    SIGPROC_FILTERS_HEADER("older", "0.9", 0),
    .biquad = older_biquad,
};
SIGPROC_FILTERS_PROVIDER_MODULE(_ext, table)
"""

FAKE_RUN = """
import ctypes, io, json, sys
import numpy as np
import hostlib

out = {"interfaces": hostlib.interfaces()}
x = np.arange(1.0, 101.0)
out["dot_ok"] = bool(hostlib.dot(x, x) == float(x @ x))  # the kernels, whatever else is broken
try:
    hostlib.active(interface="broken")
except hostlib.InterfaceError as exc:
    out["broken_error"] = str(exc)
buf = io.StringIO()
hostlib.show_runtime(file=buf)
out["report"] = buf.getvalue()
out["info"] = hostlib.runtime_info()["interfaces"]
out["filters"] = {b.name: b.to_dict() for b in hostlib.backends(interface="filters")}
out["active"] = {i: hostlib.active(interface=i) for i in ("kernels", "filters", "clash")}

# the older provider serves biquad through the Cython consumer
import sigproc, fake_older._ext
calls = ctypes.c_long.in_dll(ctypes.CDLL(fake_older._ext.__file__), "provider_calls")
y = sigproc.biquad(np.ones(5), (0.5, 0.5, 0.0), (1.0, 0.0, 0.0))
out["older_biquad"] = y.tolist()
out["older_calls"] = calls.value
out["biquad_is_older"] = sigproc.kernel_address("biquad") == hostlib._host.registry.host("filters").slot_address("older", "biquad")

# clash: entries named like the kernels' and the filters'; switching it moves nothing else
hosts = {i: hostlib._host.registry.host(i) for i in ("kernels", "filters", "clash")}
addresses = lambda: {i: {e: h.active_address(e) for e in ("ddot", "biquad") if e in h.iface.entries}
                     for i, h in hosts.items()}
before = addresses()
hostlib.use("portable", interface="clash")
after = addresses()
out["clash_after_use"] = hostlib.active(interface="clash")
out["others_unchanged"] = {i: after[i] == before[i] for i in ("kernels", "filters")}
out["clash_moved"] = after["clash"] != before["clash"]
ddot = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t,
                        ctypes.c_void_p, ctypes.c_ssize_t)(after["clash"]["ddot"])
out["clash_ddot"] = bool(ddot(100, x.ctypes.data, 1, x.ctypes.data, 1) == float(x @ x))
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory):
    problem = compiler_problem()
    if problem:
        pytest.skip(f"the older provider needs a C compiler: {problem}")
    root = tmp_path_factory.mktemp("interfaces-site")
    site = root / "site"
    site.mkdir()

    # a provider compiled against the header of ABI 1.0 (before fir)
    old = spec_at_minor_0(root)
    gen = root / "gen-1.0"
    r = run_generate("interface", "--spec", str(old), "--outdir", str(gen))
    assert r.returncode == 0, r.stderr  # 1.0's hash holds although 1.1 added a type
    write_provider(site, "older")
    build_extension(OLDER_PROVIDER, "fake_older._ext", site, [gen, hostlib.get_include()])

    # rejected providers of the filters interface
    kernels = KERNELS.iface
    write_provider(site, "kernelstable", crafted(name=b"kernelstable"))  # a kernels table, by its capsule name
    write_provider(site, "wrongmagic", crafted(name=b"wrongmagic", capsule_name=b"sigproc.filters.table",
                                               magic=kernels.magic))
    write_dist(site, "fake-filters-providers", {"sigproc.filters": [
        ("older", "fake_older"), ("kernelstable", "fake_kernelstable"), ("wrongmagic", "fake_wrongmagic")]})

    # an interface whose entries share short names with both others, served
    # by a portable table and a provider made of those interfaces' functions
    clash = {
        "name": "clash", "entry_point_group": "clash.clash", "provider_capsule": "clash.clash.table",
        "host_capsule": "hostlib._C_API_clash", "portable": "fake_clash_portable", "magic": 0x434C5348,
        "abi_major": 1, "abi_minor": 0, "stubs_name": "clash_stubs",
        "entries": [("ddot", 0, "", False), ("biquad", 0, "", False)],
    }
    (site / "fake_clash_iface.py").write_text(f"INTERFACE = {clash!r}\n")
    table = dict(capsule_name=b"clash.clash.table", magic=0x434C5348, abi_major=1, abi_minor=0)
    slots = ("[hostlib._host.registry.host('kernels').slot_address({k!r}, 'ddot'), "
             "hostlib._host.registry.host('filters').slot_address({f!r}, 'biquad')]")
    (site / "fake_clash_portable.py").write_text(
        "import hostlib\n" + textwrap.dedent(crafted(slots.format(k="portable", f="portable"), name=b"portable", **table)))
    write_provider(site, "alt", "import hostlib\n" + textwrap.dedent(
        crafted(slots.format(k=KERNELS_USABLE[0], f=USABLE[0]), name=b"alt", **table)))
    (site / "fake_broken_iface.py").write_text("NOT_AN_INTERFACE = 1\n")
    write_dist(site, "fake-interfaces", {
        "hostlib.interfaces": [("clash", "fake_clash_iface"), ("broken", "fake_broken_iface")],
        "clash.clash": [("alt", "fake_alt")],
    })

    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_BACKEND")}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", FAKE_RUN], cwd=root, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_provider_of_an_older_minor_serves_what_it_has(fake_site):
    older = fake_site["filters"]["older"]
    assert older["status"] == "usable" and older["abi"] == "1.0" and older["provides"] == ["biquad"], older
    assert fake_site["active"]["filters"] == {"biquad": "older", "fir": USABLE[0]}
    assert fake_site["biquad_is_older"] and fake_site["older_calls"] >= 1
    assert fake_site["older_biquad"] == [0.5, 1.0, 1.0, 1.0, 1.0]


@pytest.mark.parametrize(("name", "reason"), [
    ("kernelstable", "_C_API rejected: capsule is named 'hostlib.kernels.table', expected 'sigproc.filters.table'"),
    ("wrongmagic", "_C_API rejected: wrong magic number 0x484c4b54 (expected 0x53504654)"),
])
def test_a_bad_provider_of_the_interface_is_rejected_with_its_reason(fake_site, name, reason):
    b = fake_site["filters"][name]
    assert b["status"] == "invalid" and b["reason"].endswith(reason), b
    section = fake_site["report"].split("Interface 'filters'")[1].split("\nInterface ")[0]
    assert f"{name}" in section and reason in " ".join(section.split())
    assert name not in fake_site["active"]["filters"].values()


def test_interfaces_with_the_same_short_names_live_side_by_side(fake_site):
    assert fake_site["active"]["clash"] == {"ddot": "alt", "biquad": "alt"}
    assert fake_site["clash_after_use"] == {"ddot": "portable", "biquad": "portable"}
    assert fake_site["clash_moved"] and fake_site["others_unchanged"] == {"kernels": True, "filters": True}
    assert fake_site["clash_ddot"]


def test_a_broken_registration_is_reported_and_breaks_nothing(fake_site):
    assert fake_site["interfaces"][0] == "kernels" and {"broken", "clash", "filters"} <= set(fake_site["interfaces"])
    why = "interface 'broken' (fake_broken_iface) cannot be used: AttributeError:"
    assert fake_site["broken_error"].startswith(why) and "INTERFACE" in fake_site["broken_error"]
    assert fake_site["info"]["broken"]["error"] == fake_site["broken_error"]
    assert f"Interface 'broken': not served: {fake_site['broken_error']}" in fake_site["report"]
    assert fake_site["dot_ok"]


# ===================================================== the ABI lock


@pytest.mark.parametrize(("change", "version"), [
    (("args = \"const sigproc_biquad_coeffs *c, ptrdiff_t n,", "args = \"const sigproc_biquad_coeffs *c, int n,"), "1.0"),
    (('["double", "a2"]]', '["float", "a2"]]'), "1.0"),  # a struct a released entry takes
    (('["ptrdiff_t", "ntaps"]', '["int", "ntaps"]'), "1.1"),  # a struct only fir (1.1) takes
])
def test_changing_a_released_signature_stops_the_generator(tmp_path, change, version):
    spec = (EXAMPLE / "filters.toml").read_text()
    assert spec.count(change[0]) == 1
    (tmp_path / "filters.toml").write_text(spec.replace(*change))
    shutil.copy(EXAMPLE / "filters.abi", tmp_path / "filters.abi")
    r = run_generate("interface", "--spec", str(tmp_path / "filters.toml"), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1
    assert f"the entries of released ABI {version} of 'filters' changed" in r.stderr, r.stderr
    assert "add a new entry (next minor) or start a new ABI major" in r.stderr
    assert not (tmp_path / "out").exists()
    # as committed, the spec and its lock agree
    r = run_generate("interface", "--spec", str(EXAMPLE / "filters.toml"), "--outdir", str(tmp_path / "ok"))
    assert r.returncode == 0, r.stderr
