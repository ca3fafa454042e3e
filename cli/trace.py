"""``rnnkit trace``: the lecture's step-by-step tables, computed by the engine."""
import click
import numpy as np

from rnnkit import trace as trace_mod
from rnnkit import runs
from rnnkit.tables import render


def _symbols(meta, key):
    value = (meta or {}).get(key)
    if isinstance(value, str):
        return list(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def parse_input(text, meta, input_dim):
    """``--input``: symbols of the run's alphabet (one-hot), or rows of numbers ``1,0;0,1``."""
    alphabet = _symbols(meta, "alphabet")
    text = text.strip()
    if alphabet and all(c in alphabet for c in text.replace(" ", "")) and text:
        ids = [alphabet.index(c) for c in text.replace(" ", "")]
        return np.eye(len(alphabet))[ids]
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";") if row.strip()]
    except ValueError:
        known = f"symbols from {''.join(alphabet)!r} or " if alphabet else ""
        raise click.BadParameter(f"{text!r}: give {known}one row of {input_dim} comma-separated "
                                 f"numbers per timestep, rows separated by ';' (e.g. "
                                 f"'1,0;0,1')", param_hint="--input") from None
    if not rows or any(len(r) != input_dim for r in rows):
        raise click.BadParameter(f"{text!r}: every timestep needs {input_dim} numbers (the "
                                 f"model's input size)", param_hint="--input")
    return np.array(rows)


def parse_target(text, meta, steps):
    """``--target``: one class per timestep, as tag names of the run (or, for a model predicting
    the next symbol such as char-lm, symbols of its alphabet) or integers."""
    tags = _symbols(meta, "tags") or _symbols(meta, "alphabet")
    parts = text.replace(",", " ").split()
    if len(parts) == 1 and len(text.strip()) == steps and tags and all(c in tags for c in text):
        parts = list(text.strip())
    try:
        ids = [tags.index(p) if tags and p in tags else int(p) for p in parts]
    except ValueError:
        raise click.BadParameter(f"{text!r}: give one class per timestep, as integers or tag "
                                 f"names", param_hint="--target") from None
    if len(ids) != steps:
        raise click.BadParameter(f"{text!r}: {len(ids)} targets for {steps} timesteps",
                                 param_hint="--target")
    return np.array(ids)


def model_tables(run_dir, input_text, target_text, backward):
    """The forward (and BPTT) tables of a trained run's recurrent layer (its first layer) on one
    input, whatever its output layer."""
    run = runs.load_run(run_dir)
    model = run.model
    trace_mod.traced_layers(model)          # refuses a model it cannot trace before reading input
    input_dim = model.input_shape[-1]
    x = parse_input(input_text, run.meta, input_dim).astype(model.dtype)
    tables = trace_mod.forward_tables(model, x)
    if backward:
        if target_text is None:
            raise click.UsageError("--backward with --model needs --target (one class per "
                                   "timestep)")
        if getattr(model.loss, "name", None) != "sparse_categorical_crossentropy":
            raise click.ClickException(
                f"the BPTT tables assume a softmax output with sparse categorical cross-entropy; "
                f"the model in {run_dir} uses {getattr(model.loss, 'name', model.loss)!r}")
        steps = len(x) if model.layers[0].return_sequences else 1
        tables += trace_mod.backward_tables(model, x, parse_target(target_text, run.meta, steps))
    for table in tables:        # a float32 model's numbers are np.float32: format them as floats
        table.rows = [[float(v) if isinstance(v, np.floating) else v for v in row]
                      for row in table.rows]
    return tables


@click.command("trace")
@click.option("--example", type=click.Choice(["slides"]), default="slides", show_default=True,
              help="Which worked example to trace (the lecture's A, B, C, C sequence).")
@click.option("--cell", type=click.Choice(trace_mod.CELLS), default=None,
              help="The example's recurrent cell: the slides' SimpleRNN (rnn, the default), or an "
                   "LSTM or GRU with 2 units and the fixed weights of docs/bptt.md.")
@click.option("--backward", is_flag=True, help="Also print the backpropagation-through-time tables.")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "latex", "csv"]),
              default="text", show_default=True, help="Output format (LaTeX drops into beamer).")
@click.option("--digits", type=click.IntRange(1, 12), default=3, show_default=True,
              help="Decimals shown (the slides use 3).")
@click.option("--model", "run_dir", metavar="RUN_DIR",
              help="Trace a trained run's recurrent layer (a SimpleRNN, LSTM or GRU as its first "
                   "layer, whatever comes after it) instead of a worked example.")
@click.option("--input", "input_text", metavar="INPUT",
              help="With --model: symbols of the run's alphabet (e.g. ABCC), or one row of "
                   "numbers per timestep ('1,0,0,0;0,1,0,0').")
@click.option("--target", "target_text", metavar="TARGET",
              help="With --model --backward: one class per timestep (tag names, symbols of the "
                   "run's alphabet, or integers).")
def trace(example, cell, backward, fmt, digits, run_dir, input_text, target_text):
    """Print the lecture's forward tables per timestep (and the BPTT tables with --backward).

    The slides' example is a SimpleRNN with 3 units on one-hot A, B, C, C and a softmax Dense
    over 4 classes; the backward tables use the next-symbol targets B, C, C, D. --cell lstm or
    gru traces the same sequence through an LSTM or GRU with 2 units (every gate per step; with
    --backward each gate's gradient, dh_t, dc_t and each step's share of every weight gradient).
    Every number is computed by the engine.

    \b
    Examples:
      rnnkit trace --example slides
      rnnkit trace --example slides --backward --format latex > bptt.tex
      rnnkit trace --cell lstm --backward
      rnnkit trace --model runs/tagger --input ABCC --backward --target 0,1,2,2
    """
    if run_dir is None:
        if input_text is not None or target_text is not None:
            raise click.UsageError("--input and --target need --model RUN_DIR")
        tables = trace_mod.example_tables(cell or "rnn", backward=backward)
    else:
        if cell is not None:
            raise click.UsageError("--cell chooses a worked example; with --model the run's own "
                                   "cell is traced: leave --cell out")
        if input_text is None:
            raise click.UsageError("--model needs --input (the sequence to trace)")
        tables = model_tables(run_dir, input_text, target_text, backward)
    click.echo(render(tables, fmt=fmt, digits=digits), nl=False)
