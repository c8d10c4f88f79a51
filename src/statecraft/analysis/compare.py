"""What differs between two scenarios, input by input: the "what if" behind two runs.

Pure: two parsed scenarios in, a list of differences out. An input is an actor's
capability, a stance's position or salience, an issue's status quo or a model setting;
each difference names it, with both values (a number or a ``[low, high]`` range; None
where one scenario lacks it). Sources and wording are not inputs and are not compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from statecraft.scenario.schema import Scenario


@dataclass(frozen=True)
class Difference:
    """One input whose value differs (``a`` or ``b`` None: absent from that scenario)."""

    input: str  # e.g. "salience.rus.peacekeepers", "capability.rus", "status_quo.minsk_group"
    a: Any
    b: Any

    def as_dict(self) -> dict[str, Any]:
        return {"input": self.input, "a": self.a, "b": self.b}


def _value(v: Any) -> Any:
    return list(v) if isinstance(v, tuple) else v


def _inputs(s: Scenario, actors: set[str], issues: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for actor in s.actors:
        if actor.id in actors:
            out[f"capability.{actor.id}"] = _value(actor.capability)
    for issue in s.issues:
        if issue.id in issues:
            out[f"status_quo.{issue.id}"] = issue.status_quo
    for st in s.stances:
        if st.actor in actors and st.issue in issues:
            out[f"position.{st.actor}.{st.issue}"] = _value(st.position)
            out[f"salience.{st.actor}.{st.issue}"] = _value(st.salience)
    return out


def only_in(a: Scenario, b: Scenario) -> tuple[list[str], list[str], list[str], list[str]]:
    """The actors only ``a`` has, those only ``b`` has, then the same for issues (each in
    its scenario's order)."""
    ids_a = ({x.id for x in a.actors}, {i.id for i in a.issues})
    ids_b = ({x.id for x in b.actors}, {i.id for i in b.issues})
    return ([x.id for x in a.actors if x.id not in ids_b[0]],
            [x.id for x in b.actors if x.id not in ids_a[0]],
            [i.id for i in a.issues if i.id not in ids_b[1]],
            [i.id for i in b.issues if i.id not in ids_a[1]])


def input_differences(a: Scenario, b: Scenario) -> list[Difference]:
    """Every input of the actors and issues both scenarios have whose value differs, or
    that only one has (a stance one lacks); an actor or issue only one scenario has is
    not an input difference but a different cast (``only_in``)."""
    actors = {x.id for x in a.actors} & {x.id for x in b.actors}
    issues = {i.id for i in a.issues} & {i.id for i in b.issues}
    return differences(_inputs(a, actors, issues), _inputs(b, actors, issues))


def differences(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Difference]:
    """Every key whose value differs (absent counts as None), in ``a``'s order followed by
    the keys only ``b`` has; for inputs, and for two runs' settings (model, seed, ...)."""
    keys = list(a) + [k for k in b if k not in a]
    return [Difference(k, a.get(k), b.get(k)) for k in keys if a.get(k) != b.get(k)]
