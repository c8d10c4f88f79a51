"""Small PDF files made in the tests: one with a text layer, one without."""

from __future__ import annotations

import io
import zlib


def pdf_with_text(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica, one line each), with a
    correct cross-reference table: written byte by byte, as a PDF is."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    return pdf_with_content("\n".join(ops).encode("latin-1"))


def pdf_with_content(content: bytes, *, flate: bool = False) -> bytes:
    """A one-page PDF whose page's content stream is ``content`` (Flate-compressed with
    ``flate``), with a correct cross-reference table."""
    stream = zlib.compress(content, 9) if flate else content
    filters = b" /Filter /FlateDecode" if flate else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + filters + b" >>\nstream\n" + stream
        + b"\nendstream",
    ]
    return _pdf(objects)


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (numbered from 1, the first the catalog), with a correct
    cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n".encode())
    out.write(b"0000000000 65535 f \n")
    for at in offsets:
        out.write(f"{at:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
              "%%EOF\n".encode())
    return out.getvalue()


def pdf_without_text(pages: int = 2) -> bytes:
    """A PDF of blank pages (as a scan without OCR has no text layer), made by pypdf."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_drawing_a_form(form_content: bytes, times: int) -> bytes:
    """A one-page PDF whose page draws one form XObject (``form_content``) ``times``
    times."""
    page = b"/X1 Do " * times
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font "
        b"<< /F1 4 0 R >> /XObject << /X1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(page)).encode() + b" >>\nstream\n" + page
        + b"\nendstream",
        b"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font "
        b"<< /F1 4 0 R >> >> /Length " + str(len(form_content)).encode()
        + b" >>\nstream\n" + form_content + b"\nendstream",
    ]
    return _pdf(objects)


def pdf_naming_one_font_many_times(ranges: int, names: int) -> bytes:
    """A one-page PDF whose resources name one font, with a character map of ``ranges``
    ranges of 256 codes, under ``names`` names: a reader that builds each name's map
    before reading the page does the map's work ``names`` times, from a few kilobytes."""
    cmap = (f"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{ranges} beginbfrange\n").encode() + b"".join(
        f"<{k * 256:04X}> <{k * 256 + 255:04X}> <0041>\n".encode() for k in range(ranges)
    ) + b"endbfrange endcmap"
    packed = zlib.compress(cmap, 9)
    fonts = " ".join(f"/F{k} 3 0 R" for k in range(names)).encode()
    content = b"BT /F0 12 Tf 72 700 Td (a) Tj ET"
    return _pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 5 0 R >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << "
        + fonts + b" >> >> /Contents 6 0 R >>",
        f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed
        + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ])
