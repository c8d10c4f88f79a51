"""Finding and loading inputs: the bundled scenarios and question sets, and scenario,
question and observation files."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from statecraft.analysis.questions import QuestionSet, load_questions_text
from statecraft.scenario import (
    Loaded,
    Problem,
    ScenarioError,
    load_scenario,
)

DEFAULT_SCENARIO = "south-caucasus-2021.yaml"


def bundled_scenarios_dir() -> Path:
    """Where the bundled scenarios are: the source tree's ``scenarios/``, else the package's."""
    source_tree = Path(__file__).resolve().parents[3] / "scenarios"
    if (source_tree / DEFAULT_SCENARIO).is_file():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "scenarios"))


def bundled_questions_dir() -> Path:
    """Where the bundled question sets are (``questions/``), found as the scenarios are."""
    source_tree = Path(__file__).resolve().parents[3] / "questions"
    if source_tree.is_dir():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "questions"))


def default_scenario_path() -> Path:
    """The bundled default scenario, the South Caucasus in autumn 2021."""
    return bundled_scenarios_dir() / DEFAULT_SCENARIO


def load(path: str | Path | None = None, *, strict: bool = False) -> Loaded:
    """Load and validate a scenario file (the default scenario when ``path`` is None)."""
    return load_scenario(path if path is not None else default_scenario_path(), strict=strict)


def _read_input(path: str | Path) -> tuple[bytes, str]:
    """A small input file's bytes and name; an unreadable file is a located problem."""
    p = Path(path)
    try:
        return p.read_bytes(), str(p)
    except OSError as exc:
        raise ScenarioError([Problem(str(p), None, None, (),
                                     f"cannot read the file: {exc.strerror}")]) from None


def load_observed(path: str | Path, loaded: Loaded) -> dict[str, float]:
    """Read and validate an observations file (issue id -> observed final position)."""
    from statecraft.analysis.questions import load_observed_text

    return load_observed_text(*_read_input(path), {i.id for i in loaded.scenario.issues})


def load_questions(path: str | Path, loaded: Loaded) -> QuestionSet:
    """Read and validate a question file against a scenario's issues."""
    return load_questions_text(*_read_input(path), {i.id for i in loaded.scenario.issues})
