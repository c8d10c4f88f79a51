"""Validation of a parsed scenario: field types via pydantic, then cross-references.

Every problem in a file is collected and reported together; a file with any error is
never returned as a ``Scenario``.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from statecraft.scenario.controls import describe, unsafe_strings
from statecraft.scenario.errors import Path_, Problem, found_expected
from statecraft.scenario.quotes import QuoteIndex
from statecraft.scenario.refs import refs
from statecraft.scenario.schema import Actor, Issue, Scenario, Source, Stance
from statecraft.scenario.yamlsafe import Parsed

_MISSING = object()


def _real_path(data: Any, loc: Iterable[str | int]) -> Path_:
    """Drop the parts of a pydantic error location that are not keys of the data."""
    out: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            out.append(part)
        elif isinstance(node, dict) and isinstance(part, int):
            continue  # a single source reference, validated as a list of one
        elif isinstance(node, dict | list) and not out_of_union(part):
            out.append(part)  # a missing or extra key: still worth naming
            node = _MISSING
        # else: a union member's label, not a place in the file
    return tuple(out)


def out_of_union(part: str | int) -> bool:
    """Pydantic labels union members in locations; those are not field names."""
    return isinstance(part, str) and (
        "[" in part or part in {"DocRef", "DatasetRef", "JudgmentRef", "float", "tuple", "list",
                                "dict"}
    )


def _allowed_fields(parent: Path_) -> list[str]:
    """Field names allowed at ``parent``, to suggest the right spelling."""
    models: dict[Path_, type[BaseModel]] = {
        (): Scenario, ("sources",): Source, ("actors",): Actor,
        ("issues",): Issue, ("stances",): Stance,
    }
    shape = tuple(p for p in parent if isinstance(p, str))
    if shape and shape[-1] == "source":
        return ["doc", "quote", "dataset", "judgment", "note"]
    model = models.get(shape)
    return list(model.model_fields) if model else []


_ITEMS = {"actors": "actor", "issues": "issue", "stances": "stance", "sources": "source",
          "questions": "question", "nodes": "node", "options": "option", "effects": "effect"}
"""What one item of a list is called, for 'at least one actor'."""

_NUMBER = {"greater_than_equal": ("ge", "a number of at least {}"),
           "less_than_equal": ("le", "a number of at most {}"),
           "greater_than": ("gt", "a number above {}"),
           "less_than": ("lt", "a number below {}")}

_PLAIN = {
    "float_parsing": "a number", "float_type": "a number", "int_parsing": "a whole number",
    "int_type": "a whole number", "int_from_float": "a whole number",
    "bool_type": "true or false", "bool_parsing": "true or false",
    "string_type": "text", "list_type": "a list", "tuple_type": "a list",
    "dict_type": "a mapping (key: value pairs)", "model_type": "a mapping (key: value pairs)",
    "date_type": "a date (YYYY-MM-DD)", "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)", "finite_number": "a finite number",
}


def _plain_number(x: object) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def _expected(err: ErrorDetails) -> str:
    kind = err["type"]
    msg: str = err["msg"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "this field (it is required)"
    if kind == "extra_forbidden":
        return "no such field (check the spelling)"
    if kind == "float_type" and isinstance(err.get("input"), int):
        return f"a number of at most about {sys.float_info.max:.1e} (too large for a float)"
    if kind == "too_short":  # a list: "at least one actor"
        least = ctx.get("min_length", 1)
        item = next((_ITEMS[p] for p in reversed(err["loc"]) if p in _ITEMS), "item")
        return (f"at least one {item}" if least == 1
                else f"at least {least} {item}s")
    if kind == "too_long":
        return f"at most {ctx.get('max_length')} items"
    if kind == "string_too_short":
        return "some text (it is empty)" if ctx.get("min_length") == 1 else (
            f"text of at least {ctx.get('min_length')} characters")
    if kind == "string_too_long":
        return f"text of at most {ctx.get('max_length'):,} characters"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == r"^[a-z0-9][a-z0-9_-]*$":
        return "an id: lowercase letters, digits, '-' and '_', starting with a letter or digit"
    if kind in ("list_type", "dict_type", "model_type") and "source" in err["loc"][-2:]:
        return ("a reference ({doc: ID, quote: ...}, {dataset: ID, note: ...} or "
                "{judgment: ID}) or a list of them")
    if kind in _NUMBER:
        key, words = _NUMBER[kind]
        return words.format(_plain_number(ctx.get(key)))
    if kind in _PLAIN:
        return _PLAIN[kind]
    if msg.startswith("Value error, "):
        return msg[len("Value error, "):]
    if msg.startswith("Input should be "):
        return msg[len("Input should be "):]
    return msg[0].lower() + msg[1:]


def pydantic_problems(exc: ValidationError, parsed: Parsed, filename: str) -> list[Problem]:
    """Turn pydantic's errors into located problems."""
    problems = []
    for err in exc.errors():
        path = _real_path(parsed.data, err["loc"])
        mark = parsed.mark_of(path)
        line, col = mark if mark else (None, None)
        if err["type"] == "missing":
            message = f"missing field {path[-1]!r}" if path else "missing field"
        elif err["type"] == "extra_forbidden" and path:
            allowed = _allowed_fields(path[:-1])
            message = f"unknown field {path[-1]!r}" + (
                f"; expected one of: {', '.join(allowed)}" if allowed else "")
            if path == ("questions",):  # a questions file given where a scenario belongs
                message += (" (this looks like a questions file: it is read with "
                            "--questions FILE by forecast and backtest, not as a scenario)")
        else:
            message = found_expected(err.get("input"), _expected(err))
        problems.append(Problem(filename, line, col, path, message))
    return problems


class _Collector:
    def __init__(self, parsed: Parsed, filename: str) -> None:
        self.parsed = parsed
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, path: Path_, message: str, severity: str = "error") -> None:
        mark = self.parsed.mark_of(path)
        line, col = mark if mark else (None, None)
        self.problems.append(
            Problem(self.filename, line, col, path, message, severity)  # type: ignore[arg-type]
        )


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict)]


def cross_problems(parsed: Parsed, filename: str) -> list[Problem]:
    """Checks across fields, done on the raw data so they run even when types fail."""
    c = _Collector(parsed, filename)
    data = parsed.data
    for where, ch in unsafe_strings(data):
        c.add(where, f"holds {describe(ch)}; expected text without control characters or "
              "bidirectional overrides (they would steer a terminal or reorder what is shown)")
    ids: dict[str, set[str]] = {}
    for section in ("sources", "actors", "issues"):
        seen: Counter[str] = Counter()
        for i, item in _items(data, section):
            ident = item.get("id")
            if isinstance(ident, str):
                seen[ident] += 1
                if seen[ident] == 2:
                    c.add((section, i, "id"), f"duplicate id {ident!r} in {section}")
        ids[section] = set(seen)

    pairs: Counter[tuple[Any, Any]] = Counter()
    for i, st in _items(data, "stances"):
        for field, section in (("actor", "actors"), ("issue", "issues")):
            ref = st.get(field)
            if isinstance(ref, str) and ref not in ids[section]:
                known = ", ".join(sorted(ids[section])) or "none"
                c.add((("stances", i, field)),
                      found_expected(ref, f"the id of one of the {section} ({known})"))
        key = (st.get("actor"), st.get("issue"))
        if isinstance(key[0], str) and isinstance(key[1], str):
            pairs[key] += 1
            if pairs[key] == 2:
                c.add(("stances", i), f"a second stance of {key[0]!r} on {key[1]!r}")

    # the issues some stance is on, found once (not once an issue: a file of thousands of
    # issues and stances took seconds)
    taken = {st.get("issue") for _, st in _items(data, "stances")
             if isinstance(st.get("issue"), str)}
    for i, issue in _items(data, "issues"):
        scale = issue.get("scale")
        if isinstance(scale, dict):
            points = {float(k) for k in scale if isinstance(k, int | float)
                      and not isinstance(k, bool) and abs(k) <= sys.float_info.max}
            if not {0.0, 100.0} <= points or len(points) < 3:
                c.add(("issues", i, "scale"), found_expected(
                    sorted(points), "named anchors at 0 and 100 and at least one between"))
        ident = issue.get("id")
        if isinstance(ident, str) and ident in ids["issues"] and ident not in taken:
            c.add(("issues", i), f"no actor takes a stance on issue {ident!r}; "
                  "a model cannot forecast it (add stances or remove the issue)")

    sources = {s["id"]: s for _, s in _items(data, "sources") if isinstance(s.get("id"), str)}
    _check_refs(data, sources, c)
    return c.problems


def _sourced_items(data: Any) -> Iterable[tuple[Path_, dict[str, Any]]]:
    for section in ("actors", "issues", "stances", "rules"):
        for i, item in _items(data, section):
            yield (section, i), item
    tree = data.get("options") if isinstance(data, dict) else None
    for n, node in _items(tree, "nodes"):
        for o, option in _items(node, "options"):
            yield ("options", "nodes", n, "options", o), option


def _ref_places(data: Any) -> Iterable[tuple[Path_, Any]]:
    for where, item in _sourced_items(data):
        src = item.get("source")
        if isinstance(src, dict):
            yield (*where, "source"), src
        elif isinstance(src, list):
            for j, ref in enumerate(src):
                if isinstance(ref, dict):
                    yield (*where, "source", j), ref


def _check_refs(data: Any, sources: dict[Any, dict[str, Any]], c: _Collector) -> None:
    for path, ref in _ref_places(data):
        for key, kind in (("doc", "document"), ("dataset", "dataset"), ("judgment", "judgment")):
            target = ref.get(key)
            if not isinstance(target, str):
                continue
            src = sources.get(target)
            if src is None:
                known = ", ".join(sorted(str(k) for k in sources)) or "none"
                c.add((*path, key), found_expected(target, f"the id of a source ({known})"))
            elif src.get("kind") not in ((kind,) if kind == "judgment" else (None, kind)):
                c.add((*path, key), found_expected(
                    target, f"a source of kind {kind!r} (it is {src.get('kind')!r})"))


@dataclass(frozen=True)
class Unread:
    """Why a document's text was not read, and how much that matters.

    ``note``: the text is not there, so its quotes go unchecked; ``warning``: the same, but
    the path names something it should not (outside the folders sources are read from) or
    the file could not be read; ``error``: refused whatever the mode (a FIFO, a device, a
    directory, a file over the size limit). Under ``--strict`` each is an error: strict
    means every quote was checked against its text.
    """

    reason: str
    level: Literal["note", "warning", "error"]


@dataclass(frozen=True)
class Found:
    """A document's text read from elsewhere than its path leads (found by its file name
    in a folder named to read sources from), and where."""

    text: str
    where: str


DocumentReader = Callable[[str], "str | Found | Unread"]
"""A source's ``path`` as written in the file -> the document's text (``Found`` when it
was read elsewhere than the path leads), or why it was not read."""


@dataclass(frozen=True)
class QuoteCheck:
    """What the quote check found: problems, plain notes, and how many quotes it checked."""

    problems: list[Problem]
    notes: list[str]
    checked: int
    unchecked: int


def quote_problems(parsed: Parsed, filename: str, read_text: DocumentReader, *,
                   strict: bool = False) -> QuoteCheck:
    """Check every quote against its document's text where that text can be read.

    Works on the raw data, so wrong quotes are reported beside any other error. A path
    with a null byte is an error located at the path; a document whose text was not read
    is a note, a warning or an error as ``Unread`` says, and an error under ``strict``.
    Quotes citing a document that was read are counted as checked, all others as not, and
    each document whose quotes went unchecked is named with how many and why (its text
    not read, or a url only: no text to check them against).
    """
    c = _Collector(parsed, filename)
    notes: list[str] = []
    index: dict[str, QuoteIndex] = {}
    cited = Counter(raw.get("doc") for _, raw in _ref_places(parsed.data)
                    if isinstance(raw.get("doc"), str) and isinstance(raw.get("quote"), str))
    for i, src in _items(parsed.data, "sources"):
        ident, rel, inline = src.get("id"), src.get("path"), src.get("text")
        if not isinstance(ident, str):
            continue
        if isinstance(inline, str) and inline.strip():
            # the text held in the scenario: checked exactly as a file's (a source with a
            # path as well is refused by the schema)
            index[ident] = QuoteIndex(inline)
            notes.append(f"source {ident!r}: quotes checked against its text (held in the "
                         "scenario)")
            continue
        if (not isinstance(rel, str) or not rel) and cited[ident]:
            url = src.get("url")
            why = (f"it has a url only ({url}), no text here to check them against (give its "
                   "text a path to check them)" if isinstance(url, str) and url
                   else "it has neither a path to its text nor a url")
            notes.append(f"source {ident!r}: {_quotes(cited[ident])} citing it not checked: "
                         f"{why}")
        if not isinstance(rel, str) or not rel:
            continue
        if "\0" in rel:
            c.add(("sources", i, "path"), found_expected(
                rel, "the path of the document's text (it holds a null byte)"))
            continue
        text = read_text(rel)
        if isinstance(text, Unread):
            message = (f"source {ident!r}: {text.reason}; {_quotes(cited[ident])} citing "
                       "it not checked")
            if text.level == "error":
                c.add(("sources", i, "path"), message)
            elif strict:
                c.add(("sources", i, "path"), message + " (strict validation needs every quote "
                      "checked against its text)")
            elif text.level == "warning":
                c.add(("sources", i, "path"), message, "warning")
            else:
                notes.append(message)
        elif isinstance(text, Found):
            index[ident] = QuoteIndex(text.text)
            notes.append(f"source {ident!r}: quotes checked against {text.where} (found by "
                         "its name in a sources folder (sources_dirs, --sources-dir); "
                         f"{rel} does not lead to it)")
        else:
            index[ident] = QuoteIndex(text)
            notes.append(f"source {ident!r}: quotes checked against {rel}")
    checked = unchecked = 0
    for where, raw in _ref_places(parsed.data):
        doc, quote = raw.get("doc"), raw.get("quote")
        if not isinstance(doc, str) or not isinstance(quote, str):
            continue
        qi = index.get(doc)
        if qi is None:
            unchecked += 1
            continue
        checked += 1
        if not qi.contains(quote):
            c.add((*where, "quote"), found_expected(
                quote, f"a passage found word for word in source {doc!r}"))
    return QuoteCheck(c.problems, notes, checked, unchecked)


def _quotes(n: int) -> str:
    return f"{n} quote" if n == 1 else f"{n} quotes"


def missing_source_problems(scenario: Scenario, parsed: Parsed, filename: str,
                            strict: bool) -> list[Problem]:
    """Actors and stances without a source, and documents with neither a path to their
    text nor a url: warnings, or errors when strict."""
    c = _Collector(parsed, filename)
    severity = "error" if strict else "warning"
    for i, src in enumerate(scenario.sources):
        if src.kind == "document" and not src.path and not src.url and src.text is None:
            c.add(("sources", i), f"document {src.id!r} has neither a path to its text nor a "
                  "url: its quotes can be neither checked nor followed", severity)
    for i, actor in enumerate(scenario.actors):
        if not refs(actor.source):
            c.add(("actors", i), f"actor {actor.id!r} has no source for its capability", severity)
    for i, st in enumerate(scenario.stances):
        if not refs(st.source):
            c.add(("stances", i), f"stance of {st.actor!r} on {st.issue!r} has no source",
                  severity)
    return c.problems


def options_problems(scenario: Scenario, parsed: Parsed, filename: str) -> list[Problem]:
    """Checks across the options tree and the rules: ids, references, probabilities, cycles."""
    c = _Collector(parsed, filename)
    rules = {r.id: r for r in scenario.rules}
    seen_rules: set[str] = set()
    for i, rule in enumerate(scenario.rules):
        if rule.id in seen_rules:
            c.add(("rules", i, "id"), f"duplicate id {rule.id!r} in rules")
        seen_rules.add(rule.id)
        if rule.due is not None and rule.due < rule.in_force_from:
            c.add(("rules", i, "due"), found_expected(str(rule.due), "a date on or after "
                                                      "in_force_from"))
    tree = scenario.options
    if tree is None:
        return c.problems
    actors = {a.id for a in scenario.actors} | {"chance"}
    issues = {i.id for i in scenario.issues}
    nodes = {}
    for n, node in enumerate(tree.nodes):
        base: Path_ = ("options", "nodes", n)
        if node.id in nodes:
            c.add((*base, "id"), f"duplicate node id {node.id!r}")
        nodes[node.id] = node
        if node.actor not in actors:
            c.add((*base, "actor"), found_expected(node.actor, "an actor id or 'chance'"))
        seen: set[str] = set()
        total = 0.0
        for o, opt in enumerate(node.options):
            here: Path_ = (*base, "options", o)
            if opt.id in seen:
                c.add((*here, "id"), f"duplicate option id {opt.id!r} at node {node.id!r}")
            seen.add(opt.id)
            for e, eff in enumerate(opt.effects):
                if eff.issue not in issues:
                    c.add((*here, "effects", e, "issue"),
                          found_expected(eff.issue, f"an issue id ({', '.join(sorted(issues))})"))
            if node.actor == "chance":
                if opt.probability is None:
                    c.add(here, "an option of a chance node needs a probability")
                else:
                    total += opt.probability
            elif opt.probability is not None:
                c.add((*here, "probability"), "only options of chance nodes take a probability")
            if opt.requires is not None:
                needed = rules.get(opt.requires.rule)
                if needed is None:
                    c.add((*here, "requires", "rule"), found_expected(
                        opt.requires.rule, "the id of a rule"))
                elif opt.requires.while_ == "notice_open" and (
                        needed.term is None or needed.term.notice_months is None):
                    c.add((*here, "requires"), f"rule {needed.id!r} has no notice period")
        if node.actor == "chance" and abs(total - 1.0) > 1e-9:
            c.add((*base, "options"), found_expected(round(total, 12),
                                                     "chance probabilities summing to 1"))
    if tree.root not in nodes:
        c.add(("options", "root"), found_expected(tree.root, "the id of a node"))
        return c.problems
    for n, node in enumerate(tree.nodes):
        for o, opt in enumerate(node.options):
            if opt.next is not None and opt.next not in nodes:
                c.add(("options", "nodes", n, "options", o, "next"),
                      found_expected(opt.next, "the id of a node"))
    _check_cycles(tree.root, nodes, {node.id: n for n, node in enumerate(tree.nodes)}, c)
    return c.problems


def _check_cycles(root: str, nodes: dict[str, Any], index: dict[str, int],
                  c: _Collector) -> None:
    """The options must form a tree below the root: no node may lead back to itself.

    Options may share a next node, so the paths below the root can double at every level;
    a depth-first search that colours each node once (grey while on the current trail,
    black when done) takes time linear in the options, and keeps its own stack, so a long
    chain of nodes cannot exhaust Python's. Each option leading back onto the trail is
    reported at its ``next``; ``index`` gives each node's place in the file.
    """
    done: set[str] = set()
    on_trail: dict[str, int] = {root: 0}  # node id -> its place in trail
    trail = [root]
    stack = [(root, iter(enumerate(nodes[root].options)))]
    while stack:
        node_id, todo = stack[-1]
        step = next(todo, None)
        if step is None:
            stack.pop()
            del on_trail[trail.pop()]
            done.add(node_id)
            continue
        o, opt = step
        target = opt.next
        if target not in nodes or target in done:
            continue
        if target in on_trail:
            loop = [*trail[on_trail[target]:], target]
            if len(loop) > 12:
                loop = [*loop[:5], f"... {len(loop) - 10} more ...", *loop[-5:]]
            c.add(("options", "nodes", index[node_id], "options", o, "next"),
                  f"the options loop back: {' -> '.join(loop)}")
            continue
        on_trail[target] = len(trail)
        trail.append(target)
        stack.append((target, iter(enumerate(nodes[target].options))))
