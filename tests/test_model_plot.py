"""``rnnkit.plot_model``: this model's layers, top to bottom, with the shapes and counts the model
itself reports, on one slide that keeps the slide rules (as tests/test_viz_slide.py measures).

Counts by hand: Embedding V·d; LSTM 4·(d + u + 1)·u (four gates, each U, W, b); Dense (u + 1)·k.
"""
import pytest

import rnnkit
from rnnkit import Sequential
from rnnkit.errors import RnnkitError
from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, TimeDistributed
from rnnkit.models.encoder_decoder import EncoderDecoder
from rnnkit.viz import Theme
from rnnkit.viz.slide import measure_slide

THEMES = [Theme(), Theme(aspect="4:3"), Theme(style="dark")]


def tagger():
    return Sequential([Embedding(20, 4, mask_zero=True, input_shape=(7,)),
                       Bidirectional(LSTM(5, return_sequences=True)),
                       TimeDistributed(Dense(3, activation="softmax"))])


def translator():
    return EncoderDecoder([Embedding(30, 8, input_shape=(6,)), LSTM(16, return_state=True)],
                          [Embedding(40, 8, input_shape=(5,)), LSTM(16, return_sequences=True),
                           TimeDistributed(Dense(40, activation="softmax"))])


@pytest.mark.parametrize("theme", THEMES, ids=["16:9", "4:3", "dark"])
@pytest.mark.parametrize("build", [tagger, translator])
def test_one_canvas_filled_readable_and_nothing_crosses_the_edge(build, theme):
    m = measure_slide(rnnkit.plot_model(build(), theme))
    assert m.canvas == (int(theme.figsize[0] * 200), int(theme.figsize[1] * 200))
    assert m.fill >= 0.6 and m.inside, (m.fill, m.margins)
    assert m.min_text >= theme.min_text_size


def _box(board, node_id):
    mark = board.nodes[node_id]
    return mark.label, mark.values


def test_a_tagger_is_drawn_layer_by_layer_with_its_own_shapes_and_counts():
    model = tagger()
    board = rnnkit.plot_model(model)._rnnkit_board
    lstm = 4 * (4 + 5 + 1) * 5
    expected = {"embedding": ("(None, 7, 4)", 20 * 4), "bidirectional": ("(None, 7, 10)", 2 * lstm),
                "time_distributed": ("(None, 7, 3)", (2 * 5 + 1) * 3)}
    for layer, shape in zip(model.layers, model.output_shapes):
        label, values = _box(board, layer.name)
        assert label == f"{layer.name} ({type(layer).__name__})"
        assert (expected[layer.name][1]) == layer.count_params()
        assert values[-1] == f"{expected[layer.name][0]} · {layer.count_params():,} params"
    assert _box(board, "model/input")[1] == ["(None, 7)"]
    assert _box(board, "embedding")[1][0] == "lookup: 20 ids → 4-vectors"
    assert _box(board, "time_distributed")[1][0] == "Dense(3, softmax) at every step"
    # the two directions, each with half the weights, both reading the embedding, merging
    for side in ("forward", "backward"):
        assert _box(board, f"bidirectional/{side}") == (
            f"{side}_lstm", ["LSTM(5, tanh)", f"(None, 7, 5) · {lstm} params"])
        assert board.labels_of(src="embedding", dst=f"bidirectional/{side}") == [None]
        assert board.labels_of(src=f"bidirectional/{side}", dst="bidirectional") == [None]
    assert _box(board, "bidirectional")[1][0] == "merge: concat"
    assert board.labels_of(src="bidirectional", dst="time_distributed") == [None]
    # top to bottom, as Keras draws it
    ys = [board.nodes[n].box.cy for n in ("model/input", "embedding", "bidirectional/forward",
                                           "bidirectional", "time_distributed")]
    assert ys == sorted(ys, reverse=True)


def test_an_encoder_decoder_is_its_two_stacks_side_by_side_with_the_hand_off():
    model = translator()
    board = rnnkit.plot_model(model)._rnnkit_board
    lstm = 4 * (8 + 16 + 1) * 16
    counts = [30 * 8, lstm, 40 * 8, lstm, (16 + 1) * 40]
    for layer, shape, count in zip(model.layers, model.output_shapes, counts):
        assert layer.count_params() == count
        assert _box(board, layer.name)[1][-1] == \
            f"{rnnkit.models.summary.shape_text(shape)} · {count:,} params"
    assert _box(board, "lstm")[1][-1] == f"(None, 16) · {lstm:,} params"
    assert _box(board, "encoder/input") == ("encoder input", ["(None, 6)"])
    assert _box(board, "decoder/input") == ("decoder input", ["(None, 5)"])
    encoder_x = board.nodes["embedding"].box.cx
    assert all(board.nodes[n].box.cx > encoder_x for n in ("embedding_1", "lstm_1",
                                                            "time_distributed"))
    assert board.labels_of(src="lstm", dst="lstm_1") == ["states h, c"]   # an LSTM's two states


def test_a_model_without_an_input_shape_or_too_deep_for_a_slide_says_so():
    with pytest.raises(RnnkitError, match="input_shape"):
        rnnkit.plot_model(Sequential([Dense(2)]))
    deep = Sequential([Dense(4, input_shape=(3,))] + [Dense(4) for _ in range(9)])
    with pytest.raises(RnnkitError, match="do not fit on a slide.*print\\(model\\)"):
        rnnkit.plot_model(deep)
