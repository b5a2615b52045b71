"""A third-party interface gets the thread pool's service from its spec.

The issue "one spec drives every list" asks that policy the host once kept
for its own kernels interface (which entries the pool splits, and how) be
data any interface can declare. Here an interface made up for the test
declares a ``map`` entry and a split module built from hostlib_split.h in
three lines; the installed host then splits its calls over hostlib's pool,
exactly as it splits ``hostlib.exp``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import hostlib
from _build_ext import build_extension, compiler_problem

SPEC = """
[interface]
name = "halves"
prefix = "halves_"
magic = 0x48414C56
abi_major = 1
portable = "fake_halves._portable"
split_wrappers = "fake_halves._split"
doc = "y = x / 2, and a counter of the provider's calls"

[variants]
real = [["s", "float", "f"], ["d", "double", "d"]]

[[entry]]
slot = 0
name = "{p}half"
variants = "real"
returns = "void"
args = "ptrdiff_t n, const {T} *x, ptrdiff_t incx, {T} *y, ptrdiff_t incy"
minor = 0
kind = "elementwise"
split = "map"
split_min = 65536

[[entry]]
slot = 2
name = "calls"
returns = "long"
args = "void"
minor = 0
"""

PORTABLE = r"""
#define PY_SSIZE_T_CLEAN
#include <stdatomic.h>
#include "halves_halves_provider.h"

static _Atomic long ncalls;  /* how many times a kernel ran: one per piece of a split call */

#define HALF(name, T)                                                                   \
    static void name(ptrdiff_t n, const T *x, ptrdiff_t incx, T *y, ptrdiff_t incy)     \
    {                                                                                   \
        atomic_fetch_add(&ncalls, 1);                                                   \
        for (ptrdiff_t i = 0; i < n; i++) {                                             \
            y[i * incy] = x[i * incx] / 2;                                              \
        }                                                                               \
    }
HALF(shalf, float)
HALF(dhalf, double)

static long calls(void) { return atomic_load(&ncalls); }

static const halves_halves_table table = {
    HALVES_HALVES_HEADER("portable", "1.0", 0), .shalf = shalf, .dhalf = dhalf, .calls = calls,
};
HALVES_HALVES_PROVIDER_MODULE(_portable, table)
"""

# the whole split module of the interface
SPLIT = r"""
#include "halves_halves_entries.h"
#include "halves_halves_table.h"
#include "hostlib_split.h"
HOSTLIB_SPLIT_MODULE(_split, halves_halves_table, HALVES_HALVES)
"""

RUN = r"""
import ctypes, json
import numpy as np
import hostlib
from hostlib._host import registry

out = {}
h = registry.host("halves")
out["split"] = sorted(h.split)
half = ctypes.CFUNCTYPE(None, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p,
                        ctypes.c_ssize_t)(h.public_address("dhalf"))
calls = ctypes.CFUNCTYPE(ctypes.c_long)(h.public_address("calls"))

def run(n, threads):
    hostlib.set_num_threads(threads)
    x = np.arange(n, dtype=np.float64)
    y = np.empty_like(x)
    before = calls()
    half(n, x.ctypes.data, 1, y.ctypes.data, 1)
    return {"ok": bool(np.array_equal(y, x / 2)), "pieces": calls() - before}

out["big_2"] = run(1 << 20, 2)
out["big_1"] = run(1 << 20, 1)
out["small_2"] = run(1000, 2)
try:
    hostlib.active(interface="stale")
except hostlib.InterfaceError as exc:
    out["stale"] = str(exc)
print(json.dumps(out))
"""


def _generate(spec: Path, outdir: Path) -> None:
    for args in (["lock", "--spec", str(spec)], ["interface", "--spec", str(spec), "--outdir", str(outdir)]):
        r = subprocess.run([sys.executable, "-m", "hostlib.generate", *args], capture_output=True, text=True,
                           timeout=60, cwd=tempfile.gettempdir())
        assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def split_site(tmp_path_factory):
    problem = compiler_problem()
    if problem:
        pytest.skip(f"the test interface's modules need a C compiler: {problem}")
    root = tmp_path_factory.mktemp("split-site")
    site, gen = root / "site", root / "gen"
    pkg = site / "fake_halves"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    spec = root / "halves.toml"
    spec.write_text(SPEC)
    _generate(spec, gen)
    (pkg / "halves_interface.py").write_text((gen / "halves_interface.py").read_text())
    includes = [gen, hostlib.get_include()]
    build_extension(PORTABLE, "fake_halves._portable", site, includes)
    build_extension(SPLIT, "fake_halves._split", site, includes)

    # the same interface under another name, whose split module claims an older split ABI
    stale = SPEC.replace('name = "halves"', 'name = "stale"').replace("_split", "stale_split")
    (root / "stale.toml").write_text(stale)
    _generate(root / "stale.toml", root / "gen-stale")
    (pkg / "stale_interface.py").write_text((root / "gen-stale" / "stale_interface.py").read_text())
    (pkg / "stale_split.py").write_text("SPLIT_ABI = 0\n_C_API = None\ndef bind(api): raise AssertionError\n")

    info = site / "fake_halves-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-halves\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[hostlib.interfaces]\nhalves = fake_halves.halves_interface\nstale = fake_halves.stale_interface\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", RUN], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_the_spec_names_what_the_pool_splits(split_site):
    assert split_site["split"] == ["dhalf", "shalf"]  # not `calls`, which has no split class


def test_a_large_call_is_split_over_the_pool_and_a_small_one_is_not(split_site):
    big2, big1, small = split_site["big_2"], split_site["big_1"], split_site["small_2"]
    assert big2["ok"] and big1["ok"] and small["ok"]
    assert big2["pieces"] > 1, big2       # split over two threads
    assert big1["pieces"] == 1, big1      # one thread: one call
    assert small["pieces"] == 1, small    # below split_min: one call


def test_a_split_module_of_another_split_abi_is_refused(split_site):
    assert "split ABI 0" in split_site["stale"] and "rebuild it" in split_site["stale"]
