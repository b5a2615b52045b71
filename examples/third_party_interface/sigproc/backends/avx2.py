"""AVX2 + FMA filters (metadata only; see sigproc/backends/__init__.py).

FEATURES is also what meson.build derives the compiler flags of the
compiled part from (``hostlib.generate cflags --module``), so the
declaration covers every instruction the compiler may emit.
"""

NAME = "avx2"
FEATURES = ("AVX2", "FMA3")
PRIORITY = 20
EXTENSION = "sigproc.backends._avx2"
