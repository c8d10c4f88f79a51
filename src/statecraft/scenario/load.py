"""Reading scenario files: safe YAML, validation, quote checks; all problems at once.

``load_scenario`` is the one way the rest of statecraft gets a ``Scenario``. A file with
any error raises ``ScenarioError`` listing every problem; nothing of it is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from statecraft.scenario.errors import Problem, ScenarioError
from statecraft.scenario.schema import Scenario
from statecraft.scenario.validate import (
    cross_problems,
    missing_source_problems,
    options_problems,
    pydantic_problems,
    quote_problems,
)
from statecraft.scenario.yamlsafe import MAX_BYTES, Parsed, YamlProblem, parse_yaml


@dataclass(frozen=True)
class Loaded:
    """A valid scenario with what was noticed while loading it."""

    scenario: Scenario
    text: str
    path: Path | None
    warnings: tuple[Problem, ...]
    notes: tuple[str, ...]


def _no_document(path: Path) -> str | None:
    return None


def _read_document(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _zero_weight_problems(scenario: Scenario, parsed: Parsed, filename: str) -> list[Problem]:
    out = []
    for i, issue in enumerate(scenario.issues):
        top = [
            st.salience if isinstance(st.salience, float) else st.salience[1]
            for st in scenario.stances
            if st.issue == issue.id
        ]
        if top and max(top) <= 0:
            mark = parsed.mark_of(("issues", i))
            line, col = mark if mark else (None, None)
            out.append(Problem(filename, line, col, ("issues", i),
                               f"every salience on issue {issue.id!r} is 0; a model would "
                               "divide by zero (give some actor a positive salience)"))
    return out


def load_scenario_text(
    text: str | bytes,
    filename: str = "<scenario>",
    *,
    base_dir: Path | None = None,
    strict: bool = False,
    read_documents: bool = True,
) -> Loaded:
    """Validate scenario text; ``base_dir`` resolves the sources' relative paths.

    ``read_documents=False`` never opens the files the sources name (their quotes go
    unchecked): for text from someone who should not choose what this process reads.
    """
    try:
        parsed = parse_yaml(text, filename)
    except YamlProblem as exc:
        raise ScenarioError([exc.problem]) from None
    if not isinstance(parsed.data, dict):
        raise ScenarioError([Problem(filename, 1, 1, (),
                                     f"the file holds {type(parsed.data).__name__}; expected a "
                                     "mapping with name, actors, issues and stances")])
    problems = cross_problems(parsed, filename)
    quoted, notes = quote_problems(parsed, filename, base_dir,
                                   _read_document if read_documents else _no_document)
    problems += quoted
    try:
        scenario = Scenario.model_validate(parsed.data)
    except ValidationError as exc:
        problems = pydantic_problems(exc, parsed, filename) + problems
        raise ScenarioError(_sorted(problems)) from None
    problems += _zero_weight_problems(scenario, parsed, filename)
    problems += options_problems(scenario, parsed, filename)
    problems += missing_source_problems(scenario, parsed, filename, strict)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(_sorted(problems))
    decoded = text.decode("utf-8") if isinstance(text, bytes) else text
    return Loaded(scenario, decoded, None, tuple(_sorted(problems)), tuple(notes))


def load_scenario(path: str | Path, *, strict: bool = False) -> Loaded:
    """Read and validate a scenario file."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ScenarioError([Problem(str(p), None, None, (),
                                         f"file is {size} bytes; the limit is {MAX_BYTES}")])
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError([Problem(str(p), None, None, (),
                                     f"cannot read the file: {exc.strerror}")]) from None
    loaded = load_scenario_text(raw, str(p), base_dir=p.resolve().parent, strict=strict)
    return Loaded(loaded.scenario, loaded.text, p, loaded.warnings, loaded.notes)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
