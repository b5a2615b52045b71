"""Threads: the host's one thread pool (``pool.c``), the wrappers that split
calls of the entries with a split class over it and the C controls
threadpoolctl calls (``_threads``), and its Python controls and
threadpoolctl registration (``control``)."""
