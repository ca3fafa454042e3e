"""Element-wise activations and their derivatives, selected by an integer code.

Kernels take the activation as an integer (never a Python function): passing a function to an
``@njit`` kernel silently disables Numba's on-disk cache.

Each derivative is written in terms of the activation's *output* where that is cheaper, as the
backward loops keep the outputs anyway:

    tanh'(a)    = 1 - h^2          with h = tanh(a)
    sigmoid'(a) = h (1 - h)        with h = sigmoid(a)
    relu'(a)    = 1 if a > 0 else 0
    linear'(a)  = 1

Two ways to call them:

* ``activate(a, code)`` / ``derivative(a, h, code)`` for one element (the gated cells' loops);
* ``activate_row(A, H, code)`` / ``backprop_row(A, H, dH, dA, code)`` for a whole contiguous row
  (or block) at once: the ``code`` branch sits outside the loop and each loop body is branch-free,
  so LLVM vectorizes it (8 float32 lanes with AVX2). Prefer these in kernels.

float64 is exact: tanh is ``math.tanh`` and sigmoid is ``1 / (1 + exp(-a))`` (two branches so
``exp`` never overflows), bit for bit what the finite-difference and lecture tests expect.

float32 uses a fast approximation, chosen when Numba compiles a kernel for float32 arrays (the
element type picks the implementation at compile time; nothing is decided at run time)::

    tanh(a)    ~ p(a) / q(a)     for |a| <= 9, and exactly +-1 beyond (float32 tanh(9) rounds to 1)
                 p odd of degree 13, q even of degree 6, evaluated in float32: the coefficients
                 and the arithmetic of Eigen's float tanh, which TensorFlow (Keras) uses on CPU
    sigmoid(a) = 1/2 + 1/2 tanh(a / 2)          (an exact identity, evaluated with the tanh above)

Only multiplies, adds, one division and four comparisons: no library call, so the row loops
vectorize (about 0.8 ns per element here, 8 float32 lanes at a time), where ``math.tanh``/
``math.exp`` on float32 are scalar calls costing 20-45 ns each. Maximum error against the exact
function over a dense grid of float32 inputs (``tests/test_fast_activations.py`` asserts it):
tanh 3.6e-7 absolute and relative (at most 6 float32 steps, as Eigen's), sigmoid 2.3e-7 absolute;
both stay within their ranges [-1, 1] and [0, 1], so tanh' = 1 - h^2 and sigmoid' = h (1 - h)
are never negative. The error is *absolute*: for a < -18 the float32 sigmoid returns exactly 0
where the true value is below 1.6e-8 (its derivative h (1 - h) is 0 there either way). Evaluating
the same formula in float64 and rounding once would err by only 5.5e-8, but costs twice as much
(4 lanes per instruction, and two conversions): in an LSTM's forward pass, 15% of the time.
NaN in, NaN out.
"""
import math

import numpy as np
from numba import njit, types
from numba.extending import overload

LINEAR, TANH, SIGMOID, RELU, SOFTMAX = 0, 1, 2, 3, 4

CODES = {"linear": LINEAR, "tanh": TANH, "sigmoid": SIGMOID, "relu": RELU, "softmax": SOFTMAX}
ELEMENTWISE = ("linear", "tanh", "sigmoid", "relu")
ALL = ELEMENTWISE + ("softmax",)


def code_of(name, allowed, where):
    """Return the kernel code for activation ``name``, or raise a ValueError naming ``where``."""
    if name not in allowed:
        raise ValueError(f"{where}: unknown activation {name!r}; choose one of "
                         f"{', '.join(repr(a) for a in allowed)}")
    return CODES[name]


# ---- float32: branch-free rational tanh ------------------------------------------------------
#: beyond |a| = 9 tanh(a) rounds to +-1 in float32 (tanh(9) = 1 - 3.0e-8), so the result is +-1
TANH_SATURATES = 9.0


@njit(cache=True, inline="always", error_model="numpy")
def tanh32(x):
    """Fast float32 tanh: p(x)/q(x), max error 3.6e-7, exactly +-1 for |x| >= 9, never beyond +-1.

    Horner's scheme in x^2 with Eigen's float tanh coefficients, every operation in float32 (the
    constants are float32, so nothing is promoted to float64: 8 lanes per AVX2 instruction, not
    4). Four comparisons, no branch: x is clamped to [-9, 9] (beyond, the polynomials would leave
    their range and x^13 could overflow) and the result to [-1, 1]; a NaN fails every comparison
    and passes through as NaN.
    """
    f = np.float32
    x = f(TANH_SATURATES) if x > f(TANH_SATURATES) else x   # beyond +-9 the polynomial's ratio
    x = f(-TANH_SATURATES) if x < f(-TANH_SATURATES) else x  # would leave its range: clamp x
    x2 = x * x
    p = f(-2.76076847742355e-16)                         # numerator: odd polynomial in x
    p = x2 * p + f(2.00018790482477e-13)
    p = x2 * p + f(-8.60467152213735e-11)
    p = x2 * p + f(5.12229709037114e-08)
    p = x2 * p + f(1.48572235717979e-05)
    p = x2 * p + f(6.37261928875436e-04)
    p = x2 * p + f(4.89352455891786e-03)
    p = x * p
    q = f(1.19825839466702e-06)                          # denominator: even polynomial in x
    q = x2 * q + f(1.18534705686654e-04)
    q = x2 * q + f(2.26843463243900e-03)
    q = x2 * q + f(4.89352518554385e-03)
    r = p / q
    r = f(1.0) if r > f(1.0) else r                      # rounding can give 1 + 1 ulp near |x| = 9
    r = f(-1.0) if r < f(-1.0) else r
    return r


@njit(cache=True, inline="always", error_model="numpy")
def sigmoid32(a):
    """Fast float32 sigmoid through the identity sigmoid(a) = 1/2 + 1/2 tanh(a/2)."""
    half = np.float32(0.5)
    return half + half * tanh32(half * a)


# ---- the element type picks the implementation, at compile time -------------------------------
def tanh(a):
    """tanh of one element: ``math.tanh`` for float64, :func:`tanh32` for float32 (in kernels)."""
    return math.tanh(a)


def sigmoid(a):
    """sigmoid of one element: exact two-branch exp formula for float64, :func:`sigmoid32` for
    float32 (in kernels)."""
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _is_float32(a):
    return isinstance(a, types.Float) and a.bitwidth == 32


@overload(tanh)
def _tanh_for(a):
    if _is_float32(a):
        return lambda a: tanh32(a)
    return lambda a: math.tanh(a)


@overload(sigmoid)
def _sigmoid_for(a):
    if _is_float32(a):
        return lambda a: sigmoid32(a)

    def exact(a):
        one = type(a)(1)
        # Two branches keep exp() from overflowing for large |a|.
        if a >= 0:
            return one / (one + math.exp(-a))
        e = math.exp(a)
        return e / (one + e)
    return exact


# ---- one element ---------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def activate(a, code):
    """f(a) for one element (float32 uses the fast tanh/sigmoid, see the module docstring)."""
    one = type(a)(1)                   # of a's type: float32 stays float32
    if code == TANH:
        return tanh(a)
    if code == SIGMOID:
        return sigmoid(a)
    if code == RELU:
        return a if a > 0 else a * (one - one)
    return a


@njit(cache=True, inline="always")
def derivative(a, h, code):
    """f'(a) for one element, given the pre-activation ``a`` and the output ``h = f(a)``."""
    one = type(h)(1)                   # of h's type: float32 stays float32
    if code == TANH:
        return one - h * h
    if code == SIGMOID:
        return h * (one - h)
    if code == RELU:
        return one if a > 0 else one - one
    return one


# ---- a whole row: the branch on the code outside, one vectorizable loop inside ------------------
@njit(cache=True, error_model="numpy")
def activate_row(A, H, code):
    """H[j] = f(A[j]) for every j of the 1-D contiguous arrays ``A`` and ``H`` (same length)."""
    n = A.shape[0]
    if code == TANH:
        for j in range(n):
            H[j] = tanh(A[j])
    elif code == SIGMOID:
        for j in range(n):
            H[j] = sigmoid(A[j])
    elif code == RELU:
        zero = H.dtype.type(0)
        for j in range(n):
            a = A[j]
            H[j] = a if a > zero else a * zero
    else:
        for j in range(n):
            H[j] = A[j]


@njit(cache=True, error_model="numpy")
def backprop_row(A, H, dH, dA, code):
    """dA[j] = dH[j] f'(A[j]) (backprop through f) for 1-D contiguous arrays, ``H`` = f(A)."""
    n = A.shape[0]
    one = H.dtype.type(1)
    if code == TANH:
        for j in range(n):
            h = H[j]
            dA[j] = dH[j] * (one - h * h)
    elif code == SIGMOID:
        for j in range(n):
            h = H[j]
            dA[j] = dH[j] * (h * (one - h))
    elif code == RELU:
        zero = H.dtype.type(0)
        for j in range(n):
            dA[j] = dH[j] if A[j] > zero else dH[j] * zero
    else:
        for j in range(n):
            dA[j] = dH[j]
