"""Shared fixtures: running hostlib in a fresh interpreter, crafting capsules."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass

import pytest

# helpers shared with subprocesses live next to this file
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

ENV_VARS = ("HOSTLIB_BACKEND", "HOSTLIB_DISABLE_FEATURES", "HOSTLIB_TUNE", "HOSTLIB_NUM_THREADS",
            "HOSTLIB_REPRODUCIBLE")

# A profile the developer saved with `hostlib tune` must not change what the
# tests see: every process of the session reads a profile that does not
# exist, unless a test points HOSTLIB_PROFILE elsewhere. Set before any test
# module imports hostlib.
os.environ["HOSTLIB_PROFILE"] = os.path.join(
    tempfile.gettempdir(), f"hostlib-tests-no-profile-{os.getpid()}.json"
)


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture(autouse=True)
def _restore_backend_selection():
    """Every test leaves the process-wide backend selection, reproducible
    mode and thread count as it found them."""
    import hostlib

    before = hostlib._kernels_host.preference
    reproducible = hostlib.is_reproducible()
    threads = hostlib.get_num_threads()
    yield
    hostlib._kernels_host.use(before)
    hostlib.set_reproducible(reproducible)
    hostlib.set_num_threads(threads)


@pytest.fixture
def run_python(tmp_path):
    """Run code in a new interpreter with a controlled environment.

    The working directory is a temporary one so that the source tree never
    shadows the installed package. ``env`` adds to a copy of os.environ from
    which the hostlib variables were removed.
    """

    def run(code: str, env: dict[str, str] | None = None, pythonpath: list[str] | None = None) -> Result:
        full_env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
        full_env.update(env or {})
        if pythonpath:
            full_env["PYTHONPATH"] = os.pathsep.join(pythonpath)
        proc = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=tmp_path,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture
def runtime_info(run_python):
    """hostlib.runtime_info() of a fresh interpreter with the given environment."""

    def info(**env: str) -> dict:
        r = run_python(
            "import json, sys, hostlib; "
            "d = hostlib.runtime_info(); d['modules'] = sorted(sys.modules); "
            "print(json.dumps(d))",
            env=env,
        )
        assert r.returncode == 0, r.stderr
        return r.json()

    return info


@pytest.fixture
def portable_slots():
    """Function addresses of the portable table, slot by slot."""
    from _capsules import portable_slots as slots

    return slots()
