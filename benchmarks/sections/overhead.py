"""Call overhead in C (benchmarks/callbench.c, compiled at run time): ddot
through the table, as downstream code calls it, against the same kernel
called directly."""

from __future__ import annotations

from typing import Any

from common import compile_ext, entry_name, fmt_num, hostlib, providers, public_address, render_table

NAME = "overhead"
ROUNDS = {"full": 31, "quick": 11, "smoke": 2}
#: the entry callbench.c calls (hostlib_ddot)
FUNCTION, DTYPE = "dot", "f64"
CONVENTIONS = {
    "call_overhead": "C loop of ddot calls; table = hostlib_ddot macro (active table loaded per call), "
    "direct = same kernel address in a function pointer captured once",
}


def count(mode: str) -> int:
    return 1


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    mod, how = compile_ext("callbench")
    if mod is None:
        ctx.notes.append("call overhead not measured: " + how)
        progress.advance()
        return {"skipped": how}
    entry = entry_name(FUNCTION, DTYPE)
    modes = {"table": mod.MODE_TABLE, "table_once": mod.MODE_ONCE, "direct": mod.MODE_DIRECT, "empty": mod.MODE_EMPTY}
    rows = []
    rounds = ROUNDS[ctx.mode]
    for name in providers(entry, ctx.backends):
        progress.step(f"call overhead via {name}")
        with hostlib.using(name):
            got, want = mod.check(8)
            # the public slot: the backend's ddot, or the host's threading
            # wrapper in front of it (which calls it for n <= one chunk)
            addr_ok = mod.ddot_address() == public_address(entry)
            for n in (8, 0):
                # calls per timed loop: about 1 ms
                calls = 1000
                while mod.run(mod.MODE_DIRECT, calls, n) < 1_000_000 and calls < 1 << 26:
                    calls *= 2
                best = {m: float("inf") for m in modes}
                order = list(modes)
                for r in range(rounds):  # interleaved, order rotated: drift hits all alike
                    for m in order[r % 4:] + order[: r % 4]:
                        best[m] = min(best[m], mod.run(modes[m], calls, n) / calls)
                rows.append({
                    "backend": name,
                    "n": n,
                    "calls_per_loop": calls,
                    "rounds": rounds,
                    "ns_per_call": best,
                    "table_over_direct": best["table"] / best["direct"],
                    "once_over_direct": best["table_once"] / best["direct"],
                    "extra_ns": best["table"] - best["direct"],
                    "address_matches": addr_ok,
                    "result_ok": abs(got - want) <= 1e-12 * max(1.0, abs(want)),
                })
    progress.advance()
    return {"compiler": how, "rows": rows}


def format(res: dict[str, Any], result: dict[str, Any]) -> list[str]:
    f = fmt_num
    out = ["", "== Call overhead in C: ddot through the table (hostlib_ddot macro, table loaded per call) vs direct "
           "(same kernel address captured once); target table/direct <= 1.1"]
    if "skipped" in result:
        return out + ["skipped: " + result["skipped"]]
    out.append(render_table(
        ["backend", "n", "table ns", "once ns", "direct ns", "empty ns", "table/direct", "extra ns", "checks"],
        [[r["backend"], str(r["n"]) + (" (no work)" if r["n"] == 0 else ""), f(r["ns_per_call"]["table"]),
          f(r["ns_per_call"]["table_once"]), f(r["ns_per_call"]["direct"]), f(r["ns_per_call"]["empty"]),
          f(r["table_over_direct"]), f(r["extra_ns"]),
          "ok" if r["address_matches"] and r["result_ok"] else "MISMATCH"] for r in result["rows"]],
        "lr" + "r" * 7))
    out.append("once = table loaded once before the loop, slot read per call; empty = an empty function "
               "through a pointer (bare indirect call + loop)")
    return out


def caption(result: dict[str, Any]) -> str | None:
    """The figure's line on the call through the table, n = 8."""
    rows = [r for r in result.get("rows", []) if r["n"] == 8]
    if not rows:
        return None
    return "call through table / direct (C, ddot n=8): " + ", ".join(
        f"{r['backend']} {r['table_over_direct']:.2f}x" for r in rows)
