"""How a downstream build finds hostlib: ``hostlib-config``, ``hostlib.pc``
and meson's ``dependency('hostlib')``, the one version, and that none of it
starts a host or reads a ``HOSTLIB_*`` variable.

The pkg-config and meson tests need the ``pkg-config`` (or ``pkgconf``) and
``meson`` programs and are skipped, saying so, without them.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import hostlib
from hostlib import _configtool, generate

REPO = Path(__file__).resolve().parent.parent
# a stale backend and garbage features: a build must not care
HOSTILE = {"HOSTLIB_BACKEND": "uninstalled_plugin", "HOSTLIB_DISABLE_FEATURES": "NOT_A_FEATURE"}


def config(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m hostlib config ARGS`` in a fresh interpreter, run outside
    the source tree (whose hostlib/ would shadow the installed one)."""
    return subprocess.run(
        [sys.executable, "-m", "hostlib", "config", *args],
        capture_output=True, text=True, timeout=60, cwd=cwd, env={**os.environ, **(env or {})},
    )


def test_paths_are_the_installed_files(tmp_path):
    r = config("--version", "--cflags", "--pkgconfigdir", "--includedir", "--generator", env=HOSTILE, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    version, cflags, pcdir, inc, gen = r.stdout.splitlines()
    assert version == hostlib.__version__
    assert cflags == f"-I{hostlib.get_include()}" and inc == hostlib.get_include()
    assert (Path(inc) / "hostlib_stubs.h").is_file() and (Path(inc) / "simd" / "level1.h").is_file()
    assert (Path(pcdir) / "hostlib.pc").is_file()
    assert Path(gen).samefile(generate.__file__)


def test_console_script_is_installed(tmp_path):
    exe = Path(sysconfig.get_path("scripts")) / ("hostlib-config" + (".exe" if os.name == "nt" else ""))
    if not exe.exists():
        pytest.skip(f"{exe} not found (hostlib installed without its scripts?)")
    r = subprocess.run([str(exe), "--cflags"], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                       env={**os.environ, **HOSTILE})
    assert r.returncode == 0 and r.stdout.strip() == f"-I{hostlib.get_include()}", r.stderr


def test_starts_no_host_and_reads_no_variable(run_python):
    r = run_python(
        """
        import contextlib, io, json, os
        seen = []
        class Env(dict):  # records every HOSTLIB_* lookup
            def get(self, key, default=None):
                if str(key).startswith("HOSTLIB"):
                    seen.append(key)
                return super().get(key, default)
            def __getitem__(self, key):
                if str(key).startswith("HOSTLIB"):
                    seen.append(key)
                return super().__getitem__(key)
        real = os.environ
        os.environ = Env(real)
        try:
            from hostlib import _configtool
            from hostlib._host import registry as _registry
            with contextlib.redirect_stdout(io.StringIO()):
                codes = [_configtool.main(a) for a in (["--version", "--cflags", "--pkgconfigdir", "--generator"],
                                                       ["--cflags-for", "AVX2", "--bits-for", "AVX2"])]
        finally:
            os.environ = real
        print(json.dumps({"codes": codes, "started": sorted(_registry.started()), "read": seen}))
        """,
        env=HOSTILE,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"codes": [0, 0], "started": [], "read": []}


def test_feature_flags_are_the_generators(tmp_path):
    features = generate.load_features()
    want = [f.cflag for f in generate.closure(["AVX2", "FMA3"], features) if f.cflag]
    assert _configtool.feature_flags(["AVX2", "FMA3"])[0] == want
    assert "-mavx2" in want and "-mfma" in want and "-mavx" in want  # implied features too
    r = config("--cflags-for", "AVX2", "FMA3", "--bits-for", "SSE2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [" ".join(want), "HOSTLIB_CPU_SSE | HOSTLIB_CPU_SSE2"]


def test_feature_names_are_spelled_as_the_runtime_takes_them(tmp_path):
    """hostlib-config takes what HOSTLIB_DISABLE_FEATURES takes: any case,
    and the aliases (FMA, SSE4.1, NEON)."""
    assert _configtool.feature_flags(["avx2", "FMA"]) == _configtool.feature_flags(["AVX2", "FMA3"])
    assert _configtool.feature_flags(["SSE4.1"]) == _configtool.feature_flags(["SSE41"])
    assert _configtool.feature_flags(["neon"]) == _configtool.feature_flags(["ASIMD"])
    r = config("--bits-for", "sse4.1", cwd=tmp_path)
    assert r.returncode == 0 and "HOSTLIB_CPU_SSE41" in r.stdout, r.stderr


def test_feature_flags_of_a_metadata_file(tmp_path):
    meta = tmp_path / "mykernels.py"
    meta.write_text('NAME = "mykernels"\nFEATURES = ("AVX512F",)\nraise SystemExit("never imported")\n')
    r = config("--cflags-for", "--module", str(meta), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == _configtool.feature_flags(["AVX512F"])[0]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["--cflags-for", "AVX9"], 1, "unknown CPU feature(s) 'AVX9'"),
        (["--cflags-for", "AVX2", "ASIMD"], 1, "features of several architectures (aarch64, x86)"),
        (["--cflags-for", "AVX2", "--module", "x.py"], 2, "either feature names or --module"),
        (["--bits-for"], 2, "either feature names or --module"),
        (["--module", "x.py"], 2, "goes with --cflags-for"),
        (["--cflags-for", "--module", "missing.py"], 1, "missing.py"),
        (["--cflags-for", "--module", "broken.py"], 1, "hostlib-config: error: "),
    ],
)
def test_feature_flag_errors(tmp_path, args, code, message):
    (tmp_path / "broken.py").write_text("FEATURES = (\n")  # not Python
    r = config(*args, cwd=tmp_path)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == code and message in r.stderr, (r.returncode, r.stderr)


def test_one_version():
    """meson.build's project() version is the only one written down."""
    assert hostlib.__version__ == importlib.metadata.version("hostlib-simd")
    pc = (Path(_configtool.pkgconfigdir()) / "hostlib.pc").read_text()
    assert re.search(r"^Version: (\S+)$", pc, re.M).group(1) == hostlib.__version__
    portable = next(b for b in hostlib.backends() if b.name == "portable")
    assert portable.version == hostlib.__version__
    if (REPO / "pyproject.toml").is_file():
        pyproject = (REPO / "pyproject.toml").read_text()
        assert 'dynamic = ["version"]' in pyproject and not re.search(r"^version\s*=", pyproject, re.M)
        assert hostlib.__version__ in (REPO / "meson.build").read_text()


def test_package_pxd_is_the_flat_one():
    flat = Path(hostlib.get_include()) / "hostlib_stubs.pxd"
    package = Path(hostlib.__file__).parent / "stubs.pxd"
    assert package.read_text() == flat.read_text()


# ------------------------------------------------------------------ pkg-config

def _pkg_config() -> str:
    exe = shutil.which("pkg-config") or shutil.which("pkgconf")
    if exe is None:
        pytest.skip("no pkg-config or pkgconf program")
    return exe


def test_pkg_config_finds_the_installed_hostlib():
    exe = _pkg_config()
    env = {**os.environ, "PKG_CONFIG_PATH": _configtool.pkgconfigdir()}

    def pc(*args: str) -> str:
        r = subprocess.run([exe, *args, "hostlib"], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout.strip()

    assert pc("--modversion") == hostlib.__version__
    flag = pc("--cflags")
    assert flag.startswith("-I") and Path(flag[2:]).samefile(hostlib.get_include())
    assert Path(pc("--variable=generator")).samefile(generate.__file__)
    assert (Path(pc("--variable=simddir")) / "gemm.h").is_file()
    assert (Path(pc("--variable=cython_include")) / "hostlib" / "stubs.pxd").is_file()


# ---------------------------------------------------------------------- meson

SNIPPET_START = "# --- hostlib, found the way numpy is"
USERS = ["examples/c_api", "examples/downstream", "examples/third_party_interface", "kernels_avx512", "kernels_openblas"]


def _snippet() -> str:
    text = (REPO / "examples/c_api/meson.build").read_text()
    start = text.index(SNIPPET_START)
    end = text.index("message('hostlib '", start)
    return text[start:text.index("\n", end) + 1]


def test_one_way_to_find_hostlib():
    if not (REPO / "examples").is_dir():
        pytest.skip("tests run outside the source checkout")
    snippet = _snippet()
    for user in USERS:
        text = (REPO / user / "meson.build").read_text()
        assert snippet in text, f"{user}/meson.build does not find hostlib with the snippet of examples/c_api"
        assert "find_spec" not in text and "hostlib.get_include()" not in text, user
        assert not (REPO / user / "meson.options").exists() or "hostlib_include" not in (
            REPO / user / "meson.options").read_text(), user


@pytest.mark.parametrize("route", ["pkg-config", "python"])
def test_meson_dependency(tmp_path, route):
    """The snippet every meson.build here uses: dependency('hostlib') through
    hostlib.pc, or the Python being built for, agree on every variable."""
    if not (REPO / "examples").is_dir():
        pytest.skip("tests run outside the source checkout")
    # this Python's meson: find_installation() then finds this Python
    meson = shutil.which("meson", path=sysconfig.get_path("scripts"))
    if meson is None:
        pytest.skip("meson is not installed")
    if route == "pkg-config":
        _pkg_config()
    src = tmp_path / "src"
    src.mkdir()
    names = ["includedir", "simddir", "generator", "cython_include"]
    shows = "\n".join(f"message('@{n}=' + hostlib_dep.get_variable('{n}'))" for n in names)
    (src / "meson.build").write_text(
        "project('probe', 'c')\npy = import('python').find_installation(pure: false)\n"
        + _snippet()
        + f"message('@version=' + hostlib_dep.version())\n{shows}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PKG_CONFIG_PATH"} | HOSTILE
    if route == "pkg-config":
        env["PKG_CONFIG_PATH"] = _configtool.pkgconfigdir()
    r = subprocess.run([meson, "setup", str(tmp_path / "build"), str(src)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    found = dict(re.findall(r"Message: @(\w+)=(.*)", r.stdout))
    assert ("Run-time dependency hostlib found: YES" in r.stdout) == (route == "pkg-config"), r.stdout
    assert found["version"] == hostlib.__version__
    assert Path(found["includedir"]).samefile(hostlib.get_include())
    assert Path(found["generator"]).samefile(generate.__file__)
    assert (Path(found["simddir"]) / "level1.h").is_file()
    assert (Path(found["cython_include"]) / "hostlib" / "stubs.pxd").is_file()

