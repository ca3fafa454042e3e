"""benchmarks/bench_train_step.py's FLOP count of a training step, against the products counted
by hand for the lecture's toy model and the 131-parameter airline model."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "benchmarks"))
import bench_train_step as bench  # noqa: E402


def test_step_flops_counts_every_product_of_forward_and_backward():
    # toy (B, T, D, u, k) = (1, 4, 4, 3, 4), tagging. Per step and row: U x_t 3x4 = 12, W h 3x3 = 9,
    # V h 4x3 = 12 multiply-adds: 33, over 4 steps 132 forward. Backward: dU 12, dW 9, Wᵀ da 9,
    # dV 12, dh 12 per step (dx skipped: first layer) = 54, over 4 steps 216. 2 FLOPs each.
    assert bench.step_flops((1, 4, 4, 3, 4), "tagging") == 2 * (132 + 216)
    # airline (32, 50, 1, 10, 1), regression: per row and step U x 10, W h 100 -> 32*50*110 =
    # 176,000 forward, backward dU 10 + dW 100 + Wᵀ da 100 per row and step = 336,000; Dense on
    # the last step only: 32 * 10 = 320 forward, 640 backward (dV, dh).
    assert bench.step_flops((32, 50, 1, 10, 1), "regression") == 2 * (176_000 + 336_000 + 960)
    # an LSTM has 4 gate blocks in U and W
    assert (bench.step_flops((1, 4, 4, 3, 4), "tagging", "lstm")
            == 2 * (4 * (4 * 21 + 4 * (12 + 9 + 9)) + 4 * 36))
