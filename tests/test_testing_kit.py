"""The conformance kit (rnnkit.testing): it passes a small correct architecture, and each check
fails, with a message that says what is wrong, on an architecture broken in that one way."""
import numpy as np
import pytest

from rnnkit import Sequential
from rnnkit import config as rk_config
from rnnkit.layers import Dense, Embedding, SimpleRNN, recurrent_layer
from rnnkit.optimizers import Adam
from rnnkit.plugins import Architecture, Dataset
from rnnkit.testing import (CHECKS, Check, CheckReport, CheckResult, ConformanceError,
                            architecture_checks, check_architecture, kit_config,
                            parametrize_checks, run_check)


class SignOfSum(Architecture):
    """Many-to-one: is the sum of a short random sequence positive? A SimpleRNN and a sigmoid."""

    name = "sign-of-sum"
    kind = "many-to-one"
    summary = "is the sum of a sequence positive (SimpleRNN, generated data)"
    headline_metric = "accuracy"
    cells = ("rnn",)

    def default_config(self):
        return {"cell": "rnn", "units": 16, "epochs": 5, "batch_size": 32, "lr": 0.01, "seed": 0,
                "timesteps": 6}

    def _make(self, n, T, seed):
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(n, T, 1))
        y = (x.sum(axis=(1, 2)) > 0).astype(float)[:, None]
        return x, y

    def load_data(self, config, path=None, progress=None):
        return self.small_data(config)

    def small_data(self, config):
        T = config["timesteps"]
        return Dataset(train=self._make(48, T, 1), test=self._make(16, T, 2),
                       meta={"timesteps": T}, info={"source": "generated"})

    def output_layer(self):
        return Dense(1, activation="sigmoid")

    def build_model(self, config, meta):
        model = Sequential([SimpleRNN(config["units"], input_shape=(meta["timesteps"], 1)),
                            self.output_layer()])
        model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=config["lr"]),
                      metrics=["accuracy"])
        return model

    def evaluate(self, model, data):
        loss, acc = model.evaluate(*data.test)
        return {"accuracy": float(acc), "loss": float(loss)}

    def baseline(self, data):
        y = data.test[1]
        return {"accuracy": float(max(y.mean(), 1 - y.mean()))}

    def demo(self, model, meta, inputs=None):
        x = np.array([[1.0], [-0.5], [0.25]] + [[0.0]] * (meta["timesteps"] - 3))[None]
        p = float(model.predict(x)[0, 0])
        return f"sum of [1, -0.5, 0.25, 0...] is positive with probability {p:.2f}"


def test_the_kit_passes_a_correct_architecture():
    report = check_architecture(SignOfSum())
    assert isinstance(report, CheckReport)
    assert [r.name for r in report] == list(CHECKS)
    assert report.passed, str(report)
    assert report.raise_on_failure() is report
    assert all(isinstance(r, CheckResult) and r.passed and r.message == "" for r in report)
    text = str(report)
    assert "'sign-of-sum'" in text and "11 passed, 0 failed, 1 skipped" in text


def test_the_kit_accepts_a_class_and_leaves_global_settings_alone():
    with rk_config.scope(seed=123):
        expected = rk_config.rng().random()
    with rk_config.scope(floatx="float32", seed=123):
        report = check_architecture(SignOfSum, checks=["gradients_match_finite_differences"])
        assert report.passed, str(report)
        assert rk_config.floatx() == "float32"
        assert rk_config.rng().random() == expected


def test_the_kit_config_lowers_sizes_and_config_overrides_it():
    cfg = kit_config(SignOfSum())
    assert (cfg["units"], cfg["epochs"], cfg["batch_size"]) == (8, 1, 16)
    assert cfg["lr"] == 0.01 and cfg["timesteps"] == 6
    assert kit_config(SignOfSum(), {"units": 3, "timesteps": 4})["units"] == 3


# The pytest helper, used exactly as a plugin author would use it.
@pytest.mark.parametrize("check", architecture_checks(SignOfSum()), ids=str)
def test_conformance_through_the_pytest_helper(check):
    check()


@parametrize_checks(SignOfSum(), config={"units": 4})
def test_conformance_through_the_decorator(check):
    assert check().passed


def test_check_ids_are_the_check_names():
    checks = architecture_checks(SignOfSum())
    assert [str(c) for c in checks] == list(CHECKS)
    assert all(isinstance(c, Check) for c in checks)


# ---- broken architectures: each fails its check with a message that says what to do ---------------
def failing(arch, name, config=None):
    """Run one check, assert it fails, return its message."""
    result = run_check(arch, name, config)
    assert not result.passed, f"{name} should have failed"
    assert result.message
    return result.message


class NoDemo(SignOfSum):
    demo = None


class WrongKind(SignOfSum):
    kind = "many-to-few"


class ConfigWithoutLr(SignOfSum):
    def default_config(self):
        cfg = super().default_config()
        del cfg["lr"]
        return cfg


class ConfigNotJson(SignOfSum):
    def default_config(self):
        return dict(super().default_config(), units=np.array(16))


def test_api_complete_names_a_missing_method():
    message = failing(NoDemo(), "api_complete")
    assert "'demo'" in message and "protocol" in message


def test_api_complete_rejects_an_unknown_kind():
    message = failing(WrongKind(), "api_complete")
    assert "many-to-few" in message and "many-to-one" in message


def test_api_complete_requires_the_training_keys():
    message = failing(ConfigWithoutLr(), "api_complete")
    assert "lacks lr" in message and "--lr" in message


def test_api_complete_requires_a_json_config():
    message = failing(ConfigNotJson(), "api_complete")
    assert "JSON" in message and "units" in message and "ndarray" in message


class UnevenData(SignOfSum):
    def small_data(self, config):
        data = super().small_data(config)
        x, y = data.test
        data.test = (x, y[:-3])
        return data


class ArrayMeta(SignOfSum):
    def small_data(self, config):
        data = super().small_data(config)
        data.meta["scale"] = np.ones(3)
        return data


class TupleData(SignOfSum):
    def small_data(self, config):
        return super().small_data(config).train


def test_small_data_shapes_reports_mismatched_counts():
    message = failing(UnevenData(), "small_data_shapes")
    assert "Dataset.test" in message and "x has 16" in message and "y has 13" in message


def test_small_data_shapes_reports_meta_that_is_not_json():
    message = failing(ArrayMeta(), "small_data_shapes")
    assert "meta['scale']" in message and ".tolist()" in message


def test_small_data_must_be_a_dataset():
    message = failing(TupleData(), "small_data_shapes")
    assert "not a rnnkit.plugins.Dataset" in message


class Uncompiled(SignOfSum):
    def build_model(self, config, meta):
        return Sequential([SimpleRNN(4, input_shape=(meta["timesteps"], 1)), Dense(1)])


class SequenceOut(SignOfSum):
    def build_model(self, config, meta):
        model = Sequential([SimpleRNN(4, return_sequences=True, input_shape=(meta["timesteps"], 1)),
                            Dense(1, activation="sigmoid")])
        model.compile(loss="binary_crossentropy")
        return model


def test_model_builds_requires_a_compiled_model():
    message = failing(Uncompiled(), "model_builds")
    assert "not compiled" in message and "compile(" in message


def test_model_builds_checks_the_output_shape_of_the_kind():
    message = failing(SequenceOut(), "model_builds")
    assert "many-to-one" in message and "(48, 6, 1)" in message


class HalfGradientDense(Dense):
    """A Dense whose backward reports half the true gradient of its kernel: a typical BPTT slip."""

    def backward(self, dy, fused=False):
        dx = super().backward(dy, fused=fused)
        self.grads["V"] *= 0.5
        return dx


class WrongGradient(SignOfSum):
    def output_layer(self):
        return HalfGradientDense(1, activation="sigmoid")


def test_gradient_check_finds_a_backward_off_by_a_factor():
    message = failing(WrongGradient(), "gradients_match_finite_differences")
    assert "dense/kernel" in message and "finite differences" in message
    assert "relative error 3.3" in message          # |a - n| / (|a| + |n|) = 1/3 for a = n / 2
    assert "backward" in message
    # the rest of that model is fine: the other checks do not blame anything else
    assert run_check(WrongGradient(), "model_builds").passed


class NotLearning(SignOfSum):
    def build_model(self, config, meta):
        model = super().build_model(config, meta)
        model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=1e-30))
        return model


def test_training_lowers_loss_fails_when_nothing_learns():
    message = failing(NotLearning(), "training_lowers_loss")
    assert "did not lower" in message and "learning rate" in message


class CustomLayerModel(SignOfSum):
    """Its model uses a layer class load_model cannot rebuild: it trains but does not load."""

    def output_layer(self):
        class MyDense(Dense):
            pass
        return MyDense(1, activation="sigmoid")


def test_save_load_round_trip_fails_for_a_model_that_does_not_load():
    message = failing(CustomLayerModel(), "save_load_round_trip")
    assert "load_model" in message and "MyDense" in message and "data, never code" in message
    assert run_check(CustomLayerModel(), "gradients_match_finite_differences").passed


class ForgetfulDense(Dense):
    """Saves its config but a different activation comes back: predictions change after loading."""

    def get_config(self):
        return dict(super().get_config(), activation="linear")


class LosesSettings(SignOfSum):
    def output_layer(self):
        layer = ForgetfulDense(1, activation="sigmoid")
        type(layer).__name__ = "Dense"        # pass load_model's class lookup, lose the setting
        return layer


def test_save_load_round_trip_detects_changed_predictions():
    message = failing(LosesSettings(), "save_load_round_trip")
    assert "differ" in message and "get_config()" in message


class StringMetrics(SignOfSum):
    def evaluate(self, model, data):
        return {"accuracy": "93%"}


class BaselineWithoutHeadline(SignOfSum):
    def baseline(self, data):
        return {"acc": 0.5}


def test_evaluate_must_return_floats():
    message = failing(StringMetrics(), "evaluate_and_baseline")
    assert "'accuracy' is '93%'" in message and "float(" in message


def test_baseline_must_report_the_headline_metric():
    message = failing(BaselineWithoutHeadline(), "evaluate_and_baseline")
    assert "baseline(data)" in message and "'accuracy'" in message and "'acc'" in message


class SilentDemo(SignOfSum):
    def demo(self, model, meta, inputs=None):
        return ""


class CrashingDemo(SignOfSum):
    def small_data(self, config):
        data = super().small_data(config)
        data.meta["labels"] = {0: "negative", 1: "positive"}
        return data

    def demo(self, model, meta, inputs=None):
        return meta["labels"][1]       # int keys come back from JSON as strings


def test_demo_must_return_text():
    message = failing(SilentDemo(), "demo_runs")
    assert "empty string" in message


def test_demo_gets_meta_as_it_comes_back_from_json():
    message = failing(CrashingDemo(), "demo_runs")
    assert "KeyError" in message and "JSON" in message and "test_testing_kit.py" in message


def test_a_failing_check_does_not_stop_the_others():
    report = check_architecture(SilentDemo())
    assert not report.passed
    assert [r.name for r in report.failures] == ["demo_runs"]
    assert report["model_builds"].passed
    assert "FAIL  demo_runs" in str(report) and "10 passed, 1 failed, 1 skipped" in str(report)
    with pytest.raises(ConformanceError, match="empty string"):
        report.raise_on_failure()


def test_a_check_callable_raises_an_assertion_with_the_reason():
    (check,) = [c for c in architecture_checks(SilentDemo()) if c.name == "demo_runs"]
    with pytest.raises(AssertionError, match="demo_runs failed for architecture 'sign-of-sum'"):
        check()


def test_a_broken_small_data_fails_the_checks_that_need_it_with_the_cause():
    class Boom(SignOfSum):
        def small_data(self, config):
            raise RuntimeError("no network")

    report = check_architecture(Boom())
    assert report["api_complete"].passed
    for r in report.failures:
        assert "small_data(config) raised RuntimeError: no network" in r.message
    assert len(report.failures) == len(CHECKS) - 1


class PairInputs(SignOfSum):
    """x as [x_encoder, x_decoder] pairs of different shapes, as an EncoderDecoder takes."""

    kind = "encoder-decoder"

    def small_data(self, config):
        rng = np.random.default_rng(0)
        pair = [rng.normal(size=(10, 48)), rng.integers(0, 5, size=(10, 4))]
        return Dataset(train=(pair, np.zeros((10, 4))), test=(pair, np.zeros((10, 4))))


class PairWithShortDecoder(PairInputs):
    def small_data(self, config):
        data = super().small_data(config)
        (x_enc, x_dec), y = data.train
        data.train = ([x_enc, x_dec[:7]], y)
        return data


class EncoderDecoderWithoutPair(PairInputs):
    def small_data(self, config):
        return SignOfSum.small_data(self, config)


def test_small_data_shapes_reads_pairs_of_inputs():
    assert run_check(PairInputs(), "small_data_shapes").passed
    message = failing(PairWithShortDecoder(), "small_data_shapes")
    assert "Dataset.train" in message and "x[1] has 7" in message and "y has 10" in message
    message = failing(EncoderDecoderWithoutPair(), "small_data_shapes")
    assert "[x_encoder, x_decoder]" in message


# ---- the checks of the path users take: each fails on a toy broken in that one way ---------------
class MissingCell(SignOfSum):
    """Lists a GRU among its cells but cannot build one."""
    cells = ("rnn", "gru")

    def build_model(self, config, meta):
        layer = {"rnn": SimpleRNN}[config["cell"]]
        model = Sequential([layer(config["units"], input_shape=(meta["timesteps"], 1)),
                            self.output_layer()])
        model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=config["lr"]))
        return model


class IgnoresUnits(SignOfSum):
    def build_model(self, config, meta):
        return super().build_model(dict(config, units=4), meta)


class IgnoresCell(SignOfSum):
    cells = ("rnn", "lstm")


class VariesWithConfig(SignOfSum):
    cells = ("rnn", "lstm", "gru")

    def build_model(self, config, meta):
        model = Sequential([recurrent_layer(config["cell"], config["units"],
                                            input_shape=(meta["timesteps"], 1)),
                            self.output_layer()])
        model.compile(loss="binary_crossentropy", optimizer=Adam(learning_rate=config["lr"]))
        return model


def test_every_cell_builds_names_the_cell_that_does_not():
    message = failing(MissingCell(), "every_cell_builds")
    assert "cell='gru'" in message and "KeyError" in message and "cells" in message
    assert run_check(VariesWithConfig(), "every_cell_builds").passed


def test_config_changes_model_finds_ignored_units_and_cells():
    message = failing(IgnoresUnits(), "config_changes_model")
    assert "units=11" in message and "ignores config['units']" in message   # kit units 8, + 3
    message = failing(IgnoresCell(), "config_changes_model")
    assert "cell='lstm'" in message and "ignores config['cell']" in message
    result = run_check(VariesWithConfig(), "config_changes_model")
    assert result.passed and not result.skipped


class TokenCount(SignOfSum):
    """Many-to-one on token ids 1-4 (0 is padding): how many 1s? Embedding(mask_zero) + RNN."""

    recurrent = SimpleRNN

    def _make(self, n, T, seed):
        rng = np.random.default_rng(seed)
        x = rng.integers(1, 5, size=(n, T))            # no padding in the data itself
        return x, (x == 1).sum(axis=1, keepdims=True) / T

    def build_model(self, config, meta):
        model = Sequential([Embedding(5, 3, mask_zero=True, input_shape=(meta["timesteps"],)),
                            self.recurrent(config["units"]), Dense(1)])
        model.compile(loss="mse", optimizer=Adam(learning_rate=config["lr"]))
        return model


class MaskBlindRNN(SimpleRNN):
    """Its backward pass forgets the mask: padded steps get the gradient of real ones."""

    def backward(self, dy, *args, **kwargs):
        self._M = np.ones_like(self._M)
        return super().backward(dy, *args, **kwargs)


class MaskBlindTokenCount(TokenCount):
    recurrent = MaskBlindRNN


def test_masked_gradients_catch_a_backward_pass_that_ignores_padding():
    # without padding the broken layer is right, so only the masked check can see the bug
    assert run_check(MaskBlindTokenCount(), "gradients_match_finite_differences").passed
    message = failing(MaskBlindTokenCount(), "masked_gradients_match_finite_differences")
    assert "simple_rnn/" in message and "padding id 0" in message
    assert "Padded steps must carry the state" in message
    result = run_check(TokenCount(), "masked_gradients_match_finite_differences")
    assert result.passed and not result.skipped


def test_skips_carry_their_reason_into_the_report():
    report = check_architecture(SignOfSum(), checks=["masked_gradients_match_finite_differences",
                                                     "demo_runs"])
    assert report.passed and [r.name for r in report.skips] == [
        "masked_gradients_match_finite_differences"]
    assert "not token ids" in report.skips[0].skip_reason
    lines = str(report).splitlines()
    assert "1 passed, 0 failed, 1 skipped" in lines[0]
    assert lines[1].lstrip().startswith("skip  masked_gradients") and "not token ids" in lines[1]
    assert lines[2].lstrip().startswith("pass  demo_runs")


class StatefulBuild(SignOfSum):
    """build_model reads what small_data left on the instance: a fresh process has no such thing."""

    def small_data(self, config):
        self.timesteps = config["timesteps"]
        return super().small_data(config)

    def build_model(self, config, meta):
        return super().build_model(config, {"timesteps": self.timesteps})


class DemoCrashesOnUserInput(SignOfSum):
    def demo(self, model, meta, inputs=None):
        if inputs:
            return {"yes": "positive"}[inputs[0]]     # KeyError for anything typed
        return super().demo(model, meta)


class EncodeCrashes(SignOfSum):
    def encode(self, meta, text):
        return np.zeros((1, meta["timesteps"], 1)), list(text)[meta["timesteps"]]   # IndexError


class EncodesText(SignOfSum):
    def encode(self, meta, text):
        values = [float(len(w)) for w in text.split()][:meta["timesteps"]]
        if not values:
            raise ValueError("give some words")
        x = np.zeros((1, meta["timesteps"], 1))
        x[0, :len(values), 0] = values
        return x, text.split()[:meta["timesteps"]]


def test_run_folder_round_trip_rebuilds_the_model_in_a_fresh_instance():
    assert run_check(StatefulBuild(), "model_builds").passed
    message = failing(StatefulBuild(), "run_folder_round_trip")
    assert "rnnkit evaluate" in message and "AttributeError" in message and "timesteps" in message
    assert "fresh instance" in message


def test_run_folder_round_trip_feeds_demo_and_encode_user_inputs():
    assert run_check(DemoCrashesOnUserInput(), "demo_runs").passed
    message = failing(DemoCrashesOnUserInput(), "run_folder_round_trip")
    assert "rnnkit predict RUN 'hello world'" in message and "KeyError" in message
    assert "traceback" in message
    message = failing(EncodeCrashes(), "run_folder_round_trip")
    assert "encode(meta, '7') raised IndexError" in message      # one character: no [6]
    assert run_check(EncodesText(), "run_folder_round_trip").passed


def test_the_kit_hands_plugins_a_complete_config():
    seen = []

    class Recording(SignOfSum):
        def build_model(self, config, meta):
            seen.append(dict(config))
            return super().build_model(config, meta)

    assert run_check(Recording(), "model_builds").passed
    assert seen and set(seen[0]) >= {"floatx", "clipnorm", "clipvalue", "timesteps", "cell"}
    assert seen[0]["floatx"] == "float32" and seen[0]["units"] == 8


NEW_CHECKS = ["every_cell_builds", "config_changes_model",
              "masked_gradients_match_finite_differences", "run_folder_round_trip"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["char-lm", "forecasting", "pos-tagging", "text-classification"])
def test_the_new_checks_pass_on_the_builtins(name):
    # image-caption and translation run the whole kit in their own test modules
    report = check_architecture(name, checks=NEW_CHECKS)
    assert report.passed, str(report)
    token_inputs = name in ("pos-tagging", "text-classification")
    assert bool(report.skips) == (not token_inputs), str(report)
