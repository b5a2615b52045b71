/*
 * layer_ops.c -- every op of one vector layer, on special values; built
 * once per layer by tests/test_layers.py (-DLAYER='"vec_sse2.h"' and the
 * layer's compiler flags) and run where the CPU can execute it (under
 * qemu-aarch64 for NEON on x86 machines). simd/LAYERS.md is the contract.
 *
 * Lane-wise ops are printed, one line per op and element type, as the bit
 * patterns of their results over every pair (a, b) of special values
 * (zeros, subnormals, normals, the largest finite, infinities, NaNs), with
 * the pairs packed into vectors so that every lane carries a different
 * pair; test_layers.py compares these lines with the scalar layer's
 * according to the contract. Each op is also run with one pair in every
 * lane between feclearexcept and fetestexcept, and the flags it raised
 * (invalid, divide-by-zero) are printed after the results.
 *
 * Masks (the layer's own type: k registers, vectors, or an int) are
 * printed as the vectors select(m, all-ones, +0) makes of them, so mask
 * producing ops compare like the others.
 *
 * The ops whose result depends on the lane count (partial and strided
 * loads and stores, mask tests and lane bits, horizontal reductions, lane
 * order, conversions between halves) are checked here against plain C,
 * and failures printed as "FAIL ..." lines. Partial loads and stores touch
 * their last element at the end of a page followed by an inaccessible one:
 * reading or writing beyond it faults.
 */
#define _DEFAULT_SOURCE 1 /* MAP_ANONYMOUS under -std=c11 */
#include <fenv.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hostlib_features.h"
#include LAYER

#if defined(__GNUC__) && !defined(__clang__)
#define OPAQUE __attribute__((noinline, noipa))
#else
#define OPAQUE __attribute__((noinline))
#endif

#define MAXN 32
#define PAIRS (MAXN * MAXN)

static int failures;
#define CHECK(cond, ...)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                        \
            printf(__VA_ARGS__);                                                               \
            printf("\n");                                                                      \
            failures++;                                                                        \
        }                                                                                      \
    } while (0)

static int flags_now(void)
{
    const int f = fetestexcept(FE_INVALID | FE_DIVBYZERO);
    return ((f & FE_INVALID) ? 1 : 0) | ((f & FE_DIVBYZERO) ? 2 : 0);
}

/* a page-end buffer: the n elements of size `size` end where a
   PROT_NONE page begins */
static unsigned char *guarded_end(void)
{
    static unsigned char *end;
    if (end == NULL) {
        const long page = sysconf(_SC_PAGESIZE);
        unsigned char *p = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED || mprotect(p + page, (size_t)page, PROT_NONE) != 0) {
            perror("mmap");
            return NULL;
        }
        end = p + page;
    }
    return end;
}

/* ------------------------------------------------------------------------
 * one element type: p = layer prefix (vf64), V vector, T element, I the
 * integer vector, U its element, L lanes, vi the integer prefix, BITS,
 * M the mask type and vm its prefix
 * ------------------------------------------------------------------------ */
#define LAYER_TESTS(p, V, T, I, U, L, vi, BITS, TNAME, M, vm)                                     \
    static T p##_vals[MAXN];                                                                      \
    static int p##_nvals;                                                                         \
    static T p##_a[PAIRS], p##_b[PAIRS], p##_c[PAIRS];                                            \
    static T p##_r[PAIRS];                                                                        \
                                                                                                  \
    static U p##_bits(T x) { U u; memcpy(&u, &x, sizeof u); return u; }                          \
    /* a mask as a vector: all-ones lanes where it is true, +0 elsewhere */                        \
    static V p##_mvec(M m) { return p##_select(m, p##_from_bits(vi##_set1((U)~(U)0)), p##_zero()); } \
                                                                                                  \
    static void p##_print(const char *op, int n, const int *flags)                                \
    {                                                                                             \
        printf("%s %s", op, TNAME);                                                               \
        for (int i = 0; i < n; i++) {                                                             \
            printf(" %llx", (unsigned long long)p##_bits(p##_r[i]));                              \
        }                                                                                         \
        printf(" |");                                                                             \
        for (int i = 0; i < n; i++) {                                                             \
            printf(" %d", flags[i]);                                                              \
        }                                                                                         \
        printf("\n");                                                                             \
    }                                                                                             \
                                                                                                  \
    /* the op on lanes [i, i + L): operands from the arrays, result to p##_r */                   \
    typedef void (*p##_op_fn)(int i);                                                             \
    static _Alignas(64) T p##_sc[L];                                                                \
    static void p##_run(const char *op, p##_op_fn f, int n)                                       \
    {                                                                                             \
        static int flags[PAIRS];                                                                  \
        T keep_a[PAIRS], keep_b[PAIRS], keep_c[PAIRS], out[PAIRS];                                \
        for (int i = 0; i < n; i += L) {                                                          \
            f(i);                                                                                 \
        }                                                                                         \
        memcpy(out, p##_r, sizeof out);                                                           \
        memcpy(keep_a, p##_a, sizeof keep_a);                                                     \
        memcpy(keep_b, p##_b, sizeof keep_b);                                                     \
        memcpy(keep_c, p##_c, sizeof keep_c);                                                     \
        for (int i = 0; i < n; i++) { /* one pair in every lane, for its flags */                 \
            for (int k = 0; k < L; k++) {                                                         \
                p##_a[k] = keep_a[i];                                                             \
                p##_b[k] = keep_b[i];                                                             \
                p##_c[k] = keep_c[i];                                                             \
            }                                                                                     \
            feclearexcept(FE_ALL_EXCEPT);                                                         \
            f(0);                                                                                 \
            flags[i] = flags_now();                                                               \
        }                                                                                         \
        memcpy(p##_a, keep_a, sizeof keep_a);                                                     \
        memcpy(p##_b, keep_b, sizeof keep_b);                                                     \
        memcpy(p##_c, keep_c, sizeof keep_c);                                                     \
        memcpy(p##_r, out, sizeof out);                                                           \
        p##_print(op, n, flags);                                                                  \
    }                                                                                             \
                                                                                                  \
    /* lane-wise ops: A, B, C are the operand vectors at lane i */                                \
    _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wunused-parameter\"")       \
    LAYER_OP_(p, V, T, add, p##_add(A, B))                                                        \
    LAYER_OP_(p, V, T, sub, p##_sub(A, B))                                                        \
    LAYER_OP_(p, V, T, mul, p##_mul(A, B))                                                        \
    LAYER_OP_(p, V, T, div, p##_div(A, B))                                                        \
    LAYER_OP_(p, V, T, fma, p##_fma(A, B, C))                                                     \
    LAYER_OP_(p, V, T, fnma, p##_fnma(A, B, C))                                                   \
    LAYER_OP_(p, V, T, abs, p##_abs(A))                                                           \
    LAYER_OP_(p, V, T, sqrt, p##_sqrt(A))                                                         \
    LAYER_OP_(p, V, T, max, p##_max(A, B))                                                        \
    LAYER_OP_(p, V, T, min, p##_min(A, B))                                                        \
    LAYER_OP_(p, V, T, and, p##_and(A, B))                                                        \
    LAYER_OP_(p, V, T, or, p##_or(A, B))                                                          \
    LAYER_OP_(p, V, T, xor, p##_xor(A, B))                                                        \
    LAYER_OP_(p, V, T, andnot, p##_andnot(A, B))                                                  \
    LAYER_OP_(p, V, T, isnan, p##_mvec(p##_isnan(A)))                                             \
    LAYER_OP_(p, V, T, eq, p##_mvec(p##_eq(A, B)))                                                \
    LAYER_OP_(p, V, T, lt, p##_mvec(p##_lt(A, B)))                                                \
    LAYER_OP_(p, V, T, le, p##_mvec(p##_le(A, B)))                                                \
    LAYER_OP_(p, V, T, nle, p##_mvec(p##_nle(A, B)))                                              \
    LAYER_OP_(p, V, T, mand, p##_mvec(vm##_and(p##_lt(A, B), p##_le(B, C))))                      \
    LAYER_OP_(p, V, T, mor, p##_mvec(vm##_or(p##_lt(A, B), p##_isnan(C))))                        \
    LAYER_OP_(p, V, T, mandnot, p##_mvec(vm##_andnot(p##_lt(A, B), p##_le(B, C))))                \
    LAYER_OP_(p, V, T, select_lt, p##_select(p##_lt(A, B), A, C))                                 \
    LAYER_OP_(p, V, T, zero_if, p##_zero_if(p##_lt(A, B), C))                                     \
    LAYER_OP_(p, V, T, zero_unless, p##_zero_unless(p##_lt(A, B), C))                             \
    LAYER_OP_(p, V, T, select_sign, p##_select_sign(A, B, C))                                     \
    LAYER_OP_(p, V, T, bits, p##_from_bits(p##_as_bits(A)))                                       \
    LAYER_OP_(p, V, T, iadd, p##_from_bits(vi##_add(p##_as_bits(A), p##_as_bits(B))))            \
    LAYER_OP_(p, V, T, isub, p##_from_bits(vi##_sub(p##_as_bits(A), p##_as_bits(B))))            \
    LAYER_OP_(p, V, T, iand, p##_from_bits(vi##_and(p##_as_bits(A), p##_as_bits(B))))            \
    LAYER_OP_(p, V, T, ior, p##_from_bits(vi##_or(p##_as_bits(A), p##_as_bits(B))))              \
    LAYER_OP_(p, V, T, ixor, p##_from_bits(vi##_xor(p##_as_bits(A), p##_as_bits(B))))            \
    LAYER_OP_(p, V, T, shl, p##_from_bits(vi##_slli(p##_as_bits(A), 3)))                          \
    LAYER_OP_(p, V, T, shr, p##_from_bits(vi##_srli(p##_as_bits(A), BITS - 9)))                  \
    LAYER_OP_(p, V, T, igt, p##_mvec(vi##_gt(p##_as_bits(A), p##_as_bits(B))))                    \
    LAYER_OP_(p, V, T, const, p##_load_const(p##_sc))                                             \
    _Pragma("GCC diagnostic pop")                                                                 \
                                                                                                  \
    static void p##_lanewise(void)                                                                \
    {                                                                                             \
        const int n = p##_nvals * p##_nvals;                                                      \
        for (int i = 0; i < n; i++) {                                                             \
            p##_a[i] = p##_vals[i / p##_nvals];                                                   \
            p##_b[i] = p##_vals[i % p##_nvals];                                                   \
            p##_c[i] = p##_vals[(i * 7 + 3) % p##_nvals];                                         \
        }                                                                                         \
        for (int k = 0; k < L; k++) {                                                             \
            p##_sc[k] = (T)0.375;                                                                 \
        }                                                                                         \
        static int none[PAIRS];                                                                   \
        memcpy(p##_r, p##_a, sizeof p##_r);                                                       \
        p##_print("in_a", n, none);                                                               \
        memcpy(p##_r, p##_b, sizeof p##_r);                                                       \
        p##_print("in_b", n, none);                                                               \
        LAYER_RUN_(p, add) LAYER_RUN_(p, sub) LAYER_RUN_(p, mul) LAYER_RUN_(p, div)               \
        LAYER_RUN_(p, fma) LAYER_RUN_(p, fnma) LAYER_RUN_(p, abs) LAYER_RUN_(p, sqrt)             \
        LAYER_RUN_(p, max) LAYER_RUN_(p, min) LAYER_RUN_(p, and) LAYER_RUN_(p, or)                \
        LAYER_RUN_(p, xor) LAYER_RUN_(p, andnot) LAYER_RUN_(p, isnan) LAYER_RUN_(p, eq)           \
        LAYER_RUN_(p, lt) LAYER_RUN_(p, le) LAYER_RUN_(p, nle) LAYER_RUN_(p, select_lt)           \
        LAYER_RUN_(p, mand) LAYER_RUN_(p, mor) LAYER_RUN_(p, mandnot)                              \
        LAYER_RUN_(p, zero_if) LAYER_RUN_(p, zero_unless)                                          \
        LAYER_RUN_(p, select_sign) LAYER_RUN_(p, bits) LAYER_RUN_(p, iadd)  \
        LAYER_RUN_(p, isub) LAYER_RUN_(p, iand) LAYER_RUN_(p, ior) LAYER_RUN_(p, ixor)            \
        LAYER_RUN_(p, shl) LAYER_RUN_(p, shr) LAYER_RUN_(p, igt)                                  \
        LAYER_RUN_(p, const)                                                                      \
        /* any, all, bits: one lane true among false ones, and the reverse, at every position */  \
        for (int k = 0; k < L; k++) {                                                             \
            T m[L];                                                                               \
            for (int j = 0; j < L; j++) {                                                         \
                m[j] = j == k ? (T)-1 : (T)1;                                                     \
            }                                                                                     \
            const M one = p##_lt(p##_loadu(m), p##_zero()), others = p##_le(p##_zero(), p##_loadu(m)); \
            CHECK(vm##_any(one), TNAME " any misses lane %d", k);                                 \
            CHECK(!vm##_any(p##_lt(p##_loadu(m), p##_set1((T)-2))), TNAME " any: nothing is < -2"); \
            CHECK(vm##_all(one) == (L == 1), TNAME " all with lane %d alone", k);                 \
            CHECK(vm##_all(vm##_or(one, others)), TNAME " all: every lane, %d from another mask", k); \
            CHECK(vm##_bits(one) == 1u << k, TNAME " bits of lane %d: %#x", k, vm##_bits(one));   \
            CHECK(vm##_bits(others) == ((1u << L) - 1u) - (1u << k), TNAME " bits without lane %d", k); \
        }                                                                                         \
        for (int n = 0; n <= L; n++) { /* first_n */                                              \
            const M f = vm##_first_n(n);                                                          \
            CHECK(vm##_bits(f) == (1u << n) - 1u, TNAME " first_n(%d) bits %#x", n, vm##_bits(f)); \
            CHECK(vm##_any(f) == (n > 0) && vm##_all(f) == (n == L), TNAME " first_n(%d) any/all", n); \
        }                                                                                         \
    }                                                                                             \
                                                                                                  \
    /* the first n lanes, contiguous and strided: lane k is p[k * inc], other lanes +0; a store  \
       writes those n elements only, in lane order. The last element touched ends a page. */     \
    static void p##_partial(void)                                                                 \
    {                                                                                             \
        unsigned char *end = guarded_end();                                                       \
        T vals[L], got[L];                                                                        \
        for (int k = 0; k < L; k++) {                                                             \
            vals[k] = (T)(k + 10);                                                                \
        }                                                                                         \
        for (int inc = -2; inc <= 3; inc++) {                                                     \
            for (int n = 0; n <= L; n++) {                                                        \
                /* at the page end where the elements run forward, else in a local array */       \
                T local[8 * L + 1];                                                               \
                const ptrdiff_t last = n > 0 ? (ptrdiff_t)(n - 1) * inc : 0;                      \
                T *base = inc > 0 && end != NULL ? (T *)(void *)end - last - 1 : local + 4 * L;   \
                T *lo = inc > 0 ? base : base - 2 * L, *hi = base + (inc > 0 ? last : 3 * L);     \
                for (T *q = lo; q <= hi; q++) {                                                   \
                    *q = (T)-1;                                                                   \
                }                                                                                 \
                for (int k = 0; k < n; k++) {                                                     \
                    base[k * inc] = vals[k];                                                      \
                }                                                                                 \
                if (inc == 1) {                                                                   \
                    p##_storeu(got, p##_loadn(base, n));                                          \
                    for (int k = 0; k < L; k++) {                                                 \
                        CHECK(p##_bits(got[k]) == p##_bits(k < n ? vals[k] : (T)0), TNAME " loadn n %d lane %d", n, k); \
                    }                                                                             \
                }                                                                                 \
                p##_storeu(got, p##_loadsn(base, inc, n));                                        \
                for (int k = 0; k < L; k++) {                                                     \
                    const T want = k < n ? (inc == 0 ? vals[n - 1] : vals[k]) : (T)0;             \
                    CHECK(p##_bits(got[k]) == p##_bits(want), TNAME " loadsn inc %d n %d lane %d", inc, n, k); \
                }                                                                                 \
                for (int mode = inc == 1 ? 0 : 1; mode < 2; mode++) { /* storen, storesn */       \
                    for (T *q = lo; q <= hi; q++) {                                               \
                        *q = (T)-1;                                                               \
                    }                                                                             \
                    if (mode == 0) {                                                              \
                        p##_storen(base, n, p##_loadu(vals));                                     \
                    } else {                                                                      \
                        p##_storesn(base, inc, n, p##_loadu(vals));                               \
                    }                                                                             \
                    for (T *q = lo; q <= hi; q++) {                                               \
                        const ptrdiff_t off = q - base;                                           \
                        int lane = -1; /* the last lane k < n stored at q, if any */              \
                        for (int k = 0; k < n; k++) {                                             \
                            lane = (ptrdiff_t)k * inc == off ? k : lane;                          \
                        }                                                                         \
                        CHECK(*q == (lane >= 0 ? vals[lane] : (T)-1), TNAME " %s inc %d n %d at %d", \
                              mode ? "storesn" : "storen", inc, n, (int)off);                     \
                    }                                                                             \
                }                                                                                 \
            }                                                                                     \
        }                                                                                         \
    }                                                                                             \
                                                                                                  \
    static void p##_lane_order(void)                                                              \
    {                                                                                             \
        T x[6 * L], y[6 * L];                                                                     \
        for (int k = 0; k < 6 * L; k++) {                                                         \
            x[k] = (T)(k + 1);                                                                    \
            y[k] = -1;                                                                            \
        }                                                                                         \
        _Alignas(64) T al[L];                                                                     \
        p##_store(al, p##_loadu(x + 1));                                                          \
        p##_storeu(y + 1, p##_load(al));                                                          \
        for (int k = 0; k < L; k++) {                                                             \
            CHECK(al[k] == x[k + 1] && y[k + 1] == x[k + 1], TNAME " load/store lane %d", k);     \
        }                                                                                         \
        for (int inc = -2; inc <= 3; inc++) { /* strided: lane k is p[k * inc] */                 \
            const T *base = x + 2 * L;                                                            \
            T got[L];                                                                             \
            p##_storeu(got, p##_loads(base, inc));                                                \
            for (int k = 0; k < L; k++) {                                                         \
                CHECK(got[k] == base[k * inc], TNAME " loads inc %d lane %d", inc, k);             \
            }                                                                                     \
            T z[6 * L];                                                                           \
            memset(z, 0, sizeof z);                                                               \
            p##_stores(z + 2 * L, inc, p##_loadu(x));                                             \
            for (int k = 0; k < L; k++) { /* the last lane stored wins (inc == 0) */              \
                const int last = inc == 0 ? L - 1 : k;                                            \
                CHECK(z[2 * L + k * inc] == x[last], TNAME " stores inc %d lane %d", inc, k);     \
            }                                                                                     \
        }                                                                                         \
        p##_partial();                                                                            \
        /* reductions: exact sums of powers of two, so the order cannot matter */                 \
        T pw[L];                                                                                  \
        T want_sum = 0, want_max = 0;                                                             \
        for (int k = 0; k < L; k++) {                                                             \
            pw[k] = (T)ldexp(1.0, (k * 5) % 7);                                                   \
            want_sum += pw[k];                                                                    \
            want_max = pw[k] > want_max ? pw[k] : want_max;                                       \
        }                                                                                         \
        CHECK(p##_hsum(p##_loadu(pw)) == want_sum, TNAME " hsum");                                \
        CHECK(p##_hmax(p##_loadu(pw)) == want_max, TNAME " hmax");                                \
        CHECK(p##_bits(p##_hsum(p##_set1((T)-0.0))) == p##_bits((T)-0.0), TNAME " hsum(-0)");     \
    }

#define LAYER_OP_(p, V, T, name, expr)                                                            \
    static OPAQUE void p##_op_##name(int i)                                                       \
    {                                                                                             \
        const V A = p##_loadu(p##_a + i), B = p##_loadu(p##_b + i), C = p##_loadu(p##_c + i);     \
        (void)A; (void)B; (void)C;                                                                \
        p##_storeu(p##_r + i, (expr));                                                            \
    }
#define LAYER_RUN_(p, name) p##_run(#name, p##_op_##name, p##_nvals * p##_nvals);

LAYER_TESTS(vf64, VF64, double, VI64, uint64_t, VF64_LANES, vi64, 64, "f64", VM64, vm64)
LAYER_TESTS(vf32, VF32, float, VI32, uint32_t, VF32_LANES, vi32, 32, "f32", VM32, vm32)

/* float32 <-> float64 by halves, and float32 widened from memory */
static void conversions(void)
{
    float f[2 * VF32_LANES];
    double d[VF32_LANES];
    for (int k = 0; k < 2 * VF32_LANES; k++) {
        f[k] = (float)(k + 1) * 0.1f;
    }
#if SIMD_HAVE_F32_F64_CVT
    const VF32 v = vf32_loadu(f);
    vf64_storeu(d, vf64_cvt_f32_lo(v));
    for (int k = 0; k < VF64_LANES && k < VF32_LANES; k++) {
        CHECK(d[k] == (double)f[k], "cvt_f32_lo lane %d", k);
    }
    vf64_storeu(d, vf64_cvt_f32_hi(v));
    for (int k = 0; k < VF64_LANES && VF32_LANES > 1; k++) {
        CHECK(d[k] == (double)f[VF32_LANES / 2 + k], "cvt_f32_hi lane %d", k);
    }
    double lo[VF64_LANES], hi[VF64_LANES];
    for (int k = 0; k < VF64_LANES; k++) {
        lo[k] = 1.0 + k;
        hi[k] = 100.0 + k;
    }
    float out[VF32_LANES];
    vf32_storeu(out, vf32_cvt_f64_pair(vf64_loadu(lo), vf64_loadu(hi)));
    for (int k = 0; k < VF32_LANES; k++) {
        const double want = VF32_LANES == 1 ? lo[0] : k < VF64_LANES ? lo[k] : hi[k - VF64_LANES];
        CHECK(out[k] == (float)want, "cvt_f64_pair lane %d", k);
    }
#endif
    vf64_storeu(d, vf64_loadu_f32(f));
    for (int k = 0; k < VF64_LANES; k++) {
        CHECK(d[k] == (double)f[k], "loadu_f32 lane %d", k);
    }
    vf64_storeu(d, vf64_loads_f32(f + 1, 2));
    for (int k = 0; k < VF64_LANES; k++) {
        CHECK(d[k] == (double)f[1 + 2 * k], "loads_f32 lane %d", k);
    }
    unsigned char *end = guarded_end();
    for (int k = 1; k <= 4 * VF64_LANES && end != NULL; k++) { /* what the strided loads read */
        ((float *)(void *)end)[-k] = (float)k * 0.5f;
    }
    for (int n = 0; n <= VF64_LANES && end != NULL; n++) { /* the n elements end at the page end */
        float *src = (float *)(void *)end - n;
        memcpy(src, f, sizeof(float) * (size_t)n);
        vf64_storeu(d, vf64_loadn_f32(src, n));
        for (int k = 0; k < VF64_LANES; k++) {
            CHECK(d[k] == (k < n ? (double)f[k] : 0.0), "loadn_f32 n %d lane %d", n, k);
        }
        for (int inc = -1; inc <= 2; inc++) {
            const float *base = inc > 0 ? (float *)(void *)end - (n > 0 ? (n - 1) * inc : 0) - 1 : f + VF64_LANES;
            vf64_storeu(d, vf64_loadsn_f32(base, inc, n));
            for (int k = 0; k < VF64_LANES; k++) {
                CHECK(d[k] == (k < n ? (double)base[k * inc] : 0.0), "loadsn_f32 inc %d n %d lane %d", inc, n, k);
            }
        }
    }
}

/* vf64_lookup: lane k is t[i_k], for indices anywhere in a table and in
   any order, repeated ones included */
static void table_lookup(void)
{
    static double t[1 << 10];
    for (int j = 0; j < (1 << 10); j++) {
        t[j] = j * 0.5 - 7.0;
    }
    for (int start = 0; start < 300; start++) {
        uint64_t idx[VF64_LANES];
        double got[VF64_LANES];
        for (int k = 0; k < VF64_LANES; k++) {
            idx[k] = (uint64_t)((start * 37 + k * 211 + (k == 1 ? 0 : k * k)) % (1 << 10));
        }
        VI64 iv;
        memcpy(&iv, idx, sizeof iv);
        vf64_storeu(got, vf64_lookup(t, iv));
        for (int k = 0; k < VF64_LANES; k++) {
            CHECK(got[k] == t[idx[k]], "lookup lane %d: index %llu gives %g, not %g", k,
                  (unsigned long long)idx[k], got[k], t[idx[k]]);
        }
    }
}

/* vf64_lookup16: lane k is t[i_k mod 16], whatever the index's other bits */
static void table_lookup16(void)
{
    static _Alignas(64) double t[16];
    for (int j = 0; j < 16; j++) {
        t[j] = j * -0.75 + 3.0;
    }
    for (int start = 0; start < 300; start++) {
        uint64_t idx[VF64_LANES];
        double got[VF64_LANES];
        for (int k = 0; k < VF64_LANES; k++) {
            idx[k] = (uint64_t)(start * 37 + k * 211 + (k == 1 ? 0 : k * k)) * (k & 1 ? UINT64_C(0x9e3779b97f4a7c15) : 1);
        }
        VI64 iv;
        memcpy(&iv, idx, sizeof iv);
        vf64_storeu(got, vf64_lookup16(t, iv));
        for (int k = 0; k < VF64_LANES; k++) {
            CHECK(got[k] == t[idx[k] & 15], "lookup16 lane %d: index %llu gives %g, not %g", k,
                  (unsigned long long)idx[k], got[k], t[idx[k] & 15]);
        }
    }
}

static void special_values(void)
{
    const double d[] = {0.0, -0.0, 1.0, -1.0, 1.5, -2.5, 3.0, 0.1, 4.9406564584124654e-324, -4.9406564584124654e-324,
                        2.2250738585072014e-308, -1e-310, 1e300, 1.7976931348623157e308, -1.7976931348623157e308,
                        INFINITY, -INFINITY, NAN, -NAN};
    const float f[] = {0.0f, -0.0f, 1.0f, -1.0f, 1.5f, -2.5f, 3.0f, 0.1f, 1.40129846e-45f, -1.40129846e-45f,
                       1.17549435e-38f, -1e-40f, 1e30f, 3.40282347e38f, -3.40282347e38f,
                       INFINITY, -INFINITY, NAN, -NAN};
    vf64_nvals = (int)(sizeof d / sizeof d[0]);
    vf32_nvals = (int)(sizeof f / sizeof f[0]);
    memcpy(vf64_vals, d, sizeof d);
    memcpy(vf32_vals, f, sizeof f);
}

/* the fused references for fma/fnma, in plain C (the scalar layer's are
   unfused: its output is the reference for layers without FMA) */
static void fused_references(void)
{
    const int n64 = vf64_nvals * vf64_nvals, n32 = vf32_nvals * vf32_nvals;
    static int none[PAIRS];
    for (int i = 0; i < n64; i++) {
        vf64_r[i] = fma(vf64_a[i], vf64_b[i], vf64_c[i]);
    }
    vf64_print("fma_fused", n64, none);
    for (int i = 0; i < n64; i++) {
        vf64_r[i] = fma(-vf64_a[i], vf64_b[i], vf64_c[i]);
    }
    vf64_print("fnma_fused", n64, none);
    for (int i = 0; i < n32; i++) {
        vf32_r[i] = fmaf(vf32_a[i], vf32_b[i], vf32_c[i]);
    }
    vf32_print("fma_fused", n32, none);
    for (int i = 0; i < n32; i++) {
        vf32_r[i] = fmaf(-vf32_a[i], vf32_b[i], vf32_c[i]);
    }
    vf32_print("fnma_fused", n32, none);
}

/* load2/store2 (optional, SIMD_HAVE_LOAD2): 2 L elements, the even ones
   are a's lanes, the odd ones b's; store2 writes exactly those 2 L back */
#ifdef SIMD_HAVE_LOAD2
#define PAIRS_TEST_(p, T, L, TNAME)                                                               \
    static void p##_pairs(void)                                                                   \
    {                                                                                             \
        T x[2 * L + 2], a[L], b[L], y[2 * L + 2];                                                 \
        for (int k = 0; k < 2 * L + 2; k++) {                                                     \
            x[k] = (T)(k + 1);                                                                    \
            y[k] = (T)-1;                                                                         \
        }                                                                                         \
        VF_##p va, vb;                                                                            \
        p##_load2(x + 1, &va, &vb);                                                               \
        p##_storeu(a, va);                                                                        \
        p##_storeu(b, vb);                                                                        \
        for (int k = 0; k < L; k++) {                                                             \
            CHECK(a[k] == x[1 + 2 * k] && b[k] == x[2 + 2 * k], TNAME " load2 lane %d", k);        \
        }                                                                                         \
        p##_store2(y + 1, va, vb);                                                                \
        for (int k = 0; k < 2 * L + 2; k++) {                                                     \
            const T want = k == 0 || k == 2 * L + 1 ? (T)-1 : x[k];                               \
            CHECK(y[k] == want, TNAME " store2 element %d", k);                                   \
        }                                                                                         \
    }
typedef VF64 VF_vf64;
typedef VF32 VF_vf32;
PAIRS_TEST_(vf64, double, VF64_LANES, "vf64")
PAIRS_TEST_(vf32, float, VF32_LANES, "vf32")
#endif

int main(void)
{
    special_values();
    printf("layer %s lanes %d %d fma_native %d\n", LAYER, VF64_LANES, VF32_LANES, SIMD_FMA_NATIVE);
    vf64_lanewise();
    vf32_lanewise();
    fused_references();
    vf64_lane_order();
    vf32_lane_order();
    conversions();
    table_lookup();
    table_lookup16();
#ifdef SIMD_HAVE_LOAD2
    vf64_pairs();
    vf32_pairs();
#endif
    printf("done %d failures\n", failures);
    return failures != 0;
}
