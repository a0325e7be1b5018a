"""The Gram first layer's update (a compiled helper of the training step, ``loop.py``).

On the Gram path the first layer's pre-activations ``Z1 = W1 X`` are kept instead of being
recomputed from ``W1``: a step updates them through ``G = X^T X`` (``Z1 <- Z1 - lr dZ1 G``)
and keeps ``S = sum of lr dZ1`` so that ``W1`` can be rebuilt at the end
(``fastnn/network.py``, ``first_layer="gram"``).
"""

import numpy as np

from ._config import helper
from ._intrinsics import readonly
from ._intrinsics import view2 as _view2


@helper
def _gram_update(gram, dZ1, lr, cur):
    """First layer on the Gram path: ``Z1 <- Z1 - lr dZ1 G``, ``S <- S + lr dZ1`` into the
    spare rows; True when both are finite. The Gram state (``gZ``, ``gS``, ``G1``) is float64
    whatever the model's dtype: ``product`` holds ``dZ1`` widened to float64 (its first half)
    and the product (its second half). A float32 state accumulates the recursion's rounding
    over a long run (the course's cat run drifted to 0.0879 against 0.0884 direct).
    ``gram`` is ``state.Gram``."""
    gZ, gS, G1, product = gram
    n1 = dZ1.shape[0]
    m = dZ1.shape[1]
    d = product[:n1 * m]
    pr = product[n1 * m:2 * n1 * m]
    for i in range(n1):
        row = dZ1[i]
        for j in range(m):
            d[i * m + j] = np.float64(row[j])
    np.dot(_view2(product, 0, n1, m), readonly(G1), _view2(product, n1 * m, n1, m))  # typed as mm_nn's: one np.dot
    z = gZ[cur]
    zn = gZ[1 - cur]
    s = gS[cur]
    sn = gS[1 - cur]
    bad = False
    for q in range(n1 * m):
        v = z[q] - lr * pr[q]
        zn[q] = v
        u = s[q] + lr * d[q]
        sn[q] = u
        bad |= (v - v != 0) | (u - u != 0)
    return not bad
