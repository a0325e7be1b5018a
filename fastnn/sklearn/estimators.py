"""``MLPClassifier`` and ``MLPRegressor``: scikit-learn's estimators, trained by fastnn.

The code follows scikit-learn 1.9's ``sklearn/neural_network/_multilayer_perceptron.py``
step for step (the same checks, the same draws from ``random_state``, the same attributes
and messages); the training itself runs in ``stochastic.py`` (compiled epochs) and
``lbfgs.py`` (SciPy over the compiled loss and gradients), the prediction in fastnn's
compiled forward pass.
"""

import functools
from itertools import chain

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

try:  # scikit-learn's wrapper of fit methods: parameter validation, nested validation skipped
    from sklearn.base import _fit_context
except ImportError:  # pragma: no cover - scikit-learn without it
    def _fit_context(prefer_skip_nested_validation):
        def decorate(fit_method):
            def wrapper(estimator, *args, **kwargs):
                if not (fit_method.__name__ == "partial_fit" and hasattr(estimator, "coefs_")):
                    estimator._validate_params()
                return fit_method(estimator, *args, **kwargs)
            return functools.wraps(fit_method)(wrapper)
        return decorate

from . import _network as net
from .conversion import from_sklearn_as, to_sklearn
from ._params import ATTRIBUTES_DOC, CLASSIFIER_CONSTRAINTS, PARAMS_DOC, REGRESSOR_CONSTRAINTS, model_dtype
from .lbfgs import Objective, fit_lbfgs
from .stochastic import NON_FINITE, fit_stochastic

_STOCHASTIC_SOLVERS = ["sgd", "adam"]


class _BaseMLP(BaseEstimator):
    """What both estimators share: scikit-learn's ``BaseMultilayerPerceptron``."""

    def __init__(self, *, hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate,
                 learning_rate_init, power_t, max_iter, shuffle, random_state, tol, verbose, warm_start, momentum,
                 nesterovs_momentum, early_stopping, validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change,
                 max_fun, dtype, keep_prob):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dtype = dtype
        self.keep_prob = keep_prob

    # ------------------------------------------------------------------ fitting

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden_layer_sizes = self.hidden_layer_sizes
        if not hasattr(hidden_layer_sizes, "__iter__"):
            hidden_layer_sizes = [hidden_layer_sizes]
        hidden_layer_sizes = list(hidden_layer_sizes)
        if np.any(np.array(hidden_layer_sizes) <= 0):
            raise ValueError("hidden_layer_sizes must be > 0, got %s." % hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if hasattr(X, "toarray"):  # sparse: the kernels are dense
            X = X.toarray()
        dtype = model_dtype(self.dtype, X.dtype) if first_pass else np.dtype(self.coefs_[0].dtype)
        X = np.asarray(X, dtype=dtype)
        n_samples, n_features = X.shape
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X)
        sample_weight = self._class_weighted(y, sample_weight, incremental)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        self.n_outputs_ = y.shape[1]
        layer_units = [n_features] + hidden_layer_sizes + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, dtype)
        else:
            # coefs_ a user set (or a fit left) in another dtype: this fit's
            self.coefs_ = [np.asarray(c, dtype=dtype) for c in self.coefs_]
            self.intercepts_ = [np.asarray(b, dtype=dtype) for b in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
            fit_stochastic(self, X, y, sample_weight, incremental, layer_units, float(self.keep_prob))
        elif self.solver == "lbfgs":
            fit_lbfgs(self, X, y, sample_weight, layer_units)
        weights = chain(self.coefs_, self.intercepts_)
        if not all(np.isfinite(w).all() for w in weights):
            raise ValueError(NON_FINITE)
        return self

    def _initialize(self, y, layer_units, dtype):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        if not is_classifier(self):
            self.out_activation_ = "exp" if self.loss == "poisson" else "identity"
        elif self._label_binarizer.y_type_ == "multiclass":
            self.out_activation_ = "softmax"
        else:
            self.out_activation_ = "logistic"
        self.coefs_ = []
        self.intercepts_ = []
        for i in range(self.n_layers_ - 1):
            coef_init, intercept_init = net.init_coef(self._random_state, layer_units[i], layer_units[i + 1],
                                                      self.activation, dtype)
            self.coefs_.append(coef_init)
            self.intercepts_.append(intercept_init)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [i.copy() for i in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and target(s) y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The target values (class labels in classification, real numbers in regression).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : object
            The trained model.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError("partial_fit is only available for stochastic optimizers. %s is not stochastic."
                                 % self.solver)
        return True

    def _class_weighted(self, y, sample_weight, incremental):
        return sample_weight

    def _loss_grad_lbfgs(self, packed_coef_inter, X, y, sample_weight, *buffers):
        """scikit-learn's (private) objective of its L-BFGS at a packed vector: ``(loss,
        packed gradient)``, here from fastnn's compiled passes (what ``solver="lbfgs"``
        optimises; scikit-learn's own test of the gradient calls it). ``buffers`` (its work
        lists) are not used."""
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if y.ndim == 1:
            y = y.reshape((-1, 1))
        objective = Objective(self, X, y, sample_weight, net.coefs_layout(self.coefs_))
        return objective(np.asarray(packed_coef_inter, dtype=np.float64))

    # ------------------------------------------------------------------ prediction

    def _forward(self, X, check_input=True):
        """The output layer ``(n_samples, n_outputs)``, from ``coefs_`` / ``intercepts_`` (a
        change to them takes effect), computed in X's and the parameters' common float
        dtype, as scikit-learn's NumPy products would."""
        if check_input:
            X = validate_data(self, X, accept_sparse=["csr", "csc"], reset=False)
        if hasattr(X, "toarray"):
            X = X.toarray()
        dtype = np.result_type(X.dtype, self.coefs_[0].dtype, np.float32)
        if dtype not in (np.float32, np.float64):
            dtype = np.float64
        X = np.asarray(X, dtype=dtype)
        layout = net.coefs_layout(self.coefs_)
        P = net.flat_parameters(layout, self.coefs_, self.intercepts_, dtype)
        return net.forward(layout, self.activation, self.out_activation_, P, X)

    def _score_output(self, out, y, sample_weight):
        """scikit-learn's ``_score_with_function`` from the output layer already computed."""
        y_pred = self._predictions(out)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred, sample_weight=sample_weight)

    def _score(self, X, y, sample_weight=None):
        return self._score_output(self._forward(X, check_input=False), y, sample_weight)

    # ------------------------------------------------------------------ conversion

    def to_sklearn(self):
        """This fitted model as a genuine scikit-learn estimator (the same parameters, fitted
        attributes and optimizer state; its predictions are this model's, and its
        ``partial_fit`` continues as this one's would).

        Returns
        -------
        sklearn.neural_network.MLPClassifier or MLPRegressor
        """
        return to_sklearn(self)

    @classmethod
    def from_sklearn(cls, estimator):
        """A fastnn estimator holding a scikit-learn ``MLPClassifier`` / ``MLPRegressor``'s
        parameters and fitted state, its optimizer's included (``partial_fit`` and a
        ``warm_start`` fit continue as scikit-learn's would).

        Parameters
        ----------
        estimator : sklearn.neural_network.MLPClassifier or MLPRegressor

        Returns
        -------
        MLPClassifier or MLPRegressor
        """
        return from_sklearn_as(estimator, cls)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron classifier: scikit-learn's ``MLPClassifier``, trained
    by fastnn.

    The same parameters, attributes and model as ``sklearn.neural_network.MLPClassifier``:
    for the same data and ``random_state`` the same fit, to rounding (see
    :mod:`fastnn.sklearn`). Binary, multiclass and multilabel (indicator ``y``).
""" + PARAMS_DOC + """    class_weight : dict, "balanced" or None, default=None
        fastnn's: weights of the classes, multiplying the sample weights as
        ``LogisticRegression``'s do (not for multilabel ``y``; ``"balanced"`` not in
        ``partial_fit``).
""" + ATTRIBUTES_DOC + """    classes_ : ndarray
        The class labels (for multilabel ``y``: ``arange(n_labels)``).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
    >>> from fastnn.sklearn import MLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> clf = MLPClassifier(hidden_layer_sizes=(30,), early_stopping=True, random_state=0).fit(X, y)
    >>> sk = SklearnMLPClassifier(hidden_layer_sizes=(30,), early_stopping=True, random_state=0).fit(X, y)
    >>> clf.n_iter_ == sk.n_iter_, bool((clf.predict(X) == sk.predict(X)).all())
    (True, True)
    >>> type(clf.to_sklearn()) is SklearnMLPClassifier
    True
    """

    _parameter_constraints = CLASSIFIER_CONSTRAINTS

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        class_weight=None,
        dtype=None,
        keep_prob=1.0,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver, alpha=alpha,
            batch_size=batch_size, learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, dtype=dtype, keep_prob=keep_prob,
        )
        self.class_weight = class_weight

    #: scikit-learn's loss name (a fixed attribute of its classifier, not a parameter).
    loss = "log_loss"

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the previous call to fit. "
                        f"Previously got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        self._labels = y  # the labels before binarizing, for class_weight
        y = self._label_binarizer.transform(y).astype(bool)
        return X, y

    def _class_weighted(self, y, sample_weight, incremental):
        """Sample weights times the class weights (as ``LogisticRegression``); a new array."""
        cw = self.class_weight
        labels_in = self.__dict__.pop("_labels", None)
        if cw is None:
            return sample_weight
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError("class_weight is not supported for multilabel targets")
        if isinstance(cw, str) and incremental:
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: compute the weights once with "
                "sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, y=y) and pass them "
                "as a dict.")
        labels = np.searchsorted(self.classes_, labels_in)
        n = labels.size
        sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
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
            unknown = [k for k in cw if k not in set(classes.tolist())]
            if unknown:
                raise ValueError(f"The given class_weight dict must have the class labels as keys; "
                                 f"classes={classes} but key={list(cw)}")
            weights = np.asarray(compute_class_weight(cw, classes=classes, y=classes[labels]), dtype=np.float64)
        dtype = sample_weight.dtype if sample_weight is not None else np.float64
        return (sw * weights[labels]).astype(dtype)

    def _predictions(self, out):
        if self.n_outputs_ == 1:
            out = out.ravel()
        return self._label_binarizer.inverse_transform(out)

    _score_function = staticmethod(accuracy_score)

    def predict(self, X):
        """Predict using the multi-layer perceptron classifier.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._predictions(self._forward(X, check_input=check_input))

    @available_if(lambda est: est._check_solver())
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with a single iteration over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
        classes : array of shape (n_classes,), default=None
            Classes across all calls to partial_fit; required on the first call.

        Returns
        -------
        self : object
        """
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def predict_log_proba(self, X):
        """Return the log of probability estimates, ``log(predict_proba(X))``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
        """
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def predict_proba(self, X):
        """Probability estimates, columns in the order of ``classes_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    __doc__ = """Multi-layer perceptron regressor: scikit-learn's ``MLPRegressor``, trained by
    fastnn (squared error or half Poisson deviance; the same fit for the same
    ``random_state``, see :mod:`fastnn.sklearn`).

    Parameters
    ----------
    loss : {"squared_error", "poisson"}, default="squared_error"
        ``"poisson"``: an exponential output with the half Poisson deviance (targets >= 0).
""" + PARAMS_DOC.split("----------\n", 1)[1] + ATTRIBUTES_DOC

    _parameter_constraints = REGRESSOR_CONSTRAINTS

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dtype=None,
        keep_prob=1.0,
    ):
        self.loss = loss
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver, alpha=alpha,
            batch_size=batch_size, learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol,
            verbose=verbose, warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, dtype=dtype, keep_prob=keep_prob,
        )

    def predict(self, X):
        """Predict using the multi-layer perceptron model.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        return self._predictions(self._forward(X, check_input=check_input))

    @staticmethod
    def _predictions(out):
        return out.ravel() if out.shape[1] == 1 else out

    _score_function = staticmethod(r2_score)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        return X, y

    # scikit-learn's regressor tests the method itself, not its result (always true), so
    # partial_fit exists for every solver there; the same here.
    @available_if(lambda est: est._check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with a single iteration over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : ndarray of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : object
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)
