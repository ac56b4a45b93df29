"""Training records as ``POST /api/v1/training/events`` takes them."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .channel import EncodedBatch, Item, join_json
from .wire import metrics_payload, step_value

PATH = "/api/v1/training/events"

#: The metric under which a run reports how many records its client dropped, so that
#: lost data shows in Prometheus (``aiwatch_training_metric{metric=...}``) and not only
#: in the trainer's log.
DROPPED_METRIC = "aiwatch_client_dropped_records"

# Item kinds after (seq, time): the hot path queues metrics as ("m", step, metrics).
METRICS = "m"
STATUS = "s"
MAX_STEPS = "x"

_dumps = json.JSONEncoder(allow_nan=False, separators=(",", ":"), ensure_ascii=False).encode


class TrainingChannel:
    """Encodes a run's queued items; appends the dropped-records count when it grew."""

    def __init__(self, run_id: str, job_name: str, rank: Optional[int] = None) -> None:
        # ``rank`` only when each rank sends its own series (``per_rank``): the exporter
        # labels them ``rank``; without it a run's series carry no rank label.
        self._labels: Dict[str, Any] = {"run_id": run_id, "job_name": job_name}
        if rank is not None:
            self._labels["rank"] = rank
        self._reported_drops = 0
        self._last_step = 0

    def encode(self, items: Sequence[Item], max_bytes: int, dropped: int) -> EncodedBatch:
        parts: List[bytes] = []
        size = 2
        consumed = invalid_records = invalid_values = 0
        for item in items:
            record, bad_values = self._record(item)
            invalid_values += bad_values
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
        records = len(parts)
        extra = 0
        reported = None
        if dropped > self._reported_drops and records:
            parts.append(_dumps(self._drop_report(dropped)).encode("utf-8"))
            reported = dropped
            extra = 1
        return EncodedBatch(
            path=PATH,
            body=join_json(parts) if parts else None,
            consumed=consumed,
            records=records,
            extra_records=extra,
            invalid_records=invalid_records,
            invalid_values=invalid_values,
            reported_drops=reported,
        )

    def acknowledge(self, batch: EncodedBatch) -> None:
        if batch.reported_drops is not None:
            self._reported_drops = max(self._reported_drops, batch.reported_drops)

    def _record(self, item: Item) -> Tuple[Optional[Dict[str, Any]], int]:
        kind = item[2]
        record: Dict[str, Any] = dict(self._labels)
        if kind == METRICS:
            step = step_value(item[3])
            if step is None:
                return None, 0
            metrics, invalid = metrics_payload(item[4])
            record["step"] = step
            record["timestamp"] = round(item[1], 3)
            if metrics:
                record["metrics"] = metrics
            self._last_step = max(self._last_step, step)
            return record, invalid
        if kind == STATUS:
            record["status"] = item[3]
            return record, 0
        if kind == MAX_STEPS:
            record["max_steps"] = item[3]
            return record, 0
        return None, 0

    def _drop_report(self, dropped: int) -> Dict[str, Any]:
        return {**self._labels, "step": self._last_step, "metrics": {DROPPED_METRIC: dropped}}
