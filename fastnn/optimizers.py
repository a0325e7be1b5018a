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

import math
import numbers

import numpy as np

from ._validation import _describe, check_choice, check_int, check_positive_float
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


def _check_fraction(value, name, *, closed_low=True, closed_high=False):
    """A real number in [0, 1) (or as the flags say), not a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number in [0, 1), got {_describe(value)}")
    value = float(value)
    low_ok = value >= 0 if closed_low else value > 0
    high_ok = value <= 1 if closed_high else value < 1
    if not (math.isfinite(value) and low_ok and high_ok):
        lo, hi = "[" if closed_low else "(", "]" if closed_high else ")"
        raise ValueError(f"{name}: expected a number in {lo}0, 1{hi}, got {value!r}")
    return value


def check_optimizer(model):
    """Check the optimizer hyper-parameters of ``model``; ``ValueError``/``TypeError``
    naming the argument otherwise."""
    check_choice(model.optimizer, "optimizer", OPTIMIZERS)
    _check_fraction(model.beta, "beta")
    _check_fraction(model.beta1, "beta1")
    _check_fraction(model.beta2, "beta2")
    check_positive_float(model.epsilon, "epsilon")
    if model.lr_decay is not None:
        check_choice(model.lr_decay, "lr_decay", DECAYS)
    if isinstance(model.decay_rate, bool) or not isinstance(model.decay_rate, numbers.Real):
        raise TypeError(f"decay_rate: expected a real number >= 0, got {_describe(model.decay_rate)}")
    if not (math.isfinite(model.decay_rate) and model.decay_rate >= 0):
        raise ValueError(f"decay_rate: expected a finite number >= 0, got {model.decay_rate!r}")
    check_int(model.decay_interval, "decay_interval", 1)


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
