"""Treaty clauses and their deadlines: what holds on a given date."""

from statecraft.rules.timeline import (
    ClauseState,
    Deadline,
    Timeline,
    add_months,
    allows,
    clause_state,
    deadlines,
    due_date,
    ended,
    timeline,
)

__all__ = ["ClauseState", "Deadline", "Timeline", "add_months", "allows", "clause_state",
           "deadlines", "due_date", "ended", "timeline"]
