"""Teacher forcing versus free running (issue 16, point 8): one decoder drawn twice, checked from
the graph the figure draws and from its placed layout (never from pixels)."""

import pytest
from click.testing import CliRunner

from rnnkit import figures
from rnnkit.cli.main import cli
from rnnkit.viz.teacher_forcing import teacher_forcing_graph
from rnnkit.viz.unroll import START

from test_viz_lecture import IDS, THEMES, assert_slide


@pytest.mark.parametrize("theme", THEMES, ids=IDS)
def test_teacher_forcing_figure_keeps_the_slide_rules(theme):
    assert_slide(figures.teacher_forcing_figure(theme=theme), theme)


def _edges(graph, prefix):
    return {(e.src, e.dst): (e.label, e.kind) for e in graph.edges if e.dst.startswith(prefix)}


def test_teacher_forcing_reads_the_targets_and_free_running_its_own_predictions():
    g = teacher_forcing_graph(3)
    label = {n.id: n.label for n in g.nodes}
    tf, fr = _edges(g, "tf-"), _edges(g, "fr-")
    # the same decoder on both sides: c -> s1 -> s2 -> s3 through W_dec, each s_t -> ŷ_t through V
    for p, edges in (("tf", tf), ("fr", fr)):
        assert edges[(f"{p}-c", f"{p}-s1")] == ("W_dec", "state")
        for t in (2, 3):
            assert edges[(f"{p}-s{t - 1}", f"{p}-s{t}")] == ("W_dec", "state")
        for t in (1, 2, 3):
            assert edges[(f"{p}-s{t}", f"{p}-y{t}")] == ("V", "param")
            assert label[f"{p}-y{t}"] == rf"$\hat y_{{{t}}}$"
        assert label[f"{p}-x1"] == START and edges[(f"{p}-x1", f"{p}-s1")] == ("U_dec", "param")
    # teacher forcing: step t reads the true y_{t-1}, a node of the input row; nothing fed back
    for t in (2, 3):
        assert label[f"tf-x{t}"] == f"$y_{{{t - 1}}}$"
        assert tf[(f"tf-x{t}", f"tf-s{t}")] == ("U_dec", "param")
    assert not any(kind == "feedback" for _, kind in tf.values())
    # free running: step t reads its own prediction ŷ_{t-1}, and no target is drawn
    for t in (2, 3):
        assert fr[(f"fr-y{t - 1}", f"fr-s{t}")] == ("U_dec", "feedback")
    assert "fr-x2" not in label and "fr-x3" not in label
    # inputs at the bottom, states in the middle, predictions on top; the two sides apart
    rows = {n.id: n.xy[1] for n in g.nodes}
    assert {rows[i] for i in label if "-x" in i} == {0} and {rows[i] for i in label if "-y" in i} == {2}
    assert max(n.xy[0] for n in g.nodes if n.id.startswith("tf-")) < \
        min(n.xy[0] for n in g.nodes if n.id.startswith("fr-"))
    heads = [c.text for c in g.captions]
    assert heads[0].startswith("teacher forcing (training)") and "the true $y_{t-1}$" in heads[0]
    assert heads[1].startswith("free running (inference)") and r"$\hat y_{t-1}$" in heads[1]


@pytest.mark.parametrize("theme, steps", list(zip(THEMES, (3, 2, 3))), ids=IDS)
def test_teacher_forcing_figure_draws_every_step_it_can_fit(theme, steps):
    layout = figures.teacher_forcing_figure(theme=theme)._rnnkit_layout
    drawn = {p.node.id for p in layout.nodes}
    assert {f"tf-s{t}" for t in range(1, steps + 1)} | {f"fr-s{t}" for t in range(1, steps + 1)} <= drawn
    assert f"tf-s{steps + 1}" not in drawn
    assert not any("⋯" in (t.text or "") for t in layout.texts)    # no step left out


def test_plot_teacher_forcing_writes_the_figure_and_rejects_bad_steps(tmp_path):
    out = tmp_path / "tf.svg"
    result = CliRunner().invoke(cli, ["plot", "teacher-forcing", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "<svg" in out.read_text()[:400]
    bad = CliRunner().invoke(cli, ["plot", "teacher-forcing", "--steps", "9", "-o", str(out)])
    assert bad.exit_code == 2 and "--steps" in bad.output
    with pytest.raises(ValueError, match="steps"):
        teacher_forcing_graph(1)
    with pytest.raises(ValueError, match="steps"):
        teacher_forcing_graph(4)
    # 3 steps twice do not fit a 4:3 slide at 14 pt: refused with how many do, not drawn smaller
    # or with steps left out
    bad = CliRunner().invoke(cli, ["plot", "teacher-forcing", "--steps", "3", "--aspect", "4:3",
                                   "-o", str(out)])
    assert bad.exit_code == 2 and "--steps 2 or fewer" in bad.output, bad.output
    assert "Traceback" not in bad.output
