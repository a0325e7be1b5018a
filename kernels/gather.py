"""A mini-batch gathered from the whole data set: examples ``perm[j0:j1]`` into batch buffers
(compiled helpers called by the training loop, ``loop.py``).

The batch is always written feature-major ``(n_x, nb)``, whatever ``X``'s layout, so that a
batch's arithmetic does not depend on it; the targets and weights follow the same examples.
"""

import numpy as np

from ._config import helper
from ._intrinsics import prefetch as _prefetch


_GATHER_BLOCK = 16
_ROWS_AHEAD = 2  # feature-major X: rows prefetched ahead of the one read


@helper
def _gather(X, xmajor, perm, j0, j1, Xb):
    """Examples ``perm[j0:j1]`` of ``X`` into the batch buffer ``Xb``, feature-major
    ``(n_x, nb)`` whatever ``X``'s layout (so a batch's arithmetic does not depend on it)."""
    nb = j1 - j0
    if xmajor:
        # A transpose: sixteen examples at a time, so that each feature's sixteen values are
        # written together (one row per example wrote with a stride of nb: the wide
        # benchmark's 200 x 200 float32 batch took 39 us, 26 us in blocks). The rows are at
        # random places in memory: while a block is transposed, the next block's rows are
        # fetched, one cache line of each per feature written (the wide batch: float32
        # 29 -> 18 us, float64 35 -> 26 us; all at once before each block gained less in
        # float32 and nothing in float64).
        n_x = X.shape[1]
        line = max(1, 64 // X.itemsize)  # values per 64-byte cache line
        lines = (n_x + line - 1) // line + 1  # + 1: a row need not start on a line
        for t in range(min(nb, _GATHER_BLOCK)):
            for c in range(lines):
                _prefetch(X, perm[j0 + t], min(c * line, n_x - 1))
        jb = 0
        while jb + _GATHER_BLOCK <= nb:
            ahead = min(nb, jb + 2 * _GATHER_BLOCK)
            for i in range(n_x):
                if i < lines:
                    c = min(i * line, n_x - 1)
                    for t in range(jb + _GATHER_BLOCK, ahead):
                        _prefetch(X, perm[j0 + t], c)
                out = Xb[i * nb + jb:i * nb + jb + _GATHER_BLOCK]
                for t in range(_GATHER_BLOCK):
                    out[t] = X[perm[j0 + jb + t], i]
            jb += _GATHER_BLOCK
        for j in range(jb, nb):
            src = X[perm[j0 + j]]
            for i in range(n_x):
                Xb[i * nb + j] = src[i]
    else:
        # One value per example from each feature's row, each at a random place in memory:
        # reading a row's values, the same examples' values two rows further on are fetched
        # (the wide benchmark's 200 x 200 batch from a 200 x 50 000 X: float64 384 -> 60 us,
        # float32 333 -> 41 us; one row ahead gave 62 / 55 us, a whole row ahead before
        # reading one 90 / 55 us).
        n_x = X.shape[0]
        for i in range(min(_ROWS_AHEAD, n_x)):
            for j in range(nb):
                _prefetch(X, i, perm[j0 + j])
        for i in range(n_x):
            row = X[i]
            out = Xb[i * nb:(i + 1) * nb]
            if i + _ROWS_AHEAD < n_x:
                for j in range(nb):
                    p = perm[j0 + j]
                    _prefetch(X, i + _ROWS_AHEAD, p)
                    out[j] = row[p]
            else:
                for j in range(nb):
                    out[j] = row[perm[j0 + j]]


@helper
def _gather_targets(Yf, Yi, w, perm, j0, j1, Yfb, Yib, wb):
    """The batch's targets and weights; returns the weight sum (float64)."""
    nb = j1 - j0
    K = Yf.shape[0]
    for k in range(K):
        row = Yf[k]
        out = Yfb[k * nb:(k + 1) * nb]
        for j in range(nb):
            out[j] = row[perm[j0 + j]]
    if Yi.size > 0:
        for j in range(nb):
            Yib[j] = Yi[perm[j0 + j]]
    if w.size > 0:
        total = 0.0
        for j in range(nb):
            v = w[perm[j0 + j]]
            wb[j] = v
            total += np.float64(v)
        return total
    return np.float64(nb)
