"""``aiwatch.Run``: one training run's metrics, sent to the exporter in the background."""

from __future__ import annotations

import logging
import os
import time
import weakref
from types import TracebackType
from typing import Any, Mapping, Optional, Type

from . import exit_flush
from .ranks import process_rank
from .sender import BatchSender, SenderOptions
from .settings import resolve_endpoint
from .stats import DeliveryStats
from .training_channel import MAX_STEPS, METRICS, STATUS, TrainingChannel
from .transport import Transport
from .wire import check_label, step_value

_time = time.time
logger = logging.getLogger("aiwatch")

_FINAL_STATUSES = ("finished", "failed")


class Run:
    """A training run as the aiwatch exporter tracks it (``run_id`` and ``job_name`` labels).

    ``log()`` only appends to a bounded in-memory queue: it never blocks on the
    network and never raises. A daemon thread sends the queue in batches to
    ``POST /api/v1/training/events``, retries network errors, 429 and 5xx with
    backoff and jitter (honouring ``Retry-After``), does not resend what the exporter
    refused (400), and when the exporter is away longer than the queue lasts drops
    the oldest records, counted in ``stats()``, logged, and reported to the exporter
    as the metric ``aiwatch_client_dropped_records`` once it is back. What is queued
    at interpreter exit is sent within ``exit_timeout`` seconds.

    In a distributed job only rank 0 sends (``RANK``/``LOCAL_RANK``/``SLURM_PROCID``,
    or ``torch.distributed`` when initialised); on other ranks every method is a
    no-op. ``per_rank=True`` makes every rank send its own series of the same run,
    told apart by the exporter's ``rank`` label (``aiwatch_training_loss{run_id=...,
    rank="1"}``); each rank is a run of its own there (its status, its alerts).

    Example::

        run = aiwatch.Run("llama-ft-42", "llama-ft")  # AIWATCH_URL, AIWATCH_INGEST_TOKEN
        run.max_steps(5000)
        for step in range(1, 5001):
            loss = train_step()
            run.log(step, loss=loss, learning_rate=scheduler.get_last_lr()[0])
        run.finish()

    Args:
        run_id: The run's ``run_id`` label (1-256 characters).
        job_name: What the run belongs to (``job_name`` label, 1-256 characters).
        url: The exporter's base URL; default ``AIWATCH_URL``, else
            ``http://localhost:9401``.
        token: A bearer token of the exporter's ``auth.bearer_tokens``; default
            ``AIWATCH_INGEST_TOKEN`` (or the file named by ``AIWATCH_INGEST_TOKEN_FILE``).
        per_rank: Send from every rank, each labelled with its ``rank``.
        rank: This process's rank (an integer >= 0), when the launcher's variables
            do not say it.
        batch_size: Records per request; a full batch is sent at once.
        flush_interval: Seconds between sends of a partial batch.
        max_buffered: Records kept while the exporter is unreachable.
        request_timeout: Seconds to wait for one answer.
        exit_timeout: Seconds ``finish()``, ``close()`` and the exit flush wait at most.
        max_server_retries: Tries of a batch the exporter answers 5xx before it is dropped.
        initial_backoff, max_backoff: Seconds between retries: doubling from the
            first to the second, each with jitter.

    Raises:
        ValueError: at construction, for a bad ``run_id``, ``job_name``, ``rank``, URL
            or option.
    """

    def __init__(
        self,
        run_id: str,
        job_name: str,
        *,
        url: Optional[str] = None,
        token: Optional[str] = None,
        per_rank: bool = False,
        rank: Optional[int] = None,
        batch_size: int = 500,
        flush_interval: float = 1.0,
        max_buffered: int = 10_000,
        request_timeout: float = 10.0,
        exit_timeout: float = 5.0,
        max_server_retries: int = 8,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        self.run_id: str = check_label("run_id", run_id)
        self.job_name: str = check_label("job_name", job_name)
        self.rank: int = process_rank() if rank is None else _check_rank(rank)
        self.per_rank = per_rank
        self.exit_timeout = exit_timeout
        self.endpoint = resolve_endpoint(url, token)
        options = SenderOptions(
            batch_size=batch_size,
            flush_interval=flush_interval,
            max_buffered=max_buffered,
            request_timeout=request_timeout,
            max_server_retries=max_server_retries,
            initial_backoff=initial_backoff,
            max_backoff=max_backoff,
        )
        self._finished = False
        self._pid = os.getpid()
        self._enabled = per_rank or self.rank == 0
        self._sender: Optional[BatchSender] = None
        if not self._enabled:
            return
        if not self.endpoint.token:
            logger.warning(
                "aiwatch run %s: no token (token= or AIWATCH_INGEST_TOKEN): "
                "an exporter with auth will refuse its records",
                self.run_id,
            )
        self._sender = BatchSender(
            f"run {self.run_id}",
            Transport(self.endpoint),
            TrainingChannel(self.run_id, self.job_name, self.rank if per_rank else None),
            options,
        )
        # Run.log's hot path appends straight to the sender's queue (see BatchSender).
        self._append = self._sender.append
        self._next_seq = self._sender.next_seq
        self._queue = self._sender.queue
        self._batch_size = self._sender.batch_size
        self._wake = self._sender.wake
        exit_flush.register(self, self._sender)
        _forget_in_forked_children(self)

    @property
    def enabled(self) -> bool:
        """Whether this process sends (rank 0, or ``per_rank``, and not closed)."""
        return self._enabled

    def log(self, step: int, **metrics: Any) -> None:
        """Queues one step's values (a couple of microseconds); never raises.

        Values may be ``float``, ``int``, NumPy scalars or one-element tensors (a CPU
        tensor is read at once; a CUDA tensor is copied on the GPU and read on the
        sender thread, so the training step does not wait for the GPU, and an in-place
        update after ``log()`` does not change what is sent). NaN and the infinities
        are sent as the exporter's ``"NaN"``/``"Infinity"``/``"-Infinity"``: they are
        what divergence alerts look for. Names that are not identifiers go through
        ``log_metrics``.
        """
        if self._enabled:
            # The hot path, on every step, kept to few distinct code paths: inside a
            # PyTorch loop each one costs far more than it does alone (measured: a
            # C-speed pass over the values' types added 1.9 µs per step, this loop
            # over ten floats and a tensor much less). Then what BatchSender.put
            # does, inline and without a lock; turning values into JSON is the sender
            # thread's work.
            try:
                for name, value in metrics.items():
                    if type(value) is not float and hasattr(value, "detach"):
                        metrics[name] = _tensor_value(value)
                self._append((self._next_seq(), _time(), METRICS, step, metrics))
                if len(self._queue) == self._batch_size:
                    self._wake()
            except Exception:  # noqa: BLE001 - nothing may reach the training step
                pass

    def log_metrics(self, step: int, metrics: Mapping[str, Any]) -> None:
        """``log()`` for a mapping, e.g. ``{"train/loss": 0.4}`` (any key, ``"step"``
        included); the mapping is copied, never kept."""
        if self._enabled:
            try:
                copy = dict(metrics)
                for name, value in copy.items():
                    if type(value) is not float and hasattr(value, "detach"):
                        copy[name] = _tensor_value(value)
                self._sender.put(METRICS, step, copy)  # type: ignore[union-attr]
            except Exception:  # noqa: BLE001 - not a mapping: nothing may reach the loop
                pass

    def max_steps(self, n: int) -> None:
        """How many steps the run will take (``aiwatch_training_max_steps``, for progress
        and time-to-completion); never raises."""
        if not self._enabled:
            return
        value = step_value(n)
        if value is None:
            logger.warning("aiwatch run %s: max_steps(%r) ignored: not an integer >= 0", self.run_id, n)
            return
        self._sender.put(MAX_STEPS, value)  # type: ignore[union-attr]

    def finish(self, status: str = "finished", timeout: Optional[float] = None) -> bool:
        """Marks the run ``finished`` (or ``failed``) and sends everything queued.

        Waits at most ``timeout`` seconds (default ``exit_timeout``) and returns
        whether the exporter answered for every record. The run stays usable: steps
        logged after it reopen the run as ``running`` on the exporter's side.

        Raises:
            ValueError: for a status other than ``"finished"`` or ``"failed"``.
        """
        if status not in _FINAL_STATUSES:
            raise ValueError(f"status: expected 'finished' or 'failed', got {status!r:.40}")
        if not self._enabled:
            return True
        self._finished = True
        self._sender.put(STATUS, status)  # type: ignore[union-attr]
        return self.flush(timeout)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued; True when all of it was answered within ``timeout``."""
        if not self._enabled:
            return True
        return self._sender.flush(self.exit_timeout if timeout is None else timeout)  # type: ignore[union-attr]

    def close(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued (within ``timeout``) and stops the sender thread; later
        calls are no-ops. Records still queued at the deadline count as dropped."""
        if not self._enabled:
            return True
        self._enabled = False
        exit_flush.unregister(self)
        return self._sender.close(self.exit_timeout if timeout is None else timeout)  # type: ignore[union-attr]

    def stats(self) -> DeliveryStats:
        """What became of the records logged so far (all zero on a rank that does not send)."""
        if self._sender is None:
            return DeliveryStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None)
        return self._sender.stats()

    def _exit(self, deadline: float) -> None:
        """At interpreter exit: a run that was not finished and is ending on an uncaught
        exception is marked ``failed``; then what is queued is sent by ``deadline``."""
        if not self._enabled or os.getpid() != self._pid:
            return
        if not self._finished and exit_flush.dying_of_uncaught_exception():
            self._sender.put(STATUS, "failed")  # type: ignore[union-attr]
        self._enabled = False
        self._sender.close(max(0.0, deadline - time.monotonic()))  # type: ignore[union-attr]

    def __enter__(self) -> "Run":
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        """Finishes the run: ``failed`` if the block raised, else ``finished``."""
        self.finish("failed" if exc_type is not None else "finished")

    def __repr__(self) -> str:
        return (
            f"Run(run_id={self.run_id!r}, job_name={self.job_name!r}, "
            f"url={self.endpoint.url!r}, rank={self.rank}, enabled={self._enabled})"
        )


#: torch.distributed ranks are 32-bit ints; the exporter refuses larger ones.
_MAX_RANK = 2**31 - 1


def _check_rank(rank: object) -> int:
    if type(rank) is not int or not 0 <= rank <= _MAX_RANK:
        raise ValueError(f"rank: expected an integer from 0 to {_MAX_RANK}, got {rank!r:.40}")
    return rank


def _tensor_value(tensor: Any) -> Any:
    """A tensor's value to keep in the queue. A CPU scalar is read now (a fraction of a
    microsecond, and nothing is kept alive). A device scalar is copied on its own stream
    (``detach().clone()``: queued behind the step's kernels, so the training step never
    waits for the device) and read on the sender thread; the copy, not the tensor, so
    that an in-place update after ``log()`` (an accumulator's ``+=``) does not change what
    is sent, and no autograd graph is kept. Anything else is not a value: None, counted
    as invalid by the sender, with nothing kept alive."""
    try:
        if tensor.is_cpu:
            return tensor.item()
        if tensor.numel() == 1:
            return tensor.detach().clone()
    except Exception:  # noqa: BLE001 - not a scalar: the sender counts it as invalid
        pass
    return None


_fork_aware: "weakref.WeakSet[Run]" = weakref.WeakSet()
_fork_hook_registered = False


def _forget_in_forked_children(run: Run) -> None:
    """A forked child (a DataLoader worker) inherits the run but not its thread, and
    maybe a lock the thread held: the child's copy stops sending; the parent owns it."""
    global _fork_hook_registered
    _fork_aware.add(run)
    if not _fork_hook_registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_disable_inherited_runs)
        _fork_hook_registered = True


def _disable_inherited_runs() -> None:
    for run in list(_fork_aware):
        run._enabled = False
