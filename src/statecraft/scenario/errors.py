"""Validation problems and the error that carries them.

A problem names the file, the line and column, the field path, what was found and what
was expected, so an analyst can fix a scenario file without reading Python tracebacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from statecraft.errors import InputError

Severity = Literal["error", "warning"]
Path_ = tuple[str | int, ...]


def format_path(path: Path_) -> str:
    """``('stances', 3, 'position')`` -> ``stances[3].position``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in a scenario file."""

    file: str
    line: int | None
    column: int | None
    path: Path_
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.severity}: {format_path(self.path)}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form, for ``--json`` output and the web API."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": format_path(self.path),
            "message": self.message,
            "severity": self.severity,
        }


def found_expected(found: object, expected: str) -> str:
    """The house style of a problem message."""
    return f"found {_short(found)}; expected {expected}"


class ScenarioError(InputError):
    """A scenario file that failed validation; ``problems`` lists every error at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        head = f"{len(errors)} error(s) in {errors[0].file}" if errors else "invalid scenario"
        super().__init__(head + "\n" + "\n".join(str(p) for p in errors))
