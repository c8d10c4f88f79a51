"""A scenario as a spreadsheet (.xlsx) and back, for analysts who code stakeholders in
spreadsheets rather than write YAML.

Sheets (the first row of each names its columns; their order is free):

- ``scenario``: ``field``, ``value`` rows for name, description, as_of and sampling;
- ``sources``: one row per source (id, kind, title, author, published, path, year, url,
  note, date, rationale);
- ``actors``: id, name, kind, capability (``capability high`` for a range), note;
- ``issues``: id, question, status quo, note; ``scale``: issue, point, label, one row
  per named point of an issue's scale, in order;
- ``stances``: actor, issue, position (``position high``), salience (``salience high``),
  note;
- ``sections``: ``section``, ``yaml``: the options tree, the rules and an edited copy's
  ``edited_from`` block, one YAML line a row (they are trees, not tables).
- ``texts``: ``source``, ``text``: the texts documents hold inline (a source's ``text``),
  each in as many rows as it needs (a cell holds at most 32,767 characters), read back
  joined in row order; a workbook without this sheet has none.

A value given as a ``[low, high]`` range fills both columns; a single number only the
first. Each row of actors, issues and stances cites its sources in column triples
``ref N kind`` (doc, dataset or judgment), ``ref N source`` (the source's id) and
``ref N quote or note`` (a document's quote, or the note on a dataset or judgment).
Questions are not part of a scenario file (they live in a questions file of their own),
so the workbook holds none.

The round trip is lossless: a scenario written here and read back is the same parsed
scenario, with the same validation result. A number that ``%.16g`` (how .xlsx stores
numbers) would round is written as text in its exact form; number cells accept such text.
A blank cell is an absent value (so an empty note reads back as none).

Reading is bounded (``MAX_XLSX_BYTES`` of file, ``MAX_UNZIPPED_BYTES`` of unpacked XML,
``MAX_ROWS`` and ``MAX_COLUMNS`` a sheet, ``MAX_TEXT_CHARS`` of cell text in all); every
problem names its sheet and cell (``stances!E7: found 1.4; expected a salience from 0 to
1``). Pure conversion between bytes and values: files are read and written by the API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from statecraft.errors import InputError
from statecraft.scenario.errors import Path_, Problem
from statecraft.scenario.refs import DatasetRef, DocRef, Ref, refs
from statecraft.scenario.schema import Scenario
from statecraft.scenario.yamlsafe import YamlProblem, parse_yaml

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

MAX_XLSX_BYTES = 8 * 1024 * 1024
"""Largest .xlsx file read, in bytes (a scenario file is limited to 2 MiB of text)."""

MAX_UNZIPPED_BYTES = 64 * 1024 * 1024
"""Most bytes a workbook's parts may unpack to (a small file can unpack to gigabytes)."""

MAX_PART_BYTES = 4 * 1024 * 1024
"""Most bytes one part of a workbook (a sheet's XML, the shared strings) may unpack to.

A scenario file is at most 2 MiB of text; the bundled scenario's export (50 KB of YAML)
has sheets of 2 to 73 KB, the largest 1.5 times the YAML text it carries, so a sheet of
the largest scenario stays near 3 MiB. The limit matters because the XML parser (expat
before 2.6) takes time that grows with the square of a single token's length: a 16 MiB
XML comment in a sheet takes 20 s to read, a 4 MiB one under 2 s."""

MAX_ROWS = 50_000
"""Most rows read from one sheet."""

MAX_COLUMNS = 1_000
"""Most columns read from one sheet (a sheet is read as the rectangle its cells span)."""

MAX_CELL_CHARS = 32_767
"""Longest text a spreadsheet cell holds (Excel's limit); a longer one read is refused."""

MAX_TEXT_CHARS = 2 * 1024 * 1024
"""Most characters of text a workbook's cells may hold together, each cell counted: no
more than a scenario file may hold (``yamlsafe.MAX_BYTES``). A cell may name a shared
string any number of times, so without it a 37 KB workbook naming one 32,000-character
string from a thousand rows read as 32 MB."""

SECTIONS = ("options", "rules", "edited_from")
"""The scenario's parts carried as YAML text in the ``sections`` sheet."""

_SCENARIO_FIELDS = ("name", "description", "as_of", "sampling")
_SOURCE_COLUMNS = ("id", "kind", "title", "author", "published", "path", "year", "url",
                   "note", "date", "rationale")
_REF_KINDS = ("doc", "dataset", "judgment")
_INSTALL = "reading and writing .xlsx files needs openpyxl: pip install 'statecraft[xlsx]'"


class WorkbookError(InputError):
    """A workbook that could not be read or written: each problem names the file and, where
    there is one, the sheet and cell (``scenario.xlsx: stances!E7: found 1.4; ...``)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _openpyxl() -> Any:
    try:
        import openpyxl
        import openpyxl.styles
        import openpyxl.utils
        import openpyxl.worksheet.datavalidation
    except ImportError:  # pragma: no cover - the extra is installed for tests
        raise WorkbookError([_INSTALL]) from None
    return openpyxl


# ---- writing ------------------------------------------------------------------------------

def _cell_number(x: float | int) -> float | int | str:
    """A number as a cell holds it exactly: as a number when ``%.16g`` keeps it, else as
    the text of its exact value (read back by ``float``)."""
    if isinstance(x, int):
        return x if abs(x) < 10**15 else str(x)
    if float(f"{x:.16g}") == x:
        return int(x) if x.is_integer() and abs(x) < 1e15 else x
    return repr(x)


def _range_cells(value: float | tuple[float, float] | None) -> list[Any]:
    if value is None:
        return [None, None]
    if isinstance(value, tuple):
        return [_cell_number(value[0]), _cell_number(value[1])]
    return [_cell_number(value), None]


def _ref_cells(ref: Ref) -> list[Any]:
    if isinstance(ref, DocRef):
        return ["doc", ref.doc, ref.quote]
    if isinstance(ref, DatasetRef):
        return ["dataset", ref.dataset, ref.note or None]
    return ["judgment", ref.judgment, ref.note or None]


def _ref_headers(count: int) -> list[str]:
    return [h for k in range(1, count + 1)
            for h in (f"ref {k} kind", f"ref {k} source", f"ref {k} quote or note")]


def yaml_ready(value: Any) -> Any:
    """Pydantic's python dump made YAML-ready: tuples as lists, integral floats as ints."""
    if isinstance(value, dict):
        return {yaml_ready(k): yaml_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [yaml_ready(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    """Lists of plain values in flow style (``[10, 30]``), multi-line text as a block."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(x, int | float | bool) or x is None for x in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: Any) -> str:
    """Scenario data as YAML text (PyYAML's safe dumper; ranges in flow style)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _text_cell(value: Any, where: str) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise WorkbookError([f"{where}: {len(value):,} characters; a spreadsheet cell "
                                 f"holds at most {MAX_CELL_CHARS:,}"])
        bad = next((ch for ch in value if ord(ch) < 32 and ch not in "\t\n\r"), None)
        if bad is not None:
            raise WorkbookError([f"{where}: holds the control character {bad!r}, which a "
                                 ".xlsx file cannot store"])
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_CHOICES = {
    ("actors", "kind"): ("state", "organisation", "non-state"),
    ("sources", "kind"): ("document", "dataset", "judgment"),
}
_REF_KIND_CHOICES = ("doc", "dataset", "judgment")
_WIDEST = 60


def _layout(ws: Worksheet, headers: list[str], name: str) -> None:
    """What helps a person fill the sheet in, and changes no value: a bold header row kept
    in view, columns as wide as their text (up to ``_WIDEST`` characters, then wrapped),
    and a drop-down list where a column takes one of a few words."""
    openpyxl = _openpyxl()
    ws.freeze_panes = "A2"
    for cell in ws[1]:
        cell.font = openpyxl.styles.Font(bold=True)
    for c, header in enumerate(headers, start=1):
        letter = openpyxl.utils.get_column_letter(c)
        longest = max([len(header)] + [len(str(cell.value)) for (cell,) in ws.iter_rows(
            min_row=2, min_col=c, max_col=c) if cell.value is not None])
        ws.column_dimensions[letter].width = min(longest, _WIDEST) + 2
        if longest > _WIDEST:
            for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.alignment = openpyxl.styles.Alignment(wrap_text=True, vertical="top")
        choices = (_REF_KIND_CHOICES if header.startswith("ref ") and header.endswith(" kind")
                   else _CHOICES.get((name, header), ()))
        if choices:
            rule = openpyxl.worksheet.datavalidation.DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
            rule.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(rule)


def _write_sheet(ws: Worksheet, headers: list[str], rows: Iterable[list[Any]],
                 name: str) -> None:
    ws.append(headers)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            where = f"{name}!{ws.cell(r, c).coordinate} ({headers[c - 1]})"
            cell = ws.cell(r, c, _text_cell(value, where))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never read as a formula, even when it starts with '='
    _layout(ws, headers, name)


def _sourced_rows(items: Sequence[Any], cells: Any) -> tuple[list[list[Any]], int]:
    count = max([len(refs(i.source)) for i in items] + [1])
    rows = []
    for item in items:
        row = cells(item)
        for ref in refs(item.source):
            row += _ref_cells(ref)
        rows.append(row)
    return rows, count


def text_parts(text: str, where: str, size: int = MAX_CELL_CHARS) -> list[str]:
    """``text`` in pieces of at most ``size`` characters (a cell's limit), each holding
    something besides whitespace (a blank cell reads as none), joined back in order."""
    parts: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        part = text[start:end]
        if not part.strip():
            # trailing whitespace goes onto the last piece
            if end == len(text) and parts and len(parts[-1]) + len(part) <= size:
                parts[-1] += part
                break
            raise WorkbookError([f"{where}: a run of {len(part):,} characters of whitespace "
                                 f"only at character {start:,}; a workbook's cell must hold "
                                 "more than whitespace"])
        parts.append(part)
        start = end
    return parts


def scenario_to_xlsx(scenario: Scenario) -> bytes:
    """The workbook of ``scenario``, as the bytes of a .xlsx file. openpyxl writes each
    sheet to a temporary file as it builds the workbook: a temporary folder that refuses
    it (full, or over a size limit) is a ``WorkbookError`` saying so."""
    try:
        return _workbook(scenario)
    except OSError as exc:
        why = exc.strerror or str(exc)
    # raised outside the handler, so the half-built workbook is let go at once
    raise WorkbookError([
        f"the workbook could not be built: the temporary folder refused its sheets ({why}); "
        "free space there, or name another folder in TMPDIR (nothing was written)"])


def _workbook(scenario: Scenario) -> bytes:
    openpyxl = _openpyxl()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "scenario"
    # sampling is written only when the file gave it, so the round trip adds no default
    _write_sheet(ws, ["field", "value"],
                 [[f, getattr(scenario, f)] for f in _SCENARIO_FIELDS
                  if f != "sampling" or f in scenario.model_fields_set], "scenario")
    _write_sheet(wb.create_sheet("sources"), list(_SOURCE_COLUMNS),
                 ([_cell_number(v) if isinstance(v, int | float) else v
                   for v in (getattr(s, c) for c in _SOURCE_COLUMNS)]
                  for s in scenario.sources), "sources")
    rows, n = _sourced_rows(scenario.actors, lambda a: [
        a.id, a.name, a.kind, *_range_cells(a.capability), a.note])
    _write_sheet(wb.create_sheet("actors"), ["id", "name", "kind", "capability",
                                             "capability high", "note", *_ref_headers(n)],
                 rows, "actors")
    rows, n = _sourced_rows(scenario.issues, lambda i: [
        i.id, i.question, _cell_number(i.status_quo), i.note])
    _write_sheet(wb.create_sheet("issues"), ["id", "question", "status quo", "note",
                                             *_ref_headers(n)], rows, "issues")
    _write_sheet(wb.create_sheet("scale"), ["issue", "point", "label"],
                 ([i.id, _cell_number(p), label] for i in scenario.issues
                  for p, label in i.scale.items()), "scale")
    rows, n = _sourced_rows(scenario.stances, lambda s: [
        s.actor, s.issue, *_range_cells(s.position), *_range_cells(s.salience), s.note])
    _write_sheet(wb.create_sheet("stances"), [
        "actor", "issue", "position", "position high", "salience", "salience high", "note",
        *_ref_headers(n)], rows, "stances")
    lines = []
    for section in SECTIONS:
        value = getattr(scenario, section)
        if value is None or value == []:
            continue
        dumped = (value.model_dump(by_alias=True, exclude_unset=True) if hasattr(
            value, "model_dump") else [v.model_dump(by_alias=True, exclude_unset=True)
                                       for v in value])
        lines += [[section, line] for line in dump_yaml(yaml_ready(dumped)).splitlines()]
    _write_sheet(wb.create_sheet("sections"), ["section", "yaml"], lines, "sections")
    _write_sheet(wb.create_sheet("texts"), ["source", "text"],
                 ([s.id, part] for i, s in enumerate(scenario.sources) if s.text is not None
                  for part in text_parts(s.text, f"sources[{i}].text")), "texts")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- reading ------------------------------------------------------------------------------

@dataclass
class Sheet:
    """A sheet's rows as (row number, {column header: cell}), and where each header is."""

    name: str
    rows: list[tuple[int, dict[str, Cell]]]
    columns: dict[str, int] = dataclasses.field(default_factory=dict)
    """Each header's column number (1 for A)."""

    def blank(self, header: str, row: int) -> str:
        """Where the blank cell under ``header`` in ``row`` is (``stances!C3``)."""
        column = self.columns.get(header)
        if column is None:
            return f"{self.name}!A{row}"
        return f"{self.name}!{_column_letter(column)}{row}"


@dataclass
class _Reader:
    """Collects the data, where each of its values came from, and the problems."""

    filename: str
    problems: list[str]
    cells: dict[Path_, str]

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {where}: {message}")

    def place(self, sheet: str, cell: Cell) -> str:
        return f"{sheet}!{cell.coordinate}"


def _column_letter(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _check_size(raw: bytes, filename: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise WorkbookError([f"{filename}: not a readable .xlsx workbook ({exc}); expected "
                             "a file saved as an Excel workbook (.xlsx)"]) from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNZIPPED_BYTES:
        raise WorkbookError([f"{filename}: the workbook unpacks to {unpacked:,} bytes; the "
                             f"limit is {MAX_UNZIPPED_BYTES:,}"])
    big = [i for i in infos if i.file_size > MAX_PART_BYTES]
    if big:
        raise WorkbookError([f"{filename}: the part {i.filename} unpacks to {i.file_size:,} "
                             f"bytes; the limit for one part (a sheet) is {MAX_PART_BYTES:,}"
                             for i in big])
    return archive


def read_sheets(raw: bytes, filename: str, names: Sequence[str],
                optional: Sequence[str] = ()) -> tuple[dict[str, Sheet], list[str]]:
    """The named sheets of a .xlsx file's bytes (and those of ``optional`` it has), and the
    names of its other sheets; a corrupt file, a missing sheet or one over ``MAX_ROWS``
    rows is a ``WorkbookError``."""
    _check_size(raw, filename)
    openpyxl = _openpyxl()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(raw), data_only=False, read_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise WorkbookError([f"{filename}: not a readable .xlsx workbook ({type(exc).__name__}"
                             f": {exc}); expected a file saved as an Excel workbook "
                             "(.xlsx)"]) from None
    try:
        return _read_sheets(wb, filename, names, optional)
    finally:
        wb.close()


@dataclasses.dataclass
class _TextRead:
    """The characters of text read so far from a workbook's cells, against
    ``MAX_TEXT_CHARS``."""

    filename: str
    chars: int = 0

    def add(self, sheet: str, cell: Cell) -> None:
        value = cell.value
        if not isinstance(value, str):
            return
        if len(value) > MAX_CELL_CHARS:
            raise WorkbookError([f"{self.filename}: {sheet}!{cell.coordinate}: "
                                 f"{len(value):,} characters; a spreadsheet cell holds at "
                                 f"most {MAX_CELL_CHARS:,}"])
        self.chars += len(value)
        if self.chars > MAX_TEXT_CHARS:
            raise WorkbookError([f"{self.filename}: its cells hold more than "
                                 f"{MAX_TEXT_CHARS:,} characters of text (passed at {sheet}!"
                                 f"{cell.coordinate}); a scenario file holds at most that"])


def _sheet_rows(ws: Any, name: str, filename: str,
                text: _TextRead | None = None) -> list[tuple[Cell, ...]]:
    """The rows of a sheet read as a stream, stopped as soon as they pass ``MAX_ROWS``
    (a sheet's declared dimension may be missing or false, so it is not trusted) or the
    text read passes ``MAX_TEXT_CHARS``."""
    text = _TextRead(filename) if text is None else text
    rows: list[tuple[Cell, ...]] = []
    cells_of = ws.iter_rows()
    while True:
        try:
            row = next(cells_of)
        except StopIteration:
            break
        except (ValueError, IndexError, KeyError, TypeError, OverflowError,
                AttributeError) as exc:
            # openpyxl reads each cell's XML as it goes: a shared string that is not
            # there, a date or a truth value that is not one, a number past what Python
            # reads, each raises a library error of its own
            raise WorkbookError([
                f"{filename}: sheet {name!r}: a cell in row {len(rows) + 1} cannot be "
                f"read ({type(exc).__name__}: {str(exc)[:200]}); expected a workbook saved "
                "by a spreadsheet program"]) from None
        if len(rows) > MAX_ROWS:
            raise WorkbookError([f"{filename}: sheet {name!r} has more than {MAX_ROWS + 1:,} "
                                 f"rows; the limit is {MAX_ROWS:,}"])
        cells = tuple(c for c in row if c.value is not None)
        too_far = next((c for c in cells if c.column > MAX_COLUMNS), None)
        if too_far is not None:
            raise WorkbookError([f"{filename}: sheet {name!r} has {too_far.column:,} columns; "
                                 f"the limit is {MAX_COLUMNS:,}"])
        for cell in cells:
            text.add(name, cell)
        rows.append(cells)
    return rows


def _read_sheets(wb: Any, filename: str, names: Sequence[str], optional: Sequence[str] = ()
                 ) -> tuple[dict[str, Sheet], list[str]]:
    missing = [n for n in names if n not in wb.sheetnames]
    if missing:
        raise WorkbookError([f"{filename}: no sheet named {n!r}; expected the sheets "
                             f"{', '.join(names)} (found: {', '.join(wb.sheetnames)})"
                             for n in missing])
    out = {}
    text = _TextRead(filename)  # counted over every sheet read
    for name in [*names, *(n for n in optional if n in wb.sheetnames)]:
        ws = wb[name]
        declared = ws.max_row if isinstance(ws.max_row, int) else 0
        if declared > MAX_ROWS + 1:
            raise WorkbookError([f"{filename}: sheet {name!r} has {declared:,} rows; the "
                                 f"limit is {MAX_ROWS:,}"])
        declared = ws.max_column if isinstance(ws.max_column, int) else 0
        if declared > MAX_COLUMNS:
            raise WorkbookError([f"{filename}: sheet {name!r} has {declared:,} columns; "
                                 f"the limit is {MAX_COLUMNS:,}"])
        ws.reset_dimensions()  # read every row, not only those the dimension declares
        rows = _sheet_rows(ws, name, filename, text)
        headers: dict[int, str] = {}
        problems = []
        for cell in rows[0] if rows else ():
            if cell.value is None:
                continue
            header = " ".join(str(cell.value).split()).lower()
            if header in headers.values():
                problems.append(f"{filename}: {name}!{cell.coordinate}: the column "
                                f"{header!r} appears twice")
            headers[cell.column] = header
        if problems:
            raise WorkbookError(problems)
        body = []
        for row in rows[1:]:
            values = {headers[c.column]: c for c in row
                      if c.column in headers and c.value is not None
                      and not (isinstance(c.value, str) and not c.value.strip())}
            if values:
                body.append((row[0].row, values))
        out[name] = Sheet(name, body, {h: c for c, h in headers.items()})
    return out, [n for n in wb.sheetnames if n not in names and n not in optional]


def _unknown_columns(sheet: Sheet, known: Iterable[str], r: _Reader) -> None:
    allowed = set(known)
    for _, cells in sheet.rows:
        for header, cell in cells.items():
            if header not in allowed:
                r.problem(r.place(sheet.name, cell), f"a value under an unknown column "
                          f"{header!r}; expected one of {', '.join(sorted(allowed))}")
                allowed.add(header)  # once per column


def _text(cell: Cell, sheet: str, r: _Reader) -> str | None:
    v = cell.value
    if cell.data_type == "f":
        r.problem(r.place(sheet, cell), f"found the formula {v!r}; expected a value (paste "
                  "values, not formulas)")
        return None
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return str(v)


def _number(cell: Cell, sheet: str, r: _Reader, what: str) -> float | int | None:
    if cell.data_type == "f":
        _text(cell, sheet, r)
        return None
    v = cell.value
    if isinstance(v, int | float) and not isinstance(v, bool):
        return v
    if isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            pass
        else:
            if math.isfinite(x):
                return int(x) if x.is_integer() and abs(x) < 1e15 and "." not in v \
                    and "e" not in v.lower() else x
    r.problem(r.place(sheet, cell), f"found {v!r}; expected {what}")
    return None


def _date(cell: Cell, sheet: str, r: _Reader) -> Any:
    v = cell.value
    if isinstance(v, dt.datetime):
        return v.date()
    text = _text(cell, sheet, r)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return text  # the validator says what is wrong with it


_BOUNDS = {
    "capability": (0.0, 1e12, True, "a capability (a positive number)"),
    "position": (0.0, 100.0, False, "a position from 0 to 100"),
    "salience": (0.0, 1.0, False, "a salience from 0 to 1"),
    "status quo": (0.0, 100.0, False, "a status quo from 0 to 100"),
    "point": (0.0, 100.0, False, "a scale point from 0 to 100"),
}


def _bounded(cell: Cell, sheet: str, r: _Reader, column: str) -> float | int | None:
    lo, hi, open_low, what = _BOUNDS[column]
    x = _number(cell, sheet, r, what)
    if x is None:
        return None
    if not ((x > lo if open_low else x >= lo) and x <= hi):
        r.problem(r.place(sheet, cell), f"found {x:g}; expected {what}")
        return None
    return x


def _value(cells: dict[str, Cell], column: str, where: Sheet, row: int, r: _Reader,
           path: Path_) -> Any:
    """A value or a [low, high] range from ``column`` and ``column high``; a blank
    ``column`` is a problem at its cell (a value every row needs)."""
    sheet = where.name
    low_cell, high_cell = cells.get(column), cells.get(f"{column} high")
    if low_cell is None:
        if high_cell is not None:
            r.problem(r.place(sheet, high_cell), f"a {column} high without a {column}; "
                      f"expected the low end under {column!r}")
        else:
            r.problem(where.blank(column, row), f"empty; expected {_BOUNDS[column][3]} (an "
                      "infinite or undefined number is saved as an empty cell)")
        return None
    r.cells[path] = r.place(sheet, low_cell)
    low = _bounded(low_cell, sheet, r, column)
    if high_cell is None:
        return low
    high = _bounded(high_cell, sheet, r, column)
    if low is None or high is None:
        return None
    if low > high:
        r.problem(r.place(sheet, high_cell), f"found {column} {low:g} to {high:g}; expected "
                  "a range whose low end is at most its high end")
    return [low, high]


def _refs(cells: dict[str, Cell], sheet: str, r: _Reader, path: Path_
          ) -> list[dict[str, str]] | None:
    numbers = sorted({int(h.split()[1]) for h in cells
                      if h.startswith("ref ") and len(h.split()) > 2 and h.split()[1].isdigit()})
    out: list[dict[str, str]] = []
    for k in numbers:
        kind_cell = cells.get(f"ref {k} kind")
        source_cell = cells.get(f"ref {k} source")
        text_cell = cells.get(f"ref {k} quote or note")
        anchor = kind_cell or source_cell or text_cell
        assert anchor is not None
        where: Path_ = (*path, "source", len(out))
        r.cells[where] = r.place(sheet, anchor)
        kind = _text(kind_cell, sheet, r) if kind_cell is not None else None
        if kind not in _REF_KINDS:
            r.problem(r.place(sheet, kind_cell or anchor),
                      f"found {kind!r} under 'ref {k} kind'; expected doc, dataset or "
                      "judgment")
            continue
        if source_cell is None:
            r.problem(r.place(sheet, anchor), f"no source id under 'ref {k} source'; "
                      "expected the id of a source on the sources sheet")
            continue
        ref: dict[str, str] = {}
        source_id = _text(source_cell, sheet, r)
        if source_id is None:
            continue
        ref[kind] = source_id
        r.cells[(*where, kind)] = r.place(sheet, source_cell)
        if text_cell is not None:
            text = _text(text_cell, sheet, r)
            if text is not None:
                key = "quote" if kind == "doc" else "note"
                ref[key] = text
                r.cells[(*where, key)] = r.place(sheet, text_cell)
        out.append(ref)
    return out or None


def _record(sheet: Sheet, r: _Reader, section: str, row: int, cells: dict[str, Cell],
            fields: dict[str, str], i: int) -> dict[str, Any]:
    """The text fields ``fields`` (column -> field) of one row, with their cells."""
    item: dict[str, Any] = {}
    r.cells[(section, i)] = f"{sheet.name}!A{row}"
    for column, field in fields.items():
        cell = cells.get(column)
        if cell is None:
            continue
        text = _text(cell, sheet.name, r)
        if text is not None:
            item[field] = text
            r.cells[(section, i, field)] = r.place(sheet.name, cell)
    return item


def _scenario_fields(sheet: Sheet, r: _Reader, data: dict[str, Any]) -> None:
    _unknown_columns(sheet, ("field", "value"), r)
    for row, cells in sheet.rows:
        field_cell, value_cell = cells.get("field"), cells.get("value")
        if field_cell is None:
            r.problem(f"{sheet.name}!A{row}", "a value without a field name; expected one "
                      f"of {', '.join(_SCENARIO_FIELDS)}")
            continue
        field = _text(field_cell, sheet.name, r)
        if field not in _SCENARIO_FIELDS:
            r.problem(r.place(sheet.name, field_cell), f"found {field!r}; expected one of "
                      f"{', '.join(_SCENARIO_FIELDS)}")
            continue
        if field in data:
            r.problem(r.place(sheet.name, field_cell), f"the field {field!r} appears twice")
            continue
        if value_cell is None:
            continue
        r.cells[(field,)] = r.place(sheet.name, value_cell)
        data[field] = (_date(value_cell, sheet.name, r) if field == "as_of"
                       else _text(value_cell, sheet.name, r))


def _sources(sheet: Sheet, r: _Reader) -> list[dict[str, Any]]:
    _unknown_columns(sheet, _SOURCE_COLUMNS, r)
    out = []
    for i, (row, cells) in enumerate(sheet.rows):
        text_fields = {c: c for c in _SOURCE_COLUMNS if c not in ("year", "date")}
        item = _record(sheet, r, "sources", row, cells, text_fields, i)
        if "year" in cells:
            r.cells[("sources", i, "year")] = r.place(sheet.name, cells["year"])
            item["year"] = _number(cells["year"], sheet.name, r, "a year (a whole number)")
        if "date" in cells:
            r.cells[("sources", i, "date")] = r.place(sheet.name, cells["date"])
            item["date"] = _date(cells["date"], sheet.name, r)
        out.append({c: item[c] for c in _SOURCE_COLUMNS if c in item})
    return out


def _ref_columns(sheet: Sheet) -> set[str]:
    return {h for _, cells in sheet.rows for h in cells if h.startswith("ref ")}


def _actors(sheet: Sheet, r: _Reader) -> list[dict[str, Any]]:
    _unknown_columns(sheet, {"id", "name", "kind", "capability", "capability high", "note"}
                     | _ref_columns(sheet), r)
    out = []
    for i, (row, cells) in enumerate(sheet.rows):
        item = _record(sheet, r, "actors", row, cells,
                       {"id": "id", "name": "name", "kind": "kind"}, i)
        item["capability"] = _value(cells, "capability", sheet, row, r,
                                    ("actors", i, "capability"))
        source = _refs(cells, sheet.name, r, ("actors", i))
        if source:
            item["source"] = source
        item.update(_record(sheet, r, "actors", row, cells, {"note": "note"}, i))
        out.append(item)
    return out


def _issues(sheet: Sheet, scale: Sheet, r: _Reader) -> list[dict[str, Any]]:
    _unknown_columns(sheet, {"id", "question", "status quo", "note"} | _ref_columns(sheet), r)
    _unknown_columns(scale, ("issue", "point", "label"), r)
    out = []
    index: dict[str, int] = {}
    for i, (row, cells) in enumerate(sheet.rows):
        item = _record(sheet, r, "issues", row, cells, {"id": "id", "question": "question"}, i)
        item["scale"] = {}
        r.cells[("issues", i, "scale")] = f"{sheet.name}!A{row}"
        if "status quo" in cells:
            r.cells[("issues", i, "status_quo")] = r.place(sheet.name, cells["status quo"])
            item["status_quo"] = _bounded(cells["status quo"], sheet.name, r, "status quo")
        source = _refs(cells, sheet.name, r, ("issues", i))
        if source:
            item["source"] = source
        item.update(_record(sheet, r, "issues", row, cells, {"note": "note"}, i))
        if isinstance(item.get("id"), str):
            index.setdefault(item["id"], i)
        out.append(item)
    for row, cells in scale.rows:
        found = _owner(scale, row, cells.get("issue"), index, "an issue on the issues", r)
        if found is None:
            continue
        issue, i = found
        if "point" not in cells or "label" not in cells:
            r.problem(f"{scale.name}!{'B' if 'point' not in cells else 'C'}{row}",
                      f"a named point of {issue!r} needs both a point (0-100) and a label")
            continue
        point = _bounded(cells["point"], scale.name, r, "point")
        label = _text(cells["label"], scale.name, r)
        if point is None or label is None:
            continue
        if float(point) in {float(p) for p in out[i]["scale"]}:
            r.problem(r.place(scale.name, cells["point"]), f"issue {issue!r} names the point "
                      f"{point:g} twice; expected each point once")
            continue
        if not out[i]["scale"]:  # a problem with the scale points at its first row
            r.cells[("issues", i, "scale")] = r.place(scale.name, cells["point"])
        out[i]["scale"][point] = label
    return out


def _stances(sheet: Sheet, r: _Reader) -> list[dict[str, Any]]:
    _unknown_columns(sheet, {"actor", "issue", "position", "position high", "salience",
                             "salience high", "note"} | _ref_columns(sheet), r)
    out = []
    for i, (row, cells) in enumerate(sheet.rows):
        item = _record(sheet, r, "stances", row, cells, {"actor": "actor", "issue": "issue"}, i)
        for column in ("position", "salience"):
            item[column] = _value(cells, column, sheet, row, r, ("stances", i, column))
        source = _refs(cells, sheet.name, r, ("stances", i))
        if source:
            item["source"] = source
        item.update(_record(sheet, r, "stances", row, cells, {"note": "note"}, i))
        out.append(item)
    return out


def _sections(sheet: Sheet, r: _Reader, data: dict[str, Any]) -> None:
    _unknown_columns(sheet, ("section", "yaml"), r)
    lines: dict[str, list[tuple[int, str]]] = {}
    for row, cells in sheet.rows:
        name_cell = cells.get("section")
        name = _text(name_cell, sheet.name, r) if name_cell is not None else None
        if name not in SECTIONS:
            r.problem(r.place(sheet.name, name_cell) if name_cell is not None
                      else f"{sheet.name}!A{row}",
                      f"found {name!r}; expected one of {', '.join(SECTIONS)}")
            continue
        line_cell = cells.get("yaml")
        text = "" if line_cell is None else _text(line_cell, sheet.name, r) or ""
        lines.setdefault(name, []).append((row, text))
    for name, rows in lines.items():
        try:
            parsed = parse_yaml("\n".join(t for _, t in rows) + "\n", f"{sheet.name}:{name}")
        except YamlProblem as exc:
            line = exc.problem.line or 1
            row = rows[min(line, len(rows)) - 1][0]
            r.problem(f"{sheet.name}!B{row}", exc.problem.message)
            continue
        data[name] = parsed.data
        r.cells[(name,)] = f"{sheet.name}!B{rows[0][0]}"
        for path, (line, _col) in parsed.marks.items():
            r.cells[(name, *path)] = f"{sheet.name}!B{rows[min(line, len(rows)) - 1][0]}"


SHEETS = ("scenario", "sources", "actors", "issues", "scale", "stances", "sections")
"""The sheets a scenario workbook has."""

OPTIONAL_SHEETS = ("texts",)
"""The sheets a scenario workbook may have (a workbook made before texts were held in a
scenario has none)."""


def _owner(sheet: Sheet, row: int, cell: Cell | None, index: dict[str, int], what: str,
           r: _Reader) -> tuple[str, int] | None:
    """The id in a row's first column and its place in ``index`` (the rows of the sheet it
    belongs to), or None after naming the cell when it is not one of them."""
    ident = _text(cell, sheet.name, r) if cell is not None else None
    if ident is None or ident not in index:
        known = ", ".join(index) or "none"
        r.problem(r.place(sheet.name, cell) if cell is not None else f"{sheet.name}!A{row}",
                  f"found {ident!r}; expected the id of {what} sheet ({known})")
        return None
    return ident, index[ident]


def _texts(sheet: Sheet, r: _Reader, sources: list[dict[str, Any]]) -> None:
    """Each source's text from the rows of the ``texts`` sheet, joined in row order."""
    _unknown_columns(sheet, ("source", "text"), r)
    index = {s["id"]: i for i, s in enumerate(sources) if isinstance(s.get("id"), str)}
    parts: dict[int, list[str]] = {}
    for row, cells in sheet.rows:
        text_cell = cells.get("text")
        found = _owner(sheet, row, cells.get("source"), index, "a source on the sources", r)
        if found is None:
            continue
        _, i = found
        if text_cell is None:
            continue
        text = _text(text_cell, sheet.name, r)
        if text is None:
            continue
        if i not in parts:
            parts[i] = []
            r.cells[("sources", i, "text")] = r.place(sheet.name, text_cell)
        parts[i].append(text)
    for i, texts in parts.items():
        sources[i]["text"] = "".join(texts)


@dataclass(frozen=True)
class FromWorkbook:
    """A workbook's scenario data (as a scenario file holds it) and the cell each value
    came from, by field path (``("stances", 6, "salience")`` -> ``"stances!E8"``)."""

    data: dict[str, Any]
    cells: dict[Path_, str]
    warnings: tuple[str, ...] = ()
    """What was read but not used (a sheet of another name), said by file and sheet."""

    def cell_of(self, path: Path_) -> str | None:
        """The cell of ``path``, or of its nearest ancestor that has one."""
        for n in range(len(path), 0, -1):
            if path[:n] in self.cells:
                return self.cells[path[:n]]
        return None

    def locate(self, problem: Problem, filename: str) -> str:
        """A validation problem of the scenario read from this workbook, said by cell."""
        cell = self.cell_of(problem.path)
        where = f"{filename}: {cell}" if cell else filename
        tag = "" if problem.severity == "error" else f"{problem.severity}: "
        return f"{where}: {tag}{problem.message}"


def xlsx_to_data(raw: bytes, filename: str) -> FromWorkbook:
    """The scenario data in a workbook's bytes, in the order a scenario file gives it.

    Raises ``WorkbookError`` listing every problem found in the cells (a missing sheet or
    a corrupt file at once); what the cells hold is checked again as a scenario by the
    caller (``load_scenario_text``), whose problems ``FromWorkbook.locate`` places."""
    sheets, others = read_sheets(raw, filename, SHEETS, OPTIONAL_SHEETS)
    # a problem with a whole section (none given, a field missing) points at its sheet
    r = _Reader(filename, [], {(f,): "scenario!A1" for f in _SCENARIO_FIELDS})
    r.cells.update({(s,): f"{s}!A1" for s in ("sources", "actors", "issues", "stances")})
    data: dict[str, Any] = {}
    _scenario_fields(sheets["scenario"], r, data)
    data["sources"] = _sources(sheets["sources"], r)
    if "texts" in sheets:
        _texts(sheets["texts"], r, data["sources"])
    data["actors"] = _actors(sheets["actors"], r)
    data["issues"] = _issues(sheets["issues"], sheets["scale"], r)
    data["stances"] = _stances(sheets["stances"], r)
    _sections(sheets["sections"], r, data)
    if r.problems:
        raise WorkbookError(r.problems)
    order = ("name", "description", "as_of", "sources", "actors", "issues", "stances",
             "options", "rules", "sampling", "edited_from")
    ignored = tuple(f"{filename}: warning: the sheet {n!r} is not one a scenario workbook "
                    f"has ({', '.join(SHEETS + OPTIONAL_SHEETS)}); it was not read"
                    for n in others)
    return FromWorkbook({k: data[k] for k in order if k in data}, r.cells, ignored)


def iter_problems(problems: Iterable[Problem], found: FromWorkbook, filename: str
                  ) -> Iterator[str]:
    """Each problem said by its sheet and cell."""
    for p in problems:
        yield found.locate(p, filename)
