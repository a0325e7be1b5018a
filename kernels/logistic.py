"""One gradient step of logistic regression that reads ``X`` from memory once.

The derivation's per-example loop::

    for i in 1..m:  z = w.x_i + b;  a = sigmoid(z);  J += loss(z, y_i)
                    dz = a - y_i;   dw += x_i dz;    db += dz
    dw /= m;  db /= m;  J /= m

run in parallel over ``logistic_n_chunks(m)`` contiguous chunks of examples.  The chunk
count depends on ``m`` only (never on the thread count); chunk ``c`` writes only row ``c``
of ``partial_dw`` and ``partial_sums``; the merge sums the chunks in chunk order (parallel
over features, each feature summed by one thread).  Results are therefore bit-identical
at any number of threads.

Precision: ``z``, the loss, ``dz`` and every sum are computed in float64, also for float32
``X`` (the float32 values are widened on load); ``dw`` is rounded to ``X``'s dtype at the
end.  The loss is the stable ``max(z, 0) - y z + log1p(exp(-|z|))`` from the logit.

Fastmath: the two inner loops (``w.x`` over features, ``pdw += x dz``) use
``_config.FASTMATH`` so LLVM vectorises the dot products (``reassoc`` reorders the sum
over features: deterministic for a given binary, within a few ulps of the reference);
the sigmoid and loss use no fastmath.

Two layouts:

* :func:`logistic_step_examples` takes ``Xe`` ``(m, n_x)`` C-contiguous, each example
  contiguous.  That is ``X.T`` for the F-contiguous ``(n_x, m)`` array that
  ``images.reshape(m, -1).T`` gives, so no copy is needed.  Four examples per pass: ``w``
  and the chunk's partial ``dw`` are read once per group of four.
* :func:`logistic_step_features` takes ``X`` ``(n_x, m)`` C-contiguous.  Each chunk is
  processed in sub-blocks of ``B`` examples (``B`` depends on ``n_x`` and the dtype only)
  small enough that the sub-block of ``X`` stays in cache between the ``z`` pass and the
  ``dw`` pass.  This layout is measurably slower (every example is strided over ``n_x``
  rows: 2-4x the read time instead of 1.0-1.6x); prefer the examples layout, which the
  image datasets give without a copy.
"""

import numpy as np
from numba import njit, prange

from .layers import sigmoid_loss
from ._config import (
    FASTMATH,
    LOGISTIC_BLOCK_BYTES,
    LOGISTIC_MAX_CHUNKS,
    LOGISTIC_MIN_CHUNK,
    helper,
    kernel,
)


def logistic_n_chunks(m):
    """Number of example chunks (rows of the partial buffers) for ``m`` examples.

    ``min(LOGISTIC_MAX_CHUNKS, max(1, m // LOGISTIC_MIN_CHUNK))``: depends on ``m`` only.
    """
    return max(1, min(LOGISTIC_MAX_CHUNKS, m // LOGISTIC_MIN_CHUNK))


_n_chunks = helper(logistic_n_chunks)


@helper
def _dz_loss(z, y):
    """float64 ``(dz, loss)`` from the logit ``z``: stable sigmoid and stable loss
    (``layers.sigmoid_loss`` in float64)."""
    loss, a = sigmoid_loss(z, y, 1.0, 0.0)
    return a - y, loss


# ------------------------------------------------------------------ examples layout helpers


@helper(fastmath=FASTMATH)
def _dot4(x0, x1, x2, x3, w):
    s0 = 0.0
    s1 = 0.0
    s2 = 0.0
    s3 = 0.0
    for k in range(w.size):
        wk = w[k]
        s0 += x0[k] * wk
        s1 += x1[k] * wk
        s2 += x2[k] * wk
        s3 += x3[k] * wk
    return s0, s1, s2, s3


@helper(fastmath=FASTMATH)
def _axpy4(p, x0, x1, x2, x3, d0, d1, d2, d3):
    for k in range(p.size):
        p[k] += x0[k] * d0 + x1[k] * d1 + x2[k] * d2 + x3[k] * d3


@helper(fastmath=FASTMATH)
def _dot1(x0, w):
    s0 = 0.0
    for k in range(w.size):
        s0 += x0[k] * w[k]
    return s0


@helper(fastmath=FASTMATH)
def _axpy1(p, x0, d0):
    for k in range(p.size):
        p[k] += x0[k] * d0


@helper
def _weights64(w):
    """The ``(n_x, 1)`` weights as a contiguous float64 vector (read once per step)."""
    n = w.shape[0]
    w64 = np.empty(n, np.float64)
    for k in range(n):
        w64[k] = w[k, 0]
    return w64


@helper
def _check(m, n, partial_dw, partial_sums, dw):
    nc = _n_chunks(m)
    if partial_dw.shape[0] != nc or partial_dw.shape[1] != n:
        raise ValueError("partial_dw must have shape (logistic_n_chunks(m), n_x)")
    if partial_sums.shape[0] != nc or partial_sums.shape[1] != 2:
        raise ValueError("partial_sums must have shape (logistic_n_chunks(m), 2)")
    if dw.shape[0] != n or dw.shape[1] != 1:
        raise ValueError("dw must have shape (n_x, 1)")
    return nc


@njit(inline="always")
def _merge(partial_dw, partial_sums, m, dw):
    """``dw[j] = sum_c partial_dw[c, j] / m`` in chunk order; returns (cost, db).

    Inlined into the calling kernel at Numba-IR level, so its ``prange`` is parallel in
    the parallel variant and a plain loop in the serial one.
    """
    nc, n = partial_dw.shape
    nblk = (n + 1023) // 1024
    for t in prange(nblk):
        j0 = t * 1024
        j1 = min(n, j0 + 1024)
        acc = np.zeros(j1 - j0, np.float64)
        for c in range(nc):
            p = partial_dw[c, j0:j1]
            for j in range(acc.size):
                acc[j] += p[j]
        for j in range(acc.size):
            dw[j0 + j, 0] = acc[j] / m
    cost = 0.0
    db = 0.0
    for c in range(nc):
        cost += partial_sums[c, 0]
        db += partial_sums[c, 1]
    return cost / m, db / m


@kernel
def logistic_step_examples(Xe, w, b, Y, partial_dw, partial_sums, dw):
    """One logistic-regression gradient step, examples contiguous.  Numba JIT-compiled.

    Parameters
    ----------
    Xe : (m, n_x) C-contiguous float array
        One example per row (``X.T`` of an F-contiguous ``X``).
    w : (n_x, 1) float array
    b : float
    Y : (1, m) float array of 0/1, same dtype as ``Xe``.
    partial_dw : (logistic_n_chunks(m), n_x) float64 array, scratch
    partial_sums : (logistic_n_chunks(m), 2) float64 array, scratch
    dw : (n_x, 1) array of ``Xe``'s dtype, output: ``sum_i x_i (a_i - y_i) / m``.

    Returns
    -------
    cost : float
        ``sum_i loss_i / m``.
    db : float
        ``sum_i (a_i - y_i) / m``.
    """
    m, n = Xe.shape
    nc = _check(m, n, partial_dw, partial_sums, dw)
    w64 = _weights64(w)
    bb = np.float64(b)
    y = Y[0]
    for c in prange(nc):
        i0 = c * m // nc
        i1 = (c + 1) * m // nc
        p = partial_dw[c]
        p[:] = 0.0
        sl = 0.0
        sd = 0.0
        i = i0
        while i + 4 <= i1:
            x0 = Xe[i]
            x1 = Xe[i + 1]
            x2 = Xe[i + 2]
            x3 = Xe[i + 3]
            z0, z1, z2, z3 = _dot4(x0, x1, x2, x3, w64)
            d0, l0 = _dz_loss(z0 + bb, np.float64(y[i]))
            d1, l1 = _dz_loss(z1 + bb, np.float64(y[i + 1]))
            d2, l2 = _dz_loss(z2 + bb, np.float64(y[i + 2]))
            d3, l3 = _dz_loss(z3 + bb, np.float64(y[i + 3]))
            _axpy4(p, x0, x1, x2, x3, d0, d1, d2, d3)
            sl += l0
            sl += l1
            sl += l2
            sl += l3
            sd += d0
            sd += d1
            sd += d2
            sd += d3
            i += 4
        while i < i1:
            x0 = Xe[i]
            d0, l0 = _dz_loss(_dot1(x0, w64) + bb, np.float64(y[i]))
            _axpy1(p, x0, d0)
            sl += l0
            sd += d0
            i += 1
        partial_sums[c, 0] = sl
        partial_sums[c, 1] = sd
    return _merge(partial_dw, partial_sums, m, dw)


# ------------------------------------------------------------------ features layout helpers


def logistic_block(n_x, itemsize):
    """Examples per sub-block in :func:`logistic_step_features` (depends on n_x, dtype).

    The largest multiple of 16 with ``n_x * B * itemsize <= LOGISTIC_BLOCK_BYTES``,
    clamped to ``[64, 256]``.  Below 64 examples the row segments are too short (a
    strided walk over ``n_x`` rows of 2-8 cache lines each: measured 7-10x the read time
    at B = 16), so for very wide ``X`` the sub-block spills from L2 to L3.
    """
    b = LOGISTIC_BLOCK_BYTES // max(1, n_x * itemsize)
    return max(64, min(256, (b // 16) * 16))


_block = helper(logistic_block)


@helper(fastmath=FASTMATH)
def _axpy_row(z, x, wk):
    # z[t] += x[t] * wk : elementwise, vectorised, order over features unchanged
    for t in range(z.size):
        z[t] += x[t] * wk


@helper(fastmath=FASTMATH)
def _dot_row(x, d):
    s = 0.0
    for t in range(d.size):
        s += x[t] * d[t]
    return s


@kernel
def logistic_step_features(X, w, b, Y, partial_dw, partial_sums, dw):
    """One logistic-regression gradient step, features contiguous.  Numba JIT-compiled.

    Parameters
    ----------
    X : (n_x, m) C-contiguous float array
        One example per column, feature rows contiguous.
    w, b, Y, partial_dw, partial_sums, dw
        As in :func:`logistic_step_examples`.

    Returns
    -------
    cost, db : float
        As in :func:`logistic_step_examples`.
    """
    n, m = X.shape
    nc = _check(m, n, partial_dw, partial_sums, dw)
    B = _block(n, X.itemsize)
    w64 = _weights64(w)
    bb = np.float64(b)
    y = Y[0]
    for c in prange(nc):
        i0 = c * m // nc
        i1 = (c + 1) * m // nc
        p = partial_dw[c]
        p[:] = 0.0
        zbuf = np.empty(B, np.float64)
        sl = 0.0
        sd = 0.0
        for s0 in range(i0, i1, B):
            s1 = min(i1, s0 + B)
            z = zbuf[: s1 - s0]
            z[:] = 0.0
            for k in range(n):
                _axpy_row(z, X[k, s0:s1], w64[k])
            for t in range(z.size):
                d, loss = _dz_loss(z[t] + bb, np.float64(y[s0 + t]))
                z[t] = d
                sl += loss
                sd += d
            for k in range(n):
                p[k] += _dot_row(X[k, s0:s1], z)
        partial_sums[c, 0] = sl
        partial_sums[c, 1] = sd
    return _merge(partial_dw, partial_sums, m, dw)
