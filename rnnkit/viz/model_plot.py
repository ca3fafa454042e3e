"""``plot_model(model)``: this model's own layers as boxes, top to bottom, as Keras' ``plot_model``
draws them (input at the top, data flowing down).

Every layer is one box: its name, what it is, and its output shape with its parameter count, the
same numbers ``model.summary()`` prints (the shape as Keras writes it, batch axis ``None``). A
few layers are drawn as what they are:

* ``Bidirectional``: its two directions side by side (forward and backward, each with its own
  weights), both reading the layer's input, merging into one box with the merge mode, the output
  shape and the total count;
* ``Embedding``: a lookup table, ``ids → vectors`` (vocabulary × vector size);
* ``TimeDistributed(Dense)``: the wrapped layer applied at every step.

A model of several stacks (an :class:`~rnnkit.models.EncoderDecoder`) is drawn as its stacks side
by side (``model.layer_groups()``), the encoder's final states handed to the decoder's first
recurrent layer by a dashed arrow.

The drawing is a :class:`~rnnkit.viz._sketch.Board` on the theme's slide (``fig._rnnkit_board``:
every box is ``board.nodes[layer.name]``, a direction ``"<name>/forward"``/``"<name>/backward"``,
an input ``"<group>/input"``), so a test reads the texts and numbers it drew.
"""

from __future__ import annotations

from ..errors import RnnkitError
from ..layers import Bidirectional, Embedding, TimeDistributed
from ..models.summary import shape_text
from ._diagram import measure
from ._sketch import Board
from .theme import Theme

#: free space around the drawing and between side-by-side stacks, in inches
MARGIN, STACK_GAP, DIRECTION_GAP = 0.25, 1.3, 0.35
#: the least vertical space between two boxes, in inches
MIN_ROW_GAP = 0.3
#: a single stack's boxes span this share of the slide's width (so the drawing fills the slide)
SINGLE_STACK_SHARE = 0.72


def plot_model(model, theme: Theme | None = None):
    """Draw ``model``'s layers with their output shapes and parameter counts; returns a Figure.

    The model is built first if it knows its input shape (as ``summary()`` does); a model that
    does not cannot be drawn. A model too deep for one slide at the theme's text size raises
    :class:`~rnnkit.errors.RnnkitError` naming what fits.
    """
    try:
        model._build_if_needed()
    except ValueError as err:
        raise RnnkitError(f"plot_model: {err}") from None
    board = Board(theme)
    stacks = [_stack_rows(name, layers, model) for name, layers in model.layer_groups()]
    _place(board, stacks)
    if len(stacks) > 1:
        _hand_off(board, model)
    return board.figure


# -- what each row shows ----------------------------------------------------------------------------
def _counted(shape, count):
    return f"{shape_text(shape)} · {count:,} params"


def _what(layer):
    """The line that says what a layer is."""
    if isinstance(layer, Embedding):
        return f"lookup: {layer.input_dim:,} ids → {layer.output_dim}-vectors"
    if isinstance(layer, TimeDistributed):
        return f"{_what(layer.layer)} at every step"
    inner = ", ".join(str(v) for v in (getattr(layer, "units", None), layer.activation)
                      if v is not None)
    return f"{type(layer).__name__}({inner})"


def _stack_rows(group, layers, model):
    """Rows of one stack, top to bottom: lists of ``(node id, label, values, role)`` boxes."""
    shapes = dict(zip(map(id, model.layers), model.output_shapes))
    first = layers[0]
    rows = [[(f"{group or 'model'}/input", f"{group} input" if group else "input", [shape_text(first.input_shape)], "x")]]
    for layer in layers:
        shape, count = shapes[id(layer)], layer.count_params()
        if isinstance(layer, Bidirectional):
            rows.append([(f"{layer.name}/{side}", half.name,
                          [_what(half), _counted(half.compute_output_shape(layer.input_shape),
                                                 half.count_params())], "h")
                         for side, half in (("forward", layer.forward_layer),
                                            ("backward", layer.backward_layer))])
            what = f"merge: {layer.merge_mode}" if layer.merge_mode else "both outputs"
        else:
            what = _what(layer)
        role = "x" if isinstance(layer, Embedding) else "h" if layer.n_states else "y"
        rows.append([(layer.name, f"{layer.name} ({type(layer).__name__})",
                      [what, _counted(shape, count)], role)])
    return rows


# -- placing ------------------------------------------------------------------------------------------
def _size(board, label, values):
    t = board.theme
    w = max([measure(label, t.node_size)[0]] + [measure(v, t.small_size)[0] for v in values])
    h = measure(label, t.node_size)[1] + sum(measure(v, t.small_size)[1] * 1.1 for v in values)
    return w + 0.4, h + 0.3


def _row_width(board, row):
    return sum(_size(board, label, values)[0] for _, label, values, _ in row) \
        + DIRECTION_GAP * (len(row) - 1)


def _place(board, stacks):
    """Lay the stacks out side by side, rows spread over the slide's height, and draw them."""
    W, H = board.width, board.height
    box_h = max(_size(board, label, values)[1]
                for rows in stacks for row in rows for _, label, values, _ in row)
    depth = max(len(rows) for rows in stacks)
    pitch = (H - 2 * MARGIN - box_h) / max(1, depth - 1)
    if pitch < box_h + MIN_ROW_GAP:
        fits = int((H - 2 * MARGIN - box_h) // (box_h + MIN_ROW_GAP)) + 1
        raise RnnkitError(f"plot_model: {depth - 1} layers in one stack do not fit on a slide at "
                          f"{board.theme.min_text_size:g} pt (at most {fits - 1}); print(model) "
                          f"or model.summary() lists them instead")
    space = W - 2 * MARGIN - STACK_GAP * (len(stacks) - 1)
    widths = [max(_row_width(board, row) for row in rows) for rows in stacks]
    if sum(widths) > space:
        raise RnnkitError(f"plot_model: the stacks need {sum(widths):.1f} in side by side, the "
                          f"slide has {space:.1f} in; try Theme(aspect='16:9')")
    if len(stacks) == 1:
        widths = [max(widths[0], SINGLE_STACK_SHARE * space)]
    else:                                   # share the slide's width out evenly
        widths = [w + (space - sum(widths)) / len(stacks) for w in widths]
    left = MARGIN + (space - sum(widths)) / 2
    for rows, width in zip(stacks, widths):
        _draw_stack(board, rows, left, width, H - MARGIN - box_h / 2, pitch, box_h)
        left += width + STACK_GAP


def _draw_stack(board, rows, left, width, top, pitch, box_h):
    above = []
    for k, row in enumerate(rows):
        y = top - k * pitch
        each = (width - DIRECTION_GAP * (len(row) - 1)) / len(row)
        ids = []
        for j, (node_id, label, values, role) in enumerate(row):
            board.node(node_id, left + each / 2 + j * (each + DIRECTION_GAP), y, label, role,
                       w=each, h=box_h, values=values)
            ids.append(node_id)
        for src in above:                   # a row of two splits the input and merges again
            for dst in ids:
                board.arrow(src, dst)
        above = ids


def _hand_off(board, model):
    """The encoder's final states, dashed, into the decoder's first recurrent layer."""
    src, dst = model.encoder[-1], model.bridge
    n = src.n_states
    label = "states h, c" if n == 2 else "state h" if n == 1 else f"{n} states"
    board.arrow(src.name, dst.name, label=label, role="enc", dashed=True, offset=(0.0, 0.25))
