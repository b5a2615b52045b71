/*
 * test_level1.c -- standalone check of one kernel table against naive
 * long-double references (not built by meson). It includes the table's
 * translation unit, so build it once per table, e.g. from the repo root:
 *
 *   python3 hostlib/generate.py features --outdir /tmp/gen
 *   python3 hostlib/generate.py interface --spec interface/kernels.toml --outdir /tmp/gen
 *   python3 simd/gen_elementwise_consts.py /tmp/gen/elementwise_consts.h simd/elementwise_consts.json simd/math/GROUP.json ...
 *   CF="-std=c11 -O2 -Wall -Wextra -I/tmp/gen -Iinterface -Isimd -DSIMD_PROVIDER_VERSION=\"test\""
 *   gcc $CF -mavx2 -mfma -DSIMD_PROVIDER_NAME=\"avx2\" \
 *       -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_AVX2|HOSTLIB_CPU_FMA3|HOSTLIB_CPU_F16C|HOSTLIB_CPU_AVX|HOSTLIB_CPU_SSE42|HOSTLIB_CPU_POPCNT|HOSTLIB_CPU_SSE41|HOSTLIB_CPU_SSSE3|HOSTLIB_CPU_SSE3|HOSTLIB_CPU_SSE2|HOSTLIB_CPU_SSE)' \
 *       -DTEST_TU=\"../kernels_avx2/kernels.c\" -DTEST_TABLE=avx2_table simd/test_level1.c -lm
 *   ./a.out          # tests; exit status 1 on failure
 *   ./a.out bench    # rough timings (ns per call, GB/s)
 *
 * SSE2: -msse2, ../kernels_sse2/kernels.c, sse2_table. Portable: no ISA
 * flag, ../hostlib/_portable.c, hostlib_portable_table, FEATURES=0. Tables
 * with gemm also get the elementwise entries and gemm tested: the C
 * library's results bit for bit in the portable table, within 1 ULP of them
 * in a SIMD table (simd/elementwise.h; its constants are the generated
 * elementwise_consts.h, hence the second command, -I/tmp/gen finds it).
 * Add -fsanitize=address,undefined to catch out-of-bounds access: every
 * array is allocated to its exact span.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef TEST_TU
#error "define TEST_TU (the kernel translation unit to test) and TEST_TABLE"
#endif
#include TEST_TU

static const hostlib_kernels_table *const K = &TEST_TABLE;

static int failures;
static int checks;

#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        checks++;                                                               \
        if (!(cond)) {                                                          \
            if (failures++ < 40) {                                              \
                fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);            \
                fprintf(stderr, __VA_ARGS__);                                   \
                fputc('\n', stderr);                                            \
            }                                                                   \
        }                                                                       \
    } while (0)

/* ---------------- data ---------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static double urand(void) /* [-1, 1) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) * 0x1p-52 - 1.0;
}

/* A strided array of n elements of type dt (0: float, 1: double) in a
   buffer of exactly its span; element i lives at base[i*inc]. */
typedef struct {
    int dt;
    ptrdiff_t n, inc, span;
    void *buf, *base;
} arr;

static size_t esize(int dt) { return dt ? sizeof(double) : sizeof(float); }

#define SENTINEL 12345.0

static arr arr_new(int dt, ptrdiff_t n, ptrdiff_t inc)
{
    arr a = {dt, n, inc, 1, NULL, NULL};
    ptrdiff_t ainc = inc < 0 ? -inc : inc;
    if (n > 0) {
        a.span = 1 + (n - 1) * ainc;
    }
    a.buf = malloc((size_t)a.span * esize(dt));
    for (ptrdiff_t j = 0; j < a.span; j++) {
        if (dt) {
            ((double *)a.buf)[j] = SENTINEL;
        } else {
            ((float *)a.buf)[j] = (float)SENTINEL;
        }
    }
    ptrdiff_t off = inc < 0 && n > 0 ? (n - 1) * ainc : 0;
    a.base = (char *)a.buf + (size_t)off * esize(dt);
    return a;
}

static ptrdiff_t pos(const arr *a, ptrdiff_t i) { return i * a->inc; }
static double get(const arr *a, ptrdiff_t i)
{
    return a->dt ? ((double *)a->base)[pos(a, i)] : ((float *)a->base)[pos(a, i)];
}
static void set(arr *a, ptrdiff_t i, double v)
{
    if (a->dt) {
        ((double *)a->base)[pos(a, i)] = v;
    } else {
        ((float *)a->base)[pos(a, i)] = (float)v;
    }
}
static arr arr_random(int dt, ptrdiff_t n, ptrdiff_t inc)
{
    arr a = arr_new(dt, n, inc);
    for (ptrdiff_t i = 0; i < n; i++) {
        set(&a, i, urand());
    }
    return a;
}
/* buffer slots that are no element must still hold the sentinel */
static int gaps_intact(const arr *a)
{
    ptrdiff_t ainc = a->inc < 0 ? -a->inc : a->inc;
    for (ptrdiff_t j = 0; j < a->span; j++) {
        if (ainc == 0 || j % ainc == 0) {
            continue;
        }
        double v = a->dt ? ((double *)a->buf)[j] : ((float *)a->buf)[j];
        if (v != SENTINEL) {
            return 0;
        }
    }
    return 1;
}
static void *dup(const arr *a)
{
    void *c = malloc((size_t)a->span * esize(a->dt));
    memcpy(c, a->buf, (size_t)a->span * esize(a->dt));
    return c;
}
static int same(const arr *a, const void *copy)
{
    return memcmp(a->buf, copy, (size_t)a->span * esize(a->dt)) == 0;
}

static double eps(int dt) { return dt ? DBL_EPSILON : FLT_EPSILON; }

/* ---------------- calls through the table ---------------- */

typedef enum { SUM, ASUM, NRM2 } red1;
static const char *red1_name[] = {"sum", "asum", "nrm2"};

static double call_red1(red1 r, const arr *x)
{
    if (x->dt) {
        const double *p = x->base;
        return r == SUM ? K->dsum(x->n, p, x->inc) : r == ASUM ? K->dasum(x->n, p, x->inc)
                                                                 : K->dnrm2(x->n, p, x->inc);
    }
    const float *p = x->base;
    return r == SUM ? K->ssum(x->n, p, x->inc) : r == ASUM ? K->sasum(x->n, p, x->inc)
                                                             : K->snrm2(x->n, p, x->inc);
}
static double call_dot(const arr *x, const arr *y)
{
    return x->dt ? K->ddot(x->n, x->base, x->inc, y->base, y->inc)
                 : K->sdot(x->n, x->base, x->inc, y->base, y->inc);
}
static void call_axpy(double alpha, const arr *x, arr *y)
{
    if (x->dt) {
        K->daxpy(x->n, alpha, x->base, x->inc, y->base, y->inc);
    } else {
        K->saxpy(x->n, (float)alpha, x->base, x->inc, y->base, y->inc);
    }
}
static void call_scal(double alpha, arr *x)
{
    if (x->dt) {
        K->dscal(x->n, alpha, x->base, x->inc);
    } else {
        K->sscal(x->n, (float)alpha, x->base, x->inc);
    }
}

/* ---------------- level-1 tests ---------------- */

/* error bound of a blocked pairwise sum: 16-element chains plus the tree */
static double sum_tol(int dt, ptrdiff_t n, long double abs_sum)
{
    return 2.0 * (20.0 + log2((double)(n > 0 ? n : 0) + 1.0)) * eps(dt) * (double)abs_sum + 1e-300;
}

static void test_reductions(int dt, ptrdiff_t n, ptrdiff_t incx, ptrdiff_t incy)
{
    arr x = arr_random(dt, n, incx), y = arr_random(dt, n, incy);
    void *x0 = dup(&x), *y0 = dup(&y);
    long double s = 0, sa = 0, sq = 0, d = 0, da = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        long double xi = get(&x, i), yi = get(&y, i);
        s += xi;
        sa += fabsl(xi);
        sq += xi * xi;
        d += xi * yi;
        da += fabsl(xi * yi);
    }
    double got = call_red1(SUM, &x);
    CHECK(fabsl(got - s) <= sum_tol(dt, n, sa), "%csum n=%td inc=%td: %.17g vs %.17Lg", "sd"[dt], n,
          incx, got, s);
    got = call_red1(ASUM, &x);
    CHECK(fabsl(got - sa) <= sum_tol(dt, n, sa), "%casum n=%td inc=%td: %.17g vs %.17Lg", "sd"[dt], n,
          incx, got, sa);
    got = call_red1(NRM2, &x);
    long double nr = sqrtl(sq);
    CHECK(fabsl(got - nr) <= sum_tol(dt, n, nr), "%cnrm2 n=%td inc=%td: %.17g vs %.17Lg", "sd"[dt], n,
          incx, got, nr);
    got = call_dot(&x, &y);
    CHECK(fabsl(got - d) <= sum_tol(dt, n, da), "%cdot n=%td incx=%td incy=%td: %.17g vs %.17Lg",
          "sd"[dt], n, incx, incy, got, d);
    CHECK(same(&x, x0) && same(&y, y0), "reduction wrote to its input");
    free(x0);
    free(y0);
    free(x.buf);
    free(y.buf);
}

static void test_axpy(int dt, ptrdiff_t n, ptrdiff_t incx, ptrdiff_t incy)
{
    arr x = arr_random(dt, n, incx), y = arr_random(dt, n, incy);
    double alpha = urand() * 4;
    if (!dt) {
        alpha = (float)alpha;
    }
    void *x0 = dup(&x);
    long double *ref = malloc(sizeof(long double) * (size_t)(n + 1));
    long double bound = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        ref[i] = get(&y, i);
    }
    if (incy == 0) { /* every step updates y[0], in order */
        for (ptrdiff_t i = 0; i < n; i++) {
            ref[0] += alpha * (long double)get(&x, i);
            bound += fabsl(alpha * (long double)get(&x, i)) + fabsl(ref[0]);
        }
    }
    call_axpy(alpha, &x, &y);
    for (ptrdiff_t i = 0; i < (incy == 0 && n > 0 ? 1 : n); i++) {
        long double want = incy == 0 ? ref[0] : ref[i] + alpha * (long double)get(&x, i);
        long double tol = incy == 0 ? bound * eps(dt)
                                    : 2 * eps(dt) * (fabsl(ref[i]) + fabsl(alpha * (long double)get(&x, i)));
        CHECK(fabsl(get(&y, i) - want) <= tol, "%caxpy n=%td incx=%td incy=%td i=%td: %.17g vs %.17Lg",
              "sd"[dt], n, incx, incy, i, get(&y, i), want);
    }
    CHECK(gaps_intact(&y) && same(&x, x0), "%caxpy n=%td incx=%td incy=%td wrote outside y", "sd"[dt], n,
          incx, incy);
    free(ref);
    free(x0);
    free(x.buf);
    free(y.buf);
}

static void test_scal(int dt, ptrdiff_t n, ptrdiff_t incx)
{
    arr x = arr_random(dt, n, incx);
    double alpha = urand() * 4;
    if (!dt) {
        alpha = (float)alpha;
    }
    long double x00 = n > 0 ? get(&x, 0) : 0;
    long double *ref = malloc(sizeof(long double) * (size_t)(n + 1));
    for (ptrdiff_t i = 0; i < n; i++) {
        ref[i] = alpha * (long double)get(&x, i);
    }
    call_scal(alpha, &x);
    if (incx == 0 && n > 0) { /* x[0] multiplied n times */
        long double want = x00 * powl(alpha, (long double)n);
        if (fabsl(want) > (dt ? DBL_MAX : FLT_MAX)) {
            want = want > 0 ? INFINITY : -INFINITY; /* the kernel overflows on the way */
        }
        CHECK(get(&x, 0) == want || fabsl(get(&x, 0) - want) <= (n + 1) * eps(dt) * fabsl(want) + (dt ? DBL_MIN : FLT_MIN),
              "%cscal inc=0 n=%td: %.17g vs %.17Lg", "sd"[dt], n, get(&x, 0), want);
    } else {
        for (ptrdiff_t i = 0; i < n; i++) {
            CHECK(fabsl(get(&x, i) - ref[i]) <= eps(dt) * fabsl(ref[i]), "%cscal n=%td inc=%td i=%td",
                  "sd"[dt], n, incx, i);
        }
    }
    CHECK(gaps_intact(&x), "%cscal n=%td inc=%td wrote outside x", "sd"[dt], n, incx);
    free(ref);
    free(x.buf);
}

/* contiguous x from a list of values */
static arr arr_of(int dt, const double *v, ptrdiff_t n)
{
    arr a = arr_new(dt, n, 1);
    for (ptrdiff_t i = 0; i < n; i++) {
        set(&a, i, v[i]);
    }
    return a;
}

static int same_value(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

static void test_special(int dt)
{
    const double inf = INFINITY, nan = NAN;
    const double big = dt ? DBL_MAX : FLT_MAX, tiny = dt ? DBL_TRUE_MIN : FLT_TRUE_MIN;
    struct {
        red1 r;
        ptrdiff_t n;
        double v[4];
        double want;
    } cases[] = {
        {NRM2, 2, {nan, inf}, inf},   {NRM2, 2, {-inf, nan}, inf}, {NRM2, 3, {1, nan, 2}, nan},
        {NRM2, 1, {-inf}, inf},       {NRM2, 1, {-big}, big},      {NRM2, 2, {big, big}, inf},
        {NRM2, 2, {3, 4}, 5},         {NRM2, 3, {0, -0.0, 0}, 0},  {NRM2, 1, {tiny}, tiny},
        {NRM2, 2, {-tiny, 0}, tiny},  {NRM2, 0, {0}, 0},           {SUM, 2, {inf, 1}, inf},
        {SUM, 2, {inf, -inf}, nan},   {SUM, 3, {1, nan, 1}, nan},  {ASUM, 2, {-inf, 1}, inf},
        {ASUM, 2, {-inf, nan}, nan},  {SUM, 0, {0}, 0},            {ASUM, -3, {0}, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        arr x = arr_of(dt, cases[c].v, cases[c].n > 0 ? cases[c].n : 0);
        x.n = cases[c].n;
        double got = call_red1(cases[c].r, &x);
        CHECK(same_value(got, cases[c].want), "%c%s special case %zu: %g, want %g", "sd"[dt],
              red1_name[cases[c].r], c, got, cases[c].want);
        free(x.buf);
    }

    /* nrm2 over whole ranges: huge, tiny, subnormal, mixed, long and strided */
    const double scales[] = {1, 1e300, 1e-300, 1e-310, 3e-320, 1e-170, 1e170, 1e30, 1e-30, 1e-40};
    for (size_t s = 0; s < sizeof scales / sizeof scales[0]; s++) {
        for (ptrdiff_t n = 1; n <= 300; n = n * 3 + 1) {
            for (ptrdiff_t inc = -2; inc <= 2; inc += 2) {
                arr x = arr_new(dt, n, inc == 0 ? 1 : inc);
                long double sq = 0;
                for (ptrdiff_t i = 0; i < n; i++) {
                    set(&x, i, urand() * scales[s] * (i == n / 2 ? 1 : 0.5));
                    sq += (long double)get(&x, i) * get(&x, i);
                }
                long double want = sqrtl(sq);
                double got = call_red1(NRM2, &x);
                double min = dt ? DBL_TRUE_MIN : FLT_TRUE_MIN;
                if (want > (dt ? DBL_MAX : FLT_MAX)) {
                    CHECK(got == inf, "%cnrm2 overflow", "sd"[dt]);
                } else {
                    CHECK(fabsl(got - want) <= 8 * eps(dt) * want + min,
                          "%cnrm2 scale %g n=%td inc=%td: %.17g vs %.17Lg (rel %.3g)", "sd"[dt], scales[s], n,
                          inc, got, want, (double)((got - want) / want));
                }
                free(x.buf);
            }
        }
    }
    /* one huge element among tiny ones, and the reverse */
    for (int k = 0; k < 2; k++) {
        ptrdiff_t n = 37;
        arr x = arr_new(dt, n, 1);
        long double sq = 0;
        for (ptrdiff_t i = 0; i < n; i++) {
            set(&x, i, i == 17 ? (k ? big / 4 : 1e-20) : (k ? 1e-30 : tiny * 7));
            sq += (long double)get(&x, i) * get(&x, i);
        }
        double got = call_red1(NRM2, &x);
        CHECK(fabsl(got - sqrtl(sq)) <= 4 * eps(dt) * sqrtl(sq), "%cnrm2 mixed %d: %.17g vs %.17Lg", "sd"[dt], k,
              got, sqrtl(sq));
        free(x.buf);
    }

    /* scal by 0 keeps nan (no shortcut), like numpy's x *= 0 */
    double v[5] = {1, nan, -inf, 2, 3};
    arr x = arr_of(dt, v, 5);
    call_scal(0.0, &x);
    CHECK(get(&x, 0) == 0 && isnan(get(&x, 1)) && isnan(get(&x, 2)) && get(&x, 4) == 0, "%cscal by 0",
          "sd"[dt]);
    free(x.buf);
    /* axpy with alpha 0 still propagates nan from x */
    arr xs = arr_of(dt, v, 5), ys = arr_of(dt, v, 5);
    set(&ys, 1, 1.0);
    call_axpy(0.0, &xs, &ys);
    CHECK(isnan(get(&ys, 1)) && get(&ys, 0) == 1, "%caxpy alpha 0", "sd"[dt]);
    free(xs.buf);
    free(ys.buf);
}

/* pairwise accuracy over many elements (a plain running sum fails this) */
static void test_long_sums(int dt)
{
    const ptrdiff_t n = 3000001;
    for (ptrdiff_t inc = 1; inc <= 2; inc++) {
        arr x = arr_new(dt, n, inc);
        long double s = 0, sa = 0;
        for (ptrdiff_t i = 0; i < n; i++) {
            set(&x, i, 0.1 + 0.5 * urand());
            s += get(&x, i);
            sa += fabsl((long double)get(&x, i));
        }
        double got = call_red1(SUM, &x);
        double rel = (double)fabsl((got - s) / s);
        /* numpy's float32 pairwise sum stays near 1e-7 here */
        CHECK(rel <= 50 * eps(dt), "%csum n=%td inc=%td: relative error %.3g", "sd"[dt], n, inc, rel);
        got = call_red1(NRM2, &x);
        free(x.buf);
    }
}

static void test_level1(void)
{
    static const ptrdiff_t big_n[] = {127, 128, 129, 255, 256, 257, 511, 512, 513, 1000, 4099, 70001};
    for (int dt = 0; dt < 2; dt++) {
        for (ptrdiff_t n = -1; n <= 70; n++) {
            for (ptrdiff_t incx = -3; incx <= 3; incx++) {
                for (ptrdiff_t incy = -3; incy <= 3; incy++) {
                    test_reductions(dt, n, incx, incy);
                    test_axpy(dt, n, incx, incy);
                }
                test_scal(dt, n, incx);
            }
        }
        for (size_t k = 0; k < sizeof big_n / sizeof big_n[0]; k++) {
            for (ptrdiff_t inc = -2; inc <= 3; inc++) {
                test_reductions(dt, big_n[k], inc, inc == 0 ? 1 : -inc);
                test_reductions(dt, big_n[k], 1, 1);
                test_axpy(dt, big_n[k], inc, inc == 0 ? 1 : inc);
                test_scal(dt, big_n[k], inc);
            }
        }
        test_special(dt);
        test_long_sums(dt);
    }
}

/* ---------------- elementwise and gemm ---------------- */

/* The portable table calls the C library: bit-exact. A SIMD table
   (simd/elementwise.h, about 1 ULP from the correctly rounded result) may
   differ from the C library by 1 ULP. */
#ifdef SIMD_HAVE_ELEMENTWISE
#define EW_TOL_ULP 1
#else
#define EW_TOL_ULP 0
#endif

/* the distance in ULPs of two values of type dt (0: float, 1: double):
   the difference of their bit patterns mapped to a monotonic integer
   order; NaN vs NaN is 0, NaN vs a number "infinite" */
static uint64_t ulp_dist(int dt, double a, double b)
{
    if (isnan(a) || isnan(b)) {
        return isnan(a) && isnan(b) ? 0 : UINT64_MAX;
    }
    int64_t ia, ib;
    if (dt) {
        uint64_t ua, ub;
        memcpy(&ua, &a, sizeof ua);
        memcpy(&ub, &b, sizeof ub);
        ia = ua >> 63 ? -(int64_t)(ua & INT64_MAX) : (int64_t)ua;
        ib = ub >> 63 ? -(int64_t)(ub & INT64_MAX) : (int64_t)ub;
    } else {
        const float fa = (float)a, fb = (float)b;
        uint32_t ua, ub;
        memcpy(&ua, &fa, sizeof ua);
        memcpy(&ub, &fb, sizeof ub);
        ia = ua >> 31 ? -(int64_t)(ua & INT32_MAX) : (int64_t)ua;
        ib = ub >> 31 ? -(int64_t)(ub & INT32_MAX) : (int64_t)ub;
    }
    return ia > ib ? (uint64_t)(ia - ib) : (uint64_t)(ib - ia);
}

static void test_elementwise(void)
{
    typedef void (*dmap)(ptrdiff_t, const double *, ptrdiff_t, double *, ptrdiff_t);
    typedef void (*smap)(ptrdiff_t, const float *, ptrdiff_t, float *, ptrdiff_t);
    const dmap df[] = {K->dexp, K->dlog, K->dsqrt, K->dsin, K->dcos};
    const smap sf[] = {K->sexp, K->slog, K->ssqrt, K->ssin, K->scos};
    double (*const dref[])(double) = {exp, log, sqrt, sin, cos};
    float (*const sref[])(float) = {expf, logf, sqrtf, sinf, cosf};
    for (int f = 0; f < 5; f++) {
        for (ptrdiff_t n = 0; n < 20; n += 3) {
            for (ptrdiff_t inc = -2; inc <= 2; inc++) {
                arr xd = arr_random(1, n, inc == 0 ? 1 : inc), yd = arr_new(1, n, inc == 0 ? -1 : inc);
                arr xs = arr_random(0, n, inc == 0 ? 1 : inc), ys = arr_new(0, n, inc == 0 ? -1 : inc);
                df[f](n, xd.base, xd.inc, yd.base, yd.inc);
                sf[f](n, xs.base, xs.inc, ys.base, ys.inc);
                for (ptrdiff_t i = 0; i < n; i++) {
                    const double xdi = get(&xd, i), xsi = get(&xs, i);
                    const double wd = dref[f](xdi), ws = sref[f]((float)xsi);
                    CHECK(ulp_dist(1, get(&yd, i), wd) <= EW_TOL_ULP, "elementwise d%d(%a) = %a, libm %a", f,
                          xdi, get(&yd, i), wd);
                    CHECK(ulp_dist(0, get(&ys, i), ws) <= EW_TOL_ULP, "elementwise s%d(%a) = %a, libm %a", f,
                          xsi, get(&ys, i), ws);
                }
                CHECK(gaps_intact(&yd) && gaps_intact(&ys), "elementwise wrote outside y");
                /* in place */
                df[f](n, xd.base, xd.inc, xd.base, xd.inc);
                for (ptrdiff_t i = 0; i < n; i++) {
                    CHECK(same_value(get(&xd, i), get(&yd, i)), "elementwise in place d%d", f);
                }
                free(xd.buf);
                free(yd.buf);
                free(xs.buf);
                free(ys.buf);
            }
        }
    }
}

static void test_gemm_case(int dt, int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, double alpha,
                           double beta)
{
    /* stored shapes: A is m x k (or k x m), B is k x n (or n x k); ld > cols */
    ptrdiff_t ar = ta ? k : m, ac = ta ? m : k, br = tb ? n : k, bc = tb ? k : n;
    ptrdiff_t lda = ac + 3, ldb = bc + 1, ldc = n + 2;
    arr A = arr_random(dt, ar * lda, 1), B = arr_random(dt, br * ldb, 1), C = arr_random(dt, m * ldc, 1);
    if (beta == 0) {
        for (ptrdiff_t i = 0; i < m * ldc; i++) {
            set(&C, i, NAN); /* must be ignored */
        }
    }
    for (ptrdiff_t i = 0; i < m; i++) { /* padding of C must stay */
        for (ptrdiff_t j = n; j < ldc; j++) {
            set(&C, i * ldc + j, SENTINEL);
        }
    }
    arr C0 = arr_new(dt, m * ldc, 1);
    memcpy(C0.buf, C.buf, (size_t)C.span * esize(dt));
    /* alpha == 0 or k == 0: A and B must not be read */
    int skip_ab = alpha == 0 || k == 0;
    const void *pa = skip_ab ? NULL : A.base, *pb = skip_ab ? NULL : B.base;
    if (dt) {
        K->dgemm(ta, tb, m, n, k, alpha, pa, lda, pb, ldb, beta, C.base, ldc);
    } else {
        K->sgemm(ta, tb, m, n, k, (float)alpha, pa, lda, pb, ldb, (float)beta, C.base, ldc);
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < ldc; j++) {
            double got = get(&C, i * ldc + j);
            if (j >= n) {
                CHECK(got == SENTINEL, "gemm wrote C padding");
                continue;
            }
            long double s = 0, sa = 0;
            for (ptrdiff_t p = 0; p < k; p++) {
                long double aip = get(&A, ta ? p * lda + i : i * lda + p);
                long double bpj = get(&B, tb ? j * ldb + p : p * ldb + j);
                s += aip * bpj;
                sa += fabsl(aip * bpj);
            }
            long double c0 = beta == 0 ? 0 : (long double)get(&C0, i * ldc + j);
            long double want = alpha * s + beta * c0;
            long double tol = (k + 3) * eps(dt) * (fabsl(alpha) * sa + fabsl(beta * c0));
            CHECK(fabsl(got - want) <= tol, "%cgemm ta=%d tb=%d m=%td n=%td k=%td alpha=%g beta=%g (%td,%td): %.17g vs %.17Lg",
                  "sd"[dt], ta, tb, m, n, k, alpha, beta, i, j, got, want);
        }
    }
    free(A.buf);
    free(B.buf);
    free(C.buf);
    free(C0.buf);
}

static void test_gemm(void)
{
    static const ptrdiff_t dims[] = {0, 1, 2, 5, 17, 70, 300};
    static const double ab[][2] = {{1, 0}, {-0.5, 1}, {2, 0.25}, {0, 2}, {0, 0}};
    for (int dt = 0; dt < 2; dt++) {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                for (size_t im = 0; im < 7; im++) {
                    for (size_t in = 0; in < 7; in++) {
                        for (size_t ik = 0; ik < 7; ik++) {
                            ptrdiff_t m = dims[im], n = dims[in], k = dims[ik];
                            if (m * n * k > 300 * 70 * 17) {
                                continue;
                            }
                            size_t c = (im + in + ik) % 5;
                            test_gemm_case(dt, ta, tb, m, n, k, ab[c][0], ab[c][1]);
                        }
                    }
                }
            }
        }
        test_gemm_case(dt, 1, 1, 300, 300, 300, 1.5, 0.5);
        test_gemm_case(dt, 0, 0, 300, 300, 300, 1.5, 0);
    }
}

/* ---------------- timing ---------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile double sink;

static void bench(void)
{
    static const ptrdiff_t sizes[] = {100, 1000, 100000, 10000000};
    static const ptrdiff_t incs[] = {1, 2};
    static const char *names[] = {"ddot", "daxpy", "dsum", "dasum", "dnrm2", "dscal",
                                  "sdot", "saxpy", "ssum", "snrm2"};
    for (size_t ii = 0; ii < 2; ii++) {
        for (size_t s = 0; s < 4; s++) {
            ptrdiff_t n = sizes[s], inc = incs[ii];
            double *x = malloc(sizeof(double) * (size_t)(n * inc)), *y = malloc(sizeof(double) * (size_t)(n * inc));
            float *xf = malloc(sizeof(float) * (size_t)(n * inc)), *yf = malloc(sizeof(float) * (size_t)(n * inc));
            for (ptrdiff_t i = 0; i < n * inc; i++) {
                x[i] = y[i] = urand();
                xf[i] = yf[i] = (float)urand();
            }
            for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
                long reps = (long)(3e8 / (double)n) + 1;
                if (reps > 2000000) {
                    reps = 2000000;
                }
                if (n >= 10000000) {
                    reps = 20;
                }
                double t0 = now(), acc = 0;
                for (long r = 0; r < reps; r++) {
                    switch (f) {
                    case 0: acc += K->ddot(n, x, inc, y, inc); break;
                    case 1: K->daxpy(n, 1e-9, x, inc, y, inc); break;
                    case 2: acc += K->dsum(n, x, inc); break;
                    case 3: acc += K->dasum(n, x, inc); break;
                    case 4: acc += K->dnrm2(n, x, inc); break;
                    case 5: K->dscal(n, 1.0, x, inc); break;
                    case 6: acc += K->sdot(n, xf, inc, yf, inc); break;
                    case 7: K->saxpy(n, 1e-9f, xf, inc, yf, inc); break;
                    case 8: acc += K->ssum(n, xf, inc); break;
                    default: acc += K->snrm2(n, xf, inc); break;
                    }
                }
                double dt = (now() - t0) / (double)reps;
                sink = acc;
                int d = names[f][0] == 'd';
                int streams = (f == 0 || f == 6) ? 2 : (f == 1 || f == 7) ? 3 : (f == 5) ? 2 : 1;
                printf("%-6s n=%-9td inc=%td %12.1f ns  %7.2f GB/s\n", names[f], n, inc, dt * 1e9,
                       (double)n * streams * (d ? 8 : 4) / dt * 1e-9);
            }
            free(x);
            free(y);
            free(xf);
            free(yf);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        bench();
        return 0;
    }
    const hostlib_fn *slots = (const hostlib_fn *)(const void *)((const char *)K + sizeof(hostlib_table_header));
    int nset = 0;
    for (int s = 0; s < HOSTLIB_KERNELS_NSLOTS; s++) {
        nset += slots[s] != NULL;
    }
    CHECK(K->header.magic == HOSTLIB_KERNELS_MAGIC && K->header.size == sizeof(hostlib_kernels_table),
          "table header");
    printf("table %s %s features %#llx: %d of %d slots set\n", K->header.name, K->header.version,
           (unsigned long long)K->header.features, nset, HOSTLIB_KERNELS_NSLOTS);
    test_level1();
    if (K->dgemm != NULL) {
        CHECK(nset == HOSTLIB_KERNELS_NSLOTS, "a table with gemm should be complete here");
        test_elementwise();
        test_gemm();
    } else {
        CHECK(nset == 12, "a SIMD table sets the 12 level-1 slots");
    }
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
