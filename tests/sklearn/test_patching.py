"""fastnn/sklearn/patching.py and ``python -m fastnn.sklearn`` (``__main__.py``): scikit-learn
patched and restored."""

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("sklearn")

import sklearn.neural_network  # noqa: E402
import sklearn.neural_network._multilayer_perceptron as sk_mlp_module  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402
from sklearn.neural_network import MLPRegressor as SkMLPRegressor  # noqa: E402

import fastnn.sklearn  # noqa: E402
from fastnn.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

from .helpers import SMALL, X, Y  # noqa: E402

# Small fits stop at max_iter on purpose (in both libraries).
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_patch_and_unpatch_sklearn():
    assert not fastnn.sklearn.sklearn_is_patched()
    try:
        fastnn.sklearn.patch_sklearn()
        fastnn.sklearn.patch_sklearn()  # twice: still restorable
        from sklearn.neural_network import MLPClassifier as Patched
        from sklearn.neural_network import MLPRegressor as PatchedRegressor

        assert Patched is MLPClassifier and PatchedRegressor is MLPRegressor
        assert sk_mlp_module.MLPClassifier is MLPClassifier and sk_mlp_module.MLPRegressor is MLPRegressor
        assert fastnn.sklearn.sklearn_is_patched()
        # a name bound before the patch keeps scikit-learn's class; conversions still give it
        assert SkMLPClassifier is not MLPClassifier
        est = Patched(**SMALL).fit(X, Y)
        assert type(est.to_sklearn()) is SkMLPClassifier
    finally:
        fastnn.sklearn.unpatch_sklearn()
    assert not fastnn.sklearn.sklearn_is_patched()
    from sklearn.neural_network import MLPClassifier as Restored
    from sklearn.neural_network import MLPRegressor as RestoredRegressor

    assert Restored is SkMLPClassifier and RestoredRegressor is SkMLPRegressor
    assert sk_mlp_module.MLPClassifier is SkMLPClassifier and sk_mlp_module.MLPRegressor is SkMLPRegressor
    assert sklearn.neural_network.MLPClassifier is SkMLPClassifier


def test_python_m_fastnn_sklearn_runs_a_script_patched(tmp_path):
    """``python -m fastnn.sklearn script.py args``: the script runs as ``__main__`` with its
    arguments and its own directory on sys.path, and sees fastnn's estimators."""
    (tmp_path / "helper_module.py").write_text("VALUE = 'helper found'\n")
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import sys
        from sklearn.neural_network import MLPClassifier, MLPRegressor
        import helper_module
        print(MLPClassifier.__module__)
        print(MLPRegressor.__module__)
        print(sys.argv[1:])
        print(__name__, helper_module.VALUE)
    """))
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    result = subprocess.run([sys.executable, "-m", "fastnn.sklearn", str(script), "arg1", "--flag", "two words"],
                            cwd=elsewhere, env=dict(os.environ), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [MLPClassifier.__module__, MLPRegressor.__module__,
                                          "['arg1', '--flag', 'two words']", "__main__ helper found"]
    assert MLPClassifier.__module__.startswith("fastnn.sklearn")
    usage = subprocess.run([sys.executable, "-m", "fastnn.sklearn"], env=dict(os.environ), capture_output=True,
                           text=True, timeout=300)
    assert usage.returncode == 2 and "usage" in usage.stdout
    helped = subprocess.run([sys.executable, "-m", "fastnn.sklearn", "--help"], env=dict(os.environ),
                            capture_output=True, text=True, timeout=300)
    assert helped.returncode == 0 and "usage" in helped.stdout
