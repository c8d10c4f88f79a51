"""Fuzzing the loaders: mutated scenario and question files either load or fail with the
project's own located error; never another exception, never over a second or 200 MiB."""

from __future__ import annotations

import copy
import time
import tracemalloc
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statecraft.analysis.questions import load_observed_text, load_questions_text
from statecraft.scenario import ScenarioError, load_scenario_text
from tests.conftest import DATA

SCENARIO = yaml.safe_load((DATA / "small.yaml").read_text())
QUESTIONS = yaml.safe_load((DATA / "small-questions.yaml").read_text())

ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.text(max_size=20), st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.just(float("nan")),
    st.just(float("inf")), st.just(-float("inf")), st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.just("zz-unknown-actor"), st.just((1e308, 1e308)).map(list),
    st.just((5, 1)).map(list))  # fresh lists: a mutation must never change a shared one


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: dict[str, Any]) -> bytes:
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(data, path[:-1]), path[-1]
        action = draw(st.sampled_from(["replace", "delete", "duplicate", "nest"]))
        if action == "replace":
            parent[key] = draw(ODD_VALUES)
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        else:
            value: Any = parent[key]
            for _ in range(draw(st.integers(1, 60))):
                value = [value]
            parent[key] = value
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    raw = text.encode("utf-8")
    tail = draw(st.sampled_from(["none", "bytes", "bomb", "control", "truncate"]))
    if tail == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    elif tail == "bomb":  # anchors whose aliases would expand to a huge document
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
        raw += ("\n" + "\n".join(lines) + "\n").encode()
    elif tail == "control":
        raw += b"\x1f\x00"
    elif tail == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


def _check(load: Any, raw: bytes) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        load(raw)
    except ScenarioError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    finally:
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < 1.0, f"took {elapsed:.2f} s"
    assert peak < 200 * 2**20, f"took {peak / 2**20:.0f} MiB"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated(SCENARIO))
def test_mutated_scenarios_load_or_fail_cleanly(raw: bytes) -> None:
    _check(lambda r: load_scenario_text(r, "fuzz.yaml"), raw)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=mutated(QUESTIONS))
def test_mutated_question_files_load_or_fail_cleanly(raw: bytes) -> None:
    _check(lambda r: load_questions_text(r, "fuzz.yaml", {"x", "y"}), raw)


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=400))
def test_arbitrary_bytes_load_or_fail_cleanly(raw: bytes) -> None:
    _check(lambda r: load_scenario_text(r, "fuzz.yaml"), raw)


# Pieces of YAML that once escaped as other exceptions (impossible dates, wrong tags,
# integers past 4,300 digits or past a float, deep nesting) or that stress the parser
# (anchors, merges, block scalars, documents, directives), beside the scenario's own keys.
YAML_PIECES = [
    "name:", "description:", "as_of:", "actors:", "issues:", "stances:", "options:",
    "rules:", "sources:", "scale:", "capability:", "position:", "salience:", "status_quo:",
    "root:", "nodes:", "next:", "in_force_from:", "rationality:", "probability:", "id:",
    "- ", "  ", "\n", "\n  ", "\n    - ", ": ", ", ", "[", "]", "{", "}", "? ", "<<: ", "&a ",
    "*a", "&b ", "*b", "!!float ", "!!int ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ",
    "!!omap ", "!!str ", "!!map ", "!!seq ", "!!python/object:os.system ", "!x ", "|", ">-",
    "'", '"', "# ", "---\n", "...\n", "%YAML 1.1\n", "~", "null", "yes", "abc", "x", "0",
    "50", "100", "-7", "0.5", "1e400", "1.0e+400", ".inf", "-.inf", ".nan", "0x1F", "0o17",
    "0b101", "1_000", "1:20:30", "2021-02-30", "2021-13-01", "2024-01-01",
    "2021-02-30T25:61:00Z", "1" + "0" * 400, "1" + "0" * 4400, "0x" + "f" * 4000,
    "[" * 1200, "]" * 1200, "\t", "\x00", "\ufeff",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(st.sampled_from(YAML_PIECES), st.text(max_size=6)),
                      max_size=60))
def test_yaml_ish_text_loads_or_fails_with_a_scenario_error(parts: list[str]) -> None:
    text = "".join(parts)
    for load in (lambda r: load_scenario_text(r, "fuzz.yaml"),
                 lambda r: load_questions_text(r, "fuzz.yaml", {"x", "y"}),
                 lambda r: load_observed_text(r, "fuzz.yaml", {"x", "y"})):
        _check(load, text.encode("utf-8", errors="surrogatepass"))
