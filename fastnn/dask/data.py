"""Helpers for the user's side of a dask fit: connect to a scheduler (:func:`connect`, what
``fastnn train --scheduler`` uses), describe its cluster in one line (:func:`describe`), and
make dask arrays chunked along the examples from in-memory data (:func:`to_dask`) or from
``.npy`` files of consecutive column blocks, read where they are computed (:func:`from_npy`)."""

import os

import dask
import dask.array as da
import numpy as np

from ._settings import _active_client


def connect(address, timeout="10s"):
    """A ``distributed.Client`` connected to the scheduler at ``address`` (what
    ``fastnn train --scheduler ADDRESS`` uses); ``ConnectionError`` naming the address when
    it cannot connect within ``timeout``."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ImportError("--scheduler needs dask.distributed: pip install 'fastnn-numba[dask]'") from exc
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
