"""Layers, models and tables display themselves: a layer's repr names its options and count; a
model shows its summary as an HTML table in Jupyter; a trace table is Markdown there, text in a
terminal. Counts: the lecture's (1 + 1) * 10 + 10 * 10 = 120 and (10 + 1) * 1 = 11."""
import re

from rnnkit import Sequential, trace
from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, SimpleRNN, TimeDistributed
from rnnkit.models.encoder_decoder import EncoderDecoder


def test_a_layer_repr_names_units_activation_and_its_count():
    model = Sequential([SimpleRNN(10, input_shape=(50, 1)), Dense(1, activation="linear")])
    rnn, dense = model.layers
    assert repr(rnn) == ("SimpleRNN(units=10, activation='tanh', input_shape=(50, 1), "
                         f"output_shape=(None, 10), params={(1 + 1) * 10 + 10 * 10})")
    assert repr(dense).startswith("Dense(units=1, activation='linear'") and "params=11" in repr(dense)
    tagger = Sequential([Embedding(20, 4, mask_zero=True, input_shape=(7,)),
                         Bidirectional(LSTM(5, return_sequences=True))])
    wrapped = repr(tagger.layers[1])
    lstm = 4 * (4 + 5 + 1) * 5                                  # four gates: U, W, b each
    assert wrapped.startswith("Bidirectional(layer=LSTM(units=5, activation='tanh', "
                              "return_sequences=True")
    assert wrapped.endswith(f"params={2 * lstm})")
    assert repr(tagger.layers[0]).startswith("Embedding(input_dim=20, output_dim=4, mask_zero=True")


def test_print_model_lists_each_layer_with_its_shape_and_count_as_pytorch_does():
    model = Sequential([Embedding(20, 4, mask_zero=True, input_shape=(7,)),
                        Bidirectional(LSTM(5, return_sequences=True)),
                        TimeDistributed(Dense(3, activation="softmax"))])
    lines = repr(model).splitlines()
    lstm = 4 * (4 + 5 + 1) * 5                                  # four gates: U, W, b each
    counts = [20 * 4, 2 * lstm, (2 * 5 + 1) * 3]                # table, both directions, V and b
    assert lines[0] == "Sequential(name='sequential',"
    assert [ln.split(":")[0] for ln in lines[1:4]] == [
        "  (embedding)", "  (bidirectional)", "  (time_distributed)"]
    for line, shape, count in zip(lines[1:4], ["(None, 7, 4)", "(None, 7, 10)", "(None, 7, 3)"],
                                  counts):
        assert line.endswith(f"output_shape={shape}, params={count})")
    assert "Dense(units=3, activation='softmax'" in lines[3]
    assert lines[4] == f")  params={sum(counts)}" and len(lines) == 5
    assert repr(Sequential([Dense(2)])).splitlines()[1:] == [
        "  (dense): Dense(units=2, activation='linear')", ")  not built"]


def test_print_encoder_decoder_groups_its_encoder_and_decoder():
    model = EncoderDecoder([Embedding(30, 8, input_shape=(6,)), LSTM(16, return_state=True)],
                           [Embedding(40, 8, input_shape=(5,)), LSTM(16, return_sequences=True),
                            TimeDistributed(Dense(40, activation="softmax"))])
    lines = repr(model).splitlines()
    assert lines[1] == "  (encoder):" and lines[4] == "  (decoder):"
    assert lines[3].startswith("    (lstm): LSTM(units=16") and "output_shape=(None, 16)" in lines[3]
    assert lines[6].startswith("    (lstm_1): LSTM(") and "output_shape=(None, 5, 16)" in lines[6]
    lstm = 4 * (8 + 16 + 1) * 16
    assert lines[-1] == f")  params={30 * 8 + lstm + 40 * 8 + lstm + (16 + 1) * 40:,}"


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


def test_the_metrics_table_is_the_cli_text_in_a_terminal_and_a_table_in_jupyter():
    from rnnkit.cli._common import metrics_table
    from rnnkit.tables import MetricsResult, MetricsTable
    test, baseline = {"loss": 0.51234, "accuracy": 0.8}, {"accuracy": 0.5, "rare": 0.00012}
    table = MetricsTable(test, baseline, headline="accuracy")
    expected = ["  metric     model   baseline",         # widths: 8, 6 and 9 ("1.200e-04")
                "  accuracy  0.8000     0.5000",         # the headline first
                "  loss      0.5123          -",
                "  rare           -  1.200e-04"]
    assert str(table).splitlines() == expected
    assert metrics_table(test, baseline, "accuracy") == expected     # what the CLI prints
    assert table._repr_markdown_().splitlines()[2:] == [
        "| accuracy | 0.8000 | 0.5000 |", "| loss | 0.5123 | - |", "| rare | - | 1.200e-04 |"]
    cells = re.findall(r"<td>(.*?)</td>", table._repr_html_())
    assert cells == ["accuracy", "0.8000", "0.5000", "loss", "0.5123", "-", "rare", "-",
                     "1.200e-04"]
    result = MetricsResult(arch="x", test=test, baseline=baseline)   # evaluate_run's result
    assert result["test"] == test and re.findall(r"<td>(.*?)</td>", result._repr_html_())[:3] \
        == ["loss", "0.5123", "-"]                                   # no headline: test order
