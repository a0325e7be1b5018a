"""Hidden-layer backward step from the saved forward OUTPUT ``A`` (``Z`` is overwritten).

``dZ = dA * g'(Z)`` written with ``g'`` expressed through ``A = g(Z)``, and
``db[i, 0] = sum_j dZ[i, j]``.  Parallel over rows; each row's sum is accumulated in float64
serially, in column order, by one thread: bit-identical at any thread count.
``dZ`` may be ``dA`` (in place).  No fastmath.  The row work is ``layers.derivative_segment``
and ``layers.row_sum``, which the compiled training step runs too.
"""

from numba import prange

from ._config import kernel
from .layers import RELU, SIGMOID, TANH, derivative_segment, row_sum


def _backward_kernel(act, name, doc):
    """A parallel kernel ``dZ = dA * g'``, ``db = dZ.sum(axis=1)`` for the activation ``act``."""

    def fn(dA, A, dZ, db):
        for i in prange(A.shape[0]):
            derivative_segment(dA[i], A[i], dZ[i], act)
            db[i, 0] = row_sum(dZ[i])

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return kernel(fn)


relu_backward = _backward_kernel(RELU, "relu_backward", """``dZ = dA * (A > 0)``, ``db = dZ.sum(axis=1)``.  Numba
    JIT-compiled.  ``dA``, ``A``, ``dZ``: ``(n, m)``; ``db``: ``(n, 1)``; one float dtype.""")
tanh_backward = _backward_kernel(TANH, "tanh_backward", """``dZ = dA * (1 - A*A)``, ``db = dZ.sum(axis=1)``.  Numba
    JIT-compiled.""")
sigmoid_backward = _backward_kernel(SIGMOID, "sigmoid_backward", """``dZ = dA * A * (1 - A)``, ``db = dZ.sum(axis=1)``.
    Numba JIT-compiled.""")
