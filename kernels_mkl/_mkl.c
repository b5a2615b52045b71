/*
 * _mkl.c -- a hostlib kernel table that forwards to Intel MKL (libmkl_rt of
 * the PyPI `mkl` distribution, resolved at import: _mkl_rt.h).
 *
 * What the table provides:
 *   level 1   axpy, dot, scal, asum, nrm2 (s and d) through cblas; sum has
 *             no BLAS routine and stays NULL.
 *   gemm      s and d through cblas, row-major.
 *   elementwise  the interface's 24 functions through MKL's vector math
 *             (VM) in its high-accuracy mode, with the explicit-mode calls
 *             (vmdExp(n, a, r, mode)) so that no global VM mode is read or
 *             changed: mode = VML_HA | VML_ERRMODE_NOERR (errors neither set
 *             errno nor VM's status nor call a callback; the values are
 *             C99's, which numpy's flags come from). Which of them the table
 *             fills is MK_VM_ENTRIES below; the README says why an entry is
 *             left out.
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
 *   VM        VM's contiguous calls take in place (r == a) or disjoint
 *             arrays; strided ones (the `I` calls) positive increments.
 *             Anything else (negative or zero strides, arrays overlapping
 *             otherwise) goes through a buffer on the stack, 256 elements
 *             at a time.
 *
 * Compiled with baseline flags: MKL picks its code path for the CPU at run
 * time, so the table declares no CPU feature.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_mkl_rt.h"
#include "hostlib_kernels_table.h"

#ifndef KERNELS_MKL_VERSION
#error "the build passes -DKERNELS_MKL_VERSION=\"x.y.z\""
#endif

/* ------------------------------------------------------------------------ */
/* the MKL functions this table calls                                       */
/* ------------------------------------------------------------------------ */

/* CBLAS's enums (cblas.h) */
enum { MK_ROW_MAJOR = 101, MK_NOTRANS = 111, MK_TRANS = 112 };

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
                             const double *, mk_int, double, double *, mk_int))

/*
 * The elementwise entries VM serves: X(hostlib name, VM name). One line per
 * function; a function whose VM result does not meet hostlib's contract is
 * not listed (README, "What stays NULL"), and the host serves it from
 * another table.
 */
#define MK_VM_ENTRIES(X)                                                                               \
    X(exp, Exp) X(log, Ln) X(sqrt, Sqrt) X(sin, Sin) X(cos, Cos) X(tan, Tan) X(arcsin, Asin)          \
    X(arccos, Acos) X(arctan, Atan) X(sinh, Sinh) X(cosh, Cosh) X(tanh, Tanh) X(arcsinh, Asinh)       \
    X(arccosh, Acosh) X(arctanh, Atanh) X(exp2, Exp2) X(expm1, Expm1) X(log2, Log2) X(log10, Log10)   \
    X(log1p, Log1p) X(cbrt, Cbrt)
#define MK_VM_ENTRIES2(X) X(power, Pow) X(arctan2, Atan2) X(hypot, Hypot)

/* VM's signatures: contiguous and strided (`I`), one and two inputs */
typedef void mk_vm_s(mk_int, const float *, float *, uint64_t);
typedef void mk_vm_d(mk_int, const double *, double *, uint64_t);
typedef void mk_vmi_s(mk_int, const float *, mk_int, float *, mk_int, uint64_t);
typedef void mk_vmi_d(mk_int, const double *, mk_int, double *, mk_int, uint64_t);
typedef void mk_vm2_s(mk_int, const float *, const float *, float *, uint64_t);
typedef void mk_vm2_d(mk_int, const double *, const double *, double *, uint64_t);
typedef void mk_vm2i_s(mk_int, const float *, mk_int, const float *, mk_int, float *, mk_int, uint64_t);
typedef void mk_vm2i_d(mk_int, const double *, mk_int, const double *, mk_int, double *, mk_int, uint64_t);

#define MK_VM_SYM1(h, V) \
    X(mk_vm_s, vms##V##_64) X(mk_vm_d, vmd##V##_64) X(mk_vmi_s, vms##V##I_64) X(mk_vmi_d, vmd##V##I_64)
#define MK_VM_SYM2(h, V) \
    X(mk_vm2_s, vms##V##_64) X(mk_vm2_d, vmd##V##_64) X(mk_vm2i_s, vms##V##I_64) X(mk_vm2i_d, vmd##V##I_64)

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

#define MK_SCAL(name, T, blas)                                                  \
    static void name(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)                \
    {                                                                           \
        if (n <= 0) {                                                           \
            return;                                                             \
        }                                                                       \
        if (incx == 0) { /* in order: x[0] is multiplied n times */             \
            T v = x[0];                                                         \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                v = alpha * v;                                                  \
            }                                                                   \
            x[0] = v;                                                           \
            return;                                                             \
        }                                                                       \
        if (incx < 0) { /* the same elements, lowest address first */          \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        if (alpha == 0) { /* no shortcut: nan * 0 stays nan, like numpy */      \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                x[i * incx] = alpha * x[i * incx];                              \
            }                                                                   \
            return;                                                             \
        }                                                                       \
        mk_##blas(n, alpha, x, incx);                                           \
    }
MK_SCAL(mk_sscal, float, cblas_sscal_64)
MK_SCAL(mk_dscal, double, cblas_dscal_64)

#define MK_ASUM(name, T, blas)                                                  \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx)                      \
    {                                                                           \
        if (n <= 0) {                                                           \
            return 0;                                                           \
        }                                                                       \
        if (incx == 0) {                                                        \
            return (T)((double)n * fabs((double)x[0]));                         \
        }                                                                       \
        if (incx < 0) {                                                         \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        return mk_##blas(n, x, incx);                                           \
    }
MK_ASUM(mk_sasum, float, cblas_sasum_64)
MK_ASUM(mk_dasum, double, cblas_dasum_64)

/* hostlib's rule: inf wins over nan (like math.hypot); checked only after a
   nan result */
#define MK_NRM2(name, T, HUGE, blas)                                            \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx)                      \
    {                                                                           \
        if (n <= 0) {                                                           \
            return 0;                                                           \
        }                                                                       \
        if (incx == 0) {                                                        \
            return (T)(sqrt((double)n) * fabs((double)x[0]));                   \
        }                                                                       \
        if (incx < 0) {                                                         \
            x += (n - 1) * incx;                                                \
            incx = -incx;                                                       \
        }                                                                       \
        const T r = mk_##blas(n, x, incx);                                      \
        if (isnan(r)) {                                                         \
            for (ptrdiff_t i = 0; i < n; i++) {                                 \
                if (isinf(x[i * incx])) {                                       \
                    return HUGE;                                                \
                }                                                               \
            }                                                                   \
        }                                                                       \
        return r;                                                               \
    }
MK_NRM2(mk_snrm2, float, HUGE_VALF, cblas_snrm2_64)
MK_NRM2(mk_dnrm2, double, HUGE_VAL, cblas_dnrm2_64)

/* ------------------------------------------------------------------------ */
/* gemm                                                                      */
/* ------------------------------------------------------------------------ */

/* a leading dimension cblas refuses (it needs ld >= max(1, cols)); harmless
   for a matrix of at most one row, whose ld is then replaced */
static int mk_bad_ld(ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld)
{
    return rows > 1 && ld < (cols > 1 ? cols : 1);
}

static mk_int mk_ld(ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld)
{
    return rows > 1 || ld >= (cols > 1 ? cols : 1) ? ld : (cols > 1 ? cols : 1);
}

/* a packed copy of rows x cols elements (row stride ld, any sign), or NULL */
static void *mk_pack(const void *src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld, size_t size, int copy)
{
    if ((size_t)rows > SIZE_MAX / size / (size_t)cols) {
        return NULL;
    }
    char *dst = malloc((size_t)rows * (size_t)cols * size);
    if (dst != NULL && copy) {
        for (ptrdiff_t i = 0; i < rows; i++) {
            memcpy(dst + (size_t)i * (size_t)cols * size, (const char *)src + i * ld * (ptrdiff_t)size,
                   (size_t)cols * size);
        }
    }
    return dst;
}

static void mk_unpack(void *dst, const void *src, ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld, size_t size)
{
    for (ptrdiff_t i = 0; i < rows; i++) {
        memcpy((char *)dst + i * ld * (ptrdiff_t)size, (const char *)src + (size_t)i * (size_t)cols * size,
               (size_t)cols * size);
    }
}

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
        if (k <= 0) {                                                                            \
            for (ptrdiff_t i = 0; i < m; i++) {                                                  \
                for (ptrdiff_t j = 0; j < n; j++) {                                              \
                    c[i * ldc + j] = beta == 0 ? (T)0 : beta * c[i * ldc + j];                   \
                }                                                                                \
            }                                                                                    \
            return;                                                                              \
        }                                                                                        \
        const ptrdiff_t ar = trans_a ? k : m, ac = trans_a ? m : k;                              \
        const ptrdiff_t br = trans_b ? n : k, bc = trans_b ? k : n;                              \
        T *apack = NULL, *bpack = NULL, *cpack = NULL;                                           \
        if (mk_bad_ld(ar, ac, lda)) {                                                            \
            if ((apack = mk_pack(a, ar, ac, lda, sizeof(T), 1)) == NULL) goto plain;             \
            a = apack;                                                                           \
            lda = ac;                                                                            \
        }                                                                                        \
        if (mk_bad_ld(br, bc, ldb)) {                                                            \
            if ((bpack = mk_pack(b, br, bc, ldb, sizeof(T), 1)) == NULL) goto plain;             \
            b = bpack;                                                                           \
            ldb = bc;                                                                            \
        }                                                                                        \
        const int ta = trans_a ? MK_TRANS : MK_NOTRANS, tb = trans_b ? MK_TRANS : MK_NOTRANS;    \
        if (!mk_bad_ld(m, n, ldc)) {                                                             \
            mk_##blas(MK_ROW_MAJOR, ta, tb, m, n, k, alpha, a, mk_ld(ar, ac, lda), b,            \
                      mk_ld(br, bc, ldb), beta, c, mk_ld(m, n, ldc));                            \
        } else if ((ldc <= -n || ldc >= n)                                                       \
                   && (cpack = mk_pack(c, m, n, ldc, sizeof(T), beta != 0)) != NULL) {           \
            mk_##blas(MK_ROW_MAJOR, ta, tb, m, n, k, alpha, a, mk_ld(ar, ac, lda), b,            \
                      mk_ld(br, bc, ldb), beta, cpack, n);                                       \
            mk_unpack(c, cpack, m, n, ldc, sizeof(T));                                           \
        } else { /* rows of C overlap: one row at a time, in order */                            \
            for (ptrdiff_t i = 0; i < m; i++) {                                                  \
                const T *ai = trans_a ? a + i : a + i * lda;                                     \
                mk_##blas(MK_ROW_MAJOR, ta, tb, 1, n, k, alpha, ai, mk_ld(trans_a ? k : 1, trans_a ? 1 : k, lda), \
                          b, mk_ld(br, bc, ldb), beta, c + i * ldc, n);                          \
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
/* elementwise: VM                                                           */
/* ------------------------------------------------------------------------ */

enum { MK_BUF = 256 };

/* Do the n elements of x (stride incx, bytes each) and of y avoid each
   other, or are they the same elements (in place)? Then VM may take them. */
static int mk_vm_takes(const void *x, ptrdiff_t incx, const void *y, ptrdiff_t incy, ptrdiff_t n, size_t size)
{
    if (x == y && incx == incy) {
        return 1;
    }
    const char *xl = x, *yl = y;
    const char *xh = xl + ((n - 1) * incx + 1) * (ptrdiff_t)size, *yh = yl + ((n - 1) * incy + 1) * (ptrdiff_t)size;
    return xh <= yl || yh <= xl;
}

/* y[i*incy] = f(x[i*incx]): VM directly where it can take the arrays, else
   through a stack buffer (gather, compute in place, scatter) */
#define MK_MAP(name, T, VM, VMI)                                                                 \
    static void name(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy, VM *f, VMI *fi) \
    {                                                                                            \
        if (n <= 0) {                                                                            \
            return;                                                                              \
        }                                                                                        \
        if (incx > 0 && incy > 0 && mk_vm_takes(x, incx, y, incy, n, sizeof(T))) {               \
            if (incx == 1 && incy == 1) {                                                        \
                f(n, x, y, mk_vm_mode);                                                          \
            } else {                                                                             \
                fi(n, x, incx, y, incy, mk_vm_mode);                                             \
            }                                                                                    \
            return;                                                                              \
        }                                                                                        \
        T buf[MK_BUF];                                                                           \
        for (ptrdiff_t i = 0; i < n; i += MK_BUF) {                                              \
            const ptrdiff_t c = n - i < MK_BUF ? n - i : MK_BUF;                                 \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                buf[j] = x[(i + j) * incx];                                                      \
            }                                                                                    \
            f(c, buf, buf, mk_vm_mode);                                                          \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                y[(i + j) * incy] = buf[j];                                                      \
            }                                                                                    \
        }                                                                                        \
    }
MK_MAP(mk_map_s, float, mk_vm_s, mk_vmi_s)
MK_MAP(mk_map_d, double, mk_vm_d, mk_vmi_d)

#define MK_MAP2(name, T, VM, VMI)                                                                \
    static void name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy, T *z,  \
                     ptrdiff_t incz, VM *f, VMI *fi)                                             \
    {                                                                                            \
        if (n <= 0) {                                                                            \
            return;                                                                              \
        }                                                                                        \
        if (incx > 0 && incy > 0 && incz > 0 && mk_vm_takes(x, incx, z, incz, n, sizeof(T))    \
            && mk_vm_takes(y, incy, z, incz, n, sizeof(T))) {                                    \
            if (incx == 1 && incy == 1 && incz == 1) {                                           \
                f(n, x, y, z, mk_vm_mode);                                                       \
            } else {                                                                             \
                fi(n, x, incx, y, incy, z, incz, mk_vm_mode);                                    \
            }                                                                                    \
            return;                                                                              \
        }                                                                                        \
        T bx[MK_BUF], by[MK_BUF];                                                                \
        for (ptrdiff_t i = 0; i < n; i += MK_BUF) {                                              \
            const ptrdiff_t c = n - i < MK_BUF ? n - i : MK_BUF;                                 \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                bx[j] = x[(i + j) * incx];                                                       \
                by[j] = y[(i + j) * incy];                                                       \
            }                                                                                    \
            f(c, bx, by, bx, mk_vm_mode);                                                        \
            for (ptrdiff_t j = 0; j < c; j++) {                                                  \
                z[(i + j) * incz] = bx[j];                                                       \
            }                                                                                    \
        }                                                                                        \
    }
MK_MAP2(mk_map2_s, float, mk_vm2_s, mk_vm2i_s)
MK_MAP2(mk_map2_d, double, mk_vm2_d, mk_vm2i_d)

/* one table function per VM function and type */
#define MK_VM_FN(h, V)                                                                           \
    static void mk_s##h(ptrdiff_t n, const float *x, ptrdiff_t incx, float *y, ptrdiff_t incy)   \
    {                                                                                            \
        mk_map_s(n, x, incx, y, incy, mk_vms##V##_64, mk_vms##V##I_64);                          \
    }                                                                                            \
    static void mk_d##h(ptrdiff_t n, const double *x, ptrdiff_t incx, double *y, ptrdiff_t incy) \
    {                                                                                            \
        mk_map_d(n, x, incx, y, incy, mk_vmd##V##_64, mk_vmd##V##I_64);                          \
    }
#define MK_VM_FN2(h, V)                                                                          \
    static void mk_s##h(ptrdiff_t n, const float *x, ptrdiff_t incx, const float *y, ptrdiff_t incy, \
                        float *z, ptrdiff_t incz)                                                \
    {                                                                                            \
        mk_map2_s(n, x, incx, y, incy, z, incz, mk_vms##V##_64, mk_vms##V##I_64);                \
    }                                                                                            \
    static void mk_d##h(ptrdiff_t n, const double *x, ptrdiff_t incx, const double *y,           \
                        ptrdiff_t incy, double *z, ptrdiff_t incz)                               \
    {                                                                                            \
        mk_map2_d(n, x, incx, y, incy, z, incz, mk_vmd##V##_64, mk_vmd##V##I_64);                \
    }
MK_VM_ENTRIES(MK_VM_FN)
MK_VM_ENTRIES2(MK_VM_FN2)

/* ------------------------------------------------------------------------ */
/* the table                                                                 */
/* ------------------------------------------------------------------------ */

#define MK_SLOTS(h, V) .s##h = mk_s##h, .d##h = mk_d##h,
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
    /* level 2/3 entries, when the interface has them: one .name = mk_name
       line each, their cblas symbols in MK_BLAS_SYMBOLS */
    MK_VM_ENTRIES(MK_SLOTS) MK_VM_ENTRIES2(MK_SLOTS)
    /* sum: no BLAS routine; NULL, served by another table */
};

/* ------------------------------------------------------------------------ */
/* the module                                                                */
/* ------------------------------------------------------------------------ */

static PyMethodDef mk_methods[] = {
    MK_SHARED_METHODS,
    {NULL, NULL, 0, NULL},
};

static int mk_exec(PyObject *module)
{
    if (MK_LOAD(MK_BLAS_SYMBOLS) < 0 || mk_load_vm() < 0) {
        return -1;
    }
    PyObject *capsule = PyCapsule_New((void *)&mkl_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE, NULL);
    if (capsule == NULL) {
        return -1;
    }
    const int rc = PyModule_AddObjectRef(module, "_C_API", capsule);
    Py_DECREF(capsule);
    return rc;
}

static PyModuleDef_Slot mk_slots[] = {
    {Py_mod_exec, (void *)mk_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef mk_module = {
    PyModuleDef_HEAD_INIT, "_mkl",
    "hostlib kernel table forwarding to Intel MKL (libmkl_rt, loaded at import), exported as _C_API,\n"
    "and MKL's own controls.",
    0, mk_methods, mk_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__mkl(void)
{
    return PyModuleDef_Init(&mk_module);
}
