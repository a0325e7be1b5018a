"""kernels/gather.py: a mini-batch gathered from either layout of ``X``."""

import numpy as np
import pytest

from ..kernel_cases import DTYPES


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_x", [1, 3, 17, 200])
def test_batch_gather_is_the_columns_of_x_in_perm_order(dtype, n_x):
    """The mini-batch gather writes examples ``perm[j0:j1]`` feature-major, whichever way
    ``X`` is stored; nothing past the batch. Batch sizes around the transposed blocks of 16
    and the example-major branch's prefetch of the next block (rows of 1 to 200 values,
    not all starting on a cache line)."""
    from fastnn.kernels import network as KN

    rng = np.random.default_rng(n_x)
    m = 101
    X = rng.standard_normal((n_x, m)).astype(dtype)
    perm = rng.permutation(m).astype(np.int64)
    Xe = np.asfortranarray(X).T  # example-major (m, n_x), C-contiguous
    for j0, j1 in [(0, 1), (3, 18), (0, 16), (5, 37), (40, 101), (0, 101)]:
        want = X[:, perm[j0:j1]]
        for xmajor, data in ((False, X), (True, Xe)):
            Xb = np.full(n_x * m + 5, np.nan, dtype)
            KN._gather(data, xmajor, perm, j0, j1, Xb)
            nb = j1 - j0
            assert np.array_equal(Xb[:n_x * nb].reshape(n_x, nb), want), (xmajor, j0, j1)
            assert np.isnan(Xb[n_x * nb:]).all()
