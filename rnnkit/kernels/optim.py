"""Optimizer updates on the model's flat parameter vector (one call updates every weight).

Keras 3's update rules, with g the gradient, lr the learning rate and t the step count::

    SGD        v = momentum v - lr g;   p += v                      (nesterov: p += momentum v - lr g)
    RMSprop    s = rho s + (1 - rho) g^2;   p -= lr g / sqrt(s + eps)    (eps inside the root)
    Adam       m = m + (1 - beta1)(g - m);   s = s + (1 - beta2)(g^2 - s)
               lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t);   p -= lr_t m / (sqrt(s) + eps)

Before an update, :func:`all_finite` checks the gradient (a model leaves its weights alone when
an entry is NaN or infinite).
"""
import math

from numba import njit


@njit(cache=True, error_model="numpy")
def sgd_step(p, g, v, lr, momentum, nesterov):
    for i in range(p.size):
        if momentum == 0:
            p[i] -= lr * g[i]
        else:
            v[i] = momentum * v[i] - lr * g[i]
            p[i] += momentum * v[i] - lr * g[i] if nesterov else v[i]


@njit(cache=True, error_model="numpy")
def rmsprop_step(p, g, s, lr, rho, eps):
    for i in range(p.size):
        s[i] = rho * s[i] + (1 - rho) * g[i] * g[i]
        p[i] -= lr * g[i] / math.sqrt(s[i] + eps)       # Keras 3 puts eps under the root


@njit(cache=True, error_model="numpy")
def adam_step(p, g, m, s, lr, beta1, beta2, eps, t):
    lr_t = lr * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    for i in range(p.size):
        m[i] += (1 - beta1) * (g[i] - m[i])
        s[i] += (1 - beta2) * (g[i] * g[i] - s[i])
        p[i] -= lr_t * m[i] / (math.sqrt(s[i]) + eps)


@njit(cache=True, error_model="numpy", fastmath={"reassoc"})
def all_finite(g):
    """True when no entry of ``g`` is NaN or infinite.

    g_i - g_i is 0 for a finite entry and NaN otherwise, and a sum of zeros never overflows, so
    the sum is 0 exactly when every entry is finite. ``reassoc`` (and no other fast-math flag:
    NaN and infinity keep their meaning) lets LLVM add in any order, so the loop vectorizes:
    for a 100k-entry vector about 5 µs, against 30-50 µs for NumPy's ``sum``.
    """
    total = g.dtype.type(0)
    for i in range(g.size):
        total += g[i] - g[i]
    return total == 0
