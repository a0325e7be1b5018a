"""A fitted model converted both ways between fastnn's estimators and scikit-learn's own
(``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor``): the same parameters, fitted
attributes and optimizer state (copies), so the same predictions, and a ``partial_fit`` or
``warm_start`` fit that continues as the original would."""

import copy

import numpy as np
import sklearn.neural_network._multilayer_perceptron as _mlp
from sklearn.base import is_classifier
from sklearn.neural_network._stochastic_optimizers import AdamOptimizer, SGDOptimizer

from . import _network as net
from .stochastic import SolverState

#: scikit-learn's own estimators (read once, before any patching).
SKLEARN_CLASSES = {"MLPClassifier": _mlp.MLPClassifier, "MLPRegressor": _mlp.MLPRegressor}
#: fastnn's parameters that scikit-learn's estimators do not have, with their defaults.
FASTNN_ONLY = {"class_weight": None, "dtype": None, "keep_prob": 1.0}
#: Fitted attributes carried over by the conversions (those present).
FITTED = ("coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_", "classes_", "_label_binarizer",
          "n_features_in_", "feature_names_in_", "loss_", "loss_curve_", "best_loss_", "validation_scores_",
          "best_validation_score_", "n_iter_", "t_", "_no_improvement_count", "_best_coefs", "_best_intercepts")


def to_sklearn(estimator):
    """A genuine ``sklearn.neural_network`` estimator with ``estimator``'s parameters and
    fitted state (copies). fastnn's ``keep_prob`` must be 1 (scikit-learn has no dropout);
    ``class_weight`` and ``dtype`` are dropped (the weights already hold their effect).

    Parameters
    ----------
    estimator : fastnn.sklearn.MLPClassifier or MLPRegressor

    Returns
    -------
    sklearn.neural_network.MLPClassifier or MLPRegressor
    """
    kind = "MLPClassifier" if is_classifier(estimator) else "MLPRegressor"
    params = estimator.get_params(deep=False)
    if params.get("keep_prob", 1.0) != 1.0:
        raise ValueError("to_sklearn: keep_prob must be 1.0 (scikit-learn's MLP has no dropout), "
                         f"got {params['keep_prob']!r}")
    for name in FASTNN_ONLY:
        params.pop(name, None)
    out = SKLEARN_CLASSES[kind](**params)
    copy_fitted(estimator, out)
    state = estimator.__dict__.get("_optimizer")
    if state is not None and hasattr(out, "coefs_"):
        out._optimizer = _sklearn_optimizer(out, state)
    return out


def from_sklearn_as(estimator, cls):
    """An estimator of fastnn's class ``cls`` with a scikit-learn estimator's parameters and
    fitted state, its optimizer's included (copies): ``partial_fit`` continues as
    scikit-learn's would."""
    params = estimator.get_params(deep=False)
    if is_classifier(estimator):
        params.pop("loss", None)
    out = cls(**params)
    copy_fitted(estimator, out)
    opt = estimator.__dict__.get("_optimizer")
    if opt is not None and hasattr(out, "coefs_"):
        out._optimizer = _solver_state(out, opt)
    return out


def _sklearn_optimizer(est, state):
    """scikit-learn's optimizer object holding :class:`~fastnn.sklearn.stochastic.SolverState`
    ``state``, over ``est``'s parameter arrays."""
    layout = net.coefs_layout(est.coefs_)
    params = est.coefs_ + est.intercepts_
    if state.solver == "adam":
        opt = AdamOptimizer(params, est.learning_rate_init, est.beta_1, est.beta_2, est.epsilon)
        opt.t = state.t
        ms, mi = net.sklearn_parameters(layout, state.V)
        vs, vi = net.sklearn_parameters(layout, state.S)
        opt.ms, opt.vs = ms + mi, vs + vi
    else:
        opt = SGDOptimizer(params, est.learning_rate_init, est.learning_rate, est.momentum, est.nesterovs_momentum,
                           est.power_t)
        vc, vi = net.sklearn_parameters(layout, state.V)
        opt.velocities = vc + vi
    opt.learning_rate = state.learning_rate
    return opt


def _solver_state(est, opt):
    """:class:`~fastnn.sklearn.stochastic.SolverState` of scikit-learn's optimizer ``opt``."""
    layout = net.coefs_layout(est.coefs_)
    L = layout.L
    dtype = np.asarray(est.coefs_[0]).dtype
    solver = "adam" if isinstance(opt, AdamOptimizer) else "sgd"
    state = SolverState(solver, opt.learning_rate_init, layout.size, dtype)
    state.learning_rate = float(opt.learning_rate)
    if solver == "adam":
        state.t = int(opt.t)
        state.V = net.flat_parameters(layout, opt.ms[:L], opt.ms[L:], dtype)
        state.S = net.flat_parameters(layout, opt.vs[:L], opt.vs[L:], dtype)
    else:
        state.V = net.flat_parameters(layout, opt.velocities[:L], opt.velocities[L:], dtype)
    return state


def copy_fitted(src, dst):
    """Deep copies of ``src``'s fitted attributes (:data:`FITTED`) onto ``dst``."""
    for name in FITTED:
        if name in src.__dict__:
            setattr(dst, name, copy.deepcopy(src.__dict__[name]))
