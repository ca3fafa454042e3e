"""Slide figures drawn with matplotlib alone (no pyplot, no display): unrolled graphs, the four
RNN architectures, loss curves, gradient norms and hidden-state heatmaps, in one theme."""

from .architectures import draw_architectures
from .curves import CurvePanel, draw_curve_panels, draw_loss_curves, load_history
from .gradients import GradientPanel, draw_gradient_norms, draw_gradient_panels
from .hidden import draw_hidden_heatmap
from .theme import OKABE_ITO, ROLE_COLORS, Theme, save
from .unroll import KINDS, Edge, Graph, Node, build_graph, draw_graph

__all__ = [
    "Theme", "save", "OKABE_ITO", "ROLE_COLORS",
    "Graph", "Node", "Edge", "KINDS", "build_graph", "draw_graph",
    "draw_architectures", "load_history", "draw_hidden_heatmap",
    "draw_loss_curves", "draw_curve_panels", "CurvePanel",
    "draw_gradient_norms", "draw_gradient_panels", "GradientPanel",
]
