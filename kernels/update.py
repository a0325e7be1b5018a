"""Plain gradient-descent update of one parameter array, in place."""

import numpy as np
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


@kernel
def sgd_step(P, dP, learning_rate, out):
    """``out = P - learning_rate * dP``; return True when every ``out`` value is finite.

    Numba JIT-compiled.  The out-of-place twin of :func:`sgd_update`, for callers that keep
    the previous parameters until the whole step is known to be good (a diverging step is
    refused, and an interrupted one leaves the old parameters whole).  The finiteness test
    is fused into the same pass: no extra read of ``out``.  Same rounding as
    :func:`sgd_update` and as NumPy's ``P - lr * dP``.
    """
    n, k = P.shape
    lr = P.dtype.type(learning_rate)
    nb = (k + _COLS - 1) // _COLS
    bad = np.zeros(n * nb, np.bool_)
    for t in prange(n * nb):
        i = t // nb
        j0 = (t % nb) * _COLS
        j1 = min(k, j0 + _COLS)
        p = P[i, j0:j1]
        d = dP[i, j0:j1]
        o = out[i, j0:j1]
        # x - x is 0 for finite x and NaN for inf/NaN: a NaN sum flags the block.
        check = 0.0
        for j in range(p.size):
            v = p[j] - lr * d[j]
            o[j] = v
            check += np.float64(v - v)
        bad[t] = check != 0.0
    for t in range(n * nb):
        if bad[t]:
            return False
    return True
