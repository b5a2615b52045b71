"""The profile as a file from outside: what reading and writing it may and
may not do.

Reading never blocks (a FIFO), never reads more than MAX_BYTES, and turns
anything unusable into one ProfileWarning. Writing (``hostlib tune``) goes
next to the file the path resolves to, keeps its mode, never replaces
anything but a regular file, and a failure to save keeps the measurement.
The fuzz tests feed the reader arbitrary bytes and mutated profiles.
"""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostlib._host import profile as _profile

KEY = {"interface": "kernels", "abi": "1.0", "cpu": {"arch": "x86_64", "brand": "Test CPU", "family": 6},
       "features": ["SSE", "SSE2"]}


def _profile_dict() -> dict:
    c = _profile.Candidate
    rec = _profile.EntryRecord("a", (1000, 100000), {"a": c({"version": "1", "file": None}, (10.0, 900.0)),
                                                     "b": c({"version": "2", "file": None}, (12.0, 800.0)),
                                                     "x": c({"version": "3", "file": None}, None, "wrong")})
    entries = {"ddot": rec, "sdot": rec}
    prof = _profile.Profile(KEY, entries, "2026-01-01T00:00:00+00:00", "1.0", _profile.failures_of(entries))
    return json.loads(json.dumps(prof.to_dict()))  # a copy the caller may change


def _load_bytes(tmp_path: Path, raw: bytes) -> tuple[_profile.Profile | None, list[str]]:
    path = tmp_path / "p.json"
    path.write_bytes(raw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prof = _profile.load(str(path))
    return prof, [str(w.message) for w in caught]


def _load_in_thread(path: str) -> list[str]:
    """load(path) in a thread that must finish within seconds; its warnings."""
    box: list = []

    def run() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            box.append(_profile.load(path))
        box.append([str(w.message) for w in caught])

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), f"load({path}) blocked"
    assert box[0] is None
    return box[1]


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def test_a_written_profile_reads_back_with_its_failures(tmp_path):
    path = str(tmp_path / "p.json")
    data = _profile_dict()
    _profile.save(path, _profile.parse(data))
    back = _profile.load(path)
    assert back is not None and back.to_dict() == data
    assert [(f.entry, f.backend) for f in back.failures] == [("ddot", "x"), ("sdot", "x")]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    [message] = _load_in_thread(str(fifo))
    assert "it is a FIFO, not a regular file" in message and "HOSTLIB_PROFILE" in message


def test_a_device_is_refused_without_being_opened():
    [message] = _load_in_thread(os.devnull)
    assert "character device" in message


@pytest.mark.parametrize("path", ["with\0nul.json", "x" * 5000 + ".json"])
def test_an_impossible_path_warns(tmp_path, path):
    with pytest.warns(_profile.ProfileWarning, match="ignoring the hostlib profile"):
        assert _profile.load(str(tmp_path / path)) is None


def test_a_missing_file_is_no_profile_and_no_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _profile.load(str(tmp_path / "none.json")) is None


@pytest.mark.parametrize(("where", "literal", "why"), [
    ("sizes", "[1e400]", "a size is out of range"),
    ("sizes", "[1.5, 2]", "a size is not a whole number"),
    ("sizes", "[true, 10]", "a size is not a number"),
    ("sizes", "[]", "sizes is not a list of 1 to"),
    ("sizes", "[" + "9" * 400 + ", 10]", "a size is out of range"),
    ("times", "[" + "9" * 400 + ", 1]", "a time (ns) is out of range"),
    ("times", "[NaN, 1]", "a time (ns) is out of range"),
    ("times", "[-Infinity, 1]", "a time (ns) is out of range"),
    ("times", "[0, 1]", "a time (ns) is out of range"),
    ("identity", '{"version": 1e999}', "identity is out of range"),
    ("identity", '{"version": "a\\nb"}', "identity is not one printable line"),
    ("identity", '{"a": {"b": {"c": {"d": {"e": 1}}}}}', "identity is nested too deeply"),
])
def test_an_out_of_range_field_warns_once(tmp_path, where, literal, why):
    data = _profile_dict()
    rec = data["entries"]["ddot"]
    target = {"sizes": rec, "times": rec["candidates"]["a"], "identity": rec["candidates"]["a"]}[where]
    target[{"times": "times_ns"}.get(where, where)] = "@@"
    raw = json.dumps(data).replace('"@@"', literal).encode()
    prof, messages = _load_bytes(tmp_path, raw)
    assert prof is None and len(messages) == 1, messages
    assert why in messages[0] and "entry 'ddot'" in messages[0]


def test_a_file_over_the_size_bound_is_not_read(tmp_path):
    prof, messages = _load_bytes(tmp_path, b" " * (_profile.MAX_BYTES + 1))
    assert prof is None and len(messages) == 1 and "larger than" in messages[0]


# ---------------------------------------------------------------------------
# the reader, fuzzed: a clean result or one ProfileWarning, nothing else
# ---------------------------------------------------------------------------

_json_leaf = (st.none() | st.booleans() | st.integers() | st.integers(min_value=10**300, max_value=10**400)
              | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20))
_json = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


def _paths(value, prefix=()):
    """Every place inside a decoded JSON value, as a tuple of keys."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


_PLACES = list(_paths(_profile_dict()))[1:]


def _replaced(data, place, value):
    for k in place[:-1]:
        data = data[k]
    data[place[-1]] = value


def _exercise(prof: _profile.Profile) -> None:
    """What the host and the report do with a profile: nothing may raise."""
    for rec in prof.entries.values():
        for v in rec.scores().values():
            assert math.isfinite(v)
        rec.margin()
        rec.size_winners()
    other = {**KEY, "cpu": {"arch": "other"}}
    for key in (KEY, other, {**KEY, "features": ["SSE"]}):
        valid, stale = _profile.applicable(prof, key, {"a": {"version": "1", "file": None}},
                                           {"ddot": ["a", "b"], "sdot": ["a"]})
        for text in stale.values():
            text.encode("utf-8")  # printable: the report writes it
    _profile.exclusions(prof, "kernels", {"x": {"version": "3", "file": None}})
    assert _profile.parse(json.loads(json.dumps(prof.to_dict()))) == prof


def _check_reader(tmp_path: Path, raw: bytes) -> None:
    prof, messages = _load_bytes(tmp_path, raw)
    assert len(messages) == (prof is None), messages
    for m in messages:
        m.encode("utf-8", "backslashreplace")
    if prof is not None:
        _exercise(prof)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(raw=st.binary(max_size=200))
def test_fuzz_arbitrary_bytes(tmp_path, raw):
    _check_reader(tmp_path, raw)


@FUZZ
@given(data=_json)
def test_fuzz_arbitrary_json(tmp_path, data):
    _check_reader(tmp_path, json.dumps(data).encode())


@FUZZ
@given(place=st.sampled_from(_PLACES), value=_json)
def test_fuzz_one_field_of_a_real_profile(tmp_path, place, value):
    data = _profile_dict()
    _replaced(data, place, value)
    _check_reader(tmp_path, json.dumps(data).encode())


# ---------------------------------------------------------------------------
# writing: `hostlib tune` on what the path names
# ---------------------------------------------------------------------------

ENV = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}


def _tune(tmp_path: Path, profile: Path | str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hostlib", "tune", "--quick", "-q", "--entries", "sdot",
                           "--profile", str(profile), *extra], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=120)


def test_tune_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    r = _tune(tmp_path, fifo)
    assert r.returncode == 1
    assert "not saved" in r.stdout and "is a FIFO, not a regular file: refusing to replace it" in r.stdout
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="making a device node needs root")
def test_tune_never_replaces_a_device_node_even_through_a_symlink(tmp_path):
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a twin of /dev/null
    link = tmp_path / "profile.json"
    link.symlink_to(node)
    for path in (node, link):
        r = _tune(tmp_path, path)
        assert r.returncode == 1 and "is a character device" in r.stdout, r.stdout + r.stderr
        assert stat.S_ISCHR(os.lstat(node).st_mode)
    assert link.is_symlink() and os.readlink(link) == str(node)


def test_tune_writes_through_a_symlink_and_keeps_the_mode(tmp_path):
    real = tmp_path / "real" / "profile.json"
    real.parent.mkdir()
    real.write_text("{}")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    r = _tune(tmp_path, link)
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert "sdot" in _profile.parse(json.loads(real.read_text())).entries
    assert sorted(os.listdir(real.parent)) == ["profile.json", "profile.json.lock"]


def test_a_new_profile_gets_the_umask_mode(tmp_path):
    path = tmp_path / "new.json"
    old = os.umask(0o022)
    try:
        _profile.save(str(path), _profile.parse(_profile_dict()))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


SAVE_FAILS = """
import json, sys, warnings
import hostlib
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    res = hostlib.tune(quick=True, entries=["sdot"], path=sys.argv[1])
print(json.dumps({"save_error": res.save_error, "path": res.path,
                  "choice": hostlib.runtime_info()["entries_detail"]["sdot"]["choice"],
                  "warnings": [str(w.message) for w in caught]}))
"""


def _save_fails(tmp_path: Path, path: Path) -> dict:
    r = subprocess.run([sys.executable, "-c", SAVE_FAILS, str(path)], cwd=tmp_path, env=ENV, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_failure_to_save_keeps_and_applies_the_measurement(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    out = _save_fails(tmp_path, blocker / "profile.json")  # its folder cannot exist
    assert out["path"] is None and out["save_error"].startswith(f"could not save the profile {blocker}")
    assert out["choice"] == "measured"
    assert len(out["warnings"]) == 1 and "applies to this process only" in out["warnings"][0]
    r = _tune(tmp_path, blocker / "profile.json")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "profile: not saved, the measurement applies to this process only: could not save" in r.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_folder_keeps_the_measurement(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = _save_fails(tmp_path, folder / "profile.json")
    finally:
        folder.chmod(0o755)
    assert out["save_error"] and "Permission denied" in out["save_error"] and out["choice"] == "measured"
