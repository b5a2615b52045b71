/*
 * _transforms.c -- the C half of hostlib.fft: plans from the active fft
 * table, kept in a bounded cache, executed over batches on hostlib's thread
 * pool; and the loops that serve numpy.fft's gufuncs (patch_numpy).
 *
 * Plans. A plan is made by the planner in the active table's slot for its
 * kind and precision, and carries its own execute and destroy (fft.toml):
 * a plan keeps working after a switch of backend, and a cached plan is
 * found again by the planner that made it, so a switch simply makes new
 * plans. The cache holds at most `capacity` plans (least recently used
 * leaves first); a plan still executing when it leaves is freed by its
 * last user. A planner answering HOSTLIB_FFT_EUNSUPPORTED for a length is
 * replaced, for that plan, by the portable table's, which plans every n.
 *
 * Threads. The GIL is released around planning and executing, except for
 * batches of at most KEEP_GIL_ELEMENTS points (a microsecond or two). A batch is
 * cut into at most `width` contiguous parts, one per pool thread, once it
 * holds enough work to pay for the wake-up (SPLIT_MIN_WORK): a transform's
 * result depends on its own data only, so the split never changes a value.
 * A batch left whole is executed on this thread, where a backend may split
 * each large transform over the pool itself (simd/fft.h's four steps read
 * the pool's width); one thread asked for runs as a pool task of width 1,
 * so that the backend sees width 1 too.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_1_25_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include "hostlib_fft_stubs.h"
#include "hostlib_pool_api.h"
#include "../_numpy/loop_swap.h"

/* A batch is split over the pool from this much work, counted as
   n*log2(n) summed over its transforms: a few microseconds on one core,
   where handing a part to a helper starts to pay (as the kernels'
   split_min). hostlib.fft.fft on a 2-core Zen 5, complex128, two threads
   over one: 8 x 64 (work 3072) 0.87x, 16 x 64 1.03x, 32 x 64 1.12x,
   64 x 64 1.23x, 32 x 256 1.44x. */
#define SPLIT_MIN_WORK 8192.0
/* A batch of at most this many points runs without releasing the GIL:
   it takes a microsecond or two, and letting go of the GIL and taking it
   back costs ~80 ns (numpy keeps it for ufunc loops below 500 elements).
   Planning such a length, on a cache miss, is as short. */
#define KEEP_GIL_ELEMENTS 2048.0
#define DEFAULT_CAPACITY 32
#define MAX_CAPACITY 4096

static const hostlib_pool_api *pool;
static const hostlib_fft_fft_table *portable_table;

/* ------------------------------------------------------------------ */
/* The plan cache                                                      */
/* ------------------------------------------------------------------ */

typedef struct cached_plan {
    hostlib_fn planner; /* the planner that made it: its backend, kind and precision */
    ptrdiff_t n;
    int sign;
    hostlib_fft_plan *plan;
    unsigned users;      /* executions holding it (under cache_lock) */
    int evicted;         /* left the cache; freed by its last user */
    uint64_t last_use;
} cached_plan;

/* a plain mutex: CPython's lock (PyThread_acquire_lock) reads the clock on
   every acquisition, a third of execute()'s cost for a short transform */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_plan **cache;
static Py_ssize_t cache_len, cache_capacity = DEFAULT_CAPACITY;
static uint64_t cache_clock, cache_hits, cache_misses;

static void plan_free(cached_plan *c)
{
    if (c->plan != NULL && c->plan->destroy != NULL) {
        c->plan->destroy(c->plan);
    }
    free(c);
}

/* Drop entries beyond `keep`, least recently used first. Under cache_lock. */
static void cache_shrink(Py_ssize_t keep)
{
    while (cache_len > keep) {
        Py_ssize_t oldest = 0;
        for (Py_ssize_t i = 1; i < cache_len; i++) {
            if (cache[i]->last_use < cache[oldest]->last_use) {
                oldest = i;
            }
        }
        cached_plan *c = cache[oldest];
        cache[oldest] = cache[--cache_len];
        if (c->users == 0) {
            plan_free(c);
        } else {
            c->evicted = 1;
        }
    }
}

typedef int (*planner_c2c)(ptrdiff_t, int, hostlib_fft_plan **);
typedef int (*planner_real)(ptrdiff_t, hostlib_fft_plan **);

/* The planner of a kind and precision in a table (NULL if the slot is empty). */
static hostlib_fn table_planner(const hostlib_fft_fft_table *t, int kind, int dbl)
{
    switch (kind) {
    case HOSTLIB_FFT_C2C:
        return dbl ? (hostlib_fn)t->dplan_c2c : (hostlib_fn)t->splan_c2c;
    case HOSTLIB_FFT_R2C:
        return dbl ? (hostlib_fn)t->dplan_r2c : (hostlib_fn)t->splan_r2c;
    default:
        return dbl ? (hostlib_fn)t->dplan_c2r : (hostlib_fn)t->splan_c2r;
    }
}

static int call_planner(hostlib_fn planner, int kind, ptrdiff_t n, int sign, hostlib_fft_plan **plan)
{
    if (planner == NULL) {
        return HOSTLIB_FFT_EUNSUPPORTED;
    }
    return kind == HOSTLIB_FFT_C2C ? ((planner_c2c)planner)(n, sign, plan) : ((planner_real)planner)(n, plan);
}

/* A plan's head must say what was asked for: a backend that returns
   another plan (or none) would be executed out of bounds. */
static int plan_is_sound(const hostlib_fft_plan *p, int kind, int dbl, ptrdiff_t n, int sign)
{
    return p != NULL && p->execute != NULL && p->n == n && p->kind == kind && p->precision == (dbl ? 8 : 4)
           && (kind != HOSTLIB_FFT_C2C || p->sign == sign);
}

/* Find or make the plan, with one more user. Returns NULL with *status set
   (a HOSTLIB_FFT_ error, or 1 for a backend's unsound plan). The GIL may be held
   (execute() keeps it for short work): nothing here waits for it. */
static cached_plan *plan_acquire(int kind, int dbl, ptrdiff_t n, int sign, int *status)
{
    const hostlib_fft_fft_table *active = hostlib_fft_fft_current();
    hostlib_fn planner = table_planner(active, kind, dbl);
    if (kind != HOSTLIB_FFT_C2C) {
        sign = kind == HOSTLIB_FFT_R2C ? HOSTLIB_FFT_FORWARD : HOSTLIB_FFT_BACKWARD;
    }
    pthread_mutex_lock(&cache_lock);
    for (Py_ssize_t i = 0; i < cache_len; i++) {
        cached_plan *c = cache[i];
        if (c->planner == planner && c->n == n && c->sign == sign) {
            c->users++;
            c->last_use = ++cache_clock;
            cache_hits++;
            pthread_mutex_unlock(&cache_lock);
            return c;
        }
    }
    cache_misses++;
    /* planned under the lock: two threads asking for one new plan make it once */
    hostlib_fft_plan *plan = NULL;
    int rc = call_planner(planner, kind, n, sign, &plan);
    if (rc == HOSTLIB_FFT_EUNSUPPORTED && planner != table_planner(portable_table, kind, dbl)) {
        planner = table_planner(portable_table, kind, dbl);
        plan = NULL;
        rc = call_planner(planner, kind, n, sign, &plan);
    }
    cached_plan *c = NULL;
    if (rc == HOSTLIB_FFT_OK && !plan_is_sound(plan, kind, dbl, n, sign)) {
        rc = 1; /* never executed, and not freed either: its destroy is not to be trusted */
    } else if (rc == HOSTLIB_FFT_OK) {
        c = calloc(1, sizeof *c);
        if (c == NULL) {
            plan->destroy(plan);
            rc = HOSTLIB_FFT_ENOMEM;
        }
    }
    if (c != NULL) {
        *c = (cached_plan){planner, n, sign, plan, 1, 0, ++cache_clock};
        if (cache_capacity > 0) {
            cache_shrink(cache_capacity - 1);
            cache[cache_len++] = c;
        } else {
            c->evicted = 1; /* a cache of size 0: used once, then freed */
        }
    }
    pthread_mutex_unlock(&cache_lock);
    *status = rc;
    return c;
}

static void plan_release(cached_plan *c)
{
    pthread_mutex_lock(&cache_lock);
    int free_it = --c->users == 0 && c->evicted;
    pthread_mutex_unlock(&cache_lock);
    if (free_it) {
        plan_free(c);
    }
}

/* Sets the Python exception for a failed plan or execute. GIL held. */
static void raise_status(int status, int kind, ptrdiff_t n)
{
    static const char *kinds[] = {"c2c", "r2c", "c2r"};
    const char *k = kinds[kind];
    if (status == HOSTLIB_FFT_ENOMEM) {
        PyErr_Format(PyExc_MemoryError, "no memory for a %s transform of length %zd", k, n);
    } else if (status == 1) {
        PyErr_Format(PyExc_RuntimeError,
                     "the fft backend's %s planner returned a plan that does not match length %zd; "
                     "switch backend (hostlib.use(..., interface='fft'))", k, n);
    } else {
        PyErr_Format(PyExc_ValueError, "the fft backend refused a %s transform of length %zd (status %d)", k, n,
                     status);
    }
}

/* ------------------------------------------------------------------ */
/* Executing a batch, split over the pool                              */
/* ------------------------------------------------------------------ */

typedef struct {
    const hostlib_fft_plan *plan;
    const char *in;
    char *out;
    ptrdiff_t istride, idist, ostride, odist; /* elements */
    size_t isize, osize;                      /* bytes per element */
    ptrdiff_t howmany, parts;
    double scale;
    _Atomic int status;
} batch_job;

static void batch_part(void *ctx, ptrdiff_t t)
{
    batch_job *job = ctx;
    const ptrdiff_t first = job->howmany * t / job->parts, end = job->howmany * (t + 1) / job->parts;
    if (end <= first) {
        return;
    }
    const int rc = job->plan->execute(job->plan, end - first, job->in + first * job->idist * (ptrdiff_t)job->isize,
                                      job->istride, job->idist, job->out + first * job->odist * (ptrdiff_t)job->osize,
                                      job->ostride, job->odist, job->scale);
    if (rc != HOSTLIB_FFT_OK) {
        int ok = HOSTLIB_FFT_OK;
        atomic_compare_exchange_strong(&job->status, &ok, rc);
    }
}

/* Runs job over the batch on up to `width` threads. The GIL may be held. */
static int batch_run(batch_job *job, int width)
{
    const double n = (double)job->plan->n;
    const double work = (double)job->howmany * n * (n > 2 ? log2(n) : 1.0);
    ptrdiff_t parts = 1;
    if (width > 1 && job->howmany > 1 && work >= SPLIT_MIN_WORK) {
        const int avail = pool->width();
        parts = width < avail ? width : avail;
        if (parts > job->howmany) {
            parts = job->howmany;
        }
    }
    job->parts = parts;
    atomic_init(&job->status, HOSTLIB_FFT_OK);
    if (parts <= 1 && width <= 1) {
        /* one thread asked for: as a task of the pool, run on this thread,
           inside which the pool's width is 1, so a backend that splits a
           large transform over the pool itself (simd/fft.h's four steps)
           keeps it on this thread too */
        pool->run(batch_part, job, 1, 1);
    } else if (parts <= 1) {
        /* not worth splitting by arrays (one array, or little work): the
           backend may still split each large transform over the pool */
        batch_part(job, 0);
    } else {
        pool->run(batch_part, job, parts, (int)parts);
    }
    return atomic_load(&job->status);
}

/* The plan of (kind, precision, n, sign), run over job's batch on up to
   `width` threads; a HOSTLIB_FFT_ status. The GIL may be held or not. */
static int plan_and_run(batch_job *job, int kind, int dbl, ptrdiff_t n, int sign, int width)
{
    int status;
    cached_plan *c = plan_acquire(kind, dbl, n, sign, &status);
    if (c != NULL) {
        job->plan = c->plan;
        status = batch_run(job, width);
        plan_release(c);
    }
    return status;
}

/* ------------------------------------------------------------------ */
/* execute(): the primitive hostlib.fft's functions are written on     */
/* ------------------------------------------------------------------ */

/* The side lengths of a kind: complex n (c2c), n reals -> n/2+1 complex (r2c), the reverse (c2r) */
static ptrdiff_t in_length(int kind, ptrdiff_t n) { return kind == HOSTLIB_FFT_C2R ? n / 2 + 1 : n; }
static ptrdiff_t out_length(int kind, ptrdiff_t n) { return kind == HOSTLIB_FFT_R2C ? n / 2 + 1 : n; }

/* Element strides of a 2-D array along both axes; -1 with ValueError when
   a byte stride is not a whole number of elements or the data is not
   aligned to its element's real type. */
static int element_strides(PyArrayObject *a, const char *what, ptrdiff_t *dist, ptrdiff_t *stride)
{
    const npy_intp size = PyArray_ITEMSIZE(a); /* 4, 8 or 16: check_array took only these types */
    const npy_intp align = PyArray_ISCOMPLEX(a) ? size / 2 : size;
    const npy_intp *st = PyArray_STRIDES(a);
    /* masks and divisions by constants, not by a variable: two 64-bit
       divisions per array were a tenth of a short transform's call */
    if (((st[0] | st[1]) & (size - 1)) != 0 || ((uintptr_t)PyArray_DATA(a) & (uintptr_t)(align - 1)) != 0) {
        PyErr_Format(PyExc_ValueError, "%s: strides (%zd, %zd) or data address not aligned to its %zd-byte elements",
                     what, (Py_ssize_t)st[0], (Py_ssize_t)st[1], (Py_ssize_t)size);
        return -1;
    }
    *dist = size == 16 ? st[0] / 16 : size == 8 ? st[0] / 8 : st[0] / 4;
    *stride = size == 16 ? st[1] / 16 : size == 8 ? st[1] / 8 : st[1] / 4;
    return 0;
}

/* The bytes a 2-D array's elements span: [lo, hi). */
static void byte_bounds(PyArrayObject *a, char **lo, char **hi)
{
    char *base = PyArray_DATA(a);
    *lo = *hi = base;
    for (int d = 0; d < 2; d++) {
        const npy_intp reach = (PyArray_DIM(a, d) - 1) * PyArray_STRIDE(a, d);
        if (reach < 0) {
            *lo += reach;
        } else {
            *hi += reach;
        }
    }
    *hi += PyArray_ITEMSIZE(a);
}

static int check_array(PyObject *o, const char *what, int typenum, ptrdiff_t rows, ptrdiff_t cols, int writeable)
{
    if (!PyArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a numpy array, not %.100s", what, Py_TYPE(o)->tp_name);
        return -1;
    }
    PyArrayObject *a = (PyArrayObject *)o;
    if (PyArray_NDIM(a) != 2 || PyArray_TYPE(a) != typenum || !PyArray_ISNBO(PyArray_DESCR(a)->byteorder)) {
        PyArray_Descr *want = PyArray_DescrFromType(typenum);
        PyErr_Format(PyExc_TypeError, "%s must be a 2-D array of native-order %S", what, (PyObject *)want);
        Py_XDECREF(want);
        return -1;
    }
    if (PyArray_DIM(a, 1) != cols || (rows >= 0 && PyArray_DIM(a, 0) != rows)) {
        PyErr_Format(PyExc_ValueError, "%s has shape (%zd, %zd); expected (%zd, %zd)", what,
                     (Py_ssize_t)PyArray_DIM(a, 0), (Py_ssize_t)PyArray_DIM(a, 1),
                     (Py_ssize_t)(rows >= 0 ? rows : PyArray_DIM(a, 0)), (Py_ssize_t)cols);
        return -1;
    }
    if (writeable && !PyArray_ISWRITEABLE(a)) {
        PyErr_Format(PyExc_ValueError, "%s is read-only", what);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(execute_doc,
"execute(kind, sign, x, out, n, scale, workers)\n--\n\n"
"Transform every row of the 2-D array x into the same row of out, with the\n"
"active fft backend: kind C2C (x, out complex, length n), R2C (x n reals,\n"
"out n//2+1 complex; sign FORWARD) or C2R (x n//2+1 complex, out n reals;\n"
"sign BACKWARD); unnormalised, every output times scale. Strides may be\n"
"any whole number of elements (negative, 0); out may be x (in place, C2C)\n"
"but must not otherwise overlap it. Up to `workers` threads of hostlib's\n"
"pool share a batch (0: as many as hostlib's thread budget allows).");

/* An int argument of execute(); -1 with the exception set on a failure. */
static int int_arg(PyObject *o, const char *name, long long *v)
{
    if (PyLong_Check(o)) {
        *v = PyLong_AsLongLong(o);
    } else { /* an integer of another type (numpy's); not a float, not a str */
        PyObject *i = PyIndex_Check(o) ? PyNumber_Index(o) : NULL;
        if (i == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "execute() argument '%s' must be an integer, not %.100s", name,
                             Py_TYPE(o)->tp_name);
            }
            return -1;
        }
        *v = PyLong_AsLongLong(i);
        Py_DECREF(i);
    }
    return *v == -1 && PyErr_Occurred() ? -1 : 0;
}

/* Fast-call (no argument tuple, no format string): for a short transform
   the call itself is most of the cost. */
static PyObject *execute(PyObject *Py_UNUSED(self), PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7) {
        return PyErr_Format(PyExc_TypeError, "execute() takes 7 arguments (%zd given)", nargs);
    }
    long long kind_, sign_, n_, workers_;
    if (int_arg(args[0], "kind", &kind_) < 0 || int_arg(args[1], "sign", &sign_) < 0
        || int_arg(args[4], "n", &n_) < 0 || int_arg(args[6], "workers", &workers_) < 0) {
        return NULL;
    }
    const double scale = PyFloat_AsDouble(args[5]);
    if (scale == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *x = args[2], *out = args[3];
    if (kind_ < HOSTLIB_FFT_C2C || kind_ > HOSTLIB_FFT_C2R) {
        return PyErr_Format(PyExc_ValueError, "kind must be C2C, R2C or C2R, not %lld", kind_);
    }
    if (n_ < 1) {
        return PyErr_Format(PyExc_ValueError, "Invalid number of FFT data points (%lld) specified.", n_);
    }
    if (workers_ < 0) {
        return PyErr_Format(PyExc_ValueError, "workers must be at least 1 (or 0: hostlib's thread budget), not %lld",
                            workers_);
    }
    if (n_ > PY_SSIZE_T_MAX || sign_ < INT_MIN || sign_ > INT_MAX) {
        return PyErr_Format(PyExc_OverflowError, "execute(): n or sign is out of range");
    }
    const int kind = (int)kind_, sign = (int)sign_, workers = workers_ > INT_MAX ? INT_MAX : (int)workers_;
    const Py_ssize_t n = (Py_ssize_t)n_;
    const int want_sign = kind == HOSTLIB_FFT_R2C ? HOSTLIB_FFT_FORWARD : HOSTLIB_FFT_BACKWARD;
    if ((kind == HOSTLIB_FFT_C2C && sign != HOSTLIB_FFT_FORWARD && sign != HOSTLIB_FFT_BACKWARD)
        || (kind != HOSTLIB_FFT_C2C && sign != want_sign)) {
        return PyErr_Format(PyExc_ValueError, "sign %d does not fit this kind of transform", sign);
    }
    if (!PyArray_Check(x)) {
        return PyErr_Format(PyExc_TypeError, "x must be a numpy array, not %.100s", Py_TYPE(x)->tp_name);
    }
    const int xt = PyArray_TYPE((PyArrayObject *)x);
    const int dbl = xt == NPY_CDOUBLE || xt == NPY_DOUBLE;
    const int real_t = dbl ? NPY_DOUBLE : NPY_FLOAT, complex_t = dbl ? NPY_CDOUBLE : NPY_CFLOAT;
    if (check_array(x, "x", kind == HOSTLIB_FFT_R2C ? real_t : complex_t, -1, in_length(kind, n), 0) < 0
        || check_array(out, "out", kind == HOSTLIB_FFT_C2R ? real_t : complex_t,
                       PyArray_DIM((PyArrayObject *)x, 0), out_length(kind, n), 1) < 0) {
        return NULL;
    }
    PyArrayObject *xa = (PyArrayObject *)x, *oa = (PyArrayObject *)out;
    batch_job job = {.scale = scale, .howmany = PyArray_DIM(xa, 0)};
    if (element_strides(xa, "x", &job.idist, &job.istride) < 0
        || element_strides(oa, "out", &job.odist, &job.ostride) < 0) {
        return NULL;
    }
    if (out != x && PyArray_DIM(xa, 0) > 0) {
        char *xlo, *xhi, *olo, *ohi;
        byte_bounds(xa, &xlo, &xhi);
        byte_bounds(oa, &olo, &ohi);
        if (xlo < ohi && olo < xhi) {
            return PyErr_Format(PyExc_ValueError, "out overlaps x (only out=x, a complex transform in place, may)");
        }
    }
    if (out == x && kind != HOSTLIB_FFT_C2C) {
        return PyErr_Format(PyExc_ValueError, "only a complex transform runs in place");
    }
    if (job.howmany == 0) {
        Py_RETURN_NONE;
    }
    job.in = PyArray_DATA(xa);
    job.out = PyArray_DATA(oa);
    job.isize = (size_t)PyArray_ITEMSIZE(xa);
    job.osize = (size_t)PyArray_ITEMSIZE(oa);
    const int width = workers == 0 ? pool->width() : workers;
    int status;
    if ((double)job.howmany * (double)n <= KEEP_GIL_ELEMENTS) {
        status = plan_and_run(&job, kind, dbl, n, sign, width);
    } else {
        Py_BEGIN_ALLOW_THREADS
        status = plan_and_run(&job, kind, dbl, n, sign, width);
        Py_END_ALLOW_THREADS
    }
    if (status != HOSTLIB_FFT_OK) {
        raise_status(status, kind, n);
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* numpy.fft's gufunc loops, served by the active fft table            */
/* ------------------------------------------------------------------ */

/* numpy.fft._pocketfft_umath: fft and ifft "(n),()->(m)" complex with a real
   factor; rfft_n_even / rfft_n_odd "(n),()->(m)" real to complex (m = n/2+1
   of an even / odd length); irfft "(m),()->(n)" complex to real. Input
   longer than the transform is cropped, shorter is padded with zeros, and
   every output is multiplied by the factor: _raw_fft in numpy/fft/_pocketfft.py. */
enum { PLAIN, EVEN_OUT, ODD_OUT };

/* copy `count` elements of `size` bytes from a strided source into a
   contiguous destination, or the reverse */
static void gather(char *dst, const char *src, npy_intp step, npy_intp count, size_t size)
{
    for (npy_intp j = 0; j < count; j++) {
        memcpy(dst + j * (npy_intp)size, src + j * step, size);
    }
}
static void scatter(char *dst, npy_intp step, const char *src, npy_intp count, size_t size)
{
    for (npy_intp j = 0; j < count; j++) {
        memcpy(dst + j * step, src + j * (npy_intp)size, size);
    }
}

static int whole_elements(npy_intp step, const char *p, size_t size, size_t align)
{
    return step % (npy_intp)size == 0 && (uintptr_t)p % align == 0;
}

static void loop_error(int status, int kind, ptrdiff_t n)
{
    PyGILState_STATE gil = PyGILState_Ensure();
    if (!PyErr_Occurred()) {
        raise_status(status, kind, n);
    }
    PyGILState_Release(gil);
}

static void gufunc_loop(char **args, const npy_intp *dims, const npy_intp *steps, int kind, int dbl, int sign,
                        int variant)
{
    const npy_intp outer = dims[0], npts = dims[1], nout = dims[2];
    const ptrdiff_t n = variant == EVEN_OUT ? 2 * (nout - 1) : variant == ODD_OUT ? 2 * nout - 1 : nout;
    if (outer == 0) {
        return;
    }
    if (n < 1) {
        loop_error(HOSTLIB_FFT_EINVAL, kind, n);
        return;
    }
    const size_t real = dbl ? 8 : 4;
    const size_t isize = kind == HOSTLIB_FFT_R2C ? real : 2 * real, osize = kind == HOSTLIB_FFT_C2R ? real : 2 * real;
    const ptrdiff_t need = in_length(kind, n), have = npts < need ? npts : need;
    char *in = args[0], *fct = args[1], *out = args[2];
#define FACTOR(i) (dbl ? *(const double *)(fct + (i) * steps[1]) : (double)*(const float *)(fct + (i) * steps[1]))
    int status = HOSTLIB_FFT_OK;
    cached_plan *c = plan_acquire(kind, dbl, n, sign, &status);
    if (c == NULL) {
        loop_error(status, kind, n);
        return;
    }
    batch_job job = {.plan = c->plan, .isize = isize, .osize = osize};
    const int direct_out = whole_elements(steps[4], out, osize, real) && whole_elements(steps[2], out, osize, real);
    if (npts >= need && (steps[1] == 0 || outer == 1) && direct_out && whole_elements(steps[3], in, isize, real)
        && whole_elements(steps[0], in, isize, real)) {
        /* the common case: one batch, straight from numpy's arrays */
        job.in = in;
        job.out = out;
        job.istride = steps[3] / (npy_intp)isize;
        job.idist = steps[0] / (npy_intp)isize;
        job.ostride = steps[4] / (npy_intp)osize;
        job.odist = steps[2] / (npy_intp)osize;
        job.howmany = outer;
        job.scale = FACTOR(0);
        status = batch_run(&job, pool->width());
    } else {
        /* padded, cropped to a shorter copy, unaligned, or a factor per
           transform: one transform at a time through contiguous buffers */
        char *buf = malloc((size_t)need * isize + (direct_out ? 0 : (size_t)nout * osize));
        char *obuf = buf + (size_t)need * isize;
        if (buf == NULL) {
            status = HOSTLIB_FFT_ENOMEM;
        }
        for (npy_intp i = 0; i < outer && status == HOSTLIB_FFT_OK; i++) {
            gather(buf, in + i * steps[0], steps[3], have, isize);
            memset(buf + have * (npy_intp)isize, 0, (size_t)(need - have) * isize);
            job.in = buf;
            job.istride = 1;
            job.idist = need;
            job.howmany = 1;
            job.scale = FACTOR(i);
            if (direct_out) {
                job.out = out + i * steps[2];
                job.ostride = steps[4] / (npy_intp)osize;
            } else {
                job.out = obuf;
                job.ostride = 1;
            }
            job.odist = 0;
            status = batch_run(&job, 1);
            if (!direct_out && status == HOSTLIB_FFT_OK) {
                scatter(out + i * steps[2], steps[4], obuf, nout, osize);
            }
        }
        free(buf);
    }
#undef FACTOR
    plan_release(c);
    if (status != HOSTLIB_FFT_OK) {
        loop_error(status, kind, n);
    }
}

/* numpy's fft and ifft share one array of loops and tell the direction by
   the loop's data pointer (their `data` differ). So hostlib's c2c loops are
   shared too, and read the direction the same way: by comparing `data`
   with the pointers numpy gave each ufunc's loop (found at import; never
   interpreted). */
static void *forward_data[2], *backward_data[2]; /* [dbl] */

static void c2c_loop(char **args, const npy_intp *dims, const npy_intp *steps, void *data, int dbl)
{
    if (data != NULL && data == forward_data[dbl]) {
        gufunc_loop(args, dims, steps, HOSTLIB_FFT_C2C, dbl, HOSTLIB_FFT_FORWARD, PLAIN);
    } else if (data != NULL && data == backward_data[dbl]) {
        gufunc_loop(args, dims, steps, HOSTLIB_FFT_C2C, dbl, HOSTLIB_FFT_BACKWARD, PLAIN);
    } else {
        loop_error(HOSTLIB_FFT_EINVAL, HOSTLIB_FFT_C2C, dims[2]);
    }
}
static void c2c_D(char **args, const npy_intp *dims, const npy_intp *steps, void *data)
{
    c2c_loop(args, dims, steps, data, 1);
}
static void c2c_F(char **args, const npy_intp *dims, const npy_intp *steps, void *data)
{
    c2c_loop(args, dims, steps, data, 0);
}

#define FFT_LOOP(name, kind, dbl, sign, variant)                                                   \
    static void name(char **args, const npy_intp *dims, const npy_intp *steps, void *Py_UNUSED(data)) \
    {                                                                                               \
        gufunc_loop(args, dims, steps, kind, dbl, sign, variant);                                   \
    }
FFT_LOOP(rfft_even_d, HOSTLIB_FFT_R2C, 1, HOSTLIB_FFT_FORWARD, EVEN_OUT)
FFT_LOOP(rfft_even_f, HOSTLIB_FFT_R2C, 0, HOSTLIB_FFT_FORWARD, EVEN_OUT)
FFT_LOOP(rfft_odd_d, HOSTLIB_FFT_R2C, 1, HOSTLIB_FFT_FORWARD, ODD_OUT)
FFT_LOOP(rfft_odd_f, HOSTLIB_FFT_R2C, 0, HOSTLIB_FFT_FORWARD, ODD_OUT)
FFT_LOOP(irfft_D, HOSTLIB_FFT_C2R, 1, HOSTLIB_FFT_BACKWARD, PLAIN)
FFT_LOOP(irfft_F, HOSTLIB_FFT_C2R, 0, HOSTLIB_FFT_BACKWARD, PLAIN)

/* numpy.fft._pocketfft_umath's loops hostlib serves (swapped by loop_swap.h) */
static hostlib_loop_row numpy_loops[] = {
    {"fft", "Dd->D", 3, {NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE}, c2c_D},
    {"fft", "Ff->F", 3, {NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT}, c2c_F},
    {"ifft", "Dd->D", 3, {NPY_CDOUBLE, NPY_DOUBLE, NPY_CDOUBLE}, c2c_D},
    {"ifft", "Ff->F", 3, {NPY_CFLOAT, NPY_FLOAT, NPY_CFLOAT}, c2c_F},
    {"rfft_n_even", "dd->D", 3, {NPY_DOUBLE, NPY_DOUBLE, NPY_CDOUBLE}, rfft_even_d},
    {"rfft_n_even", "ff->F", 3, {NPY_FLOAT, NPY_FLOAT, NPY_CFLOAT}, rfft_even_f},
    {"rfft_n_odd", "dd->D", 3, {NPY_DOUBLE, NPY_DOUBLE, NPY_CDOUBLE}, rfft_odd_d},
    {"rfft_n_odd", "ff->F", 3, {NPY_FLOAT, NPY_FLOAT, NPY_CFLOAT}, rfft_odd_f},
    {"irfft", "Dd->d", 3, {NPY_CDOUBLE, NPY_DOUBLE, NPY_DOUBLE}, irfft_D},
    {"irfft", "Ff->f", 3, {NPY_CFLOAT, NPY_FLOAT, NPY_FLOAT}, irfft_F},
};
static hostlib_loop_set numpy_fft = {"numpy.fft._pocketfft_umath", "numpy.fft", numpy_loops,
                                     (Py_ssize_t)(sizeof numpy_loops / sizeof numpy_loops[0]), NULL};

static PyObject *loop_owner(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_owner(&numpy_fft, args);
}

static PyObject *loop_install(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_install(&numpy_fft, args);
}

static PyObject *loop_uninstall(PyObject *Py_UNUSED(self), PyObject *args)
{
    return hostlib_loop_uninstall(&numpy_fft, args);
}

/* ------------------------------------------------------------------ */
/* The cache, seen from Python                                         */
/* ------------------------------------------------------------------ */

static PyObject *cache_info(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(ignored))
{
    PyObject *plans = PyList_New(0);
    if (plans == NULL) {
        return NULL;
    }
    static const char *kinds[] = {"c2c", "r2c", "c2r"};
    size_t bytes = 0;
    Py_ssize_t len, capacity;
    unsigned long long hits, misses;
    int failed = 0;
    pthread_mutex_lock(&cache_lock); /* nothing below waits for the GIL */
    len = cache_len;
    capacity = cache_capacity;
    hits = cache_hits;
    misses = cache_misses;
    for (Py_ssize_t i = 0; i < cache_len && !failed; i++) {
        const hostlib_fft_plan *p = cache[i]->plan;
        bytes += p->bytes;
        PyObject *row = Py_BuildValue("{s:N,s:s,s:n,s:s,s:i,s:n,s:s}", "planner",
                                      PyLong_FromVoidPtr((void *)cache[i]->planner), "kind",
                                      kinds[p->kind], "n", (Py_ssize_t)p->n, "dtype",
                                      p->precision == 8 ? "float64" : "float32", "sign", p->sign, "bytes",
                                      (Py_ssize_t)p->bytes, "algorithm", p->algorithm ? p->algorithm : "");
        failed = row == NULL || PyList_Append(plans, row) < 0;
        Py_XDECREF(row);
    }
    pthread_mutex_unlock(&cache_lock);
    if (failed) {
        Py_DECREF(plans);
        return NULL;
    }
    return Py_BuildValue("{s:n,s:n,s:n,s:K,s:K,s:N}", "size", len, "capacity", capacity, "bytes", (Py_ssize_t)bytes,
                         "hits", hits, "misses", misses, "plans", plans);
}

static PyObject *set_cache_capacity(PyObject *Py_UNUSED(self), PyObject *arg)
{
    const Py_ssize_t cap = PyNumber_AsSsize_t(arg, PyExc_OverflowError);
    if (cap == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (cap < 0 || cap > MAX_CAPACITY) {
        return PyErr_Format(PyExc_ValueError, "the plan cache holds 0 to %d plans, not %zd", MAX_CAPACITY, cap);
    }
    pthread_mutex_lock(&cache_lock);
    cache_shrink(cap);
    cache_capacity = cap;
    pthread_mutex_unlock(&cache_lock);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"execute", (PyCFunction)(void (*)(void))execute, METH_FASTCALL, execute_doc},
    {"cache_info", cache_info, METH_NOARGS,
     "cache_info() -> dict: the plan cache's size, capacity, bytes held, hits, misses and its plans "
     "(each with the address of the planner that made it)."},
    {"set_cache_capacity", set_cache_capacity, METH_O,
     "set_cache_capacity(n): keep at most n plans (0 to 4096; 0: none); the least recently used leave first."},
    {"loop_owner", loop_owner, METH_VARARGS,
     "loop_owner(ufunc, types) -> 'hostlib' | 'numpy' | 'other': whose loop numpy.fft's gufunc runs."},
    {"loop_install", loop_install, METH_VARARGS,
     "loop_install(ufunc, types) -> bool: numpy.fft's gufunc runs hostlib's loop (False if it did already)."},
    {"loop_uninstall", loop_uninstall, METH_VARARGS,
     "loop_uninstall(ufunc, types) -> bool: put back the loop hostlib's replaced (False if hostlib's is not in place)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_transforms",
    "Plans of the active fft table, cached and executed over batches on hostlib's pool; numpy.fft's loops.",
    -1, methods, NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__transforms(void)
{
    import_array();
    import_umath();
    if (import_hostlib_fft() < 0) { /* starts the fft interface's host */
        return NULL;
    }
    pool = hostlib_import_pool();
    if (pool == NULL) {
        return NULL;
    }
    /* the complete table, for lengths a backend's planner declines (the
       host has validated it already: it serves the slots nobody else fills) */
    PyObject *portable = PyImport_ImportModule("hostlib._fft_portable");
    PyObject *capsule = portable ? PyObject_GetAttrString(portable, "_C_API") : NULL;
    Py_XDECREF(portable);
    portable_table = capsule ? PyCapsule_GetPointer(capsule, HOSTLIB_FFT_FFT_PROVIDER_CAPSULE) : NULL;
    Py_XDECREF(capsule); /* the module, and its table, live as long as the process */
    if (portable_table == NULL) {
        return NULL;
    }
    cache = PyMem_RawCalloc(MAX_CAPACITY, sizeof *cache);
    if (cache == NULL) {
        return PyErr_NoMemory();
    }
    if (hostlib_loop_set_bind(&numpy_fft) < 0) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < numpy_fft.nrows; i++) {
        const hostlib_loop_row *l = &numpy_loops[i];
        if (l->loop == c2c_D || l->loop == c2c_F) {
            void **direction = strcmp(l->ufunc, "fft") == 0 ? forward_data : backward_data;
            direction[l->loop == c2c_D] = l->found_data;
        }
    }
    for (int dbl = 0; dbl < 2; dbl++) {
        if (forward_data[dbl] == backward_data[dbl]) { /* then the direction could not be told */
            PyErr_SetString(PyExc_ImportError, "numpy.fft's fft and ifft loops carry the same data: this numpy's "
                                               "layout is not one hostlib.fft can serve");
            return NULL;
        }
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL) {
        return NULL;
    }
    PyObject *loops = hostlib_loop_list(&numpy_fft);
    const int added = loops != NULL && PyModule_AddObjectRef(m, "NUMPY_LOOPS", loops) == 0;
    Py_XDECREF(loops);
    if (!added || PyModule_AddIntConstant(m, "C2C", HOSTLIB_FFT_C2C) < 0
        || PyModule_AddIntConstant(m, "R2C", HOSTLIB_FFT_R2C) < 0 || PyModule_AddIntConstant(m, "C2R", HOSTLIB_FFT_C2R) < 0
        || PyModule_AddIntConstant(m, "FORWARD", HOSTLIB_FFT_FORWARD) < 0
        || PyModule_AddIntConstant(m, "BACKWARD", HOSTLIB_FFT_BACKWARD) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
