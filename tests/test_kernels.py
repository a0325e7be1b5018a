"""fastnn.kernels held to fastnn.reference: parity, determinism, saturation.

Both compiled variants of every kernel (``k.parallel`` and ``k.serial``) are checked.  The
reference twin of every kernel and the tolerance rules are in ``tests/kernel_cases.py``.
Compile time dominates this module; the cases are arranged so each kernel compiles once per
dtype and variant (all arrays C-contiguous, the same argument types everywhere).
"""

import pathlib
import re
import tokenize
import warnings

import numba
import numpy as np
import pytest

import fastnn.kernels as K
from fastnn import reference as R
from kernel_cases import (
    BACKWARD_TWINS,
    FORWARD_TWINS,
    LOGISTIC_SHAPES,
    SHAPES,
    TOL,
    TWINS,
    assert_close,
    f64,
    labels,
    layer,
    logistic_expected,
    logistic_problem,
)

DTYPES = [np.float64, np.float32]
VARIANTS = ["parallel", "serial"]
KERNELS_DIR = pathlib.Path(K.__file__).parent


def variant(name, which):
    return getattr(getattr(K, name), which)


@pytest.fixture
def rng():
    return np.random.default_rng(20240611)


def test_every_public_kernel_has_a_reference_twin():
    kernels = {n for n in K.__all__ if callable(getattr(K, n)) and hasattr(getattr(K, n), "serial")}
    assert kernels == set(TWINS)


# ---------------------------------------------------------------------------- forward


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


# ----------------------------------------------------------------------------- output


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_cross_entropy_parity(dtype, which, rng):
    kern = variant("sigmoid_cross_entropy", which)
    cost_only = variant("cross_entropy_from_logits", which)
    tol = TOL[np.dtype(dtype)]
    for _, m in SHAPES + [(1, 20000)]:
        Z, b, _ = layer(rng, 1, m, dtype, scale=4.0)
        Y = labels(rng, m, dtype)
        for scale in (1.0 / m, 1.0):
            dZ = np.full_like(Z, np.nan)
            cost, db = kern(Z, b, Y, scale, dZ)
            zl = f64(Z) + f64(b)
            A = R.sigmoid(zl)
            exp_dZ = (A - f64(Y)) * scale
            # a - y is a difference of O(1) numbers: its error is relative to |a| + |y|.
            assert_close(
                dZ, exp_dZ, rtol=tol, atol=tol * scale * (np.abs(A) + np.abs(f64(Y)))
            )
            assert dZ.dtype == Z.dtype
            # loss >= 0: the reordered float64 sum is relatively accurate.
            assert cost == pytest.approx(R.cost_from_logits(zl, f64(Y)), rel=tol)
            # db sums terms of both signs: error relative to sum |dZ|.
            assert db == pytest.approx(float(np.sum(exp_dZ)), rel=tol, abs=tol * float(np.sum(np.abs(exp_dZ))))
            assert isinstance(cost, float) and isinstance(db, float)
        assert cost_only(Z, b, Y) == pytest.approx(R.cost_from_logits(zl, f64(Y)), rel=tol)


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_cross_entropy_parity(dtype, which, rng):
    """Cost, dZ = (a - onehot) * scale and db against the reference's softmax, on ragged
    block counts (256-column blocks)."""
    kern = variant("softmax_cross_entropy", which)
    tol = TOL[np.dtype(dtype)]
    for K_, m in [(2, 1), (3, 7), (10, 257), (4, 5000), (7, 513)]:
        Z, b, _ = layer(rng, K_, m, dtype, scale=4.0)
        labels_ = rng.integers(0, K_, m)
        Z0 = Z.copy()
        for scale in (1.0 / m, 1.0):
            Zk = Z0.copy()
            dZ = np.full_like(Z, np.nan)
            db = np.full((K_, 1), np.nan, dtype)
            cost = kern(Zk, b, labels_, scale, dZ, db)
            zl = f64(Z0) + f64(b)
            onehot = np.zeros((K_, m))
            onehot[labels_, np.arange(m)] = 1
            A = R.softmax(zl)
            exp_dZ = (A - onehot) * scale
            assert_close(dZ, exp_dZ, rtol=tol, atol=tol * scale * (A + onehot))
            assert dZ.dtype == Z.dtype and db.dtype == Z.dtype
            assert cost == pytest.approx(R.cost_from_logits(zl, labels_[None, :], "softmax"), rel=tol)
            assert_close(db, exp_dZ.sum(axis=1, keepdims=True), rtol=tol,
                         atol=tol * np.abs(exp_dZ).sum(axis=1, keepdims=True))
            np.testing.assert_array_equal(Zk, (Z0 + b).astype(dtype))  # the bias is added in place


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_squared_error_parity(dtype, which, rng):
    kern = variant("squared_error", which)
    tol = TOL[np.dtype(dtype)]
    for K_, m in [(1, 1), (3, 7), (2, 5000)]:
        Z, b, _ = layer(rng, K_, m, dtype)
        Y = rng.standard_normal((K_, m)).astype(dtype)
        dZ = np.empty_like(Z)
        db = np.empty((K_, 1), dtype)
        cost = kern(Z, b, Y, 1.0 / m, dZ, db)
        r = f64(Z) + f64(b) - f64(Y)
        # (z + b) - y: a difference of O(1) numbers, error relative to the terms
        terms = np.abs(f64(Z)) + np.abs(f64(b)) + np.abs(f64(Y))
        assert_close(dZ, r / m, rtol=tol, atol=tol * terms / m)
        assert cost == pytest.approx(R.cost_from_logits(f64(Z) + f64(b), f64(Y), "identity"), rel=10 * tol)
        assert_close(db, (r / m).sum(axis=1, keepdims=True), rtol=tol, atol=tol * terms.sum(axis=1, keepdims=True) / m)


# --------------------------------------------------------------------------- backward


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(BACKWARD_TWINS))
def test_backward_parity(name, dtype, which, rng):
    kern = variant(name, which)
    forward, backward = BACKWARD_TWINS[name]
    tol = TOL[np.dtype(dtype)]
    for n, m in SHAPES:
        Z, _, dA = layer(rng, n, m, dtype)
        A = forward(Z)  # the saved forward output, in the kernel's dtype
        assert A.dtype == Z.dtype
        expected = backward(f64(dA), f64(Z))
        dZ = np.full_like(Z, np.nan)
        db = np.full((n, 1), np.nan, dtype=dtype)
        kern(dA, A, dZ, db)
        # g'(z) is formed from A as 1 - A*A or A*(1 - A): differences of O(1) numbers whose
        # error is relative to 1 (<= 2 tol), times |dA|.
        assert_close(dZ, expected, rtol=tol, atol=2 * tol * np.abs(f64(dA)), msg=f"{n}x{m}")
        exp_db = expected.sum(axis=1, keepdims=True)
        assert_close(
            db, exp_db, rtol=tol, atol=tol * np.abs(expected).sum(axis=1, keepdims=True) + 2 * tol * np.abs(f64(dA)).sum(axis=1, keepdims=True)
        )
        assert dZ.dtype == db.dtype == Z.dtype
        # in place: dZ is dA
        dA2 = dA.copy()
        db2 = np.empty_like(db)
        kern(dA2, A, dA2, db2)
        np.testing.assert_array_equal(dA2, dZ)
        np.testing.assert_array_equal(db2, db)


# ----------------------------------------------------------------------------- update


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_sgd_update_and_step_match_numpy_bit_for_bit(dtype, which, rng):
    update = variant("sgd_update", which)
    step = variant("sgd_step", which)
    for n, k in SHAPES + [(7, 1)]:  # (7, 1) is a bias
        P = rng.standard_normal((n, k)).astype(dtype)
        dP = rng.standard_normal((n, k)).astype(dtype)
        lr = 0.0075
        # Same two roundings as NumPy's P - lr * dP, with lr as the array's dtype (NEP 50).
        expected = R.update_parameters({"W": P}, {"dW": dP}, lr)["W"]
        assert expected.dtype == P.dtype
        out = np.empty_like(P)
        assert step(P, dP, lr, out) is True
        np.testing.assert_array_equal(out, expected)
        update(P, dP, lr)
        np.testing.assert_array_equal(P, expected)
    P[0, 0] = np.inf
    assert step(P, dP, lr, out) is False
    P[0, 0] = 1.0
    dP[-1, -1] = np.nan
    assert step(P, dP, lr, out) is False


# --------------------------------------------------------------------------- logistic


def run_logistic(kern, layout, X, w, b, Y):
    n, m = X.shape
    nc = K.logistic_n_chunks(m)
    pdw = np.full((nc, n), np.nan)
    ps = np.full((nc, 2), np.nan)
    dw = np.full((n, 1), np.nan, dtype=X.dtype)
    if layout == "examples":
        data = np.asfortranarray(X).T  # (m, n) C-contiguous: images.reshape(m, -1)
        assert data.flags.c_contiguous
    else:
        data = np.ascontiguousarray(X)
    cost, db = kern(data, w, b, Y, pdw, ps, dw)
    return dw, db, cost


LAYOUTS = {"examples": "logistic_step_examples", "features": "logistic_step_features"}


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_logistic_step_parity(layout, dtype, which, rng):
    kern = variant(LAYOUTS[layout], which)
    tol = TOL[np.dtype(dtype)]
    for n, m in LOGISTIC_SHAPES:
        X, w, b, Y = logistic_problem(rng, n, m, dtype)
        dw, db, cost = run_logistic(kern, layout, X, w, b, Y)
        e_dw, e_db, e_cost, dw_mag, db_mag = logistic_expected(X, w, b, Y)
        assert dw.dtype == X.dtype
        assert_close(dw, e_dw, rtol=tol, atol=tol * dw_mag, msg=f"{n}x{m}")
        assert db == pytest.approx(e_db, rel=tol, abs=tol * db_mag)
        assert cost == pytest.approx(e_cost, rel=tol, abs=tol * db_mag)
        # the course's (clipped-probability) cost agrees away from saturation
        _, course_cost = R.logistic_propagate(f64(w), b, f64(X), f64(Y))
        assert cost == pytest.approx(course_cost, rel=1e-9)


def test_logistic_n_chunks():
    for m in [1, 63, 64, 1000, 4103, 20000, 10**7]:
        nc = K.logistic_n_chunks(m)
        assert 1 <= nc <= 64 and nc <= max(1, m)
    assert K.logistic_n_chunks(10**7) >= 16  # enough chunks to balance threads


def test_logistic_rejects_wrong_partial_buffers(rng):
    X, w, b, Y = logistic_problem(rng, 4, 1000, np.float64)
    nc = K.logistic_n_chunks(1000)
    Xe = np.asfortranarray(X).T
    with pytest.raises(ValueError, match="partial_dw"):
        K.logistic_step_examples.serial(Xe, w, b, Y, np.empty((nc + 1, 4)), np.empty((nc, 2)), np.empty((4, 1)))
    with pytest.raises(ValueError, match="partial_sums"):
        K.logistic_step_examples.serial(Xe, w, b, Y, np.empty((nc, 4)), np.empty((nc - 1, 2)), np.empty((4, 1)))


# ------------------------------------------------------------ determinism across threads


def with_threads(n, fn):
    if numba.config.NUMBA_NUM_THREADS < n:
        pytest.skip(f"needs {n} Numba threads")
    before = numba.get_num_threads()
    numba.set_num_threads(n)
    try:
        return fn()
    finally:
        numba.set_num_threads(before)


def _results_reduction_kernels(dtype, which="parallel"):
    K_ = type("variants", (), {n: getattr(getattr(K, n), which) for n in TWINS})
    rng = np.random.default_rng(7)
    out = {}
    m = 20000  # many chunks, ragged last one
    Z, b, _ = layer(rng, 1, m, dtype, scale=4.0)
    Y = labels(rng, m, dtype)
    dZ = np.empty_like(Z)
    out["sigmoid_cross_entropy"] = (K_.sigmoid_cross_entropy(Z, b, Y, 1.0 / m, dZ), dZ)
    out["cross_entropy_from_logits"] = K_.cross_entropy_from_logits(Z, b, Y)
    Z, b, _ = layer(rng, 10, 5003, dtype, scale=4.0)
    labels_ = rng.integers(0, 10, 5003)
    dZ, db = np.empty_like(Z), np.empty((10, 1), dtype)
    out["softmax_cross_entropy"] = (K_.softmax_cross_entropy(Z.copy(), b, labels_, 1.0 / 5003, dZ, db), dZ, db)
    Y2 = rng.standard_normal(Z.shape).astype(dtype)
    dZ, db = np.empty_like(Z), np.empty((10, 1), dtype)
    out["squared_error"] = (K_.squared_error(Z, b, Y2, 1.0 / 5003, dZ, db), dZ, db)
    Z, _, dA = layer(rng, 9, 3001, dtype)
    for name, (forward, _) in BACKWARD_TWINS.items():
        dZ = np.empty_like(Z)
        db = np.empty((9, 1), dtype)
        getattr(K_, name)(dA, forward(Z), dZ, db)
        out[name] = (dZ, db)
    X, w, b, Y = logistic_problem(rng, 70, 9001, dtype)
    for layout, name in LAYOUTS.items():
        out[name] = run_logistic(getattr(K_, name), layout, X, w, b, Y)
    return out


def _assert_identical(a, b):
    if isinstance(a, tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_identical(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)  # bit-identical (no tolerance)
    else:
        assert a == b


@pytest.mark.parametrize("dtype", DTYPES)
def test_reductions_bit_identical_with_1_and_2_threads(dtype):
    one = with_threads(1, lambda: _results_reduction_kernels(dtype))
    two = with_threads(2, lambda: _results_reduction_kernels(dtype))
    assert set(one) == set(two) and len(one) == 9
    for name in one:
        _assert_identical(one[name], two[name])
    # The serial variant gives the very same bits, so a model's choice of variant (by
    # array size) never changes its results.
    serial = _results_reduction_kernels(dtype, "serial")
    for name in one:
        _assert_identical(one[name], serial[name])


# ------------------------------------------------------------------------- saturation

SATURATED = [40.0, -40.0, 800.0, -800.0, 1e4, -1e4]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("label", [0.0, 1.0])
def test_saturated_inputs_are_finite_and_exact(dtype, label):
    z = np.array([SATURATED], dtype=dtype)  # (1, 6)
    Y = np.full_like(z, label)
    b = np.zeros((1, 1), dtype)
    zl = f64(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for which in VARIANTS:
            out = np.empty_like(z)
            variant("bias_sigmoid", which)(z, b, out)
            np.testing.assert_array_equal(out, R.sigmoid(z))  # exactly 0/1 or tiny, no NaN
            out2 = np.empty_like(z)
            variant("bias_tanh", which)(z, b, out2)
            np.testing.assert_array_equal(out2, np.sign(zl))

            dZ = np.empty_like(z)
            cost, db = variant("sigmoid_cross_entropy", which)(z, b, Y, 1.0 / 6, dZ)
            exp_cost = R.cost_from_logits(zl, f64(Y))
            assert np.isfinite(cost) and np.isfinite(db) and np.all(np.isfinite(dZ))
            assert cost == pytest.approx(exp_cost, rel=1e-12)
            exp_dZ = (R.sigmoid(zl) - f64(Y)) / 6
            assert_close(dZ, exp_dZ, rtol=TOL[np.dtype(dtype)], atol=1e-300)
            assert variant("cross_entropy_from_logits", which)(z, b, Y) == pytest.approx(exp_cost, rel=1e-12)

            # logistic step: one feature, x = z, w = 1, b = 0 (logits exactly the saturated z)
            X = z.copy()
            w = np.ones((1, 1), dtype)
            for layout, name in LAYOUTS.items():
                dw, db_l, cost_l = run_logistic(variant(name, which), layout, X, w, 0.0, Y)
                grads, _ = R.logistic_propagate(f64(w), 0.0, zl, f64(Y))
                assert np.all(np.isfinite(dw)) and np.isfinite(db_l) and np.isfinite(cost_l)
                assert cost_l == pytest.approx(exp_cost, rel=1e-12)
                assert_close(dw, grads["dw"], rtol=TOL[np.dtype(dtype)])
                assert db_l == pytest.approx(grads["db"], rel=1e-12, abs=1e-300)
    if label == 1.0:
        # cost is dominated by the wrong-side examples: -800 and -1e4 cost 800 and 1e4
        assert exp_cost == pytest.approx((40 + 800 + 1e4) / 6, rel=1e-12)


# ------------------------------------------------------------------------- policies


def test_choose_picks_serial_below_threshold():
    k = K.bias_relu
    assert K.choose(k, K.PARALLEL_MIN_ELEMENTS - 1) is k.serial
    assert K.choose(k, K.PARALLEL_MIN_ELEMENTS) is k.parallel
    assert k.parallel is k and k.serial is not k


def _code_without_strings_and_comments(path):
    with open(path, "rb") as f:
        toks = tokenize.tokenize(f.readline)
        return " ".join(t.string for t in toks if t.type not in (tokenize.STRING, tokenize.COMMENT))


def test_no_fastmath_true_and_no_thread_count_queries():
    files = list(KERNELS_DIR.glob("*.py"))
    assert len(files) >= 7
    for path in files:
        src = _code_without_strings_and_comments(path)
        assert not re.search(r"fastmath\s*=\s*True", src), path
        assert "get_num_threads" not in src, path
        assert "from fastnn" not in src and "import fastnn" not in src, path


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


def test_config_docstring_states_the_default_thresholds():
    """The policy text quotes each threshold's default; keep it equal to the code's."""
    from fastnn.kernels import _config

    src = pathlib.Path(_config.__file__).read_text()
    for name in ("PARALLEL_MIN_ELEMENTS", "LOGISTIC_PARALLEL_MIN_ELEMENTS"):
        stated = re.search(rf"``{name}`` \((2\*\*\d+)", _config.__doc__ + src)
        default = re.search(rf"^{name} = int\(os\.environ\.get\(\"FASTNN_{name}\", (2\*\*\d+)\)\)", src, re.M)
        assert stated and default, name
        assert stated.group(1) == default.group(1), (name, stated.group(1), default.group(1))


def test_cached_kernels_are_stamped_with_every_kernel_file(tmp_path):
    """Numba would key a cached driver on its own file only, and keep running a changed
    helper's old code from another file (numba#1833): every cached kernel carries a stamp
    of the whole package instead, which any change of any kernel file changes."""
    import shutil

    from fastnn.kernels import _config
    from fastnn.kernels import network as KN

    stamp = _config.source_stamp()
    entries = [KN.train_for(out) for out in (KN.OUT_SIGMOID, KN.OUT_SOFTMAX, KN.OUT_IDENTITY)]
    entries += [KN.predict_for(out) for out in (KN.OUT_SIGMOID, KN.OUT_SOFTMAX, KN.OUT_IDENTITY)]
    for disp in entries + [KN.loss_and_gradients, K.bias_relu, K.bias_relu.serial]:
        assert disp._cache._cache_file._source_stamp == stamp
    copy = tmp_path / "kernels"
    shutil.copytree(KERNELS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert _config.source_stamp(copy) == stamp
    helper = copy / "optimizers.py"
    helper.write_text(helper.read_text() + "\n# an edit\n")
    assert _config.source_stamp(copy) != stamp


@pytest.mark.parametrize("which", VARIANTS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_saturated_logits_are_finite_and_exact(dtype, which):
    """Logits of +-1e4 (and 800, 40): max-shifted, nothing overflows; the cost is the exact
    log-sum-exp loss, dZ is the one-hot difference."""
    kern = variant("softmax_cross_entropy", which)
    Z = np.array([[1e4, -1e4, 40.0, -800.0], [-1e4, 1e4, -40.0, 800.0], [0.0, 0.0, 0.0, 0.0]], dtype)
    labels_ = np.array([0, 0, 1, 2])
    b = np.zeros((3, 1), dtype)
    dZ = np.empty_like(Z)
    db = np.empty((3, 1), dtype)
    with np.errstate(all="raise"):
        cost = kern(Z.copy(), b, labels_, 0.25, dZ, db)
    assert np.isfinite(dZ).all() and np.isfinite(cost)
    # losses: 0, 2e4, 80 (+ log1p(e^-80)), 800: exactly representable terms
    assert cost == pytest.approx((0.0 + 2e4 + 80.0 + 800.0) / 4, rel=1e-6 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(dZ[:, 1], [-0.25, 0.25, 0.0], atol=1e-12)


def test_helpers_have_no_wrappers_and_still_run_from_python():
    """Helpers compile without the CPython / cfunc wrappers (seconds of the first compile,
    see ``_config.helper``); a call from Python goes to a twin that has them, with the same
    result as the compiled code's."""
    from fastnn.kernels import _config, layers

    for h in (layers.row_sum, layers.sigmoid_output, layers.output_loss_any):
        assert isinstance(h, _config._Helper)
        assert h.targetoptions["no_cpython_wrapper"] and h.targetoptions["no_cfunc_wrapper"]
    x = np.arange(1.0, 6.0)
    assert layers.row_sum(x) == 15.0
    assert layers.row_sum._python_twin.targetoptions.get("no_cpython_wrapper", False) is False


def test_helpers_are_compiled_for_linking_only():
    """Helpers lower into a link-only library (no module optimisation, no machine code of their
    own: ``_link_only.py``) when the installed Numba has the internals it needs, and the
    entries that link them in run (the suite's parity tests check their numbers)."""
    from fastnn.kernels import _config, _link_only, network

    if _link_only.PIPELINE is None:
        pytest.skip(f"numba {numba.__version__}: the link-only pipeline is off (internals differ)")
    assert network._needs_cost._compiler.pipeline_class is _link_only.PIPELINE
    # A helper compiled through the dispatcher's own compiler (as a caller does) gets a
    # link-only library with no machine code: its address is 0.
    codes = np.zeros(network.N_CODES, np.int64)
    helper = _config.helper(lambda c: c[0] + 1)
    helper.compile((numba.typeof(codes),))
    (cres,) = helper.overloads.values()
    assert isinstance(cres.library, _link_only.LinkOnlyLibrary)
    assert cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name) == 0

    @numba.njit
    def caller(c):
        return helper(c) * 2

    assert caller(codes) == 2
    assert helper(codes) == 1  # from Python: the ordinary twin


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


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_x", [1, 3, 17, 200])
def test_batch_gather_is_the_columns_of_x_in_perm_order(dtype, n_x):
    """The mini-batch gather writes examples ``perm[j0:j1]`` feature-major, whichever way
    ``X`` is stored; nothing past the batch. Batch sizes around the transposed blocks of 16
    and the example-major branch's prefetch of the next block (rows of 1 to 200 values,
    not all starting on a cache line)."""
    from fastnn.kernels import network as KN

    rng = np.random.default_rng(n_x)
    m = 101
    X = rng.standard_normal((n_x, m)).astype(dtype)
    perm = rng.permutation(m).astype(np.int64)
    Xe = np.asfortranarray(X).T  # example-major (m, n_x), C-contiguous
    for j0, j1 in [(0, 1), (3, 18), (0, 16), (5, 37), (40, 101), (0, 101)]:
        want = X[:, perm[j0:j1]]
        for xmajor, data in ((False, X), (True, Xe)):
            Xb = np.full(n_x * m + 5, np.nan, dtype)
            KN._gather(data, xmajor, perm, j0, j1, Xb)
            nb = j1 - j0
            assert np.array_equal(Xb[:n_x * nb].reshape(n_x, nb), want), (xmajor, j0, j1)
            assert np.isnan(Xb[n_x * nb:]).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_vectorised_sums_do_not_depend_on_alignment(dtype):
    """Sums that LLVM vectorises under ``reassoc`` (row sums, the loop products' dot products)
    must not depend on where the data sits in memory (no alignment peeling), or two identical
    fits could differ: the same values at 16 offsets give one result."""
    from fastnn.kernels import dense, layers

    rng = np.random.default_rng(3)
    x = rng.standard_normal(301).astype(dtype)
    A = rng.standard_normal((5, 301)).astype(dtype)
    buf = np.zeros(400, dtype)
    bufA = np.zeros((5, 400), dtype)
    sums, dots = set(), set()
    for off in range(16):
        buf[off:off + 301] = x
        sums.add(float(layers.row_sum(buf[off:off + 301])))
        bufA[:, off:off + 301] = A
        C = np.empty((5, 5), dtype)
        dense._loop_nt(np.ascontiguousarray(bufA[:, off:off + 301]), A, C)
        dots.add(C.tobytes())
    assert len(sums) == 1 and len(dots) == 1
    assert float(layers.row_sum(x)) == pytest.approx(float(np.sum(x, dtype=np.float64)), rel=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", ["finite", "inf", "-inf", "nan"])
def test_sigmoid_output_without_its_loss(dtype, weighted, case):
    """The step that skips the loss (its cost is not read) gives the same dZ and db bits as
    the one that computes it, and in place of the loss sum 0.0 when that sum is finite, NaN
    when it is not (so a diverging run is stopped at the same step)."""
    from fastnn.kernels import layers

    rng = np.random.default_rng(25)
    n = 301
    z = (rng.standard_normal(n) * 30).astype(dtype)
    z[::17] = dtype(1e30)  # saturated, finite
    if case != "finite":
        z[5] = {"inf": np.inf, "-inf": -np.inf, "nan": np.nan}[case]
    y = (rng.random(n) < 0.5).astype(dtype)
    y[5] = 1.0  # -inf with y = 1: an infinite (not NaN) loss
    w = (rng.random(n) * 2).astype(dtype) if weighted else np.empty(0, dtype)
    d1, d2 = np.empty(n, dtype), np.empty(n, dtype)
    tmp = np.empty(n)
    loss, db1 = layers.sigmoid_ce_segment(z, y, w, dtype(0.25), dtype(1 / n), d1, tmp, np.inf)
    flag, db2 = layers.sigmoid_dz_segment(z, y, w, dtype(0.25), dtype(1 / n), d2, tmp)
    assert d1.tobytes() == d2.tobytes()
    assert db1 == db2 or (np.isnan(db1) and np.isnan(db2))
    assert np.isfinite(loss) == (case == "finite")
    assert (flag == 0.0) if np.isfinite(loss) else np.isnan(flag)
