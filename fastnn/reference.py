"""Plain NumPy reference of the whole derivation: the oracle every fast path is held to.

This module imports NumPy only (never Numba, never ``fastnn.kernels``) and is written for
clarity, step by step as in the course "logistic regression as a neural network -> deep
L-layer network":

- examples are the columns of ``X`` (shape ``(n_x, m)``), labels ``Y`` are ``(1, m)``;
- ``Z[l] = W[l] A[l-1] + b[l]``, ``A[l] = g(Z[l])``, sigmoid at the output;
- ``J = -(1/m) sum(y log a + (1 - y) log(1 - a))``;
- ``dZ[L] = A[L] - Y``, ``dW[l] = dZ[l] A[l-1]^T / m``, ``db[l] = sum(dZ[l]) / m``,
  ``dA[l-1] = W[l]^T dZ[l]``, ``dZ[l] = dA[l] * g'(Z[l])``;
- gradient descent ``W := W - alpha dW``.

Two deliberate departures from the course notebooks, both for finite numbers where the
notebooks give ``inf``/``nan`` and both identical to the notebooks away from saturation:
:func:`sigmoid` uses the overflow-free two-branch formula, and :func:`compute_cost` clips
probabilities to ``[eps, 1 - eps]``. :func:`cost_from_logits` is the exact, stable cost
computed from the output logits.
"""

import numpy as np

__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "sigmoid_backward",
    "relu_backward",
    "tanh_backward",
    "ACTIVATIONS",
    "INITS",
    "initialize_parameters",
    "linear_forward",
    "linear_activation_forward",
    "model_forward",
    "compute_cost",
    "cost_from_logits",
    "linear_backward",
    "linear_activation_backward",
    "model_backward",
    "update_parameters",
    "logistic_propagate",
    "logistic_propagate_loop",
    "logistic_regression",
    "train_network",
    "predict",
    "predict_logistic",
]


# --------------------------------------------------------------------------- activations


def sigmoid(Z):
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed without overflow.

    Parameters
    ----------
    Z : array_like
        Pre-activations.

    Returns
    -------
    ndarray
        ``sigmoid(Z)``, same shape and float dtype as ``Z``.

    Notes
    -----
    For ``z >= 0`` this is the textbook ``1 / (1 + exp(-z))``; for ``z < 0`` the equal
    ``exp(z) / (1 + exp(z))``, so ``exp`` never sees a positive argument and never
    overflows (the textbook form warns and goes through ``inf`` for ``z < -709``).
    """
    Z = np.asarray(Z)
    if not np.issubdtype(Z.dtype, np.floating):
        Z = Z.astype(np.float64)
    e = np.exp(-np.abs(Z))  # in (0, 1]: no overflow
    return np.where(Z >= 0, 1 / (1 + e), e / (1 + e)).astype(Z.dtype, copy=False)


def relu(Z):
    """Rectified linear unit ``max(0, z)``.

    Parameters
    ----------
    Z : array_like
        Pre-activations.

    Returns
    -------
    ndarray
        ``max(Z, 0)`` elementwise.
    """
    return np.maximum(Z, 0)


def tanh(Z):
    """Hyperbolic tangent.

    Parameters
    ----------
    Z : array_like
        Pre-activations.

    Returns
    -------
    ndarray
        ``tanh(Z)`` elementwise.
    """
    return np.tanh(Z)


def sigmoid_backward(dA, Z):
    """Back-propagate through a sigmoid: ``dZ = dA * s * (1 - s)`` with ``s = sigmoid(Z)``.

    Parameters
    ----------
    dA : ndarray
        Gradient of the cost with respect to the activation.
    Z : ndarray
        The pre-activation saved in the forward pass.

    Returns
    -------
    ndarray
        Gradient with respect to ``Z``.
    """
    s = sigmoid(Z)
    return dA * s * (1 - s)


def relu_backward(dA, Z):
    """Back-propagate through a ReLU: ``dZ = dA`` where ``Z > 0``, else ``0``.

    Parameters
    ----------
    dA : ndarray
        Gradient of the cost with respect to the activation.
    Z : ndarray
        The pre-activation saved in the forward pass.

    Returns
    -------
    ndarray
        Gradient with respect to ``Z`` (the derivative at ``z = 0`` is taken as 0).
    """
    return np.where(Z > 0, dA, 0).astype(np.result_type(dA), copy=False)


def tanh_backward(dA, Z):
    """Back-propagate through tanh: ``dZ = dA * (1 - tanh(Z)**2)``.

    Parameters
    ----------
    dA : ndarray
        Gradient of the cost with respect to the activation.
    Z : ndarray
        The pre-activation saved in the forward pass.

    Returns
    -------
    ndarray
        Gradient with respect to ``Z``.
    """
    t = np.tanh(Z)
    return dA * (1 - t * t)


#: Activation name -> (forward, backward) pairs.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_backward),
    "relu": (relu, relu_backward),
    "tanh": (tanh, tanh_backward),
}


# ------------------------------------------------------------------------ initialisation

#: Initialisation name -> weight scale as a function of (n_prev, n_l).
INITS = {
    "small": lambda n_prev, n: 0.01,
    "lecun": lambda n_prev, n: 1 / np.sqrt(n_prev),
    "he": lambda n_prev, n: np.sqrt(2 / n_prev),
    "xavier": lambda n_prev, n: np.sqrt(2 / (n_prev + n)),
}


def initialize_parameters(layer_dims, init="lecun", seed=None, dtype=np.float64):
    """Random weights and zero biases for an L-layer network.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_L]``: input size, then the units of each layer.
    init : {"lecun", "he", "xavier", "small"}
        Weight scale: ``1/sqrt(n_prev)``, ``sqrt(2/n_prev)``, ``sqrt(2/(n_prev+n_l))``
        or ``0.01``.
    seed : int or None
        Seed of the one ``numpy.random.RandomState`` stream that draws every ``W[l]`` in
        order ``l = 1..L``. ``seed=1`` reproduces the course's ``np.random.seed(1)``.
    dtype : numpy dtype
        Dtype of the returned arrays (the draws are made in float64, then cast).

    Returns
    -------
    dict
        ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}``.
    """
    rng = np.random.RandomState(seed)
    scale_of = INITS[init]
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        W = rng.randn(n, n_prev) * scale_of(n_prev, n)
        parameters[f"W{l}"] = W.astype(dtype)
        parameters[f"b{l}"] = np.zeros((n, 1), dtype=dtype)
    return parameters


# ------------------------------------------------------------------------------- forward


def linear_forward(A_prev, W, b):
    """Linear part of a layer: ``Z = W A_prev + b``.

    Parameters
    ----------
    A_prev : ndarray, shape (n_prev, m)
        Activations of the previous layer (or ``X``).
    W : ndarray, shape (n, n_prev)
    b : ndarray, shape (n, 1)

    Returns
    -------
    Z : ndarray, shape (n, m)
    cache : tuple
        ``(A_prev, W, b)`` for :func:`linear_backward`.
    """
    Z = W @ A_prev + b
    return Z, (A_prev, W, b)


def linear_activation_forward(A_prev, W, b, activation):
    """One layer forward: ``A = g(W A_prev + b)``.

    Parameters
    ----------
    A_prev : ndarray, shape (n_prev, m)
    W : ndarray, shape (n, n_prev)
    b : ndarray, shape (n, 1)
    activation : {"sigmoid", "relu", "tanh"}

    Returns
    -------
    A : ndarray, shape (n, m)
    cache : tuple
        ``(linear_cache, Z)`` for :func:`linear_activation_backward`.
    """
    Z, linear_cache = linear_forward(A_prev, W, b)
    A = ACTIVATIONS[activation][0](Z)
    return A, (linear_cache, Z)


def model_forward(X, parameters, hidden_activation="relu"):
    """Forward pass ``[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID``.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    parameters : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    hidden_activation : {"relu", "tanh", "sigmoid"}

    Returns
    -------
    AL : ndarray, shape (1, m)
        Output probabilities.
    caches : list
        One cache per layer, from :func:`linear_activation_forward`.
    """
    L = len(parameters) // 2
    caches = []
    A = X
    for l in range(1, L + 1):
        activation = "sigmoid" if l == L else hidden_activation
        A, cache = linear_activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], activation)
        caches.append(cache)
    return A, caches


# ---------------------------------------------------------------------------------- cost


def compute_cost(AL, Y):
    """Binary cross-entropy ``-(1/m) sum(y log a + (1-y) log(1-a))`` from probabilities.

    Parameters
    ----------
    AL : ndarray, shape (1, m)
        Output probabilities.
    Y : ndarray, shape (1, m)
        Labels in {0, 1}.

    Returns
    -------
    float

    Notes
    -----
    ``AL`` is clipped to ``[eps, 1 - eps]`` (``eps`` of its dtype, as scikit-learn's
    ``binary_log_loss``) so a saturated output costs ``-log(eps)`` instead of ``inf``.
    For the exact value at saturation use :func:`cost_from_logits`.
    """
    m = Y.shape[1]
    eps = np.finfo(np.result_type(AL, np.float32)).eps
    A = np.clip(AL, eps, 1 - eps)
    return float(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)


def cost_from_logits(ZL, Y):
    """Binary cross-entropy computed from the output logits, exactly and without overflow.

    Parameters
    ----------
    ZL : ndarray, shape (1, m)
        Output pre-activations, ``AL = sigmoid(ZL)``.
    Y : ndarray, shape (1, m)
        Labels in {0, 1}.

    Returns
    -------
    float

    Notes
    -----
    ``-[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z`` and
    ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``: no ``exp`` overflow, no ``log(0)``.
    """
    m = Y.shape[1]
    Z = np.asarray(ZL, dtype=np.float64)
    loss = np.maximum(Z, 0) - Y * Z + np.log1p(np.exp(-np.abs(Z)))
    return float(np.sum(loss) / m)


# ------------------------------------------------------------------------------ backward


def linear_backward(dZ, cache):
    """Linear part of a layer backward.

    Parameters
    ----------
    dZ : ndarray, shape (n, m)
        Gradient of the cost with respect to ``Z``.
    cache : tuple
        ``(A_prev, W, b)`` from :func:`linear_forward`.

    Returns
    -------
    dA_prev : ndarray, shape (n_prev, m)
        ``W^T dZ``.
    dW : ndarray, shape (n, n_prev)
        ``dZ A_prev^T / m``.
    db : ndarray, shape (n, 1)
        ``sum(dZ, axis=1) / m``.
    """
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = dZ @ A_prev.T / m
    db = np.sum(dZ, axis=1, keepdims=True) / m
    dA_prev = W.T @ dZ
    return dA_prev, dW, db


def linear_activation_backward(dA, cache, activation):
    """One layer backward: ``dZ = dA * g'(Z)``, then :func:`linear_backward`.

    Parameters
    ----------
    dA : ndarray, shape (n, m)
    cache : tuple
        ``(linear_cache, Z)`` from :func:`linear_activation_forward`.
    activation : {"sigmoid", "relu", "tanh"}

    Returns
    -------
    dA_prev, dW, db : ndarray
    """
    linear_cache, Z = cache
    dZ = ACTIVATIONS[activation][1](dA, Z)
    return linear_backward(dZ, linear_cache)


def model_backward(AL, Y, caches, hidden_activation="relu"):
    """Backward pass of :func:`model_forward`.

    Parameters
    ----------
    AL : ndarray, shape (1, m)
        Output probabilities from :func:`model_forward`.
    Y : ndarray, shape (1, m)
    caches : list
        From :func:`model_forward`.
    hidden_activation : {"relu", "tanh", "sigmoid"}

    Returns
    -------
    dict
        ``{"dW1", "db1", ..., "dWL", "dbL", "dA0", ..., "dA{L-1}"}``; ``dA{l}`` is the
        gradient with respect to ``A[l]`` (``dA0`` with respect to ``X``).

    Notes
    -----
    At a sigmoid output with cross-entropy cost, ``dJ/dZ[L] = (A[L] - Y)`` per example:
    the ``1/(a(1-a))`` of ``dJ/dA`` cancels the sigmoid's derivative ``a(1-a)``. Starting
    from that identity (rather than ``dAL = -(Y/AL - (1-Y)/(1-AL))``) stays finite when
    ``AL`` saturates at 0 or 1.
    """
    L = len(caches)
    grads = {}
    linear_cache, _ = caches[L - 1]
    dZ = AL - Y
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZ, linear_cache)
    for l in range(L - 1, 0, -1):
        dA_prev, dW, db = linear_activation_backward(grads[f"dA{l}"], caches[l - 1], hidden_activation)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
    return grads


def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step ``W := W - alpha dW``, ``b := b - alpha db``.

    Parameters
    ----------
    parameters : dict
        ``{"W1", "b1", ...}``; not modified.
    grads : dict
        ``{"dW1", "db1", ...}``.
    learning_rate : float

    Returns
    -------
    dict
        New parameter arrays.
    """
    return {name: value - learning_rate * grads["d" + name] for name, value in parameters.items()}


# ------------------------------------------------------------------ logistic regression


def logistic_propagate(w, b, X, Y):
    """Cost and gradients of logistic regression, vectorised over the examples.

    Parameters
    ----------
    w : ndarray, shape (n_x, 1)
    b : float
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (1, m)

    Returns
    -------
    grads : dict
        ``{"dw": (n_x, 1), "db": float}``.
    cost : float
    """
    m = X.shape[1]
    A = sigmoid(w.T @ X + b)
    cost = compute_cost(A, Y)
    dZ = A - Y
    dw = X @ dZ.T / m
    db = float(np.sum(dZ) / m)
    return {"dw": dw, "db": db}, cost


def logistic_propagate_loop(w, b, X, Y):
    """The derivation's per-example loop, in plain Python: same outputs as
    :func:`logistic_propagate`.

    Parameters
    ----------
    w : ndarray, shape (n_x, 1)
    b : float
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (1, m)

    Returns
    -------
    grads : dict
        ``{"dw": (n_x, 1), "db": float}``.
    cost : float

    Notes
    -----
    ``for i in 1..m: z = w^T x + b; a = s(z); J += -(y log a + (1-y) log(1-a));
    dz = a - y; dw += x dz; db += dz``, then ``J, dw, db /= m``. Slow by design.
    """
    n_x, m = X.shape
    eps = np.finfo(np.result_type(X, np.float32)).eps
    J = 0.0
    dw = np.zeros((n_x, 1), dtype=np.result_type(X, w))
    db = 0.0
    for i in range(m):
        x = X[:, i : i + 1]
        y = float(Y[0, i])
        z = float(w[:, 0] @ x[:, 0]) + b
        a = float(sigmoid(np.array(z)))
        a_clipped = min(max(a, eps), 1 - eps)
        J += -(y * np.log(a_clipped) + (1 - y) * np.log(1 - a_clipped))
        dz = a - y
        dw += x * dz
        db += dz
    return {"dw": dw / m, "db": db / m}, float(J / m)


def logistic_regression(X, Y, n_iterations, learning_rate, record_every=100):
    """Train logistic regression by gradient descent from zero weights.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (1, m)
    n_iterations : int
    learning_rate : float
    record_every : int
        The cost is recorded at iterations 0, record_every, 2 record_every, ..., each
        computed before that iteration's update.

    Returns
    -------
    w : ndarray, shape (n_x, 1)
    b : float
    costs : list of float
    """
    w = np.zeros((X.shape[0], 1), dtype=X.dtype)
    b = 0.0
    costs = []
    for i in range(n_iterations):
        grads, cost = logistic_propagate(w, b, X, Y)
        if i % record_every == 0:
            costs.append(cost)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
    return w, b, costs


def train_network(
    X,
    Y,
    layer_dims,
    n_iterations,
    learning_rate,
    hidden_activation="relu",
    init="lecun",
    seed=1,
    record_every=100,
):
    """Train an L-layer network by full-batch gradient descent.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (1, m)
    layer_dims : sequence of int
        ``[n_x, n_1, ..., 1]``.
    n_iterations : int
    learning_rate : float
    hidden_activation : {"relu", "tanh", "sigmoid"}
    init : {"lecun", "he", "xavier", "small"}
        See :func:`initialize_parameters`.
    seed : int or None
    record_every : int
        The cost is recorded at iterations 0, record_every, ..., before that update.

    Returns
    -------
    parameters : dict
    costs : list of float
    """
    parameters = initialize_parameters(layer_dims, init=init, seed=seed, dtype=X.dtype)
    costs = []
    for i in range(n_iterations):
        AL, caches = model_forward(X, parameters, hidden_activation)
        if i % record_every == 0:
            costs.append(compute_cost(AL, Y))
        grads = model_backward(AL, Y, caches, hidden_activation)
        parameters = update_parameters(parameters, grads, learning_rate)
    return parameters, costs


# ---------------------------------------------------------------------------- prediction


def predict(X, parameters, hidden_activation="relu"):
    """Class predictions of an L-layer network: 1 where the probability is > 0.5.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    parameters : dict
    hidden_activation : {"relu", "tanh", "sigmoid"}

    Returns
    -------
    ndarray of int, shape (1, m)
    """
    AL, _ = model_forward(X, parameters, hidden_activation)
    return (AL > 0.5).astype(np.int64)


def predict_logistic(w, b, X):
    """Class predictions of logistic regression: 1 where ``sigmoid(w^T X + b) > 0.5``.

    Parameters
    ----------
    w : ndarray, shape (n_x, 1)
    b : float
    X : ndarray, shape (n_x, m)

    Returns
    -------
    ndarray of int, shape (1, m)
    """
    return (sigmoid(w.T @ X + b) > 0.5).astype(np.int64)
