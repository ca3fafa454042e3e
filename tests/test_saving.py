"""Saving and loading: a round trip predicts identically; the file is an npz of plain arrays with
the config as JSON; writes are atomic; bad files raise ModelFileError with a clear message."""
import json
import os
import zipfile

import numpy as np
import pytest

import rnnkit
from rnnkit import Sequential, load_model
from rnnkit.errors import ModelFileError
from rnnkit.layers import Dense, SimpleRNN


def _trained_model():
    rnnkit.set_seed(3)
    model = Sequential([SimpleRNN(5, return_sequences=True, go_backwards=True, activation="relu",
                                  input_shape=(4, 3)),
                        SimpleRNN(4, activation="sigmoid"),
                        Dense(3, activation="softmax")])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(10, 4, 3))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    model.fit(x, rng.integers(0, 3, size=10), epochs=2, batch_size=4, verbose=0)
    return model, x


def test_round_trip_predicts_identically(tmp_path):
    model, x = _trained_model()
    path = tmp_path / "m.rnnkit"
    model.save(path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype == np.float64
    assert [l.name for l in loaded.layers] == [l.name for l in model.layers]
    assert [l.get_config() for l in loaded.layers] == [l.get_config() for l in model.layers]
    assert loaded.layers[0].go_backwards and loaded.layers[0].activation == "relu"


def test_float32_stays_float32(tmp_path, float32):
    model = Sequential([SimpleRNN(3, input_shape=(2, 2)), Dense(2)])
    x = np.random.default_rng(1).normal(size=(3, 2, 2))
    path = tmp_path / "m32.rnnkit"
    model.save(path)
    rnnkit.set_floatx("float64")              # loading restores the saved dtype, not the default
    loaded = load_model(path)
    assert all(w.dtype == np.float32 for w in loaded.get_weights())
    np.testing.assert_array_equal(loaded.predict(x), model.predict(x))
    assert rnnkit.config.floatx() == "float64"


def test_file_is_an_npz_of_plain_arrays_with_a_json_config(tmp_path):
    model, _ = _trained_model()
    path = tmp_path / "m.rnnkit"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:          # never needs pickle
        header = json.loads(bytes(data["__config__"]).decode("utf-8"))
        weights = [data[k] for k in sorted(k for k in data.files if k != "__config__")]
    assert header["model"]["class"] == "Sequential"
    assert [l["class"] for l in header["model"]["layers"]] == ["SimpleRNN", "SimpleRNN", "Dense"]
    assert len(weights) == len(model.get_weights())
    for a, b in zip(weights, model.get_weights()):
        np.testing.assert_array_equal(a, b)                    # Keras layout, Keras order


def test_save_is_atomic(tmp_path, monkeypatch):
    model, x = _trained_model()
    path = tmp_path / "m.rnnkit"
    model.save(path)
    model.save(path)                                           # overwrite in place
    assert sorted(os.listdir(tmp_path)) == ["m.rnnkit"]        # no temporary files left
    good = path.read_bytes()

    def broken_savez(f, **arrays):
        f.write(b"PK\x03\x04 half a file")
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        model.save(path)
    assert path.read_bytes() == good                           # the old model is intact
    assert sorted(os.listdir(tmp_path)) == ["m.rnnkit"]


def test_save_creates_missing_folders(tmp_path):
    model, x = _trained_model()
    path = tmp_path / "runs" / "a" / "m.rnnkit"
    model.save(path)
    np.testing.assert_array_equal(load_model(path).predict(x), model.predict(x))


def _expect_model_file_error(path, *fragments):
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_missing_file(tmp_path):
    _expect_model_file_error(tmp_path / "nope.rnnkit", "no model file")


def test_truncated_file(tmp_path):
    model, _ = _trained_model()
    path = tmp_path / "m.rnnkit"
    model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    _expect_model_file_error(path, "truncated")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.rnnkit"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    _expect_model_file_error(path, "not a readable rnnkit model")


def test_foreign_npz_without_config(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones(3))
    _expect_model_file_error(path, "__config__")


def test_npz_needing_pickle_is_refused(tmp_path):
    path = tmp_path / "pickled.npz"
    np.savez(path, __config__=np.array([{"format": "rnnkit-model"}], dtype=object))
    _expect_model_file_error(path)


def test_wrong_format_and_newer_version(tmp_path):
    for header, fragment in [({"format": "something-else"}, "not an rnnkit model"),
                             ({"format": "rnnkit-model", "version": 99}, "newer rnnkit")]:
        path = tmp_path / "h.rnnkit"
        with open(path, "wb") as f:
            np.savez(f, __config__=np.frombuffer(json.dumps(header).encode(), np.uint8))
        _expect_model_file_error(path, fragment)


def test_weights_that_do_not_fit_the_architecture(tmp_path):
    model, _ = _trained_model()
    path = tmp_path / "m.rnnkit"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["w000"] = np.zeros((7, 7))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    _expect_model_file_error(path, "do not fit")


def test_a_zip_that_is_not_npz(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    _expect_model_file_error(path)


def test_the_npz_helper_round_trips_and_stores_no_objects(tmp_path):
    from rnnkit.fileio import numbered_arrays, numbered_list, read_npz, write_npz
    arrays = [np.arange(6.0).reshape(2, 3), np.array([1, 2], np.int32)]
    header = {"format": "x", "value": np.float32(0.5), "nan": float("nan")}
    write_npz(tmp_path / "a.npz", header, numbered_arrays("w", arrays), "__header__")
    read_header, named = read_npz(tmp_path / "a.npz", "__header__", "x", 1)
    assert read_header == {"format": "x", "value": 0.5, "nan": None}     # JSON has no NaN
    with pytest.raises(ValueError, match="not an y file"):
        read_npz(tmp_path / "a.npz", "__header__", "y", 1)
    for a, b in zip(numbered_list("w", named), arrays):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    with pytest.raises(TypeError, match="w000 holds Python objects"):
        write_npz(tmp_path / "b.npz", {}, {"w000": np.array([{"a": 1}], dtype=object)}, "__h__")
    assert not (tmp_path / "b.npz").exists()


def test_loading_leaves_the_callers_float_type_and_generator(tmp_path):
    model, _ = _trained_model()
    model.save(tmp_path / "m.rnnkit")
    rnnkit.set_seed(5)
    rnnkit.set_floatx("float32")
    r = rnnkit.config.rng()
    state = r.bit_generator.state
    try:
        assert load_model(tmp_path / "m.rnnkit").dtype == np.float64
        assert rnnkit.config.rng() is r and r.bit_generator.state == state
        assert rnnkit.config.floatx() == "float32"
    finally:
        rnnkit.set_floatx("float64")
