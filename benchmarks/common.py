"""What every benchmark section shares: the environment the suite runs in,
the kernels interface's entries, the timing settings per mode, numpy at
other instruction sets (worker subprocesses), the run's context, MKL as a
reference, run-time C modules, and the helpers the tables and panels use.

This is the one module of the suite that reaches into hostlib's private
modules (the timing core, the kernel catalogue, CPU detection, the pool):
if they move, only the imports below change.

Nothing here imports numpy at module level: :func:`set_environment` must
run before numpy loads (it reads its environment once, at import).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass, field
from typing import Any, Callable

import hostlib
from hostlib._measure import bench as catalogue  # the kernel catalogue, shared with `hostlib bench`
from hostlib._host import cpu as _cpu
from hostlib._pool import _threads
from hostlib._measure.timing import THREADED_SETTLE, Local, compare

HERE = os.path.dirname(os.path.abspath(__file__))
#: the command line; the workers are this script re-run with --worker
RUN_PY = os.path.join(HERE, "run.py")

# the catalogue and the table helpers, under the names the sections use
KERNELS = catalogue.KERNELS
setup = catalogue.setup
providers = catalogue.providers
fmt_n = catalogue.fmt_n
fmt_num = catalogue.fmt_num
render_table = catalogue.render_table
ratio = catalogue.ratio
Progress = catalogue.Progress


# ---------------------------------------------------------------------------
# the environment: set before numpy loads
# ---------------------------------------------------------------------------

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
OPENBLAS_PINS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass
class Environment:
    """What :func:`set_environment` changed: the user's thread settings
    (the selection section judges the default under them) and the
    OpenBLAS pins it dropped."""

    user_threads: dict[str, str | None] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)


def set_environment(keep_openblas_env: bool = False, worker: bool = False) -> Environment:
    """One thread for every BLAS (numpy's OpenBLAS, scipy's, a forwarding
    backend's), inherited by the worker subprocesses: the comparison is
    kernel against kernel on one core.

    Some machines pin OpenBLAS to older kernels (OPENBLAS_CORETYPE, with
    OPENBLAS_L2_SIZE), a workaround for old OpenBLAS builds; numpy would
    then be measured below its best, so the pins go unless
    ``keep_openblas_env``. A worker keeps them: its parent set the core
    type of its level."""
    if "numpy" in sys.modules:  # numpy and its OpenBLAS read these once, at import
        raise RuntimeError("set_environment() must run before numpy is imported")
    env = Environment(user_threads={v: os.environ.get(v) for v in THREAD_VARS})
    for var in THREAD_VARS:
        os.environ[var] = "1"
    if not (keep_openblas_env or worker):
        env.dropped = {v: os.environ.pop(v) for v in OPENBLAS_PINS if v in os.environ}
    return env


def user_blas_threads(env: Environment) -> int:
    """The BLAS thread count this process would have had without the pin
    to one: the user's OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, else (as
    OpenBLAS does) the CPUs this process may run on."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = (env.user_threads.get(var) or "").strip()
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# ---------------------------------------------------------------------------
# the kernels interface's entries
# ---------------------------------------------------------------------------

#: the suite's dtype names (as in the JSON) -> numpy's
DTYPES = catalogue.DTYPES
_SHORT_DTYPE = {v: k for k, v in DTYPES.items()}


def entries() -> list[dict[str, Any]]:
    """The served entries of the installed hostlib's kernels interface, in
    slot order, each as a dict: ``name`` ('dexp'), ``function`` ('exp'),
    ``dtype`` ('f64'), ``kind`` ('level1' | 'elementwise' | 'gemm') and
    ``ufunc`` ('exp' or None).

    The one place the suite learns the entry list (from the spec, through
    hostlib's description of it): every section reads it from here. The
    BLAS level-2/3 entries (kinds level2, level3) have no numpy-facing
    function to time and are not listed."""
    from hostlib._host import spec

    return [dict(name=e.name, function=e.function, dtype=_SHORT_DTYPE[e.dtype], kind=e.kind,
                 ufunc=e.ufunc["name"] if e.ufunc else None)
            for e in spec.kernels().values() if e.kind in spec.NUMPY_KINDS]


def functions(kind: str) -> tuple[str, ...]:
    """The functions of one kind ('exp', 'log', ...), in slot order."""
    return tuple(dict.fromkeys(e["function"] for e in entries() if e["kind"] == kind))


def entry_name(function: str, dtype: str) -> str:
    """The entry of ``function`` at ``dtype`` ('f32'/'f64'): 'dot', 'f64' -> 'ddot'."""
    for e in entries():
        if e["function"] == function and e["dtype"] == dtype:
            return e["name"]
    raise KeyError(f"the kernels interface has no {dtype} {function}")


def kernel_cases(names: tuple[str, ...], sizes: tuple[int, ...]) -> list[tuple[Any, str, int]]:
    """(catalogue kernel, dtype, n) for each of these functions, each dtype and size."""
    return [(KERNELS[name], dt, n) for name in names for dt in DTYPES for n in sizes]


# ---------------------------------------------------------------------------
# hostlib's settings the sections read
# ---------------------------------------------------------------------------


def tune_sizes() -> dict[str, tuple[int, ...]]:
    """The sizes `hostlib tune` measures each entry kind at."""
    from hostlib._measure.tune import SIZES  # imports numpy: only once the environment is set

    return SIZES


def pool_threads() -> int:
    """The thread count the threads section gives hostlib's pool."""
    return max(2, _threads.cpu_count())


def public_address(entry: str) -> int:
    """The address in the active table's public slot of ``entry``."""
    return hostlib._kernels_host.public_address(entry)


# ---------------------------------------------------------------------------
# modes: how long each measurement may take (hostlib._measure.timing.compare)
# ---------------------------------------------------------------------------

# smoke is for tests: the whole pipeline on tiny sizes; the numbers mean nothing
TIMING = {
    "full": dict(repeat=5, min_repeat=3, min_time=0.1, max_time=0.6),
    "quick": dict(repeat=3, min_repeat=2, min_time=0.03, max_time=0.25),
    "smoke": dict(repeat=2, min_repeat=1, min_time=0.0, max_time=0.005, sample_time=0.0002),
}


# ---------------------------------------------------------------------------
# numpy's x86 levels, and the environment that holds numpy to one
# ---------------------------------------------------------------------------

# Each dispatch target numpy may build is ranked by the level it belongs
# to; masking every target above a level leaves numpy at that level.
# OPENBLAS_CORETYPE picks OpenBLAS kernels of the same level.
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


def level_env(lvl: int, dispatch: list[str]) -> dict[str, str]:
    """The variables that hold numpy, its OpenBLAS and glibc's libm to
    level ``lvl``, given numpy's dispatch targets."""
    env = {"NPY_DISABLE_CPU_FEATURES": " ".join(t for t in dispatch if target_rank(t) > lvl)}
    if LEVELS[lvl]["coretype"]:
        env["OPENBLAS_CORETYPE"] = LEVELS[lvl]["coretype"]
    if platform.libc_ver()[0] == "glibc":
        hwcaps = "glibc.cpu.hwcaps=" + ",".join("-" + f for f in GLIBC_MASKS[lvl])
        prior = os.environ.get("GLIBC_TUNABLES")
        env["GLIBC_TUNABLES"] = f"{prior}:{hwcaps}" if prior else hwcaps
    return env


def lname(lvl: int | None) -> str | None:
    return None if lvl is None else LEVELS[lvl]["name"]


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
                c = Local(req["stmt"], setup(req["kernel"], req["n"], req["dtype"], shape=req.get("shape")))
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
    """A subprocess running the suite with --worker under extra env vars."""

    def __init__(self, label: str, env: dict[str, str]) -> None:
        self.label = label
        self.env = env
        full = dict(os.environ)
        full.update(env)
        self._err = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(
            [sys.executable, RUN_PY, "--worker"],
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


class Remote:
    """A contestant of hostlib._measure.timing.compare timed in a worker subprocess
    (numpy at another instruction set); same protocol as hostlib._measure.timing.Local."""

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


# ---------------------------------------------------------------------------
# the run's context: backends, levels, workers, MKL
# ---------------------------------------------------------------------------


class Context:
    """What a section's ``run(ctx, progress)`` gets: the mode and its
    timing, the usable backends and the numpy level each is compared
    with, the workers, MKL (where a section asked for it) and the notes
    printed in the header."""

    def __init__(self, mode: str, env: Environment) -> None:
        self.mode = mode
        self.timing = TIMING[mode]
        self.env = env
        self.backends = catalogue.usable_backends()
        self.names = [b.name for b in self.backends]
        self.notes: list[str] = []
        self.limiter, self.threads_note = catalogue.blas_threads_limit(1)
        self.x86 = platform.machine().lower() in {"x86_64", "amd64", "i686", "x86"}
        self.default_level = self._numpy_level()
        self.levels: dict[int, dict[str, Any]] = {}  # level -> {env, worker, info, error}
        self.backend_level = {b.name: self._level_of(b) for b in self.backends}
        self.mkl: MKL | None = None  # set by start()

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
            env = level_env(lvl, dispatch)
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

    def start(self, uses_mkl: bool) -> None:
        """Before the sections: the workers, MKL if a section uses it, and
        hostlib's pool on one thread (every section but "threads" compares
        kernels on one core; OpenBLAS is held to one by set_environment)."""
        self.start_workers()
        if uses_mkl:
            self.mkl = MKL()
            self.notes.extend(self.mkl.notes)
        hostlib.set_num_threads(1)

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
               shape: tuple | None = None) -> Remote | None:
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

    def backend_contestants(self, entry: str, stmt: str, ns: dict[str, Any],
                            threads: int = 1) -> dict[str, Local]:
        """``stmt`` under each usable backend that provides ``entry`` itself.
        On ``threads`` > 1, a backend that threads ``entry`` itself (its
        library's threads spin after each call, and would slow the next
        contestant on few cores) is followed by timing.THREADED_SETTLE, as
        in hostlib tune and hostlib bench."""
        return {b.name: Local(stmt, ns, context=lambda name=b.name: hostlib.using(name),
                              settle=THREADED_SETTLE if threads > 1 and entry in b.threaded else 0.0)
                for b in self.backends if entry in b.provides}

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


# ---------------------------------------------------------------------------
# the machine: what a result file needs to be read later
# ---------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """`hostlib bench`'s summary plus numpy's dispatch targets and BLAS,
    every backend hostlib found, and the thread pools."""
    import numpy as np
    from numpy._core import _multiarray_umath as mu

    info = hostlib.runtime_info()
    m = catalogue.machine_info()
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
    libmkl_rt (ctypes). One thread (MKL_NUM_THREADS=1, set by
    set_environment before any import). ``notes`` says what is missing and
    why."""

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
            vendor = _cpu.identity().get("vendor")
            if vendor and vendor != "GenuineIntel":
                self.notes.append(f"MKL chooses its code paths by CPU vendor: on this {vendor} CPU its figures may "
                                  "be far below what it reaches on an Intel CPU of the same instruction set")

    def ufunc(self, k: Any, ns: dict[str, Any]) -> Local | None:
        """``mkl_umath.<name>(x[, x2], out=y)`` over the kernel's data, or None."""
        if self.umath is None or not hasattr(self.umath, k.name):
            return None
        args = "x, x2" if k.domain2 is not None else "x"
        return Local(f"mkl_umath.{k.name}({args}, out=y)", {**ns, "mkl_umath": self.umath})

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
# C modules compiled at run time (callbench.c, roofline.c)
# ---------------------------------------------------------------------------


def compile_ext(stem: str) -> tuple[Any, str]:
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


# ---------------------------------------------------------------------------
# hostlib against a reference at each instruction set (ufunc and gemm)
# ---------------------------------------------------------------------------


def versus_reference(ctx: Context, k: Any, dt: str, n: int, ns: dict[str, Any], levels: tuple[int, ...],
                     cell: Callable[[dict[str, Any]], dict[str, Any]], against: str,
                     mkl: Local | None = None, shape: tuple | None = None) -> tuple[dict, dict, dict | None]:
    """Time the reference (numpy/OpenBLAS: default, then each ISA level in
    `levels` run by a worker), MKL if given, and every backend providing
    the entry, in one interleaved comparison. Returns ({level: cell},
    {backend: cell}, MKL's cell or None) with each backend's speedup
    against the default (``speedup_vs_<against>``), the equal-ISA
    reference (``..._equal_isa``) and MKL."""
    default = lname(ctx.default_level) or "default"
    who: dict[str, Any] = {"=" + default: Local(k.numpy, ns)}
    if mkl is not None:
        who["+mkl"] = mkl
    for lvl in levels:
        c = ctx.remote(lvl, k.name, dt, n, k.numpy, shape)
        if c is not None:
            who["=" + lname(lvl)] = c
    who.update(ctx.backend_contestants(entry_name(k.name, dt), k.hostlib, ns))
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
        c[f"speedup_vs_{against}"] = ratio(reference[default]["ns"], c["ns"])
        eq = lname(ctx.backend_level[name])
        c["equal_isa"] = eq
        ref = reference.get(eq) if eq else None
        c[f"speedup_vs_{against}_equal_isa"] = ratio(ref["ns"], c["ns"]) if ref else None
        if mkl_cell is not None:
            c["speedup_vs_mkl"] = ratio(mkl_cell["ns"], c["ns"])
    return reference, backends, mkl_cell


# ---------------------------------------------------------------------------
# printing
# ---------------------------------------------------------------------------


def columns(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    """Backends that appear in these rows, in the run's column order."""
    seen = {b for r in rows for b in r["backends"]}
    return [b for b in res["backends"] if b in seen]


def equal_isa_table(res: dict[str, Any], rows: list[dict[str, Any]], names: list[str], against: str,
                    lead: list[str], lead_cells: Callable[[dict[str, Any]], list[str]]) -> str:
    """Per backend 'speedup vs the reference at its default / at equal
    instruction set', after the ``lead`` columns (``lead_cells(row)``)."""
    f = fmt_num

    def cell(r: dict[str, Any], b: str) -> str:
        c = r["backends"].get(b)
        return "-" if c is None else f"{f(c[f'speedup_vs_{against}'])} / {f(c[f'speedup_vs_{against}_equal_isa'])}"

    return render_table(
        [*lead, *[f"{b} (={res['backend_levels'].get(b) or '-'})" for b in names]],
        [[*lead_cells(r), *[cell(r, b) for b in names]] for r in rows],
        "l" * (len(lead) - 1) + "r" * (len(names) + 1))


# ---------------------------------------------------------------------------
# plotting (matplotlib is imported by run.py, only when a plot is asked for)
# ---------------------------------------------------------------------------


def pick_n(rows: list[dict[str, Any]], prefer: int) -> int:
    """The size a panel shows: ``prefer`` if measured, else the largest."""
    ns = sorted({r["n"] for r in rows})
    return prefer if prefer in ns else ns[-1]


def minor_label(v: float, _pos: Any = None) -> str:
    """Label minor ticks 2 and 5 of each decade on a log axis."""
    import math

    if v <= 0:
        return ""
    m = v / 10 ** math.floor(math.log10(v) + 1e-9)
    return f"{v:g}" if round(m, 6) in (2.0, 5.0) else ""


def speedup_bars(ax: Any, res: dict[str, Any], rows: list[dict[str, Any]], colors: dict[str, Any],
                 group: Callable[[dict[str, Any]], str], key: str, eq_key: str | None,
                 title: str, ylabel: str) -> set[str]:
    """One bar per backend and row (``group(row)`` labels the row) of the
    ratio ``key`` on a log axis, with ``eq_key`` as a black tick on each
    bar; returns the backends drawn."""
    import numpy as np
    from matplotlib.ticker import FuncFormatter

    cols = [b for b in res["backends"] if any(b in r["backends"] for r in rows)]
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
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(FuncFormatter(minor_label))
    ax.set_xticks(x, [group(r) for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", which="both", alpha=0.3)
    return set(cols)
