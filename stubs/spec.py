"""The one spec of hostlib's tables: CPU feature bits and the interfaces.

Everything that crosses a binary boundary is defined here and nowhere else.
``generate.py`` turns it into the C header, the Cython ``.pxd`` and the
Python description the host uses, at build time.

Compatibility rules (the same ones Tcl's genStubs and numpy's fixed API
slots follow):

* a slot number, once given to an entry, is never reused or reordered;
* entries are only ever appended, each with the minor ABI version that
  introduced it; the interface's minor version is the largest of those;
* a feature bit, once given, is never reused;
* changing a signature means a new entry (or a new ABI major).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------
# CPU features. Spelling follows numpy (``numpy._core._multiarray_umath``).
# ``implies`` lists the features a feature cannot exist without (numpy's
# implication chains): masking one of those masks this one too, and
# requiring this one requires them all. A kernel module's compiler flags are
# the flags of that whole closure, so what it declares covers every
# instruction the compiler may emit.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    name: str
    bit: int
    implies: tuple[str, ...] = ()
    #: gcc/clang flag that lets the compiler emit this feature's instructions
    cflag: str = ""


FEATURES: tuple[Feature, ...] = (
    Feature("SSE", 0, (), "-msse"),
    Feature("SSE2", 1, ("SSE",), "-msse2"),
    Feature("SSE3", 2, ("SSE2",), "-msse3"),
    Feature("SSSE3", 3, ("SSE3",), "-mssse3"),
    Feature("SSE41", 4, ("SSSE3",), "-msse4.1"),
    Feature("POPCNT", 5, ("SSE41",), "-mpopcnt"),
    Feature("SSE42", 6, ("POPCNT",), "-msse4.2"),
    Feature("AVX", 7, ("SSE42",), "-mavx"),
    Feature("F16C", 8, ("AVX",), "-mf16c"),
    Feature("FMA3", 9, ("F16C",), "-mfma"),
    Feature("AVX2", 10, ("F16C",), "-mavx2"),
    Feature("AVX512F", 11, ("AVX2", "FMA3"), "-mavx512f"),
    Feature("AVX512CD", 12, ("AVX512F",), "-mavx512cd"),
    Feature("AVX512VL", 13, ("AVX512F",), "-mavx512vl"),
    Feature("AVX512BW", 14, ("AVX512F",), "-mavx512bw"),
    Feature("AVX512DQ", 15, ("AVX512F",), "-mavx512dq"),
    Feature("AVX512VNNI", 16, ("AVX512VL", "AVX512BW"), "-mavx512vnni"),
    Feature("AVX512IFMA", 17, ("AVX512F",), "-mavx512ifma"),
    Feature("AVX512VBMI", 18, ("AVX512BW",), "-mavx512vbmi"),
    Feature("AVX512VBMI2", 19, ("AVX512VBMI",), "-mavx512vbmi2"),
    Feature("AVX512BITALG", 20, ("AVX512BW",), "-mavx512bitalg"),
    Feature("AVX512VPOPCNTDQ", 21, ("AVX512F",), "-mavx512vpopcntdq"),
    Feature("AVX512FP16", 22, ("AVX512BW", "AVX512DQ", "AVX512VL"), "-mavx512fp16"),
    Feature("AVX512BF16", 23, ("AVX512BW",), "-mavx512bf16"),
)


# ---------------------------------------------------------------------------
# Interfaces
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    slot: int
    name: str
    returns: str
    args: str
    minor: int  # ABI minor version that introduced the entry
    doc: str


@dataclass(frozen=True)
class Interface:
    #: short name, used in C identifiers (``hostlib_<name>_table``)
    name: str
    #: the entry-point group where providers of this interface register
    entry_point_group: str
    #: name every provider capsule of this interface carries
    provider_capsule: str
    #: importable name of the host's re-export capsule (``PyCapsule_Import``)
    host_capsule: str
    magic: int
    abi_major: int
    #: C call-macro prefix: entry ``ddot`` is called as ``<prefix>ddot(...)``
    call_prefix: str
    #: C function that checks the ABI and fetches the host capsule
    import_function: str
    #: base name of the generated consumer header and .pxd
    stubs_name: str
    entries: tuple[Entry, ...] = field(default_factory=tuple)
    #: integer constants the signatures use (emitted to C and Cython)
    constants: dict[str, int] = field(default_factory=dict)

    @property
    def abi_minor(self) -> int:
        return max((e.minor for e in self.entries), default=0)


def _per_dtype(first_slot: int, name: str, returns: str, args: str, minor: int, doc: str):
    """float32 (``s``) and float64 (``d``) variants at consecutive slots."""
    out = []
    for i, (prefix, ctype) in enumerate((("s", "float"), ("d", "double"))):
        out.append(
            Entry(
                slot=first_slot + i,
                name=prefix + name,
                returns=returns.format(T=ctype),
                args=args.format(T=ctype),
                minor=minor,
                doc=doc,
            )
        )
    return out


_UNARY_MAP = "ptrdiff_t n, const {T} *x, ptrdiff_t incx, {T} *y, ptrdiff_t incy"
_REDUCE = "ptrdiff_t n, const {T} *x, ptrdiff_t incx"

KERNELS = Interface(
    name="kernels",
    entry_point_group="hostlib.kernels",
    provider_capsule="hostlib.kernels.table",
    host_capsule="hostlib._C_API",
    magic=0x484C4B54,  # "HLKT"
    abi_major=1,
    call_prefix="hostlib_",
    import_function="import_hostlib",
    stubs_name="hostlib_stubs",
    constants={"HOSTLIB_NOTRANS": 0, "HOSTLIB_TRANS": 1},  # gemm trans_a/trans_b
    entries=tuple(
        _per_dtype(0, "axpy", "void", "ptrdiff_t n, {T} alpha, const {T} *x, ptrdiff_t incx, {T} *y, ptrdiff_t incy", 0,
                   "y[i*incy] += alpha * x[i*incx] for i < n")
        + _per_dtype(2, "dot", "{T}", "ptrdiff_t n, const {T} *x, ptrdiff_t incx, const {T} *y, ptrdiff_t incy", 0,
                     "sum of x[i*incx] * y[i*incy]")
        + _per_dtype(4, "scal", "void", "ptrdiff_t n, {T} alpha, {T} *x, ptrdiff_t incx", 0,
                     "x[i*incx] *= alpha")
        + _per_dtype(6, "asum", "{T}", _REDUCE, 0, "sum of |x[i*incx]|")
        + _per_dtype(8, "nrm2", "{T}", _REDUCE, 0,
                     "Euclidean norm without intermediate overflow or underflow; inf if any element is inf, else nan if any is nan")
        + _per_dtype(10, "sum", "{T}", _REDUCE, 0, "sum of x[i*incx], pairwise or more accurate")
        + _per_dtype(12, "exp", "void", _UNARY_MAP, 0, "y[i*incy] = exp(x[i*incx])")
        + _per_dtype(14, "log", "void", _UNARY_MAP, 0, "y[i*incy] = log(x[i*incx])")
        + _per_dtype(16, "sqrt", "void", _UNARY_MAP, 0, "y[i*incy] = sqrt(x[i*incx])")
        + _per_dtype(18, "sin", "void", _UNARY_MAP, 0, "y[i*incy] = sin(x[i*incx])")
        + _per_dtype(20, "cos", "void", _UNARY_MAP, 0, "y[i*incy] = cos(x[i*incx])")
        + _per_dtype(22, "gemm", "void",
                     "int trans_a, int trans_b, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, {T} alpha, "
                     "const {T} *a, ptrdiff_t lda, const {T} *b, ptrdiff_t ldb, {T} beta, {T} *c, ptrdiff_t ldc",
                     0,
                     "row-major C = alpha*op(A)@op(B) + beta*C; op(A) is m x k; C is not read when beta == 0")
    ),
)

INTERFACES: dict[str, Interface] = {KERNELS.name: KERNELS}
