"""The Python client's budgets (DESIGN.md), measured in one run, each beside its baseline.

1. ``log()`` with 10 metrics, p99 per call, timed one call at a time while the sender
   delivers to a real exporter; baseline: the same timing around the cheapest possible
   in-process log (a tuple appended to a deque), so the timer's own cost shows.
2. A real PyTorch CPU training loop, ``--steps`` steps with 10 metrics logged every
   step to an exporter that accepts connections and never answers ("hung"), against
   the same loop with no client ("none"). The step is a small real one: an MLP
   (64 -> 64 -> 10, ReLU) classifying 8x8 digit images (the shape of the UCI/sklearn
   digits set; the pixels are random, which a step's cost does not depend on), batch
   32 sliced from an in-memory set as a DataLoader would hand it, cross-entropy,
   ``backward()``, Adam; one torch thread. Beside them, on fewer steps
   (``--diagnostic-steps``), the same loop logging to the running exporter ("up") and
   with the least any in-process logger does ("least": read the loss, append the values
   to a deque). All arms interleave in blocks (the order rotating) so that drift in the
   machine's speed hits all alike; after each "up" block its sender's leftovers are
   sent, untimed, so that no block pays for another arm's sending. Wall time and the loop thread's CPU time (what
   logging costs the loop itself, robust to other processes taking the cores) are
   reported per step, as the ratio of totals and the median of the per-block ratios.
3. The same four arms on a toy step (``Linear(8, 1)``, batch 16, SGD: a third of the
   real step's time), ``--diagnostic-steps`` each: what logging costs per step where
   the step is nearly all Python overhead, a diagnostic, not a budget.

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
from typing import Callable

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


def digits_mlp() -> "Callable[[int], torch.Tensor]":
    """A real small training step (see the module's docstring); returns the step."""
    torch.manual_seed(0)
    samples, batch = 4096, 32
    images = torch.rand(samples, 64) * 16  # 8x8 pixels, 0-16 as in the digits set
    labels = torch.randint(0, 10, (samples,))
    model = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    cross_entropy = torch.nn.functional.cross_entropy
    batches = samples // batch

    def step(index: int) -> torch.Tensor:
        start = index % batches * batch
        x, y = images[start:start + batch], labels[start:start + batch]
        optimizer.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def toy_linear() -> "Callable[[int], torch.Tensor]":
    """A toy step: Linear(8, 1) on one fixed batch of 16, MSE, SGD."""
    torch.manual_seed(0)
    model = torch.nn.Linear(8, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    x, y = torch.randn(16, 8), torch.randn(16, 1)
    mse = torch.nn.functional.mse_loss

    def step(index: int) -> torch.Tensor:
        optimizer.zero_grad()
        loss = mse(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


MODELS = {
    "digits_mlp": (digits_mlp, "MLP 64-64-10 on 8x8 digits, batch 32, Adam"),
    "toy_linear": (toy_linear, "Linear(8, 1), batch 16, SGD"),
}


def training_loop(step: "Callable[[int], torch.Tensor]", steps: int, log) -> "tuple[float, float]":
    """(wall seconds, this thread's CPU seconds) for ``steps`` more steps of a loop."""
    started, cpu_started = time.perf_counter(), time.thread_time()
    for index in range(steps):
        log(index, step(index))
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


def loop_overhead(model: str, exporter_url: str, hung_url: str, token: str,
                  steps: "dict[str, int]", blocks: int) -> "dict[str, object]":
    """The loop of ``model`` with each arm's ``steps``, interleaved block by block (the
    order rotating); times are compared per step, so arms may run different counts."""
    make_step, description = MODELS[model]
    hung = aiwatch.Run(f"bench-hung-{model}", "bench", url=hung_url, token=token, request_timeout=3600)
    up = aiwatch.Run(f"bench-up-{model}", "bench", url=exporter_url, token=token)
    arms = {"none": no_client, "least": least_logger(), "up": logger_of(up), "hung": logger_of(hung)}
    # Every arm trains the same model, block after block: no block pays a new model's first
    # steps, and no arm runs on tensors of its own (a separate model per arm came out up to
    # 5% faster or slower than another with the same logger: where its memory landed).
    shared = make_step()
    loops = {name: shared for name in arms}
    for name, log in arms.items():
        training_loop(loops[name], 12_000, log)  # warm-up; fills the hung run's buffer
    per_block = {name: max(1, steps[name] // blocks) for name in arms}
    wall: "dict[str, list[float]]" = {name: [] for name in arms}
    cpu: "dict[str, list[float]]" = {name: [] for name in arms}
    names = list(arms)
    for block in range(blocks):
        for name in names[block % len(names):] + names[:block % len(names)]:
            seconds, cpu_seconds = training_loop(loops[name], per_block[name], arms[name])
            wall[name].append(seconds / per_block[name])
            cpu[name].append(cpu_seconds / per_block[name])
            if name == "up":
                # What the up arm's sender still has queued would otherwise be encoded and
                # sent during the next block (the hung arm's, in three rotations of four):
                # sent now, untimed, so that no arm pays for another's sending.
                up.flush(timeout=5)
    measured = ("hung", "up", "least")

    def ratios(per_step: "dict[str, list[float]]", arm: str) -> "dict[str, float]":
        per_block_ratio = sorted(b / a for a, b in zip(per_step["none"], per_step[arm]))
        return {
            "total": sum(per_step[arm]) / sum(per_step["none"]),
            "block_median": per_block_ratio[len(per_block_ratio) // 2],
        }

    def mean_us(per_step: "list[float]") -> float:
        return sum(per_step) / len(per_step) * 1e6

    hung_stats, up_stats = hung.stats(), up.stats()
    up.close(timeout=5)
    return {
        "model": model,
        "description": description,
        "steps": {name: per_block[name] * blocks for name in arms},
        "blocks": blocks,
        # Mean per step over the blocks, in microseconds, per arm.
        "step_us": {name: mean_us(times) for name, times in wall.items()},
        "step_cpu_us": {name: mean_us(times) for name, times in cpu.items()},
        # The hung and none arms' whole wall time (they run the same steps).
        "seconds": {name: sum(times) * per_block[name] for name, times in wall.items()},
        # What logging costs per step, whatever the step's own length.
        "cpu_us_per_step": {arm: mean_us(cpu[arm]) - mean_us(cpu["none"]) for arm in measured},
        "wall_us_per_step": {arm: mean_us(wall[arm]) - mean_us(wall["none"]) for arm in measured},
        "wall": {arm: ratios(wall, arm) for arm in measured},
        "cpu": {arm: ratios(cpu, arm) for arm in measured},
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
    parser.add_argument("--diagnostic-steps", type=int, default=None,
                        help="steps of each diagnostic arm (default: a fifth of --steps)")
    parser.add_argument("--blocks", type=int, default=100)
    args = parser.parse_args()
    diagnostic = args.diagnostic_steps if args.diagnostic_steps is not None else max(1, args.steps // 5)
    torch.set_num_threads(1)
    urls = (args.exporter_url, args.hung_url, args.token)
    result = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "log": time_log_calls(args.exporter_url, args.token, args.calls),
        "loops": {
            "real": loop_overhead(
                "digits_mlp", *urls,
                {"none": args.steps, "hung": args.steps, "up": diagnostic, "least": diagnostic},
                args.blocks,
            ),
            "toy": loop_overhead(
                "toy_linear", *urls, {arm: diagnostic for arm in ("none", "hung", "up", "least")},
                max(1, args.blocks // 5),
            ),
        },
    }
    print(json.dumps(result), flush=True)
    # The hung exporter's run would wait out its exit deadline: not part of the measure.
    os._exit(0)


if __name__ == "__main__":
    main()
