"""Hidden-layer backward step: ``dZ = dA * g'(Z)`` and ``db = sum(dZ, axis=1) / m``.

fastnn: one fused pass from the saved forward output ``A`` (``*_backward(dA, A, dZ, db)``;
the models keep ``dZ`` already divided by ``m``).  Reference: ``*_backward(dA, Z)`` from the
saved pre-activation, then ``np.sum(dZ, axis=1, keepdims=True) / m`` as ``linear_backward``."""

import numpy as np

from fastnn import kernels as K
from fastnn import reference as R

from . import shape_of

_ACTS = {"relu": R.relu, "tanh": R.tanh, "sigmoid": R.sigmoid}


class Backward:
    params = (["20x209", "20x8192", "512x8192"], ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["shape", "dtype", "impl"]

    def setup(self, shape, dtype, impl):
        rng = np.random.default_rng(0)
        Z = rng.standard_normal(shape_of(shape)).astype(dtype)
        dA = rng.standard_normal(Z.shape).astype(dtype)
        m = Z.shape[1]
        dZ = np.empty_like(Z)
        db = np.empty((Z.shape[0], 1), dtype=dtype)
        self.run = {}
        for name, kern, ref in (
            ("relu", K.relu_backward, R.relu_backward),
            ("tanh", K.tanh_backward, R.tanh_backward),
            ("sigmoid", K.sigmoid_backward, R.sigmoid_backward),
        ):
            if impl == "fastnn":
                A = _ACTS[name](Z).astype(dtype)
                k = K.choose(kern, Z.size)
                self.run[name] = lambda k=k, A=A: k(dA, A, dZ, db)
            else:
                self.run[name] = lambda ref=ref: np.sum(ref(dA, Z), axis=1, keepdims=True) / m
            self.run[name]()  # compile / load from cache

    def time_relu_backward(self, *params):
        self.run["relu"]()

    def time_tanh_backward(self, *params):
        self.run["tanh"]()

    def time_sigmoid_backward(self, *params):
        self.run["sigmoid"]()
