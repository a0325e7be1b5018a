"""One training iteration of ``DeepNetwork`` (forward, cost, backward, update), and a cold
start (``import fastnn`` and a tiny fit in a fresh process).

fastnn: the model's own iteration (``fit`` runs it ``n_iterations`` times: BLAS products
into preallocated buffers, fused kernels, no ``dA0``).  Reference: one iteration of
``fastnn.reference.train_network`` from the same initial parameters."""

from . import CAT_DIMS, WIDE_DIMS, ReferenceDeep, fastnn_deep, logistic_data, one_iteration

NETS = {
    "cat-209": (CAT_DIMS, 209),
    "cat-2048": (CAT_DIMS, 2048),
    "wide-2048": (WIDE_DIMS, 2048),
}


class TrainingIteration:
    params = (list(NETS), ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["net", "dtype", "impl"]

    def setup(self, net, dtype, impl):
        dims, m = NETS[net]
        X, Y = logistic_data(dims[0], m, dtype, seed=1)
        model = fastnn_deep(dims, X, Y)
        if impl == "fastnn":
            self.step = lambda: one_iteration(model)
        else:
            self.step = ReferenceDeep(model.parameters_, X, Y).step
        self.step(), self.step()  # compile / load from cache, touch every buffer

    def time_iteration(self, *params):
        self.step()


class ColdStart:
    """Fresh interpreter: ``import fastnn``, then two tiny fits (kernels loaded from Numba's
    on-disk cache when it is warm, compiled otherwise)."""

    repeat = (3, 5, 60.0)

    def timeraw_import_and_tiny_fit(self):
        return """
import numpy as np
import fastnn
rng = np.random.default_rng(0)
X = rng.random((64, 256))
Y = (rng.random((1, 256)) < 0.5).astype(np.float64)
fastnn.LogisticRegression(n_iterations=5).fit(X, Y)
fastnn.DeepNetwork([64, 8, 1], n_iterations=5).fit(X, Y)
"""
