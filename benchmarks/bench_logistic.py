"""One logistic-regression gradient step (cost, ``dw``, ``db`` and the update).

fastnn: ``LogisticRegression``'s own training iteration (``logistic_step_examples`` on the
F-contiguous ``X`` the images give, then ``sgd_step``).  Reference: ``logistic_propagate``
then ``w - alpha dw``.  ``X`` is larger than the last-level cache, so both are memory-bound:
the floor is one read of ``X`` (``compare.py`` prints it)."""

from . import ReferenceLogistic, fastnn_logistic, logistic_data, one_iteration, shape_of


class LogisticStep:
    params = (["12288x2000", "1000x20000"], ["float64", "float32"], ["fastnn", "reference"])
    param_names = ["shape", "dtype", "impl"]

    def setup(self, shape, dtype, impl):
        X, Y = logistic_data(*shape_of(shape), dtype)
        if impl == "fastnn":
            model = fastnn_logistic(X, Y)
            self.step = lambda: one_iteration(model)
        else:
            self.step = ReferenceLogistic(X, Y).step
        self.step()  # compile / load from cache

    def time_step(self, *params):
        self.step()
