"""Parsing of backend choices: ``HOSTLIB_BACKEND`` and ``hostlib.use(...)``.

The grammar (hostlib/_host/host.py, ``Host.parse_preference``): names separated by
commas and/or whitespace, empty items ignored, case-insensitive, duplicates
dropped (first occurrence wins), ``auto`` or nothing at all means automatic
selection, ``auto`` cannot be combined with names, and an unknown or
unusable name is a ``BackendError`` (a ``ValueError``) listing the valid
choices. Property-based over the backends of this machine, plus the same
through the environment variable in fresh interpreters.

(``HOSTLIB_DISABLE_FEATURES`` parsing is covered in test_cpu.py.)
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hostlib

HOST = hostlib._kernels_host
USABLE = [b.name for b in hostlib.backends() if b.usable]
UNUSABLE = [b.name for b in hostlib.backends() if not b.usable]
KNOWN = set(HOST.backends) | {"auto"}

SEPARATORS = st.text(alphabet=", \t\n\r\x0b\x0c", min_size=1, max_size=4)
PADDING = st.text(alphabet=", \t\n", max_size=3)


def random_case(draw, name: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    return "".join(c.upper() if f else c for c, f in zip(name, flips))


@st.composite
def spelled(draw, names: list[str]) -> str:
    """``names`` joined by random separators, in random case, padded."""
    parts = [random_case(draw, n) for n in names]
    text = draw(PADDING)
    for i, part in enumerate(parts):
        if i:
            text += draw(SEPARATORS)
        text += part
    return text + draw(PADDING)


usable_lists = st.lists(st.sampled_from(USABLE), min_size=1, max_size=6)
#: names that are no backend here (lowercase identifiers and some junk)
unknown_names = st.one_of(
    st.text(alphabet=string.ascii_lowercase + string.digits + "_-.", min_size=1, max_size=12),
    st.sampled_from(["avx512", "sse", "openblas2", "mkl", "native", "none", "default", "0", "-", "portable2"]),
).filter(lambda n: n.lower() not in KNOWN)

HYPO = settings(max_examples=150, deadline=None)


@HYPO
@given(data=st.data(), names=usable_lists)
def test_usable_names_any_spelling(data, names):
    text = data.draw(spelled(names))
    assert HOST.parse_preference(text, "HOSTLIB_BACKEND") == tuple(dict.fromkeys(names))
    # the same items as separate use() arguments, or one list
    assert HOST.parse_preference([data.draw(spelled([n])) for n in names], "use()") == tuple(dict.fromkeys(names))


@HYPO
@given(text=st.text(alphabet=", \t\n\r\x0b\x0c", max_size=10))
def test_only_separators_means_automatic(text):
    assert HOST.parse_preference(text, "HOSTLIB_BACKEND", empty_is_auto=True) is None
    with pytest.raises(hostlib.BackendError, match="no backend named"):  # use(" , "): a mistake
        HOST.parse_preference(text, "use()")


@HYPO
@given(data=st.data(), copies=st.integers(1, 3))
def test_auto_alone_in_any_spelling_means_automatic(data, copies):
    assert HOST.parse_preference(data.draw(spelled(["auto"] * copies)), "HOSTLIB_BACKEND") is None


@HYPO
@given(data=st.data(), names=usable_lists, at=st.integers(0, 6))
def test_auto_combined_with_names_is_an_error(data, names, at):
    names = names[:at] + ["auto"] + names[at:]
    with pytest.raises(hostlib.BackendError, match="'auto' cannot be combined with other backends; choose from: auto"):
        HOST.parse_preference(data.draw(spelled(names)), "HOSTLIB_BACKEND")


@HYPO
@given(data=st.data(), names=st.lists(st.sampled_from(USABLE), max_size=4), bad=unknown_names, at=st.integers(0, 4))
def test_an_unknown_name_anywhere_is_an_error_naming_it(data, names, bad, at):
    names = names[:at] + [bad] + names[at:]
    text = data.draw(spelled(names))
    items = [n for n in text.replace(",", " ").split() if n]
    with pytest.raises(hostlib.BackendError) as info:
        HOST.parse_preference(text, "HOSTLIB_BACKEND")
    msg = str(info.value)
    assert msg.startswith("HOSTLIB_BACKEND: unknown backend ")
    assert any(f"unknown backend {i.lower()!r}" in msg for i in items)
    assert "choose from: auto, " + ", ".join(b.name for b in HOST.auto_order()) in msg


@pytest.mark.skipif(not UNUSABLE, reason="every discovered backend is usable on this machine")
@HYPO
@given(data=st.data(), name=st.sampled_from(UNUSABLE or ["-"]))
def test_an_unusable_name_is_an_error_with_its_reason(data, name):
    b = HOST.backends[name]
    with pytest.raises(hostlib.BackendError, match=f"backend '{name}' is {b.status}: "):
        HOST.parse_preference(data.draw(spelled([name])), "HOSTLIB_BACKEND")


@HYPO
@given(text=st.text(max_size=30))
def test_any_text_is_a_choice_or_a_backend_error(text):
    """Whatever the variable holds: a valid choice, or a BackendError --
    never another exception."""
    try:
        got = HOST.parse_preference(text, "HOSTLIB_BACKEND")
    except hostlib.BackendError as exc:
        assert str(exc).startswith("HOSTLIB_BACKEND: ")
        assert "choose from: auto" in str(exc)
    else:
        assert got is None or (got and all(HOST.backends[n].usable for n in got))
        assert got is None or len(set(got)) == len(got)


@HYPO
@given(data=st.data(), bad=st.one_of(unknown_names, st.just("auto,portable")))
def test_a_failed_use_changes_nothing(data, bad):
    before = (HOST.preference, hostlib.active(), HOST.table)
    with pytest.raises(hostlib.BackendError):
        hostlib.use(data.draw(spelled(bad.split(","))))
    with pytest.raises(hostlib.BackendError):
        with hostlib.using(bad):
            pass  # pragma: no cover
    assert (HOST.preference, hostlib.active(), HOST.table) == before


def test_preference_order_is_kept():
    if "sse2" not in USABLE:
        pytest.skip("needs the sse2 backend")
    hostlib.use("portable, SSE2")
    # portable first: it serves everything, sse2 is never reached
    assert set(hostlib.active().values()) == {"portable"}
    hostlib.use("sse2 portable sse2")
    assert HOST.preference == ("sse2", "portable")
    assert {hostlib.active()[e] for e in HOST.backends["sse2"].provides} == {"sse2"}


# ------------------------------------------------ the same, from the environment


@pytest.mark.parametrize(
    "value, selection",
    [
        ("", "auto"),
        (" ,\t, ", "auto"),
        ("AUTO", "auto"),
        (" Auto ,", "auto"),
        ("PORTABLE", ["portable"]),
        ("portable,,portable ,PORTABLE", ["portable"]),
        ("sse2 , portable", ["sse2", "portable"]),
        ("\tSsE2\n", ["sse2"]),
    ],
)
def test_environment_values_accepted(run_python, value, selection):
    if "sse2" in value.lower() and "sse2" not in USABLE:
        pytest.skip("needs the sse2 backend")
    r = run_python("import json, hostlib; print(json.dumps(hostlib.runtime_info()['selection']))",
                   env={"HOSTLIB_BACKEND": value})
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == selection


@pytest.mark.parametrize(
    "value, message",
    [
        ("fastest", "unknown backend 'fastest'"),
        ("portable,fastest", "unknown backend 'fastest'"),
        ("auto,portable", "'auto' cannot be combined"),
        ("portable;sse2", "unknown backend 'portable;sse2'"),
        ("port able", "unknown backend 'port'"),
        ("\u00e9t\u00e9", "backend names are ASCII"),
    ],
)
def test_environment_values_rejected(run_python, value, message):
    """Read when the host starts (first use), not at import: import works."""
    r = run_python("import hostlib; print('imported', flush=True); hostlib.active()", env={"HOSTLIB_BACKEND": value})
    assert r.returncode != 0 and r.stdout.strip() == "imported"
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("hostlib.BackendError: HOSTLIB_BACKEND: "), last
    assert message in last
    assert "choose from: auto, " in last and "portable" in last
