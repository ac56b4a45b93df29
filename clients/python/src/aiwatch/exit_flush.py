"""Delivering what is left when the interpreter exits, within a deadline.

The hook is registered with ``atexit`` when the first client is created, never at
import. It gives every live client one shared deadline (the largest ``exit_timeout``
among them), so a hung exporter delays the exit by at most that long; the sender
threads are daemons and never keep the process alive.

Whether the program is ending on an uncaught exception (a run then ends ``failed``) is
noted by a ``sys.excepthook`` that wraps the one in place, installed with the atexit
hook. ``sys.last_value`` is not a sign of it: an interactive session sets it for every
error it printed and goes on, and Python 3.12 moved it to ``sys.last_exc``.
"""

from __future__ import annotations

import atexit
import sys
import threading
import time
import weakref
from types import TracebackType
from typing import Callable, Optional, Type

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment,misc]


class Closable(Protocol):
    def close(self, timeout: float) -> bool:
        ...  # pragma: no cover


class ExitFlushable(Protocol):
    exit_timeout: float

    def _exit(self, deadline: float) -> None:
        """Sends what is left (and any last word, such as a failed status) by ``deadline``."""
        ...  # pragma: no cover


_clients: "weakref.WeakSet[ExitFlushable]" = weakref.WeakSet()
# Senders of clients that were dropped without close(), with their exit timeouts.
_orphans: "weakref.WeakKeyDictionary[Closable, float]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_registered = False
_uncaught: Optional[BaseException] = None


def register(client: ExitFlushable, sender: Closable) -> None:
    """Flush ``client`` at exit, unless it is closed first. A client dropped without
    ``close()`` is garbage at once, but its sender lives on in its thread with what is
    queued: the sender is then flushed at exit in its place."""
    global _registered
    finalizer = weakref.finalize(client, _adopt, sender, client.exit_timeout)
    finalizer.atexit = False
    with _lock:
        _clients.add(client)
        if not _registered:
            atexit.register(flush_all)
            sys.excepthook = _noting_uncaught(sys.excepthook)
            _registered = True


def dying_of_uncaught_exception() -> bool:
    """Whether the main program ended on an exception nothing caught."""
    return _uncaught is not None


def _noting_uncaught(
    previous: Callable[[Type[BaseException], BaseException, Optional[TracebackType]], object],
) -> Callable[[Type[BaseException], BaseException, Optional[TracebackType]], None]:
    def hook(
        kind: Type[BaseException], value: BaseException, traceback: Optional[TracebackType]
    ) -> None:
        global _uncaught
        # An interactive session prints the error and goes on: not the program's end.
        if not hasattr(sys, "ps1"):
            _uncaught = value
        previous(kind, value, traceback)

    return hook


def unregister(client: ExitFlushable) -> None:
    with _lock:
        _clients.discard(client)


def _adopt(sender: Closable, exit_timeout: float) -> None:
    with _lock:
        _orphans[sender] = exit_timeout


def flush_all(clock: Callable[[], float] = time.monotonic) -> None:
    """The atexit hook: every live client, one deadline."""
    with _lock:
        clients = list(_clients)
        orphans = list(_orphans.items())
        _clients.clear()
        _orphans.clear()
    timeouts = [client.exit_timeout for client in clients] + [timeout for _, timeout in orphans]
    if not timeouts:
        return
    deadline = clock() + max(timeouts)
    for client in clients:
        try:
            client._exit(deadline)
        except Exception:  # noqa: BLE001 - exit must go on whatever a client does
            pass
    for sender, _ in orphans:
        try:
            sender.close(max(0.0, deadline - clock()))
        except Exception:  # noqa: BLE001
            pass
