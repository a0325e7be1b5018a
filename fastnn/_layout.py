"""Where a network's parameters live: one flat vector per copy, with ``W[l]`` and ``b[l]`` as
views, and the integer tables the compiled kernels read (see ``fastnn.kernels.network``)."""

import numpy as np


class Layout:
    """The flat layout of the parameters of a network with ``dims = [n_0, ..., n_L]``.

    ``W[l]`` (``n_l x n_{l-1}``, C order) then ``b[l]`` (``n_l x 1``), for l = 1..L, one after
    the other. ``table`` is the kernels' ``(L+1, 4)`` int64 table ``[n_l, W offset, b offset,
    units before l]``; ``segments`` the optimizer's ``[start, end, is_weight]`` rows.
    """

    def __init__(self, dims):
        self.dims = [int(n) for n in dims]
        L = len(self.dims) - 1
        self.L = L
        table = np.zeros((L + 1, 4), np.int64)
        table[:, 0] = self.dims
        segments = []
        offset = units = 0
        for l in range(1, L + 1):
            n, n_prev = self.dims[l], self.dims[l - 1]
            table[l, 1] = offset
            segments.append((offset, offset + n * n_prev, 1))
            offset += n * n_prev
            table[l, 2] = offset
            segments.append((offset, offset + n, 0))
            offset += n
            table[l, 3] = units
            units += n
        self.table = table
        self.segments = np.array(segments, np.int64)
        self.size = offset
        #: Units over all layers 1..L (rows of the activation buffers per example).
        self.units = units
        #: Units of the hidden layers 1..L-1 (rows of the dropout buffers per example).
        self.hidden_units = units - self.dims[-1]

    def views(self, P, prefix=""):
        """``{"W1": ..., "b1": ..., ...}`` as views of the flat vector ``P`` (no copy)."""
        out = {}
        for l in range(1, self.L + 1):
            n, n_prev = self.dims[l], self.dims[l - 1]
            w0, b0 = self.table[l, 1], self.table[l, 2]
            out[f"{prefix}W{l}"] = P[w0:w0 + n * n_prev].reshape(n, n_prev)
            out[f"{prefix}b{l}"] = P[b0:b0 + n].reshape(n, 1)
        return out

    def flatten(self, parameters, dtype, out=None):
        """The flat vector of a parameter dict (``{"W1", "b1", ...}``)."""
        P = np.empty(self.size, dtype) if out is None else out
        for key, view in self.views(P).items():
            view[...] = parameters[key]
        return P

    def weight_segments(self):
        """``(start, end)`` of every ``W[l]`` in the flat vector."""
        return [(int(s), int(e)) for s, e, w in self.segments if w]
