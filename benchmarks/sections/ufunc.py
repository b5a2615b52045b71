"""Elementwise ufuncs: every elementwise function of the interface, per
backend, against numpy's own at its default and at the backend's
instruction set (numpy in a worker), and against MKL's vector math."""

from __future__ import annotations

from typing import Any

from common import columns, equal_isa_table, fmt_n, fmt_num, functions, kernel_cases, pick_n, render_table, \
    setup, speedup_bars, versus_reference

NAME = "ufunc"
SIZES = {"full": (1_000, 100_000, 10_000_000), "quick": (1_000, 100_000), "smoke": (64,)}
USES_MKL = True


def cases(mode: str) -> list[tuple[Any, str, int]]:
    return kernel_cases(functions("elementwise"), SIZES[mode])


def count(mode: str) -> int:
    return len(cases(mode))


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    rows = []
    for k, dt, n in cases(ctx.mode):
        progress.step(f"ufunc {k.name} {dt} n={fmt_n(n)}")
        ns = setup(k, n, dt)
        reference, backends, mkl = versus_reference(
            ctx, k, dt, n, ns, (3, 2),
            lambda t: {"ns": t["best_ns"], "ns_per_elem": t["best_ns"] / n, "timing": t}, "numpy",
            ctx.mkl.ufunc(k, ns) if ctx.mkl else None,
        )
        del ns
        rows.append({"kernel": k.name, "dtype": dt, "n": n, "numpy": reference, "mkl": mkl, "backends": backends})
        progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    names = columns(res, rows)
    lv = list(res.get("levels", {})) or ["default"]
    out = ["", "== Elementwise ufuncs: numpy's own time, ns per element (out= preallocated)"]
    out.append(render_table(
        ["kernel", "dtype", "n", *[f"numpy {L}" for L in lv]],
        [[r["kernel"], r["dtype"], fmt_n(r["n"]), *[f(r["numpy"].get(L, {}).get("ns_per_elem")) for L in lv]]
         for r in rows], "llr" + "r" * len(lv)))
    out += ["", "== Elementwise ufuncs: speedup vs numpy default / vs numpy at equal instruction set"]
    out.append(equal_isa_table(res, rows, names, "numpy", ["kernel", "dtype", "n"],
                               lambda r: [r["kernel"], r["dtype"], fmt_n(r["n"])]))
    mrows = [r for r in rows if r.get("mkl")]
    if mrows:
        out += ["", "== Elementwise ufuncs: speedup vs MKL (mkl_umath, one thread; > 1 = hostlib faster)"]
        out.append(render_table(
            ["kernel", "dtype", "n", "MKL ns/elem", *names],
            [[r["kernel"], r["dtype"], fmt_n(r["n"]), f(r["mkl"]["ns_per_elem"]),
              *[f(r["backends"].get(b, {}).get("speedup_vs_mkl")) for b in names]] for r in mrows],
            "llrr" + "r" * len(names)))
    return out


PANELS = (1,)


def plot(res: dict[str, Any], rows: list[dict[str, Any]], axes: list[Any], colors: dict[str, Any]) -> set[str]:
    n = pick_n(rows, 100_000)
    return speedup_bars(axes[0], res, [r for r in rows if r["n"] == n], colors,
                        lambda r: f"{r['kernel']} {r['dtype']}", "speedup_vs_numpy", "speedup_vs_numpy_equal_isa",
                        f"Elementwise ufuncs, n={fmt_n(n)}: speedup vs numpy default (bars), "
                        "vs numpy at equal ISA (black ticks)", "speedup (log; >1 = hostlib faster)")
