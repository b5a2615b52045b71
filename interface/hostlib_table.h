/*
 * hostlib_table.h -- the layout every hostlib table shares, whatever its
 * interface. Hand-written and generic; the per-interface parts (slots, call
 * macros, import function) are generated from each interface's spec by
 * hostlib.generate (hostlib's own: interface/kernels.toml).
 *
 * A table is a header followed by function-pointer slots. A consumer never
 * reads past the provider's `size`; a slot beyond it, or a NULL slot, means
 * "not provided".
 */
#ifndef HOSTLIB_TABLE_H
#define HOSTLIB_TABLE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a slot holds before it is cast to its real signature. */
typedef void (*hostlib_fn)(void);

typedef struct hostlib_table_header {
    uint32_t magic;          /* the interface's magic number */
    uint16_t abi_major;      /* must equal the host's */
    uint16_t abi_minor;      /* the minor version the provider was built against */
    uint32_t size;           /* sizeof(whole table) as compiled by the provider */
    uint32_t reserved0;      /* zero */
    const char *name;        /* provider name, e.g. "avx2"; never NULL */
    const char *version;     /* provider version string; never NULL */
    uint64_t features;       /* HOSTLIB_CPU_* bits the provider's code needs */
    uint64_t reserved1;      /* zero */
} hostlib_table_header;

/*
 * What the host re-exports through its capsule (e.g. "hostlib._C_API").
 * The first four fields never change, so that any consumer can check the
 * ABI of any host. `active` points to the table currently selected; it is
 * swapped atomically and old tables are never freed, so a reader sees a
 * whole old or a whole new table.
 */
typedef struct hostlib_host_api {
    uint32_t magic;          /* the interface's magic number */
    uint16_t abi_major;
    uint16_t abi_minor;      /* the host's minor version: >= any consumer's */
    uint32_t size;           /* sizeof(hostlib_host_api) as compiled by the host */
    uint32_t reserved0;
    const void *active;      /* const <interface>_table *, read atomically */
} hostlib_host_api;

/* Atomic acquire load of the active table pointer. */
#if defined(__GNUC__) || defined(__clang__)
#define HOSTLIB_LOAD_ACTIVE(api) __atomic_load_n(&(api)->active, __ATOMIC_ACQUIRE)
#define HOSTLIB_STORE_ACTIVE(api, table) \
    __atomic_store_n(&(api)->active, (table), __ATOMIC_RELEASE)
#elif defined(_MSC_VER)
/* On x86/x64/ARM64 an aligned pointer-sized volatile access is atomic, and
   MSVC gives volatile acquire/release semantics (/volatile:ms). */
#define HOSTLIB_LOAD_ACTIVE(api) (*(const void *const volatile *)&(api)->active)
#define HOSTLIB_STORE_ACTIVE(api, table) \
    (*(const void *volatile *)&(api)->active = (table))
#else
#error "hostlib_table.h needs GCC/Clang atomics or MSVC"
#endif

/* Helpers the generated headers of every interface share. */
#ifdef __cplusplus
#define HOSTLIB_STATIC_ASSERT(c, m) static_assert(c, m)
#else
#define HOSTLIB_STATIC_ASSERT(c, m) _Static_assert(c, m)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HOSTLIB_MAYBE_UNUSED __attribute__((unused))
#else
#define HOSTLIB_MAYBE_UNUSED
#endif

/* a function, not an expression, so that minor 0 draws no -Wtype-limits */
static inline int hostlib_version_at_least(unsigned have, unsigned need)
{
    return have >= need;
}

#ifdef __cplusplus
}
#endif

#endif /* HOSTLIB_TABLE_H */
