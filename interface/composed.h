/*
 * composed.h -- the layout of a table the host composes (hostlib/_host/_core.c),
 * shared by the host and the split wrappers (hostlib_split.h, which versions
 * it as HOSTLIB_SPLIT_ABI); no consumer or provider sees it.
 *
 *     header | nslots public slots | nslots inner slots
 *
 * header.size covers the header and the public slots only, so a consumer
 * (which never reads past `size`) cannot tell a composed table from a
 * provider's. Inner slot i holds the selected provider's own function for
 * entry i. Public slot i holds either the same function or, for an entry
 * the host splits, one of the split wrappers (hostlib_split.h), which
 * splits the work and calls inner slot i of the active table.
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

#endif /* HOSTLIB_COMPOSED_H */
