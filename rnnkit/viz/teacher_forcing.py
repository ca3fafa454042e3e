"""Teacher forcing versus free running, side by side on one decoder (d2l.ai's seq2seq figures).

The same decoder, started from the encoder's context c = h_T, drawn twice with its inputs at the
bottom and its predictions ŷ_t on top. Left, teacher forcing (training): the input of step t is
the true previous token y_{t−1} (⟨s⟩ at t = 1), whatever the decoder predicted. Right, free running
(inference): the input of step t is the decoder's own prediction ŷ_{t−1}, fed back, so one wrong
token changes every later input. Built from the same :class:`~rnnkit.viz.unroll.Graph` model and
drawn by the same :func:`~rnnkit.viz.unroll.draw_graph` as ``rnnkit plot unroll``.
"""

from __future__ import annotations

from .theme import Theme
from .unroll import START, Caption, Edge, Graph, Node, draw_graph

#: The two sides: (node id prefix, heading, what the decoder reads at step t > 1).
SIDES = (("tf", "teacher forcing (training)", "the true $y_{t-1}$"),
         ("fr", "free running (inference)", r"its own $\hat y_{t-1}$"))

#: Distance, in grid columns, between the two decoders.
SIDE_GAP = 0.6


def teacher_forcing_graph(steps: int = 3) -> Graph:
    """Both decoders over `steps` output steps as one Graph: for each side ("tf", "fr"), the
    context node "<side>-c", states "<side>-s1".., predictions "<side>-y1".., and inputs
    "<side>-x1".. (teacher forcing: ⟨s⟩, y₁, ..; free running: ⟨s⟩ only, later inputs are
    "feedback" edges from the previous prediction)."""
    if not 2 <= int(steps) <= 3:
        raise ValueError(f"steps must be 2 (one token fed back) or 3 (the most that fit twice on a "
                         f"16:9 slide at 14 pt), got {steps!r}")
    g = Graph("encoder-decoder", steps)
    for side, (prefix, head, reads) in enumerate(SIDES):
        left = side * (steps + 1 + SIDE_GAP)
        g.nodes.append(Node(f"{prefix}-c", "enc", 0, "$c$", (left, 1)))
        for t in range(1, steps + 1):
            col = left + t
            g.nodes.append(Node(f"{prefix}-s{t}", "dec", t, f"$s_{{{t}}}$", (col, 1)))
            g.nodes.append(Node(f"{prefix}-y{t}", "y", t, rf"$\hat y_{{{t}}}$", (col, 2)))
            g.edges.append(Edge(f"{prefix}-s{t}", f"{prefix}-y{t}", "V", "param"))
            state_from = f"{prefix}-c" if t == 1 else f"{prefix}-s{t - 1}"
            g.edges.append(Edge(state_from, f"{prefix}-s{t}", "W_dec", "state"))
            if prefix == "tf" or t == 1:
                g.nodes.append(Node(f"{prefix}-x{t}", "x", t, START if t == 1 else f"$y_{{{t - 1}}}$",
                                    (col, 0)))
                g.edges.append(Edge(f"{prefix}-x{t}", f"{prefix}-s{t}", "U_dec", "param"))
            else:
                g.edges.append(Edge(f"{prefix}-y{t - 1}", f"{prefix}-s{t}", "U_dec", "feedback"))
        g.captions.append(Caption(f"{head}\ninput at step $t$: {reads}", (left + (steps + 1) / 2, 2.8),
                                  role="dec", span=(f"{prefix}-s1", f"{prefix}-s{steps}")))
    return g


#: Output steps drawn when none are asked for: the first that fits the slide at full text size
#: (3 on 16:9; a 4:3 slide has room for 2 per side).
DEFAULT_STEPS = (3, 2)


def draw_teacher_forcing(theme: Theme | None = None, steps: int | None = None,
                         title: str | None = None):
    """The two decoders side by side (see :func:`teacher_forcing_graph`) over `steps` output
    steps (default: :data:`DEFAULT_STEPS`); returns a Figure."""
    theme = theme or Theme()
    for n in ([steps] if steps is not None else DEFAULT_STEPS):
        fig = _drawn_whole(teacher_forcing_graph(n), theme, title)
        if fig is not None:
            return fig
    wanted = steps if steps is not None else DEFAULT_STEPS[-1]
    fitting = [k for k in range(2, wanted) if _drawn_whole(teacher_forcing_graph(k), theme, title)]
    hint = f"use --steps {max(fitting)} or fewer" if fitting else "use a 16:9 slide or no title"
    raise ValueError(f"{wanted} steps per decoder do not fit a {theme.aspect} slide twice at the "
                     f"minimum text size ({theme.min_text_size:g} pt): {hint}")


def _drawn_whole(graph, theme, title):
    """`graph` drawn with every step shown, or None when it does not fit the slide so (draw_graph
    would leave middle steps out, which two short decoders cannot spare)."""
    try:
        fig = draw_graph(graph, theme, title=title)
    except ValueError:
        return None
    drawn = {p.node.id for p in fig._rnnkit_layout.nodes}
    return fig if drawn >= {n.id for n in graph.nodes} else None
