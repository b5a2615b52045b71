"""AVX-512 kernels for hostlib (metadata only).

hostlib reads this module before it imports the compiled part
(``kernels_avx512._avx512``): importing it runs no compiled code, so it is
safe on any CPU. The kernels are hostlib's own templates (simd/level1.h,
elementwise.h, gemm.h, installed with hostlib) compiled over this package's
vector layer, vec_avx512.h: 8 x float64 / 16 x float32 lanes.

FEATURES is also what the build derives the compiler flags from (hostlib's
``python -m hostlib.generate cflags --module kernels_avx512/__init__.py``), so the
declaration covers every instruction the compiler may emit. The layer uses
AVX512F intrinsics only, and only AVX512F is declared: the compiler then
rejects any AVX512DQ/BW/VL intrinsic, instead of the kernels executing an
instruction hostlib never checked for (numpy issue 27745). AVX512F implies
AVX2 and FMA3 (hostlib/features.toml), which the flags and the check include.

Where the compiler cannot target AVX-512, or on a machine that is not x86,
the wheel holds this file only, and hostlib reports the backend as
"not built" (or as "unsupported" on a CPU without AVX512F).
"""

NAME = "avx512"
FEATURES = ("AVX512F",)
#: above the bundled sse2 (10) and avx2 (20): on a CPU with AVX-512 it serves
#: every entry it provides
PRIORITY = 30
EXTENSION = "kernels_avx512._avx512"
