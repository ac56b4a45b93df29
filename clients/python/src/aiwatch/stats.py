"""What became of the records a client was given: the counts it reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class DeliveryStats:
    """A snapshot of one client's counts since it was created.

    Every record taken is, in the end, exactly one of: ``sent`` (the exporter
    accepted it), ``rejected`` (the exporter refused it: 4xx, not resent), one of the
    ``dropped_*`` counts, or still ``pending``.
    """

    #: Records taken by ``log()`` (or ``add()``, ``prediction()``, ...).
    taken: int
    #: Records the exporter accepted.
    sent: int
    #: Records the exporter refused (a 400 names them; 401/403/404/413 refuse a batch).
    rejected: int
    #: Oldest records dropped because the buffer was full (the exporter was away).
    dropped_buffer_full: int
    #: Records dropped after the exporter answered 5xx ``max_server_retries`` times.
    dropped_server_error: int
    #: Records given up at exit (or ``close()``) when the deadline passed.
    dropped_at_exit: int
    #: Records that could not be sent at all (a step that is not a non-negative integer).
    dropped_invalid: int
    #: Single values left out of records (not a number, a bad metric name, ...).
    invalid_values: int
    #: Records waiting to be sent now.
    pending: int
    #: Requests that were retried (network error, timeout, 429, 5xx).
    retries: int
    #: The last failure, for a log line (never contains the token).
    last_error: Optional[str]

    @property
    def dropped(self) -> int:
        """Records that will never reach the exporter through no fault of their own."""
        return self.dropped_buffer_full + self.dropped_server_error + self.dropped_at_exit
