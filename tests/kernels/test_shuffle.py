"""kernels/shuffle.py: the compiled permutations are NumPy's, bit for bit."""

import numpy as np
import pytest

from fastnn.kernels import shuffle as KS


@pytest.mark.parametrize("m", [1, 2, 5, 64, 300, 1000, 70001])
@pytest.mark.parametrize("seed", [0, 1, 11, 42, 2**32 - 1])
def test_compiled_permutation_is_numpys(seed, m):
    """The compiled shuffle reproduces numpy.random.RandomState(seed).permutation(m) (MT19937
    init_genrand + NumPy's rejection-sampled Fisher-Yates) bit for bit."""
    out = np.empty(m, np.int64)
    KS.permutation.serial(seed, out)
    np.testing.assert_array_equal(out, np.random.RandomState(seed).permutation(m))
