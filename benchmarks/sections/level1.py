"""Level-1 kernels: every level-1 function of the interface, per backend,
against numpy (at its default and at the backend's instruction set),
against OpenBLAS through scipy.linalg.blas, and against the bandwidth of
a plain copy of the same bytes."""

from __future__ import annotations

from typing import Any

from common import DTYPES, Local, columns, entry_name, equal_isa_table, fmt_n, fmt_num, functions, kernel_cases, lname, \
    pick_n, providers, ratio, render_table, setup, speedup_bars

NAME = "level1"
SIZES = {"full": (1_000, 100_000, 10_000_000), "quick": (1_000, 100_000, 1_000_000), "smoke": (64,)}
CONVENTIONS = {
    "bytes": "elements read + written once per call (dot 2n, axpy 3n, scal 2n, asum/nrm2/sum n) "
    "times itemsize; copy = np.copyto moving the same bytes (m = bytes/2 elements each way); "
    "write-allocate traffic is not counted for either",
}

COPY_STMT = "np.copyto(d, s)"
# reference statements: numpy, or OpenBLAS through scipy where numpy has no
# single-pass equivalent (axpy)
SCIPY_STMT = {
    "dot": "B_dot(x, y)",
    "axpy": "B_axpy(x, y, a=a)",
    "scal": "B_scal(a, x)",
    "asum": "B_asum(x)",
    "nrm2": "B_nrm2(x)",
}


def cases(mode: str) -> list[tuple[Any, str, int]]:
    return kernel_cases(functions("level1"), SIZES[mode])


def count(mode: str) -> int:
    return len(cases(mode))


def _scipy_blas() -> Any:
    try:
        from scipy.linalg import blas
    except Exception:
        return None
    return blas


def copy_setup(nbytes: int, dtype: str) -> dict[str, Any]:
    """``np.copyto(d, s)`` moving ``nbytes`` (read + written): the bandwidth
    reference of a level-1 kernel that moves as many bytes."""
    import numpy as np

    dt = np.dtype(DTYPES[dtype])
    m = max(1, nbytes // (2 * dt.itemsize))
    return {"np": np, "s": np.ones(m, dt), "d": np.zeros(m, dt), "m": m}


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    blas = _scipy_blas()
    if blas is None:
        ctx.notes.append("scipy not installed: axpy is compared with numpy's y += a*x (two passes)")
    rows = []
    for k, dt, n in cases(ctx.mode):
        kname = k.name
        entry = entry_name(kname, dt)
        progress.step(f"level-1 {kname} {dt} n={fmt_n(n)}")
        itemsize = 4 if dt == "f32" else 8
        nbytes = k.nbytes(n, itemsize)
        ns = setup(k, n, dt)
        row: dict[str, Any] = {"kernel": kname, "dtype": dt, "n": n, "bytes": nbytes, "refs": {}, "backends": {}}
        who: dict[str, Any] = {"=numpy": Local(k.numpy, ns)}
        stmts = {"numpy": k.numpy}
        if blas is not None and kname in SCIPY_STMT:
            p = "s" if dt == "f32" else "d"  # scipy's BLAS names
            ns["B_" + kname] = getattr(blas, p + kname)
            who["=scipy"] = Local(SCIPY_STMT[kname], ns)
            stmts["scipy"] = "scipy.linalg.blas." + SCIPY_STMT[kname].replace("B_", p)
        # numpy (and its OpenBLAS) at each lower level a backend belongs to
        for lvl in sorted({ctx.backend_level[b] for b in providers(entry, ctx.backends)} - {None},
                          reverse=True):
            c = ctx.remote(lvl, kname, dt, n, k.numpy) if lvl != ctx.default_level else None
            if c is not None:
                who["=" + lname(lvl)] = c
                stmts[lname(lvl)] = k.numpy
        # the bandwidth reference: a copy moving the same bytes
        cns = copy_setup(nbytes, dt)
        who["=copy"] = Local(COPY_STMT, cns)
        who.update(ctx.backend_contestants(entry, k.hostlib, ns))
        times = ctx.compare(who)
        t = times.pop("=copy")
        row["copy"] = {"elements": cns["m"], "ns": t["best_ns"], "gbps": nbytes / t["best_ns"], "timing": t}
        for key, t in times.items():
            cell = {"ns": t["best_ns"], "ns_per_elem": t["best_ns"] / n, "gbps": nbytes / t["best_ns"], "timing": t}
            if key.startswith("="):
                cell["stmt"] = stmts[key[1:]]
                row["refs"][key[1:]] = cell
            else:
                row["backends"][key] = cell
        del ns, cns, who
        # the reference: numpy, except axpy, where scipy's ?axpy is
        # the single-pass in-place equivalent
        ref_key = "scipy" if (kname == "axpy" and "scipy" in row["refs"]) else "numpy"
        row["ref"] = ref_key
        for cell in list(row["backends"].values()) + list(row["refs"].values()):
            cell["fraction_of_copy"] = cell["gbps"] / row["copy"]["gbps"]
        for name, cell in row["backends"].items():
            cell["speedup_vs_ref"] = ratio(row["refs"][ref_key]["ns"], cell["ns"])
            cell["speedup_vs_numpy"] = ratio(row["refs"]["numpy"]["ns"], cell["ns"])
            # numpy's statement at the backend's own level (the default
            # level is the "numpy" reference itself)
            eq = lname(ctx.backend_level[name])
            ref = row["refs"]["numpy"] if ctx.backend_level[name] == ctx.default_level else row["refs"].get(eq)
            cell["equal_isa"] = eq
            cell["speedup_vs_numpy_equal_isa"] = ratio(ref["ns"], cell["ns"]) if ref else None
            if "scipy" in row["refs"]:
                cell["speedup_vs_scipy"] = ratio(row["refs"]["scipy"]["ns"], cell["ns"])
        rows.append(row)
        progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    names = columns(res, rows)
    out = ["", "== Level-1: speedup vs the reference (numpy; axpy: scipy.linalg.blas ?axpy if scipy is installed)"]
    out.append(render_table(
        ["kernel", "dtype", "n", "reference", "ref ns/elem", *names],
        [[r["kernel"], r["dtype"], fmt_n(r["n"]),
          r["refs"][r["ref"]]["stmt"].split("(")[0].replace("scipy.linalg.blas.", "scipy "),
          f(r["refs"][r["ref"]]["ns"] / r["n"]),
          *[f(r["backends"].get(b, {}).get("speedup_vs_ref")) for b in names]] for r in rows],
        "llrlr" + "r" * len(names)))
    if any(c.get("speedup_vs_numpy_equal_isa") is not None for r in rows for c in r["backends"].values()):
        out += ["", "== Level-1: speedup vs numpy default / vs numpy at equal instruction set (numpy's own "
                "statement, its OpenBLAS at the same level)"]
        out.append(equal_isa_table(res, rows, names, "numpy", ["kernel", "dtype", "n"],
                                   lambda r: [r["kernel"], r["dtype"], fmt_n(r["n"])]))
    srows = [r for r in rows if "scipy" in r["refs"]]
    if srows:
        out += ["", "== Level-1: speedup vs OpenBLAS through scipy.linalg.blas (includes f2py call overhead)"]
        out.append(render_table(
            ["kernel", "dtype", "n", "scipy ns/elem", *names],
            [[r["kernel"], r["dtype"], fmt_n(r["n"]), f(r["refs"]["scipy"]["ns"] / r["n"]),
              *[f(r["backends"].get(b, {}).get("speedup_vs_scipy")) for b in names]] for r in srows],
            "llrr" + "r" * len(names)))
    out += ["", "== Level-1: fraction of copy bandwidth (bytes read+written per call / time, over np.copyto "
            "moving the same bytes; dot 2n, axpy 3n, scal 2n, asum/nrm2/sum n elements)"]
    out.append(render_table(
        ["kernel", "dtype", "n", "copy GB/s", *names, "numpy"],
        [[r["kernel"], r["dtype"], fmt_n(r["n"]), f(r["copy"]["gbps"]),
          *[f(r["backends"].get(b, {}).get("fraction_of_copy")) for b in names],
          f(r["refs"]["numpy"]["fraction_of_copy"])] for r in rows],
        "llrr" + "r" * (len(names) + 1)))
    return out


PANELS = (1, 1)


def plot(res: dict[str, Any], rows: list[dict[str, Any]], axes: list[Any], colors: dict[str, Any]) -> set[str]:
    import numpy as np

    n = pick_n(rows, 100_000)
    used = speedup_bars(axes[0], res, [r for r in rows if r["n"] == n], colors,
                        lambda r: f"{r['kernel']} {r['dtype']}", "speedup_vs_ref", None,
                        f"Level-1, n={fmt_n(n)}: speedup vs numpy (axpy: scipy OpenBLAS)", "speedup (log)")
    # the largest size: bandwidth against a copy, numpy's too
    nb = max(r["n"] for r in rows)
    rows = [r for r in rows if r["n"] == nb]
    ax = axes[1]
    cols = [b for b in res["backends"] if any(b in r["backends"] for r in rows)] + ["numpy"]
    w = 0.8 / len(cols)
    x = np.arange(len(rows))
    for i, b in enumerate(cols):
        if b == "numpy":
            vals = [r["refs"]["numpy"]["fraction_of_copy"] for r in rows]
            c = "lightgray"
        else:
            vals = [r["backends"].get(b, {}).get("fraction_of_copy") or np.nan for r in rows]
            c = colors[b]
        ax.bar(x - 0.4 + w * (i + 0.5), vals, w, color=c, label=b if b == "numpy" else None)
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xticks(x, [f"{r['kernel']} {r['dtype']}" for r in rows], rotation=45, ha="right", fontsize=8)
    ax.set_title(f"Level-1, n={fmt_n(nb)}: bandwidth as a fraction of np.copyto of the same bytes (1.0 = copy)",
                 fontsize=10)
    ax.set_ylabel("fraction of copy bandwidth")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    return used
