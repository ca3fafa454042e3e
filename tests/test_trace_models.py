"""``rnnkit trace --model RUN`` on any run whose first layer is a SimpleRNN, LSTM or GRU, whatever
its output layer (char-lm's TimeDistributed(Dense) included), and ``--cell`` on the command line."""
import numpy as np
import pytest
from click.testing import CliRunner

from rnnkit import trace
from rnnkit.cli.main import cli
from rnnkit.errors import InputError
from rnnkit.layers import Dense, Embedding, SimpleRNN, TimeDistributed
from rnnkit.models import Sequential

from test_cli_support import register


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    register(tmp_path, monkeypatch)
    monkeypatch.chdir(tmp_path)

    def run(*args, code=0):
        result = CliRunner().invoke(cli, [str(a) for a in args])
        assert result.exit_code == code, (result.output, result.exception)
        return result.output
    return run


def as_time_distributed(model):
    """The slides' network with its Dense wrapped in TimeDistributed, as char-lm builds it."""
    wrapped = Sequential([SimpleRNN(3, return_sequences=True, input_shape=(4, 4), dtype="float64"),
                          TimeDistributed(Dense(4, activation="softmax", dtype="float64"))])
    wrapped.build()
    wrapped.set_weights(model.get_weights())
    wrapped.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return wrapped


def test_a_time_distributed_output_gives_the_slides_tables():
    """Same weights, same numbers: the lecture's tables (pinned in test_lecture) do not depend on
    how the output layer is wrapped."""
    plain = trace.slides_model()
    x = trace.one_hot(trace.SLIDE_INPUT)
    targets = np.array([trace.SYMBOLS.index(s) for s in trace.SLIDE_TARGET])
    expected = trace.forward_tables(plain, x) + trace.backward_tables(plain, x, targets)
    wrapped = as_time_distributed(plain)
    got = trace.forward_tables(wrapped, x) + trace.backward_tables(wrapped, x, targets)
    assert [t.title for t in got] == [t.title for t in expected]
    for a, b in zip(got, expected):
        np.testing.assert_allclose(np.array(a.rows, dtype=float), np.array(b.rows, dtype=float),
                                   atol=1e-12, err_msg=a.title)


def test_from_above_is_v_transpose_dz():
    tables = trace.example_tables("rnn", backward=True)
    V = np.array(trace.SLIDE_WEIGHTS["V"])
    for t in range(1, 5):
        dz = np.array([row[0] for row in next(
            tab for tab in tables if tab.title == f"t{t}: output gradient (softmax + "
                                                  f"cross-entropy)").rows])
        back = next(tab for tab in tables if tab.title == f"t{t}: back through time")
        np.testing.assert_allclose([row[0] for row in back.rows], V.T @ dz, atol=1e-12)


def test_a_model_whose_first_layer_is_not_recurrent_is_refused_with_the_way_out():
    model = Sequential([Embedding(5, 3, input_shape=(4,)), SimpleRNN(2), Dense(2)])
    with pytest.raises(InputError, match="Embedding -> SimpleRNN -> Dense.*rnnkit trace --cell"):
        trace.traced_layers(model)


def test_cli_cells_and_formats(run_cli):
    out = run_cli("trace", "--cell", "lstm")
    assert "t4: gates and states" in out and "dc_t" not in out
    back = run_cli("trace", "--cell", "gru", "--backward", "--format", "csv")
    assert "table,dz_t,dh~_t,dr_t,dq_t,da_z,da_r,da_h" in back and "t1: gate gradients" in back
    assert "--cell chooses a worked example" in run_cli("trace", "--cell", "gru", "--model", "r",
                                                        "--input", "AB", code=2)


def test_char_lm_rnn_the_lecture_network_is_traced(run_cli, tmp_path):
    (tmp_path / "hello.json").write_text('{"text": "hello", "units": 3}')
    run_cli("train", "--arch", "char-lm", "--cell", "rnn", "--config", "hello.json", "--epochs",
            "1", "--out", "cl", "--no-figures")
    out = run_cli("trace", "--model", "cl", "--input", "hell", "--backward", "--target", "ello")
    assert "t4: output" in out and "dL/dht via V" in out and "totals over all steps: dV" in out


def test_an_lstm_run_is_traced_gate_by_gate(run_cli):
    run_cli("train", "--arch", "tiny-tagger", "--cell", "lstm", "--epochs", "0", "--out", "l",
            "--no-figures")
    out = run_cli("trace", "--model", "l", "--input", "ABCDA", "--backward", "--target",
                  "A,A,B,C,D")
    assert "t5: gates and states" in out and "t1: gate gradients" in out
    assert "totals over all steps: dU | dW | db" in out
