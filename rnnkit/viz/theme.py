"""One look for every rnnkit figure: fonts, colours, sizes, and saving.

Figures are built on ``matplotlib.figure.Figure`` directly (never pyplot), so nothing here needs
a display or a GUI backend.

Colours come from the Okabe–Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency. Each role keeps its colour in every figure:

======== ============== =========
role     meaning        colour
======== ============== =========
x        inputs x_t     blue
h        states h_t     bluish green
y        outputs y_t    orange
enc      encoder states dark grey
dec      decoder states reddish purple
grad     gradients      vermillion
======== ============== =========

A cell keeps one colour in every figure (:data:`CELL_COLORS`, looked up by the run's cell, never
by a label): SimpleRNN reddish purple, LSTM blue, GRU bluish green; none of them is the gradient's
vermillion.

The dark style lightens every colour it draws (:meth:`Theme.ink`) so it keeps its contrast on a near-black
slide, and uses colour maps made for dark backgrounds (:meth:`Theme.cmap`).

Slide rules every figure keeps (tests check them from the figure and the saved file): the canvas
is the theme's slide (:attr:`Theme.figsize`, never enlarged); the drawing fills it and stays inside
it; no text is smaller than :attr:`Theme.min_text_size` points at that size (14 pt by default).

Example
-------
>>> from rnnkit.viz import Theme, save, draw_graph, build_graph
>>> fig = draw_graph(build_graph("many-to-many", 3), Theme(style="dark", aspect="4:3"))
>>> save(fig, "figures/unroll.pdf")          # doctest: +SKIP
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from ..fileio import atomic_write
from .slide import SlideFigure

# Okabe, M. & Ito, K. (2008), "Color Universal Design": eight colours safe for colour-blind viewers.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Encoder states: a neutral dark grey. Okabe–Ito's sky blue, their colour before, made a fill
#: hardly told from the inputs' blue (CIE ΔE 7.8); grey's is twice as far (ΔE 15, light and dark).
ENCODER_GREY = "#595959"

#: Fixed colour of each role in the unrolled graphs (and of the matching lines elsewhere).
ROLE_COLORS = {
    "x": OKABE_ITO["blue"],
    "h": OKABE_ITO["bluish_green"],
    "h0": OKABE_ITO["bluish_green"],
    "y": OKABE_ITO["orange"],
    "enc": ENCODER_GREY,
    "dec": OKABE_ITO["reddish_purple"],
    "grad": OKABE_ITO["vermillion"],
}

#: The colour of each cell, chosen from the run's ``cell`` ("rnn", "lstm", "gru").
CELL_COLORS = {
    "rnn": OKABE_ITO["reddish_purple"],
    "lstm": OKABE_ITO["blue"],
    "gru": OKABE_ITO["bluish_green"],
}

#: Display names of the cells.
CELL_NAMES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}

#: Colour maps: sequential for values in (0, 1) such as gates, diverging for tanh values in
#: (-1, 1); the dark style's maps fade into a dark background instead of a white one.
CMAPS = {
    ("light", "sequential"): "viridis",
    ("dark", "sequential"): "magma",
    ("light", "diverging"): "RdBu_r",
    ("dark", "diverging"): "berlin",
}

#: Order in which separate series (runs, cells) take colours. Yellow is left out: it vanishes
#: on a white slide.
SERIES_COLORS = [
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
]

#: Figure sizes in inches. 13.33 x 7.5 is PowerPoint's and Keynote's 16:9 slide; 10 x 7.5 is 4:3.
ASPECT_SIZES = {"16:9": (13.333, 7.5), "4:3": (10.0, 7.5)}

STYLES = ("light", "dark")

#: File formats `save` writes, chosen by the path's extension.
SAVE_FORMATS = {".pdf": "pdf", ".svg": "svg", ".png": "png"}


@dataclass(frozen=True)
class Theme:
    """Colours, fonts and figure size for slide figures.

    Parameters
    ----------
    style : {"light", "dark"}
        Light: dark text on white. Dark: light text on a near-black slide background.
    aspect : {"16:9", "4:3"}
        Slide aspect ratio; sets :attr:`figsize` (13.33 x 7.5 in or 10 x 7.5 in).
    base_size : float
        Body font size in points (14–16 reads well on a projector); other sizes derive from it.
    """

    style: str = "light"
    aspect: str = "16:9"
    base_size: float = 15.0

    def __post_init__(self):
        if self.style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(map(repr, STYLES))}, got {self.style!r}")
        if self.aspect not in ASPECT_SIZES:
            raise ValueError(
                f"aspect must be one of {', '.join(map(repr, ASPECT_SIZES))}, got {self.aspect!r}"
            )
        if not 6 <= float(self.base_size) <= 40:
            raise ValueError(f"base_size is in points and should be between 6 and 40, got {self.base_size!r}")

    # -- colours -------------------------------------------------------------------------------
    @property
    def background(self) -> str:
        return "#FFFFFF" if self.style == "light" else "#1E1E1E"

    @property
    def foreground(self) -> str:
        return "#1A1A1A" if self.style == "light" else "#F2F2F2"

    @property
    def muted(self) -> str:
        """Arrows, axes and secondary text: clearly visible, quieter than the foreground."""
        return "#4D4D4D" if self.style == "light" else "#BDBDBD"

    @property
    def gridcolor(self) -> str:
        return "#DDDDDD" if self.style == "light" else "#3A3A3A"

    @property
    def series(self) -> list[str]:
        return [self._for_style(c) for c in SERIES_COLORS]

    def color(self, role: str) -> str:
        """The fixed colour of `role` ("x", "h", "h0", "y", "enc", "dec", "grad"), the same in
        both styles: it names the role. Draw with :meth:`ink`."""
        try:
            return ROLE_COLORS[role]
        except KeyError:
            raise ValueError(f"unknown role {role!r}; known roles: {', '.join(sorted(ROLE_COLORS))}") from None

    def ink(self, role: str) -> str:
        """The colour `role` is drawn in on this style's background (lightened on dark)."""
        return self._for_style(self.color(role))

    def cell_color(self, cell: str) -> str:
        """The colour of a cell ("rnn", "lstm", "gru") in every figure."""
        try:
            return self._for_style(CELL_COLORS[cell])
        except KeyError:
            raise ValueError(f"unknown cell {cell!r}; known cells: {', '.join(CELL_COLORS)}") from None

    def cmap(self, kind: str) -> str:
        """The colour map for "sequential" (0…1) or "diverging" (−1…1) values in this style."""
        if (self.style, kind) not in CMAPS:
            raise ValueError(f"colour map kind must be 'sequential' or 'diverging', got {kind!r}")
        name = CMAPS[(self.style, kind)]
        return name if name in matplotlib.colormaps else "PuOr_r"  # berlin: matplotlib >= 3.10

    def _for_style(self, color: str) -> str:
        # on a dark slide the darker Okabe–Ito colours (blue, vermillion) lose contrast: lighten
        if self.style == "light":
            return color
        r, g, b = (0.35 + 0.65 * c for c in to_rgb(color))
        return f"#{round(r * 255):02X}{round(g * 255):02X}{round(b * 255):02X}"

    def fill(self, role: str) -> tuple:
        """A node's face colour: the role colour mixed into the background so text stays readable."""
        share = 0.30 if self.style == "light" else 0.42
        r, g, b = to_rgb(self.ink(role))
        br, bg, bb = to_rgb(self.background)
        return (share * r + (1 - share) * br, share * g + (1 - share) * bg, share * b + (1 - share) * bb)

    # -- sizes ---------------------------------------------------------------------------------
    @property
    def figsize(self) -> tuple[float, float]:
        return ASPECT_SIZES[self.aspect]

    @property
    def node_size(self) -> float:
        """Font size of node labels (x₁, h₂, ...)."""
        return self.base_size + 3

    @property
    def label_size(self) -> float:
        """Font size of edge labels (U, W, V, ∂L/∂h_t)."""
        return self.base_size

    @property
    def small_size(self) -> float:
        """Font size of values written inside nodes, tick labels and heatmap numbers."""
        return self.min_text_size

    @property
    def min_text_size(self) -> float:
        """The smallest text any figure shows, in points at slide size (14 pt by default)."""
        return self.base_size - 1

    @property
    def title_size(self) -> float:
        return self.base_size + 3

    def rc(self) -> dict:
        """rcParams applied while a figure is being built (see :meth:`figure`)."""
        fg, muted = self.foreground, self.muted
        return {
            "font.family": "DejaVu Sans",
            "font.size": self.base_size,
            "axes.titlesize": self.title_size,
            "axes.labelsize": self.base_size,
            "xtick.labelsize": self.base_size - 1,
            "ytick.labelsize": self.base_size - 1,
            "legend.fontsize": self.base_size - 1,
            "legend.title_fontsize": self.base_size - 1,
            "legend.frameon": False,
            "figure.titlesize": self.title_size + 2,
            "figure.facecolor": self.background,
            "figure.edgecolor": self.background,
            "savefig.facecolor": self.background,
            "savefig.edgecolor": self.background,
            "axes.facecolor": self.background,
            "axes.edgecolor": muted,
            "axes.labelcolor": fg,
            "axes.titlecolor": fg,
            "axes.linewidth": 1.2,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.axisbelow": True,
            "grid.color": self.gridcolor,
            "grid.linewidth": 0.8,
            "xtick.color": muted,
            "ytick.color": muted,
            "xtick.labelcolor": fg,
            "ytick.labelcolor": fg,
            "text.color": fg,
            "lines.linewidth": 2.4,
            "lines.markersize": 6,
            "pdf.fonttype": 42,  # embed TrueType: crisp and searchable text in slides
            "svg.fonttype": "none",  # SVG text stays text: editable and translatable
            "svg.hashsalt": "rnnkit",  # fixed ids: the same figure gives the same SVG bytes
        }

    @contextmanager
    def context(self):
        """Apply :meth:`rc` while artists are created (sizes and colours are read then)."""
        with matplotlib.rc_context(self.rc()):
            yield

    def figure(self, layout: str | None = None) -> Figure:
        """A new Figure of the slide's size in this theme's background; call inside :meth:`context`.
        It displays itself in a notebook (:class:`rnnkit.viz.slide.SlideFigure`)."""
        return SlideFigure(figsize=self.figsize, facecolor=self.background, edgecolor=self.background,
                      layout=layout)


def save(fig: Figure, path, dpi: int = 200, transparent: bool = False) -> Path:
    """Write `fig` to `path`; the format follows the extension (.pdf, .svg or .png).

    PDF embeds TrueType (Type 42) fonts and SVG keeps text as text (see :meth:`Theme.rc`); neither
    carries a date, so the same figure gives the same bytes. ``transparent``: no background (the
    slide's own shows through).

    The file is written to a temporary file in the same folder and then moved into place with
    ``os.replace``, so a reader never sees half a figure. Missing parent folders are created.
    Returns the path written.
    """
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in SAVE_FORMATS:
        allowed = ", ".join(SAVE_FORMATS)
        shown = repr(path.suffix) if path.suffix else "no extension"
        raise ValueError(f"cannot save a figure as {shown} ({path.name}); use one of {allowed}")
    fmt = SAVE_FORMATS[ext]
    # no creation date in PDF/SVG: the same figure gives the same bytes (committed figures stay put)
    metadata = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt)
    # the rc settings that shape the file (fonts, SVG ids) are read at save time
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.fonttype": "none", "svg.hashsalt": "rnnkit"}):
        atomic_write(path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata,
                                                 transparent=transparent,
                                                 facecolor="none" if transparent else fig.get_facecolor(),
                                                 edgecolor="none" if transparent else fig.get_edgecolor()))
    return path
