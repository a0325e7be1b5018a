"""Data-parallel training on Dask (fastnn.dask) against the in-memory fit: time per full-batch
iteration of ``DeepNetwork`` on ``X`` 64 x 200 000 float64, in memory (this process, all
threads, then one thread) and on a ``distributed.LocalCluster`` of 1 and 2 worker processes
with one thread each (``X`` partitioned one chunk per worker, held by the workers).

Run from the repository root::

    python benchmarks/dask_rows.py            # the full rows (about 2 minutes)
    python benchmarks/dask_rows.py --quick    # m = 50 000, fewer iterations

``compare.py`` calls :func:`main`. The figures are medians of per-iteration times (the
in-memory and the dask fits alike report every iteration to a callback, which timestamps
it) after a warm-up fit (the workers load the kernels from Numba's cache at their first
task). ``overhead`` is 1 worker minus the in-memory fit on 1 thread: what the cluster adds
to an iteration (a task per partition, parameters out, gradients back, the reduction and
the update on the client). Target (issue 14): 2 workers ≤ 1.5 x the in-memory fit on 2
threads.
"""

import argparse
import contextlib
import logging
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python benchmarks/dask_rows.py`

import numba  # noqa: E402
import numpy as np  # noqa: E402

import fastnn  # noqa: E402

#: Networks of the rows (the issue names both shapes).
NETS = ([64, 32, 1], [64, 64, 32, 1])
TARGET = 1.5


def cpu_line():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return f"{model}, {os.cpu_count()} CPUs ({usable} usable)"


def blas_lines():
    try:
        import scipy.linalg.cython_blas  # noqa: F401  (the BLAS the kernels call)
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["BLAS: threadpoolctl not available"]
    return [f"BLAS: {i.get('internal_api')} {i.get('version')} ({os.path.basename(i.get('filepath', ''))}), "
            f"{i.get('num_threads')} threads" for i in threadpool_info()]


@contextlib.contextmanager
def one_thread():
    """Numba and BLAS on one thread (the in-memory baseline of a single worker)."""
    n = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        from threadpoolctl import threadpool_limits

        limits = threadpool_limits(1)
    except ImportError:
        limits = None
    try:
        yield
    finally:
        numba.set_num_threads(n)
        if limits is not None:
            limits.restore_original_limits()


def per_iteration(fit, n_iter):
    """Median seconds per iteration of ``fit(callback)`` (timestamps at each iteration's end)."""
    stamps = []
    t0 = time.perf_counter()
    fit(lambda e, c: stamps.append(time.perf_counter()))
    stamps.insert(0, t0)
    d = np.diff(stamps)[1:]  # the first includes the fit's set-up
    return statistics.median(d), d


def data(m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((64, m))
    Y = (X[:1] + 0.5 * X[1:2] * X[2:3] + 0.3 * rng.standard_normal((1, m)) > 0).astype(np.float64)
    return X, Y


def run(quick=False):
    """Rows ``(net, in-memory all threads, 1 thread, 1 worker, 2 workers)`` in seconds."""
    import distributed

    from fastnn import dask as fdask

    m = 50000 if quick else 200000
    n_iter = 10 if quick else 30
    X, Y = data(m)
    rows = []
    results = {}
    for dims in NETS:
        make = lambda n=n_iter: fastnn.DeepNetwork(dims, learning_rate=0.01, n_iterations=n,  # noqa: E731
                                                   first_layer="direct")
        make(2).fit(X, Y)  # warm
        t_all, _ = per_iteration(lambda cb: make().fit(X, Y, callback=cb), n_iter)
        with one_thread():
            make(2).fit(X, Y)
            t_one, _ = per_iteration(lambda cb: make().fit(X, Y, callback=cb), n_iter)
        results[tuple(dims)] = [t_all, t_one]
    for n_workers in (1, 2):
        with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                      dashboard_address=":0", silence_logs=logging.ERROR) as cluster, \
                distributed.Client(cluster) as client:
            Xd, Yd = fdask.to_dask(X, Y, partitions=n_workers)
            latency = _round_trip(client)
            for dims in NETS:
                make = lambda n=n_iter: fastnn.DeepNetwork(dims, learning_rate=0.01, n_iterations=n)  # noqa: E731
                make(2).fit(Xd, Yd)  # warm: the workers load the kernels
                t, _ = per_iteration(lambda cb: make().fit(Xd, Yd, callback=cb), n_iter)
                results[tuple(dims)].append(t)
            results[f"latency {n_workers}"] = latency
    for dims in NETS:
        rows.append((dims, *results[tuple(dims)]))
    return m, n_iter, rows, results["latency 1"], results["latency 2"]


def _round_trip(client, n=50):
    """Median seconds of one round of a no-op task per worker (submit, wait, gather)."""
    workers = list(client.nthreads())
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        futures = [client.submit(abs, 0, pure=False, workers=[w]) for w in workers]
        client.gather(futures)
        times.append(time.perf_counter() - t0)
    return statistics.median(times[5:])


def main(quick=False):
    """Print the environment and the table (Markdown)."""
    try:
        import dask
        import distributed
    except ImportError as exc:  # compare.py reports the skip
        raise ImportError(f"dask rows need the dask extra (pip install 'fastnn-numba[dask]'): {exc}") from exc
    print("## Dask: full-batch iteration, in memory vs a LocalCluster (fastnn.dask)\n")
    print(f"- CPU: {cpu_line()}; load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"- numba {numba.__version__} threads {numba.get_num_threads()} (in-memory rows); "
          f"dask {dask.__version__}, distributed {distributed.__version__}; workers: processes, 1 thread each "
          "(the nanny sets OMP/OPENBLAS/MKL_NUM_THREADS=1)")
    for line in blas_lines():
        print(f"- {line}")
    m, n_iter, rows, lat1, lat2 = run(quick)
    print(f"- X 64 x {m} float64 (C order), Y (1, {m}); median ms per iteration over {n_iter - 1} iterations "
          f"after a warm-up fit; no-op task round trip: {lat1 * 1e3:.2f} ms (1 worker), {lat2 * 1e3:.2f} ms "
          "(2 workers)\n")
    print("| net | in memory, all threads ms | in memory, 1 thread ms | dask 1 worker ms | dask 2 workers ms "
          "| overhead ms (1 worker − 1 thread) | 2 workers / in memory | target |")
    print("|---|---|---|---|---|---|---|---|")
    for dims, t_all, t_one, t_w1, t_w2 in rows:
        r = t_w2 / t_all
        print(f"| {dims} | {t_all * 1e3:.1f} | {t_one * 1e3:.1f} | {t_w1 * 1e3:.1f} | {t_w2 * 1e3:.1f} | "
              f"{(t_w1 - t_one) * 1e3:.1f} | {r:.2f} | ≤ {TARGET} {'✓' if r <= TARGET else '✗'} |", flush=True)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="m = 50 000, fewer iterations")
    main(quick=p.parse_args().quick)
