"""Policies shared by every kernel: fastmath, caching, parallel/serial variants.

Every tunable of ``fastnn.kernels`` lives here.

Fastmath
    Numba's ``fastmath`` switched fully on is never used: it implies ``nnan``/``ninf``, under which LLVM may
    assume no NaN/inf exist and ``np.isnan`` can fold to ``False`` (numba#2919, #9383).
    The only flag set allowed is :data:`FASTMATH` (no ``nnan``/``ninf``), and only where it
    lets LLVM vectorise a sum: the inner loops of the logistic-regression kernel, the loop
    matrix products (``dense.py``) and ``layers.row_sum``. Their results are deterministic for
    a given compiled binary, whatever the thread count and the arrays' alignment (tested);
    CPUs of different vector widths may round such sums differently. Kernels whose rounding
    must match ``fastnn.reference`` closely (activations, losses, derivatives, updates) use no
    fastmath at all; the vectorised exp/log/tanh (``_math.py``) are exact IEEE arithmetic.

Caching
    ``CACHE`` is True unless the environment sets ``FASTNN_CACHE=0``.  Numba keys a cached
    function on the source of its own file only, so a compiled driver would keep running the
    old code of a helper changed in another file (numba#1833), after an edit as after an
    upgrade of fastnn.  Every cached dispatcher here is therefore stamped with
    :func:`source_stamp`, a hash of all the kernel files and of Numba's version: a change
    anywhere in ``kernels/`` recompiles everything once.  No kernel calls
    ``numba.get_num_threads()`` (that silently disables caching, and results must never
    depend on the thread count anyway).  Checked with numba 0.68.1 (numba#7518 reported a
    crash of cached parallel functions when the thread count changed): a cache written
    with ``NUMBA_NUM_THREADS=2`` loads and runs with 1 and vice versa, with the ``omp`` and
    ``workqueue`` layers, giving bit-identical results.  Cold compile of every kernel
    (parallel variants, float64) takes ~20 s; loading them all from the cache ~0.6 s.
    The serial variant is compiled from a renamed copy of the function: Numba's cache
    index does not key on ``parallel=``, so both variants would otherwise share entries.

Parallel and serial variants
    :func:`kernel` compiles ONE Python function twice: with ``parallel=True`` (``prange``
    runs on Numba's thread pool) and with ``parallel=False`` (``prange`` acts as
    ``range``).  The decorated name is the parallel dispatcher; ``.serial`` is the serial
    one, ``.parallel`` the parallel one.  Results of reduction kernels do not depend on the
    number of threads (fixed chunking, serial merge in chunk order).

Thresholds
    ``PARALLEL_MIN_ELEMENTS`` (2**25, 32 Mi elements): below this many array elements a
    network's element-wise kernel runs its serial variant (:func:`choose`).  A parallel
    region costs 3-35 us of fork/join, and Numba's OpenMP workers spin after a region,
    starving the OpenBLAS threads of the GEMM that follows (measurements next to the
    constant below).  In isolation a kernel gains from 2 threads much earlier
    (``bias_relu`` serial/parallel 1.8/2.1 us at 2**14 elements, 7.4/3.9 us at 2**16), which
    is why the logistic step, with no BLAS call to starve, has its own lower threshold,
    ``LOGISTIC_PARALLEL_MIN_ELEMENTS`` (2**16).  Override with the environment variables
    ``FASTNN_PARALLEL_MIN_ELEMENTS`` and ``FASTNN_LOGISTIC_PARALLEL_MIN_ELEMENTS``.
    Serial and parallel variants return bit-identical results (tested), so the choice
    never changes a model's numbers.

Float32
    Constants are built from the array dtype inside kernels (``Z.dtype.type(1)``): a
    Python literal such as ``1`` or ``0.5`` promotes float32 arithmetic to float64.
    Reductions over examples (costs, ``db``, ``dw``) always accumulate in float64.
"""

import hashlib
import os
import pathlib
import types

import numba
from numba import njit
from numba.core.registry import CPUDispatcher

from ._link_only import PIPELINE as _LINK_ONLY

#: The one fastmath flag set allowed (never the all-flags switch: no ``nnan``/``ninf``).
FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})

#: NumPy's semantics for a float division by zero (inf or NaN, which the finiteness checks
#: report), not Python's ZeroDivisionError: Numba's default checks every division for zero,
#: and that check keeps LLVM from vectorising any loop that divides (Adam's update: 3.1 ns a
#: parameter with it, 0.3 without).
ERROR_MODEL = "numpy"

#: On-disk caching of compiled kernels (``FASTNN_CACHE=0`` disables it).
CACHE = os.environ.get("FASTNN_CACHE", "1") != "0"

#: Arrays with fewer elements than this should use the serial variant.
#: 2**25 (32 Mi elements): in a network the element-wise work between two GEMMs is a few
#: per cent of an iteration, while a parallel region followed by BLAS costs far more: the
#: OpenMP workers spin after the region on the cores OpenBLAS needs. Measured with the
#: models (benchmarks/results/compare-2026-11-26-deep-settings.md): cat net m=209 18.8 ms
#: with 2**15 against 4.3 ms all-serial; wide [784,512,512,1] m=8192 (512x8192 arrays,
#: parallel at 2**22) 277 ms against 248 ms all-serial.
PARALLEL_MIN_ELEMENTS = int(os.environ.get("FASTNN_PARALLEL_MIN_ELEMENTS", 2**25))

#: Logistic kernel: at most this many example chunks (size of the partial buffers).
LOGISTIC_MAX_CHUNKS = 64
#: Logistic kernel: a chunk holds at least this many examples (unless m is smaller).
LOGISTIC_MIN_CHUNK = 64
#: Logistic kernel, feature-major layout: bytes of X per sub-block kept in L2 between
#: the z pass and the dw pass (half of a 2 MiB L2, leaving room for w and the partial dw);
#: see logistic.logistic_block for the clamp to [64, 256] examples.
LOGISTIC_BLOCK_BYTES = 1 << 20


def source_stamp(directory=None):
    """SHA-256 of every ``*.py`` file of the kernels package (sorted by name) and of the
    Numba version: the freshness stamp of every cached kernel."""
    directory = pathlib.Path(directory or pathlib.Path(__file__).parent)
    h = hashlib.sha256(numba.__version__.encode())
    for path in sorted(directory.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.digest()


_STAMP = source_stamp() if CACHE else None


def _stamped(dispatcher):
    """Give a cached dispatcher the package-wide :func:`source_stamp` instead of its file's
    hash (see the module notes). A Numba without this internal keeps its own behaviour."""
    cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    if cache_file is not None and hasattr(cache_file, "_source_stamp"):
        cache_file._source_stamp = _STAMP
    return dispatcher


def _flags(fastmath):
    """Numba's ``fastmath`` argument for ``False`` or :data:`FASTMATH` (nothing else)."""
    if fastmath is False:
        return False
    if isinstance(fastmath, (set, frozenset)) and set(fastmath) == set(FASTMATH):
        return set(FASTMATH)
    raise ValueError("fastmath must be False or _config.FASTMATH (never True)")


def _renamed_copy(fn, suffix):
    """Return a copy of ``fn`` whose ``__qualname__`` ends in ``suffix``.

    Numba's cache index is keyed by qualified name, line number and signature, not by
    the ``parallel`` flag: two dispatchers built from the very same function would
    overwrite each other's cache entries.  A renamed copy gets its own cache files.
    """
    new = types.FunctionType(
        fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
    )
    new.__qualname__ = fn.__qualname__ + suffix
    new.__doc__ = fn.__doc__
    new.__module__ = fn.__module__
    new.__kwdefaults__ = fn.__kwdefaults__
    return new


def kernel(fn=None, *, fastmath=False):
    """Compile ``fn`` lazily as a parallel and a serial Numba dispatcher.

    Parameters
    ----------
    fn : function
        A plain Python function that uses ``numba.prange`` for its parallel loop.
    fastmath : False or FASTMATH, optional
        ``False`` (default) or :data:`FASTMATH`; anything else is refused.

    Returns
    -------
    numba dispatcher
        The parallel variant, with attributes ``.serial`` (same function compiled with
        ``parallel=False``) and ``.parallel`` (itself).
    """
    flags = _flags(fastmath)

    def build(f):
        par = _stamped(njit(parallel=True, cache=CACHE, fastmath=flags, error_model=ERROR_MODEL)(f))
        ser = _stamped(njit(parallel=False, cache=CACHE, fastmath=flags, error_model=ERROR_MODEL)(
            _renamed_copy(f, "__serial")))
        par.serial = ser
        par.parallel = par
        ser.serial = ser
        ser.parallel = par
        return par

    if fn is None:
        return build
    return build(fn)


class _Helper(CPUDispatcher):
    """A helper's dispatcher: compiled without the wrappers that only a call from Python needs
    (see :func:`helper`). A call from Python (a test of the helper alone) goes to a twin
    compiled from the same function with the same options and its wrappers, built on first
    use: the dispatcher's own machine code has no entry point for Python to call."""

    def __call__(self, *args, **kwargs):
        twin = self.__dict__.get("_python_twin")
        if twin is None:
            twin = self._python_twin = njit(**self._twin_options)(self.py_func)
        return twin(*args, **kwargs)


def helper(fn=None, *, fastmath=False, inline=False):
    """Compile a serial inner helper called from kernels.

    Compiled into each calling kernel (and cached with it). ``fastmath`` is ``False`` or
    :data:`FASTMATH`. ``inline=True`` inlines it into its caller at Numba's IR level
    (``inline="always"``), for large helpers with one call site.

    Its compiled code has no CPython and no C-callable wrapper (``no_cpython_wrapper``,
    ``no_cfunc_wrapper``): a caller links in the whole compiled library of each helper it
    calls and LLVM optimises and generates it again at every level of the call tree, so the
    wrappers (the unboxing of every array argument) were generated many times over and never
    run. Without them the first compile of the training loop took about 2.6 s less (of
    18 s, ``fastnn train`` with an empty cache). Nor is it optimised as a module or turned
    into machine code of its own: its callers optimise it with their own code
    (``_link_only.py``). A call from Python still works: see :class:`_Helper`.
    """
    flags = _flags(fastmath)

    def build(f):
        options = dict(fastmath=flags, error_model=ERROR_MODEL, inline="always" if inline else "never")
        link_only = {} if _LINK_ONLY is None else {"pipeline_class": _LINK_ONLY}
        dispatcher = njit(no_cpython_wrapper=True, no_cfunc_wrapper=True, **options, **link_only)(f)
        dispatcher.__class__ = _Helper
        dispatcher._twin_options = options
        return dispatcher

    if fn is None:
        return build
    return build(fn)


def entry(fn):
    """Compile ``fn`` as a serial, cached Numba function called from Python (a compiled
    driver: it calls helpers and BLAS, never a parallel region)."""
    return _stamped(njit(cache=CACHE, error_model=ERROR_MODEL)(fn))


def choose(kernel_, n_elements):
    """Return the variant of ``kernel_`` to use for an array of ``n_elements`` elements.

    The serial variant below :data:`PARALLEL_MIN_ELEMENTS`, the parallel one otherwise.
    """
    if n_elements < PARALLEL_MIN_ELEMENTS:
        return kernel_.serial
    return kernel_.parallel

#: The logistic step has no BLAS call to starve, so it goes parallel much earlier.
LOGISTIC_PARALLEL_MIN_ELEMENTS = int(os.environ.get("FASTNN_LOGISTIC_PARALLEL_MIN_ELEMENTS", 2**16))

#: Matrix products of at least this many floating-point operations go to BLAS (``np.dot``
#: in compiled code), smaller ones to loops (see ``dense.py``). A constant, not an
#: environment variable: Numba freezes globals into cached machine code.
BLAS_MIN_FLOPS = 2.0e5
