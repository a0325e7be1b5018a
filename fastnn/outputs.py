"""Output layers of ``DeepNetwork``: what the last layer computes, what targets it takes, and
how a prediction and a score are read from it.

- ``"sigmoid"``: binary cross-entropy, ``Y`` of 0/1 with one row per output unit (one unit:
  binary classification; several: independent labels). ``predict`` thresholds at 0.5.
- ``"softmax"``: categorical cross-entropy over ``K >= 2`` classes,
  ``J = -(1/m) sum_i log a[y_i, i]``. ``Y`` is a ``(1, m)`` row of integer labels ``0..K-1``
  (any integer dtype, or floats holding integers) or a ``(K, m)`` one-hot matrix.
  ``predict`` is the arg-max (int64 labels). Two units with softmax are the same model
  family as one sigmoid unit; ``DeepNetwork([n_x, K])`` is multinomial logistic regression.
- ``"identity"``: regression with the squared error ``J = (1/2m) sum_i ||yhat_i - y_i||^2``;
  ``Y`` is ``(n_L, m)`` of real numbers; ``score`` is the coefficient of determination R^2.

The fused kernels are in ``fastnn.kernels.layers`` (``sigmoid_ce_segment``, ``softmax_ce``,
``identity_se``), their NumPy twins in ``fastnn.reference``.
"""

import numpy as np

from ._validation import _as_numeric_array, _first_nonfinite
from .kernels import codes as KC

#: The output layers a ``DeepNetwork`` offers (the kernels also have scikit-learn's Poisson).
OUTPUTS = ("sigmoid", "softmax", "identity")


def output_code(name):
    """Kernel code of an output layer name (``kernels/codes.py``)."""
    return KC.OUTPUTS[name]


def default_output(n_out):
    """The output layer a classifier with ``n_out`` units gets by default."""
    return "sigmoid" if n_out == 1 else "softmax"


def check_targets(Y, output, n_out, m, dtype, name="Y"):
    """Validate targets for an output layer; return ``(Yf, Yi)`` for the kernels.

    ``Yf`` is a C-contiguous float array in ``dtype`` (``(n_out, m)``; ``(0, m)`` for
    softmax) and ``Yi`` the int64 labels ``(m,)`` for softmax (``(0,)`` otherwise). Both are
    new arrays: the caller's ``Y`` is never touched.
    """
    arr = _as_numeric_array(Y, name)
    if arr.ndim != 2:
        rows = 1 if output == "softmax" else n_out
        hint = " (reshape a 1-D label vector with Y.reshape(1, -1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name}: expected shape ({rows}, {m}) to match X's {m} examples, got {arr.shape}{hint}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf (first at index {_first_nonfinite(arr)})")
    if output == "softmax":
        return np.zeros((0, m), dtype), _class_labels(arr, n_out, m, name)
    if arr.shape != (n_out, m):
        raise ValueError(f"{name}: expected shape ({n_out}, {m}) to match X's {m} examples and the "
                         f"{n_out} output unit{'s' if n_out > 1 else ''}, got {arr.shape}")
    if output == "sigmoid":
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise ValueError(f"{name}: labels must be 0 or 1, found {_shown(np.unique(arr[bad]))}")
    return np.array(arr, dtype=dtype, order="C"), np.zeros(0, np.int64)


def _shown(values, limit=10):
    text = ", ".join(repr(v.item()) for v in values[:limit])
    return text + (", ..." if values.size > limit else "")


def _class_labels(arr, K, m, name):
    """int64 labels ``(m,)`` from a ``(1, m)`` label row or a ``(K, m)`` one-hot matrix."""
    if arr.shape == (1, m):
        if arr.dtype.kind == "f":
            frac = arr != np.round(arr)
            if frac.any():
                raise ValueError(f"{name}: class labels must be integers 0..{K - 1}, found {_shown(np.unique(arr[frac]))}")
        bad = (arr < 0) | (arr > K - 1)
        if bad.any():
            raise ValueError(
                f"{name}: class labels must be integers 0..{K - 1} for the {K} output units, "
                f"found {_shown(np.unique(arr[bad]))}"
            )
        return np.ascontiguousarray(arr[0], dtype=np.int64)
    if arr.shape == (K, m):
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            raise ValueError(f"{name}: a one-hot matrix holds only 0 and 1, found {_shown(np.unique(arr[bad]))}")
        sums = arr.sum(axis=0)
        wrong = np.flatnonzero(sums != 1)
        if wrong.size:
            raise ValueError(
                f"{name}: every column of a one-hot matrix must sum to 1; column {wrong[0]} sums to "
                f"{sums[wrong[0]].item()!r}"
            )
        return np.ascontiguousarray(np.argmax(arr, axis=0), dtype=np.int64)
    raise ValueError(
        f"{name}: expected class labels of shape (1, {m}) or a one-hot matrix of shape ({K}, {m}) "
        f"for {K} classes, got shape {arr.shape}"
    )


def one_hot(labels, K, dtype=np.float64):
    """``(K, m)`` one-hot matrix of int labels ``(m,)`` (for the reference and tests)."""
    out = np.zeros((K, labels.size), dtype)
    out[labels, np.arange(labels.size)] = 1
    return out


def predictions(output, A):
    """Predictions from the output activations ``A`` ``(n_L, m)``: 0/1 (sigmoid), int64
    class labels ``(1, m)`` (softmax), or the values themselves (identity)."""
    if output == "sigmoid":
        return (A > 0.5).astype(np.int64)
    if output == "softmax":
        return np.argmax(A, axis=0).astype(np.int64).reshape(1, -1)
    return A


def score(output, A, Yf, Yi, sample_weight=None):
    """Accuracy (classification; for several sigmoid units, of whole label rows) or R^2."""
    w = sample_weight
    if output == "softmax":
        hit = np.argmax(A, axis=0) == Yi
    elif output == "sigmoid":
        hit = np.all((A > 0.5) == (Yf > 0.5), axis=0)
    else:
        mean = np.average(Yf, axis=1, weights=w, keepdims=True)
        ss_res = np.average((Yf - A) ** 2, axis=1, weights=w)
        ss_tot = np.average((Yf - mean) ** 2, axis=1, weights=w)
        r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), np.where(ss_res > 0, 0.0, 1.0))
        return float(np.mean(r2))
    return float(np.average(hit, weights=w))
