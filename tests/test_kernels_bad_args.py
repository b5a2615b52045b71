"""Bad arguments to the Python kernels: a clear exception, never a crash,
never a silently wrong result.

Complements test_kernels_api.py (which covers dtypes, shapes, read-only and
misaligned outputs, the documented overlap cases): inputs that are not
numbers at all, structured/object/ragged data, ufunc outputs that cannot be
written, random overlaps between inputs and outputs (hypothesis), gemm
outputs that overlap themselves or an input, and array descriptions whose
memory span does not fit in ``ptrdiff_t`` (built with ``as_strided``; no
memory behind them is ever touched -- they run in a subprocess so that a
regression is a failed test, not a dead test run).
"""

from __future__ import annotations

import json
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hostlib

HYPO = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STRUCTURED = np.zeros(4, dtype=[("a", "f8"), ("b", "f8")])
OBJECTS = np.array([1.0, 2.0, 3.0, 4.0], dtype=object)


# ---------------------------------------------------------------- non-numeric inputs


@pytest.mark.parametrize(
    "value, exc, match",
    [
        ("abcd", ValueError, r"1-D.*shape \(\)"),
        (b"abcd", ValueError, r"1-D.*shape \(\)"),
        (None, ValueError, r"1-D.*shape \(\)"),
        ({"a": 1}, ValueError, r"1-D.*shape \(\)"),
        (["a", "b", "c", "d"], TypeError, "<U1"),
        ([None, 1.0, 2.0, 3.0], TypeError, "object"),
        ([2**70, 1, 2, 3], TypeError, "object"),  # too big for int64: numpy makes it an object array
        (STRUCTURED, TypeError, r"\[\('a', '<f8'\), \('b', '<f8'\)\]|V16|void"),
        (OBJECTS, TypeError, "object"),
        (np.array(["2020-01-01"] * 4, dtype="datetime64[D]"), TypeError, "datetime64"),
        (np.ones(4, dtype=np.timedelta64), TypeError, "timedelta64"),
        (np.ones(4, dtype=np.clongdouble), TypeError, "complex"),
    ],
    ids=["str", "bytes", "None", "dict", "strings", "None-item", "bigint", "structured", "object",
         "datetime", "timedelta", "clongdouble"],
)
def test_non_numeric_inputs(value, exc, match):
    good = np.ones(4)
    for call in (
        lambda v: hostlib.dot(v, good),
        lambda v: hostlib.dot(good, v),
        lambda v: hostlib.sum(v),
        lambda v: hostlib.asum(v),
        lambda v: hostlib.nrm2(v),
    ):
        with pytest.raises(exc, match=match):
            call(value)
    # axpy casts x to y's dtype: the same kind of error, worded as a cast
    y = np.ones(4)
    with pytest.raises(exc):
        hostlib.axpy(1.0, value, y)
    assert np.array_equal(y, np.ones(4))


def test_ragged_and_nested_inputs_are_rejected():
    with pytest.raises(ValueError):
        hostlib.dot([[1.0, 2.0], [3.0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="1-D"):
        hostlib.sum([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError):
        hostlib.gemm([[1.0, 2.0], [3.0]], np.ones((2, 2)))


@pytest.mark.parametrize("bad", [STRUCTURED, OBJECTS, np.ones(4, dtype="S8"), np.ones(4, dtype=np.int32)])
def test_in_place_outputs_of_wrong_kind(bad):
    with pytest.raises(TypeError, match="float32 or float64"):
        hostlib.axpy(1.0, np.ones(4), bad)
    with pytest.raises(TypeError, match="float32 or float64"):
        hostlib.scal(2.0, bad)
    with pytest.raises(TypeError, match="float32 or float64"):
        hostlib.gemm(np.ones((2, 2)), np.ones((2, 2)), np.asarray(bad)[:4].reshape(2, 2))


@pytest.mark.parametrize("bad", [STRUCTURED.reshape(2, 2), OBJECTS.reshape(2, 2), np.full((2, 2), "x")])
def test_gemm_non_numeric_inputs(bad):
    with pytest.raises(TypeError):
        hostlib.gemm(bad, np.ones((2, 2)))
    with pytest.raises(TypeError):
        hostlib.gemm(np.ones((2, 2)), bad, np.zeros((2, 2)))


@pytest.mark.parametrize("alpha", [None, "1", [1.0, 2.0], 1j, np.complex128(1j), object()])
def test_bad_scalars(alpha):
    y = np.ones(3)
    with pytest.raises(TypeError, match="real number"):
        hostlib.axpy(alpha, np.ones(3), y)
    with pytest.raises(TypeError, match="real number"):
        hostlib.scal(alpha, y)
    with pytest.raises(TypeError, match="real number"):
        hostlib.gemm(np.ones((2, 2)), np.ones((2, 2)), np.zeros((2, 2)), beta=alpha)
    assert np.array_equal(y, np.ones(3))


@pytest.mark.parametrize("alpha", [np.float32(-1.5), np.float16(-1.5), np.int8(-3), np.uint64(3), np.bool_(True),
                                   np.longdouble(-1.5), np.complex64(-1.5).real])
def test_numpy_real_scalars(alpha):
    # numpy's real scalars are taken by a fast type check, with their value
    y = np.ones(3)
    assert np.array_equal(hostlib.scal(alpha, y), np.full(3, float(alpha)))
    assert np.array_equal(hostlib.axpy(alpha, np.ones(3), np.zeros(3)), np.full(3, float(alpha)))


def test_huge_python_int_scalar_is_an_exception():
    with pytest.raises((OverflowError, TypeError)):
        hostlib.scal(10**400, np.ones(3))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "cos"])
def test_ufunc_bad_inputs_and_outputs(name):
    f = getattr(hostlib, name)
    for bad in (STRUCTURED, np.array(["a", "b"]), np.ones(2, dtype=np.complex64)):
        with pytest.raises(TypeError):
            f(bad)
    ro = np.zeros(4)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        f(np.ones(4), out=ro)
    with pytest.raises(ValueError):
        f(np.ones(4), out=np.zeros(3))  # wrong shape
    with pytest.raises(TypeError):
        f(np.ones(4), out=np.zeros(4, dtype=np.int64))
    with pytest.raises(TypeError):
        f(np.ones(4), out=[0.0] * 4)
    # object arrays: numpy's ufunc machinery has no object loop for these ufuncs
    with pytest.raises(TypeError):
        f(np.array([1.0, 2.0], dtype=object))


@pytest.mark.parametrize("name", ["exp", "sqrt", "sin"])
def test_ufunc_output_overlapping_input_is_like_a_copy(name):
    rng = np.random.default_rng(5)
    for n in (9, 1000):
        a = rng.uniform(0.1, 2.0, n + 1)
        want = getattr(np, name)(a[:-1].copy())
        getattr(hostlib, name)(a[:-1], out=a[1:])
        np.testing.assert_array_max_ulp(a[1:], want, maxulp=4)
        b = rng.uniform(0.1, 2.0, n)
        want = getattr(np, name)(b.copy())
        getattr(hostlib, name)(b, out=b[::-1])  # out[i] = f(b[i]): b reversed holds f(b)
        np.testing.assert_array_max_ulp(b[::-1], want, maxulp=4)


# ---------------------------------------------------------------- overlaps (hypothesis)


@st.composite
def views_of_one_buffer(draw, size=64):
    """Two 1-D views of one float64 buffer of equal length (random offsets,
    strides, directions): they may overlap in any way."""
    n = draw(st.integers(0, 20))

    def view():
        step = draw(st.sampled_from([1, 2, 3, -1, -2, -3]))
        span = (n - 1) * abs(step) + 1 if n else 0
        start = draw(st.integers(0, size - max(span, 1)))
        if step < 0:
            start += span - 1 if n else 0
        stop = start + step * n
        return slice(start, stop if stop >= 0 else None, step)

    return n, view(), view()


@HYPO
@given(spec=views_of_one_buffer(), alpha=st.sampled_from([0.5, -2.0, 1.0, 0.0]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_axpy_with_any_overlap_is_like_a_copy(spec, alpha, dtype):
    n, sx, sy = spec
    buf = np.arange(1.0, 65.0, dtype=dtype)
    x, y = buf[sx], buf[sy]
    assert x.shape == y.shape == (n,)
    want_buf = buf.copy()
    want_buf[sy] = buf[sy] + dtype(alpha) * buf[sx].copy()
    hostlib.axpy(alpha, x, y)
    np.testing.assert_array_equal(buf, want_buf)


@st.composite
def gemm_overlap(draw):
    """c is a 2-D view into the same buffer as a (and maybe b)."""
    m, k, n = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 6))
    rows = draw(st.integers(max(m, k) + 1, 14))
    cols = draw(st.integers(max(n, k, m) + 1, 14))
    ai, aj = draw(st.integers(0, rows - m)), draw(st.integers(0, cols - k))
    ci, cj = draw(st.integers(0, rows - max(m, n)) if rows > max(m, n) else st.just(0)), draw(st.integers(0, cols - max(m, n)))
    c_transposed = draw(st.booleans())
    b_shared = draw(st.booleans())
    bi, bj = draw(st.integers(0, rows - k)), draw(st.integers(0, cols - n))
    return m, k, n, rows, cols, (ai, aj), (ci, cj), c_transposed, b_shared, (bi, bj)


@HYPO
@given(spec=gemm_overlap(), beta=st.sampled_from([0.0, 1.0, -0.5]))
def test_gemm_with_c_overlapping_a_or_b_is_like_a_copy(spec, beta):
    m, k, n, rows, cols, (ai, aj), (ci, cj), c_transposed, b_shared, (bi, bj) = spec
    buf = (np.arange(rows * cols, dtype=np.float64).reshape(rows, cols) % 13) - 6
    other = (np.arange(k * n, dtype=np.float64).reshape(k, n) % 5) - 2
    a = buf[ai:ai + m, aj:aj + k]
    b = buf[bi:bi + k, bj:bj + n] if b_shared else other
    c = buf[ci:ci + n, cj:cj + m].T if c_transposed else buf[ci:ci + m, cj:cj + n]
    if c.shape != (m, n):
        return
    want_buf = buf.copy()
    want = a.copy() @ b.copy() + (beta * c.copy() if beta else 0.0)
    want_view = want_buf[ci:ci + n, cj:cj + m].T if c_transposed else want_buf[ci:ci + m, cj:cj + n]
    want_view[...] = want
    hostlib.gemm(a, b, c, beta=beta)
    np.testing.assert_array_equal(buf, want_buf)  # small integers: exact


def test_gemm_c_with_overlapping_rows_is_rejected():
    from numpy.lib.stride_tricks import as_strided

    base = np.zeros(8)
    for strides in ((8, 8), (16, 8), (8, 0), (0, 8)):
        c = as_strided(base, shape=(3, 3), strides=strides, writeable=True)
        with pytest.raises(ValueError, match="cannot be updated in place"):
            hostlib.gemm(np.ones((3, 2)), np.ones((2, 3)), c)
    assert np.array_equal(base, np.zeros(8))


def test_gemm_misaligned_c_is_rejected():
    c = np.ndarray((2, 2), dtype=np.float64, buffer=bytearray(8 * 4 + 4), offset=4)
    with pytest.raises(ValueError, match="aligned"):
        hostlib.gemm(np.ones((2, 2)), np.ones((2, 2)), c)


# ---------------------------------------------- spans that do not fit in ptrdiff_t

HUGE_RUN = r"""
import json, sys
import numpy as np
from numpy.lib.stride_tricks import as_strided
import hostlib

def huge(shape, strides, writeable=False):
    # a description only: the memory behind it does not exist and is never touched
    return as_strided(np.zeros(4), shape=shape, strides=strides, writeable=writeable)

n = 2**40  # size * itemsize = 2**43 bytes: numpy accepts the description
big = 2**30  # ... but (n - 1) * 2**30 bytes does not fit in 63 bits
cases = {
    "dot": lambda: hostlib.dot(huge((n,), (big,)), huge((n,), (big,))),
    "dot-negative": lambda: hostlib.dot(huge((n,), (-big,)), huge((n,), (8,))),
    "sum": lambda: hostlib.sum(huge((n,), (big,))),
    "asum": lambda: hostlib.asum(huge((n,), (-big,))),
    "nrm2": lambda: hostlib.nrm2(huge((n,), (big,))),
    "axpy-x": lambda: hostlib.axpy(1.0, huge((n,), (big,)), huge((n,), (8,), True)),
    "axpy-y": lambda: hostlib.axpy(1.0, huge((n,), (8,)), huge((n,), (big,), True)),
    "scal": lambda: hostlib.scal(2.0, huge((n,), (-big,), True)),
    "gemm-c": lambda: hostlib.gemm(np.ones((2**24, 1)), np.ones((1, 2)), huge((2**24, 2), (2**45, 8), True)),
    "gemm-a": lambda: hostlib.gemm(huge((2**24, 2), (2**45, 8)), np.ones((2, 2))),
    "gemm-b": lambda: hostlib.gemm(np.ones((2, 2**24)), huge((2**24, 2), (2**45, 8)), trans_b=False),
}
for name in json.loads(sys.argv[1]):
    print("START " + name, flush=True)
    try:
        cases[name]()
    except Exception as exc:
        print("RESULT " + json.dumps([name, type(exc).__name__, str(exc)]), flush=True)
    else:
        print("RESULT " + json.dumps([name, None, None]), flush=True)
"""

HUGE_CASES = ["dot", "dot-negative", "sum", "asum", "nrm2", "axpy-x", "axpy-y", "scal", "gemm-c", "gemm-a", "gemm-b"]


@pytest.fixture(scope="module")
def huge_results(tmp_path_factory):
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    results, crashed = {}, []
    todo = list(HUGE_CASES)
    while todo:  # after a crash, go on with the cases after the one that crashed
        proc = subprocess.run([sys.executable, "-c", textwrap.dedent(HUGE_RUN), json.dumps(todo)],
                              cwd=tmp_path_factory.mktemp("huge"), env=env, capture_output=True, text=True,
                              timeout=120)
        started = None
        for line in proc.stdout.splitlines():
            if line.startswith("START "):
                started = line[6:]
            elif line.startswith("RESULT "):
                name, exc, msg = json.loads(line[7:])
                results[name] = (exc, msg)
                todo.remove(name)
                started = None
        if proc.returncode != 0:
            if started is None:
                raise AssertionError(f"the subprocess failed: {proc.stderr}")
            crashed.append(started)
            results[started] = ("CRASH", f"exit status {proc.returncode}")
            todo.remove(started)
    return results


@pytest.mark.parametrize("case", HUGE_CASES)
def test_span_beyond_ptrdiff_t_is_a_clear_error(huge_results, case):
    exc, msg = huge_results[case]
    assert exc == "ValueError", f"{case}: {exc}: {msg}"
    assert "does not fit in the address space" in msg, msg
