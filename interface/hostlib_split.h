/*
 * hostlib_split.h -- the host's thread-split wrappers, for any interface.
 *
 * An entry whose spec gives it a split class (split = map, axpy, scal, sum,
 * norm, dot or gemm; interface/SPEC.md) can be split over hostlib's one
 * thread pool without the host knowing what it computes: the class says
 * the signature's shape and how to cut a call. This header holds one
 * wrapper template per class. Expanded over an interface's
 * <PREFIX>_SPLIT_ENTRIES (the generated <prefix><name>_entries.h), it gives
 * one wrapper per entry with the entry's exact signature, and a table of
 * them; the host puts a wrapper in the public slot of each entry it splits
 * and the selected backend's own function in the hidden inner slot
 * (composed.h), so callers call through the same slot as before.
 *
 * hostlib's own kernels interface uses it in hostlib/_pool/_threads.c.
 * Another interface gets the same service from one extension module,
 * compiled with baseline flags, named by its spec (split_wrappers =
 * "mylib._split"):
 *
 *     #include "mylib_filters_entries.h"
 *     #include "mylib_filters_table.h"
 *     #include "hostlib_split.h"
 *     HOSTLIB_SPLIT_MODULE(_split, mylib_filters_table, MYLIB_FILTERS)
 *
 * The module takes the pool from hostlib (the capsule HOSTLIB_POOL_CAPSULE)
 * when it is imported, and the host binds it to the interface's active
 * table when the interface starts.
 *
 * Switching. A wrapper loads the active-table pointer once, at its start,
 * picks the function of the call's size class there (composed.h), and
 * calls it for every part of the call. So a call is served wholly by one
 * implementation: the one active for its size when the wrapper started.
 * If that function is not to be split (it comes from a backend that
 * threads itself), the wrapper calls it once, unsplit. Tables are never freed, so a pointer loaded
 * before a switch stays callable after it.
 *
 * Splitting, and why results do not depend on the thread count:
 *   - gemm: C is cut into blocks of rows (or columns, whichever dimension
 *     is larger), one per thread; each block is a complete gemm call with
 *     the same k, whose every element is computed exactly as in the whole
 *     call (the blocked algorithm's k slices depend on k only).
 *   - map, axpy, scal: ranges of elements; each output element is
 *     computed alone, so any cut gives the same bits. Run on one thread
 *     when the output overlaps the input other than exactly in place, or
 *     has stride 0 (the order of the writes would matter).
 *   - sum, norm, dot: ALWAYS cut into fixed chunks of RCHUNK_BYTES,
 *     whatever the thread count (1 included), each reduced by the backend,
 *     and the chunk results combined by one fixed pairwise tree in chunk
 *     order. Threads only decide who computes which chunk.
 * Calls below the entry's split_min run on the caller at the cost of one
 * extra indirect call and a few compares.
 */
#ifndef HOSTLIB_SPLIT_H
#define HOSTLIB_SPLIT_H

#include <Python.h>

#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "composed.h"
#include "hostlib_table.h"

#include "hostlib_pool_api.h" /* HOSTLIB_SPLIT_ABI, the pool as hostlib exports it */

#ifdef HOSTLIB_SPLIT_POOL_DIRECT /* hostlib's own module, linked with pool.c */
#include "pool.h"
#define HL_SPLIT_RUN(task, ctx, ntasks, width) hl_pool_run((task), (ctx), (ntasks), (width))
#define HL_SPLIT_WIDTH() hl_pool_width()
#else
static const hostlib_pool_api *hl_split_pool;
#define HL_SPLIT_RUN(task, ctx, ntasks, width) hl_split_pool->run((task), (ctx), (ntasks), (width))
#define HL_SPLIT_WIDTH() hl_split_pool->width()
#endif

/* the interface's re-export struct, whose active table the wrappers read
   (set once by the host when the interface starts: bind()) */
static const hostlib_host_api *_Atomic hl_split_api;

/* The function that serves a call of this size (element count, or m*n*k
   for gemm) from the active table's size classes (composed.h), and
   whether the pool may split it (not when it threads itself). */
static inline hostlib_fn inner(size_t slot, double size, int *threaded)
{
    const hostlib_host_api *api = atomic_load_explicit(&hl_split_api, memory_order_acquire);
    const hostlib_size_classes *sc = HOSTLIB_SIZE_CLASSES_OF(HOSTLIB_LOAD_ACTIVE(api)) + slot;
    const int c = hostlib_size_class(sc, size);
    *threaded = sc->split[c];
    return sc->fn[c];
}

/* ------------------------------------------------------------------ sizes
   Measured on this project's 2-core AVX-512 machines (see the README's
   threads section): handing a spinning helper its part and waiting for
   it costs ~0.2 us, and two threads pay off from ~1 us of work per call
   (split_min, per entry, in interface/kernels.toml). */

/* Reductions: chunk size, fixed, 32 KiB of one operand: 2^12 float64 or
   2^13 float32 elements. Results depend on it in the last bits: changing
   it is a visible change. Small enough that two threads get nearly equal
   shares at the sizes where splitting starts to pay (with 2^15 float64,
   n = 1e5 was 4 chunks, the last one short: the caller reduced 65536
   elements and its helper 34464, 0.66 of one thread's time at best, not
   0.5; with 2^12 it is 25 chunks, 13 and 12). Large enough that a chunk's
   own cost, one more call into the backend and its horizontal sum, stays
   small: with 2^12 float32 elements (16 KiB, ~70 ns from L2) a float32
   asum of 1e5 took 10% longer in chunks than in one call; in 32 KiB
   chunks, as long. */
#define RCHUNK_BYTES ((ptrdiff_t)1 << 15)
#define RCHUNK(es) (RCHUNK_BYTES / (ptrdiff_t)(es))
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
    typedef void (*map2_##T##_fn)(ptrdiff_t, const T *, ptrdiff_t, const T *, ptrdiff_t, T *, ptrdiff_t); \
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

enum { MAP_UNARY, MAP_BINARY, MAP_AXPY, MAP_SCAL };

typedef struct {
    hostlib_fn fn;
    int kind;
    size_t es; /* element size */
    const char *x;
    char *y;
    ptrdiff_t n, incx, incy, chunk;
    double alpha;
    const char *x2; /* MAP_BINARY: the second input, y = f(x, x2) */
    ptrdiff_t incx2;
} map_job;

static void map_task(void *ctx, ptrdiff_t t)
{
    const map_job *j = ctx;
    const ptrdiff_t lo = t * j->chunk;
    const ptrdiff_t m = j->n - lo < j->chunk ? j->n - lo : j->chunk;
    const char *x = j->x + lo * j->incx * (ptrdiff_t)j->es;
    const char *x2 = j->kind == MAP_BINARY ? j->x2 + lo * j->incx2 * (ptrdiff_t)j->es : NULL;
    char *y = j->y + lo * j->incy * (ptrdiff_t)j->es;
    if (j->es == sizeof(double)) {
        switch (j->kind) {
        case MAP_UNARY:
            ((map_double_fn)j->fn)(m, (const double *)x, j->incx, (double *)y, j->incy);
            break;
        case MAP_BINARY:
            ((map2_double_fn)j->fn)(m, (const double *)x, j->incx, (const double *)x2, j->incx2, (double *)y,
                                    j->incy);
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
        case MAP_BINARY:
            ((map2_float_fn)j->fn)(m, (const float *)x, j->incx, (const float *)x2, j->incx2, (float *)y, j->incy);
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
   has a non-zero stride and does not overlap an input other than exactly
   in place. */
static int input_apart(const map_job *j, const char *x, ptrdiff_t incx)
{
    if (x == j->y && incx == j->incy) {
        return 1;
    }
    uintptr_t xlo, xhi, ylo, yhi;
    span(x, j->n, incx, j->es, &xlo, &xhi);
    span(j->y, j->n, j->incy, j->es, &ylo, &yhi);
    return xhi <= ylo || yhi <= xlo;
}

static int map_splittable(const map_job *j)
{
    if (j->incy == 0) {
        return 0;
    }
    if (j->kind == MAP_SCAL) {
        return 1;
    }
    return input_apart(j, j->x, j->incx) && (j->kind != MAP_BINARY || input_apart(j, j->x2, j->incx2));
}

/* run a map job, split over the pool when it holds at least split_min elements */
static void map_run(map_job *j, ptrdiff_t split_min)
{
    const int width = HL_SPLIT_WIDTH();
    if (width > 1 && j->n >= split_min && map_splittable(j)) {
        ptrdiff_t chunk = (j->n + 4 * (ptrdiff_t)width - 1) / (4 * (ptrdiff_t)width);
        chunk = chunk < MAP_TASK_MIN ? MAP_TASK_MIN : (chunk + 63) / 64 * 64;
        j->chunk = chunk;
        HL_SPLIT_RUN(map_task, j, (j->n + chunk - 1) / chunk, width);
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
        const map_##T##_fn f = (map_##T##_fn)inner(slot, (double)n, &threaded);        \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, x, incx, y, incy);                                                    \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_UNARY, sizeof(T), (const char *)x, (char *)y,  \
                     n, incx, incy, 0, 0.0, NULL, 0};                                  \
        map_run(&j, split_min);                                                        \
    }

#define SPLIT_map2(slot, name, T, split_min)                                           \
    static void thr_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *x2,       \
                           ptrdiff_t incx2, T *y, ptrdiff_t incy)                      \
    {                                                                                  \
        int threaded;                                                                  \
        const map2_##T##_fn f = (map2_##T##_fn)inner(slot, (double)n, &threaded);      \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, x, incx, x2, incx2, y, incy);                                         \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_BINARY, sizeof(T), (const char *)x, (char *)y, \
                     n, incx, incy, 0, 0.0, (const char *)x2, incx2};                  \
        map_run(&j, split_min);                                                        \
    }

#define SPLIT_axpy(slot, name, T, split_min)                                           \
    static void thr_##name(ptrdiff_t n, T alpha, const T *x, ptrdiff_t incx, T *y,     \
                           ptrdiff_t incy)                                             \
    {                                                                                  \
        int threaded;                                                                  \
        const axpy_##T##_fn f = (axpy_##T##_fn)inner(slot, (double)n, &threaded);      \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, alpha, x, incx, y, incy);                                             \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_AXPY, sizeof(T), (const char *)x, (char *)y,   \
                     n, incx, incy, 0, (double)alpha, NULL, 0};                        \
        map_run(&j, split_min);                                                        \
    }

#define SPLIT_scal(slot, name, T, split_min)                                           \
    static void thr_##name(ptrdiff_t n, T alpha, T *x, ptrdiff_t incx)                 \
    {                                                                                  \
        int threaded;                                                                  \
        const scal_##T##_fn f = (scal_##T##_fn)inner(slot, (double)n, &threaded);      \
        if (!threaded || n < split_min || n < 2 * MAP_TASK_MIN) {                      \
            f(n, alpha, x, incx);                                                      \
            return;                                                                    \
        }                                                                              \
        map_job j = {(hostlib_fn)f, MAP_SCAL, sizeof(T), (const char *)x, (char *)x,   \
                     n, incx, incx, 0, (double)alpha, NULL, 0};                        \
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
    double *partials; /* one result per chunk, when split */
    ptrdiff_t nchunks;
} red_job;

/* the backend's reduction of chunk c, widened to double (exactly) */
static double red_chunk(const red_job *j, ptrdiff_t c)
{
    const ptrdiff_t chunk = RCHUNK(j->es), lo = c * chunk, m = j->n - lo < chunk ? j->n - lo : chunk;
    const char *x = j->x + lo * j->incx * (ptrdiff_t)j->es;
    const char *y = j->dot ? j->y + lo * j->incy * (ptrdiff_t)j->es : NULL;
    if (j->es == sizeof(double)) {
        return j->dot ? ((dot_double_fn)j->fn)(m, (const double *)x, j->incx, (const double *)y, j->incy)
                      : ((sum_double_fn)j->fn)(m, (const double *)x, j->incx);
    }
    return j->dot ? ((dot_float_fn)j->fn)(m, (const float *)x, j->incx, (const float *)y, j->incy)
                  : ((sum_float_fn)j->fn)(m, (const float *)x, j->incx);
}

/* Task 0 is the last chunk, usually the short one, and task t > 0 chunk
   t - 1: the pool gives its first block of tasks to the caller, which
   starts before its helpers, and one task more where they do not divide.
   In chunk order, a float64 dot of 1e5 elements (24 chunks and a short
   one) left the caller 13 whole chunks and its helper 11 and the short
   one; this way the caller has 12 and the short one. */
static void red_task(void *ctx, ptrdiff_t t)
{
    red_job *j = ctx;
    const ptrdiff_t c = t == 0 ? j->nchunks - 1 : t - 1;
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

#define RED_STACK_CHUNKS 256

/* n > RCHUNK(es): the chunked reduction, on the pool from split_min elements */
static double red_run(red_job *j, int op, ptrdiff_t split_min)
{
    const ptrdiff_t nchunks = (j->n + RCHUNK(j->es) - 1) / RCHUNK(j->es);
    red_tree t = {{0}, 0, 0};
    const int width = HL_SPLIT_WIDTH();
    /* the chunk results: on the stack up to RED_STACK_CHUNKS (8 MiB of an
       operand), so that a split call of a few microseconds pays no malloc */
    double on_stack[RED_STACK_CHUNKS];
    double *partials = NULL;
    if (width > 1 && j->n >= split_min) {
        partials = nchunks <= RED_STACK_CHUNKS ? on_stack : malloc((size_t)nchunks * sizeof *partials);
    }
    if (partials != NULL) {
        j->partials = partials;
        j->nchunks = nchunks;
        HL_SPLIT_RUN(red_task, j, nchunks, width);
        for (ptrdiff_t c = 0; c < nchunks; c++) {
            red_push(&t, op, partials[c]);
        }
        if (partials != on_stack) {
            free(partials);
        }
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
        const sum_##T##_fn f = (sum_##T##_fn)inner(slot, (double)n, &threaded);        \
        if (!threaded || n <= RCHUNK(sizeof(T))) {                                     \
            return f(n, x, incx);                                                      \
        }                                                                              \
        red_job j = {(hostlib_fn)f, 0, sizeof(T), (const char *)x, NULL, n, incx, 0, NULL, 0}; \
        return (T)red_run(&j, op, split_min);                                          \
    }
#define SPLIT_sum(slot, name, T, split_min) SPLIT_REDUCE1(slot, name, T, split_min, RED_ADD)
#define SPLIT_norm(slot, name, T, split_min) SPLIT_REDUCE1(slot, name, T, split_min, RED_NORM)

#define SPLIT_dot(slot, name, T, split_min)                                            \
    static T thr_##name(ptrdiff_t n, const T *x, ptrdiff_t incx, const T *y, ptrdiff_t incy) \
    {                                                                                  \
        int threaded;                                                                  \
        const dot_##T##_fn f = (dot_##T##_fn)inner(slot, (double)n, &threaded);        \
        if (!threaded || n <= RCHUNK(sizeof(T))) {                                     \
            return f(n, x, incx, y, incy);                                             \
        }                                                                              \
        red_job j = {(hostlib_fn)f, 1, sizeof(T), (const char *)x, (const char *)y, n, incx, incy, NULL, 0}; \
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
    const int width = HL_SPLIT_WIDTH();
    /* Along the larger dimension, so that the operand each thread packs
       whole (its own copy) is the smaller one; a tie goes to columns.
       Cut into blocks of rows, every thread packs all of B: at n = 4096
       float64 with KC 512, NC 4096 that is 16 MiB each, 32 MiB for two,
       the whole of a Zen 4's L3, and their B micro-panels came from
       memory. Cut into blocks of columns, each packs only its half of B
       (8 MiB each) and all of A, MC rows at a time, which stay in its
       own L2. */
    j->along_n = j->n >= j->m;
    const ptrdiff_t dim = j->along_n ? j->n : j->m;
    ptrdiff_t parts = dim / GEMM_BLOCK_UNIT < width ? dim / GEMM_BLOCK_UNIT : width;
    if (parts < 2) {
        return 0;
    }
    ptrdiff_t block = (dim + parts - 1) / parts;
    block = (block + GEMM_BLOCK_UNIT - 1) / GEMM_BLOCK_UNIT * GEMM_BLOCK_UNIT;
    j->block = block;
    HL_SPLIT_RUN(gemm_task, j, (dim + block - 1) / block, (int)parts);
    return 1;
}

#define SPLIT_gemm(slot, name, T, split_min)                                           \
    static void thr_##name(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, \
                           const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c, \
                           ptrdiff_t ldc)                                              \
    {                                                                                  \
        int threaded;                                                                  \
        const gemm_##T##_fn f =                                                        \
            (gemm_##T##_fn)inner(slot, (double)m * (double)n * (double)k, &threaded);  \
        if (threaded) {                                                                \
            gemm_job j = {(hostlib_fn)f, sizeof(T) == sizeof(float), ta != 0, tb != 0, 0, m, n, k, \
                          lda, ldb, ldc, 0, (double)alpha, (double)beta, a, b, c};     \
            if (gemm_split(&j, split_min)) {                                           \
                return;                                                                \
            }                                                                          \
        }                                                                              \
        f(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);                       \
    }

/* ------------------------------------------------------------ the table */

/* HOSTLIB_SPLIT_WRAPPERS(ENTRIES, table_type, HEADER): one wrapper per entry
   of the X-macro list ENTRIES (an interface's <PREFIX>_SPLIT_ENTRIES), from
   its class's template, and hl_split_table: a table of the interface
   holding them. */
#define HL_SPLIT_WRAPPER(slot, name, function, T, kind, split, split_min, reproducible) \
    SPLIT_##split(slot, name, T, split_min)
#define HL_SPLIT_TABLE_ENTRY(slot, name, ...) .name = thr_##name,
#define HOSTLIB_SPLIT_WRAPPERS(ENTRIES, table_type, HEADER)                            \
    ENTRIES(HL_SPLIT_WRAPPER)                                                          \
    static const table_type hl_split_table = {                                         \
        HEADER("split", "1", 0),                                                       \
        ENTRIES(HL_SPLIT_TABLE_ENTRY)                                                  \
    };

/* bind(capsule): the host API capsule of the interface (magic checked)
   whose active table the wrappers call. */
static PyObject *hl_split_bind(PyObject *capsule, uint32_t magic)
{
    if (!PyCapsule_CheckExact(capsule)) {
        PyErr_SetString(PyExc_TypeError, "bind() takes the interface's host API capsule");
        return NULL;
    }
    const hostlib_host_api *api = PyCapsule_GetPointer(capsule, PyCapsule_GetName(capsule));
    if (api == NULL) {
        return NULL;
    }
    if (api->magic != magic) {
        PyErr_SetString(PyExc_ValueError, "bind(): the host API of another interface (wrong magic number)");
        return NULL;
    }
    atomic_store_explicit(&hl_split_api, api, memory_order_release);
    Py_RETURN_NONE;
}

/* The module attributes the host reads: _C_API (the wrappers' table, under
   the interface's provider capsule name) and SPLIT_ABI. */
static int hl_split_add_table(PyObject *module, const void *table, const char *capsule_name)
{
    PyObject *capsule = PyCapsule_New((void *)table, capsule_name, NULL);
    if (capsule == NULL) {
        return -1;
    }
    const int rc = PyModule_AddObjectRef(module, "_C_API", capsule);
    Py_DECREF(capsule);
    return rc < 0 ? -1 : PyModule_AddIntConstant(module, "SPLIT_ABI", HOSTLIB_SPLIT_ABI);
}

#ifndef HOSTLIB_SPLIT_POOL_DIRECT
/* a split module of another interface: hostlib's pool, or ImportError */
static int hl_split_import_pool(void)
{
    hl_split_pool = hostlib_import_pool();
    return hl_split_pool == NULL ? -1 : 0;
}

/* HOSTLIB_SPLIT_MODULE(modname, table_type, UPPER): a whole split module of
   the interface whose generated names start with UPPER (MYLIB_FILTERS). */
#define HOSTLIB_SPLIT_MODULE(modname, table_type, UPPER)                               \
    HOSTLIB_SPLIT_WRAPPERS(UPPER##_SPLIT_ENTRIES, table_type, UPPER##_HEADER)           \
    static PyObject *hl_split_bind_method(PyObject *self, PyObject *capsule)            \
    {                                                                                  \
        (void)self;                                                                    \
        return hl_split_bind(capsule, UPPER##_MAGIC);                                  \
    }                                                                                  \
    static PyMethodDef hl_split_methods[] = {                                          \
        {"bind", hl_split_bind_method, METH_O, "bind(host_api): the table to call."},  \
        {NULL, NULL, 0, NULL},                                                         \
    };                                                                                 \
    static int hl_split_exec(PyObject *module)                                         \
    {                                                                                  \
        if (hl_split_import_pool() < 0) {                                              \
            return -1;                                                                 \
        }                                                                              \
        return hl_split_add_table(module, &hl_split_table, UPPER##_PROVIDER_CAPSULE);  \
    }                                                                                  \
    static PyModuleDef_Slot hl_split_slots[] = {                                       \
        {Py_mod_exec, (void *)hl_split_exec},                                          \
        {0, NULL},                                                                     \
    };                                                                                 \
    static struct PyModuleDef hl_split_module = {                                      \
        PyModuleDef_HEAD_INIT, #modname, "Thread-split wrappers (hostlib_split.h).",    \
        0, hl_split_methods, hl_split_slots, NULL, NULL, NULL,                         \
    };                                                                                 \
    PyMODINIT_FUNC PyInit_##modname(void)                                              \
    {                                                                                  \
        return PyModuleDef_Init(&hl_split_module);                                     \
    }
#endif

#endif /* HOSTLIB_SPLIT_H */
