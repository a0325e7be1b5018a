"""scikit-learn estimators trained by fastnn: :class:`MLPClassifier` and :class:`MLPRegressor`.

Drop-ins for ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` (stochastic
solvers): the same parameter names and meanings, the same fitted attributes (``coefs_`` and
``intercepts_`` in scikit-learn's ``(n_in, n_out)`` layout, ``loss_curve_``, ``n_iter_``,
``t_``...), the same stopping rules, and they pass ``sklearn.utils.estimator_checks`` with no
check waived. The training is a :class:`fastnn.DeepNetwork` fit (compiled mini-batch steps).

Needs scikit-learn (``pip install fastnn[sklearn]``); ``import fastnn`` never imports it.

Data layout. scikit-learn holds data sample-major, ``X`` of shape ``(n_samples,
n_features)``; fastnn's models take the course's ``(n_x, m)``. ``X.T`` of a C-ordered
sample-major array *is* the example-contiguous ``(n_x, m)`` layout the kernels read, so the
adapter hands ``X.T`` to ``DeepNetwork`` without a copy.

How the parameters map onto ``DeepNetwork``

- ``layer_dims = [n_features, *hidden_layer_sizes, n_outputs]``; ``activation``
  ``"relu"``, ``"tanh"``, ``"identity"`` as named, ``"logistic"`` is fastnn's ``"sigmoid"``.
- Outputs: two classes (or one) -> one sigmoid unit (``out_activation_ = "logistic"``,
  ``predict_proba`` still ``(n, 2)``); more classes -> softmax (``"softmax"``); a multilabel
  indicator ``y`` -> one sigmoid unit per label (``"logistic"``); regression -> identity
  outputs (``"identity"``), one per target.
- ``alpha`` is fastnn's ``l2`` with the same meaning: each batch costs its (weighted) mean
  loss plus ``alpha / (2 m_b) * sum ||W||^2``, ``m_b`` the batch's weight sum (its size when
  unweighted); biases are not penalised.
- ``solver="adam"`` -> ``optimizer="adam"`` (``beta_1``, ``beta_2``, ``epsilon``). fastnn's
  Adam is the course's form, ``W -= lr * m_hat / (sqrt(v_hat) + epsilon)`` with both moments
  bias-corrected; scikit-learn uses Kingma & Ba's "efficient" form, which adds ``epsilon`` to
  the *uncorrected* ``sqrt(v)`` (an effective ``epsilon / sqrt(1 - beta_2**t)``: 32 times
  larger at the first step, the same after a few thousand). Both are the same method; the
  trajectories differ slightly in the first steps.
- ``solver="sgd"`` -> ``optimizer="momentum"`` (the course's momentum,
  ``v = momentum * v + (1 - momentum) * g; W -= lr * v``) when ``momentum > 0``, else plain
  gradient descent (``"gd"``). scikit-learn's momentum is the classical ``v = momentum * v -
  lr * g`` (with Nesterov's correction by default), whose steady-state step is ``1 / (1 -
  momentum)`` times larger: use ``learning_rate_init / (1 - momentum)`` for a comparable
  step size. There is no Nesterov variant and no learning-rate schedule (scikit-learn's
  ``learning_rate="constant"``).
- Initialisation: Glorot-uniform weights, bound ``sqrt(6 / (fan_in + fan_out))``, drawn from
  ``RandomState(seed)`` layer by layer in fastnn's ``(n_out, n_in)`` order; biases start at
  zero. scikit-learn also draws the biases (and uses the bound ``sqrt(2 / ...)`` for
  ``activation="logistic"``), so the same ``random_state`` does not give scikit-learn's
  numbers.
- ``random_state``: an int is the network's seed (weights, the shuffles, dropout); a
  ``RandomState`` or ``None`` (NumPy's global generator) gives a seed drawn from it at every
  fit. Epoch ``e`` shuffles with ``RandomState(seed + e).permutation(n)``.
- ``batch_size="auto"`` is ``min(200, n_samples)``; a batch covering the data set trains
  full-batch (one step per epoch on ``X`` itself).
- fastnn's own parameters: ``dtype`` and ``keep_prob`` (inverted dropout on the hidden
  layers during training), and for the classifier ``class_weight``.

dtype. ``dtype=None`` (the default) computes in X's float dtype: float32 input stays
float32, anything else becomes float64, which is scikit-learn's convention. This is a
departure from fastnn's speed-first habits, made on purpose: scikit-learn's checks compare a
weighted fit with a fit on repeated rows at ``rtol=1e-7``
(``check_sample_weight_equivalence_*``), which float32 arithmetic cannot meet (measured
~1e-6), and no check may be waived. ``dtype="float32"`` or ``"float64"`` forces one (float32
fits ran 1.6 times as fast in ``benchmarks/sklearn_rows.py``). Predictions are in the model's
dtype.

Sample and class weights. ``fit(X, y, sample_weight)`` minimises scikit-learn's (>= 1.7)
objective ``sum_i s_i loss_i / sum_i s_i + alpha / (2 sum_i s_i) ||W||^2`` per batch. Weights
must be >= 0 and not all zero. Rows of weight 0 are removed before batching, so a weight of 0
is exactly a dropped row at every batch size (scikit-learn keeps them in its batches, where
they only take room; they are not counted in ``t_`` here). Integer weights equal repeated
rows when training is full-batch (``batch_size >= n_samples``, as in the checks). The
classifier's ``class_weight`` (``None``, ``"balanced"`` or ``{label: weight}``) multiplies
the sample weights as ``LogisticRegression`` does: ``"balanced"`` is ``sum(s) / (n_classes *
weighted count of the class)`` (a class whose rows all weigh 0 gets weight 0), a dict's
missing labels get 1; ``partial_fit`` refuses ``"balanced"``, as scikit-learn's
``SGDClassifier`` does (pass the weights of all the data as a dict). ``loss_`` is the epoch's
mean objective, each batch weighted by its weight sum (scikit-learn weighs by row count: the
same value unweighted or full-batch).

Stopping, as scikit-learn's stochastic solvers. Without ``early_stopping`` training stops
when the training loss has not improved by ``tol`` for more than ``n_iter_no_change``
consecutive epochs (a callback of the compiled fit; when it cannot trigger before
``max_iter``, e.g. ``n_iter_no_change >= max_iter``, the fit runs as one compiled call). With
``early_stopping=True``, ``validation_fraction`` of the data is held out (a seeded split,
stratified by class for single-label classification when every class can be represented;
scikit-learn's code stratifies binary problems only) and training stops on the validation
score (accuracy / R^2, weighted) by the same rule, keeping the best epoch's parameters.
``ConvergenceWarning`` when ``max_iter`` epochs run without the rule triggering.

Other differences from scikit-learn: no ``solver="lbfgs"``, ``learning_rate`` schedules,
``power_t``, ``nesterovs_momentum``, ``warm_start``, ``max_fun`` or ``loss="poisson"``;
sparse ``X`` is accepted and densified (the kernels are dense). For several regression
targets ``loss_`` is ``0.5 * mean over samples of the squared error summed over targets``,
the objective whose gradient both libraries follow (scikit-learn reports the mean over
targets instead, scikit-learn issue #8349). ``partial_fit`` runs one epoch per call (and sets
``n_iter_ = 1``, as scikit-learn does), continuing the optimizer state and the epoch count.
Like scikit-learn's, the classifier has no ``decision_function``.
"""

import copy
import math
import numbers
import warnings

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import r2_score
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state
    from sklearn.utils.class_weight import compute_class_weight
    from sklearn.utils.multiclass import type_of_target, unique_labels
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError(
        "fastnn.sklearn needs scikit-learn >= 1.6: pip install 'fastnn[sklearn]'"
    ) from exc

from .network import DeepNetwork

__all__ = ["MLPClassifier", "MLPRegressor"]

#: scikit-learn's activation names -> DeepNetwork's hidden activations.
_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "identity": "identity"}
_SOLVERS = ("adam", "sgd")


def _describe(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _real(value, name, low, high, low_open=False, high_open=False):
    """A real number (not a bool) in the interval; ``ValueError`` naming the parameter."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            high is None or (value < high if high_open else value <= high))
    if not ok:
        lo = "(" if low_open else "["
        hi = ")" if high_open or high is None else "]"
        raise ValueError(f"{name}: expected a real number in {lo}{low}, {'inf' if high is None else high}{hi}, "
                         f"got {_describe(value)}")
    return float(value)


def _integer(value, name, low):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name}: expected an integer >= {low}, got {_describe(value)}")
    return int(value)


def _boolean(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name}: expected True or False, got {_describe(value)}")
    return bool(value)


class _NoImprovement:
    """scikit-learn's stopping count (``_update_no_improvement_count``): on a loss, an epoch
    counts as "no improvement" when ``loss > best - tol``; on a score, when ``score < best +
    tol``. Training stops once the count exceeds ``n_iter_no_change``."""

    def __init__(self, tol, patience, count=0, best=None, higher_is_better=False):
        self.tol, self.patience, self.count = tol, patience, count
        self.higher = higher_is_better
        self.best = (-np.inf if higher_is_better else np.inf) if best is None else best
        self.improved = False

    def update(self, value):
        """Record one epoch's value; True when training should stop."""
        if self.higher:
            self.count = self.count + 1 if value < self.best + self.tol else 0
            self.improved = value > self.best
        else:
            self.count = self.count + 1 if value > self.best - self.tol else 0
            self.improved = value < self.best
        if self.improved:
            self.best = value
        return self.count > self.patience


class _BaseMLP(BaseEstimator):
    """What both estimators share: parameter checks, the mapping onto ``DeepNetwork``, the
    training drivers (one compiled fit, a stopping callback, or epoch by epoch with early
    stopping) and the forward pass."""

    _IS_CLASSIFIER = False

    # ------------------------------------------------------------------ parameters

    def _checked_params(self):
        """Every hyper-parameter checked (``ValueError`` naming it); a dict of the normalised
        values. Parameters are never rebound: ``hidden_layer_sizes`` is normalised locally."""
        hidden = self.hidden_layer_sizes
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            hidden = [hidden]
        try:
            hidden = list(hidden)
        except TypeError:
            raise ValueError(f"hidden_layer_sizes: expected a positive integer or a sequence of them, "
                             f"got {_describe(self.hidden_layer_sizes)}") from None
        for n in hidden:
            if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n <= 0:
                raise ValueError(f"hidden_layer_sizes must be > 0, got {_describe(self.hidden_layer_sizes)}.")
        hidden = [int(n) for n in hidden]
        if not isinstance(self.activation, str) or self.activation not in _ACTIVATIONS:
            raise ValueError(f"activation: expected one of {sorted(_ACTIVATIONS)}, got {_describe(self.activation)}")
        if not isinstance(self.solver, str) or self.solver not in _SOLVERS:
            raise ValueError(f"solver: expected 'adam' or 'sgd' (fastnn has no 'lbfgs'), got {_describe(self.solver)}")
        p = {"hidden": hidden}
        p["alpha"] = _real(self.alpha, "alpha", 0, None)
        if isinstance(self.batch_size, str):
            if self.batch_size != "auto":
                raise ValueError(f"batch_size: expected 'auto' or an integer >= 1, got {_describe(self.batch_size)}")
            p["batch_size"] = "auto"
        else:
            p["batch_size"] = _integer(self.batch_size, "batch_size", 1)
        p["lr"] = _real(self.learning_rate_init, "learning_rate_init", 0, None, low_open=True)
        p["max_iter"] = _integer(self.max_iter, "max_iter", 1)
        p["shuffle"] = _boolean(self.shuffle, "shuffle")
        p["tol"] = _real(self.tol, "tol", 0, None)
        p["momentum"] = _real(self.momentum, "momentum", 0, 1, high_open=True)
        p["early_stopping"] = _boolean(self.early_stopping, "early_stopping")
        p["validation_fraction"] = _real(self.validation_fraction, "validation_fraction", 0, 1, True, True)
        p["beta_1"] = _real(self.beta_1, "beta_1", 0, 1, high_open=True)
        p["beta_2"] = _real(self.beta_2, "beta_2", 0, 1, high_open=True)
        p["epsilon"] = _real(self.epsilon, "epsilon", 0, None, low_open=True)
        p["n_iter_no_change"] = _integer(self.n_iter_no_change, "n_iter_no_change", 1)
        p["keep_prob"] = _real(self.keep_prob, "keep_prob", 0, 1, low_open=True)
        if self.dtype is None:
            p["dtype"] = None
        else:
            try:
                dt = np.dtype(self.dtype)
            except TypeError:
                dt = None
            if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
                raise ValueError(f"dtype: expected None, 'float64' or 'float32', got {_describe(self.dtype)}")
            p["dtype"] = dt
        if not (isinstance(self.verbose, (bool, np.bool_, numbers.Integral))):
            raise ValueError(f"verbose: expected a bool or an integer, got {_describe(self.verbose)}")
        check_random_state(self.random_state)  # raises for anything else than None/int/RandomState
        if isinstance(self.random_state, numbers.Integral) and not 0 <= self.random_state < 2**32:
            raise ValueError(f"random_state: expected an integer in [0, 2**32), got {self.random_state}")
        return p

    def _seed(self):
        """The network's seed: ``random_state`` itself when an int, else drawn from it."""
        if isinstance(self.random_state, numbers.Integral):
            return int(self.random_state)
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    def _network(self, p, dims, output, seed, dtype, batch, first_layer="auto"):
        """The ``DeepNetwork`` these parameters describe (see the module notes)."""
        if self.solver == "adam":
            optimizer = "adam"
        else:
            optimizer = "momentum" if p["momentum"] > 0 else "gd"
        return DeepNetwork(
            dims, hidden_activation=_ACTIVATIONS[self.activation], init="glorot", seed=seed,
            learning_rate=p["lr"], n_iterations=p["max_iter"], record_every=1, dtype=dtype.name,
            first_layer=first_layer, optimizer=optimizer, beta=p["momentum"], beta1=p["beta_1"],
            beta2=p["beta_2"], epsilon=p["epsilon"], batch_size=batch, shuffle=p["shuffle"], l2=p["alpha"],
            keep_prob=p["keep_prob"], output=output,
        )

    @staticmethod
    def _batch(p, n):
        """DeepNetwork's ``batch_size`` for ``n`` training rows (``None``: full batch)."""
        if p["batch_size"] == "auto":
            b = min(200, n)
        else:
            b = p["batch_size"]
            if b > n:
                warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
            b = min(b, n)
        return None if b >= n else b

    # ------------------------------------------------------------------ fitting

    def _fit(self, X, y, sample_weight=None, incremental=False):
        p = self._checked_params()
        if incremental and p["early_stopping"]:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not incremental or not hasattr(self, "coefs_")
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if hasattr(X, "toarray"):  # sparse: the kernels are dense
            X = X.toarray()
        if first_pass:
            dtype = p["dtype"] if p["dtype"] is not None else X.dtype
        else:
            dtype = self.coefs_[0].dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True,
                                                 copy=True)
        Y, output, n_outputs, labels = self._targets(y)
        sample_weight = self._class_weighted(y, labels, sample_weight, incremental)
        if sample_weight is not None:
            keep = sample_weight > 0
            if not keep.any():
                raise ValueError("Sample weights (times the class weights) must contain at least one non-zero number.")
            if not keep.all():  # a weight of 0 is a dropped row, whatever the batch size
                X, Y, sample_weight = X[keep], Y[:, keep], sample_weight[keep]
                labels = labels[keep] if labels is not None else None

        if first_pass:
            self.n_outputs_ = n_outputs
            self.out_activation_ = {"sigmoid": "logistic", "softmax": "softmax", "identity": "identity"}[output]
            dims = [X.shape[1], *p["hidden"], n_outputs]
            self.n_layers_ = len(dims)
            self.n_iter_ = 0
            self.t_ = 0
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if p["early_stopping"]:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
            else:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = None, None, np.inf
        else:
            dims = [X.shape[1], *(c.shape[1] for c in self.coefs_)]

        try:
            if incremental:
                net = self._partial_fit_epoch(p, X, Y, sample_weight, dims, output, dtype, first_pass)
            elif p["early_stopping"]:
                net = self._fit_early_stopping(p, X, Y, sample_weight, labels, dims, output, dtype)
            else:
                net = self._fit_training_loss(p, X, Y, sample_weight, dims, output, dtype)
        except FloatingPointError as exc:
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain large values and "
                f"need to be preprocessed. (fastnn: {exc})"
            ) from exc
        return self

    def _store(self, net):
        """Take the network's parameters in scikit-learn's layout; the network then reads
        them back through views (one copy of the weights, pickled once)."""
        params = net.parameters_
        L = len(params) // 2
        self.coefs_ = [np.ascontiguousarray(params[f"W{l}"].T) for l in range(1, L + 1)]
        self.intercepts_ = [np.array(params[f"b{l}"]).ravel() for l in range(1, L + 1)]
        net.parameters_ = self._parameter_views()
        self._net = net

    def _parameter_views(self):
        """``{"W1", "b1", ...}`` in fastnn's layout, as views of ``coefs_``/``intercepts_``."""
        params = {}
        for l, (W, b) in enumerate(zip(self.coefs_, self.intercepts_), 1):
            params[f"W{l}"] = np.asarray(W).T
            params[f"b{l}"] = np.asarray(b).reshape(-1, 1)
        return params

    def _fit_training_loss(self, p, X, Y, w, dims, output, dtype):
        """``fit`` without early stopping: one compiled fit, with a per-epoch callback for
        the stopping rule when it can trigger before ``max_iter``."""
        net = self._network(p, dims, output, self._seed(), dtype, self._batch(p, X.shape[0]))
        stop = _NoImprovement(p["tol"], p["n_iter_no_change"])
        verbose = bool(self.verbose)

        def callback(epoch, cost):
            if verbose:
                print("Iteration %d, loss = %.8f" % (epoch + 1, cost))
            return stop.update(cost)

        # The count can exceed n_iter_no_change after epoch k only if k >= n_iter_no_change + 2
        # (the first epoch always improves on +inf); stopping before the last epoch needs
        # k <= max_iter - 1. Otherwise no callback: the fit is one compiled call.
        can_stop = p["n_iter_no_change"] <= p["max_iter"] - 3
        interrupted = False
        try:
            net.fit(X.T, Y, sample_weight=w, callback=callback if (can_stop or verbose) else None)
        except KeyboardInterrupt:
            interrupted = True
            warnings.warn("Training interrupted by user.")
        costs = [float(c) for c in net.costs_]
        replay = _NoImprovement(p["tol"], p["n_iter_no_change"])
        stopped = False
        for c in costs:
            stopped = replay.update(c)
        self._record(net, costs, X.shape[0])
        self.best_loss_ = float(replay.best) if costs else np.inf
        self._no_improvement_count = replay.count
        if not stopped and not interrupted and net.n_iter_ == p["max_iter"]:
            self._convergence_warning(p)
        return net

    def _fit_early_stopping(self, p, X, Y, w, labels, dims, output, dtype):
        """``fit`` with early stopping: epoch by epoch (``DeepNetwork.partial_fit``), the
        validation score after each, the best epoch's parameters kept."""
        seed = self._seed()
        n = X.shape[0]
        n_val = math.ceil(p["validation_fraction"] * n)
        stratify = None
        if labels is not None:
            present, counts = np.unique(labels, return_counts=True)
            if counts.min() >= 2 and n_val >= present.size and n - n_val >= present.size:
                stratify = labels
        idx = np.arange(n)
        if n - n_val >= 1 and n_val >= 1:
            train, val = train_test_split(idx, test_size=p["validation_fraction"],
                                          random_state=np.random.RandomState(seed), stratify=stratify)
        else:
            train, val = idx, idx[:0]
        if val.size < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of "
                             "your dataset.")
        train, val = np.sort(train), np.sort(val)
        X_tr, Y_tr = np.ascontiguousarray(X[train]), np.ascontiguousarray(Y[:, train])
        X_val, Y_val = np.ascontiguousarray(X[val]), Y[:, val]
        w_tr = None if w is None else w[train]
        w_val = None if w is None else w[val]
        net = self._network(p, dims, output, seed, dtype, self._batch(p, X_tr.shape[0]), first_layer="direct")
        stop = _NoImprovement(p["tol"], p["n_iter_no_change"], higher_is_better=True)
        best = None
        stopped = interrupted = False
        costs = []
        try:
            for _ in range(p["max_iter"]):
                net.partial_fit(X_tr.T, Y_tr, sample_weight=w_tr)
                costs.append(float(net.costs_[-1]))
                if self.verbose:
                    print("Iteration %d, loss = %.8f" % (len(costs), costs[-1]))
                score = self._validation_score(net, X_val, Y_val, w_val)
                self.validation_scores_.append(score)
                if self.verbose:
                    print("Validation score: %f" % score)
                stopped = stop.update(score)
                if stop.improved or best is None:
                    best = {k: np.array(v) for k, v in net.parameters_.items()}
                if stopped:
                    break
        except KeyboardInterrupt:
            interrupted = True
            warnings.warn("Training interrupted by user.")
        n_iter = net.n_iter_ if hasattr(net, "n_iter_") else 0
        if best is not None:
            net.parameters_ = best
        if not hasattr(net, "parameters_"):
            raise KeyboardInterrupt  # interrupted before the first epoch: nothing to keep
        self._record(net, costs, X_tr.shape[0], n_iter)
        self.best_validation_score_ = float(stop.best)
        self._no_improvement_count = stop.count
        if not stopped and not interrupted and n_iter == p["max_iter"]:
            self._convergence_warning(p)
        return net

    def _partial_fit_epoch(self, p, X, Y, w, dims, output, dtype, first_pass):
        """``partial_fit``: one more epoch from the current parameters and optimizer state."""
        if first_pass:
            net = self._network(p, dims, output, self._seed(), dtype, self._batch(p, X.shape[0]),
                                first_layer="direct")
        else:
            net = self._net
            net.parameters_ = self._parameter_views()  # honours coefs_ set by the user
            net.l2, net.keep_prob, net.shuffle = p["alpha"], p["keep_prob"], p["shuffle"]
            net.batch_size = self._batch(p, X.shape[0])
        net.partial_fit(X.T, Y, sample_weight=w)
        cost = float(net.costs_[-1])
        if self.verbose:
            print("Iteration %d, loss = %.8f" % (1, cost))
        self._record(net, self.loss_curve_ + [cost], X.shape[0], 1, t_before=self.t_)
        stop = _NoImprovement(p["tol"], p["n_iter_no_change"], self._no_improvement_count, self.best_loss_)
        stop.update(cost)
        self.best_loss_, self._no_improvement_count = float(stop.best), stop.count
        return net

    def _record(self, net, curve, n_train, n_iter=None, t_before=0):
        self._store(net)
        n_iter = net.n_iter_ if n_iter is None else n_iter
        self.loss_curve_ = list(curve)
        self.loss_ = float(curve[-1]) if curve else np.nan
        self.n_iter_ = int(n_iter)
        self.t_ = int(t_before + n_iter * n_train)

    def _convergence_warning(self, p):
        warnings.warn(
            "Stochastic Optimizer: Maximum iterations (%d) reached and the optimization hasn't converged yet."
            % p["max_iter"],
            ConvergenceWarning,
        )

    # ------------------------------------------------------------------ prediction

    def _forward(self, X):
        """The output layer ``(n_samples, n_outputs)`` for validated ``X``, in the model's
        dtype, computed from ``coefs_`` / ``intercepts_`` (changes to them take effect)."""
        if hasattr(X, "toarray"):
            X = X.toarray()
        net = copy.copy(self._net)  # shallow: predict never modifies the estimator
        net.parameters_ = self._parameter_views()
        out = net.predict(X.T) if self.out_activation_ == "identity" else net.predict_proba(X.T)
        return np.ascontiguousarray(out.T)

    def __getstate__(self):
        state = super().__getstate__()
        net = state.get("_net")
        if net is not None:  # its parameters are views of coefs_: pickle the weights once
            net = copy.copy(net)
            net.__dict__.pop("parameters_", None)
            state["_net"] = net
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden activation.
    solver : {"adam", "sgd"}, default="adam"
        ``"sgd"`` with ``momentum > 0`` is the course's momentum (see the module notes).
    alpha : float, default=1e-4
        L2 penalty, ``alpha / (2 m_b) * sum ||W||^2`` per batch of weight sum ``m_b``.
    batch_size : int or "auto", default="auto"
        ``"auto"``: ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
    max_iter : int, default=200
        Epochs.
    shuffle : bool, default=True
        Shuffle the rows every epoch.
    random_state : int, RandomState or None, default=None
    tol : float, default=1e-4
    verbose : bool, default=False
        Print the loss after every epoch.
    momentum : float, default=0.9
        In [0, 1); ``solver="sgd"`` only.
    early_stopping : bool, default=False
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's coefficients.
    n_iter_no_change : int, default=10
    dtype : {None, "float64", "float32"}, default=None
        Compute dtype; ``None``: X's float dtype (float32 stays float32, anything else
        float64), scikit-learn's convention (see the module notes).
    keep_prob : float, default=1.0
        Inverted dropout on the hidden layers during training (1: off).
"""

_ATTRIBUTES_DOC = """
    Attributes
    ----------
    loss_ : float
        The last epoch's mean objective (loss plus L2 term).
    best_loss_ : float or None
        The lowest ``loss_`` reached (``None`` with early stopping).
    loss_curve_ : list of float
        ``loss_`` of every epoch.
    validation_scores_ : list of float or None
        With early stopping: the validation score after every epoch.
    best_validation_score_ : float or None
    t_ : int
        Training rows seen (rows times epochs).
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(n_units_i, n_units_{i+1})`` (the transpose of fastnn's
        ``W``).
    intercepts_ : list of ndarray
        ``intercepts_[i]`` has shape ``(n_units_{i+1},)``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        With a pandas DataFrame ``X`` whose columns are strings.
    n_iter_ : int
        Epochs run by the last ``fit`` (1 after ``partial_fit``).
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
        ``"logistic"``, ``"softmax"`` or ``"identity"``.
"""


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron classifier trained by fastnn (drop-in for
    ``sklearn.neural_network.MLPClassifier`` with ``solver="adam"`` or ``"sgd"``).

    Binary, multiclass and multilabel (indicator ``y``) classification with any hashable
    labels. See :mod:`fastnn.sklearn` for how it maps onto :class:`fastnn.DeepNetwork` and
    where it differs from scikit-learn's.
""" + _PARAMS_DOC + """    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplying the sample weights as ``LogisticRegression``'s
        do (not for multilabel ``y``; ``"balanced"`` not in ``partial_fit``).
""" + _ATTRIBUTES_DOC + """    classes_ : ndarray
        The class labels (for multilabel ``y``: ``arange(n_labels)``).
    """

    _IS_CLASSIFIER = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        class_weight=None,
        dtype=None,
        keep_prob=1.0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.dtype = dtype
        self.keep_prob = keep_prob

    def fit(self, X, y, sample_weight=None):
        """Train from freshly initialised parameters.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels (any hashable values), or a multilabel indicator matrix.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One more epoch over ``(X, y)`` from the current parameters.

        Parameters
        ----------
        X, y, sample_weight
            As for :meth:`fit`.
        classes : array-like of shape (n_classes,), default=None
            Every class of all calls; required on the first call.

        Returns
        -------
        self
        """
        if not hasattr(self, "classes_"):
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
            self.classes_ = self._label_binarizer.classes_
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(f"`classes={classes!r}` is not the same as on the first call to partial_fit, "
                             f"was: {self.classes_!r}")
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not incremental:
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            new = np.setdiff1d(unique_labels(y), self.classes_, assume_unique=True)
            if len(new):
                raise ValueError(f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. "
                                 f"'y' has {unique_labels(y)}.")
        return X, y

    def _targets(self, y):
        """``(Y for DeepNetwork, output, n_outputs, class index per row or None)``."""
        lb = self._label_binarizer
        Yb = lb.transform(y)
        if lb.y_type_ == "multiclass":
            labels = np.argmax(Yb, axis=1).astype(np.int64)
            return labels.reshape(1, -1), "softmax", Yb.shape[1], labels
        Yb = np.asarray(Yb)
        labels = Yb[:, 0].astype(np.int64) if lb.y_type_ == "binary" else None
        return np.ascontiguousarray(Yb.T, dtype=np.int8), "sigmoid", Yb.shape[1], labels

    def _class_weighted(self, y, labels, sample_weight, incremental):
        """Sample weights times the class weights (as ``LogisticRegression``); a new array."""
        cw = self.class_weight
        if cw is None:
            return sample_weight
        if labels is None:
            raise ValueError("class_weight is not supported for multilabel targets")
        if isinstance(cw, str):
            if cw != "balanced":
                raise ValueError(f"class_weight: expected None, 'balanced' or a dict, got {cw!r}")
            if incremental:
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit: compute the weights once with "
                    "sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, y=y) and pass "
                    "them as a dict."
                )
        elif isinstance(cw, dict):
            unknown = [k for k in cw if k not in set(self.classes_.tolist())]
            if unknown:
                raise ValueError(f"The given class_weight dict must have the class labels as keys; "
                                 f"classes={self.classes_} but key={list(cw)}")
        else:
            raise ValueError(f"class_weight: expected None, 'balanced' or a dict, got {_describe(cw)}")
        sw = np.ones(labels.size) if sample_weight is None else sample_weight
        classes = self.classes_
        if isinstance(cw, str):  # "balanced", from the classes present (weighted counts)
            present = np.unique(labels)
            with np.errstate(divide="ignore", invalid="ignore"):
                per = compute_class_weight("balanced", classes=np.arange(present.size),
                                           y=np.searchsorted(present, labels), sample_weight=sw)
            per = np.where(np.isfinite(per), per, 0.0)  # a class of total weight 0 gets weight 0
            weights = np.zeros(classes.size)
            weights[present] = per
        else:
            weights = np.asarray(compute_class_weight(cw, classes=classes, y=classes[labels]), dtype=np.float64)
        return sw * weights[labels]

    def _validation_score(self, net, X_val, Y_val, w_val):
        """Accuracy (of whole label rows for multilabel) on the held-out rows, weighted."""
        A = net.predict_proba(X_val.T)
        if self.out_activation_ == "softmax":  # Y_val: the label row
            hit = np.argmax(A, axis=0) == Y_val[0]
        else:
            hit = np.all((A > 0.5) == (Y_val > 0.5), axis=0)
        if not np.isfinite(A).all():
            return np.nan
        return float(np.average(hit, weights=w_val))

    def predict(self, X):
        """Class labels: ``classes_[argmax]``, ``p > 0.5`` for two classes, an indicator
        matrix (int) for multilabel.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_labels)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        proba = self._forward(X)
        if self.n_outputs_ == 1:
            proba = proba.ravel()
        return self._label_binarizer.inverse_transform(proba)

    def predict_proba(self, X):
        """Class probabilities, columns in the order of ``classes_`` (``(n, 2)`` for two
        classes; independent label probabilities for multilabel).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        proba = self._forward(X)
        if self.n_outputs_ == 1:
            p = proba.ravel()
            return np.ascontiguousarray(np.vstack([1 - p, p]).T)
        return proba

    def predict_log_proba(self, X):
        """``np.log(predict_proba(X))``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron regressor trained by fastnn (drop-in for
    ``sklearn.neural_network.MLPRegressor`` with ``solver="adam"`` or ``"sgd"``): identity
    outputs (one per target), squared error ``0.5 * mean((y_pred - y)**2)``.

    See :mod:`fastnn.sklearn` for how it maps onto :class:`fastnn.DeepNetwork` and where it
    differs from scikit-learn's.

    Parameters
    ----------
    loss : {"squared_error"}, default="squared_error"
        The only loss (scikit-learn's first positional parameter, kept for drop-in use).
""" + _PARAMS_DOC.split("----------\n", 1)[1] + _ATTRIBUTES_DOC

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        momentum=0.9,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        dtype=None,
        keep_prob=1.0,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.momentum = momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype
        self.keep_prob = keep_prob

    def _checked_params(self):
        if self.loss != "squared_error":
            raise ValueError(f"loss: fastnn's MLPRegressor has 'squared_error' only, got {_describe(self.loss)}")
        return super()._checked_params()

    def fit(self, X, y, sample_weight=None):
        """Train from freshly initialised parameters.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights, not all zero.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X, y, sample_weight=None):
        """One more epoch over ``(X, y)`` from the current parameters (the first call
        initialises them).

        Parameters
        ----------
        X, y, sample_weight
            As for :meth:`fit`.

        Returns
        -------
        self
        """
        return self._fit(X, y, sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    def _targets(self, y):
        Y = y.reshape(1, -1) if y.ndim == 1 else y.T
        return Y, "identity", Y.shape[0], None

    def _class_weighted(self, y, labels, sample_weight, incremental):
        return sample_weight

    def _validation_score(self, net, X_val, Y_val, w_val):
        """R^2 of the held-out rows (averaged over targets), weighted."""
        pred = net.predict(X_val.T)
        if not np.isfinite(pred).all():
            return np.nan
        return float(r2_score(Y_val.T, pred.T, sample_weight=w_val))

    def predict(self, X):
        """Predicted values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        out = self._forward(X)
        return out.ravel() if out.shape[1] == 1 else out
