"""The MKL wheel's fft table for hostlib (metadata only).

Registered in the ``hostlib.fft`` entry-point group. The compiled part,
``kernels_mkl._mkl_fft``, serves all six planners of hostlib's fft
interface (c2c, r2c, c2r; float32, float64): each plan commits MKL DFTI
descriptors, in the libmkl_rt the kernels table loads (one MKL, one set of
threads), and runs each call with the threads hostlib's pool allows it.

Same CPU requirement as the kernels table; THREADED, with the package's
``set_num_threads`` (MKL's threads, shared by every table) and ``details``
(the report's MKL lines: version, code path, ...).
"""

from . import FEATURES, NAME, THREADED, details, missing_dependency, set_num_threads

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION", "THREADED", "set_num_threads", "missing_dependency",
           "details"]

#: as the kernels table's: below every hostlib SIMD table, above only the
#: portable one; `hostlib tune --interface fft` serves it where it measures
#: fastest (README: measured on AMD Zen 4, where it does not)
PRIORITY = 3
EXTENSION = "kernels_mkl._mkl_fft"
