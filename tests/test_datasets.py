"""fastnn/datasets.py: the MNIST-1D data set."""

import os
import random

import numpy as np
import pytest


def test_load_mnist1d_standard_split_restores_the_global_generators(tmp_path, monkeypatch):
    pytest.importorskip("mnist1d")
    from fastnn.datasets import load_mnist1d

    monkeypatch.chdir(tmp_path)
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.random(), random.random())
    np.random.seed(123)
    random.seed(123)
    X, Y, Xt, Yt = load_mnist1d()
    assert (np.random.random(), random.random()) == expected
    assert X.shape == (40, 4000) and Xt.shape == (40, 1000) and X.dtype == np.float64
    assert Y.shape == (1, 4000) and Yt.shape == (1, 1000) and Y.dtype == np.int64
    # the labels of the standard split are the same bits on every machine (the signals may
    # differ in their last ulp: the generator filters through NumPy's SIMD exp)
    np.testing.assert_array_equal(Y[0, :10], [2, 6, 4, 5, 6, 6, 6, 0, 3, 1])
    np.testing.assert_array_equal(Yt[0, :10], [2, 6, 3, 9, 4, 3, 1, 9, 5, 2])
    np.testing.assert_array_equal(np.bincount(Y[0]), [398, 396, 411, 394, 394, 402, 401, 404, 402, 398])
    np.testing.assert_allclose(X[:5, 0], [-0.33200566736939013, -0.4719103656557236, -0.778697076293495,
                                          -1.0097408265367045, -0.8823525654053073], rtol=1e-12)
    assert os.listdir(tmp_path) == []  # nothing cached in the working directory
    X[0, 0] = 99.0  # a copy each call: the next caller is not affected
    assert load_mnist1d()[0][0, 0] != 99.0
