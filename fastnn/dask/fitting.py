"""Training on dask input: ``fit``, and what it runs.

:class:`_Trainer` is the data side of a distributed fit: the partitions, held in the
cluster's memory or streamed from their source (:func:`_decide_hold`: ``fastnn.persist``,
``fastnn.memory-fraction``), their weights, and the steps (full batch or mini-batch) that
sum the partitions' losses and gradients. :class:`_Loop` is the in-memory training loop
(``fastnn.training.Loop``: recording, progress, callbacks, divergence, Ctrl-C) with its
compiled call replaced by those steps and the optimizer's update applied on the client."""

import math
import uuid
import warnings

import dask
import numpy as np

from .. import training
from ..kernels import network as KN
from ..kernels import state as KS
from . import _model
from ._settings import _setting
from .backends import ClusterError, _backend
from .checks import _inputs, _is_dask_array
from .partitions import _grad_from_source, _grad_task, _load_targets, _prepare, _raise_problems


class _Trainer:
    """The data side of a distributed fit: partitions (held or streamed), their sizes and
    weights, and the steps (full batch or mini-batch) that the loop calls."""

    def __init__(self, backend, inputs, dims, codes, output, hold):
        self.backend, self.inputs, self.dims, self.codes = backend, inputs, dims, codes
        self.spec = (inputs.dtype.str, output, dims[-1], dims[1])
        self.hold = hold
        self.parts = None
        self.targets = None
        self.places = None
        self.total_weight = None
        self.weights = None  # per-partition weight sums
        self.w_client = None  # the weights in memory (weighted mini-batches only)
        self._perm_epoch = None
        self._perm = None
        self.pending_check = False

    def load(self):
        """The first pass: hold the partitions, checked (raising the in-memory ValueError of
        the first bad value), or, streaming, hold the checked targets (X and the targets'
        problems are raised by the first step)."""
        inputs = self.inputs
        blocks = inputs.delayed_blocks()
        if self.hold:
            name = f"fastnn-partition-{uuid.uuid4().hex[:8]}"
            places = self.places = self.backend.placement(inputs.sizes)
            tasks = []
            for k, (Xb, Yb, wb) in enumerate(blocks):
                # A loose restriction: balanced over the workers' threads, anywhere when lost.
                with dask.annotate(**({} if places[k] is None else dict(workers=[places[k]],
                                                                        allow_other_workers=True))):
                    tasks.append(dask.delayed(_prepare, pure=False)(k, inputs.offsets[k], Xb, Yb, wb, self.spec,
                                                                    dask_key_name=f"{name}-{k}"))
            self.parts = self.backend.hold(tasks)
            try:
                summaries = self.backend.summaries(self.parts)
                _raise_problems(summaries, inputs)
            except BaseException:
                self.close()
                raise
            self.weights = [s[2] for s in summaries]
        else:  # out of core: hold the targets, stream X (checked by the first step)
            places = self.backend.placement(inputs.sizes)
            tasks = []
            for k, (Xb, Yb, wb) in enumerate(blocks):
                with dask.annotate(**({} if places[k] is None else dict(workers=[places[k]],
                                                                        allow_other_workers=True))):
                    tasks.append(dask.delayed(_load_targets, pure=False)(k, inputs.offsets[k], inputs.sizes[k], Yb,
                                                                         wb, self.spec))
            self.targets = self.backend.hold(tasks)
            try:
                summaries = self.backend.summaries(self.targets)
            except BaseException:
                self.close()
                raise
            self.weights = [s[2] for s in summaries]
            self.pending_check = True
        self.total_weight = math.fsum(self.weights) if inputs.w is not None else float(inputs.m)

    def close(self):
        for name in ("parts", "targets"):
            held = getattr(self, name)
            if held is not None:
                self.backend.release(held)
                setattr(self, name, None)

    # ---------------------------------------------------------------- one step

    def gradients(self, P, scale, columns=None):
        """``(loss sum, summed gradients)`` over the partitions (in partition order) at the
        flat parameters ``P``: the whole set, or the mini-batch ``columns`` (a list of
        per-partition index arrays, None where a partition has no example in the batch)."""
        inputs, dims, codes = self.inputs, self.dims, self.codes
        if self.hold:
            self.places = self.backend.holders(self.parts, self.places)
            if columns is None:
                calls = [(part, P, dims, codes, scale) for part in self.parts]
                places = self.places
            else:
                calls = [(part, P, dims, codes, scale, c) for part, c in zip(self.parts, columns) if c is not None]
                places = [w for w, c in zip(self.places, columns) if c is not None]
            results = self.backend.run(_grad_task, calls, places)
        else:
            check = self.pending_check
            tasks = [dask.delayed(_grad_from_source, pure=False)(k, inputs.offsets[k], Xb, targets, self.spec, P,
                                                                 dims, codes, scale, check)
                     for k, ((Xb, _, _), targets) in enumerate(zip(inputs.delayed_blocks(), self.targets))]
            with warnings.catch_warnings():  # X's source may be in the graph: the user's choice
                warnings.filterwarnings("ignore", message=".*[Ll]arge graph.*")
                out = self.backend.compute(tasks)
            if check or any(r[2] is not None for r in out):
                _raise_problems([r[2] for r in out], inputs)
                self.pending_check = False
            results = [(r[0], r[1]) for r in out]
        loss = 0.0
        G = None
        for part_loss, part_G in results:
            loss += part_loss
            if G is None:
                G = part_G.copy()
            else:
                G += part_G
        return loss, G

    def batch_columns(self, epoch, j0, j1, shuffle, seed):
        """Per-partition local indices of the batch ``perm[j0:j1]`` of ``epoch`` (in batch
        order), and the batch's weight sum (float64, in batch order as the kernel sums it)."""
        inputs = self.inputs
        if self._perm_epoch != epoch:
            self._perm = (np.random.RandomState(seed + epoch).permutation(inputs.m) if shuffle
                          else np.arange(inputs.m))
            self._perm_epoch = epoch
        idx = self._perm[j0:j1]
        starts = np.asarray(inputs.offsets, np.int64)
        owner = np.searchsorted(starts, idx, side="right") - 1
        order = np.argsort(owner, kind="stable")
        bounds = np.searchsorted(owner[order], np.arange(inputs.n_parts + 1))
        columns = []
        for k in range(inputs.n_parts):
            sel = idx[order[bounds[k]:bounds[k + 1]]] - starts[k]
            columns.append(sel if sel.size else None)
        if self.w_client is not None:
            weight = float(np.cumsum(self.w_client[idx], dtype=np.float64)[-1])
        else:
            weight = float(idx.size)
        return columns, weight


class _Shape:
    """What the in-memory loop reads of its ``Data`` (sizes only: the data is distributed)."""

    def __init__(self, inputs):
        self.m, self.n_x = inputs.m, inputs.n_x
        self.total_weight = None


class _Loop(training.Loop):
    """The in-memory training loop (recording, progress, callbacks, divergence, Ctrl-C) with
    its compiled call replaced by distributed steps."""

    def __init__(self, trainer, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.trainer = trainer

    def _call(self, n_epochs, max_steps):
        s = self.state
        istate, fstate = s.istate, s.fstate
        trainer = self.trainer
        bs = int(s.codes[KN.C_BATCH])
        m = trainer.inputs.m
        steps = 0
        cost = math.nan
        while istate[KN.I_EPOCH] < n_epochs and steps < max_steps:
            e = int(istate[KN.I_EPOCH])
            if istate[KN.I_STEP] == 0:
                fstate[KN.F_LOSS] = 0.0
                fstate[KN.F_WEIGHT] = 0.0
            P = s.parameters()
            try:
                if bs == 0:
                    weight = trainer.total_weight
                    loss, G = trainer.gradients(P, 1.0 / weight)
                    last = True
                else:
                    j0 = int(istate[KN.I_STEP]) * bs
                    j1 = min(m, j0 + bs)
                    columns, weight = trainer.batch_columns(e, j0, j1, bool(s.codes[KN.C_SHUFFLE]),
                                                            int(istate[KN.I_SEED]))
                    loss, G = trainer.gradients(P, 1.0 / weight, columns)
                    last = j1 == m
            except ClusterError as exc:
                raise ClusterError(self._lost(e, exc)) from exc
            if not math.isfinite(loss):
                return KN.BAD_COST, steps, loss / weight
            s.G[:] = G
            ok, term = KN.update(KS.Params(s.P2, s.V2, s.S2, s.G), KS.Net(s.layout.segments, s.layout.table, s.codes,
                                                                          self.hyper), self.lrs[e], weight, istate)
            loss += term
            cost = loss / weight
            if not math.isfinite(loss):
                if ok:  # undo the commit: a step whose cost is not finite is refused
                    istate[KN.I_CUR] = 1 - istate[KN.I_CUR]
                    istate[KN.I_T] -= 1
                return KN.BAD_COST, steps, cost
            if not ok:
                return KN.BAD_UPDATE, steps, cost
            steps += 1
            fstate[KN.F_LOSS] += loss
            fstate[KN.F_WEIGHT] += weight
            if last:
                self.epoch_costs[e] = fstate[KN.F_LOSS] / fstate[KN.F_WEIGHT]
                istate[KN.I_EPOCH] = e + 1
                istate[KN.I_STEP] = 0
            else:
                istate[KN.I_STEP] += 1
        return KN.OK, steps, cost

    def _lost(self, epoch, exc):
        s = self.state
        where = f"{self.unit} {epoch}"
        if s.codes[KN.C_BATCH] > 0:
            where += f", step {int(s.istate[KN.I_STEP])} of the epoch"
        last = "step" if s.codes[KN.C_BATCH] > 0 else "iteration"
        return (f"fit: the Dask cluster failed during {where} ({exc}); the model keeps the parameters of the "
                f"last completed {last} (n_iter_={epoch}, n_steps_={int(s.istate[KN.I_T])})")


def _decide_hold(backend, inputs, units):
    """Hold the partitions in the cluster's memory, or stream them from their source."""
    setting = _setting("persist", "auto")
    if setting is True or setting is False:
        return setting
    if isinstance(setting, str) and setting.lower() in ("true", "false"):
        return setting.lower() == "true"
    memory = backend.memory()
    if memory is None:
        return True
    return inputs.nbytes(units) <= float(_setting("memory-fraction", 0.5)) * memory


def fit(model, X, Y, sample_weight=None, *, validation_data=None, progress=False, callback=None, verbose=False):
    """``DeepNetwork.fit`` for dask input (see the notes of :mod:`fastnn.dask`). Returns the model."""
    from ..optimizers import learning_rates, state_arrays

    dtype = _model.check_hyperparameters(model)
    if model.keep_prob < 1:
        raise ValueError(
            f"keep_prob: dropout (keep_prob={model.keep_prob!r}) is not available on dask input: the in-memory fit "
            "draws one mask per unit and example of the whole batch, and the per-partition kernel runs without "
            "dropout; use keep_prob=1, or compute X into memory"
        )
    if model.first_layer == "gram":
        raise ValueError("first_layer: 'gram' needs X in memory (it builds the m x m matrix X^T X); "
                         "on dask input use first_layer='auto' or 'direct'")
    if model.early_stopping and validation_data is None:
        raise ValueError(
            "early_stopping: on dask input pass validation_data=(X_val, Y_val); holding out "
            f"validation_fraction={model.validation_fraction} of a distributed X would pull that part of X "
            "into memory"
        )
    inputs = _inputs(model, X, Y, sample_weight, dtype)
    layout = _model.layout(model)
    backend = _backend()
    hold = _decide_hold(backend, inputs, layout.units)
    if model.batch_size is not None and not hold:
        raise ValueError(
            f"batch_size: mini-batches (batch_size={model.batch_size}) need the partitions held in the cluster's "
            f"memory (every step touches every partition), and this X ({inputs.nbytes(layout.units) / 2**20:.0f} MiB "
            "with work buffers) is streamed from its source; add workers or memory, or set "
            "dask.config.set({'fastnn.persist': True}) to hold it (dask spills to disk)"
        )
    batch = 0 if model.batch_size is None else min(int(model.batch_size), inputs.m)
    codes = _model.codes(model, 0, batch)
    trainer = _Trainer(backend, inputs, _model.dims(model), _model.codes(model, 0, 0), _model.output(model), hold)
    try:
        trainer.load()  # raises the in-memory ValueError for bad values, before the model changes
    except ClusterError as exc:
        raise ClusterError(f"fit: the Dask cluster failed while loading the partitions ({exc})") from exc
    try:
        if batch and inputs.w is not None:
            trainer.w_client = np.asarray(inputs.w.compute(), dtype=inputs.dtype)
        # As DeepNetwork._start: the model's fitted state starts afresh.
        rng_seed = _model.reset_fitted_state(model, inputs.dtype)
        model.first_layer_ = "direct"
        if validation_data is not None:
            validation_data = _in_memory_validation(validation_data)
        validation = _model.validation_set(model, inputs.X, None, None, None, validation_data, rng_seed, False)
        validation = validation and validation[1]
        P = layout.flatten(model.parameters_, inputs.dtype)
        state = training.TrainingState(layout, P, _model.codes(model, 0, 0), state_arrays(model.optimizer), None,
                                       None, 0, 0, inputs.n_x, False)
        state.codes = codes
        s = state.istate
        s[KN.I_SEED] = model.shuffle_seed_
        s[KN.I_DSEED] = model.dropout_seed_
        lrs = learning_rates(float(model.learning_rate), model.n_iterations, model.lr_decay,
                             float(model.decay_rate), int(model.decay_interval))
        loop = _Loop(trainer, state, _Shape(inputs), _model.hyper(model), lrs, model.record_every, progress=progress,
                     verbose=verbose, first_epoch=0, describe_epoch="epoch" if batch else "iteration")
        loop.on_epoch, loop.wants, tracker = _model.epoch_hook(model, layout, codes, state, validation, callback,
                                                               loop)
        try:
            loop.run()
        finally:
            _model.finish(model, layout, state, loop, lrs, False, None, 0, tracker)
    finally:
        trainer.close()
    return model


def _in_memory_validation(validation_data):
    """``validation_data`` with dask arrays computed into memory (once, before training)."""
    try:
        X_val, Y_val = validation_data
    except (TypeError, ValueError):
        return validation_data  # the model's own check raises the in-memory TypeError
    if _is_dask_array(X_val) or _is_dask_array(Y_val):
        X_val, Y_val = dask.compute(X_val, Y_val)
    return X_val, Y_val
