"""Downstream use: C and Cython code calling hostlib's table, and the ABI rules
checked end to end with real compiled modules.

* The Cython example (``examples/downstream``, import name ``hostlib_example``)
  is tested when it is installed (``pip install --no-build-isolation
  ./examples/downstream``); otherwise those tests are skipped.
* Everything else compiles small extension modules into a temporary
  directory with the C compiler Python was built with (``sysconfig``) and
  imports them in a fresh interpreter: the C example ``examples/c_api``
  against hostlib's headers as installed and against copies whose ABI
  ``#define`` was rewritten, and kernel providers built with
  ``hostlib_provider.h`` whose tables have another ABI major, fewer slots
  (an older minor) or more slots (a newer minor). Nothing is mocked: the
  checks that fail are the ones in ``hostlib_stubs.h`` and ``hostlib._host._core``.
  Without a working C compiler these tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import sysconfig
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

import hostlib

HOST = hostlib._kernels_host
IFACE = HOST.iface
USABLE = [b.name for b in hostlib.backends() if b.usable]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CAPI_SOURCE = EXAMPLES / "c_api" / "hostlib_capi_example.c"
EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")
TABLE_HEADER = f"hostlib_{IFACE.name}_table.h"


@pytest.fixture(autouse=True)
def _restore_selection():
    before = HOST.preference
    yield
    HOST.use(before)


def expected_provider(backend: str, entry: str) -> str:
    """Who serves ``entry`` after ``hostlib.use(backend)``."""
    return backend if entry in HOST.backends[backend].provides else "portable"


# ====================================================================== compiler


@dataclass
class Compiler:
    cc: list[str]
    ldshared: list[str]
    python_includes: list[str]

    def build(self, source: str | Path, module: str, out_dir: Path, include: Path | str, opt: str = "-O1") -> Path:
        """Compile ``source`` (a path, or C text) into extension ``module`` in ``out_dir``.

        ``module`` may be dotted (``pkg._ext``): the file goes to
        ``out_dir/pkg/_ext<EXT_SUFFIX>``.
        """
        *package, leaf = module.split(".")
        target_dir = out_dir.joinpath(*package)
        target_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(source, str):
            src = target_dir / f"{leaf}.c"
            src.write_text(textwrap.dedent(source))
        else:
            src = source
        obj = target_dir / f"{leaf}.o"
        target = target_dir / f"{leaf}{EXT_SUFFIX}"
        includes = [f"-I{include}"] + [f"-I{p}" for p in self.python_includes]
        self._run(self.cc + ["-std=c11", opt, "-Wall", *includes, "-c", str(src), "-o", str(obj)])
        self._run(self.ldshared + [str(obj), "-o", str(target)])
        return target

    @staticmethod
    def _run(cmd: list[str]) -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"{shlex.join(cmd)}\nfailed:\n{proc.stdout}{proc.stderr}")


def _find_compiler() -> tuple[Compiler | None, str]:
    cc_var = os.environ.get("CC") or sysconfig.get_config_var("CC")
    ld_var = sysconfig.get_config_var("LDSHARED")
    if not cc_var or not ld_var:
        return None, "this Python's sysconfig names no C compiler (CC/LDSHARED), e.g. on Windows"
    cc = shlex.split(cc_var)
    if shutil.which(cc[0]) is None:
        return None, f"C compiler {cc[0]!r} (from {'$CC' if os.environ.get('CC') else 'sysconfig'}) not found"
    # LDSHARED starts with the compiler Python was built with; use ours
    ldshared = cc + shlex.split(ld_var)[1:]
    cc = cc + shlex.split(sysconfig.get_config_var("CCSHARED") or "")
    paths = sysconfig.get_paths()
    includes = list(dict.fromkeys([paths["include"], paths["platinclude"]]))
    return Compiler(cc, ldshared, includes), ""


@pytest.fixture(scope="session")
def compiler(tmp_path_factory) -> Compiler:
    found, why = _find_compiler()
    if found is None:
        pytest.skip(f"no C compiler to build extension modules: {why}")
    probe = tmp_path_factory.mktemp("probe")
    try:
        found.build(
            """
            #include <Python.h>
            static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "probe", NULL, 0, NULL};
            PyMODINIT_FUNC PyInit_probe(void) { return PyModuleDef_Init(&def); }
            """,
            "probe",
            probe,
            hostlib.get_include(),
        )
    except (AssertionError, OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot build a Python extension module here (C compiler or Python headers missing): {exc}")
    return found


def include_with(tmp: Path, **defines: int) -> Path:
    """A copy of hostlib's include directory with some ``#define NAME <int>``
    lines of the table header rewritten (each must exist exactly once)."""
    dst = tmp / ("include-" + "-".join(f"{k}{v}" for k, v in defines.items()))
    shutil.copytree(hostlib.get_include(), dst)
    header = dst / TABLE_HEADER
    text = header.read_text()
    for name, value in defines.items():
        text, count = re.subn(rf"^#define {name} \d+$", f"#define {name} {value}", text, flags=re.M)
        assert count == 1, f"{TABLE_HEADER} has {count} lines '#define {name} <int>'"
    header.write_text(text)
    return dst


# ============================================ Cython: the downstream example


@pytest.fixture(scope="module")
def example():
    if importlib.util.find_spec("hostlib_example") is None:
        pytest.skip("the downstream example is not installed: pip install --no-build-isolation ./examples/downstream")
    # imported normally: an ImportError here (an ABI mismatch) is a failure
    import hostlib_example

    return hostlib_example


def blobs(n_per: int = 175, d: int = 5, seed: int = 7):
    """Well separated clusters (so nearest centroids are unambiguous) and a
    start: the first point of each cluster, shifted, plus one far away centroid
    that attracts no point."""
    rng = np.random.default_rng(seed)
    centers = rng.uniform(-20, 20, size=(4, d))
    X = np.concatenate([c + rng.normal(size=(n_per, d)) for c in centers])
    X = X[rng.permutation(len(X))]
    start = np.array([X[np.argmin(((X - c) ** 2).sum(1))] + 0.5 for c in centers])
    return X, np.vstack([start, np.full((1, d), 1e3)])


def numpy_lloyd_step(X, C):
    D = ((X[:, None, :] - C[None, :, :]) ** 2).sum(-1)
    labels = D.argmin(1)
    new = C.copy()
    for j in range(len(C)):
        if (labels == j).any():
            new[j] = X[labels == j].mean(0)
    return new, labels, D.min(1).sum()


@pytest.mark.parametrize("backend", USABLE)
def test_example_kmeans_step_matches_numpy(example, backend):
    X, C = blobs()  # 700 points: more than one 256-row dgemm block
    ref_new, ref_labels, ref_inertia = numpy_lloyd_step(X, C)
    with hostlib.using(backend):
        new, labels, inertia = example.kmeans_step(X, C)
    np.testing.assert_array_equal(labels, ref_labels)
    np.testing.assert_allclose(new, ref_new, rtol=1e-12, atol=1e-12)
    assert new[-1].tolist() == C[-1].tolist()  # the empty cluster stays put
    assert inertia == pytest.approx(ref_inertia, rel=1e-10)


def test_example_kmeans_converges_like_numpy(example):
    X, C = blobs(n_per=60, d=3, seed=3)
    ref = C
    for _ in range(100):
        new, ref_labels, ref_inertia = numpy_lloyd_step(X, ref)
        done = np.linalg.norm(new - ref) <= 1e-10 * max(1.0, np.linalg.norm(new))
        ref = new
        if done:
            break
    centroids, labels, inertia, n_iter = example.kmeans(X, C, max_iter=100)
    assert n_iter < 100
    np.testing.assert_allclose(centroids, ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(labels, numpy_lloyd_step(X, ref)[1])
    assert inertia == pytest.approx(numpy_lloyd_step(X, ref)[2], rel=1e-10)
    # k as a number: k distinct rows as the start, then the same algorithm
    centroids, labels, _, _ = example.kmeans(X, 4, seed=1)
    assert centroids.shape == (4, 3) and set(labels) <= set(range(4))


def test_example_rejects_bad_input(example):
    with pytest.raises(ValueError, match="columns"):
        example.kmeans_step(np.ones((5, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="inf or nan"):
        example.kmeans_step(np.array([[np.nan, 1.0]]), np.ones((1, 2)))
    with pytest.raises(ValueError, match="non-empty 2-d"):
        example.kmeans_step(np.ones(3), np.ones((1, 3)))
    with pytest.raises(ValueError, match="uses ddot"):
        example.kernel_address("dexp")


def test_switching_is_visible_downstream(example):
    entries = ("ddot", "dnrm2", "daxpy", "dscal", "dgemm")
    # the module calls the active table's public slot: the backend's function,
    # or the host's threading wrapper, which calls the function behind it
    # (active_address)
    before = {e: example.kernel_address(e) for e in entries}
    assert before == {e: HOST.public_address(e) for e in entries}
    if "sse2" in USABLE:
        previous = HOST.preference
        hostlib.use("sse2")
        assert example.kernel_address("ddot") == HOST.public_address("ddot")
        assert HOST.active_address("ddot") == HOST.slot_address(expected_provider("sse2", "ddot"), "ddot")
        HOST.use(previous)
    for backend in USABLE:
        with hostlib.using(backend):
            for e in entries:
                assert example.kernel_address(e) == HOST.public_address(e) != 0, (backend, e)
                assert HOST.active_address(e) == HOST.slot_address(expected_provider(backend, e), e) != 0, (backend, e)
            assert example.table_name().startswith("hostlib[")
        # using() restores what the module's calls go to
        assert {e: example.kernel_address(e) for e in entries} == before


# ======================================================== C: the c_api example


@pytest.fixture(scope="session")
def capi_example(compiler, tmp_path_factory) -> Path:
    """examples/c_api compiled against hostlib's headers as installed; the
    directory to put on the path."""
    if not CAPI_SOURCE.exists():
        pytest.skip(f"{CAPI_SOURCE} not found (tests run outside the source checkout)")
    out = tmp_path_factory.mktemp("capi")
    compiler.build(CAPI_SOURCE, "hostlib_capi_example", out, hostlib.get_include())
    return out


CONSUMER_RUN = """
import json, sys
import numpy as np
try:
    import hostlib_capi_example as ex
except ImportError as exc:
    print(json.dumps({"import_error": str(exc)}))
    sys.exit(0)
import hostlib
host = hostlib._kernels_host
x = np.linspace(-1.0, 2.0, 1001)
y = np.cos(np.arange(1001.0))
out = {"abi": ex.abi(), "dot": ex.dot(x, y), "ref": float(x @ y), "switch": {}}
before = ex.ddot_address()
out["auto_ok"] = before == host.public_address("ddot")
for b in hostlib.backends():
    if b.usable:
        with hostlib.using(b.name):
            want = b.name if "ddot" in b.provides else "portable"
            out["switch"][b.name] = (ex.ddot_address() == host.public_address("ddot") != 0
                                     and host.active_address("ddot") == host.slot_address(want, "ddot") != 0)
            out["dot_" + b.name] = ex.dot(x, y)
        out["switch"][b.name] &= ex.ddot_address() == before
print(json.dumps(out))
"""


def run_consumer(run_python, module_dir: Path) -> dict:
    r = run_python(CONSUMER_RUN, pythonpath=[str(module_dir)])
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_c_consumer_with_the_hosts_abi_works_and_follows_switching(run_python, capi_example):
    out = run_consumer(run_python, capi_example)
    assert "import_error" not in out, out
    assert out["abi"] == [IFACE.abi_major, IFACE.abi_minor]
    assert out["dot"] == pytest.approx(out["ref"], rel=1e-12)
    assert out["auto_ok"]
    # every usable backend of that process (its environment has no HOSTLIB_* variables)
    assert "portable" in out["switch"] and all(out["switch"].values()), out["switch"]
    for name in out["switch"]:
        assert out["dot_" + name] == pytest.approx(out["ref"], rel=1e-12), name


def test_c_consumer_built_for_an_older_minor_works(run_python, compiler, tmp_path):
    if IFACE.abi_minor == 0:
        pytest.skip("the host is at minor 0: no older minor exists yet")
    inc = include_with(tmp_path, HOSTLIB_KERNELS_ABI_MINOR=IFACE.abi_minor - 1)
    compiler.build(CAPI_SOURCE, "hostlib_capi_example", tmp_path / "mod", inc)
    out = run_consumer(run_python, tmp_path / "mod")
    assert out.get("abi") == [IFACE.abi_major, IFACE.abi_minor - 1], out
    assert out["dot"] == pytest.approx(out["ref"], rel=1e-12)


@pytest.mark.parametrize(
    "define, value, advice",
    [
        ("HOSTLIB_KERNELS_ABI_MINOR", IFACE.abi_minor + 1, "upgrade hostlib"),
        ("HOSTLIB_KERNELS_ABI_MAJOR", IFACE.abi_major + 1, "rebuild the module"),
    ],
    ids=["newer-minor", "other-major"],
)
def test_c_consumer_with_an_incompatible_abi_fails_to_import(run_python, compiler, capi_example, tmp_path,
                                                           define, value, advice):
    inc = include_with(tmp_path, **{define: value})
    compiler.build(CAPI_SOURCE, "hostlib_capi_example", tmp_path / "mod", inc)
    out = run_consumer(run_python, tmp_path / "mod")
    assert "import_error" in out, f"a consumer built with {define} {value} imported: {out}"
    msg = out["import_error"]
    major = value if define.endswith("MAJOR") else IFACE.abi_major
    minor = value if define.endswith("MINOR") else IFACE.abi_minor
    assert f"ABI {major}.{minor}" in msg, msg  # the module's version
    assert f"ABI {IFACE.abi}" in msg, msg  # the host's version
    assert advice in msg, msg


CYTHON_CONSUMER = """
# cython: language_level=3
from hostlib_stubs cimport HOSTLIB_KERNELS_ABI_MAJOR, HOSTLIB_KERNELS_ABI_MINOR, hostlib_ddot, import_hostlib

import_hostlib()  # declared `except -1` in the .pxd: a mismatch fails this import

ABI = (HOSTLIB_KERNELS_ABI_MAJOR, HOSTLIB_KERNELS_ABI_MINOR)

def dot_iota(int n):
    # (0, 1, ..., n-1) . (1, 1, ..., 1), through hostlib_ddot
    cdef double x[64]
    cdef double y[64]
    cdef int i
    n = min(n, 64)
    for i in range(n):
        x[i] = i
        y[i] = 1.0
    return hostlib_ddot(n, x, 1, y, 1)
"""


@pytest.mark.parametrize("minor_delta", [0, 1], ids=["same-minor", "newer-minor"])
def test_cython_consumer_checks_the_abi_at_import(run_python, compiler, tmp_path, minor_delta):
    """The same rule through the .pxd: a Cython module's module-level
    import_hostlib() raises, so its import fails, instead of running on."""
    if importlib.util.find_spec("Cython") is None:
        pytest.skip("Cython is not installed")
    inc = include_with(tmp_path, HOSTLIB_KERNELS_ABI_MINOR=IFACE.abi_minor + minor_delta)
    pyx = tmp_path / "cy_consumer.pyx"
    pyx.write_text(textwrap.dedent(CYTHON_CONSUMER))
    Compiler._run([sys.executable, "-m", "cython", "-3", "-I", str(inc), str(pyx), "-o", str(tmp_path / "cy_consumer.c")])
    # Cython's C is long: -O0 keeps the compile short
    compiler.build(tmp_path / "cy_consumer.c", "cy_consumer", tmp_path / "mod", inc, opt="-O0")
    r = run_python(
        """
        import json
        try:
            import cy_consumer
        except ImportError as exc:
            print(json.dumps({"import_error": str(exc)}))
        else:
            print(json.dumps({"abi": cy_consumer.ABI, "dot": cy_consumer.dot_iota(50)}))
        """,
        pythonpath=[str(tmp_path / "mod")],
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    if minor_delta == 0:
        assert out.get("abi") == [IFACE.abi_major, IFACE.abi_minor], out
        assert out["dot"] == 50 * 49 / 2
    else:
        msg = out.get("import_error", "")
        assert f"ABI {IFACE.abi_major}.{IFACE.abi_minor + 1}" in msg and f"ABI {IFACE.abi}" in msg, out


# the same module through the package-style cimports
PACKAGE_CYTHON_CONSUMER = CYTHON_CONSUMER.replace("from hostlib_stubs cimport", "from hostlib.stubs cimport") + """
cimport hostlib.stubs as stubs

def dot_ones(int n):
    cdef double x[64]
    cdef int i
    n = min(n, 64)
    for i in range(n):
        x[i] = 1.0
    return stubs.hostlib_ddot(n, x, 1, x, 1)
"""


def test_cython_package_style_cimport(run_python, compiler, tmp_path):
    """`from hostlib.stubs cimport ...` and `cimport hostlib.stubs`: Cython
    finds hostlib/stubs.pxd on sys.path, with no -I."""
    if importlib.util.find_spec("Cython") is None:
        pytest.skip("Cython is not installed")
    pyx = tmp_path / "cy_package.pyx"
    pyx.write_text(textwrap.dedent(PACKAGE_CYTHON_CONSUMER))
    proc = subprocess.run([sys.executable, "-m", "cython", "-3", str(pyx), "-o", str(tmp_path / "cy_package.c")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    compiler.build(tmp_path / "cy_package.c", "cy_package", tmp_path / "mod", hostlib.get_include(), opt="-O0")
    r = run_python("import cy_package as m; print(m.ABI, m.dot_iota(50), m.dot_ones(50))",
                   pythonpath=[str(tmp_path / "mod")])
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [f"({IFACE.abi_major},", f"{IFACE.abi_minor})", "1225.0", "50.0"]


# ============================================ a stub called before the import

EARLY_CALL = r"""
#include <Python.h>
#include "hostlib_stubs.h"

/* calls a kernel without import_hostlib() first: the bug under test */
static PyObject *early(PyObject *self, PyObject *unused)
{
    double x[3] = {1.0, 2.0, 3.0};
    return PyFloat_FromDouble(hostlib_ddot(3, x, 1, x, 1));
}

static PyMethodDef methods[] = {{"early", early, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "early_stub", NULL, -1, methods};
PyMODINIT_FUNC PyInit_early_stub(void) { return PyModule_Create(&def); }
"""


def test_stub_before_import_stops_with_a_message_in_debug_builds(run_python, compiler, tmp_path):
    compiler.build("#define HOSTLIB_DEBUG_STUBS\n" + EARLY_CALL, "early_stub", tmp_path / "mod", hostlib.get_include())
    r = run_python("import early_stub; early_stub.early()", pythonpath=[str(tmp_path / "mod")])
    assert r.returncode != 0, r
    assert r.returncode != -signal.SIGSEGV, f"segfault instead of a message:\n{r.stderr}"
    assert "called before import_hostlib()" in r.stderr, r.stderr
    assert "call import_hostlib() once" in r.stderr, r.stderr


def test_release_stubs_are_a_plain_indirect_call(compiler, tmp_path):
    """Without HOSTLIB_DEBUG_STUBS a call compiles to no check at all."""
    src = tmp_path / "call.c"
    asm = {}
    for mode, define in (("release", ""), ("debug", "#define HOSTLIB_DEBUG_STUBS\n")):
        src.write_text(define + '#include <Python.h>\n#include "hostlib_stubs.h"\n'
                       "double f(const double *x) { return hostlib_ddot(3, x, 1, x, 1); }\n")
        out = tmp_path / f"{mode}.s"
        includes = [f"-I{hostlib.get_include()}"] + [f"-I{p}" for p in compiler.python_includes]
        Compiler._run(compiler.cc + ["-std=c11", "-O2", *includes, "-S", str(src), "-o", str(out)])
        asm[mode] = out.read_text()
    assert "FatalError" in asm["debug"]
    assert "FatalError" not in asm["release"]


# ================================================= kernel side: real providers

PROVIDER_COMMON = r"""
#define PY_SSIZE_T_CLEAN
#include "hostlib_provider.h"
#include "hostlib_kernels_table.h"
#include <math.h>

/* read by the test through ctypes: proves which provider served a call */
long provider_calls = 0;

static double my_ddot(ptrdiff_t n, const double *x, ptrdiff_t incx, const double *y, ptrdiff_t incy)
{
    double s = 0.0;
    provider_calls++;
    for (ptrdiff_t i = 0; i < n; i++) {
        s += x[i * incx] * y[i * incy];
    }
    return s;
}

static double my_dnrm2(ptrdiff_t n, const double *x, ptrdiff_t incx)
{
    double s = 0.0;
    provider_calls++;
    for (ptrdiff_t i = 0; i < n; i++) {
        s += x[i * incx] * x[i * incx];
    }
    return sqrt(s);
}
"""

# A provider built against another ABI major: a complete, valid-looking table
# from the generated initializer of a header whose ABI_MAJOR was rewritten.
PROVIDER_OTHER_MAJOR = PROVIDER_COMMON + r"""
static const hostlib_kernels_table table = {
    HOSTLIB_KERNELS_HEADER("othermajor", "1.0", 0), .ddot = my_ddot, .dnrm2 = my_dnrm2,
};
HOSTLIB_PROVIDER_MODULE(_ext, table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
"""

# A provider built when the table ended after slot 3 (ddot): its struct, as an
# older generated header declared it, is shorter than the host's. It also
# leaves slots empty (NULL), which must fall back the same way.
PROVIDER_OLDER = PROVIDER_COMMON + r"""
typedef struct {
    hostlib_table_header header;
    hostlib_saxpy_fn saxpy;   /* slot 0 */
    hostlib_daxpy_fn daxpy;   /* slot 1 */
    hostlib_sdot_fn sdot;     /* slot 2 */
    hostlib_ddot_fn ddot;     /* slot 3 */
} older_table;
static const older_table table = {
    {HOSTLIB_KERNELS_MAGIC, HOSTLIB_KERNELS_ABI_MAJOR, 0, (uint32_t)sizeof(older_table), 0,
     "older", "0.9", 0, 0},
    NULL, NULL, NULL, my_ddot,
};
HOSTLIB_PROVIDER_MODULE(_ext, table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
"""

# A provider built against a newer minor: one slot more than the host knows.
PROVIDER_NEWER = PROVIDER_COMMON + r"""
static void added_later(void) {}
typedef struct {
    hostlib_kernels_table known;
    hostlib_fn added_later;   /* slot HOSTLIB_KERNELS_NSLOTS, unknown to the host */
} newer_table;
static const newer_table table = {
    {.header = {HOSTLIB_KERNELS_MAGIC, HOSTLIB_KERNELS_ABI_MAJOR, HOSTLIB_KERNELS_ABI_MINOR + 1,
                (uint32_t)sizeof(newer_table), 0, "newer", "2.0", 0, 0},
     .dnrm2 = my_dnrm2},
    added_later,
};
HOSTLIB_PROVIDER_MODULE(_ext, table, HOSTLIB_KERNELS_PROVIDER_CAPSULE)
"""


def install_fake_provider(compiler: Compiler, site: Path, name: str, source: str, include: Path | str,
                          priority: int) -> None:
    """A compiled kernel module registered in ``hostlib.kernels`` by a fake
    installed distribution under ``site`` (put ``site`` on PYTHONPATH)."""
    pkg = f"fake_{name}"
    compiler.build(source, f"{pkg}._ext", site, include)
    (site / pkg / "__init__.py").write_text(
        f"NAME = {name!r}\nFEATURES = ()\nPRIORITY = {priority}\nEXTENSION = '{pkg}._ext'\n"
    )
    info = site / "fake_downstream_providers-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-downstream-providers\nVersion: 1.0\n")
    eps = info / "entry_points.txt"
    text = eps.read_text() if eps.exists() else f"[{IFACE.entry_point_group}]\n"
    eps.write_text(text + f"{name} = {pkg}\n")


PROVIDERS_RUN = """
import ctypes, json, sys
import numpy as np
import hostlib, hostlib_capi_example as ex
import fake_older._ext

calls = ctypes.c_long.in_dll(ctypes.CDLL(fake_older._ext.__file__), "provider_calls")
x = np.linspace(-1.0, 2.0, 1001)
before = calls.value
out = {
    "backends": {b.name: b.to_dict() for b in hostlib.backends()},
    "active": hostlib.active(),
    "dot": ex.dot(x, x),
    "ref": float(x @ x),
}
out["older_calls"] = calls.value - before
out["ddot_is_older"] = (ex.ddot_address() == hostlib._kernels_host.public_address("ddot")
                       and hostlib._kernels_host.active_address("ddot")
                       == hostlib._kernels_host.slot_address("older", "ddot"))
with hostlib.using("portable"):
    ex.dot(x, x)
out["older_calls_after_portable"] = calls.value - before
print(json.dumps(out))
"""


def test_providers_with_other_abis_are_skipped_or_partially_used(run_python, compiler, capi_example, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    major = IFACE.abi_major
    install_fake_provider(compiler, site, "othermajor", PROVIDER_OTHER_MAJOR,
                          include_with(tmp_path, HOSTLIB_KERNELS_ABI_MAJOR=major + 1), priority=100)
    install_fake_provider(compiler, site, "older", PROVIDER_OLDER, hostlib.get_include(), priority=99)
    install_fake_provider(compiler, site, "newer", PROVIDER_NEWER, hostlib.get_include(), priority=98)

    r = run_python(PROVIDERS_RUN, pythonpath=[str(site), str(capi_example)])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    backends, active = out["backends"], out["active"]

    # another ABI major: skipped, with the reason recorded; the host keeps serving
    other = backends["othermajor"]
    assert other["status"] == "invalid", other
    assert re.search(rf"ABI major version {major + 1}\b.*\b{major}\b", other["reason"]), other["reason"]
    assert "othermajor" not in active.values()

    # an older, shorter table: serves the slot it fills, the rest falls back
    older = backends["older"]
    assert older["status"] == "usable", older
    assert older["abi"] == f"{major}.0"
    assert older["provides"] == ["ddot"]
    assert active["ddot"] == "older"
    assert out["ddot_is_older"]
    assert out["dot"] == pytest.approx(out["ref"], rel=1e-12)
    assert out["older_calls"] >= 1  # the C consumer's call really ran the old provider's code
    assert out["older_calls_after_portable"] == out["older_calls"]  # ... and, switched away, did not

    # a newer, longer table: the slots the host knows are used, the extra one ignored
    newer = backends["newer"]
    assert newer["status"] == "usable", newer
    assert newer["provides"] == ["dnrm2"]
    assert active["dnrm2"] == "newer"

    # everything else comes from the usual providers
    for entry in IFACE.entries:
        if entry not in ("ddot", "dnrm2"):
            provider = backends[active[entry]]
            assert "fake-downstream-providers" not in provider["origin"], (entry, provider)
            assert entry in provider["provides"], (entry, provider)
