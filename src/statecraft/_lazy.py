"""A package's names imported on first use, listed once in its ``if TYPE_CHECKING:`` block.

A package's ``__init__`` lists what it offers as ordinary ``from ... import ...`` lines
inside ``if TYPE_CHECKING:`` (what mypy, editors and readers see) and ends with
``__getattr__, __dir__ = attach(__name__, __file__)``. The block is read from the file the
first time a name is asked for, and a name's module is imported only then: importing the
package itself costs next to nothing. The command line imports ``statecraft.api`` to
declare its commands, and each command uses a few of its modules; importing all of them
took most of a second. (The scientific Python ecosystem's SPEC 1 describes the same.)
"""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Callable
from typing import Any


def _listed(package: str, file: str) -> dict[str, tuple[str, str]]:
    """Each name imported in the file's top-level ``if TYPE_CHECKING:`` blocks: its module
    and its name there."""
    with open(file, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), file)
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if not isinstance(stmt, ast.ImportFrom):
                raise ImportError(f"{file}:{stmt.lineno}: only 'from ... import ...' lines "
                                  "are read in a lazily imported package's TYPE_CHECKING "
                                  "block")
            module = stmt.module or ""
            if stmt.level:
                base = package.rsplit(".", stmt.level - 1)[0] if stmt.level > 1 else package
                module = f"{base}.{module}" if module else base
            for alias in stmt.names:
                found[alias.asname or alias.name] = (module, alias.name)
    return found


def attach(package: str, file: str
           ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package ``package`` defined in ``file``."""
    listed: dict[str, tuple[str, str]] = {}

    def names() -> dict[str, tuple[str, str]]:
        if not listed:
            listed.update(_listed(package, file))
        return listed

    def getattr_(name: str) -> Any:
        if name.startswith("__") or name not in names():
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = listed[name]
        value = getattr(importlib.import_module(module), attr)
        setattr(sys.modules[package], name, value)  # found directly from now on
        return value

    def dir_() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names()))

    return getattr_, dir_
