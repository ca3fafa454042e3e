"""The conformance kit for architecture plugins: does an architecture keep rnnkit's promises?

Like scikit-learn's ``check_estimator``, the kit is a list of independent, named checks. Each one
builds what it needs from scratch (small data, a fresh model), so any check can run alone, and
each failure says in plain words what is wrong and what to do about it; a check that does not
apply to an architecture is skipped with the reason.

============================================  ===================================================
check                                         what it asks of the architecture
============================================  ===================================================
``api_complete``                              the protocol is implemented; ``kind`` is valid;
                                              ``default_config()`` has the required keys
                                              (``rnnkit.plugins.REQUIRED_CONFIG_KEYS``) and is
                                              JSON-serialisable
``small_data_shapes``                         ``small_data(config)`` returns a Dataset whose x and
                                              y have matching sample counts; ``meta`` is
                                              JSON-serialisable
``model_builds``                              ``build_model(config, meta)`` gives a compiled model
                                              with parameters whose predictions have the expected
                                              shape
``every_cell_builds``                         every entry of ``cells`` builds a model that
                                              predicts (skipped without cells)
``config_changes_model``                      another ``cell`` and other ``units`` give other
                                              layers or weight shapes
``gradients_match_finite_differences``        in float64, ``model.gradients`` matches centred
                                              finite differences (:mod:`rnnkit.gradcheck`)
``masked_gradients_match_finite_differences`` the same on token inputs with padding (id 0);
                                              skipped when the inputs are not token ids
``training_lowers_loss``                      a few ``train_on_batch`` steps lower the loss on a
                                              batch, and the architecture's ``fit`` runs
``save_load_round_trip``                      ``model.save`` then ``rnnkit.load_model`` predicts
                                              the same
``evaluate_and_baseline``                     both return dicts of floats holding
                                              ``headline_metric``
``demo_runs``                                 ``demo(model, meta)`` returns a non-empty string
``run_folder_round_trip``                     one epoch of ``rnnkit train`` into a run folder;
                                              ``rnnkit evaluate`` and ``rnnkit predict`` on it (a
                                              fresh instance rebuilds the model from the stored
                                              config and meta); ``demo`` and ``encode`` answer
                                              user inputs or refuse them with a message
============================================  ===================================================

From the command line: ``rnnkit check NAME`` (``--check CHECK`` runs one). From Python::

    from rnnkit.testing import check_architecture
    report = check_architecture(MyArch())
    print(report)                 # one line per check: pass, FAIL with the reason, skip with why
    report.raise_on_failure()

or turn each check into a test case of your own suite::

    import pytest
    from rnnkit.testing import architecture_checks

    @pytest.mark.parametrize("check", architecture_checks(MyArch()), ids=str)
    def test_conformance(check):
        check()

The kit runs on ``arch.small_data(config)`` with a *kit config*: the complete config ``rnnkit
train`` would hand the architecture (the generic keys of ``rnnkit.runs.GENERIC_KEYS``, then
``default_config()`` with sizes lowered, see :data:`KIT_SIZES`, then your ``config`` overrides on
top, validated), so ``check_architecture(arch, config={"cell": "gru", "units": 4})`` checks the
GRU variant. As in ``rnnkit train``, ``build_model`` and ``demo`` receive ``meta`` as read back
from JSON (see :func:`stored_meta`). Every check runs inside ``rnnkit.config.scope`` with the
config's float type and seed (the gradient checks in float64), so the caller's float type and
random generator are left as they were.

The same kit for a recurrent *cell* (one step, forward and backward, for ``rnnkit.layers.RNN``):
``check_cell(cell)`` and ``rnnkit check --cell module:Class`` (:mod:`~rnnkit.testing.cells`).

The package: :mod:`~rnnkit.testing.report` (results), :mod:`~rnnkit.testing.helpers` (what the
checks share), :mod:`~rnnkit.testing.checks` (the checks), :mod:`~rnnkit.testing.runner`
(running them).
"""
from ..errors import CheckFailed, ConformanceError
from .cells import CELL_CHECKS, check_cell
from .checks import CHECKS, USER_INPUTS
from .helpers import KIT_SIZES, kit_config, stored_meta
from .report import CheckReport, CheckResult
from .runner import Check, architecture_checks, check_architecture, parametrize_checks, run_check

__all__ = ["check_architecture", "check_cell", "CELL_CHECKS", "architecture_checks", "parametrize_checks", "run_check",
           "kit_config", "stored_meta", "CheckResult", "CheckReport", "Check", "CheckFailed",
           "ConformanceError", "CHECKS", "KIT_SIZES", "USER_INPUTS"]
