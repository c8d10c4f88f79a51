"""The spreadsheet round trip: YAML -> .xlsx -> YAML gives the same scenario and the same
validation result; bad workbooks are refused by sheet and cell, and nothing is written."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.files import InputFileError
from statecraft.scenario import ScenarioError, load_scenario, load_scenario_text
from statecraft.scenario.xlsx import WorkbookError, scenario_to_xlsx
from tests.conftest import DATA, REPO, shared_dir

runner = CliRunner()
BUNDLED = sorted((REPO / "scenarios").glob("*.yaml"))
TEST_SCENARIOS = [p for p in sorted(DATA.glob("*.yaml")) if "questions" not in p.name
                  and "resolved" not in p.name]


def _strict_result(path: Path, sources_dirs: list[Path]) -> tuple[bool, list[tuple[str, str,
                                                                               str]]]:
    """Whether ``validate --strict`` accepts the file, and its problems without lines."""
    from statecraft.scenario.errors import format_path
    try:
        loaded = load_scenario(path, strict=True, sources_dirs=sources_dirs)
    except ScenarioError as exc:
        return False, sorted((p.severity, format_path(p.path), p.message) for p in exc.problems)
    return True, sorted((p.severity, format_path(p.path), p.message) for p in loaded.warnings)


def _same_place(original: Path, tmp_path: Path) -> Path:
    """A folder where relative source paths lead where they lead from ``original``'s: the
    bundled scenarios name ``../../shared/sources/...``."""
    folder = tmp_path / "main" / original.parent.name
    folder.mkdir(parents=True)
    (tmp_path / "shared").symlink_to(shared_dir())
    return folder


@pytest.mark.parametrize("original", BUNDLED + TEST_SCENARIOS, ids=lambda p: p.name)
def test_round_trip_is_lossless(original: Path, tmp_path: Path) -> None:
    sources_dirs = [shared_dir() / "sources"]
    loaded = api.load(original, sources_dirs=sources_dirs)
    book = tmp_path / "s.xlsx"
    api.export_xlsx(loaded, book)
    out = _same_place(original, tmp_path) / "back.yaml"
    imported = api.import_xlsx(book, out, sources_dirs=sources_dirs)
    again = load_scenario(out, sources_dirs=sources_dirs)
    assert again.scenario == loaded.scenario
    assert imported.loaded.scenario == loaded.scenario
    assert _strict_result(out, sources_dirs) == _strict_result(original, sources_dirs)
    assert again.quotes_checked == loaded.quotes_checked
    # and a second trip gives the same text
    book2 = tmp_path / "again.xlsx"
    api.export_xlsx(again, book2)
    assert api.import_xlsx(book2).text == imported.text


def test_bundled_round_trip_checks_its_quotes(tmp_path: Path) -> None:
    if not (shared_dir() / "sources").is_dir():
        pytest.skip(f"needs the shared folder's sources ({shared_dir()} is absent)")
    original = BUNDLED[0]
    loaded = api.load(original)
    assert loaded.quotes_checked > 0
    api.export_xlsx(loaded, tmp_path / "s.xlsx")
    out = _same_place(original, tmp_path) / "back.yaml"
    imported = api.import_xlsx(tmp_path / "s.xlsx", out,
                               sources_dirs=[shared_dir() / "sources"])
    assert imported.loaded.quotes_checked == loaded.quotes_checked


def _book(scenario_file: Path = DATA / "small.yaml") -> openpyxl.Workbook:
    raw = scenario_to_xlsx(load_scenario(scenario_file).scenario)
    return openpyxl.load_workbook(io.BytesIO(raw))


def _save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def _column(ws: object, header: str) -> str:
    from openpyxl.utils import get_column_letter
    headers = [c.value for c in ws[1]]  # type: ignore[index]
    return get_column_letter(headers.index(header) + 1)


def test_a_bad_salience_is_named_by_sheet_and_cell(tmp_path: Path) -> None:
    wb = _book()
    ws = wb["stances"]
    col = _column(ws, "salience")
    ws[f"{col}7"] = 1.4
    book = _save(wb, tmp_path / "bad.xlsx")
    out = tmp_path / "out.yaml"
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(book, out)
    assert caught.value.problems == [  # the new row has no position either
        f"{book}: stances!{_column(ws, 'position')}7: empty; expected a position from 0 to "
        "100 (an infinite or undefined number is saved as an empty cell)",
        f"{book}: stances!{col}7: found 1.4; expected a salience from 0 to 1"]
    assert not out.exists()
    result = runner.invoke(app, ["import-xlsx", str(book), "-o", str(out)])
    assert result.exit_code == 1
    assert f"stances!{col}7: found 1.4; expected a salience from 0 to 1" in result.output
    assert "nothing was written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xlsx"]


def test_validation_problems_are_placed_in_their_cells(tmp_path: Path) -> None:
    wb = _book()
    wb["stances"]["A3"] = "zeta"  # no such actor
    ws = wb["stances"]
    ws[f"{_column(ws, 'position')}4"] = "far"
    ws[f"{_column(ws, 'ref 1 source')}5"] = "nowhere"
    book = _save(wb, tmp_path / "bad.xlsx")
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(book, tmp_path / "out.yaml")
    # cell-level problems come first (they stop the scenario being read)
    assert caught.value.problems == [
        f"{book}: stances!{_column(ws, 'position')}4: found 'far'; expected a position "
        "from 0 to 100"]
    ws[f"{_column(ws, 'position')}4"] = 40
    _save(wb, book)
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(book, tmp_path / "out.yaml")
    text = "\n".join(caught.value.problems)
    assert f"{book}: stances!A3: " in text and "'zeta'" in text
    assert f"stances!{_column(ws, 'ref 1 source')}5: found 'nowhere'" in text
    assert not (tmp_path / "out.yaml").exists()


def test_a_formula_is_refused_and_text_starting_with_equals_is_kept(tmp_path: Path) -> None:
    wb = _book()
    ws = wb["stances"]
    ws[f"{_column(ws, 'note')}2"] = "=not a formula, a note"
    ws[f"{_column(ws, 'note')}2"].data_type = "s"
    book = _save(wb, tmp_path / "ok.xlsx")
    imported = api.import_xlsx(book)
    assert imported.loaded.scenario.stances[0].note == "=not a formula, a note"
    again = api.import_xlsx(_save(_roundtrip(imported), tmp_path / "again.xlsx"))
    assert again.loaded.scenario == imported.loaded.scenario
    ws[f"{_column(ws, 'salience')}2"] = "=0.5*2"
    _save(wb, book)
    with pytest.raises(WorkbookError, match=r"stances!E2: found the formula '=0.5\*2'"):
        api.import_xlsx(book)


def _roundtrip(imported: api.Imported) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(scenario_to_xlsx(imported.loaded.scenario)))


def test_numbers_keep_every_digit(tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8").replace(
        "salience: 1.0, source", "salience: 0.30000000000000004, source", 1).replace(
        "capability: 2,", "capability: 123456.78901234567,", 1)
    loaded = load_scenario_text(text, "x.yaml")
    assert loaded.scenario.stances[0].salience == 0.1 + 0.2
    path = tmp_path / "n.xlsx"
    api.export_xlsx(loaded, path)
    assert api.import_xlsx(path).loaded.scenario == loaded.scenario


@pytest.mark.parametrize("given", [None, "uniform", "triangular"])
def test_sampling_is_written_only_when_the_file_gives_it(given: str | None,
                                                          tmp_path: Path) -> None:
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    assert "sampling:" not in text
    if given is not None:
        text += f"sampling: {given}\n"
    path = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario_text(text, "x.yaml"), path)
    back = api.import_xlsx(path).text
    assert ("sampling:" in back) == (given is not None)
    if given is not None:
        assert f"sampling: {given}" in back


def test_a_missing_sheet_is_named(tmp_path: Path) -> None:
    wb = _book()
    del wb["scale"]
    book = _save(wb, tmp_path / "bad.xlsx")
    with pytest.raises(WorkbookError, match=r"no sheet named 'scale'; expected the sheets "):
        api.import_xlsx(book, tmp_path / "out.yaml")
    assert not (tmp_path / "out.yaml").exists()


def test_a_corrupt_file_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), good)
    raw = good.read_bytes()
    for name, data in (("text.xlsx", b"name: not a workbook\n"),
                       ("cut.xlsx", raw[: len(raw) // 2])):
        bad = tmp_path / name
        bad.write_bytes(data)
        with pytest.raises(WorkbookError, match=r"not a readable \.xlsx workbook"):
            api.import_xlsx(bad, tmp_path / "out.yaml")
    # a zip that is not a workbook
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    (tmp_path / "zip.xlsx").write_bytes(buffer.getvalue())
    with pytest.raises(WorkbookError, match=r"not a readable \.xlsx workbook"):
        api.import_xlsx(tmp_path / "zip.xlsx", tmp_path / "out.yaml")
    assert not (tmp_path / "out.yaml").exists()


def test_over_size_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), book)
    monkeypatch.setattr("statecraft.api.workbench.MAX_XLSX_BYTES", 1000)
    with pytest.raises(InputFileError, match="limit is 1,000"):
        api.import_xlsx(book, tmp_path / "out.yaml")
    monkeypatch.undo()
    monkeypatch.setattr("statecraft.scenario.xlsx.MAX_UNZIPPED_BYTES", 2000)
    with pytest.raises(WorkbookError, match=r"unpacks to .* bytes; the limit is 2,000"):
        api.import_xlsx(book, tmp_path / "out.yaml")
    monkeypatch.undo()
    monkeypatch.setattr("statecraft.scenario.xlsx.MAX_ROWS", 2)
    with pytest.raises(WorkbookError, match="sheet 'scenario' has 4 rows; the limit is 2"):
        api.import_xlsx(book, tmp_path / "out.yaml")
    monkeypatch.undo()
    wb = openpyxl.load_workbook(book)
    wb["stances"]["ALL2"] = "far right"  # column 1,000
    _save(wb, book)
    monkeypatch.setattr("statecraft.scenario.xlsx.MAX_COLUMNS", 999)
    with pytest.raises(WorkbookError, match="sheet 'stances' has 1,000 columns; the limit is 999"):
        api.import_xlsx(book, tmp_path / "out.yaml")
    assert not (tmp_path / "out.yaml").exists()


def test_the_cli_refuses_to_replace_files_without_force(tmp_path: Path) -> None:
    book = tmp_path / "s.xlsx"
    ok = runner.invoke(app, ["export-xlsx", str(DATA / "entry.yaml"), "-o", str(book), "-q"])
    assert ok.exit_code == 0, ok.output
    out = tmp_path / "s.yaml"
    out.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["import-xlsx", str(book), "-o", str(out)])
    assert refused.exit_code == 1 and "exists" in refused.output
    assert out.read_text(encoding="utf-8") == "mine\n"
    again = runner.invoke(app, ["export-xlsx", str(DATA / "small.yaml"), "-o", str(book)])
    assert again.exit_code == 1 and "exists" in again.output
    csv = runner.invoke(app, ["export-xlsx", str(DATA / "small.yaml"), "-o",
                              str(tmp_path / "s.csv")])
    assert csv.exit_code == 1 and "ending in .xlsx" in csv.output
    assert not (tmp_path / "s.csv").exists()
    forced = runner.invoke(app, ["import-xlsx", str(book), "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert load_scenario(out).scenario == load_scenario(DATA / "entry.yaml").scenario
    printed = runner.invoke(app, ["import-xlsx", str(book)])
    assert printed.exit_code == 0
    assert load_scenario_text(printed.stdout).scenario == load_scenario(out).scenario


def test_cli_export_refuses_an_invalid_scenario(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nactors: []\n", encoding="utf-8")
    result = runner.invoke(app, ["export-xlsx", str(bad), "-o", str(tmp_path / "b.xlsx")])
    assert result.exit_code == 1
    assert not (tmp_path / "b.xlsx").exists()


def test_an_edited_copy_keeps_its_edits(tmp_path: Path) -> None:
    from statecraft.scenario.edit import StanceChange, with_stance_changes
    text = with_stance_changes((DATA / "small.yaml").read_text(encoding="utf-8"), "small.yaml",
                               [StanceChange("a", "x", position=(20.0, 30.0))])
    path = tmp_path / "edited.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded.scenario.edited_from is not None
    api.export_xlsx(loaded, tmp_path / "e.xlsx")
    back = api.import_xlsx(tmp_path / "e.xlsx", tmp_path / "back.yaml")
    assert back.loaded.scenario == loaded.scenario
    assert _strict_result(tmp_path / "back.yaml", []) == _strict_result(path, [])
    assert back.loaded.cited is not None and loaded.cited is not None
    assert back.loaded.cited.scenario == loaded.cited.scenario


def test_an_empty_sheet_is_named(tmp_path: Path) -> None:
    wb = _book()
    wb["actors"].delete_rows(2, 10)
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(_save(wb, tmp_path / "bad.xlsx"))
    assert any(": actors!A1: " in p for p in caught.value.problems)


def test_the_workbook_helps_filling_in() -> None:
    wb = _book(DATA / "small.yaml")
    actors = wb["actors"]
    assert all(cell.font.bold for cell in actors[1])
    assert actors.freeze_panes == "A2"
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in
             actors.data_validations.dataValidation}
    assert lists[f"{_column(actors, 'kind')}2"] == '"state,organisation,non-state"'
    assert lists[f"{_column(actors, 'ref 1 kind')}2"] == '"doc,dataset,judgment"'
    assert actors.column_dimensions["B"].width >= len("Gamma")


def test_an_output_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    book = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), book)
    for args in (["export-xlsx", str(DATA / "small.yaml"), "-o",
                  str(tmp_path / "nodir" / "s.xlsx")],
                 ["import-xlsx", str(book), "-o", str(tmp_path / "nodir" / "x.yaml")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "nodir is not a folder; nothing was written" in " ".join(result.output.split())
    assert not (tmp_path / "nodir").exists()


def test_a_file_the_system_refuses_to_write_is_named_without_a_traceback(
        tmp_path: Path) -> None:
    book = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), book)
    long = "x" * 300  # a name longer than any file system allows, for root too
    for args, out in (
            (["export-xlsx", str(DATA / "small.yaml")], f"{long}.xlsx"),
            (["import-xlsx", str(book)], f"{long}.yaml"),
            (["new", "Some Scenario"], f"{long}.yaml")):
        target = tmp_path / out
        result = runner.invoke(app, [*args, "-o", str(target)])
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        said = "".join(result.output.split())
        assert f"{target}:cannotwriteit(Filenametoolong);nothingwaswritten" in said
        assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def _with_part(book: Path, part: str, data: bytes, out: Path) -> Path:
    """A copy of the workbook ``book`` whose ``part`` holds ``data``."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info))
    return out


def _sheet_part(book: Path, sheet: str) -> str:
    """The zip part of the sheet named ``sheet`` (the exporter writes them in order)."""
    wb = openpyxl.load_workbook(book, read_only=True)
    index = wb.sheetnames.index(sheet) + 1
    wb.close()
    return f"xl/worksheets/sheet{index}.xml"


def test_a_sheet_part_over_its_limit_is_refused_quickly(tmp_path: Path) -> None:
    import time
    book = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), book)
    part = _sheet_part(book, "scenario")
    xml = zipfile.ZipFile(book).read(part)
    at = xml.index(b"<sheetData")
    bomb = xml[:at] + b"<!--" + b"a" * (60 * 1024 * 1024) + b"-->" + xml[at:]
    bad = _with_part(book, part, bomb, tmp_path / "bomb.xlsx")
    assert bad.stat().st_size < 1024 * 1024
    start = time.perf_counter()
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(bad, tmp_path / "out.yaml")
    assert time.perf_counter() - start < 5  # a generous bound; it took minutes
    message = str(caught.value)
    assert message.startswith(f"{bad}: the part {part} unpacks to ")
    assert "the limit for one part (a sheet) is 4,194,304" in message
    assert not (tmp_path / "out.yaml").exists()


def test_the_bundled_scenarios_sheets_are_well_under_the_part_limit(tmp_path: Path) -> None:
    from statecraft.scenario.xlsx import MAX_PART_BYTES
    book = tmp_path / "s.xlsx"
    api.export_xlsx(api.load(BUNDLED[0], sources_dirs=[shared_dir() / "sources"]), book)
    sizes = [i.file_size for i in zipfile.ZipFile(book).infolist()]
    assert max(sizes) * 20 < MAX_PART_BYTES


def test_reading_stops_once_a_sheet_passes_the_row_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time
    book = tmp_path / "s.xlsx"
    api.export_xlsx(load_scenario(DATA / "small.yaml"), book)
    part = _sheet_part(book, "stances")
    xml = zipfile.ZipFile(book).read(part)
    start, end = xml.index(b"</row>") + len(b"</row>"), xml.index(b"</sheetData>")
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
                    % (n, n) for n in range(2, 600_002))
    # the sheet declares a small dimension, which does not hold reading back
    head = xml[:start].replace(xml[xml.index(b"<dimension"):xml.index(b"/>", xml.index(
        b"<dimension")) + 2], b'<dimension ref="A1:B2"/>')
    bad = _with_part(book, part, head + rows + xml[end:], tmp_path / "rows.xlsx")
    monkeypatch.setattr("statecraft.scenario.xlsx.MAX_PART_BYTES", 1 << 30)
    began = time.perf_counter()
    with pytest.raises(WorkbookError, match="sheet 'stances' has more than 50,001 rows; "
                       "the limit is 50,000"):
        api.import_xlsx(bad, tmp_path / "out.yaml")
    assert time.perf_counter() - began < 10  # a generous bound; reading it all took over 10 s
    assert not (tmp_path / "out.yaml").exists()


def test_an_infinite_or_blank_number_is_named_at_its_cell(tmp_path: Path) -> None:
    wb = _book()
    stances = wb["stances"]
    position = _column(stances, "position")
    stances[f"{position}3"] = float("inf")  # saved as an empty cell
    actors = wb["actors"]
    actors[f"{_column(actors, 'capability')}2"] = None
    bad = _save(wb, tmp_path / "inf.xlsx")
    with pytest.raises(WorkbookError) as caught:
        api.import_xlsx(bad, tmp_path / "out.yaml")
    assert f"{bad}: stances!{position}3: empty; expected a position from 0 to 100" in \
        caught.value.problems[1]
    assert caught.value.problems[0].startswith(
        f"{bad}: actors!{_column(actors, 'capability')}2: empty; expected a capability")
    assert len(caught.value.problems) == 2
    # a number the file does hold as infinite is named with its value
    raw = zipfile.ZipFile(bad).read(_sheet_part(bad, "stances"))
    assert f'<c r="{position}3" t="n"><v /></c>'.encode() in raw
    held = _with_part(bad, _sheet_part(bad, "stances"), raw.replace(
        f'<c r="{position}3" t="n"><v /></c>'.encode(),
        f'<c r="{position}3" t="n"><v>1e999</v></c>'.encode()), tmp_path / "held.xlsx")
    with pytest.raises(WorkbookError, match=rf"stances!{position}3: found inf; expected a "
                       "position from 0 to 100"):
        api.import_xlsx(held)
    assert not (tmp_path / "out.yaml").exists()


def test_an_unknown_sheet_is_named_in_a_warning(tmp_path: Path) -> None:
    wb = _book()
    wb.create_sheet("my notes")["A1"] = "stakeholders to add"
    book = _save(wb, tmp_path / "extra.xlsx")
    imported = api.import_xlsx(book, tmp_path / "out.yaml")
    assert (f"{book}: warning: the sheet 'my notes' is not one a scenario workbook has "
            "(scenario, sources, actors, issues, scale, stances, sections, texts); it was not read"
            ) in imported.warnings
    result = runner.invoke(app, ["import-xlsx", str(book)])
    assert result.exit_code == 0 and "'my notes'" in result.stderr


def test_a_shared_string_named_from_many_cells_is_refused_by_its_text(tmp_path: Path) -> None:
    """A cell names a shared string, which any number of cells may name: a small file of
    one long string named from many rows read as megabytes of text."""
    import time

    from statecraft.scenario.xlsx import MAX_TEXT_CHARS

    wb = _book()
    sheet = wb["stances"]
    column = next(c.column for c in sheet[1] if str(c.value).startswith("ref 1 quote"))
    long = "y" * 30_000
    rows = MAX_TEXT_CHARS // len(long) + 2
    for r in range(2, 2 + rows):
        sheet.cell(row=r, column=column, value=long)
    book = _save(wb, tmp_path / "shared.xlsx")
    assert book.stat().st_size < 200_000  # one string, stored once
    start = time.perf_counter()
    with pytest.raises(WorkbookError, match=rf"its cells hold more than {MAX_TEXT_CHARS:,} "
                                            r"characters of text \(passed at stances!"):
        api.import_xlsx(book, tmp_path / "out.yaml")
    assert time.perf_counter() - start < 10
    assert not (tmp_path / "out.yaml").exists()


def test_a_cell_longer_than_a_spreadsheet_holds_is_refused_at_its_cell() -> None:
    """openpyxl cuts what it writes at 32,767 characters, but another program's file may
    hold more: such a cell is refused where it is read."""
    from types import SimpleNamespace

    from statecraft.scenario.xlsx import _TextRead

    text = _TextRead("long.xlsx")
    text.add("scenario", SimpleNamespace(value="z" * 32_767, coordinate="B2"))  # type: ignore[arg-type]
    with pytest.raises(WorkbookError, match=r"long\.xlsx: scenario!B3: 40,000 characters; a "
                                            r"spreadsheet cell holds at most 32,767"):
        text.add("scenario", SimpleNamespace(value="z" * 40_000, coordinate="B3"))  # type: ignore[arg-type]
    assert text.chars == 32_767


def test_a_temporary_folder_that_refuses_the_sheets_is_said_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """openpyxl writes each sheet to a temporary file: a full temporary folder printed a
    traceback ('No space left on device')."""
    pytest.importorskip("openpyxl.worksheet._writer")

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    # where openpyxl makes each sheet's temporary file
    monkeypatch.setattr("openpyxl.worksheet._writer.NamedTemporaryFile", full)
    out = tmp_path / "x.xlsx"
    got = runner.invoke(app, ["export-xlsx", str(DATA / "small.yaml"), "-o", str(out), "-q"])
    assert got.exit_code == 1, got.output
    assert "the temporary folder refused its sheets (No space left on device)" in got.output
    assert "Traceback" not in got.output and not out.exists()


@pytest.mark.parametrize(("cell", "said"), [
    ('<c r="B2" t="s"><v>99999</v></c>', "IndexError"),  # a shared string not there
    ('<c r="B2" t="d"><v>not-a-date</v></c>', "Invalid datetime value not-a-date"),
    ('<c r="B2" t="b"><v>maybe</v></c>', "ValueError"),
    ('<c r="B2"><v>' + "9" * 5000 + "</v></c>", "ValueError"),
])
def test_a_cell_the_library_cannot_read_is_named_without_a_traceback(
        tmp_path: Path, cell: str, said: str) -> None:
    """openpyxl raises its own errors for cells no spreadsheet program writes: the command
    line printed a traceback and the workspace answered 500."""
    import re

    raw = scenario_to_xlsx(load_scenario(DATA / "small.yaml").scenario)
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":  # the scenario sheet
                text = data.decode()
                text = re.sub(r'<c r="B2"[^>]*?(/>|>.*?</c>)', cell, text, count=1)
                data = text.encode()
            dst.writestr(info, data)
    book = tmp_path / "odd.xlsx"
    book.write_bytes(out.getvalue())
    got = runner.invoke(app, ["import-xlsx", str(book), "-o", str(tmp_path / "o.yaml")])
    assert got.exit_code == 1
    text = " ".join(got.output.split())
    assert "odd.xlsx: sheet 'scenario': a cell in row 2 cannot be read (" in text, text
    assert said in text and "Traceback" not in text
    assert "error: 1 problem; nothing was written" in text
    assert not (tmp_path / "o.yaml").exists()
