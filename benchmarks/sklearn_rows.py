"""fastnn.sklearn's ``MLPClassifier`` against scikit-learn's own, same parameters and
``random_state``, whole fits, side by side in one process: rows for ``compare.py``.

``fastnn.sklearn.MLPClassifier`` is scikit-learn 1.9's ``MLPClassifier`` (the same initial
draws, shuffles, updates, stopping rules), trained in fastnn's compiled loop: for the same
data, parameters and ``random_state`` both estimators fit the same model, to rounding. Each
row fits both and prints

- the wall time of ``fit`` (best of ``repeat`` fits; the fits alternate, each after an
  untimed short fit of every variant on the row's data, so that fastnn's kernels are loaded
  from Numba's cache, or compiled, and BLAS has started its threads) of each library as
  installed and with its BLAS on one thread (threadpoolctl around the fit). fastnn as
  installed puts BLAS on one thread by itself when a fit's largest product is below
  ``fastnn._threads.BLAS_SINGLE_THREAD_BELOW`` FLOP and leaves it on every core otherwise;
  scikit-learn's BLAS runs on every core;
- the ratios scikit-learn / fastnn (> 1: fastnn faster): both as installed, both on one
  BLAS thread, and scikit-learn's faster configuration against fastnn as installed, which
  the target is checked on (on a shared 2-core machine multi-threaded small products are
  erratic: while another process keeps a core busy, every product waits for a time slice,
  10 to 50 times slower from run to run);
- the floor: the matrix products of every training step alone (forward ``A W``, backward
  ``A^T dZ`` and, above the first layer, ``dZ W^T``), with NumPy into buffers allocated once,
  on the same shapes, for the same number of steps (epochs x batches for Adam; for L-BFGS
  one full-batch pass per function evaluation, SciPy's ``nfev``). The best of four ways to
  run them: scikit-learn's sample-major layout (``(batch, units)`` activations) and
  fastnn's feature-major one (``(units, batch)``: ``W A``, ``dZ A^T``, ``W^T dZ``), each with
  BLAS on one thread and on every core; the column names the winner. fastnn / floor (of
  fastnn's faster configuration) is how close the fit is to the machine's products (1 = all
  of its time in them); scikit-learn / floor likewise. fastnn's kernels call SciPy's
  OpenBLAS, NumPy its own (see the BLAS lines of the header);
- the agreement: the largest difference between the two fitted models' ``coefs_`` and
  ``intercepts_``, relative to each array's largest magnitude (``max over arrays of
  max|fastnn - sklearn| / max|sklearn|``), next to scikit-learn's own sensitivity to rounding:
  the same measure between two scikit-learn fits whose ``X`` differ by one ulp in one
  element; ✓ when the difference is within ten times that sensitivity (or 100 ulps of the
  dtype); and, in parentheses, the difference after one epoch (L-BFGS: one iteration).
  Float64 fits agree to about 1e-15 after tens of epochs. Float32 training
  amplifies rounding (a ReLU unit or a clipped probability on the other side of a
  threshold): after some ten epochs a one-ulp change of one input moves scikit-learn's own
  float32 model by about 1e-2, so the float32 rows agree to that sensitivity, not to 1e-7
  (they agree to ~1e-6 over the first epochs). ``n_iter_`` (and for L-BFGS the number of
  function evaluations) of both fits.

The rows:

- MNIST-1D, scikit-learn's defaults: ``MLPClassifier(hidden_layer_sizes=(100, 100))``
  (relu, adam, lr 1e-3, alpha 1e-4, ``batch_size="auto"`` = 200, shuffled), 30 epochs
  (``tol=0``, ``n_iter_no_change=max_iter``: neither stops early), on the 4000 x 40 training
  signals of ``fastnn.datasets.load_mnist1d()`` (the ``mnist1d`` package, the ``test``
  extra; without it synthetic data of that shape and 10 classes), float64 (target 3x) and
  float32 (``X.astype(np.float32)``, target 4x);
- the wide mini-batch row: ``make_classification(n_samples=60000, n_features=200,
  n_informative=50, n_redundant=50, n_classes=10, random_state=0)``, its 75 % stratified
  training split (45 000 x 200), ``hidden_layer_sizes=(100,)``, adam, batch 200, 20 epochs,
  float32 (target 3x) and float64 (no target);
- L-BFGS, full batch: scikit-learn's digits (1797 x 64, pixels / 16, 10 classes),
  ``hidden_layer_sizes=(50,)``, ``solver="lbfgs"``, ``max_iter=200``, its other defaults
  (``tol=1e-4``: both stop at the same iteration), float64 (target 3x) and float32 (no
  target; both libraries evaluate the objective in float32, SciPy's iterate is float64).

All with ``random_state=0``; ``ConvergenceWarning`` (max_iter reached by design) silenced.

From compare.py: ``sklearn_rows.main(quick=args.quick)`` prints the table;
``sklearn_rows.table(quick)`` returns its lines, ``sklearn_rows.rows(quick)`` the numbers.

Standalone (prints the environment first: CPU, SIMD level, BLAS libraries and threads)::

    python benchmarks/sklearn_rows.py [--quick] [--repeat N] [--rows mnist1d,wide,lbfgs]

``--quick`` (a smoke test): 5 MNIST-1D epochs, a 6000-row ``make_classification`` and 3
epochs, 20 L-BFGS iterations, one fit each. Without scikit-learn :func:`table` returns a
one-line note. scikit-learn is imported only inside the functions (asv imports this
directory).
"""

import contextlib
import gc
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # `python benchmarks/sklearn_rows.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Columns of :func:`table`.
HEADER = ("| row | dtype | work | fastnn s | fastnn 1-thread BLAS s | sklearn s | sklearn 1-thread BLAS s "
          "| sklearn/fastnn | sklearn 1-thread / fastnn 1-thread | faster sklearn / fastnn, target | floor s "
          "| floor from | fastnn/floor | sklearn/floor | max rel coef diff | sklearn's own 1-ulp sensitivity "
          "| n_iter_ fastnn / sklearn |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


# ------------------------------------------------------------------------------ data


def synthetic_mnist1d(n_samples=4000, n_features=40, n_classes=10, seed=0):
    """``(X, y)``: MNIST-1D-sized synthetic data, sample-major float64 ``(4000, 40)`` and
    labels ``0..9`` from a noisy random linear map (learnable, not separable)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    scores = X @ rng.standard_normal((n_features, n_classes)) + 0.5 * rng.standard_normal((n_samples, n_classes))
    return X, np.argmax(scores, axis=1)


def mnist1d_data():
    """``(X, y, source)``: MNIST-1D's 4000 training signals sample-major ``(4000, 40)``
    float64 and their labels, or :func:`synthetic_mnist1d` without the ``mnist1d`` package."""
    try:
        from fastnn.datasets import load_mnist1d

        X_train, Y_train, _, _ = load_mnist1d()
        return np.ascontiguousarray(X_train.T), Y_train[0].copy(), "MNIST-1D"
    except ImportError:
        return (*synthetic_mnist1d(), "synthetic MNIST-1D-sized (mnist1d not installed)")


def wide_data(quick):
    """The 75 % stratified training split of ``make_classification`` (60 000 x 200, 10
    classes; 6000 rows with ``quick``)."""
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    n = 6000 if quick else 60000
    X, y = make_classification(n_samples=n, n_features=200, n_informative=50, n_redundant=50, n_classes=10,
                               random_state=0)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    return np.ascontiguousarray(X_train), y_train, f"make_classification {n}, training split"


def digits_data():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X / 16.0, y, "digits"


def row_specs(quick=False):
    """``[(key, label, data function, parameters, [(dtype, target or None), ...])]``."""
    epochs = 5 if quick else 30
    adam = dict(solver="adam", batch_size="auto", tol=0.0, random_state=0)
    wide_epochs = 3 if quick else 20
    return [
        ("mnist1d", "MNIST-1D {n}×{f}, (100, 100) adam b200, {e} epochs", mnist1d_data,
         dict(adam, hidden_layer_sizes=(100, 100), max_iter=epochs, n_iter_no_change=epochs),
         [("float64", 3.0), ("float32", 4.0)]),
        ("wide", "wide {n}×{f}, (100,) adam b200, {e} epochs", lambda: wide_data(quick),
         dict(adam, hidden_layer_sizes=(100,), max_iter=wide_epochs, n_iter_no_change=wide_epochs),
         [("float32", 3.0), ("float64", None)]),
        ("lbfgs", "lbfgs digits {n}×{f}, (50,), max_iter {e}", digits_data,
         dict(hidden_layer_sizes=(50,), solver="lbfgs", max_iter=20 if quick else 200, random_state=0),
         [("float64", 3.0), ("float32", None)]),
    ]


# ---------------------------------------------------------------------------- timing


@contextlib.contextmanager
def _quiet(blas_threads=None):
    """BLAS on ``blas_threads`` threads (``None``: as installed) and no ConvergenceWarning."""
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits  # a dependency of fastnn and of scikit-learn

    with warnings.catch_warnings(), threadpool_limits(blas_threads, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def timed_fit(cls, params, X, y, blas_threads=None):
    """``(seconds, fitted estimator)`` of one ``cls(**params).fit(X, y)``."""
    with _quiet(blas_threads):
        t0 = time.perf_counter()
        model = cls(**params).fit(X, y)
        return time.perf_counter() - t0, model


@contextlib.contextmanager
def counting_minimize(record):
    """``scipy.optimize.minimize`` (which both estimators' L-BFGS call) appending each
    result's ``(nit, nfev)`` to ``record``."""
    import scipy.optimize

    original = scipy.optimize.minimize

    def minimize(*args, **kwargs):
        res = original(*args, **kwargs)
        record.append((int(res.nit), int(res.nfev)))
        return res

    scipy.optimize.minimize = minimize
    try:
        yield record
    finally:
        scipy.optimize.minimize = original


def coef_difference(a, b):
    """Largest ``max|a - b| / max|b|`` over the ``coefs_`` and ``intercepts_`` arrays of two
    fitted estimators (``b`` the reference), in float64."""
    out = 0.0
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
        scale = float(np.max(np.abs(q))) or 1.0
        out = max(out, float(np.max(np.abs(p - q))) / scale)
    return out


def one_ulp(X):
    """A copy of ``X`` with one element (the largest of its first row) moved one ulp up."""
    Xp = X.copy()
    j = int(np.argmax(np.abs(Xp[0])))
    Xp[0, j] = np.nextafter(Xp[0, j], np.inf)
    return Xp


# ---------------------------------------------------------------------------- floors


class Products:
    """The matrix products of one training step of a dense network with layer sizes ``dims``
    on a batch of ``b`` rows, with NumPy into buffers allocated once, and nothing else.

    ``"sample-major"`` (scikit-learn's layout): ``A_l = A_{l-1} W_l``, ``dW_l = A_{l-1}^T
    dZ_l``, ``dA_{l-1} = dZ_l W_l^T``; ``"feature-major"`` (fastnn's): ``Z_l = W_l A_{l-1}``,
    ``dW_l = dZ_l A_{l-1}^T``, ``dA_{l-1} = W_l^T dZ_l``. No ``dA_0`` (neither library
    computes it)."""

    def __init__(self, dims, b, dtype, layout):
        rng = np.random.default_rng(0)
        L = len(dims) - 1
        self.L, self.sample_major = L, layout == "sample-major"
        units = (lambda n: (b, n)) if self.sample_major else (lambda n: (n, b))
        wshape = (lambda l: (dims[l - 1], dims[l])) if self.sample_major else (lambda l: (dims[l], dims[l - 1]))
        self.W = [None] + [rng.uniform(-0.1, 0.1, wshape(l)).astype(dtype) for l in range(1, L + 1)]
        self.dW = [None] + [np.empty_like(w) for w in self.W[1:]]
        self.A = [rng.uniform(-1, 1, units(n)).astype(dtype) for n in dims]
        self.dZ = [rng.uniform(-1e-3, 1e-3, units(n)).astype(dtype) for n in dims]

    def __call__(self, steps):
        W, dW, A, dZ, L = self.W, self.dW, self.A, self.dZ, self.L
        dot = np.dot
        for _ in range(steps):
            if self.sample_major:
                for l in range(1, L + 1):
                    dot(A[l - 1], W[l], out=A[l])
                for l in range(L, 0, -1):
                    dot(A[l - 1].T, dZ[l], out=dW[l])
                    if l > 1:
                        dot(dZ[l], W[l].T, out=dZ[l - 1])
            else:
                for l in range(1, L + 1):
                    dot(W[l], A[l - 1], out=A[l])
                for l in range(L, 0, -1):
                    dot(dZ[l], A[l - 1].T, out=dW[l])
                    if l > 1:
                        dot(W[l].T, dZ[l], out=dZ[l - 1])


def step_batches(n_samples, batch_size, epochs):
    """``{batch rows: steps}`` of ``epochs`` epochs of scikit-learn's ``gen_batches``."""
    b = min(200, n_samples) if batch_size == "auto" else int(np.clip(batch_size, 1, n_samples))
    out = {b: epochs * (n_samples // b)}
    if n_samples % b:
        out[n_samples % b] = epochs
    return out


def floor(dims, batches, dtype, repeat):
    """``(seconds, how)``: the best over layouts and BLAS thread counts (one, all) of the
    best of ``repeat`` runs of the products of every step (``batches``: ``{rows: steps}``)."""
    from threadpoolctl import threadpool_limits

    best = (np.inf, "")
    for layout in ("sample-major", "feature-major"):
        runs = [(Products(dims, b, dtype, layout), steps) for b, steps in batches.items()]
        for threads in (1, None):
            with threadpool_limits(threads, user_api="blas"):
                for products, _ in runs:
                    products(2)  # warm: buffers touched, BLAS threads started
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    for products, steps in runs:
                        products(steps)
                    t = time.perf_counter() - t0
                    if t < best[0]:
                        best = (t, f"{layout}, BLAS {'1 thread' if threads == 1 else 'all threads'}")
            time.sleep(0.05)
        del runs
    return best


# ------------------------------------------------------------------------------ rows


def rows(quick=False, repeat=None, only=None):
    """One dict per (row, dtype): ``key, label, dtype, work, fastnn_s, fastnn_1thread_s,
    sklearn_s, sklearn_1thread_s, ratio`` (as installed), ``ratio_1thread`` (both on one
    BLAS thread), ``best_ratio`` (scikit-learn's faster configuration / fastnn as installed),
    ``target, met, floor_s, floor_how, fastnn_floor`` (fastnn's faster configuration / floor),
    ``sklearn_floor, coef_diff`` (the timed fits), ``first_diff`` (fits of one epoch or
    iteration), ``sensitivity`` (scikit-learn's, to one ulp of X), ``same`` (``coef_diff``
    within ten times ``sensitivity``, or 100 ulps of the dtype), ``unit, n_iter, times``
    (every fit's seconds, by variant). Times are the best of ``repeat`` fits (5; 1 with
    ``quick``). ``only``: keys to run (``"mnist1d"``, ``"wide"``, ``"lbfgs"``); all by
    default."""
    from sklearn.neural_network import MLPClassifier as SkMLP

    from fastnn.sklearn import MLPClassifier as FastMLP

    repeat = (1 if quick else 5) if repeat is None else repeat
    out = []
    for key, label, data, params, dtypes in row_specs(quick):
        if only and key not in only:
            continue
        X64, y, source = data()
        lbfgs = params["solver"] == "lbfgs"
        for dtype, target in dtypes:
            X = np.ascontiguousarray(X64, dtype=dtype)
            variants = (("fastnn", FastMLP, None), ("fastnn1", FastMLP, 1), ("sklearn", SkMLP, None),
                        ("sklearn1", SkMLP, 1))
            short = dict(params, max_iter=2) if lbfgs else dict(params, max_iter=2, n_iter_no_change=2)
            for _, cls, threads in variants:  # warm-up: kernels loaded or compiled, BLAS threads started
                timed_fit(cls, short, X, y, threads)
            times = {name: [] for name, _, _ in variants}
            models, evals, record = {}, {}, []
            # L-BFGS: SciPy's (nit, nfev) of every fit, the kept models' among them.
            with counting_minimize(record) if lbfgs else contextlib.nullcontext():
                for _ in range(repeat):
                    for name, cls, threads in variants:
                        gc.collect()
                        time.sleep(0.1)  # let BLAS / OpenMP worker threads go idle between fits
                        t, models[name] = timed_fit(cls, params, X, y, threads)
                        times[name].append(t)
                        if record:
                            evals[name] = record.pop()
            fast, sk = models["fastnn"], models["sklearn"]
            coef_diff = coef_difference(fast, sk)
            _, sk_ulp = timed_fit(SkMLP, params, one_ulp(X), y, 1)
            sensitivity = coef_difference(sk_ulp, sk)
            first = dict(params, max_iter=1) if lbfgs else dict(params, max_iter=1, n_iter_no_change=1)
            first_diff = coef_difference(timed_fit(FastMLP, first, X, y)[1], timed_fit(SkMLP, first, X, y, 1)[1])
            # The same model: within ten times scikit-learn's own sensitivity to one ulp of X
            # (at least 100 ulps of the dtype).
            same = coef_diff <= 10 * max(sensitivity, 100 * np.finfo(sk.coefs_[0].dtype).eps)
            dims = [X.shape[1]] + list(params["hidden_layer_sizes"]) + [sk.coefs_[-1].shape[1]]
            if lbfgs:
                # Evaluations of the objective: one full-batch forward and backward pass each.
                f_ev, s_ev = evals["fastnn"][1], evals["sklearn"][1]
                batches = {X.shape[0]: s_ev}
                work = f"{sk.n_iter_} it., {s_ev} evaluations of {X.shape[0]} rows"
                n_iter = f"{fast.n_iter_} ({f_ev} ev.) / {sk.n_iter_} ({s_ev} ev.)"
            else:
                batches = step_batches(X.shape[0], params["batch_size"], sk.n_iter_)
                n_steps = sum(batches.values())
                work = f"{sk.n_iter_} epochs, {n_steps} steps"
                n_iter = f"{fast.n_iter_} / {sk.n_iter_}"
            floor_s, floor_how = floor(dims, batches, np.dtype(dtype), max(1, min(repeat, 3)))
            tf, tf1, ts, t1 = (min(times[name]) for name in ("fastnn", "fastnn1", "sklearn", "sklearn1"))
            best_ratio = min(ts, t1) / tf
            met = None if target is None else best_ratio >= target
            out.append(dict(
                key=key, unit="iteration" if lbfgs else "epoch",
                label=label.format(n=X.shape[0], f=X.shape[1], e=params["max_iter"]) + f" ({source})",
                dtype=dtype, work=work, fastnn_s=tf, fastnn_1thread_s=tf1, sklearn_s=ts, sklearn_1thread_s=t1,
                ratio=ts / tf, ratio_1thread=t1 / tf1, best_ratio=best_ratio, target=target, met=met,
                floor_s=floor_s, floor_how=floor_how, fastnn_floor=min(tf, tf1) / floor_s,
                sklearn_floor=min(ts, t1) / floor_s, coef_diff=coef_diff, first_diff=first_diff, same=same,
                sensitivity=sensitivity, n_iter=n_iter, times=times))
            del models, fast, sk, sk_ulp
            gc.collect()
    return out


# ---------------------------------------------------------------------------- report


def environment():
    """Markdown lines: CPU model and SIMD level, every BLAS loaded and its threads, Numba's
    threading layer and threads, versions, the fastnn source state, the load average."""
    import platform
    import subprocess

    import numba
    import scipy
    import sklearn

    import fastnn
    from benchmarks.compare import blas_description, cpu_description

    model, simd = cpu_description()
    lines = [f"- {platform.machine()}, {os.cpu_count()} CPUs, python {platform.python_version()}",
             f"- CPU: {model}; SIMD: {simd}"]
    lines += [f"- BLAS: {b}" for b in blas_description()]
    numba_threads = numba.get_num_threads()
    try:
        layer = numba.threading_layer()
    except ValueError:
        layer = "not chosen yet (no parallel region has run)"
    lines.append(f"- numba {numba.__version__}, threading layer {layer}, {numba_threads} threads; numpy "
                 f"{np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, fastnn "
                 f"{fastnn.__version__}")
    root = Path(__file__).resolve().parent.parent
    try:
        def git(*a):
            return subprocess.run(["git", *a], cwd=root, capture_output=True, text=True).stdout.strip()

        dirty = git("status", "--porcelain", "--", "fastnn", "kernels").splitlines()
        lines.append(f"- fastnn source: commit {git('rev-parse', '--short', 'HEAD')}"
                     + (f", uncommitted changes in {', '.join(l[3:] for l in dirty)}" if dirty else ", clean"))
    except OSError:
        pass
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "NUMBA_NUM_THREADS"):
        v = os.environ.get(var)
        lines.append(f"- {var}: " + (f"set, `{v}`" if v is not None else "unset"))
    return lines


def _s(v):
    return f"{v:.3f}" if v < 10 else f"{v:.2f}"


def table(quick=False, repeat=None, only=None, header=False):
    """The Markdown lines of :func:`rows` (section title first; the environment too with
    ``header``), or a one-line note without scikit-learn."""
    return list(_lines(quick, repeat, only, header))


def _lines(quick, repeat, only, header):
    """:func:`table`'s lines, one at a time (each row as soon as it is measured)."""
    try:
        import sklearn
    except ImportError:
        yield ("fastnn vs scikit-learn MLPClassifier: skipped (scikit-learn is not installed; "
               "pip install 'fastnn-numba[sklearn]').")
        return
    lines = [f"## fastnn.sklearn.MLPClassifier vs sklearn.neural_network.MLPClassifier "
             f"(scikit-learn {sklearn.__version__}), the same parameters and random_state, whole fits", ""]
    if header:
        lines += environment() + [""]
    n_rep = (1 if quick else 5) if repeat is None else repeat
    lines += [f"Best of {n_rep} fits each (alternating, after a warm-up fit of each); the target is checked "
              "against scikit-learn's faster column; floor: the steps' matrix products alone in NumPy (see "
              "benchmarks/sklearn_rows.py). Load average at start: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}.", "", *HEADER]
    yield from lines
    for key, *_ in row_specs(quick):
        if only and key not in only:
            continue
        for line in _row_lines(rows(quick, repeat, [key])):
            yield line
    yield ""
    yield f"Load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}."


def _row_lines(measured):
    """The table lines of :func:`rows`' dicts."""
    for r in measured:
        target = f"{r['best_ratio']:.2f}" + ("" if r["target"] is None else
                                              f", ≥{r['target']:g} {'✓' if r['met'] else '✗'}")
        yield (
            f"| {r['label']} | {r['dtype']} | {r['work']} | {_s(r['fastnn_s'])} | {_s(r['fastnn_1thread_s'])} | "
            f"{_s(r['sklearn_s'])} | {_s(r['sklearn_1thread_s'])} | {r['ratio']:.2f} | {r['ratio_1thread']:.2f} | "
            f"{target} | "
            f"{_s(r['floor_s'])} | {r['floor_how']} | {r['fastnn_floor']:.2f} | {r['sklearn_floor']:.2f} | "
            f"{r['coef_diff']:.1e} {'✓' if r['same'] else '✗'} (first {r['unit']}: {r['first_diff']:.1e}) | "
            f"{r['sensitivity']:.1e} | {r['n_iter']} |")


def main(argv=None, *, quick=None, repeat=None):
    """Print :func:`table`. ``compare.py`` calls ``main(quick=...)`` (it prints the
    environment itself); from the command line the options are parsed from ``argv`` and
    the environment is printed first."""
    only, header = None, False
    if quick is None:
        import argparse

        p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        p.add_argument("--quick", action="store_true", help="small shapes, one fit each (a smoke test)")
        p.add_argument("--repeat", type=int, default=None,
                       help="fits per estimator and row, the best one shown (default 5, 1 with --quick)")
        p.add_argument("--rows", default="", help="comma-separated row keys: mnist1d, wide, lbfgs (default: all)")
        args = p.parse_args(argv)
        quick, repeat, header = args.quick, args.repeat, True
        only = [w.strip() for w in args.rows.split(",") if w.strip()] or None
    for line in _lines(quick, repeat, only, header):
        print(line, flush=True)


if __name__ == "__main__":
    main()
