"""Keras integration: a ``Callback`` (Keras 3, or ``tf.keras``).

    from aiwatch.keras import AiwatchCallback

    model.fit(x, y, epochs=10, callbacks=[AiwatchCallback("cnn-3", "cnn")])

Sends the batch logs (``loss`` and the compiled metrics; Keras reports them as
running means over the epoch so far) every ``log_every_n_batches`` batches, the epoch
logs (with ``val_*``) at each epoch end, ``max_steps`` (epochs x steps per epoch)
when training begins, and ``finished`` when it ends. The step is the number of
batches trained since ``fit`` began. Nothing is imported before the class is used.

Keras dispatches batch-end callbacks on a thread pool only for callbacks that ask
for it (``async_safe``); this one does not, so steps arrive in order.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._lazy import import_first, lazy_classes
from .run import Run


class KerasCallbackMethods:
    """The callback's behaviour, free of Keras (see ``AiwatchCallback``).

    Args:
        run_id, job_name: Create a ``Run`` with these (and ``run_options``) ...
        run: ... or send through this one.
        log_every_n_batches: Send batch logs every N batches (epoch logs always).
        finish_on_train_end: Mark the run ``finished`` when ``fit`` ends.
    """

    params: Any

    def __init__(
        self,
        run_id: Optional[str] = None,
        job_name: Optional[str] = None,
        *,
        run: Optional[Run] = None,
        log_every_n_batches: int = 1,
        finish_on_train_end: bool = True,
        **run_options: Any,
    ) -> None:
        super().__init__()
        if run is None:
            if run_id is None or job_name is None:
                raise ValueError("AiwatchCallback: give run_id and job_name, or run=")
            run = Run(run_id, job_name, **run_options)
        if log_every_n_batches < 1:
            raise ValueError("log_every_n_batches must be >= 1")
        self.run = run
        self.log_every_n_batches = log_every_n_batches
        self.finish_on_train_end = finish_on_train_end
        self._steps_before_epoch = 0
        self._step = 0

    def on_train_begin(self, logs: Optional[Mapping[str, Any]] = None) -> None:
        self._steps_before_epoch = 0
        self._step = 0
        params = getattr(self, "params", None) or {}
        epochs, steps = params.get("epochs"), params.get("steps")
        if isinstance(epochs, int) and isinstance(steps, int) and epochs > 0 and steps > 0:
            self.run.max_steps(epochs * steps)

    def on_epoch_begin(self, epoch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        self._steps_before_epoch = self._step

    def on_train_batch_end(self, batch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        # With steps_per_execution > 1 Keras calls this every N batches, with the last
        # batch's index: the step is counted from the index, not from the calls.
        self._step = self._steps_before_epoch + batch + 1
        if logs and self._step % self.log_every_n_batches == 0:
            self.run.log_metrics(self._step, logs)

    def on_epoch_end(self, epoch: int, logs: Optional[Mapping[str, Any]] = None) -> None:
        if logs:
            self.run.log_metrics(self._step, {"epoch": epoch + 1, **logs})

    def on_train_end(self, logs: Optional[Mapping[str, Any]] = None) -> None:
        if self.finish_on_train_end:
            self.run.finish("finished")


def _build_callback() -> type:
    base = import_first(["keras.callbacks", "tensorflow.keras.callbacks"], "Callback", "keras")
    return type(
        "AiwatchCallback",
        (KerasCallbackMethods, base),
        {
            "__module__": __name__,
            "__doc__": "A Keras ``Callback`` that sends fit's logs to aiwatch.\n\n"
            + (KerasCallbackMethods.__doc__ or ""),
        },
    )


__getattr__ = lazy_classes(globals(), {"AiwatchCallback": _build_callback})
