"""Fixtures: a real aiwatch exporter process (built from this checkout) per session."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import CLIENT_SRC, Exporter  # noqa: E402

sys.path.insert(0, str(CLIENT_SRC))

EXPORTER_CONFIG = """\
auth:
  bearer_tokens: [{ env: INGEST_TOKEN }]
collectors:
  training: {}
  inference: {}
  drift:
    evaluation_interval: 1s
    models:
      - name: scorer
        reference: { first_records: 10 }
        window: { records: 1000 }
        min_samples: 10
"""


@pytest.fixture(scope="session")
def exporter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exporter]:
    running = Exporter(tmp_path_factory.mktemp("exporter"), EXPORTER_CONFIG)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def close_clients_after_each_test() -> Iterator[None]:
    """Each test's clients stop with it (their threads would otherwise outlive it)."""
    yield
    from aiwatch import exit_flush

    for client in list(exit_flush._clients):
        client.close(timeout=0)
    # Clients the test dropped without closing: their senders wait for the exit flush.
    for sender in list(exit_flush._orphans):
        sender.close(timeout=0)
