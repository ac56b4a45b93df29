"""The background thread that delivers queued records to the exporter.

The training thread only appends to a bounded queue, without a lock: ``deque.append``
and the sequence counter's ``next()`` are each one call into C, atomic under the GIL,
so a training step pays for one tuple and one append (a lock around it measured
+1.3 µs per step inside a PyTorch loop, where the cost of every distinct code path
is several times what a microbenchmark shows). Everything that can be slow or fail
(encoding, the network, retries, waiting out a ``Retry-After``) happens on the thread.

The thread moves a batch from the head of the queue into a list of its own (in
flight) and keeps it there until the exporter has answered for it, so a batch
retried after a failure is resent as it was. The queue holds at most
``max_buffered`` items: when the exporter is away long enough to fill it, the
producer's append drops the oldest (the newest values are what dashboards and alerts
need). Drops are counted from the gaps they leave in the sequence numbers; and as
the batch in flight is older than anything queued, it counts against the same
bound: what is in flight beyond ``max_buffered`` in all is dropped (oldest first)
if the exporter does not take it.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import deque
from operator import itemgetter
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from .backoff import Backoff, retry_after_seconds
from .channel import Channel, EncodedBatch, Item
from .stats import DeliveryStats
from .transport import Answer, Transport

_time = time.time
_seq_of = itemgetter(0)
logger = logging.getLogger("aiwatch")

#: Failures of one kind are logged at most this often (seconds); the rest are counted.
WARN_INTERVAL = 60.0


class SenderOptions:
    """Tuning of one sender; the defaults suit a trainer logging every step."""

    def __init__(
        self,
        batch_size: int = 500,
        max_batch_bytes: int = 512 * 1024,
        flush_interval: float = 1.0,
        max_buffered: int = 10_000,
        request_timeout: float = 10.0,
        max_server_retries: int = 8,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        if batch_size < 1 or max_buffered < 1 or max_batch_bytes < 1024:
            raise ValueError(
                "batch_size and max_buffered must be >= 1 and max_batch_bytes >= 1024"
            )
        if flush_interval <= 0 or request_timeout <= 0:
            raise ValueError("flush_interval and request_timeout must be > 0 seconds")
        if max_server_retries < 0:
            raise ValueError("max_server_retries must be >= 0")
        self.batch_size = batch_size
        self.max_batch_bytes = max_batch_bytes
        self.flush_interval = flush_interval
        self.max_buffered = max_buffered
        self.request_timeout = request_timeout
        self.max_server_retries = max_server_retries
        self.initial_backoff = initial_backoff
        self.max_backoff = max_backoff


class BatchSender:
    """A bounded queue and the daemon thread that empties it into one channel.

    ``put`` may be called from any thread and never takes a lock, except once per
    ``batch_size`` items to wake the thread. ``Run.log``, the hottest caller, does what
    ``put`` does inline through ``append``, ``next_seq``, ``queue``, ``batch_size`` and
    ``wake``: an item is ``(next_seq(), time.time(), *payload)``.

    Everything else (``flush``, ``close``, ``stats`` and the thread) holds ``_lock``
    while it reads or changes the thread's state; the thread never encodes or waits on
    the network holding it.
    """

    def __init__(
        self,
        name: str,
        transport: Transport,
        channel: Channel,
        options: SenderOptions,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._transport = transport
        self._channel = channel
        self._options = options
        self._clock = clock
        self._lock = threading.Lock()
        self._wakeup = threading.Condition(self._lock)
        self._resolved = threading.Condition(self._lock)
        self._capacity = options.max_buffered
        self._batch_limit = options.batch_size
        # The producer side: appended to by any thread, popped only by this one.
        self.queue: Deque[Item] = deque(maxlen=options.max_buffered)
        self.append = self.queue.append
        self.next_seq: Callable[[], int] = itertools.count(1).__next__
        self.batch_size = options.batch_size
        # The thread's side, read by the others under the lock.
        self._in_flight: List[Item] = []
        self._popped = 0
        self._newest_popped = 0
        self._dropped_in_flight = 0
        self._sent = 0
        self._rejected = 0
        self._dropped_server = 0
        self._dropped_exit = 0
        self._dropped_invalid = 0
        self._invalid_values = 0
        self._retries = 0
        self._last_error: Optional[str] = None
        self._flush_generation = 0
        self._flushers = 0
        self._deadline: Optional[float] = None
        self._closing = False
        self._stopped = False
        self._backoff = Backoff(options.initial_backoff, options.max_backoff)
        self._warned: Dict[str, Tuple[float, int]] = {}
        self._thread = threading.Thread(target=self._run, name=f"aiwatch-{name}", daemon=True)
        self._thread.start()

    # -- producer side -------------------------------------------------------------

    def put(self, *payload: Any) -> None:
        """Queues one item (``payload`` follows the sequence number and the time)."""
        if self._stopped:
            return
        self.append((self.next_seq(), _time()) + payload)
        if len(self.queue) == self.batch_size:
            self.wake()

    def wake(self) -> None:
        """A full batch is queued: the thread sends it now rather than at its interval.
        Producers call this when the queue's length reaches ``batch_size`` exactly, so
        once per batch (a queue kept full by a hung exporter does not call it)."""
        with self._lock:
            self._wakeup.notify()

    def flush(self, timeout: float) -> bool:
        """Sends everything queued before this call; True when the exporter answered for
        all of it within ``timeout`` seconds. Never raises; never waits longer."""
        deadline = self._clock() + max(0.0, timeout)
        with self._lock:
            target = self._newest_queued()
            self._flushers += 1
            self._flush_generation += 1
            self._wakeup.notify()
            try:
                while not self._resolved_through(target):
                    remaining = deadline - self._clock()
                    if remaining <= 0 or self._stopped:
                        return False
                    self._resolved.wait(remaining)
                return True
            finally:
                self._flushers -= 1

    def close(self, timeout: float) -> bool:
        """Flushes within ``timeout`` seconds, then stops: what is still queued is counted
        in ``dropped_at_exit`` and reported. Later items are ignored."""
        with self._lock:
            if self._stopped:
                return not self.queue and not self._in_flight
            self._closing = True
            self._deadline = self._clock() + max(0.0, timeout)
        delivered = self.flush(timeout)
        with self._lock:
            self._stopped = True
            self._drop_excess_in_flight()
            pending = len(self._in_flight) + self._take_from_queue(len(self.queue))
            self._dropped_exit += pending
            self._in_flight.clear()
            self._wakeup.notify_all()
            self._resolved.notify_all()
        if pending:
            logger.warning(
                "aiwatch %s: %d records not delivered by the deadline (%.1fs)%s",
                self.name,
                pending,
                timeout,
                f"; last error: {self._last_error}" if self._last_error else "",
            )
        return delivered and pending == 0

    def stats(self) -> DeliveryStats:
        """Exact whenever no producer is between taking a sequence number and appending."""
        with self._lock:
            queued = list(self.queue)  # one call into C: no append can interleave
            taken = self._newest_of(queued)
            evicted = taken - self._popped - len(queued)
            # The batch in flight beyond max_buffered in all: it is dropped unless the
            # exporter takes it, as the oldest of a full queue would have been.
            excess = min(len(self._in_flight), max(0, len(self._in_flight) + len(queued) - self._capacity))
            return DeliveryStats(
                taken=taken,
                sent=self._sent,
                rejected=self._rejected,
                dropped_buffer_full=self._dropped_in_flight + evicted + excess,
                dropped_server_error=self._dropped_server,
                dropped_at_exit=self._dropped_exit,
                dropped_invalid=self._dropped_invalid,
                invalid_values=self._invalid_values,
                pending=len(queued) + len(self._in_flight) - excess,
                retries=self._retries,
                last_error=self._last_error,
            )

    def _newest_queued(self) -> int:
        return self._newest_of(list(self.queue))

    def _newest_of(self, queued: list) -> int:
        """(Under the lock.) The newest sequence number taken, given a copy of the queue."""
        return max(self._newest_popped, max(map(_seq_of, queued), default=0))

    def _resolved_through(self, seq: int) -> bool:
        in_flight, queue = self._in_flight, self.queue
        return (not in_flight or in_flight[0][0] > seq) and (not queue or queue[0][0] > seq)

    # -- the thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stopped and (
                    (not self.queue and not self._in_flight)
                    or (
                        self._flushers == 0
                        and not self._closing
                        and len(self.queue) + len(self._in_flight) < self.batch_size
                    )
                ):
                    self._wakeup.wait(self._options.flush_interval)
                if self._stopped:
                    return
                items = self._next_batch()
            if items:
                try:
                    self._deliver(items)
                except Exception as error:  # noqa: BLE001 - the thread must survive anything
                    self._note_error("internal", f"internal error: {error!r}")
                    self._pause(self._options.initial_backoff)

    def _next_batch(self) -> list:
        """(Under the lock.) The batch to send: what is in flight, topped up from the
        queue's head, after dropping what in flight the queue has overtaken."""
        self._drop_excess_in_flight()
        room = self._batch_limit - len(self._in_flight)
        if room > 0:
            self._take_from_queue(room)
        return self._in_flight[: self._batch_limit]

    def _take_from_queue(self, count: int) -> int:
        """(Under the lock.) Moves up to ``count`` items from the queue's head into the
        batch in flight. Each ``popleft`` is atomic against appends; any producer's
        item is either popped here or evicted by a later append, so the items evicted
        so far are ``newest popped - popped`` (two producers may append out of order:
        a gap closed later is counted back)."""
        queue, in_flight = self.queue, self._in_flight
        newest = self._newest_popped
        taken = 0
        while taken < count and queue:
            item = queue.popleft()
            in_flight.append(item)
            if item[0] > newest:
                newest = item[0]
            taken += 1
        self._popped += taken
        self._newest_popped = newest
        return taken

    def _drop_excess_in_flight(self) -> None:
        """(Under the lock.) Drop oldest, across the queue and the batch in flight: when
        both hold more than ``max_buffered``, the oldest in flight go."""
        excess = len(self._in_flight) + len(self.queue) - self._capacity
        if excess > 0:
            excess = min(excess, len(self._in_flight))
            del self._in_flight[:excess]
            self._dropped_in_flight += excess

    def _deliver(self, items: list) -> None:
        server_failures = 0
        while items:
            batch = self._channel.encode(
                items, self._options.max_batch_bytes, self._dropped_total()
            )
            if batch.body is None:
                self._resolve(items, batch, sent=0, rejected=0)
                return
            try:
                answer = self._transport.post(batch.path, batch.body, self._request_timeout())
            except Exception as error:  # noqa: BLE001 - OSError, HTTPException, ...
                self._note_error("unreachable", f"exporter unreachable: {_describe(error)}")
                items = self._retry_after(self._backoff.next_delay())
                continue
            status = answer.status
            if 200 <= status < 300:
                self._backoff.reset()
                self._channel.acknowledge(batch)
                self._resolve(items, batch, sent=batch.records, rejected=0)
                return
            if status == 429:
                wait = retry_after_seconds(answer.retry_after)
                self._note_error("429", f"exporter busy (429), retrying in {wait or 0:.1f}s")
                items = self._retry_after_answer(wait)
                continue
            if status >= 500:
                server_failures += 1
                if server_failures > self._options.max_server_retries:
                    self._note_error(
                        "5xx",
                        f"exporter answered {status} {server_failures} times: "
                        f"{batch.records} records dropped ({_error_text(answer)})",
                    )
                    self._resolve(items, batch, sent=0, rejected=0, server_error=True)
                    return
                self._note_error("5xx", f"exporter answered {status} ({_error_text(answer)})")
                items = self._retry_after_answer(retry_after_seconds(answer.retry_after))
                continue
            if status == 413 and batch.consumed > 1:
                # The exporter's max_records_per_request or body limit is below ours.
                self._batch_limit = max(1, batch.consumed // 2)
                items = self._peek()
                continue
            self._backoff.reset()
            self._channel.acknowledge(batch)
            accepted, rejected = _partial_outcome(answer, batch.records + batch.extra_records)
            sent = max(0, min(batch.records, accepted - batch.extra_records))
            self._resolve(items, batch, sent=sent, rejected=batch.records - sent)
            self._note_error(
                f"{status}",
                f"exporter refused {rejected} of {batch.records + batch.extra_records} records "
                f"({status}: {_error_text(answer)}); not resent",
            )
            return

    def _retry_after(self, delay: float, interruptible: bool = True) -> list:
        """Waits ``delay`` (or less, see ``_pause``) and returns the queue's head anew:
        records dropped meanwhile are not sent."""
        with self._lock:
            self._retries += 1
        if not self._pause(delay, interruptible):
            return []
        return self._peek()

    def _retry_after_answer(self, retry_after: Optional[float]) -> list:
        """Waits what the exporter asked (``Retry-After``), whatever a flush wants, or
        the backoff when it did not say."""
        if retry_after is None:
            return self._retry_after(self._backoff.next_delay())
        return self._retry_after(retry_after, interruptible=False)

    def _peek(self) -> list:
        """The batch to try next, anew: records dropped meanwhile are not sent."""
        with self._lock:
            if self._stopped:
                return []
            return self._next_batch()

    def _pause(self, delay: float, interruptible: bool = True) -> bool:
        """Sleeps ``delay`` seconds (never past a close deadline); an interruptible pause
        is cut short once by each new flush, so the exit flush tries again at once.
        False when the sender has been stopped."""
        end = self._clock() + delay
        with self._lock:
            generation = self._flush_generation
            while not self._stopped and (
                not interruptible or self._flush_generation == generation
            ):
                remaining = end - self._clock()
                if self._deadline is not None:
                    remaining = min(remaining, self._deadline - self._clock())
                if remaining <= 0:
                    break
                self._wakeup.wait(remaining)
            return not self._stopped

    def _request_timeout(self) -> float:
        timeout = self._options.request_timeout
        deadline = self._deadline
        if deadline is not None:
            timeout = min(timeout, max(0.05, deadline - self._clock()))
        return timeout

    def _resolve(
        self,
        items: list,
        batch: EncodedBatch,
        sent: int,
        rejected: int,
        server_error: bool = False,
    ) -> None:
        """The exporter has answered for the first ``batch.consumed`` of ``items``, the
        head of the batch in flight."""
        with self._lock:
            if self._stopped:
                return
            in_flight = self._in_flight
            if in_flight and in_flight[0] is items[0]:
                del in_flight[: batch.consumed]
            self._sent += sent
            self._rejected += rejected
            if server_error:
                self._dropped_server += batch.records
            self._dropped_invalid += batch.invalid_records
            self._invalid_values += batch.invalid_values
            self._resolved.notify_all()

    def _dropped_total(self) -> int:
        """(On the thread.) Drops so far, for the exporter; evictions count once the
        thread has popped past them."""
        evicted = self._newest_popped - self._popped
        return self._dropped_in_flight + evicted + self._dropped_server + self._dropped_exit

    def _note_error(self, kind: str, message: str) -> None:
        self._last_error = message
        now = self._clock()
        last, suppressed = self._warned.get(kind, (-WARN_INTERVAL, 0))
        if now - last >= WARN_INTERVAL:
            more = f" ({suppressed} similar since the last report)" if suppressed else ""
            logger.warning("aiwatch %s: %s%s", self.name, message, more)
            self._warned[kind] = (now, 0)
        else:
            self._warned[kind] = (last, suppressed + 1)


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _parse(answer: Answer) -> Any:
    try:
        return json.loads(answer.body)
    except ValueError:
        return None


def _partial_outcome(answer: Answer, records: int) -> Tuple[int, int]:
    """(accepted, rejected) from an error answer: the exporter's counts when it gave
    them (the training and ground-truth APIs apply valid records of a 400 batch),
    else the whole batch was refused."""
    body = _parse(answer)
    details = body.get("details") if isinstance(body, dict) else None
    if isinstance(details, dict):
        accepted = details.get("accepted")
        rejected = details.get("rejected")
        if isinstance(accepted, int) and isinstance(rejected, int):
            return accepted, rejected
    return 0, records


def _error_text(answer: Answer) -> str:
    body = _parse(answer)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        text: str = body["error"]
        details = body.get("details")
        errors = details.get("errors") if isinstance(details, dict) else None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            text += f"; first: record {first.get('index')} {first.get('field')}: {first.get('message')}"
        elif isinstance(details, list) and details and isinstance(details[0], dict):
            text += f"; first: {details[0].get('error') or details[0]}"
        return text[:500]
    return answer.body[:200].decode("utf-8", "replace") or f"HTTP {answer.status}"
