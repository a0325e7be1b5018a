"""fastnn.sklearn: MLPClassifier / MLPRegressor as scikit-learn estimators.

scikit-learn's own estimator checks (every one generated for the defaults, none waived) and
scikit-learn's own test file for its MLPs run against fastnn's estimators; then what those
do not pin down, each compared with what scikit-learn's own estimator does on the same
input: parameter validation and error messages, pickling and read-only memmaps, sparse and
pandas input, labels, fastnn's ``class_weight`` and ``dtype``, pipelines and grid search,
patching scikit-learn (``patch_sklearn``, ``python -m fastnn.sklearn``) and the conversions
to and from scikit-learn's estimators. The numerical parity of the fits, option by option,
is in ``test_sklearn_parity.py`` (its docstring explains the tolerances: ``RTOL = 1e-9``
relative for float64 fits that agree to ~1e-15, rounding only).

Exact equalities below are between two runs of the same code on the same numbers
(pickled copy, dense vs densified sparse input, a conversion's copies).
"""

import importlib.util
import os
import pickle
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

import joblib  # noqa: E402  (a scikit-learn dependency)
import sklearn.neural_network  # noqa: E402
import sklearn.neural_network._multilayer_perceptron as sk_mlp_module  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import fastnn  # noqa: E402
import fastnn.sklearn  # noqa: E402
from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

# Numerical tolerance against scikit-learn's fits: see test_sklearn_parity.py.
RTOL = 1e-9

# Small fits stop at max_iter on purpose (in both libraries).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_DIGITS_X, _DIGITS_Y = load_digits(return_X_y=True)
X = _DIGITS_X[:240] / 16.0
Y = _DIGITS_Y[:240]
SMALL = dict(hidden_layer_sizes=(20,), max_iter=5, random_state=0)

assert SkMLPClassifier.__module__.startswith("sklearn."), "scikit-learn was left patched"


def _params(est):
    return list(est.coefs_) + list(est.intercepts_)


def _same(a, b):
    """Bit-for-bit equality of two lists of arrays."""
    return len(a) == len(b) and all(x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
                                    for x, y in zip(a, b))


def _assert_close_params(ours, theirs, rtol=RTOL):
    """Weights equal to ``rtol`` relative to each array's largest entry."""
    for a, b in zip(_params(ours), _params(theirs), strict=True):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.abs(b).max())


def _raised(call):
    """The exception ``call()`` raises (it must raise one)."""
    try:
        call()
    except Exception as exc:  # noqa: BLE001 - any type: compared by the caller
        return exc
    raise AssertionError("no exception raised")


def _assert_same_error(call, ours, theirs):
    """``call(ours)`` and ``call(theirs)`` raise the same exception type with the same
    message; returns fastnn's exception."""
    mine, sk = _raised(lambda: call(ours)), _raised(lambda: call(theirs))
    assert type(mine) is type(sk), (mine, sk)
    assert str(mine) == str(sk)
    return mine


# --------------------------------------------------------------- scikit-learn's checks


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


# ------------------------------------------------------------ parameters and errors

BAD_VALUES = [("activation", "softplus"), ("solver", "newton"), ("alpha", -1.0), ("batch_size", 0),
              ("batch_size", "big"), ("learning_rate", "cyclic"), ("learning_rate_init", 0.0), ("power_t", -1.0),
              ("max_iter", 0), ("shuffle", "yes"), ("random_state", "seed"), ("tol", -1.0), ("verbose", "loud"),
              ("warm_start", 2), ("momentum", 1.5), ("nesterovs_momentum", None), ("early_stopping", "no"),
              ("validation_fraction", 1.0), ("beta_1", 1.0), ("beta_2", -0.1), ("epsilon", 0.0),
              ("n_iter_no_change", 0), ("max_fun", 0), ("hidden_layer_sizes", -1), ("hidden_layer_sizes", "wide")]


@pytest.mark.parametrize("kind", ["clf", "reg"])
@pytest.mark.parametrize("name, value", BAD_VALUES, ids=[f"{n}={v!r}" for n, v in BAD_VALUES])
def test_invalid_parameters_raise_sklearns_error(kind, name, value):
    """scikit-learn's InvalidParameterError (a ValueError), its message word for word, at
    fit and at the first partial_fit."""
    ours_cls, sk_cls = (MLPClassifier, SkMLPClassifier) if kind == "clf" else (MLPRegressor, SkMLPRegressor)
    y = Y % 2 if kind == "clf" else Y / 9.0
    fit = _assert_same_error(lambda est: est.fit(X, y), ours_cls(**{name: value}), sk_cls(**{name: value}))
    assert isinstance(fit, InvalidParameterError) and isinstance(fit, ValueError)
    assert f"'{name}' parameter" in str(fit)
    # (a bad solver: the classifier has no partial_fit, an AttributeError, in both)
    kwargs = {"classes": [0, 1]} if kind == "clf" else {}
    _assert_same_error(lambda est: est.partial_fit(X, y, **kwargs), ours_cls(**{name: value}),
                       sk_cls(**{name: value}))


def test_invalid_loss_and_hidden_layer_sizes():
    err = _assert_same_error(lambda est: est.fit(X, Y / 9.0), MLPRegressor(loss="huber"), SkMLPRegressor(loss="huber"))
    assert isinstance(err, InvalidParameterError) and "'loss' parameter" in str(err)
    # (5, 0) passes the declared constraint (array-like); _fit refuses it, with a plain ValueError
    err = _assert_same_error(lambda est: est.fit(X, Y), MLPClassifier(hidden_layer_sizes=(5, 0)),
                             SkMLPClassifier(hidden_layer_sizes=(5, 0)))
    assert "hidden_layer_sizes" in str(err)


@pytest.mark.parametrize("name, value", [("keep_prob", 0.0), ("keep_prob", 1.5), ("dtype", "float16"),
                                         ("dtype", 3), ("class_weight", "auto")])
def test_fastnn_parameters_are_validated_as_sklearns(name, value):
    """fastnn's own parameters go through scikit-learn's validation too: the same error
    type and message form, naming the parameter."""
    with pytest.raises(InvalidParameterError, match=rf"The '{name}' parameter of MLPClassifier must be .* Got "):
        MLPClassifier(**{name: value}).fit(X, Y)


def test_dtype_of_a_type_fastnn_does_not_compute_in():
    with pytest.raises(ValueError, match="dtype"):
        MLPClassifier(dtype=np.float16).fit(X, Y)


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


# ------------------------------------------------------------------------ labels


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


# --------------------------------------------------------- fastnn's class_weight, dtype


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


def test_dtypes_follow_x_or_the_dtype_parameter():
    """None: X's float dtype (float32 stays float32, integers become float64), as
    scikit-learn; dtype= forces it (the fit scikit-learn makes on X in that dtype, see
    test_sklearn_parity.py)."""
    X32 = X.astype(np.float32)
    f32 = MLPClassifier(**SMALL).fit(X32, Y)
    forced = MLPClassifier(dtype="float32", **SMALL).fit(X, Y)
    assert f32.coefs_[0].dtype == forced.coefs_[0].dtype == SkMLPClassifier(**SMALL).fit(X32, Y).coefs_[0].dtype
    assert _same(_params(forced), _params(f32))  # X converted to float32 first: the same numbers
    ints = (X * 16).astype(np.int32)
    assert MLPRegressor(**SMALL).fit(ints, Y).coefs_[0].dtype == \
        SkMLPRegressor(**SMALL).fit(ints, Y).coefs_[0].dtype == np.float64
    assert MLPClassifier(dtype=np.float64, **SMALL).fit(X32, Y).coefs_[0].dtype == np.float64


# ------------------------------------------------------------ scikit-learn tooling


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


# ------------------------------------------------------------------------- patching


def test_patch_and_unpatch_sklearn():
    assert not fastnn.sklearn.sklearn_is_patched()
    try:
        fastnn.sklearn.patch_sklearn()
        fastnn.sklearn.patch_sklearn()  # twice: still restorable
        from sklearn.neural_network import MLPClassifier as Patched
        from sklearn.neural_network import MLPRegressor as PatchedRegressor

        assert Patched is MLPClassifier and PatchedRegressor is MLPRegressor
        assert sk_mlp_module.MLPClassifier is MLPClassifier and sk_mlp_module.MLPRegressor is MLPRegressor
        assert fastnn.sklearn.sklearn_is_patched()
        # a name bound before the patch keeps scikit-learn's class; conversions still give it
        assert SkMLPClassifier is not MLPClassifier
        est = Patched(**SMALL).fit(X, Y)
        assert type(est.to_sklearn()) is SkMLPClassifier
    finally:
        fastnn.sklearn.unpatch_sklearn()
    assert not fastnn.sklearn.sklearn_is_patched()
    from sklearn.neural_network import MLPClassifier as Restored
    from sklearn.neural_network import MLPRegressor as RestoredRegressor

    assert Restored is SkMLPClassifier and RestoredRegressor is SkMLPRegressor
    assert sk_mlp_module.MLPClassifier is SkMLPClassifier and sk_mlp_module.MLPRegressor is SkMLPRegressor
    assert sklearn.neural_network.MLPClassifier is SkMLPClassifier


def test_python_m_fastnn_sklearn_runs_a_script_patched(tmp_path):
    """``python -m fastnn.sklearn script.py args``: the script runs as ``__main__`` with its
    arguments and its own directory on sys.path, and sees fastnn's estimators."""
    (tmp_path / "helper_module.py").write_text("VALUE = 'helper found'\n")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        import helper_module
        print(MLPClassifier.__module__)
        print(MLPRegressor.__module__)
        print(sys.argv[1:])
        print(__name__, helper_module.VALUE)
    """))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-m", "fastnn.sklearn", str(script), "arg1", "--flag", "two words"],
                            cwd=elsewhere, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [MLPClassifier.__module__, MLPRegressor.__module__,
                                          "['arg1', '--flag', 'two words']", "__main__ helper found"]
    assert MLPClassifier.__module__.startswith("fastnn.sklearn")
    usage = subprocess.run([sys.executable, "-m", "fastnn.sklearn"], env=dict(os.environ), capture_output=True,
                           text=True, timeout=300)
    assert usage.returncode == 2 and "usage" in usage.stdout
    helped = subprocess.run([sys.executable, "-m", "fastnn.sklearn", "--help"], env=dict(os.environ),
                            capture_output=True, text=True, timeout=300)
    assert helped.returncode == 0 and "usage" in helped.stdout


# ------------------------------------------------------------------------ conversion


@pytest.mark.parametrize("case", ["multiclass", "binary", "multilabel", "regression", "poisson", "float32"])
def test_to_sklearn_gives_sklearns_estimator_with_the_same_predictions(case):
    kind = "reg" if case in ("regression", "poisson") else "clf"
    Xf = X.astype(np.float32) if case == "float32" else X
    y = {"binary": Y % 2, "multilabel": np.stack([Y % 2, Y < 5], axis=1).astype(int), "regression": Y / 9.0,
         "poisson": Y.astype(float)}.get(case, Y)
    params = dict(SMALL, loss="poisson") if case == "poisson" else dict(SMALL)
    ours = (MLPClassifier if kind == "clf" else MLPRegressor)(**params).fit(Xf, y)
    sk = ours.to_sklearn()
    assert type(sk) is (SkMLPClassifier if kind == "clf" else SkMLPRegressor)
    assert type(fastnn.sklearn.to_sklearn(ours)) is type(sk)
    assert sk.get_params() == {k: v for k, v in ours.get_params().items()
                               if k not in ("class_weight", "dtype", "keep_prob")}
    assert _same(_params(sk), _params(ours))
    assert not any(np.shares_memory(a, b) for a, b in zip(_params(sk), _params(ours)))  # copies
    if kind == "clf":
        np.testing.assert_array_equal(sk.predict(Xf), ours.predict(Xf))
    # the same weights; the products summed in another order: rounding of X's dtype
    # (measured: 6e-17 in float64, 5e-8 in float32)
    tol = 1e-6 if case == "float32" else 1e-12
    if kind == "clf":
        np.testing.assert_allclose(sk.predict_proba(Xf), ours.predict_proba(Xf), rtol=0, atol=tol)
        assert sk.predict_proba(Xf).dtype == ours.predict_proba(Xf).dtype
    else:
        np.testing.assert_allclose(sk.predict(Xf), ours.predict(Xf), rtol=tol)
    assert sk.score(Xf, y) == pytest.approx(ours.score(Xf, y), rel=tol)
    assert sk.loss_curve_ == ours.loss_curve_ and sk.n_iter_ == ours.n_iter_ and sk.t_ == ours.t_


def test_to_sklearn_refuses_dropout():
    est = MLPClassifier(keep_prob=0.8, **SMALL).fit(X, Y)
    with pytest.raises(ValueError, match="keep_prob"):
        est.to_sklearn()


@pytest.mark.parametrize("kind", ["clf", "reg"])
def test_from_sklearn_round_trip(kind):
    ours_cls, sk_cls = (MLPClassifier, SkMLPClassifier) if kind == "clf" else (MLPRegressor, SkMLPRegressor)
    y = Y if kind == "clf" else Y / 9.0
    params = dict(SMALL, alpha=0.01) if kind == "clf" else dict(SMALL, loss="poisson")
    sk = sk_cls(**params).fit(X, y if kind == "clf" else Y)
    for converted in (ours_cls.from_sklearn(sk), fastnn.sklearn.from_sklearn(sk)):
        assert type(converted) is ours_cls
        assert {k: v for k, v in converted.get_params().items() if k in sk.get_params()} == sk.get_params()
        assert _same(_params(converted), _params(sk))
        assert not any(np.shares_memory(a, b) for a, b in zip(_params(converted), _params(sk)))
        out = "predict_proba" if kind == "clf" else "predict"
        np.testing.assert_allclose(getattr(converted, out)(X), getattr(sk, out)(X), rtol=1e-12, atol=1e-12)
        back = converted.to_sklearn()
        assert type(back) is sk_cls and back.get_params() == sk.get_params() and _same(_params(back), _params(sk))
    ours = ours_cls(**params).fit(X, y if kind == "clf" else Y)
    again = ours_cls.from_sklearn(ours.to_sklearn())
    assert again.get_params() == ours.get_params() and _same(_params(again), _params(ours))


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_converted_model_continues_as_sklearn_would(solver):
    """The conversions carry the fitted state and the optimizer's (Adam's moments and step
    count, SGD's velocities and learning rate): a ``partial_fit`` or ``warm_start`` fit after
    a conversion, either way, continues exactly as the original estimator continues."""
    params = dict(SMALL, solver=solver, warm_start=True)
    sk = SkMLPClassifier(**params).fit(X, Y)
    ours = MLPClassifier.from_sklearn(sk)
    assert ours._optimizer.t == getattr(sk._optimizer, "t", 0)
    for est in (ours, sk):
        est.partial_fit(X, Y)
        est.fit(X, Y)
    _assert_close_params(ours, sk)
    assert ours.n_iter_ == sk.n_iter_ and ours.t_ == sk.t_
    np.testing.assert_allclose(ours.loss_curve_, sk.loss_curve_, rtol=RTOL)

    fitted = MLPClassifier(**params).fit(X, Y)
    exported = fitted.to_sklearn()
    assert type(exported._optimizer).__module__.startswith("sklearn.")
    for est in (fitted, exported):
        est.partial_fit(X, Y)
    _assert_close_params(fitted, exported)
    np.testing.assert_allclose(fitted.loss_curve_, exported.loss_curve_, rtol=RTOL)
