"""Move weights between rnnkit's recurrent layers and PyTorch's ``nn.RNN``, ``nn.LSTM``, ``nn.GRU``.

PyTorch is never imported here: ``to_torch`` returns NumPy arrays under PyTorch's names, and
``from_torch`` accepts a ``state_dict()`` of tensors or of arrays. Load the result into PyTorch with
``module.load_state_dict({k: torch.from_numpy(v) for k, v in to_torch(layer).items()})``.

How the weights correspond (u = units, D = input dim; blocks are u rows each)::

    rnnkit      PyTorch           note
    U (k·u, D)  weight_ih_l0      the same matrix, gate blocks reordered for GRU
    W (k·u, u)  weight_hh_l0
    b           bias_ih_l0        SimpleRNN, LSTM: PyTorch adds bias_ih + bias_hh;
                bias_hh_l0        rnnkit keeps the sum (to_torch puts it all in bias_ih)
    b[0], b[1]  bias_ih, bias_hh  GRU (reset_after=True): input and recurrent bias rows

    gate order  SimpleRNN: one block;  LSTM: i, f, c (g), o in both;
                GRU: rnnkit z, r, h, PyTorch r, z, n

PyTorch's GRU is Keras' GRU with ``reset_after=True``; a ``reset_after=False`` GRU has no PyTorch
equivalent. PyTorch's modules are batch-first only with ``batch_first=True``; the weights do not
depend on it. See docs/bptt.md for the full table.
"""
import numpy as np

from .layers.gru import GRU
from .layers.lstm import LSTM
from .layers.simple_rnn import SimpleRNN

# PyTorch block k comes from rnnkit block _TO_TORCH[k] (and the permutation is its own inverse).
_GRU_TO_TORCH = (1, 0, 2)          # torch (r, z, n) <- rnnkit (z, r, h)


def _kind(layer):
    """(number of gate blocks, PyTorch module name) of a layer, after checking that it maps."""
    where = f"layer {getattr(layer, 'name', None)!r} ({type(layer).__name__})"
    if isinstance(layer, LSTM):
        if layer.activation != "tanh" or layer.recurrent_activation != "sigmoid":
            raise ValueError(f"{where}: PyTorch's nn.LSTM uses activation='tanh' and "
                             f"recurrent_activation='sigmoid'; this layer uses "
                             f"{layer.activation!r} and {layer.recurrent_activation!r}")
        return 4, "nn.LSTM"
    if isinstance(layer, GRU):
        if not layer.reset_after:
            raise ValueError(f"{where}: PyTorch's nn.GRU computes Keras' reset_after=True variant "
                             f"(reset gate applied after the recurrent product, two biases); a GRU "
                             f"with reset_after=False has no PyTorch equivalent. Use "
                             f"GRU(..., reset_after=True).")
        if layer.activation != "tanh" or layer.recurrent_activation != "sigmoid":
            raise ValueError(f"{where}: PyTorch's nn.GRU uses activation='tanh' and "
                             f"recurrent_activation='sigmoid'; this layer uses "
                             f"{layer.activation!r} and {layer.recurrent_activation!r}")
        return 3, "nn.GRU"
    if isinstance(layer, SimpleRNN):
        if layer.activation not in ("tanh", "relu"):
            raise ValueError(f"{where}: PyTorch's nn.RNN supports nonlinearity 'tanh' or 'relu'; "
                             f"this layer uses {layer.activation!r}")
        return 1, "nn.RNN"
    raise TypeError(f"rnnkit.convert supports SimpleRNN, LSTM and GRU layers, got "
                    f"{type(layer).__name__}")


def _reorder(a, u):
    """Swap the first two u-row blocks of ``a`` (GRU: rnnkit z, r, h <-> PyTorch r, z, n)."""
    return np.concatenate([a[k * u:(k + 1) * u] for k in _GRU_TO_TORCH], axis=0)


def to_torch(layer, suffix="_l0"):
    """The layer's weights as a dict of NumPy arrays named as in PyTorch's ``state_dict()``.

    ``suffix`` names the PyTorch layer they are meant for: ``"_l0"`` (default), ``"_l1"`` for the
    second layer of a stacked module, ``"_l0_reverse"`` for the backward direction of a
    bidirectional one.
    """
    k, _ = _kind(layer)
    if not layer.built:
        raise ValueError(f"layer {layer.name!r}: it has no weights yet; call it on an input or "
                         f"build(input_shape) first")
    p = layer.params
    u = layer.units
    if isinstance(layer, GRU):
        weights = (_reorder(p["U"], u), _reorder(p["W"], u),
                   _reorder(p["b"][0], u), _reorder(p["b"][1], u))
    else:
        weights = (p["U"], p["W"], p["b"], np.zeros_like(p["b"]))
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    return {name + suffix: np.array(w, copy=True) for name, w in zip(names, weights)}


def _as_array(value):
    if hasattr(value, "detach"):                      # a torch tensor, without importing torch
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _lookup(state_dict, name, where, required=True):
    """The entry called ``name``, or the single entry ending with ``.name`` (a module prefix)."""
    if name in state_dict:
        return _as_array(state_dict[name])
    hits = [key for key in state_dict if key.endswith("." + name)]
    if len(hits) == 1:
        return _as_array(state_dict[hits[0]])
    if len(hits) > 1:
        raise ValueError(f"{where}: several entries end with {name!r} ({', '.join(hits)}); pass "
                         f"the sub-dictionary of one module")
    if required:
        raise KeyError(f"{where}: the state dict has no {name!r} (it has: "
                       f"{', '.join(state_dict) or 'nothing'})")
    return None


def from_torch(layer, state_dict, suffix="_l0"):
    """Set the layer's weights from a PyTorch ``state_dict()`` (tensors or NumPy arrays).

    Builds an unbuilt layer for the input size found in ``weight_ih``. PyTorch's two biases are
    added for SimpleRNN and LSTM, and kept as the two bias rows of a GRU. Returns the layer.
    """
    k, module = _kind(layer)
    where = f"from_torch into layer {layer.name!r} ({type(layer).__name__})"
    w_ih = _lookup(state_dict, "weight_ih" + suffix, where)
    w_hh = _lookup(state_dict, "weight_hh" + suffix, where)
    u = layer.units
    if w_ih.ndim != 2 or w_ih.shape[0] != k * u or w_hh.shape != (k * u, u):
        raise ValueError(f"{where}: a {module} with hidden_size={u} has weight_ih of shape "
                         f"({k * u}, input_size) and weight_hh of shape ({k * u}, {u}); got "
                         f"{w_ih.shape} and {w_hh.shape}. Check units and the module type.")
    zeros = np.zeros(k * u)
    b_ih = _lookup(state_dict, "bias_ih" + suffix, where, required=False)   # absent if bias=False
    b_hh = _lookup(state_dict, "bias_hh" + suffix, where, required=False)
    b_ih = zeros if b_ih is None else b_ih
    b_hh = zeros if b_hh is None else b_hh
    D = w_ih.shape[1]
    if not layer.built:
        timesteps = layer.input_shape[0] if layer.input_shape else None
        layer.build((timesteps, D))
    if layer.params["U"].shape[1] != D:
        raise ValueError(f"{where}: the layer takes {layer.params['U'].shape[1]} input features, "
                         f"the PyTorch weights take {D}")
    if isinstance(layer, GRU):
        weights = [_reorder(w_ih, u).T, _reorder(w_hh, u).T,
                   np.stack([_reorder(b_ih, u), _reorder(b_hh, u)])]
    else:
        weights = [w_ih.T, w_hh.T, b_ih + b_hh]
    layer.set_weights(weights)
    return layer
