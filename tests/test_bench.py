"""Smoke tests of the benchmark code (the timing core, ``hostlib bench``,
``benchmarks/run.py``): it runs on tiny sizes and produces well-formed
results with ratios. No timing is asserted -- only that the
numbers exist, are positive and finite, and that every usable backend that
provides a kernel is measured.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import hostlib
from hostlib._host import spec as _spec
from hostlib._measure import bench as _bench
from hostlib._measure import timing as _timing

TINY = dict(repeat=2, min_repeat=1, min_time=0.0, max_time=0.005, sample_time=0.0002)
RUN_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "run.py"


def positive(v) -> bool:
    return isinstance(v, (int, float)) and math.isfinite(v) and v > 0


def test_measure_and_compare():
    t = _timing.measure("sum(r)", {"r": range(10)}, **TINY)
    assert positive(t.best_ns) and t.best_ns <= t.median_ns
    assert t.samples >= 2 and t.number >= 1
    ns = {"r": range(10)}
    times = _timing.compare({"a": _timing.Local("sum(r)", ns), "b": _timing.Local(lambda: None)}, **TINY)
    assert set(times) == {"a", "b"}
    assert all(positive(x.best_ns) and x.samples >= 2 for x in times.values())


def test_compare_runs_contexts_outside_the_timed_loop():
    entered = []

    class Ctx:
        def __enter__(self):
            entered.append(1)

        def __exit__(self, *exc):
            return False

    _timing.compare({"x": _timing.Local("pass", context=Ctx)}, **TINY)
    assert entered  # once per sample, not per call


def test_each_sample_starts_with_an_untimed_call():
    # the first call after the context is entered is slow (as a pool's
    # first call after its workers fell asleep); the samples must not see it
    state = {"cold": False}

    class Cools:
        def __enter__(self):
            state["cold"] = True

        def __exit__(self, *exc):
            return False

    def call():
        if state["cold"]:
            state["cold"] = False
            time.sleep(0.02)

    t = _timing.compare({"x": _timing.Local(call, context=Cools)}, **TINY)["x"]
    assert t.samples >= 2
    assert t.best_ns < 0.002e9, t  # far below the 20 ms of a cold call


def test_compare_settles_after_a_contestant_outside_its_time(monkeypatch):
    slept = []
    monkeypatch.setattr(_timing.time, "sleep", slept.append)
    times = _timing.compare({"spins": _timing.Local("pass", settle=0.25), "quiet": _timing.Local("pass")}, **TINY)
    # one pause after each sample of "spins" (its calibration included), none after "quiet"'s
    assert slept and set(slept) == {0.25}
    assert len(slept) == times["spins"].samples
    assert times["spins"].total_s < 0.25 * len(slept)  # the pauses count in no budget


def test_catalogue_names_table_entries():
    entries = set(hostlib._kernels_host.iface.entries)
    for k in _bench.KERNELS.values():
        for dt in _bench.DTYPES:
            assert k.entry(dt) in entries
    for e in entries:  # and every entry with a numpy-facing function is a kernel of the catalogue
        if _spec.kernels()[e].kind not in _spec.NUMPY_KINDS:
            continue
        k, dt = _bench.Kernel.of_entry(e)
        assert k.entry(dt) == e


def test_run_bench_shape_and_ratios():
    res = _bench.run_bench(["dot", "exp", "gemm"], [16], [4], timing=TINY, quiet=True)
    json.dumps(res, allow_nan=False)
    usable = [b.name for b in hostlib.backends() if b.usable]
    assert sorted(res["backends"]) == sorted(usable)
    assert {(r["kernel"], r["dtype"]) for r in res["results"]} == {
        (k, d) for k in ("dot", "exp", "gemm") for d in ("f32", "f64")
    }
    for r in res["results"]:
        assert positive(r["numpy"]["value"])
        want = {b.name for b in hostlib.backends() if b.usable and _bench.KERNELS[r["kernel"]].entry(r["dtype"]) in b.provides}
        assert set(r["backends"]) == want
        assert "portable" in r["backends"]
        for cell in r["backends"].values():
            assert positive(cell["value"])
            assert positive(cell["speedup_vs_numpy"]) and positive(cell["speedup_vs_portable"])
    assert "speedup vs portable" in _bench.format_bench(res)


def test_cli_bench_json(run_python):
    r = run_python(
        "import sys; from hostlib.__main__ import main; "
        "sys.exit(main(['bench', '--size', '32', '--gemm-size', '4', '--kernels', 'sum,sqrt,gemm', "
        "'--dtype', 'f64', '--time', '0.001', '--json', '-q']))"
    )
    assert r.returncode == 0, r.stderr
    res = r.json()
    assert sorted(x["kernel"] for x in res["results"]) == ["gemm", "sqrt", "sum"]
    assert all(x["dtype"] == "f64" for x in res["results"])
    assert res["machine"]["numpy"]["version"]


def test_cli_bench_rejects_unknown_kernel(run_python):
    r = run_python("import sys; from hostlib.__main__ import main; sys.exit(main(['bench', '--kernels', 'fft']))")
    assert r.returncode == 2 and "fft" in r.stderr


def test_cli_report_unchanged(run_python):
    r = run_python("import sys; from hostlib.__main__ import main; sys.exit(main(['--json']))")
    assert r.returncode == 0, r.stderr
    assert "backends" in r.json()


@pytest.mark.skipif(not RUN_PY.exists(), reason="benchmarks/ is not in this tree")
def test_suite_smoke(tmp_path):
    """benchmarks/run.py end to end on tiny sizes: workers at other numpy
    instruction sets, the C call-overhead module (if there is a compiler),
    JSON and the plot (if matplotlib is installed)."""
    out = tmp_path / "r.json"
    png = tmp_path / "r.png"
    env = {k: v for k, v in os.environ.items() if k not in ("HOSTLIB_BACKEND", "HOSTLIB_DISABLE_FEATURES")}
    proc = subprocess.run(
        [sys.executable, str(RUN_PY), "--smoke", "-q", "--out", str(out), "--plot", str(png)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "speedup" in proc.stdout
    res = json.loads(out.read_text())
    json.dumps(res, allow_nan=False)
    sec = res["sections"]
    assert set(sec) == {"ufunc", "patch", "gemm", "level1", "fft", "lapack", "linalg", "roofline", "selection",
                        "overhead", "python", "import", "threads", "blocks"}
    la = sec["linalg"]  # every usable lapack backend's getrf, and numpy.linalg's on a small stack
    assert {(r["n"], r["threads"]) for r in la["factorizations"]} == {(64, 1), (64, 2)}
    assert all(g > 0 for r in la["factorizations"] for g in r["gflops"]["getrf"].values())
    assert {"numpy", "portable"} <= set(la["stacked"][0]["ms"]["det"])
    lp = sec["lapack"]  # skipped, with the reason, where hostlib-openblas is not installed
    assert "skipped" in lp or {r["n"] for r in lp["rows"]} == {100}
    ff = sec["fft"]
    assert {(r["kind"], r["dtype"], r["n"]) for r in ff["rows"]} == {
        (k, d, n) for k in ("c2c", "r2c") for d in ("f64", "f32") for n in (16, 17)}
    assert all(r["error"] < 1e-5 and positive(r["us"]["numpy"]) and positive(r["speedup"]["numpy"])
               for r in ff["rows"])
    assert set(ff["threads"]["backends"]) == set(ff["backends"]) and "portable" in ff["backends"]
    assert {(r["kind"], r["dtype"], r["n"]) for r in ff["threads"]["single"]} == {
        (k, d, 4096) for k in ("c2c", "r2c") for d in ("f64", "f32")}
    assert all(positive(r["speedup"]) for r in ff["threads"]["single"])
    bl = sec["blocks"]
    assert [r["dtype"] for r in bl["rows"]] == ["float64", "float32"]
    assert all(positive(v) for r in bl["rows"] for v in r["vs_numpy"].values())
    assert "gemm blocks" in proc.stdout
    th = sec["threads"]
    assert [r["dtype"] for r in th["gemm"]] == ["float64", "float32"]
    for row in th["gemm"]:
        assert positive(row["speedup_vs_1_thread"]) and positive(row["vs_numpy"])
    assert all(positive(r["speedup"]) for r in th["maps"]) and all(positive(r["cost"]) for r in th["reproducible"])
    assert "thread pool" in proc.stdout
    assert {(r["kernel"], r["dtype"]) for r in sec["patch"]} == {(k, d) for k in ("sin", "exp") for d in ("f32", "f64")}
    for row in sec["patch"]:
        assert positive(row["hostlib"]["speedup_vs_numpy"])
        assert ("mkl" in row) == _has_mkl_umath()
    assert "numpy patched" in proc.stdout
    for row in sec["ufunc"]:
        assert row["backends"], row
        for cell in row["backends"].values():
            assert positive(cell["speedup_vs_numpy"])
            if cell["equal_isa"] in row["numpy"]:
                assert positive(cell["speedup_vs_numpy_equal_isa"])
    for row in sec["gemm"]:
        for cell in row["backends"].values():
            assert positive(cell["gflops"]) and positive(cell["speedup_vs_openblas"])
    for row in sec["level1"]:
        assert positive(row["copy"]["gbps"])
        for cell in row["backends"].values():
            assert positive(cell["speedup_vs_ref"]) and positive(cell["fraction_of_copy"])
            if cell["equal_isa"] is not None and res["levels"].get(cell["equal_isa"], {}).get("info") is not None:
                assert positive(cell["speedup_vs_numpy_equal_isa"])
    roof = sec["roofline"]
    if "skipped" not in roof:
        assert 0.2 < roof["clock_ghz"] < 10
        for row in roof["rows"]:
            assert positive(row["ceiling"]["SSE2"]["bytes_per_cycle"]) and positive(row["numpy"]["bytes_per_cycle"])
            assert all(positive(c["bytes_per_cycle"]) for c in row["backends"].values())
        assert "Roofline, float32" in proc.stdout
    check_selection(res)
    assert "Default choice vs the fastest backend" in proc.stdout
    o = sec["overhead"]
    if "skipped" not in o:
        assert o["rows"]
        for row in o["rows"]:
            assert row["address_matches"] and row["result_ok"]
            assert positive(row["table_over_direct"])
    for row in sec["python"]:
        assert positive(row["hostlib_over_numpy"])
    imp = sec["import"]
    assert all(positive(v) for v in imp["best_ms"].values()) and positive(imp["importtime_hostlib_ms"])
    assert imp["ok"] == (imp["hostlib_beyond_numpy_ms"] <= imp["target_ms"])
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return
    assert png.stat().st_size > 0


def _bench_common(monkeypatch):
    """benchmarks/common.py, loaded from its path (it is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("hostlib_benchmarks_common", RUN_PY.parent / "common.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mod)  # its dataclasses look themselves up there
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.skipif(not RUN_PY.exists(), reason="benchmarks/ is not in this tree")
def test_suite_reads_entries_from_the_spec(monkeypatch):
    """The suite's one accessor of the entry list gives the spec's served
    entries, with the kernel catalogue's functions and kinds."""
    from hostlib.generate import load_interface

    common = _bench_common(monkeypatch)
    spec = load_interface(str(RUN_PY.parents[1] / "interface" / "kernels.toml"))
    got = common.entries()
    assert [e["name"] for e in got] == [e.name for e in spec.served if e.kind in _spec.NUMPY_KINDS]
    for e in got:
        k, dt = _bench.Kernel.of_entry(e["name"])
        assert (e["function"], e["dtype"], e["kind"]) == (k.name, dt, k.kind)
    assert set(common.functions("elementwise")) == set(_bench.ELEMENTWISE)
    assert set(common.functions("level1")) == set(_bench.LEVEL1)
    assert common.functions("gemm") == ("gemm",)


def _has_mkl_umath() -> bool:
    try:
        import mkl_umath  # noqa: F401
    except ImportError:
        return False
    return True


def check_selection(res):
    """Every table entry with a numpy-facing function (not the BLAS
    level-2/3 ones) appears with its default (the backend automatic
    selection serves at that size), timed as served against every usable
    backend that provides it."""
    machine = res["machine"]["hostlib"]
    rows = res["sections"]["selection"]
    assert {r["entry"] for r in rows} == {e for e in hostlib._kernels_host.iface.entries
                                          if _spec.kernels()[e].kind in _spec.NUMPY_KINDS}
    detail = hostlib.runtime_info().get("entries_detail")
    for r in rows:
        usable = {b["name"] for b in machine["backends"] if b["status"] == "usable" and r["entry"] in b["provides"]}
        assert set(r["times"]) == usable, r
        assert r["default"] in usable
        if not (r["detail"] or {}).get("classes"):  # one backend serves every size
            assert r["default"] == machine["active"][r["entry"]]
        best = {b: t["best_ns"] for b, t in r["times"].items()}
        assert best[r["fastest"]] == min(best.values())
        # the default is timed as it is served (through the size classes' wrappers), beside the backends
        if r["first_ratio"] is None:
            assert r["ratio"] == pytest.approx(r["served_ns"] / best[r["fastest"]]) and r["ratio"] > 0
        else:  # flagged among all backends, then re-timed head to head
            assert r["first_ratio"] == pytest.approx(r["served_ns"] / best[r["fastest"]]) and r["first_ratio"] > 1.05
            assert r["ratio"] > 0
        assert r["slower"] == (r["ratio"] > 1.05)
        if detail:  # hostlib says how it chose: the run reports it
            assert r["choice"] in ("measured", "declared", "only"), r["detail"]


def test_blas_limit_reaches_libraries_loaded_after_import_hostlib(run_python):
    """`import hostlib` loads neither numpy's OpenBLAS nor any backend's
    library; the limit must still reach them (and hostlib's own pool)."""
    pytest.importorskip("threadpoolctl")
    r = run_python(
        "import json, hostlib; from hostlib._measure import bench as _bench; from threadpoolctl import threadpool_info; "
        "lim, note = _bench.blas_threads_limit(1); "
        "print(json.dumps([(p['filepath'], p['num_threads']) for p in threadpool_info() if p['user_api'] == 'blas']))"
    )
    assert r.returncode == 0, r.stderr
    pools = json.loads(r.stdout)
    assert any("openblas" in path for path, _ in pools), pools  # numpy's, at least
    assert all(n == 1 for _, n in pools), pools


def test_gemm_shape_setup():
    # the gemm benchmark's odd shapes: op(A) m x k and op(B) k x n, as
    # transposed views where asked, and C m x n
    ns = _bench.setup("gemm", 0, "f32", shape=(7, 3, 5, "TN"))
    assert ns["A"].shape == (7, 3) and ns["A"].flags.f_contiguous and not ns["A"].flags.c_contiguous
    assert ns["B"].shape == (3, 5) and ns["B"].flags.c_contiguous
    assert ns["C"].shape == (7, 5) and ns["C"].dtype == np.float32
    ns = _bench.setup("gemm", 4, "f64")
    assert ns["A"].shape == ns["B"].shape == ns["C"].shape == (4, 4)
