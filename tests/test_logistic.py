"""fastnn/logistic.py: LogisticRegression held to fastnn.reference and the course, float32,
and no hidden copy of ``X``."""

import numpy as np
import pytest

import fastnn
from fastnn import reference as R

from .helpers_models import _data


@pytest.mark.parametrize("layout", ["F", "C"])
def test_logistic_regression_matches_reference(layout, rng):
    X, Y = _data(rng, 20, 333)
    X = np.asfortranarray(X) if layout == "F" else np.ascontiguousarray(X)
    clf = fastnn.LogisticRegression(learning_rate=0.1, n_iterations=250, record_every=10).fit(X, Y)
    w, b, costs = R.logistic_regression(X, Y, 250, 0.1, record_every=10)
    np.testing.assert_allclose(clf.costs_, costs, rtol=1e-10)
    np.testing.assert_allclose(clf.w_, w, rtol=1e-9, atol=1e-12)
    assert clf.b_ == pytest.approx(b, rel=1e-9, abs=1e-12)
    np.testing.assert_array_equal(clf.predict(X), R.predict_logistic(w, b, X))
    np.testing.assert_allclose(clf.predict_proba(X), R.sigmoid(w.T @ X + b), rtol=1e-9)


def test_logistic_regression_float32_stays_float32(rng):
    X, Y = _data(rng, 10, 100, np.float32)
    clf = fastnn.LogisticRegression(n_iterations=20).fit(X, Y)
    assert clf.w_.dtype == np.float32 and clf.predict_proba(X).dtype == np.float32
    clf64 = fastnn.LogisticRegression(n_iterations=20, dtype="float64").fit(X, Y)
    assert clf64.w_.dtype == np.float64
    np.testing.assert_allclose(clf.w_, clf64.w_, rtol=1e-5, atol=1e-7)


@pytest.mark.data
def test_logistic_regression_on_cats_reproduces_reference_and_course(cat_data):
    X_train, Y_train, X_test, Y_test = cat_data
    clf = fastnn.LogisticRegression(learning_rate=0.005, n_iterations=2000).fit(X_train, Y_train)
    w, b, costs = R.logistic_regression(X_train, Y_train, 2000, 0.005)
    np.testing.assert_allclose(clf.costs_, costs, rtol=1e-10)
    # The course prints 0.693147 (iteration 0), 0.584508 (100) and 0.140872 (1900).
    np.testing.assert_allclose([clf.costs_[i] for i in (0, 1, 19)], [0.693147, 0.584508, 0.140872], rtol=0, atol=5e-7)
    assert 100 * clf.score(X_train, Y_train) == pytest.approx(99.04306220095694, rel=1e-12)
    assert 100 * clf.score(X_test, Y_test) == pytest.approx(70.0, rel=1e-12)


@pytest.mark.parametrize("copy_X", [False, True])
def test_logistic_regression_keeps_no_hidden_copy_of_X(copy_X):
    """A C-ordered X is read in place (the feature-major step) unless copy_X asks for the
    example-major copy: peak memory of a fit (tracemalloc sees NumPy's allocations) stays
    below a tenth of X, or holds one more X when asked. Both layouts give the same model up
    to the summation order (1e-12)."""
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 8000))  # 32 MB, C-ordered
    Y = (rng.random((1, 8000)) > 0.5).astype(np.float64)
    clf = fastnn.LogisticRegression(n_iterations=3, copy_X=copy_X)
    # compile (the parallel variant, for this layout: more than SMALL_COPY elements) outside
    # the measurement
    clf.fit(np.ascontiguousarray(X[:, :2200]), Y[:, :2200])
    tracemalloc.start()
    clf.fit(X, Y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    if copy_X:
        assert peak >= X.nbytes
    else:
        assert peak < 0.1 * X.nbytes, peak
    ref = fastnn.LogisticRegression(n_iterations=3).fit(np.asfortranarray(X), Y)
    np.testing.assert_allclose(clf.w_, ref.w_, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(clf.costs_, ref.costs_, rtol=1e-12)
