"""The fft template (simd/fft.h) for every vector layer this machine can
execute, and the installed fft tables against numpy.fft.

simd/test_fft.c is compiled once per layer with the flags of the features
its module declares, like tests/layer_ops.c (test_layers.py), and checks
c2c, r2c and c2r against a naive long-double DFT: every n up to 130, powers
of two to 2^16, 1000, 1536, 10000, the primes 1009 and 65537, mixed
lengths, both precisions, strides of both signs, batches, in place, scale
and the error codes. NEON runs under qemu-aarch64 on x86 when the cross
compiler and qemu are installed.

The installed tables (the portable one, the bundled modules', the AVX-512
and MKL packages' when installed) are then called through their capsules with
ctypes on numpy arrays, strided views included, against numpy.fft.
"""

from __future__ import annotations

import ctypes
import importlib
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import hostlib

import _layers

ARCH = platform.machine().lower()
IS_X86 = ARCH in ("x86_64", "amd64")
IS_AARCH64 = ARCH in ("aarch64", "arm64")
SOURCE = _layers.SOURCE
INCLUDE = Path(hostlib.get_include())
CC = (sysconfig.get_config_var("CC") or "cc").split()[0]

#: layer -> (the translation unit of its fft table, the table's name)
TABLES = {
    "scalar": ("../hostlib/_fft_portable.c", "scalar_fft_table"),
    "sse2": ("../kernels_sse2/fft.c", "sse2_fft_table"),
    "avx2": ("../kernels_avx2/fft.c", "avx2_fft_table"),
    "avx512": ("../kernels_avx512/fft.c", "avx512_fft_table"),
    "neon": ("../kernels_neon/fft.c", "neon_fft_table"),
}


def _runner(layer: str) -> tuple[list[str], str, bool]:
    """(command prefix, compiler, static) to run a layer here, or skip."""
    features, family = _layers.LAYERS[layer][1], _layers.LAYERS[layer][2]
    if family is None:
        return [], CC, False
    if family == "x86" and IS_X86:
        missing = [f for f in features if not hostlib.cpu_features().get(f)]
        if missing:
            pytest.skip(f"this CPU lacks {', '.join(missing)}")
        if layer == "avx512" and not (SOURCE / "kernels_avx512" / "vec_avx512.h").exists():
            pytest.skip("kernels_avx512/ is not in this checkout")
        return [], CC, False
    if family == "aarch64" and IS_AARCH64:
        return [], CC, False
    if family == "aarch64" and IS_X86:
        cross, qemu = shutil.which("aarch64-linux-gnu-gcc"), shutil.which("qemu-aarch64")
        if cross is None or qemu is None:
            pytest.skip("NEON under emulation needs aarch64-linux-gnu-gcc and qemu-aarch64")
        return [qemu, "-cpu", "cortex-a53"], cross, True
    pytest.skip(f"{layer} cannot run on {ARCH}")


#: the C test's optimisation: -O1 compiles simd/fft.h's codelets in half the
#: time of -O2 (avx512: 20 s against 42 s; the test itself runs 2.5 s); the
#: arithmetic is IEEE either way (no fast-math), and the shipped -O2 tables
#: are checked below against numpy.fft (test_installed_table_matches_numpy_fft)
OPT = "-O1"


def _build(layer: str, out_dir: Path, cc: str, static: bool) -> Path:
    features = _layers.LAYERS[layer][1]
    bits = "0"
    if features:
        bits = subprocess.run([sys.executable, "-B", str(_layers.GENERATE), "bits", *features],
                              capture_output=True, text=True, check=True).stdout.strip()
    tu, table = TABLES[layer]
    exe = out_dir / f"test_fft_{layer}"
    # the checkout's templates first, then the installed generated headers
    includes = [SOURCE / "simd", SOURCE / "interface", INCLUDE, SOURCE / "kernels_avx512"]
    cmd = [cc, "-std=c11", OPT, "-Wall", "-Wextra", "-Werror", *_layers.cflags_for(layer),
           f'-DSIMD_PROVIDER_NAME="{layer}"', '-DSIMD_PROVIDER_VERSION="test"', f"-DSIMD_PROVIDER_FEATURES=({bits})",
           f'-DTEST_TU="{tu}"', f"-DTEST_TABLE={table}", *[f"-I{d}" for d in includes],
           str(SOURCE / "simd" / "test_fft.c"), "-o", str(exe), "-lm"] + (["-static"] if static else [])
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, " ".join(cmd) + "\n" + proc.stderr[-4000:]
    return exe


@pytest.mark.parametrize("layer", ["scalar", "sse2", "avx2", "avx512", "neon"])
def test_fft_template_against_long_double_dft(layer: str, tmp_path: Path) -> None:
    if shutil.which(CC) is None:
        pytest.skip(f"no C compiler ({CC})")
    if not (SOURCE / "simd" / "test_fft.c").exists():
        pytest.skip("simd/ is not in this checkout")
    prefix, cc, static = _runner(layer)
    exe = _build(layer, tmp_path, cc, static)
    # under an emulator, fewer lengths (its long-double reference is slow there)
    proc = subprocess.run([*prefix, str(exe), *(["small"] if prefix else [])], capture_output=True, text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert re.search(r"^done: \d+ checks, 0 failures$", proc.stdout, re.M), proc.stdout[-2000:]
    # the normwise error stays well inside the checked bound everywhere
    for line in proc.stdout.splitlines():
        if line.startswith("worst "):
            assert float(re.search(r"max ([0-9.]+)", line).group(1)) < 1.5, line


# ---------------- the installed tables, through their capsules ----------------

C2C, R2C, C2R = 0, 1, 2
FORWARD, BACKWARD = -1, 1

_PLAN_C2C = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_ssize_t, ctypes.c_int, ctypes.c_void_p)
_PLAN_REAL = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_ssize_t, ctypes.c_void_p)
_EXECUTE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t,
                            ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_ssize_t, ctypes.c_double)
_DESTROY = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class _Plan(ctypes.Structure):
    _fields_ = [("n", ctypes.c_ssize_t), ("kind", ctypes.c_int), ("sign", ctypes.c_int),
                ("precision", ctypes.c_int), ("bytes", ctypes.c_size_t), ("algorithm", ctypes.c_char_p),
                ("execute", ctypes.c_void_p), ("destroy", ctypes.c_void_p)]


class _Header(ctypes.Structure):
    _fields_ = [("magic", ctypes.c_uint32), ("abi_major", ctypes.c_uint16), ("abi_minor", ctypes.c_uint16),
                ("size", ctypes.c_uint32), ("reserved0", ctypes.c_uint32), ("name", ctypes.c_char_p),
                ("version", ctypes.c_char_p), ("features", ctypes.c_uint64), ("reserved1", ctypes.c_uint64)]


class _Table(ctypes.Structure):
    _fields_ = [("header", _Header)] + [(f, ctypes.c_void_p) for f in
                                        ("splan_c2c", "dplan_c2c", "splan_r2c", "dplan_r2c", "splan_c2r", "dplan_c2r")]


#: module -> the CPU features it needs: the tables built from simd/fft.h
#: (test_fft_fourstep.py checks their four steps)
MODULES = {
    "hostlib._fft_portable": (),
    "kernels_sse2._sse2_fft": ("SSE2",),
    "kernels_avx2._avx2_fft": ("AVX2", "FMA3"),
    "kernels_avx512._fft": ("AVX512F",),
    "kernels_neon._neon_fft": ("ASIMD",),
}
#: and every installed table, another library's too: MKL's DFTI
#: (tests/test_mkl_fft.py; skipped without the mkl package)
INSTALLED = {**MODULES, "kernels_mkl._mkl_fft": ()}


def _table(module: str) -> _Table:
    missing = [f for f in INSTALLED[module] if not hostlib.cpu_features().get(f)]
    if missing:
        pytest.skip(f"this CPU lacks {', '.join(missing)}")
    try:
        mod = importlib.import_module(module)
    except ImportError as e:
        pytest.skip(f"{module} is not installed ({e})")
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return _Table.from_address(get(mod._C_API, b"hostlib.fft.table"))


def _transform(table: _Table, kind: int, n: int, x: np.ndarray, sign: int = FORWARD, scale: float = 1.0,
               out: np.ndarray | None = None) -> np.ndarray:
    """The table's transform of x's rows (strided views welcome) into out."""
    single = x.dtype in (np.float32, np.complex64)
    prefix = "s" if single else "d"
    plan = ctypes.c_void_p()
    if kind == C2C:
        st = _PLAN_C2C(getattr(table, prefix + "plan_c2c"))(n, sign, ctypes.byref(plan))
    else:
        st = _PLAN_REAL(getattr(table, prefix + ("plan_r2c" if kind == R2C else "plan_c2r")))(n, ctypes.byref(plan))
    assert st == 0
    head = _Plan.from_address(plan.value)
    assert head.n == n and head.kind == kind and head.precision == (4 if single else 8) and head.algorithm
    cout = n // 2 + 1 if kind == R2C else n
    odtype = {np.float32: np.complex64, np.float64: np.complex128}.get(x.dtype.type, x.dtype)
    if kind == C2R:
        odtype = np.float32 if single else np.float64
    elif kind == R2C:
        odtype = np.complex64 if single else np.complex128
    if out is None:
        out = np.full((x.shape[0], cout), 7, dtype=odtype)
    isz, osz = x.itemsize, out.itemsize
    assert all(s % isz == 0 for s in x.strides) and all(s % osz == 0 for s in out.strides)
    st = _EXECUTE(head.execute)(plan, x.shape[0], x.ctypes.data, x.strides[1] // isz, x.strides[0] // isz,
                                out.ctypes.data, out.strides[1] // osz, out.strides[0] // osz, scale)
    _DESTROY(head.destroy)(plan)
    assert st == 0
    return out


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _close(got: np.ndarray, want: np.ndarray, single: bool, n: int) -> None:
    eps = np.finfo(np.float32 if single else np.float64).eps
    err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
    assert err < 2 * eps * np.log2(2 * n), (err, n)


SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 16, 17, 31, 32, 37, 60, 64, 97, 100, 128, 243, 343, 625, 1000,
         1009, 1024, 2048, 4096, 4099, 10007, 65536]


@pytest.mark.parametrize("module", list(INSTALLED))
@pytest.mark.parametrize("single", [False, True])
def test_installed_table_matches_numpy_fft(module: str, single: bool) -> None:
    table = _table(module)
    ct, rt = (np.complex64, np.float32) if single else (np.complex128, np.float64)
    for n in SIZES:
        rng = _rng(n)
        x = (rng.standard_normal((3, n)) + 1j * rng.standard_normal((3, n))).astype(ct)
        _close(_transform(table, C2C, n, x), np.fft.fft(x), single, n)
        _close(_transform(table, C2C, n, x, BACKWARD, 1.0 / n), np.fft.ifft(x), single, n)
        r = rng.standard_normal((3, n)).astype(rt)
        _close(_transform(table, R2C, n, r), np.fft.rfft(r), single, n)
        h = np.fft.rfft(rng.standard_normal((3, n))).astype(ct)
        h[:, 0] += 1j  # the imaginary parts irfft ignores
        if n % 2 == 0:
            h[:, -1] += 1j
        _close(_transform(table, C2R, n, h, BACKWARD, 1.0 / n), np.fft.irfft(h, n), single, n)


@pytest.mark.parametrize("module", list(INSTALLED))
@pytest.mark.parametrize("single", [False, True])
def test_installed_table_interleaved_arrays(module: str, single: bool) -> None:
    """Arrays closer together than their elements (the columns of a C array,
    a transform along axis 0), which the SIMD tables run a vector of at a
    time up to FFT_INTERLEAVED_MAX points: powers of two on both sides of
    the batch limits, a batch that does not fill the last vector, the
    reversed order, and in place."""
    table = _table(module)
    ct = np.complex64 if single else np.complex128
    for n, cols in [(256, 19), (1024, 8), (4096, 3), (8192, 17), (16384, 9), (32768, 5)]:
        rng = _rng(n + cols)
        a = (rng.standard_normal((n, cols)) + 1j * rng.standard_normal((n, cols))).astype(ct)
        x = a.T  # rows of the transform: stride cols, one element apart
        out = np.zeros((n, cols), ct).T
        _transform(table, C2C, n, x, out=out)
        _close(out, np.fft.fft(x), single, n)
        rev = a[:, ::-1].T  # negative distance between the arrays
        _close(_transform(table, C2C, n, rev), np.fft.fft(rev), single, n)
        if module in MODULES:  # hostlib's own: a batch and its arrays one by one give the same bits, so
            # the pool's split of a batch (down to one array per thread) never changes a value
            alone = np.concatenate([_transform(table, C2C, n, x[i:i + 1]) for i in range(cols)])
            np.testing.assert_array_equal(alone, out)
        want = np.fft.ifft(x) * n
        _transform(table, C2C, n, x, BACKWARD, 1.0, out=x)  # in place
        _close(x, want, single, n)


@pytest.mark.parametrize("module", list(INSTALLED))
def test_installed_table_strides_and_in_place(module: str) -> None:
    table = _table(module)
    for n in [5, 16, 30, 128, 1000, 1009]:
        rng = _rng(n + 1)
        base = rng.standard_normal((14, 3 * n)) + 1j * rng.standard_normal((14, 3 * n))
        x = base[::-2, ::3][:, :n]  # negative batch distance, stride 3
        out = np.zeros((7, 2 * n), complex)[:, ::-2]  # negative output stride
        _transform(table, C2C, n, x, out=out)
        _close(out, np.fft.fft(x), False, n)
        y = np.ascontiguousarray(x)
        want = np.fft.ifft(y) * n * 0.5
        _transform(table, C2C, n, y, BACKWARD, 0.5, out=y)  # in place
        _close(y, want, False, n)
        r = rng.standard_normal((5, 2 * n))[:, ::-2]
        _close(_transform(table, R2C, n, r), np.fft.rfft(r), False, n)
        # in place r2c in the padded layout: n/2 + 1 complex per row
        buf = np.zeros((4, n // 2 + 1), complex)
        real = buf.view(np.float64)[:, :n]
        real[...] = rng.standard_normal((4, n))
        want = np.fft.rfft(real)
        _transform(table, R2C, n, real, out=buf)
        _close(buf, want, False, n)
