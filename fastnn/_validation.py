"""Input checks at the public API boundary.

Every error names the argument, what was expected and what was received. The kernels
behind the API check nothing: everything they receive has passed through here.
"""

import numbers

import numpy as np

#: Hidden activations a network accepts (their kernel codes: ``kernels/codes.py``'s ACTIVATIONS).
HIDDEN_ACTIVATIONS = ("relu", "tanh", "sigmoid", "identity")
#: Weight initialisations, as in ``fastnn.reference.initialize_parameters``.
INITS = ("lecun", "he", "xavier", "small", "glorot")
#: Float dtypes the kernels are compiled for.
FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _describe(value):
    """Short description of a received value for an error message."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_dtype(dtype, name="dtype"):
    """``None`` or a float dtype the kernels support, as a ``numpy.dtype``."""
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{name}: expected None, 'float64' or 'float32', got {_describe(dtype)}") from None
    if dt not in FLOAT_DTYPES:
        raise TypeError(f"{name}: expected None, 'float64' or 'float32', got {dt}")
    return dt


def _as_numeric_array(value, name):
    """``np.asarray(value)`` refusing complex, object, string and other non-numeric dtypes."""
    if value is None:
        raise TypeError(f"{name}: expected a 2-D numeric array, got None")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(f"{name}: expected a 2-D numeric array, could not convert: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name}: expected a real numeric dtype (bool, int or float), got dtype {arr.dtype}"
        )
    return arr


def _first_nonfinite(arr):
    """Index of the first NaN/inf in ``arr`` as a tuple."""
    return tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])


def check_X_shape(shape, n_features=None, name="X"):
    """``ValueError`` naming ``name`` unless ``shape`` is a non-empty ``(n_x, m)`` with
    ``n_x == n_features`` (when given). Shared by in-memory and Dask inputs."""
    shape = tuple(shape)
    if len(shape) != 2:
        raise ValueError(
            f"{name}: expected a 2-D array of shape (n_x, m), one example per column; "
            f"got a {len(shape)}-D array of shape {shape}"
        )
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(f"{name}: expected a non-empty (n_x, m) array, got shape {shape}")
    if n_features is not None and shape[0] != n_features:
        raise ValueError(
            f"{name}: expected {n_features} features (rows), got shape {shape}; "
            "examples are the columns of X"
        )


def check_X(X, dtype=None, n_features=None, name="X"):
    """Validate the inputs ``X`` of shape ``(n_x, m)`` and return a float array.

    Parameters
    ----------
    X : array_like
        One example per column.
    dtype : numpy.dtype or None
        Float dtype wanted; ``None`` keeps float32/float64 and converts anything else to
        float64.
    n_features : int, optional
        Required ``n_x``.
    name : str
        Argument name used in messages.

    Returns
    -------
    ndarray
        C- or F-contiguous float array. The caller's array itself when it already is one
        (it is never written to); otherwise a converted copy.
    """
    arr = _as_numeric_array(X, name)
    check_X_shape(arr.shape, n_features, name)
    target = dtype if dtype is not None else (arr.dtype if arr.dtype in FLOAT_DTYPES else np.dtype(np.float64))
    if arr.dtype != target or not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        # F order keeps each example contiguous, the layout the kernels read fastest.
        arr = np.asfortranarray(arr, dtype=target)
    # One fast pass (NaN/inf propagate through a sum); the exact, allocating check only
    # when the sum is not finite (which finite values near the float maximum can cause).
    # The sum may overflow (finite values near the float maximum) or meet inf - inf: no
    # warning for that, and no FloatingPointError under a caller's np.errstate(all="raise").
    with np.errstate(over="ignore", invalid="ignore"):
        total = arr.sum(dtype=np.float64)
    if not np.isfinite(total) and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf (first at index {_first_nonfinite(arr)})")
    return arr


def check_Y(Y, m, dtype, name="Y"):
    """Validate labels: shape ``(1, m)``, values in {0, 1}; return a C-contiguous float copy.

    Parameters
    ----------
    Y : array_like
        Labels, bool or numeric.
    m : int
        Number of examples in ``X``.
    dtype : numpy.dtype
        Float dtype of the returned copy (that of ``X``).
    name : str

    Returns
    -------
    ndarray, shape (1, m)
    """
    arr = _as_numeric_array(Y, name)
    if arr.shape != (1, m):
        hint = " (reshape a 1-D label vector with Y.reshape(1, -1))" if arr.ndim == 1 else ""
        raise ValueError(f"{name}: expected shape (1, {m}) to match X's {m} examples, got {arr.shape}{hint}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf (first at index {_first_nonfinite(arr)})")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        found = np.unique(arr[bad])
        shown = ", ".join(repr(v.item()) for v in found[:10]) + (", ..." if found.size > 10 else "")
        raise ValueError(f"{name}: labels must be 0 or 1, found {shown}")
    return np.array(arr, dtype=dtype, order="C")  # always a copy: the caller's Y is never touched


# ------------------------------------------------------------------ parameter rules
#
# One declarative check for every hyper-parameter of every public class, in the spirit of
# scikit-learn's parameter constraints: each class (and each concern: optimizers.py,
# regularization.py) lists ``{name: rule}``, and :func:`check_parameters` applies the table.
# A wrong type is a TypeError, a value outside the rule's range a ValueError; both name the
# argument, what was expected and what was received.


class Real:
    """A finite real number (not a bool) in an interval; returns a float.

    ``low``/``high`` are the bounds (None: unbounded), ``closed`` which of them belong to
    the interval: ``"both"``, ``"left"``, ``"right"`` or ``"neither"``.
    """

    def __init__(self, low=None, high=None, closed="both"):
        self.low, self.high, self.closed = low, high, closed

    def _range(self):
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.high is None:
            return f"{'>=' if left else '>'} {self.low:g}"
        return f"in {'[' if left else '('}{self.low:g}, {self.high:g}{']' if right else ')'}"

    def __call__(self, value, name):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            kind = "positive real number" if (self.low == 0 and self.high is None and self.closed in ("neither", "right")) \
                else f"real number {self._range()}"
            raise TypeError(f"{name}: expected a {kind}, got {_describe(value)}")
        value = float(value)
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        ok = np.isfinite(value)
        if ok and self.low is not None:
            ok = value >= self.low if left else value > self.low
        if ok and self.high is not None:
            ok = value <= self.high if right else value < self.high
        if not ok:
            what = f"finite number {self._range()}" if self.high is None else f"number {self._range()}"
            raise ValueError(f"{name}: expected a {what}, got {value!r}")
        return value


class Integer:
    """An integer (not a bool) ``>= low`` (and ``< below`` when given); returns an int."""

    def __init__(self, low, below=None):
        self.low, self.below = low, below

    def __call__(self, value, name):
        what = f"an integer >= {self.low}" if self.below is None else f"an integer in [{self.low}, {self.below_text})"
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name}: expected {what}, got {_describe(value)}")
        value = int(value)
        if value < self.low or (self.below is not None and value >= self.below):
            raise ValueError(f"{name}: expected {what}, got {value}")
        return value

    @property
    def below_text(self):
        return "2**32" if self.below == 2**32 else str(self.below)


class Options:
    """One of a few strings; the message lists them (anything else, whatever its type, is a
    ValueError: the answer is one of the listed values)."""

    def __init__(self, *choices):
        self.choices = choices

    def __call__(self, value, name):
        if not isinstance(value, str) or value not in self.choices:
            raise ValueError(f"{name}: expected one of {', '.join(map(repr, self.choices))}, got {_describe(value)}")
        return value


class Flag:
    """True or False (NumPy's bools included); returns a bool."""

    def __call__(self, value, name):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {_describe(value)}")
        return bool(value)


class OrNone:
    """None, or what ``rule`` accepts."""

    def __init__(self, rule):
        self.rule = rule

    def __call__(self, value, name):
        if value is None:
            return None
        return self.rule(value, name)


class Seed:
    """None or an integer in ``[0, 2**32)`` (what ``numpy.random.RandomState`` accepts)."""

    def __call__(self, value, name):
        if value is None:
            return None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name}: expected None or an integer, got {_describe(value)}")
        return Integer(0, 2**32)(value, name)


def check_parameters(obj, rules):
    """Check ``obj``'s attributes against ``rules`` (``{name: rule}``, in order); return
    ``{name: checked value}``. The first failing rule raises."""
    return {name: rule(getattr(obj, name), name) for name, rule in rules.items()}


#: The rules both models share (``Model._check_training_hyperparameters``).
TRAINING_RULES = {
    "learning_rate": Real(0, None, closed="neither"),
    "n_iterations": Integer(0),
    "record_every": Integer(1),
}


def check_positive_float(value, name):
    """A finite real number > 0 (not a bool), returned as float."""
    return Real(0, None, closed="neither")(value, name)


def check_layer_dims(layer_dims):
    """``[n_x, n_1, ..., n_L]``: at least two positive integers."""
    if isinstance(layer_dims, (str, bytes)) or not hasattr(layer_dims, "__len__"):
        raise TypeError(f"layer_dims: expected a sequence of positive integers, got {_describe(layer_dims)}")
    dims = []
    for i, n in enumerate(layer_dims):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral):
            raise TypeError(f"layer_dims[{i}]: expected a positive integer, got {_describe(n)}")
        if n < 1:
            raise ValueError(f"layer_dims[{i}]: expected a positive integer, got {int(n)}")
        dims.append(int(n))
    if len(dims) < 2:
        raise ValueError(f"layer_dims: expected at least [n_x, n_out], got {dims}")
    return dims


def check_sample_weight(sample_weight, m, dtype, name="sample_weight"):
    """``None`` or ``m`` finite weights >= 0 with a positive sum, as a C-contiguous copy in
    ``dtype`` (``(m,)``); a ``(1, m)`` row is accepted too."""
    if sample_weight is None:
        return None
    arr = _as_numeric_array(sample_weight, name)
    if arr.shape == (1, m):
        arr = arr[0]
    if arr.shape != (m,):
        raise ValueError(f"{name}: expected shape ({m},) (one weight per example), got {arr.shape}")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or inf (first at index {_first_nonfinite(arr)})")
    if (arr < 0).any():
        raise ValueError(f"{name}: weights must be >= 0, found {arr[arr < 0][0].item()!r}")
    if not arr.sum(dtype=np.float64) > 0:
        raise ValueError(f"{name}: the weights sum to 0; at least one example must have a positive weight")
    return np.array(arr, dtype=dtype, order="C")
