"""OpenBLAS as a hostlib kernel backend (metadata, and OpenBLAS's controls).

hostlib reads NAME, FEATURES, PRIORITY and EXTENSION from this module before
it imports the compiled part, so importing this module stays cheap: nothing
here imports numpy, scipy_openblas32 or the extension at import time. The
functions below import the extension on first use.

The compiled part, ``kernels_openblas._openblas``, forwards hostlib's
``axpy, dot, scal, asum, nrm2, gemm`` (float32 and float64) to the OpenBLAS
of the ``scipy-openblas32`` package; the dynamic loader loads that library
(``libscipy_openblas``) when the extension is imported. ``sum`` and the
elementwise entries are left to hostlib's other backends. A second
extension, ``kernels_openblas._openblas_lapack``, serves hostlib's
``lapack`` interface from the LAPACK in the same library (metadata:
``kernels_openblas.lapack``, in the ``hostlib.lapack`` entry-point group).

FEATURES: the extension is compiled for the baseline instruction set, and
OpenBLAS (built with DYNAMIC_ARCH) picks its own kernels for the CPU at run
time -- ``corename()`` says which -- so no AVX2/AVX-512 requirement is
declared. The one requirement is OpenBLAS's oldest x86 target in the
scipy-openblas wheels, PRESCOTT: SSE3, which every x86-64 CPU since 2005 has
(a CPU it does not recognise gets the Prescott kernels, which use SSE3).
Elsewhere (ARM64, ...) nothing is required.

Use it::

    import hostlib, kernels_openblas
    hostlib.use("openblas")              # or HOSTLIB_BACKEND=openblas
    kernels_openblas.set_num_threads(2)  # OpenBLAS's thread pool
    with kernels_openblas.num_threads(1):
        hostlib.gemm(a, b)
    kernels_openblas.details()           # version, core, threads, library
                                         # (what `python -m hostlib` shows)

OpenBLAS also reads ``OPENBLAS_NUM_THREADS`` when it is loaded, and
``threadpoolctl`` sees and controls this library (its file prefix
``libscipy_openblas``).
"""

from __future__ import annotations

import platform
import sys
from contextlib import contextmanager
from typing import Iterator

NAME = "openblas"
#: baseline code; OpenBLAS does its own CPU dispatch above its x86 floor, SSE3
FEATURES: tuple[str, ...] = (
    ("SSE3",) if platform.machine().lower() in {"x86_64", "amd64", "i386", "i486", "i586", "i686", "x86"} else ()
)
#: below hostlib's own SIMD modules (sse2 10, avx2 20): per entry, they serve
#: what they provide and OpenBLAS the rest (gemm), before the portable table
PRIORITY = 5
EXTENSION = "kernels_openblas._openblas"
#: OpenBLAS runs its own thread pool: hostlib's pool must never split its
#: calls (that would multiply the two pools' threads)
THREADED = True

__all__ = [
    "NAME",
    "FEATURES",
    "PRIORITY",
    "EXTENSION",
    "config",
    "corename",
    "get_num_threads",
    "set_num_threads",
    "num_threads",
    "details",
]

if sys.platform == "win32":  # pragma: no cover - no RPATH on Windows
    # Let the loader find libscipy_openblas.dll next to scipy_openblas32,
    # without importing that package (its import loads the library itself).
    def _add_dll_directory() -> None:
        import importlib.util
        import os

        spec = importlib.util.find_spec("scipy_openblas32")
        if spec is not None and spec.submodule_search_locations:
            lib = os.path.join(list(spec.submodule_search_locations)[0], "lib")
            if os.path.isdir(lib):
                os.add_dll_directory(lib)

    _add_dll_directory()


def _ext():
    from . import _openblas

    return _openblas


def config() -> str:
    """OpenBLAS's version and build configuration (``openblas_get_config``)."""
    return _ext().config()


def corename() -> str:
    """The CPU core type OpenBLAS selected its kernels for (``openblas_get_corename``)."""
    return _ext().corename()


def get_num_threads() -> int:
    """The number of threads OpenBLAS uses for one call."""
    return _ext().get_num_threads()


def set_num_threads(n: int) -> None:
    """Set the number of threads OpenBLAS uses (``n >= 1``), process-wide.

    Affects every hostlib entry OpenBLAS serves, and any other user of this
    same library (not numpy's own bundled OpenBLAS, which is another copy).
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"the number of threads must be an int, got {type(n).__name__} {n!r}")
    _ext().set_num_threads(n)


@contextmanager
def num_threads(n: int) -> Iterator[None]:
    """Context manager: OpenBLAS uses ``n`` threads inside the block; the
    previous count is restored on exit, also when the block raises.
    Process-wide, not per thread."""
    previous = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(previous)


def details() -> dict[str, str]:
    """What hostlib's report shows about this backend (all values are str).

    hostlib calls it, when the backend is usable, at report time: the thread
    count may change while the process runs."""
    ext = _ext()
    out = {
        "config": ext.config(),
        "corename": ext.corename(),
        "threads": str(ext.get_num_threads()),
        "threading": ext.get_parallel(),
    }
    path = ext.library_path()
    if path:
        import os.path

        out["library"] = os.path.realpath(path)
    return out
