"""Source references: the quote, dataset note or judgment that every value in a scenario
cites."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
)

from statecraft.scenario.strict import Strict

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
    Field(description="lowercase letters, digits, '-' and '_'"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000)]


class DocRef(Strict):
    """A quote from a document that supports a value."""

    doc: Id
    quote: Text

    @property
    def source_id(self) -> str:
        """The id of the source cited."""
        return self.doc


class DatasetRef(Strict):
    """A dataset that supports a value, with a note on how the value was taken from it."""

    dataset: Id
    note: str = ""

    @property
    def source_id(self) -> str:
        """The id of the source cited."""
        return self.dataset


class JudgmentRef(Strict):
    """An analyst's own judgment (a source of kind ``judgment``) that supports a value,
    with an optional note on how it applies here. It carries no quote: a judgment is
    cited, not checked against a text."""

    judgment: Id
    note: str = ""

    @property
    def source_id(self) -> str:
        """The id of the source cited."""
        return self.judgment


Ref = DocRef | DatasetRef | JudgmentRef
"""Any one source reference."""

_REF_KEYS = (("doc", "DocRef"), ("dataset", "DatasetRef"), ("judgment", "JudgmentRef"))


def _ref_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return next((tag for key, tag in _REF_KEYS if key in v), None)
    return type(v).__name__ if isinstance(v, DocRef | DatasetRef | JudgmentRef) else None


SourceRef = Annotated[
    Annotated[DocRef, Tag("DocRef")] | Annotated[DatasetRef, Tag("DatasetRef")]
    | Annotated[JudgmentRef, Tag("JudgmentRef")],
    Discriminator(
        _ref_kind,
        custom_error_type="source_ref",
        custom_error_message="{doc: ID, quote: ...}, {dataset: ID, note: ...} or "
                             "{judgment: ID, note: ...}",
    ),
]


def _as_list(v: Any) -> Any:
    return [v] if isinstance(v, dict | DocRef | DatasetRef | JudgmentRef) else v


Sources = Annotated[
    list[SourceRef],
    BeforeValidator(_as_list, json_schema_input_type=SourceRef | list[SourceRef]),
]
"""One source reference, or a list of them (e.g. one for a position, one for a salience)."""


def refs(sources: Sources | None) -> list[Ref]:
    """A field's source references as a list (none, one or several)."""
    return list(sources) if sources else []
