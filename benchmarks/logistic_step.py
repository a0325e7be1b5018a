"""One logistic-regression gradient step: fastnn kernel vs NumPy vs one read of X.

A plain script (not a test, not an asv suite): ``python benchmarks/logistic_step.py``.
Options: ``--shapes 12288x20000,1000x200000``, ``--dtypes float64,float32``,
``--layouts examples,features``, ``--repeat 7``.

For each shape/dtype/layout it prints the median wall time of
- ``kernel``: ``fastnn.kernels.logistic_step_examples`` (X stored examples-contiguous,
  ``Xe = X.T`` of an F-ordered X) or ``logistic_step_features`` (X C-ordered);
- ``numpy``: the vectorised step ``A = sigmoid(w.T @ X + b); dw = X @ (A - Y).T / m; ...``
  on the same array (stable sigmoid, cost from the logits);
- ``read``: one parallel pass over X (a Numba ``prange`` sum), the memory floor;
and the ratios kernel/read and numpy/kernel, as a Markdown table.

The three are timed in interleaved rounds (read, kernel, numpy, read, kernel, ...) and the
ratios are the medians of the per-round ratios: on a shared machine the memory bandwidth
moves by 2x within a minute, and only ratios measured side by side mean anything.  The
load average before and after each row is printed so a contended run can be recognised.
"""

import argparse
import os
import platform
import statistics
import time

import numba
import numpy as np
from numba import njit, prange

from fastnn.kernels import logistic_n_chunks, logistic_step_examples, logistic_step_features


@njit(parallel=True, cache=True, fastmath={"reassoc"})
def read_once(A):
    """Sum of a C-contiguous 2-D array, parallel over rows: one read of it.

    Accumulates in the array's dtype with a vectorised (reassociated) sum, so the loop is
    as cheap as possible and only the memory traffic is timed.
    """
    n = A.shape[0]
    part = np.zeros(n, np.float64)
    for i in prange(n):
        r = A[i]
        s = A.dtype.type(0)
        for j in range(r.size):
            s += r[j]
        part[i] = s
    return part.sum()


def numpy_step(w, b, X, Y):
    m = X.shape[1]
    Z = w.T @ X + b
    e = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
    cost = float(np.sum(np.maximum(Z, 0) - Y * Z + np.log1p(e)) / m)
    dZ = A - Y
    dw = X @ dZ.T / m
    db = float(np.sum(dZ) / m)
    return dw, db, cost


def interleaved(fns, repeat):
    """Median time of each function and median per-round ratio to the first one."""
    for fn in fns:
        fn()  # warm-up (compilation, page faults)
    times = [[] for _ in fns]
    for _ in range(repeat):
        for t, fn in zip(times, fns):
            t0 = time.perf_counter()
            fn()
            t.append(time.perf_counter() - t0)
    medians = [statistics.median(t) for t in times]
    ratios = [[a / b for a, b in zip(t, times[0])] for t in times]
    return medians, ratios


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shapes", default="12288x20000,1000x200000")
    p.add_argument("--dtypes", default="float64,float32")
    p.add_argument("--layouts", default="examples,features")
    p.add_argument("--repeat", type=int, default=9)
    args = p.parse_args()

    print(f"numba {numba.__version__}, numpy {np.__version__}, threads {numba.get_num_threads()}, "
          f"layer {os.environ.get('NUMBA_THREADING_LAYER', 'default')}, {platform.processor() or platform.machine()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY", "OMP_NUM_THREADS"):
        print(f"{var}={os.environ.get(var, '(unset)')}")
    print()
    print("| n_x x m | dtype | layout | GB | kernel ms | numpy ms | read ms | read GB/s | kernel/read | numpy/kernel | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for shape in args.shapes.split(","):
        n, m = (int(v) for v in shape.split("x"))
        for dname in args.dtypes.split(","):
            dt = np.dtype(dname)
            for layout in args.layouts.split(","):
                if layout == "examples":
                    # images.reshape(m, -1).T: F-ordered (n, m); the kernel takes its .T
                    Xe = rng.standard_normal((m, n), dtype=np.float64).astype(dt)
                    X = Xe.T
                    stored = Xe
                    kern = logistic_step_examples
                else:
                    X = rng.standard_normal((n, m), dtype=np.float64).astype(dt)
                    stored = X
                    kern = logistic_step_features
                X *= dt.type(1 / np.sqrt(n))
                Y = (rng.random((1, m)) < 0.5).astype(dt)
                w = (rng.standard_normal((n, 1)) * 0.5).astype(dt)
                b = 0.1
                nc = logistic_n_chunks(m)
                pdw = np.empty((nc, n))
                ps = np.empty((nc, 2))
                dw = np.empty((n, 1), dt)
                load0 = os.getloadavg()[0]
                (t_r, t_k, t_np), (_, r_k, r_np) = interleaved(
                    [
                        lambda: read_once(stored),
                        lambda: kern(stored, w, b, Y, pdw, ps, dw),
                        lambda: numpy_step(w, b, X, Y),
                    ],
                    args.repeat,
                )
                kernel_over_read = statistics.median(r_k)
                numpy_over_kernel = statistics.median([a / b for a, b in zip(r_np, r_k)])
                load1 = os.getloadavg()[0]
                # sanity: the kernel agrees with NumPy
                dw_np, db_np, c_np = numpy_step(w.astype(np.float64), b, X.astype(np.float64), Y.astype(np.float64))
                c_k, db_k = kern(stored, w, b, Y, pdw, ps, dw)
                err = float(np.max(np.abs(dw - dw_np)) / np.max(np.abs(dw_np)))
                assert err < (1e-10 if dt == np.float64 else 1e-5), err
                gb = stored.nbytes / 1e9
                print(f"| {n}x{m} | {dname} | {layout} | {gb:.2f} | {t_k*1e3:.1f} | {t_np*1e3:.1f} | "
                      f"{t_r*1e3:.1f} | {gb/t_r:.0f} | {kernel_over_read:.2f} | {numpy_over_kernel:.2f} | "
                      f"{load0:.1f}/{load1:.1f} |", flush=True)
                del X, stored
                if layout == "examples":
                    del Xe


if __name__ == "__main__":
    main()
