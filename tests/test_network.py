"""fastnn/network.py: DeepNetwork held to fastnn.reference (gradients, training runs, the
course's published numbers), the Gram first layer, progress and callbacks, validation data
and early stopping.

Gradient tolerances: fastnn and the reference sum the same terms in different orders, so the
bound is 1e-12 (float64) / 1e-5 (float32) of the magnitude of the terms summed into each
gradient entry (``tests/kernel_cases.py``: ``reference_gradient_bounds``)."""

import numpy as np
import pytest

import fastnn
from fastnn import reference as R

from .helpers_models import _data
from .kernel_cases import reference_gradient_bounds

ACTS = ["relu", "tanh", "sigmoid"]


def _fitted_net(dims, act, X, Y, seed=3, dtype=None):
    """A network whose parameters are the reference's init plus nonzero biases."""
    net = fastnn.DeepNetwork(dims, hidden_activation=act, init="he", seed=seed, n_iterations=0, dtype=dtype)
    net.fit(X, Y)
    rng = np.random.default_rng(seed)
    for l in range(1, len(dims)):
        b = net.parameters_[f"b{l}"]
        b[...] = rng.uniform(-0.3, 0.3, b.shape)
    return net


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("dims", [[3, 1], [5, 4, 1], [6, 5, 4, 3, 1], [40, 20, 7, 5, 1]])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_gradients_match_reference_float64(act, dims, layout, rng):
    X, Y = _data(rng, dims[0], 257)
    net = _fitted_net(dims, act, X, Y)
    Xl = np.asfortranarray(X) if layout == "F" else X
    grads = net.gradients(Xl, Y)
    ref, bounds = reference_gradient_bounds(net.parameters_, X, Y, act)
    assert sorted(grads) == sorted(bounds)
    for key, value in grads.items():
        assert value.dtype == np.float64 and value.shape == ref[key].shape
        np.testing.assert_array_less(np.abs(value - ref[key]), 1e-12 * (np.abs(ref[key]) + bounds[key]) + 1e-300)
    # And the cost, from the logits.
    assert net.cost(X, Y) == pytest.approx(R.compute_cost(R.model_forward(X, net.parameters_, act)[0], Y), rel=1e-12)


@pytest.mark.parametrize("act", ACTS)
def test_gradients_match_reference_float32(act, rng):
    """float32 end to end, compared with the reference in float64 on the same float32
    values: float32 rounding of every product and activation (~6e-8 relative each)
    accumulates to well under 1e-5 of the terms' magnitude."""
    dims = [30, 8, 4, 1]
    X, Y = _data(rng, dims[0], 300, np.float32)
    net = _fitted_net(dims, act, X, Y)
    grads = net.gradients(X, Y)
    params64 = {k: v.astype(np.float64) for k, v in net.parameters_.items()}
    ref, bounds = reference_gradient_bounds(params64, X.astype(np.float64), Y.astype(np.float64), act)
    for key, value in grads.items():
        assert value.dtype == np.float32
        np.testing.assert_array_less(np.abs(value - ref[key]), 1e-5 * (np.abs(ref[key]) + bounds[key]))
    assert net.parameters_["W1"].dtype == np.float32
    assert net.predict_proba(X).dtype == np.float32


@pytest.mark.parametrize("first_layer", ["direct", "gram"])
@pytest.mark.parametrize("act", ACTS)
def test_training_run_matches_reference(act, first_layer, rng):
    dims = [12, 6, 3, 1]
    X, Y = _data(rng, dims[0], 150)
    net = fastnn.DeepNetwork(dims, hidden_activation=act, init="lecun", seed=1, learning_rate=0.3,
                             n_iterations=300, record_every=10, first_layer=first_layer).fit(X, Y)
    assert net.first_layer_ == first_layer
    params, costs = R.train_network(X, Y, dims, 300, 0.3, hidden_activation=act, init="lecun", seed=1, record_every=10)
    assert len(net.costs_) == len(costs) == 30 and net.n_iter_ == 300
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-10)
    for key in params:
        np.testing.assert_allclose(net.parameters_[key], params[key], rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(net.predict(X), R.predict(X, params, act))
    assert net.score(X, Y) == np.mean(R.predict(X, params, act) == Y)


@pytest.mark.parametrize("act", ACTS)
def test_gradients_match_central_differences_of_cost(act, rng):
    """An oracle independent of fastnn.reference: the model's own cost, differentiated
    numerically (a bug shared by the reference and the kernels cannot pass this)."""
    dims = [4, 3, 2, 1]
    X, Y = _data(rng, dims[0], 7)
    net = _fitted_net(dims, act, X, Y, seed=5)
    grads = net.gradients(X, Y)
    h = 1e-6
    analytic, numeric = [], []
    for key, P in net.parameters_.items():
        for idx in np.ndindex(P.shape):
            old = P[idx]
            P[idx] = old + h
            plus = net.cost(X, Y)
            P[idx] = old - h
            minus = net.cost(X, Y)
            P[idx] = old
            numeric.append((plus - minus) / (2 * h))
            analytic.append(grads["d" + key][idx])
    analytic, numeric = np.array(analytic), np.array(numeric)
    assert np.count_nonzero(analytic) > analytic.size // 2
    rel = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert rel < 1e-7, rel


def test_gradients_match_torch_autograd(rng):
    """A second independent oracle when PyTorch is installed (never a dependency)."""
    torch = pytest.importorskip("torch")
    dims = [6, 5, 3, 1]
    X, Y = _data(rng, dims[0], 11)
    for act in ACTS:
        net = _fitted_net(dims, act, X, Y, seed=7)
        T = {k: torch.tensor(v, requires_grad=True) for k, v in net.parameters_.items()}
        A = torch.tensor(X)
        g = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
        for l in range(1, len(dims)):
            Z = T[f"W{l}"] @ A + T[f"b{l}"]
            A = Z if l == len(dims) - 1 else g(Z)
        cost = torch.nn.functional.binary_cross_entropy_with_logits(A, torch.tensor(Y))
        cost.backward()
        grads = net.gradients(X, Y)
        assert net.cost(X, Y) == pytest.approx(cost.item(), rel=1e-12)
        for key, t in T.items():
            np.testing.assert_allclose(grads["d" + key], t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_initial_parameters_are_the_references(rng):
    X, Y = _data(rng, 7, 10)
    for init in ["lecun", "he", "xavier", "small"]:
        net = fastnn.DeepNetwork([7, 5, 3, 1], init=init, seed=11, n_iterations=0).fit(X, Y)
        ref = R.initialize_parameters([7, 5, 3, 1], init=init, seed=11)
        for key in ref:
            np.testing.assert_array_equal(net.parameters_[key], ref[key])
        assert net.n_iter_ == 0 and net.costs_ == []


def test_fit_reports_progress_callback_and_verbose(rng, capsys):
    X, Y = _data(rng, 4, 30)
    seen = []
    net = fastnn.DeepNetwork([4, 3, 1], n_iterations=25, record_every=10)
    net.fit(X, Y, progress=True, verbose=True, callback=lambda i, c: seen.append((i, c)))
    assert [i for i, _ in seen] == list(range(25))
    assert [c for i, c in seen if i % 10 == 0] == net.costs_
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"Cost after iteration {i}: {c:f}" for i, c in zip((0, 10, 20), net.costs_)]
    assert "25/25" in err and "cost" in err


# ------------------------------------------------------------------ the course's runs


def test_shallow_tanh_network_on_planar_data():
    """The course's shallow network: 4 tanh units, 10000 iterations at 1.2, about 90 %."""
    from fastnn.datasets import load_planar

    X, Y = load_planar()
    net = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", init="small", seed=2,
                             learning_rate=1.2, n_iterations=10000, record_every=500).fit(X, Y)
    # The course prints "Cost after iteration 0: 0.693048" and an accuracy of 90 %.
    assert net.costs_[0] == pytest.approx(0.693048, abs=1e-6)
    assert 0.89 <= net.score(X, Y) <= 0.92
    params, costs = R.train_network(X, Y, [2, 4, 1], 10000, 1.2, hidden_activation="tanh", init="small",
                                    seed=2, record_every=500)
    # Up to iteration 7500 the two runs agree to a few ulps (measured: <= 2e-15). At this
    # large learning rate the descent is not a contraction: between 7500 and 8000 the
    # cost rises (0.2175 -> 0.2195) and ulp-level differences (summation order, BLAS
    # kernel, libm) are amplified, in the reference's own rounding as much as fastnn's. So
    # the tight parity is asserted on the contracting part of the run only, and the
    # chaotic part within PLANAR_CHAOTIC_ATOL (see there).
    np.testing.assert_allclose(net.costs_[:16], costs[:16], rtol=1e-10)
    np.testing.assert_allclose(net.costs_, costs, rtol=0, atol=PLANAR_CHAOTIC_ATOL)


# The course notebook's printed costs for n_h = 4 (10000 iterations at 1.2, seed 2).
PLANAR_COURSE_COSTS = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504,
                       0.219471, 0.218612]


# How far the chaotic part of that run (iterations 8000-10000) moves with the last bits of
# the arithmetic. Measured: relative perturbations of 1e-15 of the initial weights (24 runs
# of the reference) move the costs at 8000 / 9000 by up to 1.3e-4 / 6.8e-5 from the printed
# values; SkylakeX against Haswell OpenBLAS kernels moved the cost at 9000 by 6.3e-5; the
# course's own two published outputs differ by 1.7e-5. The plateau's level is what stays:
# 5e-4 is about 4 times the largest deviation measured, and 40 times smaller than the
# change of the cost between iterations 1000 and 7000.
PLANAR_CHAOTIC_ATOL = 5e-4


# The course notebook's printed costs for n_h = 4 (10000 iterations at 1.2, seed 2).
PLANAR_COURSE_COSTS = [0.693048, 0.288083, 0.254385, 0.233864, 0.226792, 0.222644, 0.219731, 0.217504,
                       0.219471, 0.218612]


@pytest.mark.parametrize("impl", ["fastnn", "reference"])
def test_planar_costs_match_the_published_course_output(impl):
    from fastnn.datasets import load_planar

    X, Y = load_planar()
    if impl == "fastnn":
        costs = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", init="small", seed=2, learning_rate=1.2,
                                   n_iterations=10000, record_every=1000).fit(X, Y).costs_
    else:
        costs = R.train_network(X, Y, [2, 4, 1], 10000, 1.2, hidden_activation="tanh", init="small", seed=2,
                                record_every=1000)[1]
    # Printed to 6 decimals: half a unit of the last digit, through iteration 7000, where
    # the run contracts (ulp-level perturbations measured to stay below 1e-14).
    np.testing.assert_allclose(costs[:8], PLANAR_COURSE_COSTS[:8], rtol=0, atol=5e-7)
    # After 7500 the run stops contracting: the last bits of the CPU's arithmetic decide the
    # trajectory, so 8000 and 9000 are held at the measured chaotic spread's scale.
    np.testing.assert_allclose(costs[8:], PLANAR_COURSE_COSTS[8:], rtol=0, atol=PLANAR_CHAOTIC_ATOL)


@pytest.mark.parametrize("n_h, accuracy", [(1, 67.5), (2, 67.25), (3, 90.75), (4, 90.5), (5, 91.25)])
def test_planar_hidden_layer_sizes_match_the_course(n_h, accuracy):
    """The course's "tuning hidden layer size" table (5000 iterations at 1.2). Its 20- and
    50-unit rows (90.0 %, 90.25 %) are left out: at that width and learning rate the run is
    chaotic (the reference itself gives 90.0 / 90.75 here, fastnn 90.5 / 90.25). The rows
    kept are stable: relative perturbations of 1e-15 and 1e-14 of the initial weights move
    their costs by at most 5e-15 and change no prediction (measured with the reference)."""
    from fastnn.datasets import load_planar

    X, Y = load_planar()
    net = fastnn.DeepNetwork([2, n_h, 1], hidden_activation="tanh", init="small", seed=2, learning_rate=1.2,
                             n_iterations=5000).fit(X, Y)
    assert 100 * net.score(X, Y) == pytest.approx(accuracy, abs=1e-9)


@pytest.fixture(scope="module")
def cat_reference_run(cat_data):
    X_train, Y_train = cat_data[:2]
    return R.train_network(X_train, Y_train, [12288, 20, 7, 5, 1], 2500, 0.0075, init="lecun", seed=1)


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.parametrize("first_layer", ["auto", "direct"])
def test_deep_network_on_cats_reproduces_reference_and_course(first_layer, cat_data, cat_reference_run):
    X_train, Y_train, X_test, Y_test = cat_data
    dims = [12288, 20, 7, 5, 1]
    net = fastnn.DeepNetwork(dims, learning_rate=0.0075, n_iterations=2500, init="lecun", seed=1,
                             first_layer=first_layer).fit(X_train, Y_train)
    assert net.first_layer_ == ("gram" if first_layer == "auto" else "direct")
    params, costs = cat_reference_run
    np.testing.assert_allclose(net.costs_, costs, rtol=1e-10)
    for key in params:  # measured: <= 1e-14 of each array's largest entry, both paths
        np.testing.assert_allclose(net.parameters_[key], params[key], rtol=0, atol=1e-12 * np.abs(params[key]).max())
    # The course prints 0.771749 (iteration 0), 0.672053 (100), 0.092878 (2400).
    assert net.costs_[0] == pytest.approx(0.771749, abs=5e-7)
    assert net.costs_[1] == pytest.approx(0.672053, abs=5e-7)
    assert net.costs_[-1] == pytest.approx(0.092878, abs=5e-7)
    assert net.score(X_train, Y_train) == pytest.approx(0.9856459330143539, rel=1e-12)
    assert net.score(X_test, Y_test) == pytest.approx(0.8, rel=1e-12)


@pytest.mark.data
@pytest.mark.parametrize("first_layer", ["auto", "direct"])
def test_two_layer_cat_model_matches_the_published_course_output(first_layer, cat_data):
    """Course week 4, two_layer_model (12288, 7, 1), randn * 0.01 with seed 1, 2500
    iterations at 0.0075: printed costs 0.6930497356599888 (iteration 0),
    0.6464320953428849 (100), 0.048554785628770206 (2400); accuracy 1.0 train, 0.72 test."""
    X_train, Y_train, X_test, Y_test = cat_data
    net = fastnn.DeepNetwork([12288, 7, 1], init="small", seed=1, learning_rate=0.0075, n_iterations=2500,
                             first_layer=first_layer).fit(X_train, Y_train)
    assert net.costs_[0] == pytest.approx(0.6930497356599888, rel=1e-12)
    assert net.costs_[1] == pytest.approx(0.6464320953428849, rel=1e-12)
    # 2400 iterations of other BLAS/summation orders than the notebook's: 1e-10, not 1e-12.
    assert net.costs_[-1] == pytest.approx(0.048554785628770206, rel=1e-10)
    assert net.score(X_train, Y_train) == 1.0
    assert net.score(X_test, Y_test) == pytest.approx(0.72, abs=1e-12)


# --------------------------------------------------------------- the Gram first layer


def test_first_layer_auto_rule():
    """Gram when it needs under half the work over the run and G fits the budget."""
    from fastnn.network import GRAM_MAX_BYTES

    def choice(dims, m, n_iterations, dtype=np.float64):
        net = fastnn.DeepNetwork(dims, n_iterations=n_iterations)
        return net._choose_first_layer((dims[0], m), np.dtype(dtype))

    assert choice([12288, 20, 7, 5, 1], 209, 2500) == "gram"  # the course's cat run
    assert choice([12288, 20, 7, 5, 1], 209, 2500, np.float32) == "gram"  # float64 Gram state
    assert choice([12288, 20, 7, 5, 1], 209, 1) == "direct"  # G costs more than one step
    assert choice([2, 4, 1], 400, 10000) == "direct"  # m >> n_x: G is the larger product
    big_m = int(np.sqrt(GRAM_MAX_BYTES / 8)) + 1  # G is float64 for both dtypes
    assert choice([10**6, 20, 1], big_m, 10**4) == "direct"  # G over the memory budget
    with pytest.raises(ValueError, match="first_layer"):
        fastnn.DeepNetwork([3, 1], first_layer="fast")


@pytest.mark.parametrize("stop", ["interrupt", "diverge"])
def test_gram_path_rebuilds_W1_when_fit_stops(stop, rng):
    """W1 after a stopped Gram fit equals W1 of a direct fit of the completed iterations."""
    X, Y = _data(rng, 40, 12)
    X *= 3
    lr = 0.05 if stop == "interrupt" else 1e3

    def cb(i, cost):
        if stop == "interrupt" and i == 6:
            raise KeyboardInterrupt

    net = fastnn.DeepNetwork([40, 5, 1], learning_rate=lr, n_iterations=50, first_layer="gram")
    with pytest.raises(KeyboardInterrupt if stop == "interrupt" else FloatingPointError):
        net.fit(X, Y, callback=cb)
    assert net.n_iter_ >= 1
    ref = fastnn.DeepNetwork([40, 5, 1], learning_rate=lr, n_iterations=net.n_iter_, first_layer="direct").fit(X, Y)
    for key in ref.parameters_:
        np.testing.assert_allclose(net.parameters_[key], ref.parameters_[key], rtol=1e-9, atol=1e-12)


@pytest.mark.data
def test_float32_gram_path_follows_the_float32_direct_path(cat_data):
    """The Gram path's state is float64 for a float32 model. Before, a float32 state drifted
    (course run: final cost 0.08792 against 0.08842 direct, 5e-4); now the two float32 paths
    agree to ~1e-7 relative over 300 iterations of the cat net (measured 2e-7 after 600), far
    below what float32 itself moves a run from float64 (the escape from the early plateau
    shifts: 14 % at iteration 600). 1e-5 is float32's own rounding scale."""
    X_train, Y_train = cat_data[:2]
    kw = dict(n_iterations=300, dtype="float32", record_every=25)
    gram = fastnn.DeepNetwork([12288, 20, 7, 5, 1], first_layer="gram", **kw).fit(X_train, Y_train)
    direct = fastnn.DeepNetwork([12288, 20, 7, 5, 1], first_layer="direct", **kw).fit(X_train, Y_train)
    assert gram.parameters_["W1"].dtype == np.float32
    np.testing.assert_allclose(gram.costs_, direct.costs_, rtol=1e-5)
    for key in gram.parameters_:
        scale = np.abs(direct.parameters_[key]).max()
        np.testing.assert_allclose(gram.parameters_[key], direct.parameters_[key], rtol=0, atol=1e-4 * scale)


def test_float32_gram_matrix_is_built_in_blocks_without_a_float64_copy():
    """The float32 Gram path's (W1 X, X^T X): float64 sums of the widened values, from row
    blocks (here two: 5592 + 408 rows) accumulated into one triangle and mirrored (here in
    two column blocks); equal to the float64 products up to their rounding, exactly
    symmetric, C-ordered."""
    from fastnn.network import _gram_start

    rng = np.random.default_rng(23)
    X = rng.random((6000, 1500), dtype=np.float32)
    W1 = rng.standard_normal((7, 6000)).astype(np.float32)
    Z1, G = _gram_start(W1, X)
    X64 = X.astype(np.float64)
    assert G.dtype == np.float64 and G.flags.c_contiguous and np.array_equal(G, G.T)
    # sums of 6000 products of values in [0, 1): each order of summation is within ~1e-15
    np.testing.assert_allclose(G, X64.T @ X64, rtol=1e-12)
    np.testing.assert_allclose(Z1, W1.astype(np.float64) @ X64, rtol=1e-12, atol=1e-12)


# --------------------------------------------------------- validation, early stopping


def _blobs(rng, m=300, K=3, n_x=5, noise=1.0):
    labels = rng.integers(0, K, m)
    centers = rng.standard_normal((n_x, K)) * 3
    return centers[:, labels] + noise * rng.standard_normal((n_x, m)), labels[None, :]


def test_validation_data_is_recorded_at_every_recorded_epoch(rng):
    X, Y = _blobs(rng)
    Xv, Yv = _blobs(rng, 100)
    seen = []
    net = fastnn.DeepNetwork([5, 8, 3], n_iterations=12, record_every=3, batch_size=32, optimizer="adam",
                             learning_rate=0.01)
    net.fit(X, Y, validation_data=(Xv, Yv), callback=lambda e, c, v: seen.append((e, v)))
    assert len(net.validation_costs_) == len(net.validation_scores_) == len(net.costs_) == 4
    assert [e for e, v in seen if v is not None] == [0, 3, 6, 9]
    # the recorded numbers are the validation set's cost and accuracy at those epochs: the
    # last one equals the final model's (epoch 9 is not the last epoch, so refit to 10)
    net10 = fastnn.DeepNetwork([5, 8, 3], n_iterations=10, record_every=3, batch_size=32, optimizer="adam",
                               learning_rate=0.01).fit(X, Y)
    assert net.validation_costs_[-1] == pytest.approx(net10.cost(Xv, Yv), rel=1e-12)
    assert net.validation_scores_[-1] == net10.score(Xv, Yv)
    assert seen[9][1] == (net.validation_costs_[-1], net.validation_scores_[-1])


def test_early_stopping_keeps_the_best_epoch(rng):
    """Noisy labels and a large network overfit: the validation cost rises, training stops
    n_iter_no_change recorded epochs after its best, and the model keeps that epoch's
    parameters (equal to a fit of exactly that many epochs)."""
    X, Y = _blobs(rng, 200, noise=2.5)
    Xv, Yv = _blobs(rng, 200, noise=2.5)
    kw = dict(n_iterations=400, batch_size=20, optimizer="adam", learning_rate=0.01, record_every=1, seed=5)
    net = fastnn.DeepNetwork([5, 64, 64, 3], early_stopping=True, n_iter_no_change=5, tol=0.0, **kw)
    net.fit(X, Y, validation_data=(Xv, Yv))
    best = net.best_iteration_
    assert best is not None and net.n_iter_ == best + 1 + 5 < 400
    assert net.validation_costs_[best] == min(net.validation_costs_)
    ref = fastnn.DeepNetwork([5, 64, 64, 3], **dict(kw, n_iterations=best + 1)).fit(X, Y)
    for key in ref.parameters_:
        assert net.parameters_[key].tobytes() == ref.parameters_[key].tobytes()


def test_early_stopping_without_validation_data_holds_out_a_stratified_split(rng):
    X, Y = _blobs(rng, 400)
    net = fastnn.DeepNetwork([5, 8, 3], early_stopping=True, validation_fraction=0.25, n_iterations=30,
                             batch_size=32, record_every=1, seed=2)
    net.fit(X, Y)
    from fastnn.network import _split

    train, val = _split(np.zeros((0, 400)), Y[0], "softmax", 0.25, 2)
    assert train.size + val.size == 400 and np.intersect1d(train, val).size == 0
    for c in range(3):
        count = np.sum(Y[0] == c)
        assert np.sum(Y[0, val] == c) == round(0.25 * count)
    again = fastnn.DeepNetwork([5, 8, 3], early_stopping=True, validation_fraction=0.25, n_iterations=30,
                               batch_size=32, record_every=1, seed=2).fit(X, Y)
    assert again.validation_costs_ == net.validation_costs_  # seeded: the same split
    assert len(net.validation_costs_) == net.n_iter_


def test_progress_bar_shows_the_validation_score(rng, capsys):
    X, Y = _blobs(rng, 100)
    fastnn.DeepNetwork([5, 4, 3], n_iterations=5, record_every=1).fit(X, Y, validation_data=(X, Y), progress=True)
    err = capsys.readouterr().err
    assert "val cost" in err and "score" in err and "5/5" in err
