"""hostlib on a Dask cluster: every worker chooses kernels for its own CPU.

Nothing is shipped from the client but names: hostlib's ufuncs and
functions pickle as references (``hostlib.exp``), so each worker
process imports its own hostlib, which detects that node's CPU, reads that
node's ``HOSTLIB_*`` variables and profile, and serves its own backends.
This module gathers what they chose and offers chunked forms of the BLAS-like
functions for dask arrays::

    from dask.distributed import Client
    import dask.array as da
    import hostlib, hostlib.dask

    client = Client(...)
    print(hostlib.dask.cluster_report(client))   # every worker, one table
    hostlib.dask.tune(client)                    # measure on every worker

    x = da.random.random(10_000_000, chunks=1_000_000)
    hostlib.exp(x)                               # lazy: a dask array
    hostlib.dask.dot(x, x).compute()             # chunked, fixed combining order
    hostlib.dask.gemm(a, b)                      # blockwise matrix product

Importing ``hostlib`` never imports dask; importing this module does not
either -- each function imports what it needs, so the worker-side helpers
stay cheap.
"""

from __future__ import annotations

import json
import os
import socket
import warnings
from typing import Any, Callable, Sequence

import numpy as np

import hostlib

from ._report import _MARKS, _entry_cell, _wrap

__all__ = ["cluster_report", "local_info", "tune", "dot", "nrm2", "sum", "gemm"]


#: variables that set the size of the BLAS/OpenMP pools a worker loads
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# ---------------------------------------------------------------------------
# what one worker runs
# ---------------------------------------------------------------------------


def _thread_pools() -> list[dict[str, Any]] | None:
    """The native thread pools loaded in this process (threadpoolctl), or
    None when threadpoolctl is not installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    return [
        {
            "library": p.get("prefix"),
            "api": p.get("internal_api"),
            "num_threads": p.get("num_threads"),
            "version": p.get("version"),
            "file": p.get("filepath"),
        }
        for p in threadpool_info()
    ]


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def local_info(dask_worker: Any = None) -> dict[str, Any]:
    """This process's :func:`hostlib.runtime_info`, plus where it runs and
    its threads: what :func:`cluster_report` gathers from every worker.

    ``dask_worker`` is filled in by ``Client.run``; called elsewhere, the
    Dask fields are None.
    """
    info = hostlib.runtime_info()
    info["node"] = {
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
        "cpu_count": os.cpu_count(),
        "usable_cores": _usable_cores(),
    }
    nthreads = getattr(getattr(dask_worker, "state", None), "nthreads", None)
    info["dask"] = {
        "name": None if dask_worker is None else str(dask_worker.name),
        "nthreads": nthreads,
    }
    info["threads"] = {
        # threads one call of a hostlib kernel may run on: hostlib's pool
        # (a call arriving while the pool is busy runs on its caller alone);
        # backends with pools of their own, such as OpenBLAS, are in "pools"
        "hostlib_kernels": hostlib.get_num_threads(),
        "pools": _thread_pools(),
        "environment": {k: os.environ.get(k) for k in _THREAD_VARS},
    }
    return info


def _peak_threads(info: dict[str, Any]) -> int:
    """Threads one worker may run at once: each of its Dask threads calls
    at most one kernel, which runs on the caller alone (hostlib's kernels) or
    on a whole pool (a threaded BLAS)."""
    pools = info["threads"]["pools"] or []
    per_call = max([info["threads"]["hostlib_kernels"], *(p["num_threads"] or 1 for p in pools)])
    return (info["dask"]["nthreads"] or 1) * per_call


def hosts_summary(workers: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per machine: its workers, its cores, and the most threads they may
    run at once; ``oversubscribed`` when that exceeds the cores."""
    hosts: dict[str, dict[str, Any]] = {}
    for addr, info in workers.items():
        h = hosts.setdefault(info["node"]["hostname"], {"workers": [], "cores": 0, "peak_threads": 0})
        h["workers"].append(addr)
        h["cores"] = max(h["cores"], info["node"]["cpu_count"] or 1)
        h["peak_threads"] += _peak_threads(info)
    for h in hosts.values():
        h["oversubscribed"] = h["peak_threads"] > h["cores"]
    return hosts


# ---------------------------------------------------------------------------
# the cluster report
# ---------------------------------------------------------------------------


def _kind(info: dict[str, Any]) -> str:
    """What makes two workers' hostlib behave alike (not where they run)."""
    return json.dumps(
        [
            info["cpu"],
            info["entries_detail"],
            info["selection"],
            info["hostlib"]["version"],
            info["numpy"],
            info["python"],
            [(b["name"], b["status"], b["reason"], b["version"]) for b in info["backends"]],
            info["profile"]["state"],
            info["dask"]["nthreads"],
            info["threads"]["pools"] and [(p["library"], p["num_threads"]) for p in info["threads"]["pools"]],
        ],
        sort_keys=True,
        default=str,
    )


def _gather(client: Any) -> dict[str, Any]:
    workers = client.run(local_info)
    kinds: dict[str, list[str]] = {}
    for addr in sorted(workers):
        kinds.setdefault(_kind(workers[addr]), []).append(addr)
    return {
        "workers": workers,
        "kinds": list(kinds.values()),
        "hosts": hosts_summary(workers),
    }


def cluster_report(client: Any, *, format: str = "text") -> Any:
    """hostlib on every worker of a Dask cluster, in one place.

    For each worker: its CPU features (usable, masked), every backend and
    whether it can run there, the backend serving each entry and whether
    that choice was measured (``hostlib tune``), declared by priority,
    forced or the only one, versions, and its threads (Dask threads,
    hostlib's kernels, the BLAS pools threadpoolctl finds). Workers that
    behave alike are shown once, as one *kind*; each machine's threads
    are added up and compared with its cores.

    ``format``: ``"text"`` (a str, like :func:`hostlib.show_runtime`),
    ``"dict"`` (JSON-ready: ``{"workers": {address: local_info()},
    "kinds": [[address, ...], ...], "hosts": {hostname: {...}}}``) or
    ``"json"`` (that dict as a JSON string).
    """
    if format not in ("text", "dict", "json"):
        raise ValueError(f"format must be 'text', 'dict' or 'json', not {format!r}")
    data = _gather(client)
    if format == "dict":
        return data
    if format == "json":
        return json.dumps(data, indent=1, default=str)
    return format_cluster_report(data)


#: workers named per kind in the text report (all are in the dict form)
_LISTED = 6


def _label(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else f"K{i}"


def _pools_text(info: dict[str, Any]) -> str:
    pools = info["threads"]["pools"]
    if pools is None:
        return "BLAS pools unknown (threadpoolctl not installed)"
    if not pools:
        return "no BLAS/OpenMP pool loaded"
    # the file name tells two copies of one library apart (numpy's OpenBLAS, a backend's)
    return ", ".join(f"{os.path.basename(p['file'] or p['library']).split('.')[0]} {p['num_threads']}" for p in pools)


def format_cluster_report(data: dict[str, Any]) -> str:
    """The text form of ``cluster_report(client, format="dict")``."""
    workers, kinds = data["workers"], data["kinds"]
    nhosts = len(data["hosts"])
    out = [f"hostlib on {len(workers)} Dask worker{'s' * (len(workers) != 1)}, "
           f"{nhosts} machine{'s' * (nhosts != 1)}, {len(kinds)} kind{'s' * (len(kinds) != 1)} of worker", ""]
    if not workers:
        return out[0]
    for i, addrs in enumerate(kinds):
        info = workers[addrs[0]]
        cpu = info["cpu"]
        shown = [a if workers[a]["dask"]["name"] in (None, a) else f"{a} ({workers[a]['dask']['name']})"
                 for a in addrs[:_LISTED]]
        listed = ", ".join(shown) + (f", and {len(addrs) - _LISTED} more" if len(addrs) > _LISTED else "")
        out.append(f"[{_label(i)}] {len(addrs)} worker{'s' * (len(addrs) != 1)}: " + _wrap(listed.split(" "), 4))
        out.append(f"    hostlib {info['hostlib']['version']}, numpy {info['numpy']}, Python {info['python']}, "
                   f"{cpu['arch']}")
        out.append("    CPU:      " + _wrap(list(cpu["available"]), 14))
        if cpu["requested_mask"]:
            masked = [f for f in cpu["masked"] if f in cpu["detected"]]
            out.append("    masked:   " + _wrap(masked, 14)
                       + f"   (HOSTLIB_DISABLE_FEATURES={','.join(cpu['requested_mask'])})")
        usable = [b["name"] for b in info["backends"] if b["usable"]]
        others = [f"{b['name']} ({b['reason'] or b['status']})" for b in info["backends"] if not b["usable"]]
        out.append("    backends: " + " ".join(usable) + (f"; not usable: {'; '.join(others)}" if others else ""))
        out.append(f"    profile:  {info['profile']['state'] or '-'}")
        out.append(f"    threads:  {info['dask']['nthreads']} Dask, hostlib kernels "
                   f"{info['threads']['hostlib_kernels']} per call, {_pools_text(info)}")
        out.append("")

    labels = [_label(i) for i in range(len(kinds))]
    details = [workers[addrs[0]]["entries_detail"] for addrs in kinds]
    out.append("Entries  " + "".join(f"{lab:<18}" for lab in labels).rstrip())
    for e in dict.fromkeys(e for d in details for e in d):  # workers may run different versions
        out.append(f"  {e:<7}" + "".join(f"{_entry_cell(d[e]) if e in d else '-':<18}" for d in details).rstrip())
    marks = {d[e]["choice"] for d in details for e in d}
    if marks & {k for k, m in _MARKS.items() if m}:
        out.append("  m = measured (margin over the runner-up), d = declared priority, ~ = size-dependent winner")
    out.append("")

    out.append("Machines (threads at once = Dask threads x threads per kernel call, summed over workers)")
    for name, h in sorted(data["hosts"].items()):
        verdict = "OVERSUBSCRIBED" if h["oversubscribed"] else "ok"
        out.append(f"  {name}: {len(h['workers'])} worker{'s' * (len(h['workers']) != 1)}, "
                   f"up to {h['peak_threads']} threads on {h['cores']} cores: {verdict}")
    if any(h["oversubscribed"] for h in data["hosts"].values()):
        out.append("  " + _wrap("Limit the BLAS pools to 1 thread per worker thread (OPENBLAS_NUM_THREADS=1, "
                                "which Dask's nanny sets by default) or run fewer Dask threads.".split(), 2))
    return "\n".join(out)


# ---------------------------------------------------------------------------
# measured selection on every worker
# ---------------------------------------------------------------------------


def _placement() -> dict[str, Any]:
    info = hostlib.runtime_info()
    return {"hostname": socket.gethostname(), "profile": info["profile"]["path"],
            "features": info["cpu"]["available"]}


def _tune_here(quick: bool, entries: Sequence[str] | None, save: bool) -> dict[str, Any]:
    return hostlib.tune(quick=quick, entries=entries, save=save).to_dict()


def tune(
    client: Any,
    *,
    quick: bool = False,
    entries: Sequence[str] | None = None,
    save: bool = True,
) -> dict[str, dict[str, Any]]:
    """Run :func:`hostlib.tune` on every worker; returns address -> what it
    measured (``TuneResult.to_dict()``).

    Each worker measures its own backends on its own CPU and saves its own
    profile, so later worker processes on that machine start with the
    measured choice. Workers on one machine are measured one after another
    (timings taken while a neighbour is timing on the same cores would be
    noise); machines are measured in parallel. Run it on an idle cluster:
    it runs as an ordinary task on each worker, and while it runs, that
    worker's other tasks are served by whichever backend is being timed
    (their results stay correct, only their speed suffers).

    Workers on one machine that see the same CPU and usable features, in
    one Python environment, share one profile file (its name says so);
    workers that differ in usable features (``HOSTLIB_DISABLE_FEATURES``)
    have a file each, unless ``HOSTLIB_PROFILE`` names one file for all: then
    the last one measured owns it and the others' measurement lasts only for
    their running processes, and a :class:`hostlib.ProfileWarning` says so.
    """
    places = client.run(_placement)
    by_host: dict[str, list[str]] = {}
    for addr in sorted(places):
        by_host.setdefault(places[addr]["hostname"], []).append(addr)
    if save:
        _warn_shared_profiles(places, by_host)
    results: dict[str, dict[str, Any]] = {}
    for round_ in range(max((len(a) for a in by_host.values()), default=0)):
        batch = [addrs[round_] for addrs in by_host.values() if round_ < len(addrs)]
        futures = [
            client.submit(_tune_here, quick, None if entries is None else list(entries), save,
                          workers=[addr], allow_other_workers=False, pure=False, key=f"hostlib-tune-{addr}")
            for addr in batch
        ]
        for addr, res in zip(batch, client.gather(futures)):
            results[addr] = res
    return results


def _warn_shared_profiles(places: dict[str, Any], by_host: dict[str, list[str]]) -> None:
    for host, addrs in by_host.items():
        by_path: dict[str, set[tuple[str, ...]]] = {}
        for a in addrs:
            by_path.setdefault(places[a]["profile"], set()).add(tuple(places[a]["features"]))
        for path, features in by_path.items():
            if len(features) > 1:
                warnings.warn(
                    f"workers on {host} with different usable CPU features share the profile {path}: "
                    "only the last one measured keeps its measurement after a restart "
                    "(give each its own HOSTLIB_PROFILE)",
                    hostlib.ProfileWarning,
                    stacklevel=3,
                )


# ---------------------------------------------------------------------------
# the BLAS-like functions on dask arrays
# ---------------------------------------------------------------------------


def _probe_dtype(fn: Callable[..., Any], *shapes_dtypes: tuple[tuple[int, ...], Any]) -> np.dtype:
    """The result dtype hostlib's own function gives for these input dtypes
    (and its TypeError for unsupported ones), from a call on tiny arrays."""
    return np.asarray(fn(*(np.ones(s, dtype=d) for s, d in shapes_dtypes))).dtype


def _as_vector(x: Any, fname: str, arg: str) -> Any:
    import dask.array as da

    x = da.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"{fname}: {arg} must be 1-D, got {x.ndim}-D")
    return x


def _scalar_block(value: Any, keepdims: bool) -> np.ndarray:
    return np.reshape(np.asarray(value), (1,) if keepdims else ())


def _sum_chunk(block: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return _scalar_block(hostlib.sum(block), keepdims)


def _nrm2_chunk(block: np.ndarray, axis: Any = None, keepdims: bool = False) -> np.ndarray:
    return _scalar_block(hostlib.nrm2(block), keepdims)


def _reduce(x: Any, chunk: Callable[..., np.ndarray], combine: Callable[..., np.ndarray],
            dtype: np.dtype, split_every: int | None, name: str) -> Any:
    import dask.array as da

    return da.reduction(x, chunk, combine, combine=combine, dtype=dtype, split_every=split_every,
                        concatenate=True, name=name, meta=np.empty((), dtype=dtype))


def sum(x: Any, *, split_every: int | None = None) -> Any:  # noqa: A001  (like hostlib.sum)
    """:func:`hostlib.sum` of a 1-D dask array, as a lazy 0-d dask array.

    Each chunk is summed by the hostlib of the worker that runs it, then the
    partial sums are summed by hostlib in chunk order, ``split_every`` at a
    time (Dask's default when None). The tree depends only on the chunks
    and ``split_every``, never on the order in which chunks finish: where
    every worker serves the same backend, the result is the same to the
    bit whatever ran where. Where workers differ, each partial sum is
    within the level-1 bound of the exact one, so the result is too.
    Result dtype as :func:`hostlib.sum`'s.
    """
    x = _as_vector(x, "sum", "x")
    return _reduce(x, _sum_chunk, _sum_chunk, _probe_dtype(hostlib.sum, ((1,), x.dtype)), split_every, "hostlib-sum")


def nrm2(x: Any, *, split_every: int | None = None) -> Any:
    """:func:`hostlib.nrm2` of a 1-D dask array, as a lazy 0-d dask array.

    The norm of each chunk, then the norm of those norms (which is the norm
    of the whole, and like it never overflows or underflows in between;
    inf if any element is infinite), combined in chunk order as in
    :func:`sum`.
    """
    x = _as_vector(x, "nrm2", "x")
    return _reduce(x, _nrm2_chunk, _nrm2_chunk, _probe_dtype(hostlib.nrm2, ((1,), x.dtype)), split_every, "hostlib-nrm2")


def _dot_block(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _scalar_block(hostlib.dot(x, y), True)


def dot(x: Any, y: Any, *, split_every: int | None = None) -> Any:
    """:func:`hostlib.dot` of two 1-D dask arrays, as a lazy 0-d dask array.

    The chunks of ``x`` and ``y`` are aligned (``unify_chunks``), each pair's
    dot product is computed by its worker's hostlib, and the partial products
    are summed by :func:`hostlib.sum` in chunk order as in :func:`sum`.
    The difference from ``numpy.dot`` stays within the level-1 bound
    ``4 (n + 1) eps sum|x_i y_i|`` whichever backend each worker uses.
    """
    import dask.array as da

    x = _as_vector(x, "dot", "x")
    y = _as_vector(y, "dot", "y")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"dot: x and y must have the same length, got {x.shape[0]} and {y.shape[0]}")
    dtype = _probe_dtype(hostlib.dot, ((1,), x.dtype), ((1,), y.dtype))
    _, (x, y) = da.unify_chunks(x, "i", y, "i")
    partial = da.blockwise(_dot_block, "i", x, "i", y, "i", dtype=dtype, adjust_chunks={"i": 1},
                           name="hostlib-dot-chunk", meta=np.empty((0,), dtype=dtype))
    return _reduce(partial, _sum_chunk, _sum_chunk, dtype, split_every, "hostlib-dot")


def _gemm_block(a: np.ndarray, b: np.ndarray, alpha: float, out_dtype: np.dtype) -> np.ndarray:
    c = np.empty((a.shape[0], b.shape[1]), dtype=out_dtype)
    hostlib.gemm(a, b, c, alpha=alpha)
    return c[:, None, :]


def gemm(
    a: Any,
    b: Any,
    c: Any = None,
    *,
    alpha: float = 1.0,
    beta: float = 0.0,
    trans_a: bool = False,
    trans_b: bool = False,
    split_every: int | None = None,
) -> Any:
    """``alpha * op(a) @ op(b) + beta * c`` for 2-D dask arrays, lazily,
    each block product computed by :func:`hostlib.gemm` on its worker.

    The chunks of ``op(a)``'s columns and ``op(b)``'s rows are aligned; for
    every output block (i, j) and every block k of the inner dimension, one
    task computes ``alpha * A[i, k] @ B[k, j]`` (``blockwise``), and the
    partial products are added in the order of k (``split_every`` at a
    time). ``c`` is not modified (dask arrays are immutable): the result is
    a new array, of ``c``'s dtype when given (float32 or float64, as for
    :func:`hostlib.gemm`), else float32 if both inputs are float32 and
    float64 otherwise. With ``beta == 0``, ``c`` is not read.
    """
    import dask.array as da

    a, b = da.asarray(a), da.asarray(b)
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError(f"gemm: a and b must be 2-D, got {a.ndim}-D and {b.ndim}-D")
    if trans_a:
        a = a.T
    if trans_b:
        b = b.T
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"gemm: op(a) is {a.shape[0]} x {a.shape[1]} but op(b) is {b.shape[0]} x {b.shape[1]}")
    if c is not None:
        c = da.asarray(c)
        if c.shape != (a.shape[0], b.shape[1]):
            raise ValueError(f"gemm: c must be {a.shape[0]} x {b.shape[1]}, got shape {c.shape}")
        if c.dtype not in (np.float32, np.float64):
            raise TypeError(f"gemm: c must be float32 or float64, got {c.dtype}")
        dtype = c.dtype
    elif beta != 0:
        raise ValueError("gemm: beta must be 0 when c is not given")
    else:
        dtype = _probe_dtype(hostlib.gemm, ((1, 1), a.dtype), ((1, 1), b.dtype))
    _, (a, b) = da.unify_chunks(a, "ik", b, "kj")
    partial = da.blockwise(_gemm_block, "ikj", a, "ik", b, "kj", dtype=dtype, adjust_chunks={"k": 1},
                           alpha=float(alpha), out_dtype=np.dtype(dtype), name="hostlib-gemm-block",
                           meta=np.empty((0, 0, 0), dtype=dtype))
    out = partial.sum(axis=1, dtype=dtype, split_every=split_every)
    if c is not None and beta != 0:
        out = out + np.asarray(beta, dtype=dtype) * c
    return out
