"""A fitted model converted both ways between fastnn's estimators and scikit-learn's own
(``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor``): the same parameters and
fitted attributes (copies), so the same predictions."""

import copy

import sklearn.neural_network._multilayer_perceptron as _mlp
from sklearn.base import is_classifier

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
    return out


def from_sklearn_as(estimator, cls):
    """An estimator of fastnn's class ``cls`` with a scikit-learn estimator's parameters and
    fitted state (copies); the optimizer's state is not carried (a ``partial_fit`` after it
    starts a new one, as ``fit`` would)."""
    params = estimator.get_params(deep=False)
    if is_classifier(estimator):
        params.pop("loss", None)
    out = cls(**params)
    copy_fitted(estimator, out)
    return out


def copy_fitted(src, dst):
    """Deep copies of ``src``'s fitted attributes (:data:`FITTED`) onto ``dst``."""
    for name in FITTED:
        if name in src.__dict__:
            setattr(dst, name, copy.deepcopy(src.__dict__[name]))
