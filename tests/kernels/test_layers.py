"""kernels/layers.py: the fused loop's element-wise work and output layers (row sums that do
not depend on alignment, the sigmoid output step without its loss)."""

import numpy as np
import pytest

from ..kernel_cases import DTYPES


@pytest.mark.parametrize("dtype", DTYPES)
def test_vectorised_sums_do_not_depend_on_alignment(dtype):
    """Sums that LLVM vectorises under ``reassoc`` (row sums, the loop products' dot products)
    must not depend on where the data sits in memory (no alignment peeling), or two identical
    fits could differ: the same values at 16 offsets give one result."""
    from fastnn.kernels import dense, layers

    rng = np.random.default_rng(3)
    x = rng.standard_normal(301).astype(dtype)
    A = rng.standard_normal((5, 301)).astype(dtype)
    buf = np.zeros(400, dtype)
    bufA = np.zeros((5, 400), dtype)
    sums, dots = set(), set()
    for off in range(16):
        buf[off:off + 301] = x
        sums.add(float(layers.row_sum(buf[off:off + 301])))
        bufA[:, off:off + 301] = A
        C = np.empty((5, 5), dtype)
        dense._loop_nt(np.ascontiguousarray(bufA[:, off:off + 301]), A, C)
        dots.add(C.tobytes())
    assert len(sums) == 1 and len(dots) == 1
    assert float(layers.row_sum(x)) == pytest.approx(float(np.sum(x, dtype=np.float64)), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", ["finite", "inf", "-inf", "nan"])
def test_sigmoid_output_without_its_loss(dtype, weighted, case):
    """The step that skips the loss (its cost is not read) gives the same dZ and db bits as
    the one that computes it, and in place of the loss sum 0.0 when that sum is finite, NaN
    when it is not (so a diverging run is stopped at the same step)."""
    from fastnn.kernels import layers

    rng = np.random.default_rng(25)
    n = 301
    z = (rng.standard_normal(n) * 30).astype(dtype)
    z[::17] = dtype(1e30)  # saturated, finite
    if case != "finite":
        z[5] = {"inf": np.inf, "-inf": -np.inf, "nan": np.nan}[case]
    y = (rng.random(n) < 0.5).astype(dtype)
    y[5] = 1.0  # -inf with y = 1: an infinite (not NaN) loss
    w = (rng.random(n) * 2).astype(dtype) if weighted else np.empty(0, dtype)
    d1, d2 = np.empty(n, dtype), np.empty(n, dtype)
    tmp = np.empty(n)
    loss, db1 = layers.sigmoid_ce_segment(z, y, w, dtype(0.25), dtype(1 / n), d1, tmp, np.inf)
    flag, db2 = layers.sigmoid_dz_segment(z, y, w, dtype(0.25), dtype(1 / n), d2, tmp)
    assert d1.tobytes() == d2.tobytes()
    assert db1 == db2 or (np.isnan(db1) and np.isnan(db2))
    assert np.isfinite(loss) == (case == "finite")
    assert (flag == 0.0) if np.isfinite(loss) else np.isnan(flag)
