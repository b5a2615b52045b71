"""Fuzzing the spec parser: whatever a spec file holds, the generator
either accepts it, and then writes its files (and nothing else) inside the
output folder, or stops with a one-line SpecError that names the spec. It
never crashes with another exception, hangs, or writes elsewhere.
"""

from __future__ import annotations

import ast
import copy
import datetime
import os
import re
import sys
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostlib import generate as G

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from test_generate import DEMO, MAP_ENTRY

BASE = tomllib.loads(DEMO + MAP_ENTRY)
SPEC = "fuzz/demo.toml"

#: pieces of text that reach C, Cython and Python: the fuzzer glues them
#: together as well as drawing arbitrary text
PIECES = ["*/", "/*", '"', "'", "\\", "\n", "#", ";", "{", "}", "(", ")", ",", " ", "*", "const", "int", "double",
          "void", "header", "demo_", "DEMO_", "demo_window", "_x", "__", "../", "x", "{T}", "{p}", "{c}", "True",
          "ptrdiff_t", "retired_1", "clip2", "\u2028", "\x00"]
texts = st.text(max_size=30) | st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
scalars = (st.booleans() | st.integers() | st.integers(min_value=-5, max_value=70_000) | st.floats() | texts
           | st.dates() | st.datetimes() | st.times())
toml_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(texts, inner, max_size=4), max_leaves=12)

SAME_TYPE = {str: texts, int: st.integers(min_value=-5, max_value=70_000), bool: st.booleans()}


def _paths(value, prefix=()):
    """Every place in a parsed spec: keys of tables, items of lists."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]


@st.composite
def mutated_specs(draw):
    """The demo spec with a few places replaced, removed or added to."""
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        parent = data
        for key in path[:-1]:
            try:
                parent = parent[key]
            except (KeyError, IndexError, TypeError):
                break
        else:
            op = draw(st.sampled_from(["same type", "same type", "set", "delete", "add"]))
            last = path[-1]
            try:
                if op == "same type":  # mostly valid: docs, names, numbers of another value
                    kind = type(parent[last])
                    parent[last] = draw(SAME_TYPE[kind]) if kind in SAME_TYPE else draw(toml_values)
                elif op == "set":
                    parent[last] = draw(toml_values)
                elif op == "delete":
                    del parent[last]
                elif isinstance(parent, dict):
                    parent[draw(texts)] = draw(toml_values)
                elif isinstance(parent, list):
                    parent.append(draw(toml_values))
            except (KeyError, IndexError, TypeError):
                pass
    return data


def _check(data) -> None:
    try:
        iface = G.parse_interface(data, SPEC)
    except G.SpecError as exc:
        message = str(exc)
        assert message.startswith(SPEC) and "\n" not in message, message
        return
    _generate(iface)


def _generate(iface: G.Interface) -> None:
    """A spec that passed: every file lands in the folder, the lock works,
    comments stay comments, the description is Python that reads back."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        G.update_lock(iface, os.path.join(tmp, "spec.abi"))
        G.check_lock(iface, os.path.join(tmp, "spec.abi"))
        paths = G.write_interface(iface, out)
        assert sorted(os.listdir(tmp)) == ["out", "spec.abi"]
        assert sorted(os.listdir(out)) == sorted(os.path.basename(p) for p in paths) and len(paths) == 6
        for path in paths:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            if path.endswith(".h"):
                code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
                assert "/*" not in code and "*/" not in code, path
            elif path.endswith(".py"):
                ns: dict = {}
                exec(compile(ast.parse(text), path, "exec"), ns)
                assert [e["name"] for e in ns["INTERFACE"]["entries"]] == [e.name for e in iface.entries]
            else:  # the .pxd: comments are whole lines, nothing else starts a line
                assert all(not line or line.startswith(("#", " ", "from ", "cdef ")) for line in text.splitlines())


FUZZ = settings(max_examples=400, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(mutated_specs())
def test_a_mutated_spec_is_accepted_or_a_one_line_error(data):
    _check(data)


@FUZZ
@given(st.dictionaries(st.sampled_from(sorted(G._TOP_KEYS) + ["other"]), toml_values, max_size=5))
def test_an_arbitrary_table_is_accepted_or_a_one_line_error(data):
    _check(data)


@settings(max_examples=200, deadline=2000)
@given(st.binary(max_size=400) | texts.map(str.encode) | st.just(DEMO.encode()).map(lambda b: b[: len(b) // 2]))
def test_arbitrary_bytes_are_accepted_or_a_one_line_error(data):
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, "spec.toml")
        with open(spec, "wb") as fh:
            fh.write(data)
        try:
            G.load_interface(spec)
        except G.SpecError as exc:
            assert str(exc).startswith(spec) and "\n" not in str(exc)


@given(st.text())
def test_a_doc_cannot_end_its_comment(text):
    safe = G._c_comment(text)
    assert "*/" not in safe and "/*" not in safe


@pytest.mark.parametrize("when", [datetime.date(2020, 1, 1), float("inf"), float("nan"), True])
def test_values_the_description_could_not_hold_are_rejected(when):
    data = copy.deepcopy(BASE)
    data["entry"][-1]["bench"] = {"alpha": when}
    with pytest.raises(G.SpecError, match="bench.alpha must be a finite number"):
        G.parse_interface(data, SPEC)


@FUZZ
@given(st.lists(texts, min_size=5, max_size=5))
def test_any_doc_is_written_safely_or_refused(docs):
    """Docs go into C comments and the description: any one line of text
    is written so that it stays there; anything else is refused."""
    data = copy.deepcopy(BASE)
    data["interface"]["doc"], data["types"]["demo_window"]["doc"] = docs[:2]
    for entry, doc in zip(data["entry"], docs[2:]):
        entry["doc"] = doc
    if all(doc.isprintable() for doc in docs):
        _generate(G.parse_interface(data, SPEC))
    else:
        with pytest.raises(G.SpecError, match="doc must be one line"):
            G.parse_interface(data, SPEC)
