"""Mini-batch shuffling inside compiled code, bit for bit as NumPy's legacy generator does it.

The course draws epoch ``e``'s batches with ``np.random.seed(seed); np.random.permutation(m)``
(``fastnn.reference.random_mini_batches``). A compiled training loop cannot call NumPy's
``RandomState``, and Numba's own ``np.random`` is a different stream; so this module
implements the same two pieces in Numba:

- ``mt19937_seed``: MT19937 seeded from a 32-bit integer (``init_genrand``, which is what
  ``RandomState(int)`` uses), and its tempered 32-bit output;
- ``permutation_into``: ``RandomState(seed).permutation(m)``, i.e. ``arange(m)`` shuffled by
  Fisher-Yates from the last index down, each swap index drawn by rejection from the
  smallest bit mask covering it (NumPy's ``random_interval``).

- ``shuffle_from``: ``RandomState.shuffle(out)`` continuing a given generator state (its
  624 words and position, as ``RandomState.get_state()`` gives them): scikit-learn's MLP
  reshuffles its index array every epoch with the estimator's own generator.

The test suite compares ``permutation_into`` with ``numpy.random.RandomState(seed).permutation``
for many seeds and lengths.
"""

import numpy as np

from ._config import helper, kernel

_N = 624
_M = 397
_MATRIX_A = np.uint32(0x9908B0DF)
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)


@helper
def mt19937_seed(key, seed):
    """Fill the 624-word state ``key`` (uint32) from ``seed`` (``init_genrand``); return the
    position (624: the next draw regenerates the state)."""
    s = np.uint32(seed & 0xFFFFFFFF)
    for pos in range(_N):
        key[pos] = s
        s = np.uint32(np.uint32(1812433253) * (s ^ (s >> np.uint32(30))) + np.uint32(pos + 1))
    return np.int64(_N)  # int64, not a literal: mt19937_next would compile twice


@helper
def _regenerate(key):
    for i in range(_N):
        y = (key[i] & _UPPER) | (key[(i + 1) % _N] & _LOWER)
        v = key[(i + _M) % _N] ^ (y >> np.uint32(1))
        if y & np.uint32(1):
            v ^= _MATRIX_A
        key[i] = v


@helper
def mt19937_next(key, pos):
    """``(value, new position)``: the next tempered 32-bit output."""
    if pos >= _N:
        _regenerate(key)
        pos = 0
    y = key[pos]
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y, pos + 1


@helper
def _fisher_yates(key, pos, out):
    """Shuffle ``out`` in place from the generator at ``(key, pos)``; the new position."""
    n = out.size
    for i in range(n - 1, 0, -1):
        mask = np.uint32(i)
        mask |= mask >> np.uint32(1)
        mask |= mask >> np.uint32(2)
        mask |= mask >> np.uint32(4)
        mask |= mask >> np.uint32(8)
        mask |= mask >> np.uint32(16)
        while True:
            v, pos = mt19937_next(key, pos)
            v &= mask
            if v <= np.uint32(i):
                break
        j = np.int64(v)
        tmp = out[i]
        out[i] = out[j]
        out[j] = tmp
    return pos


@helper
def shuffle_from(key, pos, out):
    """``RandomState.shuffle(out)`` (int64, 1-D, fewer than 2**32 values) for a generator
    whose state is the 624 words ``key`` (updated in place) at position ``pos``; returns the
    new position. The swaps do not depend on ``out``'s values: shuffling an already
    shuffled index array composes the permutations, as scikit-learn's epochs do."""
    return _fisher_yates(key, pos, out)


@helper
def permutation_into(seed, key, out):
    """Write ``numpy.random.RandomState(seed).permutation(out.size)`` into ``out`` (int64).

    ``key`` is a scratch uint32 array of 624 words. ``out.size`` must be below 2**32 (the
    32-bit branch of NumPy's ``random_interval``).
    """
    n = out.size
    for i in range(n):
        out[i] = i
    pos = mt19937_seed(key, seed)
    _fisher_yates(key, pos, out)


@kernel
def permutation(seed, out):
    """``out[:] = numpy.random.RandomState(seed).permutation(out.size)``.  Numba JIT-compiled.

    ``seed``: an integer in ``[0, 2**32)``; ``out``: 1-D int64 array.  (Serial: the
    parallel variant is the same loop.)
    """
    key = np.empty(_N, np.uint32)
    permutation_into(seed, key, out)
