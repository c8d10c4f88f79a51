"""The bundled questions score what they say: each one's coding against its wording.

For every question, ``NAMED`` lists the named points of its issue's scale (from
scenarios/south-caucasus-2021.yaml) that its wording counts as "yes", read from the text
alone. The coding must count exactly those points, and every other position by the named
point nearest it, a position halfway between two counting as the lower (the rule the
question file states), so a band is used wherever the wording names points in the middle
of a scale, and two questions the wording makes exclusive never both hold.
"""

from __future__ import annotations

import numpy as np
import pytest

from statecraft import api
from statecraft.analysis.questions import Question
from tests.conftest import REPO

QUESTIONS = REPO / "questions" / "south-caucasus-2021.yaml"

NAMED: dict[str, set[float]] = {
    # karabakh_status: 0 ordinary region, 25 local self-government, 50 special autonomy,
    # 75 de facto entity under Russian protection, 100 independence or union
    # "remain a de facto separate entity ... (or go further towards independence)"
    "karabakh-stays-separate": {75, 100},
    # "at least a negotiated special autonomy ... (or more: a de facto separate entity, or
    # independence)"
    "karabakh-autonomy-or-more": {50, 75, 100},
    # "an ordinary region of Azerbaijan, with no special status"
    "karabakh-ordinary-region": {0},
    # peacekeepers: 0 gone by 2024, 40 gone when the first term ends, 60 extended,
    # 100 permanent
    # "run on into a further five-year term after November 2025": extended, or for good
    "peacekeepers-extended": {60, 100},
    # "have left Karabakh by the end of their first five-year term"
    "peacekeepers-leave-by-term-end": {0, 40},
    # "leave well before their first term ends, during 2024 or earlier"
    "peacekeepers-leave-early": {0},
    # "become permanent"
    "peacekeepers-permanent": {100},
    # minsk_group: 0 dissolved, 30 on paper, 60 humanitarian forum, 100 mediator of status
    # "formally dissolved"
    "minsk-group-dissolved": {0},
    # "regain a role, at least as a forum for humanitarian and confidence-building work"
    "minsk-group-regains-a-role": {60, 100},
    # transit_route: 0 Azerbaijani corridor, 25 FSB oversight, 50 third party under
    # Armenian law, 75 Armenian control with guarantees, 100 full Armenian control
    # "outside Armenian control (under Russian FSB oversight, or as an Azerbaijani
    # corridor)"
    "route-leaves-armenian-control": {0, 25},
    # "opened and operated by a third party under Armenian law": neither FSB oversight
    # nor an Azerbaijani corridor, nor Armenia's own control
    "route-third-party": {50},
    # azerbaijan_alignment: 0 CSTO and EAEU, 25 close to Moscow, 50 hedging, 75 Turkish
    # alliance with a base, 100 seeks NATO membership
    # "join the CSTO or the Eurasian Economic Union"
    "azerbaijan-joins-russian-blocs": {0},
    # "a formal alliance with Turkey that includes a Turkish military base": not NATO
    "azerbaijan-turkish-base": {75},
    # mediation: 0 the West leads, 50 direct or shared, 100 Russia alone
    # "remain the sole broker"
    "russia-sole-broker": {100},
    # "directly, or through Western or shared brokerage rather than Moscow's"
    "brokerage-shared-or-western": {0, 50},
    # demining: 0 nothing more, 50 most districts, 100 all maps
    # "mine maps for most of the formerly held districts": all maps are most of them too
    "demining-most-maps": {50, 100},
    # "all of its mine maps"
    "demining-all-maps": {100},
}


def _nearest(x: float, points: list[float]) -> float:
    """The named point nearest ``x``, the lower of two equally near (``points`` sorted)."""
    gaps = [abs(x - p) for p in points]
    return next(p for p, g in zip(points, gaps, strict=True) if g == min(gaps))


def _bundled() -> tuple[list[Question], dict[str, list[float]]]:
    loaded = api.load()
    qs = api.load_questions(QUESTIONS, loaded)
    scales = {i.id: sorted(float(p) for p in i.scale) for i in loaded.scenario.issues}
    return list(qs.questions), scales


def test_every_bundled_question_is_read_against_its_wording() -> None:
    questions, _ = _bundled()
    assert {q.id for q in questions} == set(NAMED)


@pytest.mark.parametrize("qid", sorted(NAMED))
def test_a_question_counts_the_named_points_its_wording_names(qid: str) -> None:
    questions, scales = _bundled()
    q = next(q for q in questions if q.id == qid)
    points = scales[q.issue]
    assert NAMED[qid] <= set(points), "the expected points must be named on the scale"
    counted = {p for p in points if bool(q.holds(np.array([p]))[0])}
    assert counted == NAMED[qid], f"{qid} ({q.condition}) counts {sorted(counted)}"
    # every other position counts by the named point nearest it, and a position halfway
    # between two named points by the lower of them
    for x in np.linspace(0.0, 100.0, 801):
        want = _nearest(x, points) in NAMED[qid]
        assert bool(q.holds(np.array([x]))[0]) == want, f"{qid} ({q.condition}) at {x}"
    # a set of named points in the middle of a scale needs a band
    inner = NAMED[qid] not in ({p for p in points if p <= max(NAMED[qid])},
                               {p for p in points if p >= min(NAMED[qid])})
    assert (q.op == "between") == inner, f"{qid}: {q.condition}"


def test_the_readme_example_is_a_valid_question_file_coded_as_the_bundled_one() -> None:
    import re

    from statecraft.analysis.questions import load_questions_text

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"A question file lists.*?```yaml\n(.+?)\n```", readme, re.S)
    assert block is not None
    loaded = api.load()
    example = load_questions_text(block.group(1), "README.md",
                                  {i.id for i in loaded.scenario.issues})
    assert {q.op for q in example.questions} >= {"between"}
    bundled = {q.id: q for q in _bundled()[0]}
    for q in example.questions:
        assert q.condition == bundled[q.id].condition


def _pairs(*, exhaustive: bool) -> list[tuple[str, str]]:
    """Pairs of bundled questions on one issue whose wordings name disjoint sets of named
    points (they exclude each other); with ``exhaustive``, sets that also cover every
    named point of the scale (exactly one of the two holds)."""
    questions, scales = _bundled()
    out = []
    for k, a in enumerate(questions):
        for b in questions[k + 1:]:
            if a.issue != b.issue or NAMED[a.id] & NAMED[b.id]:
                continue
            if not exhaustive or NAMED[a.id] | NAMED[b.id] == set(scales[a.issue]):
                out.append((a.id, b.id))
    return out


def test_the_wording_makes_these_pairs_complementary() -> None:
    # read from NAMED (the wording), so a recoding cannot drop a pair from the checks
    assert set(_pairs(exhaustive=True)) == {
        ("peacekeepers-extended", "peacekeepers-leave-by-term-end"),
        ("russia-sole-broker", "brokerage-shared-or-western")}
    assert len(_pairs(exhaustive=False)) > 2


def test_no_position_satisfies_two_questions_the_wording_makes_exclusive() -> None:
    questions, scales = _bundled()
    by_id = {q.id: q for q in questions}
    for a, b in _pairs(exhaustive=False):
        points = scales[by_id[a].issue]
        # a fine grid, every named point and every point halfway between two
        x = np.unique(np.concatenate([np.linspace(0.0, 100.0, 4001), points,
                                      [(p + r) / 2 for p in points for r in points]]))
        both = by_id[a].holds(x) & by_id[b].holds(x)
        assert not both.any(), f"{a} and {b} both hold at {x[both][:5]}"
        if (a, b) in _pairs(exhaustive=True):
            either = by_id[a].holds(x) | by_id[b].holds(x)
            assert either.all(), f"neither {a} nor {b} holds at {x[~either][:5]}"


@pytest.mark.parametrize("calibrated", [False, True])
def test_complementary_questions_sum_to_one(calibrated: bool) -> None:
    from statecraft.analysis.questions import QuestionSet, probabilities

    loaded = api.load()
    questions, _ = _bundled()
    fc = api.forecast_run(loaded, samples=1000, seed=3, model="eum", store=None,
                      calibrated=calibrated)
    ids = fc.result.issue_ids
    outcomes = fc.result.outcomes.copy()
    # positions exactly on the shared thresholds, where a calibrated distribution has
    # atoms too (the measured outcomes include 50 and 75)
    outcomes[:20, ids.index("peacekeepers")] = 50.0
    outcomes[20:40, ids.index("mediation")] = 75.0
    errors = fc.errors
    if errors is not None:
        assert {50.0, 75.0} <= set(errors.outcome.tolist())
    got = {p.question.id: p for p in probabilities(QuestionSet(questions=questions), ids,
                                                   outcomes, errors)}
    for a, b in _pairs(exhaustive=True):
        total = got[a].probability + got[b].probability
        error = np.hypot(got[a].std_error, got[b].std_error)
        assert abs(total - 1.0) <= max(3 * error, 1e-9), (a, b, total)
        # and exactly, since each sample is yes on exactly one of the two
        assert total == pytest.approx(1.0, abs=1e-12), (a, b, total)
