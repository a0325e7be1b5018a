"""Forward finish of a dense layer: ``out = g(Z + b)`` in one pass.

``Z`` is ``W @ A_prev`` (computed by BLAS, without the bias), ``b`` is ``(n, 1)``.
``out`` may be ``Z`` itself (in place).  The work is split into tasks of one row times a
block of columns, so a ``(1, m)`` output layer is as parallel as a wide hidden layer.
No fastmath: the activations must match ``fastnn.reference`` to about one ulp.
"""

import numpy as np
from numba import prange

from ._config import helper, kernel

#: Columns per parallel task (a row segment of 32 KiB in float64).
_COLS = 4096


@helper
def _sigmoid(z, one):
    """Stable logistic function, the reference's formula (no overflow for any finite z)."""
    if z >= 0:
        return one / (one + np.exp(-z))
    e = np.exp(z)
    return e / (one + e)


@kernel
def bias_sigmoid(Z, b, out):
    """``out[i, j] = sigmoid(Z[i, j] + b[i, 0])``, stable for any finite input.

    Numba JIT-compiled.  ``Z``, ``out``: ``(n, m)`` C-contiguous, ``b``: ``(n, 1)``, all of
    one float dtype; ``out`` may be ``Z``.
    """
    n, m = Z.shape
    one = Z.dtype.type(1)
    nb = (m + _COLS - 1) // _COLS
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(m, j0 + _COLS)
        z = Z[i, j0:j1]
        o = out[i, j0:j1]
        bi = b[i, 0]
        for j in range(z.size):
            o[j] = _sigmoid(z[j] + bi, one)


@kernel
def bias_relu(Z, b, out):
    """``out[i, j] = max(Z[i, j] + b[i, 0], 0)``.  Numba JIT-compiled; ``out`` may be ``Z``."""
    n, m = Z.shape
    zero = Z.dtype.type(0)
    nb = (m + _COLS - 1) // _COLS
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(m, j0 + _COLS)
        z = Z[i, j0:j1]
        o = out[i, j0:j1]
        bi = b[i, 0]
        for j in range(z.size):
            v = z[j] + bi
            o[j] = zero if v < zero else v  # NaN propagates, as np.maximum


@kernel
def bias_tanh(Z, b, out):
    """``out[i, j] = tanh(Z[i, j] + b[i, 0])``.  Numba JIT-compiled; ``out`` may be ``Z``."""
    n, m = Z.shape
    nb = (m + _COLS - 1) // _COLS
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(m, j0 + _COLS)
        z = Z[i, j0:j1]
        o = out[i, j0:j1]
        bi = b[i, 0]
        for j in range(z.size):
            o[j] = np.tanh(z[j] + bi)


@kernel
def bias_add(Z, b, out):
    """``out[i, j] = Z[i, j] + b[i, 0]`` (identity activation, for logits).

    Numba JIT-compiled; ``out`` may be ``Z``.
    """
    n, m = Z.shape
    nb = (m + _COLS - 1) // _COLS
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(m, j0 + _COLS)
        z = Z[i, j0:j1]
        o = out[i, j0:j1]
        bi = b[i, 0]
        for j in range(z.size):
            o[j] = z[j] + bi
