"""Treaty clauses and their deadlines: what holds on a given date."""

from statecraft.rules.timeline import (
    Deadline,
    Timeline,
    add_months,
    allows,
    deadlines,
    due_date,
    ended,
    timeline,
)

__all__ = ["Deadline", "Timeline", "add_months", "allows", "deadlines", "due_date", "ended",
           "timeline"]
