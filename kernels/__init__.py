"""Numba-compiled training kernels (installed as ``fastnn.kernels``).

Every kernel is a plain loop over preallocated arrays, output(s) passed last; kernels
return only scalars.  Inputs are 2-D C-contiguous arrays of one float dtype (float64 or
float32; outputs keep the input dtype).  Nothing is compiled at import: each kernel
compiles (or loads from Numba's on-disk cache) on its first call for a given dtype/layout.

Parallel and serial variants
    ``from fastnn.kernels import bias_relu`` gives the PARALLEL dispatcher;
    ``bias_relu.serial`` is the same function compiled with ``parallel=False``
    (``bias_relu.parallel`` is the parallel one again).  ``choose(bias_relu, Z.size)``
    returns the serial variant below ``PARALLEL_MIN_ELEMENTS`` elements, else the parallel.

Kernels
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

Compiled training (``fastnn.kernels.network``)
    ``train`` runs whole epochs of mini-batch or full-batch steps over preallocated state;
    ``loss_and_gradients`` and ``predict`` the passes alone.  Their building blocks are in
    ``layers`` (element-wise work and output layers), ``dense`` (matrix products),
    ``optimizers`` (fused updates), ``dropout`` (counter-based masks) and ``shuffle`` (NumPy's
    permutation, bit for bit).

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
