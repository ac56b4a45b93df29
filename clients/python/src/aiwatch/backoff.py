"""When to try again: exponential backoff with jitter, and the server's Retry-After."""

from __future__ import annotations

import random
import time
from email.utils import parsedate_to_datetime
from typing import Callable, Optional


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``, each drawn from its upper half.

    "Equal jitter": half the delay is fixed, half random, so that many trainers
    restarted together do not retry in lockstep, yet none retries at once.
    """

    def __init__(
        self,
        initial: float = 0.5,
        maximum: float = 30.0,
        random_fraction: Callable[[], float] = random.random,
    ) -> None:
        self._initial = initial
        self._maximum = maximum
        self._random = random_fraction
        self.attempt = 0

    def next_delay(self) -> float:
        ceiling = min(self._maximum, self._initial * (2 ** min(self.attempt, 32)))
        self.attempt += 1
        return ceiling / 2 + self._random() * ceiling / 2

    def reset(self) -> None:
        self.attempt = 0


def retry_after_seconds(
    value: Optional[str], now: Callable[[], float] = time.time, maximum: float = 300.0
) -> Optional[float]:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), capped.

    None when there is no usable value. The cap keeps a misconfigured proxy from
    parking the client for a day; the bounded buffer covers the wait either way.
    """
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(text).timestamp() - now()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if seconds != seconds:
        return None
    return min(max(seconds, 0.0), maximum)
