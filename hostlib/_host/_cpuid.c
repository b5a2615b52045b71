/*
 * hostlib._cpuid: hostlib's own CPU feature detection (x86 and aarch64).
 *
 * Built with the baseline flags of the target only (never -mavx or the
 * like): this module decides whether AVX code may run, so it must not
 * contain any itself. CPUID goes through <cpuid.h> (gcc, clang) or
 * __cpuidex (MSVC); XGETBV is emitted as raw bytes so that no -mxsave is
 * needed.
 *
 * A feature is reported only when the CPU has it AND the operating system
 * saves the register state it uses (XCR0): without that, the first AVX
 * instruction faults even on a CPU that has AVX.
 *
 * aarch64: Linux reports what the CPU has and the kernel supports through
 * getauxval(AT_HWCAP / AT_HWCAP2) (the kernel hides SVE when it does not
 * save the SVE registers, as XCR0 does on x86); macOS through
 * sysctlbyname("hw.optional.*") (written for Apple's documented names,
 * compiled and run on Linux only here, so untested). Elsewhere only ASIMD,
 * which every ARMv8-A operating system's ABI requires (the compiler already
 * assumes it), is reported.
 *
 * The names are the ones hostlib/features.toml lists (numpy's spelling); the Python
 * side (hostlib._host.cpu) checks that both lists agree, and applies the
 * implication rules and the user's mask. This file only reports raw bits.
 *
 * Module functions:
 *   detect()                 -> (arch: str, features: tuple[str, ...])
 *   known_features()         -> tuple[str, ...]  every name detect() may return
 *                               on any architecture (x86 names, then aarch64)
 *   raw_cpuid(leaf, subleaf) -> (eax, ebx, ecx, edx)   x86 only, else OSError
 *   raw_hwcap()              -> (hwcap, hwcap2)  Linux aarch64 only, else OSError
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#  define HOSTLIB_X86 1
#  if defined(_MSC_VER) && !defined(__clang__)
#    include <intrin.h>
#  else
#    include <cpuid.h>
#  endif
#  if defined(__APPLE__)
#    include <sys/types.h>
#    include <sys/sysctl.h>
#  endif
#else
#  define HOSTLIB_X86 0
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#  define HOSTLIB_AARCH64 1
#  if defined(__linux__)
#    include <sys/auxv.h>
#  elif defined(__APPLE__)
#    include <sys/types.h>
#    include <sys/sysctl.h>
#  endif
#else
#  define HOSTLIB_AARCH64 0
#endif

/* ------------------------------------------------------------------------ */
/* architecture name, from the compiler's predefined macros                  */
/* ------------------------------------------------------------------------ */

#if defined(__x86_64__) || defined(_M_X64) || defined(_M_AMD64)
#  define HOSTLIB_ARCH "x86_64"
#elif defined(__i386__) || defined(_M_IX86)
#  define HOSTLIB_ARCH "x86"
#elif defined(__aarch64__) || defined(_M_ARM64)
#  define HOSTLIB_ARCH "aarch64"
#elif defined(__arm__) || defined(_M_ARM)
#  define HOSTLIB_ARCH "arm"
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#  define HOSTLIB_ARCH "ppc64le"
#elif defined(__powerpc64__)
#  define HOSTLIB_ARCH "ppc64"
#elif defined(__s390x__)
#  define HOSTLIB_ARCH "s390x"
#elif defined(__riscv) && defined(__riscv_xlen) && __riscv_xlen == 64
#  define HOSTLIB_ARCH "riscv64"
#elif defined(__loongarch64)
#  define HOSTLIB_ARCH "loongarch64"
#else
#  define HOSTLIB_ARCH "unknown"
#endif

/* ------------------------------------------------------------------------ */
/* the feature table: where each spec feature lives in CPUID                 */
/* ------------------------------------------------------------------------ */

enum reg { EAX = 0, EBX = 1, ECX = 2, EDX = 3 };

/* which XCR0 state components the OS must have enabled */
enum xstate {
    XS_NONE = 0,   /* legacy SSE state: always saved by any OS that runs Python */
    XS_AVX = 1,    /* XCR0 bits 1 (XMM) and 2 (YMM) */
    XS_AVX512 = 2, /* also bits 5 (opmask), 6 (ZMM_Hi256), 7 (Hi16_ZMM) */
};

struct feature {
    const char *name;
    unsigned int leaf;
    unsigned int subleaf;
    enum reg reg;
    unsigned int bit;
    enum xstate xstate;
};

/* Spec order; names exactly as in hostlib/features.toml. Bit positions from the
 * Intel SDM vol. 2A, CPUID instruction, and AMD APM vol. 3 appendix E. */
static const struct feature FEATURES[] = {
    {"SSE",             1, 0, EDX, 25, XS_NONE},
    {"SSE2",            1, 0, EDX, 26, XS_NONE},
    {"SSE3",            1, 0, ECX,  0, XS_NONE},
    {"SSSE3",           1, 0, ECX,  9, XS_NONE},
    {"SSE41",           1, 0, ECX, 19, XS_NONE},
    {"POPCNT",          1, 0, ECX, 23, XS_NONE},
    {"SSE42",           1, 0, ECX, 20, XS_NONE},
    {"AVX",             1, 0, ECX, 28, XS_AVX},
    {"F16C",            1, 0, ECX, 29, XS_AVX},
    {"FMA3",            1, 0, ECX, 12, XS_AVX},
    {"AVX2",            7, 0, EBX,  5, XS_AVX},
    {"AVX512F",         7, 0, EBX, 16, XS_AVX512},
    {"AVX512CD",        7, 0, EBX, 28, XS_AVX512},
    {"AVX512VL",        7, 0, EBX, 31, XS_AVX512},
    {"AVX512BW",        7, 0, EBX, 30, XS_AVX512},
    {"AVX512DQ",        7, 0, EBX, 17, XS_AVX512},
    {"AVX512VNNI",      7, 0, ECX, 11, XS_AVX512},
    {"AVX512IFMA",      7, 0, EBX, 21, XS_AVX512},
    {"AVX512VBMI",      7, 0, ECX,  1, XS_AVX512},
    {"AVX512VBMI2",     7, 0, ECX,  6, XS_AVX512},
    {"AVX512BITALG",    7, 0, ECX, 12, XS_AVX512},
    {"AVX512VPOPCNTDQ", 7, 0, ECX, 14, XS_AVX512},
    {"AVX512FP16",      7, 0, EDX, 23, XS_AVX512},
    {"AVX512BF16",      7, 1, EAX,  5, XS_AVX512},
};

#define N_FEATURES (sizeof(FEATURES) / sizeof(FEATURES[0]))

/* aarch64, in spec order. Linux: the AT_HWCAP / AT_HWCAP2 bit (the
 * kernel's arch/arm64/include/uapi/asm/hwcap.h). macOS: the sysctl names,
 * Apple's FEAT_* spelling first, then the older names (macOS < 12). */
struct arm_feature {
    const char *name;
    int hwcap2;        /* 0: AT_HWCAP, 1: AT_HWCAP2 */
    unsigned int bit;
    const char *sysctl[2];
};

static const struct arm_feature ARM_FEATURES[] = {
    {"ASIMD",    0,  1, {"hw.optional.AdvSIMD", "hw.optional.neon"}},
    {"FPHP",     0,  9, {"hw.optional.arm.FEAT_FP16", "hw.optional.neon_fp16"}},
    {"ASIMDHP",  0, 10, {"hw.optional.arm.FEAT_FP16", "hw.optional.neon_hpfp"}},
    {"ASIMDDP",  0, 20, {"hw.optional.arm.FEAT_DotProd", NULL}},
    {"ASIMDFHM", 0, 23, {"hw.optional.arm.FEAT_FHM", "hw.optional.armv8_2_fhm"}},
    {"SVE",      0, 22, {NULL, NULL}}, /* no Apple core has SVE */
    {"SVE2",     1,  1, {NULL, NULL}},
};

#define N_ARM_FEATURES (sizeof(ARM_FEATURES) / sizeof(ARM_FEATURES[0]))

/* ------------------------------------------------------------------------ */
/* CPUID / XGETBV                                                            */
/* ------------------------------------------------------------------------ */

#if HOSTLIB_X86

#define OSXSAVE_BIT 27 /* leaf 1 ECX: the OS enabled XSAVE/XGETBV */
#define XCR0_AVX ((1u << 1) | (1u << 2))
#define XCR0_AVX512 (XCR0_AVX | (1u << 5) | (1u << 6) | (1u << 7))

static void
cpuid(unsigned int leaf, unsigned int subleaf, unsigned int out[4])
{
#if defined(_MSC_VER) && !defined(__clang__)
    int r[4];
    __cpuidex(r, (int)leaf, (int)subleaf);
    for (int i = 0; i < 4; i++) {
        out[i] = (unsigned int)r[i];
    }
#else
    unsigned int a, b, c, d;
    __cpuid_count(leaf, subleaf, a, b, c, d);
    out[EAX] = a;
    out[EBX] = b;
    out[ECX] = c;
    out[EDX] = d;
#endif
}

/* XCR0 (low 32 bits are all we look at). Only call when OSXSAVE is set:
 * otherwise XGETBV raises #UD. */
static unsigned int
xgetbv0(void)
{
#if defined(_MSC_VER) && !defined(__clang__)
    return (unsigned int)_xgetbv(0);
#else
    unsigned int eax, edx;
    /* "xgetbv" spelled as bytes: needs neither -mxsave nor a new assembler */
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    (void)edx;
    return eax;
#endif
}

#if defined(__APPLE__)
/* macOS enables the AVX-512 state lazily, on a thread's first AVX-512
 * instruction, so XCR0 does not show it beforehand; the kernel reports the
 * support through sysctl instead. */
static int
apple_avx512_enabled(void)
{
    int value = 0;
    size_t len = sizeof(value);
    if (sysctlbyname("hw.optional.avx512f", &value, &len, NULL, 0) != 0) {
        return 0;
    }
    return value != 0;
}
#endif

/* Fill have[i] for each FEATURES[i]. */
static void
detect_x86(int have[N_FEATURES])
{
    unsigned int r0[4], r1[4] = {0, 0, 0, 0};
    unsigned int r70[4] = {0, 0, 0, 0}, r71[4] = {0, 0, 0, 0};
    unsigned int max_leaf, xcr0 = 0;
    int os_avx, os_avx512;

    for (size_t i = 0; i < N_FEATURES; i++) {
        have[i] = 0;
    }
    cpuid(0, 0, r0);
    max_leaf = r0[EAX];
    if (max_leaf < 1) {
        return;
    }
    cpuid(1, 0, r1);
    if (max_leaf >= 7) {
        cpuid(7, 0, r70);
        if (r70[EAX] >= 1) { /* leaf 7 EAX: the largest valid subleaf */
            cpuid(7, 1, r71);
        }
    }
    if (r1[ECX] & (1u << OSXSAVE_BIT)) {
        xcr0 = xgetbv0();
    }
    os_avx = (xcr0 & XCR0_AVX) == XCR0_AVX;
    os_avx512 = (xcr0 & XCR0_AVX512) == XCR0_AVX512;
#if defined(__APPLE__)
    if (os_avx && !os_avx512 && apple_avx512_enabled()) {
        os_avx512 = 1;
    }
#endif

    for (size_t i = 0; i < N_FEATURES; i++) {
        const struct feature *f = &FEATURES[i];
        const unsigned int *regs;
        int os_ok;

        if (f->leaf == 1) {
            regs = r1;
        }
        else if (f->leaf == 7 && f->subleaf == 0) {
            regs = r70;
        }
        else if (f->leaf == 7 && f->subleaf == 1) {
            regs = r71;
        }
        else {
            continue; /* no such leaf in the table: never happens */
        }
        switch (f->xstate) {
        case XS_AVX:
            os_ok = os_avx;
            break;
        case XS_AVX512:
            os_ok = os_avx512;
            break;
        default:
            os_ok = 1;
            break;
        }
        have[i] = os_ok && ((regs[f->reg] >> f->bit) & 1u);
    }
}

#endif /* HOSTLIB_X86 */

/* ------------------------------------------------------------------------ */
/* aarch64                                                                   */
/* ------------------------------------------------------------------------ */

#if HOSTLIB_AARCH64

#if defined(__linux__)
#ifndef AT_HWCAP2
#define AT_HWCAP2 26
#endif
static void
arm_hwcaps(unsigned long caps[2])
{
    caps[0] = getauxval(AT_HWCAP);
    caps[1] = getauxval(AT_HWCAP2);
}
#endif

#if defined(__APPLE__)
/* 1 if the first of the names the kernel knows says 1 */
static int
apple_sysctl_flag(const char *const names[2])
{
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        int value = 0;
        size_t len = sizeof(value);
        if (sysctlbyname(names[i], &value, &len, NULL, 0) == 0) {
            return value != 0;
        }
    }
    return 0;
}
#endif

/* Fill have[i] for each ARM_FEATURES[i]. */
static void
detect_aarch64(int have[N_ARM_FEATURES])
{
#if defined(__linux__)
    unsigned long caps[2];
    arm_hwcaps(caps);
    for (size_t i = 0; i < N_ARM_FEATURES; i++) {
        have[i] = (int)((caps[ARM_FEATURES[i].hwcap2] >> ARM_FEATURES[i].bit) & 1ul);
    }
#elif defined(__APPLE__)
    for (size_t i = 0; i < N_ARM_FEATURES; i++) {
        have[i] = apple_sysctl_flag(ARM_FEATURES[i].sysctl);
    }
#else
    /* no way to ask: the ABI's baseline only */
    for (size_t i = 0; i < N_ARM_FEATURES; i++) {
        have[i] = strcmp(ARM_FEATURES[i].name, "ASIMD") == 0;
    }
#endif
}

#endif /* HOSTLIB_AARCH64 */

/* ------------------------------------------------------------------------ */
/* module functions                                                          */
/* ------------------------------------------------------------------------ */

PyDoc_STRVAR(detect_doc,
"detect() -> (arch, features)\n\n"
"The architecture name and the tuple of feature names (spec order) that the\n"
"CPU has and the operating system has enabled (x86, aarch64); empty on\n"
"other architectures.\n"
"The user's HOSTLIB_DISABLE_FEATURES mask is not applied here.");

/* The tuple of names[i] for which have[i] is set. */
static PyObject *
present_names(size_t n, const int *have, const char *const *names)
{
    Py_ssize_t count = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        count += have[i] != 0;
    }
    PyObject *out = PyTuple_New(count);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (have[i]) {
            PyObject *s = PyUnicode_FromString(names[i]);
            if (s == NULL) {
                Py_DECREF(out);
                return NULL;
            }
            PyTuple_SET_ITEM(out, k++, s);
        }
    }
    return out;
}

static PyObject *
detect(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    PyObject *names;
    (void)module;
#if HOSTLIB_X86
    int have[N_FEATURES];
    const char *spelled[N_FEATURES];
    detect_x86(have);
    for (size_t i = 0; i < N_FEATURES; i++) {
        spelled[i] = FEATURES[i].name;
    }
    names = present_names(N_FEATURES, have, spelled);
#elif HOSTLIB_AARCH64
    int have[N_ARM_FEATURES];
    const char *spelled[N_ARM_FEATURES];
    detect_aarch64(have);
    for (size_t i = 0; i < N_ARM_FEATURES; i++) {
        spelled[i] = ARM_FEATURES[i].name;
    }
    names = present_names(N_ARM_FEATURES, have, spelled);
#else
    names = PyTuple_New(0);
#endif
    if (names == NULL) {
        return NULL;
    }
    return Py_BuildValue("(sN)", HOSTLIB_ARCH, names);
}

PyDoc_STRVAR(known_features_doc,
"known_features() -> tuple[str, ...]\n\n"
"Every feature name this module knows how to detect, in spec order\n"
"(on any architecture).");

static PyObject *
known_features(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    PyObject *names = PyTuple_New((Py_ssize_t)(N_FEATURES + N_ARM_FEATURES));
    (void)module;
    if (names == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < N_FEATURES + N_ARM_FEATURES; i++) {
        const char *name = i < N_FEATURES ? FEATURES[i].name : ARM_FEATURES[i - N_FEATURES].name;
        PyObject *s = PyUnicode_FromString(name);
        if (s == NULL) {
            Py_DECREF(names);
            return NULL;
        }
        PyTuple_SET_ITEM(names, (Py_ssize_t)i, s);
    }
    return names;
}

PyDoc_STRVAR(raw_cpuid_doc,
"raw_cpuid(leaf, subleaf=0) -> (eax, ebx, ecx, edx)\n\n"
"Execute CPUID with the given leaf/subleaf (for diagnostics and tests).\n"
"Raises OSError on non-x86 machines.");

/* "O&" converter: a Python int in 0 .. 2**32-1 */
static int
to_u32(PyObject *obj, void *out)
{
    unsigned long long v = PyLong_AsUnsignedLongLong(obj);
    if (v == (unsigned long long)-1 && PyErr_Occurred()) {
        return 0;
    }
    if (v > 0xFFFFFFFFull) {
        PyErr_SetString(PyExc_OverflowError, "raw_cpuid: leaf and subleaf must fit in 32 bits");
        return 0;
    }
    *(unsigned int *)out = (unsigned int)v;
    return 1;
}

static PyObject *
raw_cpuid(PyObject *module, PyObject *args)
{
    unsigned int leaf, subleaf = 0;
    (void)module;
    if (!PyArg_ParseTuple(args, "O&|O&:raw_cpuid", to_u32, &leaf, to_u32, &subleaf)) {
        return NULL;
    }
#if HOSTLIB_X86
    {
        unsigned int r[4];
        cpuid(leaf, subleaf, r);
        return Py_BuildValue("(kkkk)", (unsigned long)r[EAX], (unsigned long)r[EBX],
                             (unsigned long)r[ECX], (unsigned long)r[EDX]);
    }
#else
    PyErr_Format(PyExc_OSError, "raw_cpuid: CPUID does not exist on %s", HOSTLIB_ARCH);
    return NULL;
#endif
}

PyDoc_STRVAR(raw_hwcap_doc,
"raw_hwcap() -> (hwcap, hwcap2)\n\n"
"getauxval(AT_HWCAP) and getauxval(AT_HWCAP2) (for diagnostics and tests).\n"
"Raises OSError except on Linux aarch64.");

static PyObject *
raw_hwcap(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    (void)module;
#if HOSTLIB_AARCH64 && defined(__linux__)
    unsigned long caps[2];
    arm_hwcaps(caps);
    return Py_BuildValue("(kk)", caps[0], caps[1]);
#else
    PyErr_Format(PyExc_OSError, "raw_hwcap: AT_HWCAP is read on Linux aarch64 only, not on this %s build", HOSTLIB_ARCH);
    return NULL;
#endif
}

static PyMethodDef methods[] = {
    {"detect", detect, METH_NOARGS, detect_doc},
    {"known_features", known_features, METH_NOARGS, known_features_doc},
    {"raw_cpuid", raw_cpuid, METH_VARARGS, raw_cpuid_doc},
    {"raw_hwcap", raw_hwcap, METH_NOARGS, raw_hwcap_doc},
    {NULL, NULL, 0, NULL},
};

/* Multi-phase init without module state: nothing here is mutable, so the
 * module is safe in subinterpreters and without the GIL. */
static PyModuleDef_Slot slots[] = {
#if PY_VERSION_HEX >= 0x030C0000
    {Py_mod_multiple_interpreters, Py_MOD_PER_INTERPRETER_GIL_SUPPORTED},
#endif
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    "hostlib._cpuid",
    "hostlib's CPU feature detection: CPUID/XGETBV, AT_HWCAP (raw; see hostlib._host.cpu).",
    0,
    methods,
    slots,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__cpuid(void)
{
    return PyModuleDef_Init(&moduledef);
}
