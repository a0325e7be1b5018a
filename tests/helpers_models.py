"""Data helpers the model tests share (test_network.py, test_logistic.py, test_base.py,
test_training.py, test_gradcheck.py)."""

import numpy as np


def _data(rng, n_x, m, dtype=np.float64):
    X = rng.standard_normal((n_x, m)).astype(dtype)
    Y = (rng.random((1, m)) > 0.5).astype(dtype)
    return X, Y


def _targets(rng, output, K, m):
    if output == "sigmoid":
        return (rng.random((K, m)) > 0.5).astype(np.float64)
    if output == "softmax":
        return rng.integers(0, K, (1, m)).astype(np.float64)
    return rng.standard_normal((K, m))
