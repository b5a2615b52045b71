/*
 * gemm.h -- row-major gemm, written once over the vector layer (the same
 * re-include idea as level1.h): cache blocking, packed panels and a
 * register-blocked micro-kernel, the Goto/BLIS algorithm.
 *
 * Include it after exactly one vector layer. It defines SIMD_HAVE_GEMM and
 * static SIMD_NAME(sgemm), SIMD_NAME(dgemm) with the signature of
 * hostlib_{s,d}gemm_fn:
 *
 *   C (m x n) = alpha * op(A) @ op(B) + beta * C
 *
 * op(A) is m x k, op(B) is k x n; a trans flag (HOSTLIB_TRANS == 1) means
 * the stored row-major matrix is the transpose (k x m, n x k); lda/ldb/ldc
 * are the stored matrices' row strides in elements. beta == 0: C is only
 * written (nan in it does not propagate); alpha == 0 or k == 0: A and B are
 * not read and C = beta * C. m <= 0 or n <= 0: nothing happens.
 *
 * The algorithm. For each NC-wide column block of C and each KC-deep slice
 * of the k dimension, the KC x NC block of alpha * op(B) is packed into
 * NR-wide micro-panels (row p of a micro-panel is NR contiguous elements),
 * and for each MC-tall row block the MC x KC block of op(A) into MR-tall
 * micro-panels (column p is MR contiguous elements). The micro-kernel
 * multiplies one A micro-panel by one B micro-panel: an MR x NR tile of C
 * held in MR * NV vector registers (NR = NV vector widths), one rank-1
 * update per p: NV vector loads of B, MR broadcasts of A, MR * NV FMAs.
 * Packing turns every transpose and leading dimension into the same
 * contiguous, aligned stream, and pads the edge micro-panels with zeros,
 * so the micro-kernel has no special cases; edge tiles of C are written
 * through a small buffer. The first k slice applies beta, later ones add.
 * alpha is applied while packing B (one rounding more per product, well
 * inside the reassociation bound).
 *
 * Cache use (the usual one): a B micro-panel (KC x NR) stays in L1 while
 * the A micro-panels stream past it from L2, where the packed MC x KC block
 * of A stays; the packed KC x NC block of B lives in L2/L3. (On Zen 4 a B
 * micro-panel of two L1's worth measured faster: fewer passes over C; see
 * hostlib/_host/params.py, which sizes the blocks from the caches at run
 * time.)
 *
 * Small and skinny problems: packing costs a copy of each operand (A's a
 * transposing, scalar one), which pays only when the copy is reused often.
 * So each operand may instead be read in place by the same micro-kernel,
 * its loads taking the stored matrix's strides (not with BCAST, which needs
 * A packed, nor on the one-lane scalar layer, slower so): A when few B
 * micro-panels use it (n <= 2 NR), or some (n <= 16 NR) and it fits
 * GEMM_IN_PLACE_BYTES (an L2's worth); B when few
 * A micro-panels use it (m <= 6 MR: a large B is then read from memory
 * once, not also written and re-read as a packed copy), or some
 * (m <= 16 MR) and k x n fits. (Reused more, a packed copy costs little and
 * reads faster: 2000x2000x16 lost up to 30% in place.) B only if it is not
 * transposed (its rows would be strided columns) and alpha == 1 (packing
 * applies alpha). A read in place repeats its last row into an edge tile's
 * missing rows (computed, never stored), so nothing outside A is read; a B
 * micro-panel whose width is not a multiple of the vector width is packed,
 * alone. Either way every element of C is computed by the same operations
 * in the same order, so the path taken never changes a result (blocks of
 * one call split over threads may take different paths). With both in place
 * the call needs no buffer; n = 64 float64 on AVX-512 went from
 * 0.87x to 1.1x OpenBLAS.
 *
 * k <= 4 (a rank-1 to rank-4 update) skips the blocks altogether: each row
 * of C is read and written once, in order, against alpha * op(B) copied
 * into k rows, with the same operations per element as the blocked path
 * (float64 k = 1, 512 x 512 on AVX2: 354 -> 42 us).
 *
 * Packing buffers. SIMD_NAME(dgemm)/(sgemm), the kernels tables' entry,
 * allocates them per call (no global state: any number of threads may call
 * at once); if malloc fails, a plain unpacked loop computes the same
 * result, slowly. SIMD_NAME(dgemm_ws)/(sgemm_ws) computes in a workspace
 * its caller provides, no smaller than SIMD_NAME(dgemm_ws_bytes)(m, n, k)
 * (a bound for every call of at most m x n x k, set by the blocks: KC x NC
 * of B and KC x MC of A at most, whatever the problem), so that a caller
 * making many calls allocates once (lapack.h's factorizations). Both run
 * the same plan and loops: the same bits.
 *
 * Per-layer parameters (keyed on the layer's lane count, VF64_LANES; an
 * includer may set GEMM_{D,S}_{MR,NV,BCAST,KC,MC,NC} before the include):
 *   MR     rows of the register tile
 *   NV     vectors per tile row (NR = NV * lanes columns)
 *   BCAST  1: packing stores every A element LANES times, so the kernel
 *          loads a ready vector instead of broadcasting (layers without a
 *          broadcast load, i.e. SSE2)
 *   KC     depth of a packed slice
 *   MC     rows of a packed A block (a multiple of MR)
 *   NC     columns of a packed B block (a multiple of NR)
 * and, for all layers, GEMM_IN_PLACE_BYTES (above).
 * The vector layer's operations used: load, loadu, loads, store, storeu,
 * set1, zero, add, mul, fma, and the scalar sf32/sf64_fma.
 */
#ifndef GEMM_PASS
#ifndef SIMD_GEMM_H
#define SIMD_GEMM_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#ifndef SIMD_NAME
#error "include a vector layer (simd/vec_*.h) before gemm.h"
#endif
#include "layer_api.h"

#if defined(__GNUC__) || defined(__clang__)
#define GEMM_INLINE static inline __attribute__((always_inline))
#define GEMM_NOINLINE static __attribute__((noinline))
#define GEMM_PREFETCH_W(p) __builtin_prefetch((p), 1, 3)
/* the register tile's loops unrolled before scalar replacement: without it
   GCC keeps the accumulators in a stack array outside the k loop (zeroed,
   stored and reloaded there: ~30 cycles per tile, a quarter at k = 16) */
#define GEMM_UNROLL _Pragma("GCC unroll 32")
#define GEMM_MAYBE_UNUSED __attribute__((unused))
#elif defined(_MSC_VER)
#define GEMM_INLINE static __forceinline
#define GEMM_NOINLINE static __declspec(noinline)
#define GEMM_PREFETCH_W(p) ((void)(p))
#define GEMM_UNROLL
#define GEMM_MAYBE_UNUSED
#else
#define GEMM_INLINE static inline
#define GEMM_NOINLINE static
#define GEMM_PREFETCH_W(p) ((void)(p))
#define GEMM_UNROLL
#define GEMM_MAYBE_UNUSED
#endif

/* Packing buffers are 64-byte aligned (a cache line, and any vector's
   alignment). malloc's pointer is kept just below the aligned block. */
#define GEMM_ALIGN 64

/* On Linux a buffer of GEMM_HUGE_BYTES or more is aligned to 2 MiB and
   asked for transparent huge pages (madvise: where THP is "madvise", the
   common default, nothing else gives them). The packed B block of a large
   call is KC x NC (16 MiB at KC 512, NC 4096 float64): in 4 KiB pages that
   is 4096 pages, more than Zen 4's 3072-entry L2 TLB, and every B
   micro-panel streamed from it crosses 16 of them. numpy already asks for
   huge pages for its own arrays of 4 MiB and more. 0: never. */
#ifndef GEMM_HUGE_BYTES
#define GEMM_HUGE_BYTES 4194304 /* 4 MiB */
#endif
#if defined(__linux__) && GEMM_HUGE_BYTES > 0
#include <sys/mman.h>
#endif
#define GEMM_HUGE_ALIGN ((size_t)2 << 20)

static void *gemm_alloc_aligned(size_t bytes)
{
    const size_t align = GEMM_HUGE_BYTES > 0 && bytes >= (size_t)GEMM_HUGE_BYTES ? GEMM_HUGE_ALIGN : GEMM_ALIGN;
    if (bytes > SIZE_MAX - align - sizeof(void *)) {
        return NULL;
    }
    void *raw = malloc(bytes + align + sizeof(void *));
    if (raw == NULL) {
        return NULL;
    }
    uintptr_t p = ((uintptr_t)raw + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1);
    ((void **)p)[-1] = raw;
#if defined(__linux__) && GEMM_HUGE_BYTES > 0 && defined(MADV_HUGEPAGE)
    if (align == GEMM_HUGE_ALIGN) {
        /* whole huge pages inside the block only; advice, so a failure is harmless */
        (void)madvise((void *)p, bytes / GEMM_HUGE_ALIGN * GEMM_HUGE_ALIGN, MADV_HUGEPAGE);
    }
#endif
    return (void *)p;
}

static void gemm_free_aligned(void *p)
{
    if (p != NULL) {
        free(((void **)p)[-1]);
    }
}

/* ---- the per-layer parameters ----
   Measured on AMD Zen 4 (32 KiB L1d, 1 MiB L2 per core); the GFLOP/s are
   flat over KC 128-512 and MC 48-240, so the values are the textbook ones
   that also fit older cores (32 KiB L1, 256 KiB L2).
   Registers: x86-64 has 16 vector registers without AVX-512. The tile
   takes MR * NV of them, plus NV for the B row and one or two for the A
   value and (without FMA) the product. A tile that does not fit spills an
   accumulator to the stack: ~40% slower (SSE2 4 x 3 when GCC 12 did it). */
#if VF64_LANES == 2 && defined(SIMD_VEC_REGISTERS) && SIMD_VEC_REGISTERS >= 32
/* NEON (AArch64): 32 registers of 128 bits, FMA. 24 accumulators + NV B
   vectors + one A splat (LD1R, a load) leave 3-4 registers free; the
   shapes are BLIS' armv8a ones: float64 6 x 4 vectors (6 x 8 elements),
   float32 8 x 3 (8 x 12). Per k step float64 loads 4 B vectors and 6 A
   elements for 24 FMAs, float32 3 and 8 for 24: within the 2 loads per
   2 FMAs per cycle of current cores (Cortex-A76/Neoverse N1 and later). */
#define GEMM_DEF_MR 6
#define GEMM_DEF_NV 4
#define GEMM_DEF_S_MR 8
#define GEMM_DEF_S_NV 3
#define GEMM_DEF_BCAST 0
#elif VF64_LANES == 4 /* AVX2 + FMA: 6 x 2 ymm accumulators (BLIS' Haswell shape) */
#define GEMM_DEF_MR 6
#define GEMM_DEF_NV 2
#define GEMM_DEF_BCAST 0 /* vbroadcastsd/ss from memory is one load */
#elif VF64_LANES == 2
/* SSE2: 4 x 3 accumulators + 3 B + 1 A + 1 product = 16. There is no
   broadcast load (movsd + unpcklpd would take the shuffle ports the
   multiplies need), so packing stores each A element LANES times and the
   kernel loads it as a vector: +13-19% over broadcasting in the kernel. */
#define GEMM_DEF_MR 4
#define GEMM_DEF_NV 3
#define GEMM_DEF_BCAST 1
#elif VF64_LANES == 1
/* scalar: 16 accumulators. On x86-64 the compiler turns the tile rows
   into SSE2 pairs by itself; elsewhere 4 x 4 suits 32 FP registers. */
#define GEMM_DEF_MR 4
#define GEMM_DEF_NV 4
#define GEMM_DEF_BCAST 0
#else /* a layer this file does not know yet: a conservative tile */
#define GEMM_DEF_MR 4
#define GEMM_DEF_NV 2
#define GEMM_DEF_BCAST 0
#endif

/* Cache blocks, in elements: the compiled defaults. The host replaces them
   when it loads the module with blocks derived from the caches it detects
   (hostlib/_host/params.py, through gemm_params.h); these serve where it
   does not. KC = 256: a B micro-panel (KC x NR) takes
   6-16 KiB, half of L1 or less. MC x KC of packed A takes 96-196 KiB: it
   stays in L2 even on cores with 256 KiB (Zen 4 has 1 MiB, but larger MC
   measured no faster). KC x NC of packed B (4-8 MiB at most) lives in
   L3; each B micro-panel is read from there once per MC rows. */
#ifndef GEMM_D_MR
#define GEMM_D_MR GEMM_DEF_MR
#endif
#ifndef GEMM_D_NV
#define GEMM_D_NV GEMM_DEF_NV
#endif
#ifndef GEMM_D_BCAST
#define GEMM_D_BCAST GEMM_DEF_BCAST
#endif
#ifndef GEMM_D_KC
#define GEMM_D_KC 256
#endif
#ifndef GEMM_D_MC
#define GEMM_D_MC (GEMM_D_MR * 12)
#endif
#ifndef GEMM_D_NC
#define GEMM_D_NC (GEMM_D_NV * VF64_LANES * (4096 / (GEMM_D_NV * VF64_LANES)))
#endif
#ifndef GEMM_DEF_S_MR /* float32's tile, where it differs */
#define GEMM_DEF_S_MR GEMM_DEF_MR
#define GEMM_DEF_S_NV GEMM_DEF_NV
#endif
#ifndef GEMM_S_MR
#define GEMM_S_MR GEMM_DEF_S_MR
#endif
#ifndef GEMM_S_NV
#define GEMM_S_NV GEMM_DEF_S_NV
#endif
#ifndef GEMM_S_BCAST
#define GEMM_S_BCAST GEMM_DEF_BCAST
#endif
#ifndef GEMM_S_KC
#define GEMM_S_KC 256
#endif
#ifndef GEMM_S_MC
#define GEMM_S_MC (GEMM_S_MR * (GEMM_S_BCAST ? 12 : 32))
#endif
#ifndef GEMM_S_NC
#define GEMM_S_NC (GEMM_S_NV * VF32_LANES * (4096 / (GEMM_S_NV * VF32_LANES)))
#endif

/* Operands read in place (not packed) up to this size in bytes: the
   matrix then stays in L2 (256 KiB or more on every core with AVX2) and
   the micro-kernel reads it there about as fast as a packed copy. */
#ifndef GEMM_IN_PLACE_BYTES
#define GEMM_IN_PLACE_BYTES ((size_t)256 << 10)
#endif

/* The cache blocks in use: GEMM_{D,S}_{MC,KC,NC} are their defaults, and a
   kernel module's hostlib_set_parameters() changes them at run time (the
   host derives them from the detected caches when it loads the module:
   hostlib/_host/params.py). Plain data, readable from the module's
   baseline init code; each call reads them once, when it starts
   (gemm_params.h says why that is safe while calls run). */
#include "gemm_params.h"
#if (GEMM_D_MC) % (GEMM_D_MR) != 0 || (GEMM_D_NC) % (GEMM_D_NV * VF64_LANES) != 0 || \
    (GEMM_S_MC) % (GEMM_S_MR) != 0 || (GEMM_S_NC) % (GEMM_S_NV * VF32_LANES) != 0
#error "gemm.h: MC must be a multiple of MR and NC of NR"
#endif
extern hostlib_gemm_params SIMD_NAME(gemm_params);
hostlib_gemm_params SIMD_NAME(gemm_params) = {
    {GEMM_D_MR, GEMM_D_NV * VF64_LANES, (int)sizeof(double), GEMM_D_MC, GEMM_D_KC, GEMM_D_NC},
    {GEMM_S_MR, GEMM_S_NV * VF32_LANES, (int)sizeof(float), GEMM_S_MC, GEMM_S_KC, GEMM_S_NC},
};

/* pass 1: float64 */
#define GEMM_PASS 1
#define T double
#define V VF64
#define LANES VF64_LANES
#define V_(op) vf64_##op
#define S_(op) sf64_##op
#define G_(x) gemm_f64_##x
#define GEMM_FN SIMD_NAME(dgemm)
#define GEMM_WS_FN SIMD_NAME(dgemm_ws)
#define GEMM_WS_BYTES SIMD_NAME(dgemm_ws_bytes)
#define MR GEMM_D_MR
#define NV GEMM_D_NV
#define AB (GEMM_D_BCAST ? LANES : 1)
#define GEMM_BLOCKS (SIMD_NAME(gemm_params).d)
#include "gemm.h"

/* pass 2: float32 */
#define GEMM_PASS 2
#define T float
#define V VF32
#define LANES VF32_LANES
#define V_(op) vf32_##op
#define S_(op) sf32_##op
#define G_(x) gemm_f32_##x
#define GEMM_FN SIMD_NAME(sgemm)
#define GEMM_WS_FN SIMD_NAME(sgemm_ws)
#define GEMM_WS_BYTES SIMD_NAME(sgemm_ws_bytes)
#define MR GEMM_S_MR
#define NV GEMM_S_NV
#define AB (GEMM_S_BCAST ? LANES : 1)
#define GEMM_BLOCKS (SIMD_NAME(gemm_params).s)
#include "gemm.h"

#define SIMD_HAVE_GEMM 1

#endif /* SIMD_GEMM_H */

#else /* GEMM_PASS: the generic code, instantiated once per element type */

#define NR (NV * LANES)

/* ---------------- C = beta * C (alpha == 0 or k == 0) ---------------- */

static void G_(scale_c)(ptrdiff_t m, ptrdiff_t n, T beta, T *c, ptrdiff_t ldc)
{
    if (beta == 1) {
        return;
    }
    for (ptrdiff_t i = 0; i < m; i++) {
        T *cr = c + i * ldc;
        if (beta == 0) {
            for (ptrdiff_t j = 0; j < n; j++) {
                cr[j] = 0; /* not beta * cr[j]: nan * 0 is nan */
            }
        } else {
            for (ptrdiff_t j = 0; j < n; j++) {
                cr[j] = beta * cr[j];
            }
        }
    }
}

/* ---------------- small k: C row by row ---------------- */

/* k <= GEMM_RANK_K, a rank-1 to rank-4 update. The blocked path writes C
   one MR x NR tile at a time, hopping from row to row, and packs as much
   as it computes: float64 k = 1, 512 x 512 on AVX2 ran at 0.79x OpenBLAS.
   Here each row of C is read and written once, in order, against
   alpha * op(B) copied into k contiguous rows. Every element of C gets
   the operations the blocked path gives it, in the same order (acc = 0,
   acc = a_ip * (alpha b_pj) + acc for p = 0 .. k-1, then beta as the
   micro-kernel applies it), so the two paths agree to the bit. The copy
   takes at most nc columns at a time (bs: G_(rank_bytes)), so that its
   size is bounded by the blocks, not by n. */
#define GEMM_RANK_K 4
static size_t G_(rank_bytes)(ptrdiff_t n, ptrdiff_t k, ptrdiff_t nc)
{
    return (size_t)k * (size_t)(n < nc ? n : nc) * sizeof(T);
}

static void G_(rank_k)(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, const T *a,
                       ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c, ptrdiff_t ldc, ptrdiff_t nc,
                       T *restrict bs)
{
    const ptrdiff_t sar = ta ? 1 : lda, sap = ta ? lda : 1; /* op(A)[i, p] = a[i*sar + p*sap] */
    const V bvec = V_(set1)(beta);
    for (ptrdiff_t j0 = 0; j0 < n; j0 += nc) {
        const ptrdiff_t w = n - j0 < nc ? n - j0 : nc;
        for (ptrdiff_t p = 0; p < k; p++) {
            for (ptrdiff_t j = 0; j < w; j++) {
                bs[p * w + j] = alpha * (tb ? b[(j0 + j) * ldb + p] : b[p * ldb + j0 + j]);
            }
        }
        for (ptrdiff_t i = 0; i < m; i++) {
            T ai[GEMM_RANK_K];
            V av[GEMM_RANK_K];
            for (ptrdiff_t p = 0; p < k; p++) {
                ai[p] = a[i * sar + p * sap];
                av[p] = V_(set1)(ai[p]);
            }
            T *const cr = c + i * ldc + j0;
            ptrdiff_t j = 0;
            for (; w - j >= LANES; j += LANES) {
                V acc = V_(zero)();
                for (ptrdiff_t p = 0; p < k; p++) {
                    acc = V_(fma)(av[p], V_(loadu)(bs + p * w + j), acc);
                }
                if (beta == 0) {
                    V_(storeu)(cr + j, acc);
                } else if (beta == 1) {
                    V_(storeu)(cr + j, V_(add)(V_(loadu)(cr + j), acc));
                } else {
                    V_(storeu)(cr + j, V_(fma)(bvec, V_(loadu)(cr + j), acc));
                }
            }
            for (; j < w; j++) {
                T acc = 0;
                for (ptrdiff_t p = 0; p < k; p++) {
                    acc = S_(fma)(ai[p], bs[p * w + j], acc);
                }
                cr[j] = beta == 0 ? acc : beta == 1 ? cr[j] + acc : S_(fma)(beta, cr[j], acc);
            }
        }
    }
}

/* ---------------- without buffers (malloc failed) ---------------- */

static void G_(unpacked)(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                         const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c,
                         ptrdiff_t ldc)
{
    const ptrdiff_t sai = ta ? 1 : lda, sap = ta ? lda : 1; /* op(A)[i, p] = a[i*sai + p*sap] */
    const ptrdiff_t sbp = tb ? 1 : ldb, sbj = tb ? ldb : 1; /* op(B)[p, j] = b[p*sbp + j*sbj] */
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            T s = 0;
            for (ptrdiff_t p = 0; p < k; p++) {
                s += a[i * sai + p * sap] * b[p * sbp + j * sbj];
            }
            T *cij = c + i * ldc + j;
            *cij = beta == 0 ? alpha * s : alpha * s + beta * *cij;
        }
    }
}

/* ---------------- packing ---------------- */

/* One A micro-panel: element (r, p) is src[r*sr + p*sp] (r < mr <= MR) and
   goes to dst[(p*MR + r)*AB + 0..AB-1]; rows from mr on are zero. Inlined
   with one stride a constant 1, so each layout gets its own loop. */
GEMM_INLINE void G_(pack_a_panel)(ptrdiff_t mr, ptrdiff_t kc, const T *src, ptrdiff_t sr, ptrdiff_t sp,
                                  T *restrict dst)
{
    if (mr == MR) {
        for (ptrdiff_t p = 0; p < kc; p++) {
            for (int r = 0; r < MR; r++) {
                const T x = src[r * sr + p * sp];
                for (int l = 0; l < AB; l++) {
                    dst[(p * MR + r) * AB + l] = x;
                }
            }
        }
        return;
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        for (int r = 0; r < MR; r++) {
            const T x = r < mr ? src[r * sr + p * sp] : 0;
            for (int l = 0; l < AB; l++) {
                dst[(p * MR + r) * AB + l] = x;
            }
        }
    }
}

/* The mc x kc block of op(A) whose element (0, 0) is at `a` (stored A is
   row-major, transposed if `trans`), as ceil(mc/MR) micro-panels of MR x kc
   stored column by column (each element AB times); rows past mc are zero. */
static void G_(pack_a)(int trans, ptrdiff_t mc, ptrdiff_t kc, const T *a, ptrdiff_t lda, T *restrict dst)
{
    for (ptrdiff_t i = 0; i < mc; i += MR, dst += MR * AB * kc) {
        const ptrdiff_t mr = mc - i < MR ? mc - i : MR;
        if (trans) { /* column p of the panel: contiguous in stored row p */
            G_(pack_a_panel)(mr, kc, a + i, 1, lda, dst);
        } else { /* row r of the panel: contiguous in stored row i + r */
            G_(pack_a_panel)(mr, kc, a + i * lda, lda, 1, dst);
        }
    }
}

/* alpha times the kc x nc block of op(B) whose element (0, 0) is at `b`, as
   ceil(nc/NR) micro-panels of kc x NR stored row by row; columns past nc
   are zero. (alpha is applied here, once per element of B.) */
static void G_(pack_b)(int trans, ptrdiff_t kc, ptrdiff_t nc, T alpha, const T *b, ptrdiff_t ldb,
                       T *restrict dst)
{
    for (ptrdiff_t j = 0; j < nc; j += NR, dst += NR * kc) {
        const ptrdiff_t nr = nc - j < NR ? nc - j : NR;
        if (!trans) { /* row p of the panel: NR contiguous elements of stored row p */
            const T *src = b + j;
            if (nr == NR) {
                for (ptrdiff_t p = 0; p < kc; p++) {
                    for (int q = 0; q < NR; q++) {
                        dst[p * NR + q] = alpha * src[p * ldb + q];
                    }
                }
            } else {
                for (ptrdiff_t p = 0; p < kc; p++) {
                    for (int q = 0; q < NR; q++) {
                        dst[p * NR + q] = q < nr ? alpha * src[p * ldb + q] : 0;
                    }
                }
            }
        } else if (nr == NR) { /* NR stored rows of B; row p of the panel, column p of
                                 them, gathered a vector at a time and stored whole: faster
                                 than scalar stores down the panel (TT n=64: +10-20%) */
            const T *src = b + j * ldb;
            const V va = V_(set1)(alpha);
            for (ptrdiff_t p = 0; p < kc; p++) {
                for (int v = 0; v < NV; v++) {
                    V_(store)(dst + p * NR + v * LANES, V_(mul)(va, V_(loads)(src + v * LANES * ldb + p, ldb)));
                }
            }
        } else { /* NR stored rows of B, each contiguous in p */
            const T *src = b + j * ldb;
            for (ptrdiff_t q = 0; q < NR; q++) {
                if (q < nr) {
                    const T *row = src + q * ldb;
                    for (ptrdiff_t p = 0; p < kc; p++) {
                        dst[p * NR + q] = alpha * row[p];
                    }
                } else {
                    for (ptrdiff_t p = 0; p < kc; p++) {
                        dst[p * NR + q] = 0;
                    }
                }
            }
        }
    }
}

/* ---------------- the micro-kernel ---------------- */

/* C tile (mr x nr at c) = beta * C + A micro-panel @ B micro-panel, kc >= 1,
   with the first nv vectors of each B row only (nr <= nv * LANES: an edge
   panel narrower than NR skips the FMAs on its zero padding). beta == 0:
   C is not read.
   A: packed (in_a == 0), element (r, p) at ap[(p*MR + r)*AB]; or read in
   place (in_a == 1, AB == 1), element (r, p) at ap[aoff[r] + p*sap], where
   the rows from mr on repeat row mr - 1 (computed, never stored), so that
   nothing outside A is read. B: row p of the micro-panel at bp + p*sbp,
   aligned if packed (in_b == 0), anywhere if read in place. */
GEMM_INLINE void G_(micro_body)(const int nv, const int in_a, const int in_b, ptrdiff_t kc, const T *restrict ap,
                                const ptrdiff_t *aoff, ptrdiff_t sap, const T *restrict bp, ptrdiff_t sbp, T *c,
                                ptrdiff_t ldc, const T *beta_p, ptrdiff_t mr, ptrdiff_t nr)
{
    ptrdiff_t off[MR];
    GEMM_UNROLL
    for (int r = 0; r < MR; r++) {
        off[r] = in_a ? aoff[r] : 0;
    }
    V acc[MR][NV];
    GEMM_UNROLL
    for (int r = 0; r < MR; r++) {
        GEMM_UNROLL
        for (int v = 0; v < nv; v++) {
            acc[r][v] = V_(zero)();
        }
    }
    for (ptrdiff_t r = 0; r < mr; r++) { /* the C tile, while the loop runs */
        GEMM_PREFETCH_W(c + r * ldc);
        GEMM_PREFETCH_W(c + r * ldc + nr - 1);
    }
    for (ptrdiff_t p = 0; p < kc; p++) {
        V bv[NV];
        GEMM_UNROLL
        for (int v = 0; v < nv; v++) {
            bv[v] = in_b ? V_(loadu)(bp + v * LANES) : V_(load)(bp + v * LANES);
        }
        GEMM_UNROLL
        for (int r = 0; r < MR; r++) {
            const V av = in_a ? V_(set1)(ap[off[r]]) : AB > 1 ? V_(load)(ap + r * AB) : V_(set1)(ap[r]);
            GEMM_UNROLL
            for (int v = 0; v < nv; v++) {
                acc[r][v] = V_(fma)(av, bv[v], acc[r][v]);
            }
        }
        ap += in_a ? sap : MR * AB;
        bp += in_b ? sbp : NR;
    }

    /* a full tile goes straight to C; an edge tile's rows from mr on are
       not stored, and its last vectors store only their first columns */
    const int full = mr == MR && nr == nv * LANES;
    /* beta comes by address and is read only here: passed by value, it
       took an XMM register through the loop, and the sse2 float64 4 x 3
       tile (12 accumulators) spilled one to the stack: n = 256 ran at 17
       instead of 27 GFLOP/s */
    const T beta = *beta_p;
    const V bvec = V_(set1)(beta);
    GEMM_UNROLL
    for (int r = 0; r < MR; r++) {
        GEMM_UNROLL
        for (int v = 0; v < nv; v++) {
            T *cv = c + r * ldc + v * LANES;
            if (full) {
                if (beta == 0) {
                    V_(storeu)(cv, acc[r][v]);
                } else if (beta == 1) {
                    V_(storeu)(cv, V_(add)(V_(loadu)(cv), acc[r][v]));
                } else {
                    V_(storeu)(cv, V_(fma)(bvec, V_(loadu)(cv), acc[r][v]));
                }
            } else if (r < mr && nr > v * LANES) {
                const ptrdiff_t cols = nr - v * LANES < LANES ? nr - v * LANES : LANES;
                if (beta == 0) {
                    V_(storen)(cv, cols, acc[r][v]);
                } else if (beta == 1) {
                    V_(storen)(cv, cols, V_(add)(V_(loadn)(cv, cols), acc[r][v]));
                } else {
                    V_(storen)(cv, cols, V_(fma)(bvec, V_(loadn)(cv, cols), acc[r][v]));
                }
            }
        }
    }
}

/* One function per vector count and operand source: not inlined, so that
   on its own the loop gets the whole register file (inlined into the
   driver, GCC 12 kept an accumulator on the stack in some shapes: SSE2
   4 x 3, 40% slower). The narrower ones serve the last panel of a block
   whose width is not a multiple of NR: with n = 16 float32 columns
   (avx512: NR = 32) every tile is such a panel, and computing the padding
   cost half the time. */
#define GEMM_MICRO_(nv, ia, ib)                                                                       \
    GEMM_NOINLINE void G_(micro_##nv##_##ia##ib)(ptrdiff_t kc, const T *restrict ap, const ptrdiff_t *aoff, \
                                                 ptrdiff_t sap, const T *restrict bp, ptrdiff_t sbp, T *c,   \
                                                 ptrdiff_t ldc, const T *beta, ptrdiff_t mr, ptrdiff_t nr)   \
    {                                                                                                  \
        G_(micro_body)(nv, ia, ib, kc, ap, aoff, sap, bp, sbp, c, ldc, beta, mr, nr);                  \
    }
/* Operands are read in place only where the kernel broadcasts A from
   memory, and not by the one-lane scalar layer: the portable table's
   float32 gemm at n = 64 ran at 9 GFLOP/s in place, 31 packed. */
#define GEMM_IN_PLACE (AB == 1 && LANES > 1)
#if GEMM_IN_PLACE
#define GEMM_MICRO_NV_(nv) GEMM_MICRO_(nv, 0, 0) GEMM_MICRO_(nv, 0, 1) GEMM_MICRO_(nv, 1, 0) GEMM_MICRO_(nv, 1, 1)
#else
#define GEMM_MICRO_NV_(nv) GEMM_MICRO_(nv, 0, 0)
#endif
GEMM_MICRO_NV_(1)
#if NV > 1
GEMM_MICRO_NV_(2)
#endif
#if NV > 2
GEMM_MICRO_NV_(3)
#endif
#if NV > 3
GEMM_MICRO_NV_(4)
#endif
#if NV > 4
#error "gemm.h: NV > 4 needs more micro-kernel instances"
#endif
#undef GEMM_MICRO_NV_
#undef GEMM_MICRO_

typedef void (*G_(micro_fn))(ptrdiff_t, const T *, const ptrdiff_t *, ptrdiff_t, const T *, ptrdiff_t, T *,
                             ptrdiff_t, const T *, ptrdiff_t, ptrdiff_t);

/* the instance for nv vectors (1..NV) and the operands' sources */
static G_(micro_fn) G_(micro_pick)(ptrdiff_t nv, int in_a, int in_b)
{
#if GEMM_IN_PLACE
#define GEMM_PICK_(n)                                                                     \
    return in_a ? (in_b ? G_(micro_##n##_11) : G_(micro_##n##_10))                        \
                : (in_b ? G_(micro_##n##_01) : G_(micro_##n##_00))
#else
#define GEMM_PICK_(n) (void)in_a, (void)in_b; return G_(micro_##n##_00)
#endif
#if NV > 3
    if (nv == 4) {
        GEMM_PICK_(4);
    }
#endif
#if NV > 2
    if (nv == 3) {
        GEMM_PICK_(3);
    }
#endif
#if NV > 1
    if (nv == 2) {
        GEMM_PICK_(2);
    }
#endif
    GEMM_PICK_(1);
#undef GEMM_PICK_
}

/* ---------------- the driver ---------------- */

/* n split into ceil(n / max) nearly equal blocks, each a multiple of `unit`
   (so that e.g. k = 260 runs as 2 x 130, not 256 + 4) */
static ptrdiff_t G_(block)(ptrdiff_t n, ptrdiff_t max, ptrdiff_t unit)
{
    const ptrdiff_t blocks = (n + max - 1) / max;
    ptrdiff_t b = (n + blocks - 1) / blocks;
    b = (b + unit - 1) / unit * unit;
    return b < max ? b : max;
}

/* the cache blocks one call computes with, read once (hostlib_set_parameters
   may change them between calls) */
typedef struct {
    ptrdiff_t kc, mc, nc;
} G_(blocks_t);

static G_(blocks_t) G_(blocks_now)(void)
{
    G_(blocks_t) bl = {HOSTLIB_GEMM_LOAD(GEMM_BLOCKS.kc), HOSTLIB_GEMM_LOAD(GEMM_BLOCKS.mc),
                       HOSTLIB_GEMM_LOAD(GEMM_BLOCKS.nc)};
    return bl;
}

/* how a call of the blocked path runs: its blocks, the operands it reads in
   place, and its packing buffer, B's block first (its size rounded up to
   GEMM_ALIGN, so A's start stays aligned) */
typedef struct {
    ptrdiff_t kb, mb, nb;
    int in_a, in_b;
    size_t b_bytes, bytes;
} G_(plan_t);

static G_(plan_t) G_(plan_of)(int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, G_(blocks_t) bl)
{
    G_(plan_t) pl;
    pl.kb = G_(block)(k, bl.kc, 1);
    pl.mb = G_(block)(m, bl.mc, MR);
    pl.nb = G_(block)(n, bl.nc, NR);
    /* Read in place where packing does not pay (see the header comment).
       B only when alpha == 1: packing applies alpha, and each element must
       come out the same whichever way its block went (the pool splits one
       call into blocks of different sizes). Neither with BCAST (SSE2): A
       must be packed to be pre-broadcast, and B read in place measured
       3-10% slower there (SSE's multiply takes only aligned memory); nor
       on the scalar layer (GEMM_IN_PLACE). */
    pl.in_a = GEMM_IN_PLACE &&
              (n <= 2 * NR || (n <= 16 * NR && (size_t)m * (size_t)k * sizeof(T) <= GEMM_IN_PLACE_BYTES));
    pl.in_b = GEMM_IN_PLACE && !tb && alpha == 1 &&
              (m <= 6 * MR || (m <= 16 * MR && (size_t)k * (size_t)n * sizeof(T) <= GEMM_IN_PLACE_BYTES));
    const size_t b_elems = pl.in_b ? (n % NR % LANES ? (size_t)pl.kb * NR : 0)
                                   : (size_t)pl.kb * (size_t)((pl.nb + NR - 1) / NR * NR);
    const size_t a_elems = pl.in_a ? 0 : (size_t)pl.kb * (size_t)((pl.mb + MR - 1) / MR * MR) * AB;
    pl.b_bytes = (b_elems * sizeof(T) + GEMM_ALIGN - 1) / GEMM_ALIGN * GEMM_ALIGN;
    pl.bytes = b_elems + a_elems > 0 ? pl.b_bytes + a_elems * sizeof(T) : 0;
    return pl;
}

/* The workspace bound: the bytes any call of at most m x n x k takes with
   the blocks bl, whatever its transposes, alpha and path (every operand
   packed, or the rank-k copy). The blocks cap it: at most
   KC x NC + KC x MC elements (A's times AB), however large the problem.
   It grows with m, n and k, so a caller sizing one workspace for many
   calls passes their largest dimensions. */
static size_t G_(ws_bound)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, G_(blocks_t) bl)
{
    if (m <= 0 || n <= 0 || k <= 0) {
        return 0;
    }
    const ptrdiff_t kb = k < bl.kc ? k : bl.kc;
    const ptrdiff_t mb = m < bl.mc ? (m + MR - 1) / MR * MR : bl.mc;
    const ptrdiff_t nb = n < bl.nc ? (n + NR - 1) / NR * NR : bl.nc;
    const size_t b_bytes = ((size_t)kb * (size_t)nb * sizeof(T) + GEMM_ALIGN - 1) / GEMM_ALIGN * GEMM_ALIGN;
    const size_t blocked = b_bytes + (size_t)kb * (size_t)mb * AB * sizeof(T);
    const size_t rank = k <= GEMM_RANK_K ? G_(rank_bytes)(n, k, bl.nc) : 0;
    return blocked > rank ? blocked : rank;
}

/* the blocked path (pl from G_(plan_of)), in buf: pl.bytes, GEMM_ALIGN-aligned */
static void G_(blocked)(int ta, int tb, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha, const T *a, ptrdiff_t lda,
                        const T *b, ptrdiff_t ldb, T beta, T *c, ptrdiff_t ldc, const G_(plan_t) *pl, char *buf)
{
    const ptrdiff_t kb = pl->kb, mb = pl->mb, nb = pl->nb;
    const int in_a = pl->in_a, in_b = pl->in_b;
    const size_t b_bytes = pl->b_bytes;
    T *const bpack = (T *)buf;
    T *const apack = (T *)(buf + b_bytes);
    const ptrdiff_t sar = ta ? 1 : lda, sap = ta ? lda : 1; /* op(A)[i, p] = a[i*sar + p*sap] */

    for (ptrdiff_t jc = 0; jc < n; jc += nb) {
        const ptrdiff_t nc = n - jc < nb ? n - jc : nb;
        /* read in place, a last panel whose width is not a multiple of LANES is packed */
        const ptrdiff_t jr_edge = in_b && nc % NR % LANES ? nc / NR * NR : nc;
        for (ptrdiff_t pc = 0; pc < k; pc += kb) {
            const ptrdiff_t kc = k - pc < kb ? k - pc : kb;
            const T beta_pc = pc == 0 ? beta : 1;
            if (!in_b) {
                G_(pack_b)(tb, kc, nc, alpha, tb ? b + jc * ldb + pc : b + pc * ldb + jc, ldb, bpack);
            } else if (jr_edge < nc) {
                G_(pack_b)(0, kc, nc - jr_edge, alpha, b + pc * ldb + jc + jr_edge, ldb, bpack);
            }
            for (ptrdiff_t ic = 0; ic < m; ic += mb) {
                const ptrdiff_t mc = m - ic < mb ? m - ic : mb;
                if (!in_a) {
                    G_(pack_a)(ta, mc, kc, ta ? a + pc * lda + ic : a + ic * lda + pc, lda, apack);
                }
                for (ptrdiff_t jr = 0; jr < nc; jr += NR) {
                    const ptrdiff_t nr = nc - jr < NR ? nc - jr : NR;
                    const int bin = in_b && jr < jr_edge;
                    const T *bp = !in_b ? bpack + jr * kc : bin ? b + pc * ldb + jc + jr : bpack;
                    const ptrdiff_t sbp = bin ? ldb : NR;
                    G_(micro_fn) const f = G_(micro_pick)((nr + LANES - 1) / LANES, in_a, bin);
                    for (ptrdiff_t ir = 0; ir < mc; ir += MR) {
                        const ptrdiff_t mr = mc - ir < MR ? mc - ir : MR;
                        T *ct = c + (ic + ir) * ldc + jc + jr;
                        if (in_a) {
                            ptrdiff_t aoff[MR];
                            for (int r = 0; r < MR; r++) {
                                aoff[r] = (r < mr ? r : mr - 1) * sar;
                            }
                            f(kc, a + (ic + ir) * sar + pc * sap, aoff, sap, bp, sbp, ct, ldc, &beta_pc, mr, nr);
                        } else {
                            f(kc, apack + ir * AB * kc, NULL, 0, bp, sbp, ct, ldc, &beta_pc, mr, nr);
                        }
                    }
                }
            }
        }
    }
}

/* The allocating entry (the kernels tables' gemm): its packing buffers from
   malloc, freed at return; where malloc fails, the unpacked loop. */
static void GEMM_FN(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                    const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c, ptrdiff_t ldc)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (k <= 0 || alpha == 0) {
        G_(scale_c)(m, n, beta, c, ldc); /* A and B are not read */
        return;
    }
    const int ta = trans_a != 0, tb = trans_b != 0;
    const G_(blocks_t) bl = G_(blocks_now)();
    if (k <= GEMM_RANK_K) {
        T *const bs = gemm_alloc_aligned(G_(rank_bytes)(n, k, bl.nc));
        if (bs != NULL) {
            G_(rank_k)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bl.nc, bs);
            gemm_free_aligned(bs);
            return;
        }
    }
    const G_(plan_t) pl = G_(plan_of)(tb, m, n, k, alpha, bl);
    char *buf = NULL;
    if (pl.bytes > 0) {
        buf = gemm_alloc_aligned(pl.bytes);
        if (buf == NULL) {
            G_(unpacked)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
    }
    G_(blocked)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &pl, buf);
    gemm_free_aligned(buf);
}

/* GEMM_WS_BYTES(m, n, k): the workspace bound (G_(ws_bound)) with the
   blocks in use now. */
GEMM_MAYBE_UNUSED static size_t GEMM_WS_BYTES(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k)
{
    return G_(ws_bound)(m, n, k, G_(blocks_now)());
}

/* The same gemm in the caller's workspace ws (GEMM_ALIGN-aligned, ws_bytes
   long, sized by GEMM_WS_BYTES for this call or a larger one): no
   allocation, and the same operations on every element as GEMM_FN, so the
   same bits. Should the blocks have grown since ws was sized
   (hostlib_set_parameters while the caller runs), the call does not fit:
   GEMM_FN computes it, allocating. */
GEMM_MAYBE_UNUSED static void GEMM_WS_FN(int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, T alpha,
                                         const T *a, ptrdiff_t lda, const T *b, ptrdiff_t ldb, T beta, T *c,
                                         ptrdiff_t ldc, void *ws, size_t ws_bytes)
{
    if (m <= 0 || n <= 0) {
        return;
    }
    if (k <= 0 || alpha == 0) {
        G_(scale_c)(m, n, beta, c, ldc);
        return;
    }
    const int ta = trans_a != 0, tb = trans_b != 0;
    const G_(blocks_t) bl = G_(blocks_now)();
    if (k <= GEMM_RANK_K) {
        if (G_(rank_bytes)(n, k, bl.nc) <= ws_bytes) {
            G_(rank_k)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bl.nc, (T *)ws);
            return;
        }
    } else {
        const G_(plan_t) pl = G_(plan_of)(tb, m, n, k, alpha, bl);
        if (pl.bytes <= ws_bytes) {
            G_(blocked)(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, &pl, (char *)ws);
            return;
        }
    }
    GEMM_FN(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* end of the pass: its parameters go, so the next pass can set them */
#undef GEMM_PASS
#undef T
#undef V
#undef LANES
#undef V_
#undef S_
#undef G_
#undef GEMM_FN
#undef GEMM_WS_FN
#undef GEMM_WS_BYTES
#undef MR
#undef NV
#undef NR
#undef AB
#undef GEMM_IN_PLACE
#undef GEMM_RANK_K
#undef GEMM_BLOCKS

#endif /* GEMM_PASS */
