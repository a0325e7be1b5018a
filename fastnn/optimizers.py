"""Optimizers and learning-rate schedules of ``DeepNetwork``.

The update rules themselves are compiled (``fastnn.kernels.optimizers``: one fused pass over
each parameter and its state); this module holds their names, their hyper-parameters'
checks, the state they need, and the learning rate of every epoch.

Optimizers (the course's formulas; ``g`` is the gradient, L2 included)

- ``"gd"``:       ``W -= lr * g``
- ``"momentum"``: ``v = beta * v + (1 - beta) * g``;  ``W -= lr * v``
- ``"adam"``:     ``v = beta1 v + (1 - beta1) g``, ``s = beta2 s + (1 - beta2) g**2``,
  ``W -= lr * v_hat / (sqrt(s_hat) + epsilon)`` with ``v_hat = v / (1 - beta1**t)``,
  ``s_hat = s / (1 - beta2**t)`` and ``t`` the number of steps taken, from 1.

Learning-rate decay (``lr_decay``), after each epoch as the course's notebooks do: epoch
``e`` (from 0) trains with ``lr0`` when ``e == 0`` and otherwise with

- ``"inverse"``: ``lr0 / (1 + decay_rate * (e - 1))``                    (``update_lr``)
- ``"step"``:    ``lr0 / (1 + decay_rate * floor((e - 1) / decay_interval))``
  (``schedule_lr_decay``)
"""


import numpy as np

from ._validation import Integer, Options, OrNone, Real
from .kernels import codes as KC

#: The optimizers a ``DeepNetwork`` offers (the kernels also have scikit-learn's forms).
OPTIMIZERS = ("gd", "momentum", "adam")
#: Learning-rate decay names (``None``: constant).
DECAYS = ("inverse", "step")


def optimizer_code(name):
    """Kernel code of an optimizer name (``kernels/codes.py``)."""
    return KC.OPTIMIZERS[name]


def state_arrays(name):
    """How many state vectors (like the parameters) the optimizer keeps: 0, 1 or 2."""
    code = KC.OPTIMIZERS[name]
    return int(code in KC.WITH_V) + int(code in KC.WITH_S)


#: The optimizer hyper-parameters' rules (see ``_validation.check_parameters``).
OPTIMIZER_RULES = {
    "optimizer": Options(*OPTIMIZERS),
    "beta": Real(0, 1, closed="left"),
    "beta1": Real(0, 1, closed="left"),
    "beta2": Real(0, 1, closed="left"),
    "epsilon": Real(0, None, closed="neither"),
    "lr_decay": OrNone(Options(*DECAYS)),
    "decay_rate": Real(0, None),
    "decay_interval": Integer(1),
}


def learning_rates(lr0, n_epochs, lr_decay=None, decay_rate=1.0, decay_interval=1000, first=0):
    """The learning rate of each epoch ``first .. first+n_epochs-1`` (float64 array).

    Written exactly as ``fastnn.reference.update_lr`` / ``schedule_lr_decay`` (in Python
    floats) so that the compiled loop and the reference use the same rates bit for bit.
    """
    lr0 = float(lr0)
    if lr_decay is None:
        return np.full(n_epochs, lr0, np.float64)
    # Element-wise float64 operations: each rate rounds as the Python expression does.
    # Epoch 0 runs at lr0 (its formula, e - 1 = -1, could divide by zero).
    e = np.maximum(first + np.arange(n_epochs, dtype=np.int64), 1)
    if lr_decay == "inverse":
        rates = lr0 / (1 + decay_rate * (e - 1).astype(np.float64))
    else:
        rates = lr0 / (1 + decay_rate * np.floor((e - 1) / decay_interval))
    if first == 0 and n_epochs > 0:
        rates[0] = lr0
    return rates
