"""`fastnn train`, the main job, run as a user would: in a subprocess."""

import json
import os
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest

import fastnn


def _run(*args, cwd=None, env_extra=None):
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "fastnn", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)


def _check_png(path):
    """Parse the PNG chunk by chunk: signature, CRCs, IHDR size, IDAT decompresses to it."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks.setdefault(kind, []).append(body)
        pos += 12 + length
    assert b"IEND" in chunks
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][0][:10])
    assert width > 100 and height > 100 and depth == 8
    raw = zlib.decompress(b"".join(chunks[b"IDAT"]))
    channels = {2: 3, 6: 4}[colour]
    assert len(raw) == height * (1 + width * channels)


def test_train_default_is_the_shallow_planar_network(tmp_path):
    out = tmp_path / "run"
    result = _run("train", "--iterations", "300", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "train accuracy" in result.stdout and "wall time" in result.stdout
    assert "300/300" in result.stderr  # the progress bar
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["iterations"] == 300 and len(metrics["costs"]) == 3
    _check_png(out / "learning_curve.png")
    model = fastnn.load(out / "model.npz")
    assert model._dims == [2, 4, 1] and model.hidden_activation == "tanh"
    from fastnn.datasets import load_planar

    X, Y = load_planar()
    assert model.score(X, Y) == pytest.approx(metrics["train_accuracy"], rel=1e-15)


def test_train_logistic_with_options(tmp_path):
    out = tmp_path / "lr"
    result = _run("train", "--model", "logistic", "--iterations", "20", "--learning-rate", "0.1",
                  "--dtype", "float32", "--threads", "1", "--no-progress", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    model = fastnn.load(out / "model.npz")
    assert isinstance(model, fastnn.LogisticRegression) and model.w_.dtype == np.float32


def test_train_with_the_second_course_options(tmp_path):
    out = tmp_path / "mb"
    result = _run("train", "--optimizer", "adam", "--batch-size", "32", "--l2", "0.1", "--keep-prob", "0.9",
                  "--lr-decay", "step", "--decay-rate", "0.5", "--decay-interval", "5", "--learning-rate", "0.01",
                  "--iterations", "12", "--record-every", "1", "--no-progress", "--out", str(out))
    assert result.returncode == 0, result.stderr
    model = fastnn.load(out / "model.npz")
    assert (model.optimizer, model.batch_size, model.l2, model.keep_prob) == ("adam", 32, 0.1, 0.9)
    assert (model.lr_decay, model.decay_rate, model.decay_interval) == ("step", 0.5, 5)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["iterations"] == 12 and metrics["steps"] == 12 * 13  # 400 examples, batches of 32
    assert len(metrics["learning_rates"]) == 12 and metrics["learning_rates"][-1] == pytest.approx(0.01 / 2)


def test_train_on_mnist1d_records_a_validation_curve(tmp_path):
    pytest.importorskip("mnist1d")
    out = tmp_path / "m1d"
    result = _run("train", "--data", "mnist1d", "--iterations", "3", "--no-progress", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout and "3 epochs" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 3 * 40 and len(metrics["costs"]) == 3
    assert len(metrics["validation_scores"]) == 3 and metrics["validation_scores"][-1] == metrics["test_accuracy"]
    model = fastnn.load(out / "model.npz")
    assert model._dims == [40, 100, 100, 10] and (model.optimizer, model.batch_size) == ("adam", 100)
    _check_png(out / "learning_curve.png")


@pytest.mark.data
def test_train_on_cat_data(tmp_path, cat_data):
    out = tmp_path / "cat"
    result = _run("train", "--data", os.environ["FASTNN_DATA"], "--layers", "12288,7,1", "--iterations", "3",
                  "--record-every", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "test accuracy" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["costs"]) == 3 and 0 <= metrics["test_accuracy"] <= 1


@pytest.mark.parametrize("args, message", [
    (["train", "--data", "/no/such/dir"], "--data"),
    (["train", "--layers", "3,4,1"], "--layers"),
    (["train", "--layers", "2,4,0"], "layer_dims"),
    (["train", "--layers", "2,x,1"], "--layers"),
    (["train", "--learning-rate", "-1"], "learning_rate"),
    (["train", "--iterations", "-5"], "n_iterations"),
    (["train", "--activation", "softmax"], "--activation"),
    (["train", "--threads", "999"], "--threads"),
    (["train", "--seed", "1.5"], "--seed"),
    (["train", "--optimizer", "rmsprop"], "--optimizer"),
    (["train", "--batch-size", "0"], "batch_size"),
    (["train", "--keep-prob", "1.5"], "keep_prob"),
    (["train", "--l2", "-1"], "l2"),
    (["train", "--lr-decay", "cosine"], "--lr-decay"),
    (["train", "--decay-rate", "-2"], "decay_rate"),
])
def test_bad_arguments_give_one_line_and_exit_2(args, message, tmp_path):
    result = _run(*args, "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("fastnn")


def test_data_dir_without_files_exits_2(tmp_path):
    result = _run("train", "--data", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "train_catvnoncat.h5" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("costs", [[0.7, 0.5, 0.3, 0.25], [0.69], [1.0, float("nan"), 0.5]])
def test_builtin_png_without_matplotlib(costs, tmp_path, monkeypatch):
    from fastnn.plot import learning_curve_png

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    path = tmp_path / "curve.png"
    assert learning_curve_png(path, [("cost", list(range(0, 100 * len(costs), 100)), costs)]) == "builtin"
    _check_png(path)


def test_builtin_chart_is_readable(monkeypatch):
    """Without matplotlib the picture still has tick marks with labels on both axes, axis
    titles and a legend: dark pixels where the text goes, outside the plot frame."""
    from fastnn.plot import _chart, _ticks

    img = _chart([("train", np.arange(0, 150, 10), np.linspace(2.3, 0.3, 15)),
                  ("validation", np.arange(0, 150, 10), np.linspace(2.4, 0.5, 15))],
                 "title", "epoch", "cost", width=640, height=420)
    dark = img.sum(axis=2) < 200
    left, right, top, bottom = 70, 620, 30, 370
    assert dark[top:bottom, 20:left - 6].sum() > 50  # y tick labels
    assert dark[top:bottom, 5:16].sum() > 20  # the vertical y-axis title
    assert dark[bottom + 7:bottom + 16, left:right].sum() > 50  # x tick labels
    assert dark[bottom + 25:bottom + 34, left:right].sum() > 20  # the x-axis title
    assert dark[5:20, left:right].sum() > 20  # the title
    orange = (img[..., 0] == 255) & (img[..., 1] == 127)
    assert orange[top + 8:top + 40, right - 120:right].sum() > 10  # legend swatch of curve 2
    ticks, fmt = _ticks(0.3, 2.4)
    assert 3 <= len(ticks) <= 7 and all(0.3 <= t <= 2.4 for t in ticks)
    ticks, fmt = _ticks(0, 9900)
    assert [fmt.format(t) for t in ticks] == ["0", "2000", "4000", "6000", "8000"]
