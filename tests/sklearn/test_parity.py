"""fastnn.sklearn against scikit-learn's own MLPClassifier / MLPRegressor, one option at a time.

fastnn's estimators promise scikit-learn's model: for the same data, parameters and
``random_state`` the same initial weights, shuffles, early-stopping split, optimizer steps,
``loss_curve_``, stopping epoch and fitted attributes. Every test here fits both
estimators on the same small data (300 digits scaled to [0, 1], hidden layers (30, 20), a
few epochs) and compares what scikit-learn computed with what fastnn computed; no expected
value comes from fastnn itself. The warnings each fit emits are compared too.

Tolerances (measured on this data before they were chosen):

- float64, stochastic solvers: ``RTOL = 1e-9``, relative to each array's largest entry
  (``atol = RTOL * max|expected|`` so that entries near 0 are not asked for a relative
  agreement they cannot have). The two libraries compute the same formulas in the same
  order of operations except inside the matrix products and the bias-gradient sums (other
  summation orders: fastnn's kernels and BLAS calls vs NumPy's), so they differ by
  rounding only. Measured after 5-20 epochs: at most 4e-15 (coefs, intercepts and
  ``loss_curve_``) for every option below, except 1e-14 for a weighted regressor and 7e-14
  for a 10-epoch Adam warm start. 1e-9 leaves six orders of margin for another
  CPU or BLAS, and still fails on any real difference (one missed update, another shuffle,
  another learning rate or L2 term moves the weights by >1e-3).
- ``solver="lbfgs"``: the same ``RTOL``. L-BFGS amplifies rounding (its line search and
  curvature pairs feed differences back), so the fits are kept to 20 iterations, where the
  measured agreement is <= 4e-14 (it grows to ~3e-10 by 50 iterations and to 1e-5 by 100).
- float32: ``RTOL32 = 1e-4`` on the weights, ``1e-5`` on the losses. float32 rounding
  (eps 6e-8) in products summed in another order: measured <= 1.5e-6 on the weights
  after 8-20 epochs, <= 5e-7 on ``loss_curve_`` (fastnn sums the epoch loss in float64
  where scikit-learn sums float32 values, a documented difference). The dtype itself is
  asserted exactly.
- Integers (``n_iter_``, ``t_``, the no-improvement counter), accuracies in
  ``validation_scores_`` and the random generator's state are compared exactly.
"""

import contextlib
import io
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_digits  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402

from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

RTOL = 1e-9
RTOL32 = 1e-4
LOSS_RTOL32 = 1e-5

_DIGITS_X, _DIGITS_Y = load_digits(return_X_y=True)
X = _DIGITS_X[:300] / 16.0
Y = _DIGITS_Y[:300]
Y_BINARY = Y % 2
Y_MULTILABEL = np.stack([Y % 2, Y < 5, Y % 3 == 0], axis=1).astype(int)
Y_REG = Y / 9.0
Y_REG2 = np.stack([Y / 9.0, X[:, 10] - X[:, 20]], axis=1)

BASE = dict(hidden_layer_sizes=(30, 20), max_iter=8, random_state=0)

PAIRS = {"clf": (MLPClassifier, SkMLPClassifier), "reg": (MLPRegressor, SkMLPRegressor)}


# ------------------------------------------------------------------------- helpers


def _fit_recording(est, method, *args, **kwargs):
    """``getattr(est, method)(*args, **kwargs)`` and the warnings it emitted, as
    ``(category, message)`` pairs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(est, method)(*args, **kwargs)
    return [(w.category, str(w.message)) for w in caught]


def fit_both(kind, Xf, yf, fit_kwargs=None, method="fit", **params):
    """Fit fastnn's and scikit-learn's estimators with the same parameters on the same data;
    both must emit the same warnings. Returns ``(ours, theirs)``."""
    ours_cls, sk_cls = PAIRS[kind]
    ours, theirs = ours_cls(**params), sk_cls(**params)
    fit_kwargs = fit_kwargs or {}
    w_ours = _fit_recording(ours, method, Xf, yf, **fit_kwargs)
    w_theirs = _fit_recording(theirs, method, Xf, yf, **fit_kwargs)
    assert w_ours == w_theirs
    return ours, theirs


def assert_close(actual, expected, rtol=RTOL, what=""):
    """``actual`` equals ``expected`` (same shape and dtype) to ``rtol`` relative to the
    largest entry of ``expected``."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, (what, actual.shape, expected.shape)
    assert actual.dtype == expected.dtype, (what, actual.dtype, expected.dtype)
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale, err_msg=what)


def assert_same_fit(ours, theirs, rtol=RTOL, loss_rtol=None):
    """The fitted state of ``ours`` is scikit-learn's ``theirs``: weights to ``rtol``, the
    losses and scores to ``loss_rtol`` (default ``rtol``), the counters exactly."""
    loss_rtol = rtol if loss_rtol is None else loss_rtol
    for name in ("n_iter_", "t_", "n_layers_", "n_outputs_", "out_activation_", "n_features_in_",
                 "_no_improvement_count"):
        assert hasattr(ours, name) == hasattr(theirs, name), name
        if hasattr(theirs, name):
            assert getattr(ours, name) == getattr(theirs, name), (name, getattr(ours, name), getattr(theirs, name))
    if hasattr(theirs, "classes_"):
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert len(ours.coefs_) == len(theirs.coefs_) and len(ours.intercepts_) == len(theirs.intercepts_)
    for i, (a, b) in enumerate(zip(ours.coefs_, theirs.coefs_)):
        assert_close(a, b, rtol, f"coefs_[{i}]")
    for i, (a, b) in enumerate(zip(ours.intercepts_, theirs.intercepts_)):
        assert_close(a, b, rtol, f"intercepts_[{i}]")
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=loss_rtol)
    assert hasattr(ours, "loss_curve_") == hasattr(theirs, "loss_curve_")
    if hasattr(theirs, "loss_curve_"):
        assert len(ours.loss_curve_) == len(theirs.loss_curve_)
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=loss_rtol)
        for name in ("best_loss_", "best_validation_score_"):
            if getattr(theirs, name) is None:
                assert getattr(ours, name) is None, name
            else:
                assert getattr(ours, name) == pytest.approx(getattr(theirs, name), rel=loss_rtol), name
        if theirs.validation_scores_ is None:
            assert ours.validation_scores_ is None
        else:
            assert len(ours.validation_scores_) == len(theirs.validation_scores_)
            np.testing.assert_allclose(ours.validation_scores_, theirs.validation_scores_, rtol=loss_rtol)


def assert_same_predictions(ours, theirs, Xp, rtol=RTOL):
    if hasattr(theirs, "predict_proba"):
        assert_close(ours.predict_proba(Xp), theirs.predict_proba(Xp), rtol, "predict_proba")
        np.testing.assert_array_equal(ours.predict(Xp), theirs.predict(Xp))
        assert ours.predict(Xp).dtype == theirs.predict(Xp).dtype
    else:
        assert_close(ours.predict(Xp), theirs.predict(Xp), rtol, "predict")


def _assert_same_optimizer(ours, theirs):
    """The optimizer state a partial_fit carries: SGD's current learning rate (the
    schedules), Adam's step count and the bias-corrected rate its last step used."""
    if theirs.solver == "adam":
        assert ours._optimizer.t == theirs._optimizer.t
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate, rel=1e-15)


# --------------------------------------------------------------- solvers and rates


@pytest.mark.parametrize("params", [
    dict(solver="adam"),
    dict(solver="adam", learning_rate_init=0.01, beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    dict(solver="sgd", learning_rate_init=0.1),  # Nesterov's momentum (the default)
    dict(solver="sgd", learning_rate_init=0.1, nesterovs_momentum=False, momentum=0.5),  # classical momentum
    dict(solver="sgd", learning_rate_init=0.1, momentum=0.0),
    dict(solver="sgd", learning_rate="invscaling", power_t=0.25, learning_rate_init=0.1),
    dict(solver="adam", learning_rate="invscaling", power_t=0.25),  # Adam ignores the schedule
], ids=["adam", "adam-coefficients", "sgd-nesterov", "sgd-classical", "sgd-no-momentum", "sgd-invscaling",
        "adam-invscaling-ignored"])
def test_optimizers(params):
    ours, theirs = fit_both("clf", X, Y, **BASE, **params)
    assert_same_fit(ours, theirs)
    _assert_same_optimizer(ours, theirs)
    assert_same_predictions(ours, theirs, X)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_adaptive_learning_rate(early_stopping):
    """learning_rate="adaptive" divides the rate by 5 each time n_iter_no_change epochs fail
    to improve by tol, and stops once it is <= 1e-6 (tol=0.5 makes every epoch fail)."""
    params = dict(hidden_layer_sizes=(30, 20), max_iter=40, random_state=0, solver="sgd", learning_rate="adaptive",
                  learning_rate_init=0.1, n_iter_no_change=1, tol=0.5, early_stopping=early_stopping)
    ours, theirs = fit_both("clf", X, Y, **params)
    assert theirs.n_iter_ < 40 and theirs._optimizer.learning_rate < 1e-6  # the rule did trigger, to its end
    assert ours.n_iter_ == theirs.n_iter_
    assert ours._optimizer.learning_rate == pytest.approx(theirs._optimizer.learning_rate, rel=1e-14)
    assert_same_fit(ours, theirs)


# ------------------------------------------------------------------ stopping rules


@pytest.mark.parametrize("case", ["binary", "multiclass", "multilabel", "regressor", "regressor2",
                                  "binary-weighted", "multiclass-weighted"])
def test_early_stopping(case):
    """The held-out split (stratified when the classifier has one output), the validation
    score of every epoch, the best epoch's weights restored at the end."""
    kind = "reg" if case.startswith("regressor") else "clf"
    yf = {"binary": Y_BINARY, "multiclass": Y, "multilabel": Y_MULTILABEL, "regressor": Y_REG,
          "regressor2": Y_REG2}[case.split("-")[0]]
    fit_kwargs = {}
    if case.endswith("weighted"):
        fit_kwargs["sample_weight"] = np.random.RandomState(1).rand(X.shape[0])
    params = dict(hidden_layer_sizes=(30, 20), max_iter=60, random_state=0, early_stopping=True,
                  n_iter_no_change=2, tol=0.01, validation_fraction=0.2)
    ours, theirs = fit_both(kind, X, yf, fit_kwargs, **params)
    assert theirs.n_iter_ < 60  # it did stop early
    assert_same_fit(ours, theirs)
    if kind == "clf":  # accuracies: exactly the same fractions
        assert ours.validation_scores_ == theirs.validation_scores_
        assert ours.best_validation_score_ == theirs.best_validation_score_
    assert_same_predictions(ours, theirs, X)


@pytest.mark.parametrize("kind, params", [("clf", dict(learning_rate_init=0.01, tol=0.03)),
                                          ("reg", dict(tol=0.005))], ids=["clf", "reg"])
def test_training_loss_stopping_rule(kind, params):
    """tol / n_iter_no_change on the training loss: the same stopping epoch, loss_curve_ and
    best_loss_. The settings make the epoch depend on tol's exact use: scikit-learn stops
    elsewhere with 2 * tol (measured: 20 vs 16 epochs for the classifier, 10 vs 7 for the
    regressor)."""
    yf = Y if kind == "clf" else Y_REG
    common = dict(hidden_layer_sizes=(30, 20), max_iter=60, random_state=0, n_iter_no_change=2)
    ours, theirs = fit_both(kind, X, yf, **common, **params)
    assert 4 < theirs.n_iter_ < 60
    doubled = PAIRS[kind][1](**common, **dict(params, tol=2 * params["tol"])).fit(X, yf)
    assert doubled.n_iter_ != theirs.n_iter_
    assert_same_fit(ours, theirs)
    assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=RTOL)


def test_max_iter_convergence_warning():
    # fit_both asserts both emit the same ConvergenceWarning, with the same message
    ours, theirs = fit_both("clf", X, Y, hidden_layer_sizes=(10,), max_iter=3, random_state=0)
    assert_same_fit(ours, theirs)


# -------------------------------------------------------------------- the objective


@pytest.mark.parametrize("kind", ["clf", "reg"])
def test_alpha_l2_penalty(kind):
    yf = Y if kind == "clf" else Y_REG
    ours, theirs = fit_both(kind, X, yf, **BASE, alpha=0.5)
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("batch_size", [37, 1000])  # 300 = 8 * 37 + 4; 1000 > n: clipped, with a warning
def test_batch_size_not_dividing_n(batch_size):
    ours, theirs = fit_both("clf", X, Y, **BASE, batch_size=batch_size)
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_epochs_run_in_slices_are_the_same_fit(monkeypatch, solver):
    """An epoch split over several compiled calls (one step a call: what a long epoch does so
    that Ctrl-C is honoured between calls) trains as scikit-learn's, bit for bit the same as
    one call an epoch."""
    import fastnn.sklearn.stochastic as stochastic

    whole, theirs = fit_both("clf", X, Y, **BASE, solver=solver, batch_size=37)
    monkeypatch.setattr(stochastic, "_SMALL_EPOCH", 0)
    monkeypatch.setattr(stochastic.training, "SLICE_SECONDS", 0.0)
    sliced, _ = fit_both("clf", X, Y, **BASE, solver=solver, batch_size=37)
    assert_same_fit(sliced, theirs)
    for a, b in zip(sliced.coefs_ + sliced.intercepts_, whole.coefs_ + whole.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert sliced.loss_curve_ == whole.loss_curve_


@pytest.mark.parametrize("batch_size", [37, "auto", 300, 500])
def test_shuffle_false(batch_size):
    """Batches in order; batch_size >= n without shuffling is the one full batch (fastnn's
    path that reads X in place), weighted in the last case."""
    fit_kwargs = {"sample_weight": np.arange(X.shape[0]) % 3} if batch_size == 500 else {}
    ours, theirs = fit_both("clf", X, Y, fit_kwargs, **BASE, shuffle=False, batch_size=batch_size)
    assert_same_fit(ours, theirs)


def test_batch_size_one():
    ours, theirs = fit_both("reg", X[:60], Y_REG[:60], hidden_layer_sizes=(10,), max_iter=4, random_state=0,
                            batch_size=1)
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("kind", ["clf", "reg"])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_sample_weight_with_zero_weights(kind, solver):
    """Weights 0-3, a quarter of them zero: scikit-learn keeps the zero-weight rows in its
    batches (they count in the batch positions, not in the weighted mean)."""
    w = np.random.RandomState(1).randint(0, 4, X.shape[0]).astype(float)
    assert (w == 0).sum() > 50
    yf = Y if kind == "clf" else Y_REG
    ours, theirs = fit_both(kind, X, yf, dict(sample_weight=w), **BASE, batch_size=50, solver=solver,
                            learning_rate_init=0.05 if solver == "sgd" else 0.001)
    assert_same_fit(ours, theirs)


def test_batch_of_zero_weights_raises_as_sklearn():
    w = np.ones(X.shape[0])
    w[:20] = 0.0  # the first batch, unshuffled
    errors = []
    for cls in (MLPClassifier, SkMLPClassifier):
        with pytest.raises(ZeroDivisionError) as info:
            cls(shuffle=False, batch_size=20, max_iter=2).fit(X, Y, sample_weight=w)
        errors.append(str(info.value))
    assert errors[0] == errors[1]


# ------------------------------------------------------------ networks and targets


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_activations(activation):
    ours, theirs = fit_both("clf", X, Y, **BASE, activation=activation)
    assert_same_fit(ours, theirs)
    assert_same_predictions(ours, theirs, X)


@pytest.mark.parametrize("hidden_layer_sizes", [15, [7], (12, 10, 8)])
def test_hidden_layer_sizes(hidden_layer_sizes):
    ours, theirs = fit_both("clf", X, Y, hidden_layer_sizes=hidden_layer_sizes, max_iter=5, random_state=0)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert_same_fit(ours, theirs)


@pytest.mark.parametrize("case", ["binary", "binary-strings", "multiclass", "multiclass-strings", "multilabel",
                                  "regression", "regression-2-targets", "poisson", "poisson-2-targets"])
def test_targets(case):
    kind = "reg" if case.startswith(("regression", "poisson")) else "clf"
    params = dict(BASE)
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    yf = {
        "binary": Y_BINARY,
        "binary-strings": np.where(Y_BINARY == 1, "odd", "even"),
        "multiclass": Y,
        "multiclass-strings": names[Y],
        "multilabel": Y_MULTILABEL,
        "regression": Y_REG,
        "regression-2-targets": Y_REG2,
        "poisson": Y.astype(float),  # counts >= 0
        "poisson-2-targets": np.stack([Y, X[:, 20] * 4], axis=1),
    }[case]
    if case.startswith("poisson"):
        params["loss"] = "poisson"
    ours, theirs = fit_both(kind, X, yf, **params)
    assert_same_fit(ours, theirs)
    assert_same_predictions(ours, theirs, X)
    assert ours.score(X, yf) == pytest.approx(theirs.score(X, yf), rel=RTOL)
    if kind == "clf":
        assert_close(ours.predict_log_proba(X), theirs.predict_log_proba(X), RTOL, "predict_log_proba")


# --------------------------------------------------------- continuing a fit


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_warm_start_two_fits(solver):
    params = dict(BASE, max_iter=5, warm_start=True, solver=solver, learning_rate_init=0.05)
    ours, theirs = fit_both("clf", X, Y, **params)
    assert_same_fit(ours, theirs)
    w_ours = _fit_recording(ours, "fit", X, Y)
    w_theirs = _fit_recording(theirs, "fit", X, Y)
    assert w_ours == w_theirs
    if solver != "lbfgs":
        assert len(theirs.loss_curve_) == 10  # the curve goes on
    assert_same_fit(ours, theirs)
    messages = []
    for est in (ours, theirs):  # warm_start needs the same classes: the same error
        with pytest.raises(ValueError) as info:
            est.fit(X, Y_BINARY)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_partial_fit_sequence_classifier(solver):
    """Chunks of different sizes (the first lacking classes 5-9), one with sample weights;
    then the user edits coefs_ / intercepts_ and partial_fit goes on from the edit."""
    params = dict(hidden_layer_sizes=(30, 20), random_state=0, batch_size=64, solver=solver, learning_rate_init=0.05)
    ours, theirs = MLPClassifier(**params), SkMLPClassifier(**params)
    first = Y < 5
    chunks = [(X[first][:100], Y[first][:100], None), (X[100:190], Y[100:190], None),
              (X[190:300], Y[190:300], np.random.RandomState(2).rand(110)), (X, Y, None)]
    for i, (Xc, yc, w) in enumerate(chunks):
        kwargs = dict(sample_weight=w)
        if i == 0:
            kwargs["classes"] = np.arange(10)
        assert _fit_recording(ours, "partial_fit", Xc, yc, **kwargs) == \
            _fit_recording(theirs, "partial_fit", Xc, yc, **kwargs)
        assert_same_fit(ours, theirs)
        _assert_same_optimizer(ours, theirs)
    assert ours.t_ == 100 + 90 + 110 + 300 and ours.n_iter_ == 1
    for est in (ours, theirs):  # the same edit on both
        est.coefs_[0] *= 0.5
        est.intercepts_[1] = est.intercepts_[1] + 0.1
        est.coefs_[2] = np.ascontiguousarray(est.coefs_[2][:, ::-1])
    ours.partial_fit(X, Y)
    theirs.partial_fit(X, Y)
    assert_same_fit(ours, theirs)
    assert_same_predictions(ours, theirs, X)
    messages = []
    for est in (MLPClassifier(**params), SkMLPClassifier(**params)):  # classes= required, then checked
        with pytest.raises(ValueError) as first_call:
            est.partial_fit(X, Y)
        est.partial_fit(X[Y < 3], Y[Y < 3], classes=[0, 1, 2])
        with pytest.raises(ValueError) as unknown:
            est.partial_fit(X, Y)
        messages.append((str(first_call.value), str(unknown.value)))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("params", [dict(solver="adam"),
                                    dict(solver="sgd", learning_rate="invscaling", learning_rate_init=0.05)],
                         ids=["adam", "sgd-invscaling"])
def test_partial_fit_sequence_regressor(params):
    """The optimizer (Adam's moments and step count, SGD's velocities and current rate)
    carries from one call to the next."""
    ours = MLPRegressor(hidden_layer_sizes=(30, 20), random_state=0, **params)
    theirs = SkMLPRegressor(hidden_layer_sizes=(30, 20), random_state=0, **params)
    for i in range(4):
        rows = slice(i * 60, 300 - i * 30)
        ours.partial_fit(X[rows], Y_REG2[rows])
        theirs.partial_fit(X[rows], Y_REG2[rows])
        assert_same_fit(ours, theirs)
        _assert_same_optimizer(ours, theirs)
    assert_same_predictions(ours, theirs, X)


# ------------------------------------------------------------------------- L-BFGS


@pytest.mark.parametrize("case", ["multiclass", "binary", "multilabel", "regression", "poisson",
                                  "weighted-alpha", "max_fun"])
def test_lbfgs(case):
    """SciPy's L-BFGS-B on the same objective and gradient: the same path. Kept to 20
    iterations: L-BFGS amplifies rounding (measured <= 3e-14 here, 3e-10 after 50)."""
    kind = "reg" if case in ("regression", "poisson") else "clf"
    yf = {"binary": Y_BINARY, "multilabel": Y_MULTILABEL, "regression": Y_REG,
          "poisson": Y.astype(float)}.get(case, Y)
    params = dict(hidden_layer_sizes=(30, 20), max_iter=20, random_state=0, solver="lbfgs")
    fit_kwargs = {}
    if case == "poisson":
        params["loss"] = "poisson"
    if case == "weighted-alpha":
        params["alpha"] = 0.3
        fit_kwargs["sample_weight"] = np.random.RandomState(3).randint(0, 3, X.shape[0]).astype(float)
    if case == "max_fun":
        params["max_fun"] = 7  # stops on function evaluations, with a warning
    ours, theirs = fit_both(kind, X, yf, fit_kwargs, **params)
    assert_same_fit(ours, theirs)
    assert not hasattr(theirs, "loss_curve_")  # so assert_same_fit compared loss_ alone
    assert_same_predictions(ours, theirs, X)


# ------------------------------------------------------------------- random_state


def _rs_state(rs):
    name, key, pos, has_gauss, gauss = rs.get_state(legacy=True)
    return key, pos, has_gauss, gauss


def _assert_same_generator(a, b):
    key_a, *rest_a = _rs_state(a)
    key_b, *rest_b = _rs_state(b)
    np.testing.assert_array_equal(key_a, key_b)
    assert rest_a == rest_b


@pytest.mark.parametrize("early_stopping", [False, True])
def test_random_state_instance(early_stopping):
    """A RandomState instance is drawn from as scikit-learn draws from it (initial weights,
    every epoch's shuffle, the validation split): equal fresh instances end in the same
    state."""
    rs_ours, rs_theirs = np.random.RandomState(3), np.random.RandomState(3)
    kwargs = dict(hidden_layer_sizes=(30, 20), max_iter=5, early_stopping=early_stopping)
    w = np.random.RandomState(4).rand(X.shape[0])
    ours = MLPClassifier(random_state=rs_ours, **kwargs)
    theirs = SkMLPClassifier(random_state=rs_theirs, **kwargs)
    assert _fit_recording(ours, "fit", X, Y, sample_weight=w) == _fit_recording(theirs, "fit", X, Y, sample_weight=w)
    assert_same_fit(ours, theirs)
    _assert_same_generator(rs_ours, rs_theirs)
    assert _rs_state(rs_ours)[1] != _rs_state(np.random.RandomState(3))[1]  # it was drawn from


def test_random_state_instance_across_partial_fit_calls():
    """Each partial_fit draws its shuffle from the same instance, which carries on."""
    rs_ours, rs_theirs = np.random.RandomState(5), np.random.RandomState(5)
    ours = MLPRegressor(hidden_layer_sizes=(30, 20), batch_size=32, random_state=rs_ours)
    theirs = SkMLPRegressor(hidden_layer_sizes=(30, 20), batch_size=32, random_state=rs_theirs)
    for _ in range(3):
        ours.partial_fit(X, Y_REG)
        theirs.partial_fit(X, Y_REG)
        assert_same_fit(ours, theirs)
        _assert_same_generator(rs_ours, rs_theirs)


def test_random_state_none_draws_from_numpys_global_generator():
    ours = MLPClassifier(hidden_layer_sizes=(30, 20), max_iter=4)
    theirs = SkMLPClassifier(hidden_layer_sizes=(30, 20), max_iter=4)
    np.random.seed(11)
    w_ours = _fit_recording(ours, "fit", X, Y)
    after_ours = np.random.get_state(legacy=True)
    np.random.seed(11)
    w_theirs = _fit_recording(theirs, "fit", X, Y)
    after_theirs = np.random.get_state(legacy=True)
    assert w_ours == w_theirs
    assert_same_fit(ours, theirs)
    np.testing.assert_array_equal(after_ours[1], after_theirs[1])
    assert after_ours[2:] == after_theirs[2:]


# ------------------------------------------------------------------------ float32


@pytest.mark.parametrize("kind, params", [("clf", dict(solver="adam")),
                                          ("clf", dict(solver="sgd", learning_rate_init=0.1)),
                                          ("reg", dict(solver="adam"))], ids=["adam", "sgd", "regressor"])
def test_float32_fits_compute_in_float32(kind, params):
    """float32 X: float32 weights, close to scikit-learn's float32 fit to float32 rounding
    (measured 1e-7 - 1.5e-6 relative on the weights after 8 epochs; asserted 1e-4)."""
    X32 = X.astype(np.float32)
    yf = Y if kind == "clf" else Y_REG
    ours, theirs = fit_both(kind, X32, yf, **BASE, **params)
    assert theirs.coefs_[0].dtype == np.float32 and ours.coefs_[0].dtype == np.float32
    assert_same_fit(ours, theirs, rtol=RTOL32, loss_rtol=LOSS_RTOL32)
    assert_same_predictions(ours, theirs, X32, rtol=RTOL32)
    out = "predict_proba" if kind == "clf" else "predict"
    for Xp in (X, X32):  # the output dtype follows NumPy's promotion, as scikit-learn's
        assert getattr(ours, out)(Xp).dtype == getattr(theirs, out)(Xp).dtype


def test_float32_lbfgs():
    """scikit-learn's L-BFGS keeps float64 weights (SciPy's vector) for float32 X: so does
    fastnn's. scikit-learn rounds its initial weights and its gradient buffers to float32
    where fastnn keeps float64, so the two agree to float32 rounding only, and L-BFGS
    amplifies it: measured 6e-7 after 10 iterations (1e-2 after 50), so 10 iterations,
    asserted at 1e-4."""
    X32 = X.astype(np.float32)
    ours, theirs = fit_both("clf", X32, Y, hidden_layer_sizes=(30, 20), max_iter=10, random_state=0,
                            solver="lbfgs")
    assert theirs.coefs_[0].dtype == np.float64 and ours.coefs_[0].dtype == np.float64
    assert_same_fit(ours, theirs, rtol=RTOL32, loss_rtol=LOSS_RTOL32)


@pytest.mark.parametrize("dtype, X_in, X_sk, rtol", [("float32", X, X.astype(np.float32), RTOL32),
                                                      ("float64", X.astype(np.float32), X, RTOL)],
                         ids=["float32-on-float64-X", "float64-on-float32-X"])
def test_dtype_parameter_is_sklearns_fit_in_that_dtype(dtype, X_in, X_sk, rtol):
    """fastnn's ``dtype``: the fit scikit-learn makes on X converted to that dtype."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPClassifier(dtype=dtype, **BASE).fit(X_in, Y)
        theirs = SkMLPClassifier(**BASE).fit(X_sk, Y)
    assert ours.coefs_[0].dtype == np.dtype(dtype)
    assert_same_fit(ours, theirs, rtol=rtol, loss_rtol=LOSS_RTOL32 if dtype == "float32" else RTOL)


# ------------------------------------------------------------------ output, errors


def test_verbose_output_is_sklearns():
    """verbose=True prints what scikit-learn prints: every epoch's loss, validation score
    and the adaptive rate's messages."""
    params = dict(hidden_layer_sizes=(10,), random_state=0, solver="sgd", learning_rate="adaptive",
                  early_stopping=True, n_iter_no_change=1, tol=0.5, max_iter=12, verbose=True)
    outputs = []
    for cls in (MLPClassifier, SkMLPClassifier):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(**params).fit(X, Y)
        outputs.append(buffer.getvalue())
    assert "Setting learning rate to" in outputs[1] and "Validation score:" in outputs[1]
    assert outputs[0] == outputs[1]


def test_divergence_raises_sklearns_error():
    yf = X[:, 0] * 1e3
    messages = []
    for cls in (MLPRegressor, SkMLPRegressor):
        with warnings.catch_warnings(), pytest.raises(ValueError) as info:
            warnings.simplefilter("ignore")
            cls(solver="sgd", activation="identity", learning_rate_init=1.0, max_iter=20, random_state=0).fit(X, yf)
        messages.append(str(info.value))
    assert "non-finite" in messages[1] and messages[0] == messages[1]
