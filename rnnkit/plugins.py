"""Architecture plugins: the protocol, and discovery through entry points.

An architecture is a named recipe — data, model, metrics, demo — that ``rnnkit train --arch NAME``
trains. Built-in and third-party architectures take one path: each is registered in the entry-point
group ``rnnkit.architectures`` of its distribution's ``pyproject.toml``::

    [project.entry-points."rnnkit.architectures"]
    pos-tagging = "rnnkit.builtins.pos_tagging:PosTagging"

The entry point's value is a subclass of :class:`Architecture` (or an instance of one). Discovery
(:func:`discover`) only reads the metadata; loading (:meth:`PluginEntry.load`) imports one plugin,
and a plugin that fails to import or breaks the protocol becomes a :class:`PluginError` naming its
package and the error. It never breaks listing or the other plugins.

The protocol (override what your architecture needs; everything raising NotImplementedError is
required):

============================= ============================================================
``name``                      the ``--arch`` value, e.g. ``"pos-tagging"``
``kind``                      one of ``KINDS``
``summary``                   one line for ``rnnkit list``
``headline_metric``           the metric ``evaluate`` reports first, e.g. ``"accuracy"``
``data_help``                 the formats ``--data PATH`` accepts
``cells``                     the ``--cell`` choices it supports, e.g. ``("rnn", "lstm", "gru")``
``default_config()``          hyperparameters: a dict with at least cell, units, epochs,
                              batch_size, lr, seed (the CLI's options override these keys)
``load_data(config, path)``   a :class:`Dataset` (its default data when ``path`` is None)
``small_data(config)``        a tiny :class:`Dataset` made on the spot, for tests and the kit
``build_model(config, meta)`` a compiled model (Sequential or EncoderDecoder)
``evaluate(model, data)``     metrics on ``data.test``, headline first: {"accuracy": 0.95}
``baseline(data)``            the same metrics for a simple baseline on ``data.test``
``demo(model, meta, inputs)`` a human-readable demonstration (tag, classify, translate, ...)
``fit(model, data, config)``  optional: train (default: ``model.fit`` on data.train, data.val)
``encode(meta, text)``        optional: ``(x, tokens)`` model input for one text, and its tokens
                              (for ``rnnkit plot hidden``)
``fetch(progress)``           optional: download the default corpus ahead of time
``data_info()``               optional: where the default corpus is cached, its size, licence
============================= ============================================================
"""
import difflib
import importlib.metadata as md
from dataclasses import dataclass, field

GROUP = "rnnkit.architectures"
KINDS = ("one-to-many", "many-to-one", "many-to-many", "encoder-decoder")


from .errors import PluginError  # noqa: F401  (re-exported: plugin authors catch it here)


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

    def fit(self, model, data, config, callbacks=None, verbose=0):
        """Train ``model`` on ``data`` with ``config``'s epochs and batch_size; returns a History.

        Runs add ``config["initial_epoch"]``, the epochs already done (a resumed run): fit trains
        epochs ``initial_epoch + 1 .. epochs``, as Keras' ``fit(initial_epoch=...)``.
        """
        return model.fit(*data.train, epochs=config["epochs"], batch_size=config["batch_size"],
                         validation_data=data.val, callbacks=callbacks, verbose=verbose,
                         initial_epoch=config.get("initial_epoch", 0))

    def encode(self, meta, text):
        """``(x, tokens)``: the model input for one ``text`` (batch of 1) and the tokens it shows.

        Optional; ``rnnkit plot hidden`` needs it.
        """
        raise PluginError(f"architecture {self.name!r} cannot encode a text for this figure (it has "
                          f"no encode(meta, text) method); hidden-state figures work for runs of "
                          f"char-lm, pos-tagging and text-classification")

    def fetch(self, progress=None):
        """Download the default corpus ahead of time; returns data_info(). Default: nothing to fetch."""
        return self.data_info()

    def data_info(self):
        return {"source": "generated or shipped with rnnkit; nothing to download"}

    def __repr__(self):
        return f"<architecture {self.name!r} ({self.kind})>"


REQUIRED = ("name", "kind", "summary", "default_config", "load_data", "small_data", "build_model",
            "evaluate", "baseline", "demo")

#: Keys every ``default_config()`` must hold (the CLI's options override them); runs add the
#: generic keys of :mod:`rnnkit.runs` (floatx, clipping) and hand hooks the complete config.
REQUIRED_CONFIG_KEYS = ("cell", "units", "epochs", "batch_size", "lr", "seed")


def protocol_problems(arch):
    """Plain-words list of what ``arch`` lacks or gets wrong (empty when it follows the protocol)."""
    problems = []
    for attr in REQUIRED:
        value = getattr(arch, attr, None)
        if value is None:
            problems.append(f"it has no {attr!r}")
        elif callable(value) and getattr(type(arch), attr, None) is getattr(Architecture, attr, None):
            problems.append(f"it does not implement {attr}()")
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


def discover():
    """Every registered architecture, sorted by name.

    A name registered twice is kept for rnnkit's built-in, else for the package whose name sorts
    first; each ignored duplicate is listed too (as "name (package)") with an error saying so.
    """
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
