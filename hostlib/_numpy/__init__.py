"""numpy integration: the numpy-facing functions and ufuncs on the active
kernels table (``_wrappers``), the inner loops they share with numpy's own
ufuncs (``ufunc_loops.h``), and swapping numpy's loops for them
(``_loops``, ``patch``: :func:`hostlib.patch_numpy`)."""
