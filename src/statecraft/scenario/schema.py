"""The scenario file format, as pydantic models.

A scenario holds sources, actors, issues and stances (see DESIGN.md). Field types here
check what one field can check alone; relations between fields (ids that must exist,
duplicates, quotes found in their document) are checked in ``validate.py``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from statecraft.scenario.options_schema import OptionsTree, Rule
from statecraft.scenario.refs import Id, Sources, Text
from statecraft.scenario.strict import Strict

Uncertain = float | tuple[float, float]
"""A value, or a (low, high) range to sample from."""


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _as_float(v: int | float) -> float:
    """``v`` as a float; NaN for an integer too large for one (past about 1.8e308), so
    that the range check refuses it with the field's own message."""
    try:
        return float(v)
    except OverflowError:
        return math.nan


def _uncertain(lo: float, hi: float, *, open_low: bool = False) -> Any:
    """A field taking a number in [lo, hi] (or (lo, hi] with open_low) or a [low, high] range."""
    power = round(math.log10(hi)) if hi > 0 else 0
    top = f"10^{power}" if hi >= 1e6 and 10.0**power == hi else f"{hi:g}"
    if open_low and lo == 0:
        expected = f"a positive number (up to {top}), or a [low, high] range within it"
    else:
        low_word = f"above {lo:g}" if open_low else f"from {lo:g}"
        expected = f"a number {low_word} to {top}, or a [low, high] range within it"

    def ok(x: float) -> bool:
        return math.isfinite(x) and (x > lo if open_low else x >= lo) and x <= hi

    def check(v: object) -> Uncertain:
        if _is_number(v):
            x = _as_float(v)  # type: ignore[arg-type]
            if ok(x):
                return x
        elif isinstance(v, list | tuple) and len(v) == 2 and all(_is_number(x) for x in v):
            low, high = _as_float(v[0]), _as_float(v[1])
            if ok(low) and ok(high):
                if low > high:
                    raise ValueError(f"a range [low, high] with low <= high ({expected})")
                return (low, high)
        raise ValueError(expected)

    bound: dict[str, float] = {"maximum": hi}
    bound["exclusiveMinimum" if open_low else "minimum"] = lo
    schema = {
        "oneOf": [
            {"type": "number", **bound},
            {"type": "array", "items": {"type": "number", **bound}, "minItems": 2, "maxItems": 2},
        ],
        "description": expected,
    }
    return Annotated[Uncertain, PlainValidator(check), WithJsonSchema(schema)]


Position = _uncertain(0.0, 100.0)
Salience = _uncertain(0.0, 1.0)
Capability = _uncertain(0.0, 1e12, open_low=True)
ScalePoint = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


SourceKind = Literal["document", "dataset", "judgment"]

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
"""Largest source document text, in bytes of UTF-8: a file read for quote checks, or a
text held in the scenario (``Source.text``)."""


def _document_text(v: object) -> object:
    """A document's text held inline: within ``MAX_DOCUMENT_BYTES`` (as a file is) and
    not empty; its characters are checked with every other text of the file."""
    if isinstance(v, str):
        size = len(v.encode("utf-8", errors="surrogatepass"))
        if size > MAX_DOCUMENT_BYTES:
            raise ValueError(f"a document's text of at most {MAX_DOCUMENT_BYTES:,} bytes "
                             f"(it is {size:,})")
        if not v.strip():
            raise ValueError("a document's text (it is empty)")
    return v


DocumentText = Annotated[str, BeforeValidator(_document_text)]


def _judgment_title(data: dict[str, Any]) -> str:
    """The title a judgment gets when it gives none: whose it is and when."""
    title = "Judgment"
    if isinstance(data.get("author"), str) and data["author"].strip():
        title += f" of {data['author'].strip()}"
    if data.get("date") is not None:
        title += f", {data['date']}"
    return title


def _source_json_schema(schema: dict[str, Any]) -> None:
    """A judgment needs no title but its author, date and rationale; anything else needs a
    title; a text is a document's, held instead of a path: said in the JSON Schema as the
    validator says it."""
    schema["required"] = [r for r in schema.get("required", []) if r != "title"]
    schema["allOf"] = [{
        "if": {"properties": {"kind": {"const": "judgment"}}, "required": ["kind"]},
        "then": {"required": ["author", "date", "rationale"],
                 "not": {"anyOf": [{"required": [k]} for k in ("path", "url", "year",
                                                                "text")]}},
        "else": {"required": ["title"]},
    }, {
        "not": {"required": ["path", "text"]},
    }, {
        "if": {"properties": {"kind": {"const": "dataset"}}, "required": ["kind"]},
        "then": {"not": {"required": ["text"]}},
    }]


class Source(Strict):
    """What values cite: a document (with a path to its text, or the text itself, for
    quote checks), a dataset, or an analyst's own judgment (author, date and rationale;
    no text to check)."""

    model_config = ConfigDict(json_schema_extra=_source_json_schema)

    id: Id
    kind: SourceKind | None = Field(
        None, description="document, dataset or judgment; without it, a source with a "
        "path is a document and one without a dataset")
    title: Text = Field(description="required, except for a judgment (whose title defaults "
                        "to its author and date)")
    author: str | None = None
    published: str | None = None
    path: str | None = Field(None, description="the document's text, relative to the scenario; "
                             "it must lie in the scenario's folder or a sources folder "
                             "(sources_dirs; --sources-dir on the command line)")
    text: DocumentText | None = Field(
        None, description="the document's text itself, held in the scenario (instead of "
        "a path): its quotes are checked against it as against a file")
    year: int | None = Field(None, ge=1800, le=2200)
    url: str | None = None
    note: str | None = None
    date: dt.date | None = Field(None, description="a judgment's date")
    rationale: Text | None = Field(None, description="a judgment's reasoning")

    @model_validator(mode="before")
    @classmethod
    def _default_judgment_title(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("kind") == "judgment" and "title" not in data:
            return {**data, "title": _judgment_title(data)}
        return data

    @model_validator(mode="after")
    def _judgment_fields(self) -> Source:
        if self.kind == "judgment":
            missing = [name for name in ("author", "date", "rationale")
                       if not getattr(self, name)]
            if missing:
                raise ValueError("a judgment with its author, date and rationale (missing: "
                                 + ", ".join(missing) + ")")
            given = [name for name in ("path", "url", "year", "text")
                     if getattr(self, name) is not None]
            if given:
                raise ValueError("a judgment without " + ", ".join(given) + " (a judgment is "
                                 "the analyst's own reasoning; cite a document or a dataset "
                                 "as a source of its own)")
        if self.text is not None:
            if self.path is not None:
                raise ValueError("either a path to the document's text or its text, not "
                                 "both")
            if self.kind == "dataset":
                raise ValueError("a dataset without text (only a document holds a text to "
                                 "check quotes against)")
        return self

    @property
    def effective_kind(self) -> SourceKind:
        """The kind given, or the one implied: a document if it has a path or a text, else
        a dataset."""
        if self.kind is not None:
            return self.kind
        return "document" if self.path is not None or self.text is not None else "dataset"

    @property
    def is_document(self) -> bool:
        """Documents are cited by quote; datasets by note; judgments by id."""
        return self.effective_kind == "document"


class Actor(Strict):
    """A party to the conflict and its capability to bring to bear."""

    id: Id
    name: Text
    kind: Literal["state", "organisation", "non-state"]
    capability: Capability  # type: ignore[valid-type]
    source: Sources | None = None
    note: str | None = None


class Issue(Strict):
    """A contested question on a 0-100 scale with named anchor points."""

    id: Id
    question: Text
    scale: dict[ScalePoint, Text]
    status_quo: ScalePoint
    source: Sources | None = None
    note: str | None = None

    def nearest_anchor(self, value: float) -> tuple[float, str]:
        """The named anchor nearest ``value`` (the lower one on a tie)."""
        point = min(sorted(self.scale), key=lambda p: abs(p - value))
        return point, self.scale[point]


class Stance(Strict):
    """Where an actor wants an issue to end up, and how much it cares."""

    actor: Id
    issue: Id
    position: Position  # type: ignore[valid-type]
    salience: Salience  # type: ignore[valid-type]
    source: Sources | None = None
    note: str | None = None


EditedField = Literal["capability", "status_quo", "position", "salience"]
"""The values an edited copy of a scenario lists as edits (``edited_from.changes``)."""

_FIELD_TYPES: dict[str, tuple[TypeAdapter[Any], str]] = {
    "capability": (TypeAdapter(Capability), "a capability"),
    "status_quo": (TypeAdapter(ScalePoint), "a status quo (a number from 0 to 100)"),
    "position": (TypeAdapter(Position), "a position"),
    "salience": (TypeAdapter(Salience), "a salience"),
}


class EditedValue(Strict):
    """One value of this file that is not its cited original's: whose it is (an actor's
    capability, an issue's status quo, or an actor's position or salience on an issue),
    the cited value (what the sources support) and the value used (this file's)."""

    actor: Id | None = Field(None, description="the actor (capability, position, salience)")
    issue: Id | None = Field(None, description="the issue (status_quo, position, salience)")
    field: EditedField
    cited: _uncertain(0.0, 1e12) = Field(  # type: ignore[valid-type]
        description="the cited original's value, which the sources support")
    used: _uncertain(0.0, 1e12) = Field(  # type: ignore[valid-type]
        description="this file's value (it must be the value the file gives)")

    @field_validator("cited", "used")
    @classmethod
    def _in_range(cls, value: Uncertain, info: ValidationInfo) -> Uncertain:
        field = info.data.get("field")
        if field in _FIELD_TYPES:
            adapter, what = _FIELD_TYPES[field]
            try:
                adapter.validate_python(list(value) if isinstance(value, tuple) else value)
            except ValueError:
                about = adapter.json_schema().get("description")
                raise ValueError(f"{what} ({about})" if about else what) from None
        return value

    @model_validator(mode="after")
    def _whose(self) -> EditedValue:
        needs = {"capability": ("actor",), "status_quo": ("issue",),
                 "position": ("actor", "issue"), "salience": ("actor", "issue")}[self.field]
        missing = [k for k in needs if getattr(self, k) is None]
        extra = [k for k in ("actor", "issue") if k not in needs and getattr(self, k)]
        if missing or extra:
            raise ValueError(f"a {self.field.replace('_', ' ')} names "
                             + " and ".join(f"its {k}" for k in needs)
                             + (" only" if extra else "")
                             + (f" (missing: {', '.join(missing)})" if missing else "")
                             + (f" (not: {', '.join(extra)})" if extra else ""))
        return self


class EditedFrom(Strict):
    """What an edited copy of a scenario was made from, written into the copy as data so
    that its provenance travels with it: the original's name and the SHA-256 of its text,
    and each value that differs from the original's (``changes``). Every loader marks those
    values as edits beside their cited values; the sources cite the cited values."""

    name: Text = Field(description="the original's file name (a bundled scenario's, or the "
                       "uploaded file's)")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="the SHA-256 of the "
                        "original's text (UTF-8), as the run store records it")
    changes: list[EditedValue] = Field(default_factory=list, description="each value that "
                                       "is not the original's: the cited value, then the "
                                       "value used")


class Scenario(Strict):
    """A whole scenario file."""

    name: Text
    description: str | None = None
    as_of: dt.date | None = None
    sources: list[Source] = Field(default_factory=list)
    actors: list[Actor] = Field(min_length=1)
    issues: list[Issue] = Field(min_length=1)
    stances: list[Stance] = Field(min_length=1)
    options: OptionsTree | None = None
    rules: list[Rule] = Field(default_factory=list)
    sampling: Literal["uniform", "triangular"] = Field(
        "uniform", description="How Monte Carlo runs draw each [low, high] range: uniformly, "
        "or from a triangular distribution peaked at the range's midpoint.")
    edited_from: EditedFrom | None = Field(
        None, description="Present in an edited copy of a scenario (the web app's download "
        "of an edited run, runs export): the original it was made from and each value that "
        "differs from it, marked as an edit wherever the value is shown.")

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return next(a for a in self.actors if a.id == actor_id)

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return next(i for i in self.issues if i.id == issue_id)

    def source(self, source_id: str) -> Source | None:
        """The source with this id, if any."""
        return next((s for s in self.sources if s.id == source_id), None)

    def sources_by_kind(self) -> dict[SourceKind, list[Source]]:
        """The sources grouped by kind (documents, datasets, judgments), each in file order:
        reports and the page list an analyst's judgments apart from what they cite."""
        out: dict[SourceKind, list[Source]] = {"document": [], "dataset": [], "judgment": []}
        for s in self.sources:
            out[s.effective_kind].append(s)
        return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, for editors."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "statecraft scenario"
    return schema
