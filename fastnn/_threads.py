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
