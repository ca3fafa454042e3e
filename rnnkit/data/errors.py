"""The one exception type every ``rnnkit.data`` function raises for problems a user can fix.

A :class:`DataError` message always says two things: what was wrong (naming the file and line
for a malformed data file) and what to do about it. The command-line interface prints the message
as it is, without a traceback, so the message must stand on its own.
"""


from ..errors import DataError  # noqa: F401  (defined with every other rnnkit error)
