"""delayed-recall: generated sequences whose target is their first symbol, a chance baseline, and
a model that can only succeed by remembering step 1."""
import numpy as np
import pytest

from rnnkit import plugins
from rnnkit.errors import ConfigError, DataError, InputError
from rnnkit.testing import architecture_checks

ARCH = plugins.get("delayed-recall")


def config(**changes):
    return dict(ARCH.default_config(), clipnorm=None, clipvalue=None, **changes)


def test_the_target_is_the_first_symbol_after_length_minus_one_distractors():
    data = ARCH.load_data(config(length=7, symbols=3, samples=50))
    x, y = data.train
    assert x.shape == (40, 7, 3) and len(data.val[0]) == 5 and len(data.test[0]) == 5
    assert np.all(x.sum(axis=-1) == 1)                          # one-hot at every step
    np.testing.assert_array_equal(y, np.argmax(x[:, 0], axis=-1))
    assert data.meta == {"alphabet": "ABC", "length": 7}
    # the distractors are drawn from the same alphabet: later steps say nothing about the target
    assert len(np.unique(np.argmax(x[:, 1:], axis=-1))) == 3


def test_the_seed_and_the_length_choose_the_data():
    a = ARCH.load_data(config(seed=1, samples=30)).train[0]
    b = ARCH.load_data(config(seed=1, samples=30)).train[0]
    c = ARCH.load_data(config(seed=2, samples=30)).train[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert ARCH.load_data(config(length=40, samples=30)).train[0].shape[1] == 40


def test_the_baseline_is_chance_the_most_frequent_first_symbol():
    data = ARCH.load_data(config(symbols=4, samples=400))
    guess = np.bincount(data.train[1], minlength=4).argmax()
    expected = np.mean(data.test[1] == guess)
    assert ARCH.baseline(data) == {"accuracy": pytest.approx(expected)}
    assert 0.1 < expected < 0.45                               # about 1/4


def test_a_model_that_remembers_step_one_is_perfect():
    """evaluate scores the test sequences' first symbols (a model told the answer gets 1.0)."""
    data = ARCH.load_data(config(samples=50))

    class Oracle:
        def predict(self, x):
            return x[:, 0]
    assert ARCH.evaluate(Oracle(), data) == {"accuracy": 1.0}


def test_mistakes_say_what_to_do():
    with pytest.raises(DataError, match="leave out --data"):
        ARCH.load_data(config(), path="x.txt")
    with pytest.raises(ConfigError, match="'symbols' must be between 2 and 26"):
        ARCH.load_data(config(symbols=1))
    model = ARCH.build_model(config(length=4), {"alphabet": "ABCD", "length": 4})
    with pytest.raises(InputError, match="give 4 letters of 'ABCD'"):
        ARCH.demo(model, {"alphabet": "ABCD", "length": 4}, "ABX")
    assert "->" in ARCH.demo(model, {"alphabet": "ABCD", "length": 4}, "CABD")


@pytest.mark.parametrize("check", architecture_checks("delayed-recall"), ids=str)
def test_conformance_kit(check):
    check()
