"""The packaged airline-passengers series (Box, Jenkins & Reinsel, Series G)."""
import numpy as np
import pytest

from rnnkit.data import DataError, load_airline
from rnnkit.data.airline import CITATION, parse_month_csv


def test_the_series_is_the_famous_one():
    months, values = load_airline()
    assert len(months) == len(values) == 144
    assert values.dtype == np.float64
    assert values.sum() == 40363
    assert values[:5].tolist() == [112, 118, 132, 129, 121]
    assert values[:12].tolist() == [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118]
    assert values[-12:].tolist() == [417, 391, 419, 461, 472, 535, 622, 606, 508, 461, 390, 432]
    assert months[0] == "1949-01" and months[-1] == "1960-12"
    assert months == [f"{y}-{m:02d}" for y in range(1949, 1961) for m in range(1, 13)]
    assert "Series G" in CITATION and "Box" in CITATION


def test_malformed_csv_names_the_line():
    with pytest.raises(DataError, match="line 3: expected 'YYYY-MM,number'"):
        parse_month_csv("Month,Passengers\n1949-01,112\n1949-02,many\n", source="a.csv")
    with pytest.raises(DataError, match="a.csv, line 1: expected the header"):
        parse_month_csv("1949-01,112\n", source="a.csv")
    with pytest.raises(DataError, match="no data rows"):
        parse_month_csv("Month,Passengers\n", source="a.csv")
