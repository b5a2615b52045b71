#!/usr/bin/env python3
"""Cross-build hostlib for aarch64 and run it under qemu-aarch64.

There is no ARM hardware here: the build uses Debian's cross compiler
(``aarch64-linux-gnu-gcc``) and meson with a cross file; the target's
Python (interpreter, standard library, headers) comes from arm64 Debian
packages unpacked into a sysroot, numpy from its manylinux aarch64 wheel
(``prepare_aarch64.sh`` fetches both). The build's installed files land in
a folder, which the emulated interpreter gets on ``PYTHONPATH``.

Then, for each emulated CPU model, hostlib's report and the checks of
``_check.py`` run inside ``qemu-aarch64 -cpu MODEL``: the features hostlib
detects (and not more), ``neon`` serving every entry it provides, the x86
modules never imported, every kernel of every usable backend against numpy.
``cortex-a53`` is a plain ARMv8.0 core (ASIMD only); ``max`` has every
optional feature qemu implements (FP16, dot product, SVE, SVE2); ``max``
again with ``HOSTLIB_DISABLE_FEATURES=ASIMD`` leaves the portable table.
A canary (an SVE instruction on ``cortex-a53``) must die with SIGILL: it
shows the emulator traps what a model lacks, so that a clean run means
something. Then the layer tests (``tests/test_layers.py``) run their NEON
and scalar layer programs under both models.

Usage (from anywhere; meson, ninja and Cython from this environment)::

    tests/emulated/prepare_aarch64.sh /tmp/aarch64            # once: sysroot + numpy
    python tests/emulated/run_aarch64.py --root /tmp/aarch64   # or HOSTLIB_AARCH64_ROOT
    python tests/emulated/run_aarch64.py --cpu max --keep BUILD_DIR

Exit status: 0 all passed, 1 a check or the build failed, 2 cannot run here
(no cross compiler, qemu-aarch64, sysroot or numpy: the message says which
and how to get it); ``--skip-unavailable`` turns 2 into 0.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[1]
CHECK = HERE / "_check.py"
CROSS_CC = "aarch64-linux-gnu-gcc"
PY_VERSION = "3.11"
ENV_ROOT = "HOSTLIB_AARCH64_ROOT"

ARM_FEATURES = ("ASIMD", "FPHP", "ASIMDHP", "ASIMDDP", "ASIMDFHM", "SVE", "SVE2")
#: bundled modules as the aarch64 build sees them: neon built, the x86 ones
#: installed as metadata only (and never importable there)
BUNDLED = ("neon", "avx2", "sse2")


@dataclass(frozen=True)
class Run:
    name: str
    cpu: str
    has: tuple[str, ...]
    lacks: tuple[str, ...]
    supported: tuple[str, ...]
    env: dict = field(default_factory=dict)
    note: str = ""


RUNS = {
    r.name: r
    for r in (
        Run("cortex-a53", "cortex-a53", has=("ASIMD",), lacks=("FPHP", "ASIMDHP", "ASIMDDP", "SVE", "SVE2"),
            supported=("neon",), note="ARMv8.0: ASIMD only"),
        Run("max", "max", has=ARM_FEATURES, lacks=(), supported=("neon",),
            note="every optional feature qemu has (FP16, dot product, SVE, SVE2)"),
        Run("max-masked", "max", has=(), lacks=ARM_FEATURES, supported=(),
            env={"HOSTLIB_DISABLE_FEATURES": "ASIMD"}, note="HOSTLIB_DISABLE_FEATURES=ASIMD: portable only"),
    )
}
#: qemu CPU models the layer tests run on
LAYER_CPUS = ("cortex-a53", "max")


# ---------------------------------------------------------------- environment


@dataclass(frozen=True)
class Target:
    root: Path
    sysroot: Path
    numpy: Path
    qemu: str
    cc: str

    @property
    def python(self) -> Path:
        return self.sysroot / "usr" / "bin" / f"python{PY_VERSION}"

    def qemu_cmd(self, cpu: str) -> list[str]:
        return [self.qemu, "-cpu", cpu, "-L", str(self.sysroot)]


def find_target(root: str | None) -> tuple[Target | None, str]:
    """The toolchain and target files, or None and why they are missing."""
    prepare = f"{HERE / 'prepare_aarch64.sh'} DIR"
    cc, qemu = shutil.which(CROSS_CC), shutil.which("qemu-aarch64")
    if cc is None:
        return None, f"{CROSS_CC} not found (Debian: apt-get install -y gcc-aarch64-linux-gnu)"
    if qemu is None:
        return None, "qemu-aarch64 not found (Debian: apt-get install -y qemu-user)"
    for tool in ("meson", "ninja", "cython"):
        if shutil.which(tool) is None:
            return None, f"{tool} not found in this environment (pip install '.[test]')"
    if not root:
        return None, f"no target files: pass --root DIR or set {ENV_ROOT}, after {prepare}"
    base = Path(root).resolve()
    target = Target(base, base / "sysroot", base / "numpy", qemu, cc)
    if not target.python.exists() or not (target.sysroot / "usr/include" / f"python{PY_VERSION}/Python.h").exists():
        return None, f"{base}/sysroot lacks the arm64 Python {PY_VERSION} or its headers: run {prepare}"
    if not (target.numpy / "numpy" / "__init__.py").exists():
        return None, f"{base}/numpy lacks numpy's aarch64 wheel: run {prepare}"
    return target, ""


def _no_core_files() -> None:
    # the canary (and any real crash) must not leave qemu core files behind
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd: list[str], *, env: dict | None = None, cwd: str | Path | None = None, timeout: float = 900,
        echo: bool = True) -> subprocess.CompletedProcess:
    if echo:
        print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=_no_core_files)


# ---------------------------------------------------------------- cross build


def write_cross_files(target: Target, work: Path) -> Path:
    """A meson cross file whose Python is the target's, run under qemu.

    meson asks that interpreter for the extension suffix and the include
    directory. Debian's build-time variables name /usr/include/python3.11,
    which on this machine holds the x86 headers; a copy of them with the
    sysroot in front of the paths is what the emulated interpreter reads
    (sysconfig's _PYTHON_SYSCONFIGDATA_NAME), and PYTHONHOME puts the
    sysroot under its install paths too."""
    cross = work / "cross"
    cross.mkdir(parents=True, exist_ok=True)
    stdlib = target.sysroot / "usr" / "lib" / f"python{PY_VERSION}"
    original = next(stdlib.glob("_sysconfigdata__linux_*.py"))
    (cross / "_sysconfigdata_hostlib_cross.py").write_text(textwrap.dedent(f"""\
        # the target's build-time variables, paths moved into the sysroot
        _ns = {{}}
        exec(open({str(original)!r}).read(), _ns)
        build_time_vars = dict(_ns["build_time_vars"])
        for _k, _v in list(build_time_vars.items()):
            if isinstance(_v, str) and _v.startswith("/usr/include"):
                build_time_vars[_k] = {str(target.sysroot)!r} + _v
        """))
    wrapper = cross / "python3-aarch64"
    wrapper.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        # the aarch64 Python, emulated, as meson's target interpreter
        PYTHONHOME={target.sysroot}/usr \\
        PYTHONPATH={cross}:{target.numpy} \\
        _PYTHON_SYSCONFIGDATA_NAME=_sysconfigdata_hostlib_cross \\
        PYTHONDONTWRITEBYTECODE=1 \\
        exec {target.qemu} -L {target.sysroot} {target.python} "$@"
        """))
    wrapper.chmod(0o755)
    cross_file = cross / "aarch64-linux-gnu.ini"
    cross_file.write_text(textwrap.dedent(f"""\
        [binaries]
        c = '{target.cc}'
        strip = 'aarch64-linux-gnu-strip'
        python = '{wrapper}'
        cython = '{shutil.which("cython")}'

        [built-in options]
        # Debian's multiarch pyconfig.h includes <aarch64-linux-gnu/python3.11/...>;
        # after the cross toolchain's own headers, so its libc headers win
        c_args = ['-idirafter', '{target.sysroot}/usr/include']

        [properties]
        sys_root = '{target.sysroot}'

        [host_machine]
        system = 'linux'
        cpu_family = 'aarch64'
        cpu = 'armv8-a'
        endian = 'little'
        """))
    return cross_file


def cross_build(target: Target, work: Path) -> Path:
    """Build and install into work/install; returns the folder holding the
    installed ``hostlib`` package (the emulated site-packages)."""
    cross_file = write_cross_files(target, work)
    build, dest = work / "build", work / "install"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "HOSTLIB_"))}
    setup = ["meson", "setup", build, SOURCE, "--cross-file", cross_file, "--prefix=/usr"]
    if (build / "meson-private").exists():
        setup.append("--reconfigure")
    steps = [
        setup,
        ["meson", "compile", "-C", build],
        ["meson", "install", "-C", build, "--destdir", dest, "--quiet"],
    ]
    for cmd in steps:
        proc = run(cmd, env=env)
        if proc.returncode != 0:
            sys.stdout.write(proc.stdout[-6000:] + proc.stderr[-4000:])
            raise SystemExit(f"cross build failed: {' '.join(str(c) for c in cmd)}")
    found = [p.parent.parent for p in dest.rglob("hostlib/__init__.py")]
    if len(found) != 1:
        raise SystemExit(f"cannot find the installed hostlib package under {dest}: {found}")
    site = found[0]
    info = json.loads(run(["meson", "introspect", "--projectinfo", build], env=env, echo=False).stdout)
    write_dist_info(site, info["version"])
    built = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.so"))
    print(f"installed into {site}: {', '.join(built)}", flush=True)
    if not any(p.startswith("kernels_neon/") for p in built):
        raise SystemExit("the cross build did not build kernels_neon")
    return site


def write_dist_info(site: Path, version: str) -> None:
    """The installed distribution's metadata, as a wheel would have it: the
    host discovers the bundled modules through their entry points."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((SOURCE / "pyproject.toml").read_text())["project"]
    name = project["name"]
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = []
    for group, points in project.get("entry-points", {}).items():
        lines += [f"[{group}]"] + [f"{k} = {v}" for k, v in points.items()] + [""]
    (info / "entry_points.txt").write_text("\n".join(lines))


def build_canary(target: Target, work: Path) -> Path:
    """A shared library whose one function executes an SVE instruction."""
    src, lib = work / "canary_sve.c", work / "canary_sve.so"
    src.write_text("long canary_sve(void) { long vl; __asm__ volatile(\"rdvl %0, #1\" : \"=r\"(vl)); return vl; }\n")
    proc = run([target.cc, "-O1", "-shared", "-fPIC", "-march=armv8.2-a+sve", src, "-o", lib], echo=False)
    if proc.returncode != 0:
        raise SystemExit(f"cannot build the SVE canary: {proc.stderr}")
    return lib


# ---------------------------------------------------------------- emulated runs


def emulated_env(target: Target, site: Path, extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HOSTLIB_", "QEMU_", "PYTHON", "NPY_", "OPENBLAS_", "_PYTHON"))}
    env.update(PYTHONPATH=os.pathsep.join([str(site), str(target.numpy)]), PYTHONNOUSERSITE="1",
               XDG_CACHE_HOME=str(site.parent / "cache"),
               PYTHONDONTWRITEBYTECODE="1", OPENBLAS_NUM_THREADS="1", OPENBLAS_CORETYPE="ARMV8")
    env.update(extra or {})
    return env


def run_check(target: Target, site: Path, r: Run, timeout: float) -> tuple[bool, str]:
    exp = {"model": f"{r.cpu} ({r.name})", "has": r.has, "lacks": r.lacks, "supported": r.supported,
           "bundled": BUNDLED}
    cmd = target.qemu_cmd(r.cpu) + [target.python, CHECK, "numpy", json.dumps(exp)]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hostlib-a64-") as cwd:
        try:
            proc = run(cmd, env=emulated_env(target, site, r.env), cwd=cwd, timeout=timeout, echo=False)
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:.0f} s"
    seconds = time.monotonic() - start
    out = proc.stdout + (("\n" + proc.stderr) if proc.stderr.strip() else "")
    print("\n".join(line for line in out.rstrip().splitlines() if not line.startswith("EMULATED-CHECK-OK ")))
    marker = [line for line in proc.stdout.splitlines() if line.startswith("EMULATED-CHECK-OK ")]
    if proc.returncode == -signal.SIGILL:
        return False, f"SIGILL: an instruction {r.cpu} lacks was executed ({seconds:.1f} s)"
    if proc.returncode != 0 or not marker:
        return False, f"exit {proc.returncode} ({seconds:.1f} s)"
    summary = json.loads(marker[-1].split(" ", 1)[1])
    served = sorted(set(summary["serving"].values()))
    print(f"--- backends serving: {', '.join(served)}; every entry called under: "
          + ", ".join(f"{b} ({'+'.join(v)})" for b, v in summary["called"].items()))
    return True, f"{seconds:.1f} s, served by {', '.join(served)}"


def run_canary(target: Target, lib: Path) -> tuple[bool, str]:
    code = f"import ctypes; print(ctypes.CDLL({str(lib)!r}).canary_sve())"
    ok = run(target.qemu_cmd("max") + [target.python, "-c", code], echo=False)
    if ok.returncode != 0:
        return False, f"the SVE canary fails on -cpu max too: {ok.stderr.strip()[-300:]}"
    proc = run(target.qemu_cmd("cortex-a53") + [target.python, "-c", code], echo=False)
    if proc.returncode == -signal.SIGILL:
        return True, f"SIGILL on cortex-a53 as it must (max: vector length {ok.stdout.strip()} bytes)"
    return False, (f"an SVE instruction ran on cortex-a53 (exit {proc.returncode}): the emulator does not "
                   "trap missing instructions, so the other runs prove nothing")


def run_layer_tests(target: Target, work: Path) -> tuple[bool, str]:
    """tests/test_layers.py's check, cross-compiled (static): the NEON
    layer against the scalar layer, each op on special values, on each
    model."""
    sys.path.insert(0, str(SOURCE / "tests"))
    try:
        import _layers  # the tests' helper, next to them
    finally:
        sys.path.pop(0)
    includes = [SOURCE / "simd", work / "build" / "interface"]
    exes = {layer: _layers.build(layer, work / "layers", cc=target.cc, include_dirs=includes, static=True)
            for layer in ("scalar", "neon")}
    details, ok = [], True
    for cpu in LAYER_CPUS:
        out = {}
        for layer, exe in exes.items():
            out[layer] = run(target.qemu_cmd(cpu) + [exe], echo=False, timeout=120).stdout
        problems = _layers.compare(out["neon"], out["scalar"])
        problems += [f"scalar: {line}" for line in out["scalar"].splitlines() if line.startswith("FAIL")]
        ok &= not problems
        details.append(f"neon vs scalar on {cpu}: {'ok' if not problems else 'FAIL'}")
        for line in problems:
            print(f"  {cpu}: {line}")
    return ok, "; ".join(details)

#: hostlib's own test files that run inside the emulated interpreter (they
#: start no subprocess and compile nothing): kernels, accuracy, CPU, gemm
PYTEST_FILES = ("test_kernels_api.py", "test_math_accuracy.py", "test_cpu.py", "test_gemm.py")
#: these start a native subprocess, which cannot run the aarch64 interpreter;
#: and the portable table's elementwise functions are the C library's, not
#: hostlib's code: the accuracy tests run neon's cases only (their mpmath
#: references cost ~50x more under emulation)
PYTEST_DESELECT = "not without_memory and not (math_accuracy and portable)"
#: random arguments per range in test_math_accuracy (natively 2000)
EMULATED_SAMPLE = "250"


def run_pytest(target: Target, site: Path, timeout: float) -> tuple[bool, str]:
    """The suite's in-process tests under qemu -cpu max (neon serving), with
    the same ULP bounds as on x86; skipped with a message when
    prepare_aarch64.sh has not fetched pytest."""
    pytest_dir = target.root / "pytest"
    if not (pytest_dir / "_pytest").is_dir():
        return True, f"skipped: no {pytest_dir} (run prepare_aarch64.sh again)"
    tests = Path(__file__).resolve().parents[1]
    env = emulated_env(target, site)
    env["PYTHONPATH"] += os.pathsep + str(pytest_dir)
    env["TEST_MATH_SAMPLE"] = EMULATED_SAMPLE
    cmd = target.qemu_cmd("max") + [target.python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                    "-c", os.devnull, "-k", PYTEST_DESELECT,
                                    *(str(tests / f) for f in PYTEST_FILES)]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hostlib-a64-pytest-") as cwd:
        try:
            proc = run(cmd, env=env, cwd=cwd, timeout=timeout, echo=False)
        except subprocess.TimeoutExpired:
            return False, f"timed out after {timeout:.0f} s"
    last = (proc.stdout.strip().splitlines() or ["no output"])[-1]
    if proc.returncode != 0:
        print(proc.stdout[-4000:] + proc.stderr[-2000:])
    return proc.returncode == 0, f"{', '.join(PYTEST_FILES)}: {last} ({time.monotonic() - start:.0f} s)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--root", default=os.environ.get(ENV_ROOT),
                   help=f"folder prepare_aarch64.sh filled (default: ${ENV_ROOT})")
    p.add_argument("--run", action="append", choices=list(RUNS), help="emulated run (repeatable; default: all)")
    p.add_argument("--keep", metavar="DIR", help="build in DIR and keep it (default: a temporary folder)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per emulated run")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="exit 0 (with a message) when the cross toolchain, qemu or the target files are missing")
    args = p.parse_args(argv)

    target, why = find_target(args.root)
    if target is None:
        print(f"aarch64 emulation cannot run: {why}", file=sys.stderr)
        return 0 if args.skip_unavailable else 2

    start = time.monotonic()
    results: list[tuple[str, bool, str]] = []
    with tempfile.TemporaryDirectory(prefix="hostlib-aarch64-") as tmp:
        work = Path(args.keep).resolve() if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        site = cross_build(target, work)
        results.append(("cross build", True, f"{time.monotonic() - start:.0f} s"))
        for name in args.run or list(RUNS):
            r = RUNS[name]
            print(f"\n=== qemu-aarch64 -cpu {r.cpu} ({r.note})", flush=True)
            ok, detail = run_check(target, site, r, args.timeout)
            print(f"--- {name}: {'PASS' if ok else 'FAIL'} {detail}", flush=True)
            results.append((name, ok, detail))
        ok, detail = run_canary(target, build_canary(target, work))
        results.append(("canary", ok, detail))
        ok, detail = run_layer_tests(target, work)
        results.append(("layer tests", ok, detail))
        print("\n=== the test suite's in-process tests under qemu-aarch64 -cpu max", flush=True)
        ok, detail = run_pytest(target, site, 6 * args.timeout)
        results.append(("pytest", ok, detail))

    print("\nSummary")
    for name, ok, detail in results:
        print(f"  {name:<12} {'PASS' if ok else 'FAIL'}  {detail}")
    failed = [r for r in results if not r[1]]
    print(f"total {time.monotonic() - start:.0f} s; aarch64: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
