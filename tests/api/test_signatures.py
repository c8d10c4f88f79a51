"""The public API says what it takes and gives: no public function or method of
``statecraft.api`` (its modules' own, and the typed results') nor of the notebook front
door (``statecraft.load``, ``Study``) has ``Any`` or a bare ``dict`` in its signature."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterator

import pytest

import statecraft
from statecraft import api

FORBIDDEN = (re.compile(r"\bAny\b"), re.compile(r"\b(dict|Dict)\b(?!\[)"))


def _annotations(fn: Callable[..., object]) -> Iterator[tuple[str, str]]:
    """Each parameter's annotation and the return annotation, as written (strings: the
    modules use postponed annotations)."""
    for name, ann in getattr(fn, "__annotations__", {}).items():
        yield name, ann if isinstance(ann, str) else inspect.formatannotation(ann)


def _public() -> Iterator[tuple[str, Callable[..., object]]]:
    """The API's own functions and its own classes' public methods (not names it
    re-exports from the layers below), and the front door's."""
    seen: set[int] = set()
    things = [(f"api.{n}", getattr(api, n)) for n in api.__all__]
    things += [("statecraft.load", statecraft.load), ("statecraft.Study", statecraft.Study)]
    for label, obj in things:
        module = getattr(obj, "__module__", "") or ""
        if not module.startswith("statecraft.api"):
            continue
        if inspect.isfunction(obj) and id(obj) not in seen:
            seen.add(id(obj))
            yield label, obj
        elif inspect.isclass(obj):
            for name, member in vars(obj).items():
                if name.startswith("_") and name != "__init__":
                    continue
                fn = member.fget if isinstance(member, property) else member
                fn = getattr(fn, "__func__", fn)  # classmethod, staticmethod
                if inspect.isfunction(fn) and id(fn) not in seen:
                    seen.add(id(fn))
                    yield f"{label}.{name}", fn


def test_the_check_sees_what_it_looks_for() -> None:
    def loose(a: dict, b: dict[str, Any]) -> Any:  # type: ignore[type-arg]  # noqa: F821
        return None

    found = [(n, a) for n, a in _annotations(loose) if any(p.search(a) for p in FORBIDDEN)]
    assert [n for n, _ in found] == ["a", "b", "return"]
    assert not any(p.search("dict[str, Json]") for p in FORBIDDEN)
    assert not any(p.search("Mapping[str, Anything]") for p in FORBIDDEN)


def test_it_checks_the_results_and_the_front_door() -> None:
    names = {label for label, _ in _public()}
    for expected in ("api.forecast", "api.Forecast.to_dict", "api.Forecast.questions",
                     "api.Comparison.to_frame", "api.OptionsGame.to_dict",
                     "statecraft.load", "statecraft.Study.forecast",
                     "statecraft.Study.with_changes"):
        assert expected in names


@pytest.mark.parametrize("label,fn", list(_public()), ids=lambda x: x if isinstance(x, str)
                         else "")
def test_no_any_or_bare_dict_in_a_public_signature(label: str,
                                                    fn: Callable[..., object]) -> None:
    bad = [f"{name}: {ann}" for name, ann in _annotations(fn)
           if any(p.search(ann) for p in FORBIDDEN)]
    assert not bad, f"{label}: " + "; ".join(bad)
