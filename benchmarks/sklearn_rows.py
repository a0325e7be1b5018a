"""fastnn's ``MLPClassifier`` vs scikit-learn's, same settings, whole fits: rows for ``compare.py``.

Both estimators train the same network (one hidden layer of 100 ReLU units, softmax output)
with the same settings: Adam, ``learning_rate_init=1e-3``, ``alpha=1e-4``,
``batch_size="auto"`` (200), shuffling, ``random_state=0``, and a fixed number of epochs
(``tol=0``, ``n_iter_no_change=max_iter``, so neither stops early). The data sets:

- scikit-learn's bundled digits (1797 8x8 images, 10 classes, pixels / 16), 200 epochs;
- ``make_classification(n_samples=60000, n_features=200, n_informative=50,
  n_redundant=50, n_classes=10, random_state=0)``, 20 epochs;

each split 75 / 25 (stratified, ``random_state=0``), in float64 and float32 (``X`` cast; both
libraries then compute in X's dtype). A row is the median wall time of ``repeat`` fits of
each estimator (fits alternate; scikit-learn's as installed and with BLAS on one thread, see
:func:`rows`), the ratios, and both test accuracies (of the first fit: fastnn's fits are
deterministic at any thread count; scikit-learn's float32 ones move in the last digit with
its BLAS thread count). The two libraries differ in initialisation and in Adam's
epsilon placement (see ``fastnn.sklearn``), so accuracies agree closely, not exactly.

From compare.py: ``sklearn_rows.main(quick=args.quick)`` prints the table;
``sklearn_rows.table(quick)`` returns its lines, ``sklearn_rows.rows(quick)`` the numbers.

Standalone: ``python benchmarks/sklearn_rows.py [--quick] [--repeat N]``. ``--quick``
(a smoke test): 30 digits epochs, a 6000-row ``make_classification`` and 3 epochs, one fit
each. Without scikit-learn :func:`table` returns a one-line note. scikit-learn is imported
only inside the functions (asv imports this directory).
"""

import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # `python benchmarks/sklearn_rows.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Columns of :func:`table`.
HEADER = ("| row | dtype | epochs | fastnn s | sklearn s | sklearn/fastnn | sklearn 1-thread BLAS s "
          "| sklearn 1-thread/fastnn | fastnn test acc | sklearn test acc |",
          "|---|---|---|---|---|---|---|---|---|---|")


def datasets(quick=False):
    """``[(label, X, y, epochs)]``: the digits and the ``make_classification`` problem."""
    from sklearn.datasets import load_digits, make_classification

    X, y = load_digits(return_X_y=True)
    out = [("digits 1797×64, 10 classes", X / 16.0, y, 30 if quick else 200)]
    n = 6000 if quick else 60000
    X, y = make_classification(n_samples=n, n_features=200, n_informative=50, n_redundant=50, n_classes=10,
                               random_state=0)
    out.append((f"make_classification {n}×200, 10 classes", X, y, 3 if quick else 20))
    return out


def settings(epochs):
    """The keyword arguments both ``MLPClassifier`` classes get."""
    return dict(hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=1e-4, batch_size="auto",
                learning_rate_init=1e-3, max_iter=epochs, shuffle=True, random_state=0, tol=0.0,
                n_iter_no_change=epochs)


def _timed_fit(cls, kwargs, X, y, blas_threads=None):
    from threadpoolctl import threadpool_limits  # a dependency of fastnn and of scikit-learn

    with warnings.catch_warnings(), threadpool_limits(blas_threads, user_api="blas"):
        warnings.simplefilter("ignore")  # ConvergenceWarning: max_iter is reached by design
        t0 = time.perf_counter()
        model = cls(**kwargs).fit(X, y)
        return time.perf_counter() - t0, model


def rows(quick=False, repeat=None):
    """One dict per (data set, dtype): ``label, dtype, epochs, fastnn_s, sklearn_s, ratio,
    sklearn_1thread_s, ratio_1thread, fastnn_acc, sklearn_acc``.

    Times are medians of ``repeat`` fits (3; 1 with ``quick``), after an untimed two-epoch
    fit of each on a small slice (fastnn's kernels are loaded from Numba's cache, or compiled
    on a cold cache; BLAS starts its threads). scikit-learn runs twice: as installed (BLAS on
    all cores) and with BLAS on one thread (threadpoolctl). fastnn runs as installed: it puts
    BLAS on one thread by itself for steps whose products are small. On a shared machine
    scikit-learn's multi-threaded small products are erratic (a core busy elsewhere makes
    each product wait for a time slice; measured here: 2 to 50 times slower from run to
    run), so the one-thread column is the stable comparison."""
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier as SkMLP

    from fastnn.sklearn import MLPClassifier as FastMLP

    repeat = (1 if quick else 3) if repeat is None else repeat
    out = []
    for label, X, y, epochs in datasets(quick):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
        for dtype in ("float64", "float32"):
            Xtr = np.ascontiguousarray(X_tr, dtype=dtype)
            Xte = np.ascontiguousarray(X_te, dtype=dtype)
            kwargs = settings(epochs)
            variants = (("fastnn", FastMLP, None), ("sklearn", SkMLP, None), ("sklearn1", SkMLP, 1))
            for _, cls, threads in variants:  # warm-up: kernels loaded, BLAS threads started
                _timed_fit(cls, dict(kwargs, max_iter=2, n_iter_no_change=2), Xtr[:500], y_tr[:500], threads)
            times = {name: [] for name, _, _ in variants}
            acc = {}
            for _ in range(repeat):
                for name, cls, threads in variants:
                    t, model = _timed_fit(cls, kwargs, Xtr, y_tr, threads)
                    times[name].append(t)
                    acc.setdefault(name, float(model.score(Xte, y_te)))
                    del model
                    time.sleep(0.1)  # let BLAS / OpenMP worker threads go idle between fits
            tf, ts, t1 = (statistics.median(times[name]) for name in ("fastnn", "sklearn", "sklearn1"))
            out.append(dict(label=label, dtype=dtype, epochs=epochs, fastnn_s=tf, sklearn_s=ts, ratio=ts / tf,
                            sklearn_1thread_s=t1, ratio_1thread=t1 / tf, fastnn_acc=acc["fastnn"],
                            sklearn_acc=acc["sklearn"]))
    return out


def table(quick=False, repeat=None):
    """The Markdown lines of :func:`rows` (header first), or a one-line note without
    scikit-learn."""
    try:
        import sklearn
    except ImportError:
        return ["fastnn vs scikit-learn MLPClassifier: skipped (scikit-learn is not installed; "
                "pip install 'fastnn[sklearn]')."]
    lines = [f"## fastnn.sklearn.MLPClassifier vs sklearn.neural_network.MLPClassifier "
             f"(scikit-learn {sklearn.__version__}), whole fits, fixed epochs", "",
             "Same settings: hidden (100,) relu, adam, lr 1e-3, alpha 1e-4, batch 200, shuffle, random_state 0, "
             "tol 0, n_iter_no_change = max_iter; 75/25 stratified split; test accuracy. "
             f"Load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.", "", *HEADER]
    for r in rows(quick, repeat):
        lines.append(f"| {r['label']} | {r['dtype']} | {r['epochs']} | {r['fastnn_s']:.2f} | {r['sklearn_s']:.2f} | "
                     f"{r['ratio']:.2f} | {r['sklearn_1thread_s']:.2f} | {r['ratio_1thread']:.2f} | "
                     f"{r['fastnn_acc']:.4f} | {r['sklearn_acc']:.4f} |")
    lines.append("")
    lines.append(f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}.")
    return lines


def main(argv=None, *, quick=None, repeat=None):
    """Print :func:`table`. ``compare.py`` calls ``main(quick=...)``; from the command line
    the options are parsed from ``argv``."""
    if quick is None:
        import argparse

        p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        p.add_argument("--quick", action="store_true", help="small shapes, one fit each (a smoke test)")
        p.add_argument("--repeat", type=int, default=None,
                       help="fits per estimator and row (default 3, 1 with --quick)")
        args = p.parse_args(argv)
        quick, repeat = args.quick, args.repeat
    for line in table(quick, repeat):
        print(line, flush=True)


if __name__ == "__main__":
    main()
