"""scikit-learn's stochastic solvers (``"sgd"``, ``"adam"``), step for step, on fastnn's
compiled training loop.

What scikit-learn's ``_fit_stochastic`` does in Python between two batches runs here in the
compiled loop (``fastnn.kernels.network.train_loop`` in scikit-learn's form,
``codes[C_FORM] = FORM_SKLEARN``), one call per epoch: the epoch's reshuffle of the index
array by the estimator's own ``RandomState`` (its Mersenne Twister state handed to the
kernel and back), the batches of ``gen_batches``, the forward and backward passes, the
per-batch L2 term, the update in scikit-learn's form (Adam, or SGD with classical or
Nesterov momentum) and the epoch's loss. What scikit-learn does between two epochs stays in
Python, as it writes it: ``loss_curve_``, the ``tol`` / ``n_iter_no_change`` rule, the
validation score, the learning-rate schedules and the convergence warning.
"""

import time
import warnings

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from .. import training
from .._layout import Layout
from .._threads import BLAS_SINGLE_THREAD_BELOW, blas_threads
from ..kernels import network as KN
from ..kernels import state as KS
from ..kernels import optimizers as KO
from . import _network as net

#: Epochs of fewer values than this (rows times units) run in one compiled call each from the
#: start; larger ones begin with one step a call and then aim at ``training.SLICE_SECONDS``.
_SMALL_EPOCH = 1 << 22

NON_FINITE = ("Solver produced non-finite parameter weights. The input data may contain large values and need "
              "to be preprocessed.")


class SolverState:
    """What scikit-learn's optimizer object carries from one ``partial_fit`` to the next: the
    current learning rate, Adam's step count and the moment (velocity) vectors, in the flat
    parameter layout."""

    def __init__(self, solver, learning_rate_init, size, dtype):
        self.solver = solver
        self.learning_rate_init = float(learning_rate_init)
        #: SGD: the rate of the next epoch. Adam: scikit-learn's last bias-corrected rate
        #: (informative only: Adam's steps derive theirs from learning_rate_init and t).
        self.learning_rate = float(learning_rate_init)
        self.t = 0
        n_state = 2 if solver == "adam" else 1
        self.V = np.zeros(size, dtype)
        self.S = np.zeros(size if n_state == 2 else 0, dtype)

    def iteration_ends(self, est, time_step):
        """``SGDOptimizer.iteration_ends``: the ``"invscaling"`` schedule."""
        if self.solver == "sgd" and est.learning_rate == "invscaling":
            self.learning_rate = float(est.learning_rate_init) / (time_step + 1) ** est.power_t

    def trigger_stopping(self, est, msg, verbose):
        """``trigger_stopping``: stop, or (``"sgd"`` with ``"adaptive"``) divide the learning
        rate by 5 until it is at most 1e-6."""
        if self.solver != "sgd" or est.learning_rate != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + " Setting learning rate to %f" % self.learning_rate)
        return False


def _optimizer_code(est):
    if est.solver == "adam":
        return KO.SK_ADAM
    return KO.SK_NESTEROV if est.nesterovs_momentum else KO.SK_SGD


def _targets(est, y, dtype):
    """``(Yf, Yi)`` for the kernels from the 2-D targets (``(n, K)``, binarized for a
    classifier)."""
    if est.out_activation_ == "softmax":
        return np.zeros((0, y.shape[0]), dtype), np.ascontiguousarray(np.argmax(y, axis=1), dtype=np.int64)
    return np.ascontiguousarray(y.T, dtype=dtype), np.zeros(0, np.int64)


def batch_size_for(est, n_samples):
    """scikit-learn's batch size for ``n_samples`` rows (warns when clipped)."""
    if est.batch_size == "auto":
        return min(200, n_samples)
    if est.batch_size > n_samples:
        warnings.warn("Got `batch_size` less than 1 or larger than sample size. It is going to be clipped")
    return int(np.clip(est.batch_size, 1, n_samples))


def fit_stochastic(est, X, y, sample_weight, incremental, dims, keep_prob):
    """Train ``est`` (its ``coefs_`` / ``intercepts_`` already set, ``_random_state`` drawn)
    as scikit-learn's ``_fit_stochastic`` does. ``X`` sample-major ``(n, n_features)`` in the
    model's dtype, ``y`` the 2-D targets."""
    dtype = X.dtype
    layout = Layout(dims)
    if not incremental or not hasattr(est, "_optimizer"):
        est._optimizer = SolverState(est.solver, est.learning_rate_init, layout.size, dtype)
    opt = est._optimizer
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    early_stopping = est.early_stopping
    if early_stopping:
        should_stratify = is_classifier(est) and est.n_outputs_ == 1
        stratify = y if should_stratify else None
        if sample_weight is None:
            X_train, X_val, y_train, y_val = train_test_split(
                X, y, random_state=est._random_state, test_size=est.validation_fraction, stratify=stratify)
            sw_train = sw_val = None
        else:
            X_train, X_val, y_train, y_val, sw_train, sw_val = train_test_split(
                X, y, sample_weight, random_state=est._random_state, test_size=est.validation_fraction,
                stratify=stratify)
        if X_val.shape[0] < 2:
            raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your "
                             "dataset.")
        if is_classifier(est):
            y_val = est._label_binarizer.inverse_transform(y_val)
        X_val_t = np.ascontiguousarray(X_val.T)
    else:
        X_train, y_train, sw_train = X, y, sample_weight
        X_val = y_val = sw_val = X_val_t = None

    n_samples = X_train.shape[0]
    batch = batch_size_for(est, n_samples)
    # Batches in order covering the data set are X itself: the full-batch path reads X in
    # place (the same rows in the same order as scikit-learn's one slice).
    kernel_batch = 0 if (not est.shuffle and batch >= n_samples) else batch
    Yf, Yi = _targets(est, y_train, dtype)
    w = None if sw_train is None else np.ascontiguousarray(sw_train, dtype=dtype)
    data = training.Data(X_train.T, Yf, Yi, w, n1=dims[1])
    codes = net.codes_for(layout, est.activation, est.out_activation_, _optimizer_code(est), kernel_batch,
                          est.shuffle, data.xmajor)
    P = net.flat_parameters(layout, est.coefs_, est.intercepts_, dtype)
    state = training.TrainingState(layout, P, codes, 2 if est.solver == "adam" else 1, opt.V, opt.S,
                                   kernel_batch or n_samples, n_samples, dims[0], keep_prob < 1.0)
    hyper = training.hyper_array(est.momentum, est.beta_1, est.beta_2, est.epsilon, est.alpha, keep_prob,
                                 net.loss_cap(est.out_activation_, dtype),
                                 net.loss_scale(est.out_activation_, est.n_outputs_))
    # The generator's state, for the shuffles inside the compiled loop (and back after).
    rs = est._random_state
    name, key, pos, has_gauss, gauss = rs.get_state(legacy=True)
    state.key[:] = key
    s = state.istate
    s[KN.I_MTPOS] = pos
    s[KN.I_T] = opt.t
    s[KN.I_DSEED] = int(key[0])  # dropout (fastnn's extra): a seed that draws nothing
    if kernel_batch:
        state.perm[:] = np.arange(n_samples)  # sample_idx = np.arange(n_samples)
    lrs = np.empty(1, np.float64)
    costs = np.empty(1, np.float64)
    entry = KN.train_for(int(codes[KN.C_OUT]))
    largest = training.largest_product(state, data)
    limit = 1 if largest < BLAS_SINGLE_THREAD_BELOW else None

    per_call = [1 << 62 if n_samples * sum(dims) < _SMALL_EPOCH else 1]
    # The compiled loop's groups of arrays (fastnn/kernels/state.py), the same for every call.
    params, spec, batch, work, gram = training.kernel_groups(state, hyper)
    run = KS.Run(lrs, s, state.fstate, costs)
    whole = KS.Data(data.X, data.Yf, data.Yi, data.w)

    def epoch():
        """One epoch, in compiled calls of about SLICE_SECONDS each (Ctrl-C is honoured
        between two calls, as scikit-learn honours it between two batches)."""
        lrs[0] = opt.learning_rate if est.solver == "sgd" else opt.learning_rate_init
        s[KN.I_EPOCH] = 0
        s[KN.I_STEP] = 0
        while s[KN.I_EPOCH] == 0:
            start = time.perf_counter()
            status, steps, _ = entry(params, spec, run, whole, data.total_weight, batch, work, gram, 1, per_call[0])
            if status != KN.OK:
                return status
            seconds = time.perf_counter() - start
            if steps > 0 and seconds > 0:
                per_call[0] = int(min(max(1, training.SLICE_SECONDS * steps / seconds), 1 << 62))
        return KN.OK

    def parameters():
        return state.P2[state.cur]

    try:
        with blas_threads(limit):
            est.n_iter_ = 0
            for it in range(est.max_iter):
                if epoch() == KN.ZERO_WEIGHT:
                    raise ZeroDivisionError("Weights sum to zero, can't be normalized")
                est.n_iter_ += 1
                est.loss_ = float(costs[0])
                est.t_ += n_samples
                est.loss_curve_.append(est.loss_)
                if est.verbose:
                    print("Iteration %d, loss = %.8f" % (est.n_iter_, est.loss_))
                _update_no_improvement_count(est, early_stopping, layout, parameters, X_val_t, y_val, sw_val)
                opt.iteration_ends(est, est.t_)
                if est._no_improvement_count > est.n_iter_no_change:
                    if early_stopping:
                        msg = ("Validation score did not improve more than tol=%f for %d consecutive epochs."
                               % (est.tol, est.n_iter_no_change))
                    else:
                        msg = ("Training loss did not improve more than tol=%f for %d consecutive epochs."
                               % (est.tol, est.n_iter_no_change))
                    if opt.trigger_stopping(est, msg, est.verbose):
                        break
                    est._no_improvement_count = 0
                if incremental:
                    break
                if est.n_iter_ == est.max_iter:
                    warnings.warn("Stochastic Optimizer: Maximum iterations (%d) reached and the optimization "
                                  "hasn't converged yet." % est.max_iter, ConvergenceWarning)
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.")
    finally:
        # Whatever happened, the estimator holds the last completed step's state.
        est.coefs_, est.intercepts_ = net.sklearn_parameters(layout, parameters())
        V, S = state.optimizer_state()
        opt.V, opt.S = V.copy(), S.copy()
        opt.t = int(s[KN.I_T])
        if est.solver == "adam" and opt.t > 0:  # what AdamOptimizer leaves in learning_rate
            opt.learning_rate = opt.learning_rate_init * np.sqrt(1 - est.beta_2 ** opt.t) / (1 - est.beta_1 ** opt.t)
        rs.set_state((name, state.key.copy(), int(s[KN.I_MTPOS]), has_gauss, gauss))
    if early_stopping:
        est.coefs_, est.intercepts_ = est._best_coefs, est._best_intercepts


def _update_no_improvement_count(est, early_stopping, layout, parameters, X_val_t, y_val, sw_val):
    """scikit-learn's ``_update_no_improvement_count``."""
    if early_stopping:
        P = parameters()
        out = training.predict(layout, net.codes_for(layout, est.activation, est.out_activation_, 0, 0, False, 0),
                               P, X_val_t).T
        val_score = est._score_output(np.ascontiguousarray(out), y_val, sw_val)
        est.validation_scores_.append(val_score)
        if est.verbose:
            print("Validation score: %f" % est.validation_scores_[-1])
        last_valid_score = est.validation_scores_[-1]
        if last_valid_score < (est.best_validation_score_ + est.tol):
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if last_valid_score > est.best_validation_score_:
            est.best_validation_score_ = last_valid_score
            est._best_coefs, est._best_intercepts = net.sklearn_parameters(layout, P)
    else:
        if est.loss_curve_[-1] > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if est.loss_curve_[-1] < est.best_loss_:
            est.best_loss_ = est.loss_curve_[-1]
