/*
 * roofline.c -- what this core can do at each x86 vector width, measured:
 * the ceiling a level-1 kernel of that width is held to. benchmarks/run.py
 * compiles it at benchmark time (like callbench.c) and imports it.
 *
 *   clock_ghz()          the core's clock while busy: a chain of dependent
 *                        register-to-register integer adds (one per cycle
 *                        on every x86 core), timed, best of many short
 *                        rounds. The time-stamp counter runs at a fixed
 *                        rate and says nothing about the clock under load.
 *   stream(kind, width, n, reps)
 *                        ns per call, best of 5 rounds of `reps` calls, of
 *                        the plainest float32 loop of that vector width
 *                        (16: SSE2, 32: AVX2, 64: AVX-512 bytes) over n
 *                        elements, four (scale) or eight (sumsq)
 *                        independent vectors per round:
 *                          "scale"  x[i] *= a, in place (what scal does)
 *                          "sumsq"  sum of x[i]^2 in float32 (nrm2's work)
 *                        None where the CPU lacks the width.
 *
 * The loops are written here, not taken from hostlib, so that they bound
 * hostlib's kernels from outside: a scalar head up to the vector width's
 * alignment, then whole aligned vectors, a scalar tail. The data start 16
 * bytes past a 64-byte boundary, as numpy's usually do.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static PyObject *clock_ghz(PyObject *self, PyObject *args)
{
    (void)self;
    (void)args;
    /* many short rounds, best of them: a round of ~0.6 ms usually runs
       without being preempted. Five rounds of 200M adds (~60 ms each) read
       2.3-2.7 GHz on a 3.6 GHz core while other processes shared it */
    const long chain = 2000000;
    /* the addend lives in a register, never an immediate: recent Intel
       cores (Golden Cove, in the Sapphire Rapids Xeons) fold `add $imm, reg`
       at register renaming, so a chain of immediate adds does not wait for
       each result. On such a Xeon it read 18 GHz; register adds (and a
       chain of 3-cycle imuls) read 3.4 GHz */
    const uint64_t one = 1;
    double best = 1e300;
    for (int round = 0; round < 500; round++) {
        uint64_t x = 0;
        const double t0 = now_ns();
        for (long i = 0; i < chain; i += 8) {
            /* eight dependent adds; the asm keeps the compiler from folding them */
            __asm__ volatile("add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
                             "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
                             : "+r"(x)
                             : "r"(one));
        }
        const double dt = now_ns() - t0;
        best = dt < best ? dt : best;
    }
    return PyFloat_FromDouble((double)chain / best);
}

/* One loop per width and kind. V: vector type, L: lanes, the rest the
   width's intrinsics. */
#define ROOF_LOOPS(w, tgt, V, L, set1, loadu, storeu, mul, add, zero, hsum)                 \
    __attribute__((target(tgt), noinline)) static void scale_##w(float *x, ptrdiff_t n,     \
                                                                 float a)                   \
    {                                                                                       \
        const V va = set1(a);                                                               \
        ptrdiff_t i = 0;                                                                    \
        for (; i < n && (uintptr_t)(x + i) % (w); i++) { /* aligned vectors from here */   \
            x[i] *= a;                                                                      \
        }                                                                                   \
        for (; i + 4 * L <= n; i += 4 * L) {                                                \
            storeu(x + i, mul(va, loadu(x + i)));                                           \
            storeu(x + i + L, mul(va, loadu(x + i + L)));                                   \
            storeu(x + i + 2 * L, mul(va, loadu(x + i + 2 * L)));                           \
            storeu(x + i + 3 * L, mul(va, loadu(x + i + 3 * L)));                           \
        }                                                                                   \
        for (; i < n; i++) {                                                                \
            x[i] *= a;                                                                      \
        }                                                                                   \
    }                                                                                       \
    __attribute__((target(tgt), noinline)) static float sumsq_##w(const float *x,           \
                                                                  ptrdiff_t n)              \
    {                                                                                       \
        V s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();                               \
        V s4 = zero(), s5 = zero(), s6 = zero(), s7 = zero();                               \
        float head = 0;                                                                     \
        ptrdiff_t i = 0;                                                                    \
        for (; i < n && (uintptr_t)(x + i) % (w); i++) {                                    \
            head += x[i] * x[i];                                                            \
        }                                                                                   \
        for (; i + 8 * L <= n; i += 8 * L) { /* 8 sums: more than the add latency needs */ \
            const V a0 = loadu(x + i), a1 = loadu(x + i + L);                               \
            const V a2 = loadu(x + i + 2 * L), a3 = loadu(x + i + 3 * L);                   \
            const V a4 = loadu(x + i + 4 * L), a5 = loadu(x + i + 5 * L);                   \
            const V a6 = loadu(x + i + 6 * L), a7 = loadu(x + i + 7 * L);                   \
            s0 = add(s0, mul(a0, a0));                                                      \
            s1 = add(s1, mul(a1, a1));                                                      \
            s2 = add(s2, mul(a2, a2));                                                      \
            s3 = add(s3, mul(a3, a3));                                                      \
            s4 = add(s4, mul(a4, a4));                                                      \
            s5 = add(s5, mul(a5, a5));                                                      \
            s6 = add(s6, mul(a6, a6));                                                      \
            s7 = add(s7, mul(a7, a7));                                                      \
        }                                                                                   \
        float r = head + hsum(add(add(add(s0, s1), add(s2, s3)), add(add(s4, s5), add(s6, s7)))); \
        for (; i < n; i++) {                                                                \
            r += x[i] * x[i];                                                               \
        }                                                                                   \
        return r;                                                                           \
    }

__attribute__((target("sse2"))) static inline float hsum16(__m128 v)
{
    float t[4];
    _mm_storeu_ps(t, v);
    return (t[0] + t[1]) + (t[2] + t[3]);
}
__attribute__((target("avx2"))) static inline float hsum32(__m256 v)
{
    float t[8];
    _mm256_storeu_ps(t, v);
    return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}
__attribute__((target("avx512f"))) static inline float hsum64(__m512 v) { return _mm512_reduce_add_ps(v); }

ROOF_LOOPS(16, "sse2", __m128, 4, _mm_set1_ps, _mm_loadu_ps, _mm_storeu_ps, _mm_mul_ps, _mm_add_ps,
           _mm_setzero_ps, hsum16)
ROOF_LOOPS(32, "avx2", __m256, 8, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_mul_ps,
           _mm256_add_ps, _mm256_setzero_ps, hsum32)
ROOF_LOOPS(64, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps, _mm512_mul_ps,
           _mm512_add_ps, _mm512_setzero_ps, hsum64)

static volatile float sink;

static PyObject *stream(PyObject *self, PyObject *args)
{
    (void)self;
    const char *kind;
    int width, reps;
    Py_ssize_t n;
    if (!PyArg_ParseTuple(args, "sini", &kind, &width, &n, &reps)) {
        return NULL;
    }
    const int scale = strcmp(kind, "scale") == 0;
    if (!scale && strcmp(kind, "sumsq") != 0) {
        return PyErr_Format(PyExc_ValueError, "kind must be 'scale' or 'sumsq', not %R", PyTuple_GET_ITEM(args, 0));
    }
    if (n < 1 || reps < 1) {
        return PyErr_Format(PyExc_ValueError, "n and reps must be positive");
    }
    __builtin_cpu_init();
    if ((width == 32 && !__builtin_cpu_supports("avx2")) || (width == 64 && !__builtin_cpu_supports("avx512f"))) {
        Py_RETURN_NONE;
    }
    if (width != 16 && width != 32 && width != 64) {
        return PyErr_Format(PyExc_ValueError, "width must be 16, 32 or 64 bytes, not %d", width);
    }
    /* as numpy allocates: 16-byte aligned, not 64 */
    char *buf = malloc((size_t)n * sizeof(float) + 64);
    if (buf == NULL) {
        return PyErr_NoMemory();
    }
    float *x = (float *)(buf + (64 - (uintptr_t)buf % 64) % 64 + 16);
    for (Py_ssize_t i = 0; i < n; i++) {
        x[i] = (float)(i % 7) - 3.0f;
    }
    double best = 1e300;
    Py_BEGIN_ALLOW_THREADS
    for (int round = 0; round < 5; round++) {
        const double t0 = now_ns();
        for (int r = 0; r < reps; r++) {
            if (scale) {
                /* -1: exact, the values stay put */
                width == 16 ? scale_16(x, n, -1.0f) : width == 32 ? scale_32(x, n, -1.0f) : scale_64(x, n, -1.0f);
            } else {
                sink = width == 16 ? sumsq_16(x, n) : width == 32 ? sumsq_32(x, n) : sumsq_64(x, n);
            }
        }
        const double dt = (now_ns() - t0) / reps;
        best = dt < best ? dt : best;
    }
    Py_END_ALLOW_THREADS
    free(buf);
    return PyFloat_FromDouble(best);
}

static PyMethodDef roof_methods[] = {
    {"clock_ghz", clock_ghz, METH_NOARGS, "the core clock under load, GHz (dependent adds timed)"},
    {"stream", stream, METH_VARARGS, "stream(kind, width, n, reps) -> ns per call, or None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef roof_module = {
    PyModuleDef_HEAD_INIT, "_hostlib_roofline", "hostlib's benchmark: per-width ceilings", 0, roof_methods,
};

PyMODINIT_FUNC PyInit__hostlib_roofline(void) { return PyModule_Create(&roof_module); }
