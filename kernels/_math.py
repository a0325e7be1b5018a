"""exp, expm1, log, log1p and tanh that LLVM can vectorise: plain arithmetic, no libm.

In Numba ``np.exp``, ``np.log1p`` and ``np.tanh`` on a scalar compile to calls into the C
math library; LLVM cannot vectorise a loop holding such a call (llvmlite from PyPI has no
SVML), so the loop runs one element at a time (3-12 ns an element here).  The functions
below use float arithmetic, comparisons (which LLVM turns into selects) and integer bit
manipulation only, so a loop calling them vectorises at whatever width the CPU offers
(zmm with AVX-512, ymm with AVX2, xmm with SSE2, NEON on ARM): nothing assumes a vector
width, nothing is CPU-specific, and no fused multiply-add is formed (no fastmath), so the
results are bit-identical on every machine (checked: AVX-512, AVX2 and SSE2 builds).

Use
    Inside ``kernels/`` (any ``njit``/``helper``/``kernel`` function)::

        from ._math import exp, log1p, tanh
        e = exp(-abs(z))                    # float32 z: computed in float32
        loss = ((z if z > zero else zero) - y * z) + log1p(e)

    The generic names pick the float32 or the float64 version from the argument's type at
    compile time (integers are computed in float64); ``exp64``/``exp32``, ``log1p64``/...
    are the typed versions.  All are also callable from Python on scalars.  The public
    functions are inlined by Numba into their caller (``inline="always"``; see
    ``_inlined``), which costs ~0.3 s of compile time per call site (once, with caching).
    A loop that also sums into a scalar does not vectorise without ``reassoc``: keep
    reductions in a separate loop (or accept a scalar loop around vectorised math).

Algorithms (float32 computes in float32 throughout, with its own shorter polynomials and
float32 constants: a float32 loop holds no conversion to float64)

exp(x)
    k = nearest integer to x/ln2 (the 1.5 * 2^52 shift trick), x - k ln2 = r + rl with
    x - k ln2_hi exact (Cody & Waite) and rl the rounding error of r; e^r = 1 + r + r^2/2
    + r^3 P(r) with the large terms summed exactly (Fast2Sum) and everything small in a
    tail; then times 2^k built from exponent bits in two halves 2^k1 2^k2 (k1 = round(k/2)),
    both normal numbers, so the only rounding after the polynomial is the last product and
    subnormal results are right.  x > 1100 is clamped (inf stays finite inside), e^x that
    rounds to 0 is selected (computing it would underflow: a 3x slower microcode assist).
expm1(x)
    The same reduction; expm1(x) = 2^k ((1 - 2^-k) + expm1(r)) in the three forms of
    fdlibm's s_expm1.c (Sun Microsystems, freely redistributable) by the size of k, chosen
    with selects, each summed head + tail as above so that near k = 1 (where the leading
    terms cancel) the error stays below 0.76 ulp.
log(x), log1p(x)
    fdlibm's e_log.c / s_log1p.c scheme: u = 1 + x rounded and c = its rounding error / u
    (log1p only), u = 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)) taken from the bits
    (k converted with the 2^52 magic, no int->float instruction), s = f / (2 + f),
    log(1 + f) = f - f^2/2 + s (f^2/2 + z T(z)), z = s^2, T minimax, plus k ln2 in two
    parts.  fdlibm's branches are selects; special values (0, -1, x < 0 or < -1, inf, NaN,
    -0.0) and subnormal arguments (scaled by 2^54, resp. 2^24) are handled by selects.
tanh(x)
    2|x| = k ln2 + r (|x| clamped to 20, resp. 10, where tanh rounds to 1); tanh|x| =
    (e^2|x| - 1) / (e^2|x| + 1) = N / M with N = (1 - 2^-k) + expm1(r), M = (1 + 2^-k) +
    expm1(r), both as head + tail, one division and a first-order correction with the tails
    (a second division); the sign of x is put back with a bit operation (-0.0 stays -0.0).

Accuracy (``tests/kernels/test_math.py``: ~3 million random inputs per function and dtype over every
binade of both signs and each function's delicate ranges)
    Against NumPy (float64: glibc's result; float32: NumPy's float64 result rounded to
    float32): at most 1 ulp for every function and dtype, except tanh float64: 2 ulp,
    because glibc's tanh itself is up to 1.19 ulp off.
    True error (float64 against np.longdouble, float32 against float64), max ulp:
        exp 0.75 (0.56 for normal results), expm1 0.76, log 0.84, log1p 0.87, tanh 1.09;
        float32 within 0.03 of these.  glibc: exp 0.72, expm1 0.52, log 0.61, log1p 0.61,
        tanh 1.19.
    Special values are NumPy's: exp(inf)=inf, exp(-inf)=0, NaN -> NaN, log1p(-1)=-inf,
    log1p(x<-1)=NaN, log(0)=-inf, log(x<0)=NaN, tanh(+-inf)=+-1, -0.0 -> -0.0 for expm1,
    log1p and tanh, overflow to inf and underflow to subnormals and 0 at NumPy's thresholds.

Speed (10^6 elements, one thread, AMD EPYC with AVX-512, ns per element: ours / Numba's
np.<name>): float64 exp 1.0/3.1 (7.1 over [-700, 700]), expm1 1.3/10.5, log 0.9/2.6,
log1p 0.8/7.7, tanh 1.3/12.2; float32 exp 0.34/1.8, expm1 0.49/10.3, log 0.28/1.8,
log1p 0.27/7.5, tanh 0.55/11.6.  An AVX2 build runs about half as fast (exp64 1.9 ns).

Constants
    Polynomial coefficients: Remez exchange in mpmath (60 digits), rounded to the working
    precision; the script is at the end of this file.  Each constant is written with its
    shortest round-trip repr, i.e. exactly the double (float32) the script printed.  ln2 is
    split into a head with few significant bits (so k * head is exact) and the rounded
    remainder (Cody & Waite, "Software Manual for the Elementary Functions", 1980).
"""

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import intrinsic, overload

from ._config import ERROR_MODEL, helper

#: The public functions are inlined by Numba into their caller (``inline="always"``): left
#: to LLVM, whose inliner gives up above a size threshold, ``expm164`` stayed a call and the
#: loop calling it ran one element at a time (14 ns an element).  The private pieces are
#: ordinary helpers, small enough for LLVM to inline.  No fastmath, NumPy's error model
#: (see ``_config``).
_inlined = njit(error_model=ERROR_MODEL, fastmath=False, inline="always")

__all__ = [
    "exp", "expm1", "log", "log1p", "tanh",
    "exp64", "expm164", "log64", "log1p64", "tanh64",
    "exp32", "expm132", "log32", "log1p32", "tanh32",
]

# ------------------------------------------------------------------------------ bitcasts


@intrinsic
def _bits(typingctx, x):
    """The bits of a float64 as int64 (float32 as int32): an LLVM ``bitcast``."""
    to = {types.float64: types.int64, types.float32: types.int32}.get(x)
    if to is None:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(sig.return_type))

    return to(x), codegen


@intrinsic
def _float(typingctx, i):
    """The float64 whose bits are the int64 ``i`` (float32 for int32): an LLVM ``bitcast``."""
    to = {types.int64: types.float64, types.int32: types.float32}.get(i)
    if to is None:
        return None

    def codegen(context, builder, sig, args):
        return builder.bitcast(args[0], context.get_value_type(sig.return_type))

    return to(i), codegen


# ----------------------------------------------------------------------------- constants
# float64.  1/ln2 and ln2 rounded to nearest (mpmath, 60 digits).
_INVLN2 = 1.4426950408889634        # 0x1.71547652b82fep+0
# ln2 = _LN2_HI + _LN2_LO: head = ln2 rounded to 42 significant bits (0x1.62e42fefa38p-1),
# so k * head is exact for |k| < 2^11 (here |k| <= 1587 for exp, <= 1077 for log) and
# x - k * head is exact; tail = ln2 - head rounded to double (0x1.ef35793c7673p-45).
_LN2_HI = 0.6931471805598903
_LN2_LO = 5.497923018708371e-14
# 1.5 * 2^52: y + _SHIFT rounds y to an integer (ties to even) for |y| < 2^51, held in
# the low mantissa bits.
_SHIFT = 6755399441055744.0
# exp(x) overflows above 709.79 and rounds to 0 below -745.1332 (ln 2^-1075); the clamp
# keeps the arithmetic finite for +-inf (k stays within +-1587, each half of 2^k is normal).
_EXP_X = 1100.0
_EXP_ZERO = -745.2
# expm1(x) = -1 (rounded) below -37.5.
_EXPM1_LO = -60.0
_TANH_X = 20.0                      # tanh(20) rounds to 1 (1 - 8.5e-18)
_TINY = 2.2250738585072014e-308     # smallest normal double
_TWO54 = 18014398509481984.0        # 2^54: scales a subnormal log argument to normal
# Q(r) ~ (e^r - 1 - r) / r^2 on |r| <= 0.3467 (a little more than ln2/2 to cover the
# rounding of k), degree 10 minimax for the relative error: 2^-58.35, 2^-57.2 with the
# coefficients rounded to double.  Taylor would be 1/2, 1/6, 1/24, ...
_Q64_0 = 0.5
_Q64_1 = 0.1666666666666667
_Q64_2 = 0.041666666666666616
_Q64_3 = 0.008333333333326146
_Q64_4 = 0.0013888888888918041
_Q64_5 = 0.0001984126987479408
_Q64_6 = 2.4801587245622297e-05
_Q64_7 = 2.7557255421210447e-06
_Q64_8 = 2.7557349661921857e-07
_Q64_9 = 2.5105212364511027e-08
_Q64_10 = 2.0889383726382702e-09
# T(z) ~ (log((1+s)/(1-s)) - 2s) / s^3, z = s^2 in [0, 0.02944] (s = f/(2+f) for
# 1 + f in [sqrt(2)/2, sqrt(2)]), degree 6 minimax for the absolute error: 2^-51.5, so
# R(z) = z T(z) adds at most 2^-57 relative to log(1+f).  (fdlibm's Lg1..Lg7 are the same
# kind of fit of R.)  Taylor would be 2/3, 2/5, 2/7, ...
_T64_0 = 0.666666666666667
_T64_1 = 0.39999999999898506
_T64_2 = 0.2857142862637157
_T64_3 = 0.22222211077349155
_T64_4 = 0.181828928907654
_T64_5 = 0.15331607848057233
_T64_6 = 0.146177382393851
_SQRTH_BITS = 0x3FE6A09E667F3BCD    # bits of sqrt(1/2) = 0.7071067811865476
_ONE_BITS = 0x3FF0000000000000      # bits of 1.0
_MANT = 0x000FFFFFFFFFFFFF
_EXP_MAGIC = 0x4330000000000000     # bits of 2^52: (2^52 + e) has e in its low bits
_EXP_MAGIC_K = 4503599627370496.0 + 1023.0   # 2^52 + exponent bias

# float32 (np.float32 globals: Numba freezes them as float32 constants, so the arithmetic
# stays in float32; a Python float here would widen every operation to float64).
_F = np.float32
_INVLN2_32 = _F(1.442695)           # 1/ln2 rounded to float32
# ln2 = head + tail, head rounded to 16 significant bits (0x1.62e4p-1): k * head is exact
# for |k| < 2^8 (|k| <= 159 for exp, <= 152 for log).
_LN2_HI32 = _F(0.69314575)
_LN2_LO32 = _F(1.4286068e-06)
_SHIFT32 = _F(12582912.0)           # 1.5 * 2^23
_EXP_X32 = _F(110.0)                # expf: overflow above 88.73, 0 below -103.973
_EXP_ZERO32 = _F(-104.0)
_EXPM1_LO32 = _F(-30.0)             # expm1f(x) = -1 below -17.4
_TANH_X32 = _F(10.0)                # tanhf(10) rounds to 1
_TINY32 = _F(1.1754944e-38)         # smallest normal float32
_TWO24 = _F(16777216.0)
# Q(r) on |r| <= 0.347, degree 5 minimax for the relative error: 2^-28.5, 2^-26.4 with the
# coefficients rounded to float32.
_Q32_0 = _F(0.5)
_Q32_1 = _F(0.16666667)
_Q32_2 = _F(0.041666463)
_Q32_3 = _F(0.008333361)
_Q32_4 = _F(0.0013933708)
_Q32_5 = _F(0.0001985784)
# T(z) on [0, 0.02945], degree 2 minimax for the absolute error: 2^-22.3 rounded, so
# R(z) adds at most 2^-28 relative to log(1+f).
_T32_0 = _F(0.66666687)
_T32_1 = _F(0.39988717)
_T32_2 = _F(0.29582152)
_SQRTH_BITS32 = 0x3F3504F3          # bits of sqrt(1/2) = 0.70710677f
_ONE_BITS32 = 0x3F800000
_MANT32 = 0x007FFFFF
_EXP_MAGIC32 = 0x4B000000           # bits of 2^23
_EXP_MAGIC_K32 = _F(8388608.0 + 127.0)
_ZERO32, _HALF32, _ONE32, _TWO32 = _F(0.0), _F(0.5), _F(1.0), _F(2.0)

_INF = np.inf
_NAN = np.nan
_INF32 = _F(np.inf)
_NAN32 = _F(np.nan)
_SIGN = -0x8000000000000000         # int64 with only the sign bit
_SIGN32 = -0x80000000


# ----------------------------------------------------------------------- float64 pieces


@helper
def _pow2_64(k):
    """2^k for an integral float64 ``k`` in [-1022, 1023] (exponent bits, no rounding).
    The mask keeps the shift free of signed overflow for any ``k`` (NaN included)."""
    return _float(((_bits(k + _SHIFT) + 1023) & 0x7FF) << 52)


@helper
def _scale64(y, k):
    """y * 2^k for |k| <= 2044 and y in [0.5, 2]: two multiplications by normal powers of
    two; the first is exact, so subnormal and overflowing results are rounded once."""
    k1 = (k * 0.5 + _SHIFT) - _SHIFT
    return y * _pow2_64(k1) * _pow2_64(k - k1)


@helper
def _reduce64(x):
    """(k, r, rl): k = nearest integer to x/ln2 (as float64), r + rl = x - k ln2 with
    |r| <= 0.3466 and rl the rounding error of r (x - k ln2_hi is exact)."""
    k = (x * _INVLN2 + _SHIFT) - _SHIFT
    v = x - k * _LN2_HI
    w = k * _LN2_LO
    r = v - w
    return k, r, (v - r) - w


@helper
def _hc64(r):
    """(h, c) with h = r^2/2 (one rounding) and c = r^3 (Q(r) - 1/2) / r, so that
    expm1(r) = r + h + c for |r| <= 0.3467; h kept apart makes expm1's error smaller."""
    q = _Q64_10
    q = q * r + _Q64_9
    q = q * r + _Q64_8
    q = q * r + _Q64_7
    q = q * r + _Q64_6
    q = q * r + _Q64_5
    q = q * r + _Q64_4
    q = q * r + _Q64_3
    q = q * r + _Q64_2
    q = q * r + _Q64_1
    rr = r * r
    return _Q64_0 * rr, rr * (r * q)


@helper
def _log_parts64(u):
    """(k, f) with u = 2^k (1 + f), 1 + f in [sqrt(2)/2, sqrt(2)), for a positive normal
    u; k as float64 via the 2^52 magic (no int->float conversion instruction needed)."""
    iu = _bits(u) + (_ONE_BITS - _SQRTH_BITS)
    k = _float(((iu >> 52) & 0x7FF) | _EXP_MAGIC) - _EXP_MAGIC_K
    f = _float((iu & _MANT) + _SQRTH_BITS) - 1.0
    return k, f


@helper
def _log_tail64(k, f, c):
    """k ln2 + log(1 + f) + c for f in [sqrt(2)/2 - 1, sqrt(2) - 1) (fdlibm's order)."""
    hfsq = 0.5 * f * f
    s = f / (2.0 + f)
    z = s * s
    t = _T64_6
    t = t * z + _T64_5
    t = t * z + _T64_4
    t = t * z + _T64_3
    t = t * z + _T64_2
    t = t * z + _T64_1
    t = t * z + _T64_0
    R = z * t
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + (k * _LN2_LO + c))) - f)


# ---------------------------------------------------------------------- float64 public


@_inlined
def exp64(x):
    """e^x for float64 x (<= 1 ulp from NumPy's, subnormal results included)."""
    zero = x < _EXP_ZERO                     # e^x rounds to 0: computed from x = 0 instead,
    x = 0.0 if zero else x                   # as an underflowing product costs a microcode
    x = _EXP_X if x > _EXP_X else x          # assist (3x slower); NaN passes both tests
    k, r, rl = _reduce64(x)
    h, c = _hc64(r)
    s = 1.0 + r
    y = _scale64(s + ((((1.0 - s) + r) + h) + (c + (rl + rl * r))), k)
    return 0.0 if zero else y


@_inlined
def expm164(x):
    """e^x - 1 for float64 x, accurate near 0 (<= 1 ulp)."""
    xc = _EXP_X if x > _EXP_X else x
    xc = _EXPM1_LO if xc < _EXPM1_LO else xc
    k, r, rl = _reduce64(xc)
    kc = -1.0 if k < -1.0 else k             # 2^-k is used for k in [-1, 56] only
    kc = 60.0 if kc > 60.0 else kc
    m2k = _pow2_64(-kc)
    big = (k < -1.0) | (k > 56.0)
    # y = 2^-k expm1(x) + ... = (1 - 2^-k) + r + r^2 Q(r): head a + r summed exactly
    # (Fast2Sum, |a| >= |r|), the rounding error of that sum carried into the tail.
    a = 1.0 - m2k if k < 20.0 else 1.0
    a = 1.0 if big else a
    lo = 0.0 if (k < 20.0) | big else -m2k
    h, c = _hc64(r)
    s = a + r
    s2 = s + h                               # Fast2Sum again, |s| >= |h|
    y = s2 + (((((a - s) + r) + ((s - s2) + h)) + lo) + (c + (rl + rl * r)))
    y = _scale64(y, k)
    y = y - 1.0 if big else y
    return x if x == 0.0 else y              # keeps -0.0


@_inlined
def log64(x):
    """Natural log for float64 x (<= 1 ulp); log(0) = -inf, log(x < 0) = NaN."""
    sub = x < _TINY
    u = x * _TWO54 if sub else x
    k, f = _log_parts64(u)
    k = k - 54.0 if sub else k
    y = _log_tail64(k, f, 0.0)
    y = -_INF if x == 0.0 else y
    y = _NAN if x < 0.0 else y
    y = _INF if x == _INF else y
    return x if x != x else y


@_inlined
def log1p64(x):
    """log(1 + x) for float64 x > -1 (<= 1 ulp); log1p(-1) = -inf, log1p(x < -1) = NaN."""
    u = 1.0 + x
    k, f = _log_parts64(u)
    # u rounds 1 + x: c = (1 + x) - u exactly (fdlibm's two forms), and
    # log(1 + x) = log(u) + c/u to first order; negligible once u >= 2^54.
    c = 1.0 - (u - x) if k >= 2.0 else x - (u - 1.0)
    c = c / u if k < 54.0 else 0.0
    y = _log_tail64(k, f, c)
    y = -_INF if x == -1.0 else y
    y = _NAN if x < -1.0 else y
    y = _INF if x == _INF else y
    y = x if x != x else y
    return x if x == 0.0 else y              # keeps -0.0


@_inlined
def tanh64(x):
    """Hyperbolic tangent for float64 x (<= 2 ulp).

    With 2|x| = k ln2 + r and em = expm1(r): tanh|x| = (e^2|x| - 1) / (e^2|x| + 1)
    = N / M with N = (1 - 2^-k) + em and M = (1 + 2^-k) + em, both carried as head + tail
    (Fast2Sum) so that the only errors left are em's and the division's."""
    a = abs(x)
    a = _TANH_X if a > _TANH_X else a        # NaN passes
    k, r, rl = _reduce64(a + a)              # k in [0, 58]
    m2k = _pow2_64(-k)
    h, c = _hc64(r)
    low = k < 20.0                           # 1 +- 2^-k is exact
    an = 1.0 - m2k if low else 1.0
    am = 1.0 + m2k if low else 1.0
    lo = 0.0 if low else m2k
    sn = an + r
    sn2 = sn + h
    cl = c + (rl + rl * r)                   # d expm1(r) = (1 + r) dr
    tn = ((((an - sn) + r) + ((sn - sn2) + h)) - lo) + cl
    nh = sn2 + tn
    nl = (sn2 - nh) + tn
    sm = am + r
    sm2 = sm + h
    tm = ((((am - sm) + r) + ((sm - sm2) + h)) + lo) + cl
    mh = sm2 + tm
    ml = (sm2 - mh) + tm
    y = nh / mh
    y = y + (nl - y * ml) / mh               # first-order correction for the tails
    return _float(_bits(y) | (_bits(x) & _SIGN))


# ----------------------------------------------------------------------- float32 pieces


@helper
def _pow2_32(k):
    """2^k for an integral float32 ``k`` in [-126, 127] (exponent bits, no rounding)."""
    return _float(np.int32(((_bits(k + _SHIFT32) + 127) & 0xFF) << 23))


@helper
def _scale32(y, k):
    """y * 2^k for |k| <= 252, y in [0.5, 2]: see :func:`_scale64`."""
    k1 = (k * _HALF32 + _SHIFT32) - _SHIFT32
    return y * _pow2_32(k1) * _pow2_32(k - k1)


@helper
def _reduce32(x):
    """(k, r, rl) as _reduce64, in float32."""
    k = (x * _INVLN2_32 + _SHIFT32) - _SHIFT32
    v = x - k * _LN2_HI32
    w = k * _LN2_LO32
    r = v - w
    return k, r, (v - r) - w


@helper
def _hc32(r):
    """(h, c) with expm1(r) = r + h + c for |r| <= 0.347, in float32 (see _hc64)."""
    q = _Q32_5
    q = q * r + _Q32_4
    q = q * r + _Q32_3
    q = q * r + _Q32_2
    q = q * r + _Q32_1
    rr = r * r
    return _Q32_0 * rr, rr * (r * q)


@helper
def _log_parts32(u):
    iu = _bits(u) + np.int32(_ONE_BITS32 - _SQRTH_BITS32)
    k = _float(np.int32(((iu >> 23) & 0xFF) | _EXP_MAGIC32)) - _EXP_MAGIC_K32
    f = _float(np.int32((iu & _MANT32) + _SQRTH_BITS32)) - _ONE32
    return k, f


@helper
def _log_tail32(k, f, c):
    hfsq = _HALF32 * f * f
    s = f / (_TWO32 + f)
    z = s * s
    t = _T32_2
    t = t * z + _T32_1
    t = t * z + _T32_0
    R = z * t
    return k * _LN2_HI32 - ((hfsq - (s * (hfsq + R) + (k * _LN2_LO32 + c))) - f)


# ---------------------------------------------------------------------- float32 public


@_inlined
def exp32(x):
    """e^x for float32 x, computed in float32 (<= 1 ulp)."""
    zero = x < _EXP_ZERO32                   # see exp64
    x = _ZERO32 if zero else x
    x = _EXP_X32 if x > _EXP_X32 else x
    k, r, rl = _reduce32(x)
    h, c = _hc32(r)
    s = _ONE32 + r
    y = _scale32(s + ((((_ONE32 - s) + r) + h) + (c + (rl + rl * r))), k)
    return _ZERO32 if zero else y


@_inlined
def expm132(x):
    """e^x - 1 for float32 x, computed in float32 (<= 1 ulp)."""
    xc = _EXP_X32 if x > _EXP_X32 else x
    xc = _EXPM1_LO32 if xc < _EXPM1_LO32 else xc
    k, r, rl = _reduce32(xc)
    kc = _F(-1.0) if k < _F(-1.0) else k
    kc = _F(40.0) if kc > _F(40.0) else kc
    m2k = _pow2_32(-kc)
    big = (k < _F(-1.0)) | (k > _F(40.0))
    a = _ONE32 - m2k if k < _F(23.0) else _ONE32
    a = _ONE32 if big else a
    lo = _ZERO32 if (k < _F(23.0)) | big else -m2k
    h, c = _hc32(r)
    s = a + r
    s2 = s + h
    y = s2 + (((((a - s) + r) + ((s - s2) + h)) + lo) + (c + (rl + rl * r)))
    y = _scale32(y, k)
    y = y - _ONE32 if big else y
    return x if x == _ZERO32 else y


@_inlined
def log32(x):
    """Natural log for float32 x, computed in float32 (<= 1 ulp)."""
    sub = x < _TINY32
    u = x * _TWO24 if sub else x
    k, f = _log_parts32(u)
    k = k - _F(24.0) if sub else k
    y = _log_tail32(k, f, _ZERO32)
    y = -_INF32 if x == _ZERO32 else y
    y = _NAN32 if x < _ZERO32 else y
    y = _INF32 if x == _INF32 else y
    return x if x != x else y


@_inlined
def log1p32(x):
    """log(1 + x) for float32 x > -1, computed in float32 (<= 1 ulp)."""
    u = _ONE32 + x
    k, f = _log_parts32(u)
    c = _ONE32 - (u - x) if k >= _TWO32 else x - (u - _ONE32)
    c = c / u if k < _F(25.0) else _ZERO32
    y = _log_tail32(k, f, c)
    y = -_INF32 if x == -_ONE32 else y
    y = _NAN32 if x < -_ONE32 else y
    y = _INF32 if x == _INF32 else y
    y = x if x != x else y
    return x if x == _ZERO32 else y


@_inlined
def tanh32(x):
    """Hyperbolic tangent for float32 x, computed in float32 (<= 2 ulp); see tanh64."""
    a = abs(x)
    a = _TANH_X32 if a > _TANH_X32 else a
    k, r, rl = _reduce32(a + a)              # k in [0, 29]
    m2k = _pow2_32(-k)
    h, c = _hc32(r)
    low = k < _F(23.0)
    an = _ONE32 - m2k if low else _ONE32
    am = _ONE32 + m2k if low else _ONE32
    lo = _ZERO32 if low else m2k
    sn = an + r
    sn2 = sn + h
    cl = c + (rl + rl * r)                   # d expm1(r) = (1 + r) dr
    tn = ((((an - sn) + r) + ((sn - sn2) + h)) - lo) + cl
    nh = sn2 + tn
    nl = (sn2 - nh) + tn
    sm = am + r
    sm2 = sm + h
    tm = ((((am - sm) + r) + ((sm - sm2) + h)) + lo) + cl
    mh = sm2 + tm
    ml = (sm2 - mh) + tm
    y = nh / mh
    y = y + (nl - y * ml) / mh
    return _float(np.int32(_bits(y) | (_bits(x) & _SIGN32)))


# ------------------------------------------------------------------ generic (by dtype)


def _generic(name, f64, f32, doc):
    """A Python function ``name(x)`` that calls ``f32`` for a float32 argument and ``f64``
    otherwise, both from Python and, through ``numba.extending.overload``, from compiled
    code (where the choice is made at compile time from the argument's type)."""

    def stub(x):
        if isinstance(x, np.float32):
            return f32(x)
        return f64(np.float64(x))

    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    stub.__module__ = __name__

    # Never called from Python: no wrappers for it (see _config.helper).
    @overload(stub, jit_options={"error_model": ERROR_MODEL, "no_cpython_wrapper": True, "no_cfunc_wrapper": True},
              inline="always")
    def _typed(x):
        if x == types.float32:
            return lambda x: f32(x)
        if isinstance(x, (types.Float, types.Integer)):
            return lambda x: f64(np.float64(x))
        return None

    return stub


exp = _generic("exp", exp64, exp32, "e^x: :func:`exp32` for float32, else :func:`exp64`.")
expm1 = _generic("expm1", expm164, expm132, "e^x - 1: :func:`expm132` for float32, else :func:`expm164`.")
log = _generic("log", log64, log32, "Natural log: :func:`log32` for float32, else :func:`log64`.")
log1p = _generic("log1p", log1p64, log1p32, "log(1 + x): :func:`log1p32` for float32, else :func:`log1p64`.")
tanh = _generic("tanh", tanh64, tanh32, "tanh: :func:`tanh32` for float32, else :func:`tanh64`.")


# The coefficients above come from this script (Python with mpmath; ~5 s):
#
#   import mpmath as mp
#   mp.mp.dps = 60
#
#   def remez(f, a, b, n, w=lambda x: 1, grid=4000):
#       """c0..cn minimising max |w (f - sum c_j x^j)| on [a, b]: Remez exchange."""
#       a, b, N = mp.mpf(a), mp.mpf(b), n + 2
#       xs = [(a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * i / (N - 1)) for i in range(N)]
#       G = [a + (b - a) * (1 - mp.cos(mp.pi * i / grid)) / 2 for i in range(grid + 1)]
#       for _ in range(40):
#           A = mp.matrix([[x ** j for j in range(n + 1)] + [(-1) ** i / w(x)]
#                          for i, x in enumerate(xs)])
#           sol = mp.lu_solve(A, mp.matrix([f(x) for x in xs]))
#           c, E = [sol[j] for j in range(n + 1)], sol[n + 1]
#           err = [w(x) * (f(x) - mp.polyval(c[::-1], x)) for x in G]
#           ext = [k for k in range(len(G)) if all(abs(err[k]) >= abs(err[j])
#                  for j in (k - 1, k + 1) if 0 <= j < len(G))]
#           alt = []                       # alternating extrema, the largest of each run
#           for k in ext:
#               if alt and mp.sign(err[k]) == mp.sign(err[alt[-1]]):
#                   alt[-1] = k if abs(err[k]) > abs(err[alt[-1]]) else alt[-1]
#               else:
#                   alt.append(k)
#           while len(alt) > N:
#               alt.pop(0 if abs(err[alt[0]]) < abs(err[alt[-1]]) else -1)
#           if len(alt) < N:
#               break
#           xs = [G[k] for k in alt]
#           if max(abs(e) for e in err) / abs(E) - 1 < mp.mpf("1e-12"):
#               break
#       return c
#
#   def Q(r):  # (e^r - 1 - r) / r^2
#       return mp.mpf(1) / 2 + r / 6 if abs(r) < 1e-15 else (mp.expm1(r) - r) / r ** 2
#
#   def T(z):  # (log((1+s)/(1-s)) - 2s) / s^3, z = s^2
#       s = mp.sqrt(z)
#       return mp.mpf(2) / 3 + 2 * z / 5 if z < 1e-30 else (2 * mp.atanh(s) - 2 * s) / (s * z)
#
#   zmax = ((mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)) ** 2
#   Q64 = remez(Q, -0.3467, 0.3467, 10, w=lambda r: 1 / Q(r))   # then float(c)
#   Q32 = remez(Q, -0.347, 0.347, 5, w=lambda r: 1 / Q(r))      # then np.float32(float(c))
#   T64 = remez(T, 0, zmax * (1 + mp.mpf("1e-6")), 6)
#   T32 = remez(T, 0, zmax * (1 + mp.mpf("1e-4")), 2)
#   # ln2 splits: head = ln2 rounded to 42 (float64) / 16 (float32) significant bits,
#   # tail = ln2 - head rounded; 1/ln2 rounded.
