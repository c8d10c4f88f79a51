"""Each clause has one state on a date, and its dates say what they are."""

from __future__ import annotations

import datetime as dt
import json
import re

from typer.testing import CliRunner

from statecraft.cli import app
from statecraft.rules import clause_state, timeline
from statecraft.scenario.options_schema import Rule

D = dt.date
runner = CliRunner()
SECTIONS = ("In force:", "Passed, no longer in force:", "Not yet in force:")


def _sections(text: str) -> dict[str, list[str]]:
    """The clause ids listed under each state heading of ``timeline``'s text."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        head = next((s for s in SECTIONS if line.startswith(s)), None)
        if head is not None or line.startswith("Dates coming"):
            current = head
            found.setdefault(head or "", [])
            continue
        m = re.match(r"  ([a-z0-9_-]+) \(", line)
        if current is not None and m:
            found[current].append(m.group(1))
    return found


def test_every_clause_is_listed_once_under_its_one_state() -> None:
    got = runner.invoke(app, ["timeline", "--as-of", "2021-10-01"], env={"COLUMNS": "80"})
    assert got.exit_code == 0, got.output
    sections = _sections(got.stdout)
    listed = [rid for head in SECTIONS for rid in sections.get(head, [])]
    assert len(listed) == len(set(listed)) == 8, sections
    assert "withdrawal_kalbajar" in sections["Passed, no longer in force:"]
    assert "peacekeeping_term" in sections["In force:"]
    flat = " ".join(got.stdout.split())
    assert "withdrawal_kalbajar (in force from 2020-11-10, due 2020-11-15, passed)" in flat
    assert "lachin_new_route (in force from 2020-11-10, due 2023-11-10)" in flat
    # the events passed are not listed again under a heading of their own
    assert "Deadlines passed" not in got.stdout
    assert ": in force" not in got.stdout


def test_json_carries_each_clause_state() -> None:
    got = runner.invoke(app, ["timeline", "--as-of", "2021-10-01", "--json"])
    data = json.loads(got.stdout)
    states = {c["rule"]: c["state"] for c in data["clauses"]}
    assert states["withdrawal_kalbajar"] == "no longer in force"
    assert states["peacekeeping_term"] == "in force"
    assert {d["rule"] for d in data["no_longer_in_force"]} == {
        r for r, s in states.items() if s == "no longer in force"}
    assert set(data["in_force"]) == {r for r, s in states.items() if s == "in force"}


def test_clause_dates_in_words_before_during_and_after() -> None:
    due = Rule(id="d", text="by 15 November", in_force_from=D(2020, 11, 10),
               due=D(2020, 11, 15))
    assert clause_state(due, D(2020, 11, 1)).state == "not yet in force"
    on_day = clause_state(due, D(2020, 11, 15))  # holds up to and including its deadline
    assert (on_day.state, on_day.said) == ("in force", "in force from 2020-11-10, due 2020-11-15")
    after = clause_state(due, D(2020, 11, 16))
    assert (after.state, after.said) == ("no longer in force",
                                         "in force from 2020-11-10, due 2020-11-15, passed")
    term = Rule(id="t", text="five years renewing once", in_force_from=D(2020, 11, 10),
                term={"years": 5, "renews_for_years": 5, "renewals": 1})  # type: ignore[arg-type]
    mid = clause_state(term, D(2026, 1, 1))
    assert mid.state == "in force"
    assert mid.dates[1:] == ("term 1 ended 2025-11-10, renewed for term 2",)
    gone = clause_state(term, D(2031, 1, 1))
    assert gone.state == "no longer in force"
    assert gone.dates[1:] == ("term 1 ended 2025-11-10, renewed for term 2",
                              "term 2 ended 2030-11-10")
    tl = timeline([due, term], D(2031, 1, 1))
    assert [c.rule for c in tl.clauses] == ["d", "t"]
    assert {c.rule for c in tl.clauses if c.state == "in force"} == set(tl.in_force) == set()
