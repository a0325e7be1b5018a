"""The estimators' parameters: scikit-learn's declarative constraints (taken from the
installed scikit-learn, so that a bad value is refused with its error type and message) and
fastnn's own three, and the shared parameter documentation."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

try:  # the installed scikit-learn's own table: its checks, its messages
    from sklearn.neural_network._multilayer_perceptron import BaseMultilayerPerceptron as _SkBase

    SKLEARN_CONSTRAINTS = dict(_SkBase._parameter_constraints)
except (ImportError, AttributeError):  # pragma: no cover - scikit-learn 1.9's, written out
    SKLEARN_CONSTRAINTS = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

#: fastnn's own parameters (off by default).
FASTNN_CONSTRAINTS = {
    "dtype": [None, StrOptions({"float32", "float64"}), type, np.dtype],
    "keep_prob": [Interval(Real, 0, 1, closed="right")],
}
CLASSIFIER_CONSTRAINTS = {**SKLEARN_CONSTRAINTS, **FASTNN_CONSTRAINTS,
                          "class_weight": [dict, StrOptions({"balanced"}), None]}
REGRESSOR_CONSTRAINTS = {**SKLEARN_CONSTRAINTS, **FASTNN_CONSTRAINTS,
                         "loss": [StrOptions({"squared_error", "poisson"})]}


def model_dtype(dtype, X_dtype):
    """The dtype a fit computes in: ``dtype`` when set, else X's (float32 or float64)."""
    if dtype is None:
        return np.dtype(X_dtype)
    dt = np.dtype(dtype)
    if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"The 'dtype' parameter must be None, 'float32' or 'float64'. Got {dtype!r} instead.")
    return dt


PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        Units of each hidden layer.
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Hidden activation.
    solver : {"lbfgs", "sgd", "adam"}, default="adam"
        ``"lbfgs"``: SciPy's L-BFGS-B over the whole data set; ``"sgd"``: mini-batch
        gradient descent with (Nesterov's) momentum; ``"adam"``: Kingma and Ba's Adam.
    alpha : float, default=1e-4
        L2 penalty, ``alpha / (2 n_b) * sum ||W||^2`` per batch (``n_b`` its weight sum).
    batch_size : int or "auto", default="auto"
        ``"auto"``: ``min(200, n_samples)``. Not used by ``"lbfgs"``.
    learning_rate : {"constant", "invscaling", "adaptive"}, default="constant"
        ``solver="sgd"`` only: constant; ``learning_rate_init / (t + 1) ** power_t`` after
        ``t`` samples; or divided by 5 each time ``n_iter_no_change`` epochs pass without
        improvement.
    learning_rate_init : float, default=1e-3
    power_t : float, default=0.5
        Exponent of ``"invscaling"``.
    max_iter : int, default=200
        Epochs (stochastic solvers) or iterations (``"lbfgs"``).
    shuffle : bool, default=True
        Reshuffle the rows every epoch.
    random_state : int, RandomState instance or None, default=None
        Initial weights, the shuffles and the early-stopping split, drawn as scikit-learn
        draws them: the same value gives the same model.
    tol : float, default=1e-4
    verbose : bool, default=False
    warm_start : bool, default=False
        Start ``fit`` from the current ``coefs_`` / ``intercepts_``.
    momentum : float, default=0.9
        ``solver="sgd"``: classical momentum, ``v = momentum * v - lr * g``.
    nesterovs_momentum : bool, default=True
        ``solver="sgd"``: Nesterov's correction.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop on its score.
    validation_fraction : float, default=0.1
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's coefficients.
    n_iter_no_change : int, default=10
    max_fun : int, default=15000
        ``solver="lbfgs"``: most loss evaluations.
    dtype : {None, "float32", "float64"}, default=None
        fastnn's: the compute dtype; ``None``: X's (float32 stays float32, anything else
        float64), scikit-learn's convention.
    keep_prob : float, default=1.0
        fastnn's: inverted dropout on the hidden layers during training (1: off; no
        scikit-learn equivalent).
"""

ATTRIBUTES_DOC = """
    Attributes
    ----------
    loss_ : float
        The last epoch's mean objective (loss plus L2 term).
    best_loss_ : float or None
        The lowest ``loss_`` reached (``None`` with early stopping).
    loss_curve_ : list of float
        ``loss_`` of every epoch (stochastic solvers).
    validation_scores_ : list of float or None
        With early stopping: the validation score after every epoch.
    best_validation_score_ : float or None
    t_ : int
        Training rows seen (rows times epochs).
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(n_units_i, n_units_{i+1})``.
    intercepts_ : list of ndarray
        ``intercepts_[i]`` has shape ``(n_units_{i+1},)``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        With a pandas DataFrame ``X`` whose columns are strings.
    n_iter_ : int
        Epochs (or L-BFGS iterations) run by the last ``fit``.
    n_layers_ : int
    n_outputs_ : int
    out_activation_ : str
        ``"logistic"``, ``"softmax"``, ``"identity"`` or ``"exp"``.
"""
