"""Compile a throwaway C extension module for a test (Linux/macOS, the C
compiler Python was built with, from ``sysconfig``), or say why it cannot.

Used by test_broken_modules.py, test_threads.py and test_interfaces.py. (test_downstream.py has
its own, richer helper.)
"""

from __future__ import annotations

import importlib
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")


class BuildError(RuntimeError):
    pass


def compiler_problem() -> str | None:
    """None if extension modules can be compiled here, else the reason."""
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC")
    if not cc or not sysconfig.get_config_var("LDSHARED"):
        return "this Python's sysconfig names no C compiler (CC/LDSHARED)"
    if shutil.which(shlex.split(cc)[0]) is None:
        return f"C compiler {shlex.split(cc)[0]!r} not found"
    if not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")):
        return "Python.h not found (install the Python development headers)"
    return None


def build_extension(source: str, module: str, out_dir: Path, include_dirs=(), extra_cflags=(),
                    opt: str = "-O1") -> Path:
    """Compile C ``source`` into extension ``module`` (may be dotted:
    ``pkg._ext`` goes to ``out_dir/pkg/_ext<EXT_SUFFIX>``). Raises BuildError."""
    *package, leaf = module.split(".")
    target_dir = Path(out_dir).joinpath(*package)
    target_dir.mkdir(parents=True, exist_ok=True)
    src = target_dir / f"{leaf}.c"
    src.write_text(textwrap.dedent(source))
    obj = target_dir / f"{leaf}.o"
    target = target_dir / f"{leaf}{EXT_SUFFIX}"
    cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC"))
    ldshared = cc + shlex.split(sysconfig.get_config_var("LDSHARED"))[1:]
    cflags = shlex.split(sysconfig.get_config_var("CCSHARED") or "")
    paths = sysconfig.get_paths()
    includes = [f"-I{p}" for p in dict.fromkeys([*map(str, include_dirs), paths["include"], paths["platinclude"]])]
    for cmd in (cc + cflags + ["-std=c11", opt, "-Wall", *extra_cflags, *includes, "-c", str(src), "-o", str(obj)],
                ldshared + [str(obj), "-o", str(target)]):
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise BuildError(f"{shlex.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return target


def build_and_import(source: str, module: str, out_dir: Path, include_dirs=()):
    """build_extension, then import the module in this process (BuildError
    if it cannot be built)."""
    build_extension(source, module, out_dir, include_dirs)
    sys.path.insert(0, str(out_dir))
    try:
        return importlib.import_module(module)
    finally:
        sys.path.remove(str(out_dir))
