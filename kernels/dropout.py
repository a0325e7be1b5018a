"""Inverted-dropout masks from a counter-based generator: any element's draw is a pure
function of ``(seed, step, layer, index)``.

That makes masks reproducible bit for bit whatever the thread count or the order in which
elements are visited, lets a test rebuild the exact masks a fit used (``fastnn.regularization.
dropout_masks`` computes the same function with NumPy), and needs no generator state to save.

Definition (all arithmetic on unsigned 64-bit integers, wrapping)::

    mix(z)      = splitmix64's finaliser of z + 0x9E3779B97F4A7C15
    key(s,t,l)  = mix(mix(s) ^ mix(t * 256 + l))
    u(s,t,l,k)  = (mix(key(s,t,l) + k) >> 11) * 2**-53              in [0, 1)
    keep        = u < keep_prob

with ``s`` the dropout seed, ``t`` the training step (0, 1, ...), ``l`` the layer (1..L-1)
and ``k = i * b + j`` the row-major index of unit ``i``, example ``j`` of a ``(n_l, b)`` batch.
"""

import numpy as np

from ._config import helper

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C1 = np.uint64(0xBF58476D1CE4E5B9)
_C2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


@helper
def mix64(z):
    """splitmix64: ``z + golden``, then the finaliser (a bijection of uint64)."""
    z = np.uint64(z + _GOLDEN)
    z = np.uint64((z ^ (z >> np.uint64(30))) * _C1)
    z = np.uint64((z ^ (z >> np.uint64(27))) * _C2)
    return np.uint64(z ^ (z >> np.uint64(31)))


@helper
def layer_key(seed, step, layer):
    """The key of one layer's mask at one training step."""
    return mix64(mix64(np.uint64(seed)) ^ mix64(np.uint64(step) * np.uint64(256) + np.uint64(layer)))


@helper
def uniform(key, k):
    """The draw in [0, 1) of element ``k`` under ``key``."""
    return np.float64(mix64(key + np.uint64(k)) >> np.uint64(11)) * _TO_UNIT
