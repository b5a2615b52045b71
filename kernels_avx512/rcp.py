"""The avx512_rcp backend (metadata only): float32/float64 log with the
division replaced by a reciprocal estimate and Newton's method.

The same AVX-512 templates as kernels_avx512 (see its docstring), differing
in one instruction sequence whose speed depends on the core's divider: on
AMD Zen 5 the division is faster, on Intel server cores (vdivpd: 8 doubles
per 16 cycles) the estimate should be. The avx512 backend serves the log
by default; run ``hostlib tune`` to let the measurement choose. Accuracy
is the same (within 1 ULP, tested like every backend).
"""

NAME = "avx512_rcp"
FEATURES = ("AVX512F",)
#: below avx512 (30): by default the division serves; tune decides by measurement
PRIORITY = 25
EXTENSION = "kernels_avx512._avx512_rcp"
