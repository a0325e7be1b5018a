"""fastnn/dask/fitting.py: data-parallel training on Dask arrays equals the in-memory fit
(every optimizer, outputs and example weights, float32, mini-batches, validation data and
early stopping, recording and progress), refuses what it cannot do, stops on Ctrl-C and on
divergence as in memory, and trains out of core (a zarr store, ``.npy`` files larger than
the worker's memory). Skipped without the ``dask`` extra. Tolerances: tests/dask/helpers.py.
"""

import numpy as np
import pytest

dask = pytest.importorskip("dask")
da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from fastnn import dask as fdask  # noqa: E402

from .helpers import RTOL, M, N_X, _assert_close, _dask, _data, _net, _partition_keys, _wait_released  # noqa: E402


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
def test_fit_equals_in_memory_fit(client, optimizer):
    """Every optimizer with L2 and learning-rate decay, unequal partitions (one empty): costs
    and parameters equal the in-memory fit's to 1e-10, the first cost to a few ulps."""
    X, Y = _data()
    options = dict(optimizer=optimizer, l2=0.3, lr_decay="inverse", decay_rate=0.2,
                   learning_rate=0.01 if optimizer == "adam" else 0.05)
    memory = _net([N_X, 6, 4, 1], **options).fit(X, Y)
    Xd, Yd = _dask(X, Y)
    net = _net([N_X, 6, 4, 1], **options).fit(Xd, Yd)
    assert net.costs_[0] == pytest.approx(memory.costs_[0], rel=1e-14)
    _assert_close(memory, net)
    assert net.first_layer_ == "direct" and net.output_ == "sigmoid"
    assert _partition_keys(client) == [] or _wait_released(client)


@pytest.mark.parametrize("output, K", [("softmax", 3), ("identity", 2)])
def test_outputs_and_example_weights(client, output, K):
    """Softmax labels and regression targets, with example weights (dask too), Adam and L2."""
    X, Y = _data(1, output, K)
    w = np.random.default_rng(2).random(M) * 2
    w[::9] = 0.0
    options = dict(optimizer="adam", learning_rate=0.01, l2=0.2, output=output)
    memory = _net([N_X, 5, K], **options).fit(X, Y, sample_weight=w)
    Xd, Yd, wd = _dask(X, Y, w=w)
    net = _net([N_X, 5, K], **options).fit(Xd, Yd, sample_weight=wd)
    _assert_close(memory, net)
    assert net.cost(Xd, Yd, wd) == pytest.approx(memory.cost(X, Y, w), rel=1e-12)
    assert net.score(Xd, Yd, wd) == pytest.approx(memory.score(X, Y, w), rel=1e-12)


def test_float32(client):
    X, Y = _data(4)
    memory = _net([N_X, 6, 1], dtype="float32", optimizer="adam", learning_rate=0.01).fit(X.astype(np.float32), Y)
    Xd, Yd = _dask(X.astype(np.float32), Y)
    net = _net([N_X, 6, 1], dtype="float32", optimizer="adam", learning_rate=0.01).fit(Xd, Yd)
    assert net.parameters_["W1"].dtype == np.float32
    _assert_close(memory, net, rtol=1e-5)


def test_single_partition_is_bit_identical(client):
    """One partition holding X as it is: the same kernels in the same order as in memory."""
    X, Y = _data(5)
    memory = _net([N_X, 6, 4, 1], optimizer="momentum", l2=0.1).fit(X, Y)
    Xd, Yd = _dask(X, Y, chunks=(M,))
    net = _net([N_X, 6, 4, 1], optimizer="momentum", l2=0.1).fit(Xd, Yd)
    assert net.costs_ == memory.costs_
    for key in memory.parameters_:
        assert net.parameters_[key].tobytes() == memory.parameters_[key].tobytes()


def test_mini_batches_are_the_in_memory_batches(client):
    """batch_size: epoch e's batches of the whole set (shuffle_seed + e), every partition
    contributing its examples of each batch; weighted, with Adam and L2."""
    X, Y = _data(6)
    w = np.random.default_rng(3).random(M)
    options = dict(batch_size=128, optimizer="adam", learning_rate=0.01, l2=0.2, n_iterations=3, shuffle_seed=7)
    memory = _net([N_X, 5, 1], **options).fit(X, Y, sample_weight=w)
    Xd, Yd, wd = _dask(X, Y, w=w)
    net = _net([N_X, 5, 1], **options).fit(Xd, Yd, sample_weight=wd)
    assert net.n_steps_ == 3 * 8
    _assert_close(memory, net)


def test_validation_data_and_early_stopping(client):
    X, Y = _data(7)
    Xv, Yv = _data(8, m=200)
    options = dict(early_stopping=True, n_iter_no_change=2, tol=0.5, n_iterations=30, record_every=2)
    memory = _net([N_X, 5, 1], **options).fit(X, Y, validation_data=(Xv, Yv))
    Xd, Yd = _dask(X, Y)
    seen = []
    net = _net([N_X, 5, 1], **options).fit(Xd, Yd, validation_data=_dask(Xv, Yv, chunks=(100, 100)),
                                          callback=lambda e, c, v: seen.append((e, v)))
    assert net.n_iter_ == memory.n_iter_ < 30 and net.best_iteration_ == memory.best_iteration_
    np.testing.assert_allclose(net.validation_costs_, memory.validation_costs_, rtol=RTOL)
    assert [e for e, v in seen if v is not None] == list(range(0, net.n_iter_, 2))
    _assert_close(memory, net)


def test_recording_progress_and_verbose(client, capsys):
    X, Y = _data(9)
    Xd, Yd = _dask(X, Y)
    calls = []
    net = _net([N_X, 4, 1], n_iterations=7, record_every=3).fit(Xd, Yd, progress=True, verbose=True,
                                                               callback=lambda e, c: calls.append(e))
    out = capsys.readouterr()
    assert calls == list(range(7)) and len(net.costs_) == 3 and net.n_iter_ == 7
    assert out.out.splitlines() == [f"Cost after iteration {e}: {c:f}" for e, c in zip((0, 3, 6), net.costs_)]
    assert "7/7" in out.err


def test_refused_settings_say_why(client):
    X, Y = _data()
    Xd, Yd = _dask(X, Y)
    with pytest.raises(ValueError, match=r"keep_prob.*dropout.*mask per unit and example of the whole batch"):
        _net([N_X, 4, 1], keep_prob=0.8).fit(Xd, Yd)
    with pytest.raises(ValueError, match=r"early_stopping.*validation_data"):
        _net([N_X, 4, 1], early_stopping=True).fit(Xd, Yd)
    with pytest.raises(ValueError, match=r"first_layer.*'gram' needs X in memory"):
        _net([N_X, 4, 1], first_layer="gram").fit(Xd, Yd)


def test_ctrl_c_keeps_the_last_completed_iteration(client):
    X, Y = _data(15)
    Xd, Yd = _dask(X, Y)

    def interrupt(epoch, cost):
        if epoch == 4:
            raise KeyboardInterrupt

    net = _net([N_X, 5, 1], optimizer="adam", learning_rate=0.01)
    with pytest.raises(KeyboardInterrupt):
        net.fit(Xd, Yd, callback=interrupt)
    assert net.n_iter_ == 5
    _assert_close(_net([N_X, 5, 1], optimizer="adam", learning_rate=0.01, n_iterations=5).fit(X, Y), net)
    assert _wait_released(client)


def test_divergence_as_in_memory(client):
    X, Y = _data(16, "identity", 1)
    X *= 10
    make = lambda: _net([N_X, 1], output="identity", learning_rate=50.0, n_iterations=200)  # noqa: E731
    memory = make()
    with pytest.raises(FloatingPointError) as expected:
        memory.fit(X, Y)
    net = make()
    with pytest.raises(FloatingPointError) as got:
        net.fit(*_dask(X, Y))
    assert str(got.value) == str(expected.value)
    assert net.n_iter_ == memory.n_iter_ > 0


# ------------------------------------------------------------------------ out of core


def test_streamed_from_a_zarr_store(client, tmp_path):
    """X that does not fit (here: fastnn.memory-fraction set tiny) is read from its zarr store
    at every iteration, never held; same numbers as the held fit; NaN found in the first pass."""
    zarr = pytest.importorskip("zarr")
    X, Y = _data(17)
    store = str(tmp_path / "x.zarr")
    da.from_array(X, chunks=(N_X, 300)).to_zarr(store)
    Xz = da.from_zarr(store)
    Yd = da.from_array(Y, chunks=((1,), Xz.chunks[1]))
    held = _net([N_X, 5, 1], optimizer="momentum").fit(Xz, Yd)
    seen = []
    with dask.config.set({"fastnn.memory-fraction": 1e-9}):
        streamed = _net([N_X, 5, 1], optimizer="momentum").fit(
            Xz, Yd, callback=lambda e, c: seen.append(_partition_keys(client)))
    assert seen and not any(seen)
    assert streamed.costs_ == held.costs_
    for key in held.parameters_:
        assert streamed.parameters_[key].tobytes() == held.parameters_[key].tobytes()
    zarr.open(store, mode="r+")[2, 650] = np.nan
    with dask.config.set({"fastnn.persist": False}):
        with pytest.raises(ValueError, match=r"^X: contains NaN or inf \(first at index \(2, 650\)\)$"):
            _net([N_X, 5, 1]).fit(da.from_zarr(store), Yd)
        with pytest.raises(ValueError, match="batch_size: mini-batches"):
            _net([N_X, 5, 1], batch_size=100).fit(Xz, Yd)


def test_x_larger_than_the_workers_memory_trains(tmp_path):
    """640 MB of X in .npy files, one worker with memory_limit 600 MB (of which the worker
    process itself takes about 350 MB): the fit streams the partitions from the files at every
    iteration and gives the in-memory fit's numbers."""
    import logging

    n_x, m, chunk = 64, 1_250_000, 25_000
    rng = np.random.default_rng(19)
    X = np.empty((n_x, m))
    paths = []
    for k, a in enumerate(range(0, m, chunk)):
        X[:, a:a + chunk] = rng.standard_normal((n_x, chunk))
        paths.append(tmp_path / f"x{k:03d}.npy")
        np.save(paths[-1], X[:, a:a + chunk])
    Y = (X[:1] + 0.3 * rng.standard_normal((1, m)) > 0).astype(np.float64)
    options = dict(n_iterations=2, learning_rate=0.05, optimizer="momentum", hidden_activation="relu")
    with dask.config.set(scheduler="sync"):  # the worker then loads the kernels from Numba's cache
        Xs = fdask.from_npy(paths[:2])
        _net([n_x, 2, 1], **options).fit(Xs, da.from_array(Y[:, :2 * chunk], chunks=((1,), Xs.chunks[1])))
    memory = _net([n_x, 2, 1], **options).fit(X, Y)
    del X
    cl = distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, memory_limit="600MB",
                                  dashboard_address=":0", silence_logs=logging.CRITICAL)
    with cl, distributed.Client(cl) as c:
        Xd = fdask.from_npy(paths)
        assert Xd.nbytes > 600e6
        net = _net([n_x, 2, 1], **options).fit(Xd, da.from_array(Y, chunks=((1,), Xd.chunks[1])),
                                               callback=lambda e, cost: seen.append(_partition_keys(c)))
    assert net.n_iter_ == 2 and not any(seen)
    _assert_close(memory, net)


seen = []
