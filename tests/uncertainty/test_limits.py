"""What a forecast accepts before anything runs or is registered: its seed, its samples
(a stated cap and the memory the run would need), its chunk size and workers."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from statecraft import api
from statecraft.store import RunStore
from statecraft.uncertainty import limits
from statecraft.uncertainty.limits import (
    MAX_SAMPLES,
    MAX_SEED,
    available_memory,
    check_samples,
    check_seed,
    run_bytes,
)
from tests.conftest import DATA

SMALL = DATA / "small.yaml"


def test_seeds_from_0_to_2_63_minus_1_pass_and_nothing_else() -> None:
    assert MAX_SEED == 9_223_372_036_854_775_807  # SQLite's largest INTEGER
    for ok in (0, 1, MAX_SEED):
        check_seed(ok)
    for bad in (-1, MAX_SEED + 1, 2**64, True, 1.5, "7"):
        with pytest.raises(ValueError, match=r"^seed: found .*; expected a whole number "
                                             r"from 0 to 9223372036854775807"):
            check_seed(bad)  # type: ignore[arg-type]


def test_samples_below_1_or_above_the_cap_are_refused_whatever_the_memory() -> None:
    plenty = 2**60
    check_samples(1, issues=2, inputs=2, available=plenty)
    check_samples(MAX_SAMPLES, issues=2, inputs=2, available=plenty)
    with pytest.raises(ValueError, match=r"^samples: found 0; expected at least 1$"):
        check_samples(0, issues=2, inputs=2, available=plenty)
    with pytest.raises(ValueError, match=r"found 1,000,000,000; expected at most "
                                         r"50,000,000, the most one forecast takes"):
        check_samples(10**9, issues=2, inputs=2, available=plenty)


def test_samples_the_memory_cannot_hold_are_refused_saying_how_much_is_needed() -> None:
    # 1,000,000 samples x (sample, seed, 3 inputs, 5 issues) x 8 bytes x 3 copies
    need = 1_000_000 * 10 * 8 * 3
    assert run_bytes(1_000_000, issues=5, inputs=3) == need
    check_samples(1_000_000, issues=5, inputs=3, available=need)
    with pytest.raises(ValueError, match=r"1,000,000 samples of 5 issue\(s\) and 3 uncertain "
                                         r"input\(s\) need about 0\.2 GiB .*; 0\.1 GiB is "
                                         r"available: take fewer samples"):
        check_samples(1_000_000, issues=5, inputs=3, available=need // 2)


def test_the_memory_available_is_what_the_system_reports() -> None:
    have = available_memory()
    meminfo = Path("/proc/meminfo")
    if not meminfo.is_file():
        pytest.skip("no /proc/meminfo to compare with")
    line = next(x for x in meminfo.read_text().splitlines() if x.startswith("MemAvailable:"))
    reported = int(line.split()[1]) * 1024
    assert have is not None and abs(have - reported) < 0.2 * reported  # moments apart


def test_the_memory_rule_covers_what_a_forecast_needs_per_sample(tmp_path: Path) -> None:
    """The forecast, its summaries and the run read back from the store, at two sizes:
    what the peak grows by per sample stays within the rule (a fixed overhead, such as
    the Parquet writer's buffers, does not grow with the samples)."""
    from statecraft.uncertainty import summary

    loaded = api.load(SMALL)
    store = RunStore(tmp_path)
    api.forecast_run(loaded, samples=1000, seed=1, model="compromise", store=store)  # warm
    peaks = []
    for samples in (100_000, 400_000):
        tracemalloc.start()
        try:
            run = api.forecast_run(loaded, samples=samples, seed=1, model="compromise",
                               store=store)
            summary(run.result)
            run.calibrated_rows()
            store.frames(run.run_id or "")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
    # small.yaml: 2 issues, 2 uncertain inputs
    assert peaks[1] - peaks[0] < run_bytes(300_000, issues=2, inputs=2)


def test_forecast_checks_every_setting_before_registering_a_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(tmp_path)
    loaded = api.load(SMALL)
    cases = [({"seed": -1}, r"^seed: found -1;"),
             ({"seed": 2**64}, r"^seed: found 18446744073709551616;"),
             ({"samples": 0}, r"^samples: found 0; expected at least 1$"),
             ({"samples": 10**9}, r"at most 50,000,000"),
             ({"chunk_size": 0}, r"^chunk_size: found 0; expected a whole number of at "
                                 r"least 1$"),
             ({"workers": -2}, r"^workers: found -2;")]
    for change, message in cases:
        args: dict[str, object] = {"samples": 100, "seed": 1, "store": store}
        args.update(change)
        with pytest.raises(ValueError, match=message):
            api.forecast_run(loaded, **args)  # type: ignore[arg-type]
    monkeypatch.setattr(limits, "available_memory", lambda: 1_000_000)
    with pytest.raises(ValueError, match=r"need about .* GiB of memory"):
        api.forecast_run(loaded, samples=100_000, seed=1, store=store)
    assert store.list() == []  # nothing was registered
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").iterdir())
    ok = api.forecast_run(loaded, samples=10, seed=MAX_SEED, model="median", store=store)
    assert ok.run_id is not None and store.get(ok.run_id).seed == MAX_SEED
