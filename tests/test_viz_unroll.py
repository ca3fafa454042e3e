"""rnnkit.viz: the unrolled-graph data model, and its layout checked as geometry (not pixels)."""

import pytest

from rnnkit.viz import Theme, build_graph, draw_graph
from rnnkit.viz import _diagram

STEPS = range(1, 7)


def expected(kind, T):
    """(node counts per role, forward edge counts per label) for the default options."""
    if kind == "many-to-many":
        return {"h0": 1, "x": T, "h": T, "y": T}, {"U": T, "W": T, "V": T}
    if kind == "many-to-one":
        return {"h0": 1, "x": T, "h": T, "y": 1}, {"U": T, "W": T, "V": 1}
    if kind == "one-to-many":
        return {"h0": 1, "x": 1, "h": T, "y": T}, {"U": 1, "W": T, "V": T}
    if kind == "encoder-decoder":
        return ({"h0": 1, "x": T, "enc": T, "dec": T, "y": T},
                {"U_enc": T, "W_enc": T, "W_dec": T, "V": T})
    if kind == "bidirectional":
        return ({"h0": 2, "x": T, "h": 2 * T, "y": T},
                {"U_f": T, "U_b": T, "W_f": T, "W_b": T, "V_f": T, "V_b": T})
    raise AssertionError(kind)


@pytest.mark.parametrize("T", STEPS)
@pytest.mark.parametrize("kind", ["many-to-many", "many-to-one", "one-to-many", "encoder-decoder", "bidirectional"])
def test_structure(kind, T):
    g = build_graph(kind, T)
    roles, labels = expected(kind, T)
    assert g.role_counts() == roles
    assert g.label_counts() == labels
    assert len(set(g.ids())) == len(g.nodes)
    assert len({n.xy for n in g.nodes}) == len(g.nodes)  # one node per grid cell
    assert g.grad_edges == []
    for e in g.edges:
        assert e.src in g.ids() and e.dst in g.ids()
        assert e.kind in ("param", "state")
        # parameter sharing: the weight depends only on the kind of connection, never on t
        src, dst = g.node(e.src).role, g.node(e.dst).role
        if dst == "y":
            assert e.label.startswith("V")
        elif src in ("x",):
            assert e.label.startswith("U")
        else:
            assert e.label.startswith("W") and e.kind == "state"


@pytest.mark.parametrize("T", STEPS)
def test_bidirectional_directions(T):
    g = build_graph("bidirectional", T)
    for e in g.edges:
        if e.label == "W_f":
            assert g.node(e.dst).time == g.node(e.src).time + 1
        if e.label == "W_b":
            assert g.node(e.dst).time == g.node(e.src).time - 1
    assert sum(n.direction == "bwd" for n in g.nodes) == T + 1
    for t in range(1, T + 1):  # both directions feed every output
        assert {e.src for e in g.edges if e.dst == f"y{t}"} == {f"hf{t}", f"hb{t}"}


def test_options():
    g = build_graph("one-to-many", 4, feedback=True)
    assert g.label_counts() == {"U": 4, "W": 4, "V": 4}
    assert sum(e.kind == "feedback" for e in g.edges) == 3
    g = build_graph("encoder-decoder", 3, out_steps=2, teacher_forcing=True)
    assert g.role_counts() == {"h0": 1, "x": 5, "enc": 3, "dec": 2, "y": 2}
    assert g.label_counts()["U_dec"] == 2
    assert [e for e in g.edges if e.src == "enc3"][0].dst == "dec1"  # the encoder starts the decoder
    g = build_graph("many-to-many", 3, initial_state=False)
    assert g.role_counts() == {"x": 3, "h": 3, "y": 3} and g.label_counts()["W"] == 2
    assert build_graph("many-to-many", 3).node("h2").label == "h₂"


@pytest.mark.parametrize("kind", ["many-to-many", "many-to-one", "encoder-decoder", "bidirectional"])
def test_gradient_edges_run_backwards(kind):
    g = build_graph(kind, 4, grads=True)
    forward = {(e.src, e.dst) for e in g.edges}
    n_outputs = g.role_counts()["y"]
    n_state = sum(e.kind == "state" for e in g.edges)
    outputs_in = sum(1 for e in g.edges if g.node(e.dst).role == "y")
    assert len(g.grad_edges) == n_state + outputs_in and outputs_in >= n_outputs
    for e in g.grad_edges:
        assert (e.dst, e.src) in forward and e.kind == "grad" and e.label.startswith("∂L/∂")
    assert g.label_counts() == build_graph(kind, 4).label_counts()


def test_values_and_errors():
    g = build_graph("many-to-many", 2, values={"h1": "h₁=[0.197, 0.245, 0.291]"})
    assert g.node("h1").value == "h₁=[0.197, 0.245, 0.291]" and g.node("h2").value is None
    with pytest.raises(ValueError, match="h9"):
        build_graph("many-to-many", 2, values={"h9": "?"})
    with pytest.raises(ValueError, match="choose one of"):
        build_graph("one-to-one", 2)
    with pytest.raises(ValueError, match="steps"):
        build_graph("many-to-many", 0)
    with pytest.raises(ValueError, match="feedback"):
        build_graph("many-to-many", 2, feedback=True)


def test_mathtext_labels():
    assert _diagram.to_mathtext("x₁₂") == "$x_{12}$"
    assert _diagram.to_mathtext("U_enc") == r"$U_{\mathrm{enc}}$"
    assert _diagram.to_mathtext("∂L/∂h₃") == r"$\partial L/\partial h_{3}$"
    assert _diagram.to_mathtext("<s>") == "<s>"


CASES = [("many-to-many", 1, {}), ("many-to-many", 6, {"grads": True}), ("many-to-one", 3, {"grads": True}),
         ("one-to-many", 3, {"feedback": True, "grads": True}),
         ("encoder-decoder", 3, {"teacher_forcing": True, "grads": True}),
         ("bidirectional", 1, {}), ("bidirectional", 3, {"grads": True}),
         ("many-to-many", 3, {"values": {"h1": "h₁=[0.197, 0.245, 0.291]", "y1": "y₁=[0.257, 0.253, 0.253, 0.236]"},
                              "grads": True})]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_layout_is_clean(case):
    """No overlapping texts, no crossing arrows, no arrow through a node, nothing clipped."""
    kind, T, kw = CASES[case]
    # light 16:9 and dark 4:3 in turn (text sizes are the same in both; the frame differs)
    for theme in [(Theme(), Theme(style="dark", aspect="4:3"))[case % 2]]:
        fig = draw_graph(build_graph(kind, T, **kw), theme, title="t")
        width, height = fig.get_size_inches()
        assert _diagram.layout_problems(fig._rnnkit_layout, width, height) == []
        assert width / height == pytest.approx(theme.figsize[0] / theme.figsize[1])


def test_layout_checker_catches_a_crossing():
    g = build_graph("many-to-many", 2)
    layout = _diagram.layout_graph(g, Theme())
    a = layout.arrows[0]
    bad = _diagram.PlacedArrow(a.edge, (0.0, 0.0), (layout.width, layout.height), False, None)
    layout.arrows.append(bad)
    assert _diagram.layout_problems(layout)
