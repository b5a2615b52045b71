/*
 * _openblas.c -- a hostlib kernel table that forwards to OpenBLAS.
 *
 * OpenBLAS comes from the PyPI package scipy-openblas32: 32-bit BLAS
 * integers (blasint == int), every symbol prefixed `scipy_`. The extension
 * is linked against its libscipy_openblas and finds it at run time through
 * an RPATH into the installed scipy_openblas32 package (see meson.build):
 * the dynamic loader loads it when Python imports this module.
 *
 * What the table provides: axpy, dot, scal, asum, nrm2, gemm (s and d),
 * and ABI 1.2's gemv, ger, trsv, trsm, syrk (s and d), complex gemm and herk
 * (c and z).
 * sum, exp, log, sqrt, sin, cos stay NULL; the host takes them from another
 * table.
 *
 * hostlib's table is numpy-style and OpenBLAS is BLAS; the wrappers here
 * translate:
 *
 *   strides   element i of x is x[i*incx] and x points at logical element 0,
 *             incx may be negative or 0. BLAS points at the lowest-addressed
 *             element for a negative increment: the pointer moves by
 *             (n-1)*inc. OpenBLAS's ?dot and ?axpy take a 0 input increment
 *             (checked by the tests); ?asum, ?nrm2 and ?scal return 0 / do
 *             nothing for inc <= 0, so those, whose result does not depend on
 *             the order, are called with the increment made positive, and
 *             inc == 0 is done here.
 *   alpha==0  OpenBLAS's ?axpy and ?scal return early (or zero x) for a zero
 *             alpha; hostlib's kernels compute 0*x, so inf and nan give nan.
 *             Those calls are done here, in plain C.
 *   incy==0   ?axpy into one element: done here in order, like hostlib's
 *             kernels (OpenBLAS may split it over threads that all write y[0]).
 *   nrm2      OpenBLAS returns nan when the vector holds an inf and a nan;
 *             hostlib's rule is inf wins (like math.hypot). A nan result is
 *             re-checked for an inf.
 *   gemm      row-major through cblas with CblasRowMajor. beta == 0 does not
 *             read C (OpenBLAS honours it: checked by the tests); k == 0 is
 *             done here (C = beta*C). cblas rejects a leading dimension below
 *             the row length (it prints an error and computes nothing), which
 *             a one-row matrix may legally have here: it is replaced. A matrix
 *             whose rows overlap, repeat or go backwards (ld < row length,
 *             ld <= 0) is copied into a packed buffer (C: copied back), or,
 *             without memory or for overlapping rows of C, cblas is called
 *             one row at a time.
 *   int32     n, inc, m, n, k and ld must fit in blasint. Level-1 calls are
 *             cut into chunks of at most `limit` elements whose span
 *             (count-1)*|inc| stays <= `limit` too; dot and asum add the
 *             partial results, nrm2 combines them without overflow (hypot).
 *             gemm splits m, n and k (k-pieces after the first use beta = 1)
 *             and packs (or goes row by row) when a leading dimension is
 *             too large.
 *             The level-2/3 entries (ABI 1.2) are forwarded whole, after
 *             hostlib's argument checks (simd/blas_args.h: a bad argument
 *             returns -i, as the native tables do, and cblas never prints);
 *             a size, increment or leading dimension beyond `limit` returns
 *             HOSTLIB_ETOOLARGE (nothing read or written). A negative
 *             increment points cblas at the lowest-addressed element.
 *             `limit` is INT_MAX; the hidden module function
 *             _set_int_limit(n) lowers it so that tests can exercise the
 *             chunking on small arrays.
 *
 * Everything here is compiled with the baseline flags: OpenBLAS picks its own
 * kernels for the CPU at run time (DYNAMIC_ARCH), so the table needs no CPU
 * feature.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h> /* dladdr: which file the OpenBLAS symbols came from */
#define OB_HAVE_DLADDR 1
#endif

#include "cblas.h"
#include "hostlib_kernels_table.h"
#include "forward/cblas_forward.h" /* the forwarding shapes shared with the MKL wheel */

#ifndef KERNELS_OPENBLAS_VERSION
#error "the build passes -DKERNELS_OPENBLAS_VERSION=\"x.y.z\""
#endif

HOSTLIB_STATIC_ASSERT(sizeof(blasint) == sizeof(int),
                      "scipy-openblas32 uses 32-bit BLAS integers; this file assumes blasint == int");

/* ------------------------------------------------------------------------ */
/* the blasint limit (lowered only by tests)                                 */
/* ------------------------------------------------------------------------ */

static ptrdiff_t ob_limit_ = INT_MAX;

#if defined(__GNUC__) || defined(__clang__)
#define OB_LOAD_LIMIT() __atomic_load_n(&ob_limit_, __ATOMIC_RELAXED)
#define OB_STORE_LIMIT(v) __atomic_store_n(&ob_limit_, (v), __ATOMIC_RELAXED)
#else
#define OB_LOAD_LIMIT() (*(volatile ptrdiff_t *)&ob_limit_)
#define OB_STORE_LIMIT(v) (*(volatile ptrdiff_t *)&ob_limit_ = (v))
#endif

static size_t ob_abs(ptrdiff_t v)
{
    return v < 0 ? (size_t)0 - (size_t)v : (size_t)v;
}

/* Shorten a chunk of c elements so that its span (c-1)*|inc| stays <= lim:
   OpenBLAS's cblas functions compute (n-1)*inc in blasint to find the start
   of a negative-increment vector. */
static ptrdiff_t ob_clamp_span(ptrdiff_t c, ptrdiff_t lim, ptrdiff_t inc)
{
    const size_t a = ob_abs(inc);
    if (a == 0) {
        return c;
    }
    if (a > (size_t)lim) {
        return 1;
    }
    const ptrdiff_t most = 1 + (ptrdiff_t)((size_t)lim / a);
    return c < most ? c : most;
}

static ptrdiff_t ob_chunk(ptrdiff_t left, ptrdiff_t lim, ptrdiff_t inc1, ptrdiff_t inc2)
{
    ptrdiff_t c = left < lim ? left : lim;
    c = ob_clamp_span(c, lim, inc1);
    return ob_clamp_span(c, lim, inc2);
}

/* BLAS view of a chunk of c elements starting at logical element p. */
#define OB_BPTR(p, c, inc) ((inc) < 0 && (c) > 1 ? (p) + ((c)-1) * (inc) : (p))
#define OB_BINC(c, inc) ((c) == 1 ? 1 : (blasint)(inc))

/* ------------------------------------------------------------------------ */
/* level 1                                                                   */
/* ------------------------------------------------------------------------ */

/* sum of x[i*incx] * y[i*incy]; float partials are added in double */
#define OB_DOT(name, T, ACC, blas)                                                       \
    static T name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy)  \
    {                                                                                    \
        const ptrdiff_t lim = OB_LOAD_LIMIT();                                           \
        ACC s = 0;                                                                       \
        for (ptrdiff_t i = 0; i < n;) {                                                  \
            const ptrdiff_t c = ob_chunk(n - i, lim, incx, incy);                        \
            const T *xs = x + i * incx, *ys = y + i * incy;                              \
            s += (ACC)blas((blasint)c, OB_BPTR(xs, c, incx), OB_BINC(c, incx),           \
                           OB_BPTR(ys, c, incy), OB_BINC(c, incy));                      \
            i += c;                                                                      \
        }                                                                                \
        return (T)s;                                                                     \
    }
OB_DOT(ob_sdot, float, double, scipy_cblas_sdot)
OB_DOT(ob_ddot, double, double, scipy_cblas_ddot)

/* y[i*incy] += alpha * x[i*incx] */
#define OB_AXPY(name, T, blas)                                                                 \
    static void name(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy)   \
    {                                                                                          \
        if (n <= 0) {                                                                          \
            return;                                                                            \
        }                                                                                      \
        if (incy == 0) { /* in order, every step updates y[0] */                               \
            T acc = y[0];                                                                      \
            for (ptrdiff_t i = 0; i < n; i++) {                                                \
                acc = acc + alpha * x[i * incx];                                               \
            }                                                                                  \
            y[0] = acc;                                                                        \
            return;                                                                            \
        }                                                                                      \
        if (alpha == 0) { /* OpenBLAS would skip it; 0*inf and 0*nan are nan */               \
            for (ptrdiff_t i = 0; i < n; i++) {                                                \
                y[i * incy] = y[i * incy] + alpha * x[i * incx];                               \
            }                                                                                  \
            return;                                                                            \
        }                                                                                      \
        const ptrdiff_t lim = OB_LOAD_LIMIT();                                                 \
        for (ptrdiff_t i = 0; i < n;) {                                                        \
            const ptrdiff_t c = ob_chunk(n - i, lim, incx, incy);                              \
            const T *xs = x + i * incx;                                                        \
            T *ys = y + i * incy;                                                              \
            blas((blasint)c, alpha, OB_BPTR(xs, c, incx), OB_BINC(c, incx), OB_BPTR(ys, c, incy), \
                 OB_BINC(c, incy));                                                            \
            i += c;                                                                            \
        }                                                                                      \
    }
OB_AXPY(ob_saxpy, float, scipy_cblas_saxpy)
OB_AXPY(ob_daxpy, double, scipy_cblas_daxpy)

/* scal, asum and nrm2: forward/cblas_forward.h's translations (n <= 0,
   zero and negative increments), then these: the elements x[i*incx],
   incx > 0, in calls that fit blasint */
#define OB_SCAL_CHUNKS(name, T, blas)                                            \
    static void name(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)                 \
    {                                                                            \
        const ptrdiff_t lim = OB_LOAD_LIMIT();                                   \
        for (ptrdiff_t i = 0; i < n;) {                                          \
            const ptrdiff_t c = ob_chunk(n - i, lim, incx, 0);                   \
            blas((blasint)c, alpha, x + i * incx, OB_BINC(c, incx));             \
            i += c;                                                              \
        }                                                                        \
    }
OB_SCAL_CHUNKS(ob_sscal_chunks, float, scipy_cblas_sscal)
OB_SCAL_CHUNKS(ob_dscal_chunks, double, scipy_cblas_dscal)
FW_SCAL(ob_sscal, float, ob_sscal_chunks)
FW_SCAL(ob_dscal, double, ob_dscal_chunks)

/* float partials are added in double */
#define OB_ASUM_CHUNKS(name, T, blas)                                            \
    static double name(ptrdiff_t n, const T *x, ptrdiff_t incx)                  \
    {                                                                            \
        const ptrdiff_t lim = OB_LOAD_LIMIT();                                   \
        double s = 0;                                                            \
        for (ptrdiff_t i = 0; i < n;) {                                          \
            const ptrdiff_t c = ob_chunk(n - i, lim, incx, 0);                   \
            s += (double)blas((blasint)c, x + i * incx, OB_BINC(c, incx));       \
            i += c;                                                              \
        }                                                                        \
        return s;                                                                \
    }
OB_ASUM_CHUNKS(ob_sasum_chunks, float, scipy_cblas_sasum)
OB_ASUM_CHUNKS(ob_dasum_chunks, double, scipy_cblas_dasum)
FW_ASUM(ob_sasum, float, ob_sasum_chunks)
FW_ASUM(ob_dasum, double, ob_dasum_chunks)

/* the partial norms combined without overflow (hypot; inf beats nan) */
static double ob_dnrm2_chunks(ptrdiff_t n, const double *x, ptrdiff_t incx)
{
    const ptrdiff_t lim = OB_LOAD_LIMIT();
    double r = 0.0;
    for (ptrdiff_t i = 0; i < n;) {
        const ptrdiff_t c = ob_chunk(n - i, lim, incx, 0);
        const double part = scipy_cblas_dnrm2((blasint)c, x + i * incx, OB_BINC(c, incx));
        r = i == 0 ? part : hypot(r, part);
        i += c;
    }
    return r;
}

/* squares of float32 norms neither overflow nor underflow in float64 */
static float ob_snrm2_chunks(ptrdiff_t n, const float *x, ptrdiff_t incx)
{
    const ptrdiff_t lim = OB_LOAD_LIMIT();
    double ss = 0.0;
    for (ptrdiff_t i = 0; i < n;) {
        const ptrdiff_t c = ob_chunk(n - i, lim, incx, 0);
        const double part = scipy_cblas_snrm2((blasint)c, x + i * incx, OB_BINC(c, incx));
        ss += part * part;
        i += c;
    }
    return (float)sqrt(ss);
}
FW_NRM2(ob_snrm2, float, HUGE_VALF, ob_snrm2_chunks)
FW_NRM2(ob_dnrm2, double, HUGE_VAL, ob_dnrm2_chunks)

/* ------------------------------------------------------------------------ */
/* gemm                                                                      */
/* ------------------------------------------------------------------------ */

/* the leading dimension of a cblas call (forward/cblas_forward.h's fw_ld) */
static blasint ob_ld(ptrdiff_t rows, ptrdiff_t cols, ptrdiff_t ld)
{
    return (blasint)fw_ld(rows, cols, ld);
}

/*
 * C = alpha*op(A)@op(B) + beta*C, row-major. Stored A is m x k (k x m with
 * trans_a), stored B is k x n (n x k with trans_b).
 *
 * 1. k == 0: C = beta*C here (C not read when beta == 0).
 * 2. A matrix whose leading dimension cblas cannot take (rows going
 *    backwards, overlapping or repeated, or ld beyond blasint) is copied into
 *    a packed buffer -- for C only when its rows do not overlap, and copied
 *    back afterwards. Without memory, or where packing does not help (a row
 *    longer than the limit, overlapping rows of C), step 3 goes one stored
 *    row at a time instead.
 * 3. The problem is cut so that every cblas call has m, n, k <= limit:
 *    blocks of mc x nc of C, k in pieces of kc; the first k-piece applies
 *    beta, the next ones add (beta = 1). A bad lda makes the calls take one
 *    stored row of A (mc = 1, or kc = 1 with trans_a); likewise ldb (kc = 1,
 *    or nc = 1 with trans_b) and ldc (mc = 1).
 */
#define OB_GEMM(name, T, blas)                                                                   \
    static void name##_split(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k,    \
                             T alpha, const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb,      \
                             T beta, T *c, ptrdiff_t ldc, ptrdiff_t lim)                         \
    {                                                                                            \
        ptrdiff_t mc = lim, nc = lim, kc = lim;                                                  \
        if (fw_bad_ld(trans_a ? k : m, trans_a ? m : k, lda, lim)) {                             \
            *(trans_a ? &kc : &mc) = 1;                                                          \
        }                                                                                        \
        if (fw_bad_ld(trans_b ? n : k, trans_b ? k : n, ldb, lim)) {                             \
            *(trans_b ? &nc : &kc) = 1;                                                          \
        }                                                                                        \
        if (fw_bad_ld(m, n, ldc, lim)) {                                                         \
            mc = 1;                                                                              \
        }                                                                                        \
        const enum CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;                     \
        const enum CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;                     \
        for (ptrdiff_t i0 = 0; i0 < m; i0 += mc) {                                               \
            const ptrdiff_t mi = m - i0 < mc ? m - i0 : mc;                                      \
            for (ptrdiff_t j0 = 0; j0 < n; j0 += nc) {                                           \
                const ptrdiff_t nj = n - j0 < nc ? n - j0 : nc;                                  \
                for (ptrdiff_t p0 = 0; p0 < k; p0 += kc) {                                       \
                    const ptrdiff_t kp = k - p0 < kc ? k - p0 : kc;                              \
                    const T *ap = trans_a ? a + p0 * lda + i0 : a + i0 * lda + p0;               \
                    const T *bp = trans_b ? b + j0 * ldb + p0 : b + p0 * ldb + j0;               \
                    blas(CblasRowMajor, ta, tb, (blasint)mi, (blasint)nj, (blasint)kp, alpha,    \
                         ap, trans_a ? ob_ld(kp, mi, lda) : ob_ld(mi, kp, lda),                  \
                         bp, trans_b ? ob_ld(nj, kp, ldb) : ob_ld(kp, nj, ldb),                  \
                         p0 == 0 ? beta : (T)1, c + i0 * ldc + j0, ob_ld(mi, nj, ldc));          \
                }                                                                                \
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
        const ptrdiff_t lim = OB_LOAD_LIMIT();                                                   \
        const ptrdiff_t ar = trans_a ? k : m, ac = trans_a ? m : k; /* stored A */              \
        const ptrdiff_t br = trans_b ? n : k, bc = trans_b ? k : n; /* stored B */              \
        T *apack = NULL, *bpack = NULL, *cpack = NULL;                                           \
        if (fw_bad_ld(ar, ac, lda, lim) && ac <= lim                                             \
            && (apack = fw_pack(a, ar, ac, lda, sizeof(T), 1)) != NULL) {                        \
            a = apack;                                                                           \
            lda = ac;                                                                            \
        }                                                                                        \
        if (fw_bad_ld(br, bc, ldb, lim) && bc <= lim                                             \
            && (bpack = fw_pack(b, br, bc, ldb, sizeof(T), 1)) != NULL) {                        \
            b = bpack;                                                                           \
            ldb = bc;                                                                            \
        }                                                                                        \
        if (fw_bad_ld(m, n, ldc, lim) && n <= lim && ob_abs(ldc) >= (size_t)n                    \
            && (cpack = fw_pack(c, m, n, ldc, sizeof(T), beta != 0)) != NULL) {                  \
            name##_split(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, cpack, n, lim); \
            fw_unpack(c, cpack, m, n, ldc, sizeof(T));                                           \
        } else {                                                                                 \
            name##_split(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, lim);   \
        }                                                                                        \
        free(apack);                                                                             \
        free(bpack);                                                                             \
        free(cpack);                                                                             \
    }
OB_GEMM(ob_sgemm, float, scipy_cblas_sgemm)
OB_GEMM(ob_dgemm, double, scipy_cblas_dgemm)

/* ------------------------------------------------------------------------ */
/* level 2 and 3 (ABI 1.2): checked here, then one cblas call                */
/* ------------------------------------------------------------------------ */

/* every value fits in blasint (sizes, |increments|, leading dimensions) */
static int ob_fits(int count, const ptrdiff_t *v)
{
    const ptrdiff_t lim = OB_LOAD_LIMIT();
    for (int i = 0; i < count; i++) {
        if (ob_abs(v[i]) > (size_t)lim) {
            return 0;
        }
    }
    return 1;
}
#define OB_FITS(...) ob_fits((int)(sizeof((ptrdiff_t[]){__VA_ARGS__}) / sizeof(ptrdiff_t)), (ptrdiff_t[]){__VA_ARGS__})

#define OB_NAME(r) ob_##r
#define OB_CBLAS(r) scipy_cblas_##r
FW_LEVEL23(s, float, OB_NAME, OB_CBLAS, blasint, OB_FITS)
FW_LEVEL23(d, double, OB_NAME, OB_CBLAS, blasint, OB_FITS)
FW_COMPLEX23(c, hostlib_complex64, float, OB_NAME, OB_CBLAS, blasint, OB_FITS)
FW_COMPLEX23(z, hostlib_complex128, double, OB_NAME, OB_CBLAS, blasint, OB_FITS)

/* ------------------------------------------------------------------------ */
/* the table                                                                 */
/* ------------------------------------------------------------------------ */

static const hostlib_kernels_table openblas_table = {
    HOSTLIB_KERNELS_HEADER("openblas", KERNELS_OPENBLAS_VERSION, 0),
    .saxpy = ob_saxpy,
    .daxpy = ob_daxpy,
    .sdot = ob_sdot,
    .ddot = ob_ddot,
    .sscal = ob_sscal,
    .dscal = ob_dscal,
    .sasum = ob_sasum,
    .dasum = ob_dasum,
    .snrm2 = ob_snrm2,
    .dnrm2 = ob_dnrm2,
    .sgemm = ob_sgemm,
    .dgemm = ob_dgemm,
    FW_SLOTS23(OB_NAME),
    /* sum, exp, log, sqrt, sin, cos: NULL, served by another table */
};

/* ------------------------------------------------------------------------ */
/* the module: the table as capsule _C_API, plus OpenBLAS's own controls     */
/* ------------------------------------------------------------------------ */

static PyObject *ob_config(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    const char *s = scipy_openblas_get_config();
    return PyUnicode_FromString(s ? s : "");
}

static PyObject *ob_corename(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    const char *s = scipy_openblas_get_corename();
    return PyUnicode_FromString(s ? s : "");
}

static PyObject *ob_get_num_threads(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(scipy_openblas_get_num_threads());
}

static PyObject *ob_set_num_threads(PyObject *self, PyObject *arg)
{
    (void)self;
    const long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 1 || n > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "the number of threads must be >= 1, got %ld", n);
        return NULL;
    }
    scipy_openblas_set_num_threads((int)n);
    Py_RETURN_NONE;
}

static PyObject *ob_get_num_procs(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return PyLong_FromLong(scipy_openblas_get_num_procs());
}

static PyObject *ob_get_parallel(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    switch (scipy_openblas_get_parallel()) {
    case OPENBLAS_SEQUENTIAL:
        return PyUnicode_FromString("sequential");
    case OPENBLAS_THREAD:
        return PyUnicode_FromString("pthreads");
    case OPENBLAS_OPENMP:
        return PyUnicode_FromString("openmp");
    default:
        return PyUnicode_FromString("unknown");
    }
}

static PyObject *ob_library_path(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
#ifdef OB_HAVE_DLADDR
    Dl_info info;
    /* the address of an OpenBLAS function tells which file it lives in */
    if (dladdr((void *)(uintptr_t)&scipy_openblas_get_config, &info) != 0 && info.dli_fname != NULL) {
        return PyUnicode_DecodeFSDefault(info.dli_fname);
    }
#endif
    Py_RETURN_NONE;
}

static PyObject *ob_set_int_limit(PyObject *self, PyObject *arg)
{
    (void)self;
    const Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 1 || n > INT_MAX) {
        PyErr_Format(PyExc_ValueError, "limit must be in 1..%d, got %zd", INT_MAX, n);
        return NULL;
    }
    const ptrdiff_t old = OB_LOAD_LIMIT();
    OB_STORE_LIMIT((ptrdiff_t)n);
    return PyLong_FromSsize_t((Py_ssize_t)old);
}

static PyMethodDef ob_methods[] = {
    {"config", ob_config, METH_NOARGS, "config()\n--\n\nOpenBLAS's build configuration and version (openblas_get_config)."},
    {"corename", ob_corename, METH_NOARGS, "corename()\n--\n\nThe CPU core type OpenBLAS chose its kernels for (openblas_get_corename)."},
    {"get_num_threads", ob_get_num_threads, METH_NOARGS, "get_num_threads()\n--\n\nThe number of threads OpenBLAS uses."},
    {"set_num_threads", ob_set_num_threads, METH_O, "set_num_threads(n, /)\n--\n\nSet the number of threads OpenBLAS uses (n >= 1)."},
    {"get_num_procs", ob_get_num_procs, METH_NOARGS, "get_num_procs()\n--\n\nThe number of processors OpenBLAS sees."},
    {"get_parallel", ob_get_parallel, METH_NOARGS, "get_parallel()\n--\n\nOpenBLAS's threading model: 'sequential', 'pthreads' or 'openmp'."},
    {"library_path", ob_library_path, METH_NOARGS, "library_path()\n--\n\nThe file the OpenBLAS functions were loaded from, or None if unknown."},
    {"_set_int_limit", ob_set_int_limit, METH_O,
     "_set_int_limit(n, /)\n--\n\nFor tests: cut calls into pieces of at most n elements (default and maximum\n"
     "INT_MAX, the blasint limit). Returns the previous limit. Not thread-safe\n"
     "with respect to calls in progress."},
    {NULL, NULL, 0, NULL},
};

/* The same as HOSTLIB_PROVIDER_MODULE (hostlib_provider.h), with methods. */
static int ob_exec(PyObject *module)
{
    /* the table is const data; the capsule only lends its address */
    PyObject *capsule = PyCapsule_New((void *)&openblas_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE, NULL);
    if (capsule == NULL) {
        return -1;
    }
    const int rc = PyModule_AddObjectRef(module, "_C_API", capsule);
    Py_DECREF(capsule);
    return rc;
}

static PyModuleDef_Slot ob_slots[] = {
    {Py_mod_exec, (void *)ob_exec},
#if defined(Py_mod_multiple_interpreters)
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef ob_module = {
    PyModuleDef_HEAD_INIT,
    "_openblas",
    "hostlib kernel table forwarding to OpenBLAS (scipy-openblas32), exported as _C_API,\n"
    "and OpenBLAS's own controls.",
    0,
    ob_methods,
    ob_slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC PyInit__openblas(void)
{
    return PyModuleDef_Init(&ob_module);
}
