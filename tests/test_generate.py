"""hostlib.generate: one spec per interface, every artefact prefixed by it,
the ABI lock, and the rules a spec must keep.

The generator runs here exactly as a third party's build runs it: on a spec
file, into a folder, from the installed hostlib.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

import pytest

import hostlib
from hostlib import generate as G

INCLUDE = Path(hostlib.get_include())

DEMO = """
[interface]
name = "demo"
prefix = "demo_"
magic = 0x44454D4F
abi_major = 2
portable = "demo._portable"
doc = "A test interface whose short names clash with hostlib's kernels."

[constants]
DEMO_OK = 0
DEMO_EBADARG = -1

[types.demo_window]
kind = "struct"
fields = [["double", "lo"], ["double", "hi"], ["ptrdiff_t", "len"]]
doc = "a closed interval and a length"

[types.demo_progress]
kind = "callback"
returns = "int"
args = "void *ctx, ptrdiff_t done"

[variants]
real = [["s", "float"], ["d", "double"]]

[[entry]]
slot = 0
name = "{p}sum"
variants = "real"
returns = "int"
args = "const demo_window *w, const {T} *x, {T} *out, demo_progress cb, void *ctx"
minor = 0
doc = "status code; same short name as hostlib's ssum/dsum, another signature"

[[entry]]
slot = 2
name = "clip"
returns = "int"
args = "ptrdiff_t n, double *x, const demo_window *w"
minor = 0
retired = true
doc = "replaced by clip2"

[[entry]]
slot = 3
name = "clip2"
returns = "int"
args = "ptrdiff_t n, double *x, ptrdiff_t incx, const demo_window *w"
minor = 1
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    spec = tmp_path / "demo.toml"
    spec.write_text(DEMO)
    return spec


def run_generate(*args: str) -> subprocess.CompletedProcess:
    # from a neutral folder: the source tree's hostlib/ must not shadow the installed one
    return subprocess.run([sys.executable, "-m", "hostlib.generate", *args], capture_output=True, text=True,
                          timeout=60, cwd=tempfile.gettempdir())


def test_every_artefact_carries_the_interface_prefix(demo, tmp_path):
    G.update_lock(G.load_interface(str(demo)), str(tmp_path / "demo.abi"))
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    out = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert set(out) == {"demo_demo_table.h", "demo_demo_provider.h", "demo_stubs.h", "demo_stubs.pxd",
                        "demo_interface.py", "demo_demo_entries.h"}
    table = out["demo_demo_table.h"]
    assert "typedef int (*demo_ssum_fn)(const demo_window *w, const float *x" in table
    assert "typedef struct demo_window {" in table and "typedef int (*demo_progress)(void *ctx, ptrdiff_t done);" in table
    assert "hostlib_fn retired_2;" in table and "demo_clip_fn" not in table  # a retired slot stays reserved
    assert "#define DEMO_DEMO_ABI_MINOR 1" in table and "#define DEMO_EBADARG (-1)" in table
    stubs = out["demo_stubs.h"]
    assert "static inline int import_demo(void)" in stubs
    assert '#define DEMO_DEMO_HOST_CAPSULE "hostlib._C_API_demo"' in table
    assert "#define demo_clip2 (demo_demo_current()->clip2)" in stubs and "demo_clip " not in stubs
    pxd = out["demo_stubs.pxd"]
    assert "ctypedef struct demo_window:" in pxd and "ctypedef int (*demo_progress)(void *ctx, ptrdiff_t done) noexcept nogil" in pxd
    ns: dict = {}
    exec(out["demo_interface.py"], ns)
    d = ns["INTERFACE"]
    assert d["entry_point_group"] == "demo.demo" and d["provider_capsule"] == "demo.demo.table"
    assert [e["name"] for e in d["entries"]] == ["ssum", "dsum", "clip", "clip2"] and d["entries"][2]["retired"] is True
    assert "#define DEMO_DEMO_ENTRIES(X)" in out["demo_demo_entries.h"]
    assert "X(3, clip2, clip2, void, other, none, 0, 0)" in out["demo_demo_entries.h"]
    iface = hostlib._host.host.Interface.from_description(d)
    assert iface.retired == frozenset({"clip"}) and iface.abi == "2.1"


@pytest.mark.skipif(shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc")
                    is None, reason="no C compiler")
def test_two_interfaces_with_the_same_short_names_compile_together(demo, tmp_path):
    """hostlib's kernels and the demo interface both have ssum/dsum, with
    other signatures: one translation unit can include and call both."""
    G.update_lock(G.load_interface(str(demo)), str(tmp_path / "demo.abi"))
    gen = tmp_path / "out"
    assert run_generate("interface", "--spec", str(demo), "--outdir", str(gen)).returncode == 0
    src = tmp_path / "both.c"
    src.write_text(textwrap.dedent("""
        #include <Python.h>
        #include "hostlib_stubs.h"
        #include "demo_stubs.h"
        float f(const float *x) { return hostlib_ssum(3, x, 1); }
        int g(const demo_window *w, const float *x, float *out) { return demo_ssum(w, x, out, NULL, NULL); }
        int h(void) { return import_hostlib() || import_demo(); }
    """))
    cc = (sysconfig.get_config_var("CC") or "cc").split()
    r = subprocess.run([*cc, "-std=c11", "-Wall", "-Werror", "-c", str(src), "-o", str(tmp_path / "both.o"),
                        f"-I{INCLUDE}", f"-I{gen}", f"-I{sysconfig.get_paths()['include']}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_a_changed_released_signature_stops_the_generator(demo, tmp_path):
    lock = tmp_path / "demo.abi"
    G.update_lock(G.load_interface(str(demo)), str(lock))
    demo.write_text(DEMO.replace("ptrdiff_t n, double *x, ptrdiff_t incx, const demo_window *w",
                                 "ptrdiff_t n, float *x, ptrdiff_t incx, const demo_window *w"))
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "the entries of released ABI 2.1 of 'demo' changed" in r.stderr and "add a new entry" in r.stderr
    assert not (tmp_path / "out").exists()  # nothing written
    # the lock command does not record it away either
    r = run_generate("lock", "--spec", str(demo))
    assert r.returncode == 1 and "changed" in r.stderr
    # docs and retirement change no byte: allowed
    demo.write_text(DEMO.replace('doc = "replaced by clip2"', 'doc = "superseded"'))
    assert run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out")).returncode == 0


def test_a_new_version_must_be_recorded(demo, tmp_path):
    lock = tmp_path / "demo.abi"
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1 and "ABI 2.0 of 'demo' is not recorded" in r.stderr
    r = run_generate("lock", "--spec", str(demo))
    assert r.returncode == 0 and r.stdout.count(" = ") == 2  # 2.0 and 2.1
    text = lock.read_text()
    assert run_generate("lock", "--spec", str(demo)).stdout.strip().endswith("up to date")
    assert lock.read_text() == text
    lock.write_text(text + "2.2 = not-a-hash\n")
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1 and "expected 'MAJOR.MINOR = <32 hex digits>'" in r.stderr


def test_a_new_entry_may_bring_a_new_type(demo, tmp_path):
    """A type is part of the hash of the versions whose entries use it: a
    struct that arrives with a minor-2 entry leaves 2.0 and 2.1 as locked,
    while changing a struct a released entry uses stops the generator."""
    lock = tmp_path / "demo.abi"
    G.update_lock(G.load_interface(str(demo)), str(lock))
    demo.write_text(DEMO + textwrap.dedent("""
        [types.demo_gain]
        kind = "struct"
        fields = [["double", "gain"], ["demo_window", "window"]]

        [[entry]]
        slot = 4
        name = "amplify"
        returns = "int"
        args = "ptrdiff_t n, double *x, const demo_gain *g"
        minor = 2
    """))
    assert run_generate("lock", "--spec", str(demo)).stdout.startswith("2.2 = ")
    out = tmp_path / "out"
    assert run_generate("interface", "--spec", str(demo), "--outdir", str(out)).returncode == 0
    # demo_window is used by 2.0 directly and by 2.2 through demo_gain
    demo.write_text(demo.read_text().replace('["ptrdiff_t", "len"]', '["int64_t", "len"]'))
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(out))
    assert r.returncode == 1 and "released ABI 2.0 of 'demo' changed" in r.stderr


@pytest.mark.parametrize(("change", "message"), [
    (("slot = 3", "slot = 1"), "duplicate slot"),
    (("slot = 3", "slot = 5"), "without gaps"),
    (("minor = 1", "minor = 0"), None),  # fine: the lock is what notices, not the rules
    (('name = "clip2"', 'name = "dsum"'), "duplicate entry name"),
    (("prefix = \"demo_\"", "prefix = \"Demo\""), "prefix"),
    (("[[entry]]\nslot = 0", "[[entry]]\nslots = 0"), "unknown key"),
    (('kind = "callback"', 'kind = "union"'), "kind must be"),
])
def test_spec_rules(demo, change, message):
    demo.write_text(DEMO.replace(*change, 1))
    if message is None:
        G.load_interface(str(demo))
        return
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(demo))


def test_entries_are_appended_only(demo):
    demo.write_text(DEMO.replace("slot = 0\nname = \"{p}sum\"\nvariants = \"real\"\nreturns = \"int\"\n"
                                 "args = \"const demo_window *w, const {T} *x, {T} *out, demo_progress cb, void *ctx\"\n"
                                 "minor = 0", "slot = 0\nname = \"{p}sum\"\nvariants = \"real\"\nreturns = \"int\"\n"
                                 "args = \"const demo_window *w, const {T} *x, {T} *out, demo_progress cb, void *ctx\"\n"
                                 "minor = 1"))
    with pytest.raises(G.SpecError, match="appended only"):
        G.load_interface(str(demo))


def test_hostlibs_own_spec_is_locked():
    """The spec hostlib was built from still hashes to its lock: what the
    build checks, here for the installed files."""
    root = Path(__file__).resolve().parents[1] / "interface"
    iface = G.load_interface(str(root / "kernels.toml"))
    G.check_lock(iface, str(root / "kernels.abi"))
    assert [e.name for e in iface.entries] == list(hostlib._kernels_host.iface.entries)


def test_compiler_flags_cover_what_features_imply(tmp_path):
    meta = tmp_path / "meta.py"
    meta.write_text("FEATURES = ('AVX2', 'FMA3')\n")
    r = run_generate("cflags", "--module", str(meta))
    flags = r.stdout.split()
    assert r.returncode == 0 and {"-mavx2", "-mfma", "-mavx", "-msse4.2", "-msse2"} <= set(flags)
    assert "-mavx512f" not in flags
    r = run_generate("bits", "AVX512F")
    assert "HOSTLIB_CPU_AVX512F" in r.stdout and "HOSTLIB_CPU_FMA3" in r.stdout
    r = run_generate("cflags", "AVX3")
    assert r.returncode == 1 and "unknown feature(s) ['AVX3']" in r.stderr


def test_aarch64_flags_merge_into_one_march():
    """A later -march replaces an earlier one: a closure's are merged."""
    r = run_generate("cflags", "SVE2", "ASIMDDP")
    assert r.returncode == 0 and r.stdout.split() == ["-march=armv8.2-a+simd+fp16+dotprod+sve+sve2"]
    assert run_generate("cflags", "ASIMD").stdout.split() == ["-march=armv8-a+simd"]
    assert G.merge_cflags(["-msse2", "-march=armv8.2-a+fp16", "-march=armv9-a+sve2", "-msse2"]) == [
        "-march=armv9-a+fp16+sve2", "-msse2"]
    with pytest.raises(G.SpecError, match="-march"):
        G.merge_cflags(["-march=native"])


def test_generate_runs_as_a_plain_script_without_hostlib(tmp_path, demo):
    """hostlib's own build runs it before hostlib exists: only the stdlib."""
    G.update_lock(G.load_interface(str(demo)), str(tmp_path / "demo.abi"))
    r = subprocess.run([sys.executable, "-S", "-B", G.__file__, "interface", "--spec", str(demo), "--outdir",
                        str(tmp_path / "o")], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": ""})
    assert r.returncode == 0, r.stderr


def test_constants_are_locked_with_the_version_that_introduced_them(demo, tmp_path):
    """Status codes and flags cross the boundary like signatures do."""
    lock = tmp_path / "demo.abi"
    G.update_lock(G.load_interface(str(demo)), str(lock))
    demo.write_text(DEMO.replace("DEMO_EBADARG = -1", "DEMO_EBADARG = -2"))
    with pytest.raises(G.SpecError, match="released ABI 2.0 of 'demo' changed"):
        G.check_lock(G.load_interface(str(demo)), str(lock))
    # a constant brought by minor 1 leaves 2.0 alone
    demo.write_text(DEMO.replace("DEMO_EBADARG = -1", "DEMO_EBADARG = -1\nDEMO_ECLIP = {value = -3, minor = 1}"))
    with pytest.raises(G.SpecError, match="released ABI 2.1 of 'demo' changed"):
        G.check_lock(G.load_interface(str(demo)), str(lock))


# ---------------------------------------------------------------------------
# per-entry metadata: one spec drives every list
# ---------------------------------------------------------------------------

MAP_ENTRY = """
[[entry]]
slot = 4
name = "{p}twice"
variants = "real"
returns = "void"
args = "ptrdiff_t n, const {T} *x, ptrdiff_t incx, {T} *y, ptrdiff_t incy"
minor = 1
kind = "elementwise"
split = "map"
split_min = {s = 4096, d = 2048}
"""


@pytest.mark.parametrize(("extra", "message"), [
    (('kind = "elementwise"', 'kind = "blas9"'), "kind 'blas9' is not one of"),
    (('split = "map"', 'split = "fft"'), "split 'fft' is not one of"),
    ('reproducible = true', "reproducible form is defined for split classes"),
    ('libm = "exp; system()"', "libm must be a C function name"),
    ('ufunc = {name = "twice", loop = "{c}->{c}"}', "with a numpy type"),
    ('verify = {tolerance = -1}', "tolerance must be a positive number"),
    ('verify = {ranges = [[1, 0]]}', r"verify.ranges holds"),
    ('verify = {ulp = 2}', r"verify: unknown key\(s\) \['ulp'\]"),
    ('bench = {domain = [3]}', "bench.domain must be"),
    (("split_min = {s = 4096, d = 2048}", 'split_min = "many"'), "split_min must be an integer"),
    (("split_min = {s = 4096, d = 2048}", ""), "needs split_min >= 1"),
])
def test_entry_metadata_is_checked(demo, extra, message):
    """A key that changes the entry (a tuple: old, new) or one more key."""
    entry = MAP_ENTRY.replace(*extra) if isinstance(extra, tuple) else MAP_ENTRY + extra + "\n"
    demo.write_text(DEMO + entry)
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(demo))


def test_a_split_class_needs_its_signature_shape(demo):
    wrong = MAP_ENTRY.replace("{T} *y, ptrdiff_t incy", "{T} *y")
    demo.write_text(DEMO + wrong)
    with pytest.raises(G.SpecError, match=r"split 'map' needs the signature void \(ptrdiff_t, const T\*"):
        G.load_interface(str(demo))
    demo.write_text(DEMO + MAP_ENTRY)
    iface = G.load_interface(str(demo))
    e = {x.name: x for x in iface.entries}
    assert (e["stwice"].split, e["stwice"].split_min, e["dtwice"].split_min) == ("map", 4096, 2048)
    assert G.entries_h(iface).count("X(5, dtwice, twice, double, elementwise, map, 2048, 0)") == 3  # all, kind, split


@pytest.mark.parametrize(("spec", "message"), [
    (DEMO.replace('portable = "demo._portable"\n', ""), "needs portable"),
    (DEMO.split("[[entry]]")[0], r"no \[\[entry\]\] tables"),
    (DEMO.split("[[entry]]")[0] + '[entry]\nslot = 0\nname = "x"\n', r"an \[entry\] table is not one"),
    (DEMO.replace('portable = "demo._portable"', 'portable = "demo/../x"'), "portable 'demo/../x' must be a dotted"),
    (DEMO.replace('real = [["s", "float"], ["d", "double"]]', 'real = [["s"]]'), r"\[variants\] maps a name"),
])
def test_malformed_specs_are_rejected_when_generated(demo, spec, message):
    """A spec without a portable table is an error of the spec, found when
    it is generated, not when the host first uses it."""
    demo.write_text(spec)
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(demo))


NEW_ELEMENTWISE = """
[[entry]]
slot = 76
name = "{p}erf"
variants = "real"
returns = "void"
args = "ptrdiff_t n, const {T} *x, ptrdiff_t incx, {T} *y, ptrdiff_t incy"
minor = 3
doc = "y[i*incy] = erf(x[i*incx])"
kind = "elementwise"
split = "map"
split_min = 65536
libm = "erf"
ufunc = {name = "erf", loop = "{c}->{c}", summary = "The error function", special = "(``erf(-0.0) == -0.0``, ``erf(inf) == 1``)"}
verify = {tolerance = 2, reference = "erf", ranges = [[-3, 3], [1e-300, 1e300, "log"]]}
bench = {domain = [-3.0, 3.0]}
"""


def test_an_elementwise_entry_is_one_spec_entry(tmp_path):
    """Issue "one spec drives every list": adding an elementwise function
    takes a spec entry, its kernel and its accuracy reference. Here the
    spec entry alone (the portable kernel is the C library's, which the
    entry names) reaches every list the host and its tools expand: the
    kernel modules' tables, the portable table, the pool's wrappers, the
    ufunc loops, the numpy patch, the numpy-facing functions, tune's
    catalogue and the benchmarks -- and the released ABIs keep their hashes."""
    from hostlib._measure import bench as _bench
    from hostlib._host import spec as _spec

    root = Path(__file__).resolve().parents[1] / "interface"
    spec = tmp_path / "kernels.toml"
    spec.write_text((root / "kernels.toml").read_text() + NEW_ELEMENTWISE)
    iface = G.load_interface(str(spec))
    lock = tmp_path / "kernels.abi"
    shutil.copy(root / "kernels.abi", lock)
    assert G.update_lock(iface, str(lock)) == [l for l in G.update_lock(iface, str(tmp_path / "x.abi"))
                                               if l.startswith("1.3")]
    G.check_lock(iface, str(lock))  # 1.0, 1.1 and 1.2 still hash as released
    G.write_interface(iface, str(tmp_path / "out"))
    h = (tmp_path / "out" / "hostlib_kernels_entries.h").read_text()
    for macro in ("ENTRIES", "KIND_ELEMENTWISE", "SPLIT_ENTRIES"):
        body = h.split(f"#define HOSTLIB_KERNELS_{macro}(X)")[1].split("\n\n")[0]
        assert "X(77, derf, erf, double, elementwise, map, 65536, 0)" in body, macro
    assert "X(76, serf, float, erff, map)" in h and "X(77, derf, double, erf, map)" in h  # portable's libm map
    assert "X(76, serf, float, erf, map)" in h  # the ufunc loops
    ns: dict = {}
    exec((tmp_path / "out" / "kernels_interface.py").read_text(), ns)
    entries = {e.name: e for e in _spec.entries(ns["INTERFACE"])}
    assert entries["derf"].function == "erf" and entries["derf"].dtype == "float64"
    assert entries["serf"].ufunc["loop"] == "f->f" and entries["derf"].verify["reference"] == "erf"
    kernel = _bench._kernel(entries["derf"])
    assert (kernel.hostlib, kernel.numpy, kernel.domain) == ("hl.erf(x, out=y)", "np.erf(x, out=y)", (-3.0, 3.0))
    iface_host = hostlib._host.host.Interface.from_description(ns["INTERFACE"])
    assert iface_host.abi == "1.3" and "derf" in iface_host.entries and not iface_host.reproducible & {"derf"}


def test_a_two_input_entry_has_its_own_shape(tmp_path):
    """A map2 entry (z = f(x, y)) gets the two-input libm map, loop and
    bench call; its signature, ufunc loop and ranges must have that shape."""
    from hostlib._measure import bench as _bench
    from hostlib._host import spec as _spec

    iface = G.load_interface(str(Path(__file__).resolve().parents[1] / "interface" / "kernels.toml"))
    G.write_interface(iface, str(tmp_path / "out"))
    h = (tmp_path / "out" / "hostlib_kernels_entries.h").read_text()
    assert "X(57, dpower, double, pow, map2)" in h and "X(56, spower, float, power, map2)" in h
    e = _spec.kernels()["dpower"]
    assert e.nin == 2 and e.ufunc["loop"] == "dd->d" and _spec.kernels()["dexp"].nin == 1
    assert _bench._kernel(e).hostlib == "hl.power(x, x2, out=y)"
    root = (Path(__file__).resolve().parents[1] / "interface" / "kernels.toml").read_text()
    for old, new, message in [
        ('loop = "{c}{c}->{c}", summary = "The first', 'loop = "{c}->{c}", summary = "The first', "loop '..->.'"),
        ('ptrdiff_t incy, {T} *z, ptrdiff_t incz"\nminor = 1\ndoc = "z[i*incz] = power',
         'ptrdiff_t incy"\nminor = 1\ndoc = "z[i*incz] = power', "split 'map2' needs the signature"),
        ("d = [[[0.5, 2], [-700, 700]]", "d = [[0.5, 2], [[-700, 700]]", "pairs"),
    ]:
        assert old in root, old
        bad = tmp_path / "bad.toml"
        bad.write_text(root.replace(old, new, 1))
        with pytest.raises(G.SpecError, match=message):
            G.load_interface(str(bad))


def test_hostlibs_lists_come_from_its_spec():
    """What hostlib serves in Python is what its spec lists."""
    from hostlib._measure import bench as _bench
    from hostlib._numpy import patch as _numpy_patch
    from hostlib._host import spec as _spec

    spec = G.load_interface(str(Path(__file__).resolve().parents[1] / "interface" / "kernels.toml"))
    ufuncs = {e.ufunc["name"] for e in spec.served if e.ufunc}
    assert set(_numpy_patch.UFUNCS) == ufuncs
    assert set(_spec.functions()) == {e.function for e in spec.served if e.kind in _spec.NUMPY_KINDS} <= set(dir(hostlib))
    # the level-2/3 entries have no numpy-facing function (nor a name in hostlib's namespace)
    assert {e.kind for e in spec.served} - set(_spec.NUMPY_KINDS) == {"level2", "level3"}
    assert "trsm" not in dir(hostlib)
    assert set(_bench.KERNELS) == {e.function for e in spec.served if e.ufunc or "call" in e.bench}
    assert hostlib._kernels_host.iface.reproducible == {e.name for e in spec.served if e.reproducible}


# ---------------------------------------------------------------------------
# every spec field is checked against the text it is pasted into
# ---------------------------------------------------------------------------

ENTRY0_ARGS = "const demo_window *w, const {T} *x, {T} *out, demo_progress cb, void *ctx"
NEW_TYPE = '[types.{}]\nkind = "struct"\nfields = [["int", "a"]]\n\n[types.demo_progress]'


@pytest.mark.parametrize(("change", "message"), [
    # integers and booleans: `true` never reaches a header as True
    (("abi_major = 2", "abi_major = true"), "abi_major must be an integer"),
    (("magic = 0x44454D4F", "magic = 0x144454D4F"), "magic must be an integer from 1 to 4294967295"),
    (("retired = true", 'retired = "no"'), "retired must be true or false"),
    (("DEMO_OK = 0", "DEMO_OK = true"), "constant 'DEMO_OK': value must be an integer"),
    (("DEMO_OK = 0", "DEMO_OK = {value = 0, minor = 5}"), "minor 5 is after the interface's last minor 1"),
    # names: C, C++, Cython and Python keywords, reserved names, the table's members, generated names
    (('name = "clip2"', 'name = "int"'), "'int' is a keyword"),
    (('name = "clip2"', 'name = "cdef"'), "'cdef' is a keyword"),
    (('name = "clip2"', 'name = "_Clip"'), "reserved to the compiler"),
    (('name = "clip2"', 'name = "clip__2"'), "reserved to the compiler"),
    (('name = "clip2"', 'name = "header"'), "member the table reserves"),
    (('name = "clip2"', 'name = "retired_3"'), "member the table reserves"),
    (('name = "clip2"', 'name = "clip2\\n"'), "entry name must be a C identifier"),
    (("[types.demo_progress]", NEW_TYPE.format("demo_clip2")), "collides with the call macro of entry clip2"),
    (("[types.demo_progress]", NEW_TYPE.format("progress")), "must start with the interface's prefix 'demo_'"),
    (("DEMO_OK = 0", "DEMO_DEMO_MAGIC = 0"), "collides with a generated macro"),
    (("DEMO_OK = 0", "DEMO_DEMO_LATER = 0"), "are the generator's"),
    (("DEMO_OK = 0", "OK = 0"), "must start with the interface's prefix 'DEMO_'"),
    (("void *ctx, ptrdiff_t done", "void *ctx, ptrdiff_t DEMO_OK"), "parameter name 'DEMO_OK' collides with the constant"),
    (('["double", "lo"]', '["double", "DEMO_OK"]'), "member name 'DEMO_OK' collides"),
    (('["double", "lo"]', '["double", "lo"], ["float", "lo"]'), "a member name appears twice"),
    # C types are parsed by a small grammar: nothing can be smuggled in
    (('returns = "int"\nargs = "ptrdiff_t n, double *x, ptrdiff_t incx', 'returns = "int; int evil(void)"\nargs = "ptrdiff_t n, double *x, ptrdiff_t incx'),
     "returns: 'int; int evil\\(void\\)' is not a declaration"),
    ((ENTRY0_ARGS, "ptrdiff_t n) { return 0; } int f(int x"), "is not a declaration"),
    ((ENTRY0_ARGS, "double *x /* c */"), "is not a declaration"),
    ((ENTRY0_ARGS, "double *x\\n#include <evil.h>\\n"), "is not a declaration"),
    ((ENTRY0_ARGS, "double x[4]"), "is not a declaration"),
    ((ENTRY0_ARGS, "double *x, double *x"), "parameter name 'x' appears twice"),
    ((ENTRY0_ARGS, "struct evil *x"), "names no known type"),
    ((ENTRY0_ARGS, "void x"), "a parameter cannot be void"),
    ((ENTRY0_ARGS, ""), "parameter list"),
    (('["ptrdiff_t", "len"]', '["ptrdiff_t; int evil", "len"]'), "field 3: .* is not a declaration"),
    (('["ptrdiff_t", "len"]', '["ptrdiff_t x", "len"]'), "field 3: .* without a name"),
    (('args = "void *ctx, ptrdiff_t done"', 'args = "void *ctx); int (*evil)(void"'), "is not a declaration"),
    (('real = [["s", "float"], ["d", "double"]]', 'real = [["s", "float; int"], ["d", "double"]]'),
     r"variants 'real' \[s\]: .* is not a declaration"),
    # a type uses only the types declared before it
    (('fields = [["double", "lo"], ["double", "hi"], ["ptrdiff_t", "len"]]',
      'fields = [["double", "lo"], ["demo_progress", "cb"]]'), "names no known type"),
    # doc text is one line; strings that reach C literals are dotted names
    (('doc = "replaced by clip2"', 'doc = "two\\nlines"'), "doc must be one line of printable text"),
    (('portable = "demo._portable"', 'portable = "demo._portable"\nhost_capsule = "x\\"; int evil;"'),
     "host_capsule .* must be a dotted module name"),
    (('portable = "demo._portable"', 'portable = "demo._portable"\nprovider_capsule = "a.b\\n"'), "dotted module name"),
    (('portable = "demo._portable"', 'portable = "demo.import"'), "dotted module name"),
    # output files stay inside --outdir
    (('portable = "demo._portable"', 'portable = "demo._portable"\nstubs_name = "../../x"'),
     "stubs_name must be a C identifier"),
    (('portable = "demo._portable"', 'portable = "demo._portable"\nstubs_name = "demo_demo_table"'),
     "names a file the generator already writes"),
    # odd TOML types are errors of the spec, not TypeErrors
    (('variants = "real"', "variants = [1]"), "unknown variants"),
    (('[types.demo_window]\nkind = "struct"', '[types.demo_window]\nkind = "struct"\nbogus = 1'), "unknown key"),
    (('fields = [["double", "lo"], ["double", "hi"], ["ptrdiff_t", "len"]]', 'fields = [["double"]]'),
     "a struct needs fields"),
    (('doc = "replaced by clip2"', "doc = 5"), "doc must be a string"),
    (('name = "clip2"', "name = 2"), "name must be a string"),
    (("[constants]", "[constant]"), r"unknown key\(s\) \['constant'\]"),
    (('portable = "demo._portable"', 'portable = "demo._portable"\ntune = "yes"'), "tune must be true or false"),
])
def test_spec_fields_are_checked_against_where_they_go(demo, change, message):
    assert DEMO.count(change[0]) >= 1, change[0]
    demo.write_text(DEMO.replace(*change, 1))
    with pytest.raises(G.SpecError, match=message) as info:
        G.load_interface(str(demo))
    assert str(demo) in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(("extra", "message"), [
    ('libm = "i"', "'if' is a keyword"),  # slibm: i + f
    ('verify = {tolerance = inf}', "verify.tolerance must be a finite number"),
    ('verify = {ranges = [[0, inf]]}', "finite numbers only"),
    ('bench = {alpha = nan}', "bench.alpha must be a finite number"),
    ('bench = {alpha = 1979-05-27}', "bench.alpha must be a finite number"),
    ('bench = {domain = ["a", "b"]}', "finite numbers only"),
    ('bench = {call = "x\\ny"}', "bench.call must be one line"),
    ('reproducible = "yes"', "reproducible must be true or false"),
    (("split_min = {s = 4096, d = 2048}", "split_min = 1e400"), "split_min must be an integer"),
    (("split_min = {s = 4096, d = 2048}", "split_min = 99999999999999999999"), "split_min must be an integer from"),
])
def test_metadata_reaching_the_description_is_plain(demo, extra, message):
    """The description is Python text written by pprint: inf, nan or a
    date would be names it cannot evaluate."""
    entry = MAP_ENTRY.replace(*extra) if isinstance(extra, tuple) else MAP_ENTRY + extra + "\n"
    demo.write_text(DEMO + entry)
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(demo))


def test_signatures_are_written_as_parsed_and_keep_their_hash(demo, tmp_path):
    """Spacing does not change the lock: the tokens are what is hashed."""
    G.update_lock(G.load_interface(str(demo)), str(tmp_path / "demo.abi"))
    demo.write_text(DEMO.replace(ENTRY0_ARGS, "const demo_window*w,const {T}  *  x, {T}*out,\tdemo_progress cb, void*ctx"))
    iface = G.load_interface(str(demo))
    G.check_lock(iface, str(tmp_path / "demo.abi"))
    assert iface.entries[0].args == "const demo_window *w, const float *x, float *out, demo_progress cb, void *ctx"


HOSTILE_DOCS = {
    'doc = "A test interface whose short names clash with hostlib\'s kernels."':
        'doc = "ends */ here /* nested \\" quote \\\\ backslash \'single\' */"',
    'doc = "a closed interval and a length"': 'doc = "*/ int evil; /*"',
    'doc = "replaced by clip2"': 'doc = "*/*/**//"',
}


@pytest.mark.skipif(shutil.which(sysconfig.get_config_var("CC").split()[0] if sysconfig.get_config_var("CC") else "cc")
                    is None, reason="no C compiler")
def test_hostile_docs_and_file_names_cannot_break_the_generated_files(tmp_path):
    """Docs holding */, /*, quotes and backslashes, and a spec file whose
    name holds quotes, give headers that compile with -Wall -Werror and a
    description that reads the docs back exactly."""
    text = DEMO.replace('slot = 3\nname = "clip2"', 'slot = 3\nname = "clip2"\ndoc = "x */ y"')
    for old, new in HOSTILE_DOCS.items():
        text = text.replace(old, new)
    spec = tmp_path / "we\"ird'*.toml"
    spec.write_text(text)
    iface = G.load_interface(str(spec))
    G.update_lock(iface, str(tmp_path / "demo.abi"))
    assert "we\"ird'*.toml" in (tmp_path / "demo.abi").read_text()
    gen = tmp_path / "out"
    r = run_generate("interface", "--spec", str(spec), "--outdir", str(gen), "--lock", str(tmp_path / "demo.abi"))
    assert r.returncode == 0, r.stderr
    src = tmp_path / "use.c"
    src.write_text('#include <Python.h>\n#include "demo_stubs.h"\n#include "demo_demo_entries.h"\n'
                   "int h(void) { return import_demo(); }\n")
    cc = (sysconfig.get_config_var("CC") or "cc").split()
    r = subprocess.run([*cc, "-std=c11", "-Wall", "-Werror", "-c", str(src), "-o", str(tmp_path / "use.o"),
                        f"-I{INCLUDE}", f"-I{gen}", f"-I{sysconfig.get_paths()['include']}"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    ns: dict = {}
    exec((gen / "demo_interface.py").read_text(), ns)
    assert ns["INTERFACE"]["doc"] == iface.doc and ns["INTERFACE"]["entries"][3]["doc"] == "x */ y"
    assert "we\"ird'*.toml" in ns["__doc__"]
    pxd = (gen / "demo_stubs.pxd").read_text()
    assert all(line.startswith(("#", " ", "from ", "cdef ")) or not line for line in pxd.splitlines())


def test_deleting_a_released_minor_stops_the_generator(demo, tmp_path):
    """The lock holds 2.1; a spec whose 2.1 entries are gone is not 2.0
    plus nothing, it broke a release."""
    lock = tmp_path / "demo.abi"
    G.update_lock(G.load_interface(str(demo)), str(lock))
    text = lock.read_text()
    demo.write_text(DEMO.split("[[entry]]\nslot = 3")[0])
    r = run_generate("interface", "--spec", str(demo), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1 and "released ABI 2.1 of 'demo' has no entries any more" in r.stderr
    assert "retired = true" in r.stderr and not (tmp_path / "out").exists()
    r = run_generate("lock", "--spec", str(demo))
    assert r.returncode == 1 and lock.read_text() == text


def test_the_lock_command_records_nothing_while_a_release_changed(demo, tmp_path):
    lock = tmp_path / "demo.abi"
    G.update_lock(G.load_interface(str(demo)), str(lock))
    text = lock.read_text()
    demo.write_text(DEMO.replace("DEMO_EBADARG = -1", "DEMO_EBADARG = -2") + MAP_ENTRY.replace("minor = 1", "minor = 2"))
    r = run_generate("lock", "--spec", str(demo))
    assert r.returncode == 1 and "released ABI 2.0 of 'demo' changed" in r.stderr
    assert lock.read_text() == text  # 2.2 was not appended either


def test_locking_is_linear(tmp_path):
    """2,000 entries, each its own minor version, and a type: the hash of
    each version carries on from the previous one (it took 22 s when every
    version was hashed from scratch)."""
    import time

    out = ['[interface]\nname = "big"\nprefix = "big_"\nmagic = 1\nabi_major = 1\nportable = "big._portable"\n',
           '[types.big_pair]\nkind = "struct"\nfields = [["double", "a"], ["double", "b"]]\n']
    out += [f'[[entry]]\nslot = {i}\nname = "f{i}"\nreturns = "int"\n'
            f'args = "ptrdiff_t n, const double *x, const big_pair *p"\nminor = {i}\n' for i in range(2000)]
    spec = tmp_path / "big.toml"
    spec.write_text("\n".join(out))
    start = time.perf_counter()
    iface = G.load_interface(str(spec))
    assert len(G.update_lock(iface, str(tmp_path / "big.abi"))) == 2000
    G.check_lock(iface, str(tmp_path / "big.abi"))
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize(("content", "message"), [
    (b"\xff\xfe[interface]\n", "not UTF-8"),
    (DEMO.split("[[entry]]")[0].encode() + b'[entry]\nslot = 0\nname = "x"\n', "not one"),
    (DEMO.split("[[entry]]")[0].encode(), "no [[entry]] tables"),
    (b"entry = 5\n", "no [interface] table"),
    (DEMO.replace("[types.demo_window]", "types = 3\n[types.demo_window]").encode(), ""),
    (DEMO.replace("DEMO_OK = 0", "DEMO_OK = [1, 2]").encode(), "value must be an integer"),
    (DEMO.replace('kind = "callback"', 'kind = ["callback"]').encode(), "kind must be"),
    (DEMO.replace('real = [["s", "float"], ["d", "double"]]', "real = 1").encode(), "[variants] maps a name"),
    (DEMO.replace("retired = true", "retired = true\n[entry.x]\ny = 1").encode(), ""),
])
def test_a_malformed_spec_is_one_line_on_stderr(tmp_path, content, message):
    spec = tmp_path / "bad.toml"
    spec.write_bytes(content)
    r = run_generate("interface", "--spec", str(spec), "--outdir", str(tmp_path / "out"))
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("hostlib.generate: error: ") and r.stderr.count("\n") == 1, r.stderr
    assert str(spec) in r.stderr and message in r.stderr


@pytest.mark.parametrize("where", ["lock", "outdir", "module"])
def test_an_unusable_file_or_folder_is_one_line_on_stderr(demo, tmp_path, where):
    G.update_lock(G.load_interface(str(demo)), str(tmp_path / "demo.abi"))
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    if where == "lock":
        (tmp_path / "demo.abi").write_bytes(b"2.0 = \xff\n")
        args = ["interface", "--spec", str(demo), "--outdir", str(tmp_path / "out")]
    elif where == "outdir":
        args = ["interface", "--spec", str(demo), "--outdir", str(blocker / "out")]
    else:
        (tmp_path / "meta.py").write_bytes(b"FEATURES = (\n")
        args = ["cflags", "--module", str(tmp_path / "meta.py")]
    r = run_generate(*args)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert r.stderr.startswith("hostlib.generate: error: ") and r.stderr.count("\n") == 1, r.stderr

COMPLEX_DEMO = DEMO.replace(
    '[variants]\nreal = [["s", "float"], ["d", "double"]]',
    '[types.demo_cplx]\nkind = "struct"\nfields = [["double", "re"], ["double", "im"]]\n\n'
    '[variants]\nreal = [["s", "float"], ["d", "double"]]\n'
    'mixed = [["d", "double", "d"], ["z", "demo_cplx", "D", "double"]]',
) + """
[[entry]]
slot = 4
name = "{p}norms"
variants = "mixed"
returns = "ptrdiff_t"
args = "ptrdiff_t n, const {T} *x, {R} *out"
minor = 1
unavailable = {d = "", z = "DEMO_EBADARG"}
doc = "{T} in, {R} out"
"""


def test_a_complex_variant_names_its_real_type_and_a_stub_answers_for_missing_code(tmp_path):
    """{R} is a variant's real type ({T} itself for a real one); an entry
    marked unavailable gets a generated stub, which the portable table
    puts in its slot, returning the named status."""
    spec = tmp_path / "demo.toml"
    spec.write_text(COMPLEX_DEMO)
    iface = G.load_interface(str(spec))
    e = {x.name: x for x in iface.entries}
    assert e["dnorms"].args == "ptrdiff_t n, const double *x, double *out" and e["dnorms"].unavailable == ""
    assert e["znorms"].args == "ptrdiff_t n, const demo_cplx *x, double *out" and e["znorms"].doc == "demo_cplx in, double out"
    entries = G.entries_h(iface)
    assert "#define DEMO_DEMO_UNAVAILABLE_ENTRIES(X) \\\n    X(5, znorms)\n" in entries
    assert "dnorms_unavailable" not in entries
    if shutil.which((sysconfig.get_config_var("CC") or "cc").split()[0]) is None:
        pytest.skip("no C compiler")
    G.update_lock(iface, str(tmp_path / "demo.abi"))
    gen = tmp_path / "out"
    r = run_generate("interface", "--spec", str(spec), "--lock", str(tmp_path / "demo.abi"), "--outdir", str(gen))
    assert r.returncode == 0, r.stderr
    src = tmp_path / "stub.c"
    src.write_text(textwrap.dedent("""
        #define DEMO_DEMO_DEFINE_UNAVAILABLE_STUBS
        #include "demo_demo_table.h"
        #include "demo_demo_entries.h"
        #include <stdio.h>
        int main(void) {
            demo_znorms_fn f = demo_znorms_unavailable;
            double out = 0;
            printf("%td\\n", f(3, NULL, &out));
            return 0;
        }
    """))
    cc = (sysconfig.get_config_var("CC") or "cc").split()
    exe = tmp_path / "stub"
    r = subprocess.run([*cc, "-std=c11", "-Wall", "-Wextra", "-Werror", str(src), "-o", str(exe),
                        f"-I{INCLUDE}", f"-I{gen}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert subprocess.run([str(exe)], capture_output=True, text=True, timeout=30).stdout.strip() == "-1"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('unavailable = {d = "", z = "DEMO_EBADARG"}', 'unavailable = "DEMO_NOPE"', "is not one of \\[constants\\]"),
    ('returns = "ptrdiff_t"', 'returns = "double"', "returning an integer status"),
    ('{R} *out"', '{R} *"', "every parameter named"),
])
def test_an_unavailable_stub_needs_a_status_to_return(tmp_path, old, new, message):
    spec = tmp_path / "demo.toml"
    assert old in COMPLEX_DEMO
    spec.write_text(COMPLEX_DEMO.replace(old, new))
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(spec))


def test_level2_and_level3_kinds_are_listed_and_left_to_declared_priority(tmp_path):
    """An interface that tune measures may hold BLAS level-2/3 entries
    (kind level2/level3: tune skips them), never an entry of kind other;
    each kind has its X-macro list."""
    spec = tmp_path / "demo.toml"
    text = DEMO.replace('doc = "A test', 'tune = true\ndoc = "A test')
    spec.write_text(text)
    with pytest.raises(G.SpecError, match="tune = true needs a kind tune can verify"):
        G.load_interface(str(spec))
    text = text.replace("minor = 0\ndoc = \"status", 'minor = 0\nkind = "level3"\ndoc = "status')
    text = text.replace("minor = 1\n", 'minor = 1\nkind = "level2"\n')
    spec.write_text(text)
    iface = G.load_interface(str(spec))
    entries = G.entries_h(iface)
    assert "#define DEMO_DEMO_KIND_LEVEL3(X) \\\n    X(0, ssum, sum, float, level3, none, 0, 0) \\\n" in entries
    assert "#define DEMO_DEMO_KIND_LEVEL2(X) \\\n    X(3, clip2, clip2, void, level2, none, 0, 0)\n" in entries
