"""The runtime report: what ``python -m hostlib`` and ``show_runtime()`` print."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

from . import _cpu
from ._host import AUTO, PORTABLE, Host

ENV_VARS = ("HOSTLIB_BACKEND", "HOSTLIB_DISABLE_FEATURES")


def runtime_info(host: Host) -> dict[str, Any]:
    from . import __version__, backends, get_include

    import numpy

    cpu = host.cpu
    return {
        "hostlib": {
            "version": __version__,
            "interface": host.iface.name,
            "abi": host.iface.abi,
            "include": get_include(),
        },
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "platform": platform.platform(),
        "cpu": cpu.to_dict(),
        "environment": {k: os.environ.get(k) for k in ENV_VARS},
        "selection": AUTO if host.preference is None else list(host.preference),
        "backends": [b.to_dict() for b in backends()],
        "entries": dict(host.serving),
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


def _entry_rows(host: Host) -> list[tuple[str, list[str]]]:
    """Rows of (kernel, [provider per dtype]); float32/float64 pairs share a row."""
    names = host.iface.entries
    rows, seen = [], set()
    for n in names:
        if n in seen:
            continue
        base = n[1:]
        if n[0] in "sd" and "s" + base in names and "d" + base in names:
            rows.append((base, [host.serving["s" + base], host.serving["d" + base]]))
            seen.update({"s" + base, "d" + base})
        else:
            rows.append((n, [host.serving[n]]))
            seen.add(n)
    return rows


def format_report(host: Host) -> str:
    from . import __version__, backends

    cpu = host.cpu
    out = [f"hostlib {__version__}  (interface {host.iface.name!r}, ABI {host.iface.abi})", ""]

    out.append(f"CPU ({cpu.arch})")
    avail = [f for f in _cpu.FEATURE_NAMES if f in cpu.available]
    out.append("  available: " + _wrap(avail, 13))
    masked = [f for f in _cpu.FEATURE_NAMES if f in cpu.masked and f in cpu.detected]
    if cpu.requested_mask:
        out.append("  masked:    " + _wrap(masked, 13) + "   (HOSTLIB_DISABLE_FEATURES="
                   + ",".join(f for f in _cpu.FEATURE_NAMES if f in cpu.requested_mask) + ")")
    absent = [f for f in _cpu.FEATURE_NAMES if f not in cpu.detected]
    out.append("  absent:    " + _wrap(absent, 13))
    out.append("")

    selection = "auto (by priority and CPU features)" if host.preference is None else ", ".join(host.preference) + f", then {PORTABLE}"
    out.append(f"Backends   selection: {selection}")
    nentries = len(host.iface.entries)
    for b in backends():
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
    out.append("")

    out.append("Entries    float32    float64")
    for kernel, providers in _entry_rows(host):
        out.append(f"  {kernel:<8} " + " ".join(f"{p:<10}" for p in providers).rstrip())
    return "\n".join(out)
