"""hostlib.patch_numpy(): numpy's own exp, log, ..., power, hypot served by
hostlib's table, with numpy's semantics, reversibly.

The reference for a patched ``np.exp`` is the active backend's ``dexp``
(or ``sexp``) called directly, through ctypes, on a contiguous, aligned
copy of the input -- not through any ufunc loop, so a fault in the loops
cannot hide in the reference. The kernels are elementwise, so every stride
pattern, overlap, cast and mask numpy produces must give bit-identical
values.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostlib
from hostlib._host import spec as _spec
from hostlib._numpy import _loops as _numpy_loops  # noqa: F401  (records numpy's own loops now, before any test patches)
from hostlib._numpy import patch as _numpy_patch

# the data include inf, nan, zeros and negatives on purpose
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered in:RuntimeWarning")

UFUNCS = _numpy_patch.UFUNCS
DTYPES = (np.float32, np.float64)
ENTRY = {np.float32: "s", np.float64: "d"}
# every usable backend that computes the elementwise entries itself
ELEMENTWISE_BACKENDS = [b.name for b in hostlib.backends() if b.usable and "dexp" in b.provides]
#: the domains of the inputs: the spec's benchmark domains, wider for these five
DOMAIN = {"exp": (-80, 80), "log": (1e-3, 1e3), "sqrt": (0, 1e3), "sin": (-1e3, 1e3), "cos": (-1e3, 1e3)}
#: the numpy semantics (strides, overlap, casts, where=, ...) are the ufunc
#: loops' (ufunc_loops.h, one template per number of inputs) and each
#: kernel's strided path (test_math_accuracy checks every function's): the
#: loop tests run on the first five and on two functions of two inputs
LOOP_SAMPLE = tuple(u for u in UFUNCS if u in ("exp", "log", "sqrt", "sin", "cos", "power", "arctan2"))


def nin(name: str) -> int:
    return _spec.entry_of(name, "float64").nin


def domains(name: str) -> list[tuple[float, float]]:
    bench = _spec.entry_of(name, "float64").bench
    first = DOMAIN.get(name, tuple(bench.get("domain", (-1.0, 1.0))))
    return [first] + ([tuple(bench.get("domain2", (-1.0, 1.0)))] if nin(name) == 2 else [])


@pytest.fixture(autouse=True)
def _unpatched():
    """Every test starts and ends with numpy's own loops."""
    hostlib.restore_numpy()
    assert not hostlib.is_numpy_patched()
    yield
    hostlib.restore_numpy()
    assert not hostlib.is_numpy_patched()


def owners() -> set[str]:
    return {who for loops in _numpy_patch.status()["loops"].values() for who in loops.values()}


def data(name: str, dtype, n: int = 1001, seed: int = 0) -> tuple[np.ndarray, ...]:
    """The inputs of a call of ``name``: one array per input, with the
    special values inside (for two inputs, in pairs with ordinary values
    and with each other)."""
    rng = np.random.default_rng(seed)
    out = []
    for k, (lo, hi) in enumerate(domains(name)):
        x = rng.uniform(lo, hi, n).astype(dtype)
        specials = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0]
        x[:6] = specials if k == 0 else specials[::-1]
        if k:
            x[6:12] = specials
        out.append(x)
    return tuple(out)


_MAP = ctypes.CFUNCTYPE(None, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t)
_MAP2 = ctypes.CFUNCTYPE(None, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p,
                         ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t)


def reference(name: str, *xs) -> np.ndarray:
    """The active backend's kernel called directly on contiguous, aligned,
    native copies of the inputs (float32 or float64; broadcast together)."""
    dtype = np.asarray(xs[0]).dtype.newbyteorder("=")
    xs = [np.array(a, dtype=dtype, order="C") for a in np.broadcast_arrays(*xs)]
    address = hostlib._kernels_host.active_address(ENTRY[dtype.type] + name)
    y = np.empty_like(xs[0])
    if len(xs) == 1:
        _MAP(address)(y.size, xs[0].ctypes.data, 1, y.ctypes.data, 1)
    else:
        _MAP2(address)(y.size, xs[0].ctypes.data, 1, xs[1].ctypes.data, 1, y.ctypes.data, 1)
    return y


def same(a, b) -> bool:
    """Bit-identical, nan included."""
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


# ---------------------------------------------------------------------------
# patch, restore, state
# ---------------------------------------------------------------------------


def test_patch_and_restore_put_back_numpys_loops_exactly():
    xs = {(n, dt): data(n, dt) for n in UFUNCS for dt in DTYPES}
    before = {k: getattr(np, k[0])(*x) for k, x in xs.items()}
    assert owners() == {"numpy"}

    hostlib.patch_numpy()
    assert hostlib.is_numpy_patched()
    assert owners() == {"hostlib"}
    hostlib.patch_numpy()  # idempotent
    assert owners() == {"hostlib"}

    hostlib.restore_numpy()
    assert not hostlib.is_numpy_patched()
    # the very loops found at import are back (owner compares addresses)
    assert owners() == {"numpy"}
    for k, x in xs.items():
        assert same(getattr(np, k[0])(*x), before[k]), k
    hostlib.restore_numpy()  # nothing to do: no error
    assert owners() == {"numpy"}


def test_patch_a_subset_by_name_or_ufunc():
    hostlib.patch_numpy("sin, cos")
    st_ = _numpy_patch.status()
    assert st_["ufuncs"] == ["sin", "cos"]
    assert st_["loops"]["exp"] == {"float32": "numpy", "float64": "numpy"}
    hostlib.restore_numpy([np.sin])
    assert _numpy_patch.status()["ufuncs"] == ["cos"]
    hostlib.restore_numpy()
    hostlib.patch_numpy([np.exp])
    assert _numpy_patch.status()["ufuncs"] == ["exp"]


@pytest.mark.parametrize("bad", ["floor", ["exp", "rint"], [np.floor], [hostlib.exp], "spacing"])
def test_unknown_ufuncs_are_refused_before_anything_changes(bad):
    with pytest.raises(ValueError, match="cannot serve"):
        hostlib.patch_numpy(bad)
    assert owners() == {"numpy"}


def test_other_dtypes_keep_numpys_loops():
    x = np.linspace(0.1, 3, 50)
    before = {dt: np.exp(x.astype(dt)) for dt in (np.float16, np.longdouble, np.complex128)}
    with hostlib.patched_numpy():
        for dt, want in before.items():
            got = np.exp(x.astype(dt))
            # (values: a long double's padding bytes are not defined)
            assert got.dtype == want.dtype and np.array_equal(got, want), dt


def test_context_manager_and_decorator_restore_only_what_they_patched():
    hostlib.patch_numpy("sin")
    with hostlib.patched_numpy():
        assert owners() == {"hostlib"}
    # sin was patched before the block: still patched; the rest is restored
    assert _numpy_patch.status()["ufuncs"] == ["sin"]

    @hostlib.patched_numpy("exp")
    def f():
        return _numpy_patch.status()["ufuncs"]

    assert f() == ["exp", "sin"]
    assert f() == ["exp", "sin"]  # reusable
    assert _numpy_patch.status()["ufuncs"] == ["sin"]


def test_context_manager_restores_when_the_block_raises():
    with pytest.raises(KeyError):
        with hostlib.patched_numpy():
            raise KeyError
    assert owners() == {"numpy"}


def test_a_loop_replaced_by_someone_else_is_left_alone_with_a_warning():
    hostlib.patch_numpy("exp")
    # another library patches on top: here, numpy's own loop put back by
    # hand through the same machinery (uninstall behind hostlib's back)
    assert _numpy_loops.uninstall("exp", "float64")
    with pytest.warns(RuntimeWarning, match=r"exp \(float64\).*another library"):
        hostlib.restore_numpy()
    assert owners() == {"numpy"}


def test_stacks_with_mkl_umaths_patch():
    """Patches nest like a stack with another library's: each restore puts
    back what that patch replaced."""
    mkl_umath = pytest.importorskip("mkl_umath", reason="mkl_umath not installed (the 'bench' extra)")
    (x,) = data("sin", np.float64)
    mine = np.sin(x)
    mkl_umath.patch_numpy_umath()
    try:
        theirs = np.sin(x)
        assert _numpy_patch.status()["loops"]["sin"]["float64"] == "other"
        hostlib.patch_numpy()
        assert owners() == {"hostlib"}
        hostlib.restore_numpy()
        assert _numpy_patch.status()["loops"]["sin"]["float64"] == "other"
        assert same(np.sin(x), theirs)
    finally:
        mkl_umath.restore_numpy_umath()
    assert owners() == {"numpy"} and same(np.sin(x), mine)

    # the other order, undone in the wrong order: hostlib leaves MKL's loops
    # alone (with a warning) and numpy ends with a loop someone recorded
    hostlib.patch_numpy()
    mkl_umath.patch_numpy_umath()
    try:
        with pytest.warns(RuntimeWarning, match="another library"):
            hostlib.restore_numpy()
        assert _numpy_patch.status()["loops"]["sin"]["float64"] == "other"
    finally:
        mkl_umath.restore_numpy_umath()
    hostlib.restore_numpy()
    assert owners() <= {"numpy", "hostlib"}
    hostlib.patch_numpy()
    hostlib.restore_numpy()
    assert owners() == {"numpy"} and same(np.sin(x), mine)


def test_report_says_whether_numpy_is_patched():
    assert hostlib.runtime_info()["numpy_patch"]["patched"] is False
    text = _report_text()
    assert "not patched" in text
    with hostlib.patched_numpy("sin,cos"):
        info = hostlib.runtime_info()["numpy_patch"]
        assert info["patched"] is True and info["ufuncs"] == ["sin", "cos"]
        assert info["loops"]["sin"] == {"float32": "hostlib", "float64": "hostlib"}
        json.dumps(info)
        text = _report_text()
        assert "patched: numpy's sin cos run hostlib's loops" in " ".join(text.split())


def _report_text() -> str:
    import io

    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------
# values: hostlib's backend, switched with use()/using()
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", UFUNCS)
def test_patched_ufunc_follows_the_selected_backend(name, dtype):
    x = data(name, dtype, 4099)
    unpatched = getattr(np, name)(*x)
    differs = []
    with hostlib.patched_numpy():
        for b in ELEMENTWISE_BACKENDS:
            with hostlib.using(b):
                got = getattr(np, name)(*x)
                assert same(got, reference(name, *x)), b
                assert same(got, getattr(hostlib, name)(*x)), b  # hostlib's own ufunc too
            differs.append(not same(got, unpatched))
        loop_owner = _numpy_patch.status()["loops"][name][np.dtype(dtype).name]
    # The loop in numpy's ufunc is hostlib's (by address), and np.<name>
    # gave each backend's bits above. Where none rounds differently from
    # numpy's own loop, that cannot show in the values (sqrt, and e.g.
    # float32 hypot, correctly rounded on both sides).
    assert loop_owner == "hostlib"
    if name == "exp":  # numpy's exp is not correctly rounded for a few % of arguments: a live patch shows
        assert any(differs), "every backend gave numpy's own bits: is numpy patched at all?"


# ---------------------------------------------------------------------------
# numpy's semantics: strides, overlap, casting, out=, where=, flags
# ---------------------------------------------------------------------------

BACKENDS = pytest.mark.parametrize("backend", ELEMENTWISE_BACKENDS)


@BACKENDS
@settings(max_examples=60, deadline=None)
@given(
    name=st.sampled_from(LOOP_SAMPLE),
    dtype=st.sampled_from(DTYPES),
    n=st.integers(0, 70),
    step_in=st.sampled_from([1, 2, 3, -1, -2, 0]),
    step_out=st.sampled_from([1, 2, -1, -3]),
    offset=st.integers(0, 3),
)
def test_every_stride_numpy_hands_the_loop(backend, name, dtype, n, step_in, step_out, offset):
    xs = []
    for k, base in enumerate(data(name, dtype, 3 * 70 + 8, seed=n)):
        step = step_in if k == 0 else -step_in or 1  # a second input strided otherwise
        if step == 0:  # broadcast: a zero stride
            x = np.broadcast_to(base[offset:offset + 1], (n,))
        else:
            x = base[offset::step][:n] if step > 0 else base[::step][offset:offset + n]
        xs.append(x)
    n = min(len(x) for x in xs)
    xs = [x[:n] for x in xs]
    buf = np.full(3 * (n + 4), -7.0, dtype)
    out = buf[offset::step_out][:n] if step_out > 0 else buf[::step_out][offset:offset + n]
    with hostlib.patched_numpy(), hostlib.using(backend):
        want = reference(name, *xs)
        got = getattr(np, name)(*xs, out=out)
        assert got is out
        assert same(out, want)
        assert same(getattr(np, name)(*xs), want)


@BACKENDS
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", LOOP_SAMPLE)
def test_multidimensional_views_and_broadcasting(backend, name, dtype):
    xs = [x.reshape(24, 35) for x in data(name, dtype, 24 * 35)]

    def views(x):
        return [x, x.T, x[::-2, 1::3], x[:, ::-1], np.asfortranarray(x), x[:, :1], x[5]]

    with hostlib.patched_numpy(), hostlib.using(backend):
        f = getattr(np, name)
        for vs in zip(*(views(x) for x in xs)):
            assert same(f(*vs), reference(name, *vs).reshape(vs[0].shape))
        # broadcasting into a bigger out (zero strides in the input)
        rows = [x[3] for x in xs]
        out = np.empty((4, 35), dtype)
        f(*rows, out=out)
        assert same(out, np.broadcast_to(reference(name, *rows), (4, 35)))
        out_t = np.empty((35, 4), dtype).T
        f(*rows, out=out_t)
        assert same(out_t, np.broadcast_to(reference(name, *rows), (4, 35)))
        if len(xs) == 2:  # a row against a column: both inputs broadcast
            col = xs[1][:, :1]
            assert same(f(rows[0], col), reference(name, rows[0], col).reshape(24, 35))


@BACKENDS
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", LOOP_SAMPLE)
def test_overlapping_input_and_output(backend, name, dtype):
    base, *other = data(name, dtype, 300)
    f = getattr(np, name)
    with hostlib.patched_numpy(), hostlib.using(backend):
        cases = [
            (slice(None), slice(None)),      # in place
            (slice(1, None), slice(None, -1)),  # input ahead: numpy calls the loop without a copy
            (slice(None, -1), slice(1, None)),  # input behind: numpy copies first
            (slice(2, None, 2), slice(None, 149)),  # input ahead, faster
            (slice(None, None, -1), slice(None)),  # reversed onto itself
            (slice(-2, None, -1), slice(-1, 0, -1)),
        ]
        for src, dst in cases:
            a = base.copy()
            second = [o[:len(base[src])] for o in other]  # a second input apart from the output
            want = reference(name, base[src], *second)
            f(a[src], *second, out=a[dst])
            assert same(a[dst], want), (src, dst)
            if other:  # the second input overlapping the output instead
                b = other[0].copy()
                want = reference(name, base[:len(b[src])], b[src])
                f(base[:len(b[src])], b[src], out=b[dst])
                assert same(b[dst], want), ("second", src, dst)


@BACKENDS
@pytest.mark.parametrize("name", LOOP_SAMPLE)
def test_misaligned_byteswapped_and_cast_inputs(backend, name):
    x, *rest = data(name, np.float64, 257)
    # a second input (if any) is a constant: the casts below are the first's
    rest = [np.float64(1.5)] * len(rest)
    raw = bytearray(x.nbytes + 1)
    unaligned = np.frombuffer(raw, np.float64, count=len(x), offset=1)
    unaligned[...] = x
    assert not unaligned.flags.aligned
    swapped = x.astype(">f8" if sys.byteorder == "little" else "<f8")
    f = getattr(np, name)
    r64 = [np.float64(v) for v in rest]
    r32 = [np.float32(v) for v in rest]
    with hostlib.patched_numpy(), hostlib.using(backend):
        want = reference(name, x, *r64)
        assert same(f(unaligned, *rest), want)
        assert same(f(swapped, *rest), want)
        # misaligned output
        raw_out = bytearray(x.nbytes + 3)
        out = np.frombuffer(raw_out, np.float64, count=len(x), offset=3)
        f(x, *rest, out=out)
        assert same(out, want)
        # integers and Python floats: numpy's type resolution picks the loops
        ints = np.arange(1, 40, dtype=np.int32)
        assert same(f(ints, *r64), reference(name, ints.astype(np.float64), *r64))
        i16 = np.arange(1, 40, dtype=np.int16)
        assert same(f(i16, *r32), reference(name, i16.astype(np.float32), *r32))
        assert same(f(2.5, *rest), reference(name, np.array([2.5]), *r64)[0])
        assert same(f(np.float32(2.5), *r32), reference(name, np.array([2.5], np.float32), *r32)[0])
        # dtype= and casting=: computed in float32, written to a float64 out
        out64 = np.empty(len(x))
        f(x, *rest, out=out64, dtype=np.float32, casting="unsafe")
        assert same(out64, reference(name, x.astype(np.float32), *r32).astype(np.float64))
        with pytest.raises(TypeError):
            f(x, *rest, out=np.empty(len(x), np.float32), casting="safe")


@BACKENDS
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", LOOP_SAMPLE)
def test_where_leaves_the_masked_out_elements(backend, name, dtype):
    xs = data(name, dtype, 500)
    mask = np.random.default_rng(1).random(500) < 0.5
    with hostlib.patched_numpy(), hostlib.using(backend):
        out = np.full(500, 42.0, dtype)
        getattr(np, name)(*xs, out=out, where=mask)
        want = np.where(mask, reference(name, *xs), dtype(42.0))
        assert same(out, want)


@BACKENDS
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", [u for u in UFUNCS if nin(u) == 2])
def test_reduce_and_accumulate_of_two_input_ufuncs(backend, name, dtype):
    """numpy's reduce and accumulate hand the loop an output that is the
    next element's input (a zero step, or one element behind): each
    result must be computed from the previous one, as numpy's loops do"""
    x = np.random.default_rng(7).uniform(0.9, 1.1, 37).astype(dtype)
    with hostlib.patched_numpy(), hostlib.using(backend):
        want = [x[0]]
        for v in x[1:]:
            want.append(reference(name, np.array([want[-1]], dtype), np.array([v], dtype))[0])
        want = np.array(want, dtype)
        f = getattr(np, name)
        assert same(f.accumulate(x), want)
        assert same(np.asarray(f.reduce(x)), want[-1])
        assert same(getattr(hostlib, name).accumulate(x), want)  # hostlib's own ufunc: the same loop
        y = x.copy()
        f.accumulate(y, out=y)  # in place
        assert same(y, want)


# Floating-point flags as IEEE 754 defines them for these functions:
# (input, flag raised); inputs not listed for a flag must not raise it. A
# function of two inputs has pairs; "max" is the dtype's largest value.
INF, NAN = np.inf, np.nan
FLAGS = {
    "exp": [(1000.0, "over"), (-1000.0, "under"), (INF, None), (-INF, None), (NAN, None), (0.0, None), (1.0, None)],
    "log": [(0.0, "divide"), (-0.0, "divide"), (-1.0, "invalid"), (-INF, "invalid"), (INF, None), (NAN, None), (1.0, None)],
    "sqrt": [(-1.0, "invalid"), (-INF, "invalid"), (-0.0, None), (INF, None), (NAN, None), (2.0, None)],
    "sin": [(INF, "invalid"), (-INF, "invalid"), (NAN, None), (0.0, None), (1.0, None), (1e22, None)],
    "cos": [(INF, "invalid"), (-INF, "invalid"), (NAN, None), (0.0, None), (1.0, None), (1e22, None)],
    "tan": [(INF, "invalid"), (-INF, "invalid"), (NAN, None), (-0.0, None), (1.0, None), (1e22, None)],
    "arcsin": [(2.0, "invalid"), (-INF, "invalid"), (NAN, None), (-0.0, None), (1.0, None), (0.5, None)],
    "arccos": [(2.0, "invalid"), (INF, "invalid"), (NAN, None), (1.0, None), (-1.0, None), (0.5, None)],
    "arctan": [(INF, None), (-INF, None), (NAN, None), (-0.0, None), (1.0, None), (1e30, None)],
    "sinh": [(1000.0, "over"), (-1000.0, "over"), (INF, None), (-INF, None), (NAN, None), (-0.0, None), (1.0, None)],
    "cosh": [(1000.0, "over"), (-1000.0, "over"), (INF, None), (-INF, None), (NAN, None), (0.0, None), (1.0, None)],
    "tanh": [(1000.0, None), (-INF, None), (NAN, None), (-0.0, None), (0.5, None)],
    "arcsinh": [(INF, None), (-INF, None), (NAN, None), (-0.0, None), (1e30, None), (0.5, None)],
    "arccosh": [(0.5, "invalid"), (-INF, "invalid"), (1.0, None), (INF, None), (NAN, None), (1e30, None)],
    "arctanh": [(1.0, "divide"), (-1.0, "divide"), (2.0, "invalid"), (INF, "invalid"), (NAN, None), (-0.0, None), (0.5, None)],
    "exp2": [(1100.0, "over"), (-1100.0, "under"), (INF, None), (-INF, None), (NAN, None), (0.0, None), (3.0, None)],
    "expm1": [(1000.0, "over"), (-1000.0, None), (INF, None), (-INF, None), (NAN, None), (-0.0, None), (1.0, None)],
    "log2": [(0.0, "divide"), (-0.0, "divide"), (-1.0, "invalid"), (-INF, "invalid"), (INF, None), (NAN, None), (8.0, None)],
    "log10": [(0.0, "divide"), (-0.0, "divide"), (-1.0, "invalid"), (-INF, "invalid"), (INF, None), (NAN, None), (100.0, None)],
    "log1p": [(-1.0, "divide"), (-2.0, "invalid"), (-INF, "invalid"), (INF, None), (NAN, None), (-0.0, None), (1.0, None)],
    "cbrt": [(-8.0, None), (INF, None), (-INF, None), (NAN, None), (-0.0, None), (2.0, None)],
    "power": [((0.0, -1.0), "divide"), ((-2.0, 0.5), "invalid"), ((10.0, 1000.0), "over"), ((10.0, -1000.0), "under"),
              ((NAN, 0.0), None), ((1.0, NAN), None), ((2.0, 3.0), None), ((-2.0, 3.0), None), ((INF, 2.0), None)],
    "arctan2": [((0.0, -0.0), None), ((INF, INF), None), ((NAN, 1.0), None), ((-1.0, -0.0), None), ((1.0, 2.0), None)],
    "hypot": [(("max", "max"), "over"), ((INF, NAN), None), ((NAN, 1.0), None), ((3.0, 4.0), None), ((0.0, -0.0), None)],
}


def test_every_served_ufunc_has_its_flags_listed():
    assert set(FLAGS) == set(UFUNCS)


@BACKENDS
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", UFUNCS)
def test_floating_point_errors_under_errstate(backend, name, dtype):
    f = getattr(np, name)
    with hostlib.patched_numpy(), hostlib.using(backend):
        for value, flag in FLAGS[name]:
            values = []
            for v in value if isinstance(value, tuple) else (value,):
                if v == "max":
                    v = np.finfo(dtype).max
                elif dtype is np.float32 and abs(v) == 1000.0 and name != "power":
                    v = 100.0 if v > 0 else -200.0  # over/underflows float32 too
                values.append(v)
            for n in (1, 17):  # scalar-sized and past a vector, so tails and bodies are both seen
                xs = [np.full(n, v, dtype) for v in values]
                for kind in ("divide", "over", "under", "invalid"):
                    with np.errstate(all="ignore", **{kind: "raise"}):
                        if kind == flag:
                            with pytest.raises(FloatingPointError):
                                f(*xs)
                        else:
                            f(*xs)  # must not raise
        # ordinary inputs raise nothing, and with the default errstate warn nothing
        xs = [x[12:] for x in data(name, dtype, 999)]
        with np.errstate(all="raise"):
            f(*xs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            f(*xs)


# ---------------------------------------------------------------------------
# threads: patch, switch, restore while others call np.exp
# ---------------------------------------------------------------------------


def test_patch_switch_restore_from_threads_while_others_call_numpy():
    # 1-D, contiguous, float64 in and out: numpy calls the inner loop once
    # per call, so a result comes from one loop and one table
    (x,) = data("exp", np.float64, 4096)
    x[:6] = 1.0
    allowed = [np.exp(x)]
    for b in ELEMENTWISE_BACKENDS:
        with hostlib.using(b):
            allowed.append(reference("exp", x))
    allowed_bytes = {a.tobytes() for a in allowed}
    stop = threading.Event()
    errors: list[str] = []
    counts = {"calls": 0, "swaps": 0}

    def caller():
        out = np.empty_like(x)
        while not stop.is_set():
            np.exp(x, out=out)
            if out.tobytes() not in allowed_bytes:
                errors.append("np.exp gave a result no backend gives")
                return
            counts["calls"] += 1

    def patcher(i):
        k = 0
        while not stop.is_set() and k < 400:
            try:
                if (k + i) % 3 == 0:
                    with hostlib.patched_numpy("exp"):
                        pass
                elif (k + i) % 3 == 1:
                    hostlib.patch_numpy()
                else:
                    hostlib.restore_numpy()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(f"patcher: {exc!r}")
                return
            k += 1
            counts["swaps"] += 1

    def switcher():
        k = 0
        while not stop.is_set() and k < 400:
            hostlib.use(ELEMENTWISE_BACKENDS[k % len(ELEMENTWISE_BACKENDS)])
            k += 1

    threads = [threading.Thread(target=caller) for _ in range(3)]
    threads += [threading.Thread(target=patcher, args=(i,)) for i in range(2)]
    threads.append(threading.Thread(target=switcher))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for t in threads:
            t.start()
        for t in threads[3:]:
            t.join(60)
        stop.set()
        for t in threads:
            t.join(60)
    hostlib.use("auto")
    assert not errors, errors[:3]
    assert counts["calls"] > 0 and counts["swaps"] >= 800
    hostlib.restore_numpy()
    assert owners() == {"numpy"}
    assert same(np.exp(x), allowed[0])


# ---------------------------------------------------------------------------
# numpy's own tests with the patch active, and python -m hostlib run
# ---------------------------------------------------------------------------

NUMPY_TESTS = ("numpy._core.tests" if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else "numpy.core.tests")
NUMPY_SELECTION = ["-k", " or ".join(UFUNCS)]
PROBE = '''
import json, hostlib
from hostlib._numpy import patch

def pytest_sessionfinish(session):
    import numpy as np
    with open("probe.json", "w") as f:
        json.dump({"patched": patch.status()["loops"], "active": hostlib.active()}, f)
'''


def _numpy_suite(tmp_path, *prefix, env=None) -> subprocess.CompletedProcess:
    (tmp_path / "hostlib_probe.py").write_text(PROBE)
    full = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_") or k == "HOSTLIB_PROFILE"}
    full.update(env or {})
    cmd = [sys.executable, *prefix, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "hostlib_probe",
           "-W", "ignore::DeprecationWarning", "--pyargs",
           f"{NUMPY_TESTS}.test_umath", f"{NUMPY_TESTS}.test_umath_accuracy", *NUMPY_SELECTION]
    full["PYTHONPATH"] = str(tmp_path)
    return subprocess.run(cmd, cwd=tmp_path, env=full, capture_output=True, text=True, timeout=600)


def _summary(proc) -> dict[str, int]:
    import re

    line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    return {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)", line)}


@pytest.fixture(scope="module")
def numpy_suite_unpatched(tmp_path_factory):
    try:
        __import__(f"{NUMPY_TESTS}.test_umath_accuracy")
    except ImportError as exc:
        pytest.skip(f"numpy's own tests are not installed with this numpy: {exc}")
    proc = _numpy_suite(tmp_path_factory.mktemp("unpatched"))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return _summary(proc)


@pytest.mark.parametrize("backend", ["auto", *[b for b in ELEMENTWISE_BACKENDS if b != "portable"]])
def test_numpys_own_umath_tests_pass_with_the_patch(tmp_path, numpy_suite_unpatched, backend):
    """numpy's test_umath and test_umath_accuracy for these ufuncs (about
    1,600 tests) under ``python -m hostlib run``: the same outcome as
    without the patch, with hostlib's loops in place until the end."""
    proc = _numpy_suite(tmp_path, "-m", "hostlib", "run", env={"HOSTLIB_BACKEND": backend})
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert _summary(proc) == numpy_suite_unpatched
    assert numpy_suite_unpatched.get("passed", 0) > 1000
    probe = json.loads((tmp_path / "probe.json").read_text())
    assert {who for d in probe["patched"].values() for who in d.values()} == {"hostlib"}
    if backend != "auto":
        assert probe["active"]["dsin"] == backend


def test_run_passes_arguments_and_exit_code(tmp_path):
    script = tmp_path / "prog.py"
    script.write_text(
        "import sys, json, numpy as np, hostlib\n"
        "from hostlib._numpy import patch\n"
        "print(json.dumps({'argv': sys.argv, 'patched': hostlib.is_numpy_patched(), 'name': __name__,\n"
        "                  'ufuncs': patch.status()['ufuncs'], 'path0': sys.path[0]}))\n"
        "sys.exit(int(sys.argv[-1]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_") or k == "HOSTLIB_PROFILE"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "hostlib", "run", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)

    p = run(str(script), "--flag", "x", "3")
    assert p.returncode == 3, p.stderr
    out = json.loads(p.stdout)
    assert out == {"argv": [str(script), "--flag", "x", "3"], "patched": True, "name": "__main__",
                   "ufuncs": list(UFUNCS), "path0": str(tmp_path)}
    p = run("--ufuncs", "sin,cos", "prog.py", "0")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ufuncs"] == ["sin", "cos"]
    p = run("-m", "prog", "-m", "0")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["argv"][1:] == ["-m", "0"]
    for bad, msg in ([(), "no script"], [("--ufuncs", "floor", "prog.py"), "cannot serve"],
                     [("missing.py",), "can't open"], [("--bogus", "prog.py"), "unknown option"]):
        p = run(*bad)
        assert p.returncode == 2 and msg in p.stderr, (bad, p.stderr)


def test_status_before_any_patch_starts_no_host(tmp_path):
    """The report reads status() in every process: before the first patch
    it imports none of the C halves (each would start its interface's
    host), lists each ufunc's loops as numpy's, and no family's loops."""
    code = (
        "import json, sys\n"
        "from hostlib._numpy import patch\n"
        "st = patch.status()\n"
        "mods = [m for m in ('hostlib._numpy._loops', 'hostlib.fft._transforms', 'hostlib.linalg._loops')"
        " if m in sys.modules]\n"
        "print(json.dumps({'st': st, 'mods': mods}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["mods"] == []
    assert got["st"]["patched"] is False
    assert got["st"]["loops"]["exp"] == {"float32": "numpy", "float64": "numpy"}
    assert got["st"]["loops"]["fft"] == {} and got["st"]["loops"]["linalg"] == {}


def test_patch_and_restore_everything_warns_nothing():
    """patch_numpy() then restore_numpy() leaves numpy's loops and says
    nothing: the RuntimeWarning is for a loop another library replaced, and
    here none did (numpy.fft's fft and ifft share their loop functions, so
    restoring fft's puts ifft's back as well)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(2):
            hostlib.patch_numpy()
            assert owners() == {"hostlib"}
            hostlib.restore_numpy()
            assert owners() == {"numpy"}
