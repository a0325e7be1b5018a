"""The network an estimator trains, as fastnn's kernels hold it: the flat parameter vector
(``fastnn._layout.Layout``: ``W[l]`` as ``(n_l, n_{l-1})`` then ``b[l]``, layer by layer), the
kernels' integer codes, and the conversions to and from scikit-learn's ``coefs_`` /
``intercepts_`` (``coefs_[i]`` is ``W[i+1].T``) and its packed vector (every ``coefs_[i]``
raveled, then every ``intercepts_[i]``: what its L-BFGS optimises).
"""

import numpy as np

from .. import training
from .._layout import Layout
from ..kernels import layers as KL
from ..kernels import network as KN

#: scikit-learn's activation names -> the kernels' hidden activation codes.
HIDDEN = {"relu": KL.RELU, "tanh": KL.TANH, "logistic": KL.SIGMOID, "identity": KL.IDENTITY}
#: scikit-learn's ``out_activation_`` -> the kernels' output layer codes.
OUTPUT = {"logistic": KL.OUT_SIGMOID, "softmax": KL.OUT_SOFTMAX, "identity": KL.OUT_IDENTITY,
          "exp": KL.OUT_POISSON}


def init_coef(random_state, fan_in, fan_out, activation, dtype):
    """One layer's initial ``(coef, intercept)``, drawn exactly as scikit-learn's
    ``_init_coef``: Glorot-uniform with bound ``sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 /
    ...)`` for ``activation="logistic"``), the ``(fan_in, fan_out)`` weights first, then the
    biases, from ``random_state``; cast to ``dtype``."""
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    coef = random_state.uniform(-bound, bound, (fan_in, fan_out))
    intercept = random_state.uniform(-bound, bound, fan_out)
    return coef.astype(dtype, copy=False), intercept.astype(dtype, copy=False)


def flat_parameters(layout, coefs, intercepts, dtype):
    """The flat vector (fastnn's layout) of ``coefs_`` / ``intercepts_``; a new array."""
    P = np.empty(layout.size, dtype)
    for l, (W, b) in enumerate(zip(coefs, intercepts), 1):
        w0, b0 = layout.table[l, 1], layout.table[l, 2]
        n, n_prev = layout.dims[l], layout.dims[l - 1]
        P[w0:w0 + n * n_prev].reshape(n, n_prev)[...] = np.asarray(W).T
        P[b0:b0 + n] = np.asarray(b).ravel()
    return P


def sklearn_parameters(layout, P):
    """``(coefs_, intercepts_)`` of the flat vector ``P``: new C-ordered arrays."""
    coefs, intercepts = [], []
    for l in range(1, layout.L + 1):
        w0, b0 = layout.table[l, 1], layout.table[l, 2]
        n, n_prev = layout.dims[l], layout.dims[l - 1]
        coefs.append(np.array(P[w0:w0 + n * n_prev].reshape(n, n_prev).T, order="C"))  # a copy, always
        intercepts.append(np.array(P[b0:b0 + n]))
    return coefs, intercepts


def packed_order(layout):
    """``idx`` such that ``P[idx]`` is scikit-learn's packed vector of the flat ``P`` (and
    ``P[idx] = x`` its inverse)."""
    coef_parts, bias_parts = [], []
    for l in range(1, layout.L + 1):
        w0, b0 = layout.table[l, 1], layout.table[l, 2]
        n, n_prev = layout.dims[l], layout.dims[l - 1]
        # coefs_[l-1] raveled (C order over (n_prev, n)) is W.T raveled: W's element (j, i)
        coef_parts.append((w0 + np.arange(n * n_prev).reshape(n, n_prev).T).ravel())
        bias_parts.append(b0 + np.arange(n))
    return np.concatenate(coef_parts + bias_parts).astype(np.int64)


def codes_for(layout, activation, out_activation, optimizer, batch, shuffle, xmajor):
    """The kernels' integer codes (``fastnn.kernels.network.C_*``) of a scikit-learn form fit."""
    codes = np.zeros(KN.N_CODES, np.int64)
    codes[KN.C_L] = layout.L
    codes[KN.C_ACT] = HIDDEN[activation]
    codes[KN.C_OUT] = OUTPUT[out_activation]
    codes[KN.C_OPT] = optimizer
    codes[KN.C_XMAJOR] = xmajor
    codes[KN.C_SHUFFLE] = KN.SHUFFLE_CONTINUED if shuffle else KN.SHUFFLE_NONE
    codes[KN.C_BATCH] = batch
    codes[KN.C_EVERY] = 1
    codes[KN.C_FORM] = KN.FORM_SKLEARN
    return codes


def loss_cap(out_activation, dtype):
    """scikit-learn's log losses clip probabilities to ``[eps, 1 - eps]`` (``eps`` of the
    dtype): per example a cross-entropy of at most ``-log(eps)``."""
    if out_activation in ("logistic", "softmax"):
        return float(-np.log(np.finfo(dtype).eps))
    return np.inf


def loss_scale(out_activation, n_outputs):
    """scikit-learn's squared error is the mean over the targets (its gradient the sum's)."""
    return 1.0 / n_outputs if out_activation == "identity" else 1.0


def forward(layout, activation, out_activation, P, X):
    """The output layer ``(n_samples, n_outputs)`` of sample-major ``X`` at the flat
    parameters ``P`` (the compiled prediction, in blocks; the model's dtype)."""
    codes = codes_for(layout, activation, out_activation, 0, 0, False, 0)
    out = training.predict(layout, codes, P, X.T)
    return np.ascontiguousarray(out.T)


def coefs_layout(coefs):
    """The flat layout of a network whose ``coefs_`` are ``coefs``."""
    return Layout([coefs[0].shape[0]] + [c.shape[1] for c in coefs])
