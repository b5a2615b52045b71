"""The SSE2 module's lapack table for hostlib (metadata only).

The same CPU features and priority as the module's kernels table; the
factorizations and solves (simd/lapack.h over this module's vector layer)
live in a third extension module, registered in the hostlib.lapack
entry-point group.
"""

from . import FEATURES, NAME, PRIORITY

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION"]

EXTENSION = "kernels_sse2._sse2_lapack"
