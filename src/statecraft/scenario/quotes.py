"""Checking that a quoted passage really stands in its document.

Comparison ignores whitespace (line breaks included), typographic versus straight quotes
and apostrophes, and Markdown emphasis asterisks; nothing else is forgiven.
"""

from __future__ import annotations

import re

_QUOTE_MAP = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"',
                            "‘": "'", "’": "'", "‚": "'", "`": "'", "*": None})
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Text reduced to what a quote check compares."""
    return _SPACE.sub(" ", text.translate(_QUOTE_MAP)).strip()


class QuoteIndex:
    """A document's normalised text, to test many quotes against it."""

    def __init__(self, text: str) -> None:
        self._text = normalise(text)

    def contains(self, quote: str) -> bool:
        """True when ``quote`` appears in the document, as normalised."""
        needle = normalise(quote)
        return bool(needle) and needle in self._text
