"""``hostlib tune`` on the fft interface: its planners' transforms verified
against the portable table and timed through hostlib.fft's primitive, a
profile file of the interface's own, and what the fft host makes of it.

A test backend is installed as a fake distribution in the ``hostlib.fft``
group with ``PRIORITY = 99``, so that declared priorities pick it:
``wrongfft`` provides only ``dplan_c2c``: the portable table's planner,
whose plans are given an execute that scales every result by 1 + 2^-12.
The plans are sound (length, kind, sign, precision as asked), the values
are not, by far less than a wrong algorithm would be off. Verification
must exclude it.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import hostlib
from hostlib import generate as G
from hostlib._host import profile as _profile
from hostlib._measure import tune as _tune

from _fake_backend import install as install_fake_backend

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FFT = hostlib._registry().host("fft")
GROUP = FFT.iface.entry_point_group

WRONG_FFT_EXT = f"""
import ctypes, sys
sys.path.insert(0, {str(TESTS)!r})
from _capsules import CraftedTable, fft_interface, portable_fft_slots

entries = fft_interface().entries
PLAN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_ssize_t, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p))
EXECUTE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t,
                           ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t, ctypes.c_ssize_t, ctypes.c_double)


class Head(ctypes.Structure):  # hostlib_fft_plan in interface/fft.toml
    _fields_ = [("n", ctypes.c_ssize_t), ("kind", ctypes.c_int), ("sign", ctypes.c_int),
                ("precision", ctypes.c_int), ("bytes", ctypes.c_size_t), ("algorithm", ctypes.c_char_p),
                ("execute", ctypes.c_void_p), ("destroy", ctypes.c_void_p)]


portable_plan = PLAN(portable_fft_slots()[entries.index("dplan_c2c")])
original = {{}}


@EXECUTE
def off_execute(plan, howmany, x, istride, idist, out, ostride, odist, scale):
    return original[plan](plan, howmany, x, istride, idist, out, ostride, odist, scale * (1 + 2.0**-12))


@PLAN
def wrong_plan(n, sign, plan):
    status = portable_plan(n, sign, plan)
    if status == 0:
        head = Head.from_address(plan[0])
        original[plan[0]] = EXECUTE(head.execute)
        head.execute = ctypes.cast(off_execute, ctypes.c_void_p).value
    return status


slots = [0] * len(entries)
slots[entries.index("dplan_c2c")] = ctypes.cast(wrong_plan, ctypes.c_void_p).value
_keep = CraftedTable(slots, name=b"wrongfft", iface=fft_interface())
_C_API = _keep.capsule
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("tune_fft_site")
    install_fake_backend(site, "wrongfft", WRONG_FFT_EXT, GROUP)
    return site


PROBE = """
import io, json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import hostlib
    import hostlib.fft
    import numpy as np
    out = {}
    if sys.argv[1:2] == ["tune"]:
        entries = sys.argv[2].split(",") if sys.argv[2:] else None
        out["tune"] = hostlib.tune(quick=True, entries=entries, interface="fft").to_dict()
    info = hostlib.runtime_info()["interfaces"]["fft"]
    out["active"] = info["entries"]
    out["detail"] = info["entries_detail"]
    out["profile"] = info["profile"]
    out["kernels_profile"] = hostlib.runtime_info()["profile"]
    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    out["report"] = buf.getvalue()
    x = np.random.default_rng(5).standard_normal(360) + 1j
    out["fft_ok"] = bool(np.allclose(hostlib.fft.fft(x), np.fft.fft(x), rtol=1e-12, atol=1e-9))
    out["plans"] = [[p["backend"], p["kind"], p["n"], p["dtype"]] for p in hostlib.fft.plan_cache_info()["plans"]]
out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
print(json.dumps(out))
"""


@pytest.fixture
def probe(tmp_path, site):
    """Run PROBE in a fresh interpreter with the test backend installed and
    HOSTLIB_PROFILE naming ``tmp_path/profile.json`` (the kernels file)."""
    profile = tmp_path / "profile.json"

    def run(*args: str, **env: str) -> dict:
        full = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
        full["HOSTLIB_PROFILE"] = str(profile)
        full["PYTHONPATH"] = str(site)
        full.update(env)
        proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=full,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    run.profile = profile  # type: ignore[attr-defined]
    return run


@pytest.fixture
def tuned(probe):
    """A probe whose fft profile was written by one quick tune of two entries."""
    return probe, probe("tune", "dplan_c2c,splan_r2c")


# ---------------------------------------------------------------------------
# the fake backend, tuned away
# ---------------------------------------------------------------------------


def test_without_profile_priority_serves_the_wrong_backend(probe):
    out = probe()
    assert out["active"]["dplan_c2c"] == "wrongfft"
    assert out["detail"]["dplan_c2c"] == {"backend": "wrongfft", "choice": "declared", "reason": "no profile"}
    assert not out["fft_ok"]  # what the wrong transform does when nothing checks it
    assert ["wrongfft", "c2c", 360, "float64"] in out["plans"]
    assert out["profile"]["path"] == str(probe.profile.with_name("profile-fft.json"))


def test_a_wrong_transform_is_excluded_and_the_profile_is_the_interfaces_own(tuned):
    probe, first = tuned
    res = first["tune"]
    assert res["interface"] == "fft" and list(res["entries"]) == ["dplan_c2c", "splan_r2c"]
    rec = res["entries"]["dplan_c2c"]
    bad = rec["candidates"]["wrongfft"]
    assert bad["times_ns"] is None and "dplan_c2c" in bad["excluded"] and "portable gives" in bad["excluded"]
    assert rec["winner"] != "wrongfft" and rec["declared"] == "wrongfft"
    # every other candidate was verified and timed at the quick size
    assert rec["sizes"] == list(_tune.QUICK_SIZES["fft"])
    timed = {n for n, c in rec["candidates"].items() if c["times_ns"]}
    assert timed == set(FFT.providers()["dplan_c2c"])  # the real backends, portable among them
    # no split wrappers: one class, the winner at every size
    assert rec["classes"] == [[0, rec["winner"]]]
    fft_file = probe.profile.with_name("profile-fft.json")
    assert res["path"] == str(fft_file) and fft_file.exists()
    assert not probe.profile.exists()  # the kernels profile is not touched
    saved = json.loads(fft_file.read_text())
    assert saved["interface"] == "fft" and set(saved["entries"]) == {"dplan_c2c", "splan_r2c"}
    assert any(f["backend"] == "wrongfft" and f["entry"] == "dplan_c2c" for f in saved["failures"])
    # applied at once in the tuning process
    assert first["active"]["dplan_c2c"] == rec["winner"] and first["fft_ok"]


def test_a_later_process_serves_the_measured_winners(tuned):
    probe, first = tuned
    out = probe()
    for e in ("dplan_c2c", "splan_r2c"):
        rec = first["tune"]["entries"][e]
        assert out["active"][e] == rec["winner"]
        assert out["detail"][e]["choice"] == "measured" and out["detail"][e]["margin"] == pytest.approx(
            rec["margin"])
        assert out["detail"][e]["classes"] is None  # the host serves one backend at every size
    assert out["fft_ok"]
    assert out["plans"] == [[first["tune"]["entries"]["dplan_c2c"]["winner"], "c2c", 360, "float64"]]
    # the entries not tuned keep their declared backends
    assert out["detail"]["dplan_r2c"]["choice"] == "declared"
    assert "2 of 6 competing entries measured" in out["profile"]["state"]
    assert out["kernels_profile"]["state"].startswith("none")  # no kernels profile exists
    assert not out["warnings"]


def test_the_report_shows_the_measured_choice(tuned):
    probe, first = tuned
    report = probe()["report"]
    section = report[report.index("Interface 'fft'"):]
    assert f"Profile    {probe.profile.with_name('profile-fft.json')}" in section
    assert "2 of 6 competing entries measured" in section
    winner = first["tune"]["entries"]["dplan_c2c"]["winner"]
    margin = first["tune"]["entries"]["dplan_c2c"]["margin"]
    row = next(line for line in section.splitlines() if line.startswith("  plan_c2c"))
    assert f"{winner:<9} m {margin:.2f}x" in row
    assert "m = measured" in section


def test_a_failed_backend_stays_out_when_its_record_is_dropped(tuned):
    """HOSTLIB_TUNE=off ignores the profile, exclusions included; with it
    on, the failure keeps wrongfft out even for an entry whose record does
    not apply (the profile cut to its failures)."""
    probe, first = tuned
    assert probe(HOSTLIB_TUNE="off")["active"]["dplan_c2c"] == "wrongfft"
    fft_file = probe.profile.with_name("profile-fft.json")
    data = json.loads(fft_file.read_text())
    data["entries"] = {}
    fft_file.write_text(json.dumps(data))
    out = probe()
    assert out["active"]["dplan_c2c"] != "wrongfft" and out["fft_ok"]
    assert "wrongfft" in out["detail"]["dplan_c2c"]["excluded"]


# ---------------------------------------------------------------------------
# in-process: verification of the real backends, and that it can fail
# ---------------------------------------------------------------------------

PROVIDED = [(e, b) for e, names in FFT.providers().items() for b in names if b != "portable"]


@pytest.mark.parametrize(("entry", "backend"), PROVIDED, ids=[f"{e}-{b}" for e, b in PROVIDED])
def test_every_installed_fft_backend_passes_verification(entry, backend):
    assert _tune.verify(FFT, entry, backend) is None


def test_portable_agrees_with_numpy_within_the_bound():
    """The reference itself: portable's transforms against numpy.fft's at
    every verified length, within the same bound tune applies."""
    from hostlib.fft import _transforms as T

    rng = np.random.default_rng(11)
    for n in _tune.FFT_LENGTHS:
        for dt, cdt in ((np.float32, np.complex64), (np.float64, np.complex128)):
            x = (rng.standard_normal((2, n)) + 1j * rng.standard_normal((2, n))).astype(cdt)
            out = np.empty_like(x)
            with hostlib.using("portable", interface="fft"):
                T.execute(T.C2C, T.FORWARD, x, out, n, 1.0, 1)
            c = _tune.entry_info(FFT, "dplan_c2c").verify["tolerance"]
            _tune._check_fft(out, np.fft.fft(x.astype(np.complex128), axis=1), c, float(np.finfo(dt).eps), n,
                             f"portable n={n} {np.dtype(dt).name}")


@pytest.mark.parametrize("entry", ["splan_c2c", "dplan_c2c", "splan_r2c", "dplan_c2r"])
def test_a_result_off_by_a_little_is_caught(monkeypatch, entry):
    """A runner whose backend results are 1e-4 off (relative), or lose one
    element to NaN, makes verify() name the entry and what differs."""
    call = _tune._Runner.__call__

    def off(self, fn):
        return call(self, fn) * (1 + 1e-4)

    monkeypatch.setattr(_tune._Runner, "__call__", off)
    why = _tune.verify(FFT, entry, "portable")
    assert why is not None and entry in why and "bound" in why

    def one_nan(self, fn):
        got = call(self, fn).copy()
        got[-1, -1] = np.nan
        return got

    monkeypatch.setattr(_tune._Runner, "__call__", one_nan)
    why = _tune.verify(FFT, entry, "portable")
    assert why is not None and entry in why and ("NaN" in why or "nan" in why)


def test_check_fft_bounds_and_nan_patterns():
    eps = float(np.finfo(np.float64).eps)
    ref = np.array([[1.0 + 1j, 2.0, 4.0], [0.5, 0.25, 0.0]])
    n = 8  # log2 = 3: the bound is c * eps * 3 * the row's largest magnitude
    ok = ref + np.array([[3.9 * eps * 3 * 4, 0, 0], [0, 0, 3.9 * eps * 3 * 0.5]])
    _tune._check_fft(ok, ref, 4, eps, n, "x")
    with pytest.raises(_tune.VerificationError, match="row 0 element 0"):
        _tune._check_fft(ref + [[4.1 * eps * 3 * 4, 0, 0], [0, 0, 0]], ref, 4, eps, n, "x")
    # each row is relative to its own largest value: 4 eps * 3 * 0.5 in row 1
    with pytest.raises(_tune.VerificationError, match="row 1 element 2"):
        _tune._check_fft(ref + [[0, 0, 0], [0, 0, 4.1 * eps * 3 * 0.5]], ref, 4, eps, n, "x")
    nan_ref = ref.copy()
    nan_ref[1, :] = np.nan
    with pytest.raises(_tune.VerificationError, match="row 1 element 0"):
        _tune._check_fft(ref, nan_ref, 4, eps, n, "x")
    # a complex element is NaN if either part is
    part = nan_ref.copy()
    part[1, 0] = complex(1.0, np.nan)
    _tune._check_fft(part, nan_ref, 4, eps, n, "x")
    # rows only (c2r): which elements of a row are NaN may differ, not which rows
    some = nan_ref.copy()
    some[1, 1] = 0.25
    _tune._check_fft(some, nan_ref, 4, eps, n, "x", nan_rows=True)
    with pytest.raises(_tune.VerificationError, match="row 1 has 0 NaN"):
        _tune._check_fft(ref, nan_ref, 4, eps, n, "x", nan_rows=True)


def test_verification_covers_radices_bluestein_and_odd_even_lengths():
    lengths = _tune.FFT_LENGTHS
    assert 1 in lengths and 2 in lengths
    for radix in (2, 3, 4, 5, 7, 8):
        assert any(n % radix == 0 and n > radix for n in lengths)
    # primes the generic butterfly takes, and primes above FFT_MAX_RADIX (31): Bluestein
    assert {11, 13, 17, 29, 31} <= set(lengths)
    assert any(n > 31 and all(n % d for d in range(2, math.isqrt(n) + 1)) for n in lengths)
    assert any(n % 37 == 0 and n > 37 for n in lengths)
    assert any(n % 2 for n in lengths) and any(n % 2 == 0 for n in lengths)
    assert any(b > 8 for b in _tune.FFT_BATCHES) and 1 in _tune.FFT_BATCHES


def test_unmeasurable_kinds_and_interfaces_are_named():
    """An entry of another interface with a kernels kind would be timed
    through hostlib's kernels functions, which never call it: not measured."""
    from hostlib._host.spec import EntryInfo

    other = SimpleNamespace(iface=SimpleNamespace(name="filters", info=(
        EntryInfo("sfir", 0, 0, kind="level1", dtype="float32", function="fir"),
        EntryInfo("splan_c2c", 1, 0, kind="fft", dtype="float32", function="plan_c2c"),
        EntryInfo("biquad", 2, 0, kind="other"))))
    assert "'kernels' interface" in _tune.unmeasurable(other, "sfir")
    assert "'fft' interface" in _tune.unmeasurable(other, "splan_c2c")
    assert "kind 'other'" in _tune.unmeasurable(other, "biquad")
    assert _tune.unmeasurable(FFT, "dplan_c2r") is None
    assert _tune.unmeasurable(hostlib._kernels_host, "dgemm") is None
    with pytest.raises(ValueError, match="sfir"):
        _tune.verify(other, "sfir", "x")


# ---------------------------------------------------------------------------
# profile paths, the spec, the entry point and the CLI
# ---------------------------------------------------------------------------


def test_each_interface_has_its_own_profile_file(monkeypatch, tmp_path):
    assert _profile.interface_path("/a/p.json", "kernels") == "/a/p.json"
    assert _profile.interface_path("/a/p.json", "fft") == "/a/p-fft.json"
    assert _profile.interface_path("/a/p", "fft") == "/a/p-fft"
    ident = {"arch": "x86_64", "vendor": "Genuine Test", "family": 6, "model": 143, "stepping": 8}
    monkeypatch.delenv("HOSTLIB_PROFILE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    kernels = _profile.default_path(ident, ["SSE2"])
    assert _profile.default_path(ident, ["SSE2"], "kernels") == kernels
    assert _profile.default_path(ident, ["SSE2"], "fft") == kernels[: -len(".json")] + "-fft.json"
    assert FFT.profile_path == _profile.interface_path(hostlib._kernels_host.profile_path, "fft")
    assert FFT.profile_path != hostlib._kernels_host.profile_path


def test_the_fft_spec_asks_for_tuning_without_changing_the_abi(tmp_path):
    iface = G.load_interface(str(ROOT / "interface" / "fft.toml"))
    assert iface.tune and {e.kind for e in iface.served} == {"fft"}
    assert all(e.verify.get("tolerance", 0) > 0 for e in iface.served)
    r = subprocess.run([sys.executable, "-m", "hostlib.generate", "interface", "--spec",
                        str(ROOT / "interface" / "fft.toml"), "--lock", str(ROOT / "interface" / "fft.abi"),
                        "--outdir", str(tmp_path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "X(1, dplan_c2c, plan_c2c, double, fft, none, 0, 0)" in (tmp_path / "hostlib_fft_fft_entries.h").read_text()


@pytest.mark.parametrize(("change", "message"), [
    (('kind = "fft"', 'kind = "fft"\nsplit = "map"\nsplit_min = 1'), "no split class"),
    (('name = "{p}plan_c2c"', 'name = "{p}plan_dct"'), "name ending in one of"),
    (('returns = "int"', 'returns = "void"'), "a planner returning int"),
])
def test_fft_kind_is_checked(tmp_path, change, message):
    spec = (ROOT / "interface" / "fft.toml").read_text()
    first = spec.index("[[entry]]")
    head, rest = spec[:first], spec[first:]
    second = rest.index("[[entry]]", 1)
    spec = head + rest[:second].replace(*change) + rest[second:]
    path = tmp_path / "fft.toml"
    path.write_text(spec)
    with pytest.raises(G.SpecError, match=message):
        G.load_interface(str(path))


def test_tune_of_an_interface_that_does_not_ask_is_refused(monkeypatch):
    monkeypatch.setattr(FFT, "iface", SimpleNamespace(**{**FFT.iface.__dict__, "tune": False}))
    with pytest.raises(ValueError, match="does not ask hostlib tune"):
        hostlib.tune(interface="fft", save=False)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    return subprocess.run([sys.executable, "-m", "hostlib", "tune", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_cli_tune_one_interface(tmp_path):
    path = tmp_path / "p.json"
    r = _cli("--interface", "fft", "--quick", "-q", "--json", "--entries", "splan_c2c", "--profile", str(path),
             cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert res["interface"] == "fft" and list(res["entries"]) == ["splan_c2c"] and res["interfaces"] == {}
    assert res["path"] == str(tmp_path / "p-fft.json") and (tmp_path / "p-fft.json").exists() and not path.exists()
    # the entries of the interface named, only
    r = _cli("--interface", "kernels", "--entries", "splan_c2c", cwd=tmp_path)
    assert r.returncode == 2 and "unknown entries ['splan_c2c']" in r.stderr
    r = _cli("--interface", "nope", cwd=tmp_path)
    assert r.returncode == 2 and "unknown interface 'nope'" in r.stderr
    # without --interface, --entries finds the interface that has them, or says it cannot
    r = _cli("--quick", "-q", "--entries", "dplan_c2r", "--dry-run", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Interface 'fft'" in r.stdout and "dplan_c2r" in r.stdout and "Interface 'kernels'" not in r.stdout
    r = _cli("--entries", "sdot,dplan_c2r", cwd=tmp_path)
    assert r.returncode == 2 and "interfaces kernels, fft" in r.stderr


def test_cli_tunes_every_interface_that_asks_in_order(monkeypatch, capsys, tmp_path):
    """Without --interface: kernels, then fft, each into its own file, one
    summary each (tune itself replaced: its runs are tested above)."""
    calls = []

    def fake_tune(host, **kw):
        calls.append((host.iface.name, kw["path"], kw["entries"], kw["save"]))
        return _tune.TuneResult({}, {}, kw["path"], 0.0, True, interface=host.iface.name)

    monkeypatch.setattr(_tune, "tune", fake_tune)
    path = str(tmp_path / "p.json")
    assert _tune.main(["--quick", "-q", "--profile", path]) == 0
    text = capsys.readouterr().out
    assert [c[0] for c in calls[:2]] == ["kernels", "fft"]
    assert calls[0][1] == path and calls[1][1] == str(tmp_path / "p-fft.json")
    assert text.index("Interface 'kernels'") < text.index("Interface 'fft'")
    assert f"profile: {path}" in text and f"profile: {tmp_path / 'p-fft.json'}" in text
    calls.clear()
    assert _tune.main(["--quick", "-q", "--json", "--dry-run"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["interface"] == "kernels" and "fft" in res["interfaces"]
    assert all(c[1] is None and c[3] is False for c in calls)
