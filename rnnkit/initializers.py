"""Initializers: Keras' defaults (glorot_uniform kernels, orthogonal recurrent kernels, zero biases)
and, for ``kernel_initializer=`` and friends, the others by Keras' names or as objects (:func:`get`).

Shapes here are Keras' (kernel (fan_in, fan_out)); layers transpose into the lecture's notation.
All draws come from :func:`rnnkit.config.rng`, so ``set_seed`` makes a run reproducible; random
initializers follow Keras' distributions but not its random streams (the same seed gives other
draws than Keras), deterministic ones (zeros, ones, Constant, Identity) give Keras' exact arrays.
"""
import numpy as np

from . import config, threads


def glorot_uniform(shape, dtype):
    """Uniform on [-l, l] with l = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = shape
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return config.rng().uniform(-limit, limit, size=shape).astype(dtype)


def orthogonal(shape, dtype):
    """A (semi-)orthogonal matrix from the QR decomposition of a Gaussian matrix (Saxe et al., 2014)."""
    rows, cols = shape
    a = config.rng().normal(size=(max(rows, cols), min(rows, cols)))
    with threads.blas_threads(1):     # two BLAS threads: 0.3-0.9 s for a (256, 64) QR when a
        q, r = np.linalg.qr(a)        # core is busy, against 5 ms (and the same bits) on one
    q *= np.sign(np.diag(r))          # makes the decomposition unique, hence uniformly distributed
    if rows < cols:
        q = q.T
    return np.ascontiguousarray(q[:rows, :cols]).astype(dtype)


def uniform(shape, dtype, limit=0.05):
    """Uniform on [-0.05, 0.05]: Keras' default for Embedding."""
    return config.rng().uniform(-limit, limit, size=shape).astype(dtype)


# ---- initializers by name or object, as Keras' kernel_initializer= etc. take them ---------------
class Initializer:
    """An initializer: ``init(shape, dtype)`` gives an array of Keras' ``shape`` (kernel: (fan_in,
    fan_out)). ``get_config()`` holds its arguments, so a layer's config can name it as data."""

    def __call__(self, shape, dtype):
        raise NotImplementedError

    def get_config(self):
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class Zeros(Initializer):
    def __call__(self, shape, dtype):
        return np.zeros(shape, dtype=dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype):
        return np.ones(shape, dtype=dtype)


class Constant(Initializer):
    """Every entry ``value`` (Keras' tests build layers this way to get exact numbers)."""

    def __init__(self, value=0.0):
        self.value = float(value)

    def __call__(self, shape, dtype):
        return np.full(shape, self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05):
        self.minval, self.maxval = float(minval), float(maxval)

    def __call__(self, shape, dtype):
        return config.rng().uniform(self.minval, self.maxval, size=shape).astype(dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=0.05):
        self.mean, self.stddev = float(mean), float(stddev)

    def __call__(self, shape, dtype):
        return config.rng().normal(self.mean, self.stddev, size=shape).astype(dtype)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev}


class VarianceScaling(Initializer):
    """Keras' rule: variance ``scale / n`` with n = fan_in, fan_out or their mean (``mode``);
    "uniform" on [-l, l] with l = sqrt(3 scale / n), "truncated_normal" a normal cut at two
    standard deviations (its stddev divided by 0.8796..., what the cut takes away)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be fan_in, fan_out or fan_avg, got {mode!r}")
        if distribution not in ("uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"VarianceScaling: distribution must be uniform, truncated_normal or "
                             f"untruncated_normal, got {distribution!r}")
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def __call__(self, shape, dtype):
        fan_in, fan_out = (shape[0], shape[1]) if len(shape) == 2 else (shape[0], shape[0])
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * self.scale / n)
            return config.rng().uniform(-limit, limit, size=shape).astype(dtype)
        stddev = np.sqrt(self.scale / n)
        if self.distribution == "untruncated_normal":
            return config.rng().normal(0.0, stddev, size=shape).astype(dtype)
        stddev /= 0.87962566103423978
        draws = config.rng().normal(0.0, stddev, size=shape)
        while np.any(outside := np.abs(draws) > 2 * stddev):     # redraw beyond two stddevs
            draws[outside] = config.rng().normal(0.0, stddev, size=int(outside.sum()))
        return draws.astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


class GlorotUniform(Initializer):
    def __call__(self, shape, dtype):
        return glorot_uniform(shape, dtype)


class Orthogonal(Initializer):
    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype):
        return (self.gain * orthogonal(shape, dtype)).astype(dtype)

    def get_config(self):
        return {"gain": self.gain}


class Identity(Initializer):
    def __init__(self, gain=1.0):
        self.gain = float(gain)

    def __call__(self, shape, dtype):
        return self.gain * np.eye(*shape, dtype=dtype)

    def get_config(self):
        return {"gain": self.gain}


def _variance_scaling(scale, mode, distribution):
    return lambda: VarianceScaling(scale, mode, distribution)


#: Keras' names -> a factory of the initializer with Keras' default arguments
NAMES = {
    "zeros": Zeros, "ones": Ones, "constant": Constant,
    "random_uniform": RandomUniform, "random_normal": RandomNormal,
    "glorot_uniform": GlorotUniform, "orthogonal": Orthogonal, "identity": Identity,
    "glorot_normal": _variance_scaling(1.0, "fan_avg", "truncated_normal"),
    "he_uniform": _variance_scaling(2.0, "fan_in", "uniform"),
    "he_normal": _variance_scaling(2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": _variance_scaling(1.0, "fan_in", "uniform"),
    "lecun_normal": _variance_scaling(1.0, "fan_in", "truncated_normal"),
    "variance_scaling": VarianceScaling,
}
#: the classes a config names by class name ({"class_name": "Constant", "config": {...}})
CLASSES = {cls.__name__: cls for cls in (Zeros, Ones, Constant, RandomUniform, RandomNormal,
                                         VarianceScaling, GlorotUniform, Orthogonal, Identity)}


def get(identifier, where="initializer"):
    """The initializer ``identifier`` names: a Keras name ("glorot_uniform", "orthogonal",
    "zeros", ...), an :class:`Initializer`, or a config dict from :func:`serialize`. Anything else
    raises a ValueError naming ``where`` and the known names."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in NAMES:
        return NAMES[identifier.lower()]()
    if isinstance(identifier, dict) and identifier.get("class_name") in CLASSES:
        return CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    raise ValueError(f"{where}: unknown initializer {identifier!r}; give one of "
                     f"{', '.join(NAMES)}, or an object such as "
                     f"rnnkit.initializers.Constant(0.5)")


def serialize(init):
    """``init`` as JSON data: its class name and arguments (:func:`get` reads it back)."""
    return {"class_name": type(init).__name__, "config": init.get_config()}
