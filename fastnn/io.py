"""Model files: a versioned ``.npz`` with a JSON header, written atomically.

Format (``format_version`` 2)
    A NumPy ``.npz`` archive (a zip of ``.npy`` files), readable with
    ``numpy.load(path, allow_pickle=False)``:

    - ``__fastnn__``: the header, UTF-8 JSON stored as a ``uint8`` array::

        {"format": "fastnn-model", "format_version": 2, "fastnn_version": "0.1.0",
         "model": "DeepNetwork" | "LogisticRegression", "dtype": "float64" | "float32",
         "hyperparameters": {...every constructor argument but dtype...}, "n_iter": int}

    - ``costs``: float64 array of the recorded costs;
    - ``DeepNetwork``: ``W1``, ``b1``, ..., ``WL``, ``bL`` in the model's dtype;
    - ``LogisticRegression``: ``w`` (model dtype) and ``b`` (0-d float64).

    Arrays are stored bit for bit, so a round trip is exact.

    Version 1 (fastnn before mini-batch training) is read too: its ``DeepNetwork``
    header lists only the first course's hyper-parameters; the others take their defaults,
    which are the behaviour such a file was written with.

Writing goes to a temporary file in the target's directory, is flushed to disk, then
renamed over the target (``os.replace``): a crash or a full disk during ``save`` leaves
the previous file intact.
"""

import json
import os
import secrets
from pathlib import Path

import numpy as np

from ._version import __version__

FORMAT = "fastnn-model"
FORMAT_VERSION = 2
#: Versions :func:`load` reads.
READABLE_VERSIONS = (1, 2)
_HEADER = "__fastnn__"

#: Model classes by the name written in a file's header, filled by :func:`register`. The
#: models import this module (to register and to save); this module never imports them.
MODELS = {}


def register(cls):
    """Class decorator: let :func:`load` rebuild ``cls`` from a file.

    A registered class provides ``_file_contents(self) -> (hyperparameters, arrays)`` (a
    JSON-able dict and a dict of arrays, for a fitted model) and the classmethod
    ``_from_file(hyperparameters, arrays, dtype) -> model``, which pops the arrays it uses
    and raises ``KeyError``/``TypeError``/``ValueError`` on anything inconsistent.
    """
    MODELS[cls.__name__] = cls
    return cls


def save(model, path):
    """Write a fitted model (a ``DeepNetwork`` or ``LogisticRegression``) to ``path``.

    Parameters
    ----------
    model : DeepNetwork or LogisticRegression
        A fitted model.
    path : str or os.PathLike
        The file to write, exactly (no suffix is added). Replaced atomically; a new file
        gets the permissions the user's umask gives any new file (0644 under 022).
    """
    if MODELS.get(type(model).__name__) is not type(model):
        raise TypeError(f"model: expected a DeepNetwork or LogisticRegression, got {type(model).__name__}")
    model._check_fitted()
    hyper, arrays = model._file_contents()
    path = _check_path(path)
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "fastnn_version": __version__,
        "model": type(model).__name__,
        "dtype": str(model._dtype_),
        "hyperparameters": hyper,
        "n_iter": int(model.n_iter_),
    }
    arrays[_HEADER] = np.frombuffer(json.dumps(header).encode("utf-8"), dtype=np.uint8)
    arrays["costs"] = np.asarray(model.costs_, dtype=np.float64)
    _write_atomically(path, arrays)


def _write_atomically(path, arrays):
    """``np.savez`` to a new file in ``path``'s directory, flushed to disk, renamed over
    ``path``; on any failure (an interrupt included) the temporary file is removed."""
    tmp, fd = _create_temporary(path)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _create_temporary(path):
    """``(name, fd)`` of a new, exclusively created file next to ``path``.

    Created with mode 0o666, so the umask decides its permissions exactly as for any new
    file (``tempfile.mkstemp`` forces 0600, which ``os.replace`` would carry over to the
    model file).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
        try:
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"{path}: could not create a unique temporary file next to it")


def _check_path(path):
    """``path`` as a ``Path``; a ``TypeError`` naming the argument for anything else."""
    if not isinstance(path, (str, os.PathLike)):
        text = repr(path)
        text = text if len(text) <= 60 else text[:57] + "..."
        raise TypeError(f"path: expected a str or os.PathLike, got {text}")
    return Path(path)


def _fail(path, why):
    return ValueError(f"{path}: not a readable fastnn model file ({why})")


def load(path):
    """Read a model written by :func:`save`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    DeepNetwork or LogisticRegression
        Fitted, with the saved parameters, hyper-parameters, dtype, ``costs_`` and
        ``n_iter_``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is truncated, corrupted, of another format or of an unknown version.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import fastnn
    >>> from fastnn.datasets import load_planar
    >>> X, Y = load_planar()
    >>> clf = fastnn.LogisticRegression(n_iterations=100).fit(X, Y)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> fastnn.save(clf, path)
    >>> same = fastnn.load(path)
    >>> type(same).__name__, same.n_iter_, bool(np.array_equal(same.w_, clf.w_))
    ('LogisticRegression', 100, True)
    """
    path = _check_path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such model file")
    arrays = _read_arrays(path)
    if _HEADER not in arrays:
        raise _fail(path, "no fastnn header")
    raw = arrays.pop(_HEADER)
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise _fail(path, f"corrupted header: expected a 1-D uint8 array, got shape {raw.shape} dtype {raw.dtype}")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _fail(path, f"corrupted header: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _fail(path, "not a fastnn model header")
    version = header.get("format_version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise _fail(
            path,
            f"format version {header.get('format_version')!r}; this fastnn ({__version__}) reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}",
        )
    try:
        return _build(header, arrays)
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(path, f"inconsistent contents: {exc}") from None


def _read_arrays(path):
    """Every array of the ``.npz`` at ``path``; any failure to decode it is a ``ValueError``.

    A damaged zip can fail in many ways (``BadZipFile``, ``EOFError``, ``zlib.error``,
    ``NotImplementedError`` for an unknown compression method, ``struct.error``, a
    ``MemoryError`` for an absurd shape in a ``.npy`` header...): all mean "not readable".
    ``allow_pickle=False`` refuses object arrays before anything is unpickled.
    """
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueError("not a .npz (zip) archive")
        with loaded as npz:
            return {name: npz[name] for name in npz.files}
    except PermissionError:
        raise
    except Exception as exc:  # noqa: BLE001 - see the docstring
        raise _fail(path, f"{type(exc).__name__}: {exc}") from None


def _check_n_iter(n_iter):
    if isinstance(n_iter, bool) or not isinstance(n_iter, int) or n_iter < 0:
        raise ValueError(f"n_iter: expected an integer >= 0, got {n_iter!r}")
    return n_iter


def _check_costs(costs):
    if costs.ndim != 1 or costs.dtype != np.float64:
        raise ValueError(f"costs: expected a 1-D float64 array, got shape {costs.shape} dtype {costs.dtype}")
    if not np.isfinite(costs).all():
        raise ValueError("costs contains NaN or inf")
    return [float(c) for c in costs]


def _build(header, arrays):
    dtype = np.dtype(header["dtype"])
    if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ValueError(f"dtype {dtype}")
    kind = header["model"]
    if not isinstance(kind, str) or kind not in MODELS:
        raise ValueError(f"model kind {kind!r}")
    hyper = header["hyperparameters"]
    if not isinstance(hyper, dict):
        raise TypeError(f"hyperparameters: expected an object, got {type(hyper).__name__}")
    costs = _check_costs(arrays.pop("costs"))
    model = MODELS[kind]._from_file(hyper, arrays, dtype)
    if arrays:
        raise ValueError(f"unexpected arrays {sorted(arrays)}")
    n_iter = _check_n_iter(header["n_iter"])
    model._dtype_ = dtype
    model.costs_ = costs
    model.n_iter_ = n_iter
    return model


def check_finite_array(arrays, key, shape, dtype):
    """``arrays.pop(key)`` as a C-contiguous array, checked against ``shape`` and
    ``dtype`` and for NaN/inf; ``ValueError`` naming ``key`` otherwise (for ``_from_file``)."""
    arr = arrays.pop(key)
    if arr.shape != tuple(shape) or arr.dtype != dtype:
        raise ValueError(f"{key} has shape {arr.shape} and dtype {arr.dtype}, expected {tuple(shape)} {dtype}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{key} contains NaN or inf")
    return np.ascontiguousarray(arr)
