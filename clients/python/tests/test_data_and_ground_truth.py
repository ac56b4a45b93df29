"""Data-quality/drift records and ground truth, through the exporter's ingest APIs."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import numpy

import aiwatch
from support import TOKEN, Exporter


def test_data_records_reach_the_drift_collector(exporter: Exporter) -> None:
    records = aiwatch.DataRecords("scorer", url=exporter.url, token=TOKEN, batch_size=25)
    rng = numpy.random.default_rng(0)
    rows = [
        {"amount": float(value), "country": "DE" if i % 3 else "FR", "vip": bool(i % 2)}
        for i, value in enumerate(rng.normal(50, 10, 60))
    ]
    rows[20]["amount"] = math.nan  # after the 10 reference records; pandas' missing value
    rows[21]["amount"] = numpy.float64(math.inf)
    rows[22]["amount"] = None
    rows[23]["amount"] = numpy.float32(12.5)
    records.add_many(rows)
    records.add({"amount": [1, 2]})  # not a scalar: this record cannot be sent
    records.add("not a record")  # type: ignore[arg-type]
    assert records.flush(timeout=10)
    stats = records.stats()
    assert (stats.sent, stats.dropped_invalid, stats.invalid_values, stats.rejected) == (60, 2, 2, 0)
    assert exporter.sample('aiwatch_data_rows_total{model="scorer"}') == 60
    assert exporter.sample('aiwatch_data_null_values_total{model="scorer",feature="amount"}') == 3


def test_an_unknown_model_is_refused_whole_and_counted(exporter: Exporter) -> None:
    records = aiwatch.DataRecords("no-such-model", url=exporter.url, token=TOKEN)
    records.add_many({"amount": i} for i in range(7))
    assert records.flush(timeout=10)
    stats = records.stats()
    assert (stats.sent, stats.rejected, stats.retries) == (0, 7, 0)
    assert "not a configured model" in (stats.last_error or "")


def test_predictions_then_labels_give_accuracy(exporter: Exporter) -> None:
    truth = aiwatch.GroundTruth(url=exporter.url, token=TOKEN)
    predicted = ["fraud", "ok", "ok", "fraud", "ok"]
    actual = ["fraud", "ok", "fraud", "fraud", "ok"]
    for i, label in enumerate(predicted):
        truth.prediction(f"req-{i}", "scorer", label, model_version="v7")
    truth.prediction("req-bad", "scorer", math.nan)  # not an outcome: not sent, counted
    for i, label in enumerate(actual):
        truth.label(f"req-{i}", label, timestamp=datetime.now(timezone.utc))
    truth.label("req-unknown", "ok")
    assert truth.flush(timeout=10)
    stats = truth.stats()
    assert (stats.sent, stats.dropped_invalid, stats.rejected) == (11, 1, 0)
    model = 'model="scorer",model_version="v7"'
    assert exporter.sample(f"aiwatch_inference_predictions_total{{{model}}}") == 5
    assert exporter.sample(f"aiwatch_inference_predictions_labelled_total{{{model}}}") == 5
    assert exporter.sample(f"aiwatch_inference_predictions_correct_total{{{model}}}") == 4
    assert exporter.sample("aiwatch_inference_labels_unmatched_total") == 1
