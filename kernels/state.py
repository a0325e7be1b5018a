"""The fused loop's state as named groups of arrays (namedtuples, defined here once).

The training loop and the step take a few groups instead of dozens of positional arrays. A
namedtuple of arrays is a plain struct to Numba: its fields cost nothing to read, and a
dispatcher called with one compiles once per combination of field types (dtypes, layouts,
read-only flags), exactly as it did for the same arrays passed one by one. The classes are
module-level so that Numba's on-disk cache can name them. Not ``jitclass`` (not cacheable)
nor ``structref`` (open caching issues).

Params
    ``P2``, ``V2``, ``S2`` ``(2, n_params)``: parameters and the optimizer's first and second
    moments, double-buffered (a step reads row ``cur``, writes row ``1 - cur``); ``G``
    ``(n_params,)`` the gradients.
Net
    ``segments`` int64 ``(k, 3)`` (``[start, end, kind]`` of each parameter block: kind 1 a
    weight matrix, decayed by L2; 0 a bias; 2 skipped), ``layout`` int64 ``(L+1, 4)`` (see
    ``passes.py``), ``codes`` int64 and ``hyper`` float64 (their slots: ``codes.py``).
Run
    ``lrs`` the learning rate of each epoch of this run, ``istate`` / ``fstate`` the run's
    counters (``codes.py``), ``epoch_costs`` each epoch's cost.
Data
    ``X`` (feature-major ``(n_x, m)`` or example-major ``(m, n_x)``), ``Yf`` float targets
    ``(K, m)``, ``Yi`` int64 labels ``(m,)`` (softmax), ``w`` example weights ``(m,)``; the
    empty ones unused. Also a batch's views of the batch buffers.
Batch
    ``perm`` the epoch's example order, ``key`` the shuffling generator's words, and the
    mini-batch buffers ``Xb``, ``Yfb``, ``Yib``, ``wb``.
Work
    ``acts``, ``dropped`` (dropped-out activations), ``masks`` (dropout), ``deltas``: per-unit
    buffers of a batch; ``scratch`` float64 rows for the output layers.
Gram
    The Gram first layer's state ``gZ``, ``gS`` (double-buffered), ``G1 = X^T X`` and a
    ``product`` buffer; all empty off the Gram path.
Moments
    One parameter segment's slices for the optimizer: ``P``, ``G``, ``V``, ``S`` read and
    ``Pn``, ``Vn``, ``Sn`` written.
"""

from collections import namedtuple

Params = namedtuple("Params", ["P2", "V2", "S2", "G"])
Net = namedtuple("Net", ["segments", "layout", "codes", "hyper"])
Run = namedtuple("Run", ["lrs", "istate", "fstate", "epoch_costs"])
Data = namedtuple("Data", ["X", "Yf", "Yi", "w"])
Batch = namedtuple("Batch", ["perm", "key", "Xb", "Yfb", "Yib", "wb"])
Work = namedtuple("Work", ["acts", "dropped", "masks", "deltas", "scratch"])
Gram = namedtuple("Gram", ["gZ", "gS", "G1", "product"])
Moments = namedtuple("Moments", ["P", "G", "V", "S", "Pn", "Vn", "Sn"])
