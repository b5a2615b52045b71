"""The per-machine profile: which backend measured fastest for each entry.

``hostlib tune`` writes it; the host reads it when it starts (unless
``HOSTLIB_TUNE=off``) and lets the measured winner serve every entry whose
measurement is still valid here. Like FFTW's wisdom it is kept per machine:

* where: ``HOSTLIB_PROFILE`` if set, else
  ``$XDG_CACHE_HOME/hostlib/profile-<cpu>-<env>.json`` (``~/.cache`` without
  ``XDG_CACHE_HOME``); ``<cpu>`` names vendor, family, model and stepping, so
  a home directory shared by different machines keeps one file per kind;
  ``<env>`` is a short hash of the Python environment (``sys.prefix``) and
  the usable feature set, so two virtual environments with other backends
  installed, or processes with other ``HOSTLIB_DISABLE_FEATURES``, do not
  overwrite each other's measurements. That is the ``kernels`` interface's
  file; every other interface ``hostlib tune`` measures has its own beside
  it, with ``-<interface>`` before the extension (``profile-...-fft.json``,
  ``mine-fft.json`` for ``HOSTLIB_PROFILE=mine.json``): one file holds one
  interface's measurement (:func:`interface_path`).
* valid for: the same interface and ABI, the same CPU identity
  (:func:`hostlib._host.cpu.identity`) and the same usable feature set (after
  ``HOSTLIB_DISABLE_FEATURES``). Per entry, also the same candidates: every
  backend measured is still usable, with the same version and the same
  compiled file (a content hash), and no other backend provides the entry
  now. Whatever does not match falls back to declared priority, and the
  report says why.
* read without trust: only a regular file (a FIFO, device or folder is
  refused without being read, so a read never blocks), at most
  :data:`MAX_BYTES`, every number range-checked and every text printable.
  A file that cannot be used (missing aside) gives one
  :class:`ProfileWarning` and is ignored; it never stops a kernel call, the
  report or ``hostlib tune``.
* written atomically next to the file the path resolves to (a temporary
  file in its folder, then ``os.replace``), so a symlink keeps pointing where
  it did and a reader sees a whole old or a whole new file. The mode is
  kept; anything but a regular file is refused, never replaced. Writers
  hold a lock (``<file>.lock`` beside it) while they read, merge and write,
  so concurrent ``hostlib tune`` runs add up instead of the last one
  winning.
* remembers verification failures per backend identity (version and
  compiled file): a backend that gave wrong results stays out of automatic
  selection for that entry, whatever else gets installed, until that same
  build passes a later ``hostlib tune``.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import re
import stat
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Mapping, Sequence

FORMAT = "hostlib-profile"
FORMAT_VERSION = 1
ENV_PROFILE = "HOSTLIB_PROFILE"
ENV_TUNE = "HOSTLIB_TUNE"
#: HOSTLIB_TUNE values that use a valid profile (the default) / ignore it
TUNE_ON = ("", "on")
TUNE_OFF = ("off",)

# What a profile may hold. Anything outside is a corrupt or hostile file:
# the bounds keep every later computation (scores, the report) finite.
MAX_BYTES = 4 << 20  #: a real profile is tens of kilobytes
MAX_SIZES = 16  #: sizes measured per entry
MAX_SIZE = 1 << 48  #: elements, or a matrix order
MIN_NS, MAX_NS = 1e-3, 1e15  #: a time per call: a picosecond to eleven days
MAX_TEXT = 2000  #: characters of a reason, a version, a CPU field
MAX_CLASSES = 4  #: size classes per entry (HOSTLIB_SIZE_CLASSES in interface/composed.h)
#: a size gets its own backend only where that one beats the entry's winner
#: by more than this: smaller differences are within a re-run's noise, and
#: switching on them would only make the selection flap
SWITCH_GAIN = 1.05
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")  # entries, backends, features
#: how long a writer waits for another one's lock before giving up
LOCK_TIMEOUT = 30.0


class ProfileWarning(UserWarning):
    """A profile file or a ``HOSTLIB_TUNE`` value was ignored; the message says why."""

    __module__ = "hostlib"  # where users find it (warnings filters, reprs)


#: malformed HOSTLIB_TUNE values warned about: each interface's host reads
#: the variable, the user hears of a value once
_warned_tune_values: set[str] = set()


def tune_enabled() -> bool:
    """False when ``HOSTLIB_TUNE=off``. Another value than ``on``/``off``
    warns (once per process and value) and counts as the default, ``on``."""
    raw = os.environ.get(ENV_TUNE, "")
    value = raw.strip().lower()
    if value in TUNE_OFF:
        return False
    if value not in TUNE_ON and raw not in _warned_tune_values:
        _warned_tune_values.add(raw)
        warnings.warn(f"{ENV_TUNE}={raw!r} is neither 'on' nor 'off'; using 'on'", ProfileWarning, stacklevel=2)
    return True


#: the interface whose profile is the file the path names itself
KERNELS = "kernels"


def interface_path(path: str, interface: str) -> str:
    """The profile file of ``interface`` where the ``kernels`` interface's is
    ``path``: the same for ``kernels`` (so existing profiles keep loading),
    else ``-<interface>`` inserted before the extension."""
    if interface == KERNELS:
        return path
    root, ext = os.path.splitext(path)
    return f"{root}-{interface}{ext}"


def default_path(cpu_identity: Mapping[str, Any], features: list[str] | tuple[str, ...] = (),
                 interface: str = KERNELS) -> str:
    """Where this machine's profile of ``interface`` lives (see the module
    docstring)."""
    return interface_path(_kernels_path(cpu_identity, features), interface)


def _kernels_path(cpu_identity: Mapping[str, Any], features: list[str] | tuple[str, ...]) -> str:
    import hashlib
    import sys

    explicit = os.environ.get(ENV_PROFILE, "").strip()
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".cache")
    keys = ("arch", "vendor", "family", "model", "stepping", "implementer", "part", "variant", "revision")
    parts = [cpu_identity.get(k) for k in keys]
    tag = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(str(p) for p in parts if p is not None)) or "unknown"
    env = hashlib.blake2b(f"{sys.prefix}|{','.join(features)}".encode(), digest_size=4).hexdigest()
    return os.path.join(cache, "hostlib", f"profile-{tag}-{env}.json")


def file_identity(path: str | None) -> dict[str, Any] | None:
    """Size and content hash of a backend's compiled file: the same build
    installed twice is the same backend, a rebuild is another one."""
    if not path:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _hash_file(path, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _hash_file(path: str, size: int, mtime_ns: int) -> dict[str, Any] | None:
    import hashlib

    try:
        with open(path, "rb") as f:
            digest = hashlib.blake2b(f.read(), digest_size=16).hexdigest()
    except OSError:
        return None
    return {"size": size, "blake2b": digest}


# ---------------------------------------------------------------------------
# records
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One backend as measured for one entry."""

    identity: dict[str, Any]  #: {"version": ..., "file": file_identity(...)}
    times_ns: tuple[float, ...] | None  #: best time per size; None if excluded
    excluded: str | None = None  #: why verification failed, or None


@dataclass(frozen=True)
class EntryRecord:
    """The measurement of one entry: its candidates, the winner over all
    sizes, and the size classes the host serves (``classes``: from which
    size on which backend serves; the first from size 0)."""

    winner: str
    sizes: tuple[int, ...]
    candidates: dict[str, Candidate]
    classes: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.classes and self.winner:
            object.__setattr__(self, "classes", size_classes(self.sizes, self.candidates, self.winner))

    def _timed(self) -> dict[str, tuple[float, ...]]:
        return {n: c.times_ns for n, c in self.candidates.items() if c.times_ns}

    def scores(self) -> dict[str, float]:
        """Geometric mean over sizes of time / fastest time at that size,
        per verified candidate: 1.0 is fastest at every size."""
        timed = self._timed()
        if not timed:
            return {}
        best = [min(t[i] for t in timed.values()) for i in range(len(self.sizes))]
        return {
            n: math.exp(sum(math.log(t[i] / best[i]) for i in range(len(best))) / len(best))
            for n, t in timed.items()
        }

    def margin(self) -> float | None:
        """How much slower the runner-up is than the winner (1.25 = 25%)."""
        s = self.scores()
        others = [v for n, v in s.items() if n != self.winner]
        if self.winner not in s or not others:
            return None
        return min(others) / s[self.winner]

    def size_winners(self) -> dict[int, str]:
        """The fastest verified candidate at each size."""
        timed = self._timed()
        return {size: min(timed, key=lambda n: timed[n][i]) for i, size in enumerate(self.sizes)} if timed else {}

    def serving_at(self, size: int) -> str:
        """The backend the size classes give a call of ``size``."""
        return [name for start, name in self.classes if size >= start][-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "winner": self.winner,
            "sizes": list(self.sizes),
            "classes": [[start, name] for start, name in self.classes],
            "candidates": {
                n: {"identity": c.identity, "times_ns": None if c.times_ns is None else list(c.times_ns),
                    "excluded": c.excluded}
                for n, c in self.candidates.items()
            },
        }


def describe_classes(classes: Sequence[tuple[int, str]], fmt: Callable[[int], str] = str) -> str:
    """``avx512 below 2.3e4, openblas from 2.3e4``: an entry's size classes."""
    parts = []
    for k, (start, name) in enumerate(classes):
        end = classes[k + 1][0] if k + 1 < len(classes) else None
        if start == 0:
            parts.append(f"{name} below {fmt(end)}" if end is not None else name)
        else:
            parts.append(f"{name} from {fmt(start)}" + (f" below {fmt(end)}" if end is not None else ""))
    return ", ".join(parts)


def outpaced(winner_ns: float, fastest_ns: float) -> bool:
    """Whether the fastest backend at a size beats the winner there by more
    than :data:`SWITCH_GAIN`: a size it serves instead."""
    return winner_ns > SWITCH_GAIN * fastest_ns


def size_classes(sizes: tuple[int, ...], candidates: Mapping[str, Candidate],
                 winner: str) -> tuple[tuple[int, str], ...]:
    """The size classes of a measurement: ((0, backend), (from_size,
    backend), ...). A measured size is served by its fastest backend where
    that beats ``winner`` by more than :data:`SWITCH_GAIN`, else by
    ``winner``; neighbouring sizes served alike form one class. Between two
    classes the bound is where the two backends' times cross, interpolating
    the logarithm of their ratio linearly in the logarithm of the size.
    More classes than :data:`MAX_CLASSES` (or an unmeasured winner) give one
    class: ``winner`` for every size."""
    timed = {n: c.times_ns for n, c in candidates.items() if c.times_ns}
    if winner not in timed:
        return ((0, winner),)
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    picks = []
    for i in order:
        fastest = min(timed, key=lambda n: (timed[n][i], n))
        picks.append((i, fastest if outpaced(timed[winner][i], timed[fastest][i]) else winner))
    classes = [(0, picks[0][1])]
    for (i0, a), (i1, b) in zip(picks, picks[1:]):
        if a == b:
            continue
        lo, hi = math.log(timed[a][i0] / timed[b][i0]), math.log(timed[a][i1] / timed[b][i1])
        frac = min(max(-lo / (hi - lo), 0.0), 1.0) if hi > lo else 0.5
        start = round(math.exp(math.log(sizes[i0]) + frac * (math.log(sizes[i1]) - math.log(sizes[i0]))))
        classes.append((max(start, classes[-1][0] + 1), b))
    return tuple(classes) if len(classes) <= MAX_CLASSES else ((0, winner),)


def choose_winner(candidates: Mapping[str, Candidate], sizes: tuple[int, ...],
                  prefer: str | None = None) -> str | None:
    """The verified candidate with the best score (see EntryRecord.scores),
    or ``prefer`` (the backend the declared priorities serve) where it
    scores within SWITCH_GAIN of the best: a tie measured on a busy
    machine does not overturn the declared choice (sdot went to avx2 by a
    1.02x score, and avx512 was then 1.10x faster as served)."""
    record = EntryRecord("", tuple(sizes), dict(candidates))
    s = record.scores()
    if not s:
        return None
    best = min(s, key=lambda n: (s[n], n))
    if prefer in s and s[prefer] <= s[best] * SWITCH_GAIN:
        return prefer
    return best


@dataclass(frozen=True)
class Failure:
    """A backend build that failed verification for an entry."""

    entry: str
    backend: str
    identity: dict[str, Any]  #: as Candidate.identity
    reason: str

    def key(self) -> tuple[str, str, str]:
        return self.entry, self.backend, json.dumps(self.identity, sort_keys=True)

    def to_dict(self) -> dict[str, Any]:
        return {"entry": self.entry, "backend": self.backend, "identity": self.identity, "reason": self.reason}


#: kernel parameters a profile may hold per backend: sets and values each
MAX_PARAMETER_SETS, MAX_PARAMETER_VALUE = 8, 1 << 20


@dataclass(frozen=True)
class Tuned:
    """Kernel parameters (gemm's blocks) ``hostlib tune`` measured for one
    backend build: ``values`` as ``hostlib_set_parameters`` takes them,
    ``{"dgemm": {"mc": 128, "kc": 512, "nc": 4096}}``. They hold while the
    build (version and compiled file) is the one measured."""

    identity: dict[str, Any]
    values: dict[str, dict[str, int]]

    def to_dict(self) -> dict[str, Any]:
        return {"identity": self.identity, "values": self.values}


@dataclass(frozen=True)
class Profile:
    """A parsed profile file."""

    key: dict[str, Any]  #: interface, abi, cpu, features: valid only where all match
    entries: dict[str, EntryRecord]
    created: str = ""
    hostlib_version: str = ""
    #: every verification failure remembered, including those of entries
    #: whose record no longer holds (see failures_of)
    failures: tuple[Failure, ...] = field(default=())
    #: backend -> its tuned kernel parameters
    parameters: dict[str, Tuned] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": self.created,
            "hostlib": self.hostlib_version,
            **self.key,
            "entries": {e: r.to_dict() for e, r in self.entries.items()},
            "failures": [f.to_dict() for f in self.failures],
            "parameters": {n: t.to_dict() for n, t in self.parameters.items()},
        }


def failures_of(entries: Mapping[str, EntryRecord], failures: tuple[Failure, ...] = ()) -> tuple[Failure, ...]:
    """``failures`` and the excluded candidates of ``entries``, once each."""
    found = {f.key(): f for f in failures}
    for e, rec in entries.items():
        for name, c in rec.candidates.items():
            if c.excluded is not None:
                f = Failure(e, name, c.identity, c.excluded)
                found.setdefault(f.key(), f)
    return tuple(found.values())


def clean_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` as a profile may hold it: one printable line, bounded."""
    line = "".join(ch if ch.isprintable() else " " for ch in " ".join(str(text).split()))
    return line if len(line) <= limit else line[: limit - 3] + "..."


KEY_FIELDS = ("interface", "abi", "cpu", "features")


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise ValueError(what)


def _name(value: Any, what: str) -> str:
    _expect(isinstance(value, str) and _NAME_RE.fullmatch(value) is not None, f"{what} is not a name")
    return value


def _text(value: Any, what: str) -> str:
    _expect(isinstance(value, str) and len(value) <= MAX_TEXT and value.isprintable(),
            f"{what} is not one printable line of at most {MAX_TEXT} characters")
    return value


def _number(value: Any, lo: float, hi: float, what: str) -> None:
    # bool is an int to Python, not a number to us; comparing a huge int with
    # a float is exact, so nothing overflows before the range check
    _expect(isinstance(value, (int, float)) and not isinstance(value, bool), f"{what} is not a number")
    _expect(lo <= value <= hi, f"{what} is out of range ({lo:g} to {hi:g})" if isinstance(lo, float)
            else f"{what} is out of range ({lo} to {hi})")


def _plain(value: Any, what: str, depth: int = 0) -> Any:
    """A CPU identity or a backend identity: small JSON that is safe to
    compare and print (numbers fit 64 bits, text is printable)."""
    if value is None or isinstance(value, (bool, str)):
        return value if not isinstance(value, str) else _text(value, what)
    if isinstance(value, (int, float)):
        _number(value, -(2**63), 2**63, what)
        return value
    _expect(depth < 4, f"{what} is nested too deeply")
    if isinstance(value, list):
        return [_plain(v, what, depth + 1) for v in value]
    _expect(isinstance(value, dict), f"{what} holds a {type(value).__name__}")
    return {_text(k, what): _plain(v, what, depth + 1) for k, v in value.items()}


def _candidate(c: Any, nsizes: int) -> Candidate:
    _expect(isinstance(c, dict), "a candidate is not an object")
    identity = c.get("identity")
    _expect(isinstance(identity, dict), "identity is not an object")
    times, excluded = c.get("times_ns"), c.get("excluded")
    _expect((times is None) != (excluded is None), "a candidate is either timed or excluded")
    if times is not None:
        _expect(isinstance(times, list) and len(times) == nsizes, "times do not match sizes")
        for t in times:
            _number(t, MIN_NS, MAX_NS, "a time (ns)")
        times = tuple(float(t) for t in times)
    else:
        _text(excluded, "excluded")
    return Candidate(_plain(identity, "identity"), times, excluded)


def _record(rec: Any) -> EntryRecord:
    _expect(isinstance(rec, dict), "not an object")
    sizes = rec.get("sizes")
    _expect(isinstance(sizes, list) and 1 <= len(sizes) <= MAX_SIZES, f"sizes is not a list of 1 to {MAX_SIZES}")
    for n in sizes:
        _number(n, 1, MAX_SIZE, "a size")
        _expect(isinstance(n, int), "a size is not a whole number")
    cands = rec.get("candidates")
    _expect(isinstance(cands, dict), "candidates is not an object")
    parsed = {_name(name, "a candidate"): _candidate(c, len(sizes)) for name, c in cands.items()}
    winner = rec.get("winner")
    _expect(isinstance(winner, str) and winner in parsed and parsed[winner].times_ns is not None,
            "the winner is not a timed candidate")
    classes = rec.get("classes")
    if classes is None:  # written before size classes: derived from the times
        return EntryRecord(winner, tuple(sizes), parsed)
    _expect(isinstance(classes, list) and 1 <= len(classes) <= MAX_CLASSES,
            f"classes is not a list of 1 to {MAX_CLASSES}")
    parsed_classes = []
    for item in classes:
        _expect(isinstance(item, list) and len(item) == 2, "a class is not [from_size, backend]")
        start, name = item
        _number(start, 0, MAX_SIZE, "a class's size")
        _expect(isinstance(start, int), "a class's size is not a whole number")
        _expect(isinstance(name, str) and name in parsed and parsed[name].times_ns is not None,
                "a class's backend is not a timed candidate")
        parsed_classes.append((start, name))
    starts = [c[0] for c in parsed_classes]
    _expect(starts[0] == 0 and all(a < b for a, b in zip(starts, starts[1:])),
            "the classes do not start at size 0 in increasing order")
    return EntryRecord(winner, tuple(sizes), parsed, tuple(parsed_classes))


def _failure(f: Any) -> Failure:
    _expect(isinstance(f, dict), "a failure is not an object")
    identity = f.get("identity")
    _expect(isinstance(identity, dict), "a failure's identity is not an object")
    return Failure(_name(f.get("entry"), "a failure's entry"), _name(f.get("backend"), "a failure's backend"),
                   _plain(identity, "identity"), _text(f.get("reason"), "a failure's reason"))


def parse(data: Any) -> Profile:
    """A Profile from decoded JSON, or ValueError saying what is wrong.
    Every field is checked (types, ranges, printable text), so nothing read
    here can raise later when the profile is applied or reported."""
    _expect(isinstance(data, dict), "not a JSON object")
    _expect(data.get("format") == FORMAT, f"not a hostlib profile (format {_short(data.get('format'))})")
    _expect(data.get("format_version") == FORMAT_VERSION,
            f"format version {_short(data.get('format_version'))}, this hostlib reads {FORMAT_VERSION}")
    for k in KEY_FIELDS:
        _expect(k in data, f"no {k!r}")
    _text(data["interface"], "interface")
    _text(data["abi"], "abi")
    _expect(isinstance(data["cpu"], dict) and isinstance(data["features"], list), "malformed cpu or features")
    key = {"interface": data["interface"], "abi": data["abi"], "cpu": _plain(data["cpu"], "cpu"),
           "features": [_name(f, "a feature") for f in data["features"]]}
    entries = data.get("entries")
    _expect(isinstance(entries, dict), "no 'entries' object")
    parsed = {}
    for entry, rec in entries.items():
        try:
            parsed[_name(entry, "an entry")] = _record(rec)
        except ValueError as exc:
            raise ValueError(f"entry {_short(entry)}: {exc}") from None
    failures = data.get("failures", [])  # absent in files of older versions
    _expect(isinstance(failures, list), "failures is not a list")
    return Profile(key, parsed, _text(data.get("created", ""), "created"), _text(data.get("hostlib", ""), "hostlib"),
                   failures_of(parsed, tuple(_failure(f) for f in failures)),
                   _parameters(data.get("parameters", {})))  # absent in older files


def _parameters(data: Any) -> dict[str, Tuned]:
    _expect(isinstance(data, dict), "parameters is not an object")
    out = {}
    for backend, t in data.items():
        _expect(isinstance(t, dict) and isinstance(t.get("identity"), dict) and isinstance(t.get("values"), dict),
                "a backend's parameters are not {identity, values}")
        values = t["values"]
        _expect(len(values) <= MAX_PARAMETER_SETS, "too many parameter sets")
        parsed: dict[str, dict[str, int]] = {}
        for name, vals in values.items():
            _expect(isinstance(vals, dict) and len(vals) <= MAX_PARAMETER_SETS, "a parameter set is not an object")
            for k, v in vals.items():
                _number(v, 1, MAX_PARAMETER_VALUE, "a parameter")
                _expect(isinstance(v, int) and not isinstance(v, bool), "a parameter is not a whole number")
            parsed[_name(name, "a parameter set")] = {_name(k, "a parameter"): int(v) for k, v in vals.items()}
        out[_name(backend, "a backend")] = Tuned(_plain(t["identity"], "identity"), parsed)
    return out


def _short(value: Any) -> str:
    """A value from the file, for a message: bounded and printable."""
    return clean_text(repr(value), 60)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _read(path: str) -> bytes:
    """The bytes of the regular file at ``path``, never blocking: the type is
    checked before opening (opening a FIFO or a device may wait, or act) and
    again on what was opened, in case it was swapped in between."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(f"it is {_kind(st.st_mode)}, not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    with open(os.open(path, flags), "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"it is {_kind(mode)}, not a regular file")
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    return raw


def load(path: str) -> Profile | None:
    """The profile at ``path``; None if there is none. A file that exists
    but cannot be used warns once (ProfileWarning) and gives None."""
    try:
        raw = _read(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path, or too large
        warnings.warn(f"ignoring the hostlib profile {path}: {exc}; {ENV_PROFILE} should name a regular file",
                      ProfileWarning, stacklevel=2)
        return None
    try:
        return parse(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # json errors are ValueErrors
        warnings.warn(
            f"ignoring the hostlib profile {path}: {exc}; run `hostlib tune` to write a new one",
            ProfileWarning,
            stacklevel=2,
        )
        return None


@contextlib.contextmanager
def _locked(lock_path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if missing; never
    removed, as removing a lock file races with the next writer). Waits at
    most LOCK_TIMEOUT: a writer holds it only while it merges and writes."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; writes stay atomic
        yield
        return
    flags = os.O_RDONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(lock_path, flags, 0o666)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"the lock {lock_path} is not a regular file")
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise OSError(f"{lock_path} stayed locked for {LOCK_TIMEOUT:g} s by another writer") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # releases the lock


def _write_atomically(target: str, data: bytes, mode: int | None) -> None:
    """Replace ``target`` by ``data`` through a new file in its folder:
    created with O_EXCL (so the umask applies to a new profile), given
    ``mode`` (an existing profile's), synced, then renamed over it."""
    import secrets

    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise OSError(f"could not create a temporary file in {folder}")
    try:
        with open(fd, "wb") as f:
            if mode is not None and os.chmod in os.supports_fd:
                os.chmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def update(path: str, change: Callable[[Profile | None], Profile]) -> Profile:
    """Replace the profile at ``path`` by ``change(current)`` (current: the
    profile there now, None if none or unusable), under the writers' lock,
    atomically, next to the file ``path`` resolves to, keeping its mode.
    Returns what was written. OSError (with a message naming the file) if
    it cannot be written; a path naming anything but a regular file is
    refused, never replaced."""
    target = os.path.realpath(path)  # a symlink keeps pointing where it did
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    with _locked(target + ".lock"):
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):
            what = "it" if target == path else f"it resolves to {target}, which"
            raise OSError(f"{what} is {_kind(st.st_mode)}, not a regular file: refusing to replace it")
        with warnings.catch_warnings():  # an unusable old profile is simply replaced
            warnings.simplefilter("ignore", ProfileWarning)
            old = load(target) if st is not None else None
        new = change(old)
        data = (json.dumps(new.to_dict(), indent=1, sort_keys=True) + "\n").encode()
        _write_atomically(target, data, None if st is None else stat.S_IMODE(st.st_mode))
    return new


def save(path: str, profile: Profile) -> None:
    """Write ``profile`` to ``path`` as :func:`update` does (whatever is there
    now is replaced, not merged)."""
    update(path, lambda old: profile)


# ---------------------------------------------------------------------------
# what of a profile applies here
# ---------------------------------------------------------------------------


def _describe_key_change(field: str, then: Any, now: Any) -> str:
    if field == "features":
        gone = [f for f in then if f not in now]
        new = [f for f in now if f not in then]
        parts = ([f"without {', '.join(gone)}"] if gone else []) + ([f"with {', '.join(new)}"] if new else [])
        return "the usable CPU features differ (now " + "; ".join(parts) + ")"
    if field == "cpu":
        return f"measured on another CPU ({then.get('brand') or then}), this is {now.get('brand') or now}"
    return f"measured for {field} {then!r}, this is {now!r}"


def applicable(
    profile: Profile,
    key: Mapping[str, Any],
    identities: Mapping[str, dict[str, Any]],
    providers: Mapping[str, list[str]],
) -> tuple[dict[str, EntryRecord], dict[str, str]]:
    """Which entries of ``profile`` hold here.

    ``key``: this process's interface, abi, cpu, features; ``identities``:
    usable backend -> identity; ``providers``: entry -> usable backends
    providing it. Returns (valid records, reason per entry not valid).
    """
    for k in KEY_FIELDS:
        if profile.key.get(k) != key[k]:
            why = _describe_key_change(k, profile.key.get(k), key[k])
            return {}, {e: why for e in providers}
    valid, stale = {}, {}
    for entry, now in providers.items():
        rec = profile.entries.get(entry)
        if rec is None:
            stale[entry] = "not measured"
            continue
        new = sorted(set(now) - set(rec.candidates))
        gone = sorted(set(rec.candidates) - set(now))
        changed = sorted(n for n in rec.candidates if n in identities and identities[n] != rec.candidates[n].identity)
        if new or gone or changed:
            parts = ([f"new backend {', '.join(new)}"] if new else []) + (
                [f"{', '.join(gone)} no longer usable"] if gone else []) + (
                [f"{', '.join(changed)} changed since"] if changed else [])
            stale[entry] = "stale: " + "; ".join(parts)
            continue
        valid[entry] = rec
    return valid, stale


def exclusions(
    profile: Profile, interface: str, identities: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """Entry -> {backend: why} for every usable backend whose very build
    (``identities``: usable backend -> identity) failed verification for the
    entry. Unlike a measurement this holds whatever else is installed, on
    any CPU: a wrong result is not a matter of speed."""
    if profile.key.get("interface") != interface:
        return {}
    out: dict[str, dict[str, str]] = {}
    for f in profile.failures:
        if identities.get(f.backend) == f.identity:
            out.setdefault(f.entry, {})[f.backend] = f.reason
    return out
