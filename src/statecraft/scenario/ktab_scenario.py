"""Converting between KTAB's CSV data and statecraft scenarios (plain data, no I/O).

KTAB knows actors, a capability ("Power"), and per dimension a position and a salience
(0-100, each actor's saliences summing to at most 100). Choices made where the formats
differ:

- Actor kind: KTAB has none; imported actors are ``organisation``. Ids are derived from
  the names (lowercase, '-' for anything else, made unique); names are kept.
- Status quo: KTAB has none; it is set to the capability x salience weighted mean of the
  positions (rounded to 0.1), which no SMP computation reads.
- Scale: KTAB's dimensions have no named points; imported issues get 0, 50 and 100.
- Export: ranges are taken at their midpoints; an absent stance is written at the status
  quo with salience 0; saliences are multiplied by 100. An actor whose saliences then sum
  to more than 100 is an error unless ``normalise`` scales its row down to 100.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from statecraft.errors import OptionError
from statecraft.scenario.compile import midpoint
from statecraft.scenario.ktab import KtabData
from statecraft.scenario.schema import Scenario


def _ids(names: tuple[str, ...], prefix: str) -> list[str]:
    out: list[str] = []
    for k, name in enumerate(names):
        base = re.sub(r"[^a-z0-9_]+", "-", name.strip().lower()).strip("-_") or f"{prefix}{k}"
        if not base[0].isalnum():
            base = f"{prefix}{base}"
        ident, n = base[:60], 2
        while ident in out:
            ident, n = f"{base[:56]}-{n}", n + 1
        out.append(ident)
    return out


def ktab_to_scenario(data: KtabData, source_title: str = "KTAB scenario file") -> dict[str, Any]:
    """A statecraft scenario (plain data, ready to dump as YAML) from KTAB data."""
    actors = _ids(data.actor_names, "a")
    issues = _ids(data.dimension_names, "d")
    sq = data.to_model_inputs().status_quo
    note = "KTAB CSV"
    return {
        "name": data.name.strip() or "KTAB scenario",
        "description": data.description.strip() or None,
        "sources": [{"id": "ktab", "kind": "dataset", "title": source_title,
                     "note": "imported from KTAB's CSV format"}],
        "actors": [{"id": a, "name": data.actor_names[k].strip(), "kind": "organisation",
                    "capability": float(data.capability[k]),
                    "source": {"dataset": "ktab", "note": f"{note}: Power"},
                    "note": data.actor_descriptions[k].strip() or None}
                   for k, a in enumerate(actors)],
        "issues": [{"id": i, "question": data.dimension_names[k].strip() or i,
                    "scale": {0: "0 on the KTAB dimension", 50: "midway",
                              100: "100 on the KTAB dimension"},
                    "status_quo": round(float(sq[k]), 1),
                    "note": "KTAB has no status quo: the capability x salience weighted mean"}
                   for k, i in enumerate(issues)],
        "stances": [{"actor": a, "issue": i, "position": float(data.position[ka][ki]),
                     "salience": float(data.salience[ka][ki]) / 100,
                     "source": {"dataset": "ktab",
                                "note": f"{note}: {data.dimension_names[ki].strip()}"}}
                    for ka, a in enumerate(actors) for ki, i in enumerate(issues)],
    }


def scenario_to_ktab(scenario: Scenario, *, normalise: bool = False) -> KtabData:
    """KTAB data from a scenario (midpoints; absent stances at the status quo, salience 0)."""
    stance = {(s.actor, s.issue): s for s in scenario.stances}
    positions, saliences = [], []
    for a in scenario.actors:
        pos, sal = [], []
        for i in scenario.issues:
            st = stance.get((a.id, i.id))
            pos.append(midpoint(st.position) if st else i.status_quo)
            sal.append(100 * midpoint(st.salience) if st else 0.0)
        total = float(np.sum(sal))
        if total > 100 + 1e-9:
            if not normalise:
                raise OptionError(f"actor {a.id!r}: saliences sum to {total:g} on KTAB's "
                                  "0-100 scale, and KTAB allows at most 100; normalising "
                                  "scales each actor's saliences down to sum to 100",
                                  "normalise")
            sal = [s * 100 / total for s in sal]
        positions.append(tuple(float(p) for p in pos))
        saliences.append(tuple(float(s) for s in sal))
    return KtabData(
        name=scenario.name, description=scenario.description or "",
        actor_names=tuple(a.name for a in scenario.actors),
        actor_descriptions=tuple(a.note or "" for a in scenario.actors),
        capability=tuple(midpoint(a.capability) for a in scenario.actors),
        position=tuple(positions), salience=tuple(saliences),
        dimension_names=tuple(i.id for i in scenario.issues),
        salience_names=tuple(f"Sal-{i.id}" for i in scenario.issues),
    )
