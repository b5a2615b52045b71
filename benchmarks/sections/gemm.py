"""gemm, one thread, in GFLOP/s: per backend against numpy.matmul (numpy's
OpenBLAS) at its default and at the backend's instruction set
(OPENBLAS_CORETYPE, in a worker), and against MKL's cblas_?gemm; squares,
then shapes beyond squares."""

from __future__ import annotations

from typing import Any

from common import DTYPES, KERNELS, columns, equal_isa_table, fmt_num, functions, render_table, setup, \
    speedup_bars, versus_reference

NAME = "gemm"
USES_MKL = True
SQUARES = {"full": (16, 32, 64, 128, 256, 1024, 2048), "quick": (32, 64, 256), "smoke": (8,)}
# (label, m, k, n, trans); trans "TN" = op(A) is a transposed view
SHAPES = (
    ("tall 2000x16 @ 16x16", 2000, 16, 16, "NN"),
    ("wide 16x16 @ 16x2000", 16, 16, 2000, "NN"),
    ("k=1 512x1 @ 1x512", 512, 1, 512, "NN"),
    ("long k 16x2000 @ 2000x16", 16, 2000, 16, "NN"),
    ("A^T 512", 512, 512, 512, "TN"),
    ("B^T 512", 512, 512, 512, "NT"),
    ("A^T B^T 512", 512, 512, 512, "TT"),
)
WITH_SHAPES = {"full": True, "quick": True, "smoke": False}
CONVENTIONS = {"gflops": "gemm: 2*m*n*k flops per call (squares: 2*n^3)"}


def cases(mode: str) -> list[tuple[Any, str, str, tuple]]:
    """(kernel, dtype, label, (m, k, n, trans)) for the interface's gemm."""
    shapes = [(str(n), (n, n, n, "NN")) for n in SQUARES[mode]]
    shapes += [(label, tuple(shape)) for label, *shape in SHAPES] if WITH_SHAPES[mode] else []
    return [(KERNELS[name], dt, label, shape) for name in functions("gemm") for dt in DTYPES
            for label, shape in shapes]


def count(mode: str) -> int:
    return len(cases(mode))


def run(ctx: Any, progress: Any) -> list[dict[str, Any]]:
    rows = []
    # OpenBLAS at an ISA level only where its core type really took effect
    levels = tuple(lvl for lvl in (3, 2) if (ctx.levels.get(lvl) or {}).get("openblas_ok"))
    for k, dt, label, shape in cases(ctx.mode):
        progress.step(f"gemm {dt} {label}")
        m, kk, n, trans = shape
        flops = 2 * m * kk * n
        ns = setup(k, n, dt, shape=shape)
        reference, backends, mkl = versus_reference(
            ctx, k, dt, n, ns, levels,
            lambda t: {"ns": t["best_ns"], "gflops": flops / t["best_ns"], "timing": t}, "openblas",
            ctx.mkl.gemm(dt, ns) if ctx.mkl else None, shape,
        )
        del ns
        row = {"kernel": k.name, "dtype": dt, "n": n, "label": label, "flops": flops, "openblas": reference,
               "mkl": mkl, "backends": backends}
        if shape != (n, n, n, "NN"):
            row["shape"] = {"m": m, "k": kk, "n": n, "trans": trans}
        rows.append(row)
        progress.advance()
    return rows


def format(res: dict[str, Any], rows: list[dict[str, Any]]) -> list[str]:
    f = fmt_num
    names = columns(res, rows)
    ob = [L for L in res.get("levels", {}) if any(L in r["openblas"] for r in rows)] or ["default"]
    mk = ["MKL"] if any(r.get("mkl") for r in rows) else []
    out = ["", "== gemm (C = A @ B, row-major; n = square, else m x k @ k x n, ^T = a transposed view), "
           "GFLOP/s, one thread; OpenBLAS = numpy.matmul" + ("; MKL = cblas_?gemm" if mk else "")]
    out.append(render_table(
        ["dtype", "n", *names, *[f"OpenBLAS {L}" for L in ob], *mk],
        [[r["dtype"], r.get("label", str(r["n"])), *[f(r["backends"].get(b, {}).get("gflops")) for b in names],
          *[f(r["openblas"].get(L, {}).get("gflops")) for L in ob],
          *[f((r.get("mkl") or {}).get("gflops")) for _ in mk]] for r in rows],
        "ll" + "r" * (len(names) + len(ob) + len(mk))))
    out += ["", "== gemm: speedup vs OpenBLAS default / vs OpenBLAS at equal instruction set (OPENBLAS_CORETYPE)"]
    out.append(equal_isa_table(res, rows, names, "openblas", ["dtype", "n"],
                               lambda r: [r["dtype"], r.get("label", str(r["n"]))]))
    if mk:
        out += ["", "== gemm: speedup vs MKL (cblas_?gemm, one thread)"]
        out.append(render_table(
            ["dtype", "n", *names],
            [[r["dtype"], r.get("label", str(r["n"])),
              *[f(r["backends"].get(b, {}).get("speedup_vs_mkl")) for b in names]]
             for r in rows if r.get("mkl")], "lr" + "r" * len(names)))
    return out


PANELS = (1,)


def plot(res: dict[str, Any], rows: list[dict[str, Any]], axes: list[Any], colors: dict[str, Any]) -> set[str]:
    return speedup_bars(axes[0], res, rows, colors, lambda r: f"{r['dtype']} {r.get('label', 'n=' + str(r['n']))}",
                        "speedup_vs_openblas", "speedup_vs_openblas_equal_isa",
                        "gemm, 1 thread: speedup vs numpy.matmul/OpenBLAS (bars), vs OpenBLAS at equal ISA (ticks)",
                        "speedup (log)")
