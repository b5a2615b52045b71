/*
 * sse_upper.h -- SIMD_KERNEL_ENTRY() for layers compiled to legacy
 * (non-VEX) SSE code on x86-64: vec_sse2.h, and vec_scalar.h, which the
 * compiler vectorises with SSE2.
 *
 * Legacy SSE code runs slower while the upper halves of the vector
 * registers hold data left by AVX code: measured on an AMD Zen 5, float32
 * scal at n = 1e5 called from Python took 0.063 ns/element, 0.049 with the
 * registers cleared first, and a plain load-multiply-store loop up to 7x
 * longer after one 256-bit instruction. Compilers clear them (vzeroupper)
 * where their own AVX code returns, but a caller's code need not have, so
 * the kernels clear them on entry. vzeroupper is an AVX instruction: only
 * on CPUs that have AVX, which a constructor checks once at load time.
 */
#ifndef SIMD_SSE_UPPER_H
#define SIMD_SSE_UPPER_H

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(__AVX__)
static int simd_cpu_has_avx;

__attribute__((constructor)) static void simd_detect_avx(void)
{
    __builtin_cpu_init();
    simd_cpu_has_avx = __builtin_cpu_supports("avx");
}

#define SIMD_KERNEL_ENTRY()                  \
    do {                                     \
        if (simd_cpu_has_avx) {              \
            __asm__ volatile("vzeroupper");  \
        }                                    \
    } while (0)
#endif

#endif /* SIMD_SSE_UPPER_H */
