"""rnnkit.viz: every drawing function writes valid PDF, SVG and PNG files; the theme; save()."""

import json

import numpy as np
import pytest
from matplotlib.figure import Figure

from rnnkit.viz import (Theme, build_graph, draw_architectures, draw_gradient_norms, draw_graph,
                        draw_hidden_heatmap, draw_loss_curves, load_history, save)
from rnnkit.viz import _diagram

HISTORY = [{"epoch": i + 1, "loss": 1.0 / (i + 1), "val_loss": 1.2 / (i + 1), "accuracy": 0.5 + 0.05 * i}
           for i in range(5)]


def figures():
    steps = np.arange(20)
    theme = Theme(style="dark", aspect="4:3")
    return {
        "unroll": draw_graph(build_graph("many-to-many", 2, grads=True)),
        "architectures": draw_architectures(theme),
        "curves": draw_loss_curves([("rnn", HISTORY), ("lstm", HISTORY)], theme),
        "gradients": draw_gradient_norms({"SimpleRNN": 0.7 ** steps, "LSTM": 0.98 ** steps}),
        "hidden": draw_hidden_heatmap(np.tanh(np.arange(12.0).reshape(3, 4) - 6), list("abcd"), theme,
                                      gates={"f": np.full((3, 4), 0.5)}),
    }


MAGIC = {".pdf": lambda b: b.startswith(b"%PDF"), ".png": lambda b: b.startswith(b"\x89PNG"),
         ".svg": lambda b: b"<svg" in b}


@pytest.fixture(scope="module")
def all_figures():
    return figures()


@pytest.mark.parametrize("ext", [".pdf", ".svg", ".png"])
def test_every_figure_saves(all_figures, tmp_path, ext):
    for name, fig in all_figures.items():
        assert isinstance(fig, Figure)
        path = save(fig, tmp_path / "nested" / "dir" / f"{name}{ext}", dpi=30)
        assert MAGIC[ext](path.read_bytes()), name
    assert not [p for p in (tmp_path / "nested" / "dir").iterdir() if p.name.startswith(".")]  # no temp files


def test_bad_extension(tmp_path):
    with pytest.raises(ValueError, match=r"\.jpg.*\.pdf, \.svg, \.png"):
        save(Figure(), tmp_path / "fig.jpg")
    with pytest.raises(ValueError, match="no extension"):
        save(Figure(), tmp_path / "fig")
    assert list(tmp_path.iterdir()) == []


def test_theme():
    assert Theme().figsize == pytest.approx((13.333, 7.5))
    assert Theme(aspect="4:3").figsize == (10.0, 7.5)
    light, dark = Theme(), Theme(style="dark")
    assert light.color("x") == dark.color("x") and light.background != dark.background
    assert len({light.color(r) for r in ("x", "h", "y", "enc", "dec", "grad")}) == 6
    assert 14 <= light.base_size <= 16
    with pytest.raises(ValueError):
        Theme(style="sepia")
    with pytest.raises(ValueError):
        Theme(aspect="21:9")


def test_architectures_panels_are_clean():
    fig = draw_architectures(Theme())
    width, height = fig.get_size_inches()
    texts = [t.text for lay in fig._rnnkit_layout for t in lay.texts]
    for words in ("image captioning", "text classification", "POS tagging", "machine translation"):
        assert words in texts
    assert [p for lay in fig._rnnkit_layout for p in _diagram.layout_problems(lay, width, height)] == []


def test_load_history(tmp_path):
    (tmp_path / "history.json").write_text(json.dumps(HISTORY))
    assert load_history(tmp_path) == HISTORY
    keras_style = tmp_path / "k"
    keras_style.mkdir()
    (keras_style / "history.json").write_text(json.dumps({"loss": [0.5, 0.4], "val_loss": [0.6, 0.5]}))
    assert load_history(keras_style)[1] == {"loss": 0.4, "val_loss": 0.5}
    with pytest.raises(FileNotFoundError, match="rnnkit train") as err:
        load_history(tmp_path / "missing")
    assert "missing" in str(err.value)


def test_input_errors():
    with pytest.raises(ValueError, match="accuracy"):
        draw_loss_curves([("run", [{"epoch": 1, "accuracy": 0.5}])], metric="loss")
    with pytest.raises(ValueError, match="tokens"):
        draw_hidden_heatmap(np.zeros((3, 4)), ["a", "b"])
    with pytest.raises(ValueError, match="log"):
        draw_gradient_norms({"GRU": np.zeros(5)})
