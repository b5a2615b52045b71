"""hostlib on Dask: lazy ufuncs, pickling, and a heterogeneous local cluster.

The cluster is a scheduler and two worker processes (each under a nanny) on
the loopback interface, one with ``HOSTLIB_DISABLE_FEATURES=AVX2`` to stand
for an older node: each must choose its own backends, the report must show
both, and results computed with chunks on both must agree with numpy within
the stated bounds. Work stealing is off so that a task runs where its
chunk lives. Starting and stopping the cluster takes about a second.
"""

from __future__ import annotations

import json
import os
import pickle
import time

import numpy as np
import pytest

pytest.importorskip("distributed", reason="dask[distributed] is not installed (it is in the test extra)")

import cloudpickle  # noqa: E402  (a dependency of distributed)
import dask  # noqa: E402
import dask.array as da  # noqa: E402
from distributed import Client, Nanny, Scheduler, SpecCluster, get_task_stream  # noqa: E402

import hostlib  # noqa: E402
import hostlib.dask as hd  # noqa: E402

LOOPBACK = "127.0.0.1"
EPS64 = np.finfo(np.float64).eps


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(client, {"plain": address, "noavx2": address}); checks on teardown
    that both worker processes are gone."""
    profiles = tmp_path_factory.mktemp("profiles")
    envs = {
        "plain": {"HOSTLIB_DISABLE_FEATURES": ""},
        "noavx2": {"HOSTLIB_DISABLE_FEATURES": "AVX2"},
    }
    spec = {
        name: {
            "cls": Nanny,
            "options": {
                "nthreads": 1,
                "host": LOOPBACK,
                "dashboard_address": None,
                # each its own profile: a developer's saved one must not
                # matter, and the two must not share a file
                "env": {**env, "HOSTLIB_BACKEND": "auto", "HOSTLIB_TUNE": "on",
                        "HOSTLIB_PROFILE": str(profiles / f"{name}.json")},
            },
        }
        for name, env in envs.items()
    }
    scheduler = {"cls": Scheduler, "options": {"host": LOOPBACK, "dashboard_address": None}}
    saved_environ = dict(os.environ)  # the nanny sets OMP_NUM_THREADS etc. in this process too
    with dask.config.set({"distributed.scheduler.work-stealing": False}):
        cl = SpecCluster(workers=spec, scheduler=scheduler, silence_logs=40)
    os.environ.clear()
    os.environ.update(saved_environ)
    client = Client(cl)
    client.wait_for_workers(2)
    names = {info["name"]: addr for addr, info in client.scheduler_info()["workers"].items()}
    pids = client.run(os.getpid)
    try:
        yield client, names
    finally:
        client.close()
        cl.close()
        deadline = time.monotonic() + 10
        alive = set(pids.values())
        while alive and time.monotonic() < deadline:
            alive = {p for p in alive if _running(p)}
            time.sleep(0.05)
        assert cl.status.name == "closed"
        assert not alive, f"worker processes {sorted(alive)} still running after the cluster closed"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie has exited; only its parent has not reaped it yet
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _needs_avx2() -> None:
    if not hostlib.cpu_features()["AVX2"]:
        pytest.skip("this CPU has no AVX2: masking it cannot make the workers differ")


# ---------------------------------------------------------------------------
# without a cluster
# ---------------------------------------------------------------------------


def test_import_hostlib_does_not_import_dask(run_python):
    r = run_python("import sys, hostlib; hostlib.runtime_info(); print('dask' in sys.modules)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_ufuncs_are_lazy_on_dask_arrays():
    x = da.linspace(-5.0, 5.0, 1000, chunks=300)
    for f in (hostlib.exp, hostlib.sin, hostlib.sqrt):
        y = f(abs(x)) if f is hostlib.sqrt else f(x)
        assert isinstance(y, da.Array), f"{f.__name__} computed eagerly on a dask array"
        assert y.chunks == x.chunks and y.dtype == np.float64
        xn = x.compute(scheduler="sync")
        want = f(abs(xn)) if f is hostlib.sqrt else f(xn)
        np.testing.assert_array_equal(y.compute(scheduler="sync"), want)  # same process, same kernels
    assert hostlib.exp(x.astype(np.float32)).dtype == np.float32


def test_ufuncs_and_functions_pickle_as_references():
    for obj in (hostlib.exp, hostlib.log, hostlib.cos, hostlib.dot, hostlib.gemm, hostlib.nrm2):
        for dumps in (pickle.dumps, cloudpickle.dumps):
            data = dumps(obj)
            # its public name (hostlib.exp), resolved by the receiving
            # process's hostlib: no code travels, no private module named
            assert b"hostlib" in data and b"_wrappers" not in data and len(data) < 200, data
            assert pickle.loads(data) is obj


def test_a_function_selecting_backends_with_using_pickles_by_value():
    # defined locally, as in a notebook: cloudpickle sends it by value
    def portable_dot(a):
        with hostlib.using("portable"):
            return hostlib.dot(a, a), hostlib.active()["ddot"]

    f = cloudpickle.loads(cloudpickle.dumps(portable_dot))
    assert f(np.arange(4.0)) == (14.0, "portable")


def test_a_function_decorated_with_using_pickles_by_value():
    """What Dask does with a function defined in a script or notebook."""
    @hostlib.using("portable")
    def portable_dot(a):
        return hostlib.dot(a, a), hostlib.active()["ddot"]

    again = cloudpickle.loads(cloudpickle.dumps(portable_dot))
    assert again(np.arange(5.0)) == (30.0, "portable")
    assert hostlib.active()["ddot"] != "portable" or len(hostlib.backends()) == 1  # restored after the call


def test_oversubscription_is_counted_per_machine():
    def worker(host, nthreads, blas_threads, cores=2):
        return {"node": {"hostname": host, "cpu_count": cores},
                "dask": {"nthreads": nthreads},
                "threads": {"hostlib_kernels": 1,
                            "pools": [{"library": "libscipy_openblas", "num_threads": blas_threads}]}}

    hosts = hd.hosts_summary({"a1": worker("a", 1, 1), "a2": worker("a", 1, 1),
                              "b1": worker("b", 2, 2), "c1": worker("c", 3, 1)})
    assert (hosts["a"]["peak_threads"], hosts["a"]["oversubscribed"]) == (2, False)
    assert (hosts["b"]["peak_threads"], hosts["b"]["oversubscribed"]) == (4, True)  # 2 Dask x 2 OpenBLAS
    assert hosts["c"]["oversubscribed"]
    assert sorted(hosts["a"]["workers"]) == ["a1", "a2"]


def test_partial_results_are_combined_in_chunk_order():
    """Whatever order the chunks finish in, the partial sums are added in
    the same tree: with the same backend everywhere, the same bits."""
    rng = np.random.default_rng(17)
    parts = [rng.standard_normal(n) * 10.0 ** rng.integers(-8, 8) for n in (700, 1, 900, 300, 500)]
    x = da.concatenate([da.from_array(p) for p in parts])
    got = [hd.sum(x, split_every=2).compute(scheduler=how) for how in ("sync", "threads", "threads")]
    assert len({float(g) for g in got}) == 1
    d = hd.dot(x, x, split_every=3)
    assert d.compute(scheduler="sync") == d.compute(scheduler="threads")
    xn = np.concatenate(parts)
    assert abs(got[0] - xn.sum()) <= 4 * (xn.size + 1) * EPS64 * np.abs(xn).sum()


def test_workers_sharing_a_profile_with_different_features_are_warned():
    places = {"w1": {"hostname": "n1", "profile": "/p.json", "features": ["SSE2", "AVX2"]},
              "w2": {"hostname": "n1", "profile": "/p.json", "features": ["SSE2"]},
              "w3": {"hostname": "n2", "profile": "/p.json", "features": ["SSE2"]}}
    with pytest.warns(hostlib.ProfileWarning, match="n1 .* share the profile /p.json"):
        hd._warn_shared_profiles(places, {"n1": ["w1", "w2"], "n2": ["w3"]})


def test_chunked_functions_check_their_arguments():
    x = da.ones(10, chunks=5)
    with pytest.raises(ValueError, match="1-D"):
        hd.dot(da.ones((2, 2)), x)
    with pytest.raises(ValueError, match="same length"):
        hd.dot(x, da.ones(9))
    with pytest.raises(TypeError):
        hd.sum(da.ones(4, dtype=complex))
    with pytest.raises(ValueError, match="op\\(a\\) is 3 x 4"):
        hd.gemm(da.ones((3, 4)), da.ones((3, 4)))
    with pytest.raises(ValueError, match="beta"):
        hd.gemm(da.ones((2, 2)), da.ones((2, 2)), beta=1.0)


# ---------------------------------------------------------------------------
# on the cluster
# ---------------------------------------------------------------------------


def test_cluster_report_shows_each_workers_own_choice(cluster):
    client, names = cluster
    _needs_avx2()
    data = hd.cluster_report(client, format="dict")
    assert sorted(data["workers"]) == sorted(names.values())
    assert all(a.startswith(f"tcp://{LOOPBACK}:") for a in data["workers"])
    plain, old = data["workers"][names["plain"]], data["workers"][names["noavx2"]]
    assert old["cpu"]["requested_mask"] == ["AVX2"] and "AVX2" not in old["cpu"]["available"]
    assert "AVX2" in plain["cpu"]["available"]
    assert old["entries"]["ddot"] != plain["entries"]["ddot"]
    assert {d["choice"] for d in plain["entries_detail"].values()} <= {"measured", "declared", "only"}
    assert len(data["kinds"]) == 2
    assert json.loads(hd.cluster_report(client, format="json"))["kinds"] == data["kinds"]

    text = hd.cluster_report(client)
    assert "2 Dask workers, 1 machine, 2 kinds of worker" in text
    assert "(HOSTLIB_DISABLE_FEATURES=AVX2)" in text
    ddot_row = next(line for line in text.splitlines() if line.startswith("  ddot "))
    assert plain["entries"]["ddot"] in ddot_row and old["entries"]["ddot"] in ddot_row
    with pytest.raises(ValueError, match="format"):
        hd.cluster_report(client, format="yaml")


def test_workers_do_not_oversubscribe(cluster):
    """The nanny limits the BLAS pools of its worker to one thread
    (``distributed.nanny.pre-spawn-environ``), and hostlib's kernels run on
    the calling thread: a worker runs at most as many threads as it has Dask
    threads."""
    client, _ = cluster
    data = hd.cluster_report(client, format="dict")
    for info in data["workers"].values():
        assert info["threads"]["hostlib_kernels"] == 1
        assert info["threads"]["environment"]["OPENBLAS_NUM_THREADS"] == "1"
        if info["threads"]["pools"] is not None:
            assert all(p["num_threads"] == 1 for p in info["threads"]["pools"]), info["threads"]["pools"]
    (machine,) = data["hosts"].values()
    assert machine["peak_threads"] == 2 and not machine["oversubscribed"]


def _spread(client, names, parts):
    """A 1-D dask array whose chunks live alternately on the two workers."""
    addrs = [names["plain"], names["noavx2"]]
    futures = [client.scatter(p, workers=[addrs[i % 2]]) for i, p in enumerate(parts)]
    return da.concatenate([da.from_delayed(f, p.shape, p.dtype) for f, p in zip(futures, parts)])


def test_exp_and_dot_with_chunks_on_both_workers_match_numpy(cluster):
    client, names = cluster
    rng = np.random.default_rng(15)
    xs = [rng.uniform(-700, 700, 20_000) for _ in range(6)]
    ys = [rng.standard_normal(20_000) for _ in range(6)]
    x, y = _spread(client, names, xs), _spread(client, names, ys)
    xn, yn = np.concatenate(xs), np.concatenate(ys)

    with get_task_stream(client) as ts:
        e = hostlib.exp(x).compute()
        d = hd.dot(x, y, split_every=2).compute()
    ran_on = {t["worker"] for t in ts.data if "exp" in str(t["key"]) or "hostlib-dot-chunk" in str(t["key"])}
    assert ran_on == set(names.values()), "the chunks did not run on both workers"

    # each backend is within 1 ULP of the correctly rounded exp, numpy within
    # its own error: 4 ULP is hostlib's stated bound against a reference
    np.testing.assert_array_max_ulp(e, np.exp(xn), maxulp=4)
    # the level-1 bound, whichever backend summed which chunk
    bound = 4 * (xn.size + 1) * EPS64 * np.sum(np.abs(xn * yn))
    assert abs(d - np.dot(xn, yn)) <= bound
    assert d.dtype == np.float64


def test_chunked_reductions_and_gemm_on_the_cluster(cluster):
    client, names = cluster
    rng = np.random.default_rng(16)
    parts = [rng.standard_normal(n) for n in (5_000, 3_000, 7_000, 1, 4_000)]
    x, xn = _spread(client, names, parts), np.concatenate(parts)
    s = hd.sum(x, split_every=2)
    assert isinstance(s, da.Array) and s.shape == ()
    # each chunk summed by the backend of the worker that ran it
    assert abs(s.compute() - xn.sum()) <= 4 * (xn.size + 1) * EPS64 * np.abs(xn).sum()
    nrm = hd.nrm2(x * 1e200, split_every=2).compute()  # squares would overflow
    assert np.isfinite(nrm)
    assert abs(nrm / 1e200 - np.linalg.norm(xn)) <= 4 * (xn.size + 1) * EPS64 * np.linalg.norm(xn)
    assert hd.sum(x.astype(np.float32)).dtype == np.float32

    a = rng.standard_normal((120, 90))
    b = rng.standard_normal((70, 90))
    c = rng.standard_normal((120, 70))
    ad = da.from_array(a, chunks=(50, 40))
    bd = da.from_array(b, chunks=(30, 25))  # chunks differ from a's: unify_chunks aligns k
    got = hd.gemm(ad, bd, c, alpha=0.5, beta=-2.0, trans_b=True).compute()
    want = 0.5 * a @ b.T - 2.0 * c
    bound = 4 * (90 + 1) * EPS64 * 0.5 * (np.abs(a) @ np.abs(b).T) + 2 * EPS64 * np.abs(2.0 * c)
    assert np.all(np.abs(got - want) <= bound)
    g32 = hd.gemm(ad.astype(np.float32), bd.T.astype(np.float32))
    assert g32.dtype == np.float32 and g32.compute().dtype == np.float32


def test_tune_measures_on_every_worker(cluster):
    client, names = cluster
    results = hd.tune(client, quick=True, entries=["ddot"])
    assert sorted(results) == sorted(names.values())
    for addr, res in results.items():
        assert list(res["entries"]) == ["ddot"]
        assert os.path.exists(res["path"])  # each worker's own profile
    assert len({res["path"] for res in results.values()}) == 2
    data = hd.cluster_report(client, format="dict")
    for info in data["workers"].values():
        assert info["entries_detail"]["ddot"]["choice"] == "measured"
        assert info["entries_detail"]["ddot"]["backend"] == results[_addr_of(data, info)]["entries"]["ddot"]["winner"]


def _addr_of(data, info):
    return next(a for a, i in data["workers"].items() if i is info)
