"""char-lm: a character language model, the lecture's "hello" example grown to any text.

The lecture feeds "h e l l" one-hot, one character per step, and asks the network for the next
character at every step: targets "e l l o". The model here is exactly that picture::

    one-hot characters (batch, T, V)
      -> SimpleRNN / LSTM / GRU(units, return_sequences=True)     h_t = f(U x_t + W h_{t-1} + b_xh)
      -> TimeDistributed(Dense(V, softmax))                       y_t = softmax(V h_t + b_hy)

With ``text="hello"``, ``cell="rnn"`` and ``units=3`` its weights have the lecture's shapes: U 3x4,
W 3x3, V 4x3 (the alphabet h, e, l, o, in order of first appearance).

Data
----
``text`` chooses the default text: ``"indonesian"`` (the default: the first 3,000 sentences of
Indonesian news of the nlp-id POS corpus, about 306,000 characters, fetched once from the package
registry with pos-tagging's corpus, checked by SHA-256 and cached: :func:`rnnkit.data.news_text`,
``rnnkit data fetch char-lm``), ``"zen"`` (*The Zen of Python*, which ships with Python, about 850
characters) or ``"hello"``. ``--data PATH`` reads any UTF-8 text file. The text is cut into windows
of ``seq_len`` characters every ``stride`` characters; a window's targets are the same characters
moved one to the left. The first 80% of the text gives the training windows, the next 10% the
validation windows and the last 10% the test windows (for "hello", whose only window is
"hell" -> "ello", training, validation and test are that window).
The alphabet is every character of the whole text, in order of first appearance (so a test character
is never unknown; no statistics of the test part are used).

Metrics on the test windows, over every predicted character: ``accuracy`` (the most probable next
character is the right one) and ``perplexity`` = exp(mean cross-entropy), lower is better.
Baseline: the unigram model, the training text's character frequencies (add-one smoothed), which
always guesses the most frequent character.

On the Indonesian news the default run (windows of 40 characters side by side, 16 epochs, about
two and a half minutes of one core) reaches a held-out perplexity of 5.3 against the unigram
baseline's 21.3 (seed 0, measured), and its samples are Indonesian-looking words in news-like
phrases ("juga akan mengembangkan", "karena harus lebih"). The old default, the Zen, is small
(about 680 training characters): with ``--set text=zen --set stride=3 --set lr=0.002`` the model
beats the unigram baseline in accuracy and perplexity on the held-out last 10%, and its samples
are Zen-like words with spelling mistakes. Train it longer (``--epochs 40``) and it learns the
training text by heart: fluent Zen in the demo, but a held-out perplexity worse than unigram's
(overfitting, visible in val_loss). Both are worth showing in class.

Demo: continue a prompt (default "Menurut" for the Indonesian news, "Beautiful is" for the Zen,
"h" for hello), ``sample_length`` characters, sampled with ``temperature`` (0 = always the most
probable character). Each new character comes from ``model.predict`` on the last ``seq_len``
characters: the same forward pass as training, no second copy of the step equation.

Stateful training, min-char-rnn's way (``"stateful": true``, default false): the training text is
cut into ``batch_size`` equal streams (fewer when it is too short for a window each; ``info``
says how many), each read as consecutive ``seq_len`` windows (stride = seq_len; ``stride`` is
not used), and a batch holds the next window of every stream. The recurrent layer is stateful, fit
runs with ``shuffle=False``, the state is carried from batch to batch and reset to zeros at each
epoch's start: truncated BPTT over the whole text (docs/bptt.md, "Stateful layers"). Validation
and test read their part of the text as one stream, from zeros, the state carried from window to
window (``val_loss``/``val_accuracy`` are computed so, after each epoch). The demo reads the prompt
once, then feeds each new character alone, the state carried: min-char-rnn's ``sample``.
"""
import numpy as np

from rnnkit import Sequential
from rnnkit import config as rk_config
from rnnkit import threads
from rnnkit.callbacks import Callback
from rnnkit.data import (DataError, OneHotWindows, default_text, hello, info_postag, news_text,
                         one_hot, read_text)
from rnnkit.errors import ConfigError, InputError
from rnnkit.layers import Dense, TimeDistributed, recurrent_layer
from rnnkit.plugins import Architecture, Dataset

from . import _common

TEXTS = {"indonesian": news_text, "zen": default_text, "hello": hello}
#: texts fetched on first use (their function takes ``progress``)
FETCHED_TEXTS = ("indonesian",)
#: test windows scored per ``predict`` call (:meth:`CharLM.evaluate`)
SCORE_BLOCK = 1024
DEFAULT_PROMPTS = {"indonesian": "Menurut", "zen": "Beautiful is", "hello": "h"}


def read_plain_text(path):
    """The text of ``path`` with Windows line ends (CRLF) and lone CRs read as newlines: a
    carriage return is never a character the model learns."""
    return read_text(path).replace("\r\n", "\n").replace("\r", "\n")


def char_ids(text, alphabet):
    """The index in ``alphabet`` of every character of ``text`` (each must be in it), int32.

    Vectorized (the text's code points against the alphabet's, sorted): a 10 MB text takes a
    fraction of a second and 40 MB, where a Python list of its indices takes seconds and 400 MB.

    >>> char_ids("hello", ["h", "e", "l", "o"]).tolist()
    [0, 1, 2, 2, 3]
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    codes = np.array([ord(c) for c in alphabet], dtype=np.uint32)
    order = np.argsort(codes)
    at = np.minimum(np.searchsorted(codes[order], points), len(codes) - 1)
    if points.size and not np.array_equal(codes[order][at], points):
        raise ValueError("char_ids: the text has characters outside the alphabet")
    return order[at].astype(np.int32)


def char_windows(text, alphabet, seq_len, stride=1):
    """Input and target index windows: inputs ``text[i:i+T]``, targets ``text[i+1:i+T+1]``.

    Returns two integer arrays of shape (n, T), i = 0, stride, 2*stride, ... while a full window
    fits (:func:`id_windows` of :func:`char_ids`: read-only views of one array of the text's ids).

    >>> x, y = char_windows("hello", ["h", "e", "l", "o"], 4)
    >>> x.tolist(), y.tolist()          # h e l l -> e l l o
    ([[0, 1, 2, 2]], [[1, 2, 2, 3]])
    """
    return id_windows(char_ids(text, alphabet), seq_len, stride)


def id_windows(ids, seq_len, stride=1):
    """:func:`char_windows` of a text already turned into ``ids``: views, no window is copied (a
    character is in about seq_len / stride windows; copies would store it that often)."""
    if len(ids) <= seq_len:
        return np.zeros((0, seq_len), ids.dtype), np.zeros((0, seq_len), ids.dtype)
    view = np.lib.stride_tricks.sliding_window_view
    return view(ids[:-1], seq_len)[::stride], view(ids[1:], seq_len)[::stride]


class CharLM(Architecture):
    """Character-level language model with sampling (see the module docstring)."""

    name = "char-lm"
    kind = "many-to-many"
    summary = "Character language model: the lecture's 'hello', any text, sampling with a temperature"
    headline_metric = "accuracy"
    data_help = ("any UTF-8 text file (at least a few hundred characters to learn something). "
                 "Default: Indonesian news sentences (text=indonesian, downloaded on first use: "
                 "`rnnkit data fetch char-lm`), The Zen of Python (text=zen) or the lecture's "
                 "'hello' (text=hello).")
    cells = ("lstm", "gru", "rnn")
    input_help = "a prompt whose text the model continues, e.g. \"hel\""

    def default_config(self):
        return {"cell": "lstm", "units": 128, "text": "indonesian", "seq_len": 40, "stride": 40,
                "epochs": 16, "batch_size": 32, "lr": 0.005, "clipnorm": 5.0, "seed": 0,
                "temperature": 0.5, "sample_length": 120, "floatx": "float32",
                "stateful": False}

    # ---- data ------------------------------------------------------------------------------
    def load_data(self, config, path=None, progress=None):
        if path is not None:
            text = read_plain_text(path)
            return self._dataset(text, config, str(path), prompt=text[:12])
        if config["text"] not in TEXTS:
            raise ConfigError(f"unknown text {config['text']!r}; choose one of "
                              f"{', '.join(TEXTS)} or pass --data PATH")
        name = config["text"]
        text = TEXTS[name](progress) if name in FETCHED_TEXTS else TEXTS[name]()
        if name == "hello":
            config = dict(config, seq_len=len(text) - 1, stride=1)
        return self._dataset(text, config, f"built-in text {config['text']!r}",
                             prompt=DEFAULT_PROMPTS[config["text"]])

    def small_data(self, config):
        """The first 160 characters of the Zen of Python, windows of 10."""
        return self._dataset(default_text()[:160], dict(config, seq_len=10, stride=3),
                             "first 160 characters of the Zen of Python (small_data)",
                             prompt="Beautiful is")

    def encode_data(self, config, meta, path):
        """Every window of the text at ``path`` in the run's alphabet (characters outside it
        are left out, and counted in ``info``); ``train`` is the same windows."""
        text = read_plain_text(path)
        alphabet, T = meta["alphabet"], meta["seq_len"]
        known = "".join(c for c in text if c in set(alphabet))
        if len(known) < T + 1:
            raise DataError(f"{path}: {len(known)} characters of the run's alphabet, fewer than "
                            f"seq_len + 1 = {T + 1}; give a longer text")
        x, y = (stream_windows(char_ids(known, alphabet), 1, T) if meta.get("stateful")
                else char_windows(known, alphabet, T, config["stride"]))
        data = (OneHotWindows(x, len(alphabet), config["floatx"]), y)
        return Dataset(train=data, test=data, meta=meta,
                       info={"source": str(path), "unknown_characters": len(text) - len(known)})

    def _dataset(self, text, config, source, prompt):
        _common.check_positive_ints(config, "seq_len", "stride", "sample_length")
        _common.check_at_least(config, "temperature", 0, "0 = always the most probable character")
        T, stride = config["seq_len"], config["stride"]
        if len(text) < T + 1:
            raise DataError(f"{source}: the text has {len(text)} characters, fewer than seq_len + 1 "
                            f"= {T + 1}. Use a longer text or a smaller seq_len.")
        alphabet = list(dict.fromkeys(text))
        ids = char_ids(text, alphabet)
        cut_val, cut_test = int(len(text) * 0.8), int(len(text) * 0.9)
        # validation and test windows start T characters early: they predict the next 10% each
        x_train, y_train = id_windows(ids[:cut_val], T, stride)
        x_val, y_val = id_windows(ids[cut_val - T:cut_test], T, stride)
        x_test, y_test = id_windows(ids[cut_test - T:], T, stride)
        shared = min(x_train.size, x_val.size, x_test.size) == 0
        if shared:                      # too short to split (e.g. "hello"): train and test on it
            x_train, y_train = id_windows(ids, T, 1)
            x_val, y_val = x_test, y_test = x_train, y_train
        stateful = _stateful(config)
        if stateful:                    # min-char-rnn's streams instead (stream_split)
            (x_train, y_train), (x_val, y_val), (x_test, y_test), shared, streams = \
                stream_split(ids, T, config["batch_size"])
        train_counts = np.bincount(ids if shared else ids[:cut_val], minlength=len(alphabet))
        meta = {"alphabet": alphabet, "seq_len": T, "unigram": train_counts.tolist(),
                "prompt": prompt, "temperature": float(config["temperature"]),
                "sample_length": int(config["sample_length"])}
        info = {"source": source, "characters": len(text), "alphabet": len(alphabet),
                "seq_len": T, "stride": stride, "train_windows": len(x_train),
                "val_windows": len(x_val), "test_windows": len(x_test),
                "split": "train and test are the same windows (text too short to split)" if shared
                else "first 80% of the text / next 10% / last 10%"}
        if stateful:
            meta.update(stateful=True, streams=streams)
            info.update(stride=T, streams=streams, stateful=(
                f"{streams} stream(s) of consecutive windows, state carried, reset each epoch"))
        V, dtype = len(alphabet), config["floatx"]
        # one-hot rows are made batch by batch: the windows of a 10 MB text would take gigabytes
        return Dataset(train=(OneHotWindows(x_train, V, dtype), y_train),
                       val=(OneHotWindows(x_val, V, dtype), y_val),
                       test=(OneHotWindows(x_test, V, dtype), y_test), meta=meta, info=info)

    def fetch(self, progress=None):
        news_text(progress)
        return self.data_info()

    def data_info(self):
        corpus = info_postag()
        return {"source": f"text=indonesian (the default): the first sentences of the POS corpus "
                          f"{corpus['source']}; text=zen: The Zen of Python (PEP 20), read from "
                          f"the standard library's module `this`; text=hello: the lecture's "
                          f"'hello' (nothing to download)",
                "path": corpus["path"], "cached": corpus["cached"], "size": corpus["size"],
                "sha256": corpus["sha256"],
                "licence": f"text=indonesian: {corpus['licence']}; text=zen: PEP 20 is in the "
                           f"public domain"}

    # ---- model -------------------------------------------------------------------------------
    def build_model(self, config, meta):
        V = len(meta["alphabet"])
        model = Sequential([recurrent_layer(config["cell"], config["units"], return_sequences=True,
                                            input_shape=(meta["seq_len"], V),
                                            stateful=bool(meta.get("stateful"))),
                            TimeDistributed(Dense(V, activation="softmax"))], name="char_lm")
        model.compile(loss="sparse_categorical_crossentropy", optimizer=_common.optimizer(config),
                      metrics=["accuracy"])
        return model

    def fit(self, model, data, config, callbacks=None, verbose=0):
        """Stateful: batches of one window per stream, in order, the state reset each epoch and
        validation read as one stream (module docstring); otherwise the default fit."""
        if not data.meta.get("stateful"):
            return super().fit(model, data, config, callbacks, verbose)
        callbacks = ([StreamEpochs(data.val)] + list(self.epoch_metrics(model, data, config))
                     + list(callbacks or []))
        return model.fit(*data.train, epochs=config["epochs"], batch_size=data.meta["streams"],
                         shuffle=False, callbacks=callbacks, verbose=verbose,
                         initial_epoch=config.get("initial_epoch", 0))

    # ---- metrics -----------------------------------------------------------------------------
    def evaluate(self, model, data):
        x, y = data.test
        y = np.asarray(y)
        model.reset_states()             # stateful: the test text is one stream, from zeros
        batch = 1 if data.meta.get("stateful") else None
        # block by block: the probabilities of every test window at once are windows × T × V
        # floats (530 MB for 1 MB of text)
        sums = [_sums(model.predict(x[i:i + SCORE_BLOCK], batch_size=batch),
                      y[i:i + SCORE_BLOCK])
                for i in range(0, len(y), SCORE_BLOCK)]
        return _scores_of(*np.sum(sums, axis=0))

    def baseline(self, data):
        """The unigram model of the training text (add-one smoothing)."""
        counts = np.asarray(data.meta["unigram"], dtype=np.float64) + 1.0
        p = counts / counts.sum()
        y = np.asarray(data.test[1])
        # the same p at every position: scored from y alone (an (n, T, V) array of p, even a
        # broadcast one, is copied whole by argmax: gigabytes for a few MB of text)
        return _scores_of(float((y == p.argmax()).sum()), float(-np.log(p[y]).sum()),
                          float(y.size))

    # ---- demo ----------------------------------------------------------------------------------
    def encode(self, meta, text):
        """One-hot characters of ``text`` (those in the alphabet) and the characters themselves."""
        index = {c: k for k, c in enumerate(meta["alphabet"])}
        chars = [c for c in text if c in index]
        if not chars:
            raise InputError(f"char-lm: none of the characters of {text!r} is in the model's "
                             f"alphabet {''.join(meta['alphabet'])!r}")
        return one_hot(np.array([[index[c] for c in chars]]), len(index)), chars

    def predictions(self, model, meta, inputs=None):
        """Per prompt: the characters the model read (``tokens``; those outside its alphabet are
        ``left_out``), and the ``sample_length`` characters it ``generated`` at ``temperature``."""
        prompts = [inputs] if isinstance(inputs, str) else list(inputs or [meta["prompt"]])
        rng = np.random.default_rng(rk_config.rng().integers(2**32))
        found = []
        for prompt in prompts:
            with threads.for_model(model):     # many small predictions: one BLAS thread
                text, dropped = sample(model, meta, prompt, meta["sample_length"],
                                       meta["temperature"], rng)
            found.append({"input": prompt, "tokens": [c for c in prompt if c not in dropped],
                          "left_out": sorted(dropped), "generated": list(text),
                          "temperature": meta["temperature"]})
        return found

    def demo(self, model, meta, inputs=None):
        out = [f"temperature {meta['temperature']:g} (0 = most probable character)"]
        for one in self.predictions(model, meta, inputs):
            left_out = "".join(one["left_out"])
            note = f"   (left out, not in the alphabet: {left_out!r})" if left_out else ""
            out.append(f"{one['input']!r} -> {''.join(one['generated'])!r}{note}")
        return "\n".join(out)


def sample(model, meta, prompt, length, temperature, rng):
    """Continue ``prompt`` by ``length`` characters; returns (continuation, dropped characters).

    Each step runs ``model.predict`` on the last ``seq_len`` characters (one-hot) and draws the next
    character from the last step's distribution p, sharpened by the temperature τ:
    p_i^(1/τ) / sum_j p_j^(1/τ) (τ = 0: the most probable character).
    """
    alphabet = meta["alphabet"]
    index = {c: k for k, c in enumerate(alphabet)}
    dropped = {c for c in prompt if c not in index}
    ids = [index[c] for c in prompt if c in index]
    if not ids:
        raise InputError(f"char-lm demo: none of the prompt's characters {prompt!r} is in the "
                         f"model's alphabet {''.join(alphabet)!r}")
    T, V = meta["seq_len"], len(alphabet)
    # stateful (min-char-rnn): the prompt once, then each new character alone, the state carried
    stateful = bool(meta.get("stateful"))
    model.reset_states()
    made = []
    for _ in range(length):
        window = np.array([(ids[-1:] if made else ids) if stateful else ids[-T:]])
        p = model.predict(one_hot(window, V))[0, -1].astype(np.float64)
        if temperature <= 0:
            k = int(p.argmax())
        else:
            logp = np.log(np.maximum(p, 1e-12)) / temperature
            q = np.exp(logp - logp.max())
            k = int(rng.choice(V, p=q / q.sum()))
        ids.append(k)
        made.append(alphabet[k])
    return "".join(made), dropped


def _stateful(config):
    """``config["stateful"]`` (False when absent: runs from before the option), checked."""
    value = config.get("stateful", False)
    if not isinstance(value, bool):
        raise ConfigError(f"stateful must be true or false, got {value!r}")
    return value


def stream_windows(ids, streams, seq_len):
    """min-char-rnn's chunks, ``streams`` of them side by side: ``ids`` cut into ``streams`` equal
    parts, each read as consecutive windows of ``seq_len`` (stride = seq_len; each part's
    remainder is left out), ordered so that sample b·streams + i is the b-th window of part i:
    what a stateful model fed batches of ``streams`` rows, unshuffled, needs. Returns (inputs,
    targets), each (n, seq_len); the targets are the characters one on.

    >>> x, y = stream_windows(np.arange(9), 2, 2)     # parts 0 1 2 3 and 4 5 6 7
    >>> x.tolist(), y.tolist()
    ([[0, 1], [4, 5], [2, 3], [6, 7]], [[1, 2], [5, 6], [3, 4], [7, 8]])
    """
    part = (len(ids) - 1) // streams
    starts = (np.arange(part // seq_len)[:, None] * seq_len
              + np.arange(streams)[None, :] * part).reshape(-1)
    at = starts[:, None] + np.arange(seq_len)
    return ids[at], ids[at + 1]


def stream_split(ids, seq_len, batch_size):
    """Train, validation and test windows for stateful training (:func:`stream_windows`): the
    first 80% of the text in ``batch_size`` streams (fewer if it has not a window for each), the
    next 10% and the last 10% in one stream each; the whole text for all three when a part is
    too short for one window. Returns (train, val, test, shared, streams)."""
    cut_val, cut_test = int(len(ids) * 0.8), int(len(ids) * 0.9)
    parts = [ids[:cut_val], ids[cut_val:cut_test], ids[cut_test:]]
    shared = min(len(p) for p in parts) <= seq_len
    if shared:
        parts = [ids] * 3
    streams = max(1, min(batch_size, (len(parts[0]) - 1) // seq_len))
    train = stream_windows(parts[0], streams, seq_len)
    return (train, stream_windows(parts[1], 1, seq_len), stream_windows(parts[2], 1, seq_len),
            shared, streams)


class StreamEpochs(Callback):
    """Stateful char-lm's epochs: the state reset to zeros as each epoch starts (the streams
    start over), and ``val_loss``/``val_accuracy`` from ``val`` read as one stream after it."""

    def __init__(self, val):
        self.val = val

    def on_epoch_begin(self, epoch, n_batches):
        self.model.reset_states()

    def on_epoch_end(self, epoch, logs):
        x, y = self.val
        self.model.reset_states()
        right, cross_entropy, count = _sums(self.model.predict(x, batch_size=1), np.asarray(y))
        logs["val_loss"], logs["val_accuracy"] = cross_entropy / count, right / count


def _scores(p, y):
    """Accuracy and perplexity of next-character distributions ``p`` (n, T, V) for targets ``y``."""
    return _scores_of(*_sums(p, y))


def _sums(p, y):
    """(right guesses, summed cross-entropy, predictions) of ``p`` (n, T, V) for targets ``y``."""
    picked = np.take_along_axis(p, y[..., None], axis=-1)[..., 0]
    return (float((p.argmax(-1) == y).sum()), float(-np.log(np.maximum(picked, 1e-12)).sum()),
            float(y.size))


def _scores_of(right, cross_entropy, count):
    ce = cross_entropy / count
    return {"accuracy": right / count, "perplexity": float(np.exp(ce)), "cross_entropy": ce}
