"""Date arithmetic for dated clauses: terms, automatic renewals, notice periods, deadlines.

Conventions (documented because treaties rarely spell them out):

- Periods are calendar periods: "five years from 10 November 2020" ends on 10 November
  2025; a month later than the 31st falls on the month's last day.
- A term that "renews unless a party gives notice N months before it ends" can be
  refused up to and including the day N calendar months before the term's end: for a
  term ending on 10 November 2025 with six months' notice, the last day is 10 May 2025.
- A renewing term is assumed to renew each time (no notice given) unless the analyst
  models the notice as an option; the timeline lists every term end and notice deadline.
  A term renews without limit unless ``renewals`` caps it; after the last renewal the
  clause ends with its term, and no notice is needed against a renewal that cannot come.
- A clause is in force from its ``in_force_from`` date; a term without renewal ends on
  its last day. A one-off clause (a deadline, ``due`` or ``due_within_months``, and no
  term: "Armenia returns the Aghdam district by 20 November 2020") holds up to and
  including its deadline (with both, the later) and has passed from the next day: it is
  then no longer in force, whether it was carried out or not, and an option that
  requires it is no longer offered. A clause with neither a term nor a deadline stays in
  force.
- On a date each clause has one state: in force, no longer in force, or not yet in force
  (``ClauseState``), and its dates say what they are: "in force from 2020-11-10", "due
  2020-11-15, passed". The dated events of every clause (coming into force, deadlines,
  term ends) are listed apart as passed or coming; they are events, not states.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from statecraft.scenario.options_schema import Rule, Term


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (negative moves back), clamped to month end."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


IN_FORCE_FROM = "comes into force"


@dataclass(frozen=True)
class Deadline:
    """A dated event of a rule."""

    rule: str
    label: str
    date: dt.date


def _term_ends(rule: Rule, until: dt.date) -> list[dt.date]:
    term = rule.term
    if term is None:
        return []
    ends = [add_months(rule.in_force_from, 12 * term.years)]
    while (term.renews_for_years and ends[-1] <= until
           and (term.renewals is None or len(ends) <= term.renewals)):
        ends.append(add_months(ends[-1], 12 * term.renews_for_years))
    return ends


def _renews_after(term: Term, k: int) -> bool:
    """Whether the ``k``-th term (0-based) is followed by a renewal unless notice is given."""
    return bool(term.renews_for_years) and (term.renewals is None or k < term.renewals)


def due_date(rule: Rule) -> dt.date | None:
    """The deadline of a one-off clause (no term; the later of ``due`` and
    ``due_within_months`` when both are given), or None for any other clause."""
    if rule.term is not None:
        return None
    dues = [d for d in (rule.due, None if rule.due_within_months is None else
                        add_months(rule.in_force_from, rule.due_within_months))
            if d is not None]
    return max(dues) if dues else None


def _final_end(rule: Rule) -> dt.date | None:
    """The day the clause stops holding, or None if it holds without limit."""
    due = due_date(rule)
    if due is not None:
        return due + dt.timedelta(days=1)
    term = rule.term
    if term is None or (term.renews_for_years and term.renewals is None):
        return None
    months = 12 * term.years + 12 * (term.renews_for_years or 0) * (term.renewals or 0)
    return add_months(rule.in_force_from, months)


def deadlines(rule: Rule, until: dt.date) -> list[Deadline]:
    """Every deadline of ``rule`` up to the first one after ``until``, in date order."""
    out = [Deadline(rule.id, IN_FORCE_FROM, rule.in_force_from)]
    if rule.due is not None:
        out.append(Deadline(rule.id, "due", rule.due))
    if rule.due_within_months is not None:
        out.append(Deadline(rule.id, "due", add_months(rule.in_force_from,
                                                       rule.due_within_months)))
    term = rule.term
    for k, end in enumerate(_term_ends(rule, until)):
        renews = term is not None and _renews_after(term, k)
        if term is not None and term.notice_months is not None and renews:
            out.append(Deadline(rule.id, f"last day to give notice against renewal of term "
                                f"{k + 1}", add_months(end, -term.notice_months)))
        label = f"term {k + 1} ends" + (", renewing unless notice was given" if renews else "")
        out.append(Deadline(rule.id, label, end))
    return sorted(out, key=lambda d: d.date)


def in_force(rule: Rule, on: dt.date) -> bool:
    """Whether the clause holds on ``on``."""
    if on < rule.in_force_from:
        return False
    end = _final_end(rule)
    return end is None or on < end


def notice_open(rule: Rule, on: dt.date) -> bool:
    """Whether a party can still give notice against the renewal of the current term."""
    term = rule.term
    if term is None or term.notice_months is None or not in_force(rule, on):
        return False
    for k, end in enumerate(_term_ends(rule, on)):
        if on < end:
            return _renews_after(term, k) and on <= add_months(end, -term.notice_months)
    return False


def allows(rule: Rule, on: dt.date, condition: str = "in_force") -> bool:
    """Whether ``rule`` allows an option on ``on``: in force, or its notice window open."""
    if condition == "notice_open":
        return notice_open(rule, on)
    return in_force(rule, on)


def ended(rule: Rule, on: dt.date) -> Deadline | None:
    """Why and since when ``rule`` no longer holds on ``on`` (a one-off clause past its
    deadline, or a term that ended), or None if it holds or has not begun."""
    end = _final_end(rule)
    if end is None or on < end:
        return None
    due = due_date(rule)
    if due is not None:
        return Deadline(rule.id, "deadline passed", due)
    return Deadline(rule.id, "last term ended", end)


State = str  # "in force", "no longer in force" or "not yet in force"


@dataclass(frozen=True)
class ClauseState:
    """One clause on a date: its single state, and its dates in words (``dates``: when it
    came or comes into force, its deadline, passed or not, and its terms that ended)."""

    rule: str
    state: State
    dates: tuple[str, ...]

    @property
    def said(self) -> str:
        """The dates in one phrase: "in force from 2020-11-10, due 2020-11-15, passed"."""
        return ", ".join(self.dates)


def clause_state(rule: Rule, on: dt.date) -> ClauseState:
    """The state of ``rule`` on ``on``, with its dates said for what they are."""
    if on < rule.in_force_from:
        state = "not yet in force"
    else:
        state = "in force" if in_force(rule, on) else "no longer in force"
    dates = [f"in force from {rule.in_force_from.isoformat()}"]
    due = due_date(rule)
    if due is not None:
        dates.append(f"due {due.isoformat()}" + (", passed" if due < on else ""))
    term = rule.term
    if term is not None:
        ends = [end for end in _term_ends(rule, on) if end <= on]
        for k, end in enumerate(ends):
            renewed = _renews_after(term, k) and in_force(rule, end)
            dates.append(f"term {k + 1} ended {end.isoformat()}"
                         + (f", renewed for term {k + 2}" if renewed else ""))
    return ClauseState(rule.id, state, tuple(dates))


@dataclass(frozen=True)
class Timeline:
    """What holds on a date, what no longer does, the deadlines passed and coming."""

    as_of: dt.date
    in_force: tuple[str, ...]
    passed: tuple[Deadline, ...]
    coming: tuple[Deadline, ...]
    ended: tuple[Deadline, ...] = ()
    """The clauses no longer in force, each with the day it was due or ended."""
    clauses: tuple[ClauseState, ...] = ()
    """Every clause once, with its one state on ``as_of`` and its dates in words."""


def timeline(rules: list[Rule], as_of: dt.date, *, horizon_years: int = 10) -> Timeline:
    """The state of every rule on ``as_of``; deadlines up to ``horizon_years`` ahead."""
    until = add_months(as_of, 12 * horizon_years)
    every = sorted((d for r in rules for d in deadlines(r, until) if d.date <= until),
                   key=lambda d: (d.date, d.rule))
    return Timeline(
        as_of=as_of,
        in_force=tuple(r.id for r in rules if in_force(r, as_of)),
        passed=tuple(d for d in every if d.date < as_of),
        coming=tuple(d for d in every if d.date >= as_of),  # a deadline today is still coming
        ended=tuple(sorted((e for r in rules if (e := ended(r, as_of)) is not None),
                           key=lambda d: (d.date, d.rule))),
        clauses=tuple(clause_state(r, as_of) for r in rules),
    )
