"""Safe YAML reading that remembers where every value came from.

Uses PyYAML's safe loader to compose the node graph, then builds plain Python values
while recording the line and column of each field path, so validation errors can point
at the offending line. Builds values itself (rather than ``safe_load``) to reject duplicate
keys and to cap the size of what aliases expand to.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml

from statecraft.scenario.errors import Path_, Problem, found_expected

# libyaml's parser when PyYAML was built with it (the same safe constructor, about ten
# times faster on large files); the pure-Python one otherwise
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 2 * 1024 * 1024
"""Largest scenario file accepted, in bytes."""

MAX_NODES = 200_000
"""Most YAML values a document may expand to (aliases count each time they are used)."""

MAX_TEXT_CHARS = MAX_BYTES
"""Most characters of text (keys and values) a document may expand to, aliases counted
each time they are used: no more than the largest file holds, so that a small file whose
aliases repeat a long text cannot become a document far larger than any file (100 KB
naming a 100,000-character text a thousand times was 100 MB, written out again and sent
back whole by the workspace)."""

MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences accepted."""

MAX_INT_DIGITS = 4300
"""Longest integer accepted, in decimal digits (Python's own limit for turning text into
an int; a longer one could not even be printed in a message)."""

_MAX_INT_BITS = math.floor(MAX_INT_DIGITS * math.log2(10))

_TAG = "tag:yaml.org,2002:"
_EXPECTED = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "timestamp": "a real date (YYYY-MM-DD; quote it if it is meant as text)",
    "binary": "base64 text",
}

Mark = tuple[int, int]


@dataclass
class Parsed:
    """A parsed document: its data and the (line, column) of every field path (1-based)."""

    data: Any
    marks: dict[Path_, Mark] = field(default_factory=dict)

    def mark_of(self, path: Path_) -> Mark | None:
        """Position of ``path``, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:cut]))
            if mark is not None:
                return mark
        return None


class YamlProblem(Exception):
    """The text is not usable YAML; carries one ``Problem``."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def _mark(node: yaml.Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, filename: str) -> None:
        self.loader = loader
        self.filename = filename
        self.count = 0
        self.chars = 0
        self.marks: dict[Path_, Mark] = {}

    def expanded_size(self, node: yaml.Node, depth: int = 0,
                      memo: dict[int, int] | None = None) -> int:
        """How many values ``node`` expands to, aliases counted each time they are used.

        Computed on the node graph with a memo, so an alias bomb is measured in the time
        its few distinct nodes take, not in the time its expansion would; a cycle or
        nesting past ``MAX_DEPTH`` levels counts as too large.
        """
        memo = {} if memo is None else memo
        key = id(node)
        if key in memo:
            return memo[key]
        if depth > MAX_DEPTH:
            return MAX_NODES + 1
        memo[key] = MAX_NODES + 1  # in progress: a cycle back to here is too large
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += self.expanded_size(k, depth + 1, memo) - 1
                total += self.expanded_size(v, depth + 1, memo)
                if total > MAX_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += self.expanded_size(item, depth + 1, memo)
                if total > MAX_NODES:
                    break
        memo[key] = min(total, MAX_NODES + 1)
        return memo[key]

    def fail(self, node: yaml.Node, path: Path_, message: str) -> YamlProblem:
        line, col = _mark(node)
        return YamlProblem(Problem(self.filename, line, col, path, message))

    def scalar(self, node: yaml.Node, path: Path_) -> Any:
        """Construct one scalar; a value its tag cannot take is a located problem.

        PyYAML's constructors raise plain exceptions (``ValueError`` for 2021-02-30 or
        ``!!float abc``, ``KeyError`` for ``!!bool maybe``, ...) that carry no position.
        """
        kind = node.tag[len(_TAG):] if node.tag.startswith(_TAG) else node.tag
        expected = _EXPECTED.get(kind, f"a value of type {kind}")
        text = node.value if isinstance(node.value, str) else ""
        self.chars += len(text)
        if self.chars > MAX_TEXT_CHARS:
            raise self.fail(node, path, f"the document expands to more than "
                            f"{MAX_TEXT_CHARS:,} characters of text (check anchors and "
                            "aliases: each use of one counts its text again)")
        if kind == "int" and len(text.lstrip("+-").replace("_", "")) > MAX_INT_DIGITS + 2:
            raise self.fail(node, path, f"found an integer written with {len(text):,} "
                            f"characters; expected a number of at most {MAX_INT_DIGITS:,} "
                            "digits")
        try:
            value = self.loader.construct_object(node)
        except yaml.YAMLError:
            raise
        except (ValueError, ArithmeticError, LookupError, TypeError, AttributeError) as exc:
            why = f" ({exc})" if isinstance(exc, ValueError) and kind == "timestamp" else ""
            raise self.fail(node, path, found_expected(text, expected) + why) from None
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise self.fail(node, path, f"found an integer of more than {MAX_INT_DIGITS:,} "
                            f"digits; expected a number of at most {MAX_INT_DIGITS:,} digits")
        return value

    def build(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                node, path, f"the document expands to more than {MAX_NODES} values "
                "(check anchors and aliases)"
            )
        if depth > MAX_DEPTH:
            raise self.fail(node, path, f"nesting deeper than {MAX_DEPTH} levels")
        self.marks.setdefault(path, _mark(node))
        if isinstance(node, yaml.MappingNode):
            explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
            self.loader.flatten_mapping(node)
            n_merged = len(node.value) - explicit  # merged pairs come first; explicit override
            out: dict[Any, Any] = {}
            mine: set[Any] = set()
            for n, (key_node, value_node) in enumerate(node.value):
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self.fail(key_node, path, "a mapping key must be a plain value")
                key = self.scalar(key_node, path)
                if isinstance(key, bool) or not isinstance(key, str | int | float):
                    key = str(key)  # numeric keys stay numbers (scale anchors)
                if n >= n_merged:
                    if key in mine:
                        raise self.fail(key_node, (*path, key), f"duplicate key {key!r}")
                    mine.add(key)
                    self.marks.pop((*path, key), None)
                out[key] = self.build(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)


def _check_depth(loader: yaml.SafeLoader, filename: str) -> None:
    """Refuse nesting past ``MAX_DEPTH`` from the parser's events, before any composing.

    libyaml's composer recurses in C once per level: some 100,000 levels (200 KB of
    ``[``) crash the process, and the pure-Python one raises ``RecursionError`` far
    sooner. The events come from an iterative parser and cost a fraction of composing.
    The field path is followed along (keys as written) to say where the nesting is.
    """
    # one entry per open collection: [the next index (None in a mapping), whether a
    # mapping waits for a key, the key of the value being read, whether it is a key]
    stack: list[list[Any]] = []
    path: list[str | int] = []
    while True:
        try:
            if not loader.check_event():
                break
            event = loader.get_event()  # type: ignore[no-untyped-call]
        except yaml.MarkedYAMLError as exc:  # located at the field being read
            raise _marked(exc, filename, tuple(_here(stack, path)[:6])) from None
        if isinstance(event, yaml.CollectionEndEvent):
            if stack.pop()[3] is False:
                _after_value(stack)
            if path:
                path.pop()
            continue
        if not isinstance(event, yaml.NodeEvent):
            continue
        top = stack[-1] if stack else None
        is_key = top is not None and top[0] is None and top[1]
        part: str | int | None = None
        if top is not None and is_key:
            top[1], top[2] = False, getattr(event, "value", "?")
            part = "?"  # inside a key that is not a plain value
        elif top is not None:
            part = top[2] if top[0] is None else top[0]
        if isinstance(event, yaml.CollectionStartEvent):
            if part is not None:
                path.append(part)
            if len(stack) >= MAX_DEPTH:
                mark = event.start_mark
                line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
                raise YamlProblem(Problem(filename, line, col, tuple(path[:6]),
                                          f"nesting deeper than {MAX_DEPTH} levels"))
            stack.append([0 if isinstance(event, yaml.SequenceStartEvent) else None,
                          True, None, is_key])
        elif not is_key:
            _after_value(stack)


def _here(stack: list[list[Any]], path: list[str | int]) -> list[str | int]:
    """The field being read: the open collections' path, and the key whose value is
    being read in the innermost one, if it is a mapping."""
    if not stack:
        return path
    top = stack[-1]
    return path if top[0] is not None or top[1] or top[2] is None else [*path, top[2]]


def _after_value(stack: list[list[Any]]) -> None:
    """A value has been read in the innermost collection: move on to the next one."""
    if stack:
        top = stack[-1]
        if top[0] is None:
            top[1] = True
        else:
            top[0] += 1


def parse_yaml(text: str | bytes, filename: str) -> Parsed:
    """Parse one YAML document safely; raise ``YamlProblem`` with a located message."""
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise YamlProblem(Problem(filename, None, None, (),
                                      f"file is {len(text)} bytes; the limit is {MAX_BYTES}"))
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise YamlProblem(Problem(filename, None, None, (),
                                      f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")
            ) from None
    if len(text) > MAX_BYTES:
        raise YamlProblem(Problem(filename, None, None, (),
                                  f"file is {len(text)} characters; the limit is {MAX_BYTES}"))
    with _yaml_errors(filename):
        scan = _Loader(text)  # checks the characters first: may raise ReaderError
        try:
            _check_depth(scan, filename)
        finally:
            scan.dispose()
    with _yaml_errors(filename):
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return Parsed(data=None)
            builder = _Builder(loader, filename)
            if builder.expanded_size(node) > MAX_NODES:
                raise builder.fail(node, (), f"the document expands to more than {MAX_NODES} "
                                   "values, or nests too deep (check anchors and aliases)")
            data = builder.build(node, ())
        finally:
            loader.dispose()
    return Parsed(data=data, marks=builder.marks)


def _marked(exc: yaml.MarkedYAMLError, filename: str, path: Path_) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    what = " ".join(str(s) for s in (exc.context, exc.problem) if s)
    return YamlProblem(Problem(filename, line, col, path, f"not valid YAML: {what}"))


@contextmanager
def _yaml_errors(filename: str) -> Iterator[None]:
    """PyYAML's own errors (and a nesting too deep for the stack) as located problems."""
    try:
        yield
    except yaml.MarkedYAMLError as exc:
        raise _marked(exc, filename, ()) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(filename, None, None, (), f"not valid YAML: {exc}")) from None
    except RecursionError:
        raise YamlProblem(Problem(filename, None, None, (), "the document nests too deep "
                                  "(check anchors, aliases and merge keys)")) from None
