/*
 * _mkl_fft.c -- a hostlib fft table whose plans run MKL's DFTI (libmkl_rt,
 * resolved at import: _mkl_rt.h), the library the kernels and lapack tables
 * call: one MKL, one set of threads and settings.
 *
 * The interface's plan is made for a length, kind and direction; its
 * execute gets the batch layout (howmany, strides, distances, in place or
 * not, scale) at every call. A DFTI descriptor fixes all of these when it is
 * committed. So a plan holds a few committed descriptors, one per batch
 * layout it has been executed with (MK_SLOTS, least recently used replaced;
 * the first, one unit-stride transform, committed by the planner, which
 * also tells whether DFTI takes this length at all). A committed descriptor
 * may be computed with from several threads at once, and the slots are
 * taken under the plan's mutex with a count of users, so execute is
 * thread-safe and a descriptor is never freed while in use; when every slot
 * is in use, a call commits a descriptor of its own and frees it after.
 *
 * The mapping (DFTI parameter <- the interface):
 *   precision, domain          DFTI_SINGLE/DOUBLE; DFTI_COMPLEX (c2c) or
 *                              DFTI_REAL (r2c, c2r), one dimension, length n
 *   direction                  forward (DftiComputeForward, exp(-...)) for
 *                              sign HOSTLIB_FFT_FORWARD and r2c; backward for
 *                              sign BACKWARD and c2r; DFTI does not normalise
 *   scale                      DFTI_FORWARD_SCALE / DFTI_BACKWARD_SCALE
 *   howmany                    DFTI_NUMBER_OF_TRANSFORMS
 *   strides, distances         DFTI_INPUT/OUTPUT_STRIDES {offset, stride} and
 *                              _DISTANCE, in elements of each side's type as
 *                              the interface counts them. Negative ones: the
 *                              base pointer moves to the lowest element the
 *                              batch touches and the offset points back to
 *                              element 0, so DFTI never indexes below its
 *                              base; a layout DFTI refuses all the same is
 *                              copied (below)
 *   in place                   DFTI_INPLACE when output == input with equal
 *                              strides and distances (complex only); an
 *                              output that overlaps the input otherwise (the
 *                              padded in-place r2c layout, say) gets a copy
 *                              of the input first, then DFTI_NOT_INPLACE
 *   r2c, c2r storage           DFTI_CONJUGATE_EVEN_STORAGE =
 *                              DFTI_COMPLEX_COMPLEX: n/2+1 interleaved
 *                              complex values, the interface's layout
 * What DFTI cannot express (a layout whose commit it refuses, e.g. a zero
 * stride) goes through contiguous copies of the batch: gathered, transformed
 * with a unit-stride descriptor, scattered. Nothing is refused at execute
 * except for want of memory.
 *
 * Threads: w, the threads hostlib's pool allows the caller now (its
 * budget; 1 inside a pool task, e.g. one part of a batch hostlib.fft split,
 * or while another call holds the pool), is part of the layout: its
 * descriptor is committed and computed under MKL_Set_Num_Threads_Local(w),
 * restored after. DFTI fixes its threads at commit, so a descriptor per w:
 * MKL's threads never add up to more than hostlib's budget, and a plan
 * cached under a smaller budget uses a larger one, whoever executes it.
 *
 * Integers: DFTI's are MKL_LONG, `long`, 64-bit on the LP64 systems this
 * backend runs on (no _64 symbols exist for DFTI; its lengths and strides
 * are 64-bit either way, like the ILP64 BLAS and LAPACK the other tables
 * call). Baseline flags only: MKL picks its code path at run time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "_mkl_rt.h"
#include "hostlib_fft_fft_table.h"
#include "hostlib_pool_api.h"

#ifndef KERNELS_MKL_VERSION
#error "the build passes -DKERNELS_MKL_VERSION=\"x.y.z\""
#endif

_Static_assert(sizeof(long) == sizeof(ptrdiff_t), "DFTI's MKL_LONG (long) must hold a ptrdiff_t");

/* DFTI's configuration parameters and values (mkl_dfti.h's enums) */
enum {
    MK_DFTI_FORWARD_SCALE = 4,
    MK_DFTI_BACKWARD_SCALE = 5,
    MK_DFTI_NUMBER_OF_TRANSFORMS = 7,
    MK_DFTI_CONJUGATE_EVEN_STORAGE = 10,
    MK_DFTI_PLACEMENT = 11,
    MK_DFTI_INPUT_STRIDES = 12,
    MK_DFTI_OUTPUT_STRIDES = 13,
    MK_DFTI_INPUT_DISTANCE = 14,
    MK_DFTI_OUTPUT_DISTANCE = 15,
};
enum {
    MK_DFTI_COMPLEX = 32,
    MK_DFTI_REAL = 33,
    MK_DFTI_SINGLE = 35,
    MK_DFTI_DOUBLE = 36,
    MK_DFTI_COMPLEX_COMPLEX = 39,
    MK_DFTI_INPLACE = 43,
    MK_DFTI_NOT_INPLACE = 44,
};
enum { MK_DFTI_MEMORY_ERROR = 1 }; /* an error class (DftiErrorClass) */

#define MK_FFT_SYMBOLS(X)                                                 \
    X(long, DftiCreateDescriptor, (void **, int, int, long, ...))         \
    X(long, DftiSetValue, (void *, int, ...))                             \
    X(long, DftiCommitDescriptor, (void *))                               \
    X(long, DftiComputeForward, (void *, void *, ...))                    \
    X(long, DftiComputeBackward, (void *, void *, ...))                   \
    X(long, DftiFreeDescriptor, (void **))                                \
    X(long, DftiErrorClass, (long, long))                                 \
    X(int, MKL_Set_Num_Threads_Local, (int))

MK_DEFINE_LOADER(MK_FFT_SYMBOLS)

/* hostlib's pool, for the thread budget of each call (NULL: MKL's own count) */
static const hostlib_pool_api *mk_pool;

/* ------------------------------------------------------------------------ */
/* plans                                                                     */
/* ------------------------------------------------------------------------ */

/* A batch layout (what does not matter made equal, see mk_execute) and
   the threads it runs on: what a descriptor is committed for */
typedef struct {
    ptrdiff_t howmany, istride, idist, ostride, odist;
    double scale;
    int inplace;
    int threads; /* hostlib's pool's width for the call; 0: MKL's own count */
} mk_layout;

enum { MK_SLOTS = 8 };

typedef struct {
    mk_layout key;
    void *desc; /* NULL: empty */
    unsigned users;
    uint64_t last_use;
} mk_slot;

typedef struct {
    hostlib_fft_plan head;
    ptrdiff_t ilen, olen;   /* elements per transform, each side */
    size_t isize, osize;    /* bytes per element, each side */
    pthread_mutex_t lock;
    uint64_t clock;
    mk_slot slots[MK_SLOTS];
} mk_plan;

static int mk_forward(const mk_plan *p)
{
    return p->head.sign == HOSTLIB_FFT_FORWARD;
}

/* The lowest element (relative to element 0 of array 0, in elements) a
   side of the batch touches: where DFTI's base pointer goes. */
static ptrdiff_t mk_lowest(ptrdiff_t howmany, ptrdiff_t len, ptrdiff_t stride, ptrdiff_t dist)
{
    return (howmany - 1) * (dist < 0 ? dist : 0) + (len - 1) * (stride < 0 ? stride : 0);
}
static ptrdiff_t mk_highest(ptrdiff_t howmany, ptrdiff_t len, ptrdiff_t stride, ptrdiff_t dist)
{
    return (howmany - 1) * (dist > 0 ? dist : 0) + (len - 1) * (stride > 0 ? stride : 0);
}

/* The threads a call may use now (0: no pool bound, MKL's own count) */
static int mk_width(void)
{
    return mk_pool != NULL ? mk_pool->width() : 0;
}

/* MKL's thread count for this thread, for one commit or compute: DFTI
   plans its threads when a descriptor is committed (a descriptor committed
   on 1 thread stays on 1: checked, tests/test_mkl_fft.py) and never runs
   more than the count at compute, so both run under the layout's. */
static int mk_threads_begin(int threads)
{
    return threads > 0 ? mk_MKL_Set_Num_Threads_Local(threads) : 0;
}
static void mk_threads_end(int threads, int previous)
{
    if (threads > 0) {
        mk_MKL_Set_Num_Threads_Local(previous);
    }
}

/* A DFTI status as the interface's: memory, or refused (-1: the caller
   copies, or the planner answers EUNSUPPORTED) */
static int mk_status(long st)
{
    if (st == 0) {
        return HOSTLIB_FFT_OK;
    }
    return mk_DftiErrorClass(st, MK_DFTI_MEMORY_ERROR) ? HOSTLIB_FFT_ENOMEM : -1;
}

/* A committed descriptor for layout l, or a status (mk_status) */
static int mk_commit(const mk_plan *p, const mk_layout *l, void **out)
{
    void *d = NULL;
    const int prec = p->head.precision == 8 ? MK_DFTI_DOUBLE : MK_DFTI_SINGLE;
    const int domain = p->head.kind == HOSTLIB_FFT_C2C ? MK_DFTI_COMPLEX : MK_DFTI_REAL;
    long st = mk_DftiCreateDescriptor(&d, prec, domain, 1L, (long)p->head.n);
    if (st != 0) {
        return mk_status(st);
    }
    long is[2] = {-mk_lowest(l->howmany, p->ilen, l->istride, l->idist), l->istride};
    long os[2] = {-mk_lowest(l->howmany, p->olen, l->ostride, l->odist), l->ostride};
    if (l->howmany > 1) {
        st = mk_DftiSetValue(d, MK_DFTI_NUMBER_OF_TRANSFORMS, (long)l->howmany);
        st = st ? st : mk_DftiSetValue(d, MK_DFTI_INPUT_DISTANCE, (long)l->idist);
        st = st ? st : mk_DftiSetValue(d, MK_DFTI_OUTPUT_DISTANCE, (long)l->odist);
    }
    st = st ? st : mk_DftiSetValue(d, MK_DFTI_PLACEMENT, l->inplace ? MK_DFTI_INPLACE : MK_DFTI_NOT_INPLACE);
    st = st ? st : mk_DftiSetValue(d, MK_DFTI_INPUT_STRIDES, is);
    st = st ? st : mk_DftiSetValue(d, MK_DFTI_OUTPUT_STRIDES, os);
    if (p->head.kind != HOSTLIB_FFT_C2C) {
        st = st ? st : mk_DftiSetValue(d, MK_DFTI_CONJUGATE_EVEN_STORAGE, MK_DFTI_COMPLEX_COMPLEX);
    }
    if (l->scale != 1.0) { /* a double for either precision: a variadic float is one */
        st = st ? st : mk_DftiSetValue(d, mk_forward(p) ? MK_DFTI_FORWARD_SCALE : MK_DFTI_BACKWARD_SCALE, l->scale);
    }
    if (st == 0) {
        const int previous = mk_threads_begin(l->threads);
        st = mk_DftiCommitDescriptor(d);
        mk_threads_end(l->threads, previous);
    }
    if (st != 0) {
        const int status = mk_status(st);
        mk_DftiFreeDescriptor(&d);
        return status;
    }
    *out = d;
    return HOSTLIB_FFT_OK;
}

static int mk_same(const mk_layout *a, const mk_layout *b)
{
    return a->howmany == b->howmany && a->istride == b->istride && a->idist == b->idist && a->ostride == b->ostride
           && a->odist == b->odist && a->scale == b->scale && a->inplace == b->inplace && a->threads == b->threads;
}

/* A descriptor for layout l with one more user: a slot's, a new one in the
   least recently used free slot, or (every slot in use) one of the
   caller's own, *slot = NULL. Committing happens under the plan's lock, so
   two calls needing one new layout commit it once. */
static int mk_acquire(mk_plan *p, const mk_layout *l, void **desc, mk_slot **slot)
{
    pthread_mutex_lock(&p->lock);
    mk_slot *victim = NULL;
    for (int i = 0; i < MK_SLOTS; i++) {
        mk_slot *s = &p->slots[i];
        if (s->desc != NULL && mk_same(&s->key, l)) {
            s->users++;
            s->last_use = ++p->clock;
            pthread_mutex_unlock(&p->lock);
            *desc = s->desc;
            *slot = s;
            return HOSTLIB_FFT_OK;
        }
        if (s->users == 0 && (victim == NULL || s->desc == NULL
                              || (victim->desc != NULL && s->last_use < victim->last_use))) {
            victim = s;
        }
    }
    void *d = NULL;
    const int status = mk_commit(p, l, &d);
    if (status == HOSTLIB_FFT_OK && victim != NULL) {
        if (victim->desc != NULL) {
            mk_DftiFreeDescriptor(&victim->desc);
        }
        *victim = (mk_slot){*l, d, 1, ++p->clock};
    }
    pthread_mutex_unlock(&p->lock);
    *desc = d;
    *slot = victim;
    return status;
}

static void mk_release(mk_plan *p, void *desc, mk_slot *slot)
{
    if (slot == NULL) {
        mk_DftiFreeDescriptor(&desc);
        return;
    }
    pthread_mutex_lock(&p->lock);
    slot->users--;
    pthread_mutex_unlock(&p->lock);
}

/* One DFTI compute of a batch in layout l, with hostlib's thread budget:
   HOSTLIB_FFT_OK, ENOMEM, or -1 (DFTI refused the layout). */
static int mk_run(mk_plan *p, const mk_layout *l, const void *in, void *out)
{
    void *desc;
    mk_slot *slot;
    int status = mk_acquire(p, l, &desc, &slot);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    char *ib = (char *)in + mk_lowest(l->howmany, p->ilen, l->istride, l->idist) * (ptrdiff_t)p->isize;
    char *ob = (char *)out + mk_lowest(l->howmany, p->olen, l->ostride, l->odist) * (ptrdiff_t)p->osize;
    const int previous = mk_threads_begin(l->threads);
    long st;
    if (mk_forward(p)) {
        st = l->inplace ? mk_DftiComputeForward(desc, ib) : mk_DftiComputeForward(desc, ib, ob);
    } else {
        st = l->inplace ? mk_DftiComputeBackward(desc, ib) : mk_DftiComputeBackward(desc, ib, ob);
    }
    mk_threads_end(l->threads, previous);
    mk_release(p, desc, slot);
    return mk_status(st);
}

/* Copy a strided batch to or from a contiguous one (len elements each). */
static void mk_gather(char *dst, const char *src, ptrdiff_t howmany, ptrdiff_t len, ptrdiff_t stride,
                      ptrdiff_t dist, size_t size)
{
    for (ptrdiff_t b = 0; b < howmany; b++) {
        for (ptrdiff_t j = 0; j < len; j++) {
            memcpy(dst + (b * len + j) * (ptrdiff_t)size, src + (b * dist + j * stride) * (ptrdiff_t)size, size);
        }
    }
}
static void mk_scatter(char *dst, const char *src, ptrdiff_t howmany, ptrdiff_t len, ptrdiff_t stride,
                       ptrdiff_t dist, size_t size)
{
    for (ptrdiff_t b = 0; b < howmany; b++) {
        for (ptrdiff_t j = 0; j < len; j++) {
            memcpy(dst + (b * dist + j * stride) * (ptrdiff_t)size, src + (b * len + j) * (ptrdiff_t)size, size);
        }
    }
}

static int mk_execute(const void *plan, ptrdiff_t howmany, const void *input, ptrdiff_t istride, ptrdiff_t idist,
                      void *output, ptrdiff_t ostride, ptrdiff_t odist, double scale)
{
    mk_plan *p = (mk_plan *)plan;
    if (p == NULL || howmany < 0 || (howmany > 0 && (input == NULL || output == NULL))) {
        return HOSTLIB_FFT_EINVAL;
    }
    if (howmany == 0) {
        return HOSTLIB_FFT_OK;
    }
    /* what does not matter is made equal, so that equal layouts share a descriptor */
    const int threads = mk_width();
    mk_layout l = {howmany, p->ilen > 1 ? istride : 1, howmany > 1 ? idist : 0, p->olen > 1 ? ostride : 1,
                   howmany > 1 ? odist : 0, scale, 0, threads};
    l.inplace = input == output && p->head.kind == HOSTLIB_FFT_C2C && l.istride == l.ostride && l.idist == l.odist;
    const char *ilo = (const char *)input + mk_lowest(howmany, p->ilen, l.istride, l.idist) * (ptrdiff_t)p->isize;
    const char *ihi = (const char *)input + (mk_highest(howmany, p->ilen, l.istride, l.idist) + 1) * (ptrdiff_t)p->isize;
    const char *olo = (const char *)output + mk_lowest(howmany, p->olen, l.ostride, l.odist) * (ptrdiff_t)p->osize;
    const char *ohi = (const char *)output + (mk_highest(howmany, p->olen, l.ostride, l.odist) + 1) * (ptrdiff_t)p->osize;
    const int overlap = !l.inplace && ilo < ohi && olo < ihi;
    if (!overlap) {
        const int status = mk_run(p, &l, input, output);
        if (status != -1) {
            return status;
        }
    }
    /* the input overlaps the output (not DFTI's in place), or DFTI refused
       the layout: contiguous copies. The output keeps its layout while
       DFTI takes it, else it is transformed into a copy too. */
    const size_t ibytes = (size_t)howmany * (size_t)p->ilen * p->isize;
    const size_t obytes = (size_t)howmany * (size_t)p->olen * p->osize;
    char *buf = malloc(ibytes + obytes);
    if (buf == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    mk_gather(buf, input, howmany, p->ilen, l.istride, l.idist, p->isize);
    mk_layout direct = {howmany, 1, p->ilen, l.ostride, l.odist, scale, 0, threads};
    int status = overlap ? mk_run(p, &direct, buf, output) : -1;
    if (status == -1) {
        mk_layout packed = {howmany, 1, p->ilen, 1, p->olen, scale, 0, threads};
        status = mk_run(p, &packed, buf, buf + ibytes);
        if (status == HOSTLIB_FFT_OK) {
            mk_scatter(output, buf + ibytes, howmany, p->olen, l.ostride, l.odist, p->osize);
        }
    }
    free(buf);
    return status == -1 ? HOSTLIB_FFT_EUNSUPPORTED : status;
}

static void mk_destroy(void *plan)
{
    mk_plan *p = plan;
    for (int i = 0; i < MK_SLOTS; i++) {
        if (p->slots[i].desc != NULL) {
            mk_DftiFreeDescriptor(&p->slots[i].desc);
        }
    }
    pthread_mutex_destroy(&p->lock);
    free(p);
}

static int mk_plan_make(ptrdiff_t n, int kind, int sign, int precision, hostlib_fft_plan **out)
{
    if (out == NULL || n < 1 || (sign != HOSTLIB_FFT_FORWARD && sign != HOSTLIB_FFT_BACKWARD)) {
        return HOSTLIB_FFT_EINVAL;
    }
    mk_plan *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    if (pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p);
        return HOSTLIB_FFT_ENOMEM;
    }
    const size_t real = (size_t)precision;
    p->ilen = kind == HOSTLIB_FFT_C2R ? n / 2 + 1 : n;
    p->olen = kind == HOSTLIB_FFT_R2C ? n / 2 + 1 : n;
    p->isize = kind == HOSTLIB_FFT_R2C ? real : 2 * real;
    p->osize = kind == HOSTLIB_FFT_C2R ? real : 2 * real;
    p->head = (hostlib_fft_plan){n, kind, sign, precision, sizeof *p, "MKL DFTI, one descriptor per batch layout",
                                 mk_execute, mk_destroy};
    /* the common layout, committed now: DFTI says here whether it takes n */
    const mk_layout first = {1, 1, 0, 1, 0, 1.0, 0, mk_width()};
    int status = mk_commit(p, &first, &p->slots[0].desc);
    if (status != HOSTLIB_FFT_OK) {
        mk_destroy(p);
        return status == -1 ? HOSTLIB_FFT_EUNSUPPORTED : status;
    }
    p->slots[0].key = first;
    p->slots[0].last_use = ++p->clock;
    *out = &p->head;
    return HOSTLIB_FFT_OK;
}

#define MK_PLANNERS(p, precision)                                                        \
    static int mk_##p##plan_c2c(ptrdiff_t n, int sign, hostlib_fft_plan **plan)          \
    {                                                                                    \
        return mk_plan_make(n, HOSTLIB_FFT_C2C, sign, precision, plan);                  \
    }                                                                                    \
    static int mk_##p##plan_r2c(ptrdiff_t n, hostlib_fft_plan **plan)                    \
    {                                                                                    \
        return mk_plan_make(n, HOSTLIB_FFT_R2C, HOSTLIB_FFT_FORWARD, precision, plan);   \
    }                                                                                    \
    static int mk_##p##plan_c2r(ptrdiff_t n, hostlib_fft_plan **plan)                    \
    {                                                                                    \
        return mk_plan_make(n, HOSTLIB_FFT_C2R, HOSTLIB_FFT_BACKWARD, precision, plan);  \
    }
MK_PLANNERS(s, 4)
MK_PLANNERS(d, 8)

/* ------------------------------------------------------------------------ */
/* the table and the module                                                  */
/* ------------------------------------------------------------------------ */

static const hostlib_fft_fft_table mkl_fft_table = {
    HOSTLIB_FFT_FFT_HEADER("mkl", KERNELS_MKL_VERSION, 0),
    .splan_c2c = mk_splan_c2c,
    .dplan_c2c = mk_dplan_c2c,
    .splan_r2c = mk_splan_r2c,
    .dplan_r2c = mk_dplan_r2c,
    .splan_c2r = mk_splan_c2r,
    .dplan_c2r = mk_dplan_c2r,
};

/* hostlib's pool (its capsule), whose width is each call's thread budget;
   without it MKL runs its process-wide count (set_num_threads) */
static void mk_bind_pool(void)
{
    PyObject *threads = PyImport_ImportModule("hostlib._pool._threads"); /* PyCapsule_Import imports no submodule */
    if (threads == NULL) {
        PyErr_Clear();
        return;
    }
    Py_DECREF(threads);
    const hostlib_pool_api *pool = PyCapsule_Import(HOSTLIB_POOL_CAPSULE, 0);
    if (pool == NULL) {
        PyErr_Clear();
        return;
    }
    if (pool->split_abi == HOSTLIB_SPLIT_ABI) {
        mk_pool = pool;
    }
}

static PyMethodDef mk_methods[] = {
    MK_SHARED_METHODS,
    {NULL, NULL, 0, NULL},
};

static int mk_exec(PyObject *module)
{
    if (MK_LOAD(MK_FFT_SYMBOLS) < 0) {
        return -1;
    }
    mk_bind_pool();
    PyObject *capsule = PyCapsule_New((void *)&mkl_fft_table, HOSTLIB_FFT_FFT_PROVIDER_CAPSULE, NULL);
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
    PyModuleDef_HEAD_INIT, "_mkl_fft",
    "hostlib fft table whose plans run Intel MKL's DFTI (libmkl_rt, loaded at import), exported as _C_API.",
    0, mk_methods, mk_slots, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__mkl_fft(void)
{
    return PyModuleDef_Init(&mk_module);
}
