"""The benchmark's model in PyTorch: nn.RNN / nn.LSTM / nn.GRU (batch_first) + nn.Linear, Adam.

Only for benchmarks: torch is never a dependency of rnnkit. Import this module only after checking
``available()``; it imports torch lazily and sets ``torch.set_num_threads(2)`` (the machine's cores).

Tasks, the same as rnnkit's and the NumPy peer's:
    tagging:    return_sequences + per-step Linear, CrossEntropyLoss over all B*T positions
                (class-index targets: PyTorch's idiomatic and fastest form; the same loss value as
                rnnkit's categorical cross-entropy on the one-hot targets);
    regression: many-to-one, Linear on h_T, MSELoss.
Adam with Keras' epsilon (1e-7), lr 1e-3. nn.RNN uses tanh; nn.LSTM on CPU runs PyTorch's fused
(oneDNN/mkldnn) kernel when it is available, nn.RNN and nn.GRU do not.
"""
import importlib.util

THREADS = 2


def available():
    return importlib.util.find_spec("torch") is not None


class TorchPeer:
    """``cell`` in {"rnn", "lstm", "gru"}; ``task`` in {"tagging", "regression"}."""

    def __init__(self, D, u, k, task="tagging", cell="rnn", lr=1e-3, seed=0, threads=THREADS):
        import torch
        from torch import nn
        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.torch = torch
        cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        kw = {"nonlinearity": "tanh"} if cell == "rnn" else {}
        self.rnn = cls(D, u, batch_first=True, **kw)
        self.out = nn.Linear(u, k)
        self.task = task
        self.params = list(self.rnn.parameters()) + list(self.out.parameters())
        self.opt = torch.optim.Adam(self.params, lr=lr, eps=1e-7)
        self.loss_fn = nn.CrossEntropyLoss() if task == "tagging" else nn.MSELoss()

    def prepare(self, x, y):
        """Convert NumPy data (as made by ``numpy_peer.make_data``) to tensors once, outside timing."""
        torch = self.torch
        xt = torch.from_numpy(x).float().contiguous()
        if self.task == "tagging":
            yt = torch.from_numpy(y.argmax(axis=-1).reshape(-1)).long()   # class indices, (B*T,)
        else:
            yt = torch.from_numpy(y).float()
        return xt, yt

    def train_on_batch(self, xt, yt):
        self.opt.zero_grad(set_to_none=True)
        seq, _ = self.rnn(xt)                                  # (B, T, u)
        if self.task == "tagging":
            logits = self.out(seq).reshape(-1, self.out.out_features)
        else:
            logits = self.out(seq[:, -1])
        loss = self.loss_fn(logits, yt)
        loss.backward()
        self.opt.step()
        return loss.item()
