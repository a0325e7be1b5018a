"""Forward finish of a dense layer: ``out = g(Z + b)`` in one pass.

``Z`` is ``W @ A_prev`` (computed by BLAS, without the bias), ``b`` is ``(n, 1)``.
``out`` may be ``Z`` itself (in place).  The work is split into tasks of one row times a
block of columns, so a ``(1, m)`` output layer is as parallel as a wide hidden layer.
No fastmath: the activations must match ``fastnn.reference`` to about one ulp.
"""

from numba import prange

from ._config import kernel
from .layers import IDENTITY, RELU, SIGMOID, TANH, activate_segment

#: Columns per parallel task (a row segment of 32 KiB in float64).
_COLS = 4096


def _forward_kernel(act, name, doc):
    """A parallel kernel ``out = g(Z + b)`` for the activation code ``act``: tasks of one row
    times a block of ``_COLS`` columns, each running ``layers.activate_segment``."""

    def fn(Z, b, out):
        n, m = Z.shape
        nb = (m + _COLS - 1) // _COLS
        for t in prange(n * nb):
            i = t // nb
            j0 = (t % nb) * _COLS
            j1 = min(m, j0 + _COLS)
            activate_segment(Z[i, j0:j1], out[i, j0:j1], b[i, 0], act)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return kernel(fn)


bias_sigmoid = _forward_kernel(SIGMOID, "bias_sigmoid", """``out[i, j] = sigmoid(Z[i, j] + b[i, 0])``, stable for any
    finite input.  Numba JIT-compiled.  ``Z``, ``out``: ``(n, m)`` C-contiguous, ``b``:
    ``(n, 1)``, one float dtype; ``out`` may be ``Z``.""")
bias_relu = _forward_kernel(RELU, "bias_relu", """``out[i, j] = max(Z[i, j] + b[i, 0], 0)``.  Numba JIT-compiled;
    ``out`` may be ``Z``.""")
bias_tanh = _forward_kernel(TANH, "bias_tanh", """``out[i, j] = tanh(Z[i, j] + b[i, 0])``.  Numba JIT-compiled;
    ``out`` may be ``Z``.""")
bias_add = _forward_kernel(IDENTITY, "bias_add", """``out[i, j] = Z[i, j] + b[i, 0]`` (identity activation, for
    logits).  Numba JIT-compiled; ``out`` may be ``Z``.""")
