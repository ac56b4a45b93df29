"""One HTTP POST to the exporter over a kept-alive connection (standard library only)."""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass
from typing import Optional, Union
from urllib.parse import urlsplit

from ._version import __version__
from .settings import Endpoint

# Error answers are small (at most 100 listed record errors); more is not read.
MAX_RESPONSE_BYTES = 1 << 20
USER_AGENT = f"aiwatch-python/{__version__}"


@dataclass(frozen=True)
class Answer:
    """What the exporter answered: status, body, and ``Retry-After`` when it said one."""

    status: int
    body: bytes
    retry_after: Optional[str] = None


class Transport:
    """Posts JSON bodies to paths under the exporter's URL.

    Raises ``OSError`` (``ConnectionRefusedError``, ``TimeoutError``, ...) or
    ``http.client.HTTPException`` when no answer came; the caller decides about
    retries. Used by one sender thread only, so it is not locked.
    """

    def __init__(self, endpoint: Endpoint) -> None:
        parts = urlsplit(endpoint.url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
        }
        if endpoint.token:
            self._headers["Authorization"] = f"Bearer {endpoint.token}"
        self._connection: Optional[Union[http.client.HTTPConnection, http.client.HTTPSConnection]] = None
        self._ssl = ssl.create_default_context() if self._https else None

    def post(self, path: str, body: bytes, timeout: float) -> Answer:
        """POSTs ``body`` to ``path``; one retry when a kept-alive connection was closed."""
        reused = self._connection is not None
        try:
            return self._post_once(path, body, timeout)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle kept-alive connection just as we reused it
            # (Node closes idle sockets after 5 s): no failure of the exporter.
            self.close()
            if not reused:
                raise
        except BaseException:
            self.close()
            raise
        try:
            return self._post_once(path, body, timeout)
        except BaseException:
            self.close()
            raise

    def _post_once(self, path: str, body: bytes, timeout: float) -> Answer:
        connection = self._connection
        if connection is None:
            connection = self._connect(timeout)
            self._connection = connection
        elif connection.sock is not None:
            connection.sock.settimeout(timeout)
        connection.request("POST", self._prefix + path, body=body, headers=self._headers)
        response = connection.getresponse()
        data = response.read(MAX_RESPONSE_BYTES)
        if not response.isclosed():
            # An oversized answer: the rest is unread, so the connection cannot be reused.
            self.close()
        elif response.will_close:
            self.close()
        return Answer(response.status, data, response.getheader("Retry-After"))

    def _connect(self, timeout: float) -> http.client.HTTPConnection:
        if self._https:
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=timeout, context=self._ssl
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
