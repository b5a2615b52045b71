"""``hostlib-config`` (also ``python -m hostlib config``): where a downstream
build finds hostlib, like ``numpy-config``.

    hostlib-config --cflags              -I<dir of hostlib_stubs.h and the other headers>
    hostlib-config --pkgconfigdir        directory of hostlib.pc (for PKG_CONFIG_PATH)
    hostlib-config --version             hostlib's version
    hostlib-config --includedir          the header directory itself (hostlib.get_include())
    hostlib-config --generator           path of generate.py (python -m hostlib.generate)
    hostlib-config --cflags-for AVX2 FMA3
    hostlib-config --cflags-for --module mykernels/__init__.py
                                         compiler flags of features and all they imply
    hostlib-config --bits-for ...        the same features as the table header's C bit expression

Several value options print one line each, in the order of this list.
Nothing here starts a host or reads a ``HOSTLIB_*`` variable: what it prints
depends only on the installed files.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._version import version

_HERE = os.path.dirname(os.path.abspath(__file__))


def includedir() -> str:
    return os.path.join(_HERE, "include")


def pkgconfigdir() -> str:
    return os.path.join(_HERE, "lib", "pkgconfig")


def generator() -> str:
    return os.path.join(_HERE, "generate.py")


def feature_flags(features: list[str] | None = None, module: str | None = None) -> tuple[list[str], str]:
    """(compiler flags, C bit expression) of features and every feature
    they imply; the features are named, or the ``FEATURES`` tuple of a
    provider's metadata file (read without importing it)."""
    from . import generate
    from ._host import cpu

    if module:  # a metadata file: canonical names only, as the host reads them
        names = list(generate.declared_features(module))
    else:  # a person's spelling: as HOSTLIB_DISABLE_FEATURES takes it (case, aliases)
        names = sorted(cpu.parse_feature_list(" ".join(features or ()), source="hostlib-config"),
                       key=cpu.FEATURE_NAMES.index)
    arches = sorted({cpu.FEATURE_ARCH.get(n, "?") for n in names})
    if len(arches) > 1:
        raise generate.SpecError(f"features of several architectures ({', '.join(arches)}): {' '.join(names)}; "
                                 "a kernel module is built for one")
    feats = generate.closure(names, generate.load_features())
    flags = [f.cflag for f in feats if f.cflag]
    bits = " | ".join(f"HOSTLIB_CPU_{f.name}" for f in feats) or "0"
    return flags, bits


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="hostlib-config",
        description="Where a downstream build finds hostlib's headers, pkg-config file and generator. "
        "Starts nothing and reads no HOSTLIB_* variable.",
        epilog="Meson: dependency('hostlib') finds hostlib.pc with PKG_CONFIG_PATH=$(hostlib-config --pkgconfigdir).",
    )
    ap.add_argument("--version", action="store_true", help="hostlib's version")
    ap.add_argument("--cflags", action="store_true", help="C compiler flags to find hostlib's headers")
    ap.add_argument("--pkgconfigdir", action="store_true", help="directory of hostlib.pc, for PKG_CONFIG_PATH")
    ap.add_argument("--includedir", action="store_true", help="directory of the headers and the flat .pxd")
    ap.add_argument("--generator", action="store_true", help="path of generate.py, to run with any Python in a build")
    ap.add_argument("--cflags-for", nargs="*", metavar="FEATURE",
                    help="compiler flags of these CPU features (numpy's spelling) and all they imply")
    ap.add_argument("--bits-for", nargs="*", metavar="FEATURE",
                    help="the same features as a C expression of HOSTLIB_CPU_* bits (a table header's features)")
    ap.add_argument("--module", metavar="FILE",
                    help="with --cflags-for/--bits-for: the FEATURES of this kernel module's metadata file")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)

    wants_features = args.cflags_for is not None or args.bits_for is not None
    if args.module and not wants_features:
        ap.error("--module goes with --cflags-for or --bits-for")
    for names in (args.cflags_for, args.bits_for):
        if names is not None and bool(names) == bool(args.module):
            ap.error("give --cflags-for/--bits-for either feature names or --module FILE")
    out = []
    if args.version:
        out.append(version)
    if args.cflags:
        out.append(f"-I{includedir()}")
    if args.pkgconfigdir:
        out.append(pkgconfigdir())
    if args.includedir:
        out.append(includedir())
    if args.generator:
        out.append(generator())
    if wants_features:
        from .generate import SpecError

        try:
            if args.cflags_for is not None:
                out.append(" ".join(feature_flags(args.cflags_for, args.module)[0]))
            if args.bits_for is not None:
                out.append(feature_flags(args.bits_for, args.module)[1])
        except (SpecError, OSError, ValueError, SyntaxError) as exc:  # a file that is not Python
            print(f"hostlib-config: error: {exc}", file=sys.stderr)
            return 1
    if not out:
        ap.print_help()
        return 1
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
