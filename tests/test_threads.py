"""Threads: bit-identical results at any Numba thread count, concurrent use from a thread
pool, and KeyboardInterrupt during fit.

Thread-count and concurrency checks run in subprocesses: the thread count is fixed at
Numba's import, and an abort (numba#8563 with the workqueue layer) must fail a test, not
kill pytest. ``FASTNN_PARALLEL_MIN_ELEMENTS=1`` forces the parallel kernel variants on
these small arrays.
"""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from fastnn import DeepNetwork, LogisticRegression, reference

_COMMON = r"""
import hashlib, sys
import numpy as np
import numba
import fastnn.kernels as K
from fastnn import DeepNetwork, LogisticRegression


def data(n_x=24, m=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_x, m))
    Y = (X[:1] + 0.5 * X[1:2] * X[2:3] + 0.3 * rng.standard_normal((1, m)) > 0).astype(np.float64)
    return X, Y


def net_result(dtype, activation, X, Y, seed=1, n=8):
    net = DeepNetwork([X.shape[0], 32, 16, 1], hidden_activation=activation, seed=seed, learning_rate=0.05,
                      n_iterations=n, record_every=1, dtype=dtype).fit(X, Y)
    out = [net.parameters_[k] for k in sorted(net.parameters_)]
    out.append(np.array(net.costs_))
    out.append(net.predict_proba(X))
    out.append(np.array(net.cost(X, Y)))
    grads = net.gradients(X, Y)
    out += [grads[k] for k in sorted(grads)]
    return out


def lr_result(dtype, X, Y, n=8):
    lr = LogisticRegression(learning_rate=0.1, n_iterations=n, record_every=1, dtype=dtype).fit(X, Y)
    return [lr.w_, np.array(lr.b_), np.array(lr.costs_), lr.predict_proba(X)]


def digest(arrays):
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.shape, a.dtype.str)).encode())
        h.update(a.tobytes())
    return h.hexdigest()
"""

_DETERMINISM = _COMMON + r"""
assert numba.get_num_threads() == int(sys.argv[1]), numba.get_num_threads()
X, Y = data()
parts = {}
for dtype in ("float64", "float32"):
    for act in ("relu", "tanh", "sigmoid") if dtype == "float64" else ("tanh",):
        result = net_result(dtype, act, X, Y)
        parts[f"net-{dtype}-{act}"] = digest(result)
        if len(sys.argv) > 2 and dtype == "float64" and act == "tanh":
            np.save(sys.argv[2], np.concatenate([np.ravel(a) for a in result]))
    parts[f"lr-C-{dtype}"] = digest(lr_result(dtype, X, Y))
    parts[f"lr-F-{dtype}"] = digest(lr_result(dtype, np.asfortranarray(X), Y))
# a parallel region really ran (threading_layer() raises before the first one)
print("layer", numba.threading_layer(), "min", K.PARALLEL_MIN_ELEMENTS)
for k in sorted(parts):
    print(k, parts[k])
"""


def _run(script, *args, env=None, timeout=300):
    full_env = dict(os.environ)
    # Idle OpenMP workers sleep instead of spinning: on a busy 2-core machine spinning
    # workers make every parallel launch several times slower (results are unaffected).
    full_env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *map(str, args)],
        env=full_env, capture_output=True, text=True, timeout=timeout,
    )
    return proc


def _hashes(threads, min_elements="1", save=None):
    env = {"NUMBA_NUM_THREADS": str(threads), "FASTNN_PARALLEL_MIN_ELEMENTS": min_elements}
    proc = _run(_DETERMINISM, threads, *([save] if save else []), env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("layer ") and lines[0].endswith(f" min {min_elements}"), lines[0]
    return dict(line.split() for line in lines[1:])


@pytest.fixture(scope="module")
def two_threads(tmp_path_factory):
    """(hashes, path of the float64 tanh network's outputs) with 2 threads."""
    path = tmp_path_factory.mktemp("threads") / "net64tanh.npy"
    return _hashes(2, save=path), path


@pytest.fixture(scope="module")
def hashes_2_threads(two_threads):
    return two_threads[0]


def test_two_runs_bit_identical(hashes_2_threads):
    assert _hashes(2) == hashes_2_threads


def test_one_and_two_threads_bit_identical(hashes_2_threads):
    one = _hashes(1)
    assert len(one) == 8
    assert one == hashes_2_threads


def test_serial_variants_bit_identical_to_parallel(hashes_2_threads):
    """Below the threshold the serial variants run; they use the same fixed chunking."""
    assert _hashes(2, min_elements=str(2**40)) == hashes_2_threads


def test_parallel_results_match_reference(two_threads):
    """The bit-identical results are also the right ones (fastnn.reference, float64)."""
    got = np.load(two_threads[1])
    rng = np.random.default_rng(0)
    X = rng.standard_normal((24, 300))
    Y = (X[:1] + 0.5 * X[1:2] * X[2:3] + 0.3 * rng.standard_normal((1, 300)) > 0).astype(np.float64)
    params, costs = reference.train_network(X, Y, [24, 32, 16, 1], 8, 0.05, hidden_activation="tanh",
                                            init="lecun", seed=1, record_every=1)
    want = [params[k] for k in sorted(params)] + [np.array(costs)]
    n = sum(a.size for a in want)
    np.testing.assert_allclose(got[:n], np.concatenate([np.ravel(a) for a in want]), rtol=1e-9, atol=1e-12)


_CONCURRENT = _COMMON + r"""
from concurrent.futures import ThreadPoolExecutor

X, Y = data(m=200)
XF = np.asfortranarray(X)
jobs = [
    ("net64-relu", lambda: net_result("float64", "relu", X, Y, seed=1, n=4)),
    ("net32-tanh", lambda: net_result("float32", "tanh", X, Y, seed=2, n=4)),
    ("net64-sigmoid", lambda: net_result("float64", "sigmoid", XF, Y, seed=3, n=4)),
    ("lr64-C", lambda: lr_result("float64", X, Y, n=4)),
    ("lr32-F", lambda: lr_result("float32", XF, Y, n=4)),
    ("net64-tanh", lambda: net_result("float64", "tanh", X, Y, seed=4, n=4)),
]
sequential = {name: digest(job()) for name, job in jobs}

# Shared fitted models, predicted on concurrently.
shared = [DeepNetwork([X.shape[0], 32, 16, 1], n_iterations=5, dtype=dt).fit(X, Y) for dt in ("float64", "float32")]
shared.append(LogisticRegression(n_iterations=5).fit(X, Y))
pred_seq = [digest([m.predict_proba(X), m.predict(X)]) for m in shared]

with ThreadPoolExecutor(4) as pool:
    for round_ in range(2):
        fit_futs = [(name, pool.submit(job)) for name, job in jobs]
        pred_futs = [(i, pool.submit(lambda m=m: digest([m.predict_proba(X), m.predict(X)])))
                     for _ in range(4) for i, m in enumerate(shared)]
        for name, fut in fit_futs:
            assert digest(fut.result()) == sequential[name], (round_, name)
        for i, fut in pred_futs:
            assert fut.result() == pred_seq[i], (round_, i)
print("OK", numba.threading_layer())
"""


@pytest.mark.parametrize("layer", ["default", "workqueue", "omp"])
def test_concurrent_fit_and_predict(layer):
    env = {"NUMBA_NUM_THREADS": "2", "FASTNN_PARALLEL_MIN_ELEMENTS": "1"}
    if layer != "default":
        env["NUMBA_THREADING_LAYER"] = layer
    proc = _run(_CONCURRENT, env=env)
    if layer == "omp" and proc.returncode != 0 and "omp" in proc.stderr and "not available" in proc.stderr.lower():
        pytest.skip("OpenMP threading layer not available")
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-3000:]}"
    out = proc.stdout.split()
    assert out[0] == "OK"
    if layer != "default":
        assert out[1] == layer


# -------------------------------------------------------------- KeyboardInterrupt


def _interrupt_at(k):
    calls = []

    def callback(i, cost):
        calls.append(i)
        if i == k:
            raise KeyboardInterrupt

    return callback, calls


def _data(m=30):
    rng = np.random.default_rng(5)
    X = rng.standard_normal((4, m))
    return X, (X[:1] + X[1:2] > 0).astype(np.float64)


@pytest.mark.parametrize("k", [0, 3, 6])
@pytest.mark.parametrize("kind", ["DN", "LR"])
def test_keyboard_interrupt_keeps_last_completed_iteration(kind, k):
    X, Y = _data()

    def make(n):
        if kind == "DN":
            return DeepNetwork([4, 5, 1], learning_rate=0.5, n_iterations=n, record_every=2)
        return LogisticRegression(learning_rate=0.5, n_iterations=n, record_every=2)

    def state(m):
        return m.parameters_ if kind == "DN" else {"w": m.w_, "b": np.array(m.b_)}

    callback, calls = _interrupt_at(k)
    model = make(30)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, callback=callback)
    assert calls == list(range(k + 1))  # stopped at once
    assert model.n_iter_ == k + 1  # iteration k completed before the callback ran
    fresh = make(model.n_iter_).fit(X, Y)
    s, f = state(model), state(fresh)
    assert s.keys() == f.keys()
    for key in s:
        assert s[key].tobytes() == f[key].tobytes(), key
    assert model.costs_ == fresh.costs_
    # Independent check against the reference for the network: k + 1 updates.
    if kind == "DN":
        params, costs = reference.train_network(X, Y, [4, 5, 1], k + 1, 0.5, record_every=2)
        for key in params:
            np.testing.assert_allclose(model.parameters_[key], params[key], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(model.costs_, costs, rtol=1e-12)
    else:
        w, b, costs = reference.logistic_regression(X, Y, k + 1, 0.5, record_every=2)
        np.testing.assert_allclose(model.w_, w, rtol=1e-12, atol=1e-14)
        assert model.b_ == pytest.approx(b, rel=1e-12, abs=1e-14)
        np.testing.assert_allclose(model.costs_, costs, rtol=1e-12)
    # The model is usable afterwards: predict, save/load, and a new fit.
    assert model.predict(X).shape == (1, X.shape[1])
    model.fit(X, Y)
    assert model.n_iter_ == 30 and model.costs_ == make(30).fit(X, Y).costs_


def test_keyboard_interrupt_from_subprocess_signal(tmp_path):
    """A real SIGINT during a long fit: re-raised, consistent state, saved file loads."""
    script = r"""
import os, signal, sys, threading
import numpy as np
from fastnn import DeepNetwork
import fastnn
rng = np.random.default_rng(0)
X = rng.standard_normal((8, 200)); Y = (X[:1] > 0).astype(float)
model = DeepNetwork([8, 16, 1], n_iterations=10**7, record_every=1)
def cb(i, cost):
    if i == 50:
        os.kill(os.getpid(), signal.SIGINT)
try:
    model.fit(X, Y, callback=cb)
except KeyboardInterrupt:
    n = model.n_iter_
    ref = DeepNetwork([8, 16, 1], n_iterations=n, record_every=1).fit(X, Y)
    same = all(np.array_equal(model.parameters_[k], ref.parameters_[k]) for k in ref.parameters_)
    print("interrupted", n, same, model.costs_ == ref.costs_)
    model.save(sys.argv[1])
    print("loaded", fastnn.load(sys.argv[1]).n_iter_)
"""
    proc = _run(script, tmp_path / "m.npz")
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    word, n, same, costs_same = lines[0].split()
    assert word == "interrupted" and int(n) >= 51 and same == "True" and costs_same == "True"
    assert lines[1] == f"loaded {n}"
