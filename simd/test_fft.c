/*
 * test_fft.c -- standalone check of one fft table (simd/fft.h over one
 * vector layer) against a naive long-double DFT (not built by meson). It
 * includes the table's translation unit, so build it once per table, e.g.
 * from the repo root:
 *
 *   python3 hostlib/generate.py features --outdir /tmp/gen
 *   python3 hostlib/generate.py interface --spec interface/fft.toml --lock interface/fft.abi --outdir /tmp/gen
 *   CF="-std=c11 -O2 -Wall -Wextra -I/tmp/gen -Iinterface -Isimd -DSIMD_PROVIDER_VERSION=\"test\""
 *   gcc $CF -mavx2 -mfma -DSIMD_PROVIDER_NAME=\"avx2\" -DSIMD_PROVIDER_FEATURES='(HOSTLIB_CPU_AVX2|...)' \
 *       -DTEST_TU=\"../kernels_avx2/fft.c\" -DTEST_TABLE=avx2_fft_table simd/test_fft.c -lm
 *   ./a.out          # tests; exit status 1 on failure; prints the errors
 *   ./a.out big      # also 2^20, 2^24 and a prime near 2^24 (sampled)
 *   ./a.out small    # every n to 40 and a few longer (emulated runs: aarch64's
 *                    # long double is software 128-bit, the reference crawls)
 *   ./a.out bench    # ns per transform
 *
 * SSE2: -msse2, ../kernels_sse2/fft.c, sse2_fft_table. Portable: no ISA
 * flag, ../hostlib/_fft_portable.c, scalar_fft_table, FEATURES=0. AVX-512:
 * -I kernels_avx512, ../kernels_avx512/fft.c, avx512_fft_table.
 * tests/test_fft_kernels.py builds and runs it for every layer the machine
 * can execute. Add -fsanitize=address,undefined to catch out-of-bounds
 * access: every array is allocated to its exact span.
 *
 * Errors are normwise against the reference y: max |y' - y| / max |y| and
 * RMS sqrt(sum |y' - y|^2 / sum |y|^2), over every output up to 4096
 * points, over a sample of 48 outputs (0, 1, the middle, the last, random
 * ones) beyond.
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
#error "define TEST_TU (the fft table's translation unit) and TEST_TABLE"
#endif
#include TEST_TU

static const hostlib_fft_fft_table *const F = &TEST_TABLE;

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
static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}
static double urand(void) /* [-1, 1) */
{
    return (double)(rng_next() >> 11) * 0x1.0p-52 - 1.0;
}

/* a value as the precision stores it */
static double rounded(double x, int prec)
{
    return prec == 4 ? (double)(float)x : x;
}

/* ---------------- the reference ---------------- */

static long double *ref_roots; /* cos, sin of 2 pi k / n */
static ptrdiff_t ref_n;

static void ref_prepare(ptrdiff_t n)
{
    if (ref_n == n) {
        return;
    }
    free(ref_roots);
    ref_roots = malloc((size_t)n * 2 * sizeof(long double));
    const long double two_pi = 6.283185307179586476925286766559005768L;
    for (ptrdiff_t k = 0; k < n; k++) {
        ref_roots[2 * k] = cosl(two_pi * (long double)k / (long double)n);
        ref_roots[2 * k + 1] = sinl(two_pi * (long double)k / (long double)n);
    }
    ref_n = n;
}

/* y_k = sum_j x_j e^{sign 2 pi i jk/n} for one k; x complex (re, im) */
static void ref_bin(ptrdiff_t n, int sign, const double *x, ptrdiff_t k, long double *yr, long double *yi)
{
    long double sr = 0, si = 0;
    ptrdiff_t idx = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        const long double c = ref_roots[2 * idx], s = sign * ref_roots[2 * idx + 1];
        sr += x[2 * j] * c - x[2 * j + 1] * s;
        si += x[2 * j] * s + x[2 * j + 1] * c;
        idx += k;
        if (idx >= n) {
            idx -= n;
        }
    }
    *yr = sr;
    *yi = si;
}

/* the outputs compared: all of them up to `full` outputs, else a sample of
   48 (the reference is O(n) per output); check_one compares up to
   full_bins, the layouts (which test the strides, not the arithmetic check_one
   has checked) up to LAYOUT_BINS per array */
static ptrdiff_t full_bins = 512;
#define LAYOUT_BINS 64
static ptrdiff_t pick_bins(ptrdiff_t count, ptrdiff_t *bins, ptrdiff_t full)
{
    if (count <= full) {
        for (ptrdiff_t k = 0; k < count; k++) {
            bins[k] = k;
        }
        return count;
    }
    ptrdiff_t m = 0;
    bins[m++] = 0;
    bins[m++] = 1;
    bins[m++] = count / 2;
    bins[m++] = count - 1;
    while (m < 48) {
        bins[m++] = (ptrdiff_t)(rng_next() % (uint64_t)count);
    }
    return m;
}

/* ---------------- error bookkeeping ---------------- */

typedef struct err {
    long double num_max, den_max, num_sq, den_sq;
} err;

static void err_add(err *e, long double dr, long double di, long double yr, long double yi)
{
    const long double d = sqrtl(dr * dr + di * di), y = sqrtl(yr * yr + yi * yi);
    if (d > e->num_max) {
        e->num_max = d;
    }
    if (y > e->den_max) {
        e->den_max = y;
    }
    e->num_sq += d * d;
    e->den_sq += y * y;
}

static double err_max(const err *e)
{
    return e->den_max > 0 ? (double)(e->num_max / e->den_max) : (double)e->num_max;
}

static double err_rms(const err *e)
{
    return e->den_sq > 0 ? (double)sqrtl(e->num_sq / e->den_sq) : (double)sqrtl(e->num_sq);
}

/* worst errors per precision (0: float32, 1: float64) and kind, in units
   of the precision's epsilon over log2(2n) */
static double worst_max[2][3], worst_rms[2][3];
static ptrdiff_t worst_n[2][3];

static const char *kind_name[3] = {"c2c", "r2c", "c2r"};

static double eps_of(int prec)
{
    return prec == 4 ? FLT_EPSILON : DBL_EPSILON;
}

/* the bound checked: max error within 3 eps log2(2n) (Bluestein's
   lengths: of its 2n - 1 <= M < 8n), RMS within half that */
static void judge(const char *what, ptrdiff_t n, int prec, int kind, const err *e)
{
    const double eps = eps_of(prec), lg = log2(2.0 * (double)n);
    const double mx = err_max(e), rms = err_rms(e);
    const double u_max = mx / (eps * lg), u_rms = rms / (eps * lg);
    const int p = prec == 8;
    if (u_max > worst_max[p][kind]) {
        worst_max[p][kind] = u_max;
        worst_n[p][kind] = n;
    }
    if (u_rms > worst_rms[p][kind]) {
        worst_rms[p][kind] = u_rms;
    }
    CHECK(u_max <= 3 * 1.5 && u_rms <= 1.5 * 1.5, "%s n=%td prec=%d: max rel err %.3g (%.2f eps log2 2n), rms %.3g",
          what, n, prec, mx, u_max, rms);
}

/* ---------------- executing a plan, any precision ---------------- */

typedef struct buf {
    void *p;
    int prec;
} buf;

static double get(const buf *b, ptrdiff_t i)
{
    return b->prec == 4 ? (double)((float *)b->p)[i] : ((double *)b->p)[i];
}

static void put(buf *b, ptrdiff_t i, double x)
{
    if (b->prec == 4) {
        ((float *)b->p)[i] = (float)x;
    } else {
        ((double *)b->p)[i] = x;
    }
}

static int plan_for(int prec, int kind, ptrdiff_t n, int sign, hostlib_fft_plan **plan)
{
    switch (kind) {
    case HOSTLIB_FFT_C2C: return prec == 4 ? F->splan_c2c(n, sign, plan) : F->dplan_c2c(n, sign, plan);
    case HOSTLIB_FFT_R2C: return prec == 4 ? F->splan_r2c(n, plan) : F->dplan_r2c(n, plan);
    default: return prec == 4 ? F->splan_c2r(n, plan) : F->dplan_c2r(n, plan);
    }
}

/* ---------------- accuracy of one transform ---------------- */

/* one contiguous transform of random data against the reference */
static void check_one(int prec, int kind, ptrdiff_t n, int sign)
{
    hostlib_fft_plan *plan = NULL;
    int st = plan_for(prec, kind, n, sign, &plan);
    CHECK(st == HOSTLIB_FFT_OK && plan != NULL, "plan %s n=%td prec=%d: status %d", kind_name[kind], n, prec, st);
    if (st != HOSTLIB_FFT_OK) {
        return;
    }
    CHECK(plan->n == n && plan->kind == kind && plan->precision == prec && plan->algorithm != NULL,
          "plan head n=%td", n);
    const ptrdiff_t half = n / 2 + 1;
    const ptrdiff_t nin = kind == HOSTLIB_FFT_R2C ? n : kind == HOSTLIB_FFT_C2R ? 2 * half : 2 * n;
    const ptrdiff_t nout = kind == HOSTLIB_FFT_C2R ? n : kind == HOSTLIB_FFT_R2C ? 2 * half : 2 * n;
    buf in = {malloc((size_t)nin * (size_t)prec), prec}, out = {malloc((size_t)nout * (size_t)prec), prec};
    double *x = malloc((size_t)n * 2 * sizeof(double)); /* the complex input of the reference */
    for (ptrdiff_t i = 0; i < nin; i++) {
        put(&in, i, urand());
    }
    if (kind == HOSTLIB_FFT_C2C) {
        for (ptrdiff_t i = 0; i < 2 * n; i++) {
            x[i] = get(&in, i);
        }
    } else if (kind == HOSTLIB_FFT_R2C) {
        for (ptrdiff_t j = 0; j < n; j++) {
            x[2 * j] = get(&in, j);
            x[2 * j + 1] = 0;
        }
    } else {
        /* Hermitian: X_0 and (even n) X_{n/2} real, whatever in holds */
        for (ptrdiff_t k = 0; k < half; k++) {
            x[2 * k] = get(&in, 2 * k);
            x[2 * k + 1] = (k == 0 || 2 * k == n) ? 0 : get(&in, 2 * k + 1);
        }
        for (ptrdiff_t k = half; k < n; k++) {
            x[2 * k] = x[2 * (n - k)];
            x[2 * k + 1] = -x[2 * (n - k) + 1];
        }
    }
    st = plan->execute(plan, 1, in.p, 1, 0, out.p, 1, 0, 1.0);
    CHECK(st == HOSTLIB_FFT_OK, "execute n=%td: %d", n, st);
    ref_prepare(n);
    const ptrdiff_t count = kind == HOSTLIB_FFT_R2C ? half : n;
    ptrdiff_t *bins = malloc((size_t)(count <= full_bins ? count : 48) * sizeof(ptrdiff_t));
    const ptrdiff_t nb = pick_bins(count, bins, full_bins);
    err e = {0, 0, 0, 0};
    for (ptrdiff_t b = 0; b < nb; b++) {
        const ptrdiff_t k = bins[b];
        long double yr, yi;
        ref_bin(n, sign, x, k, &yr, &yi);
        if (kind == HOSTLIB_FFT_C2R) {
            err_add(&e, get(&out, k) - yr, 0, yr, yi);
        } else {
            err_add(&e, get(&out, 2 * k) - yr, get(&out, 2 * k + 1) - yi, yr, yi);
        }
    }
    char what[64];
    snprintf(what, sizeof what, "%s sign %d", kind_name[kind], sign);
    judge(what, n, prec, kind, &e);
    free(bins);
    free(x);
    free(in.p);
    free(out.p);
    plan->destroy(plan);
}

/* ---------------- strides, batches, in place, scale ---------------- */

/* An array of `count` elements of `esize` T at stride `stride`, `howmany`
   batches at `dist`: its span in T, and the offset of element 0 of batch 0
   from the lowest address. */
static void span_of(ptrdiff_t count, ptrdiff_t stride, ptrdiff_t howmany, ptrdiff_t dist, ptrdiff_t esize,
                    ptrdiff_t *span, ptrdiff_t *origin)
{
    ptrdiff_t lo = 0, hi = 0;
    const ptrdiff_t a = (count - 1) * stride, b = (howmany - 1) * dist;
    lo = (a < 0 ? a : 0) + (b < 0 ? b : 0);
    hi = (a > 0 ? a : 0) + (b > 0 ? b : 0);
    *span = (hi - lo + 1) * esize;
    *origin = -lo * esize;
}

static void check_layout(int prec, int kind, ptrdiff_t n, int sign, ptrdiff_t howmany, ptrdiff_t is, ptrdiff_t id,
                         ptrdiff_t os, ptrdiff_t od, int in_place, double scale)
{
    hostlib_fft_plan *plan = NULL;
    if (plan_for(prec, kind, n, sign, &plan) != HOSTLIB_FFT_OK) {
        CHECK(0, "plan n=%td", n);
        return;
    }
    const ptrdiff_t half = n / 2 + 1;
    const ptrdiff_t cin = kind == HOSTLIB_FFT_C2R ? half : n, cout = kind == HOSTLIB_FFT_R2C ? half : n;
    const ptrdiff_t ein = kind == HOSTLIB_FFT_R2C ? 1 : 2, eout = kind == HOSTLIB_FFT_C2R ? 1 : 2;
    ptrdiff_t ispan, iorg, ospan, oorg;
    span_of(cin, is, howmany, id, ein, &ispan, &iorg);
    span_of(cout, os, howmany, od, eout, &ospan, &oorg);
    if (in_place) { /* one array: the larger span, both origins equal */
        if (ospan > ispan) {
            ispan = ospan;
        }
        if (oorg > iorg) {
            iorg = oorg;
        }
        ispan += iorg; /* room below the origin for both */
        ospan = ispan;
        oorg = iorg;
    }
    buf in = {malloc((size_t)ispan * (size_t)prec), prec};
    buf out = in_place ? in : (buf){malloc((size_t)ospan * (size_t)prec), prec};
    const double sentinel = 12345.0;
    for (ptrdiff_t i = 0; i < ispan; i++) {
        put(&in, i, sentinel);
    }
    if (!in_place) {
        for (ptrdiff_t i = 0; i < ospan; i++) {
            put(&out, i, sentinel);
        }
    }
    double *x = malloc((size_t)(howmany * n * 2) * sizeof(double));
    for (ptrdiff_t b = 0; b < howmany; b++) {
        double *xb = x + 2 * b * n;
        if (id == 0 && b > 0) { /* every batch reads the same array */
            memcpy(xb, x, (size_t)(2 * n) * sizeof(double));
            continue;
        }
        for (ptrdiff_t j = 0; j < cin; j++) {
            const ptrdiff_t at = iorg + (b * id + j * is) * ein;
            const double re = rounded(urand(), prec), im = rounded(urand(), prec);
            put(&in, at, re);
            if (ein == 2) {
                put(&in, at + 1, im);
            }
            xb[2 * j] = re;
            xb[2 * j + 1] = ein == 2 ? im : 0;
        }
        if (kind == HOSTLIB_FFT_C2R) {
            xb[1] = 0;
            if (n % 2 == 0) {
                xb[2 * (n / 2) + 1] = 0;
            }
            for (ptrdiff_t k = half; k < n; k++) {
                xb[2 * k] = xb[2 * (n - k)];
                xb[2 * k + 1] = -xb[2 * (n - k) + 1];
            }
        }
    }
    const char *ip = (const char *)in.p + iorg * prec;
    char *op = (char *)out.p + oorg * prec;
    int st = plan->execute(plan, howmany, ip, is, id, op, os, od, scale);
    CHECK(st == HOSTLIB_FFT_OK, "execute layout n=%td: %d", n, st);
    ref_prepare(n);
    err e = {0, 0, 0, 0};
    ptrdiff_t bins[LAYOUT_BINS > 48 ? LAYOUT_BINS : 48];
    const ptrdiff_t nb = pick_bins(cout, bins, LAYOUT_BINS);
    for (ptrdiff_t b = 0; b < howmany; b++) {
        for (ptrdiff_t j = 0; j < nb; j++) {
            const ptrdiff_t k = bins[j];
            long double yr, yi;
            ref_bin(n, sign, x + 2 * b * n, k, &yr, &yi);
            yr *= scale;
            yi *= scale;
            const ptrdiff_t at = oorg + (b * od + k * os) * eout;
            if (eout == 1) {
                err_add(&e, get(&out, at) - yr, 0, yr, yi);
            } else {
                err_add(&e, get(&out, at) - yr, get(&out, at + 1) - yi, yr, yi);
            }
        }
    }
    char what[160];
    snprintf(what, sizeof what, "%s layout howmany %td is %td id %td os %td od %td%s scale %g", kind_name[kind],
             howmany, is, id, os, od, in_place ? " in place" : "", scale);
    judge(what, n, prec, kind, &e);
    if (!in_place) { /* nothing but the outputs written */
        ptrdiff_t touched = 0;
        for (ptrdiff_t i = 0; i < ospan; i++) {
            touched += get(&out, i) != sentinel;
        }
        CHECK(touched <= howmany * cout * eout, "%s: %td elements written, %td outputs", what, touched,
              howmany * cout * eout);
    }
    free(x);
    free(in.p);
    if (!in_place) {
        free(out.p);
    }
    plan->destroy(plan);
}

/* the longest length checked in every layout: 256 (16 x 16) and 1000 already
   take a first and a last pass that read and write the caller's strides;
   2500 and 4096 cost ~20 s more per layer (the reference is O(n) per output) */
static ptrdiff_t layouts_up_to = 1000;
static void check_layouts(int prec)
{
    static const ptrdiff_t sizes[] = {1, 2, 3, 5, 8, 12, 16, 17, 30, 64, 97, 100, 128, 210, 256, 1000, 2500, 4096};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0] && sizes[si] <= layouts_up_to; si++) {
        const ptrdiff_t n = sizes[si], half = n / 2 + 1;
        for (int kind = 0; kind < 3; kind++) {
            const ptrdiff_t cin = kind == HOSTLIB_FFT_C2R ? half : n, cout = kind == HOSTLIB_FFT_R2C ? half : n;
            const int sign = kind == HOSTLIB_FFT_R2C ? -1 : 1;
            const int csign = kind == HOSTLIB_FFT_C2C ? -1 : sign;
            /* contiguous batches, several counts (the batch lanes' tails) */
            for (ptrdiff_t hm = 1; hm <= 19; hm += 6) {
                check_layout(prec, kind, n, csign, hm, 1, cin, 1, cout, 0, 1.0);
            }
            /* strided, negative, transposed batches, and scale */
            check_layout(prec, kind, n, sign, 3, 2, 2 * cin + 1, -1, -cout, 0, 0.5);
            check_layout(prec, kind, n, sign, 5, -3, -3 * cin, 5, 1, 0, 2.0);
            check_layout(prec, kind, n, sign, 9, 9, 1, 1, cout, 0, 1.0);
            check_layout(prec, kind, n, sign, 2, 1, 0, 1, cout, 0, 1.0); /* one input, two outputs */
            /* one array (no batch lanes): strided both ways, in place */
            check_layout(prec, kind, n, sign, 1, -3, 0, 2, 0, 0, 0.5);
            check_layout(prec, kind, n, kind == HOSTLIB_FFT_C2C ? -sign : sign, 1, 1, 0, -1, 0, 0, 1.0);
            if (kind == HOSTLIB_FFT_C2C) {
                check_layout(prec, kind, n, sign, 1, -2, 0, -2, 0, 1, 3.0);
                check_layout(prec, kind, n, -sign, 1, 1, 0, 1, 0, 1, 1.0);
            }
            /* in place: same strides and distances */
            if (kind == HOSTLIB_FFT_C2C) {
                check_layout(prec, kind, n, sign, 3, 1, n, 1, n, 1, 1.0);
                check_layout(prec, kind, n, -sign, 10, 10, 1, 10, 1, 1, 0.25);
                check_layout(prec, kind, n, sign, 2, -2, -2 * n, -2, -2 * n, 1, 1.0);
            } else {
                /* the padded real layout: 2 (n/2 + 1) reals per array at
                   the complex side's n/2 + 1 */
                const ptrdiff_t rd = 2 * half, cd = half;
                if (kind == HOSTLIB_FFT_R2C) {
                    check_layout(prec, kind, n, sign, 3, 1, rd, 1, cd, 1, 1.0);
                } else {
                    check_layout(prec, kind, n, sign, 3, 1, cd, 1, rd, 1, 1.0);
                }
            }
        }
    }
}

/* ---------------- errors ---------------- */

static void check_errors(void)
{
    hostlib_fft_plan *plan = NULL;
    CHECK(F->dplan_c2c(0, -1, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "n = 0");
    CHECK(F->splan_c2c(-5, -1, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "n < 0");
    CHECK(F->dplan_c2c(8, 0, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "sign 0");
    CHECK(F->dplan_c2c(8, 2, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "sign 2");
    CHECK(F->dplan_c2c(8, -1, NULL) == HOSTLIB_FFT_EINVAL, "NULL plan pointer");
    CHECK(F->dplan_r2c(0, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "r2c n = 0");
    CHECK(F->splan_c2r(0, &plan) == HOSTLIB_FFT_EINVAL && plan == NULL, "c2r n = 0");
    CHECK(F->splan_r2c(8, NULL) == HOSTLIB_FFT_EINVAL, "r2c NULL");
    CHECK(F->dplan_c2c(8, 1, &plan) == HOSTLIB_FFT_OK, "plan");
    double x[16] = {0};
    CHECK(plan->execute(plan, 0, NULL, 1, 8, NULL, 1, 8, 1.0) == HOSTLIB_FFT_OK, "howmany 0");
    CHECK(plan->execute(plan, -1, x, 1, 8, x, 1, 8, 1.0) == HOSTLIB_FFT_EINVAL, "howmany < 0");
    CHECK(plan->execute(plan, 1, NULL, 1, 8, x, 1, 8, 1.0) == HOSTLIB_FFT_EINVAL, "NULL input");
    CHECK(plan->execute(plan, 1, x, 1, 8, NULL, 1, 8, 1.0) == HOSTLIB_FFT_EINVAL, "NULL output");
    CHECK(plan->execute(NULL, 1, x, 1, 8, x, 1, 8, 1.0) == HOSTLIB_FFT_EINVAL, "NULL plan");
    plan->destroy(plan);
}

/* ---------------- benchmark ---------------- */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); /* not the time others run */
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ns per transform of the sizes asked for (all by default), float64,
   one array, contiguous, out of place */
static void bench(int argc, char **argv)
{
    static const ptrdiff_t sizes[] = {64, 1024, 65536, 1 << 20, 1000, 1009};
    for (int kind = 0; kind < 2; kind++) {
        for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
            if (argc > 2 && (int)si >= argc - 2) {
                break;
            }
            const ptrdiff_t n = argc > 2 ? atol(argv[2 + si]) : sizes[si];
            hostlib_fft_plan *plan;
            if (plan_for(8, kind, n, -1, &plan) != HOSTLIB_FFT_OK) {
                continue;
            }
            double *in = malloc((size_t)n * 2 * sizeof(double)), *out = malloc((size_t)n * 2 * sizeof(double) + 16);
            for (ptrdiff_t i = 0; i < 2 * n; i++) {
                in[i] = urand();
            }
            double best = 1e30;
            long batch = 1; /* calls between two clock readings (each a system call) */
            for (int rep = 0; rep < 15; rep++) { /* the best of 15: a shared machine */
                long iters = 0;
                const double t0 = now();
                double t1;
                do {
                    for (long i = 0; i < batch; i++) {
                        plan->execute(plan, 1, in, 1, 0, out, 1, 0, 1.0);
                    }
                    iters += batch;
                } while ((t1 = now()) - t0 < 0.02);
                batch = iters / 20 + 1;
                const double ns = (t1 - t0) / (double)iters * 1e9;
                if (ns < best) {
                    best = ns;
                }
            }
            printf("bench %s f64 n=%td %.0f ns  (%s)\n", kind_name[kind], n, best, plan->algorithm);
            if (n <= 4096) { /* 16 arrays per call, contiguous */
                double *bin = malloc((size_t)(32 * n) * sizeof(double)), *bout = malloc((size_t)(32 * n) * sizeof(double));
                for (ptrdiff_t i = 0; i < 32 * n; i++) {
                    bin[i] = urand();
                }
                const ptrdiff_t dist = kind == HOSTLIB_FFT_R2C ? 2 * n : n;
                double bbest = 1e30;
                for (int rep = 0; rep < 15; rep++) {
                    long iters = 0;
                    const double t0 = now();
                    double t1;
                    do {
                        plan->execute(plan, 16, bin, 1, dist, bout, 1, n, 1.0);
                        iters++;
                    } while ((t1 = now()) - t0 < 0.02);
                    const double ns = (t1 - t0) / (double)(16 * iters) * 1e9;
                    bbest = ns < bbest ? ns : bbest;
                }
                printf("bench %s f64 n=%td batch of 16: %.0f ns per transform\n", kind_name[kind], n, bbest);
                free(bin);
                free(bout);
            }
            free(in);
            free(out);
            plan->destroy(plan);
        }
    }
}

/* ---------------- four steps, forced at small lengths ---------------- */

/* The four-step plans (n = n1 n2, for large n) at lengths where the
   reference is cheap: the planner's threshold lowered, every kind and
   both signs, then strided, negative, batched and in-place layouts */
static void check_four_step(int small)
{
    const ptrdiff_t keep = SIMD_NAME(fft_fourstep_min);
    SIMD_NAME(fft_fourstep_min) = 16;
    static const ptrdiff_t sizes[] = {256, 512, 1000, 288, 1536, 2000, 4096, 6000, 20480};
    const size_t count = small ? 3 : sizeof sizes / sizeof sizes[0];
    for (int pi = 0; pi < 2; pi++) {
        const int prec = pi ? 8 : 4;
        for (size_t i = 0; i < count; i++) {
            const ptrdiff_t n = sizes[i];
            hostlib_fft_plan *plan = NULL;
            if (plan_for(prec, HOSTLIB_FFT_C2C, n, -1, &plan) == HOSTLIB_FFT_OK) {
                CHECK(strstr(plan->algorithm, "four-step") != NULL, "n=%td not four-step: %s", n, plan->algorithm);
                plan->destroy(plan);
            }
            check_one(prec, HOSTLIB_FFT_C2C, n, -1);
            check_one(prec, HOSTLIB_FFT_C2C, n, 1);
            check_one(prec, HOSTLIB_FFT_R2C, n, -1);
            check_one(prec, HOSTLIB_FFT_C2R, n, 1);
        }
        /* c2c 256 and real 512 (a complex half of 256) are four-step */
        for (int kind = 0; kind < 3; kind++) {
            const ptrdiff_t n = kind == HOSTLIB_FFT_C2C ? 256 : 512, half = n / 2 + 1;
            const ptrdiff_t cin = kind == HOSTLIB_FFT_C2R ? half : n, cout = kind == HOSTLIB_FFT_R2C ? half : n;
            const int sign = kind == HOSTLIB_FFT_R2C ? -1 : 1;
            check_layout(prec, kind, n, sign, 3, 2, 2 * cin + 1, -1, -cout, 0, 0.5);
            check_layout(prec, kind, n, sign, 2, -3, -3 * cin, 5, 1, 0, 2.0);
            if (kind == HOSTLIB_FFT_C2C) {
                check_layout(prec, kind, n, sign, 2, -2, -2 * n, -2, -2 * n, 1, 1.0);
                check_layout(prec, kind, n, -sign, 3, 3, 1, 3, 1, 1, 0.25);
            } else if (kind == HOSTLIB_FFT_R2C) {
                check_layout(prec, kind, n, sign, 2, 1, 2 * half, 1, half, 1, 1.0);
            } else {
                check_layout(prec, kind, n, sign, 2, 1, half, 1, 2 * half, 1, 1.0);
            }
        }
    }
    SIMD_NAME(fft_fourstep_min) = keep;
}

/* ---------------- main ---------------- */

int main(int argc, char **argv)
{
    /* the planner's four-step threshold, for timing one path against the
       other (bench) */
    if (getenv("TEST_FFT_FOURSTEP_MIN") != NULL) {
        SIMD_NAME(fft_fourstep_min) = atol(getenv("TEST_FFT_FOURSTEP_MIN"));
    }
    if (argc > 1 && strcmp(argv[1], "bench") == 0) {
        bench(argc, argv);
        return 0;
    }
    const int big = argc > 1 && strcmp(argv[1], "big") == 0;
    /* "small", for layers run under an emulator, whose long double may be
       software quad precision: every n to 40 and a few longer ones, with a
       sample of the outputs beyond 40 */
    const int small = argc > 1 && strcmp(argv[1], "small") == 0;
    printf("layer %s: %d x f64, %d x f32 lanes\n", F->header.name, (int)VF64_LANES, (int)VF32_LANES);
    check_errors();
    ptrdiff_t sizes[256];
    int ns = 0;
    for (ptrdiff_t n = 1; n <= (small ? 40 : 130); n++) {
        sizes[ns++] = n;
    }
    if (small) {
        static const ptrdiff_t few[] = {64, 97, 128, 210, 256, 1000, 1009, 1536};
        full_bins = 40;
        layouts_up_to = 64;
        for (size_t i = 0; i < sizeof few / sizeof few[0]; i++) {
            sizes[ns++] = few[i];
        }
    } else {
        for (ptrdiff_t n = 256; n <= 65536; n *= 2) {
            sizes[ns++] = n;
        }
        static const ptrdiff_t extra[] = {1000, 1536, 10000, 1009, 65537, 4096 * 3, 5 * 7 * 11 * 13, 2 * 31 * 31,
                                          37 * 41, 19683, 17 * 1024, 2 * 78125, 3 * 5 * 7 * 11 * 13 * 2};
        for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
            sizes[ns++] = extra[i];
        }
    }
    if (big) {
        sizes[ns++] = 1 << 20;
        sizes[ns++] = 1 << 24;
        sizes[ns++] = 16777213; /* prime */
    }
    for (int pi = 0; pi < 2; pi++) {
        const int prec = pi ? 8 : 4;
        for (int i = 0; i < ns; i++) {
            check_one(prec, HOSTLIB_FFT_C2C, sizes[i], -1);
            check_one(prec, HOSTLIB_FFT_C2C, sizes[i], 1);
            check_one(prec, HOSTLIB_FFT_R2C, sizes[i], -1);
            check_one(prec, HOSTLIB_FFT_C2R, sizes[i], 1);
        }
        check_layouts(prec);
    }
    check_four_step(small);
    for (int p = 0; p < 2; p++) {
        for (int k = 0; k < 3; k++) {
            printf("worst %s %s: max %.2f, rms %.2f eps log2(2n) (max at n=%td)\n", p ? "f64" : "f32", kind_name[k],
                   worst_max[p][k], worst_rms[p][k], worst_n[p][k]);
        }
    }
    printf("done: %d checks, %d failures\n", checks, failures);
    free(ref_roots);
    return failures != 0;
}
