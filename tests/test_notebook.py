"""examples/notebooks/lecture.ipynb, executed in a real Jupyter kernel (nbclient), as a student
runs it: every figure arrives as an image, no cell writes to stderr, and the live progress bars
collapse (as Jupyter draws carriage returns) to a bounded number of lines."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow               # a real kernel: about 30 s warm

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebooks" / "lecture.ipynb"


def _as_displayed(text):
    """A stream as Jupyter shows it: each line keeps what follows its last carriage return."""
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n") if line.rsplit("\r", 1)[-1]]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), \
        "commit the notebook without outputs"
    cwd = tmp_path_factory.mktemp("notebook")
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_figure_is_an_image_and_nothing_goes_to_stderr(executed):
    images = 0
    for cell in executed:
        for out in cell.outputs:
            assert out.get("name") != "stderr", (cell.source, out.text)
            assert out.output_type != "error", (cell.source, out.get("evalue"))
            data = out.get("data", {})
            if "Figure" in data.get("text/plain", ""):
                assert "image/png" in data, cell.source
                images += 1
    assert images == 5            # unroll, architectures, the airline loss, the fit's curves,
                                  # the tagger's plot_model


def test_the_lecture_numbers_and_counts_are_there(executed):
    text = {i: "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                       for o in cell.outputs) for i, cell in enumerate(executed)}
    assert "0.100      0.100   0.200  0.197" in text[0]       # t1: Uxt, Wht-1+bxh, net, h
    assert text[1].endswith("131") and "Total params: 131" in text[1]
    assert text[2].endswith("8257") and "Total params: 8,257" in text[2]
    assert re.search(r"saya/PR minum/VB teh/NN", text[7])


@pytest.mark.parametrize("cell, epochs", [(5, 5), (7, 12), (8, 8)])
def test_progress_collapses_to_two_lines_an_epoch(executed, cell, epochs):
    stdout = "".join(o.text for o in executed[cell].outputs if o.get("name") == "stdout")
    shown = _as_displayed(stdout)
    assert "\r" in stdout                                  # it was redrawn live ...
    epoch_lines = [line for line in shown if line.startswith("Epoch ")]
    assert epoch_lines == [f"Epoch {k}/{epochs}" for k in range(1, epochs + 1)]
    assert len(shown) <= 2 * epochs + 3     # ... and leaves header + summary an epoch, the data
                                            # line and the two lines a cell prints itself
    assert all(" - loss: " in line for line in shown if "ms/step" in line)
