"""fastnn/sklearn/_params.py: the estimators' parameters validated as scikit-learn validates
its own (the same error types and messages, fastnn's three parameters too), and the dtype a
fit computes in."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

from .helpers import SMALL, X, Y, _assert_same_error, _params, _same  # noqa: E402

# Small fits stop at max_iter on purpose (in both libraries).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
