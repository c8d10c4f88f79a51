"""exp and log written out in arithmetic, for compiled loops that should run in SIMD.

A call to the C library's ``exp`` or ``log`` inside a loop stops the compiler from
vectorising it; these versions are plain arithmetic on the bits of a double (Cody-Waite
range reduction and a polynomial, as in fdlibm), so a loop over an array of them compiles
to vector instructions. Accuracy, checked against NumPy in ``tests/models/test_fastmath.py``:
within 1 ulp wherever the result is a normal double. Two deliberate departures, harmless
for the EUM's distances in [0, 1] and exponents in [0.5, 2]: ``fast_exp`` returns 0 for
arguments below -708 (results under the smallest normal double are flushed to zero, which
also keeps subnormal arithmetic out of the loop), and ``fast_log`` treats a subnormal
argument as the smallest normal double. ``fast_log(0) = -inf`` and ``fast_exp(-inf) = 0``.
Used only when numba is installed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    import numba
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic
except ImportError:  # the NumPy path serves
    numba = None  # type: ignore[assignment]

AVAILABLE = numba is not None

LOG2E = 1.4426950408889634
# ln 2 split so that k * LN2_HI is exact for |k| < 2**11 (fdlibm's constants)
LN2_HI = 6.93147180369123816490e-01
LN2_LO = 1.90821492927058770002e-10
# adding 1.5 * 2**52 rounds a double to an integer and leaves that integer in the low bits
ROUNDER = 6755399441055744.0
MANTISSA = (1 << 52) - 1
ONE_BITS = 1023 << 52
SQRT2 = 1.4142135623730951
SMALLEST_NORMAL = 2.2250738585072014e-308
EXP_FLOOR = -708.0

# bit casts between a double and an int64, defined below when numba is present
_bits: Any = None
_double: Any = None


def _fast_exp_source(x: float) -> float:  # pragma: no cover - compiled
    xc = min(max(x, EXP_FLOOR), 709.0)
    t = xc * LOG2E + ROUNDER
    kf = t - ROUNDER
    k = _bits(t) - _bits(ROUNDER)
    r = (xc - kf * LN2_HI) - kf * LN2_LO  # |r| <= ln(2) / 2
    # Taylor series to r**13: truncation error below 1e-17 on |r| <= 0.347
    p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (
        1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320 + r * (1.0 / 362880 + r * (
            1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (
                1.0 / 6227020800)))))))))))))
    y = p * _double((k + 1023) << 52)
    return 0.0 if x < EXP_FLOOR else y


def _fast_log_source(x: float) -> float:  # pragma: no cover - compiled
    bits = _bits(max(x, SMALLEST_NORMAL))
    e = (bits >> 52) - 1023
    m = _double((bits & MANTISSA) | ONE_BITS)  # x = m * 2**e, m in [1, 2)
    big = m > SQRT2
    m = m * (0.5 if big else 1.0)  # now m in [sqrt(1/2), sqrt(2))
    e = e + (1 if big else 0)
    f = m - 1.0
    s = f / (2.0 + f)
    z = s * s
    # log(1 + f) = 2 atanh(s) = f - f**2/2 + s (f**2/2 + R), R the series in z to z**11
    rr = z * (2.0 / 3 + z * (2.0 / 5 + z * (2.0 / 7 + z * (2.0 / 9 + z * (2.0 / 11 + z * (
        2.0 / 13 + z * (2.0 / 15 + z * (2.0 / 17 + z * (2.0 / 19 + z * (2.0 / 21 + z * (
            2.0 / 23)))))))))))
    hfsq = 0.5 * f * f
    dk = _double(_bits(ROUNDER) + e) - ROUNDER  # float(e) without an int->double instruction
    y = dk * LN2_HI - ((hfsq - (s * (hfsq + rr) + dk * LN2_LO)) - f)
    return -np.inf if x == 0.0 else y


if AVAILABLE:
    from statecraft.models._jit import njit

    def _bits_intrinsic(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compiled
        """The IEEE-754 bits of a double, as an int64."""
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], ir.IntType(64))
        return types.int64(types.float64), codegen

    def _double_intrinsic(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compiled
        """The double whose IEEE-754 bits are this int64."""
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            return builder.bitcast(args[0], ir.DoubleType())
        return types.float64(types.int64), codegen

    _bits = intrinsic(_bits_intrinsic)
    _double = intrinsic(_double_intrinsic)
    # Compiled on their own and inlined by LLVM into the loops that call them, which stay
    # SIMD (inlining at numba's level cost 0.6 s of the kernel's compile). "contract"
    # (fused multiply-adds) is the EUM kernel's setting, so its results are as before.
    _compile = njit(error_model="numpy", fastmath={"contract"})
    fast_exp = _compile(_fast_exp_source)
    fast_log = _compile(_fast_log_source)

    @njit(error_model="numpy")
    def fast_exp_array(a: Any, out: Any) -> None:  # pragma: no cover - compiled
        """``out[i] = fast_exp(a[i])`` (for tests and benchmarks)."""
        for i in range(a.shape[0]):
            out[i] = fast_exp(a[i])

    @njit(error_model="numpy")
    def fast_log_array(a: Any, out: Any) -> None:  # pragma: no cover - compiled
        """``out[i] = fast_log(a[i])`` (for tests and benchmarks)."""
        for i in range(a.shape[0]):
            out[i] = fast_log(a[i])
