"""Splitting the batch across cores (rnnkit.kernels.chunks, rnnkit.threads.batch_chunks): the split
kernels give the serial kernels' numbers, the row-split products equal NumPy's, and a model uses
the split only where it should (inside fit/train_on_batch, batches big enough, at any width)."""
import os
import subprocess
import sys
import threading
from contextlib import nullcontext

import numpy as np
import pytest

import rnnkit
from rnnkit import threads
from rnnkit.kernels import activations, chunks, gru, projections
from rnnkit.kernels.lstm import lstm_backward, lstm_forward
from rnnkit.layers import GRU, LSTM, Dense, SimpleRNN


def _lstm_case(B, dtype=np.float64, T=6, D=3, u=5, seed=0):
    r = np.random.default_rng(seed)
    X = r.standard_normal((T, B, D))
    U, W = r.standard_normal((4 * u, D)) * 0.5, r.standard_normal((4 * u, u)) * 0.5
    b = r.standard_normal(4 * u) * 0.1
    h0, c0 = r.standard_normal((B, u)) * 0.3, r.standard_normal((B, u)) * 0.3
    mask = np.ones((T, B))
    mask[T - 2:, 0] = 0                         # ragged: two sequences end early
    mask[T - 4:, B - 1] = 0
    G, dcT = r.standard_normal((T, B, u)), r.standard_normal((B, u))
    return tuple(a.astype(dtype) for a in (X, U, W, b, h0, c0, mask, G, dcT))


def _run_lstm(case, n_chunks, need_dx=True):
    X, U, W, b, h0, c0, mask, G, dcT = case
    T, B, D = X.shape
    u = W.shape[1]

    def out(*shape):                            # NaN: every output must be overwritten
        return np.full(shape, np.nan, dtype=X.dtype)

    Z, S, H, C = out(T, B, 4 * u), out(T, B, u), out(T + 1, B, u), out(T + 1, B, u)
    tanh, sigmoid = activations.TANH, activations.SIGMOID
    lstm_forward(X, h0, c0, U, W, b, mask, tanh, sigmoid, Z, S, H, C, n_chunks)
    dZ, dX = out(T, B, 4 * u), (out(T, B, D) if need_dx else out(0, B, D))
    dU, dW, db, dh0, dc0 = out(4 * u, D), out(4 * u, u), out(4 * u), out(B, u), out(B, u)
    lstm_backward(X, U, W, mask, tanh, sigmoid, Z, S, H, C, G, dcT, dZ, dX, dU, dW, db, dh0, dc0,
                  n_chunks)
    return dict(Z=Z, S=S, H=H, C=C, dZ=dZ, dX=dX, dU=dU, dW=dW, db=db, dh0=dh0, dc0=dc0)


@pytest.mark.parametrize("B, n_chunks", [(7, 2), (7, 3), (8, 2), (2, 2), (2, 3)])
@pytest.mark.parametrize("need_dx", [True, False])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_split_lstm_kernels_give_the_serial_numbers(B, n_chunks, need_dx, dtype, rtol):
    case = _lstm_case(B, dtype)
    serial, split = _run_lstm(case, 1, need_dx), _run_lstm(case, n_chunks, need_dx)
    for name, want in serial.items():
        assert not np.isnan(want).any() and not np.isnan(split[name]).any(), name
        # the recurrence is the same arithmetic row by row; only the weight gradients' sums are
        # added in another order (float32: the last bits)
        np.testing.assert_allclose(split[name], want, rtol=rtol, atol=rtol / 10, err_msg=name)


def test_kernels_refuse_arrays_they_would_silently_copy():
    X, U, W, b, h0, c0, mask, G, dcT = _lstm_case(4)
    T, B, D = X.shape
    u = W.shape[1]
    Z = np.empty((B, T, 4 * u)).transpose(1, 0, 2)          # (T, B, 4u), but not contiguous
    S, H, C = np.empty((T, B, u)), np.empty((T + 1, B, u)), np.empty((T + 1, B, u))
    with pytest.raises(ValueError, match=r"lstm_forward: Z must be a C-contiguous array"):
        lstm_forward(X, h0, c0, U, W, b, mask, 1, 2, Z, S, H, C, 1)


@pytest.mark.parametrize("n_chunks", [1, 2, 3])
def test_row_blocks_of_the_products_equal_numpy(n_chunks):
    r = np.random.default_rng(1)
    rows, D, u, k = 11, 3, 4, 8
    dA, X, H = r.standard_normal((rows, k)), r.standard_normal((rows, D)), r.standard_normal((rows, u))
    U = r.standard_normal((k, D))
    A = np.empty((rows, k))
    blocks = [chunks.bounds(c, n_chunks, rows) for c in range(n_chunks)]
    assert blocks[0][0] == 0 and blocks[-1][1] == rows
    assert all(a[1] == b[0] for a, b in zip(blocks, blocks[1:]))     # contiguous, no row twice
    for lo, hi in blocks:
        projections.input_projection(X, U, A, lo, hi)
    np.testing.assert_allclose(A, X @ U.T, rtol=1e-13)
    dX = np.empty((rows, D))
    dU, dW, db = np.full((k, D), np.nan), np.full((k, u), np.nan), np.full(k, np.nan)
    # every block sums its rows into partials of its own, added at the end: all overwritten
    chunks.sum_row_blocks(projections.weight_gradients, n_chunks, rows, (dA, dA, X, H, U, dX),
                          (dU, dW, db))
    np.testing.assert_allclose(dU, dA.T @ X, rtol=1e-13)
    np.testing.assert_allclose(dW, dA.T @ H, rtol=1e-13)
    np.testing.assert_allclose(db, dA.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(dX, dA @ U, rtol=1e-13)


#: multiply-adds enough for two blocks
BIG = 2 * threads.MIN_CHUNK_MACS


def _tagger(units, T=5, D=3, k=4):
    rnnkit.set_seed(3)
    model = rnnkit.Sequential([LSTM(units, return_sequences=True, input_shape=(T, D)),
                               Dense(k, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    return model


@pytest.mark.parametrize("units", [8, 127, 128, 256])
def test_batch_chunks_inside_a_models_block_at_any_width(monkeypatch, units):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    assert threads.batch_chunks(32, BIG) == 1                 # outside fit & co: serial
    with threads.for_model(_tagger(units)):              # no width cliff: 128 splits as 127
        assert threads.batch_chunks(32, BIG) == 2
        assert threads.batch_chunks(2 * threads.MIN_CHUNK_ROWS - 1, BIG) == 1   # too few rows to split
    assert threads.batch_chunks(32, BIG) == 1


def test_nested_blocks_restore_the_outer_split(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    with threads.for_model(_tagger(8)):
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")  # an inner block that must not split
        with threads.for_model(_tagger(8)):
            assert threads.batch_chunks(32, BIG) == 1
        monkeypatch.delenv("OPENBLAS_NUM_THREADS")
        assert threads.batch_chunks(32, BIG) == 2             # restored on leaving the inner block
    assert threads.batch_chunks(32, BIG) == 1


def test_the_split_waits_passively_unless_the_user_chose(monkeypatch):
    # a spinning OpenMP thread on a busy core stalls every split (rnnkit.threads explains)
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    threads._wait_passively()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    threads._wait_passively()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_importing_rnnkit_chooses_passive_waiting_before_the_pool_starts():
    # OpenMP reads the policy once, when Numba starts the pool: it must be set by then
    code = ("import os, rnnkit, numba; from numba.np.ufunc import parallel; "
            "print(os.environ['OMP_WAIT_POLICY'], parallel._is_initialized)")
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.split() == ["PASSIVE", "False"], out.stderr


def test_a_single_step_switches_only_for_a_batch_that_splits(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    # a single step (train_on_batch) switches only for a batch some layer will split
    assert isinstance(threads.for_model(_tagger(8), batch=32), threads._Scope)
    dense = rnnkit.Sequential([Dense(4, input_shape=(3,))])
    for model, batch in [(_tagger(8), 2 * threads.MIN_CHUNK_ROWS - 1), (dense, 32)]:
        assert threads.for_model(model, batch=batch) is threads._NO_CHANGE
    # a recurrent model whose products are all too small for a second BLAS thread: switched for
    # its first step, never after
    x, y = _batch()
    small, big = _tagger(8), _tagger(8)
    small.train_on_batch(x, y)
    assert threads.for_model(small, batch=16) is threads._NO_CHANGE
    assert isinstance(threads.for_model(small, batch=24), threads._Scope)   # not seen yet
    monkeypatch.setattr(threads, "BLAS_THREADED_MACS", 1)  # the same shape, now big enough
    monkeypatch.setattr(threads, "usable_cores", lambda: 1)   # even where one core cannot split
    big.train_on_batch(x, y)
    assert isinstance(threads.for_model(big, batch=16), threads._Scope)
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")      # the user's BLAS setting wins
    with threads.for_model(_tagger(8)):
        assert threads.batch_chunks(32, BIG) == 1


def test_a_model_too_small_to_split_keeps_blas_on_one_thread_if_its_products_need_it(monkeypatch):
    # delayed-recall's shape: LSTM(16) on 20 steps of 4 features, batch 32: no split (0.8 M
    # multiply-adds), but its dW = Σ da h_{t-1}ᵀ is a (4*16) x (20*32) x 16 product, which
    # OpenBLAS would run on two threads: every step must still switch BLAS to one thread
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    T, B, D, u = 20, 32, 4, 16
    assert 4 * u * (T * B) * u > threads.BLAS_THREADED_MACS
    assert T * B * 4 * u * (D + u) < threads.MIN_CHUNK_MACS
    rnnkit.set_seed(3)
    model = rnnkit.Sequential([LSTM(u, input_shape=(T, D)), Dense(4, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(B, T, D)).astype(model.dtype)
    y = np.eye(4, dtype=model.dtype)[rng.integers(0, 4, size=B)]
    seen = []
    real = threads.blas_threads.__enter__

    def enter(self):                                      # the BLAS threads inside each step
        seen.append(self.n)
        return real(self)
    monkeypatch.setattr(threads.blas_threads, "__enter__", enter)
    for _ in range(3):
        model.train_on_batch(x, y)
    assert seen == [1, 1, 1]


def test_training_on_split_batches_equals_serial_training(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    r = np.random.default_rng(5)
    x = r.standard_normal((16, 5, 3))
    y = np.eye(4)[r.integers(0, 4, size=(16, 5))]
    used = []
    split_model, serial_model = _tagger(6), _tagger(6)
    split_model.build((None, 5, 3))
    serial_model.build((None, 5, 3))
    serial_model.set_weights(split_model.get_weights())
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "MIN_CHUNK_MACS", 1)    # split this small model all the same
    real = threads.batch_chunks
    monkeypatch.setattr(threads, "batch_chunks", 
                        lambda batch, macs: used.append(real(batch, macs)) or real(batch, macs))
    for _ in range(3):
        split_model.train_on_batch(x, y)
    assert set(used) == {2}                              # the split path really ran
    monkeypatch.setattr(threads, "batch_chunks", lambda batch, macs: 1)
    for _ in range(3):
        serial_model.train_on_batch(x, y)
    for a, b in zip(split_model.get_weights(), serial_model.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_a_models_block_runs_blas_on_one_thread_and_restores_it(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    libs = threads._blas()
    assert libs                                          # NumPy's and SciPy's OpenBLAS
    original = [lib.get_num_threads() for lib in libs]
    try:
        for lib in libs:
            lib.set_num_threads(2)
        base = [lib.get_num_threads() for lib in libs]   # 2 (1 on a one-core machine)
        with threads.for_model(_tagger(8)):
            assert [lib.get_num_threads() for lib in libs] == [1] * len(libs)
        assert [lib.get_num_threads() for lib in libs] == base
        with threads.for_model(_tagger(256)):           # wide: one thread as well
            assert [lib.get_num_threads() for lib in libs] == [1] * len(libs)
        assert [lib.get_num_threads() for lib in libs] == base
    finally:
        for lib, n in zip(libs, original):
            lib.set_num_threads(n)


def test_the_split_is_per_python_thread(monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    seen = []
    with threads.for_model(_tagger(8)):
        other = threading.Thread(target=lambda: seen.append(threads.batch_chunks(32, BIG)))
        other.start()
        other.join()
        assert threads.batch_chunks(32, BIG) == 2
    assert seen == [1]                                   # another thread's step is not split


def _train_one_batch_in_child(queue):
    x, y = _batch()
    queue.put(_tagger(6).train_on_batch(x, y))


def _batch():
    r = np.random.default_rng(5)
    return r.standard_normal((16, 5, 3)), np.eye(4)[r.integers(0, 4, size=(16, 5))]


def test_a_process_forked_after_a_split_still_splits_with_a_new_pool(monkeypatch):
    # the pool's threads do not survive fork: the child must make its own, not wait on dead ones
    mp = pytest.importorskip("multiprocessing")
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "MIN_CHUNK_MACS", 1)
    x, y = _batch()
    want = _tagger(6).train_on_batch(x, y)               # split: the pool runs in this process
    assert chunks._workers
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_train_one_batch_in_child, args=(queue,), daemon=True)
    child.start()
    try:
        child.join(120)
        assert child.exitcode == 0
        assert queue.get(timeout=10) == pytest.approx(want, rel=1e-12)
    finally:
        if child.is_alive():
            child.kill()


def test_an_exception_in_a_block_reaches_the_caller_after_every_block_ran():
    done = []

    def block(k):
        if k == 1:
            raise ZeroDivisionError("block 1")
        done.append(k)

    with pytest.raises(ZeroDivisionError, match="block 1"):
        chunks.run_blocks([(block, (k,)) for k in range(3)])
    assert sorted(done) == [0, 2]


def _gru_case(B, reset_after, dtype, T=6, D=3, u=5, seed=2):
    r = np.random.default_rng(seed)
    X = r.standard_normal((T, B, D))
    U, W = r.standard_normal((3 * u, D)) * 0.5, r.standard_normal((3 * u, u)) * 0.5
    b = r.standard_normal((2, 3 * u) if reset_after else 3 * u) * 0.1
    h0 = r.standard_normal((B, u)) * 0.3
    mask = np.ones((T, B))
    mask[T - 2:, 0] = 0                         # ragged: two sequences end early
    mask[T - 3:, B - 1] = 0
    G = r.standard_normal((T, B, u))
    return tuple(a.astype(dtype) for a in (X, U, W, b, h0, mask, G))


def _run_gru(case, reset_after, n_chunks, need_dx):
    X, U, W, b, h0, mask, G = case
    T, B, D = X.shape
    u = W.shape[1]

    def out(*shape):                            # NaN: every output must be overwritten
        return np.full(shape, np.nan, dtype=X.dtype)

    Z, Q, H = out(T, B, 3 * u), out(T, B, u), out(T + 1, B, u)
    tanh, sigmoid = activations.TANH, activations.SIGMOID
    forward = gru.gru_forward if reset_after else gru.gru_reset_before_forward
    forward(X, h0, U, W, b, mask, tanh, sigmoid, Z, Q, H, n_chunks)
    dA, dX = out(T, B, 3 * u), (out(T, B, D) if need_dx else out(0, B, D))
    dU, dW, db, dh0 = out(3 * u, D), out(3 * u, u), out(*b.shape), out(B, u)
    if reset_after:
        gru.gru_backward(X, U, W, mask, tanh, sigmoid, Z, Q, H, G, dA, out(T, B, 3 * u), dX, dU,
                         dW, db, dh0, n_chunks)
    else:
        gru.gru_reset_before_backward(X, U, W, mask, tanh, sigmoid, Z, Q, H, G, dA, dX, dU, dW,
                                      db, dh0, n_chunks)
    return dict(Z=Z, Q=Q, H=H, dA=dA, dX=dX, dU=dU, dW=dW, db=db, dh0=dh0)


@pytest.mark.parametrize("B, n_chunks", [(7, 2), (8, 3), (2, 3)])
@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("need_dx", [True, False])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_split_gru_kernels_give_the_serial_numbers(B, n_chunks, reset_after, need_dx, dtype,
                                                    rtol):
    case = _gru_case(B, reset_after, dtype)
    serial = _run_gru(case, reset_after, 1, need_dx)
    split = _run_gru(case, reset_after, n_chunks, need_dx)
    for name, want in serial.items():
        assert not np.isnan(want).any() and not np.isnan(split[name]).any(), name
        np.testing.assert_allclose(split[name], want, rtol=rtol, atol=rtol / 10, err_msg=name)


@pytest.mark.parametrize("cell", [SimpleRNN, GRU, LSTM])
@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 3e-6)])
def test_every_cell_trains_on_split_batches_as_on_the_whole_batch(monkeypatch, cell, dtype, rtol):
    # forward outputs, input gradients and weight gradients of a masked batch: split = serial
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cores", lambda: 3)
    monkeypatch.setattr(threads, "MIN_CHUNK_MACS", 1)
    r = np.random.default_rng(7)
    x = r.standard_normal((13, 6, 3)).astype(dtype)
    mask = np.ones((13, 6), dtype=bool)
    mask[2, 4:] = mask[9, 1:] = False                # ragged sequences
    G = r.standard_normal((13, 6, 5)).astype(dtype)
    results = {}
    for split in (False, True):
        with rnnkit.config.scope(floatx=np.dtype(dtype).name, seed=4):
            layer = cell(5, return_sequences=True)
            layer.build((6, 3))
        with threads.for_model(rnnkit.Sequential([layer])) if split else nullcontext():
            assert threads.batch_chunks(13, 10**9) == (3 if split else 1)   # 4, 4, 5 rows
            y = layer.forward(x, mask=mask)
            dx = layer.backward(G)
        results[split] = [y, dx] + [layer.grads[k].copy() for k in sorted(layer.grads)]
    for whole, split in zip(results[False], results[True]):
        # sums added in another order: float32 errors scale with the largest terms (cancellation)
        np.testing.assert_allclose(split, whole, rtol=rtol, atol=rtol * np.abs(whole).max())


def test_a_split_interrupted_while_waiting_leaves_workers_that_work(monkeypatch):
    # Ctrl-C while the calling thread waits for a worker: the next split must not hang or mix up
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    release = threading.Event()
    out = []

    def slow(k):
        release.wait(10)
        out.append(k)

    def interrupt_the_wait(worker):
        raise KeyboardInterrupt

    chunks.run_blocks([(out.append, (0,)), (out.append, (1,))])       # workers exist now
    monkeypatch.setattr(chunks._Worker, "wait", interrupt_the_wait)
    with pytest.raises(KeyboardInterrupt):
        chunks.run_blocks([(out.append, ("a",)), (slow, ("b",))])
    monkeypatch.undo()
    out.clear()
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    chunks.run_blocks([(out.append, (0,)), (out.append, (1,))])       # new workers: no hang
    assert sorted(out) == [0, 1]
    release.set()


def test_greedy_decoding_runs_blas_on_one_thread_like_predict(monkeypatch):
    # image-caption and translation decode outside fit/predict: two BLAS threads there made an
    # epoch twice as slow as one thread with a busy core (benchmarks/README.md)
    from test_encoder_decoder import make_model, ragged_batch
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    libs = threads._blas()
    original = [lib.get_num_threads() for lib in libs]
    model = make_model("gru")
    x, _ = ragged_batch()
    model.forward(x)
    seen = []
    forward = model.forward
    monkeypatch.setattr(model, "forward",
                        lambda *a, **k: seen.append([l.get_num_threads() for l in libs])
                        or forward(*a, **k))
    try:
        for lib in libs:
            lib.set_num_threads(2)
        model.generate(x[0], start_id=1, end_id=None, max_len=3)
        assert seen == [[1] * len(libs)] * 3
        assert [lib.get_num_threads() for lib in libs] == [2] * len(libs)    # restored
    finally:
        for lib, n in zip(libs, original):
            lib.set_num_threads(n)
