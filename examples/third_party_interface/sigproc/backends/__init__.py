"""sigproc's SIMD providers of the ``filters`` interface.

Each submodule here is pure-Python metadata that hostlib reads before it
imports anything compiled: ``sse2`` and ``avx2`` are registered in the
entry-point group ``sigproc.filters`` (pyproject.toml), and their compiled
parts (``_sse2``, ``_avx2``) are imported only on a CPU with every feature
they declare. The portable table (``sigproc._portable``) is not registered
here: the spec names it as the interface's complete fallback.
"""
