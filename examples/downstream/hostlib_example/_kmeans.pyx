# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""k-means (Lloyd's algorithm) written on hostlib's kernels.

How a downstream Cython module uses hostlib, in three steps:

1. ``cimport`` what it needs from ``hostlib.stubs`` (the .pxd installed in
   the hostlib package, which Cython finds on ``sys.path`` as it finds
   numpy's; meson's ``dependency('hostlib')`` gives the C compiler the
   header; nothing is copied);
2. call ``import_hostlib()`` once, at module level: it fetches hostlib's
   capsule and checks the ABI, raising ImportError (naming both versions) if
   this module was built against a newer or incompatible hostlib;
3. call kernels like plain C functions: ``hostlib_ddot(n, x, 1, y, 1)``.
   They need no GIL, and each call goes to the table hostlib has active at
   that moment, so ``hostlib.use("sse2")`` redirects them without a rebuild.

The distance of point x to centroid c is computed as
``x.x - 2 x.c + c.c``: ``x.x`` with ddot, ``c.c`` with dnrm2, and all the
``x.c`` of a block of points at once with one dgemm. The centroid update
sums points with daxpy and divides by the counts with dscal.
"""

from libc.math cimport INFINITY
from libc.stdint cimport uintptr_t
from libc.string cimport memcpy

from hostlib.stubs cimport (
    HOSTLIB_NOTRANS,
    HOSTLIB_TRANS,
    hostlib_daxpy,
    hostlib_ddot,
    hostlib_dgemm,
    hostlib_dnrm2,
    hostlib_dscal,
    hostlib_kernels_current,
    hostlib_kernels_table,
    import_hostlib,
)

import numpy as np

# Once per module: binds this module to hostlib's table and checks the ABI.
import_hostlib()

# Points whose dot products with all centroids are computed by one dgemm
# call: bounds the scratch memory to BLOCK * k doubles.
cdef enum:
    BLOCK = 256


cdef double _lloyd_step(
    const double *x, Py_ssize_t n, Py_ssize_t d,
    const double *c, Py_ssize_t k,
    double *new_c, Py_ssize_t *labels, Py_ssize_t *counts,
    double *c_sq, double *gram,
) noexcept nogil:
    """One Lloyd iteration on C-contiguous arrays. new_c and counts must be
    zero on entry. Returns the inertia of the assignment (sum of squared
    distances of each point to its nearest centroid in c)."""
    cdef Py_ssize_t i, j, start, rows, best
    cdef const double *xi
    cdef double x_sq, dist, best_dist, norm, inertia = 0.0

    for j in range(k):
        norm = hostlib_dnrm2(d, c + j * d, 1)
        c_sq[j] = norm * norm

    start = 0
    while start < n:
        rows = min(<Py_ssize_t>BLOCK, n - start)
        # gram[i, j] = x[start + i] . c[j]   (rows x k = X_block @ C^T)
        hostlib_dgemm(HOSTLIB_NOTRANS, HOSTLIB_TRANS, rows, k, d,
                      1.0, x + start * d, d, c, d, 0.0, gram, k)
        for i in range(rows):
            xi = x + (start + i) * d
            x_sq = hostlib_ddot(d, xi, 1, xi, 1)
            best = 0
            best_dist = INFINITY
            for j in range(k):
                dist = x_sq - 2.0 * gram[i * k + j] + c_sq[j]
                if dist < best_dist:
                    best_dist = dist
                    best = j
            labels[start + i] = best
            counts[best] += 1
            inertia += best_dist if best_dist > 0.0 else 0.0  # rounding can go below 0
            hostlib_daxpy(d, 1.0, xi, 1, new_c + best * d, 1)  # new_c[best] += x_i
        start += rows

    for j in range(k):
        if counts[j] > 0:
            hostlib_dscal(d, 1.0 / counts[j], new_c + j * d, 1)
        else:
            # an empty cluster keeps its centroid
            memcpy(new_c + j * d, c + j * d, d * sizeof(double))
    return inertia


def _as_matrix(obj, name):
    a = np.ascontiguousarray(obj, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty 2-d array, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains inf or nan")
    return a


def kmeans_step(X, centroids):
    """One Lloyd iteration: assign each row of ``X`` to its nearest centroid,
    then move each centroid to the mean of its points (a centroid without
    points stays where it is).

    Returns ``(new_centroids, labels, inertia)``; ``inertia`` is the sum of
    squared distances of the points to the centroids they were assigned to.
    """
    X = _as_matrix(X, "X")
    C = _as_matrix(centroids, "centroids")
    if C.shape[1] != X.shape[1]:
        raise ValueError(f"centroids have {C.shape[1]} columns, X has {X.shape[1]}")
    cdef const double[:, ::1] x = X
    cdef const double[:, ::1] c = C
    cdef Py_ssize_t n = x.shape[0], d = x.shape[1], k = c.shape[0]

    new = np.zeros((k, d))
    labels = np.empty(n, dtype=np.intp)
    cdef double[:, ::1] new_v = new
    cdef Py_ssize_t[::1] labels_v = labels
    cdef Py_ssize_t[::1] counts = np.zeros(k, dtype=np.intp)
    cdef double[::1] c_sq = np.empty(k)
    cdef double[::1] gram = np.empty(min(<Py_ssize_t>BLOCK, n) * k)
    cdef double inertia

    with nogil:
        inertia = _lloyd_step(&x[0, 0], n, d, &c[0, 0], k, &new_v[0, 0], &labels_v[0],
                              &counts[0], &c_sq[0], &gram[0])
    return new, labels, inertia


def kmeans(X, init, max_iter=100, tol=1e-10, seed=0):
    """Lloyd's algorithm until the centroids stop moving.

    ``init`` is either the initial centroids (k x d) or a number k of
    distinct rows of ``X`` to start from (drawn with ``seed``). Stops after
    ``max_iter`` iterations or when the centroids move by at most
    ``tol * max(1, |centroids|)`` (Frobenius norms).

    Returns ``(centroids, labels, inertia, n_iter)``, where labels and
    inertia belong to the returned centroids.
    """
    X = _as_matrix(X, "X")
    if isinstance(init, (int, np.integer)):
        if not 1 <= init <= X.shape[0]:
            raise ValueError(f"k={init} must be between 1 and the number of points {X.shape[0]}")
        rows = np.random.default_rng(seed).choice(X.shape[0], size=int(init), replace=False)
        C = X[np.sort(rows)]
    else:
        C = _as_matrix(init, "init").copy()
    cdef Py_ssize_t kd = C.size
    cdef const double[::1] old_v, new_v
    cdef double[::1] diff
    cdef double moved, size
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        new, labels, inertia = kmeans_step(X, C)
        old_v = C.reshape(-1)
        new_v = new.reshape(-1)
        diff = new.reshape(-1).copy()
        hostlib_daxpy(kd, -1.0, &old_v[0], 1, &diff[0], 1)  # diff = new - old
        moved = hostlib_dnrm2(kd, &diff[0], 1)
        size = hostlib_dnrm2(kd, &new_v[0], 1)
        C = new
        if moved <= tol * max(1.0, size):
            break
    _, labels, inertia = kmeans_step(X, C)
    return C, labels, inertia, n_iter


# ---------------------------------------------------------------- inspection

def kernel_address(entry):
    """Address of the function this module's calls to ``entry`` go to right
    now (read from the table hostlib has active). Compare with
    ``hostlib._kernels_host.slot_address(backend, entry)``."""
    cdef const hostlib_kernels_table *t = hostlib_kernels_current()
    if entry == "ddot":
        return <uintptr_t>t.ddot
    if entry == "dnrm2":
        return <uintptr_t>t.dnrm2
    if entry == "daxpy":
        return <uintptr_t>t.daxpy
    if entry == "dscal":
        return <uintptr_t>t.dscal
    if entry == "dgemm":
        return <uintptr_t>t.dgemm
    raise ValueError(f"this module uses ddot, dnrm2, daxpy, dscal and dgemm, not {entry!r}")


def table_name():
    """Name of the table this module's calls go to, e.g. 'hostlib[avx2,portable]'."""
    return hostlib_kernels_current().header.name.decode()
