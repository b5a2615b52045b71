"""``python -m hostlib``: the runtime report, and a quick benchmark.

    python -m hostlib            human-readable report
    python -m hostlib --json     the same as JSON
    python -m hostlib bench      every usable backend side by side, per kernel
                                 (``python -m hostlib bench --help``)
    python -m hostlib tune       measure and save the fastest backend per entry
                                 (``python -m hostlib tune --help``)
    python -m hostlib run script.py [args]
                                 run a script (or ``-m module``) with numpy's
                                 exp/log/sqrt/sin/cos served by hostlib
                                 (``python -m hostlib run --help``)
    python -m hostlib config     what ``hostlib-config`` prints: where a build
                                 finds hostlib (``python -m hostlib config --help``)
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "bench":
        # its own parser (hostlib._measure.bench); importing it imports hostlib, so
        # a bad HOSTLIB_* variable raises BackendError here as for the report
        from hostlib._measure import bench as _bench

        return _bench.main(argv[1:])
    if argv and argv[0] == "tune":
        from hostlib._measure import tune as _tune

        return _tune.main(argv[1:])
    if argv and argv[0] == "run":
        from hostlib._numpy import patch as _numpy_patch

        return _numpy_patch.main(argv[1:])
    if argv and argv[0] == "config":
        # starts nothing: a build may run it whatever HOSTLIB_* says
        from hostlib import _configtool

        return _configtool.main(argv[1:])

    parser = argparse.ArgumentParser(
        prog="python -m hostlib",
        description="Show CPU features, discovered kernel backends and which backend serves each kernel.",
        epilog="Subcommands: 'bench' compares every usable backend kernel by kernel "
        "(python -m hostlib bench --help); 'tune' measures them and saves the fastest per entry "
        "as this machine's profile (python -m hostlib tune --help); 'run' runs a script with numpy's "
        "exp/log/sqrt/sin/cos served by hostlib (python -m hostlib run --help); "
        "'config' is hostlib-config. "
        "Environment: HOSTLIB_BACKEND=auto|name[,name...], HOSTLIB_DISABLE_FEATURES=FEATURE[,FEATURE...], "
        "HOSTLIB_PROFILE=path, HOSTLIB_TUNE=on|off",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)

    import hostlib  # a bad HOSTLIB_* variable raises BackendError here

    if args.json:
        json.dump(hostlib.runtime_info(), sys.stdout, indent=2)
        print()
    else:
        hostlib.show_runtime()
    return 0


if __name__ == "__main__":
    sys.exit(main())
