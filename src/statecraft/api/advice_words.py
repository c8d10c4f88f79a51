"""Advice and prices in words: the sentences ``statecraft advise`` prints and the page's
panel shows, written once from the typed results (``Option``, ``Price``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the command line imports this without NumPy
    from statecraft.analysis.advise import Option, Price

__all__ = ["UTILITY_NOTE", "cost_words", "option_brief", "option_words", "possessive",
           "price_words", "unreached_groups"]

UTILITY_NOTE = ("Gains and losses are in the scenario's own utilities: salience x points "
                "of the 0-100 scale, each issue's expected outcome being the capability x "
                "salience weighted mean of the positions (the position exchange model's "
                "terms), at the midpoints of the scenario's ranges.")
"""What the gains, losses and prices are measured in."""


def _kind_words(o: Option, deals: str) -> str:
    return {"own position": "own move", "own salience": "own salience",
            "persuade position": "persuade", "persuade salience": "persuade",
            "deal": f"deal {o.deal_rank} {deals.format(actor=o.moves[0].actor)}"}[o.kind]


DEALS_LISTED = "of deals --actor {actor}"
"""Where a deal's rank comes from, on the command line (the page names its Deals panel)."""


def option_words(o: Option, names: dict[str, str], k: int | None = None, *,
                 deals: str = DEALS_LISTED) -> str:
    """An option in words: what moves and by how much, the probability before and after,
    its cost; ``deals`` says where a deal's rank is listed (``{actor}``: its actor)."""
    parts = []
    for m in o.moves:
        who = names.get(m.actor, m.actor)
        unit = "points" if m.field == "position" else ""
        parts.append(f"{who} {m.field} on {m.issue} {m.change:+.{1 if unit else 3}f}"
                     + (f" {unit}" if unit else ""))
    head = f"{k}. " if k is not None else ""
    return (f"{head}{_kind_words(o, deals)}: {'; '.join(parts)}: P {o.before:.3f} -> "
            f"{o.after:.3f}, cost {o.cost:.1f}")


def option_brief(o: Option, names: dict[str, str], *, deals: str = DEALS_LISTED) -> str:
    """An option in a few words (``persuade: Armenia's position``), for a list of those
    that change nothing."""
    whats = ", ".join(f"{possessive(names.get(m.actor, m.actor))} {m.field}" for m in o.moves)
    return f"{_kind_words(o, deals)}: {whats}"


def unreached_groups(options: Sequence[Option]
                     ) -> tuple[list[Option], list[Option], list[Option]]:
    """The options that do not reach the target, in their order, as three lists: those
    that raise its probability, those that lower it, and those that leave it as it was
    (the same to the three decimals shown)."""
    rest = [o for o in options if not o.reaches]
    same = [o for o in rest if round(o.after, 3) == round(o.before, 3)]
    return ([o for o in rest if o.after > o.before and o not in same],
            [o for o in rest if o.after < o.before and o not in same], same)


def possessive(name: str) -> str:
    """``name``'s, or ``name``' after an s."""
    return name + ("'" if name.endswith("s") else "'s")


def cost_words(cost: float, payer: str) -> str:
    """What a concession costs the payer, or gains it when it costs nothing."""
    if cost < 0:
        return f"gains {payer} {-cost:.2f}"
    return f"costs {payer} {cost:.2f}"


def price_words(p: Price, names: dict[str, str]) -> list[str]:
    """An actor's price in plain sentences."""
    who, payer = names.get(p.actor, p.actor), names.get(p.payer, p.payer)
    lines = [f"{possessive(who)} price: with {p.issue} at {p.threshold:g} instead of its expected "
             f"{p.outcome:.1f}, {who} loses {p.loss:.2f} (and {payer} gains "
             f"{p.payer_gain:.2f})."]
    enough = [c for c in p.concessions if c.enough]
    if enough:
        best = enough[0]
        lines.append(f"{payer} could make it up alone on {best.issue}: its position moved "
                     f"{best.shift:+.1f} points (to {best.to:.1f}), the expected outcome "
                     f"{best.outcome_shift:+.1f}; it {cost_words(best.cost, payer)}.")
    given = sum(c.compensates for c in p.package)
    each = "; ".join(f"{c.issue} {c.shift:+.1f} points (makes up {c.compensates:.2f}, "
                     f"{cost_words(c.cost, payer)})" for c in p.package)
    if p.package_enough:
        left = p.payer_gain - p.package_cost
        verdict = (f"{payer} can pay {possessive(who)} price and still gain {left:.2f}"
                   if left >= 0 else
                   f"{possessive(who)} price is more than {payer} gains by the target")
        lines.append(f"Cheapest for {payer}, together: {each}; total cost {p.package_cost:.2f}"
                     f" against its gain of {p.payer_gain:.2f}: {verdict}.")
    elif p.package:
        lines.append(f"No concession by {payer} on the other issues is enough: even moving "
                     f"its position all the way to {possessive(who)} on every one ({each}) makes "
                     f"up {given:.2f} of the {p.loss:.2f} {who} loses. {possessive(who)} "
                     f"price is more than {payer} can pay on the other issues.")
    else:
        lines.append(f"{payer} has nothing to concede to {who} on the other issues.")
    return lines
