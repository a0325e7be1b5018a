"""kernels/forward.py: bias plus activation (``bias_sigmoid``, ``bias_relu``, ``bias_tanh``,
``bias_add``) held to fastnn.reference, in place too, and float32 kept float32 (with
``sgd_update``, the other element-wise kernel checked on its LLVM IR)."""

import numba
import numpy as np
import pytest

from ..kernel_cases import FORWARD_TWINS, DTYPES, SHAPES, TOL, VARIANTS, assert_close, f64, layer, variant


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(FORWARD_TWINS))
def test_forward_parity(name, dtype, which, rng):
    kern = variant(name, which)
    tol = TOL[np.dtype(dtype)]
    for n, m in SHAPES:
        Z, b, _ = layer(rng, n, m, dtype)
        expected = FORWARD_TWINS[name](f64(Z) + f64(b))
        out = np.full_like(Z, np.nan)
        kern(Z, b, out)
        assert out.dtype == Z.dtype
        # float32: Z + b is rounded to float32 before g (relative error <= eps32 of z,
        # amplified by |z g'(z) / g(z)| <= |z| for these g): well inside 1e-5 for |z| < 20.
        assert_close(out, expected, rtol=tol, atol=0, msg=f"{name} {n}x{m}")
        # in place: out is Z
        Zc = Z.copy()
        kern(Zc, b, Zc)
        np.testing.assert_array_equal(Zc, out)


@pytest.mark.parametrize("name", sorted(FORWARD_TWINS) + ["sgd_update"])
def test_float32_kernels_do_not_promote_to_float64(name, rng):
    # A Python literal in float32 arithmetic (``1 + x``) silently computes in float64:
    # correct values, 1.5-2x slower.  The element-wise float32 kernels must contain no
    # float <-> double conversion at all (checked on the serial variant's LLVM IR, which
    # holds the whole loop body; recompiled without cache, as cached code has no IR).
    serial = variant(name, "serial")
    options = {k: v for k, v in serial.targetoptions.items() if k not in ("cache", "nopython")}
    kern = numba.njit(**options)(serial.py_func)
    a = rng.standard_normal((3, 5)).astype(np.float32)
    b = rng.standard_normal((3, 1)).astype(np.float32)
    if name == "sgd_update":
        kern(a, a.copy(), 0.5)
    else:
        kern(a, b, np.empty_like(a))
    ir = "".join(kern.inspect_llvm(sig) for sig in kern.signatures if sig[0].dtype == numba.float32)
    assert ir, "float32 signature not compiled"
    body = [line for line in ir.splitlines() if "fpext float" in line or "fptrunc double" in line]
    allowed = 1 if name == "sgd_update" else 0  # the learning rate: one double -> float cast
    assert len(body) <= allowed, body[:5]
