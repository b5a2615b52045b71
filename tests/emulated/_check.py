"""Runs INSIDE the emulated CPU (started by run_emulated.py); not a pytest file.

Usage: <python> _check.py MODE EXPECTATION_JSON

MODE
    ``numpy``    import hostlib normally, print the report, check the
                 selection, call every entry of every usable backend through
                 the Python API and compare with numpy;
    ``nonumpy``  for CPUs numpy cannot run on (numpy 2.x needs x86-64-v2):
                 hostlib's package ``__init__`` imports numpy, so a stand-in
                 package object is put in ``sys.modules`` and the real
                 ``hostlib._host.cpu``/``_host``/``_core``/``_portable`` and kernel
                 modules are used directly; every entry is called through
                 ctypes and compared with pure-Python references;
    ``canary``   deliberately call the ``avx2`` backend's ddot on a CPU
                 without AVX2: the process MUST die with SIGILL. Proves the
                 emulator traps instructions the CPU model lacks (otherwise
                 a clean run would prove nothing).

The last line printed on success is ``EMULATED-CHECK-OK <json summary>``.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import math
import struct
import sys

BUNDLED = ("avx2", "sse2")  # best first; an aarch64 run passes its own ("bundled")


def bundled_of(exp: dict) -> tuple[str, ...]:
    return tuple(exp.get("bundled", BUNDLED))


class CheckFailed(AssertionError):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


# ----------------------------------------------------------------- common


def check_features(available: set[str], exp: dict) -> None:
    missing = sorted(set(exp["has"]) - available)
    check(not missing, f"the emulated {exp['model']} should report {missing}; hostlib sees {sorted(available)}")
    extra = sorted(set(exp["lacks"]) & available)
    check(not extra, f"the emulated {exp['model']} lacks {extra}, but hostlib reports them available")


def expected_serving(backends: dict, entries, supported) -> dict[str, str]:
    """Entry -> the best bundled backend the model supports that provides it
    (``portable`` when none does)."""
    out = {}
    for e in entries:
        out[e] = next((b for b in supported if e in backends[b].provides), "portable")
    return out


def check_backends(backends: dict, exp: dict, available: set[str]) -> None:
    """The supported bundled backends are usable, the others ``unsupported``
    (never ``invalid``). Of every backend (bundled or installed) the CPU
    cannot run, the compiled part was never imported; every usable one
    declares only features the CPU has."""
    for name in bundled_of(exp):
        b = backends.get(name)
        check(b is not None, f"bundled backend {name!r} was not discovered: {sorted(backends)}")
        if name in exp["supported"]:
            check(b.usable, f"{name} should be usable on {exp['model']}: {b.status}: {b.reason}")
        else:
            check(b.status == "unsupported", f"{name} should be unsupported on {exp['model']}: {b.status}: {b.reason}")
    for b in backends.values():
        if b.status == "unsupported":
            # origin: "entry point NAME = METADATA_MODULE (dist version)"
            meta = sys.modules.get(b.origin.split(" = ", 1)[-1].split(" ", 1)[0])
            ext = getattr(meta, "EXTENSION", None)
            check(ext is not None, f"cannot tell {b.name}'s compiled part from {b.origin!r}")
            check(ext not in sys.modules, f"{ext} ({b.name}) was imported on a CPU that cannot run it")
        elif b.usable:
            check(set(b.features) <= available, f"{b.name} is usable but needs {b.features}")


def numpy_facing(host, entries) -> list[str]:
    """The entries called here: not the BLAS level-2/3 ones (kinds level2,
    level3: no numpy-facing function), which tests/test_blas23.py checks on
    every table the test machine runs."""
    kind = {e.name: e.kind for e in host.iface.info}
    return [e for e in entries if kind[e] not in ("level2", "level3")]


def kinds_of(entries) -> None:
    unknown = sorted({e[1:] for e in entries} - set(KINDS))
    check(not unknown, f"no emulation check for the entries {unknown}: add them to tests/emulated/_check.py")


#: the elementwise functions: (the Python reference, how an argument in
#: [0.1, 1.4] is moved into the domain, the number of inputs)
MATH = {
    "exp": (math.exp, None, 1), "log": (math.log, None, 1), "sqrt": (math.sqrt, None, 1),
    "sin": (math.sin, None, 1), "cos": (math.cos, None, 1), "tan": (math.tan, None, 1),
    "arcsin": (math.asin, lambda v: v / 1.5, 1), "arccos": (math.acos, lambda v: v / 1.5, 1),
    "arctan": (math.atan, None, 1), "sinh": (math.sinh, None, 1), "cosh": (math.cosh, None, 1),
    "tanh": (math.tanh, None, 1), "arcsinh": (math.asinh, None, 1), "arccosh": (math.acosh, lambda v: 1 + v, 1),
    "arctanh": (math.atanh, lambda v: v / 1.5, 1), "exp2": (lambda v: 2.0**v, None, 1),
    "expm1": (math.expm1, None, 1), "log2": (math.log2, None, 1), "log10": (math.log10, None, 1),
    "log1p": (math.log1p, None, 1), "cbrt": (lambda v: v ** (1 / 3), None, 1),
    "power": (math.pow, None, 2), "arctan2": (math.atan2, None, 2), "hypot": (math.hypot, None, 2),
}
KINDS = ("axpy", "dot", "scal", "asum", "nrm2", "sum", *MATH, "gemm")


# ------------------------------------------------------- numpy: Python API


def run_numpy(exp: dict) -> dict:
    import numpy as np

    import hostlib

    hostlib.show_runtime()
    print(flush=True)
    host = hostlib._kernels_host
    entries = host.iface.entries
    kinds_of(numpy_facing(host, entries))
    available = {k for k, v in hostlib.cpu_features().items() if v}
    check_features(available, exp)
    backends = {b.name: b for b in hostlib.backends()}
    check_backends(backends, exp, available)
    expected = expected_serving(backends, entries, exp["supported"])

    third_party = sorted(b.name for b in backends.values()
                         if b.usable and b.name not in bundled_of(exp) + ("portable",))
    if not third_party:
        check(hostlib.active() == expected, f"automatic selection {hostlib.active()} != expected {expected}")
    with hostlib.using(*exp["supported"]):
        check(hostlib.active() == expected, f"use{tuple(exp['supported'])}: {hostlib.active()} != {expected}")

    rng = np.random.default_rng(12345)
    calls: dict[str, dict[str, str]] = {}
    for b in (b for b in backends.values() if b.usable):
        with hostlib.using(b.name):
            served = hostlib.active()
            for e in numpy_facing(host, entries):
                _call_numpy(np, hostlib, rng, e)
            calls[b.name] = {e: served[e] for e in entries}
    return {"serving": dict(hostlib.active()), "expected": expected, "third_party": third_party,
            "called": {b: sorted(set(v.values())) for b, v in calls.items()}}


def _call_numpy(np, hostlib, rng, entry: str) -> None:
    dt = np.float32 if entry[0] == "s" else np.float64
    kind = entry[1:]
    eps = float(np.finfo(dt).eps)
    n = 1003  # odd and long: vector main loops, unrolled blocks and tails
    x = rng.uniform(0.1, 1.4, n).astype(dt)
    y = rng.uniform(-1.0, 1.0, n).astype(dt)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    what = f"{entry} ({hostlib.active()[entry]})"

    def close(got, want, scale, k=n):
        err = abs(float(got) - float(want))
        check(err <= (k + 4) * eps * float(scale), f"{what}: got {got!r}, want {want!r}")

    if kind == "dot":
        close(hostlib.dot(x, y), math.fsum((x64 * y64).tolist()), np.abs(x64 * y64).sum())
    elif kind == "sum":
        close(hostlib.sum(y), math.fsum(y64.tolist()), np.abs(y64).sum())
    elif kind == "asum":
        close(hostlib.asum(y), math.fsum(np.abs(y64).tolist()), np.abs(y64).sum())
    elif kind == "nrm2":
        want = math.sqrt(math.fsum((y64 * y64).tolist()))
        close(hostlib.nrm2(y), want, want)
    elif kind == "axpy":
        out = y.copy()
        hostlib.axpy(0.75, x, out)
        want = y64 + np.float64(dt(0.75)) * x64
        check(np.all(np.abs(out - want) <= 2 * eps * (np.abs(y64) + np.abs(x64))), f"{what}: wrong result")
    elif kind == "scal":
        out = y.copy()
        hostlib.scal(-1.5, out)
        check(np.array_equal(out, y * dt(-1.5)), f"{what}: wrong result")
    elif kind in MATH:
        _, move, nin = MATH[kind]
        args = [(move(x) if move else x).astype(dt)] + [y] * (nin - 1)
        got = getattr(hostlib, kind)(*args)
        np.testing.assert_array_max_ulp(got, getattr(np, kind)(*args), maxulp=4, dtype=dt)
    elif kind == "gemm":
        m, k, nn = 37, 29, 41  # odd sizes: edge tiles of any blocking
        a = rng.uniform(-1, 1, (m, k)).astype(dt)
        b = rng.uniform(-1, 1, (k, nn)).astype(dt)
        got = hostlib.gemm(a, b)
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        bound = (k + 3) * eps * (np.abs(a64) @ np.abs(b64))
        check(np.all(np.abs(got - a64 @ b64) <= bound), f"{what}: wrong result")
        c = rng.uniform(-1, 1, (nn, m)).astype(dt)
        c0 = c.astype(np.float64)
        hostlib.gemm(b, a, c, alpha=2.0, beta=0.5, trans_a=True, trans_b=True)
        want = 2.0 * (b64.T @ a64.T) + 0.5 * c0
        bound = (k + 3) * eps * (2.0 * (np.abs(b64.T) @ np.abs(a64.T)) + 0.5 * np.abs(c0))
        check(np.all(np.abs(c - want) <= bound), f"{what} (transposed, beta): wrong result")
    else:  # pragma: no cover - kinds_of() rules this out
        raise CheckFailed(f"no check for {entry}")


# --------------------------------------------------- no numpy: the host + ctypes


def run_nonumpy(exp: dict) -> dict:
    # `import hostlib` needs no numpy, and neither do its host and report
    import hostlib

    host = hostlib._kernels_host
    hostlib.show_runtime()
    print(flush=True)
    check("numpy" not in sys.modules, "numpy was imported")
    entries = host.iface.entries
    kinds_of(numpy_facing(host, entries))
    check_features(set(host.cpu.available), exp)
    backends = dict(host.backends)
    check_backends(backends, exp, set(host.cpu.available))
    expected = expected_serving(backends, entries, exp["supported"])
    third_party = sorted(n for n, b in backends.items() if b.usable and n not in BUNDLED + ("portable",))
    if not third_party:
        check(host.serving == expected, f"automatic selection {host.serving} != expected {expected}")
    host.use(list(exp["supported"]))
    check(host.serving == expected, f"use{tuple(exp['supported'])}: {host.serving} != {expected}")

    called = {}
    for name, b in backends.items():
        if not b.usable:
            continue
        host.use([name])
        for e in numpy_facing(host, entries):
            _call_ctypes(host, e)
        called[name] = sorted(set(host.serving.values()))
    host.use(None)
    check("numpy" not in sys.modules, "numpy was imported")
    return {"serving": dict(host.serving), "expected": expected, "third_party": third_party, "called": called}


def _round(value: float, single: bool) -> float:
    return struct.unpack("f", struct.pack("f", value))[0] if single else value


def _call_ctypes(host, entry: str) -> None:
    single = entry[0] == "s"
    T = ctypes.c_float if single else ctypes.c_double
    P, N = ctypes.POINTER(T), ctypes.c_ssize_t
    eps = 2.0**-23 if single else 2.0**-52
    kind = entry[1:]
    addr = host.active_address(entry)
    check(addr != 0, f"{entry}: the active table has no function")
    what = f"{entry} ({host.serving[entry]})"
    n = 203
    xs = [_round(0.1 + 1.3 * ((i * 37) % 101) / 101, single) for i in range(n)]
    ys = [_round(-1.0 + 2.0 * ((i * 53) % 97) / 97, single) for i in range(n)]
    x, y = (T * n)(*xs), (T * n)(*ys)

    def close(got, want, scale, k=n):
        check(abs(got - want) <= (k + 4) * eps * scale, f"{what}: got {got!r}, want {want!r}")

    if kind == "dot":
        f = ctypes.CFUNCTYPE(T, N, P, N, P, N)(addr)
        close(f(n, x, 1, y, 1), math.fsum(a * b for a, b in zip(xs, ys)), math.fsum(abs(a * b) for a, b in zip(xs, ys)))
    elif kind in ("sum", "asum", "nrm2"):
        f = ctypes.CFUNCTYPE(T, N, P, N)(addr)
        got = f(n, y, 1)
        if kind == "sum":
            close(got, math.fsum(ys), math.fsum(map(abs, ys)))
        elif kind == "asum":
            close(got, math.fsum(map(abs, ys)), math.fsum(map(abs, ys)))
        else:
            want = math.sqrt(math.fsum(v * v for v in ys))
            close(got, want, want)
    elif kind == "axpy":
        f = ctypes.CFUNCTYPE(None, N, T, P, N, P, N)(addr)
        f(n, 0.75, x, 1, y, 1)
        for i in range(n):
            close(y[i], ys[i] + 0.75 * xs[i], abs(ys[i]) + abs(0.75 * xs[i]), k=0)
    elif kind == "scal":
        f = ctypes.CFUNCTYPE(None, N, T, P, N)(addr)
        f(n, -1.5, y, 1)
        check(all(y[i] == _round(-1.5 * ys[i], single) for i in range(n)), f"{what}: wrong result")
    elif kind in MATH:
        ref, move, nin = MATH[kind]
        args = [_round(move(v), single) for v in xs] if move else xs
        out = (T * n)()
        if nin == 1:
            ctypes.CFUNCTYPE(None, N, P, N, P, N)(addr)(n, (T * n)(*args), 1, out, 1)
        else:
            ctypes.CFUNCTYPE(None, N, P, N, P, N, P, N)(addr)(n, (T * n)(*args), 1, y, 1, out, 1)
        for i in range(n):
            at = (args[i], ys[i])[:nin]
            want = ref(*at)
            check(abs(out[i] - want) <= 4 * eps * abs(want), f"{what}: {kind}{at!r} = {out[i]!r}, want {want!r}")
    elif kind == "gemm":
        f = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_int, N, N, N, T, P, N, P, N, T, P, N)(addr)
        m, k, nn = 13, 11, 17
        a = [[xs[(i * k + j) % n] - 0.7 for j in range(k)] for i in range(m)]
        b = [[ys[(i * nn + j) % n] for j in range(nn)] for i in range(k)]
        A = (T * (m * k))(*[v for row in a for v in row])
        B = (T * (k * nn))(*[v for row in b for v in row])
        C = (T * (m * nn))(*([7.0] * (m * nn)))
        f(0, 0, m, nn, k, 1.0, A, k, B, nn, 0.0, C, nn)  # beta 0: C is not read
        for i in range(m):
            for j in range(nn):
                terms = [A[i * k + p] * B[p * nn + j] for p in range(k)]
                close(C[i * nn + j], math.fsum(terms), math.fsum(map(abs, terms)), k=k)
    else:  # pragma: no cover
        raise CheckFailed(f"no check for {entry}")


# ------------------------------------------------------------------ canary


def run_canary(exp: dict) -> dict:
    from hostlib._host import _core
    from hostlib._host import host as _host

    iface = _host.Interface.builtin()
    module = importlib.import_module("kernels_avx2._avx2")  # module init is baseline code
    addr = _core.slot_address(module._C_API, iface.provider_capsule, iface.magic, iface.abi_major,
                              iface.entries.index("ddot"))
    T, N = ctypes.c_double, ctypes.c_ssize_t
    f = ctypes.CFUNCTYPE(T, N, ctypes.POINTER(T), N, ctypes.POINTER(T), N)(addr)
    v = (T * 256)(*range(256))
    print("calling the AVX2 ddot on purpose; this process should now die with SIGILL", flush=True)
    result = f(256, v, 1, v, 1)
    return {"canary_survived": result}


def main() -> int:
    mode, exp = sys.argv[1], json.loads(sys.argv[2])
    if mode == "canary":
        summary = run_canary(exp)
    elif mode == "nonumpy":
        summary = run_nonumpy(exp)
    else:
        summary = run_numpy(exp)
    print("EMULATED-CHECK-OK " + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as exc:
        print(f"EMULATED-CHECK-FAILED: {exc}", file=sys.stderr, flush=True)
        sys.exit(1)
