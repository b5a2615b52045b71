# The elementwise entries as numpy inner loops (numpy's legacy loop
# signature), shared by hostlib's own ufuncs (_wrappers.pyx) and by the loops
# hostlib.patch_numpy() puts into numpy's ufuncs (_numpy_loops.pyx), which
# include this file. The includer has cimported numpy as ``cnp`` and
# hostlib_stubs as ``hs``, and called ``hs.import_hostlib()``.
#
# One loop per entry: the loop looks its entry up in the table that is
# active at that call (so hostlib.use() switches what it runs) and ignores
# the ``data`` argument, which for numpy's ufuncs is numpy's own.

from libc.stdint cimport uintptr_t
from libc.string cimport memcpy

cdef enum:
    OP_EXP = 0
    OP_LOG = 1
    OP_SQRT = 2
    OP_SIN = 3
    OP_COS = 4
    N_OPS = 5

ctypedef fused real:
    float
    double


# numpy passes byte steps; the table wants element strides, which is the
# same thing whenever the steps are multiples of the itemsize and the
# pointers are aligned: zero and negative steps included. numpy aligns or
# buffers the operands of legacy loops, so anything else is not expected
# here, but is handled anyway: element by element through an aligned
# temporary, with the same kernel. The kernels process elements in order,
# each read before its own result is stored, which is what numpy requires
# of an inner loop when the output overlaps an input it is "behind" (e.g.
# np.exp(a[1:], out=a[:-1]) calls the loop without a copy).
cdef inline void _map_loop(void (*f)(ptrdiff_t, const real *, ptrdiff_t, real *, ptrdiff_t) noexcept nogil,
                           char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps) noexcept nogil:
    cdef ptrdiff_t i, n = dims[0], si = steps[0], so = steps[1]
    cdef ptrdiff_t size = sizeof(real)
    cdef char *ip = args[0]
    cdef char *op = args[1]
    cdef real tx, ty
    if n <= 0:
        return
    if (si % size == 0 and so % size == 0
            and (<uintptr_t>ip) % <uintptr_t>size == 0 and (<uintptr_t>op) % <uintptr_t>size == 0):
        f(n, <const real *>ip, si // size, <real *>op, so // size)
        return
    for i in range(n):
        memcpy(&tx, ip + i * si, size)
        f(1, &tx, 1, &ty, 1)
        memcpy(op + i * so, &ty, size)


cdef void _exp_f(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().sexp, args, dims, steps)


cdef void _exp_d(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().dexp, args, dims, steps)


cdef void _log_f(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().slog, args, dims, steps)


cdef void _log_d(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().dlog, args, dims, steps)


cdef void _sqrt_f(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().ssqrt, args, dims, steps)


cdef void _sqrt_d(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().dsqrt, args, dims, steps)


cdef void _sin_f(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().ssin, args, dims, steps)


cdef void _sin_d(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().dsin, args, dims, steps)


cdef void _cos_f(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().scos, args, dims, steps)


cdef void _cos_d(char **args, const cnp.npy_intp *dims, const cnp.npy_intp *steps, void *data) noexcept nogil:
    _map_loop(hs.hostlib_kernels_current().dcos, args, dims, steps)


# MAP_LOOPS[op][0] is the float32 ('f->f') loop, [op][1] the float64 one.
# Static: numpy keeps the pointers for the life of the process.
cdef cnp.PyUFuncGenericFunction MAP_LOOPS[N_OPS][2]
MAP_LOOPS[OP_EXP][0] = <cnp.PyUFuncGenericFunction>_exp_f
MAP_LOOPS[OP_EXP][1] = <cnp.PyUFuncGenericFunction>_exp_d
MAP_LOOPS[OP_LOG][0] = <cnp.PyUFuncGenericFunction>_log_f
MAP_LOOPS[OP_LOG][1] = <cnp.PyUFuncGenericFunction>_log_d
MAP_LOOPS[OP_SQRT][0] = <cnp.PyUFuncGenericFunction>_sqrt_f
MAP_LOOPS[OP_SQRT][1] = <cnp.PyUFuncGenericFunction>_sqrt_d
MAP_LOOPS[OP_SIN][0] = <cnp.PyUFuncGenericFunction>_sin_f
MAP_LOOPS[OP_SIN][1] = <cnp.PyUFuncGenericFunction>_sin_d
MAP_LOOPS[OP_COS][0] = <cnp.PyUFuncGenericFunction>_cos_f
MAP_LOOPS[OP_COS][1] = <cnp.PyUFuncGenericFunction>_cos_d
