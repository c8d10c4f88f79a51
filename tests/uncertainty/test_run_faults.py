"""What ``api.forecast`` does when the disk fills, the Dask scheduler is not there, or a
run on a Dask cluster is stopped."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path
from typing import Any

import pytest

from statecraft import api
from statecraft.store import RunStore, StoreError
from statecraft.store.frames import FrameWriter
from statecraft.uncertainty import BLOCK
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def full_disk_on(call: int, method: str = "write") -> Any:
    """A FrameWriter method that raises ENOSPC on its ``call``-th call."""
    real = getattr(FrameWriter, method)
    calls = [0]

    def fails(self: FrameWriter, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == call:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.part))
        return real(self, *args, **kwargs)

    return fails


@pytest.mark.parametrize(("method", "call"), [("write", 1), ("write", 4), ("commit", 1)])
def test_a_full_disk_is_a_store_error_naming_the_run_and_leaves_no_data(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, call: int) -> None:
    monkeypatch.setattr(FrameWriter, method, full_disk_on(call, method))
    store = RunStore(tmp_path)
    with pytest.raises(StoreError, match=r"^run \S+: its data could not be written to the "
                                         r"run store \(No space left on device\)") as info:
        api.forecast_run(api.load(SMALL), samples=5 * BLOCK, seed=2, chunk_size=BLOCK,
                     store=store)
    (record,) = store.list()
    assert info.value.client_message.startswith(f"run {record.id}:")  # no path in it
    assert record.status == "failed"
    assert "No space left on device" in (store.get(record.id).error or "")
    assert list((tmp_path / "runs").iterdir()) == []


def test_an_unreachable_scheduler_is_a_value_error_within_seconds(tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="needs the 'dask' extra")
    store = RunStore(tmp_path)
    started = time.perf_counter()
    with pytest.raises(ValueError, match=r"^dask: cannot reach a Dask scheduler at "
                                         r"'tcp://127\.0\.0\.1:1' \(.*\)$"):
        api.forecast_run(api.load(SMALL), samples=100, seed=1, dask="tcp://127.0.0.1:1",
                     store=store)
    assert time.perf_counter() - started < 8  # generous: the connect timeout is 3 s
    assert store.list() == []


def test_a_run_on_a_dask_cluster_stops_and_cancels_what_is_queued(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="needs the 'dask' extra")
    store = RunStore(tmp_path)
    polls = [0]

    def should_stop() -> str | None:
        polls[0] += 1
        return "cancelled by the user" if polls[0] > 3 else None

    done: list[int] = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            pytest.raises(api.ForecastStopped) as info:
        api.forecast_run(api.load(SMALL), samples=80 * BLOCK, seed=5, chunk_size=BLOCK,
                     dask=cluster.scheduler_address, store=store, should_stop=should_stop,
                     progress=done.append)
    assert info.value.reason == "cancelled by the user"
    assert polls[0] == 4
    assert (done[-1] if done else 0) < 80 * BLOCK
    record = store.get(info.value.run_id or "")
    assert (record.status, record.error) == ("interrupted", "cancelled by the user")
    assert list((tmp_path / "runs").iterdir()) == []
