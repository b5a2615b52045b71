"""SSE2 filters (metadata only; see sigproc/backends/__init__.py).

FEATURES is also what meson.build derives the compiler flags of the
compiled part from (``hostlib.generate cflags --module``), so the
declaration covers every instruction the compiler may emit.
"""

NAME = "sse2"
FEATURES = ("SSE2",)
PRIORITY = 10
EXTENSION = "sigproc.backends._sse2"
