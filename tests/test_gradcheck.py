"""fastnn/gradcheck.py: the gradient check."""

import numpy as np

import fastnn

from .helpers_models import _targets


def test_gradient_check_accepts_right_and_rejects_wrong_gradients(monkeypatch):
    rng = np.random.default_rng(15)
    X = rng.standard_normal((4, 9))
    Y = _targets(rng, "softmax", 3, 9)
    net = fastnn.DeepNetwork([4, 5, 3], hidden_activation="tanh", n_iterations=3, l2=0.3).fit(X, Y)
    assert fastnn.gradient_check(net, X, Y) < 1e-7
    good = net.gradients

    def planted_bug(*args, **kwargs):
        grads = good(*args, **kwargs)
        grads["dW1"] = grads["dW1"] * 2  # the course's planted bug
        return grads

    monkeypatch.setattr(net, "gradients", planted_bug)
    assert fastnn.gradient_check(net, X, Y) > 1e-3
