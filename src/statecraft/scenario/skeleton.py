"""A minimal valid scenario to start from: ``statecraft new``.

The skeleton has two placeholder actors, one issue and a stance for each, so it loads as
it is (every scenario needs at least one of each); each source document named is
registered as a ``document`` source with its path relative to the scenario's folder and a
title made from its file name. Its values cite nothing yet, so ``statecraft validate``
warns about each of them (and ``--strict`` refuses them) until a quote is attached: the
comments in the file say so. Pure text building; reading and writing happen in the API.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from statecraft.errors import InputError
from statecraft.scenario.controls import UNSAFE, describe
from statecraft.scenario.edit import yaml_text

_NOT_ID = re.compile(r"[^a-z0-9]+")

MAX_NAME_CHARS = 10_000
"""Longest scenario name (a scenario's text fields hold at most 10,000 characters)."""

_COMMENT_NAME_CHARS = 80


def check_name(name: str) -> str:
    """``name`` without its outer spaces, or an ``InputError`` naming what is wrong with it:
    empty, over ``MAX_NAME_CHARS``, or holding a control character (a newline included: a
    name is one line), DEL or a bidirectional override or isolate."""
    text = name.strip()
    if not text:
        raise InputError("NAME: empty; expected a few words naming the scenario")
    if len(text) > MAX_NAME_CHARS:
        raise InputError(f"NAME: {len(text):,} characters; the limit is {MAX_NAME_CHARS:,}")
    bad = next((ch for ch in text if ord(ch) < 0x20 or ord(ch) in UNSAFE), None)
    if bad is not None:
        raise InputError(f"NAME: holds {describe(bad)}; expected a name on one line of "
                         "plain text")
    return text


def _comment_text(text: str) -> str:
    """``text`` made safe inside a one-line YAML comment: no line breaks or controls, and
    short."""
    flat = " ".join("".join(" " if ord(ch) < 0x20 or ord(ch) in UNSAFE or ch in "\x85\u2028"
                            "\u2029" else ch for ch in text).split())
    return flat if len(flat) <= _COMMENT_NAME_CHARS else flat[:_COMMENT_NAME_CHARS] + "..."


@dataclass(frozen=True)
class SkeletonSource:
    """A source document to register: its path as the scenario writes it (relative to the
    scenario's folder) and the file name its id and title come from."""

    path: str
    file_name: str


def title_from_file_name(file_name: str) -> str:
    """``valiyev-2021_end-of-war.md`` -> ``Valiyev 2021 end of war``: the stem with
    dashes and underscores read as spaces, its first letter capitalised."""
    stem = Path(file_name).stem
    words = " ".join(re.split(r"[-_\s]+", stem)).strip()
    if not words:
        return file_name
    return words[0].upper() + words[1:]


def id_from_text(text: str, taken: set[str], fallback: str = "source") -> str:
    """A scenario id (lowercase letters, digits, '-') made from ``text``, not in ``taken``
    (a number is added when it is); ``fallback`` when ``text`` has no letter or digit."""
    base = _NOT_ID.sub("-", text.lower()).strip("-")[:56] or fallback
    if not base[0].isalnum():
        base = fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def relative_source_path(source: Path, scenario_dir: Path) -> str:
    """``source`` as a path relative to the scenario's folder, with forward slashes (the
    form scenario files use, on any system)."""
    rel = os.path.relpath(source.resolve(), scenario_dir.resolve())
    return Path(rel).as_posix()


def skeleton_text(name: str, sources: list[SkeletonSource]) -> str:
    """The YAML text of a new scenario called ``name`` with ``sources`` registered."""
    lines = [
        f"# {_comment_text(name)}: a new scenario made by 'statecraft new'.",
        "# It is valid as it stands, but its actors, issue and values are placeholders that",
        "# cite nothing yet: 'statecraft validate' warns about each value without a source,",
        "# and 'statecraft validate --strict' refuses them until each cites a quote",
        "# ({doc: ID, quote: ...}), a dataset ({dataset: ID, note: ...}) or a judgment.",
        "# 'statecraft quotes SOURCE --actor NAME' lists sentences of a source worth citing.",
        yaml.safe_dump({"name": name}, allow_unicode=True, width=1_000_000).rstrip("\n"),
        "",
        "# Where the values come from. A document's path is relative to this file.",
    ]
    if sources:
        lines.append("sources:")
        taken: set[str] = set()
        for src in sources:
            sid = id_from_text(Path(src.file_name).stem, taken)
            taken.add(sid)
            lines += [
                f"  - id: {sid}",
                "    kind: document",
                f"    title: {yaml_text(title_from_file_name(src.file_name))}",
                f"    path: {yaml_text(src.path)}",
            ]
    else:
        lines += [
            "# none yet: list each as one of",
            "#   - {id: notes, kind: document, title: Field notes, path: notes.md}",
            "#   - {id: sipri, kind: dataset, title: SIPRI Military Expenditure, year: 2024}",
            "#   - {id: mine, kind: judgment, author: Your name, date: 2024-01-01,",
            "#      rationale: why you judge so}",
            "sources: []",
        ]
    lines += [
        "",
        "# capability: what each actor can bring to bear (any positive scale, e.g. the square",
        "# root of military spending); cite it with source: {...}.",
        "actors:",
        "  - {id: actor-a, name: Actor A, kind: state, capability: 1}",
        "  - {id: actor-b, name: Actor B, kind: state, capability: 1}",
        "",
        "# Each issue is a question on a 0-100 scale with named points and a status quo.",
        "issues:",
        "  - id: issue-1",
        "    question: What is contested?",
        "    scale: {0: one outcome, 50: a compromise, 100: the other outcome}",
        "    status_quo: 50",
        "",
        "# Where each actor wants each issue to end up (0-100) and how much it cares",
        "# (salience, 0-1); a [low, high] range where the sources leave it uncertain.",
        "stances:",
        "  - {actor: actor-a, issue: issue-1, position: 0, salience: 0.5}",
        "  - {actor: actor-b, issue: issue-1, position: 100, salience: 0.5}",
    ]
    return "\n".join(lines) + "\n"
