"""Reading scenario files: safe YAML, validation, quote checks; all problems at once.

``load_scenario`` is the one way the rest of statecraft gets a ``Scenario``. A file with
any error raises ``ScenarioError`` listing every problem; nothing of it is used.

Source documents stay with the scenario: a source's ``path`` is read only when it resolves
(after symbolic links) inside the scenario file's folder or one of the ``sources_dirs`` the
caller names, or when a file of its name lies directly inside one of the ``sources_dirs``
(``document_reader``); any other path is never opened (a warning, an error under
``strict``), so a scenario someone shares cannot make statecraft tell whether a file
elsewhere on the machine holds a given sentence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from statecraft.files import InputFileError, read_input, read_input_text
from statecraft.scenario.errors import Problem, ScenarioError
from statecraft.scenario.provenance import Cited, declared_edits
from statecraft.scenario.schema import MAX_DOCUMENT_BYTES as MAX_DOCUMENT_BYTES
from statecraft.scenario.schema import Scenario
from statecraft.scenario.validate import (
    DocumentReader,
    Found,
    Unread,
    cross_problems,
    missing_source_problems,
    options_problems,
    pydantic_problems,
    quote_problems,
)
from statecraft.scenario.yamlsafe import MAX_BYTES, Parsed, YamlProblem, parse_yaml


@dataclass(frozen=True)
class Loaded:
    """A valid scenario with what was noticed while loading it.

    ``quotes_checked`` counts the quotes compared with their document's text;
    ``quotes_unchecked`` those whose document was not read (absent, outside the allowed
    folders, or only a url). ``cited`` is the scenario this one was edited from (None: it
    is the text it was read as); its values are the ones the sources cite. It comes from
    an edit made here (``scenario.edit.load_edited``: its text at hand) or from the text's
    own ``edited_from`` block (its text unknown).
    """

    scenario: Scenario
    text: str
    path: Path | None
    warnings: tuple[Problem, ...]
    notes: tuple[str, ...]
    quotes_checked: int = 0
    quotes_unchecked: int = 0
    cited: Cited | None = None


def _read_document(path: Path) -> str:
    """A source document's text; ``path`` is resolved and inside an allowed folder, so a
    symbolic link in its last part (swapped in after the check) is refused."""
    return read_input_text(path, limit=MAX_DOCUMENT_BYTES, what="source document",
                           follow_symlinks=False)


def allowed_folders(base_dir: Path | None, sources_dirs: Sequence[str | Path] = ()
                    ) -> tuple[Path, ...]:
    """The folders source documents may be read from: the scenario's own and those named,
    resolved (so a path is compared with where its links really lead)."""
    out: list[Path] = []
    for folder in ([base_dir] if base_dir is not None else []) + [Path(d) for d in sources_dirs]:
        try:
            real = folder.resolve()
        except (OSError, RuntimeError):
            continue
        if real not in out:
            out.append(real)
    return tuple(out)


def _by_name(written: str, named: tuple[Path, ...]) -> Path | None:
    """The first file called like ``written``'s last part directly inside one of the
    ``named`` folders (resolved, and still inside it: a link there to elsewhere is not
    followed out), or None."""
    name = Path(written).name
    if name in ("", ".", ".."):
        return None
    for folder in named:
        candidate = folder / name
        try:
            real = candidate.resolve()
        except (OSError, RuntimeError):
            continue
        if real.is_relative_to(folder) and real.is_file():
            return real
    return None


def document_reader(base_dir: Path | None, sources_dirs: Sequence[str | Path] = (), *,
                    read_documents: bool = True) -> DocumentReader:
    """How a scenario's source paths are read: relative to ``base_dir``, and only inside
    ``base_dir`` or ``sources_dirs``; with ``read_documents=False``, never.

    A path that does not lead to a file inside an allowed folder (a copy of a scenario
    moved away from the ``../../shared/sources`` its paths climb to) is then looked for
    by its file name directly inside each of the ``sources_dirs``, in order: naming the
    folder its documents now sit in is enough. Nothing outside those folders is opened."""
    allowed = allowed_folders(base_dir, sources_dirs)
    named = allowed_folders(None, sources_dirs)

    def read(written: str) -> str | Found | Unread:
        if not read_documents:
            return Unread("its text was not read (documents named by a scenario that came as "
                          "text are never opened here)", "note")
        path = Path(written)
        if not path.is_absolute():
            if base_dir is None:
                return Unread(f"{written} is relative, and the scenario has no folder to "
                              "resolve it against", "warning")
            path = base_dir / path
        try:
            real = path.resolve()
        except (OSError, RuntimeError) as exc:  # a loop of symbolic links
            return Unread(f"{written} cannot be resolved ({exc})", "warning")
        inside = any(real.is_relative_to(folder) for folder in allowed)
        if not (inside and real.exists()) and (found := _by_name(written, named)):
            try:
                return Found(_read_document(found), str(found))
            except InputFileError as exc:
                return Unread(str(exc), "error" if exc.cause == "refused" else "warning")
        if not inside:
            folders = ", ".join(str(f) for f in allowed) or "none"
            looked = (f" and no file named {Path(written).name!r} is in "
                      + ", ".join(str(f) for f in named)) if named else ""
            return Unread(f"{written} resolves to {real}, outside the folders source documents "
                          f"are read from ({folders}){looked}; it was not opened (name the "
                          "folder that holds it as a sources folder, sources_dirs (--sources-dir "
                          "on the command line), to allow it)", "warning")
        try:
            return _read_document(real)
        except InputFileError as exc:
            if exc.cause == "missing":
                return Unread(f"text not found at {real}", "note")
            return Unread(str(exc), "error" if exc.cause == "refused" else "warning")

    return read


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


DEFAULT_SCENARIO = "south-caucasus-2021.yaml"


def bundled_scenarios_dir() -> Path:
    """Where the bundled scenarios are: the source tree's ``scenarios/``, else the package's."""
    source_tree = Path(__file__).resolve().parents[3] / "scenarios"
    if (source_tree / DEFAULT_SCENARIO).is_file():
        return source_tree
    return Path(str(resources.files("statecraft") / "bundled" / "scenarios"))


def find_original(name: str, base_dir: Path | None, text: str) -> tuple[str | None, str]:
    """The text of the original an edited copy names (``edited_from.name``): the bundled
    scenario of that name, else a file of that name beside the copy (``base_dir``), read
    as a scenario file is; never the copy itself. With where it was looked for."""
    folders = [bundled_scenarios_dir()] + ([base_dir] if base_dir is not None else [])
    looked = "looked for among the bundled scenarios" + (
        " and beside the copy" if base_dir is not None else "")
    if not name or Path(name).name != name or name in (".", ".."):
        return None, "its name is not a file name"
    for folder in folders:
        try:
            found = read_input_text(folder / name, limit=MAX_BYTES, what="scenario file")
        except InputFileError:
            continue
        if found != text:
            return found, looked
    return None, looked


def load_scenario_text(
    text: str | bytes,
    filename: str = "<scenario>",
    *,
    base_dir: Path | None = None,
    strict: bool = False,
    read_documents: bool = True,
    sources_dirs: Sequence[str | Path] = (),
    check_original: bool = True,
) -> Loaded:
    """Validate scenario text; ``base_dir`` resolves the sources' relative paths.

    Source documents are read only inside ``base_dir`` and ``sources_dirs``.
    ``read_documents=False`` never opens the files the sources name (their quotes go
    unchecked): for text from someone who should not choose what this process reads.
    ``strict`` makes a value without a source, a document with neither path nor url, and
    a quote that could not be checked errors, and so does each value an edited copy's
    ``edited_from`` lists as an edit (its sources support the cited value, not it).
    A text with ``edited_from`` is loaded with its cited original (``Loaded.cited``, its
    text unknown): its edits are marked wherever it is shown. With ``check_original`` the
    original it names is looked for (``find_original``) and, when found, its hash and
    cited values must be the original's; ``False`` (a text already checked, such as a
    stored run's) leaves them unverified.
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
    quotes = quote_problems(parsed, filename,
                            document_reader(base_dir, sources_dirs,
                                            read_documents=read_documents),
                            strict=strict)
    problems += quotes.problems
    try:
        scenario = Scenario.model_validate(parsed.data)
    except ValidationError as exc:
        problems = pydantic_problems(exc, parsed, filename) + problems
        raise ScenarioError(_sorted(problems)) from None
    problems += _zero_weight_problems(scenario, parsed, filename)
    problems += options_problems(scenario, parsed, filename)
    problems += missing_source_problems(scenario, parsed, filename, strict)
    original, looked = None, "not looked for"
    if scenario.edited_from is not None and check_original:
        decoded_text = text.decode("utf-8") if isinstance(text, bytes) else text
        original, looked = find_original(scenario.edited_from.name, base_dir, decoded_text)
    declared = declared_edits(scenario, parsed, filename, strict=strict,  # edited_from
                              original=original, looked=looked)
    problems += declared.problems
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(_sorted(problems))
    decoded = text.decode("utf-8") if isinstance(text, bytes) else text
    return Loaded(scenario, decoded, None, tuple(_sorted(problems)),
                  tuple(quotes.notes + declared.notes), quotes.checked, quotes.unchecked,
                  declared.cited)


def load_scenario(path: str | Path, *, strict: bool = False,
                  sources_dirs: Sequence[str | Path] = ()) -> Loaded:
    """Read and validate a scenario file; its sources' documents are read from its own
    folder and ``sources_dirs`` only."""
    p = Path(path)
    try:
        raw = read_input(p, limit=MAX_BYTES, what="scenario file")
    except InputFileError as exc:
        raise ScenarioError([Problem(str(p), None, None, (), exc.reason)]) from None
    loaded = load_scenario_text(raw, str(p), base_dir=p.resolve().parent, strict=strict,
                                sources_dirs=sources_dirs)
    return replace(loaded, path=p)


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
