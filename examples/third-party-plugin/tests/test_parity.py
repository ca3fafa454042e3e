"""The example plugin's own tests: rnnkit's conformance kit, one test case per check."""
import pytest

from rnnkit.testing import architecture_checks
from rnnkit_example_plugin import Parity


@pytest.mark.parametrize("check", architecture_checks(Parity()), ids=str)
def test_conformance(check):
    check()


@pytest.mark.parametrize("cell", Parity.cells)
def test_gradients_of_every_cell(cell):
    (check,) = [c for c in architecture_checks(Parity(), config={"cell": cell})
                if c.name == "gradients_match_finite_differences"]
    check()


def test_data_file(tmp_path):
    path = tmp_path / "bits.txt"
    path.write_text("0110\n111\n\n1\n")
    data = Parity().load_data(Parity().default_config(), str(path))
    assert data.meta == {"length": 4}
    assert data.info["samples"] == 3
