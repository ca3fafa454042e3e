"""The five input/output patterns of Karpathy's "The Unreasonable Effectiveness of Recurrent Neural
Networks" (2015), drawn as he draws them and then captioned for the lecture.

Karpathy's panels hold no text in their boxes: an input row at the bottom, the RNN's states in
the middle (joined left to right: the recurrence), outputs on top. Here the boxes take rnnkit's
role colours (input blue, state green, output orange, as in every rnnkit figure; a legend says
so), and under each panel stand Karpathy's name for it ("delayed" or "synced" told apart), the
task students know it from and, in grey, the built-in architecture of that shape (``rnnkit train
--arch NAME``), where there is one.

16:9 shows the five panels in one row, as the blog does; 4:3 (or text too large for one row)
lays them out anew as three above two. Node ids: ``"<kind>-x<t>"``, ``"<kind>-h<t>"``,
``"<kind>-y<t>"``, kind as in :data:`PANELS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._diagram import SLIDE_MARGIN, measure
from ._sketch import Board
from .theme import Theme


@dataclass(frozen=True)
class Panel:
    """One of Karpathy's panels. kind: rnnkit's name of the pattern (a ``--kind`` of ``rnnkit
    plot unroll``, or "one-to-one"); steps: the RNN's steps; inputs/outputs: the steps (1-based)
    that read an input / emit an output; arch: the built-in architecture of this shape, or None."""

    kind: str
    title: str
    task: str
    arch: str | None
    steps: int
    inputs: tuple
    outputs: tuple


#: Karpathy's order; the tasks are his (image captioning, sentiment, translation) or the
#: lecture's (POS tagging, for his labelling of video frames).
PANELS = (
    Panel("one-to-one", "one to one", "image classification", None, 1, (1,), (1,)),
    Panel("one-to-many", "one to many", "image captioning", "image-caption", 3, (1,), (1, 2, 3)),
    Panel("many-to-one", "many to one", "sentiment classification", "text-classification",
          3, (1, 2, 3), (3,)),
    Panel("encoder-decoder", "many to many, delayed", "machine translation", "translation",
          5, (1, 2, 3), (4, 5)),
    Panel("many-to-many", "many to many, synced", "POS tagging", "pos-tagging", 3, (1, 2, 3),
          (1, 2, 3)),
)

#: Rows of panel indices, in order of preference: one row (16:9), three above two (4:3).
ARRANGEMENTS = ([[0, 1, 2, 3, 4]], [[0, 1, 2], [3, 4]])

LEGEND = (("x", "input"), ("h", "state"), ("y", "output"))
ARCH_NOTE = ("grey: rnnkit's", "--arch NAME")

BOX_W, BOX_H = 0.4, 0.5            # Karpathy's boxes: upright, empty; at most this tall and
BOX_SHARE = 0.5                    # this share of the row pitch (short rows keep their arrows)
COL_PITCH = (0.7, 1.15)            # inches between steps: the least that keeps an arrow, the most
ROW_PITCH = (0.7, 1.35)            # between input, state and output rows
GAP = 0.65                         # between two panels in a row
CAPTION_WIDTH = 1.95               # in one row, a title or task wider than its panel and this
                                   # breaks onto two lines
LINE_GAP = 0.08


def _caption(panel, theme, narrow):
    """The caption's lines under a panel: (text, size, weight, muted); `narrow` breaks a long
    title after its comma and a long task after its first word."""
    title, task = panel.title, panel.task
    room = max(CAPTION_WIDTH, (panel.steps - 1) * COL_PITCH[0] + BOX_W)   # a wide panel's own
    if narrow and measure(title, theme.base_size + 1, "bold")[0] > room:
        title = title.replace(", ", "\n", 1)
    if narrow and measure(task, theme.base_size)[0] > room:
        task = task.replace(" ", "\n", 1)
    lines = [(title, theme.base_size + 1, "bold", False), (task, theme.base_size, "normal", False)]
    if panel.arch:
        lines.append((panel.arch, theme.min_text_size, "normal", True))
    return lines


def _lines_height(lines):
    return sum(measure(text, size, weight)[1] + LINE_GAP for text, size, weight, _ in lines)


def _lines_width(lines):
    return max(measure(text, size, weight)[0] for text, size, weight, _ in lines)


def draw_karpathy(theme: Theme | None = None, title: str | None = None):
    """Karpathy's five panels on one slide (see the module docstring); returns the Figure, whose
    ``_rnnkit_board`` holds the boxes and arrows and ``_rnnkit_panels`` the panels drawn."""
    board = Board(theme)
    t, W = board.theme, board.width
    top = board.top(title, SLIDE_MARGIN)
    # one row when it fits (16:9), else three above two (4:3)
    for rows in ARRANGEMENTS:
        one_row = len(rows) == 1
        captions = [_caption(p, t, narrow=one_row) for p in PANELS]
        legend_w = _legend_width(t, column=not one_row)

        def widths(pitch):
            return [max((p.steps - 1) * pitch + BOX_W, _lines_width(c)) for p, c in zip(PANELS, captions)]

        def row_width(row, pitch):
            extra = 0.0 if one_row or row is not rows[-1] else GAP + legend_w
            return sum(widths(pitch)[i] for i in row) + GAP * (len(row) - 1) + extra

        # the widest pitch the rows allow (the least keeps an arrow between two boxes)
        avail_w = W - 2 * SLIDE_MARGIN
        pitch = COL_PITCH[1]
        while pitch > COL_PITCH[0] and max(row_width(row, pitch) for row in rows) > avail_w:
            pitch -= 0.01
        if max(row_width(row, pitch) for row in rows) <= avail_w:
            break
    caption_h = max(_lines_height(c) for c in captions)
    legend_h = 0.55 if one_row else 0.0      # a row below, or a column beside the last row
    panel_w = widths(pitch)
    avail_h = top - SLIDE_MARGIN - legend_h
    below = 0.25 + caption_h                 # from the input row's boxes to the caption's end
    space = (avail_h - 0.3 * (len(rows) - 1)) / len(rows) - below     # for a panel's three rows
    row_pitch = max(ROW_PITCH[0], min(ROW_PITCH[1], space / (2 + BOX_SHARE)))
    box_h = min(BOX_H, BOX_SHARE * row_pitch)
    band = 2 * row_pitch + box_h + below
    spare = (avail_h - band * len(rows)) / (len(rows) + 1)
    y_top = top - spare
    for row in rows:
        left = (W - row_width(row, pitch)) / 2
        for i in row:
            _panel(board, PANELS[i], captions[i], left + panel_w[i] / 2, y_top, pitch, row_pitch,
                   box_h)
            left += panel_w[i] + GAP
        if not one_row and row is rows[-1]:
            _legend(board, left, y_top - band / 2, column=True)
        y_top -= band + spare
    if one_row:
        _legend(board, (W - legend_w) / 2, SLIDE_MARGIN + legend_h / 2, column=False)
    board.figure._rnnkit_panels = PANELS
    return board.figure


def _panel(board, panel, caption, cx, top, pitch, row_pitch, box_h):
    """One panel centred on `cx`, its output row's top at `top`, its caption below; boxes
    `box_h` tall."""
    k = panel.kind
    y_out = top - box_h / 2
    y_h, y_in = y_out - row_pitch, y_out - 2 * row_pitch
    x0 = cx - (panel.steps - 1) * pitch / 2
    for s in range(1, panel.steps + 1):
        x = x0 + (s - 1) * pitch
        board.node(f"{k}-h{s}", x, y_h, "", "h", w=BOX_W, h=box_h)
        if s in panel.inputs:
            board.node(f"{k}-x{s}", x, y_in, "", "x", w=BOX_W, h=box_h)
            board.arrow(f"{k}-x{s}", f"{k}-h{s}")
        if s > 1:
            board.arrow(f"{k}-h{s - 1}", f"{k}-h{s}")
        if s in panel.outputs:
            board.node(f"{k}-y{s}", x, y_out, "", "y", w=BOX_W, h=box_h)
            board.arrow(f"{k}-h{s}", f"{k}-y{s}")
    y = y_in - box_h / 2 - 0.25
    for text, size, weight, muted in caption:
        h = measure(text, size, weight)[1]
        board.text(cx, y - h / 2, text, size=size, weight=weight,
                   color=board.theme.muted if muted else None)
        y -= h + LINE_GAP


SWATCH, SWATCH_GAP, ITEM_GAP = 0.3, 0.12, 0.5


def _legend_items(theme, column):
    """The legend's entries: (role or None, text, size); the note on the grey names last."""
    note = "\n".join(ARCH_NOTE) if column else " ".join(ARCH_NOTE)
    return ([(role, text, theme.base_size) for role, text in LEGEND]
            + [(None, note, theme.min_text_size)])


def _legend_width(theme, column):
    widths = [(SWATCH + SWATCH_GAP if role else 0.0) + measure(text, size)[0]
              for role, text, size in _legend_items(theme, column)]
    return max(widths) if column else sum(widths) + ITEM_GAP * (len(widths) - 1)


def _legend(board, left, y, column):
    """Swatches in the role colours and the note on the grey names: a row whose left end is at
    `left` and middle at `y`, or a column there."""
    t = board.theme
    items = _legend_items(t, column)
    heights = [measure(text, size)[1] + 0.15 for _, text, size in items]
    x, y = left, (y + sum(heights) / 2 if column else y)
    for (role, text, size), h in zip(items, heights):
        cy = y - h / 2 if column else y
        tx = x
        if role:
            board.node(f"legend-{role}", x + SWATCH / 2, cy, "", role, w=SWATCH, h=SWATCH)
            tx += SWATCH + SWATCH_GAP
        board.text(tx, cy, text, ha="left", size=size, color=None if role else t.muted)
        if column:
            y -= h
        else:
            x = tx + measure(text, size)[0] + ITEM_GAP
