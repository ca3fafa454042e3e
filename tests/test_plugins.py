"""Plugin discovery and loading (rnnkit.plugins), and the conformance kit on every built-in.

Third-party plugins are discovered without pip, as flake8's tests do: each test writes a
``*.dist-info`` folder (METADATA and entry_points.txt) and the plugin's module into a temporary
folder and puts that folder on sys.path, where importlib.metadata finds it like any installed
distribution.
"""
import sys
import textwrap

import pytest

from rnnkit import plugins
from rnnkit.plugins import GROUP, PluginError, discover, get
from rnnkit.testing import check_architecture

#: A module defining a valid (tiny) architecture class named ``Arch`` whose name is NAME.
GOOD_MODULE = '''
import numpy as np
from rnnkit import Sequential
from rnnkit.layers import Dense, SimpleRNN
from rnnkit.plugins import Architecture, Dataset


class Arch(Architecture):
    name = NAME
    kind = "many-to-one"
    summary = "a third-party test architecture"

    def default_config(self):
        return {"units": 4, "epochs": 1, "batch_size": 8, "lr": 0.01, "seed": 0}

    def small_data(self, config):
        x = np.random.default_rng(0).normal(size=(8, 3, 1))
        y = (x.sum(axis=(1, 2)) > 0).astype(float)[:, None]
        return Dataset(train=(x, y), test=(x, y))

    load_data = lambda self, config, path=None, progress=None: self.small_data(config)

    def build_model(self, config, meta):
        model = Sequential([SimpleRNN(config["units"], input_shape=(3, 1)), Dense(1, "sigmoid")])
        model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
        return model

    def evaluate(self, model, data):
        return {"accuracy": float(model.evaluate(*data.test)[1])}

    def baseline(self, data):
        return {"accuracy": 0.5}

    def demo(self, model, meta, inputs=None):
        return "a demo"
'''


@pytest.fixture
def make_dist(tmp_path, monkeypatch):
    """``make_dist(dist, entry_points, modules={name: source}, version="1.0")``: an installed
    distribution in a folder of its own on sys.path (prepended, so later calls come first)."""
    created = []

    def make(dist, entry_points, modules=None, version="1.0"):
        root = tmp_path / f"site-{dist}"
        info = root / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        lines = [f"[{GROUP}]"] + [f"{name} = {value}" for name, value in entry_points.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        for module, source in (modules or {}).items():
            (root / f"{module}.py").write_text(textwrap.dedent(source))
            created.append(module)
        monkeypatch.syspath_prepend(str(root))
        plugins.refresh()                  # discovery is cached once per process
        return root

    yield make
    for module in created:
        sys.modules.pop(module, None)
    monkeypatch.undo()
    plugins.refresh()


def good_module(name):
    return GOOD_MODULE.replace("NAME", repr(name))


def entries_by_name():
    return {e.name: e for e in discover()}


def test_a_third_party_plugin_is_discovered_with_its_package_and_loads(make_dist):
    make_dist("rnnkit-good", {"good-arch": "rnnkit_test_good:Arch"},
              {"rnnkit_test_good": good_module("good-arch")}, version="2.3")
    entry = entries_by_name()["good-arch"]
    assert entry.package == "rnnkit-good 2.3"
    assert entry.value == "rnnkit_test_good:Arch"
    assert "rnnkit_test_good" not in sys.modules       # discovery alone imports nothing
    assert entry.error is None
    arch = get("good-arch")
    assert arch.name == "good-arch" and arch.kind == "many-to-one"
    assert type(arch).__module__ == "rnnkit_test_good"
    assert check_architecture(arch, checks=["api_complete", "small_data_shapes"]).passed


def test_an_instance_can_be_registered_as_well_as_a_class(make_dist):
    source = good_module("as-instance") + "\nARCH = Arch()\n"
    make_dist("rnnkit-instance", {"as-instance": "rnnkit_test_instance:ARCH"},
              {"rnnkit_test_instance": source})
    assert get("as-instance").name == "as-instance"


def test_a_plugin_that_fails_to_import_is_listed_with_its_error(make_dist):
    make_dist("rnnkit-broken", {"broken": "rnnkit_test_broken:Arch"},
              {"rnnkit_test_broken": "raise ImportError('needs tensorflow, which is not installed')\n"})
    make_dist("rnnkit-fine", {"fine": "rnnkit_test_fine:Arch"},
              {"rnnkit_test_fine": good_module("fine")})
    found = entries_by_name()
    assert {"broken", "fine"} <= set(found)          # listing works
    error = found["broken"].error
    assert "ImportError" in error and "needs tensorflow" in error
    assert found["fine"].error is None               # the others are untouched
    assert get("fine").name == "fine"
    with pytest.raises(PluginError) as info:
        get("broken")
    message = str(info.value)
    assert "'broken'" in message and "rnnkit-broken 1.0" in message and "needs tensorflow" in message


def test_a_missing_module_or_attribute_is_an_error_not_a_crash(make_dist):
    make_dist("rnnkit-typos", {"no-module": "rnnkit_test_nowhere:Arch",
                               "no-attr": "rnnkit_test_typos:Arhc"},
              {"rnnkit_test_typos": good_module("no-attr")})
    found = entries_by_name()
    assert "ModuleNotFoundError" in found["no-module"].error
    assert "AttributeError" in found["no-attr"].error and "Arhc" in found["no-attr"].error


def test_a_plugin_failing_the_protocol_is_reported_with_what_is_missing(make_dist):
    source = '''
        from rnnkit.plugins import Architecture

        class Half(Architecture):
            name = "half"
            kind = "many-to-some"
            summary = "only half written"

            def default_config(self):
                return {}
        '''
    make_dist("rnnkit-half", {"half": "rnnkit_test_half:Half"}, {"rnnkit_test_half": source})
    error = entries_by_name()["half"].error
    assert "does not follow the architecture protocol" in error
    for missing in ("build_model", "small_data", "evaluate", "baseline", "demo", "load_data"):
        assert f"does not implement {missing}()" in error
    assert "default_config" not in error
    assert "'many-to-some' is not one of" in error
    with pytest.raises(PluginError, match="rnnkit-half 1.0"):
        get("half")


def test_a_plugin_whose_name_attribute_differs_from_its_entry_point(make_dist):
    make_dist("rnnkit-renamed", {"registered": "rnnkit_test_renamed:Arch"},
              {"rnnkit_test_renamed": good_module("something-else")})
    error = entries_by_name()["registered"].error
    assert "registered as 'registered'" in error and "'something-else'" in error


def test_a_duplicate_name_keeps_one_and_reports_the_other(make_dist):
    make_dist("rnnkit-first", {"dup": "rnnkit_test_dup_a:Arch"},
              {"rnnkit_test_dup_a": good_module("dup")})
    make_dist("rnnkit-second", {"dup": "rnnkit_test_dup_b:Arch"},
              {"rnnkit_test_dup_b": good_module("dup")})
    dups = [e for e in discover() if e.name == "dup"]
    assert len(dups) == 2
    winner, loser = dups
    assert winner.error is None
    assert "already registered by" in loser.error and winner.package in loser.error
    assert {winner.package, loser.package} == {"rnnkit-first 1.0", "rnnkit-second 1.0"}
    # selecting the name gives the one that is kept, not the ignored duplicate
    assert type(get("dup")).__module__ == type(winner.load()).__module__


def test_the_winner_of_a_duplicate_does_not_depend_on_sys_path_order(make_dist):
    make_dist("rnnkit-zeta", {"dup2": "rnnkit_test_zeta:Arch"},
              {"rnnkit_test_zeta": good_module("dup2")})
    make_dist("rnnkit-alpha", {"dup2": "rnnkit_test_alpha:Arch"},
              {"rnnkit_test_alpha": good_module("dup2")})
    first = [e.package for e in discover() if e.name == "dup2"]
    sys.path.insert(len(sys.path), sys.path.pop(0))       # alpha's folder last instead of first
    try:
        second = [e.package for e in discover() if e.name == "dup2"]
    finally:
        sys.path.insert(0, sys.path.pop())
    assert first == second


def test_a_third_party_plugin_cannot_take_a_built_in_name(make_dist):
    make_dist("rnnkit-hijack", {"forecasting": "rnnkit_test_hijack:Arch"},
              {"rnnkit_test_hijack": good_module("forecasting")})
    entries = [e for e in discover() if e.name == "forecasting"]
    assert [e.package.split()[0] for e in entries] == ["rnnkit", "rnnkit-hijack"]
    assert "already registered by rnnkit" in entries[1].error


def test_the_same_distribution_seen_twice_is_listed_once(make_dist, tmp_path, monkeypatch):
    root = make_dist("rnnkit-twice", {"twice": "rnnkit_test_twice:Arch"},
                     {"rnnkit_test_twice": good_module("twice")})
    monkeypatch.syspath_prepend(str(root))          # the same folder a second time on sys.path
    assert [e.name for e in discover()].count("twice") == 1


def test_listing_is_sorted_and_includes_the_built_ins(make_dist):
    make_dist("rnnkit-order", {"zzz-last": "rnnkit_test_order:Arch", "aaa-first": "rnnkit_test_order:Arch",
                               "middle": "rnnkit_test_order:Arch"})
    listed = [e.name for e in discover()]
    assert listed == sorted(listed)
    assert listed[0] == "aaa-first" and listed[-1] == "zzz-last"
    assert set(BUILTINS) <= set(listed)
    assert plugins.names() == listed


def test_get_suggests_the_closest_name_and_lists_the_known_ones():
    with pytest.raises(PluginError) as info:
        get("pos-taging")
    message = str(info.value)
    assert "unknown architecture 'pos-taging'" in message
    assert "Did you mean 'pos-tagging'" in message
    for name in BUILTINS:
        assert name in message
    assert "rnnkit list" in message


def test_get_without_a_close_match_still_lists_the_known_ones():
    with pytest.raises(PluginError) as info:
        get("qqqqqqqq")
    assert "Did you mean" not in str(info.value) and "forecasting" in str(info.value)


def test_get_passes_an_architecture_object_through():
    from rnnkit.plugins import Architecture
    arch = Architecture()
    assert get(arch) is arch


# ---- the built-ins: registered through the same group, and each passes the kit -------------------
BUILTINS = ("char-lm", "delayed-recall", "forecasting", "image-caption", "pos-tagging",
            "text-classification", "translation")


def builtin_entries():
    return [e for e in discover() if e.value.startswith("rnnkit.builtins")]


def test_the_seven_built_ins_are_registered_through_the_entry_point_group():
    entries = builtin_entries()
    assert tuple(e.name for e in entries) == BUILTINS
    assert all(e.package.startswith("rnnkit ") for e in entries)


@pytest.mark.parametrize("name", [e.name for e in builtin_entries()] or list(BUILTINS))
def test_every_built_in_passes_the_conformance_kit(name):
    (entry,) = [e for e in builtin_entries() if e.name == name]
    arch = entry.load()       # a built-in that does not import fails here, naming the plugin
    check_architecture(arch).raise_on_failure()


# ---- the protocol is declared once: HOOKS and ATTRIBUTES ----------------------------------------

def test_protocol_tables_and_api_version():
    assert set(plugins.REQUIRED) == {"name", "kind", "summary", "default_config", "load_data",
                                     "small_data", "build_model", "evaluate", "baseline", "demo"}
    assert {h for h, hook in plugins.HOOKS.items() if not hook.required} == {
        "fit", "epoch_metrics", "encode", "encode_data", "predictions", "fetch", "data_info"}
    for name, hook in plugins.HOOKS.items():
        assert hook.call.startswith(name + "(") and callable(getattr(plugins.Architecture, name))
    major, minor = plugins.API_VERSION.split(".")
    assert major.isdigit() and minor.isdigit()
    assert all(hasattr(plugins, name) for name in plugins.__all__)


def hook_names_in_table(lines):
    """The hook names in the first column of a Markdown (| `name(...)` |) or reST (``name(...)``)
    table."""
    import re
    return [m.group(1) for line in lines
            for m in [re.match(r"^(?:\| `|``)(\w+)\(", line)] if m]


def test_the_guide_and_the_module_docstring_list_exactly_the_hooks():
    from pathlib import Path
    guide = (Path(__file__).resolve().parents[1] / "docs" / "plugins.md").read_text("utf-8")
    section = guide.split("### Which command calls which hook")[1].split("\n#")[0]
    assert hook_names_in_table(section.splitlines()) == list(plugins.HOOKS)
    required = [line.split("|")[2].strip() == "yes" for line in section.splitlines()
                if line.startswith("| `")]
    assert required == [hook.required for hook in plugins.HOOKS.values()]
    docstring = plugins.__doc__.split("hook  ")[1].split("Every hook")[0]
    assert hook_names_in_table(docstring.splitlines()) == list(plugins.HOOKS)


def test_protocol_problems_names_each_missing_required_hook():
    class Half(plugins.Architecture):
        name, kind, summary = "half", "many-to-one", "half an architecture"

        def default_config(self):
            return {}

    problems = plugins.protocol_problems(Half())
    missing = [h for h, hook in plugins.HOOKS.items() if hook.required and h != "default_config"]
    assert problems == [f"it does not implement {h}()" for h in missing]
    assert plugins.protocol_problems(type("NoName", (Half,), {"name": None})())[0] == \
        "it has no 'name'"


# ---- the default fit: epoch_metrics first, bucket_by_length passed on ------------------------

class RecordingModel:
    def fit(self, x, y, **kwargs):
        self.x, self.y, self.kwargs = x, y, kwargs
        return "history"


def test_default_fit_puts_epoch_metrics_first_and_honours_bucket_by_length():
    from rnnkit.callbacks import Callback, EpochMetric

    metric = EpochMetric("val_exact_match", lambda model: 0.5)

    class Bucketed(plugins.Architecture):
        bucket_by_length = True

        def epoch_metrics(self, model, data, config):
            return [metric]

    run_callback = Callback()
    data = plugins.Dataset(train=("x", "y"), test=("xt", "yt"), val=("xv", "yv"))
    model = RecordingModel()
    out = Bucketed().fit(model, data, {"epochs": 3, "batch_size": 5, "initial_epoch": 1},
                         callbacks=[run_callback])
    assert out == "history" and (model.x, model.y) == ("x", "y")
    assert model.kwargs == {"epochs": 3, "batch_size": 5, "validation_data": ("xv", "yv"),
                            "callbacks": [metric, run_callback], "verbose": 0,
                            "bucket_by_length": True, "initial_epoch": 1}
    plugins.Architecture().fit(model, data, {"epochs": 1, "batch_size": 2})
    assert model.kwargs["bucket_by_length"] is False and model.kwargs["callbacks"] == []


def test_an_epoch_metric_lands_in_every_row_of_a_real_fit():
    import numpy as np
    from rnnkit import Sequential
    from rnnkit.callbacks import EpochMetric
    from rnnkit.layers import Dense, SimpleRNN

    class Counting(plugins.Architecture):
        def epoch_metrics(self, model, data, config):
            calls = iter(range(1, 100))
            return [EpochMetric("val_calls", lambda model: next(calls))]

    x = np.random.default_rng(0).normal(size=(6, 3, 1))
    model = Sequential([SimpleRNN(2, input_shape=(3, 1)), Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    data = plugins.Dataset(train=(x, x[:, -1]), test=(x, x[:, -1]))
    history = Counting().fit(model, data, {"epochs": 3, "batch_size": 3})
    assert history.history["val_calls"] == [1.0, 2.0, 3.0]


# ---- discovery is cached ----------------------------------------------------------------------

def test_discovery_reads_the_entry_points_once_until_refreshed(monkeypatch):
    calls = []
    real = plugins.md.entry_points

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    plugins.refresh()
    monkeypatch.setattr(plugins.md, "entry_points", counting)
    first = [e.name for e in discover()]
    assert [e.name for e in discover()] == first and plugins.names() == first
    get("forecasting")
    assert len(calls) == 1
    plugins.refresh()
    discover()
    assert len(calls) == 2


def test_rnnkit_list_shows_each_architectures_cells():
    from click.testing import CliRunner
    from rnnkit.cli.listing import list_command

    out = CliRunner().invoke(list_command, []).output
    header = out.splitlines()[0]
    assert "CELLS" in header
    (line,) = [l for l in out.splitlines() if l.startswith("char-lm ")]
    assert "lstm,gru,rnn" in line
