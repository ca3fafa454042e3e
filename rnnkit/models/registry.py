"""Model classes other than Sequential that ``load_model`` can rebuild, by their config's "class"."""

MODEL_CLASSES = {}


def register(cls):
    """Class decorator: let ``load_model`` rebuild ``cls`` through ``cls.from_config(cfg)``."""
    MODEL_CLASSES[cls.__name__] = cls
    return cls


def model_from_config(cfg):
    cls = MODEL_CLASSES.get(cfg.get("class"))
    if cls is None:
        raise ValueError(f"unknown model class {cfg.get('class')!r}")
    return cls.from_config(cfg)
