"""Mini-batch training, momentum, Adam, learning-rate decay, L2, dropout, multi-class and
regression outputs and example weights: DeepNetwork held to fastnn.reference.train_network,
and the training loop's behaviour (shuffling, slicing, callbacks, Ctrl-C, divergence).

Tolerances: the compiled step and the reference compute the same maths in a different
order (the reference's BLAS products and pairwise sums, fastnn's loop products with FMA and
float64 sums), so every float64 number differs by a few ulps of the terms summed. Over the
short runs below (a dozen epochs, well inside the contracting regime) the measured
differences are <= 2e-15 relative on costs and <= 5e-14 of each array's largest entry on
parameters; the asserts hold 1e-12 / 1e-11, the project's float64 parity bound.
"""

import itertools

import numpy as np
import pytest

import fastnn
from fastnn import reference as R
from fastnn import training
from fastnn.regularization import dropout_masks

from .helpers_models import _targets

N_X, M = 7, 53


def _fit_pair(X, Y, dims, output, sample_weight=None, dtype=None, n_iterations=12, **options):
    """The same training run through DeepNetwork and the reference."""
    lr = options.pop("learning_rate", 0.01 if options.get("optimizer") == "adam" else 0.05)
    act = options.pop("hidden_activation", "tanh")
    net = fastnn.DeepNetwork(dims, hidden_activation=act, init="he", seed=3, learning_rate=lr,
                             n_iterations=n_iterations, record_every=1, output=output, shuffle_seed=5, dtype=dtype,
                             **options)
    net.fit(X, Y, sample_weight=sample_weight)
    kp = options.get("keep_prob", 1.0)
    masks = (lambda t, b: dropout_masks(net.dropout_seed_, t, dims, b, kp)) if kp < 1 else None
    X64 = np.asarray(X, dtype=np.float64)
    params, costs = R.train_network(X64, Y, dims, n_iterations, lr, act, "he", 3, 1, output=output, shuffle_seed=5,
                                    masks=masks, sample_weight=sample_weight, **options)
    return net, params, costs


GRID = list(itertools.product(["gd", "momentum", "adam"], [0.0, 0.7], [1.0, 0.8], [None, 16],
                              ["sigmoid", "softmax", "identity"]))


@pytest.mark.parametrize("optimizer, l2, keep_prob, batch_size, output", GRID,
                         ids=["-".join(map(str, c)) for c in GRID])
def test_training_matches_reference_float64(optimizer, l2, keep_prob, batch_size, output):
    """Every optimizer x L2 x dropout x batch size x output layer, float64."""
    rng = np.random.default_rng(hash((optimizer, l2, keep_prob, batch_size, output)) % 2**32)
    K = 1 if output == "sigmoid" else 3
    dims = [N_X, 6, 4, K]
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, output, K, M)
    net, params, costs = _fit_pair(X, Y, dims, output, optimizer=optimizer, l2=l2, keep_prob=keep_prob,
                                   batch_size=batch_size)
    assert net.n_iter_ == 12
    assert net.n_steps_ == 12 * (1 if batch_size is None else -(-M // batch_size))
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-12)
    for key, value in params.items():
        np.testing.assert_allclose(net.parameters_[key], value, rtol=0, atol=1e-11 * np.abs(value).max())


@pytest.mark.parametrize("weighted_layout", ["C", "F"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax", "identity"])
@pytest.mark.parametrize("batch_size", [None, 10])
def test_example_weights_and_layouts_match_reference(output, batch_size, weighted_layout):
    """sample_weight: the cost is sum s_i loss_i / sum s_i, L2 uses sum s_i for m; both
    layouts of X give the reference's numbers."""
    rng = np.random.default_rng(7)
    K = 1 if output == "sigmoid" else 2
    dims = [N_X, 5, K]
    X = rng.standard_normal((N_X, M))
    X = np.asfortranarray(X) if weighted_layout == "F" else X
    Y = _targets(rng, output, K, M)
    w = rng.random(M) * 2
    w[::7] = 0.0  # zero weights are allowed
    net, params, costs = _fit_pair(X, Y, dims, output, sample_weight=w, optimizer="adam", l2=0.3,
                                   batch_size=batch_size)
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-12)
    for key, value in params.items():
        np.testing.assert_allclose(net.parameters_[key], value, rtol=0, atol=1e-11 * np.abs(value).max())
    # cost() is the weighted objective with its L2 term
    AL, _ = R.model_forward(np.asarray(X), net.parameters_, "tanh", output)
    want = R.compute_cost_with_regularization(AL, Y, net.parameters_, 0.3, output, w)
    assert net.cost(X, Y, sample_weight=w) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam"])
@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_training_matches_reference_float32(optimizer, output):
    """float32 end to end against the float64 reference on the same (float32) values.

    Every float32 operation rounds at 6e-8 relative; a dozen epochs of a small net stay
    within 1e-5 of the terms' magnitudes (measured: <= 2e-6 on costs, <= 3e-6 of the largest
    parameter)."""
    rng = np.random.default_rng(11)
    K = 1 if output == "sigmoid" else 3
    dims = [N_X, 6, K]
    X = rng.standard_normal((N_X, M)).astype(np.float32)
    Y = _targets(rng, output, K, M)
    net, params, costs = _fit_pair(X, Y, dims, output, dtype="float32", optimizer=optimizer, l2=0.2,
                                   keep_prob=0.8, batch_size=16)
    assert all(v.dtype == np.float32 for v in net.parameters_.values())
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-5)
    for key, value in params.items():
        np.testing.assert_allclose(net.parameters_[key], value, rtol=0, atol=1e-5 * np.abs(value).max())


def test_batches_are_the_references_random_mini_batches():
    """Epoch e trains on random_mini_batches(X, Y, batch, seed=shuffle_seed + e): the first
    step's gradient equals the reference's on the first batch of that epoch."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)
    seen = []
    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=1, batch_size=M, shuffle_seed=21, learning_rate=0.1)
    net.fit(X, Y)
    bx, by = R.random_mini_batches(X, Y, M, seed=21)[0]
    params = R.initialize_parameters([N_X, 4, 1], seed=1)
    AL, caches = R.model_forward(bx, params, "relu")
    grads = R.model_backward(AL, by, caches, "relu")
    ref = R.update_parameters(params, grads, 0.1)
    for key in ref:
        np.testing.assert_allclose(net.parameters_[key], ref[key], rtol=0, atol=1e-14)
    seen.append(net.costs_[0])
    assert seen[0] == pytest.approx(R.compute_cost(AL, by), rel=1e-13)


def test_keep_prob_one_is_bit_identical_to_no_dropout():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)
    a = fastnn.DeepNetwork([N_X, 5, 1], n_iterations=20, batch_size=8, optimizer="adam", keep_prob=1.0).fit(X, Y)
    b = fastnn.DeepNetwork([N_X, 5, 1], n_iterations=20, batch_size=8, optimizer="adam").fit(X, Y)
    c = fastnn.DeepNetwork([N_X, 5, 1], n_iterations=20, batch_size=8, optimizer="adam", keep_prob=0.9).fit(X, Y)
    for key in a.parameters_:
        assert a.parameters_[key].tobytes() == b.parameters_[key].tobytes()
    assert any(a.parameters_[k].tobytes() != c.parameters_[k].tobytes() for k in a.parameters_)


def test_same_fit_twice_gives_the_same_bits():
    rng = np.random.default_rng(6)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "softmax", 3, M)
    make = lambda: fastnn.DeepNetwork([N_X, 8, 3], n_iterations=15, batch_size=10, optimizer="adam",  # noqa: E731
                                      keep_prob=0.7, l2=0.1, seed=9)
    a, b = make().fit(X, Y), make().fit(X, Y)
    assert a.costs_ == b.costs_
    for key in a.parameters_:
        assert a.parameters_[key].tobytes() == b.parameters_[key].tobytes()


def test_steps_per_call_change_nothing(monkeypatch):
    """One step per compiled call, a callback per epoch, or everything in one call: the same
    bits (the time slicing of the loop is invisible)."""
    rng = np.random.default_rng(8)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)

    def fit(callback=None):
        return fastnn.DeepNetwork([N_X, 5, 3, 1], n_iterations=9, batch_size=7, optimizer="momentum",
                                  keep_prob=0.9, lr_decay="inverse", decay_rate=0.3).fit(X, Y, callback=callback)

    whole = fit()
    sliced_epochs = fit(callback=lambda e, c: None)
    monkeypatch.setattr(training, "SLICE_SECONDS", 0.0)  # one step per call
    one_step = fit()
    for other in (sliced_epochs, one_step):
        assert other.costs_ == whole.costs_ and other.n_steps_ == whole.n_steps_ == 9 * 8
        for key in whole.parameters_:
            assert other.parameters_[key].tobytes() == whole.parameters_[key].tobytes()


@pytest.mark.parametrize("lr_decay, expected", [
    ("inverse", [0.1, 0.1, 0.1 / 1.5, 0.1 / 2.0, 0.1 / 2.5]),
    ("step", [0.1, 0.1, 0.1, 0.1 / 1.5, 0.1 / 1.5]),
])
def test_learning_rates_per_epoch(lr_decay, expected):
    """Epoch 0 trains at lr0, epoch e >= 1 at decay(lr0, e - 1): as the course decays after
    each epoch. (interval 2 for the step schedule.)"""
    rng = np.random.default_rng(9)
    X = rng.standard_normal((N_X, 20))
    Y = _targets(rng, "sigmoid", 1, 20)
    net = fastnn.DeepNetwork([N_X, 3, 1], learning_rate=0.1, n_iterations=5, batch_size=8, lr_decay=lr_decay,
                             decay_rate=0.5, decay_interval=2).fit(X, Y)
    np.testing.assert_allclose(net.learning_rates_, expected, rtol=1e-15)
    assert net.learning_rates_[1] == R.update_lr(0.1, 0, 0.5) if lr_decay == "inverse" else True


def test_callback_progress_and_verbose_per_epoch(capsys):
    rng = np.random.default_rng(10)
    X = rng.standard_normal((N_X, 40))
    Y = _targets(rng, "sigmoid", 1, 40)
    seen = []
    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=6, record_every=2, batch_size=16)
    net.fit(X, Y, progress=True, verbose=True, callback=lambda e, c: seen.append((e, c)))
    assert [e for e, _ in seen] == list(range(6))
    assert [c for e, c in seen if e % 2 == 0] == net.costs_
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"Cost after epoch {e}: {c:f}" for e, c in zip((0, 2, 4), net.costs_)]
    assert "6/6" in err


@pytest.mark.parametrize("stop_at", [0, 3])
def test_keyboard_interrupt_mid_fit_keeps_last_completed_step(stop_at):
    """Ctrl-C (here from a callback) leaves the parameters of the last completed step;
    n_iter_ counts the epochs done, n_steps_ the steps: equal to a fresh fit of that many
    epochs."""
    rng = np.random.default_rng(12)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)

    def cb(e, c):
        if e == stop_at:
            raise KeyboardInterrupt

    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=10, batch_size=16, optimizer="adam")
    with pytest.raises(KeyboardInterrupt):
        net.fit(X, Y, callback=cb)
    assert net.n_iter_ == stop_at + 1 and net.n_steps_ == 4 * (stop_at + 1)
    ref = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=stop_at + 1, batch_size=16, optimizer="adam").fit(X, Y)
    for key in ref.parameters_:
        assert net.parameters_[key].tobytes() == ref.parameters_[key].tobytes()


def test_divergence_names_epoch_and_step_and_keeps_last_good_step():
    """Linear regression at a learning rate far past stability: the loss grows
    geometrically until it overflows; the error names where, the model keeps the last
    finite step (the same as a second identical fit)."""
    rng = np.random.default_rng(13)
    X = rng.standard_normal((N_X, M)) * 10
    Y = _targets(rng, "identity", 1, M)
    make = lambda: fastnn.DeepNetwork([N_X, 1], n_iterations=500, batch_size=8, learning_rate=50.0,  # noqa: E731
                                      output="identity")
    net = make()
    with pytest.raises(FloatingPointError, match=r"epoch \d+, step \d+ of the epoch.*learning_rate"):
        net.fit(X, Y)
    assert 0 < net.n_steps_ < 500 * 7
    assert all(np.isfinite(v).all() for v in net.parameters_.values())
    steps = net.n_steps_
    again = make()
    with pytest.raises(FloatingPointError):
        again.fit(X, Y)
    assert again.n_steps_ == steps
    for key in net.parameters_:
        assert net.parameters_[key].tobytes() == again.parameters_[key].tobytes()


def test_full_batch_defaults_unchanged_by_new_options():
    """The first course's behaviour: batch_size=None is full-batch gradient descent, one
    step per epoch, costs_ the cost before each recorded iteration's update."""
    rng = np.random.default_rng(14)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)
    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=30, record_every=10, learning_rate=0.2).fit(X, Y)
    params, costs = R.train_network(X, Y, [N_X, 4, 1], 30, 0.2, record_every=10)
    assert net.n_steps_ == net.n_iter_ == 30 and len(net.costs_) == 3
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-13)


def test_identity_hidden_layers_and_glorot_init_match_reference():
    """A linear hidden layer (scikit-learn's activation="identity") and Glorot-uniform weights."""
    rng = np.random.default_rng(16)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "softmax", 3, M)
    net = fastnn.DeepNetwork([N_X, 5, 3], hidden_activation="identity", init="glorot", seed=4, n_iterations=10,
                             record_every=1, learning_rate=0.1, batch_size=20, optimizer="adam").fit(X, Y)
    params0 = R.initialize_parameters([N_X, 5, 3], init="glorot", seed=4)
    bound = np.sqrt(6 / (N_X + 5))
    assert np.abs(params0["W1"]).max() <= bound and np.abs(params0["W1"]).max() > 0.8 * bound
    params, costs = R.train_network(X, Y, [N_X, 5, 3], 10, 0.1, "identity", "glorot", 4, 1, batch_size=20,
                                    optimizer="adam")
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-12)
    for key, value in params.items():
        np.testing.assert_allclose(net.parameters_[key], value, rtol=0, atol=1e-11 * np.abs(value).max())


def test_callback_returning_true_stops_training():
    rng = np.random.default_rng(17)
    X = rng.standard_normal((N_X, M))
    Y = _targets(rng, "sigmoid", 1, M)
    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=50, batch_size=10)
    net.fit(X, Y, callback=lambda e, c: e == 6)
    assert net.n_iter_ == 7 and net.n_steps_ == 7 * 6


@pytest.mark.parametrize("record_every", [1, 3])
def test_partial_fit_epochs_equal_one_fit(record_every):
    """n calls of partial_fit train exactly as fit with n epochs (decay, Adam's step count,
    shuffling and dropout carry on), bit for bit; the costs recorded (epochs 0, 3, 6 with
    record_every=3, whichever call ran them) and the rates are the same."""
    rng = np.random.default_rng(18)
    X = rng.standard_normal((N_X, 60))
    Y = _targets(rng, "softmax", 3, 60)
    kw = dict(optimizer="adam", batch_size=16, lr_decay="inverse", decay_rate=0.5, keep_prob=0.9,
              record_every=record_every)
    a = fastnn.DeepNetwork([N_X, 7, 3], n_iterations=7, **kw).fit(X, Y)
    b = fastnn.DeepNetwork([N_X, 7, 3], n_iterations=7, **kw)
    for _ in range(7):
        b.partial_fit(X, Y)
    assert len(a.costs_) == len(range(0, 7, record_every)) and len(a.learning_rates_) == 7
    assert a.costs_ == b.costs_ and a.learning_rates_ == b.learning_rates_
    assert (b.n_iter_, b.n_steps_) == (7, a.n_steps_)
    for key in a.parameters_:
        assert a.parameters_[key].tobytes() == b.parameters_[key].tobytes()


def test_a_batch_of_zero_weights_is_skipped():
    """A batch whose examples all have weight 0 has no objective: it is skipped (no step),
    and the fit equals one on the data without those examples' batch."""
    rng = np.random.default_rng(19)
    X = rng.standard_normal((N_X, 40))
    Y = _targets(rng, "sigmoid", 1, 40)
    w = np.ones(40)
    w[10:20] = 0.0  # with shuffle=False and batches of 10: the second batch
    net = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=3, batch_size=10, shuffle=False, record_every=1)
    net.fit(X, Y, sample_weight=w)
    assert net.n_steps_ == 3 * 3 and all(np.isfinite(net.costs_))
    keep = np.r_[0:10, 20:40]
    ref = fastnn.DeepNetwork([N_X, 4, 1], n_iterations=3, batch_size=10, shuffle=False, record_every=1)
    ref.fit(X[:, keep], Y[:, keep])
    np.testing.assert_allclose(net.costs_, ref.costs_, rtol=1e-15)
    for key in ref.parameters_:
        np.testing.assert_array_equal(net.parameters_[key], ref.parameters_[key])


def test_read_only_data_compiles_nothing_new():
    """The kernels always get read-only views of the data, so a read-only (e.g. memory-
    mapped) X reuses the training loop compiled for a writable one."""
    from fastnn.kernels import network as KN

    rng = np.random.default_rng(20)
    X = np.asfortranarray(rng.standard_normal((300, 1000)))  # large enough to be read in place
    Y = _targets(rng, "sigmoid", 1, 1000)
    fastnn.DeepNetwork([300, 8, 1], n_iterations=1).fit(X, Y).predict(X)
    train, predict = KN.train_for(KN.OUT_SIGMOID), KN.predict_for(KN.OUT_SIGMOID)
    before = len(train.signatures), len(predict.signatures)
    ro = X.copy(order="F")
    ro.setflags(write=False)
    net = fastnn.DeepNetwork([300, 8, 1], n_iterations=1).fit(ro, Y)
    net.predict(ro)
    assert (len(train.signatures), len(predict.signatures)) == before


@pytest.mark.parametrize("batch_size", [16, 37, 100])
def test_minibatches_of_an_example_major_x_are_the_same_bits(batch_size):
    """An F-ordered X large enough to be read in place (example-major) is gathered into the
    same feature-major batches as a C-ordered copy (16 examples at a time, then the rest):
    the two fits are bit-identical."""
    rng = np.random.default_rng(21)
    X = rng.standard_normal((30, 1000))
    Y = _targets(rng, "softmax", 3, 1000)
    kw = dict(n_iterations=2, batch_size=batch_size, optimizer="adam", learning_rate=0.01, seed=4)
    a = fastnn.DeepNetwork([30, 8, 3], **kw).fit(np.ascontiguousarray(X), Y)
    data = training.Data(np.asfortranarray(X), Y.astype(float), Y[0], None, n1=8)
    assert data.xmajor == 1  # read in place, example-major
    b = fastnn.DeepNetwork([30, 8, 3], **kw).fit(np.asfortranarray(X), Y)
    assert a.costs_ == b.costs_
    for key in a.parameters_:
        assert a.parameters_[key].tobytes() == b.parameters_[key].tobytes()


@pytest.mark.parametrize("batch_size", [None, 16])
def test_costs_nobody_reads_are_skipped_and_change_nothing(batch_size):
    """Without a callback the compiled loop computes the recorded epochs' costs (and the
    last ones), not the others (their entries are NaN); the training itself is the same bits
    as a fit whose callback reads every epoch's cost."""
    rng = np.random.default_rng(24)
    X = rng.standard_normal((N_X, 60))
    Y = _targets(rng, "sigmoid", 1, 60)
    kw = dict(n_iterations=40, record_every=7, batch_size=batch_size, optimizer="adam", learning_rate=0.01, seed=2)
    loop = training.start(fastnn.DeepNetwork([N_X, 6, 1], **kw), X, Y)
    loop.steps(40 * (1 if batch_size is None else 4))  # one call: 40 epochs
    computed = np.flatnonzero(np.isfinite(loop.epoch_costs))
    assert list(computed) == [0, 7, 14, 21, 28, 35, 38, 39]
    seen = []
    a = fastnn.DeepNetwork([N_X, 6, 1], **kw).fit(X, Y)
    b = fastnn.DeepNetwork([N_X, 6, 1], **kw).fit(X, Y, callback=lambda e, c: seen.append(c))
    assert len(seen) == 40 and np.all(np.isfinite(seen))
    assert a.costs_ == b.costs_ == seen[::7]
    assert list(loop.epoch_costs[computed]) == [seen[e] for e in computed]
    for key in a.parameters_:
        assert a.parameters_[key].tobytes() == b.parameters_[key].tobytes()


def test_divergence_in_an_epoch_whose_cost_is_skipped_is_reported_as_before():
    """Logits overflow at iteration 1, in an epoch whose cost is not read (one call of the
    compiled loop for 100 iterations): the step without its loss stops training there, as a
    fit reading every cost does (here both costs are NaN; an infinite one would be reported
    as NaN)."""
    from fastnn.kernels import network as KN

    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 50)) * 1e200
    Y = (rng.random((1, 50)) > 0.5) * 1.0
    kw = dict(init="he", learning_rate=1.0, n_iterations=100, record_every=50)
    loop = training.start(fastnn.DeepNetwork([4, 3, 1], **kw), X, Y)
    with pytest.raises(FloatingPointError, match=r"cost at iteration 1 is nan") as skipped:
        loop.steps(100)
    assert loop.state.istate[KN.I_NEED] == 0  # epoch 1's cost was being skipped
    net = fastnn.DeepNetwork([4, 3, 1], **kw)
    with pytest.raises(FloatingPointError) as every:
        net.fit(X, Y, callback=lambda e, c: False)
    assert str(skipped.value) == str(every.value) and net.n_iter_ == 1
