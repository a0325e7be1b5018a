"""Bad inputs at every public entry point, accepted odd layouts, and extreme numerics.

Every rejected input must raise a clear ``TypeError``/``ValueError`` that names the
argument; every accepted layout (int X, bool Y, Fortran order, strided and negative-stride
views, read-only arrays) must give the same results as a C-contiguous float64 array and
leave the caller's arrays untouched, bit for bit.

Expected values are derived independently: by hand, with NumPy, or with
``fastnn.reference``; never taken from the code under test.
"""

import math
import re
import warnings

import numpy as np
import pytest

import fastnn
from fastnn import DeepNetwork, LogisticRegression, reference
from fastnn import cli

N_X, M = 3, 8


def _data():
    rng = np.random.default_rng(2024)
    X = rng.standard_normal((N_X, M))
    Y = np.array([[0, 1, 1, 0, 1, 0, 0, 1]], dtype=np.float64)
    return X, Y


X0, Y0 = _data()


@pytest.fixture(scope="module")
def net():
    return DeepNetwork([N_X, 4, 1], hidden_activation="tanh", n_iterations=3, record_every=1).fit(X0, Y0)


@pytest.fixture(scope="module")
def logreg():
    return LogisticRegression(learning_rate=0.1, n_iterations=3, record_every=1).fit(X0, Y0)


def _fresh_net():
    return DeepNetwork([N_X, 4, 1], hidden_activation="tanh", n_iterations=3, record_every=1)


def _fresh_logreg():
    return LogisticRegression(learning_rate=0.1, n_iterations=3, record_every=1)


# Entry points taking X (and Y); each gets (net, logreg, X, Y).
X_ENTRY = {
    "LR.fit": lambda n, l, X, Y: _fresh_logreg().fit(X, Y),
    "LR.predict": lambda n, l, X, Y: l.predict(X),
    "LR.predict_proba": lambda n, l, X, Y: l.predict_proba(X),
    "LR.score": lambda n, l, X, Y: l.score(X, Y),
    "DN.fit": lambda n, l, X, Y: _fresh_net().fit(X, Y),
    "DN.predict": lambda n, l, X, Y: n.predict(X),
    "DN.predict_proba": lambda n, l, X, Y: n.predict_proba(X),
    "DN.score": lambda n, l, X, Y: n.score(X, Y),
    "DN.cost": lambda n, l, X, Y: n.cost(X, Y),
    "DN.gradients": lambda n, l, X, Y: n.gradients(X, Y),
}
Y_ENTRY = {k: v for k, v in X_ENTRY.items() if k.split(".")[1] in ("fit", "score", "cost", "gradients")}
FITTED_X_ENTRY = [k for k in X_ENTRY if k != "LR.fit"]  # know n_x (LR.fit learns it)


def _with_nan(value, where=(1, 2)):
    X = X0.copy()
    X[where] = value
    return X


# (id, bad X, exception, match)
BAD_X = [
    ("1-D", X0[0], ValueError, r"^X: .*2-D.*1-D"),
    ("3-D", X0[None], ValueError, r"^X: .*2-D.*3-D"),
    ("0-D", np.float64(1.0), ValueError, r"^X: .*2-D.*0-D"),
    ("m=0", X0[:, :0], ValueError, r"^X: .*non-empty.*\(3, 0\)"),
    ("n_x=0", X0[:0], ValueError, r"^X: .*non-empty.*\(0, 8\)"),
    ("complex", X0.astype(np.complex128), TypeError, r"^X: .*complex128"),
    ("object", X0.astype(object), TypeError, r"^X: .*object"),
    ("string", X0.astype(str), TypeError, r"^X: .*dtype.*<U"),
    ("bytes", X0.astype("S8"), TypeError, r"^X: .*dtype"),
    ("None", None, TypeError, r"^X: .*None"),
    ("ragged", [[1.0, 2.0], [3.0]], TypeError, r"^X: "),
    ("nan", _with_nan(np.nan), ValueError, r"^X: contains NaN or inf.*\(1, 2\)"),
    ("inf", _with_nan(np.inf, (0, 7)), ValueError, r"^X: contains NaN or inf.*\(0, 7\)"),
    ("-inf", _with_nan(-np.inf, (2, 0)), ValueError, r"^X: contains NaN or inf.*\(2, 0\)"),
    ("nan-f32", _with_nan(np.nan, (2, 5)).astype(np.float32), ValueError, r"^X: contains NaN or inf.*\(2, 5\)"),
    ("nan-F-order", np.asfortranarray(_with_nan(np.nan, (0, 3))), ValueError, r"^X: contains NaN.*\(0, 3\)"),
    ("nan-strided", np.repeat(_with_nan(np.nan, (1, 4)), 2, axis=1)[:, ::2], ValueError, r"^X: contains NaN.*\(1, 4\)"),
]


@pytest.mark.parametrize("entry", list(X_ENTRY))
@pytest.mark.parametrize("X, exc, match", [c[1:] for c in BAD_X], ids=[c[0] for c in BAD_X])
def test_bad_X(entry, X, exc, match, net, logreg):
    with pytest.raises(exc, match=match):
        X_ENTRY[entry](net, logreg, X, Y0)


@pytest.mark.parametrize("entry", FITTED_X_ENTRY)
@pytest.mark.parametrize("n_x", [2, 4])
def test_X_wrong_number_of_features(entry, n_x, net, logreg):
    X = np.ones((n_x, M))
    if entry == "DN.fit":  # layer_dims[0] != n_x
        match = rf"^X: expected {N_X} features.*\({n_x}, {M}\)"
    else:
        match = rf"^X: expected {N_X} features.*\({n_x}, {M}\)"
    with pytest.raises(ValueError, match=match):
        X_ENTRY[entry](net, logreg, X, Y0)


def _bad_labels():
    Y = Y0.copy()
    Y[0, 1], Y[0, 4], Y[0, 6] = 2.0, -1.0, 0.5
    return Y


BAD_Y = [
    ("1-D", Y0[0], ValueError, r"^Y: expected shape \(1, 8\).*\(8,\).*reshape"),
    ("column", Y0.T, ValueError, r"^Y: expected shape \(1, 8\).*\(8, 1\)"),
    ("3-D", Y0[None], ValueError, r"^Y: expected shape \(1, 8\).*\(1, 1, 8\)"),
    ("2-rows", np.vstack([Y0, Y0]), ValueError, r"^Y: expected shape \(1, 8\).*\(2, 8\)"),
    ("fewer-m", Y0[:, :7], ValueError, r"^Y: expected shape \(1, 8\).*\(1, 7\)"),
    ("more-m", np.hstack([Y0, Y0]), ValueError, r"^Y: expected shape \(1, 8\).*\(1, 16\)"),
    ("empty", Y0[:, :0], ValueError, r"^Y: expected shape \(1, 8\).*\(1, 0\)"),
    ("scalar", 1.0, ValueError, r"^Y: expected shape \(1, 8\)"),
    ("nan", np.where(np.arange(M) == 3, np.nan, Y0), ValueError, r"^Y: contains NaN or inf.*\(0, 3\)"),
    ("inf", np.where(np.arange(M) == 5, np.inf, Y0), ValueError, r"^Y: contains NaN or inf.*\(0, 5\)"),
    ("labels", _bad_labels(), ValueError, r"^Y: labels must be 0 or 1, found -1\.0, 0\.5, 2\.0$"),
    ("int-labels", (Y0 * 3).astype(np.int64), ValueError, r"^Y: labels must be 0 or 1, found 3$"),
    ("complex", Y0.astype(np.complex128), TypeError, r"^Y: .*complex128"),
    ("object", Y0.astype(object), TypeError, r"^Y: .*object"),
    ("string", Y0.astype(str), TypeError, r"^Y: .*<U"),
    ("None", None, TypeError, r"^Y: .*None"),
]


@pytest.mark.parametrize("entry", list(Y_ENTRY))
@pytest.mark.parametrize("Y, exc, match", [c[1:] for c in BAD_Y], ids=[c[0] for c in BAD_Y])
def test_bad_Y(entry, Y, exc, match, net, logreg):
    with pytest.raises(exc, match=match):
        Y_ENTRY[entry](net, logreg, X0, Y)


@pytest.mark.parametrize("entry", [k for k in X_ENTRY if not k.endswith(".fit")])
def test_unfitted_model(entry):
    with pytest.raises(RuntimeError, match="not fitted"):
        X_ENTRY[entry](_fresh_net(), _fresh_logreg(), X0, Y0)


# --------------------------------------------------------------- hyper-parameters

BAD_COMMON = [
    ("learning_rate", 0, ValueError, r"^learning_rate: .*> 0"),
    ("learning_rate", 0.0, ValueError, r"^learning_rate: .*> 0"),
    ("learning_rate", -0.1, ValueError, r"^learning_rate: .*> 0.*-0\.1"),
    ("learning_rate", math.nan, ValueError, r"^learning_rate: .*finite.*nan"),
    ("learning_rate", math.inf, ValueError, r"^learning_rate: .*finite.*inf"),
    ("learning_rate", -math.inf, ValueError, r"^learning_rate: "),
    ("learning_rate", True, TypeError, r"^learning_rate: .*True"),
    ("learning_rate", "0.1", TypeError, r"^learning_rate: .*'0\.1'"),
    ("learning_rate", None, TypeError, r"^learning_rate: .*None"),
    ("learning_rate", 1j, TypeError, r"^learning_rate: "),
    ("n_iterations", -1, ValueError, r"^n_iterations: .*>= 0.*-1"),
    ("n_iterations", 10.0, TypeError, r"^n_iterations: .*integer.*10\.0"),
    ("n_iterations", "10", TypeError, r"^n_iterations: "),
    ("n_iterations", True, TypeError, r"^n_iterations: "),
    ("n_iterations", None, TypeError, r"^n_iterations: "),
    ("record_every", 0, ValueError, r"^record_every: .*>= 1.*0"),
    ("record_every", -3, ValueError, r"^record_every: "),
    ("record_every", 1.5, TypeError, r"^record_every: "),
    ("dtype", "int32", TypeError, r"^dtype: .*float64.*float32.*int32"),
    ("dtype", np.float16, TypeError, r"^dtype: .*float16"),
    ("dtype", "complex128", TypeError, r"^dtype: .*complex128"),
    ("dtype", "banana", TypeError, r"^dtype: .*banana"),
    ("dtype", object, TypeError, r"^dtype: "),
    ("dtype", 3.5, TypeError, r"^dtype: "),
]
BAD_NET_ONLY = [
    ("hidden_activation", "softmax", ValueError, r"^hidden_activation: .*'relu', 'tanh', 'sigmoid'.*'softmax'"),
    ("hidden_activation", "ReLU", ValueError, r"^hidden_activation: .*'relu', 'tanh', 'sigmoid'"),
    ("hidden_activation", None, ValueError, r"^hidden_activation: .*'relu'"),
    ("init", "glorot_normal", ValueError, r"^init: .*'lecun', 'he', 'xavier', 'small', 'glorot'.*'glorot_normal'"),
    ("init", 0.01, ValueError, r"^init: .*'lecun'"),
    ("seed", 1.5, TypeError, r"^seed: .*1\.5"),
    ("seed", "1", TypeError, r"^seed: "),
    ("seed", True, TypeError, r"^seed: "),
    ("seed", -1, ValueError, r"^seed: .*-1"),
    ("seed", 2**32, ValueError, r"^seed: "),
    ("output", "softmax", ValueError, r"^output: .*softmax needs at least 2 output units.*1"),
    ("output", "linear", ValueError, r"^output: .*'sigmoid', 'softmax', 'identity'.*'linear'"),
    ("optimizer", "sgd", ValueError, r"^optimizer: .*'gd', 'momentum', 'adam'.*'sgd'"),
    ("optimizer", None, ValueError, r"^optimizer: "),
    ("beta", 1.0, ValueError, r"^beta: .*\[0, 1\).*1\.0"),
    ("beta", -0.1, ValueError, r"^beta: "),
    ("beta", "0.9", TypeError, r"^beta: "),
    ("beta", True, TypeError, r"^beta: "),
    ("beta1", float("nan"), ValueError, r"^beta1: "),
    ("beta1", 1.5, ValueError, r"^beta1: "),
    ("beta2", 1.0, ValueError, r"^beta2: "),
    ("beta2", None, TypeError, r"^beta2: "),
    ("epsilon", 0.0, ValueError, r"^epsilon: .*> 0"),
    ("epsilon", -1e-8, ValueError, r"^epsilon: "),
    ("epsilon", "1e-8", TypeError, r"^epsilon: "),
    ("batch_size", 0, ValueError, r"^batch_size: .*>= 1.*0"),
    ("batch_size", 64.0, TypeError, r"^batch_size: .*64\.0"),
    ("batch_size", True, TypeError, r"^batch_size: "),
    ("batch_size", "all", TypeError, r"^batch_size: "),
    ("shuffle_seed", -1, ValueError, r"^shuffle_seed: "),
    ("shuffle_seed", 1.5, TypeError, r"^shuffle_seed: "),
    ("shuffle", "yes", TypeError, r"^shuffle: "),
    ("lr_decay", "exp", ValueError, r"^lr_decay: .*'inverse', 'step'.*'exp'"),
    ("decay_rate", -1.0, ValueError, r"^decay_rate: .*>= 0"),
    ("decay_rate", float("inf"), ValueError, r"^decay_rate: "),
    ("decay_rate", "1", TypeError, r"^decay_rate: "),
    ("decay_interval", 0, ValueError, r"^decay_interval: .*>= 1"),
    ("decay_interval", 1.5, TypeError, r"^decay_interval: "),
    ("l2", -0.1, ValueError, r"^l2: .*>= 0.*-0\.1"),
    ("l2", float("inf"), ValueError, r"^l2: "),
    ("l2", "0.7", TypeError, r"^l2: "),
    ("l2", True, TypeError, r"^l2: "),
    ("keep_prob", 0.0, ValueError, r"^keep_prob: .*\(0, 1\].*0\.0"),
    ("keep_prob", 1.5, ValueError, r"^keep_prob: "),
    ("keep_prob", float("nan"), ValueError, r"^keep_prob: "),
    ("keep_prob", "0.8", TypeError, r"^keep_prob: "),
    ("early_stopping", "yes", TypeError, r"^early_stopping: "),
    ("validation_fraction", 0.0, ValueError, r"^validation_fraction: .*\(0, 1\)"),
    ("validation_fraction", 1.0, ValueError, r"^validation_fraction: "),
    ("n_iter_no_change", 0, ValueError, r"^n_iter_no_change: .*>= 1"),
    ("tol", -1e-4, ValueError, r"^tol: "),
    ("layer_dims", [3, 0, 1], ValueError, r"^layer_dims\[1\]: .*positive.*0"),
    ("layer_dims", [3, -2, 1], ValueError, r"^layer_dims\[1\]: .*-2"),
    ("layer_dims", [0, 4, 1], ValueError, r"^layer_dims\[0\]: "),
    ("layer_dims", [3, 4, 0], ValueError, r"^layer_dims\[2\]: "),
    ("layer_dims", [3], ValueError, r"^layer_dims: .*at least"),
    ("layer_dims", [], ValueError, r"^layer_dims: .*at least"),
    ("layer_dims", [3, 4.0, 1], TypeError, r"^layer_dims\[1\]: .*4\.0"),
    ("layer_dims", [3, True, 1], TypeError, r"^layer_dims\[1\]: "),
    ("layer_dims", "341", TypeError, r"^layer_dims: "),
    ("layer_dims", 3, TypeError, r"^layer_dims: "),
    ("layer_dims", None, TypeError, r"^layer_dims: "),
]


def _make(kind, **kw):
    if kind == "LR":
        return LogisticRegression(**kw)
    kw.setdefault("layer_dims", [N_X, 4, 1])
    return DeepNetwork(**kw)


HYPER = [("LR",) + c for c in BAD_COMMON] + [("DN",) + c for c in BAD_COMMON + BAD_NET_ONLY]


@pytest.mark.parametrize(
    "kind, name, value, exc, match", HYPER, ids=[f"{c[0]}-{c[1]}={c[2]!r}" for c in HYPER]
)
def test_bad_hyperparameter_constructor(kind, name, value, exc, match):
    with pytest.raises(exc, match=match):
        _make(kind, **{name: value})


# Set after construction: fit checks again before touching anything.
HYPER_AT_FIT = [
    ("LR", "learning_rate", -1.0, ValueError, r"^learning_rate: "),
    ("LR", "n_iterations", 2.5, TypeError, r"^n_iterations: "),
    ("LR", "dtype", "int8", TypeError, r"^dtype: "),
    ("DN", "record_every", 0, ValueError, r"^record_every: "),
    ("DN", "hidden_activation", "gelu", ValueError, r"^hidden_activation: .*'relu', 'tanh', 'sigmoid'"),
    ("DN", "layer_dims", [N_X, 4, 0], ValueError, r"^layer_dims\[2\]: "),
    ("DN", "optimizer", "rmsprop", ValueError, r"^optimizer: "),
    ("DN", "keep_prob", 0.0, ValueError, r"^keep_prob: "),
    ("DN", "batch_size", 0, ValueError, r"^batch_size: "),
    ("DN", "l2", -1.0, ValueError, r"^l2: "),
    ("DN", "seed", 0.5, TypeError, r"^seed: "),
]


@pytest.mark.parametrize(
    "kind, name, value, exc, match", HYPER_AT_FIT, ids=[f"{c[0]}-{c[1]}={c[2]!r}" for c in HYPER_AT_FIT]
)
def test_bad_hyperparameter_set_before_fit(kind, name, value, exc, match):
    model = _make(kind)
    setattr(model, name, value)
    with pytest.raises(exc, match=match):
        model.fit(X0, Y0)


# ------------------------------------------------------------------- fastnn.load


def _saved(net, tmp_path, **changes):
    """A valid model file whose arrays are replaced by ``changes``."""
    path = tmp_path / "model.npz"
    net.save(path)
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    arrays.update(changes)
    bad = tmp_path / "bad.npz"
    with open(bad, "wb") as f:
        np.savez(f, **arrays)
    return bad


def _nonfinite(net, key, value):
    arr = net.parameters_[key].copy()
    arr.flat[arr.size // 2] = value
    return arr


def _write(path, data):
    path.write_bytes(data)
    return path


LOAD_CASES = [
    ("missing", lambda net, d: d / "nope.npz", FileNotFoundError, r"nope\.npz"),
    ("directory", lambda net, d: d, FileNotFoundError, r"no such model file"),
    ("empty", lambda net, d: _write(d / "e.npz", b""), ValueError, r"e\.npz: not a readable fastnn model"),
    ("text", lambda net, d: _write(d / "t.npz", b"hello"), ValueError, r"t\.npz: not a readable"),
    ("path-None", lambda net, d: None, TypeError, r"^path: .*None"),
    ("path-int", lambda net, d: 5, TypeError, r"^path: .*5"),
    ("nan-W1", lambda net, d: _saved(net, d, W1=_nonfinite(net, "W1", np.nan)), ValueError, r"W1 contains NaN or inf"),
    ("inf-b2", lambda net, d: _saved(net, d, b2=_nonfinite(net, "b2", np.inf)), ValueError, r"b2 contains NaN or inf"),
    ("-inf-W2", lambda net, d: _saved(net, d, W2=_nonfinite(net, "W2", -np.inf)), ValueError, r"W2 contains NaN or inf"),
]


@pytest.mark.parametrize("make, exc, match", [c[1:] for c in LOAD_CASES], ids=[c[0] for c in LOAD_CASES])
def test_load_bad_file(make, exc, match, net, tmp_path):
    path = make(net, tmp_path)
    with pytest.raises(exc, match=match):
        fastnn.load(path)


def test_load_nonfinite_logistic(logreg, tmp_path):
    for changes, match in (
        ({"w": np.full_like(logreg.w_, np.nan)}, "w or b contains NaN or inf"),
        ({"b": np.array(np.inf)}, "w or b contains NaN or inf"),
    ):
        path = tmp_path / "lr.npz"
        logreg.save(path)
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays.update(changes)
        with open(path, "wb") as f:
            np.savez(f, **arrays)
        with pytest.raises(ValueError, match=match):
            fastnn.load(path)


# --------------------------------------------------------------------- fastnn train

CLI_CASES = [
    ("layers-first", ["--layers", "3,4,1"], r"--layers: .*2 input features.*3"),
    ("layers-zero", ["--layers", "2,0,1"], r"layer_dims\[1\]: .*positive"),
    ("layers-negative", ["--layers", "2,-4,1"], r"layer_dims\[1\]: "),
    ("layers-output", ["--layers", "2,4,0"], r"layer_dims\[2\]: .*positive"),
    ("layers-short", ["--layers", "2"], r"layer_dims: "),
    ("iterations", ["--iterations", "-5"], r"n_iterations: .*-5"),
    ("lr-zero", ["--learning-rate", "0"], r"learning_rate: "),
    ("lr-negative", ["--learning-rate", "-1"], r"learning_rate: "),
    ("lr-nan", ["--learning-rate", "nan"], r"learning_rate: .*nan"),
    ("lr-inf", ["--learning-rate", "inf"], r"learning_rate: .*inf"),
    ("logistic-lr", ["--model", "logistic", "--learning-rate", "0"], r"learning_rate: "),
    ("record-every", ["--record-every", "0"], r"record_every: "),
    ("seed", ["--seed", "-1"], r"seed: "),
    ("threads-zero", ["--threads", "0"], r"--threads: .*0"),
    ("threads-many", ["--threads", "100000"], r"--threads: .*100000"),
    ("data-missing", ["--data", "/nonexistent/fastnn-data"], r"--data /nonexistent/fastnn-data: "),
    ("data-empty", ["--data", "{tmp}"], r"--data .*: "),
    ("out-is-file", ["--out", "{tmp}/afile"], r"--out .*afile"),
]


def _run_cli(argv, tmp_path, capsys):
    (tmp_path / "afile").write_text("x")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    capsys.readouterr()
    code = cli.main(["train", "--no-progress", *argv])
    return code, capsys.readouterr()


@pytest.mark.parametrize("argv, match", [c[1:] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_cli_bad_arguments(argv, match, tmp_path, capsys):
    code, out = _run_cli(argv, tmp_path, capsys)
    assert code == 2
    lines = out.err.splitlines()
    assert len(lines) == 1, out.err
    assert lines[0].startswith("fastnn train: error: ")
    assert re.search(match, lines[0]), lines[0]
    assert not (tmp_path / "out").exists()  # nothing trained, nothing written


ARGPARSE_CASES = [
    ("layers-text", ["--layers", "2,a,1"], r"--layers"),
    ("iterations-float", ["--iterations", "1.5"], r"--iterations"),
    ("activation", ["--activation", "softmax"], r"--activation.*'relu', 'tanh', 'sigmoid'"),
    ("dtype", ["--dtype", "float16"], r"--dtype"),
    ("lr-text", ["--learning-rate", "fast"], r"--learning-rate"),
]


@pytest.mark.parametrize("argv, match", [c[1:] for c in ARGPARSE_CASES], ids=[c[0] for c in ARGPARSE_CASES])
def test_cli_unparsable_arguments_exit_2(argv, match, tmp_path, capsys):
    """argparse errors: exit status 2 (via SystemExit, as the console script sees it)."""
    with pytest.raises(SystemExit) as info:
        _run_cli(argv, tmp_path, capsys)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert re.search(match, err.splitlines()[-1]), err


@pytest.mark.parametrize("argv", [c[1] for c in ARGPARSE_CASES], ids=[c[0] for c in ARGPARSE_CASES])
def test_cli_unparsable_arguments_one_line(argv, tmp_path, capsys):
    with pytest.raises(SystemExit):
        _run_cli(argv, tmp_path, capsys)
    assert len(capsys.readouterr().err.splitlines()) == 1


# ------------------------------------------------------- accepted dtypes and layouts


def _outputs(X, Y):
    """Everything every entry point returns for (X, Y), with the caller's arrays checked."""
    Xc, Yc = np.array(X, copy=True), np.array(Y, copy=True)
    net = DeepNetwork([N_X, 4, 1], hidden_activation="tanh", n_iterations=3, record_every=1).fit(X, Y)
    lr = LogisticRegression(learning_rate=0.1, n_iterations=3, record_every=1).fit(X, Y)
    out = {
        "net.params": net.parameters_,
        "net.costs": net.costs_,
        "net.proba": net.predict_proba(X),
        "net.predict": net.predict(X),
        "net.score": net.score(X, Y),
        "net.cost": net.cost(X, Y),
        "net.grads": net.gradients(X, Y),
        "lr.w": lr.w_,
        "lr.b": lr.b_,
        "lr.costs": lr.costs_,
        "lr.proba": lr.predict_proba(X),
        "lr.predict": lr.predict(X),
        "lr.score": lr.score(X, Y),
    }
    # The caller's arrays: same values, bit for bit, same dtype, after every call.
    assert np.asarray(X).dtype == Xc.dtype and np.asarray(Y).dtype == Yc.dtype
    assert np.asarray(X).tobytes() == Xc.tobytes()
    assert np.asarray(Y).tobytes() == Yc.tobytes()
    return out


# LogisticRegression.fit reads every layout through the same example-major kernel (a
# C-ordered X is copied to F order once), so all layouts must agree bit for bit; the
# lr_exact=False comparisons of converted dtypes below stay a few-ulp check.
_LR_FIT = ("lr.w", "lr.b", "lr.costs", "lr.proba")


def _assert_same(a, b, lr_exact=True):
    assert a.keys() == b.keys()
    for key in a:
        va, vb = a[key], b[key]
        if isinstance(va, dict):
            assert va.keys() == vb.keys()
            for k in va:
                np.testing.assert_array_equal(va[k], vb[k], err_msg=f"{key}[{k}]")
                assert va[k].dtype == vb[k].dtype
        elif not lr_exact and key in _LR_FIT:
            np.testing.assert_allclose(va, vb, rtol=4e-15, atol=0, err_msg=key)
        else:
            np.testing.assert_array_equal(va, vb, err_msg=key)


@pytest.fixture(scope="module")
def baseline():
    return _outputs(X0.copy(), Y0.copy())


def _readonly(a):
    a = a.copy()
    a.setflags(write=False)
    return a


def _strided(a):
    big = np.zeros((a.shape[0] * 2, a.shape[1] * 3), dtype=a.dtype)
    big[::2, ::3] = a
    return big[::2, ::3]


def _reversed(a):
    rev = a[::-1, ::-1].copy()
    return rev[::-1, ::-1]


LAYOUTS = {
    "fortran": (np.asfortranarray(X0), Y0),
    "strided": (_strided(X0), _strided(Y0)),
    "negative-strides": (_reversed(X0), _reversed(Y0)),
    "read-only": (_readonly(X0), _readonly(Y0)),
    "read-only-fortran": (_readonly(np.asfortranarray(X0)), Y0),
    "Y-bool": (X0, Y0.astype(bool)),
    "Y-int": (X0, Y0.astype(np.int8)),
    "Y-float32": (X0, Y0.astype(np.float32)),
    "nested-lists": (X0.tolist(), Y0.tolist()),
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_accepted_layouts_equal_c_contiguous(name, baseline):
    X, Y = LAYOUTS[name]
    if name == "strided":
        assert not (X.flags.c_contiguous or X.flags.f_contiguous)
    if name == "negative-strides":
        assert X.strides[0] < 0 and X.strides[1] < 0
    _assert_same(_outputs(X, Y), baseline)


def test_int_X_is_converted_to_float64():
    Xi = np.array([[0, 1, 2, 3, 1, 0, 2, 1], [1, 1, 0, 0, 2, 2, 1, 0], [3, 0, 1, 2, 0, 1, 1, 2]], dtype=np.int32)
    got = _outputs(Xi, Y0)
    want = _outputs(Xi.astype(np.float64), Y0)
    _assert_same(got, want, lr_exact=False)
    assert got["net.proba"].dtype == np.float64 and got["lr.w"].dtype == np.float64
    # same layout after conversion: bit for bit
    _assert_same(got, _outputs(np.asfortranarray(Xi, dtype=np.float64), Y0))
    # and bool X too
    _assert_same(_outputs(Xi > 1, Y0), _outputs((Xi > 1).astype(np.float64), Y0), lr_exact=False)


def test_float32_X_kept_and_dtype_argument_converts():
    X32 = X0.astype(np.float32)
    net = DeepNetwork([N_X, 4, 1], n_iterations=2).fit(X32, Y0)
    assert net.predict_proba(X32).dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.parameters_.values())
    # dtype="float32" on float64 input converts, giving what float32 input gives
    net64in = DeepNetwork([N_X, 4, 1], n_iterations=2, dtype="float32").fit(X0, Y0)
    for k in net.parameters_:
        np.testing.assert_array_equal(net.parameters_[k], net64in.parameters_[k])


def test_layouts_do_not_mutate_inputs_on_error(net):
    """A rejected call leaves the caller's arrays alone too."""
    X = _with_nan(np.nan)
    Xc = X.copy()
    with pytest.raises(ValueError):
        net.fit(X, Y0)
    assert X.tobytes() == Xc.tobytes()


# ------------------------------------------------------------------ extreme numerics


def _softplus(z):
    return np.logaddexp(0.0, z)


def _sigmoid(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _strict():
    """No warnings of any kind and no overflow/invalid/divide in NumPy."""
    class _Ctx:
        def __enter__(self):
            self.w = warnings.catch_warnings()
            self.w.__enter__()
            warnings.simplefilter("error")
            self.e = np.errstate(over="raise", invalid="raise", divide="raise")
            self.e.__enter__()

        def __exit__(self, *exc):
            self.e.__exit__(*exc)
            self.w.__exit__(*exc)

    return _Ctx()


def _linear_net(w, b, dtype):
    """A fitted [1, 1] network with W1 = w, b1 = b (set by hand)."""
    model = DeepNetwork([1, 1], n_iterations=0, dtype=dtype).fit(np.ones((1, 2)), np.ones((1, 2)))
    model.parameters_ = {"W1": np.array([[w]], dtype=dtype), "b1": np.array([[b]], dtype=dtype)}
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("z", [40.0, 800.0, 1e4])
def test_extreme_logits_network(z, dtype):
    model = _linear_net(z, 0.0, dtype)
    X = np.array([[1.0, -1.0, 1.0, -1.0, 0.5]])
    logits = z * X  # exact in float32 too for these values
    for labels in ([1, 0, 0, 1, 1], [0, 1, 1, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]):
        Y = np.array([labels], dtype=np.float64)
        with _strict():
            proba = model.predict_proba(X)
            cost = model.cost(X, Y)
            grads = model.gradients(X, Y)
        assert np.isfinite(proba).all() and ((proba >= 0) & (proba <= 1)).all()
        np.testing.assert_array_equal(model.predict(X), (logits > 0).astype(np.int64))
        want = float(np.mean(_softplus(logits) - Y * logits))
        assert math.isfinite(cost)
        assert cost == pytest.approx(want, rel=1e-12 if dtype == "float64" else 1e-6)
        assert cost == pytest.approx(reference.cost_from_logits(logits, Y), rel=1e-6)
        dz = (_sigmoid(logits) - Y) / X.shape[1]
        # float32: sigmoid(20) rounds to 1, so allow float32 eps relative to the largest term
        tol = dict(rtol=1e-12, atol=1e-300) if dtype == "float64" else dict(rtol=1e-6, atol=1e-7 * np.abs(dz).max())
        np.testing.assert_allclose(grads["dW1"], dz @ X.T, **tol)
        np.testing.assert_allclose(grads["db1"], dz.sum(axis=1, keepdims=True), **tol)
        for g in grads.values():
            assert np.isfinite(g).all()


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_huge_inputs_deep_network(activation):
    """Inputs of 1e4: hidden activations saturate, output logits reach ~1e4 and more."""
    rng = np.random.default_rng(7)
    X = rng.choice([-1e4, 1e4], size=(2, 6)) * rng.uniform(0.5, 1.0, size=(2, 6))
    Y = np.array([[0, 1, 0, 1, 1, 0]], dtype=np.float64)
    model = DeepNetwork([2, 3, 1], hidden_activation=activation, n_iterations=0).fit(X, Y)
    params = {"W1": np.array([[1.0, -2.0], [0.5, 0.5], [-1.0, 0.25]]), "b1": np.array([[0.0], [1.0], [-1.0]]),
              "W2": np.array([[900.0, -700.0, 1e3]]), "b2": np.array([[0.5]])}
    model.parameters_ = {k: v.copy() for k, v in params.items()}
    with _strict():
        proba = model.predict_proba(X)
        cost = model.cost(X, Y)
        grads = model.gradients(X, Y)
    # Independent forward pass (NumPy, stable sigmoid) and stable cost.
    Z1 = params["W1"] @ X + params["b1"]
    A1 = {"relu": np.maximum(Z1, 0), "tanh": np.tanh(Z1), "sigmoid": _sigmoid(Z1)}[activation]
    Z2 = params["W2"] @ A1 + params["b2"]
    assert np.abs(Z2).max() > 800  # really extreme
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba, _sigmoid(Z2), rtol=1e-12, atol=1e-300)
    assert cost == pytest.approx(float(np.mean(_softplus(Z2) - Y * Z2)), rel=1e-12)
    dZ2 = (_sigmoid(Z2) - Y) / X.shape[1]
    dA1 = params["W2"].T @ dZ2
    dZ1 = dA1 * {"relu": (Z1 > 0).astype(float), "tanh": 1 - A1**2, "sigmoid": A1 * (1 - A1)}[activation]
    want = {"dW2": dZ2 @ A1.T, "db2": dZ2.sum(1, keepdims=True), "dW1": dZ1 @ X.T, "db1": dZ1.sum(1, keepdims=True)}
    for k, v in want.items():
        assert np.isfinite(grads[k]).all()
        np.testing.assert_allclose(grads[k], v, rtol=1e-9, atol=1e-9 * np.abs(v).max() + 1e-300, err_msg=k)


@pytest.mark.parametrize("scale", [40.0, 800.0, 1e4])
def test_extreme_logits_logistic(scale):
    X = np.array([[1.0, -1.0, 2.0, -0.5, 1.0]]) * scale
    Y = np.array([[0, 0, 1, 1, 1]], dtype=np.float64)  # some confidently wrong
    lr = 0.5
    with _strict():
        model = LogisticRegression(learning_rate=lr, n_iterations=4, record_every=1).fit(X, Y)
        proba = model.predict_proba(X)
    assert np.isfinite(proba).all()
    # Independent gradient descent with the stable loss.
    w, b, costs = np.zeros((1, 1)), 0.0, []
    for _ in range(4):
        z = w.T @ X + b
        costs.append(float(np.mean(_softplus(z) - Y * z)))
        dz = (_sigmoid(z) - Y) / X.shape[1]
        w, b = w - lr * (X @ dz.T), b - lr * float(dz.sum())
    assert all(math.isfinite(c) for c in model.costs_)
    np.testing.assert_allclose(model.costs_, costs, rtol=1e-10)
    np.testing.assert_allclose(model.w_, w, rtol=1e-10)
    assert model.b_ == pytest.approx(b, rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(proba, _sigmoid(w.T @ X + b), rtol=1e-10, atol=1e-300)


@pytest.mark.parametrize(
    "dims, X, Y",
    [
        ([1, 1], [[0.7]], [[1]]),  # m = 1, n_x = 1
        ([1, 1, 1], [[0.7, -0.3, 2.0]], [[1, 1, 1]]),  # single-unit hidden layer, all ones
        ([2, 1, 1], [[0.7, -0.3, 2.0], [1.0, 0.5, -1.5]], [[0, 0, 0]]),  # all zeros
        ([1, 3, 1, 1], [[0.4]], [[0]]),  # m = 1, deeper
    ],
    ids=["m1-nx1", "hidden1-all-ones", "hidden1-all-zeros", "m1-deep"],
)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_degenerate_shapes_match_reference(dims, X, Y, activation):
    X, Y = np.array(X, dtype=np.float64), np.array(Y, dtype=np.float64)
    with _strict():
        model = DeepNetwork(dims, hidden_activation=activation, init="he", seed=3, learning_rate=0.1,
                            n_iterations=20, record_every=1).fit(X, Y)
        proba = model.predict_proba(X)
    params, costs = reference.train_network(X, Y, dims, 20, 0.1, hidden_activation=activation, init="he",
                                            seed=3, record_every=1)
    np.testing.assert_allclose(model.costs_, costs, rtol=1e-12)
    for k in params:
        np.testing.assert_allclose(model.parameters_[k], params[k], rtol=1e-12, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(proba, reference.model_forward(X, params, activation)[0], rtol=1e-12)
    lr = LogisticRegression(learning_rate=0.1, n_iterations=20, record_every=1).fit(X, Y)
    w, b, lr_costs = reference.logistic_regression(X, Y, 20, 0.1, record_every=1)
    np.testing.assert_allclose(lr.costs_, lr_costs, rtol=1e-12)
    np.testing.assert_allclose(lr.w_, w, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", ["DN", "LR"])
def test_divergence_raises_and_keeps_last_finite_parameters(kind):
    """Huge inputs and step: the logits overflow after a few updates."""
    rng = np.random.default_rng(3)
    X = rng.standard_normal((4, 16)) * (1e80 if kind == "DN" else 1e160)
    Y = (rng.random((1, 16)) > 0.5).astype(np.float64)

    def make(n):
        if kind == "DN":
            return DeepNetwork([4, 8, 8, 1], learning_rate=1e6, n_iterations=n, record_every=1)
        return LogisticRegression(learning_rate=1.0, n_iterations=n, record_every=1)

    model = make(500)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # np.dot overflow inside the diverging fit
        with pytest.raises(FloatingPointError, match=r"iteration (\d+)") as info:
            model.fit(X, Y)
    i = int(re.search(r"iteration (\d+)", str(info.value)).group(1))
    assert "learning_rate" in str(info.value)
    assert 0 < i < 500
    assert model.n_iter_ == i  # the iteration that failed is not counted
    assert len(model.costs_) == i
    state = model.parameters_ if kind == "DN" else {"w": model.w_, "b": np.array(model.b_)}
    for v in state.values():
        assert np.isfinite(v).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pred = model.predict(X)
    assert pred.shape == (1, 16) and set(np.unique(pred)) <= {0, 1}
    # The kept parameters are those of a run stopped after i iterations.
    fresh = make(i).fit(X, Y)
    fresh_state = fresh.parameters_ if kind == "DN" else {"w": fresh.w_, "b": np.array(fresh.b_)}
    for k in state:
        np.testing.assert_array_equal(state[k], fresh_state[k], err_msg=k)
    assert model.costs_ == fresh.costs_


def test_finite_values_near_float_max_accepted_without_warning():
    """check_X's fast finiteness pass (a sum) may overflow: no warning, no false alarm."""
    X = np.full((2, 4), 1e308)
    X[1] *= -0.5
    Y = np.array([[0, 1, 0, 1]])
    with _strict():
        model = LogisticRegression(n_iterations=0).fit(X, Y)  # w = 0: finite logits
        np.testing.assert_array_equal(model.predict_proba(X), np.full((1, 4), 0.5))


@pytest.mark.parametrize("values", [(np.inf, -np.inf), (1e308, np.nan), (np.inf, 1e308)])
def test_nonfinite_reported_as_value_error_under_errstate_raise(values):
    X = np.ones((2, 4))
    X[0, 1], X[1, 3] = values
    with _strict(), pytest.raises(ValueError, match=r"^X: contains NaN or inf"):
        LogisticRegression(n_iterations=0).fit(X, np.array([[0, 1, 0, 1]]))
