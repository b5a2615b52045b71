"""SSE2 kernels for hostlib (metadata only).

hostlib reads this module before importing the compiled part: importing it
runs no compiled code. FEATURES is also what the build derives the compiler
flags from, so the declaration covers every instruction the kernels may use.
"""

NAME = "sse2"
FEATURES = ("SSE2",)
PRIORITY = 10
EXTENSION = "kernels_sse2._sse2"
