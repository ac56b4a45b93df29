"""The Python client's budgets (DESIGN.md), measured in one run, each beside its baseline.

1. ``log()`` with 10 metrics, p99 per call, timed one call at a time while the sender
   delivers to a real exporter; baseline: the same timing around the cheapest possible
   in-process log (a tuple appended to a deque), so the timer's own cost shows.
2. A real PyTorch CPU training loop of ``--steps`` steps logging every step to an
   exporter that accepts connections and never answers, against the same loop without
   logging, interleaved in blocks so that drift in the machine's speed hits both alike.

Prints one JSON object. Run by ``npm run bench -- python-client`` (bench/clients/).
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

import torch  # noqa: E402

import aiwatch  # noqa: E402

METRICS = ("loss", "learning_rate", "grad_norm", "epoch", "samples_per_second",
           "eval_loss", "eval_accuracy", "tokens_per_second", "m8", "m9")


def percentile(values: "list[int]", p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * p / 100 + 0.5) - 1))]


def time_log_calls(url: str, token: str, calls: int) -> "dict[str, float]":
    run = aiwatch.Run("bench-log", "bench", url=url, token=token)
    queue: "collections.deque" = collections.deque(maxlen=10_000)
    clock = time.perf_counter_ns
    ours, bare = [0] * calls, [0] * calls
    gc.collect()
    for step in range(calls):
        value = step * 1e-6
        started = clock()
        run.log(step, loss=value, learning_rate=1e-4, grad_norm=0.5, epoch=0.1, samples_per_second=512.0,
                eval_loss=value, eval_accuracy=0.9, tokens_per_second=1e5, m8=1.0, m9=2.0)
        ours[step] = clock() - started
        started = clock()
        queue.append((step, dict(loss=value, learning_rate=1e-4, grad_norm=0.5, epoch=0.1, samples_per_second=512.0,
                                 eval_loss=value, eval_accuracy=0.9, tokens_per_second=1e5, m8=1.0, m9=2.0)))
        bare[step] = clock() - started
    run.close(timeout=5)
    stats = run.stats()
    return {
        "p50_us": percentile(ours, 50) / 1000,
        "p99_us": percentile(ours, 99) / 1000,
        "max_us": max(ours) / 1000,
        "bare_p50_us": percentile(bare, 50) / 1000,
        "bare_p99_us": percentile(bare, 99) / 1000,
        "sent": stats.sent,
        "dropped": stats.dropped,
        "calls": calls,
    }


def training_loop(steps: int, log) -> float:
    """Seconds for ``steps`` steps of a small real CPU training loop (one thread)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(16, 8), torch.randn(16, 1)
    mse = torch.nn.functional.mse_loss
    started = time.perf_counter()
    for step in range(steps):
        optimizer.zero_grad()
        loss = mse(model(x), y)
        loss.backward()
        optimizer.step()
        log(step, loss)
    return time.perf_counter() - started


def hung_loop(url: str, token: str, steps: int, blocks: int) -> "dict[str, float]":
    torch.set_num_threads(1)
    run = aiwatch.Run("bench-hung", "bench", url=url, token=token, request_timeout=30)

    def log(step, loss):
        run.log(step, loss=loss, learning_rate=1e-4, grad_norm=0.5, epoch=0.1, samples_per_second=512.0,
                eval_loss=0.3, eval_accuracy=0.9, tokens_per_second=1e5, m8=1.0, m9=2.0)

    def nothing(step, loss):
        pass

    training_loop(2000, nothing)  # warm-up
    per_block = steps // blocks
    with_logging = without = 0.0
    ratios = []
    for block in range(blocks):
        # Alternate which goes first, so neither always runs on a warmer machine.
        if block % 2:
            a = training_loop(per_block, nothing)
            b = training_loop(per_block, log)
        else:
            b = training_loop(per_block, log)
            a = training_loop(per_block, nothing)
        without += a
        with_logging += b
        ratios.append(b / a)
    stats = run.stats()
    return {
        "steps": per_block * blocks,
        "without_s": without,
        "with_s": with_logging,
        "block_ratio_median": sorted(ratios)[len(ratios) // 2],
        "step_us": without / (per_block * blocks) * 1e6,
        "sent": stats.sent,
        "dropped_buffer_full": stats.dropped_buffer_full,
        "pending": stats.pending,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exporter-url", required=True)
    parser.add_argument("--hung-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--blocks", type=int, default=100)
    args = parser.parse_args()
    result = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "log": time_log_calls(args.exporter_url, args.token, args.calls),
        "hung": hung_loop(args.hung_url, args.token, args.steps, args.blocks),
    }
    print(json.dumps(result), flush=True)
    # The hung exporter's run would wait out its exit deadline: not part of the measure.
    os._exit(0)


if __name__ == "__main__":
    main()
