"""Discovery, validation and per-entry selection of kernel tables.

Generic over interfaces: everything here is driven by the interface's
description in ``hostlib._spec`` (generated from ``stubs/spec.py``). The C
side (``hostlib._core``) validates capsules and builds tables; this module
decides which provider serves which entry.

Discovery order of events for one registered kernel module, and what stops
it (the reason is recorded and shown, the host keeps working):

1. load the entry point: a *pure-Python* metadata module (import errors);
2. check its metadata (NAME, FEATURES, PRIORITY, EXTENSION: types, values);
3. check the CPU has every declared feature -- if not, the compiled part is
   **not imported**: importing code built with -mavx2 may already execute
   AVX2 instructions;
4. import the compiled part and validate its capsule (name, magic, ABI
   major, size, NULL header fields, declared vs. required features).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Sequence

from . import _core, _cpu, _profile, _spec

PORTABLE = "portable"
AUTO = "auto"
_RESERVED = {PORTABLE, AUTO}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


class BackendError(ValueError):
    """An unknown or unusable backend was asked for."""


class _MalformedMetadata(ValueError):
    """What is wrong with a metadata module's values (see _read_metadata)."""


#: what importing or reading a third-party module may raise without ending
#: the host's process: any error, and also SystemExit (a plugin calling
#: sys.exit() at import). KeyboardInterrupt still propagates.
_PLUGIN_ERRORS = (Exception, SystemExit)


# status values of a Backend
USABLE = "usable"
UNSUPPORTED = "unsupported"  # the CPU (or the mask) lacks a declared feature
NOT_BUILT = "not built"  # metadata installed, compiled part absent
INVALID = "invalid"  # failed to import or to validate


@dataclass(frozen=True)
class Interface:
    """What the host knows about one table interface."""

    name: str
    entry_point_group: str
    provider_capsule: str
    host_capsule: str
    magic: int
    abi_major: int
    abi_minor: int
    stubs_name: str
    entries: tuple[str, ...]
    entry_minors: tuple[int, ...]

    @classmethod
    def from_spec(cls, name: str) -> "Interface":
        d = _spec.INTERFACES[name]
        return cls(
            name=d["name"],
            entry_point_group=d["entry_point_group"],
            provider_capsule=d["provider_capsule"],
            host_capsule=d["host_capsule"],
            magic=d["magic"],
            abi_major=d["abi_major"],
            abi_minor=d["abi_minor"],
            stubs_name=d["stubs_name"],
            entries=tuple(e[0] for e in d["entries"]),
            entry_minors=tuple(e[1] for e in d["entries"]),
        )

    @property
    def abi(self) -> str:
        return f"{self.abi_major}.{self.abi_minor}"


@dataclass(frozen=True)
class Backend:
    """One discovered kernel module (or the built-in portable table)."""

    name: str
    status: str
    reason: str = ""
    priority: int | None = None
    #: per-entry priorities that override ``priority`` (metadata ENTRY_PRIORITY)
    entry_priority: dict[str, int] = field(default_factory=dict)
    features: tuple[str, ...] = ()
    version: str | None = None
    origin: str = ""
    abi: str | None = None
    provides: tuple[str, ...] = ()
    capsule: Any = field(default=None, repr=False, compare=False)
    metadata: Any = field(default=None, repr=False, compare=False)
    #: the compiled module's file (what a profile's measurement is tied to)
    file: str | None = field(default=None, compare=False)

    @property
    def usable(self) -> bool:
        return self.status == USABLE

    def details(self) -> dict[str, str]:
        """Extra facts a usable backend reports about itself (library version,
        thread count, ...): its metadata module's optional ``details()``.
        Called at report time, as they may change while the process runs."""
        fn = getattr(self.metadata, "details", None)
        if not self.usable or not callable(fn):
            return {}
        try:
            return {str(k): str(v) for k, v in dict(fn()).items()}
        except Exception as exc:  # a third-party hook must not break the report
            return {"details() failed": _describe_exception(exc)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "usable": self.usable,
            "reason": self.reason,
            "priority": self.priority,
            "entry_priority": dict(self.entry_priority),
            "features": list(self.features),
            "version": self.version,
            "abi": self.abi,
            "origin": self.origin,
            "provides": list(self.provides),
            "details": self.details(),
        }


def _read_metadata(
    meta: Any, ep_name: str, entries: tuple[str, ...]
) -> tuple[str, tuple[str, ...], int, str, dict[str, int]]:
    """(name, features, priority, extension, entry_priority) from a metadata
    module, or _MalformedMetadata (a ValueError) saying everything that is
    wrong with it. Reading an attribute may raise anything (a module
    ``__getattr__``, a property): the caller handles that."""
    problems = []

    def get(attr: str, kind: type, what: str) -> Any:
        if not hasattr(meta, attr):
            problems.append(f"no {attr}")
            return None
        value = getattr(meta, attr)
        if not isinstance(value, kind) or isinstance(value, bool):
            problems.append(f"{attr} must be {what}, got {type(value).__name__} {value!r}")
            return None
        return value

    name = get("NAME", str, "a str")
    features = get("FEATURES", (tuple, list), "a tuple of feature names")
    priority = get("PRIORITY", int, "an int")
    extension = get("EXTENSION", str, "a dotted module name")
    if name is not None:
        if not _NAME_RE.match(name):
            problems.append(f"NAME {name!r} is not a lowercase identifier")
        elif name != ep_name:
            problems.append(f"NAME {name!r} differs from its entry point name {ep_name!r}")
    if features is not None:
        bad = [f for f in features if not isinstance(f, str) or f not in _cpu.FEATURE_NAMES]
        if bad:
            problems.append(f"FEATURES has unknown feature(s) {bad!r}")
    if extension is not None and not _MODULE_RE.match(extension):
        problems.append(f"EXTENSION {extension!r} is not a module name")
    # optional: a backend that is the best choice for some entries only
    entry_priority = getattr(meta, "ENTRY_PRIORITY", {})
    if not isinstance(entry_priority, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in entry_priority.items()
    ):
        problems.append(f"ENTRY_PRIORITY must be a dict of entry name -> int, got {entry_priority!r}")
        entry_priority = {}
    unknown = sorted(set(entry_priority) - set(entries))
    if unknown:
        problems.append(f"ENTRY_PRIORITY names unknown entries {unknown}")
    if problems:
        raise _MalformedMetadata("malformed metadata: " + "; ".join(problems))
    return name, tuple(features), priority, extension, dict(entry_priority)


def _describe_exception(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


class Host:
    """The host side of one interface: its backends, selection and active table."""

    def __init__(self, iface: Interface, portable_module: str, cpu: _cpu.CpuInfo) -> None:
        self.iface = iface
        self.cpu = cpu
        self._lock = threading.RLock()
        self._compositions: dict[tuple[str, ...], Any] = {}
        self.api_capsule = _core.new_host_api(
            iface.host_capsule, iface.magic, iface.abi_major, iface.abi_minor
        )
        self._portable = self._load_portable(portable_module)
        self.backends: dict[str, Backend] = {}
        for b in self._discover():
            self.backends[b.name] = b
        self.backends[PORTABLE] = self._portable
        self.preference: tuple[str, ...] | None = None
        self.serving: dict[str, str] = {}
        self.profile_path = _profile.default_path(_cpu.identity())
        self.profile_state = ""  # what became of the profile, for the report
        #: entries served by measurement, and why the others are not
        self.measured: dict[str, _profile.EntryRecord] = {}
        self.unmeasured: dict[str, str] = {}
        if _profile.tune_enabled():
            self.apply_profile(_profile.load(self.profile_path))
        else:
            self.apply_profile(None, state=f"ignored ({_profile.ENV_TUNE}=off)")

    # ------------------------------------------------------------------ load

    def _inspect(self, capsule: Any) -> dict[str, Any]:
        i = self.iface
        return _core.inspect(capsule, i.provider_capsule, i.magic, i.abi_major, len(i.entries))

    def _provides(self, info: dict[str, Any]) -> tuple[str, ...]:
        # a slot newer than the provider's minor version is not trusted even
        # if its (larger) table happens to have bytes there
        return tuple(
            entry
            for entry, minor, filled in zip(self.iface.entries, self.iface.entry_minors, info["slots"])
            if filled and minor <= info["abi_minor"]
        )

    def _load_portable(self, module_name: str) -> Backend:
        module = importlib.import_module(module_name)
        info = self._inspect(module._C_API)
        provides = self._provides(info)
        missing = [e for e in self.iface.entries if e not in provides]
        if missing or info["abi_minor"] != self.iface.abi_minor:
            raise ImportError(
                f"hostlib's portable {self.iface.name} table is incomplete "
                f"(missing {missing}, ABI {info['abi_major']}.{info['abi_minor']}); "
                "the installation is broken"
            )
        return Backend(
            name=PORTABLE,
            status=USABLE,
            priority=None,
            version=info["version"],
            origin=f"built into hostlib ({module_name})",
            abi=f"{info['abi_major']}.{info['abi_minor']}",
            provides=provides,
            capsule=module._C_API,
            file=getattr(module, "__file__", None),
        )

    def _entry_points(self) -> list[importlib.metadata.EntryPoint]:
        eps = importlib.metadata.entry_points(group=self.iface.entry_point_group)
        # the same distribution seen twice on sys.path registers the same
        # (name, value) twice: that is one module, not a conflict
        unique: dict[tuple[str, str], importlib.metadata.EntryPoint] = {}
        for ep in eps:
            unique.setdefault((ep.name, ep.value), ep)
        return sorted(unique.values(), key=lambda ep: (ep.name, ep.value))

    @staticmethod
    def _origin(ep: importlib.metadata.EntryPoint) -> str:
        dist = getattr(ep, "dist", None)
        where = f" ({dist.metadata['Name']} {dist.version})" if dist is not None else ""
        return f"entry point {ep.name} = {ep.value}{where}"

    def _discover(self) -> list[Backend]:
        eps = self._entry_points()
        claims: dict[str, list[importlib.metadata.EntryPoint]] = {}
        for ep in eps:
            claims.setdefault(ep.name, []).append(ep)
        found = []
        for name, group in claims.items():
            if len(group) > 1:
                # refuse all of them: silently picking one would depend on
                # the order of sys.path
                origins = "; ".join(self._origin(ep) for ep in group)
                found.append(
                    Backend(
                        name=name,
                        status=INVALID,
                        reason=f"backend name {name!r} is registered {len(group)} times "
                        f"({origins}); uninstall or rename all but one",
                        origin=origins,
                    )
                )
            elif name in _RESERVED:
                found.append(
                    Backend(name=name, status=INVALID, reason=f"{name!r} is a reserved name",
                            origin=self._origin(group[0]))
                )
            else:
                found.append(self._load_one(group[0]))
        return found

    def _load_one(self, ep: importlib.metadata.EntryPoint) -> Backend:
        origin = self._origin(ep)
        record = dict(name=ep.name, origin=origin)
        try:
            meta = ep.load()
        except _PLUGIN_ERRORS as exc:  # a third-party module may raise anything
            return Backend(status=INVALID, reason=f"cannot import metadata: {_describe_exception(exc)}", **record)
        try:
            name, features, priority, extension, entry_priority = _read_metadata(meta, ep.name, self.iface.entries)
        except _MalformedMetadata as exc:
            return Backend(status=INVALID, reason=str(exc), **record)
        except _PLUGIN_ERRORS as exc:  # e.g. a module __getattr__ that raises
            return Backend(status=INVALID, reason=f"cannot read metadata: {_describe_exception(exc)}", **record)
        dist = getattr(ep, "dist", None)
        record.update(
            priority=priority,
            entry_priority=entry_priority,
            features=features,
            version=dist.version if dist else None,
        )

        missing = self.cpu.missing(features)
        if missing:
            masked = [f for f in missing if f in self.cpu.masked]
            why = "CPU lacks " + ", ".join(missing)
            if masked:
                why += f" ({', '.join(masked)} masked by HOSTLIB_DISABLE_FEATURES)"
            return Backend(status=UNSUPPORTED, reason=why, **record)

        try:
            module = importlib.import_module(extension)
        except ModuleNotFoundError as exc:
            if exc.name == extension:
                return Backend(
                    status=NOT_BUILT,
                    reason=f"compiled part {extension} is not installed "
                    "(not built for this platform or compiler)",
                    **record,
                )
            return Backend(status=INVALID, reason=f"importing {extension} failed: {_describe_exception(exc)}", **record)
        except _PLUGIN_ERRORS as exc:
            return Backend(status=INVALID, reason=f"importing {extension} failed: {_describe_exception(exc)}", **record)

        try:
            capsule = getattr(module, "_C_API", None)
        except _PLUGIN_ERRORS as exc:
            return Backend(status=INVALID, reason=f"reading {extension}._C_API failed: {_describe_exception(exc)}", **record)
        if capsule is None:
            return Backend(status=INVALID, reason=f"{extension} has no _C_API capsule", **record)
        try:
            info = self._inspect(capsule)
        except ValueError as exc:
            return Backend(status=INVALID, reason=f"{extension}._C_API rejected: {exc}", **record)
        record.update(version=info["version"], abi=f"{info['abi_major']}.{info['abi_minor']}")
        if info["name"] != name:
            return Backend(
                status=INVALID,
                reason=f"table names itself {info['name']!r}, metadata says {name!r}",
                **record,
            )
        undeclared = info["features"] & ~_cpu.features_to_bits(_cpu.closure(features))
        if undeclared:
            return Backend(
                status=INVALID,
                reason="table requires features its metadata does not declare: "
                + ", ".join(sorted(_cpu.bits_to_features(undeclared), key=_cpu.FEATURE_NAMES.index))
                + (f" (unknown bits {undeclared:#x})" if undeclared & ~_cpu.features_to_bits(_cpu.FEATURE_NAMES) else ""),
                **record,
            )
        return Backend(status=USABLE, provides=self._provides(info), capsule=capsule, metadata=meta,
                       file=getattr(module, "__file__", None), **record)

    # ------------------------------------------------------------- selection

    def auto_order(self) -> list[Backend]:
        """Usable discovered backends, best first (portable is always last)."""
        usable = [b for b in self.backends.values() if b.usable and b.name != PORTABLE]
        usable.sort(key=lambda b: (-(b.priority or 0), b.name))
        return usable + [self._portable]

    def _choices(self) -> str:
        usable = [b.name for b in self.auto_order()]
        text = "choose from: " + ", ".join([AUTO] + usable)
        others = [f"{b.name} ({b.status}: {b.reason})" for b in self.backends.values() if not b.usable]
        if others:
            text += "; not usable here: " + "; ".join(others)
        return text

    def parse_preference(self, names: str | Sequence[str] | None, source: str) -> tuple[str, ...] | None:
        """Check a backend choice. None means automatic selection."""
        if names is None:
            return None
        if isinstance(names, str):
            items = [n for n in re.split(r"[\s,]+", names.strip()) if n]
        else:
            items = []
            for n in names:
                if not isinstance(n, str):
                    raise TypeError(f"backend names must be str, got {type(n).__name__} {n!r}")
                items.extend(x for x in re.split(r"[\s,]+", n.strip()) if x)
        # duplicates are dropped (the first occurrence counts): "auto,auto"
        # is "auto", like "sse2,sse2" is "sse2"
        # ASCII only: str.lower() maps e.g. the Kelvin sign to 'k'
        bad = [n for n in items if not n.isascii()]
        if bad:
            raise BackendError(f"{source}: backend names are ASCII, got {bad!r}; {self._choices()}")
        items = list(dict.fromkeys(n.lower() for n in items))
        if not items or items == [AUTO]:
            return None
        if AUTO in items:
            raise BackendError(f"{source}: 'auto' cannot be combined with other backends; {self._choices()}")
        for n in items:
            b = self.backends.get(n)
            if b is None:
                raise BackendError(f"{source}: unknown backend {n!r}; {self._choices()}")
            if not b.usable:
                raise BackendError(f"{source}: backend {n!r} is {b.status}: {b.reason}; {self._choices()}")
        return tuple(items)

    def order_for(self, preference: tuple[str, ...] | None) -> list[Backend]:
        if preference is None:
            return self.auto_order()
        chosen = [self.backends[n] for n in preference]
        return chosen + ([self._portable] if PORTABLE not in preference else [])

    def _provider(self, entry: str, order: list[Backend], automatic: bool) -> Backend:
        candidates = [b for b in order if entry in b.provides]
        if not automatic:
            return candidates[0]
        if entry in self.measured:  # valid here: every candidate it names is usable
            return self.backends[self.measured[entry].winner]
        return self._by_priority(entry, candidates)

    def declared_provider(self, entry: str) -> str:
        """The backend that declared priorities alone choose for ``entry``."""
        return self._by_priority(entry, [b for b in self.auto_order() if entry in b.provides]).name

    @staticmethod
    def _by_priority(entry: str, candidates: list[Backend]) -> Backend:
        # the best priority for this entry; portable (no priority) last; the
        # order (by backend priority, then name) breaks ties
        def rank(b: Backend) -> float:
            if b.priority is None:
                return float("-inf")
            return b.entry_priority.get(entry, b.priority)

        return max(candidates, key=lambda b: (rank(b), -candidates.index(b)))

    def select(self, preference: tuple[str, ...] | None) -> None:
        """Compose the table for a (checked) preference and make it active."""
        order = self.order_for(preference)
        providers = [self._provider(entry, order, preference is None) for entry in self.iface.entries]
        key = tuple(b.name for b in providers)
        with self._lock:
            table = self._compositions.get(key)
            if table is None:
                used = list(dict.fromkeys(key))
                i = self.iface
                table = _core.compose(
                    i.provider_capsule,
                    i.magic,
                    i.abi_major,
                    i.abi_minor,
                    "hostlib[" + ",".join(used) + "]",
                    _spec_version(),
                    _cpu.features_to_bits(_cpu.closure([f for b in providers for f in b.features])),
                    tuple(b.capsule for b in providers),
                )
                self._compositions[key] = table
            _core.activate(self.api_capsule, table, self.iface.provider_capsule, self.iface.magic)
            self.preference = preference
            self.serving = dict(zip(self.iface.entries, key))
            self.table = table

    def use(self, names: str | Sequence[str] | None, source: str = "use()") -> None:
        with self._lock:
            self.select(self.parse_preference(names, source))

    @contextmanager
    def using(self, names: str | Sequence[str] | None) -> Iterator[None]:
        with self._lock:
            previous = self.preference
            self.select(self.parse_preference(names, "using()"))
        try:
            yield
        finally:
            with self._lock:
                self.select(previous)

    # --------------------------------------------------------------- profile

    def providers(self) -> dict[str, list[str]]:
        """Entry -> the usable backends that provide it, best declared first."""
        order = self.auto_order()
        return {e: [b.name for b in order if e in b.provides] for e in self.iface.entries}

    def profile_key(self) -> dict[str, Any]:
        """What a profile must have been measured with to hold here."""
        return {
            "interface": self.iface.name,
            "abi": self.iface.abi,
            "cpu": dict(_cpu.identity()),
            "features": self.cpu.to_dict()["available"],
        }

    def identities(self) -> dict[str, dict[str, Any]]:
        """Usable backend -> what a measurement of it is tied to."""
        return {
            b.name: {"version": b.version, "file": _profile.file_identity(b.file)}
            for b in self.backends.values()
            if b.usable
        }

    def apply_profile(self, profile: _profile.Profile | None, state: str = "") -> None:
        """Serve, under automatic selection, the measured winner of every
        entry for which ``profile`` holds here (see hostlib._profile)."""
        competing = {e: p for e, p in self.providers().items() if len(p) > 1}
        if profile is None:
            measured, unmeasured = {}, {e: "no profile" for e in competing}
            state = state or "none"
        else:
            measured, unmeasured = _profile.applicable(profile, self.profile_key(), self.identities(), competing)
            state = state or (f"{len(measured)} of {len(competing)} competing entries measured"
                              + (f" ({profile.created})" if profile.created else ""))
        with self._lock:
            self.measured, self.unmeasured, self.profile_state = measured, unmeasured, state
            if hasattr(self, "table"):
                self.select(self.preference)

    def choice(self, entry: str) -> dict[str, Any]:
        """How the backend serving ``entry`` was chosen: ``measured`` (with
        the margin over the runner-up and, where the winner depends on size,
        the winner per size), ``declared`` (priority; with the reason no
        measurement applies), ``forced`` (use()/HOSTLIB_BACKEND) or ``only``
        (a single backend provides it)."""
        out: dict[str, Any] = {"backend": self.serving.get(entry)}
        if self.preference is not None:
            out["choice"] = "forced"
        elif entry in self.measured:
            rec = self.measured[entry]
            winners = rec.size_winners()
            out.update(choice="measured", margin=rec.margin(),
                       size_winners={str(n): w for n, w in winners.items()} if len(set(winners.values())) > 1 else None)
        elif entry in self.unmeasured:
            out.update(choice="declared", reason=self.unmeasured[entry])
        else:
            out["choice"] = "only"
        return out

    def slot_address(self, backend: str, entry: str) -> int:
        """Address of the function a backend provides for an entry (0 if none)."""
        b = self.backends[backend]
        if b.capsule is None:
            return 0
        i = self.iface
        return _core.slot_address(b.capsule, i.provider_capsule, i.magic, i.abi_major, i.entries.index(entry))

    def active_address(self, entry: str) -> int:
        i = self.iface
        return _core.slot_address(self.table, i.provider_capsule, i.magic, i.abi_major, i.entries.index(entry))


def _spec_version() -> str:
    from . import __version__

    return __version__
