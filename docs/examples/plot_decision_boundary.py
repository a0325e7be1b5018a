"""
Decision boundaries on the planar flower
========================================

Logistic regression draws a straight boundary and cannot separate the flower's petals; the
course's shallow network with 4 tanh hidden units can. Both models take the data as the
course lays it out: ``X`` of shape ``(n_x, m)``, one point per column.
"""

import matplotlib.pyplot as plt
import numpy as np

import fastnn
from fastnn.datasets import load_planar

X, Y = load_planar()

logistic = fastnn.LogisticRegression(learning_rate=0.1, n_iterations=2000).fit(X, Y)
net = fastnn.DeepNetwork([2, 4, 1], hidden_activation="tanh", init="small", seed=2,
                         learning_rate=1.2, n_iterations=10000).fit(X, Y)
print(f"logistic regression: {logistic.score(X, Y):.1%}, [2, 4, 1] tanh network: {net.score(X, Y):.1%}")

# %%
# The boundary is where the predicted class changes: we predict on a grid of points, given
# to ``predict`` as the columns of a ``(2, n_points)`` array.

x0, x1 = np.meshgrid(np.linspace(X[0].min() - 1, X[0].max() + 1, 300),
                     np.linspace(X[1].min() - 1, X[1].max() + 1, 300))
grid = np.vstack([x0.ravel(), x1.ravel()])  # (2, 90000)

fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), sharey=True)
for ax, model, title in ((axes[0], logistic, "logistic regression"),
                         (axes[1], net, "[2, 4, 1] tanh network")):
    classes = model.predict(grid).reshape(x0.shape)
    ax.contourf(x0, x1, classes, levels=[-0.5, 0.5, 1.5], colors=["#c6dbef", "#fdd0a2"])
    ax.scatter(X[0], X[1], c=Y[0], cmap="coolwarm", s=8, edgecolors="none")
    ax.set_title(f"{title}: {model.score(X, Y):.1%}")
    ax.set_xlabel("x1")
axes[0].set_ylabel("x2")
fig.tight_layout()
plt.show()
