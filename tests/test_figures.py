"""The figure commands: each writes a valid file in each format, from computed data; `rnnkit
figures` writes exactly the committed set."""
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import figures, trace
from rnnkit.cli.main import cli
from rnnkit.layers import LSTM, Bidirectional, Dense, Embedding, SimpleRNN
from rnnkit.models import Sequential

MAGIC = {"png": b"\x89PNG", "pdf": b"%PDF", "svg": b"<svg", "gif": b"GIF8"}
REPO = Path(__file__).resolve().parents[1]


def _valid(path, ext):
    data = Path(path).read_bytes()
    return MAGIC[ext] in data[:400] if ext == "svg" else data.startswith(MAGIC[ext])


@pytest.mark.parametrize("ext", ["png", "pdf", "svg"])
@pytest.mark.parametrize("args", [
    ["unroll", "--kind", "encoder-decoder", "--steps", "3"],
    ["unroll", "--kind", "many-to-many", "--steps", "4", "--values", "--grads", "--style", "dark"],
    ["unroll", "--arch", "translation", "--steps", "2", "--aspect", "4:3"],
    ["architectures"],
    ["gradients", "--steps", "8", "--units", "4"],
])
def test_plot_commands_write_each_format(tmp_path, args, ext):
    out = tmp_path / f"fig.{ext}"
    result = CliRunner().invoke(cli, ["plot", *args, "-o", str(out), "--dpi", "40"])
    assert result.exit_code == 0, result.output
    assert _valid(out, ext)


def test_plot_rejects_an_unknown_extension_and_needs_one_source(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["plot", "architectures", "-o", str(tmp_path / "fig.jpg")])
    assert result.exit_code == 1 and ".jpg" in result.output
    result = runner.invoke(cli, ["plot", "unroll", "-o", str(tmp_path / "fig.png")])
    assert result.exit_code == 2 and "exactly one of --kind, --arch or --model" in result.output


def test_plot_loss_overlays_runs_from_their_history(tmp_path):
    import json
    for name, losses in (("a", [1.0, 0.5]), ("b", [0.9, 0.7])):
        (tmp_path / name).mkdir()
        rows = [{"epoch": k + 1, "loss": v, "val_loss": v + 0.1} for k, v in enumerate(losses)]
        (tmp_path / name / "history.json").write_text(json.dumps(rows))
    out = tmp_path / "loss.svg"
    result = CliRunner().invoke(cli, ["plot", "loss", str(tmp_path / "a"), str(tmp_path / "b"),
                                      "--label", "rnn", "--label", "lstm", "-o", str(out)])
    assert result.exit_code == 0, result.output
    svg = out.read_text()
    assert "rnn" in svg and "lstm" in svg
    missing = CliRunner().invoke(cli, ["plot", "loss", str(tmp_path / "nowhere"), "-o", str(out)])
    assert missing.exit_code == 1 and "rnnkit train" in missing.output


def test_lecture_values_are_the_engines_forward_pass():
    values = figures.lecture_values()
    assert values["h1"] == "h₁=[0.197, 0.245, 0.291]"            # the slide's h_1
    assert values["h4"] == "h₄=[0.913, 0.928, 0.894]"
    # y_3 is the softmax of its own logits (0.264), not the slide's slip (0.299)
    assert values["y3"].startswith("y₃=[0.264, 0.266, 0.264, 0.206]")
    assert trace.LECTURE_SLIP[3][0] == 0.299


def test_kind_of_model():
    assert figures.kind_of_model(Sequential([SimpleRNN(2, input_shape=(3, 1)), Dense(1)])) == "many-to-one"
    assert figures.kind_of_model(Sequential([Embedding(5, 2, input_shape=(3,)),
                                             Bidirectional(SimpleRNN(2, return_sequences=True)),
                                             Dense(2)])) == "bidirectional"


def test_hidden_states_and_lstm_gates_follow_the_forward_pass():
    model = Sequential([LSTM(3, return_sequences=True, input_shape=(5, 2)), Dense(2)])
    model.build()
    x = np.random.default_rng(0).normal(size=(1, 5, 2))
    values, gates = figures.hidden_states(model, x)
    lstm = model.layers[0]
    np.testing.assert_allclose(values, lstm(x)[0].T)              # units x T, input order
    assert set(gates) == {"i", "f", "c̃", "o"} and all(g.shape == (3, 5) for g in gates.values())
    # h_t = o_t * tanh(c_t): the gates and the states belong to one forward pass
    c = lstm.last_pass.C[1:, 0].T                                 # c_t of that pass
    np.testing.assert_allclose(values, gates["o"] * np.tanh(c), atol=1e-12)


def test_committed_figures_folder_holds_exactly_the_figure_set():
    folder = REPO / "figures"
    present = sorted(p.name for p in folder.iterdir() if p.name != "README.md")
    assert present == figures.committed_files()
    readme = (folder / "README.md").read_text()
    for name, command, _ in figures.COMMITTED:
        assert f"![{name}]({name}.png)" in readme and command in readme


@pytest.mark.slow
def test_rnnkit_figures_regenerates_exactly_the_committed_set(tmp_path):
    result = CliRunner().invoke(cli, ["figures", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in tmp_path.iterdir() if p.name != "README.md")
    assert made == figures.committed_files()
    for name in made:
        assert _valid(tmp_path / name, name.rsplit(".", 1)[1])
    assert (tmp_path / "README.md").read_text() == (REPO / "figures" / "README.md").read_text()


@pytest.fixture(scope="module")
def tiny_char_lm_run(tmp_path_factory):
    from rnnkit.runs import train
    out = tmp_path_factory.mktemp("runs") / "hello"
    train("char-lm", overrides={"text": "hello", "cell": "lstm", "units": 4, "epochs": 2,
                                "floatx": "float64"}, out_dir=out, figures=False)
    return out


@pytest.mark.parametrize("ext", ["png", "pdf", "svg"])
def test_plot_hidden_and_loss_write_each_format(tiny_char_lm_run, tmp_path, ext):
    runner = CliRunner()
    out = tmp_path / f"hidden.{ext}"
    result = runner.invoke(cli, ["plot", "hidden", str(tiny_char_lm_run), "--input", "hell",
                                 "--gates", "-o", str(out), "--dpi", "40"])
    assert result.exit_code == 0, result.output
    assert _valid(out, ext)
    out = tmp_path / f"loss.{ext}"
    result = runner.invoke(cli, ["plot", "loss", str(tiny_char_lm_run), "-o", str(out), "--dpi", "40"])
    assert result.exit_code == 0, result.output
    assert _valid(out, ext)


def test_plot_hidden_says_which_runs_it_can_draw(tmp_path):
    from rnnkit.runs import train
    run = tmp_path / "air"
    train("forecasting", overrides={"epochs": 1}, out_dir=run, figures=False)
    result = CliRunner().invoke(cli, ["plot", "hidden", str(run), "--input", "x", "-o",
                                      str(tmp_path / "h.png")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "char-lm, pos-tagging and text-classification" in result.output
