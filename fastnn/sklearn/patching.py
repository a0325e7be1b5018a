"""Patching scikit-learn, as its accelerators do, and converting fitted models both ways.

:func:`patch_sklearn` puts fastnn's estimators in ``sklearn.neural_network`` (and in its
``_multilayer_perceptron`` module), so that code which imports ``MLPClassifier`` /
``MLPRegressor`` from there afterwards gets fastnn's; :func:`unpatch_sklearn` restores
scikit-learn's. ``python -m fastnn.sklearn script.py [args]`` runs a script so patched.
A name imported before the patch keeps what it was bound to.
"""

import copy

import sklearn.neural_network as _nn
import sklearn.neural_network._multilayer_perceptron as _mlp

from .estimators import MLPClassifier, MLPRegressor

_ORIGINAL = {"MLPClassifier": _mlp.MLPClassifier, "MLPRegressor": _mlp.MLPRegressor}
_FASTNN = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
#: fastnn's parameters that scikit-learn's estimators do not have, with their defaults.
FASTNN_ONLY = {"class_weight": None, "dtype": None, "keep_prob": 1.0}
#: Fitted attributes carried over by the conversions (those present).
_FITTED = ("coefs_", "intercepts_", "n_layers_", "n_outputs_", "out_activation_", "classes_", "_label_binarizer",
           "n_features_in_", "feature_names_in_", "loss_", "loss_curve_", "best_loss_", "validation_scores_",
           "best_validation_score_", "n_iter_", "t_", "_no_improvement_count", "_best_coefs", "_best_intercepts")


def patch_sklearn():
    """Make ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` fastnn's.

    Code that imports them afterwards (``from sklearn.neural_network import
    MLPClassifier``) trains with fastnn: the same models, faster.
    """
    for module in (_nn, _mlp):
        for name, cls in _FASTNN.items():
            setattr(module, name, cls)


def unpatch_sklearn():
    """Restore scikit-learn's own ``MLPClassifier`` / ``MLPRegressor``."""
    for module in (_nn, _mlp):
        for name, cls in _ORIGINAL.items():
            setattr(module, name, cls)


def sklearn_is_patched():
    """True while :func:`patch_sklearn` is in effect."""
    return _nn.MLPClassifier is MLPClassifier


def to_sklearn(estimator):
    """A genuine ``sklearn.neural_network`` estimator with ``estimator``'s parameters and
    fitted state (copies). fastnn's own parameters must be at their defaults (scikit-learn
    has no dropout; class weights are already in the fitted weights, and are dropped)."""
    kind = "MLPClassifier" if isinstance(estimator, MLPClassifier) else "MLPRegressor"
    params = estimator.get_params(deep=False)
    if params.get("keep_prob", 1.0) != 1.0:
        raise ValueError("to_sklearn: keep_prob must be 1.0 (scikit-learn's MLP has no dropout), "
                         f"got {params['keep_prob']!r}")
    for name in FASTNN_ONLY:
        params.pop(name, None)
    out = _ORIGINAL[kind](**params)
    _copy_fitted(estimator, out)
    return out


def from_sklearn(estimator, cls=None):
    """A fastnn estimator with a scikit-learn ``MLPClassifier`` / ``MLPRegressor``'s
    parameters and fitted state (copies)."""
    if cls is None:
        cls = MLPClassifier if isinstance(estimator, _ORIGINAL["MLPClassifier"]) else MLPRegressor
    params = estimator.get_params(deep=False)
    if cls is MLPClassifier:
        params.pop("loss", None)
    out = cls(**params)
    _copy_fitted(estimator, out)
    return out


def _copy_fitted(src, dst):
    for name in _FITTED:
        if name in src.__dict__:
            setattr(dst, name, copy.deepcopy(src.__dict__[name]))
