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

__all__ = ["NAME", "FEATURES", "PRIORITY", "ENTRY_PRIORITY", "EXTENSION", "THREADED", "set_num_threads"]

#: above hostlib's own lapack tables (portable; SIMD modules at their
#: kernels priorities, 10-30)
PRIORITY = 40
#: LU and Cholesky, below hostlib's avx2 and avx512 tables (20, 30) and above
#: sse2 (10): measured on Zen 4 (benchmarks, section linalg), float64, one
#: thread, their getrf runs 1.13x OpenBLAS's at n = 500 and 1.02x at 2000,
#: potrf 1.31x and 1.0x, and numpy.linalg on stacks of small matrices 1.5-3.5x
#: numpy's own where OpenBLAS runs 0.8-1.5x (its per-call cost); sse2's
#: tables run about half OpenBLAS's speed at large n. QR stays OpenBLAS's
#: (native geqrf 0.81x at n = 500).
ENTRY_PRIORITY = {f"{p}{r}": 15 for p in "sd" for r in ("getrf", "getrs", "getri", "potrf", "potrs")}
EXTENSION = "kernels_openblas._openblas_lapack"
