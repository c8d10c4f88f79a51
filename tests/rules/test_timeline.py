"""Treaty dates: calendar arithmetic, the peacekeepers' notice deadline, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest

from statecraft import api
from statecraft.rules import add_months, allows, timeline
from statecraft.scenario.options_schema import Rule

D = dt.date
PEACEKEEPERS = Rule(id="pk", text="five years, renewing unless notice six months before",
                    in_force_from=D(2020, 11, 10),
                    term={"years": 5, "renews_for_years": 5, "notice_months": 6})  # type: ignore[arg-type]


@pytest.mark.parametrize(("day", "months", "expected"), [
    (D(2020, 11, 10), 60, D(2025, 11, 10)),
    (D(2025, 11, 10), -6, D(2025, 5, 10)),
    (D(2021, 1, 31), 1, D(2021, 2, 28)),
    (D(2020, 1, 31), 1, D(2020, 2, 29)),
    (D(2020, 12, 15), 1, D(2021, 1, 15)),
])
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


def test_notice_deadline_on_either_side() -> None:
    # Five years from 10 November 2020 end on 10 November 2025; notice six months before:
    # the last day is 10 May 2025.
    assert allows(PEACEKEEPERS, D(2025, 5, 10), "notice_open")
    assert not allows(PEACEKEEPERS, D(2025, 5, 11), "notice_open")
    assert allows(PEACEKEEPERS, D(2025, 5, 11), "in_force")
    before = timeline([PEACEKEEPERS], D(2025, 5, 10))
    assert (before.coming[0].date, before.coming[0].label) == (
        D(2025, 5, 10), "last day to give notice against renewal of term 1")
    after = timeline([PEACEKEEPERS], D(2025, 5, 11))
    assert after.passed[-1].date == D(2025, 5, 10)
    assert after.coming[0].date == D(2025, 11, 10)


def test_term_without_renewal_ends() -> None:
    rule = Rule(id="r", text="three years", in_force_from=D(2020, 1, 1),
                term={"years": 3})  # type: ignore[arg-type]
    assert allows(rule, D(2022, 12, 31)) and not allows(rule, D(2023, 1, 1))
    assert not allows(rule, D(2019, 12, 31))


def test_default_scenario_timeline() -> None:
    tl = api.timeline(api.load(), D(2021, 10, 1))
    assert "peacekeeping_term" in tl.in_force
    coming = {(d.rule, d.date) for d in tl.coming}
    assert ("peacekeeping_term", D(2025, 5, 10)) in coming
    assert ("lachin_new_route", D(2023, 11, 10)) in coming
    assert ("withdrawal_lachin", D(2020, 12, 1)) in {(d.rule, d.date) for d in tl.passed}


def test_a_capped_renewal_ends_the_clause() -> None:
    # Five years renewing once for five more: the clause ends on 10 November 2030, and the
    # only notice deadline is the one before the single renewal.
    rule = Rule(id="once", text="five years, renewed once", in_force_from=D(2020, 11, 10),
                term={"years": 5, "renews_for_years": 5, "notice_months": 6,
                      "renewals": 1})  # type: ignore[arg-type]
    assert allows(rule, D(2030, 11, 9)) and not allows(rule, D(2030, 11, 10))
    assert allows(rule, D(2025, 5, 10), "notice_open")
    assert not allows(rule, D(2026, 1, 1), "notice_open")  # no renewal left to refuse
    events = [(d.label, d.date) for d in timeline([rule], D(2021, 1, 1), horizon_years=20).coming]
    assert events == [
        ("last day to give notice against renewal of term 1", D(2025, 5, 10)),
        ("term 1 ends, renewing unless notice was given", D(2025, 11, 10)),
        ("term 2 ends", D(2030, 11, 10)),
    ]


def test_peacekeepers_notice_window_reopens_for_the_second_term() -> None:
    assert allows(PEACEKEEPERS, D(2025, 11, 10), "notice_open")  # term 2 has begun
    assert allows(PEACEKEEPERS, D(2030, 5, 10), "notice_open")
    assert not allows(PEACEKEEPERS, D(2030, 5, 11), "notice_open")
