"""Input validation of dask training and inference data: ``X`` chunked along the examples
only, ``Y`` and ``sample_weight`` chunked like its columns (NumPy ones are wrapped so), real
numeric dtypes, known chunk sizes; the in-memory messages, or ones saying how to rechunk.

:class:`_Inputs` is the validated set: its partitions (non-empty column chunks), their sizes
and offsets, and their blocks as Delayed objects. The values are checked later, by the
partitions' first pass (:mod:`fastnn.dask.partitions`)."""

import math

import dask.array as da
import numpy as np

from .._validation import FLOAT_DTYPES, check_X_shape
from . import _model


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
    X, dtype = _check_X(X, _model.dims(model)[0], dtype, like=like)
    Yd = _check_Y(Y, X, _model.output(model), _model.dims(model)[-1]) if with_targets else None
    w = _check_w(sample_weight, X) if with_targets else None
    return _Inputs(X, Yd, w, dtype, _model.dims(model)[-1])
