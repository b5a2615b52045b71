"""``hostlib`` (also ``python -m hostlib``): the runtime report, and the
subcommands. ``hostlib --help`` lists them and the environment variables.

A mistake of the user's (a bad ``HOSTLIB_*`` variable, an unknown backend or
entry, a file that cannot be read or written) is one line on stderr and a
non-zero exit status; ``HOSTLIB_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

#: subcommand -> (what it does, the module whose main() runs it)
SUBCOMMANDS = {
    "report": ("the runtime report (the default): CPU features, every backend and its state, "
               "the backend serving each entry", ""),
    "bench": ("every usable backend side by side, kernel by kernel", "hostlib._measure.bench"),
    "tune": ("measure the backends and save the fastest per entry as this machine's profile, for every "
             "interface that asks for it (kernels, fft; --interface NAME for one)", "hostlib._measure.tune"),
    "run": ("run a script (or -m module) with numpy's ufuncs served by hostlib", "hostlib._numpy.patch"),
    "config": ("what hostlib-config prints: where a build finds hostlib (starts nothing)", "hostlib._configtool"),
}


def _parser() -> argparse.ArgumentParser:
    from hostlib import __version__
    from hostlib._host.environment import help_text

    commands = "\n".join(f"  {name:<8}{what}" for name, (what, _) in SUBCOMMANDS.items())
    parser = argparse.ArgumentParser(
        prog="hostlib",
        usage="hostlib [-h] [--version] [--json] [{" + ",".join(SUBCOMMANDS) + "} ...]",
        description="The fastest kernels your CPU supports, selected at run time: the report, and the "
        "commands around it.",
        epilog=f"commands ('hostlib COMMAND --help' for each):\n{commands}\n\n{help_text()}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", choices=list(SUBCOMMANDS), default="report",
                        help=argparse.SUPPRESS)
    parser.add_argument("--version", action="version", version=f"hostlib {__version__}")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def _report(argv: list[str]) -> int:
    import json

    args = _parser().parse_args(argv)
    import hostlib

    if args.json:
        json.dump(hostlib.runtime_info(), sys.stdout, indent=2)
        print()
    else:
        hostlib.show_runtime()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in SUBCOMMANDS and argv[0] != "report":
        import importlib

        return importlib.import_module(SUBCOMMANDS[argv[0]][1]).main(argv[1:])
    return _report(argv)


def run(entry: Callable[[], int] = main, prog: str = "hostlib") -> None:
    """A console script: ``entry()``'s status, a user's mistake as one line."""
    import warnings

    def one_line(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
        print(f"{prog}: warning: {message}", file=sys.stderr if file is None else file)

    warnings.showwarning = one_line  # a ProfileWarning is news for the user, not a source line
    try:
        status = entry()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - every error, one line unless asked otherwise
        if os.environ.get("HOSTLIB_DEBUG", "").strip().lower() in ("1", "on", "true", "yes"):
            raise
        message = str(exc) or type(exc).__name__
        if not isinstance(exc, (ValueError, LookupError, OSError, ImportError)):
            message = f"{type(exc).__name__}: {message}"
        print(f"{prog}: error: {message} (HOSTLIB_DEBUG=1 shows the traceback)", file=sys.stderr)
        sys.exit(1)
    sys.exit(status)


def config_main() -> None:
    """The ``hostlib-config`` console script."""
    from hostlib import _configtool

    run(_configtool.main, prog="hostlib-config")


if __name__ == "__main__":
    run()
