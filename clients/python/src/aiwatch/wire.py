"""What travels to the exporter: its JSON shapes, limits and non-finite spellings.

Pure functions, no I/O. The limits mirror the exporter's ingest validation
(``exporters/training/ingest/validate-training-record.ts``): a record the exporter
would refuse is caught here, so one bad value never costs the whole record.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Mapping, Optional, Tuple, Union

MAX_LABEL_LENGTH = 256
MAX_METRIC_NAME_LENGTH = 200
MAX_METRICS_PER_RECORD = 1000
MAX_OUTCOME_LENGTH = 1024
RUN_STATUSES = ("running", "finished", "failed")

JsonNumber = Union[int, float, str]


def json_number(value: Union[int, float]) -> JsonNumber:
    """A metric value as the exporter reads it.

    JSON has no NaN or Infinity (Python's ``json`` writes them bare, which is not
    JSON), so the exporter takes the strings ``"NaN"``, ``"Infinity"`` and
    ``"-Infinity"``. Non-finite values are what divergence alerts look for: they are
    sent, never dropped.
    """
    if value != value:
        return "NaN"
    if value == math.inf:
        return "Infinity"
    if value == -math.inf:
        return "-Infinity"
    return value


def metric_value(raw: Any) -> Optional[Union[int, float]]:
    """A logged value as a number, or None when it is not one.

    Accepts ``int`` and ``float``, ``bool`` (as 0 or 1), and anything with a scalar
    ``item()`` (a one-element tensor, a NumPy scalar) or ``__float__``. Strings are
    refused: ``"0.5"`` in a metric is a bug upstream, not a value.
    """
    kind = type(raw)
    if kind is float or kind is int:
        return raw
    if kind is bool:
        return int(raw)
    if kind is str or kind is bytes:
        return None
    try:
        item = getattr(raw, "item", None)
        value = item() if item is not None else float(raw)
    except Exception:  # noqa: BLE001 - any failure means "not a number"
        return None
    if type(value) is bool:
        return int(value)
    if isinstance(value, (int, float)):
        return value
    return None


def valid_label(value: Any) -> bool:
    """A run_id, job_name or model label: a non-empty string of at most 256 characters."""
    return isinstance(value, str) and 0 < len(value) <= MAX_LABEL_LENGTH


def check_label(field: str, value: Any) -> str:
    """``value`` if it is a valid label, else ValueError naming the field."""
    if not valid_label(value):
        raise ValueError(
            f"{field}: expected a non-empty string of at most {MAX_LABEL_LENGTH} characters, "
            f"got {value!r:.80}"
        )
    return value


def step_value(raw: Any) -> Optional[int]:
    """A step as a non-negative integer, or None (``10.0`` and NumPy ints are fine)."""
    if type(raw) is int:
        return raw if raw >= 0 else None
    if isinstance(raw, bool):
        return None
    try:
        value = raw.item() if hasattr(raw, "item") else raw
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if type(value) is int and value >= 0:
            return value
    except Exception:  # noqa: BLE001
        return None
    return None


def metrics_payload(metrics: Mapping[str, Any]) -> Tuple[Dict[str, JsonNumber], int]:
    """The ``metrics`` object of a record and how many values were left out.

    A name that is not a string of 1-200 characters, or a value that is not a
    number, is left out (and counted) rather than sent: the exporter refuses a whole
    record for one bad value.
    """
    out: Dict[str, JsonNumber] = {}
    invalid = 0
    for name, raw in metrics.items():
        if len(out) >= MAX_METRICS_PER_RECORD:
            invalid += 1
            continue
        if type(name) is not str or not 0 < len(name) <= MAX_METRIC_NAME_LENGTH:
            invalid += 1
            continue
        value = metric_value(raw)
        if value is None:
            invalid += 1
            continue
        out[name] = json_number(value) if type(value) is float else value
    return out, invalid


#: What ``feature_value`` did with a value.
FEATURE_OK = 0
FEATURE_NULLED = 1
FEATURE_UNUSABLE = 2


def feature_value(raw: Any) -> Tuple[Any, int]:
    """A data-quality record's value and ``FEATURE_OK``, ``FEATURE_NULLED`` or
    ``FEATURE_UNUSABLE``.

    The exporter takes numbers, strings, booleans and null. NaN is how pandas and
    NumPy spell a missing value, so NaN and the infinities (which the exporter
    refuses: one would make every window score infinite) travel as null; NumPy
    scalars become their value (``item()``); anything else (a list, an object) is
    unusable.
    """
    kind = type(raw)
    if raw is None or kind is str or kind is bool or kind is int:
        return raw, FEATURE_OK
    if kind is float:
        return (raw, FEATURE_OK) if math.isfinite(raw) else (None, FEATURE_NULLED)
    item = getattr(raw, "item", None)
    if item is not None:
        try:
            value = item()
        except Exception:  # noqa: BLE001
            return None, FEATURE_UNUSABLE
        if type(value) in (str, bool, int, float):
            return feature_value(value)
    return None, FEATURE_UNUSABLE


def outcome_value(raw: Any) -> Optional[Union[str, int, float, bool]]:
    """A prediction or label: a class name, a finite number or a boolean; else None."""
    kind = type(raw)
    if kind is bool or kind is int:
        return raw
    if kind is str:
        return raw if len(raw) <= MAX_OUTCOME_LENGTH else None
    if kind is float:
        return raw if math.isfinite(raw) else None
    item = getattr(raw, "item", None)
    if item is not None:
        try:
            return outcome_value(item())
        except Exception:  # noqa: BLE001
            return None
    return None
