"""fastnn/dask/checks.py: the chunking of ``X``, ``Y`` and ``sample_weight`` and the shapes,
with messages saying how to rechunk. Skipped without the ``dask`` extra."""

import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from .helpers import M, N_X, _data, _net  # noqa: E402


def test_wrong_chunking_and_mismatched_chunks(client):
    X, Y = _data()
    net = _net([N_X, 4, 1])
    rows = da.from_array(X, chunks=(3, 500))
    with pytest.raises(ValueError, match=r"chunked along the examples.*X\.chunks = \(\(3, 3, 1\), \(500, 500\)\)"
                                         r".*X\.rechunk\(\{0: -1\}\)"):
        net.fit(rows, da.from_array(Y, chunks=(1, 500)))
    Xd = da.from_array(X, chunks=(N_X, 500))
    with pytest.raises(ValueError, match=r"Y: chunked as \(\(1,\), \(400, 400, 200\)\), expected the examples chunked "
                                         r"like X's columns \(500, 500\).*Y\.rechunk"):
        net.fit(Xd, da.from_array(Y, chunks=(1, 400)))
    with pytest.raises(ValueError, match=r"sample_weight: chunked as"):
        net.fit(Xd, da.from_array(Y, chunks=(1, 500)), sample_weight=da.ones(M, chunks=300))
    with pytest.raises(ValueError, match=r"Y: expected shape \(1, 1000\).*reshape a 1-D"):
        net.fit(Xd, da.from_array(Y[0], chunks=500))
    with pytest.raises(ValueError, match=r"X: expected 7 features"):
        net.fit(da.from_array(X[:5], chunks=(5, 500)), Y)
    with pytest.raises(TypeError, match="dask array"):
        net.fit(dask.delayed(X), Y)
    assert not hasattr(net, "parameters_")  # nothing was trained
