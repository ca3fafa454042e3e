"""Element-wise activations and their derivatives, selected by an integer code.

Kernels take the activation as an integer (never a Python function): passing a function to an
``@njit`` kernel silently disables Numba's on-disk cache.

Each derivative is written in terms of the activation's *output* where that is cheaper, as the
backward loops keep the outputs anyway:

    tanh'(a)    = 1 - h^2          with h = tanh(a)
    sigmoid'(a) = h (1 - h)        with h = sigmoid(a)
    relu'(a)    = 1 if a > 0 else 0
    linear'(a)  = 1
"""
import math

from numba import njit

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


@njit(cache=True, inline="always")
def activate(a, code):
    """f(a) for one element."""
    if code == TANH:
        return math.tanh(a)
    if code == SIGMOID:
        # Two branches keep exp() from overflowing for large |a|.
        if a >= 0:
            return 1.0 / (1.0 + math.exp(-a))
        e = math.exp(a)
        return e / (1.0 + e)
    if code == RELU:
        return a if a > 0 else a * 0
    return a


@njit(cache=True, inline="always")
def derivative(a, h, code):
    """f'(a) for one element, given the pre-activation ``a`` and the output ``h = f(a)``."""
    if code == TANH:
        return 1 - h * h
    if code == SIGMOID:
        return h * (1 - h)
    if code == RELU:
        return 1 if a > 0 else 0
    return 1
