"""fastnn/dask/data.py: ``to_dask``, ``connect`` and ``describe``, and ``fastnn train
--scheduler``, which connects with them. Skipped without the ``dask`` extra."""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from fastnn import dask as fdask  # noqa: E402

from .helpers import N_X, RTOL, _data  # noqa: E402


def test_to_dask_and_connect(client):
    X, Y = _data(18)
    Xd, Yd = fdask.to_dask(X, Y, partitions=3)
    assert Xd.chunks == ((N_X,), (333, 334, 333)) and Yd.chunks == ((1,), (333, 334, 333))
    np.testing.assert_array_equal(Xd.compute(), X)
    assert fdask.to_dask(X).chunks[1] == (500, 500)  # one partition per worker thread
    with pytest.raises(ConnectionError, match="cannot connect to the Dask scheduler at 'tcp://127.0.0.1:9'"):
        fdask.connect("tcp://127.0.0.1:9", timeout="1s")
    assert ": 2 workers, 2 threads" in fdask.describe(client)


def test_cli_trains_on_the_cluster(cluster, tmp_path):
    """``fastnn train --scheduler ADDRESS`` (once the CLI has the option): the same run as in
    memory, on the cluster."""
    import json

    from fastnn import cli

    if "--scheduler" not in cli._parser()._subparsers._group_actions[0].choices["train"].format_help():
        pytest.skip("fastnn train has no --scheduler option yet")
    common = ["train", "--iterations", "60", "--record-every", "10", "--no-progress"]
    assert cli.main(common + ["--out", str(tmp_path / "memory")]) == 0
    assert cli.main(common + ["--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address]) == 0
    memory = json.loads((tmp_path / "memory" / "metrics.json").read_text())
    on_dask = json.loads((tmp_path / "dask" / "metrics.json").read_text())
    np.testing.assert_allclose(on_dask["costs"], memory["costs"], rtol=RTOL)
    assert on_dask["train_accuracy"] == memory["train_accuracy"]
