/*
 * _mkl.c -- a hostlib kernel table that forwards to Intel MKL (libmkl_rt of
 * the PyPI `mkl` distribution, resolved at import: _mkl_rt.h).
 *
 * What the table provides:
 *   level 1   axpy, dot, scal, asum, nrm2 (s and d) through cblas; sum has
 *             no BLAS routine and stays NULL.
 *   gemm      s and d through cblas, row-major.
 *   level 2/3 ABI 1.2's gemv, ger, trsv, trsm, syrk (s and d), complex gemm
 *             and herk (c and z) through cblas, row-major, after hostlib's
 *             argument checks (simd/blas_args.h: a bad argument returns -i
 *             and cblas, which would print, is not called); the wrappers
 *             are forward/cblas_forward.h's, shared with the OpenBLAS
 *             wheel. ILP64: never HOSTLIB_ETOOLARGE.
 *   elementwise  the interface's functions through MKL's vector math (VM)
 *             in its high-accuracy mode, with the explicit-mode calls
 *             (vmdExp(n, a, r, mode)) so that no global VM mode is read or
 *             changed: mode = VML_HA | VML_ERRMODE_NOERR (errors neither set
 *             errno nor VM's status nor call a callback). The caller's
 *             floating-point flags are kept and IEEE's raised (see "VM"
 *             below). Which functions the table fills is MK_VM_ENTRIES; the
 *             comment there says why sqrt is left out.
 *
 * Integers: every call uses MKL's ILP64 symbols (`cblas_ddot_64`,
 * `vmdExp_64`: 64-bit sizes and increments), so hostlib's ptrdiff_t sizes
 * go through as they are and nothing is cut into int-sized pieces.
 *
 * hostlib's table is numpy-style, MKL is BLAS; the wrappers translate as the
 * OpenBLAS backend's do (kernels_openblas/_openblas.c):
 *   strides   element i of x is x[i*incx] and x points at logical element 0;
 *             BLAS points at the lowest address for a negative increment.
 *             asum, nrm2 and scal, whose result does not depend on the
 *             order, are called with the increment made positive; a zero
 *             increment (BLAS leaves it undefined or ignores the call) is
 *             computed here.
 *   alpha==0  axpy and scal compute 0*x here: inf and nan give nan, as in
 *             hostlib's kernels (a BLAS may skip the call).
 *   nrm2      an inf among the elements gives inf, also next to a nan.
 *   gemm      k == 0 is done here (C = beta*C, C not read when beta == 0);
 *             a leading dimension cblas refuses (rows going backwards,
 *             overlapping or repeated) is packed into a copy, or for such a
 *             C computed one row at a time.
 *   vectors   of the level-2 entries: a negative increment points cblas at
 *             the lowest-addressed element, as for level 1.
 *   VM        every layout (strides of any sign, in place, overlapping)
 *             through stack buffers of MK_CHUNK elements, one contiguous VM
 *             call per chunk (why: the comment above MK_CHUNK).
 *
 * Compiled with baseline flags: MKL picks its code path for the CPU at run
 * time, so the table declares no CPU feature.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_mkl_rt.h"
#include "hostlib_kernels_table.h"
#include "forward/cblas_forward.h" /* the forwarding shapes shared with the OpenBLAS wheel */

#ifndef KERNELS_MKL_VERSION
#error "the build passes -DKERNELS_MKL_VERSION=\"x.y.z\""
#endif

/* ------------------------------------------------------------------------ */
/* the MKL functions this table calls                                       */
/* ------------------------------------------------------------------------ */

/* VM's mode word (mkl_vml_defines.h): high accuracy, errors not reported */
#define MK_VML_HA 0x00000002u
#define MK_VML_ERRMODE_NOERR 0x00002000u
static const uint64_t mk_vm_mode = MK_VML_HA | MK_VML_ERRMODE_NOERR;

#define MK_BLAS_SYMBOLS(X)                                                                              \
    X(float, cblas_sdot_64, (mk_int, const float *, mk_int, const float *, mk_int))                     \
    X(double, cblas_ddot_64, (mk_int, const double *, mk_int, const double *, mk_int))                  \
    X(void, cblas_saxpy_64, (mk_int, float, const float *, mk_int, float *, mk_int))                    \
    X(void, cblas_daxpy_64, (mk_int, double, const double *, mk_int, double *, mk_int))                 \
    X(void, cblas_sscal_64, (mk_int, float, float *, mk_int))                                           \
    X(void, cblas_dscal_64, (mk_int, double, double *, mk_int))                                         \
    X(float, cblas_sasum_64, (mk_int, const float *, mk_int))                                           \
    X(double, cblas_dasum_64, (mk_int, const double *, mk_int))                                         \
    X(float, cblas_snrm2_64, (mk_int, const float *, mk_int))                                           \
    X(double, cblas_dnrm2_64, (mk_int, const double *, mk_int))                                         \
    X(void, cblas_sgemm_64, (int, int, int, mk_int, mk_int, mk_int, float, const float *, mk_int,       \
                             const float *, mk_int, float, float *, mk_int))                            \
    X(void, cblas_dgemm_64, (int, int, int, mk_int, mk_int, mk_int, double, const double *, mk_int,     \
                             const double *, mk_int, double, double *, mk_int))                         \
    MK_LEVEL23_SYMBOLS(X, s, float) MK_LEVEL23_SYMBOLS(X, d, double)                                    \
    MK_COMPLEX23_SYMBOLS(X, c, float) MK_COMPLEX23_SYMBOLS(X, z, double)

/* ABI 1.2's level-2/3 routines (cblas.h's prototypes, CBLAS's enums as int) */
#define MK_LEVEL23_SYMBOLS(X, p, T)                                                                     \
    X(void, cblas_##p##gemv_64, (int, int, mk_int, mk_int, T, const T *, mk_int, const T *, mk_int, T, \
                                 T *, mk_int))                                                          \
    X(void, cblas_##p##ger_64, (int, mk_int, mk_int, T, const T *, mk_int, const T *, mk_int, T *,      \
                                mk_int))                                                                \
    X(void, cblas_##p##trsv_64, (int, int, int, int, mk_int, const T *, mk_int, T *, mk_int))           \
    X(void, cblas_##p##trsm_64, (int, int, int, int, int, mk_int, mk_int, T, const T *, mk_int, T *,    \
                                 mk_int))                                                               \
    X(void, cblas_##p##syrk_64, (int, int, int, mk_int, mk_int, T, const T *, mk_int, T, T *, mk_int))
/* complex: the elements (and gemm's alpha and beta) by address, herk's R real */
#define MK_COMPLEX23_SYMBOLS(X, p, R)                                                                   \
    X(void, cblas_##p##gemm_64, (int, int, int, mk_int, mk_int, mk_int, const void *, const void *,     \
                                 mk_int, const void *, mk_int, const void *, void *, mk_int))           \
    X(void, cblas_##p##herk_64, (int, int, int, mk_int, mk_int, R, const void *, mk_int, R, void *,     \
                                 mk_int))

/*
 * The elementwise entries VM serves: X(hostlib name, VM name). One line per
 * function; a function whose VM result does not meet hostlib's contract is
 * not listed (README, "What stays NULL"), and the host serves it from
 * another table:
 *   sqrt   IEEE 754 and numpy's sqrt are correctly rounded; VM's vsSqrt and
 *          vdSqrt in high-accuracy mode are not (measured on
 *          tests/test_math_accuracy.py's samples: 0.75 ULP float32, 0.52
 *          ULP float64, MKL 2026.2), so sqrt(x*x) == |x| and friends would
 *          fail where MKL served it.
 */
#define MK_VM_ENTRIES(X)                                                                               \
    X(exp, Exp, MK_ZERO_UNDER) X(log, Ln, MK_POLE) X(sin, Sin, 0) X(cos, Cos, 0) X(tan, Tan, 0)       \
    X(arcsin, Asin, 0) X(arccos, Acos, 0) X(arctan, Atan, 0) X(sinh, Sinh, 0) X(cosh, Cosh, 0)         \
    X(tanh, Tanh, 0) X(arcsinh, Asinh, 0) X(arccosh, Acosh, 0) X(arctanh, Atanh, MK_POLE)             \
    X(exp2, Exp2, MK_ZERO_UNDER | MK_EXACT_TINY) X(expm1, Expm1, 0) X(log2, Log2, MK_POLE)            \
    X(log10, Log10, MK_POLE) X(log1p, Log1p, MK_POLE) X(cbrt, Cbrt, 0)
#define MK_VM_ENTRIES2(X)                                                                              \
    X(power, Pow, MK_POLE | MK_ZERO_UNDER | MK_EXACT_TINY | MK_POWER) X(arctan2, Atan2, MK_ZERO_UNDER)  \
    X(hypot, Hypot, MK_EXACT_TINY)

/* VM's signatures (contiguous calls), one and two inputs */
typedef void mk_vm_s(mk_int, const float *, float *, uint64_t);
typedef void mk_vm_d(mk_int, const double *, double *, uint64_t);
typedef void mk_vm2_s(mk_int, const float *, const float *, float *, uint64_t);
typedef void mk_vm2_d(mk_int, const double *, const double *, double *, uint64_t);

#define MK_VM_SYM1(h, V, cls) X(mk_vm_s, vms##V##_64) X(mk_vm_d, vmd##V##_64)
#define MK_VM_SYM2(h, V, cls) X(mk_vm2_s, vms##V##_64) X(mk_vm2_d, vmd##V##_64)

/* declare the VM pointers: static mk_vm_d *mk_vmdExp_64; ... */
#define X(type, sym) static type *mk_##sym;
MK_VM_ENTRIES(MK_VM_SYM1)
MK_VM_ENTRIES2(MK_VM_SYM2)
#undef X

MK_DEFINE_LOADER(MK_BLAS_SYMBOLS)

static int mk_load_vm(void)
{
#define X(type, sym)                                               \
    if ((*(void **)&mk_##sym = dlsym(mk_handle_, #sym)) == NULL) { \
        return mk_missing_(#sym);                                  \
    }
    MK_VM_ENTRIES(MK_VM_SYM1)
    MK_VM_ENTRIES2(MK_VM_SYM2)
#undef X
    return 0;
}

/* ------------------------------------------------------------------------ */
/* level 1                                                                   */
/* ------------------------------------------------------------------------ */

/* BLAS's view of n elements starting at logical element 0 */
#define MK_BPTR(p, n, inc) ((inc) < 0 ? (p) + ((n)-1) * (inc) : (p))

#define MK_DOT(name, T, ACC, blas)                                                       \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy)  \
    {                                                                                    \
        if (n <= 0) {                                                                    \
            return 0;                                                                    \
        }                                                                                \
        if (incx == 0 || incy == 0) { /* BLAS leaves a zero increment undefined */      \
            ACC s = 0;                                                                   \
            for (ptrdiff_t i = 0; i < n; i++) {                                          \
                s += (ACC)x[i * incx] * (ACC)y[i * incy];                                \
            }                                                                            \
            return (T)s;                                                                 \
        }                                                                                \
        return mk_##blas(n, MK_BPTR(x, n, incx), incx, MK_BPTR(y, n, incy), incy);       \
    }
MK_DOT(mk_sdot, float, double, cblas_sdot_64)
MK_DOT(mk_ddot, double, double, cblas_ddot_64)

#define MK_AXPY(name, T, blas)                                                               \
    static void name(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy) \
    {                                                                                        \
        if (n <= 0) {                                                                        \
            return;                                                                          \
        }                                                                                    \
        if (incx == 0 || incy == 0 || alpha == 0) { /* in order, 0*inf and 0*nan are nan */ \
            for (ptrdiff_t i = 0; i < n; i++) {                                              \
                y[i * incy] = y[i * incy] + alpha * x[i * incx];                             \
            }                                                                                \
            return;                                                                          \
        }                                                                                    \
        mk_##blas(n, alpha, MK_BPTR(x, n, incx), incx, MK_BPTR(y, n, incy), incy);           \
    }
MK_AXPY(mk_saxpy, float, cblas_saxpy_64)
MK_AXPY(mk_daxpy, double, cblas_daxpy_64)

/* scal, asum and nrm2: forward/cblas_forward.h's translations, then one
   MKL call */
FW_SCAL(mk_sscal, float, mk_cblas_sscal_64)
FW_SCAL(mk_dscal, double, mk_cblas_dscal_64)
FW_ASUM(mk_sasum, float, mk_cblas_sasum_64)
FW_ASUM(mk_dasum, double, mk_cblas_dasum_64)
FW_NRM2(mk_snrm2, float, HUGE_VALF, mk_cblas_snrm2_64)
FW_NRM2(mk_dnrm2, double, HUGE_VAL, mk_cblas_dnrm2_64)

/* ------------------------------------------------------------------------ */
/* gemm                                                                      */
/* ------------------------------------------------------------------------ */

/*
 * C = alpha*op(A)@op(B) + beta*C, row-major; stored A is m x k (k x m with
 * trans_a), stored B k x n (n x k with trans_b).
 *  1. k == 0: C = beta*C here (C not read when beta == 0);
 *  2. A or B with a leading dimension cblas refuses: a packed copy. Without
 *     memory for it, the plain loop of step 4;
 *  3. such a C: packed when its rows do not overlap (copied back after),
 *     else one cblas call per row, in order;
 *  4. (no memory) a plain loop, element by element, row by row.
 */
#define MK_GEMM(name, T, blas)                                                                   \
    static void name##_loop(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,      \
                            const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c,  \
                            ptrdiff_t ldc)                                                       \
    {                                                                                            \
        for (ptrdiff_t i = 0; i < m; i++) {                                                      \
            for (ptrdiff_t j = 0; j < n; j++) {                                                  \
                T s = 0;                                                                         \
                for (ptrdiff_t p = 0; p < k; p++) {                                              \
                    s += (ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]); \
                }                                                                                \
                T *cij = c + i * ldc + j;                                                        \
                *cij = beta == 0 ? alpha * s : alpha * s + beta * *cij;                          \
            }                                                                                    \
        }                                                                                        \
    }                                                                                            \
                                                                                                 \
    static void name(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,   \
                     const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c,         \
                     ptrdiff_t ldc)                                                              \
    {                                                                                            \
        if (m <= 0 || n <= 0) {                                                                  \
            return;                                                                              \
        }                                                                                        \
        if (k <= 0) { /* C = beta*C; with beta == 0, C is not read */                           \
            FW_GEMM_K0(T, m, n, beta, c, ldc);                                                   \
            return;                                                                              \
        }                                                                                        \
        const ptrdiff_t ar = trans_a ? k : m, ac = trans_a ? m : k;                              \
        const ptrdiff_t br = trans_b ? n : k, bc = trans_b ? k : n;                              \
        T *apack = NULL, *bpack = NULL, *cpack = NULL;                                           \
        if (fw_bad_ld(ar, ac, lda, PTRDIFF_MAX)) {                                               \
            if ((apack = fw_pack(a, ar, ac, lda, sizeof(T), 1)) == NULL) goto plain;             \
            a = apack;                                                                           \
            lda = ac;                                                                            \
        }                                                                                        \
        if (fw_bad_ld(br, bc, ldb, PTRDIFF_MAX)) {                                               \
            if ((bpack = fw_pack(b, br, bc, ldb, sizeof(T), 1)) == NULL) goto plain;             \
            b = bpack;                                                                           \
            ldb = bc;                                                                            \
        }                                                                                        \
        const int ta = trans_a ? FW_TRANS : FW_NOTRANS, tb = trans_b ? FW_TRANS : FW_NOTRANS;    \
        if (!fw_bad_ld(m, n, ldc, PTRDIFF_MAX)) {                                                \
            mk_##blas(FW_ROW_MAJOR, ta, tb, m, n, k, alpha, a, fw_ld(ar, ac, lda), b,            \
                      fw_ld(br, bc, ldb), beta, c, fw_ld(m, n, ldc));                            \
        } else if ((ldc <= -n || ldc >= n)                                                       \
                   && (cpack = fw_pack(c, m, n, ldc, sizeof(T), beta != 0)) != NULL) {           \
            mk_##blas(FW_ROW_MAJOR, ta, tb, m, n, k, alpha, a, fw_ld(ar, ac, lda), b,            \
                      fw_ld(br, bc, ldb), beta, cpack, n);                                       \
            fw_unpack(c, cpack, m, n, ldc, sizeof(T));                                           \
        } else { /* rows of C overlap: one row at a time, in order */                            \
            for (ptrdiff_t i = 0; i < m; i++) {                                                  \
                const T *ai = trans_a ? a + i : a + i * lda;                                     \
                mk_##blas(FW_ROW_MAJOR, ta, tb, 1, n, k, alpha, ai, fw_ld(trans_a ? k : 1, trans_a ? 1 : k, lda), \
                          b, fw_ld(br, bc, ldb), beta, c + i * ldc, n);                          \
            }                                                                                    \
        }                                                                                        \
        free(apack);                                                                             \
        free(bpack);                                                                             \
        free(cpack);                                                                             \
        return;                                                                                  \
    plain:                                                                                       \
        free(apack);                                                                             \
        name##_loop(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);             \
    }
MK_GEMM(mk_sgemm, float, cblas_sgemm_64)
MK_GEMM(mk_dgemm, double, cblas_dgemm_64)

/* ------------------------------------------------------------------------ */
/* level 2 and 3 (ABI 1.2): checked here, then one cblas call               */
/* ------------------------------------------------------------------------ */

/* MKL's ILP64 cblas takes every ptrdiff_t size, increment and leading
   dimension as it is: nothing is ever too large (no HOSTLIB_ETOOLARGE) */
#define MK_FITS(...) 1
#define MK_NAME(r) mk_##r
#define MK_CBLAS(r) mk_cblas_##r##_64
FW_LEVEL23(s, float, MK_NAME, MK_CBLAS, mk_int, MK_FITS)
FW_LEVEL23(d, double, MK_NAME, MK_CBLAS, mk_int, MK_FITS)
FW_COMPLEX23(c, hostlib_complex64, float, MK_NAME, MK_CBLAS, mk_int, MK_FITS)
FW_COMPLEX23(z, hostlib_complex128, double, MK_NAME, MK_CBLAS, mk_int, MK_FITS)

/* ------------------------------------------------------------------------ */
/* elementwise: VM                                                           */
/* ------------------------------------------------------------------------ */

/*
 * Every call goes through buffers of MK_CHUNK elements: gather the inputs,
 * one contiguous VM call, check, scatter. Two things measured on MKL 2026.2
 * decide it:
 *  - VM's strided (`I`) calls and its contiguous ones differ in the last
 *    bit on some elements (sinh, cosh, arccosh, expm1, log1p, hypot), so a
 *    value would depend on the array's layout; cut the same way for every
 *    layout, a value depends on its position in its chunk only, as with a
 *    contiguous call of the same length.
 *  - VM's floating-point flags are not IEEE's (exp(inf) raises invalid, sin
 *    of normal arguments overflow, exp of normal ones underflow, log2(-inf)
 *    no invalid), and numpy turns flags into warnings or errors. So the
 *    caller's flags are kept (feholdexcept before, fesetenv after) and the
 *    IEEE ones computed from each input and result (mk_flags): invalid for
 *    a nan from non-nan inputs, divide-by-zero for an infinity from finite
 *    ones at a pole, overflow for other such infinities, underflow for a
 *    tiny inexact result.
 * The buffers' inputs also survive an in-place call, which the check needs.
 */
enum { MK_CHUNK = 1024 };

/* how a function's flags are found (mk_flags) */
enum {
    MK_POLE = 1,        /* an infinity from finite arguments is a pole: divide-by-zero (power: x == 0) */
    MK_ZERO_UNDER = 2,  /* a zero from a non-zero argument x is an underflow (the value is not 0) */
    MK_EXACT_TINY = 4,  /* a tiny result may be exact (exp2 of an integer, hypot with a zero, power) */
    MK_POWER = 8,
    MK_ATAN2 = 16,
};

/* IEEE's flags for one element: x (and y for two inputs) gave r */
static int mk_flags(double x, double y, int two, double r, double tiny, int is_float, int cls)
{
    const int in_nan = isnan(x) || (two && isnan(y));
    const int in_finite = isfinite(x) && (!two || isfinite(y));
    if (isnan(r)) {
        return in_nan ? 0 : FE_INVALID;
    }
    if (!in_finite) {
        return 0;
    }
    if (isinf(r)) {
        if ((cls & MK_POLE) && (!(cls & MK_POWER) || x == 0)) {
            return FE_DIVBYZERO;
        }
        return FE_OVERFLOW | FE_INEXACT;
    }
    if (fabs(r) >= tiny) {
        return 0;
    }
    if (r == 0) { /* exact unless the function never reaches 0 from there */
        if ((cls & MK_ZERO_UNDER) && x != 0) {
            return FE_UNDERFLOW | FE_INEXACT;
        }
        return 0;
    }
    if (cls & MK_EXACT_TINY) {
        if ((cls & MK_POWER) && is_float) { /* float32: exact when the double result is a float */
            const double d = pow(x, y);
            if ((double)(float)d == d) {
                return 0;
            }
        } else if (!(cls & MK_POWER) && (two ? (x == 0 || y == 0) : x == nearbyint(x))) {
            return 0; /* hypot(0, y) = |y|, exp2(integer) */
        }
    }
    return FE_UNDERFLOW | FE_INEXACT;
}

/* the flags of a chunk: only elements whose result is not a normal finite
   number need a look */
#define MK_CHECK(name, T, TINY, HUGE_, IS_FLOAT)                                                 \
    static int name(const T *bx, const T *by, const T *br, ptrdiff_t c, int cls)                 \
    {                                                                                            \
        int f = 0;                                                                               \
        for (ptrdiff_t j = 0; j < c; j++) {                                                      \
            const T a = br[j] < 0 ? -br[j] : br[j];                                              \
            if (!(a >= TINY && a <= HUGE_)) {                                                    \
                f |= mk_flags(bx[j], by ? by[j] : 0, by != NULL, br[j], TINY, IS_FLOAT, cls);    \
            }                                                                                    \
        }                                                                                        \
        return f;                                                                                \
    }
MK_CHECK(mk_check_s, float, FLT_MIN, FLT_MAX, 1)
MK_CHECK(mk_check_d, double, DBL_MIN, DBL_MAX, 0)

/* numpy's power gives x*x, sqrt(x) and 1/x for y = 2, 0.5, -1 (its fast
   paths, also those of x**2 etc.), and code compares results computed both
   ways; VM's pow does not always round them alike: those exponents take
   numpy's values (sqrt only where pow's special cases agree with it: not
   at -0 and -inf) */
#define MK_POWER_EXACT(name, T, SQRT)                                            \
    static void name(const T *bx, const T *by, T *br, ptrdiff_t c)               \
    {                                                                            \
        for (ptrdiff_t j = 0; j < c; j++) {                                      \
            const T x = bx[j], y = by[j];                                        \
            if (y == 2) {                                                        \
                br[j] = x * x;                                                   \
            } else if (y == -1) {                                                \
                br[j] = (T)1 / x;                                                \
            } else if (y == (T)0.5 && x != 0 && !isinf(x)) {                     \
                br[j] = SQRT(x);                                                 \
            }                                                                    \
        }                                                                        \
    }
MK_POWER_EXACT(mk_power_exact_s, float, sqrtf)
MK_POWER_EXACT(mk_power_exact_d, double, sqrt)
#define mk_power_exact(bx, by, br, c) _Generic((bx), float *: mk_power_exact_s, double *: mk_power_exact_d)(bx, by, br, c)

/* y[i*incy] = f(x[i*incx]) (by == NULL), or z = f(x, y) */
#define MK_MAP(name, T, VM, VM2, CHECK)                                                          \
    static void name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy, T *z,  \
                     ptrdiff_t incz, VM *f, VM2 *f2, int cls)                                    \
    {                                                                                            \
        if (n <= 0) {                                                                            \
            return;                                                                              \
        }                                                                                        \
        T bx[MK_CHUNK], by[MK_CHUNK], br[MK_CHUNK];                                              \
        fenv_t env;                                                                              \
        feholdexcept(&env);                                                                      \
        int flags = 0;                                                                           \
        for (ptrdiff_t i = 0; i < n; i += MK_CHUNK) {                                            \
            const ptrdiff_t c = n - i < MK_CHUNK ? n - i : MK_CHUNK;                             \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                bx[j] = x[(i + j) * incx];                                                       \
            }                                                                                    \
            if (f2 != NULL) {                                                                    \
                for (ptrdiff_t j = 0; j < c; j++) {                                              \
                    by[j] = y[(i + j) * incy];                                                   \
                }                                                                                \
                f2(c, bx, by, br, mk_vm_mode);                                                   \
                if (cls & MK_POWER) {                                                            \
                    mk_power_exact(bx, by, br, c);                                               \
                }                                                                                \
            } else {                                                                             \
                f(c, bx, br, mk_vm_mode);                                                        \
            }                                                                                    \
            flags |= CHECK(bx, f2 != NULL ? by : NULL, br, c, cls);                              \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                z[(i + j) * incz] = br[j];                                                       \
            }                                                                                    \
        }                                                                                        \
        feclearexcept(FE_ALL_EXCEPT);                                                            \
        fesetenv(&env); /* the caller's flags, then IEEE's for this call */                     \
        if (flags) {                                                                             \
            feraiseexcept(flags);                                                                \
        }                                                                                        \
    }
MK_MAP(mk_map_s, float, mk_vm_s, mk_vm2_s, mk_check_s)
MK_MAP(mk_map_d, double, mk_vm_d, mk_vm2_d, mk_check_d)

/* one table function per VM function and type */
#define MK_VM_FN(h, V, cls)                                                                      \
    static void mk_s##h(ptrdiff_t n, const float *x, ptrdiff_t incx, float *y, ptrdiff_t incy)   \
    {                                                                                            \
        mk_map_s(n, x, incx, NULL, 0, y, incy, mk_vms##V##_64, NULL, cls);                       \
    }                                                                                            \
    static void mk_d##h(ptrdiff_t n, const double *x, ptrdiff_t incx, double *y, ptrdiff_t incy) \
    {                                                                                            \
        mk_map_d(n, x, incx, NULL, 0, y, incy, mk_vmd##V##_64, NULL, cls);                       \
    }
#define MK_VM_FN2(h, V, cls)                                                                     \
    static void mk_s##h(ptrdiff_t n, const float *x, ptrdiff_t incx, const float *y, ptrdiff_t incy, \
                        float *z, ptrdiff_t incz)                                                \
    {                                                                                            \
        mk_map_s(n, x, incx, y, incy, z, incz, NULL, mk_vms##V##_64, cls);                       \
    }                                                                                            \
    static void mk_d##h(ptrdiff_t n, const double *x, ptrdiff_t incx, const double *y,           \
                        ptrdiff_t incy, double *z, ptrdiff_t incz)                               \
    {                                                                                            \
        mk_map_d(n, x, incx, y, incy, z, incz, NULL, mk_vmd##V##_64, cls);                       \
    }
MK_VM_ENTRIES(MK_VM_FN)
MK_VM_ENTRIES2(MK_VM_FN2)

/* ------------------------------------------------------------------------ */
/* the table                                                                 */
/* ------------------------------------------------------------------------ */

#define MK_SLOTS(h, V, cls) .s##h = mk_s##h, .d##h = mk_d##h,
static const hostlib_kernels_table mkl_table = {
    HOSTLIB_KERNELS_HEADER("mkl", KERNELS_MKL_VERSION, 0),
    .saxpy = mk_saxpy,
    .daxpy = mk_daxpy,
    .sdot = mk_sdot,
    .ddot = mk_ddot,
    .sscal = mk_sscal,
    .dscal = mk_dscal,
    .sasum = mk_sasum,
    .dasum = mk_dasum,
    .snrm2 = mk_snrm2,
    .dnrm2 = mk_dnrm2,
    .sgemm = mk_sgemm,
    .dgemm = mk_dgemm,
    FW_SLOTS23(MK_NAME),
    MK_VM_ENTRIES(MK_SLOTS) MK_VM_ENTRIES2(MK_SLOTS)
    /* sum: no BLAS routine; NULL, served by another table */
};

/* ------------------------------------------------------------------------ */
/* the module                                                                */
/* ------------------------------------------------------------------------ */

static int mk_load(void)
{
    return MK_LOAD(MK_BLAS_SYMBOLS) < 0 || mk_load_vm() < 0 ? -1 : 0;
}

MK_TABLE_MODULE(_mkl, mkl_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE,
                "hostlib kernel table forwarding to Intel MKL (libmkl_rt, loaded at import), exported as _C_API,\n"
                "and MKL's own controls.")
