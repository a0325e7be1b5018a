"""Gradient-descent update of one parameter array, ``P - alpha dP``.

fastnn: ``sgd_step(P, dP, lr, out)`` (out of place, with a fused finiteness check).
Reference: ``update_parameters`` on a one-array dict."""

import numpy as np

from fastnn import kernels as K
from fastnn import reference as R

from . import shape_of


class Update:
    params = (["20x12288", "512x784", "512x512"], ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["shape", "dtype", "impl"]

    def setup(self, shape, dtype, impl):
        rng = np.random.default_rng(0)
        P = rng.standard_normal(shape_of(shape)).astype(dtype)
        dP = rng.standard_normal(P.shape).astype(dtype)
        out = np.empty_like(P)
        if impl == "fastnn":
            k = K.choose(K.sgd_step, P.size)
            self.run = lambda: k(P, dP, 0.0075, out)
        else:
            params, grads = {"W1": P}, {"dW1": dP}
            self.run = lambda: R.update_parameters(params, grads, 0.0075)
        self.run()  # compile / load from cache

    def time_sgd_step(self, *params):
        self.run()
