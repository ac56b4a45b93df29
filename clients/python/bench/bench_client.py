"""The Python client's budgets (DESIGN.md), measured in one run, each beside its baseline.

1. ``log()`` with 10 metrics, p99 per call, timed one call at a time while the sender
   delivers to a real exporter; baseline: the same timing around the cheapest possible
   in-process log (a tuple appended to a deque), so the timer's own cost shows.
2. A real PyTorch CPU training loop of ``--steps`` steps with 10 metrics logged every
   step, to an exporter that accepts connections and never answers ("hung") and to the
   running exporter ("up"), against the same loop with no client ("none") and with the
   least any in-process logger does ("least": read the loss, append the values to a
   deque): interleaved in blocks so that drift in the machine's speed hits all alike. Ratios of wall
   time and of the loop thread's CPU time (what logging costs the loop itself, robust
   to other processes taking the cores) are reported, each as the ratio of totals and
   the median of the per-block ratios.

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


def training_loop(steps: int, log) -> "tuple[float, float]":
    """(wall seconds, this thread's CPU seconds) for ``steps`` steps of a small real CPU
    training loop (one torch thread). CPU time is what the logging costs the loop
    itself; on a busy machine wall time also counts the waits for a core."""
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(16, 8), torch.randn(16, 1)
    mse = torch.nn.functional.mse_loss
    started, cpu_started = time.perf_counter(), time.thread_time()
    for step in range(steps):
        optimizer.zero_grad()
        loss = mse(model(x), y)
        loss.backward()
        optimizer.step()
        log(step, loss)
    return time.perf_counter() - started, time.thread_time() - cpu_started


def logger_of(run: "aiwatch.Run"):
    def log(step, loss):
        run.log(step, loss=loss, learning_rate=1e-4, grad_norm=0.5, epoch=0.1, samples_per_second=512.0,
                eval_loss=0.3, eval_accuracy=0.9, tokens_per_second=1e5, m8=1.0, m9=2.0)
    return log


def no_client(step, loss):
    pass


def least_logger():
    """The least any in-process logger can do with the same call: read the loss tensor
    and keep the step's values in a bounded deque. What logging costs at the least."""
    queue: "collections.deque" = collections.deque(maxlen=10_000)

    def log(step, loss):
        record(step, loss=loss, learning_rate=1e-4, grad_norm=0.5, epoch=0.1, samples_per_second=512.0,
               eval_loss=0.3, eval_accuracy=0.9, tokens_per_second=1e5, m8=1.0, m9=2.0)

    def record(step, **metrics):
        metrics["loss"] = metrics["loss"].item()
        queue.append((step, metrics))

    return log


def loop_overhead(exporter_url: str, hung_url: str, token: str, steps: int, blocks: int) -> "dict[str, object]":
    """The same loop without a client, with the least logger, logging to the running
    exporter, and logging to one that accepts and never answers, interleaved block by
    block (the order rotating), so that drift in the machine's speed hits all alike."""
    torch.set_num_threads(1)
    hung = aiwatch.Run("bench-hung", "bench", url=hung_url, token=token, request_timeout=30)
    up = aiwatch.Run("bench-up", "bench", url=exporter_url, token=token)
    arms = {"none": no_client, "least": least_logger(), "up": logger_of(up), "hung": logger_of(hung)}
    for log in arms.values():
        training_loop(5000, log)  # warm-up; fills the hung run's buffer
    per_block = steps // blocks
    wall = {name: [] for name in arms}
    cpu = {name: [] for name in arms}
    names = list(arms)
    for block in range(blocks):
        for name in names[block % len(names):] + names[:block % len(names)]:
            seconds, cpu_seconds = training_loop(per_block, arms[name])
            wall[name].append(seconds)
            cpu[name].append(cpu_seconds)

    def ratios(times: "dict[str, list[float]]", arm: str) -> "dict[str, float]":
        per_block_ratio = sorted(b / a for a, b in zip(times["none"], times[arm]))
        return {
            "total": sum(times[arm]) / sum(times["none"]),
            "block_median": per_block_ratio[len(per_block_ratio) // 2],
        }

    hung_stats, up_stats = hung.stats(), up.stats()
    up.close(timeout=5)
    return {
        "steps": per_block * blocks,
        "blocks": blocks,
        "step_us": sum(wall["none"]) / (per_block * blocks) * 1e6,
        "seconds": {name: sum(times) for name, times in wall.items()},
        "cpu_seconds": {name: sum(times) for name, times in cpu.items()},
        # What one logged step costs the loop thread, whatever the step's own length:
        # the overhead of logging on a step of S microseconds is this over S.
        "cpu_us_per_step": {
            arm: (sum(cpu[arm]) - sum(cpu["none"])) / (per_block * blocks) * 1e6 for arm in ("hung", "up", "least")
        },
        "wall": {arm: ratios(wall, arm) for arm in ("hung", "up", "least")},
        "cpu": {arm: ratios(cpu, arm) for arm in ("hung", "up", "least")},
        "hung_dropped_buffer_full": hung_stats.dropped_buffer_full,
        "hung_sent": hung_stats.sent,
        "up_sent": up_stats.sent,
        "up_dropped": up_stats.dropped,
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
        "loop": loop_overhead(args.exporter_url, args.hung_url, args.token, args.steps, args.blocks),
    }
    print(json.dumps(result), flush=True)
    # The hung exporter's run would wait out its exit deadline: not part of the measure.
    os._exit(0)


if __name__ == "__main__":
    main()
