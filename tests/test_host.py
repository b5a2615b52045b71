"""Selection, switching, validation and the report."""

from __future__ import annotations

import json
import sys
import textwrap

import numpy as np
import pytest

import hostlib
from hostlib._host import _core

from _capsules import CraftedTable

HOST = hostlib._kernels_host
IFACE = HOST.iface
LEVEL1 = [p + k for k in ("axpy", "dot", "scal", "asum", "nrm2", "sum") for p in "sd"]
HAS_AVX2 = hostlib.cpu_features()["AVX2"] and hostlib.cpu_features()["FMA3"]
HAS_SSE2 = hostlib.cpu_features()["SSE2"]


def provided_by(name: str) -> set[str]:
    return set(HOST.backends[name].provides)


# --------------------------------------------------------------- selection


def test_every_entry_served_by_the_best_usable_provider():
    usable = [b for b in hostlib.backends() if b.usable]
    assert usable[-1].name == "portable"
    for entry, provider in hostlib.active().items():
        ranked = [
            (b.entry_priority.get(entry, b.priority), -i, b.name)
            for i, b in enumerate(usable)
            if entry in b.provides and b.priority is not None
        ]
        expected = max(ranked)[2] if ranked else "portable"
        assert provider == expected, entry


def test_active_table_holds_the_selected_functions():
    for entry, provider in hostlib.active().items():
        assert HOST.active_address(entry) == HOST.slot_address(provider, entry) != 0


def test_portable_table_is_complete():
    assert set(provided_by("portable")) == set(IFACE.entries)


@pytest.mark.skipif(not HAS_AVX2 or any(b.usable and (b.priority or 0) > 20 for b in hostlib.backends()), reason="CPU without AVX2+FMA3, or an installed backend outranks avx2 (test_avx512.py masks it)")
def test_avx2_serves_level1_here():
    active = hostlib.active()
    assert {e: active[e] for e in LEVEL1} == {e: "avx2" for e in LEVEL1}


def test_use_named_backend_then_portable():
    hostlib.use("portable")
    assert set(hostlib.active().values()) == {"portable"}
    if HAS_SSE2:
        hostlib.use("sse2")
        for entry, provider in hostlib.active().items():
            assert provider == ("sse2" if entry in provided_by("sse2") else "portable")
    hostlib.use("auto")
    assert HOST.preference is None


def test_use_changes_results_path_not_results():
    x = np.random.default_rng(0).random(1001)
    expected = float(x @ x)
    for b in hostlib.backends():
        if b.usable:
            with hostlib.using(b.name):
                assert hostlib.active()["ddot"] in (b.name, "portable")
                assert hostlib.dot(x, x) == pytest.approx(expected, rel=1e-12)


def test_using_restores_on_exception():
    hostlib.use("auto")
    before = hostlib.active()
    with pytest.raises(RuntimeError, match="boom"):
        with hostlib.using("portable"):
            assert set(hostlib.active().values()) == {"portable"}
            raise RuntimeError("boom")
    assert hostlib.active() == before
    assert HOST.preference is None


def test_using_nested_restores_each_level():
    with hostlib.using("portable"):
        inner_before = hostlib.active()
        with hostlib.using("auto"):
            assert HOST.preference is None
        assert hostlib.active() == inner_before
        assert HOST.preference == ("portable",)


@pytest.mark.parametrize("bad", ["nope", "avx9", "auto,portable", ""])
def test_unknown_backend_is_a_clear_error_and_changes_nothing(bad):
    before = hostlib.active()
    if bad == "":  # names nothing: an error (use() or "auto" select automatically)
        with pytest.raises(hostlib.BackendError, match="no backend named"):
            hostlib.use(bad)
        assert hostlib.active() == before
        return
    with pytest.raises(hostlib.BackendError, match="choose from: auto, .*portable"):
        hostlib.use(bad)
    assert hostlib.active() == before


def test_non_ascii_lookalike_backend_name_is_rejected():
    with pytest.raises(hostlib.BackendError, match="ASCII"):
        hostlib.use("PORTABLE".replace("P", "\u2c63"))  # no lowercase folding to 'p'
    with pytest.raises(hostlib.BackendError, match="ASCII"):
        hostlib.use("sse2".replace("s", "\u017f"))  # long s, upper() would give 'S'


def test_gemm_transpose_flags_must_be_booleans():
    a = np.ones((2, 3))
    with pytest.raises(TypeError, match="trans_a must be a bool"):
        hostlib.gemm(a, a.T, trans_a="no")
    np.testing.assert_allclose(hostlib.gemm(a, a, trans_a=np.True_), a.T @ a)


def test_use_rejects_non_strings():
    with pytest.raises(TypeError):
        hostlib.use(3)  # type: ignore[arg-type]


def test_backend_names_are_case_insensitive_lists():
    hostlib.use(" PORTABLE ")
    assert set(hostlib.active().values()) == {"portable"}


# ------------------------------------------------- environment (subprocess)


def test_default_report_and_json(run_python):
    r = run_python("import hostlib; hostlib.show_runtime()")
    assert r.returncode == 0, r.stderr
    assert "Backends" in r.stdout and "portable" in r.stdout
    r = run_python("import sys; from hostlib.__main__ import main; sys.exit(main(['--json']))")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert set(info["entries"]) == set(IFACE.entries)
    assert {b["name"] for b in info["backends"]} >= {"portable", "sse2", "avx2"}


@pytest.mark.skipif(not (HAS_AVX2 and HAS_SSE2), reason="needs an AVX2 CPU")
def test_masking_avx2_makes_sse2_serve_and_avx2_is_never_imported(runtime_info):
    info = runtime_info(HOSTLIB_DISABLE_FEATURES="AVX2")
    assert {info["entries"][e] for e in LEVEL1} == {"sse2"}
    avx2 = next(b for b in info["backends"] if b["name"] == "avx2")
    assert avx2["status"] == "unsupported" and "AVX2" in avx2["reason"]
    assert "kernels_avx2._avx2" not in info["modules"]
    assert "AVX2" in info["cpu"]["masked"] and "AVX512F" in info["cpu"]["masked"]


@pytest.mark.skipif(not HAS_SSE2, reason="needs an SSE2 CPU")
def test_masking_sse2_leaves_only_portable(runtime_info):
    info = runtime_info(HOSTLIB_DISABLE_FEATURES="sse2")
    assert set(info["entries"].values()) == {"portable"}
    assert "kernels_sse2._sse2" not in info["modules"]
    assert "kernels_avx2._avx2" not in info["modules"]


@pytest.mark.skipif(not HAS_SSE2, reason="needs an SSE2 CPU")
def test_forced_backend_from_environment(runtime_info):
    info = runtime_info(HOSTLIB_BACKEND="sse2")
    assert info["selection"] == ["sse2"]
    assert {info["entries"][e] for e in LEVEL1} == {"sse2"}


@pytest.mark.parametrize(
    "env, message",
    [
        ({"HOSTLIB_BACKEND": "fastest"}, "unknown backend 'fastest'"),
        ({"HOSTLIB_DISABLE_FEATURES": "AVX3"}, "AVX3"),
        ({"HOSTLIB_DISABLE_FEATURES": "AVX2", "HOSTLIB_BACKEND": "avx2"}, "avx2' is unsupported"),
    ],
)
def test_bad_environment_is_a_clear_error(run_python, env, message):
    """At the host's start (first use); `import hostlib` itself never fails."""
    r = run_python("import hostlib; print('imported', flush=True); hostlib.active()", env=env)
    assert r.returncode != 0 and r.stdout.strip() == "imported"
    assert message in r.stderr
    assert "BackendError" in r.stderr
    # the message lists what would have been valid
    assert "portable" in r.stderr or "SSE2" in r.stderr


def test_cli_fails_on_bad_environment(run_python):
    r = run_python("import runpy; runpy.run_module('hostlib', run_name='__main__')",
                   env={"HOSTLIB_BACKEND": "fastest"})
    assert r.returncode != 0
    assert "unknown backend 'fastest'" in r.stderr


# ------------------------------------------------------- capsule validation


def inspect(capsule):
    return _core.inspect(capsule, IFACE.provider_capsule, IFACE.magic, IFACE.abi_major, len(IFACE.entries))


def test_crafted_copy_of_portable_is_valid(portable_slots):
    t = CraftedTable(portable_slots)
    info = inspect(t.capsule)
    assert info["name"] == "crafted" and all(info["slots"])


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        (dict(capsule_name=b"numpy.core.multiarray._ARRAY_API"), "capsule is named"),
        (dict(magic=0xDEADBEEF), "wrong magic number"),
        (dict(abi_major=IFACE.abi_major + 1), "ABI major version"),
        (dict(size=8), "smaller than the"),
        (dict(size=_core.HEADER_SIZE + 3), "not the header plus whole slots"),
        (dict(name=None), "NULL provider name"),
        (dict(version=None), "NULL version"),
    ],
)
def test_malformed_capsule_is_rejected_with_reason(portable_slots, kwargs, reason):
    t = CraftedTable(portable_slots, **kwargs)
    with pytest.raises(ValueError, match=reason):
        inspect(t.capsule)


def test_non_capsule_is_rejected():
    with pytest.raises(ValueError, match="not a capsule"):
        inspect(object())


def test_short_table_provides_only_what_it_has(portable_slots):
    # an older provider: only the first four slots, the rest past its size
    t = CraftedTable(portable_slots[:4])
    info = inspect(t.capsule)
    assert info["slots"] == tuple([True] * 4 + [False] * (len(IFACE.entries) - 4))


def test_null_slots_are_not_provided(portable_slots):
    slots = list(portable_slots)
    slots[3] = 0
    t = CraftedTable(slots)
    info = inspect(t.capsule)
    assert info["slots"][3] is False and info["slots"][2] is True


def test_compose_refuses_a_provider_that_does_not_fill_the_slot(portable_slots):
    slots = list(portable_slots)
    slots[0] = 0
    t = CraftedTable(slots)
    with pytest.raises(ValueError, match="does not fill slot 0"):
        _core.compose(IFACE.provider_capsule, IFACE.magic, IFACE.abi_major, IFACE.abi_minor,
                      "x", "0", 0, tuple([t.capsule] * len(IFACE.entries)))


FAKE_DIST = """\
Metadata-Version: 2.1
Name: {dist}
Version: 9.9
"""


def make_fake_kernel_wheel(root, ep_name: str, metadata: str, extension_code: str | None, dist: str = "fake-kernels"):
    """An installed distribution registering a kernel module, as files on a path."""
    pkg = root / f"fake_{ep_name}"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(textwrap.dedent(metadata))
    if extension_code is not None:
        (pkg / "_ext.py").write_text(textwrap.dedent(extension_code))
    info = root / f"{dist.replace('-', '_')}-9.9.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(FAKE_DIST.format(dist=dist))
    ep_file = info / "entry_points.txt"
    lines = ep_file.read_text() if ep_file.exists() else "[hostlib.kernels]\n"
    ep_file.write_text(lines + f"{ep_name} = fake_{ep_name}\n")
    return root


CRAFTED_EXTENSION = """
import sys
sys.path.insert(0, {tests!r})
from _capsules import CraftedTable, portable_slots
_keep = CraftedTable(portable_slots(), name=b"{name}", {fields})
_C_API = _keep.capsule
"""


def fake_metadata(name: str, features=("SSE2",), priority=99, entry_priority=None) -> str:
    text = f"NAME = {name!r}\nFEATURES = {tuple(features)!r}\nPRIORITY = {priority}\nEXTENSION = 'fake_{name}._ext'\n"
    if entry_priority is not None:
        text += f"ENTRY_PRIORITY = {entry_priority!r}\n"
    return text


def test_broken_module_is_skipped_with_reason_and_host_keeps_serving(run_python, tmp_path):
    tests_dir = str(__import__("pathlib").Path(__file__).parent)
    root = tmp_path / "site"
    root.mkdir()
    make_fake_kernel_wheel(root, "badmagic", fake_metadata("badmagic"),
                           CRAFTED_EXTENSION.format(tests=tests_dir, name="badmagic", fields="magic=0x1234"))
    make_fake_kernel_wheel(root, "good", fake_metadata("good"),
                           CRAFTED_EXTENSION.format(tests=tests_dir, name="good", fields="features=0"))
    make_fake_kernel_wheel(root, "future", fake_metadata("future", features=("AVX512FP16", "AVX512BF16")),
                           "raise SystemExit('must never be imported')")
    r = run_python(
        """
        import json, sys, hostlib
        d = {b.name: b.to_dict() for b in hostlib.backends()}
        print(json.dumps({"backends": d, "active": hostlib.active(), "modules": sorted(sys.modules)}))
        """,
        pythonpath=[str(root)],
    )
    # the crafted tables hand out the portable table's functions
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    bad = out["backends"]["badmagic"]
    assert bad["status"] == "invalid" and "wrong magic number" in bad["reason"]
    if HAS_SSE2:
        assert out["backends"]["good"]["status"] == "usable"
        assert set(out["active"].values()) == {"good"}  # priority 99 beats the bundled ones
    fut = out["backends"]["future"]
    if fut["status"] == "unsupported":
        assert "fake_future._ext" not in out["modules"]


def test_entry_priority_wins_single_entries(run_python, tmp_path):
    tests_dir = str(__import__("pathlib").Path(__file__).parent)
    root = tmp_path / "site"
    root.mkdir()
    make_fake_kernel_wheel(root, "gemmonly", fake_metadata("gemmonly", features=(), priority=1,
                                                           entry_priority={"dgemm": 1000}),
                           CRAFTED_EXTENSION.format(tests=tests_dir, name="gemmonly", fields="features=0"))
    make_fake_kernel_wheel(root, "badprio", fake_metadata("badprio", features=(), entry_priority={"nope": 1}),
                           "raise SystemExit('must never be imported')")
    r = run_python(
        """
        import json, hostlib
        print(json.dumps({"active": hostlib.active(),
                          "bad": [b.reason for b in hostlib.backends() if b.name == "badprio"]}))
        """,
        pythonpath=[str(root)],
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["active"]["dgemm"] == "gemmonly"
    # priority 1 loses every other entry to the bundled modules (if usable)
    if HAS_SSE2:
        assert out["active"]["ddot"] != "gemmonly"
    assert "ENTRY_PRIORITY names unknown entries ['nope']" in out["bad"][0]


def test_reload_keeps_use_and_active_in_step():
    """importlib.reload(hostlib) re-runs the package; the hosts (and the
    table C callers read) live in hostlib._host.registry and survive it."""
    import importlib

    x = np.arange(1.0, 101.0)
    mod = importlib.reload(hostlib)
    try:
        mod.use("portable")
        host = mod._kernels_host
        assert mod.active()["ddot"] == "portable"
        assert host.active_address("ddot") == host.slot_address("portable", "ddot")
        assert mod.dot(x, x) == hostlib.dot(x, x) == float(x @ x)
    finally:
        mod.use()


def _simd_backend() -> str:
    """A usable backend other than portable (sse2 on x86, neon on aarch64)."""
    names = [b.name for b in hostlib.backends() if b.usable and b.name != "portable" and "ddot" in b.provides]
    if not names:
        pytest.skip("no SIMD backend usable here")
    return names[-1]  # the lowest priority: never what automatic selection picks on its own


def test_using_blocks_of_two_threads_closing_out_of_order_restore_the_base():
    """Thread A enters using(simd), thread B using(portable), A leaves,
    then B: the selection is B's while B is open, and the use() base after."""
    import threading

    simd = _simd_backend()
    hostlib.use("auto")
    base = hostlib.active()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def a():
        with hostlib.using(simd):
            a_in.set()
            b_in.wait(10)
        a_out.set()

    def b():
        a_in.wait(10)
        with hostlib.using("portable"):
            b_in.set()
            a_out.wait(10)
            seen["b after a left"] = hostlib.active()["ddot"]

    threads = [threading.Thread(target=f) for f in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen["b after a left"] == "portable"
    assert hostlib.active() == base


def test_use_inside_a_using_block_sets_what_remains_after_it():
    simd = _simd_backend()
    hostlib.use("auto")
    with hostlib.using("portable"):
        hostlib.use(simd)
        assert hostlib.active()["ddot"] == "portable"  # the open block decides
    assert set(hostlib.active().values()) <= {simd, "portable"} and hostlib.active()["ddot"] == simd
    hostlib.use()


def test_a_module_of_another_architecture_says_so() -> None:
    """The bundled modules of the other architecture are installed as
    metadata; their reason names the architecture, not a list of features."""
    family = hostlib._host.cpu.arch_family(hostlib._host.cpu.cpu_info().arch)
    if family is None:
        pytest.skip("neither x86 nor aarch64")
    other = "neon" if family == "x86" else "avx2"
    b = {b.name: b for b in hostlib.backends()}[other]
    assert b.status == "unsupported"
    assert b.reason.startswith(f"built for {'aarch64' if family == 'x86' else 'x86'}, this CPU is "), b.reason


def test_import_hostlib_imports_nothing_it_does_not_need(run_python):
    """`import hostlib` must stay cheap next to `import numpy` (issue 26:
    it cost 17% of numpy's import when it imported the host, the profile
    and json up front): it imports its version and nothing else, and the
    public names still resolve on first access."""
    r = run_python(
        "import sys\n"
        "before = set(sys.modules)\n"
        "import hostlib\n"
        "print(sorted(m for m in set(sys.modules) - before if m not in ('__future__', 'warnings')))\n"
        "assert issubclass(hostlib.BackendError, ValueError) and hostlib.BackendError.__module__ == 'hostlib'\n"
        "assert 'exp' in hostlib.__all__ and callable(hostlib.patch_numpy)\n"
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0] == "['hostlib', 'hostlib._version']", r.stdout


def test_backends_that_thread_themselves_follow_the_thread_budget(run_python, tmp_path):
    """One thread budget: hostlib.set_num_threads(n) also sets every usable
    THREADED backend's own threads, through its metadata's
    set_num_threads; a hook that raises gives a warning, never an error."""
    tests_dir = str(__import__("pathlib").Path(__file__).parent)
    root = tmp_path / "site"
    root.mkdir()
    hooks = """
        THREADED = True
        told = []
        def set_num_threads(n):
            told.append(n)
            if n == 3:
                raise RuntimeError("cannot do three")
        """
    make_fake_kernel_wheel(root, "selfthreaded", fake_metadata("selfthreaded", features=(), priority=1)
                           + textwrap.dedent(hooks),
                           CRAFTED_EXTENSION.format(tests=tests_dir, name="selfthreaded", fields="features=0"))
    r = run_python(
        """
        import json, warnings, hostlib, fake_selfthreaded as m
        hostlib.active()
        start = list(m.told)
        hostlib.set_num_threads(1)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            hostlib.set_num_threads(3)
        hostlib.set_num_threads(2)
        print(json.dumps({"start": start, "told": m.told, "warnings": [str(x.message) for x in w],
                          "threads": hostlib.get_num_threads()}))
        """,
        pythonpath=[str(root)],
        env={"HOSTLIB_NUM_THREADS": "2"},
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["start"] == [2]  # the budget at the host's start
    assert out["told"] == [2, 1, 3, 2]
    assert any("set_num_threads(3) failed" in w and "cannot do three" in w for w in out["warnings"])
    assert out["threads"] == 2
