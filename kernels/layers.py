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
from numba.extending import overload

from ._config import ERROR_MODEL, FASTMATH, helper
from ._intrinsics import flat
from ._math import exp, log, log1p, tanh
from .dropout import uniform

# The activation and output codes (named in codes.py).
from .codes import IDENTITY, OUT_IDENTITY, OUT_POISSON, OUT_SIGMOID, OUT_SOFTMAX, RELU, SIGMOID, TANH  # noqa: E402,F401


@helper
def activate_segment(z, out, bias, act):
    """``out[j] = g(z[j] + bias)`` for one row segment; ``out`` may be ``z``."""
    if out.ctypes.data != z.ctypes.data:
        for j in range(z.size):
            out[j] = z[j]
    _activate_inplace(out, bias, act)


@helper
def _relu_row(z, bias):
    """``z[j] = max(z[j] + bias, 0)`` in place (NaN propagates, as ``np.maximum``)."""
    zero = z.dtype.type(0)
    for j in range(z.size):
        v = z[j] + bias
        z[j] = zero if v < zero else v


@helper
def _tanh_row(z, bias):
    for j in range(z.size):
        z[j] = tanh(z[j] + bias)


@helper
def _sigmoid_row(z, bias):
    """The stable logistic function, the reference's formula: ``1 / (1 + e)`` for ``v >= 0``
    and ``e / (1 + e)`` below, ``e = exp(-|v|)``, selected without a branch (the loop
    vectorises). Written out here: a second level of Numba inlining (an inlined helper
    calling the inlined exp) trips Numba's IR checks."""
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    for j in range(z.size):
        v = z[j] + bias
        e = exp(-np.abs(v))
        den = one + e
        z[j] = (one / den) if v >= zero else (e / den)


@helper
def _shift_row(z, bias):
    for j in range(z.size):
        z[j] = z[j] + bias


@helper
def _activate_inplace(z, bias, act):
    """``z[j] = g(z[j] + bias)``, one array read and written (vectorisable, see
    :func:`_derivative_inplace`). Each activation's loop is its own small function, which
    LLVM inlines where it is called: one function holding all four loops was not inlined,
    and its call per row cost as much as a 300-column row's ReLU."""
    if act == RELU:
        _relu_row(z, bias)
    elif act == TANH:
        _tanh_row(z, bias)
    elif act == SIGMOID:
        _sigmoid_row(z, bias)
    else:
        _shift_row(z, bias)


@helper
def bias_activate(Z, b, act):
    """``Z = g(Z + b)`` in place, row by row, the activation chosen once (not per row: the
    course's [2,10,5,1] step spent 0.67 us there, 0.19 us now)."""
    n = Z.shape[0]
    if act == RELU:
        for i in range(n):
            _relu_row(Z[i], b[i, 0])
    elif act == TANH:
        for i in range(n):
            _tanh_row(Z[i], b[i, 0])
    elif act == SIGMOID:
        for i in range(n):
            _sigmoid_row(Z[i], b[i, 0])
    else:
        for i in range(n):
            _shift_row(Z[i], b[i, 0])


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
    if dz.ctypes.data == da.ctypes.data:
        _derivative_inplace(dz, a, act)
        return
    for j in range(a.size):
        dz[j] = da[j]
    _derivative_inplace(dz, a, act)


@helper
def _derivative_inplace(d, a, act):
    """``d[j] *= g'(z_j)``, one array read and written: LLVM vectorises it (a loop that may
    write a second array overlapping its input falls back, after a runtime alias check, to
    scalar code, and the ReLU select becomes a branch mispredicted on random signs: 4 ns an
    element instead of 0.2)."""
    one = a.dtype.type(1)
    zero = a.dtype.type(0)
    if act == RELU:
        for j in range(a.size):
            d[j] = d[j] if a[j] > zero else zero
    elif act == TANH:
        for j in range(a.size):
            d[j] = d[j] * (one - a[j] * a[j])
    elif act == SIGMOID:
        for j in range(a.size):
            d[j] = d[j] * a[j] * (one - a[j])


@helper(fastmath=FASTMATH)
def row_sum(x):
    """Sum of a row in float64. Reassociation lets LLVM keep vector partial sums (one chain of
    dependent additions was latency-bound, and eight scalar chains were not vectorised): the
    order is fixed by the compiled code and the length, the same at every thread count and in
    the serial and parallel kernels, though it may differ between CPUs of different vector
    widths (as the loop products' dot products do)."""
    s = 0.0
    for j in range(x.size):
        s += np.float64(x[j])
    return s


@helper
def hidden_backward(dA, A, M, keep, act, db):
    """``dA`` becomes ``dZ = dA * g'`` in place (after the dropout mask ``M`` and ``/ keep``
    when ``M`` is not empty, as the course: ``dA * D / keep_prob``); ``db`` the row sums."""
    n = dA.shape[0]
    kp = dA.dtype.type(keep)
    one = dA.dtype.type(1)
    zero = dA.dtype.type(0)
    # The whole (n, b) block as one flat loop (both arrays are C-contiguous blocks): rows of a
    # hundred examples are too short for a loop each.
    d = flat(dA)
    if M.size > 0:
        mk = flat(M)
        for q in range(d.size):
            d[q] = (d[q] * (one if mk[q] else zero)) / kp
    _derivative_inplace(d, flat(A), act)
    for i in range(n):
        db[i, 0] = row_sum(dA[i])


@helper
def sigmoid_loss(z, y, one, zero):
    """``(loss, a)``: the stable loss from the logit and the stable sigmoid, sharing one exp,
    branch-free. The same values as the two-branch form: for ``z >= 0`` ``1 / (1 + e)`` and
    ``(z - y z) + log1p(e)``, for ``z < 0`` ``e / (1 + e)`` and ``(0 - y z) + log1p(e) =
    -y z + log1p(e)``. (The loops of :func:`sigmoid_ce_segment` write this out, so that
    they vectorise.)"""
    e = exp(-np.abs(z))
    den = one + e
    pos = z >= zero
    a = (one / den) if pos else (e / den)
    loss = ((z if pos else zero) - y * z) + log1p(e)
    return loss, a


@helper
def sigmoid_ce_segment(z, y, w, bias, s, d, tmp, cap):
    """One row segment of the sigmoid / cross-entropy output: ``d = (a - y) * w * s``;
    returns ``(sum w * loss, sum d)`` in float64. ``w`` empty: unweighted. ``tmp``: float64,
    at least ``z.size`` long, receives the per-example losses, each at most ``cap``
    (scikit-learn clips the probability to ``[eps, 1 - eps]``: for 0/1 targets a loss above
    ``-log(eps)`` becomes it; below ``-log(1 - eps)`` the two differ by under ``eps / 2``).

    Two passes: the element-wise one (exp, log1p, the sigmoid, ``d``) has no reduction in it
    and vectorises; the sums follow in :func:`row_sum`'s fixed order."""
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    n = z.size
    t = tmp[:n]
    weighted = w.size > 0
    cap_ = z.dtype.type(cap)
    for j in range(n):  # sigmoid_loss written out (see there): this loop vectorises
        v = z[j] + bias
        e = exp(-np.abs(v))
        den = one + e
        pos = v >= zero
        a = (one / den) if pos else (e / den)
        loss = ((v if pos else zero) - y[j] * v) + log1p(e)
        loss = cap_ if loss > cap_ else loss  # NaN stays NaN
        if weighted:
            d[j] = (a - y[j]) * (w[j] * s)
            t[j] = np.float64(w[j]) * np.float64(loss)
        else:
            d[j] = (a - y[j]) * s
            t[j] = np.float64(loss)
    return row_sum(t), row_sum(d)


@helper
def sigmoid_dz_segment(z, y, w, bias, s, d, tmp):
    """:func:`sigmoid_ce_segment` without the loss (no ``log1p``, a seventh of a small
    network's step), for steps whose cost nobody reads: the same ``d``, and in place of the
    loss sum 0.0, or NaN when a logit is not finite (exactly when the loss sum would not
    be finite), so divergence is caught at the same step."""
    one = z.dtype.type(1)
    zero = z.dtype.type(0)
    n = z.size
    t = tmp[:n]
    weighted = w.size > 0
    for j in range(n):
        v = z[j] + bias
        e = exp(-np.abs(v))
        den = one + e
        a = (one / den) if v >= zero else (e / den)
        if weighted:
            d[j] = (a - y[j]) * (w[j] * s)
        else:
            d[j] = (a - y[j]) * s
        t[j] = np.float64(v - v)  # 0, or NaN for an infinite or NaN logit
    return row_sum(t), row_sum(d)


#: Columns per block of the softmax output: a block of ``K x 256`` logits stays in L1/L2
#: while it is shifted, exponentiated, summed and turned into ``dZ``.
SOFTMAX_BLOCK = 256


@helper
def softmax_block(Z, b, labels, w, s, dZ, j0, j1, part, scratch, cap):
    """Columns ``j0:j1`` of the softmax / categorical cross-entropy output, in one pass over
    the block: bias add (in place in ``Z``), max-shifted log-sum-exp, the loss, ``dZ = (a -
    onehot) * w * s`` and the block's ``db`` partial sums into ``part`` (float64, ``(K,)``,
    overwritten). Returns the block's weighted loss sum (float64). ``scratch``: float64
    ``(2, >= j1 - j0)``. Labels are read, never expanded to a one-hot matrix."""
    K = Z.shape[0]
    n = j1 - j0
    T = Z.dtype.type
    weighted = w.size > 0
    mx = scratch[0, :n]
    se = scratch[1, :n]
    for k in range(K):
        bk = b[k, 0]
        zk = Z[k, j0:j1]
        for j in range(n):
            zk[j] = zk[j] + bk
    for j in range(n):
        mx[j] = Z[0, j0 + j]
    for k in range(1, K):
        zk = Z[k, j0:j1]
        for j in range(n):
            if zk[j] > mx[j]:
                mx[j] = zk[j]
    se[:] = 0.0
    for k in range(K):
        zk = Z[k, j0:j1]
        dk = dZ[k, j0:j1]
        for j in range(n):
            e = exp(zk[j] - T(mx[j]))
            dk[j] = e
            se[j] += np.float64(e)
    total = 0.0
    for j in range(n):
        loss = log(se[j]) - (np.float64(Z[labels[j0 + j], j0 + j]) - mx[j])
        loss = cap if loss > cap else loss
        total += (np.float64(w[j0 + j]) * loss) if weighted else loss
    for k in range(K):
        dk = dZ[k, j0:j1]
        acc = 0.0
        for j in range(n):
            a = T(np.float64(dk[j]) / se[j])
            t = a - T(1) if labels[j0 + j] == k else a
            v = t * (w[j0 + j] * s) if weighted else t * s
            dk[j] = v
            acc += np.float64(v)
        part[k] = acc
    return total


@helper
def softmax_ce(Z, b, labels, w, scale, dZ, db, scratch, cap):
    """Softmax / categorical cross-entropy output, stable (max-shifted log-sum-exp), block
    after block of :data:`SOFTMAX_BLOCK` columns (the parallel kernel
    ``output.softmax_cross_entropy`` runs the same blocks and merges in the same order).

    ``Z`` (K, n): logits without the bias (the bias is added in place); ``labels`` (n,)
    int64 in 0..K-1; ``dZ`` (K, n) receives ``(a - onehot) * w * scale``; ``db`` (K, 1) its
    row sums. ``scratch``: float64 ``(4, >= max(K, SOFTMAX_BLOCK))``. Returns
    ``sum_j w_j * loss_j`` in float64, ``loss_j = log(sum_k exp(z_kj)) - z_{y_j} j``.
    """
    K, n = Z.shape
    s = Z.dtype.type(scale)
    part = scratch[2, :K]
    acc = scratch[3, :K]
    acc[:] = 0.0
    total = 0.0
    for j0 in range(0, n, SOFTMAX_BLOCK):
        j1 = min(n, j0 + SOFTMAX_BLOCK)
        total += softmax_block(Z, b, labels, w, s, dZ, j0, j1, part, scratch, cap)
        for k in range(K):
            acc[k] += part[k]
    for k in range(K):
        db[k, 0] = acc[k]
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
def poisson_deviance(Z, b, Y, w, scale, dZ, db):
    """Exponential output with the half Poisson deviance, scikit-learn's
    ``MLPRegressor(loss="poisson")``: ``p = exp(z + b)``, ``loss_j = sum_k y log(y / p) - y
    + p`` (``0 log 0 = 0``), ``dZ = (p - y) * w * scale`` (the canonical log link), ``db``
    its row sums; returns ``sum_j w_j * loss_j`` (float64)."""
    K, n = Z.shape
    weighted = w.size > 0
    s = Z.dtype.type(scale)
    zero = Z.dtype.type(0)
    total = 0.0
    for k in range(K):
        bk = b[k, 0]
        zk = Z[k]
        yk = Y[k]
        dk = dZ[k]
        acc = 0.0
        for j in range(n):
            p = exp(zk[j] + bk)
            y = yk[j]
            loss = ((y * log(y / p)) if y != zero else zero) - y + p
            r = p - y
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
def exp_activate(Z, b):
    """``Z = exp(Z + b)`` in place: the Poisson output's prediction."""
    for i in range(Z.shape[0]):
        z = Z[i]
        bi = b[i, 0]
        for j in range(z.size):
            z[j] = exp(z[j] + bi)


@helper
def sigmoid_output(Z, b, Yf, w, scale, dZ, db, scratch, want, cap):
    """Sigmoid output with binary cross-entropy, row by row (:func:`sigmoid_ce_segment`);
    without ``want`` the loss is skipped (:func:`sigmoid_dz_segment`): 0.0 or NaN."""
    total = 0.0
    for k in range(Z.shape[0]):
        if want:
            sl, sd = sigmoid_ce_segment(Z[k], Yf[k], w, b[k, 0], Z.dtype.type(scale), dZ[k], scratch[0], cap)
        else:
            sl, sd = sigmoid_dz_segment(Z[k], Yf[k], w, b[k, 0], Z.dtype.type(scale), dZ[k], scratch[0])
        db[k, 0] = sd
        total += sl
    return total


@helper
def output_loss_any(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
    """:func:`output_loss` for an ``out`` known only at run time (all four compiled)."""
    if out == OUT_SIGMOID:
        return sigmoid_output(Z, b, Yf, w, scale, dZ, db, scratch, want, cap)
    if out == OUT_SOFTMAX:
        return softmax_ce(Z, b, Yi, w, scale, dZ, db, scratch, cap)
    if out == OUT_POISSON:
        return poisson_deviance(Z, b, Yf, w, scale, dZ, db)
    return identity_se(Z, b, Yf, w, scale, dZ, db)


def output_loss(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
    """The output layer ``out``'s loss, ``dZ`` and ``db``; returns the weighted loss sum.
    Without ``want`` the sigmoid output skips the loss (see :func:`sigmoid_dz_segment`) and
    returns 0.0 or NaN; the other outputs always compute it (a small part of their work).

    In compiled code an ``out`` that is a compile-time constant (the training loop compiled
    for one output layer, ``network.train_for``) compiles that output layer alone; a run-time
    ``out`` compiles :func:`output_loss_any`, which holds all four. ``cap``: each example's
    cross-entropy at most this (``np.inf``: no cap; see :func:`sigmoid_ce_segment`)."""
    return output_loss_any(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want)


@helper
def output_activate_any(out, Z, b):
    """:func:`output_activate` for an ``out`` known only at run time."""
    if out == OUT_SIGMOID:
        bias_activate(Z, b, out * 0 + SIGMOID)
    elif out == OUT_SOFTMAX:
        softmax_activate(Z, b)
    elif out == OUT_POISSON:
        exp_activate(Z, b)
    else:
        bias_activate(Z, b, out * 0 + IDENTITY)


def output_activate(out, Z, b):
    """The output layer's prediction in place: probabilities (sigmoid, softmax) or values.
    A compile-time ``out`` compiles that output alone (see :func:`output_loss`)."""
    output_activate_any(out, Z, b)


@helper
def softmax_activate(Z, b):
    """Softmax of ``Z + b`` over each column, in place."""
    K, n = Z.shape
    # A run-time activation code: a literal would compile bias_activate once more (the
    # hidden layers pass theirs at run time).
    bias_activate(Z, b, K * 0 + IDENTITY)
    for j in range(n):
        mx = Z[0, j]
        for k in range(1, K):
            if Z[k, j] > mx:
                mx = Z[k, j]
        se = 0.0
        for k in range(K):
            e = exp(Z[k, j] - mx)
            Z[k, j] = e
            se += np.float64(e)
        for k in range(K):
            Z[k, j] = Z.dtype.type(np.float64(Z[k, j]) / se)


_NO_WRAPPERS = {"error_model": ERROR_MODEL, "no_cpython_wrapper": True, "no_cfunc_wrapper": True}


@overload(output_loss, prefer_literal=True, jit_options=_NO_WRAPPERS)
def _output_loss_typed(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
    code = getattr(out, "literal_value", None)
    if code == OUT_SIGMOID:
        def impl(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
            return sigmoid_output(Z, b, Yf, w, scale, dZ, db, scratch, want, cap)
    elif code == OUT_SOFTMAX:
        def impl(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
            return softmax_ce(Z, b, Yi, w, scale, dZ, db, scratch, cap)
    elif code == OUT_IDENTITY:
        def impl(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
            return identity_se(Z, b, Yf, w, scale, dZ, db)
    elif code == OUT_POISSON:
        def impl(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
            return poisson_deviance(Z, b, Yf, w, scale, dZ, db)
    else:
        def impl(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want):
            return output_loss_any(out, Z, b, Yf, Yi, w, scale, cap, dZ, db, scratch, want)
    return impl


@overload(output_activate, prefer_literal=True, jit_options=_NO_WRAPPERS)
def _output_activate_typed(out, Z, b):
    code = getattr(out, "literal_value", None)
    if code == OUT_SIGMOID:
        def impl(out, Z, b):
            bias_activate(Z, b, Z.shape[0] * 0 + SIGMOID)  # a run-time code (see softmax_activate)
    elif code == OUT_SOFTMAX:
        def impl(out, Z, b):
            softmax_activate(Z, b)
    elif code == OUT_IDENTITY:
        def impl(out, Z, b):
            bias_activate(Z, b, Z.shape[0] * 0 + IDENTITY)
    elif code == OUT_POISSON:
        def impl(out, Z, b):
            exp_activate(Z, b)
    else:
        def impl(out, Z, b):
            output_activate_any(out, Z, b)
    return impl
