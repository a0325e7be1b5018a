"""Regularisation of ``DeepNetwork``: L2 weight decay and inverted dropout.

L2 (``l2`` = the course's ``lambd``)
    A batch of ``m_b`` examples costs its mean loss plus ``lambd / (2 m_b) * sum ||W[l]||^2``
    (weights only, never biases), and each weight gradient gains ``(lambd / m_b) W[l]``.
    With example weights ``s``, ``m_b`` is their sum over the batch (scikit-learn's rule).
    The compiled update folds the decay in (``fastnn.kernels.optimizers``).

Dropout (``keep_prob``)
    Every hidden layer's activations are multiplied by a 0/1 mask ``D`` (each unit kept
    with probability ``keep_prob``) and divided by ``keep_prob`` during training only; the
    backward pass applies the same mask and scale (the course's order: ``A * D / keep_prob``
    and ``dA * D / keep_prob``). ``predict``, ``cost`` and ``gradients`` never drop.
    ``keep_prob = 1`` switches dropout off entirely (bit-identical to a model without it).

    The masks come from a counter-based generator keyed by the model's dropout seed, the
    training step and the layer (``fastnn.kernels.dropout``): a fit is reproducible bit for
    bit at any thread count, and :func:`dropout_masks` rebuilds the exact masks of any step
    in plain NumPy (which the tests use to hold a fit to ``fastnn.reference``).
"""


import numpy as np

from ._validation import Real

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB


#: The regularisation hyper-parameters' rules (see ``_validation.check_parameters``).
REGULARIZATION_RULES = {"l2": Real(0, None), "keep_prob": Real(0, 1, closed="right")}


def _mix(z):
    """splitmix64 on uint64 arrays (wrapping arithmetic), as ``kernels.dropout.mix64``."""
    z = z + np.uint64(_GOLDEN)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_C1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_C2)
    return z ^ (z >> np.uint64(31))


def dropout_masks(seed, step, dims, batch, keep_prob):
    """The dropout masks of one training step, computed with NumPy.

    Parameters
    ----------
    seed : int
        The model's dropout seed (``DeepNetwork.dropout_seed_`` after a fit).
    step : int
        The training step, from 0 (mini-batch steps over all epochs; one per iteration in
        full-batch training).
    dims : sequence of int
        ``layer_dims`` of the network.
    batch : int
        Number of examples in that step's batch.
    keep_prob : float

    Returns
    -------
    list of ndarray
        ``[D1, ..., D_{L-1}]``, each ``(n_l, batch)`` of 0/1 (float64), ``D[l] = 1`` where the
        unit is kept.
    """
    with np.errstate(over="ignore"):
        s = _mix(np.array([seed & _MASK64], np.uint64))
        masks = []
        for l in range(1, len(dims) - 1):
            key = _mix(s ^ _mix(np.array([(step * 256 + l) & _MASK64], np.uint64)))
            k = np.arange(dims[l] * batch, dtype=np.uint64)
            u = (_mix(key + k) >> np.uint64(11)).astype(np.float64) * 2.0**-53
            masks.append((u < keep_prob).astype(np.float64).reshape(dims[l], batch))
    return masks


def l2_cost(parameters, lambd, m):
    """The L2 term ``lambd / (2 m) * sum_l ||W[l]||^2`` of a parameter dict (float)."""
    total = sum(float(np.sum(np.square(v, dtype=np.float64))) for k, v in parameters.items() if k.startswith("W"))
    return lambd / (2 * m) * total
