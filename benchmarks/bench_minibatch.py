"""Mini-batch training steps of ``DeepNetwork`` (the second course's setting and beyond):
one step = gather a batch, forward, loss, backward, optimizer update.

fastnn: one step through the training loop's API (``fastnn.training.start`` + ``steps(1)``),
and a whole epoch (``steps(batches per epoch)``: one compiled call). Reference: the same
step with ``fastnn.reference`` (``random_mini_batches`` and the course's update rules)."""

import numpy as np

from fastnn.datasets import load_moons

from . import ReferenceMiniBatch, fastnn_deep

#: net -> (layer sizes, examples, batch, optimizer, learning rate, output, X's memory order).
#: A C-ordered X (features contiguous) is gathered value by value, an F-ordered one (examples
#: contiguous, read in place when the first layer's products go to BLAS) row by row.
NETS = {
    "course-adam [2,5,2,1] b64": ((2, 5, 2, 1), 300, 64, "adam", 0.0007, "sigmoid", "C"),
    "mnist1d-like [40,100,100,10] b100": ((40, 100, 100, 10), 4000, 100, "adam", 0.01, "softmax", "C"),
    "wide [200,256,10] b200": ((200, 256, 10), 20000, 200, "adam", 0.001, "softmax", "C"),
    "wide [200,256,10] b200, F-ordered X": ((200, 256, 10), 20000, 200, "adam", 0.001, "softmax", "F"),
}


def _data(dims, m, output, dtype, order):
    if dims[0] == 2:
        X, Y = load_moons(m)
        return X.astype(dtype), Y
    rng = np.random.default_rng(0)
    X = np.asarray(rng.standard_normal((dims[0], m)).astype(dtype), order=order)
    Y = rng.integers(0, dims[-1], (1, m)) if output == "softmax" else (rng.random((1, m)) < 0.5) * 1.0
    return X, Y


class MiniBatchStep:
    params = (list(NETS), ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["net", "dtype", "impl"]

    def setup(self, net, dtype, impl):
        dims, m, batch, opt, lr, output, order = NETS[net]
        X, Y = _data(dims, m, output, dtype, order)
        stepper = fastnn_deep(dims, X, Y, lr=lr, seed=3, init="he", batch_size=batch, optimizer=opt,
                              shuffle_seed=11, n_iterations=10**6 // max(1, m // batch))
        if impl == "fastnn":
            self.step = stepper.step
            self.epoch = lambda: stepper.loop.steps(-(-m // batch))
        else:
            ref = ReferenceMiniBatch(stepper.parameters_, X, Y, batch, opt, lr, "relu", output)
            self.step = ref.step
            self.epoch = lambda: [ref.step() for _ in range(-(-m // batch))]
        self.step(), self.step()  # compile / load from cache, touch every buffer

    def time_step(self, *params):
        self.step()

    def time_epoch(self, *params):
        self.epoch()
