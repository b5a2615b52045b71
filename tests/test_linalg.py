"""numpy.linalg served by hostlib's lapack interface: hostlib.linalg against
numpy.linalg (values, shapes, dtypes, errors), the fallback to numpy's own
loop where the served entry answers unavailable, ``patch_numpy("linalg")``,
and numpy.linalg's own tests with the patch on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import hostlib
import hostlib.linalg as hl
from hostlib._numpy import patch as _numpy_patch

loops = pytest.importorskip("hostlib.linalg._loops")

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]
LAPACK_BACKENDS = [b.name for b in hostlib.backends(interface="lapack") if b.usable]


def rand(shape, dtype, seed=0, order="C"):
    r = np.random.default_rng(seed)
    a = r.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * r.standard_normal(shape)
    return np.asarray(a.astype(dtype), order=order)


def spd(shape, dtype, seed=0):
    a = rand(shape, dtype, seed)
    return (a @ np.conj(a.swapaxes(-1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def tol(dtype):
    return 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10


def results(r):
    return tuple(r) if isinstance(r, tuple) else (r,)


def assert_same(got, want, rtol=None, dtype=None):
    """Same result type, shapes and dtypes, values close (equal where
    numpy's own loop computed)."""
    assert type(got) is type(want)
    for g, w in zip(results(got), results(want)):
        if isinstance(w, np.ndarray):
            assert isinstance(g, np.ndarray)
            assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        if rtol is None:
            np.testing.assert_array_equal(g, w)
        else:
            scale = max(float(np.abs(w).max(initial=0)), 1.0)
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale)


@pytest.fixture(params=LAPACK_BACKENDS)
def lapack_backend(request):
    with hostlib.using(request.param, interface="lapack"):
        yield request.param


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_stacked_small_against_numpy(lapack_backend, dtype, order):
    """Stacks of 1 x 1 ... 17 x 17 (either side of the vector widths and of
    the native small-matrix path's edges), C order (computed as A^T) and
    Fortran order, one singular matrix in each stack."""
    t = tol(dtype)
    for n in range(1, 18):
        a = np.asarray(rand((5, n, n), dtype, seed=n) + n * np.eye(n, dtype=dtype), order=order)
        b = np.asarray(rand((5, n, 3), dtype, seed=n + 100), order=order)
        v = rand((n,), dtype, seed=n + 200)  # one vector: solve1 over the stack
        sing = a.copy(order=order)
        sing[2, n // 2] = 0  # a zero row: det exactly 0
        for got, want in (
            (hl.det(sing), np.linalg.det(sing)),
            (hl.slogdet(a), np.linalg.slogdet(a)),
            (hl.solve(a, b), np.linalg.solve(a, b)),
            (hl.solve(a, v), np.linalg.solve(a, v)),
            (hl.inv(a), np.linalg.inv(a)),
        ):
            assert_same(got, want, rtol=n * t)
        sign, logdet = hl.slogdet(sing)
        assert hl.det(sing)[2] == 0 and sign[2] == 0 and logdet[2] == -np.inf
        assert_same(sign[[0, 1, 3, 4]], np.linalg.slogdet(sing)[0][[0, 1, 3, 4]], rtol=n * t)
        s = np.asarray(spd((5, n, n), dtype, seed=n), order=order)
        for upper in (False, True):
            assert_same(hl.cholesky(s, upper=upper), np.linalg.cholesky(s, upper=upper), rtol=n * t)


def served_everywhere_by_numpy() -> bool:
    """Whether every entry answers unavailable now (numpy's loops compute)."""
    return not any(loops.available().values())


# (function, argument makers, whether the results are unique up to rounding
# -- eigenvectors and singular vectors are unique only up to a phase)
def cases(dtype, shape, order="C"):
    n = shape[-1]
    a = rand(shape, dtype, 1, order)
    b = rand(shape[:-1] + (3,), dtype, 2, order)
    h = spd(shape, dtype, 3)
    return [
        ("det", (a,)), ("slogdet", (a,)), ("inv", (a,)), ("solve", (a, b)),
        ("solve", (a, rand((n,), dtype, 4))) if len(shape) == 2 else ("solve", (a, b)),
        ("cholesky", (h,)), ("eigvalsh", (h,)), ("eigvals", (a,)), ("svd", (a,)),
        ("qr", (a,)), ("eigh", (h,)), ("eig", (a,)),
    ]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 3, 5, 5), (17, 17)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_matches_numpy(lapack_backend, dtype, shape, order):
    exact = served_everywhere_by_numpy()
    for name, args in cases(dtype, shape, order):
        got, want = getattr(hl, name)(*args), getattr(np.linalg, name)(*args)
        if exact:
            assert_same(got, want)
        elif name in ("eigh", "eig", "svd"):
            # vectors up to a phase: compare what is unique
            for g, w in zip(results(got), results(want)):
                assert g.shape == w.shape and g.dtype == w.dtype
            assert_same(results(got)[0 if name != "svd" else 1], results(want)[0 if name != "svd" else 1],
                        rtol=tol(dtype))
        else:
            assert_same(got, want, rtol=tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_lstsq_and_qr_modes(lapack_backend, dtype):
    exact = served_everywhere_by_numpy()
    rtol = None if exact else tol(dtype)
    for m, n in [(6, 4), (4, 6), (5, 5), (1, 3)]:
        a = rand((m, n), dtype, m * 10 + n)
        b, b1 = rand((m, 2), dtype, 7), rand((m,), dtype, 8)
        for bb in (b, b1):
            got, want = hl.lstsq(a, bb), np.linalg.lstsq(a, bb)
            assert got[2] == want[2]
            for g, w in zip(got[:2] + got[3:], want[:2] + want[3:]):
                assert g.shape == w.shape and g.dtype == w.dtype
                assert_same(g, w, rtol=rtol)
        assert_same(hl.lstsq(a, b, rcond=0.5), np.linalg.lstsq(a, b, rcond=0.5), rtol=rtol)
        for mode in ("reduced", "complete", "r"):
            assert_same(hl.qr(a, mode=mode), np.linalg.qr(a, mode=mode), rtol=rtol)
        if exact:
            assert_same(hl.qr(a, mode="raw"), np.linalg.qr(a, mode="raw"))
        for full in (True, False):
            got, want = hl.svd(a, full_matrices=full), np.linalg.svd(a, full_matrices=full)
            assert [x.shape for x in got] == [x.shape for x in want]
            assert_same(got.S, want.S, rtol=rtol)
        assert_same(hl.svd(a, compute_uv=False), np.linalg.svd(a, compute_uv=False), rtol=rtol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_options_match_numpy(dtype):
    h = spd((3, 4, 4), dtype, 5)
    assert_same(hl.cholesky(h, upper=True), np.linalg.cholesky(h, upper=True), rtol=tol(dtype))
    for uplo in ("L", "U", "u"):
        assert_same(hl.eigvalsh(h, UPLO=uplo), np.linalg.eigvalsh(h, UPLO=uplo), rtol=tol(dtype))
    assert_same(hl.svd(h, hermitian=True).S, np.linalg.svd(h, hermitian=True).S, rtol=tol(dtype))
    assert_same(hl.svd(h, compute_uv=False, hermitian=True), np.linalg.svd(h, compute_uv=False, hermitian=True),
                rtol=tol(dtype))


@pytest.mark.parametrize("dtype", [np.int64, np.int8, np.bool_, np.float32])
def test_dtype_rules(dtype):
    a = (np.eye(3) * 2 + np.tri(3)).astype(dtype)
    for name in ("det", "inv", "eigvals", "svd"):
        g, w = getattr(hl, name)(a), getattr(np.linalg, name)(a)
        for x, y in zip(results(g), results(w)):
            assert x.dtype == y.dtype


@pytest.mark.parametrize("name", ["det", "slogdet", "inv", "cholesky", "eigvalsh", "eigh", "eigvals", "eig", "svd",
                                  "qr"])
def test_empty_and_stacked_empty(name):
    for shape in [(0, 0), (3, 0, 0), (0, 2, 2)]:
        a = np.zeros(shape)
        g, w = getattr(hl, name)(a), getattr(np.linalg, name)(a)
        assert_same(g, w)


def test_singular_and_nonfinite():
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert hl.det(s) == 0.0
    assert tuple(hl.slogdet(s)) == (0.0, -np.inf)
    stack = np.stack([np.eye(2), s])
    np.testing.assert_array_equal(hl.det(stack), np.linalg.det(stack))
    for f, args in ((hl.inv, (s,)), (hl.solve, (s, np.ones(2))), (hl.inv, (stack,))):
        with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
            f(*args)
    with pytest.raises(np.linalg.LinAlgError, match="Matrix is not positive definite"):
        hl.cholesky(-np.eye(3))
    # A NaN pivot: LAPACK's rule (the first largest |a|, and |nan| is not
    # larger than anything) makes it U[0, 0], so det is NaN, slogdet (+-1,
    # NaN) by numpy's formula: what hostlib's native tables give. OpenBLAS's
    # getrf, numpy's own included, answers 0 there instead, and so does a
    # backend forwarding to it.
    nan = np.array([[np.nan, 1.0], [1.0, 1.0]])
    with np.errstate(invalid="ignore"):
        numpys = (np.linalg.det(nan), *np.linalg.slogdet(nan))
        for backend in _lapack_backends():
            with hostlib.using(backend, interface="lapack"):
                got = (hl.det(nan), *hl.slogdet(nan))
            lapack_rule = np.isnan(got[0]) and abs(got[1]) == 1 and np.isnan(got[2])
            assert lapack_rule or (backend not in NATIVE and got == numpys), (backend, got)
    for f in ("eigvals", "eig"):
        with pytest.raises(np.linalg.LinAlgError, match="Array must not contain infs or NaNs"):
            getattr(hl, f)(np.array([[np.inf, 1.0], [1.0, 1.0]]))


WRONG = [
    ("inv", (np.ones(3),)), ("det", (np.ones((2, 3)),)), ("solve", (np.eye(2), np.ones(3))),
    ("solve", (np.ones((2, 3)), np.ones(2))), ("cholesky", (np.ones(2),)), ("svd", (np.ones(3),)),
    ("qr", (np.ones(3),)), ("lstsq", (np.ones((3, 2)), np.ones(4))), ("lstsq", (np.ones((2, 3, 2)), np.ones(3))),
    ("inv", (np.eye(2, dtype=np.float16),)), ("det", (np.eye(2, dtype=np.longdouble),)),
    ("inv", (np.array([[1, 0], [0, 1]], dtype=object),)), ("eigvalsh", (np.eye(2), "X")),
    ("qr", (np.eye(2), "nonsense")), ("slogdet", (np.ones((2, 2, 3)),)),
]


@pytest.mark.parametrize("name,args", WRONG)
def test_wrong_input_raises_like_numpy(name, args):
    with pytest.raises(Exception) as want:
        getattr(np.linalg, name)(*args)
    with pytest.raises(type(want.value)) as got:
        getattr(hl, name)(*args)
    assert str(got.value) == str(want.value)


def test_linalgerror_is_numpys():
    assert hl.LinAlgError is np.linalg.LinAlgError


def test_fallback_path_when_unavailable():
    """With every entry answering unavailable (the portable table today),
    each hostlib gufunc gives numpy's loop's results bit for bit."""
    with hostlib.using("portable", interface="lapack"):
        avail = loops.available()
        assert set(avail) >= {p + e for p in "sdcz" for e in ("getrf", "gesdd", "gelsd", "geev")}
        a = rand((3, 5, 5), np.float64, 9)
        for name, entries in (("det", ["dgetrf"]), ("inv", ["dgetrf", "dgetri"]), ("eigvals", ["dgeev"]),
                              ("svd", ["dgesdd"])):
            if not all(avail[e] for e in entries):  # numpy's loop computes (all of it, or from getri on)
                np.testing.assert_array_equal(loops.gufuncs[name](a), getattr(np.linalg._umath_linalg, name)(a))
        assert not all(avail.values()), "the portable table has no eigensolver: some entry falls back"
        st = hl.status()
        assert set(st) == set(hl.ENTRIES)
        for func, row in st.items():
            for entry, who in row.items():
                assert who == ("portable" if avail[entry] else "numpy")


def test_the_c_half_serves_every_loop_of_numpy_linalg():
    """The C half's NUMPY_LOOPS is the one list of what patching
    numpy.linalg swaps: exactly numpy's _umath_linalg loops."""
    served = [f"{u} {t}" for u, t in loops.NUMPY_LOOPS]
    numpy_side = {f"{name} {t}" for name, u in vars(np.linalg._umath_linalg).items()
                  if isinstance(u, np.ufunc) for t in u.types}
    assert len(served) == len(set(served))
    assert set(served) == numpy_side


def test_patch_numpy_linalg_swaps_and_restores():
    before = _numpy_patch.status()["loops"]["linalg"]
    try:
        hostlib.patch_numpy("linalg")
        st = _numpy_patch.status()
        assert "linalg" in st["families"] and set(st["loops"]["linalg"].values()) == {"hostlib"}
        a = rand((4, 3, 3), np.float64, 11)
        np.testing.assert_allclose(np.linalg.inv(a) @ a, np.broadcast_to(np.eye(3), a.shape), atol=1e-10)
        with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
            np.linalg.inv(np.zeros((2, 2)))
        assert np.linalg.det(np.zeros((2, 2))) == 0.0
    finally:
        hostlib.restore_numpy("linalg")
    assert _numpy_patch.status()["loops"]["linalg"] == before
    assert "linalg" in _numpy_patch.NAMES  # the default patch includes it


HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE_EXT = """
from _lapack_reference import make_table
_keep = make_table()
_C_API = _keep.capsule
"""


def reference_site(site):
    """A fake installed provider "scipyref" of the lapack interface, whose
    every entry forwards to SciPy's LAPACK (tests/_lapack_reference.py)."""
    info = site / "fake_scipyref-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-scipyref\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[hostlib.lapack]\nscipyref = fake_scipyref\n")
    pkg = site / "fake_scipyref"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("NAME = 'scipyref'\nFEATURES = ()\nPRIORITY = 50\n"
                                     "EXTENSION = 'fake_scipyref._ext'\n")
    (pkg / "_ext.py").write_text(REFERENCE_EXT)


@pytest.mark.skipif("HOSTLIB_LINALG_REFERENCE" in os.environ, reason="is the run this test starts")
def test_loops_with_every_entry_served(tmp_path):
    """hostlib's own C paths (copies in and out, each result's layout, NaN
    and the invalid flag on failure), with every entry served by a
    reference backend (SciPy's LAPACK through ctypes): this file's
    comparisons with numpy.linalg, to rounding, in a fresh interpreter."""
    pytest.importorskip("scipy.linalg.lapack")
    reference_site(tmp_path / "site")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    env.update(PYTHONPATH=os.pathsep.join([str(tmp_path / "site"), HERE]), HOSTLIB_BACKEND_LAPACK="scipyref",
               HOSTLIB_LINALG_REFERENCE="1")
    code = ("import hostlib.linalg as hl, sys; st = hl.status(); "
            "sys.exit(0 if all(v == 'scipyref' for r in st.values() for v in r.values()) else str(st))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.abspath(__file__), "-k",
           "not numpys_own and not fallback_path and not every_entry_served"]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]


NUMPY_LINALG_PROBE = '''
import json
from hostlib._numpy import patch

def pytest_sessionfinish(session):
    with open("probe.json", "w") as f:
        json.dump(patch.status()["loops"]["linalg"], f)
'''


#: the lapack backends of hostlib's own code (simd/lapack.h)
NATIVE = {"portable", "sse2", "avx2", "avx512", "neon"}


def _lapack_backends() -> list[str]:
    """Every usable lapack backend with code of its own (the portable table
    too: it computes the real factorizations)."""
    return [b.name for b in hostlib.backends(interface="lapack") if b.usable]


@pytest.mark.parametrize("backend", ["auto", *_lapack_backends()])
def test_numpys_own_linalg_tests_pass_with_the_patch(tmp_path, backend):
    """numpy.linalg's own test suite under ``python -m hostlib run --ufuncs
    linalg``: every test passes, with hostlib's loops in place to the end.
    With automatic selection the whole suite, its slow tests too (about 40 s
    on two cores); with each backend forced, all but the slow tests (7 s)."""
    (tmp_path / "hostlib_linalg_probe.py").write_text(NUMPY_LINALG_PROBE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_") or k == "HOSTLIB_PROFILE"}
    env.update(PYTHONPATH=str(tmp_path))
    if backend != "auto":
        env["HOSTLIB_BACKEND_LAPACK"] = backend
    cmd = [sys.executable, "-m", "hostlib", "run", "--ufuncs", "linalg", "-m", "pytest", "-q", "-p",
           "no:cacheprovider", "-p", "hostlib_linalg_probe", "-W", "ignore::DeprecationWarning", "--pyargs", "numpy.linalg",
           *([] if backend == "auto" else ["-m", "not slow"])]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    took = time.perf_counter() - start
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout and " failed" not in proc.stdout
    assert set(json.loads((tmp_path / "probe.json").read_text()).values()) == {"hostlib"}
    print(f"numpy.linalg's tests under the patch: {took:.1f} s")


def test_a_numpy_too_old_for_the_linalg_loops_keeps_its_own(monkeypatch):
    """hostlib.linalg's loops use numpy 2.1's C API: on an older numpy the
    default patch leaves numpy.linalg alone, naming it is a clear error,
    and status() does not list it (read from numpy's metadata: the report
    calls it where numpy may not import)."""
    from importlib import metadata

    from hostlib._numpy import patch

    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "2.0.2" if name == "numpy" else real(name))
    assert "linalg" not in patch._names(None) and "fft" in patch._names(None)
    with pytest.raises(ValueError, match=r"numpy.linalg's loops need numpy >= 2.1 \(this is 2.0.2\)"):
        hostlib.patch_numpy("linalg")
    assert "linalg" not in patch.status()["loops"]
    monkeypatch.setattr(metadata, "version", lambda name: "1.26.4" if name == "numpy" else real(name))
    assert not set(patch._names(None)) & {"fft", "linalg"}
