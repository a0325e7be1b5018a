"""The network kernels called from Python: the training loop per output layer, the update
alone, loss and gradients, prediction (compiled, cached Numba entries).

:func:`train_for` / :func:`predict_for` give the copy of ``loop.train_loop`` /
:func:`predict_block` compiled for one output layer (a compile-time constant, ``OUTPUT``);
:func:`update` is a step's update alone and :func:`loss_and_gradients` the passes alone, for
drivers that compute or reduce gradients themselves (a data-parallel fit, L-BFGS).
"""

import types

import numpy as np

from ._config import entry, helper
from .codes import (C_L, C_OPT, C_OUT, C_XMAJOR, H_L2, I_CUR, I_T, OUT_IDENTITY,
                    OUT_POISSON, OUT_SIGMOID, OUT_SOFTMAX)
from .layers import output_activate
from .loop import OUTPUT, _commit, train_loop
from .optimizers import optimizer_update, squared_weight_norm
from .passes import _bias, _block, _no_dropout, backward, bs_is_negative, forward
from .state import Net, Work


@entry
def update(params, net, lr, weight_sum, istate):
    """The update of a step whose gradients (times ``1 / weight_sum``, L2 not included) are
    already in ``params.G`` (``state.Params``; ``net`` is ``state.Net``): the optimizer
    writes the spare rows and, when every new parameter is finite, the step is committed
    (``istate[I_CUR]`` flipped, ``istate[I_T]`` counted). Returns ``(ok, l2_term)``,
    ``l2_term = lambda/2 * sum ||W||^2`` at the parameters before the update (what
    ``loop.step`` adds to a batch's loss sum). Numba JIT-compiled.

    This is the step's update alone, for a driver that computes the gradients elsewhere (a
    data-parallel fit sums them over partitions)."""
    cur = istate[I_CUR]
    l2 = net.hyper[H_L2]
    term = 0.5 * l2 * squared_weight_norm(params.P2[cur], net.segments) if l2 != 0.0 else 0.0
    ok = optimizer_update(params, cur, net.segments, net.codes[C_OPT], lr, l2 / weight_sum, net.hyper,
                          istate[I_T] + 1)
    if ok:
        _commit(istate)
    return ok, term


@helper
def _pass_groups(layout, codes, acts, deltas, scratch):
    """``(net, work)`` of a pass without training: ``state.Net`` with no segments nor
    hyper-parameters (a pass reads neither), ``state.Work`` with no dropout."""
    net = Net(np.empty((0, 3), np.int64), layout, codes, np.empty(0, np.float64))
    return net, Work(acts, acts[:0], np.empty(0, np.uint8), deltas, scratch)


@entry
def loss_and_gradients(P, G, layout, codes, data, scale, cap, acts, deltas, scratch):
    """Weighted loss sum of ``data`` (``state.Data``) at parameters ``P`` (1-D), gradients
    (times ``scale`` and the weights) into ``G``; no dropout, no update. ``cap``: each
    example's cross-entropy capped (``np.inf``: none; see ``H_CAP``). Numba JIT-compiled.

    With ``scale = 1 / sum(w)`` over a whole data set split in parts, the gradients of the
    parts add up to the data set's (what a data-parallel fit reduces).
    """
    xmajor = codes[C_XMAJOR] == 1
    X = data.X
    b = X.shape[0] if xmajor else X.shape[1]
    net, work = _pass_groups(layout, codes, acts, deltas, scratch)
    no_gram = np.empty((0, 0), np.float64)
    keep, seed, step_ = _no_dropout(codes)
    forward(P, net, xmajor, keep, seed, step_, X, b, work, no_gram)
    no = bs_is_negative(codes)  # run-time False (see loop.train_loop)
    # The output layer known at run time: all three compiled (this entry serves every model).
    return backward(codes[C_OUT], P, G, net, xmajor, keep, data, scale, cap, work, no, not no)


def predict_block(P, layout, codes, X, acts):
    """Output of the network for a feature-major ``X`` ``(n_x, b)``: probabilities (sigmoid
    or softmax) or values, left in (and returned as a view of) the last layer's block of
    ``acts``. Compiled once per output layer, :data:`OUTPUT` (:func:`predict_for`)."""
    L = codes[C_L]
    b = X.shape[1]
    net, work = _pass_groups(layout, codes, acts, acts[:0], np.empty((0, 0), np.float64))
    keep, seed, step_ = _no_dropout(codes)
    forward(P, net, bs_is_negative(codes), keep, seed, step_, X, b, work, np.empty((0, 0), np.float64))
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
