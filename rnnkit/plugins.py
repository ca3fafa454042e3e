"""Architecture plugins: the protocol, and discovery through entry points.

An architecture is a named recipe — data, model, metrics, demo — that ``rnnkit train --arch NAME``
trains. Built-in and third-party architectures take one path: each is registered in the entry-point
group ``rnnkit.architectures`` of its distribution's ``pyproject.toml``::

    [project.entry-points."rnnkit.architectures"]
    pos-tagging = "rnnkit.builtins.pos_tagging:PosTagging"

The entry point's value is a subclass of :class:`Architecture` (or an instance of one). Discovery
(:func:`discover`) only reads the metadata, once per process (:func:`refresh` forgets what it
found, e.g. after installing a package at run time); loading (:meth:`PluginEntry.load`) imports
one plugin, and a plugin that fails to import or breaks the protocol becomes a
:class:`PluginError` naming its package and the error. It never breaks listing or the other
plugins.

The protocol is declared once, here: :data:`ATTRIBUTES` (class attributes) and :data:`HOOKS`
(methods: required or optional, what each receives, which command calls it with which data).
``protocol_problems``, the conformance kit, ``docs/plugins.md`` and the CLI all read these two
tables. In short (``*`` = required):

============================== ===========================================================
attribute                      meaning
============================== ===========================================================
``name`` *                     the ``--arch`` value, e.g. ``"pos-tagging"``
``kind`` *                     one of ``KINDS``
``summary`` *                  one line for ``rnnkit list``
``headline_metric``            the metric ``evaluate`` reports first, e.g. ``"accuracy"``
``data_help``                  the formats ``--data PATH`` accepts
``cells``                      the ``--cell`` choices it supports, e.g. ``("rnn", "lstm", "gru")``
``bucket_by_length``           the default ``fit`` batches padded token ids by length
============================== ===========================================================

================================ ========================================================
hook                             who calls it, with which data
================================ ========================================================
``default_config()`` *           every command that builds a config (train, summary,
                                 gradcheck, the kit): hyperparameters with at least
                                 ``REQUIRED_CONFIG_KEYS``
``load_data(config, path)`` *    ``train`` (``--data PATH`` or its default data),
                                 ``evaluate RUN`` (the run's data)
``small_data(config)`` *         ``summary --arch``, ``gradcheck --arch``, the kit
``build_model(config, meta)`` *  ``train`` (load_data's meta); ``summary``/``gradcheck``
                                 (small_data's meta); every command reading a run folder
                                 (its stored config and meta, then its weights)
``fit(model, data, config)``     ``train`` (default: ``model.fit`` with ``epoch_metrics``)
``epoch_metrics(model, data,     ``train``, through the default ``fit``: callbacks adding
config)``                        the headline metric to each epoch's row
``evaluate(model, data)`` *      ``train`` and ``evaluate RUN``: metrics on ``data.test``
``baseline(data)`` *             ``train`` and ``evaluate RUN``: the same metrics for a
                                 simple baseline
``demo(model, meta, inputs)`` *  ``predict RUN [INPUTS]``: the user's inputs, or its own
``predictions(model, meta,       ``predict RUN [INPUTS] --json``: one JSON-ready dict per
inputs)``                        input (what the model read, what it answered)
``encode(meta, text)``           ``plot hidden RUN TEXT``: ``(x, tokens)`` for one text
``encode_data(config, meta,      ``evaluate RUN --data PATH``: every sample of a new file,
path)``                          encoded with the run's stored meta, as ``data.test``
``fetch(progress)``              ``data fetch NAME``: download the default corpus
``data_info()``                  ``data info NAME``: where the corpus is cached, size, licence
================================ ========================================================

Every hook that takes a ``config`` receives the **complete, validated** config: the
architecture's ``default_config()`` updated by the user's config file and options, plus the
generic keys every run has (``floatx``, ``clipnorm``, ``clipvalue``). A plugin reads its keys
with ``config[key]``, never re-merges its defaults, and takes the float type from
``config["floatx"]`` (not from global state).

:data:`API_VERSION` is the version of this contract, ``"MAJOR.MINOR"``: a new optional hook,
attribute or config key raises MINOR (every plugin written for an older MINOR keeps working); a
change that can break a plugin (a hook renamed, removed, made required, or receiving something
else) raises MAJOR.
"""
import difflib
import importlib
import importlib.metadata as md
import sys
from dataclasses import dataclass, field

import numpy as np

from .errors import DataError, PluginError  # re-exported: plugin authors catch it here
from .fileio import jsonable

API_VERSION = "1.2"
GROUP = "rnnkit.architectures"
KINDS = ("one-to-many", "many-to-one", "many-to-many", "encoder-decoder")

#: Keys every ``default_config()`` must hold (the CLI's options override them); runs add the
#: generic keys (``rnnkit.runs.GENERIC_KEYS``: floatx and clipping) and hand hooks the complete
#: config.
REQUIRED_CONFIG_KEYS = ("cell", "units", "epochs", "batch_size", "lr", "seed")


def required_config_keys(arch):
    """The keys ``arch.default_config()`` must hold: :data:`REQUIRED_CONFIG_KEYS`, without
    ``cell`` for an architecture that declares no ``cells`` (it offers no ``--cell`` choice)."""
    return tuple(k for k in REQUIRED_CONFIG_KEYS if k != "cell" or arch.cells)


@dataclass(frozen=True)
class Hook:
    """One method of the protocol: how it is called, whether a plugin must define it, what it
    returns, and which ``rnnkit`` command calls it with which data."""
    call: str
    required: bool
    returns: str
    called_by: str


#: Class attributes of an architecture: name -> (required, meaning).
ATTRIBUTES = {
    "name": (True, "the --arch value, e.g. \"pos-tagging\""),
    "kind": (True, f"one of {', '.join(KINDS)}"),
    "summary": (True, "one line for `rnnkit list`"),
    "headline_metric": (False, "the metric evaluate reports first (default \"accuracy\")"),
    "data_help": (False, "the formats --data PATH accepts"),
    "cells": (False, "the --cell choices it supports, e.g. (\"rnn\", \"lstm\", \"gru\")"),
    "input_help": (False, "what `rnnkit predict RUN INPUT...` reads, shown by `rnnkit list`"),
    "bucket_by_length": (False, "True: the default fit batches padded token ids (an Embedding "
                                "with mask_zero) by length, each batch cut to its longest"),
}

#: The methods of the protocol, in the order a run calls them.
HOOKS = {
    "default_config": Hook(
        "default_config()", True,
        "a JSON-ready dict of hyperparameters holding at least REQUIRED_CONFIG_KEYS",
        "every command that builds a config: train, summary --arch, gradcheck --arch, check"),
    "load_data": Hook(
        "load_data(config, path=None, progress=None)", True,
        "a Dataset (its default data when path is None); progress(message) reports downloads",
        "train (--data PATH, else its default data); evaluate RUN (the data the run was "
        "trained on; --data PATH goes to encode_data)"),
    "small_data": Hook(
        "small_data(config)", True,
        "a tiny Dataset made on the spot (no downloads)",
        "summary --arch, gradcheck --arch, and the conformance kit"),
    "build_model": Hook(
        "build_model(config, meta)", True,
        "a compiled model (Sequential or EncoderDecoder); meta as read back from JSON",
        "train (meta of load_data); summary --arch and gradcheck --arch (meta of small_data); "
        "evaluate, predict, trace, summary RUN and plot hidden (the run's stored config and "
        "meta, then its weights)"),
    "fit": Hook(
        "fit(model, data, config, callbacks=None, verbose=0)", False,
        "the History; default: model.fit on data.train with data.val, epoch_metrics' callbacks "
        "first, and bucket_by_length",
        "train (config['epochs'] is the number of epochs still to run)"),
    "epoch_metrics": Hook(
        "epoch_metrics(model, data, config)", False,
        "callbacks that add the architecture's headline metric to each epoch's row, e.g. "
        "val_exact_match (rnnkit.callbacks.EpochMetric, rnnkit.seq2seq.KeepBest); default none",
        "train, through the default fit: the run's history records them"),
    "evaluate": Hook(
        "evaluate(model, data)", True,
        "metrics on data.test, headline_metric first: {\"accuracy\": 0.95}",
        "train (the data of load_data); evaluate RUN"),
    "baseline": Hook(
        "baseline(data)", True,
        "the same metrics for a simple baseline on data.test",
        "train (the data of load_data); evaluate RUN"),
    "demo": Hook(
        "demo(model, meta, inputs=None)", True,
        "a human-readable demonstration (tag, classify, translate, ...) as a string",
        "predict RUN [INPUTS...] (the user's inputs as strings, else its own examples)"),
    "predictions": Hook(
        "predictions(model, meta, inputs=None)", False,
        "one JSON-ready dict per input (see PREDICTION_KEYS): the input, the tokens the model "
        "read, its answer; default None (predict --json then gives demo's text as 'output')",
        "predict RUN [INPUTS...] --json (the inputs as demo receives them)"),
    "encode": Hook(
        "encode(meta, text)", False,
        "(x, tokens): the model input for one text (batch of 1) and the tokens it shows",
        "plot hidden RUN TEXT"),
    "encode_data": Hook(
        "encode_data(config, meta, path)", False,
        "a Dataset whose test holds every sample of the file at path, encoded with the run's "
        "stored meta (unknown words -> the unknown token; an unseen label is a DataError); "
        "default: load_data(config, path) with its splits joined, when its meta is the run's",
        "evaluate RUN --data PATH"),
    "fetch": Hook(
        "fetch(progress=None)", False,
        "data_info() after downloading the default corpus; default: nothing to fetch",
        "data fetch NAME"),
    "data_info": Hook(
        "data_info()", False,
        "where the default corpus is cached, its size, source and licence",
        "data info NAME (and data fetch NAME)"),
}

#: The keys of one ``predictions`` dict: ``input`` and ``tokens`` always, ``unknown`` when the
#: architecture has a vocabulary, then the answer under the key of its kind of output.
PREDICTION_KEYS = {
    "input": "the input as given (a string)",
    "tokens": "what the model read after encoding: words, characters or numbers",
    "unknown": "positions in tokens (from 0) read as the unknown token; [] when all are known",
    "left_out": "characters not read at all (outside the alphabet)",
    "tags": "one tag per token (a tagger)",
    "probabilities": "{class: probability} over every class, most probable first (a classifier)",
    "generated": "the tokens the model generated (a language model, a decoder)",
    "forecast": "the forecast value(s) (a forecaster)",
}

#: Everything a plugin must define (attributes, then methods).
REQUIRED = tuple([a for a, (required, _) in ATTRIBUTES.items() if required]
                 + [h for h, hook in HOOKS.items() if hook.required])


@dataclass
class Dataset:
    """What an architecture's ``load_data`` returns.

    ``train``, ``val`` and ``test`` are ``(x, y)`` pairs (``x`` is ``[x_enc, x_dec]`` for
    encoder-decoder models; ``val`` may be None). ``meta`` is JSON-serialisable and holds what
    ``build_model`` and ``demo`` need after training (vocabularies, scales); the run folder keeps it.
    ``info`` describes the data for people (source, sizes, skipped lines).
    """
    train: tuple
    test: tuple
    val: tuple = None
    meta: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


class Architecture:
    """Base class for architecture plugins; see the module docstring for the protocol."""

    name = None
    kind = None
    summary = None
    headline_metric = "accuracy"
    data_help = "this architecture has no --data format"
    cells = ()
    input_help = "see the architecture's documentation"
    bucket_by_length = False

    def default_config(self):
        raise NotImplementedError

    def load_data(self, config, path=None, progress=None):
        raise NotImplementedError

    def small_data(self, config):
        raise NotImplementedError

    def build_model(self, config, meta):
        raise NotImplementedError

    def evaluate(self, model, data):
        raise NotImplementedError

    def baseline(self, data):
        raise NotImplementedError

    def demo(self, model, meta, inputs=None):
        raise NotImplementedError

    def predictions(self, model, meta, inputs=None):
        """One JSON-ready dict per input (or per own example when ``inputs`` is None): what
        ``rnnkit predict RUN --json`` prints under ``predictions``. Keys: :data:`PREDICTION_KEYS`
        (``input`` and ``tokens`` always; the answer under ``tags``, ``probabilities``,
        ``generated`` or ``forecast``; more keys are allowed). Refuse an input that cannot be
        read (empty, or no known symbol) with :class:`rnnkit.errors.InputError`, as ``demo`` does.

        Optional; default None: ``predict --json`` then prints ``demo``'s text as ``output``.
        """
        return None

    def fit(self, model, data, config, callbacks=None, verbose=0):
        """Train ``model`` on ``data`` with ``config``'s epochs and batch_size; returns a History.

        Runs add ``config["initial_epoch"]``, the epochs already done (a resumed run): fit trains
        epochs ``initial_epoch + 1 .. epochs``, as Keras' ``fit(initial_epoch=...)``.
        ``epoch_metrics``' callbacks run first each epoch, so the caller's ``callbacks`` (the
        run's checkpoints) see the rows they complete; ``bucket_by_length`` is passed on. An
        override should end in ``super().fit(...)``, or call ``epoch_metrics`` itself.
        """
        callbacks = list(self.epoch_metrics(model, data, config)) + list(callbacks or [])
        return model.fit(*data.train, epochs=config["epochs"], batch_size=config["batch_size"],
                         validation_data=data.val, callbacks=callbacks, verbose=verbose,
                         bucket_by_length=self.bucket_by_length,
                         initial_epoch=config.get("initial_epoch", 0))

    def epoch_metrics(self, model, data, config):
        """Callbacks that add the headline metric to each epoch's row (default: none).

        E.g. ``[EpochMetric("val_exact_match", lambda m: ...)]`` from :mod:`rnnkit.callbacks`,
        or :class:`rnnkit.seq2seq.KeepBest`, which also keeps the best epoch's weights.
        """
        return []

    def encode(self, meta, text):
        """``(x, tokens)``: the model input for one ``text`` (batch of 1) and the tokens it shows.

        Optional; ``rnnkit plot hidden`` needs it.
        """
        raise PluginError(f"architecture {self.name!r} cannot encode a text for this figure (it has "
                          f"no encode(meta, text) method); hidden-state figures work for runs of "
                          f"char-lm, pos-tagging and text-classification")

    def encode_data(self, config, meta, path):
        """A Dataset whose ``test`` is every sample of the file ``path`` (in the ``--data``
        format), encoded with a trained run's ``meta``: what ``rnnkit evaluate RUN --data PATH``
        scores. ``train`` may hold the same samples (baselines that count read it).

        Default: ``load_data(config, path)`` with its train, val and test joined into ``test``,
        which is right when the meta does not depend on the file (a fixed alphabet). An
        architecture that builds vocabularies or scales from its data overrides this to encode
        with ``meta``'s instead; without it, a file whose meta differs is a DataError.
        """
        data = self.load_data(config, path)
        if jsonable(data.meta) != jsonable(meta):
            raise DataError(f"{path}: architecture {self.name!r} cannot encode new data with a "
                            f"run's vocabularies or scales (it has no encode_data(config, meta, "
                            f"path) hook), and this file gives other ones than the run's. "
                            f"Evaluate on the run's own data (leave out --data).")
        parts = [part for part in (data.train, data.val, data.test) if part is not None]
        return Dataset(train=data.train, test=join_samples(parts), meta=data.meta, info=data.info)

    def fetch(self, progress=None):
        """Download the default corpus ahead of time; returns data_info(). Default: nothing to fetch."""
        return self.data_info()

    def data_info(self):
        return {"source": "generated or shipped with rnnkit; nothing to download"}

    def __repr__(self):
        return f"<architecture {self.name!r} ({self.kind})>"


def join_samples(parts):
    """One ``(x, y)`` pair of the samples of several (``x`` may be ``[x_enc, x_dec]``)."""
    def join(arrays):
        if isinstance(arrays[0], (list, tuple)):
            return [join([a[k] for a in arrays]) for k in range(len(arrays[0]))]
        return np.concatenate(arrays)
    return join([p[0] for p in parts]), join([p[1] for p in parts])


def protocol_problems(arch):
    """Plain-words list of what ``arch`` lacks or gets wrong (empty when it follows the protocol):
    a required attribute of :data:`ATTRIBUTES` that is None, a required hook of :data:`HOOKS`
    left to the base class, a ``kind`` outside ``KINDS``."""
    problems = []
    for attr, (required, _) in ATTRIBUTES.items():
        if required and getattr(arch, attr, None) is None:
            problems.append(f"it has no {attr!r}")
    for name, hook in HOOKS.items():
        if not hook.required:
            continue
        if getattr(arch, name, None) is None:
            problems.append(f"it has no {name!r}")
        elif getattr(type(arch), name, None) is getattr(Architecture, name):
            problems.append(f"it does not implement {name}()")
    kind = getattr(arch, "kind", None)
    if kind is not None and kind not in KINDS:
        problems.append(f"its kind {kind!r} is not one of {', '.join(KINDS)}")
    return problems


@dataclass
class PluginEntry:
    """One registered architecture: found from metadata, imported only by :meth:`load`."""
    name: str
    value: str
    package: str
    _entry_point: object = None
    _loaded: object = None
    _error: str = None

    def load(self):
        """Import and instantiate the plugin; raise PluginError (with the package) if it fails."""
        if self._loaded is None and self._error is None:
            try:
                obj = self._entry_point.load()
                arch = obj() if isinstance(obj, type) else obj
            except Exception as err:  # a plugin's bug must not take rnnkit down with it
                self._error = f"{type(err).__name__}: {err}"
            else:
                problems = protocol_problems(arch)
                if problems:
                    self._error = "does not follow the architecture protocol: " + "; ".join(problems)
                elif arch.name != self.name:
                    self._error = (f"registered as {self.name!r} but its name attribute is "
                                   f"{arch.name!r}")
                else:
                    self._loaded = arch
        if self._error is not None:
            dist = self.package.split()[0]
            raise PluginError(f"architecture {self.name!r} from package {self.package} "
                              f"({self.value}) cannot be used: {self._error}. Reinstall or fix "
                              f"that package, or remove it with `pip uninstall {dist}`.")
        return self._loaded

    @property
    def error(self):
        """None if the plugin loads, else the reason it does not (loads it to find out)."""
        try:
            self.load()
        except PluginError:
            return self._error
        return None


#: What :func:`discover` found, and the ``sys.path`` it looked along.
_found = None


def discover():
    """Every registered architecture, sorted by name.

    The entry points are read once per process (and again if ``sys.path`` changes); call
    :func:`refresh` after installing a package into a folder already on ``sys.path``. A name
    registered twice is kept for rnnkit's built-in, else for the package whose name sorts first;
    each ignored duplicate is listed too (as "name (package)") with an error saying so.
    """
    global _found
    if _found is None or _found[0] != tuple(sys.path):
        _found = (tuple(sys.path), _read_entry_points())
    return list(_found[1])


def refresh():
    """Forget what :func:`discover` found, so the next call reads the entry points again
    (tests that write ``*.dist-info`` fixtures, or a package installed while Python runs)."""
    global _found
    _found = None
    importlib.invalidate_caches()


def _read_entry_points():
    registered = []
    for ep in md.entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        dist_name = dist.name if dist is not None else ""
        package = f"{dist_name} {dist.version}" if dist is not None else "unknown package"
        registered.append((ep, dist_name, package))
    # Who keeps a name registered twice must not depend on sys.path or site-packages order:
    # rnnkit's built-ins first (a third-party package cannot take over `--arch forecasting`),
    # then by package name.
    registered.sort(key=lambda r: (r[1].lower() != "rnnkit", r[1].lower(), r[0].value))
    found = {}
    for ep, _, package in registered:
        entry = PluginEntry(ep.name, ep.value, package, ep)
        if ep.name in found:
            if found[ep.name].value == ep.value:
                continue                       # the same distribution seen twice on sys.path
            entry._error = (f"the name {ep.name!r} is already registered by "
                            f"{found[ep.name].package}; this duplicate is ignored")
            found[f"{ep.name} ({package})"] = entry
            continue
        found[ep.name] = entry
    return [found[k] for k in sorted(found)]


def names():
    return [e.name for e in discover()]


def get(name):
    """The architecture registered as ``name``, or a PluginError naming the closest known ones."""
    if isinstance(name, Architecture):
        return name
    entries = {}
    for e in discover():
        entries.setdefault(e.name, e)      # the kept entry sorts before its ignored duplicates
    if name not in entries:
        known = sorted(entries)
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.75)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise PluginError(f"unknown architecture {name!r}.{hint} Known architectures: "
                          f"{', '.join(known) or 'none'} (see `rnnkit list`).")
    return entries[name].load()


__all__ = ["API_VERSION", "GROUP", "KINDS", "REQUIRED_CONFIG_KEYS",
           "required_config_keys", "ATTRIBUTES", "HOOKS", "Hook",
           "REQUIRED", "PREDICTION_KEYS", "Architecture", "Dataset", "PluginEntry", "PluginError", "protocol_problems",
           "discover", "refresh", "names", "get"]
