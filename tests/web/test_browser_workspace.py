"""The workspace page in a real headless browser: a three-actor, two-issue scenario built
from an empty workspace and a pasted text, each value cited by selecting its sentence; a
question added; run; saved as YAML that ``validate --strict`` accepts and that opens again
unchanged; a stance built by keyboard alone; a bad value's problem beside its field; the
draft kept over a reload; undo; hostile text shown as text. Every check also fails on a
broken Content-Security-Policy rule (a console error) or a script error."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")
pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

from tests.web.conftest import SHOTS, shot

pytestmark = pytest.mark.browser

SRC = Path(__file__).resolve().parents[2] / "src"

SENTENCES = {
    "north-cap": "The Northern League fields the largest army in the valley.",
    "south-cap": "The Southern Union has a small but well trained force.",
    "river-cap": "The River Council commands only a local militia.",
    "border-issue": "Everyone agrees the border crossing is the first question to settle.",
    "water-issue": "The second question is who controls the dam and its water.",
    "north-border": "The Northern League wants the border crossing closed for good.",
    "south-border": "The Southern Union insists the border crossing must reopen at once.",
    "river-border": "The River Council would accept a crossing open on market days only.",
    "north-water": "The Northern League demands sole control of the dam.",
    "south-water": "The Southern Union cares little about the dam.",
    "river-water": "The River Council wants the dam run jointly by all three.",
}
TEXT = "Field notes, spring.\n\n" + "\n".join(
    " ".join(SENTENCES[k] for k in keys) for keys in (
        ("north-cap", "south-cap", "river-cap"), ("border-issue", "water-issue"),
        ("north-border", "south-border", "river-border"),
        ("north-water", "south-water", "river-water"))) + "\n"

ACTORS = [("north", "Northern League", "3", "north-cap"),
          ("south", "Southern Union", "1.5", "south-cap"),
          ("river", "River Council", "0.4", "river-cap")]
ISSUES = [("border", "Will the border crossing reopen?", "border-issue", "30"),
          ("water", "Who controls the dam?", "water-issue", "50")]
STANCES = {  # (actor, issue): (position, position high, salience)
    ("north", "border"): ("5", "", "0.9"), ("south", "border"): ("90", "100", "0.8"),
    ("river", "border"): ("50", "", "0.4"), ("north", "water"): ("0", "10", "0.7"),
    ("south", "water"): ("60", "", "0.2"), ("river", "water"): ("50", "", "0.9"),
}


def watch(page: Any) -> list[str]:
    """Console errors (a broken CSP rule among them) and script errors, as they come."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


def open_page(browser: Any, server: str, **kw: Any) -> tuple[Any, list[str]]:
    """The workspace in a new browser context (its own localStorage), checked once."""
    context = browser.new_context(viewport={"width": 1400, "height": 900},
                                  accept_downloads=True, **kw)
    page = context.new_page()
    errors = watch(page)
    page.goto(f"{server}/workspace")
    checked(page)
    return page, errors


def checked(page: Any) -> None:
    """Wait until the check has answered for the document as it stands."""
    page.wait_for_function("() => !document.getElementById('check-status').dataset.state"
                           " || document.getElementById('check-status').dataset.state === 'done'")
    page.wait_for_timeout(50)
    page.wait_for_selector("#check-status[data-state=done]")


def draft(page: Any) -> dict[str, Any]:
    """The draft the page keeps in localStorage: the scenario and questions documents."""
    raw = page.evaluate("() => localStorage.getItem('statecraft.workspace.draft')")
    assert raw, "no draft kept"
    out: dict[str, Any] = json.loads(raw)
    return out


def put(page: Any, field: str, value: str) -> None:
    """Type a value into the control whose data-key is ``field``, then leave it (Tab; a
    date field is changed by filling it)."""
    box = page.locator(f'[data-key="{field}"]')
    box.fill(value)
    if box.get_attribute("type") == "date":  # Tab moves between its parts; fill changed it
        page.wait_for_timeout(50)
        return
    box.press("Tab")
    page.wait_for_function("k => document.activeElement && document.activeElement.dataset"
                           " && document.activeElement.dataset.key !== k", arg=field)


def select_sentence(page: Any, sentence: str) -> None:
    """Select a sentence of the shown source's text, as a user's drag would."""
    page.evaluate("""s => { const a = document.getElementById('source-text');
        const i = a.value.indexOf(s); if (i < 0) throw new Error('not in the text: ' + s);
        a.focus(); a.setSelectionRange(i, i + s.length);
        a.dispatchEvent(new Event('select')); }""", sentence)


def cite(page: Any, path: str, sentence: str) -> None:
    select_sentence(page, sentence)
    page.click(f'[data-key="{path}:cite"]')


def add_source(page: Any, ident: str, title: str, text: str) -> None:
    page.fill("#new-doc-id", ident)
    page.fill("#new-doc-title", title)
    page.fill("#new-doc-text", text)
    page.click("#add-document-button")
    page.wait_for_selector('[data-field="sources[0].id"]')


def build(page: Any) -> None:
    """Three actors, two issues, six stances, each cited by its sentence; one question."""
    put(page, "name", "The valley dispute")
    add_source(page, "notes", "Field notes", TEXT)
    for i, (ident, name, capability, key) in enumerate(ACTORS):
        page.click("#add-actor")
        put(page, f"actors[{i}].id", ident)
        put(page, f"actors[{i}].name", name)
        put(page, f"actors[{i}].capability:low", capability)
        cite(page, f"actors[{i}]", SENTENCES[key])
    for i, (ident, question, key, sq) in enumerate(ISSUES):
        page.click("#add-issue")
        put(page, f"issues[{i}].id", ident)
        put(page, f"issues[{i}].question", question)
        put(page, f"issues[{i}].scale[0]:label", "closed" if ident == "border" else "one side")
        put(page, f"issues[{i}].scale[100]:label", "open" if ident == "border" else "shared")
        put(page, f"issues[{i}].scale[50]:label", "market days" if ident == "border" else "joint")
        put(page, f"issues[{i}].status_quo", sq)
        cite(page, f"issues[{i}]", SENTENCES[key])
    for i in range(len(STANCES)):
        page.click("#add-stance")
        p = f"stances[{i}]"
        actor = page.locator(f'[data-key="{p}.actor"]').input_value()
        issue = page.locator(f'[data-key="{p}.issue"]').input_value()
        low, high, salience = STANCES[(actor, issue)]
        put(page, f"{p}.position:low", low)
        if high:
            put(page, f"{p}.position:high", high)
        put(page, f"{p}.salience:low", salience)
        cite(page, p, SENTENCES[f"{actor}-{issue}"])
    page.click("#add-question")
    put(page, "questions[0].id", "crossing-reopens")
    put(page, "questions[0].text", "Will the border crossing be open at least on market days?")
    checked(page)


def test_a_scenario_built_from_an_empty_workspace_runs_saves_and_opens_unchanged(
        server: str, browser: Any, tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    assert "at least one actor" in page.inner_text("#panel-actors")  # shown, not a failure
    assert page.locator("#run-button").is_disabled()
    build(page)
    shot(page, "workspace-built.png")
    assert page.inner_text("#check-status") == "No problems: the scenario can run.", \
        page.inner_text("#problem-list")
    doc = draft(page)
    scenario, questions = doc["scenario"], doc["questions"]
    assert [a["id"] for a in scenario["actors"]] == ["north", "south", "river"]
    assert [i["id"] for i in scenario["issues"]] == ["border", "water"]
    assert scenario["sources"] == [{"id": "notes", "kind": "document", "title": "Field notes",
                                    "text": TEXT}]
    # each stance cites exactly the sentence selected for it
    for s in scenario["stances"]:
        assert s["source"] == [{"doc": "notes", "quote": SENTENCES[f"{s['actor']}-{s['issue']}"]}]
    got = {(s["actor"], s["issue"]): s for s in scenario["stances"]}
    assert got[("south", "border")]["position"] == [90, 100]
    assert got[("north", "water")]["salience"] == 0.7
    assert questions["questions"][0]["id"] == "crossing-reopens"
    assert questions["questions"][0]["issue"] == "border"
    # a new question holds at or past its threshold, the first comparison its list offers
    assert questions["questions"][0]["op"] == ">="
    assert page.locator('[data-key="questions[0].op"] option').first.inner_text() == ">="

    # run: the results table has one row per issue
    page.click("#run-button")
    page.wait_for_selector("#ws-issue-results tbody tr", timeout=120_000)
    rows = page.locator("#ws-issue-results tbody tr")
    assert [rows.nth(i).get_attribute("data-issue") for i in range(rows.count())] == \
        ["border", "water"]
    assert page.locator("#stale-note").is_hidden()
    # the table shows the stored run's numbers: its scenario is the one built here
    run_id = page.inner_text("#ws-results code")
    stored = page.request.get(f"{server}/api/runs/{run_id}").json()
    assert stored["scenario_name"] == "The valley dispute"
    for i, issue in enumerate(stored["issues"]):
        cells = rows.nth(i).locator("td.num")
        assert cells.nth(1).inner_text() == f"{issue['predictive']['median']:.1f}"
        low, high = issue["predictive"]["intervals"]["90"]
        assert cells.nth(3).inner_text() == f"{low:.1f}\u2013{high:.1f}"
        # the inputs' own spread beside the calibrated numbers, as the forecast page has it
        assert cells.nth(4).inner_text() == f"{issue['p05']:.1f}\u2013{issue['p95']:.1f}"
    # and the bottom line says, per issue, where it ends and why, as the forecast page does
    assert "Calibrated by the model's measured error" in page.inner_text("#ws-calibration-note")
    lead = page.inner_text("#ws-bottom-line h4")
    assert lead.startswith("Bottom line (eum"), lead
    for issue in ("border", "water"):
        said = page.inner_text(f'#ws-bottom-line p[data-issue="{issue}"]')
        assert said.startswith(f"{issue}: The calibrated median is"), said
    if SHOTS:
        page.locator("#ws-results").screenshot(path=f"{SHOTS}/workspace-results.png")

    # save: the YAML passes validate --strict; the questions file is saved too
    with page.expect_download() as info:
        page.click("#save-yaml")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.name == "the-valley-dispute.yaml"
    assert "validate --strict accepts it" in page.inner_text("#notices")
    with page.expect_download() as qinfo:
        page.click("#save-questions")
    qsaved = tmp_path / qinfo.value.suggested_filename
    qinfo.value.save_as(qsaved)
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    done = subprocess.run([sys.executable, "-m", "statecraft", "validate", "--strict",
                           str(saved)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    with page.expect_download() as xinfo:
        page.click("#save-xlsx")
    workbook = tmp_path / xinfo.value.suggested_filename
    xinfo.value.save_as(workbook)
    assert workbook.name == "the-valley-dispute.xlsx"

    # a change marks the results as the last valid version's
    put(page, "stances[0].salience:low", "0.5")
    page.wait_for_selector("#stale-note", state="visible")
    assert "From the last valid version" in page.inner_text("#stale-note")

    # open the saved files again: the same documents
    page.set_input_files("#open-file", str(saved))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened the-valley-dispute.yaml')")
    page.set_input_files("#open-questions", str(qsaved))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened the questions')")
    checked(page)
    again = draft(page)
    assert again["scenario"] == scenario
    assert again["questions"] == questions
    assert page.inner_text("#check-status") == "No problems: the scenario can run."
    # the workbook opens as the same scenario too
    page.set_input_files("#open-file", str(workbook))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened the-valley-dispute.xlsx')")
    checked(page)
    from_workbook = draft(page)["scenario"]
    for part in ("name", "as_of", "actors", "issues", "stances"):
        assert from_workbook[part] == scenario[part]
    assert "sampling" not in from_workbook  # the default is not written out
    assert [{**s, "text": s["text"].rstrip("\n")} for s in from_workbook["sources"]] == \
        [{**s, "text": s["text"].rstrip("\n")} for s in scenario["sources"]]
    assert page.inner_text("#check-status") == "No problems: the scenario can run."
    assert errors == []


def keyboard_to(page: Any, key: str, backwards: bool = False, limit: int = 300) -> None:
    """Press Tab (or Shift+Tab) until the control whose data-key (or id) is ``key`` has focus."""
    for _ in range(limit):
        now = page.evaluate("() => document.activeElement.dataset.key"
                            " || document.activeElement.id")
        if now == key:
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{key} not reached by keyboard")


def outlined(page: Any) -> bool:
    return bool(page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle"
                              " !== 'none'"))


def start_with(page: Any, scenario: dict[str, Any]) -> None:
    """Put a scenario in the draft and reload: the page opens with it."""
    page.evaluate("d => localStorage.setItem('statecraft.workspace.draft',"
                  " JSON.stringify({scenario: d, questions: null}))", scenario)
    page.reload()
    checked(page)


BASE = {"name": "Two sides", "as_of": "2024-01-01",
        "sources": [{"id": "notes", "kind": "document", "title": "Notes", "text": TEXT}],
        "actors": [{"id": "north", "name": "Northern League", "kind": "state",
                    "capability": 3}],
        "issues": [{"id": "border", "question": "Border?",
                    "scale": {"0": "closed", "50": "some days", "100": "open"},
                    "status_quo": 30}],
        "stances": []}


def test_a_stance_is_built_and_cited_by_keyboard_alone(server: str, browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, BASE)
    page.locator("#skip-link, a.skip-link").first.focus()
    keyboard_to(page, "add-stance")
    assert outlined(page)
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.dataset.key === 'stances[0].actor'")
    page.keyboard.press("Tab")  # issue
    page.keyboard.press("Tab")  # position
    page.keyboard.press("Control+A")
    page.keyboard.type("10")
    page.keyboard.press("Tab")  # position, high end
    page.keyboard.type("20")
    page.keyboard.press("Tab")  # salience
    page.keyboard.press("Control+A")
    page.keyboard.type("0.8")
    page.keyboard.press("Tab")
    page.wait_for_timeout(100)
    assert outlined(page)
    # select the sentence in the source's text with the keyboard, then cite it
    keyboard_to(page, "source-text")
    sentence = SENTENCES["north-border"]
    at = TEXT.index(sentence)
    page.keyboard.press("Control+Home")
    for _ in range(at):
        page.keyboard.press("ArrowRight")
    for _ in range(len(sentence)):
        page.keyboard.press("Shift+ArrowRight")
    keyboard_to(page, "stances[0]:cite", backwards=True)
    assert outlined(page)
    page.keyboard.press("Enter")
    checked(page)
    stance = draft(page)["scenario"]["stances"][0]
    assert stance == {"actor": "north", "issue": "border", "position": [10, 20],
                      "salience": 0.8, "source": [{"doc": "notes", "quote": sentence}]}
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    assert not page.locator("#run-button").is_disabled()
    # Undo by key (outside a text field) takes the citation away again
    page.keyboard.press("Control+z")
    checked(page)
    assert "source" not in draft(page)["scenario"]["stances"][0]
    # Ctrl+Enter in the text cites the selection for the row last used (this stance)
    assert page.inner_text("#cite-target") == "stance of north on border"
    keyboard_to(page, "source-text")
    page.keyboard.press("Control+Home")
    for _ in range(len("Field notes")):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Control+Enter")
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [
        {"doc": "notes", "quote": "Field notes"}]
    assert page.evaluate("() => document.activeElement.id") == "source-text"
    assert errors == []


def test_a_bad_value_shows_its_error_beside_the_field_and_blocks_run(server: str,
                                                                     browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "stances": [{"actor": "north", "issue": "border",
                                           "position": 10, "salience": 0.5}]})
    assert not page.locator("#run-button").is_disabled()
    put(page, "stances[0].salience:low", "1.4")
    checked(page)
    field = page.locator('[data-field="stances[0].salience"]')
    assert "invalid" in str(field.get_attribute("class"))
    beside = field.locator("xpath=..").locator(".field-problem")
    message = beside.inner_text()
    assert "1.4" in message and "0 to 1" in message, message
    assert not re.search(r"\b(line|column) \d", page.inner_text("#editor"), re.IGNORECASE)
    assert page.locator("#run-button").is_disabled()
    box, note = field.bounding_box(), beside.bounding_box()
    assert box is not None and note is not None
    assert abs(note["y"] - (box["y"] + box["height"])) < 60  # right under the field
    shot(page, "workspace-bad-value.png")
    # a text where a number belongs is named too
    put(page, "actors[0].capability:low", "lots")
    checked(page)
    cap = page.locator('[data-field="actors[0].capability"]').locator("xpath=..")
    assert "lots" in cap.locator(".field-problem").inner_text()
    assert errors == []


def test_the_draft_survives_a_reload_and_undo_reverts_the_last_change(server: str,
                                                                      browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, BASE)
    put(page, "actors[0].name", "Northern Alliance")
    put(page, "issues[0].status_quo", "45")
    checked(page)
    page.reload()
    checked(page)
    assert page.locator('[data-key="actors[0].name"]').input_value() == "Northern Alliance"
    assert page.locator('[data-key="issues[0].status_quo"]').input_value() == "45"
    assert "Restored the draft" in page.inner_text("#notices")
    # a removal is undone by the button, the change before it stays; then that one goes
    put(page, "issues[0].status_quo", "60")
    page.click('[data-key="actors[0]:remove"]')
    checked(page)
    assert draft(page)["scenario"]["actors"] == []
    page.click("#undo")
    checked(page)
    assert draft(page)["scenario"]["actors"][0]["name"] == "Northern Alliance"
    assert draft(page)["scenario"]["issues"][0]["status_quo"] == 60
    page.click("#undo")
    checked(page)
    assert draft(page)["scenario"]["issues"][0]["status_quo"] == 45
    assert page.locator('[data-key="issues[0].status_quo"]').input_value() == "45"
    assert page.locator("#undo").is_disabled()  # the history starts at the reload
    assert errors == []


HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TEXT = ('Notes </script><script>window.__pwned=2</script> and '
                '<img src=x onerror="window.__pwned=3"> end.')
BIDI = "Northern \u202eeugaeL"


def test_hostile_text_is_shown_as_text_never_run(server: str, browser: Any) -> None:
    page, errors = open_page(browser, server)
    hostile = {**BASE, "name": HOSTILE_NAME,
               "sources": [{"id": "notes", "kind": "document", "title": HOSTILE_NAME,
                            "text": HOSTILE_TEXT}],
               "actors": [{"id": "north", "name": HOSTILE_NAME, "kind": "state",
                           "capability": 3},
                          {"id": "south", "name": BIDI, "kind": "state", "capability": 1}],
               "stances": [{"actor": "north", "issue": "border", "position": 10,
                            "salience": 0.5,
                            "source": {"doc": "notes", "quote": "</script><script>"}}]}
    start_with(page, hostile)
    assert page.locator('[data-key="name"]').input_value() == HOSTILE_NAME
    assert page.locator('[data-key="actors[0].name"]').input_value() == HOSTILE_NAME
    assert page.locator("#source-text").input_value() == HOSTILE_TEXT
    assert "</script><script>" in page.inner_text("#stance-rows")  # the quote, as text
    assert page.locator("#workspace-main img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    # the bidirectional override is refused by the validator, beside the name
    name = page.locator('[data-field="actors[1].name"]').locator("xpath=..")
    assert "U+202E" in name.locator(".field-problem").inner_text()
    # suggestions from the hostile text come back as text too
    page.click('[data-key="stances[0].position:low"]')
    page.click("#suggest-button")
    page.wait_for_selector("#suggestions li")
    assert page.locator("#suggestions img, #suggestions script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert errors == []


def test_a_bundled_scenario_opens_with_its_texts_and_quote_suggestions(server: str,
                                                                       browser: Any) -> None:
    page, errors = open_page(browser, server)
    page.wait_for_selector("#bundled-list option", state="attached")
    page.select_option("#bundled-list", "south-caucasus-2021.yaml")
    page.click("#start-bundled")
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened south-caucasus-2021.yaml')")
    checked(page)
    assert page.inner_text("#check-status").startswith("No errors") or \
        page.inner_text("#check-status") == "No problems: the scenario can run."
    assert "Baku" in page.locator("#source-text").input_value()  # the article's text
    assert page.locator("#question-rows .entity").count() > 3  # its bundled questions
    page.click('[data-key="stances[0].position:low"]')  # rus on karabakh_status
    page.click("#suggest-button")
    page.wait_for_selector("#suggestions li button")
    page.locator("#suggestions li button").first.click()
    selected = page.evaluate("() => { const a = document.getElementById('source-text');"
                             " return a.value.slice(a.selectionStart, a.selectionEnd); }")
    first = page.locator("#suggestions li q").first.inner_text()
    assert selected and " ".join(selected.split()) == " ".join(first.split())
    shot(page, "workspace-bundled.png")
    # on a 420 px screen the page is one column and nothing scrolls sideways
    page.set_viewport_size({"width": 420, "height": 900})
    assert page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") == 0
    shot(page, "workspace-420.png")
    assert errors == []


def test_the_forecast_page_links_to_the_workspace(server: str, browser: Any) -> None:
    page = browser.new_page()
    errors = watch(page)
    page.goto(server)
    page.click("#workspace-link")
    page.wait_for_url(f"{server}/workspace")
    checked(page)
    assert page.inner_text("h1") == "statecraft workspace"
    page.click("text=Back to the forecast page")
    page.wait_for_url(f"{server}/")
    assert errors == []


def test_questions_take_bands_and_resolutions_and_a_text_file_becomes_a_source(
        server: str, browser: Any, tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "sources": [], "stances": [
        {"actor": "north", "issue": "border", "position": 10, "salience": 0.5}]})
    # an uploaded .txt file's text fills the form; adding it shows it beside the editors
    notes = tmp_path / "interview.txt"
    notes.write_text("First line of the interview.\nThe League will not move.\n",
                     encoding="utf-8")
    page.set_input_files("#new-doc-file", str(notes))
    page.wait_for_function("() => document.getElementById('new-doc-text').value"
                           ".includes('will not move')")
    assert page.locator("#new-doc-title").input_value() == "interview.txt"
    page.fill("#new-doc-id", "interview")
    page.click("#add-document-button")
    page.wait_for_function("() => document.getElementById('source-text').value"
                           ".includes('The League will not move.')")
    cite(page, "stances[0]", "The League will not move.")
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [
        {"doc": "interview", "quote": "The League will not move."}]
    # a question: a threshold out of range is named beside it, then it becomes a band
    page.click("#add-question")
    put(page, "questions[0].id", "some-days")
    put(page, "questions[0].text", "Will the crossing open on some days only?")
    put(page, "questions[0].threshold", "150")
    checked(page)
    threshold = page.locator('[data-field="questions[0].threshold"]').locator("xpath=..")
    assert "150" in threshold.locator(".field-problem").inner_text()
    assert page.locator("#run-button").is_disabled()
    page.select_option('[data-key="questions[0].op"]', "between")
    checked(page)
    put(page, "questions[0].low", "25")
    put(page, "questions[0].high", "75")
    page.select_option('[data-key="questions[0].include"]', "high")
    page.select_option('[data-key="questions[0].resolution"]', "yes")
    checked(page)
    put(page, "questions[0].resolved_on", "2024-06-01")
    put(page, "questions[0].source", "Reported by the border authority, 1 June 2024.")
    checked(page)
    assert draft(page)["questions"]["questions"] == [{
        "id": "some-days", "text": "Will the crossing open on some days only?",
        "issue": "border", "op": "between", "low": 25, "high": 75, "include": "high",
        "resolution": True, "resolved_on": "2024-06-01",
        "source": "Reported by the border authority, 1 June 2024."}]
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    # a removed question leaves no questions file
    page.click('[data-key="questions[0]:remove"]')
    checked(page)
    assert draft(page)["questions"] is None
    assert errors == []


def test_an_opened_file_whose_text_is_not_here_gets_it_pasted(server: str, browser: Any,
                                                              tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    quote = SENTENCES["north-border"]
    scenario = tmp_path / "upload.yaml"
    scenario.write_text(json.dumps({
        "name": "Uploaded", "as_of": "2024-01-01",
        "sources": [{"id": "notes", "kind": "document", "title": "Notes", "path": "notes.md"}],
        "actors": BASE["actors"], "issues": BASE["issues"],
        "stances": [{"actor": "north", "issue": "border", "position": 10, "salience": 0.5,
                     "source": {"doc": "notes", "quote": quote}}]}), encoding="utf-8")
    page.set_input_files("#open-file", str(scenario))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened upload.yaml')")
    assert "its text was not read" in page.inner_text("#notices")
    checked(page)
    # the same id in the form gives the listed document its text; the quote is found in it
    page.fill("#new-doc-id", "notes")
    page.fill("#new-doc-text", TEXT)
    page.click("#add-document-button")
    checked(page)
    sources = draft(page)["scenario"]["sources"]
    assert sources == [{"id": "notes", "kind": "document", "title": "Notes", "text": TEXT}]
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    # a text that no longer holds a cited quote: the problem is beside that citation
    page.fill("#new-doc-id", "notes")
    page.fill("#new-doc-text", TEXT.replace("closed for good", "shut"))
    page.click("#add-document-button")
    checked(page)
    cited = page.locator('[data-field="stances[0].source"]')  # its one citation, as a mapping
    note = cited.locator("xpath=..").locator(".field-problem")
    assert "expected a passage found word for word in source 'notes'" in note.inner_text()
    assert page.locator("#run-button").is_disabled()
    # an uploaded file's text keeps the listed document's title: the file's name, which
    # the form fills in, is not typed and does not replace it
    upload = tmp_path / "notes-2024.txt"
    upload.write_text(TEXT, encoding="utf-8")
    page.fill("#new-doc-id", "notes")
    page.set_input_files("#new-doc-file", str(upload))
    page.wait_for_function("() => document.getElementById('add-document-status')"
                           ".textContent.includes('Read notes-2024.txt')")
    assert page.input_value("#new-doc-title") == "notes-2024.txt"
    page.click("#add-document-button")
    checked(page)
    assert draft(page)["scenario"]["sources"][0]["title"] == "Notes"
    # a title typed does replace it
    page.fill("#new-doc-id", "notes")
    page.fill("#new-doc-title", "Field notes, 2024")
    page.fill("#new-doc-text", TEXT)
    page.click("#add-document-button")
    checked(page)
    assert draft(page)["scenario"]["sources"][0]["title"] == "Field notes, 2024"
    assert errors == []


def test_a_file_with_no_text_to_give_is_refused_by_name(server: str, browser: Any,
                                                        tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 this is not a PDF at all")
    page.set_input_files("#new-doc-file", str(broken))
    page.wait_for_function("() => document.getElementById('add-document-status')"
                           ".textContent.includes('broken.pdf:')")
    assert page.locator("#new-doc-text").input_value() == ""
    assert draft(page)["scenario"]["sources"] == []
    # a scenario file that cannot be parsed is named, and the document stays as it was
    before = draft(page)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    page.set_input_files("#open-file", str(bad))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Could not open bad.yaml')")
    assert "bad.yaml:" in page.inner_text("#notices")
    assert draft(page) == before
    assert [e for e in errors if "422" not in e] == []  # the refusals' own console lines


def test_a_scenario_with_errors_saves_as_a_draft_that_opens_the_same(
        server: str, browser: Any, tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    broken = {**BASE, "stances": [{"actor": "north", "issue": "border", "position": 10,
                                   "salience": 1.4}],
              "actors": [{**BASE["actors"][0], "name": ""}]}
    start_with(page, broken)
    assert page.inner_text("#check-status").startswith("2 errors")
    with page.expect_download() as info:
        page.click("#save-yaml")
    got = info.value
    assert got.suggested_filename == "two-sides-draft.yaml"
    text = Path(got.path()).read_text(encoding="utf-8")
    assert text.startswith("# DRAFT: 2 errors")
    words = page.inner_text("#notices")
    assert "draft" in words and "2 errors" in words and "validate will refuse it" in words
    # opened again (here, over the draft), it is the same document, errors and all
    saved = tmp_path / got.suggested_filename
    saved.write_text(text, encoding="utf-8")
    page.click("#start-empty")
    checked(page)
    page.set_input_files("#open-file", str(saved))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened two-sides-draft.yaml')")
    checked(page)
    assert draft(page)["scenario"] == broken
    assert page.inner_text("#check-status").startswith("2 errors")
    assert errors == []


def test_opening_a_scenario_over_questions_says_they_went_and_undo_brings_them_back(
        server: str, browser: Any, tmp_path: Path) -> None:
    page, errors = open_page(browser, server)
    start_with(page, BASE)
    page.click("#add-question")
    page.click("#add-question")
    checked(page)
    questions = draft(page)["questions"]
    assert len(questions["questions"]) == 2
    upload = tmp_path / "upload.yaml"  # two documents whose texts are not here: 2 warnings
    upload.write_text(json.dumps({
        **BASE, "name": "Uploaded",
        "sources": [{"id": "notes", "kind": "document", "title": "Notes", "path": "notes.md"},
                    {"id": "memo", "kind": "document", "title": "Memo", "path": "memo.md"}]}),
        encoding="utf-8")
    page.set_input_files("#open-file", str(upload))
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened upload.yaml')")
    checked(page)
    assert page.inner_text("#question-rows") == "No questions yet."
    points = page.locator("#notices li").all_inner_texts()
    assert points[0].startswith("The draft's 2 questions were not kept")
    assert "Undo" in points[0]
    # each warning on its own line: one per document whose text was not read
    read = [p for p in points if "its text was not read" in p]
    assert len(read) == 2 and "notes" in read[0] and "memo" in read[1], points
    tops = [page.locator("#notices li").nth(k).bounding_box() for k in range(len(points))]
    assert all(b is not None for b in tops)
    assert len({round(b["y"]) for b in tops if b is not None}) == len(points)
    page.click("#undo")
    checked(page)
    assert draft(page)["questions"] == questions
    assert page.locator('[data-field="questions[1]"]').count() == 1
    assert errors == []


def test_a_scale_points_problem_is_beside_its_row_and_names_it(server: str,
                                                               browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "stances": [{"actor": "north", "issue": "border",
                                           "position": 10, "salience": 0.5}]})
    page.click('[data-key="issues[0]:add-point"]')
    checked(page)
    assert draft(page)["scenario"]["issues"][0]["scale"]["25"] == ""
    row = page.locator('[data-field="issues[0].scale[25]"]')
    assert "invalid" in str(row.get_attribute("class"))
    beside = row.locator("xpath=following-sibling::tr[1]").locator(".field-problem")
    message = beside.inner_text()
    assert message.startswith("Point 25: ") and "expected some text" in message, message
    box, note = row.bounding_box(), beside.bounding_box()
    assert box is not None and note is not None
    assert 0 <= note["y"] - (box["y"] + box["height"]) < 20  # the line right under the row
    # the point's label given, the problem goes
    put(page, "issues[0].scale[25]:label", "a few days")
    checked(page)
    assert page.locator(".problem-row").count() == 0
    assert "invalid" not in str(row.get_attribute("class"))
    assert page.inner_text("#check-status").startswith("No errors")
    assert errors == []


def test_a_selection_is_cited_without_the_spaces_around_it(server: str,
                                                           browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "stances": [{"actor": "north", "issue": "border",
                                           "position": 10, "salience": 0.5}]})
    sentence = SENTENCES["north-border"]
    at = TEXT.index(sentence)
    assert TEXT[at - 1] == "\n" and TEXT[at + len(sentence)] == " "
    page.evaluate("""([i, j]) => { const a = document.getElementById('source-text');
        a.focus(); a.setSelectionRange(i, j); a.dispatchEvent(new Event('select')); }""",
                  [at - 1, at + len(sentence) + 1])  # the line end before, the space after
    page.click('[data-key="stances[0]:cite"]')
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [
        {"doc": "notes", "quote": sentence}]
    assert page.locator('[data-field="stances[0].source[0]"] .field-problem').count() == 0
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    assert errors == []


def test_short_labels_stay_on_one_line_on_a_narrow_screen(server: str, browser: Any) -> None:
    page, errors = open_page(browser, server)
    start_with(page, BASE)
    page.set_viewport_size({"width": 420, "height": 900})
    page.wait_for_timeout(100)
    # each label's words: one line box (a wrapped "As of" is two)
    lines = page.evaluate("""() => [...document.querySelectorAll('#editor label')].map(l => {
        const t = [...l.childNodes].find(n => n.nodeType === 3 && n.textContent.trim())
          || (l.querySelector('.label-text') || {}).firstChild;
        if (!t) return null;
        const r = document.createRange(); r.selectNodeContents(t);
        const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
        return [t.textContent.trim(), tops.size]; }).filter(Boolean)""")
    assert ["As of", 1] in lines, lines
    assert [label for label, n in lines if n > 1] == []
    assert errors == []


def test_on_a_narrow_screen_the_source_text_docks_beside_the_rows(server: str,
                                                                  browser: Any) -> None:
    page, errors = open_page(browser, server)
    assert not page.locator("#dock-source").is_visible()  # beside the editors already
    page.select_option("#bundled-list", "south-caucasus-2021.yaml")
    page.click("#start-bundled")
    page.wait_for_function("() => document.getElementById('notices').textContent"
                           ".includes('Opened south-caucasus')")
    checked(page)
    page.set_viewport_size({"width": 420, "height": 900})
    page.evaluate("() => document.querySelector('[data-key=\"stances[0]:cite\"]')"
                  ".scrollIntoView({block: 'start'})")
    text = page.locator("#source-text")
    box = text.bounding_box()
    assert box is not None and box["y"] > 900  # below every editor, out of sight
    assert page.locator("#dock-source").is_visible()
    page.click("#dock-source")
    assert page.locator("#dock-source").get_attribute("aria-expanded") == "true"
    assert page.evaluate("() => document.activeElement.id") == "source-text"
    box = text.bounding_box()
    assert box is not None and box["y"] >= 450 and box["y"] + box["height"] <= 900
    # the row's button stays in sight above the docked text, and cites what is selected
    cite_button = page.locator('[data-key="stances[0]:cite"]')
    button = cite_button.bounding_box()
    pane = page.locator("#viewer").bounding_box()
    assert button is not None and pane is not None
    assert button["y"] >= -1 and button["y"] + button["height"] <= pane["y"]
    before = draft(page)["scenario"]["stances"][0]["source"]
    words = page.evaluate("""() => { const a = document.getElementById('source-text');
        const i = a.value.indexOf('Moscow'); a.setSelectionRange(i, i + 40);
        a.dispatchEvent(new Event('select')); return a.value.slice(i, i + 40).trim(); }""")
    cite_button.click()
    checked(page)
    doc = draft(page)["scenario"]
    assert doc["stances"][0]["source"] == [*before, {"doc": doc["sources"][0]["id"],
                                                      "quote": words}]
    shot(page, "workspace-narrow-docked.png")
    # Escape in the text hides it again, back to the button
    text.focus()
    page.keyboard.press("Escape")
    assert page.evaluate("() => document.activeElement.id") == "dock-source"
    assert page.locator("#dock-source").get_attribute("aria-expanded") == "false"
    box = text.bounding_box()
    assert box is not None and box["y"] > 900
    assert errors == []


def test_past_the_servers_cap_the_status_counts_the_problems_not_listed(
        server: str, browser: Any) -> None:
    """The check lists at most MAX_PROBLEMS_SHOWN errors; the page counts every one."""
    from statecraft.api.workspace import MAX_PROBLEMS_SHOWN

    n = MAX_PROBLEMS_SHOWN + 50
    page, errors = open_page(browser, server)
    actors = [{"id": f"a{k}", "name": f"A {k}", "kind": "state", "capability": -1}
              for k in range(n)]
    start_with(page, {**BASE, "actors": actors})
    status = page.inner_text("#check-status")
    counted = re.match(r"(\d+) errors", status)
    assert counted and int(counted.group(1)) >= n, status  # each capability, and the rest
    listed = page.locator("#problem-list li").count()
    assert f"The first {listed} are listed; {int(counted.group(1)) - listed}" in status, status
    assert page.locator("#problem-list li.error").count() == MAX_PROBLEMS_SHOWN
    assert errors == []


def test_run_answers_the_workspaces_questions_as_the_stored_run_does(
        server: str, browser: Any, server_store: Path) -> None:
    from statecraft import api
    from statecraft.store import RunStore

    questions = {"name": "Two sides: questions", "questions": [
        {"id": "opens-some-days", "text": "Will the crossing open at least on some days?",
         "issue": "border", "op": ">=", "threshold": 25},
        {"id": "stays-closed", "text": "Will the crossing stay closed?", "issue": "border",
         "op": "<", "threshold": 25, "resolution": False, "resolved_on": "2024-06-01"}]}
    scenario = {**BASE, "actors": [*BASE["actors"], {
        "id": "south", "name": "Southern Union", "kind": "state", "capability": 1.5}],
        "stances": [
            {"actor": "north", "issue": "border", "position": 10, "salience": 0.6,
             "source": [{"doc": "notes", "quote": SENTENCES["north-border"]}]},
            {"actor": "south", "issue": "border", "position": [80, 100], "salience": 0.8,
             "source": [{"doc": "notes", "quote": SENTENCES["south-border"]}]}]}
    page, errors = open_page(browser, server)
    page.evaluate("d => localStorage.setItem('statecraft.workspace.draft', JSON.stringify(d))",
                  {"scenario": scenario, "questions": questions})
    page.reload()
    checked(page)
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    page.fill("#samples", "300")
    page.click("#run-button")
    page.wait_for_selector("#ws-question-results tbody tr", timeout=120_000)
    rows = page.locator("#ws-question-results tbody tr")
    assert [rows.nth(i).get_attribute("data-question") for i in range(rows.count())] == \
        ["opens-some-days", "stays-closed"]
    cells = [rows.nth(i).locator("td") for i in range(2)]
    assert cells[0].nth(1).inner_text() == "Will the crossing open at least on some days?"
    assert cells[0].nth(3).inner_text() == "open"
    assert cells[1].nth(3).inner_text() == "no (2024-06-01)"
    # the probabilities are those of the stored run's samples, asked the same questions
    run_id = page.inner_text("#ws-results code")
    stored_json = page.request.get(f"{server}/api/runs/{run_id}").json()
    assert stored_json["status"] == "complete" and stored_json["scenario_name"] == "Two sides"
    stored = api.load_run(RunStore(server_store, read_only=True), run_id)
    assert stored.outcomes.shape[0] == 300
    asked = api.question_rows(api.QuestionSet.model_validate(questions), stored.issue_ids,
                              stored.outcomes, api.stored_errors(stored))
    assert [f"{q.probability:.3f}" for q in asked] == \
        [cells[i].nth(2).inner_text() for i in range(2)]
    assert asked[0].probability + asked[1].probability == pytest.approx(1.0)
    assert errors == []


def test_a_selection_in_a_field_survives_a_redraw_so_typing_replaces_it(
        server: str, browser: Any) -> None:
    """A change elsewhere redraws the editors while a value is selected in a field: the
    field's selection is kept, so what is typed next replaces the value, not adds to it
    (a status quo of 50 selected, then 45 typed, is 45, not 5045 or 4550)."""
    page, errors = open_page(browser, server)
    start_with(page, BASE)
    box = page.locator('[data-key="issues[0].status_quo"]')
    box.fill("50")
    box.press("Tab")
    checked(page)
    box.focus()
    page.keyboard.press("Control+A")
    # another field's change commits while this one has focus: the editors are redrawn
    page.evaluate("""() => {
        const other = document.querySelector('[data-key="name"]');
        other.value = 'Renamed';
        other.dispatchEvent(new Event('change', {bubbles: true}));
    }""")
    page.wait_for_function("() => document.querySelector('[data-key=\"name\"]') &&"
                           " document.querySelector('[data-key=\"name\"]').value === 'Renamed'"
                           " && document.activeElement.dataset.key === 'issues[0].status_quo'")
    page.keyboard.type("45")
    assert box.input_value() == "45"
    page.keyboard.press("Tab")
    checked(page)
    assert draft(page)["scenario"]["issues"][0]["status_quo"] == 45
    assert draft(page)["scenario"]["name"] == "Renamed"
    assert errors == []


def test_a_check_the_busy_server_refuses_is_asked_again(server: str, browser: Any) -> None:
    """The server answers 503 past CHECKS_AT_ONCE documents at once; the page says it is
    busy and checks again, where it said 'Could not check' and kept Run disabled until the
    next change."""
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "stances": [{"actor": "north", "issue": "border",
                                           "position": 10, "salience": 0.5}]})
    refused: list[str] = []

    def busy_twice(route: Any) -> None:
        if len(refused) < 2:
            refused.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "1"}, content_type=(
                "application/json"), body='{"detail": "4 documents are being checked already"}')
        else:
            route.continue_()

    page.route("**/api/workspace/check", busy_twice)
    put(page, "stances[0].salience:low", "1.4")
    page.wait_for_function("() => document.getElementById('check-status').textContent"
                           ".includes('busy')")
    checked(page)
    assert len(refused) == 2
    field = page.locator('[data-field="stances[0].salience"]')
    assert "invalid" in str(field.get_attribute("class"))
    assert "Could not check" not in page.inner_text("#check-status")
    assert page.locator("#run-button").is_disabled()
    put(page, "stances[0].salience:low", "0.6")
    checked(page)
    assert not page.locator("#run-button").is_disabled()
    assert [e for e in errors if "503" not in e] == []


def test_samples_past_the_webs_limit_are_named_before_anything_is_sent(
        server: str, browser: Any) -> None:
    """Samples of 6,000 were sent and answered 'Input should be less than or equal to
    5000 (HTTP 422)', naming no field."""
    from statecraft.web.service import ForecastRequest

    most = next(m.le for m in ForecastRequest.model_fields["samples"].metadata
                if hasattr(m, "le"))
    page, errors = open_page(browser, server)
    start_with(page, {**BASE, "stances": [{"actor": "north", "issue": "border",
                                           "position": 10, "salience": 0.5}]})
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if "/api/forecast" in r.url else None)
    page.fill("#samples", str(most + 1000))
    page.click("#run-button")
    page.wait_for_selector("#run-problems .problems")
    said = page.inner_text("#run-problems")
    assert said == (f"Samples: found {most + 1000}; expected a whole number from 1 to "
                    f"{most:,} (a larger forecast runs from the command line)"), said
    assert sent == []
    assert errors == []


def test_a_judgment_is_cited_with_an_optional_labelled_note(server: str, browser: Any) -> None:
    """Citing a judgment added an empty, unlabelled box saved as note: ''."""
    page, errors = open_page(browser, server)
    judged = {**BASE, "sources": [*BASE["sources"], {
        "id": "mine", "kind": "judgment", "author": "Analyst", "date": "2024-01-01",
        "rationale": "Read from the field notes as a whole."}],
        "stances": [{"actor": "north", "issue": "border", "position": 10, "salience": 0.5}]}
    start_with(page, judged)
    page.select_option('[data-key="stances[0]:cite-other"]', "mine")
    page.click('[data-key="stances[0]:cite-other-button"]')
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [{"judgment": "mine"}]
    note = page.locator('[data-key="stances[0].source[0].note"]')
    assert note.get_attribute("placeholder") == "why this value (optional)"
    put(page, "stances[0].source[0].note", "the notes agree")
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [
        {"judgment": "mine", "note": "the notes agree"}]
    put(page, "stances[0].source[0].note", "")
    checked(page)
    assert draft(page)["scenario"]["stances"][0]["source"] == [{"judgment": "mine"}]
    assert page.inner_text("#check-status").startswith("No "), page.inner_text("#problem-list")
    assert errors == []
