"""Intel MKL as a hostlib backend (metadata, where MKL is, MKL's controls).

hostlib reads NAME, FEATURES, PRIORITY and EXTENSION from this module before
it imports the compiled part, so importing this module stays cheap: nothing
here imports numpy or loads MKL at import time.

The compiled parts load MKL themselves when they are imported: they link
no MKL library, and ``dlopen`` the ``libmkl_rt`` that ``_library_path()``
names (the one the PyPI ``mkl`` distribution installed; README: "Why
dlopen"). Without it, ``missing_dependency()`` says why, and hostlib lists
the backend as "missing dependency" with that reason, without importing the
compiled parts (whose import would fail with the same reason); ``import
hostlib`` and every other backend are unaffected.

- ``kernels_mkl._mkl``: hostlib's ``kernels`` interface -- axpy, dot, scal,
  asum, nrm2 and gemm through cblas, the elementwise functions through MKL's
  vector math in high-accuracy mode;
- ``kernels_mkl._mkl_lapack``: all 44 entries of the ``lapack`` interface
  through MKL's ILP64 LAPACK (metadata: ``kernels_mkl.lapack``);
- ``kernels_mkl._mkl_fft``: the six planners of the ``fft`` interface,
  whose plans run MKL's DFTI (metadata: ``kernels_mkl.fft``).

FEATURES: the extensions are baseline code and MKL picks its own code path
for the CPU at run time (``details()["code path"]`` says which), so only its
floor is declared, SSE4.2. MKL runs on x86-64 only: elsewhere the backend is
unsupported.

Use it::

    import hostlib, kernels_mkl
    hostlib.use("mkl")                   # or HOSTLIB_BACKEND=mkl
    hostlib.use("mkl", interface="lapack")
    hostlib.use("mkl", interface="fft")
    kernels_mkl.set_num_threads(2)       # MKL's threads (hostlib.set_num_threads sets them too)
    kernels_mkl.details()                # version, code path, CNR, threads (what the report shows)
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator

NAME = "mkl"
#: baseline code; MKL dispatches on the CPU itself, above its floor: the
#: oldest x86-64 processors oneMKL supports have SSE4.2 (x86-64-v2, numpy
#: 2.x's own baseline). Declared so that HOSTLIB_DISABLE_FEATURES masking
#: below it removes MKL as it removes the other backends. Off x86-64 it is a
#: feature no such CPU has: the host reports it unsupported without
#: importing anything.
FEATURES: tuple[str, ...] = ("SSE42",)
#: below every hostlib table (portable excepted) and below OpenBLAS (5):
#: automatic selection uses MKL where nothing else has code, or where
#: `hostlib tune` measured it fastest on this machine
PRIORITY = 3
EXTENSION = "kernels_mkl._mkl"
#: MKL runs its own threads (OpenMP): hostlib's pool never splits its calls,
#: and gives it hostlib's thread budget through set_num_threads
THREADED = True

#: the environment variable naming a libmkl_rt file to load instead of the
#: `mkl` distribution's (a conda MKL, a system install)
ENV_LIBRARY = "KERNELS_MKL_LIBRARY"

__all__ = [
    "NAME",
    "FEATURES",
    "PRIORITY",
    "EXTENSION",
    "THREADED",
    "ENV_LIBRARY",
    "MKLNotFoundError",
    "missing_dependency",
    "get_num_threads",
    "set_num_threads",
    "num_threads",
    "version",
    "details",
]


class MKLNotFoundError(ImportError):
    """No usable libmkl_rt: the ``mkl`` distribution is not installed, or
    ``KERNELS_MKL_LIBRARY`` names no file."""


def _candidates_from_distribution() -> list[str]:
    """libmkl_rt files the installed ``mkl`` distribution lists (its RECORD),
    newest soname first."""
    import importlib.metadata as md

    try:
        dist = md.distribution("mkl")
    except md.PackageNotFoundError:
        return []
    found = []
    for f in dist.files or ():
        name = f.name
        if name.startswith("libmkl_rt.so") or name == "libmkl_rt.dylib" or name == "mkl_rt.2.dll":
            found.append(os.path.normpath(str(dist.locate_file(f))))
    return sorted(found, reverse=True)


def _library_path() -> str:
    """The libmkl_rt file the compiled parts load.

    In order: ``KERNELS_MKL_LIBRARY`` if set (it must name a file); the
    ``mkl`` distribution's own files (it installs them under
    ``sys.prefix/lib``, outside the package folders); ``libmkl_rt.so.*``
    in ``sys.prefix/lib``. Raises MKLNotFoundError with what was looked
    at."""
    env = os.environ.get(ENV_LIBRARY, "")
    if env:
        if os.path.isfile(env):
            return env
        raise MKLNotFoundError(f"{ENV_LIBRARY}={env!r} is not a file")
    for path in _candidates_from_distribution():
        if os.path.isfile(path):
            return path
    import glob

    libdir = os.path.join(sys.prefix, "lib")
    found = sorted(glob.glob(os.path.join(libdir, "libmkl_rt.so.*")), reverse=True)
    if found:
        return found[0]
    raise MKLNotFoundError(
        f"MKL is not installed: no `mkl` distribution and no libmkl_rt.so.* in {libdir} "
        f"(pip install mkl, or set {ENV_LIBRARY} to a libmkl_rt file)"
    )


def missing_dependency() -> str | None:
    """Why MKL cannot be loaded here (no `mkl` distribution, a
    KERNELS_MKL_LIBRARY naming no file), or None. hostlib asks before it
    imports the compiled parts, and reports the backend as "missing
    dependency" with this reason."""
    try:
        _library_path()
    except MKLNotFoundError as exc:
        return str(exc)
    return None


def _ext():
    from . import _mkl

    return _mkl


def get_num_threads() -> int:
    """The number of threads MKL uses for one call (``MKL_Get_Max_Threads``)."""
    return _ext().get_num_threads()


def set_num_threads(n: int) -> None:
    """Set the number of threads MKL uses (``n >= 1``), process-wide
    (``MKL_Set_Num_Threads``). hostlib calls it with its thread budget."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of threads must be an int, got {type(n).__name__} {n!r}")
    _ext().set_num_threads(n)


@contextmanager
def num_threads(n: int) -> Iterator[None]:
    """MKL uses ``n`` threads inside the block; the previous count is
    restored on exit. Process-wide, not per thread."""
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


#: MKL_CBWR branch codes (mkl_types.h)
_CBWR = {1: "off", 2: "AUTO", 3: "COMPATIBLE", 4: "SSE2", 8: "SSE4_2", 10: "AVX2", 12: "AVX512",
         14: "AVX512_E1", 15: "AVX10"}
_LAYERS = {0: "intel (libiomp5)", 1: "sequential", 3: "gnu (libgomp)", 4: "tbb"}


def version() -> dict:
    """MKL_Get_Version's fields: ``version`` (major, minor, update, patch),
    ``processor`` (the code path MKL selected on this CPU), ``build``,
    ``platform``, and the one-line ``text``."""
    return _ext().version()


def _code_path_libraries() -> list[str]:
    """The CPU-specific MKL libraries loaded so far (libmkl_avx512, _def,
    libmkl_vml_avx2, ...): MKL loads them on the first call that needs one."""
    try:
        with open("/proc/self/maps") as f:
            names = {os.path.basename(line.split()[-1]) for line in f if "libmkl_" in line}
    except OSError:
        return []
    skip = ("libmkl_rt", "libmkl_core", "libmkl_intel_", "libmkl_gf_", "libmkl_sequential", "libmkl_gnu_thread",
            "libmkl_tbb_thread")
    return sorted(n for n in names if not n.startswith(skip))


def details() -> dict[str, str]:
    """What hostlib's report shows about this backend (all values are str):
    MKL's version, the code path it selected on this CPU, whether
    conditional numerical reproducibility (CNR) is on, its threading layer
    and threads, the library file."""
    ext = _ext()
    v = ext.version()
    branch, everything = ext.cbwr()
    cnr = "off" if branch == 1 else f"on ({_CBWR.get(branch, branch)}{', STRICT' if everything & 0x10000 else ''})"
    out = {
        "version": v["text"] or ".".join(map(str, v["version"])),
        "code path": v["processor"],
        "CNR": cnr,
        "threading": _LAYERS.get(ext.threading_layer(), f"unknown ({os.environ.get('MKL_THREADING_LAYER', '')})"),
        "threads": str(ext.get_num_threads()),
        "library": os.path.realpath(ext.library_path()),
    }
    libs = _code_path_libraries()
    if libs:
        out["code path libraries"] = ", ".join(libs)
    return out
