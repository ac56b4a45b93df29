"""The contract between the sender thread and what it sends (training records, data
records, predictions and labels): how queued items become one request body."""

from __future__ import annotations

from typing import NamedTuple, Optional, Sequence, Tuple

try:  # Protocol is in typing from Python 3.8.
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment,misc]

#: A queued item: ``(sequence number, wall-clock time, *payload)``.
Item = Tuple


class EncodedBatch(NamedTuple):
    """One request made from the head of the queue."""

    #: Path under the exporter's URL, e.g. ``/api/v1/training/events``.
    path: str
    #: The JSON body; None when none of the consumed items could be sent.
    body: Optional[bytes]
    #: How many items from the head of the queue this batch accounts for.
    consumed: int
    #: Records in the body that stand for queued items.
    records: int
    #: Records the client added of its own (the dropped-records report); not items.
    extra_records: int = 0
    #: Consumed items that could not be sent at all.
    invalid_records: int = 0
    #: Values left out of the records sent.
    invalid_values: int = 0
    #: The dropped-records count the batch reports, if it carries one.
    reported_drops: Optional[int] = None


class Channel(Protocol):
    """Turns the head of the queue into a request body."""

    def encode(self, items: Sequence[Item], max_bytes: int, dropped: int) -> EncodedBatch:
        """A batch from ``items`` (the queue's head, oldest first) of at most ``max_bytes``.

        ``dropped`` is how many records the client has dropped so far, for channels
        that report it to the exporter. Must consume at least one item.
        """
        ...  # pragma: no cover

    def acknowledge(self, batch: EncodedBatch) -> None:
        """The exporter has answered for ``batch`` (accepted, or refused for good)."""
        ...  # pragma: no cover


def join_json(parts: Sequence[bytes]) -> bytes:
    """A JSON array of already encoded elements."""
    return b"[" + b",".join(parts) + b"]"
