"""The bundled scenario's peacekeepers: its samples are flat from 65 to 100, and the
bottom line says so at any seed and sample count, where it named a 'most likely' point
that moved with them (74.9 at seed 7, 75.1 at seed 8, 99.9 at 5,000 samples, 100 at
2,000)."""

from __future__ import annotations

import numpy as np

from statecraft import api
from statecraft.analysis.bottomline import issue_line, issue_numbers
from tests.conftest import DATA


def test_the_peacekeepers_verdict_is_the_same_at_any_seed_and_sample_count() -> None:
    loaded = api.load(DATA.parent.parent / "scenarios" / "south-caucasus-2021.yaml")
    said = set()
    for seed, samples in ((7, 10_000), (8, 10_000), (7, 2_000), (8, 2_000)):
        result = api.forecast_run(loaded, samples=samples, seed=seed).result
        k = result.issue_ids.index("peacekeepers")
        x = result.outcomes[result.completed()][:, k]
        counts = np.histogram(x, bins=7, range=(65, 100))[0]  # flat: about n/7 a bin
        assert counts.min() > 0.85 * x.size / 7 and x.min() >= 65
        scale = loaded.scenario.issue("peacekeepers").scale
        text = issue_line(issue_numbers("peacekeepers", scale, x, None)).modes
        assert text is not None and "most likely" not in text.lower()
        said.add(text.split(" (")[0])
    assert said == {"The samples spread evenly from about 65 to 100"}
