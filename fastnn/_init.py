"""Weight initialisation: the course's recipe, one RandomState stream for all layers."""

import numpy as np

#: Weight scale of each initialisation, as a function of (n_prev, n).
SCALES = {
    "small": lambda n_prev, n: 0.01,
    "lecun": lambda n_prev, n: 1.0 / np.sqrt(n_prev),
    "he": lambda n_prev, n: np.sqrt(2.0 / n_prev),
    "xavier": lambda n_prev, n: np.sqrt(2.0 / (n_prev + n)),
    "glorot": lambda n_prev, n: np.sqrt(6.0 / (n_prev + n)),  # the bound of uniform draws
}


def initial_parameters(layer_dims, init, seed, dtype):
    """``{"W1", "b1", ...}``: ``W[l] = randn(n_l, n_{l-1}) * scale`` (``"glorot"``: uniform in
    ``[-scale, scale)``) from one ``RandomState(seed)`` stream in layer order (float64 draws,
    then cast), ``b[l] = 0``: as ``fastnn.reference.initialize_parameters``.

    All arrays are C-contiguous, as the kernels and ``np.dot(..., out=...)`` want.
    """
    rng = np.random.RandomState(seed)
    params = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        scale = SCALES[init](n_prev, n)
        W = rng.uniform(-scale, scale, (n, n_prev)) if init == "glorot" else rng.randn(n, n_prev) * scale
        params[f"W{l}"] = np.ascontiguousarray(W, dtype=dtype)
        params[f"b{l}"] = np.zeros((n, 1), dtype=dtype)
    return params
