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

Environment variables, read when a host starts (see below):

``HOSTLIB_BACKEND``
    ``auto`` (default) or a comma-separated list of backends to prefer, in
    order; entries none of them provides come from the portable table.
``HOSTLIB_DISABLE_FEATURES``
    CPU features to treat as absent, e.g. ``AVX2,FMA3`` (commas or spaces,
    any case). Masking a feature masks every feature that implies it.
``HOSTLIB_PROFILE``
    The profile file :func:`tune` writes and automatic selection reads
    (default: one per CPU kind, Python environment and feature set, in
    ``$XDG_CACHE_HOME/hostlib``).
``HOSTLIB_TUNE``
    ``on`` (default): automatic selection serves the measured winner where
    the profile holds; ``off``: declared priorities only.
``HOSTLIB_NUM_THREADS``
    Threads of hostlib's pool (default: ``OMP_NUM_THREADS`` if set, else
    the CPUs this process may run on); see :func:`set_num_threads`.
``HOSTLIB_REPRODUCIBLE``
    ``1``: reductions bit-identical on every backend; see
    :func:`set_reproducible`.

They are read when the host starts: on first use (a kernel call,
``active()``, the report, a C consumer's ``import_hostlib()``), not at
``import hostlib``, which starts nothing.

numpy's own elementwise math ufuncs (``np.exp``, ``np.log``, ..., ``np.power``,
``np.hypot``: the kernels spec's list) can run on the same table: :func:`patch_numpy` / :func:`restore_numpy`, the
:func:`patched_numpy` context manager, or ``python -m hostlib run script.py``.

C and Cython code calls the same table through ``hostlib_stubs.h`` /
``hostlib_stubs.pxd`` (see :func:`get_include`). Other libraries define
tables of their own (``python -m hostlib.generate``) that this host serves
too: pass ``interface="name"`` to the functions below.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (its import costs ~3 ms)
if TYPE_CHECKING:
    from typing import Any, Sequence

    from ._host.host import Backend, BackendError
    from ._host.profile import ProfileWarning
    from ._host.registry import InterfaceError
    from ._measure.tune import TuneResult

try:
    from . import _version  # generated at build time
except ImportError as _exc:
    if os.path.exists(os.path.join(os.path.dirname(__file__), "meson.build")):
        raise ImportError(
            "hostlib is being imported from its source tree, which has no compiled "
            "parts. Install it (pip install .) and run Python from another directory, "
            "or use the `hostlib` command."
        ) from _exc
    raise

__version__ = _version.version

# `import hostlib` imports nothing else (it must stay cheap next to `import
# numpy`): every name below is looked up in its module on first access.
_LAZY = {
    "Backend": "._host.host",
    "BackendError": "._host.host",
    "ProfileWarning": "._host.profile",
    "InterfaceError": "._host.registry",
    "patch_numpy": "._numpy.patch",
    "restore_numpy": "._numpy.patch",
    "is_numpy_patched": "._numpy.patch",
    "patched_numpy": "._numpy.patch",
}
#: the subpackages, one concern each (reachable as attributes, as after an import)
_SUBPACKAGES = ("_host", "_pool", "_numpy", "_measure", "fft", "linalg")

if "threadpoolctl" in sys.modules:  # cheap only then: see _pool.control
    from ._pool import control as _t

    _t.register_threadpoolctl(import_it=False)
    del _t

_PUBLIC = [
    "BackendError",
    "InterfaceError",
    "Backend",
    "ProfileWarning",
    "interfaces",
    "cpu_features",
    "backends",
    "active",
    "use",
    "using",
    "tune",
    "show_runtime",
    "runtime_info",
    "get_include",
    "patch_numpy",
    "restore_numpy",
    "is_numpy_patched",
    "patched_numpy",
    "set_num_threads",
    "get_num_threads",
    "set_reproducible",
    "is_reproducible",
]


def _kernel_functions() -> tuple[str, ...]:
    """The numpy-facing functions (hostlib._numpy._wrappers), one per
    function of the kernels spec: imported on first access, since
    importing them binds them to the kernels table, which starts the host."""
    from ._host import spec

    return spec.functions()


def __getattr__(name: str) -> Any:
    """Import or start what is asked for, on first access: the classes and
    functions above, the kernel functions, the re-export capsules C
    consumers import (``_C_API``, ``_C_API_<iface>``)."""
    import importlib

    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value  # later accesses skip this function
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module("." + name, __name__)
    if name == "__all__":
        return _PUBLIC + list(_kernel_functions())
    if name == "_C_API":
        return _registry().host("kernels").api_capsule
    if name.startswith("_C_API_"):
        registry = _registry()
        try:
            return registry.host(name[len("_C_API_"):]).api_capsule
        except registry.InterfaceError as exc:
            # what PyCapsule_Import turns into the consumer's ImportError
            raise AttributeError(f"module 'hostlib' has no {name}: {exc}") from None
    if name == "_kernels_host":
        return _registry().host("kernels")
    if not name.startswith("__") and name in _kernel_functions():
        from ._numpy import _wrappers

        found = {n: getattr(_wrappers, n) for n in _kernel_functions()}
        globals().update(found)
        return found[name]
    raise AttributeError(f"module 'hostlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__getattr__("__all__")))


def _registry() -> Any:
    from ._host import registry

    return registry


def interfaces() -> list[str]:
    """The interfaces this host can serve: ``kernels`` (hostlib's own) and
    every one another library registered, usable or not (the report says
    why not)."""
    return _registry().names()


def cpu_features() -> dict[str, bool]:
    """Every CPU feature hostlib knows, and whether it may be used.

    A feature is usable when the CPU has it, the OS enabled its register
    state, and ``HOSTLIB_DISABLE_FEATURES`` does not mask it. Spelling
    follows numpy's ``__cpu_features__``.
    """
    from ._host import cpu as _cpu

    info = _registry()._cpu_info()
    return {name: name in info.available for name in _cpu.FEATURE_NAMES}


def backends(interface: str = "kernels") -> list[Backend]:
    """Every discovered backend of an interface, usable or not, with the
    reason if not. Sorted best first: usable ones in selection order, then
    the others."""
    return _registry().host(interface).listing()


def active(interface: str = "kernels") -> dict[str, str]:
    """Which backend serves each entry of an interface's table right now."""
    return dict(_registry().host(interface).serving)


def use(*names: str | None, interface: str = "kernels") -> None:
    """Select backends for the whole process.

    ``use("avx2")`` makes ``avx2`` serve every entry it provides and the
    portable table the rest; ``use("openblas", "avx2")`` prefers them in
    that order; ``use()`` or ``use("auto")`` returns to automatic selection
    (measured where ``hostlib tune`` ran, declared priorities elsewhere).
    Raises :class:`BackendError` (a ``ValueError``) naming the valid choices
    if a name is unknown or its backend cannot run here. The switch is
    atomic for concurrent callers, and touches no other interface.
    """
    _registry().host(interface).use(_preference(names), source="use()")


class using:
    """Context manager and decorator form of :func:`use`; restores the
    previous selection on exit, also when the block raises. The selection
    is process-wide, not per thread.

    A function decorated with ``@hostlib.using("sse2")`` pickles by value
    (it holds only the names), so Dask and multiprocessing can ship it to
    workers, where it selects among the worker's own backends.
    """

    def __init__(self, *names: str | None, interface: str = "kernels") -> None:
        self.names, self.interface = names, interface
        self._active: list[Any] = []  # one per nested `with` of this object

    def __enter__(self) -> None:
        cm = _registry().host(self.interface).using(_preference(self.names))
        cm.__enter__()
        self._active.append(cm)

    def __exit__(self, *exc: Any) -> None:
        self._active.pop().__exit__(*exc)

    def __call__(self, func: Any) -> Any:
        import functools

        @functools.wraps(func)
        def selected(*args: Any, **kwargs: Any) -> Any:
            with using(*self.names, interface=self.interface):
                return func(*args, **kwargs)

        return selected

    def __reduce__(self) -> tuple[Any, ...]:
        return (_using_from, (self.names, self.interface))


def _using_from(names: tuple[str | None, ...], interface: str) -> using:
    return using(*names, interface=interface)


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
    interface: str = "kernels",
) -> "TuneResult":
    """Choose each entry's backend by measurement (what ``hostlib tune`` runs),
    for the entries of one interface (``kernels``, ``fft``, or another whose
    spec asks for it; ValueError for one that does not).

    Every usable backend that provides an entry is first verified against
    the portable table on a fixed input set (random and special values,
    tails, strides; the bounds are in ``hostlib._measure.tune.BOUNDS``): one that
    disagrees is excluded for that entry however fast it is. The others are
    timed at representative sizes, and the fastest serves the entry from
    then on, in this process and in every later one on this machine (the
    profile is saved to ``path``, default the interface's profile file:
    ``HOSTLIB_PROFILE`` or the user's cache for ``kernels``, the same with
    ``-<interface>`` before the extension for the others). ``quick``
    measures one size with fewer samples; ``entries``
    limits the run to some entries (the profile keeps the others).
    ``use()``/``HOSTLIB_BACKEND`` still override the profile. While it runs
    the process-wide selection switches between backends. The profile is
    merged under a lock with what concurrent runs saved; if it cannot be
    saved, the measurement still applies to this process, the result's
    ``save_error`` says why, and a :class:`ProfileWarning` is issued.
    """
    from ._measure.tune import tune as _run

    return _run(_registry().host(interface), quick=quick, entries=entries, save=save, path=path, progress=progress)


def set_num_threads(n: int) -> None:
    """Use at most ``n`` threads (the caller included) in hostlib's pool.

    The pool splits gemm over blocks of C, and elementwise and level-1
    calls above a size threshold, for every backend that does not thread
    itself (OpenBLAS keeps its own threads: ``kernels_openblas``). Results
    do not depend on ``n``. A call made while another call holds the pool,
    or from inside a pool thread, runs on its caller's thread alone, so
    calls from many threads never oversubscribe. ``threadpoolctl``'s
    ``threadpool_limits`` sets the same value. Does not start the host.
    """
    from ._pool import control

    control.set_num_threads(n)


def get_num_threads() -> int:
    """The pool's thread count: what :func:`set_num_threads` set, else
    ``HOSTLIB_NUM_THREADS``, else ``OMP_NUM_THREADS``, else the CPUs in
    this process's affinity mask. Raises ``ValueError`` if
    ``HOSTLIB_NUM_THREADS`` is malformed."""
    from ._pool import control

    return control.get_num_threads()


def set_reproducible(on: bool = True) -> None:
    """Reproducible mode: ``sum``, ``asum``, ``dot`` and ``nrm2`` (float32
    and float64, Python, C and Cython callers alike) give bit-identical
    results on every hostlib backend (portable, sse2, avx2, avx512) for the
    same input, whatever the thread count and the input's alignment (those
    two never change a result, in either mode). It runs one summation order
    every vector width reproduces, without FMA. A backend without
    reproducible kernels (OpenBLAS) does not serve those entries in this
    mode. Process-wide and atomic, like :func:`use`; also
    ``HOSTLIB_REPRODUCIBLE=1``."""
    _registry().host("kernels").set_reproducible(bool(on))


def is_reproducible() -> bool:
    """Whether reproducible mode is on (see :func:`set_reproducible`)."""
    return bool(_registry().host("kernels").reproducible)


def get_include() -> str:
    """Directory of ``hostlib_stubs.h`` and ``hostlib_stubs.pxd``.

    Add it to the C include path (``-I``) of an extension that calls hostlib
    kernels, and to Cython's for the flat ``cimport hostlib_stubs``; the
    package-style ``from hostlib.stubs cimport ...`` needs no Cython ``-I``.
    Starts nothing. ``hostlib-config`` and ``hostlib.pc`` give the same
    directory to builds (README: *Building against hostlib*).
    """
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")


def runtime_info() -> dict:
    """The runtime report as a JSON-serialisable dict: the kernels
    interface at the top level, every other interface under
    ``"interfaces"``."""
    from ._report import runtime_info as _info

    return _info()


def show_runtime(file=None) -> None:
    """Print CPU features, every backend and its state, and the provider of
    each entry (what ``python -m hostlib`` prints)."""
    from ._report import format_report

    print(format_report(), file=file)
