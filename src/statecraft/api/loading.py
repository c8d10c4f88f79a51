"""Finding and loading inputs: the bundled scenarios and question sets, and scenario,
question and observation files."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from statecraft.files import InputFileError, read_input, read_input_text
from statecraft.scenario import (
    Loaded,
    Problem,
    ScenarioError,
    load_scenario,
)
from statecraft.scenario import load as scenario_load
from statecraft.scenario.yamlsafe import MAX_BYTES

if TYPE_CHECKING:  # question files are read by the commands that ask them (on first use)
    from statecraft.analysis.questions import QuestionSet

DEFAULT_SCENARIO = scenario_load.DEFAULT_SCENARIO


def bundled_scenarios_dir() -> Path:
    """Where the bundled scenarios are: the source tree's ``scenarios/``, else the package's
    (as the scenario loader finds them, to check an edited copy against its original)."""
    return scenario_load.bundled_scenarios_dir()


def bundled_questions_dir() -> Path:
    """Where the bundled question sets are (``questions/``), found as the scenarios are."""
    source_tree = Path(__file__).resolve().parents[3] / "questions"
    if source_tree.is_dir():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "questions"))


def default_scenario_path() -> Path:
    """The bundled default scenario, the South Caucasus in autumn 2021."""
    return bundled_scenarios_dir() / DEFAULT_SCENARIO


def bundled_sources_dirs() -> tuple[Path, ...]:
    """Where the bundled scenarios' source documents may be read from, besides the
    scenarios' own folder: ``shared/sources`` beside the checkout (the articles are not
    distributed with statecraft; a scenario names them as ``../../shared/sources/...``).
    An installed package has none: its bundled scenarios' quotes go unchecked."""
    source_tree = Path(__file__).resolve().parents[3]
    if bundled_scenarios_dir() != source_tree / "scenarios":
        return ()
    return (source_tree.parent / "shared" / "sources",)


def is_bundled(path: str | Path) -> bool:
    """Whether ``path`` is one of the bundled scenario files."""
    try:
        return Path(path).resolve().parent == bundled_scenarios_dir().resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def sources_dirs_for(path: str | Path, sources_dirs: Sequence[str | Path] = ()
                     ) -> tuple[Path, ...]:
    """The folders the scenario at ``path`` may read source documents from, besides its own:
    those named, and for a bundled scenario ``bundled_sources_dirs()``."""
    named = tuple(Path(d) for d in sources_dirs)
    return named + bundled_sources_dirs() if is_bundled(path) else named


def load(path: str | Path | None = None, *, strict: bool = False,
         sources_dirs: Sequence[str | Path] = ()) -> Loaded:
    """Load and validate a scenario file (the default scenario when ``path`` is None).

    Source documents are read only from the scenario's folder, the ``sources_dirs`` named
    and, for a bundled scenario, ``bundled_sources_dirs()``; any other path a source names
    is never opened (a warning, or an error when ``strict``).
    """
    p = Path(path) if path is not None else default_scenario_path()
    return load_scenario(p, strict=strict, sources_dirs=sources_dirs_for(p, sources_dirs))


def read_scenario_text(path: str | Path) -> str:
    """A scenario file's text, read as every input file is (a regular file within the
    scenario size limit, UTF-8); a file that is not is a ``ScenarioError`` naming it."""
    p = Path(path)
    try:
        return read_input_text(p, limit=MAX_BYTES, what="scenario file")
    except InputFileError as exc:
        raise ScenarioError([Problem(str(p), None, None, (), exc.reason)]) from None


INPUT_LIMIT = MAX_BYTES
"""Largest question or observations file read, in bytes (that of a scenario file)."""


def _read_input(path: str | Path, what: str) -> tuple[bytes, str]:
    """A small input file's bytes and name: a regular file within ``INPUT_LIMIT``, or a
    problem naming the file and why it was not read."""
    p = Path(path)
    try:
        return read_input(p, limit=INPUT_LIMIT, what=what), str(p)
    except InputFileError as exc:
        raise ScenarioError([Problem(str(p), None, None, (), exc.reason)]) from None


def load_observed(path: str | Path, loaded: Loaded) -> dict[str, float]:
    """Read and validate an observations file (issue id -> observed final position)."""
    from statecraft.analysis.questions import load_observed_text

    return load_observed_text(*_read_input(path, "observations file"),
                              {i.id for i in loaded.scenario.issues})


def load_questions(path: str | Path, loaded: Loaded) -> QuestionSet:
    """Read and validate a question file against a scenario's issues."""
    from statecraft.analysis.questions import load_questions_text

    return load_questions_text(*_read_input(path, "question file"),
                               {i.id for i in loaded.scenario.issues})


def questions_from_text(text: str | bytes, loaded: Loaded,
                        name: str = "questions") -> QuestionSet:
    """Validate a question file's text (as a client sent it) against a scenario's issues;
    its problems name ``name`` as their file. Text over ``INPUT_LIMIT`` bytes is a
    problem, as a file over it is."""
    from statecraft.analysis.questions import load_questions_text

    size = len(text.encode("utf-8")) if isinstance(text, str) else len(text)
    if size > INPUT_LIMIT:
        raise ScenarioError([Problem(name, None, None, (), f"is {size:,} bytes; expected "
                                     f"at most {INPUT_LIMIT:,}")])
    return load_questions_text(text, name, {i.id for i in loaded.scenario.issues})
