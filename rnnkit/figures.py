"""The slide figures, computed from models, runs and the engine, ready to save.

Each function returns a matplotlib Figure drawn by ``rnnkit.viz`` in one theme; everything a figure
shows is computed (by the lecture trace, the engine's BPTT, a run's history), never typed in.
``rnnkit plot ...`` calls these one at a time; ``rnnkit figures`` regenerates the committed set
listed in :data:`COMMITTED` (see ``figures/README.md``).
"""
import os

import numpy as np

from . import analysis, trace
from .errors import ConfigError, RunError
from .runs import RunFolder, load_run, train
from .viz.curves import YLABELS
from .viz import (GradientPanel, Theme, build_graph, draw_architectures, draw_gradient_panels, draw_graph,
                  draw_hidden_heatmap, draw_curve_panels, CurvePanel)

KINDS = ("one-to-many", "many-to-one", "many-to-many", "encoder-decoder", "bidirectional")


def _fmt(vec, digits=3):
    return "[" + ", ".join(f"{v:.{digits}f}" for v in vec) + "]"


def lecture_values():
    """Node texts for the lecture's example (h_t and y_t of A, B, C, C), from the engine's trace."""
    model = trace.slides_model()
    y, _ = model.forward(trace.one_hot(trace.SLIDE_INPUT)[None])
    H = model.layers[0].last_pass.H                # (T+1, B, u): the states the kernel computed
    values = {}
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    for t in range(1, y.shape[1] + 1):
        values[f"h{t}"] = f"h{str(t).translate(sub)}={_fmt(H[t, 0])}"
        values[f"y{t}"] = f"y{str(t).translate(sub)}={_fmt(y[0, t - 1])}"
    return values


def lecture_columns():
    """Node values of the lecture's example drawn as the slides do: each x_t as its letter over its
    one-hot column, each h_t and y_t as a column of numbers (one per line), from the engine."""
    values = {}
    model = trace.slides_model()
    x = trace.one_hot(trace.SLIDE_INPUT)
    y, _ = model.forward(x[None])
    H = model.layers[0].last_pass.H
    for t, letter in enumerate(trace.SLIDE_INPUT, start=1):
        values[f"x{t}"] = "\n".join([letter] + [f"{v:g}" for v in x[t - 1]])
        values[f"h{t}"] = "\n".join(f"{v:.3f}" for v in H[t, 0])
        values[f"y{t}"] = "\n".join(f"{v:.3f}" for v in y[0, t - 1])
    return values


def lecture_figure(grads=True, theme=None, title=None):
    """The lecture's example A, B, C, C -> B, C, C, D with its values: x_t as letter and one-hot
    column, h_t and y_t as columns, the target above each output, and the slides' printed y₃ and
    y₄ (a slip: not the softmax of their logits) flagged."""
    from .viz.unroll import Caption
    steps = len(trace.SLIDE_INPUT)
    graph = build_graph("many-to-many", steps, values=lecture_columns(), grads=grads)
    for t, target in enumerate(trace.SLIDE_TARGET, start=1):
        mark = " *" if t in trace.LECTURE_SLIP else ""
        graph.captions.append(Caption(f"target {target}{mark}", (t, 0), role="y", over=f"y{t}"))
    slips = " and ".join(f"$y_{{{t}}}$ = [{printed[0]:.3f}, …]"
                         for t, printed in sorted(trace.LECTURE_SLIP.items()))
    graph.captions.append(Caption(f"* the slides print {slips}: a slip", ((steps + 1) / 2, -0.62)))
    return draw_graph(graph, theme or Theme(), title=title)


def kind_of_model(model):
    """The unrolled-graph kind that draws ``model``: encoder-decoder, bidirectional, or by outputs."""
    from .layers import Bidirectional
    from .layers.recurrent import Recurrent
    from .models import EncoderDecoder
    if isinstance(model, EncoderDecoder):
        return "encoder-decoder"
    if any(isinstance(l, Bidirectional) for l in model.layers):
        return "bidirectional"
    recurrent = [l for l in model.layers if isinstance(l, Recurrent)]
    if recurrent and not recurrent[-1].return_sequences:
        return "many-to-one"
    return "many-to-many"


def unroll_figure(kind, steps=4, values=False, grads=False, theme=None, title=None, *,
                  out_steps=None, teacher_forcing=None, feedback=False, initial_state=True,
                  model=None):
    """The unrolled graph of ``kind`` over ``steps`` steps; ``values``: the lecture's numbers.

    ``model``: draw that model's kind (see :func:`kind_of_model`) instead of ``kind``. An
    encoder-decoder's decoder reads the targets (teacher forcing) unless ``feedback`` makes it
    read its own previous output. One step is refused: nothing recurs in it (it is the
    one-to-one network), and its few boxes cannot fill a slide.
    """
    if steps < 2:
        raise ConfigError(f"--steps {steps} unrolls nothing: one step of an RNN is the one-to-one "
                         f"network, a plain feed-forward layer with no recurrence to show, and its "
                         f"few boxes cannot fill a slide; use --steps 2 or more")
    if model is not None:
        kind = kind_of_model(model)
    if values:
        if kind != "many-to-many" or steps != len(trace.SLIDE_INPUT):
            raise ValueError(f"--values shows the lecture's example, a many-to-many RNN over "
                             f"{len(trace.SLIDE_INPUT)} steps: use --kind many-to-many --steps "
                             f"{len(trace.SLIDE_INPUT)}")
        return lecture_figure(grads=grads, theme=theme, title=title)
    if teacher_forcing is None:
        teacher_forcing = kind == "encoder-decoder" and not feedback
    graph = build_graph(kind, steps, grads=grads, out_steps=out_steps,
                        teacher_forcing=teacher_forcing, feedback=feedback,
                        initial_state=initial_state)
    return draw_graph(graph, theme or Theme(), title=title)


def describe_model(model):
    """The model's layers in one line, e.g. "Embedding → Bidirectional(LSTM) → Dense"."""
    from .layers import Bidirectional
    names = []
    for layer in getattr(model, "layers", []):
        name = type(layer).__name__
        if isinstance(layer, Bidirectional):
            name += f"({type(layer.forward_layer).__name__})"
        names.append(name)
    return " → ".join(names)


def architectures_figure(theme=None, title=None):
    """One-to-many, many-to-one, many-to-many and encoder-decoder side by side."""
    return draw_architectures(theme or Theme(), title=title)


def gradients_figure(steps=60, units=32, seed=0, open_bias=3.0, theme=None, title=None,
                     explode_steps=20, clipnorm=1.0):
    """Vanishing and exploding gradients, ‖∂L/∂h_{T−k}‖ against k, from the engine's BPTT.

    Left: SimpleRNN, LSTM and GRU at Keras' initialisation (solid), and LSTM and GRU with the gate
    that carries the past held open (bias ``open_bias`` on LSTM's forget gate or GRU's update gate,
    dashed), as training learns to do for long dependencies. At initialisation GRU's update gate
    z ≈ 0.5 keeps about half of h_{t−1} per step, so it loses the gradient faster than SimpleRNN,
    whose orthogonal W keeps the norm (only tanh′ ≤ 1 shrinks it).
    Right: the lecture's W = 0.5·𝟙 (3 units, spectral radius 1.5) with inputs that keep the states
    at 0 (tanh′ = 1): the gradient grows 1.5× per step; with ``clipnorm`` the optimizer rescales
    the gradient it applies to that norm (direction kept).
    """
    vanishing = {name: analysis.gradient_norms(cell, steps=steps, units=units, seed=seed)
                 for name, cell in (("SimpleRNN", "rnn"), ("LSTM", "lstm"), ("GRU", "gru"))}
    cells, dashed = {}, ()
    if open_bias:
        lstm_open = f"LSTM, forget gate open ($b_f + {open_bias:g}$)"
        gru_open = f"GRU, update gate open ($b_z + {open_bias:g}$)"
        vanishing[lstm_open] = analysis.gradient_norms("lstm", steps=steps, units=units, seed=seed,
                                                       gate_bias=open_bias)
        vanishing[gru_open] = analysis.gradient_norms("gru", steps=steps, units=units, seed=seed,
                                                      gate_bias=open_bias)
        cells, dashed = {lstm_open: "lstm", gru_open: "gru"}, (lstm_open, gru_open)
    note = ("At initialisation GRU's update gate $z \\approx 0.5$\n"
            "halves what it carries at each step: it loses\n"
            "the gradient faster than SimpleRNN. Training\n"
            "opens the gates (dashed).")
    W = np.asarray(trace.SLIDE_WEIGHTS["W"], dtype=float)
    radius = float(max(abs(np.linalg.eigvals(W))))
    exploding = {f"SimpleRNN, $\\rho(W) = {radius:g}$":
                 analysis.gradient_norms("rnn", steps=explode_steps, units=3, input_dim=4,
                                         weights=[np.zeros((4, 3)), W.T, np.zeros(3)])}
    name = next(iter(exploding))
    exploding[f"clipnorm = {clipnorm:g}"] = clipped_norms(exploding[name], clipnorm)
    panels = [GradientPanel(vanishing, cells, dashed, note, "vanishing: at initialisation"),
              GradientPanel(exploding, {name: "rnn"}, (f"clipnorm = {clipnorm:g}",),
                            None, r"exploding: $W = 0.5\cdot\mathbf{1}$")]
    return draw_gradient_panels(panels, theme or Theme(), title=title)


def clipped_norms(norms, clipnorm):
    """The norm of each gradient after the optimizer's ``clipnorm`` (the optimizer itself clips)."""
    from .optimizers import SGD
    out = []
    for n in np.asarray(norms, dtype=float):
        g = np.array([n])
        SGD(learning_rate=1.0, clipnorm=clipnorm).apply(np.zeros(1), g)   # clips g in place
        out.append(abs(g[0]))
    return np.array(out)




def loss_figure(run_dirs, labels=None, metric="loss", theme=None, title=None, ylabel=None):
    """Training (solid) and validation (dashed) curves of one or more runs, each a run folder
    (drawn in its cell's colour, read from the run's config, not from its label) or a history
    (the History ``fit`` returns, a run's ``history``).

    ``metric="headline"``: the loss beside the architecture's headline metric (from the run's
    metrics.json), with the baseline's value as a dotted line; a headline measured only on the test
    set (e.g. exact match) is drawn as that test value.
    """
    sources = list(run_dirs)
    folders = [RunFolder.existing(s) if isinstance(s, (str, os.PathLike)) else None
               for s in sources]
    labels = labels or [str(s).rstrip("/").split("/")[-1] if f else f"run {i + 1}"
                        for i, (s, f) in enumerate(zip(sources, folders))]
    runs = [(label, f.read_history() if f else s)
            for label, s, f in zip(labels, sources, folders)]
    cells = [_cell_of(f) if f else None for f in folders]
    metrics = folders[0].read_metrics() if folders[0] else None
    baselines = (metrics or {}).get("baseline") or {}
    loss_label = _loss_label(metrics, sources[0])
    if metric != "headline":
        label = loss_label if metric == "loss" else YLABELS.get(metric)
        return draw_curve_panels(runs, [CurvePanel(metric, ylabel or label,
                                                   baselines.get(metric), "baseline (test)")],
                                 theme or Theme(), title=title, cells=cells)
    if None in folders:
        raise ValueError("loss_figure(metric='headline') reads each run's metrics.json: pass run "
                         "folders (run.path), not histories")
    if not metrics or "headline_metric" not in metrics:
        raise ValueError(f"{folders[0].path} has no metrics.json with a headline metric: only a "
                         f"finished run has one (`rnnkit train` writes it at the end)")
    head = metrics["headline_metric"]
    baseline = baselines.get(head)
    # the loss panel draws the architecture's baseline loss too, when its baseline has one
    panels = [CurvePanel("loss", loss_label, baselines.get("loss"), "baseline (test)")]
    if any(head in row for row in runs[0][1]):
        panels.append(CurvePanel(head, YLABELS.get(head, head.replace("_", " ")), baseline,
                                 "baseline (test)"))
        return draw_curve_panels(runs, panels, theme or Theme(), title=title, cells=cells)
    # measured on the test set only: each run's test value (at its last epoch) beside the baseline
    tests = [(label, [{"epoch": len(history), head: (f.read_metrics() or {}).get("test", {}).get(head)}])
             for (label, history), f in zip(runs, folders)]
    panels.append(CurvePanel(head, f"{head.replace('_', ' ')} on the test set", baseline,
                             "baseline (test)", runs=tests))
    return draw_curve_panels(runs, panels, theme or Theme(), title=title, cells=cells)


def _loss_label(metrics, source):
    """The y label of a loss: its name and unit, from the run's metrics.json (the loss it was
    trained with) or a History's model; cross-entropy when neither says."""
    from .viz.curves import LOSS_YLABELS
    model = getattr(source, "model", None)
    name = (metrics or {}).get("loss") or getattr(getattr(model, "loss", None), "name", None)
    return LOSS_YLABELS.get(name, YLABELS["loss"] if name is None else name.replace("_", " "))


def _cell_of(folder):
    """The run's cell ("rnn", "lstm", "gru") from its saved config, or None."""
    from .viz.theme import CELL_COLORS
    config = folder.read_config() if folder.has(folder.CONFIG) else {}
    cell = config.get("cell") if isinstance(config, dict) else None
    return cell if cell in CELL_COLORS else None


def hidden_figure(values, tokens, gates=None, theme=None, title=None, cell_state=None,
                  direction=None):
    """Heatmap of hidden states (units x time) over the input tokens (and LSTM gates, cell state;
    ``direction`` names the half of a bidirectional layer shown)."""
    return draw_hidden_heatmap(np.asarray(values), tokens, theme or Theme(), title=title,
                               gates=gates, cell_state=cell_state, direction=direction)


def cell_state_and_direction(model):
    """After :func:`hidden_states`: the LSTM cell states c_t (units x T, input order) of the layer
    it showed, or None; and "forward" when that layer is half of a Bidirectional, else None."""
    from .layers import Bidirectional
    from .layers.recurrent import Recurrent
    layer = next((l for l in model.layers if isinstance(l, (Recurrent, Bidirectional))), None)
    direction = None
    if isinstance(layer, Bidirectional):
        layer, direction = layer.forward_layer, "forward"
    C = getattr(layer.last_pass, "C", None)
    if C is None:
        return None, direction
    C = C[1:, 0]
    if layer.go_backwards:
        C = C[::-1]
    return C.T, direction


def hidden_states(model, x):
    """Hidden states (units x T) of the model's first recurrent layer on input ``x`` (batch of 1),
    and its gate values (name -> units x T) when it is an LSTM. A Bidirectional layer shows its
    forward half. Steps are in input order."""
    from .layers import Bidirectional
    from .layers.recurrent import Recurrent
    layer = next((l for l in model.layers if isinstance(l, (Recurrent, Bidirectional))), None)
    if layer is None:
        raise ValueError("this model has no recurrent layer whose hidden states could be shown")
    if isinstance(layer, Bidirectional):
        layer = layer.forward_layer
    model.forward(x)
    H = layer.last_pass.H[1:, 0]                       # (T, u), in processing order
    gates = None
    if layer.last_pass.gates is not None:              # LSTM
        gates = {name: g[:, 0] for name, g in layer.last_pass.gates.items()}
    if layer.go_backwards:
        H = H[::-1]
        gates = gates and {k: v[::-1] for k, v in gates.items()}
    return H.T, gates and {k: v.T for k, v in gates.items()}


# ---- the committed set: `rnnkit figures` -------------------------------------------------------

#: Training runs behind the loss-curve and hidden-state figures: POS tagging (an embedding and a
#: bidirectional recurrent layer) on its default corpus, one run per cell, at the architecture's
#: defaults (3 epochs): every cell clearly beats the most-frequent-tag baseline.
FIGURE_ARCH = "pos-tagging"
FIGURE_RUNS = {"seed": 0}
HIDDEN_INPUT = "Saya suka buku ini ."


def _unroll_entry(kind, steps):
    return (f"unroll-{kind}", f"rnnkit plot unroll --kind {kind} --steps {steps}",
            lambda runs: unroll_figure(kind, steps=steps))


COMMITTED = [
    ("architectures", "rnnkit plot architectures", lambda runs: architectures_figure()),
    *[_unroll_entry(kind, 4) for kind in ("many-to-many", "many-to-one", "one-to-many")],
    _unroll_entry("encoder-decoder", 3),
    _unroll_entry("bidirectional", 3),
    ("unroll-lecture-values-grads",
     "rnnkit plot unroll --kind many-to-many --steps 4 --values --grads",
     lambda runs: lecture_figure()),
    ("vanishing-gradients", "rnnkit plot gradients", lambda runs: gradients_figure()),
    ("loss-pos-tagging-rnn-lstm-gru",
     "rnnkit train --arch pos-tagging --cell {rnn,lstm,gru} --seed 0; "
     "rnnkit plot loss RUN_rnn RUN_lstm RUN_gru --label SimpleRNN --label LSTM --label GRU "
     "--metric headline",
     lambda runs: loss_figure([runs[c].path for c in ("rnn", "lstm", "gru")],
                              ["SimpleRNN", "LSTM", "GRU"], metric="headline")),
    ("hidden-pos-tagging-lstm",
     f"rnnkit plot hidden RUN_lstm --input \"{HIDDEN_INPUT}\" --gates",
     lambda runs: _hidden_of_run(runs["lstm"], HIDDEN_INPUT, gates=True)),
]
FORMATS = ("png", "pdf")


def committed_files():
    """The file names ``regenerate`` writes (what ``figures/`` holds besides its README)."""
    return sorted([f"{name}.{ext}" for name, _, _ in COMMITTED for ext in FORMATS]
                  + [name for name, _, _ in COMMITTED_PAGES])


def _hidden_of_run(run, text, gates=False):
    from . import plugins
    x, tokens = plugins.get(run.arch).encode(run.meta, text)
    values, gate_values = hidden_states(run.model, x)
    cell_state, direction = cell_state_and_direction(run.model)
    return hidden_figure(values, tokens, gates=gate_values if gates else None,
                         cell_state=cell_state if gates else None, direction=direction)


def _figure_runs(workdir, progress):
    runs = {}
    for cell in ("rnn", "lstm", "gru"):
        progress(f"training {FIGURE_ARCH} with cell={cell} for the loss and hidden-state figures")
        run = train(FIGURE_ARCH, overrides=dict(FIGURE_RUNS, cell=cell),
                    out_dir=f"{workdir}/{FIGURE_ARCH}-{cell}", figures=False, verbose=0)
        runs[cell] = load_run(run.path)
    return runs


def regenerate(out_dir="figures", progress=print):
    """Write every figure of :data:`COMMITTED` into ``out_dir`` (PNG and PDF) and its README."""
    import tempfile
    from pathlib import Path

    from .viz import save
    from .viz.slide import measure_slide
    out = Path(out_dir)
    written, measured = [], {}
    with tempfile.TemporaryDirectory() as workdir:
        runs = _figure_runs(workdir, progress)
        for name, command, make in COMMITTED:
            fig = make(runs)
            for ext in FORMATS:
                written.append(save(fig, out / f"{name}.{ext}"))
            measured[name] = measure_slide(fig)
        for name, _, write in COMMITTED_PAGES:
            written.append(write(out / name))
    lines = ["# Figures", "",
             "Slide figures made by rnnkit itself. `rnnkit figures` regenerates every file here; "
             "each figure below names the command that makes it alone (add `-o FILE.pdf`, "
             "`.svg` or `.png`; `--style dark`, `--aspect 4:3`, `--title TEXT`, `--transparent`).",
             "",
             "Every figure is drawn for one 16:9 slide (13.33 x 7.5 in, 2666 x 1500 px at 200 dpi; "
             "`--aspect 4:3` lays it out anew on 10 x 7.5 in), fills it, keeps inside it, and shows "
             "no text below 14 pt at that size. PDFs embed TrueType (Type 42) fonts; SVGs keep "
             "text as text. Below each figure: its canvas, fill (the drawing's bounding box over "
             "the canvas) and smallest text, as `rnnkit.viz.slide.measure_slide` measures them.",
             "",
             f"The loss and hidden-state figures come from {FIGURE_ARCH} runs (an embedding and a "
             f"bidirectional SimpleRNN, LSTM or GRU on the default Indonesian POS corpus, at the "
             f"architecture's defaults with seed {FIGURE_RUNS['seed']}): every cell clearly beats "
             f"the most-frequent-tag baseline, drawn as a dotted line.", ""]
    for name, command, _ in COMMITTED:
        m = measured[name]
        lines += [f"## {name}", "", f"`{command}`", "", f"![{name}]({name}.png)  ",
                  f"PDF: [{name}.pdf]({name}.pdf)  ",
                  f"canvas {m.canvas[0]} x {m.canvas[1]} px, fill {m.fill:.0%}, "
                  f"smallest text {m.min_text:.1f} pt", ""]
    for name, command, _ in COMMITTED_PAGES:
        shown = f"![{name}]({name})" if name.endswith(".gif") else f"[{name}]({name})"
        lines += [f"## {name}", "", f"`{command}`", "", shown, ""]
    from .fileio import atomic_write_text
    atomic_write_text(out / "README.md", "\n".join(lines))
    written.append(out / "README.md")
    return written


def gating_figure(sweep_dir, x_key=None, theme=None, title=None):
    """A sweep's test scores per cell against its swept key, every seed and the baseline
    (:mod:`rnnkit.viz.gating`), from ``sweep_dir/results.json``."""
    from .viz.gating import draw_gating, load_sweep_results
    return draw_gating(load_sweep_results(sweep_dir), theme or Theme(), title, x_key)


#: The grid behind the committed gating figure: delayed-recall, every cell, three lengths, 3 seeds.
GATING_GRID = {"arch": "delayed-recall", "cells": ("rnn", "lstm", "gru"), "lengths": (5, 15, 30),
               "seeds": (0, 1, 2),
               "base": {"units": 16, "samples": 2000, "epochs": 15, "lr": 0.01, "batch_size": 32}}


def gating_grid_results(workdir, progress=print, grid=GATING_GRID):
    """Run ``grid`` as a sweep (:func:`rnnkit.sweep.run_sweep`, on a local Dask cluster) into
    ``workdir``, whose ``results.json`` :func:`gating_figure` reads; returns ``workdir``."""
    from .sweep import make_spec, run_sweep
    spec = make_spec(grid["arch"], grid={"cell": list(grid["cells"]),
                                         "length": list(grid["lengths"]),
                                         "seed": list(grid["seeds"])}, config=grid["base"])
    progress(f"running the {grid['arch']} sweep for the gating figure")
    run_sweep(spec, out_dir=f"{workdir}/gating", say=progress)
    return f"{workdir}/gating"


def _gating_of_grid(progress=print):
    import tempfile
    with tempfile.TemporaryDirectory() as workdir:
        return gating_figure(gating_grid_results(workdir, progress))


COMMITTED.append(
    ("gating-delayed-recall",
     "rnnkit sweep --arch delayed-recall --grid cell=rnn,lstm,gru --grid length=5,15,30 "
     "--grid seed=0,1,2 --set units=16 --set samples=2000 --set epochs=15 --set lr=0.01 "
     "--set batch_size=32 --out sweeps/gating && rnnkit plot gating sweeps/gating",
     lambda runs: _gating_of_grid()))


# ---- the lecture's story, figure by figure (issue 16) -------------------------------------------


def rolled_figure(steps=4, theme=None, title=None):
    """The lecture's feedback network folded (one cell, its loop W) beside its unrolled chain,
    with f and g the lecture example's activations (read from its model)."""
    from .viz.rolled import draw_rolled_unrolled
    rnn, dense = trace.slides_model().layers
    return draw_rolled_unrolled(theme or Theme(), steps=steps,
                                activations=(rnn.activation, dense.activation), title=title)


COMMITTED += [
    ("rolled-unrolled", "rnnkit plot rolled", lambda runs: rolled_figure()),
]


def worked_example_steps():
    """The lecture's example A, B, C, C -> B, C, C, D, step by step, from the engine: each
    :class:`~rnnkit.viz.worked_example.WorkedStep` holds the kernel's h_t, the Dense layer's
    logits and softmax, and the model's weights (read back from its layers)."""
    from .viz.worked_example import WorkedStep
    model = trace.slides_model()
    x = trace.one_hot(trace.SLIDE_INPUT)
    y, _ = model.forward(x[None])
    rnn, dense = model.layers
    X, A, H = rnn.last_pass.X, rnn.last_pass.A, rnn.last_pass.H     # time-major
    Z = dense.logits[0]
    U = rnn.params["U"]
    weights = {"U": U, "W": rnn.params["W"], "b_xh": rnn.params["b"], "V": dense.params["V"],
               "b_hy": dense.params["b"]}
    targets = trace.one_hot(trace.SLIDE_TARGET)
    steps = []
    for t in range(1, X.shape[0] + 1):
        ux = U @ X[t - 1, 0]
        steps.append(WorkedStep(
            t=t, inputs=trace.SLIDE_INPUT, targets=trace.SLIDE_TARGET, x=X[t - 1, 0],
            h_prev=H[t - 1, 0], ux=ux, whb=A[t - 1, 0] - ux, net=A[t - 1, 0], h=H[t, 0],
            z=Z[t - 1], e=np.exp(Z[t - 1]), y=y[0, t - 1], target=targets[t - 1], weights=weights,
            printed=trace.LECTURE_SLIP.get(t)))
    return steps


def worked_example_figures(step=None, theme=None, title=None):
    """The worked example's pages, one Figure per timestep (a list), or page `step` alone."""
    from .viz.worked_example import draw_worked_step
    steps = worked_example_steps()
    if step is not None:
        if not 1 <= step <= len(steps):
            raise ValueError(f"the worked example has steps 1 to {len(steps)}, not {step}")
        return draw_worked_step(steps[step - 1], theme or Theme(), title=title)
    return [draw_worked_step(s, theme or Theme(), title=title) for s in steps]


def _write_pages(path):
    from .viz.worked_example import save_pages
    return save_pages(worked_example_figures(), path)


COMMITTED += [
    ("worked-example-step-3", "rnnkit plot worked-example --step 3",
     lambda runs: worked_example_figures(step=3)),
]
#: Files of several pages, beside the one-figure PNG + PDF pairs: (file name, command, writer).
COMMITTED_PAGES = [
    ("worked-example-steps.pdf", "rnnkit plot worked-example -o worked-example-steps.pdf",
     _write_pages),
    ("worked-example-steps.gif", "rnnkit plot worked-example -o worked-example-steps.gif",
     _write_pages),
]


def example_cell_model(cell):
    """The lecture's one-hot A, B, C, C input into a 2-unit LSTM or GRU at Keras' initialisation
    (seed 0, float64): the given model whose step values ``rnnkit plot cell --values`` writes."""
    from . import config
    from .layers import GRU, LSTM
    from .models import Sequential
    layer = {"lstm": LSTM, "gru": GRU}[cell]
    with config.scope(floatx="float64", seed=0):
        model = Sequential([layer(2, return_sequences=True, input_shape=(4, 4))])
        model.build()
    return model, trace.one_hot(trace.SLIDE_INPUT)[None]


def cell_step_values(model, x, step):
    """One step of the model's first LSTM or GRU layer on ``x`` (batch of 1), from the engine's
    forward pass: {"t", "x", "h_prev", "h", and "c_prev", "c", "i", "f", "c̃", "o" (LSTM) or
    "z", "r", "h̃" (GRU)}; step counts from 1 in the layer's processing order."""
    from .layers import GRU, LSTM, Bidirectional
    layer = next((l for l in model.layers if isinstance(l, (LSTM, GRU, Bidirectional))), None)
    if isinstance(layer, Bidirectional):
        layer = layer.forward_layer
    if not isinstance(layer, (LSTM, GRU)):
        raise ValueError("this model has no LSTM or GRU layer whose cell could be drawn")
    model.forward(x)
    p = layer.last_pass
    T = p.X.shape[0]
    if not 1 <= step <= T:
        raise ValueError(f"step must be between 1 and {T} (the input's length), got {step}")
    values = {"t": step, "x": p.X[step - 1, 0], "h_prev": p.H[step - 1, 0], "h": p.H[step, 0]}
    if isinstance(layer, LSTM):
        values.update({name: g[step - 1, 0] for name, g in p.gates.items()},
                      c_prev=p.C[step - 1, 0], c=p.C[step, 0])
    else:
        u = layer.units
        Z = layer._cache[0][step - 1, 0]        # the kernel's gate values [z | r | h̃] of this step
        values.update(z=Z[:u], r=Z[u:2 * u], **{"h̃": Z[2 * u:]})
    return values, ("lstm" if isinstance(layer, LSTM) else "gru")


def cell_figure(cell="lstm", values=None, theme=None, title=None, reset_after=True):
    """The LSTM or GRU cell diagram; ``values`` from :func:`cell_step_values` written on its wires."""
    from .viz.cells import draw_gru_cell, draw_lstm_cell
    if cell == "lstm":
        return draw_lstm_cell(theme or Theme(), values=values, title=title)
    return draw_gru_cell(theme or Theme(), values=values, title=title, reset_after=reset_after)


def _example_cell_figure(cell, step=2):
    model, x = example_cell_model(cell)
    return cell_figure(cell, values=cell_step_values(model, x, step)[0])


COMMITTED += [
    ("cell-lstm", "rnnkit plot cell --cell lstm", lambda runs: cell_figure("lstm")),
    ("cell-gru", "rnnkit plot cell --cell gru", lambda runs: cell_figure("gru")),
    ("cell-lstm-values", "rnnkit plot cell --cell lstm --values --step 2",
     lambda runs: _example_cell_figure("lstm")),
]


#: How far back the BPTT figure's Jacobian panel goes: the example's input repeated to this length.
BPTT_HORIZON = 12


def jacobian_norms(W, H):
    """‖∏_{j=T−k+1}^{T} Wᵀ diag(1 − h_j²)‖₂ for k = 1..T: how much of ∂L/∂h_T reaches h_{T−k}
    (``W`` in the lecture's orientation, ``H`` the states h_1..h_T, one row each)."""
    product, norms = np.eye(len(W)), []
    for h in H[::-1]:
        product = product @ W.T @ np.diag(1.0 - h ** 2)
        norms.append(float(np.linalg.norm(product, 2)))
    return np.array(norms)


def bptt_numbers():
    """The worked example's backward pass from the engine (:class:`~rnnkit.viz.bptt.BpttNumbers`):
    L_t, ∂L/∂h_t (what reaches h_t from its output and, through W, from step t+1: the trace's
    "dL/dht"), each step's share δ_t h_{t−1}ᵀ of ∂L/∂W, and the Jacobian products' norms over the
    input A, B, C, C repeated to :data:`BPTT_HORIZON` steps, with its own h_t and with h_t = 0."""
    from .viz.bptt import BpttNumbers
    model = trace.slides_model()
    x = trace.one_hot(trace.SLIDE_INPUT)
    targets = np.array([trace.SYMBOLS.index(s) for s in trace.SLIDE_TARGET])
    y = model.forward(x[None])[0][0]
    loss, _ = model.gradients(x[None], targets[None])
    rnn = model.layers[0]
    p, W = rnn.last_pass, rnn.params["W"]
    T = p.X.shape[0]
    dA, H = p.dA[:, 0], p.H[:, 0]
    dh = np.array([p.G[t, 0] + (W.T @ dA[t + 1] if t + 1 < T else 0.0) for t in range(T)])
    shares = np.array([np.outer(dA[t], H[t]) for t in range(T)])
    losses = -np.log(y[np.arange(T), targets])
    grads_W = rnn.grads["W"].copy()
    repeats = -(-BPTT_HORIZON // T)
    model.forward(trace.one_hot(trace.SLIDE_INPUT * repeats)[None])
    H_long = rnn.last_pass.H[1:BPTT_HORIZON + 1, 0]
    radius = max(abs(np.linalg.eigvals(W)))
    norms = {"the example's $h_t$:\ntanh saturates,\nit vanishes": jacobian_norms(W, H_long),
             f"$h_t = 0$: $\\rho(W) = {radius:g}$,\nit explodes":
                 jacobian_norms(W, np.zeros_like(H_long))}
    return BpttNumbers(inputs=trace.SLIDE_INPUT, targets=trace.SLIDE_TARGET, losses=losses,
                       loss=float(loss), dh=dh, shares=shares, dW=grads_W, jacobian_norms=norms)


def bptt_figure(theme=None, title=None):
    """BPTT on the worked example: losses L_t, the gradients flowing back with the engine's
    ∂L/∂h_t, ∂L/∂W as the sum of the steps' shares, and the Jacobian product's norm against k."""
    from .viz.bptt import draw_bptt
    return draw_bptt(bptt_numbers(), theme or Theme(), title=title)


COMMITTED += [
    ("bptt-worked-example", "rnnkit plot bptt", lambda runs: bptt_figure()),
]


def teacher_forcing_figure(steps=None, theme=None, title=None):
    """One decoder drawn twice: teacher forcing (it reads the true y_{t−1}) beside free running
    (it reads its own ŷ_{t−1}), inputs at the bottom, predictions on top."""
    from .viz.teacher_forcing import draw_teacher_forcing
    return draw_teacher_forcing(theme or Theme(), steps=steps, title=title)


COMMITTED += [
    ("teacher-forcing", "rnnkit plot teacher-forcing", lambda runs: teacher_forcing_figure()),
]


# ---- the airline series (issue 16, point 6) -------------------------------------------------------

#: The quick forecasting run of the committed forecast figure (seed fixed; the built-in's model).
AIRLINE_RUN = {"seed": 0, "epochs": 100}


def airline_forecasts(run):
    """``(months, values, test_targets, forecasts)`` of a forecasting run (a loaded
    :class:`rnnkit.runs.Run`): each test month's forecast as ``rnnkit predict RUN --json`` gives
    it, from the months before it (the architecture's ``predictions`` hook)."""
    from . import plugins
    arch = plugins.get(run.arch)
    values, targets = run.meta["values"], run.meta["test_targets"]
    forecasts = [arch.predictions(run.model, run.meta, [" ".join(f"{v:g}" for v in values[:t])])[0]
                 ["forecast"] for t in targets]
    return run.meta["labels"], values, targets, forecasts


def airline_figure(run_dir=None, theme=None, title=None):
    """Without ``run_dir``: the airline series, the sliding window over it and the lecture's two
    window tables (cut by rnnkit). With a forecasting run: its forecasts on the test months
    against the actual values and persistence."""
    from .viz.airline import draw_airline_forecast, draw_airline_windows
    from .viz.theme import CELL_NAMES
    if run_dir is None:
        from .data import load_airline
        return draw_airline_windows(*load_airline(), theme=theme or Theme(), title=title)
    run = load_run(run_dir)
    if run.arch != "forecasting":
        raise RunError(f"{str(run_dir)!r} is a {run.arch} run; the airline forecast needs a "
                       f"forecasting run (`rnnkit train --arch forecasting`)")
    cell = run.config.get("cell", "rnn")
    name = f"{CELL_NAMES.get(cell, cell)}({run.config.get('units', '?')})"
    return draw_airline_forecast(*airline_forecasts(run), theme=theme or Theme(), title=title,
                                 model_name=name, cell=cell)


def _airline_forecast_figure():
    import tempfile
    with tempfile.TemporaryDirectory() as workdir:
        run = train("forecasting", overrides=AIRLINE_RUN, out_dir=f"{workdir}/forecasting",
                    figures=False, verbose=0)
        return airline_figure(run.path)


COMMITTED += [
    ("airline-windows", "rnnkit plot airline", lambda runs: airline_figure()),
    ("airline-forecast",
     "rnnkit train --arch forecasting --seed 0 --epochs 100; rnnkit plot airline --model RUN",
     lambda runs: _airline_forecast_figure()),
]


# ---- architecture types (issue 16, point 7) -------------------------------------------------------

def stacked_figure(steps=3, units=8, theme=None, title=None):
    """Two stacked SimpleRNNs, the top one with ``return_sequences=True`` beside ``False``, each
    layer's output shape from rnnkit's layers (:func:`rnnkit.viz.architectures.draw_stacked`)."""
    from .viz.architectures import draw_stacked
    return draw_stacked(theme or Theme(), steps=steps, units=units, title=title)


COMMITTED += [
    ("stacked-return-sequences", "rnnkit plot stacked", lambda runs: stacked_figure()),
]


# ---- Karpathy's five panels and the textbook bidirectional RNN (issue 16, point 7) -----------

def karpathy_figure(theme=None, title=None):
    """Karpathy's five panels (one to one, one to many, many to one, many to many delayed and
    synced), each captioned with its task and the built-in ``--arch`` of its shape."""
    from .viz.karpathy import draw_karpathy
    return draw_karpathy(theme or Theme(), title=title)


COMMITTED += [
    ("architectures-karpathy", "rnnkit plot architectures --karpathy",
     lambda runs: karpathy_figure()),
]


def bidirectional_figure(steps=3, theme=None, title=None):
    """The bidirectional RNN in the textbook layout: inputs, the forward chain above them, the
    backward chain above that, outputs on top fed by both; its equations under it."""
    from .viz.bidirectional import draw_bidirectional
    return draw_bidirectional(theme or Theme(), steps=steps, title=title)


COMMITTED += [
    ("bidirectional-textbook", "rnnkit plot bidirectional", lambda runs: bidirectional_figure()),
]
