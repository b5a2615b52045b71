/*
 * lapack_forward.h -- the helpers of a lapack table that forwards to a
 * library's Fortran LAPACK, written once for the wheels that do it
 * (kernels_openblas/_openblas_lapack.c, kernels_mkl/_mkl_lapack.c).
 *
 * Why a shared header: both wheels turn hostlib's flags into LAPACK's
 * characters, query each routine's workspace and allocate it in one block
 * the same way; they differ in the library's integer (int, int64_t), the
 * largest workspace count it takes, and the symbols they call. So the
 * workspace dance is one macro over those, FW_WORKSPACE.
 *
 * Include it after hostlib_lapack_lapack_table.h (or _provider.h). It is
 * installed with hostlib's headers (hostlib/include/forward/).
 */
#ifndef HOSTLIB_FORWARD_LAPACK_H
#define HOSTLIB_FORWARD_LAPACK_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef hostlib_lapack_complex64 c64;
typedef hostlib_lapack_complex128 c128;

#define ETOOLARGE HOSTLIB_LAPACK_ETOOLARGE
#define ENOMEM_ HOSTLIB_LAPACK_ENOMEM

/* Every routine over its types: M(prefix, element type, real type). */
#define FW_REAL(M) M(s, float, float) M(d, double, double)
#define FW_CPLX(M) M(c, c64, float) M(z, c128, double)
#define FW_ALL(M) FW_REAL(M) FW_CPLX(M)

/* A flag: chars[v] for 0 <= v < strlen(chars), else illegal argument pos. */
static inline char fw_flag(int v, const char *chars)
{
    return v >= 0 && (size_t)v < strlen(chars) ? chars[v] : 0;
}
#define FW_FLAG(var, v, chars, pos)       \
    const char var = fw_flag((v), chars); \
    if (!var) return -(pos)

#define TRANS_CHARS "NTC" /* HOSTLIB_LAPACK_NOTRANS, _TRANS, _CONJTRANS */
#define UPLO_CHARS "LU"   /* HOSTLIB_LAPACK_LOWER, _UPPER */
#define JOB_CHARS "NV"    /* HOSTLIB_LAPACK_NOVECTORS, _VECTORS */
#define SVD_CHARS "NSA"   /* HOSTLIB_LAPACK_SVD_NONE, _REDUCED, _ALL */

/* A workspace size LAPACK answered to a query (work[0], a real number
   rounded up; iwork[0]) as a count of at least 1: nonzero when it is above
   most (what the library's integer, or this process, can hold). */
static inline int fw_count(double v, double most, ptrdiff_t *out)
{
    v = ceil(v);
    if (!(v <= most)) {
        return 1;
    }
    *out = v < 1 ? 1 : (ptrdiff_t)v;
    return 0;
}
/* the real part of a queried work[0]: a complex's first member is its re */
#define FW_Q(R, q) ((double)*(const R *)(const void *)&(q))

/* One malloc for the k arrays of a call, bytes[i] each, every start a
   multiple of 64 bytes after the block's (plain malloc: no aligned_alloc on
   every platform); NULL on failure (or a total beyond size_t). */
enum { FW_ALIGN = 64 };
static inline void *fw_block(int k, const size_t bytes[], void *ptrs[])
{
    size_t total = 0;
    for (int i = 0; i < k; i++) {
        const size_t padded = (bytes[i] + FW_ALIGN - 1) / FW_ALIGN * FW_ALIGN;
        if (bytes[i] > SIZE_MAX - FW_ALIGN || total > SIZE_MAX - padded) {
            return NULL;
        }
        total += padded;
    }
    char *base = malloc(total ? total : FW_ALIGN);
    if (base != NULL) {
        size_t off = 0;
        for (int i = 0; i < k; i++) {
            ptrs[i] = base + off;
            off += (bytes[i] + FW_ALIGN - 1) / FW_ALIGN * FW_ALIGN;
        }
    }
    return base;
}

/* count * size in bytes, SIZE_MAX when that overflows (fw_block refuses it) */
static inline size_t fw_bytes(size_t count, size_t size)
{
    return count > SIZE_MAX / size ? SIZE_MAX : count * size;
}

/*
 * Runs CALL (a LAPACK call that reads `work, lwork`, and where the routine
 * has them `rwork, lrwork` and `iwork, liwork`; it sets `info`) twice: a
 * workspace query (every l*work -1, each array one element), then for real
 * with the sizes the query answered, except that rwork and iwork take
 * nr/ni elements where those are >= 0 (sizes LAPACK documents but does not
 * report). All three arrays come from one malloc. INT is the library's
 * integer and MOST the largest count it takes. Returns from the enclosing
 * function on a failed query, ETOOLARGE or ENOMEM.
 */
#define FW_WORKSPACE(INT, MOST, T, R, nr, ni, CALL)                                             \
    INT lwork = -1, lrwork = -1, liwork = -1;                                                   \
    T q_work;                                                                                   \
    R q_rwork = 0;                                                                              \
    INT q_iwork = 0;                                                                            \
    T *work = &q_work;                                                                          \
    R *rwork = &q_rwork;                                                                        \
    INT *iwork = &q_iwork;                                                                      \
    CALL;                                                                                       \
    if (info != 0) return info;                                                                 \
    ptrdiff_t nw_, nrw_, niw_;                                                                  \
    if (fw_count(FW_Q(R, q_work), (MOST), &nw_) || fw_count(q_rwork, (MOST), &nrw_)             \
        || fw_count((double)q_iwork, (MOST), &niw_))                                            \
        return ETOOLARGE;                                                                       \
    lwork = (INT)nw_;                                                                           \
    lrwork = (INT)nrw_;                                                                         \
    liwork = (INT)niw_;                                                                         \
    void *ws_[3];                                                                               \
    const size_t bytes_[3] = {                                                                  \
        fw_bytes((size_t)lwork, sizeof(T)),                                                     \
        fw_bytes((nr) >= 0 ? (size_t)(nr) : (size_t)lrwork, sizeof(R)),                         \
        fw_bytes((ni) >= 0 ? (size_t)(ni) : (size_t)liwork, sizeof(INT)),                       \
    };                                                                                          \
    void *block_ = fw_block(3, bytes_, ws_);                                                    \
    if (block_ == NULL) return ENOMEM_;                                                         \
    work = ws_[0];                                                                              \
    rwork = ws_[1];                                                                             \
    iwork = ws_[2];                                                                             \
    CALL;                                                                                       \
    (void)rwork;                                                                                \
    (void)iwork;                                                                                \
    free(block_)

/* the complex gesdd's rwork, LAPACK's documented size (3.7 onwards);
   PTRDIFF_MAX (then ENOMEM) if it overflows */
static inline ptrdiff_t fw_gesdd_rwork(char jobz, ptrdiff_t m, ptrdiff_t n)
{
    const size_t mn = (size_t)(m < n ? m : n), mx = (size_t)(m < n ? n : m);
    if (m < 0 || n < 0) {
        return 1;
    }
    if (jobz == 'N') {
        return (ptrdiff_t)(7 * mn > 1 ? 7 * mn : 1);
    }
    const size_t a = 5 * mn + 7, b = 2 * mx + 2 * mn + 1, c = a > b ? a : b;
    if (mn != 0 && c > (size_t)PTRDIFF_MAX / mn) {
        return PTRDIFF_MAX;
    }
    return (ptrdiff_t)(mn * c > 1 ? mn * c : 1);
}
/* gesdd's iwork: 8 min(m,n) */
#define FW_GESDD_IWORK(m, n) ((m) < 0 || (n) < 0 ? 1 : 8 * ((m) < (n) ? (m) : (n)))

/* gelsd: the real routine has no rwork (the macro's own stays one element) */
#define FW_GELSD_RWORK_ARG_s
#define FW_GELSD_RWORK_ARG_d
#define FW_GELSD_RWORK_ARG_c rwork,
#define FW_GELSD_RWORK_ARG_z rwork,
#define FW_GELSD_RWORK_PARAM_s
#define FW_GELSD_RWORK_PARAM_d
#define FW_GELSD_RWORK_PARAM_c float *,
#define FW_GELSD_RWORK_PARAM_z double *,

#endif /* HOSTLIB_FORWARD_LAPACK_H */
