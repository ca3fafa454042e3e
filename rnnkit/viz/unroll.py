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
backward states (``hf0`` and ``hb(T+1)`` are the initial states).

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
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Caption:
    """A text such as "encoder" at grid position xy; `span` = (first, last) node ids to underline."""

    text: str
    xy: tuple
    ha: str = "center"
    role: str | None = None
    span: tuple | None = None


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
        "one-to-many" only: feed y_{t-1} back as the input of step t (through U).
    teacher_forcing : bool
        "encoder-decoder" only: the decoder reads the target sequence shifted right ("<s>", y₁, ...)
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
    if feedback and kind != "one-to-many":
        raise ValueError(f"feedback applies to 'one-to-many' only, not {kind!r}")
    if teacher_forcing and kind != "encoder-decoder":
        raise ValueError(f"teacher_forcing applies to 'encoder-decoder' only, not {kind!r}")

    g = Graph(kind=kind, steps=steps)
    if kind == "encoder-decoder":
        _encoder_decoder(g, steps, _check_steps("out_steps", steps if out_steps is None else out_steps),
                         teacher_forcing, initial_state)
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


def _encoder_decoder(g: Graph, T: int, T_out: int, teacher_forcing: bool, initial_state: bool) -> None:
    # encoder in columns 1..T, decoder in columns T+1..T+T_out; decoder states are written s_t
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
        col = T + j
        if teacher_forcing:
            g.nodes.append(Node(f"dx{j}", "x", j, "<s>" if j == 1 else "y" + _sub(j - 1), (col, 0)))
        g.nodes.append(Node(f"dec{j}", "dec", j, "s" + _sub(j), (col, 1)))
        g.nodes.append(Node(f"y{j}", "y", j, "y" + _sub(j), (col, 2)))
        if teacher_forcing:
            g.edges.append(Edge(f"dx{j}", f"dec{j}", "U_dec", "param"))
        # the encoder's last state is the decoder's initial state: s_1 = f(W_dec h_T + ...)
        g.edges.append(Edge(f"enc{T}" if j == 1 else f"dec{j - 1}", f"dec{j}", "W_dec", "state"))
        g.edges.append(Edge(f"dec{j}", f"y{j}", "V", "param"))
    # captions go where the grid is empty: above the encoder (it has no outputs) and, unless
    # teacher forcing fills it, below the decoder (it has no inputs)
    g.captions.append(Caption("encoder", ((1 + T) / 2, 2.8 if teacher_forcing else 2), role="enc",
                              span=("enc1", f"enc{T}")))
    g.captions.append(Caption("decoder", (T + (1 + T_out) / 2, 2.8 if teacher_forcing else 0), role="dec",
                              span=("dec1", f"dec{T_out}")))


def _bidirectional(g: Graph, T: int, initial_state: bool) -> None:
    # Rows: 2 forward states, 1 inputs and outputs, 0 backward states. Inputs and outputs share
    # the middle row (x_t left of column t, y_t right of it), because an input below both state
    # rows would need an arrow across the other row's W edges to reach it.
    if initial_state:
        g.nodes.append(Node("hf0", "h0", 0, "h" + _FWD + _sub(0), (0, 2), "fwd"))
        g.nodes.append(Node(f"hb{T + 1}", "h0", T + 1, "h" + _BWD + _sub(T + 1), (T + 1, 0), "bwd"))
    for t in range(1, T + 1):
        g.nodes.append(Node(f"x{t}", "x", t, "x" + _sub(t), (t - 0.25, 1)))
        g.nodes.append(Node(f"hf{t}", "h", t, "h" + _FWD + _sub(t), (t, 2), "fwd"))
        g.nodes.append(Node(f"hb{t}", "h", t, "h" + _BWD + _sub(t), (t, 0), "bwd"))
        g.nodes.append(Node(f"y{t}", "y", t, "y" + _sub(t), (t + 0.25, 1)))
    for t in range(1, T + 1):
        g.edges.append(Edge(f"x{t}", f"hf{t}", "U_f", "param"))
        g.edges.append(Edge(f"x{t}", f"hb{t}", "U_b", "param"))
        if t > 1 or initial_state:
            g.edges.append(Edge(f"hf{t - 1}", f"hf{t}", "W_f", "state"))
        if t < T or initial_state:
            g.edges.append(Edge(f"hb{t + 1}", f"hb{t}", "W_b", "state"))
        g.edges.append(Edge(f"hf{t}", f"y{t}", "V_f", "param"))
        g.edges.append(Edge(f"hb{t}", f"y{t}", "V_b", "param"))
    g.captions.append(Caption("forward", (-0.55, 2), ha="right", role="h"))
    g.captions.append(Caption("backward", (-0.55, 0), ha="right", role="h"))


def _gradient_edges(g: Graph) -> list:
    """BPTT's paths: each output's gradient back into its state, each state's back along W."""
    labels = {n.id: n.label for n in g.nodes}
    roles = {n.id: n.role for n in g.nodes}
    out = []
    for e in g.edges:
        if e.kind == "state" or (e.kind == "param" and roles[e.dst] == "y"):
            out.append(Edge(e.dst, e.src, "∂L/∂" + labels[e.dst], "grad"))
    return out


def draw_graph(graph: Graph, theme: Theme | None = None, *, title: str | None = None):
    """Draw `graph` as a slide figure; returns a ``matplotlib.figure.Figure``.

    Nodes sit on a grid, coloured by role; every arrow is labelled with its weight; gradient edges
    are dashed in the gradient colour. The figure has the theme's aspect ratio and grows (keeping
    it) when many steps need more room than one slide.
    """
    theme = theme or Theme()
    with theme.context():
        layout = _diagram.layout_graph(graph, theme)
        margin = 0.35
        title_h = _diagram.measure(title, theme.title_size, "bold")[1] + 0.3 if title else 0.0
        width, height = _diagram.fit_figsize(theme, layout.width + 2 * margin,
                                             layout.height + 2 * margin + title_h)
        body_top = height - title_h
        layout = layout.shifted((width - layout.width) / 2, (body_top - layout.height) / 2)
        if title:
            tw, th = _diagram.measure(title, theme.title_size, "bold")
            box = _diagram.Box(width / 2, height - margin - th / 2, tw, th)
            layout = layout.with_texts([_diagram.PlacedText(title, box, theme.title_size, None, "title",
                                                            weight="bold")], layout.width, layout.height)
        fig = theme.figure(figsize=(width, height))
        ax = _diagram.canvas_axes(fig, width, height)
        _diagram.render(ax, layout, theme)
        fig._rnnkit_layout = layout  # the placed geometry, for checks (see _diagram.layout_problems)
    return fig
