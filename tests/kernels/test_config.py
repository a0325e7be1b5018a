"""kernels/_config.py: the policies (serial below the threshold, no ``fastmath=True``, no
thread-count queries, the documented thresholds), the cache stamp of every kernel file and
the helpers compiled without wrappers."""

import pathlib
import re
import tokenize

import numpy as np

import fastnn.kernels as K

KERNELS_DIR = pathlib.Path(K.__file__).parent


def test_choose_picks_serial_below_threshold():
    k = K.bias_relu
    assert K.choose(k, K.PARALLEL_MIN_ELEMENTS - 1) is k.serial
    assert K.choose(k, K.PARALLEL_MIN_ELEMENTS) is k.parallel
    assert k.parallel is k and k.serial is not k


def _code_without_strings_and_comments(path):
    with open(path, "rb") as f:
        toks = tokenize.tokenize(f.readline)
        return " ".join(t.string for t in toks if t.type not in (tokenize.STRING, tokenize.COMMENT))


def test_no_fastmath_true_and_no_thread_count_queries():
    files = list(KERNELS_DIR.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        src = _code_without_strings_and_comments(path)
        assert not re.search(r"fastmath\s*=\s*True", src), path
        assert "get_num_threads" not in src, path
        assert "from fastnn" not in src and "import fastnn" not in src, path


def test_config_docstring_states_the_default_thresholds():
    """The policy text quotes each threshold's default; keep it equal to the code's."""
    from fastnn.kernels import _config

    src = pathlib.Path(_config.__file__).read_text()
    for name in ("PARALLEL_MIN_ELEMENTS", "LOGISTIC_PARALLEL_MIN_ELEMENTS"):
        stated = re.search(rf"``{name}`` \((2\*\*\d+)", _config.__doc__ + src)
        default = re.search(rf"^{name} = int\(os\.environ\.get\(\"FASTNN_{name}\", (2\*\*\d+)\)\)", src, re.M)
        assert stated and default, name
        assert stated.group(1) == default.group(1), (name, stated.group(1), default.group(1))


def test_cached_kernels_are_stamped_with_every_kernel_file(tmp_path):
    """Numba would key a cached driver on its own file only, and keep running a changed
    helper's old code from another file (numba#1833): every cached kernel carries a stamp
    of the whole package instead, which any change of any kernel file changes."""
    import shutil

    from fastnn.kernels import _config
    from fastnn.kernels import network as KN

    stamp = _config.source_stamp()
    entries = [KN.train_for(out) for out in (KN.OUT_SIGMOID, KN.OUT_SOFTMAX, KN.OUT_IDENTITY)]
    entries += [KN.predict_for(out) for out in (KN.OUT_SIGMOID, KN.OUT_SOFTMAX, KN.OUT_IDENTITY)]
    for disp in entries + [KN.loss_and_gradients, K.bias_relu, K.bias_relu.serial]:
        assert disp._cache._cache_file._source_stamp == stamp
    copy = tmp_path / "kernels"
    shutil.copytree(KERNELS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _config.source_stamp(copy) == stamp
    helper = copy / "optimizers.py"
    helper.write_text(helper.read_text() + "\n# an edit\n")
    assert _config.source_stamp(copy) != stamp


def test_helpers_have_no_wrappers_and_still_run_from_python():
    """Helpers compile without the CPython / cfunc wrappers (seconds of the first compile,
    see ``_config.helper``); a call from Python goes to a twin that has them, with the same
    result as the compiled code's."""
    from fastnn.kernels import _config, layers

    for h in (layers.row_sum, layers.sigmoid_output, layers.output_loss_any):
        assert isinstance(h, _config._Helper)
        assert h.targetoptions["no_cpython_wrapper"] and h.targetoptions["no_cfunc_wrapper"]
    x = np.arange(1.0, 6.0)
    assert layers.row_sum(x) == 15.0
    assert layers.row_sum._python_twin.targetoptions.get("no_cpython_wrapper", False) is False
