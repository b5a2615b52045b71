"""Type hints for hostlib._numpy._loops (the C half of hostlib.patch_numpy)."""

from typing import Literal

UFUNCS: tuple[str, ...]
DTYPES: dict[str, tuple[str, ...]]

def owner(ufunc: str, dtype: str) -> Literal["hostlib", "numpy", "other"]: ...
def install(ufunc: str, dtype: str) -> bool: ...
def uninstall(ufunc: str, dtype: str) -> bool: ...
