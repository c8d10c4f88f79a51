"""Characters a scenario's text may not hold: those that steer a terminal or reorder text.

A scenario's names, questions, labels and notes are printed on terminals and shown on
pages. An escape sequence (ESC, or a C1 control such as CSI) in one can clear the screen,
retitle the window or recolour what follows; a bidirectional override or isolate
(U+202A-U+202E, U+2066-U+2069) makes text read differently from what it holds. Tab and
newline are text; every other C0 control, DEL and every C1 control are not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from statecraft.scenario.errors import Path_

_BIDI = frozenset(range(0x202A, 0x202F)) | frozenset(range(0x2066, 0x206A))
UNSAFE = frozenset(c for c in range(0x20) if c not in (0x09, 0x0A)) | {0x7F} | frozenset(
    range(0x80, 0xA0)) | _BIDI
"""Code points refused in a scenario's text (and escaped wherever statecraft prints text
that holds one anyway)."""


def first_unsafe(text: str) -> str | None:
    """The first character of ``text`` in ``UNSAFE``, or None."""
    for ch in text:
        if ord(ch) in UNSAFE:
            return ch
    return None


def describe(ch: str) -> str:
    """``'\\x1b'`` -> ``U+001B (a control character)``."""
    kind = ("a bidirectional override or isolate" if ord(ch) in _BIDI
            else "a control character")
    return f"U+{ord(ch):04X} ({kind})"


def unsafe_strings(data: Any, path: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Each place in parsed data (keys and values, at any depth) whose text holds an unsafe
    character, with that character. Walks with its own stack: nesting depth is bounded by
    the YAML reader, but no recursion is needed."""
    stack: list[tuple[Path_, Any]] = [(path, data)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            ch = first_unsafe(node)
            if ch is not None:
                yield where, ch
        elif isinstance(node, dict):
            items = list(node.items())
            for key, value in reversed(items):
                here = (*where, key) if isinstance(key, str | int) else where
                if isinstance(key, str):
                    ch = first_unsafe(key)
                    if ch is not None:
                        yield here, ch
                        continue
                stack.append((here, value))
        elif isinstance(node, list):
            stack.extend(((*where, i), item) for i, item in reversed(list(enumerate(node))))
