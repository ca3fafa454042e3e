"""The built-in ``image-caption`` architecture on tiny generated data: protocol, arrays, the stub
encoder, training, metrics, baseline (checked by hand), demo, saving."""
import json

import numpy as np
import pytest

from rnnkit import config, load_model
from rnnkit.builtins.image_caption import (ImageCaption, ascii_image, caption_dataset,
                                           converse_caption, position_majority, scene_match)
from rnnkit.data import DataError, Vocabulary, caption_for_seed, image_for_seed
from rnnkit.errors import InputError
from rnnkit.layers.stub_encoder import StubImageEncoder
from rnnkit.plugins import get, protocol_problems
from rnnkit.testing import architecture_checks
from rnnkit.runs import resolve_config


@pytest.fixture
def arch():
    return ImageCaption()


def tiny_config(arch, **over):
    return resolve_config(arch, dict(dict(units=16, embed_dim=8, features=32, epochs=6,
                                          batch_size=8, lr=0.02, floatx="float64"), **over))


def test_follows_the_protocol_and_is_registered(arch):
    assert protocol_problems(arch) == []
    assert arch.kind == "one-to-many"
    assert type(get("image-caption")) is ImageCaption
    assert {"cell", "units", "epochs", "batch_size", "lr", "seed", "floatx"} <= set(arch.default_config())


def test_arrays_and_meta(arch):
    data = arch.small_data(tiny_config(arch))
    (images, x_dec), y = data.train
    assert images.shape == (data.info["train"], 8, 8, 3)
    assert x_dec.shape == y.shape and ((x_dec != 0) == (y != 0)).all()
    vocab = Vocabulary.from_dict(data.meta["vocab"])
    assert (x_dec[:, 0] == vocab.index("<s>")).all()
    json.dumps(data.meta)


def test_generated_data_is_deterministic(arch):
    a, b = arch.small_data(tiny_config(arch)), arch.small_data(tiny_config(arch))
    np.testing.assert_array_equal(a.train[0][0], b.train[0][0])
    np.testing.assert_array_equal(a.test[1], b.test[1])


def test_no_data_file(arch, tmp_path):
    with pytest.raises(DataError, match="generated"):
        arch.load_data(resolve_config(arch), tmp_path / "x.tsv")


@pytest.mark.parametrize("cell, n_states", [("rnn", 1), ("lstm", 2), ("gru", 1)])
def test_model_has_a_stub_encoder_and_shapes(arch, cell, n_states):
    cfg = tiny_config(arch, cell=cell)
    data = arch.small_data(cfg)
    config.set_seed(0)
    model = arch.build_model(cfg, data.meta)
    stub = model.encoder[0]
    assert isinstance(stub, StubImageEncoder) and stub.n_states == n_states
    probs = model.predict(data.test[0])
    assert probs.shape == data.test[1].shape + (len(data.meta["vocab"]["tokens"]),)
    assert stub.count_params() == n_states * 16 * (32 + 1)      # the bridge; P is not trained


def test_training_lowers_the_loss_metrics_demo_and_saving(arch, tmp_path):
    cfg = tiny_config(arch)
    data = arch.small_data(cfg)
    config.set_seed(cfg["seed"])
    model = arch.build_model(cfg, data.meta)
    before = model.predict(data.test[0])
    projection = model.encoder[0].projection.copy()
    history = arch.fit(model, data, cfg)
    losses = history.history["loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert not np.allclose(model.predict(data.test[0]), before)
    np.testing.assert_array_equal(model.encoder[0].projection, projection)   # never trained
    metrics = arch.evaluate(model, data)
    assert list(metrics)[0] == arch.headline_metric
    assert set(metrics) == set(arch.baseline(data)) == {"token_accuracy", "exact_match",
                                                        "greedy_token_accuracy", "scene_match"}
    out = arch.demo(model, data.meta, ["7"])
    assert "seed 7" in out and f"true:  {caption_for_seed(7)}" in out and "model: " in out
    with pytest.raises(InputError, match="seeds"):      # issue 12: as every predict input

        arch.demo(model, data.meta, ["seven"])
    path = tmp_path / "caption.rnnkit"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(data.test[0]), model.predict(data.test[0]))


def test_baseline_by_hand():
    """The most frequent token per position, read up to its first </s>, is one fixed caption."""
    blank = np.zeros((3, 8, 8, 3))
    train = (blank, ["a red circle", "a red square", "a blue circle"])
    test = (blank, ["a red circle",             # exact: 4 of 4 (with </s>)
                    "a blue square",            # a, </s>: 2 of 4
                    "a green circle"])          # green is <unk>: a, circle, </s>: 3 of 4
    data = caption_dataset(train, test)
    assert data.meta["baseline_caption"] == ["a", "red", "circle"]
    scores = ImageCaption().baseline(data)
    assert scores["token_accuracy"] == pytest.approx(9 / 12)
    assert scores["exact_match"] == pytest.approx(1 / 3)
    assert scores["scene_match"] == pytest.approx(1 / 3)


def test_converse_captions_describe_the_same_picture():
    assert converse_caption("a red circle above a blue square") == "a blue square below a red circle"
    assert converse_caption("a red circle left of a blue square") == "a blue square right of a red circle"
    assert converse_caption("a red circle") is None
    truths = ["a red circle above a blue square", "a red circle left of a blue square"]
    said = ["a blue square below a red circle", "a blue square left of a red circle"]
    assert scene_match(said, truths) == 0.5


def test_position_majority_stops_at_the_end_and_breaks_ties_by_vocabulary_order():
    seqs = [["a", "b"], ["a"], ["a"], ["c", "d", "e"]]
    vocab = Vocabulary(["<s>", "</s>", "a", "b", "c", "d", "e"])
    # position 1: </s> twice, b once, d once -> </s>: the caption is just "a"
    assert vocab.decode(position_majority(seqs, vocab)) == ["a"]
    assert vocab.decode(position_majority([["b"], ["a"]], vocab)) == ["a"]


def test_ascii_image_shows_the_shapes():
    art = ascii_image(image_for_seed(7))
    assert len(art) == 16 and all(len(row) == 16 for row in art)
    colours = {c for row in art for c in row} - {"."}
    words = caption_for_seed(7).split()
    assert colours == {words[1][0].upper(), words[-2][0].upper()}


@pytest.mark.parametrize("check", architecture_checks("image-caption"), ids=str)
def test_conformance_kit(check):
    check()
