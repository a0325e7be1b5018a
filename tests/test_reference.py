"""The reference proved right independently: published course values, finite differences,
and its two logistic-regression formulations against each other."""

import numpy as np
import pytest

from fastnn import reference as R
from fastnn.datasets import flatten_images, load_planar

# ---------------------------------------------------------------- published course values


def test_sigmoid_course_values():
    # The course prints 8 decimals: agree to half a unit of the last printed digit.
    np.testing.assert_allclose(R.sigmoid(np.array([0.0, 2.0])), [0.5, 0.88079708], rtol=0, atol=5e-9)


W2_CASE = dict(
    w=np.array([[1.0], [2.0]]),
    b=2.0,
    X=np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]),
    Y=np.array([[1, 0, 1]]),
)


@pytest.mark.parametrize("propagate", [R.logistic_propagate, R.logistic_propagate_loop])
def test_logistic_propagate_course_values(propagate):
    grads, cost = propagate(**W2_CASE)
    np.testing.assert_allclose(grads["dw"], [[0.99845601], [2.39507239]], rtol=0, atol=5e-9)
    assert grads["db"] == pytest.approx(0.00145557813678, rel=1e-10)
    assert cost == pytest.approx(5.801545319394553, rel=1e-14)


def test_initialize_parameters_course_values():
    W1 = R.initialize_parameters([5, 4, 3], init="small", seed=3)["W1"]
    np.testing.assert_allclose(
        W1[0], [0.01788628, 0.0043651, 0.00096497, -0.01863493, -0.00277388], rtol=0, atol=5e-9
    )


def test_initialize_parameters_shapes_scales_and_stream():
    dims = [6, 5, 4, 1]
    for init, scale in [
        ("small", lambda p, n: 0.01),
        ("lecun", lambda p, n: 1 / np.sqrt(p)),
        ("he", lambda p, n: np.sqrt(2 / p)),
        ("xavier", lambda p, n: np.sqrt(2 / (p + n))),
    ]:
        params = R.initialize_parameters(dims, init=init, seed=7)
        rs = np.random.RandomState(7)  # one stream, layers in order
        assert sorted(params) == ["W1", "W2", "W3", "b1", "b2", "b3"]
        for l in range(1, len(dims)):
            expected = rs.randn(dims[l], dims[l - 1]) * scale(dims[l - 1], dims[l])
            np.testing.assert_array_equal(params[f"W{l}"], expected)
            np.testing.assert_array_equal(params[f"b{l}"], np.zeros((dims[l], 1)))
    assert R.initialize_parameters(dims, dtype=np.float32, seed=1)["W2"].dtype == np.float32


@pytest.mark.data
def test_logistic_regression_on_cats_matches_course(cat_data):
    X_train, Y_train, X_test, Y_test = cat_data
    w, b, costs = R.logistic_regression(X_train, Y_train, n_iterations=2000, learning_rate=0.005)
    assert len(costs) == 20
    assert costs[0] == pytest.approx(0.693147, abs=1e-6)
    # The course notebook prints "Cost after iteration 100: 0.584508".
    assert costs[1] == pytest.approx(0.584508, abs=1e-6)
    train_acc = 100 - np.mean(np.abs(R.predict_logistic(w, b, X_train) - Y_train)) * 100
    test_acc = 100 - np.mean(np.abs(R.predict_logistic(w, b, X_test) - Y_test)) * 100
    assert train_acc == pytest.approx(99.04306220095694, rel=1e-12)
    assert test_acc == pytest.approx(70.0, rel=1e-12)


@pytest.mark.data
@pytest.mark.slow
def test_deep_network_on_cats_matches_course(cat_data):
    X_train, Y_train, X_test, Y_test = cat_data
    params, costs = R.train_network(
        X_train, Y_train, [12288, 20, 7, 5, 1], n_iterations=2500, learning_rate=0.0075,
        init="lecun", seed=1,
    )
    assert costs[0] == pytest.approx(0.771749, abs=1e-6)
    # The course notebook prints "Cost after iteration 100: 0.672053".
    assert costs[1] == pytest.approx(0.672053, abs=1e-6)
    m_train, m_test = Y_train.shape[1], Y_test.shape[1]
    assert np.sum(R.predict(X_train, params) == Y_train) / m_train == pytest.approx(
        0.9856459330143539, rel=1e-12
    )
    assert np.sum(R.predict(X_test, params) == Y_test) / m_test == pytest.approx(0.8, rel=1e-12)


# ---------------------------------------------------------- internal consistency


def test_loop_and_vectorised_logistic_agree(rng):
    n_x, m = 13, 41
    w = rng.standard_normal((n_x, 1))
    X = rng.standard_normal((n_x, m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    g_vec, c_vec = R.logistic_propagate(w, 0.3, X, Y)
    g_loop, c_loop = R.logistic_propagate_loop(w, 0.3, X, Y)
    np.testing.assert_allclose(g_loop["dw"], g_vec["dw"], rtol=1e-12, atol=1e-15)
    assert g_loop["db"] == pytest.approx(g_vec["db"], rel=1e-12, abs=1e-15)
    assert c_loop == pytest.approx(c_vec, rel=1e-12)


def test_cost_from_logits_matches_cost_of_probabilities(rng):
    Z = rng.standard_normal((1, 50)) * 3
    Y = (rng.random((1, 50)) > 0.5).astype(float)
    assert R.cost_from_logits(Z, Y) == pytest.approx(R.compute_cost(R.sigmoid(Z), Y), rel=1e-13)


@pytest.mark.parametrize("z", [40.0, 800.0, 1e4])
def test_saturation_is_finite_and_exact(z):
    Z = np.array([[z, -z, z, -z]])
    Y = np.array([[1.0, 0.0, 0.0, 1.0]])  # two right, two wrong with margin |z|
    # Underflow of exp(-|z|) to 0 is the correct result and NumPy ignores it by default.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A = R.sigmoid(Z)
        assert R.cost_from_logits(Z, Y) == pytest.approx(z / 2, rel=1e-12)
        assert np.isfinite(R.compute_cost(A, Y))


def test_sigmoid_no_overflow_and_dtype():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = R.sigmoid(np.array([-1e4, -800.0, 0.0, 800.0, 1e4]))
    np.testing.assert_array_equal(s, [0.0, 0.0, 0.5, 1.0, 1.0])
    assert R.sigmoid(np.zeros(3, dtype=np.float32)).dtype == np.float32


def test_update_parameters_does_not_mutate():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))}
    grads = {"dW1": np.ones((2, 2)), "db1": np.ones((2, 1))}
    new = R.update_parameters(params, grads, 0.5)
    np.testing.assert_array_equal(params["W1"], np.ones((2, 2)))
    np.testing.assert_array_equal(new["W1"], np.full((2, 2), 0.5))
    np.testing.assert_array_equal(new["b1"], np.full((2, 1), -0.5))


# ------------------------------------------------------------- finite differences


# A seed whose 4-layer ReLU net keeps live units in every layer on this data, so the
# check covers every parameter (the test asserts it does).
SEED = 2


def _cost(params, X, Y, act):
    L = len(params) // 2
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        if l == L:
            return R.cost_from_logits(Z, Y)
        A = R.ACTIVATIONS[act][0](Z)


@pytest.mark.parametrize("act", ["sigmoid", "relu", "tanh"])
@pytest.mark.parametrize("dims", [[4, 3, 1], [5, 4, 3, 2, 1]])
def test_model_backward_matches_central_differences(act, dims, rng):
    m = 9
    X = rng.standard_normal((dims[0], m))
    Y = (rng.random((1, m)) > 0.5).astype(float)
    params = R.initialize_parameters(dims, init="he", seed=SEED)
    for l in range(1, len(dims)):  # positive biases: nonzero db and few dead ReLUs
        params[f"b{l}"] = rng.uniform(0.1, 0.5, (dims[l], 1))
    AL, caches = R.model_forward(X, params, act)
    grads = R.model_backward(AL, Y, caches, act)
    h = 1e-6
    analytic, numeric = [], []
    for name, value in params.items():
        for idx in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += h
            minus[name][idx] -= h
            numeric.append((_cost(plus, X, Y, act) - _cost(minus, X, Y, act)) / (2 * h))
            analytic.append(grads["d" + name][idx])
    analytic, numeric = np.array(analytic), np.array(numeric)
    # The course's gradient check: one relative difference over all parameters at once
    # (per-parameter ratios blow up for gradients near 0, where h=1e-6 leaves ~1e-10 of
    # round-off in each difference quotient).
    assert np.count_nonzero(analytic) > analytic.size // 2  # not a dead network
    rel = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert rel < 1e-7, rel
    # dA0 is the gradient with respect to X.
    numeric = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        Xp, Xm = X.copy(), X.copy()
        Xp[idx] += h
        Xm[idx] -= h
        numeric[idx] = (_cost(params, Xp, Y, act) - _cost(params, Xm, Y, act)) / (2 * h)
    # dA0 = W1^T dZ1 is not divided by m: the cost's 1/m sits in dZ only through dW/db.
    rel = np.linalg.norm(grads["dA0"] / m - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-7


# ----------------------------------------------------------------------------- datasets


def test_load_planar_is_the_course_flower():
    X, Y = load_planar()
    assert X.shape == (2, 400) and Y.shape == (1, 400)
    assert np.sum(Y == 0) == 200 and np.sum(Y == 1) == 200
    X2, Y2 = load_planar()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(Y, Y2)
    # Independent re-derivation of the first point from the documented recipe.
    rs = np.random.RandomState(1)
    t = np.linspace(0, 3.12, 200) + rs.randn(200) * 0.2
    r = 4 * np.sin(4 * t) + rs.randn(200) * 0.2
    np.testing.assert_array_equal(X[:, :200], np.vstack([r * np.sin(t), r * np.cos(t)]))


@pytest.mark.data
def test_cat_data_matches_course_sanity_checks(cat_data):
    X_train, Y_train, X_test, Y_test = cat_data
    assert X_train.shape == (12288, 209) and Y_train.shape == (1, 209)
    assert X_test.shape == (12288, 50) and Y_test.shape == (1, 50)
    np.testing.assert_array_equal(np.rint(X_train[0:5, 0] * 255), [17, 31, 56, 22, 33])
    np.testing.assert_array_equal(
        np.rint(X_train[0:10, 1] * 255), [196, 192, 190, 193, 186, 182, 188, 179, 174, 213]
    )
    np.testing.assert_array_equal(
        np.rint(X_test[0:10, 1] * 255), [115, 110, 111, 137, 129, 129, 155, 146, 145, 159]
    )
    assert Y_train[0, 25] == 1 and Y_train[0, 10] == 0
    assert Y_train.sum() == 72 and Y_test.sum() == 33


def test_flatten_images_layout():
    images = np.arange(2 * 3 * 4 * 3, dtype=np.uint8).reshape(2, 3, 4, 3)
    X = flatten_images(images)
    assert X.shape == (36, 2) and X.flags.f_contiguous
    np.testing.assert_array_equal(X[:, 1] * 255, images[1].ravel())
    with pytest.raises(ValueError, match="images"):
        flatten_images(np.zeros((3, 4)))


def test_load_cat_missing_directory_says_where(tmp_path, monkeypatch):
    from fastnn.datasets import load_cat

    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_cat(tmp_path)
    monkeypatch.delenv("FASTNN_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="FASTNN_DATA"):
        load_cat()
