"""
Learning curves on the planar flower
====================================

The first course's shallow network, ``[2, n_h, 1]`` with tanh hidden units, on the planar
"flower" data set (:func:`fastnn.datasets.load_planar`: 400 points, two classes), trained by
full-batch gradient descent. We record the cost every 100 iterations (``costs_``) for a few
hidden-layer sizes and learning rates.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastnn
from fastnn.datasets import load_planar

X, Y = load_planar()  # X: (2, 400), one point per column; Y: (1, 400) of 0/1
print("X", X.shape, "Y", Y.shape)

# %%
# Hidden-layer size
# -----------------
# The course's network has 4 hidden units, learning rate 1.2, 10000 iterations. One unit
# is close to logistic regression; more units fit the petals better.

fig, ax = plt.subplots(figsize=(6.4, 4))
for n_h in (1, 2, 4, 20):
    net = fastnn.DeepNetwork([2, n_h, 1], hidden_activation="tanh", init="small", seed=2,
                             learning_rate=1.2, n_iterations=10000, record_every=100)
    net.fit(X, Y)
    iterations = np.arange(len(net.costs_)) * net.record_every
    ax.plot(iterations, net.costs_, label=f"n_h = {n_h}: accuracy {net.score(X, Y):.1%}")
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_title("[2, n_h, 1] tanh, learning rate 1.2")
ax.legend()
fig.tight_layout()

# %%
# Learning rate
# -------------
# The same 4-unit network at three learning rates: too small learns slowly; 1.2 is the
# course's choice.

fig, ax = plt.subplots(figsize=(6.4, 4))
for lr in (0.05, 0.3, 1.2):
    net = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", init="small", seed=2,
                             learning_rate=lr, n_iterations=10000, record_every=100).fit(X, Y)
    iterations = np.arange(len(net.costs_)) * net.record_every
    ax.plot(iterations, net.costs_, label=f"learning rate {lr}")
ax.set_xlabel("iteration")
ax.set_ylabel("cost J")
ax.set_yscale("log")
ax.set_title("[2, 4, 1] tanh")
ax.legend()
fig.tight_layout()
plt.show()
