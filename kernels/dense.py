"""Matrix products of a dense layer, called from compiled code: loops for small products,
BLAS (``np.dot`` inside Numba, through SciPy's BLAS) for large ones.

Three shapes cover a layer's forward and backward passes, all on C-contiguous operands:

- ``mm_nn(A, B, C)``: ``C = A @ B``    (forward ``Z = W A``; ``dW = dZ X`` when X is stored
  example-major)
- ``mm_nt(A, B, C)``: ``C = A @ B.T``  (``dW = dZ A^T``; forward ``Z = W X`` when X is
  example-major)
- ``mm_tn(A, B, C)``: ``C = A.T @ B``  (``dA = W^T dZ``)

Below ``BLAS_MIN_FLOPS`` floating-point operations a call of BLAS costs more than the product
(a few hundred nanoseconds to microseconds of dispatch and packing): the loops run instead.
The loops use the :data:`~._config.FASTMATH` flag set (no ``nnan``/``ninf``) so that LLVM
vectorises them: ``mm_nt`` is a dot product (a reduction, which needs ``reassoc``); the other
two are sums of rows scaled by a scalar (``axpy``), vectorised along the contiguous row.
Every result is deterministic for a given machine code: no threads, a fixed loop order.
"""

import numpy as np

from ._config import BLAS_MIN_FLOPS, FASTMATH, helper


@helper(fastmath=FASTMATH)
def _loop_nn(A, B, C):
    n, k = A.shape
    zero = C.dtype.type(0)
    for i in range(n):
        c = C[i]
        c[:] = zero
        for p in range(k):
            a = A[i, p]
            b = B[p]
            for j in range(c.size):
                c[j] += a * b[j]


@helper(fastmath=FASTMATH)
def _loop_nt(A, B, C):
    n = A.shape[0]
    k = B.shape[0]
    zero = C.dtype.type(0)
    for i in range(n):
        a = A[i]
        for p in range(k):
            b = B[p]
            s = zero
            for j in range(a.size):
                s += a[j] * b[j]
            C[i, p] = s


@helper(fastmath=FASTMATH)
def _loop_tn(A, B, C):
    n, k = A.shape
    zero = C.dtype.type(0)
    for p in range(k):
        c = C[p]
        c[:] = zero
        for i in range(n):
            a = A[i, p]
            b = B[i]
            for j in range(c.size):
                c[j] += a * b[j]


@helper
def mm_nn(A, B, C):
    """``C = A @ B``; ``A`` (n, k), ``B`` (k, b), ``C`` (n, b), C-contiguous, one dtype."""
    if 2.0 * A.shape[0] * A.shape[1] * B.shape[1] < BLAS_MIN_FLOPS:
        _loop_nn(A, B, C)
    else:
        np.dot(A, B, C)


@helper
def mm_nt(A, B, C):
    """``C = A @ B.T``; ``A`` (n, b), ``B`` (k, b), ``C`` (n, k), C-contiguous, one dtype."""
    if 2.0 * A.shape[0] * A.shape[1] * B.shape[0] < BLAS_MIN_FLOPS:
        _loop_nt(A, B, C)
    else:
        np.dot(A, B.T, C)


@helper
def mm_tn(A, B, C):
    """``C = A.T @ B``; ``A`` (n, k), ``B`` (n, b), ``C`` (k, b), C-contiguous, one dtype."""
    if 2.0 * A.shape[0] * A.shape[1] * B.shape[1] < BLAS_MIN_FLOPS:
        _loop_tn(A, B, C)
    else:
        np.dot(A.T, B, C)
