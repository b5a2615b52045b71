/*
 * fft.h -- hostlib's fast Fourier transforms, written once over the vector
 * layer (the re-include idea of level1.h): complex and real, float32 and
 * float64, any length.
 *
 * Include it after exactly one vector layer. It defines SIMD_HAVE_FFT and
 * the six planners of the fft interface (interface/fft.toml), static
 * SIMD_NAME(fft_{s,d}plan_{c2c,r2c,c2r}); simd/fft_table.h puts them in a
 * table. Every plan starts with the public hostlib_fft_plan head and
 * carries its execute and destroy.
 *
 * Semantics (numpy.fft's, unnormalised; the caller passes the scale):
 *   c2c  out[k] = scale * sum_j in[j] exp(sign 2 pi i j k / n)
 *   r2c  n reals -> the n/2 + 1 complex values of non-negative frequency
 *        (sign -1)
 *   c2r  n/2 + 1 complex values of a Hermitian spectrum -> n reals
 *        (sign +1); the imaginary parts of element 0 and, for even n, of
 *        element n/2 are not read (numpy.fft.irfft)
 *
 * The algorithms, one place each below:
 *   - twiddles: every root of unity from long double cos/sin of an
 *     argument reduced to the first octant by exact integer arithmetic
 *     (where long double is wider than double, a two-level table
 *     multiplied out in long double): each rounds once to T;
 *   - the core: a forward complex transform in split format (separate re
 *     and im arrays), Stockham autosort passes of radix 2, 4, 8, 3, 5, 7
 *     and any odd prime up to FFT_MAX_RADIX (one generic odd butterfly,
 *     instantiated with constant radix for 3, 5, 7), ping-ponging between
 *     two buffers. A pass is vectorised across its butterflies: along the
 *     contiguous inner index q, or across p with strided lanes, whichever
 *     an estimate finds cheaper (along_q); the caller's interleaved
 *     complex arrays are read and written as pairs (load2/store2);
 *   - Bluestein, for lengths with a prime factor above FFT_MAX_RADIX: a
 *     chirp product, a cyclic convolution by two core transforms of a
 *     5-smooth length M >= 2n - 1 (the cheapest by an estimate, up to
 *     the next power of two), and the chirp again;
 *   - the backward direction: swap(F(swap(x))), where swap exchanges re
 *     and im: the core is only ever forward, and the swap is free (the
 *     loads and stores exchange the two arrays);
 *   - real transforms of even n: a complex transform of n/2 (the even
 *     samples as re, the odd ones as im) and a twiddle pass after (r2c) or
 *     before (c2r); odd n: a complex transform of n;
 *   - execute: a batch of arrays is gathered from the caller's strided,
 *     interleaved layout into split scratch, transformed and scattered back
 *     with the scale. Small transforms run a vector's worth of arrays at
 *     once, one array per lane (element j of lane l at j * nb + l), which
 *     is the same Stockham pass with its inner extent multiplied by nb.
 *
 *   - four steps, for large lengths: n = n1 n2 as column transforms, a
 *     twiddle product and row transforms, each cut into blocks that fit in
 *     cache and split over hostlib's pool (see "four steps" below).
 *
 * Scratch is a stack buffer when small, else one of the plan's slots (kept
 * between calls, each taken by one execute at a time by an atomic flag;
 * malloc when all are taken): a plan's transforms never change, and
 * execute is thread-safe. Errors: HOSTLIB_FFT_EINVAL for
 * n < 1, NULL pointers, a bad sign, a negative howmany;
 * HOSTLIB_FFT_ENOMEM when memory cannot be had.
 *
 * Layout: the file includes itself once per element type (FFT_PASS 1:
 * float64, 2: float32); the type-independent helpers come first.
 */
#ifndef FFT_PASS
#ifndef SIMD_FFT_H
#define SIMD_FFT_H

#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before fft.h"
#endif
#include "layer_api.h"
#include "hostlib_fft_fft_table.h"
#include "hostlib_pool_api.h"
#include <stdatomic.h>

/* hostlib's pool, set by the module's init code before the table is
   exported (interface/fft_provider_module.c); NULL runs every transform
   on the calling thread */
extern const hostlib_pool_api *SIMD_NAME(fft_pool);
const hostlib_pool_api *SIMD_NAME(fft_pool) = NULL;

/* The planner's choice between the direct passes and four steps (below),
   by the length of the complex transform (n/2 for even real n):
   - from FFT_SPLIT_MIN up a plan has four steps, which split over the
     pool: an execute that may use two threads or more takes them;
   - from fft_fourstep_min up, four steps on one thread too (the plan then
     has no direct passes); below it, one thread runs the direct passes.
   The module's init code lets the host (and tests) set fft_fourstep_min;
   plans made afterwards follow it. Measured on Zen 4 (AVX-512, one
   thread, float64, the thread's CPU time, best of 15, two runs on a
   shared machine), direct / four-step: c2c 2^15 147-163 / 176 us, 2^16
   336-408 / 392-395 us, 2^18 3.4-3.8 / 2.2-2.4 ms, 2^20 20.2-20.4 /
   13.7-13.8 ms; r2c (a complex half) 2^16 203-211 / 202-204 us, 2^18
   1.16-1.43 / 1.06-1.22 ms, 2^20 8.7-9.0 / 7.8 ms. */
#ifndef FFT_SPLIT_MIN
#define FFT_SPLIT_MIN 32768
#endif
#ifndef FFT_FOURSTEP_MIN
#define FFT_FOURSTEP_MIN 131072
#endif
extern ptrdiff_t SIMD_NAME(fft_fourstep_min);
ptrdiff_t SIMD_NAME(fft_fourstep_min) = FFT_FOURSTEP_MIN;

/* FFT_UNROLL: loops over a butterfly's points, unrolled where the radix
   is a constant, so its values live in registers, not in arrays */
#if defined(__clang__)
#define FFT_UNROLL _Pragma("clang loop unroll(full)")
#elif defined(__GNUC__)
#define FFT_UNROLL _Pragma("GCC unroll 32")
#else
#define FFT_UNROLL
#endif

#if defined(__GNUC__) || defined(__clang__)
#define FFT_INLINE static inline __attribute__((always_inline))
#define FFT_NOINLINE static __attribute__((noinline))
#elif defined(_MSC_VER)
#define FFT_INLINE static __forceinline
#define FFT_NOINLINE static __declspec(noinline)
#else
#define FFT_INLINE static inline
#define FFT_NOINLINE static
#endif

/* radix 16 (its 16 points and constants take 32 vector registers) where
   the layer has them: NEON says so, AVX-512 (8 float64 lanes) has them */
#ifndef FFT_RADIX16
#if (defined(SIMD_VEC_REGISTERS) && SIMD_VEC_REGISTERS >= 32) || VF64_LANES >= 8
#define FFT_RADIX16 1
#else
#define FFT_RADIX16 0
#endif
#endif
/* odd prime factors up to this get a butterfly; a larger one sends the
   whole length to Bluestein */
#define FFT_MAX_RADIX 31
/* a length below 2^63 has at most 63 prime factors */
#define FFT_MAX_PASSES 64
#define FFT_ALIGN 64
/* small transforms run a vector's worth of arrays at once up to this */
#define FFT_BATCH_MAX 2048
/* interleaved arrays (FT(batch_lanes)) are batched up to this many points
   in the batch, n times the lanes: the scratch of the longest direct
   single transform (4 MiB in float64) */
#define FFT_INTERLEAVED_MAX 131072
/* per-call scratch up to this lives on the stack */
#define FFT_STACK_BYTES 16384
/* larger scratch is kept by the plan in this many slots, each taken by
   one execute at a time (an atomic flag): concurrent executes of one plan
   beyond that allocate their own */
#define FFT_SLOTS 4
/* a four-step transform is cut into at most this many parts per thread
   (so a late helper's share is taken by the others), and uses at most
   FFT_MAX_PARTS threads */
#define FFT_TASKS_PER_PART 4
#define FFT_MAX_PARTS 64
/* lengths beyond this cannot have their buffers (and would overflow the
   size arithmetic on 32-bit targets): ENOMEM */
#define FFT_MAX_N (PTRDIFF_MAX / 256)

/* ---------------- memory ---------------- */

/* 64-byte aligned blocks (a cache line, any vector); malloc's pointer is
   kept just below the block */
static void *fft_alloc(size_t bytes)
{
    if (bytes > SIZE_MAX - FFT_ALIGN - sizeof(void *)) {
        return NULL;
    }
    void *raw = malloc(bytes + FFT_ALIGN + sizeof(void *));
    if (raw == NULL) {
        return NULL;
    }
    uintptr_t p = ((uintptr_t)raw + sizeof(void *) + FFT_ALIGN - 1) & ~(uintptr_t)(FFT_ALIGN - 1);
    ((void **)p)[-1] = raw;
    return (void *)p;
}

static void fft_free(void *p)
{
    if (p != NULL) {
        free(((void **)p)[-1]);
    }
}

/* a count of elements of `size` bytes rounded up to whole 64-byte blocks */
static size_t fft_padded(size_t count, size_t size)
{
    return (count * size + FFT_ALIGN - 1) / FFT_ALIGN * FFT_ALIGN / size;
}

/* ---------------- roots of unity ---------------- */

#define FFT_2PI_L 6.283185307179586476925286766559005768L

/* cos and sin of 2 pi k / n, 0 <= k < n: the angle is reduced to
   [0, pi/4] exactly (in units of 2 pi / 8n, integers), so the library's
   cosl/sinl see a small, exactly formed argument */
static void fft_root(int64_t n, int64_t k, long double *c, long double *s)
{
    uint64_t full = 8 * (uint64_t)n, a = 8 * (uint64_t)k;
    int neg_sin = 0, neg_cos = 0, swap = 0;
    if (a > full / 2) { /* (pi, 2 pi): reflect, sin changes sign */
        a = full - a;
        neg_sin = 1;
    }
    if (a > full / 4) { /* (pi/2, pi]: pi - angle, cos changes sign */
        a = full / 2 - a;
        neg_cos = 1;
    }
    if (a > full / 8) { /* (pi/4, pi/2]: pi/2 - angle swaps cos and sin */
        a = full / 4 - a;
        swap = 1;
    }
    const long double x = (long double)a / (long double)full * FFT_2PI_L;
    long double cx = cosl(x), sx = sinl(x);
    if (swap) {
        long double t = cx;
        cx = sx;
        sx = t;
    }
    *c = neg_cos ? -cx : cx;
    *s = neg_sin ? -sx : sx;
}

/* All n roots of one length, fast: where long double has more bits than
   double, root k = coarse[k / b] * fine[k % b], multiplied in long double
   (error ~2^-62, then one rounding to T); else fft_root per root (each
   within an ulp, no product error). */
typedef struct fft_roots {
    int64_t n, b;
    long double *coarse, *fine; /* cos, sin pairs */
} fft_roots;

static int fft_roots_init(fft_roots *g, int64_t n)
{
    g->n = n;
    g->coarse = g->fine = NULL;
#if LDBL_MANT_DIG >= 64
    int64_t b = 1;
    while (b * b < n) {
        b++;
    }
    g->b = b;
    const int64_t nc = (n + b - 1) / b;
    g->coarse = (long double *)malloc((size_t)(2 * nc) * sizeof(long double));
    g->fine = (long double *)malloc((size_t)(2 * b) * sizeof(long double));
    if (g->coarse == NULL || g->fine == NULL) {
        free(g->coarse);
        free(g->fine);
        return -1;
    }
    for (int64_t i = 0; i < nc; i++) {
        fft_root(n, i * b, &g->coarse[2 * i], &g->coarse[2 * i + 1]);
    }
    for (int64_t j = 0; j < b; j++) {
        fft_root(n, j, &g->fine[2 * j], &g->fine[2 * j + 1]);
    }
#else
    g->b = 0;
#endif
    return 0;
}

/* cos and sin of 2 pi k / n, 0 <= k < n */
static void fft_roots_get(const fft_roots *g, int64_t k, long double *c, long double *s)
{
#if LDBL_MANT_DIG >= 64
    const long double *u = &g->coarse[2 * (k / g->b)], *v = &g->fine[2 * (k % g->b)];
    *c = u[0] * v[0] - u[1] * v[1];
    *s = u[0] * v[1] + u[1] * v[0];
#else
    fft_root(g->n, k, c, s);
#endif
}

static void fft_roots_free(fft_roots *g)
{
    free(g->coarse);
    free(g->fine);
    g->coarse = g->fine = NULL;
}

/* ---------------- factorisation ---------------- */

/* The radices of n's passes, first pass first: the power of two in the
   fewest passes of at most 16 (8 without FFT_RADIX16, or from
   FFT_RADIX16_BYTES per array up), as even as can be
   (2^10 = 16 x 8 x 8), larger first; then 3, 5, 7 and larger odd primes.
   Returns their count, or -1 if a prime factor exceeds FFT_MAX_RADIX. */
/* Radix 16 only below FFT_RADIX16_BYTES of one array (n elements of
   `size` bytes): its 16 input streams, n/16 elements apart, share a cache
   set at power-of-two n, more streams than the 12 ways of Zen 4's L1 (c2c
   float64 65536 on AVX-512, direct passes: 526 us at radix 16, slower than
   AVX2's 400 at radix 8). */
#define FFT_RADIX16_BYTES (256 * 1024)

static int fft_factor(ptrdiff_t n, size_t size, int *radix)
{
    int count = 0, twos = 0;
    const int r16 = FFT_RADIX16 && (size_t)n * size < FFT_RADIX16_BYTES;
    while (n % 2 == 0) {
        n /= 2;
        twos++;
    }
    const int most = r16 ? 4 : 3; /* bits per pass */
    const int passes = (twos + most - 1) / most;
    for (int i = 0; i < passes; i++) {
        /* the first twos % passes passes take one bit more */
        const int bits = twos / passes + (i < twos % passes);
        radix[count++] = 1 << bits;
    }
    for (ptrdiff_t p = 3; n > 1 && p <= FFT_MAX_RADIX; p += 2) {
        while (n % p == 0) {
            n /= p;
            radix[count++] = (int)p;
        }
    }
    return n == 1 ? count : -1;
}

/* Bluestein's length for n: a 5-smooth number (2^a 3^b 5^c) M >= 2n - 1,
   up to the next power of two, of the least estimated time: M points
   times (two core transforms + the pointwise products), a pass of radix
   r weighed 2 + log2(r)/2 per point (its arithmetic grows with r, its
   memory traffic does not), a pointwise pass 2. The smallest M is not
   the cheapest: for n = 1009 it is 2025 = 3^4 5^2, six passes of radix
   3 and 5 that fill a vector poorly (s = 3, 9, 27 along q), where 2048
   takes three or four (issue 21: float32 AVX2 slower than SSE2 there). */
static double fft_bluestein_cost(ptrdiff_t M, size_t size)
{
    int radix[FFT_MAX_PASSES];
    const int np = fft_factor(M, size, radix);
    double w = 0;
    for (int i = 0; i < np; i++) {
        w += 2 + 0.5 * log2((double)radix[i]);
    }
    return (double)M * (2 * w + 6);
}

static ptrdiff_t fft_bluestein_size(ptrdiff_t n, size_t size)
{
    const ptrdiff_t lo = 2 * n - 1;
    ptrdiff_t top = 1;
    while (top < lo) {
        top *= 2;
    }
    ptrdiff_t best = top;
    double best_cost = fft_bluestein_cost(top, size);
    for (ptrdiff_t p5 = 1; p5 <= top; p5 *= 5) {
        for (ptrdiff_t p35 = p5; p35 <= top; p35 *= 3) {
            ptrdiff_t x = p35;
            while (x < lo) {
                x *= 2;
            }
            if (x < top) {
                const double cost = fft_bluestein_cost(x, size);
                if (cost < best_cost) {
                    best = x;
                    best_cost = cost;
                }
            }
        }
    }
    return best;
}

/* the plans' descriptions: text appended to buf (FFT_DESC bytes, always
   terminated, cut if it would not fit) */
#define FFT_DESC 160

static void fft_append(char *buf, const char *text)
{
    size_t at = strlen(buf);
    while (*text && at + 1 < FFT_DESC) {
        buf[at++] = *text++;
    }
    buf[at] = '\0';
}

static void fft_append_int(char *buf, ptrdiff_t x)
{
    char digits[24];
    int k = 0;
    do {
        digits[k++] = (char)('0' + x % 10);
        x /= 10;
    } while (x > 0 && k < 23);
    char text[24];
    for (int i = 0; i < k; i++) {
        text[i] = digits[k - 1 - i];
    }
    text[k] = '\0';
    fft_append(buf, text);
}

/* "radix 8x8x4" */
static void fft_append_radices(char *buf, const int *radix, int count)
{
    fft_append(buf, "radix ");
    if (count == 0) {
        fft_append(buf, "1 (a copy)");
    }
    for (int i = 0; i < count; i++) {
        if (i) {
            fft_append(buf, "x");
        }
        fft_append_int(buf, radix[i]);
    }
}

/* pass 1: float64 */
#define FFT_PASS 1
#define T double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define FT(x) fft_d_##x
#define FFT_PLANNER(x) SIMD_NAME(fft_d##x)
#define FFT_PRECISION 8
#include "fft.h"

/* pass 2: float32 (computed in float32 lanes: twice the lanes, and the
   error of float32 arithmetic, as numpy.fft's float32 transforms) */
#define FFT_PASS 2
#define T float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define FT(x) fft_s_##x
#define FFT_PLANNER(x) SIMD_NAME(fft_s##x)
#define FFT_PRECISION 4
#include "fft.h"

#define SIMD_HAVE_FFT 1

#endif /* SIMD_FFT_H */

#else /* FFT_PASS: the generic code, instantiated once per element type */

/* ---------------- complex vectors and butterflies ---------------- */

/* a vector of complex values in split form */
typedef struct FT(cv) {
    V r, i;
} FT(cv);

FFT_INLINE FT(cv) FT(cadd)(FT(cv) a, FT(cv) b)
{
    FT(cv) y = {V_(add)(a.r, b.r), V_(add)(a.i, b.i)};
    return y;
}

FFT_INLINE FT(cv) FT(csub)(FT(cv) a, FT(cv) b)
{
    FT(cv) y = {V_(sub)(a.r, b.r), V_(sub)(a.i, b.i)};
    return y;
}

/* a * (wr + i wi) */
FFT_INLINE FT(cv) FT(cmul)(FT(cv) a, V wr, V wi)
{
    FT(cv) y = {V_(fnma)(a.i, wi, V_(mul)(a.r, wr)), V_(fma)(a.r, wi, V_(mul)(a.i, wr))};
    return y;
}

/* a - i b and a + i b */
FFT_INLINE FT(cv) FT(sub_ib)(FT(cv) a, FT(cv) b)
{
    FT(cv) y = {V_(add)(a.r, b.i), V_(sub)(a.i, b.r)};
    return y;
}

FFT_INLINE FT(cv) FT(add_ib)(FT(cv) a, FT(cv) b)
{
    FT(cv) y = {V_(sub)(a.r, b.i), V_(add)(a.i, b.r)};
    return y;
}

/* forward DFT of 4 points a[0], a[st], a[2st], a[3st], in place */
FFT_INLINE void FT(bf4)(FT(cv) *a, int st)
{
    const FT(cv) t0 = FT(cadd)(a[0], a[2 * st]), t1 = FT(csub)(a[0], a[2 * st]);
    const FT(cv) t2 = FT(cadd)(a[st], a[3 * st]), t3 = FT(csub)(a[st], a[3 * st]);
    a[0] = FT(cadd)(t0, t2);
    a[2 * st] = FT(csub)(t0, t2);
    a[st] = FT(sub_ib)(t1, t3);
    a[3 * st] = FT(add_ib)(t1, t3);
}

/* forward DFT of 8 points, in place: two of 4 (even and odd points) and
   the eighth roots of unity between them */
FFT_INLINE void FT(bf8)(FT(cv) *a)
{
    const V h = V_(set1)((T)0.707106781186547524400844362104849039L);
    FT(bf4)(a, 2);     /* a0 a2 a4 a6 -> E0..E3 at 0, 2, 4, 6 */
    FT(bf4)(a + 1, 2); /* a1 a3 a5 a7 -> O0..O3 at 1, 3, 5, 7 */
    const FT(cv) e0 = a[0], e1 = a[2], e2 = a[4], e3 = a[6];
    const FT(cv) o0 = a[1], o2 = a[5];
    /* O1 (1 - i)/sqrt2, O3 (-1 - i)/sqrt2 */
    const FT(cv) o1 = {V_(mul)(h, V_(add)(a[3].r, a[3].i)), V_(mul)(h, V_(sub)(a[3].i, a[3].r))};
    const FT(cv) o3 = {V_(mul)(h, V_(sub)(a[7].i, a[7].r)), V_(mul)(h, V_(sub)(V_(zero)(), V_(add)(a[7].r, a[7].i)))};
    a[0] = FT(cadd)(e0, o0);
    a[4] = FT(csub)(e0, o0);
    a[1] = FT(cadd)(e1, o1);
    a[5] = FT(csub)(e1, o1);
    a[2] = FT(sub_ib)(e2, o2); /* O2 (-i) */
    a[6] = FT(add_ib)(e2, o2);
    a[3] = FT(cadd)(e3, o3);
    a[7] = FT(csub)(e3, o3);
}

/* forward DFT of an odd number r of points, in place. Pairs j, r - j give
   t = a_j + a_{r-j}, u = a_j - a_{r-j}; then y_k = A - iB and
   y_{r-k} = A + iB with A = a_0 + sum cos(2 pi jk/r) t_j and
   B = sum sin(2 pi jk/r) u_j. cs holds cos, sin of 2 pi t / r. */
FFT_INLINE void FT(bf_odd_const)(const int r, FT(cv) *a, const V *cosv, const V *sinv)
{
    const int h = (r - 1) / 2;
    FT(cv) t[(FFT_MAX_RADIX + 1) / 2], u[(FFT_MAX_RADIX + 1) / 2];
    FT(cv) y0 = a[0];
    FFT_UNROLL
    for (int j = 1; j <= h; j++) {
        t[j] = FT(cadd)(a[j], a[r - j]);
        u[j] = FT(csub)(a[j], a[r - j]);
        y0 = FT(cadd)(y0, t[j]);
    }
    FFT_UNROLL
    for (int k = 1; k <= h; k++) {
        FT(cv) A = a[0];
        FT(cv) B = {V_(mul)(sinv[k], u[1].r), V_(mul)(sinv[k], u[1].i)};
        A.r = V_(fma)(cosv[k], t[1].r, A.r);
        A.i = V_(fma)(cosv[k], t[1].i, A.i);
        FFT_UNROLL
        for (int j = 2; j <= h; j++) {
            const int jk = (j * k) % r;
            A.r = V_(fma)(cosv[jk], t[j].r, A.r);
            A.i = V_(fma)(cosv[jk], t[j].i, A.i);
            B.r = V_(fma)(sinv[jk], u[j].r, B.r);
            B.i = V_(fma)(sinv[jk], u[j].i, B.i);
        }
        a[k] = FT(sub_ib)(A, B);
        a[r - k] = FT(add_ib)(A, B);
    }
    a[0] = y0;
}

/* the same for a radix known only at run time (not unrolled) */
FFT_INLINE void FT(bf_odd_any)(const int r, FT(cv) *a, const V *cosv, const V *sinv)
{
    const int h = (r - 1) / 2;
    FT(cv) t[(FFT_MAX_RADIX + 1) / 2], u[(FFT_MAX_RADIX + 1) / 2];
    FT(cv) y0 = a[0];
    for (int j = 1; j <= h; j++) {
        t[j] = FT(cadd)(a[j], a[r - j]);
        u[j] = FT(csub)(a[j], a[r - j]);
        y0 = FT(cadd)(y0, t[j]);
    }
    for (int k = 1; k <= h; k++) {
        FT(cv) A = a[0];
        FT(cv) B = {V_(mul)(sinv[k], u[1].r), V_(mul)(sinv[k], u[1].i)};
        A.r = V_(fma)(cosv[k], t[1].r, A.r);
        A.i = V_(fma)(cosv[k], t[1].i, A.i);
            for (int j = 2; j <= h; j++) {
            const int jk = (j * k) % r;
            A.r = V_(fma)(cosv[jk], t[j].r, A.r);
            A.i = V_(fma)(cosv[jk], t[j].i, A.i);
            B.r = V_(fma)(sinv[jk], u[j].r, B.r);
            B.i = V_(fma)(sinv[jk], u[j].i, B.i);
        }
        a[k] = FT(sub_ib)(A, B);
        a[r - k] = FT(add_ib)(A, B);
    }
    a[0] = y0;
}

/* forward DFT of 16 points, in place, as 4 x 4: DFTs of 4 down the
   columns (points n2, n2 + 4, ...), twiddles w16^{n2 k1}, DFTs of 4 along
   the rows; the result, X[k1 + 4 k2] at 4 k1 + k2, transposed back */
FFT_INLINE void FT(bf16)(FT(cv) *a)
{
    /* w16^t = cos(pi t/8) - i sin(pi t/8) for t = 1, 2, 3, 4, 6, 9 */
    const V c1 = V_(set1)((T)0.923879532511286756128183189396788933L);
    const V s1 = V_(set1)((T)0.382683432365089771728459984030398866L);
    const V h = V_(set1)((T)0.707106781186547524400844362104849039L);
    const V zero = V_(zero)();
    FFT_UNROLL
    for (int n2 = 0; n2 < 4; n2++) {
        FT(bf4)(a + n2, 4);
    }
    /* a[n2 + 4 k1] *= w16^{n2 k1} */
    a[5] = FT(cmul)(a[5], c1, V_(sub)(zero, s1));       /* t = 1 */
    a[9] = FT(cmul)(a[9], h, V_(sub)(zero, h));         /* 2 */
    a[13] = FT(cmul)(a[13], s1, V_(sub)(zero, c1));     /* 3 */
    a[6] = FT(cmul)(a[6], h, V_(sub)(zero, h));         /* 2 */
    {
        const FT(cv) t = a[10]; /* 4: -i */
        a[10].r = t.i;
        a[10].i = V_(sub)(zero, t.r);
    }
    a[14] = FT(cmul)(a[14], V_(sub)(zero, h), V_(sub)(zero, h)); /* 6 */
    a[7] = FT(cmul)(a[7], s1, V_(sub)(zero, c1));       /* 3 */
    a[11] = FT(cmul)(a[11], V_(sub)(zero, h), V_(sub)(zero, h)); /* 6 */
    a[15] = FT(cmul)(a[15], V_(sub)(zero, c1), s1);     /* 9 */
    FFT_UNROLL
    for (int k1 = 0; k1 < 4; k1++) {
        FT(bf4)(a + 4 * k1, 1);
    }
    FT(cv) y[16];
    FFT_UNROLL
    for (int k1 = 0; k1 < 4; k1++) {
        FFT_UNROLL
        for (int k2 = 0; k2 < 4; k2++) {
            y[k1 + 4 * k2] = a[4 * k1 + k2];
        }
    }
    FFT_UNROLL
    for (int k = 0; k < 16; k++) {
        a[k] = y[k];
    }
}

FFT_INLINE void FT(butterfly)(const int r, FT(cv) *a, const V *cosv, const V *sinv)
{
    if (r == 2) {
        const FT(cv) a0 = a[0];
        a[0] = FT(cadd)(a0, a[1]);
        a[1] = FT(csub)(a0, a[1]);
    } else if (r == 4) {
        FT(bf4)(a, 1);
    } else if (r == 8) {
        FT(bf8)(a);
    } else if (r == 16) {
        FT(bf16)(a);
    } else if (r <= 7) {
        FT(bf_odd_const)(r, a, cosv, sinv);
    } else {
        FT(bf_odd_any)(r, a, cosv, sinv);
    }
}

/* ---------------- the core: forward complex transform, split format ---------------- */

/* One Stockham pass of radix r over a transform of n = r m s points
   (s: the product of the earlier radices, times the batch lanes):
     y[q + s (r p + j)] = w^{jp} sum_k x[q + s (p + k m)] e^{-2 pi i jk/r}
   for p < m, q < s, w = e^{-2 pi i/(r m)}; tw holds w^{jp} at
   (j - 1) m + p, cs the cos and sin of 2 pi t / r (odd r). */
typedef struct FT(pass) {
    int radix;
    ptrdiff_t m, s;
    const T *twr, *twi, *cs;
} FT(pass);

typedef struct FT(core) {
    ptrdiff_t n;
    int npass;
    FT(pass) pass[FFT_MAX_PASSES];
    /* Bluestein (n has a prime factor above FFT_MAX_RADIX): the
       convolution's length-M core, the chirp e^{-pi i k^2/n} (k < n) and
       the transformed, 1/M-scaled kernel conj(chirp) (M values) */
    struct FT(core) *conv;
    ptrdiff_t M;
    const T *chirp_r, *chirp_i, *kern_r, *kern_i;
    void *mem;
    size_t bytes;
} FT(core);


/* Loads and stores of `cnt` lanes at element stride `es` (1 inside the
   scratch; the caller's layout for the fused first and last passes) */
FFT_INLINE V FT(ld)(const int cnt, const T *p, ptrdiff_t es)
{
    if (es == 1) {
        return cnt == LANES ? V_(loadu)(p) : V_(loadn)(p, cnt);
    }
    if (cnt == LANES) {
        return V_(loads)(p, es);
    }
    /* lane by lane, as the full vector's strided load (AVX-512's masked
       gathers cost more) */
    _Alignas(FFT_ALIGN) T lanes[LANES] = {0};
    for (int k = 0; k < cnt; k++) {
        lanes[k] = p[k * es];
    }
    return V_(load)(lanes);
}

FFT_INLINE void FT(st)(const int cnt, T *p, ptrdiff_t es, V x)
{
    if (es == 1) {
        if (cnt == LANES) {
            V_(storeu)(p, x);
        } else {
            V_(storen)(p, cnt, x);
        }
    } else if (cnt == LANES) {
        V_(stores)(p, es, x);
    } else {
        /* lane by lane, as the full vector's strided store: a layer's
           masked scatter (AVX-512's) cost float32 n = 64 a third of its
           time */
        _Alignas(FFT_ALIGN) T lanes[LANES];
        V_(storeu)(lanes, x);
        for (int k = 0; k < cnt; k++) {
            p[k * es] = lanes[k];
        }
    }
}

/* Complex lanes from re at pr and im at pi, `cnt` lanes `es` apart, and
   back: where the lanes are whole interleaved pairs (the caller's
   contiguous complex array, read by the first pass and written by the
   last: es = 2, re and im one element apart, in either order) by the
   layer's load2/store2, two contiguous moves and a shuffle, where the
   strided ops would move lane by lane */
FFT_INLINE int FT(paired)(const int cnt, const T *pr, const T *pi, ptrdiff_t es)
{
#ifdef SIMD_HAVE_LOAD2
    const uintptr_t a = (uintptr_t)pr, b = (uintptr_t)pi;
    (void)cnt;
    return LANES > 1 && es == 2 ? (b == a + sizeof(T) ? 1 : a == b + sizeof(T) ? -1 : 0) : 0;
#else
    (void)cnt, (void)pr, (void)pi, (void)es;
    return 0;
#endif
}

FFT_INLINE FT(cv) FT(ldc)(const int cnt, const T *pr, const T *pi, ptrdiff_t es)
{
    FT(cv) a;
#ifdef SIMD_HAVE_LOAD2
    const int pair = FT(paired)(cnt, pr, pi, es);
    if (pair != 0) {
        const T *p = pair > 0 ? pr : pi;
        V u, v;
        if (cnt == LANES) {
            V_(load2)(p, &u, &v);
        } else {
            /* the 2 cnt elements into a zeroed block, whole vectors out
               of it (each load the size of the store before it) */
            _Alignas(FFT_ALIGN) T blk[2 * LANES];
            const int lo = 2 * cnt < LANES ? 2 * cnt : LANES;
            V_(store)(blk, V_(loadn)(p, lo));
            V_(store)(blk + LANES, V_(loadn)(p + LANES, 2 * cnt - lo));
            V_(load2)(blk, &u, &v);
        }
        a.r = pair > 0 ? u : v;
        a.i = pair > 0 ? v : u;
        return a;
    }
#endif
    a.r = FT(ld)(cnt, pr, es);
    a.i = FT(ld)(cnt, pi, es);
    return a;
}

FFT_INLINE void FT(stc)(const int cnt, T *pr, T *pi, ptrdiff_t es, FT(cv) a)
{
#ifdef SIMD_HAVE_LOAD2
    const int pair = FT(paired)(cnt, pr, pi, es);
    if (pair != 0) {
        T *p = pair > 0 ? pr : pi;
        const V u = pair > 0 ? a.r : a.i, v = pair > 0 ? a.i : a.r;
        if (cnt == LANES) {
            V_(store2)(p, u, v);
        } else {
            _Alignas(FFT_ALIGN) T blk[2 * LANES];
            const int lo = 2 * cnt < LANES ? 2 * cnt : LANES;
            V_(store2)(blk, u, v);
            V_(storen)(p, lo, V_(load)(blk));
            V_(storen)(p + LANES, 2 * cnt - lo, V_(load)(blk + LANES));
        }
        return;
    }
#endif
    FT(st)(cnt, pr, es, a.r);
    FT(st)(cnt, pi, es, a.i);
}

/* r butterflies' inputs from lanes (x + k sm xs) (`cnt` lanes valid, xs
   apart), outputs to (y + j s ys), times *sc if sc */
FFT_INLINE void FT(pass_q)(const int r, const int cnt, const T *xr, const T *xi, ptrdiff_t sm,
                           ptrdiff_t xs, T *yr, T *yi, ptrdiff_t s, ptrdiff_t ys, const V *sc,
                           const T *twr, const T *twi, ptrdiff_t m, const V *cosv, const V *sinv)
{
    FT(cv) a[FFT_MAX_RADIX];
    FFT_UNROLL
    for (int k = 0; k < r; k++) {
        a[k] = FT(ldc)(cnt, xr + k * sm * xs, xi + k * sm * xs, xs);
    }
    FT(butterfly)(r, a, cosv, sinv);
    FFT_UNROLL
    for (int j = 0; j < r; j++) {
        if (j > 0 && twr != NULL) {
            a[j] = FT(cmul)(a[j], V_(set1)(twr[(j - 1) * m]), V_(set1)(twi[(j - 1) * m]));
        }
        if (sc) {
            a[j].r = V_(mul)(a[j].r, *sc);
            a[j].i = V_(mul)(a[j].i, *sc);
        }
        FT(stc)(cnt, yr + j * s * ys, yi + j * s * ys, ys, a[j]);
    }
}

/* `cnt` butterflies p, p+1, ... of one q, one per lane: inputs strided by
   s xs, outputs by r s ys, twiddles contiguous in p */
FFT_INLINE void FT(pass_p)(const int r, const int cnt, const T *xr, const T *xi, ptrdiff_t s,
                           ptrdiff_t sm, ptrdiff_t xs, T *yr, T *yi, ptrdiff_t ys, const V *sc,
                           const T *twr, const T *twi, ptrdiff_t m, const V *cosv, const V *sinv)
{
    FT(cv) a[FFT_MAX_RADIX];
    FFT_UNROLL
    for (int k = 0; k < r; k++) {
        a[k] = FT(ldc)(cnt, xr + k * sm * xs, xi + k * sm * xs, s * xs);
    }
    FT(butterfly)(r, a, cosv, sinv);
    FFT_UNROLL
    for (int j = 0; j < r; j++) {
        if (j > 0) {
            const V wr = cnt == LANES ? V_(loadu)(twr + (j - 1) * m) : V_(loadn)(twr + (j - 1) * m, cnt);
            const V wi = cnt == LANES ? V_(loadu)(twi + (j - 1) * m) : V_(loadn)(twi + (j - 1) * m, cnt);
            a[j] = FT(cmul)(a[j], wr, wi);
        }
        if (sc) {
            a[j].r = V_(mul)(a[j].r, *sc);
            a[j].i = V_(mul)(a[j].i, *sc);
        }
        FT(st)(cnt, yr + j * s * ys, r * s * ys, a[j].r);
        FT(st)(cnt, yi + j * s * ys, r * s * ys, a[j].i);
    }
}

/* A pass's orientation: along q (contiguous lanes, one twiddle per
   vector, ceil(s/LANES) vectors per p) or across p (ceil(m/LANES) vectors
   per q, the loads strided unless s xs = 1, the stores always strided).
   A strided load or store is a lane-by-lane op (a gather or scatter where
   the ISA has one), so its cost grows with the lanes: 2 r LANES scalar
   moves for a pass's vector of strided loads (or stores) against about
   10 r ops of butterfly and contiguous moves: LANES/5 of a butterfly. Along q
   wins where s >= LANES; where s < LANES it loses lanes (s of LANES
   used), across p loses lanes where m < LANES and pays the strides: on
   16 lanes (float32 AVX-512) a pass with s = 8, m = 1 (n = 64's second
   pass) across p ran 8 single-lane butterflies of masked gathers and
   scatters, 5x slower than AVX2's one contiguous pass (issue 21). The
   partial contiguous moves along q (s < LANES here) are masked moves or
   element moves, LANES/5 of a butterfly (LANES/10 where the layer has
   AVX-512's cheap masked moves: float32 r2c 10000's s = 8 pass was 1.4x
   slower across p at LANES/5); AVX2's vmaskmov stores made
   Bluestein's 2025 = 3^4 5^2 (s = 3) 1.4x slower along q than across p,
   and float32 c2c 10000's s = 4 pass (radix 4x4x5x5x5x5) slower than
   SSE2's whole vectors. */
#ifndef FFT_PARTIAL_COST
#if VF64_LANES >= 8
#define FFT_PARTIAL_COST (LANES / 2)
#else
#define FFT_PARTIAL_COST LANES
#endif
#endif
FFT_INLINE int FT(along_q)(ptrdiff_t m, ptrdiff_t s, ptrdiff_t xs, ptrdiff_t ys, int pin, int pout)
{
    if (s >= LANES) {
        return 1;
    }
    /* strided: loads and stores of lanes not next to each other, nor
       whole complex pairs (pin, pout: the caller's array) */
    const int q_in = xs != 1 && !pin, q_out = ys != 1 && !pout, p_in = s * xs != 1 && !(s == 1 && pin);
    const ptrdiff_t q_calls = m, p_calls = s * ((m + LANES - 1) / LANES);
    /* costs in fifths of a butterfly */
    const ptrdiff_t q_cost = q_calls * (5 + FFT_PARTIAL_COST + LANES * (q_in + q_out));
    const ptrdiff_t p_cost = p_calls * (5 + LANES * (p_in + 1));
    return q_cost <= p_cost;
}

/* one pass from x (element j at j xs) to y (at j ys), times *sc if sc */
FFT_INLINE void FT(pass_body)(const int r, const FT(pass) *ps, ptrdiff_t nb, const T *xr,
                              const T *xi, ptrdiff_t xs, T *yr, T *yi, ptrdiff_t ys,
                              const V *sc)
{
    const ptrdiff_t m = ps->m, s = ps->s * nb, sm = s * m;
    V cosv[FFT_MAX_RADIX], sinv[FFT_MAX_RADIX];
    if (r & 1) {
        FFT_UNROLL
        for (int t = 0; t < r; t++) {
            cosv[t] = V_(set1)(ps->cs[t]);
            sinv[t] = V_(set1)(ps->cs[r + t]);
        }
    }
    if (FT(along_q)(m, s, xs, ys, FT(paired)(LANES, xr, xi, xs) != 0, FT(paired)(LANES, yr, yi, ys) != 0)) {
        /* along q: contiguous loads and stores, one twiddle per vector */
        for (ptrdiff_t p = 0; p < m; p++) {
            const T *x0r = xr + s * p * xs, *x0i = xi + s * p * xs;
            T *y0r = yr + s * r * p * ys, *y0i = yi + s * r * p * ys;
            const T *w_r = p ? ps->twr + p : NULL, *w_i = p ? ps->twi + p : NULL; /* w^0 = 1 */
            ptrdiff_t q = 0;
            for (; q + LANES <= s; q += LANES) {
                FT(pass_q)(r, LANES, x0r + q * xs, x0i + q * xs, sm, xs, y0r + q * ys, y0i + q * ys, s, ys, sc, w_r,
                           w_i, m, cosv, sinv);
            }
            if (q < s) {
                FT(pass_q)(r, (int)(s - q), x0r + q * xs, x0i + q * xs, sm, xs, y0r + q * ys, y0i + q * ys, s, ys,
                           sc, w_r, w_i, m, cosv, sinv);
            }
        }
    } else {
        /* across p: where s is narrower than a vector (the first pass,
           and where along_q found the strides cheaper than idle lanes) */
        for (ptrdiff_t q = 0; q < s; q++) {
            ptrdiff_t p = 0;
            for (; p + LANES <= m; p += LANES) {
                FT(pass_p)(r, LANES, xr + (q + s * p) * xs, xi + (q + s * p) * xs, s, sm, xs,
                           yr + (q + s * r * p) * ys, yi + (q + s * r * p) * ys, ys, sc, ps->twr + p, ps->twi + p,
                           m, cosv, sinv);
            }
            if (p < m) {
                FT(pass_p)(r, (int)(m - p), xr + (q + s * p) * xs, xi + (q + s * p) * xs, s, sm, xs,
                           yr + (q + s * r * p) * ys, yi + (q + s * r * p) * ys, ys, sc, ps->twr + p, ps->twi + p,
                           m, cosv, sinv);
            }
        }
    }
}

/* one function per radix, each with its butterfly unrolled: inside the
   scratch, and (_io) from or to the caller's layout */
#define FFT_PASS_FN_(r)                                                                                       \
    FFT_NOINLINE void FT(pass##r)(const FT(pass) *ps, ptrdiff_t nb, const T *xr, const T *xi, T *yr, T *yi) \
    {                                                                                                         \
        FT(pass_body)(r, ps, nb, xr, xi, 1, yr, yi, 1, NULL);                                                 \
    }                                                                                                         \
    FFT_NOINLINE void FT(pass##r##_io)(const FT(pass) *ps, const T *xr, const T *xi, ptrdiff_t xs, T *yr,     \
                                       T *yi, ptrdiff_t ys, const V *sc)                                      \
    {                                                                                                         \
        FT(pass_body)(r, ps, 1, xr, xi, xs, yr, yi, ys, sc);                                                  \
    }
FFT_PASS_FN_(2)
FFT_PASS_FN_(3)
FFT_PASS_FN_(4)
FFT_PASS_FN_(5)
FFT_PASS_FN_(7)
FFT_PASS_FN_(8)
#if FFT_RADIX16
FFT_PASS_FN_(16)
#endif
#undef FFT_PASS_FN_

FFT_NOINLINE void FT(pass_odd)(const FT(pass) *ps, ptrdiff_t nb, const T *xr, const T *xi, T *yr, T *yi)
{
    /* the bounds fft_factor keeps (radices 11 and up come here), stated
       for the compiler */
    const int r = ps->radix < 11 ? 11 : ps->radix > FFT_MAX_RADIX ? FFT_MAX_RADIX : ps->radix | 1;
    FT(pass_body)(r, ps, nb, xr, xi, 1, yr, yi, 1, NULL);
}

/* the radices with a pass on the caller's layout (_io): the generic odd
   ones (11 ... FFT_MAX_RADIX, rare) have none, which keeps two of the
   file's largest functions (a third of the generic pass's code each) out
   of the build: their lengths gather into the scratch instead */
static int FT(io_radix)(int r)
{
    return r <= 8 || r == 16;
}

static void FT(pass_run_io)(const FT(pass) *ps, const T *xr, const T *xi, ptrdiff_t xs, T *yr, T *yi, ptrdiff_t ys,
                            const V *sc)
{
    switch (ps->radix) {
    case 2: FT(pass2_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
    case 3: FT(pass3_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
    case 4: FT(pass4_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
    case 5: FT(pass5_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
    case 7: FT(pass7_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
    case 8: FT(pass8_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
#if FFT_RADIX16
    case 16: FT(pass16_io)(ps, xr, xi, xs, yr, yi, ys, sc); break;
#endif
    default: break; /* not an io_radix: never asked for */
    }
}

static void FT(pass_run)(const FT(pass) *ps, ptrdiff_t nb, const T *xr, const T *xi, T *yr, T *yi)
{
    switch (ps->radix) {
    case 2: FT(pass2)(ps, nb, xr, xi, yr, yi); break;
    case 3: FT(pass3)(ps, nb, xr, xi, yr, yi); break;
    case 4: FT(pass4)(ps, nb, xr, xi, yr, yi); break;
    case 5: FT(pass5)(ps, nb, xr, xi, yr, yi); break;
    case 7: FT(pass7)(ps, nb, xr, xi, yr, yi); break;
    case 8: FT(pass8)(ps, nb, xr, xi, yr, yi); break;
#if FFT_RADIX16
    case 16: FT(pass16)(ps, nb, xr, xi, yr, yi); break;
#endif
    default: FT(pass_odd)(ps, nb, xr, xi, yr, yi); break;
    }
}

/* Elementwise complex products over the batch layout (element j of lane l
   at j nb + l, nb 1 or a multiple of LANES):
     y_j = (conj_in ? conj(x_j) : x_j) * f_j   for j < n */
FFT_INLINE void FT(mul_points)(const int conj_in, ptrdiff_t n, ptrdiff_t nb, const T *xr, const T *xi,
                               const T *fr, const T *fi, T *yr, T *yi)
{
    if (nb == 1) {
        ptrdiff_t j = 0;
        for (; j < n; j += LANES) {
            const ptrdiff_t cnt = n - j < LANES ? n - j : LANES;
            FT(cv) x = {V_(loadn)(xr + j, cnt), V_(loadn)(xi + j, cnt)};
            if (conj_in) {
                x.i = V_(sub)(V_(zero)(), x.i);
            }
            const FT(cv) y = FT(cmul)(x, V_(loadn)(fr + j, cnt), V_(loadn)(fi + j, cnt));
            V_(storen)(yr + j, cnt, y.r);
            V_(storen)(yi + j, cnt, y.i);
        }
        return;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        const V wr = V_(set1)(fr[j]), wi = V_(set1)(fi[j]);
        for (ptrdiff_t l = j * nb; l < (j + 1) * nb; l += LANES) {
            FT(cv) x = {V_(loadu)(xr + l), V_(loadu)(xi + l)};
            if (conj_in) {
                x.i = V_(sub)(V_(zero)(), x.i);
            }
            const FT(cv) y = FT(cmul)(x, wr, wi);
            V_(storeu)(yr + l, y.r);
            V_(storeu)(yi + l, y.i);
        }
    }
}

/* T elements of scratch a core's run needs beyond its two buffers, per
   batch lane */
static size_t FT(core_work)(const FT(core) *c)
{
    return c->conv ? 4 * fft_padded((size_t)c->M, sizeof(T)) + FT(core_work)(c->conv) : 0;
}

static int FT(core_run)(const FT(core) *c, ptrdiff_t nb, T *ar, T *ai, T *br, T *bi, T *work);

/* Bluestein: y_k = c_k sum_j (x_j c_j) conj(c_{k-j}), c_k = e^{-pi i k^2/n}:
   the convolution is conj(F(conj(F(u) K))) with K = F(conj c)/M, and
   conj(F(conj z)) = swap(F(swap z)). The input is in a, the output goes
   to b (returns 1). */
static int FT(bluestein_run)(const FT(core) *c, ptrdiff_t nb, T *ar, T *ai, T *br, T *bi, T *work)
{
    const ptrdiff_t n = c->n, M = c->M;
    const size_t mp = fft_padded((size_t)M, sizeof(T)) * (size_t)nb;
    T *ur = work, *ui = work + mp, *vr = work + 2 * mp, *vi = work + 3 * mp;
    FT(mul_points)(0, n, nb, ar, ai, c->chirp_r, c->chirp_i, ur, ui);
    memset(ur + n * nb, 0, (size_t)((M - n) * nb) * sizeof(T));
    memset(ui + n * nb, 0, (size_t)((M - n) * nb) * sizeof(T));
    T *fr = ur, *fi = ui, *gr = vr, *gi = vi;
    T *more = work + 4 * mp;
    if (FT(core_run)(c->conv, nb, ur, ui, vr, vi, more)) {
        fr = vr, fi = vi, gr = ur, gi = ui;
    }
    FT(mul_points)(0, M, nb, fr, fi, c->kern_r, c->kern_i, fr, fi);
    /* the inverse transform: the core on the swapped arrays; read swapped
       again, the inverse is in (f) if the core left it in place, else (g) */
    if (FT(core_run)(c->conv, nb, fi, fr, gi, gr, more)) {
        fr = gr, fi = gi;
    }
    FT(mul_points)(0, n, nb, fr, fi, c->chirp_r, c->chirp_i, br, bi);
    return 1;
}

/* runs the forward transform of the batch in (a); the result is in (a) if
   it returns 0, in (b) if 1 */
static int FT(core_run)(const FT(core) *c, ptrdiff_t nb, T *ar, T *ai, T *br, T *bi, T *work)
{
    if (c->conv) {
        return FT(bluestein_run)(c, nb, ar, ai, br, bi, work);
    }
    int in_b = 0;
    for (int i = 0; i < c->npass; i++) {
        if (in_b) {
            FT(pass_run)(&c->pass[i], nb, br, bi, ar, ai);
        } else {
            FT(pass_run)(&c->pass[i], nb, ar, ai, br, bi);
        }
        in_b ^= 1;
    }
    return in_b;
}

static void FT(core_free)(FT(core) *c)
{
    if (c->conv) {
        FT(core_free)(c->conv);
        free(c->conv);
        c->conv = NULL;
    }
    fft_free(c->mem);
    c->mem = NULL;
}

static int FT(core_init)(FT(core) *c, ptrdiff_t n, char *desc);

#if FFT_PASS == 1
/* Bluestein's kernel F(conj c)/M in float64 (the float32 plans round it
   from this too): conj c_t at t and M - t, from the roots of 2n */
static int fft_d_bluestein_kernel(ptrdiff_t n, ptrdiff_t M, const fft_roots *g2n, double *kr, double *ki)
{
    fft_d_core conv;
    char desc[FFT_DESC] = "";
    int status = fft_d_core_init(&conv, M, desc);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    double *buf = (double *)fft_alloc((4 * (size_t)M + fft_d_core_work(&conv)) * sizeof(double));
    if (buf == NULL) {
        fft_d_core_free(&conv);
        return HOSTLIB_FFT_ENOMEM;
    }
    double *ar = buf, *ai = buf + M, *br = buf + 2 * M, *bi = buf + 3 * M;
    memset(buf, 0, 2 * (size_t)M * sizeof(double));
    uint64_t sq = 0; /* t^2 mod 2n, by (t+1)^2 = t^2 + 2t + 1 */
    for (ptrdiff_t t = 0; t < n; t++) {
        long double cr, ci;
        fft_roots_get(g2n, (int64_t)sq, &cr, &ci); /* e^{+pi i t^2/n} */
        ar[t] = (double)cr;
        ai[t] = (double)ci;
        if (t > 0) {
            ar[M - t] = (double)cr;
            ai[M - t] = (double)ci;
        }
        sq = (sq + 2 * (uint64_t)t + 1) % (2 * (uint64_t)n);
    }
    const int in_b = fft_d_core_run(&conv, 1, ar, ai, br, bi, buf + 4 * M);
    const double *fr = in_b ? br : ar, *fi = in_b ? bi : ai;
    const double inv = 1.0 / (double)M;
    for (ptrdiff_t t = 0; t < M; t++) {
        kr[t] = fr[t] * inv;
        ki[t] = fi[t] * inv;
    }
    fft_free(buf);
    fft_d_core_free(&conv);
    return HOSTLIB_FFT_OK;
}
#endif

static int FT(bluestein_init)(FT(core) *c, ptrdiff_t n, char *desc)
{
    const ptrdiff_t M = fft_bluestein_size(n, sizeof(T));
    c->M = M;
    c->conv = (FT(core) *)calloc(1, sizeof(FT(core)));
    if (c->conv == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    fft_append(desc, "Bluestein via ");
    fft_append_int(desc, M);
    fft_append(desc, ", ");
    int status = FT(core_init)(c->conv, M, desc);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    const size_t np = fft_padded((size_t)n, sizeof(T)), mp = fft_padded((size_t)M, sizeof(T));
    c->bytes = (2 * np + 2 * mp) * sizeof(T) + c->conv->bytes + sizeof(FT(core));
    T *mem = (T *)fft_alloc((2 * np + 2 * mp) * sizeof(T));
    if (mem == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    c->mem = mem;
    T *chr = mem, *chi = mem + np, *kr = mem + 2 * np, *ki = mem + 2 * np + mp;
    fft_roots g;
    if (fft_roots_init(&g, 2 * (int64_t)n) != 0) {
        return HOSTLIB_FFT_ENOMEM;
    }
    uint64_t sq = 0;
    for (ptrdiff_t k = 0; k < n; k++) {
        long double cr, ci;
        fft_roots_get(&g, (int64_t)sq, &cr, &ci);
        chr[k] = (T)cr;
        chi[k] = (T)-ci;
        sq = (sq + 2 * (uint64_t)k + 1) % (2 * (uint64_t)n);
    }
#if FFT_PASS == 1
    status = fft_d_bluestein_kernel(n, M, &g, kr, ki);
#else
    double *dk = (double *)fft_alloc(2 * (size_t)M * sizeof(double));
    status = dk == NULL ? HOSTLIB_FFT_ENOMEM : fft_d_bluestein_kernel(n, M, &g, dk, dk + M);
    if (status == HOSTLIB_FFT_OK) {
        for (ptrdiff_t t = 0; t < M; t++) {
            kr[t] = (T)dk[t];
            ki[t] = (T)dk[M + t];
        }
    }
    fft_free(dk);
#endif
    fft_roots_free(&g);
    c->chirp_r = chr;
    c->chirp_i = chi;
    c->kern_r = kr;
    c->kern_i = ki;
    return status;
}

/* plans the forward transform of length n: the passes and their twiddles,
   or Bluestein; appends "radix 8x8x4" or "Bluestein via M, radix ..." to
   desc. On failure the caller frees with core_free. */
static int FT(core_init)(FT(core) *c, ptrdiff_t n, char *desc)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    int radix[FFT_MAX_PASSES];
    const int np = fft_factor(n, sizeof(T), radix);
    if (np < 0) {
        return FT(bluestein_init)(c, n, desc);
    }
    c->npass = np;
    size_t total = 0;
    {
        ptrdiff_t rem = n;
        for (int i = 0; i < np; i++) {
            rem /= radix[i];
            total += 2 * fft_padded((size_t)((radix[i] - 1) * rem), sizeof(T)) + fft_padded(2 * (size_t)radix[i], sizeof(T));
        }
    }
    T *mem = (T *)fft_alloc(total * sizeof(T) + 1);
    if (mem == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    c->mem = mem;
    c->bytes = total * sizeof(T);
    fft_roots g;
    if (np > 0 && fft_roots_init(&g, n) != 0) {
        return HOSTLIB_FFT_ENOMEM;
    }
    ptrdiff_t s = 1, rem = n;
    for (int i = 0; i < np; i++) {
        const int r = radix[i];
        const ptrdiff_t m = rem / r;
        FT(pass) *ps = &c->pass[i];
        const size_t tp = fft_padded((size_t)((r - 1) * m), sizeof(T));
        T *twr = mem, *twi = mem + tp, *cs = mem + 2 * tp;
        mem += 2 * tp + fft_padded(2 * (size_t)r, sizeof(T));
        for (int j = 1; j < r; j++) {
            for (ptrdiff_t p = 0; p < m; p++) {
                long double wc, ws;
                fft_roots_get(&g, (int64_t)j * p * s, &wc, &ws);
                twr[(j - 1) * m + p] = (T)wc;
                twi[(j - 1) * m + p] = (T)-ws;
            }
        }
        for (int t = 0; t < r; t++) {
            long double rc, rs;
            fft_root(r, t, &rc, &rs);
            cs[t] = (T)rc;
            cs[r + t] = (T)rs;
        }
        ps->radix = r;
        ps->m = m;
        ps->s = s;
        ps->twr = twr;
        ps->twi = twi;
        ps->cs = cs;
        s *= r;
        rem = m;
    }
    if (np > 0) {
        fft_roots_free(&g);
    }
    fft_append_radices(desc, radix, np);
    return HOSTLIB_FFT_OK;
}

/* ---------------- four steps, for large lengths ---------------- */

/* A Stockham pass streams the whole array; past the caches each of the
   log_16 n passes costs a trip to memory. Four steps (Bailey's) cut
   n = n1 n2 into transforms that fit in cache, with j = j1 n2 + j2 and
   k = k1 + n1 k2:
     1. columns: for each j2, Y[k1, j2] = sum_j1 x[j1 n2 + j2] w_n1^{j1 k1}
        (n2 transforms of length n1, B columns at a time, one per lane:
        the batch layout of the core, gathered from the caller's array);
     2. twiddles: Y[k1, j2] *= w_n^{k1 j2}, as the column block leaves for
        Z (n1 rows of n2, split re and im, rows padded so that B rows at
        once do not share cache sets);
     3. rows: for each k1, X[k1 + n1 k2] = sum_j2 Y[k1, j2] w_n2^{j2 k2}
        (B rows at a time, one per lane, out of Z; the lane layout of the
        result is B consecutive outputs: the transposition is the scatter).
   Column blocks and row blocks are independent: each step is split over
   hostlib's pool. w_n^{k1 j2} for j2 = b B + l is w_n^{k1 b B} (one value
   per block and row, tb) times w_n^{k1 l} (a vector, tl): both tables
   rounded once from the exact roots, their product a few ulps. */
typedef struct FT(four) {
    ptrdiff_t n, n1, n2, zs; /* zs: Z's row stride */
    ptrdiff_t nbc, nbr;      /* column blocks (of n2), row blocks (of n1) */
    FT(core) c1, c2;         /* lengths n1, n2: direct passes */
    T *tlr, *tli;            /* w_n^{k1 l} at k1 B + l */
    T *tbr, *tbi;            /* w_n^{k1 b B} at b n1 + k1 */
    void *mem;
    size_t bytes;
} FT(four);

/* columns (and rows) per block: whole vectors, and at least two cache
   lines of each row of the caller's interleaved array */
#define FS_B (LANES > 128 / (2 * (int)sizeof(T)) ? LANES : 128 / (2 * (int)sizeof(T)))

static void FT(four_free)(FT(four) *f)
{
    if (f == NULL) {
        return;
    }
    FT(core_free)(&f->c1);
    FT(core_free)(&f->c2);
    fft_free(f->mem);
    free(f);
}

/* n = n1 n2 with n1 the largest divisor of n not above sqrt(n): 0 if the
   split is too uneven to pay (n1 < 16), or a factor has no passes */
static ptrdiff_t FT(four_split)(ptrdiff_t n)
{
    ptrdiff_t n1 = 1;
    for (ptrdiff_t d = 2; d * d <= n; d++) {
        if (n % d == 0) {
            n1 = d;
        }
    }
    int radix[FFT_MAX_PASSES];
    if (n1 < 16 || fft_factor(n, sizeof(T), radix) < 0) {
        return 0;
    }
    return n1;
}

static int FT(four_init)(FT(four) **out, ptrdiff_t n, ptrdiff_t n1, char *desc)
{
    FT(four) *f = (FT(four) *)calloc(1, sizeof(FT(four)));
    *out = f;
    if (f == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    const ptrdiff_t B = FS_B, n2 = n / n1;
    f->n = n;
    f->n1 = n1;
    f->n2 = n2;
    f->nbc = (n2 + B - 1) / B;
    f->nbr = (n1 + B - 1) / B;
    /* whole blocks, and one cache line more: rows B apart in different sets */
    f->zs = f->nbc * B + FFT_ALIGN / (ptrdiff_t)sizeof(T);
    fft_append(desc, "four-step ");
    fft_append_int(desc, n1);
    fft_append(desc, " x ");
    fft_append_int(desc, n2);
    fft_append(desc, " (");
    int status = FT(core_init)(&f->c1, n1, desc);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    fft_append(desc, ", ");
    if ((status = FT(core_init)(&f->c2, n2, desc)) != HOSTLIB_FFT_OK) {
        return status;
    }
    fft_append(desc, ")");
    const size_t lp = fft_padded((size_t)(n1 * B), sizeof(T)), bp = fft_padded((size_t)(f->nbc * n1), sizeof(T));
    T *mem = (T *)fft_alloc((2 * lp + 2 * bp) * sizeof(T));
    if (mem == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    f->mem = mem;
    f->bytes = sizeof(FT(four)) + f->c1.bytes + f->c2.bytes + (2 * lp + 2 * bp) * sizeof(T);
    f->tlr = mem;
    f->tli = mem + lp;
    f->tbr = mem + 2 * lp;
    f->tbi = mem + 2 * lp + bp;
    fft_roots g;
    if (fft_roots_init(&g, n) != 0) {
        return HOSTLIB_FFT_ENOMEM;
    }
    for (ptrdiff_t k1 = 0; k1 < n1; k1++) {
        for (ptrdiff_t l = 0; l < B; l++) {
            long double wc, ws;
            fft_roots_get(&g, (int64_t)((k1 * l) % n), &wc, &ws);
            f->tlr[k1 * B + l] = (T)wc;
            f->tli[k1 * B + l] = (T)-ws;
        }
        for (ptrdiff_t b = 0; b < f->nbc; b++) {
            long double wc, ws;
            fft_roots_get(&g, (int64_t)((k1 * b * B) % n), &wc, &ws);
            f->tbr[b * n1 + k1] = (T)wc;
            f->tbi[b * n1 + k1] = (T)-ws;
        }
    }
    fft_roots_free(&g);
    return HOSTLIB_FFT_OK;
}

/* ---------------- plans ---------------- */

/* a scratch buffer the plan keeps between executes, taken by one at a time */
typedef struct FT(slot) {
    atomic_int busy;
    T *p;
    size_t elems;
} FT(slot);

typedef struct FT(plan) {
    hostlib_fft_plan head;
    FT(core) core;    /* length n (c2c, odd real n) or n/2 (even real n), unless four */
    FT(four) *four;   /* large lengths: four steps over the same n or n/2 */
    int direct;       /* four and the direct passes (core): these on one thread */
    T *rtw_r, *rtw_i; /* even real n: e^{-2 pi i k/n}, k < n/2 */
    FT(slot) slot[FFT_SLOTS];
    char desc[FFT_DESC];
} FT(plan);

/* an execute's scratch: the stack when it fits; else a slot of the plan
   (kept: a fresh buffer per call costs its page faults, ~10% at 2^20);
   else, every slot being in use by other threads, malloc */
typedef struct FT(scratch) {
    T *p;
    FT(slot) *slot;
    int heap;
} FT(scratch);

static int FT(scratch_get)(const FT(plan) *plan, FT(scratch) *sc, size_t elems, unsigned char *stack,
                           size_t stack_bytes)
{
    sc->slot = NULL;
    sc->heap = 0;
    if (elems > SIZE_MAX / sizeof(T) / 2) {
        return HOSTLIB_FFT_ENOMEM;
    }
    if (elems * sizeof(T) <= stack_bytes) {
        sc->p = (T *)stack;
        return HOSTLIB_FFT_OK;
    }
    /* the slots are the plan's one mutable part, each owned by the
       execute that set its flag */
    FT(slot) *slots = ((FT(plan) *)plan)->slot;
    for (int i = 0; i < FFT_SLOTS; i++) {
        FT(slot) *s = &slots[i];
        if (atomic_load_explicit(&s->busy, memory_order_relaxed) ||
            atomic_exchange_explicit(&s->busy, 1, memory_order_acquire)) {
            continue;
        }
        if (s->elems < elems) {
            fft_free(s->p);
            s->p = (T *)fft_alloc(elems * sizeof(T));
            s->elems = s->p ? elems : 0;
        }
        if (s->p == NULL) {
            atomic_store_explicit(&s->busy, 0, memory_order_release);
            return HOSTLIB_FFT_ENOMEM;
        }
        sc->p = s->p;
        sc->slot = s;
        return HOSTLIB_FFT_OK;
    }
    sc->p = (T *)fft_alloc(elems * sizeof(T));
    sc->heap = 1;
    return sc->p ? HOSTLIB_FFT_OK : HOSTLIB_FFT_ENOMEM;
}

static void FT(scratch_put)(FT(scratch) *sc)
{
    if (sc->heap) {
        fft_free(sc->p);
    } else if (sc->slot) {
        atomic_store_explicit(&sc->slot->busy, 0, memory_order_release);
    }
}

/* batch lanes for a core of length n and howmany arrays at element
   stride istride, idist apart: a vector of arrays at once where that
   measured faster than one at a time (AVX-512 and AVX2, Zen 4): small
   lengths, and lengths with an odd factor up to FFT_BATCH_MAX (n = 16:
   4x, 1000: 1.3x, Bluestein's 1009: 1.8x); not powers of two from 256
   up, whose lanes then sit at power-of-two distances that share cache
   sets (n = 1024: 1.8x slower). But always (up to FFT_INTERLEAVED_MAX
   points in the batch) where the arrays interleave, their elements
   farther apart than the arrays (a transform along an axis that is not
   the last): one at a time, each line read holds elements of other
   arrays and is read again for each of them, at a stride that keeps them
   on a few cache sets. complex128 along axis 0 of n x 256, one thread,
   Zen 5: n = 256 1255 -> 220 us, 4096 26.7 -> 7.3 ms, 16384 37.5 ms
   (numpy 382 us, 10.1 ms, 54.9 ms) */
static ptrdiff_t FT(batch_lanes)(const FT(core) *c, ptrdiff_t howmany, ptrdiff_t istride, ptrdiff_t idist)
{
    const ptrdiff_t n = c->n;
    const int pow2 = (n & (n - 1)) == 0;
    const int interleaved = idist != 0 && (idist < 0 ? -idist : idist) < (istride < 0 ? -istride : istride);
    return LANES > 1 && howmany > 1 &&
                   (n <= 128 || (interleaved && n * LANES <= FFT_INTERLEAVED_MAX) || (!pow2 && n <= FFT_BATCH_MAX))
               ? LANES
               : 1;
}

/* The four buffers start FFT_SKEW bytes apart beyond their lengths: a
   pass reads r streams of each of two arrays and writes r of two others,
   and at power-of-two lengths every stream starts on the same cache set
   (n/r elements apart, 4 KiB for radix 8 at n = 4096 float64): 32
   streams on a 12-way set evicted each other, and c2c float64 n = 4096
   took 4x r2c's time on AVX2 and SSE2 (issue 21). Skewed, the arrays'
   streams fall on different sets. */
#define FFT_SKEW 256

/* the execute's scratch: a and b buffers of n nb complex, the core's work */
static size_t FT(scratch_elems)(const FT(core) *c, ptrdiff_t nb)
{
    return (size_t)nb * (4 * fft_padded((size_t)c->n, sizeof(T)) + FT(core_work)(c)) + 4 * (FFT_SKEW / sizeof(T));
}

/* split buffers out of the scratch */
static void FT(scratch_split)(const FT(core) *c, ptrdiff_t nb, T *base, T **ar, T **ai, T **br, T **bi, T **work)
{
    const size_t np = fft_padded((size_t)c->n, sizeof(T)) * (size_t)nb + FFT_SKEW / sizeof(T);
    *ar = base;
    *ai = base + np;
    *br = base + 2 * np;
    *bi = base + 3 * np;
    *work = base + 4 * np;
}

/* ---- gathering and scattering the caller's layout ---- */

/* d[j nb + l] = s[j js + l ls] for j < n, l < cnt (cnt <= nb; lanes cnt..nb
   of a batch group are zero) */
static void FT(gather)(ptrdiff_t n, ptrdiff_t nb, ptrdiff_t cnt, const T *src, ptrdiff_t js, ptrdiff_t ls, T *d)
{
    if (nb == 1) {
        ptrdiff_t j = 0;
        for (; j + LANES <= n; j += LANES) {
            V_(storeu)(d + j, js == 1 ? V_(loadu)(src + j) : V_(loads)(src + j * js, js));
        }
        if (j < n) {
            V_(storen)(d + j, n - j, V_(loadsn)(src + j * js, js, n - j));
        }
        return;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        for (ptrdiff_t l = 0; l < nb; l += LANES) {
            const ptrdiff_t k = cnt - l <= 0 ? 0 : cnt - l < LANES ? cnt - l : LANES;
            V_(storeu)(d + j * nb + l, FT(ld)((int)k, src + j * js + l * ls, ls));
        }
    }
}

/* s[j js + l ls] = d[j nb + l] * scale for j < n, l < cnt */
static void FT(scatter)(ptrdiff_t n, ptrdiff_t nb, ptrdiff_t cnt, const T *d, T scale, T *dst, ptrdiff_t js,
                        ptrdiff_t ls)
{
    const V sc = V_(set1)(scale);
    if (nb == 1) {
        ptrdiff_t j = 0;
        for (; j + LANES <= n; j += LANES) {
            const V x = V_(mul)(V_(loadu)(d + j), sc);
            if (js == 1) {
                V_(storeu)(dst + j, x);
            } else {
                V_(stores)(dst + j * js, js, x);
            }
        }
        if (j < n) {
            V_(storesn)(dst + j * js, js, n - j, V_(mul)(V_(loadn)(d + j, n - j), sc));
        }
        return;
    }
    for (ptrdiff_t j = 0; j < n; j++) {
        for (ptrdiff_t l = 0; l < cnt; l += LANES) {
            const ptrdiff_t k = cnt - l < LANES ? cnt - l : LANES;
            FT(st)((int)k, dst + j * js + l * ls, ls, V_(mul)(V_(loadu)(d + j * nb + l), sc));
        }
    }
}

static int FT(exec_check)(const void *plan, ptrdiff_t howmany, const void *input, const void *output)
{
    if (plan == NULL || howmany < 0) {
        return HOSTLIB_FFT_EINVAL;
    }
    if (howmany > 0 && (input == NULL || output == NULL)) {
        return HOSTLIB_FFT_EINVAL;
    }
    return HOSTLIB_FFT_OK;
}

/* ---- four steps, executed ---- */

/* One four-step transform x (re, im at element stride xs) -> y (at ys),
   times scale, through Z; each step's blocks are cut into tasks, run on
   the pool when parts > 1. A task takes one of the parts' buffers by its
   flag: at most `parts` tasks run at once, so one is always free. The
   real transforms' passes before and after (on k in chunks) run the same
   way. */
typedef struct FT(fs_job) FT(fs_job);
typedef void (*FT(fs_step_fn))(FT(fs_job) *job, T *buf, ptrdiff_t b0, ptrdiff_t b1);
struct FT(fs_job) {
    const FT(plan) *plan;
    const FT(four) *f;
    const T *xr, *xi;
    ptrdiff_t xs;
    T *yr, *yi;
    ptrdiff_t ys;
    T scale;
    T *zr, *zi;      /* Z, n1 rows of zs */
    T *buf;          /* parts buffers of bufelems */
    size_t bufelems;
    int parts;
    /* the real transforms' passes: their complex side (cs, at element
       stride cst) and the split half-length arrays (hr, hi) */
    T *cs;
    ptrdiff_t cst;
    T *hr, *hi;
    FT(fs_step_fn) step;
    ptrdiff_t nblocks, ntasks;
    atomic_int taken[FFT_MAX_PARTS];
};

/* the k of the real passes per task block */
#define FS_REAL_CHUNK 2048

/* the threads a four-step execute uses now: the pool's width (1 inside a
   task of the pool, or while another caller holds it) */
static int FT(fs_parts)(const FT(four) *f)
{
    const hostlib_pool_api *pool = SIMD_NAME(fft_pool);
    if (pool == NULL) {
        return 1;
    }
    ptrdiff_t w = pool->width();
    w = w < FFT_MAX_PARTS ? w : FFT_MAX_PARTS;
    w = w < f->nbr ? w : f->nbr;
    w = w < f->nbc ? w : f->nbc;
    return w < 1 ? 1 : (int)w;
}

static size_t FT(fs_bufelems)(const FT(four) *f)
{
    const ptrdiff_t longer = f->n1 > f->n2 ? f->n1 : f->n2;
    return 4 * fft_padded((size_t)(longer * FS_B), sizeof(T));
}

/* scratch for one four-step execute on `parts` threads, after `extra`
   elements the caller keeps at its start */
static size_t FT(fs_elems)(const FT(four) *f, int parts, size_t extra)
{
    return extra + 2 * fft_padded((size_t)(f->n1 * f->zs), sizeof(T)) + (size_t)parts * FT(fs_bufelems)(f);
}

static void FT(fs_job_init)(FT(fs_job) *job, const FT(plan) *plan, const FT(four) *f, T *scratch, size_t extra,
                            int parts)
{
    memset(job, 0, sizeof *job);
    job->plan = plan;
    job->f = f;
    const size_t zp = fft_padded((size_t)(f->n1 * f->zs), sizeof(T));
    job->zr = scratch + extra;
    job->zi = job->zr + zp;
    job->buf = job->zi + zp;
    job->bufelems = FT(fs_bufelems)(f);
    job->parts = parts;
}

/* complex pairs: LANES interleaved (re, im) at p into two vectors, and
   back; by the layer's load2/store2 where it has them */
FFT_INLINE void FT(load_pairs)(const T *p, V *re, V *im)
{
#ifdef SIMD_HAVE_LOAD2
    V_(load2)(p, re, im);
#else
    *re = V_(loads)(p, 2);
    *im = V_(loads)(p + 1, 2);
#endif
}

FFT_INLINE void FT(store_pairs)(T *p, V re, V im)
{
#ifdef SIMD_HAVE_LOAD2
    V_(store2)(p, re, im);
#else
    V_(stores)(p, 2, re);
    V_(stores)(p + 1, 2, im);
#endif
}

/* where x's re and im are the two halves of unit-stride complex pairs:
   the pairs' start, and whether re is the second half (the backward
   direction's exchange); NULL otherwise */
static const T *FT(pairs_of)(const T *xr, const T *xi, ptrdiff_t xs, int *swap)
{
    *swap = xr > xi;
    return xs == 2 && (xi == xr + 1 || xr == xi + 1) ? (xr < xi ? xr : xi) : NULL;
}

/* step 1 and 2: column blocks b0 .. b1-1, into Z with the twiddles */
static void FT(fs_cols)(FT(fs_job) *job, T *buf, ptrdiff_t b0, ptrdiff_t b1)
{
    const FT(four) *f = job->f;
    const ptrdiff_t B = FS_B, n1 = f->n1, n2 = f->n2, zs = f->zs, xs = job->xs;
    const size_t mp = job->bufelems / 4;
    T *ar = buf, *ai = buf + mp, *br = buf + 2 * mp, *bi = buf + 3 * mp;
    int swap;
    const T *pairs = FT(pairs_of)(job->xr, job->xi, xs, &swap);
    for (ptrdiff_t b = b0; b < b1; b++) {
        const ptrdiff_t c0 = b * B, cnt = n2 - c0 < B ? n2 - c0 : B;
        if (pairs != NULL && cnt == B) {
            /* the caller's contiguous complex rows: whole vectors of pairs */
            T *dr = swap ? ai : ar, *di = swap ? ar : ai;
            for (ptrdiff_t j1 = 0; j1 < n1; j1++) {
                const T *row = pairs + 2 * (j1 * n2 + c0);
                for (ptrdiff_t l = 0; l < B; l += LANES) {
                    V re, im;
                    FT(load_pairs)(row + 2 * l, &re, &im);
                    V_(storeu)(dr + j1 * B + l, re);
                    V_(storeu)(di + j1 * B + l, im);
                }
            }
        } else {
            FT(gather)(n1, B, cnt, job->xr + c0 * xs, n2 * xs, xs, ar);
            FT(gather)(n1, B, cnt, job->xi + c0 * xs, n2 * xs, xs, ai);
        }
        const int in_b = FT(core_run)(&f->c1, B, ar, ai, br, bi, NULL);
        const T *yr = in_b ? br : ar, *yi = in_b ? bi : ai;
        const T *tbr = f->tbr + b * n1, *tbi = f->tbi + b * n1;
        for (ptrdiff_t k1 = 0; k1 < n1; k1++) {
            const V sr = V_(set1)(tbr[k1]), si = V_(set1)(tbi[k1]);
            T *zr = job->zr + k1 * zs + c0, *zi = job->zi + k1 * zs + c0;
            for (ptrdiff_t l = 0; l < B; l += LANES) {
                const ptrdiff_t at = k1 * B + l;
                const FT(cv) w = FT(cmul)((FT(cv)){V_(loadu)(f->tlr + at), V_(loadu)(f->tli + at)}, sr, si);
                const FT(cv) y = FT(cmul)((FT(cv)){V_(loadu)(yr + at), V_(loadu)(yi + at)}, w.r, w.i);
                /* Z's rows hold whole blocks: the lanes past n2 land in
                   its padding */
                V_(storeu)(zr + l, y.r);
                V_(storeu)(zi + l, y.i);
            }
        }
    }
}

/* step 3: row blocks b0 .. b1-1, out of Z, to y (the transposition is
   the scatter: a block's lanes are B consecutive outputs) */
static void FT(fs_rows)(FT(fs_job) *job, T *buf, ptrdiff_t b0, ptrdiff_t b1)
{
    const FT(four) *f = job->f;
    const ptrdiff_t B = FS_B, n1 = f->n1, n2 = f->n2, zs = f->zs, ys = job->ys;
    const size_t mp = job->bufelems / 4;
    T *ar = buf, *ai = buf + mp, *br = buf + 2 * mp, *bi = buf + 3 * mp;
    int swap;
    T *pairs = (T *)FT(pairs_of)(job->yr, job->yi, ys, &swap);
    for (ptrdiff_t b = b0; b < b1; b++) {
        const ptrdiff_t r0 = b * B, cnt = n1 - r0 < B ? n1 - r0 : B;
        FT(gather)(n2, B, cnt, job->zr + r0 * zs, 1, zs, ar);
        FT(gather)(n2, B, cnt, job->zi + r0 * zs, 1, zs, ai);
        const int in_b = FT(core_run)(&f->c2, B, ar, ai, br, bi, NULL);
        const T *rr = in_b ? br : ar, *ri = in_b ? bi : ai;
        if (pairs != NULL && cnt == B) {
            /* the caller's contiguous complex output: B pairs per k2 */
            const V sc = V_(set1)(job->scale);
            const T *sr = swap ? ri : rr, *si = swap ? rr : ri;
            for (ptrdiff_t k2 = 0; k2 < n2; k2++) {
                T *o = pairs + 2 * (r0 + n1 * k2);
                for (ptrdiff_t l = 0; l < B; l += LANES) {
                    FT(store_pairs)(o + 2 * l, V_(mul)(V_(loadu)(sr + k2 * B + l), sc),
                                    V_(mul)(V_(loadu)(si + k2 * B + l), sc));
                }
            }
            continue;
        }
        FT(scatter)(n2, B, cnt, rr, job->scale, job->yr + r0 * ys, n1 * ys, ys);
        FT(scatter)(n2, B, cnt, ri, job->scale, job->yi + r0 * ys, n1 * ys, ys);
    }
}

static void FT(fs_task)(void *ctx, ptrdiff_t t)
{
    FT(fs_job) *job = (FT(fs_job) *)ctx;
    int i = 0;
    while (atomic_exchange_explicit(&job->taken[i], 1, memory_order_acquire)) {
        i = i + 1 < job->parts ? i + 1 : 0;
    }
    const ptrdiff_t b0 = job->nblocks * t / job->ntasks, b1 = job->nblocks * (t + 1) / job->ntasks;
    job->step(job, job->buf + (size_t)i * job->bufelems, b0, b1);
    atomic_store_explicit(&job->taken[i], 0, memory_order_release);
}

/* runs step over nblocks blocks, on job->parts threads */
static void FT(fs_par)(FT(fs_job) *job, FT(fs_step_fn) step, ptrdiff_t nblocks)
{
    const hostlib_pool_api *pool = SIMD_NAME(fft_pool);
    if (job->parts <= 1 || pool == NULL || nblocks < 2) {
        step(job, job->buf, 0, nblocks);
        return;
    }
    job->step = step;
    job->nblocks = nblocks;
    const ptrdiff_t most = (ptrdiff_t)job->parts * FFT_TASKS_PER_PART;
    job->ntasks = nblocks < most ? nblocks : most;
    pool->run(FT(fs_task), job, job->ntasks, job->parts);
}

static void FT(fs_run)(FT(fs_job) *job)
{
    FT(fs_par)(job, FT(fs_cols), job->f->nbc);
    FT(fs_par)(job, FT(fs_rows), job->f->nbr);
}

/* four steps, or (where the plan has both) the direct passes on one thread */
static int FT(use_four)(const FT(plan) *plan)
{
    return plan->four != NULL && (!plan->direct || FT(fs_parts)(plan->four) > 1);
}

static int FT(exec_c2c_four)(const FT(plan) *plan, ptrdiff_t howmany, const T *in, ptrdiff_t istride,
                             ptrdiff_t idist, T *out, ptrdiff_t ostride, ptrdiff_t odist, double scale)
{
    const FT(four) *f = plan->four;
    const int parts = FT(fs_parts)(f), backward = plan->head.sign > 0;
    FT(scratch) sc;
    int status = FT(scratch_get)(plan, &sc, FT(fs_elems)(f, parts, 0), NULL, 0);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    FT(fs_job) job;
    FT(fs_job_init)(&job, plan, f, sc.p, 0, parts);
    job.scale = (T)scale;
    for (ptrdiff_t b = 0; b < howmany; b++) {
        const T *src = in + 2 * b * idist;
        T *dst = out + 2 * b * odist;
        /* backward: re and im exchanged on both sides */
        job.xr = src + backward;
        job.xi = src + !backward;
        job.xs = 2 * istride;
        job.yr = dst + backward;
        job.yi = dst + !backward;
        job.ys = 2 * ostride;
        FT(fs_run)(&job);
    }
    FT(scratch_put)(&sc);
    return HOSTLIB_FFT_OK;
}

/* ---- c2c ---- */

static int FT(exec_c2c)(const void *plan_, ptrdiff_t howmany, const void *input, ptrdiff_t istride, ptrdiff_t idist,
                        void *output, ptrdiff_t ostride, ptrdiff_t odist, double scale)
{
    int status = FT(exec_check)(plan_, howmany, input, output);
    if (status != HOSTLIB_FFT_OK || howmany == 0) {
        return status;
    }
    const FT(plan) *plan = (const FT(plan) *)plan_;
    if (FT(use_four)(plan)) {
        return FT(exec_c2c_four)(plan, howmany, (const T *)input, istride, idist, (T *)output, ostride, odist,
                                 scale);
    }
    const FT(core) *c = &plan->core;
    const ptrdiff_t n = c->n, nb = FT(batch_lanes)(c, howmany, istride, idist);
    const int backward = plan->head.sign > 0;
    _Alignas(FFT_ALIGN) unsigned char stack[FFT_STACK_BYTES];
    FT(scratch) sc;
    if ((status = FT(scratch_get)(plan, &sc, FT(scratch_elems)(c, nb), stack, sizeof stack)) != HOSTLIB_FFT_OK) {
        return status;
    }
    T *ar, *ai, *br, *bi, *work;
    FT(scratch_split)(c, nb, sc.p, &ar, &ai, &br, &bi, &work);
    const T *in = (const T *)input;
    T *out = (T *)output;
    const V vscale = V_(set1)((T)scale);
    for (ptrdiff_t b0 = 0; b0 < howmany; b0 += nb) {
        const ptrdiff_t cnt = howmany - b0 < nb ? howmany - b0 : nb;
        const T *src = in + 2 * b0 * idist;
        T *dst = out + 2 * b0 * odist;
        if (nb == 1 && c->conv == NULL && c->npass >= 2 && FT(io_radix)(c->pass[0].radix) &&
            FT(io_radix)(c->pass[c->npass - 1].radix)) {
            /* the first pass reads the caller's array, the last writes it
               (with the scale); backward: re and im exchanged at both */
            const T *xr = src + backward, *xi = src + !backward;
            T *yr = dst + backward, *yi = dst + !backward;
            FT(pass_run_io)(&c->pass[0], xr, xi, 2 * istride, ar, ai, 1, NULL);
            int in_b = 0;
            for (int i = 1; i < c->npass - 1; i++) {
                FT(pass_run)(&c->pass[i], 1, in_b ? br : ar, in_b ? bi : ai, in_b ? ar : br, in_b ? ai : bi);
                in_b ^= 1;
            }
            FT(pass_run_io)(&c->pass[c->npass - 1], in_b ? br : ar, in_b ? bi : ai, 1, yr, yi, 2 * ostride, &vscale);
            continue;
        }
        /* backward: the swapped arrays (re into im, im into re) */
        FT(gather)(n, nb, cnt, src, 2 * istride, 2 * idist, backward ? ai : ar);
        FT(gather)(n, nb, cnt, src + 1, 2 * istride, 2 * idist, backward ? ar : ai);
        const int in_b = FT(core_run)(c, nb, ar, ai, br, bi, work);
        const T *yr = in_b ? br : ar, *yi = in_b ? bi : ai;
        FT(scatter)(n, nb, cnt, backward ? yi : yr, (T)scale, dst, 2 * ostride, 2 * odist);
        FT(scatter)(n, nb, cnt, backward ? yr : yi, (T)scale, dst + 1, 2 * ostride, 2 * odist);
    }
    FT(scratch_put)(&sc);
    return HOSTLIB_FFT_OK;
}

/* ---- r2c ---- */

/* even n, after Z = F_h(z) with z_j = x_2j + i x_2j+1: for k0 <= k < k1
   (within 1 .. h-1), X_k = (S + w^k D')/2 with S = Z_k + conj Z_{h-k},
   D' = -i (Z_k - conj Z_{h-k}), to dst at element stride os2 */
static void FT(r2c_post)(const FT(plan) *plan, const T *zr, const T *zi, T *dst, ptrdiff_t os2, T sch,
                         ptrdiff_t k0, ptrdiff_t k1)
{
    const ptrdiff_t h = plan->head.n / 2;
    const V vh = V_(set1)(sch);
    for (ptrdiff_t k = k0; k < k1; k += LANES) {
        const ptrdiff_t cnt = k1 - k < LANES ? k1 - k : LANES;
        const V ar_ = V_(loadn)(zr + k, cnt), ai_ = V_(loadn)(zi + k, cnt);
        const V br_ = FT(ld)((int)cnt, zr + h - k, -1), bi_ = FT(ld)((int)cnt, zi + h - k, -1);
        const V sr = V_(add)(ar_, br_), si = V_(sub)(ai_, bi_);
        const V dr = V_(sub)(ar_, br_), di = V_(add)(ai_, bi_);
        const V wr = V_(loadn)(plan->rtw_r + k, cnt), wi = V_(loadn)(plan->rtw_i + k, cnt);
        /* Xr = (sr + wr di + wi dr)/2, Xi = (si - wr dr + wi di)/2 */
        const V xr = V_(mul)(vh, V_(fma)(wr, di, V_(fma)(wi, dr, sr)));
        const V xi = V_(mul)(vh, V_(fnma)(wr, dr, V_(fma)(wi, di, si)));
        const FT(cv) x = {xr, xi};
        FT(stc)((int)cnt, dst + k * os2, dst + k * os2 + 1, os2, x);
    }
}

/* the four-step r2c's post pass, chunked: job->hr, hi hold Z, job->cs
   the output (element stride cst), job->scale / 2 */
static void FT(fs_r2c_post)(FT(fs_job) *job, T *buf, ptrdiff_t b0, ptrdiff_t b1)
{
    (void)buf;
    const ptrdiff_t h = job->plan->head.n / 2, k0 = 1 + b0 * FS_REAL_CHUNK, k1 = 1 + b1 * FS_REAL_CHUNK;
    FT(r2c_post)(job->plan, job->hr, job->hi, job->cs, job->cst, job->scale, k0, k1 < h ? k1 : h);
}

static int FT(exec_r2c)(const void *plan_, ptrdiff_t howmany, const void *input, ptrdiff_t istride, ptrdiff_t idist,
                        void *output, ptrdiff_t ostride, ptrdiff_t odist, double scale)
{
    int status = FT(exec_check)(plan_, howmany, input, output);
    if (status != HOSTLIB_FFT_OK || howmany == 0) {
        return status;
    }
    const FT(plan) *plan = (const FT(plan) *)plan_;
    const FT(core) *c = &plan->core;
    const FT(four) *f = FT(use_four)(plan) ? plan->four : NULL;
    const ptrdiff_t n = plan->head.n, h = n / 2, nb = 1;
    const ptrdiff_t os2 = 2 * ostride;
    const int parts = f ? FT(fs_parts)(f) : 1;
    const size_t hp = fft_padded((size_t)h, sizeof(T));
    _Alignas(FFT_ALIGN) unsigned char stack[FFT_STACK_BYTES];
    FT(scratch) sc;
    status = f ? FT(scratch_get)(plan, &sc, FT(fs_elems)(f, parts, 2 * hp), NULL, 0)
               : FT(scratch_get)(plan, &sc, FT(scratch_elems)(c, nb), stack, sizeof stack);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    FT(fs_job) job;
    T *ar = NULL, *ai = NULL, *br = NULL, *bi = NULL, *work = NULL;
    if (f) {
        FT(fs_job_init)(&job, plan, f, sc.p, 2 * hp, parts);
        job.scale = 1;
        job.hr = sc.p;
        job.hi = sc.p + hp;
    } else {
        FT(scratch_split)(c, nb, sc.p, &ar, &ai, &br, &bi, &work);
    }
    const T *in = (const T *)input;
    T *out = (T *)output;
    const T sc1 = (T)scale, sch = (T)(0.5 * scale);
    for (ptrdiff_t b = 0; b < howmany; b++) {
        const T *src = in + b * idist;
        T *dst = out + 2 * b * odist;
        if (n % 2 == 1) {
            /* odd n: the complex transform of (x, 0), its first half */
            FT(gather)(n, 1, 1, src, istride, 0, ar);
            memset(ai, 0, (size_t)n * sizeof(T));
            const int in_b = FT(core_run)(c, 1, ar, ai, br, bi, work);
            const T *yr = in_b ? br : ar, *yi = in_b ? bi : ai;
            FT(scatter)(n / 2 + 1, 1, 1, yr, sc1, dst, os2, 0);
            FT(scatter)(n / 2 + 1, 1, 1, yi, sc1, dst + 1, os2, 0);
            continue;
        }
        /* even n: z_j = x_2j + i x_2j+1, Z = F_h(z), then the post pass */
        const T *zr, *zi;
        if (f) {
            job.xr = src;
            job.xi = src + istride;
            job.xs = 2 * istride;
            job.yr = job.hr;
            job.yi = job.hi;
            job.ys = 1;
            FT(fs_run)(&job);
            zr = job.hr;
            zi = job.hi;
        } else {
            int in_b;
            if (c->conv == NULL && c->npass >= 1 && FT(io_radix)(c->pass[0].radix)) {
                /* the first pass reads the caller's reals as complex pairs */
                FT(pass_run_io)(&c->pass[0], src, src + istride, 2 * istride, ar, ai, 1, NULL);
                in_b = 0;
                for (int i = 1; i < c->npass; i++) {
                    FT(pass_run)(&c->pass[i], 1, in_b ? br : ar, in_b ? bi : ai, in_b ? ar : br, in_b ? ai : bi);
                    in_b ^= 1;
                }
            } else {
                FT(gather)(h, 1, 1, src, 2 * istride, 0, ar);
                FT(gather)(h, 1, 1, src + istride, 2 * istride, 0, ai);
                in_b = FT(core_run)(c, 1, ar, ai, br, bi, work);
            }
            zr = in_b ? br : ar;
            zi = in_b ? bi : ai;
        }
        const T z0r = zr[0], z0i = zi[0];
        dst[0] = (z0r + z0i) * sc1;
        dst[1] = 0;
        dst[h * os2] = (z0r - z0i) * sc1;
        dst[h * os2 + 1] = 0;
        if (f) {
            job.cs = dst;
            job.cst = os2;
            job.scale = sch;
            FT(fs_par)(&job, FT(fs_r2c_post), (h - 1 + FS_REAL_CHUNK - 1) / FS_REAL_CHUNK);
            job.scale = 1;
        } else {
            FT(r2c_post)(plan, zr, zi, dst, os2, sch, 1, h);
        }
    }
    FT(scratch_put)(&sc);
    return HOSTLIB_FFT_OK;
}

/* ---- c2r ---- */

/* even n, before the backward half-length transform: for k0 <= k < k1
   (within 1 .. h-1), Z'_k = S + i e^{+2 pi i k/n} D with
   S = X_k + conj X_{h-k}, D = X_k - conj X_{h-k}, from src (element
   stride is2), stored swapped (re to zi, im to zr) */
static void FT(c2r_pre)(const FT(plan) *plan, const T *src, ptrdiff_t is2, T *zr, T *zi, ptrdiff_t k0,
                        ptrdiff_t k1)
{
    const ptrdiff_t h = plan->head.n / 2;
    for (ptrdiff_t k = k0; k < k1; k += LANES) {
        const ptrdiff_t cnt = k1 - k < LANES ? k1 - k : LANES;
        const FT(cv) x = FT(ldc)((int)cnt, src + k * is2, src + k * is2 + 1, is2);
        const V xr = x.r, xi = x.i;
        const V yr = FT(ld)((int)cnt, src + (h - k) * is2, -is2);
        const V yi = FT(ld)((int)cnt, src + (h - k) * is2 + 1, -is2);
        const V sr = V_(add)(xr, yr), si = V_(sub)(xi, yi);
        const V dr = V_(sub)(xr, yr), di = V_(add)(xi, yi);
        const V wr = V_(loadn)(plan->rtw_r + k, cnt), wi = V_(loadn)(plan->rtw_i + k, cnt);
        /* with (wr, wi) = e^{-2 pi i k/n}: Zr = sr - wr di + wi dr,
           Zi = si + wr dr + wi di */
        const V pr = V_(fnma)(wr, di, V_(fma)(wi, dr, sr));
        const V pi = V_(fma)(wr, dr, V_(fma)(wi, di, si));
        V_(storen)(zi + k, cnt, pr);
        V_(storen)(zr + k, cnt, pi);
    }
}

static void FT(fs_c2r_pre)(FT(fs_job) *job, T *buf, ptrdiff_t b0, ptrdiff_t b1)
{
    (void)buf;
    const ptrdiff_t h = job->plan->head.n / 2, k0 = 1 + b0 * FS_REAL_CHUNK, k1 = 1 + b1 * FS_REAL_CHUNK;
    FT(c2r_pre)(job->plan, job->cs, job->cst, job->hr, job->hi, k0, k1 < h ? k1 : h);
}

static int FT(exec_c2r)(const void *plan_, ptrdiff_t howmany, const void *input, ptrdiff_t istride, ptrdiff_t idist,
                        void *output, ptrdiff_t ostride, ptrdiff_t odist, double scale)
{
    int status = FT(exec_check)(plan_, howmany, input, output);
    if (status != HOSTLIB_FFT_OK || howmany == 0) {
        return status;
    }
    const FT(plan) *plan = (const FT(plan) *)plan_;
    const FT(core) *c = &plan->core;
    const FT(four) *f = FT(use_four)(plan) ? plan->four : NULL;
    const ptrdiff_t n = plan->head.n, h = n / 2, nb = 1;
    const int parts = f ? FT(fs_parts)(f) : 1;
    const size_t hp = fft_padded((size_t)h, sizeof(T));
    _Alignas(FFT_ALIGN) unsigned char stack[FFT_STACK_BYTES];
    FT(scratch) sc;
    status = f ? FT(scratch_get)(plan, &sc, FT(fs_elems)(f, parts, 2 * hp), NULL, 0)
               : FT(scratch_get)(plan, &sc, FT(scratch_elems)(c, nb), stack, sizeof stack);
    if (status != HOSTLIB_FFT_OK) {
        return status;
    }
    FT(fs_job) job;
    T *ar, *ai, *br = NULL, *bi = NULL, *work = NULL;
    if (f) {
        FT(fs_job_init)(&job, plan, f, sc.p, 2 * hp, parts);
        ar = job.hr = sc.p;
        ai = job.hi = sc.p + hp;
    } else {
        FT(scratch_split)(c, nb, sc.p, &ar, &ai, &br, &bi, &work);
    }
    const T *in = (const T *)input;
    T *out = (T *)output;
    const T sc1 = (T)scale;
    const ptrdiff_t is2 = 2 * istride;
    for (ptrdiff_t b = 0; b < howmany; b++) {
        const T *src = in + 2 * b * idist;
        T *dst = out + b * odist;
        if (n % 2 == 1) {
            /* odd n: the full spectrum Y (Y_{n-k} = conj X_k), backward as
               swap(F(swap Y)); only the real part is kept, which is the im
               array of F(swap Y) */
            const ptrdiff_t half = n / 2 + 1;
            /* swap Y: re array <- Im Y, im array <- Re Y */
            FT(gather)(half, 1, 1, src, is2, 0, ai);
            FT(gather)(half, 1, 1, src + 1, is2, 0, ar);
            ar[0] = 0;
            for (ptrdiff_t k = half; k < n; k++) {
                ai[k] = ai[n - k];
                ar[k] = -ar[n - k];
            }
            const int in_b = FT(core_run)(c, 1, ar, ai, br, bi, work);
            FT(scatter)(n, 1, 1, in_b ? bi : ai, sc1, dst, ostride, 0);
            continue;
        }
        /* even n: Z' (swapped, as backward = swap(F(swap))); z =
           backward_h(Z') holds x_2j + i x_2j+1, read swapped: x_2j = the
           im array, x_2j+1 = the re array */
        {
            const T x0r = src[0], xhr = src[h * is2];
            ai[0] = x0r + xhr;
            ar[0] = x0r - xhr;
        }
        if (f) {
            job.cs = (T *)src;
            job.cst = is2;
            FT(fs_par)(&job, FT(fs_c2r_pre), (h - 1 + FS_REAL_CHUNK - 1) / FS_REAL_CHUNK);
            job.xr = ar;
            job.xi = ai;
            job.xs = 1;
            job.yr = dst + ostride;
            job.yi = dst;
            job.ys = 2 * ostride;
            job.scale = sc1;
            FT(fs_run)(&job);
            continue;
        }
        FT(c2r_pre)(plan, src, is2, ar, ai, 1, h);
        const int in_b = FT(core_run)(c, 1, ar, ai, br, bi, work);
        const T *yr = in_b ? br : ar, *yi = in_b ? bi : ai;
        FT(scatter)(h, 1, 1, yi, sc1, dst, 2 * ostride, 0);
        FT(scatter)(h, 1, 1, yr, sc1, dst + ostride, 2 * ostride, 0);
    }
    FT(scratch_put)(&sc);
    return HOSTLIB_FFT_OK;
}

/* ---- making and freeing plans ---- */

static void FT(destroy)(void *plan_)
{
    FT(plan) *plan = (FT(plan) *)plan_;
    if (plan == NULL) {
        return;
    }
    FT(core_free)(&plan->core);
    FT(four_free)(plan->four);
    for (int i = 0; i < FFT_SLOTS; i++) {
        fft_free(plan->slot[i].p);
    }
    fft_free(plan->rtw_r);
    free(plan);
}

static int FT(plan_make)(ptrdiff_t n, int kind, int sign, hostlib_fft_plan **out)
{
    if (out == NULL || n < 1 || (sign != HOSTLIB_FFT_FORWARD && sign != HOSTLIB_FFT_BACKWARD)) {
        return HOSTLIB_FFT_EINVAL;
    }
    if (n > FFT_MAX_N) {
        return HOSTLIB_FFT_ENOMEM;
    }
    FT(plan) *plan = (FT(plan) *)calloc(1, sizeof(FT(plan)));
    if (plan == NULL) {
        return HOSTLIB_FFT_ENOMEM;
    }
    const int half = kind != HOSTLIB_FFT_C2C && n % 2 == 0;
    const ptrdiff_t cn = half ? n / 2 : n;
    if (kind != HOSTLIB_FFT_C2C) {
        fft_append(plan->desc, half ? "real via half-length complex, " : "real via complex, ");
    }
    /* the planner's choice: four steps from fft_fourstep_min up (where
       the length splits), else the direct passes */
    const ptrdiff_t single = SIMD_NAME(fft_fourstep_min);
    const ptrdiff_t n1 = (kind == HOSTLIB_FFT_C2C || half) && cn >= (single < FFT_SPLIT_MIN ? single : FFT_SPLIT_MIN)
                             ? FT(four_split)(cn)
                             : 0;
    int status = HOSTLIB_FFT_OK;
    size_t bytes = sizeof(FT(plan));
    plan->core.n = cn;
    if (n1 > 0) {
        status = FT(four_init)(&plan->four, cn, n1, plan->desc);
        bytes += plan->four ? plan->four->bytes : 0;
        if (status == HOSTLIB_FFT_OK && cn < single) {
            plan->direct = 1;
            fft_append(plan->desc, "; one thread: ");
        }
    }
    if (status == HOSTLIB_FFT_OK && (n1 == 0 || plan->direct)) {
        status = FT(core_init)(&plan->core, cn, plan->desc);
        bytes += plan->core.bytes;
    }
    if (status == HOSTLIB_FFT_OK && half) {
        const size_t hp = fft_padded((size_t)cn, sizeof(T));
        plan->rtw_r = (T *)fft_alloc(2 * hp * sizeof(T));
        fft_roots g;
        if (plan->rtw_r == NULL || fft_roots_init(&g, n) != 0) {
            status = HOSTLIB_FFT_ENOMEM;
        } else {
            plan->rtw_i = plan->rtw_r + hp;
            for (ptrdiff_t k = 0; k < cn; k++) {
                long double wc, ws;
                fft_roots_get(&g, k, &wc, &ws);
                plan->rtw_r[k] = (T)wc;
                plan->rtw_i[k] = (T)-ws;
            }
            fft_roots_free(&g);
            bytes += 2 * hp * sizeof(T);
        }
    }
    if (status != HOSTLIB_FFT_OK) {
        FT(destroy)(plan);
        return status;
    }
    plan->head.n = n;
    plan->head.kind = kind;
    plan->head.sign = sign;
    plan->head.precision = FFT_PRECISION;
    plan->head.bytes = bytes;
    plan->head.algorithm = plan->desc;
    plan->head.execute = kind == HOSTLIB_FFT_C2C ? FT(exec_c2c) : kind == HOSTLIB_FFT_R2C ? FT(exec_r2c) : FT(exec_c2r);
    plan->head.destroy = FT(destroy);
    *out = &plan->head;
    return HOSTLIB_FFT_OK;
}

static int FFT_PLANNER(plan_c2c)(ptrdiff_t n, int sign, hostlib_fft_plan **plan)
{
    return FT(plan_make)(n, HOSTLIB_FFT_C2C, sign, plan);
}

static int FFT_PLANNER(plan_r2c)(ptrdiff_t n, hostlib_fft_plan **plan)
{
    return FT(plan_make)(n, HOSTLIB_FFT_R2C, HOSTLIB_FFT_FORWARD, plan);
}

static int FFT_PLANNER(plan_c2r)(ptrdiff_t n, hostlib_fft_plan **plan)
{
    return FT(plan_make)(n, HOSTLIB_FFT_C2R, HOSTLIB_FFT_BACKWARD, plan);
}

#undef FFT_PASS
#undef T
#undef V
#undef LANES
#undef V_
#undef FT
#undef FFT_PLANNER
#undef FFT_PRECISION
#endif /* FFT_PASS */
