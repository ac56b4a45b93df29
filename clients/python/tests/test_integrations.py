"""The framework integrations, called exactly as each framework calls them (see
frameworks.py for the sources and versions), driven by a real PyTorch model."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest
import torch

import aiwatch
from frameworks import (
    TrainerState,
    fresh_integration,
    hf_call_event,
    install_keras,
    install_lightning,
    install_transformers,
)
from support import TOKEN, Exporter


def fresh(module_name: str):
    """The integration module with its lazily built class forgotten."""
    return fresh_integration(module_name)


def real_losses(steps: int) -> "list[float]":
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("module, attribute, blocked", [
    ("aiwatch.huggingface", "AiwatchCallback", ["transformers"]),
    ("aiwatch.lightning", "AiwatchLogger", ["lightning.pytorch.loggers", "pytorch_lightning.loggers"]),
    ("aiwatch.keras", "AiwatchCallback", ["keras.callbacks", "tensorflow.keras.callbacks"]),
])
def test_without_the_framework_the_module_imports_and_the_class_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, module: str, attribute: str, blocked: "list[str]"
) -> None:
    for name in blocked:
        monkeypatch.setitem(sys.modules, name, None)  # makes `import name` fail
    integration = fresh(module)
    with pytest.raises(ImportError, match=f"{module} needs {blocked[0]}"):
        getattr(integration, attribute)


def test_hugging_face_trainer_callback(monkeypatch: pytest.MonkeyPatch, exporter: Exporter) -> None:
    install_transformers(monkeypatch)
    from transformers import TrainerCallback

    huggingface = fresh("aiwatch.huggingface")
    callback = huggingface.AiwatchCallback("hf-run", "py-tests", url=exporter.url, token=TOKEN)
    assert isinstance(callback, TrainerCallback)
    callbacks = [callback]
    args, control = SimpleNamespace(logging_steps=2), SimpleNamespace(should_log=False)
    losses = real_losses(8)
    state = TrainerState(max_steps=8, epoch=0.0)
    # Trainer._inner_training_loop, as transformers runs it.
    hf_call_event(callbacks, "on_init_end", args, state, control)
    hf_call_event(callbacks, "on_train_begin", args, state, control)
    hf_call_event(callbacks, "on_epoch_begin", args, state, control)
    for index, loss in enumerate(losses):
        hf_call_event(callbacks, "on_step_begin", args, state, control)
        hf_call_event(callbacks, "on_pre_optimizer_step", args, state, control)
        hf_call_event(callbacks, "on_optimizer_step", args, state, control)
        state.global_step += 1
        state.epoch = state.global_step / 8
        hf_call_event(callbacks, "on_step_end", args, state, control)
        if state.global_step % args.logging_steps == 0:
            logs = {"loss": loss, "grad_norm": 0.5, "learning_rate": 5e-5 * (1 - index / 8), "epoch": state.epoch}
            state.log_history.append({**logs, "step": state.global_step})
            hf_call_event(callbacks, "on_log", args, state, control, logs=logs)
    metrics = {"eval_loss": 0.42, "eval_accuracy": 0.875, "eval_runtime": 1.5, "epoch": 1.0}
    hf_call_event(callbacks, "on_log", args, state, control, logs=metrics)
    hf_call_event(callbacks, "on_evaluate", args, state, control, metrics=metrics)
    hf_call_event(callbacks, "on_epoch_end", args, state, control)
    summary = {"train_runtime": 3.2, "train_samples_per_second": 80.0, "total_flos": 1e12, "train_loss": 0.5, "epoch": 1.0}
    hf_call_event(callbacks, "on_log", args, state, control, logs=summary)
    hf_call_event(callbacks, "on_train_end", args, state, control)

    labels = 'run_id="hf-run",job_name="py-tests"'
    text = exporter.metrics()
    assert f'aiwatch_training_loss{{{labels},phase="train"}} {losses[-1]!r}' in text
    assert f"aiwatch_training_step{{{labels}}} 8" in text
    assert f"aiwatch_training_max_steps{{{labels}}} 8" in text
    assert f'aiwatch_training_loss{{{labels},phase="eval"}} 0.42' in text
    assert f'aiwatch_training_eval_metric{{{labels},metric="accuracy"}} 0.875' in text
    assert f"aiwatch_training_samples_per_second{{{labels}}} 80" in text
    assert f'aiwatch_training_metric{{{labels},metric="train_loss_average"}} 0.5' in text
    assert f'aiwatch_training_run_status{{{labels},status="finished"}} 1' in text


def test_hugging_face_callback_is_quiet_off_the_main_process(monkeypatch: pytest.MonkeyPatch, exporter: Exporter) -> None:
    install_transformers(monkeypatch)
    huggingface = fresh("aiwatch.huggingface")
    callback = huggingface.AiwatchCallback("hf-rank1", "py-tests", url=exporter.url, token=TOKEN)
    state = TrainerState(global_step=1, is_world_process_zero=False, is_local_process_zero=True)
    hf_call_event([callback], "on_log", SimpleNamespace(), state, SimpleNamespace(), logs={"loss": 1.0})
    assert callback.run.stats().taken == 0


def test_lightning_logger(monkeypatch: pytest.MonkeyPatch, exporter: Exporter) -> None:
    install_lightning(monkeypatch)
    lightning = fresh("aiwatch.lightning")
    logger = lightning.AiwatchLogger("pl-run", "py-tests", url=exporter.url, token=TOKEN, max_steps=20)
    # ModelCheckpoint builds its folder from these: <root>/<name>/<version>/checkpoints.
    assert (logger.name, logger.version, logger.save_dir) == ("py-tests", "pl-run", None)
    losses = real_losses(20)
    # Trainer.fit: hyperparameters and graph first, then _LoggerConnector.log_metrics
    # every log_every_n_steps with tensors already turned to numbers and "epoch" added,
    # at the count of optimizer steps; teardown finalizes with "success".
    logger.log_hyperparams({"lr": 0.05, "batch_size": 32})
    logger.log_graph(None)
    for step in range(5, 21, 5):
        logger.log_metrics(metrics={"train_loss_step": losses[step - 1], "lr-SGD": 0.05, "epoch": 0.0}, step=step - 1)
    logger.log_metrics(metrics={"val_loss": 0.3, "val_acc": 0.9, "epoch": 0.0}, step=19)
    logger.save()
    logger.finalize("success")
    labels = 'run_id="pl-run",job_name="py-tests"'
    text = exporter.metrics()
    assert f'aiwatch_training_loss{{{labels},phase="train"}} {losses[19]!r}' in text
    assert f'aiwatch_training_loss{{{labels},phase="eval"}} 0.3' in text
    assert f'aiwatch_training_eval_metric{{{labels},metric="acc"}} 0.9' in text
    assert f"aiwatch_training_learning_rate{{{labels}}} 0.05" in text
    assert f"aiwatch_training_max_steps{{{labels}}} 20" in text
    assert f'aiwatch_training_run_status{{{labels},status="finished"}} 1' in text


def test_lightning_failure_and_requeue(monkeypatch: pytest.MonkeyPatch, exporter: Exporter) -> None:
    install_lightning(monkeypatch)
    lightning = fresh("aiwatch.lightning")
    requeued = lightning.AiwatchLogger("pl-requeue", "py-tests", url=exporter.url, token=TOKEN)
    requeued.log_metrics({"loss": 1.0, "epoch": 0.0}, step=3)
    requeued.finalize("finished")  # SLURM's requeue signal handler: not the run's end
    failed = lightning.AiwatchLogger("pl-failed", "py-tests", url=exporter.url, token=TOKEN)
    failed.log_metrics({"loss": 1.0, "epoch": 0.0}, step=3)
    failed.finalize("failed")  # _interrupt(): an exception ended fit
    assert exporter.sample('aiwatch_training_run_status{run_id="pl-requeue",job_name="py-tests",status="running"}') == 1
    assert exporter.sample('aiwatch_training_run_status{run_id="pl-failed",job_name="py-tests",status="failed"}') == 1


def test_keras_callback(monkeypatch: pytest.MonkeyPatch, exporter: Exporter) -> None:
    install_keras(monkeypatch)
    keras_integration = fresh("aiwatch.keras")
    callback = keras_integration.AiwatchCallback("keras-run", "py-tests", url=exporter.url, token=TOKEN)
    epochs, steps = 2, 5
    losses = real_losses(epochs * steps)
    # keras/src/backend/torch/trainer.py fit(): CallbackList(epochs=, steps=) passes
    # the params; batch logs are running means over the epoch, as Python floats.
    callback.set_params({"verbose": 1, "epochs": epochs, "steps": steps})
    callback.set_model(None)
    callback.on_train_begin()
    for epoch in range(epochs):
        callback.on_epoch_begin(epoch)
        seen = []
        for step in range(steps):
            callback.on_train_batch_begin(step)
            seen.append(losses[epoch * steps + step])
            callback.on_train_batch_end(step, {"loss": sum(seen) / len(seen), "accuracy": 0.5})
        callback.on_epoch_end(epoch, {"loss": sum(seen) / len(seen), "accuracy": 0.5, "val_loss": 0.25, "val_accuracy": 0.75})
    callback.on_train_end({"loss": sum(seen) / len(seen)})
    labels = 'run_id="keras-run",job_name="py-tests"'
    text = exporter.metrics()
    assert f"aiwatch_training_step{{{labels}}} 10" in text
    assert f"aiwatch_training_max_steps{{{labels}}} 10" in text
    assert f"aiwatch_training_epoch{{{labels}}} 2" in text
    assert f'aiwatch_training_loss{{{labels},phase="train"}} {sum(seen) / len(seen)!r}' in text
    assert f'aiwatch_training_loss{{{labels},phase="eval"}} 0.25' in text
    assert f'aiwatch_training_eval_metric{{{labels},metric="accuracy"}} 0.75' in text
    assert f'aiwatch_training_run_status{{{labels},status="finished"}} 1' in text
    assert callback.run.stats().taken == 10 + 2 + 2  # batches, epoch ends, max_steps and status
