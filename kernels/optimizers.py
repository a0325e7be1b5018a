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

scikit-learn's forms (``sklearn.neural_network._stochastic_optimizers``), for the
``fastnn.sklearn`` estimators, each in scikit-learn's order of operations:

- ``SK_ADAM``:  the moments as ``ADAM``; ``lr_t = lr * sqrt(c2) / c1`` (float64, then in the
  parameters' dtype); ``W = W + (-lr_t * v) / (sqrt(s) + eps)``. In float32 the update is
  computed in float32, where scikit-learn computes that one expression in float64 (its
  ``lr_t`` is a NumPy float64 scalar, which promotes the float32 moment) before rounding
  the sum to float32: the two differ by one rounding of the update, far below float32
  training's own amplification of rounding, and float32's division and square root run on
  twice the lanes (the MNIST-1D step: 22 -> 11 us).
- ``SK_SGD``:   ``v = momentum * v - lr * g``;  ``W = W + v`` (classical momentum)
- ``SK_NESTEROV``: ``v = momentum * v - lr * g``;  ``W = W + (momentum * v - lr * g)``

Constants are converted to the parameters' dtype first (float32 stays float32), in the
order of operations of ``fastnn.reference``. No fastmath.
"""

import numpy as np

from ._config import FASTMATH, helper

from .codes import ADAM, GD, MOMENTUM, SK_ADAM, SK_NESTEROV, SK_SGD, WITH_S, WITH_V  # noqa: F401  (named in codes.py)
from .codes import H_BETA, H_BETA1, H_BETA2, H_EPS
from .state import Moments


@helper
def _update_segment(m, opt, decay, k):
    """One contiguous segment: ``m`` (``state.Moments``) holds every array sliced to it (indices
    from 0: a loop over a slice vectorises where the same loop over ``range(start, end)`` of
    the whole vectors did not); ``k`` the constants in the parameters' dtype, ``(lr, l2, beta,
    1 - beta, beta1, 1 - beta1, beta2, 1 - beta2, eps, c1, c2, nlr)``. Returns True when a new
    value is not finite."""
    P, G, V, S, Pn, Vn, Sn = m
    lr_, l2_, b_, omb, b1, omb1, b2, omb2, eps_, c1, c2, nlr = k
    bad = False
    if opt == GD:
        for q in range(P.size):
            g = G[q] + l2_ * P[q] if decay else G[q]
            p = P[q] - lr_ * g
            Pn[q] = p
            bad |= p - p != 0
    elif opt == MOMENTUM:
        for q in range(P.size):
            g = G[q] + l2_ * P[q] if decay else G[q]
            v = b_ * V[q] + omb * g
            Vn[q] = v
            p = P[q] - lr_ * v
            Pn[q] = p
            bad |= p - p != 0
    elif opt == ADAM:
        for q in range(P.size):
            g = G[q] + l2_ * P[q] if decay else G[q]
            v = b1 * V[q] + omb1 * g
            s = b2 * S[q] + omb2 * (g * g)
            Vn[q] = v
            Sn[q] = s
            p = P[q] - lr_ * (v / c1) / (np.sqrt(s / c2) + eps_)
            Pn[q] = p
            bad |= p - p != 0
    elif opt == SK_ADAM:
        # scikit-learn's Adam: nlr is -lr_t in the parameters' dtype.
        for q in range(P.size):
            g = G[q] + l2_ * P[q] if decay else G[q]
            v = b1 * V[q] + omb1 * g
            s = b2 * S[q] + omb2 * (g * g)
            Vn[q] = v
            Sn[q] = s
            p = P[q] + (nlr * v) / (np.sqrt(s) + eps_)
            Pn[q] = p
            bad |= p - p != 0
    else:
        # scikit-learn's SGD, classical (SK_SGD) or Nesterov's (SK_NESTEROV) momentum; b_ is the momentum.
        nesterov = opt == SK_NESTEROV
        for q in range(P.size):
            g = G[q] + l2_ * P[q] if decay else G[q]
            v = b_ * V[q] - lr_ * g
            Vn[q] = v
            u = (b_ * v - lr_ * g) if nesterov else v
            p = P[q] + u
            Pn[q] = p
            bad |= p - p != 0
    # x - x is 0 for finite x and NaN for inf/NaN. An OR of flags vectorises; a float sum
    # of them would be one chain of dependent additions.
    return bad


@helper
def optimizer_update(params, cur, segments, opt, lr, l2, hyper, t):
    """Step ``t`` (from 1) of optimizer ``opt``: from row ``cur`` of ``params``' parameters and
    moments (``state.Params``) and its gradients, write row ``1 - cur``; ``l2`` is the decay
    per unit of gradient (``lambda / weight sum``), ``hyper`` gives the betas and epsilon.
    Returns True when every new parameter is finite. ``V``/``S`` may be empty when unused."""
    P, G = params.P2[cur], params.G
    V, S = params.V2[cur], params.S2[cur]
    Pn, Vn, Sn = params.P2[1 - cur], params.V2[1 - cur], params.S2[1 - cur]
    beta, beta1, beta2, eps = hyper[H_BETA], hyper[H_BETA1], hyper[H_BETA2], hyper[H_EPS]
    T = P.dtype.type
    c1 = c2 = T(1.0)
    nlr = T(0.0)
    if opt == ADAM:  # Adam's bias corrections (two pow calls a step, unused by the others)
        c1 = T(1.0 - beta1 ** np.float64(t))
        c2 = T(1.0 - beta2 ** np.float64(t))
    elif opt == SK_ADAM:  # scikit-learn's: lr_t = lr * sqrt(1 - b2**t) / (1 - b1**t), negated
        nlr = T(-(lr * np.sqrt(1.0 - beta2 ** np.float64(t)) / (1.0 - beta1 ** np.float64(t))))
    k = (T(lr), T(l2), T(beta), T(1.0 - beta), T(beta1), T(1.0 - beta1), T(beta2), T(1.0 - beta2), T(eps), c1, c2, nlr)
    uniform = l2 == 0.0
    for r in range(segments.shape[0]):
        uniform = uniform and segments[r, 2] != 2
    if uniform:  # no L2 and nothing skipped: one pass over the whole vectors
        # ``l2 != 0.0`` is False here; a run-time bool, not the literal, which would compile
        # _update_segment a second time.
        bad = _update_segment(Moments(P, G, V, S, Pn, Vn, Sn), opt, l2 != 0.0, k)
        return not bad
    bad = False
    for r in range(segments.shape[0]):
        a, e, kind = segments[r, 0], segments[r, 1], segments[r, 2]
        if kind == 2:
            continue
        decay = l2 != 0.0 and kind == 1
        Vs, Vns = (V[a:e], Vn[a:e]) if opt != GD else (V[:0], Vn[:0])
        Ss, Sns = (S[a:e], Sn[a:e]) if (opt == ADAM or opt == SK_ADAM) else (S[:0], Sn[:0])
        bad |= _update_segment(Moments(P[a:e], G[a:e], Vs, Ss, Pn[a:e], Vns, Sns), opt, decay, k)
    return not bad


@helper(fastmath=FASTMATH)
def _sum_of_squares(x):
    """``sum x**2`` in float64; reassociated so that LLVM keeps vector partial sums (one chain
    of dependent additions cost 7-13 us a step of the MNIST-1D-sized nets, the L2 term of
    every step; the order is fixed by the compiled code and the length, as ``row_sum``'s)."""
    total = 0.0
    for q in range(x.size):
        v = np.float64(x[q])
        total += v * v
    return total


@helper
def squared_weight_norm(P, segments):
    """``sum ||W||^2`` over the weight segments (``is_weight`` 1 or 2), in float64."""
    total = 0.0
    for r in range(segments.shape[0]):
        if segments[r, 2] == 0:
            continue
        total += _sum_of_squares(P[segments[r, 0]:segments[r, 1]])
    return total
