"""Element-wise work of a dense layer as serial helpers: bias + activation (+ dropout)
forward, activation derivative (+ dropout) backward with the bias gradient, and the three
output layers (sigmoid + binary cross-entropy, softmax + categorical cross-entropy,
identity + squared error) fused with ``dZ`` and ``db``.

These are the building blocks of the compiled training step (``network.py``) and of the
parallel kernels (``forward.py``, ``backward.py``, ``output.py``), which run them on row
segments from a ``prange``. All arrays are C-contiguous ``(n, b)``: ``n`` units, ``b``
examples. Sums over examples (losses, ``db``) accumulate in float64. No fastmath: these
must match ``fastnn.reference`` to about one ulp.

Conventions
    ``dZ`` at the output is ``dL/dz * w_j * scale`` with ``w_j`` the example's weight (1 when
    the weight array is empty) and ``scale = 1 / sum(w)`` over the whole batch (``1/m``
    unweighted), so every later gradient is already divided by the weight sum.
    Loss sums returned are ``sum_j w_j * loss_j`` (float64).
"""

import numpy as np

from ._config import helper
from .dropout import uniform

#: Hidden activation codes.
RELU, TANH, SIGMOID, IDENTITY = 0, 1, 2, 3
#: Output layer codes.
OUT_SIGMOID, OUT_SOFTMAX, OUT_IDENTITY = 0, 1, 2


@helper
def sigmoid(z, one):
    """Stable logistic function, the reference's formula (no overflow for any finite z)."""
    if z >= 0:
        return one / (one + np.exp(-z))
    e = np.exp(z)
    return e / (one + e)


@helper
def activate_segment(z, out, bias, act):
    """``out[j] = g(z[j] + bias)`` for one row segment; ``out`` may be ``z``."""
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    if act == RELU:
        for j in range(z.size):
            v = z[j] + bias
            out[j] = zero if v < zero else v  # NaN propagates, as np.maximum
    elif act == TANH:
        for j in range(z.size):
            out[j] = np.tanh(z[j] + bias)
    elif act == SIGMOID:
        for j in range(z.size):
            out[j] = sigmoid(z[j] + bias, one)
    else:
        for j in range(z.size):
            out[j] = z[j] + bias


@helper
def bias_activate(Z, b, act):
    """``Z = g(Z + b)`` in place, row by row."""
    for i in range(Z.shape[0]):
        activate_segment(Z[i], Z[i], b[i, 0], act)


@helper
def dropout_forward(A, keep, key, Ad, M):
    """Inverted dropout of the activations ``A``: ``M`` the 0/1 mask (uint8), ``Ad = (A * M)
    / keep`` (the course's order of operations), ``A`` untouched (its values give the
    activation's derivative in the backward pass)."""
    n, b = A.shape
    zero = A.dtype.type(0)
    one = A.dtype.type(1)
    kp = A.dtype.type(keep)
    for i in range(n):
        a = A[i]
        ad = Ad[i]
        mk = M[i]
        for j in range(b):
            if uniform(key, i * b + j) < keep:
                mk[j] = 1
                ad[j] = (a[j] * one) / kp
            else:
                mk[j] = 0
                ad[j] = (a[j] * zero) / kp


@helper
def derivative_segment(da, a, dz, act):
    """``dz[j] = da[j] * g'(z_j)`` with ``g'`` written through ``a = g(z)``; ``dz`` may be ``da``."""
    one = a.dtype.type(1)
    zero = a.dtype.type(0)
    if act == RELU:
        # Alone, the select compiles to a vectorised blend (fused with a sum it became a
        # data-dependent branch: 512x8192 17.6 ms against 4.6 ms).
        for j in range(a.size):
            dz[j] = da[j] if a[j] > zero else zero
    elif act == TANH:
        for j in range(a.size):
            dz[j] = da[j] * (one - a[j] * a[j])
    elif act == SIGMOID:
        for j in range(a.size):
            dz[j] = da[j] * a[j] * (one - a[j])
    else:
        for j in range(a.size):
            dz[j] = da[j]


@helper
def row_sum(x):
    """Sum of a row in float64, in index order."""
    s = 0.0
    for j in range(x.size):
        s += np.float64(x[j])
    return s


@helper
def hidden_backward(dA, A, M, keep, act, db):
    """``dA`` becomes ``dZ = dA * g'`` in place (after the dropout mask ``M`` and ``/ keep``
    when ``M`` is not empty, as the course: ``dA * D / keep_prob``); ``db`` the row sums."""
    n = dA.shape[0]
    dropout = M.size > 0
    kp = dA.dtype.type(keep)
    one = dA.dtype.type(1)
    zero = dA.dtype.type(0)
    for i in range(n):
        da = dA[i]
        if dropout:
            mk = M[i]
            for j in range(da.size):
                da[j] = (da[j] * (one if mk[j] else zero)) / kp
        derivative_segment(da, A[i], da, act)
        db[i, 0] = row_sum(da)


@helper
def sigmoid_loss(z, y, one, zero):
    """``(loss, a)``: the stable loss from the logit and the stable sigmoid, sharing one exp."""
    e = np.exp(-np.abs(z))
    if z >= zero:
        a = one / (one + e)
        loss = z - y * z + np.log1p(e)
    else:
        a = e / (one + e)
        loss = -y * z + np.log1p(e)
    return loss, a


@helper
def sigmoid_ce_segment(z, y, w, bias, s, d):
    """One row segment of the sigmoid / cross-entropy output: ``d = (a - y) * w * s``;
    returns ``(sum w * loss, sum d)`` in float64. ``w`` empty: unweighted."""
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    weighted = w.size > 0
    sl = 0.0
    sd = 0.0
    for j in range(z.size):
        loss, a = sigmoid_loss(z[j] + bias, y[j], one, zero)
        if weighted:
            dj = (a - y[j]) * (w[j] * s)
            sl += np.float64(w[j]) * np.float64(loss)
        else:
            dj = (a - y[j]) * s
            sl += np.float64(loss)
        d[j] = dj
        sd += np.float64(dj)
    return sl, sd


@helper
def softmax_ce(Z, b, labels, w, scale, dZ, db, scratch):
    """Softmax / categorical cross-entropy output, stable (max-shifted log-sum-exp).

    ``Z`` (K, n): logits without the bias (the bias is added in place); ``labels`` (n,)
    int64 in 0..K-1; ``dZ`` (K, n) receives ``(a - onehot) * w * scale``; ``db`` (K, 1) its
    row sums. ``scratch``: float64 (2, >= n). Returns ``sum_j w_j * loss_j`` in float64,
    ``loss_j = log(sum_k exp(z_kj)) - z_{y_j} j``.
    """
    K, n = Z.shape
    weighted = w.size > 0
    s = Z.dtype.type(scale)
    mx = scratch[0, :n]
    se = scratch[1, :n]
    for k in range(K):
        bk = b[k, 0]
        zk = Z[k]
        for j in range(n):
            zk[j] = zk[j] + bk
    for j in range(n):
        mx[j] = Z[0, j]
    for k in range(1, K):
        zk = Z[k]
        for j in range(n):
            if zk[j] > mx[j]:
                mx[j] = zk[j]
    se[:] = 0.0
    for k in range(K):
        zk = Z[k]
        dk = dZ[k]
        for j in range(n):
            e = np.exp(zk[j] - Z.dtype.type(mx[j]))
            dk[j] = e
            se[j] += np.float64(e)
    total = 0.0
    for j in range(n):
        y = labels[j]
        loss = np.log(se[j]) - (np.float64(Z[y, j]) - mx[j])
        total += (np.float64(w[j]) * loss) if weighted else loss
    for k in range(K):
        dk = dZ[k]
        acc = 0.0
        for j in range(n):
            a = Z.dtype.type(np.float64(dk[j]) / se[j])
            t = a - Z.dtype.type(1) if labels[j] == k else a
            v = t * (w[j] * s) if weighted else t * s
            dk[j] = v
            acc += np.float64(v)
        db[k, 0] = acc
    return total


@helper
def identity_se(Z, b, Y, w, scale, dZ, db):
    """Identity output with the squared error ``loss_j = sum_k (z_kj + b_k - y_kj)**2 / 2``.

    ``dZ = (yhat - y) * w * scale``, ``db`` its row sums; returns ``sum_j w_j * loss_j``."""
    K, n = Z.shape
    weighted = w.size > 0
    s = Z.dtype.type(scale)
    half = Z.dtype.type(0.5)
    total = 0.0
    for k in range(K):
        bk = b[k, 0]
        zk = Z[k]
        yk = Y[k]
        dk = dZ[k]
        acc = 0.0
        for j in range(n):
            r = (zk[j] + bk) - yk[j]
            loss = half * r * r
            if weighted:
                v = r * (w[j] * s)
                total += np.float64(w[j]) * np.float64(loss)
            else:
                v = r * s
                total += np.float64(loss)
            dk[j] = v
            acc += np.float64(v)
        db[k, 0] = acc
    return total


@helper
def output_loss(out, Z, b, Yf, Yi, w, scale, dZ, db, scratch):
    """Dispatch to the output layer ``out``; returns the weighted loss sum."""
    if out == OUT_SIGMOID:
        total = 0.0
        for k in range(Z.shape[0]):
            sl, sd = sigmoid_ce_segment(Z[k], Yf[k], w, b[k, 0], Z.dtype.type(scale), dZ[k])
            db[k, 0] = sd
            total += sl
        return total
    if out == OUT_SOFTMAX:
        return softmax_ce(Z, b, Yi, w, scale, dZ, db, scratch)
    return identity_se(Z, b, Yf, w, scale, dZ, db)


@helper
def output_activate(out, Z, b):
    """The output layer's prediction in place: probabilities (sigmoid, softmax) or values."""
    K, n = Z.shape
    if out == OUT_SIGMOID:
        bias_activate(Z, b, SIGMOID)
    elif out == OUT_IDENTITY:
        bias_activate(Z, b, IDENTITY)
    else:
        for k in range(K):
            activate_segment(Z[k], Z[k], b[k, 0], IDENTITY)
        for j in range(n):
            mx = Z[0, j]
            for k in range(1, K):
                if Z[k, j] > mx:
                    mx = Z[k, j]
            se = 0.0
            for k in range(K):
                e = np.exp(Z[k, j] - mx)
                Z[k, j] = e
                se += np.float64(e)
            for k in range(K):
                Z[k, j] = Z.dtype.type(np.float64(Z[k, j]) / se)
