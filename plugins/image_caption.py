"""``image-caption``: one-to-many captioning of generated pictures, with a STUB image encoder.

The lecture's one-to-many example is image captioning with a CNN encoder and an LSTM decoder
(Vinyals et al., 2014). Here the pictures are generated in the repository by
:func:`rnnkit.data.make_shapes` (deterministic by seed): two coloured shapes on black, captioned
"a red circle above a blue square", "a yellow triangle left of a green triangle", ...
(3 shapes x 12 ordered colour pairs x 3 shapes x 4 relations = 432 possible captions).

The encoder is a **stub**, not a CNN: :class:`~rnnkit.layers.stub_encoder.StubImageEncoder`
projects the pixels with a fixed, untrained, seeded random matrix and applies tanh; a trainable
Dense(tanh) bridge maps those features to the decoder's initial state (h_0, and c_0 for LSTM).
Only the bridge and the decoder learn. Model::

    encoder:  StubImageEncoder(units, features)        image -> f = tanh(P x) -> h_0 (, c_0)
    decoder:  Embedding(vocab, d, mask_zero) -> cell(units, return_sequences=True)  from h_0
              -> TimeDistributed(Dense(vocab, softmax))

Training uses teacher forcing (the decoder reads ``<s> a red circle ...`` and outputs
``a red circle ... </s>``), inference greedy decoding.

Metrics on a test set generated from its own seed (no image shared with training):
``token_accuracy`` (teacher-forced, padding excluded), ``exact_match`` (greedy caption equals the
true one), ``greedy_token_accuracy`` (greedy caption against the true one, position by position)
and ``scene_match``. A picture has two true captions: the generator names either shape first
("a red circle above a blue square" is "a blue square below a red circle"), and nothing in the
pixels says which one it chose, so no model can exceed about 50% ``exact_match``;
``scene_match`` accepts either caption.

Baseline: the most frequent token at every position of the training captions (including
``</s>``), read up to its first ``</s>``: one fixed caption for every image. It ignores the image
and the prefix, so its teacher-forced and greedy token accuracies are the same number.
"""
from collections import Counter

import numpy as np

from rnnkit.data import DataError, Vocabulary, caption_for_seed, image_for_seed, make_shapes
from rnnkit.data.shapes import COLOURS
from rnnkit.errors import InputError
from rnnkit.layers import Dense, Embedding, TimeDistributed, recurrent_layer
from rnnkit.layers.stub_encoder import StubImageEncoder
from rnnkit.models.encoder_decoder import EncoderDecoder
from rnnkit.plugins import Architecture, Dataset
from rnnkit.seq2seq import (END, KeepBest, decoder_arrays, greedy_strings, markers,
                            sequence_metrics, sequence_scores, sequence_vocabulary, strip_end)

from ._common import check_positive_ints, optimizer


def position_majority(sequences, vocab):
    """The most frequent token id at every position of ``w_1 .. w_n </s>``, up to the first </s>.

    Ties go to the token that comes first in the vocabulary (the more frequent one overall).
    """
    _, end = markers(vocab)
    rows = [vocab.encode(s) + [end] for s in sequences]
    out = []
    for k in range(max(len(r) for r in rows)):
        counts = Counter(r[k] for r in rows if k < len(r))
        best = min(counts, key=lambda t: (-counts[t], t))
        out.append(best)
        if best == end:
            break
    return strip_end(out, end)


_CONVERSE = {"above": "below", "below": "above", "left of": "right of", "right of": "left of"}


def converse_caption(caption):
    """The same picture described from the other shape: "a red circle above a blue square" ->
    "a blue square below a red circle" (None if the caption does not have that form)."""
    words = caption.split()
    if len(words) < 2 or words[0] != "a" or "a" not in words[1:]:
        return None
    cut = words.index("a", 1)
    first, rest = words[:3], words[3:]
    relation, second = " ".join(rest[:cut - 3]), rest[cut - 3:]
    if relation not in _CONVERSE or len(first) != 3 or len(second) != 3:
        return None
    return " ".join(second + [_CONVERSE[relation]] + first)


def scene_match(predicted, truths):
    """Share of captions that are the true one or its converse (both describe the picture)."""
    hits = sum(p == t or p == converse_caption(t) for p, t in zip(predicted, truths))
    return hits / max(len(truths), 1)


def caption_dataset(train, test, val=None, info=None, max_len=None):
    """A Dataset from ``(images, captions)`` pairs: x = [images, decoder input], y = targets."""
    words = [c.split() for c in train[1]]
    vocab = sequence_vocabulary(words)
    longest = max(len(c.split()) for split in (train, test, val) if split for c in split[1])

    def arrays(split):
        if split is None or len(split[1]) == 0:
            return None
        images, captions = split
        x_dec, y = decoder_arrays([c.split() for c in captions], vocab)
        return [np.asarray(images), x_dec], y

    meta = {"vocab": vocab.to_dict(), "end": END,
            "image_shape": list(np.shape(train[0])[1:]),
            "max_len": int(max_len or longest + 3),
            "baseline_caption": vocab.decode(position_majority(words, vocab))}
    return Dataset(train=arrays(train), test=arrays(test), val=arrays(val), meta=meta,
                   info=dict(info or {}, train=len(train[1]), test=len(test[1]),
                             val=0 if val is None else len(val[1]), vocab=len(vocab)))


_LETTER = {colour: colour[0].upper() for colour in COLOURS}


def ascii_image(image):
    """The picture as text: one letter per pixel (R, G, B, Y), '.' for the background."""
    rows = []
    for row in np.asarray(image):
        line = ""
        for pixel in row:
            hit = [c for c, rgb in COLOURS.items() if np.allclose(pixel, rgb)]
            line += _LETTER[hit[0]] if hit else "."
        rows.append(line)
    return rows


class ImageCaption(Architecture):
    """Caption generated pictures of two shapes (see the module docstring)."""

    name = "image-caption"
    kind = "one-to-many"
    summary = ("Caption generated pictures of coloured shapes: stub random-projection encoder "
               "(not a CNN) -> recurrent decoder")
    headline_metric = "token_accuracy"
    cells = ("rnn", "lstm", "gru")
    input_help = "picture seeds (integers), e.g. 7 11"
    data_help = ("no --data: the pictures are generated by rnnkit.data.make_shapes (deterministic "
                 "by seed); set n_train, n_val, n_test and size in the config instead.")

    def default_config(self):
        return {"cell": "gru", "units": 128, "embed_dim": 16, "features": 512, "epochs": 30,
                "batch_size": 32, "lr": 0.003, "clipnorm": 1.0, "seed": 0, "floatx": "float32",
                "n_train": 4000, "n_val": 300, "n_test": 500, "size": 16, "stub_seed": 0,
                "stub_scale": 3.0, "patience": 6}

    # ---- data -------------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is not None:
            raise DataError(f"image-caption takes no --data file (got {path}); its pictures are "
                            f"generated. Change n_train, n_val, n_test or size in the config.")
        check_positive_ints(config, "n_train", "n_val", "n_test", "size", "patience")
        return self._generated(config, config["n_train"], config["n_val"], config["n_test"],
                               config["size"])

    def small_data(self, config):
        return self._generated(config, 48, 0, 16, 8)

    def _generated(self, config, n_train, n_val, n_test, size):
        seed, dtype = config["seed"], config["floatx"]

        def split(n, offset):           # each split from its own seed: no shared random stream
            if n == 0:
                return None
            images, captions = make_shapes(n, seed=3 * seed + offset, size=size)
            return images.astype(dtype), captions

        info = {"source": f"generated by rnnkit.data.make_shapes (seeds {3 * seed}, "
                          f"{3 * seed + 1}, {3 * seed + 2}), {size}x{size} pixels"}
        return caption_dataset(split(n_train, 0), split(n_test, 2), split(n_val, 1), info)

    # ---- model ------------------------------------------------------------------------------------
    def data_info(self):
        return {"source": "pictures of two coloured shapes with their captions, generated on the "
                          "fly by rnnkit.data.make_shapes, deterministic by seed (no files)",
                "licence": "generated by rnnkit"}

    def build_model(self, config, meta):
        n, units = len(meta["vocab"]["tokens"]), config["units"]
        encoder = StubImageEncoder(units, features=config["features"],
                                   n_states=2 if config["cell"] == "lstm" else 1,
                                   scale=config["stub_scale"], seed=config["stub_seed"],
                                   input_shape=tuple(meta["image_shape"]))
        model = EncoderDecoder(
            [encoder],
            [Embedding(n, config["embed_dim"], mask_zero=True),
             recurrent_layer(config["cell"], units, return_sequences=True),
             TimeDistributed(Dense(n, activation="softmax"))], name="image_caption")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer(config))
        return model

    def epoch_metrics(self, model, data, config):
        """Greedy exact match on the validation split, keeping the best epoch's weights."""
        if data.val is None:
            return []
        return [KeepBest(data.val, Vocabulary.from_dict(data.meta["vocab"]), data.meta["max_len"],
                         config["patience"])]

    # ---- metrics ----------------------------------------------------------------------------------
    def evaluate(self, model, data):
        vocab = Vocabulary.from_dict(data.meta["vocab"])
        x, y = data.test
        metrics = sequence_metrics(model, x, y, vocab, data.meta["max_len"])
        said = greedy_strings(model, x[0], vocab, data.meta["max_len"])
        metrics["scene_match"] = scene_match(said, self._truths(y, vocab))
        return metrics

    @staticmethod
    def _truths(y, vocab):
        _, end = markers(vocab)
        return [" ".join(vocab.decode(strip_end(row, end))) for row in np.asarray(y)]

    def baseline(self, data):
        """The same caption for every picture: the most frequent training word at each position."""
        vocab = Vocabulary.from_dict(data.meta["vocab"])
        caption = vocab.encode(data.meta["baseline_caption"])
        x, y = data.test
        scores = sequence_scores([caption] * len(y), y, vocab)
        said = " ".join(data.meta["baseline_caption"])
        return {"token_accuracy": scores["token_accuracy"], "exact_match": scores["exact_match"],
                "greedy_token_accuracy": scores["token_accuracy"],
                "scene_match": scene_match([said] * len(y), self._truths(y, vocab))}

    # ---- demo -------------------------------------------------------------------------------------
    def predictions(self, model, meta, inputs=None):
        """Per seed: the seed read (``tokens``), the caption's words (``generated``), the true
        caption of ``make_shapes(n, seed)``'s first picture and how the two compare."""
        texts, seeds = [str(t) for t in (inputs or ["7", "11", "2024"])], []
        for text in texts:
            try:
                seeds.append(int(text.strip()))
            except ValueError:
                seeds.append(-1)
            if seeds[-1] < 0:
                raise InputError(f"image-caption: inputs are picture seeds (integers >= 0 such "
                                 f"as 7), got {text!r}")
        vocab = Vocabulary.from_dict(meta["vocab"])
        shape = tuple(meta["image_shape"])
        images = np.stack([image_for_seed(s, size=shape[0]) for s in seeds])
        found = []
        for text, seed, said in zip(texts, seeds,
                                    greedy_strings(model, images, vocab, meta["max_len"])):
            truth = caption_for_seed(seed)
            found.append({"input": text, "tokens": [seed], "generated": said.split(),
                          "caption": said, "truth": truth,
                          "match": ("same" if truth == said else
                                    "same picture, told from the other shape"
                                    if said == converse_caption(truth) else "differs")})
        return found

    def demo(self, model, meta, inputs=None):
        """Caption the first picture of ``make_shapes(n, seed)`` for each seed in ``inputs``."""
        shape = tuple(meta["image_shape"])
        blocks = []
        for one in self.predictions(model, meta, inputs):
            seed = one["tokens"][0]
            side = [f"seed {seed}", f"  true:  {one['truth']}",
                    f"  model: {one['caption']}  ({one['match']})"]
            art = ascii_image(image_for_seed(seed, size=shape[0]))
            lines = [a + "   " + (side[k] if k < len(side) else "") for k, a in enumerate(art)]
            blocks.append("\n".join(line.rstrip() for line in lines))
        return "\n\n".join(blocks)
