"""Output layers as parallel kernels: sigmoid + binary cross-entropy, softmax + categorical
cross-entropy, identity + squared error, each fused with ``dZ = A - Y`` and ``db``.

The compiled training step runs the same helpers (``layers.py``) serially; these kernels
split the examples into fixed chunks or blocks and merge their float64 partial sums in
order, so their results do not depend on the thread count.

Sigmoid + binary cross-entropy:

``Z`` is the ``(1, m)`` product ``W_L @ A_{L-1}`` WITHOUT the bias; ``b`` is ``(1, 1)``.
The loss is computed from the logit ``z = Z[0, j] + b[0, 0]``, stably:
``max(z, 0) - y*z + log1p(exp(-|z|))``, and ``a = sigmoid(z)`` reuses the same
``exp(-|z|)`` (bit-identical to the reference's two-branch stable sigmoid).
``dZ = (a - y) * scale`` (sigmoid + cross-entropy: dL/dz = a - y).

Sums over examples accumulate in float64 over fixed chunks of the ``m`` range (the chunk
count depends on ``m`` only), with the partial sums merged serially in chunk order: the
result is bit-identical at any thread count.  No fastmath.
"""

import numpy as np
from numba import prange

from ._config import helper, kernel
from .layers import SOFTMAX_BLOCK, identity_se, sigmoid_ce_segment, sigmoid_loss, softmax_block

#: At most this many chunks; a chunk holds at least _MIN_CHUNK examples.
_MAX_CHUNKS = 64
_MIN_CHUNK = 256


@helper
def _n_chunks(m):
    return max(1, min(_MAX_CHUNKS, m // _MIN_CHUNK))


@kernel
def sigmoid_cross_entropy(Z, b, Y, scale, dZ):
    """Cost, ``dZ`` and ``db`` of the sigmoid/cross-entropy output layer in one pass.

    Numba JIT-compiled.

    Parameters
    ----------
    Z : (1, m) float array
        Logits without the bias.
    b : (1, 1) float array
    Y : (1, m) float array of 0/1, same dtype as ``Z``.
    scale : float
        ``dZ`` is multiplied by it (the models pass ``1/m`` so that every downstream
        gradient is already divided by ``m``).
    dZ : (1, m) float array, output
        ``(sigmoid(z) - y) * scale``.

    Returns
    -------
    cost : float
        Mean loss over the ``m`` examples (float64 accumulation).
    db : float
        ``sum(dZ)`` (float64 accumulation of the stored, rounded ``dZ`` values).
    """
    m = Z.shape[1]
    s = Z.dtype.type(scale)
    bias = b[0, 0]
    nc = _n_chunks(m)
    partial = np.zeros((nc, 2), np.float64)
    no_weights = Z[0, :0]
    for c in prange(nc):
        j0 = c * m // nc
        j1 = (c + 1) * m // nc
        tmp = np.empty(j1 - j0, np.float64)
        sl, sd = sigmoid_ce_segment(Z[0, j0:j1], Y[0, j0:j1], no_weights, bias, s, dZ[0, j0:j1], tmp, np.inf)
        partial[c, 0] = sl
        partial[c, 1] = sd
    cost = 0.0
    db = 0.0
    for c in range(nc):
        cost += partial[c, 0]
        db += partial[c, 1]
    return cost / m, db


@kernel
def cross_entropy_from_logits(Z, b, Y):
    """Mean stable binary cross-entropy of the logits ``Z + b`` against ``Y``.

    Numba JIT-compiled.  Same formula, chunking and float64 accumulation as
    :func:`sigmoid_cross_entropy`, without writing any gradient.
    """
    m = Z.shape[1]
    one = Z.dtype.type(1)
    zero = Z.dtype.type(0)
    bias = b[0, 0]
    nc = _n_chunks(m)
    partial = np.zeros(nc, np.float64)
    z_row = Z[0]
    y_row = Y[0]
    for c in prange(nc):
        j0 = c * m // nc
        j1 = (c + 1) * m // nc
        zc = z_row[j0:j1]
        yc = y_row[j0:j1]
        sl = 0.0
        for j in range(zc.size):
            loss, _ = sigmoid_loss(zc[j] + bias, yc[j], one, zero)
            sl += np.float64(loss)
        partial[c] = sl
    cost = 0.0
    for c in range(nc):
        cost += partial[c]
    return cost / m


@kernel
def softmax_cross_entropy(Z, b, labels, scale, dZ, db):
    """Softmax / categorical cross-entropy output: cost, ``dZ`` and ``db`` in one pass per
    block of columns.  Numba JIT-compiled.

    Parameters
    ----------
    Z : (K, m) float array
        Logits without the bias; the bias is added in place (``Z`` holds ``Z + b`` after).
    b : (K, 1) float array
    labels : (m,) int64 array of class labels in ``0..K-1`` (no one-hot matrix).
    scale : float
        ``dZ`` is multiplied by it (``1/m`` for the mean).
    dZ : (K, m) float array, output
        ``(softmax(z) - onehot(y)) * scale``.
    db : (K, 1) float array, output
        Row sums of ``dZ`` (float64 accumulation).

    Returns
    -------
    float
        Mean loss ``logsumexp(z) - z_y`` (max-shifted: finite for any finite logits).

    Blocks of ``SOFTMAX_BLOCK`` columns run in parallel; their float64 partial sums are
    merged in block order, bit-identical to the serial ``layers.softmax_ce``.
    """
    K, m = Z.shape
    s = Z.dtype.type(scale)
    nb = (m + SOFTMAX_BLOCK - 1) // SOFTMAX_BLOCK
    parts = np.zeros((nb, K), np.float64)
    losses = np.zeros(nb, np.float64)
    no_weights = Z[0, :0]
    for c in prange(nb):
        j0 = c * SOFTMAX_BLOCK
        j1 = min(m, j0 + SOFTMAX_BLOCK)
        scratch = np.empty((2, SOFTMAX_BLOCK), np.float64)
        losses[c] = softmax_block(Z, b, labels, no_weights, s, dZ, j0, j1, parts[c], scratch, np.inf)
    total = 0.0
    acc = np.zeros(K, np.float64)
    for c in range(nb):
        total += losses[c]
        for k in range(K):
            acc[k] += parts[c, k]
    for k in range(K):
        db[k, 0] = acc[k]
    return total / m


@kernel
def squared_error(Z, b, Y, scale, dZ, db):
    """Identity output with the squared error: cost ``sum_k (z + b - y)**2 / 2`` averaged over
    the ``m`` examples, ``dZ = (z + b - y) * scale`` and ``db`` its row sums (float64).
    Numba JIT-compiled.  ``Z``, ``Y``, ``dZ``: ``(K, m)``; ``b``, ``db``: ``(K, 1)``.

    Rows run in parallel (one thread sums a row, in order): deterministic.
    """
    K, m = Z.shape
    losses = np.zeros(K, np.float64)
    no_weights = Z[0, :0]
    for k in prange(K):
        losses[k] = identity_se(Z[k:k + 1], b[k:k + 1], Y[k:k + 1], no_weights, scale, dZ[k:k + 1], db[k:k + 1])
    total = 0.0
    for k in range(K):
        total += losses[k]
    return total / m
