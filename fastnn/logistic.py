"""``LogisticRegression``: the derivation's per-example loop as one parallel pass over X."""

import numpy as np

from . import kernels as K
from .kernels._config import LOGISTIC_PARALLEL_MIN_ELEMENTS
from ._base import BinaryClassifier, StepLoop
from ._threads import kernel_guard
from ._validation import Flag, check_parameters, check_X, check_Y
from .io import register
from .io import save as _save


#: A C-ordered X of at most this many elements is copied to example order (see ``fit``).
SMALL_COPY = 2**20


@register
class LogisticRegression(BinaryClassifier):
    """Binary logistic regression trained by gradient descent from zero weights.

    For several classes, ``DeepNetwork([n_x, K])`` is multinomial logistic regression (a
    softmax over ``K`` classes, trained with any of its optimizers).

    Parameters
    ----------
    learning_rate : float
    n_iterations : int
    record_every : int
        ``costs_`` holds the cost at iterations 0, record_every, 2 record_every, ...
    dtype : {None, "float64", "float32"}
        ``None`` keeps a float32 or float64 ``X`` as it is (anything else becomes float64).
    copy_X : bool
        The fastest step reads ``X`` example by example, as an F-ordered ``X`` (e.g.
        ``images.reshape(m, -1).T``, or ``data.T`` of a sample-major array) lays it out. A
        C-ordered ``X`` of more than ``SMALL_COPY`` (2**20) elements is read in place by a
        feature-major step (2-4 times slower per step; the result differs from the other
        layout's in the summation order only) unless ``copy_X=True``, which copies it once per
        fit into example order: one more ``X`` in memory for the faster steps. A smaller ``X``
        is always copied (at most 8 MB). Never a hidden copy of a large ``X``.

    Attributes
    ----------
    w_ : ndarray, shape (n_x, 1)
    b_ : float
    costs_ : list of float
        Recorded costs, each computed before that iteration's update.
    n_iter_ : int
        Completed iterations.

    Notes
    -----
    Every iteration is one call of ``fastnn.kernels.logistic_step_examples`` (or, for a
    C-ordered ``X`` without ``copy_X``, ``logistic_step_features``): ``z``, ``a``, the cost,
    ``dz``, ``dw`` and ``db`` in a single pass over ``X``, bit-identical at any thread count.

    Examples
    --------
    >>> from fastnn import LogisticRegression
    >>> from fastnn.datasets import load_planar
    >>> X, Y = load_planar()
    >>> clf = LogisticRegression(learning_rate=0.1, n_iterations=2000).fit(X, Y)
    >>> clf.w_.shape, len(clf.costs_)
    ((2, 1), 20)
    >>> round(clf.score(X, Y), 2)  # a straight boundary cannot separate the flower's petals
    0.47
    """

    def __init__(self, learning_rate=0.005, n_iterations=2000, record_every=100, dtype=None, copy_X=False):
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.record_every = record_every
        self.dtype = dtype
        self.copy_X = copy_X
        self._check_hyperparameters()

    #: The rules of the hyper-parameters not shared with DeepNetwork (``_validation.check_parameters``).
    _RULES = {"copy_X": Flag()}

    def _check_hyperparameters(self):
        check_parameters(self, self._RULES)
        return self._check_training_hyperparameters()

    @property
    def _n_features(self):
        return self.w_.shape[0]

    def fit(self, X, Y, *, progress=False, callback=None, verbose=False):
        """Train from ``w = 0``, ``b = 0``.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
            One example per column; never modified. Read in place when it is a C- or
            F-contiguous float array of the model's dtype, else converted once.
        Y : array_like, shape (1, m)
            Labels 0/1 (bool or any real dtype).
        progress : bool
            Show a progress bar on stderr.
        callback : callable, optional
            ``callback(iteration, cost)`` after every completed iteration.
        verbose : bool
            Print ``Cost after iteration i: ...`` at every recorded cost.

        Returns
        -------
        self

        Raises
        ------
        FloatingPointError
            When the cost or an update stops being finite; the model keeps the last finite
            parameters.
        """
        loop = self._start(X, Y)
        try:
            return loop.run(progress, callback, verbose)
        finally:
            loop.finish()

    def _start(self, X, Y):
        """Validate and initialise as :meth:`fit` does; return the ready :class:`StepLoop`."""
        dtype = self._check_hyperparameters()
        X = check_X(X, dtype=dtype)
        n_x, m = X.shape
        Y = check_Y(Y, m, X.dtype)
        self._dtype_ = X.dtype
        self.w_ = np.zeros((n_x, 1), dtype=X.dtype)
        self.b_ = 0.0
        # X.T of an F-ordered X is a C-contiguous (m, n_x) view: the example-major kernel reads
        # it in place. A C-ordered X is read in place by the feature-major kernel (no second X
        # in memory), unless copy_X asks for one example-major copy per fit (the faster kernel,
        # 2.3-4.7x per step in benchmarks/logistic_step.py, for one more X of memory), or X is
        # small (at most SMALL_COPY elements, 8 MB in float64): then the copy is nothing next
        # to the model, and every layout of the same data gives the same bits.
        if X.flags.f_contiguous or self.copy_X or X.size <= SMALL_COPY:
            step, self._X = K.logistic_step_examples, np.asfortranarray(X).T
        else:
            step, self._X = K.logistic_step_features, X
        # Small problems run the serial variant: a parallel region costs more than the work.
        self._step_kernel = step.serial if X.size < LOGISTIC_PARALLEL_MIN_ELEMENTS else step
        n_chunks = K.logistic_n_chunks(m)
        self._partial_dw = np.empty((n_chunks, n_x), dtype=np.float64)
        self._partial_sums = np.empty((n_chunks, 2), dtype=np.float64)
        self._dw = np.empty((n_x, 1), dtype=X.dtype)
        self._w_next = np.empty_like(self.w_)
        self._Y = Y
        self.costs_ = []
        self.n_iter_ = 0
        return StepLoop(self)

    def _release(self):
        """Drop the fit's buffers and the references to the caller's data."""
        del self._X, self._Y, self._partial_dw, self._partial_sums, self._dw, self._w_next

    def _step(self, i):
        with kernel_guard(), np.errstate(over="ignore", invalid="ignore"):
            cost, db = self._step_kernel(
                self._X, self.w_, self.b_, self._Y, self._partial_dw, self._partial_sums, self._dw
            )
            ok = K.choose(K.sgd_step, self.w_.size)(self.w_, self._dw, self.learning_rate, self._w_next)
        self._b_next = self.b_ - self.learning_rate * db
        return cost, ok and np.isfinite(self._b_next)

    def _commit(self, n):
        self._w_next, self.w_, self.b_ = self.w_, self._w_next, self._b_next
        return n

    def _predict_proba(self, X):
        Z = np.dot(self.w_.T, X)
        with kernel_guard():
            K.choose(K.bias_sigmoid, Z.size)(Z, np.full((1, 1), self.b_, dtype=Z.dtype), Z)
        return Z

    def _check_fitted(self):
        if not hasattr(self, "w_"):
            raise RuntimeError("this LogisticRegression is not fitted yet: call fit(X, Y) or fastnn.load(path) first")

    def save(self, path):
        """Write the model to ``path`` (see :mod:`fastnn.io`); atomic.

        Parameters
        ----------
        path : str or os.PathLike
        """
        _save(self, path)

    def _file_contents(self):
        """Hyper-parameters and arrays for a model file (see :mod:`fastnn.io`)."""
        hyper = {"learning_rate": self.learning_rate, "n_iterations": self.n_iterations,
                 "record_every": self.record_every, "copy_X": bool(self.copy_X)}
        return hyper, {"w": self.w_, "b": np.array(self.b_, dtype=np.float64)}

    @classmethod
    def _from_file(cls, hyperparameters, arrays, dtype):
        """A model rebuilt from a file's hyper-parameters and arrays (see :mod:`fastnn.io`)."""
        model = cls(dtype=dtype.name, **hyperparameters)
        w, b = arrays.pop("w"), arrays.pop("b")
        if w.ndim != 2 or w.shape[1] != 1 or w.shape[0] < 1 or w.dtype != dtype or b.shape != ():
            raise ValueError(f"w has shape {w.shape} and dtype {w.dtype}, b shape {b.shape}")
        if not (np.isfinite(w).all() and np.isfinite(b)):
            raise ValueError("w or b contains NaN or inf")
        model.w_ = np.ascontiguousarray(w)
        model.b_ = float(b)
        return model
