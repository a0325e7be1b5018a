"""Data-parallel training of ``DeepNetwork`` on Dask arrays (the optional ``dask`` extra:
``pip install fastnn-numba[dask]``).

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
  tests/dask/). One partition holding X as it is gives the in-memory fit bit for bit.
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

The package, from the bottom up (each module imports only from those above it in this list):
``_settings`` (the dask import, settings, the active client), ``_model`` (every access to
``DeepNetwork``'s private members), ``checks`` (input validation), ``partitions`` (the
per-partition work on the workers), ``backends`` (local scheduler or ``distributed`` client,
:class:`ClusterError`), ``fitting`` (the trainer and :func:`fit`), ``inference``
(:func:`predict`, :func:`predict_proba`, :func:`score`, :func:`cost`, :func:`gradients`) and
``data`` (:func:`connect`, :func:`describe`, :func:`to_dask`, :func:`from_npy`). This module
holds the public API only.
"""

from . import _settings  # noqa: F401  (first: without dask, the ImportError naming the extra)
# The backends' timing constants, public names of the former single module: read them here,
# set them on fastnn.dask.backends (the module that reads them).
from .backends import POLL_SECONDS, REFRESH_EVERY, RELEASE_EVERY, ClusterError  # noqa: F401
from .data import connect, describe, from_npy, to_dask
from .fitting import fit
from .inference import cost, gradients, predict, predict_proba, score

__all__ = ["ClusterError", "connect", "describe", "to_dask", "from_npy", "fit", "predict", "predict_proba", "score",
           "cost", "gradients"]
