"""``python -m fastnn.sklearn script.py [args]``: run a script with scikit-learn's MLP
estimators replaced by fastnn's (:func:`fastnn.sklearn.patch_sklearn`), as
``python -m sklearnex script.py`` does for Intel's extension."""

import os
import runpy
import sys


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: python -m fastnn.sklearn script.py [args ...]\n\n"
              "Runs script.py with sklearn.neural_network.MLPClassifier / MLPRegressor replaced by fastnn's.")
        return 0 if argv else 2
    from .patching import patch_sklearn

    patch_sklearn()
    sys.argv = argv
    sys.path[0] = os.path.dirname(os.path.abspath(argv[0]))  # as `python script.py` would
    runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
