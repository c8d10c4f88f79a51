"""A source document's text from an uploaded file: ``.txt`` and ``.md`` decoded as UTF-8,
``.pdf`` through pypdf's text layer.

The text becomes a source's ``text`` (held in the scenario), so it is made fit to be one:
line breaks are ``\\n``, and the characters a scenario's text may not hold
(``controls.UNSAFE``: control characters other than tab and newline, bidirectional
overrides) are replaced, a page break or other spacing control by a line break or a
space, any other by nothing, with a warning counting them. Every limit is checked as the
work goes (pages, extracted size), so a request's work is bounded. Pure: bytes in, text
out; the caller reads the upload within its size limit.
"""

from __future__ import annotations

import contextlib
import io
import logging
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from statecraft.errors import InputError
from statecraft.scenario.controls import UNSAFE
from statecraft.scenario.schema import MAX_DOCUMENT_BYTES

MAX_PDF_PAGES = 2_000
"""Most pages of a PDF whose text is extracted."""

MAX_EXTRACT_SECONDS = 30.0
"""How long a PDF's text extraction may run, checked between pages and at each operation
(past it, what is left is at most one stream's parsing, bounded by
``MAX_PDF_STREAM_BYTES``)."""

MAX_PDF_STREAM_BYTES = 4 * 1024 * 1024
"""Most bytes one stream of a PDF (a page's content, an image) may unpack to, whatever its
compression, and the most a page's content streams may add up to: pypdf's own caps (75 MB)
let a 59 KB upload unpack one page to 60 MB and parse it for a minute. Set for this
extraction only (pypdf's configuration of the running context), never process-wide."""

MAX_PDF_OPERATIONS = 10_000_000
"""Most content-stream operations (text, drawing, a form's each time it is drawn) one
PDF's extraction goes through: counted as they are read, with the deadline checked at
each, so that a small form drawn thousands of times cannot run on inside one page."""

_PDF_LIMITS = {name: MAX_PDF_STREAM_BYTES for name in (
    "zlib_maximum_output_length", "lzw_maximum_output_length",
    "run_length_maximum_output_length", "brotli_maximum_output_length",
    "jbig2_maximum_output_length", "array_based_stream_maximum_output_length",
    "maximum_declared_stream_length", "image_maximum_buffer_size")}

TEXT_SUFFIXES = (".txt", ".md")
PDF_SUFFIX = ".pdf"

_SPACING = {"\x0b": "\n", "\x0c": "\n", "\x1c": "\n", "\x1d": "\n", "\x1e": "\n",
            "\x1f": " ", "\x85": "\n"}


class ExtractError(InputError):
    """A file whose text could not be had: said with the file's name and why."""


@dataclass(frozen=True)
class Extracted:
    """A document's text, the pages it came from (None: not a PDF), and what was changed
    or noticed on the way."""

    text: str
    pages: int | None
    warnings: tuple[str, ...]


def clean_text(text: str) -> tuple[str, int]:
    """``text`` with ``\\r\\n`` and ``\\r`` made ``\\n`` and each character of ``UNSAFE``
    replaced (spacing controls by a line break or space, others dropped); with how many
    were replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not any(ord(ch) in UNSAFE for ch in text):
        return text, 0
    out = []
    replaced = 0
    for ch in text:
        if ord(ch) in UNSAFE:
            replaced += 1
            out.append(_SPACING.get(ch, ""))
        else:
            out.append(ch)
    return "".join(out), replaced


def _decoded(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{name}: not UTF-8 text (byte {exc.start:,} is not); save it as "
                           "UTF-8, or paste its text") from None


def _pdf_text(raw: bytes, name: str, seconds: float) -> tuple[str, int]:
    try:
        from pypdf import PdfReader, apply_configuration
        from pypdf.errors import LimitReachedError, PyPdfError
    except ImportError:  # pragma: no cover - the extra is installed for tests
        raise ExtractError(f"{name}: reading a PDF needs pypdf: pip install "
                           "'statecraft[pdf]'") from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repairs are not the user's
    try:
        with apply_configuration(None, **_PDF_LIMITS):
            return _pages_text(PdfReader, raw, name, seconds)
    except ExtractError:
        raise
    except LimitReachedError as exc:
        raise ExtractError(f"{name}: the PDF passes a limit of what is read from it: a "
                           f"stream unpacking to more than {MAX_PDF_STREAM_BYTES:,} bytes (the "
                           "limit for one page's content), or a structure past pypdf's own "
                           f"limits ({exc}); paste its text instead") from None
    except (PyPdfError, ValueError, TypeError, KeyError, IndexError, AttributeError,
            OSError, RecursionError, AssertionError, ZeroDivisionError) as exc:
        raise ExtractError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc}); "
                           "expected a PDF with a text layer, or paste its text") from None


class _OverBudget(Exception):
    """Raised from pypdf's operator callback to stop an extraction (never shown)."""


class _Budget:
    """Counts the operations an extraction reads and watches its deadline; once over
    either, every later operation raises again, so that each nested form pypdf extracts
    (which swallows a form's errors) stops at its next operation."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.operations = 0
        self.over: str | None = None

    def visit(self, *_: Any) -> None:
        self.operations += 1
        if self.over is None and self.operations > MAX_PDF_OPERATIONS:
            self.over = "operations"
        elif self.over is None and time.monotonic() >= self.deadline:
            self.over = "time"
        if self.over is not None:
            raise _OverBudget


def _pages_text(reader_type: Any, raw: bytes, name: str, seconds: float
                ) -> tuple[str, int]:
    """The text of a PDF's pages, within the page, size and time limits (pypdf's errors
    are left to the caller)."""
    reader = reader_type(io.BytesIO(raw), strict=False)
    if reader.is_encrypted:
        raise ExtractError(f"{name}: the PDF is encrypted; save an unencrypted copy, or "
                           "paste its text")
    pages = len(reader.pages)
    if pages > MAX_PDF_PAGES:
        raise ExtractError(f"{name}: the PDF has {pages:,} pages; the limit is "
                           f"{MAX_PDF_PAGES:,}")
    parts: list[str] = []
    size = 0
    budget = _Budget(time.monotonic() + seconds)
    for number, page in enumerate(reader.pages, start=1):
        if time.monotonic() >= budget.deadline:
            raise ExtractError(f"{name}: reading its text took more than {seconds:g} s "
                               f"(stopped at page {number:,} of {pages:,}); paste its "
                               "text instead")
        part = ""
        with contextlib.suppress(_OverBudget):  # said below, with why
            part = page.extract_text(visitor_operand_before=budget.visit) or ""
        if budget.over is not None:  # pypdf may have swallowed it inside a form
            why = (f"more than {MAX_PDF_OPERATIONS:,} operations"
                   if budget.over == "operations" else f"more than {seconds:g} s")
            raise ExtractError(f"{name}: reading its text took {why} (stopped at page "
                               f"{number:,} of {pages:,}); paste its text instead")
        size += len(part.encode("utf-8", errors="replace")) + 2
        if size > MAX_DOCUMENT_BYTES:
            raise ExtractError(f"{name}: the PDF's text passes {MAX_DOCUMENT_BYTES:,} "
                               "bytes, the limit for a source document")
        parts.append(part)
    text = "\n\n".join(p.strip("\n") for p in parts)
    if not text.strip():
        raise ExtractError(f"{name}: the PDF has no text layer ({pages:,} page(s) of images "
                           "or drawings only); run it through OCR first, or paste its text")
    return text, pages


def extract_text(raw: bytes, filename: str, *, seconds: float = MAX_EXTRACT_SECONDS
                 ) -> Extracted:
    """The text of an uploaded ``.txt``, ``.md`` or ``.pdf`` file's bytes; an
    ``ExtractError`` naming the file for a wrong extension, a text that is not UTF-8, a
    PDF that is corrupt, encrypted, too long (pages, text, ``seconds`` of work) or has no
    text layer, or an empty text."""
    name = PurePath(filename).name or "upload"
    suffix = PurePath(name).suffix.lower()
    pages: int | None = None
    if suffix in TEXT_SUFFIXES:
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise ExtractError(f"{name}: {len(raw):,} bytes; the limit for a source document "
                               f"is {MAX_DOCUMENT_BYTES:,}")
        text = _decoded(raw, name)
    elif suffix == PDF_SUFFIX:
        text, pages = _pdf_text(raw, name, seconds)
    else:
        raise ExtractError(f"{name}: found the extension {suffix or '(none)'!r}; expected a "
                           ".txt, .md or .pdf file")
    text, replaced = clean_text(text)
    if not text.strip():
        raise ExtractError(f"{name}: the file holds no text")
    warnings: tuple[str, ...] = ()
    if replaced:
        warnings = (f"{name}: {replaced:,} control character(s) or bidirectional "
                    "override(s) were replaced (a scenario's text may not hold them)",)
    return Extracted(text, pages, warnings)
