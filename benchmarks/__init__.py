"""Benchmarks of fastnn: asv suites (``bench_*.py``) and a side-by-side table (``compare.py``).

This module holds what both share: test data, a model made ready to train one iteration at a
time, the NumPy reference iteration, and the floors (one read of ``X``; the matrix products
alone).  It imports ``fastnn`` and ``numba`` only (never torch).

One training iteration of a model is what ``fit`` runs once per iteration:
``model._step(i)`` (cost, gradients, update into spare buffers) then ``model._commit(i+1)``
(a reference swap).  :func:`prepared` runs ``fit``'s own preparation (validation, buffers,
initial parameters) without iterating, so the timed call is exactly a training iteration and
nothing of ``fit``'s set-up.
"""

import numpy as np
from numba import njit, prange

from fastnn import DeepNetwork, LogisticRegression
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


def prepared(model, X, Y):
    """Return ``model`` after ``fit``'s preparation, ready for :func:`one_iteration`.

    ``fit`` validates, allocates its buffers and initial parameters, then calls
    ``self._run``; an instance attribute stands in for ``_run`` to snapshot that state
    (``fit`` deletes its references to the data on the way out) and put it back.
    """
    state = {}

    def capture(*args, **kwargs):
        state.update(vars(model))
        return model

    model._run = capture
    try:
        model.fit(X, Y)
    finally:
        del model._run
    state.pop("_run", None)
    model.__dict__.update(state)
    model.n_iter_ = 0
    return model


def one_iteration(model):
    """One training iteration of a :func:`prepared` model, as ``fit`` runs it; the cost."""
    cost, ok = model._step(model.n_iter_)
    model.n_iter_ = model._commit(model.n_iter_ + 1)
    return cost


def fastnn_logistic(X, Y, lr=LOGISTIC_LR):
    """A :func:`prepared` ``LogisticRegression`` (``w = 0``)."""
    return prepared(LogisticRegression(learning_rate=lr), X, Y)


def fastnn_deep(dims, X, Y, lr=DEEP_LR, seed=1, first_layer="direct"):
    """A :func:`prepared` ``DeepNetwork`` (ReLU hidden layers, LeCun init, ``seed``).

    ``first_layer="direct"`` by default: the per-iteration figures compare the same
    products as the reference; ``"gram"`` times the Gram-path iteration (its one-off
    ``X^T X`` is part of the preparation, reported separately by ``compare.py``)."""
    return prepared(DeepNetwork(list(dims), learning_rate=lr, seed=seed, first_layer=first_layer), X, Y)


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


def deep_products(model):
    """The matrix products of one training iteration of a :func:`prepared` ``DeepNetwork``,
    the same ``np.dot`` calls into its own preallocated buffers and nothing else: the floor
    of an iteration (forward ``W A``; backward ``dZ A^T`` and, above layer 1, ``W^T dZ``)."""
    params, ws, X = model.parameters_, model._ws, model._X
    L = len(model._dims) - 1
    A_prev = X
    for l in range(1, L):
        np.dot(params[f"W{l}"], A_prev, out=ws.A[l])
        A_prev = ws.A[l]
    np.dot(params[f"W{L}"], A_prev, out=ws.ZL)
    for l in range(L, 0, -1):
        A_prev = ws.A[l - 1] if l > 1 else X
        np.dot(ws.dZ[l], A_prev.T, out=ws.grads[f"dW{l}"])
        if l > 1:
            np.dot(params[f"W{l}"].T, ws.dZ[l], out=ws.dZ[l - 1])
