"""Patching scikit-learn, as its accelerators do.

:func:`patch_sklearn` puts fastnn's estimators in ``sklearn.neural_network`` (and in its
``_multilayer_perceptron`` module), so that code which imports ``MLPClassifier`` /
``MLPRegressor`` from there afterwards gets fastnn's; :func:`unpatch_sklearn` restores
scikit-learn's. ``python -m fastnn.sklearn script.py [args]`` runs a script so patched.
A name imported before the patch keeps what it was bound to.
"""

import sklearn.neural_network as _nn
import sklearn.neural_network._multilayer_perceptron as _mlp

from .conversion import SKLEARN_CLASSES, from_sklearn_as
from .estimators import MLPClassifier, MLPRegressor

_FASTNN = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}


def patch_sklearn():
    """Make ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` fastnn's.

    Code that imports them afterwards (``from sklearn.neural_network import
    MLPClassifier``) trains with fastnn: the same models, faster.

    Examples
    --------
    >>> import fastnn.sklearn
    >>> fastnn.sklearn.patch_sklearn()
    >>> from sklearn.neural_network import MLPClassifier
    >>> MLPClassifier is fastnn.sklearn.MLPClassifier
    True
    >>> fastnn.sklearn.unpatch_sklearn()
    >>> from sklearn.neural_network import MLPClassifier
    >>> MLPClassifier is fastnn.sklearn.MLPClassifier
    False
    """
    for module in (_nn, _mlp):
        for name, cls in _FASTNN.items():
            setattr(module, name, cls)


def unpatch_sklearn():
    """Restore scikit-learn's own ``MLPClassifier`` / ``MLPRegressor``."""
    for module in (_nn, _mlp):
        for name, cls in SKLEARN_CLASSES.items():
            setattr(module, name, cls)


def sklearn_is_patched():
    """True while :func:`patch_sklearn` is in effect."""
    return _nn.MLPClassifier is MLPClassifier


def from_sklearn(estimator):
    """fastnn's estimator with a scikit-learn ``MLPClassifier`` / ``MLPRegressor``'s
    parameters and fitted state (copies; see :func:`fastnn.sklearn.conversion.from_sklearn_as`).

    Parameters
    ----------
    estimator : sklearn.neural_network.MLPClassifier or MLPRegressor

    Returns
    -------
    fastnn.sklearn.MLPClassifier or MLPRegressor
    """
    cls = MLPClassifier if isinstance(estimator, SKLEARN_CLASSES["MLPClassifier"]) else MLPRegressor
    return from_sklearn_as(estimator, cls)
