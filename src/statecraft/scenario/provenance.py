"""Where an edited scenario's values come from: the scenario it was edited from (its cited
original) and every value that differs from it.

A run made from an edited scenario keeps its cited original (``Cited``). ``differences``
compares the two, value by value, so that the report, the page and ``runs show`` all mark
the same edits the same way: the value used, then the cited one. A value's sources cite
the cited value, never an edit made to it.

An edited copy saved as a file carries its provenance as data (the scenario's
``edited_from`` field: the original's name and hash, and each edited value with its cited
one). ``declared_edits`` checks that block against the file's own values when the file is
loaded and gives the loaded scenario a ``Cited`` whose values are the cited ones, so the
copy's edits are marked wherever it goes, as an edited run's are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from statecraft.scenario.errors import Path_, Problem, found_expected
from statecraft.scenario.schema import Scenario, Uncertain
from statecraft.scenario.yamlsafe import Parsed, YamlProblem, parse_yaml

Field = Literal["capability", "status_quo", "position", "salience"]
Key = tuple[Field, str | None, str | None]
"""Whose value: (field, actor, issue), as ``Edit`` names it."""


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
        data.pop("edited_from", None)  # what a copy says of its edits: not another change
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
    path when it is a file on this machine, ``sha256`` its text's hash. ``text`` is that
    text when it is at hand (an edit made here; a run records it), None when the original
    is known only from an edited copy's ``edited_from`` block; ``scenario`` holds the cited
    values either way."""

    name: str
    sha256: str
    text: str | None  # None: known only from an edited copy's ``edited_from`` block
    scenario: Scenario  # its values are the cited ones
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


def value_at(scenario: Scenario, key: Key) -> tuple[Uncertain | None, Path_ | None]:
    """The value ``key`` names in ``scenario`` and its field path in the file, or
    (None, None) when the scenario has no such value."""
    what, actor, issue = key
    if what == "capability":
        for i, a in enumerate(scenario.actors):
            if a.id == actor and issue is None:
                return a.capability, ("actors", i, "capability")
    elif what == "status_quo":
        for i, iss in enumerate(scenario.issues):
            if iss.id == issue and actor is None:
                return iss.status_quo, ("issues", i, "status_quo")
    else:
        for i, st in enumerate(scenario.stances):
            if (st.actor, st.issue) == (actor, issue):
                return getattr(st, what), ("stances", i, what)
    return None, None


def with_values(scenario: Scenario, values: Mapping[Key, Uncertain]) -> Scenario:
    """``scenario`` with the values ``values`` names replaced (each must exist), all else as
    it is: the cited scenario of an edited copy, or an edit's result before it is written."""
    if not values:
        return scenario

    def put(model: Any, key: Key) -> Any:
        return model.model_copy(update={key[0]: values[key]}) if key in values else model

    return scenario.model_copy(update={
        "actors": [put(a, ("capability", a.id, None)) for a in scenario.actors],
        "issues": [put(i, ("status_quo", None, i.id)) for i in scenario.issues],
        "stances": [put(put(st, ("position", st.actor, st.issue)),
                        ("salience", st.actor, st.issue)) for st in scenario.stances]})


def _where(key: Key) -> str:
    what, actor, issue = key
    return Edit(what, actor, issue, None, None).where


def _plain(value: Uncertain) -> float | list[float]:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Declared:
    """What an edited copy's ``edited_from`` block says, checked against the file: its
    problems (located), a note for ``validate``, and the cited original (None without a
    block, or with a block that does not hold)."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    cited: Cited | None = None


def _original_problems(block: Any, original: str, add: Callable[..., None], *,
                       strict: bool) -> bool:
    """The block's claims checked against the named original's text: its SHA-256, and
    each change's cited value against the original's value (an error at each that
    differs: with the hash matching, a cited value that is not the original's is false).
    A hash that differs means the original found is another version of it (a bundled
    scenario revised since the copy was made) or the block was written by hand: the
    cited values cannot be checked, a warning (an error under ``strict``), so a copy of
    an older version still loads. True when the cited values were verified."""
    sha = text_sha256(original)
    if block.sha256 != sha:
        add(("edited_from", "sha256"), found_expected(
            block.sha256, f"the SHA-256 of {block.name}'s text, {sha}: the {block.name} "
            "found is not the version this copy was made from (revised since, or the block "
            "was written by hand), so its cited values cannot be checked"),
            "error" if strict else "warning")
        return False
    try:
        cited_original = Scenario.model_validate(parse_yaml(original, block.name).data)
    except (YamlProblem, ValueError):
        return False  # the original itself does not validate: its values cannot be compared
    for k, change in enumerate(block.changes):
        key: Key = (change.field, change.actor, change.issue)
        value, _ = value_at(cited_original, key)
        if value is not None and _pair(value) != _pair(change.cited):
            add(("edited_from", "changes", k, "cited"), found_expected(
                _plain(change.cited), f"the {change.field.replace('_', ' ')} of "
                f"{_where(key)} in {block.name}, {format_value(value)} (the cited value is "
                "the original's)"))
    return True


def declared_edits(scenario: Scenario, parsed: Parsed, filename: str, *,
                   strict: bool = False, original: str | None = None,
                   looked: str = "") -> Declared:
    """Check an edited copy's ``edited_from`` block against the file's values.

    Each change must name a value the file gives (else an error at the change), its
    ``used`` must be that value (else an error at ``used``: the file was changed after the
    block was written), and no value may be listed twice. Each edited value is a warning
    located at the value (an error under ``strict``: its sources support the cited value,
    not this one). The cited original's values are the file's with each change's cited
    value put back.

    ``original`` is the named original's text when it was found (a bundled scenario of
    that name, or a file of that name beside the copy): the block's ``sha256`` must be its
    hash and each cited value its value, else an error at the field. When it was not
    found (``looked`` says where it was looked for), the note says the cited values are
    unverified."""
    block = scenario.edited_from
    if block is None:
        return Declared()
    out: list[Problem] = []

    def add(path: Path_, message: str, severity: Literal["error", "warning"] = "error"
            ) -> None:
        mark = parsed.mark_of(path)
        line, col = mark if mark else (None, None)
        out.append(Problem(filename, line, col, path, message, severity))

    cited: dict[Key, Uncertain] = {}
    edited: list[tuple[Key, Path_, Uncertain, Uncertain]] = []
    for k, change in enumerate(block.changes):
        at: Path_ = ("edited_from", "changes", k)
        key: Key = (change.field, change.actor, change.issue)
        name = change.field.replace("_", " ")
        value, path = value_at(scenario, key)
        if path is None or value is None:
            add(at, f"no {name} of {_where(key)} in this file: each change names a value "
                "the file gives")
            continue
        if key in cited:
            add(at, f"a second change of the {name} of {_where(key)}")
            continue
        if _pair(value) != _pair(change.used):
            add((*at, "used"), found_expected(
                _plain(change.used), f"the {name} of {_where(key)} this file gives, "
                f"{format_value(value)} (the value was changed after this list was "
                "written: correct the entry, or remove it if the value is the cited one "
                "again)"))
            continue
        cited[key] = change.cited
        if _pair(change.cited) == _pair(change.used):
            add(at, f"lists no edit: the cited {name} of {_where(key)} and the one used are "
                f"both {format_value(value)} (remove the entry)", "warning")
            continue
        edited.append((key, path, change.cited, value))
    verified = original is not None and _original_problems(block, original, add,
                                                            strict=strict)
    if any(p.severity == "error" for p in out):
        return Declared(out)
    for (what, _, _), path, was, now in edited:
        name = what.replace("_", " ")
        message = (f"{name} {format_value(now)} is an edit of the cited {format_value(was)} "
                   f"(edited from {block.name}): its sources support the cited value, not "
                   "this one")
        if strict:
            add(path, message + " (strict validation wants every value supported by its sources: "
                "restore the cited value, or give this value a source of its own, such as "
                "a judgment, and remove its entry from edited_from)")
        else:
            add(path, message, "warning")
    n = len(edited)
    note = (f"{n} value{'s are edits' if n != 1 else ' is an edit'} of a cited original "
            f"({block.name}, sha256 {block.sha256[:12]}...): the sources support the cited "
            f"value{'s' if n != 1 else ''}, not the edit{'s' if n != 1 else ''}"
            if n else f"edited from {block.name} (sha256 {block.sha256[:12]}...); no value "
            "differs from it")
    note += ("; the original was found and its hash and cited values match" if verified
             else f"; the cited values are unverified: the {block.name} found is another "
             "version of it" if original is not None
             else f"; the cited values are unverified: {block.name} was not found"
             + (f" ({looked})" if looked else ""))
    return Declared(out, [note], Cited(block.name, block.sha256, None,
                                        with_values(scenario, cited)))
