"""Which Numba threading layer runs the parallel kernels, and a lock for the unsafe one.

Numba's ``workqueue`` layer aborts the process when two Python threads launch parallel
kernels at once (numba#8563); ``omp`` and ``tbb`` do not. fastnn keeps Numba's default
choice (``tbb``, then ``omp``, then ``workqueue``) and serialises its kernel calls behind
one lock only when the layer in use is ``workqueue``, so concurrent ``fit``/``predict``
calls from a thread pool are always safe and, on ``omp``/``tbb``, run concurrently.
"""

import contextlib
import threading

import numba

_lock = threading.RLock()
_layer = None


def threading_layer():
    """The Numba threading layer in use, or ``None`` before the first parallel launch."""
    global _layer
    if _layer is None:
        try:
            _layer = numba.threading_layer()
        except ValueError:  # no parallel region has run yet
            return None
    return _layer


def kernel_guard():
    """Context manager to hold around a run of parallel kernel calls.

    The shared lock while the layer is ``workqueue`` or not yet chosen (the first launch
    chooses it), a no-op otherwise.
    """
    return contextlib.nullcontext() if threading_layer() in ("omp", "tbb") else _lock


#: Below this many floating-point operations in its largest matrix product, a training step
#: runs BLAS on one thread. Measured on 2 cores (OpenBLAS): a 100x100x100 float32 product
#: takes 14.5 us on 2 threads and 19.6 us on 1 when the machine is idle, but 16 ms on 2
#: threads when another process keeps a core busy (the second BLAS thread waits for a time
#: slice); the MNIST-1D step (2 MFLOP products) went from 0.16 ms to 5 ms. Large products
#: (the wide and the image networks, 20 MFLOP and more) gain from the threads.
BLAS_SINGLE_THREAD_BELOW = 2.0**23

_controller = None


def _blas_controller():
    """threadpoolctl's controller of the BLAS libraries loaded now (NumPy's and SciPy's, whose
    BLAS the compiled kernels call), built once: building it scans the loaded libraries."""
    global _controller
    if _controller is None:
        import scipy.linalg.cython_blas  # noqa: F401  (load the BLAS the kernels call)
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def blas_threads(limit):
    """Context manager: BLAS on at most ``limit`` threads (``None``: unchanged).

    The limit is process-wide while it holds (BLAS libraries have one thread count). Results
    can depend on it: OpenBLAS 0.3.30 (SciPy's, which the kernels call; SkylakeX kernels)
    gives other bits for a (200 x 256) @ (256 x 200) float64 product on 2 threads than on 1
    (5.7e-14 apart; also NumPy's 0.3.31 at 1000^3), while the 100-unit products of the
    MNIST-1D-sized nets agree bit for bit (measured 2026-12-04, 2-core Intel Xeon). So a fit
    whose products run on every core (largest product >= BLAS_SINGLE_THREAD_BELOW) is
    reproducible for a given machine and thread count, not across thread counts.
    """
    if limit is None:
        return contextlib.nullcontext()
    return _blas_controller().limit(limits=limit, user_api="blas")
