"""A scenario (or a questions file) as a *document*: the plain JSON form of the file, with
exactly its field names, as the page's workspace edits it.

A document is what the file holds, not a new shape: ``document_from_data`` turns parsed
YAML into JSON values (dates as ``YYYY-MM-DD`` text, a scale's numeric keys as text, as
JSON keys must be; an infinite or undefined number, which JSON cannot hold, as its YAML
text ``.inf`` or ``.nan``, which the validator then names), and ``data_from_document``
turns them back (a date field's text into a date, a scale's keys into numbers), so
``document_yaml`` writes YAML that reads back as the same document. Pure conversion: no
file is read or written here; problems are the validator's, located by field path
(``format_path``), never by a line of generated text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

from statecraft.errors import InputError
from statecraft.scenario.errors import Path_, format_path
from statecraft.scenario.xlsx import dump_yaml
from statecraft.scenario.yamlsafe import MAX_DEPTH

Json: TypeAlias = "bool | int | float | str | Sequence[Json] | Mapping[str, Json] | None"
"""A JSON value (as ``statecraft.api.Json``)."""

Document: TypeAlias = "dict[str, Json]"
"""A scenario or questions file in its JSON form."""

DocumentKind = Literal["scenario", "questions"]

_NON_FINITE = {"nan": ".nan", "inf": ".inf", "-inf": "-.inf"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER_KEY = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")

_DATE_FIELDS: dict[DocumentKind, tuple[Path_, ...]] = {
    "scenario": (("as_of",), ("sources", "*", "date"), ("rules", "*", "in_force_from"),
                 ("rules", "*", "due")),
    "questions": (("questions", "*", "resolved_on"),),
}
"""Where a file holds a date (``*``: every item of a list): YAML reads ``2021-10-01`` there
as a date, so the document's text is written back as one."""


class DocumentError(InputError):
    """A document that is not a scenario's or questions file's JSON form at all (not a
    mapping, nested past ``MAX_DEPTH``): said with the field path."""


def _too_deep(path: Path_) -> DocumentError:
    where = format_path(path[:4]) + ("..." if len(path) > 4 else "")
    return DocumentError(f"{where}: nested more than {MAX_DEPTH} levels deep")


def _jsonable(value: Any, path: Path_, depth: int = 0) -> Json:
    if depth > MAX_DEPTH:
        raise _too_deep(path)
    if isinstance(value, dict):
        return {_key(k): _jsonable(v, (*path, _key(k)), depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, (*path, i), depth + 1) for i, v in enumerate(value)]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return _NON_FINITE[str(value)]  # JSON has no such number: its YAML as text
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _key(key: Any) -> str:
    """A mapping key as JSON's text key: a number as Python writes it (``0``, ``62.5``)."""
    if isinstance(key, dt.date):
        return key.isoformat()
    return key if isinstance(key, str) else str(key)


def document_from_data(data: Any) -> Document:
    """Parsed YAML (``parse_yaml(...).data``) as a document: JSON values only."""
    if not isinstance(data, dict):
        raise DocumentError(f"the file holds {type(data).__name__}; expected a mapping of "
                            "fields")
    out = _jsonable(data, ())
    assert isinstance(out, dict)
    return out


def _scale_key(key: str) -> Any:
    """A scale point's JSON key as the number YAML would read (``"0"`` -> 0, ``"62.5"`` ->
    62.5); any other text stays text, for the validator to name."""
    if not _NUMBER_KEY.match(key.strip()):
        return key
    number = float(key)
    if not math.isfinite(number):
        return key
    whole = "." not in key and "e" not in key.lower()
    return int(key) if whole else number


def _as_date(value: Any) -> Any:
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return value  # not a real date: left as text, for the validator to name
    return value


def _plain(value: Any, path: Path_, depth: int = 0) -> Any:
    """A JSON value as YAML data, checked for depth; a scale's keys as numbers."""
    if depth > MAX_DEPTH:
        raise _too_deep(path)
    if isinstance(value, dict):
        scale = len(path) == 3 and path[0] == "issues" and path[2] == "scale"
        out: dict[Any, Any] = {}
        for k, v in value.items():
            key = _scale_key(k) if scale and isinstance(k, str) else k
            if key in out:  # "50" and "50.0": one point named twice
                raise DocumentError(f"{format_path(path)}: the point {key:g} is named twice; "
                                    "expected each point once")
            out[key] = _plain(v, (*path, k), depth + 1)
        return out
    if isinstance(value, list):
        return [_plain(v, (*path, i), depth + 1) for i, v in enumerate(value)]
    return value


def _dates(data: Any, pattern: Path_) -> None:
    """Each value at ``pattern`` (``*``: every item of a list) made a date where its text
    is one."""
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for item in data:
                if rest:
                    _dates(item, rest)
        return
    if not isinstance(data, dict) or head not in data:
        return
    if rest:
        _dates(data[head], rest)
    else:
        data[head] = _as_date(data[head])


def data_from_document(doc: Mapping[str, Json], kind: DocumentKind = "scenario"
                       ) -> dict[str, Any]:
    """A document as the data its YAML file holds (the inverse of ``document_from_data``)."""
    if not isinstance(doc, Mapping):
        raise DocumentError(f"the {kind} is {type(doc).__name__}; expected a mapping of "
                            "fields")
    data = _plain(dict(doc), ())
    for pattern in _DATE_FIELDS[kind]:
        _dates(data, pattern)
    assert isinstance(data, dict)
    return data


def document_yaml(doc: Mapping[str, Json], kind: DocumentKind = "scenario") -> str:
    """The YAML text of a document, written by the project's YAML writer (``dump_yaml``):
    it reads back (``parse_yaml``, ``document_from_data``) as the same document."""
    return dump_yaml(data_from_document(doc, kind))
