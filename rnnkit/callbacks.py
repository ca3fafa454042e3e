"""Callbacks: code that ``fit`` calls around epochs and batches (progress, checkpoints, metrics).

Subclass :class:`Callback` and override the hooks you need; every hook has a do-nothing default,
so ``fit`` calls each one on every callback without probing for it::

    on_train_begin(model, epochs)      once; epochs = the number of the last epoch fit will run
    on_epoch_begin(epoch, n_batches)   epochs count from 1 (from initial_epoch + 1 on a resume)
    on_batch_end(batch, logs)          batches count from 1; logs = the running means of the
                                       loss and each metric over the epoch so far
    on_epoch_end(epoch, logs)          logs = the epoch's row; a key added here goes into History
    on_train_end(history)              once, also when training stopped early

There is one way to stop training, as in Keras: set ``model.stop_training = True`` (the model is
the one ``on_train_begin`` received, kept as ``self.model``). ``fit`` finishes the current batch
(the current epoch when set in ``on_epoch_end``) and returns.
"""


class Callback:
    """Base class of every fit callback; see the module docstring for the hooks."""

    model = None
    #: True for a progress reporter: ``fit`` then adds no bar of its own (as Keras)
    shows_progress = False

    def on_train_begin(self, model, epochs):
        self.model = model

    def on_epoch_begin(self, epoch, n_batches):
        pass

    def on_batch_end(self, batch, logs):
        pass

    def on_epoch_end(self, epoch, logs):
        pass

    def on_train_end(self, history):
        pass


class EpochMetric(Callback):
    """Adds ``name: fn(model)`` to every epoch's logs, so the History (and the run folder's
    history, and the loss figure) carries it: e.g. an architecture's headline metric on its
    validation split (exact match of greedy decodes, not only teacher-forced accuracy)."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def on_epoch_end(self, epoch, logs):
        logs[self.name] = float(self.fn(self.model))


def as_callbacks(callbacks):
    """``callbacks`` as a list, refusing objects that are not :class:`Callback` with a message."""
    callbacks = list(callbacks or [])
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be rnnkit.callbacks.Callback instances; got "
                            f"{type(cb).__name__}. Subclass Callback and override the hooks "
                            f"you need (on_epoch_end, on_batch_end, ...).")
    return callbacks
