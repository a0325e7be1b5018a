"""A fully-connected network's kernels, by concept (this module gathers their names).

- ``codes.py``: the integer codes (slots of ``codes``/``hyper``/``istate``/``fstate``, option
  values, the loop's return status) and the name maps;
- ``passes.py``: the views of a layer in the flat buffers, the forward and backward passes;
- ``gather.py``: a mini-batch gathered from ``X`` (either layout) with its targets;
- ``gram.py``: the Gram first layer's update;
- ``loop.py``: the training step and the training loop (compiled whole);
- ``entries.py``: what Python calls: :func:`train_for`, :func:`predict_for`,
  :func:`update`, :func:`loss_and_gradients`.

Code written against the former single module keeps working: every name it held is here.
"""

from .codes import *  # noqa: F401,F403  (every code, as the single module had them)
from .entries import _OUTPUT_NAMES, loss_and_gradients, predict_block, predict_for, train_for, update  # noqa: F401
from .gather import _gather, _gather_targets  # noqa: F401
from .gram import _gram_update  # noqa: F401
from .loop import OUTPUT, _commit, _end_epoch, _needs_cost, step, train_loop  # noqa: F401
from .passes import (_bias, _block, _copy2, _first_product, _first_weight_grad, _no_dropout, _weights,  # noqa: F401
                     _weights_t, backward, bs_is_negative, forward)
