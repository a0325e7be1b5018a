"""fastnn: fast CPU training of logistic regression and deep fully-connected networks.

The models (:class:`LogisticRegression`, :class:`DeepNetwork`) validate their input and run
Numba-compiled kernels (:mod:`fastnn.kernels`) in the order of the classic derivation;
:mod:`fastnn.reference` is the plain NumPy oracle the test suite holds them to.

Examples are the columns of ``X`` (shape ``(n_x, m)``); labels ``Y`` are ``(1, m)``.

Examples
--------
The first course's shallow network on its planar "flower" data set:

>>> import fastnn
>>> from fastnn.datasets import load_planar
>>> X, Y = load_planar()
>>> X.shape, Y.shape
((2, 400), (1, 400))
>>> net = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", init="small", seed=2,
...                          learning_rate=1.2, n_iterations=10000).fit(X, Y)
>>> net.score(X, Y) > 0.89
True
>>> net.predict(X).shape
(1, 400)
"""

from ._version import __version__  # noqa: E402

from .gradcheck import gradient_check  # noqa: E402
from .io import load, save  # noqa: E402
from .logistic import LogisticRegression  # noqa: E402
from .network import DeepNetwork  # noqa: E402

__all__ = ["DeepNetwork", "LogisticRegression", "gradient_check", "load", "save", "__version__"]
