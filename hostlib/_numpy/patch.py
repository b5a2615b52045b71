"""numpy's own ufuncs and numpy.fft served by hostlib, reversibly:
:func:`patch_numpy`, :func:`restore_numpy`, :func:`is_numpy_patched`,
:func:`patched_numpy`, and ``python -m hostlib run`` (:func:`main`).

numpy.fft is the family ``"fft"``: the complex64/complex128 loops of the
gufuncs numpy.fft's functions call (``numpy.fft._pocketfft_umath``: fft,
ifft, rfft_n_even, rfft_n_odd, irfft) are swapped the same way, for loops
that plan and execute with hostlib's active fft backend
(``hostlib.fft._transforms``); long double keeps numpy's.

numpy.linalg is the family ``"linalg"``: every loop of the gufuncs
numpy.linalg's functions call (``numpy.linalg._umath_linalg``: det, inv,
solve, cholesky_lo, eigh_lo, svd_f, qr_r_raw, lstsq, ...) is swapped for
hostlib's (``hostlib.linalg._loops``), which calls the active lapack
backend and hands a call to the numpy loop it replaced wherever that
backend's entry answers "unavailable"; numpy.linalg keeps its checks, its
singular-matrix NaN and its LinAlgError.

The float32 and float64 inner loops of the ufuncs the kernels spec maps
entries to (``numpy.exp``, ``log``, ..., ``power``, ``hypot``) are swapped for hostlib's through numpy's public C-API
(``hostlib._numpy._loops``); every other loop of those ufuncs (float16,
long double, complex, object) stays numpy's. numpy still does everything
around the inner loop -- type resolution, casting, broadcasting, ``out=``,
``where=``, buffering of misaligned or byte-swapped data, copies for
overlapping operands, floating-point error reporting under
``numpy.errstate`` -- so the ufuncs keep numpy's semantics; only the values
come from hostlib's active backend (within the accuracy hostlib states,
which differs from numpy's own loops by rounding).

State is process-wide, like numpy's ufuncs themselves. Importing this
module does not start hostlib's host; patching does.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import warnings
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

from .._host import spec as _spec

#: the C half; imported (which starts the host) by the first patch only
_LOOPS_MODULE = "hostlib._numpy._loops"
#: the C half of the fft family (starts the fft interface's host)
_FFT_MODULE = "hostlib.fft._transforms"
#: the C half of the linalg family (starts the lapack interface's host)
_LINALG_MODULE = "hostlib.linalg._loops"

#: numpy ufunc -> the dtypes of its loops hostlib can serve (from the spec)
LOOPS = {u: tuple(dts) for u, dts in _spec.ufunc_loops().items()}
#: the numpy ufuncs hostlib can serve
UFUNCS = tuple(LOOPS)
#: the families of loops patch_numpy() can swap as one (numpy.fft's
#: transforms, numpy.linalg's gufuncs); each one's loops, "<gufunc> <types>",
#: are the list its C half serves (its NUMPY_LOOPS), read when it is imported
FAMILIES = ("fft", "linalg")
#: family -> the C half that swaps its loops
_FAMILY_MODULES = {"fft": _FFT_MODULE, "linalg": _LINALG_MODULE}
#: family -> the oldest numpy it can patch: numpy.fft's transforms are
#: gufuncs from 2.0; hostlib.linalg's loops use numpy 2.1's C API (its svd
#: and lstsq gufuncs' core dimensions, and 2.0 names those gufuncs otherwise)
_FAMILY_NUMPY = {"fft": (2, 0), "linalg": (2, 1)}


def family_unavailable(name: str) -> str | None:
    """Why this numpy cannot have a family patched (None: it can). Reads
    numpy's version from its metadata: the report calls this where numpy
    itself may not import."""
    from importlib import metadata

    need = _FAMILY_NUMPY.get(name)
    if need is None:
        return None
    try:
        version = metadata.version("numpy")
    except metadata.PackageNotFoundError:
        return "numpy is not installed"
    have = tuple(int(re.match(r"\d*", part).group() or 0) for part in version.split(".")[:2])
    if have < need:
        return f"numpy.{name}'s loops need numpy >= {'.'.join(map(str, need))} (this is {version})"
    return None
#: everything patch_numpy() can be asked to serve: ufuncs, then families
NAMES = UFUNCS + tuple(FAMILIES)

# Serialises patch/restore (the swaps themselves hold the GIL; this matters
# on free-threaded builds, and keeps _patched consistent).
_lock = threading.RLock()
# loops put in by patch_numpy()/patched_numpy() and not taken out since
_patched: set[tuple[str, str]] = set()


def _loops() -> Any:
    from . import _loops  # binds to hostlib's table: starts the host

    return _loops


class _FamilyLoops:
    """A family's loops behind _loops()'s install/uninstall/owner, keyed by
    "<gufunc> <types>"."""

    def __init__(self, module: Any) -> None:
        self.module = module

    def install(self, name: str, key: str) -> bool:
        return bool(self.module.loop_install(*key.split()))

    def uninstall(self, name: str, key: str) -> bool:
        return bool(self.module.loop_uninstall(*key.split()))

    def owner(self, name: str, key: str) -> str:
        return str(self.module.loop_owner(*key.split()))


def _keys(name: str) -> tuple[str, ...]:
    """What patching `name` swaps: a ufunc's dtypes (from the spec), or a
    family's loops as its C half lists them (importing it starts its host)."""
    if name in FAMILIES:
        import importlib

        module = importlib.import_module(_FAMILY_MODULES[name])
        return tuple(f"{gufunc} {types}" for gufunc, types in module.NUMPY_LOOPS)
    return LOOPS[name]


def _loops_of(name: str) -> Any:
    """What swaps the loops of a ufunc or a family (starting its host)."""
    if name in FAMILIES:
        import importlib

        return _FamilyLoops(importlib.import_module(_FAMILY_MODULES[name]))
    return _loops()


def _module_of(name: str) -> str:
    """The C half whose import patching `name` needs (and starts a host)."""
    return _FAMILY_MODULES.get(name, _LOOPS_MODULE)


def _names(ufuncs: str | Iterable[Any] | None) -> tuple[str, ...]:
    """Ufunc names from None (all), a name, or names / numpy ufuncs."""
    if ufuncs is None:  # all that this numpy has
        return tuple(n for n in NAMES if n not in FAMILIES or family_unavailable(n) is None)
    if isinstance(ufuncs, str):
        items = ufuncs.replace(",", " ").split()
    elif type(ufuncs).__name__ == "ufunc":  # one numpy ufunc: patch_numpy(np.exp)
        items = [ufuncs]
    else:
        items = list(ufuncs)
    if not items:
        raise ValueError(f"no ufunc named in {ufuncs!r}; None (the default) means all of {', '.join(UFUNCS)}")
    names = []
    for u in items:
        name = u if isinstance(u, str) else getattr(u, "__name__", None)
        if name not in NAMES or not (isinstance(u, str) or u is _numpy_ufunc(name)):
            raise ValueError(f"hostlib cannot serve {u!r}; it serves numpy's {', '.join(UFUNCS)} "
                             f"and the famil{'ies' if len(FAMILIES) > 1 else 'y'} {', '.join(FAMILIES)}")
        why = family_unavailable(name) if name in FAMILIES else None
        if why:
            raise ValueError(f"hostlib cannot patch {name}: {why}")
        if name not in names:
            names.append(name)
    return tuple(names)


def _numpy_ufunc(name: str) -> Any:
    import numpy

    return getattr(numpy, name)


def patch_numpy(ufuncs: str | Iterable[Any] | None = None) -> None:
    """Make numpy's own ufuncs and numpy.fft compute with hostlib's kernels.

    Replaces the float32 and float64 inner loops of every ufunc in
    :data:`UFUNCS` (the spec's: ``numpy.exp``, ``log``, ..., ``hypot``) and
    of numpy.fft's gufuncs (the family ``"fft"``) and numpy.linalg's (the
    family ``"linalg"``); or only of `ufuncs`:
    names such as ``"sin,cos"``, ``"fft"``, ``"linalg"`` or ``["sin", "cos"]``, or the
    numpy ufuncs themselves)
    with loops that call hostlib's active table, through numpy's public
    C-API (``PyUFunc_ReplaceLoopBySignature``). The loops they replace are
    kept, and :func:`restore_numpy` puts them back exactly.

    Unchanged code that calls ``np.sin(x)`` -- yours, or a library's -- then
    runs the backend ``hostlib.active()`` names for ``ssin``/``dsin``, and
    :func:`hostlib.use` / :func:`hostlib.using` switch it without patching
    again. numpy keeps doing everything around the inner loop (casting,
    broadcasting, ``out=``, ``where=``, misaligned and overlapping data,
    error flags under ``numpy.errstate``), so the semantics stay numpy's;
    the values are hostlib's (see its stated accuracy), which may differ
    from numpy's own loops in the last bit. Other dtypes (float16, complex,
    long double, object) keep numpy's loops.

    Idempotent, process-wide and safe to call while other threads call
    numpy: a ufunc call already running finishes with the loop it started
    with. A call that numpy splits into chunks (buffered casting, several
    dimensions) may see a backend switch between two chunks.

    Raises ValueError for a ufunc hostlib does not serve.

    See Also
    --------
    restore_numpy, patched_numpy, is_numpy_patched
    """
    names = _names(ufuncs)
    with _lock:
        for name in names:
            loops = _loops_of(name)
            for dt in _keys(name):
                # only what this install put in: a loop that is hostlib's
                # already is in _patched from the patch that put it there,
                # or is served through another one (numpy.fft's fft and
                # ifft share one array of loop functions, so installing
                # fft's installs ifft's too; restoring fft's restores both)
                if loops.install(name, dt):
                    _patched.add((name, dt))


def _uninstall(pairs: Iterable[tuple[str, str]]) -> None:
    """Put back the loops hostlib's replaced; leave (and warn about) any
    that another library has replaced since hostlib patched them."""
    left = []
    for name, dt in pairs:
        if not _loops_of(name).uninstall(name, dt) and (name, dt) in _patched:
            left.append(f"{name} ({dt})")
        _patched.discard((name, dt))
    if left:
        warnings.warn(
            "numpy's " + ", ".join(left) + " loop was replaced by another library after hostlib "
            "patched it; left as it is (restore that library's patch first, e.g. "
            "mkl_umath.restore_numpy_umath(), then hostlib's)",
            RuntimeWarning,
            stacklevel=3,
        )


def restore_numpy(ufuncs: str | Iterable[Any] | None = None) -> None:
    """Put back the loops :func:`patch_numpy` replaced (all, or those of
    `ufuncs`), exactly as they were.

    A loop that is not hostlib's at that moment is left alone: one that
    hostlib never patched, or one that another library (e.g.
    ``mkl_umath.patch_numpy_umath()``) has replaced since hostlib patched
    it, which gives a RuntimeWarning. Patches nest like a stack: undo the
    last one first. Does nothing if numpy was never patched.
    """
    names = _names(ufuncs)
    with _lock:
        # a family or the ufuncs never patched in this process: nothing to undo
        names = tuple(n for n in names if _module_of(n) in sys.modules)
        _uninstall((name, dt) for name in names for dt in _keys(name))


def is_numpy_patched() -> bool:
    """Whether numpy runs hostlib's loop for any of the loops
    :func:`patch_numpy` can swap, right now."""
    return any(owner == "hostlib" for loops in status()["loops"].values() for owner in loops.values())


@contextmanager
def patched_numpy(ufuncs: str | Iterable[Any] | None = None) -> Iterator[None]:
    """:func:`patch_numpy` for a block or a function; on exit, restores
    the loops it patched (not those that were patched already), also when
    the block raises::

        with hostlib.patched_numpy():
            y = np.sin(x)              # hostlib's kernel

        @hostlib.patched_numpy("sin,cos")
        def simulate(...): ...

    Process-wide, like :func:`patch_numpy`: other threads see the patch
    while the block runs.
    """
    names = _names(ufuncs)
    with _lock:
        mine = [(name, dt) for name in names for dt in _keys(name) if _loops_of(name).install(name, dt)]
        _patched.update(mine)
    try:
        yield
    finally:
        with _lock:
            _uninstall(mine)


def status() -> dict[str, Any]:
    """For the report: per ufunc and dtype, whose loop numpy runs now --
    ``'hostlib'``; ``'numpy'``, the loop that was in place when hostlib
    first patched (numpy's own, unless another library such as mkl_umath
    had patched before); or ``'other'``, a loop another library put in
    since. Does not start the host: before the first patch every loop
    counts as ``'numpy'``, and a family whose C half is not imported yet
    lists no loops (it has patched none)."""
    loops = {}
    for name in NAMES:
        if name in FAMILIES and family_unavailable(name):
            continue
        if _module_of(name) in sys.modules:
            swapper = _loops_of(name)
            loops[name] = {dt: swapper.owner(name, dt) for dt in _keys(name)}
        elif name in FAMILIES:
            loops[name] = {}
        else:
            loops[name] = {dt: "numpy" for dt in LOOPS[name]}
    patched = [name for name, d in loops.items() if "hostlib" in d.values()]
    return {"patched": bool(patched), "ufuncs": [n for n in patched if n in UFUNCS],
            "families": [n for n in patched if n in FAMILIES], "loops": loops}


# ---------------------------------------------------------------------------
# python -m hostlib run
# ---------------------------------------------------------------------------

USAGE = """\
usage: python -m hostlib run [--ufuncs NAMES] (script.py | -m module) [args ...]

Run a Python script (or a module, like python -m) with numpy's own {ufuncs_text}
computed by hostlib's kernels (hostlib.patch_numpy()), so
unchanged programs run them on the fastest backend hostlib selects.
Everything after the script or module name is passed to it in sys.argv.

options:
  --ufuncs NAMES  comma-separated subset of: {ufuncs} (default: all)
  -m module       run a library module as a script, like python -m
  -h, --help      show this help

HOSTLIB_BACKEND and the other HOSTLIB_* variables select backends as usual;
`python -m hostlib` shows which backend serves each kernel.
""".format(ufuncs=",".join(NAMES), ufuncs_text=", ".join(UFUNCS) + ", numpy.fft (fft) and numpy.linalg (linalg)")


class _UsageError(Exception):
    pass


def _parse_run(argv: list[str]) -> tuple[str | None, str | None, str | None, list[str]] | None:
    """``(ufuncs, module, script, args)`` from ``run``'s command line; None
    for --help. Options end at the script, ``-m module`` or ``--``."""
    ufuncs = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-h", "--help"):
            return None
        if arg.startswith("--ufuncs="):
            ufuncs = arg.split("=", 1)[1]
            i += 1
        elif arg in ("--ufuncs", "-m", "--"):
            if i + 1 >= len(argv):
                raise _UsageError(f"{arg} needs a " + ("script" if arg == "--" else "value"))
            value = argv[i + 1]
            if arg != "--ufuncs":
                module = value if arg == "-m" else None
                return ufuncs, module, None if module else value, argv[i + 2:]
            ufuncs = value
            i += 2
        elif arg.startswith("-"):
            raise _UsageError(f"unknown option {arg}")
        else:
            return ufuncs, None, arg, argv[i + 1:]
    raise _UsageError("no script or module given")


def main(argv: list[str]) -> int:
    """``python -m hostlib run``: run a script or module with numpy patched."""
    try:
        parsed = _parse_run(argv)
        if parsed is None:
            print(USAGE, end="")
            return 0
        ufuncs, module, script, rest = parsed
        names = _names(ufuncs)
    except (_UsageError, ValueError) as exc:
        return _usage_error(str(exc))
    if script is not None and not os.path.exists(script):
        print(f"python -m hostlib run: can't open file {script!r}: no such file", file=sys.stderr)
        return 2

    import runpy

    # what `python script.py` / `python -m module` would set
    if module is not None:
        sys.argv = [module, *rest]
        sys.path[0] = os.getcwd()
    else:
        assert script is not None
        sys.argv = [script, *rest]
        sys.path[0] = os.path.dirname(os.path.abspath(script))
    with patched_numpy(names):
        if module is not None:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(script, run_name="__main__")
    return 0


def _usage_error(message: str) -> int:
    print(USAGE.split("\n\n")[0], file=sys.stderr)
    print(f"python -m hostlib run: error: {message}", file=sys.stderr)
    return 2
