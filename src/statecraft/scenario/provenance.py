"""Where an edited scenario's values come from: the scenario it was edited from (its cited
original) and every value that differs from it.

A run made from an edited scenario keeps its cited original (``Cited``). ``differences``
compares the two, value by value, so that the report, the page and ``runs show`` all mark
the same edits the same way: the value used, then the cited one. A value's sources cite
the cited value, never an edit made to it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from statecraft.scenario.schema import Scenario, Uncertain

Field = Literal["capability", "status_quo", "position", "salience"]


def text_sha256(text: str) -> str:
    """The SHA-256 of a scenario's text as UTF-8 (what the run store records)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def format_value(value: Uncertain | None) -> str:
    """A value as the page and the command line write it: ``0.3`` or ``0.7-0.9``."""
    if value is None:
        return "(absent)"
    if isinstance(value, tuple):
        low, high = value
        return f"{low:g}" if low == high else f"{low:g}-{high:g}"
    return f"{value:g}"


def _pair(value: Uncertain) -> tuple[float, float]:
    """A value as a (low, high) range: a fixed value and an equal range are the same."""
    return (float(value[0]), float(value[1])) if isinstance(value, tuple) else (
        float(value), float(value))


@dataclass(frozen=True)
class Edit:
    """One value of the scenario used that is not the cited scenario's: an actor's
    capability, an issue's status quo, or a stance's position or salience. ``cited`` is
    None for a value the cited scenario lacks; ``used`` for one the scenario used lacks."""

    field: Field
    actor: str | None
    issue: str | None
    cited: Uncertain | None
    used: Uncertain | None

    @property
    def where(self) -> str:
        """Whose value it is: ``rus on azerbaijan_alignment``, ``rus``, ``peacekeepers``."""
        if self.actor is not None and self.issue is not None:
            return f"{self.actor} on {self.issue}"
        return self.actor or self.issue or ""

    def describe(self) -> str:
        """The value used, then the cited one: ``salience 0.3 (edited; cited 0.7-0.9)``."""
        name = self.field.replace("_", " ")
        if self.cited is None:
            return f"{name} {format_value(self.used)} (added; not in the cited scenario)"
        if self.used is None:
            return f"{name} (removed; cited {format_value(self.cited)})"
        return f"{name} {format_value(self.used)} (edited; cited {format_value(self.cited)})"

    def as_dict(self) -> dict[str, Any]:
        def plain(v: Uncertain | None) -> float | list[float] | None:
            return list(v) if isinstance(v, tuple) else v

        return {"field": self.field, "actor": self.actor, "issue": self.issue,
                "cited": plain(self.cited), "used": plain(self.used),
                "text": f"{self.where}: {self.describe()}"}


def _compare(field: Field, actor: str | None, issue: str | None, cited: Uncertain | None,
             used: Uncertain | None) -> Iterator[Edit]:
    if cited is None or used is None or _pair(cited) != _pair(used):
        yield Edit(field, actor, issue, cited, used)


def differences(cited: Scenario, used: Scenario) -> list[Edit]:
    """Every value of ``used`` that is not ``cited``'s, and every value ``cited`` has that
    ``used`` lacks: capabilities, status quos, then stances (position before salience),
    in ``used``'s order, then what only ``cited`` has. A fixed value equals the range
    from it to itself."""
    out: list[Edit] = []
    c_actors = {a.id: a for a in cited.actors}
    u_actors = {a.id: a for a in used.actors}
    for a in used.actors:
        was = c_actors.get(a.id)
        out += _compare("capability", a.id, None, was.capability if was else None,
                        a.capability)
    c_issues = {i.id: i for i in cited.issues}
    u_issues = {i.id: i for i in used.issues}
    for i in used.issues:
        old = c_issues.get(i.id)
        out += _compare("status_quo", None, i.id, old.status_quo if old else None,
                        i.status_quo)
    c_stances = {(s.actor, s.issue): s for s in cited.stances}
    u_stances = {(s.actor, s.issue): s for s in used.stances}
    for s in used.stances:
        st = c_stances.get((s.actor, s.issue))
        out += _compare("position", s.actor, s.issue, st.position if st else None, s.position)
        out += _compare("salience", s.actor, s.issue, st.salience if st else None, s.salience)
    out += [Edit("capability", a.id, None, a.capability, None)
            for a in cited.actors if a.id not in u_actors]
    out += [Edit("status_quo", None, i.id, i.status_quo, None)
            for i in cited.issues if i.id not in u_issues]
    for s in cited.stances:
        if (s.actor, s.issue) not in u_stances:
            out += [Edit("position", s.actor, s.issue, s.position, None),
                    Edit("salience", s.actor, s.issue, s.salience, None)]
    return out


def other_differences(cited: Scenario, used: Scenario) -> bool:
    """Whether anything besides the values ``differences`` lists differs (names, scales,
    sources, quotes, options, rules...): those are not itemised, so a reader is told."""

    def rest(s: Scenario) -> dict[str, Any]:
        data = s.model_dump(warnings=False)
        for a in data["actors"]:
            a.pop("capability")
        for i in data["issues"]:
            i.pop("status_quo")
        for st in data["stances"]:
            st.pop("position")
            st.pop("salience")
        return data

    return rest(cited) != rest(used)


@dataclass(frozen=True)
class Cited:
    """The scenario an edited one was made from, whose sources its values cite: ``name``
    is the bundled scenario's file name or the uploaded file's name, ``path`` the file's
    path when it is a file on this machine, ``sha256`` its text's hash."""

    name: str
    sha256: str
    text: str
    scenario: Scenario
    path: str | None = None

    def origin(self) -> dict[str, str]:
        """What a run records of it beside the text: name, path (when a file), hash."""
        out = {"name": self.name, "sha256": self.sha256}
        if self.path is not None:
            out["path"] = self.path
        return out

    def edits(self, used: Scenario) -> list[Edit]:
        """The values of ``used`` that are not this scenario's (``differences``)."""
        return differences(self.scenario, used)
