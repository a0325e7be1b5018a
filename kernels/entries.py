"""The network kernels called from Python: the training loop per output layer, the update
alone, loss and gradients, prediction (compiled, cached Numba entries).

:func:`train_for` / :func:`predict_for` give the copy of ``loop.train_loop`` /
:func:`predict_block` compiled for one output layer (a compile-time constant, ``OUTPUT``);
:func:`update` is a step's update alone and :func:`loss_and_gradients` the passes alone, for
drivers that compute or reduce gradients themselves (a data-parallel fit, L-BFGS).
"""

import types

import numpy as np

from ._config import entry
from .codes import (C_L, C_OPT, C_OUT, C_XMAJOR, H_BETA, H_BETA1, H_BETA2, H_EPS, H_L2, I_CUR, I_T, OUT_IDENTITY,
                    OUT_POISSON, OUT_SIGMOID, OUT_SOFTMAX)
from .layers import output_activate
from .loop import OUTPUT, _commit, train_loop
from .optimizers import optimizer_update, squared_weight_norm
from .passes import _bias, _block, _no_dropout, backward, bs_is_negative, forward


@entry
def update(P2, V2, S2, G, segments, codes, hyper, lr, weight_sum, istate):
    """The update of a step whose gradients (times ``1 / weight_sum``, L2 not included) are
    already in ``G``: the optimizer writes the spare rows and, when every new parameter is
    finite, the step is committed (``istate[I_CUR]`` flipped, ``istate[I_T]`` counted).
    Returns ``(ok, l2_term)``, ``l2_term = lambda/2 * sum ||W||^2`` at the parameters before
    the update (what :func:`step` adds to a batch's loss sum). Numba JIT-compiled.

    This is :func:`step`'s update alone, for a driver that computes the gradients elsewhere
    (a data-parallel fit sums them over partitions)."""
    cur = istate[I_CUR]
    l2 = hyper[H_L2]
    term = 0.5 * l2 * squared_weight_norm(P2[cur], segments) if l2 != 0.0 else 0.0
    ok = optimizer_update(P2[cur], G, V2[cur], S2[cur], P2[1 - cur], V2[1 - cur], S2[1 - cur], segments,
                          codes[C_OPT], lr, l2 / weight_sum, hyper[H_BETA], hyper[H_BETA1], hyper[H_BETA2],
                          hyper[H_EPS], istate[I_T] + 1)
    if ok:
        _commit(istate)
    return ok, term


@entry
def loss_and_gradients(P, G, layout, codes, X, Yf, Yi, w, scale, cap, acts, deltas, scratch):
    """Weighted loss sum of ``(X, Y)`` at parameters ``P`` (1-D), gradients (times ``scale``
    and the weights) into ``G``; no dropout, no update. ``cap``: each example's
    cross-entropy capped (``np.inf``: none; see ``H_CAP``). Numba JIT-compiled.

    With ``scale = 1 / sum(w)`` over a whole data set split in parts, the gradients of the
    parts add up to the data set's (what a data-parallel fit reduces).
    """
    xmajor = codes[C_XMAJOR] == 1
    b = X.shape[0] if xmajor else X.shape[1]
    none = np.empty(0, np.uint8)
    no_gram = np.empty((0, 0), np.float64)
    keep, seed, step_ = _no_dropout(codes)
    forward(P, layout, codes, xmajor, keep, seed, step_, X, b, acts, acts[:0], none, no_gram)
    no = bs_is_negative(codes)  # run-time False (see train_loop)
    # The output layer known at run time: all three compiled (this entry serves every model).
    return backward(codes[C_OUT], P, G, layout, codes, xmajor, keep, X, Yf, Yi, w, scale, cap, b, acts, acts[:0],
                    none, deltas, scratch, no, not no)


def predict_block(P, layout, codes, X, acts):
    """Output of the network for a feature-major ``X`` ``(n_x, b)``: probabilities (sigmoid
    or softmax) or values, left in (and returned as a view of) the last layer's block of
    ``acts``. Compiled once per output layer, :data:`OUTPUT` (:func:`predict_for`)."""
    L = codes[C_L]
    b = X.shape[1]
    none = np.empty(0, np.uint8)
    keep, seed, step_ = _no_dropout(codes)
    forward(P, layout, codes, bs_is_negative(codes), keep, seed, step_, X, b, acts, acts[:0], none,
            np.empty((0, 0), np.float64))
    Z = _block(acts, layout, L, b)
    output_activate(OUTPUT, Z, _bias(P, layout, L))
    return Z


_OUTPUT_NAMES = {OUT_SIGMOID: "sigmoid", OUT_SOFTMAX: "softmax", OUT_IDENTITY: "identity", OUT_POISSON: "poisson"}


def _compiled_for(fn, out):
    """A cached entry compiled from ``fn``'s code with :data:`OUTPUT` = ``out``: a copy of
    the function over a copy of this module's globals (Numba reads a global as a compile-
    time constant), named for its output layer so that its cache files are its own."""
    name = f"{fn.__name__}_{_OUTPUT_NAMES[out]}"
    copy = types.FunctionType(fn.__code__, dict(fn.__globals__, OUTPUT=out), name, fn.__defaults__)
    copy.__qualname__ = name
    copy.__module__ = fn.__module__
    copy.__doc__ = f":func:`{fn.__name__}` for the {_OUTPUT_NAMES[out]} output layer. Numba JIT-compiled."
    return entry(copy)


# One compiled training loop (and prediction) per output layer: each compiles its own
# output layer only. With the three in one loop (a run-time code) the first fit compiled
# all three, about 1 s more of the first `fastnn train`; a program that trains two kinds of
# output compiles the loop's own code twice instead (the helpers under it are shared).
_TRAIN = {out: _compiled_for(train_loop, out) for out in _OUTPUT_NAMES}
_PREDICT = {out: _compiled_for(predict_block, out) for out in _OUTPUT_NAMES}


def train_for(out):
    """The compiled training loop (:func:`train_loop`) for the output layer ``out``
    (``codes[C_OUT]``), called with :func:`train_loop`'s arguments."""
    return _TRAIN[out]


def predict_for(out):
    """The compiled prediction (:func:`predict_block`) for the output layer ``out``."""
    return _PREDICT[out]
