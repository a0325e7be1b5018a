"""Whole fits of ``fastnn.sklearn.MLPClassifier`` (scikit-learn 1.9's estimator, trained in
fastnn's compiled loop) on an MNIST-1D-sized problem, next to scikit-learn's own
``MLPClassifier`` with the same parameters and ``random_state`` (the same model, to
rounding; ``benchmarks/sklearn_rows.py`` checks that and compares the two in one process).

Data: :func:`benchmarks.sklearn_rows.synthetic_mnist1d`, 4000 x 40, 10 classes, float64 or
float32 (``X`` cast; both libraries then compute in X's dtype). ``adam``: scikit-learn's
defaults with ``hidden_layer_sizes=(100, 100)`` (batch 200: 20 steps an epoch), 10 epochs
(``tol=0``, ``n_iter_no_change=max_iter``: no early stop). ``lbfgs``: the same network, 30
iterations of SciPy's L-BFGS-B (full batch; the objective in X's dtype, SciPy's iterate in
float64, in both libraries). fastnn as installed (it sets BLAS's threads for the fit
itself: one thread for the Adam steps, whose products are small; every core for the L-BFGS
passes over all 4000 rows). scikit-learn with BLAS on one thread (threadpoolctl): as
installed, on every core, its small products are erratic on a shared machine (measured on
2 cores while another process ran: 0.13 s to 5 s for the same float64 Adam fit), and it is
the baseline, not what asv tracks. ``setup`` fits once (kernels loaded from Numba's cache or
compiled), so no timing includes compilation. Skipped without scikit-learn.
"""

import warnings

import numpy as np

from .sklearn_rows import synthetic_mnist1d

SOLVERS = {
    "adam": dict(hidden_layer_sizes=(100, 100), solver="adam", max_iter=10, tol=0.0, n_iter_no_change=10,
                 random_state=0),
    "lbfgs": dict(hidden_layer_sizes=(100, 100), solver="lbfgs", max_iter=30, tol=0.0, random_state=0),
}


class SklearnMLPClassifierFit:
    params = (list(SOLVERS), ["float64", "float32"], ["fastnn", "sklearn"])
    param_names = ["solver", "dtype", "impl"]

    def setup(self, solver, dtype, impl):
        try:
            from sklearn.exceptions import ConvergenceWarning
            from sklearn.neural_network import MLPClassifier as SkMLP

            from fastnn.sklearn import MLPClassifier as FastMLP
        except ImportError as exc:  # scikit-learn not installed
            raise NotImplementedError(str(exc)) from exc
        X, y = synthetic_mnist1d()
        X = np.ascontiguousarray(X, dtype=dtype)
        from threadpoolctl import threadpool_limits  # a dependency of fastnn and of scikit-learn

        cls = FastMLP if impl == "fastnn" else SkMLP
        threads = None if impl == "fastnn" else 1
        params = SOLVERS[solver]

        def fit():
            with warnings.catch_warnings(), threadpool_limits(threads, user_api="blas"):
                warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter is reached by design
                return cls(**params).fit(X, y)

        self.fit = fit
        fit()  # compile / load from cache, start BLAS's threads

    def time_fit(self, *params):
        self.fit()
