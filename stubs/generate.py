#!/usr/bin/env python3
"""Generate hostlib's headers, .pxd files and Python descriptions from spec.py.

Run by meson at build time; nothing it writes is committed.

    generate.py all OUTDIR            every file below, for every interface
    generate.py cflags FEATURE...     compiler flags for a list of features
    generate.py bits FEATURE...       C expression of their feature bits
    generate.py cflags --module F     the same for the FEATURES that a kernel
    generate.py bits --module F       module's metadata file F declares

Files written by ``all``:

    hostlib_features.h          HOSTLIB_CPU_* bits
    hostlib_<iface>_table.h     the table struct (providers include this)
    <stubs_name>.h              call macros + import function (consumers)
    <stubs_name>.pxd            the same for Cython
    _spec.py                    what the host needs to know at run time
"""

from __future__ import annotations

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from spec import FEATURES, INTERFACES, Feature, Interface  # noqa: E402

BANNER = "Generated from stubs/spec.py by stubs/generate.py. Do not edit."


class SpecError(Exception):
    pass


# ---------------------------------------------------------------------------
# checks: the compatibility rules spec.py states
# ---------------------------------------------------------------------------

_C_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_features(features: tuple[Feature, ...]) -> None:
    names = [f.name for f in features]
    bits = [f.bit for f in features]
    for label, values in (("feature name", names), ("feature bit", bits)):
        dup = {v for v in values if values.count(v) > 1}
        if dup:
            raise SpecError(f"duplicate {label}(s): {sorted(dup)}")
    for f in features:
        if not 0 <= f.bit < 64:
            raise SpecError(f"feature {f.name}: bit {f.bit} outside 0..63")
        for dep in f.implies:
            if dep not in names:
                raise SpecError(f"feature {f.name} implies unknown feature {dep}")


def check_interface(iface: Interface) -> None:
    slots = [e.slot for e in iface.entries]
    names = [e.name for e in iface.entries]
    for label, values in (("slot", slots), ("entry name", names)):
        dup = {v for v in values if values.count(v) > 1}
        if dup:
            raise SpecError(f"{iface.name}: duplicate {label}(s): {sorted(dup)}")
    if sorted(slots) != list(range(len(slots))):
        raise SpecError(f"{iface.name}: slots must be 0..{len(slots) - 1} without gaps")
    # An entry added in minor m must come after every entry of minors < m:
    # otherwise an older provider's shorter table would cover a newer slot.
    by_slot = sorted(iface.entries, key=lambda e: e.slot)
    for prev, cur in zip(by_slot, by_slot[1:]):
        if cur.minor < prev.minor:
            raise SpecError(
                f"{iface.name}: entry {cur.name} (minor {cur.minor}) comes after "
                f"{prev.name} (minor {prev.minor}); new entries are appended only"
            )
    for e in iface.entries:
        if not _C_IDENT.match(e.name):
            raise SpecError(f"{iface.name}: bad entry name {e.name!r}")


# ---------------------------------------------------------------------------
# C
# ---------------------------------------------------------------------------


def features_h() -> str:
    lines = [f"/* {BANNER} */", "#ifndef HOSTLIB_FEATURES_H", "#define HOSTLIB_FEATURES_H", ""]
    for f in FEATURES:
        lines.append(f"#define HOSTLIB_CPU_{f.name} (UINT64_C(1) << {f.bit})")
    lines += ["", "#endif /* HOSTLIB_FEATURES_H */", ""]
    return "\n".join(lines)


def _upper(iface: Interface) -> str:
    return f"HOSTLIB_{iface.name.upper()}"


def table_h(iface: Interface) -> str:
    U = _upper(iface)
    struct = f"hostlib_{iface.name}_table"
    entries = sorted(iface.entries, key=lambda e: e.slot)
    out = [
        f"/* {BANNER} */",
        f"/* The {iface.name!r} interface: the table providers fill. */",
        f"#ifndef {U}_TABLE_H",
        f"#define {U}_TABLE_H",
        "",
        '#include "hostlib_table.h"',
        '#include "hostlib_features.h"',
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        f"#define {U}_MAGIC UINT32_C({iface.magic:#010x})",
        f"#define {U}_ABI_MAJOR {iface.abi_major}",
        f"#define {U}_ABI_MINOR {iface.abi_minor}",
        f"#define {U}_NSLOTS {len(entries)}",
        f'#define {U}_PROVIDER_CAPSULE "{iface.provider_capsule}"',
        f'#define {U}_HOST_CAPSULE "{iface.host_capsule}"',
        "",
    ]
    for cname, value in iface.constants.items():
        out.append(f"#define {cname} {value}")
    out.append("")
    for e in entries:
        out.append(f"typedef {e.returns} (*hostlib_{e.name}_fn)({e.args});")
    out += ["", f"typedef struct {struct} {{", "    hostlib_table_header header;"]
    minor = None
    for e in entries:
        if e.minor != minor:
            minor = e.minor
            out.append(f"    /* ABI {iface.abi_major}.{minor} */")
        out.append(f"    hostlib_{e.name}_fn {e.name};  /* slot {e.slot}: {e.doc} */")
    out += [f"}} {struct};", ""]
    # layout checks: the host treats the slots as an array of hostlib_fn
    out += [
        "#ifdef __cplusplus",
        "#define HOSTLIB_STATIC_ASSERT(c, m) static_assert(c, m)",
        "#else",
        "#define HOSTLIB_STATIC_ASSERT(c, m) _Static_assert(c, m)",
        "#endif",
    ]
    for e in entries:
        out.append(
            f"HOSTLIB_STATIC_ASSERT(offsetof({struct}, {e.name}) == "
            f"sizeof(hostlib_table_header) + {e.slot} * sizeof(hostlib_fn), "
            f'"slot {e.slot} ({e.name}) is not where the host expects it");'
        )
    out += [
        "",
        "/* Header initializer for a provider's table: */",
        f"/*   static const {struct} t = {{ {U}_HEADER(\"name\", \"1.0\", HOSTLIB_CPU_AVX2), .ddot = ... }}; */",
        f"#define {U}_HEADER(name, version, features) \\",
        f"    {{ {U}_MAGIC, {U}_ABI_MAJOR, {U}_ABI_MINOR, (uint32_t)sizeof({struct}), 0, \\",
        "      (name), (version), (uint64_t)(features), 0 }",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {U}_TABLE_H */",
        "",
    ]
    return "\n".join(out)


def stubs_h(iface: Interface) -> str:
    U = _upper(iface)
    struct = f"hostlib_{iface.name}_table"
    api = f"{U}_API"
    current = f"hostlib_{iface.name}_current"
    guard = f"{iface.stubs_name.upper()}_H"
    imp = iface.import_function
    entries = sorted(iface.entries, key=lambda e: e.slot)
    out = [
        f"/* {BANNER} */",
        f"/*",
        f" * Consumer header of the {iface.name!r} interface. Include it after",
        f" * Python.h, call {imp}() once (e.g. in your module's init), then call",
        f" * kernels like plain functions: {iface.call_prefix}{entries[0].name}(...).",
        f" * Each call goes to the table hostlib has active at that moment.",
        f" *",
        f" * The API pointer is static by default: each translation unit that calls",
        f" * kernels calls {imp}() itself (cheap after the first time). For an",
        f" * extension of several files, as with numpy's PY_ARRAY_UNIQUE_SYMBOL:",
        f" * define {U}_UNIQUE_SYMBOL to one name in every file, call {imp}()",
        f" * in the file that does not define {U}_NO_IMPORT, and define",
        f" * {U}_NO_IMPORT in all the others.",
        f" */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <Python.h>",
        f'#include "hostlib_{iface.name}_table.h"',
        "",
        "#ifdef __cplusplus",
        'extern "C" {',
        "#endif",
        "",
        "#if defined(__GNUC__) || defined(__clang__)",
        "#define HOSTLIB_MAYBE_UNUSED __attribute__((unused))",
        "#else",
        "#define HOSTLIB_MAYBE_UNUSED",
        "#endif",
        "",
        f"#if defined({U}_UNIQUE_SYMBOL)",
        f"#define {api} {U}_UNIQUE_SYMBOL",
        f"#if defined({U}_NO_IMPORT)",
        f"extern const hostlib_host_api *{api};",
        f"#else",
        f"const hostlib_host_api *{api} = NULL;",
        f"#endif",
        f"#else",
        f"static const hostlib_host_api *{api} HOSTLIB_MAYBE_UNUSED = NULL;",
        f"#endif",
        "",
        f"/* The active table. Load it once to make several calls on one table. */",
        f"static inline const {struct} *{current}(void)",
        "{",
        f"    return (const {struct} *)HOSTLIB_LOAD_ACTIVE({api});",
        "}",
        "",
    ]
    for e in entries:
        out.append(f"#define {iface.call_prefix}{e.name} ({current}()->{e.name})")
    out += [
        "",
        "#ifndef HOSTLIB_VERSION_AT_LEAST_",
        "#define HOSTLIB_VERSION_AT_LEAST_",
        "/* a function, not an expression, so that minor 0 draws no -Wtype-limits */",
        "static inline int hostlib_version_at_least(unsigned have, unsigned need)",
        "{",
        "    return have >= need;",
        "}",
        "#endif",
        "",
        f"/* Returns 0, or -1 with ImportError set (ABI mismatch, hostlib missing). */",
        f"static inline int {imp}(void)",
        "{",
        f"    const hostlib_host_api *api;",
        f"    if ({api} != NULL) {{",
        f"        return 0;",
        f"    }}",
        f"    api = (const hostlib_host_api *)PyCapsule_Import({U}_HOST_CAPSULE, 0);",
        f"    if (api == NULL) {{",
        f"        return -1;",
        f"    }}",
        f"    if (api->magic != {U}_MAGIC) {{",
        f"        PyErr_SetString(PyExc_ImportError,",
        f'            {U}_HOST_CAPSULE " does not hold a hostlib {iface.name} API (bad magic number)");',
        f"        return -1;",
        f"    }}",
        f"    if (api->abi_major != {U}_ABI_MAJOR || !hostlib_version_at_least(api->abi_minor, {U}_ABI_MINOR)) {{",
        f"        PyErr_Format(PyExc_ImportError,",
        f'            "module compiled against hostlib {iface.name} ABI %d.%d, but the installed "',
        f'            "hostlib provides ABI %d.%d; %s",',
        f"            {U}_ABI_MAJOR, {U}_ABI_MINOR, (int)api->abi_major, (int)api->abi_minor,",
        f"            api->abi_major != {U}_ABI_MAJOR",
        f'                ? "rebuild the module against the installed hostlib"',
        f'                : "upgrade hostlib or rebuild the module against the installed one");',
        f"        return -1;",
        f"    }}",
        f"    if (HOSTLIB_LOAD_ACTIVE(api) == NULL) {{",
        f"        PyErr_SetString(PyExc_ImportError, \"hostlib has no active {iface.name} table\");",
        f"        return -1;",
        f"    }}",
        f"    {api} = api;",
        f"    return 0;",
        "}",
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {guard} */",
        "",
    ]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Cython
# ---------------------------------------------------------------------------

_PXD_TYPES = {"ptrdiff_t": "ptrdiff_t"}


def _pxd_args(args: str) -> str:
    return args  # the spec's C argument lists are valid Cython as written


def stubs_pxd(iface: Interface) -> str:
    U = _upper(iface)
    struct = f"hostlib_{iface.name}_table"
    entries = sorted(iface.entries, key=lambda e: e.slot)
    out = [
        f"# {BANNER}",
        f"# cimport this, call {iface.import_function}() once at module level, then",
        f"# call kernels like plain functions: {iface.call_prefix}{entries[0].name}(...).",
        "",
        "from libc.stdint cimport uint16_t, uint32_t, uint64_t",
        "",
        f'cdef extern from "{iface.stubs_name}.h":',
        "    ctypedef ptrdiff_t ptrdiff_t",
        f"    enum: {U}_ABI_MAJOR",
        f"    enum: {U}_ABI_MINOR",
        f"    enum: {U}_NSLOTS",
    ]
    for cname in iface.constants:
        out.append(f"    enum: {cname}")
    out += [
        "",
        "    ctypedef struct hostlib_table_header:",
        "        uint32_t magic",
        "        uint16_t abi_major",
        "        uint16_t abi_minor",
        "        uint32_t size",
        "        const char *name",
        "        const char *version",
        "        uint64_t features",
        "",
        f"    ctypedef struct {struct}:",
        "        hostlib_table_header header",
    ]
    for e in entries:
        out.append(f"        {e.returns} (*{e.name})({_pxd_args(e.args)}) noexcept nogil")
    out += [
        "",
        f"    const {struct} *hostlib_{iface.name}_current() noexcept nogil",
        f"    int {iface.import_function}() except -1",
        "",
    ]
    for e in entries:
        out.append(f"    {e.returns} {iface.call_prefix}{e.name}({_pxd_args(e.args)}) noexcept nogil")
    out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Python description for the host
# ---------------------------------------------------------------------------


def spec_py() -> str:
    out = [f'"""{BANNER}"""', "", "FEATURES = ("]
    for f in FEATURES:
        out.append(f"    ({f.name!r}, {f.bit}, {f.implies!r}),")
    out += [")", "", "INTERFACES = {"]
    for iface in INTERFACES.values():
        entries = sorted(iface.entries, key=lambda e: e.slot)
        out += [
            f"    {iface.name!r}: dict(",
            f"        name={iface.name!r},",
            f"        entry_point_group={iface.entry_point_group!r},",
            f"        provider_capsule={iface.provider_capsule!r},",
            f"        host_capsule={iface.host_capsule!r},",
            f"        magic={iface.magic:#010x},",
            f"        abi_major={iface.abi_major},",
            f"        abi_minor={iface.abi_minor},",
            f"        stubs_name={iface.stubs_name!r},",
            "        entries=(",
        ]
        for e in entries:
            out.append(f"            ({e.name!r}, {e.minor}, {e.doc!r}),")
        out += ["        ),", "    ),"]
    out += ["}", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------


def feature_list(names: list[str]) -> list[Feature]:
    by_name = {f.name: f for f in FEATURES}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SpecError(f"unknown feature(s) {unknown}; known: {sorted(by_name)}")
    return [by_name[n] for n in names]


def closure(names: list[str]) -> list[Feature]:
    """The features plus every feature they imply, in spec order."""
    by_name = {f.name: f for f in FEATURES}
    seen: set[str] = set()
    stack = list(names)
    while stack:
        n = stack.pop()
        if n not in seen:
            seen.add(n)
            stack.extend(by_name[n].implies)
    return [f for f in FEATURES if f.name in seen]


def declared_features(path: str) -> tuple[str, ...]:
    """FEATURES of a kernel module's metadata file, read without importing it.

    The same tuple is what the host checks at run time, so the compiler
    flags and the declaration come from one list.
    """
    import ast

    with open(path, encoding="utf-8") as fh:
        tree = ast.parse(fh.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "FEATURES" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if not (isinstance(value, tuple) and all(isinstance(v, str) for v in value)):
                raise SpecError(f"{path}: FEATURES must be a tuple of strings")
            return value
    raise SpecError(f"{path}: no FEATURES = (...) assignment")


def write(path: str, text: str) -> None:
    # leave an unchanged file alone so that ninja does not rebuild its users
    try:
        with open(path, encoding="utf-8") as fh:
            if fh.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p_all = sub.add_parser("all")
    p_all.add_argument("outdir")
    for name in ("cflags", "bits"):
        p = sub.add_parser(name)
        p.add_argument("features", nargs="*")
        p.add_argument("--module", help="read FEATURES from this kernel module metadata file")
    args = ap.parse_args(argv)
    if getattr(args, "module", None):
        args.features = list(declared_features(args.module))

    check_features(FEATURES)
    for iface in INTERFACES.values():
        check_interface(iface)

    if args.cmd == "all":
        os.makedirs(args.outdir, exist_ok=True)
        write(os.path.join(args.outdir, "hostlib_features.h"), features_h())
        write(os.path.join(args.outdir, "_spec.py"), spec_py())
        for iface in INTERFACES.values():
            write(os.path.join(args.outdir, f"hostlib_{iface.name}_table.h"), table_h(iface))
            write(os.path.join(args.outdir, f"{iface.stubs_name}.h"), stubs_h(iface))
            write(os.path.join(args.outdir, f"{iface.stubs_name}.pxd"), stubs_pxd(iface))
    elif args.cmd == "cflags":
        # the flags of the features and of everything they imply, so that the
        # compiler may emit exactly what the declaration covers
        flags = [f.cflag for f in closure([f.name for f in feature_list(args.features)]) if f.cflag]
        print("\n".join(flags))
    elif args.cmd == "bits":
        feats = closure([f.name for f in feature_list(args.features)])
        print(" | ".join(f"HOSTLIB_CPU_{f.name}" for f in feats) or "0")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SpecError as exc:
        print(f"generate.py: spec error: {exc}", file=sys.stderr)
        sys.exit(1)
