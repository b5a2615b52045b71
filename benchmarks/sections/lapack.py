"""LAPACK through a forwarding table (benchmarks/lapackbench.c, compiled at
run time): dgetrf at n = 100 through the OpenBLAS wheel's lapack table,
against the Fortran routine it forwards to (the same library) and against
scipy.linalg's dgetrf (scipy.linalg.cython_lapack: the LAPACK scipy bundles,
which may be another OpenBLAS build). Timed in C, one thread, each call
after a copy of A whose cost is subtracted."""

from __future__ import annotations

import ctypes
from typing import Any

from common import compile_ext, fmt_num, render_table

NAME = "lapack"
ROUNDS = {"full": 61, "quick": 21, "smoke": 3}
SIZES = {"full": (100, 400), "quick": (100,), "smoke": (100,)}
CONVENTIONS = {
    "lapack_forwarding": "C loop of (copy A0 to A, dgetrf(A)); ns per call with the copy subtracted, best of "
    "interleaved rounds; table = the openblas lapack table's dgetrf, direct = scipy_dgetrf_ of the library it "
    "forwards to, scipy = scipy.linalg.cython_lapack.dgetrf",
}


def count(mode: str) -> int:
    return len(SIZES[mode])


def _capsule_address(capsule: Any) -> int:
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, [ctypes.py_object]
    get_ptr = ctypes.pythonapi.PyCapsule_GetPointer
    get_ptr.restype, get_ptr.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    return int(get_ptr(capsule, get_name(capsule)))


def _functions() -> tuple[dict[str, int], str | None]:
    """{path: dgetrf address}, or why the section cannot run."""
    try:
        import kernels_openblas
        from kernels_openblas import _openblas
        from hostlib._host import registry
    except ImportError as exc:
        return {}, f"hostlib-openblas is not installed ({exc})"
    host = registry.host("lapack")
    if "openblas" not in host.backends or not host.slot_address("openblas", "dgetrf"):
        return {}, "the openblas backend serves no lapack table (an older hostlib-openblas?)"
    fns = {"table": host.slot_address("openblas", "dgetrf")}
    path = _openblas.library_path()
    if path:
        fns["direct"] = ctypes.cast(ctypes.CDLL(path).scipy_dgetrf_, ctypes.c_void_p).value
    try:
        import scipy.linalg.cython_lapack as cl

        fns["scipy"] = _capsule_address(cl.__pyx_capi__["dgetrf"])
    except (ImportError, KeyError):
        pass
    kernels_openblas.set_num_threads(1)
    return fns, None


def run(ctx: Any, progress: Any) -> dict[str, Any]:
    import numpy as np

    mod, how = compile_ext("lapackbench")
    fns, why = _functions() if mod is not None else ({}, how)
    if why:
        ctx.notes.append("lapack forwarding not measured: " + why)
        for _ in SIZES[ctx.mode]:
            progress.advance()
        return {"skipped": why}
    try:
        import threadpoolctl

        threadpoolctl.threadpool_limits(1)  # scipy's own OpenBLAS too
    except ImportError:
        pass
    kinds = {k: (mod.KIND_FORTRAN if k != "table" else mod.KIND_TABLE, fn) for k, fn in fns.items()}
    kinds["copy"] = (mod.KIND_COPY, 0)
    rows = []
    for n in SIZES[ctx.mode]:
        progress.step(f"dgetrf n={n} through the lapack table")
        a0 = np.asfortranarray(np.random.default_rng(0).standard_normal((n, n)))
        a = a0.copy(order="F")
        calls = max(2, 5_000_000 // (n * n * n // 3 + 1))
        best = {k: float("inf") for k in kinds}
        order = list(kinds)
        for r in range(ROUNDS[ctx.mode]):  # interleaved, order rotated
            for k in order[r % len(order):] + order[: r % len(order)]:
                kind, fn = kinds[k]
                best[k] = min(best[k], mod.run(kind, fn, a.ctypes.data, a0.ctypes.data, n, calls) / calls)
        net = {k: v - best["copy"] for k, v in best.items() if k != "copy"}
        rows.append({"n": n, "calls_per_loop": calls, "ns_per_call": net, "copy_ns": best["copy"],
                     **{f"table_over_{k}": net["table"] / net[k] for k in net if k != "table"}})
        progress.advance()
    return {"compiler": how, "rows": rows}


def format(res: dict[str, Any], result: dict[str, Any]) -> list[str]:
    f = fmt_num
    out = ["", "== LAPACK forwarding: dgetrf through the openblas lapack table vs the routine it calls (direct, same "
           "library) and scipy.linalg's (its bundled LAPACK); C, 1 thread, copy of A subtracted; target table/direct "
           "<= 1.02"]
    if "skipped" in result:
        return out + ["skipped: " + result["skipped"]]
    rows = result["rows"]
    cols = [k for k in ("table", "direct", "scipy") if k in rows[0]["ns_per_call"]]
    out.append(render_table(
        ["n"] + [f"{k} ns" for k in cols] + [f"table/{k}" for k in cols[1:]],
        [[str(r["n"])] + [f(r["ns_per_call"][k]) for k in cols] + [f(r[f"table_over_{k}"]) for k in cols[1:]]
         for r in rows],
        "r" * (2 * len(cols))))
    return out
