"""``solver="lbfgs"``: SciPy's L-BFGS-B over fastnn's compiled full-batch loss and gradients,
called as scikit-learn's ``_fit_lbfgs`` calls it (the same packed vector, options and
result handling), so that the optimiser sees the same function and takes the same path.

Dtypes, as scikit-learn's: SciPy hands the objective its vector in the starting point's
dtype, so a float32 fit evaluates the loss and gradients in float32; the result
(``opt_res.x``, float64) becomes ``coefs_``, so an L-BFGS fit leaves float64 parameters.
"""

import numpy as np
import scipy.optimize

from .. import training
from .._layout import Layout
from .._threads import BLAS_SINGLE_THREAD_BELOW, blas_threads
from . import _network as net
from .stochastic import _targets

try:  # scikit-learn's helpers for SciPy's option names and the result's checks
    from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
except ImportError:  # pragma: no cover - older or newer scikit-learn
    def _get_additional_lbfgs_options_dict(key, value):
        return {key: value}
try:
    from sklearn.utils.optimize import _check_optimize_result
except ImportError:  # pragma: no cover
    def _check_optimize_result(solver, result, max_iter=None, extra_warning_msg=None):
        return min(int(result.nit), max_iter) if max_iter is not None else int(result.nit)


class Objective:
    """scikit-learn's MLP objective at a packed vector ``x`` (float64): the mean loss (the
    weighted mean with sample weights) plus ``alpha / (2 sum(w)) * sum ||W||^2``, and its
    gradient, packed as scikit-learn packs it."""

    def __init__(self, est, X, y, sample_weight, layout):
        dtype = X.dtype
        self.layout = layout
        self.dtype = dtype
        Yf, Yi = _targets(est, y, dtype)
        w = None if sample_weight is None else np.ascontiguousarray(sample_weight, dtype=dtype)
        self.data = training.Data(X.T, Yf, Yi, w, n1=layout.dims[1])
        self.codes = net.codes_for(layout, est.activation, est.out_activation_, 0, 0, False, self.data.xmajor)
        self.sw_sum = float(X.shape[0]) if sample_weight is None else float(np.sum(sample_weight))
        self.alpha = float(est.alpha)
        self.cap = net.loss_cap(est.out_activation_, dtype)
        self.lscale = net.loss_scale(est.out_activation_, est.n_outputs_)
        self.order = net.packed_order(layout)
        self.weights = np.zeros(layout.size, bool)
        for a, e in layout.weight_segments():
            self.weights[a:e] = True
        self.P = np.empty(layout.size, dtype)
        self.G = np.empty(layout.size, dtype)
        self.buffers = training.pass_buffers(layout, X.shape[0], dtype)

    def __call__(self, x):
        P, G = self.P, self.G
        P[self.order] = x
        loss_sum, _ = training.loss_and_gradients(self.layout, self.codes, P, self.data, 1.0 / self.sw_sum, self.cap,
                                                  G=G, buffers=self.buffers)
        W = P[self.weights]
        loss = loss_sum * self.lscale / self.sw_sum + (0.5 * self.alpha) * float(W @ W) / self.sw_sum
        # (dW + alpha W) / sum(w) in the model's dtype, as scikit-learn's gradient buffers
        G[self.weights] += self.dtype.type(self.alpha / self.sw_sum) * W
        return loss, G[self.order].astype(np.float64)


def fit_lbfgs(est, X, y, sample_weight, dims):
    """Train ``est`` from its ``coefs_`` / ``intercepts_`` as scikit-learn's ``_fit_lbfgs``."""
    layout = Layout(dims)
    objective = Objective(est, X, y, sample_weight, layout)
    x0 = net.flat_parameters(layout, est.coefs_, est.intercepts_, X.dtype)[objective.order]
    iprint = 1 if (est.verbose is True or est.verbose >= 1) else -1
    largest = max(2.0 * dims[l] * dims[l - 1] * X.shape[0] for l in range(1, len(dims)))
    with blas_threads(1 if largest < BLAS_SINGLE_THREAD_BELOW else None):
        opt_res = scipy.optimize.minimize(
            objective, x0, method="L-BFGS-B", jac=True,
            options={"maxfun": est.max_fun, "maxiter": est.max_iter, "gtol": est.tol,
                     **_get_additional_lbfgs_options_dict("iprint", iprint)},
        )
    est.n_iter_ = _check_optimize_result("lbfgs", opt_res, est.max_iter)
    est.loss_ = opt_res.fun
    P = np.empty(layout.size, np.float64)  # opt_res.x: scikit-learn's coefs_ are float64 after L-BFGS
    P[objective.order] = opt_res.x
    est.coefs_, est.intercepts_ = net.sklearn_parameters(layout, P)
