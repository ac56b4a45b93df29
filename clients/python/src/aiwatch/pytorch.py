"""A helper for a plain PyTorch training loop.

    from aiwatch.pytorch import StepLogger

    steps = StepLogger(aiwatch.Run("mlp-1", "mlp"), optimizer, model=model, grad_norm=True)
    for step, (x, y) in enumerate(loader, start=1):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        steps.log(step, loss, samples=len(x))  # after backward(), before the next zero_grad()
        optimizer.step()
    steps.run.finish()

Per step it sends ``loss``, ``learning_rate`` (the optimizer's first parameter group),
``grad_norm`` (the total L2 norm of the gradients, when asked), and
``samples_per_second`` / ``tokens_per_second`` from the time between calls. A GPU
tensor is copied on the GPU and read on the sender thread (see ``Run.log``): nothing
here waits for the GPU. torch is not imported by this module; it uses the tensors it
is given.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Optional

from .run import Run


class StepLogger:
    """Logs one optimizer step of a hand-written loop through a ``Run``.

    Args:
        run: Where the values go.
        optimizer: Its ``param_groups[0]["lr"]`` is logged as ``learning_rate``.
        model: Whose gradients ``grad_norm=True`` measures (or pass ``parameters``).
        grad_norm: Log the total L2 norm of the gradients (one fused reduction on the
            gradients' device; the value is read on the sender thread).
        log_every: Log every N-th call (the throughput covers all N steps).
        clock: Seconds, for the throughput (injectable for tests).
    """

    def __init__(
        self,
        run: Run,
        optimizer: Any = None,
        *,
        model: Any = None,
        parameters: Optional[Iterable[Any]] = None,
        grad_norm: bool = False,
        log_every: int = 1,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        if log_every < 1:
            raise ValueError("log_every must be >= 1")
        if grad_norm and model is None and parameters is None:
            raise ValueError("grad_norm=True needs model= or parameters=")
        self.run = run
        self.optimizer = optimizer
        self._parameters = list(parameters) if parameters is not None else None
        self._model = model
        self.grad_norm = grad_norm
        self.log_every = log_every
        self._clock = clock
        self._calls = 0
        self._samples = 0
        self._tokens = 0
        self._since = clock()

    def log(
        self,
        step: int,
        loss: Any = None,
        *,
        samples: Optional[int] = None,
        tokens: Optional[int] = None,
        **metrics: Any,
    ) -> None:
        """Logs step ``step``: ``loss`` (a tensor or a number), the learning rate, the
        gradient norm when enabled, throughput when ``samples``/``tokens`` are given,
        and any other ``metrics``. Never raises."""
        if not self.run.enabled:
            return
        try:
            self._calls += 1
            self._samples += samples or 0
            self._tokens += tokens or 0
            if self._calls % self.log_every:
                return
            values = dict(metrics)
            if loss is not None:
                values["loss"] = loss
            if self.optimizer is not None:
                values["learning_rate"] = self.optimizer.param_groups[0]["lr"]
            if self.grad_norm:
                norm = self._grad_norm()
                if norm is not None:
                    values["grad_norm"] = norm
            now = self._clock()
            elapsed = now - self._since
            if elapsed > 0:
                if self._samples:
                    values["samples_per_second"] = self._samples / elapsed
                if self._tokens:
                    values["tokens_per_second"] = self._tokens / elapsed
            self._since, self._samples, self._tokens = now, 0, 0
            self.run.log(step, **values)
        except Exception:  # noqa: BLE001 - nothing may reach the training step
            pass

    def _grad_norm(self) -> Any:
        parameters = self._parameters if self._parameters is not None else self._model.parameters()
        grads = [p.grad.detach() for p in parameters if getattr(p, "grad", None) is not None]
        if not grads:
            return None
        import torch  # the caller's tensors prove it is installed

        # What torch.nn.utils.clip_grad_norm_ computes, without clipping or a host sync.
        device = grads[0].device
        return torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(g).to(device) for g in grads])
        )
