"""fastnn/io.py, model files: exact round trips, the documented header, atomic writes, corrupted files.

Expected header contents are written out here from the documented format (fastnn.io's
module docstring), not read back from ``save``.
"""

import json
import os
import zipfile

import numpy as np
import pytest

import fastnn
import fastnn.io
from fastnn import DeepNetwork, LogisticRegression


def _data(n_x=3, m=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n_x, m)), (rng.random((1, m)) > 0.5).astype(np.float64)


@pytest.fixture(scope="module", params=["float64", "float32"])
def dtype(request):
    return request.param


@pytest.fixture(scope="module")
def net(dtype):
    X, Y = _data()
    return DeepNetwork([3, 5, 2, 1], hidden_activation="tanh", init="xavier", seed=7, learning_rate=0.3,
                       n_iterations=7, record_every=2, dtype=dtype).fit(X, Y)


@pytest.fixture(scope="module")
def logreg(dtype):
    X, Y = _data()
    return LogisticRegression(learning_rate=0.25, n_iterations=5, record_every=2, dtype=dtype).fit(X, Y)


def _arrays(path):
    with np.load(path, allow_pickle=False) as npz:
        return {k: npz[k] for k in npz.files}


def _header(arrays):
    return json.loads(arrays["__fastnn__"].tobytes().decode("utf-8"))


def _write_npz(path, arrays):
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    return path


# ------------------------------------------------------------------- round trips


def test_round_trip_network(net, dtype, tmp_path):
    path = tmp_path / "net.npz"
    net.save(path)
    back = fastnn.load(path)
    assert type(back) is DeepNetwork
    assert sorted(back.parameters_) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    for k, v in net.parameters_.items():
        assert back.parameters_[k].dtype == np.dtype(dtype)
        assert back.parameters_[k].tobytes() == v.tobytes(), k
        assert back.parameters_[k].shape == v.shape
    assert back.layer_dims == [3, 5, 2, 1]
    assert (back.hidden_activation, back.init, back.seed) == ("tanh", "xavier", 7)
    assert (back.learning_rate, back.n_iterations, back.record_every) == (0.3, 7, 2)
    assert back.n_iter_ == 7
    assert len(back.costs_) == 4  # iterations 0, 2, 4, 6
    assert back.costs_ == net.costs_  # floats compared exactly
    X, Y = _data(seed=1)
    assert back.predict_proba(X).tobytes() == net.predict_proba(X).tobytes()
    assert back.predict_proba(X).dtype == np.dtype(dtype)
    assert back.cost(X, Y) == net.cost(X, Y)
    # a loaded model can be trained again and saved again
    back.fit(X, Y)
    back.save(path)


def test_round_trip_logistic(logreg, dtype, tmp_path):
    path = tmp_path / "lr.npz"
    logreg.save(path)
    back = fastnn.load(path)
    assert type(back) is LogisticRegression
    assert back.w_.dtype == np.dtype(dtype) and back.w_.shape == (3, 1)
    assert back.w_.tobytes() == logreg.w_.tobytes()
    assert isinstance(back.b_, float) and back.b_ == float(logreg.b_)
    assert (back.learning_rate, back.n_iterations, back.record_every) == (0.25, 5, 2)
    assert back.n_iter_ == 5 and back.costs_ == logreg.costs_ and len(back.costs_) == 3
    X, _ = _data(seed=1)
    assert back.predict_proba(X).tobytes() == logreg.predict_proba(X).tobytes()


def test_round_trip_of_interrupted_and_diverged_models(tmp_path):
    """n_iter_ < n_iterations survives the round trip."""
    X, Y = _data()

    def stop(i, cost):
        if i == 2:
            raise KeyboardInterrupt

    model = DeepNetwork([3, 4, 1], n_iterations=50, record_every=1)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, callback=stop)
    model.save(tmp_path / "m.npz")
    back = fastnn.load(tmp_path / "m.npz")
    assert back.n_iter_ == 3 and back.n_iterations == 50 and len(back.costs_) == 3


def test_documented_header(net, logreg, dtype, tmp_path):
    net.save(tmp_path / "net.npz")
    logreg.save(tmp_path / "lr.npz")
    arrays = _arrays(tmp_path / "net.npz")
    assert sorted(arrays) == ["W1", "W2", "W3", "__fastnn__", "b1", "b2", "b3", "costs"]
    assert arrays["__fastnn__"].dtype == np.uint8 and arrays["__fastnn__"].ndim == 1
    assert _header(arrays) == {
        "format": "fastnn-model",
        "format_version": 2,
        "fastnn_version": fastnn.__version__,
        "model": "DeepNetwork",
        "dtype": dtype,
        "hyperparameters": {"layer_dims": [3, 5, 2, 1], "hidden_activation": "tanh", "init": "xavier",
                            "seed": 7, "learning_rate": 0.3, "n_iterations": 7, "record_every": 2,
                            "first_layer": "auto", "optimizer": "gd", "beta": 0.9, "beta1": 0.9, "beta2": 0.999,
                            "epsilon": 1e-8, "batch_size": None, "shuffle_seed": None, "shuffle": True,
                            "lr_decay": None, "decay_rate": 1.0, "decay_interval": 1000, "l2": 0.0,
                            "keep_prob": 1.0, "output": None, "early_stopping": False, "validation_fraction": 0.1,
                            "n_iter_no_change": 10, "tol": 1e-4},
        "n_iter": 7,
    }
    assert arrays["costs"].dtype == np.float64 and arrays["costs"].shape == (4,)
    assert arrays["W2"].dtype == np.dtype(dtype) and arrays["W2"].shape == (2, 5)
    arrays = _arrays(tmp_path / "lr.npz")
    assert sorted(arrays) == ["__fastnn__", "b", "costs", "w"]
    assert _header(arrays) == {
        "format": "fastnn-model", "format_version": 2, "fastnn_version": fastnn.__version__,
        "model": "LogisticRegression", "dtype": dtype,
        "hyperparameters": {"learning_rate": 0.25, "n_iterations": 5, "record_every": 2, "copy_X": False},
        "n_iter": 5,
    }
    assert arrays["b"].shape == () and arrays["b"].dtype == np.float64
    assert arrays["w"].dtype == np.dtype(dtype) and arrays["w"].shape == (3, 1)


def test_save_refuses_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match="^model: "):
        fastnn.save(object(), tmp_path / "x.npz")
    with pytest.raises(RuntimeError, match="not fitted"):
        DeepNetwork([2, 1]).save(tmp_path / "x.npz")
    with pytest.raises(RuntimeError, match="not fitted"):
        LogisticRegression().save(tmp_path / "x.npz")
    X, Y = _data()
    with pytest.raises(TypeError, match="^path: "):
        LogisticRegression(n_iterations=1).fit(X, Y).save(None)
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------ atomic writes


def _boom(*args, **kwargs):
    raise OSError(28, "No space left on device")


def _partial_savez(f, **arrays):
    f.write(b"PK\x03\x04 half a zip")
    raise OSError(28, "No space left on device")


def _interrupted_savez(f, **arrays):
    f.write(b"PK\x03\x04 half a zip")
    raise KeyboardInterrupt


FAILURES = {
    "savez-partial": ("numpy.savez", _partial_savez, OSError),
    "savez-interrupted": ("numpy.savez", _interrupted_savez, KeyboardInterrupt),
    "fsync": ("os.fsync", _boom, OSError),
    "replace": ("os.replace", _boom, OSError),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("previous", [True, False], ids=["over-previous", "new-file"])
def test_failed_save_leaves_previous_file_and_no_temp(failure, previous, tmp_path, monkeypatch):
    X, Y = _data()
    old = DeepNetwork([3, 4, 1], n_iterations=2).fit(X, Y)
    new = DeepNetwork([3, 4, 1], n_iterations=4, seed=9).fit(X, Y)
    path = tmp_path / "model.npz"
    if previous:
        old.save(path)
        before = path.read_bytes()
    target, replacement, exc = FAILURES[failure]
    monkeypatch.setattr(target, replacement)
    with pytest.raises(exc):
        new.save(path)
    monkeypatch.undo()
    if previous:
        assert path.read_bytes() == before
        back = fastnn.load(path)
        for k, v in old.parameters_.items():
            assert back.parameters_[k].tobytes() == v.tobytes()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]
    else:
        assert list(tmp_path.iterdir()) == []
    new.save(path)  # and a later save works
    assert fastnn.load(path).parameters_["W1"].tobytes() == new.parameters_["W1"].tobytes()


def test_save_to_missing_directory(tmp_path):
    X, Y = _data()
    model = LogisticRegression(n_iterations=1).fit(X, Y)
    with pytest.raises(FileNotFoundError):
        model.save(tmp_path / "no" / "such" / "dir" / "m.npz")


# ------------------------------------------------------------------ unreadable files


@pytest.fixture
def good(tmp_path):
    """(path, arrays, header) of a valid float64 DeepNetwork file."""
    X, Y = _data()
    path = tmp_path / "good.npz"
    DeepNetwork([3, 4, 1], n_iterations=3, record_every=1).fit(X, Y).save(path)
    arrays = _arrays(path)
    return path, arrays, _header(arrays)


def _with_header(arrays, header):
    out = dict(arrays)
    out["__fastnn__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    return out


def _edit(header, path_keys, value):
    h = json.loads(json.dumps(header))
    d = h
    for k in path_keys[:-1]:
        d = d[k]
    if value is _DELETE:
        del d[path_keys[-1]]
    else:
        d[path_keys[-1]] = value
    return h


_DELETE = object()

HEADER_EDITS = [
    ("format_version-3", ("format_version",), 3, r"format version 3; .*reads versions 1, 2"),
    ("format_version-0", ("format_version",), 0, r"format version 0"),
    ("format_version-str", ("format_version",), "1", r"format version '1'"),
    ("format_version-missing", ("format_version",), _DELETE, r"format version None"),
    ("format-other", ("format",), "other-model", r"not a fastnn model header"),
    ("model-kind", ("model",), "SVM", r"model kind 'SVM'"),
    ("dtype-int", ("dtype",), "int64", r"dtype"),
    ("dtype-garbage", ("dtype",), "banana", r"inconsistent"),
    ("dtype-other", ("dtype",), "float32", r"W1 has .*float64.*expected.*float32"),
    ("layer_dims", ("hyperparameters", "layer_dims"), [3, 5, 1], r"W1 has shape \(4, 3\).*expected \(5, 3\)"),
    ("layer_dims-bad", ("hyperparameters", "layer_dims"), [3, 4, 0], r"layer_dims\[2\]"),
    ("layer_dims-deeper", ("hyperparameters", "layer_dims"), [3, 4, 1, 1], r"inconsistent"),
    ("learning_rate", ("hyperparameters", "learning_rate"), -1.0, r"learning_rate"),
    ("activation", ("hyperparameters", "hidden_activation"), "gelu", r"hidden_activation"),
    ("unknown-hyper", ("hyperparameters", "momentum"), 0.9, r"momentum"),
    ("hyper-missing", ("hyperparameters",), _DELETE, r"inconsistent"),
    ("hyper-list", ("hyperparameters",), [1, 2], r"inconsistent"),
    ("n_iter-missing", ("n_iter",), _DELETE, r"n_iter"),
    ("n_iter-str", ("n_iter",), "many", r"n_iter"),
    ("n_iter-negative", ("n_iter",), -3, r"n_iter"),
    ("n_iter-float", ("n_iter",), 2.5, r"n_iter"),
    ("n_iter-null", ("n_iter",), None, r"n_iter"),
]


@pytest.mark.parametrize("keys, value, match", [c[1:] for c in HEADER_EDITS], ids=[c[0] for c in HEADER_EDITS])
def test_bad_header_fields(keys, value, match, good, tmp_path):
    _, arrays, header = good
    path = _write_npz(tmp_path / "bad.npz", _with_header(arrays, _edit(header, keys, value)))
    with pytest.raises(ValueError, match=r"bad\.npz: not a readable fastnn model file \(.*" + match):
        fastnn.load(path)


def _nan_at(a, value=np.nan):
    a = a.copy()
    a.flat[-1] = value
    return a


ARRAY_EDITS = [
    ("no-header", lambda a, h: {k: v for k, v in a.items() if k != "__fastnn__"}, r"no fastnn header"),
    ("foreign-npz", lambda a, h: {"x": np.arange(3), "y": np.eye(2)}, r"no fastnn header"),
    ("empty-npz", lambda a, h: {}, r"no fastnn header"),
    ("header-not-utf8", lambda a, h: {**a, "__fastnn__": np.array([0xFF, 0xFE, 0x00], dtype=np.uint8)}, r"corrupted header"),
    ("header-not-json", lambda a, h: {**a, "__fastnn__": np.frombuffer(b"{format", dtype=np.uint8)}, r"corrupted header"),
    ("header-json-list", lambda a, h: {**a, "__fastnn__": np.frombuffer(b"[1, 2]", dtype=np.uint8)}, r"not a fastnn model header"),
    ("header-float-array", lambda a, h: {**a, "__fastnn__": np.array([1.5, 2.5])}, r"header"),
    ("header-2d", lambda a, h: {**a, "__fastnn__": np.frombuffer(json.dumps(h).encode(), np.uint8)[None, :]}, r"header"),
    ("missing-W2", lambda a, h: {k: v for k, v in a.items() if k != "W2"}, r"W2"),
    ("missing-costs", lambda a, h: {k: v for k, v in a.items() if k != "costs"}, r"costs"),
    ("extra-array", lambda a, h: {**a, "W3": np.ones((1, 1))}, r"unexpected arrays \['W3'\]"),
    ("W1-transposed", lambda a, h: {**a, "W1": a["W1"].T.copy()}, r"W1 has shape \(3, 4\)"),
    ("b1-flat", lambda a, h: {**a, "b1": a["b1"].ravel()}, r"b1 has shape \(4,\)"),
    ("W2-int", lambda a, h: {**a, "W2": a["W2"].astype(np.int64)}, r"W2 has .*int64"),
    ("W1-nan", lambda a, h: {**a, "W1": _nan_at(a["W1"])}, r"W1 contains NaN or inf"),
    ("b1-nan", lambda a, h: {**a, "b1": _nan_at(a["b1"])}, r"b1 contains NaN or inf"),
    ("W2-inf", lambda a, h: {**a, "W2": _nan_at(a["W2"], np.inf)}, r"W2 contains NaN or inf"),
    ("b2--inf", lambda a, h: {**a, "b2": _nan_at(a["b2"], -np.inf)}, r"b2 contains NaN or inf"),
    ("costs-2d", lambda a, h: {**a, "costs": a["costs"][None, :]}, r"costs"),
    ("costs-str", lambda a, h: {**a, "costs": np.array(["a", "b"])}, r"costs"),
]


@pytest.mark.parametrize("edit, match", [c[1:] for c in ARRAY_EDITS], ids=[c[0] for c in ARRAY_EDITS])
def test_bad_arrays(edit, match, good, tmp_path):
    _, arrays, header = good
    path = _write_npz(tmp_path / "bad.npz", edit(arrays, header))
    with pytest.raises(ValueError, match=r"bad\.npz: not a readable fastnn model file \(.*" + match):
        fastnn.load(path)


def test_object_array_is_refused_without_unpickling(good, tmp_path):
    _, arrays, _ = good
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    obj = np.empty(1, dtype=object)
    obj[0] = Evil()
    path = tmp_path / "bad.npz"
    with open(path, "wb") as f:
        np.savez(f, **{**arrays, "W1": obj})
    with pytest.raises(ValueError, match="not a readable fastnn model file"):
        fastnn.load(path)
    assert not marker.exists()


@pytest.mark.parametrize("kind", ["LR-w-nan", "LR-b-inf", "LR-w-shape", "LR-b-shape", "LR-w-dtype"])
def test_bad_logistic_arrays(kind, tmp_path):
    X, Y = _data()
    path = tmp_path / "lr.npz"
    LogisticRegression(n_iterations=2).fit(X, Y).save(path)
    a = _arrays(path)
    a.update({
        "LR-w-nan": {"w": _nan_at(a["w"])},
        "LR-b-inf": {"b": np.array(np.inf)},
        "LR-w-shape": {"w": a["w"].T.copy()},
        "LR-b-shape": {"b": np.array([0.0, 1.0])},
        "LR-w-dtype": {"w": a["w"].astype(np.float32)},
    }[kind])
    _write_npz(path, a)
    with pytest.raises(ValueError, match=r"lr\.npz: not a readable fastnn model file \(.*(w|b) "):
        fastnn.load(path)


def test_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        fastnn.load(tmp_path / "missing.npz")
    with pytest.raises(FileNotFoundError):
        fastnn.load(str(tmp_path / "missing.npz"))


def test_truncated_at_every_length(good, tmp_path):
    """Every prefix of a valid file: a clear ValueError, never another exception."""
    path, _, _ = good
    data = path.read_bytes()
    bad = tmp_path / "cut.npz"
    lengths = sorted(set(range(0, len(data), max(1, len(data) // 150))) | {1, 2, 3, 4, 22, len(data) - 1})
    for n in lengths:
        bad.write_bytes(data[:n])
        with pytest.raises(ValueError, match=r"cut\.npz: not a readable fastnn model file"):
            fastnn.load(bad)


@pytest.mark.parametrize("size", [0, 1, 100, 5000])
def test_random_bytes(size, tmp_path):
    rng = np.random.default_rng(size)
    path = tmp_path / "random.npz"
    path.write_bytes(rng.bytes(size))
    with pytest.raises(ValueError, match=r"random\.npz: not a readable fastnn model file"):
        fastnn.load(path)


def test_random_bytes_with_zip_magic(tmp_path):
    rng = np.random.default_rng(1)
    path = tmp_path / "random.npz"
    path.write_bytes(b"PK\x03\x04" + rng.bytes(3000))
    with pytest.raises(ValueError, match="not a readable fastnn model file"):
        fastnn.load(path)


def test_bit_flips_never_crash(good, tmp_path):
    """Corrupt single bytes: either a ValueError or a model with finite parameters."""
    path, arrays, _ = good
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(99)
    bad = tmp_path / "flip.npz"
    outcomes = {"error": 0, "loaded": 0}
    for pos in rng.choice(len(data), size=120, replace=False):
        flipped = bytearray(data)
        flipped[pos] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            model = fastnn.load(bad)
        except ValueError as exc:
            assert "flip.npz: not a readable fastnn model file" in str(exc)
            outcomes["error"] += 1
        else:
            outcomes["loaded"] += 1
            assert all(np.isfinite(p).all() for p in model.parameters_.values())
    assert outcomes["error"] > 0


def test_zip_with_bad_member(good, tmp_path):
    """A zip whose member is not a .npy file."""
    path = tmp_path / "bad.npz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("__fastnn__.npy", b"not an npy file")
        z.writestr("W1.npy", b"\x93NUMPY garbage")
    with pytest.raises(ValueError, match=r"bad\.npz: not a readable fastnn model file"):
        fastnn.load(path)


def test_load_plain_npy_file(tmp_path):
    path = tmp_path / "plain.npy"
    np.save(path, np.eye(3))
    with pytest.raises(ValueError, match=r"plain\.npy: not a readable fastnn model file"):
        fastnn.load(path)


def test_unreadable_permissions(good, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    path, _, _ = good
    path.chmod(0)
    try:
        with pytest.raises((ValueError, PermissionError)):
            fastnn.load(path)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
@pytest.mark.parametrize("previous", [False, True], ids=["new-file", "over-previous"])
def test_saved_file_gets_the_umask_permissions(umask, mode, previous, tmp_path):
    """A model file is a new file like any other: its mode is 0666 minus the umask (what
    ``np.save`` or ``open(path, "w")`` give), not the 0600 of a private temporary file."""
    X, Y = _data()
    model = LogisticRegression(n_iterations=1).fit(X, Y)
    path = tmp_path / "m.npz"
    if previous:
        path.write_bytes(b"old")
        os.chmod(path, 0o600)
    old = os.umask(umask)
    try:
        model.save(path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]


def test_version_1_files_still_load(tmp_path):
    """A file as fastnn wrote it before mini-batch training (format_version 1: only the
    first course's hyper-parameters in the header) loads, with the others at their
    defaults, and predicts what it predicted."""
    X, Y = _data()
    net = DeepNetwork([3, 4, 1], hidden_activation="tanh", seed=3, learning_rate=0.2, n_iterations=5,
                      record_every=1).fit(X, Y)
    header = {"format": "fastnn-model", "format_version": 1, "fastnn_version": "0.1.0", "model": "DeepNetwork",
              "dtype": "float64", "n_iter": 5,
              "hyperparameters": {"layer_dims": [3, 4, 1], "hidden_activation": "tanh", "init": "lecun", "seed": 3,
                                  "learning_rate": 0.2, "n_iterations": 5, "record_every": 1}}
    arrays = dict(net.parameters_, costs=np.array(net.costs_))
    path = _write_npz(tmp_path / "v1.npz", _with_header(arrays, header))
    back = fastnn.load(path)
    assert (back.optimizer, back.batch_size, back.l2, back.keep_prob, back.output) == ("gd", None, 0.0, 1.0, None)
    assert back.n_iter_ == 5 and back.costs_ == net.costs_
    assert back.predict_proba(X).tobytes() == net.predict_proba(X).tobytes()
    back.fit(X, Y)  # and trains again as before
    np.testing.assert_array_equal(back.parameters_["W1"], net.parameters_["W1"])
