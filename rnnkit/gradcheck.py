"""Gradient checks: the analytic (BPTT) gradient of every weight array against finite differences.

For a few entries of each array in ``model.get_weights()`` (Keras layout), the analytic gradient
from ``model.gradients(x, y)`` is compared with the centred difference

    dL/dw  ~  (L(w + eps) - L(w - eps)) / (2 eps)

computed in float64 on a small batch. Each entry's relative error is

    |analytic - numeric| / max(|analytic| + |numeric|, tiny)

(``tiny`` = 1e-3 holds near-zero gradients to an absolute error instead of a relative one they
cannot meet: a centred difference with eps = 1e-6 carries rounding noise of about 1e-10). The
entries checked are the ones with the largest analytic gradient, plus random ones.

>>> from rnnkit.gradcheck import gradcheck
>>> result = gradcheck("forecasting")            # doctest: +SKIP
>>> result.ok, result.max_rel_error              # doctest: +SKIP
(True, 3.1e-10)
"""
from dataclasses import dataclass, field

import numpy as np

from . import config as config_mod, plugins
from .tables import Table

EPS = 1e-6
TINY = 1e-3
TOLERANCE = 1e-6


@dataclass
class ArrayCheck:
    """The checked entries of one weight array."""
    name: str
    shape: tuple
    entries: list = field(default_factory=list)   # dicts: index, analytic, numeric, rel_error

    @property
    def max_rel_error(self):
        return max((e["rel_error"] for e in self.entries), default=0.0)


@dataclass
class GradcheckResult:
    """Per weight array, analytic against finite-difference gradients; ``ok`` below ``tolerance``."""
    arrays: list
    loss: float
    tolerance: float = TOLERANCE
    label: str = "model"

    @property
    def max_rel_error(self):
        return max((a.max_rel_error for a in self.arrays), default=0.0)

    @property
    def ok(self):
        return self.max_rel_error < self.tolerance

    def failures(self):
        return [a for a in self.arrays if a.max_rel_error >= self.tolerance]

    def tables(self):
        """One Table per array, then a summary Table (render with rnnkit.tables.render)."""
        out = []
        for a in self.arrays:
            rows = [[str(e["index"]), f"{e['analytic']:.9g}", f"{e['numeric']:.9g}",
                     f"{e['rel_error']:.2e}"] for e in a.entries]
            out.append(Table(f"{a.name} {a.shape}: max relative error {a.max_rel_error:.2e}",
                             ["entry", "analytic", "finite difference", "relative error"], rows))
        out.append(Table(f"summary ({self.label}, loss {self.loss:.6g}, tolerance "
                         f"{self.tolerance:g})",
                         ["array", "shape", "entries", "max relative error", "ok"],
                         [[a.name, str(a.shape), str(len(a.entries)), f"{a.max_rel_error:.2e}",
                           "yes" if a.max_rel_error < self.tolerance else "NO"]
                          for a in self.arrays]))
        return out

    def to_dict(self):
        return {"label": self.label, "loss": self.loss, "tolerance": self.tolerance,
                "ok": self.ok, "max_rel_error": self.max_rel_error,
                "arrays": [{"name": a.name, "shape": list(a.shape),
                            "max_rel_error": a.max_rel_error,
                            "entries": [dict(e, index=list(e["index"])) for e in a.entries]}
                           for a in self.arrays]}


def weight_names(model):
    """``layer/weight`` names aligned with ``model.get_weights()``."""
    return [f"{layer.name}/{name}" for layer in model.layers
            for name in layer.keras_weight_names()]


def relative_error(analytic, numeric, tiny=TINY):
    return abs(analytic - numeric) / max(abs(analytic) + abs(numeric), tiny)


def check_model(model, x, y, entries=5, eps=EPS, seed=0, tolerance=TOLERANCE, label="model"):
    """Check ``entries`` entries of every weight array of a compiled ``model`` on ``(x, y)``."""
    loss, grads = model.gradients(x, y)
    grads = [np.array(g, dtype=np.float64) for g in grads]
    weights = [w.copy() for w in model.get_weights()]
    names = weight_names(model)
    if len(names) != len(weights):
        names = [f"weight_{k}" for k in range(len(weights))]
    rng = np.random.default_rng(seed)
    arrays = []
    try:
        for name, w, g in zip(names, weights, grads):
            check = ArrayCheck(name, tuple(w.shape))
            for flat in _pick(g, entries, rng):
                index = np.unravel_index(flat, w.shape)
                old = w[index]
                w[index] = old + eps
                model.set_weights(weights)
                up = model.gradients(x, y)[0]
                w[index] = old - eps
                model.set_weights(weights)
                down = model.gradients(x, y)[0]
                w[index] = old
                numeric = (up - down) / (2 * eps)
                analytic = float(g[index])
                check.entries.append({"index": tuple(int(i) for i in index), "analytic": analytic,
                                      "numeric": float(numeric),
                                      "rel_error": float(relative_error(analytic, numeric))})
            arrays.append(check)
    finally:
        model.set_weights(weights)
    return GradcheckResult(arrays, float(loss), tolerance, label)


def _pick(g, entries, rng):
    """The largest-gradient half of ``entries`` entries, the rest at random (flat indices)."""
    n = g.size
    if n <= entries:
        return list(range(n))
    top = list(np.argsort(-np.abs(g).ravel(), kind="stable")[:(entries + 1) // 2])
    rest = [int(i) for i in rng.permutation(n) if i not in top][:entries - len(top)]
    return sorted(int(i) for i in top + rest)


def gradcheck(arch, overrides=None, entries=5, samples=4, eps=EPS, seed=0, tolerance=TOLERANCE):
    """Check an architecture's model on its ``small_data`` in float64.

    The model is built from ``arch.default_config()`` (updated by ``overrides``) in float64; the
    check uses the first ``samples`` training samples. The global float type is restored after.
    """
    from .runs import resolve_config     # validates the overrides like `rnnkit train`
    arch = plugins.get(arch)
    config = resolve_config(arch, dict(overrides or {}, floatx="float64"))
    previous = config_mod.floatx()
    try:
        config_mod.set_floatx("float64")
        config_mod.set_seed(config.get("seed", 0))
        data = arch.small_data(config)
        model = arch.build_model(config, data.meta)
        x, y = data.train
        if isinstance(x, (list, tuple)):
            x = [np.asarray(a)[:samples] for a in x]
        else:
            x = np.asarray(x)[:samples]
        y = np.asarray(y)[:samples]
        return check_model(model, x, y, entries=entries, eps=eps, seed=seed, tolerance=tolerance,
                           label=f"{arch.name}, {samples} samples, float64")
    finally:
        config_mod.set_floatx(previous)
