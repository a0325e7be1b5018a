"""Built-in data sets: the course's cat / non-cat images and its planar "flower" set.

Every loader returns the derivation's layout: ``X`` of shape ``(n_x, m)`` with one example
per column, ``Y`` of shape ``(1, m)``.
"""

import functools
import os
import random
from pathlib import Path

import numpy as np

__all__ = [
    "DATA_ENV",
    "CAT_FILES",
    "FOOTBALL_FILE",
    "flatten_images",
    "load_cat",
    "load_planar",
    "load_moons",
    "load_circles",
    "load_football",
    "load_mnist1d",
    "find_cat_data",
]

#: Environment variable naming the directory that holds the cat / non-cat files.
DATA_ENV = "FASTNN_DATA"
#: The two HDF5 files :func:`load_cat` reads.
CAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")
#: The MATLAB file :func:`load_football` reads.
FOOTBALL_FILE = "data.mat"


def flatten_images(images, scale=True):
    """Flatten images ``(m, h, w, c)`` to the derivation's ``(h*w*c, m)`` layout.

    Parameters
    ----------
    images : ndarray, shape (m, h, w, c)
        Typically ``uint8`` pixels in 0..255.
    scale : bool
        Divide by 255 and return float64 (the course's standardisation); otherwise keep the
        pixel dtype.

    Returns
    -------
    ndarray, shape (h*w*c, m)
        ``images.reshape(m, -1).T``: column ``i`` is image ``i``. The result is
        F-contiguous (each example is contiguous in memory), which the fast kernels read
        without a copy.

    Raises
    ------
    ValueError
        If ``images`` is not 4-D.

    Examples
    --------
    >>> import numpy as np
    >>> from fastnn.datasets import flatten_images
    >>> images = np.zeros((10, 64, 64, 3), dtype=np.uint8)  # 10 RGB images of 64 x 64
    >>> X = flatten_images(images)
    >>> X.shape, X.dtype, X.flags.f_contiguous
    ((12288, 10), dtype('float64'), True)
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images: expected a 4-D array (m, h, w, c), got shape {images.shape}")
    X = images.reshape(images.shape[0], -1).T
    if scale:
        X = X / 255.0
    return X


def find_cat_data(path=None):
    """Directory holding the cat / non-cat files, or ``None`` when it cannot be found.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Directory to look in; default: the ``FASTNN_DATA`` environment variable.

    Returns
    -------
    pathlib.Path or None
    """
    path = path if path is not None else os.environ.get(DATA_ENV)
    if not path:
        return None
    path = Path(path)
    return path if all((path / name).is_file() for name in CAT_FILES) else None


def load_cat(path=None):
    """The course's cat / non-cat images, flattened and scaled to [0, 1].

    Parameters
    ----------
    path : str or os.PathLike, optional
        Directory holding ``train_catvnoncat.h5`` and ``test_catvnoncat.h5``. Default: the
        ``FASTNN_DATA`` environment variable.

    Returns
    -------
    X_train : ndarray, shape (12288, 209), float64
    Y_train : ndarray, shape (1, 209), float64 of 0/1
    X_test : ndarray, shape (12288, 50), float64
    Y_test : ndarray, shape (1, 50), float64 of 0/1

    Raises
    ------
    FileNotFoundError
        If no directory was given and ``FASTNN_DATA`` is unset, or a file is missing; the
        message says where it looked.
    ImportError
        If ``h5py`` is not installed (``pip install "fastnn-numba[data]"``).
    """
    where = path if path is not None else os.environ.get(DATA_ENV)
    if not where:
        raise FileNotFoundError(
            f"no data directory: pass path=... or set {DATA_ENV} to the directory holding "
            f"{' and '.join(CAT_FILES)}"
        )
    where = Path(where)
    missing = [str(where / name) for name in CAT_FILES if not (where / name).is_file()]
    if missing:
        raise FileNotFoundError(f"cat / non-cat data not found: looked for {', '.join(missing)}")
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('load_cat needs h5py: pip install "fastnn-numba[data]"') from exc

    arrays = []
    for name, prefix in zip(CAT_FILES, ("train", "test")):
        with h5py.File(where / name, "r") as f:
            images = np.array(f[f"{prefix}_set_x"])
            labels = np.array(f[f"{prefix}_set_y"])
        arrays += [flatten_images(images), labels.reshape(1, -1).astype(np.float64)]
    return tuple(arrays)


def load_planar(m=400, seed=1):
    """The course's two-class planar "flower" data set, generated deterministically.

    Parameters
    ----------
    m : int
        Number of points (even); ``m // 2`` per class. The course uses 400.
    seed : int
        Seed of the ``numpy.random.RandomState`` stream. The course uses 1.

    Returns
    -------
    X : ndarray, shape (2, m), float64
        Point coordinates, one point per column.
    Y : ndarray, shape (1, m), float64
        Labels, 0 for the first ``m // 2`` points and 1 for the rest.

    Notes
    -----
    For class ``j`` = 0 then 1: ``t = linspace(3.12 j, 3.12 (j+1), N) + 0.2 randn(N)``,
    ``r = 4 sin(4 t) + 0.2 randn(N)``, points ``(r sin t, r cos t)``.

    Examples
    --------
    >>> from fastnn.datasets import load_planar
    >>> X, Y = load_planar()
    >>> X.shape, Y.shape, float(Y.mean())
    ((2, 400), (1, 400), 0.5)
    """
    rng = np.random.RandomState(seed)
    N = m // 2
    a = 4
    X = np.zeros((m, 2))
    Y = np.zeros((m, 1))
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + rng.randn(N) * 0.2
        r = a * np.sin(4 * t) + rng.randn(N) * 0.2
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T.copy(), Y.T.copy()


def _two_class(X, y, noise, rng):
    """scikit-learn's last steps of ``make_moons`` / ``make_circles``: shuffle the rows
    (``rng.shuffle`` of the indices), add Gaussian noise; return the derivation's layout."""
    idx = np.arange(X.shape[0])
    rng.shuffle(idx)
    X, y = X[idx], y[idx]
    if noise is not None:
        X = X + rng.normal(scale=noise, size=X.shape)
    return np.ascontiguousarray(X.T), y.reshape(1, -1).astype(np.float64)


def load_moons(m=300, noise=0.2, seed=3):
    """Two interleaving half circles: the second course's "moons" (Optimization notebook).

    The same numbers as ``np.random.seed(seed); sklearn.datasets.make_moons(m, noise=noise)``
    (the course's ``load_dataset``), computed without scikit-learn and without touching
    NumPy's global generator.

    Parameters
    ----------
    m : int
        Number of points.
    noise : float or None
        Standard deviation of the Gaussian noise added to every coordinate.
    seed : int
        The course uses 3.

    Returns
    -------
    X : ndarray, shape (2, m), float64
    Y : ndarray, shape (1, m), float64 of 0/1

    Examples
    --------
    >>> from fastnn.datasets import load_moons
    >>> X, Y = load_moons()
    >>> X.shape, Y.shape
    ((2, 300), (1, 300))
    """
    n_out = m // 2
    n_in = m - n_out
    X = np.vstack([
        np.append(np.cos(np.linspace(0, np.pi, n_out)), 1 - np.cos(np.linspace(0, np.pi, n_in))),
        np.append(np.sin(np.linspace(0, np.pi, n_out)), 1 - np.sin(np.linspace(0, np.pi, n_in)) - 0.5),
    ]).T
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _two_class(X, y, noise, np.random.RandomState(seed))


def load_circles(m=300, noise=0.05, factor=0.8, seed=1):
    """A large circle around a small one: the second course's Initialization data set.

    The same numbers as ``np.random.seed(seed); sklearn.datasets.make_circles(m,
    noise=noise, factor=factor)``: the course trains on ``m=300, seed=1`` and tests on
    ``m=100, seed=2``.

    Parameters
    ----------
    m : int
    noise : float or None
    factor : float
        Radius of the inner circle relative to the outer one.
    seed : int

    Returns
    -------
    X : ndarray, shape (2, m), float64
    Y : ndarray, shape (1, m), float64 of 0/1
    """
    n_out = m // 2
    n_in = m - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([
        np.append(np.cos(t_out), np.cos(t_in) * factor),
        np.append(np.sin(t_out), np.sin(t_in) * factor),
    ]).T
    y = np.hstack([np.zeros(n_out), np.ones(n_in)])
    return _two_class(X, y, noise, np.random.RandomState(seed))


def load_football(path=None):
    """The second course's 2-D "football" data set (Regularization notebook): where the
    goal keeper should kick the ball (211 training and 200 test positions).

    Parameters
    ----------
    path : str or os.PathLike, optional
        Directory holding ``data.mat`` (default: the ``FASTNN_DATA`` environment variable).

    Returns
    -------
    X_train : ndarray, shape (2, 211), float64
    Y_train : ndarray, shape (1, 211), float64 of 0/1
    X_test : ndarray, shape (2, 200), float64
    Y_test : ndarray, shape (1, 200), float64 of 0/1

    Raises
    ------
    FileNotFoundError
        If the file is not there (the message says where it looked).
    ImportError
        If SciPy is not installed (``pip install "fastnn-numba[data]"``).
    """
    where = path if path is not None else os.environ.get(DATA_ENV)
    if not where:
        raise FileNotFoundError(f"no data directory: pass path=... or set {DATA_ENV} to the directory holding {FOOTBALL_FILE}")
    file = Path(where) / FOOTBALL_FILE
    if not file.is_file():
        raise FileNotFoundError(f"football data not found: looked for {file}")
    try:
        from scipy.io import loadmat
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('load_football needs SciPy: pip install "fastnn-numba[data]"') from exc
    data = loadmat(file)
    return (np.ascontiguousarray(data["X"].T, dtype=np.float64), data["y"].T.astype(np.float64),
            np.ascontiguousarray(data["Xval"].T, dtype=np.float64), data["yval"].T.astype(np.float64))


@functools.lru_cache(maxsize=1)
def _mnist1d_arrays():
    try:
        from mnist1d.data import get_dataset_args, make_dataset
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError('load_mnist1d needs the mnist1d package: pip install "fastnn-numba[mnist1d]"') from exc
    # make_dataset reseeds NumPy's legacy global generator and Python's random (both to 42)
    # and never restores them: the caller's streams are saved and put back.
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        data = make_dataset(get_dataset_args())
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    arrays = (np.ascontiguousarray(data["x"].T, dtype=np.float64), data["y"].reshape(1, -1).astype(np.int64),
              np.ascontiguousarray(data["x_test"].T, dtype=np.float64), data["y_test"].reshape(1, -1).astype(np.int64))
    for a in arrays:
        a.setflags(write=False)
    return arrays


def load_mnist1d():
    """The standard MNIST-1D split (Greydanus & Kobak, "Scaling down deep learning"): 4000
    training and 1000 test signals of 40 samples, 10 classes.

    Generated offline, deterministically, by the ``mnist1d`` package's
    ``make_dataset(get_dataset_args())`` (``pip install "fastnn-numba[mnist1d]"``; about a second;
    kept in memory for the next call, nothing written to disk). Its ``get_dataset``, which
    downloads, is never called. NumPy's global generator and Python's ``random``, which
    ``make_dataset`` reseeds, are restored afterwards.

    Returns
    -------
    X_train : ndarray, shape (40, 4000), float64
    Y_train : ndarray, shape (1, 4000), int64 labels 0..9
    X_test : ndarray, shape (40, 1000), float64
    Y_test : ndarray, shape (1, 1000), int64

    Notes
    -----
    The labels are the same bits on every machine; the signals may differ in the last
    ulp between CPUs (the generator's Gaussian filter goes through NumPy's SIMD ``exp``).

    Raises
    ------
    ImportError
        If ``mnist1d`` is not installed.
    """
    return tuple(a.copy() for a in _mnist1d_arrays())
