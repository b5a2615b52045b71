"""The OpenBLAS wheel's lapack table for hostlib (metadata only).

Registered in the ``hostlib.lapack`` entry-point group. The compiled part,
``kernels_openblas._openblas_lapack``, serves all 44 entries of hostlib's
lapack interface (getrf, getrs, getri, potrf, potrs, geqrf, orgqr/ungqr,
syevd/heevd, gesdd, gelsd, geev for float32, float64, complex64 and
complex128) by calling the LAPACK inside scipy-openblas32's
``libscipy_openblas``, the library the kernels table uses.

The same CPU requirement as the kernels table (see the package's
docstring). PRIORITY is above hostlib's own lapack tables: OpenBLAS's
factorizations are blocked and threaded, and it is the only table here with
eigensolvers, the SVD and least squares (the portable table answers
HOSTLIB_LAPACK_EUNAVAILABLE for those).

THREADED: OpenBLAS runs its own thread pool, so the host never splits its
calls and gives it hostlib's thread budget through ``set_num_threads``
(the package's: one pool for both tables).
"""

from . import FEATURES, NAME, THREADED, set_num_threads

__all__ = ["NAME", "FEATURES", "PRIORITY", "EXTENSION", "THREADED", "set_num_threads"]

#: above hostlib's own lapack tables (portable; SIMD modules at their
#: kernels priorities, 10-30)
PRIORITY = 40
EXTENSION = "kernels_openblas._openblas_lapack"
