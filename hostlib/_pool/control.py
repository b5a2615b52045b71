"""The host's thread pool and reproducible mode, seen from Python.

The pool itself is C (``hostlib/_pool/pool.c``, exported by ``hostlib._pool._threads``);
this module reads the environment, holds the Python API and joins
threadpoolctl. Nothing here runs at ``import hostlib``: the variables are
read when the kernels host starts (or at the first get/set call), so a
malformed value is an error then, not at import.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any, Callable

ENV_THREADS = "HOSTLIB_NUM_THREADS"
ENV_REPRODUCIBLE = "HOSTLIB_REPRODUCIBLE"
ENV_SPIN = "HOSTLIB_POOL_SPIN_US"
#: the largest spin (pool.h HL_POOL_MAX_SPIN_NS), microseconds
MAX_SPIN_US = 100000

_lock = threading.Lock()
_configured = False  # the environment has been applied (or set_num_threads() overrode it)
_registered = False  # threadpoolctl knows our controller
#: called with the new thread count whenever it changes (the hosts, which
#: give it to their backends that thread themselves): one budget for all
_followers: list[Callable[[int], None]] = []


def _threads_module() -> Any:
    from . import _threads

    return _threads


#: the pool's largest thread count (pool.h HL_POOL_MAX_THREADS)
MAX_THREADS = 256


def parse_num_threads(value: str, source: str = ENV_THREADS) -> int:
    """A thread count from the environment: a whole number from 1 to
    MAX_THREADS in ASCII digits, or ``auto``/empty for the default (0).
    ValueError naming the variable and saying what is wrong."""
    text = value.strip()
    if text == "" or text.lower() == "auto":
        return 0
    # ASCII only: int() also reads other scripts' digits ("٤")
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_THREADS:
        raise ValueError(
            f"{source}={value!r}: expected a whole number of threads from 1 to {MAX_THREADS}, or 'auto' "
            "(the CPUs this process may run on)"
        )
    return int(text)


def parse_spin_us(value: str, source: str = ENV_SPIN) -> int | None:
    """How long the pool's idle workers watch for the next call before they
    sleep, in microseconds: a whole number from 0 to MAX_SPIN_US, or
    empty/``auto`` for the default (None). ValueError naming the variable."""
    text = value.strip()
    if text == "" or text.lower() == "auto":
        return None
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_SPIN_US:
        raise ValueError(
            f"{source}={value!r}: expected a whole number of microseconds from 0 to {MAX_SPIN_US}, or 'auto' (100)"
        )
    return int(text)


def _omp_num_threads() -> int:
    """OMP_NUM_THREADS's first value if it is a valid count, else 0. Like
    OpenBLAS and MKL, the pool follows it when HOSTLIB_NUM_THREADS is unset:
    Dask's nanny sets it to 1 in its workers, and so do many job scripts."""
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    return int(first) if first.isdigit() and int(first) >= 1 else 0


def configure() -> None:
    """Apply HOSTLIB_NUM_THREADS (else OMP_NUM_THREADS) once, unless
    set_num_threads() already decided, and HOSTLIB_POOL_SPIN_US. A malformed
    value raises ValueError every time this is called, so every start of
    the host reports it."""
    global _configured
    env = os.environ.get(ENV_THREADS)
    n = parse_num_threads(env) if env is not None else 0
    spin = parse_spin_us(os.environ.get(ENV_SPIN, ""))
    with _lock:
        if not _configured:
            _threads_module().set_num_threads(n or _omp_num_threads())
            _configured = True
        if spin is not None:
            _threads_module().set_spin_us(spin)
    register_threadpoolctl(import_it=True)


def get_num_threads() -> int:
    configure()
    return int(_threads_module().get_num_threads())


def follow_num_threads(follower: Callable[[int], None]) -> None:
    """Call ``follower(n)`` with the thread budget now, and again whenever
    :func:`set_num_threads` changes it."""
    n = get_num_threads()
    with _lock:
        _followers.append(follower)
    follower(n)


def _tell_followers(n: int) -> None:
    with _lock:
        followers = list(_followers)
    for follower in followers:
        follower(n)


def set_num_threads(n: int) -> None:
    global _configured
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads() takes an int, got {type(n).__name__} {n!r}")
    if not 1 <= n <= MAX_THREADS:
        raise ValueError(f"set_num_threads(): n must be from 1 to {MAX_THREADS} (the pool's largest), got {n}")
    with _lock:
        _threads_module().set_num_threads(n)
        _configured = True
    _tell_followers(n)
    register_threadpoolctl(import_it=False)


def parse_reproducible(value: str, source: str = ENV_REPRODUCIBLE) -> bool:
    from .._host.environment import parse_flag

    return parse_flag(source, value)


def reproducible_from_environment() -> bool:
    return parse_reproducible(os.environ.get(ENV_REPRODUCIBLE, ""))


# ------------------------------------------------------------ threadpoolctl

def register_threadpoolctl(import_it: bool) -> None:
    """Make threadpoolctl see the pool: register a controller for the
    ``_threads`` extension. With import_it, threadpoolctl is imported if it
    is installed (when the host starts); without, only if something else
    imported it already (``import hostlib`` stays cheap)."""
    global _registered
    if _registered:
        return
    tpc = sys.modules.get("threadpoolctl")
    if tpc is None and import_it:
        try:
            import threadpoolctl as tpc  # type: ignore[no-redef]
        except ImportError:
            return
    if tpc is None or not hasattr(tpc, "register") or not hasattr(tpc, "LibController"):
        return
    _threads_module()  # loaded, so threadpoolctl finds it among the shared objects
    with _lock:
        if not _registered:
            tpc.register(_controller_class(tpc))
            _registered = True


def _controller_class(tpc: Any) -> type:
    class HostlibController(tpc.LibController):  # type: ignore[name-defined, misc]
        """threadpoolctl's view of hostlib's pool. user_api 'blas': hostlib
        serves BLAS-like kernels (gemm, dot), and code that limits BLAS
        threads (``threadpool_limits(1, user_api="blas")``, as
        scikit-learn does) means hostlib's too."""

        user_api = "blas"
        internal_api = "hostlib"
        filename_prefixes = ("_threads.",)
        check_symbols = ("hostlib_threads_get_num_threads", "hostlib_threads_set_num_threads")

        def get_num_threads(self) -> int:
            return get_num_threads()

        def set_num_threads(self, num_threads: int) -> None:
            set_num_threads(max(1, int(num_threads)))

        def get_version(self) -> str:
            from .._version import version as __version__

            return __version__

        def set_additional_attributes(self) -> None:
            self.threading_layer = "pthreads"
            self.architecture = None

    return HostlibController
