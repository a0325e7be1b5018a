"""
MNIST-1D: accuracy per epoch
============================

The MNIST-1D paper's MLP (Greydanus & Kobak, "Scaling down deep learning"):
``[40, 100, 100, 10]`` ReLU with a softmax output, Adam at 0.01, batches of 100, on the
standard split of 4000 training and 1000 test signals (10 classes).
:func:`fastnn.datasets.load_mnist1d` generates it offline with the ``mnist1d`` package
(nothing is downloaded). With ``validation_data`` and ``record_every=1`` the fit records the
test split's cost and accuracy after every epoch (``validation_costs_``,
``validation_scores_``).
"""

import matplotlib.pyplot as plt
import numpy as np

import fastnn
from fastnn.datasets import load_mnist1d

X, Y, X_test, Y_test = load_mnist1d()  # (40, 4000), (1, 4000) int64 labels, (40, 1000), (1, 1000)
print("train", X.shape, Y.shape, "test", X_test.shape, Y_test.shape)

net = fastnn.DeepNetwork([40, 100, 100, 10], init="he", seed=1, optimizer="adam", learning_rate=0.01,
                         batch_size=100, n_iterations=150, record_every=1, dtype="float32")
net.fit(X, Y, validation_data=(X_test, Y_test))
print(f"after {net.n_iter_} epochs: train accuracy {net.score(X, Y):.1%}, test accuracy {net.score(X_test, Y_test):.1%}")

# %%
# ``costs_`` is the training objective of each epoch, ``validation_scores_`` the test
# accuracy after it.

epochs = np.arange(len(net.costs_))
fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.8))
ax_cost.plot(epochs, net.costs_, label="train")
ax_cost.plot(epochs, net.validation_costs_, label="test")
ax_cost.set_xlabel("epoch")
ax_cost.set_ylabel("cross-entropy")
ax_cost.legend()
ax_acc.plot(epochs, net.validation_scores_, color="C1")
ax_acc.set_xlabel("epoch")
ax_acc.set_ylabel("test accuracy")
ax_acc.set_ylim(0, 1)
fig.suptitle("MNIST-1D, [40, 100, 100, 10] ReLU, Adam 0.01, batch 100")
fig.tight_layout()
plt.show()

# %%
# The test cost turns up after a few epochs while the test accuracy holds: the network
# grows over-confident on the examples it gets wrong. ``early_stopping=True`` with the same
# ``validation_data`` would stop once the validation cost has not improved for
# ``n_iter_no_change`` (10) recorded epochs and keep the best parameters
# (``best_iteration_``): here it keeps epoch 6, about 60 % test accuracy, where all 150
# epochs reach about 67 % (see :doc:`/guide/training`).
