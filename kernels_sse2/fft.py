"""The SSE2 module's fft table for hostlib (metadata only).

The same CPU features and priority as the module's kernels table; the
transforms live in a second extension module, registered in the
``hostlib.fft`` entry-point group.
"""

from . import FEATURES, NAME, PRIORITY

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION"]

EXTENSION = "kernels_sse2._sse2_fft"
