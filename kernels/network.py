"""A fully-connected network's training step and training loop, compiled whole.

One call of the training loop (:func:`train_loop`, compiled per output layer:
:func:`train_for`) runs many mini-batch steps (or full-batch iterations) with no Python in
between: batch gather, forward (products, bias + activation, dropout), output loss and
``dZ``, backward, and the optimizer update, over state the caller allocated once.
:func:`loss_and_gradients` and :func:`predict_block` (:func:`predict_for`) expose the forward
and backward passes alone.

Everything is a plain array, described by two small integer tables:

``layout`` int64 ``(L+1, 4)``, row ``l``: ``[n_l, W offset, b offset, units before l]``
    ``W[l]`` is ``P[cur, woff:woff + n_l*n_{l-1}].reshape(n_l, n_{l-1})``, ``b[l]`` the
    ``n_l`` values at its offset; layer ``l``'s activations (and deltas) for a batch of ``b``
    examples are ``acts[u*b:(u + n_l)*b].reshape(n_l, b)`` with ``u = n_1 + ... + n_{l-1}``.
``codes`` int64: see the ``C_*`` indices below (number of layers, hidden activation,
    output, optimizer, X layout, shuffling, batch size). Dropout is on when the mask buffer is
    not empty, the Gram path when its state is not empty.

Parameters and optimizer state are double-buffered ``(2, n_params)``: a step reads row
``cur`` and writes row ``1 - cur``, then flips ``cur`` (kept in ``istate``) only when the
new parameters are finite; a refused step leaves everything as it was. ``X`` is stored
feature-major ``(n_x, m)`` or example-major (``X.T`` of an F-ordered ``X``: ``(m, n_x)``,
``codes[C_XMAJOR] == 1``); the first layer's products take either.
"""

import types

import numpy as np

from ._config import entry, helper
from ._intrinsics import prefetch as _prefetch
from ._intrinsics import readonly
from ._intrinsics import view2 as _view2
from .dense import mm_nn, mm_nt, mm_tn
from .dropout import layer_key
from .layers import (OUT_IDENTITY, OUT_POISSON, OUT_SIGMOID, OUT_SOFTMAX, bias_activate, dropout_forward,
                     hidden_backward, output_activate, output_loss)
from .optimizers import optimizer_update, squared_weight_norm
from .shuffle import permutation_into, shuffle_from

# codes[...]
C_L, C_ACT, C_OUT, C_OPT, C_XMAJOR, C_SHUFFLE, C_BATCH, C_EVERY, C_FORM = range(9)
N_CODES = C_FORM + 1
# codes[C_SHUFFLE]: batches in order; the course's RandomState(seed + e).permutation(m) for
# epoch e; or scikit-learn's: the index array reshuffled in place every epoch by a generator
# whose state continues (``key`` and istate[I_MTPOS], from RandomState.get_state()).
SHUFFLE_NONE, SHUFFLE_COURSE, SHUFFLE_CONTINUED = 0, 1, 2
# codes[C_FORM]: the course's bookkeeping (an epoch's cost is the batches' objectives
# weighted by their weight sums; a batch whose weights are all 0 is skipped), or
# scikit-learn's (weighted by their row counts; such a batch is an error, as its 0/0 is).
FORM_COURSE, FORM_SKLEARN = 0, 1
# hyper[...]: H_CAP caps each example's cross-entropy (scikit-learn clips probabilities to
# [eps, 1 - eps]: a cap of -log(eps)); H_LSCALE multiplies a batch's loss sum before the L2
# term is added (scikit-learn's squared error is the mean over targets, 1 / n_targets).
H_BETA, H_BETA1, H_BETA2, H_EPS, H_L2, H_KEEP, H_CAP, H_LSCALE = range(8)
N_HYPER = H_LSCALE + 1
# istate[...]
I_CUR, I_T, I_EPOCH, I_STEP, I_SEED, I_DSEED, I_E0, I_NEED, I_MTPOS = range(9)
N_ISTATE = I_MTPOS + 1
# fstate[...]
F_LOSS, F_WEIGHT = range(2)
# Return codes of the training loop. ZERO_WEIGHT: a batch whose weights sum to 0 in
# scikit-learn's form (np.average raises ZeroDivisionError there).
OK, BAD_COST, BAD_UPDATE, ZERO_WEIGHT = 0, 1, 2, 3


@helper
def _weights(P, layout, l):
    n, n_prev = layout[l, 0], layout[l - 1, 0]
    return _view2(P, layout[l, 1], n, n_prev)


@helper
def _weights_t(P, layout, l):
    """``W[l]``'s slot of ``P`` shaped as ``W[l].T``: ``(n_{l-1}, n_l)`` (a work buffer)."""
    n, n_prev = layout[l, 0], layout[l - 1, 0]
    return _view2(P, layout[l, 1], n_prev, n)


@helper
def _bias(P, layout, l):
    return _view2(P, layout[l, 2], layout[l, 0], 1)


@helper
def _block(buf, layout, l, b):
    """Layer ``l``'s ``(n_l, b)`` block of a per-unit buffer (activations, deltas, masks)."""
    return _view2(buf, layout[l, 3] * b, layout[l, 0], b)


@helper
def _copy2(src, dst):
    """``dst[...] = src`` for 2-D arrays of one shape (an explicit loop: Numba's array slice
    assignment compiles its shape-mismatch message, seconds of compile time)."""
    for i in range(src.shape[0]):
        s = src[i]
        d = dst[i]
        for j in range(s.size):
            d[j] = s[j]


@helper
def _first_product(W, X, xmajor, Z):
    """``Z = W @ X`` for a feature-major ``X`` (n_x, b) or an example-major one (b, n_x)."""
    if xmajor:
        mm_nt(W, X, Z)
    else:
        mm_nn(W, X, Z)


@helper
def _first_weight_grad(dZ, X, xmajor, dW):
    """``dW = dZ @ X.T`` for either layout of ``X``."""
    if xmajor:
        mm_nn(dZ, X, dW)
    else:
        mm_nt(dZ, X, dW)


@helper(inline=True)
def forward(P, layout, codes, xmajor, keep, seed, step, X, b, acts, dropped, masks, gZ1):
    """Forward pass of a batch of ``b`` examples up to the output logits (bias not added).

    Hidden layers are activated in place in ``acts``; with dropout (``masks`` not empty)
    the dropped activations go to ``dropped`` and their masks (drawn for training step
    ``step`` under ``seed``) to ``masks``. ``gZ1`` (not empty on the Gram path) holds
    ``W1 X`` already. The logits are left in the last layer's block of ``acts``.
    """
    L = codes[C_L]
    act = codes[C_ACT]
    dropout = masks.size > 0
    A_prev = X
    for l in range(1, L + 1):
        Z = _block(acts, layout, l, b)
        if l == 1 and gZ1.size > 0:
            _copy2(gZ1, Z)
        elif l == 1:
            _first_product(_weights(P, layout, l), X, xmajor, Z)
        else:
            mm_nn(_weights(P, layout, l), readonly(A_prev), Z)  # typed as X: one compiled product
        if l == L:
            break
        bias_activate(Z, _bias(P, layout, l), act)
        if dropout:
            Ad = _block(dropped, layout, l, b)
            dropout_forward(Z, keep, layer_key(seed, step, l), Ad, _block(masks, layout, l, b))
            A_prev = Ad
        else:
            A_prev = Z


@helper(inline=True)
def backward(out, P, G, layout, codes, xmajor, keep, X, Yf, Yi, w, scale, cap, b, acts, dropped, masks, deltas,
             scratch, gram, want):
    """Output loss (output layer ``out``, see ``layers.output_loss``), then the backward pass: gradients (already divided by the weight sum,
    through ``scale``) into ``G``. Returns the weighted loss sum of the batch (float64; 0.0
    or NaN, see ``layers.output_loss``, without ``want``). On the Gram path (``gram``) the
    first layer's ``dW`` is not computed."""
    L = codes[C_L]
    act = codes[C_ACT]
    dropout = masks.size > 0
    ZL = _block(acts, layout, L, b)
    dZ = _block(deltas, layout, L, b)
    loss = output_loss(out, ZL, _bias(P, layout, L), Yf, Yi, w, scale, cap, dZ, _bias(G, layout, L), scratch,
                       want)
    for l in range(L, 0, -1):
        dZ = _block(deltas, layout, l, b)
        if l == 1:
            if not gram:
                _first_weight_grad(dZ, X, xmajor, _weights(G, layout, l))
            break
        A_prev = _block(dropped, layout, l - 1, b) if dropout else _block(acts, layout, l - 1, b)
        dA = _block(deltas, layout, l - 1, b)
        # dA first: dW's slot in G is free until its product and holds W^T for the loop.
        mm_tn(_weights(P, layout, l), dZ, dA, _weights_t(G, layout, l))
        mm_nt(dZ, readonly(A_prev), _weights(G, layout, l))
        M = _block(masks, layout, l - 1, b) if dropout else _view2(masks, 0, 0, 0)
        hidden_backward(dA, _block(acts, layout, l - 1, b), M, keep, act, _bias(G, layout, l - 1))
    return loss


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


@helper
def _gram_update(gZ, gS, G1, dZ1, lr, cur, product):
    """First layer on the Gram path: ``Z1 <- Z1 - lr dZ1 G``, ``S <- S + lr dZ1`` into the
    spare rows; True when both are finite. The Gram state (``gZ``, ``gS``, ``G1``) is float64
    whatever the model's dtype: ``product`` holds ``dZ1`` widened to float64 (its first half)
    and the product (its second half). A float32 state accumulates the recursion's rounding
    over a long run (the course's cat run drifted to 0.0879 against 0.0884 direct)."""
    n1 = dZ1.shape[0]
    m = dZ1.shape[1]
    d = product[:n1 * m]
    pr = product[n1 * m:2 * n1 * m]
    for i in range(n1):
        row = dZ1[i]
        for j in range(m):
            d[i * m + j] = np.float64(row[j])
    np.dot(_view2(product, 0, n1, m), readonly(G1), _view2(product, n1 * m, n1, m))  # typed as mm_nn's: one np.dot
    z = gZ[cur]
    zn = gZ[1 - cur]
    s = gS[cur]
    sn = gS[1 - cur]
    bad = False
    for q in range(n1 * m):
        v = z[q] - lr * pr[q]
        zn[q] = v
        u = s[q] + lr * d[q]
        sn[q] = u
        bad |= (v - v != 0) | (u - u != 0)
    return not bad


@helper(inline=True)
def step(out, P2, V2, S2, G, segments, layout, codes, hyper, lr, istate, xmajor, X, Yf, Yi, w, weight_sum,
         acts, dropped, masks, deltas, scratch, gZ, gS, G1, product, want):
    """One training step on the batch already in ``X``/``Yf``/``Yi``/``w`` (``b`` columns):
    cost, gradients, update into the spare rows. Returns ``(objective * weight_sum, ok)``:
    the batch's loss sum plus the L2 term ``lambda/2 * sum ||W||^2`` (the loss sum only with
    ``want``: see :func:`backward`), and whether the update is finite. ``istate[I_CUR]`` is
    flipped by the caller when it accepts the step."""
    cur = istate[I_CUR]
    P = P2[cur]
    b = X.shape[0] if xmajor else X.shape[1]
    gram = gZ.size > 0
    keep = hyper[H_KEEP]
    n1m = layout[1, 0] * b
    gZ1 = _view2(gZ[cur], 0, layout[1, 0], b) if gram else _view2(gZ[0], 0, 0, 0)
    forward(P, layout, codes, xmajor, keep, istate[I_DSEED], istate[I_T], X, b, acts, dropped, masks, gZ1)
    scale = 1.0 / weight_sum
    loss = backward(out, P, G, layout, codes, xmajor, keep, X, Yf, Yi, w, scale, hyper[H_CAP], b, acts, dropped,
                    masks, deltas, scratch, gram, want)
    loss *= hyper[H_LSCALE]
    l2 = hyper[H_L2]
    if l2 != 0.0:
        loss += 0.5 * l2 * squared_weight_norm(P, segments)
    t = istate[I_T] + 1
    opt = codes[C_OPT]
    ok = optimizer_update(P, G, V2[cur], S2[cur], P2[1 - cur], V2[1 - cur], S2[1 - cur], segments, opt, lr, l2 / weight_sum,
                          hyper[H_BETA], hyper[H_BETA1], hyper[H_BETA2], hyper[H_EPS], t)
    if gram:
        dZ1 = _block(deltas, layout, np.int64(1), b)  # int64, not a literal: no second compile
        ok = _gram_update(gZ, gS, G1, dZ1, lr, cur, product) and ok
    return loss, ok


@helper
def bs_is_negative(codes):
    """False at run time (batch sizes are not negative), typed as a plain bool."""
    return codes[C_BATCH] < 0


@helper
def _no_dropout(codes):
    """``(keep, seed, step)`` of a pass without dropout, typed as :func:`step` passes them
    (float64, int64, int64): literal constants would make Numba compile ``forward`` again."""
    zero = codes[C_L] - codes[C_L]
    return np.float64(1.0) + zero, zero, zero


@helper
def _commit(istate):
    istate[I_CUR] = 1 - istate[I_CUR]
    istate[I_T] += 1


#: The output layer of a compiled copy of :func:`train_loop` / :func:`predict_block` (each
#: copy has its own value: see :func:`_compiled_for`). Those two are templates: only their
#: compiled copies are called.
OUTPUT = OUT_SIGMOID


def train_loop(P2, V2, S2, G, segments, layout, codes, hyper, lrs, istate, fstate, epoch_costs,
               X, Yf, Yi, w, total_weight, perm, key, Xb, Yfb, Yib, wb,
               acts, dropped, masks, deltas, scratch, gZ, gS, G1, product, n_epochs, max_steps):
    """Train until epoch ``n_epochs`` is complete or ``max_steps`` steps have run. Compiled
    once per output layer, :data:`OUTPUT` (:func:`train_for`).

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
            loss, ok = step(OUTPUT, P2, V2, S2, G, segments, layout, codes, hyper, lrs[e - e0], istate, xmajor, X, Yf, Yi,
                            w, total_weight, acts, dropped, masks, deltas, scratch, gZ, gS, G1, product, want)
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
            loss, ok = step(OUTPUT, P2, V2, S2, G, segments, layout, codes, hyper, lrs[e - e0], istate, batch_major,
                            readonly(Xv), readonly(Yfv), readonly(Yiv), readonly(wv), weight, acts, dropped, masks,
                            deltas, scratch, gZ, gS, G1, product, want)
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


@entry
def update(P2, V2, S2, G, segments, codes, hyper, lr, weight_sum, istate):
    """The update of a step whose gradients (times ``1 / weight_sum``, L2 not included) are
    already in ``G``: the optimizer writes the spare rows and, when every new parameter is
    finite, the step is committed (``istate[I_CUR]`` flipped, ``istate[I_T]`` counted).
    Returns ``(ok, l2_term)``, ``l2_term = lambda/2 * sum ||W||^2`` at the parameters before
    the update (what :func:`step` adds to a batch's loss sum). Numba JIT-compiled.

    This is :func:`step`'s update alone, for a driver that computes the gradients elsewhere
    (a data-parallel fit sums them over partitions)."""
    cur = istate[I_CUR]
    l2 = hyper[H_L2]
    term = 0.5 * l2 * squared_weight_norm(P2[cur], segments) if l2 != 0.0 else 0.0
    ok = optimizer_update(P2[cur], G, V2[cur], S2[cur], P2[1 - cur], V2[1 - cur], S2[1 - cur], segments,
                          codes[C_OPT], lr, l2 / weight_sum, hyper[H_BETA], hyper[H_BETA1], hyper[H_BETA2],
                          hyper[H_EPS], istate[I_T] + 1)
    if ok:
        _commit(istate)
    return ok, term


@entry
def loss_and_gradients(P, G, layout, codes, X, Yf, Yi, w, scale, cap, acts, deltas, scratch):
    """Weighted loss sum of ``(X, Y)`` at parameters ``P`` (1-D), gradients (times ``scale``
    and the weights) into ``G``; no dropout, no update. ``cap``: each example's
    cross-entropy capped (``np.inf``: none; see ``H_CAP``). Numba JIT-compiled.

    With ``scale = 1 / sum(w)`` over a whole data set split in parts, the gradients of the
    parts add up to the data set's (what a data-parallel fit reduces).
    """
    xmajor = codes[C_XMAJOR] == 1
    b = X.shape[0] if xmajor else X.shape[1]
    none = np.empty(0, np.uint8)
    no_gram = np.empty((0, 0), np.float64)
    keep, seed, step_ = _no_dropout(codes)
    forward(P, layout, codes, xmajor, keep, seed, step_, X, b, acts, acts[:0], none, no_gram)
    no = bs_is_negative(codes)  # run-time False (see train_loop)
    # The output layer known at run time: all three compiled (this entry serves every model).
    return backward(codes[C_OUT], P, G, layout, codes, xmajor, keep, X, Yf, Yi, w, scale, cap, b, acts, acts[:0],
                    none, deltas, scratch, no, not no)


def predict_block(P, layout, codes, X, acts):
    """Output of the network for a feature-major ``X`` ``(n_x, b)``: probabilities (sigmoid
    or softmax) or values, left in (and returned as a view of) the last layer's block of
    ``acts``. Compiled once per output layer, :data:`OUTPUT` (:func:`predict_for`)."""
    L = codes[C_L]
    b = X.shape[1]
    none = np.empty(0, np.uint8)
    keep, seed, step_ = _no_dropout(codes)
    forward(P, layout, codes, bs_is_negative(codes), keep, seed, step_, X, b, acts, acts[:0], none,
            np.empty((0, 0), np.float64))
    Z = _block(acts, layout, L, b)
    output_activate(OUTPUT, Z, _bias(P, layout, L))
    return Z


_OUTPUT_NAMES = {OUT_SIGMOID: "sigmoid", OUT_SOFTMAX: "softmax", OUT_IDENTITY: "identity", OUT_POISSON: "poisson"}


def _compiled_for(fn, out):
    """A cached entry compiled from ``fn``'s code with :data:`OUTPUT` = ``out``: a copy of
    the function over a copy of this module's globals (Numba reads a global as a compile-
    time constant), named for its output layer so that its cache files are its own."""
    name = f"{fn.__name__}_{_OUTPUT_NAMES[out]}"
    copy = types.FunctionType(fn.__code__, dict(fn.__globals__, OUTPUT=out), name, fn.__defaults__)
    copy.__qualname__ = name
    copy.__module__ = fn.__module__
    copy.__doc__ = f":func:`{fn.__name__}` for the {_OUTPUT_NAMES[out]} output layer. Numba JIT-compiled."
    return entry(copy)


# One compiled training loop (and prediction) per output layer: each compiles its own
# output layer only. With the three in one loop (a run-time code) the first fit compiled
# all three, about 1 s more of the first `fastnn train`; a program that trains two kinds of
# output compiles the loop's own code twice instead (the helpers under it are shared).
_TRAIN = {out: _compiled_for(train_loop, out) for out in _OUTPUT_NAMES}
_PREDICT = {out: _compiled_for(predict_block, out) for out in _OUTPUT_NAMES}


def train_for(out):
    """The compiled training loop (:func:`train_loop`) for the output layer ``out``
    (``codes[C_OUT]``), called with :func:`train_loop`'s arguments."""
    return _TRAIN[out]


def predict_for(out):
    """The compiled prediction (:func:`predict_block`) for the output layer ``out``."""
    return _PREDICT[out]
