"""Weight penalties added to the loss: ``kernel_regularizer=``, ``recurrent_regularizer=``,
``bias_regularizer=`` of the recurrent layers, as Keras 3 defines them::

    L1(l1)        penalty = l1 · Σ|w|             gradient  l1 · sign(w)
    L2(l2)        penalty = l2 · Σ w²             gradient  2 · l2 · w
    L1L2(l1, l2)  the sum of both

The strings "l1" and "l2" mean L1(0.01) and L2(0.01), Keras' defaults; "l1_l2" means L1L2(0.01, 0.01)
(Keras' ``regularizers.l1_l2()``). A model adds every layer's penalties to each batch's loss, and
their gradients to the weights' gradients (:meth:`rnnkit.models.base.Model`), in training and in
``evaluate`` alike, as Keras adds ``model.losses``. Sums over all entries do not depend on the
layout, so a penalty on Keras' kernel Uᵀ is the same number on the lecture's U.
"""
import numpy as np


class L1L2:
    """l1 · Σ|w| + l2 · Σ w² (module docstring)."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def penalty(self, w):
        return self.l1 * float(np.sum(np.abs(w))) + self.l2 * float(np.sum(w * w))

    def add_gradient(self, w, grad):
        """grad += d(penalty)/dw, in place."""
        if self.l1:
            grad += self.l1 * np.sign(w)
        if self.l2:
            grad += (2 * self.l2) * w

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self):
        return f"L1L2(l1={self.l1}, l2={self.l2})"


def L1(l1=0.01):
    return L1L2(l1=l1)


def L2(l2=0.01):
    return L1L2(l2=l2)


#: Keras' names, with Keras' default factors
NAMES = {"l1": lambda: L1L2(l1=0.01), "l2": lambda: L1L2(l2=0.01),
         "l1_l2": lambda: L1L2(l1=0.01, l2=0.01)}


def get(identifier, where="regularizer"):
    """None, a name ("l1", "l2", "l1_l2"), an :class:`L1L2` or its config dict -> the regularizer
    (or None); anything else raises a ValueError naming ``where``."""
    if identifier is None or isinstance(identifier, L1L2):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in NAMES:
        return NAMES[identifier.lower()]()
    if isinstance(identifier, dict) and set(identifier) <= {"l1", "l2"}:
        return L1L2(**identifier)
    raise ValueError(f"{where}: unknown regularizer {identifier!r}; give 'l1', 'l2', 'l1_l2' or "
                     f"an object such as rnnkit.regularizers.L2(1e-4)")
