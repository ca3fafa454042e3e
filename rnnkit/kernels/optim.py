"""Optimizer updates on the model's flat parameter vector (one call updates every weight).

Keras 3's update rules, with g the gradient, lr the learning rate and t the step count::

    SGD        v = momentum v - lr g;   p += v                      (nesterov: p += momentum v - lr g)
    RMSprop    s = rho s + (1 - rho) g^2;   p -= lr g / sqrt(s + eps)    (eps inside the root)
    Adam       m = m + (1 - beta1)(g - m);   s = s + (1 - beta2)(g^2 - s)
               lr_t = lr sqrt(1 - beta2^t) / (1 - beta1^t);   p -= lr_t m / (sqrt(s) + eps)
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
