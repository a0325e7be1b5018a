"""Data-parallel training of ``DeepNetwork`` on Dask arrays (the optional ``dask`` extra:
``pip install fastnn[dask]``).

``DeepNetwork.fit``, ``predict``, ``predict_proba``, ``score`` and ``cost`` hand a dask array
``X`` (or ``Y``) to the functions of this module. Full-batch gradient descent parallelises
exactly: the loss, every gradient and every ``db`` are sums over examples. So:

- ``X`` ``(n_x, m)`` must be chunked along the examples only (one chunk of all ``n_x`` rows;
  ``X.rechunk({0: -1})`` makes it so); ``Y`` and ``sample_weight`` are chunked like its
  columns. A chunk of columns is a *partition*.
- ``fit`` loads every partition once where it lives (``client.compute`` of one task per
  partition, which also converts it to the kernels' layout and checks it: ``X`` finite,
  ``Y`` valid, weights valid, all in the same pass), then each iteration submits one small
  task per partition with the current flat parameters (a few KB to a few MB; ``X`` never
  travels). The task runs the compiled ``loss_and_gradients`` kernel of the in-memory path
  on its partition with ``scale = 1 / (total weight)`` and returns its loss sum and gradient
  sums; the client adds them up in partition order and applies the optimizer with
  ``fastnn.kernels.network.update`` (L2, momentum / Adam, the finiteness check, the commit).
  Costs, learning-rate schedule, ``costs_``, ``record_every``, ``n_iter_``, progress bar,
  callback, ``verbose``, divergence and Ctrl-C are those of the in-memory loop
  (``fastnn.training.Loop``, whose compiled call is replaced by the distributed step).
- Results equal the in-memory fit of the same data up to rounding: the sums are taken in
  another order (partition by partition, then across partitions), so float64 results
  differ by a few ulps per iteration (first cost <= 1e-15 relative, 12 iterations <= 3e-15,
  200 iterations on 50 000 examples <= 2e-14 on costs and 2e-13 on parameters; see
  tests/test_dask.py). One partition holding X as it is gives the in-memory fit bit for bit.
- An iteration costs the compute of the largest partition plus a round trip through the
  scheduler (a few ms; distributed's client sends at most one message per 10 ms, so an
  iteration never takes less than ~10 ms): worth it when an iteration takes tens of ms.
- With a ``distributed.Client`` (the active one, as dask itself picks it) the tasks run on
  the cluster; without one, dask's default scheduler runs the same graph in this process.

Mini-batches (``batch_size``) train with exactly the in-memory batches (epoch ``e``'s
permutation of all ``m`` examples): each step sends every partition the indices of its
examples in the batch, one round trip per step, so a step costs at least a few
milliseconds of latency; use large batches. Dropout (``keep_prob < 1``) is refused: the
in-memory fit draws one mask per (unit, example of the whole batch) and the per-partition
kernel has no dropout. Validation: ``validation_data`` (in memory; a dask one is computed
into memory once) is evaluated on the client at recorded epochs, with early stopping;
``early_stopping`` without ``validation_data`` is refused (the held-out split would have to
be cut out of the distributed ``X``).

Faults. The partitions are held as futures whose graph leads back to ``X``'s source: a
worker that dies (its nanny restarts it) loses its partitions and the running tasks, the
scheduler recomputes them from the graph, and the fit goes on with the same numbers. A
cluster that goes away (scheduler gone, client closed, or no running worker, none left or
all paused for memory, for ``fastnn.no-workers-timeout`` seconds) raises
:class:`ClusterError` naming the iteration; the model keeps the parameters of the last
completed iteration, as after a divergence. Ctrl-C cancels the iteration's tasks and
behaves as in memory (``KeyboardInterrupt``, the last completed iteration kept).

Out of core. When ``X`` (in the kernels' dtype) with the partitions' work buffers does not
fit in half the cluster's memory (the sum of the workers' ``memory_limit``; without a client
half of this machine's available memory), ``fit`` holds only the targets and weights: every
iteration reads each block of ``X`` from its source (a zarr store, ``.npy`` files: see
:func:`from_npy`), computes, and drops it; the first iteration checks it. Mini-batches are
refused there (every step would read all of ``X``). Override with
``dask.config.set({"fastnn.persist": True})`` (hold, letting dask spill to disk) or ``False``
(always stream).

Settings (``dask.config``): ``fastnn.persist`` (``"auto"``, True, False),
``fastnn.no-workers-timeout`` (seconds, default 60), ``fastnn.memory-fraction`` (0.5).
"""

import math
import os
import threading
import time
import uuid
import warnings

import numpy as np

try:
    import dask
    import dask.array as da
except ImportError as exc:  # pragma: no cover - the extra is not installed
    raise ImportError("fastnn.dask needs dask: pip install 'fastnn[dask]' (dask[array,distributed])") from exc

from . import training
from ._layout import Layout
from ._validation import FLOAT_DTYPES, check_X_shape
from .kernels import network as KN
from .outputs import check_targets, predictions

__all__ = ["ClusterError", "connect", "describe", "to_dask", "from_npy", "fit", "predict", "predict_proba", "score",
           "cost", "gradients"]

#: Seconds between checks of the cluster's health while an iteration's tasks run.
POLL_SECONDS = 1.0
#: Steps whose (small) results stay referenced before they are released together.
RELEASE_EVERY = 16
#: Rounds between two refreshes of where the partitions live (also refreshed after a slow one).
REFRESH_EVERY = 64


class ClusterError(RuntimeError):
    """The Dask cluster went away during a fit (or another computation)."""


# ------------------------------------------------------------------------------ settings


def _setting(name, default):
    return dask.config.get(f"fastnn.{name}", default)


def _active_client():
    """The ``distributed.Client`` dask would compute with, or None (dask's local scheduler)."""
    try:
        from distributed import Client
    except ImportError:
        return None
    if dask.config.get("scheduler", None) not in (None, "dask.distributed", "distributed"):
        return None  # the user chose a local scheduler explicitly
    try:
        return Client.current(allow_global=True)
    except ValueError:
        return None


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


# ------------------------------------------------------------------------------ input checks


class _Inputs:
    """The validated shape of a dask training set: ``X`` ``(n_x, m)`` chunked along m only,
    ``Y`` and ``w`` (or None) chunked like its columns, the kernels' dtype, the partitions'
    sizes and offsets (empty chunks dropped)."""

    def __init__(self, X, Y, w, dtype, n_out):
        self.X, self.Y, self.w, self.dtype = X, Y, w, dtype
        self.n_x, self.m = X.shape
        sizes = X.chunks[1]
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.blocks = [k for k, s in enumerate(sizes) if s > 0]  # dask block index of each partition
        self.sizes = [int(sizes[k]) for k in self.blocks]
        self.offsets = [int(offsets[k]) for k in self.blocks]
        self.n_out = n_out
        self._blocks = None

    @property
    def n_parts(self):
        return len(self.blocks)

    def delayed_blocks(self):
        """``(X block, Y block, w block or None)`` per partition, as dask Delayed objects."""
        if self._blocks is None:
            self._blocks = self._make_blocks()
        return self._blocks

    def _make_blocks(self):
        Xd = self.X.to_delayed().reshape(-1)
        Yd = None if self.Y is None else self.Y.to_delayed().reshape(-1)
        wd = None if self.w is None else self.w.to_delayed().reshape(-1)
        return [(Xd[k], None if Yd is None else Yd[k], None if wd is None else wd[k]) for k in self.blocks]

    def nbytes(self, units):
        """Bytes a held copy takes on the workers: X, Y, w in the kernels' dtype, the
        forward/backward buffers (2 units per example) and the output's float64 scratch rows."""
        item = self.dtype.itemsize
        rows = self.n_x + (self.Y.shape[0] if self.Y is not None else 0) + (1 if self.w is not None else 0)
        return ((rows + 2 * units) * item + 4 * 8) * self.m


def _is_dask_array(value):
    return isinstance(value, da.Array)


def _check_dask_collection(value, name):
    if type(value).__module__.split(".")[0] == "dask" and not _is_dask_array(value):
        raise TypeError(f"{name}: expected a dask array (or a NumPy array), got {type(value).__module__}."
                        f"{type(value).__name__}; convert it with .to_dask_array(lengths=True)")


def _numeric_dtype(dtype, name):
    if dtype.kind not in "biuf":
        raise TypeError(f"{name}: expected a real numeric dtype (bool, int or float), got dtype {dtype}")


def _check_chunks_known(A, name):
    if any(math.isnan(c) for cs in A.chunks for c in cs):
        raise ValueError(f"{name}: the dask array's chunk sizes are unknown ({name}.chunks = {A.chunks}); "
                         f"call {name}.compute_chunk_sizes() first")


def _check_X(X, n_features, dtype, name="X", like=None):
    """A dask ``X`` chunked along the examples only; ``(X, kernels' dtype)``. A NumPy ``X``
    is wrapped, chunked like ``like`` (the columns of a dask ``Y``)."""
    _check_dask_collection(X, name)
    if not _is_dask_array(X):
        X = np.asarray(X)
        _numeric_dtype(X.dtype, name)
        if X.ndim == 2 and like is not None and X.shape[1] == like[-1]:
            X = da.from_array(X, chunks=((X.shape[0],), like))
        else:
            X = da.from_array(X, chunks=X.shape)
    _numeric_dtype(X.dtype, name)
    check_X_shape(X.shape, n_features, name)
    _check_chunks_known(X, name)
    if len(X.chunks[0]) != 1:
        raise ValueError(
            f"{name}: a dask array must be chunked along the examples (columns) only, every chunk holding "
            f"all {X.shape[0]} rows; got {name}.chunks = {X.chunks}. Rechunk with "
            f"{name} = {name}.rechunk({{0: -1}}) (or store it so: zarr chunks ({X.shape[0]}, c))"
        )
    target = dtype if dtype is not None else (X.dtype if X.dtype in FLOAT_DTYPES else np.dtype(np.float64))
    return X, np.dtype(target)


def _check_columns(A, X, name, rechunk):
    """``A`` (dask) has one chunk of rows and X's column chunks."""
    _check_chunks_known(A, name)
    if A.chunks[-1] != X.chunks[1] or (A.ndim == 2 and len(A.chunks[0]) != 1):
        raise ValueError(
            f"{name}: chunked as {A.chunks}, expected the examples chunked like X's columns {X.chunks[1]}"
            + (" and one chunk of rows" if A.ndim == 2 else "")
            + f"; rechunk with {name} = {name}.rechunk({rechunk}) (X.chunks = {X.chunks})"
        )


def _check_Y(Y, X, output, n_out, name="Y"):
    """Shape, dtype and chunks of the targets (their values are checked per partition)."""
    _check_dask_collection(Y, name)
    m = X.shape[1]
    if not _is_dask_array(Y):
        Y = np.asarray(Y)
    _numeric_dtype(Y.dtype, name)
    rows = 1 if output == "softmax" else n_out
    if Y.ndim != 2:
        hint = " (reshape a 1-D label vector with Y.reshape(1, -1))" if Y.ndim == 1 else ""
        raise ValueError(f"{name}: expected shape ({rows}, {m}) to match X's {m} examples, got {Y.shape}{hint}")
    if output == "softmax":
        if Y.shape not in ((1, m), (n_out, m)):
            raise ValueError(
                f"{name}: expected class labels of shape (1, {m}) or a one-hot matrix of shape ({n_out}, {m}) "
                f"for {n_out} classes, got shape {Y.shape}"
            )
    elif Y.shape != (n_out, m):
        raise ValueError(f"{name}: expected shape ({n_out}, {m}) to match X's {m} examples and the "
                         f"{n_out} output unit{'s' if n_out > 1 else ''}, got {Y.shape}")
    if not _is_dask_array(Y):
        return da.from_array(Y, chunks=((Y.shape[0],), X.chunks[1]))
    _check_columns(Y, X, name, f"{{0: -1, 1: {X.chunks[1]}}}")
    return Y


def _check_w(w, X, name="sample_weight"):
    if w is None:
        return None
    _check_dask_collection(w, name)
    m = X.shape[1]
    if not _is_dask_array(w):
        w = np.asarray(w)
    _numeric_dtype(w.dtype, name)
    if w.shape == (1, m):
        w = w[0]
    if w.shape != (m,):
        raise ValueError(f"{name}: expected shape ({m},) (one weight per example), got {w.shape}")
    if not _is_dask_array(w):
        return da.from_array(w, chunks=(X.chunks[1],))
    _check_columns(w, X, name, f"{{0: {X.chunks[1]}}}")
    return w


def _inputs(model, X, Y, sample_weight, dtype, with_targets=True):
    """Validate the shapes, dtypes and chunks of dask input; the values are checked by the
    partitions' first pass."""
    like = Y.chunks[-1] if _is_dask_array(Y) and not _is_dask_array(X) and getattr(Y, "ndim", 0) >= 1 else None
    X, dtype = _check_X(X, model._dims[0], dtype, like=like)
    Yd = _check_Y(Y, X, model._output, model._dims[-1]) if with_targets else None
    w = _check_w(sample_weight, X) if with_targets else None
    return _Inputs(X, Yd, w, dtype, model._dims[-1])


# ------------------------------------------------------------------------------ partitions


def _first_nonfinite(arr, offset):
    """Index ``(i, j + offset)`` (or ``(j + offset,)`` for 1-D) of the first NaN/inf of
    ``arr`` in row-major order, or None."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum(dtype=np.float64)
    if np.isfinite(total) or np.isfinite(arr).all():
        return None
    idx = [int(i) for i in np.argwhere(~np.isfinite(arr))[0]]
    idx[-1] += offset
    return tuple(idx)


class _Part:
    """One partition of a training set, on the worker that holds it: the data as the
    kernels read it (a :class:`fastnn.training.Data`), its place in the whole set, the
    problems its first pass found (NaN in X, bad targets or weights), and work buffers
    allocated at its first use (not pickled: a spilled or moved partition reallocates)."""

    def __init__(self, index, offset, m):
        self.index, self.offset, self.m = index, offset, m
        self.data = None
        self.weight = float(m)
        self.problems = {}
        self._buffers = None
        self._lock = threading.Lock()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_buffers"] = None
        state["_lock"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __sizeof__(self):
        arrays = [] if self.data is None else [self.data.X, self.data.Yf, self.data.Yi, self.data.w]
        arrays += list(self._buffers or ())
        return object.__sizeof__(self) + sum(a.nbytes for a in arrays)

    def summary(self):
        return self.index, self.m, self.weight, self.problems

    def _work(self, layout, b, dtype):
        """``(acts, deltas, scratch)`` for batches of up to ``self.m`` examples."""
        if self._buffers is None or self._buffers[0].dtype != dtype or self._buffers[0].size < layout.units * b:
            n = layout.units * self.m
            self._buffers = (np.empty(n, dtype), np.empty(n, dtype), _scratch(layout, self.m))
        return self._buffers

    def gradients(self, P, dims, codes, scale, columns=None):
        """``(loss sum, gradients times scale)`` of the partition (or of its ``columns``, a
        mini-batch's examples gathered feature-major as the in-memory loop does)."""
        d = self.data
        if columns is None:
            X, Yf, Yi, w, xmajor, b = d.X, d.Yf, d.Yi, d.w, d.xmajor, self.m
        else:
            X = np.ascontiguousarray(d.X[columns].T if d.xmajor else d.X[:, columns])
            Yf = np.ascontiguousarray(d.Yf[:, columns])
            Yi = d.Yi[columns] if d.Yi.size else d.Yi
            w = d.w[columns] if d.w.size else d.w
            xmajor, b = 0, columns.size
        layout = _layout(dims)
        c = codes.copy()
        c[KN.C_XMAJOR] = xmajor
        G = np.zeros(layout.size, P.dtype)
        with self._lock:
            acts, deltas, scratch = self._work(layout, b, P.dtype)
            loss = KN.loss_and_gradients(P, G, layout.table, c, X, Yf, Yi, w, scale, np.inf, acts, deltas, scratch)
        return float(loss), G


def _scratch(layout, batch):
    """The output layers' scratch rows for up to ``batch`` examples (as ``fastnn.training``
    allocates them)."""
    return training.scratch_for(layout, batch)


_LAYOUTS = {}


def _layout(dims):
    dims = tuple(dims)
    layout = _LAYOUTS.get(dims)
    if layout is None:
        layout = _LAYOUTS[dims] = Layout(dims)
    return layout


class _Targets:
    """One partition's targets and weights as the kernels read them, checked (what an
    out-of-core fit holds while ``X`` streams: ``1 / n_x`` of its size or less)."""

    def __init__(self, index, offset, m, Yf, Yi, w, problems):
        self.index, self.offset, self.m = index, offset, m
        self.Yf, self.Yi, self.w, self.problems = Yf, Yi, w, problems
        self.weight = float(np.sum(w, dtype=np.float64)) if w is not None else float(m)

    def __sizeof__(self):
        return object.__sizeof__(self) + sum(a.nbytes for a in (self.Yf, self.Yi, self.w) if a is not None)

    def summary(self):
        return self.index, self.m, self.weight, self.problems


def _load_X(Xb, offset, dtype):
    """A block of X in the kernels' dtype (C or F order) and its first NaN/inf or None."""
    X = np.asarray(Xb)
    if X.dtype != dtype or not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.asfortranarray(X, dtype=dtype)
    return X, _first_nonfinite(X, offset)


def _load_targets(index, offset, m, Yb, wb, spec):
    """A :class:`_Targets` from blocks of Y and w: converted and checked as in memory."""
    dtype, output, n_out = np.dtype(spec[0]), spec[1], spec[2]
    problems = {}
    Yf, Yi, w = np.zeros((0, m), dtype), np.zeros(0, np.int64), None
    if Yb is not None:
        Y = np.asarray(Yb)
        bad = _first_nonfinite(Y, offset) if Y.dtype.kind == "f" else None
        if bad is not None:
            problems["Y nonfinite"] = bad
        else:
            try:
                Yf, Yi = check_targets(Y, output, n_out, m, dtype)
            except ValueError as exc:
                problems["Y"] = str(exc)
    if wb is not None and not problems:
        w = np.asarray(wb)
        bad = _first_nonfinite(w, offset) if w.dtype.kind == "f" else None
        neg = np.flatnonzero(w < 0) if bad is None else ()
        if bad is not None:
            problems["w nonfinite"] = bad
        elif len(neg):
            problems["w"] = f"weights must be >= 0, found {w[neg[0]].item()!r}"
        w = None if problems else np.array(w, dtype=dtype, order="C")
    return _Targets(index, offset, m, Yf, Yi, w, problems)


def _join(index, offset, X, bad, targets, n1):
    """A :class:`_Part` of a loaded block of X (``bad``: its first NaN/inf) and its targets."""
    part = _Part(index, offset, X.shape[1])
    if bad is not None:
        part.problems["X"] = bad  # X's problems come first, as in memory
        return part
    part.problems.update(targets.problems)
    if not part.problems:
        part.data = training.Data(X, targets.Yf, targets.Yi, targets.w, n1=n1)
        part.weight = part.data.total_weight
    return part


def _prepare(index, offset, Xb, Yb, wb, spec):
    """A :class:`_Part` from one block of X, Y and w: converted to the kernels' dtype and
    layout, and checked (the first pass: X finite, Y valid, w valid)."""
    X, bad = _load_X(Xb, offset, np.dtype(spec[0]))
    targets = _load_targets(index, offset, X.shape[1], Yb, wb, spec) if bad is None else None
    return _join(index, offset, X, bad, targets, spec[3])


def _raise_problems(summaries, inputs, names=("X", "Y", "sample_weight")):
    """The in-memory error for the first problem of the partitions' first pass (X before Y
    before the weights; NaN reported at its first index over the whole array)."""
    def first(key):
        found = [(s[3][key], s) for s in summaries if key in s[3]]
        return found
    def nonfinite(key, name):
        bad = first(key)
        if bad:
            raise ValueError(f"{name}: contains NaN or inf (first at index {min(b for b, _ in bad)})")

    nonfinite("X", names[0])
    nonfinite("Y nonfinite", names[1])
    bad = first("Y")
    if bad:
        message, s = bad[0]
        k = s[0]
        raise ValueError(f"{message} (in partition {k}: examples {inputs.offsets[k]} to "
                         f"{inputs.offsets[k] + inputs.sizes[k] - 1}; column indices are within it)")
    nonfinite("w nonfinite", names[2])
    bad = first("w")
    if bad:
        raise ValueError(f"{names[2]}: {bad[0][0]}")
    if inputs.w is not None and not math.fsum(s[2] for s in summaries) > 0:
        raise ValueError(f"{names[2]}: the weights sum to 0; at least one example must have a positive weight")


# Worker-side task functions (module level: pickled by reference).


def _summary(part):
    return part.summary()


def _grad_task(part, P, dims, codes, scale, columns=None):
    return part.gradients(P, dims, codes, scale, columns)


def _grad_from_source(index, offset, Xb, targets, spec, P, dims, codes, scale, check):
    """Out-of-core step: load the block of X from its source, (first pass: check it), join
    the held targets, compute; the block is dropped when the task ends."""
    X, bad = _load_X(Xb, offset, np.dtype(spec[0]))
    part = _join(index, offset, X, bad, targets, spec[3])
    if part.problems:
        return None, None, part.summary()
    loss, G = part.gradients(P, dims, codes, scale)
    return loss, G, part.summary() if check else None


def _weight_summary(index, offset, wb):
    """Weights only (out-of-core fits compute the total weight before the first step)."""
    w = np.asarray(wb)
    bad = _first_nonfinite(w, offset) if w.dtype.kind == "f" else None
    problems = {}
    if bad is not None:
        problems["w nonfinite"] = bad
    elif (w < 0).any():
        problems["w"] = f"weights must be >= 0, found {w[np.flatnonzero(w < 0)[0]].item()!r}"
    return index, w.size, float(np.sum(w, dtype=np.float64)), problems


# ------------------------------------------------------------------------------ backends


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


# ------------------------------------------------------------------------------ training


class _Trainer:
    """The data side of a distributed fit: partitions (held or streamed), their sizes and
    weights, and the steps (full batch or mini-batch) that the loop calls."""

    def __init__(self, backend, inputs, dims, codes, output, hold):
        self.backend, self.inputs, self.dims, self.codes = backend, inputs, dims, codes
        self.spec = (inputs.dtype.str, output, dims[-1], dims[1])
        self.hold = hold
        self.parts = None
        self.targets = None
        self.places = None
        self.total_weight = None
        self.weights = None  # per-partition weight sums
        self.w_client = None  # the weights in memory (weighted mini-batches only)
        self._perm_epoch = None
        self._perm = None
        self.pending_check = False

    def load(self):
        """The first pass: hold the partitions, checked (raising the in-memory ValueError of
        the first bad value), or, streaming, hold the checked targets (X and the targets'
        problems are raised by the first step)."""
        inputs = self.inputs
        blocks = inputs.delayed_blocks()
        if self.hold:
            name = f"fastnn-partition-{uuid.uuid4().hex[:8]}"
            places = self.places = self.backend.placement(inputs.sizes)
            tasks = []
            for k, (Xb, Yb, wb) in enumerate(blocks):
                # A loose restriction: balanced over the workers' threads, anywhere when lost.
                with dask.annotate(**({} if places[k] is None else dict(workers=[places[k]],
                                                                        allow_other_workers=True))):
                    tasks.append(dask.delayed(_prepare, pure=False)(k, inputs.offsets[k], Xb, Yb, wb, self.spec,
                                                                    dask_key_name=f"{name}-{k}"))
            self.parts = self.backend.hold(tasks)
            try:
                summaries = self.backend.summaries(self.parts)
                _raise_problems(summaries, inputs)
            except BaseException:
                self.close()
                raise
            self.weights = [s[2] for s in summaries]
        else:  # out of core: hold the targets, stream X (checked by the first step)
            places = self.backend.placement(inputs.sizes)
            tasks = []
            for k, (Xb, Yb, wb) in enumerate(blocks):
                with dask.annotate(**({} if places[k] is None else dict(workers=[places[k]],
                                                                        allow_other_workers=True))):
                    tasks.append(dask.delayed(_load_targets, pure=False)(k, inputs.offsets[k], inputs.sizes[k], Yb,
                                                                         wb, self.spec))
            self.targets = self.backend.hold(tasks)
            try:
                summaries = self.backend.summaries(self.targets)
            except BaseException:
                self.close()
                raise
            self.weights = [s[2] for s in summaries]
            self.pending_check = True
        self.total_weight = math.fsum(self.weights) if inputs.w is not None else float(inputs.m)

    def close(self):
        for name in ("parts", "targets"):
            held = getattr(self, name)
            if held is not None:
                self.backend.release(held)
                setattr(self, name, None)

    # ---------------------------------------------------------------- one step

    def gradients(self, P, scale, columns=None):
        """``(loss sum, summed gradients)`` over the partitions (in partition order) at the
        flat parameters ``P``: the whole set, or the mini-batch ``columns`` (a list of
        per-partition index arrays, None where a partition has no example in the batch)."""
        inputs, dims, codes = self.inputs, self.dims, self.codes
        if self.hold:
            self.places = self.backend.holders(self.parts, self.places)
            if columns is None:
                calls = [(part, P, dims, codes, scale) for part in self.parts]
                places = self.places
            else:
                calls = [(part, P, dims, codes, scale, c) for part, c in zip(self.parts, columns) if c is not None]
                places = [w for w, c in zip(self.places, columns) if c is not None]
            results = self.backend.run(_grad_task, calls, places)
        else:
            check = self.pending_check
            tasks = [dask.delayed(_grad_from_source, pure=False)(k, inputs.offsets[k], Xb, targets, self.spec, P,
                                                                 dims, codes, scale, check)
                     for k, ((Xb, _, _), targets) in enumerate(zip(inputs.delayed_blocks(), self.targets))]
            with warnings.catch_warnings():  # X's source may be in the graph: the user's choice
                warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
                out = self.backend.compute(tasks)
            if check or any(r[2] is not None for r in out):
                _raise_problems([r[2] for r in out], inputs)
                self.pending_check = False
            results = [(r[0], r[1]) for r in out]
        loss = 0.0
        G = None
        for part_loss, part_G in results:
            loss += part_loss
            if G is None:
                G = part_G.copy()
            else:
                G += part_G
        return loss, G

    def batch_columns(self, epoch, j0, j1, shuffle, seed):
        """Per-partition local indices of the batch ``perm[j0:j1]`` of ``epoch`` (in batch
        order), and the batch's weight sum (float64, in batch order as the kernel sums it)."""
        inputs = self.inputs
        if self._perm_epoch != epoch:
            self._perm = (np.random.RandomState(seed + epoch).permutation(inputs.m) if shuffle
                          else np.arange(inputs.m))
            self._perm_epoch = epoch
        idx = self._perm[j0:j1]
        starts = np.asarray(inputs.offsets, np.int64)
        owner = np.searchsorted(starts, idx, side="right") - 1
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(inputs.n_parts + 1))
        columns = []
        for k in range(inputs.n_parts):
            sel = idx[order[bounds[k]:bounds[k + 1]]] - starts[k]
            columns.append(sel if sel.size else None)
        if self.w_client is not None:
            weight = float(np.cumsum(self.w_client[idx], dtype=np.float64)[-1])
        else:
            weight = float(idx.size)
        return columns, weight


class _Shape:
    """What the in-memory loop reads of its ``Data`` (sizes only: the data is distributed)."""

    def __init__(self, inputs):
        self.m, self.n_x = inputs.m, inputs.n_x
        self.total_weight = None


class _Loop(training.Loop):
    """The in-memory training loop (recording, progress, callbacks, divergence, Ctrl-C) with
    its compiled call replaced by distributed steps."""

    def __init__(self, trainer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer

    def _call(self, n_epochs, max_steps):
        s = self.state
        istate, fstate = s.istate, s.fstate
        trainer = self.trainer
        bs = int(s.codes[KN.C_BATCH])
        m = trainer.inputs.m
        steps = 0
        cost = math.nan
        while istate[KN.I_EPOCH] < n_epochs and steps < max_steps:
            e = int(istate[KN.I_EPOCH])
            if istate[KN.I_STEP] == 0:
                fstate[KN.F_LOSS] = 0.0
                fstate[KN.F_WEIGHT] = 0.0
            P = s.parameters()
            try:
                if bs == 0:
                    weight = trainer.total_weight
                    loss, G = trainer.gradients(P, 1.0 / weight)
                    last = True
                else:
                    j0 = int(istate[KN.I_STEP]) * bs
                    j1 = min(m, j0 + bs)
                    columns, weight = trainer.batch_columns(e, j0, j1, bool(s.codes[KN.C_SHUFFLE]),
                                                            int(istate[KN.I_SEED]))
                    loss, G = trainer.gradients(P, 1.0 / weight, columns)
                    last = j1 == m
            except ClusterError as exc:
                raise ClusterError(self._lost(e, exc)) from exc
            if not math.isfinite(loss):
                return KN.BAD_COST, steps, loss / weight
            s.G[:] = G
            ok, term = KN.update(s.P2, s.V2, s.S2, s.G, s.layout.segments, s.codes, self.hyper, self.lrs[e],
                                 weight, istate)
            loss += term
            cost = loss / weight
            if not math.isfinite(loss):
                if ok:  # undo the commit: a step whose cost is not finite is refused
                    istate[KN.I_CUR] = 1 - istate[KN.I_CUR]
                    istate[KN.I_T] -= 1
                return KN.BAD_COST, steps, cost
            if not ok:
                return KN.BAD_UPDATE, steps, cost
            steps += 1
            fstate[KN.F_LOSS] += loss
            fstate[KN.F_WEIGHT] += weight
            if last:
                self.epoch_costs[e] = fstate[KN.F_LOSS] / fstate[KN.F_WEIGHT]
                istate[KN.I_EPOCH] = e + 1
                istate[KN.I_STEP] = 0
            else:
                istate[KN.I_STEP] += 1
        return KN.OK, steps, cost

    def _lost(self, epoch, exc):
        s = self.state
        where = f"{self.unit} {epoch}"
        if s.codes[KN.C_BATCH] > 0:
            where += f", step {int(s.istate[KN.I_STEP])} of the epoch"
        last = "step" if s.codes[KN.C_BATCH] > 0 else "iteration"
        return (f"fit: the Dask cluster failed during {where} ({exc}); the model keeps the parameters of the "
                f"last completed {last} (n_iter_={epoch}, n_steps_={int(s.istate[KN.I_T])})")


def _decide_hold(backend, inputs, units):
    """Hold the partitions in the cluster's memory, or stream them from their source."""
    setting = _setting("persist", "auto")
    if setting is True or setting is False:
        return setting
    if isinstance(setting, str) and setting.lower() in ("true", "false"):
        return setting.lower() == "true"
    memory = backend.memory()
    if memory is None:
        return True
    return inputs.nbytes(units) <= float(_setting("memory-fraction", 0.5)) * memory


def fit(model, X, Y, sample_weight=None, *, validation_data=None, progress=False, callback=None, verbose=False):
    """``DeepNetwork.fit`` for dask input (see the module notes). Returns the model."""
    from .optimizers import learning_rates, state_arrays

    dtype = model._check_hyperparameters()
    if model.keep_prob < 1:
        raise ValueError(
            f"keep_prob: dropout (keep_prob={model.keep_prob!r}) is not available on dask input: the in-memory fit "
            "draws one mask per unit and example of the whole batch, and the per-partition kernel runs without "
            "dropout; use keep_prob=1, or compute X into memory"
        )
    if model.first_layer == "gram":
        raise ValueError("first_layer: 'gram' needs X in memory (it builds the m x m matrix X^T X); "
                         "on dask input use first_layer='auto' or 'direct'")
    if model.early_stopping and validation_data is None:
        raise ValueError(
            "early_stopping: on dask input pass validation_data=(X_val, Y_val); holding out "
            f"validation_fraction={model.validation_fraction} of a distributed X would pull that part of X "
            "into memory"
        )
    inputs = _inputs(model, X, Y, sample_weight, dtype)
    layout = model._layout
    backend = _backend()
    hold = _decide_hold(backend, inputs, layout.units)
    if model.batch_size is not None and not hold:
        raise ValueError(
            f"batch_size: mini-batches (batch_size={model.batch_size}) need the partitions held in the cluster's "
            f"memory (every step touches every partition), and this X ({inputs.nbytes(layout.units) / 2**20:.0f} MiB "
            "with work buffers) is streamed from its source; add workers or memory, or set "
            "dask.config.set({'fastnn.persist': True}) to hold it (dask spills to disk)"
        )
    batch = 0 if model.batch_size is None else min(int(model.batch_size), inputs.m)
    codes = model._codes(0, batch)
    trainer = _Trainer(backend, inputs, model._dims, model._codes(0, 0), model._output, hold)
    try:
        trainer.load()  # raises the in-memory ValueError for bad values, before the model changes
    except ClusterError as exc:
        raise ClusterError(f"fit: the Dask cluster failed while loading the partitions ({exc})") from exc
    try:
        if batch and inputs.w is not None:
            trainer.w_client = np.asarray(inputs.w.compute(), dtype=inputs.dtype)
        # As DeepNetwork._start: the model's fitted state starts afresh.
        rng_seed = model._reset_fitted_state(inputs.dtype)
        model.first_layer_ = "direct"
        if validation_data is not None:
            validation_data = _in_memory_validation(validation_data)
        validation = model._validation_set(inputs.X, None, None, None, validation_data, rng_seed, False)
        validation = validation and validation[1]
        P = layout.flatten(model.parameters_, inputs.dtype)
        state = training.TrainingState(layout, P, model._codes(0, 0), state_arrays(model.optimizer), None, None,
                                       0, 0, inputs.n_x, False)
        state.codes = codes
        s = state.istate
        s[KN.I_SEED] = model.shuffle_seed_
        s[KN.I_DSEED] = model.dropout_seed_
        lrs = learning_rates(float(model.learning_rate), model.n_iterations, model.lr_decay,
                             float(model.decay_rate), int(model.decay_interval))
        loop = _Loop(trainer, state, _Shape(inputs), model._hyper(), lrs, model.record_every, progress=progress,
                     verbose=verbose, first_epoch=0, describe_epoch="epoch" if batch else "iteration")
        loop.on_epoch, loop.wants, tracker = model._epoch_hook(layout, codes, state, validation, callback, loop)
        try:
            loop.run()
        finally:
            model._finish(layout, state, loop, lrs, False, None, 0, tracker)
    finally:
        trainer.close()
    return model


def _in_memory_validation(validation_data):
    """``validation_data`` with dask arrays computed into memory (once, before training)."""
    try:
        X_val, Y_val = validation_data
    except (TypeError, ValueError):
        return validation_data  # the model's own check raises the in-memory TypeError
    if _is_dask_array(X_val) or _is_dask_array(Y_val):
        X_val, Y_val = dask.compute(X_val, Y_val)
    return X_val, Y_val


# ------------------------------------------------------------------------------ inspection


def _predict_block(Xb, P, dims, codes, dtype, kind, block_info=None):
    dtype = np.dtype(dtype)
    X = np.asarray(Xb)
    if X.dtype != dtype or not (X.flags.c_contiguous or X.flags.f_contiguous):
        X = np.asfortranarray(X, dtype=dtype)
    offset = block_info[0]["array-location"][1][0] if block_info else 0
    bad = _first_nonfinite(X, offset)
    if bad is not None:
        raise ValueError(f"X: contains NaN or inf (first at index {bad}; the first in its partition)")
    layout = _layout(dims)
    A = (training.predict(layout, codes, P, X) if X.shape[1] else np.empty((dims[-1], 0), dtype))
    return A if kind == "proba" else predictions(kind, A)


def _predict(model, X, kind):
    X, _ = _check_X(X, model._dims[0], model._dtype_)
    P = model._flat()
    n_out = model._dims[-1]
    if kind == "softmax":
        rows, dtype = 1, np.int64
    elif kind in ("sigmoid",):
        rows, dtype = n_out, np.int64
    else:
        rows, dtype = n_out, model._dtype_
    return X.map_blocks(_predict_block, P, tuple(model._dims), model._codes(), model._dtype_.str, kind,
                        chunks=((rows,), X.chunks[1]), dtype=dtype, meta=np.empty((0, 0), dtype),
                        name=f"fastnn-{'predict-proba' if kind == 'proba' else 'predict'}")


def predict_proba(model, X):
    """``DeepNetwork.predict_proba`` for a dask ``X``: a lazy dask array ``(n_L, m)`` chunked
    like ``X``'s columns (``.compute()`` it). A NaN raises the in-memory ValueError when
    computed, naming the first bad entry of the first failing partition."""
    model._check_fitted()
    return _predict(model, X, "proba")


def predict(model, X):
    """``DeepNetwork.predict`` for a dask ``X``: a lazy dask array (int64 labels, or the
    values of a regression network), chunked like ``X``'s columns."""
    model._check_fitted()
    return _predict(model, X, model._output)


def _stats_block(index, offset, Xb, Yb, wb, spec, P, dims, codes, want):
    """One partition's first pass for ``score`` / ``cost`` / ``gradients``: its problems, its
    weight, and the sums the client combines."""
    part = _prepare(index, offset, Xb, Yb, wb, spec)
    if part.problems:
        return part.summary(), None
    d = part.data
    if want == "loss":
        loss, _ = part.gradients(P, dims, codes, 1.0)
        return part.summary(), loss
    if want == "gradients":
        return part.summary(), part.gradients(P, dims, codes, 1.0 / spec[4])
    A = training.predict(_layout(dims), codes, P, np.ascontiguousarray(d.X.T if d.xmajor else d.X))
    w = d.w if d.w.size else None
    output = spec[1]
    if output == "softmax":
        hit = np.argmax(A, axis=0) == d.Yi
    elif output == "sigmoid":
        hit = np.all((A > 0.5) == (d.Yf > 0.5), axis=0)
    else:  # R^2: weighted sums, mean and M2 per row (combined across partitions by Chan's rule)
        ww = np.ones(part.m) if w is None else w.astype(np.float64)
        sw = float(np.sum(ww))
        Yf = d.Yf.astype(np.float64)
        mean = (Yf @ ww) / sw if sw > 0 else np.zeros(Yf.shape[0])
        m2 = ((Yf - mean[:, None]) ** 2) @ ww
        res = ((Yf - A) ** 2) @ ww
        return part.summary(), (sw, mean, m2, res)
    hits = float(np.sum(hit)) if w is None else float(np.sum(hit * w.astype(np.float64)))
    return part.summary(), hits


def _first_pass(model, X, Y, sample_weight, want):
    """Per-partition results of a one-pass computation (score, cost, gradients), after the
    in-memory input checks; the backend computes ``_stats_block`` once per partition."""
    model._check_fitted()
    inputs = _inputs(model, X, Y, sample_weight, model._dtype_)
    backend = _backend()
    P = model._flat()
    total = None
    if want == "gradients":
        if inputs.w is None:
            total = float(inputs.m)
        else:
            tasks = [dask.delayed(_weight_summary, pure=False)(k, inputs.offsets[k], wb)
                     for k, (_, _, wb) in enumerate(inputs.delayed_blocks())]
            total = math.fsum(s[2] for s in backend.compute(tasks))
            total = total if total > 0 else 1.0
    spec = (inputs.dtype.str, model._output, model._dims[-1], model._dims[1], total)
    tasks = [dask.delayed(_stats_block, pure=False)(k, inputs.offsets[k], Xb, Yb, wb, spec, P, tuple(model._dims),
                                                    model._codes(), want)
             for k, (Xb, Yb, wb) in enumerate(inputs.delayed_blocks())]
    out = backend.compute(tasks)
    summaries = [o[0] for o in out]
    _raise_problems(summaries, inputs)
    weight = math.fsum(s[2] for s in summaries) if inputs.w is not None else float(inputs.m)
    return inputs, P, [o[1] for o in out], weight


def score(model, X, Y, sample_weight=None):
    """``DeepNetwork.score`` for dask input: accuracy or R^2, computed where the partitions
    live in one pass (per-partition sums reduced on the client)."""
    inputs, _, results, weight = _first_pass(model, X, Y, sample_weight, "score")
    if model._output != "identity":
        return float(sum(results) / weight)
    sw, mean, m2, res = results[0]
    mean, m2, res = mean.copy(), m2.copy(), res.copy()
    for sw_k, mean_k, m2_k, res_k in results[1:]:  # Chan et al.'s pairwise combination
        n = sw + sw_k
        if n > 0:
            delta = mean_k - mean
            m2 += m2_k + delta ** 2 * sw * sw_k / n
            mean += delta * sw_k / n
        res += res_k
        sw = n
    ss_res, ss_tot = res / sw, m2 / sw
    r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), np.where(ss_res > 0, 0.0, 1.0))
    return float(np.mean(r2))


def cost(model, X, Y, sample_weight=None):
    """``DeepNetwork.cost`` for dask input: the loss sums of the partitions, reduced on the
    client, plus the L2 term."""
    _, P, losses, total = _first_pass(model, X, Y, sample_weight, "loss")
    loss = 0.0
    for part_loss in losses:
        loss += part_loss
    value = loss / total
    if model.l2:
        norm = sum(float(np.sum(np.square(P[s:e], dtype=np.float64))) for s, e in model._layout.weight_segments())
        value += 0.5 * model.l2 / total * norm
    return float(value)


def gradients(model, X, Y, sample_weight=None):
    """``DeepNetwork.gradients`` for dask input (the partitions' gradient sums, L2 added)."""
    _, P, results, total = _first_pass(model, X, Y, sample_weight, "gradients")
    G = results[0][1].copy()
    for _, part_G in results[1:]:
        G += part_G
    if model.l2:
        coef = G.dtype.type(model.l2 / total)
        for s, e in model._layout.weight_segments():
            G[s:e] += coef * P[s:e]
    return model._layout.views(G, prefix="d")


# ------------------------------------------------------------------------------ helpers


def connect(address, timeout="10s"):
    """A ``distributed.Client`` connected to the scheduler at ``address`` (what
    ``fastnn train --scheduler ADDRESS`` uses); ``ConnectionError`` naming the address when
    it cannot connect within ``timeout``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError("--scheduler needs dask.distributed: pip install 'fastnn[dask]'") from exc
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ConnectionError(f"cannot connect to the Dask scheduler at {address!r}: {exc}") from exc


def describe(client):
    """One line about the cluster behind ``client``: scheduler address, workers, threads, memory."""
    workers = client.scheduler_info().get("workers", {})
    threads = sum(w.get("nthreads", 0) for w in workers.values())
    memory = sum(w.get("memory_limit") or 0 for w in workers.values())
    return (f"Dask cluster {client.scheduler.address}: {len(workers)} worker{'s' if len(workers) != 1 else ''}, "
            f"{threads} thread{'s' if threads != 1 else ''}" + (f", {memory / 2**30:.1f} GiB" if memory else ""))


def to_dask(X, Y=None, sample_weight=None, *, partitions=None, client=None):
    """In-memory training data as dask arrays chunked along the examples, ``partitions``
    chunks of near-equal size (default: one per worker thread of ``client`` or of the active
    client, else one per CPU). Each chunk is a separate piece of the graph: it travels to
    one worker once, and the scheduler keeps it so that a lost worker's chunk can be rebuilt.

    Returns ``X`` (and ``Y``, ``sample_weight`` when given) as a tuple when more than one."""
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X: expected a 2-D array of shape (n_x, m), got shape {X.shape}")
    m = X.shape[1]
    if partitions is None:
        client = client if client is not None else _active_client()
        partitions = sum(client.nthreads().values()) if client is not None else (os.cpu_count() or 1)
    partitions = max(1, min(int(partitions), m))
    bounds = [round(k * m / partitions) for k in range(partitions + 1)]
    chunks = tuple(b - a for a, b in zip(bounds[:-1], bounds[1:]))

    def split(A, axis_len):
        pieces = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            block = np.ascontiguousarray(A[..., a:b])
            shape = block.shape
            pieces.append(da.from_delayed(dask.delayed(block, pure=True), shape, dtype=block.dtype))
        return da.concatenate(pieces, axis=A.ndim - 1).rechunk(((axis_len,), chunks) if A.ndim == 2 else (chunks,))

    out = [split(X, X.shape[0])]
    if Y is not None:
        Y = np.asarray(Y)
        out.append(split(Y, Y.shape[0]) if Y.ndim == 2 else Y)
    if sample_weight is not None:
        w = np.asarray(sample_weight)
        out.append(split(w, None) if w.ndim == 1 else w)
    return out[0] if len(out) == 1 else tuple(out)


def from_npy(paths, mmap=False):
    """A dask array ``(n_x, m)`` from ``.npy`` files holding consecutive column blocks (each
    ``(n_x, m_k)``), one partition per file, read by the worker that computes it (only the
    file headers are read here). ``mmap=True`` maps instead of reading."""
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise ValueError("paths: expected at least one .npy file")
    pieces = []
    n_x = None
    for path in paths:
        header = np.load(path, mmap_mode="r")  # the header only: nothing is read yet
        shape, dtype = header.shape, header.dtype
        del header
        if len(shape) != 2:
            raise ValueError(f"{path}: expected a 2-D (n_x, m_k) array, got shape {shape}")
        if n_x is not None and shape[0] != n_x:
            raise ValueError(f"{path}: {shape[0]} rows, the first file has {n_x}")
        n_x = shape[0]
        load = dask.delayed(_load_npy, pure=True)(path, mmap)
        pieces.append(da.from_delayed(load, shape, dtype=dtype))
    return da.concatenate(pieces, axis=1)


def _load_npy(path, mmap):
    return np.load(path, mmap_mode="r" if mmap else None)

