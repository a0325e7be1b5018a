"""Output layer: sigmoid + binary cross-entropy, fused with ``dZ = A - Y`` and ``db``.

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

#: At most this many chunks; a chunk holds at least _MIN_CHUNK examples.
_MAX_CHUNKS = 64
_MIN_CHUNK = 256


@helper
def _n_chunks(m):
    return max(1, min(_MAX_CHUNKS, m // _MIN_CHUNK))


@helper
def _loss_and_sigmoid(z, y, one, zero):
    """Return (stable loss from the logit, stable sigmoid), sharing one exp."""
    e = np.exp(-np.abs(z))
    if z >= zero:
        a = one / (one + e)
        loss = z - y * z + np.log1p(e)
    else:
        a = e / (one + e)
        loss = -y * z + np.log1p(e)
    return loss, a


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
    one = Z.dtype.type(1)
    zero = Z.dtype.type(0)
    s = Z.dtype.type(scale)
    bias = b[0, 0]
    nc = _n_chunks(m)
    partial = np.zeros((nc, 2), np.float64)
    z_row = Z[0]
    y_row = Y[0]
    d_row = dZ[0]
    for c in prange(nc):
        j0 = c * m // nc
        j1 = (c + 1) * m // nc
        zc = z_row[j0:j1]
        yc = y_row[j0:j1]
        dc = d_row[j0:j1]
        sl = 0.0
        sd = 0.0
        for j in range(zc.size):
            z = zc[j] + bias
            y = yc[j]
            loss, a = _loss_and_sigmoid(z, y, one, zero)
            d = (a - y) * s
            dc[j] = d
            sl += np.float64(loss)
            sd += np.float64(d)
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
            z = zc[j] + bias
            y = yc[j]
            e = np.exp(-np.abs(z))
            if z >= zero:
                loss = z - y * z + np.log1p(e)
            else:
                loss = -y * z + np.log1p(e)
            sl += np.float64(loss)
        partial[c] = sl
    cost = 0.0
    for c in range(nc):
        cost += partial[c]
    return cost / m
