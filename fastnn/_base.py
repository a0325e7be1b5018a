"""What the models share: hyper-parameter and fitted-state checks (:class:`Model`), and for
the binary :class:`~fastnn.LogisticRegression` prediction, scoring and its gradient-descent
driver (:class:`BinaryClassifier`)."""

import math

import numpy as np

from ._progress import ProgressBar
from ._validation import TRAINING_RULES, check_dtype, check_parameters, check_X, check_Y


class Model:
    """Checks every fastnn model shares."""

    def _check_training_hyperparameters(self):
        """Checks both models share; returns the requested dtype (or None)."""
        check_parameters(self, TRAINING_RULES)
        return check_dtype(self.dtype)

    def _check_fitted(self):
        if not hasattr(self, "n_iter_"):
            raise RuntimeError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, Y) or fastnn.load(path) first"
            )

    def _validated_X(self, X):
        return check_X(X, dtype=self._dtype_, n_features=self._n_features)


class BinaryClassifier(Model):
    """Base of ``LogisticRegression``: ``predict``, ``score`` and the training loop.

    Subclasses provide ``_n_features``, ``_predict_proba(X)`` on a validated ``X``, and for
    training ``_prepare(X, Y)`` and ``_step(i) -> (cost, ok)`` which computes the cost and
    gradients at the current parameters, writes the updated ones to spare buffers and
    returns whether they are all finite, then ``_commit(n)`` which makes them current (a
    reference swap, nothing that can be interrupted half-way) and returns ``n``.
    """

    def _validated_XY(self, X, Y):
        """A fitted model's checks for ``(X, Y)``: ``X`` in its dtype, ``Y`` as ``(1, m)``."""
        self._check_fitted()
        X = self._validated_X(X)
        return X, check_Y(Y, X.shape[1], X.dtype)

    def predict_proba(self, X):
        """Probability of class 1 for every example.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
            One example per column.

        Returns
        -------
        ndarray, shape (1, m)
            In the model's dtype.
        """
        self._check_fitted()
        return self._predict_proba(self._validated_X(X))

    def predict(self, X):
        """Class predictions: 1 where the probability is > 0.5, else 0.

        Parameters
        ----------
        X : array_like, shape (n_x, m)

        Returns
        -------
        ndarray of int64, shape (1, m)
        """
        return (self.predict_proba(X) > 0.5).astype(np.int64)

    def score(self, X, Y):
        """Accuracy: the fraction of examples whose prediction equals the label.

        Parameters
        ----------
        X : array_like, shape (n_x, m)
        Y : array_like, shape (1, m) of 0/1

        Returns
        -------
        float
            In [0, 1] (the course prints 100 times this as a percentage).
        """
        X, Y = self._validated_XY(X, Y)
        return float(np.mean((self._predict_proba(X) > 0.5) == Y))

    def _run(self, n_iterations, record_every, progress, callback, verbose):
        """Run ``n_iterations`` gradient-descent steps, recording ``costs_`` and ``n_iter_``.

        The cost of iteration ``i`` is that of the parameters before its update; it is
        recorded when ``i % record_every == 0``. A non-finite cost or update stops the run
        with ``FloatingPointError`` and keeps the last finite parameters; a
        ``KeyboardInterrupt`` keeps the parameters of the last completed iteration. Either
        way ``n_iter_`` counts the completed iterations.
        """
        self.costs_ = []
        self.n_iter_ = 0
        bar = ProgressBar(n_iterations) if progress else None
        cost = math.nan
        try:
            for i in range(n_iterations):
                cost, ok = self._step(i)
                if not math.isfinite(cost):
                    raise FloatingPointError(
                        f"fit diverged: the cost at iteration {i} is {cost}; the model keeps the "
                        f"parameters after iteration {i - 1} (n_iter_={i}). Lower learning_rate "
                        f"(now {self.learning_rate})."
                    )
                if not ok:
                    raise FloatingPointError(
                        f"fit diverged: the update of iteration {i} is not finite (cost {cost}); "
                        f"the model keeps the parameters before it (n_iter_={i}). Lower "
                        f"learning_rate (now {self.learning_rate})."
                    )
                if i % record_every == 0:
                    self.costs_.append(cost)
                    if verbose:
                        print(f"Cost after iteration {i}: {cost:f}")
                # One statement, no call between the swap and the count: an interrupt
                # leaves parameters and n_iter_ consistent.
                self.n_iter_ = self._commit(i + 1)
                if callback is not None:
                    callback(i, cost)
                if bar is not None:
                    bar.update(i + 1, cost)
        finally:
            if bar is not None:
                bar.update(self.n_iter_, cost, force=True)
                bar.close()
        return self


class StepLoop:
    """The iterations of a prepared :class:`BinaryClassifier`, one call each: ``run`` trains
    as ``fit`` does, ``steps(n)`` runs ``n`` iterations (what a benchmark times), ``finish``
    releases the fit's buffers. (``fastnn.training.start`` returns one.)"""

    def __init__(self, model):
        self.model = model

    def run(self, progress=False, callback=None, verbose=False):
        model = self.model
        return model._run(model.n_iterations, model.record_every, progress, callback, verbose)

    def steps(self, n):
        model = self.model
        cost = math.nan
        for _ in range(n):
            cost, ok = model._step(model.n_iter_)
            model.n_iter_ = model._commit(model.n_iter_ + 1)
        return cost

    def finish(self):
        self.model._release()
