"""fastnn/dask/backends.py: where a dask fit computes (dask's local scheduler gives the
cluster's numbers) and the cluster's failures (a killed worker, a cluster gone). Skipped
without the ``dask`` extra."""

import os
import signal

import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from fastnn import dask as fdask  # noqa: E402

from .helpers import N_X, _assert_close, _dask, _data, _net, _wait_released  # noqa: E402


def test_local_scheduler_runs_the_same_graph(client):
    """Without a client (dask's synchronous scheduler) the numbers are the cluster's, bit for bit."""
    X, Y = _data(11)
    Xd, Yd = _dask(X, Y)
    on_cluster = _net([N_X, 5, 1], optimizer="adam", learning_rate=0.01).fit(Xd, Yd)
    with dask.config.set(scheduler="sync"):
        local = _net([N_X, 5, 1], optimizer="adam", learning_rate=0.01).fit(Xd, Yd)
    assert local.costs_ == on_cluster.costs_
    for key in local.parameters_:
        assert local.parameters_[key].tobytes() == on_cluster.parameters_[key].tobytes()


def test_killed_worker_fit_goes_on_with_the_same_result(client):
    """A worker process killed mid-fit (its nanny restarts it): its partitions are recomputed
    from the graph and the fit ends with the uninterrupted fit's parameters."""
    X, Y = _data(13, m=20000)
    chunks = (5000,) * 4
    Xd, Yd = _dask(X, Y, chunks=chunks)
    options = dict(optimizer="adam", learning_rate=0.01, n_iterations=16)
    reference = _net([N_X, 8, 1], **options).fit(Xd, Yd)
    assert _wait_released(client)
    pids = client.run(os.getpid)
    victim = {}

    def kill_mid_fit(epoch, cost):
        if epoch == 5 and not victim:
            address, pid = next(iter(pids.items()))
            held = [k for k in client.has_what()[address] if str(k).startswith("fastnn-partition")]
            victim.update(address=address, pid=pid, held=len(held))
            os.kill(pid, signal.SIGKILL)  # iteration 6's tasks go out as the worker dies

    with distributed.get_task_stream(client) as stream:
        net = _net([N_X, 8, 1], **options).fit(Xd, Yd, callback=kill_mid_fit)
    assert victim["held"] == 2  # the killed worker held its half of the partitions...
    loads = [t for t in stream.data if str(t["key"]).startswith("fastnn-partition")]
    assert len(loads) >= len(chunks) + victim["held"]  # ...which were computed again
    assert victim["pid"] not in client.run(os.getpid).values()
    _assert_close(reference, net)
    client.wait_for_workers(2, timeout=120)


def test_cluster_gone_names_the_iteration_and_keeps_the_last_one():
    X, Y = _data(14)
    import logging

    cl = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL)
    with distributed.Client(cl) as c:
        Xd, Yd = _dask(X, Y)

        def close_at_3(epoch, cost):
            if epoch == 3:
                cl.close()

        net = _net([N_X, 5, 1], optimizer="momentum")
        with pytest.raises(fdask.ClusterError, match=r"during iteration 4 .*last completed iteration \(n_iter_=4"):
            net.fit(Xd, Yd, callback=close_at_3)
    assert net.n_iter_ == 4 and len(net.costs_) == 4
    _assert_close(_net([N_X, 5, 1], optimizer="momentum", n_iterations=4).fit(X, Y), net)
