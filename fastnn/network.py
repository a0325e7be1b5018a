"""``DeepNetwork``: an L-layer fully-connected binary classifier trained on the kernels."""

import numpy as np

from . import kernels as K
from ._base import BinaryClassifier
from ._init import initial_parameters
from .io import check_finite_array, register
from .io import save as _save
from ._threads import kernel_guard
from ._validation import (
    HIDDEN_ACTIVATIONS,
    INITS,
    check_choice,
    check_layer_dims,
    check_seed,
    check_X,
    check_Y,
)

_FORWARD = {"relu": K.bias_relu, "tanh": K.bias_tanh, "sigmoid": K.bias_sigmoid}
_BACKWARD = {"relu": K.relu_backward, "tanh": K.tanh_backward, "sigmoid": K.sigmoid_backward}


def _run(kernel, n_elements, *args):
    """Call the serial variant of ``kernel`` on small arrays, the parallel one otherwise."""
    return K.choose(kernel, n_elements)(*args)


class _Workspace:
    """Every buffer one training iteration needs, allocated once per ``fit``.

    ``A[l]`` (l = 1..L-1) receives ``W[l] A[l-1]`` and is activated in place; ``ZL`` the
    output logits; ``dZ[l]`` the back-propagated gradients, already divided by ``m`` (the
    output kernel scales ``A - Y`` by ``1/m``, and every later product is linear in it);
    ``grads`` the weight and bias gradients; ``spare`` the next parameters.
    """

    def __init__(self, dims, m, dtype):
        L = len(dims) - 1
        new = lambda *shape: np.empty(shape, dtype=dtype)  # noqa: E731
        self.A = [None] + [new(dims[l], m) for l in range(1, L)]
        self.ZL = new(1, m)
        self.dZ = [None] + [new(dims[l], m) for l in range(1, L + 1)]
        self.grads = {}
        self.spare = {}
        for l in range(1, L + 1):
            for key, shape in ((f"W{l}", (dims[l], dims[l - 1])), (f"b{l}", (dims[l], 1))):
                self.grads["d" + key] = new(*shape)
                self.spare[key] = new(*shape)


#: Values of ``DeepNetwork(first_layer=...)``.
FIRST_LAYER_MODES = ("auto", "direct", "gram")
#: ``first_layer="auto"`` never builds a Gram matrix larger than this (512 MiB: m = 8192
#: in float64).
GRAM_MAX_BYTES = 512 * 2**20


class _GramState:
    """The first layer trained through ``G = X^T X`` (see ``DeepNetwork``'s notes).

    ``Z1 = W1 X`` is kept up to date by ``Z1 <- Z1 - alpha dZ1 G``; ``S`` sums the
    ``dZ1`` of the committed iterations so that ``W1 = W1_0 - alpha S X^T``. Both are
    double-buffered like the parameters: ``step`` writes the spares, ``commit`` swaps.
    """

    def __init__(self, X, W1, ws):
        self.X, self.W1_0 = X, W1
        ws.spare["W1"] = W1  # never written on this path: both parameter dicts share W1_0
        self.G = np.dot(X.T, X)
        self.Z1 = np.dot(W1, X)
        self.S = np.zeros_like(self.Z1)
        self._Z1_next, self._S_next = np.empty_like(self.Z1), np.empty_like(self.Z1)
        self._product = np.empty_like(self.Z1)

    def step(self, dZ1, learning_rate):
        """Write the next ``Z1`` and ``S``; return True when both are finite."""
        np.dot(dZ1, self.G, out=self._product)
        ok = _run(K.sgd_step, dZ1.size, self.Z1, self._product, learning_rate, self._Z1_next)
        # S + dZ1 as an update with learning rate -1 (exact in any float dtype).
        return ok & _run(K.sgd_step, dZ1.size, self.S, dZ1, -1.0, self._S_next)

    def commit(self):
        self.Z1, self._Z1_next = self._Z1_next, self.Z1
        self.S, self._S_next = self._S_next, self.S

    def weights(self, learning_rate):
        """``W1`` of the committed state: ``W1_0 - alpha S X^T``."""
        W1 = np.dot(self.S, self.X.T)
        np.multiply(W1, -W1.dtype.type(learning_rate), out=W1)
        np.add(self.W1_0, W1, out=W1)
        return W1


@register
class DeepNetwork(BinaryClassifier):
    """L-layer fully-connected network for binary classification, trained by full-batch
    gradient descent: ``[LINEAR -> hidden] * (L-1) -> LINEAR -> SIGMOID``.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_{L-1}, 1]``. ``[n_x, n_h, 1]`` with ``hidden_activation="tanh"``
        is the course's shallow network; ``[n_x, 1]`` is logistic regression with random
        initial weights.
    hidden_activation : {"relu", "tanh", "sigmoid"}
    init : {"lecun", "he", "xavier", "small"}
        Weight scale, as in ``fastnn.reference.initialize_parameters``.
    seed : int or None
        Seed of the one ``RandomState`` stream drawing the weights (``1`` reproduces the
        course's ``np.random.seed(1)``).
    learning_rate : float
    n_iterations : int
    record_every : int
        ``costs_`` holds the cost at iterations 0, record_every, 2 record_every, ...
    dtype : {None, "float64", "float32"}
        ``None`` keeps a float32 or float64 ``X`` as it is (anything else becomes float64).
    first_layer : {"auto", "direct", "gram"}
        How ``fit`` computes the first layer's products. ``"direct"``: ``Z1 = W1 X`` and
        ``dW1 = dZ1 X^T`` every iteration, as the derivation writes them. ``"gram"``:
        the same gradient descent through the Gram matrix ``G = X^T X`` (see Notes).
        ``"auto"`` (default) picks ``"gram"`` in float64 when it needs under half the
        floating-point work over ``n_iterations`` and ``G`` takes at most
        ``GRAM_MAX_BYTES``; float32 runs take ``"direct"`` unless told otherwise.

    Attributes
    ----------
    parameters_ : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    costs_ : list of float
        Recorded costs, each computed before that iteration's update.
    n_iter_ : int
        Completed iterations.

    Notes
    -----
    Hyper-parameters are checked here and again in :meth:`fit`. Each layer's matrix
    product runs in BLAS (``np.dot`` into a preallocated buffer); bias, activation, cost,
    ``dZ``, ``db`` and the update are fused Numba kernels. ``dA0`` (the gradient with
    respect to ``X``) is never computed.

    The Gram path. Gradient descent changes ``W1`` by ``-alpha dZ1 X^T`` (``dZ1`` already
    divided by ``m``), so the first layer's pre-activation follows
    ``Z1 <- Z1 - alpha dZ1 (X^T X)`` without ``W1``: an ``(n1, m) x (m, m)`` product per
    iteration instead of two ``(n1, n_x) x (n_x, m)`` ones, after computing ``G = X^T X``
    once. ``W1 = W1_0 - alpha (sum of the dZ1) X^T`` is rebuilt when ``fit`` returns (or
    stops). It is the same arithmetic in exact terms; in floating point ``Z1`` and ``W1``
    differ from the direct path by rounding (the tests hold both to the reference). For
    the course's cat images (n_x = 12288, m = 209) it needs about 100x less work per
    iteration. During ``fit`` (in a ``callback``) ``parameters_["W1"]`` still holds the
    initial weights on this path.
    """

    def __init__(
        self,
        layer_dims,
        hidden_activation="relu",
        init="lecun",
        seed=1,
        learning_rate=0.0075,
        n_iterations=2500,
        record_every=100,
        dtype=None,
        first_layer="auto",
    ):
        self.layer_dims = layer_dims
        self.hidden_activation = hidden_activation
        self.init = init
        self.seed = seed
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.record_every = record_every
        self.dtype = dtype
        self.first_layer = first_layer
        self._check_hyperparameters()

    def _check_hyperparameters(self):
        self._dims = check_layer_dims(self.layer_dims)
        check_choice(self.first_layer, "first_layer", FIRST_LAYER_MODES)
        check_choice(self.hidden_activation, "hidden_activation", HIDDEN_ACTIVATIONS)
        check_choice(self.init, "init", INITS)
        check_seed(self.seed)
        return self._check_training_hyperparameters()

    @property
    def _n_features(self):
        return self._dims[0]

    # ------------------------------------------------------------------ training

    def fit(self, X, Y, *, progress=False, callback=None, verbose=False):
        """Train from freshly initialised parameters.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
            One example per column; never modified (read in place when it is a C- or
            F-contiguous float array of the model's dtype, else converted once).
        Y : array_like, shape (1, m)
            Labels 0/1 (bool or any real dtype).
        progress : bool
            Show a progress bar on stderr (iteration, cost, rate).
        callback : callable, optional
            ``callback(iteration, cost)`` after every completed iteration.
        verbose : bool
            Print ``Cost after iteration i: ...`` at every recorded cost, like the course.

        Returns
        -------
        self

        Raises
        ------
        FloatingPointError
            When the cost or an update stops being finite (learning rate too large); the
            model keeps the last finite parameters and ``n_iter_`` says how many
            iterations they completed.
        """
        dtype = self._check_hyperparameters()
        X = check_X(X, dtype=dtype, n_features=self._dims[0])
        Y = check_Y(Y, X.shape[1], X.dtype)
        self._dtype_ = X.dtype
        self.parameters_ = initial_parameters(self._dims, self.init, self.seed, X.dtype)
        self._X, self._Y = X, Y
        self._ws = _Workspace(self._dims, X.shape[1], X.dtype)
        self.first_layer_ = self._choose_first_layer(X.shape, X.dtype)
        self._gram = None
        try:
            if self.first_layer_ == "gram":
                self._gram = _GramState(X, self.parameters_["W1"], self._ws)
            return self._run(self.n_iterations, self.record_every, progress, callback, verbose)
        finally:
            if self._gram is not None:  # W1 from the committed state, also after an error
                self.parameters_["W1"] = self._gram.weights(self.learning_rate)
            del self._X, self._Y, self._ws, self._gram  # no reference to the caller's data

    def _choose_first_layer(self, shape, dtype):
        """``"direct"`` or ``"gram"`` for ``first_layer="auto"`` (see the class notes)."""
        if self.first_layer != "auto":
            return self.first_layer
        n_x, m = shape
        n1 = self._dims[1]
        direct = self.n_iterations * 4.0 * n1 * n_x * m
        gram = 2.0 * n_x * m * m + self.n_iterations * 2.0 * n1 * m * m + 2.0 * n1 * n_x * m
        small_enough = m * m * dtype.itemsize <= GRAM_MAX_BYTES
        # float64 only: in float32 the recursion's rounding drifts visibly over a long run
        # (course cat run: final cost 0.08792 against 0.08842 direct, test accuracy 0.78
        # against 0.80), while in float64 it stays within 4e-15 of the reference.
        if dtype != np.float64:
            return "direct"
        return "gram" if small_enough and gram < 0.5 * direct else "direct"

    def _step(self, i):
        # A diverging run overflows inside np.dot before the finiteness checks see it;
        # those checks report it (FloatingPointError naming the iteration), so NumPy's
        # own overflow warnings (or errors, under a caller's np.errstate) are muted here.
        with kernel_guard(), np.errstate(over="ignore", invalid="ignore"):
            gram = self._gram
            cost = self._forward_backward(self._X, self._Y, self.parameters_, self._ws, gram)
            ok = True
            lr = self.learning_rate
            for key, P in self.parameters_.items():
                if gram is not None and key == "W1":
                    ok &= gram.step(self._ws.dZ[1], lr)
                    continue
                out = self._ws.spare[key]
                ok &= _run(K.sgd_step, P.size, P, self._ws.grads["d" + key], lr, out)
        return cost, ok

    def _commit(self, n):
        ws = self._ws
        ws.spare, self.parameters_ = self.parameters_, ws.spare
        if self._gram is not None:
            self._gram.commit()
        return n

    def _forward_backward(self, X, Y, params, ws, gram=None):
        """Cost at ``params``; gradients (already divided by ``m``) into ``ws.grads``.

        With a ``_GramState``, the first layer's ``W1 X`` is read from it and ``dW1`` is
        not computed (the state's ``step`` does the first layer's update).
        """
        L = len(self._dims) - 1
        m = X.shape[1]
        act = self.hidden_activation
        # Forward: A[l] = g(W[l] A[l-1] + b[l]), activated in place.
        A_prev = X
        for l in range(1, L):
            A = ws.A[l]
            if l == 1 and gram is not None:
                _run(_FORWARD[act], A.size, gram.Z1, params["b1"], A)
            else:
                np.dot(params[f"W{l}"], A_prev, out=A)
                _run(_FORWARD[act], A.size, A, params[f"b{l}"], A)
            A_prev = A
        if L == 1 and gram is not None:
            ZL = gram.Z1
        else:
            ZL = ws.ZL
            np.dot(params[f"W{L}"], A_prev, out=ZL)
        # Output: cost from the logits, dZ = (sigmoid(z) - y) / m and db in one pass.
        cost, dbL = _run(K.sigmoid_cross_entropy, m, ZL, params[f"b{L}"], Y, 1.0 / m, ws.dZ[L])
        ws.grads[f"db{L}"][0, 0] = dbL
        # Backward: dW = dZ A_prev^T (dZ already / m); dA_prev = W^T dZ, then the hidden
        # kernel turns it into dZ_prev in place and sums db. No dA0.
        for l in range(L, 0, -1):
            A_prev = ws.A[l - 1] if l > 1 else X
            if l > 1 or gram is None:
                np.dot(ws.dZ[l], A_prev.T, out=ws.grads[f"dW{l}"])
            if l > 1:
                dZ_prev = ws.dZ[l - 1]
                np.dot(params[f"W{l}"].T, ws.dZ[l], out=dZ_prev)
                _run(_BACKWARD[act], dZ_prev.size, dZ_prev, ws.A[l - 1], dZ_prev, ws.grads[f"db{l - 1}"])
        return cost

    # ---------------------------------------------------------------- inspection

    def _forward_logits(self, X):
        """Output logits ``W_L A_{L-1} + b_L`` (without the final sigmoid) for a validated X."""
        L = len(self._dims) - 1
        act = self.hidden_activation
        A = X
        with kernel_guard():
            for l in range(1, L + 1):
                Z = np.dot(self.parameters_[f"W{l}"], A)
                kernel = K.bias_add if l == L else _FORWARD[act]
                _run(kernel, Z.size, Z, self.parameters_[f"b{l}"], Z)
                A = Z
        return A

    def _predict_proba(self, X):
        Z = self._forward_logits(X)
        with kernel_guard():
            _run(K.bias_sigmoid, Z.size, Z, np.zeros((1, 1), Z.dtype), Z)
        return Z

    def cost(self, X, Y):
        """Binary cross-entropy of the current parameters on ``(X, Y)``.

        Computed from the output logits, so it stays finite when the sigmoid saturates.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like, shape (1, m) of 0/1

        Returns
        -------
        float
        """
        X, Y = self._validated_XY(X, Y)
        Z = self._forward_logits(X)
        with kernel_guard():
            return float(_run(K.cross_entropy_from_logits, Z.size, Z, np.zeros((1, 1), Z.dtype), Y))

    def gradients(self, X, Y):
        """Gradients of the cost at the current parameters, without updating them.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like, shape (1, m) of 0/1

        Returns
        -------
        dict
            ``{"dW1", "db1", ..., "dWL", "dbL"}``, new arrays in the model's dtype.
        """
        X, Y = self._validated_XY(X, Y)
        ws = _Workspace(self._dims, X.shape[1], X.dtype)
        with kernel_guard():
            self._forward_backward(X, Y, self.parameters_, ws)
        return ws.grads

    def _check_fitted(self):
        if not hasattr(self, "parameters_"):
            raise RuntimeError("this DeepNetwork is not fitted yet: call fit(X, Y) or fastnn.load(path) first")

    def save(self, path):
        """Write the model to ``path`` (see :mod:`fastnn.io`); atomic: a failed write
        leaves any previous file intact.

        Parameters
        ----------
        path : str or os.PathLike
        """
        _save(self, path)

    def _file_contents(self):
        """Hyper-parameters and arrays for a model file (see :mod:`fastnn.io`)."""
        hyper = {
            "layer_dims": list(self._dims),
            "hidden_activation": self.hidden_activation,
            "init": self.init,
            "seed": self.seed,
            "learning_rate": self.learning_rate,
            "n_iterations": self.n_iterations,
            "record_every": self.record_every,
        }
        return hyper, dict(self.parameters_)

    @classmethod
    def _from_file(cls, hyperparameters, arrays, dtype):
        """A model rebuilt from a file's hyper-parameters and arrays (see :mod:`fastnn.io`)."""
        model = cls(dtype=dtype.name, **hyperparameters)
        dims = model._dims
        params = {}
        for l in range(1, len(dims)):
            params[f"W{l}"] = check_finite_array(arrays, f"W{l}", (dims[l], dims[l - 1]), dtype)
            params[f"b{l}"] = check_finite_array(arrays, f"b{l}", (dims[l], 1), dtype)
        model.parameters_ = params
        return model
