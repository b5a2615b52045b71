"""AVX2 + FMA kernels for hostlib (metadata only).

hostlib reads this module before importing the compiled part: importing it
runs no compiled code. FEATURES is also what the build derives the compiler
flags from, so the declaration covers every instruction the kernels may use.
"""

NAME = "avx2"
FEATURES = ("AVX2", "FMA3")
PRIORITY = 20
EXTENSION = "kernels_avx2._avx2"
