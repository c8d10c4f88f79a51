"""Safe YAML reading that remembers where every value came from.

Uses PyYAML's safe loader to compose the node graph, then builds plain Python values
while recording the line and column of each field path, so validation errors can point
at the offending line. Builds values itself (rather than ``safe_load``) to reject duplicate
keys and to cap the size of what aliases expand to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from statecraft.scenario.errors import Path_, Problem

# libyaml's parser when PyYAML was built with it (the same safe constructor, about ten
# times faster on large files); the pure-Python one otherwise
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 2 * 1024 * 1024
"""Largest scenario file accepted, in bytes."""

MAX_NODES = 200_000
"""Most YAML values a document may expand to (aliases count each time they are used)."""

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
        self.marks: dict[Path_, Mark] = {}

    def expanded_size(self, node: yaml.Node, depth: int = 0,
                      memo: dict[int, int] | None = None) -> int:
        """How many values ``node`` expands to, aliases counted each time they are used.

        Computed on the node graph with a memo, so an alias bomb is measured in the time
        its few distinct nodes take, not in the time its expansion would; a cycle or
        nesting past 100 levels counts as too large.
        """
        memo = {} if memo is None else memo
        key = id(node)
        if key in memo:
            return memo[key]
        if depth > 100:
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

    def build(self, node: yaml.Node, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(
                node, path, f"the document expands to more than {MAX_NODES} values "
                "(check anchors and aliases)"
            )
        if depth > 100:
            raise self.fail(node, path, "nesting deeper than 100 levels")
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
                key = self.loader.construct_object(key_node)
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
        return self.loader.construct_object(node)


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
    try:
        loader = _Loader(text)  # checks the characters first: may raise ReaderError
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(filename, None, None, (), f"not valid YAML: {exc}")) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed(data=None)
        builder = _Builder(loader, filename)
        if builder.expanded_size(node) > MAX_NODES:
            raise builder.fail(node, (), f"the document expands to more than {MAX_NODES} "
                               "values, or nests too deep (check anchors and aliases)")
        data = builder.build(node, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        what = " ".join(str(s) for s in (exc.context, exc.problem) if s)
        raise YamlProblem(Problem(filename, line, col, (), f"not valid YAML: {what}")) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(Problem(filename, None, None, (), f"not valid YAML: {exc}")) from None
    finally:
        loader.dispose()
    return Parsed(data=data, marks=builder.marks)
