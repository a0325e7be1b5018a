"""``DeepNetwork``: an L-layer fully-connected network (binary, multi-class or regression),
trained by compiled mini-batch or full-batch steps.

The model holds the hyper-parameters, validates what it is given and keeps the fitted state;
the work is elsewhere, each piece in the module named for it: the epoch / batch loop in
:mod:`fastnn.training`, the update rules and learning-rate schedules in
:mod:`fastnn.optimizers`, L2 and dropout in :mod:`fastnn.regularization`, the output layers in
:mod:`fastnn.outputs`, the compiled step in :mod:`fastnn.kernels.network`.
"""


import numpy as np

from . import training
from ._base import Model
from ._init import initial_parameters
from ._layout import Layout
from ._validation import (
    HIDDEN_ACTIVATIONS,
    INITS,
    Flag,
    Integer,
    Options,
    OrNone,
    Real,
    Seed,
    _describe,
    check_layer_dims,
    check_parameters,
    check_sample_weight,
    check_X,
)
from .io import check_finite_array, register
from .io import save as _save
from .kernels import codes as KC
from .kernels import network as KN
from .optimizers import OPTIMIZER_RULES, learning_rates, optimizer_code, state_arrays
from .outputs import OUTPUTS, check_targets, default_output, output_code, predictions, score
from .regularization import REGULARIZATION_RULES

#: Values of ``DeepNetwork(first_layer=...)``.
FIRST_LAYER_MODES = ("auto", "direct", "gram")
#: ``first_layer="auto"`` never builds a Gram matrix larger than this (512 MiB: m = 8192
#: in float64).
GRAM_MAX_BYTES = 512 * 2**20


@register
class DeepNetwork(Model):
    """L-layer fully-connected network: ``[LINEAR -> hidden] * (L-1) -> LINEAR -> output``.

    Trained by full-batch gradient descent (the default, the first course's setting) or by
    mini-batches with momentum or Adam, learning-rate decay, L2 and dropout (the second
    course's). The output layer follows the last layer size: one unit is a sigmoid (binary
    classification), ``K >= 2`` units a softmax over ``K`` classes; ``output="identity"``
    makes a regression network (squared error).

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_x, n_1, ..., n_{L-1}, n_L]``. ``[n_x, n_h, 1]`` with ``hidden_activation="tanh"``
        is the course's shallow network; ``[n_x, 1]`` logistic regression with random
        initial weights; ``[n_x, K]`` multinomial logistic regression.
    hidden_activation : {"relu", "tanh", "sigmoid", "identity"}
    init : {"lecun", "he", "xavier", "small", "glorot"}
        Weight scale, as in ``fastnn.reference.initialize_parameters`` (``"glorot"``: uniform
        draws, as scikit-learn's MLP).
    seed : int or None
        Seed of the one ``RandomState`` stream drawing the weights (``1`` reproduces the
        course's ``np.random.seed(1)``); also the default shuffle seed and the dropout seed.
        ``None``: fresh entropy at every fit.
    learning_rate : float
        The initial learning rate (``lr_decay`` lowers it epoch by epoch).
    n_iterations : int
        Epochs: passes over the data (one iteration each in full-batch training), as
        scikit-learn's ``max_iter`` counts them for its stochastic solvers.
    record_every : int
        ``costs_`` holds the cost of epochs 0, record_every, 2 record_every, ...
    dtype : {None, "float64", "float32"}
        ``None`` keeps a float32 or float64 ``X`` as it is (anything else becomes float64).
    first_layer : {"auto", "direct", "gram"}
        How full-batch gradient descent computes the first layer's products (see Notes).
        ``"auto"`` picks ``"gram"`` with ``optimizer="gd"``, no ``batch_size``, ``l2=0`` and
        no validation, when it needs under half the floating-point work over the run and
        ``X^T X`` (float64) fits in ``GRAM_MAX_BYTES``; ``"gram"`` requires those settings.
    optimizer : {"gd", "momentum", "adam"}
        See :mod:`fastnn.optimizers` for the formulas.
    beta : float
        Momentum's averaging coefficient.
    beta1, beta2, epsilon : float
        Adam's coefficients.
    batch_size : int or None
        ``None``: full batch. Otherwise each epoch shuffles the examples and takes them
        ``batch_size`` at a time (the last batch holds the remainder).
    shuffle_seed : int or None
        Epoch ``e`` uses exactly the batches of
        ``fastnn.reference.random_mini_batches(X, Y, batch_size, seed=shuffle_seed + e)``;
        ``None``: the value of ``seed``. The course's runs (seed 10, incremented before each
        epoch) are ``shuffle_seed=11``.
    shuffle : bool
        ``False`` takes the batches in the order of the examples, every epoch.
    lr_decay : {None, "inverse", "step"}
        Learning-rate decay after each epoch (:func:`fastnn.optimizers.learning_rates`).
    decay_rate : float
    decay_interval : int
        Epochs per step of ``lr_decay="step"``.
    l2 : float
        L2 regularisation ``lambda`` (:mod:`fastnn.regularization`).
    keep_prob : float
        Inverted dropout on every hidden layer during training; 1 switches it off.
    output : {None, "sigmoid", "softmax", "identity"}
        ``None``: sigmoid for one output unit, softmax for several (:mod:`fastnn.outputs`).
    early_stopping : bool
        Hold out ``validation_fraction`` of the training set (a seeded split, stratified by
        class for classifiers) unless ``fit`` gets ``validation_data``, and stop when the
        validation cost has not improved by ``tol`` for ``n_iter_no_change`` recorded
        epochs; the model keeps the best parameters.
    validation_fraction : float
    n_iter_no_change : int
    tol : float

    Attributes
    ----------
    parameters_ : dict
        ``{"W1", "b1", ..., "WL", "bL"}``.
    costs_ : list of float
        The cost of each recorded epoch: with mini-batches the epoch's mean objective (each
        batch's loss, plus its L2 term, computed before that batch's update, weighted by the
        batch's size); in full-batch training the cost before that iteration's update.
    n_iter_ : int
        Completed epochs.
    n_steps_ : int
        Completed update steps (equal to ``n_iter_`` in full-batch training).
    learning_rates_ : list of float
        The learning rate of every completed epoch.
    validation_costs_, validation_scores_ : list of float
        With validation data: its cost (without the L2 term) and score after each recorded
        epoch.
    best_iteration_ : int or None
        With early stopping: the epoch whose parameters the model kept.
    output_ : str
        The output layer in use.
    first_layer_ : str
        ``"direct"`` or ``"gram"``.
    shuffle_seed_, dropout_seed_ : int
        The seeds the fit used.

    Notes
    -----
    Each step runs in compiled code (``fastnn.kernels.network``): matrix products through
    BLAS when large and through vectorised loops when small, bias, activation, dropout,
    output loss, ``dZ``, ``db`` and the optimizer update fused into single passes, many
    steps per call (:mod:`fastnn.training`). ``dA0`` (the gradient with respect to ``X``) is
    never computed.

    The Gram path. Gradient descent changes ``W1`` by ``-alpha dZ1 X^T`` (``dZ1`` already
    divided by ``m``), so the first layer's pre-activation follows
    ``Z1 <- Z1 - alpha dZ1 (X^T X)`` without ``W1``: an ``(n1, m) x (m, m)`` product per
    iteration instead of two ``(n1, n_x) x (n_x, m)`` ones, after computing ``G = X^T X``
    once. ``W1 = W1_0 - (sum of alpha_t dZ1_t) X^T`` is rebuilt when ``fit`` returns (or
    stops). It is the same arithmetic in exact terms; in floating point ``Z1`` and ``W1``
    differ from the direct path by rounding (the tests hold both to the reference). For
    the course's cat images (n_x = 12288, m = 209) it needs about 100x less work per
    iteration. The path's state (``G``, ``Z1``, the running sum) is float64 even for a float32
    model: in float32 the recursion's rounding accumulated over a long run. During ``fit`` (in a
    ``callback``) ``parameters_`` is not updated.
    """

    def __init__(
        self,
        layer_dims,
        hidden_activation="relu",
        init="lecun",
        seed=1,
        learning_rate=0.0075,
        n_iterations=2500,
        record_every=100,
        dtype=None,
        first_layer="auto",
        *,
        optimizer="gd",
        beta=0.9,
        beta1=0.9,
        beta2=0.999,
        epsilon=1e-8,
        batch_size=None,
        shuffle_seed=None,
        shuffle=True,
        lr_decay=None,
        decay_rate=1.0,
        decay_interval=1000,
        l2=0.0,
        keep_prob=1.0,
        output=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
    ):
        self.layer_dims = layer_dims
        self.hidden_activation = hidden_activation
        self.init = init
        self.seed = seed
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.record_every = record_every
        self.dtype = dtype
        self.first_layer = first_layer
        self.optimizer = optimizer
        self.beta = beta
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.batch_size = batch_size
        self.shuffle_seed = shuffle_seed
        self.shuffle = shuffle
        self.lr_decay = lr_decay
        self.decay_rate = decay_rate
        self.decay_interval = decay_interval
        self.l2 = l2
        self.keep_prob = keep_prob
        self.output = output
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self._check_hyperparameters()

    #: Constructor arguments, in order (model files store them all).
    _HYPERPARAMETERS = (
        "layer_dims", "hidden_activation", "init", "seed", "learning_rate", "n_iterations", "record_every",
        "first_layer", "optimizer", "beta", "beta1", "beta2", "epsilon", "batch_size", "shuffle_seed",
        "shuffle", "lr_decay", "decay_rate", "decay_interval", "l2", "keep_prob", "output",
        "early_stopping", "validation_fraction", "n_iter_no_change", "tol",
    )

    #: Every hyper-parameter's rule, in the order they are checked (``_validation.check_parameters``;
    #: the output layer, which depends on ``layer_dims``, after them, then the training rules
    #: both models share).
    _RULES = {
        "layer_dims": lambda value, name: check_layer_dims(value),
        "first_layer": Options(*FIRST_LAYER_MODES),
        "hidden_activation": Options(*HIDDEN_ACTIVATIONS),
        "init": Options(*INITS),
        "seed": Seed(),
        **OPTIMIZER_RULES,
        "batch_size": OrNone(Integer(1)),
        "shuffle_seed": Seed(),
        "shuffle": Flag(),
        **REGULARIZATION_RULES,
        "early_stopping": Flag(),
        "validation_fraction": Real(0, 1, closed="neither"),
        "n_iter_no_change": Integer(1),
        "tol": Real(0, None),
    }

    def _check_hyperparameters(self):
        """Check every hyper-parameter (``ValueError``/``TypeError`` naming it); return the
        requested dtype."""
        checked = check_parameters(self, self._RULES)
        self._dims = checked["layer_dims"]
        self._output = self._check_output()
        return self._check_training_hyperparameters()

    def _check_output(self):
        n_out = self._dims[-1]
        if self.output is None:
            return default_output(n_out)
        Options(*OUTPUTS)(self.output, "output")
        if self.output == "softmax" and n_out < 2:
            raise ValueError(
                f"output: a softmax needs at least 2 output units, got layer_dims[-1] = {n_out} "
                "(one unit: use the default sigmoid output)"
            )
        return self.output

    @property
    def _n_features(self):
        return self._dims[0]

    @property
    def _layout(self):
        return Layout(self._dims)

    def _codes(self, xmajor=0, batch=0):
        L = len(self._dims) - 1
        codes = np.zeros(KN.N_CODES, np.int64)
        codes[KN.C_L] = L
        codes[KN.C_ACT] = KC.ACTIVATIONS[self.hidden_activation]
        codes[KN.C_OUT] = output_code(self._output)
        codes[KN.C_OPT] = optimizer_code(self.optimizer)
        codes[KN.C_XMAJOR] = xmajor
        codes[KN.C_SHUFFLE] = KC.SHUFFLE_COURSE if self.shuffle else KC.SHUFFLE_NONE
        codes[KN.C_BATCH] = batch
        return codes

    def _hyper(self):
        return training.hyper_array(self.beta, self.beta1, self.beta2, self.epsilon, self.l2, self.keep_prob)

    # ------------------------------------------------------------------ training

    def fit(self, X, Y, sample_weight=None, *, validation_data=None, progress=False, callback=None,
            verbose=False):
        """Train from freshly initialised parameters.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
            One example per column; never modified (read in place when it is a C- or
            F-contiguous float array of the model's dtype, else converted once).
        Y : array_like
            Targets (see :mod:`fastnn.outputs`): ``(n_L, m)`` of 0/1 for a sigmoid output;
            ``(1, m)`` integer labels or a ``(K, m)`` one-hot matrix for a softmax;
            ``(n_L, m)`` real values for an identity output.
        sample_weight : array_like of shape (m,), optional
            Example weights: the cost becomes ``sum_i s_i loss_i / sum_i s_i`` (and the L2
            term uses ``sum_i s_i`` for ``m``).
        validation_data : tuple (X_val, Y_val), optional
            Evaluated after every recorded epoch (``validation_costs_``,
            ``validation_scores_``) and used for early stopping instead of a split.
        progress : bool
            Show a progress bar on stderr (epoch, cost, rate, validation score).
        callback : callable, optional
            ``callback(epoch, cost)`` after every completed epoch; with validation data
            ``callback(epoch, cost, validation)`` where ``validation`` is ``(cost, score)``
            at recorded epochs and ``None`` at others. Returning ``True`` stops training
            after that epoch (as early stopping does). A callback makes the compiled loop
            return to Python after every epoch (a few microseconds each).
        verbose : bool
            Print ``Cost after iteration i: ...`` (``epoch`` with mini-batches) at every
            recorded epoch, like the course.

        Returns
        -------
        self

        Raises
        ------
        FloatingPointError
            When a step's cost or update is not finite (learning rate too large); the model
            keeps the parameters of the last completed step, ``n_iter_`` and ``n_steps_``
            say how far it got, and the message names the epoch and step.
        """
        if _is_dask(X) or _is_dask(Y):
            from . import dask as fastnn_dask  # the optional extra, imported only for dask input

            return fastnn_dask.fit(self, X, Y, sample_weight=sample_weight, validation_data=validation_data,
                                   progress=progress, callback=callback, verbose=verbose)
        loop = self._start(X, Y, sample_weight, validation_data, callback, progress, verbose)
        try:
            loop.run()
        finally:
            loop.finish()
        return self

    def partial_fit(self, X, Y, sample_weight=None, *, progress=False, callback=None, verbose=False):
        """Train one more epoch on ``(X, Y)``, from the current parameters and optimizer state.

        The first call (or one on a model loaded from a file, whose optimizer state was not
        saved) starts as :meth:`fit` does, from freshly initialised parameters (loaded ones
        are kept). Epoch numbers, learning-rate decay, Adam's step count and the shuffle seed
        (``shuffle_seed + epoch``) carry on from call to call, so ``n`` calls on the same data
        train exactly as ``fit`` with ``n_iterations=n``. Validation and early stopping are
        :meth:`fit`'s; here ``costs_`` simply grows.

        Parameters
        ----------
        X, Y, sample_weight
            As for :meth:`fit`.
        progress, callback, verbose
            As for :meth:`fit`, for this epoch.

        Returns
        -------
        self
        """
        if _is_dask(X) or _is_dask(Y):
            raise TypeError("partial_fit: dask input is not supported (each call would load X into the cluster "
                            "again); use fit with n_iterations")
        if not hasattr(self, "n_iter_") or not hasattr(self, "parameters_"):
            n_iterations, self.n_iterations = self.n_iterations, 1
            try:
                loop = self._start(X, Y, sample_weight, None, callback, progress, verbose, early_stopping=False)
            finally:
                self.n_iterations = n_iterations
        else:
            dtype = self._check_hyperparameters()
            X = check_X(X, dtype=self._dtype_ if dtype is None else dtype, n_features=self._dims[0])
            if X.dtype != self._dtype_:
                raise TypeError(f"X: this model trains in {self._dtype_}, got dtype {X.dtype} (dtype={self.dtype!r})")
            Yf, Yi = check_targets(Y, self._output, self._dims[-1], X.shape[1], X.dtype)
            w = check_sample_weight(sample_weight, X.shape[1], X.dtype)
            if not hasattr(self, "shuffle_seed_"):  # loaded from a file
                seed = self.seed if self.seed is not None else int(np.random.SeedSequence().generate_state(1)[0])
                self.shuffle_seed_ = self.shuffle_seed if self.shuffle_seed is not None else seed
                self.dropout_seed_ = seed
            if not hasattr(self, "_opt_state_"):
                self._opt_state_ = None
                self.n_steps_ = getattr(self, "n_steps_", 0)
                self.learning_rates_ = getattr(self, "learning_rates_", [])
            loop = self._loop(X, Yf, Yi, w, None, 1, progress, callback, verbose)
        try:
            loop.run()
        finally:
            loop.finish()
        return self

    def _start(self, X, Y, sample_weight=None, validation_data=None, callback=None, progress=False,
               verbose=False, early_stopping=None):
        """Validate and initialise as :meth:`fit` does; return the ready training loop."""
        dtype = self._check_hyperparameters()
        X = check_X(X, dtype=dtype, n_features=self._dims[0])
        m = X.shape[1]
        Yf, Yi = check_targets(Y, self._output, self._dims[-1], m, X.dtype)
        w = check_sample_weight(sample_weight, m, X.dtype)
        rng_seed = self._reset_fitted_state(X.dtype)
        validation = self._validation_set(X, Yf, Yi, w, validation_data, rng_seed,
                                          self.early_stopping if early_stopping is None else early_stopping)
        if validation is not None and validation[0] is not None:  # a split of the training set
            X, Yf, Yi, w = validation[0]
        return self._loop(X, Yf, Yi, w, validation and validation[1], self.n_iterations, progress, callback,
                          verbose)

    def _reset_fitted_state(self, dtype):
        """Fresh fitted state for a fit in ``dtype`` (initial parameters, seeds, empty
        records); returns the seed of this fit's streams (``seed``, or fresh entropy)."""
        self._dtype_ = np.dtype(dtype)
        self.output_ = self._output
        rng_seed = self.seed if self.seed is not None else int(np.random.SeedSequence().generate_state(1)[0])
        self.parameters_ = initial_parameters(self._dims, self.init, self.seed, dtype)
        self.shuffle_seed_ = self.shuffle_seed if self.shuffle_seed is not None else rng_seed
        self.dropout_seed_ = rng_seed
        self.costs_, self.learning_rates_ = [], []
        self.n_iter_ = self.n_steps_ = 0
        self._opt_state_ = None
        return rng_seed

    def _validation_set(self, X, Yf, Yi, w, validation_data, seed, early_stopping):
        """``None``, or ``(training part or None, (X_val, Yf_val, Yi_val))``."""
        self.validation_costs_, self.validation_scores_ = [], []
        self.best_iteration_ = None
        if validation_data is not None:
            try:
                X_val, Y_val = validation_data
            except (TypeError, ValueError):
                raise TypeError(
                    f"validation_data: expected a tuple (X_val, Y_val), got {_describe(validation_data)}"
                ) from None
            X_val = check_X(X_val, dtype=X.dtype, n_features=self._dims[0], name="validation_data[0]")
            Yf_val, Yi_val = check_targets(Y_val, self._output, self._dims[-1], X_val.shape[1], X.dtype,
                                           name="validation_data[1]")
            return None, (X_val, Yf_val, Yi_val)
        if not early_stopping:
            return None
        train_idx, val_idx = _split(Yf, Yi, self._output, self.validation_fraction, seed)
        if val_idx.size == 0 or train_idx.size == 0:
            raise ValueError(
                f"validation_fraction: {self.validation_fraction} of {X.shape[1]} examples leaves "
                f"{val_idx.size} for validation and {train_idx.size} for training; both need at least one"
            )
        pick = lambda A, idx: np.ascontiguousarray(A[..., idx]) if A.size else A[..., :0]  # noqa: E731
        part = (check_X(X[:, train_idx], dtype=X.dtype), pick(Yf, train_idx), Yi[train_idx] if Yi.size else Yi,
                None if w is None else np.ascontiguousarray(w[train_idx]))
        return part, (check_X(X[:, val_idx], dtype=X.dtype), pick(Yf, val_idx), Yi[val_idx] if Yi.size else Yi)

    def _choose_first_layer(self, shape, dtype, validation=False):
        """``"direct"`` or ``"gram"`` (see the class notes). The Gram path keeps ``W1``
        implicit until the end, so it is not taken when validation needs it every epoch."""
        eligible = self.optimizer == "gd" and self.batch_size is None and self.l2 == 0 and not validation
        if self.first_layer == "gram":
            if not eligible:
                raise ValueError(
                    "first_layer: 'gram' trains the first layer by full-batch gradient descent only "
                    f"(optimizer='gd', batch_size=None, l2=0, no validation or early stopping); got "
                    f"optimizer={self.optimizer!r}, batch_size={self.batch_size!r}, l2={self.l2!r}, "
                    f"early_stopping={self.early_stopping!r}"
                )
            return "gram"
        if self.first_layer == "direct" or not eligible:
            return "direct"
        n_x, m = shape
        n1 = self._dims[1]
        direct = self.n_iterations * 4.0 * n1 * n_x * m
        gram = 2.0 * n_x * m * m + self.n_iterations * 2.0 * n1 * m * m + 2.0 * n1 * n_x * m
        # The Gram state is float64 for either dtype (in float32 the recursion's rounding
        # drifted: course cat run final cost 0.08792 against 0.08842 direct, test accuracy 0.78
        # against 0.80); G is m x m float64.
        small_enough = m * m * 8 <= GRAM_MAX_BYTES
        return "gram" if small_enough and gram < 0.5 * direct else "direct"

    def _loop(self, X, Yf, Yi, w, validation, n_epochs, progress, callback, verbose):
        """The training loop for ``n_epochs`` more epochs from the current parameters and
        optimizer state; its ``finish()`` gives the model the result."""
        layout = self._layout
        data = training.Data(X, Yf, Yi, w, n1=self._dims[1])
        batch = 0 if self.batch_size is None else min(int(self.batch_size), data.m)
        codes = self._codes(data.xmajor, batch)
        P = layout.flatten(self.parameters_, X.dtype)
        self.first_layer_ = (self._choose_first_layer(X.shape, X.dtype, validation is not None)
                             if self.n_iter_ == 0 and n_epochs > 1 else "direct")
        gram = None
        if self.first_layer_ == "gram":  # float64 state for either dtype (class notes)
            gram = _gram_start(self.parameters_["W1"], X)
            layout.segments[0, 2] = 2  # W1 is updated through Z1 on this path
        opt = self._opt_state_
        state = training.TrainingState(layout, P, codes, state_arrays(self.optimizer),
                                       None if opt is None else opt[0], None if opt is None else opt[1],
                                       batch or data.m, data.m, data.n_x, self.keep_prob < 1, gram)
        s = state.istate
        s[KN.I_T] = 0 if opt is None else opt[2]
        s[KN.I_EPOCH] = self.n_iter_
        s[KN.I_SEED] = self.shuffle_seed_
        s[KN.I_DSEED] = self.dropout_seed_
        lrs = learning_rates(float(self.learning_rate), n_epochs, self.lr_decay, float(self.decay_rate),
                             int(self.decay_interval), first=self.n_iter_)
        loop = training.Loop(state, data, self._hyper(), lrs, self.record_every, progress=progress,
                             verbose=verbose, first_epoch=self.n_iter_, describe_epoch="epoch" if batch else "iteration")
        loop.on_epoch, loop.wants, tracker = self._epoch_hook(layout, codes, state, validation, callback, loop)
        start_steps = int(s[KN.I_T])
        loop.finish = lambda: self._finish(layout, state, loop, lrs, gram is not None, X, start_steps, tracker)
        return loop

    def _epoch_hook(self, layout, codes, state, validation, callback, loop):
        """``(on_epoch, wants, tracker)`` for the loop: validation (shown by the progress bar),
        early stopping, callback."""
        if validation is None and callback is None:
            return None, None, None
        tracker = _Tracker(self, layout, codes, state, validation)

        def on_epoch(epoch, cost):
            stop, result = tracker.epoch(epoch) if validation is not None else (False, None)
            if result is not None:
                loop.status = f" val cost {result[0]:.4f} score {result[1]:.4f}"
            if callback is not None:
                asked = callback(epoch, cost, result) if validation is not None else callback(epoch, cost)
                stop = stop or asked is True
            return stop

        wants = None if callback is not None else (lambda e: e % self.record_every == 0)
        return on_epoch, wants, tracker

    def _finish(self, layout, state, loop, lrs, gram, X, start_steps, tracker):
        """Give the model the state of the last completed step (also after an error)."""
        P = np.array(state.parameters())
        params = layout.views(P)
        if gram:  # W1 = W1_0 - S X^T, in float64
            W1 = params["W1"]
            W1[...] = W1.astype(np.float64) - _times_rows(state.gram_S(), X)
        if tracker is not None and tracker.best is not None:
            params = layout.views(tracker.best)
            self.best_iteration_ = tracker.best_epoch
        self.parameters_ = params
        V, S = state.optimizer_state()
        self._opt_state_ = (V.copy(), S.copy(), int(state.istate[KN.I_T]))
        done = int(state.istate[KN.I_EPOCH])
        self.costs_.extend(loop.recorded_costs())  # extend: partial_fit must not copy the history
        self.learning_rates_.extend(lrs[:done - self.n_iter_].tolist())
        self.n_steps_ = self.n_steps_ + int(state.istate[KN.I_T]) - start_steps
        self.n_iter_ = done

    # ---------------------------------------------------------------- inspection

    def _flat(self):
        return self._layout.flatten(self.parameters_, self._dtype_)

    def _output_of(self, X):
        """The output layer's activations ``(n_L, m)`` for a validated ``X``."""
        return training.predict(self._layout, self._codes(), self._flat(), X)

    def _validated_XY(self, X, Y, sample_weight=None):
        self._check_fitted()
        X = self._validated_X(X)
        Yf, Yi = check_targets(Y, self._output, self._dims[-1], X.shape[1], X.dtype)
        return X, Yf, Yi, check_sample_weight(sample_weight, X.shape[1], X.dtype)

    def predict_proba(self, X):
        """Output probabilities: ``(n_L, m)``, sigmoid outputs, or softmax columns summing to 1.

        Parameters
        ----------
        X : array_like, shape (n_x, m)

        Returns
        -------
        ndarray, shape (n_L, m)
            In the model's dtype.
        """
        self._check_fitted()
        if self._output == "identity":
            raise AttributeError("predict_proba: a regression network (output='identity') has no "
                                 "probabilities; use predict")
        if _is_dask(X):
            from . import dask as fastnn_dask

            return fastnn_dask.predict_proba(self, X)
        return self._output_of(self._validated_X(X))

    def predict(self, X):
        """Predictions: 0/1 per sigmoid unit (``> 0.5``), the class label (arg-max) of a
        softmax ``(1, m)``, or the values of an identity output.

        Parameters
        ----------
        X : array_like, shape (n_x, m)

        Returns
        -------
        ndarray
            int64 ``(n_L, m)`` / ``(1, m)`` for classifiers; ``(n_L, m)`` in the model's dtype
            for regression.
        """
        self._check_fitted()
        if _is_dask(X):
            from . import dask as fastnn_dask

            return fastnn_dask.predict(self, X)
        return predictions(self._output, self._output_of(self._validated_X(X)))

    def score(self, X, Y, sample_weight=None):
        """Accuracy for classifiers (the fraction of examples predicted right), the
        coefficient of determination R^2 for regression.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like
            Targets as for :meth:`fit`.
        sample_weight : array_like of shape (m,), optional

        Returns
        -------
        float
        """
        if _is_dask(X) or _is_dask(Y):
            from . import dask as fastnn_dask

            return fastnn_dask.score(self, X, Y, sample_weight)
        X, Yf, Yi, w = self._validated_XY(X, Y, sample_weight)
        return score(self._output, self._output_of(X), Yf, Yi, w)

    def _loss_and_gradients(self, P, X, Yf, Yi, w):
        """``(mean loss, flat gradients of it, total weight)`` at the flat parameters ``P``."""
        data = training.Data(X, Yf, Yi, w, n1=self._dims[1])
        codes = self._codes(data.xmajor)
        loss, G = training.loss_and_gradients(self._layout, codes, P, data, 1.0 / data.total_weight)
        return loss / data.total_weight, G, data.total_weight

    def _cost_at(self, P, X, Yf, Yi, w):
        """The objective (:meth:`cost`) at the flat parameters ``P`` for validated data."""
        cost, _, total = self._loss_and_gradients(P, X, Yf, Yi, w)
        if self.l2:
            norm = sum(float(np.sum(np.square(P[s:e], dtype=np.float64))) for s, e in self._layout.weight_segments())
            cost += 0.5 * self.l2 / total * norm
        return float(cost)

    def cost(self, X, Y, sample_weight=None):
        """The training objective at the current parameters: the mean loss (weighted by
        ``sample_weight``) plus the L2 term ``l2 / (2 m) sum ||W||^2``.

        Computed from the output logits, so it stays finite when the output saturates.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like
            Targets as for :meth:`fit`.
        sample_weight : array_like of shape (m,), optional

        Returns
        -------
        float
        """
        if _is_dask(X) or _is_dask(Y):
            from . import dask as fastnn_dask

            return fastnn_dask.cost(self, X, Y, sample_weight)
        X, Yf, Yi, w = self._validated_XY(X, Y, sample_weight)
        return self._cost_at(self._flat(), X, Yf, Yi, w)

    def gradients(self, X, Y, sample_weight=None):
        """Gradients of :meth:`cost` at the current parameters, without updating them.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like
            Targets as for :meth:`fit`.
        sample_weight : array_like of shape (m,), optional

        Returns
        -------
        dict
            ``{"dW1", "db1", ..., "dWL", "dbL"}``, new arrays in the model's dtype (the L2
            gradient ``l2 / m * W`` included).
        """
        if _is_dask(X) or _is_dask(Y):
            from . import dask as fastnn_dask

            return fastnn_dask.gradients(self, X, Y, sample_weight)
        X, Yf, Yi, w = self._validated_XY(X, Y, sample_weight)
        P = self._flat()
        _, G, total = self._loss_and_gradients(P, X, Yf, Yi, w)
        if self.l2:
            coef = G.dtype.type(self.l2 / total)
            for s, e in self._layout.weight_segments():
                G[s:e] += coef * P[s:e]
        return self._layout.views(G, prefix="d")

    def _check_fitted(self):
        if not hasattr(self, "parameters_"):
            raise RuntimeError("this DeepNetwork is not fitted yet: call fit(X, Y) or fastnn.load(path) first")

    # ----------------------------------------------------------------- model files

    def save(self, path):
        """Write the model to ``path`` (see :mod:`fastnn.io`); atomic: a failed write
        leaves any previous file intact.

        Parameters
        ----------
        path : str or os.PathLike
        """
        _save(self, path)

    def _file_contents(self):
        """Hyper-parameters and arrays for a model file (see :mod:`fastnn.io`)."""
        hyper = {name: getattr(self, name) for name in self._HYPERPARAMETERS}
        hyper["layer_dims"] = list(self._dims)
        return hyper, dict(self.parameters_)

    @classmethod
    def _from_file(cls, hyperparameters, arrays, dtype):
        """A model rebuilt from a file's hyper-parameters and arrays (see :mod:`fastnn.io`);
        a version-1 file lacks the hyper-parameters added since, which take their defaults."""
        model = cls(dtype=dtype.name, **hyperparameters)
        dims = model._dims
        params = {}
        for l in range(1, len(dims)):
            params[f"W{l}"] = check_finite_array(arrays, f"W{l}", (dims[l], dims[l - 1]), dtype)
            params[f"b{l}"] = check_finite_array(arrays, f"b{l}", (dims[l], 1), dtype)
        model.parameters_ = params
        model.output_ = model._output
        return model


class _Tracker:
    """Validation after recorded epochs, and early stopping's bookkeeping."""

    def __init__(self, model, layout, codes, state, validation):
        self.model, self.layout, self.codes, self.state = model, layout, codes, state
        self.validation = validation
        self.best = None
        self.best_epoch = None
        self.best_cost = np.inf
        self.no_improvement = 0

    def epoch(self, epoch):
        """Evaluate after ``epoch`` when it is a recorded one; ``(stop, (cost, score) or None)``."""
        model = self.model
        if epoch % model.record_every != 0:
            return False, None
        X, Yf, Yi = self.validation
        P = self.state.parameters()
        data = training.Data(X, Yf, Yi, None, n1=self.layout.dims[1])
        codes = self.codes.copy()
        codes[KN.C_XMAJOR] = data.xmajor
        loss, _ = training.loss_and_gradients(self.layout, codes, P, data, 1.0)
        cost = loss / data.m
        A = training.predict(self.layout, codes, P, X)
        value = score(model._output, A, Yf, Yi)
        model.validation_costs_.append(cost)
        model.validation_scores_.append(value)
        if not model.early_stopping:
            return False, (cost, value)
        if cost < self.best_cost - model.tol:
            self.no_improvement = 0
        else:
            self.no_improvement += 1
        if cost < self.best_cost:
            self.best_cost = cost
            self.best_epoch = epoch
            self.best = np.array(P)
        return self.no_improvement >= model.n_iter_no_change, (cost, value)


#: A float32 X is widened to float64 on the Gram path a block of rows at a time (no float64
#: copy of X): at least this many rows, and as many as make a block of 2**23 values (64 MiB).
_GRAM_BLOCK = 512


def _row_blocks(X, rows_per_block=_GRAM_BLOCK):
    """``(rows, block as float64)`` over blocks of ``X``'s rows (``X`` itself when float64)."""
    if X.dtype == np.float64:
        yield slice(None), X
        return
    for i in range(0, X.shape[0], rows_per_block):
        rows = slice(i, i + rows_per_block)
        yield rows, X[rows].astype(np.float64)


def _gram_start(W1, X):
    """``(W1 X, X^T X)`` in float64 (C-ordered), from row blocks of a float32 ``X``.

    float64: NumPy's ``X.T @ X`` (a symmetric rank-k update). float32: the blocks' rank-k
    updates accumulate in place into one triangle of ``G`` (BLAS ``dsyrk``: half the
    arithmetic of a product, and no (m, m) temporary per block), then the triangle is
    mirrored. At m = 8192 (the cat images' 12288 features) 21 s became 9 s on 2 cores.
    """
    n_x, m = X.shape
    if X.dtype == np.float64:
        return np.dot(W1, X), np.dot(X.T, X)
    from scipy.linalg.blas import dsyrk  # SciPy is loaded already: the kernels call its BLAS

    Z1 = np.zeros((W1.shape[0], m))
    G = np.zeros((m, m), order="F")
    for rows, B in _row_blocks(X, max(_GRAM_BLOCK, 2**23 // max(m, 1))):
        Z1 += np.dot(W1[:, rows].astype(np.float64), B)
        # G += B^T B, upper triangle of the F-ordered G (B.T is F-ordered: no copy)
        dsyrk(1.0, B.T, beta=1.0, c=G, trans=0, lower=0, overwrite_c=1)
    G = G.T  # C-ordered: its lower triangle holds the sums
    for j0 in range(0, m, 1024):  # mirror it, a block of columns at a time
        j1 = min(m, j0 + 1024)
        G[j0:j1, j1:] = G[j1:, j0:j1].T
        block = G[j0:j1, j0:j1]
        upper = np.triu_indices(j1 - j0, 1)
        block[upper] = block.T[upper]
    return Z1, G


def _times_rows(S, X):
    """``S X^T`` in float64 (``S`` float64 ``(n1, m)``), from row blocks of ``X``."""
    out = np.empty((S.shape[0], X.shape[0]))
    for rows, B in _row_blocks(X):
        out[:, rows] = np.dot(S, B.T)
    return out


def _is_dask(value):
    """True for a dask collection (checked by type, without importing dask)."""
    return type(value).__module__.split(".")[0] == "dask"



def _split(Yf, Yi, output, fraction, seed):
    """``(train, validation)`` example indices: a seeded split, stratified by class for
    classifiers (each class gives ``round(fraction * its count)`` examples, at least one
    when it has two or more)."""
    rng = np.random.RandomState(seed)
    m = Yi.size if output == "softmax" else Yf.shape[1]
    if output == "identity":
        perm = rng.permutation(m)
        n_val = int(round(fraction * m))
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])
    if output == "softmax":
        labels = Yi
    else:  # one label row, or several (a label set per example)
        labels = Yf[0] if Yf.shape[0] == 1 else np.unique(Yf, axis=1, return_inverse=True)[1].ravel()
    val = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        k = int(round(fraction * idx.size))
        if idx.size >= 2:
            k = min(max(k, 1), idx.size - 1)
        val.append(rng.permutation(idx)[:k])
    val = np.sort(np.concatenate(val)) if val else np.zeros(0, np.int64)
    train = np.setdiff1d(np.arange(m), val)
    return train, val

