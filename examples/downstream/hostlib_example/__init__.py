"""Example downstream package: k-means on hostlib's kernels.

The loops are this package's own Cython code (``_kmeans.pyx``); every
vector operation in them is a hostlib kernel called through
``hostlib_stubs.pxd``, so it runs on whichever backend hostlib has active
(``hostlib.use()`` / ``hostlib.using()`` switch it, no rebuild needed).
"""

from ._kmeans import kernel_address, kmeans, kmeans_step, table_name

__all__ = ["kmeans", "kmeans_step", "kernel_address", "table_name"]
