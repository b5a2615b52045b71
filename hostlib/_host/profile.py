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
  overwrite each other's measurements.
* valid for: the same interface and ABI, the same CPU identity
  (:func:`hostlib._host.cpu.identity`) and the same usable feature set (after
  ``HOSTLIB_DISABLE_FEATURES``). Per entry, also the same candidates: every
  backend measured is still usable, with the same version and the same
  compiled file (a content hash), and no other backend provides the entry
  now. Whatever does not match falls back to declared priority, and the
  report says why.
* written atomically (a temporary file in the same folder, then
  ``os.replace``): a reader, or a second ``hostlib tune`` running at the same
  time, sees a whole old or a whole new file, never a mix.
* a file that cannot be read (corrupt, truncated, foreign, another format
  version) gives one :class:`ProfileWarning` and is ignored; it never stops
  ``import hostlib``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import warnings
from dataclasses import dataclass
from typing import Any, Mapping

FORMAT = "hostlib-profile"
FORMAT_VERSION = 1
ENV_PROFILE = "HOSTLIB_PROFILE"
ENV_TUNE = "HOSTLIB_TUNE"
#: HOSTLIB_TUNE values that use a valid profile (the default) / ignore it
TUNE_ON = ("", "on")
TUNE_OFF = ("off",)


class ProfileWarning(UserWarning):
    """A profile file or a ``HOSTLIB_TUNE`` value was ignored; the message says why."""

    __module__ = "hostlib"  # where users find it (warnings filters, reprs)


def tune_enabled() -> bool:
    """False when ``HOSTLIB_TUNE=off``. Another value than ``on``/``off``
    warns and counts as the default, ``on``."""
    raw = os.environ.get(ENV_TUNE, "")
    value = raw.strip().lower()
    if value in TUNE_OFF:
        return False
    if value not in TUNE_ON:
        warnings.warn(f"{ENV_TUNE}={raw!r} is neither 'on' nor 'off'; using 'on'", ProfileWarning, stacklevel=2)
    return True


def default_path(cpu_identity: Mapping[str, Any], features: list[str] | tuple[str, ...] = ()) -> str:
    """Where this machine's profile lives (see the module docstring)."""
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
    """The measurement of one entry: its candidates and the winner."""

    winner: str
    sizes: tuple[int, ...]
    candidates: dict[str, Candidate]

    def scores(self) -> dict[str, float]:
        """Geometric mean over sizes of time / fastest time at that size,
        per verified candidate: 1.0 is fastest at every size."""
        timed = {n: c.times_ns for n, c in self.candidates.items() if c.times_ns}
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
        timed = {n: c.times_ns for n, c in self.candidates.items() if c.times_ns}
        return {size: min(timed, key=lambda n: timed[n][i]) for i, size in enumerate(self.sizes)} if timed else {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "winner": self.winner,
            "sizes": list(self.sizes),
            "candidates": {
                n: {"identity": c.identity, "times_ns": None if c.times_ns is None else list(c.times_ns),
                    "excluded": c.excluded}
                for n, c in self.candidates.items()
            },
        }


def choose_winner(candidates: Mapping[str, Candidate], sizes: tuple[int, ...]) -> str | None:
    """The verified candidate with the best score (see EntryRecord.scores)."""
    record = EntryRecord("", tuple(sizes), dict(candidates))
    s = record.scores()
    return min(s, key=lambda n: (s[n], n)) if s else None


@dataclass(frozen=True)
class Profile:
    """A parsed profile file."""

    key: dict[str, Any]  #: interface, abi, cpu, features: valid only where all match
    entries: dict[str, EntryRecord]
    created: str = ""
    hostlib_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created": self.created,
            "hostlib": self.hostlib_version,
            **self.key,
            "entries": {e: r.to_dict() for e, r in self.entries.items()},
        }


KEY_FIELDS = ("interface", "abi", "cpu", "features")


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise ValueError(what)


def parse(data: Any) -> Profile:
    """A Profile from decoded JSON, or ValueError saying what is wrong."""
    _expect(isinstance(data, dict), "not a JSON object")
    _expect(data.get("format") == FORMAT, f"not a hostlib profile (format {data.get('format')!r})")
    _expect(data.get("format_version") == FORMAT_VERSION,
            f"format version {data.get('format_version')!r}, this hostlib reads {FORMAT_VERSION}")
    for k in KEY_FIELDS:
        _expect(k in data, f"no {k!r}")
    _expect(isinstance(data["cpu"], dict) and isinstance(data["features"], list), "malformed cpu or features")
    entries = data.get("entries")
    _expect(isinstance(entries, dict), "no 'entries' object")
    parsed = {}
    for entry, rec in entries.items():
        try:
            sizes = tuple(int(s) for s in rec["sizes"])
            cands = {}
            for name, c in rec["candidates"].items():
                times = c.get("times_ns")
                if times is not None:
                    times = tuple(float(t) for t in times)
                    _expect(len(times) == len(sizes) and all(t > 0 and math.isfinite(t) for t in times),
                            "times do not match sizes")
                _expect(isinstance(c["identity"], dict), "identity is not an object")
                excluded = c.get("excluded")
                _expect(excluded is None or isinstance(excluded, str), "excluded is not a string")
                _expect((times is None) != (excluded is None), "a candidate is either timed or excluded")
                cands[str(name)] = Candidate(c["identity"], times, excluded)
            winner = rec["winner"]
            _expect(isinstance(winner, str) and winner in cands and cands[winner].times_ns is not None,
                    "the winner is not a timed candidate")
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"entry {entry!r}: {exc}") from None
        parsed[str(entry)] = EntryRecord(winner, sizes, cands)
    return Profile({k: data[k] for k in KEY_FIELDS}, parsed, str(data.get("created", "")),
                   str(data.get("hostlib", "")))


def load(path: str) -> Profile | None:
    """The profile at ``path``; None if there is none. A file that exists
    but cannot be used warns once (ProfileWarning) and gives None."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warnings.warn(f"ignoring the hostlib profile {path}: {exc}", ProfileWarning, stacklevel=2)
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


def save(path: str, profile: Profile) -> None:
    """Write ``profile`` to ``path`` atomically (temporary file + rename)."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".profile-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(profile.to_dict(), f, indent=1, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


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
