"""A plain-NumPy, hand-written BPTT peer for rnnkit's benchmarks (min-char-rnn, batched).

Model: SimpleRNN(tanh) followed by a Dense output layer, trained with Adam (Keras' update rule,
epsilon 1e-7), in the same notation as rnnkit's kernels but in vectorised NumPy with one Python
loop over time (forward) and one reverse loop (backward)::

    a_t = U x_t + W h_{t-1} + b_xh,   h_t = tanh(a_t)               (h_0 = 0)
    tagging:    y_t = softmax(V h_t + b_hy) at every t,  L = mean over B*T of -sum_k t_k log y_k
    regression: y   = V h_T + b_hy (linear),             L = mean over B*k of (y - t)^2

Weights are stored transposed (``Ut`` (D, u), ``Wt`` (u, u), ``Vt`` (u, k)) so that every product is
``rows @ weight`` on (B, ·) or (T*B, ·) blocks: the input projection of all timesteps and the output
layer are single matrix products outside the time loop, as in rnnkit.

    python benchmarks/numpy_peer.py --check     # gradients vs centred finite differences (float64)
"""
import argparse
import sys

import numpy as np


class NumpyRNN:
    """SimpleRNN(tanh) + Dense (softmax per step, or linear on the last state) with Adam.

    ``task`` is ``"tagging"`` (return_sequences + per-step softmax, categorical cross-entropy on
    one-hot targets of shape (B, T, k)) or ``"regression"`` (many-to-one, linear output, MSE on
    targets of shape (B, k)). Inputs are batch-first (B, T, D), as in rnnkit and Keras.
    """

    def __init__(self, D, u, k, task="tagging", dtype=np.float32, lr=1e-3, seed=0,
                 beta1=0.9, beta2=0.999, eps=1e-7):
        if task not in ("tagging", "regression"):
            raise ValueError(f"unknown task {task!r}")
        rng = np.random.default_rng(seed)
        dt = np.dtype(dtype)
        self.task, self.dtype = task, dt
        lim_u = np.sqrt(6.0 / (D + u))
        lim_v = np.sqrt(6.0 / (u + k))
        q, _ = np.linalg.qr(rng.standard_normal((u, u)))
        self.p = {
            "Ut": rng.uniform(-lim_u, lim_u, (D, u)).astype(dt),
            "Wt": q.astype(dt),
            "b": np.zeros(u, dt),
            "Vt": rng.uniform(-lim_v, lim_v, (u, k)).astype(dt),
            "c": np.zeros(k, dt),
        }
        self.m = {key: np.zeros_like(v) for key, v in self.p.items()}
        self.s = {key: np.zeros_like(v) for key, v in self.p.items()}
        self.t = 0
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps

    # ---- forward + backward ---------------------------------------------------------------------
    def loss_and_grads(self, x, y):
        """Return (loss, grads dict) for one batch; ``x`` (B, T, D), ``y`` as in the class doc."""
        p, dt = self.p, self.dtype
        Ut, Wt, b, Vt, c = p["Ut"], p["Wt"], p["b"], p["Vt"], p["c"]
        B, T, D = x.shape
        u = Wt.shape[0]
        k = Vt.shape[1]
        X = np.ascontiguousarray(x.transpose(1, 0, 2), dtype=dt)        # (T, B, D) time-major
        # U x_t for all t: one (T*B, D) @ (D, u) product, plus the bias once.
        A = (X.reshape(T * B, D) @ Ut + b).reshape(T, B, u)
        H = np.empty((T + 1, B, u), dt)
        H[0] = 0                                                         # h_0
        for t in range(T):
            np.tanh(A[t] + H[t] @ Wt, out=H[t + 1])                      # h_t = tanh(a_t)

        if self.task == "tagging":
            Hs = H[1:].reshape(T * B, u)
            Z = Hs @ Vt + c                                              # (T*B, k) logits
            Z -= Z.max(axis=1, keepdims=True)
            E = np.exp(Z)
            Yp = E / E.sum(axis=1, keepdims=True)
            Tg = np.ascontiguousarray(y.transpose(1, 0, 2), dtype=dt).reshape(T * B, k)
            N = T * B
            logp = Z - np.log(E.sum(axis=1, keepdims=True))
            loss = float(-(Tg * logp).sum() / N)
            dZ = (Yp - Tg) / dt.type(N)                                  # softmax + CCE fused
            dVt = Hs.T @ dZ
            dc = dZ.sum(axis=0)
            G = (dZ @ Vt.T).reshape(T, B, u)                             # dL/dh_t from the output
        else:
            hT = H[T]
            Yp = hT @ Vt + c                                             # linear output (B, k)
            Tg = np.asarray(y, dtype=dt).reshape(B, k)
            diff = Yp - Tg
            N = B * k
            loss = float((diff * diff).sum() / N)
            dY = diff * dt.type(2.0 / N)                                 # dL/dy for MSE
            dVt = hT.T @ dY
            dc = dY.sum(axis=0)
            G = None
            gT = dY @ Vt.T                                               # dL/dh_T only

        # ---- backpropagation through time: the explicit reverse loop over t ----
        dA = np.empty((T, B, u), dt)
        dh = np.zeros((B, u), dt)                                        # dL/dh_t through step t+1
        for t in range(T - 1, -1, -1):
            if G is not None:
                dh += G[t]
            elif t == T - 1:
                dh += gT
            h = H[t + 1]
            np.multiply(dh, 1 - h * h, out=dA[t])                        # da_t = dh_t * tanh'(a_t)
            dh = dA[t] @ Wt.T                                            # W^T da_t -> h_{t-1}
        dA2 = dA.reshape(T * B, u)
        grads = {
            "Ut": X.reshape(T * B, D).T @ dA2,                           # dU = sum_t da_t x_t^T
            "Wt": H[:T].reshape(T * B, u).T @ dA2,                       # dW = sum_t da_t h_{t-1}^T
            "b": dA2.sum(axis=0),
            "Vt": dVt,
            "c": dc,
        }
        return loss, grads

    # ---- Adam -------------------------------------------------------------------------------------
    def adam(self, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        lr_t = self.lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        lr_t = self.dtype.type(lr_t)
        one_b1, one_b2, eps = self.dtype.type(1 - b1), self.dtype.type(1 - b2), self.dtype.type(self.eps)
        for key, g in grads.items():
            m, s, p = self.m[key], self.s[key], self.p[key]
            m += one_b1 * (g - m)
            s += one_b2 * (g * g - s)
            p -= lr_t * m / (np.sqrt(s) + eps)

    def train_on_batch(self, x, y):
        loss, grads = self.loss_and_grads(x, y)
        self.adam(grads)
        return loss


def make_data(B, T, D, k, task, dtype=np.float32, seed=1):
    """Random inputs and targets for ``task``: one-hot (B, T, k) for tagging, (B, k) for regression."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    if task == "tagging":
        labels = rng.integers(0, k, size=(B, T))
        y = np.eye(k, dtype=dtype)[labels]
    else:
        y = rng.standard_normal((B, k)).astype(dtype)
    return x, y


def gradient_check(verbose=True):
    """Compare every gradient with centred finite differences in float64; return the worst rel. error."""
    worst = 0.0
    for task, (B, T, D, u, k) in (("tagging", (3, 5, 4, 6, 4)), ("regression", (2, 6, 1, 5, 1)),
                                  ("tagging", (1, 1, 2, 3, 2))):
        net = NumpyRNN(D, u, k, task=task, dtype=np.float64, seed=3)
        for key in net.p:                              # non-zero biases so their gradients are tested
            if key in ("b", "c"):
                net.p[key][:] = np.random.default_rng(5).uniform(-0.5, 0.5, net.p[key].shape)
        x, y = make_data(B, T, D, k, task, dtype=np.float64, seed=4)
        _, grads = net.loss_and_grads(x, y)
        h = 1e-6
        for key, P in net.p.items():
            num = np.zeros_like(P)
            flat, nflat = P.reshape(-1), num.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + h
                lp, _ = net.loss_and_grads(x, y)
                flat[i] = old - h
                lm, _ = net.loss_and_grads(x, y)
                flat[i] = old
                nflat[i] = (lp - lm) / (2 * h)
            err = np.abs(num - grads[key]).max() / max(np.abs(num).max(), np.abs(grads[key]).max(), 1e-12)
            worst = max(worst, err)
            if verbose:
                print(f"  {task:10s} B,T,D,u,k={B, T, D, u, k}  d{key:2s}  max rel. error {err:.2e}")
    return worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="finite-difference gradient check (float64)")
    args = ap.parse_args(argv)
    if args.check:
        worst = gradient_check()
        ok = worst < 1e-6
        print(f"worst relative error {worst:.2e}: {'OK' if ok else 'FAILED'} (threshold 1e-6)")
        return 0 if ok else 1
    # a short demo run: the loss goes down
    x, y = make_data(32, 20, 8, 4, "tagging")
    net = NumpyRNN(8, 16, 4)
    for i in range(201):
        loss = net.train_on_batch(x, y)
        if i % 50 == 0:
            print(f"step {i:3d}  loss {loss:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
