"""The one exception type every ``rnnkit.data`` function raises for problems a user can fix.

A :class:`DataError` message always says two things: what was wrong (naming the file and line
for a malformed data file) and what to do about it. The command-line interface prints the message
as it is, without a traceback, so the message must stand on its own.
"""


class DataError(Exception):
    """A data set is missing, malformed or cannot be fetched, or a data argument is invalid.

    Examples
    --------
    >>> raise DataError("corpus.txt, line 7: expected 'token<TAB>tag', found 3 fields. "
    ...                 "Fix the line or delete it.")
    Traceback (most recent call last):
    ...
    rnnkit.data.errors.DataError: corpus.txt, line 7: ...
    """
