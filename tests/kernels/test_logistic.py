"""kernels/logistic.py: the logistic-regression step in both layouts of ``X`` held to
fastnn.reference, its chunking and its buffer checks."""

import numpy as np
import pytest

import fastnn.kernels as K
from fastnn import reference as R

from ..kernel_cases import (
    DTYPES,
    LAYOUTS,
    LOGISTIC_SHAPES,
    TOL,
    VARIANTS,
    assert_close,
    f64,
    logistic_expected,
    logistic_problem,
    run_logistic,
    variant,
)


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_logistic_step_parity(layout, dtype, which, rng):
    kern = variant(LAYOUTS[layout], which)
    tol = TOL[np.dtype(dtype)]
    for n, m in LOGISTIC_SHAPES:
        X, w, b, Y = logistic_problem(rng, n, m, dtype)
        dw, db, cost = run_logistic(kern, layout, X, w, b, Y)
        e_dw, e_db, e_cost, dw_mag, db_mag = logistic_expected(X, w, b, Y)
        assert dw.dtype == X.dtype
        assert_close(dw, e_dw, rtol=tol, atol=tol * dw_mag, msg=f"{n}x{m}")
        assert db == pytest.approx(e_db, rel=tol, abs=tol * db_mag)
        assert cost == pytest.approx(e_cost, rel=tol, abs=tol * db_mag)
        # the course's (clipped-probability) cost agrees away from saturation
        _, course_cost = R.logistic_propagate(f64(w), b, f64(X), f64(Y))
        assert cost == pytest.approx(course_cost, rel=1e-9)


def test_logistic_n_chunks():
    for m in [1, 63, 64, 1000, 4103, 20000, 10**7]:
        nc = K.logistic_n_chunks(m)
        assert 1 <= nc <= 64 and nc <= max(1, m)
    assert K.logistic_n_chunks(10**7) >= 16  # enough chunks to balance threads


def test_logistic_rejects_wrong_partial_buffers(rng):
    X, w, b, Y = logistic_problem(rng, 4, 1000, np.float64)
    nc = K.logistic_n_chunks(1000)
    Xe = np.asfortranarray(X).T
    with pytest.raises(ValueError, match="partial_dw"):
        K.logistic_step_examples.serial(Xe, w, b, Y, np.empty((nc + 1, 4)), np.empty((nc, 2)), np.empty((4, 1)))
    with pytest.raises(ValueError, match="partial_sums"):
        K.logistic_step_examples.serial(Xe, w, b, Y, np.empty((nc, 4)), np.empty((nc - 1, 2)), np.empty((4, 1)))
