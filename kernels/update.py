"""Plain gradient-descent update of one parameter array, in place."""

from numba import prange

from ._config import kernel

_COLS = 4096


@kernel
def sgd_update(P, dP, learning_rate):
    """``P -= learning_rate * dP`` in place.  Numba JIT-compiled.

    ``P``, ``dP``: 2-D C-contiguous arrays of one float dtype (``W`` ``(n, k)`` or ``b``
    ``(n, 1)``).  ``learning_rate`` is converted to ``P``'s dtype first, so float32
    parameters are updated in float32 (as NumPy does with a Python float).
    """
    n, k = P.shape
    lr = P.dtype.type(learning_rate)
    nb = (k + _COLS - 1) // _COLS
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(k, j0 + _COLS)
        p = P[i, j0:j1]
        d = dP[i, j0:j1]
        for j in range(p.size):
            p[j] = p[j] - lr * d[j]
