"""Fused parameter updates over a flat parameter vector: gradient descent, momentum and Adam
(the course's formulas), with the L2 gradient folded in, the finiteness check fused, and
the result written out of place (``P`` -> ``Pn``, ``V`` -> ``Vn``, ``S`` -> ``Sn``) so that a
refused (non-finite) step leaves the current state whole.

One pass over each parameter and its optimizer state. ``segments`` is an int64 ``(n, 3)``
table ``[start, end, is_weight]``: L2 applies to weight segments only (never biases).
A segment with ``is_weight == 2`` is skipped (the first layer on the Gram path, which
the caller updates through ``Z1``); ``Pn`` must already hold its values.

Formulas, with ``g = dW + l2 * W`` (``l2 = lambda / m``, the course's ``lambd / m * W``):

- ``GD``:       ``W = W - lr * g``
- ``MOMENTUM``: ``v = beta * v + (1 - beta) * g``;  ``W = W - lr * v``
- ``ADAM``:     ``v = b1 v + (1 - b1) g``;  ``s = b2 s + (1 - b2) g**2``;
  ``W = W - lr * (v / c1) / (sqrt(s / c2) + eps)``, ``c1 = 1 - b1**t``, ``c2 = 1 - b2**t``

Constants are converted to the parameters' dtype first (float32 stays float32), in the
order of operations of ``fastnn.reference``. No fastmath.
"""

import numpy as np

from ._config import helper

GD, MOMENTUM, ADAM = 0, 1, 2


@helper
def optimizer_update(P, G, V, S, Pn, Vn, Sn, segments, opt, lr, l2, beta, beta1, beta2, eps, t):
    """Write the updated parameters (and optimizer state) of step ``t`` (from 1); return
    True when every new parameter is finite. ``V``/``S`` may be empty when unused."""
    T = P.dtype.type
    lr_ = T(lr)
    l2_ = T(l2)
    use_l2 = l2 != 0.0
    b_ = T(beta)
    omb = T(1.0 - beta)
    b1 = T(beta1)
    omb1 = T(1.0 - beta1)
    b2 = T(beta2)
    omb2 = T(1.0 - beta2)
    eps_ = T(eps)
    c1 = T(1.0 - beta1 ** np.float64(t))
    c2 = T(1.0 - beta2 ** np.float64(t))
    check = 0.0
    for r in range(segments.shape[0]):
        start, end, kind = segments[r, 0], segments[r, 1], segments[r, 2]
        if kind == 2:
            continue
        decay = use_l2 and kind == 1
        if opt == 0:
            for q in range(start, end):
                g = G[q] + l2_ * P[q] if decay else G[q]
                p = P[q] - lr_ * g
                Pn[q] = p
                check += np.float64(p - p)
        elif opt == 1:
            for q in range(start, end):
                g = G[q] + l2_ * P[q] if decay else G[q]
                v = b_ * V[q] + omb * g
                Vn[q] = v
                p = P[q] - lr_ * v
                Pn[q] = p
                check += np.float64(p - p)
        else:
            for q in range(start, end):
                g = G[q] + l2_ * P[q] if decay else G[q]
                v = b1 * V[q] + omb1 * g
                s = b2 * S[q] + omb2 * (g * g)
                Vn[q] = v
                Sn[q] = s
                p = P[q] - lr_ * (v / c1) / (np.sqrt(s / c2) + eps_)
                Pn[q] = p
                check += np.float64(p - p)
    # x - x is 0 for finite x and NaN for inf/NaN: a NaN sum flags the step.
    return check == 0.0


@helper
def squared_weight_norm(P, segments):
    """``sum ||W||^2`` over the weight segments (``is_weight`` 1 or 2), in float64."""
    total = 0.0
    for r in range(segments.shape[0]):
        if segments[r, 2] == 0:
            continue
        for q in range(segments[r, 0], segments[r, 1]):
            v = np.float64(P[q])
            total += v * v
    return total
