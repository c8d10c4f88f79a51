"""Building a scenario without writing YAML by hand: a skeleton to start from
(``new_scenario``), a spreadsheet round trip (``export_xlsx``, ``import_xlsx``) and
candidate quotes from a source text (``suggest_quotes``).

Every file is read through ``statecraft.files.read_input`` (a regular file, within a size
limit), every result is validated before anything is written, and a file is written to a
temporary name in its folder and moved into place, so an error leaves nothing behind.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from statecraft.analysis.quotes import (
    Candidate,
    actor_terms,
    issue_keywords,
    rank_sentences,
    scored_keywords,
    split_sentences,
)
from statecraft.atomic import OutputError, write_output
from statecraft.errors import OptionError
from statecraft.files import read_input, read_input_text
from statecraft.scenario.errors import ScenarioError
from statecraft.scenario.load import MAX_DOCUMENT_BYTES, Loaded, load_scenario_text
from statecraft.scenario.schema import Actor, Scenario
from statecraft.scenario.skeleton import (
    SkeletonSource,
    check_name,
    id_from_text,
    relative_source_path,
    skeleton_text,
)
from statecraft.scenario.xlsx import (
    MAX_XLSX_BYTES,
    WorkbookError,
    dump_yaml,
    iter_problems,
    scenario_to_xlsx,
    xlsx_to_data,
    yaml_ready,
)


def write_new_file(target: Path, data: bytes, *, replace: bool = False) -> None:
    """Write ``data`` to ``target`` whole or not at all (``write_output``). Without
    ``replace`` an existing ``target`` is never overwritten, even one made after a check
    (a ``ValueError``); a target that cannot be written (a read-only folder, a parent that
    is a file) is an ``OutputError`` naming it and the system's reason."""
    try:
        write_output(target, data, replace=replace)
    except FileExistsError:
        raise ValueError(f"{target} exists; nothing was written") from None


def _taken(target: Path) -> bool:
    """Whether anything (a dangling link included) has the name ``target``; a name the
    system refuses to look up (too long, in a folder it may not read) is an
    ``OutputError`` naming it, as writing it would be."""
    try:
        os.lstat(target)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError(f"{target}: cannot write it ({exc.strerror or exc}); nothing was "
                          "written") from None
    return True


def output_folder(target: Path) -> Path:
    """The folder ``target`` is to be written in, which must exist (a ``ValueError``
    saying so, before any work or any temporary file)."""
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder; nothing was written")
    return folder


def new_scenario(name: str, sources: Sequence[str | Path] = (), out: str | Path | None = None
                 ) -> tuple[Path, Loaded]:
    """Write a minimal valid scenario called ``name`` with each of ``sources`` registered
    as a document (path relative to the scenario, title from its file name).

    ``out`` defaults to the name as an id plus ``.yaml`` in the current folder. Each source
    must be a regular UTF-8 text file within the source-document size limit (it is read to
    make sure). The text is validated (warnings for its placeholder values are expected)
    before it is written; an existing file is never replaced. Returns the path written and
    the scenario as loaded from its text.
    """
    name = check_name(name)
    target = Path(out) if out is not None else Path(id_from_text(name, set(), "scenario")
                                                    + ".yaml")
    if _taken(target):
        raise ValueError(f"{target} exists; nothing was written (choose another name with -o)")
    folder = output_folder(target)
    registered = []
    for src in sources:
        path = Path(src)
        read_input_text(path, limit=MAX_DOCUMENT_BYTES, what="source document")
        registered.append(SkeletonSource(relative_source_path(path, folder), path.name))
    text = skeleton_text(name, registered)
    loaded = load_scenario_text(text, str(target), base_dir=folder.resolve())
    write_new_file(target, text.encode("utf-8"))
    return target, loaded


def sources_outside(scenario: str | Path, sources: Sequence[str | Path]
                    ) -> list[tuple[Path, Path]]:
    """Each of ``sources`` that does not lie in the folder of the ``scenario`` file, with
    the folder that holds it: the loader reads a document only from the scenario's own
    folder and those named with ``--sources-dir``, so its quotes are checked only with
    that folder named (or a copy of the text beside the scenario)."""
    folder = Path(scenario).resolve().parent
    out = []
    for src in sources:
        real = Path(src).resolve()
        if not real.is_relative_to(folder):
            out.append((Path(src), real.parent))
    return out


def export_xlsx(loaded: Loaded, out: str | Path, *, force: bool = False) -> Path:
    """Write ``loaded``'s scenario as a workbook (``scenario.xlsx``'s sheets) to ``out``,
    whole or not at all; an existing file is replaced only with ``force``."""
    target = Path(out)
    if target.suffix.lower() != ".xlsx":
        raise ValueError(f"{target}: expected a file name ending in .xlsx")
    if not force and _taken(target):
        raise OptionError(f"{target} exists; to replace it, say so", "force")
    output_folder(target)
    write_new_file(target, scenario_to_xlsx(loaded.scenario), replace=force)
    return target


@dataclass(frozen=True)
class Imported:
    """A workbook read as a scenario: its YAML text, the scenario as loaded from that text
    (validated as if saved at the output path), its warnings said by sheet and cell, and
    the path written (None: not written)."""

    text: str
    loaded: Loaded
    warnings: tuple[str, ...]
    written: Path | None


def import_xlsx(path: str | Path, out: str | Path | None = None, *, force: bool = False,
                sources_dirs: Sequence[str | Path] = ()) -> Imported:
    """A workbook made by ``export_xlsx`` (or filled in by hand) as scenario YAML, written
    to ``out`` when given.

    The file is read through ``read_input`` (a regular file within ``MAX_XLSX_BYTES``),
    then every cell is checked and the scenario validated as if it stood at ``out`` (its
    sources' paths are relative to it); any error raises ``WorkbookError`` naming the
    sheet and cell, and nothing is written. An existing ``out`` is replaced only with
    ``force``.
    """
    p = Path(path)
    if out is not None:
        output_folder(Path(out))
    raw = read_input(p, limit=MAX_XLSX_BYTES, what="workbook (.xlsx)")
    found = xlsx_to_data(raw, str(p))
    text = dump_yaml(yaml_ready(found.data))
    target = Path(out) if out is not None else None
    if target is not None and not force and _taken(target):
        raise OptionError(f"{target} exists; to replace it, say so", "force")
    base = (target.parent if target is not None else p.parent).resolve()
    try:
        loaded = load_scenario_text(text, str(target or p), base_dir=base,
                                    sources_dirs=sources_dirs)
    except ScenarioError as exc:
        raise WorkbookError(list(iter_problems(exc.problems, found, str(p)))) from None
    warnings = found.warnings + tuple(iter_problems(loaded.warnings, found, str(p)))
    if target is not None:
        write_new_file(target, text.encode("utf-8"), replace=force)
    return Imported(text, replace(loaded, path=target), warnings, target)


@dataclass(frozen=True)
class QuoteSuggestions:
    """Candidate quotes from a source text for an actor (and an issue): what was looked
    for (the actor's terms, the issue's keywords) and the sentences found, best first."""

    source: Path
    actor: str
    actor_id: str | None
    terms: tuple[str, ...]
    issue: str | None
    keywords: tuple[str, ...]
    sentences: int
    candidates: tuple[Candidate, ...]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (``quotes --json``)."""
        return {"source": str(self.source), "actor": self.actor, "actor_id": self.actor_id,
                "terms": list(self.terms), "issue": self.issue,
                "keywords": list(self.keywords), "sentences": self.sentences,
                "candidates": [c.as_dict() for c in self.candidates]}


def _find_actor(scenario: Scenario, wanted: str) -> Actor:
    key = wanted.strip().lower()
    for actor in scenario.actors:
        if actor.id == key or actor.name.lower() == key:
            return actor
    known = ", ".join(f"{a.id} ({a.name})" for a in scenario.actors)
    raise OptionError(f"no actor {wanted!r} in the scenario; expected an id or a name of: "
                      f"{known}", "actor")


def suggest_quotes(source: str | Path, actor: str, *, issue: str | None = None,
                   scenario: Loaded | None = None, aliases: Sequence[str] = (),
                   top: int = 10) -> QuoteSuggestions:
    """The ``top`` sentences of the text at ``source`` (Markdown or plain, read as every
    source document is) that mention ``actor`` and, with ``issue``, the issue's keywords,
    ranked as ``statecraft.analysis.quotes`` explains.

    With ``scenario``, ``actor`` is an actor's id or name there, and ``issue`` an issue's
    id whose question and named points give the keywords; without, ``actor`` is a name and
    ``issue`` the keywords themselves. ``aliases`` are further names for the actor (a
    capital used for its government, an abbreviation).
    """
    if top < 1:
        raise OptionError(f"the number of sentences is {top}; expected 1 or more", "top")
    if not actor.strip():
        raise OptionError("the actor is empty; expected an actor's name or id", "actor")
    text = read_input_text(source, limit=MAX_DOCUMENT_BYTES, what="source document")
    actor_id: str | None = None
    name = actor.strip()
    keywords: list[str] = []
    if scenario is not None:
        found = _find_actor(scenario.scenario, actor)
        actor_id, name = found.id, found.name
        if issue is not None:
            ids = [i.id for i in scenario.scenario.issues]
            if issue not in ids:
                raise OptionError(f"no issue {issue!r} in the scenario; expected one of: "
                                  f"{', '.join(ids)}", "issue")
            chosen = scenario.scenario.issue(issue)
            keywords = issue_keywords([chosen.id, chosen.question, *chosen.scale.values()])
    elif issue is not None:
        keywords = issue_keywords([issue])
    terms = actor_terms(name, actor_id, [a for a in aliases if a.strip()])
    keywords = scored_keywords(terms, keywords)
    sentences = split_sentences(text)
    ranked = rank_sentences(sentences, terms, keywords, top=top)
    return QuoteSuggestions(Path(source), name, actor_id, tuple(terms), issue,
                            tuple(keywords), len(sentences), tuple(ranked))
