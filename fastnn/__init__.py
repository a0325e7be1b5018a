"""fastnn: fast CPU training of logistic regression and deep fully-connected networks.

The models (:class:`LogisticRegression`, :class:`DeepNetwork`) validate their input and run
Numba-compiled kernels (:mod:`fastnn.kernels`) in the order of the classic derivation;
:mod:`fastnn.reference` is the plain NumPy oracle the test suite holds them to.

Examples are the columns of ``X`` (shape ``(n_x, m)``); labels ``Y`` are ``(1, m)``.
"""

from ._version import __version__  # noqa: E402

from .gradcheck import gradient_check  # noqa: E402
from .io import load, save  # noqa: E402
from .logistic import LogisticRegression  # noqa: E402
from .network import DeepNetwork  # noqa: E402

__all__ = ["DeepNetwork", "LogisticRegression", "gradient_check", "load", "save", "__version__"]
