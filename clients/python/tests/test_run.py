"""``Run`` as a training script uses it: threads, context manager, ranks."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import torch.distributed
import torch.multiprocessing

import aiwatch
from support import TOKEN, Exporter


def test_runs_from_several_threads_lose_nothing(exporter: Exporter) -> None:
    run = aiwatch.Run("threads", "py-tests", url=exporter.url, token=TOKEN, batch_size=100)

    def worker(offset: int) -> None:
        for step in range(offset, offset + 500):
            run.log(step, loss=step / 1000)

    threads = [threading.Thread(target=worker, args=(i * 500,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert run.finish(timeout=10)
    stats = run.stats()
    assert (stats.taken, stats.sent, stats.dropped) == (2001, 2001, 0)
    assert exporter.sample('aiwatch_exporter_rejected_records_total{collector="training",reason="invalid_record"}') in (None, 0)


def test_the_context_manager_marks_a_failed_block(exporter: Exporter) -> None:
    with pytest.raises(ZeroDivisionError):
        with aiwatch.Run("ctx-fail", "py-tests", url=exporter.url, token=TOKEN) as run:
            run.log(1, loss=0.5)
            1 / 0
    with aiwatch.Run("ctx-ok", "py-tests", url=exporter.url, token=TOKEN) as run:
        run.log(1, loss=0.5)
    assert exporter.sample('aiwatch_training_run_status{run_id="ctx-fail",job_name="py-tests",status="failed"}') == 1
    assert exporter.sample('aiwatch_training_run_status{run_id="ctx-ok",job_name="py-tests",status="finished"}') == 1


def test_odd_names_bad_values_and_bad_steps(exporter: Exporter) -> None:
    run = aiwatch.Run("odd", "py-tests", url=exporter.url, token=TOKEN)
    run.log_metrics(1, {"train/loss": 0.75, "eval/accuracy": 0.5, "note": "text", "step": 1})
    run.log(-1, loss=1.0)  # refused by the client, not the exporter: counted, nothing raised
    run.log("ten", loss=1.0)  # type: ignore[arg-type]
    run.log(2, **{"x" * 300: 1.0, "loss": 0.5})
    run.max_steps(-5)
    assert run.finish(timeout=10)
    stats = run.stats()
    assert (stats.sent, stats.rejected, stats.dropped_invalid, stats.invalid_values) == (3, 0, 2, 2)
    labels = 'run_id="odd",job_name="py-tests"'
    assert exporter.sample(f'aiwatch_training_loss{{{labels},phase="train"}}') == 0.5
    assert exporter.sample(f'aiwatch_training_eval_metric{{{labels},metric="accuracy"}}') == 0.5


def test_bad_arguments_fail_at_construction_not_in_the_loop() -> None:
    with pytest.raises(ValueError, match="run_id"):
        aiwatch.Run("", "job")
    with pytest.raises(ValueError, match="job_name"):
        aiwatch.Run("run", "j" * 300)
    with pytest.raises(ValueError, match="url"):
        aiwatch.Run("run", "job", url="ftp://x")
    for rank in (-1, 2**31, "1", True):
        with pytest.raises(ValueError, match="rank"):
            aiwatch.Run("run", "job", url="http://127.0.0.1:9", rank=rank)  # type: ignore[arg-type]
    run = aiwatch.Run("run", "job", url="http://127.0.0.1:9", token="t")
    with pytest.raises(ValueError, match="status"):
        run.finish("success")
    run.close(timeout=0)


def test_other_ranks_send_nothing(exporter: Exporter) -> None:
    run = aiwatch.Run("rank-3", "py-tests", url=exporter.url, token=TOKEN, rank=3)
    run.log(1, loss=0.5)
    assert not run.enabled and run.finish() and run.stats().taken == 0
    assert exporter.sample('aiwatch_training_step{run_id="rank-3",job_name="py-tests"}') is None


def _distributed_worker(rank: int, world_size: int, store: str, url: str, per_rank: bool) -> None:
    # A file store: no port to choose, so no race with other tests for one.
    torch.distributed.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world_size)
    try:
        # RANK is not set: the rank comes from the initialised process group.
        run_id = "ddp-per-rank" if per_rank else "ddp"
        run = aiwatch.Run(run_id, "py-tests", url=url, token=TOKEN, per_rank=per_rank)
        assert run.rank == rank
        loss = torch.tensor([float(rank + 1)])
        torch.distributed.all_reduce(loss)
        run.log(10 + rank, loss=loss, rank_value=rank)
        run.finish(timeout=10)
        torch.distributed.barrier()
    finally:
        torch.distributed.destroy_process_group()


@pytest.mark.parametrize("per_rank", [False, True])
def test_a_real_gloo_process_group(exporter: Exporter, per_rank: bool, tmp_path: Path) -> None:
    for name in ("RANK", "LOCAL_RANK", "SLURM_PROCID", "JSM_NAMESPACE_RANK"):
        os.environ.pop(name, None)
    torch.multiprocessing.spawn(
        _distributed_worker, args=(2, str(tmp_path / "store"), exporter.url, per_rank), nprocs=2, join=True
    )
    text = exporter.metrics()
    if per_rank:
        # One run, its two ranks' series told apart by the exporter's rank label.
        for rank in (0, 1):
            labels = f'run_id="ddp-per-rank",job_name="py-tests",rank="{rank}"'
            assert f"aiwatch_training_step{{{labels}}} {10 + rank}" in text
            assert f'aiwatch_training_metric{{{labels},metric="rank_value"}} {rank}' in text
            assert f'aiwatch_training_run_status{{{labels},status="finished"}} 1' in text
        assert 'aiwatch_training_step{run_id="ddp-per-rank",job_name="py-tests"}' not in text
    else:
        labels = 'run_id="ddp",job_name="py-tests"'
        assert f"aiwatch_training_step{{{labels}}} 10" in text
        assert f'aiwatch_training_loss{{{labels},phase="train"}} 3' in text
        assert f"{{{labels},rank=" not in text


def test_a_forked_child_does_not_send_or_hang(exporter: Exporter) -> None:
    run = aiwatch.Run("forked", "py-tests", url=exporter.url, token=TOKEN)
    run.log(1, loss=0.5)
    pid = os.fork()
    if pid == 0:  # the child, like a DataLoader worker
        code = 0
        try:
            run.log(99, loss=9.0)
            code = 0 if not run.enabled and run.stats().taken == 1 else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert run.finish(timeout=10)
    assert exporter.sample('aiwatch_training_step{run_id="forked",job_name="py-tests"}') == 1
