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
enc      encoder states sky blue
dec      decoder states reddish purple
grad     gradients      vermillion
======== ============== =========

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

#: Fixed colour of each role in the unrolled graphs (and of the matching lines elsewhere).
ROLE_COLORS = {
    "x": OKABE_ITO["blue"],
    "h": OKABE_ITO["bluish_green"],
    "h0": OKABE_ITO["bluish_green"],
    "y": OKABE_ITO["orange"],
    "enc": OKABE_ITO["sky_blue"],
    "dec": OKABE_ITO["reddish_purple"],
    "grad": OKABE_ITO["vermillion"],
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
        return list(SERIES_COLORS)

    def color(self, role: str) -> str:
        """The fixed colour of `role` ("x", "h", "h0", "y", "enc", "dec", "grad")."""
        try:
            return ROLE_COLORS[role]
        except KeyError:
            raise ValueError(f"unknown role {role!r}; known roles: {', '.join(sorted(ROLE_COLORS))}") from None

    def fill(self, role: str) -> tuple:
        """A node's face colour: the role colour mixed into the background so text stays readable."""
        share = 0.30 if self.style == "light" else 0.42
        r, g, b = to_rgb(self.color(role))
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
        """Font size of values written inside nodes, and of tick labels in dense plots."""
        return max(self.base_size - 4, 8)

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
            "svg.fonttype": "path",  # SVG renders the same on machines without DejaVu
        }

    @contextmanager
    def context(self):
        """Apply :meth:`rc` while artists are created (sizes and colours are read then)."""
        with matplotlib.rc_context(self.rc()):
            yield

    def figure(self, figsize: tuple[float, float] | None = None, layout: str | None = None) -> Figure:
        """A new Figure in this theme's size and background; call inside :meth:`context`."""
        size = self.figsize if figsize is None else figsize
        return Figure(figsize=size, facecolor=self.background, edgecolor=self.background, layout=layout)


def save(fig: Figure, path, dpi: int = 200) -> Path:
    """Write `fig` to `path`; the format follows the extension (.pdf, .svg or .png).

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
    atomic_write(path, lambda f: fig.savefig(f, format=fmt, dpi=dpi, metadata=metadata,
                                             facecolor=fig.get_facecolor(),
                                             edgecolor=fig.get_edgecolor()))
    return path
