"""fastnn vs fastnn.reference vs PyTorch (CPU) vs the floors, side by side, in one process.

Run from the repository root::

    python benchmarks/compare.py                 # every row (about 10 minutes, 2 GB arrays)
    python benchmarks/compare.py --quick         # smaller shapes, no course run: a smoke test
    python benchmarks/compare.py --rows deep     # rows whose label contains "deep"

Prints a Markdown report: the environment (BLAS variables, Numba threading layer and
threads, load average), then one row per shape and dtype with the median wall time of

- ``fastnn``: the model's own training iteration (``LogisticRegression`` /
  ``DeepNetwork``, made ready by ``fit``'s preparation, see ``benchmarks/__init__.py``);
- ``reference``: the same iteration in ``fastnn.reference`` (plain NumPy);
- ``torch``: the same maths in PyTorch on the CPU, full-batch gradient descent from the
  same initial parameters (only when ``import torch`` works; torch is no dependency);
- ``floor``: for logistic regression one parallel read of ``X`` (a Numba sum); for a deep
  network the iteration's matrix products alone (the same ``np.dot`` calls into the model's
  preallocated buffers);

and the ratios reference/fastnn, torch/fastnn (> 1: fastnn is faster) and fastnn/floor
(1 = at the floor).  Every implementation is warmed up, then timed in batches of calls
lasting at least ``--min-batch`` seconds; the median over ``--repeat`` batches is shown.
``Δcost`` is the largest relative difference between the costs the implementations return
on their first call (same parameters): a check that they compute the same thing.

Unless ``--quick``, a last table times a whole course run (``DeepNetwork`` [12288, 20, 7,
5, 1], 2500 iterations, learning rate 0.0075, on the cat / non-cat images found through
``FASTNN_DATA``), once per implementation.

Environment variables are read, never set: run one process per setting, e.g.
``FASTNN_PARALLEL_MIN_ELEMENTS=1000000000 python benchmarks/compare.py --rows deep`` (every
kernel serial) or ``OMP_WAIT_POLICY=passive python benchmarks/compare.py --rows deep``.
"""

import argparse
import datetime
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `python benchmarks/compare.py`

import numba  # noqa: E402
import numpy as np  # noqa: E402

import fastnn  # noqa: E402
from fastnn import kernels as K  # noqa: E402
from fastnn import reference as R  # noqa: E402
from fastnn.datasets import find_cat_data, load_cat  # noqa: E402

from benchmarks import (  # noqa: E402
    CAT_DIMS,
    DEEP_LR,
    LOGISTIC_LR,
    WIDE_DIMS,
    ReferenceDeep,
    ReferenceLogistic,
    deep_products,
    fastnn_deep,
    fastnn_logistic,
    logistic_data,
    one_iteration,
    read_once,
)

torch = None  # imported in main() unless --no-torch

#: Targets: fastnn must be at least this many times faster than (reference, torch).
TARGETS = {"logistic": (1.8, 1.2), "deep-cat": (2.0, 1.2), "deep-wide": (1.5, 1.0)}


# ------------------------------------------------------------------------------ torch


class TorchLogistic:
    """Logistic regression in PyTorch: the vectorised step, cost from the logits."""

    def __init__(self, X, Y, lr=LOGISTIC_LR):
        self.X, self.Y, self.lr = torch.from_numpy(X), torch.from_numpy(Y), lr
        self.w = torch.zeros((X.shape[0], 1), dtype=self.X.dtype)
        self.b = 0.0

    def step(self):
        X, Y, m = self.X, self.Y, self.X.shape[1]
        z = self.w.T @ X + self.b
        a = torch.sigmoid(z)
        cost = (z.clamp(min=0) - Y * z + torch.log1p(torch.exp(-z.abs()))).sum() / m
        dz = a - Y
        dw = X @ dz.T / m
        db = float(dz.sum()) / m
        self.w.sub_(dw, alpha=self.lr)
        self.b -= self.lr * db
        return float(cost)


class TorchDeep:
    """The deep network in PyTorch: manual forward/backward (no autograd), ReLU hidden
    layers, sigmoid output, cost from the logits, ``dZ_L = (A_L - Y) / m``, no ``dA0``,
    in-place gradient-descent update; parameters copied from fastnn's initial ones."""

    def __init__(self, parameters, X, Y, lr=DEEP_LR):
        self.P = {k: torch.from_numpy(v.copy()) for k, v in parameters.items()}
        self.L = len(parameters) // 2
        self.X, self.Y, self.lr = torch.from_numpy(X), torch.from_numpy(Y), lr

    def step(self):
        P, L, Y, m = self.P, self.L, self.Y, self.X.shape[1]
        A = [self.X]
        for l in range(1, L):
            A.append(torch.relu(torch.addmm(P[f"b{l}"], P[f"W{l}"], A[-1])))
        Z = torch.addmm(P[f"b{L}"], P[f"W{L}"], A[-1])
        cost = float((Z.clamp(min=0) - Y * Z + torch.log1p(torch.exp(-Z.abs()))).sum()) / m
        dZ = (torch.sigmoid(Z) - Y) / m
        for l in range(L, 0, -1):
            W = P[f"W{l}"]
            dW = dZ @ A[l - 1].T
            db = dZ.sum(dim=1, keepdim=True)
            if l > 1:
                dZ = (W.T @ dZ).masked_fill_(A[l - 1] <= 0, 0)
            W.sub_(dW, alpha=self.lr)
            P[f"b{l}"].sub_(db, alpha=self.lr)
        return cost


# ---------------------------------------------------------------------------- timing


def timed(fn, repeat, min_batch):
    """(median seconds per call, first return value): warm up, then ``repeat`` batches of
    calls, each batch long enough (``min_batch`` seconds) for the clock."""
    first = fn()
    fn()
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    number = max(1, int(min_batch / max(one, 1e-9)))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    time.sleep(0.1)  # let spinning worker threads (OpenMP) go to sleep before the next block
    return statistics.median(times), first


def ms(t):
    if t is None:
        return "–"
    v = t * 1e3
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}"


# ------------------------------------------------------------------------------ rows


def rows(quick):
    """(label, kind, family, spec) for every row, in print order."""
    if quick:
        logistic = [(2048, 8192), (1000, 20000)]
        cat_m, wide_m = [209, 1024], 1024
    else:
        logistic = [(12288, 20000), (1000, 200000)]
        cat_m, wide_m = [209, 8192], 8192
    out = []
    for dt in ("float64", "float32"):
        for n, m in logistic:
            out.append((f"logistic step X {n}×{m}", dt, "logistic", (n, m)))
    for dt in ("float64", "float32"):
        for m in cat_m:
            out.append((f"deep-cat [12288,20,7,5,1] m={m}", dt, "deep-cat", (CAT_DIMS, m, "direct")))
            out.append((f"deep-cat [12288,20,7,5,1] m={m} gram", dt, "deep-cat", (CAT_DIMS, m, "gram")))
        out.append((f"deep-wide [784,512,512,1] m={wide_m}", dt, "deep-wide", (WIDE_DIMS, wide_m, "direct")))
    return out


def cost_agreement(costs):
    costs = [c for c in costs if c is not None]
    ref = costs[0]
    return max(abs(c - ref) / max(abs(ref), 1e-300) for c in costs)


def run_row(family, spec, dtype, args):
    """Times (fastnn, reference, torch, floor) in seconds and the cost agreement."""
    if family == "logistic":
        X, Y = logistic_data(*spec, dtype)
        model = fastnn_logistic(X, Y)
        impls = [lambda: one_iteration(model), ReferenceLogistic(X, Y).step]
        impls.append(TorchLogistic(X, Y).step if torch is not None else None)
        floors = [lambda: read_once(X, fast=True), lambda: read_once(X, fast=False)]
    else:
        dims, m, first_layer = spec
        X, Y = logistic_data(dims[0], m, dtype, seed=1)
        t0 = time.perf_counter()
        model = fastnn_deep(dims, X, Y, first_layer=first_layer)
        if first_layer == "gram":
            print(f"  (gram row {dims} m={m} {dtype}: fit's preparation incl. X^T X took "
                  f"{1e3 * (time.perf_counter() - t0):.1f} ms, not in the per-iteration figures)")
        impls = [lambda: one_iteration(model), ReferenceDeep(model.parameters_, X, Y).step]
        impls.append(TorchDeep(model.parameters_, X, Y).step if torch is not None else None)
        floors = [lambda: deep_products(model)]
    times, costs = [], []
    for fn in impls:
        if fn is None:
            times.append(None)
            costs.append(None)
            continue
        t, c = timed(fn, args.repeat, args.min_batch)
        times.append(t)
        costs.append(float(c))
    t_floor = min(timed(f, args.repeat, args.min_batch)[0] for f in floors)
    del impls, floors, model, X, Y
    gc.collect()
    return times + [t_floor], cost_agreement(costs)


def course_run(dtype, data, n_it):
    """Seconds and final cost of a whole course run for (fastnn, reference, torch), and the
    floor estimate (n_it x the products of one iteration)."""
    X, Y = data[0].astype(dtype), data[1].astype(dtype)
    dims = list(CAT_DIMS)
    res = []
    for first_layer in ("direct", "auto"):  # "auto" (the default) is the fastnn column
        t0 = time.perf_counter()
        net = fastnn.DeepNetwork(dims, n_iterations=n_it, learning_rate=DEEP_LR, seed=1,
                                 first_layer=first_layer).fit(X, Y)
        res.append((time.perf_counter() - t0, net.costs_[-1]))
        time.sleep(0.1)
    direct = res.pop(0)
    t0 = time.perf_counter()
    _, costs = R.train_network(X, Y, dims, n_it, DEEP_LR, seed=1)
    res.append((time.perf_counter() - t0, costs[-1]))
    time.sleep(0.1)
    prepared_net = fastnn_deep(dims, X, Y)
    if torch is not None:
        tnet = TorchDeep(prepared_net.parameters_, X, Y)
        t0 = time.perf_counter()
        for i in range(n_it):
            c = tnet.step()
            if i % 100 == 0:
                last = c  # the last recorded cost, as costs_[-1]
        res.append((time.perf_counter() - t0, last))
        time.sleep(0.1)
    else:
        res.append((None, None))
    one_iteration(prepared_net)
    t_prod, _ = timed(lambda: deep_products(prepared_net), 7, 0.05)
    return res, n_it * t_prod, direct


# ------------------------------------------------------------------------ whole fits


def whole_fits(args, selected):
    """The issue-12 targets as whole fits (benchmarks/fits.py), scikit-learn's and Dask's rows
    (benchmarks/sklearn_rows.py, dask_rows.py) when those are importable, cold start and
    peak memory."""
    from benchmarks import fits

    fits.torch = torch
    print("\n## Whole fits (wall seconds, one process; torch: best of 1 and 2 threads)\n")
    print("| fit | dtype | fastnn s | reference s | torch s | sklearn s | ref/fastnn | torch/fastnn | sklearn/fastnn "
          "| result fastnn / ref / torch / sklearn | targets |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    s = lambda v: "–" if v is None else (f"{v:.3f}" if v < 1 else f"{v:.2f}")  # noqa: E731
    q = lambda v, fmt="{:.4f}": "–" if v is None else fmt.format(v)  # noqa: E731

    def show(row):
        if row is None:
            return
        f, r, t, k = row.get("fastnn"), row.get("reference"), row.get("torch"), row.get("sklearn")
        if "f_acc" in row:
            result = " / ".join(q(row.get(x), "{:.3f}") for x in ("f_acc", "r_acc", "t_acc", "s_acc")) + " (test acc.)"
        else:
            result = " / ".join(q(row.get(x), "{:.6f}") for x in ("f_cost", "r_cost", "t_cost")) + " (cost)"
        print(f"| {row['label']} | {row.get('dtype', 'float64')} | {s(f)} | {s(r)} | {s(t)} | {s(k)} | "
              f"{ratio(r, f)} | {ratio(t, f)} | {ratio(k, f)} | {result} | {row['targets']} |", flush=True)

    if selected("course fits"):
        show(fits.course_small_full_batch(args.quick))
        show(fits.course_adam(args.quick))
    if selected("mnist1d"):
        try:
            for dt in ("float32", "float64"):
                show(fits.mnist1d(dt, args.quick))
        except ImportError as exc:
            print(f"| MNIST-1D skipped: {exc} |")
    if selected("wide"):
        for dt in ("float32", "float64"):
            show(fits.wide_minibatch(dt, args.quick))
    if selected("float32 image"):
        where = find_cat_data()
        for row in fits.image_nets_float32(args.quick, load_cat(where) if where else None):
            show(row)
    if selected("sklearn"):
        try:
            from benchmarks import sklearn_rows

            print()
            sklearn_rows.main(quick=args.quick)
        except ImportError as exc:
            print(f"\n(scikit-learn rows skipped: {exc})")
    if selected("dask"):
        try:
            from benchmarks import dask_rows

            print()
            dask_rows.main(quick=args.quick)
        except ImportError as exc:
            print(f"\n(Dask rows skipped: {exc})")
    if selected("cold"):
        c = fits.cold_start()
        print("\n| whole process, fresh (empty Numba cache) / warm (cache filled) | seconds | target |\n|---|---|---|")
        print(f"| first `fastnn train` (the installed command), empty cache | {c['train']:.1f} | |")
        print(f"| import + tiny DeepNetwork fit + predict, empty cache | {c['DeepNetwork cold']:.1f} | ≤ 8 |")
        print(f"| the same, cache warm | {c['DeepNetwork warm']:.2f} | ≤ 0.7 |")
        if "sklearn" in c:
            print(f"| import + tiny fastnn.sklearn MLPClassifier fit + predict, empty cache | "
                  f"{c['fastnn.sklearn cold']:.1f} | ≤ 8 |")
            print(f"| the same, cache warm | {c['fastnn.sklearn warm']:.2f} | ≤ scikit-learn + 0.3 |")
            print(f"| scikit-learn's own MLPClassifier, the same process | {c['sklearn']:.2f} | |")
    if selected("memory"):
        print("\n| peak memory of a fit over its data | X MB | peak over X MB |\n|---|---|---|")
        for kind, n_x, m, order in (("logistic", 12288, 2000 if args.quick else 20000, "C"),
                                    ("logistic", 12288, 2000 if args.quick else 20000, "F"),
                                    ("network", 200, 50000 if args.quick else 500000, "C")):
            r = fits.peak_memory(kind, n_x, m, order)
            what = ("LogisticRegression" if kind == "logistic" else "DeepNetwork [200,256,10] b200") + f", {order}-ordered X"
            print(f"| {what} {n_x}×{m} | {r['X_MB']:.0f} | {r['peak_over_X_MB']:.0f} |", flush=True)


# ------------------------------------------------------------------------------ main


def cpu_description():
    """``(model name, SIMD level)`` of this CPU, from /proc/cpuinfo where there is one."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key in ("model name", "Model") and model in ("", platform.machine(), platform.processor()):
                    model = value.strip()
                elif key in ("flags", "Features") and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    levels = [("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sve", "SVE"), ("asimd", "NEON"),
              ("sse4_2", "SSE4.2")]
    simd = next((name for flag, name in levels if flag in flags), "unknown")
    if simd == "AVX-512":
        simd += " (" + ", ".join(f for f in ("avx512bw", "avx512vl", "avx512_bf16", "avx512_vnni") if f in flags) + ")"
    return model, simd


def blas_description():
    """One line per BLAS library loaded (NumPy's, SciPy's: the compiled kernels call SciPy's),
    with its core type and threads, from threadpoolctl."""
    import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS the kernels call)
    from threadpoolctl import threadpool_info

    out = []
    for info in threadpool_info():
        out.append(f"{info.get('internal_api')} {info.get('version')} ({os.path.basename(info.get('filepath', ''))}): "
                   f"core type {info.get('architecture', '?')}, {info.get('num_threads')} threads, "
                   f"{info.get('threading_layer', '')}")
    return out


def physical_cores():
    """Physical cores (distinct ``(physical id, core id)`` pairs of /proc/cpuinfo), or None
    where the file does not tell: logical CPUs count hyper-threads twice, and a ratio to a
    peer depends on how many real cores both used."""
    cores, pid = set(), None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key = key.strip()
                if key == "physical id":
                    pid = value.strip()
                elif key == "core id":
                    cores.add((pid, value.strip()))
    except OSError:
        return None
    return len(cores) or None


def environment(args):
    model, simd = cpu_description()
    lines = [f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, "
             f"{platform.machine()}, {os.cpu_count()} logical CPUs, {physical_cores() or '?'} physical cores, "
             f"python {platform.python_version()}",
             f"- CPU: {model}; SIMD: {simd}"]
    lines += [f"- BLAS: {b}" for b in blas_description()]
    blas = np.__config__.CONFIG.get("Build Dependencies", {}).get("blas", {})
    lines.append(f"- numpy {np.__version__} (BLAS {blas.get('name', '?')} {blas.get('version', '')}), "
                 f"numba {numba.__version__}, fastnn {fastnn.__version__}"
                 + (f", torch {torch.__version__}" if torch is not None else ", torch: not available"))
    root = Path(__file__).resolve().parent.parent
    try:
        git = lambda *a: subprocess.run(["git", *a], cwd=root, capture_output=True, text=True).stdout.rstrip()  # noqa: E731
        dirty = git("status", "--porcelain", "--", "fastnn", "kernels").splitlines()
        lines.append(f"- fastnn source: commit {git('rev-parse', '--short', 'HEAD').strip()}"
                     + (f", uncommitted changes in {', '.join(l[3:] for l in dirty)}" if dirty else ", clean"))
    except OSError:
        pass
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS",
                "NUMBA_THREADING_LAYER", "NUMBA_NUM_THREADS", "FASTNN_PARALLEL_MIN_ELEMENTS"):
        v = os.environ.get(var)
        lines.append(f"- {var}: " + (f"set, `{v}`" if v is not None else "unset"))
    lines.append(f"- fastnn.kernels.PARALLEL_MIN_ELEMENTS = {K.PARALLEL_MIN_ELEMENTS}")
    lines.append(f"- numba threading layer: {numba.threading_layer()}, threads: {numba.get_num_threads()}"
                 + (f"; torch threads: {torch.get_num_threads()} (set to Numba's)" if torch is not None else ""))
    if torch is not None:
        lines.append(f"- torch: {torch.__version__}, MKL {torch.backends.mkl.is_available()}, "
                     f"{torch.get_num_threads()} threads by default (the fit rows take its best of 1 and 2)")
    try:
        import sklearn

        lines.append(f"- scikit-learn {sklearn.__version__}")
    except ImportError:
        lines.append("- scikit-learn: not available")
    lines.append(f"- load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    lines.append(f"- repeats: median of {args.repeat} batches of ≥ {args.min_batch} s after warm-up"
                 + (", --quick shapes" if args.quick else ""))
    return lines


def main(argv=None):
    global torch
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller shapes, no course run (smoke test)")
    p.add_argument("--rows", default="", help="comma-separated substrings of the row labels to run "
                   "(e.g. logistic, deep, deep-cat, deep-wide, float32, course)")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--min-batch", type=float, default=0.05, help="seconds per timed batch")
    p.add_argument("--course-iterations", type=int, default=2500, help=argparse.SUPPRESS)
    p.add_argument("--no-torch", action="store_true", help="leave torch out even when installed")
    p.add_argument("--no-steps", action="store_true", help="leave out the one-step table")
    p.add_argument("--no-fits", action="store_true", help="leave out the whole-fit tables")
    args = p.parse_args(argv)

    if not args.no_torch:
        try:
            import torch as _torch

            torch = _torch
            torch.set_num_threads(numba.get_num_threads())
        except ImportError:
            torch = None
    read_once(np.ones((64, 64)))  # a first parallel region: the threading layer is chosen
    wanted = [w.strip().lower() for w in args.rows.split(",") if w.strip()]

    def selected(label):
        return not wanted or any(w in label.lower() for w in wanted)

    print("# fastnn vs reference vs torch, one process\n")
    print("\n".join(environment(args)))
    print()
    if not args.no_steps:
        print("## One training step (median over batches of calls)\n")
        print("| row | dtype | fastnn ms | reference ms | torch ms | floor ms | ref/fastnn | torch/fastnn "
              "| fastnn/floor | target ref, torch | Δcost |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
    for label, dtype, family, spec in rows(args.quick):
        if args.no_steps or not selected(f"{label} {dtype}"):
            continue
        (tf, tr, tt, tfl), dcost = run_row(family, spec, dtype, args)
        target = TARGETS[family]
        met = [tr / tf >= target[0], None if tt is None else tt / tf >= target[1]]
        flags = ", ".join(f"≥{t} {'✓' if ok else '✗'}" for t, ok in zip(target, met) if ok is not None)
        print(f"| {label} | {dtype} | {ms(tf)} | {ms(tr)} | {ms(tt)} | {ms(tfl)} | {ratio(tr, tf)} | "
              f"{ratio(tt, tf)} | {ratio(tf, tfl)} | {flags} | {dcost:.0e} |", flush=True)

    if not args.no_fits:
        whole_fits(args, selected)

    course_label = "deep course run [12288,20,7,5,1] 2500 iterations cat"
    if not args.quick and selected(course_label):
        print()
        where = find_cat_data()
        if where is None:
            print("Course run skipped: cat / non-cat data not found (set FASTNN_DATA).")
        else:
            data = load_cat(where)
            print(f"## Whole course run: DeepNetwork [12288, 20, 7, 5, 1], {args.course_iterations} iterations, "
                  f"lr {DEEP_LR}, cat data m={data[0].shape[1]} (one run each)\n")
            print("| dtype | fastnn s | reference s | torch s | floor s (iterations × products) | ref/fastnn "
                  "| torch/fastnn | fastnn/floor | last recorded cost fastnn / ref / torch |")
            print("|---|---|---|---|---|---|---|---|---|")
            # fastnn's default (first_layer="auto": the Gram path on this data), then the
            # direct path, which runs the same products as the reference and torch.
            for dtype in ("float64", "float32"):
                (f, r, t), floor, direct = course_run(dtype, data, args.course_iterations)
                s = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
                cst = " / ".join("–" if c is None else f"{c:.6f}" for c in (f[1], r[1], t[1]))
                print(f"| {dtype} | {s(f[0])} | {s(r[0])} | {s(t[0])} | {s(floor)} | {ratio(r[0], f[0])} | "
                      f"{ratio(t[0], f[0])} | {ratio(f[0], floor)} | {cst} |", flush=True)
                print(f"| {dtype}, first_layer='direct' | {s(direct[0])} | {s(r[0])} | {s(t[0])} | {s(floor)} | "
                      f"{ratio(r[0], direct[0])} | {ratio(t[0], direct[0])} | {ratio(direct[0], floor)} | "
                      f"{direct[1]:.6f} |", flush=True)
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
