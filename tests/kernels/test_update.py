"""kernels/update.py: ``sgd_update`` and ``sgd_step`` equal NumPy's update bit for bit."""

import numpy as np
import pytest

from fastnn import reference as R

from ..kernel_cases import DTYPES, SHAPES, VARIANTS, variant


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_update_and_step_match_numpy_bit_for_bit(dtype, which, rng):
    update = variant("sgd_update", which)
    step = variant("sgd_step", which)
    for n, k in SHAPES + [(7, 1)]:  # (7, 1) is a bias
        P = rng.standard_normal((n, k)).astype(dtype)
        dP = rng.standard_normal((n, k)).astype(dtype)
        lr = 0.0075
        # Same two roundings as NumPy's P - lr * dP, with lr as the array's dtype (NEP 50).
        expected = R.update_parameters({"W": P}, {"dW": dP}, lr)["W"]
        assert expected.dtype == P.dtype
        out = np.empty_like(P)
        assert step(P, dP, lr, out) is True
        np.testing.assert_array_equal(out, expected)
        update(P, dP, lr)
        np.testing.assert_array_equal(P, expected)
    P[0, 0] = np.inf
    assert step(P, dP, lr, out) is False
    P[0, 0] = 1.0
    dP[-1, -1] = np.nan
    assert step(P, dP, lr, out) is False
