"""fastnn/sklearn/estimators.py: MLPClassifier / MLPRegressor as scikit-learn estimators.

scikit-learn's own estimator checks (every one generated for the defaults, none waived) and
scikit-learn's own test file for its MLPs run against fastnn's estimators; then what those
do not pin down, each compared with what scikit-learn's own estimator does on the same
input: errors, pickling and read-only memmaps, sparse and pandas input, labels, fastnn's
``class_weight``, pipelines and grid search. Parameter validation and dtypes are in
``test_params.py``, patching in ``test_patching.py``, the conversions in
``test_conversion.py``; the numerical parity of the fits, option by option, is in
``test_parity.py`` (its docstring explains the tolerances: ``RTOL = 1e-9`` relative for
float64 fits that agree to ~1e-15, rounding only).

Exact equalities below are between two runs of the same code on the same numbers
(pickled copy, dense vs densified sparse input).
"""

import importlib.util
import os
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import joblib  # noqa: E402  (a scikit-learn dependency)
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import fastnn  # noqa: E402
from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

from .helpers import RTOL, SMALL, X, Y, _assert_close_params, _assert_same_error, _params, _same  # noqa: E402

# Small fits stop at max_iter on purpose (in both libraries).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# -------------------------------------------------------------- scikit-learn's checks


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
def test_sklearn_estimator_checks(estimator, check, monkeypatch):
    """Every check scikit-learn generates for these estimators, with their defaults.

    ``SCIPY_ARRAY_API=1`` lets ``check_array_api_input`` run (it skips itself without it).
    ConvergenceWarning is ignored as scikit-learn's own test_common does: the checks fit
    tiny data sets, and a warning is no failure. The one skip left is
    ``check_classifiers_multilabel_output_format_decision_function``: like scikit-learn's
    MLPClassifier, this one has no ``decision_function``."""
    monkeypatch.setenv("SCIPY_ARRAY_API", "1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_sklearns_own_mlp_tests_pass_on_fastnn(tmp_path):
    """scikit-learn's ``neural_network/tests/test_mlp.py``, unchanged except that it imports
    fastnn's estimators, passes entirely (run in a subprocess with scikit-learn's conftest)."""
    locations = importlib.util.find_spec("sklearn").submodule_search_locations
    source = os.path.join(list(locations)[0], "neural_network", "tests", "test_mlp.py")
    text = open(source, encoding="utf-8").read()
    original = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
    assert text.count(original) == 1
    text = text.replace(original, "from fastnn.sklearn import MLPClassifier, MLPRegressor\n")
    assert "from fastnn.sklearn import MLPClassifier, MLPRegressor" in text
    (tmp_path / "test_mlp_on_fastnn.py").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-p", "sklearn.conftest", "-q", "-p", "no:cacheprovider",
               "test_mlp_on_fastnn.py"]
    env = dict(os.environ)

    def run(*extra):
        return subprocess.run(command + list(extra), cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=900)

    collected = run("--collect-only")
    match = re.search(r"(\d+) tests? collected", collected.stdout)
    assert match, collected.stdout[-3000:] + collected.stderr[-3000:]
    n_collected = int(match.group(1))
    assert n_collected >= 50  # scikit-learn 1.9 has 59
    result = run()
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", summary)}
    assert result.returncode == 0 and counts.get("passed") == n_collected and set(counts) == {"passed"}, (
        summary, result.stdout[-6000:], result.stderr[-3000:])


def test_importing_fastnn_does_not_import_sklearn():
    code = "import sys, fastnn; fastnn.DeepNetwork([2, 1]); assert 'sklearn' not in sys.modules, 'sklearn imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize("case", [
    "partial_fit-early_stopping", "validation-set-too-small", "lbfgs-partial_fit", "not-fitted", "feature-count",
    "warm_start-classes", "classes-required", "class-not-in-classes",
    "validation_fraction-0",
])
def test_errors_are_sklearns(case):
    """The same exception type and message as scikit-learn's estimator, for each misuse."""
    kw = dict(max_iter=2, random_state=0)
    calls = {
        "partial_fit-early_stopping": (dict(early_stopping=True),
                                       lambda e: e.partial_fit(X, Y, classes=np.arange(10))),
        "validation-set-too-small": (dict(early_stopping=True, **kw), lambda e: e.fit(X[:10], Y[:10] % 2)),
        "lbfgs-partial_fit": (dict(solver="lbfgs"), lambda e: e.partial_fit(X, Y, classes=np.arange(10))),
        "not-fitted": ({}, lambda e: e.predict(X)),
        "feature-count": (kw, lambda e: e.fit(X, Y).predict(X[:, :5])),
        "warm_start-classes": (dict(warm_start=True, **kw), lambda e: e.fit(X, Y).fit(X, Y % 2)),
        "classes-required": ({}, lambda e: e.partial_fit(X, Y)),
        "class-not-in-classes": ({}, lambda e: e.partial_fit(X, Y, classes=np.arange(5))),
        "validation_fraction-0": (dict(early_stopping=True, validation_fraction=0.0, **kw), lambda e: e.fit(X, Y)),
    }
    params, call = calls[case]
    _assert_same_error(call, MLPClassifier(**params), SkMLPClassifier(**params))


# ----------------------------------------------------------- pickling, memmaps, input


@pytest.mark.parametrize("kind, solver", [("clf", "adam"), ("reg", "adam"), ("clf", "sgd")])
def test_pickle_and_read_only_memmap_round_trips(kind, solver, tmp_path):
    """Predictions are equal bit for bit after pickle and after a read-only joblib memmap
    reload (the estimator's arrays read-only np.memmaps), and partial_fit carries on
    identically from each (the optimizer's state is pickled). The pickle holds what
    scikit-learn's does and no more (no compiled buffers)."""
    ours_cls, sk_cls = (MLPClassifier, SkMLPClassifier) if kind == "clf" else (MLPRegressor, SkMLPRegressor)
    y = Y if kind == "clf" else np.stack([Y / 9.0, X[:, 20]], axis=1)
    params = dict(hidden_layer_sizes=(200,), solver=solver, max_iter=5, random_state=0)
    est = ours_cls(**params).fit(X, y)
    out = "predict_proba" if kind == "clf" else "predict"
    ref = getattr(est, out)(X)
    blob = pickle.dumps(est)
    sk_blob = pickle.dumps(sk_cls(**params).fit(X, y))
    assert len(blob) <= len(sk_blob) + 10_000, (len(blob), len(sk_blob))
    copy = pickle.loads(blob)
    assert _same([getattr(copy, out)(X), copy.predict(X)], [ref, est.predict(X)])
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    mapped = joblib.load(path, mmap_mode="r")
    assert isinstance(mapped.coefs_[0], np.memmap) and not mapped.coefs_[0].flags.writeable
    assert _same([getattr(mapped, out)(X)], [ref])
    for model in (est, copy, mapped):
        model.partial_fit(X, y)
    assert _same(_params(copy), _params(est)) and _same(_params(mapped), _params(est))


def test_sparse_input_equals_dense():
    """Sparse X is densified: bit for bit the dense fit; and scikit-learn's sparse fit."""
    sparse = pytest.importorskip("scipy.sparse")
    Xs = np.where(X < 0.5, 0.0, X)
    dense = MLPClassifier(**SMALL).fit(Xs, Y)
    sp = MLPClassifier(**SMALL).fit(sparse.csr_matrix(Xs), Y)
    assert _same(_params(dense), _params(sp)) and sp.loss_curve_ == dense.loss_curve_
    assert _same([sp.predict_proba(sparse.csc_matrix(Xs))], [dense.predict_proba(Xs)])
    theirs = SkMLPClassifier(**SMALL).fit(sparse.csr_matrix(Xs), Y)
    _assert_close_params(sp, theirs)
    np.testing.assert_array_equal(sp.predict(sparse.csr_matrix(Xs)), theirs.predict(sparse.csr_matrix(Xs)))


def test_pandas_feature_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(X[:, :12], columns=[f"pixel{i}" for i in range(12)])
    ours = MLPClassifier(**SMALL).fit(df, pd.Series(Y))
    theirs = SkMLPClassifier(**SMALL).fit(df, pd.Series(Y))
    np.testing.assert_array_equal(ours.feature_names_in_, theirs.feature_names_in_)
    assert ours.n_features_in_ == theirs.n_features_in_ == 12
    np.testing.assert_array_equal(ours.predict(df), MLPClassifier(**SMALL).fit(X[:, :12], Y).predict(X[:, :12]))
    np.testing.assert_array_equal(ours.predict(df), theirs.predict(df))
    _assert_same_error(lambda est: est.predict(df[df.columns[::-1]]), ours, theirs)
    messages = []
    for est in (ours, theirs):
        with pytest.warns(UserWarning, match="does not have valid feature names") as caught:
            est.predict(X[:, :12])
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1]


# ----------------------------------------------------------------------------- labels


def test_string_and_object_labels():
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    for labels in (names[Y], names[Y].astype(object), np.where(Y % 2 == 1, "odd", "even")):
        ours = MLPClassifier(**SMALL).fit(X, labels)
        theirs = SkMLPClassifier(**SMALL).fit(X, labels)
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        assert ours.classes_.dtype == theirs.classes_.dtype
        pred = ours.predict(X)
        assert pred.dtype == theirs.predict(X).dtype
        np.testing.assert_array_equal(pred, theirs.predict(X))
        proba = ours.predict_proba(X)
        assert proba.shape == (X.shape[0], len(theirs.classes_))
        np.testing.assert_allclose(proba, theirs.predict_proba(X), rtol=RTOL, atol=1e-12)


def test_multilabel_indicator_targets():
    Y3 = np.stack([Y % 2, Y < 5, Y % 3 == 0], axis=1).astype(int)
    ours = MLPClassifier(**SMALL).fit(X, Y3)
    theirs = SkMLPClassifier(**SMALL).fit(X, Y3)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.out_activation_ == theirs.out_activation_ == "logistic"
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=1e-12)
    with pytest.raises(ValueError, match="multilabel"):  # fastnn's class_weight: not for multilabel y
        MLPClassifier(class_weight="balanced").fit(X, Y3)


def test_predict_log_proba():
    ours = MLPClassifier(**SMALL).fit(X, Y)
    theirs = SkMLPClassifier(**SMALL).fit(X, Y)
    np.testing.assert_array_equal(ours.predict_log_proba(X), np.log(ours.predict_proba(X)))
    np.testing.assert_allclose(ours.predict_log_proba(X), theirs.predict_log_proba(X), rtol=RTOL)


def test_edited_coefs_take_effect():
    """As in scikit-learn, predictions are computed from coefs_ / intercepts_ as they are."""
    ours = MLPClassifier(**SMALL).fit(X, Y)
    theirs = SkMLPClassifier(**SMALL).fit(X, Y)
    for est in (ours, theirs):
        est.coefs_[0] = est.coefs_[0] * 2.0
        est.intercepts_[-1][:3] += 1.0
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=RTOL, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


# -------------------------------------------------------------- fastnn's class_weight


def _lr_weights(class_weight, classes, y, sample_weight):
    """LogisticRegression's recipe (sklearn.linear_model._logistic): the sample weights
    times ``compute_class_weight(class_weight, classes, y, sample_weight)`` of each row's
    class. A class whose rows all weigh 0 has an infinite "balanced" weight there (0 * inf
    = nan): fastnn gives it weight 0, so its rows weigh 0."""
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        per = compute_class_weight(class_weight, classes=classes, y=y, sample_weight=sw)
        weights = sw * per[np.searchsorted(classes, y)]
    return np.where(sw == 0, 0.0, weights)


@pytest.mark.parametrize("case", ["balanced", "balanced-weighted", "dict-weighted", "balanced-empty-class"])
def test_class_weight_multiplies_sample_weights_as_logistic_regression(case):
    """fastnn's extra ``class_weight``: the fit is scikit-learn's MLP fitted with the sample
    weights LogisticRegression would use."""
    names = np.array(["a", "b", "c"])
    labels = names[Y % 3]
    sw = np.random.RandomState(7).randint(1, 4, len(labels)).astype(float)
    cw, w = {"balanced": ("balanced", None), "balanced-weighted": ("balanced", sw),
             "dict-weighted": ({"a": 3.0, "c": 0.5}, sw),
             "balanced-empty-class": ("balanced", np.where(labels == "c", 0.0, sw))}[case]
    params = dict(SMALL, batch_size=60)
    ours = MLPClassifier(class_weight=cw, **params).fit(X, labels, sample_weight=w)
    theirs = SkMLPClassifier(**params).fit(X, labels, sample_weight=_lr_weights(cw, names, labels, w))
    _assert_close_params(ours, theirs)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=RTOL)
    assert list(ours.classes_) == ["a", "b", "c"]


def test_class_weight_in_partial_fit_and_errors():
    names = np.array(["a", "b", "c"])
    labels = names[Y % 3]
    cw = {"b": 2.5}
    ours = MLPClassifier(class_weight=cw, **SMALL)
    theirs = SkMLPClassifier(**SMALL)
    for rows in (slice(0, 100), slice(100, 240)):
        ours.partial_fit(X[rows], labels[rows], classes=names)
        theirs.partial_fit(X[rows], labels[rows], classes=names,
                           sample_weight=_lr_weights(cw, names, labels[rows], None))
    _assert_close_params(ours, theirs)
    with pytest.raises(ValueError, match="class labels as keys"):
        MLPClassifier(class_weight={"z": 2.0}).fit(X, labels)
    with pytest.raises(ValueError, match="partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, labels, classes=names)


# --------------------------------------------------------------- scikit-learn tooling


def test_pipeline_grid_search_and_cross_validation():
    """The same pipelines, grid search and cross-validation scores as with scikit-learn's
    estimator (the same fits: scores are fractions of equal predictions)."""
    X_all, y_all = load_digits(return_X_y=True)
    X_all, y_all = X_all[:300], y_all[:300]
    grid = {"mlp__alpha": [1e-4, 1e-1], "mlp__hidden_layer_sizes": [(16,), (32,)]}
    results = []
    for cls in (MLPClassifier, SkMLPClassifier):
        pipe = Pipeline([("scale", StandardScaler()), ("mlp", cls(max_iter=15, random_state=0))])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            search = GridSearchCV(pipe, grid, cv=3).fit(X_all, y_all)
            scores = cross_val_score(clone(pipe), X_all, y_all, cv=3)
        assert isinstance(search.best_estimator_.named_steps["mlp"], cls)
        results.append((search.cv_results_["mean_test_score"], search.best_params_, scores,
                        search.predict(X_all[:20])))
    ours, theirs = results
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == theirs[1]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    np.testing.assert_array_equal(ours[3], theirs[3])
    assert ours[2].mean() > 0.5  # they did learn something (chance is 0.1)


def test_model_files_stay_deepnetwork_only():
    """fastnn.save refuses the estimators (they pickle, tested above)."""
    with pytest.raises(TypeError):
        fastnn.save(MLPClassifier(), os.devnull)
