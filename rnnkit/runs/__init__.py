"""Training runs: the public API behind ``rnnkit train`` (and ``--resume``), ``evaluate``,
``predict`` and ``summary``.

============== ===============================================================================
``config``     the complete config: defaults < ``--config`` file < options, validated
``folder``     :class:`RunFolder`, the one owner of every file name in a run folder; :class:`Run`
``checkpoint`` save and read the state that resumes a run exactly
``train``      :func:`train`: data, model, fit with checkpoints, metrics, figures
``precompile`` a first run's helper process: compiles the kernels while the data are loading
``load``       :func:`load_run`, :func:`evaluate_run`, :func:`predict_run` (and
               :func:`predict_run_json`), :func:`build_default_model`
============== ===============================================================================

Global settings change only inside ``rnnkit.config.scope``: no function here leaves the caller's
float type or random generator changed.

>>> run = train("forecasting", overrides={"epochs": 2})          # doctest: +SKIP
>>> run.metrics["test"], run.metrics["baseline"], run.path       # doctest: +SKIP
"""
from ..errors import ConfigError, RunError, TrainingInterrupted
from ..fileio import jsonable
from .checkpoint import read_checkpoint, save_checkpoint
from .config import (GENERIC_KEYS, RESUMABLE_KEYS, default_config, read_config_file,
                     resolve_config, stored_config, validate_config)
from .folder import Run, RunFolder
from .load import build_default_model, evaluate_run, load_run, predict_run, predict_run_json
from .train import INITIAL_EPOCH, train

__all__ = ["train", "load_run", "evaluate_run", "predict_run", "predict_run_json",
           "build_default_model",
           "resolve_config", "read_config_file", "validate_config", "default_config",
           "stored_config", "GENERIC_KEYS", "RESUMABLE_KEYS", "INITIAL_EPOCH",
           "Run", "RunFolder", "save_checkpoint", "read_checkpoint", "jsonable",
           "ConfigError", "RunError", "TrainingInterrupted"]
