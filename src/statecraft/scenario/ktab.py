"""KTAB's CSV scenario format: parse it into ``KtabData`` and write it back.

The format (KTAB, KAPSARC, examples/smp) is one header row ``ScenarioName, Description,
nActors, nDims``, one row of column headers (``Actor, Description, Power``, then a
position and a salience header per dimension), then one row per actor: name,
description, capability, and a position (0-100) and a salience (0-100) per dimension.
An actor's saliences sum to at most 100. Trailing empty fields are allowed anywhere.

Pure functions on text: no paths, no I/O. Every error is a ``ValueError`` that names
the row (1-based, as a spreadsheet shows it) and, where it applies, the column.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from statecraft.models.inputs import ModelInputs

SALIENCE_TOTAL_TOL = 1e-9
"""Slack allowed on an actor's total salience of 100 (sums of decimals round)."""


@dataclass(frozen=True)
class KtabData:
    """One KTAB scenario as its CSV holds it (positions and saliences on 0-100).

    Attributes:
        name, description: the scenario's name and description (first row).
        actor_names, actor_descriptions: one per actor, in file order.
        capability: ``(actor,)`` capabilities ("Power"), each >= 0.
        position: ``(actor, dimension)`` positions on 0-100, as nested tuples.
        salience: ``(actor, dimension)`` saliences on 0-100; each row sums to <= 100.
        dimension_names: the position column headers, one per dimension.
        salience_names: the salience column headers, one per dimension.
    """

    name: str
    description: str
    actor_names: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    capability: tuple[float, ...]
    position: tuple[tuple[float, ...], ...]
    salience: tuple[tuple[float, ...], ...]
    dimension_names: tuple[str, ...]
    salience_names: tuple[str, ...]

    @property
    def n_actors(self) -> int:
        """Number of actors."""
        return len(self.actor_names)

    @property
    def n_dims(self) -> int:
        """Number of dimensions (issues)."""
        return len(self.dimension_names)

    def to_model_inputs(self, status_quo: np.ndarray | None = None) -> ModelInputs:
        """The scenario as a batch-1 ``ModelInputs`` (saliences divided by 100).

        KTAB has no status quo; unless one is given (``(dimension,)`` on 0-100), it is set
        to the capability x salience weighted mean of the positions, which no SMP
        computation reads. Actor names become actor ids, dimension names issue ids.
        """
        cap = np.array(self.capability, dtype=np.float64)
        pos = np.array(self.position, dtype=np.float64).reshape(self.n_actors, self.n_dims)
        sal = np.array(self.salience, dtype=np.float64).reshape(self.n_actors, self.n_dims)
        sal = sal / 100.0
        if status_quo is None:
            w = cap[:, None] * sal
            tot = w.sum(axis=0)
            sq = np.where(tot > 0, (w * pos).sum(axis=0) / np.where(tot > 0, tot, 1.0), 50.0)
        else:
            sq = np.asarray(status_quo, dtype=np.float64)
        return ModelInputs(
            actor_ids=self.actor_names,
            issue_ids=self.dimension_names,
            capability=cap[None, :],
            position=pos[None],
            salience=sal[None],
            present=np.ones((self.n_actors, self.n_dims), dtype=bool),
            status_quo=sq,
        )


def _rows(text: str) -> list[list[str]]:
    """CSV rows with surrounding whitespace stripped and trailing empty fields dropped."""
    out = []
    for raw in csv.reader(io.StringIO(text), skipinitialspace=True):
        row = [f.strip() for f in raw]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def _number(value: str, row: int, col: int, header: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise ValueError(f"row {row}, column {col} ({header}): {value!r} is not a number"
                         ) from None
    if not math.isfinite(x):
        raise ValueError(f"row {row}, column {col} ({header}): {value!r} is not finite")
    return x


def _count(value: str, row: int, col: int, what: str, least: int) -> int:
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"row {row}, column {col} ({what}): {value!r} is not a whole number"
                         ) from None
    if n < least:
        raise ValueError(f"row {row}, column {col} ({what}): must be at least {least}, got {n}")
    return n


def read_ktab_csv(text: str) -> KtabData:
    """Parse KTAB's SMP CSV text into ``KtabData``; ``ValueError`` naming row/column if bad."""
    rows = _rows(text)
    while rows and not rows[-1]:
        rows.pop()  # blank lines at the end
    if not rows or not rows[0]:
        raise ValueError("row 1: empty; expected 'ScenarioName, Description, nActors, nDims'")
    head = rows[0]
    if len(head) < 4:
        raise ValueError(f"row 1: expected 'ScenarioName, Description, nActors, nDims', "
                         f"got {len(head)} field(s)")
    n_act = _count(head[2], 1, 3, "nActors", 1)
    n_dim = _count(head[3], 1, 4, "nDims", 1)
    width = 3 + 2 * n_dim
    if len(rows) < 2:
        raise ValueError("row 2: missing; expected the column headers")
    hdr = rows[1]
    if len(hdr) < width:
        raise ValueError(f"row 2: expected {width} column headers (Actor, Description, Power, "
                         f"then position and salience for {n_dim} dimension(s)), got {len(hdr)}")
    dim_names = tuple(hdr[3 + 2 * d] for d in range(n_dim))
    sal_names = tuple(hdr[4 + 2 * d] for d in range(n_dim))
    body = rows[2:]
    if len(body) != n_act:
        raise ValueError(f"row 1, column 3 (nActors): says {n_act} actor(s) but "
                         f"{len(body)} actor row(s) follow")
    names: list[str] = []
    descs: list[str] = []
    caps: list[float] = []
    poss: list[tuple[float, ...]] = []
    sals: list[tuple[float, ...]] = []
    for a, row in enumerate(body):
        r = a + 3
        if len(row) != width:
            raise ValueError(f"row {r}: expected {width} fields, got {len(row)}")
        if not row[0]:
            raise ValueError(f"row {r}, column 1 (Actor): the actor's name is empty")
        if row[0] in names:
            raise ValueError(f"row {r}, column 1 (Actor): duplicate actor name {row[0]!r}")
        cap = _number(row[2], r, 3, hdr[2])
        if cap < 0:
            raise ValueError(f"row {r}, column 3 ({hdr[2]}): capability must be >= 0, got {cap}")
        pos, sal = [], []
        for d in range(n_dim):
            cp, cs = 4 + 2 * d, 5 + 2 * d
            p = _number(row[cp - 1], r, cp, hdr[cp - 1])
            s = _number(row[cs - 1], r, cs, hdr[cs - 1])
            if not 0.0 <= p <= 100.0:
                raise ValueError(f"row {r}, column {cp} ({hdr[cp - 1]}): position must lie "
                                 f"in [0, 100], got {p}")
            if not 0.0 <= s <= 100.0:
                raise ValueError(f"row {r}, column {cs} ({hdr[cs - 1]}): salience must lie "
                                 f"in [0, 100], got {s}")
            pos.append(p)
            sal.append(s)
        if sum(sal) > 100.0 + SALIENCE_TOTAL_TOL:
            raise ValueError(f"row {r}: saliences sum to {sum(sal):g}, more than 100")
        names.append(row[0])
        descs.append(row[1])
        caps.append(cap)
        poss.append(tuple(pos))
        sals.append(tuple(sal))
    return KtabData(
        name=head[0], description=head[1], actor_names=tuple(names),
        actor_descriptions=tuple(descs), capability=tuple(caps), position=tuple(poss),
        salience=tuple(sals), dimension_names=dim_names, salience_names=sal_names,
    )


def write_ktab_csv(data: KtabData) -> str:
    """KTAB CSV text for ``data``; ``read_ktab_csv`` gives the same data back.

    Numbers are written in Python's shortest round-tripping form, so nothing is lost.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([data.name, data.description, data.n_actors, data.n_dims])
    hdr = ["Actor", "Description", "Power"]
    for dn, sn in zip(data.dimension_names, data.salience_names, strict=True):
        hdr += [dn, sn]
    w.writerow(hdr)
    for a in range(data.n_actors):
        row: list[str] = [data.actor_names[a], data.actor_descriptions[a],
                          repr(float(data.capability[a]))]
        for d in range(data.n_dims):
            row += [repr(float(data.position[a][d])), repr(float(data.salience[a][d]))]
        w.writerow(row)
    return buf.getvalue()
