"""Optimizers: SGD (momentum, Nesterov), RMSprop and Adam, with Keras' defaults and update rules.

An optimizer updates the model's flat parameter vector ``p`` from its flat gradient ``g`` in one
kernel call (see ``rnnkit.kernels.optim``). Gradient clipping happens first, named and done as
Keras 3 does it (``BaseOptimizer._clip_gradients``), with at most one of the three at work:

- ``clipnorm``: each weight's gradient g_w (one array of ``get_weights()``: kernel,
  recurrent_kernel, bias, ...) is clipped by its own norm, g_w <- g_w · c / max(||g_w||, c);
- ``global_clipnorm``: the gradient of every weight at once, g <- g · c / max(||g||, c) with
  ||g|| the norm over all of them;
- ``clipvalue``: each component to [-clipvalue, clipvalue].

As in Keras, clipnorm wins over global_clipnorm, which wins over clipvalue, and setting both
clipnorm and global_clipnorm is refused.
"""
import numpy as np

from .kernels import optim as K


class Optimizer:
    def __init__(self, learning_rate, clipnorm=None, clipvalue=None, global_clipnorm=None):
        if not learning_rate > 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be positive, got {learning_rate!r}")
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(f"{type(self).__name__}: give clipnorm (each weight's gradient by its "
                             f"own norm) or global_clipnorm (all of them by their global norm), "
                             f"not both, as Keras")
        self.learning_rate = float(learning_rate)
        self.clipnorm = clipnorm
        self.global_clipnorm = global_clipnorm
        self.clipvalue = clipvalue
        self.iterations = 0
        self._slots = []              # the update's state arrays, made on the first step

    def apply(self, p, g, weights=None):
        """Clip ``g`` as configured, then update ``p`` in place.

        ``weights``: the ``(start, stop)`` of each weight in ``p`` and ``g`` (a model passes its
        layers' arrays), for ``clipnorm``; None: ``p`` is one weight.
        """
        self._clip(g, weights)
        slots = self._slots
        if not slots or slots[0].shape != p.shape:
            self._slots = [np.zeros_like(p) for _ in range(self.n_slots)]
        self.iterations += 1
        self._update(p, g)

    def _clip(self, g, weights):
        """Keras' rule (module docstring), in place; the first option set is the one at work.
        ``weights`` as :meth:`apply` takes them."""
        if self.clipnorm:
            for start, stop in weights or [(0, g.size)]:
                _clip_by_norm(g[start:stop], self.clipnorm)
        elif self.global_clipnorm:
            _clip_by_norm(g, self.global_clipnorm)
        elif self.clipvalue:
            np.clip(g, -self.clipvalue, self.clipvalue, out=g)

    def get_state(self):
        """``(iterations, slot arrays)``: what a checkpoint needs to resume exactly."""
        return self.iterations, [s.copy() for s in self._slots]

    def set_state(self, iterations, slots):
        """Restore what :meth:`get_state` returned."""
        self.iterations = int(iterations)
        if slots:
            if len(slots) != self.n_slots:
                raise ValueError(f"{type(self).__name__} keeps {self.n_slots} slot array(s), got "
                                 f"{len(slots)}")
            self._slots = [np.array(s) for s in slots]

    def get_config(self):
        return {"name": self.name, "learning_rate": self.learning_rate, "clipnorm": self.clipnorm,
                "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue}

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate={self.learning_rate})"


def _clip_by_norm(g, c):
    """g <- g · c / max(||g||, c), in place: g scaled down to norm c when longer."""
    norm = float(np.sqrt(g @ g))
    if norm > c:
        g *= c / norm


class SGD(Optimizer):
    name = "sgd"
    n_slots = 1

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **clip):
        super().__init__(learning_rate, **clip)
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    def _update(self, p, g):
        K.sgd_step(p, g, self._slots[0], self.learning_rate, self.momentum, self.nesterov)

    def get_config(self):
        return dict(super().get_config(), momentum=self.momentum, nesterov=self.nesterov)


class RMSprop(Optimizer):
    name = "rmsprop"
    n_slots = 1

    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.rho, self.epsilon = float(rho), float(epsilon)

    def _update(self, p, g):
        K.rmsprop_step(p, g, self._slots[0], self.learning_rate, self.rho, self.epsilon)

    def get_config(self):
        return dict(super().get_config(), rho=self.rho, epsilon=self.epsilon)


class Adam(Optimizer):
    name = "adam"
    n_slots = 2

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **clip):
        super().__init__(learning_rate, **clip)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)

    def _update(self, p, g):
        m, s = self._slots
        K.adam_step(p, g, m, s, self.learning_rate, self.beta_1, self.beta_2, self.epsilon,
                    self.iterations)

    def get_config(self):
        return dict(super().get_config(), beta_1=self.beta_1, beta_2=self.beta_2, epsilon=self.epsilon)


_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get(optimizer):
    """An Optimizer from a name (``"sgd"``, ``"rmsprop"``, ``"adam"``) or an Optimizer object."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in _BY_NAME:
        return _BY_NAME[optimizer.lower()]()
    raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(_BY_NAME)} "
                     f"or pass an object from rnnkit.optimizers")

