"""hostlib's CPU feature detection and the HOSTLIB_DISABLE_FEATURES rules."""

from __future__ import annotations

import json
import os
import platform

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostlib import _features
from hostlib._host import cpu as _cpu
from hostlib._host import _cpuid

NAMES = _cpu.FEATURE_NAMES
ALL = frozenset(NAMES)
AVX512 = frozenset(n for n in NAMES if n.startswith("AVX512"))
SSE_CHAIN = frozenset({"SSE", "SSE2", "SSE3", "SSSE3", "SSE41", "POPCNT", "SSE42"})

IS_X86 = platform.machine().lower() in {"x86_64", "amd64", "i386", "i486", "i586", "i686", "x86"}
IS_X86_64 = platform.machine().lower() in {"x86_64", "amd64"}
IS_AARCH64 = platform.machine().lower() in {"aarch64", "arm64"}
x86_only = pytest.mark.skipif(not IS_X86, reason="x86 only")
ARM = frozenset({"ASIMD", "FPHP", "ASIMDHP", "ASIMDDP", "ASIMDFHM", "SVE", "SVE2"})


def bit(value: int, n: int) -> bool:
    return bool((value >> n) & 1)


# ---------------------------------------------------------------------------
# the name list
# ---------------------------------------------------------------------------


def test_feature_names_come_from_spec() -> None:
    assert NAMES == tuple(name for name, _bit, _imp in _features.FEATURES)
    assert _cpu.FEATURE_BITS == {name: b for name, b, _imp in _features.FEATURES}


def test_extension_knows_exactly_the_spec_names() -> None:
    # the C tables (x86, then aarch64) and the spec must not drift apart
    known = _cpuid.known_features()
    assert sorted(known) == sorted(NAMES) and len(known) == len(NAMES)
    assert [n for n in known if n in ARM] == [n for n in NAMES if n in ARM]
    assert [n for n in known if n not in ARM] == [n for n in NAMES if n not in ARM]


# ---------------------------------------------------------------------------
# raw detection
# ---------------------------------------------------------------------------


def test_detect_shape() -> None:
    arch, feats = _cpuid.detect()
    assert isinstance(arch, str) and arch
    assert isinstance(feats, tuple)
    assert set(feats) <= ALL
    assert len(set(feats)) == len(feats)
    assert list(feats) == [n for n in NAMES if n in feats]  # spec order
    assert _cpuid.detect() == (arch, feats)  # deterministic


@pytest.mark.skipif(IS_X86 or IS_AARCH64, reason="neither x86 nor aarch64 only")
def test_other_architectures_report_no_features() -> None:
    arch, feats = _cpuid.detect()
    assert feats == ()
    with pytest.raises(OSError):
        _cpuid.raw_cpuid(0, 0)


@pytest.mark.skipif(IS_AARCH64, reason="not on aarch64")
def test_hwcap_only_on_aarch64() -> None:
    with pytest.raises(OSError, match="AT_HWCAP"):
        _cpuid.raw_hwcap()
    if IS_X86:
        assert not set(_cpuid.detect()[1]) & ARM


@pytest.mark.skipif(not IS_AARCH64, reason="aarch64 only")
def test_aarch64_detection_is_the_hwcap_bits() -> None:
    arch, feats = _cpuid.detect()
    assert arch == "aarch64" and "ASIMD" in feats and not set(feats) - ARM
    with pytest.raises(OSError):
        _cpuid.raw_cpuid(0, 0)
    if platform.system() == "Linux":
        hwcap, hwcap2 = _cpuid.raw_hwcap()
        # arch/arm64/include/uapi/asm/hwcap.h
        bits = {"ASIMD": (hwcap, 1), "FPHP": (hwcap, 9), "ASIMDHP": (hwcap, 10), "ASIMDDP": (hwcap, 20),
                "SVE": (hwcap, 22), "ASIMDFHM": (hwcap, 23), "SVE2": (hwcap2, 1)}
        assert set(feats) == {n for n, (word, b) in bits.items() if bit(word, b)}


def test_arm_identity_from_cpuinfo() -> None:
    one = "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\nCPU architecture: 8\n" \
          "CPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n\n"
    assert _cpu._arm_midr(one * 2) == {"implementer": 0x41, "part": 0xD0C, "variant": 3, "revision": 1}
    little = one.replace("0xd0c", "0xd05").replace("0x3", "0x2")
    big_little = _cpu._arm_midr(one + little)
    assert big_little is not None and big_little["part"] == 0xD0C
    assert big_little["cores"] == ["0x41:0xd0c:3:1", "0x41:0xd05:2:1"]
    assert _cpu._arm_midr("processor : 0\nvendor_id : GenuineIntel\n") is None


@pytest.mark.skipif(not IS_X86_64, reason="x86-64 only")
def test_x86_64_baseline() -> None:
    arch, feats = _cpuid.detect()
    assert arch == "x86_64"
    # SSE and SSE2 are part of the x86-64 baseline
    assert {"SSE", "SSE2"} <= set(feats)


@x86_only
def test_detected_features_are_consistent() -> None:
    feats = set(_cpuid.detect()[1])
    # relations every real CPU satisfies (unlike e.g. POPCNT => SSE41)
    if "AVX512F" in feats:
        assert {"AVX2", "FMA3", "AVX", "SSE42"} <= feats
    if feats & (AVX512 - {"AVX512F"}):
        assert "AVX512F" in feats
    if feats & {"AVX2", "FMA3", "F16C"}:
        assert "AVX" in feats


@x86_only
def test_detect_agrees_with_raw_cpuid() -> None:
    max_leaf, *vendor = _cpuid.raw_cpuid(0)
    assert max_leaf >= 1
    _, _, ecx1, edx1 = _cpuid.raw_cpuid(1, 0)
    feats = set(_cpuid.detect()[1])
    assert ("SSE" in feats) == bit(edx1, 25)
    assert ("SSE2" in feats) == bit(edx1, 26)
    assert ("SSE3" in feats) == bit(ecx1, 0)
    if "AVX" in feats:
        assert bit(ecx1, 27) and bit(ecx1, 28)  # OSXSAVE, AVX
    if max_leaf >= 7:
        eax7, ebx7, _, _ = _cpuid.raw_cpuid(7, 0)
        if "AVX2" in feats:
            assert bit(ebx7, 5)
        if "AVX512F" in feats:
            assert bit(ebx7, 16)
        if "AVX512BF16" in feats:
            assert eax7 >= 1 and bit(_cpuid.raw_cpuid(7, 1)[0], 5)
    else:
        assert not feats & ({"AVX2"} | AVX512)


@x86_only
def test_raw_cpuid_arguments() -> None:
    assert _cpuid.raw_cpuid(0) == _cpuid.raw_cpuid(0, 0)
    assert all(0 <= r < 2**32 for r in _cpuid.raw_cpuid(1))
    with pytest.raises(OverflowError):
        _cpuid.raw_cpuid(-1)
    with pytest.raises(OverflowError):
        _cpuid.raw_cpuid(2**32)
    with pytest.raises(TypeError):
        _cpuid.raw_cpuid("1")


def _numpy_cpu_features() -> dict[str, bool]:
    np = pytest.importorskip("numpy")
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except ImportError:
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except ImportError:
            pytest.skip(f"numpy {np.__version__} has no __cpu_features__")
    return dict(feats)


@pytest.mark.skipif(
    bool(os.environ.get("NPY_DISABLE_CPU_FEATURES") or os.environ.get("NPY_ENABLE_CPU_FEATURES")),
    reason="numpy's own feature mask is set; its report is not the hardware's",
)
def test_detect_agrees_with_numpy() -> None:
    """numpy's runtime detection is the independent reference."""
    reference = _numpy_cpu_features()
    feats = set(_cpuid.detect()[1])
    common = [n for n in NAMES if n in reference]
    if IS_X86:
        assert {"SSE2", "AVX", "AVX2", "FMA3", "AVX512F"} <= set(common)
    mismatches = {n: (n in feats, reference[n]) for n in common if (n in feats) != bool(reference[n])}
    assert mismatches == {}, "hostlib vs numpy (hostlib, numpy): %r" % mismatches


# ---------------------------------------------------------------------------
# closure / dependents
# ---------------------------------------------------------------------------


def test_closure_chains() -> None:
    assert _cpu.closure(["SSE"]) == {"SSE"}
    assert _cpu.closure(["SSE42"]) == SSE_CHAIN
    assert _cpu.closure(["AVX2"]) == SSE_CHAIN | {"AVX", "F16C", "AVX2"}
    assert _cpu.closure(["AVX512F"]) == SSE_CHAIN | {"AVX", "F16C", "FMA3", "AVX2", "AVX512F"}
    assert {"AVX512VL", "AVX512BW", "AVX512F", "FMA3"} <= _cpu.closure(["AVX512VNNI"])
    assert _cpu.closure("AVX2") == _cpu.closure(["AVX2"])  # one name as a str
    assert _cpu.closure(["SVE2"]) == {"SVE2", "SVE", "ASIMDHP", "FPHP", "ASIMD"}
    assert _cpu.closure(["ASIMDDP"]) == {"ASIMDDP", "ASIMD"}


def test_masking_asimd_masks_every_arm_feature() -> None:
    info = _cpu.make_cpu_info("aarch64", ARM, "neon")
    assert info.requested_mask == {"ASIMD"} and info.masked == ARM and info.available == frozenset()
    info = _cpu.make_cpu_info("aarch64", ARM, "SVE")
    assert info.available == {"ASIMD", "FPHP", "ASIMDHP", "ASIMDDP", "ASIMDFHM"}
    assert _cpu.closure([]) == frozenset()


def test_dependents_chains() -> None:
    assert _cpu.dependents(["SSE"]) == ALL - ARM
    assert _cpu.dependents(["ASIMD"]) == ARM
    assert {_cpu.FEATURE_ARCH[n] for n in ARM} == {"aarch64"}
    assert {_cpu.FEATURE_ARCH[n] for n in ALL - ARM} == {"x86"}
    avx = _cpu.dependents(["AVX"])
    assert avx == {"AVX", "F16C", "FMA3", "AVX2"} | AVX512
    assert _cpu.dependents(["FMA3"]) == {"FMA3"} | AVX512
    assert _cpu.dependents(["AVX2"]) == {"AVX2"} | AVX512
    bw = _cpu.dependents(["AVX512BW"])
    assert {"AVX512VNNI", "AVX512VBMI", "AVX512VBMI2", "AVX512BITALG", "AVX512FP16", "AVX512BF16"} <= bw
    assert not bw & {"AVX512F", "AVX512CD", "AVX512DQ", "AVX512VL", "AVX512IFMA", "AVX512VPOPCNTDQ"}
    assert _cpu.dependents(["AVX512BF16"]) == {"AVX512BF16"}


def test_closure_and_dependents_are_converse() -> None:
    for a in NAMES:
        for b in NAMES:
            assert (a in _cpu.closure([b])) == (b in _cpu.dependents([a]))


@given(st.sets(st.sampled_from(NAMES)))
def test_closure_properties(names: set[str]) -> None:
    c = _cpu.closure(names)
    assert names <= c
    assert _cpu.closure(c) == c
    d = _cpu.dependents(names)
    assert names <= d
    assert _cpu.dependents(d) == d
    # a closure is closed under implies; a dependents set under implied-by
    for name, _bit, implies in _features.FEATURES:
        if name in c:
            assert set(implies) <= c
        if set(implies) & d:
            assert name in d


def test_closure_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="AVX3"):
        _cpu.closure(["AVX3"])
    with pytest.raises(ValueError):
        _cpu.dependents(["avx2"])  # canonical spelling only here


def test_bits_round_trip() -> None:
    assert _cpu.features_to_bits(["SSE", "SSE2"]) == 0b11
    for name in NAMES:
        assert _cpu.bits_to_features(_cpu.features_to_bits([name])) == {name}
    assert _cpu.bits_to_features(_cpu.features_to_bits(NAMES)) == ALL


# ---------------------------------------------------------------------------
# parser
# ---------------------------------------------------------------------------

SRC = "HOSTLIB_DISABLE_FEATURES"
SPELLINGS: dict[str, list[str]] = {n: [n] for n in NAMES}
for alias, canonical in _cpu.ALIASES.items():
    SPELLINGS[canonical].append(alias)


@st.composite
def spelled_list(draw: st.DrawFn) -> tuple[str, frozenset[str]]:
    """A random list of valid spellings, with random case and separators."""
    chosen = draw(st.lists(st.sampled_from(NAMES), max_size=12))
    items = []
    for name in chosen:
        spelling = draw(st.sampled_from(SPELLINGS[name]))
        flips = draw(st.lists(st.booleans(), min_size=len(spelling), max_size=len(spelling)))
        items.append("".join(c.lower() if f else c for c, f in zip(spelling, flips)))
    sep = st.sampled_from([",", " ", "\t", "\n", ", ", " , ", ",,", "  ", "\r\n", ",\t,"])
    ws = st.sampled_from(["", " ", "\t", ",", " ,", "\n "])
    text = draw(ws)
    for i, item in enumerate(items):
        if i:
            text += draw(sep)
        text += item
    text += draw(ws)
    return text, frozenset(chosen)


@given(spelled_list())
def test_parse_round_trip(case: tuple[str, frozenset[str]]) -> None:
    text, expected = case
    assert _cpu.parse_feature_list(text, source=SRC) == expected


@given(st.sets(st.sampled_from(NAMES)), st.sampled_from([",", " ", ", "]))
def test_parse_canonical_join(names: set[str], sep: str) -> None:
    assert _cpu.parse_feature_list(sep.join(sorted(names)), source=SRC) == names


def _is_valid_spelling(item: str) -> bool:
    key = item.upper()
    return _cpu.ALIASES.get(key, key) in ALL


bad_item = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters=",") | st.sampled_from("AVX512SE."),
    min_size=1,
    max_size=10,
).map(str.strip).filter(lambda s: s and not any(c.isspace() for c in s) and not _is_valid_spelling(s))


@given(st.lists(st.sampled_from(NAMES), max_size=4), bad_item, st.integers(0, 4))
def test_parse_unknown_name_raises(good: list[str], bad: str, pos: int) -> None:
    items = list(good)
    items.insert(min(pos, len(items)), bad)
    with pytest.raises(ValueError) as err:
        _cpu.parse_feature_list(",".join(items), source=SRC)
    msg = str(err.value)
    assert SRC in msg
    assert repr(bad) in msg
    for name in NAMES:
        assert name in msg


@given(st.text(max_size=30))
def test_parse_any_text_is_names_or_value_error(text: str) -> None:
    try:
        result = _cpu.parse_feature_list(text, source=SRC)
    except ValueError as err:
        assert SRC in str(err)
    else:
        assert result <= ALL


@pytest.mark.parametrize("text", ["", " ", ",", " , ,\t\n", ",,,"])
def test_parse_empty(text: str) -> None:
    assert _cpu.parse_feature_list(text, source=SRC) == frozenset()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("AVX2,FMA3", {"AVX2", "FMA3"}),
        ("avx512f avx2", {"AVX512F", "AVX2"}),
        ("  Sse4.1 ,sse4_2\t", {"SSE41", "SSE42"}),
        ("SSE4_1,SSE41", {"SSE41"}),
        ("fma", {"FMA3"}),
        ("AVX2,,FMA3 ", {"AVX2", "FMA3"}),
    ],
)
def test_parse_examples(text: str, expected: set[str]) -> None:
    assert _cpu.parse_feature_list(text, source=SRC) == expected


@pytest.mark.parametrize(
    "text, bad",
    [
        ("AVX2;FMA3", "AVX2;FMA3"),  # ';' is not a separator
        ("FMA4", "FMA4"),
        ("SSE4", "SSE4"),
        ("sse4-1", "sse4-1"),  # only the listed aliases
        ("AVX-512F", "AVX-512F"),
        ("\u017fse2", "\u017fse2"),  # LONG S upper-cases to 'S'; still not a name
        ("AVX2, avx3", "avx3"),
    ],
)
def test_parse_rejects(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match="valid names are") as err:
        _cpu.parse_feature_list(text, source="somewhere")
    assert str(err.value).startswith("somewhere:")
    assert repr(bad) in str(err.value)


def test_parse_reports_every_bad_item_once() -> None:
    with pytest.raises(ValueError) as err:
        _cpu.parse_feature_list("foo AVX2 bar foo", source=SRC)
    msg = str(err.value)
    assert "'foo'" in msg and "'bar'" in msg
    assert msg.count("'foo'") == 1


# ---------------------------------------------------------------------------
# masking
# ---------------------------------------------------------------------------


def imagined(detected: frozenset[str] | set[str] = ALL - ARM, disable: str = "") -> _cpu.CpuInfo:
    return _cpu.make_cpu_info("x86_64", detected, disable, source=SRC)


def test_no_mask() -> None:
    info = imagined()
    assert info.available == ALL - ARM
    assert info.masked == info.requested_mask == frozenset()


def test_mask_avx() -> None:
    info = imagined(disable="AVX")
    assert info.requested_mask == {"AVX"}
    assert info.masked == {"AVX", "F16C", "FMA3", "AVX2"} | AVX512
    assert info.available == SSE_CHAIN


def test_mask_sse2_leaves_only_sse() -> None:
    info = imagined(disable="sse2")
    assert info.available == {"SSE"}
    assert info.masked == ALL - ARM - {"SSE"}


def test_mask_fma_alias() -> None:
    info = imagined(disable="fma")
    assert info.requested_mask == {"FMA3"}
    assert "AVX2" in info.available
    assert not info.available & ({"FMA3"} | AVX512)
    assert info.has("AVX2")
    assert not info.has("AVX512F")
    assert info.missing(["AVX512F"]) == ["FMA3", "AVX512F"]
    assert info.missing("AVX2") == []


def test_mask_of_absent_feature_is_a_no_op() -> None:
    info = imagined(SSE_CHAIN, disable="AVX512F")
    assert info.requested_mask == {"AVX512F"}
    assert info.available == SSE_CHAIN


def test_feature_without_its_prerequisites_is_unavailable() -> None:
    # a CPU (or hypervisor) that reports AVX2 without AVX
    info = imagined(SSE_CHAIN | {"AVX2", "F16C"})
    assert info.detected == SSE_CHAIN | {"AVX2", "F16C"}
    assert info.available == SSE_CHAIN
    assert not info.has("AVX2")
    assert info.missing(["AVX2"]) == ["AVX", "F16C", "AVX2"]


@given(st.sets(st.sampled_from(NAMES)), st.sets(st.sampled_from(NAMES)))
def test_masking_invariants(detected: set[str], mask: set[str]) -> None:
    info = imagined(frozenset(detected), " ".join(mask))
    assert info.requested_mask == mask
    assert info.masked == _cpu.dependents(mask)
    assert info.available <= info.detected - info.masked
    for name in info.available:  # closed under implies
        assert _cpu.closure([name]) <= info.available
        assert info.has(name)
    # maximal: every detected, unmasked feature whose closure is too is kept
    for name in detected - info.masked:
        if _cpu.closure([name]) <= detected - info.masked:
            assert name in info.available


def test_has_and_missing_validate_names() -> None:
    info = imagined()
    assert info.has()
    with pytest.raises(ValueError):
        info.has("NEON")
    with pytest.raises(ValueError):
        info.missing(["avx2"])


def test_to_dict_is_json_in_spec_order() -> None:
    info = imagined(disable="AVX512F, fma")
    d = json.loads(json.dumps(info.to_dict()))
    assert d["arch"] == "x86_64"
    assert d["requested_mask"] == ["FMA3", "AVX512F"]
    for key in ("detected", "masked", "requested_mask", "available"):
        assert d[key] == [n for n in NAMES if n in getattr(info, key)]
    assert info.available_bits == _cpu.features_to_bits(info.available)


# ---------------------------------------------------------------------------
# cpu_info(): real detection + environment
# ---------------------------------------------------------------------------


def test_cpu_info_without_mask(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_cpu.ENV_DISABLE, raising=False)
    info = _cpu.cpu_info()
    arch, raw = _cpuid.detect()
    assert info.detected == frozenset(raw)
    assert info.requested_mask == info.masked == frozenset()
    assert info.available <= info.detected
    if arch != "unknown":
        assert info.arch == arch
    if IS_X86_64:
        assert {"SSE", "SSE2"} <= info.available


def test_cpu_info_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_cpu.ENV_DISABLE, "avx2, sse4.2")
    info = _cpu.cpu_info()
    assert info.requested_mask == {"AVX2", "SSE42"}
    assert not info.available & _cpu.dependents(["SSE42"])
    monkeypatch.setenv(_cpu.ENV_DISABLE, "AVX2,NOPE")
    with pytest.raises(ValueError, match="HOSTLIB_DISABLE_FEATURES.*'NOPE'"):
        _cpu.cpu_info()


def test_cpu_info_argument_overrides_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(_cpu.ENV_DISABLE, "SSE")
    assert _cpu.cpu_info("").requested_mask == frozenset()
    assert _cpu.cpu_info("AVX").requested_mask == {"AVX"}
    with pytest.raises(ValueError, match="^disable:"):
        _cpu.cpu_info("bogus")
    with pytest.raises(ValueError, match="^--disable:"):
        _cpu.cpu_info("bogus", source="--disable")


@x86_only
def test_cpu_info_mask_on_this_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(_cpu.ENV_DISABLE, raising=False)
    full = _cpu.cpu_info()
    info = _cpu.cpu_info("SSE2")
    assert info.available == (full.available & {"SSE"})
    info = _cpu.cpu_info("AVX")
    assert info.available == full.available - _cpu.dependents(["AVX"])


def test_detection_runs_once() -> None:
    assert _cpu._detect() is _cpu._detect()
