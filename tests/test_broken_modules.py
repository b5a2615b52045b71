"""Broken kernel modules are rejected cleanly: skipped with a precise reason
(in ``backends()`` and in the report), never imported when the CPU cannot run
them, and never able to stop hostlib from serving.

Every broken module is installed as a fake distribution (a ``*.dist-info``
folder registering it in ``hostlib.kernels``) on one temporary path, and a
fresh interpreter imports hostlib with that path on ``PYTHONPATH``. Each
declares ``PRIORITY = 99`` and no CPU features, so if one were wrongly
accepted it would take over every entry. Compiled parts are mostly Python
stand-ins exporting capsules crafted with ctypes (``_capsules.py``); two are
real compiled modules (an init function that fails, an unresolved symbol),
built when a C compiler is available.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import hostlib
from hostlib._host import cpu as _cpu

from _build_ext import BuildError, build_extension, compiler_problem

TESTS = Path(__file__).resolve().parent
IFACE = hostlib._kernels_host.iface
GROUP = IFACE.entry_point_group
ENV_VARS = ("HOSTLIB_BACKEND", "HOSTLIB_DISABLE_FEATURES")
#: masked in the subprocess so that "claims features the CPU lacks" holds on any machine
MASK = "AVX512F"


@dataclass
class Case:
    """One broken module: what is installed, and how hostlib must judge it."""

    name: str  # entry point name
    status: str  # expected Backend.status
    reason: str  # regex the reason must match (re.search)
    metadata: str | None = None  # text of fake_<name>/__init__.py (None: no such module)
    ext: str | None = None  # text of fake_<name>/_ext.py (the "compiled part")
    c_ext: str | None = None  # C source of fake_<name>/_ext (a real compiled part)
    ep_value: str | None = None  # entry point value (default fake_<name>)
    dist: str | None = None  # distribution name (default one per case)
    #: a file the compiled part creates when imported: must not exist afterwards
    must_not_import: bool = False
    extra: dict = field(default_factory=dict)


def meta(name: str, *, NAME=None, FEATURES=(), PRIORITY=99, EXTENSION=None, more: str = "") -> str:
    lines = []
    for key, value in (("NAME", name if NAME is None else NAME), ("FEATURES", FEATURES),
                       ("PRIORITY", PRIORITY), ("EXTENSION", f"fake_{name}._ext" if EXTENSION is None else EXTENSION)):
        if value is not _MISSING:
            lines.append(f"{key} = {value!r}")
    return "\n".join(lines) + "\n" + textwrap.dedent(more)


_MISSING = object()


def crafted(ep_name: str, **fields) -> str:
    """A stand-in compiled part exporting a crafted table (a copy of the
    portable one) with some header fields changed (``name`` defaults to
    ``ep_name``)."""
    fields.setdefault("name", ep_name.encode())
    return textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(TESTS)!r})
        from _capsules import CraftedTable, portable_slots
        _keep = CraftedTable(portable_slots(), **{fields!r})
        _C_API = _keep.capsule
    """)


def marker_ext(name: str) -> str:
    """A compiled part that records being imported (it must not be)."""
    return f"open({name!r} + '.imported', 'w').close()\n" + crafted(name)


# the same (valid) table behind a capsule whose name is NULL
NULL_NAME_CAPSULE = """
import ctypes
_new = ctypes.pythonapi.PyCapsule_New
_new.restype = ctypes.py_object
_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
_C_API = _new(ctypes.addressof(_keep.table), None, None)
"""

AVX2_BIT = 1 << _cpu.FEATURE_BITS["AVX2"]

C_INIT_FAILS = r"""
#include <Python.h>
PyMODINIT_FUNC PyInit__ext(void)
{
    PyErr_SetString(PyExc_ImportError, "boom in the compiled init");
    return NULL;
}
"""

C_UNDEFINED_SYMBOL = r"""
#include <Python.h>
extern int hostlib_test_symbol_nobody_defines(void);
static PyObject *f(PyObject *self, PyObject *args)
{
    return PyLong_FromLong(hostlib_test_symbol_nobody_defines());
}
static PyMethodDef methods[] = {{"f", f, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "_ext", NULL, -1, methods};
PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&def); }
"""

CASES: list[Case] = [
    # --- the metadata module
    Case("metaimporterror", "invalid", r"^cannot import metadata: ImportError: boom in metadata$",
         metadata="raise ImportError('boom in metadata')\n"),
    Case("metaerror", "invalid", r"^cannot import metadata: ZeroDivisionError: ",
         metadata="NAME = 'metaerror'\nx = 1 / 0\n"),
    Case("metasyntax", "invalid", r"^cannot import metadata: SyntaxError: ",
         metadata="NAME = 'metasyntax'\nFEATURES = (\n"),
    Case("metaexit", "invalid", r"^cannot import metadata: SystemExit: plugin called sys.exit",
         metadata="import sys\nsys.exit('plugin called sys.exit')\n"),
    Case("gone", "invalid", r"^cannot import metadata: ModuleNotFoundError: No module named 'fake_gone_nowhere'",
         ep_value="fake_gone_nowhere"),
    Case("getattrboom", "invalid", r"^cannot read metadata: RuntimeError: lazy attribute exploded",
         metadata=meta("getattrboom", more="""
             def __getattr__(name):
                 raise RuntimeError("lazy attribute exploded")
         """), ext=crafted("getattrboom")),
    # --- malformed metadata (never imports the compiled part)
    Case("featstr", "invalid", r"FEATURES must be a tuple of feature names, got str 'SSE2'",
         metadata=meta("featstr", FEATURES="SSE2"), ext=marker_ext("featstr"), must_not_import=True),
    Case("priofloat", "invalid", r"PRIORITY must be an int, got float 1.5",
         metadata=meta("priofloat", PRIORITY=1.5), ext=marker_ext("priofloat"), must_not_import=True),
    Case("priobool", "invalid", r"PRIORITY must be an int, got bool True",
         metadata=meta("priobool", PRIORITY=True), ext=marker_ext("priobool"), must_not_import=True),
    Case("namemismatch", "invalid", r"NAME 'othername' differs from its entry point name 'namemismatch'",
         metadata=meta("namemismatch", NAME="othername"), ext=marker_ext("namemismatch"), must_not_import=True),
    Case("namenotstr", "invalid", r"NAME must be a str, got bytes",
         metadata=meta("namenotstr", NAME=b"namenotstr"), ext=marker_ext("namenotstr"), must_not_import=True),
    Case("extbad", "invalid", r"EXTENSION 'fake_extbad/_ext\.so' is not a module name",
         metadata=meta("extbad", EXTENSION="fake_extbad/_ext.so"), ext=marker_ext("extbad"), must_not_import=True),
    Case("extrelative", "invalid", r"EXTENSION '\._ext' is not a module name",
         metadata=meta("extrelative", EXTENSION="._ext"), ext=marker_ext("extrelative"), must_not_import=True),
    Case("unknownfeat", "invalid", r"FEATURES has unknown feature\(s\) \['AVX3', 'avx2', 7\]",
         metadata=meta("unknownfeat", FEATURES=("SSE2", "AVX3", "avx2", 7)), ext=marker_ext("unknownfeat"),
         must_not_import=True),
    Case("nopriority", "invalid", r"malformed metadata: no PRIORITY$",
         metadata=meta("nopriority", PRIORITY=_MISSING), ext=marker_ext("nopriority"), must_not_import=True),
    Case("manyproblems", "invalid",
         r"no NAME; FEATURES must be .*; PRIORITY must be an int, got str '1'; EXTENSION must be a dotted module name",
         metadata="FEATURES = None\nPRIORITY = '1'\nEXTENSION = 5\n", must_not_import=True),
    Case("reserved", "invalid", r"^'auto' is a reserved name$", ep_value="fake_reserved",
         metadata=meta("auto", EXTENSION="fake_reserved._ext"), ext=marker_ext("reserved"),
         must_not_import=True, extra={"ep_name": "auto"}),
    # --- the CPU cannot run it: the compiled part is never imported
    # (a CPU without AVX2 also lacks what AVX512F implies: listed first)
    Case("lacksfeat", "unsupported", r"^CPU lacks (.*, )?AVX512F \(AVX512F masked by HOSTLIB_DISABLE_FEATURES\)$",
         metadata=meta("lacksfeat", FEATURES=("AVX512F",)), ext=marker_ext("lacksfeat"), must_not_import=True),
    # --- a library it forwards to is absent (metadata missing_dependency()):
    # said before the compiled part is imported
    Case("missdep", "missing dependency", r"^libfoo is not installed \(pip install foo\)$",
         metadata=meta("missdep", more="def missing_dependency():\n    return 'libfoo is not installed (pip install foo)'\n"),
         ext=marker_ext("missdep"), must_not_import=True),
    Case("missdepboom", "invalid", r"^missing_dependency\(\) failed: RuntimeError: probe broke$",
         metadata=meta("missdepboom", more="def missing_dependency():\n    raise RuntimeError('probe broke')\n"),
         ext=marker_ext("missdepboom"), must_not_import=True),
    # --- the compiled part
    Case("notbuilt", "not built", r"^compiled part fake_notbuilt\._ext is not installed",
         metadata=meta("notbuilt")),
    Case("extimporterror", "invalid", r"^importing fake_extimporterror\._ext failed: ImportError: boom in ext$",
         metadata=meta("extimporterror"), ext="raise ImportError('boom in ext')\n"),
    Case("extdepmissing", "invalid",
         r"^importing fake_extdepmissing\._ext failed: ModuleNotFoundError: No module named 'libfoo_missing'",
         metadata=meta("extdepmissing"), ext="import libfoo_missing\n"),
    Case("extexit", "invalid", r"^importing fake_extexit\._ext failed: SystemExit: 3$",
         metadata=meta("extexit"), ext="raise SystemExit(3)\n"),
    Case("cinitfails", "invalid", r"^importing fake_cinitfails\._ext failed: ImportError: boom in the compiled init$",
         metadata=meta("cinitfails"), c_ext=C_INIT_FAILS),
    Case("cundefined", "invalid",
         r"^importing fake_cundefined\._ext failed: ImportError: .*undefined symbol: hostlib_test_symbol_nobody_defines",
         metadata=meta("cundefined"), c_ext=C_UNDEFINED_SYMBOL),
    Case("nocapsule", "invalid", r"^fake_nocapsule\._ext has no _C_API capsule$",
         metadata=meta("nocapsule"), ext="X = 1\n"),
    Case("capsgetattr", "invalid", r"^reading fake_capsgetattr\._ext\._C_API failed: RuntimeError: no table today$",
         metadata=meta("capsgetattr"),
         ext="def __getattr__(name):\n    raise RuntimeError('no table today')\n"),
    Case("notcapsule", "invalid", r"_C_API rejected: _C_API is a int, not a capsule$",
         metadata=meta("notcapsule"), ext="_C_API = 42\n"),
    Case("capsname", "invalid", r"_C_API rejected: capsule is named 'numpy\._core\._multiarray_umath\._ARRAY_API', "
         rf"expected '{re.escape(IFACE.provider_capsule)}'$",
         metadata=meta("capsname"), ext=crafted("capsname", capsule_name=b"numpy._core._multiarray_umath._ARRAY_API")),
    Case("capsnoname", "invalid", rf"_C_API rejected: capsule has no name \(expected '{re.escape(IFACE.provider_capsule)}'\)$",
         metadata=meta("capsnoname"), ext=crafted("capsnoname") + NULL_NAME_CAPSULE),
    Case("capsempty", "invalid", r"_C_API rejected: capsule is named '', expected",
         metadata=meta("capsempty"), ext=crafted("capsempty", capsule_name=b"")),
    Case("badmagic", "invalid", r"_C_API rejected: wrong magic number 0x0badf00d \(expected 0x",
         metadata=meta("badmagic"), ext=crafted("badmagic", magic=0x0BADF00D)),
    Case("othermajor", "invalid", rf"_C_API rejected: ABI major version {IFACE.abi_major + 1}, but this hostlib "
         rf"speaks {IFACE.abi_major}$",
         metadata=meta("othermajor"), ext=crafted("othermajor", abi_major=IFACE.abi_major + 1)),
    Case("toosmall", "invalid", r"_C_API rejected: table size 16 is smaller than the \d+-byte header$",
         metadata=meta("toosmall"), ext=crafted("toosmall", size=16)),
    Case("oddsize", "invalid", r"_C_API rejected: table size \d+ is not the header plus whole slots$",
         metadata=meta("oddsize"), ext=crafted("oddsize", size=hostlib._host._core.HEADER_SIZE + 12)),
    Case("nullname", "invalid", r"_C_API rejected: NULL provider name in the table header$",
         metadata=meta("nullname"), ext=crafted("nullname", name=None)),
    Case("nullversion", "invalid", r"_C_API rejected: NULL version in the table header$",
         metadata=meta("nullversion"), ext=crafted("nullversion", version=None)),
    Case("tablename", "invalid", r"^table names itself 'impostor', metadata says 'tablename'$",
         metadata=meta("tablename"), ext=crafted("tablename", name=b"impostor")),
    Case("undeclared", "invalid", r"^table requires features its metadata does not declare: .*AVX2",
         metadata=meta("undeclared"), ext=crafted("undeclared", features=AVX2_BIT)),
    Case("unknownbits", "invalid", r"^table requires features its metadata does not declare: +\(unknown bits 0x",
         metadata=meta("unknownbits"), ext=crafted("unknownbits", features=1 << 62)),
    Case("extnewline", "invalid", r"EXTENSION 'os\\n' is not a module name",
         metadata=meta("extnewline", EXTENSION="os\n"), must_not_import=True),
    Case("badvalue", "invalid", r"^entry point value 'fake bad value!' is not a module path", ep_value="fake bad value!"),
    Case("reservedfield", "invalid", r"_C_API rejected: reserved header fields are not zero \(reserved0 7, reserved1 0\)$",
         metadata=meta("reservedfield"), ext=crafted("reservedfield", reserved0=7)),
    Case("emptytable", "invalid", r"^its table \(ABI \d+\.\d+\) fills no slot of this interface$",
         metadata=meta("emptytable"), ext=crafted("emptytable").replace("portable_slots()", "[0] * len(portable_slots())")),
    # --- a plugin naming hostlib's own modules (once made every kernel call crash
    # in the split wrappers: importing hostlib._C_API started a second host)
    Case("ownface", "invalid", r"^names hostlib's own module 'hostlib'; a kernel module is a package of its own$",
         metadata=meta("ownface", EXTENSION="hostlib"), must_not_import=True),
    Case("ownpool", "invalid", r"^names hostlib's own module 'hostlib._pool._threads'",
         metadata=meta("ownpool", EXTENSION="hostlib._pool._threads"), must_not_import=True),
    Case("reentrant", "invalid", r"^cannot import metadata: InterfaceError: interface 'kernels' was asked for "
         r"while its host was starting",
         metadata="import hostlib\nhostlib.active()\n" + meta("reentrant"), must_not_import=True),
    # --- two distributions registering the same name
    Case("dup", "invalid", r"^backend name 'dup' is registered 2 times \(entry point dup = fake_dup .*; "
         r"entry point dup = fake_dup2 .*\); uninstall or rename all but one$",
         metadata=meta("dup"), ext=crafted("dup"), extra={"second": "fake_dup2"}),
]
# A module registered as "portable": refused (reserved name), and the built-in
# table keeps the name. (Its rejection is not listed: backends() is keyed by
# name, and the name belongs to the built-in table.)
HIDDEN = Case("impostor", "invalid", "", metadata=meta("portable", EXTENSION="fake_impostor._ext"),
              ext=marker_ext("impostor"), must_not_import=True, extra={"ep_name": "portable"})
CASES.append(HIDDEN)
CASE_BY_NAME = {c.name: c for c in CASES}


def _dist_info(site: Path, dist: str, eps: list[tuple[str, str]], with_metadata: bool = True) -> None:
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    if with_metadata:
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
    ep_file = info / "entry_points.txt"
    text = ep_file.read_text() if ep_file.exists() else f"[{GROUP}]\n"
    ep_file.write_text(text + "".join(f"{n} = {v}\n" for n, v in eps))


def _install(site: Path, case: Case, compiled: bool) -> bool:
    """Install one case; False if it needs a compiler that is missing."""
    pkg = site / f"fake_{case.name}"
    if case.c_ext is not None:
        if not compiled:
            return False
        pkg.mkdir()
        build_extension(case.c_ext, f"fake_{case.name}._ext", site)
    if case.metadata is not None:
        pkg.mkdir(exist_ok=True)
        (pkg / "__init__.py").write_text(case.metadata)
    if case.ext is not None:
        (pkg / "_ext.py").write_text(case.ext)
    ep_name = case.extra.get("ep_name", case.name)
    _dist_info(site, f"fake-{case.name}", [(ep_name, case.ep_value or f"fake_{case.name}")])
    if "second" in case.extra:  # another distribution, another module, the same backend name
        other = site / case.extra["second"]
        other.mkdir()
        (other / "__init__.py").write_text(case.metadata.replace("fake_dup._ext", f"{case.extra['second']}._ext"))
        (other / "_ext.py").write_text(case.ext)
        _dist_info(site, "fake-dup-two", [(case.name, case.extra["second"])])
    return True


PROBE = """
import io, json, os, sys
import numpy as np
import hostlib

out = {"backends": {b.name: b.to_dict() for b in hostlib.backends()}, "active": hostlib.active()}
buf = io.StringIO()
hostlib.show_runtime(file=buf)
out["report"] = buf.getvalue()
out["modules"] = sorted(sys.modules)
x = np.arange(1.0, 1001.0)
out["dot_ok"] = bool(hostlib.dot(x, x) == float(x @ x))
out["use_errors"] = {}
for name in json.loads(sys.argv[1]):
    try:
        hostlib.use(name)
    except hostlib.BackendError as exc:
        out["use_errors"][name] = str(exc)
    else:
        out["use_errors"][name] = None
out["active_after"] = hostlib.active()
out["markers"] = sorted(f for f in os.listdir(".") if f.endswith(".imported"))
print(json.dumps(out))
"""


def _run(code: str, cwd: Path, pythonpath: list[str] | None, env: dict[str, str] | None = None,
         args: list[str] = ()) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full.update(env or {})
    if pythonpath:
        full["PYTHONPATH"] = os.pathsep.join(pythonpath)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=cwd, env=full,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("broken-site")
    compiled = compiler_problem() is None
    installed = []
    for case in CASES:
        try:
            if _install(root, case, compiled):
                installed.append(case.name)
        except BuildError as exc:  # a compiler that exists but cannot build: skip those cases only
            print(f"cannot build {case.name}: {exc}")
    return root, installed


@pytest.fixture(scope="module")
def probe(site, tmp_path_factory):
    root, installed = site
    cwd = tmp_path_factory.mktemp("probe-cwd")
    r = _run(PROBE, cwd, [str(root)], {"HOSTLIB_DISABLE_FEATURES": MASK}, [json.dumps(installed)])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    # the same interpreter without any broken module: what hostlib serves normally
    base = _run("import json, hostlib; print(json.dumps(hostlib.active()))", cwd, None,
                {"HOSTLIB_DISABLE_FEATURES": MASK})
    assert base.returncode == 0, base.stderr
    out["baseline_active"] = json.loads(base.stdout)
    out["installed"] = installed
    return out


def _case(probe, name: str) -> Case:
    case = CASE_BY_NAME[name]
    if name not in probe["installed"]:
        pytest.skip(f"{name} needs a compiled module and no C compiler works here: {compiler_problem()}")
    return case


def _report_lines(report: str, ep_name: str) -> str:
    """The report's lines about one backend (its line and the indented ones after it)."""
    lines = report.splitlines()
    out, on = [], False
    for line in lines:
        if re.match(rf"^  {re.escape(ep_name)}\s+prio ", line):
            on = True
        elif on and not re.match(r"^ {13}", line):
            on = False
        if on:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("name", [c.name for c in CASES if c is not HIDDEN])
def test_broken_module_is_skipped_with_its_reason(probe, name):
    case = _case(probe, name)
    ep_name = case.extra.get("ep_name", name)
    b = probe["backends"].get(ep_name)
    assert b is not None, f"{ep_name} not listed by backends(): {sorted(probe['backends'])}"
    assert (b["status"], b["usable"]) == (case.status, False), b
    assert re.search(case.reason, b["reason"]), f"reason {b['reason']!r} does not match {case.reason!r}"
    assert b["provides"] == []
    # the same reason in the report, on the backend's own lines
    lines = _report_lines(probe["report"], ep_name)
    assert f"{case.status}: " in lines, lines
    assert " ".join(b["reason"].split()) in " ".join(lines.split()), lines
    assert ep_name not in probe["active"].values()


@pytest.mark.parametrize("name", [c.name for c in CASES if c.must_not_import])
def test_compiled_part_of_rejected_metadata_is_never_imported(probe, name):
    _case(probe, name)
    assert f"fake_{name}._ext" not in probe["modules"]
    assert f"{name}.imported" not in probe["markers"]


def test_the_host_keeps_serving_as_without_the_broken_modules(probe):
    assert probe["active"] == probe["baseline_active"]
    assert probe["dot_ok"]
    usable = {n for n, b in probe["backends"].items() if b["usable"]}
    assert set(probe["active"].values()) <= usable
    assert "portable" in usable


def test_a_module_registered_as_portable_does_not_replace_the_builtin_table(probe):
    b = probe["backends"]["portable"]
    assert b["usable"] and b["origin"].startswith("built into hostlib"), b
    assert "fake_impostor._ext" not in probe["modules"]
    assert "impostor.imported" not in probe["markers"]


def test_wrong_magic_message_shows_both_numbers(portable_slots):
    # PyUnicode_FromFormat before Python 3.12 printed "0x%08lx" literally
    from _capsules import CraftedTable

    t = CraftedTable(portable_slots, magic=0x0BADF00D)
    with pytest.raises(ValueError) as info:
        hostlib._host._core.inspect(t.capsule, IFACE.provider_capsule, IFACE.magic, IFACE.abi_major, len(IFACE.entries))
    assert str(info.value) == f"wrong magic number 0x0badf00d (expected 0x{IFACE.magic:08x})"


@pytest.mark.parametrize("name", [c.name for c in CASES if c.extra.get("ep_name") is None])
def test_use_of_a_broken_module_is_a_clear_error(probe, name):
    case = _case(probe, name)
    msg = probe["use_errors"][name]
    assert msg is not None, f"use({name!r}) was accepted"
    assert f"use(): backend {name!r} is {case.status}: " in msg
    assert re.search(case.reason.lstrip("^").rstrip("$"), msg), msg
    assert "choose from: auto, " in msg and "portable" in msg
    assert probe["active_after"] == probe["active"]  # failed use() calls changed nothing


@pytest.mark.parametrize("name", ["badmagic", "lacksfeat", "notbuilt", "dup", "metaimporterror", "nosuchbackend"])
def test_forced_backend_naming_a_broken_module_fails_at_first_use(site, tmp_path, name):
    root, _ = site
    r = _run("import hostlib; print('imported', flush=True); hostlib.active()", tmp_path, [str(root)],
             {"HOSTLIB_BACKEND": name, "HOSTLIB_DISABLE_FEATURES": MASK})
    assert r.returncode != 0 and r.stdout.strip() == "imported", r.stdout
    assert "hostlib.BackendError" in r.stderr or "BackendError" in r.stderr, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    if name == "nosuchbackend":
        assert f"HOSTLIB_BACKEND: unknown backend {name!r}" in last
    else:
        case = CASE_BY_NAME[name]
        assert f"HOSTLIB_BACKEND: backend {name!r} is {case.status}: " in last, last
        assert re.search(case.reason.lstrip("^").rstrip("$"), last), last
    assert "choose from: auto, " in last
    # the valid choices include the healthy bundled backends
    for b in hostlib.backends():
        if b.usable and b.name in ("sse2", "avx2", "portable"):
            assert b.name in last.split("choose from:")[1].split(";")[0]


def test_dist_info_without_metadata_file_does_not_break_hostlib(tmp_path):
    """A half-removed distribution: entry_points.txt without METADATA."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "fake_nometa").mkdir()
    (root / "fake_nometa" / "__init__.py").write_text(meta("nometa"))
    (root / "fake_nometa" / "_ext.py").write_text(crafted("nometa"))
    _dist_info(root, "fake-nometa", [("nometa", "fake_nometa")], with_metadata=False)
    r = _run("import json, hostlib; print(json.dumps({b.name: b.to_dict() for b in hostlib.backends()}))",
             tmp_path, [str(root)])
    assert r.returncode == 0, r.stderr
    b = json.loads(r.stdout)["nometa"]
    # the module itself is fine: usable, its origin says what is known
    assert b["usable"], b
    assert "entry point nometa = fake_nometa" in b["origin"]


def _probe_site(tmp_path, build) -> dict:
    """Report and backends of a fresh interpreter with what ``build(root)``
    installs on its path; fails the test if hostlib does not survive it."""
    root = tmp_path / "site"
    root.mkdir()
    build(root)
    r = _run("import io, json, hostlib; buf = io.StringIO(); hostlib.show_runtime(file=buf); "
             "print(json.dumps({'report': buf.getvalue(), 'active': hostlib.active(), "
             "'backends': {b.name: b.to_dict() for b in hostlib.backends()}}))", tmp_path, [str(root)])
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_plugin_with_non_utf8_metadata_is_still_judged_on_its_own(tmp_path):
    def build(root):
        (root / "fake_latin").mkdir()
        (root / "fake_latin" / "__init__.py").write_text(meta("latin", PRIORITY=1))
        (root / "fake_latin" / "_ext.py").write_text(crafted("latin"))
        _dist_info(root, "fake-latin", [("latin", "fake_latin")], with_metadata=False)
        (root / "fake_latin-1.0.dist-info" / "METADATA").write_bytes(b"Metadata-Version: 2.1\nName: caf\xe9\n")

    out = _probe_site(tmp_path, build)
    b = out["backends"]["latin"]
    assert b["usable"] and "unreadable distribution metadata: UnicodeDecodeError" in b["origin"], b


def test_an_unrelated_distribution_with_broken_entry_points_hides_nothing(tmp_path):
    def build(root):
        for name, text in (("broken-syntax", b"[hostlib.kernels]\nfoo\n"), ("broken-bytes", b"\xff\xfe[x]\n")):
            info = root / f"{name.replace('-', '_')}-1.0.dist-info"
            info.mkdir()
            (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
            (info / "entry_points.txt").write_bytes(text)

    out = _probe_site(tmp_path, build)
    assert {"sse2", "avx2", "portable"} <= set(out["backends"])  # the healthy registrations are still found
    # in the kernels section (each other interface installed lists them in its own)
    kernels_section = out["report"].split("\nInterface '")[0]
    assert kernels_section.count("skipped:   entry points of") == 2, out["report"]


def test_a_details_hook_that_exits_is_one_line_of_the_report(tmp_path):
    def build(root):
        (root / "fake_quitter").mkdir()
        (root / "fake_quitter" / "__init__.py").write_text(
            meta("quitter", PRIORITY=1, more="import sys\ndef details():\n    sys.exit('bye')\n"))
        (root / "fake_quitter" / "_ext.py").write_text(crafted("quitter"))
        _dist_info(root, "fake-quitter", [("quitter", "fake_quitter")])

    out = _probe_site(tmp_path, build)
    assert "details() failed: SystemExit: bye" in out["report"]
    assert out["backends"]["quitter"]["details"] == {"details() failed": "SystemExit: bye"}
