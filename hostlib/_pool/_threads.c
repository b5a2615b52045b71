/*
 * hostlib._threads -- the host's threading wrappers for the kernels
 * interface, and the Python-facing controls of the thread pool (pool.c).
 *
 * The wrappers. For every entry the spec gives a split class (split =
 * map, axpy, scal, sum, norm, dot or gemm; hostlib_kernels_entries.h)
 * there is one wrapper with the entry's exact signature, made from its
 * class's template below; the module exports them as a
 * table of that interface (capsule _C_API, provider name "threads"). When
 * the host composes a table (hostlib/_host/_core.c compose), it puts a wrapper in
 * the public slot of each entry it threads, and the selected provider's own
 * function in the table's hidden inner slot (composed.h). Callers -- the
 * numpy-facing functions, numpy's patched ufunc loops, downstream C and
 * Cython -- call through the public slot as before: the ABI is unchanged.
 *
 * Switching. A wrapper loads the active-table pointer once, at its start,
 * and calls that table's inner function for every part of the call. So a
 * call is served wholly by one implementation: the one active when the
 * wrapper started (possibly a newer one than the table the caller read the
 * wrapper from, which is equally valid). If that table does not thread the
 * entry (say it now comes from a backend that threads itself), the wrapper
 * calls the function once, unsplit. Tables are never freed, so a pointer
 * loaded before a switch stays callable after it.
 *
 * Splitting, and why results do not depend on the thread count:
 *   - gemm: C is cut into blocks of rows (or columns, whichever dimension
 *     is larger), one per thread; each block is a complete gemm call with
 *     the same k, whose every element is computed exactly as in the whole
 *     call (the blocked algorithm's k slices depend on k only).
 *   - elementwise, axpy, scal: ranges of elements; each output element is
 *     computed alone, so any cut gives the same bits. Run on one thread
 *     when the output overlaps the input other than exactly in place, or
 *     has stride 0 (the order of the writes would matter).
 *   - sum, asum, dot, nrm2: ALWAYS cut into fixed chunks of RCHUNK
 *     elements, whatever the thread count (1 included), each reduced by
 *     the backend, and the chunk results combined by one fixed pairwise
 *     tree in chunk order. Threads only decide who computes which chunk.
 * Small calls (below the thresholds below) run on the caller at the cost
 * of one extra indirect call and a few compares.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "composed.h"
#include "hostlib_kernels_entries.h"
#include "hostlib_kernels_table.h"
#include "pool.h"

/* the kernels interface's re-export struct, whose active table the wrappers
   read (set once by the host when it starts: bind()) */
static const hostlib_host_api *_Atomic kernels_api;

/* The provider's function behind a wrapper, from the active table, and
   whether that table threads the entry at all. */
static inline hostlib_fn inner(size_t slot, int *threaded)
{
    const hostlib_host_api *api = atomic_load_explicit(&kernels_api, memory_order_acquire);
    const hostlib_table_header *t = HOSTLIB_LOAD_ACTIVE(api);
    const hostlib_fn f = HOSTLIB_INNER_SLOTS(t)[slot];
    *threaded = HOSTLIB_PUBLIC_SLOTS(t)[slot] != f;
    return f;
}

/* ------------------------------------------------------------------ sizes
   Measured on this project's 2-core AVX-512 machines (see the README's
   threads section): below these sizes one thread is as fast as two, as
   waking a helper and handing it work costs ~10-30 us. */

/* Reductions: chunk size, fixed. Results depend on it in the last bits:
   changing it is a visible change. 2^15 elements = 256 KiB of float64. */
#define RCHUNK ((ptrdiff_t)1 << 15)
/* elementwise maps: one task per this many elements at least */
#define MAP_TASK_MIN ((ptrdiff_t)4096)
/* gemm: rows or columns per block at least, and their multiple */
#define GEMM_BLOCK_UNIT 16

/* The size from which each entry's calls are split (split_min) is in the
   spec, interface/kernels.toml, with the measurements it comes from. */

/* The function types of each split class, per element type: what the
   wrappers call the provider's function as. */
#define SPLIT_TYPES(T)                                                                            \
    typedef void (*map_##T##_fn)(ptrdiff_t, const T *, ptrdiff_t, T *, ptrdiff_t);                \
    typedef void (*axpy_##T##_fn)(ptrdiff_t, T, const T *, ptrdiff_t, T *, ptrdiff_t);            \
    typedef void (*scal_##T##_fn)(ptrdiff_t, T, T *, ptrdiff_t);                                   \
    typedef T (*sum_##T##_fn)(ptrdiff_t, const T *, ptrdiff_t);                                    \
    typedef T (*dot_##T##_fn)(ptrdiff_t, const T *, ptrdiff_t, const T *, ptrdiff_t);              \
    typedef void (*gemm_##T##_fn)(int, int, ptrdiff_t, ptrdiff_t, ptrdiff_t, T, const T *, ptrdiff_t, \
                                  const T *, ptrdiff_t, T, T *, ptrdiff_t);
SPLIT_TYPES(float)
SPLIT_TYPES(double)
#undef SPLIT_TYPES

/* --------------------------------------------------------------- maps */

enum { MAP_UNARY, MAP_AXPY, MAP_SCAL };

typedef struct {
    hostlib_fn fn;
    int kind;
    size_t es; /* element size */
    const char *x;
    char *y;
    ptrdiff_t n, incx, incy, chunk;
    double alpha;
} map_job;

static void map_task(void *ctx, ptrdiff_t t)
{
    const map_job *j = ctx;
    const ptrdiff_t lo = t * j->chunk;
    const ptrdiff_t m = j->n - lo < j->chunk ? j->n - lo : j->chunk;
    const char *x = j->x + lo * j->incx * (ptrdiff_t)j->es;
    char *y = j->y + lo * j->incy * (ptrdiff_t)j->es;
    if (j->es == sizeof(double)) {
        switch (j->kind) {
        case MAP_UNARY:
            ((map_double_fn)j->fn)(m, (const double *)x, j->incx, (double *)y, j->incy);
            break;
        case MAP_AXPY:
            ((axpy_double_fn)j->fn)(m, j->alpha, (const double *)x, j->incx, (double *)y, j->incy);
            break;
        default:
            ((scal_double_fn)j->fn)(m, j->alpha, (double *)y, j->incy);
        }
    } else {
        switch (j->kind) {
        case MAP_UNARY:
            ((map_float_fn)j->fn)(m, (const float *)x, j->incx, (float *)y, j->incy);
            break;
        case MAP_AXPY:
            ((axpy_float_fn)j->fn)(m, (float)j->alpha, (const float *)x, j->incx, (float *)y, j->incy);
            break;
        default:
            ((scal_float_fn)j->fn)(m, (float)j->alpha, (float *)y, j->incy);
        }
    }
}

/* the bytes n elements of stride inc from p span: [*lo, *hi) */
static void span(const char *p, ptrdiff_t n, ptrdiff_t inc, size_t es, uintptr_t *lo, uintptr_t *hi)
{
    const uintptr_t a = (uintptr_t)p, last = (uintptr_t)(p + (n - 1) * inc * (ptrdiff_t)es);
    *lo = inc >= 0 ? a : last;
    *hi = (inc >= 0 ? last : a) + es;
}

/* Whether the elements of a map may be computed in any order: the output
   has a non-zero stride and does not overlap the input other than exactly
   in place. */
static int map_splittable(const map_job *j)
{
    if (j->incy == 0) {
        return 0;
    }
    if (j->kind == MAP_SCAL || (j->x == j->y && j->incx == j->incy)) {
        return 1;
    }
    uintptr_t xlo, xhi, ylo, yhi;
    span(j->x, j->n, j->incx, j->es, &xlo, &xhi);
    span(j->y, j->n, j->incy, j->es, &ylo, &yhi);
    return xhi <= ylo || yhi <= xlo;
}

/* run a map job, split over the pool when it holds at least split_min elements */
static void map_run(map_job *j, ptrdiff_t split_min)
{
    const int width = hl_pool_width();
    if (width > 1 && j->n >= split_min && map_splittable(j)) {
        ptrdiff_t chunk = (j->n + 4 * (ptrdiff_t)width - 1) / (4 * (ptrdiff_t)width);
        chunk = chunk < MAP_TASK_MIN ? MAP_TASK_MIN : (chunk + 63) / 64 * 64;
        j->chunk = chunk;
        hl_pool_run(map_task, j, (j->n + chunk - 1) / chunk, width);
        return;
    }
    j->chunk = j->n > 0 ? j->n : 1;
    map_task(j, 0);
}

/* The wrapper templates, one per split class: SPLIT_<class>(slot, name, T,
   split_min) defines thr_<name>. Each reads the provider's function from
   the active table's inner slot, and calls it once, unsplit, when the call
   is small or the table does not thread the entry. */
#define SPLIT_map(slot, name, T, split_min)                                            \
    static void thr_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy) \
    {                                                                                  \
        int threaded;                                                                  \
        const map_##T##_fn f = (map_##T##_fn)inner(slot, &threaded);                   \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, x, incx, y, incy);                                                    \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_UNARY, sizeof(T), (const char *)x, (char *)y,  \
                     n, incx, incy, 0, 0.0};                                           \
        map_run(&j, split_min);                                                        \
    }

#define SPLIT_axpy(slot, name, T, split_min)                                           \
    static void thr_##name(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y,     \
                           ptrdiff_t incy)                                             \
    {                                                                                  \
        int threaded;                                                                  \
        const axpy_##T##_fn f = (axpy_##T##_fn)inner(slot, &threaded);                 \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, alpha, x, incx, y, incy);                                             \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_AXPY, sizeof(T), (const char *)x, (char *)y,   \
                     n, incx, incy, 0, (double)alpha};                                 \
        map_run(&j, split_min);                                                        \
    }

#define SPLIT_scal(slot, name, T, split_min)                                           \
    static void thr_##name(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)                 \
    {                                                                                  \
        int threaded;                                                                  \
        const scal_##T##_fn f = (scal_##T##_fn)inner(slot, &threaded);                 \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, alpha, x, incx);                                                      \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_SCAL, sizeof(T), (const char *)x, (char *)x,   \
                     n, incx, incx, 0, (double)alpha};                                 \
        map_run(&j, split_min);                                                        \
    }

/* ---------------------------------------------------------- reductions */

enum { RED_ADD, RED_NORM };

typedef struct {
    hostlib_fn fn;
    int dot;  /* two operands */
    size_t es;
    const char *x, *y;
    ptrdiff_t n, incx, incy;
    double *partials;
} red_job;

/* the backend's reduction of chunk c, widened to double (exactly) */
static double red_chunk(const red_job *j, ptrdiff_t c)
{
    const ptrdiff_t lo = c * RCHUNK, m = j->n - lo < RCHUNK ? j->n - lo : RCHUNK;
    const char *x = j->x + lo * j->incx * (ptrdiff_t)j->es;
    const char *y = j->dot ? j->y + lo * j->incy * (ptrdiff_t)j->es : NULL;
    if (j->es == sizeof(double)) {
        return j->dot ? ((dot_double_fn)j->fn)(m, (const double *)x, j->incx, (const double *)y, j->incy)
                      : ((sum_double_fn)j->fn)(m, (const double *)x, j->incx);
    }
    return j->dot ? ((dot_float_fn)j->fn)(m, (const float *)x, j->incx, (const float *)y, j->incy)
                  : ((sum_float_fn)j->fn)(m, (const float *)x, j->incx);
}

static void red_task(void *ctx, ptrdiff_t c)
{
    red_job *j = ctx;
    j->partials[c] = red_chunk(j, c);
}

/* sqrt(a^2 + b^2) of two norms (>= 0, inf or nan), without overflow or
   underflow in between; inf wins over nan, as in math.hypot */
static double norm2(double a, double b)
{
    if (isinf(a) || isinf(b)) {
        return HUGE_VAL;
    }
    if (a != a || b != b) {
        return a + b;
    }
    const double big = a > b ? a : b, small = a > b ? b : a;
    if (big == 0.0) {
        return 0.0;
    }
    if (big < 1e150 && small > 1e-150) {
        return sqrt(big * big + small * small);
    }
    const double r = small / big;
    return big * sqrt(1.0 + r * r);
}

static double red_combine(int op, double a, double b)
{
    return op == RED_NORM ? norm2(a, b) : a + b;
}

/* Chunk results combined pairwise in chunk order by a binary counter: the
   tree depends on the number of chunks only. */
typedef struct {
    double stack[64];
    int top;
    ptrdiff_t count;
} red_tree;

static void red_push(red_tree *t, int op, double v)
{
    t->count++;
    for (ptrdiff_t k = t->count; (k & 1) == 0; k >>= 1) {
        v = red_combine(op, t->stack[--t->top], v);
    }
    t->stack[t->top++] = v;
}

static double red_finish(red_tree *t, int op)
{
    double r = t->stack[--t->top];
    while (t->top > 0) {
        r = red_combine(op, t->stack[--t->top], r);
    }
    return r;
}

/* n > RCHUNK: the chunked reduction, on the pool from split_min elements */
static double red_run(red_job *j, int op, ptrdiff_t split_min)
{
    const ptrdiff_t nchunks = (j->n + RCHUNK - 1) / RCHUNK;
    red_tree t = {{0}, 0, 0};
    const int width = hl_pool_width();
    double *partials = NULL;
    if (width > 1 && j->n >= split_min) {
        partials = malloc((size_t)nchunks * sizeof *partials);
    }
    if (partials != NULL) {
        j->partials = partials;
        hl_pool_run(red_task, j, nchunks, width);
        for (ptrdiff_t c = 0; c < nchunks; c++) {
            red_push(&t, op, partials[c]);
        }
        free(partials);
    } else { /* the same chunks and tree, on this thread */
        for (ptrdiff_t c = 0; c < nchunks; c++) {
            red_push(&t, op, red_chunk(j, c));
        }
    }
    return red_finish(&t, op);
}

#define SPLIT_REDUCE1(slot, name, T, split_min, op)                                    \
    static T thr_##name(ptrdiff_t n, const T *x, ptrdiff_t incx)                       \
    {                                                                                  \
        int threaded;                                                                  \
        const sum_##T##_fn f = (sum_##T##_fn)inner(slot, &threaded);                   \
        if (!threaded || n <= RCHUNK) {                                                \
            return f(n, x, incx);                                                      \
        }                                                                              \
        red_job j = {(hostlib_fn)f, 0, sizeof(T), (const char *)x, NULL, n, incx, 0, NULL}; \
        return (T)red_run(&j, op, split_min);                                          \
    }
#define SPLIT_sum(slot, name, T, split_min) SPLIT_REDUCE1(slot, name, T, split_min, RED_ADD)
#define SPLIT_norm(slot, name, T, split_min) SPLIT_REDUCE1(slot, name, T, split_min, RED_NORM)

#define SPLIT_dot(slot, name, T, split_min)                                            \
    static T thr_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy) \
    {                                                                                  \
        int threaded;                                                                  \
        const dot_##T##_fn f = (dot_##T##_fn)inner(slot, &threaded);                   \
        if (!threaded || n <= RCHUNK) {                                                \
            return f(n, x, incx, y, incy);                                             \
        }                                                                              \
        red_job j = {(hostlib_fn)f, 1, sizeof(T), (const char *)x, (const char *)y, n, incx, incy, NULL}; \
        return (T)red_run(&j, RED_ADD, split_min);                                     \
    }

/* ----------------------------------------------------------------- gemm */

typedef struct {
    hostlib_fn fn;
    int single; /* float32 */
    int ta, tb, along_n;
    ptrdiff_t m, n, k, lda, ldb, ldc, block;
    double alpha, beta;
    const void *a, *b;
    void *c;
} gemm_job;

#define GEMM_TASK(T, FN)                                                               \
    do {                                                                               \
        const T *a = j->a, *b = j->b;                                                  \
        T *c = j->c;                                                                   \
        if (j->along_n) { /* columns lo..hi of op(B) and C */                          \
            ((FN)j->fn)(j->ta, j->tb, j->m, hi - lo, j->k, (T)j->alpha, a, j->lda,     \
                        j->tb ? b + lo * j->ldb : b + lo, j->ldb, (T)j->beta, c + lo, j->ldc); \
        } else { /* rows lo..hi of op(A) and C */                                      \
            ((FN)j->fn)(j->ta, j->tb, hi - lo, j->n, j->k, (T)j->alpha,                \
                        j->ta ? a + lo : a + lo * j->lda, j->lda, b, j->ldb, (T)j->beta, \
                        c + lo * j->ldc, j->ldc);                                      \
        }                                                                              \
    } while (0)

static void gemm_task(void *ctx, ptrdiff_t t)
{
    const gemm_job *j = ctx;
    const ptrdiff_t dim = j->along_n ? j->n : j->m;
    const ptrdiff_t lo = t * j->block, hi = dim - lo < j->block ? dim : lo + j->block;
    if (j->single) {
        GEMM_TASK(float, gemm_float_fn);
    } else {
        GEMM_TASK(double, gemm_double_fn);
    }
}
#undef GEMM_TASK

/* split a gemm over the pool from m*n*k = split_min; 0: not split */
static int gemm_split(gemm_job *j, ptrdiff_t split_min)
{
    if (j->m <= 0 || j->n <= 0 || j->k <= 0 || j->alpha == 0.0 ||
        (double)j->m * (double)j->n * (double)j->k < (double)split_min) {
        return 0;
    }
    const int width = hl_pool_width();
    j->along_n = j->n > j->m;
    const ptrdiff_t dim = j->along_n ? j->n : j->m;
    ptrdiff_t parts = dim / GEMM_BLOCK_UNIT < width ? dim / GEMM_BLOCK_UNIT : width;
    if (parts < 2) {
        return 0;
    }
    ptrdiff_t block = (dim + parts - 1) / parts;
    block = (block + GEMM_BLOCK_UNIT - 1) / GEMM_BLOCK_UNIT * GEMM_BLOCK_UNIT;
    j->block = block;
    hl_pool_run(gemm_task, j, (dim + block - 1) / block, (int)parts);
    return 1;
}

#define SPLIT_gemm(slot, name, T, split_min)                                           \
    static void thr_##name(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, \
                           const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c, \
                           ptrdiff_t ldc)                                              \
    {                                                                                  \
        int threaded;                                                                  \
        const gemm_##T##_fn f = (gemm_##T##_fn)inner(slot, &threaded);                 \
        if (threaded) {                                                                \
            gemm_job j = {(hostlib_fn)f, sizeof(T) == sizeof(float), ta != 0, tb != 0, 0, m, n, k, \
                          lda, ldb, ldc, 0, (double)alpha, (double)beta, a, b, c};     \
            if (gemm_split(&j, split_min)) {                                           \
                return;                                                                \
            }                                                                          \
        }                                                                              \
        f(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);                       \
    }

/* --------------------------------------------------------- the table */

/* one wrapper per entry with a split class, from its class's template */
#define SPLIT_WRAPPER(slot, name, function, T, kind, split, split_min, reproducible) \
    SPLIT_##split(slot, name, T, split_min)
HOSTLIB_KERNELS_SPLIT_ENTRIES(SPLIT_WRAPPER)
#undef SPLIT_WRAPPER

#define SPLIT_TABLE_ENTRY(slot, name, ...) .name = thr_##name,
static const hostlib_kernels_table threads_table = {
    HOSTLIB_KERNELS_HEADER("threads", "1", 0),
    HOSTLIB_KERNELS_SPLIT_ENTRIES(SPLIT_TABLE_ENTRY)
};
#undef SPLIT_TABLE_ENTRY

/* ------------------------------------------- C symbols for threadpoolctl
   threadpoolctl finds this library among the loaded shared objects by its
   file name and calls these through ctypes (hostlib/_threadpoolctl.py). */
#if defined(__GNUC__) || defined(__clang__)
#define HL_EXPORT __attribute__((visibility("default")))
#else
#define HL_EXPORT
#endif

HL_EXPORT int hostlib_threads_get_num_threads(void);
HL_EXPORT void hostlib_threads_set_num_threads(int n);

HL_EXPORT int hostlib_threads_get_num_threads(void)
{
    return hl_pool_get_num_threads();
}

HL_EXPORT void hostlib_threads_set_num_threads(int n)
{
    hl_pool_set_num_threads(n < 1 ? 1 : n);
}

/* ------------------------------------------------------------- Python */

static PyObject *
threads_bind(PyObject *Py_UNUSED(self), PyObject *capsule)
{
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_SetString(PyExc_TypeError, "bind() takes the kernels host API capsule");
        return NULL;
    }
    const hostlib_host_api *api = PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
    if (api == NULL) {
        return NULL;
    }
    if (api->magic != HOSTLIB_KERNELS_MAGIC) {
        PyErr_SetString(PyExc_ValueError, "not the kernels interface's host API");
        return NULL;
    }
    atomic_store_explicit(&kernels_api, api, memory_order_release);
    Py_RETURN_NONE;
}

static PyObject *
threads_get_num_threads(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_get_num_threads());
}

static PyObject *
threads_set_num_threads(PyObject *Py_UNUSED(self), PyObject *arg)
{
    const long n = PyLong_AsLong(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (n < 0) {
        PyErr_SetString(PyExc_ValueError, "set_num_threads(): n must be >= 0 (0: the default)");
        return NULL;
    }
    hl_pool_set_num_threads(n > HL_POOL_MAX_THREADS ? HL_POOL_MAX_THREADS : (int)n);
    Py_RETURN_NONE;
}

static PyObject *
threads_cpu_count(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_cpu_count());
}

static PyObject *
threads_started(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyLong_FromLong(hl_pool_started());
}

/* run a map job on the pool from Python, for tests: fills out[i] = i with
   tasks of `chunk` elements on up to `width` threads; returns the threads
   that took part. The GIL is released. */
typedef struct {
    double *out;
    ptrdiff_t n, chunk;
} fill_job;

static void fill_task(void *ctx, ptrdiff_t t)
{
    const fill_job *j = ctx;
    for (ptrdiff_t i = t * j->chunk; i < j->n && i < (t + 1) * j->chunk; i++) {
        j->out[i] = (double)i;
    }
}

static PyObject *
threads_fill(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_buffer buf;
    Py_ssize_t chunk;
    int width;
    if (!PyArg_ParseTuple(args, "w*ni:_fill", &buf, &chunk, &width)) {
        return NULL;
    }
    if (chunk < 1 || buf.len % (Py_ssize_t)sizeof(double) != 0) {
        PyBuffer_Release(&buf);
        PyErr_SetString(PyExc_ValueError, "_fill(): a float64 buffer and chunk >= 1");
        return NULL;
    }
    fill_job j = {buf.buf, buf.len / (Py_ssize_t)sizeof(double), chunk};
    int used;
    Py_BEGIN_ALLOW_THREADS
    used = hl_pool_run(fill_task, &j, (j.n + chunk - 1) / chunk, width);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&buf);
    return PyLong_FromLong(used);
}

static PyMethodDef threads_methods[] = {
    {"bind", threads_bind, METH_O, "bind(api_capsule): the kernels host API the wrappers read."},
    {"get_num_threads", threads_get_num_threads, METH_NOARGS, "The pool's thread setting."},
    {"set_num_threads", threads_set_num_threads, METH_O, "set_num_threads(n); 0: the default."},
    {"cpu_count", threads_cpu_count, METH_NOARGS, "CPUs in this process's affinity mask."},
    {"started", threads_started, METH_NOARGS, "Worker threads started in this process."},
    {"_fill", threads_fill, METH_VARARGS, "_fill(buffer, chunk, width) -> threads used (tests)."},
    {NULL, NULL, 0, NULL},
};

static int
threads_exec(PyObject *module)
{
    PyObject *capsule = PyCapsule_New((void *)&threads_table, HOSTLIB_KERNELS_PROVIDER_CAPSULE, NULL);
    if (capsule == NULL) {
        return -1;
    }
    int rc = PyModule_AddObjectRef(module, "_C_API", capsule);
    Py_DECREF(capsule);
    if (rc < 0 || PyModule_AddIntConstant(module, "REDUCTION_CHUNK", (long)RCHUNK) < 0 ||
        PyModule_AddIntConstant(module, "MAX_THREADS", HL_POOL_MAX_THREADS) < 0) {
        return -1;
    }
    return 0;
}

static PyModuleDef_Slot threads_slots[] = {
    {Py_mod_exec, (void *)threads_exec},
#if defined(Py_mod_gil)
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef threads_module = {
    PyModuleDef_HEAD_INIT, "_threads",
    "hostlib's thread pool and the kernels interface's threading wrappers.",
    0, threads_methods, threads_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__threads(void)
{
    return PyModuleDef_Init(&threads_module);
}
