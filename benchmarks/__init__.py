"""Benchmarks of fastnn: asv suites (``bench_*.py``) and a side-by-side table (``compare.py``).

This module holds what both share: test data, a model made ready to train one iteration at a
time, the NumPy reference iteration, and the floors (one read of ``X``; the matrix products
alone).  It imports ``fastnn`` and ``numba`` only (never torch).

One training iteration of a model is one step of its training loop, run through the loop's
API: ``fastnn.training.start(model, X, Y)`` does ``fit``'s own preparation (validation,
buffers, initial parameters) without training, and ``loop.steps(1)`` runs exactly one
training step, so the timed call is a training iteration and nothing of ``fit``'s set-up.
"""

import numpy as np
from numba import njit, prange

from fastnn import DeepNetwork, LogisticRegression, training
from fastnn import reference as R

#: Learning rates of the course (logistic regression, deep network).
LOGISTIC_LR = 0.005
DEEP_LR = 0.0075
CAT_DIMS = (12288, 20, 7, 5, 1)
WIDE_DIMS = (784, 512, 512, 1)


# ------------------------------------------------------------------------------ data


def shape_of(text):
    """``"12288x2000"`` -> ``(12288, 2000)`` (asv parameters are shown as strings)."""
    return tuple(int(v) for v in str(text).split("x"))


def logistic_data(n, m, dtype, seed=0):
    """``X`` ``(n, m)`` F-contiguous (examples contiguous, like ``images.reshape(m, -1).T``)
    of uniform [0, 1) "pixels", and labels ``Y`` ``(1, m)`` of 0/1, both of ``dtype``."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    Xe = rng.random((m, n), dtype=dtype if dtype == np.float32 else np.float64).astype(dtype, copy=False)
    Y = (rng.random((1, m)) < 0.5).astype(dtype)
    return Xe.T, Y


# -------------------------------------------------------------------- one iteration


class Stepper:
    """A model made ready by ``fastnn.training.start`` (``fit``'s own validation, initial
    parameters and buffers, no training): :meth:`step` runs one training step through the
    training loop's API, exactly the step ``fit`` runs; ``parameters_`` are the initial ones."""

    def __init__(self, model, X, Y):
        self.model = model
        self.X = X
        self.loop = training.start(model, X, Y)
        params = getattr(model, "parameters_", None)
        self.parameters_ = None if params is None else {k: v.copy() for k, v in params.items()}

    def step(self):
        return self.loop.steps(1)


def one_iteration(stepper):
    """One training iteration (step) of a :class:`Stepper`; the cost."""
    return stepper.step()


def fastnn_logistic(X, Y, lr=LOGISTIC_LR):
    """A :class:`Stepper` of ``LogisticRegression`` (``w = 0``)."""
    return Stepper(LogisticRegression(learning_rate=lr), X, Y)


def fastnn_deep(dims, X, Y, lr=DEEP_LR, seed=1, first_layer="direct", **options):
    """A :class:`Stepper` of ``DeepNetwork`` (ReLU hidden layers, LeCun init, ``seed``).

    ``first_layer="direct"`` by default: the per-iteration figures compare the same
    products as the reference; ``"gram"`` times the Gram-path iteration (its one-off
    ``X^T X`` is part of the preparation, reported separately by ``compare.py``)."""
    return Stepper(DeepNetwork(list(dims), learning_rate=lr, seed=seed, first_layer=first_layer, **options), X, Y)


class ReferenceLogistic:
    """``fastnn.reference`` logistic regression, one gradient step per :meth:`step`."""

    def __init__(self, X, Y, lr=LOGISTIC_LR):
        self.X, self.Y, self.lr = X, Y, lr
        self.w = np.zeros((X.shape[0], 1), dtype=X.dtype)
        self.b = 0.0

    def step(self):
        grads, cost = R.logistic_propagate(self.w, self.b, self.X, self.Y)
        self.w = self.w - self.lr * grads["dw"]
        self.b = self.b - self.lr * grads["db"]
        return cost


class ReferenceDeep:
    """``fastnn.reference`` deep network, one iteration of ``train_network`` per :meth:`step`
    (the cost is computed every iteration, as fastnn does)."""

    def __init__(self, parameters, X, Y, lr=DEEP_LR):
        self.params = {k: v.copy() for k, v in parameters.items()}
        self.X, self.Y, self.lr = X, Y, lr

    def step(self):
        AL, caches = R.model_forward(self.X, self.params, "relu")
        cost = R.compute_cost(AL, self.Y)
        grads = R.model_backward(AL, self.Y, caches, "relu")
        self.params = R.update_parameters(self.params, grads, self.lr)
        return cost


class ReferenceMiniBatch:
    """``fastnn.reference`` mini-batch training, one batch step per :meth:`step`: the batches
    of ``random_mini_batches(X, Y, batch, seed=shuffle_seed + e)`` epoch after epoch, and the
    course's momentum / Adam updates (the reference's ``train_network``, one step at a time)."""

    def __init__(self, parameters, X, Y, batch, optimizer="adam", lr=0.0007, hidden="relu", output="sigmoid",
                 shuffle_seed=11):
        self.params = {k: v.copy() for k, v in parameters.items()}
        self.X, self.Y, self.batch, self.opt, self.lr = X, Y, batch, optimizer, lr
        self.hidden, self.output, self.seed = hidden, output, shuffle_seed
        self.v, self.s = R.initialize_adam(self.params)
        self.t = 0
        self.epoch = 0
        self.queue = []

    def step(self):
        if not self.queue:
            self.queue = R.random_mini_batches(self.X, self.Y, self.batch, self.seed + self.epoch)
            self.epoch += 1
        bx, by = self.queue.pop(0)
        AL, caches = R.model_forward(bx, self.params, self.hidden, self.output)
        cost = R.compute_cost(AL, by, self.output)
        grads = R.model_backward(AL, by, caches, self.hidden, self.output)
        self.t += 1
        if self.opt == "adam":
            self.params, self.v, self.s = R.update_parameters_with_adam(self.params, grads, self.v, self.s, self.t,
                                                                         self.lr)
        elif self.opt == "momentum":
            self.params, self.v = R.update_parameters_with_momentum(self.params, grads, self.v, 0.9, self.lr)
        else:
            self.params = R.update_parameters(self.params, grads, self.lr)
        return cost


# ---------------------------------------------------------------------------- floors


def _sum_rows(A):
    n = A.shape[0]
    part = np.zeros(n, np.float64)
    for i in prange(n):
        r = A[i]
        s = 0.0
        for j in range(r.size):
            s += r[j]
        part[i] = s
    return part.sum()


# One body, two compilations: strict order, and reassociated (vectorised). The second is
# not cached: Numba keys its cache by function name, not by fastmath flags.
_read_rows = njit(parallel=True, cache=True)(_sum_rows)
_read_rows_fast = njit(parallel=True, fastmath={"reassoc"})(_sum_rows)


def read_once(X, fast=True):
    """Sum every element of a contiguous 2-D array with a parallel Numba loop: one read of
    ``X``, the memory floor of a logistic-regression step (as ``benchmarks/logistic_step.py``).
    ``fast`` lets LLVM vectorise the sum (``reassoc``); the floor is the faster of the two."""
    A = X if X.flags.c_contiguous else X.T
    return (_read_rows_fast if fast else _read_rows)(A)


class DeepProducts:
    """The matrix products of one full-batch training iteration of a network, the same
    ``np.dot`` calls (forward ``W A``; backward ``dZ A^T`` and, above layer 1, ``W^T dZ``) into
    buffers allocated once, and nothing else: the floor of an iteration."""

    def __init__(self, parameters, X):
        self.P, self.X = parameters, X
        L = len(parameters) // 2
        m = X.shape[1]
        dims = [X.shape[0]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
        self.A = [X] + [np.ones((dims[l], m), X.dtype) for l in range(1, L + 1)]
        self.dZ = [None] + [np.ones((dims[l], m), X.dtype) * 1e-3 for l in range(1, L + 1)]
        self.dW = [None] + [np.empty_like(parameters[f"W{l}"]) for l in range(1, L + 1)]
        self.L = L

    def __call__(self):
        P, A, dZ, L = self.P, self.A, self.dZ, self.L
        for l in range(1, L + 1):
            np.dot(P[f"W{l}"], A[l - 1], out=A[l])
        for l in range(L, 0, -1):
            np.dot(dZ[l], A[l - 1].T, out=self.dW[l])
            if l > 1:
                np.dot(P[f"W{l}"].T, dZ[l], out=dZ[l - 1])


def deep_products(stepper):
    """The floor of one iteration of a :class:`Stepper` of a network (see :class:`DeepProducts`)."""
    if not hasattr(stepper, "_products"):
        stepper._products = DeepProducts(stepper.parameters_, stepper.X)
    stepper._products()
