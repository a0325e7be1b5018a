"""fastnn/dask/partitions.py: the values of ``X``, ``Y`` and ``sample_weight`` checked by the
pass that loads the partitions, with the in-memory messages. Skipped without the ``dask``
extra."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from fastnn import dask as fdask  # noqa: E402

from .helpers import M, N_X, _dask, _data, _net  # noqa: E402


def test_nan_in_one_partition_found_in_the_first_pass(client, tmp_path):
    """NaN/inf in X: the in-memory message (the first bad entry over the whole X, row-major),
    found by the pass that loads the partitions, each loaded exactly once."""
    X, Y = _data(12)
    X[5, 100] = np.nan  # partition 0
    X[3, 617] = np.inf  # partition 3 (comes first in row-major order)
    with pytest.raises(ValueError) as in_memory:
        _net([N_X, 4, 1]).fit(X, Y)
    paths = []
    for k, (a, b) in enumerate(zip((0, 250, 387, 700), (250, 387, 700, 1000))):
        paths.append(tmp_path / f"x{k}.npy")
        np.save(paths[-1], X[:, a:b])
    Xd = fdask.from_npy(paths)
    Yd = da.from_array(Y, chunks=((1,), Xd.chunks[1]))
    with distributed.get_task_stream(client) as stream:
        with pytest.raises(ValueError) as on_dask:
            _net([N_X, 4, 1]).fit(Xd, Yd)
    assert str(on_dask.value) == str(in_memory.value) == "X: contains NaN or inf (first at index (3, 617))"
    loads = [t for t in stream.data if "load_npy" in str(t["key"])]
    assert len(loads) == 4  # each partition read once: the check is folded into loading
    # Targets and weights: the in-memory messages, with the partition named for label errors
    X, Y = _data(12)
    Xd, _ = _dask(X, Y)
    Y[0, 640] = np.nan
    with pytest.raises(ValueError, match=r"^Y: contains NaN or inf \(first at index \(0, 640\)\)$"):
        _net([N_X, 4, 1]).fit(Xd, _dask(X, Y)[1])
    Y[0, 640] = 2.0
    with pytest.raises(ValueError, match=r"Y: labels must be 0 or 1, found 2\.0 \(in partition 2: examples 387 to 699"):
        _net([N_X, 4, 1]).fit(Xd, _dask(X, Y)[1])
    Y[0, 640] = 1.0
    with pytest.raises(ValueError, match=r"sample_weight: weights must be >= 0, found -1\.0"):
        _net([N_X, 4, 1]).fit(Xd, _dask(X, Y)[1], sample_weight=-np.ones(M))
