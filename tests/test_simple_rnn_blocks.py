"""The SimpleRNN kernels on blocks of batch rows (rnnkit.kernels.simple_rnn.forward_blocks,
backward_blocks: each block works on its rows lo:hi of the layer's arrays, no copies) give the
whole-batch kernels' numbers, and the whole-batch kernels give NumPy's BPTT."""
import numpy as np
import pytest

from rnnkit.kernels import activations
from rnnkit.kernels import simple_rnn as K


def _case(B, dtype, T=6, D=3, u=5, seed=0):
    r = np.random.default_rng(seed)
    X = r.standard_normal((T, B, D))
    U, W = r.standard_normal((u, D)) * 0.5, r.standard_normal((u, u)) * 0.5
    b, h0 = r.standard_normal(u) * 0.1, r.standard_normal((B, u)) * 0.3
    mask = np.ones((T, B))
    mask[T - 2:, 0] = 0                         # ragged: two sequences end early
    mask[T - 4:, B - 1] = 0
    G = r.standard_normal((T, B, u))
    return tuple(a.astype(dtype) for a in (X, U, W, b, h0, mask, G))


def _run(case, chunks, need_dx):
    X, U, W, b, h0, mask, G = case
    T, B, D = X.shape
    u = W.shape[0]

    def out(*shape):                            # NaN: every output must be overwritten
        return np.full(shape, np.nan, dtype=X.dtype)

    A, H = out(T, B, u), out(T + 1, B, u)
    dA, dX = out(T, B, u), (out(T, B, D) if need_dx else out(0, B, D))
    dU, dW, db, dh0 = out(u, D), out(u, u), out(u), out(B, u)
    tanh = activations.TANH
    if chunks == 1:
        K.simple_rnn_forward(X, h0, U, W, b, mask, tanh, A, H)
        K.simple_rnn_backward(X, U, W, mask, tanh, A, H, G, dA, dX, dU, dW, db, dh0)
    else:
        K.forward_blocks(X, h0, U, W, b, mask, tanh, A, H, chunks)
        K.backward_blocks(X, U, W, mask, tanh, A, H, G, dA, dX, dU, dW, db, dh0, chunks)
    return dict(A=A, H=H, dA=dA, dX=dX, dU=dU, dW=dW, db=db, dh0=dh0)


def _numpy_bptt(case):
    """Forward and BPTT written out in NumPy (float64), the module docstring's equations."""
    X, U, W, b, h0, mask, G = (a.astype(np.float64) for a in case)
    T = X.shape[0]
    H = [h0]
    for t in range(T):
        h = np.tanh(X[t] @ U.T + H[-1] @ W.T + b)
        m = mask[t][:, None]
        H.append(m * h + (1 - m) * H[-1])
    dh = np.zeros_like(h0)
    dU, dW, db = np.zeros_like(U), np.zeros_like(W), np.zeros_like(b)
    dX = np.zeros_like(X)
    for t in range(T, 0, -1):
        m = mask[t - 1][:, None]
        g = dh + G[t - 1]
        da = m * g * (1 - H[t] ** 2)
        dU += da.T @ X[t - 1]
        dW += da.T @ H[t - 1]
        db += da.sum(axis=0)
        dX[t - 1] = da @ U
        dh = da @ W + (1 - m) * g
    return dict(H=np.array(H), dX=dX, dU=dU, dW=dW, db=db, dh0=dh)


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-12), (np.float32, 2e-5)])
@pytest.mark.parametrize("B, chunks", [(7, 2), (7, 3), (2, 2)])
@pytest.mark.parametrize("need_dx", [True, False])
def test_simple_rnn_blocks_give_the_whole_batch_numbers(dtype, rtol, B, chunks, need_dx):
    case = _case(B, dtype)
    whole, split = _run(case, 1, need_dx), _run(case, chunks, need_dx)
    for name, value in whole.items():
        assert not np.isnan(split[name]).any(), name
        np.testing.assert_allclose(split[name], value, rtol=rtol, atol=rtol, err_msg=name)
    ref = _numpy_bptt(case)
    for name in ("H", "dU", "dW", "db", "dh0") + (("dX",) if need_dx else ()):
        np.testing.assert_allclose(split[name], ref[name], rtol=10 * rtol, atol=10 * rtol,
                                   err_msg=name)
