"""Numba-compiled training kernels (installed as ``fastnn.kernels``).

Two tiers
    **Per-layer parallel operations** (the names below): one layer's element-wise work, output
    loss, backward step or update, as a parallel and a serial variant each, with outputs
    preallocated by the caller and passed last; they return only scalars.  Inputs are 2-D
    C-contiguous arrays of one float dtype (float64 or float32; outputs keep the input dtype).
    ``LogisticRegression``, the tests and the benchmarks call them.

    **The fused training loop** that ``DeepNetwork``, the scikit-learn adapter and the Dask
    trainer run: whole epochs of mini-batch or full-batch steps in one compiled call, serial
    helpers inlined or linked into it.  By concept: ``codes`` (the integer codes and name
    maps), ``passes`` (forward and backward on flat buffers), ``gather`` (a mini-batch from
    either layout of ``X``), ``gram`` (the Gram first layer), ``loop`` (the step and the loop),
    ``entries`` (what Python calls: ``train_for``, ``predict_for``, ``update``,
    ``loss_and_gradients``); ``network`` gathers their names.  Their building blocks:
    ``layers`` (element-wise work and output layers), ``dense`` (matrix products),
    ``optimizers`` (fused updates), ``dropout`` (counter-based masks), ``shuffle`` (NumPy's
    and scikit-learn's permutations, bit for bit).

Nothing is compiled at import: each kernel compiles (or loads from Numba's on-disk cache) on
its first call for a given dtype/layout.

Parallel and serial variants
    ``from fastnn.kernels import bias_relu`` gives the PARALLEL dispatcher;
    ``bias_relu.serial`` is the same function compiled with ``parallel=False``
    (``bias_relu.parallel`` is the parallel one again).  ``choose(bias_relu, Z.size)``
    returns the serial variant below ``PARALLEL_MIN_ELEMENTS`` elements, else the parallel.

Per-layer kernels
    forward  : bias_sigmoid, bias_relu, bias_tanh, bias_add         (Z, b, out)
    output   : sigmoid_cross_entropy(Z, b, Y, scale, dZ) -> (cost, db)
               cross_entropy_from_logits(Z, b, Y) -> cost
               softmax_cross_entropy(Z, b, labels, scale, dZ, db) -> cost
               squared_error(Z, b, Y, scale, dZ, db) -> cost
    backward : relu_backward, tanh_backward, sigmoid_backward      (dA, A, dZ, db)
    update   : sgd_update(P, dP, learning_rate); sgd_step(P, dP, learning_rate, out) -> all finite
    logistic : logistic_n_chunks(m) -> int
               logistic_step_examples(Xe, w, b, Y, partial_dw, partial_sums, dw) -> (cost, db)
               logistic_step_features(X, w, b, Y, partial_dw, partial_sums, dw) -> (cost, db)

Determinism: every reduction (costs, ``db``, ``dw``) accumulates in float64 in an order
fixed by the shapes only, so results are bit-identical at any Numba thread count.
See ``_config`` for the fastmath, caching and threshold policies.
"""

from ._config import CACHE, FASTMATH, PARALLEL_MIN_ELEMENTS, choose
from .backward import relu_backward, sigmoid_backward, tanh_backward
from .forward import bias_add, bias_relu, bias_sigmoid, bias_tanh
from .output import cross_entropy_from_logits, sigmoid_cross_entropy, softmax_cross_entropy, squared_error
from .logistic import logistic_n_chunks, logistic_step_examples, logistic_step_features
from .update import sgd_step, sgd_update

__all__ = [
    "CACHE",
    "FASTMATH",
    "PARALLEL_MIN_ELEMENTS",
    "choose",
    "bias_add",
    "bias_relu",
    "bias_sigmoid",
    "bias_tanh",
    "sigmoid_cross_entropy",
    "cross_entropy_from_logits",
    "softmax_cross_entropy",
    "squared_error",
    "relu_backward",
    "tanh_backward",
    "sigmoid_backward",
    "sgd_update",
    "sgd_step",
    "logistic_n_chunks",
    "logistic_step_examples",
    "logistic_step_features",
]
