"""The command line and the environment (issue 26): one program with its
subcommands and --version in --help, every variable listed in one place,
a user's mistake as one line without a traceback, and the plugin controls
for locked-down environments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import hostlib
from hostlib._host import environment
from hostlib._pool import control

README = Path(__file__).resolve().parents[1] / "README.md"


def hostlib_cmd(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    full.update(env or {})
    return subprocess.run([sys.executable, "-m", "hostlib", *args], capture_output=True, text=True, env=full,
                          cwd=cwd, timeout=120)


def test_help_lists_the_subcommands_the_version_and_every_variable(tmp_path):
    r = hostlib_cmd("--help", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for command in ("report", "bench", "tune", "run", "config", "--version"):
        assert command in r.stdout
    for v in environment.VARIABLES:
        assert v.name in r.stdout, v.name
    r = hostlib_cmd("--version", cwd=tmp_path)
    assert r.stdout.strip() == f"hostlib {hostlib.__version__}"


def test_the_readme_table_is_the_list_of_variables():
    assert environment.readme_table() in README.read_text()


@pytest.mark.parametrize(("env", "args", "message"), [
    ({"HOSTLIB_BACKEND": "nope"}, (), "HOSTLIB_BACKEND: unknown backend 'nope'"),
    ({"HOSTLIB_NUM_THREADS": "\u0664"}, (), "HOSTLIB_NUM_THREADS='\u0664': expected a whole number"),
    ({"HOSTLIB_NUM_THREADS": "9" * 400}, (), "HOSTLIB_NUM_THREADS='999"),
    ({"HOSTLIB_DISABLE_FEATURES": "AVX9"}, (), "AVX9"),
    ({"HOSTLIB_PLUGINS": ","}, (), "HOSTLIB_PLUGINS=',': expected backend names"),
    ({"HOSTLIB_DISABLE_PLUGIN_AUTOLOAD": "maybe"}, (), "HOSTLIB_DISABLE_PLUGIN_AUTOLOAD='maybe'"),
    ({"HOSTLIB_BACKEND": "nope"}, ("run", "-m", "this"), "HOSTLIB_BACKEND"),
    ({}, ("run", "-m", "no_such_module_here"), "No module named no_such_module_here"),
    ({}, ("bogus",), "invalid choice: 'bogus'"),
])
def test_a_users_mistake_is_one_line_and_a_failure(tmp_path, env, args, message):
    r = hostlib_cmd(*args, env=env, cwd=tmp_path)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert message in lines[-1], r.stderr
    assert len([line for line in lines if "error" in line]) == 1, r.stderr


def test_hostlib_debug_shows_the_traceback(tmp_path):
    r = hostlib_cmd(env={"HOSTLIB_BACKEND": "nope", "HOSTLIB_DEBUG": "1"}, cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" in r.stderr and "BackendError" in r.stderr


def test_thread_counts_beyond_the_pool_are_errors_not_caps():
    assert control.MAX_THREADS == control._threads_module().MAX_THREADS
    with pytest.raises(ValueError, match="from 1 to 256"):
        hostlib.set_num_threads(10**9)
    with pytest.raises(ValueError, match="HOSTLIB_NUM_THREADS='257'"):
        control.parse_num_threads("257")
    assert control.parse_num_threads(" 3 ") == 3 and control.parse_num_threads("auto") == 0


def test_input_that_does_nothing_is_an_error():
    with pytest.raises(hostlib.BackendError, match="no backend named"):
        hostlib.use("")
    with pytest.raises(hostlib.BackendError, match="no backend named"):
        hostlib.use(" , ")
    with pytest.raises(ValueError, match="no ufunc named"):
        hostlib.patch_numpy("")
    with pytest.raises(ValueError, match="no ufunc named"):
        hostlib.patch_numpy([])
    assert not hostlib.is_numpy_patched()


def test_patch_numpy_takes_one_ufunc():
    try:
        hostlib.patch_numpy(np.exp)
        assert hostlib._numpy.patch.status()["ufuncs"] == ["exp"]
    finally:
        hostlib.restore_numpy()


def _serving(tmp_path, env):
    code = ("import json, hostlib; print(json.dumps({b.name: [b.status, b.reason] for b in hostlib.backends()}));"
            "print(json.dumps(sorted(set(hostlib.active().values()))))")
    full = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    full.update(env)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full, cwd=tmp_path,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    import json

    backends, serving = (json.loads(line) for line in r.stdout.splitlines())
    return backends, serving


def test_an_allow_list_loads_only_the_backends_it_names(tmp_path):
    backends, serving = _serving(tmp_path, {"HOSTLIB_PLUGINS": "sse2"})
    assert set(serving) <= {"sse2", "portable"}
    left_out = {n for n, (status, _) in backends.items() if status == "not loaded"}
    assert left_out == set(backends) - {"sse2", "portable"}
    assert all("not in HOSTLIB_PLUGINS=sse2" in backends[n][1] for n in left_out)


def test_no_autoload_serves_hostlibs_own_backends_only(tmp_path):
    backends, serving = _serving(tmp_path, {"HOSTLIB_DISABLE_PLUGIN_AUTOLOAD": "1"})
    own = {"sse2", "avx2", "neon", "portable"}
    assert set(serving) <= own
    for name, (status, reason) in backends.items():
        assert (status == "not loaded") == (name not in own), (name, status, reason)
