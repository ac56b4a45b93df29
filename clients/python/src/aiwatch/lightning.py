"""PyTorch Lightning integration: a ``Logger``.

    from aiwatch.lightning import AiwatchLogger

    trainer = L.Trainer(logger=AiwatchLogger("resnet-7", "resnet"), max_steps=10_000)

Lightning hands loggers every ``self.log(...)`` value with ``on_step=True`` (or at
epoch end), already reduced and converted to Python numbers, with ``epoch`` added, at
the number of optimizer steps taken; ``finalize("success")`` marks the run
``finished`` and ``finalize("failed")`` ``failed``. Works with ``lightning``
(``lightning.pytorch``) or the older ``pytorch_lightning`` package, whichever is
installed; nothing is imported before the class is first used.
"""

from __future__ import annotations

from argparse import Namespace
from typing import Any, Dict, Mapping, Optional, Union

from ._lazy import import_first, lazy_classes
from .run import Run


class LoggerMethods:
    """The logger's behaviour, free of Lightning (see ``AiwatchLogger``).

    Args:
        run_id, job_name: Create a ``Run`` with these (and ``run_options``) when
            Lightning first logs (after the distributed setup, so the rank is known) ...
        run: ... or send through this one.
        max_steps: Sent as the run's ``max_steps`` (a logger does not see the Trainer's).
    """

    def __init__(
        self,
        run_id: Optional[str] = None,
        job_name: Optional[str] = None,
        *,
        run: Optional[Run] = None,
        max_steps: Optional[int] = None,
        **run_options: Any,
    ) -> None:
        super().__init__()
        if run is None and (run_id is None or job_name is None):
            raise ValueError("AiwatchLogger: give run_id and job_name, or run=")
        self._run = run
        self._run_id = run_id
        self._job_name = job_name
        self._run_options = run_options
        self._max_steps = max_steps

    @property
    def run(self) -> Run:
        """The run logged to, created on first use."""
        if self._run is None:
            self._run = Run(self._run_id or "", self._job_name or "", **self._run_options)
            if self._max_steps is not None:
                self._run.max_steps(self._max_steps)
        return self._run

    @property
    def name(self) -> Optional[str]:
        return self._job_name if self._run is None else self._run.job_name

    @property
    def version(self) -> Optional[Union[int, str]]:
        return self._run_id if self._run is None else self._run.run_id

    def log_metrics(self, metrics: Mapping[str, float], step: Optional[int] = None) -> None:
        self.run.log_metrics(0 if step is None else step, metrics)

    def log_hyperparams(self, params: Union[Dict[str, Any], Namespace], *args: Any, **kwargs: Any) -> None:
        """Hyperparameters are not metrics: the exporter has no place for them."""

    def finalize(self, status: str) -> None:
        # "success" ends fit/validate/test; "failed" an exception; anything else
        # ("finished" before a SLURM requeue) is not the run's end: only flush.
        if status == "success":
            self.run.finish("finished")
        elif status == "failed":
            self.run.finish("failed")
        else:
            self.run.flush()


def _build_logger() -> type:
    base = import_first(
        ["lightning.pytorch.loggers", "pytorch_lightning.loggers"], "Logger", "lightning"
    )
    return type(
        "AiwatchLogger",
        (LoggerMethods, base),
        {
            "__module__": __name__,
            "__doc__": "A Lightning ``Logger`` that sends logged metrics to aiwatch.\n\n"
            + (LoggerMethods.__doc__ or ""),
        },
    )


__getattr__ = lazy_classes(globals(), {"AiwatchLogger": _build_logger})
