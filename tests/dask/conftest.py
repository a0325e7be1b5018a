"""The cluster of the Dask tests: one ``distributed.LocalCluster`` of 2 worker processes with
1 thread each for the whole folder (~3 s to start; each worker loads the kernels from Numba's
cache at its first task). Without the ``dask`` extra the test modules skip themselves."""

import pytest

try:
    import dask
    import distributed
except ImportError:  # the test modules skip (pytest.importorskip)
    dask = distributed = None


@pytest.fixture(scope="package")
def cluster():
    import logging

    with dask.config.set({"distributed.scheduler.worker-ttl": None}):
        cl = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                      silence_logs=logging.CRITICAL)
    yield cl
    cl.close()


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster) as c:
        c.wait_for_workers(2, timeout=120)
        yield c
