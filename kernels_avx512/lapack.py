"""The AVX-512 module's lapack table for hostlib (metadata only).

The same CPU features and priority as the package's kernels table; the
factorizations and solves (hostlib's simd/lapack.h over vec_avx512.h) live
in a third extension module, registered in the ``hostlib.lapack``
entry-point group.
"""

from . import FEATURES, NAME, PRIORITY

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION"]

EXTENSION = "kernels_avx512._lapack"
