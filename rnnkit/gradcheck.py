"""Gradient checks: analytic gradients against centred finite differences, in one place.

``rnnkit gradcheck``, the conformance kit (:mod:`rnnkit.testing`) and the test suite all compare a
hand-derived gradient with finite differences through this module: one numeric gradient, one
relative error, one model check.

Numeric gradient
----------------
Entry i of an array w is moved by a step h_i = eps * max(1, |w_i|) each way (a step relative to
the entry once it exceeds 1, so w_i + h_i differs from w_i in about the same number of bits for
every entry) and

    n_i = (L(w + h_i e_i) - L(w - h_i e_i)) / ((w_i + h_i) - (w_i - h_i))

divides by the step actually taken (both sides rounded to float64). Its error has two parts:

    truncation   h^2 |L'''| / 6      grows with the step
    rounding     delta / h           each loss evaluation is off by delta, a few ulp of |L|

On ``rnnkit gradcheck --arch char-lm --cell gru`` (float64, L = 3.40) a loss evaluation is off
by delta ~ 2e-15 (3 ulp), and the median |analytic - numeric| over 20 entries of the recurrent
kernel is 3.2e-9 at h = 1e-7, 2.2e-10 at 1e-6, 4.2e-11 at 1e-5, 2.7e-12 at 1e-4 (the entry
recurrent_kernel[92, 368], gradient 9.2e-5: 1.2e-9 at 1e-6, 9e-12 at 1e-5): it falls as 1/h, so
it is rounding; the curvature term stays below 1e-10 up to h = 1e-3. The total is smallest near
h ~ (3 delta / |L'''|)^(1/3), the cube root of the loss's relative accuracy (~1e-15) times the
scale of w: :data:`EPS` = 1e-5. The old check (step 1e-6, each entry's error relative to
max(|a| + |n|, 1e-3) on its own) held an entry with a gradient of 9e-5 to 1e-9 absolute, the
noise level itself: that, not a kernel, was why correct GRU kernels failed.

Relative error
--------------
One definition, for a weight array or a single entry, relative to the array's gradient scale::

    error = max_i |a_i - n_i| / max(max_i |a_i| + max_i |n_i|, floor)

The rounding noise delta / h is the same absolute size for every entry of an array, so a small
entry is judged against the array's scale, not its own (which its noise would swamp), and a
backward pass that is off by a factor shows on the array's largest entries (the model check always
includes them). ``floor`` is the scale below which the noise dominates; it is tied to the loss::

    floor = noise_floor(L, h) = LOSS_ROUNDING |L| / (h TOLERANCE)

the gradient scale of which the rounding noise LOSS_ROUNDING |L| / h of a step h is TOLERANCE.
An array whose gradients are all below it (often exactly zero: an unused one-hot column) is held
to that noise as an absolute error, every other array to TOLERANCE relative to its scale.
:data:`LOSS_ROUNDING` = 1e-14 is ~16 times the relative rounding measured above (6e-16), so the
noise uses at most ~6% of the tolerance whatever step is chosen (a smaller ``eps`` raises the
floor with the noise). For a loss of order 1 at the default step the floor is 1e-3. The error is
a number of its own: a ``tolerance`` passed to the checks only decides what passes.

>>> from rnnkit.gradcheck import gradcheck
>>> result = gradcheck("forecasting")            # doctest: +SKIP
>>> result.ok, result.max_rel_error              # doctest: +SKIP
(True, 3.1e-10)
"""
from dataclasses import dataclass, field

import numpy as np

from . import config as config_mod, plugins
from .tables import Table

#: the relative step of the centred differences (see the module docstring)
EPS = 1e-5
#: largest accepted relative error
TOLERANCE = 1e-6
#: relative rounding error allowed for one loss evaluation (measured: ~6e-16)
LOSS_ROUNDING = 1e-14


def numeric_gradient(f, array, eps=EPS, entries=None):
    """Centred differences of the scalar ``f()`` with respect to ``array``, entry by entry.

    ``array`` is perturbed in place (``f`` must read it) and restored. Returns an array shaped like
    ``array``, or, given ``entries`` (flat indices), the derivatives for those entries only.
    """
    flat = array.reshape(-1)            # a view: writing it perturbs ``array``
    if not np.shares_memory(flat, array):
        raise ValueError("numeric_gradient needs an array it can perturb in place (contiguous)")
    which = range(flat.size) if entries is None else entries
    grad = np.zeros(len(which), dtype=np.float64)
    for j, i in enumerate(which):
        old = flat[i]
        h = eps * max(1.0, abs(float(old)))
        flat[i] = up = old + h
        f_up = f()
        flat[i] = down = old - h
        f_down = f()
        flat[i] = old
        grad[j] = (f_up - f_down) / (float(up) - float(down))
    return grad.reshape(array.shape) if entries is None else grad


def noise_floor(loss, eps=EPS):
    """The gradient scale of which the rounding noise of centred differences of ``loss`` with step
    ``eps`` is :data:`TOLERANCE` (see the module docstring)."""
    return LOSS_ROUNDING * abs(float(loss)) / (eps * TOLERANCE)


def error_scale(analytic, numeric, floor):
    """max(max|a| + max|n|, floor): what an array's errors are divided by."""
    a, n = np.abs(np.asarray(analytic, np.float64)), np.abs(np.asarray(numeric, np.float64))
    if a.shape != n.shape:
        raise ValueError(f"gradient shape {a.shape} != finite-difference shape {n.shape}")
    return max(float(a.max(initial=0.0) + n.max(initial=0.0)), floor)


def relative_error(analytic, numeric, floor=noise_floor(1.0)):
    """max|a - n| / max(max|a| + max|n|, floor); 0 when both are exactly zero (see the module)."""
    scale = error_scale(analytic, numeric, floor)
    diff = np.abs(np.asarray(analytic, np.float64) - np.asarray(numeric, np.float64))
    worst = float(diff.max(initial=0.0))                # NaN propagates: a NaN never passes
    return worst / scale if scale > 0 else worst


@dataclass
class ArrayCheck:
    """The checked entries of one weight array, and the scale their errors are relative to."""
    name: str
    shape: tuple
    scale: float = 0.0
    entries: list = field(default_factory=list)   # dicts: index, analytic, numeric, rel_error

    @property
    def max_rel_error(self):
        return float(np.max([e["rel_error"] for e in self.entries], initial=0.0))


@dataclass
class GradcheckResult:
    """Per weight array, analytic against finite-difference gradients; ``ok`` below ``tolerance``."""
    arrays: list
    loss: float
    tolerance: float = TOLERANCE
    label: str = "model"
    eps: float = EPS

    @property
    def max_rel_error(self):
        return float(np.max([a.max_rel_error for a in self.arrays], initial=0.0))

    @property
    def ok(self):
        return self.max_rel_error < self.tolerance          # False for NaN

    def failures(self):
        return [a for a in self.arrays if not a.max_rel_error < self.tolerance]

    def tables(self):
        """One Table per array, then a summary Table (render with rnnkit.tables.render)."""
        out = []
        for a in self.arrays:
            rows = [[str(e["index"]), f"{e['analytic']:.9g}", f"{e['numeric']:.9g}",
                     f"{e['rel_error']:.2e}"] for e in a.entries]
            out.append(Table(f"{a.name} {a.shape}: max relative error {a.max_rel_error:.2e} "
                             f"(errors relative to {a.scale:.3g})",
                             ["entry", "analytic", "finite difference", "relative error"], rows))
        out.append(Table(f"summary ({self.label}, loss {self.loss:.6g}, eps {self.eps:g}, "
                         f"tolerance {self.tolerance:g})",
                         ["array", "shape", "entries", "max relative error", "ok"],
                         [[a.name, str(a.shape), str(len(a.entries)), f"{a.max_rel_error:.2e}",
                           "yes" if a.max_rel_error < self.tolerance else "NO"]
                          for a in self.arrays]))
        return out

    def to_dict(self):
        return {"label": self.label, "loss": self.loss, "eps": self.eps,
                "tolerance": self.tolerance, "ok": self.ok, "max_rel_error": self.max_rel_error,
                "arrays": [{"name": a.name, "shape": list(a.shape), "scale": a.scale,
                            "max_rel_error": a.max_rel_error,
                            "entries": [dict(e, index=list(e["index"])) for e in a.entries]}
                           for a in self.arrays]}


def weight_names(model):
    """``layer/weight`` for each array of ``model.get_weights()``, in order."""
    names = []
    for layer in getattr(model, "layers", []):
        arrays = layer.get_weights()
        wnames = list(layer.keras_weight_names()) if hasattr(layer, "keras_weight_names") else []
        if len(wnames) != len(arrays):
            wnames = [f"weight{k}" for k in range(len(arrays))]
        names += [f"{layer.name or type(layer).__name__}/{w}" for w in wnames]
    return names


def check_model(model, x, y, entries=5, eps=EPS, seed=0, tolerance=TOLERANCE, label="model"):
    """Check ``entries`` entries of every weight array of a compiled ``model`` on ``(x, y)``.

    The loss is what ``model.gradients(x, y)`` differentiates; the entries of each array are its
    largest analytic gradients and random ones (``seed``). Weights are restored afterwards.
    Stateful layers start every evaluation from zero states (else each would continue the last
    one's), so they are left reset.
    """
    model.reset_states()
    loss, grads = model.gradients(x, y)
    floor = noise_floor(loss, eps)
    weights = [np.array(w, dtype=np.float64) for w in model.get_weights()]
    names = weight_names(model)
    if len(names) != len(weights):
        names = [f"weight_{k}" for k in range(len(weights))]
    rng = np.random.default_rng(seed)

    def perturbed_loss():
        model.set_weights(weights)
        model.reset_states()
        return model.gradients(x, y)[0]

    arrays = []
    try:
        for name, w, g in zip(names, weights, grads):
            g = np.asarray(g, dtype=np.float64)
            picks = _pick(g, entries, rng)
            analytic = g.reshape(-1)[picks]
            numeric = numeric_gradient(perturbed_loss, w, eps, entries=picks)
            scale = error_scale(analytic, numeric, floor)
            errors = np.abs(analytic - numeric) / scale
            arrays.append(ArrayCheck(name, tuple(w.shape), scale, [
                {"index": tuple(int(i) for i in np.unravel_index(p, w.shape)),
                 "analytic": float(a), "numeric": float(n), "rel_error": float(e)}
                for p, a, n, e in zip(picks, analytic, numeric, errors)]))
    finally:
        model.set_weights(weights)
        model.reset_states()
    return GradcheckResult(arrays, float(loss), tolerance, label, eps)


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

    The model is built from the architecture's complete config (defaults, then ``overrides``,
    validated like ``rnnkit train``) in float64 with the config's seed; the check uses the first
    ``samples`` training samples, and ``seed`` picks the random entries. The caller's float type
    and random generator are left as they were.
    """
    from .runs import resolve_config     # validates the overrides like `rnnkit train`
    arch = plugins.get(arch)
    config = resolve_config(arch, dict(overrides or {}, floatx="float64"))
    with config_mod.scope(floatx="float64", seed=config["seed"]):
        data = arch.small_data(config)
        model = arch.build_model(config, data.meta)
        x, y = data.train
        if isinstance(x, (list, tuple)):
            x = [np.asarray(a)[:samples] for a in x]
        else:
            x = np.asarray(x)[:samples]
        return check_model(model, x, np.asarray(y)[:samples], entries=entries, eps=eps,
                           seed=seed, tolerance=tolerance,
                           label=f"{arch.name}, {samples} samples, float64")
