"""The MKL backend (kernels_mkl: the hostlib-mkl wheel, forwarding to the
PyPI `mkl` package's libmkl_rt).

Skipped when the wheel is not installed; the tests that need MKL itself
are skipped when the `mkl` package (about 1 GB) is not installed. To run
them all:

    pip install mkl && pip install --no-build-isolation ./kernels_mkl
    pytest tests/test_mkl.py

* every kernels entry MKL serves passes `hostlib tune`'s verification (the
  same check every backend must pass before it may serve: special values,
  tails, strides, reversed and overlapping views, gemm transposes and
  alpha/beta) and, for the elementwise functions, the accuracy contract
  against correctly rounded mpmath values (tests/test_math_accuracy.py's
  samples);
* every lapack entry, through hostlib.linalg against numpy.linalg, and
  the table's own error paths (illegal flags and pivots, size 0);
* switching between MKL, OpenBLAS and hostlib's tables while threads call
  kernels and numpy.linalg loses no call and gets no wrong result;
* hostlib's thread budget reaches MKL, threadpoolctl sees and limits it,
  and OpenBLAS's wheel beside it keeps working;
* the report's MKL lines (version, code path, CNR);
* without MKL the backend is unusable with the reason in every interface
  (kernels, lapack, fft), and nothing else changes (simulated in a
  subprocess: a KERNELS_MKL_LIBRARY that names no file, and no `mkl`
  distribution at all).

The fft table's own tests are in tests/test_mkl_fft.py.
"""

from __future__ import annotations

import ctypes
import json
import threading
import time

import numpy as np
import pytest

import hostlib
from hostlib._host import registry

kernels_mkl = pytest.importorskip(
    "kernels_mkl",
    reason="hostlib-mkl is not installed (pip install mkl && pip install --no-build-isolation ./kernels_mkl)",
)

KHOST = registry.host("kernels")
LHOST = registry.host("lapack")
MKL_K = KHOST.backends.get("mkl")
MKL_L = LHOST.backends.get("mkl")
USABLE = MKL_K is not None and MKL_K.usable
needs_mkl = pytest.mark.skipif(
    not USABLE,
    reason="the mkl package is not installed (about 1 GB): pip install mkl, then pytest tests/test_mkl.py"
    + (f" [mkl backend: {MKL_K.status}: {MKL_K.reason}]" if MKL_K is not None else ""),
)

#: the interface's kernels entries MKL has no routine for
NOT_IN_MKL = {"ssum", "dsum"}
#: ABI 1.2's BLAS level-2/3 entries (tests/test_blas23.py checks their values)
LEVEL23 = {p + e for p in "sd" for e in ("gemv", "ger", "trsv", "trsm", "syrk")} | {
    p + e for p in "cz" for e in ("gemm", "herk")}


# ---------------------------------------------------------------- discovery


@needs_mkl
def test_serves_every_kernels_entry_it_has():
    provides = set(MKL_K.provides)
    everything = set(KHOST.iface.entries)
    # today's entries: all but sum (no BLAS routine), and every elementwise
    # function VM has; entries the interface adds later stay NULL until the
    # table fills them
    missing = everything - provides
    assert missing >= NOT_IN_MKL
    from hostlib._host import spec as _spec

    kinds = {e.name: e.kind for e in _spec.kernels().values()}
    assert {e for e in provides if kinds.get(e) == "elementwise"}, "no elementwise entry served"
    assert {"sgemm", "dgemm", "ddot", "daxpy", "dnrm2"} <= provides
    assert LEVEL23 <= provides  # ABI 1.2, through MKL's cblas
    assert set(MKL_K.threaded) >= provides  # THREADED = True: every entry


@needs_mkl
def test_serves_every_lapack_entry():
    assert MKL_L is not None and MKL_L.usable, MKL_L
    assert set(MKL_L.provides) == set(LHOST.iface.entries)


# ------------------------------------------------------- kernels: verification


def _served() -> list[str]:
    """the entries MKL serves that tune verifies (not the level-2/3 ones:
    tests/test_blas23.py checks those for every backend, MKL's included)"""
    from hostlib._measure import tune

    return sorted(e for e in MKL_K.provides if tune.unmeasurable(KHOST, e) is None) if USABLE else []


@needs_mkl
@pytest.mark.parametrize("entry", _served())
def test_passes_tunes_verification(entry):
    """The check `hostlib tune` makes before a backend may serve an entry:
    the same for MKL as for every native table."""
    from hostlib._measure import tune

    assert tune.verify(KHOST, entry, "mkl") is None


def _elementwise_served() -> list[tuple[str, type]]:
    if not USABLE:
        return []
    from hostlib._host import spec as _spec

    out = []
    for e in _spec.kernels().values():
        if e.kind == "elementwise" and e.name in MKL_K.provides:
            out.append((e.function, np.float32 if e.dtype == "float32" else np.float64))
    return sorted(set(out), key=lambda t: (t[0], np.dtype(t[1]).name))


#: VM's high-accuracy mode promises results within 1 ULP; hostlib holds
#: MKL to that: at most 1 ULP from the correctly rounded result (its own
#: kernels to 0.6 ULP of the exact one, tests/test_math_accuracy.py)
MKL_MAX_ULP = 1


@needs_mkl
@pytest.mark.parametrize("func,dtype", _elementwise_served(), ids=lambda v: getattr(v, "__name__", v))
def test_vm_high_accuracy_within_one_ulp(func, dtype):
    """Against correctly rounded mpmath values, on test_math_accuracy's
    seeded samples (every domain, huge trigonometric arguments, near
    overflow and underflow); sqrt is exact."""
    pytest.importorskip("mpmath")
    import test_math_accuracy as acc

    u, at = acc.max_ulp(func, dtype, "mkl")
    print(f"{func} {np.dtype(dtype).name} mkl: max {u:.0f} ULP from the correctly rounded result at {at!r}")
    assert u <= (0 if func == "sqrt" else MKL_MAX_ULP), f"{func}{at!r}: {u} ULP"


@needs_mkl
def test_strided_and_overlapping_calls_match_contiguous():
    """VM's own calls (contiguous, `I`) and the buffered path (negative and
    zero strides, shifted overlap) give the contiguous call's bits."""
    rng = np.random.default_rng(5)
    for dt in (np.float32, np.float64):
        x = rng.uniform(-3, 3, 1001).astype(dt)
        with hostlib.using("mkl"):
            ref = hostlib.sin(x)
            assert np.array_equal(hostlib.sin(x[::3]), ref[::3])
            assert np.array_equal(hostlib.sin(x[::-1]), ref[::-1])
            assert np.array_equal(hostlib.sin(x[::-2]), ref[::-2])
            y = np.empty(1001, dt)
            hostlib.sin(x, out=y[::-1])
            assert np.array_equal(y[::-1], ref)
            z = x.copy()
            hostlib.sin(z, out=z)  # in place
            assert np.array_equal(z, ref)
            b = np.broadcast_to(x[:1], (300,))  # stride 0
            assert np.array_equal(hostlib.sin(b), np.full(300, ref[0]))
            p = rng.uniform(0.5, 2, 700).astype(dt)
            q = rng.uniform(-3, 3, 700).astype(dt)
            ref2 = hostlib.power(p, q)
            assert np.array_equal(hostlib.power(p[::-1], q[::-1]), ref2[::-1])
            assert np.array_equal(hostlib.power(p[::2], q[::2]), ref2[::2])


@needs_mkl
def test_gemm_and_level1_edge_cases():
    """What cblas handles differently from hostlib's tables, done by the
    wrappers: alpha = 0 with inf/nan, zero and negative increments, nrm2's
    inf beside a nan, gemm with k = 0, beta = 0 over a nan C, one-row
    matrices with a short leading dimension."""
    with hostlib.using("mkl"):
        x = np.array([np.inf, 1.0, np.nan])
        y = np.zeros(3)
        hostlib.axpy(0.0, x, y)
        assert np.isnan(y[0]) and y[1] == 0 and np.isnan(y[2])
        assert hostlib.nrm2(np.array([np.nan, np.inf, 1.0])) == np.inf
        v = np.arange(1.0, 9.0)
        assert hostlib.dot(v[::-1], v) == float(v[::-1] @ v)
        assert hostlib.asum(-v[::-2]) == float(np.abs(v[::-2]).sum())
        a, b = np.ones((3, 0)), np.ones((0, 4))
        c = np.full((3, 4), np.nan)
        assert np.array_equal(hostlib.gemm(a, b, c, beta=0.0), np.zeros((3, 4)))
        rng = np.random.default_rng(1)
        for dt in (np.float32, np.float64):
            A = rng.standard_normal((7, 5)).astype(dt)
            B = rng.standard_normal((5, 6)).astype(dt)
            C = np.full((7, 6), np.nan, dt)
            got = hostlib.gemm(A, B, C, beta=0.0)
            np.testing.assert_allclose(got, A @ B, rtol=1e-5 if dt == np.float32 else 1e-12, atol=1e-5)
            got = hostlib.gemm(A[::-1], B)
            np.testing.assert_allclose(got, A[::-1] @ B, rtol=1e-5, atol=1e-5)


@needs_mkl
def test_level23_take_64_bit_sizes():
    """MKL's ILP64 cblas takes every ptrdiff_t as it is: a leading dimension
    beyond 32 bits (legal for a one-row matrix, which never reaches a second
    row) goes through, where the OpenBLAS table answers ETOOLARGE and writes
    nothing."""
    SS, INT, PTR, D = ctypes.c_ssize_t, ctypes.c_int, ctypes.c_void_p, ctypes.c_double
    big = 2**33 + 3

    def fn(backend, entry, *argtypes):
        address = KHOST.slot_address(backend, entry)
        assert address, f"{backend} has no {entry}"
        return ctypes.CFUNCTYPE(INT, *argtypes)(address)

    gemv_args = (INT, SS, SS, D, PTR, SS, PTR, SS, D, PTR, SS)
    trsm_args = (INT, INT, INT, INT, SS, SS, D, PTR, SS, PTR, SS)
    a = np.array([[2.0, 3.0]])
    x = np.array([1.0, 10.0])
    t = np.array([[4.0]])
    backends = ["mkl"] + (["openblas"] if "openblas" in KHOST.providers()["dgemv"] else [])
    for backend in backends:
        y = np.array([7.0])
        b = np.array([[8.0, 12.0]])
        gemv = fn(backend, "dgemv", *gemv_args)
        trsm = fn(backend, "dtrsm", *trsm_args)
        rc_gemv = gemv(0, 1, 2, 1.0, a.ctypes.data, big, x.ctypes.data, 1, 0.0, y.ctypes.data, 1)
        rc_trsm = trsm(0, 0, 0, 0, 1, 2, 1.0, t.ctypes.data, big, b.ctypes.data, big)
        if backend == "mkl":
            assert (rc_gemv, rc_trsm) == (0, 0)
            assert y.tolist() == [32.0] and b.tolist() == [[2.0, 3.0]]
        else:  # 32-bit blasint
            assert (rc_gemv, rc_trsm) == (-1003, -1003)  # HOSTLIB_ETOOLARGE
            assert y.tolist() == [7.0] and b.tolist() == [[8.0, 12.0]]


# ------------------------------------------------------------------- lapack

LINALG_DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def _tol(dt):
    return 2e-3 if dt in (np.float32, np.complex64) else 1e-9


def _rand(dt, *shape, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if np.dtype(dt).kind == "c":
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dt)


@needs_mkl
@pytest.mark.parametrize("dt", LINALG_DTYPES, ids=lambda d: np.dtype(d).name)
def test_linalg_through_mkl_matches_numpy(dt):
    """Every routine of the table, reached through hostlib.linalg with MKL
    serving the lapack interface (la.status() says so)."""
    import hostlib.linalg as la

    n = 12
    a = _rand(dt, n, n) + n * np.eye(n, dtype=dt)
    b = _rand(dt, n, 3, seed=1)
    h = a @ a.conj().T + n * np.eye(n, dtype=dt)
    t = _tol(dt)
    with hostlib.using("mkl", interface="lapack"):
        served = {b for entries in la.status().values() for b in entries.values()}
        assert served == {"mkl"}, la.status()
        np.testing.assert_allclose(a @ la.solve(a, b), b, rtol=t * 10, atol=t * 10)
        np.testing.assert_allclose(la.inv(a) @ a, np.eye(n), atol=t * 10)
        np.testing.assert_allclose(la.det(a), np.linalg.det(a), rtol=t * 10)
        L = la.cholesky(h)
        np.testing.assert_allclose(L @ L.conj().T, h, rtol=t * 10, atol=t * 10)
        q, r = la.qr(_rand(dt, 9, 5, seed=2))
        np.testing.assert_allclose(q @ r, _rand(dt, 9, 5, seed=2), atol=t * 10)
        w, v = la.eigh(h)
        np.testing.assert_allclose(h @ v, v * w, atol=t * 100 * n)
        s = la.svd(a, compute_uv=False)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=t * 10)
        x, *_ = la.lstsq(_rand(dt, 15, 6, seed=3), _rand(dt, 15, 2, seed=4), rcond=None)
        xr, *_ = np.linalg.lstsq(_rand(dt, 15, 6, seed=3), _rand(dt, 15, 2, seed=4), rcond=None)
        np.testing.assert_allclose(x, xr, rtol=t * 100, atol=t * 100)
        ev = la.eigvals(a)
        np.testing.assert_allclose(np.sort_complex(ev), np.sort_complex(np.linalg.eigvals(a)), rtol=t * 100)
        with pytest.raises(np.linalg.LinAlgError):
            la.inv(np.zeros((4, 4), dt))
        with pytest.raises(np.linalg.LinAlgError):
            la.cholesky(-np.eye(4, dtype=dt))


def _lapack_fn(entry: str, restype, *argtypes):
    return ctypes.CFUNCTYPE(restype, *argtypes)(LHOST.slot_address("mkl", entry))


@needs_mkl
def test_lapack_table_error_paths():
    """Illegal flags and pivots are refused before MKL is called (info =
    -position), size 0 is fine, 64-bit sizes go through unnarrowed."""
    Z, P, I = ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_int
    getrs = _lapack_fn("dgetrs", Z, I, Z, Z, P, Z, P, P, Z)
    a = np.asfortranarray(np.eye(3))
    b = np.ones((3, 1), order="F")
    piv = np.array([1, 2, 9], dtype=np.intp)
    assert getrs(0, 3, 1, a.ctypes.data, 3, piv.ctypes.data, b.ctypes.data, 3) == -6
    assert getrs(7, 3, 1, a.ctypes.data, 3, piv.ctypes.data, b.ctypes.data, 3) == -1
    piv[:] = [1, 2, 3]
    assert getrs(0, 3, 1, a.ctypes.data, 3, piv.ctypes.data, b.ctypes.data, 3) == 0
    getrf = _lapack_fn("dgetrf", Z, Z, Z, P, Z, P)
    assert getrf(0, 0, None, 1, None) == 0
    potrf = _lapack_fn("dpotrf", Z, I, Z, P, Z)
    assert potrf(5, 3, a.ctypes.data, 3) == -1
    # a size beyond 32 bits: the OpenBLAS table answers ETOOLARGE; MKL's
    # ILP64 LAPACK takes it and reports the too-small leading dimension
    assert getrf(2**33, 1, a.ctypes.data, 1, piv.ctypes.data) == -4


# ----------------------------------------------------- switching under threads


@needs_mkl
def test_switching_between_mkl_openblas_and_native_loses_no_call():
    """tests/test_threads.py's storm (dot, axpy, exp and gemm callers on
    exact integer data, two switchers cycling through every usable backend,
    `auto` and a preference list) with MKL among the backends."""
    import test_threads as tt

    assert "mkl" in tt.USABLE
    s = tt.run_stress(seconds=1.0)
    tt._check(s)


@needs_mkl
def test_lapack_switching_under_threads_loses_no_call():
    """Threads solving systems through hostlib.linalg while another switches
    the lapack interface between MKL, OpenBLAS (if installed) and hostlib's
    own tables: every call returns, every answer is right."""
    import hostlib.linalg as la

    names = [b.name for b in hostlib.backends(interface="lapack") if b.usable]
    assert "mkl" in names
    stop = threading.Event()
    errors: list[str] = []
    done = [0] * 3

    def solver(i: int) -> None:
        rng = np.random.default_rng(i)
        a = rng.standard_normal((24, 24)) + 24 * np.eye(24)
        b = rng.standard_normal((24, 2))
        ref = np.linalg.solve(a, b)
        while not stop.is_set():
            try:
                got = la.solve(a, b)
                if not np.allclose(got, ref, rtol=1e-9, atol=1e-12):
                    errors.append(f"solver {i}: wrong result")
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(f"solver {i}: {type(exc).__name__}: {exc}")
            done[i] += 1

    def switcher() -> None:
        k = 0
        while not stop.is_set():
            hostlib.use(names[k % len(names)], interface="lapack")
            k += 1
            with hostlib.using(*(["mkl", "portable"] if k % 2 else ["auto"]), interface="lapack"):
                pass

    threads = [threading.Thread(target=solver, args=(i,)) for i in range(3)] + [threading.Thread(target=switcher)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(30)
    hostlib.use("auto", interface="lapack")
    assert not errors, errors[:5]
    assert all(d > 0 for d in done), done


# ------------------------------------------------------------------ threads


@needs_mkl
def test_hostlib_thread_budget_reaches_mkl(run_python):
    r = run_python("""
        import hostlib, kernels_mkl
        hostlib.active()
        hostlib.set_num_threads(1)
        one = kernels_mkl.get_num_threads()
        hostlib.set_num_threads(2)
        print(one, kernels_mkl.get_num_threads())
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1", "2"]


@needs_mkl
def test_threadpoolctl_sees_and_limits_mkl():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    hostlib.active()
    infos = [i for i in threadpoolctl.threadpool_info() if i["internal_api"] == "mkl"]
    assert any("libmkl_rt" in i["filepath"] for i in infos), threadpoolctl.threadpool_info()
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        assert kernels_mkl.get_num_threads() == 1
    assert kernels_mkl.get_num_threads() == hostlib.get_num_threads()


@needs_mkl
def test_beside_openblas_one_openmp_runtime_and_both_threaded(run_python):
    """Both wheels in one process: each gets hostlib's budget, MKL runs on
    Intel's OpenMP with KMP_BLOCKTIME 0 (no spinning on cores OpenBLAS and
    hostlib's pool use), gemm through either is right, and no second OpenMP
    runtime is loaded for MKL when GNU OpenMP is already in the process."""
    pytest.importorskip("kernels_openblas")
    r = run_python("""
        import json, os, numpy as np, hostlib, kernels_mkl, kernels_openblas
        hostlib.set_num_threads(2)
        a = np.random.default_rng(0).standard_normal((300, 300))
        out = {}
        for name in ("mkl", "openblas", "auto"):
            with hostlib.using(name):
                out[name] = float(np.abs(hostlib.gemm(a, a) - a @ a).max())
        out["threads"] = [kernels_mkl.get_num_threads(), kernels_openblas.get_num_threads()]
        out["layer"] = kernels_mkl.details()["threading"]
        maps = open("/proc/self/maps").read()
        out["runtimes"] = sorted({r for r in ("libiomp5", "libgomp") if r in maps})
        print(json.dumps(out))
    """)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert max(out[k] for k in ("mkl", "openblas", "auto")) < 1e-9, out
    assert out["threads"] == [2, 2], out
    assert out["layer"].startswith("intel"), out
    assert out["runtimes"] == ["libiomp5"], out


@needs_mkl
def test_gnu_openmp_already_loaded_selects_mkls_gnu_layer(run_python):
    import ctypes.util

    gomp = ctypes.util.find_library("gomp")
    if gomp is None:
        pytest.skip("no libgomp on this system")
    r = run_python(f"""
        import ctypes, hostlib, kernels_mkl, numpy as np
        ctypes.CDLL({gomp!r})
        with hostlib.using("mkl"):
            a = np.ones((64, 64)); assert (hostlib.gemm(a, a) == 64).all()
        maps = open("/proc/self/maps").read()
        print(kernels_mkl.details()["threading"], "libiomp5" in maps)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "gnu" and r.stdout.split()[-1] == "False", r.stdout


# ------------------------------------------------------------------- report


@needs_mkl
def test_report_shows_version_code_path_and_cnr(run_python):
    r = run_python("""
        import json, hostlib
        info = hostlib.runtime_info()
        (mkl,) = [b for b in info["backends"] if b["name"] == "mkl"]
        import io, contextlib
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            hostlib.show_runtime()
        print(json.dumps({"details": mkl["details"], "report": buf.getvalue()}))
    """, env={"MKL_CBWR": "COMPATIBLE"})
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    d = out["details"]
    assert "Math Kernel Library" in d["version"], d
    assert d["code path"], d
    assert d["CNR"].startswith("on (COMPATIBLE"), d
    for key in ("version", "code path", "CNR"):
        assert key in out["report"], out["report"]


@needs_mkl
def test_cnr_off_by_default():
    import os

    if os.environ.get("MKL_CBWR"):
        pytest.skip("MKL_CBWR is set in this environment")
    assert kernels_mkl.details()["CNR"] == "off"


# ------------------------------------------------------------ without MKL


def _state_without_mkl(run_python, prelude: str, env: dict | None = None) -> dict:
    r = run_python(prelude + """
import json, numpy as np, hostlib
k = {b.name: (b.status, b.reason) for b in hostlib.backends()}
l = {b.name: (b.status, b.reason) for b in hostlib.backends(interface="lapack")}
f = {b.name: (b.status, b.reason) for b in hostlib.backends(interface="fft")}
import hostlib.fft
x = np.linspace(0, 1, 1000)
ok = bool(np.allclose(hostlib.exp(x), np.exp(x)) and abs(hostlib.dot(x, x) - x @ x) < 1e-9
          and np.allclose(hostlib.fft.rfft(x), np.fft.rfft(x)))
active = set(hostlib.active().values()) | set(hostlib.active(interface="fft").values())
print(json.dumps({"kernels": k, "lapack": l, "fft": f, "active": sorted(active), "ok": ok}))
""", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_unusable_with_the_reason_when_the_library_is_not_there(run_python, tmp_path):
    out = _state_without_mkl(run_python, "", env={"KERNELS_MKL_LIBRARY": str(tmp_path / "libmkl_rt.so.2")})
    for iface in ("kernels", "lapack", "fft"):
        status, reason = out[iface]["mkl"]
        assert status == "missing dependency" and "KERNELS_MKL_LIBRARY" in reason and "is not a file" in reason, \
            out[iface]
    assert "mkl" not in out["active"] and out["ok"]
    usable = {n for n, (s, _) in out["kernels"].items() if s == "usable"}
    assert "portable" in usable and len(usable) >= 2, out


def test_unusable_with_the_reason_without_the_mkl_package(run_python, tmp_path):
    """No `mkl` distribution and nothing in sys.prefix/lib (what a fresh
    venv without `pip install mkl` has): the reason says how to get it."""
    prelude = f"""
import sys, kernels_mkl
kernels_mkl._candidates_from_distribution = lambda: []
sys.prefix = {str(tmp_path)!r}
"""
    out = _state_without_mkl(run_python, prelude, env={"KERNELS_MKL_LIBRARY": ""})  # empty: not set
    for iface in ("kernels", "lapack", "fft"):
        status, reason = out[iface]["mkl"]
        assert status == "missing dependency" and "pip install mkl" in reason, out[iface]
    assert "mkl" not in out["active"] and out["ok"]


def test_a_file_that_is_not_mkl_is_refused_with_the_reason(run_python, tmp_path):
    bogus = tmp_path / "libmkl_rt.so.2"
    bogus.write_bytes(b"not a shared object")
    out = _state_without_mkl(run_python, "", env={"KERNELS_MKL_LIBRARY": str(bogus)})
    for iface in ("kernels", "fft"):
        status, reason = out[iface]["mkl"]
        assert status == "invalid" and "cannot load MKL" in reason, out[iface]
    assert out["ok"]
