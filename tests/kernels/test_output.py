"""kernels/output.py: the output layers' losses and gradients (sigmoid cross-entropy, softmax
cross-entropy, squared error) held to fastnn.reference, and saturated softmax logits."""

import numpy as np
import pytest

from fastnn import reference as R

from ..kernel_cases import DTYPES, SHAPES, TOL, VARIANTS, assert_close, f64, labels, layer, variant


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_cross_entropy_parity(dtype, which, rng):
    kern = variant("sigmoid_cross_entropy", which)
    cost_only = variant("cross_entropy_from_logits", which)
    tol = TOL[np.dtype(dtype)]
    for _, m in SHAPES + [(1, 20000)]:
        Z, b, _ = layer(rng, 1, m, dtype, scale=4.0)
        Y = labels(rng, m, dtype)
        for scale in (1.0 / m, 1.0):
            dZ = np.full_like(Z, np.nan)
            cost, db = kern(Z, b, Y, scale, dZ)
            zl = f64(Z) + f64(b)
            A = R.sigmoid(zl)
            exp_dZ = (A - f64(Y)) * scale
            # a - y is a difference of O(1) numbers: its error is relative to |a| + |y|.
            assert_close(
                dZ, exp_dZ, rtol=tol, atol=tol * scale * (np.abs(A) + np.abs(f64(Y)))
            )
            assert dZ.dtype == Z.dtype
            # loss >= 0: the reordered float64 sum is relatively accurate.
            assert cost == pytest.approx(R.cost_from_logits(zl, f64(Y)), rel=tol)
            # db sums terms of both signs: error relative to sum |dZ|.
            assert db == pytest.approx(float(np.sum(exp_dZ)), rel=tol, abs=tol * float(np.sum(np.abs(exp_dZ))))
            assert isinstance(cost, float) and isinstance(db, float)
        assert cost_only(Z, b, Y) == pytest.approx(R.cost_from_logits(zl, f64(Y)), rel=tol)


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_parity(dtype, which, rng):
    """Cost, dZ = (a - onehot) * scale and db against the reference's softmax, on ragged
    block counts (256-column blocks)."""
    kern = variant("softmax_cross_entropy", which)
    tol = TOL[np.dtype(dtype)]
    for K_, m in [(2, 1), (3, 7), (10, 257), (4, 5000), (7, 513)]:
        Z, b, _ = layer(rng, K_, m, dtype, scale=4.0)
        labels_ = rng.integers(0, K_, m)
        Z0 = Z.copy()
        for scale in (1.0 / m, 1.0):
            Zk = Z0.copy()
            dZ = np.full_like(Z, np.nan)
            db = np.full((K_, 1), np.nan, dtype)
            cost = kern(Zk, b, labels_, scale, dZ, db)
            zl = f64(Z0) + f64(b)
            onehot = np.zeros((K_, m))
            onehot[labels_, np.arange(m)] = 1
            A = R.softmax(zl)
            exp_dZ = (A - onehot) * scale
            assert_close(dZ, exp_dZ, rtol=tol, atol=tol * scale * (A + onehot))
            assert dZ.dtype == Z.dtype and db.dtype == Z.dtype
            assert cost == pytest.approx(R.cost_from_logits(zl, labels_[None, :], "softmax"), rel=tol)
            assert_close(db, exp_dZ.sum(axis=1, keepdims=True), rtol=tol,
                         atol=tol * np.abs(exp_dZ).sum(axis=1, keepdims=True))
            np.testing.assert_array_equal(Zk, (Z0 + b).astype(dtype))  # the bias is added in place


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_error_parity(dtype, which, rng):
    kern = variant("squared_error", which)
    tol = TOL[np.dtype(dtype)]
    for K_, m in [(1, 1), (3, 7), (2, 5000)]:
        Z, b, _ = layer(rng, K_, m, dtype)
        Y = rng.standard_normal((K_, m)).astype(dtype)
        dZ = np.empty_like(Z)
        db = np.empty((K_, 1), dtype)
        cost = kern(Z, b, Y, 1.0 / m, dZ, db)
        r = f64(Z) + f64(b) - f64(Y)
        # (z + b) - y: a difference of O(1) numbers, error relative to the terms
        terms = np.abs(f64(Z)) + np.abs(f64(b)) + np.abs(f64(Y))
        assert_close(dZ, r / m, rtol=tol, atol=tol * terms / m)
        assert cost == pytest.approx(R.cost_from_logits(f64(Z) + f64(b), f64(Y), "identity"), rel=10 * tol)
        assert_close(db, (r / m).sum(axis=1, keepdims=True), rtol=tol, atol=tol * terms.sum(axis=1, keepdims=True) / m)


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_saturated_logits_are_finite_and_exact(dtype, which):
    """Logits of +-1e4 (and 800, 40): max-shifted, nothing overflows; the cost is the exact
    log-sum-exp loss, dZ is the one-hot difference."""
    kern = variant("softmax_cross_entropy", which)
    Z = np.array([[1e4, -1e4, 40.0, -800.0], [-1e4, 1e4, -40.0, 800.0], [0.0, 0.0, 0.0, 0.0]], dtype)
    labels_ = np.array([0, 0, 1, 2])
    b = np.zeros((3, 1), dtype)
    dZ = np.empty_like(Z)
    db = np.empty((3, 1), dtype)
    with np.errstate(all="raise"):
        cost = kern(Z.copy(), b, labels_, 0.25, dZ, db)
    assert np.isfinite(dZ).all() and np.isfinite(cost)
    # losses: 0, 2e4, 80 (+ log1p(e^-80)), 800: exactly representable terms
    assert cost == pytest.approx((0.0 + 2e4 + 80.0 + 800.0) / 4, rel=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(dZ[:, 1], [-0.25, 0.25, 0.0], atol=1e-12)
