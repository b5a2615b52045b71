"""sigproc: signal-processing filters whose kernels hostlib serves.

sigproc defines a kernel interface of its own, ``filters`` (the spec
``filters.toml`` in the source tree), ships a portable, an SSE2 and an AVX2
provider of it, and lets the installed hostlib pick the best one the CPU
runs, like hostlib's own kernels::

    >>> import numpy as np, hostlib, sigproc
    >>> y = sigproc.biquad(x, b=(0.2, 0.4, 0.2), a=(1.0, -0.4, 0.2))
    >>> hostlib.active(interface="filters")
    {'biquad': 'avx2', 'fir': 'avx2'}
    >>> with hostlib.using("portable", interface="filters"):
    ...     sigproc.fir(x, taps)

The functions are imported on first access: this package also holds the
metadata modules hostlib reads while it starts the ``filters`` interface
(``sigproc.filters_interface``, ``sigproc.backends.*``), so importing it
must not itself start that interface.
"""

from __future__ import annotations

import os
from typing import Any

__version__ = "0.1.0"
__all__ = ["biquad", "fir", "get_include"]

#: what the Cython consumer (sigproc._filters) defines
_FILTERS = ("biquad", "fir", "table_name", "kernel_address")


def __getattr__(name: str) -> Any:
    if name in _FILTERS:
        from . import _filters  # binds to hostlib's filters table (import_sigproc())

        found = {n: getattr(_filters, n) for n in _FILTERS}
        globals().update(found)
        return found[name]
    raise AttributeError(f"module 'sigproc' has no attribute {name!r}")


def get_include() -> str:
    """Directory of ``sigproc_stubs.h`` / ``sigproc_stubs.pxd`` and the
    table headers, for other extensions that call the ``filters`` kernels
    (they also need ``hostlib.get_include()``)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "include")
