"""The training loop of ``DeepNetwork``: epochs, mini-batches, learning-rate schedule,
validation and early stopping, progress, callbacks, divergence and Ctrl-C.

The steps themselves run in compiled code (``fastnn.kernels.network.train_loop``), many per
call: forward, loss, backward and update over a :class:`TrainingState` of plain arrays
allocated once. This module decides how far each call goes and does everything between
calls in Python:

- A call runs until the next epoch at which Python has something to do (a callback, a
  validation pass, a verbose line) or for about :data:`SLICE_SECONDS` of work, whichever
  comes first, so the progress bar redraws and Ctrl-C is honoured within a fraction of a
  second even when an epoch is long. How many steps make a call changes nothing in the
  results: a step is a step (tested bit for bit against one step per call).
- Epoch ``e`` (from 0) uses the batches of ``RandomState(shuffle_seed + e).permutation(m)``
  (the course's ``random_mini_batches``), computed inside the compiled loop.
- A step whose cost or update is not finite is refused: the parameters stay those of the
  last completed step and ``FloatingPointError`` names the epoch and the step.
- ``KeyboardInterrupt`` is re-raised after the model is given the state of the last
  completed step: ``n_steps_`` counts the steps, ``n_iter_`` the epochs completed (an
  interrupted epoch is not counted, though its completed steps are in the parameters).
"""

import math
import time

import numpy as np

from ._progress import ProgressBar
from ._threads import BLAS_SINGLE_THREAD_BELOW, blas_threads
from .kernels import network as KN
from .kernels import state as KS
from .kernels.state import Batch, Gram, Net, Params, Run, Work
from .kernels._config import BLAS_MIN_FLOPS
from .kernels.layers import SOFTMAX_BLOCK

#: A compiled call aims at about this much work before returning to Python.
SLICE_SECONDS = 0.05


class TrainingState:
    """Every array a fit trains on, allocated once: parameters and optimizer state
    (double-buffered), gradients, per-layer buffers for one batch, batch gather buffers,
    the shuffle permutation, dropout masks, and the Gram path's state.

    Parameters
    ----------
    layout : fastnn._layout.Layout
    P : ndarray
        Initial flat parameters.
    codes : ndarray of int64
        The kernels' codes (see ``fastnn.kernels.network``).
    n_state : int
        Optimizer state vectors (0 gd, 1 momentum, 2 adam).
    V, S : ndarray or None
        Optimizer state to continue from (``None``: zeros).
    batch : int
        Examples per batch (the whole ``m`` in full-batch training).
    m, n_x : int
    dropout : bool
    gram : tuple or None
        ``(Z1, G)`` (float64) to train the first layer through ``G = X^T X``.
    """

    def __init__(self, layout, P, codes, n_state, V, S, batch, m, n_x, dropout, gram=None):
        dtype = P.dtype
        n = layout.size
        self.layout = layout
        self.codes = codes
        self.P2 = np.empty((2, n), dtype)
        self.P2[0] = P
        self.P2[1] = P
        self.V2 = np.zeros((2, n if n_state >= 1 else 0), dtype)
        self.S2 = np.zeros((2, n if n_state >= 2 else 0), dtype)
        if V is not None and n_state >= 1:
            self.V2[0] = V
        if S is not None and n_state >= 2:
            self.S2[0] = S
        self.G = np.zeros(n, dtype)
        self.acts = np.empty(layout.units * batch, dtype)
        self.deltas = np.empty(layout.units * batch, dtype)
        hidden = layout.hidden_units * batch if dropout else 0
        self.dropped = np.empty(hidden, dtype)
        self.masks = np.empty(hidden, np.uint8)
        self.scratch = scratch_for(layout, batch)
        mini = codes[KN.C_BATCH] > 0
        self.perm = np.empty(m if mini else 0, np.int64)
        self.key = np.empty(624, np.uint32)
        self.Xb = np.empty(n_x * batch if mini else 0, dtype)
        self.Yfb = np.empty(layout.dims[-1] * batch if mini else 0, dtype)
        self.Yib = np.empty(batch if mini else 0, np.int64)
        self.wb = np.empty(batch if mini else 0, dtype)
        self.istate = np.zeros(KN.N_ISTATE, np.int64)
        self.fstate = np.zeros(2, np.float64)
        # The Gram path's state is float64 for either model dtype (see
        # kernels.network._gram_update); empty when the path is not taken.
        if gram is not None:
            Z1, G1 = gram
            self.gZ = np.empty((2, Z1.size), np.float64)
            self.gZ[0] = Z1.ravel()
            self.gS = np.zeros((2, Z1.size), np.float64)
            self.G1 = np.ascontiguousarray(G1, dtype=np.float64)
            self.product = np.empty(2 * Z1.size, np.float64)
        else:
            self.gZ = np.empty((2, 0), np.float64)
            self.gS = np.empty((2, 0), np.float64)
            self.G1 = np.empty((0, 0), np.float64)
            self.product = np.empty(0, np.float64)

    @property
    def cur(self):
        return int(self.istate[KN.I_CUR])

    def parameters(self):
        """The flat parameters of the last completed step (a view)."""
        return self.P2[self.cur]

    def optimizer_state(self):
        """``(V, S)`` of the last completed step (views; empty when unused)."""
        return self.V2[self.cur], self.S2[self.cur]

    def gram_S(self):
        """The Gram path's ``S = sum of lr_t dZ1_t`` of the last completed step."""
        return self.gS[self.cur].reshape(self.layout.dims[1], -1)


def readonly(a):
    """A read-only view of ``a``. The kernels only read the data; Numba types a read-only
    array apart from a writable one, so handing them read-only views always (a memory-mapped
    or otherwise read-only ``X`` is common) compiles the training loop once, not twice."""
    view = a.view()
    view.setflags(write=False)
    return view


class Data:
    """Training data as the kernels take it: ``X`` C-contiguous feature-major ``(n_x, m)``
    or example-major ``(m, n_x)`` (``xmajor``), float targets ``Yf``, int labels ``Yi``,
    example weights ``w`` (empty: unweighted) and their sum.

    An F-ordered ``X`` is read in place (as ``X.T``, example-major) when its first layer's
    products are large enough for BLAS (``n1`` units); a small one is copied to C order,
    so that the loop products (whose summation order depends on the layout) give the same
    bits for every layout of the same data. Mini-batches are gathered feature-major.
    """

    def __init__(self, X, Yf, Yi, w, n1=None):
        if not X.flags.c_contiguous and n1 is not None and 2.0 * n1 * X.size < BLAS_MIN_FLOPS:
            X = np.ascontiguousarray(X)
        if X.flags.c_contiguous:
            self.X, self.xmajor = readonly(X), 0
        else:  # F-contiguous: X.T is a C-contiguous (m, n_x) array, examples contiguous
            self.X, self.xmajor = readonly(X.T), 1
        self.n_x, self.m = X.shape
        self.Yf, self.Yi = readonly(Yf), readonly(Yi)
        self.w = readonly(w if w is not None else np.empty(0, X.dtype))
        self.total_weight = float(np.sum(w, dtype=np.float64)) if w is not None else float(self.m)


class Loop:
    """Runs ``n_epochs`` epochs of a :class:`TrainingState` on :class:`Data`, recording into
    ``model`` as it goes (see the module docstring).

    ``on_epoch(epoch, cost)`` (optional) is called after each completed epoch at which
    ``wants(epoch)`` is true; it may return True to stop training (early stopping).
    """

    def __init__(self, state, data, hyper, lrs, record_every, progress=False, verbose=False,
                 on_epoch=None, wants=None, describe_epoch="epoch", first_epoch=0):
        self.state, self.data, self.hyper, self.lrs = state, data, hyper, lrs
        self.record_every = record_every
        self.on_epoch, self.wants = on_epoch, wants
        self.verbose, self.unit = verbose, describe_epoch
        self.first_epoch = first_epoch
        #: The epoch count this run ends at; ``lrs[e - first_epoch]`` is epoch ``e``'s rate.
        self.end_epoch = first_epoch + lrs.size
        state.istate[KN.I_E0] = first_epoch
        # Which epochs' costs the compiled loop computes (see kernels.network._needs_cost): all
        # of them for a callback or verbose output, else the recorded ones (and the last).
        state.codes[KN.C_EVERY] = 1 if (on_epoch is not None or verbose) else record_every
        self.epoch_costs = np.full(lrs.size, np.nan)
        self.bar = ProgressBar(lrs.size) if progress else None
        self.steps_per_call = 1
        self.last_cost = math.nan
        self.blas_limit = 1 if largest_product(state, data) < BLAS_SINGLE_THREAD_BELOW else None
        #: Text the progress bar shows after the cost (the owner sets it, e.g. validation).
        self.status = ""
        #: The compiled loop's groups of arrays, built at the first call (see :meth:`_call`).
        self._groups = None

    def run(self):
        """Train to the end (or until stopped); returns True when ``on_epoch`` stopped it."""
        s = self.state
        n_epochs = self.end_epoch
        try:
            while s.istate[KN.I_EPOCH] < n_epochs:
                epoch = int(s.istate[KN.I_EPOCH])
                target = self._next_stop(epoch, n_epochs)
                start = time.perf_counter()
                status, steps, cost = self._call(target, self.steps_per_call)
                self._adapt(steps, time.perf_counter() - start)
                if status != KN.OK:
                    self._diverged(status, cost)
                if self._after(epoch, int(s.istate[KN.I_EPOCH])):
                    return True
            return False
        finally:
            if self.bar is not None:
                self.bar.update(int(s.istate[KN.I_EPOCH]) - self.first_epoch, self.last_cost, force=True,
                                extra=self.status)
                self.bar.close()

    def _call(self, n_epochs, max_steps):
        """One call of the compiled loop: ``(status, steps, cost)``."""
        s, d = self.state, self.data
        groups = self._groups
        if groups is None or groups[1].codes is not s.codes:  # built once (a few us a call otherwise)
            params, net, batch, work, gram = kernel_groups(s, self.hyper)
            run = Run(self.lrs, s.istate, s.fstate, self.epoch_costs)
            groups = self._groups = (params, net, run, KS.Data(d.X, d.Yf, d.Yi, d.w), batch, work, gram)
        params, net, run, data, batch, work, gram = groups
        with blas_threads(self.blas_limit):
            return KN.train_for(int(s.codes[KN.C_OUT]))(params, net, run, data, d.total_weight, batch, work, gram,
                                                        n_epochs, max_steps)

    def steps(self, n):
        """Run exactly ``n`` more training steps (rewinding to the first epoch when the run is
        over, so a benchmark can step forever); return the last step's cost.

        Raises ``FloatingPointError`` like :meth:`run`; calls no hook.
        """
        s = self.state
        cost = math.nan
        while n > 0:
            if s.istate[KN.I_EPOCH] >= self.end_epoch:
                s.istate[KN.I_EPOCH] = self.first_epoch
                s.istate[KN.I_STEP] = 0
            status, done, cost = self._call(self.end_epoch, n)
            if status != KN.OK:
                self._diverged(status, cost)
            n -= done
        return cost

    def _next_stop(self, epoch, n_epochs):
        """The epoch count at which the compiled loop must hand back to Python."""
        if self.on_epoch is None and not self.verbose:
            return n_epochs
        for e in range(epoch, n_epochs):
            if self.verbose and e % self.record_every == 0:
                return e + 1
            if self.on_epoch is not None and (self.wants is None or self.wants(e)):
                return e + 1
        return n_epochs

    def _adapt(self, steps, seconds):
        """Aim the next call at ``SLICE_SECONDS`` of work."""
        if steps > 0 and seconds > 0:
            per_step = seconds / steps
            self.steps_per_call = int(min(max(1, SLICE_SECONDS / per_step), 1 << 30))

    def _after(self, old_epoch, new_epoch):
        """Per-epoch work for the epochs the call completed; True to stop."""
        if self.verbose or self.on_epoch is not None:
            for e in range(old_epoch, new_epoch):
                cost = float(self.epoch_costs[e - self.first_epoch])
                self.last_cost = cost
                if self.verbose and e % self.record_every == 0:
                    print(f"Cost after {self.unit} {e}: {cost:f}")
                if self.on_epoch is not None and (self.wants is None or self.wants(e)):
                    if self.on_epoch(e, cost):
                        return True
        elif new_epoch > old_epoch:
            # Nothing to do per epoch: only the last cost (a Python loop over the 15 000 epochs
            # of a full-batch fit cost 2 ms).
            self.last_cost = float(self.epoch_costs[new_epoch - 1 - self.first_epoch])
        if self.bar is not None:
            self.bar.update(new_epoch - self.first_epoch, self.last_cost, extra=self.status)
        return False

    def _diverged(self, status, cost):
        s = self.state
        epoch, step = int(s.istate[KN.I_EPOCH]), int(s.istate[KN.I_STEP])
        where = f"{self.unit} {epoch}" + (f", step {step} of the epoch (training step {int(s.istate[KN.I_T])})"
                                           if s.codes[KN.C_BATCH] > 0 else "")
        lr = self.lrs[epoch - self.first_epoch]
        if status == KN.BAD_COST:
            raise FloatingPointError(
                f"fit diverged: the cost at {where} is {cost}; the model keeps the parameters of the last "
                f"completed step (n_iter_={epoch}). Lower learning_rate (now {lr})."
            )
        raise FloatingPointError(
            f"fit diverged: the update at {where} is not finite (cost {cost}); the model keeps the "
            f"parameters before it (n_iter_={epoch}). Lower learning_rate (now {lr})."
        )

    def recorded_costs(self):
        """Costs of the completed epochs 0, record_every, 2 record_every, ... of this run."""
        done = int(self.state.istate[KN.I_EPOCH])
        start = -(-self.first_epoch // self.record_every) * self.record_every  # first multiple
        return self.epoch_costs[start - self.first_epoch:done - self.first_epoch:self.record_every].tolist()


def kernel_groups(state, hyper):
    """``(params, net, batch, work, gram)``: the compiled loop's groups of arrays
    (``fastnn/kernels/state.py``) over a :class:`TrainingState` and its hyper-parameters."""
    return (Params(state.P2, state.V2, state.S2, state.G),
            Net(state.layout.segments, state.layout.table, state.codes, hyper),
            Batch(state.perm, state.key, state.Xb, state.Yfb, state.Yib, state.wb),
            Work(state.acts, state.dropped, state.masks, state.deltas, state.scratch),
            Gram(state.gZ, state.gS, state.G1, state.product))


def largest_product(state, data):
    """Floating-point operations of the largest matrix product of one training step."""
    dims = state.layout.dims
    b = state.codes[KN.C_BATCH] or data.m
    flops = max(2.0 * dims[l] * dims[l - 1] * b for l in range(1, len(dims)))
    if state.gZ.size:  # the Gram path's (n1, m) x (m, m)
        flops = max(flops, 2.0 * dims[1] * data.m * data.m)
    return flops


def scratch_for(layout, batch):
    """The output layers' float64 scratch rows for batches of up to ``batch`` examples (see
    ``kernels.layers.softmax_ce`` and ``sigmoid_ce_segment``)."""
    return np.empty((4, max(layout.dims[-1], SOFTMAX_BLOCK, batch)), np.float64)


def hyper_array(beta, beta1, beta2, epsilon, l2, keep_prob, loss_cap=np.inf, loss_scale=1.0):
    """The kernels' float64 hyper-parameter vector (``fastnn.kernels.network.H_*``).
    ``loss_cap`` caps each example's cross-entropy and ``loss_scale`` multiplies a batch's
    loss sum (scikit-learn's forms; the defaults change nothing)."""
    h = np.zeros(KN.N_HYPER, np.float64)
    h[KN.H_BETA], h[KN.H_BETA1], h[KN.H_BETA2] = beta, beta1, beta2
    h[KN.H_EPS], h[KN.H_L2], h[KN.H_KEEP] = epsilon, l2, keep_prob
    h[KN.H_CAP], h[KN.H_LSCALE] = loss_cap, loss_scale
    return h


def loss_and_gradients(layout, codes, P, data, scale, cap=np.inf, G=None, buffers=None):
    """``(loss sum, flat gradients)`` of ``data`` at the flat parameters ``P`` (no dropout,
    no L2), gradients multiplied by ``scale`` (``1 / total weight``: the mean). ``cap``:
    each example's cross-entropy at most this. ``G`` and ``buffers`` (from
    :func:`pass_buffers`) may be given to reuse them across calls."""
    acts, deltas, scratch = pass_buffers(layout, data.m, P.dtype) if buffers is None else buffers
    if G is None:
        G = np.zeros(layout.size, P.dtype)
    loss = KN.loss_and_gradients(P, G, layout.table, codes, KS.Data(data.X, data.Yf, data.Yi, data.w), scale,
                                 float(cap), acts, deltas, scratch)
    return float(loss), G


def pass_buffers(layout, m, dtype):
    """``(acts, deltas, scratch)``: the work buffers of a forward and backward pass over
    ``m`` examples (see :func:`loss_and_gradients`)."""
    return (np.empty(layout.units * m, dtype), np.empty(layout.units * m, dtype), scratch_for(layout, m))


def predict(layout, codes, P, X, block=4096):
    """The network's output ``(n_L, m)`` for a validated ``X``, in blocks of ``block``
    examples (memory stays O(block * units), whatever ``m``)."""
    n_x, m = X.shape
    dtype = P.dtype
    out = np.empty((layout.dims[-1], m), dtype)
    b = min(block, m)
    acts = np.empty(layout.units * b, dtype)
    entry = KN.predict_for(int(codes[KN.C_OUT]))
    for j0 in range(0, m, b):  # feature-major blocks: the same bits for any layout of X
        j1 = min(m, j0 + b)
        out[:, j0:j1] = entry(P, layout.table, codes, readonly(np.ascontiguousarray(X[:, j0:j1])), acts)
    return out



def start(model, X, Y, sample_weight=None):
    """A fit made ready to step: validation, initial parameters and buffers, as ``fit``
    does them, without training.

    Parameters
    ----------
    model : DeepNetwork or LogisticRegression
    X, Y : array_like
        As for ``model.fit``.
    sample_weight : array_like, optional
        ``DeepNetwork`` only.

    Returns
    -------
    Loop or fastnn._base.StepLoop
        ``loop.steps(n)`` runs ``n`` training steps and returns the last one's cost (what
        a benchmark times), ``loop.run()`` trains as ``fit`` would, and ``loop.finish()``
        gives the model the state reached (and releases the fit's buffers).
    """
    if sample_weight is None:
        return model._start(X, Y)
    return model._start(X, Y, sample_weight)
