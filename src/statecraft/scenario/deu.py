"""The DEU III dataset (decision-making in the European Union) as statecraft inputs.

DEU's tab-separated format: one row per contested issue of a legislative proposal, with
each actor's position ``p<actor>`` (0-100) and salience ``s<actor>`` (0-100), the
reference point ``rp`` (the status quo; often blank) and the outcome ``out``. Actors are
the Commission (``com``), the European Parliament (``ep``) and the member states
(two-letter codes). The public file's second row is not an issue: it holds a GDP figure
per actor, kept here as a capability option. Source: Arregui and Perarnaud (2021), "A new
dataset on legislative decision-making in the European Union: the DEU III dataset",
Journal of European Public Policy; data doi:10.34810/data53 (CC BY 4.0).

Capabilities, a documented choice (``capability=``):

- ``"votes"`` (default): member states' weighted votes in the Council under the Treaty of
  Nice (Council voting weights in force 2004-2014, with Bulgaria and Romania from 2007 and
  Croatia from 2013): DE, FR, IT, UK 29; ES, PL 27; RO 14; NL 13; BE, CZ, EL, HU, PT 12;
  AT, BG, SE 10; DK, IE, LT, SK, FI, HR 7; CY, EE, LV, LU, SI 4; MT 3. The Commission and
  the Parliament hold no Council votes; each is given the weight of the largest member
  state (29), a judgment call: both can block or shape a codecision file about as much as
  one large state.
- ``"gdp"``: the file's GDP row.
- ``"equal"``: every actor 1 (the convention of the reference figures in the anchor's
  README).

Parsing is pure (text in, data out); writing files is ``statecraft.api``'s job.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from statecraft.models.inputs import ModelInputs

Capability = Literal["votes", "gdp", "equal"]
CAPABILITIES: tuple[str, ...] = ("votes", "gdp", "equal")

NICE_VOTES: dict[str, float] = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7, "cy": 4, "ee": 4, "lv": 4,
    "lu": 4, "si": 4, "mt": 3, "com": 29, "ep": 29,
}

ACTOR_NAMES: dict[str, str] = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria",
    "be": "Belgium", "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus",
    "cz": "Czech Republic", "dk": "Denmark", "ee": "Estonia", "fi": "Finland",
    "fr": "France", "de": "Germany", "el": "Greece", "hu": "Hungary", "ie": "Ireland",
    "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta",
    "nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania",
    "si": "Slovenia", "sk": "Slovakia", "es": "Spain", "se": "Sweden",
    "uk": "United Kingdom",
}

_NOT_ACTORS = {"prnrnmc", "prnr", "prname", "proc", "proccde"}


@dataclass(frozen=True)
class DeuIssue:
    """One contested issue: who stood where, how much each cared, and what happened."""

    id: str
    proposal: str
    name: str
    positions: dict[str, float]
    saliences: dict[str, float]
    reference_point: float | None
    outcome: float | None
    row: int


@dataclass(frozen=True)
class DeuData:
    """A parsed DEU file."""

    actors: tuple[str, ...]
    issues: tuple[DeuIssue, ...]
    gdp: dict[str, float]


def _number(cell: str, row: int, col: str, *, lo: float = 0, hi: float = 100) -> float | None:
    text = cell.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"row {row}, column {col!r}: found {text!r}; expected a number "
                         "or a blank cell") from None
    if not np.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"row {row}, column {col!r}: found {value:g}; expected a number "
                         f"from {lo:g} to {hi:g}")
    return value


def read_deu_tsv(text: str) -> DeuData:
    """Parse DEU's tab-separated text; errors name the row (1-based) and the column."""
    rows = list(csv.reader(io.StringIO(text), delimiter="\t"))
    if not rows or "isnr" not in rows[0] or "out" not in rows[0]:
        raise ValueError("row 1: expected a header with the columns isnr, out, p<actor> and "
                         "s<actor>")
    header = [h.strip() for h in rows[0]]
    actors = tuple(h[1:] for h in header
                   if h.startswith("p") and h not in _NOT_ACTORS and "s" + h[1:] in header)
    if not actors:
        raise ValueError("row 1: no actor columns (p<actor> with a matching s<actor>)")
    gdp: dict[str, float] = {}
    issues: list[DeuIssue] = []
    seen: set[str] = set()
    for n, raw in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in raw):
            continue
        if len(raw) > len(header):
            raise ValueError(f"row {n}: {len(raw)} cells; the header has {len(header)}")
        cells = dict(zip(header, raw + [""] * (len(header) - len(raw)), strict=True))
        ident = cells["isnr"].strip()
        if not ident:  # the GDP row: figures in the position columns, nothing else
            for a in actors:
                value = _number(cells["p" + a], n, "p" + a, hi=1e9)
                if value is not None:
                    gdp[a] = value
            continue
        if ident in seen:
            raise ValueError(f"row {n}, column 'isnr': duplicate issue id {ident!r}")
        seen.add(ident)
        positions, saliences = {}, {}
        for a in actors:
            p = _number(cells["p" + a], n, "p" + a)
            s = _number(cells["s" + a], n, "s" + a)
            if p is not None and s is not None:
                positions[a], saliences[a] = p, s
        issues.append(DeuIssue(
            id=ident, proposal=cells.get("prnr", "").strip(), name=cells.get("prname", "").strip(),
            positions=positions, saliences=saliences,
            reference_point=_number(cells.get("rp", ""), n, "rp"),
            outcome=_number(cells["out"], n, "out"), row=n))
    return DeuData(actors, tuple(issues), gdp)


def capabilities(data: DeuData, kind: str = "votes") -> dict[str, float]:
    """Each actor's capability under the chosen convention."""
    if kind == "votes":
        missing = [a for a in data.actors if a not in NICE_VOTES]
        if missing:
            raise ValueError(f"no Council voting weight for actor(s) {', '.join(missing)}")
        return {a: NICE_VOTES[a] for a in data.actors}
    if kind == "gdp":
        missing = [a for a in data.actors if data.gdp.get(a, 0) <= 0]
        if missing:
            raise ValueError(f"the GDP row has no positive figure for {', '.join(missing)}")
        return {a: data.gdp[a] for a in data.actors}
    if kind == "equal":
        return dict.fromkeys(data.actors, 1.0)
    raise ValueError(f"unknown capability {kind!r}; expected one of {', '.join(CAPABILITIES)}")


def usable(issue: DeuIssue) -> bool:
    """An issue a model can forecast: some actor with a position and a positive salience."""
    return any(s > 0 for s in issue.saliences.values())


def to_model_inputs(data: DeuData, kind: str = "votes") -> tuple[ModelInputs, list[DeuIssue]]:
    """All usable issues as the columns of one batch-of-one ``ModelInputs``.

    Every model here treats issues independently, so one call scores the whole file.
    Absent actors are marked absent; a missing reference point becomes 50 in
    ``status_quo`` (never scored: see ``DeuIssue.reference_point``).
    """
    issues = [i for i in data.issues if usable(i)]
    cap = capabilities(data, kind)
    n, k = len(data.actors), len(issues)
    pos = np.full((1, n, k), 50.0)
    sal = np.zeros((1, n, k))
    present = np.zeros((n, k), dtype=bool)
    for col, issue in enumerate(issues):
        for row, a in enumerate(data.actors):
            if a in issue.positions:
                pos[0, row, col] = issue.positions[a]
                sal[0, row, col] = issue.saliences[a] / 100
                present[row, col] = True
    sq = np.array([i.reference_point if i.reference_point is not None else 50.0 for i in issues])
    inputs = ModelInputs(data.actors, tuple(i.id for i in issues),
                         np.array([[cap[a] for a in data.actors]]), pos, sal, present, sq)
    return inputs, issues


def to_scenario(data: DeuData, issue: DeuIssue, kind: str = "votes") -> dict[str, Any]:
    """One issue as a statecraft scenario (plain data, ready to dump as YAML)."""
    cap = capabilities(data, kind)
    note = {"votes": "Council weighted votes under the Treaty of Nice (Commission and "
                     "Parliament: 29, as the largest member state)",
            "gdp": "the GDP row of the DEU file", "equal": "equal capabilities"}[kind]
    sq_note = ("reference point (rp) of the DEU file" if issue.reference_point is not None
               else "no reference point in the DEU file: 50 stands in and is not scored")
    involved = [a for a in data.actors if a in issue.positions]
    return {
        "name": f"DEU {issue.id}: {issue.name or issue.proposal}",
        "description": f"DEU III issue {issue.id} of proposal {issue.proposal} (row {issue.row}).",
        "sources": [{"id": "deu3", "kind": "dataset", "title": "DEU III dataset (public part)",
                     "year": 2021, "url": "https://doi.org/10.34810/data53",
                     "note": "Arregui and Perarnaud (2021), Journal of European Public Policy"}],
        "actors": [{"id": a, "name": ACTOR_NAMES.get(a, a), "kind": "organisation"
                    if a in ("com", "ep") else "state", "capability": float(cap[a]),
                    "source": {"dataset": "deu3", "note": note}} for a in involved],
        "issues": [{"id": _issue_id(issue.id), "question": f"Outcome of DEU issue {issue.id}",
                    "scale": {0: "one end of the issue's policy scale", 50: "midway",
                              100: "the other end of the issue's policy scale"},
                    "status_quo": issue.reference_point if issue.reference_point is not None
                    else 50.0, "note": sq_note}],
        "stances": [{"actor": a, "issue": _issue_id(issue.id), "position": issue.positions[a],
                     "salience": issue.saliences[a] / 100,
                     "source": {"dataset": "deu3", "note": f"p{a} and s{a}, row {issue.row}"}}
                    for a in involved],
    }


def _issue_id(deu_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in deu_id.lower())


def scenario_file_name(issue: DeuIssue) -> str:
    """A safe file name for an issue's scenario."""
    return _issue_id(issue.id) + ".yaml"
