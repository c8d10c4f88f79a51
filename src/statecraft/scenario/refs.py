"""Source references: the quote or dataset note that every value in a scenario cites."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
    Field(description="lowercase letters, digits, '-' and '_'"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DocRef(_Strict):
    """A quote from a document that supports a value."""

    doc: Id
    quote: Text


class DatasetRef(_Strict):
    """A dataset that supports a value, with a note on how the value was taken from it."""

    dataset: Id
    note: str = ""


def _ref_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        if "doc" in v:
            return "DocRef"
        if "dataset" in v:
            return "DatasetRef"
        return None
    if isinstance(v, DocRef):
        return "DocRef"
    return "DatasetRef" if isinstance(v, DatasetRef) else None


SourceRef = Annotated[
    Annotated[DocRef, Tag("DocRef")] | Annotated[DatasetRef, Tag("DatasetRef")],
    Discriminator(
        _ref_kind,
        custom_error_type="source_ref",
        custom_error_message="{doc: ID, quote: ...} or {dataset: ID, note: ...}",
    ),
]


def _as_list(v: Any) -> Any:
    return [v] if isinstance(v, dict | DocRef | DatasetRef) else v


Sources = Annotated[
    list[SourceRef],
    BeforeValidator(_as_list, json_schema_input_type=SourceRef | list[SourceRef]),
]
"""One source reference, or a list of them (e.g. one for a position, one for a salience)."""


def refs(sources: Sources | None) -> list[DocRef | DatasetRef]:
    """A field's source references as a list (none, one or several)."""
    return list(sources) if sources else []
