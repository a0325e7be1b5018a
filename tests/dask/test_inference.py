"""fastnn/dask/inference.py: predict, predict_proba, score, cost and gradients on Dask arrays
equal the in-memory results. Skipped without the ``dask`` extra."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from fastnn import dask as fdask  # noqa: E402

from .helpers import CHUNKS, N_X, _dask, _data, _net  # noqa: E402


def test_predict_score_cost_gradients(client):
    X, Y = _data(10)
    net = _net([N_X, 6, 1], l2=0.4).fit(X, Y)
    Xd, Yd = _dask(X, Y)
    proba = net.predict_proba(Xd)
    assert isinstance(proba, da.Array) and proba.chunks == ((1,), CHUNKS)
    np.testing.assert_allclose(proba.compute(), net.predict_proba(X), rtol=1e-14)
    np.testing.assert_array_equal(net.predict(Xd).compute(), net.predict(X))
    assert net.score(Xd, Yd) == pytest.approx(net.score(X, Y), rel=1e-14)
    assert net.cost(Xd, Yd) == pytest.approx(net.cost(X, Y), rel=1e-14)
    for key, value in net.gradients(X, Y).items():
        np.testing.assert_allclose(fdask.gradients(net, Xd, Yd)[key], value, rtol=0, atol=1e-13 * np.abs(value).max())
