"""The pure parts: value encoding, backoff, settings, ranks, the version."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from aiwatch import __version__
from aiwatch.backoff import Backoff, retry_after_seconds
from aiwatch.ranks import process_rank
from aiwatch.settings import DEFAULT_URL, resolve_endpoint
from aiwatch.wire import feature_value, json_number, metric_value, metrics_payload, outcome_value, step_value
from support import REPO


def test_the_version_matches_the_npm_package() -> None:
    package = json.loads((REPO / "package.json").read_text())
    assert __version__ == package["version"]


def test_non_finite_values_use_the_exporters_spellings() -> None:
    assert [json_number(v) for v in (math.nan, math.inf, -math.inf, 0.5, 3)] == [
        "NaN", "Infinity", "-Infinity", 0.5, 3,
    ]


def test_metric_values_from_tensors_numpy_and_friends() -> None:
    import numpy

    assert metric_value(torch.tensor(0.25)) == 0.25
    assert metric_value(torch.tensor([0.5], dtype=torch.float64)) == 0.5
    assert metric_value(numpy.float32(0.5)) == 0.5
    assert metric_value(numpy.int64(7)) == 7
    assert metric_value(True) == 1
    assert metric_value("0.5") is None
    assert metric_value(torch.tensor([1.0, 2.0])) is None  # not a scalar
    assert metric_value(object()) is None


def test_a_bad_value_leaves_the_record_and_is_counted() -> None:
    payload, invalid = metrics_payload(
        {"loss": math.nan, "note": "skipped", "": 1.0, "x" * 201: 1.0, "lr": torch.tensor(1e-4)}
    )
    assert payload == {"loss": "NaN", "lr": pytest.approx(1e-4)}
    assert invalid == 3


def test_steps_must_be_non_negative_integers() -> None:
    assert [step_value(v) for v in (0, 10, 10.0, torch.tensor(3))] == [0, 10, 10, 3]
    assert [step_value(v) for v in (-1, 1.5, "3", None, True)] == [None] * 5


def test_feature_and_outcome_values() -> None:
    assert feature_value(math.nan) == (None, 1)
    assert feature_value(math.inf) == (None, 1)
    assert feature_value("a") == ("a", 0)
    assert feature_value([1]) == (None, 2)
    assert outcome_value(math.nan) is None
    assert outcome_value("fraud") == "fraud"
    assert outcome_value(torch.tensor(1)) == 1


def test_backoff_doubles_with_jitter_up_to_its_cap() -> None:
    lows = Backoff(0.5, 4.0, random_fraction=lambda: 0.0)
    highs = Backoff(0.5, 4.0, random_fraction=lambda: 1.0)
    assert [lows.next_delay() for _ in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert [highs.next_delay() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    highs.reset()
    assert highs.next_delay() == 0.5


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now=lambda: 1445412480.0) == 10.0
    assert retry_after_seconds("86400") == 300.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("-5") == 0.0


def test_settings_from_the_environment(tmp_path: Path) -> None:
    assert resolve_endpoint(env={}).url == DEFAULT_URL
    endpoint = resolve_endpoint(env={"AIWATCH_URL": "https://proxy.example/aiwatch/", "AIWATCH_INGEST_TOKEN": "s3cret"})
    assert (endpoint.url, endpoint.token) == ("https://proxy.example/aiwatch", "s3cret")
    assert "s3cret" not in repr(endpoint)
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert resolve_endpoint(env={"AIWATCH_INGEST_TOKEN_FILE": str(token_file)}).token == "from-file"
    assert resolve_endpoint("http://a:1", "arg", env={"AIWATCH_INGEST_TOKEN": "env"}).token == "arg"
    with pytest.raises(ValueError, match="AIWATCH_URL"):
        resolve_endpoint(env={"AIWATCH_URL": "localhost:9401"})
    with pytest.raises(ValueError, match="AIWATCH_INGEST_TOKEN_FILE"):
        resolve_endpoint(env={"AIWATCH_INGEST_TOKEN_FILE": str(tmp_path / "missing")})


def test_rank_from_the_launchers_variables() -> None:
    assert process_rank({}) == 0
    assert process_rank({"RANK": "3", "LOCAL_RANK": "1"}) == 3
    assert process_rank({"LOCAL_RANK": "1", "SLURM_PROCID": "5"}) == 1
    assert process_rank({"SLURM_PROCID": "5"}) == 5
    assert process_rank({"RANK": "x", "JSM_NAMESPACE_RANK": "2"}) == 2
