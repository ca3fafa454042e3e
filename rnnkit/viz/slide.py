"""The slide figure, and measuring a figure against the slide rules (from its artists, never
from pixels).

:class:`SlideFigure` is the Figure every rnnkit drawing is made on (:meth:`Theme.figure`). It
shows itself in Jupyter: IPython asks an object for ``_repr_png_`` when no formatter is
registered for its type, so a cell ending in ``architectures_figure()`` displays the picture in a
fresh kernel, whether or not ``matplotlib.pyplot`` was imported (once pyplot's inline backend has
registered its own Figure formatter, that one draws it: still one picture). Nothing here imports
pyplot or switches a backend, so a script's matplotlib state is never touched.

:func:`measure_slide` lays the figure out with the Agg renderer and reads every visible artist's
extent and every text's font size; the tests and ``figures/README.md`` quote its numbers.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

#: Slack for "inside the canvas", in inches (antialiasing of a line end).
EDGE_SLACK = 0.01


class SlideFigure(Figure):
    """A matplotlib Figure that a notebook displays by itself (see the module docstring)."""

    def _repr_png_(self):
        """The figure as PNG bytes at its own dpi (100: a 13.33 x 7.5 in slide is 1333 x 750)."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")      # Agg for this one call: no backend switch
        return buffer.getvalue()


@dataclass(frozen=True)
class SlideMeasure:
    """canvas: (width, height) in px at `dpi`; fill: the drawing's bounding box over the canvas
    (0…1, by area); min_text: the smallest font size drawn, in points at slide size; margins:
    (left, bottom, right, top) free space in inches (negative: something crosses the edge)."""

    canvas: tuple
    fill: float
    min_text: float
    margins: tuple

    @property
    def inside(self) -> bool:
        return min(self.margins) > -EDGE_SLACK


def _texts(fig):
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        yield t


def measure_slide(fig, dpi: int = 200) -> SlideMeasure:
    """The slide measures of `fig` (see :class:`SlideMeasure`)."""
    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()
    fig.draw_without_rendering()
    width, height = fig.get_size_inches()
    layout = getattr(fig, "_rnnkit_layout", None)
    board = getattr(fig, "_rnnkit_board", None)
    if board is not None:                  # a hand-placed diagram: the extent of what it drew
        x0, y0, x1, y1 = board.extent(renderer)
    elif layout is not None:                 # a diagram: its placed geometry, in inches
        from ._diagram import extent
        boxes = [extent(lay) for lay in (layout if isinstance(layout, list) else [layout])
                 if lay.nodes or lay.texts]
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    else:                                  # a plot: what matplotlib draws, in inches
        bbox = fig.get_tightbbox(renderer)
        x0, y0, x1, y1 = bbox.x0, bbox.y0, bbox.x1, bbox.y1
    sizes = [t.get_fontsize() for t in _texts(fig)]
    fill = max(0.0, min(x1, width) - max(x0, 0)) * max(0.0, min(y1, height) - max(y0, 0)) / (width * height)
    return SlideMeasure(canvas=(int(width * dpi), int(height * dpi)), fill=fill,
                        min_text=min(sizes), margins=(x0, y0, width - x1, height - y1))
