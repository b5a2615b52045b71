"""Selection by measurement: ``hostlib tune``, the per-machine profile, and
what automatic selection makes of it.

Two test backends are installed as fake distributions on a temporary path,
each with ``PRIORITY = 99`` so that declared priorities would pick them:

* ``wrongexp`` provides only ``dexp``, and it is the portable ``dlog``:
  fast enough, wrong values. Verification must exclude it.
* ``slowdot`` provides only ``ddot``: a correct dot product written in
  Python behind a ctypes callback. Timing must make it lose.

Each scenario runs in a fresh interpreter with its own profile file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import numpy as np
import pytest

import hostlib
from hostlib._host import profile as _profile
from hostlib._measure import tune as _tune

from _fake_backend import install as install_fake_backend

TESTS = Path(__file__).resolve().parent
GROUP = hostlib._kernels_host.iface.entry_point_group
ENTRIES = hostlib._kernels_host.iface.entries

WRONG_EXT = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from _capsules import CraftedTable, kernels_interface, portable_slots

entries = kernels_interface().entries
portable = portable_slots()
slots = [0] * len(entries)
slots[entries.index("dexp")] = portable[entries.index("dlog")]  # wrong values
_keep = CraftedTable(slots, name=b"wrongexp")
_C_API = _keep.capsule
"""

SLOW_EXT = f"""
import ctypes, sys
sys.path.insert(0, {str(TESTS)!r})
from _capsules import CraftedTable, kernels_interface

entries = kernels_interface().entries
P = ctypes.POINTER(ctypes.c_double)


@ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_ssize_t, P, ctypes.c_ssize_t, P, ctypes.c_ssize_t)
def slow_ddot(n, x, incx, y, incy):
    # numpy-style strides: element i is x[i * incx], negative allowed
    return float(sum(x[i * incx] * y[i * incy] for i in range(n)))


slots = [0] * len(entries)
slots[entries.index("ddot")] = ctypes.cast(slow_ddot, ctypes.c_void_p).value
_keep = CraftedTable(slots, name=b"slowdot")
_C_API = _keep.capsule
"""


GOOD_EXT = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from _capsules import CraftedTable, kernels_interface, portable_slots

entries = kernels_interface().entries
slots = [0] * len(entries)
slots[entries.index("dexp")] = portable_slots()[entries.index("dexp")]
_keep = CraftedTable(slots, name=b"goodexp")
_C_API = _keep.capsule
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("tune_site")
    install_fake_backend(site, "wrongexp", WRONG_EXT, GROUP)
    install_fake_backend(site, "slowdot", SLOW_EXT, GROUP)
    return site


PROBE = """
import io, json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import hostlib
    import numpy as np
    out = {}
    if sys.argv[1:2] == ["tune"]:
        entries = sys.argv[2].split(",") if sys.argv[2:] else ["dexp", "ddot", "sdot"]
        out["tune"] = hostlib.tune(quick=True, entries=entries).to_dict()
    info = hostlib.runtime_info()
    out["active"] = info["entries"]
    out["detail"] = info["entries_detail"]
    out["profile"] = info["profile"]
    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    out["report"] = buf.getvalue()
    x = np.linspace(-3, 3, 1001)
    out["exp_ok"] = bool(np.allclose(hostlib.exp(x), np.exp(x)))
    out["dot_ok"] = bool(np.isclose(hostlib.dot(x, x), x @ x))
# numpy's RuntimeWarnings (the wrong exp takes logs of negatives) aside
out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught
                   if not issubclass(w.category, RuntimeWarning)]
print(json.dumps(out))
"""


@pytest.fixture
def probe(tmp_path, site):
    """Run PROBE in a fresh interpreter with the test backends installed and
    the profile at ``tmp_path/profile.json`` (unless env says otherwise)."""
    profile = tmp_path / "profile.json"

    def run(*args: str, with_site: bool = True, more_sites: tuple[Path, ...] = (), **env: str) -> dict:
        full = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
        full["HOSTLIB_PROFILE"] = str(profile)
        full.update(env)
        sites = ([site] if with_site else []) + list(more_sites)
        if sites:
            full["PYTHONPATH"] = os.pathsep.join(map(str, sites))
        proc = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=full,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    run.profile = profile  # type: ignore[attr-defined]
    return run


@pytest.fixture
def tuned(probe):
    """A probe whose profile was written by one quick tune of dexp, ddot, sdot."""
    first = probe("tune")
    return probe, first


# ---------------------------------------------------------------------------
# verification and timing decide, not priority
# ---------------------------------------------------------------------------


def test_without_profile_priority_picks_the_test_backends_and_the_report_suggests_tune(probe):
    out = probe()
    assert out["active"]["dexp"] == "wrongexp" and out["active"]["ddot"] == "slowdot"
    assert out["detail"]["dexp"] == {"backend": "wrongexp", "choice": "declared", "reason": "no profile"}
    assert "run `hostlib tune`" in out["report"]
    assert not out["exp_ok"]  # what the wrong kernel does when nothing checks it


def test_a_backend_with_wrong_results_is_excluded_however_it_ranks(tuned):
    _, out = tuned
    rec = out["tune"]["entries"]["dexp"]
    why = rec["candidates"]["wrongexp"]["excluded"]
    assert why and "portable gives" in why, why
    assert rec["candidates"]["wrongexp"]["times_ns"] is None
    assert rec["winner"] != "wrongexp"
    assert out["active"]["dexp"] == rec["winner"] and out["exp_ok"]
    assert out["detail"]["dexp"]["choice"] == "measured"
    # the backend stays in charge of nothing else either: it provides nothing else
    assert "wrongexp" not in {v for k, v in out["active"].items() if k != "dexp"}


def test_a_slow_backend_loses(tuned):
    _, out = tuned
    rec = out["tune"]["entries"]["ddot"]
    assert rec["candidates"]["slowdot"]["excluded"] is None  # correct, only slow
    assert rec["winner"] != "slowdot"
    slow = rec["candidates"]["slowdot"]["times_ns"]
    best = rec["candidates"][rec["winner"]]["times_ns"]
    assert all(s > b for s, b in zip(slow, best))
    assert out["active"]["ddot"] == rec["winner"] and out["dot_ok"]


def test_the_profile_serves_later_processes(tuned):
    probe, first = tuned
    out = probe()
    for e in ("dexp", "ddot", "sdot"):
        assert out["active"][e] == first["tune"]["entries"][e]["winner"]
        assert out["detail"][e]["choice"] == "measured"
        # the winner's lead over the runner-up; only the declared backend,
        # which keeps an entry it loses by less than SWITCH_GAIN (a tie on a
        # busy machine), may trail
        rec, margin = first["tune"]["entries"][e], out["detail"][e]["margin"]
        assert margin >= 1.0 or (rec["winner"] == rec["declared"] and margin >= 1.0 / _profile.SWITCH_GAIN)
    # entries tune was not asked for keep their declared choice, and say why
    assert out["detail"]["sexp"]["choice"] == "declared" and out["detail"]["sexp"]["reason"] == "not measured"
    assert out["warnings"] == []


def test_the_measured_winner_is_what_serves(tuned):
    """Edit the profile to name another timed candidate: it serves, so the
    choice really comes from the file."""
    probe, first = tuned
    data = json.loads(probe.profile.read_text())
    rec = data["entries"]["dexp"]
    other = next(n for n, c in rec["candidates"].items() if c["times_ns"] and n != rec["winner"])
    rec["winner"] = other
    probe.profile.write_text(json.dumps(data))
    out = probe()
    assert out["active"]["dexp"] == other and out["detail"]["dexp"]["choice"] == "measured"


def test_an_upgraded_backend_makes_its_entries_fall_back(tuned):
    probe, first = tuned
    data = json.loads(probe.profile.read_text())
    winner = data["entries"]["sdot"]["winner"]
    data["entries"]["sdot"]["candidates"][winner]["identity"]["version"] = "0.0.1-old"
    probe.profile.write_text(json.dumps(data))
    out = probe()
    assert out["detail"]["sdot"]["choice"] == "declared"
    assert f"{winner} changed since" in out["detail"]["sdot"]["reason"]
    assert out["detail"]["dexp"]["choice"] == "measured"  # the rest still holds
    assert "declared (stale:" in out["report"]


def test_a_new_backend_makes_its_entries_fall_back(probe):
    probe("tune", with_site=False)
    out = probe()
    for e, b in (("dexp", "wrongexp"), ("ddot", "slowdot")):
        assert out["detail"][e]["choice"] == "declared"
        assert f"new backend {b}" in out["detail"][e]["reason"]
    assert out["detail"]["sdot"]["choice"] == "measured"


@pytest.fixture(scope="module")
def another_exp(tmp_path_factory) -> Path:
    """A site with one more provider of dexp (correct, same priority)."""
    site = tmp_path_factory.mktemp("another_exp")
    install_fake_backend(site, "goodexp", GOOD_EXT, GROUP)
    return site


def test_a_failed_backend_stays_excluded_when_another_provider_arrives(tuned, another_exp):
    """Installing goodexp makes the dexp measurement stale; wrongexp's
    failure is remembered for its build all the same, across later tunes of
    other entries."""
    probe, _ = tuned
    for reason in ("stale: new backend goodexp", "not measured"):  # the second tune drops the stale record
        out = probe(more_sites=(another_exp,))
        detail = out["detail"]["dexp"]
        assert detail["choice"] == "declared" and detail["reason"] == f"{reason}; wrongexp failed verification"

        assert "portable gives" in detail["excluded"]["wrongexp"]
        assert out["active"]["dexp"] == "goodexp" and out["exp_ok"]
        probe("tune", "ddot", more_sites=(another_exp,))  # rewrites the file: the failure must survive


def test_another_build_of_a_failed_backend_gets_its_chance_again(tuned):
    """The memory is per build: a new version is judged afresh (here by
    priority until the next tune)."""
    probe, _ = tuned
    data = json.loads(probe.profile.read_text())
    assert [f["backend"] for f in data["failures"]] == ["wrongexp"]
    for rec in [data["entries"]["dexp"]["candidates"]["wrongexp"], data["failures"][0]]:
        rec["identity"]["version"] = "0.9"
    probe.profile.write_text(json.dumps(data))
    out = probe()
    assert out["active"]["dexp"] == "wrongexp" and "excluded" not in out["detail"]["dexp"]


def test_a_masked_feature_invalidates_the_profile(tuned):
    probe, _ = tuned
    out = probe(HOSTLIB_DISABLE_FEATURES="SSE2")
    assert {d["choice"] for d in out["detail"].values()} <= {"declared", "only"}
    assert "usable CPU features differ" in out["detail"]["dexp"]["reason"]
    assert "without SSE2" in out["detail"]["dexp"]["reason"]


def test_hostlib_tune_off_ignores_the_profile(tuned):
    probe, _ = tuned
    out = probe(HOSTLIB_TUNE="off")
    assert out["active"]["dexp"] == "wrongexp"
    assert "ignored" in out["profile"]["state"]
    assert out["warnings"] == []


def test_a_malformed_hostlib_tune_warns_once_and_uses_the_profile(tuned):
    probe, first = tuned
    out = probe(HOSTLIB_TUNE="sometimes")
    assert len(out["warnings"]) == 1 and "HOSTLIB_TUNE" in out["warnings"][0]
    assert out["active"]["dexp"] == first["tune"]["entries"]["dexp"]["winner"]


def test_hostlib_backend_overrides_the_profile(tuned):
    probe, _ = tuned
    out = probe(HOSTLIB_BACKEND="wrongexp")
    assert out["active"]["dexp"] == "wrongexp"
    assert out["detail"]["dexp"]["choice"] == "forced"


# ---------------------------------------------------------------------------
# files that cannot be used
# ---------------------------------------------------------------------------

BAD_FILES = {
    "empty": b"",
    "truncated": None,  # half of a real profile, made by the test
    "not json": b"{ this is not json",
    "not utf-8": b'{"format": "\xff\xfe"}',
    "a list": b"[1, 2, 3]",
    "foreign": b'{"format": "someone-elses-cache", "format_version": 1}',
    "future version": None,  # a real profile with format_version 99
    "winner not a candidate": None,  # a real profile with an impossible winner
    "deeply nested": b"[" * 100000 + b"]" * 100000,
    # numbers out of range: these once stopped every kernel call with OverflowError
    "a size of 1e400": None,
    "a 400-digit time": None,
    "no sizes": None,  # scores would divide by zero
    "a lone surrogate": None,  # printing it in the report would raise
    "too large": b" " * (_profile.MAX_BYTES + 1),
}


def _with(good: bytes, entry: str, field: str, literal: str) -> bytes:
    """``good`` with one field of one entry's record replaced by JSON text."""
    data = json.loads(good)
    rec = data["entries"][entry]
    if field == "times_ns":
        rec = rec["candidates"][rec["winner"]]
    rec[field] = "@@"
    return json.dumps(data).replace('"@@"', literal).encode()


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_an_unusable_profile_warns_once_and_is_ignored(tuned, kind):
    probe, _ = tuned
    good = probe.profile.read_bytes()
    content = BAD_FILES[kind]
    if kind == "truncated":
        content = good[: len(good) // 2]
    elif kind == "future version":
        data = json.loads(good)
        data["format_version"] = 99
        content = json.dumps(data).encode()
    elif kind == "winner not a candidate":
        data = json.loads(good)
        data["entries"]["dexp"]["winner"] = "nosuchbackend"
        content = json.dumps(data).encode()
    elif kind == "a size of 1e400":
        content = _with(good, "ddot", "sizes", "[1e400]")
    elif kind == "a 400-digit time":
        content = _with(good, "ddot", "times_ns", "[" + "9" * 400 + "]")
    elif kind == "no sizes":
        data = json.loads(good)
        rec = data["entries"]["ddot"]
        rec["sizes"] = []
        for c in rec["candidates"].values():
            c["times_ns"] = None if c["times_ns"] is None else []
        content = json.dumps(data).encode()
    elif kind == "a lone surrogate":
        content = good.replace(b'"created": "', b'"created": "\\ud800', 1)
    probe.profile.write_bytes(content)
    out = probe()
    assert len(out["warnings"]) == 1, out["warnings"]
    assert out["warnings"][0].startswith("ProfileWarning: ignoring the hostlib profile")
    assert out["active"]["ddot"] == "slowdot"  # declared priorities, as without a profile
    assert out["dot_ok"]


def test_a_profile_path_that_is_a_folder_warns_and_is_ignored(probe, tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    out = probe(HOSTLIB_PROFILE=str(folder))
    assert len(out["warnings"]) == 1 and "ProfileWarning" in out["warnings"][0]
    assert out["active"]["dexp"] == "wrongexp"


def test_concurrent_tunes_leave_one_valid_file(tmp_path):
    path = tmp_path / "shared" / "profile.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    cmd = [sys.executable, "-m", "hostlib", "tune", "--quick", "-q", "--entries", "sdot,dexp,ssum",
           "--profile", str(path)]
    procs = [subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for _ in range(3)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    prof = _profile.parse(json.loads(path.read_text()))
    assert set(prof.entries) == {"sdot", "dexp", "ssum"}
    # no temporary file left behind; the writers' lock file stays
    assert sorted(os.listdir(path.parent)) == ["profile.json", "profile.json.lock"]


def test_concurrent_tunes_of_different_entries_merge(tmp_path):
    """Each run measures its own entry; the file ends up with all of them,
    not just the last writer's (writers merge under the lock)."""
    path = tmp_path / "profile.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    wanted = ["sdot", "ddot", "ssum", "dsum"]
    procs = [subprocess.Popen([sys.executable, "-m", "hostlib", "tune", "--quick", "-q", "--entries", e,
                               "--profile", str(path)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for e in wanted]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    assert set(_profile.parse(json.loads(path.read_text())).entries) == set(wanted)


def test_readers_never_see_a_half_written_file(tmp_path):
    path = str(tmp_path / "p.json")
    rec = _profile.EntryRecord("a", (10,), {"a": _profile.Candidate({"version": "1"}, (1.0,))})
    profiles = [_profile.Profile({"interface": "k", "abi": "1.0", "cpu": {}, "features": ["X"] * i},
                                 {e: rec for e in ENTRIES}) for i in range(1, 60)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer(ps):
        try:
            for p in ps:
                _profile.save(path, p)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(profiles[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    seen = 0
    with warnings.catch_warnings():
        warnings.simplefilter("error", _profile.ProfileWarning)  # a torn read would warn
        while any(t.is_alive() for t in threads) or not seen:
            if _profile.load(path) is not None:
                seen += 1
    for t in threads:
        t.join()
    assert not errors and seen


# ---------------------------------------------------------------------------
# in-process: verification of the real backends, records, the CLI
# ---------------------------------------------------------------------------

HOST = hostlib._kernels_host
PROVIDED = [(e, b) for e, names in HOST.providers().items() for b in names
            if b != "portable" and _tune.unmeasurable(HOST, e) is None]


@pytest.mark.parametrize(("entry", "backend"), PROVIDED, ids=[f"{e}-{b}" for e, b in PROVIDED])
def test_every_installed_backend_passes_verification(entry, backend):
    assert _tune.verify(HOST, entry, backend) is None


def test_level2_and_level3_entries_are_skipped_with_their_reason():
    """tune does not measure the BLAS level-2/3 entries (kinds level2,
    level3): it says so, and verify refuses them rather than guess."""
    blas = [e for e in HOST.providers() if _tune.entry_info(HOST, e).kind in ("level2", "level3")]
    assert {"dgemv", "strsm", "zgemm", "cherk"} <= set(blas)
    for e in blas:
        assert "declared priority" in _tune.unmeasurable(HOST, e)
        with pytest.raises(ValueError, match="does not measure kind"):
            _tune.verify(HOST, e, "portable")


def test_verification_catches_one_wrong_element():
    """The checks themselves can fail: a result off by a few ULP, or a NaN
    where portable has a number, is reported with the element."""
    got = np.array([1.0, 2.0, 3.0])
    ref = got.copy()
    ref[1] = np.nextafter(np.nextafter(np.nextafter(2.0, 3), 3), 3)
    assert _tune._ulp_distance(got, ref).tolist() == [0, 3, 0]
    with pytest.raises(_tune.VerificationError, match="element 2"):
        _tune._check_close(np.array([1.0, 2.0, np.nan]), got, np.zeros(3), "x")
    with pytest.raises(_tune.VerificationError, match="element 0"):
        _tune._check_close(np.array([1.5, 2.0, 3.0]), got, np.full(3, 0.1), "x")
    _tune._check_close(np.array([1.05, 2.0, 3.0]), got, np.full(3, 0.1), "x")


def test_records_score_margin_and_size_winners():
    c = _profile.Candidate
    rec = _profile.EntryRecord("b", (1000, 100000), {
        "a": c({}, (1.0, 40.0)),   # fastest small, 2x slower large
        "b": c({}, (1.5, 20.0)),   # 1.5x slower small, fastest large
        "x": c({}, None, "wrong"),
    })
    s = rec.scores()
    assert s["a"] == pytest.approx(2 ** 0.5) and s["b"] == pytest.approx(1.5 ** 0.5)
    assert _profile.choose_winner(rec.candidates, rec.sizes) == "b"
    # the declared backend keeps the entry when it scores within SWITCH_GAIN
    # of the best, not beyond: "a" is 1.155x "b"'s score
    assert _profile.choose_winner(rec.candidates, rec.sizes, prefer="b") == "b"
    assert _profile.choose_winner(rec.candidates, rec.sizes, prefer="a") == "b"
    close = {"a": c({}, (1.0, 20.0)), "b": c({}, (1.02, 20.4))}
    assert _profile.choose_winner(close, rec.sizes) == "a"
    assert _profile.choose_winner(close, rec.sizes, prefer="b") == "b"
    assert _profile.choose_winner(close, rec.sizes, prefer="x") == "a"  # not a candidate
    assert rec.margin() == pytest.approx((2 / 1.5) ** 0.5)
    assert rec.size_winners() == {1000: "a", 100000: "b"}
    back = _profile.parse(_profile.Profile({"interface": "k", "abi": "1", "cpu": {}, "features": []},
                                           {"e": rec}).to_dict())
    assert back.entries["e"] == rec


def test_default_path_honours_xdg_cache_home_and_hostlib_profile(monkeypatch, tmp_path):
    ident = {"arch": "x86_64", "vendor": "Genuine Test", "family": 6, "model": 143, "stepping": 8}
    monkeypatch.delenv("HOSTLIB_PROFILE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    p = _profile.default_path(ident, ["SSE", "SSE2"])
    assert p.startswith(str(tmp_path / "hostlib" / "profile-x86_64-Genuine_Test-6-143-8-")) and p.endswith(".json")
    # another feature set (a mask) gets a file of its own
    assert _profile.default_path(ident, ["SSE"]) != p
    monkeypatch.setenv("HOSTLIB_PROFILE", str(tmp_path / "mine.json"))
    assert _profile.default_path(ident, ["SSE"]) == str(tmp_path / "mine.json")


def test_tune_rejects_unknown_entries():
    with pytest.raises(ValueError, match="unknown entries .*'dfoo'.* choose from"):
        hostlib.tune(entries=["dfoo"], save=False)


def test_cli_tune_json_and_usage_errors(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    path = tmp_path / "p.json"
    r = subprocess.run([sys.executable, "-m", "hostlib", "tune", "--quick", "-q", "--json", "--entries", "sdot",
                        "--profile", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert list(res["entries"]) == ["sdot"] and res["path"] == str(path) and path.exists()
    r = subprocess.run([sys.executable, "-m", "hostlib", "tune", "--entries", "nope"], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "unknown entries ['nope']" in r.stderr
    path.write_text("kept")
    r = subprocess.run([sys.executable, "-m", "hostlib", "tune", "--entries", " , ", "--profile", str(path)],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "names no entry" in r.stderr and path.read_text() == "kept"
    r = subprocess.run([sys.executable, "-m", "hostlib", "tune", "--quick", "-q", "--entries", "sdot",
                        "--profile", str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "sdot" in r.stdout and "profile: " + str(path) in r.stdout


def test_a_disputed_size_is_timed_again_and_a_class_needs_both_runs():
    """A size where another backend beats the winner by more than 5% is
    timed again, every backend. Where the second run repeats the dispute,
    each keeps the best of both runs, so a real crossover stays; where it
    does not, the second run's times stand, so a class made of one
    disturbed sample of the winner, or one lucky sample of another
    backend, goes away."""
    from hostlib._measure import tune as _tune

    sizes = (1000, 100000, 1000000)
    calls = []

    def timer(host, entry, names, at, timing):  # the second run: the winner undisturbed at 1e5
        calls.append(list(at))
        return {"avx512": [50.0], "avx2": [95.0], "sse2": [300.0]}

    # avx512 wins overall; its time at 1e5 was disturbed (1.2x avx2's)
    times = {"avx512": [1.0, 120.0, 1000.0], "avx2": [1.2, 100.0, 1100.0], "sse2": [2.0, 300.0, 1500.0]}
    assert _tune._disputed(times, sizes) == ("avx512", [1])
    _tune._confirm_disputed_sizes(None, "dsin", list(times), sizes, {}, times, timer)
    assert calls == [[100000]]
    assert times == {"avx512": [1.0, 50.0, 1000.0], "avx2": [1.2, 95.0, 1100.0], "sse2": [2.0, 300.0, 1500.0]}
    assert _tune._disputed(times, sizes) == ("avx512", [])
    cands = {n: _profile.Candidate({}, tuple(t)) for n, t in times.items()}
    assert _profile.size_classes(sizes, cands, "avx512") == ((0, "avx512"),)

    # a crossover that holds when timed again stays a class
    times = {"avx512": [1.0, 120.0, 1000.0], "avx2": [1.2, 100.0, 1100.0]}
    _tune._confirm_disputed_sizes(None, "dsin", list(times), sizes, {}, times,
                                  lambda *a: {"avx512": [118.0], "avx2": [105.0]})
    assert times["avx512"][1] == 118.0 and times["avx2"][1] == 100.0
    cands = {n: _profile.Candidate({}, tuple(t)) for n, t in times.items()}
    assert [b for _, b in _profile.size_classes(sizes, cands, "avx512")] == ["avx512", "avx2", "avx512"]
    # one lucky sample of avx2 (0.9x the winner's), not repeated (0.98x):
    # best of both runs would keep 0.9x and make a class of it
    times = {"avx512": [1.0, 100.0, 1000.0], "avx2": [1.2, 90.0, 1100.0]}
    _tune._confirm_disputed_sizes(None, "dasum", list(times), sizes, {}, times,
                                  lambda *a: {"avx512": [100.0], "avx2": [98.0]})
    assert times == {"avx512": [1.0, 100.0, 1000.0], "avx2": [1.2, 98.0, 1100.0]}
    cands = {n: _profile.Candidate({}, tuple(t)) for n, t in times.items()}
    assert _profile.size_classes(sizes, cands, "avx512") == ((0, "avx512"),)
    # nothing disputed: nothing timed again
    _tune._confirm_disputed_sizes(None, "dsin", ["a", "b"], sizes, {}, {"a": [1.0] * 3, "b": [1.02] * 3},
                                  lambda *a: pytest.fail("timed again with nothing disputed"))
