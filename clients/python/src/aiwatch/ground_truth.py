"""Predictions and their ground truth: ``POST /api/v1/inference/predictions`` and
``/labels``, joined by id on the exporter (accuracy once labels arrive)."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence

from .buffered_client import BufferedClient
from .channel import EncodedBatch, Item, join_json
from .sender import SenderOptions
from .wire import outcome_value, valid_label

PREDICTIONS_PATH = "/api/v1/inference/predictions"
LABELS_PATH = "/api/v1/inference/labels"
_PREDICTION = "p"
_LABEL = "l"
_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


class GroundTruth(BufferedClient):
    """Records what a model predicted and, later, what was true.

    The exporter joins them by ``id`` into ``aiwatch_inference_predictions_labelled_total``
    and ``..._correct_total`` (accuracy), and the label delay. Calls queue and return
    at once; a background thread sends them in order, so a label never overtakes its
    prediction. Retry, buffer and exit rules are those of ``Run``.

    Example::

        truth = aiwatch.GroundTruth()
        truth.prediction(request_id, "fraud-scorer", predicted="fraud", model_version="v7")
        ...  # hours later, when the chargeback arrives
        truth.label(request_id, actual="fraud")

    Args: as for ``Run`` (``url``, ``token``, ``batch_size``, ...).
    """

    def __init__(
        self,
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
        super().__init__(
            "ground truth",
            GroundTruthChannel(),
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

    def prediction(
        self,
        id: str,
        model: str,
        predicted: Any,
        *,
        model_version: Optional[str] = None,
        timestamp: Optional[float] = None,
    ) -> None:
        """Queues a prediction: ``predicted`` is a class name, a finite number or a
        boolean. ``timestamp`` (seconds since the epoch) defaults to now. Never raises."""
        if self._open:
            self._sender.put(_PREDICTION, id, model, model_version, predicted, timestamp)

    def label(self, id: str, actual: Any, *, timestamp: Optional[float] = None) -> None:
        """Queues the ground truth of prediction ``id``. Never raises."""
        if self._open:
            self._sender.put(_LABEL, id, actual, timestamp)


class GroundTruthChannel:
    """One request per run of same-kind items at the head of the queue."""

    def acknowledge(self, batch: EncodedBatch) -> None:
        pass

    def encode(self, items: Sequence[Item], max_bytes: int, dropped: int) -> EncodedBatch:
        kind = items[0][2]
        parts: List[bytes] = []
        size = 2
        consumed = invalid = 0
        for item in items:
            if item[2] != kind:
                break
            record = _prediction(item) if kind == _PREDICTION else _label(item)
            if record is None:
                invalid += 1
                consumed += 1
                continue
            encoded = _dumps(record).encode("utf-8")
            if parts and size + len(encoded) + 1 > max_bytes:
                break
            parts.append(encoded)
            size += len(encoded) + 1
            consumed += 1
        return EncodedBatch(
            path=PREDICTIONS_PATH if kind == _PREDICTION else LABELS_PATH,
            body=join_json(parts) if parts else None,
            consumed=consumed,
            records=len(parts),
            invalid_records=invalid,
        )


def _prediction(item: Item) -> Optional[Dict[str, Any]]:
    _seq, now, _kind, id_, model, version, predicted, timestamp = item
    value = outcome_value(predicted)
    if not valid_label(id_) or not valid_label(model) or value is None:
        return None
    record: Dict[str, Any] = {"id": id_, "model": model, "predicted": value}
    if version is not None:
        if not valid_label(version):
            return None
        record["model_version"] = version
    record["timestamp"] = _timestamp(timestamp, now)
    return record


def _label(item: Item) -> Optional[Dict[str, Any]]:
    _seq, now, _kind, id_, actual, timestamp = item
    value = outcome_value(actual)
    if not valid_label(id_) or value is None:
        return None
    return {"id": id_, "actual": value, "timestamp": _timestamp(timestamp, now)}


def _timestamp(given: Any, queued_at: float) -> float:
    """A given time (seconds since the epoch, or a datetime) or the time it was queued."""
    if hasattr(given, "timestamp") and callable(given.timestamp):
        try:
            given = given.timestamp()
        except Exception:  # noqa: BLE001
            given = None
    if isinstance(given, (int, float)) and not isinstance(given, bool) and 0 <= given < 1e11:
        return round(float(given), 3)
    return round(queued_at, 3)


