"""Whole fits side by side (compare.py's second part): fastnn against fastnn.reference,
PyTorch CPU eager (when importable) and scikit-learn's MLPClassifier (when importable), on
the settings the speed targets name. Every implementation trains the same network on the
same data with the same initial weights (scikit-learn draws its own), and the same batches
where the maths allows it; the table shows wall times, the ratios to fastnn and the final
cost or accuracy (the implementations must agree).

Also: cold start (fresh processes with an empty Numba cache, then with the cache filled:
``fastnn train``, a tiny ``DeepNetwork`` fit, the scikit-learn adapter's, scikit-learn's own), and the peak memory of a fit over its data (measured in a subprocess).
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

import fastnn
from fastnn import reference as R
from fastnn.datasets import load_circles, load_moons

torch = None  # set by compare.py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _clock(fn, repeat=1):
    """Median wall time of ``repeat`` calls and the last call's result."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        time.sleep(0.05)
    return statistics.median(times), out


# -------------------------------------------------------------------- PyTorch trainers


def _torch_net(params, act="relu"):
    """An ``nn.Sequential`` with fastnn's initial parameters (float64 or float32 as given)."""
    layers = []
    L = len(params) // 2
    for l in range(1, L + 1):
        W, b = params[f"W{l}"], params[f"b{l}"]
        lin = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64 if W.dtype == np.float64 else torch.float32)
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b[:, 0]))
        layers.append(lin)
        if l < L:
            layers.append({"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[act]())
    return torch.nn.Sequential(*layers)


def torch_fit(params, X, Y, epochs, lr, optimizer="gd", batch=None, shuffle_seed=11, output="sigmoid", act="relu",
              threads=None):
    """PyTorch eager (autograd, torch.optim): the same network, initial weights and batches
    (``RandomState(shuffle_seed + e).permutation(m)``) as a fastnn fit. Returns (seconds,
    final training cost)."""
    if threads is not None:
        torch.set_num_threads(threads)
    net = _torch_net(params, act)
    Xt = torch.from_numpy(np.ascontiguousarray(X.T))
    if output == "softmax":
        yt = torch.from_numpy(Y[0].astype(np.int64))
        loss_fn = torch.nn.functional.cross_entropy
    else:
        yt = torch.from_numpy(np.ascontiguousarray(Y.T).astype(X.dtype))
        loss_fn = torch.nn.functional.binary_cross_entropy_with_logits
    opt = (torch.optim.Adam(net.parameters(), lr=lr, eps=1e-8) if optimizer == "adam"
           else torch.optim.SGD(net.parameters(), lr=lr))
    m = X.shape[1]
    perms = ([torch.from_numpy(np.random.RandomState(shuffle_seed + e).permutation(m)) for e in range(epochs)]
             if batch else None)
    t0 = time.perf_counter()
    for e in range(epochs):
        if batch is None:
            opt.zero_grad()
            loss = loss_fn(net(Xt), yt)
            loss.backward()
            opt.step()
        else:
            perm = perms[e]
            for k in range(0, m, batch):
                idx = perm[k:k + batch]
                opt.zero_grad()
                loss = loss_fn(net(Xt[idx]), yt[idx])
                loss.backward()
                opt.step()
    seconds = time.perf_counter() - t0
    with torch.no_grad():
        cost = float(loss_fn(net(Xt), yt))
    return seconds, cost, net


# ---------------------------------------------------------------------------- rows


def course_small_full_batch(quick):
    """The Initialization notebook's He run: [2,10,5,1] ReLU on the circles, full batch,
    15 000 iterations at 0.01."""
    X, Y = load_circles(300, seed=1)
    n = 1500 if quick else 15000
    kw = dict(init="he", seed=3, learning_rate=0.01, n_iterations=n, record_every=n)
    fastnn.DeepNetwork([2, 10, 5, 1], **dict(kw, n_iterations=2)).fit(X, Y)  # warm
    tf, net = _clock(lambda: fastnn.DeepNetwork([2, 10, 5, 1], **kw).fit(X, Y), 3)
    tr, (p, c) = _clock(lambda: R.train_network(X, Y, [2, 10, 5, 1], n, 0.01, "relu", "he", 3, record_every=n))
    row = dict(label=f"course [2,10,5,1] circles, full batch, {n} it.", fastnn=tf, reference=tr,
               f_cost=net.cost(X, Y), r_cost=R.cost_from_logits(_logits(X, p), Y))
    if torch is not None:
        params0 = R.initialize_parameters([2, 10, 5, 1], "he", 3)
        best = min(_clock(lambda th=th: torch_fit(params0, X, Y, n, 0.01, threads=th))[1][:2] for th in (1, 2))
        row.update(torch=best[0], t_cost=best[1])
    row["targets"] = "≥10× ref, ≥10× torch"
    return row


def course_adam(quick):
    """The Optimization notebook's Adam run: moons 300, [2,5,2,1], batch 64, 5000 epochs
    (25 000 steps), lr 0.0007, shuffle seeds 11, 12, ..."""
    X, Y = load_moons()
    n = 500 if quick else 5000
    kw = dict(init="he", seed=3, optimizer="adam", learning_rate=0.0007, batch_size=64, shuffle_seed=11,
              n_iterations=n, record_every=n)
    fastnn.DeepNetwork([2, 5, 2, 1], **dict(kw, n_iterations=2)).fit(X, Y)
    tf, net = _clock(lambda: fastnn.DeepNetwork([2, 5, 2, 1], **kw).fit(X, Y), 3)
    tr, (p, c) = _clock(lambda: R.train_network(X, Y, [2, 5, 2, 1], n, 0.0007, "relu", "he", 3, n, optimizer="adam",
                                                batch_size=64, shuffle_seed=11))
    row = dict(label=f"course Adam moons [2,5,2,1] b64, {n} epochs", fastnn=tf, reference=tr,
               f_cost=net.cost(X, Y), r_cost=R.cost_from_logits(_logits(X, p), Y))
    if torch is not None:
        params0 = R.initialize_parameters([2, 5, 2, 1], "he", 3)
        best = min(_clock(lambda th=th: torch_fit(params0, X, Y, n, 0.0007, "adam", 64, threads=th))[1][:2]
                   for th in (1, 2))
        row.update(torch=best[0], t_cost=best[1])
    row["targets"] = "≥20× ref"
    return row


def _logits(X, params):
    L = len(params) // 2
    A = X
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = np.maximum(Z, 0) if l < L else Z
    return A


def mnist1d(dtype, quick):
    """The MNIST-1D paper's MLP: [40,100,100,10] ReLU, Adam 1e-2, batch 100, 150 epochs."""
    from fastnn.datasets import load_mnist1d

    X, Y, Xt, Yt = load_mnist1d()
    X, Xt = X.astype(dtype), Xt.astype(dtype)
    epochs = 15 if quick else 150
    kw = dict(init="he", seed=1, optimizer="adam", learning_rate=0.01, batch_size=100, n_iterations=epochs,
              record_every=epochs, dtype=dtype)
    fastnn.DeepNetwork([40, 100, 100, 10], **dict(kw, n_iterations=1)).fit(X, Y)
    tf, net = _clock(lambda: fastnn.DeepNetwork([40, 100, 100, 10], **kw).fit(X, Y), 3)
    row = dict(label=f"MNIST-1D [40,100,100,10] Adam b100, {epochs} epochs", dtype=dtype, fastnn=tf,
               f_acc=net.score(Xt, Yt), f_cost=net.cost(X, Y))
    tr, (p, c) = _clock(lambda: R.train_network(X.astype(np.float64), Y, [40, 100, 100, 10], epochs, 0.01, "relu",
                                                "he", 1, epochs, optimizer="adam", batch_size=100))
    row.update(reference=tr, r_acc=float(np.mean(R.predict(Xt.astype(np.float64), p, "relu", "softmax") == Yt)))
    if torch is not None:
        params0 = R.initialize_parameters([40, 100, 100, 10], "he", 1, dtype=dtype)
        runs = [_clock(lambda th=th: torch_fit(params0, X, Y, epochs, 0.01, "adam", 100, output="softmax",
                                               threads=th))[1] for th in (1, 2)]
        t_sec, t_cost, t_net = min(runs, key=lambda r: r[0])
        with torch.no_grad():
            t_acc = float(np.mean(t_net(torch.from_numpy(np.ascontiguousarray(Xt.T))).argmax(1).numpy() == Yt[0]))
        row.update(torch=t_sec, t_acc=t_acc, t_threads=1 + int(runs[1][0] < runs[0][0]))
    skl = _sklearn_mlp(X, Y, Xt, Yt, (100, 100), 100, 0.01, epochs)
    if skl is not None:
        row.update(sklearn=skl[0], s_acc=skl[1])
    row["targets"] = "≥4× torch (best of 1, 2 threads), ≥4× sklearn, accuracy within 0.05"
    return row


def _sklearn_mlp(X, Y, Xt, Yt, hidden, batch, lr, epochs):
    """scikit-learn's MLPClassifier, same settings, fixed epochs: (seconds, test accuracy)."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        return None
    Xs, Xts = np.ascontiguousarray(X.T), np.ascontiguousarray(Xt.T)
    clf = MLPClassifier(hidden, solver="adam", learning_rate_init=lr, batch_size=batch, max_iter=epochs, tol=0.0,
                        n_iter_no_change=epochs + 1, alpha=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        seconds, _ = _clock(lambda: clf.fit(Xs, Y[0]))
    return seconds, float(clf.score(Xts, Yt[0]))


def wide_minibatch(dtype, quick):
    """Wide mini-batches: make_classification 50 000 x 200, 10 classes, [200,256,10], batch 200,
    Adam 1e-3, 10 epochs."""
    try:
        from sklearn.datasets import make_classification
    except ImportError:
        return None
    m = 10000 if quick else 50000
    Xs, y = make_classification(n_samples=m + 10000, n_features=200, n_informative=50, n_redundant=50, n_classes=10,
                                random_state=0)
    Xs = Xs.astype(dtype)
    X, Y, Xt, Yt = Xs[:m].T, y[None, :m], Xs[m:].T, y[None, m:]  # X.T of C arrays: example-contiguous
    kw = dict(init="glorot", seed=0, optimizer="adam", learning_rate=0.001, batch_size=200, n_iterations=10,
              record_every=10, dtype=dtype)
    fastnn.DeepNetwork([200, 256, 10], **dict(kw, n_iterations=1)).fit(X, Y)
    tf, net = _clock(lambda: fastnn.DeepNetwork([200, 256, 10], **kw).fit(X, Y), 3)
    row = dict(label=f"wide [200,256,10] Adam b200, {m}×200, 10 epochs", dtype=dtype, fastnn=tf,
               f_acc=net.score(Xt, Yt))
    if torch is not None:
        params0 = R.initialize_parameters([200, 256, 10], "glorot", 0, dtype=dtype)
        runs = [_clock(lambda th=th: torch_fit(params0, X, Y, 10, 0.001, "adam", 200, output="softmax",
                                               threads=th))[1] for th in (1, 2)]
        t_sec, _, t_net = min(runs, key=lambda r: r[0])
        with torch.no_grad():
            t_acc = float(np.mean(t_net(torch.from_numpy(np.ascontiguousarray(Xt.T))).argmax(1).numpy() == Yt[0]))
        row.update(torch=t_sec, t_acc=t_acc)
    skl = _sklearn_mlp(X, Y, Xt, Yt, (256,), 200, 0.001, 10)
    row.update(sklearn=skl[0], s_acc=skl[1])
    row["targets"] = "≥3× sklearn, accuracy within 0.01"
    return row


def image_nets_float32(quick, data=None):
    """Float32 deep image nets, full batch: [12288,20,7,5,1] at m = 209 (the cat images when
    found, else random pixels) and m = 4096, [784,512,512,1] at m = 8192; fastnn (its default
    first layer) against PyTorch eager (best of 1 and 2 threads), per iteration."""
    from benchmarks import logistic_data

    out = []
    specs = [((12288, 20, 7, 5, 1), 209), ((12288, 20, 7, 5, 1), 1024 if quick else 4096),
             ((784, 512, 512, 1), 2048 if quick else 8192)]
    for dims, m in specs:
        if data is not None and m == 209:
            X, Y = data[0].astype(np.float32), data[1].astype(np.float32)
        else:
            X, Y = logistic_data(dims[0], m, np.float32, seed=1)
        n = 50 if dims[-2] == 512 else 200
        kw = dict(learning_rate=0.0075, seed=1, n_iterations=n, record_every=n, dtype="float32")
        fastnn.DeepNetwork(list(dims), **dict(kw, n_iterations=2)).fit(X, Y)
        tf, net = _clock(lambda: fastnn.DeepNetwork(list(dims), **kw).fit(X, Y))
        row = dict(label=f"float32 {list(dims)} m={m}, {n} it. ({net.first_layer_})", dtype="float32",
                   fastnn=tf, f_cost=net.cost(X, Y))
        if torch is not None:
            params0 = R.initialize_parameters(list(dims), "lecun", 1, dtype=np.float32)
            best = min((_clock(lambda th=th: torch_fit(params0, X, Y, n, 0.0075, threads=th))[1][:2] for th in (1, 2)))
            row.update(torch=best[0], t_cost=best[1])
        row["targets"] = "≥1.2× torch"
        out.append(row)
    return out


# ---------------------------------------------------------------------- cold start


#: The processes cold_start times: a tiny fit and prediction each, as a first try would be.
COLD_PROGRAMS = {
    "DeepNetwork": ("import numpy as np, fastnn; X = np.random.default_rng(0).random((8, 64)); "
                    "Y = (X[:1] > 0.5) * 1.0; fastnn.DeepNetwork([8, 4, 1], n_iterations=5).fit(X, Y).predict(X)"),
    "fastnn.sklearn": ("import numpy as np; from fastnn.sklearn import MLPClassifier; "
                       "X = np.random.default_rng(0).random((64, 8)); y = X[:, 0] > 0.5; "
                       "MLPClassifier(max_iter=5).fit(X, y).predict(X)"),
    "sklearn": ("import numpy as np; from sklearn.neural_network import MLPClassifier; "
                "X = np.random.default_rng(0).random((64, 8)); y = X[:, 0] > 0.5; "
                "MLPClassifier(max_iter=5).fit(X, y).predict(X)"),
}


def _process_seconds(argv, env, cwd=None):
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - t0


def cold_start(sklearn=True):
    """Whole-process seconds (start to exit) of a first try, each in a fresh process.

    Returns a dict: ``train`` the first ``fastnn train`` (the installed command) with an empty
    Numba cache; ``DeepNetwork cold`` / ``fastnn.sklearn cold``: import, a tiny fit and a
    prediction with an empty cache (everything those use is compiled); ``... warm``: the
    same process again, the cache filled by the first; ``sklearn``: scikit-learn's own MLP
    process doing the same (nothing to compile). The scikit-learn entries are left out when
    ``sklearn`` is False or scikit-learn is not importable.
    """
    def fresh_env():
        return dict(os.environ, NUMBA_CACHE_DIR=tempfile.mkdtemp(prefix="fastnn-cold-"))

    out = {}
    # The `fastnn` command the install made, as a user types it (`python -m fastnn` when there
    # is none). Not `-m` first: under CPython 3.11 runpy's extra frames put the compiler's deep
    # recursion across a 16 KiB frame-stack chunk boundary, which is mmap'ed and unmapped at
    # every crossing (572 000 mmap calls against 246 000, 1-2 s more system time).
    script = pathlib.Path(sys.executable).with_name("fastnn")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "fastnn"]
    with tempfile.TemporaryDirectory() as where:
        out["train"] = _process_seconds([*command, "train", "--no-progress", "--out", where], fresh_env(), where)
    names = ["DeepNetwork"]
    if sklearn:
        try:
            import sklearn  # noqa: F401
            names += ["fastnn.sklearn", "sklearn"]
        except ImportError:
            pass
    for name in names:
        argv = [sys.executable, "-c", COLD_PROGRAMS[name]]
        if name == "sklearn":
            _process_seconds(argv, os.environ)  # its files in the page cache, as ours are
            out[name] = _process_seconds(argv, os.environ)
            continue
        env = fresh_env()
        out[f"{name} cold"] = _process_seconds(argv, env)
        out[f"{name} warm"] = _process_seconds(argv, env)
    return out


# -------------------------------------------------------------------------- memory


_MEMORY_CODE = r"""
import json, resource, sys
import numpy as np
kind, n_x, m, order = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rng = np.random.default_rng(0)
X = rng.random((n_x, m)) if order == "C" else np.asfortranarray(rng.random((n_x, m)))
import fastnn
if kind == "logistic":
    Y = (rng.random((1, m)) < 0.5) * 1.0
    small = fastnn.LogisticRegression(n_iterations=2)
    model = fastnn.LogisticRegression(n_iterations=3)
else:
    Y = rng.integers(0, 10, (1, m))
    small = fastnn.DeepNetwork([n_x, 256, 10], n_iterations=1, batch_size=200, optimizer="adam")
    model = fastnn.DeepNetwork([n_x, 256, 10], n_iterations=1, batch_size=200, optimizer="adam")
small.fit(np.ascontiguousarray(X[:, :5000]) if order == "C" else np.asfortranarray(X[:, :5000]), Y[:, :5000])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
model.fit(X, Y)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"X_MB": X.nbytes / 2**20, "peak_over_X_MB": (after - before) / 1024}))
"""


def peak_memory(kind, n_x, m, order):
    """Peak resident memory a fit adds over its data (MB), in a fresh process: ``ru_maxrss``
    after the fit minus before it (the data and a warm-up fit already in memory)."""
    out = subprocess.run([sys.executable, "-c", _MEMORY_CODE, kind, str(n_x), str(m), order], check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])
