"""kernels/__init__.py: the public per-layer kernels as a whole, held to fastnn.reference.

Every public kernel has a reference twin (``tests/kernel_cases.py``); the reductions give the
same bits at 1 and 2 threads and in their serial variants; saturated inputs stay finite and
exact through the forward, output and logistic kernels. Each kernel's own parity tests are in
the file named after its module (``test_forward.py``, ``test_output.py``, ...). Both compiled
variants of every kernel (``k.parallel`` and ``k.serial``) are checked.
"""

import warnings

import numba
import numpy as np
import pytest

import fastnn.kernels as K
from fastnn import reference as R

from ..kernel_cases import (
    BACKWARD_TWINS,
    DTYPES,
    LAYOUTS,
    TOL,
    TWINS,
    VARIANTS,
    assert_close,
    f64,
    labels,
    layer,
    logistic_problem,
    run_logistic,
    variant,
)


def test_every_public_kernel_has_a_reference_twin():
    kernels = {n for n in K.__all__ if callable(getattr(K, n)) and hasattr(getattr(K, n), "serial")}
    assert kernels == set(TWINS)


# --------------------------------------------------------- determinism across threads


def with_threads(n, fn):
    if numba.config.NUMBA_NUM_THREADS < n:
        pytest.skip(f"needs {n} Numba threads")
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        return fn()
    finally:
        numba.set_num_threads(before)


def _results_reduction_kernels(dtype, which="parallel"):
    K_ = type("variants", (), {n: getattr(getattr(K, n), which) for n in TWINS})
    rng = np.random.default_rng(7)
    out = {}
    m = 20000  # many chunks, ragged last one
    Z, b, _ = layer(rng, 1, m, dtype, scale=4.0)
    Y = labels(rng, m, dtype)
    dZ = np.empty_like(Z)
    out["sigmoid_cross_entropy"] = (K_.sigmoid_cross_entropy(Z, b, Y, 1.0 / m, dZ), dZ)
    out["cross_entropy_from_logits"] = K_.cross_entropy_from_logits(Z, b, Y)
    Z, b, _ = layer(rng, 10, 5003, dtype, scale=4.0)
    labels_ = rng.integers(0, 10, 5003)
    dZ, db = np.empty_like(Z), np.empty((10, 1), dtype)
    out["softmax_cross_entropy"] = (K_.softmax_cross_entropy(Z.copy(), b, labels_, 1.0 / 5003, dZ, db), dZ, db)
    Y2 = rng.standard_normal(Z.shape).astype(dtype)
    dZ, db = np.empty_like(Z), np.empty((10, 1), dtype)
    out["squared_error"] = (K_.squared_error(Z, b, Y2, 1.0 / 5003, dZ, db), dZ, db)
    Z, _, dA = layer(rng, 9, 3001, dtype)
    for name, (forward, _) in BACKWARD_TWINS.items():
        dZ = np.empty_like(Z)
        db = np.empty((9, 1), dtype)
        getattr(K_, name)(dA, forward(Z), dZ, db)
        out[name] = (dZ, db)
    X, w, b, Y = logistic_problem(rng, 70, 9001, dtype)
    for layout, name in LAYOUTS.items():
        out[name] = run_logistic(getattr(K_, name), layout, X, w, b, Y)
    return out


def _assert_identical(a, b):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_identical(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)  # bit-identical (no tolerance)
    else:
        assert a == b


@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_bit_identical_with_1_and_2_threads(dtype):
    one = with_threads(1, lambda: _results_reduction_kernels(dtype))
    two = with_threads(2, lambda: _results_reduction_kernels(dtype))
    assert set(one) == set(two) and len(one) == 9
    for name in one:
        _assert_identical(one[name], two[name])
    # The serial variant gives the very same bits, so a model's choice of variant (by
    # array size) never changes its results.
    serial = _results_reduction_kernels(dtype, "serial")
    for name in one:
        _assert_identical(one[name], serial[name])


# ------------------------------------------------------------------------- saturation


SATURATED = [40.0, -40.0, 800.0, -800.0, 1e4, -1e4]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_saturated_inputs_are_finite_and_exact(dtype, label):
    z = np.array([SATURATED], dtype=dtype)  # (1, 6)
    Y = np.full_like(z, label)
    b = np.zeros((1, 1), dtype)
    zl = f64(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for which in VARIANTS:
            out = np.empty_like(z)
            variant("bias_sigmoid", which)(z, b, out)
            np.testing.assert_array_equal(out, R.sigmoid(z))  # exactly 0/1 or tiny, no NaN
            out2 = np.empty_like(z)
            variant("bias_tanh", which)(z, b, out2)
            np.testing.assert_array_equal(out2, np.sign(zl))

            dZ = np.empty_like(z)
            cost, db = variant("sigmoid_cross_entropy", which)(z, b, Y, 1.0 / 6, dZ)
            exp_cost = R.cost_from_logits(zl, f64(Y))
            assert np.isfinite(cost) and np.isfinite(db) and np.all(np.isfinite(dZ))
            assert cost == pytest.approx(exp_cost, rel=1e-12)
            exp_dZ = (R.sigmoid(zl) - f64(Y)) / 6
            assert_close(dZ, exp_dZ, rtol=TOL[np.dtype(dtype)], atol=1e-300)
            assert variant("cross_entropy_from_logits", which)(z, b, Y) == pytest.approx(exp_cost, rel=1e-12)

            # logistic step: one feature, x = z, w = 1, b = 0 (logits exactly the saturated z)
            X = z.copy()
            w = np.ones((1, 1), dtype)
            for layout, name in LAYOUTS.items():
                dw, db_l, cost_l = run_logistic(variant(name, which), layout, X, w, 0.0, Y)
                grads, _ = R.logistic_propagate(f64(w), 0.0, zl, f64(Y))
                assert np.all(np.isfinite(dw)) and np.isfinite(db_l) and np.isfinite(cost_l)
                assert cost_l == pytest.approx(exp_cost, rel=1e-12)
                assert_close(dw, grads["dw"], rtol=TOL[np.dtype(dtype)])
                assert db_l == pytest.approx(grads["db"], rel=1e-12, abs=1e-300)
    if label == 1.0:
        # cost is dominated by the wrong-side examples: -800 and -1e4 cost 800 and 1e4
        assert exp_cost == pytest.approx((40 + 800 + 1e4) / 6, rel=1e-12)
