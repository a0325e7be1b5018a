"""Where a dask fit computes: the two backends, and the cluster's failures.

:class:`_Local` is dask's default (local) scheduler, in this process; :class:`_Distributed`
a ``distributed.Client``: partitions held as futures where they were put (balanced over the
workers' threads), one task per partition and step, results gathered, the cluster's health
watched while they run. A failure of the cluster (not of the computation) becomes
:class:`ClusterError`. :func:`_backend` picks one: the active client's, else the local one."""

import os
import time
import warnings

import dask
import numpy as np

from ._settings import _active_client, _setting
from .partitions import _summary


#: Seconds between checks of the cluster's health while an iteration's tasks run.
POLL_SECONDS = 1.0
#: Steps whose (small) results stay referenced before they are released together.
RELEASE_EVERY = 16
#: Rounds between two refreshes of where the partitions live (also refreshed after a slow one).
REFRESH_EVERY = 64


class ClusterError(RuntimeError):
    """The Dask cluster went away during a fit (or another computation)."""


# Its public name (tracebacks, pickles): the one users import it by.
ClusterError.__module__ = "fastnn.dask"


def _cluster_failure_types():
    """Exceptions that mean the cluster, not the computation, failed: a lost connection, a
    closed client, cancelled futures, a task that killed its workers too often, no worker."""
    import asyncio
    import concurrent.futures

    types = [OSError, TimeoutError, asyncio.CancelledError, concurrent.futures.CancelledError]
    try:
        import distributed.client as dc
        import distributed.scheduler as ds
    except ImportError:  # pragma: no cover
        return tuple(types)
    for module, name in ((dc, "ClosedClientError"), (ds, "KilledWorker"), (ds, "NoValidWorkerError"),
                         (ds, "NoWorkerError")):
        exc = getattr(module, name, None)
        if isinstance(exc, type) and issubclass(exc, BaseException):
            types.append(exc)
    return tuple(types)


class _Local:
    """Dask's default (local) scheduler: the same graphs, computed in this process."""

    client = None

    def hold(self, tasks):
        """Compute the partitions once and keep them: a list of :class:`_Part`."""
        return list(dask.compute(*tasks))

    def summaries(self, parts):
        return [p.summary() for p in parts]

    def placement(self, sizes):
        return [None] * len(sizes)

    def run(self, fn, calls, places=None):
        """``fn(*args)`` for each ``args`` of ``calls`` (one task each); results in order."""
        return list(dask.compute(*[dask.delayed(fn, pure=False)(*args) for args in calls]))

    def holders(self, parts, places):
        return places

    def compute(self, tasks):
        return list(dask.compute(*tasks))

    def release(self, parts):
        pass

    def memory(self):
        """Bytes this scheduler can hold: the machine's available memory."""
        try:
            import psutil

            return psutil.virtual_memory().available
        except ImportError:  # pragma: no cover
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


class _Distributed:
    """A ``distributed.Client``: partitions held as futures where they were computed, one task
    per partition and step, results gathered; a failure of the cluster (not of the
    computation) becomes :class:`ClusterError`."""

    def __init__(self, client):
        self.client = client
        self.failures = _cluster_failure_types()
        self.no_workers_since = None
        self._held = []
        self._rounds = 0
        self._slow = False

    def hold(self, tasks):
        with warnings.catch_warnings():
            # X's source may be in the graph (da.from_array, to_dask): it is sent once, by design.
            warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
            return self._collect(lambda: self.client.compute(tasks), gather=False)

    def summaries(self, parts):
        return self.run(_summary, [(p,) for p in parts])

    def placement(self, sizes):
        """A worker for each partition: the largest first, each to the worker whose threads
        would then have the fewest examples (dask alone may put every partition next to a
        source held by one worker)."""
        try:
            threads = self.client.nthreads()
        except Exception:
            threads = {}
        if not threads:
            return [None] * len(sizes)
        load = {w: 0.0 for w in sorted(threads)}
        places = [None] * len(sizes)
        for k in sorted(range(len(sizes)), key=lambda k: -sizes[k]):
            w = min(load, key=lambda w: (load[w] + sizes[k]) / max(threads[w], 1))
            load[w] += sizes[k]
            places[k] = w
        return places

    def run(self, fn, calls, places=None):
        """``fn(*args)`` on the cluster for each ``args`` of ``calls`` (one task each, all in
        one message to the scheduler; the task of ``calls[k]`` on worker ``places[k]`` when
        given and alive, a loose restriction, so that a partition is computed where it lives
        and never copied to an idle worker); results in order. A parameter vector over 1 MiB
        is scattered once to every worker instead of travelling with each task."""
        client = self.client

        def submit():
            if not calls:
                return []
            shared = [a for a in calls[0] if isinstance(a, np.ndarray) and a.nbytes > (1 << 20)]
            todo = calls
            if shared and len(calls) > 1:
                big = client.scatter(shared[0], broadcast=True, hash=False)
                todo = [tuple(big if a is shared[0] else a for a in args) for args in calls]
            if places is None:
                futures = client.map(fn, *zip(*todo), pure=False)
            else:
                tasks = []
                for args, where in zip(todo, places):
                    with dask.annotate(**({} if where is None else dict(workers=[where], allow_other_workers=True))):
                        tasks.append(dask.delayed(fn, pure=False)(*args))
                futures = client.compute(tasks, optimize_graph=False)
            self._keep(futures)
            return futures

        return self._collect(submit)

    def holders(self, parts, places):
        """Where the partitions live: ``places`` (where they were put), refreshed from the
        scheduler after a slow round (a worker lost: partitions recomputed elsewhere) and
        every ``REFRESH_EVERY`` rounds."""
        self._rounds += 1
        if not (self._slow or self._rounds % REFRESH_EVERY == 0):
            return places
        self._slow = False
        try:
            who = self.client.who_has(parts)
        except Exception:
            return places
        return [sorted(who.get(f.key, ()))[0] if who.get(f.key) else where for f, where in zip(parts, places)]

    def _keep(self, futures):
        """Hold a step's futures for a few steps and release the older ones in one go, just
        after a submission: each message from the client to the scheduler opens a 10 ms
        window (distributed's batched stream) in which the next one waits, so a release
        sent between two steps would delay the next step's tasks by up to 10 ms."""
        self._held.append(futures)
        if len(self._held) > RELEASE_EVERY:
            self._held = self._held[-1:]

    def compute(self, tasks):
        return self._collect(lambda: self.client.compute(tasks))

    def _collect(self, submit, gather=True):
        futures = []
        try:
            futures = submit()
            self.wait(futures)
            return self.client.gather(futures) if gather else futures
        except BaseException as exc:
            self._cancel(futures)
            if isinstance(exc, ClusterError):
                raise
            if self._is_cluster_failure(exc, futures):
                raise ClusterError(_brief(exc)) from exc
            raise

    def _is_cluster_failure(self, exc, futures):
        """True for a lost cluster; False for the computation's own error (a task that raised,
        e.g. a missing source file: its future has status ``"error"``) and for Ctrl-C."""
        if not isinstance(exc, self.failures):
            return False
        if type(exc).__name__ == "KilledWorker":  # a task error, but the workers' fault
            return True
        try:
            return not any(f.status == "error" for f in futures)
        except Exception:  # pragma: no cover
            return True

    def _cancel(self, futures):
        if not futures:
            return
        try:
            self.client.cancel(futures)
        except Exception:  # the client may be gone already
            pass

    def release(self, parts):
        self._held = []
        self._cancel(parts)

    def wait(self, futures):
        """Wait for ``futures``; every ``POLL_SECONDS`` check that the cluster is still
        there (a scheduler with no worker left never fails the tasks by itself)."""
        from distributed import wait

        while True:
            try:
                wait(futures, timeout=POLL_SECONDS)
                self.no_workers_since = None
                return
            except TimeoutError:
                self._slow = True
            self._check_health()

    def _check_health(self):
        """Raise :class:`ClusterError` when the client lost its scheduler, or when no worker
        has been able to run tasks (none left, or all paused: memory above the workers'
        pause threshold) for ``fastnn.no-workers-timeout`` seconds."""
        client = self.client
        if client.status not in ("running", "connecting", "newly-created"):
            raise ClusterError(f"the client is {client.status}")
        try:
            workers = client.scheduler_info().get("workers", {})
        except self.failures as exc:
            raise ClusterError(f"the scheduler does not answer ({_brief(exc)})") from exc
        running = [w for w in workers.values() if w.get("status", "running") == "running"]
        if running:
            self.no_workers_since = None
            return
        now = time.monotonic()
        if self.no_workers_since is None:
            self.no_workers_since = now
        limit = float(_setting("no-workers-timeout", 60.0))
        if now - self.no_workers_since > limit:
            paused = sum(w.get("status") == "paused" for w in workers.values())
            why = (f"all {paused} workers paused (their memory is above the pause threshold: give them more "
                   "memory_limit, or smaller partitions)" if paused else "no worker")
            raise ClusterError(f"the cluster has had {why} for {limit:g} s (fastnn.no-workers-timeout)")

    def memory(self):
        """Bytes the workers can hold: the sum of their memory limits (None: unlimited)."""
        info = self.client.scheduler_info()
        limits = [w.get("memory_limit") or 0 for w in info.get("workers", {}).values()]
        if not limits or any(lim == 0 for lim in limits):
            return None
        return sum(limits)


def _brief(exc):
    """``"Type: message"`` on one line, without the futures' keys distributed lists."""
    lines = [line.strip() for line in str(exc).splitlines()]
    text = " ".join(line for line in lines if line and not line.startswith(("Futures:", "Reasons:")))
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _backend():
    client = _active_client()
    return _Local() if client is None else _Distributed(client)
