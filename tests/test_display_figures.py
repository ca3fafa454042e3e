"""rnnkit's figures show themselves in a notebook and leave a script's matplotlib alone.

In a fresh Jupyter kernel a cell ending in a figure function displays one PNG, whether or not
pyplot was imported first (IPython asks the figure's ``_repr_png_``; once pyplot's inline backend
is on, its Figure formatter answers instead). In a script nothing imports pyplot or picks a
backend.
"""
import struct
import subprocess
import sys

import pytest

from rnnkit.figures import architectures_figure


def _png_size(data):
    """(width, height) from a PNG's IHDR chunk (bytes 16..24, big-endian)."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return struct.unpack(">II", data[16:24])


def test_a_figure_is_its_own_png_at_slide_size():
    fig = architectures_figure()
    width, height = fig.get_size_inches() * fig.dpi          # 13.33 x 7.5 in at 100 dpi
    assert _png_size(fig._repr_png_()) == (round(width), round(height)) == (1333, 750)


def test_a_script_making_figures_keeps_matplotlib_as_it_was(tmp_path):
    code = (
        "import sys, matplotlib\n"
        "before = matplotlib.rcParams._get_backend_or_none()\n"
        "from rnnkit.figures import architectures_figure, unroll_figure\n"
        "figs = [architectures_figure(), unroll_figure('many-to-one', steps=3)]\n"
        "for fig in figs: fig._repr_png_(); fig.savefig(sys.argv[1])\n"
        "print('pyplot' if 'matplotlib.pyplot' in sys.modules else 'no pyplot',\n"
        "      matplotlib.rcParams._get_backend_or_none() == before)\n")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "f.png")],
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["no", "pyplot", "True"]


@pytest.fixture(scope="module")
def run_cells():
    """Runs code cells in one fresh kernel (nbclient); returns each cell's outputs."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")

    def run(*sources):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
        nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
        return [cell.outputs for cell in nb.cells]
    return run


def _images(outputs):
    return [o for o in outputs if "image/png" in o.get("data", {})]


@pytest.mark.slow
def test_a_fresh_kernel_shows_each_figure_once_before_and_after_pyplot(run_cells):
    first, _, second = run_cells(
        "from rnnkit.figures import architectures_figure\narchitectures_figure()",
        "import matplotlib.pyplot as plt",
        "architectures_figure()")
    for outputs in (first, second):
        assert len(_images(outputs)) == 1, outputs
        assert not [o for o in outputs if o.get("name") == "stderr"], outputs


def _fitted_history():
    import numpy as np
    from rnnkit import Sequential
    from rnnkit.layers import Dense
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 3)), rng.normal(size=(12, 1))
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(loss="mse", optimizer="sgd")
    return model.fit(x, y, epochs=3, batch_size=4, validation_data=(x[:4], y[:4]), verbose=0)


def test_the_history_fit_returns_is_drawn_as_it_is():
    from rnnkit.figures import loss_figure
    from rnnkit.viz import draw_loss_curves
    history = _fitted_history()
    assert len(history) == 3 and history[0]["epoch"] == 1
    for fig in (draw_loss_curves([("SimpleRNN", history)]), loss_figure([history])):
        solid, dashed = fig.axes[0].get_lines()[:2]
        assert list(solid.get_xdata()) == [1, 2, 3]
        assert list(solid.get_ydata()) == history.history["loss"]
        assert list(dashed.get_ydata()) == history.history["val_loss"]
    with pytest.raises(ValueError, match="pass run folders"):
        loss_figure([history], metric="headline")


def test_a_loss_figure_names_the_loss_the_model_was_trained_with(tmp_path):
    from rnnkit.figures import loss_figure
    from rnnkit.runs import RunFolder
    history = _fitted_history()                       # an mse model, not a cross-entropy one
    assert loss_figure([history]).axes[0].get_ylabel() == "mean squared error (target units squared)"
    folder = RunFolder.new("x", tmp_path / "run")   # a run folder says it in its metrics.json
    folder.write_history(history.rows)
    folder.write_metrics({"arch": "x", "headline_metric": "loss", "loss": "mse", "test": {},
                          "baseline": {"loss": 2.0}})
    ax = loss_figure([folder.path]).axes[0]
    assert ax.get_ylabel() == "mean squared error (target units squared)"
    assert 2.0 in [y for line in ax.get_lines() for y in line.get_ydata()]   # the baseline line
