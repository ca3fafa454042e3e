"""What a warm start (every kernel cached) spends no time on: all of scipy.linalg (the kernels load
its BLAS module alone) and two spinning BLAS threads for the orthogonal initializer's QR."""
import os
import subprocess
import sys

import numpy as np
import pytest

from rnnkit import config, initializers, threads


def test_importing_the_kernels_loads_the_blas_module_without_all_of_scipy_linalg():
    # Numba's np.dot imports scipy.linalg.cython_blas on the first product; the kernels package
    # loads that module alone (load_blas_module), so a warm start skips scipy.linalg's __init__
    code = ("import sys, numpy as np, rnnkit.kernels\n"
            "print('scipy.linalg' in sys.modules, 'scipy.linalg.cython_blas' in sys.modules)\n"
            "from rnnkit.kernels.projections import input_projection\n"
            "x, u, out = np.arange(6.0).reshape(3, 2), np.array([[1.0, 2.0]]), np.empty((3, 1))\n"
            "input_projection(x, u, out, 0, 3)\n"
            "print('scipy.linalg' in sys.modules, out.ravel().tolist())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["False True", "False [2.0, 8.0, 14.0]"]


@pytest.mark.skipif("OPENBLAS_NUM_THREADS" in os.environ, reason="the user's BLAS setting wins")
def test_the_orthogonal_initializer_runs_its_qr_on_one_blas_thread(monkeypatch):
    qr, seen = np.linalg.qr, []

    def counting_qr(a):
        seen.append([lib.get_num_threads() for lib in threads._blas()])
        return qr(a)
    monkeypatch.setattr(np.linalg, "qr", counting_qr)
    with config.scope(seed=3):
        w = initializers.orthogonal((16, 64), np.float64)
    assert seen and all(n == 1 for n in seen[0])
    with config.scope(seed=3):                          # the same draw, decomposed as NumPy does
        a = config.rng().normal(size=(64, 16))
    q, r = qr(a)
    q *= np.sign(np.diag(r))
    np.testing.assert_array_equal(w, q.T)              # the same bits as on any number of threads
    np.testing.assert_allclose(w @ w.T, np.eye(16), atol=1e-12)
