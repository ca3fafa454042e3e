"""An example encoder-decoder plugin for rnnkit (see docs/plugins.md in rnnkit)."""
from .addition import Addition

__all__ = ["Addition"]
