"""Type hints for hostlib._numpy._wrappers (numpy-facing functions on the active kernels table)."""

from typing import Any, SupportsFloat, TypeVar, overload

import numpy as np
import numpy.typing as npt

__all__ = ["exp", "log", "sqrt", "sin", "cos", "axpy", "dot", "scal", "asum", "nrm2", "sum", "gemm"]

_ArrayT = TypeVar("_ArrayT", bound=np.ndarray[Any, Any])
_Float32Like = npt.NDArray[np.float32] | npt.NDArray[np.float16]

# Real numpy ufuncs with loops 'f->f' and 'd->d'.
exp: np.ufunc
log: np.ufunc
sqrt: np.ufunc
sin: np.ufunc
cos: np.ufunc

@overload
def dot(x: _Float32Like, y: _Float32Like) -> np.float32: ...
@overload
def dot(x: npt.ArrayLike, y: npt.ArrayLike) -> np.float64 | np.float32: ...
def axpy(alpha: SupportsFloat, x: npt.ArrayLike, y: _ArrayT) -> _ArrayT: ...
def scal(alpha: SupportsFloat, x: _ArrayT) -> _ArrayT: ...
@overload
def asum(x: _Float32Like) -> np.float32: ...
@overload
def asum(x: npt.ArrayLike) -> np.float64 | np.float32: ...
@overload
def nrm2(x: _Float32Like) -> np.float32: ...
@overload
def nrm2(x: npt.ArrayLike) -> np.float64 | np.float32: ...
@overload
def sum(x: _Float32Like) -> np.float32: ...
@overload
def sum(x: npt.ArrayLike) -> np.float64 | np.float32: ...
@overload
def gemm(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: None = None,
    *,
    alpha: SupportsFloat = 1.0,
    beta: SupportsFloat = 0.0,
    trans_a: bool = False,
    trans_b: bool = False,
) -> npt.NDArray[np.float32] | npt.NDArray[np.float64]: ...
@overload
def gemm(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    c: _ArrayT,
    *,
    alpha: SupportsFloat = 1.0,
    beta: SupportsFloat = 0.0,
    trans_a: bool = False,
    trans_b: bool = False,
) -> _ArrayT: ...
