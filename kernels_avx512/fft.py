"""The AVX-512 module's fft table for hostlib (metadata only).

The same CPU features and priority as the package's kernels table; the
transforms (hostlib's simd/fft.h over vec_avx512.h) live in a second
extension module, registered in the ``hostlib.fft`` entry-point group.
"""

from . import FEATURES, NAME, PRIORITY

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION"]

EXTENSION = "kernels_avx512._fft"
