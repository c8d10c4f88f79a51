"""A stranger's PDF is read in a child process with hard limits on memory and time."""

from __future__ import annotations

import pytest

from statecraft.api.isolated import extract_isolated
from statecraft.api.workspace import extract_source_text
from statecraft.scenario.extract import ExtractError, extract_text
from tests.workspace.pdfs import pdf_naming_one_font_many_times, pdf_with_text

pytest.importorskip("pypdf", reason="needs the 'pdf' extra")


def test_the_child_gives_the_same_text_as_reading_in_process() -> None:
    raw = pdf_with_text(["Russia wants its troops (the peacekeepers) to stay.",
                         "Armenia agrees."])
    assert extract_isolated(raw, "article.pdf") == extract_text(raw, "article.pdf")
    assert extract_source_text(raw, "article.pdf").text == extract_text(raw, "article.pdf").text


def test_the_childs_errors_come_back_naming_the_file() -> None:
    with pytest.raises(ExtractError, match=r"^broken\.pdf: "):
        extract_isolated(b"%PDF-1.4 not really", "broken.pdf")


def test_a_pdf_whose_font_maps_outgrow_the_memory_limit_is_refused() -> None:
    """One font named a hundred times, its character map built for each name before any
    operation is read (where no count of pypdf's work can stop it): 3 KB of PDF that
    takes about 950 MB in process. In the child it meets the address-space limit."""
    raw = pdf_naming_one_font_many_times(ranges=255, names=100)
    assert len(raw) < 4000
    with pytest.raises(ExtractError, match=r"^fonts\.pdf: reading its text (needs more memory "
                       r"than the limit \(256 MiB\)|was stopped)"):
        extract_isolated(raw, "fonts.pdf", memory=256 * 2**20)


def test_a_reading_its_caller_stops_kills_the_child_at_once() -> None:
    """A client that left kept its extraction place until the PDF's 30 s deadline."""
    import multiprocessing
    import time

    from statecraft.api.isolated import ExtractionStopped
    from tests.workspace.pdfs import pdf_drawing_a_form

    form = b"BT /F1 12 Tf 72 700 Td " + b"(a) Tj " * 1000 + b"ET"
    raw = pdf_drawing_a_form(form, 3000)  # some 3,000,000 operations: many seconds
    start = time.monotonic()

    def after_a_second() -> str | None:
        return "the client disconnected" if time.monotonic() - start > 1.0 else None

    with pytest.raises(ExtractionStopped, match=r"^slow\.pdf: reading its text was stopped: "
                                                r"the client disconnected$"):
        extract_isolated(raw, "slow.pdf", should_stop=after_a_second)
    assert time.monotonic() - start < 4.0
    assert multiprocessing.active_children() == []
