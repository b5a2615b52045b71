/*
 * layer_api.h -- the version of the vector-layer op set the templates use.
 *
 * Vector layers also live outside hostlib (kernels_avx512/vec_avx512.h, or
 * a third-party kernel wheel) and are compiled against the templates of
 * whatever hostlib is installed. When a template starts using an op that
 * older layers lack, bump this number (and every layer's SIMD_LAYER_API
 * once it has the op): an out-of-date layer then stops with this message
 * instead of a cascade of "implicit declaration" errors.
 */
#ifndef SIMD_LAYER_API_H
#define SIMD_LAYER_API_H

/* 2: masks of their own type (VM64/VM32, vm64_/vm32_ ops), comparisons
   produce them; partial loads and stores (loadn, storen, loadsn, storesn)
   replace loadu_partial; SIMD_HAVE_ANY_GT is gone */
/* 3: vf64_lookup(table, indices), the gather of table-driven elementwise
   kernels */
/* 4: vf64_lookup16(table, indices), a 16-value table indexed by the low 4
   bits, and SIMD_LOOKUP16_PERMUTE, whether it is a register permute */
#define SIMD_LAYER_API_REQUIRED 4

#if !defined(SIMD_LAYER_API)
#error "the vector layer does not define SIMD_LAYER_API; it predates hostlib's layer versioning"
#elif SIMD_LAYER_API != SIMD_LAYER_API_REQUIRED
#error "the vector layer implements a different SIMD_LAYER_API than these templates need; update the layer or build against a matching hostlib"
#endif

#endif /* SIMD_LAYER_API_H */
