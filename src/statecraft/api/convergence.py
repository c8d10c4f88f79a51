"""How a forecast's runs ended, in words: one run at the midpoints, a Monte Carlo
forecast, or a stored run.

The models say per run and issue whether it settled, cycled or reached its round cap
(``Trajectory.cycle_length``, counted by ``Convergence``); this module words the counts
the same way for ``run``, ``forecast``, ``runs show``, the report and the page:
a sentence per issue where some run did not settle, else one line saying all settled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from statecraft.models import registry
from statecraft.models.trajectory import Convergence, summarise_convergence

if TYPE_CHECKING:  # the store (SQLite, Parquet) is imported only by what reads it
    from statecraft.store.frames import Frames

ONE_STEP_MODELS = registry.one_step()
"""Models that forecast in one step: no rounds, nothing to settle (the registry's)."""


def convergence_lines(conv: Convergence | None, *, noun: str = "samples") -> list[str]:
    """What to print: one sentence per issue where some run cycled or did not converge,
    else one line saying every run settled (or that the model has no rounds); with no
    record of how the runs ended (``conv`` None), a line saying so."""
    if conv is None:
        return [f"How the {noun}' runs ended is not known: the run was saved before "
                "statecraft kept it."]
    if conv.model in ONE_STEP_MODELS:
        return [f"The {conv.model} model forecasts in one step: it has no rounds to "
                "settle."]
    if conv.max_rounds == 0:  # said once, not as every issue failing to settle
        return ["No bargaining round was run (a cap of 0 rounds): each forecast is that of "
                "the initial positions (round 0)."]
    if conv.all_settled:
        runs = conv.issues[0].runs if conv.issues else 0
        if runs == 1:
            return ["The run settled on every issue (a fixed point or the model's stopping "
                    "rule)."]
        return [f"All {runs:,} {noun} settled on every issue (a fixed point or the model's "
                "stopping rule)."]
    return [s + "." for s in conv.sentences(noun=noun)]


def frames_convergence(frames: Frames, model: str) -> Convergence | None:
    """How a stored run's samples ended, from its data read back (``RunStore.read_run``):
    None for a run saved before that was kept."""
    if frames.endings is None:
        return None
    return summarise_convergence(frames.endings.to_numpy(dtype=np.int16),
                                 tuple(frames.endings.columns), model=model,
                                 max_rounds=frames.round_cap)
