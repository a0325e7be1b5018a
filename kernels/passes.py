"""A network's forward and backward passes over a batch, on flat buffers (compiled helpers).

The parameters ``P`` and gradients ``G`` are flat vectors, activations and deltas flat
per-unit buffers, described by ``layout`` int64 ``(L+1, 4)``, row ``l``: ``[n_l, W offset,
b offset, units before l]``. ``W[l]`` is ``P[woff:woff + n_l*n_{l-1}].reshape(n_l,
n_{l-1})``, ``b[l]`` the ``n_l`` values at its offset; layer ``l``'s activations (and deltas)
for a batch of ``b`` examples are ``acts[u*b:(u + n_l)*b].reshape(n_l, b)`` with
``u = n_1 + ... + n_{l-1}``. ``X`` is feature-major ``(n_x, b)`` or example-major
``(b, n_x)`` (``xmajor``); the first layer's products take either. The views below are those
reshapes; :func:`forward` and :func:`backward` are inlined into the training step
(``loop.py``) and the entries (``entries.py``).
"""

import numpy as np

from ._config import helper
from ._intrinsics import readonly
from ._intrinsics import view2 as _view2
from .codes import C_ACT, C_BATCH, C_L
from .dense import mm_nn, mm_nt, mm_tn
from .dropout import layer_key
from .layers import bias_activate, dropout_forward, hidden_backward, output_loss


@helper
def _weights(P, layout, l):
    n, n_prev = layout[l, 0], layout[l - 1, 0]
    return _view2(P, layout[l, 1], n, n_prev)


@helper
def _weights_t(P, layout, l):
    """``W[l]``'s slot of ``P`` shaped as ``W[l].T``: ``(n_{l-1}, n_l)`` (a work buffer)."""
    n, n_prev = layout[l, 0], layout[l - 1, 0]
    return _view2(P, layout[l, 1], n_prev, n)


@helper
def _bias(P, layout, l):
    return _view2(P, layout[l, 2], layout[l, 0], 1)


@helper
def _block(buf, layout, l, b):
    """Layer ``l``'s ``(n_l, b)`` block of a per-unit buffer (activations, deltas, masks)."""
    return _view2(buf, layout[l, 3] * b, layout[l, 0], b)


@helper
def _copy2(src, dst):
    """``dst[...] = src`` for 2-D arrays of one shape (an explicit loop: Numba's array slice
    assignment compiles its shape-mismatch message, seconds of compile time)."""
    for i in range(src.shape[0]):
        s = src[i]
        d = dst[i]
        for j in range(s.size):
            d[j] = s[j]


@helper
def _first_product(W, X, xmajor, Z):
    """``Z = W @ X`` for a feature-major ``X`` (n_x, b) or an example-major one (b, n_x)."""
    if xmajor:
        mm_nt(W, X, Z)
    else:
        mm_nn(W, X, Z)


@helper
def _first_weight_grad(dZ, X, xmajor, dW):
    """``dW = dZ @ X.T`` for either layout of ``X``."""
    if xmajor:
        mm_nn(dZ, X, dW)
    else:
        mm_nt(dZ, X, dW)


@helper(inline=True)
def forward(P, net, xmajor, keep, seed, step, X, b, work, gZ1):
    """Forward pass of a batch of ``b`` examples up to the output logits (bias not added).

    ``net`` and ``work`` are ``state.Net`` and ``state.Work``. Hidden layers are activated in
    place in ``work.acts``; with dropout (``work.masks`` not empty) the dropped activations go
    to ``work.dropped`` and their masks (drawn for training step ``step`` under ``seed``) to
    ``work.masks``. ``gZ1`` (not empty on the Gram path) holds ``W1 X`` already. The logits
    are left in the last layer's block of ``work.acts``.
    """
    layout, codes = net.layout, net.codes
    acts, dropped, masks = work.acts, work.dropped, work.masks
    L = codes[C_L]
    act = codes[C_ACT]
    dropout = masks.size > 0
    A_prev = X
    for l in range(1, L + 1):
        Z = _block(acts, layout, l, b)
        if l == 1 and gZ1.size > 0:
            _copy2(gZ1, Z)
        elif l == 1:
            _first_product(_weights(P, layout, l), X, xmajor, Z)
        else:
            mm_nn(_weights(P, layout, l), readonly(A_prev), Z)  # typed as X: one compiled product
        if l == L:
            break
        bias_activate(Z, _bias(P, layout, l), act)
        if dropout:
            Ad = _block(dropped, layout, l, b)
            dropout_forward(Z, keep, layer_key(seed, step, l), Ad, _block(masks, layout, l, b))
            A_prev = Ad
        else:
            A_prev = Z


@helper(inline=True)
def backward(out, P, G, net, xmajor, keep, data, scale, cap, work, gram, want):
    """Output loss (output layer ``out``, see ``layers.output_loss``) of the batch ``data``
    (``state.Data``: the examples :func:`forward` saw), then the backward pass: gradients
    (already divided by the weight sum, through ``scale``) into ``G``. Returns the weighted
    loss sum of the batch (float64; 0.0 or NaN, see ``layers.output_loss``, without
    ``want``). Each example's cross-entropy is capped at ``cap``. On the Gram path (``gram``)
    the first layer's ``dW`` is not computed."""
    layout, codes = net.layout, net.codes
    X, Yf, Yi, w = data
    acts, dropped, masks, deltas, scratch = work
    b = X.shape[0] if xmajor else X.shape[1]
    L = codes[C_L]
    act = codes[C_ACT]
    dropout = masks.size > 0
    ZL = _block(acts, layout, L, b)
    dZ = _block(deltas, layout, L, b)
    loss = output_loss(out, ZL, _bias(P, layout, L), Yf, Yi, w, scale, cap, dZ, _bias(G, layout, L), scratch,
                       want)
    for l in range(L, 0, -1):
        dZ = _block(deltas, layout, l, b)
        if l == 1:
            if not gram:
                _first_weight_grad(dZ, X, xmajor, _weights(G, layout, l))
            break
        A_prev = _block(dropped, layout, l - 1, b) if dropout else _block(acts, layout, l - 1, b)
        dA = _block(deltas, layout, l - 1, b)
        # dA first: dW's slot in G is free until its product and holds W^T for the loop.
        mm_tn(_weights(P, layout, l), dZ, dA, _weights_t(G, layout, l))
        mm_nt(dZ, readonly(A_prev), _weights(G, layout, l))
        M = _block(masks, layout, l - 1, b) if dropout else _view2(masks, 0, 0, 0)
        hidden_backward(dA, _block(acts, layout, l - 1, b), M, keep, act, _bias(G, layout, l - 1))
    return loss


@helper
def bs_is_negative(codes):
    """False at run time (batch sizes are not negative), typed as a plain bool."""
    return codes[C_BATCH] < 0


@helper
def _no_dropout(codes):
    """``(keep, seed, step)`` of a pass without dropout, typed as :func:`step` passes them
    (float64, int64, int64): literal constants would make Numba compile ``forward`` again."""
    zero = codes[C_L] - codes[C_L]
    return np.float64(1.0) + zero, zero, zero
