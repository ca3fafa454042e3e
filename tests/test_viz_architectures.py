"""Architecture types (issue 16, point 7): stacked RNNs with return_sequences True and False,
their structure and shapes read from the figure's board, never from pixels."""

import pytest
from click.testing import CliRunner

from rnnkit import figures
from rnnkit.cli.main import cli
from test_viz_lecture import IDS, THEMES, assert_slide  # the slide rules of issue 16


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_stacked_keeps_the_slide_rules(theme):
    assert_slide(figures.stacked_figure(theme=theme), theme)


def test_stacked_draws_an_output_per_step_only_when_the_top_layer_returns_sequences():
    fig = figures.stacked_figure(steps=4, units=5)
    board = fig._rnnkit_board
    for panel in ("seq", "last"):
        for k in range(1, 5):
            # layer 2 reads layer 1's state at every step: the lower layer returns its sequence
            assert any(a.src == f"{panel}-a{k}" and a.dst == f"{panel}-b{k}" for a in board.arrows)
    assert [k for k in range(1, 5) if f"seq-y{k}" in board.nodes] == [1, 2, 3, 4]
    assert [k for k in range(1, 5) if f"last-y{k}" in board.nodes] == [4]
    # the states the top layer does not return are drawn apart (grey), the last one is not
    assert [board.nodes[f"last-b{k}"].role for k in range(1, 5)] == ["enc", "enc", "enc", "h"]
    # Keras' rule: (batch, T, units) with return_sequences=True, (batch, units) without
    assert fig._rnnkit_shapes == {True: [("batch", 4, 5), ("batch", 4, 5)],
                                  False: [("batch", 4, 5), ("batch", 5)]}
    assert any("return_sequences=False" in s and "(batch, 5)" in s for s in board.texts)


def test_plot_stacked_writes_the_figure(tmp_path):
    out = tmp_path / "stacked.svg"
    result = CliRunner().invoke(cli, ["plot", "stacked", "--steps", "2", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400]
