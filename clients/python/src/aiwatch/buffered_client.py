"""What the data-records and ground-truth clients share: one sender, flush, close,
stats and the exit flush."""

from __future__ import annotations

import time
from typing import Optional

from . import exit_flush
from .channel import Channel
from .sender import BatchSender, SenderOptions
from .settings import resolve_endpoint
from .stats import DeliveryStats
from .transport import Transport


class BufferedClient:
    """A sender for one channel, flushed at interpreter exit like a ``Run``."""

    def __init__(
        self,
        name: str,
        channel: Channel,
        url: Optional[str],
        token: Optional[str],
        options: SenderOptions,
        exit_timeout: float,
    ) -> None:
        self.endpoint = resolve_endpoint(url, token)
        self.exit_timeout = exit_timeout
        self._open = True
        self._sender = BatchSender(name, Transport(self.endpoint), channel, options)
        exit_flush.register(self, self._sender)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued; True when all of it was answered within ``timeout``
        seconds (default ``exit_timeout``)."""
        return self._sender.flush(self.exit_timeout if timeout is None else timeout)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued within ``timeout`` and stops; later records are ignored."""
        self._open = False
        exit_flush.unregister(self)
        return self._sender.close(self.exit_timeout if timeout is None else timeout)

    def stats(self) -> DeliveryStats:
        """What became of the records given so far."""
        return self._sender.stats()

    def _exit(self, deadline: float) -> None:
        self._open = False
        self._sender.close(max(0.0, deadline - time.monotonic()))
