"""Data and comparisons the scikit-learn estimator tests share (tests/sklearn/test_*.py
except test_parity.py, which has its own)."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier as SkMLPClassifier

# Numerical tolerance against scikit-learn's fits: see test_parity.py.
RTOL = 1e-9

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
