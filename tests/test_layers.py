"""Every op of every vector layer this machine can execute, against the
scalar layer (simd/LAYERS.md is the contract): special values (NaN, +-0,
+-inf, subnormals, the largest finite), the invalid and divide-by-zero
flags each op raises, masks (made, combined, tested, as lane bits), lane
order, partial loads and stores that must not touch anything past their
last element, strided loads and stores, reductions and conversions.

tests/layer_ops.c is compiled once per layer with the flags of the
features its module declares. The NEON layer runs natively on aarch64, and
on x86 under ``qemu-aarch64 -cpu cortex-a53`` (an ARMv8.0 core: ASIMD only)
when the cross compiler and qemu are installed (Debian:
gcc-aarch64-linux-gnu, qemu-user); the program is linked statically, so no
arm64 sysroot is needed.
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import hostlib

import _layers

ARCH = platform.machine().lower()
IS_X86 = ARCH in ("x86_64", "amd64")
IS_AARCH64 = ARCH in ("aarch64", "arm64")
INCLUDE = Path(hostlib.get_include())
INCLUDES = [INCLUDE, INCLUDE / "simd", _layers.SOURCE / "kernels_avx512"]
CC = (sysconfig.get_config_var("CC") or "cc").split()[0]


@pytest.fixture(scope="module")
def scalar_output(tmp_path_factory) -> str:
    if shutil.which(CC) is None:
        pytest.skip(f"no C compiler ({CC})")
    exe = _layers.build("scalar", tmp_path_factory.mktemp("scalar"), cc=CC, include_dirs=INCLUDES)
    proc = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    return proc.stdout


def test_scalar_layer_keeps_its_own_contract(scalar_output) -> None:
    assert [line for line in scalar_output.splitlines() if line.startswith("FAIL")] == []
    assert scalar_output.splitlines()[-1] == "done 0 failures"
    ops = {op for op, _t in _layers.parse(scalar_output)}
    assert {"add", "fma", "lt", "nle", "max", "select_sign", "igt", "shr"} <= ops


def _runner(layer: str) -> tuple[list[str], str, bool]:
    """(command prefix, compiler, static) to run a layer here, or skip."""
    features = _layers.LAYERS[layer][1]
    family = _layers.LAYERS[layer][2]
    if family == "x86" and IS_X86:
        missing = [f for f in features if not hostlib.cpu_features().get(f)]
        if missing:
            pytest.skip(f"this CPU lacks {', '.join(missing)}")
        if layer == "avx512" and not (INCLUDES[2] / "vec_avx512.h").exists():
            pytest.skip("kernels_avx512/ is not in this checkout")
        return [], CC, False
    if family == "aarch64" and IS_AARCH64:
        return [], CC, False
    if family == "aarch64" and IS_X86:
        cross, qemu = shutil.which("aarch64-linux-gnu-gcc"), shutil.which("qemu-aarch64")
        if cross is None or qemu is None:
            pytest.skip("NEON under emulation needs aarch64-linux-gnu-gcc and qemu-aarch64 "
                        "(Debian: apt-get install gcc-aarch64-linux-gnu qemu-user)")
        return [qemu, "-cpu", "cortex-a53"], cross, True
    pytest.skip(f"{layer} cannot run on {ARCH}")


@pytest.mark.parametrize("layer", ["sse2", "avx2", "avx512", "neon"])
def test_layer_matches_scalar_layer(layer: str, scalar_output: str, tmp_path: Path) -> None:
    prefix, cc, static = _runner(layer)
    exe = _layers.build(layer, tmp_path, cc=cc, include_dirs=INCLUDES, static=static)
    proc = subprocess.run(prefix + [str(exe)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 or "FAIL" in proc.stdout, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    problems = _layers.compare(proc.stdout, scalar_output)
    assert problems == [], "\n".join(problems)


def test_compare_catches_a_broken_op(scalar_output: str) -> None:
    """The comparison itself: a wrong lane, a NaN compare raising invalid."""
    lines = scalar_output.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("lt f64 "))
    words = lines[i].split()
    bar = words.index("|")
    flags = words[bar + 1:]
    nan_pair = next(k for k, w in enumerate(_layers.parse(scalar_output)[("in_a", "f64")][0])
                    if _layers._is_nan(w, "f64"))
    flags[nan_pair] = "1"  # an ordered compare that raised invalid on a NaN
    broken = lines[:i] + [" ".join(words[:bar + 1] + flags)] + lines[i + 1:]
    assert any(p.startswith("lt f64") for p in _layers.compare("\n".join(broken), scalar_output))
    j = next(k for k, line in enumerate(lines) if line.startswith("add f32 "))
    w2 = lines[j].split()
    w2[2] = "3f800001"
    broken = lines[:j] + [" ".join(w2)] + lines[j + 1:]
    assert any(p.startswith("add f32") for p in _layers.compare("\n".join(broken), scalar_output))
