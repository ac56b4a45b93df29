"""A real PyTorch CPU training loop logs through the package; the exporter's /metrics
shows what it logged."""

from __future__ import annotations

import math

import torch

import aiwatch
from aiwatch.pytorch import StepLogger
from support import TOKEN, Exporter


def train_regression(steps: int, on_step) -> float:
    """Fits y = 3x - 1 with a linear layer; calls ``on_step(step, loss, optimizer, model)``
    after each backward pass; returns the last loss."""
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=20, gamma=0.5)
    x = torch.linspace(-1, 1, 64).unsqueeze(1)
    y = 3 * x - 1
    last = math.nan
    for step in range(1, steps + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        on_step(step, loss, optimizer, model)
        optimizer.step()
        scheduler.step()
        last = loss.item()
    return last


def test_a_real_training_loop_shows_on_metrics(exporter: Exporter) -> None:
    run = aiwatch.Run("torch-loop", "py-tests", url=exporter.url, token=TOKEN)
    run.max_steps(60)
    steps = StepLogger(run, None, grad_norm=False)
    grad_norms = {}

    def on_step(step, loss, optimizer, model):
        steps.optimizer = optimizer
        steps.log(step, loss, samples=64)
        grad_norms[step] = torch.linalg.vector_norm(
            torch.stack([p.grad.norm() for p in model.parameters()])
        ).item()

    last_loss = train_regression(60, on_step)
    assert run.finish(timeout=10)
    labels = 'run_id="torch-loop",job_name="py-tests"'
    assert exporter.sample(f'aiwatch_training_loss{{{labels},phase="train"}}') == float(
        repr(last_loss)
    )
    assert exporter.sample(f"aiwatch_training_step{{{labels}}}") == 60
    assert exporter.sample(f"aiwatch_training_max_steps{{{labels}}}") == 60
    # StepLR halved 0.1 twice by step 60: the rate of the last step's optimizer.
    assert exporter.sample(f"aiwatch_training_learning_rate{{{labels}}}") == 0.025
    assert exporter.sample(f'aiwatch_training_run_status{{{labels},status="finished"}}') == 1
    assert exporter.sample(f"aiwatch_training_samples_per_second{{{labels}}}") > 0
    stats = run.stats()
    assert (stats.taken, stats.sent, stats.dropped, stats.rejected) == (62, 62, 0, 0)


def test_grad_norm_and_tensor_values(exporter: Exporter) -> None:
    run = aiwatch.Run("torch-grad", "py-tests", url=exporter.url, token=TOKEN)
    expected = {}
    holder = {}

    def on_step(step, loss, optimizer, model):
        if "logger" not in holder:
            holder["logger"] = StepLogger(run, optimizer, model=model, grad_norm=True)
        holder["logger"].log(step, loss)
        expected["grad_norm"] = torch.linalg.vector_norm(
            torch.stack([p.grad.norm() for p in model.parameters()])
        ).item()
        expected["loss"] = loss.item()

    train_regression(5, on_step)
    assert run.finish(timeout=10)
    labels = 'run_id="torch-grad",job_name="py-tests"'
    assert math.isclose(
        exporter.sample(f"aiwatch_training_grad_norm{{{labels}}}"), expected["grad_norm"], rel_tol=1e-6
    )
    assert exporter.sample(f'aiwatch_training_loss{{{labels},phase="train"}}') == float(
        repr(expected["loss"])
    )


def test_a_diverging_loop_sends_nan_and_infinity(exporter: Exporter) -> None:
    run = aiwatch.Run("torch-nan", "py-tests", url=exporter.url, token=TOKEN)
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e6)  # diverges within a few steps
    x = torch.randn(32, 4) * 100
    y = torch.randn(32, 1)
    nonfinite_steps = 0
    for step in range(1, 30):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        run.log(step, loss=loss, grad_norm=float("inf") if step == 1 else 1.0)
        nonfinite_steps += not math.isfinite(loss.item())
        optimizer.step()
    assert nonfinite_steps > 0, "the loop was meant to diverge"
    assert run.finish(timeout=10)
    labels = 'run_id="torch-nan",job_name="py-tests"'
    assert exporter.sample(f'aiwatch_training_nonfinite_values_total{{{labels},metric="loss"}}') == nonfinite_steps
    assert exporter.sample(f'aiwatch_training_nonfinite_values_total{{{labels},metric="grad_norm"}}') == 1


class DeviceTensor(torch.Tensor):
    """A real tensor that says it is not on the CPU, as a CUDA tensor does: ``log()``
    takes the path of a GPU tensor (Debian's torch has no CUDA)."""

    @property
    def is_cpu(self) -> bool:
        return False


def test_a_device_tensor_updated_in_place_after_log_sends_the_logged_value(
    exporter: Exporter,
) -> None:
    run = aiwatch.Run("torch-device", "py-tests", url=exporter.url, token=TOKEN)
    running = torch.tensor(1.5).as_subclass(DeviceTensor)
    whole_batch = torch.ones(4).as_subclass(DeviceTensor)
    run.log(1, loss=running, activations=whole_batch)
    running.add_(10.0)  # an accumulator's +=, before the sender reads the value
    assert run.finish(timeout=10)
    labels = 'run_id="torch-device",job_name="py-tests"'
    assert exporter.sample(f'aiwatch_training_loss{{{labels},phase="train"}}') == 1.5
    # Not a scalar: counted as invalid, not sent.
    assert run.stats().invalid_values == 1
