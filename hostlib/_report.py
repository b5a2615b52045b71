"""The runtime report: what ``python -m hostlib`` and ``show_runtime()`` print."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from ._host import cpu as _cpu
from ._host import profile as _profile
from ._host import registry as _registry
from ._host.host import AUTO, PORTABLE, Host
from ._numpy import patch as _numpy_patch

from ._host.environment import NAMES as ENV_VARS


def threads_info(host: Host) -> dict[str, Any]:
    """The pool's state: its thread count, the workers started so far, the
    CPUs this process may use, the entries the pool splits, and whether
    reductions run in reproducible mode."""
    from ._pool import _threads
    from ._pool import control as _threading

    return {
        "num_threads": _threading.get_num_threads(),
        "started_workers": _threads.started(),
        "affinity_cpus": _threads.cpu_count(),
        "reduction_chunk_bytes": _threads.REDUCTION_CHUNK_BYTES,
        "split_entries": sorted(getattr(host, "split", ())),
        "reproducible": bool(host.reproducible),
    }


def _interface_info(host: Host) -> dict[str, Any]:
    """One interface's part of the report."""
    return {
        "interface": host.iface.name,
        "abi": host.iface.abi,
        "selection": AUTO if host.preference is None else list(host.preference),
        "backends": [b.to_dict() for b in host.listing()],
        "entries": dict(host.serving),
        "discovery_problems": list(host.discovery_problems),
        "profile": {"path": host.profile_path, "state": host.profile_state},
        "entries_detail": {e: host.choice(e) for e in host.serving},
    }


def runtime_info() -> dict[str, Any]:
    """The kernels interface at the top level (as before there were
    others), every other registered interface under "interfaces"."""
    from . import __version__, get_include

    import numpy

    kernels = _registry.host(_registry.BUILTIN)
    others: dict[str, Any] = {}
    for name in _registry.names()[1:]:
        try:
            others[name] = _interface_info(_registry.host(name))
        except _registry.InterfaceError as exc:
            others[name] = {"interface": name, "error": str(exc)}
    variables = list(ENV_VARS) + [_registry.backend_variable(n) for n in others]
    return {
        "hostlib": {
            "version": __version__,
            "interface": kernels.iface.name,
            "abi": kernels.iface.abi,
            "include": get_include(),
        },
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "numpy_patch": _numpy_patch.status(),
        "platform": platform.platform(),
        "cpu": {**kernels.cpu.to_dict(), "caches": _cpu.cache_info().to_dict()},
        "environment": {k: os.environ.get(k) for k in variables},
        "threads": threads_info(kernels),
        **{k: v for k, v in _interface_info(kernels).items() if k not in ("interface", "abi")},
        "interfaces": others,
    }


def _wrap(words: list[str], indent: int, width: int = 78) -> str:
    lines, line = [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width - indent:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    lines.append(line)
    return ("\n" + " " * indent).join(lines) if lines != [""] else "-"


def _entry_rows(host: Host) -> tuple[list[str], list[tuple[str, list[str | None]]]]:
    """The dtype columns, and rows of (function, [entry per column or None]):
    the variants of one function share a row (sdot/ddot: dot)."""
    info = {e.name: e for e in host.iface.info}
    columns = [d for d in ("float32", "float64", "complex64", "complex128")
               if any(info[n].dtype == d for n in host.serving if n in info)]
    rows: dict[str, list[str | None]] = {}
    for n in host.serving:
        e = info.get(n)
        if e is None or not e.dtype or not e.function:
            rows[n] = [n]
            continue
        row = rows.setdefault(e.function, [None] * len(columns))
        row[columns.index(e.dtype)] = n
    return columns, list(rows.items())


#: how each choice is marked in the entries table
_MARKS = {"measured": "m", "declared": "d", "forced": "", "only": ""}


def _entry_cell(choice: dict[str, Any], marked: bool = True) -> str:
    """'avx2  m 1.32x~': backend, how chosen, margin, ~ if size-dependent."""
    cell = f"{choice['backend']:<9}"
    mark = _MARKS[choice["choice"]] if marked else ""
    if mark:
        cell += f" {mark}"
    if choice.get("margin") is not None:
        cell += f" {choice['margin']:.2f}x"
    if choice.get("size_winners"):
        cell += "~"
    return cell


def _selection_notes(host: Host, details: dict[str, dict[str, Any]]) -> list[str]:
    """The legend of the marks, why entries are not measured, and the hint
    to run ``hostlib tune``."""
    kinds = {d["choice"] for d in details.values()}
    out = []
    if "measured" in kinds or "declared" in kinds:
        out.append("  m = measured (margin: how much slower the runner-up is), d = declared priority, "
                   "~ = the winner depends on the size")
    reasons: dict[str, list[str]] = {}
    for e, d in details.items():
        if d["choice"] == "declared":
            reasons.setdefault(d["reason"], []).append(e)
    if reasons and not host.measured and host.preference is None and host.profile_path:
        out.append(f"  {sum(map(len, reasons.values()))} entries have several usable backends "
                   "and no measurement: run `hostlib tune` to choose the fastest by measurement.")
    elif reasons:
        for why, es in reasons.items():
            out.append(f"  declared ({why}): {' '.join(es)}")
    for e, d in details.items():
        if d.get("classes"):
            out.append(f"  {e}: {_profile.describe_classes(d['classes'])} (size classes)")
        elif d.get("size_winners"):
            out.append(f"  {e}: " + ", ".join(f"{w} at n={n}" for n, w in d["size_winners"].items())
                       + f"; {d['backend']} serves all sizes (within {_profile.SWITCH_GAIN:.2f}x of each size's fastest)")
    return out


def _numpy_version() -> str:
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        return numpy.__version__
    from importlib import metadata

    try:
        return metadata.version("numpy")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _numpy_line() -> str:
    """Whether numpy's own ufuncs run hostlib's loops (patch_numpy()).
    Does not import numpy (the report must work where numpy cannot)."""
    st = _numpy_patch.status()
    version = _numpy_version()
    if st["patched"]:
        served = " ".join(st["ufuncs"]) + "".join(f" numpy.{f}" for f in st.get("families", ()))
        text = (f"{version}, patched: numpy's {served} run hostlib's loops (the kernels, fft and lapack "
                "entries; numpy.linalg's own loop computes what the lapack backend marks unavailable)")
    else:
        text = (f"{version}, not patched: numpy's ufuncs, numpy.fft and numpy.linalg run numpy's own loops "
                f"(hostlib.patch_numpy() or `python -m hostlib run` would serve {' '.join(_numpy_patch.UFUNCS)} "
                "from the kernels entries above, numpy.fft from the fft interface and numpy.linalg from the "
                "lapack one)")
    notes = []
    for name, loops in st["loops"].items():
        for dt, who in loops.items():
            if who == "other":
                notes.append(f"{name} {dt} runs another library's loop")
            elif who == "numpy" and (name in st["ufuncs"] or name in st.get("families", ())):
                notes.append(f"{name} {dt} runs numpy's")
    if notes:
        text += "; " + ", ".join(notes)
    return "numpy      " + _wrap(text.split(), 11)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else f"{n >> 10} KiB"


def _caches_text(c: _cpu.CacheInfo) -> str:
    """'L1d 32 KiB, L2 1 MiB, L3 32 MiB (shared by 2 CPUs); from cpuid 0x8000001D'."""
    parts = []
    for label, size, shared in (("L1d", c.l1d, None), ("L2", c.l2, c.l2_shared_by), ("L3", c.l3, c.l3_shared_by)):
        if size is not None:
            parts.append(f"{label} {_size(size)}" + (f" (shared by {shared} CPUs)" if shared and shared > 1 else ""))
    if not parts:
        return "unknown (gemm's blocks use defaults)"
    return ", ".join(parts) + f"; from {c.source}"


def _parameter_lines(b: Any, sources: dict[str, str] | None = None) -> list[str]:
    """A backend's kernel parameters in use, e.g. gemm's blocks, and where
    they come from (hostlib tune, or the caches)."""
    out = []
    params = b.parameters() or {}
    for name, p in params.items():
        shape = f"{p['mr']}x{p['nr']} tile, " if "mr" in p and "nr" in p else ""
        rest = ", ".join(f"{k.upper()} {v}" for k, v in p.items() if k not in ("mr", "nr"))
        source = (sources or {}).get(name)
        out.append(f"  {'':<10} {name} blocks: {shape}{rest}" + (f" ({source})" if source else ""))
    if b.parameters_problem:
        out.append(f"  {'':<10} parameters not derived from the caches: {b.parameters_problem}")
    return out


def format_report() -> str:
    """The whole report: CPU, then every interface (kernels first)."""
    from . import __version__

    host = _registry.host(_registry.BUILTIN)
    cpu = host.cpu
    out = [f"hostlib {__version__}  (interface {host.iface.name!r}, ABI {host.iface.abi})", ""]

    out.append(f"CPU ({cpu.arch})")
    avail = [f for f in _cpu.FEATURE_NAMES if f in cpu.available]
    out.append("  available: " + _wrap(avail, 13))
    masked = [f for f in _cpu.FEATURE_NAMES if f in cpu.masked and f in cpu.detected]
    if cpu.requested_mask:
        out.append("  masked:    " + _wrap(masked, 13) + "   (HOSTLIB_DISABLE_FEATURES="
                   + ",".join(f for f in _cpu.FEATURE_NAMES if f in cpu.requested_mask) + ")")
    family = _cpu.arch_family(cpu.arch)
    absent = [f for f in _cpu.FEATURE_NAMES if f not in cpu.detected and _cpu.FEATURE_ARCH[f] == family]
    out.append("  absent:    " + _wrap(absent, 13))
    out.append("  caches:    " + _caches_text(_cpu.cache_info()))
    out.append("")

    t = threads_info(host)
    info = {e.name: e for e in host.iface.info}
    # entries the spec gives no split class (the BLAS level-2/3 ones) run on the caller's thread
    single = [e for e in host.serving if e in info and info[e].split == "none"]
    unsplit = [e for e in host.serving if e not in t["split_entries"] and e not in single]
    out.append(f"Threads    {t['num_threads']} (pool: {t['started_workers']} worker threads started; "
               f"{t['affinity_cpus']} CPUs in the affinity mask)")
    out.append("           " + (f"not split (the backend threads itself): {_wrap(unsplit, 11)}" if unsplit
                                else "every entry with a split class split over the pool above its size threshold"))
    if single:
        out.append(f"           one thread (no split class): {_wrap(single, 11)}")
    out.append("           reductions: " + ("reproducible mode (bit-identical on every backend)" if t["reproducible"]
                                             else "fastest mode (independent of threads and alignment)"))
    out.append("")

    out += _interface_section(host)
    out += ["", _numpy_line()]
    for name in _registry.names()[1:]:
        out.append("")
        try:
            other = _registry.host(name)
        except _registry.InterfaceError as exc:
            out.append(f"Interface {name!r}: not served: {exc}")
            continue
        out.append(f"Interface {name!r} (ABI {other.iface.abi}){': ' + other.iface.doc if other.iface.doc else ''}")
        out += _interface_section(other)
        if name == "fft":
            out.append(_fft_plans_line())
    return "\n".join(out)


def _fft_plans_line() -> str:
    """hostlib.fft's plan cache: how full, how much memory, how often it hit.
    Imports nothing: the report must work where numpy cannot (hostlib.fft's
    C half imports numpy), and a process that made no plan has none."""
    import sys

    _transforms = sys.modules.get("hostlib.fft._transforms")
    if _transforms is None:
        return "Plans      none made in this process (hostlib.fft and a patched numpy.fft keep theirs in a bounded cache)"
    c = _transforms.cache_info()
    held = f"{c['bytes'] / 2**20:.1f} MiB" if c["bytes"] >= 2**20 else f"{c['bytes'] / 2**10:.1f} KiB"
    return (f"Plans      cache holds {c['size']} of at most {c['capacity']} plans ({held}); "
            f"{c['hits']} hits, {c['misses']} misses (hostlib.fft.plan_cache_info())")


def _interface_section(host: Host) -> list[str]:
    """Backends, profile and entries of one interface."""
    out = []
    selection = "auto (by priority and CPU features)" if host.preference is None else ", ".join(host.preference) + f", then {PORTABLE}"
    out.append(f"Backends   selection: {selection}")
    nentries = len(host.iface.entries)
    for b in host.listing():
        prio = "-" if b.priority is None else str(b.priority)
        feats = " ".join(b.features) or "-"
        if b.usable:
            state = f"usable, provides {len(b.provides)}/{nentries} entries"
        else:
            state = f"{b.status}: {b.reason}"
        out.append(f"  {b.name:<10} prio {prio:>3}  needs {feats:<14} {state}")
        if b.origin:
            out.append(f"  {'':<10} {b.origin}" + (f", version {b.version}" if b.version else ""))
        for key, value in b.details().items():
            out.append(f"  {'':<10} {key}: {value}")
        out += _parameter_lines(b, host.parameter_source.get(b.name))
    for problem in host.discovery_problems:
        out.append(f"  skipped:   {problem}")
    out.append("")

    out.append(f"Profile    {host.profile_path or '-'}")
    out.append(f"           {host.profile_state}")
    out.append("")
    details = {e: host.choice(e) for e in host.serving}
    tunable = bool(host.profile_path)
    stub_only = {e.name for e in host.iface.info
                 if e.unavailable and host.serving.get(e.name) == PORTABLE}
    columns, rows = _entry_rows(host)
    out.append(("Entries    " + " ".join(f"{c:<20}" for c in columns)).rstrip())

    def cell(e: str | None) -> str:
        if e is None:
            return "-"
        return "unavailable" if e in stub_only else _entry_cell(details[e], tunable)

    for function, entries in rows:
        out.append(f"  {function:<8} " + " ".join(f"{cell(e):<20}" for e in entries).rstrip())
    if stub_only:
        out.append(f"  unavailable = no backend has code for it ({len(stub_only)} entries): the portable table "
                   "answers a status, and callers fall back (hostlib's numpy patch: numpy's own loop)")
    if tunable:  # elsewhere every choice is declared: nothing to tell apart
        out.extend(_selection_notes(host, details))
    return out
