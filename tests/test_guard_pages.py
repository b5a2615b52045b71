"""No kernel touches a byte outside its arrays: arrays placed flush against
inaccessible guard pages.

Every usable backend's kernels are called (through the Python API, which
hands these arrays to the table as they are) with each operand starting
right after, or ending right before, a ``PROT_NONE`` page, for many lengths
around the vector widths, both dtypes, and forward, reversed and strided
views. A load or store of even one element too many on either side faults.

This catches what the sanitizer build cannot: GCC's AddressSanitizer does
not instrument masked vector loads/stores (``vmaskmovpd``), which the AVX2
tails use, while the CPU does fault on an enabled lane that falls on an
inaccessible page (disabled lanes never fault). Runs in a subprocess so that
a fault is a failed test naming the case, not a dead test run. Linux and
macOS (mmap + mprotect).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

if not sys.platform.startswith(("linux", "darwin")):
    pytest.skip("needs mmap/mprotect guard pages (Linux, macOS)", allow_module_level=True)

RUN = r"""
import ctypes, ctypes.util, itertools, json, mmap, sys
import numpy as np
import hostlib

PAGE = mmap.PAGESIZE
DATA = 4 * PAGE
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
PROT_NONE = 0


class Region:
    # [guard page][DATA bytes][guard page]
    def __init__(self):
        self.mm = mmap.mmap(-1, DATA + 2 * PAGE)
        self.addr = ctypes.addressof(ctypes.c_char.from_buffer(self.mm))
        for off in (0, PAGE + DATA):
            if libc.mprotect(self.addr + off, PAGE, PROT_NONE) != 0:
                raise OSError(ctypes.get_errno(), "mprotect")

    def array(self, shape, dtype, flush, order="C"):
        # a fresh array whose first byte follows the front guard ("start") or
        # whose last byte precedes the back guard ("end")
        nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
        assert nbytes <= DATA
        offset = PAGE if flush == "start" else PAGE + DATA - nbytes
        flat = np.frombuffer(self.mm, dtype=dtype, count=int(np.prod(shape)), offset=offset)
        a = flat.reshape(shape[::-1]).T if order == "F" else flat.reshape(shape)
        return a


R = [Region() for _ in range(3)]
rng = np.random.default_rng(0)
SIZES = list(range(0, 34)) + [63, 64, 65, 127, 128, 129, 257]
STEPS = [1, -1, -2]


def vec(region, n, dt, step, flush, lo=0.5, hi=1.5):
    # a length-n view with the given step over a base that is flush
    m = (n - 1) * abs(step) + 1 if n else 0
    base = region.array((m,), dt, flush)
    base[...] = rng.uniform(lo, hi, m).astype(dt)
    return base[::step] if n else base


def level1(name, dt, n, step, flush):
    x = vec(R[0], n, dt, step, flush)
    if name in ("dot", "axpy"):
        y = vec(R[1], n, dt, -step if step != 1 else 1, flush)
        x64, y64 = x.astype(np.float64), y.astype(np.float64)
        if name == "dot":
            got = hostlib.dot(x, y)
            bound = (n + 2) * float(np.finfo(dt).eps) * float(np.abs(x64 * y64).sum())
            assert abs(float(got) - float(x64 @ y64)) <= bound, (got, x64 @ y64)
        else:
            hostlib.axpy(0.5, x, y)
            assert np.allclose(y, y64 + 0.5 * x64, rtol=1e-5)
    elif name == "scal":
        x0 = x.copy()
        hostlib.scal(2.0, x)
        assert np.array_equal(x, x0 * dt(2.0))
    elif name in ("sum", "asum", "nrm2"):
        getattr(hostlib, name)(x)
    else:  # ufuncs: out flush too
        out = vec(R[1], n, dt, step, flush)
        getattr(hostlib, name)(x, out=out)
        np.testing.assert_array_max_ulp(out, getattr(np, name)(x), maxulp=4)


def gemm(dt, m, k, n, flush, orders, trans):
    ta, tb = trans
    a = R[0].array((k, m) if ta else (m, k), dt, flush, orders[0])
    b = R[1].array((n, k) if tb else (k, n), dt, flush, orders[1])
    c = R[2].array((m, n), dt, flush, orders[2])
    a[...] = rng.integers(-3, 4, a.shape)
    b[...] = rng.integers(-3, 4, b.shape)
    c[...] = rng.integers(-3, 4, c.shape)
    want = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64) + 0.5 * c.astype(np.float64)
    hostlib.gemm(a, b, c, beta=0.5, trans_a=ta, trans_b=tb)
    assert np.array_equal(c, want.astype(dt)), "wrong gemm result"


def cases():
    for backend in [b.name for b in hostlib.backends() if b.usable]:
        for name in ("dot", "axpy", "scal", "sum", "asum", "nrm2", "exp", "log", "sqrt", "sin", "cos"):
            for dt in ("float32", "float64"):
                for flush in ("start", "end"):
                    for step in STEPS:
                        yield f"{backend}:{name}:{dt}:{flush}:{step}", backend, lambda name=name, dt=dt, flush=flush, step=step: [
                            level1(name, np.dtype(dt).type, n, step, flush) for n in SIZES]
        shapes = [(1, 1, 1), (1, 33, 1), (33, 1, 33), (2, 3, 5), (3, 5, 2), (5, 2, 3), (7, 9, 8), (8, 8, 8),
                  (9, 7, 16), (16, 17, 15), (17, 16, 9), (15, 31, 17), (33, 33, 33), (31, 2, 33), (4, 33, 4),
                  (33, 4, 1), (1, 4, 33), (13, 1, 13)]
        for dt in ("float32", "float64"):
            for flush in ("start", "end"):
                for orders in ("CCC", "FFF", "CFC", "FCF"):
                    for trans in ((False, False), (True, False), (False, True), (True, True)):
                        yield (f"{backend}:gemm:{dt}:{flush}:{orders}:{trans}", backend,
                               lambda dt=dt, flush=flush, orders=orders, trans=trans: [
                                   gemm(np.dtype(dt).type, m, k, n, flush, orders, trans) for m, k, n in shapes])


todo = set(json.loads(sys.argv[1])) if len(sys.argv) > 1 else None
names = []
for label, backend, run in cases():
    names.append(label)
    if todo is not None and label not in todo:
        continue
    print("START " + label, flush=True)
    with hostlib.using(backend):
        try:
            run()
        except Exception as exc:
            print("RESULT " + json.dumps([label, f"{type(exc).__name__}: {exc}"]), flush=True)
            continue
    print("RESULT " + json.dumps([label, None]), flush=True)
print("ALL " + json.dumps(names), flush=True)
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    return run_cases(tmp_path_factory.mktemp("guard"), env)


def run_cases(cwd, env, script: str = RUN) -> dict[str, str | None]:
    """label -> None (fine) or what went wrong, for every case of ``script``."""
    out: dict[str, str | None] = {}
    todo = None
    every = None
    while True:  # after a fault, go on after the case that faulted
        args = [sys.executable, "-c", textwrap.dedent(script)] + ([json.dumps(sorted(todo))] if todo is not None else [])
        proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        started = None
        for line in proc.stdout.splitlines():
            if line.startswith("START "):
                started = line[6:]
            elif line.startswith("RESULT "):
                label, err = json.loads(line[7:])
                out[label] = err
                started = None
            elif line.startswith("ALL "):
                every = json.loads(line[4:])
        if proc.returncode == 0:
            break
        if started is None:
            raise AssertionError(f"guard-page run failed outside a case:\n{proc.stderr}")
        out[started] = f"the process died (exit status {proc.returncode}): a kernel touched a guard page"
        if every is None:  # the first run died before listing the cases: list them now
            every = _labels(cwd, env, script)
        todo = {label for label in every if label not in out}
        if not todo:
            break
    return out


def _labels(cwd, env, script: str) -> list[str]:
    code = textwrap.dedent(script).replace('todo = set(json.loads(sys.argv[1])) if len(sys.argv) > 1 else None',
                                        'todo = set()')
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    line = [x for x in proc.stdout.splitlines() if x.startswith("ALL ")][-1]
    return json.loads(line[4:])


CANARY = r"""
import ctypes, ctypes.util, mmap, sys
import numpy as np
import hostlib

PAGE = mmap.PAGESIZE
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
mm = mmap.mmap(-1, 3 * PAGE)
addr = ctypes.addressof(ctypes.c_char.from_buffer(mm))
assert libc.mprotect(addr + 2 * PAGE, PAGE, 0) == 0
n = 301
x = np.frombuffer(mm, dtype=np.float64, count=n, offset=2 * PAGE - 8 * n)
x[:] = 1.0
fn = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p,
                      ctypes.c_ssize_t)(hostlib._kernels_host.active_address("ddot"))
print(fn(n, x.ctypes.data, 1, x.ctypes.data, 1), flush=True)  # fine
print(fn(n + 1, x.ctypes.data, 1, x.ctypes.data, 1), flush=True)  # one element too many: must fault
"""


def test_guard_page_canary(tmp_path):
    """The active ddot told to read ONE element too many (in a masked AVX2
    tail, say) must fault on the guard page -- else the test above proves
    nothing."""
    import signal

    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    proc = subprocess.run([sys.executable, "-c", CANARY], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.splitlines()[:1] == ["301.0"], proc.stderr
    # (under AddressSanitizer with abort_on_error the fault ends in SIGABRT)
    asan_segv = proc.returncode == -signal.SIGABRT and "AddressSanitizer: SEGV" in proc.stderr
    assert proc.returncode in (-signal.SIGSEGV, -signal.SIGBUS) or asan_segv, (proc.returncode, proc.stdout, proc.stderr)


def test_no_kernel_touches_memory_outside_its_arrays(results):
    bad = {label: err for label, err in results.items() if err is not None}
    assert results, "no case ran"
    assert not bad, "\n".join(f"{label}: {err}" for label, err in sorted(bad.items())[:30])
