"""Which layer classes a saved model may name, so ``rnnkit.load_model`` can rebuild them.

A saved model stores each layer as ``{"class": name, "config": layer.get_config()}`` (data, never
code). Loading looks ``name`` up here and calls ``cls.from_config(config)``. The built-in layers
are registered by :mod:`rnnkit.layers`; a plugin registers its own Layer subclasses with
:func:`register_layer`, once, when its module is imported::

    from rnnkit.layers import Layer, register_layer

    @register_layer
    class Scale(Layer):
        ...
"""
from .base import Layer

#: class name -> Layer subclass
LAYER_CLASSES = {}


def register_layer(cls):
    """Let saved models name ``cls`` (a Layer subclass); returns ``cls``, so it is a decorator.

    The name is ``cls.__name__``. Registering the same class again does nothing; another class of
    a registered name raises a ValueError (a saved model could not say which one it means).
    """
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        raise TypeError(f"register_layer takes a subclass of rnnkit.layers.Layer, got {cls!r}")
    known = LAYER_CLASSES.get(cls.__name__)
    if known is not None and known is not cls:
        raise ValueError(f"a layer class named {cls.__name__!r} is already registered "
                         f"({known.__module__}.{known.__qualname__}); rename "
                         f"{cls.__module__}.{cls.__qualname__}, since saved models name "
                         f"layers by class name")
    LAYER_CLASSES[cls.__name__] = cls
    return cls


def layer_from_config(entry):
    """Rebuild a layer from ``{"class": name, "config": layer.get_config()}``."""
    cls = LAYER_CLASSES.get(entry["class"])
    if cls is None:
        raise ValueError(f"unknown layer class {entry['class']!r}: a custom layer must be "
                         f"registered with rnnkit.layers.register_layer before the model is "
                         f"loaded (import the module that defines it); known: "
                         f"{', '.join(sorted(LAYER_CLASSES))}")
    return cls.from_config(entry["config"])
