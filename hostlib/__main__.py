"""``python -m hostlib``: the runtime report.

    python -m hostlib            human-readable report
    python -m hostlib --json     the same as JSON
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hostlib",
        description="Show CPU features, discovered kernel backends and which backend serves each kernel.",
        epilog="Environment: HOSTLIB_BACKEND=auto|name[,name...], HOSTLIB_DISABLE_FEATURES=FEATURE[,FEATURE...]",
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
