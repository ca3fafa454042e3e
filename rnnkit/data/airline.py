"""The airline-passengers series: the lecture's time-series example.

Monthly totals of international airline passengers, in thousands, January 1949 to December 1960
(144 months). Source: G. E. P. Box, G. M. Jenkins and G. C. Reinsel, *Time Series Analysis:
Forecasting and Control*, Series G (first published by Box and Jenkins, Holden-Day, 1970, from
data of the US Civil Aeronautics Board). The same series is ``AirPassengers`` in R's datasets.

It ships with rnnkit as ``rnnkit/data/airline_passengers.csv``, with header ``Month,Passengers``
and rows like ``1949-01,112``, the layout the lecture shows.

Examples
--------
>>> from rnnkit.data import load_airline, sliding_windows
>>> months, values = load_airline()
>>> months[0], values[:5].tolist()
('1949-01', [112.0, 118.0, 132.0, 129.0, 121.0])
>>> X, y = sliding_windows(values, window=3)      # the lecture's "3 feature dataset"
"""
import csv
import io
from importlib import resources

import numpy as np

from ..errors import DataError

CITATION = (
    "Box, G. E. P., Jenkins, G. M. and Reinsel, G. C. Time Series Analysis: Forecasting and "
    "Control. Series G: international airline passengers, monthly totals (thousands), "
    "January 1949 - December 1960.")

FILENAME = "airline_passengers.csv"


def load_airline():
    """Load the airline-passengers series shipped with rnnkit.

    Returns
    -------
    months : list of str
        The 144 months ``"1949-01"`` .. ``"1960-12"``.
    values : ndarray of float64, shape (144,)
        Passengers in thousands, in the same order.

    Raises
    ------
    DataError
        If the packaged file is missing or malformed (a broken installation: reinstall rnnkit).
    """
    try:
        text = resources.files(__package__).joinpath(FILENAME).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise DataError(
            f"the packaged data file rnnkit/data/{FILENAME} is missing ({exc}). Reinstall rnnkit "
            f"(pip install --force-reinstall rnnkit).") from None
    return parse_month_csv(text, source=FILENAME)


def parse_month_csv(text, source="<text>"):
    """Parse ``Month,Value`` CSV text into (months, values).

    Parameters
    ----------
    text : str
        CSV with a header line and rows ``YYYY-MM,number``.
    source : str
        File name used in error messages.

    Returns
    -------
    months : list of str
    values : ndarray of float64

    Raises
    ------
    DataError
        Naming ``source`` and the line number of the first malformed row.
    """
    rows = list(csv.reader(io.StringIO(text)))
    header = [c.strip() for c in rows[0]] if rows else []
    if len(header) != 2 or header[0] != "Month":
        raise DataError(
            f"{source}, line 1: expected the header 'Month,<name>', found {','.join(header)!r}. "
            f"Write the header, then one 'YYYY-MM,value' row per month.")
    months, values = [], []
    for lineno, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        try:
            month, value = (c.strip() for c in row)
            values.append(float(value))
        except ValueError:
            raise DataError(
                f"{source}, line {lineno}: expected 'YYYY-MM,number', found {','.join(row)!r}. "
                f"Fix or delete the line.") from None
        months.append(month)
    if not values:
        raise DataError(f"{source}: no data rows after the header. Add 'YYYY-MM,value' rows.")
    return months, np.array(values, dtype=np.float64)
