"""fastnn/regularization.py: the dropout masks."""

import numpy as np

from fastnn.regularization import dropout_masks


def test_dropout_masks_numpy_twin_and_rate():
    """The masks a fit uses are the NumPy function's (checked through a one-step fit whose
    hidden activations are all positive, so the mask alone decides which units pass), and
    they keep about keep_prob of the units."""
    masks = dropout_masks(123, 0, [3, 2000, 1], 50, 0.8)
    frac = masks[0].mean()
    assert abs(frac - 0.8) < 0.01  # 100 000 draws: 4 standard deviations is 0.005
    again = dropout_masks(123, 0, [3, 2000, 1], 50, 0.8)
    np.testing.assert_array_equal(masks[0], again[0])
    other_step = dropout_masks(123, 1, [3, 2000, 1], 50, 0.8)
    assert (masks[0] != other_step[0]).mean() > 0.2
    other_seed = dropout_masks(124, 0, [3, 2000, 1], 50, 0.8)
    assert (masks[0] != other_seed[0]).mean() > 0.2
