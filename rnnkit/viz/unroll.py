"""The unrolled computation graph of an RNN: first as data, then as a figure.

The lecture's simple RNN, one step at a time::

    h_t = tanh(U x_t + W h_{t-1} + b_xh)      U: units x input_dim, W: units x units
    y_t = softmax(V h_t + b_hy)               V: outputs x units

Unrolling over T steps repeats the same U, W and V at every step; the graph makes that sharing
visible by labelling every x->h edge U, every h->h edge W and every h->y edge V.

:func:`build_graph` returns a :class:`Graph` (nodes, edges, optional values and gradient edges)
that tests and other code can inspect; :func:`draw_graph` turns it into a slide figure.

Node ids
--------
``x1..xT`` inputs, ``h1..hT`` states, ``h0`` the initial state, ``y1..yT`` outputs; for
"encoder-decoder": ``enc1..encT`` encoder states, ``dec1..decT'`` decoder states, ``dx1..dxT'``
teacher-forced decoder inputs; for "bidirectional": ``hf0..hfT`` forward and ``hb1..hb(T+1)``
backward states (``hf0`` and ``hb(T+1)`` are the initial states). Every kind has its inputs in the bottom row and its
outputs in the top row.

Example
-------
>>> g = build_graph("many-to-one", 3, values={"h1": "h₁=[0.197, 0.245, 0.291]"}, grads=True)
>>> g.role_counts()
{'h0': 1, 'x': 3, 'h': 3, 'y': 1}
>>> g.label_counts()
{'U': 3, 'W': 3, 'V': 1}
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from ..errors import ConfigError
from . import _diagram
from .theme import Theme

KINDS = ("many-to-many", "many-to-one", "one-to-many", "encoder-decoder", "bidirectional")

#: Edge kinds: "param" (input or output weights U, V), "state" (recurrent W), "feedback" (an
#: output fed back as the next input, through U), "grad" (gradient flowing back; in grad_edges).
EDGE_KINDS = ("param", "state", "feedback", "grad")

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_FWD, _BWD = "\u20d7", "\u20d6"  # combining arrows above: h⃗ forward, h⃖ backward


def _sub(t: int) -> str:
    return str(t).translate(_SUB)


@dataclass(frozen=True)
class Node:
    """One value in the unrolled graph.

    id : unique name, e.g. "x1", "h0", "enc3" (see the module docstring)
    role : "x", "h", "h0", "y", "enc" or "dec" (also the node's colour in the theme)
    time : time step t (0 for the initial state; decoder nodes count their own steps from 1)
    label : text drawn in the node, e.g. "x₁", "h₂", "y₃", "s₁" (decoder), "h⃗₂" (forward)
    xy : grid position (column, row); row 0 is the bottom row
    direction : "fwd", or "bwd" for the backward states of a bidirectional RNN
    value : optional short text drawn inside the node, e.g. "h₁=[0.197, 0.245, 0.291]"
    """

    id: str
    role: str
    time: int
    label: str
    xy: tuple
    direction: str = "fwd"
    value: str | None = None


@dataclass(frozen=True)
class Edge:
    """An arrow src -> dst, labelled with the weight it multiplies (U, W, V, W_f, U_enc, ...) or,
    for kind "grad", with the gradient it carries back (∂L/∂h₃)."""

    src: str
    dst: str
    label: str
    kind: str
    crosses: bool = False  # passes over the other direction's row of states (bidirectional)
    drawn_label: bool = True  # False: the figure leaves the label out (its dash and colour say it)
    text: str | None = None  # drawn instead of the label: what the arrow carries (context c = h₃)


@dataclass(frozen=True)
class Caption:
    """A text such as "encoder" at grid position xy; `span` = (first, last) node ids to underline;
    `over`: a node id, the text then sits just above that node (xy is ignored)."""

    text: str
    xy: tuple
    ha: str = "center"
    role: str | None = None
    span: tuple | None = None
    over: str | None = None


@dataclass
class Graph:
    """An unrolled RNN: nodes, forward edges, optional gradient edges, and captions."""

    kind: str
    steps: int
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)
    grad_edges: list = field(default_factory=list)
    captions: list = field(default_factory=list)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(f"no node {node_id!r} in this {self.kind} graph; ids: {', '.join(self.ids())}")

    def ids(self) -> list:
        return [n.id for n in self.nodes]

    def role_counts(self) -> dict:
        """Number of nodes per role, e.g. {'h0': 1, 'x': 3, 'h': 3, 'y': 3}."""
        return dict(Counter(n.role for n in self.nodes))

    def label_counts(self) -> dict:
        """Number of forward edges per weight label, e.g. {'U': 3, 'W': 3, 'V': 3}."""
        return dict(Counter(e.label for e in self.edges))

    def __repr__(self):
        return (f"Graph({self.kind!r}, steps={self.steps}, nodes={self.role_counts()}, "
                f"edges={self.label_counts()}, grad_edges={len(self.grad_edges)})")


def build_graph(
    kind: str,
    steps: int,
    *,
    out_steps: int | None = None,
    values: dict | None = None,
    grads: bool = False,
    feedback: bool = False,
    teacher_forcing: bool = False,
    initial_state: bool = True,
) -> Graph:
    """The unrolled graph of one of the lecture's RNN architectures.

    Parameters
    ----------
    kind : str
        "many-to-many" (synced: x_t -> h_t -> y_t at every step, e.g. POS tagging),
        "many-to-one" (one output after the last step, e.g. text classification),
        "one-to-many" (one input at the first step, an output at every step, e.g. captioning),
        "encoder-decoder" (the encoder reads `steps` inputs; its last state starts a decoder that
        emits `out_steps` outputs, e.g. translation), or
        "bidirectional" (a forward row W_f left to right and a backward row W_b right to left,
        both feeding every y_t).
    steps : int
        T, the number of time steps (>= 1); for "encoder-decoder", the encoder's length.
    out_steps : int, optional
        Decoder length for "encoder-decoder" (default: `steps`).
    values : dict, optional
        node id -> short text written inside that node, e.g. {"h1": "h₁=[0.197, 0.245, 0.291]"}.
    grads : bool
        Add gradient edges (``graph.grad_edges``): from every y_t back to its state, and from every
        state back along W to the previous one, each labelled with the gradient it carries.
    feedback : bool
        "one-to-many": feed y_{t-1} back as the input of step t (through U); "encoder-decoder":
        the decoder reads its own previous output y_{t-1} (through U_dec), as at inference.
    teacher_forcing : bool
        "encoder-decoder" only: the decoder reads the target sequence shifted right (⟨s⟩, y₁, ...)
        through U_dec.
    initial_state : bool
        Draw the initial state h₀ (and its W edge). Default True.

    Returns
    -------
    Graph
    """
    if kind not in KINDS:
        raise ValueError(f"unknown graph kind {kind!r}; choose one of: {', '.join(KINDS)}")
    steps = _check_steps("steps", steps)
    if out_steps is not None and kind != "encoder-decoder":
        raise ValueError(f"out_steps applies to 'encoder-decoder' only, not {kind!r}")
    if feedback and kind not in ("one-to-many", "encoder-decoder"):
        raise ValueError(f"feedback applies to 'one-to-many' and 'encoder-decoder' only, not {kind!r}")
    if teacher_forcing and kind != "encoder-decoder":
        raise ValueError(f"teacher_forcing applies to 'encoder-decoder' only, not {kind!r}")
    if teacher_forcing and feedback:
        raise ValueError("choose teacher_forcing (the decoder reads the targets) or feedback (it "
                         "reads its own previous output), not both")

    g = Graph(kind=kind, steps=steps)
    if kind == "encoder-decoder":
        _encoder_decoder(g, steps, _check_steps("out_steps", steps if out_steps is None else out_steps),
                         teacher_forcing, feedback, initial_state)
    elif kind == "bidirectional":
        _bidirectional(g, steps, initial_state)
    else:
        _single_row(g, kind, steps, feedback, initial_state)

    if values:
        known = set(g.ids())
        unknown = [k for k in values if k not in known]
        if unknown:
            raise ValueError(f"values given for unknown node id(s) {', '.join(map(repr, unknown))}; "
                             f"this graph has: {', '.join(g.ids())}")
        g.nodes = [_with_value(n, values.get(n.id)) for n in g.nodes]
    if grads:
        g.grad_edges = _gradient_edges(g)
    return g


def _check_steps(name, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a whole number of time steps >= 1, got {value!r}")
    return value


def _with_value(node: Node, value):
    if value is None:
        return node
    return Node(node.id, node.role, node.time, node.label, node.xy, node.direction, str(value))


def _single_row(g: Graph, kind: str, T: int, feedback: bool, initial_state: bool) -> None:
    # rows: 0 inputs, 1 states, 2 outputs; column t holds step t, column 0 the initial state
    if initial_state:
        g.nodes.append(Node("h0", "h0", 0, "h" + _sub(0), (0, 1)))
    for t in range(1, T + 1):
        has_x = kind != "one-to-many" or t == 1
        has_y = kind != "many-to-one" or t == T
        if has_x:
            g.nodes.append(Node(f"x{t}", "x", t, "x" + _sub(t), (t, 0)))
        g.nodes.append(Node(f"h{t}", "h", t, "h" + _sub(t), (t, 1)))
        if has_y:
            g.nodes.append(Node(f"y{t}", "y", t, "y" + _sub(t), (t, 2)))
        if has_x:
            g.edges.append(Edge(f"x{t}", f"h{t}", "U", "param"))
        if t > 1 or initial_state:
            g.edges.append(Edge(f"h{t - 1}", f"h{t}", "W", "state"))
        if has_y:
            g.edges.append(Edge(f"h{t}", f"y{t}", "V", "param"))
        if feedback and t > 1:
            g.edges.append(Edge(f"y{t - 1}", f"h{t}", "U", "feedback"))


#: The start token a decoder reads first (the data's "<s>"), in angle brackets narrow enough
#: to keep every node of the graph as narrow as "x₁".
START = "⟨s⟩"

#: Extra distance, in columns, between the encoder's last state and the decoder's first.
HANDOFF_GAP = 0.4


def _encoder_decoder(g: Graph, T: int, T_out: int, teacher_forcing: bool, feedback: bool,
                     initial_state: bool) -> None:
    # encoder in columns 1..T, decoder in columns T+1..T+T_out moved right by HANDOFF_GAP (room
    # for the hand-off arrow's "context c = h_T"); decoder states are written s_t
    if initial_state:
        g.nodes.append(Node("h0", "h0", 0, "h" + _sub(0), (0, 1)))
    for t in range(1, T + 1):
        g.nodes.append(Node(f"x{t}", "x", t, "x" + _sub(t), (t, 0)))
        g.nodes.append(Node(f"enc{t}", "enc", t, "h" + _sub(t), (t, 1)))
        g.edges.append(Edge(f"x{t}", f"enc{t}", "U_enc", "param"))
        if t > 1:
            g.edges.append(Edge(f"enc{t - 1}", f"enc{t}", "W_enc", "state"))
        elif initial_state:
            g.edges.append(Edge("h0", "enc1", "W_enc", "state"))
    for j in range(1, T_out + 1):
        col = T + j + HANDOFF_GAP
        if teacher_forcing:
            g.nodes.append(Node(f"dx{j}", "x", j, START if j == 1 else "y" + _sub(j - 1), (col, 0)))
        elif feedback and j == 1:
            g.nodes.append(Node("dx1", "x", 1, START, (col, 0)))
        g.nodes.append(Node(f"dec{j}", "dec", j, "s" + _sub(j), (col, 1)))
        g.nodes.append(Node(f"y{j}", "y", j, "y" + _sub(j), (col, 2)))
        if teacher_forcing or (feedback and j == 1):
            g.edges.append(Edge(f"dx{j}", f"dec{j}", "U_dec", "param"))
        elif feedback:
            g.edges.append(Edge(f"y{j - 1}", f"dec{j}", "U_dec", "feedback"))
        # the encoder's last state is the decoder's initial state: s_1 = f(W_dec c + ...), and
        # the hand-off arrow says what it carries
        if j == 1:
            g.edges.append(Edge(f"enc{T}", "dec1", "W_dec", "state", text=f"context\n$c = h_{{{T}}}$"))
        else:
            g.edges.append(Edge(f"dec{j - 1}", f"dec{j}", "W_dec", "state"))
        g.edges.append(Edge(f"dec{j}", f"y{j}", "V", "param"))
    # both brackets above the graph
    g.captions.append(Caption("encoder", ((1 + T) / 2, 2.8), role="enc", span=("enc1", f"enc{T}")))
    g.captions.append(Caption("decoder", (T + HANDOFF_GAP + (1 + T_out) / 2, 2.8), role="dec",
                              span=("dec1", f"dec{T_out}")))


def _bidirectional(g: Graph, T: int, initial_state: bool) -> None:
    # Rows, bottom to top: 0 inputs, 1 backward states, 2 forward states, 3 outputs. The state
    # rows sit a little apart (backward right, forward left of the step's column) so that the
    # arrows from x_t up to h⃗_t and from h⃖_t up to y_t pass between the other row's nodes; they
    # cross that row's W arrows, as in the textbook drawing (Edge.crosses).
    fwd, bwd = -0.2, 0.2
    if initial_state:
        g.nodes.append(Node("hf0", "h0", 0, "h" + _FWD + _sub(0), (fwd, 2), "fwd"))
        g.nodes.append(Node(f"hb{T + 1}", "h0", T + 1, "h" + _BWD + _sub(T + 1), (T + 1 + bwd, 1), "bwd"))
    for t in range(1, T + 1):
        g.nodes.append(Node(f"x{t}", "x", t, "x" + _sub(t), (t, 0)))
        g.nodes.append(Node(f"hb{t}", "h", t, "h" + _BWD + _sub(t), (t + bwd, 1), "bwd"))
        g.nodes.append(Node(f"hf{t}", "h", t, "h" + _FWD + _sub(t), (t + fwd, 2), "fwd"))
        g.nodes.append(Node(f"y{t}", "y", t, "y" + _sub(t), (t, 3)))
    for t in range(1, T + 1):
        g.edges.append(Edge(f"x{t}", f"hf{t}", "U_f", "param", crosses=True))
        g.edges.append(Edge(f"x{t}", f"hb{t}", "U_b", "param"))
        if t > 1 or initial_state:
            g.edges.append(Edge(f"hf{t - 1}", f"hf{t}", "W_f", "state"))
        if t < T or initial_state:
            g.edges.append(Edge(f"hb{t + 1}", f"hb{t}", "W_b", "state"))
        g.edges.append(Edge(f"hf{t}", f"y{t}", "V_f", "param"))
        g.edges.append(Edge(f"hb{t}", f"y{t}", "V_b", "param", crosses=True))
    g.captions.append(Caption("forward", (-0.6, 2), ha="right", role="h"))
    g.captions.append(Caption("backward", (-0.6, 1), ha="right", role="h"))


def _gradient_edges(g: Graph) -> list:
    """BPTT's paths: each output's gradient back into its state, each state's back along W."""
    labels = {n.id: n.label for n in g.nodes}
    roles = {n.id: n.role for n in g.nodes}
    out = []
    for e in g.edges:
        if e.kind == "state" or (e.kind == "param" and roles[e.dst] == "y"):
            # a bidirectional output sends ∂L/∂y_t into both directions: the two arrows are left
            # unlabelled (dashed, in the gradient colour), or their labels would crowd the slide
            crowded = g.kind == "bidirectional" and roles[e.dst] == "y"
            out.append(Edge(e.dst, e.src, "∂L/∂" + labels[e.dst], "grad", crosses=e.crosses,
                            drawn_label=not crowded))
    return out


def draw_graph(graph: Graph, theme: Theme | None = None, *, title: str | None = None):
    """Draw `graph` as a slide figure; returns a ``matplotlib.figure.Figure``.

    Nodes sit on a grid, coloured by role; every arrow is labelled with its weight; gradient edges
    are dashed in the gradient colour. The drawing is scaled to fill the theme's slide. A graph
    too long for the slide at the theme's minimum text size is drawn compressed: its first and
    last steps, with "⋯" arrows across the steps left out (see :func:`compressed`).
    """
    theme = theme or Theme()
    with theme.context():
        layout = None
        # all steps if they fit, else fewer; labels given room by taller rows or by wider
        # columns, whichever leaves the larger text on the slide
        for keep in (None, 2, 1):
            shown = graph if keep is None else compressed(graph, keep)
            fits = []
            for rows_first in (True, False):
                try:
                    placed = _diagram.layout_graph(shown, theme, rows_first=rows_first)
                    placed = _wider(_taller(placed, shown, theme, title), shown, theme, title)
                    fits.append(_diagram.fit_to_slide(placed, theme, title))
                except _diagram.TooLarge:
                    continue
            if fits:
                layout = max(fits, key=lambda fit: fit.scale)
                break
        if layout is None:
            fewer = " or with fewer steps" if max(n.time for n in graph.nodes if n.role != "h0") > 2 else ""
            raise ConfigError(f"this {graph.kind} graph does not fit a {theme.aspect} slide at "
                              f"the minimum text size, even with its middle steps left out: draw "
                              f"it on the 16:9 slide{fewer}")
        width, height = theme.figsize
        fig = theme.figure()
        ax = _diagram.canvas_axes(fig, width, height)
        _diagram.render(ax, layout, theme)
        fig._rnnkit_layout = layout  # the placed geometry, for checks (see _diagram.layout_problems)
    return fig


ELIDED = "⋯"


def _taller(layout, graph, theme, title):
    """On a slide that leaves height unused (a wide graph, a 4:3 slide), the same graph with taller
    rows, so that it fills the slide instead of floating in it."""
    width, height = theme.figsize
    s = min(_diagram.MAX_SCALE, (width - 2 * _diagram.SLIDE_MARGIN) / layout.width)
    rows = len({n.xy[1] for n in graph.nodes}) - 1
    spare = (height - 2 * _diagram.SLIDE_MARGIN - (1.0 if title else 0.0)) / s - layout.height
    if rows < 1 or spare < 0.2 * layout.height:
        return layout
    row_pitch = min(layout.row_pitch * 1.8, layout.row_pitch + spare / rows)
    return _diagram.layout_graph(graph, theme, row_pitch=row_pitch)


def _wider(layout, graph, theme, title):
    """On a slide that leaves width unused (tall nodes holding values, a 16:9 slide), the same
    graph with wider columns, so that it fills the slide instead of standing in its middle."""
    width, height = theme.figsize
    s = min(_diagram.MAX_SCALE, (height - 2 * _diagram.SLIDE_MARGIN - (1.0 if title else 0.0)) / layout.height)
    columns = {n.xy[0] for n in graph.nodes}
    spare = (width - 2 * _diagram.SLIDE_MARGIN) / s - layout.width
    if len(columns) < 2 or spare < 0.15 * layout.width:
        return layout
    col_pitch = min(layout.col_pitch * 1.8, layout.col_pitch + 0.9 * spare / (max(columns) - min(columns)))
    return _diagram.layout_graph(graph, theme, col_pitch=col_pitch, row_pitch=layout.row_pitch)


def compressed(graph: Graph, keep: int) -> Graph:
    """`graph` with only the first and last `keep` steps of each sequence (encoder, decoder):
    the steps between are left out, and each chain of arrows through them becomes one arrow
    labelled "⋯" that spans a single empty column. Initial states are kept."""
    def segment(n):
        decoder = n.id.startswith(("dec", "dx")) or (graph.kind == "encoder-decoder" and n.role == "y")
        return "dec" if decoder else "main"

    length = {}
    for n in graph.nodes:
        if n.role != "h0":
            length[segment(n)] = max(length.get(segment(n), 0), n.time)

    def kept(n):
        last = length[segment(n)]
        return n.role == "h0" or last <= 2 * keep or n.time <= keep or n.time > last - keep

    keep_ids = {n.id for n in graph.nodes if kept(n)}
    if len(keep_ids) == len(graph.nodes):
        return graph
    # a step's column is its whole-number grid position (bidirectional nodes sit a little off it)
    kept_cols = sorted({round(n.xy[0]) for n in graph.nodes if n.id in keep_ids})
    gone_cols = sorted({round(n.xy[0]) for n in graph.nodes if n.id not in keep_ids} - set(kept_cols))

    def column(x):
        # each run of left-out columns shrinks to one empty column
        gone = [c for c in gone_cols if c < round(x)]
        runs = sum(1 for i, c in enumerate(gone)
                   if i == 0 or any(gone[i - 1] < k < c for k in kept_cols))
        return x - len(gone) + runs

    out = Graph(kind=graph.kind, steps=graph.steps)
    out.nodes = [replace(n, xy=(column(n.xy[0]), n.xy[1])) for n in graph.nodes if n.id in keep_ids]
    out.edges = _bridged(graph.edges, keep_ids, "state")
    out.grad_edges = _bridged(graph.grad_edges, keep_ids, "grad")
    out.captions = [replace(c, xy=(column(c.xy[0]), c.xy[1])) for c in graph.captions
                    if c.over is None or c.over in keep_ids]
    return out


def _bridged(edges, keep_ids, chain_kind) -> list:
    """The edges between kept nodes, plus one "⋯" edge for each chain of `chain_kind` edges that
    runs through left-out nodes."""
    out = [e for e in edges if e.src in keep_ids and e.dst in keep_ids]
    step = {e.src: e.dst for e in edges if e.kind == chain_kind}
    for e in edges:
        if e.kind == chain_kind and e.src in keep_ids and e.dst not in keep_ids:
            end = e.dst
            while end not in keep_ids and end in step:
                end = step[end]
            if end in keep_ids:
                out.append(Edge(e.src, end, ELIDED, chain_kind))
    return out
