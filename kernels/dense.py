"""Matrix products of a dense layer, called from compiled code: loops for small products,
BLAS (``np.dot`` inside Numba, through SciPy's BLAS) for large ones.

Three shapes cover a layer's forward and backward passes, all on C-contiguous operands:

- ``mm_nn(A, B, C)``: ``C = A @ B``    (forward ``Z = W A``; ``dW = dZ X`` when X is stored
  example-major)
- ``mm_nt(A, B, C)``: ``C = A @ B.T``  (``dW = dZ A^T``; forward ``Z = W X`` when X is
  example-major)
- ``mm_tn(A, B, C, At)``: ``C = A.T @ B``  (``dA = W^T dZ``; the loop is ``mm_nn``'s on a copy
  of ``A.T`` in ``At``)

Below ``BLAS_MIN_FLOPS`` floating-point operations a call of BLAS costs more than the product
(a few hundred nanoseconds to microseconds of dispatch and packing): the loops run instead.
The loops use the :data:`~._config.FASTMATH` flag set (no ``nnan``/``ninf``) so that LLVM
vectorises them: ``mm_nt`` is a dot product (a reduction, which needs ``reassoc``); the other
two are sums of rows scaled by a scalar (``axpy``), vectorised along the contiguous row.
Every result is deterministic for a given machine code: no threads, a fixed loop order.
"""

import numpy as np

from ._config import BLAS_MIN_FLOPS, FASTMATH, helper
from ._intrinsics import readonly


@helper(fastmath=FASTMATH)
def _loop_nn(A, B, C):
    """``C = A @ B``: four rows of ``C`` at a time and two terms per pass (each row of ``B``
    loaded once for four rows, each row of ``C`` read and written once for two terms); every
    element still sums its ``k`` terms in order, ``(c + a x) + e y``. The first pass assigns
    (no pass zeroing ``C``): one term for an odd ``k``, two for an even one, ``a x + e y``
    (what ``(0 + a x) + e y`` is). Written out inline: as a call per
    pass (even to a small helper) it ran 3-5 times slower."""
    n, k = A.shape
    zero = C.dtype.type(0)
    odd = k % 2 == 1
    i = 0
    while i + 4 <= n:
        c0, c1, c2, c3 = C[i], C[i + 1], C[i + 2], C[i + 3]
        if odd:
            a0, a1, a2, a3 = A[i, 0], A[i + 1, 0], A[i + 2, 0], A[i + 3, 0]
            b = B[0]
            for j in range(b.size):
                x = b[j]
                c0[j] = a0 * x
                c1[j] = a1 * x
                c2[j] = a2 * x
                c3[j] = a3 * x
        elif k > 0:
            # The first two terms assigned: (0 + a x) + e y is a x + e y (no pass zeroing C).
            a0, a1, a2, a3 = A[i, 0], A[i + 1, 0], A[i + 2, 0], A[i + 3, 0]
            e0, e1, e2, e3 = A[i, 1], A[i + 1, 1], A[i + 2, 1], A[i + 3, 1]
            b = B[0]
            f = B[1]
            for j in range(b.size):
                x = b[j]
                y = f[j]
                c0[j] = a0 * x + e0 * y
                c1[j] = a1 * x + e1 * y
                c2[j] = a2 * x + e2 * y
                c3[j] = a3 * x + e3 * y
        else:
            c0[:] = zero
            c1[:] = zero
            c2[:] = zero
            c3[:] = zero
        for p in range(1 if odd else min(k, 2), k, 2):
            a0, a1, a2, a3 = A[i, p], A[i + 1, p], A[i + 2, p], A[i + 3, p]
            e0, e1, e2, e3 = A[i, p + 1], A[i + 1, p + 1], A[i + 2, p + 1], A[i + 3, p + 1]
            b = B[p]
            f = B[p + 1]
            for j in range(b.size):
                x = b[j]
                y = f[j]
                c0[j] = (c0[j] + a0 * x) + e0 * y
                c1[j] = (c1[j] + a1 * x) + e1 * y
                c2[j] = (c2[j] + a2 * x) + e2 * y
                c3[j] = (c3[j] + a3 * x) + e3 * y
        i += 4
    while i < n:
        c = C[i]
        if odd:
            a = A[i, 0]
            b = B[0]
            for j in range(c.size):
                c[j] = a * b[j]
        elif k > 0:
            a, e = A[i, 0], A[i, 1]
            b = B[0]
            f = B[1]
            for j in range(c.size):
                c[j] = a * b[j] + e * f[j]
        else:
            c[:] = zero
        for p in range(1 if odd else min(k, 2), k, 2):
            a, e = A[i, p], A[i, p + 1]
            b = B[p]
            f = B[p + 1]
            for j in range(c.size):
                c[j] = (c[j] + a * b[j]) + e * f[j]
        i += 1


@helper(fastmath=FASTMATH)
def _loop_nt(A, B, C):
    """``C = A @ B.T``: dot products of rows, four rows of ``A`` against each row of ``B``."""
    n = A.shape[0]
    k = B.shape[0]
    zero = C.dtype.type(0)
    i = 0
    while i + 4 <= n:
        a0, a1, a2, a3 = A[i], A[i + 1], A[i + 2], A[i + 3]
        for p in range(k):
            b = B[p]
            s0 = s1 = s2 = s3 = zero
            for j in range(b.size):
                x = b[j]
                s0 += a0[j] * x
                s1 += a1[j] * x
                s2 += a2[j] * x
                s3 += a3[j] * x
            C[i, p] = s0
            C[i + 1, p] = s1
            C[i + 2, p] = s2
            C[i + 3, p] = s3
        i += 4
    while i < n:
        # A row left over: four (then two) rows of B at a time, for independent sums (one
        # dot product at a time waits on its own additions: twice the time per product).
        a = A[i]
        p = 0
        while p + 4 <= k:
            b0, b1, b2, b3 = B[p], B[p + 1], B[p + 2], B[p + 3]
            s0 = s1 = s2 = s3 = zero
            for j in range(a.size):
                x = a[j]
                s0 += x * b0[j]
                s1 += x * b1[j]
                s2 += x * b2[j]
                s3 += x * b3[j]
            C[i, p] = s0
            C[i, p + 1] = s1
            C[i, p + 2] = s2
            C[i, p + 3] = s3
            p += 4
        while p + 2 <= k:
            b0, b1 = B[p], B[p + 1]
            s0 = s1 = zero
            for j in range(a.size):
                x = a[j]
                s0 += x * b0[j]
                s1 += x * b1[j]
            C[i, p] = s0
            C[i, p + 1] = s1
            p += 2
        if p < k:
            b = B[p]
            s = zero
            for j in range(a.size):
                s += a[j] * b[j]
            C[i, p] = s
        i += 1


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
def mm_tn(A, B, C, At):
    """``C = A.T @ B``; ``A`` (n, k), ``B`` (n, b), ``C`` (k, b), C-contiguous, one dtype.

    ``At`` is a C-contiguous ``(k, n)`` buffer of that dtype, overwritten on the loop path:
    ``A.T`` is copied into it (``n k`` elements against the product's ``n k b`` terms) so that
    the loop is :func:`_loop_nn` on the very operand types of :func:`mm_nn`, compiled once
    (on ``A.T``'s strided view it was a second copy of the loop, about 0.9 s of the first
    compile). The sums are the same, term for term, as on the view."""
    n, k = A.shape
    if 2.0 * n * k * B.shape[1] < BLAS_MIN_FLOPS:
        for i in range(n):
            row = A[i]
            for q in range(k):
                At[q, i] = row[q]
        _loop_nn(At, readonly(B), C)
    else:
        np.dot(A.T, B, C)

