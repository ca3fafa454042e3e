"""``rnnkit plot ...`` and ``rnnkit figures``: slide figures, through rnnkit.figures."""
import click

# matplotlib is imported only when a figure is drawn: `rnnkit --help` must stay quick.
KINDS = ("one-to-many", "many-to-one", "many-to-many", "encoder-decoder", "bidirectional")


def _theme(style, aspect):
    from rnnkit.viz import Theme
    return Theme(style=style, aspect=aspect)


def _figure_options(f):
    """-o FILE, --dpi, --aspect, --style, --title, --transparent: shared by every plot command."""
    f = click.option("--transparent", is_flag=True,
                     help="No background (PNG, SVG, PDF): the slide's own shows through.")(f)
    f = click.option("--title", default=None,
                     help="A title above the figure (none by default: slides have their own).")(f)
    f = click.option("--style", type=click.Choice(["light", "dark"]), default="light",
                     show_default=True, help="Light (white slide) or dark background.")(f)
    f = click.option("--aspect", type=click.Choice(["16:9", "4:3"]), default="16:9",
                     show_default=True,
                     help="Slide aspect ratio; the figure is laid out anew for it.")(f)
    f = click.option("--dpi", type=click.IntRange(30, 1200), default=200, show_default=True,
                     help="Resolution of PNG output.")(f)
    f = click.option("-o", "--output", "output", type=click.Path(dir_okay=False), required=True,
                     help="File to write: .pdf, .svg or .png (the extension picks the format).")(f)
    return f


def _save(fig, output, dpi, transparent=False):
    from rnnkit.viz import save
    path = save(fig, output, dpi=dpi, transparent=transparent)
    click.echo(f"wrote {path}")


@click.group("plot")
def plot():
    """Figures for slides: unrolled graphs, architectures, loss curves, gradients, hidden states.

    \b
    Examples:
      rnnkit plot unroll --kind many-to-many --steps 4 --values --grads -o unroll.pdf
      rnnkit plot architectures -o architectures.svg --aspect 4:3
      rnnkit plot loss runs/char-lm-rnn runs/char-lm-lstm -o loss.png
      rnnkit plot gradients -o vanishing.pdf
      rnnkit plot hidden runs/char-lm-... --input "hello" --gates -o hidden.png
    """


@plot.command("unroll")
@click.option("--kind", type=click.Choice(KINDS), help="Draw this architecture type.")
@click.option("--arch", "arch_name", help="Draw the type of this registered architecture.")
@click.option("--model", "run_dir", type=click.Path(), help="Draw the type of a trained run's model.")
@click.option("--steps", type=click.IntRange(1, 12), default=4, show_default=True,
              help="Time steps T to unroll.")
@click.option("--out-steps", type=click.IntRange(1, 12), default=None,
              help="encoder-decoder: output steps of the decoder (default: --steps).")
@click.option("--feedback", is_flag=True,
              help="one-to-many, encoder-decoder: feed each output back as the next input "
                   "(the encoder-decoder's decoder otherwise reads the targets: teacher forcing).")
@click.option("--no-initial-state", "no_initial_state", is_flag=True,
              help="Leave out the initial state h_0.")
@click.option("--values", is_flag=True, help="Write the lecture example's h_t and y_t into the nodes.")
@click.option("--grads", is_flag=True, help="Show the gradient flowing back through time.")
@_figure_options
def unroll(kind, arch_name, run_dir, steps, out_steps, feedback, no_initial_state, values, grads,
           output, dpi, aspect, style, title, transparent):
    """The unrolled computation graph: x_t, h_t, y_t with edges labelled U, W, V.

    Choose exactly one of --kind, --arch or --model. The same U, W and V label every step, so
    parameter sharing across time is visible.

    \b
    Example:
      rnnkit plot unroll --kind many-to-many --steps 4 --values -o lecture.pdf
      rnnkit plot unroll --arch translation --steps 3 -o translation.png
    """
    from rnnkit import figures as fig_mod
    given = [o for o in (kind, arch_name, run_dir) if o]
    if len(given) != 1:
        raise click.UsageError("choose exactly one of --kind, --arch or --model")
    model = None
    if arch_name:                       # the architecture's actual model, untrained
        from rnnkit.runs.load import build_default_model
        model = build_default_model(arch_name)
    elif run_dir:
        from rnnkit.runs import load_run
        model = load_run(run_dir).model
    if model is not None and title is None:
        title = fig_mod.describe_model(model)
    fig = fig_mod.unroll_figure(kind, steps=steps, values=values, grads=grads,
                                theme=_theme(style, aspect), title=title, out_steps=out_steps,
                                feedback=feedback, initial_state=not no_initial_state, model=model)
    _save(fig, output, dpi, transparent)


@plot.command("architectures")
@click.option("--karpathy", is_flag=True,
              help="Karpathy's five panels instead: one to one, one to many, many to one, many "
                   "to many delayed and synced, with empty boxes, each with its task and --arch.")
@_figure_options
def architectures(karpathy, output, dpi, aspect, style, title, transparent):
    """One-to-many, many-to-one, many-to-many and encoder-decoder side by side.

    \b
    Example:
      rnnkit plot architectures -o architectures.pdf
      rnnkit plot architectures --karpathy --aspect 4:3 -o karpathy.pdf
    """
    from rnnkit import figures as fig_mod
    draw = fig_mod.karpathy_figure if karpathy else fig_mod.architectures_figure
    _save(draw(_theme(style, aspect), title=title), output, dpi, transparent)


@plot.command("loss")
@click.argument("run_dirs", nargs=-1, required=True, type=click.Path())
@click.option("--label", "labels", multiple=True, help="A legend label per run (in order).")
@click.option("--metric", default="loss", show_default=True,
              help="History column to plot (its val_ twin is dashed), e.g. accuracy; 'headline': "
                   "the loss beside the architecture's headline metric (e.g. exact match) and its "
                   "baseline.")
@_figure_options
def loss(run_dirs, labels, metric, output, dpi, aspect, style, title, transparent):
    """Training (solid) and validation (dashed) curves of one or more runs, overlaid.

    \b
    Example:
      rnnkit plot loss runs/a runs/b --label rnn --label lstm -o loss.pdf
    """
    from rnnkit import figures as fig_mod
    if labels and len(labels) != len(run_dirs):
        raise click.UsageError(f"give one --label per run: {len(run_dirs)} runs, {len(labels)} labels")
    fig = fig_mod.loss_figure(list(run_dirs), list(labels) or None, metric=metric,
                              theme=_theme(style, aspect), title=title)
    _save(fig, output, dpi, transparent)


@plot.command("gradients")
@click.option("--steps", type=click.IntRange(2, 500), default=60, show_default=True,
              help="Sequence length: how far back the gradient is followed.")
@click.option("--units", type=click.IntRange(1, 1024), default=32, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@_figure_options
def gradients(steps, units, seed, output, dpi, aspect, style, title, transparent):
    """The vanishing gradient: ||dL/dh_t|| against the distance from the loss, per cell.

    Computed by rnnkit's own BPTT for SimpleRNN, LSTM and GRU at Keras' initialisation, plus LSTM
    and GRU with the gate that carries the past held open.

    \b
    Example:
      rnnkit plot gradients --steps 100 -o vanishing.pdf
    """
    from rnnkit import figures as fig_mod
    fig = fig_mod.gradients_figure(steps=steps, units=units, seed=seed,
                                   theme=_theme(style, aspect), title=title)
    _save(fig, output, dpi, transparent)


@plot.command("hidden")
@click.argument("run_dir", type=click.Path())
@click.option("--input", "text", required=True, help="The text to run through the model.")
@click.option("--gates", is_flag=True,
              help="Also show the LSTM gates i, f, o, the candidate c̃ and the cell state c.")
@_figure_options
def hidden(run_dir, text, gates, output, dpi, aspect, style, title, transparent):
    """Heatmap of hidden-state activations (units x time) over the input's tokens.

    \b
    Example:
      rnnkit plot hidden runs/char-lm-... --input "hello world" --gates -o hidden.png
    """
    from rnnkit import figures as fig_mod
    from rnnkit import plugins
    from rnnkit.runs import load_run
    run = load_run(run_dir)
    x, tokens = plugins.get(run.arch).encode(run.meta, text)
    values, gate_values = fig_mod.hidden_states(run.model, x)
    if gates and gate_values is None:
        raise click.UsageError("--gates needs an LSTM model; this run's first recurrent layer is not one")
    cell_state, direction = fig_mod.cell_state_and_direction(run.model)
    fig = fig_mod.hidden_figure(values, tokens, gates=gate_values if gates else None,
                                cell_state=cell_state if gates else None, direction=direction,
                                theme=_theme(style, aspect), title=title)
    _save(fig, output, dpi, transparent)


@click.command("figures")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="figures",
              show_default=True, help="Folder to (re)write the figures into.")
def figures(out_dir):
    """Regenerate every committed slide figure (see figures/README.md).

    \b
    Example:
      rnnkit figures --out figures/
    """
    from rnnkit import figures as fig_mod
    for path in fig_mod.regenerate(out_dir, progress=click.echo):
        click.echo(f"wrote {path}")


@plot.command("gating")
@click.argument("sweep_dir", type=click.Path())
@click.option("--x", "x_key", default=None, metavar="KEY",
              help="The swept config key along x (default: the one varied besides cell and seed).")
@_figure_options
def gating(sweep_dir, x_key, output, dpi, aspect, style, title, transparent):
    """Test score per cell against a swept key (e.g. length), every seed, and chance.

    Reads SWEEP_DIR/results.json from `rnnkit sweep`, e.g. delayed-recall over cell, length and
    seed: one dot per seed, the mean as a line, worst to best seed as a band, the baseline dotted.

    \b
    Example:
      rnnkit plot gating sweeps/delayed-recall -o gating.pdf
    """
    from rnnkit import figures as fig_mod
    try:
        fig = fig_mod.gating_figure(sweep_dir, x_key=x_key, theme=_theme(style, aspect),
                                    title=title)
    except (FileNotFoundError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    _save(fig, output, dpi, transparent)


@plot.command("sweep")
@click.argument("sweep_dir", type=click.Path())
@click.option("--x", "x", required=True, metavar="KEY",
              help="The config key along the x axis (one the sweep varies, e.g. cell or lr).")
@click.option("--hue", metavar="KEY", help="One series (colour) per value of this key.")
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Keep only the points with this value (for a key neither --x nor --hue).")
@_figure_options
def sweep(sweep_dir, x, hue, where, output, dpi, aspect, style, title, transparent):
    """A sweep's headline metric against a config key: mean and spread over seeds, baseline.

    Each point is the test value of the architecture's headline metric; the markers are the
    means over seeds, the bars one standard deviation, the dots every seed; the dotted line is
    the architecture's baseline.

    \b
    Example:
      rnnkit plot sweep sweeps/cells --x cell -o cells.png
      rnnkit plot sweep sweeps/lr --x lr --hue cell -o lr.pdf
    """
    from rnnkit.sweep import parse_assignment, read_results
    from rnnkit.viz.sweep import draw_sweep, sweep_metric_name, sweep_series
    results = read_results(sweep_dir)
    fixed = {}
    for text in where:
        key, values = parse_assignment(text, "--where")
        fixed[key] = values[0]
    series = sweep_series(results, x, hue, fixed)
    fig = draw_sweep(series, _theme(style, aspect), x=x, hue=hue,
                     metric=sweep_metric_name(results), title=title)
    _save(fig, output, dpi, transparent)


# ---- the lecture's story, figure by figure (issue 16) -------------------------------------------


@plot.command("rolled")
@click.option("--steps", type=click.IntRange(1, 6), default=4, show_default=True,
              help="Time steps of the unrolled chain.")
@_figure_options
def rolled(steps, output, dpi, aspect, style, title, transparent):
    """The feedback network: the folded cell with its loop W beside the unrolled chain.

    Biases b_xh, b_hy and the activations f, g are drawn where they act; below, the equations
    h_t = f(U x_t + W h_{t-1} + b_xh) and y_t = g(V h_t + b_hy).

    \b
    Example:
      rnnkit plot rolled --steps 4 -o rolled.pdf
    """
    from rnnkit import figures as fig_mod
    _save(fig_mod.rolled_figure(steps=steps, theme=_theme(style, aspect), title=title),
          output, dpi, transparent)


@plot.command("worked-example")
@click.option("--step", type=click.IntRange(1, 4), default=None,
              help="Draw this timestep only; without it, every step: one page each in a .pdf "
                   "(-o steps.pdf), one frame each in a .gif (-o steps.gif).")
@_figure_options
def worked_example(step, output, dpi, aspect, style, title, transparent):
    """The lecture's example A, B, C, C -> B, C, C, D step by step, numbers from the engine.

    Each page shows x_t and h_{t-1}, U x_t, W h_{t-1} + b_xh, net, h_t = tanh(net), then
    V h_t + b_hy, its exp, y_t = softmax and the target, above U, W, b_xh, V, b_hy; the slides'
    slip in y_3 and y_4 is flagged. In beamer: \\includegraphics<k>[page=k]{steps.pdf}.

    \b
    Examples:
      rnnkit plot worked-example -o steps.pdf
      rnnkit plot worked-example -o steps.gif
      rnnkit plot worked-example --step 3 -o step3.png
    """
    from pathlib import Path

    from rnnkit import figures as fig_mod
    theme = _theme(style, aspect)
    if step is not None:
        _save(fig_mod.worked_example_figures(step=step, theme=theme, title=title), output, dpi,
              transparent)
        return
    if Path(output).suffix.lower() not in (".pdf", ".gif"):
        raise click.UsageError("every step goes into one .pdf (a page each) or one .gif (a frame "
                               "each); for a .png or .svg give --step K")
    from rnnkit.viz.worked_example import save_pages
    path = save_pages(fig_mod.worked_example_figures(theme=theme, title=title), output)
    click.echo(f"wrote {path}")


@plot.command("cell")
@click.option("--cell", type=click.Choice(["lstm", "gru"]), default="lstm", show_default=True)
@click.option("--values", is_flag=True,
              help="Write one step's values on the wires: of --model's first LSTM/GRU layer on "
                   "--input, or else of a 2-unit layer (seed 0) on the lecture's A, B, C, C.")
@click.option("--model", "run_dir", type=click.Path(), default=None,
              help="A trained run whose first LSTM or GRU layer gives the values (with --input).")
@click.option("--input", "text", default=None, help="The text run through --model.")
@click.option("--step", type=click.IntRange(1, None), default=2, show_default=True,
              help="The step whose values are written.")
@_figure_options
def cell(cell, values, run_dir, text, step, output, dpi, aspect, style, title, transparent):
    """The LSTM or GRU cell as colah and d2l.ai draw it, in rnnkit's notation.

    The state line across the top, the gates (σ, tanh; each with its U, W, b) fed from
    [h_{t-1}, x_t], the pointwise ⊙, + and 1−.

    \b
    Examples:
      rnnkit plot cell --cell lstm -o lstm.pdf
      rnnkit plot cell --cell gru --values --step 3 -o gru.png
      rnnkit plot cell --model runs/char-lm-lstm --input "hello" --step 4 -o mine.png
    """
    from rnnkit import figures as fig_mod
    step_values = None
    if run_dir:
        from rnnkit import plugins
        from rnnkit.runs import load_run
        if text is None:
            raise click.UsageError("--model needs --input TEXT: the values are of that input's step")
        run = load_run(run_dir)
        x, _ = plugins.get(run.arch).encode(run.meta, text)
        step_values, cell = fig_mod.cell_step_values(run.model, x, step)
    elif values:
        model, x = fig_mod.example_cell_model(cell)
        step_values, _ = fig_mod.cell_step_values(model, x, step)
    _save(fig_mod.cell_figure(cell, values=step_values, theme=_theme(style, aspect), title=title),
          output, dpi, transparent)


@plot.command("bptt")
@_figure_options
def bptt(output, dpi, aspect, style, title, transparent):
    """Backpropagation through time on the lecture's example, numbers from the engine.

    The loss L_t on every output, the gradients flowing back (dashed) with dL/dh_t at each step,
    dL/dW as the sum over t of each step's share, and the norm of the Jacobian product
    W^T diag(1 - h_t^2) against the steps k it carries the gradient back.

    \b
    Example:
      rnnkit plot bptt -o bptt.pdf
    """
    from rnnkit import figures as fig_mod
    _save(fig_mod.bptt_figure(theme=_theme(style, aspect), title=title), output, dpi, transparent)


@plot.command("teacher-forcing")
@click.option("--steps", type=click.IntRange(2, 3), default=None,
              help="Output steps of each decoder [default: 3, or 2 where 3 do not fit: 4:3].")
@_figure_options
def teacher_forcing(steps, output, dpi, aspect, style, title, transparent):
    """Teacher forcing versus free running, side by side on one decoder.

    Left (training), the decoder reads the true previous token y_{t-1}; right (inference), its
    own previous prediction, fed back. Inputs at the bottom, predictions on top.

    \b
    Example:
      rnnkit plot teacher-forcing -o teacher-forcing.pdf
    """
    from rnnkit import figures as fig_mod
    try:
        fig = fig_mod.teacher_forcing_figure(steps=steps, theme=_theme(style, aspect), title=title)
    except ValueError as e:           # too many steps for this slide: the message says how many fit
        raise click.BadParameter(str(e), param_hint="--steps") from None
    _save(fig, output, dpi, transparent)


@plot.command("airline")
@click.option("--model", "run_dir", type=click.Path(), default=None,
              help="A trained forecasting run: draw its forecasts on the test months against the "
                   "actual values and persistence.")
@_figure_options
def airline(run_dir, output, dpi, aspect, style, title, transparent):
    """The lecture's airline series: the sliding window and its two tables, or a forecast.

    Without --model: the series 1949-1960, the 3-month window drawn over its first months and the
    lecture's "1 feature" and "3 feature" window tables, cut by rnnkit's own sliding_windows.
    With --model RUN (a forecasting run): each test month's forecast beside the actual value and
    persistence ("next month = this month"), with their RMSE.

    \b
    Examples:
      rnnkit plot airline -o windows.pdf
      rnnkit train --arch forecasting --seed 0 --epochs 100
      rnnkit plot airline --model runs/forecasting-... -o forecast.pdf
    """
    from rnnkit import figures as fig_mod
    _save(fig_mod.airline_figure(run_dir, theme=_theme(style, aspect), title=title),
          output, dpi, transparent)


@plot.command("stacked")
@click.option("--steps", type=click.IntRange(1, 5), default=3, show_default=True,
              help="Time steps drawn.")
@click.option("--units", type=click.IntRange(1, None), default=8, show_default=True,
              help="Units of each SimpleRNN (written in the Keras lines and the shapes).")
@_figure_options
def stacked(steps, units, output, dpi, aspect, style, title, transparent):
    """Stacked RNNs: the top layer with return_sequences=True beside False.

    The lower layer returns its whole sequence so the upper one can read it step by step; with
    return_sequences=False only the top layer's last state goes on. Under each stack, its Keras
    lines and each layer's output shape, from rnnkit's layers.

    \b
    Example:
      rnnkit plot stacked -o stacked.pdf
    """
    from rnnkit import figures as fig_mod
    _save(fig_mod.stacked_figure(steps=steps, units=units, theme=_theme(style, aspect), title=title),
          output, dpi, transparent)


@plot.command("bidirectional")
@click.option("--steps", type=click.IntRange(2, 5), default=3, show_default=True,
              help="Time steps drawn.")
@_figure_options
def bidirectional(steps, output, dpi, aspect, style, title, transparent):
    """The bidirectional RNN as the textbooks draw it, with its equations.

    Inputs at the bottom, the forward chain (U_f, W_f, V_f) above them left to right, the
    backward chain (U_b, W_b, V_b) above that right to left, each output fed by both
    (Goodfellow et al. fig. 10.11, d2l.ai fig. 10.4.1). `rnnkit plot unroll --kind
    bidirectional` draws the same network as rnnkit's unrolled graph.

    \b
    Example:
      rnnkit plot bidirectional -o bidirectional.pdf
    """
    from rnnkit import figures as fig_mod
    _save(fig_mod.bidirectional_figure(steps=steps, theme=_theme(style, aspect), title=title),
          output, dpi, transparent)
