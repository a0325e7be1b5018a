"""fastnn/_base.py: what both models share (inputs left unmodified, the "not fitted" check),
and their save / load round trip."""

import numpy as np
import pytest

import fastnn

from .helpers_models import _data


def test_fit_does_not_modify_inputs(rng):
    X, Y = _data(rng, 6, 40)
    X0, Y0 = X.copy(), Y.copy()
    fastnn.DeepNetwork([6, 4, 1], n_iterations=5).fit(X, Y)
    fastnn.LogisticRegression(n_iterations=5).fit(X, Y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)


def test_unfitted_model_says_so(rng):
    X, Y = _data(rng, 3, 5)
    with pytest.raises(RuntimeError, match="not fitted"):
        fastnn.DeepNetwork([3, 1]).predict(X)
    with pytest.raises(RuntimeError, match="not fitted"):
        fastnn.LogisticRegression().score(X, Y)


@pytest.mark.parametrize("make", [
    lambda: fastnn.DeepNetwork([5, 3, 1], hidden_activation="tanh", n_iterations=30, dtype="float32"),
    lambda: fastnn.LogisticRegression(n_iterations=30),
])
def test_save_load_round_trip(make, tmp_path, rng):
    X, Y = _data(rng, 5, 50)
    model = make().fit(X, Y)
    model.save(tmp_path / "m.npz")
    back = fastnn.load(tmp_path / "m.npz")
    assert type(back) is type(model)
    np.testing.assert_array_equal(back.predict_proba(X), model.predict_proba(X))
    assert back.costs_ == model.costs_ and back.n_iter_ == model.n_iter_
