"""Delivering what is left when the interpreter exits, within a deadline.

The hook is registered with ``atexit`` when the first client is created, never at
import. It gives every live client one shared deadline (the largest ``exit_timeout``
among them), so a hung exporter delays the exit by at most that long; the sender
threads are daemons and never keep the process alive.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from typing import Callable

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment,misc]


class ExitFlushable(Protocol):
    exit_timeout: float

    def _exit(self, deadline: float) -> None:
        """Sends what is left (and any last word, such as a failed status) by ``deadline``."""
        ...  # pragma: no cover


_clients: "weakref.WeakSet[ExitFlushable]" = weakref.WeakSet()
_lock = threading.Lock()
_registered = False


def register(client: ExitFlushable) -> None:
    """Flush ``client`` at exit (unless it is closed or garbage first)."""
    global _registered
    with _lock:
        _clients.add(client)
        if not _registered:
            atexit.register(flush_all)
            _registered = True


def unregister(client: ExitFlushable) -> None:
    with _lock:
        _clients.discard(client)


def flush_all(clock: Callable[[], float] = time.monotonic) -> None:
    """The atexit hook: every live client, one deadline."""
    with _lock:
        clients = list(_clients)
        _clients.clear()
    if not clients:
        return
    deadline = clock() + max(client.exit_timeout for client in clients)
    for client in clients:
        try:
            client._exit(deadline)
        except Exception:  # noqa: BLE001 - exit must go on whatever a client does
            pass
