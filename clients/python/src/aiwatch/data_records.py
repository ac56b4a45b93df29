"""Data-quality and drift records: ``POST /api/v1/data/records``."""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .buffered_client import BufferedClient
from .channel import EncodedBatch, Item
from .sender import SenderOptions
from .wire import FEATURE_NULLED, FEATURE_UNUSABLE, feature_value

PATH = "/api/v1/data/records"
_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


class DataRecords(BufferedClient):
    """Feature records of one monitored model, for the exporter's drift and
    data-quality checks (null rates, ranges, schema, drift against the reference).

    ``add()`` queues and returns at once; records go in batches from a background
    thread, with the same retry, buffer and exit rules as ``Run``. The exporter
    checks a batch as a whole, so every value is made acceptable first: NaN (how
    pandas and NumPy spell a missing value) and the infinities travel as null and
    are counted in ``stats().invalid_values``; a record that is not a mapping of
    names to scalars is not sent (``stats().dropped_invalid``).

    Example::

        records = aiwatch.DataRecords("fraud-scorer")
        for row in batch.to_dict("records"):
            records.add(row)

    Args:
        model: A model configured under ``collectors.drift.models`` (its ``name``).
        url, token, batch_size, flush_interval, max_buffered, request_timeout,
        exit_timeout, max_server_retries: as for ``Run``.
    """

    def __init__(
        self,
        model: str,
        *,
        url: Optional[str] = None,
        token: Optional[str] = None,
        batch_size: int = 1000,
        flush_interval: float = 1.0,
        max_buffered: int = 100_000,
        request_timeout: float = 10.0,
        exit_timeout: float = 5.0,
        max_server_retries: int = 8,
        initial_backoff: float = 0.5,
        max_backoff: float = 30.0,
    ) -> None:
        if not isinstance(model, str) or not 0 < len(model) <= 200:
            raise ValueError(f"model: expected a name of 1-200 characters, got {model!r:.80}")
        self.model = model
        super().__init__(
            f"data records {model}",
            DataRecordsChannel(model),
            url,
            token,
            SenderOptions(
                batch_size=batch_size,
                flush_interval=flush_interval,
                max_buffered=max_buffered,
                request_timeout=request_timeout,
                max_server_retries=max_server_retries,
                initial_backoff=initial_backoff,
                max_backoff=max_backoff,
            ),
            exit_timeout,
        )

    def add(self, record: Mapping[str, Any]) -> None:
        """Queues one record (feature name -> number, string, boolean or None); never raises."""
        if self._open:
            self._sender.put(record)

    def add_many(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Queues several records; never raises."""
        if not self._open:
            return
        try:
            for record in records:
                self._sender.put(record)
        except Exception:  # noqa: BLE001 - a failing iterator must not reach the caller
            pass


class DataRecordsChannel:
    """``{"model": ..., "records": [...]}`` bodies."""

    def acknowledge(self, batch: EncodedBatch) -> None:
        pass

    def __init__(self, model: str) -> None:
        self._prefix = b'{"model":' + _dumps(model).encode("utf-8") + b',"records":['

    def encode(self, items: Sequence[Item], max_bytes: int, dropped: int) -> EncodedBatch:
        parts: List[bytes] = []
        size = len(self._prefix) + 2
        consumed = invalid_records = invalid_values = 0
        for item in items:
            record, bad = _clean_record(item[2])
            invalid_values += bad
            if record is None:
                invalid_records += 1
                consumed += 1
                continue
            encoded = _dumps(record).encode("utf-8")
            if parts and size + len(encoded) + 1 > max_bytes:
                break
            parts.append(encoded)
            size += len(encoded) + 1
            consumed += 1
        body = self._prefix + b",".join(parts) + b"]}" if parts else None
        return EncodedBatch(
            path=PATH,
            body=body,
            consumed=consumed,
            records=len(parts),
            invalid_records=invalid_records,
            invalid_values=invalid_values,
        )


def _clean_record(raw: Any) -> Tuple[Optional[Dict[str, Any]], int]:
    """The record to send and how many values became null; None when it cannot be sent."""
    if not isinstance(raw, Mapping):
        return None, 0
    record: Dict[str, Any] = {}
    nulled = 0
    for name, value in raw.items():
        if not isinstance(name, str):
            return None, 0
        clean, outcome = feature_value(value)
        if outcome == FEATURE_UNUSABLE:
            return None, 0
        nulled += outcome == FEATURE_NULLED
        record[name] = clean
    return record, nulled
