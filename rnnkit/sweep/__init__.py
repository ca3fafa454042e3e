"""Sweeps: many runs of one architecture at once, on Dask (``rnnkit sweep``).

============ ===============================================================================
``spec``     the spec (grid, random samples, fixed config) and its checked :class:`Point` list
``worker``   what a Dask worker runs: one point as an ordinary run folder, the kernel warm-up
``engine``   :func:`run_sweep`: the local or remote cluster, the fan-out, faults and Ctrl-C
``results``  the sweep folder's files (spec.json, results.json, results.csv) and the table of
             mean and spread over seeds
============ ===============================================================================

Only configs (JSON-able dicts) travel to the workers, never models. Dask is an optional extra
(``pip install "rnnkit[sweep]"``); this package imports it only when a sweep runs.

>>> sweep = run_sweep(make_spec("forecasting", grid={"cell": ["rnn", "gru"], "seed": [0, 1]},
...                             config={"epochs": 20}), out_dir="sweeps/cells")  # doctest: +SKIP
>>> [(p["varied"], p["headline"]["value"]) for p in sweep.points]             # doctest: +SKIP
"""
from ..errors import SweepError, SweepInterrupted
from .engine import Sweep, local_workers, run_sweep
from .results import (RESULTS_CSV, RESULTS_JSON, SPEC, group_over_seeds, mean_and_spread,
                      read_results, summary_rows)
from .spec import Point, expand, make_spec, parse_assignment, parse_space, read_spec_file
from .worker import STATUSES, run_point, warm_kernels

__all__ = ["run_sweep", "Sweep", "local_workers", "make_spec", "expand", "Point",
           "parse_assignment", "parse_space", "read_spec_file", "read_results", "summary_rows",
           "group_over_seeds", "mean_and_spread", "run_point", "warm_kernels", "STATUSES",
           "SPEC", "RESULTS_JSON", "RESULTS_CSV", "SweepError", "SweepInterrupted"]
