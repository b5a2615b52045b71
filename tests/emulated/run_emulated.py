#!/usr/bin/env python3
"""Run the installed hostlib on emulated older x86-64 CPUs (qemu user mode).

Proves that hostlib never executes an instruction the CPU lacks: under
``qemu-x86_64 -cpu MODEL`` an instruction the model does not have raises
SIGILL, exactly as on real hardware. For each model it checks that hostlib

* detects the model's features (and not more),
* marks the bundled backends the model cannot run ``unsupported`` and never
  imports their compiled part,
* serves each entry from the expected backend,
* runs every entry of every usable backend once, with correct results.

A canary run (on models without AVX2) calls the ``avx2`` ddot on purpose and
must die with SIGILL: it shows the emulator really traps, so that a clean
run means something.

Usage (from any directory; hostlib must be installed in this interpreter's
environment)::

    python tests/emulated/run_emulated.py                 # every model below
    python tests/emulated/run_emulated.py --cpu Westmere  # one model (repeatable)
    python tests/emulated/run_emulated.py --list

Exit status: 0 all passed, 1 a check failed or something died (SIGILL
anywhere but the canary fails the run), 2 cannot run here (no qemu-x86_64,
not an x86-64 interpreter); ``--skip-unavailable`` turns 2 into 0.

See README.md next to this file.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECK = HERE / "_check.py"


@dataclass(frozen=True)
class Model:
    name: str
    #: features the model must report and must not report (hostlib's names)
    has: tuple[str, ...]
    lacks: tuple[str, ...]
    #: bundled backends it can run, best first
    supported: tuple[str, ...]
    #: numpy 2.x needs x86-64-v2 (SSE4.2, POPCNT): without it, check without numpy
    numpy: bool = True
    #: call the avx2 kernel on purpose, expecting SIGILL
    canary: bool = False
    #: OPENBLAS_CORETYPE for the OpenBLAS libraries (numpy's, scipy-openblas):
    #: their own detection misreads emulated CPUs and runs AVX code on models
    #: without AVX unless told the core type
    openblas_core: str = "Nehalem"
    note: str = ""


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("Haswell-v4", has=("AVX2", "FMA3", "F16C", "AVX", "SSE42"),
              lacks=("AVX512F",), supported=("avx2", "sse2"),
              note="AVX2 + FMA, no AVX-512"),
        Model("SandyBridge", has=("AVX", "SSE42", "POPCNT"), lacks=("AVX2", "FMA3", "F16C"),
              supported=("sse2",), canary=True, note="AVX, no AVX2"),
        Model("Westmere", has=("SSE42", "POPCNT", "SSE41"), lacks=("AVX",),
              supported=("sse2",), canary=True, note="SSE4.2, no AVX"),
        Model("core2duo", has=("SSE2", "SSSE3"), lacks=("SSE41", "SSE42", "POPCNT", "AVX"),
              supported=("sse2",), numpy=False, canary=True, openblas_core="Core2",
              note="SSSE3 only: numpy cannot import, checked without numpy"),
    )
}

#: qemu user mode prints these for CPU model bits TCG does not implement
#: (x2apic, invpcid, ...): noise, not errors
QEMU_NOISE = "TCG doesn't support requested feature"


@dataclass
class Outcome:
    model: str
    mode: str
    ok: bool
    seconds: float
    detail: str = ""
    summary: dict = field(default_factory=dict)
    output: str = ""


def unavailable_reason(qemu: str | None, python: str) -> str | None:
    if qemu is None:
        return "qemu-x86_64 not found (Debian: apt-get install -y qemu-user)"
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return f"this interpreter is not x86-64 ({platform.machine()})"
    try:
        with open(python, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return f"{python} is not an ELF binary (a launcher script?); pass --python"
    except OSError as exc:
        return f"cannot read {python}: {exc}"
    return None


def installed_paths() -> list[str]:
    """Directories the emulated interpreter needs on PYTHONPATH: where this
    environment installed hostlib and numpy, and its site-packages."""
    dirs: list[str] = []
    for name in ("hostlib", "numpy"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            pkg = Path(list(spec.submodule_search_locations)[0])
            if name == "hostlib" and (pkg / "meson.build").exists():
                raise SystemExit(
                    f"found hostlib's source tree at {pkg}, not an installed hostlib: run from another directory"
                )
            dirs.append(str(pkg.parent))
    dirs += [p for p in site.getsitepackages() if os.path.isdir(p)]
    if importlib.util.find_spec("hostlib") is None:
        raise SystemExit("hostlib is not installed in this environment (pip install .)")
    return list(dict.fromkeys(dirs))


def _no_core_files() -> None:
    # the canary (and any real SIGILL) must not leave qemu core files behind
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_one(qemu: str, python: str, model: Model, mode: str, timeout: float) -> Outcome:
    exp = {"model": model.name, "has": model.has, "lacks": model.lacks, "supported": model.supported}
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HOSTLIB_", "QEMU_", "PYTHON", "NPY_", "OPENBLAS_"))}
    env.update(
        PYTHONPATH=os.pathsep.join(installed_paths()),
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",
        OPENBLAS_CORETYPE=model.openblas_core,
        OPENBLAS_NUM_THREADS="1",
    )
    cmd = [qemu, "-cpu", model.name, python, str(CHECK), mode, json.dumps(exp)]
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hostlib-emul-") as cwd:
        try:
            proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                                  preexec_fn=_no_core_files)
        except subprocess.TimeoutExpired:
            return Outcome(model.name, mode, False, time.monotonic() - start, f"timed out after {timeout:.0f} s")
    seconds = time.monotonic() - start
    stderr = "\n".join(line for line in proc.stderr.splitlines() if QEMU_NOISE not in line)
    output = proc.stdout + (("\n" + stderr) if stderr.strip() else "")
    sigill = proc.returncode == -signal.SIGILL or "Illegal instruction" in proc.stderr
    if mode == "canary":
        if sigill:
            return Outcome(model.name, mode, True, seconds, "SIGILL as it must", output=output)
        return Outcome(model.name, mode, False, seconds,
                       f"the AVX2 kernel ran without SIGILL (exit {proc.returncode}): the emulator does not "
                       "trap missing instructions, so the other runs prove nothing", output=output)
    if sigill:
        return Outcome(model.name, mode, False, seconds, "SIGILL: an unsupported instruction was executed",
                       output=output)
    if proc.returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
        return Outcome(model.name, mode, False, seconds, f"exit {proc.returncode}: {last}", output=output)
    marker = [line for line in proc.stdout.splitlines() if line.startswith("EMULATED-CHECK-OK ")]
    if not marker:
        return Outcome(model.name, mode, False, seconds, "no EMULATED-CHECK-OK line", output=output)
    summary = json.loads(marker[-1].split(" ", 1)[1])
    return Outcome(model.name, mode, True, seconds, "ok", summary=summary, output=output)


def run_models(models: list[Model], *, qemu: str, python: str, timeout: float = 300.0,
               echo=print) -> list[Outcome]:
    outcomes = []
    for model in models:
        modes = ["numpy" if model.numpy else "nonumpy"] + (["canary"] if model.canary else [])
        for mode in modes:
            echo(f"=== {model.name} ({model.note}) -- {mode}", flush=True)
            o = run_one(qemu, python, model, mode, timeout)
            if mode != "canary" or not o.ok:
                echo("\n".join(line for line in o.output.rstrip().splitlines()
                               if not line.startswith("EMULATED-CHECK-OK ")))
            outcomes.append(o)
            if o.summary:
                served = sorted(set(o.summary["serving"].values()))
                echo(f"--- backends serving: {', '.join(served)}; every entry called under: "
                     + ", ".join(f"{b} ({'+'.join(v)})" for b, v in o.summary["called"].items()))
            echo(f"--- {model.name} {mode}: {'PASS' if o.ok else 'FAIL'} ({o.seconds:.1f} s) {o.detail}\n", flush=True)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cpu", action="append", metavar="MODEL",
                   help=f"qemu CPU model to run (repeatable; default: {', '.join(MODELS)})")
    p.add_argument("--python", default=os.path.realpath(sys.executable),
                   help="the real interpreter binary (default: this one, symlinks resolved)")
    p.add_argument("--qemu", default=shutil.which("qemu-x86_64"), help="qemu-x86_64 binary")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per emulated run")
    p.add_argument("--skip-unavailable", action="store_true",
                   help="exit 0 (with a message) when qemu or an x86-64 interpreter is missing")
    p.add_argument("--list", action="store_true", help="list the known models and exit")
    args = p.parse_args(argv)

    if args.list:
        for m in MODELS.values():
            print(f"{m.name:<12} {m.note}; expects {', '.join(m.supported)}")
        return 0
    names = args.cpu or list(MODELS)
    unknown = [n for n in names if n not in MODELS]
    if unknown:
        p.error(f"unknown model(s) {unknown}; known: {', '.join(MODELS)} (add a Model entry for others)")
    python = os.path.realpath(args.python)
    why = unavailable_reason(args.qemu, python)
    if why:
        print(f"emulated CPU tests cannot run: {why}", file=sys.stderr)
        return 0 if args.skip_unavailable else 2

    print(f"interpreter {python}\nqemu {args.qemu}\nPYTHONPATH {os.pathsep.join(installed_paths())}\n")
    start = time.monotonic()
    outcomes = run_models([MODELS[n] for n in names], qemu=args.qemu, python=python, timeout=args.timeout)
    failed = [o for o in outcomes if not o.ok]
    print("Summary")
    for o in outcomes:
        print(f"  {o.model:<12} {o.mode:<8} {'PASS' if o.ok else 'FAIL'}  {o.seconds:5.1f} s  {o.detail}")
    print(f"total {time.monotonic() - start:.1f} s")
    print(f"emulated: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
