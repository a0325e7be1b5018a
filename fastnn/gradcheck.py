"""Gradient checking: back-propagation against central differences of the cost."""

import numpy as np

from ._validation import check_positive_float


def gradient_check(model, X, Y, epsilon=1e-7, sample_weight=None):
    """The course's gradient check of a fitted ``DeepNetwork`` on ``(X, Y)``.

    Every parameter ``theta_i`` (all of them, flattened in the order ``W1, b1, W2, ...``) is
    moved by ``+-epsilon`` and the cost re-evaluated, giving
    ``gradapprox_i = (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps)``; the result is the
    relative difference ``||grad - gradapprox|| / (||grad|| + ||gradapprox||)`` (the W1A3
    notebook's formula). Below about 1e-7 back-propagation is right; above 1e-3 it almost
    certainly is not. The model is not modified.

    Parameters
    ----------
    model : DeepNetwork
        Fitted (or loaded). Its cost includes L2 (``l2``); dropout is never applied here.
    X : array_like, shape (n_x, m)
    Y : array_like
        Targets, as for ``model.fit``.
    epsilon : float
    sample_weight : array_like of shape (m,), optional

    Returns
    -------
    float

    Notes
    -----
    Costs two cost evaluations per parameter: meant for small networks and a few examples.
    Use a float64 model: in float32 the differences drown in rounding.

    Examples
    --------
    >>> import fastnn
    >>> from fastnn.datasets import load_planar
    >>> X, Y = load_planar()
    >>> net = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", n_iterations=100).fit(X, Y)
    >>> fastnn.gradient_check(net, X[:, :20], Y[:, :20]) < 1e-7
    True
    """
    epsilon = check_positive_float(epsilon, "epsilon")
    X, Yf, Yi, w = model._validated_XY(X, Y, sample_weight)
    layout = model._layout
    grads = model.gradients(X, Y, sample_weight)
    grad = layout.flatten({k[1:]: v for k, v in grads.items()}, np.float64)
    theta = layout.flatten(model.parameters_, model._dtype_)
    approx = np.empty_like(grad)
    for i in range(theta.size):
        old = theta[i]
        theta[i] = old + epsilon
        plus = model._cost_at(theta, X, Yf, Yi, w)
        theta[i] = old - epsilon
        minus = model._cost_at(theta, X, Yf, Yi, w)
        theta[i] = old
        approx[i] = (plus - minus) / (2 * epsilon)
    numerator = np.linalg.norm(grad - approx)
    denominator = np.linalg.norm(grad) + np.linalg.norm(approx)
    return float(numerator / denominator) if denominator > 0 else 0.0
