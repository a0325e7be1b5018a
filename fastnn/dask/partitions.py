"""The per-partition work of a dask fit, done on the worker that holds the partition.

A partition is a chunk of ``X``'s columns with its targets and weights. Here: loading a
block (converted to the kernels' dtype and layout, checked: ``X`` finite, ``Y`` valid,
weights valid, the first pass), the held forms (:class:`_Part`, the whole partition;
:class:`_Targets`, its targets and weights only, while an out-of-core ``X`` streams), the
in-memory ``ValueError`` for the first problem the partitions found (:func:`_raise_problems`)
and the task functions the backends send to the workers (module level: pickled by
reference): the summary, the gradient step of a held partition, the out-of-core step that
reads its block of ``X`` from the source, the weights-only pass."""

import math
import threading

import numpy as np

from .. import training
from .._layout import Layout
from ..kernels import network as KN
from ..kernels import state as KS
from ..outputs import check_targets


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
            loss = KN.loss_and_gradients(P, G, layout.table, c, KS.Data(X, Yf, Yi, w), scale, np.inf, acts, deltas,
                                         scratch)
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
