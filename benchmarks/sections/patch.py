"""numpy patched: the same numpy statement, np.sin(x, out=y), with numpy's
own loops, with hostlib's (hostlib.patch_numpy, automatic selection) and
with MKL's (mkl_umath.patch_numpy_umath), sampled round-robin: each
sample enters its patch and leaves it (outside the timed loop)."""

from __future__ import annotations

from typing import Any

from common import Local, entry_name, fmt_n, fmt_num, hostlib, kernel_cases, ratio, render_table, setup

from . import ufunc

NAME = "patch"
USES_MKL = True
#: two of numpy's ufuncs: sin, where numpy has no SIMD loop in float64, and
#: exp, where it has one
KERNELS = ("sin", "exp")
CONVENTIONS = {
    "patch": "the same numpy statement with numpy's own loops, hostlib.patch_numpy() (automatic "
    "selection) and mkl_umath.patch_numpy_umath(), round-robin, each sample inside its patch",
}


def cases(mode: str) -> list[tuple[Any, str, int]]:
    return kernel_cases(KERNELS, ufunc.SIZES[mode])


def count(mode: str) -> int:
    return len(cases(mode))


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    mkl = ctx.mkl.patch if ctx.mkl and ctx.mkl.umath is not None else None
    rows = []
    for k, dt, n in cases(ctx.mode):
        progress.step(f"patch {k.name} {dt} n={fmt_n(n)}")
        ns = setup(k, n, dt)
        who: dict[str, Any] = {
            "numpy": Local(k.numpy, ns),
            "hostlib": Local(k.numpy, ns, context=lambda: hostlib.patched_numpy()),
        }
        if mkl is not None:
            who["mkl"] = Local(k.numpy, ns, context=mkl)
        times = ctx.compare(who)
        del ns
        row: dict[str, Any] = {"kernel": k.name, "dtype": dt, "n": n, "stmt": k.numpy,
                               "hostlib_backend": hostlib.active()[entry_name(k.name, dt)]}
        for who_, t in times.items():
            row[who_] = {"ns_per_elem": t["best_ns"] / n, "timing": t}
        ns_numpy = row.get("numpy", {}).get("ns_per_elem")
        for who_ in ("hostlib", "mkl"):
            if who_ in row:
                row[who_]["speedup_vs_numpy"] = ratio(ns_numpy, row[who_]["ns_per_elem"])
        if "hostlib" in row and "mkl" in row:
            row["hostlib"]["speedup_vs_mkl"] = ratio(row["mkl"]["ns_per_elem"], row["hostlib"]["ns_per_elem"])
        rows.append(row)
        progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    out = ["", "== numpy patched: the same np.sin/np.exp(x, out=y) with numpy's loops, hostlib.patch_numpy() "
           "and mkl_umath.patch_numpy_umath(), ns per element; speedup = time(numpy) / time(patched)"]
    out.append(render_table(
        ["kernel", "dtype", "n", "numpy", "hostlib (backend)", "MKL", "hostlib speedup", "MKL speedup",
         "hostlib vs MKL"],
        [[r["kernel"], r["dtype"], fmt_n(r["n"]), f(r.get("numpy", {}).get("ns_per_elem")),
          f"{f(r.get('hostlib', {}).get('ns_per_elem'))} ({r['hostlib_backend']})",
          f(r.get("mkl", {}).get("ns_per_elem")), f(r.get("hostlib", {}).get("speedup_vs_numpy")),
          f(r.get("mkl", {}).get("speedup_vs_numpy")), f(r.get("hostlib", {}).get("speedup_vs_mkl"))]
         for r in rows], "llr" + "r" * 6))
    if not any("mkl" in r for r in rows):
        out.append("MKL: '-' (mkl_umath unavailable, see the notes above)")
    return out
