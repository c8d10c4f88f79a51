"""Stopping a forecast: ``should_stop`` is asked often, a stop leaves the run interrupted
with no data file, and running a block in sub-batches (so it can be asked) changes no
number."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from statecraft import api
from statecraft.api.running import model_function
from statecraft.scenario import load_scenario
from statecraft.store import RunStore
from statecraft.uncertainty import BLOCK
from statecraft.uncertainty.runner import Pacer, Stopped, run_batch, run_chunk
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def many_actors(actors: int, issues: int) -> str:
    """A valid scenario text with every capability, position and salience a range."""
    lines = ["name: Many actors", "sources:",
             "  - {id: notes, kind: dataset, title: Made-up figures, year: 2024}", "actors:"]
    lines += [f"  - {{id: a{a}, name: Actor {a}, kind: state, capability: [{1 + a % 7}, "
              f"{3 + a % 7}], source: {{dataset: notes}}}}" for a in range(actors)]
    lines.append("issues:")
    lines += [f"  - {{id: i{i}, question: Issue {i}?, scale: {{0: none, 50: half, 100: all}}, "
              "status_quo: 50}" for i in range(issues)]
    lines.append("stances:")
    for a in range(actors):
        for i in range(issues):
            p = (a * 37 + i * 11) % 90
            lines.append(f"  - {{actor: a{a}, issue: i{i}, position: [{p}, {p + 10}], "
                         "salience: [0.3, 0.9], source: {dataset: notes}}")
    return "\n".join(lines) + "\n"


def stop_after(polls: int, reason: str = "the client went away"
               ) -> tuple[Callable[[], str | None], list[int]]:
    """A ``should_stop`` that lets ``polls`` calls pass, then gives ``reason``; and the
    count of calls made."""
    count = [0]

    def should_stop() -> str | None:
        count[0] += 1
        return reason if count[0] > polls else None

    return should_stop, count


def leftovers(store: Path) -> list[str]:
    return sorted(p.name for p in (store / "runs").glob("*.parquet*"))


@pytest.mark.parametrize("model", sorted(api.MODELS))
def test_a_block_run_in_sub_batches_gives_the_very_numbers_of_one_piece(model: str) -> None:
    text = many_actors(6, 2)
    fn = model_function(model)
    whole = run_chunk(text, None, fn, {}, 17, 0, 1, 200, "random")
    # one sample at a time after a first sub-batch of 7: 194 pieces
    pacer = Pacer(lambda: None, seconds=0.0, first=7)
    pieces = run_chunk(text, None, fn, {}, 17, 0, 1, 200, "random", pacer=pacer)
    assert pacer.polls == 1 + 194  # before the block, and before every piece
    np.testing.assert_array_equal(pieces.inputs, whole.inputs)
    np.testing.assert_array_equal(pieces.outcomes, whole.outcomes)


@pytest.mark.parametrize("method", ["random", "lhs"])
def test_a_run_asked_whether_to_stop_gives_what_an_unasked_run_gives(method: str) -> None:
    loaded = load_scenario(SMALL)
    issues = [i.id for i in loaded.scenario.issues]
    args = {"samples": 3 * BLOCK + 5, "seed": 4, "model": "eum",
            "model_fn": model_function("eum"), "issue_ids": issues, "method": method,
            "chunk_size": 2 * BLOCK}
    plain = run_batch(loaded.text, **args)  # type: ignore[arg-type]
    asked, count = stop_after(10**9)
    paced = run_batch(loaded.text, should_stop=asked, **args)  # type: ignore[arg-type]
    assert count[0] >= 2 + 4  # before each chunk and each block at least
    np.testing.assert_array_equal(paced.outcomes, plain.outcomes)


def test_a_stop_after_some_polls_interrupts_the_stored_run_and_leaves_no_data(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    should_stop, count = stop_after(15)
    done: list[int] = []
    with pytest.raises(api.ForecastStopped) as info:
        api.forecast_run(api.load(SMALL), samples=20 * BLOCK, seed=3, model="eum",
                     chunk_size=BLOCK, store=store, should_stop=should_stop,
                     progress=done.append)
    stopped = info.value
    assert stopped.reason == "the client went away" and stopped.run_id is not None
    assert count[0] == 16  # nothing asked, run or written after the stop
    assert done and done[-1] < 20 * BLOCK  # some chunks were written, not all
    record = store.get(stopped.run_id)
    assert record.status == "interrupted" and record.error == "the client went away"
    assert leftovers(tmp_path) == []
    with pytest.raises(api.ForecastStopped):  # stopped before the first chunk: same
        api.forecast_run(api.load(SMALL), samples=300, seed=3, store=store,
                     should_stop=lambda: "shutting down")
    assert leftovers(tmp_path) == []
    assert {r.status for r in store.list()} == {"interrupted"}


def test_a_stop_is_not_a_value_error_and_names_no_run_without_a_store() -> None:
    assert not issubclass(api.ForecastStopped, ValueError)  # the web's 400 is for ValueError
    assert api.ForecastStopped is Stopped
    should_stop, _ = stop_after(2, "time limit")
    with pytest.raises(api.ForecastStopped) as info:
        api.forecast_run(api.load(SMALL), samples=5 * BLOCK, seed=1, chunk_size=BLOCK,
                     should_stop=should_stop)
    assert (info.value.reason, info.value.run_id) == ("time limit", None)
    assert str(info.value) == "time limit"


def test_ctrl_c_in_the_middle_of_a_block_still_marks_the_run_interrupted(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    count = [0]

    def ctrl_c() -> str | None:  # a KeyboardInterrupt arriving between two sub-batches
        count[0] += 1
        if count[0] == 9:
            raise KeyboardInterrupt
        return None

    with pytest.raises(KeyboardInterrupt):
        api.forecast_run(api.load(SMALL), samples=6 * BLOCK, seed=2, chunk_size=BLOCK,
                     store=store, should_stop=ctrl_c)
    (record,) = store.list()
    assert record.status == "interrupted"
    assert store.get(record.id).error == "interrupted"
    assert leftovers(tmp_path) == []


def test_a_process_pool_run_stops_between_chunks_and_cancels_the_rest(
        tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    should_stop, _ = stop_after(3, "enough")
    done: list[int] = []
    with pytest.raises(api.ForecastStopped) as info:
        api.forecast_run(api.load(SMALL), samples=60 * BLOCK, seed=8, chunk_size=BLOCK,
                     workers=2, store=store, should_stop=should_stop, progress=done.append)
    assert info.value.run_id is not None
    assert store.get(info.value.run_id).status == "interrupted"
    assert (done[-1] if done else 0) < 60 * BLOCK
    assert leftovers(tmp_path) == []


def test_a_stop_inside_a_slow_block_ends_the_run_within_a_second(tmp_path: Path) -> None:
    """A block of this scenario takes many seconds of model work; the stop comes a
    second into the first block and must not wait for the block's end."""
    path = tmp_path / "slow.yaml"
    path.write_text(many_actors(40, 2))
    loaded = api.load(path)
    api.forecast_run(loaded, samples=4, seed=1, calibrated=False)  # the kernel compiled first
    flag = threading.Event()
    fired: list[float] = []
    polls: list[float] = []
    done: list[int] = []

    def fire() -> None:
        fired.append(time.perf_counter())
        flag.set()

    def should_stop() -> str | None:
        polls.append(time.perf_counter())
        return "stop" if flag.is_set() else None

    timer = threading.Timer(1.0, fire)
    store = RunStore(tmp_path / "store")
    timer.start()
    try:
        with pytest.raises(api.ForecastStopped):
            api.forecast_run(loaded, samples=2 * BLOCK, seed=1, chunk_size=BLOCK, store=store,
                         calibrated=False, should_stop=should_stop, progress=done.append)
        lag = time.perf_counter() - fired[0]
    finally:
        timer.cancel()
    assert lag < 1.0, f"stopped {lag:.2f} s after the flag"
    assert done == []  # inside the first block: no chunk had finished
    assert len(polls) > 3  # asked between sub-batches, not only between blocks
    assert store.list()[0].status == "interrupted"
    assert leftovers(tmp_path / "store") == []
