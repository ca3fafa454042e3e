"""An example third-party architecture plugin for rnnkit (see docs/plugins.md in rnnkit)."""
from .parity import Parity

__all__ = ["Parity"]
