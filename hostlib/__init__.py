"""hostlib: the fastest kernels your CPU supports, selected at run time.

hostlib keeps a table of kernel function pointers (level-1 BLAS, elementwise
math, gemm; float32 and float64). Kernel modules -- the bundled ``sse2`` and
``avx2`` ones and any installed through the ``hostlib.kernels`` entry point
group -- each fill some entries; hostlib picks, entry by entry, the best one
the CPU can run and falls back to a complete portable C table.

Query and switch::

    >>> import hostlib
    >>> hostlib.show_runtime()          # or: python -m hostlib
    >>> hostlib.active()["ddot"]
    'avx2'
    >>> with hostlib.using("sse2"):
    ...     hostlib.dot(x, y)

Environment variables, read at import:

``HOSTLIB_BACKEND``
    ``auto`` (default) or a comma-separated list of backends to prefer, in
    order; entries none of them provides come from the portable table.
``HOSTLIB_DISABLE_FEATURES``
    CPU features to treat as absent, e.g. ``AVX2,FMA3`` (commas or spaces,
    any case). Masking a feature masks every feature that implies it.
``HOSTLIB_PROFILE``
    The profile file :func:`tune` writes and automatic selection reads
    (default: one per CPU kind in ``$XDG_CACHE_HOME/hostlib``).
``HOSTLIB_TUNE``
    ``on`` (default): automatic selection serves the measured winner where
    the profile holds; ``off``: declared priorities only.

C and Cython code calls the same table through ``hostlib_stubs.h`` /
``hostlib_stubs.pxd`` (see :func:`get_include`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator, Sequence

if TYPE_CHECKING:
    from ._tune import TuneResult

try:
    from . import _core, _spec  # noqa: F401  (built and generated at build time)
except ImportError as _exc:
    if os.path.exists(os.path.join(os.path.dirname(__file__), "meson.build")):
        raise ImportError(
            "hostlib is being imported from its source tree, which has no compiled "
            "parts. Install it (pip install .) and run Python from another directory, "
            "or use the `hostlib` command."
        ) from _exc
    raise

from . import _cpu, _host  # noqa: E402
from ._host import AUTO, PORTABLE, Backend, BackendError
from ._profile import ProfileWarning

__version__ = "0.1.0"

__all__ = [
    "BackendError",
    "Backend",
    "ProfileWarning",
    "tune",
    "cpu_features",
    "backends",
    "active",
    "use",
    "using",
    "show_runtime",
    "runtime_info",
    "get_include",
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
    "axpy",
    "dot",
    "scal",
    "asum",
    "nrm2",
    "sum",
    "gemm",
]


def _start() -> _host.Host:
    try:
        cpu = _cpu.cpu_info()
    except ValueError as exc:
        raise BackendError(str(exc)) from None
    host = _host.Host(_host.Interface.from_spec("kernels"), "hostlib._portable", cpu)
    host.use(os.environ.get("HOSTLIB_BACKEND"), source="HOSTLIB_BACKEND")
    return host


_kernels_host = _start()

#: The re-exported capsule: downstream C/Cython reaches the active table
#: through it (``import_hostlib()``). Set before ``_kernels`` is imported,
#: which uses the same path.
_C_API = _kernels_host.api_capsule

from ._kernels import asum, axpy, cos, dot, exp, gemm, log, nrm2, scal, sin, sqrt  # noqa: E402
from ._kernels import sum  # noqa: E402,A004  (like numpy.sum)


def cpu_features() -> dict[str, bool]:
    """Every CPU feature hostlib knows, and whether it may be used.

    A feature is usable when the CPU has it, the OS enabled its register
    state, and ``HOSTLIB_DISABLE_FEATURES`` does not mask it. Spelling
    follows numpy's ``__cpu_features__``.
    """
    cpu = _kernels_host.cpu
    return {name: name in cpu.available for name in _cpu.FEATURE_NAMES}


def backends() -> list[Backend]:
    """Every discovered backend, usable or not, with the reason if not.

    Sorted best first: usable ones in selection order, then the others.
    """
    order = _kernels_host.auto_order()
    rest = sorted((b for b in _kernels_host.backends.values() if not b.usable), key=lambda b: b.name)
    return order + rest


def active() -> dict[str, str]:
    """Which backend serves each entry of the table right now."""
    return dict(_kernels_host.serving)


def use(*names: str | None) -> None:
    """Select backends for the whole process.

    ``use("avx2")`` makes ``avx2`` serve every entry it provides and the
    portable table the rest; ``use("openblas", "avx2")`` prefers them in
    that order; ``use()`` or ``use("auto")`` returns to automatic selection
    by priority and CPU features. Raises :class:`BackendError` (a
    ``ValueError``) naming the valid choices if a name is unknown or its
    backend cannot run here. The switch is atomic for concurrent callers.
    """
    _kernels_host.use(_preference(names), source="use()")


@contextmanager
def using(*names: str | None) -> Iterator[None]:
    """Context manager form of :func:`use`; restores the previous selection
    on exit, also when the block raises. The selection is process-wide, not
    per thread."""
    with _kernels_host.using(_preference(names)):
        yield


def _preference(names: Sequence[str | None]) -> Sequence[str] | None:
    if not names or names == (None,):
        return None
    if None in names:
        raise TypeError("use(None) must be called with None alone")
    return names  # type: ignore[return-value]


def tune(
    *,
    quick: bool = False,
    entries: Sequence[str] | None = None,
    save: bool = True,
    path: str | None = None,
    progress: bool = False,
) -> "TuneResult":
    """Choose each entry's backend by measurement (what ``hostlib tune`` runs).

    Every usable backend that provides an entry is first verified against
    the portable table on a fixed input set (random and special values,
    tails, strides; the bounds are in ``hostlib._tune.BOUNDS``): one that
    disagrees is excluded for that entry however fast it is. The others are
    timed at representative sizes, and the fastest serves the entry from
    then on, in this process and in every later one on this machine (the
    profile is saved to ``path``, default ``HOSTLIB_PROFILE`` or the user's
    cache). ``quick`` measures one size with fewer samples; ``entries``
    limits the run to some entries (the profile keeps the others).
    ``use()``/``HOSTLIB_BACKEND`` still override the profile. While it runs
    the process-wide selection switches between backends.
    """
    from ._tune import tune as _run

    return _run(_kernels_host, quick=quick, entries=entries, save=save, path=path, progress=progress)


def get_include() -> str:
    """Directory of ``hostlib_stubs.h`` and ``hostlib_stubs.pxd``.

    Add it to the C include path and to Cython's include path (``-I``) of an
    extension that calls hostlib kernels.
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def runtime_info() -> dict:
    """The runtime report as a JSON-serialisable dict."""
    from ._report import runtime_info as _info

    return _info(_kernels_host)


def show_runtime(file=None) -> None:
    """Print CPU features, every backend and its state, and the provider of
    each entry (what ``python -m hostlib`` prints)."""
    from ._report import format_report

    print(format_report(_kernels_host), file=file)
