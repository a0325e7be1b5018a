"""scikit-learn's multi-layer perceptrons, trained by fastnn: :class:`MLPClassifier` and
:class:`MLPRegressor`.

The same estimators as ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor`` (as of
scikit-learn 1.9): every parameter with its name, default, meaning and the installed
scikit-learn's own checks; every fitted attribute; and, for the same data, parameters and
``random_state``, **the same model**, to rounding. The initial weights are drawn from
``random_state`` exactly as scikit-learn draws them, the epochs reshuffle with the same
generator, the early-stopping split is scikit-learn's own, and the updates (Adam, SGD with
classical or Nesterov momentum, the ``"constant"``, ``"invscaling"`` and ``"adaptive"``
learning rates), losses (the log losses' clipping included), L2 term, ``loss_curve_`` and
stopping rules are scikit-learn's formulas in its order of operations. ``solver="lbfgs"`` is
SciPy's L-BFGS-B called as scikit-learn calls it. What differs is where the arithmetic runs:
the epochs in fastnn's compiled training loop, the loss and gradients of L-BFGS and every
prediction in its compiled passes.

Needs scikit-learn (``pip install fastnn-numba[sklearn]``); ``import fastnn`` never imports it.

- :func:`patch_sklearn` / :func:`unpatch_sklearn`: make ``sklearn.neural_network``'s
  estimators fastnn's for code that imports them afterwards; ``python -m fastnn.sklearn
  script.py [args]`` runs a script so patched.
- ``est.to_sklearn()`` / ``MLPClassifier.from_sklearn(sk_est)``: a fitted model as a genuine
  scikit-learn estimator (for skops, ONNX converters, anything that checks the class) and
  back, with the same predictions.

Layout. scikit-learn's ``X`` is sample-major ``(n_samples, n_features)``; fastnn's kernels
read ``X.T`` of a C-ordered ``X`` in place (their example-major layout), so no copy of ``X``
is made beyond the batch being trained on.

fastnn's own parameters, off by default: ``dtype`` (compute in float32 or float64 whatever
X's dtype; ``None``: X's, scikit-learn's convention), ``keep_prob`` (inverted dropout on the
hidden layers) and, for the classifier, ``class_weight`` (as ``LogisticRegression``'s,
multiplying the sample weights; ``"balanced"`` not in ``partial_fit``).

What is left different from scikit-learn:

- Rounding. Matrix products run in another order (fastnn's products and BLAS calls, sums of
  the bias gradients in float64), so fits agree to rounding, not bit for bit: about 1e-12
  relative after an epoch in float64, growing as training amplifies it (a chaotic fit
  drifts as two runs of scikit-learn on different CPUs do).
- Float32. The loss sums accumulate in float64 where scikit-learn sums float32 values, so
  a float32 ``loss_curve_`` differs in its last digits; Adam's update is computed in
  float32, where scikit-learn computes that one expression in float64 before rounding the
  new parameter to float32. Float32 training amplifies rounding (one ulp of one input moves
  scikit-learn's own 30-epoch float32 model by about 5e-2), so float32 fits agree to about
  1e-6 over the first epochs and then as closely as two float32 runs of scikit-learn on
  different CPUs.
- Sparse ``X`` is densified (the kernels are dense).
- An epoch runs in compiled code, in calls of about 50 ms: Ctrl-C stops the fit between two
  calls (scikit-learn's between two batches), keeping the completed steps, with its
  warning.
- A divergence (non-finite parameters) ends the fit with scikit-learn's ``ValueError``;
  a training batch whose sample weights sum to 0 raises ``ZeroDivisionError`` as
  scikit-learn's ``np.average`` does.
"""

try:
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise ImportError("fastnn.sklearn needs scikit-learn >= 1.6: pip install 'fastnn-numba[sklearn]'") from exc

from .estimators import MLPClassifier, MLPRegressor
from .conversion import to_sklearn
from .patching import from_sklearn, patch_sklearn, sklearn_is_patched, unpatch_sklearn

__all__ = ["MLPClassifier", "MLPRegressor", "patch_sklearn", "unpatch_sklearn", "sklearn_is_patched",
           "to_sklearn", "from_sklearn"]
