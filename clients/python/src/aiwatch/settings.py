"""Where the exporter is and how to authenticate: arguments first, then the environment.

Read once, when a client is created (never at import): ``AIWATCH_URL`` (default
``http://localhost:9401``), ``AIWATCH_INGEST_TOKEN``, or ``AIWATCH_INGEST_TOKEN_FILE``
naming a file that holds it (a mounted Kubernetes secret).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Optional
from urllib.parse import urlsplit

DEFAULT_URL = "http://localhost:9401"


@dataclass(frozen=True)
class Endpoint:
    """The exporter's base URL and the bearer token it accepts."""

    url: str
    token: Optional[str] = field(repr=False)

    def __repr__(self) -> str:
        # The token is a secret: never in a repr, a log line or an error message.
        return f"Endpoint(url={self.url!r}, token={'<set>' if self.token else None})"


def resolve_endpoint(
    url: Optional[str] = None,
    token: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
) -> Endpoint:
    """The endpoint from the arguments, else the environment; ValueError for a bad URL."""
    environ = os.environ if env is None else env
    base = (url or environ.get("AIWATCH_URL") or DEFAULT_URL).strip()
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"url: expected http(s)://host[:port][/prefix], got {base!r:.200}"
            " (argument url= or AIWATCH_URL)"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"url: expected no query or fragment, got {base!r:.200}")
    if token is None:
        token = environ.get("AIWATCH_INGEST_TOKEN") or None
    if token is None and environ.get("AIWATCH_INGEST_TOKEN_FILE"):
        path = environ["AIWATCH_INGEST_TOKEN_FILE"]
        try:
            with open(path, encoding="utf-8") as handle:
                token = handle.read().strip() or None
        except OSError as error:
            raise ValueError(
                f"AIWATCH_INGEST_TOKEN_FILE: cannot read {path}: {error.strerror}"
            ) from None
    return Endpoint(url=base.rstrip("/"), token=token)
