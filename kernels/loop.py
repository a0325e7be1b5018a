"""The training step and the training loop, compiled whole (the fused tier of the kernels).

One call of the training loop (:func:`train_loop`, compiled per output layer in
``entries.py``) runs many mini-batch steps (or full-batch iterations) with no Python in
between: batch gather (``gather.py``), forward and backward passes (``passes.py``), the
optimizer update (``optimizers.py``) and the Gram first layer's (``gram.py``), over state the
caller allocated once. Its configuration and counters are small arrays whose slots are named
in ``codes.py``.

Parameters and optimizer state are double-buffered ``(2, n_params)``: a step reads row
``cur`` and writes row ``1 - cur``, then flips ``cur`` (kept in ``istate``) only when the
new parameters are finite; a refused step leaves everything as it was. Dropout is on when
the mask buffer is not empty, the Gram path when its state is not empty.
"""

import numpy as np

from ._config import helper
from ._intrinsics import readonly
from ._intrinsics import view2 as _view2
from .codes import (C_BATCH, C_EVERY, C_FORM, C_OPT, C_SHUFFLE, C_XMAJOR, F_LOSS, F_WEIGHT, FORM_SKLEARN, H_CAP, H_KEEP, H_L2, H_LSCALE, I_CUR, I_DSEED, I_E0, I_EPOCH, I_MTPOS,
                    I_NEED, I_SEED, I_STEP, I_T, OK, BAD_COST, BAD_UPDATE, ZERO_WEIGHT, OUT_SIGMOID,
                    SHUFFLE_CONTINUED, SHUFFLE_COURSE)
from .gather import _gather, _gather_targets
from .gram import _gram_update
from .optimizers import optimizer_update, squared_weight_norm
from .passes import _block, backward, bs_is_negative, forward
from .shuffle import permutation_into, shuffle_from
from .state import Data


@helper(inline=True)
def step(out, params, net, lr, istate, xmajor, data, weight_sum, work, gram, want):
    """One training step on the batch ``data`` (``state.Data``; ``b`` examples): cost,
    gradients, update into the spare rows of ``params`` (``state.Params``). Returns
    ``(objective * weight_sum, ok)``: the batch's loss sum plus the L2 term
    ``lambda/2 * sum ||W||^2`` (the loss sum only with ``want``: see ``passes.backward``), and
    whether the update is finite. ``istate[I_CUR]`` is flipped by the caller when it accepts
    the step."""
    layout, codes, hyper, segments = net.layout, net.codes, net.hyper, net.segments
    cur = istate[I_CUR]
    P = params.P2[cur]
    X = data.X
    b = X.shape[0] if xmajor else X.shape[1]
    with_gram = gram.gZ.size > 0
    keep = hyper[H_KEEP]
    gZ = gram.gZ
    gZ1 = _view2(gZ[cur], 0, layout[1, 0], b) if with_gram else _view2(gZ[0], 0, 0, 0)
    forward(P, net, xmajor, keep, istate[I_DSEED], istate[I_T], X, b, work, gZ1)
    scale = 1.0 / weight_sum
    loss = backward(out, P, params.G, net, xmajor, keep, data, scale, hyper[H_CAP], work, with_gram, want)
    loss *= hyper[H_LSCALE]
    l2 = hyper[H_L2]
    if l2 != 0.0:
        loss += 0.5 * l2 * squared_weight_norm(P, segments)
    t = istate[I_T] + 1
    ok = optimizer_update(params, cur, segments, codes[C_OPT], lr, l2 / weight_sum, hyper, t)
    if with_gram:
        dZ1 = _block(work.deltas, layout, np.int64(1), b)  # int64, not a literal: no second compile
        ok = _gram_update(gram, dZ1, lr, cur) and ok
    return loss, ok


@helper
def _commit(istate):
    istate[I_CUR] = 1 - istate[I_CUR]
    istate[I_T] += 1


#: The output layer of a compiled copy of :func:`train_loop` / :func:`predict_block` (each
#: copy has its own value: see :func:`_compiled_for`). Those two are templates: only their
#: compiled copies are called.
OUTPUT = OUT_SIGMOID


def train_loop(params, net, run, data, total_weight, batch, work, gram, n_epochs, max_steps):
    """Train until epoch ``n_epochs`` is complete or ``max_steps`` steps have run. Compiled
    once per output layer, :data:`OUTPUT` (``entries.train_for``).

    The groups (``state.py``): ``params`` (``Params``), ``net`` (``Net``), ``run`` (``Run``:
    the learning rates, counters and epoch costs), ``data`` (``Data``: the whole data set,
    whose weights sum to ``total_weight``), ``batch`` (``Batch``: the example order and the
    mini-batch buffers), ``work`` (``Work``), ``gram`` (``Gram``, empty arrays off the Gram
    path).

    Resumes where ``istate`` says (epoch, step within the epoch);
    epoch ``e`` uses learning rate ``lrs[e - e0]`` and, with shuffling, the batches of
    ``RandomState(istate[I_SEED] + e).permutation(m)`` (the course's
    ``random_mini_batches``); without a batch size (``codes[C_BATCH] == 0``) an epoch is
    one full-batch step on ``X`` itself. ``lrs`` and ``epoch_costs`` start at epoch
    ``istate[I_E0]`` (the first epoch of this run: a ``partial_fit`` passes one entry each).
    ``epoch_costs[e - e0]`` receives the epoch's cost
    (sum of the batches' objective times their weight sums, over the total weight), or NaN
    when nobody reads it (see :func:`_needs_cost`).

    Returns ``(status, steps, cost)``: ``OK``, or ``BAD_COST`` / ``BAD_UPDATE`` when a
    step's cost or update is not finite (that step is not applied; ``istate`` names it);
    the number of steps completed by this call; the last step's cost (its objective).
    """
    codes, layout = net.codes, net.layout
    lrs, istate, fstate, epoch_costs = run
    X, Yf, Yi, w = data
    perm, key, Xb, Yfb, Yib, wb = batch
    xmajor = codes[C_XMAJOR] == 1
    # Batches are gathered feature-major. A runtime False, not the literal: Numba would
    # compile step (and all it calls) a second time for the literal's type.
    batch_major = bs_is_negative(codes)
    e0 = istate[I_E0]
    m = X.shape[0] if xmajor else X.shape[1]
    bs = codes[C_BATCH]
    steps = np.int64(0)  # not a literal 0: _needs_cost would compile twice
    cost = np.nan
    while istate[I_EPOCH] < n_epochs and steps < max_steps:
        e = istate[I_EPOCH]
        j0 = istate[I_STEP] * bs
        if istate[I_STEP] == 0:
            fstate[F_LOSS] = 0.0
            fstate[F_WEIGHT] = 0.0
            istate[I_NEED] = _needs_cost(codes, e, n_epochs, steps, max_steps, m)
        want = istate[I_NEED] != 0
        if bs == 0:
            loss, ok = step(OUTPUT, params, net, lrs[e - e0], istate, xmajor, data, total_weight, work, gram, want)
            weight = total_weight
            nrows = np.float64(m)
            last = True
        else:
            if j0 == 0:
                if codes[C_SHUFFLE] == SHUFFLE_CONTINUED:
                    istate[I_MTPOS] = shuffle_from(key, istate[I_MTPOS], perm)
                elif codes[C_SHUFFLE] == SHUFFLE_COURSE:
                    permutation_into(istate[I_SEED] + e, key, perm)
                else:
                    for j in range(m):
                        perm[j] = j
            j1 = min(m, j0 + bs)
            nb = j1 - j0
            n_x = layout[0, 0]
            _gather(X, xmajor, perm, j0, j1, Xb)
            Xv = _view2(Xb, 0, n_x, nb)
            K = Yf.shape[0]
            weight = _gather_targets(Yf, Yi, w, perm, j0, j1, Yfb, Yib, wb)
            Yfv = _view2(Yfb, 0, K, nb)
            Yiv = Yib[:nb] if Yi.size > 0 else Yib[:0]
            wv = wb[:nb] if w.size > 0 else wb[:0]
            last = j1 == m
            nrows = np.float64(nb)
            if weight == 0.0:
                # Every example of this batch has weight 0: its objective (sum w loss / sum w) is
                # undefined and it carries no information. No step: the next batch follows
                # (scikit-learn's form: an error, the NaN its 0 / 0 gives).
                if codes[C_FORM] == FORM_SKLEARN:
                    return ZERO_WEIGHT, steps, np.nan
                if last:
                    _end_epoch(istate, fstate, epoch_costs, e, e0)
                else:
                    istate[I_STEP] += 1
                continue
            # The batch typed read-only, as the full-batch path's X: step and all under it
            # compile once, not twice (half the first compile of the loop).
            views = Data(readonly(Xv), readonly(Yfv), readonly(Yiv), readonly(wv))
            loss, ok = step(OUTPUT, params, net, lrs[e - e0], istate, batch_major, views, weight, work, gram, want)
        cost = loss / weight
        # scikit-learn's form takes every step, finite or not, as scikit-learn does (a NaN
        # validation score is part of its record; a fit left non-finite is refused at its end).
        if codes[C_FORM] != FORM_SKLEARN:
            if not np.isfinite(loss):
                return BAD_COST, steps, cost
            if not ok:
                return BAD_UPDATE, steps, cost
        _commit(istate)
        steps += 1
        if codes[C_FORM] == FORM_SKLEARN:
            # accumulated_loss += batch_loss * n_batch, then / m: the objective per row
            fstate[F_LOSS] += cost * nrows
            fstate[F_WEIGHT] += nrows
        else:
            fstate[F_LOSS] += loss
            fstate[F_WEIGHT] += weight
        if last:
            _end_epoch(istate, fstate, epoch_costs, e, e0)
        else:
            istate[I_STEP] += 1
    return OK, steps, cost


@helper
def _needs_cost(codes, e, n_epochs, steps, max_steps, m):
    """1 when epoch ``e``'s cost is computed, 0 when it is skipped (its entry in
    ``epoch_costs`` is NaN). Computed: every epoch when ``codes[C_EVERY]`` is 0 or 1 (a
    callback reads each), else the recorded epochs (multiples of it), the run's last two
    epochs, and the epochs in which this call may end or whose next epoch it may end in (the
    caller shows the last completed epoch's cost). Skipping saves the loss (the sigmoid
    output's log1p), not the step; divergence is still caught at the same step (its cost
    then reported as NaN, see ``layers.sigmoid_dz_segment``)."""
    every = codes[C_EVERY]
    if every <= 1 or e % every == 0 or e >= n_epochs - 2:
        return 1
    bs = codes[C_BATCH]
    per_epoch = 1 if bs == 0 else (m + bs - 1) // bs
    return 1 if max_steps - steps <= 2 * per_epoch else 0


@helper
def _end_epoch(istate, fstate, epoch_costs, e, e0):
    epoch_costs[e - e0] = fstate[F_LOSS] / fstate[F_WEIGHT] if istate[I_NEED] != 0 else np.nan
    istate[I_EPOCH] = e + 1
    istate[I_STEP] = 0
