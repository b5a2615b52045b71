"""Which interfaces the host serves, each started on its first use.

hostlib's own ``kernels`` interface is built in. Another library defines an
interface with ``hostlib.generate`` and registers the generated description
module in the ``hostlib.interfaces`` entry-point group::

    [project.entry-points."hostlib.interfaces"]
    filters = "mylib.filters_interface"

Nothing here runs at ``import hostlib``: an interface's host (discovery of
its kernel modules, validation, selection) starts when something first asks
for it: a kernel call, ``active()``, ``use()``, a C consumer's
``import_<prefix>()``, the report. A registration that cannot be used is
recorded with its reason and never stops the others.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from . import cpu as _cpu
from . import host as _host

BUILTIN = "kernels"
GROUP = "hostlib.interfaces"

_lock = threading.RLock()
_hosts: dict[str, _host.Host] = {}
#: interfaces whose host is being started (by the thread holding _lock)
_starting: set[str] = set()


class InterfaceError(_host.BackendError):
    """An unknown interface, or one whose registration cannot be used."""

    __module__ = "hostlib"  # where users find it (reprs, tracebacks, pickles)


def backend_variable(name: str) -> str:
    """The environment variable that forces an interface's backends:
    ``HOSTLIB_BACKEND`` for the built-in one, ``HOSTLIB_BACKEND_<NAME>``
    for the others."""
    return "HOSTLIB_BACKEND" if name == BUILTIN else f"HOSTLIB_BACKEND_{name.upper()}"


def host_capsule_attribute(name: str) -> str:
    """The attribute of the ``hostlib`` module holding an interface's
    re-export capsule (what its consumers' ``import_<prefix>()`` import)."""
    return "_C_API" if name == BUILTIN else f"_C_API_{name}"


def _registered() -> dict[str, list[Any]]:
    """Entry points of GROUP by name. A broken ``entry_points.txt`` of any
    installed distribution is skipped, not fatal."""
    found: dict[str, list[Any]] = {}
    seen = set()
    for ep in _host.entry_points(GROUP):
        if (ep.name, ep.value) not in seen:  # one distribution seen twice on sys.path
            seen.add((ep.name, ep.value))
            found.setdefault(ep.name, []).append(ep)
    return found


def names() -> list[str]:
    """Every interface known here: the built-in one first, then the
    registered ones by name (usable or not)."""
    return [BUILTIN] + sorted(n for n in _registered() if n != BUILTIN)


def _cpu_info() -> _cpu.CpuInfo:
    try:
        return _cpu.cpu_info()
    except ValueError as exc:  # HOSTLIB_DISABLE_FEATURES names an unknown feature
        raise _host.BackendError(str(exc)) from None


def _describe(name: str) -> _host.Interface:
    """The Interface of a registered name, or InterfaceError saying why not."""
    if name == BUILTIN:
        return _host.Interface.builtin()
    group = _registered().get(name)
    if not group:
        raise InterfaceError(f"unknown interface {name!r}; known: {', '.join(names())}")
    if len(group) > 1:
        raise InterfaceError(f"interface {name!r} is registered {len(group)} times "
                             f"({', '.join(ep.value for ep in group)}); uninstall all but one")
    ep = group[0]
    try:
        module = ep.load()
        iface = _host.Interface.from_description(module.INTERFACE)
    except _host._PLUGIN_ERRORS as exc:
        raise InterfaceError(f"interface {name!r} ({ep.value}) cannot be used: "
                             f"{_host._describe_exception(exc)}") from None
    problems = []
    if iface.name != name:
        problems.append(f"its description names it {iface.name!r}")
    if iface.host_capsule != f"hostlib.{host_capsule_attribute(name)}":
        problems.append(f"host_capsule is {iface.host_capsule!r}, not 'hostlib.{host_capsule_attribute(name)}'")
    if not iface.portable:
        problems.append("no portable module (the complete fallback table)")
    if iface.entry_point_group == _host.Interface.builtin().entry_point_group:
        problems.append("its providers would register in hostlib's own kernels group")
    if iface.split_wrappers.split(".")[0] == "hostlib":
        problems.append(f"split_wrappers {iface.split_wrappers!r} is hostlib's own (the kernels interface's wrappers)")
    if problems:
        raise InterfaceError(f"interface {name!r} ({ep.value}) cannot be used: " + "; ".join(problems))
    return iface


def host(name: str = BUILTIN) -> _host.Host:
    """The host of an interface, started (discovery, selection, the
    ``HOSTLIB_BACKEND*`` override) on first use."""
    h = _hosts.get(name)
    if h is not None:
        return h
    with _lock:
        h = _hosts.get(name)
        if h is None and name in _starting:
            # a module imported while this host starts asked for it (a plugin
            # reading hostlib._C_API, say): a second host would rebind the
            # split wrappers under the first one
            raise InterfaceError(f"interface {name!r} was asked for while its host was starting "
                                 "(a module imported during discovery uses hostlib)")
        if h is None:
            _starting.add(name)
            try:
                h = _start(name)
            finally:
                _starting.discard(name)
    return h


def _start(name: str) -> _host.Host:
    """A new host of an interface: described, configured, discovered, selected."""
    iface = _describe(name)
    _host.plugin_policy()  # a malformed HOSTLIB_PLUGINS stops the start, as itself
    # the pool's settings, where the interface uses the pool or has
    # reproducible forms: errors in them stop the start, like HOSTLIB_BACKEND's
    from .._pool import control as _threading

    if iface.split_wrappers:
        _threading.configure()
    reproducible = bool(iface.reproducible) and _threading.reproducible_from_environment()
    try:
        h = _host.Host(iface, _cpu_info(), reproducible=reproducible)
    except _host._PLUGIN_ERRORS as exc:  # its portable table or wrappers missing, incomplete, broken
        raise InterfaceError(f"interface {name!r} cannot be used: {_host._describe_exception(exc)}") from None
    # one thread budget: the pool's, also for backends that thread themselves
    # (an interface without split wrappers, such as lapack, may still have one:
    # the OpenBLAS wheel's table)
    if iface.split_wrappers or any(b.usable and b.threaded for b in h.backends.values()):
        _threading.follow_num_threads(h.set_thread_budget)
    var = backend_variable(name)
    h.use(os.environ.get(var), source=var, empty_is_auto=True)
    _hosts[name] = h
    return h


def started() -> dict[str, _host.Host]:
    """The hosts started so far."""
    return dict(_hosts)


def broken() -> dict[str, str]:
    """Registered interfaces that cannot be served, with the reason
    (starting the others on the way)."""
    out = {}
    for name in names():
        try:
            host(name)
        except InterfaceError as exc:
            out[name] = str(exc)
    return out
