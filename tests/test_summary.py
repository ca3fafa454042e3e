"""summary(): Keras 3's table character for character (float32, as Keras), byte sizes in float64,
and the lecture's parameter arithmetic under explain=True."""
from pathlib import Path

import pytest

import rnnkit
from rnnkit import Sequential
from rnnkit.layers import Dense, SimpleRNN

# What Keras 3.15.1 prints for the lecture's two models when output is not a terminal
# (the files in ../shared/reference/, which the test below also compares when present).
KERAS_ONE_LAYER = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ simple_rnn (SimpleRNN)          │ (None, 10)             │           120 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 1)              │            11 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 131 (524.00 B)
 Trainable params: 131 (524.00 B)
 Non-trainable params: 0 (0.00 B)"""

KERAS_STACK = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ simple_rnn (SimpleRNN)          │ (None, 50, 64)         │         4,224 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ simple_rnn_1 (SimpleRNN)        │ (None, 50, 32)         │         3,104 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ simple_rnn_2 (SimpleRNN)        │ (None, 16)             │           784 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 8)              │           136 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │             9 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 8,257 (32.25 KB)
 Trainable params: 8,257 (32.25 KB)
 Non-trainable params: 0 (0.00 B)"""

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "reference"


def one_layer():
    """The lecture's first Keras model (slide "Implementing RNN on Keras: Many to One")."""
    return Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])


def stack():
    """The lecture's second model (slide "Number of Parameter: Example 2")."""
    return Sequential([SimpleRNN(64, input_shape=(50, 1), return_sequences=True),
                       SimpleRNN(32, return_sequences=True),
                       SimpleRNN(16),
                       Dense(8, activation="tanh"),
                       Dense(1, activation="linear")])


def summary_of(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "\n".join(lines)


@pytest.mark.parametrize("build, expected", [(one_layer, KERAS_ONE_LAYER), (stack, KERAS_STACK)])
def test_summary_is_keras_character_for_character_in_float32(float32, build, expected):
    assert summary_of(build()) == expected


@pytest.mark.parametrize("name, expected", [("keras-summary-simple-rnn-1layer.txt", KERAS_ONE_LAYER),
                                            ("keras-summary-simple-rnn-stack.txt", KERAS_STACK)])
def test_embedded_references_are_the_shared_files(name, expected):
    path = REFERENCE_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    assert path.read_text(encoding="utf-8").rstrip("\n") == expected


def test_summary_prints(capsys, float32):
    one_layer().summary()
    assert capsys.readouterr().out == KERAS_ONE_LAYER + "\n"


def test_float64_sizes_are_8_bytes_per_parameter():
    text = summary_of(one_layer())
    assert " Total params: 131 (1.02 KB)" in text          # 131 × 8 = 1,048 B = 1.0234 KB
    assert " Trainable params: 131 (1.02 KB)" in text
    text = summary_of(stack())
    assert " Total params: 8,257 (64.51 KB)" in text       # 8,257 × 8 = 66,056 B = 64.508 KB


def test_lecture_counts():
    model = one_layer()
    assert model.count_params() == 131 == (1 + 10 + 1) * 10 + (10 + 1) * 1
    assert [layer.count_params() for layer in model.layers] == [120, 11]
    model = stack()
    assert model.count_params() == 8257
    assert [layer.count_params() for layer in model.layers] == [4224, 3104, 784, 136, 9]
    assert model.output_shapes == [(50, 64), (50, 32), (16,), (8,), (1,)]


def test_explain_shows_the_lecture_arithmetic():
    text = summary_of(one_layer(), explain=True)
    assert text.startswith(summary_of(one_layer()))     # the table first, unchanged
    for line in ["U = 10 × (1+1) = 20", "W = 10 × 10 = 100", "V = 1 × (10+1) = 11",
                 "= 120 + 11 = 131"]:
        assert line in text, line
    text = summary_of(stack(), explain=True)
    for line in ["U = 64 × (1+1) = 128", "W = 64 × 64 = 4096",
                 "U = 32 × (64+1) = 2080", "W = 32 × 32 = 1024",
                 "U = 16 × (32+1) = 528", "W = 16 × 16 = 256",
                 "V = 8 × (16+1) = 136", "V = 1 × (8+1) = 9",
                 "= 4,224 + 3,104 + 784 + 136 + 9 = 8,257"]:
        assert line in text, line


def test_names_follow_keras_and_user_names_are_kept():
    model = Sequential([SimpleRNN(3, input_shape=(2, 1), name="encoder", return_sequences=True),
                        SimpleRNN(3),
                        Dense(1)])
    model.build()
    assert [layer.name for layer in model.layers] == ["encoder", "simple_rnn", "dense"]
    assert "encoder (SimpleRNN)" in summary_of(model)


def test_floatx_is_restored_between_tests():
    assert rnnkit.config.floatx() == "float64"


# ---- issue 14, point 6: wrapping as Keras (rich) does at 76 columns ---------------------------
KERAS_TIME_DISTRIBUTED = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ simple_rnn (SimpleRNN)          │ (None, 9, 12)          │           204 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ time_distributed                │ (None, 9, 7)           │            91 │
│ (TimeDistributed)               │                        │               │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 295 (1.15 KB)
 Trainable params: 295 (1.15 KB)
 Non-trainable params: 0 (0.00 B)"""


def time_distributed():
    from rnnkit.layers import Input, TimeDistributed
    return Sequential([Input((9, 4)), SimpleRNN(12, return_sequences=True),
                       TimeDistributed(Dense(7))])


def test_a_long_layer_cell_wraps_as_keras(float32):
    assert summary_of(time_distributed()) == KERAS_TIME_DISTRIBUTED


def test_the_wrapping_reference_is_the_shared_file():
    path = REFERENCE_DIR / "keras-summary-simple-rnn-timedistributed.txt"
    if not path.exists():
        pytest.skip(f"{path} is not in this checkout")
    assert path.read_text(encoding="utf-8").rstrip("\n") == KERAS_TIME_DISTRIBUTED


def test_column_widths_follow_keras_positions_and_rich_reduction():
    """By hand: at L columns Keras asks for int(0.45L), int(0.8L) - int(0.45L), L - int(0.8L);
    rich adds 2 of padding to each and 4 of borders, then takes the excess off evenly, rounding
    half to even. L=76: 36+28+18+4 = 86, excess 10 -> 3, then round(7/2)=4, then 3: 33, 24, 15.
    L=88: 41+33+20+4 = 98, excess 10 -> 38, 29, 17."""
    from rnnkit.models.summary import column_widths
    assert column_widths(76) == [33, 24, 15]
    assert column_widths(88) == [38, 29, 17]
    for length in (76, 88, 120):
        assert sum(column_widths(length)) + 4 == length


def test_every_line_keeps_the_table_width_and_long_words_end_in_an_ellipsis(float32):
    from rnnkit.layers import Bidirectional
    model = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 2),
                                  name="a_layer_name_far_too_long_for_its_column"),
                        Bidirectional(SimpleRNN(2)), Dense(1)])
    text = summary_of(model).splitlines()
    table = text[1:text.index(next(t for t in text if t.startswith(" Total")))]
    assert {len(line) for line in table} == {76}
    # 30 characters and "…" (31 fit); 3·(2+3+1) = 18 parameters
    assert "│ a_layer_name_far_too_long_for_… │ (None, 4, 3)           │            18 │" in table
    assert "│ (SimpleRNN)                     │                        │               │" in table
    # 29 characters fit on one line; 2 · 2·(3+2+1) = 24 parameters
    assert "│ bidirectional (Bidirectional)   │ (None, 4)              │            24 │" in table
    wide = []
    model.summary(print_fn=wide.append, line_length=88)
    assert {len(line) for line in wide[0].splitlines()[1:-3]} == {88}
