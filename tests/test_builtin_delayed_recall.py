"""delayed-recall: generated sequences whose target is their marked symbol, a chance baseline, and
a model that can only succeed by remembering the marked step."""
import numpy as np
import pytest

from rnnkit import plugins
from rnnkit.errors import ConfigError, DataError, InputError
from rnnkit.testing import architecture_checks

ARCH = plugins.get("delayed-recall")


def config(**changes):
    return dict(ARCH.default_config(), clipnorm=None, clipvalue=None, **changes)


def test_the_target_is_the_marked_symbol_one_step_of_the_first_half():
    data = ARCH.load_data(config(length=8, symbols=3, samples=50))
    x, y = data.train
    assert x.shape == (40, 8, 4) and len(data.val[0]) == 5 and len(data.test[0]) == 5
    assert np.all(x[..., :3].sum(axis=-1) == 1)                 # one-hot symbols at every step
    assert np.all(x[..., 3].sum(axis=1) == 1)                   # one marker per sequence
    marked = np.argmax(x[..., 3], axis=1)
    assert marked.max() < 4 and len(np.unique(marked)) > 1      # in the first half, anywhere
    np.testing.assert_array_equal(y, np.argmax(x[np.arange(40), marked, :3], axis=-1))
    assert data.meta == {"alphabet": "ABC", "length": 8}
    # the distractors are drawn from the same alphabet: later steps say nothing about the target
    assert len(np.unique(np.argmax(x[:, 1:, :3], axis=-1))) == 3


def test_the_seed_and_the_length_choose_the_data():
    a = ARCH.load_data(config(seed=1, samples=30)).train[0]
    b = ARCH.load_data(config(seed=1, samples=30)).train[0]
    c = ARCH.load_data(config(seed=2, samples=30)).train[0]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert ARCH.load_data(config(length=40, samples=30)).train[0].shape[1] == 40


def test_the_baseline_is_chance_the_most_frequent_target():
    data = ARCH.load_data(config(symbols=4, samples=400))
    guess = np.bincount(data.train[1], minlength=4).argmax()
    expected = np.mean(data.test[1] == guess)
    assert ARCH.baseline(data) == {"accuracy": pytest.approx(expected)}
    assert 0.1 < expected < 0.45                               # about 1/4


def test_a_model_that_remembers_the_marked_step_is_perfect():
    """evaluate scores the test sequences' marked symbols (a model told the answer gets 1.0)."""
    data = ARCH.load_data(config(samples=50))

    class Oracle:
        def predict(self, x):
            return x[np.arange(len(x)), np.argmax(x[..., -1], axis=1), :-1]
    assert ARCH.evaluate(Oracle(), data) == {"accuracy": 1.0}


def test_mistakes_say_what_to_do():
    with pytest.raises(DataError, match="leave out --data"):
        ARCH.load_data(config(), path="x.txt")
    with pytest.raises(ConfigError, match="'symbols' must be between 2 and 26"):
        ARCH.load_data(config(symbols=1))
    model = ARCH.build_model(config(length=4), {"alphabet": "ABCD", "length": 4})
    with pytest.raises(InputError, match="give 4 letters of 'ABCD' .* in brackets"):
        ARCH.demo(model, {"alphabet": "ABCD", "length": 4}, "AB[X]D")
    assert "the marked one was B" in ARCH.demo(model, {"alphabet": "ABCD", "length": 4}, "CA[B]D")


@pytest.mark.parametrize("check", architecture_checks("delayed-recall"), ids=str)
def test_conformance_kit(check):
    check()
