# Cython's view of ufunc_loops.h: the numpy inner loops of the entries the
# kernels spec maps to ufuncs, in spec order.
cimport numpy as cnp

cdef extern from "ufunc_loops.h":
    ctypedef struct hl_ufunc_loop:
        const char *ufunc
        int typenum
        int nin
        cnp.PyUFuncGenericFunction loop
    int hl_ufunc_loop_count()
    const hl_ufunc_loop *hl_ufunc_loop_at(int i)
