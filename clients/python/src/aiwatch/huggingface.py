"""Hugging Face ``Trainer`` integration.

    from aiwatch.huggingface import AiwatchCallback

    trainer = Trainer(..., callbacks=[AiwatchCallback("llama-ft-42", "llama-ft")])

What the Trainer logs (``loss``, ``learning_rate``, ``grad_norm``, ``epoch``, the
``eval_*`` metrics of each evaluation, ``train_runtime``...) is sent at the Trainer's
``global_step``; ``max_steps`` when training begins; ``finished`` when it ends. The
final summary's ``train_loss`` (a mean over the run) is sent as ``train_loss_average``,
as the exporter's ``hf_trainer_state`` tailer names it.
Importing this module does not import ``transformers``: the class is built, as a
subclass of ``transformers.TrainerCallback``, when first used.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._lazy import import_first, lazy_classes
from .run import Run


class TrainerCallbackMethods:
    """The callback's behaviour, free of ``transformers`` (see ``AiwatchCallback``).

    Args:
        run_id, job_name: Create a ``Run`` with these (and ``run_options``) ...
        run: ... or send through this one.
        finish_on_train_end: Mark the run ``finished`` when ``train()`` ends.
    """

    def __init__(
        self,
        run_id: Optional[str] = None,
        job_name: Optional[str] = None,
        *,
        run: Optional[Run] = None,
        finish_on_train_end: bool = True,
        **run_options: Any,
    ) -> None:
        if run is None:
            if run_id is None or job_name is None:
                raise ValueError("AiwatchCallback: give run_id and job_name, or run=")
            run = Run(run_id, job_name, **run_options)
        self.run = run
        self.finish_on_train_end = finish_on_train_end

    def _sends(self, state: Any) -> bool:
        # The Trainer knows the process's rank best; per_rank runs send from every rank.
        return self.run.per_rank or bool(getattr(state, "is_world_process_zero", True))

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        max_steps = getattr(state, "max_steps", 0)
        if self._sends(state) and isinstance(max_steps, int) and max_steps > 0:
            self.run.max_steps(max_steps)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: Optional[Mapping[str, Any]] = None, **kwargs: Any
    ) -> None:
        if logs and self._sends(state):
            metrics = dict(logs)
            if "train_runtime" in metrics and "train_loss" in metrics:
                # The end-of-training summary's train_loss is the mean over the whole
                # run: renamed, as the exporter's Trainer tailers do, so that it does
                # not overwrite the latest loss.
                metrics["train_loss_average"] = metrics.pop("train_loss")
            self.run.log_metrics(state.global_step, metrics)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.finish_on_train_end and self._sends(state):
            self.run.finish("finished")


def _build_callback() -> type:
    base = import_first(["transformers"], "TrainerCallback", "huggingface")
    return type(
        "AiwatchCallback",
        (TrainerCallbackMethods, base),
        {
            "__module__": __name__,
            "__doc__": "A ``transformers.TrainerCallback`` that sends the Trainer's logs to aiwatch.\n\n"
            + (TrainerCallbackMethods.__doc__ or ""),
        },
    )


__getattr__ = lazy_classes(globals(), {"AiwatchCallback": _build_callback})
