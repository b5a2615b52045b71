"""CPU features as hostlib sees them: detection, implications and the user's mask.

The feature names, their bits and their ``implies`` relation come from
``hostlib._features`` (generated from ``hostlib/features.toml``); the raw detection comes
from the ``hostlib._host._cpuid`` extension: CPUID + XGETBV on x86 (so a feature whose
register state the OS does not save is reported absent), ``getauxval(AT_HWCAP,
AT_HWCAP2)`` on Linux aarch64, ``sysctlbyname("hw.optional.*")`` on macOS
aarch64 (untested). Other architectures report no features and use the
portable table.

``HOSTLIB_DISABLE_FEATURES`` masks features as if the CPU lacked them, to test
fallbacks on one machine. Its syntax:

* names separated by commas and/or whitespace; empty items are ignored, so
  ``""``, ``" , "`` and ``"AVX2,,FMA3 "`` are all fine;
* case-insensitive (``avx2`` == ``AVX2``), surrounding whitespace ignored;
* names are numpy's spelling (``SSE41``, ``FMA3``, ``AVX512F``, ``ASIMD``,
  ``ASIMDHP``, ``SVE``, ...); the aliases ``SSE4.1``/``SSE4_1`` (SSE41),
  ``SSE4.2``/``SSE4_2`` (SSE42), ``FMA`` (FMA3) and ``NEON`` (ASIMD) are also
  accepted, and no others;
* any other name is an error (``ValueError`` listing the valid names);
* masking a feature masks every feature that implies it (masking ``AVX``
  masks ``AVX2``, ``FMA3``, ``AVX512F``, ...);
* masking a feature the CPU does not have is allowed and changes nothing.
"""

from __future__ import annotations

import functools
import os
import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import _features
from . import _cpuid

__all__ = [
    "ENV_DISABLE",
    "FEATURE_NAMES",
    "FEATURE_BITS",
    "FEATURE_ARCH",
    "arch_family",
    "ALIASES",
    "CpuInfo",
    "closure",
    "dependents",
    "parse_feature_list",
    "features_to_bits",
    "bits_to_features",
    "make_cpu_info",
    "cpu_info",
    "identity",
    "CacheInfo",
    "cache_info",
    "caches_from_cpuid",
    "caches_from_sysfs",
]

#: environment variable holding the user's feature mask
ENV_DISABLE = "HOSTLIB_DISABLE_FEATURES"

#: every feature name hostlib knows, in spec order
FEATURE_NAMES: tuple[str, ...] = tuple(name for name, _bit, _implies in _features.FEATURES)

#: feature name -> bit number (as in hostlib_features.h and table headers)
FEATURE_BITS: dict[str, int] = {name: bit for name, bit, _implies in _features.FEATURES}

#: feature name -> architecture family ("x86", "aarch64")
FEATURE_ARCH: dict[str, str] = dict(_features.ARCH)

_IMPLIES: dict[str, tuple[str, ...]] = {name: tuple(imp) for name, _bit, imp in _features.FEATURES}
_ORDER: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
# reverse edges: feature -> features that directly imply it
_IMPLIED_BY: dict[str, tuple[str, ...]] = {
    name: tuple(other for other in FEATURE_NAMES if name in _IMPLIES[other]) for name in FEATURE_NAMES
}

#: accepted alternative spellings (upper case) -> canonical name; only these
ALIASES: dict[str, str] = {
    "SSE4.1": "SSE41",
    "SSE4_1": "SSE41",
    "SSE4.2": "SSE42",
    "SSE4_2": "SSE42",
    "FMA": "FMA3",
    "NEON": "ASIMD",
}

_SEPARATORS = re.compile(r"[,\s]+")


def arch_family(arch: str) -> str | None:
    """The family of features.toml (``x86``, ``aarch64``) an architecture
    name (``x86_64``, ``i686``, ``arm64``, ...) belongs to, or None."""
    arch = arch.lower()
    if arch in {"x86_64", "amd64", "x86", "i386", "i486", "i586", "i686"}:
        return "x86"
    if arch in {"aarch64", "arm64"}:
        return "aarch64"
    return None


def _in_spec_order(names: Iterable[str]) -> list[str]:
    """The names sorted in spec order."""
    return sorted(names, key=_ORDER.__getitem__)


def _valid_names_text() -> str:
    aliases = ", ".join(f"{a}={c}" for a, c in ALIASES.items())
    return f"valid names are: {', '.join(FEATURE_NAMES)} (case-insensitive; aliases {aliases})"


def _as_names(names: str | Iterable[str]) -> tuple[str, ...]:
    """Canonical names given as an iterable (or one name); ValueError if unknown."""
    items = (names,) if isinstance(names, str) else tuple(names)
    unknown = [n for n in items if n not in _ORDER]
    if unknown:
        bad = ", ".join(repr(n) for n in dict.fromkeys(unknown))
        raise ValueError(f"unknown CPU feature(s) {bad}; {_valid_names_text()}")
    return items


def _walk(start: Iterable[str], edges: dict[str, tuple[str, ...]]) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            stack.extend(edges[name])
    return frozenset(seen)


def closure(names: str | Iterable[str]) -> frozenset[str]:
    """The names plus every feature they imply, transitively.

    ``closure(["AVX2"])`` contains AVX2, F16C, AVX, SSE42, ..., SSE. Names must
    be canonical (see ``FEATURE_NAMES``); unknown ones raise ``ValueError``.
    """
    return _walk(_as_names(names), _IMPLIES)


def dependents(names: str | Iterable[str]) -> frozenset[str]:
    """The names plus every feature that implies any of them, transitively.

    This is what masking the names masks: ``dependents(["AVX"])`` contains
    AVX, F16C, FMA3, AVX2, AVX512F and every AVX-512 extension.
    """
    return _walk(_as_names(names), _IMPLIED_BY)


def parse_feature_list(text: str, *, source: str) -> frozenset[str]:
    """Parse a user's feature list such as ``"AVX2,FMA3"`` or ``"avx512f avx2"``.

    Separators are commas and/or whitespace, empty items are ignored, names
    are case-insensitive, and the aliases in ``ALIASES`` are accepted. Returns
    the canonical names. Any other name raises ``ValueError``; its message
    starts with *source* (e.g. ``"HOSTLIB_DISABLE_FEATURES"``), quotes the bad
    items and lists the valid names.
    """
    found: set[str] = set()
    bad: list[str] = []
    for item in _SEPARATORS.split(text):
        if not item:
            continue
        # isascii(): str.upper() maps some non-ASCII letters onto ASCII ones
        # (U+017F LONG S -> "S"); such spellings are not names.
        key = item.upper() if item.isascii() else item
        name = ALIASES.get(key, key)
        if name in _ORDER:
            found.add(name)
        elif item not in bad:
            bad.append(item)
    if bad:
        quoted = ", ".join(repr(b) for b in bad)
        raise ValueError(f"{source}: unknown CPU feature(s) {quoted}; {_valid_names_text()}")
    return frozenset(found)


def features_to_bits(names: str | Iterable[str]) -> int:
    """The bit mask (``1 << bit`` for each name) of the given canonical names."""
    mask = 0
    for name in _as_names(names):
        mask |= 1 << FEATURE_BITS[name]
    return mask


def bits_to_features(mask: int) -> frozenset[str]:
    """The canonical names whose bits are set in *mask* (unknown bits ignored)."""
    return frozenset(name for name, bit in FEATURE_BITS.items() if (mask >> bit) & 1)


@dataclass(frozen=True)
class CpuInfo:
    """Detected CPU features combined with the user's mask.

    ``detected``: what CPUID/XGETBV report (CPU has it, OS enabled it).
    ``requested_mask``: exactly the features the user listed (canonical).
    ``masked``: ``requested_mask`` plus everything that implies any of them.
    ``available``: ``detected`` minus ``masked``, minus every feature whose
    implied features are not all available (a CPU reporting AVX2 without AVX
    is treated as lacking AVX2). Kernels may use exactly these.
    """

    arch: str
    detected: frozenset[str]
    masked: frozenset[str]
    requested_mask: frozenset[str]
    available: frozenset[str]

    def has(self, *names: str) -> bool:
        """True if every name, and everything it implies, is available."""
        return closure(names) <= self.available

    def missing(self, names: str | Iterable[str]) -> list[str]:
        """Which of ``closure(names)`` are not available, in spec order."""
        return _in_spec_order(closure(names) - self.available)

    @property
    def available_bits(self) -> int:
        """``available`` as a bit mask (the bits of ``hostlib_features.h``)."""
        return features_to_bits(self.available)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: lists of names in spec order."""
        return {
            "arch": self.arch,
            "detected": _in_spec_order(self.detected),
            "requested_mask": _in_spec_order(self.requested_mask),
            "masked": _in_spec_order(self.masked),
            "available": _in_spec_order(self.available),
        }


@functools.lru_cache(maxsize=None)
def _detect() -> tuple[str, frozenset[str]]:
    """Run the hardware detection once per process: (arch, detected names)."""
    arch, raw = _cpuid.detect()
    if arch == "unknown":
        arch = platform.machine().lower() or "unknown"
    # Names the extension knows but the spec does not are dropped; spec names
    # the extension does not know are never detected (the safe direction).
    return arch, frozenset(raw) & frozenset(FEATURE_NAMES)


def _usable(candidates: frozenset[str]) -> frozenset[str]:
    """The largest subset whose every member has all its implied features in it."""
    usable = set(candidates)
    changed = True
    while changed:
        changed = False
        for name in _in_spec_order(usable):
            if not all(dep in usable for dep in _IMPLIES[name]):
                usable.discard(name)
                changed = True
    return frozenset(usable)


def make_cpu_info(
    arch: str, detected: Iterable[str], disable: str = "", *, source: str = "disable"
) -> CpuInfo:
    """Combine a detection result with a feature list to mask.

    ``cpu_info`` uses this with the real detection; tests and diagnostics can
    pass an imagined CPU (*detected* must be canonical names).
    """
    det = frozenset(_as_names(detected))
    requested = parse_feature_list(disable, source=source)
    masked = dependents(requested)
    return CpuInfo(
        arch=arch,
        detected=det,
        masked=masked,
        requested_mask=requested,
        available=_usable(det - masked),
    )


@functools.lru_cache(maxsize=64)
def _cpu_info_for(text: str, source: str) -> CpuInfo:
    arch, detected = _detect()
    return make_cpu_info(arch, detected, text, source=source)


def cpu_info(disable: str | None = None, *, source: str | None = None) -> CpuInfo:
    """The CPU's features with a mask applied.

    *disable* is a feature list in the ``HOSTLIB_DISABLE_FEATURES`` syntax
    (see the module docstring); when it is None the environment variable is
    read (each call, so changes to ``os.environ`` are seen). Detection itself
    runs once per process. *source* names where the list came from in error
    messages (default: the variable's name, or "disable" for an explicit
    argument). Raises ``ValueError`` for an unknown feature name.
    """
    if disable is None:
        disable = os.environ.get(ENV_DISABLE, "")
        source = source or ENV_DISABLE
    return _cpu_info_for(disable, source or "disable")


#: /proc/cpuinfo's fields of the Main ID Register (MIDR_EL1), per core
_MIDR_FIELDS = {
    "CPU implementer": "implementer",
    "CPU variant": "variant",
    "CPU part": "part",
    "CPU revision": "revision",
}


def _arm_midr(text: str) -> dict[str, Any] | None:
    """The MIDR fields of the first core in /proc/cpuinfo's *text*, and how
    many kinds of core there are (big.LITTLE systems have several: a
    profile is then keyed on all of them, in order)."""
    cores: list[tuple[int, int, int, int]] = []
    current: dict[str, int] = {}
    for line in text.splitlines() + [""]:
        key, sep, value = line.partition(":")
        key = key.strip()
        if key in _MIDR_FIELDS and sep:
            try:
                current[_MIDR_FIELDS[key]] = int(value.strip(), 0)
            except ValueError:
                continue
        elif not line.strip() and current:
            if len(current) == len(_MIDR_FIELDS):
                core = (current["implementer"], current["variant"], current["part"], current["revision"])
                if core not in cores:
                    cores.append(core)
            current = {}
    if not cores:
        return None
    implementer, variant, part, revision = cores[0]
    out: dict[str, Any] = {"implementer": implementer, "part": part, "variant": variant, "revision": revision}
    if len(cores) > 1:
        out["cores"] = [f"{i:#04x}:{p:#05x}:{v}:{r}" for i, v, p, r in cores]
    return out


def _arm_identity(arch: str) -> dict[str, Any]:
    ident: dict[str, Any] = {"arch": arch}
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            midr = _arm_midr(fh.read())
    except OSError:
        midr = None
    if midr is not None:
        ident.update(midr)
    else:  # macOS, or a kernel that hides the MIDR
        ident["processor"] = platform.processor() or platform.machine()
    return ident


@functools.lru_cache(maxsize=None)
def identity() -> dict[str, Any]:
    """What makes a timing measured on this CPU valid on another: vendor,
    family, model and stepping on x86 (CPUID leaves 0 and 1, with the
    extended family/model folded in as the vendors' manuals define them),
    and a readable brand string; on aarch64 Linux the Main ID Register's
    implementer, part, variant and revision (as /proc/cpuinfo shows them,
    every kind of core when they differ). Elsewhere, the architecture and
    what the OS tells of the processor. Feature masks are not part of it."""
    arch = _detect()[0]
    if arch == "aarch64":
        return _arm_identity(arch)
    try:
        _, ebx, ecx, edx = _cpuid.raw_cpuid(0, 0)
    except (OSError, AttributeError):
        return {"arch": arch, "processor": platform.processor() or platform.machine()}
    vendor = b"".join(r.to_bytes(4, "little") for r in (ebx, edx, ecx)).decode("ascii", "replace")
    eax = _cpuid.raw_cpuid(1, 0)[0]
    family, model, stepping = (eax >> 8) & 0xF, (eax >> 4) & 0xF, eax & 0xF
    if family == 0xF:
        family += (eax >> 20) & 0xFF
    if family in (0x6, 0xF) or family > 0xF:
        model += ((eax >> 16) & 0xF) << 4
    brand = ""
    if _cpuid.raw_cpuid(0x80000000, 0)[0] >= 0x80000004:
        regs = [r for leaf in (0x80000002, 0x80000003, 0x80000004) for r in _cpuid.raw_cpuid(leaf, 0)]
        brand = b"".join(r.to_bytes(4, "little") for r in regs).split(b"\0")[0].decode("ascii", "replace").strip()
    return {"arch": arch, "vendor": vendor, "family": family, "model": model, "stepping": stepping, "brand": brand}


# ---------------------------------------------------------------- caches


@dataclass(frozen=True)
class CacheInfo:
    """The data caches one core uses, in bytes; None where unknown.

    ``l1d``: the core's level-1 data cache. ``l2``: the level-2 cache that
    serves the core (its own on current x86 cores; on some ARM clusters one
    L2 serves several cores: ``l2_shared_by`` says how many logical CPUs).
    ``l3``: the whole last-level cache instance the core belongs to (a
    CCX's or a socket's L3), not a per-core share: ``l3_shared_by`` logical
    CPUs use it. ``source`` says where the sizes came from.

    A size outside :data:`CACHE_LIMITS` (a hypervisor reporting 0 or a
    nonsense value), or a level smaller than the one below it, counts as
    unknown: the gemm blocks then fall back to defaults for it.
    """

    l1d: int | None = None
    l2: int | None = None
    l3: int | None = None
    l2_shared_by: int | None = None
    l3_shared_by: int | None = None
    source: str = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {"l1d": self.l1d, "l2": self.l2, "l3": self.l3, "l2_shared_by": self.l2_shared_by,
                "l3_shared_by": self.l3_shared_by, "source": self.source}


#: plausible sizes per level, bytes (inclusive): anything else is unknown
CACHE_LIMITS = {"l1d": (4 << 10, 4 << 20), "l2": (32 << 10, 256 << 20), "l3": (256 << 10, 16 << 30)}


def _sane_caches(sizes: dict[int, tuple[int, int | None]], source: str) -> CacheInfo:
    """CacheInfo from {level: (bytes, logical CPUs sharing it)}, each level
    checked against CACHE_LIMITS and against the level below it."""
    out: dict[str, Any] = {}
    below = 0
    for level, key in ((1, "l1d"), (2, "l2"), (3, "l3")):
        size, shared = sizes.get(level, (0, None))
        lo, hi = CACHE_LIMITS[key]
        if isinstance(size, int) and lo <= size <= hi and size >= below:
            out[key] = size
            below = size
            if level > 1 and isinstance(shared, int) and 1 <= shared <= 65536:
                out[f"{key}_shared_by"] = shared
    if not out:
        return CacheInfo(source="unknown")
    return CacheInfo(source=source, **out)


def caches_from_cpuid(subleaves: Iterable[tuple[int, int, int, int]], source: str = "cpuid") -> CacheInfo:
    """The caches described by the subleaves (eax, ebx, ecx, edx) of CPUID
    leaf 4 (Intel) or 0x8000001D (AMD), which share one format: EAX[4:0]
    type (0 = no more caches, 1 data, 2 instruction, 3 unified), EAX[7:5]
    level, EAX[25:14] logical CPUs sharing it minus one; size = (ways) x
    (partitions) x (line size) x (sets), from EBX[31:22], EBX[21:12],
    EBX[11:0] and ECX, each plus one."""
    sizes: dict[int, tuple[int, int | None]] = {}
    for eax, ebx, ecx, _edx in subleaves:
        kind, level = eax & 0x1F, (eax >> 5) & 0x7
        if kind == 0:
            break
        if kind == 2 or level in sizes:  # instruction caches; the first of a level counts
            continue
        size = ((ebx >> 22) + 1) * (((ebx >> 12) & 0x3FF) + 1) * ((ebx & 0xFFF) + 1) * (ecx + 1)
        sizes[level] = (size, ((eax >> 14) & 0xFFF) + 1)
    return _sane_caches(sizes, source)


def _parse_size(text: str) -> int:
    """sysfs' cache size ("32K", "1024K", "8M", "512"), in bytes; ValueError if not one."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG]?)\s*", text, re.IGNORECASE)
    if m is None:
        raise ValueError(f"not a cache size: {text!r}")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def _cpu_list_count(text: str) -> int | None:
    """How many CPUs a sysfs list ("0-3,8-11") names; None if malformed."""
    count = 0
    for part in text.strip().split(","):
        lo, sep, hi = part.partition("-")
        try:
            count += (int(hi) - int(lo) + 1) if sep else (1 if int(lo) >= 0 else 0)
        except ValueError:
            return None
    return count or None


def caches_from_sysfs(entries: Iterable[dict[str, str]]) -> CacheInfo:
    """The caches from Linux's /sys/devices/system/cpu/cpu0/cache/index*/
    files, one dict per index with the files' text ("level", "type",
    "size", "shared_cpu_list"; missing or malformed ones are skipped)."""
    sizes: dict[int, tuple[int, int | None]] = {}
    for e in entries:
        try:
            level = int(e.get("level", "").strip())
            kind = e.get("type", "").strip().lower()
            size = _parse_size(e.get("size", ""))
        except ValueError:
            continue
        if kind not in ("data", "unified") or level in sizes:
            continue
        sizes[level] = (size, _cpu_list_count(e.get("shared_cpu_list", "")))
    return _sane_caches(sizes, "sysfs")


_SYSFS_CACHE = "/sys/devices/system/cpu/cpu0/cache"


def _read_sysfs(root: str = _SYSFS_CACHE) -> CacheInfo:
    entries = []
    try:
        names = sorted(n for n in os.listdir(root) if n.startswith("index"))
    except OSError:
        return CacheInfo()
    for name in names:
        e = {}
        for f in ("level", "type", "size", "shared_cpu_list"):
            try:
                with open(os.path.join(root, name, f), encoding="ascii", errors="replace") as fh:
                    e[f] = fh.read(256)
            except OSError:
                pass
        entries.append(e)
    return caches_from_sysfs(entries)


def _cpuid_caches() -> CacheInfo:
    """x86: leaf 4 where the CPU has it (Intel; AMD CPUs report it empty),
    then AMD's 0x8000001D (with TOPOEXT, CPUID 0x80000001 ECX bit 22)."""
    def leaves(leaf: int) -> list[tuple[int, int, int, int]]:
        return [tuple(_cpuid.raw_cpuid(leaf, i)) for i in range(16)]  # type: ignore[misc]

    info = CacheInfo()
    if _cpuid.raw_cpuid(0, 0)[0] >= 4:
        info = caches_from_cpuid(leaves(4), "cpuid leaf 4")
    if info.l1d is None and _cpuid.raw_cpuid(0x80000000, 0)[0] >= 0x8000001D \
            and _cpuid.raw_cpuid(0x80000001, 0)[2] >> 22 & 1:
        info = caches_from_cpuid(leaves(0x8000001D), "cpuid 0x8000001D")
    return info


@functools.lru_cache(maxsize=None)
def cache_info() -> CacheInfo:
    """This machine's caches (see :class:`CacheInfo`), detected once per
    process: CPUID on x86, else (or where CPUID tells nothing, e.g. under
    some hypervisors) Linux's sysfs; all None when nothing is known. Never
    raises."""
    try:
        info = CacheInfo()
        if arch_family(_detect()[0]) == "x86":
            try:
                info = _cpuid_caches()
            except (OSError, AttributeError):
                info = CacheInfo()
        if info.l1d is None and info.l2 is None:
            info = _read_sysfs()
        return info
    except Exception:  # detection is a hint: never the reason hostlib fails
        return CacheInfo()
