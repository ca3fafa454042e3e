"""The example plugin's own tests: rnnkit's conformance kit, and its data and baseline by hand."""
import numpy as np
import pytest

from rnnkit.plugins import Dataset
from rnnkit.seq2seq import teacher_forcing
from rnnkit.testing import architecture_checks
from rnnkit_addition import Addition
from rnnkit_addition.addition import SOURCE, TARGET, no_carry_sum, problems


@pytest.mark.parametrize("check", architecture_checks(Addition()), ids=str)
def test_conformance(check):
    check()


def test_problems_are_different_and_their_sums_right():
    sources, targets = problems(50, 1, seed=3)
    assert len(set(sources)) == 50                       # 50 of the 100 one-digit problems
    assert all(str(int(a) + int(b)) == t for (a, b), t in
               zip((s.split("+") for s in sources), targets))


@pytest.mark.parametrize("problem, answer", [("158+67", "115"), ("123+45", "168"),
                                             ("999+1", "990"), ("5+5", "0"), ("0+0", "0")])
def test_no_carry_sum_by_hand(problem, answer):
    assert no_carry_sum(problem) == answer


def test_teacher_forcing_arrays_of_one_problem():
    data = Addition().small_data({"seed": 0})
    (x_enc, x_dec), y = data.test
    first = "".join(SOURCE.decode(x_enc[0]))
    answer = str(sum(map(int, first.split("+"))))
    start, end = TARGET.index("<s>"), TARGET.index("</s>")
    assert x_enc.shape[1] == 5                           # two 2-digit numbers and "+"
    np.testing.assert_array_equal(x_dec[0][:len(answer) + 1], [start] + TARGET.encode(answer))
    np.testing.assert_array_equal(y[0][:len(answer) + 1], TARGET.encode(answer) + [end])


def test_baseline_scores_by_hand():
    asked = ["158+67", "123+45", "999+1", "5+5"]
    sums = ["225", "168", "1000", "10"]              # the baseline says 115, 168, 990, 0
    test = teacher_forcing([list(p) for p in asked], [list(t) for t in sums], SOURCE, TARGET)
    scores = Addition().baseline(Dataset(train=test, test=test, meta={"digits": 3, "max_len": 5}))
    assert scores["exact_match"] == pytest.approx(1 / 4)
    # characters right, </s> included: 115|225 2 of 4, 168 4 of 4, 990|1000 1 of 5, 0|10 0 of 3
    assert scores["token_accuracy"] == pytest.approx(7 / 16)
    # edits: 115 -> 225 two, 990 -> 1000 three (9 -> 1, 9 -> 0, insert 0), 0 -> 10 one
    assert scores["edit_distance"] == pytest.approx((2 + 0 + 3 + 1) / 4)
