"""Size classes: the backend serving an entry may depend on the size of the call.

``hostlib tune`` measures every entry at several sizes; where another
backend beats the overall winner by more than 5% at some sizes, it serves
those sizes (hostlib._host.profile.size_classes). The host puts the classes
in the composed table and the split wrappers choose between them per call
(interface/composed.h). These tests check the derivation from times, the
profile format, the host's composition and the wrappers' choice in C.
"""

from __future__ import annotations

import ctypes
import io
import json
import math

import numpy as np
import pytest

import hostlib
from hostlib._host import _core, registry
from hostlib._host import profile as _profile
from hostlib._pool import _threads

from _capsules import CraftedTable, kernels_interface, portable_slots


def cand(*times: float) -> _profile.Candidate:
    return _profile.Candidate({"version": "1", "file": None}, tuple(times))


# ------------------------------------------------------------ derivation


def test_one_backend_fastest_everywhere_is_one_class():
    c = {"a": cand(1.0, 10.0, 100.0), "b": cand(2.0, 20.0, 200.0)}
    assert _profile.size_classes((1000, 100_000, 1_000_000), c, "a") == ((0, "a"),)


def test_a_backend_faster_at_large_sizes_serves_them_from_the_crossing():
    # b is 2x slower at 1e3 and 2x faster at 1e5: log(ta/tb) goes from
    # -log 2 to +log 2, so the crossing is at the geometric middle, 1e4
    c = {"a": cand(1.0, 200.0), "b": cand(2.0, 100.0)}
    classes = _profile.size_classes((1000, 100_000), c, "a")
    assert classes == ((0, "a"), (10_000, "b"))


def test_the_crossing_is_interpolated_not_halved():
    # b: 1.25x slower at 1e3, 4x faster at 1e5 -> crossing at 10^(3 + 2 * log 1.25 / log 5)
    c = {"a": cand(1.0, 400.0), "b": cand(1.25, 100.0)}
    (_, _), (start, name) = _profile.size_classes((1000, 100_000), c, "a")
    assert name == "b"
    assert start == round(10 ** (3 + 2 * math.log(1.25) / math.log(5)))


def test_gains_within_the_switch_margin_do_not_make_a_class():
    c = {"a": cand(1.0, 104.0), "b": cand(2.0, 100.0)}  # b 4% faster at the large size
    assert _profile.size_classes((1000, 100_000), c, "a") == ((0, "a"),)


def test_sizes_in_any_order_and_three_classes():
    c = {"a": cand(500.0, 1.0, 50.0), "b": cand(100.0, 2.0, 100.0)}  # sizes listed 1e6, 1e3, 1e5
    classes = _profile.size_classes((1_000_000, 1000, 100_000), c, "a")
    assert [n for _, n in classes] == ["a", "b"]
    assert 100_000 < classes[1][0] < 1_000_000
    c = {"a": cand(1.0, 200.0, 1000.0), "b": cand(2.0, 100.0, 2000.0)}
    assert [n for _, n in _profile.size_classes((1000, 100_000, 1_000_000), c, "a")] == ["a", "b", "a"]


def test_excluded_candidates_never_serve():
    c = {"a": cand(1.0, 100.0), "bad": _profile.Candidate({"version": "1", "file": None}, None, "wrong")}
    assert _profile.size_classes((1000, 100_000), c, "a") == ((0, "a"),)


# ---------------------------------------------------------------- format


def _record_dict(classes):
    rec = _profile.EntryRecord("a", (1000, 100_000), {"a": cand(1.0, 200.0), "b": cand(2.0, 100.0)})
    d = rec.to_dict()
    if classes is not None:
        d["classes"] = classes
    return d


def test_classes_round_trip_through_the_file_format():
    rec = _profile._record(_record_dict(None))
    assert rec.classes == ((0, "a"), (10_000, "b"))  # derived: a profile from before size classes
    assert _profile._record(json.loads(json.dumps(rec.to_dict()))).classes == rec.classes
    assert _profile._record(_record_dict([[0, "b"]])).classes == ((0, "b"),)  # as stored, not re-derived


@pytest.mark.parametrize("classes, message", [
    ([], "classes is not a list"),
    ([[5, "a"]], "start at size 0"),
    ([[0, "a"], [0, "b"]], "increasing"),
    ([[0, "a"], [10, "zzz"]], "not a timed candidate"),
    ([[0, "a"], [-1, "b"]], "size"),
    ([[0, "a"], [1.5, "b"]], "whole number"),
    ([[0, "a"], [10, "b"], [20, "a"], [30, "b"], [40, "a"]], "classes is not a list of 1 to 4"),
    ([[0, "a", "extra"]], "not [from_size, backend]"),
    ("a", "classes is not a list"),
])
def test_malformed_classes_are_refused_with_the_reason(classes, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        _profile._record(_record_dict(classes))


# ------------------------------------------------------ the host and C


@pytest.fixture
def host():
    h = registry.host()
    saved = (h.measured, h.unmeasured, h.profile_state, h.excluded)
    yield h
    with h._lock:
        h.measured, h.unmeasured, h.profile_state, h.excluded = saved
        h.reselect()


def _serve(h, entry: str, classes: tuple[tuple[int, str], ...]) -> None:
    """Make ``h`` serve ``entry`` by these classes, as a profile would."""
    ident = h.identities()
    cands = {n: _profile.Candidate(ident[n], (1.0, 1.0)) for n in h.competing()[entry]}
    rec = _profile.EntryRecord(classes[0][1], (10, 20), cands, classes)
    profile = _profile.Profile(h.profile_key(), {entry: rec}, "", hostlib.__version__, ())
    h.apply_profile(profile)


def _two_simd_backends(h, entry: str) -> tuple[str, str]:
    names = [n for n in h.competing().get(entry, []) if n not in ("portable", "openblas")]
    if len(names) < 2:
        pytest.skip(f"fewer than two SIMD backends provide {entry} here")
    return names[0], names[1]


@pytest.mark.parametrize("entry, small, large", [("ddot", 100, 10**6), ("sexp", 1, 5000), ("dgemm", 32, 128)])
def test_the_wrapper_serves_each_size_from_its_class(host, entry, small, large):
    first, second = _two_simd_backends(host, entry)
    bound = 64 if entry == "dgemm" else 4096
    _serve(host, entry, ((0, first), (bound, second)))
    assert host.size_classes[entry] == ((0, first), (bound, second))
    assert host.choice(entry)["classes"] == [[0, first], [bound, second]]
    assert host.serving_address(entry, small) == (host.slot_address(first, entry), True)
    assert host.serving_address(entry, bound - 1)[0] == host.slot_address(first, entry)
    assert host.serving_address(entry, bound)[0] == host.slot_address(second, entry)
    assert host.serving_address(entry, large) == (host.slot_address(second, entry), True)
    assert entry in host.split
    # still right, on both sides of the bound
    kind = entry[1:]
    rng = np.random.default_rng(0)
    for n in (small, large):
        if kind == "gemm":
            a, b = rng.standard_normal((n, n)), rng.standard_normal((n, n))
            np.testing.assert_allclose(hostlib.gemm(a, b), a @ b, rtol=1e-10, atol=1e-10 * n)
        elif kind == "dot":
            x = rng.standard_normal(n)
            np.testing.assert_allclose(hostlib.dot(x, x), x @ x, rtol=1e-12)
        else:
            x = rng.uniform(-5, 5, n).astype(np.float32)
            np.testing.assert_allclose(hostlib.exp(x), np.exp(x), rtol=2e-7)


def test_a_class_served_by_a_backend_that_threads_itself_is_not_split(host):
    if "openblas" not in host.competing().get("ddot", []):
        pytest.skip("the OpenBLAS backend is not installed")
    first = next(n for n in host.competing()["ddot"] if n not in ("openblas", "portable"))
    _serve(host, "ddot", ((0, first), (50_000, "openblas")))
    assert host.serving_address("ddot", 1000) == (host.slot_address(first, "ddot"), True)
    assert host.serving_address("ddot", 10**6) == (host.slot_address("openblas", "ddot"), False)
    x = np.linspace(0, 1, 10**6)
    np.testing.assert_allclose(hostlib.dot(x, x), x @ x, rtol=1e-12)


def test_forced_selection_and_reproducible_mode_serve_one_backend_for_all_sizes(host):
    first, second = _two_simd_backends(host, "ddot")
    _serve(host, "ddot", ((0, first), (4096, second)))
    with hostlib.using(second):
        assert host.size_classes == {}
        assert host.serving_address("ddot", 10)[0] == host.serving_address("ddot", 10**7)[0]
    assert "ddot" in host.size_classes
    hostlib.set_reproducible(True)
    try:
        assert "ddot" not in host.size_classes
    finally:
        hostlib.set_reproducible(False)
    assert "ddot" in host.size_classes


# A wrapper's choice, observed from C: two crafted tables whose ddot
# returns 1.0 and 2.0, composed with classes under the real split wrappers.
DOT = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t,
                       ctypes.c_void_p, ctypes.c_ssize_t)


def test_the_compiled_wrapper_calls_the_class_of_the_call(host):
    i = kernels_interface()
    slot = i.entries.index("ddot")
    marks = [DOT(lambda *a: 1.0), DOT(lambda *a: 2.0), DOT(lambda *a: 3.0)]
    tables = []
    for mark in marks:
        slots = portable_slots()
        slots[slot] = ctypes.cast(mark, ctypes.c_void_p).value
        tables.append(CraftedTable(slots))
    n = len(i.entries)
    wrapped = tuple(e == "ddot" for e in i.entries)
    above = tuple(((1000.0, tables[1].capsule, False), (20000.0, tables[2].capsule, False)) if e == "ddot" else ()
                  for e in i.entries)
    table = _core.compose(i.provider_capsule, i.magic, i.abi_major, i.abi_minor, "crafted", "0", 0,
                          tuple(t.capsule for t in tables[:1]) * n, _threads._C_API, wrapped, (), above)
    call = DOT(_core.slot_address(table, i.provider_capsule, i.magic, i.abi_major, slot))
    x = (ctypes.c_double * 1)()
    with host._lock:  # nothing else may select while the crafted table is active
        _core.activate(host.api_capsule, table, i.provider_capsule, i.magic)
        try:
            got = {n: call(n, ctypes.addressof(x), 0, ctypes.addressof(x), 0) for n in (0, 999, 1000, 19999, 20000, 10**9)}
        finally:
            host.reselect()
    assert got == {0: 1.0, 999: 1.0, 1000: 2.0, 19999: 2.0, 20000: 3.0, 10**9: 3.0}


@pytest.mark.parametrize("above, message", [
    (((10.0, None, False),), "capsule"),
    (((0.0, "T", False),), "increasing"),
    (((10.0, "T", False), (5.0, "T", False)), "increasing"),
    (((float("inf"), "T", False),), "finite"),
    (((10.0, "T"),), "bound, capsule, split"),
    (tuple(((10.0 * (k + 1), "T", False)) for k in range(4)), "at most 3"),
])
def test_compose_refuses_malformed_classes(above, message):
    i = kernels_interface()
    t = CraftedTable(portable_slots())
    fix = tuple(tuple((b, t.capsule if c == "T" else c, *rest) for b, c, *rest in above))
    n = len(i.entries)
    with pytest.raises((ValueError, TypeError), match=message):
        _core.compose(i.provider_capsule, i.magic, i.abi_major, i.abi_minor, "x", "0", 0, (t.capsule,) * n,
                      _threads._C_API, tuple(e.split != "none" for e in i.info), (), (fix,) + ((),) * (n - 1))


def test_classes_need_a_wrapper():
    i = kernels_interface()
    t = CraftedTable(portable_slots())
    n = len(i.entries)
    with pytest.raises(ValueError, match="no wrapper"):
        _core.compose(i.provider_capsule, i.magic, i.abi_major, i.abi_minor, "x", "0", 0, (t.capsule,) * n,
                      _threads._C_API, (False,) * n, (), (((10.0, t.capsule, True),),) + ((),) * (n - 1))


def test_report_shows_the_classes(host):
    first, second = _two_simd_backends(host, "ddot")
    _serve(host, "ddot", ((0, first), (4096, second)))
    buf = io.StringIO()
    hostlib.show_runtime(file=buf)
    text = buf.getvalue()
    assert f"{first} below 4096, {second} from 4096" in text


def test_automatic_choice_and_bench_follow_the_classes(host):
    from hostlib._measure.bench import format_bench, run_bench

    first, second = _two_simd_backends(host, "ddot")
    _serve(host, "ddot", ((0, first), (4096, second)))
    assert host.automatic("ddot", 100) == first and host.automatic("ddot", 10**5) == second
    with hostlib.using(first):  # forced now; the automatic choice is still the classes'
        assert host.automatic("ddot", 10**5) == second
    res = run_bench(["dot"], [100, 10**5], [], ("f64",), quiet=True, threads=1,
                    timing=dict(min_time=0.0, max_time=0.002, repeat=1))
    assert [r["auto"]["backend"] for r in res["results"]] == [first, second]
    assert all(r["auto"]["vs_fastest"] > 0 for r in res["results"])
    text = format_bench(res)
    assert "auto/fastest" in text and "*" in text
