#!/usr/bin/env python3
"""hostlib's benchmark suite: speed as ratios against numpy and OpenBLAS.

    python benchmarks/run.py                       # full run, about 2-4 minutes
    python benchmarks/run.py --quick               # under a minute
    python benchmarks/run.py --out r.json --plot r.png
    python benchmarks/run.py --from r.json --plot r.png    # re-print / re-plot a saved run
    python benchmarks/run.py --sections gemm,overhead      # part of it

Measures, in one run (ratios are only meaningful within a run on a shared
machine): every elementwise ufunc per backend against numpy's own, at
numpy's default and at an equal instruction set; numpy's own np.sin/np.exp
patched by hostlib.patch_numpy() against unpatched and against MKL's
mkl_umath patch; gemm against numpy.matmul
(OpenBLAS, one thread), also at an equal instruction set; level-1 kernels
against numpy/OpenBLAS and against the bandwidth of a plain copy; for every
table entry, the backend automatic selection picks against the fastest one;
the cost of a call through hostlib's table against a direct call, in C; and
Python-level overhead on tiny arrays. See benchmarks/README.md for how to read it.

Every backend hostlib reports as usable is measured, on the entries it
provides itself. Run from anywhere but the top of the source tree is not
required: this script's folder is first on sys.path, not the checkout.
"""

from __future__ import annotations

import os
import sys

# One thread for every BLAS (numpy's OpenBLAS, scipy's, a forwarding
# backend's): set before numpy is imported here and inherited by the worker
# subprocesses. The comparison is kernel against kernel on one core. The
# user's own settings are kept for the selection section, which judges the
# choice `hostlib tune` made under them.
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
USER_THREAD_ENV = {v: os.environ.get(v) for v in _THREAD_VARS}
for _var in _THREAD_VARS:
    os.environ[_var] = "1"

# Some machines pin OpenBLAS to older kernels (OPENBLAS_CORETYPE, with
# OPENBLAS_L2_SIZE), a workaround for old OpenBLAS builds. numpy would then
# be measured below its best: the pins go before numpy loads, unless
# --keep-openblas-env. (Each worker level sets the core type it needs.)
_OPENBLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
DROPPED_ENV = {} if any(a in sys.argv for a in ("--keep-openblas-env", "--worker")) else {
    v: os.environ.pop(v) for v in _OPENBLAS_PINS if v in os.environ}

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sysconfig  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import hostlib  # noqa: E402
from hostlib import _bench as B  # noqa: E402  (the kernel catalogue, shared with `hostlib bench`)
from hostlib._timing import Local, compare  # noqa: E402
from hostlib._tune import SIZES as TUNE_SIZES  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

# timing settings per mode: see hostlib._timing.compare
FULL = dict(
    ufunc_sizes=(1_000, 100_000, 10_000_000),
    level1_sizes=(1_000, 100_000, 10_000_000),
    gemm_sizes=(16, 32, 64, 128, 256, 1024, 2048),
    gemm_shapes=True,
    selection_sizes=TUNE_SIZES,  # a default is judged at the sizes hostlib tune chooses at
    timing=dict(repeat=5, min_repeat=3, min_time=0.1, max_time=0.6),
    overhead_rounds=31,
    import_rounds=21,
    threads_gemm=2048,
    threads_map_sizes=(10_000, 1_000_000, 10_000_000),
    threads_reduce_sizes=(1_000, 100_000, 10_000_000),
)
QUICK = dict(
    ufunc_sizes=(1_000, 100_000),
    level1_sizes=(1_000, 100_000, 1_000_000),
    gemm_sizes=(32, 64, 256),
    gemm_shapes=True,
    selection_sizes=TUNE_SIZES,
    timing=dict(repeat=3, min_repeat=2, min_time=0.03, max_time=0.25),
    overhead_rounds=11,
    import_rounds=9,
    threads_gemm=2048,
    threads_map_sizes=(10_000, 1_000_000, 10_000_000),
    threads_reduce_sizes=(100_000, 1_000_000),
)
# for tests: the whole pipeline on tiny sizes; the numbers mean nothing
SMOKE = dict(
    ufunc_sizes=(64,),
    level1_sizes=(64,),
    gemm_sizes=(8,),
    gemm_shapes=False,
    selection_sizes={"elementwise": (64,), "level1": (64,), "gemm": (8,)},
    timing=dict(repeat=2, min_repeat=1, min_time=0.0, max_time=0.005, sample_time=0.0002),
    overhead_rounds=2,
    import_rounds=1,
    threads_gemm=64,
    threads_map_sizes=(64,),
    threads_reduce_sizes=(64,),
)
# gemm beyond squares (the gemm section, when the mode has gemm_shapes):
# (label, m, k, n, trans); trans "TN" = op(A) is a transposed view
GEMM_SHAPES = (
    ("tall 2000x16 @ 16x16", 2000, 16, 16, "NN"),
    ("wide 16x16 @ 16x2000", 16, 16, 2000, "NN"),
    ("k=1 512x1 @ 1x512", 512, 1, 512, "NN"),
    ("long k 16x2000 @ 2000x16", 16, 2000, 16, "NN"),
    ("A^T 512", 512, 512, 512, "TN"),
    ("B^T 512", 512, 512, 512, "NT"),
    ("A^T B^T 512", 512, 512, 512, "TT"),
)
SECTIONS = ("ufunc", "patch", "gemm", "level1", "roofline", "selection", "overhead", "python", "import", "threads")
# numpy's own ufuncs patched (hostlib.patch_numpy) vs unpatched vs MKL's patch
PATCH_KERNELS = ("sin", "exp")

# numpy's x86 levels. Each dispatch target numpy may build is ranked by the
# level it belongs to; masking every target above a level leaves numpy at
# that level. OPENBLAS_CORETYPE picks OpenBLAS kernels of the same level.
LEVELS = {
    4: dict(name="X86_V4", isa="AVX-512", coretype=None),
    3: dict(name="X86_V3", isa="AVX2+FMA3", coretype="Haswell"),
    2: dict(name="X86_V2", isa="SSE4.2 (numpy's baseline)", coretype="Nehalem"),
}
# glibc's libm picks FMA/AVX2 variants of exp, log, sin, cos at run time,
# whatever numpy is told: numpy at X86_V2 calls libm for float64 exp/log, so
# its libm is masked to the same level (glibc >= 2.26 reads the tunable).
GLIBC_MASKS = {
    3: ("AVX512F", "AVX512VL", "AVX512BW", "AVX512DQ", "AVX512CD"),
    2: ("AVX512F", "AVX512VL", "AVX512BW", "AVX512DQ", "AVX512CD", "AVX", "AVX2", "FMA", "FMA4"),
}
_RANK3 = {"X86_V3", "AVX", "AVX2", "FMA3", "F16C", "FMA4", "XOP"}
_RANK2 = {"X86_V2", "SSE3", "SSSE3", "SSE41", "SSE42", "POPCNT"}


def target_rank(name: str) -> int:
    """numpy dispatch target -> level (2, 3, 4); unknown names rank 5 (always masked)."""
    if name == "X86_V4" or "512" in name:
        return 4
    if name in _RANK3:
        return 3
    if name in _RANK2:
        return 2
    return 5


# ---------------------------------------------------------------------------
# worker subprocesses: numpy (and its OpenBLAS) at another instruction set
# ---------------------------------------------------------------------------


def worker_main() -> int:
    """Serve timing requests, one JSON object per line on stdin/stdout.

    The environment (NPY_DISABLE_CPU_FEATURES, OPENBLAS_CORETYPE) was set by
    the parent before this process imported numpy (a bad mask fails at the
    imports, and the parent reports the tail of this process's stderr)."""
    out = sys.stdout
    prepared: dict[str, Any] = {}
    for line in sys.stdin:
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "info":
                resp = _worker_info()
            elif op == "prepare":  # set up data, warm up, calibrate: first sample
                c = Local(req["stmt"], B.setup(req["kernel"], req["n"], req["dtype"], shape=req.get("shape")))
                first = c.prepare(req["sample_time"], req["max_time"])
                prepared[req["key"]] = c
                resp = {"ns": first, "number": c.number}
            elif op == "sample":
                resp = {"ns": prepared[req["key"]].sample()}
            elif op == "drop":
                prepared.pop(req["key"], None)
                resp = {}
            else:
                resp = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # report, keep serving
            resp = {"error": f"{type(exc).__name__}: {exc}"}
        out.write(json.dumps(resp) + "\n")
        out.flush()
    return 0


def _worker_info() -> dict[str, Any]:
    import numpy as np

    from numpy._core import _multiarray_umath as mu

    feats = mu.__cpu_features__
    info: dict[str, Any] = {
        "numpy": np.__version__,
        "baseline": list(mu.__cpu_baseline__),
        "dispatch_enabled": [t for t in mu.__cpu_dispatch__ if feats.get(t)],
        "dispatch_masked": [t for t in mu.__cpu_dispatch__ if not feats.get(t)],
        "NPY_DISABLE_CPU_FEATURES": os.environ.get("NPY_DISABLE_CPU_FEATURES"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "openblas_architecture": None,
    }
    try:
        from threadpoolctl import threadpool_info

        for p in threadpool_info():
            if p.get("internal_api") == "openblas" and "numpy" in (p.get("filepath") or ""):
                info["openblas_architecture"] = p.get("architecture")
                info["openblas_threads"] = p.get("num_threads")
    except ImportError:
        pass
    return info


class WorkerError(RuntimeError):
    pass


class Worker:
    """A subprocess running this script with --worker under extra env vars."""

    def __init__(self, label: str, env: dict[str, str]) -> None:
        self.label = label
        self.env = env
        full = dict(os.environ)
        full.update(env)
        self._err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._err,
            text=True,
            env=full,
            bufsize=1,
        )

    def call(self, req: dict[str, Any]) -> dict[str, Any]:
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            self.proc.wait(timeout=10)
            self._err.seek(0)
            tail = self._err.read().strip().splitlines()[-3:]
            raise WorkerError(f"worker {self.label} died: " + " | ".join(tail))
        resp = json.loads(line)
        if "error" in resp:
            raise WorkerError(f"worker {self.label}: {resp['error']}")
        return resp

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except Exception:
                self.proc.kill()
        self._err.close()


# ---------------------------------------------------------------------------
# context: backends, levels, workers
# ---------------------------------------------------------------------------


class Context:
    def __init__(self, mode: dict[str, Any], quiet: bool) -> None:
        self.mode = mode
        self.timing = mode["timing"]
        self.quiet = quiet
        self.backends = B.usable_backends()
        self.names = [b.name for b in self.backends]
        self.notes: list[str] = []
        self.limiter, self.threads_note = B.blas_threads_limit(1)
        self.x86 = platform.machine().lower() in {"x86_64", "amd64", "i686", "x86"}
        self.default_level = self._numpy_level()
        self.levels: dict[int, dict[str, Any]] = {}  # level -> {env, worker, info, error}
        self.backend_level = {b.name: self._level_of(b) for b in self.backends}
        self.mkl: MKL | None = None  # set by run() when a section needs it

    # numpy's level on this CPU (what it runs by default)
    def _numpy_level(self) -> int | None:
        if not self.x86:
            return None
        from numpy._core import _multiarray_umath as mu

        f = mu.__cpu_features__
        for lvl, names in ((4, ("X86_V4", "AVX512_SKX")), (3, ("X86_V3", "AVX2")), (2, ("X86_V2", "SSE42"))):
            if any(f.get(n) for n in names):
                return lvl
        return 2

    def _level_of(self, b: Any) -> int | None:
        """The numpy level to compare a backend with: the highest level its
        declared features reach (numpy has nothing below X86_V2). A backend
        that picks its own kernels at run time (OpenBLAS: it reports a
        'corename') is compared with numpy's default."""
        if self.default_level is None:
            return None
        if "corename" in b.details():
            return self.default_level
        from hostlib import _cpu

        feats = set(_cpu.closure(b.features)) if b.features else set()
        if "AVX512F" in feats:
            lvl = 4
        elif "AVX2" in feats and "FMA3" in feats:
            lvl = 3
        else:
            lvl = 2
        return min(lvl, self.default_level)

    def start_workers(self) -> None:
        """One worker per level below numpy's default that some comparison needs."""
        if not self.x86:
            self.notes.append(f"{platform.machine()}: no equal-instruction-set comparisons (x86 only)")
            return
        from numpy._core import _multiarray_umath as mu

        dispatch = list(mu.__cpu_dispatch__)
        for lvl in (3, 2):
            if lvl >= self.default_level:
                continue
            masked = [t for t in dispatch if target_rank(t) > lvl]
            env = {"NPY_DISABLE_CPU_FEATURES": " ".join(masked)}
            if LEVELS[lvl]["coretype"]:
                env["OPENBLAS_CORETYPE"] = LEVELS[lvl]["coretype"]
            if platform.libc_ver()[0] == "glibc":
                hwcaps = "glibc.cpu.hwcaps=" + ",".join("-" + f for f in GLIBC_MASKS[lvl])
                prior = os.environ.get("GLIBC_TUNABLES")
                env["GLIBC_TUNABLES"] = f"{prior}:{hwcaps}" if prior else hwcaps
            rec: dict[str, Any] = {"env": env, "worker": None, "info": None, "error": None}
            self.levels[lvl] = rec
            w = Worker(LEVELS[lvl]["name"], env)
            try:
                rec["info"] = w.call({"op": "info"})
                rec["worker"] = w
            except WorkerError as exc:
                rec["error"] = str(exc)
                w.close()
                self.notes.append(f"numpy at {LEVELS[lvl]['name']} unavailable: {exc}")
                continue
            arch = rec["info"].get("openblas_architecture")
            want = LEVELS[lvl]["coretype"]
            rec["openblas_ok"] = arch is not None and want is not None and arch.lower() == want.lower()
            if not rec["openblas_ok"]:
                self.notes.append(
                    f"OPENBLAS_CORETYPE={want} not confirmed (numpy's OpenBLAS reports {arch!r}); "
                    f"OpenBLAS at {LEVELS[lvl]['name']} is not shown"
                )

    def worker(self, lvl: int) -> Worker | None:
        rec = self.levels.get(lvl)
        return rec["worker"] if rec else None

    def close(self) -> None:
        for rec in self.levels.values():
            if rec["worker"] is not None:
                rec["worker"].close()
        if self.limiter is not None:
            self.limiter.restore_original_limits()

    def remote(self, lvl: int, kernel: str, dtype: str, n: int, stmt: str,
               shape: tuple | None = None) -> "Remote | None":
        """A contestant timed in the worker of level ``lvl`` (None if there is none)."""
        w = self.worker(lvl)
        return None if w is None else Remote(self, lvl, w, dict(kernel=kernel, dtype=dtype, n=n, stmt=stmt,
                                                                  shape=shape))

    def compare(self, who: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Round-robin timing of local and remote contestants: {key: Timing dict}."""
        try:
            times = compare(who, **self.timing)
        finally:
            for c in who.values():
                c.close()
        return {k: t.to_dict() for k, t in times.items() if t.best_ns == t.best_ns}

    def worker_failed(self, lvl: int, exc: Exception) -> None:
        self.notes.append(str(exc))
        rec = self.levels.get(lvl)
        if rec and rec["worker"] is not None:
            rec["worker"].close()
            rec["worker"] = None

    def level_info(self) -> dict[str, Any]:
        out = {}
        for lvl in sorted(LEVELS, reverse=True):
            if self.default_level is None or lvl > self.default_level:
                continue
            d = dict(LEVELS[lvl])
            if lvl == self.default_level:
                d.update(default=True, env={}, openblas_ok=True)
            else:
                rec = self.levels.get(lvl, {})
                d.update(default=False, env=rec.get("env"), info=rec.get("info"), error=rec.get("error"),
                         openblas_ok=rec.get("openblas_ok", False))
            out[d["name"]] = d
        return out


class Remote:
    """A contestant of hostlib._timing.compare timed in a worker subprocess
    (numpy at another instruction set); same protocol as hostlib._timing.Local."""

    _ids = 0

    def __init__(self, ctx: Context, lvl: int, worker: Worker, req: dict[str, Any]) -> None:
        Remote._ids += 1
        self.ctx, self.lvl, self.worker, self.req = ctx, lvl, worker, req
        self.key = f"c{Remote._ids}"
        self.number = 1
        self.dead = False

    def _call(self, req: dict[str, Any]) -> dict[str, Any] | None:
        if self.dead:
            return None
        try:
            return self.worker.call(req)
        except WorkerError as exc:
            self.dead = True
            self.ctx.worker_failed(self.lvl, exc)
            return None

    def prepare(self, sample_time: float, max_time: float) -> float:
        r = self._call(dict(self.req, op="prepare", key=self.key, sample_time=sample_time, max_time=max_time))
        if r is None:
            return float("nan")
        self.number = r["number"]
        return r["ns"]

    def sample(self) -> float:
        r = self._call({"op": "sample", "key": self.key})
        return float("nan") if r is None else r["ns"]

    def close(self) -> None:
        if not self.dead:
            self._call({"op": "drop", "key": self.key})


def lname(lvl: int | None) -> str | None:
    return None if lvl is None else LEVELS[lvl]["name"]


# ---------------------------------------------------------------------------
# the machine: what a result file needs to be read later
# ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """`hostlib bench`'s summary plus numpy's dispatch targets and BLAS,
    every backend hostlib found, and the thread pools."""
    import numpy as np
    from numpy._core import _multiarray_umath as mu

    info = hostlib.runtime_info()
    m = B.machine_info()
    m["numpy"].update(
        cpu_baseline=list(mu.__cpu_baseline__),
        cpu_dispatch=list(mu.__cpu_dispatch__),
        cpu_features=[k for k, v in mu.__cpu_features__.items() if v],
        blas=np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas"),
    )
    keys = ("name", "status", "reason", "priority", "entry_priority", "features", "version", "provides", "details")
    m["hostlib"].update(
        cpu_available=info["cpu"].get("available"),
        backends=[{k: b.get(k) for k in keys} for b in info["backends"]],
        environment=info["environment"],
    )
    m["threadpools"] = _threadpools()
    return m


def _threadpools() -> list[dict[str, Any]] | None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    keys = ("internal_api", "prefix", "version", "num_threads", "architecture", "filepath")
    return [{k: p.get(k) for k in keys} for p in threadpool_info()]


# ---------------------------------------------------------------------------
# MKL: an optional reference (pip install "hostlib-simd[bench]")
# ---------------------------------------------------------------------------


def _mkl_rt_path() -> str | None:
    """libmkl_rt of the installed `mkl` distribution (PyPI), else the loader's."""
    import ctypes.util
    from importlib import metadata

    try:
        files = metadata.files("mkl") or []
    except metadata.PackageNotFoundError:
        files = []
    for f in files:
        name = os.path.basename(str(f))
        if name.startswith(("libmkl_rt.so", "libmkl_rt.dylib", "mkl_rt")) and not name.endswith((".py", ".h")):
            path = str(f.locate())
            if os.path.isfile(path):
                return path
    return ctypes.util.find_library("mkl_rt")


class MKL:
    """Intel MKL as a reference column, where it is installed: its vector
    math through mkl_umath's ufuncs, its gemm through cblas_sgemm/dgemm of
    libmkl_rt (ctypes). One thread (MKL_NUM_THREADS=1, set above before any
    import). ``notes`` says what is missing and why."""

    def __init__(self) -> None:
        self.umath: Any = None
        self.lib: Any = None
        self.notes: list[str] = []
        try:
            import mkl_umath

            self.umath = mkl_umath
        except Exception as exc:  # not installed, or built for another numpy
            self.notes.append(f"no MKL column for the ufuncs: mkl_umath unavailable ({exc.__class__.__name__}: {exc}); "
                              'pip install "hostlib-simd[bench]"')
        path = _mkl_rt_path()
        if path is None:
            self.notes.append('no MKL column for gemm: libmkl_rt not found; pip install "hostlib-simd[bench]"')
        else:
            import ctypes

            try:
                lib = ctypes.CDLL(path)
                for fn, T in (("cblas_sgemm", ctypes.c_float), ("cblas_dgemm", ctypes.c_double)):
                    getattr(lib, fn).restype = None
                    getattr(lib, fn).argtypes = [ctypes.c_int] * 3 + [ctypes.c_int] * 3 + [T, ctypes.c_void_p, ctypes.c_int,
                                                 ctypes.c_void_p, ctypes.c_int, T, ctypes.c_void_p, ctypes.c_int]
                if hasattr(lib, "MKL_Set_Num_Threads"):
                    lib.MKL_Set_Num_Threads(1)
                self.lib = lib
            except (OSError, AttributeError) as exc:
                self.notes.append(f"no MKL column for gemm: cannot load {path} ({exc})")
        if self.umath is not None or self.lib is not None:
            from hostlib import _cpu

            vendor = _cpu.identity().get("vendor")
            if vendor and vendor != "GenuineIntel":
                self.notes.append(f"MKL chooses its code paths by CPU vendor: on this {vendor} CPU its figures may "
                                  "be far below what it reaches on an Intel CPU of the same instruction set")

    def ufunc(self, k: Any, ns: dict[str, Any]) -> Local | None:
        """``mkl_umath.<name>(x, out=y)`` over the kernel's data, or None."""
        if self.umath is None or not hasattr(self.umath, k.name):
            return None
        return Local(f"mkl_umath.{k.name}(x, out=y)", {**ns, "mkl_umath": self.umath})

    @contextlib.contextmanager
    def patch(self) -> Any:
        """numpy's own ufuncs with MKL's loops (mkl_umath.patch_numpy_umath)
        for the block; needs ``umath``."""
        self.umath.patch_numpy_umath()
        try:
            yield
        finally:
            self.umath.restore_numpy_umath()

    def gemm(self, dt: str, ns: dict[str, Any]) -> Local | None:
        """C = A @ B by cblas_?gemm (row-major; a transposed view of A or B
        as CblasTrans of the array behind it), or None."""
        if self.lib is None:
            return None
        fn = self.lib.cblas_sgemm if dt == "f32" else self.lib.cblas_dgemm
        A, Bm, C = ns["A"], ns["B"], ns["C"]

        def op(M: Any) -> tuple[int, int]:  # (CblasNoTrans 111 / CblasTrans 112, leading dimension)
            return (111, M.shape[1]) if M.flags.c_contiguous else (112, M.shape[0])

        (ta, lda), (tb, ldb) = op(A), op(Bm)
        m, k = A.shape
        args = (101, ta, tb, m, C.shape[1], k, 1.0, A.ctypes.data, lda, Bm.ctypes.data, ldb, 0.0, C.ctypes.data,
                C.shape[1])
        return Local(lambda: fn(*args))


# ---------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------


def _versus_reference(ctx: Context, k, dt: str, n: int, ns, levels, cell,
                      mkl: Local | None = None, shape: tuple | None = None) -> tuple[dict, dict, dict | None]:
    """Time the reference (numpy/OpenBLAS: default, then each ISA level in
    `levels` run by a worker), MKL if given, and every backend providing
    the entry, in one interleaved comparison. Returns ({level: cell},
    {backend: cell}, MKL's cell or None) with each backend's speedup
    against the default, the equal-ISA reference and MKL."""
    default = lname(ctx.default_level) or "default"
    who: dict[str, Any] = {"=" + default: Local(k.numpy, ns)}
    if mkl is not None:
        who["+mkl"] = mkl
    for lvl in levels:
        c = ctx.remote(lvl, k.name, dt, n, k.numpy, shape)
        if c is not None:
            who["=" + lname(lvl)] = c
    for name in B.providers(k.entry(dt), ctx.backends):
        who[name] = Local(k.hostlib, ns, context=lambda name=name: hostlib.using(name))
    reference: dict[str, Any] = {}
    backends: dict[str, Any] = {}
    mkl_cell = None
    for key, t in ctx.compare(who).items():
        if key == "+mkl":
            mkl_cell = cell(t)
        elif key.startswith("="):
            reference[key[1:]] = cell(t)
        else:
            backends[key] = cell(t)
    for name, c in backends.items():
        c["speedup"] = B.ratio(reference[default]["ns"], c["ns"])
        eq = lname(ctx.backend_level[name])
        c["equal_isa"] = eq
        ref = reference.get(eq) if eq else None
        c["speedup_equal_isa"] = B.ratio(ref["ns"], c["ns"]) if ref else None
        if mkl_cell is not None:
            c["speedup_vs_mkl"] = B.ratio(mkl_cell["ns"], c["ns"])
    return reference, backends, mkl_cell


def _renamed(cells: dict, against: str) -> dict:
    # the JSON names the reference in the ratio keys: speedup_vs_numpy, ...
    for c in cells.values():
        c[f"speedup_vs_{against}"] = c.pop("speedup")
        c[f"speedup_vs_{against}_equal_isa"] = c.pop("speedup_equal_isa")
    return cells


def kernel_cases(kernels: tuple[str, ...], sizes: tuple[int, ...]) -> list[tuple[Any, str, int]]:
    """(kernel, dtype, n) for each of these kernels of the catalogue, each dtype and size."""
    return [(B.KERNELS[name], dt, n) for name in kernels for dt in B.DTYPES for n in sizes]


def section_ufunc(ctx: Context, progress) -> list[dict[str, Any]]:
    rows = []
    for k, dt, n in kernel_cases(B.ELEMENTWISE, ctx.mode["ufunc_sizes"]):
        progress.step(f"ufunc {k.name} {dt} n={B.fmt_n(n)}")
        ns = B.setup(k, n, dt)
        reference, backends, mkl = _versus_reference(
            ctx, k, dt, n, ns, (3, 2),
            lambda t: {"ns": t["best_ns"], "ns_per_elem": t["best_ns"] / n, "timing": t},
            ctx.mkl.ufunc(k, ns) if ctx.mkl else None,
        )
        del ns
        rows.append({"kernel": k.name, "dtype": dt, "n": n, "numpy": reference, "mkl": mkl,
                     "backends": _renamed(backends, "numpy")})
        progress.advance()
    return rows


def section_patch(ctx: Context, progress) -> list[dict[str, Any]]:
    """The same statement, np.sin(x, out=y), with numpy's own loops, with
    hostlib's (patch_numpy, automatic selection) and with MKL's
    (mkl_umath.patch_numpy_umath), sampled round-robin: each sample enters
    its patch and leaves it (outside the timed loop)."""
    mkl = ctx.mkl.patch if ctx.mkl and ctx.mkl.umath is not None else None
    rows = []
    for k, dt, n in kernel_cases(PATCH_KERNELS, ctx.mode["ufunc_sizes"]):
        progress.step(f"patch {k.name} {dt} n={B.fmt_n(n)}")
        ns = B.setup(k, n, dt)
        who: dict[str, Any] = {
            "numpy": Local(k.numpy, ns),
            "hostlib": Local(k.numpy, ns, context=lambda: hostlib.patched_numpy()),
        }
        if mkl is not None:
            who["mkl"] = Local(k.numpy, ns, context=mkl)
        times = ctx.compare(who)
        del ns
        row: dict[str, Any] = {"kernel": k.name, "dtype": dt, "n": n, "stmt": k.numpy,
                               "hostlib_backend": hostlib.active()[k.entry(dt)]}
        for who_, t in times.items():
            row[who_] = {"ns_per_elem": t["best_ns"] / n, "timing": t}
        ns_numpy = row.get("numpy", {}).get("ns_per_elem")
        for who_ in ("hostlib", "mkl"):
            if who_ in row:
                row[who_]["speedup_vs_numpy"] = B.ratio(ns_numpy, row[who_]["ns_per_elem"])
        if "hostlib" in row and "mkl" in row:
            row["hostlib"]["speedup_vs_mkl"] = B.ratio(row["mkl"]["ns_per_elem"], row["hostlib"]["ns_per_elem"])
        rows.append(row)
        progress.advance()
    return rows


def section_gemm(ctx: Context, progress) -> list[dict[str, Any]]:
    k = B.KERNELS["gemm"]
    rows = []
    # OpenBLAS at an ISA level only where its core type really took effect
    levels = tuple(lvl for lvl in (3, 2) if (ctx.levels.get(lvl) or {}).get("openblas_ok"))
    cases = [(str(n), (n, n, n, "NN")) for n in ctx.mode["gemm_sizes"]]
    cases += [(label, shape) for label, *shape in GEMM_SHAPES] if ctx.mode["gemm_shapes"] else []
    for dt in ("f32", "f64"):
        for label, shape in cases:
            progress.step(f"gemm {dt} {label}")
            m, kk, n, trans = shape
            flops = 2 * m * kk * n
            ns = B.setup(k, n, dt, shape=shape)
            reference, backends, mkl = _versus_reference(
                ctx, k, dt, n, ns, levels,
                lambda t: {"ns": t["best_ns"], "gflops": flops / t["best_ns"], "timing": t},
                ctx.mkl.gemm(dt, ns) if ctx.mkl else None, shape,
            )
            del ns
            row = {"kernel": "gemm", "dtype": dt, "n": n, "label": label, "flops": flops, "openblas": reference,
                   "mkl": mkl, "backends": _renamed(backends, "openblas")}
            if shape != (n, n, n, "NN"):
                row["shape"] = {"m": m, "k": kk, "n": n, "trans": trans}
            rows.append(row)
            progress.advance()
    return rows


def _scipy_blas():
    try:
        from scipy.linalg import blas
    except Exception:
        return None
    return blas


def copy_setup(nbytes: int, dtype: str) -> dict[str, Any]:
    """``np.copyto(d, s)`` moving ``nbytes`` (read + written): the bandwidth
    reference of a level-1 kernel that moves as many bytes."""
    import numpy as np

    dt = np.dtype(B.DTYPES[dtype])
    m = max(1, nbytes // (2 * dt.itemsize))
    return {"np": np, "s": np.ones(m, dt), "d": np.zeros(m, dt), "m": m}


COPY_STMT = "np.copyto(d, s)"

# reference statements: numpy, or OpenBLAS through scipy where numpy has no
# single-pass equivalent (axpy)
SCIPY_STMT = {
    "dot": "B_dot(x, y)",
    "axpy": "B_axpy(x, y, a=a)",
    "scal": "B_scal(a, x)",
    "asum": "B_asum(x)",
    "nrm2": "B_nrm2(x)",
}


def section_level1(ctx: Context, progress) -> list[dict[str, Any]]:
    blas = _scipy_blas()
    if blas is None:
        ctx.notes.append("scipy not installed: axpy is compared with numpy's y += a*x (two passes)")
    rows = []
    for k, dt, n in kernel_cases(B.LEVEL1, ctx.mode["level1_sizes"]):
        kname = k.name
        progress.step(f"level-1 {kname} {dt} n={B.fmt_n(n)}")
        itemsize = 4 if dt == "f32" else 8
        nbytes = k.nbytes(n, itemsize)
        ns = B.setup(k, n, dt)
        row: dict[str, Any] = {"kernel": kname, "dtype": dt, "n": n, "bytes": nbytes, "refs": {}, "backends": {}}
        who: dict[str, Any] = {"=numpy": Local(k.numpy, ns)}
        stmts = {"numpy": k.numpy}
        if blas is not None and kname in SCIPY_STMT:
            p = "s" if dt == "f32" else "d"
            ns["B_" + kname] = getattr(blas, p + kname)
            who["=scipy"] = Local(SCIPY_STMT[kname], ns)
            stmts["scipy"] = "scipy.linalg.blas." + SCIPY_STMT[kname].replace("B_", p)
        # numpy (and its OpenBLAS) at each lower level a backend belongs to
        for lvl in sorted({ctx.backend_level[b] for b in B.providers(k.entry(dt), ctx.backends)} - {None},
                          reverse=True):
            c = ctx.remote(lvl, kname, dt, n, k.numpy) if lvl != ctx.default_level else None
            if c is not None:
                who["=" + lname(lvl)] = c
                stmts[lname(lvl)] = k.numpy
        # the bandwidth reference: a copy moving the same bytes
        cns = copy_setup(nbytes, dt)
        who["=copy"] = Local(COPY_STMT, cns)
        for name in B.providers(k.entry(dt), ctx.backends):
            who[name] = Local(k.hostlib, ns, context=lambda name=name: hostlib.using(name))
        times = ctx.compare(who)
        t = times.pop("=copy")
        row["copy"] = {"elements": cns["m"], "ns": t["best_ns"], "gbps": nbytes / t["best_ns"], "timing": t}
        for key, t in times.items():
            cell = {"ns": t["best_ns"], "ns_per_elem": t["best_ns"] / n, "gbps": nbytes / t["best_ns"], "timing": t}
            if key.startswith("="):
                cell["stmt"] = stmts[key[1:]]
                row["refs"][key[1:]] = cell
            else:
                row["backends"][key] = cell
        del ns, cns, who
        # the reference: numpy, except axpy, where scipy's ?axpy is
        # the single-pass in-place equivalent
        ref_key = "scipy" if (kname == "axpy" and "scipy" in row["refs"]) else "numpy"
        row["ref"] = ref_key
        for cell in list(row["backends"].values()) + list(row["refs"].values()):
            cell["fraction_of_copy"] = cell["gbps"] / row["copy"]["gbps"]
        for name, cell in row["backends"].items():
            cell["speedup_vs_ref"] = B.ratio(row["refs"][ref_key]["ns"], cell["ns"])
            cell["speedup_vs_numpy"] = B.ratio(row["refs"]["numpy"]["ns"], cell["ns"])
            # numpy's statement at the backend's own level (the default
            # level is the "numpy" reference itself)
            eq = lname(ctx.backend_level[name])
            ref = row["refs"]["numpy"] if ctx.backend_level[name] == ctx.default_level else row["refs"].get(eq)
            cell["equal_isa"] = eq
            cell["speedup_vs_numpy_equal_isa"] = B.ratio(ref["ns"], cell["ns"]) if ref else None
            if "scipy" in row["refs"]:
                cell["speedup_vs_scipy"] = B.ratio(row["refs"]["scipy"]["ns"], cell["ns"])
        rows.append(row)
        progress.advance()
    return rows


def _compile_ext(stem: str) -> tuple[Any, str]:
    """Build benchmarks/<stem>.c into the module _hostlib_<stem>, in a temp
    dir, with the C compiler Python was built with. Returns (module, how)
    or (None, why not)."""
    import importlib.machinery
    import importlib.util

    cc = sysconfig.get_config_var("CC") or os.environ.get("CC") or "cc"
    ccv = shlex.split(cc)
    if not ccv or shutil.which(ccv[0]) is None:
        return None, f"no C compiler ({cc!r} not found): {stem}.c not built"
    ldshared = shlex.split(sysconfig.get_config_var("LDSHARED") or f"{cc} -shared")
    if sys.platform == "darwin" and "-undefined" not in ldshared:
        ldshared += ["-undefined", "dynamic_lookup"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    tmp = tempfile.mkdtemp(prefix=f"hostlib-{stem}-")
    src = os.path.join(HERE, f"{stem}.c")
    obj = os.path.join(tmp, f"{stem}.o")
    modname = f"_hostlib_{stem}"
    so = os.path.join(tmp, modname + suffix)
    incs = [sysconfig.get_paths()["include"], hostlib.get_include()]
    compile_cmd = ccv + ["-O2", "-fPIC", "-std=c11", "-D_POSIX_C_SOURCE=199309L"] + [f"-I{i}" for i in incs] + ["-c", src, "-o", obj]
    link_cmd = ldshared + [obj, "-o", so]
    try:
        for cmd in (compile_cmd, link_cmd):
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
            if r.returncode != 0:
                return None, f"compiling {stem}.c failed: {' '.join(cmd)}\n{r.stderr.strip()}"
        spec = importlib.util.spec_from_file_location(
            modname, so, loader=importlib.machinery.ExtensionFileLoader(modname, so)
        )
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    except Exception as exc:
        return None, f"building {stem}.c failed: {type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return mod, " ".join(compile_cmd[:1] + compile_cmd[1:4])


def section_overhead(ctx: Context, progress) -> dict[str, Any]:
    mod, how = _compile_ext("callbench")
    if mod is None:
        ctx.notes.append("call overhead not measured: " + how)
        progress.advance()
        return {"skipped": how}
    modes = {"table": mod.MODE_TABLE, "table_once": mod.MODE_ONCE, "direct": mod.MODE_DIRECT, "empty": mod.MODE_EMPTY}
    host = hostlib._kernels_host
    rows = []
    rounds = ctx.mode["overhead_rounds"]
    for name in B.providers("ddot", ctx.backends):
        progress.step(f"call overhead via {name}")
        with hostlib.using(name):
            got, want = mod.check(8)
            # the public slot: the backend's ddot, or the host's threading
            # wrapper in front of it (which calls it for n <= one chunk)
            addr_ok = mod.ddot_address() == host.public_address("ddot")
            for n in (8, 0):
                # calls per timed loop: about 1 ms
                calls = 1000
                while mod.run(mod.MODE_DIRECT, calls, n) < 1_000_000 and calls < 1 << 26:
                    calls *= 2
                best = {m: float("inf") for m in modes}
                order = list(modes)
                for r in range(rounds):  # interleaved, order rotated: drift hits all alike
                    for m in order[r % 4:] + order[: r % 4]:
                        best[m] = min(best[m], mod.run(modes[m], calls, n) / calls)
                rows.append({
                    "backend": name,
                    "n": n,
                    "calls_per_loop": calls,
                    "rounds": rounds,
                    "ns_per_call": best,
                    "table_over_direct": best["table"] / best["direct"],
                    "once_over_direct": best["table_once"] / best["direct"],
                    "extra_ns": best["table"] - best["direct"],
                    "address_matches": addr_ok,
                    "result_ok": abs(got - want) <= 1e-12 * max(1.0, abs(want)),
                })
    progress.advance()
    return {"compiler": how, "rows": rows}


# the roofline section: hostlib's float32 kernel, the ceiling loop's kind,
# the bytes one element moves
ROOF_KERNELS = (("scal", "scale", 8), ("nrm2", "sumsq", 4))
ROOF_WIDTHS = {16: "SSE2", 32: "AVX2", 64: "AVX-512"}
#: bytes per vector of a backend compared with numpy at this level (the
#: portable table is vectorised by the compiler with SSE2)
LEVEL_WIDTH = {4: 64, 3: 32, 2: 16}


def section_roofline(ctx: Context, progress) -> dict[str, Any]:
    """The plainest float32 loop of each vector width (benchmarks/roofline.c)
    against hostlib's scal and nrm2 and numpy's, in bytes per cycle: where a
    kernel falls short of another ISA's speed, whether its own width's
    ceiling is the reason."""
    mod, how = _compile_ext("roofline") if ctx.x86 else (None, f"{platform.machine()}: the ceiling loops are x86 only")
    if mod is None:
        for _ in range(1 + len(ROOF_KERNELS) * len(ctx.mode["level1_sizes"])):
            progress.advance()
        ctx.notes.append("roofline not measured: " + how)
        return {"skipped": how}
    progress.step("roofline: the core's clock under load")
    ghz = mod.clock_ghz()
    progress.advance()
    rows = []
    for kname, kind, per_elem in ROOF_KERNELS:
        k = B.KERNELS[kname]
        for n in ctx.mode["level1_sizes"]:
            progress.step(f"roofline {kind} f32 n={B.fmt_n(n)}")
            nbytes = per_elem * n
            reps = max(1, int(2e7 // n))  # ~10-40 ms per round
            ceil = {w: mod.stream(kind, w, n, reps) for w in ROOF_WIDTHS}
            ns = B.setup(k, n, "f32")
            who: dict[str, Any] = {"=numpy": Local(k.numpy, ns)}
            for name in B.providers(k.entry("f32"), ctx.backends):
                who[name] = Local(k.hostlib, ns, context=lambda name=name: hostlib.using(name))
            times = ctx.compare(who)
            del ns

            def bpc(t_ns: float | None) -> float | None:
                return None if t_ns is None else nbytes / t_ns / ghz

            row: dict[str, Any] = {
                "kernel": kname, "loop": kind, "dtype": "f32", "n": n, "bytes": nbytes,
                "ceiling": {ROOF_WIDTHS[w]: {"width": w, "ns": t, "bytes_per_cycle": bpc(t)} for w, t in ceil.items()},
                "numpy": {"ns": times["=numpy"]["best_ns"], "bytes_per_cycle": bpc(times["=numpy"]["best_ns"])},
                "backends": {},
            }
            for b in ctx.backends:
                if b.name not in times:
                    continue
                t = times[b.name]["best_ns"]
                # a backend that picks its own kernels (OpenBLAS) has no one width
                w = None if "corename" in b.details() else LEVEL_WIDTH.get(ctx.backend_level[b.name])
                top = ceil.get(w) if w else None
                row["backends"][b.name] = {"ns": t, "bytes_per_cycle": bpc(t), "width": w,
                                           "fraction_of_ceiling": top / t if top else None}
            rows.append(row)
            progress.advance()
    return {"clock_ghz": ghz, "rows": rows}


# a default choice this much slower than the fastest backend is flagged:
# beyond what the round-robin best-of-N usually varies between re-runs
SLOWER = 1.05


def selection_cases(mode: dict[str, Any]) -> list[tuple[str, int]]:
    """(entry, n) for every table entry at the sizes its choice is judged at."""
    cases = []
    for entry in hostlib._kernels_host.iface.entries:
        k, _ = B.Kernel.of_entry(entry)
        cases += [(entry, n) for n in mode["selection_sizes"]["gemm" if k.kind == "level3" else k.kind]]
    return cases


def user_blas_threads() -> int:
    """The BLAS thread count this process would have had without the pin
    above: the user's OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, else (as
    OpenBLAS does) the CPUs this process may run on."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = (USER_THREAD_ENV.get(var) or "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def _pool(threads: int, reproducible: bool = False):
    """hostlib's pool at `threads` threads (and reproducible mode on or off)
    around one sample, restored after."""
    before, mode = hostlib.get_num_threads(), hostlib.is_reproducible()
    hostlib.set_num_threads(threads)
    hostlib.set_reproducible(reproducible)
    try:
        yield
    finally:
        hostlib.set_num_threads(before)
        hostlib.set_reproducible(mode)


def section_threads(ctx: Context, progress) -> dict[str, Any]:
    """hostlib's thread pool, every ratio from contestants sampled
    round-robin in this run: gemm on the default thread count vs one
    thread and vs numpy.matmul with OpenBLAS at the same count (OpenBLAS's
    default: the CPUs this process may use); exp and sin on the default
    count vs one thread; reductions in reproducible mode vs the default
    mode (one thread: kernel against kernel)."""
    import numpy as np

    from hostlib import _threads

    threads = max(2, _threads.cpu_count())
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        threadpool_limits = None
        ctx.notes.append("threadpoolctl not installed: numpy.matmul ran with OPENBLAS_NUM_THREADS=1")
    timing = ctx.mode["timing"]
    out: dict[str, Any] = {"threads": threads, "gemm": [], "maps": [], "reproducible": []}
    rng = np.random.default_rng(0)
    n = ctx.mode["threads_gemm"]
    for dt in (np.float64, np.float32):
        progress.step(f"threads: gemm {np.dtype(dt).name} n={n}")
        a, b = rng.standard_normal((n, n)).astype(dt), rng.standard_normal((n, n)).astype(dt)
        c = np.empty((n, n), dt)
        g = {"hostlib": hostlib, "np": np, "a": a, "b": b, "c": c}
        contestants = {
            "hostlib_1": Local("hostlib.gemm(a, b, c, beta=0.0)", g, lambda: _pool(1)),
            f"hostlib_{threads}": Local("hostlib.gemm(a, b, c, beta=0.0)", g, lambda: _pool(threads)),
            f"numpy_{threads}": Local("np.matmul(a, b, out=c)", g,
                                      (lambda: threadpool_limits(limits=threads, user_api="blas"))
                                      if threadpool_limits else None),
        }
        t = compare(contestants, **timing)
        flops = 2.0 * n ** 3
        out["gemm"].append({
            "dtype": np.dtype(dt).name, "n": n, "backend": hostlib.active()["dgemm" if dt == np.float64 else "sgemm"],
            "timing": {k: v.to_dict() for k, v in t.items()},
            "gflops": {k: flops / v.best_ns for k, v in t.items()},
            "speedup_vs_1_thread": t["hostlib_1"].best_ns / t[f"hostlib_{threads}"].best_ns,
            "vs_numpy": t[f"numpy_{threads}"].best_ns / t[f"hostlib_{threads}"].best_ns,
        })
        progress.advance()
    for func in ("exp", "sin"):
        for size in ctx.mode["threads_map_sizes"]:
            if func == "sin" and size > 1_000_000:
                continue
            progress.step(f"threads: {func} n={B.fmt_n(size)}")
            x = rng.uniform(-20, 20, size)
            g = {"f": getattr(hostlib, func), "x": x, "y": np.empty_like(x)}
            t = compare({"1": Local("f(x, out=y)", g, lambda: _pool(1)),
                         str(threads): Local("f(x, out=y)", g, lambda: _pool(threads))}, **timing)
            out["maps"].append({"kernel": func, "dtype": "float64", "n": size,
                                "timing": {k: v.to_dict() for k, v in t.items()},
                                "speedup": t["1"].best_ns / t[str(threads)].best_ns})
            progress.advance()
    for func in ("sum", "dot", "nrm2"):
        for size in ctx.mode["threads_reduce_sizes"]:
            progress.step(f"threads: reproducible {func} n={B.fmt_n(size)}")
            x = rng.standard_normal(size)
            g = {"f": getattr(hostlib, func), "x": x}
            stmt = "f(x, x)" if func == "dot" else "f(x)"
            t = compare({"default": Local(stmt, g, lambda: _pool(1)),
                         "reproducible": Local(stmt, g, lambda: _pool(1, reproducible=True))}, **timing)
            out["reproducible"].append({"kernel": func, "dtype": "float64", "n": size,
                                        "backend": hostlib.active()["d" + func],
                                        "timing": {k: v.to_dict() for k, v in t.items()},
                                        "cost": t["reproducible"].best_ns / t["default"].best_ns})
            progress.advance()
    return out


def section_selection(ctx: Context, progress) -> list[dict[str, Any]]:
    """Per table entry: the backend automatic selection picks against the
    fastest usable backend that provides the entry, timed side by side.
    A backend that threads itself (OpenBLAS) runs with the thread count the
    user's process has, as when `hostlib tune` measured it."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return _selection_rows(ctx, progress)
    with threadpool_limits(limits=user_blas_threads(), user_api="blas"):
        return _selection_rows(ctx, progress)


def _selection_rows(ctx: Context, progress) -> list[dict[str, Any]]:
    with hostlib.using("auto"):  # the default, whatever HOSTLIB_BACKEND says
        default = hostlib.active()
        # how each default was chosen ('measured' by hostlib tune, 'declared'
        # priorities, ...); a hostlib from before tune does not say
        detail = hostlib.runtime_info().get("entries_detail") or {}
    rows = []
    for entry, n in selection_cases(ctx.mode):
        progress.step(f"selection {entry} n={B.fmt_n(n)}")
        k, dt = B.Kernel.of_entry(entry)
        ns = B.setup(k, n, dt)
        times = ctx.compare({name: Local(k.hostlib, ns, context=lambda name=name: hostlib.using(name))
                             for name in B.providers(entry, ctx.backends)})
        del ns
        fastest = min(times, key=lambda b: times[b]["best_ns"])
        r = B.ratio(times.get(default[entry], {}).get("best_ns"), times[fastest]["best_ns"])
        rows.append({"entry": entry, "kernel": k.name, "dtype": dt, "n": n, "default": default[entry],
                     "fastest": fastest, "ratio": r, "slower": r is not None and r > SLOWER,
                     "choice": (detail.get(entry) or {}).get("choice"), "detail": detail.get(entry), "times": times})
        progress.advance()
    return rows


PY_OVERHEAD = (
    ("dot", "hl.dot(x, y)", "x @ y"),
    ("exp", "hl.exp(x)", "np.exp(x)"),
    ("exp out=", "hl.exp(x, out=o)", "np.exp(x, out=o)"),
    ("sum", "hl.sum(x)", "x.sum()"),
)


def section_python(ctx: Context, progress) -> list[dict[str, Any]]:
    import numpy as np

    progress.step("Python-level overhead, 8 elements")
    x = np.linspace(0.1, 0.9, 8)
    ns = {"np": np, "hl": hostlib, "x": x, "y": x[::-1].copy(), "o": np.empty(8)}
    rows = []
    for label, h, p in PY_OVERHEAD:
        times = ctx.compare({"hostlib": Local(h, ns), "numpy": Local(p, ns)})
        th, tp = times["hostlib"], times["numpy"]
        rows.append({"call": label, "hostlib": h, "numpy": p, "hostlib_ns": th["best_ns"], "numpy_ns": tp["best_ns"],
                     "hostlib_over_numpy": th["best_ns"] / tp["best_ns"], "timings": {"hostlib": th, "numpy": tp}})
    progress.advance()
    return rows


#: `import hostlib` may cost at most this beyond `import numpy`
IMPORT_TARGET_MS = 10.0
IMPORT_CASES = (
    ("numpy", "import numpy"),
    ("numpy, hostlib", "import numpy, hostlib"),
    ("numpy, hostlib, first use", "import numpy, hostlib; hostlib.active()"),
)


def section_import(ctx: Context, progress) -> dict[str, Any]:
    """Wall time of fresh interpreters importing numpy, then hostlib too,
    then also starting the kernels host (discovery, selection): rounds
    interleaved, best of each; and what `-X importtime` attributes to
    hostlib after numpy."""
    progress.step("import cost, fresh interpreters")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    best = {label: float("inf") for label, _ in IMPORT_CASES}
    with tempfile.TemporaryDirectory() as cwd:  # never the source tree's hostlib/
        for _ in range(ctx.mode["import_rounds"]):
            for label, code in IMPORT_CASES:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True)
                best[label] = min(best[label], (time.perf_counter() - t0) * 1e3)
        r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import numpy; import hostlib"], cwd=cwd,
                           env=env, capture_output=True, text=True, check=True)
    # the last line of -X importtime is the outermost module: hostlib
    own_us = next((int(line.split("|")[1]) for line in reversed(r.stderr.splitlines())
                   if line.rstrip().endswith("| hostlib")), None)
    progress.advance()
    beyond = best["numpy, hostlib"] - best["numpy"]
    return {"best_ms": best, "hostlib_beyond_numpy_ms": beyond, "importtime_hostlib_ms": own_us and own_us / 1e3,
            "host_start_ms": best["numpy, hostlib, first use"] - best["numpy, hostlib"],
            "target_ms": IMPORT_TARGET_MS, "ok": beyond <= IMPORT_TARGET_MS}


# ---------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------


def _cols(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """Backends that appear in these rows, in the run's column order."""
    seen = {b for r in rows for b in r["backends"]}
    return [b for b in res["backends"] if b in seen]


def _equal_isa_table(res: dict[str, Any], rows: list[dict[str, Any]], names: list[str], against: str,
                     lead: list[str], lead_cells: Any) -> str:
    """Per backend 'speedup vs the reference at its default / at equal
    instruction set', after the ``lead`` columns (``lead_cells(row)``)."""
    f = B.fmt_num

    def cell(r: dict[str, Any], b: str) -> str:
        c = r["backends"].get(b)
        return "-" if c is None else f"{f(c[f'speedup_vs_{against}'])} / {f(c[f'speedup_vs_{against}_equal_isa'])}"

    return B.render_table(
        [*lead, *[f"{b} (={res['backend_levels'].get(b) or '-'})" for b in names]],
        [[*lead_cells(r), *[cell(r, b) for b in names]] for r in rows],
        "l" * (len(lead) - 1) + "r" * (len(names) + 1))


def format_results(res: dict[str, Any]) -> str:
    f = B.fmt_num
    out = []
    m = res["machine"]
    out.append(f"hostlib benchmarks  {m['date']}  {m['processor']}  ({m['cpu_count']} CPUs)")
    out.append(f"numpy {m['numpy']['version']}  python {m['python']}  {res['threads']}  mode: {res['mode']}")
    out.append("backends measured: " + ", ".join(
        f"{b} (vs numpy {res['backend_levels'].get(b) or '-'})" for b in res["backends"]))
    out.append("speedup = time(reference) / time(hostlib backend); > 1 means hostlib is faster. '-' = not provided/not measured.")
    for note in res.get("notes", []):
        out.append("note: " + note)
    levels = res.get("levels", {})
    for name, d in levels.items():
        env = d.get("env") or {}
        how = "default" if d.get("default") else " ".join(f"{k}={v!r}" for k, v in env.items())
        if d.get("error"):
            how += f"  -> unavailable: {d['error']}"
        elif not d.get("default") and d.get("info"):
            how += f"  -> numpy dispatch on: {' '.join(d['info']['dispatch_enabled']) or 'none (baseline only)'}"
        out.append(f"numpy {name} ({d['isa']}): {how}")
    if levels:
        out.append("numpy cannot run below X86_V2 (its baseline, SSE4.2+POPCNT): backends built for SSE2 "
                   "(sse2, portable) are compared with numpy at X86_V2, which may use SSE3-SSE4.2 they do not.")

    sec = res["sections"]
    if "ufunc" in sec:
        rows = sec["ufunc"]
        names = _cols(res, rows)
        lv = [L for L in levels] or ["default"]
        out += ["", "== Elementwise ufuncs: numpy's own time, ns per element (out= preallocated)"]
        out.append(B.render_table(
            ["kernel", "dtype", "n", *[f"numpy {L}" for L in lv]],
            [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), *[f(r["numpy"].get(L, {}).get("ns_per_elem")) for L in lv]]
             for r in rows], "llr" + "r" * len(lv)))
        out += ["", "== Elementwise ufuncs: speedup vs numpy default / vs numpy at equal instruction set"]
        out.append(_equal_isa_table(res, rows, names, "numpy", ["kernel", "dtype", "n"],
                                    lambda r: [r["kernel"], r["dtype"], B.fmt_n(r["n"])]))
        mrows = [r for r in rows if r.get("mkl")]
        if mrows:
            out += ["", "== Elementwise ufuncs: speedup vs MKL (mkl_umath, one thread; > 1 = hostlib faster)"]
            out.append(B.render_table(
                ["kernel", "dtype", "n", "MKL ns/elem", *names],
                [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), f(r["mkl"]["ns_per_elem"]),
                  *[f(r["backends"].get(b, {}).get("speedup_vs_mkl")) for b in names]] for r in mrows],
                "llrr" + "r" * len(names)))
    if "patch" in sec:
        rows = sec["patch"]
        has_mkl = any("mkl" in r for r in rows)
        out += ["", "== numpy patched: the same np.sin/np.exp(x, out=y) with numpy's loops, hostlib.patch_numpy() "
                "and mkl_umath.patch_numpy_umath(), ns per element; speedup = time(numpy) / time(patched)"]
        out.append(B.render_table(
            ["kernel", "dtype", "n", "numpy", "hostlib (backend)", "MKL", "hostlib speedup", "MKL speedup",
             "hostlib vs MKL"],
            [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), f(r.get("numpy", {}).get("ns_per_elem")),
              f"{f(r.get('hostlib', {}).get('ns_per_elem'))} ({r['hostlib_backend']})",
              f(r.get("mkl", {}).get("ns_per_elem")), f(r.get("hostlib", {}).get("speedup_vs_numpy")),
              f(r.get("mkl", {}).get("speedup_vs_numpy")), f(r.get("hostlib", {}).get("speedup_vs_mkl"))]
             for r in rows], "llr" + "r" * 6))
        if not has_mkl:
            out.append("MKL: '-' (mkl_umath unavailable, see the notes above)")
    if "gemm" in sec:
        rows = sec["gemm"]
        names = _cols(res, rows)
        ob = [L for L in levels if any(L in r["openblas"] for r in rows)] or ["default"]
        mk = ["MKL"] if any(r.get("mkl") for r in rows) else []
        out += ["", "== gemm (C = A @ B, row-major; n = square, else m x k @ k x n, ^T = a transposed view), "
                "GFLOP/s, one thread; OpenBLAS = numpy.matmul"
                + ("; MKL = cblas_?gemm" if mk else "")]
        out.append(B.render_table(
            ["dtype", "n", *names, *[f"OpenBLAS {L}" for L in ob], *mk],
            [[r["dtype"], r.get("label", str(r["n"])), *[f(r["backends"].get(b, {}).get("gflops")) for b in names],
              *[f(r["openblas"].get(L, {}).get("gflops")) for L in ob],
              *[f((r.get("mkl") or {}).get("gflops")) for _ in mk]] for r in rows],
            "ll" + "r" * (len(names) + len(ob) + len(mk))))
        out += ["", "== gemm: speedup vs OpenBLAS default / vs OpenBLAS at equal instruction set (OPENBLAS_CORETYPE)"]
        out.append(_equal_isa_table(res, rows, names, "openblas", ["dtype", "n"],
                                    lambda r: [r["dtype"], r.get("label", str(r["n"]))]))
        if mk:
            out += ["", "== gemm: speedup vs MKL (cblas_?gemm, one thread)"]
            out.append(B.render_table(
                ["dtype", "n", *names],
                [[r["dtype"], r.get("label", str(r["n"])),
                  *[f(r["backends"].get(b, {}).get("speedup_vs_mkl")) for b in names]]
                 for r in rows if r.get("mkl")], "lr" + "r" * len(names)))
    if "level1" in sec:
        rows = sec["level1"]
        names = _cols(res, rows)
        out += ["", "== Level-1: speedup vs the reference (numpy; axpy: scipy.linalg.blas ?axpy if scipy is installed)"]
        out.append(B.render_table(
            ["kernel", "dtype", "n", "reference", "ref ns/elem", *names],
            [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), r["refs"][r["ref"]]["stmt"].split("(")[0].replace("scipy.linalg.blas.", "scipy "),
              f(r["refs"][r["ref"]]["ns"] / r["n"]),
              *[f(r["backends"].get(b, {}).get("speedup_vs_ref")) for b in names]] for r in rows],
            "llrlr" + "r" * len(names)))
        if any(c.get("speedup_vs_numpy_equal_isa") is not None for r in rows for c in r["backends"].values()):
            out += ["", "== Level-1: speedup vs numpy default / vs numpy at equal instruction set (numpy's own "
                    "statement, its OpenBLAS at the same level)"]
            out.append(_equal_isa_table(res, rows, names, "numpy", ["kernel", "dtype", "n"],
                                        lambda r: [r["kernel"], r["dtype"], B.fmt_n(r["n"])]))
        if any("scipy" in r["refs"] for r in rows):
            out += ["", "== Level-1: speedup vs OpenBLAS through scipy.linalg.blas (includes f2py call overhead)"]
            srows = [r for r in rows if "scipy" in r["refs"]]
            out.append(B.render_table(
                ["kernel", "dtype", "n", "scipy ns/elem", *names],
                [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), f(r["refs"]["scipy"]["ns"] / r["n"]),
                  *[f(r["backends"].get(b, {}).get("speedup_vs_scipy")) for b in names]] for r in srows],
                "llrr" + "r" * len(names)))
        out += ["", "== Level-1: fraction of copy bandwidth (bytes read+written per call / time, over np.copyto "
                "moving the same bytes; dot 2n, axpy 3n, scal 2n, asum/nrm2/sum n elements)"]
        out.append(B.render_table(
            ["kernel", "dtype", "n", "copy GB/s", *names, "numpy"],
            [[r["kernel"], r["dtype"], B.fmt_n(r["n"]), f(r["copy"]["gbps"]),
              *[f(r["backends"].get(b, {}).get("fraction_of_copy")) for b in names],
              f(r["refs"]["numpy"]["fraction_of_copy"])] for r in rows],
            "llrr" + "r" * (len(names) + 1)))
    if "roofline" in sec:
        r0 = sec["roofline"]
        if "skipped" in r0:
            out += ["", "== Roofline: skipped: " + r0["skipped"]]
        else:
            rows = r0["rows"]
            names = [b for b in res["backends"] if any(b in r["backends"] for r in rows)]
            out += ["", f"== Roofline, float32: bytes per cycle (core clock under load {r0['clock_ghz']:.2f} GHz) of "
                    "the plainest loop of each vector width (benchmarks/roofline.c; scale: x *= a, 8 bytes per "
                    "element; sumsq: sum of x^2, 4), and of each kernel, with the fraction of its own width's "
                    "ceiling in parentheses"]

            def bcell(c: dict[str, Any] | None) -> str:
                if not c or c.get("bytes_per_cycle") is None:
                    return "-"
                frac = c.get("fraction_of_ceiling")
                return f(c["bytes_per_cycle"]) + (f" ({f(frac)})" if frac is not None else "")

            widths = list(ROOF_WIDTHS.values())
            out.append(B.render_table(
                ["kernel", "n", *[f"{w} loop" for w in widths], *names, "numpy"],
                [[f"{r['kernel']} ({r['loop']})", B.fmt_n(r["n"]),
                  *[f((r["ceiling"].get(w) or {}).get("bytes_per_cycle")) for w in widths],
                  *[bcell(r["backends"].get(b)) for b in names], f(r["numpy"]["bytes_per_cycle"])] for r in rows],
                "lr" + "r" * (len(widths) + len(names) + 1)))
    if "selection" in sec:
        rows = sec["selection"]
        out += ["", f"== Default choice vs the fastest backend, per table entry: ratio = time(default) / time(fastest); "
                f"SLOWER above {SLOWER}. chosen = how hostlib picked the default ('-': not reported)"]
        out.append(B.render_table(
            ["entry", "n", "default", "fastest", "ratio", "chosen", "flag"],
            [[r["entry"], B.fmt_n(r["n"]), r["default"], r["fastest"], f(r["ratio"]), r["choice"] or "-",
              "SLOWER" if r["slower"] else ""] for r in rows], "lrllrll"))
        slow = sorted({r["entry"] for r in rows if r["slower"]})
        out.append(f"{len(slow)} of {len({r['entry'] for r in rows})} entries have a default more than "
                   f"{100 * (SLOWER - 1):.0f}% slower than the fastest backend at some size"
                   + (": " + ", ".join(slow) if slow else ""))
    if "overhead" in sec:
        o = sec["overhead"]
        out += ["", "== Call overhead in C: ddot through the table (hostlib_ddot macro, table loaded per call) vs direct "
                "(same kernel address captured once); target table/direct <= 1.1"]
        if "skipped" in o:
            out.append("skipped: " + o["skipped"])
        else:
            out.append(B.render_table(
                ["backend", "n", "table ns", "once ns", "direct ns", "empty ns", "table/direct", "extra ns", "checks"],
                [[r["backend"], str(r["n"]) + (" (no work)" if r["n"] == 0 else ""), f(r["ns_per_call"]["table"]),
                  f(r["ns_per_call"]["table_once"]), f(r["ns_per_call"]["direct"]), f(r["ns_per_call"]["empty"]),
                  f(r["table_over_direct"]), f(r["extra_ns"]),
                  "ok" if r["address_matches"] and r["result_ok"] else "MISMATCH"] for r in o["rows"]],
                "lr" + "r" * 7))
            out.append("once = table loaded once before the loop, slot read per call; empty = an empty function "
                       "through a pointer (bare indirect call + loop)")
    if "python" in sec:
        rows = sec["python"]
        out += ["", "== Python-level overhead on 8 float64 elements (auto selection): ns per call"]
        out.append(B.render_table(
            ["call", "hostlib", "numpy", "hostlib ns", "numpy ns", "hostlib/numpy"],
            [[r["call"], r["hostlib"], r["numpy"], f(r["hostlib_ns"]), f(r["numpy_ns"]), f(r["hostlib_over_numpy"])]
             for r in rows], "lllrrr"))
    if "import" in sec:
        imp = sec["import"]
        out += ["", "== Import cost: fresh interpreters, best of the rounds (ms)"]
        out.append(B.render_table(["import", "ms"], [[k, f(v)] for k, v in imp["best_ms"].items()], "lr"))
        out.append(f"import hostlib beyond numpy: {f(imp['hostlib_beyond_numpy_ms'])} ms (target <= "
                   f"{f(imp['target_ms'])}: {'ok' if imp['ok'] else 'ABOVE TARGET'}); -X importtime attributes "
                   f"{f(imp['importtime_hostlib_ms'])} ms to hostlib; starting the kernels host on first use "
                   f"(discovery, validation, selection): {f(imp['host_start_ms'])} ms")
    if "threads" in sec:
        th = sec["threads"]
        t = th["threads"]
        out += ["", f"== hostlib's thread pool: {t} threads vs 1 (ratios from one round-robin run)"]
        out.append(B.render_table(
            ["gemm", "n", "backend", "GFLOP/s 1 thread", f"GFLOP/s {t} threads", f"numpy.matmul {t} threads",
             "speedup vs 1", "vs numpy"],
            [[r["dtype"], str(r["n"]), r["backend"], f(r["gflops"]["hostlib_1"]), f(r["gflops"][f"hostlib_{t}"]),
              f(r["gflops"][f"numpy_{t}"]), f(r["speedup_vs_1_thread"]), f(r["vs_numpy"])] for r in th["gemm"]],
            "lrlrrrrr"))
        out.append(B.render_table(
            ["map", "n", "ns 1 thread", f"ns {t} threads", "speedup"],
            [[f"{r['kernel']} {r['dtype']}", B.fmt_n(r["n"]), f(r["timing"]["1"]["best_ns"]),
              f(r["timing"][str(t)]["best_ns"]), f(r["speedup"])] for r in th["maps"]], "lrrrr"))
        out.append(B.render_table(
            ["reduction (1 thread)", "n", "backend", "ns default", "ns reproducible", "cost"],
            [[f"{r['kernel']} {r['dtype']}", B.fmt_n(r["n"]), r["backend"], f(r["timing"]["default"]["best_ns"]),
              f(r["timing"]["reproducible"]["best_ns"]), f(r["cost"])] for r in th["reproducible"]], "lrlrrr"))
    out.append("")
    spread = noise(res)
    if spread:
        k, total = spread
        out.append(f"noise: {k} of {total} measurements had a median more than 1.25x their best "
                   f"({100 * k / total:.0f}%){'; the machine was busy: compare with a re-run' if k > 0.1 * total else ''}")
    out.append(f"total {res.get('elapsed_s', 0):.0f} s")
    return "\n".join(out)


def noise(res: dict[str, Any]) -> tuple[int, int] | None:
    """(measurements whose median/best > 1.25, all measurements)."""
    found = [0, 0]

    def walk(o: Any) -> None:
        if isinstance(o, dict):
            if "best_ns" in o and "median_ns" in o:
                found[1] += 1
                found[0] += o["median_ns"] > 1.25 * o["best_ns"]
                return
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(res.get("sections", {}))
    return (found[0], found[1]) if found[1] else None


# ---------------------------------------------------------------------------
# plot
# ---------------------------------------------------------------------------


def _minor_label(v: float, _pos: Any = None) -> str:
    """Label minor ticks 2 and 5 of each decade on a log axis."""
    import math

    if v <= 0:
        return ""
    m = v / 10 ** math.floor(math.log10(v) + 1e-9)
    return f"{v:g}" if round(m, 6) in (2.0, 5.0) else ""


def _plot_selection(ax: Any, rows: list[dict[str, Any]], colors: dict[str, Any]) -> None:
    ratios = [r["ratio"] or float("nan") for r in rows]
    x = range(len(rows))
    ax.bar(x, ratios, color=[colors.get(r["default"], "gray") for r in rows])
    for i, r in enumerate(rows):
        if r["slower"]:  # name the backend that beat the default
            ax.annotate(r["fastest"], (i, r["ratio"]), ha="center", va="bottom", fontsize=7, rotation=90)
    ax.axhline(1.0, color="black", lw=1)
    ax.axhline(SLOWER, color="black", lw=1, ls="--")
    ax.set_ylim(0.95, max(1.25, *[v * 1.15 for v in ratios if v == v]))  # ratios start at 1
    ax.set_xticks(list(x), [f"{r['entry']} {B.fmt_n(r['n'])}" for r in rows], rotation=90, fontsize=7)
    ax.set_title("Default choice: time(default) / time(fastest backend); colour = default backend, label = the "
                 f"faster one where the ratio is above {SLOWER} (dashed)", fontsize=10)
    ax.set_ylabel("ratio (1 = the default is fastest)")
    ax.grid(axis="y", alpha=0.3)


def plot(res: dict[str, Any], path: str) -> str | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib): no plot"
    import numpy as np

    sec = res["sections"]
    names = res["backends"]
    colors = {b: plt.cm.tab10(i % 10) for i, b in enumerate(names)}
    nrows = 3 if sec.get("selection") else 2
    fig, axes = plt.subplots(nrows, 2, figsize=(16, 5 * nrows))

    def pick_n(rows, prefer):
        ns = sorted({r["n"] for r in rows})
        return prefer if prefer in ns else ns[-1]

    def bars(ax, rows, key, eq_key, title, ylabel, log=True):
        groups = [f"{r['kernel']} {r['dtype']}" if "kernel" in r and r["kernel"] != "gemm" else f"{r['dtype']} {r.get('label', 'n=' + str(r['n']))}"
                  for r in rows]
        cols = [b for b in names if any(b in r["backends"] for r in rows)]
        w = 0.8 / max(1, len(cols))
        x = np.arange(len(rows))
        for i, b in enumerate(cols):
            vals = [r["backends"].get(b, {}).get(key) or np.nan for r in rows]
            pos = x - 0.4 + w * (i + 0.5)
            ax.bar(pos, vals, w, color=colors[b], label=b)
            if eq_key:
                eq = [r["backends"].get(b, {}).get(eq_key) or np.nan for r in rows]
                ax.plot(pos, eq, linestyle="none", marker="_", markersize=max(6, 40 * w), mew=2.5, color="black")
        ax.axhline(1.0, color="black", lw=1)
        if log:
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.yaxis.set_minor_formatter(FuncFormatter(_minor_label))
        ax.set_xticks(x, groups, rotation=45, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", which="both", alpha=0.3)
        return cols

    used = set()
    if "ufunc" in sec and sec["ufunc"]:
        n = pick_n(sec["ufunc"], 100_000)
        rows = [r for r in sec["ufunc"] if r["n"] == n]
        used |= set(bars(axes[0, 0], rows, "speedup_vs_numpy", "speedup_vs_numpy_equal_isa",
                         f"Elementwise ufuncs, n={B.fmt_n(n)}: speedup vs numpy default (bars), "
                         "vs numpy at equal ISA (black ticks)", "speedup (log; >1 = hostlib faster)"))
    else:
        axes[0, 0].set_visible(False)
    if "gemm" in sec and sec["gemm"]:
        rows = sec["gemm"]
        used |= set(bars(axes[0, 1], rows, "speedup_vs_openblas", "speedup_vs_openblas_equal_isa",
                         "gemm, 1 thread: speedup vs numpy.matmul/OpenBLAS (bars), vs OpenBLAS at equal ISA (ticks)",
                         "speedup (log)"))
    else:
        axes[0, 1].set_visible(False)
    if "level1" in sec and sec["level1"]:
        n = pick_n(sec["level1"], 100_000)
        rows = [r for r in sec["level1"] if r["n"] == n]
        used |= set(bars(axes[1, 0], rows, "speedup_vs_ref", None,
                         f"Level-1, n={B.fmt_n(n)}: speedup vs numpy (axpy: scipy OpenBLAS)", "speedup (log)"))
        nb = max(r["n"] for r in sec["level1"])
        rows = [r for r in sec["level1"] if r["n"] == nb]
        ax = axes[1, 1]
        cols = [b for b in names if any(b in r["backends"] for r in rows)] + ["numpy"]
        w = 0.8 / len(cols)
        x = np.arange(len(rows))
        for i, b in enumerate(cols):
            if b == "numpy":
                vals = [r["refs"]["numpy"]["fraction_of_copy"] for r in rows]
                c = "lightgray"
            else:
                vals = [r["backends"].get(b, {}).get("fraction_of_copy") or np.nan for r in rows]
                c = colors[b]
            ax.bar(x - 0.4 + w * (i + 0.5), vals, w, color=c, label=b if b == "numpy" else None)
        ax.axhline(1.0, color="black", lw=1)
        ax.set_xticks(x, [f"{r['kernel']} {r['dtype']}" for r in rows], rotation=45, ha="right", fontsize=8)
        ax.set_title(f"Level-1, n={B.fmt_n(nb)}: bandwidth as a fraction of np.copyto of the same bytes (1.0 = copy)",
                     fontsize=10)
        ax.set_ylabel("fraction of copy bandwidth")
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
    else:
        axes[1, 0].set_visible(False)
        axes[1, 1].set_visible(False)
    if nrows == 3:  # the selection panel spans the bottom row
        for ax in axes[2]:
            ax.remove()
        rows = sec["selection"]
        used |= {r["default"] for r in rows}
        _plot_selection(fig.add_subplot(axes[0, 0].get_gridspec()[2, :]), rows, colors)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[b]) for b in names if b in used]
    labels = [b for b in names if b in used]
    handles.append(plt.Line2D([], [], color="black", marker="_", linestyle="none", mew=2.5, markersize=12))
    labels.append("vs equal ISA")
    fig.legend(handles, labels, loc="upper right", ncol=len(labels), fontsize=9)
    m = res["machine"]
    sub = f"{m['processor']}, numpy {m['numpy']['version']}, {res['threads']}, {m['date']}, mode {res['mode']}"
    o = sec.get("overhead", {})
    auto = [r for r in o.get("rows", []) if r["n"] == 8]
    if auto:
        sub += "\ncall through table / direct (C, ddot n=8): " + ", ".join(
            f"{r['backend']} {r['table_over_direct']:.2f}x" for r in auto)
    fig.suptitle("hostlib kernels vs numpy / OpenBLAS (black line at 1.0 = parity)\n" + sub, fontsize=10, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (5 * nrows)))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    mode = SMOKE if args.smoke else QUICK if args.quick else FULL
    ctx = Context(mode, args.quiet)
    t0 = time.perf_counter()
    try:
        ctx.start_workers()
        sections = args.sections
        if "ufunc" in sections or "gemm" in sections or "patch" in sections:
            ctx.mkl = MKL()
            ctx.notes.extend(ctx.mkl.notes)
        total = 0
        if "ufunc" in sections:
            total += len(kernel_cases(B.ELEMENTWISE, mode["ufunc_sizes"]))
        if "patch" in sections:
            total += len(kernel_cases(PATCH_KERNELS, mode["ufunc_sizes"]))
        if "gemm" in sections:
            total += 2 * (len(mode["gemm_sizes"]) + len(GEMM_SHAPES) * mode["gemm_shapes"])
        if "level1" in sections:
            total += len(kernel_cases(B.LEVEL1, mode["level1_sizes"]))
        if "selection" in sections:
            total += len(selection_cases(mode))
        total += ("overhead" in sections) + ("python" in sections) + ("import" in sections)
        if "roofline" in sections:
            total += 1 + len(ROOF_KERNELS) * len(mode["level1_sizes"])
        if "threads" in sections:
            total += 2 + 2 * len(mode["threads_map_sizes"]) + 3 * len(mode["threads_reduce_sizes"])
        progress = B.Progress(total, quiet=args.quiet, title="benchmarks")
        res: dict[str, Any] = {
            "machine": machine_info(),
            "mode": "smoke" if args.smoke else "quick" if args.quick else "full",
            "threads": ctx.threads_note + ", OPENBLAS_NUM_THREADS=1"
            + (f", pinned to CPU {args.pin}" if args.pin is not None else ""),
            "backends": ctx.names,
            "backend_levels": {b: lname(l) for b, l in ctx.backend_level.items()},
            "levels": {},
            "timing": mode["timing"],
            "conventions": {
                "time": "per call, best of N samples (hostlib._timing.compare), time.perf_counter_ns",
                "speedup": "time(reference) / time(hostlib backend): > 1 means hostlib is faster",
                "equal_isa": "numpy re-imported in a subprocess with NPY_DISABLE_CPU_FEATURES masking dispatch "
                "targets above the backend's level; OpenBLAS with OPENBLAS_CORETYPE; glibc's libm with "
                "GLIBC_TUNABLES=glibc.cpu.hwcaps masking its FMA/AVX variants",
                "bytes": "elements read + written once per call (dot 2n, axpy 3n, scal 2n, asum/nrm2/sum n) "
                "times itemsize; copy = np.copyto moving the same bytes (m = bytes/2 elements each way); "
                "write-allocate traffic is not counted for either",
                "gflops": "gemm: 2*m*n*k flops per call (squares: 2*n^3)",
                "patch": "the same numpy statement with numpy's own loops, hostlib.patch_numpy() (automatic "
                "selection) and mkl_umath.patch_numpy_umath(), round-robin, each sample inside its patch",
                "selection": "per table entry, ratio = time(default backend of automatic selection) / "
                f"time(fastest usable backend providing it), same round-robin; flagged above {SLOWER}",
                "call_overhead": "C loop of ddot calls; table = hostlib_ddot macro (active table loaded per call), "
                "direct = same kernel address in a function pointer captured once",
            },
            "sections": {},
        }
        res["levels"] = ctx.level_info()
        if DROPPED_ENV:
            ctx.notes.append("dropped " + " ".join(f"{k}={v}" for k, v in DROPPED_ENV.items())
                             + " from the environment, so that numpy's OpenBLAS picks its own kernels "
                             "(--keep-openblas-env keeps them)")
        arch = next((p["architecture"] for p in res["machine"]["threadpools"] or []
                     if p["internal_api"] == "openblas" and "numpy" in (p["filepath"] or "")), None)
        if arch:
            ctx.notes.append(f"numpy's OpenBLAS runs its {arch} kernels at numpy's default level")
        runners = {"ufunc": section_ufunc, "patch": section_patch, "gemm": section_gemm, "level1": section_level1, "roofline": section_roofline,
                   "selection": section_selection, "overhead": section_overhead, "python": section_python,
                   "import": section_import,
                   "threads": section_threads}
        # every section but "threads" compares kernels on one core: hostlib's
        # pool too (OpenBLAS is pinned to one thread above)
        hostlib.set_num_threads(1)
        for s in SECTIONS:
            if s in sections:
                res["sections"][s] = runners[s](ctx, progress)
        progress.close()
    finally:
        ctx.close()
    res["notes"] = list(dict.fromkeys(ctx.notes))
    res["elapsed_s"] = time.perf_counter() - t0
    return res


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--quick", action="store_true", help="fewer sizes, shorter measurements (under a minute)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE from the environment (by default they are "
                        "dropped: they pin numpy's OpenBLAS below its best kernels)")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and a few samples, to check that everything runs (seconds; numbers meaningless)")
    parser.add_argument("--out", metavar="FILE.json",
                        help="write the results as JSON (default: benchmarks/results/latest.json)")
    parser.add_argument("--plot", metavar="FILE.png", help="draw the summary figure (needs matplotlib)")
    parser.add_argument("--from", dest="from_", metavar="FILE.json", help="do not measure: print (and --plot) a saved run")
    parser.add_argument("--sections", default=",".join(SECTIONS),
                        help="comma-separated subset of: " + ",".join(SECTIONS))
    parser.add_argument("--pin", type=int, metavar="CPU",
                        help="run this process and its numpy workers on one CPU (Linux): the contestants of a "
                        "cross-process ratio then share a core and its neighbours")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main()
    if args.pin is not None:
        if not hasattr(os, "sched_setaffinity"):
            parser.error("--pin needs os.sched_setaffinity (Linux)")
        os.sched_setaffinity(0, {args.pin})  # inherited by the workers
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    bad = [s for s in args.sections if s not in SECTIONS]
    if bad:
        parser.error(f"unknown section(s) {bad}; choose from {', '.join(SECTIONS)}")

    if args.from_:
        with open(args.from_) as f:
            res = json.load(f)
    else:
        res = run(args)
        out = args.out or os.path.join(HERE, "results", "latest.json")
        os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
        with open(out, "w") as f:
            json.dump(res, f, indent=1)
        print(f"results written to {out}", file=sys.stderr)
    print(format_results(res))
    if args.plot:
        err = plot(res, args.plot)
        print(err or f"plot written to {args.plot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
