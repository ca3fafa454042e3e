"""Using a finished run: ``load_run``, ``evaluate_run``, ``predict_run`` (``rnnkit evaluate``,
``predict``, ``summary RUN_DIR``), and ``build_default_model`` (``rnnkit summary --arch``).

Each works inside ``config.scope(...)`` with the run's float type and seed, so the caller's float
type and random generator are the same, in the same state, afterwards.
"""
import numpy as np

from .. import config as config_mod, plugins
from ..errors import InputError, ModelFileError, RunError
from ..fileio import jsonable
from ..models.saving import read_model_file
from ..tables import MetricsResult
from .config import check_data_path, resolve_config, stored_config
from .folder import Run, RunFolder
from .train import build_on, non_finite


def load_run(run_dir, arch=None):
    """A finished (or interrupted) run with its model rebuilt and compiled: a :class:`Run`.

    The model is rebuilt by the architecture (so it is compiled with its loss and metrics), then
    given the saved weights. ``arch`` (an Architecture) stands in for the registered one.
    """
    folder = RunFolder.existing(run_dir)
    info = folder.read_info()
    saved_config = folder.read_config()
    if not folder.has(folder.MODEL):
        status = info.get("status", "unknown")
        hint = (f" Resume it with `rnnkit train --resume {folder.path}`."
                if folder.has(folder.CHECKPOINT) and status != "finished" else
                " Train it again with `rnnkit train`.")
        raise RunError(f"{str(folder.path)!r} has no trained model ({folder.MODEL}); its status "
                       f"is {status!r}.{hint}")
    try:
        header, weights = read_model_file(folder.model_path)
    except ModelFileError as err:
        raise RunError(f"the run's model is unusable: {err}") from None
    extra = header.get("extra", {})
    meta = extra.get("meta", {})
    if extra.get("arch", info["arch"]) != info["arch"]:
        raise RunError(f"{str(folder.path)!r}: its {folder.INFO} names {info['arch']!r} but its "
                       f"{folder.MODEL} is a model of {extra['arch']!r}; the folder mixes two "
                       f"runs. Put back the run.json of that run, or train again.")
    arch = plugins.get(arch if arch is not None else info["arch"])
    config = stored_config(arch, saved_config)
    history = folder.read_history() if folder.has(folder.HISTORY_JSON) else []
    run = Run(path=folder.path, arch=info["arch"], config=config, history=history,
              metrics=folder.read_metrics(), status=info.get("status", "unknown"), meta=meta,
              data_path=info.get("data_path"))
    # the initial weights are overwritten at once: drawn from the run's own generator
    with config_mod.scope(floatx=header.get("dtype", "float64"), seed=config["seed"]):
        model = arch.build_model(config, meta)
        if not model.built:
            _build_like(model, header["model"])
    try:
        model.set_weights(weights)
    except ValueError as err:
        raise RunError(f"{str(folder.model_path)!r}: the weights do not fit the model "
                       f"{info['arch']} builds from {folder.CONFIG} ({err})") from None
    run.model = model
    return run


def _build_like(model, saved_config):
    """Build ``model`` for the input shape recorded in a saved model's config."""
    shape = saved_config.get("input_shape")
    if shape is None:
        raise RunError("the saved model records no input shape, so it cannot be rebuilt")
    if saved_config.get("class") == "EncoderDecoder":
        model.build(*[tuple(s) for s in shape])
    else:
        model.build(tuple(shape))


def evaluate_run(run_dir, data_path=None, arch=None):
    """Metrics of a run's model beside the baseline: on its test split, or on every sample of
    ``data_path`` (a file in the training format, encoded with the run's vocabularies and scales
    by the architecture's ``encode_data``). ``samples`` says how many were scored. A dict that a
    notebook shows as its metric | model | baseline table (:class:`rnnkit.tables.MetricsResult`)."""
    run = load_run(run_dir, arch)
    arch = plugins.get(arch if arch is not None else run.arch)
    new_data = data_path is not None
    data_path = check_data_path(data_path if new_data else run.data_path)
    with config_mod.scope(floatx=run.config["floatx"], seed=run.config["seed"]), \
            np.errstate(all="ignore"):             # a non-finite metric is refused below
        if new_data:
            data = arch.encode_data(run.config, run.meta, data_path)
        else:
            data = arch.load_data(run.config, data_path, None)
            if jsonable(data.meta) != jsonable(run.meta):
                raise RunError(f"the data in {data_path or 'the default data set'} no longer "
                               f"match the run's vocabularies or scales (the file changed?); "
                               f"pass it with --data to encode it with the run's own.")
        test, baseline = arch.evaluate(run.model, data), arch.baseline(data)
    bad = non_finite(test)
    if bad:
        raise RunError(f"the model's metrics {', '.join(bad)} on {data_path or 'its data'} are "
                       f"not finite: its outputs overflow on these data, so there is no score "
                       f"to report. Retrain with a lower learning rate.")
    return MetricsResult(
        arch=run.arch, run=str(run.path), data=data_path or "default",
        samples=_count(data.test[0]), status=run.status, epochs=run.epochs_done,
        test=jsonable(test), baseline=jsonable(baseline),
        baseline_is=_first_line(type(arch).baseline.__doc__))


def _first_line(doc):
    """The first line of a docstring (a baseline's says what it is), or None."""
    return doc.strip().splitlines()[0] if doc and doc.strip() else None


def _count(x):
    """The number of samples in ``x`` (an array, or ``[x_enc, x_dec]``)."""
    return len(x[0]) if isinstance(x, (list, tuple)) else len(x)


def predict_run(run_dir, inputs, arch=None):
    """The architecture's human-readable demo on ``inputs`` (strings) with a run's model.

    Demos that sample (char-lm) draw from a generator seeded with the run's seed: the same
    command prints the same text. An input that cannot be read (empty, only spaces, no symbol
    the model knows) is an InputError that ends in what the architecture reads.
    """
    return _answer(run_dir, inputs, arch, lambda a, run, given: a.demo(run.model, run.meta, given))


def predict_run_json(run_dir, inputs, arch=None):
    """What ``rnnkit predict RUN --json`` prints: ``{"arch", "inputs", "predictions"}``, one dict
    per input from the architecture's ``predictions`` hook (keys: ``plugins.PREDICTION_KEYS``);
    for an architecture without that hook, ``{"arch", "inputs", "output"}`` with demo's text."""
    def structured(a, run, given):
        found = a.predictions(run.model, run.meta, given)
        answer = ({"output": a.demo(run.model, run.meta, given)} if found is None else
                  {"predictions": jsonable(list(found))})
        return {"arch": a.name, "inputs": list(inputs or []), **answer}
    return _answer(run_dir, inputs, arch, structured)


def _answer(run_dir, inputs, arch, call):
    """``call(architecture, run, inputs)`` in the run's float type and seed; a blank input, or
    an InputError of the architecture, becomes an InputError saying what the architecture reads."""
    run = load_run(run_dir, arch)
    arch = plugins.get(arch if arch is not None else run.arch)
    try:
        blank = [k + 1 for k, text in enumerate(inputs or []) if not str(text).strip()]
        if blank:
            raise InputError(f"input {', '.join(map(str, blank))} is empty or only spaces")
        with config_mod.scope(floatx=run.config["floatx"], seed=run.config["seed"]):
            return call(arch, run, list(inputs) if inputs is not None else None)
    except InputError as err:
        reads = (f"{arch.name} reads {arch.input_help} (see `rnnkit list`)"
                 if arch.input_help != plugins.Architecture.input_help else
                 f"see the documentation of {arch.name} for what it reads")
        raise InputError(f"{err}. {reads}") from None


def build_default_model(arch, overrides=None):
    """An architecture's model with its default config (and ``overrides``), built on its small
    data, untrained: what ``rnnkit summary --arch NAME`` prints."""
    arch = plugins.get(arch)
    config = resolve_config(arch, overrides)
    with config_mod.scope(floatx=config["floatx"], seed=config["seed"]):
        data = arch.small_data(config)
        model = arch.build_model(config, jsonable(data.meta))
        if not model.built:
            build_on(model, data.train[0])
    return model
