"""Kernel parameters: gemm's cache blocks derived from the detected caches.

A kernel module may implement two module-level functions (the protocol is
in the README, "Writing a kernel module"):

* ``hostlib_parameters() -> dict``: e.g. ``{"dgemm": {"mr": 8, "nr": 16,
  "mc": 96, "kc": 256, "nc": 4096}, "sgemm": {...}}``; ``mr`` and ``nr``
  are facts of its compiled micro-kernel, the rest what it uses now;
* ``hostlib_set_parameters(name, **values)``: sets some of them, checks
  them (ValueError or TypeError, nothing changed, on a bad one).

The modules built from ``simd/gemm.h`` implement both. When the host loads
such a module it calls :func:`apply_derived` once: the blocks
:func:`derive` computes from this machine's caches replace the compiled
defaults. :func:`apply` and :func:`current` are what a tuner calls to try
others. Nothing here raises into the host: a module whose functions fail
keeps its defaults, and the reason is recorded.
"""

from __future__ import annotations

from typing import Any

from . import cpu as _cpu
from . import spec as _spec

__all__ = ["DEFAULT_CACHES", "derive", "derived_for", "apply", "current", "apply_derived", "element_size"]

_ITEMSIZE = {"float32": 4, "float64": 8}


def element_size(name: str) -> int | None:
    """Bytes per element of a gemm parameter set, which is named after its
    entry ("dgemm"): from the spec's dtype; None for any other set."""
    e = _spec.kernels().get(name)
    return _ITEMSIZE.get(e.dtype) if e is not None and e.kind == "gemm" else None

#: the caches assumed where detection found nothing (older x86 cores: 32 KiB
#: L1d, 256 KiB L2, an 8 MiB L3): blocks that fit them fit every current core
DEFAULT_CACHES = _cpu.CacheInfo(l1d=32 << 10, l2=256 << 10, l3=8 << 20, source="defaults")

# Bounds of the derived blocks, in elements. KC above 512 measured no faster
# on Zen 4 (768: 6% slower at n = 4096), and a deep KC makes each packed A
# block take more of L2 for the same MC. NC: a floor so that A (packed once
# per NC columns) is not re-packed too often where L3 is small or unknown.
KC_MIN, KC_MAX = 128, 512
NC_MIN, NC_MAX = 512, 4096


def _fill(caches: _cpu.CacheInfo | None) -> _cpu.CacheInfo:
    """The caches with every unknown level taken from DEFAULT_CACHES."""
    c = caches or _cpu.CacheInfo()
    d = DEFAULT_CACHES
    return _cpu.CacheInfo(l1d=c.l1d or d.l1d, l2=c.l2 or d.l2, l3=c.l3 or d.l3, l2_shared_by=c.l2_shared_by,
                          l3_shared_by=c.l3_shared_by, source=c.source)


def _round_down(x: float, unit: int, lo: int, hi: int) -> int:
    """x rounded down to a multiple of unit, within [lo, hi] rounded the same way (at least unit)."""
    lo = max(unit, -(-lo // unit) * unit)
    hi = max(lo, hi // unit * unit)
    return min(hi, max(lo, int(x) // unit * unit))


def derive(caches: _cpu.CacheInfo | None, mr: int, nr: int, elem: int) -> dict[str, int]:
    """gemm's cache blocks (mc, kc, nc, in elements) for a micro-kernel of
    mr x nr elements of elem bytes, on a core with these caches (unknown
    levels: DEFAULT_CACHES).

    The loops (simd/gemm.h): a KC x NC block of B is packed into NR-wide
    micro-panels, an MC x KC block of A into MR-tall ones; the micro-kernel
    runs one B micro-panel against every A micro-panel of the block.

    * kc: the B micro-panel (KC x NR) takes two L1d's worth. It stays in
      L1 in the textbook blocking (one L1's worth at most); on Zen 4 that
      (KC = 128-256) measured 3-10% slower than KC = 512 at n >= 2048:
      the micro-kernel loads one B vector per MR / 2 FMAs, which L2 feeds,
      and what a deeper KC saves is passes over C (every KC slice reads and
      writes all of C; each call's C tile costs the same whatever KC).
      Bounded by KC_MIN, KC_MAX.
    * mc: the packed A block (MC x KC) takes half of L2, the other half for
      the B micro-panels streaming through and C's tiles; a multiple of MR.
    * nc: the packed B block (KC x NC) takes an eighth of the L3 instance
      (each thread of the pool packs its own, L3 is shared, and C and A
      stream through it too), within NC_MIN..NC_MAX; a multiple of NR. On
      a Zen 5 (32 MiB L3), one thread at n = 4096: dgemm 110-115 GFLOP/s
      at NC = 1024-1536 against 99-105 at 4096 (half of L3), sgemm 233-238
      at 1024-2048 against 217-224 at 4096.
    """
    c = _fill(caches)
    kc = _round_down(2 * c.l1d / (nr * elem), 16, KC_MIN, KC_MAX)
    mc = _round_down(c.l2 / 2 / (kc * elem), mr, mr, 16 * 1024)
    nc = _round_down(c.l3 / 8 / (kc * elem), nr, NC_MIN, NC_MAX)
    return {"mc": mc, "kc": kc, "nc": nc}


def current(module: Any) -> dict[str, dict[str, int]] | None:
    """The module's parameters (``hostlib_parameters()``), or None if it
    has none (or its function fails)."""
    fn = getattr(module, "hostlib_parameters", None)
    if not callable(fn):
        return None
    try:
        got = fn()
        return {str(k): {str(p): int(v) for p, v in dict(vals).items()} for k, vals in dict(got).items()}
    except (Exception, SystemExit):  # a third-party hook may raise anything, even sys.exit()
        return None


def apply(module: Any, values: dict[str, dict[str, int]]) -> None:
    """Set parameters on a module: ``{"dgemm": {"mc": 96, "kc": 256}}``.
    Raises the module's ValueError/TypeError for a bad value, and
    TypeError if the module has no ``hostlib_set_parameters``."""
    fn = getattr(module, "hostlib_set_parameters", None)
    if not callable(fn):
        raise TypeError(f"{getattr(module, '__name__', module)!r} has no hostlib_set_parameters()")
    for name, vals in values.items():
        fn(name, **vals)


def derived_for(module: Any, caches: _cpu.CacheInfo | None = None) -> dict[str, dict[str, int]]:
    """What :func:`derive` gives for each gemm parameter set of a module
    (its mr, nr from ``hostlib_parameters()``); empty if it has none."""
    have = current(module) or {}
    caches = _cpu.cache_info() if caches is None else caches
    return {name: derive(caches, p["mr"], p["nr"], size)
            for name, p in have.items()
            if (size := element_size(name)) is not None and p.get("mr", 0) > 0 and p.get("nr", 0) > 0}


def apply_derived(module: Any, caches: _cpu.CacheInfo | None = None) -> str:
    """Give a freshly loaded module the blocks derived from the caches.
    Returns "" if done or nothing to do, else why not (never raises: a
    module that refuses keeps its compiled defaults)."""
    try:
        values = derived_for(module, caches)
        if values:
            apply(module, values)
        return ""
    except (Exception, SystemExit) as exc:  # a third-party hook may raise anything, even sys.exit()
        return f"{type(exc).__name__}: {exc}"
