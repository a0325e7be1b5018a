"""fastnn/sklearn/conversion.py: fitted estimators converted to and from scikit-learn's (the
same parameters, copies, the same predictions, a fit that continues as the original would).

Exact equalities below are between a conversion's copies and the original."""

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402

import fastnn.sklearn  # noqa: E402
from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

from .helpers import RTOL, SMALL, X, Y, _assert_close_params, _params, _same  # noqa: E402

# Small fits stop at max_iter on purpose (in both libraries).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


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
