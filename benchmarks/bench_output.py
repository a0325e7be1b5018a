"""Output layer: cost, ``dZ = (A - Y) / m`` and ``db`` from the logits ``Z + b``.

fastnn: one fused pass (``sigmoid_cross_entropy``).  Reference: the derivation's steps,
``A = sigmoid(Z + b)``, ``compute_cost(A, Y)``, ``dZ = A - Y`` then ``/ m`` and ``sum``."""

import numpy as np

from fastnn import kernels as K
from fastnn import reference as R


def reference_output(Z, b, Y):
    m = Z.shape[1]
    A = R.sigmoid(Z + b)
    cost = R.compute_cost(A, Y)
    dZ = (A - Y) / m
    return cost, dZ, float(np.sum(dZ))


class Output:
    params = ([209, 8192, 200_000], ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["m", "dtype", "impl"]

    def setup(self, m, dtype, impl):
        rng = np.random.default_rng(0)
        Z = (3 * rng.standard_normal((1, m))).astype(dtype)
        b = np.full((1, 1), 0.1, dtype=dtype)
        Y = (rng.random((1, m)) < 0.5).astype(dtype)
        dZ = np.empty_like(Z)
        if impl == "fastnn":
            k = K.choose(K.sigmoid_cross_entropy, m)
            self.run = lambda: k(Z, b, Y, 1.0 / m, dZ)
        else:
            self.run = lambda: reference_output(Z, b, Y)
        self.run()  # compile / load from cache

    def time_sigmoid_cross_entropy(self, *params):
        self.run()
