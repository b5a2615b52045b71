"""The MKL wheel's lapack table for hostlib (metadata only).

Registered in the ``hostlib.lapack`` entry-point group. The compiled part,
``kernels_mkl._mkl_lapack``, serves all 44 entries of hostlib's lapack
interface from MKL's ILP64 LAPACK (64-bit sizes: nothing is too large for
it), in the libmkl_rt the kernels table loads (one MKL, one set of threads).

Same CPU requirement as the kernels table; THREADED, with the package's
``set_num_threads`` (MKL's threads, shared by every table) and ``details``
(the report's MKL lines: version, code path, ...).
"""

from . import FEATURES, NAME, THREADED, details, missing_dependency, set_num_threads

__all__ = ["NAME", "FEATURES", "PRIORITY", "ENTRY_PRIORITY", "EXTENSION", "THREADED", "set_num_threads",
           "missing_dependency", "details"]

#: below the OpenBLAS table (40) and above hostlib's own lapack tables, so
#: it serves the eigensolvers, SVD and least squares where OpenBLAS is not
#: installed, and installing it beside OpenBLAS changes nothing until
#: `hostlib.use("mkl", interface="lapack")` (hostlib tune does not measure
#: this interface yet)
PRIORITY = 35
#: LU and Cholesky: below hostlib's avx2 and avx512 tables (20, 30), which
#: measured faster than OpenBLAS's (kernels_openblas/lapack.py), and below
#: OpenBLAS's own 15 for them; above sse2 (10)
ENTRY_PRIORITY = {f"{p}{r}": 14 for p in "sd" for r in ("getrf", "getrs", "getri", "potrf", "potrs")}
EXTENSION = "kernels_mkl._mkl_lapack"
