/*
 * _portable.c -- hostlib's portable kernel table, hostlib_portable_table:
 * complete (every entry set), plain C11, the last fallback on every
 * platform. Its module init code is interface/provider_module.c.
 *
 *   level-1      the template the SIMD modules use (simd/level1.h), over the
 *                one-lane scalar layer: same algorithms, same accuracy
 *   elementwise  the C library function the spec names for each entry
 *                (`libm`), over strided arrays
 *   gemm         the template the SIMD modules use (simd/gemm.h: packed
 *                panels, cache blocking, a register-blocked micro-kernel)
 *                over the same scalar layer
 *   level-2/3    the templates the SIMD modules use (simd/level2.h,
 *                simd/level3.h) over the same scalar layer
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "hostlib_kernels_table.h"
#include "hostlib_kernels_entries.h"
#include "vec_scalar.h"
#include "level1.h"
#include "gemm.h"
#include "level2.h"
#include "level3.h"

/* ---------------- elementwise: y[i*incy] = f(x[i*incx]) ---------------- */

/* The contiguous loop is separate so that the compiler can vectorise it
   where f is an instruction (sqrt, with -fno-math-errno: 2-4x faster). */
#define PORTABLE_map(name, T, f)                                                            \
    static void portable_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy) \
    {                                                                                       \
        if (incx == 1 && incy == 1) {                                                       \
            for (ptrdiff_t i = 0; i < n; i++) {                                             \
                y[i] = f(x[i]);                                                             \
            }                                                                               \
            return;                                                                         \
        }                                                                                   \
        for (ptrdiff_t i = 0; i < n; i++) {                                                 \
            y[i * incy] = f(x[i * incx]);                                                   \
        }                                                                                   \
    }
/* z[i*incz] = f(x[i*incx], y[i*incy]) */
#define PORTABLE_map2(name, T, f)                                                           \
    static void portable_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y,        \
                                ptrdiff_t incy, T *z, ptrdiff_t incz)                       \
    {                                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                 \
            z[i * incz] = f(x[i * incx], y[i * incy]);                                      \
        }                                                                                   \
    }
/* one map per entry the spec names a C library function for, of its split class */
#define PORTABLE_LIBM_MAP(slot, name, T, f, split) PORTABLE_##split(name, T, f)
HOSTLIB_KERNELS_LIBM_ENTRIES(PORTABLE_LIBM_MAP)
#undef PORTABLE_LIBM_MAP
#undef PORTABLE_map
#undef PORTABLE_map2

/* ---------------- the table ---------------- */

#define SIMD_TABLE_NAME hostlib_portable_table
#define PORTABLE_LIBM_ENTRY(slot, name, ...) .name = portable_##name,
#define SIMD_EXTRA_ENTRIES HOSTLIB_KERNELS_LIBM_ENTRIES(PORTABLE_LIBM_ENTRY)
#include "kernels_table.h"
