"""Import cost: wall time of fresh interpreters importing numpy, then
hostlib too, then also starting the kernels host (discovery, selection):
rounds interleaved, best of each; and what `-X importtime` attributes to
hostlib after numpy."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from common import fmt_num, render_table

NAME = "import"
ROUNDS = {"full": 21, "quick": 9, "smoke": 1}
#: `import hostlib` may cost at most this beyond `import numpy`
TARGET_MS = 10.0
CASES = (
    ("numpy", "import numpy"),
    ("numpy, hostlib", "import numpy, hostlib"),
    ("numpy, hostlib, first use", "import numpy, hostlib; hostlib.active()"),
)


def count(mode: str) -> int:
    return 1


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    progress.step("import cost, fresh interpreters")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTLIB_")}
    best = {label: float("inf") for label, _ in CASES}
    with tempfile.TemporaryDirectory() as cwd:  # never the source tree's hostlib/
        for _ in range(ROUNDS[ctx.mode]):
            for label, code in CASES:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, check=True)
                best[label] = min(best[label], (time.perf_counter() - t0) * 1e3)
        r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import numpy; import hostlib"], cwd=cwd,
                           env=env, capture_output=True, text=True, check=True)
    # the last line of -X importtime is the outermost module: hostlib
    own_us = next((int(line.split("|")[1]) for line in reversed(r.stderr.splitlines())
                   if line.rstrip().endswith("| hostlib")), None)
    progress.advance()
    beyond = best["numpy, hostlib"] - best["numpy"]
    return {"best_ms": best, "hostlib_beyond_numpy_ms": beyond, "importtime_hostlib_ms": own_us and own_us / 1e3,
            "host_start_ms": best["numpy, hostlib, first use"] - best["numpy, hostlib"],
            "target_ms": TARGET_MS, "ok": beyond <= TARGET_MS}


def format(res: dict[str, Any], imp: dict[str, Any]) -> list[str]:
    f = fmt_num
    return ["", "== Import cost: fresh interpreters, best of the rounds (ms)",
            render_table(["import", "ms"], [[k, f(v)] for k, v in imp["best_ms"].items()], "lr"),
            f"import hostlib beyond numpy: {f(imp['hostlib_beyond_numpy_ms'])} ms (target <= "
            f"{f(imp['target_ms'])}: {'ok' if imp['ok'] else 'ABOVE TARGET'}); -X importtime attributes "
            f"{f(imp['importtime_hostlib_ms'])} ms to hostlib; starting the kernels host on first use "
            f"(discovery, validation, selection): {f(imp['host_start_ms'])} ms"]
