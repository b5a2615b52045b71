/*
 * ufunc_loops.h -- numpy inner loops for the entries the spec maps to a
 * numpy ufunc (`ufunc = {...}` in interface/kernels.toml), shared by
 * hostlib's own ufuncs (_wrappers.pyx) and by the loops hostlib.patch_numpy()
 * puts into numpy's ufuncs (_numpy_loops.pyx). The list is expanded from
 * the generated hostlib_kernels_entries.h: no entry is named here.
 *
 * Include it from a module that has called import_hostlib() (the loops call
 * the table active at each call, so hostlib.use() switches what they run)
 * and numpy's import_umath(). The loops ignore their `data` argument, which
 * for numpy's own ufuncs is numpy's.
 */
#ifndef HOSTLIB_UFUNC_LOOPS_H
#define HOSTLIB_UFUNC_LOOPS_H

#include <stdint.h>
#include <string.h>

#include "hostlib_stubs.h"
#include "hostlib_kernels_entries.h"
#include "numpy/ndarraytypes.h"
#include "numpy/ufuncobject.h"

/* numpy passes byte steps; the table wants element strides, which is the
   same thing whenever the steps are multiples of the itemsize and the
   pointers are aligned: zero and negative steps included. numpy aligns or
   buffers the operands of legacy loops, so anything else is not expected
   here, but is handled anyway: element by element through an aligned
   temporary, with the same kernel. The kernels process elements in order,
   each read before its own result is stored, which is what numpy requires
   of an inner loop when the output overlaps an input it is "behind" (e.g.
   np.exp(a[1:], out=a[:-1]) calls the loop without a copy). */
#define HL_MAP_LOOP(T)                                                                          \
    static inline void hl_map_loop_##T(void (*f)(ptrdiff_t, const T *, ptrdiff_t, T *, ptrdiff_t), \
                                       char **args, const npy_intp *dims, const npy_intp *steps) \
    {                                                                                           \
        const ptrdiff_t n = dims[0], si = steps[0], so = steps[1], size = sizeof(T);           \
        char *ip = args[0], *op = args[1];                                                      \
        if (n <= 0) {                                                                           \
            return;                                                                             \
        }                                                                                       \
        if (si % size == 0 && so % size == 0 && (uintptr_t)ip % (uintptr_t)size == 0 &&        \
            (uintptr_t)op % (uintptr_t)size == 0) {                                             \
            f(n, (const T *)ip, si / size, (T *)op, so / size);                                 \
            return;                                                                             \
        }                                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                     \
            T tx, ty;                                                                           \
            memcpy(&tx, ip + i * si, sizeof tx);                                                \
            f(1, &tx, 1, &ty, 1);                                                               \
            memcpy(op + i * so, &ty, sizeof ty);                                                \
        }                                                                                       \
    }
HL_MAP_LOOP(float)
HL_MAP_LOOP(double)
#undef HL_MAP_LOOP

/* whether n elements of step si from ip share memory with those of step so
   at op, other than exactly (the same elements: in place; a zero step is
   never in place: that is numpy's reduce, each result the next input) */
static inline int hl_overlaps(const char *ip, ptrdiff_t si, const char *op, ptrdiff_t so, ptrdiff_t n,
                              ptrdiff_t size)
{
    if (ip == op && si == so && so != 0) {
        return 0;
    }
    const char *ilo = si >= 0 ? ip : ip + (n - 1) * si, *ihi = (si >= 0 ? ip + (n - 1) * si : ip) + size;
    const char *olo = so >= 0 ? op : op + (n - 1) * so, *ohi = (so >= 0 ? op + (n - 1) * so : op) + size;
    return ilo < ohi && olo < ihi;
}

/* The same for two inputs (split map2): z = f(x, y). An output that
   overlaps an input other than in place is computed one element at a
   time, in order: numpy's reduce and accumulate (np.hypot.reduce,
   np.power.accumulate) call the loop with the first input the output
   itself (step 0) or one element behind it, each result the next
   element's input, which a vector kernel would read too early. */
#define HL_MAP2_LOOP(T)                                                                         \
    static inline void hl_map2_loop_##T(void (*f)(ptrdiff_t, const T *, ptrdiff_t, const T *,  \
                                                  ptrdiff_t, T *, ptrdiff_t),                   \
                                        char **args, const npy_intp *dims, const npy_intp *steps) \
    {                                                                                           \
        const ptrdiff_t n = dims[0], s1 = steps[0], s2 = steps[1], so = steps[2], size = sizeof(T); \
        char *i1 = args[0], *i2 = args[1], *op = args[2];                                       \
        if (n <= 0) {                                                                           \
            return;                                                                             \
        }                                                                                       \
        if (!hl_overlaps(i1, s1, op, so, n, size) && !hl_overlaps(i2, s2, op, so, n, size) &&   \
            s1 % size == 0 && s2 % size == 0 && so % size == 0 &&                               \
            (uintptr_t)i1 % (uintptr_t)size == 0 && (uintptr_t)i2 % (uintptr_t)size == 0 &&     \
            (uintptr_t)op % (uintptr_t)size == 0) {                                             \
            f(n, (const T *)i1, s1 / size, (const T *)i2, s2 / size, (T *)op, so / size);       \
            return;                                                                             \
        }                                                                                       \
        for (ptrdiff_t i = 0; i < n; i++) {                                                     \
            T tx, ty, tz;                                                                       \
            memcpy(&tx, i1 + i * s1, sizeof tx);                                                \
            memcpy(&ty, i2 + i * s2, sizeof ty);                                                \
            f(1, &tx, 1, &ty, 1, &tz, 1);                                                       \
            memcpy(op + i * so, &tz, sizeof tz);                                                \
        }                                                                                       \
    }
HL_MAP2_LOOP(float)
HL_MAP2_LOOP(double)
#undef HL_MAP2_LOOP

/* one loop per entry: the entry's function in the table active at the call */
#define HL_UFUNC_LOOP(slot, name, T, ufunc, split)                                            \
    static void hl_loop_##name(char **args, const npy_intp *dims, const npy_intp *steps,      \
                               void *data)                                                    \
    {                                                                                         \
        (void)data;                                                                           \
        hl_##split##_loop_##T(hostlib_kernels_current()->name, args, dims, steps);            \
    }
HOSTLIB_KERNELS_UFUNC_ENTRIES(HL_UFUNC_LOOP)
#undef HL_UFUNC_LOOP

/* The loops by ufunc name and numpy type, in spec order. Static: numpy
   keeps the pointers for the life of the process. */
typedef struct {
    const char *ufunc;
    int typenum;
    int nin; /* inputs: 1 (T -> T) or 2 (T, T -> T) */
    PyUFuncGenericFunction loop;
} hl_ufunc_loop;

#define HL_TYPENUM_float NPY_FLOAT
#define HL_TYPENUM_double NPY_DOUBLE
#define HL_NIN_map 1
#define HL_NIN_map2 2
#define HL_UFUNC_ROW(slot, name, T, ufunc, split) {#ufunc, HL_TYPENUM_##T, HL_NIN_##split, hl_loop_##name},
static const hl_ufunc_loop hl_ufunc_loops[] = {HOSTLIB_KERNELS_UFUNC_ENTRIES(HL_UFUNC_ROW){NULL, 0, 0, NULL}};
#undef HL_UFUNC_ROW

/* the number of loops, and loop i */
static inline int hl_ufunc_loop_count(void)
{
    return (int)(sizeof hl_ufunc_loops / sizeof hl_ufunc_loops[0]) - 1;
}

static inline const hl_ufunc_loop *hl_ufunc_loop_at(int i)
{
    return &hl_ufunc_loops[i];
}

#endif /* HOSTLIB_UFUNC_LOOPS_H */
