"""A sweep's spec and its points: which configs of one architecture to train.

A spec is a JSON object (it is also what ``SWEEP_DIR/spec.json`` holds, so a sweep can be run
again from its own folder)::

    {"arch": "forecasting",
     "grid": {"cell": ["rnn", "lstm", "gru"], "seed": [0, 1, 2]},
     "random": {"samples": 4, "seed": 0,
                "space": {"lr": {"loguniform": [0.0003, 0.03]}, "units": [8, 16, 32]}},
     "config": {"epochs": 50}}

``grid`` (key -> values) is crossed in full; ``random`` (optional) draws ``samples`` settings of
its ``space`` (a list of choices, or ``{"uniform": [lo, hi]}`` / ``{"loguniform": [lo, hi]}``)
with its own ``seed``, and each sample is crossed with the grid; ``config`` holds fixed
hyperparameters for every point. Every key is one of the architecture's config keys
(``rnnkit.runs.default_config``).

:func:`expand` checks the whole spec before anything starts (unknown keys, empty value lists,
values of the wrong type, invalid values) and returns the :class:`Point` list, each with its
complete resolved config and its folder name inside the sweep folder.
"""
import itertools
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from .. import plugins
from ..errors import ConfigError
from ..runs import default_config, resolve_config

#: The keys a spec may hold.
SPEC_KEYS = ("arch", "grid", "random", "config")
#: The distributions a random space may draw a number from (choices are a plain list).
DISTRIBUTIONS = ("uniform", "loguniform")


@dataclass
class Point:
    """One run of a sweep: its folder name, the values it varies, and its complete config."""
    name: str
    varied: dict
    config: dict


def make_spec(arch, grid=None, random=None, config=None):
    """A spec (see the module docstring) from its parts; ``arch`` is the architecture's name."""
    spec = {"arch": arch, "grid": dict(grid or {})}
    if random:
        spec["random"] = random
    spec["config"] = dict(config or {})
    return spec


def parse_assignment(text, option):
    """``"key=v1,v2,..."`` from a command-line ``option`` as ``(key, [values])``; each value is
    read as JSON when it is JSON (``0`` an int, ``0.01`` a float, ``null``) and as text
    otherwise (``lstm``)."""
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ConfigError(f"{option} {text!r} is not KEY=VALUES; write e.g. {option} "
                          f"cell=rnn,lstm,gru")
    parts = [v.strip() for v in values.split(",")] if values.strip() else []
    if not parts or any(p == "" for p in parts):
        raise ConfigError(f"{option} {key}= has an empty value; give one or more values "
                          f"separated by commas, e.g. {option} {key}=1,2,3")
    return key, [_value(p) for p in parts]


def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_space(text):
    """A ``--sample`` value: ``key=v1,v2`` (choices), ``key=uniform(lo,hi)`` or
    ``key=loguniform(lo,hi)``; returns ``(key, space entry)``."""
    key, sep, rest = text.partition("=")
    match = re.fullmatch(r"\s*(uniform|loguniform)\(\s*([^,]+),\s*([^,)]+)\)\s*", rest)
    if sep and key.strip() and match:
        return key.strip(), {match[1]: [_value(match[2]), _value(match[3])]}
    return parse_assignment(text, "--sample")


def read_spec_file(path):
    """A spec from a JSON file (missing or malformed files: a :class:`ConfigError`)."""
    from ..runs import read_config_file     # the same messages as a --config file's
    return read_config_file(path)


def expand(spec):
    """Every :class:`Point` of ``spec``, checked: a :class:`ConfigError` names the first problem
    (and what to write instead) before any run starts."""
    spec = _checked_shape(spec)
    arch = plugins.get(spec["arch"])
    defaults = default_config(arch)
    grid, random, fixed = spec["grid"], spec.get("random"), spec["config"]
    space = random["space"] if random else {}
    for where, keys in (("grid", grid), ("random space", space), ("config", fixed)):
        unknown = sorted(set(keys) - set(defaults))
        if unknown:
            raise ConfigError(f"unknown key{'s' if len(unknown) > 1 else ''} "
                              f"{', '.join(map(repr, unknown))} in the sweep's {where}; "
                              f"{arch.name}'s config keys are {', '.join(sorted(defaults))}")
    twice = sorted((set(grid) & set(space)) | ((set(grid) | set(space)) & set(fixed)))
    if twice:
        raise ConfigError(f"{', '.join(map(repr, twice))} appear{'s' if len(twice) == 1 else ''} "
                          f"in more than one of grid, random space and config; give each key "
                          f"once")
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"grid key {key!r} has no values; give a non-empty list, e.g. "
                              f"--grid {key}={defaults[key]}")
        for value in values:
            _check_type(key, value, defaults[key])
    for key, value in fixed.items():
        _check_type(key, value, defaults[key])
    samples = _samples(random, defaults) if random else [{}]
    points = []
    for k, sample in enumerate(samples):
        for combo in itertools.product(*grid.values()):
            grid_values = dict(zip(grid, combo))
            varied = dict(sample, **grid_values)
            name = _name(grid_values, k if random else None)
            try:
                config = resolve_config(arch, overrides=dict(fixed, **varied))
            except ConfigError as err:
                raise ConfigError(f"sweep point {name}: {err}") from None
            points.append(Point(name, varied, config))
    names = [p.name for p in points]
    if len(set(names)) != len(names):
        raise ConfigError("two points of the grid get the same folder name (values that differ "
                          "only in punctuation); make the values distinct")
    return points


def _checked_shape(spec):
    if not isinstance(spec, dict):
        raise ConfigError(f"a sweep spec is a JSON object, not a {type(spec).__name__}")
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ConfigError(f"unknown entr{'ies' if len(unknown) > 1 else 'y'} "
                          f"{', '.join(map(repr, unknown))} in the sweep spec; it holds "
                          f"{', '.join(SPEC_KEYS)}")
    if not isinstance(spec.get("arch"), str):
        raise ConfigError('the sweep spec names no architecture; give "arch" (or --arch NAME)')
    spec = dict(spec, grid=spec.get("grid") or {}, config=spec.get("config") or {})
    for part in ("grid", "config"):
        if not isinstance(spec[part], dict):
            raise ConfigError(f'the sweep spec\'s "{part}" must be a JSON object of '
                              f'hyperparameters')
    random = spec.get("random")
    if random is not None:
        if (not isinstance(random, dict) or not isinstance(random.get("space"), dict)
                or not random["space"] or not _is_count(random.get("samples"))):
            raise ConfigError('the sweep spec\'s "random" must be {"samples": N > 0, "seed": S, '
                              '"space": {KEY: [choices] or {"uniform": [lo, hi]}}}; with the '
                              'command line: --samples N --sample KEY=...')
    if not spec["grid"] and random is None:
        raise ConfigError("the sweep varies nothing; give at least one --grid KEY=V1,V2 (or "
                          "--sample with --samples N)")
    return spec


def _is_count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n > 0


def _kind(value):
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _check_type(key, value, default):
    """``value`` must have the type of the key's default (an integer passes for a number; any
    value for a key whose default is null), and be null only where the default is."""
    if default is None:
        return
    want, got = _kind(default), _kind(value)
    if got == want or (want == "a number" and got == "an integer"):
        return
    hint = (" (null cannot replace a set default in a sweep; leave the key out)"
            if value is None else "")
    raise ConfigError(f"{key}={value!r} is {got}, but {key} takes {want} (its default is "
                      f"{default!r}){hint}")


def _samples(random, defaults):
    """``random["samples"]`` draws from ``random["space"]``, reproducible by ``random["seed"]``."""
    rng = np.random.default_rng(random.get("seed", 0))
    for key, entry in random["space"].items():
        _check_space(key, entry, defaults[key])
    draws = []
    for _ in range(random["samples"]):
        draw = {}
        for key, entry in random["space"].items():
            if isinstance(entry, list):
                draw[key] = entry[int(rng.integers(len(entry)))]
            else:
                (kind, (lo, hi)), = entry.items()
                u = rng.uniform(math.log(lo), math.log(hi)) if kind == "loguniform" else \
                    rng.uniform(lo, hi)
                value = math.exp(u) if kind == "loguniform" else u
                draw[key] = round(value) if _kind(defaults[key]) == "an integer" else \
                    float(f"{value:.4g}")
        draws.append(draw)
    return draws


def _check_space(key, entry, default):
    if isinstance(entry, list):
        if not entry:
            raise ConfigError(f"random space key {key!r} has no values; give a non-empty list")
        for value in entry:
            _check_type(key, value, default)
        return
    bounds = next(iter(entry.values()), None) if isinstance(entry, dict) else None
    if (not isinstance(entry, dict) or len(entry) != 1 or next(iter(entry)) not in DISTRIBUTIONS
            or not isinstance(bounds, list) or len(bounds) != 2
            or not all(_kind(b) in ("an integer", "a number") for b in bounds)
            or not bounds[0] < bounds[1]
            or (next(iter(entry)) == "loguniform" and bounds[0] <= 0)):
        raise ConfigError(f"random space key {key!r}: {entry!r} is not a list of choices, "
                          f"{{\"uniform\": [lo, hi]}} or {{\"loguniform\": [lo, hi]}} with "
                          f"lo < hi (lo > 0 for loguniform)")
    if _kind(default) not in ("an integer", "a number"):
        raise ConfigError(f"random space key {key!r} takes {_kind(default)}; draw it from a list "
                          f"of choices, not a range")


def _name(grid_values, sample):
    """A folder name that says what the point varies: ``cell-lstm_seed-1``, ``sample-03_seed-1``
    for random samples (their drawn values are in ``varied``); characters a shell would trip on
    become ``-``."""
    parts = [f"sample-{sample:02d}"] if sample is not None else []
    parts += [f"{key}-{value}" for key, value in grid_values.items()]
    return "_".join(re.sub(r"[^A-Za-z0-9.+-]+", "-", part) for part in parts)
