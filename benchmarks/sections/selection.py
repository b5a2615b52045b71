"""Default choice: per table entry, the backend automatic selection picks
against the fastest usable backend that provides the entry, timed side by
side at the sizes `hostlib tune` chooses at."""

from __future__ import annotations

from typing import Any

from common import KERNELS, Local, entries, fmt_n, fmt_num, hostlib, ratio, render_table, setup, tune_sizes, \
    user_blas_threads

NAME = "selection"
# a default choice this much slower than the fastest backend is flagged:
# beyond what the round-robin best-of-N usually varies between re-runs
SLOWER = 1.05
SMOKE_SIZES = {"elementwise": (64,), "level1": (64,), "gemm": (8,)}
CONVENTIONS = {
    "selection": "per table entry and size, ratio = time(automatic selection, as served: tune's size class "
    f"at that size) / time(fastest usable backend providing it), same round-robin; a ratio above {SLOWER} is "
    "re-timed head to head (the default as served against that backend alone) and flagged if it stays above",
}


def sizes(mode: str) -> dict[str, tuple[int, ...]]:
    """Sizes per entry kind: a default is judged at the sizes hostlib tune chooses at."""
    return SMOKE_SIZES if mode == "smoke" else tune_sizes()


def cases(mode: str) -> list[tuple[dict[str, Any], int]]:
    """(entry, n) for every table entry at the sizes its choice is judged at."""
    per_kind = sizes(mode)
    return [(e, n) for e in entries() for n in per_kind[e["kind"]]]


def count(mode: str) -> int:
    return len(cases(mode))


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    """A backend that threads itself (OpenBLAS) runs with the thread count
    the user's process has, as when `hostlib tune` measured it."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return _rows(ctx, progress)
    with threadpool_limits(limits=user_blas_threads(ctx.env), user_api="blas"):
        return _rows(ctx, progress)


def _rows(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    from hostlib._host import registry

    host = registry.host()
    threads = user_blas_threads(ctx.env)
    with hostlib.using("auto"):  # the default, whatever HOSTLIB_BACKEND says
        # how each default was chosen ('measured' by hostlib tune, 'declared'
        # priorities, ...); a hostlib from before tune does not say
        detail = hostlib.runtime_info().get("entries_detail") or {}
        # the backend serving each case: hostlib tune's size class at n
        default = {(e["name"], n): host.automatic(e["name"], n) for e, n in cases(ctx.mode)}
    rows = []
    for e, n in cases(ctx.mode):
        entry, dt = e["name"], e["dtype"]
        progress.step(f"selection {entry} n={fmt_n(n)}")
        k = KERNELS[e["function"]]
        ns = setup(k, n, dt)
        who = ctx.backend_contestants(entry, k.hostlib, ns, threads=threads)
        chosen = default[entry, n]
        # the default as it is served (through the split wrappers that pick
        # the size class), beside every backend it could have picked
        who["=auto"] = Local(k.hostlib, ns, context=lambda: hostlib.using("auto"),
                             settle=who[chosen].settle if chosen in who else 0.0)
        pair = {"=auto": who["=auto"]}
        times = ctx.compare(who)
        served = times.pop("=auto", {}).get("best_ns")
        fastest = min(times, key=lambda b: times[b]["best_ns"])
        r = ratio(served, times[fastest]["best_ns"])
        first = None
        if r is not None and r > SLOWER:
            # Among six contestants and their settle pauses, one ratio on a
            # 2-core machine varies by more than 5% between runs (the same
            # function timed as '=auto' and by its backend's name has read
            # 1.9x). The pair alone, round-robin, confirms or clears it.
            pair[fastest] = who[fastest]
            again = ctx.compare(pair)
            if "=auto" in again and fastest in again:
                first = r
                r = ratio(again["=auto"]["best_ns"], again[fastest]["best_ns"])
        del ns
        rows.append({"entry": entry, "kernel": k.name, "dtype": dt, "n": n, "default": chosen,
                     "fastest": fastest, "served_ns": served, "ratio": r, "first_ratio": first,
                     "slower": r is not None and r > SLOWER,
                     "choice": (detail.get(entry) or {}).get("choice"), "detail": detail.get(entry), "times": times})
        progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    out = ["", f"== Default choice vs the fastest backend, per table entry and size: default = the backend automatic "
           "selection serves at that size (tune's size class), ratio = time(default, as served) / time(fastest); "
           f"above {SLOWER} it is re-timed head to head (first = the ratio among all backends) and SLOWER if it "
           "stays above. chosen = how hostlib picked the default ('-': not reported)"]
    out.append(render_table(
        ["entry", "n", "default", "fastest", "ratio", "first", "chosen", "flag"],
        [[r["entry"], fmt_n(r["n"]), r["default"], r["fastest"], f(r["ratio"]), f(r.get("first_ratio")),
          r["choice"] or "-", "SLOWER" if r["slower"] else ""] for r in rows], "lrllrrll"))
    slow = sorted({r["entry"] for r in rows if r["slower"]})
    out.append(f"{len(slow)} of {len({r['entry'] for r in rows})} entries have a default more than "
               f"{100 * (SLOWER - 1):.0f}% slower than the fastest backend at some size"
               + (": " + ", ".join(slow) if slow else ""))
    return out


PANELS = (2,)


def plot(res: dict[str, Any], rows: list[dict[str, Any]], axes: list[Any], colors: dict[str, Any]) -> set[str]:
    ax = axes[0]
    ratios = [r["ratio"] or float("nan") for r in rows]
    x = range(len(rows))
    ax.bar(x, ratios, color=[colors.get(r["default"], "gray") for r in rows])
    for i, r in enumerate(rows):
        if r["slower"]:  # name the backend that beat the default
            ax.annotate(r["fastest"], (i, r["ratio"]), ha="center", va="bottom", fontsize=7, rotation=90)
    ax.axhline(1.0, color="black", lw=1)
    ax.axhline(SLOWER, color="black", lw=1, ls="--")
    ax.set_ylim(0.95, max(1.25, *[v * 1.15 for v in ratios if v == v]))  # ratios start at 1
    ax.set_xticks(list(x), [f"{r['entry']} {fmt_n(r['n'])}" for r in rows], rotation=90, fontsize=7)
    ax.set_title("Default choice: time(default) / time(fastest backend); colour = default backend, label = the "
                 f"faster one where the ratio is above {SLOWER} (dashed)", fontsize=10)
    ax.set_ylabel("ratio (1 = the default is fastest)")
    ax.grid(axis="y", alpha=0.3)
    return {r["default"] for r in rows}
