"""AArch64 Advanced SIMD (NEON) kernels for hostlib (metadata only).

hostlib reads this module before importing the compiled part: importing it
runs no compiled code. FEATURES is also what the build derives the compiler
flags from (-march=armv8-a+simd), so the declaration covers every
instruction the kernels may use. Built on aarch64 only.
"""

NAME = "neon"
FEATURES = ("ASIMD",)
PRIORITY = 20
EXTENSION = "kernels_neon._neon"
