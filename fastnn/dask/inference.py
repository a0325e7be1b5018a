"""Inference on dask input: ``predict``, ``predict_proba`` (lazy dask arrays, one block per
partition of ``X``) and the one-pass reductions ``score``, ``cost`` and ``gradients``.

Each partition is loaded and checked as a fit's first pass does
(:func:`fastnn.dask.partitions._prepare`), computes its sums where it lives
(:func:`_stats_block`), and the client combines them in partition order: hits or the loss
and gradient sums added up, R^2 from per-partition means and sums of squares (Chan et al.'s
pairwise rule), the L2 term added on the client."""

import math

import dask
import numpy as np

from .. import training
from ..outputs import predictions
from . import _model
from .backends import _backend
from .checks import _check_X, _inputs
from .partitions import _first_nonfinite, _layout, _prepare, _raise_problems, _weight_summary


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
    X, _ = _check_X(X, _model.dims(model)[0], _model.dtype(model))
    P = _model.flat_parameters(model)
    n_out = _model.dims(model)[-1]
    if kind == "softmax":
        rows, dtype = 1, np.int64
    elif kind in ("sigmoid",):
        rows, dtype = n_out, np.int64
    else:
        rows, dtype = n_out, _model.dtype(model)
    return X.map_blocks(_predict_block, P, tuple(_model.dims(model)), _model.codes(model), _model.dtype(model).str,
                        kind, chunks=((rows,), X.chunks[1]), dtype=dtype, meta=np.empty((0, 0), dtype),
                        name=f"fastnn-{'predict-proba' if kind == 'proba' else 'predict'}")


def predict_proba(model, X):
    """``DeepNetwork.predict_proba`` for a dask ``X``: a lazy dask array ``(n_L, m)`` chunked
    like ``X``'s columns (``.compute()`` it). A NaN raises the in-memory ValueError when
    computed, naming the first bad entry of the first failing partition."""
    _model.check_fitted(model)
    return _predict(model, X, "proba")


def predict(model, X):
    """``DeepNetwork.predict`` for a dask ``X``: a lazy dask array (int64 labels, or the
    values of a regression network), chunked like ``X``'s columns."""
    _model.check_fitted(model)
    return _predict(model, X, _model.output(model))


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
    _model.check_fitted(model)
    inputs = _inputs(model, X, Y, sample_weight, _model.dtype(model))
    backend = _backend()
    P = _model.flat_parameters(model)
    total = None
    if want == "gradients":
        if inputs.w is None:
            total = float(inputs.m)
        else:
            tasks = [dask.delayed(_weight_summary, pure=False)(k, inputs.offsets[k], wb)
                     for k, (_, _, wb) in enumerate(inputs.delayed_blocks())]
            total = math.fsum(s[2] for s in backend.compute(tasks))
            total = total if total > 0 else 1.0
    spec = (inputs.dtype.str, _model.output(model), _model.dims(model)[-1], _model.dims(model)[1], total)
    tasks = [dask.delayed(_stats_block, pure=False)(k, inputs.offsets[k], Xb, Yb, wb, spec, P,
                                                    tuple(_model.dims(model)), _model.codes(model), want)
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
    if _model.output(model) != "identity":
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
        norm = sum(float(np.sum(np.square(P[s:e], dtype=np.float64)))
                   for s, e in _model.layout(model).weight_segments())
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
        for s, e in _model.layout(model).weight_segments():
            G[s:e] += coef * P[s:e]
    return _model.layout(model).views(G, prefix="d")
