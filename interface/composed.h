/*
 * composed.h -- the layout of a table the host composes (hostlib/_host/_core.c),
 * shared by the host and the split wrappers (hostlib_split.h, which versions
 * it as HOSTLIB_SPLIT_ABI); no consumer or provider sees it.
 *
 *     header | nslots public slots | nslots inner slots | nslots size classes
 *
 * header.size covers the header and the public slots only, so a consumer
 * (which never reads past `size`) cannot tell a composed table from a
 * provider's. Inner slot i holds the selected provider's own function for
 * entry i. Public slot i holds either the same function or, for an entry
 * with a split class, one of the split wrappers (hostlib_split.h), which
 * reads entry i's size classes: which function serves a call of this size,
 * and whether the pool may split it.
 *
 * Size classes (hostlib tune measures where the fastest backend changes
 * with the size of a call): class 0 serves every call below bound[0] and
 * is the inner slot's function; class c serves from bound[c-1]. A call's
 * size is its element count, or m*n*k for gemm. Unused bounds are +inf, so
 * an entry with one class costs its wrapper one comparison.
 */
#ifndef HOSTLIB_COMPOSED_H
#define HOSTLIB_COMPOSED_H

#include "hostlib_table.h"

/* the public slots of a table */
#define HOSTLIB_PUBLIC_SLOTS(header) \
    ((const hostlib_fn *)((const char *)(header) + sizeof(hostlib_table_header)))
/* the inner slots of a composed table */
#define HOSTLIB_INNER_SLOTS(header) \
    ((const hostlib_fn *)((const char *)(header) + ((const hostlib_table_header *)(header))->size))

/* the most size classes an entry can have */
#define HOSTLIB_SIZE_CLASSES 4

typedef struct hostlib_size_classes {
    double bound[HOSTLIB_SIZE_CLASSES - 1]; /* class c + 1 from this size on; +inf: unused */
    hostlib_fn fn[HOSTLIB_SIZE_CLASSES];     /* fn[0] is the inner slot's function */
    unsigned char split[HOSTLIB_SIZE_CLASSES]; /* 0: the function threads itself, call it whole */
} hostlib_size_classes;

/* the size classes of a composed table, one per slot */
#define HOSTLIB_SIZE_CLASSES_OF(header)                                                    \
    ((const hostlib_size_classes *)((const char *)HOSTLIB_INNER_SLOTS(header) +              \
                                    (((const hostlib_table_header *)(header))->size -        \
                                     sizeof(hostlib_table_header))))

/* the class of a call of this size */
static inline int hostlib_size_class(const hostlib_size_classes *sc, double size)
{
    int c = 0;
    while (c < HOSTLIB_SIZE_CLASSES - 1 && size >= sc->bound[c]) {
        c++;
    }
    return c;
}

#endif /* HOSTLIB_COMPOSED_H */
