"""What a model's inputs look like: one array, or a pair (encoder input, decoder input).

A model reads its inputs only through its ``inputs`` object, so the training loop in
:class:`rnnkit.models.base.Model` is one loop for both: ``check`` turns what the user passed into
arrays (or says what is wrong), ``count`` is the number of samples, ``take`` the rows of one batch,
``shapes`` the sample shapes to build the model for, and ``lengths`` the sequence lengths that
``bucket_by_length`` batches by.
"""
import numpy as np

from ..data.windows import OneHotWindows
from ..errors import ShapeError


class OneArray:
    """A single input array (batch, ...): Sequential."""

    def check(self, x):
        """``x`` as an array; :class:`OneHotWindows` stay as they are (encoded batch by batch)."""
        return x if isinstance(x, OneHotWindows) else np.asarray(x)

    def count(self, x):
        return len(x)

    def take(self, x, index, width=None):
        """Rows ``index`` of ``x``; with ``width``, only its first ``width`` timesteps."""
        return x[index] if width is None else x[index][:, :width]

    def shapes(self, x):
        return (np.shape(x)[1:],)

    def lengths(self, x):
        """Each sequence's length: its token ids before the padding zeros."""
        if np.ndim(x) != 2 or not np.issubdtype(np.asarray(x).dtype, np.integer):
            raise ValueError("bucket_by_length needs token ids (batch, timesteps) padded with 0 "
                             "at the end, as an Embedding(mask_zero=True) reads them")
        return (x != 0).sum(axis=1)


class ArrayPair:
    """Two input arrays with the same samples, ``[x_enc, x_dec]``: EncoderDecoder."""

    def check(self, x):
        if not isinstance(x, (list, tuple)) or len(x) != 2:
            raise ShapeError("EncoderDecoder expects x = [encoder_input, decoder_input]")
        return [np.asarray(x[0]), np.asarray(x[1])]

    def count(self, x):
        return len(x[0])

    def take(self, x, index, width=None):
        if width is not None:
            raise ValueError("EncoderDecoder does not bucket by length")
        return [x[0][index], x[1][index]]

    def shapes(self, x):
        return (np.shape(x[0])[1:], np.shape(x[1])[1:])

    def lengths(self, x):
        raise ValueError("EncoderDecoder does not bucket by length: its two inputs have "
                         "lengths of their own")
