"""The page's workspace: a scenario (and its questions) edited as a *document*, the plain
JSON form of the file (``statecraft.scenario.document``), checked, saved and exported.

- ``workspace_start``: an empty document, or a bundled scenario (with its bundled
  questions) whose source documents' texts are inlined as ``text``;
- ``workspace_open``: an uploaded scenario YAML, workbook (.xlsx) or questions YAML;
- ``workspace_check``: the validator's problems, each at its field path, never at a line
  of the generated text;
- ``workspace_save``: the YAML texts (the project's YAML writer), which open again as the
  same document; ``workspace_xlsx``: the workbook;
- ``extract_source_text``: an uploaded .txt, .md or .pdf as a source's text;
- ``workspace_quotes``: candidate quotes from a source's text, with their offsets.

A document names no file on this machine that is read: a source's ``path`` in a document
is never opened (only a bundled scenario's own sources are read, when it is started).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Literal

from statecraft.analysis.questions import load_questions_text
from statecraft.analysis.quotes import (
    actor_terms,
    issue_keywords,
    rank_sentences,
    scored_keywords,
    split_sentences,
)
from statecraft.api.loading import bundled_questions_dir, bundled_sources_dirs
from statecraft.errors import InputError, LimitError
from statecraft.files import InputFileError, read_input_text
from statecraft.scenario.document import (
    Document,
    DocumentKind,
    Json,
    data_from_document,
    document_from_data,
    document_yaml,
)
from statecraft.scenario.errors import Problem, ScenarioError, format_path
from statecraft.scenario.extract import PDF_SUFFIX, clean_text, extract_text
from statecraft.scenario.load import (
    bundled_scenarios_dir,
    document_reader,
    load_scenario_text,
)
from statecraft.scenario.schema import Scenario
from statecraft.scenario.skeleton import id_from_text
from statecraft.scenario.validate import Found, Unread
from statecraft.scenario.xlsx import WorkbookError, scenario_to_xlsx, xlsx_to_data
from statecraft.scenario.yamlsafe import MAX_BYTES, YamlProblem, parse_yaml

Where = Literal["scenario", "questions"]

SCENARIO_NAME = "scenario"
"""The name a document's problems are checked under (never shown: problems are given by
field path)."""

MAX_SUGGESTIONS = 50
"""Most quote suggestions given at once."""

MAX_QUOTES_TEXT = 1_048_576
"""The longest source text (characters) ``workspace_quotes`` looks through: as long as
the web's largest request body. Finding the quotes takes time in proportion to the text
(each sentence's offsets are where the splitter found it, never searched for again), so
this bounds the work a request can cause; a longer text is refused (``LimitError``)."""


@dataclass(frozen=True)
class FieldProblem:
    """One problem of a document, at its field path (``stances[3].salience``), in the
    validator's words; ``where`` says which document (the scenario or its questions)."""

    path: str
    message: str
    severity: Literal["error", "warning"]
    where: Where

    @classmethod
    def of(cls, problem: Problem, where: Where) -> FieldProblem:
        """A validator's problem without its file, line and column."""
        return cls(format_path(problem.path), problem.message, problem.severity, where)

    def to_dict(self) -> dict[str, Json]:
        """``{"path", "message", "severity", "where"}``."""
        return {"path": self.path, "message": self.message, "severity": self.severity,
                "where": self.where}


MAX_PROBLEMS_SHOWN = 200
"""Most errors, and most warnings, a check gives back (the first ones, in the validator's
order); how many more there are is said in ``omitted``, so that a request holding
thousands of bad values is not answered with megabytes of them."""


def _dicts(problems: Sequence[FieldProblem]) -> list[Json]:
    return [p.to_dict() for p in problems[:MAX_PROBLEMS_SHOWN]]


def _problem_fields(check: WorkspaceCheck) -> dict[str, Json]:
    """``{"problems", "warnings", "omitted"}``: the first ``MAX_PROBLEMS_SHOWN`` errors and
    warnings, and how many of each are left out (``{"problems": n, "warnings": m}``)."""
    return {"problems": _dicts(check.problems), "warnings": _dicts(check.warnings),
            "omitted": {"problems": max(0, len(check.problems) - MAX_PROBLEMS_SHOWN),
                        "warnings": max(0, len(check.warnings) - MAX_PROBLEMS_SHOWN)}}


@dataclass(frozen=True)
class WorkspaceCheck:
    """What the validator says of a document (and its questions): errors and warnings,
    each at its field path. ``ok``: no errors."""

    problems: tuple[FieldProblem, ...]
    warnings: tuple[FieldProblem, ...]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.problems

    def to_dict(self) -> dict[str, Json]:
        """``{"ok", "problems", "warnings", "omitted"}`` (at most ``MAX_PROBLEMS_SHOWN``
        of each kind, ``omitted`` counting the rest)."""
        return {"ok": self.ok, **_problem_fields(self)}


@dataclass(frozen=True)
class WorkspaceDocuments:
    """A scenario's document and its questions' (None: none), as started or opened, with
    what the validator says of them and what was noticed on the way (a source whose text
    could not be inlined, a workbook's sheet not read)."""

    scenario: Document | None
    questions: Document | None
    check: WorkspaceCheck

    def to_dict(self) -> dict[str, Json]:
        """``{"scenario", "questions", "problems", "warnings", "omitted"}``."""
        return {"scenario": self.scenario, "questions": self.questions,
                **_problem_fields(self.check)}


@dataclass(frozen=True)
class WorkspaceSaved:
    """A document's YAML (and its questions'), written by the project's YAML writer, with
    the check of what was written; ``strict_ok``: ``statecraft validate --strict`` accepts
    the scenario as it stands (every value cited, every quote checked against a text)."""

    check: WorkspaceCheck
    strict_ok: bool
    scenario_yaml: str
    questions_yaml: str | None
    filename: str
    questions_filename: str | None

    def to_dict(self) -> dict[str, Json]:
        """``{"ok", "strict_ok", "problems", "warnings", "omitted", "scenario_yaml",
        "questions_yaml", "filename", "questions_filename"}``."""
        return {"ok": self.check.ok, "strict_ok": self.strict_ok,
                **_problem_fields(self.check),
                "scenario_yaml": self.scenario_yaml, "questions_yaml": self.questions_yaml,
                "filename": self.filename, "questions_filename": self.questions_filename}


@dataclass(frozen=True)
class ExtractedText:
    """A source's text taken from an uploaded file: the text, the file's name, its pages
    (None: not a PDF) and what was changed on the way."""

    text: str
    filename: str
    pages: int | None
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Json]:
        """``{"text", "filename", "pages", "warnings"}``."""
        return {"text": self.text, "filename": self.filename, "pages": self.pages,
                "warnings": list(self.warnings)}


@dataclass(frozen=True)
class Suggestion:
    """A candidate quote: the sentence, its score and where it stands in the source's
    text (``text[start:end]``, line breaks and all)."""

    sentence: str
    score: float
    start: int
    end: int

    def to_dict(self) -> dict[str, Json]:
        return {"sentence": self.sentence, "score": round(self.score, 4),
                "start": self.start, "end": self.end}


@dataclass(frozen=True)
class WorkspaceQuotes:
    """Candidate quotes for an actor (and an issue) from one source's text, best first."""

    suggestions: tuple[Suggestion, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Json]:
        """``{"suggestions": [{"sentence", "score", "start", "end"}]}``."""
        return {"suggestions": [s.to_dict() for s in self.suggestions]}


# ---- checking -----------------------------------------------------------------------------

def _split(problems: Sequence[Problem], where: Where
           ) -> tuple[list[FieldProblem], list[FieldProblem]]:
    errors = [FieldProblem.of(p, where) for p in problems if p.severity == "error"]
    warnings = [FieldProblem.of(p, where) for p in problems if p.severity != "error"]
    return errors, warnings


def _scenario_problems(text: str, *, strict: bool = False
                       ) -> tuple[list[FieldProblem], list[FieldProblem]]:
    """The validator's errors and warnings of a scenario document's YAML (its sources'
    paths are never opened: a document's quotes are checked against its texts)."""
    try:
        loaded = load_scenario_text(text, SCENARIO_NAME, read_documents=False, strict=strict)
    except ScenarioError as exc:
        return _split(exc.problems, "scenario")
    return _split(loaded.warnings, "scenario")


def _issue_ids(scenario: Mapping[str, Json] | None) -> set[str] | None:
    if scenario is None:
        return None
    issues = scenario.get("issues")
    if not isinstance(issues, list):
        return set()
    return {i["id"] for i in issues if isinstance(i, dict) and isinstance(i.get("id"), str)}


def _invalid_characters(doc: Mapping[str, Json], where: Where) -> list[FieldProblem]:
    """Each field (key or value, at any depth) of a document whose text holds half of a
    surrogate pair (U+D800-U+DFFF: JSON can write one, no text file can hold it), named
    by its path, where the YAML it would be written as is refused as a whole."""
    found: list[FieldProblem] = []
    stack: list[tuple[tuple[str | int, ...], Json]] = [((), dict(doc))]
    while stack:
        path, node = stack.pop()
        texts: list[tuple[str, str]] = []  # (what holds it, its text)
        if isinstance(node, str):
            texts.append(("", node))
        elif isinstance(node, dict):
            texts += [("a key ", k) for k in node]  # the path names its mapping
            stack += [((*path, k), v) for k, v in reversed(node.items())
                      if not _surrogate(k)]
        elif isinstance(node, list):
            stack += [((*path, i), v) for i, v in reversed(list(enumerate(node)))]
        for what, text in texts:
            bad = _surrogate(text)
            if bad is not None:
                found.append(FieldProblem(
                    format_path(path) or "(the document)",
                    f"{what}holds U+{ord(bad):04X}, an invalid character (half of a "
                    "surrogate pair, which no text can hold); expected text without it",
                    "error", where))
    return found


def _surrogate(text: str) -> str | None:
    return next((ch for ch in text if 0xD800 <= ord(ch) <= 0xDFFF), None)


def _questions_problems(questions: Mapping[str, Json], scenario: Mapping[str, Json] | None
                        ) -> list[FieldProblem]:
    invalid = _invalid_characters(questions, "questions")
    if invalid:
        return invalid
    text = document_yaml(questions, "questions")
    try:
        load_questions_text(text, "questions", issues=_issue_ids(scenario))
    except ScenarioError as exc:
        return [FieldProblem.of(p, "questions") for p in exc.problems]
    return []


def workspace_check(scenario: Mapping[str, Json] | None,
                    questions: Mapping[str, Json] | None = None, *,
                    scenario_yaml: str | None = None) -> WorkspaceCheck:
    """The problems of a scenario document and its questions' (issues named by the
    questions must be the scenario's), each at its field path; ``scenario_yaml``: the
    scenario's YAML when already written (``document_yaml``)."""
    errors: list[FieldProblem] = []
    warnings: list[FieldProblem] = []
    if scenario is not None:
        errors = _invalid_characters(scenario, "scenario")
        if not errors:
            errors, warnings = _scenario_problems(scenario_yaml or document_yaml(scenario))
        if not errors:
            warnings += _unchecked_quotes(scenario)
    if questions is not None:
        found = _questions_problems(questions, scenario)
        errors += [p for p in found if p.severity == "error"]
        warnings += [p for p in found if p.severity != "error"]
    return WorkspaceCheck(tuple(errors), tuple(warnings))


def _quotes_citing(node: Json, ident: str) -> int:
    """How many citations in ``node`` (a document or a part of it) quote source ``ident``."""
    if isinstance(node, dict):
        here = int(node.get("doc") == ident and isinstance(node.get("quote"), str))
        return here + sum(_quotes_citing(v, ident) for v in node.values())
    if isinstance(node, list):
        return sum(_quotes_citing(v, ident) for v in node)
    return 0


def _unchecked_quotes(scenario: Mapping[str, Json]) -> list[FieldProblem]:
    """A warning for each document source the workspace holds no text of (a path or an
    address only: the workspace opens neither), saying how many quotes citing it are not
    checked, so that a check with no errors never reads as every quote checked."""
    sources = scenario.get("sources")
    if not isinstance(sources, list):
        return []
    out = []
    for i, src in enumerate(sources):
        if not isinstance(src, dict) or src.get("kind") not in (None, "document") or \
                isinstance(src.get("text"), str):
            continue
        ident = src.get("id")
        n = _quotes_citing({k: v for k, v in scenario.items() if k != "sources"},
                           ident) if isinstance(ident, str) else 0
        if n:
            field = "path" if "path" in src else "url" if "url" in src else "id"
            out.append(FieldProblem(
                format_path(("sources", i, field)),
                f"source {ident!r}: the workspace holds no text of it, so the {n} "
                f"quote{'' if n == 1 else 's'} citing it {'is' if n == 1 else 'are'} not "
                "checked; paste or upload its text (Add document, with this id)",
                "warning", "scenario"))
    return out


# ---- starting and opening -----------------------------------------------------------------

def empty_document(today: dt.date | None = None) -> Document:
    """A new scenario's document: a name, today's date and nothing else yet (its check says
    what it needs: an actor, an issue, a stance)."""
    return {"name": "New scenario", "as_of": (today or dt.date.today()).isoformat(),
            "sources": [], "actors": [], "issues": [], "stances": []}


def bundled_names() -> list[str]:
    """The bundled scenarios' file names."""
    return sorted(p.name for p in bundled_scenarios_dir().glob("*.yaml"))


def _parsed_document(raw: str | bytes, filename: str) -> Document:
    """A YAML file's document; a file that cannot be parsed at all is an ``InputError``
    naming it."""
    try:
        parsed = parse_yaml(raw, filename)
    except YamlProblem as exc:
        p = exc.problem
        where = f" (line {p.line})" if p.line is not None else ""
        raise InputError(f"{filename}: {p.message}{where}") from None
    if not isinstance(parsed.data, dict):
        raise InputError(f"{filename}: the file holds {type(parsed.data).__name__}; expected "
                         "a mapping of fields")
    return document_from_data(parsed.data)


def _with_texts(doc: Document, read: bool, what: str) -> tuple[Document, list[FieldProblem]]:
    """``doc`` with each source's ``path`` replaced by the text read from it (``read``:
    a bundled scenario's sources, read from its folder and the bundled sources' folders;
    otherwise none is read), and a warning for each source whose text is not there."""
    sources = doc.get("sources")
    if not isinstance(sources, list):
        return doc, []
    reader = document_reader(bundled_scenarios_dir(), bundled_sources_dirs())
    warnings: list[FieldProblem] = []
    out: list[Json] = []
    for i, src in enumerate(sources):
        rel = src.get("path") if isinstance(src, dict) else None
        if not isinstance(src, dict) or not isinstance(rel, str) or not rel or src.get(
                "kind") not in (None, "document"):
            out.append(src)
            continue
        ident = src.get("id")
        text = reader(rel) if read and "\0" not in rel else None
        if isinstance(text, Found):
            text = text.text
        if not isinstance(text, str):
            # the reader's reason names paths on this machine: not said to a client
            why = ("its file is not available here" if isinstance(text, Unread) else
                   f"the documents {what} names are not opened here")
            warnings.append(FieldProblem(
                format_path(("sources", i, "path")),
                f"source {ident!r}: its text was not read ({why}); paste or upload its text "
                "to check the quotes citing it", "warning", "scenario"))
            out.append(src)
            continue
        cleaned, _ = clean_text(text)
        out.append({("text" if k == "path" else k): (cleaned if k == "path" else v)
                    for k, v in src.items()})
    return {**doc, "sources": out}, warnings


def _first_problems(exc: WorkbookError) -> WorkbookError:
    """A workbook's problems, the first ``MAX_PROBLEMS_SHOWN`` of them and a count of the
    rest (a few KB of workbook can hold 50,000 bad rows: megabytes of problems)."""
    n = len(exc.problems)
    if n <= MAX_PROBLEMS_SHOWN:
        return exc
    return WorkbookError([*exc.problems[:MAX_PROBLEMS_SHOWN],
                          f"... and {n - MAX_PROBLEMS_SHOWN:,} more problems, not listed"])


def _opened(scenario: Document | None, questions: Document | None,
            noticed: Sequence[FieldProblem] = ()) -> WorkspaceDocuments:
    check = workspace_check(scenario, questions)
    said = {p.path for p in noticed}  # a source whose text was not read is said once
    return WorkspaceDocuments(scenario, questions, WorkspaceCheck(
        check.problems, tuple(noticed) + tuple(w for w in check.warnings
                                               if w.path not in said)))


def workspace_start(start: str, today: dt.date | None = None) -> WorkspaceDocuments:
    """``empty``: a new document; ``bundled:NAME``: the bundled scenario NAME, its source
    documents' texts inlined, with its bundled questions when there are any."""
    if start == "empty":
        return _opened(empty_document(today), None)
    kind, _, name = start.partition(":")
    names = bundled_names()
    if kind != "bundled" or name not in names:
        raise InputError(f"from: found {start!r}; expected 'empty' or 'bundled:NAME' with "
                         f"NAME one of {', '.join(names)}")
    try:
        text = read_input_text(bundled_scenarios_dir() / name, limit=MAX_BYTES,
                               what="scenario file")
    except InputFileError as exc:
        raise InputError(f"{name}: {exc.reason}") from None
    doc, noticed = _with_texts(_parsed_document(text, name), True, name)
    questions = None
    qpath = bundled_questions_dir() / name
    if qpath.is_file():
        try:
            qtext = read_input_text(qpath, limit=MAX_BYTES, what="questions file")
        except InputFileError as exc:
            raise InputError(f"{name} (questions): {exc.reason}") from None
        questions = _parsed_document(qtext, f"{name} (questions)")
    return _opened(doc, questions, noticed)


def workspace_open(raw: bytes, filename: str, kind: DocumentKind = "scenario"
                   ) -> WorkspaceDocuments:
    """An uploaded file as documents: a scenario's YAML (``.yaml``, ``.yml``) or workbook
    (``.xlsx``), or with ``kind="questions"`` a questions file (``scenario`` then None).
    A file that cannot be parsed at all is an ``InputError`` naming it; a file that parses
    comes back with its problems. Its sources' paths are never opened: each is a warning
    (paste or upload the text)."""
    name = PurePath(filename).name or "upload"
    suffix = PurePath(name).suffix.lower()
    if kind == "questions":
        if suffix not in (".yaml", ".yml"):
            raise InputError(f"{name}: expected a questions file (.yaml or .yml)")
        return _opened(None, _parsed_document(raw, name))
    if suffix in (".yaml", ".yml"):
        doc = _parsed_document(raw, name)
        warnings: list[FieldProblem] = []
    elif suffix == ".xlsx":
        try:  # a WorkbookError (an InputError) names sheet and cell of each problem
            found = xlsx_to_data(raw, name)
        except WorkbookError as exc:
            raise _first_problems(exc) from None
        doc = document_from_data(found.data)
        warnings = [FieldProblem("(top level)", w, "warning", "scenario")
                    for w in found.warnings]
    else:
        raise InputError(f"{name}: found the extension {suffix or '(none)'!r}; expected a "
                         "scenario (.yaml, .yml) or a workbook (.xlsx)")
    doc, noticed = _with_texts(doc, False, "an uploaded scenario")
    return _opened(doc, None, warnings + noticed)


# ---- saving -------------------------------------------------------------------------------

def _file_name(doc: Mapping[str, Json] | None, suffix: str) -> str:
    name = doc.get("name") if doc is not None else None
    stem = id_from_text(name if isinstance(name, str) else "", set(), "scenario")
    return stem + suffix


def workspace_save(scenario: Mapping[str, Json],
                   questions: Mapping[str, Json] | None = None) -> WorkspaceSaved:
    """The YAML of a scenario document (and of its questions), as files to download, with
    their check and whether ``validate --strict`` accepts the scenario."""
    text = document_yaml(scenario)
    check = workspace_check(scenario, questions, scenario_yaml=text)
    strict_ok = False
    if check.ok:
        strict_errors, _ = _scenario_problems(text, strict=True)
        strict_ok = not strict_errors
    draft = not check.ok
    return WorkspaceSaved(
        check, strict_ok, _draft_header(check) + text if draft else text,
        document_yaml(questions, "questions") if questions is not None else None,
        _file_name(scenario, "-draft.yaml" if draft else ".yaml"),
        _file_name(scenario, "-questions.yaml") if questions is not None else None)


def _draft_header(check: WorkspaceCheck) -> str:
    """The comment heading a document saved with errors, so the file says it is a draft
    (a comment: the file opens again as the same document)."""
    n = len(check.problems)
    return (f"# DRAFT: {n} error{'' if n == 1 else 's'}; statecraft validate refuses this "
            "file until they are fixed\n"
            "# (open it in the workspace to see each beside its field).\n")


class DocumentInvalid(InputError):
    """A document with errors where only a valid one will do (a workbook is made of a
    valid scenario): its check, problems at their field paths."""

    def __init__(self, check: WorkspaceCheck) -> None:
        self.check = check
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in check.problems))


def workspace_xlsx(scenario: Mapping[str, Json]) -> bytes:
    """The workbook of a valid scenario document; one with errors is a
    ``DocumentInvalid`` whose problems are at their field paths."""
    check = workspace_check(scenario)
    if not check.ok:
        raise DocumentInvalid(check)
    text = document_yaml(scenario)
    loaded = load_scenario_text(text, SCENARIO_NAME, read_documents=False)
    return scenario_to_xlsx(loaded.scenario)


def workspace_xlsx_name(scenario: Mapping[str, Json]) -> str:
    """The workbook's file name, from the scenario's name."""
    return _file_name(scenario, ".xlsx")


# ---- source texts -------------------------------------------------------------------------

def extract_source_text(raw: bytes, filename: str, *,
                        should_stop: Callable[[], str | None] | None = None) -> ExtractedText:
    """An uploaded ``.txt``, ``.md`` or ``.pdf`` file's text, fit to be a source's ``text``;
    an ``InputError`` naming the file when it has none to give. A PDF's reading stops
    (its process killed) when ``should_stop`` gives a reason."""
    name = PurePath(filename).name or "upload"
    if PurePath(name).suffix.lower() == PDF_SUFFIX:
        from statecraft.api.isolated import extract_isolated

        # a stranger's PDF: in a limited child process
        got = extract_isolated(raw, name, should_stop=should_stop)
    else:
        got = extract_text(raw, name)
    return ExtractedText(got.text, name, got.pages, got.warnings)


def _source_text(scenario: Mapping[str, Json], source: str) -> str:
    sources = scenario.get("sources")
    items = [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []
    for src in items:
        if src.get("id") == source:
            text = src.get("text")
            if isinstance(text, str) and text.strip():
                return text
            raise InputError(f"source: {source!r} holds no text in the workspace; paste or "
                             "upload its text first")
    known = ", ".join(str(s.get("id")) for s in items if "text" in s) or "none"
    raise InputError(f"source: found {source!r}; expected the id of a source with a text "
                     f"({known})")


def _item(scenario: Mapping[str, Json], section: str, ident: str, what: str
          ) -> dict[str, Json]:
    items = scenario.get(section)
    found = [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
    for item in found:
        if item.get("id") == ident:
            return item
    known = ", ".join(str(i.get("id")) for i in found) or "none"
    raise InputError(f"{what}: found {ident!r}; expected the id of one of the {section} "
                     f"({known})")


def _texts(value: Json) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str)]
    return []


def workspace_quotes(scenario: Mapping[str, Json], source: str, actor: str,
                     issue: str | None = None, limit: int = 10) -> WorkspaceQuotes:
    """The ``limit`` (at most ``MAX_SUGGESTIONS``) sentences of a source's text most worth
    citing for an actor (and an issue), as ``statecraft quotes`` ranks them, each with its
    offsets in the text, as the splitter found it; a text over ``MAX_QUOTES_TEXT``
    characters is refused."""
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise InputError(f"limit: found {limit}; expected 1 to {MAX_SUGGESTIONS}")
    text = _source_text(scenario, source)
    if len(text) > MAX_QUOTES_TEXT:
        raise LimitError(f"source: {source!r} holds {len(text):,} characters of text; "
                         f"quotes are suggested from at most {MAX_QUOTES_TEXT:,}")
    who = _item(scenario, "actors", actor, "actor")
    name = who.get("name")
    terms = actor_terms(name if isinstance(name, str) and name.strip() else actor, actor)
    keywords: list[str] = []
    if issue is not None:
        chosen = _item(scenario, "issues", issue, "issue")
        keywords = issue_keywords([issue, *_texts(chosen.get("question")),
                                   *_texts(chosen.get("scale"))])
    keywords = scored_keywords(terms, keywords)
    ranked = rank_sentences(split_sentences(text), terms, keywords, top=limit)
    return WorkspaceQuotes(tuple(Suggestion(c.text, c.score, c.start, c.end)
                                 for c in ranked
                                 if c.start is not None and c.end is not None))


def scenario_of(doc: Mapping[str, Json]) -> Scenario:
    """A valid scenario document as a ``Scenario`` (a ``ScenarioError`` otherwise)."""
    return load_scenario_text(document_yaml(doc), SCENARIO_NAME,
                              read_documents=False).scenario


__all__ = [
    "DocumentInvalid",
    "ExtractedText",
    "FieldProblem",
    "Suggestion",
    "WorkspaceCheck",
    "WorkspaceDocuments",
    "WorkspaceQuotes",
    "WorkspaceSaved",
    "bundled_names",
    "data_from_document",
    "empty_document",
    "extract_source_text",
    "workspace_check",
    "workspace_open",
    "workspace_quotes",
    "workspace_save",
    "workspace_start",
    "workspace_xlsx",
    "workspace_xlsx_name",
]
