"""A source's text from an uploaded .txt, .md or .pdf file."""

from __future__ import annotations

import pytest

from statecraft.scenario.extract import (
    MAX_PDF_PAGES,
    MAX_PDF_STREAM_BYTES,
    ExtractError,
    clean_text,
    extract_text,
)
from tests.workspace.pdfs import (
    pdf_drawing_a_form,
    pdf_with_content,
    pdf_with_text,
    pdf_without_text,
)

pytest.importorskip("pypdf", reason="needs the 'pdf' extra")


def test_a_pdf_with_a_text_layer_gives_its_text_and_pages() -> None:
    raw = pdf_with_text(["Russia wants its troops (the peacekeepers) to stay.",
                         "Armenia agrees."])
    got = extract_text(raw, "article.pdf")
    assert got.pages == 1 and got.warnings == ()
    assert got.text.splitlines() == ["Russia wants its troops (the peacekeepers) to stay.",
                                     "Armenia agrees."]


def test_a_pdf_without_a_text_layer_is_named() -> None:
    with pytest.raises(ExtractError, match=r"^scan\.pdf: the PDF has no text layer \(3 "):
        extract_text(pdf_without_text(3), "scan.pdf")


@pytest.mark.parametrize("raw", [b"not a pdf at all", b"%PDF-1.4\n" + b"\x00\xff" * 50,
                                 pdf_with_text(["cut short"])[:150]])
def test_a_corrupt_pdf_is_named(raw: bytes) -> None:
    with pytest.raises(ExtractError, match=r"^bad\.pdf: not a readable PDF"):
        extract_text(raw, "bad.pdf")


def test_a_page_whose_content_unpacks_past_the_cap_is_refused_unparsed() -> None:
    # a few KB compressed; unpacked, one byte over the cap, so it is never parsed
    content = b"BT /F1 12 Tf 72 700 Td (ab ab) Tj ET\n"
    content = content * (MAX_PDF_STREAM_BYTES // len(content) + 1)
    raw = pdf_with_content(content, flate=True)
    assert len(raw) < 100_000 < MAX_PDF_STREAM_BYTES < len(content)
    with pytest.raises(ExtractError, match=(
            rf"^bomb\.pdf: the PDF passes a limit of what is read from it: a stream "
            rf"unpacking to more than {MAX_PDF_STREAM_BYTES:,} bytes .*\(Limit reached while "
            r"decompressing")):
        extract_text(raw, "bomb.pdf")
    # pypdf's own configuration, outside this extraction, is as it was
    from pypdf import get_configuration
    assert get_configuration().zlib_maximum_output_length > MAX_PDF_STREAM_BYTES
    # a compressed page under the cap is read
    small = pdf_with_content(b"BT /F1 12 Tf 72 700 Td (Armenia agrees.) Tj ET", flate=True)
    assert extract_text(small, "small.pdf").text == "Armenia agrees."


def test_a_form_drawn_over_and_over_is_stopped_inside_its_page(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from statecraft.scenario import extract
    form = b"BT /F1 12 Tf 72 700 Td " + b"(a) Tj " * 100 + b"ET"  # 104 operations
    monkeypatch.setattr(extract, "MAX_PDF_OPERATIONS", 2_000)
    # drawn 20 times: more operations than allowed, all on page 1, inside forms
    with pytest.raises(ExtractError, match=(r"^forms\.pdf: reading its text took more "
                                            r"than 2,000 operations \(stopped at page 1 of")):
        extract_text(pdf_drawing_a_form(form, 20), "forms.pdf")
    # drawn 10 times: within the limit, its text is read each time
    got = extract_text(pdf_drawing_a_form(form, 10), "forms.pdf")
    assert got.text.count("a") >= 1_000


def test_too_many_pages_are_refused_before_any_text_is_read() -> None:
    with pytest.raises(ExtractError, match=f"the limit is {MAX_PDF_PAGES:,}"):
        extract_text(pdf_without_text(MAX_PDF_PAGES + 1), "long.pdf")


def test_text_files_are_read_as_utf8_and_made_fit_for_a_scenario() -> None:
    got = extract_text("\ufeffLine one\r\nLine\ttwo\x0cpage two\x1b[2J\u202e.".encode(),
                       "notes.md")
    assert got.text == "Line one\nLine\ttwo\npage two[2J." and got.pages is None
    assert got.warnings == ("notes.md: 3 control character(s) or bidirectional "
                            "override(s) were replaced (a scenario's text may not hold "
                            "them)",)


def test_a_text_that_is_not_utf8_or_has_another_extension_is_named() -> None:
    with pytest.raises(ExtractError, match=r"^old\.txt: not UTF-8 text \(byte 3 is not\)"):
        extract_text(b"caf\xe9", "old.txt")
    with pytest.raises(ExtractError, match=r"^notes\.docx: found the extension '\.docx'; "
                                           r"expected a \.txt, \.md or \.pdf file"):
        extract_text(b"PK\x03\x04", "notes.docx")
    with pytest.raises(ExtractError, match=r"^empty\.txt: the file holds no text"):
        extract_text(b" \n\n ", "empty.txt")


def test_a_path_in_the_file_name_is_not_repeated() -> None:
    with pytest.raises(ExtractError, match=r"^x\.txt: "):
        extract_text(b"\xff", "/etc/secret/x.txt")


def test_clean_text_counts_what_it_replaces() -> None:
    assert clean_text("a\r\nb\rc") == ("a\nb\nc", 0)
    assert clean_text("a\x00b\x85c") == ("ab\nc", 2)


def test_extraction_stops_at_its_time_limit() -> None:
    with pytest.raises(ExtractError, match=r"^slow\.pdf: reading its text took more than 0 s "
                                           r"\(stopped at page 1 of 1\)"):
        extract_text(pdf_with_text(["text"]), "slow.pdf", seconds=0)
