"""The cell kit as test cases: ``pytest test_my_cells.py`` passes once my_cells.py is done."""
import pytest

from rnnkit.testing import check_cell

import my_cells


@pytest.mark.parametrize("cell", [my_cells.ElmanCell(), my_cells.MinimalGatedCell()], ids=type)
def test_cell(cell):
    check_cell(cell).raise_on_failure()
