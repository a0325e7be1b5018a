"""kernels/_intrinsics.py: the views built without Numba's reshape."""

import numpy as np
import pytest


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.uint8])
@pytest.mark.parametrize("writeable", [True, False])
def test_direct_views_are_the_reshaped_slices(dtype, writeable):
    """``_intrinsics.view2`` / ``flat`` (views built without Numba's reshape) give what
    ``buf[start:start + n*b].reshape(n, b)`` / ``arr.reshape(arr.size)`` give: the same
    values, shape and strides, the buffer's memory (a write shows through) and its
    read-only flag."""
    from numba import njit

    from fastnn.kernels._intrinsics import flat, view2

    @njit
    def views(buf, start, n, b):
        v = view2(buf, start, n, b)
        return v, flat(v)

    buf = np.arange(60).astype(dtype)
    buf.setflags(write=writeable)
    for start, n, b in [(0, 0, 0), (0, 1, 1), (3, 4, 5), (10, 5, 10), (0, 6, 10), (59, 1, 1)]:
        v, f = views(buf, start, n, b)
        want = buf[start:start + n * b].reshape(n, b)
        assert v.shape == want.shape and v.dtype == buf.dtype
        assert np.array_equal(v, want) and np.array_equal(f, want.reshape(-1))
        assert v.flags.writeable == writeable and f.flags.writeable == writeable
        if n * b:  # (an empty array's strides are arbitrary: NumPy's and these differ)
            assert v.strides == want.strides and f.strides == (buf.itemsize,)
            assert np.shares_memory(v, buf) and np.shares_memory(f, buf)
    if writeable:
        v, f = views(buf, 3, 4, 5)
        v[1, 2] = 99
        assert buf[3 + 5 + 2] == 99 and f[7] == 99
