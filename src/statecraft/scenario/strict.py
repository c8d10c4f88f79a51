"""The one base of every model of a file statecraft reads (a scenario, its options and
rules, its source references, a question): a field the format does not define is an
error (not ignored), a value once read never changes, and text is read without the spaces
around it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["Strict"]


class Strict(BaseModel):
    """A pydantic model that forbids unknown fields, is frozen and strips text."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
