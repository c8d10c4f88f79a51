"""Changing stance values in a scenario's text, for what-if runs (the web app's controls).

Each changed value is rewritten where it is written in the text, and nothing else is: the
layout, the comments and every other value stay byte for byte. The copy then says what it
was edited from as data, in the scenario's ``edited_from`` field (appended at the end, or
replacing the block of a text that is itself an edited copy): the original's name and
hash and each edited value with its cited one, so the copy's edits are marked wherever it
is loaded again. The result is read back with the project's own safe loader and must hold
exactly the values meant; a text whose value cannot be rewritten where it is written (a
value reached through an alias's anchor or a merge key, a flow-style top level) is written
anew from its parsed data instead (its comments are then lost).

``load_edited`` validates the result and keeps the text it was edited from
(``Loaded.cited``), so that a run of it records its cited original and never passes for it.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from statecraft.scenario.errors import Path_, Problem, ScenarioError
from statecraft.scenario.load import Loaded, load_scenario_text
from statecraft.scenario.provenance import (
    Cited,
    Key,
    differences,
    text_sha256,
    value_at,
    with_values,
)
from statecraft.scenario.schema import Scenario
from statecraft.scenario.yamlsafe import YamlProblem, parse_yaml

Value = float | tuple[float, float]

_RANGES = {"position": (0.0, 100.0), "salience": (0.0, 1.0)}


@dataclass(frozen=True)
class StanceChange:
    """New values for one actor's stance on one issue (None leaves a value as it was)."""

    actor: str
    issue: str
    position: Value | None = None
    salience: Value | None = None


# ---- writing values as YAML ------------------------------------------------------------

_PLAIN_WORD = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")


def yaml_number(x: float) -> str:
    """A number as YAML 1.1 (PyYAML) reads it back as the same number: ``40``, ``0.3``,
    ``1.0e-05`` (PyYAML takes ``1e-05`` for text)."""
    if math.isnan(x):
        return ".nan"
    if math.isinf(x):
        return ".inf" if x > 0 else "-.inf"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    text = repr(float(x))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        if exponent[0] not in "+-":
            exponent = "+" + exponent
        text = f"{mantissa}e{exponent}"
    return text


def yaml_value(value: Value) -> str:
    """A value as a scenario writes it: a number, or ``[low, high]`` (an equal range as
    its one number)."""
    if isinstance(value, tuple):
        low, high = value
        if low == high:
            return yaml_number(low)
        return f"[{yaml_number(low)}, {yaml_number(high)}]"
    return yaml_number(value)


def yaml_text(text: str) -> str:
    """A string as a plain YAML word when it reads back as that string, else quoted (JSON's
    double-quoted form is YAML's too)."""
    resolved = yaml.resolver.Resolver().resolve(  # type: ignore[no-untyped-call]
        yaml.ScalarNode, text, (True, False))
    if _PLAIN_WORD.fullmatch(text) and resolved == "tag:yaml.org,2002:str":
        return text
    return json.dumps(text, ensure_ascii=False)


def _pair(value: Value) -> tuple[float, float]:
    return (float(value[0]), float(value[1])) if isinstance(value, tuple) else (
        float(value), float(value))


def _plain(value: Value) -> float | list[float]:
    if isinstance(value, tuple):
        low, high = value
        return float(low) if low == high else [float(low), float(high)]
    return float(value)


# ---- where each value is written ---------------------------------------------------------

@dataclass
class _Span:
    """Where a value is written: [start, end) in the text (characters), whether it is a
    block collection (its text runs over lines), whether it carries an anchor (other
    values may refer to it), and for a mapping's value, where its key starts and ends."""

    start: int
    end: int
    block: bool = False
    anchored: bool = False
    key_start: int | None = None
    key_end: int | None = None


@dataclass
class _Open:
    """A collection being read: its path (None: not recorded, e.g. a key that is not a
    plain value, and all under it) and where its next value goes."""

    path: Path_ | None
    mapping: bool
    flow: bool
    start: int
    anchored: bool
    key_start: int | None  # where its own key is written, when it is a mapping's value
    key_end: int | None
    index: int = 0
    key: Any = None
    at_key: tuple[int, int] | None = None
    wants_key: bool = True
    last_end: int = 0


def _spans(text: str) -> dict[Path_, _Span]:
    """Every value's place in the text, by field path (keys as written), from the parser's
    events (the pure-Python parser, whose marks count characters). A key that is not a
    plain value, and what lies under it, is not recorded; neither is a value set by a
    merge key (it is not written where its path says)."""
    out: dict[Path_, _Span] = {}
    stack: list[_Open] = []
    loader = yaml.SafeLoader(text)

    def place() -> tuple[Path_ | None, int | None, int | None, bool]:
        """The path of the value starting now and where its key is written; whether it is
        a mapping's key instead."""
        if not stack:
            return (), None, None, False
        top = stack[-1]
        if top.mapping and top.wants_key:
            return None, None, None, True
        if top.path is None:
            return None, None, None, False
        if top.mapping:
            k0, k1 = top.at_key if top.at_key else (None, None)
            return ((*top.path, top.key) if top.key is not None else None), k0, k1, False
        return (*top.path, top.index), None, None, False

    def done(end: int) -> None:
        if stack:
            top = stack[-1]
            top.last_end = end
            if top.mapping:
                top.wants_key = not top.wants_key
            else:
                top.index += 1

    def at(mark: Any) -> int:
        return int(mark.index)

    try:
        while loader.check_event():
            event = loader.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                start, end = at(event.start_mark), at(event.end_mark)
                path, k0, k1, is_key = place()
                if is_key:
                    top = stack[-1]
                    plain = isinstance(event, yaml.ScalarEvent) and event.value != "<<"
                    top.key = getattr(event, "value", None) if plain else None
                    top.at_key = (start, end)
                elif path is not None:
                    anchored = isinstance(event, yaml.ScalarEvent) and event.anchor is not None
                    out[path] = _Span(start, end, False, anchored, k0, k1)
                done(end)
            elif isinstance(event, yaml.CollectionStartEvent):
                path, k0, k1, is_key = place()
                if is_key:
                    stack[-1].key = None
                stack.append(_Open(path, isinstance(event, yaml.MappingStartEvent),
                                   bool(event.flow_style), at(event.start_mark),
                                   event.anchor is not None, k0, k1))
            elif isinstance(event, yaml.CollectionEndEvent):
                frame = stack.pop()
                end = at(event.end_mark) if frame.flow else frame.last_end
                if frame.path is not None:
                    out[frame.path] = _Span(frame.start, max(end, frame.start),
                                            not frame.flow, frame.anchored, frame.key_start,
                                            frame.key_end)
                done(end)
    finally:
        loader.dispose()
    return out


# ---- the edit ------------------------------------------------------------------------------

def _problem_words(filename: str, k: int, what: str, who: str, value: Value) -> Problem | None:
    """Why a value the page sent cannot be used, in words naming whose it is; None if it can."""
    low, high = value if isinstance(value, tuple) else (value, value)
    lo, hi = _RANGES[what]
    shown = f"(found {json.dumps(_plain(value))})"
    ends = [("low", low), ("high", high)] if isinstance(value, tuple) and low != high else [
        ("", low)]
    for end, x in ends:
        label = f"{what} {end}".strip()
        if not math.isfinite(x):
            message = f"{label} is not a number {shown}"
        elif x < lo:
            message = f"{what} {x:g} is below {lo:g} {shown}"
        elif x > hi:
            message = f"{what} {x:g} is above {hi:g} {shown}"
        else:
            continue
        return Problem(filename, None, None, ("changes", k, what), f"{who}: {message}")
    if low > high:
        return Problem(filename, None, None, ("changes", k, what),
                       f"{who}: {what} low {low:g} is above its high {high:g} "
                       f"{shown[:-1]}; give the lower end first)")
    return None


def _new_values(scenario: Scenario, filename: str, changes: list[StanceChange]
                ) -> dict[Key, Value]:
    """The values the changes set, each checked (ranges named in words: whose value, which
    end, the limit); values equal to the scenario's are left out. Problems are raised
    together, without a line: the user made them in the page, not in a file."""
    names = {a.id: a.name for a in scenario.actors}
    out: dict[Key, Value] = {}
    problems = []
    for k, change in enumerate(changes):
        key_pos: Key = ("position", change.actor, change.issue)
        current, _ = value_at(scenario, key_pos)
        who = f"{names.get(change.actor, change.actor)} on {change.issue}"
        if current is None:
            problems.append(Problem(filename, None, None, ("changes", k),
                                    f"no stance of {change.actor!r} on {change.issue!r}"))
            continue
        for what, value in (("position", change.position), ("salience", change.salience)):
            if value is None:
                continue
            bad = _problem_words(filename, k, what, who, value)
            if bad is not None:
                problems.append(bad)
                continue
            key: Key = (what, change.actor, change.issue)  # type: ignore[assignment]
            was, _ = value_at(scenario, key)
            low, high = value if isinstance(value, tuple) else (value, value)
            if was is not None and _pair(was) != (float(low), float(high)):
                out[key] = (float(low), float(high)) if low != high else float(low)
    if problems:
        raise ScenarioError(problems)
    return out


def _block_lines(name: str, sha256: str, cited: Scenario, used: Scenario) -> tuple[
        list[str], dict[str, Any]]:
    """The ``edited_from`` block, as lines of YAML and as the data it reads back as."""
    changes = [e for e in differences(cited, used) if e.cited is not None
               and e.used is not None]
    data: dict[str, Any] = {"name": name, "sha256": sha256, "changes": []}
    lines = ["edited_from:", f"  name: {yaml_text(name)}", f'  sha256: "{sha256}"']
    lines.append("  changes:" if changes else "  changes: []")
    for e in changes:
        entry: dict[str, Any] = {}
        parts = []
        for key, word in (("actor", e.actor), ("issue", e.issue)):
            if word is not None:
                entry[key] = word
                parts.append(f"{key}: {yaml_text(word)}")
        entry.update(field=e.field, cited=_plain(e.cited),  # type: ignore[arg-type]
                     used=_plain(e.used))  # type: ignore[arg-type]
        parts += [f"field: {e.field}", f"cited: {yaml_value(e.cited)}",  # type: ignore[arg-type]
                  f"used: {yaml_value(e.used)}"]  # type: ignore[arg-type]
        lines.append("    - {" + ", ".join(parts) + "}")
        data["changes"].append(entry)
    return lines, data


BLOCK_COMMENT = ("# What this copy was edited from: each value under changes differs from its "
                 "cited original's,\n# which is the value its sources support.")


def _in_place(text: str, values: dict[Path_, Value], block: list[str]) -> str | None:
    """The text with each value rewritten where it is written and the ``edited_from``
    block appended (or put in place of the one there); None where that cannot be done."""
    spans = _spans(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    edits: list[tuple[int, int, str]] = []
    for path, value in values.items():
        span = spans.get(path)
        if span is None or span.anchored:
            return None  # reached through an alias's anchor or a merge key
        if span.block:
            if span.key_end is None:
                return None
            # a block list over lines: the new value goes right after its key's colon
            edits.append((span.key_end, span.end, ": " + yaml_value(value)))
        else:
            edits.append((span.start, span.end, yaml_value(value)))
    old = spans.get(("edited_from",))
    body = newline.join(block)
    if old is not None:
        if old.key_start is None or old.anchored:
            return None
        edits.append((old.key_start, old.end, body))
    else:
        tail = "" if text.endswith(("\n", "\r")) or not text else newline
        comment = BLOCK_COMMENT.replace("\n", newline)
        edits.append((len(text), len(text), f"{tail}{comment}{newline}{body}{newline}"))
    edits.sort(key=lambda e: e[0])
    for (_, first_end, _), (second_start, _, _) in itertools.pairwise(edits):
        if first_end > second_start:
            return None
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


def _set(data: Any, path: Path_, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def with_stance_changes(text: str | bytes, filename: str, changes: list[StanceChange], *,
                        name: str | None = None) -> str:
    """The scenario text with the changes applied where the values are written and an
    ``edited_from`` block naming ``name`` (default ``filename``) and the text's hash; the
    text as it is when no value changes. Unknown stances and values out of range are
    errors naming the actor, the issue and the field."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    original = load_scenario_text(text, filename, read_documents=False)
    return _edited_text(text, original, filename, changes, name or filename)


def _edited_text(text: str, original: Loaded, filename: str, changes: list[StanceChange],
                 name: str) -> str:
    values = _new_values(original.scenario, filename, changes)
    if not values:
        return text
    # a copy of a copy keeps the first original: its values are the ones the sources cite
    if original.cited is not None:
        cited, origin, sha = original.cited.scenario, original.cited.name, original.cited.sha256
    else:
        cited, origin, sha = original.scenario, name, text_sha256(text)
    used = with_values(original.scenario, values)
    block, block_data = _block_lines(origin, sha, cited, used)
    try:
        parsed = parse_yaml(text, filename)
    except YamlProblem as exc:  # it loaded above: not expected
        raise ScenarioError([exc.problem]) from None
    where = {key: value_at(original.scenario, key)[1] for key in values}
    expected = copy.deepcopy(parsed.data)
    for key, value in values.items():
        _set(expected, where[key], _plain(value))  # type: ignore[arg-type]
    expected["edited_from"] = block_data
    new = _in_place(text, {where[k]: v for k, v in values.items()},  # type: ignore[misc]
                    block)
    if new is not None:
        try:
            if parse_yaml(new, filename).data == expected:
                return new
        except YamlProblem:
            pass
    # the values cannot all be rewritten where they are: the whole text is written anew
    return yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, width=100)


def load_edited(text: str, name: str, changes: list[StanceChange], *,
                path: str | None = None, base_dir: Path | None = None,
                read_documents: bool = True, sources_dirs: Sequence[str | Path] = ()
                ) -> Loaded:
    """The scenario ``text`` (called ``name``) with ``changes`` applied, validated.

    When the changes change a value, the result knows what it was edited from
    (``Loaded.cited``: ``name``, ``path`` when the text is a file's, the text's SHA-256,
    the text, and the values its sources cite) and has no path of its own: it is not that
    file. Its text says so too, in its ``edited_from`` block. Without changes, or with
    changes that leave every value as it was, the text is loaded as it is.

    The original is validated first (without opening its documents): its problems are its
    own. A problem of the edited text can only come from the changes, made in the page
    and not in a file: it is given without a line, naming whose value it is."""
    if not changes:
        return load_scenario_text(text, name, base_dir=base_dir,
                                  read_documents=read_documents, sources_dirs=sources_dirs)
    original = load_scenario_text(text, name, base_dir=base_dir, read_documents=False)
    new = _edited_text(text, original, name, changes, name)
    if new == text:
        return load_scenario_text(text, name, base_dir=base_dir,
                                  read_documents=read_documents, sources_dirs=sources_dirs)
    try:
        # its edited_from block is written here from the text at hand (or kept from that
        # text's own, checked as it was loaded above): nothing to look up
        loaded = load_scenario_text(new, name, base_dir=base_dir,
                                    read_documents=read_documents, sources_dirs=sources_dirs,
                                    check_original=False)
    except ScenarioError as exc:  # its errors: the edits' own warnings would be noise here
        raise ScenarioError([unlocated(p, original.scenario) for p in exc.problems
                             if p.severity == "error"]) from None
    cited_values = loaded.cited.scenario if loaded.cited is not None else original.scenario
    cited = Cited(name, text_sha256(text), text, cited_values, path)
    return replace(loaded, cited=cited)


def place_words(path: Path_, scenario: Scenario | None = None, data: Any = None) -> str:
    """Whose value a field path names, in words: ``Turkey on karabakh_status, salience``,
    ``Russia, capability``, ``karabakh_status, status quo``; '' for other paths. Names come
    from ``scenario``, or from the raw ``data`` of a file that did not validate."""
    raw: Any = scenario.model_dump() if scenario is not None else data

    def items(section: str) -> list[dict[str, Any]]:
        seq = raw.get(section) if isinstance(raw, dict) else None
        return [x if isinstance(x, dict) else {} for x in seq] if isinstance(seq, list) else []

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) else None

    if len(path) < 2 or path[0] not in ("stances", "actors", "issues") \
            or not isinstance(path[1], int):
        return ""
    listed = items(str(path[0]))
    item = listed[path[1]] if 0 <= path[1] < len(listed) else {}
    field = [str(p).replace("_", " ") for p in path[2:3]]
    if path[0] == "stances":
        actor, issue = text(item.get("actor")), text(item.get("issue"))
        if actor is None or issue is None:
            return ""
        name = next((text(a.get("name")) for a in items("actors") if a.get("id") == actor),
                    None)
        who: str | None = f"{name or actor} on {issue}"
    elif path[0] == "actors":
        who = text(item.get("name")) or text(item.get("id"))
    else:
        who = text(item.get("id"))
    return ", ".join([who, *field]) if who else ""


def unlocated(problem: Problem, scenario: Scenario) -> Problem:
    """A problem of a text edited in the page, as the page shows it: no line (the user has
    not seen that text), whose value it is in words."""
    words = place_words(problem.path, scenario)
    message = f"{words}: {problem.message}" if words else problem.message
    return replace(problem, line=None, column=None, message=message)
