"""check_cell: does a user-written cell keep the Cell contract, and is its backward right?

The exercise every RNN course sets is "write the step, then its BPTT". This kit checks the result
the way a teaching assistant would, and names the equation that is off::

    from rnnkit.testing import check_cell
    print(check_cell(MyCell(3)))        # or: rnnkit check --cell mycells:MyCell

================================  ===============================================================
check                             what it asks of the cell
================================  ===============================================================
``declares_state_sizes``          ``state_sizes`` is a non-empty tuple of positive integers
``builds``                        ``build(input_dim)`` creates weights, each with a gradient of
                                  its shape
``step_forward_shapes``           every step returns one finite (batch, size) array per state
``step_backward_shapes``          dx is (batch, input_dim); one dL/d(state) per state, each of
                                  its state's shape
``step_gradients``                at every step t, on the states the sequence really reaches:
                                  dx_t, dL/d(each state before the step) and every weight's share
                                  match centred finite differences of that one step
``step_backward_adds``            a second ``step_backward`` on the same step adds as much again
                                  (the layer sums the steps' shares: ``+=``, not ``=``)
``gradients_through_time``        ``RNN(cell)`` over a padded batch from a given initial state:
                                  every weight, the initial states and the input match finite
                                  differences of the whole sequence
``config_round_trip``             the class imports from its ``module:Class`` path, and
                                  ``from_config(get_config())`` rebuilds a cell that computes the
                                  same step (what saving and loading a model does)
================================  ===============================================================

A failed check stops the ones after it (they would fail for the same reason): each is then
skipped, naming the check to fix first. Everything runs in float64 inside ``config.scope``, with
small sizes (:data:`SIZES`), so the caller's float type and random generator are left as they were.
"""
import json
import time
from dataclasses import dataclass, field

import numpy as np

from .. import config
from ..errors import CheckFailed
from ..gradcheck import TOLERANCE, noise_floor, numeric_gradient, relative_error
from ..layers.cells import cell_path, import_cell_class
from ..layers.rnn import RNN
from .report import CheckReport, CheckResult

#: the batch, the input size and the number of steps the kit runs a cell on
SIZES = {"batch": 3, "input_dim": 2, "timesteps": 4}
#: most entries of one array checked by finite differences (the largest gradient always is)
ENTRIES = 16


@dataclass
class _Case:
    """What the checks share: the cell, its layer, data, and the forward pass step by step."""
    cell: object
    rng: np.random.Generator
    layer: object = None
    x: np.ndarray = None                 # (T, B, D), time-major as the steps see it
    states: list = field(default_factory=list)   # states[t]: the states before step t+1

    @property
    def names(self):
        """dL/d(state) names in messages: dh_{t-1}, dc_{t-1}, ..."""
        names = tuple(getattr(self.cell, "state_names", ())) + tuple(
            f"s{k}" for k in range(len(self.cell.state_sizes)))
        return names[:len(self.cell.state_sizes)]


def _declares_state_sizes(case):
    sizes = getattr(case.cell, "state_sizes", None)
    ok = (isinstance(sizes, (tuple, list)) and len(sizes) > 0 and
          all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in sizes))
    if not ok:
        raise CheckFailed(f"state_sizes is {sizes!r}: declare one positive integer per state, h "
                          f"(the output) first, e.g. self.state_sizes = (units,) or (units, units) "
                          f"for h and c")


def _builds(case):
    T, B, D = SIZES["timesteps"], SIZES["batch"], SIZES["input_dim"]
    case.layer = RNN(case.cell, return_sequences=True, return_state=True)
    case.layer.build((T, D))
    params, grads = case.cell.params, case.cell.grads
    for name, p in params.items():
        if name not in grads or grads[name].shape != p.shape:
            raise CheckFailed(f"weight {name!r} has no gradient of its shape {p.shape}: create "
                              f"weights with self.add_weight(name, array), which makes both")
    case.x = case.rng.normal(size=(T, B, D))


def _run_forward(case):
    """Step through the sequence from random initial states, keeping the states before each step."""
    cell, (T, B, _) = case.cell, case.x.shape
    states = [case.rng.normal(scale=0.5, size=(B, s)) for s in cell.state_sizes]
    case.states = [states]
    for t in range(T):
        out = cell.step_forward(case.x[t], [s.copy() for s in states])
        if not (isinstance(out, tuple) and len(out) == 2):
            raise CheckFailed(f"step_forward must return a pair (new_states, cache), got "
                              f"{type(out).__name__}")
        new = list(out[0])
        if len(new) != len(cell.state_sizes):
            raise CheckFailed(f"at t = {t + 1}, step_forward returned {len(new)} state(s); "
                              f"state_sizes declares {len(cell.state_sizes)}")
        for name, s, size in zip(case.names, new, cell.state_sizes):
            if np.shape(s) != (B, size):
                raise CheckFailed(f"at t = {t + 1}, the new state {name} has shape {np.shape(s)}; "
                                  f"expected (batch, {size}) = {(B, size)}")
            if not np.all(np.isfinite(s)):
                raise CheckFailed(f"at t = {t + 1}, the new state {name} is not finite")
        states = [np.asarray(s, dtype=np.float64) for s in new]
        case.states.append(states)


def _step_backward(case, t, dstates):
    """(dx, dprev, weight gradients) of step t (1-based) for upstream ``dstates``, from zero."""
    cell = case.cell
    for g in cell.grads.values():
        g[...] = 0
    _, cache = cell.step_forward(case.x[t - 1], [s.copy() for s in case.states[t - 1]])
    dx, dprev = cell.step_backward([d.copy() for d in dstates], cache)
    return dx, list(dprev), {name: g.copy() for name, g in cell.grads.items()}


def _upstream(case):
    B = case.x.shape[1]
    return [case.rng.normal(size=(B, s)) for s in case.cell.state_sizes]


def _step_backward_shapes(case):
    _, B, D = case.x.shape
    dx, dprev, _ = _step_backward(case, 1, _upstream(case))
    if np.shape(dx) != (B, D):
        raise CheckFailed(f"step_backward's dx has shape {np.shape(dx)}; expected (batch, "
                          f"input_dim) = {(B, D)}, like x")
    if len(dprev) != len(case.cell.state_sizes):
        raise CheckFailed(f"step_backward returned {len(dprev)} state gradient(s); expected one "
                          f"per state ({len(case.cell.state_sizes)})")
    for name, d, size in zip(case.names, dprev, case.cell.state_sizes):
        if np.shape(d) != (B, size):
            raise CheckFailed(f"step_backward's d{name}_{{t-1}} has shape {np.shape(d)}; expected "
                              f"{(B, size)}, like {name}_{{t-1}}")


def _entries(grad, rng):
    """The flat indices checked in an array: all of a small one; else the largest and a sample."""
    n = grad.size
    if n <= ENTRIES:
        return list(range(n))
    pick = rng.choice(n, size=ENTRIES - 1, replace=False).tolist()
    return sorted(set(pick) | {int(np.argmax(np.abs(grad)))})


def _compare(analytic, f, array, rng):
    """Relative error of ``analytic`` against centred differences of ``f()`` in ``array``."""
    entries = _entries(analytic, rng)
    numeric = numeric_gradient(f, array, entries=entries)
    return relative_error(analytic.reshape(-1)[entries], numeric, noise_floor(f()))


def _step_gradients(case):
    cell, T = case.cell, case.x.shape[0]
    wrong = {}                            # quantity -> [(t, error)]
    order = [f"d{n}" for n in cell.params] + ["dx_t"] + [f"d{n}_{{t-1}}" for n in case.names]
    for t in range(1, T + 1):
        R = _upstream(case)
        dx, dprev, dparams = _step_backward(case, t, R)
        x_t = case.x[t - 1].copy()
        prev = [s.copy() for s in case.states[t - 1]]

        def loss():                       # L = sum over states of R_k * (new state k)
            new, _ = cell.step_forward(x_t, [s.copy() for s in prev])
            return float(sum(np.sum(r * s) for r, s in zip(R, new)))

        errors = {f"d{n}": _compare(dparams[n], loss, p, case.rng) for n, p in cell.params.items()}
        errors["dx_t"] = _compare(np.asarray(dx), loss, x_t, case.rng)
        for name, d, s in zip(case.names, dprev, prev):
            errors[f"d{name}_{{t-1}}"] = _compare(np.asarray(d), loss, s, case.rng)
        for what, err in errors.items():
            if not err < TOLERANCE:
                wrong.setdefault(what, []).append((t, err))
    if wrong:
        raise CheckFailed(_verdict(order, wrong, "at t = ") +
                          ". Each step is checked on its own: L = sum(R * new states) for random "
                          "R, against centred finite differences of step_forward")


def _verdict(order, wrong, where):
    """'dW wrong at t = 2, 3 (relative error up to 0.41); dU, db, dx_t fine'."""
    parts = []
    for what in order:
        if what in wrong:
            places = ", ".join(str(t) for t, _ in wrong[what])
            worst = max(err for _, err in wrong[what])
            parts.append(f"{what} wrong {where}{places} (relative error up to {worst:.2g})")
    fine = [what for what in order if what not in wrong]
    return "; ".join(parts) + (f"; {', '.join(fine)} fine" if fine else "")


def _step_backward_adds(case):
    R = _upstream(case)
    _, _, once = _step_backward(case, 1, R)
    _, cache = case.cell.step_forward(case.x[0], [s.copy() for s in case.states[0]])
    case.cell.step_backward([d.copy() for d in R], cache)          # the same step again
    for name, g in case.cell.grads.items():
        if not np.allclose(g, 2 * once[name], rtol=1e-9, atol=1e-12):
            raise CheckFailed(f"a second step_backward did not add to self.grads[{name!r}]: it "
                              f"overwrites it, so only one step's share would survive the loop "
                              f"over time. Write self.grads[{name!r}] += ... (in place)")


def _gradients_through_time(case):
    layer, cell, x = case.layer, case.cell, np.ascontiguousarray(case.x.transpose(1, 0, 2))
    B, T, _ = x.shape
    mask = np.ones((B, T))
    mask[-1, T - 1:] = 0                                   # the last sequence is one step shorter
    init = [s.copy() for s in case.states[0]]
    R = case.rng.normal(size=(B, T, cell.units))
    S = _upstream(case)

    def loss():
        out, *finals = layer.forward(x, mask=mask, initial_state=init)
        return float(np.sum(R * out) + sum(np.sum(s * f) for s, f in zip(S, finals)))

    loss()
    dx = layer.backward(R, dstates=S)
    analytic = {f"d{n}": g.copy() for n, g in layer.grads.items()}
    analytic.update({f"d{n}_0": d.copy() for n, d in zip(case.names, layer.initial_state_grads)})
    analytic["dx"] = dx.copy()
    arrays = dict(zip([f"d{n}" for n in cell.params], cell.params.values()))
    arrays.update({f"d{n}_0": s for n, s in zip(case.names, init)})
    arrays["dx"] = x
    wrong = {what: [("", err)] for what, a in analytic.items()
             if not (err := _compare(a, loss, arrays[what], case.rng)) < TOLERANCE}
    if wrong:
        raise CheckFailed(_verdict(list(analytic), wrong, "through time") +
                          f" (RNN(cell) over T = {T} steps, the last sequence padded at its end, "
                          f"from given initial states). Every single step was right, so look at "
                          f"what spans steps: does step_forward keep anything on self, or "
                          f"step_backward change its cache?")


def _config_round_trip(case):
    cell = case.cell
    try:
        cls = import_cell_class(cell_path(cell))
        cfg = json.loads(json.dumps(cell.get_config()))
    except (ValueError, TypeError) as err:
        raise CheckFailed(f"a saved model could not name this cell: {err}. get_config() must "
                          f"return the constructor's arguments as JSON data") from None
    if cls is not type(cell):
        raise CheckFailed(f"{cell_path(cell)} imports {cls!r}, not {type(cell)!r}")
    twin = cls.from_config(cfg)
    if tuple(twin.state_sizes) != tuple(cell.state_sizes):
        raise CheckFailed(f"from_config(get_config()) gives state_sizes {twin.state_sizes}, not "
                          f"{cell.state_sizes}: get_config() must return every constructor argument")
    twin.create_weights(case.x.shape[-1], np.float64)
    twin.set_weights(cell.get_weights())
    a, _ = cell.step_forward(case.x[0], [s.copy() for s in case.states[0]])
    b, _ = twin.step_forward(case.x[0], [s.copy() for s in case.states[0]])
    if not all(np.allclose(p, q, rtol=0, atol=0) for p, q in zip(a, b)):
        raise CheckFailed("a cell rebuilt with from_config(get_config()) and set_weights("
                          "get_weights()) computes another step: get_config() must return every "
                          "constructor argument, get_weights() every weight")


#: name -> check, in the order they run (each needs the ones before it)
CELL_CHECKS = {
    "declares_state_sizes": _declares_state_sizes,
    "builds": _builds,
    "step_forward_shapes": _run_forward,
    "step_backward_shapes": _step_backward_shapes,
    "step_gradients": _step_gradients,
    "step_backward_adds": _step_backward_adds,
    "gradients_through_time": _gradients_through_time,
    "config_round_trip": _config_round_trip,
}


def check_cell(cell, seed=0):
    """Run every check of :data:`CELL_CHECKS` on ``cell`` (a Cell instance, not yet built) and
    return a :class:`~rnnkit.testing.CheckReport`: ``print`` it, or ``raise_on_failure()``.

    The cell's weights are created afresh (``build``) on the kit's small input.
    """
    label = f"cell {type(cell).__module__}:{type(cell).__qualname__}"
    report, blocker = CheckReport(label), None
    with config.scope(floatx="float64", seed=seed):
        case = _Case(cell, np.random.default_rng(seed))
        for name, check in CELL_CHECKS.items():
            if blocker:
                report.append(CheckResult(name, True, skip_reason=f"fix {blocker} first"))
                continue
            start = time.perf_counter()
            try:
                check(case)
                result = CheckResult(name, True)
            except CheckFailed as err:
                result = CheckResult(name, False, str(err))
            except Exception as err:          # the student's code raised: say where and what
                result = CheckResult(name, False, f"the cell raised {type(err).__name__}: {err}")
            result.seconds = time.perf_counter() - start
            report.append(result)
            if not result.passed:
                blocker = name
    return report
