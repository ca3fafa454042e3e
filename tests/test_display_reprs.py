"""Layers, models and tables display themselves: a layer's repr names its options and count; a
model shows its summary as an HTML table in Jupyter; a trace table is Markdown there, text in a
terminal. Counts: the lecture's (1 + 1) * 10 + 10 * 10 = 120 and (10 + 1) * 1 = 11."""
import re

from rnnkit import Sequential, trace
from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, SimpleRNN


def test_a_layer_repr_names_units_activation_and_its_count():
    model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])
    rnn, dense = model.layers
    assert repr(rnn) == ("SimpleRNN(units=10, activation='tanh', input_shape=(50, 1), "
                         f"params={(1 + 1) * 10 + 10 * 10})")
    assert repr(dense).startswith("Dense(units=1, activation='linear'") and "params=11" in repr(dense)
    tagger = Sequential([Embedding(20, 4, mask_zero=True, input_shape=(7,)),
                         Bidirectional(LSTM(5, return_sequences=True))])
    wrapped = repr(tagger.layers[1])
    lstm = 4 * (4 + 5 + 1) * 5                                  # four gates: U, W, b each
    assert wrapped.startswith("Bidirectional(layer=LSTM(units=5, activation='tanh', "
                              "return_sequences=True")
    assert wrapped.endswith(f"params={2 * lstm})")
    assert repr(tagger.layers[0]).startswith("Embedding(input_dim=20, output_dim=4, mask_zero=True")


def test_a_model_shows_its_summary_as_html_in_jupyter():
    model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", model._repr_html_())
    assert cells == ["simple_rnn (SimpleRNN)", "(None, 10)", "120", "dense (Dense)",
                     "(None, 1)", "11", "Total params", "", "131"]
    assert Sequential([Dense(2)])._repr_html_() is None         # no input shape yet: the text


def test_a_trace_table_is_markdown_in_jupyter_and_text_in_a_terminal():
    first = trace.slides_tables()[0]
    markdown = first._repr_markdown_().splitlines()
    assert markdown[0] == f"**{first.title}**"
    assert markdown[2] == "| " + " | ".join(first.columns) + " |"
    assert markdown[4].startswith("| 0.100 | 0.100 | 0.200 | 0.197")   # t1 of the lecture
    assert str(first).splitlines()[0] == first.title and "0.197" in str(first)
