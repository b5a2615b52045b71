"""What the kernels interface's spec says about its entries, for Python.

Read from the description the generator writes from ``interface/kernels.toml``
(``hostlib.kernels_interface``), so that every Python list of entries -- the
numpy-facing functions, the ufuncs and the numpy patch, tune's catalogue,
the report's rows, the benchmarks -- comes from the one spec. Importing this
is cheap and starts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class EntryInfo:
    """One entry of an interface and what its spec says of it (the keys are
    documented in README, "Your own interface")."""

    name: str
    slot: int
    minor: int
    doc: str = ""
    retired: bool = False
    #: the name without its variant letter: the numpy-facing function
    function: str = ""
    #: numpy dtype name of the variant ("float64"), "" without one
    dtype: str = ""
    kind: str = "other"
    split: str = "none"
    split_min: int = 0
    reproducible: bool = False
    ufunc: dict[str, str] | None = None
    verify: dict[str, Any] = field(default_factory=dict)
    bench: dict[str, Any] = field(default_factory=dict)
    #: the status the portable table's stub answers when it has no code for
    #: the entry ("" if it has): served by that stub alone, nothing computes it
    unavailable: str = ""

    @property
    def nin(self) -> int:
        """Inputs of an elementwise entry: 1 (split map), 2 (map2); else 0."""
        return {"map": 1, "map2": 2}.get(self.split, 0)

    @classmethod
    def from_description(cls, d: Any) -> "EntryInfo":
        """From a description's entry: a dict (this generator), or the
        ``(name, minor, doc, retired)`` tuple of older generators, whose
        entries carry no metadata (kind "other", never split)."""
        if isinstance(d, dict):
            known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
            return cls(**known)
        name, minor, doc, retired = d
        return cls(name=str(name), slot=-1, minor=int(minor), doc=str(doc), retired=bool(retired),
                   function=str(name))


def entries(description: dict[str, Any]) -> tuple[EntryInfo, ...]:
    """Every entry of a description, by slot."""
    out = []
    for slot, d in enumerate(description["entries"]):
        e = EntryInfo.from_description(d)
        if e.slot != slot:
            e = EntryInfo(**{**e.__dict__, "slot": slot})
        out.append(e)
    return tuple(out)


@lru_cache(maxsize=None)
def kernels() -> dict[str, EntryInfo]:
    """The served entries of hostlib's own kernels interface, by name."""
    from ..kernels_interface import INTERFACE

    return {e.name: e for e in entries(INTERFACE) if not e.retired}


#: the kinds of the kernels interface that have numpy-facing functions
#: (hostlib._numpy._wrappers); the level-2/3 entries are reached from C,
#: Cython and the table only
NUMPY_KINDS = ("level1", "elementwise", "gemm")


def functions(kind: str | None = None) -> tuple[str, ...]:
    """The numpy-facing functions of the kernels interface (``hostlib.exp``,
    ``hostlib.dot``, ...), in spec order, of one kind or all."""
    return tuple(dict.fromkeys(e.function for e in kernels().values()
                               if e.kind in NUMPY_KINDS and kind in (None, e.kind)))


def ufunc_loops() -> dict[str, dict[str, str]]:
    """numpy ufunc name -> {dtype name: the entry serving that loop}."""
    out: dict[str, dict[str, str]] = {}
    for e in kernels().values():
        if e.ufunc:
            out.setdefault(e.ufunc["name"], {})[e.dtype] = e.name
    return out


def entry_of(function: str, dtype: str) -> EntryInfo:
    """The entry of a function for a numpy dtype name: ("exp", "float64") -> dexp's."""
    for e in kernels().values():
        if e.function == function and e.dtype == dtype:
            return e
    raise KeyError(f"no entry serves {function} for {dtype}")
