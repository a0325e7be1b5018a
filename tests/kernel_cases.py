"""Inputs, reference twins, tolerances and shared helpers for the kernel tests in
tests/kernels/ (and the reference gradient bounds the model tests share).

Every kernel in ``fastnn.kernels`` is mapped to the ``fastnn.reference`` expression it must
reproduce (``TWINS``).  Expected values are always computed by the reference, never by the
code under test.  Both compiled variants of every kernel (``k.parallel`` and ``k.serial``)
are checked (``VARIANTS``, ``variant``).  Compile time dominates the kernel tests; the cases
are arranged so each kernel compiles once per dtype and variant (all arrays C-contiguous, the
same argument types everywhere).

Tolerances
----------
* float64: ``rtol = 1e-12``.  Where the kernel reorders a floating-point sum (float64
  chunked accumulation, vectorised dot products) or forms a difference of O(1) numbers
  (``a - y``, ``1 - A*A``), the error is relative to the *magnitude of the terms*, not to the
  result, which may be cancelled to ~0.  Those comparisons add an elementwise
  ``atol = tol * (sum of |terms|)``, e.g. ``1e-12 * (|X| @ |dZ|.T) / m`` for ``dw``.
* float32: the kernel runs on float32 arrays and the reference runs in float64 on the SAME
  float32 values; ``rtol = 1e-5`` (float32 eps is 1.2e-7; the kernels accumulate every
  reduction in float64, so only the final rounding and element-wise float32 operations
  differ), with the same magnitude-scaled ``atol``.
"""

import numpy as np

import fastnn.kernels as K
from fastnn import reference as R

DTYPES = [np.float64, np.float32]
VARIANTS = ["parallel", "serial"]

TOL = {np.dtype(np.float64): 1e-12, np.dtype(np.float32): 1e-5}

#: Shapes (n, m) every element-wise / row kernel is checked on.  5000 and 4099 are not
#: multiples of the chunk/column-block sizes (256-example chunks, 4096-column blocks).
SHAPES = [(1, 1), (3, 7), (5, 257), (64, 1000), (2, 4099), (1, 5000)]

#: Shapes (n_x, m) for the logistic step (chunks of >= 64 examples, groups of 4,
#: feature sub-blocks of 64-256 examples): 1001, 4103 and 19211 leave ragged chunks,
#: groups and sub-blocks (19211: ~300-example chunks, two sub-blocks of <= 256 each).
LOGISTIC_SHAPES = [(1, 1), (3, 7), (5, 257), (64, 1000), (37, 1001), (300, 4103), (40, 19211)]

#: kernel name -> reference twin (the expression the kernel must reproduce).
TWINS = {
    "bias_sigmoid": "R.sigmoid(Z + b)",
    "bias_relu": "R.relu(Z + b)",
    "bias_tanh": "R.tanh(Z + b)",
    "bias_add": "R.linear_forward(A, W, b)[0] - W @ A  (i.e. Z + b)",
    "sigmoid_cross_entropy": "R.cost_from_logits(Z + b, Y); dZ = (R.sigmoid(Z + b) - Y) * scale; db = sum(dZ)",
    "cross_entropy_from_logits": "R.cost_from_logits(Z + b, Y)",
    "softmax_cross_entropy": "R.cost_from_logits(Z + b, labels, 'softmax'); dZ = (R.softmax(Z + b) - onehot) * scale",
    "squared_error": "R.cost_from_logits(Z + b, Y, 'identity'); dZ = (Z + b - Y) * scale; db = sum(dZ, axis=1)",
    "relu_backward": "R.relu_backward(dA, Z) with A = R.relu(Z); db = sum(dZ, axis=1)",
    "tanh_backward": "R.tanh_backward(dA, Z) with A = R.tanh(Z); db = sum(dZ, axis=1)",
    "sigmoid_backward": "R.sigmoid_backward(dA, Z) with A = R.sigmoid(Z); db = sum(dZ, axis=1)",
    "sgd_update": "R.update_parameters({'W': P}, {'dW': dP}, lr)['W']",
    "sgd_step": "R.update_parameters({'W': P}, {'dW': dP}, lr)['W']",
    "logistic_step_examples": "R.logistic_propagate(w, b, X, Y) (dw, db); R.cost_from_logits(w.T @ X + b, Y)",
    "logistic_step_features": "R.logistic_propagate(w, b, X, Y) (dw, db); R.cost_from_logits(w.T @ X + b, Y)",
}

FORWARD_TWINS = {
    "bias_sigmoid": R.sigmoid,
    "bias_relu": R.relu,
    "bias_tanh": R.tanh,
    "bias_add": lambda Z: Z,
}

#: backward kernel -> (reference forward, reference backward taking Z)
BACKWARD_TWINS = {
    "relu_backward": (R.relu, R.relu_backward),
    "tanh_backward": (R.tanh, R.tanh_backward),
    "sigmoid_backward": (R.sigmoid, R.sigmoid_backward),
}


def variant(name, which):
    return getattr(getattr(K, name), which)


def run_logistic(kern, layout, X, w, b, Y):
    n, m = X.shape
    nc = K.logistic_n_chunks(m)
    pdw = np.full((nc, n), np.nan)
    ps = np.full((nc, 2), np.nan)
    dw = np.full((n, 1), np.nan, dtype=X.dtype)
    if layout == "examples":
        data = np.asfortranarray(X).T  # (m, n) C-contiguous: images.reshape(m, -1)
        assert data.flags.c_contiguous
    else:
        data = np.ascontiguousarray(X)
    cost, db = kern(data, w, b, Y, pdw, ps, dw)
    return dw, db, cost


LAYOUTS = {"examples": "logistic_step_examples", "features": "logistic_step_features"}


def f64(a):
    """The same values in float64 (the float32 oracle runs on these)."""
    return np.asarray(a, dtype=np.float64)


def layer(rng, n, m, dtype, scale=2.0):
    """Pre-activation Z (n, m), bias b (n, 1) and an upstream gradient dA (n, m)."""
    Z = (rng.standard_normal((n, m)) * scale).astype(dtype)
    b = rng.standard_normal((n, 1)).astype(dtype)
    dA = rng.standard_normal((n, m)).astype(dtype)
    return Z, b, dA


def labels(rng, m, dtype):
    return (rng.random((1, m)) < 0.5).astype(dtype)


def logistic_problem(rng, n, m, dtype):
    """X (n, m), w (n, 1), b, Y (1, m) with logits of order 1-3 (not saturated)."""
    X = rng.standard_normal((n, m)).astype(dtype)
    w = (rng.standard_normal((n, 1)) * (1.5 / np.sqrt(n))).astype(dtype)
    b = 0.25
    Y = labels(rng, m, dtype)
    return X, w, b, Y


def logistic_expected(X, w, b, Y):
    """Reference (dw, db, cost) in float64 and the magnitude-scaled atols for dw and db.

    The kernel reorders the sums over features (z) and over examples (dw, db, cost).  The
    error of z_i is bounded by tol * (|w|.|x_i| + |b|), which moves dz_i = a_i - y_i by at
    most a quarter of that (sigmoid' <= 1/4); a_i - y_i itself is a difference of O(1)
    numbers (error tol * (|a_i| + |y_i|)).  The dw tolerance sums those errors times |x|.
    """
    X, w, Y = f64(X), f64(w), f64(Y)
    m = X.shape[1]
    grads, _ = R.logistic_propagate(w, b, X, Y)
    Z = w.T @ X + b
    cost = R.cost_from_logits(Z, Y)
    A = R.sigmoid(Z)
    dz_mag = np.abs(A) + np.abs(Y) + 0.25 * (np.abs(w).T @ np.abs(X) + abs(b))
    dw_mag = (np.abs(X) @ dz_mag.T) / m
    db_mag = float(np.sum(dz_mag) / m)
    return grads["dw"], grads["db"], cost, dw_mag, db_mag


def assert_close(actual, desired, rtol, atol=0.0, msg=""):
    """``|actual - desired| <= atol + rtol * |desired|`` elementwise; ``atol`` may be an array.

    (``np.testing.assert_allclose`` cannot format its failure message for an array atol.)
    """
    actual = np.asarray(actual, dtype=np.float64)
    desired = np.asarray(desired, dtype=np.float64)
    assert actual.shape == desired.shape, (actual.shape, desired.shape, msg)
    assert np.all(np.isfinite(actual) == np.isfinite(desired)), msg
    err = np.abs(actual - desired)
    bound = atol + rtol * np.abs(desired)
    bad = ~(err <= bound)
    if np.any(bad):
        i = np.unravel_index(np.argmax(np.where(bad, err - bound, -np.inf)), err.shape)
        raise AssertionError(
            f"{msg}: {int(bad.sum())}/{bad.size} elements off; worst at {i}: actual "
            f"{actual[i]!r} desired {desired[i]!r} err {err[i]:.3g} bound {np.broadcast_to(bound, err.shape)[i]:.3g}"
        )


def reference_gradient_bounds(params, X, Y, act, output="sigmoid"):
    """Reference gradients of a network plus, per array, the magnitude of the terms summed
    into it.

    fastnn computes ``dW = (dZ/m) A^T`` and sums ``db`` in its own order; the reference
    ``dW = (dZ A^T)/m`` with BLAS and NumPy's pairwise sums. Both are within a few ulps
    of the exact sum *of the terms' magnitudes*, so the absolute tolerance is
    ``1e-12 * (|dZ| |A|^T)/m`` (and ``sum |dZ| / m`` for db): a relative 1e-12 on every
    element would fail where terms cancel to nearly 0.
    """
    from fastnn import reference as R

    AL, caches = R.model_forward(X, params, act, output)
    grads = R.model_backward(AL, Y, caches, act, output)
    Yt = R._one_hot(Y, AL.shape[0]) if output == "softmax" else Y
    L = len(caches)
    m = X.shape[1]
    bounds = {}
    for l in range(1, L + 1):
        (A_prev, _, _), Z = caches[l - 1]
        dZ = AL - Yt if l == L else R.ACTIVATIONS[act][1](grads[f"dA{l}"], Z)
        bounds[f"dW{l}"] = np.abs(dZ) @ np.abs(A_prev).T / m
        bounds[f"db{l}"] = np.sum(np.abs(dZ), axis=1, keepdims=True) / m
    return grads, bounds
