"""fastnn/outputs.py: multi-class (softmax) and regression (identity) networks: gradients,
predictions, probabilities and scores, and the class labels' checks.

Gradient tolerances as in tests/test_network.py: fastnn and the reference sum the same terms
in different orders, so the bound is 1e-12 (float64) / 1e-5 (float32) of the magnitude of
the terms summed into each gradient entry."""

import numpy as np
import pytest

import fastnn
from fastnn import reference as R

from .kernel_cases import reference_gradient_bounds


ACTS = ["relu", "tanh", "sigmoid"]


def _data(rng, n_x, m, K, dtype=np.float64):
    X = rng.standard_normal((n_x, m)).astype(dtype)
    labels = rng.integers(0, K, m)
    return X, labels


def _net(dims, act, X, Y, output=None, seed=3, dtype=None):
    """A fitted-by-zero-iterations network with nonzero biases (so db is exercised)."""
    net = fastnn.DeepNetwork(dims, hidden_activation=act, init="he", seed=seed, n_iterations=0, output=output,
                             dtype=dtype).fit(X, Y)
    rng = np.random.default_rng(seed)
    for key, value in net.parameters_.items():
        if key.startswith("b"):
            value[...] = rng.uniform(-0.3, 0.3, value.shape)
    return net


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("dims", [[3, 2], [5, 4, 3], [6, 5, 4, 10], [20, 7, 5, 4]])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_softmax_gradients_match_reference_float64(act, dims, layout, rng):
    X, labels = _data(rng, dims[0], 257, dims[-1])
    Y = labels[None, :]
    net = _net(dims, act, X, Y)
    Xl = np.asfortranarray(X) if layout == "F" else X
    grads = net.gradients(Xl, Y)
    ref, bounds = reference_gradient_bounds(net.parameters_, X, Y, act, "softmax")
    for key, value in grads.items():
        assert value.dtype == np.float64 and value.shape == ref[key].shape
        np.testing.assert_array_less(np.abs(value - ref[key]), 1e-12 * (np.abs(ref[key]) + bounds[key]) + 1e-300)
    AL, _ = R.model_forward(X, net.parameters_, act, "softmax")
    assert net.cost(X, Y) == pytest.approx(R.compute_cost(AL, Y, "softmax"), rel=1e-12)
    # the one-hot form of the same targets gives the same numbers
    onehot = R._one_hot(Y, dims[-1])
    for key, value in net.gradients(X, onehot).items():
        np.testing.assert_array_equal(value, grads[key])


@pytest.mark.parametrize("output, K", [("softmax", 4), ("identity", 3), ("sigmoid", 3)])
def test_heads_gradients_match_reference_float32(output, K, rng):
    """float32 end to end against the float64 reference on the same values: 1e-5 of the
    terms' magnitudes (each float32 operation rounds at 6e-8)."""
    dims = [30, 8, 6, K]
    X = rng.standard_normal((30, 300)).astype(np.float32)
    if output == "softmax":
        Y = rng.integers(0, K, (1, 300))
    elif output == "sigmoid":
        Y = (rng.random((K, 300)) < 0.5).astype(np.float64)
    else:
        Y = rng.standard_normal((K, 300))
    net = _net(dims, "tanh", X, Y, output=output)
    grads = net.gradients(X, Y)
    params64 = {k: v.astype(np.float64) for k, v in net.parameters_.items()}
    ref, bounds = reference_gradient_bounds(params64, X.astype(np.float64), Y, "tanh", output)
    for key, value in grads.items():
        assert value.dtype == np.float32
        np.testing.assert_array_less(np.abs(value - ref[key]), 1e-5 * (np.abs(ref[key]) + bounds[key]))


def test_softmax_gradients_match_torch_autograd(rng):
    """An oracle independent of fastnn.reference (skipped without torch)."""
    torch = pytest.importorskip("torch")
    dims = [6, 5, 4, 3]
    X, labels = _data(rng, 6, 11, 3)
    for act in ACTS:
        net = _net(dims, act, X, labels[None, :], seed=7)
        T = {k: torch.tensor(v, requires_grad=True) for k, v in net.parameters_.items()}
        A = torch.tensor(X)
        g = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
        for l in range(1, 4):
            Z = T[f"W{l}"] @ A + T[f"b{l}"]
            A = Z if l == 3 else g(Z)
        cost = torch.nn.functional.cross_entropy(A.T, torch.tensor(labels))
        cost.backward()
        grads = net.gradients(X, labels[None, :])
        assert net.cost(X, labels[None, :]) == pytest.approx(cost.item(), rel=1e-12)
        for key, t in T.items():
            np.testing.assert_allclose(grads["d" + key], t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_predictions_probabilities_and_score(rng):
    X, labels = _data(rng, 4, 90, 3)
    X[0] += 3 * labels  # learnable
    net = fastnn.DeepNetwork([4, 8, 3], n_iterations=200, learning_rate=0.5, record_every=50).fit(X, labels[None, :])
    P = net.predict_proba(X)
    assert P.shape == (3, 90) and P.dtype == np.float64
    np.testing.assert_allclose(P.sum(axis=0), 1.0, rtol=1e-14)
    pred = net.predict(X)
    assert pred.shape == (1, 90) and pred.dtype == np.int64
    np.testing.assert_array_equal(pred[0], np.argmax(P, axis=0))
    assert net.score(X, labels[None, :]) == pytest.approx(np.mean(pred[0] == labels), rel=1e-15)
    assert net.score(X, labels[None, :]) > 0.9
    assert net.output_ == "softmax"
    # the reference predicts the same classes from the same parameters
    np.testing.assert_array_equal(pred, R.predict(X, net.parameters_, "relu", "softmax"))


@pytest.mark.parametrize("Y, match", [
    (np.array([[0, 1, 3, 2]]), r"^Y: class labels must be integers 0\.\.2 .*found 3"),
    (np.array([[0, -1, 1, 2]]), r"^Y: class labels must be integers 0\.\.2 .*found -1"),
    (np.array([[0, 1.5, 1, 2]]), r"^Y: class labels must be integers 0\.\.2, found 1\.5"),
    (np.array([[1, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1]]), r"^Y: every column of a one-hot matrix must sum to 1; column 3 sums to 2"),
    (np.array([[1, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0.5, 1]]), r"^Y: a one-hot matrix holds only 0 and 1, found 0\.5"),
    (np.zeros((2, 4)), r"^Y: expected class labels of shape \(1, 4\) or a one-hot matrix of shape \(3, 4\) for 3 classes, got shape \(2, 4\)"),
    (np.array([0, 1, 2, 0]), r"^Y: expected shape \(1, 4\).*\(4,\).*reshape"),
    (np.array([[0.0, 1.0, np.nan, 2.0]]), r"^Y: contains NaN or inf \(first at index \(0, 2\)\)"),
    (np.array([["a", "b", "c", "a"]]), r"^Y: expected a real numeric dtype"),
])
def test_bad_class_labels_name_Y(Y, match):
    X = np.ones((2, 4))
    net = fastnn.DeepNetwork([2, 3], n_iterations=1)
    with pytest.raises((ValueError, TypeError), match=match):
        net.fit(X, Y)


@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int64, np.float32, np.float64, bool])
def test_labels_of_any_integer_dtype_or_integral_floats(dtype):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((3, 20))
    labels = rng.integers(0, 2, 20)
    base = fastnn.DeepNetwork([3, 4, 2], n_iterations=5).fit(X, labels[None, :].astype(np.int64))
    net = fastnn.DeepNetwork([3, 4, 2], n_iterations=5).fit(X, labels[None, :].astype(dtype))
    for key in base.parameters_:
        assert net.parameters_[key].tobytes() == base.parameters_[key].tobytes()


def test_softmax_needs_two_units_and_identity_has_no_probabilities(rng):
    with pytest.raises(ValueError, match="^output: a softmax needs at least 2"):
        fastnn.DeepNetwork([3, 1], output="softmax")
    X = rng.standard_normal((3, 10))
    net = fastnn.DeepNetwork([3, 4, 2], output="identity", n_iterations=3).fit(X, rng.standard_normal((2, 10)))
    with pytest.raises(AttributeError, match="predict_proba: a regression network"):
        net.predict_proba(X)
    assert net.predict(X).shape == (2, 10)


def test_regression_score_is_r2(rng):
    X = rng.standard_normal((3, 200))
    Y = np.vstack([X[0] - 2 * X[1], 0.5 * X[2] + 1])
    net = fastnn.DeepNetwork([3, 2], output="identity", n_iterations=300, learning_rate=0.3).fit(X, Y)
    pred = net.predict(X)
    r2 = np.mean(1 - np.sum((Y - pred) ** 2, axis=1) / np.sum((Y - Y.mean(axis=1, keepdims=True)) ** 2, axis=1))
    assert net.score(X, Y) == pytest.approx(r2, rel=1e-12)
    assert net.score(X, Y) > 0.999


def test_softmax_saturated_logits_stay_finite():
    """Inputs scaled so the logits reach about +-1e4: costs and gradients stay finite and
    equal the stable reference formula."""
    X = np.array([[1.0, -1.0, 2.0], [0.5, 0.5, -1.0]]) * 1e4
    net = fastnn.DeepNetwork([2, 3], n_iterations=0).fit(X, np.array([[0, 1, 2]]))
    net.parameters_["W1"][...] = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    with np.errstate(all="raise"):
        cost = net.cost(X, np.array([[0, 1, 2]]))
        grads = net.gradients(X, np.array([[0, 1, 2]]))
    Z = net.parameters_["W1"] @ X
    assert np.abs(Z).max() >= 1e4
    assert cost == pytest.approx(R.cost_from_logits(Z, np.array([[0, 1, 2]]), "softmax"), rel=1e-12)
    assert all(np.isfinite(v).all() for v in grads.values())
