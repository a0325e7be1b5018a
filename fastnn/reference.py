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

The second course's additions follow its notebooks' names and signatures: mini-batches
(:func:`random_mini_batches`), momentum and Adam (:func:`update_parameters_with_momentum`,
:func:`update_parameters_with_adam`), learning-rate decay (:func:`update_lr`,
:func:`schedule_lr_decay`), L2 (:func:`compute_cost_with_regularization`, ``lambd`` in
:func:`model_backward`) and dropout (masks passed in to :func:`model_forward` /
:func:`model_backward`), all driven by :func:`train_network`. Multi-class (softmax) and
regression (identity, squared error) outputs, and example weights, are written the same way.

Two deliberate departures from the course notebooks, both for finite numbers where the
notebooks give ``inf``/``nan`` and both identical to the notebooks away from saturation:
:func:`sigmoid` uses the overflow-free two-branch formula, and :func:`compute_cost` clips
probabilities to ``[eps, 1 - eps]``. :func:`cost_from_logits` is the exact, stable cost
computed from the output logits.

Examples
--------
One gradient-descent step of a ``[2, 4, 1]`` network on three examples, written out:

>>> import numpy as np
>>> from fastnn import reference as R
>>> X = np.array([[1.0, 2.0, -1.0], [3.0, 0.5, -2.0]])  # 3 examples of 2 features: (n_x, m)
>>> Y = np.array([[1.0, 0.0, 1.0]])
>>> parameters = R.initialize_parameters([2, 4, 1], seed=1)
>>> AL, caches = R.model_forward(X, parameters)
>>> AL.shape
(1, 3)
>>> cost = R.compute_cost(AL, Y)
>>> grads = R.model_backward(AL, Y, caches)
>>> grads["dW1"].shape, grads["db2"].shape
((4, 2), (1, 1))
>>> parameters = R.update_parameters(parameters, grads, learning_rate=0.1)
>>> bool(R.compute_cost(R.model_forward(X, parameters)[0], Y) < cost)
True
"""

import numpy as np

__all__ = [
    "sigmoid",
    "relu",
    "tanh",
    "sigmoid_backward",
    "relu_backward",
    "tanh_backward",
    "softmax",
    "ACTIVATIONS",
    "OUTPUTS",
    "INITS",
    "initialize_parameters",
    "linear_forward",
    "linear_activation_forward",
    "model_forward",
    "compute_cost",
    "compute_cost_with_regularization",
    "cost_from_logits",
    "linear_backward",
    "linear_activation_backward",
    "model_backward",
    "update_parameters",
    "random_mini_batches",
    "initialize_velocity",
    "update_parameters_with_momentum",
    "initialize_adam",
    "update_parameters_with_adam",
    "update_lr",
    "schedule_lr_decay",
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
    "identity": (lambda Z: Z, lambda dA, Z: dA),
}


def softmax(Z):
    """Column-wise softmax ``exp(z_k) / sum_j exp(z_j)``, shifted by each column's maximum
    (the same value, without overflow).

    Parameters
    ----------
    Z : ndarray, shape (K, m)

    Returns
    -------
    ndarray, shape (K, m)
        Every column sums to 1.
    """
    Z = np.asarray(Z)
    e = np.exp(Z - Z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


#: Output layer name -> its activation. Each is paired with its own cost (binary
#: cross-entropy, categorical cross-entropy, squared error), and for each the gradient of
#: the cost with respect to the output's pre-activation is ``A - Y``.
OUTPUTS = {"sigmoid": sigmoid, "softmax": softmax, "identity": lambda Z: Z}


# ------------------------------------------------------------------------ initialisation

#: Initialisation name -> weight scale as a function of (n_prev, n_l): the standard deviation
#: of normal draws, or for "glorot" the bound of uniform draws in [-bound, bound) (Glorot &
#: Bengio's, as scikit-learn's MLP draws its weights).
INITS = {
    "small": lambda n_prev, n: 0.01,
    "lecun": lambda n_prev, n: 1 / np.sqrt(n_prev),
    "he": lambda n_prev, n: np.sqrt(2 / n_prev),
    "xavier": lambda n_prev, n: np.sqrt(2 / (n_prev + n)),
    "glorot": lambda n_prev, n: np.sqrt(6 / (n_prev + n)),
}


def initialize_parameters(layer_dims, init="lecun", seed=None, dtype=np.float64):
    """Random weights and zero biases for an L-layer network.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_L]``: input size, then the units of each layer.
    init : {"lecun", "he", "xavier", "small", "glorot"}
        Weight scale: normal draws times ``1/sqrt(n_prev)``, ``sqrt(2/n_prev)``,
        ``sqrt(2/(n_prev+n_l))`` or ``0.01``; ``"glorot"``: uniform draws in
        ``[-sqrt(6/(n_prev+n_l)), sqrt(6/(n_prev+n_l)))``.
    seed : int or None
        Seed of the one ``numpy.random.RandomState`` stream that draws every ``W[l]`` in
        order ``l = 1..L``. ``seed=1`` reproduces the course's ``np.random.seed(1)``.
    dtype : numpy dtype
        Dtype of the returned arrays (the draws are made in float64, then cast).

    Returns
    -------
    dict
        ``{"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}``.

    Examples
    --------
    >>> from fastnn.reference import initialize_parameters
    >>> parameters = initialize_parameters([2, 4, 1], seed=1)
    >>> {name: array.shape for name, array in parameters.items()}
    {'W1': (4, 2), 'b1': (4, 1), 'W2': (1, 4), 'b2': (1, 1)}
    """
    rng = np.random.RandomState(seed)
    scale_of = INITS[init]
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_prev, n = layer_dims[l - 1], layer_dims[l]
        if init == "glorot":
            bound = scale_of(n_prev, n)
            W = rng.uniform(-bound, bound, (n, n_prev))
        else:
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


def model_forward(X, parameters, hidden_activation="relu", output="sigmoid", keep_prob=1.0, masks=None):
    """Forward pass ``[LINEAR -> hidden (-> DROPOUT)] * (L-1) -> LINEAR -> output``.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    parameters : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    hidden_activation : {"relu", "tanh", "sigmoid"}
    output : {"sigmoid", "softmax", "identity"}
    keep_prob : float
        Inverted dropout on the hidden layers when below 1: ``A = A * D; A = A / keep_prob``
        (the course's two steps).
    masks : list of ndarray, optional
        ``[D1, ..., D_{L-1}]`` of 0/1, each shaped like its layer's activations; required
        when ``keep_prob < 1``.

    Returns
    -------
    AL : ndarray, shape (n_L, m)
        Output activations (probabilities, or values for ``"identity"``).
    caches : list
        One ``(linear_cache, Z)`` per layer.
    """
    L = len(parameters) // 2
    if keep_prob < 1 and masks is None:
        raise ValueError("model_forward: keep_prob < 1 needs the dropout masks")
    caches = []
    A = X
    for l in range(1, L + 1):
        W, b = parameters[f"W{l}"], parameters[f"b{l}"]
        if l == L:
            Z, linear_cache = linear_forward(A, W, b)
            A, cache = OUTPUTS[output](Z), (linear_cache, Z)
        else:
            A, cache = linear_activation_forward(A, W, b, hidden_activation)
            if keep_prob < 1:
                A = A * masks[l - 1]
                A = A / keep_prob
        caches.append(cache)
    return A, caches


# ---------------------------------------------------------------------------------- cost


def compute_cost(AL, Y, output="sigmoid", weights=None):
    """The cost of the output activations ``AL`` against ``Y``, from probabilities.

    Parameters
    ----------
    AL : ndarray, shape (n_L, m)
        Output activations.
    Y : ndarray
        ``"sigmoid"``: ``(n_L, m)`` of 0/1; ``"softmax"``: ``(K, m)`` one-hot or ``(1, m)``
        class labels; ``"identity"``: ``(n_L, m)`` values.
    output : {"sigmoid", "softmax", "identity"}
    weights : ndarray of shape (m,), optional
        Example weights: ``sum_i w_i loss_i / sum_i w_i`` instead of the mean.

    Returns
    -------
    float
        Binary cross-entropy ``-(1/m) sum(y log a + (1-y) log(1-a))`` (summed over output
        units), categorical cross-entropy ``-(1/m) sum log a[y_i, i]``, or the squared error
        ``(1/2m) sum ||a_i - y_i||^2``.

    Notes
    -----
    Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` of their dtype, as
    scikit-learn's log losses) so a saturated output costs ``-log(eps)`` instead of
    ``inf``. For the exact value at saturation use :func:`cost_from_logits`.
    """
    Y = np.asarray(Y)
    if output == "identity":
        loss = 0.5 * np.sum((AL - Y) ** 2, axis=0)
    else:
        eps = np.finfo(np.result_type(AL, np.float32)).eps
        A = np.clip(AL, eps, 1 - eps)
        if output == "softmax":
            Yh = _one_hot(Y, AL.shape[0])
            loss = -np.sum(Yh * np.log(A), axis=0)
        else:
            loss = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A), axis=0)
    return _mean(loss, weights)


def _mean(loss, weights):
    """Mean of the per-example losses, or their weighted mean."""
    if weights is None:
        return float(np.sum(loss) / loss.shape[-1])
    return float(np.sum(weights * loss) / np.sum(weights))


def _one_hot(Y, K):
    """A ``(K, m)`` one-hot matrix from class labels ``(1, m)`` (a one-hot ``Y`` as it is)."""
    Y = np.asarray(Y)
    if Y.shape[0] == K and K > 1:
        return Y
    labels = Y.reshape(-1).astype(np.int64)
    out = np.zeros((K, labels.size))
    out[labels, np.arange(labels.size)] = 1
    return out


def compute_cost_with_regularization(AL, Y, parameters, lambd, output="sigmoid", weights=None):
    """Cost plus the L2 term ``lambd / (2 m) * sum_l ||W[l]||^2`` (the course's formula).

    Parameters
    ----------
    AL : ndarray, shape (n_L, m)
    Y : ndarray
    parameters : dict
        ``{"W1", "b1", ...}``; the biases are not regularised.
    lambd : float
    output : {"sigmoid", "softmax", "identity"}
    weights : ndarray of shape (m,), optional
        With example weights ``m`` is their sum.

    Returns
    -------
    float
    """
    m = Y.shape[1] if weights is None else float(np.sum(weights))
    L2 = sum(np.sum(np.square(parameters[k])) for k in parameters if k.startswith("W"))
    return compute_cost(AL, Y, output, weights) + float(lambd / (2 * m) * L2)


def cost_from_logits(ZL, Y, output="sigmoid", weights=None):
    """The cost computed from the output pre-activations, exactly and without overflow.

    Parameters
    ----------
    ZL : ndarray, shape (n_L, m)
        Output pre-activations (``AL = sigmoid(ZL)``, ``softmax(ZL)`` or ``ZL``).
    Y : ndarray
        As for :func:`compute_cost`.
    output : {"sigmoid", "softmax", "identity"}
    weights : ndarray of shape (m,), optional

    Returns
    -------
    float

    Notes
    -----
    ``-[y log s(z) + (1-y) log(1-s(z))] = softplus(z) - y z`` with
    ``softplus(z) = max(z, 0) + log1p(exp(-|z|))``; the softmax loss is
    ``logsumexp(z) - z_y`` with ``logsumexp`` shifted by the column maximum. No ``exp``
    overflow, no ``log(0)``.
    """
    Z = np.asarray(ZL, dtype=np.float64)
    Y = np.asarray(Y)
    if output == "identity":
        loss = 0.5 * np.sum((Z - Y) ** 2, axis=0)
    elif output == "softmax":
        mx = Z.max(axis=0)
        lse = mx + np.log(np.sum(np.exp(Z - mx), axis=0))
        loss = lse - np.sum(_one_hot(Y, Z.shape[0]) * Z, axis=0)
    else:
        loss = np.sum(np.maximum(Z, 0) - Y * Z + np.log1p(np.exp(-np.abs(Z))), axis=0)
    return _mean(loss, weights)


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


def model_backward(AL, Y, caches, hidden_activation="relu", output="sigmoid", lambd=0.0, keep_prob=1.0,
                   masks=None, weights=None):
    """Backward pass of :func:`model_forward`.

    Parameters
    ----------
    AL : ndarray, shape (n_L, m)
        Output activations from :func:`model_forward`.
    Y : ndarray
        Targets, as for :func:`compute_cost`.
    caches : list
        From :func:`model_forward`.
    hidden_activation : {"relu", "tanh", "sigmoid"}
    output : {"sigmoid", "softmax", "identity"}
    lambd : float
        L2: every ``dW[l]`` gains ``lambd / m * W[l]`` (the course's
        ``backward_propagation_with_regularization``).
    keep_prob : float
    masks : list of ndarray, optional
        The forward pass's dropout masks: ``dA = dA * D; dA = dA / keep_prob`` before each
        hidden layer's activation derivative (the course's ``backward_propagation_with_dropout``).
    weights : ndarray of shape (m,), optional
        Example weights: the gradients of the weighted mean; ``m`` is their sum.

    Returns
    -------
    dict
        ``{"dW1", "db1", ..., "dWL", "dbL", "dA0", ..., "dA{L-1}"}``; ``dA{l}`` is the
        gradient with respect to ``A[l]`` (``dA0`` with respect to ``X``).

    Notes
    -----
    For each output with its own cost, ``dJ/dZ[L] = (A[L] - Y)`` per example: at a sigmoid
    with cross-entropy the ``1/(a(1-a))`` of ``dJ/dA`` cancels the sigmoid's derivative
    ``a(1-a)``, at a softmax with categorical cross-entropy the Jacobian of the softmax
    contracts to ``a - onehot(y)``, and the identity's squared error differentiates to
    ``a - y``. Starting from that identity stays finite when ``AL`` saturates.
    """
    L = len(caches)
    m = AL.shape[1]
    grads = {}
    linear_cache, _ = caches[L - 1]
    Yt = _one_hot(Y, AL.shape[0]) if output == "softmax" else Y
    dZ = AL - Yt
    if weights is not None:  # linear_backward divides by m: this makes it a division by sum(w)
        dZ = dZ * (weights * (m / np.sum(weights)))
    grads[f"dA{L - 1}"], grads[f"dW{L}"], grads[f"db{L}"] = linear_backward(dZ, linear_cache)
    for l in range(L - 1, 0, -1):
        dA = grads[f"dA{l}"]
        if keep_prob < 1:
            dA = dA * masks[l - 1]
            dA = dA / keep_prob
        dA_prev, dW, db = linear_activation_backward(dA, caches[l - 1], hidden_activation)
        grads[f"dA{l - 1}"], grads[f"dW{l}"], grads[f"db{l}"] = dA_prev, dW, db
    if lambd:
        m_w = m if weights is None else float(np.sum(weights))
        for l in range(1, L + 1):
            W = caches[l - 1][0][1]
            grads[f"dW{l}"] = grads[f"dW{l}"] + lambd / m_w * W
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


# ---------------------------------------------------- mini-batches, momentum, Adam, decay


def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the examples and cut them into mini-batches (the course's function).

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    Y : ndarray, shape (n_y, m)
    mini_batch_size : int
    seed : int
        ``np.random.seed(seed); np.random.permutation(m)``, without touching NumPy's global
        generator: ``RandomState(seed).permutation(m)``.

    Returns
    -------
    list of (X_batch, Y_batch)
        ``floor(m / mini_batch_size)`` full batches, then the remainder (if any).
    """
    m = X.shape[1]
    permutation = list(np.random.RandomState(seed).permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation].reshape((Y.shape[0], m))
    mini_batches = []
    n_complete = m // mini_batch_size
    for k in range(n_complete):
        cols = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    if m % mini_batch_size != 0:
        cols = slice(n_complete * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    return mini_batches


def initialize_velocity(parameters):
    """Momentum's velocity: zeros shaped like every parameter.

    Parameters
    ----------
    parameters : dict
        ``{"W1", "b1", ...}``.

    Returns
    -------
    dict
        ``{"dW1", "db1", ...}`` of zeros.
    """
    return {"d" + k: np.zeros_like(v) for k, v in parameters.items()}


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """One momentum step: ``v = beta v + (1 - beta) dW``; ``W = W - learning_rate v``.

    Parameters
    ----------
    parameters : dict
    grads : dict
    v : dict
        Velocity, from :func:`initialize_velocity` or the previous step.
    beta : float
    learning_rate : float

    Returns
    -------
    parameters : dict
        New arrays (the inputs are not modified).
    v : dict
        The new velocity.
    """
    new_p, new_v = {}, {}
    for k, value in parameters.items():
        d = "d" + k
        new_v[d] = beta * v[d] + (1 - beta) * grads[d]
        new_p[k] = value - learning_rate * new_v[d]
    return new_p, new_v


def initialize_adam(parameters):
    """Adam's moment estimates ``v`` and ``s``: zeros shaped like every parameter.

    Parameters
    ----------
    parameters : dict

    Returns
    -------
    v, s : dict
        ``{"dW1", "db1", ...}`` of zeros each.
    """
    return initialize_velocity(parameters), initialize_velocity(parameters)


def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                                epsilon=1e-8):
    """One Adam step, with bias correction (the course's formulas).

    ``v = beta1 v + (1 - beta1) dW``, ``v_hat = v / (1 - beta1**t)``,
    ``s = beta2 s + (1 - beta2) dW**2``, ``s_hat = s / (1 - beta2**t)``,
    ``W = W - learning_rate * v_hat / (sqrt(s_hat) + epsilon)``.

    Parameters
    ----------
    parameters, grads, v, s : dict
    t : int
        Steps taken, this one included (from 1).
    learning_rate, beta1, beta2, epsilon : float

    Returns
    -------
    parameters, v, s : dict
        New arrays (the inputs are not modified).
    """
    new_p, new_v, new_s = {}, {}, {}
    for k, value in parameters.items():
        d = "d" + k
        new_v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
        v_corrected = new_v[d] / (1 - beta1**t)
        new_s[d] = beta2 * s[d] + (1 - beta2) * np.square(grads[d])
        s_corrected = new_s[d] / (1 - beta2**t)
        new_p[k] = value - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)
    return new_p, new_v, new_s


def update_lr(learning_rate0, epoch_num, decay_rate):
    """Inverse decay: ``learning_rate0 / (1 + decay_rate * epoch_num)``.

    Parameters
    ----------
    learning_rate0 : float
    epoch_num : int
    decay_rate : float

    Returns
    -------
    float
    """
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """Step decay: ``learning_rate0 / (1 + decay_rate * floor(epoch_num / time_interval))``.

    Parameters
    ----------
    learning_rate0 : float
    epoch_num : int
    decay_rate : float
    time_interval : int

    Returns
    -------
    float
    """
    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))


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
    *,
    optimizer="gd",
    beta=0.9,
    beta1=0.9,
    beta2=0.999,
    epsilon=1e-8,
    batch_size=None,
    shuffle_seed=None,
    shuffle=True,
    lr_decay=None,
    decay_rate=1.0,
    decay_interval=1000,
    l2=0.0,
    keep_prob=1.0,
    output=None,
    masks=None,
    sample_weight=None,
    parameters=None,
):
    """Train an L-layer network by full-batch or mini-batch gradient descent, momentum or
    Adam: the course's ``model`` functions, with ``DeepNetwork``'s options.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    Y : ndarray
        Targets (see :func:`compute_cost`).
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_L]``.
    n_iterations : int
        Epochs (one iteration each without ``batch_size``).
    learning_rate : float
        The initial learning rate.
    hidden_activation : {"relu", "tanh", "sigmoid"}
    init : {"lecun", "he", "xavier", "small"}
        See :func:`initialize_parameters`.
    seed : int or None
        Of the weights; the default ``shuffle_seed``.
    record_every : int
        The cost of epochs 0, record_every, ... is recorded.
    optimizer : {"gd", "momentum", "adam"}
    beta, beta1, beta2, epsilon : float
    batch_size : int or None
        ``None``: full batch. Otherwise epoch ``e`` trains on
        ``random_mini_batches(X, Y, batch_size, seed=shuffle_seed + e)`` (with ``shuffle``;
        without it, the examples in order).
    shuffle_seed : int or None
        ``None``: ``seed``. The course's runs are ``shuffle_seed=11``.
    shuffle : bool
    lr_decay : {None, "inverse", "step"}
        Epoch ``e`` trains with ``learning_rate`` for ``e == 0`` and
        ``update_lr(learning_rate, e - 1, decay_rate)`` /
        ``schedule_lr_decay(learning_rate, e - 1, decay_rate, decay_interval)`` after.
    decay_rate : float
    decay_interval : int
    l2 : float
        ``lambd``: each batch costs ``compute_cost_with_regularization`` and its ``dW``
        gain ``lambd / m_b * W``.
    keep_prob : float
    masks : callable, optional
        ``masks(step, batch) -> [D1, ..., D_{L-1}]``, the dropout masks of training step
        ``step`` (from 0) for a batch of ``batch`` examples; required when
        ``keep_prob < 1``.
    output : {None, "sigmoid", "softmax", "identity"}
        ``None``: sigmoid for one output unit, softmax for several.
    sample_weight : ndarray of shape (m,), optional
    parameters : dict, optional
        Initial parameters instead of :func:`initialize_parameters`.

    Returns
    -------
    parameters : dict
    costs : list of float
        The recorded epoch costs: the cost before the update in full-batch training; with
        mini-batches the sum over the epoch's batches of each batch's cost (before its
        update) times its size (its weight sum), divided by ``m`` (the weight sum).
    """
    output = output or ("sigmoid" if layer_dims[-1] == 1 else "softmax")
    if parameters is None:
        parameters = initialize_parameters(layer_dims, init=init, seed=seed, dtype=X.dtype)
    if keep_prob < 1 and masks is None:
        raise ValueError("train_network: keep_prob < 1 needs masks(step, batch)")
    if optimizer == "momentum":
        v = initialize_velocity(parameters)
    elif optimizer == "adam":
        v, s = initialize_adam(parameters)
    shuffle_seed = seed if shuffle_seed is None else shuffle_seed
    m = X.shape[1]
    W = np.ones(m) if sample_weight is None else np.asarray(sample_weight)
    t = 0
    costs = []
    for epoch in range(n_iterations):
        if lr_decay is None or epoch == 0:
            lr = learning_rate
        elif lr_decay == "inverse":
            lr = update_lr(learning_rate, epoch - 1, decay_rate)
        else:
            lr = schedule_lr_decay(learning_rate, epoch - 1, decay_rate, decay_interval)
        if batch_size is None:
            batches = [(X, Y, W)]
        else:
            rows = np.vstack([Y, W[None, :]])  # shuffle the weights with the examples
            if shuffle:
                batches = random_mini_batches(X, rows, batch_size, shuffle_seed + epoch)
            else:
                batches = [(X[:, k:k + batch_size], rows[:, k:k + batch_size]) for k in range(0, m, batch_size)]
            batches = [(bx, by[:-1], by[-1]) for bx, by in batches]
        total = 0.0
        for bx, by, bw in batches:
            weights = None if sample_weight is None else bw
            D = masks(t, bx.shape[1]) if keep_prob < 1 else None
            AL, caches = model_forward(bx, parameters, hidden_activation, output, keep_prob, D)
            if l2:
                cost = compute_cost_with_regularization(AL, by, parameters, l2, output, weights)
            else:
                cost = compute_cost(AL, by, output, weights)
            total += cost * float(np.sum(bw))
            grads = model_backward(AL, by, caches, hidden_activation, output, l2, keep_prob, D, weights)
            t += 1
            if optimizer == "gd":
                parameters = update_parameters(parameters, grads, lr)
            elif optimizer == "momentum":
                parameters, v = update_parameters_with_momentum(parameters, grads, v, beta, lr)
            else:
                parameters, v, s = update_parameters_with_adam(parameters, grads, v, s, t, lr, beta1, beta2, epsilon)
        if epoch % record_every == 0:
            costs.append(cost if batch_size is None else total / float(np.sum(W)))
    return parameters, costs


# ---------------------------------------------------------------------------- prediction


def predict(X, parameters, hidden_activation="relu", output="sigmoid"):
    """Predictions of an L-layer network: 1 where a sigmoid output is > 0.5, the arg-max
    class of a softmax, or the values of an identity output.

    Parameters
    ----------
    X : ndarray, shape (n_x, m)
    parameters : dict
    hidden_activation : {"relu", "tanh", "sigmoid"}
    output : {"sigmoid", "softmax", "identity"}

    Returns
    -------
    ndarray
        int ``(n_L, m)`` of 0/1, int ``(1, m)`` class labels, or float ``(n_L, m)``.
    """
    AL, _ = model_forward(X, parameters, hidden_activation, output)
    if output == "softmax":
        return np.argmax(AL, axis=0).astype(np.int64).reshape(1, -1)
    if output == "identity":
        return AL
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
