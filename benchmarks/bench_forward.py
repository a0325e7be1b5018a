"""Forward finish of a dense layer, ``out = g(Z + b)``: fastnn's fused kernels vs the
reference's NumPy expressions (``Z + b`` then the activation, with temporaries)."""

import numpy as np

from fastnn import kernels as K
from fastnn import reference as R

from . import shape_of


class Forward:
    params = (["20x209", "20x8192", "512x8192"], ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["shape", "dtype", "impl"]

    def setup(self, shape, dtype, impl):
        rng = np.random.default_rng(0)
        Z = rng.standard_normal(shape_of(shape)).astype(dtype)
        b = rng.standard_normal((Z.shape[0], 1)).astype(dtype)
        out = np.empty_like(Z)
        if impl == "fastnn":  # the variant the models pick for this size (K.choose)
            relu, sig, tanh = (K.choose(k, Z.size) for k in (K.bias_relu, K.bias_sigmoid, K.bias_tanh))
            self.relu = lambda: relu(Z, b, out)
            self.sigmoid = lambda: sig(Z, b, out)
            self.tanh = lambda: tanh(Z, b, out)
        else:
            self.relu = lambda: R.relu(Z + b)
            self.sigmoid = lambda: R.sigmoid(Z + b)
            self.tanh = lambda: R.tanh(Z + b)
        self.relu(), self.sigmoid(), self.tanh()  # compile / load from cache

    def time_bias_relu(self, *params):
        self.relu()

    def time_bias_sigmoid(self, *params):
        self.sigmoid()

    def time_bias_tanh(self, *params):
        self.tanh()
