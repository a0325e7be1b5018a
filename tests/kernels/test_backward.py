"""kernels/backward.py: the hidden layers' backward steps (``relu_backward``,
``tanh_backward``, ``sigmoid_backward``) held to fastnn.reference, in place too."""

import numpy as np
import pytest

from ..kernel_cases import BACKWARD_TWINS, DTYPES, SHAPES, TOL, VARIANTS, assert_close, f64, layer, variant


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BACKWARD_TWINS))
def test_backward_parity(name, dtype, which, rng):
    kern = variant(name, which)
    forward, backward = BACKWARD_TWINS[name]
    tol = TOL[np.dtype(dtype)]
    for n, m in SHAPES:
        Z, _, dA = layer(rng, n, m, dtype)
        A = forward(Z)  # the saved forward output, in the kernel's dtype
        assert A.dtype == Z.dtype
        expected = backward(f64(dA), f64(Z))
        dZ = np.full_like(Z, np.nan)
        db = np.full((n, 1), np.nan, dtype=dtype)
        kern(dA, A, dZ, db)
        # g'(z) is formed from A as 1 - A*A or A*(1 - A): differences of O(1) numbers whose
        # error is relative to 1 (<= 2 tol), times |dA|.
        assert_close(dZ, expected, rtol=tol, atol=2 * tol * np.abs(f64(dA)), msg=f"{n}x{m}")
        exp_db = expected.sum(axis=1, keepdims=True)
        assert_close(
            db, exp_db, rtol=tol, atol=tol * np.abs(expected).sum(axis=1, keepdims=True) + 2 * tol * np.abs(f64(dA)).sum(axis=1, keepdims=True)
        )
        assert dZ.dtype == db.dtype == Z.dtype
        # in place: dZ is dA
        dA2 = dA.copy()
        db2 = np.empty_like(db)
        kern(dA2, A, dA2, db2)
        np.testing.assert_array_equal(dA2, dZ)
        np.testing.assert_array_equal(db2, db)
