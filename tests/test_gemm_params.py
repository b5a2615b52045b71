"""gemm's cache blocks: cache detection (hostlib/_host/cpu.py), the formula
and its application (hostlib/_host/params.py), the kernel modules'
parameter protocol (simd/gemm_params.h), results under other blocks, and
the report."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import hostlib
from hostlib._host import cpu, params

KiB, MiB = 1 << 10, 1 << 20


# ------------------------------------------------------------ CPUID leaves


def _leaf(kind: int, level: int, size: int, shared: int = 1, ways: int = 8, line: int = 64) -> tuple:
    """One subleaf of CPUID 4 / 0x8000001D describing a cache of `size` bytes."""
    sets = size // (ways * line)
    eax = kind | level << 5 | (shared - 1) << 14
    ebx = (ways - 1) << 22 | 0 << 12 | (line - 1)
    return (eax, ebx, sets - 1, 0)


END = (0, 0, 0, 0)
ZEN4 = [_leaf(1, 1, 32 * KiB), _leaf(2, 1, 32 * KiB), _leaf(3, 2, MiB, 2), _leaf(3, 3, 32 * MiB, 16, 16), END]
INTEL = [_leaf(1, 1, 48 * KiB, 2, 12), _leaf(2, 1, 32 * KiB), _leaf(3, 2, 2 * MiB, 2, 16),
         _leaf(3, 3, 60 * MiB, 64, 15), END]


def test_cpuid_zen4():
    c = cpu.caches_from_cpuid(ZEN4, "test")
    assert (c.l1d, c.l2, c.l3, c.l3_shared_by, c.source) == (32 * KiB, MiB, 32 * MiB, 16, "test")


def test_cpuid_intel():
    c = cpu.caches_from_cpuid(INTEL)
    assert (c.l1d, c.l2, c.l3, c.l2_shared_by) == (48 * KiB, 2 * MiB, 60 * MiB, 2)


def test_cpuid_stops_at_the_null_entry_and_skips_instruction_caches():
    c = cpu.caches_from_cpuid([_leaf(2, 1, 64 * KiB), _leaf(1, 1, 32 * KiB), END, _leaf(3, 2, MiB)])
    assert (c.l1d, c.l2, c.l3) == (32 * KiB, None, None)


@pytest.mark.parametrize("leaves", [
    [],                                                     # nothing
    [END] * 4,                                              # a hypervisor's empty leaves
    [(1 | 1 << 5, 0, 0, 0), (3 | 2 << 5, 0, 0, 0), END],    # sizes of one byte
    [(1 | 1 << 5, 0xFFFFFFFF, 0xFFFFFFFF, 0)] * 20,         # absurd, and no end
])
def test_cpuid_nonsense_is_unknown(leaves):
    c = cpu.caches_from_cpuid(leaves)
    assert (c.l1d, c.l2, c.l3, c.source) == (None, None, None, "unknown")
    assert params.derive(c, 8, 16, 8) == params.derive(None, 8, 16, 8) == params.derive(params.DEFAULT_CACHES, 8, 16, 8)


def test_cpuid_level_smaller_than_the_one_below_is_unknown():
    c = cpu.caches_from_cpuid([_leaf(1, 1, 64 * KiB), _leaf(3, 2, 32 * KiB), _leaf(3, 3, 8 * MiB), END])
    assert (c.l1d, c.l2, c.l3) == (64 * KiB, None, 8 * MiB)


# ------------------------------------------------------------------ sysfs


def _sysfs(*rows):
    return [dict(zip(("level", "type", "size", "shared_cpu_list"), r)) for r in rows]


def test_sysfs_arm_cluster():
    c = cpu.caches_from_sysfs(_sysfs(("1\n", "Data\n", "64K\n", "0\n"), ("1", "Instruction", "64K", "0"),
                                     ("2", "Unified", "1024K", "0-3"), ("3", "Unified", "32M", "0-7,16-23")))
    assert (c.l1d, c.l2, c.l3, c.l2_shared_by, c.l3_shared_by, c.source) == (64 * KiB, MiB, 32 * MiB, 4, 16, "sysfs")


@pytest.mark.parametrize("rows", [
    (),
    (("1", "Data", "0K", "0"), ("2", "Unified", "0K", "0")),
    (("x", "Data", "32K", "0"), ("2", "Unified", "lots", "0")),
    (("1", "Data", "99999999G", ""),),
    ({},),
])
def test_sysfs_nonsense_is_unknown(rows):
    entries = _sysfs(*rows) if rows != ({},) else [{}]
    c = cpu.caches_from_sysfs(entries)
    assert (c.l1d, c.l2, c.l3) == (None, None, None)


def test_cache_info_never_raises(monkeypatch):
    """A CPUID that raises, and no sysfs: unknown caches, defaults for gemm."""
    def boom(*args):
        raise OSError("no cpuid here")

    monkeypatch.setattr(cpu._cpuid, "raw_cpuid", boom)
    monkeypatch.setattr(cpu, "_SYSFS_CACHE", "/nonexistent")
    monkeypatch.setattr(cpu, "_read_sysfs", lambda root="/nonexistent": cpu.CacheInfo())
    cpu.cache_info.cache_clear()
    try:
        assert cpu.cache_info() == cpu.CacheInfo()
    finally:
        cpu.cache_info.cache_clear()


def test_cache_info_here():
    c = cpu.cache_info()
    for size, (lo, hi) in ((c.l1d, cpu.CACHE_LIMITS["l1d"]), (c.l2, cpu.CACHE_LIMITS["l2"]),
                           (c.l3, cpu.CACHE_LIMITS["l3"])):
        assert size is None or lo <= size <= hi


# ---------------------------------------------------------------- formula

# (micro-kernel: mr, nr, element size) -> the blocks each CPU gets
AVX512_D, AVX512_S, AVX2_D, AVX2_S = (8, 16, 8), (8, 32, 4), (6, 8, 8), (6, 16, 4)
CPUS = {
    # AMD Zen 4 and Zen 5: 32 or 48 KiB L1d, 1 MiB L2, 32 MiB L3 per CCX;
    # MC and KC the winners measured on Zen 4, NC those measured on Zen 5
    "zen4": (cpu.CacheInfo(32 * KiB, MiB, 32 * MiB, l3_shared_by=16),
             {AVX512_D: (128, 512, 1024), AVX512_S: (256, 512, 2048), AVX2_D: (126, 512, 1024)}),
    # Intel (Ice Lake / Sapphire Rapids server): 48 KiB L1d, 2 MiB L2
    "intel": (cpu.CacheInfo(48 * KiB, 2 * MiB, 60 * MiB),
              {AVX512_D: (256, 512, 1920), AVX512_S: (512, 512, 3840), AVX2_D: (252, 512, 1920)}),
    # AMD Zen 1: 32 KiB L1d, 512 KiB L2, 8 MiB L3 per CCX (AVX2)
    "zen1": (cpu.CacheInfo(32 * KiB, 512 * KiB, 8 * MiB),
             {AVX2_D: (60, 512, 512), AVX2_S: (126, 512, 512)}),
    "unknown": (cpu.CacheInfo(),
                {AVX512_D: (32, 512, 512), AVX2_D: (30, 512, 512)}),
}


@pytest.mark.parametrize("name", sorted(CPUS))
def test_formula(name):
    caches, want = CPUS[name]
    for (mr, nr, elem), (mc, kc, nc) in want.items():
        got = params.derive(caches, mr, nr, elem)
        assert got == {"mc": mc, "kc": kc, "nc": nc}, (name, mr, nr, elem)
        assert got["mc"] % mr == 0 and got["nc"] % nr == 0 and got["kc"] >= 1


@pytest.mark.parametrize("mr,nr,elem", [(1, 1, 8), (4, 6, 8), (4, 12, 4), (4, 4, 4), (6, 8, 8), (8, 32, 4),
                                         (16, 64, 2), (5, 7, 8)])
@pytest.mark.parametrize("caches", [c for c, _ in CPUS.values()] + [cpu.CacheInfo(4 * KiB, 32 * KiB, 256 * KiB),
                                                                   cpu.CacheInfo(4 * MiB, 256 * MiB, 16 << 30)])
def test_formula_always_valid(mr, nr, elem, caches):
    got = params.derive(caches, mr, nr, elem)
    assert got["mc"] >= mr and got["mc"] % mr == 0
    assert got["nc"] >= nr and got["nc"] % nr == 0
    assert params.KC_MIN <= got["kc"] <= params.KC_MAX


# ------------------------------------------------- the modules' protocol


def _modules():
    out = {}
    for b in hostlib.backends():
        if b.usable and b.module is not None and hasattr(b.module, "hostlib_parameters"):
            out[b.name] = b.module
    return out


MODULES = _modules()
module_param = pytest.mark.parametrize("backend", sorted(MODULES))


def test_the_template_backends_have_parameters():
    assert "portable" in MODULES
    for b in hostlib.backends():
        if b.usable and b.name in ("sse2", "avx2", "avx512", "neon"):
            assert b.name in MODULES


@pytest.fixture
def restore():
    saved = {name: params.current(m) for name, m in MODULES.items()}
    yield
    for name, m in MODULES.items():
        params.apply(m, {k: {p: v[p] for p in ("mc", "kc", "nc")} for k, v in saved[name].items()})


@module_param
def test_loaded_with_the_derived_blocks(backend):
    m = MODULES[backend]
    have = params.current(m)
    assert set(have) == {"dgemm", "sgemm"}
    derived = params.derived_for(m)
    for name, p in have.items():
        assert {k: p[k] for k in ("mc", "kc", "nc")} == derived[name]


@module_param
def test_set_get_round_trip(backend, restore):
    m = MODULES[backend]
    before = params.current(m)
    for name in ("dgemm", "sgemm"):
        mr, nr = before[name]["mr"], before[name]["nr"]
        params.apply(m, {name: {"mc": 3 * mr, "kc": 77, "nc": 5 * nr}})
        after = params.current(m)
        assert after[name] == {"mr": mr, "nr": nr, "mc": 3 * mr, "kc": 77, "nc": 5 * nr}
        m.hostlib_set_parameters(name, kc=100)  # the others stay
        assert params.current(m)[name]["mc"] == 3 * mr and params.current(m)[name]["kc"] == 100
    assert params.current(m)["dgemm"]["nr"] == before["dgemm"]["nr"]


@module_param
def test_set_rejects_bad_values(backend, restore):
    m = MODULES[backend]
    before = params.current(m)
    mr, nr = before["dgemm"]["mr"], before["dgemm"]["nr"]
    bad_values = [({"kc": 0}, ValueError, "kc=0"), ({"kc": -5}, ValueError, "out of range"),
                  ({"mc": 0}, ValueError, "mc=0"), ({"kc": 10**6}, ValueError, "out of range"),
                  ({"kc": 2**70}, ValueError, "out of range"), ({"mc": 1.5}, TypeError, "int"),
                  ({"kc": True}, TypeError, "int"), ({"kc": "256"}, TypeError, "int"),
                  ({"mr": mr}, ValueError, "not settable"), ({"nr": nr}, ValueError, "not settable"),
                  ({"zz": 1}, TypeError, "unknown parameter"),
                  ({"kc": 65536, "nc": 65536 // nr * nr}, ValueError, "1 GiB")]
    if mr > 1:
        bad_values.append(({"mc": mr + 1}, ValueError, "multiple of mr"))
    if nr > 1:
        bad_values.append(({"nc": nr + 1}, ValueError, "multiple of nr"))
    for values, exc, words in bad_values:
        # a valid value next to the bad one is not applied either
        with pytest.raises(exc, match=words):
            m.hostlib_set_parameters("dgemm", mc=2 * mr, **values) if "mc" not in values else \
                m.hostlib_set_parameters("dgemm", **values)
        assert params.current(m) == before, values
    with pytest.raises(ValueError, match="zgemm"):
        m.hostlib_set_parameters("zgemm", kc=1)
    with pytest.raises(TypeError):
        m.hostlib_set_parameters()
    with pytest.raises(TypeError):
        m.hostlib_set_parameters(3)
    assert params.current(m) == before


class _Refuses:
    __name__ = "refuses"

    @staticmethod
    def hostlib_parameters():
        return {"dgemm": {"mr": 4, "nr": 4, "mc": 4, "kc": 4, "nc": 4}}

    @staticmethod
    def hostlib_set_parameters(name, **values):
        raise RuntimeError("read-only")


class _Broken:
    @staticmethod
    def hostlib_parameters():
        raise SystemError("broken")


def test_apply_derived_never_raises():
    assert "RuntimeError: read-only" in params.apply_derived(_Refuses())
    assert params.apply_derived(_Broken()) == ""  # no parameters to set
    assert params.current(_Broken()) is None
    assert params.apply_derived(object()) == ""
    with pytest.raises(TypeError):
        params.apply(object(), {"dgemm": {"kc": 1}})


# --------------------------------------- results under other blocks


def _blocks_cases(mr, nr):
    # tiny blocks (one micro-panel each: every tile an edge somewhere),
    # odd ones, and the largest sane ones
    return [{"mc": mr, "kc": 1, "nc": nr}, {"mc": mr, "kc": 3, "nc": nr}, {"mc": 3 * mr, "kc": 7, "nc": 2 * nr},
            {"mc": 5 * mr, "kc": 33, "nc": 3 * nr}, {"mc": 4096 // mr * mr, "kc": 4096, "nc": 8192 // nr * nr}]


SHAPES = [(1, 1, 1), (5, 3, 2), (17, 13, 9), (31, 37, 41), (70, 45, 129), (9, 130, 66), (128, 5, 300)]


@module_param
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_results_with_other_blocks(backend, dtype, restore):
    m = MODULES[backend]
    name = ("s" if dtype == np.float32 else "d") + "gemm"
    p = params.current(m)[name]
    rng = np.random.default_rng(7)
    eps = float(np.finfo(dtype).eps)
    saved = hostlib.get_num_threads()
    hostlib.set_num_threads(1)
    try:
        with hostlib.using(backend):
            for blocks in _blocks_cases(p["mr"], p["nr"]):
                params.apply(m, {name: blocks})
                for mm, nn, kk in SHAPES:
                    for ta in (False, True):
                        for tb in (False, True):
                            a = rng.uniform(-1, 1, (kk, mm) if ta else (mm, kk)).astype(dtype)
                            b = rng.uniform(-1, 1, (nn, kk) if tb else (kk, nn)).astype(dtype)
                            c0 = rng.uniform(-1, 1, (mm, nn)).astype(dtype)
                            for alpha, beta in ((1.0, 0.0), (-1.5, 0.5)):
                                got = hostlib.gemm(a, b, c0.copy(), alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
                                A = (a.T if ta else a).astype(np.float64)
                                B = (b.T if tb else b).astype(np.float64)
                                want = alpha * A @ B + beta * c0
                                bound = (kk + 3) * eps * (abs(alpha) * np.abs(A) @ np.abs(B) + abs(beta) * np.abs(c0))
                                assert np.all(np.abs(got - want) <= bound), (backend, blocks, mm, nn, kk, ta, tb)
    finally:
        hostlib.set_num_threads(saved)


@module_param
def test_two_threads_with_other_blocks(backend, restore):
    """The pool splits C; each part runs with the module's blocks."""
    m = MODULES[backend]
    p = params.current(m)["dgemm"]
    params.apply(m, {"dgemm": {"mc": 2 * p["mr"], "kc": 40, "nc": 3 * p["nr"]}})
    rng = np.random.default_rng(3)
    a, b = rng.uniform(-1, 1, (301, 150)), rng.uniform(-1, 1, (150, 170))
    saved = hostlib.get_num_threads()
    hostlib.set_num_threads(2)
    try:
        with hostlib.using(backend):
            got = hostlib.gemm(a, b)
    finally:
        hostlib.set_num_threads(saved)
    assert np.allclose(got, a @ b, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------- report


def test_report_shows_the_blocks_and_caches():
    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    text = buf.getvalue()
    assert "caches:" in text
    for name, m in MODULES.items():
        for entry, p in params.current(m).items():
            line = f"{entry} blocks: {p['mr']}x{p['nr']} tile, MC {p['mc']}, KC {p['kc']}, NC {p['nc']}"
            assert line in text, (name, line)
    info = hostlib.runtime_info()
    assert set(info["cpu"]["caches"]) >= {"l1d", "l2", "l3", "source"}
    listed = {b["name"]: b for b in info["backends"]}
    for name, m in MODULES.items():
        assert listed[name]["parameters"] == params.current(m)


# ------------------------------------------ blocks tuned by hostlib tune


def _simd_with_blocks(h):
    for b in h.backends.values():
        if b.usable and b.name != "portable" and b.module is not None and params.current(b.module):
            return b
    pytest.skip("no usable SIMD backend with gemm blocks")


@pytest.fixture
def kernels_host():
    from hostlib._host import registry

    h = registry.host()
    yield h
    h.apply_profile(None)  # back to the caches' blocks and no measurement


def _profile_with(h, name, values, identity=None):
    from hostlib._host import profile as _profile

    tuned = _profile.Tuned(h.identities()[name] if identity is None else identity, values)
    return _profile.Profile(h.profile_key(), {}, "", hostlib.__version__, (), {name: tuned})


def test_profile_blocks_are_served_for_the_build_they_were_measured_on(kernels_host):
    h = kernels_host
    b = _simd_with_blocks(h)
    mr = params.current(b.module)["dgemm"]["mr"]
    derived = params.derived_for(b.module)["dgemm"]
    want = {"mc": 2 * mr, "kc": 128, "nc": derived["nc"]}
    h.apply_profile(_profile_with(h, b.name, {"dgemm": want}))
    got = b.parameters()["dgemm"]
    assert {k: got[k] for k in want} == want
    assert h.parameter_source[b.name]["dgemm"] == "tuned by hostlib tune"
    assert h.parameter_source[b.name]["sgemm"] == "from the caches"
    a, m = np.random.default_rng(3).standard_normal((2, 150, 150))
    np.testing.assert_allclose(hostlib.gemm(a, m), a @ m, rtol=1e-12, atol=1e-11)
    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    assert f"MC {2 * mr}, KC 128" in buf.getvalue() and "tuned by hostlib tune" in buf.getvalue()
    # another build: the caches' blocks again
    h.apply_profile(_profile_with(h, b.name, {"dgemm": want}, identity={"version": "0", "file": None}))
    assert {k: b.parameters()["dgemm"][k] for k in derived} == derived
    assert h.parameter_source[b.name]["dgemm"] == "from the caches"


def test_profile_blocks_the_module_refuses_leave_the_derived_ones(kernels_host):
    h = kernels_host
    b = _simd_with_blocks(h)
    mr = params.current(b.module)["dgemm"]["mr"]
    derived = params.derived_for(b.module)["dgemm"]
    h.apply_profile(_profile_with(h, b.name, {"dgemm": {"mc": 2 * mr + 1}}))
    assert {k: b.parameters()["dgemm"][k] for k in derived} == derived
    assert "refused" in h.parameter_source[b.name]["dgemm"]


@pytest.mark.parametrize("parameters, message", [
    ([], "parameters is not an object"),
    ({"avx2": {"values": {}}}, "identity, values"),
    ({"avx2": {"identity": {}, "values": {"dgemm": {"mc": 0}}}}, "out of range"),
    ({"avx2": {"identity": {}, "values": {"dgemm": {"mc": True}}}}, "not a number"),
    ({"avx2": {"identity": {}, "values": {"dgemm": {"mc": 1.5}}}}, "whole number"),
    ({"avx2": {"identity": {}, "values": {"dgemm": {"mc": 1 << 40}}}}, "out of range"),
    ({"bad name!": {"identity": {}, "values": {}}}, "backend"),
])
def test_malformed_profile_parameters_are_refused_with_the_reason(parameters, message):
    from hostlib._host import profile as _profile

    h = __import__("hostlib._host.registry", fromlist=["host"]).host()
    d = _profile.Profile(h.profile_key(), {}, "", "", ()).to_dict()
    assert _profile.parse(d).parameters == {}
    d["parameters"] = parameters
    with pytest.raises(ValueError, match=message):
        _profile.parse(d)


def test_tune_measures_the_blocks_and_the_profile_keeps_them(run_python, tmp_path):
    path = tmp_path / "profile.json"
    r = run_python(
        f"""
        import json, hostlib
        res = hostlib.tune(entries=["dgemm"], path={str(path)!r}, progress=False)
        print(json.dumps(res.blocks))
        """,
    )
    assert r.returncode == 0, r.stderr
    lines = json.loads(r.stdout.strip().splitlines()[-1])
    data = json.loads(path.read_text())
    if not data["parameters"]:
        pytest.skip("the backend serving dgemm has no gemm blocks here")
    assert "dgemm" in lines and "MC" in lines["dgemm"]
    (name, tuned), = data["parameters"].items()
    assert set(tuned["values"]) == {"dgemm"} and set(tuned["values"]["dgemm"]) == {"mc", "kc", "nc"}
    r = run_python("import hostlib; hostlib.show_runtime()", env={"HOSTLIB_PROFILE": str(path)})
    assert r.returncode == 0, r.stderr
    v = tuned["values"]["dgemm"]
    assert f"dgemm blocks: " in r.stdout and f"MC {v['mc']}, KC {v['kc']}, NC {v['nc']} (tuned by hostlib tune)" in r.stdout
