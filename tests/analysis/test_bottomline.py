"""The bottom line's sentences, from hand-built numbers: each figure appears where it
should, and each judgement (worse than 0.5, the models disagree, the whole scale, a
named point no sample reached) is said when, and only when, the numbers say so."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from statecraft.analysis.backtest import score
from statecraft.analysis.bottomline import (
    DISAGREE_AT,
    IssueNumbers,
    RunNote,
    Scores,
    bottom_line,
    issue_line,
    issue_numbers,
    named_point,
    place,
    run_notes,
    score_sentences,
)
from statecraft.analysis.modes import Mode, Modes
from statecraft.calibration.predictive import ErrorModel
from statecraft.models.trajectory import IssueConvergence

SCALE = {0.0: "none", 25.0: "a quarter", 50.0: "half", 75.0: "most", 100.0: "all"}


def numbers(**kw: object) -> IssueNumbers:
    base: dict[str, object] = {
        "issue": "x", "scale": SCALE, "median": 50.0, "interval50": (25.0, 80.0),
        "interval90": (0.0, 100.0), "spread": (30.0, 70.0), "reached": (10.0, 90.0),
        "calibrated": True, "samples": 1000}
    base.update(kw)
    return IssueNumbers(**base)  # type: ignore[arg-type]


def test_the_named_point_is_the_nearest_the_lower_on_a_tie_and_says_when_unreached() -> None:
    assert named_point(37.4, SCALE).point == 25.0
    assert named_point(37.5, SCALE).point == 25.0  # a tie goes to the lower point
    assert named_point(37.6, SCALE).point == 50.0
    inside = named_point(62.0, SCALE, reached=(40.0, 70.0))
    assert not inside.outside and inside.words() == "50 (half)"
    far = named_point(40.0, SCALE, reached=(55.1, 99.7))
    assert far.outside
    assert far.words() == ("50 (half), which no sample of the model reached (they ran from "
                           "55.1 to 99.7)")
    # within half a point of the range counts as reached: a sample at 99.7 reaches 100
    assert not named_point(99.0, SCALE, reached=(60.0, 99.7)).outside
    assert named_point(99.0, SCALE, reached=(60.0, 99.4)).outside


def test_an_issue_at_a_named_point_with_a_whole_scale_90_interval() -> None:
    line = issue_line(numbers())
    assert line.ends == ("The calibrated median is 50.0, at 50 (half); half the probability "
                         "lies within 25.0-80.0: its low end is at 25 (a quarter), and its "
                         "high end, 80.0, near 75 (most).")
    both = issue_line(numbers(interval50=(25.0, 75.0))).ends
    assert both.endswith("lies within 25.0-75.0, from 25 (a quarter) to 75 (most).")
    assert issue_line(numbers(interval50=(47.0, 53.0))).ends.endswith(
        "lies within 47.0-53.0, around 50.")  # its label said once, at the median
    assert line.narrows == ("That is 55 of the scale's 100 points; the 90% interval is the "
                            "whole scale, 0-100: at 90% the forecast rules out no outcome (on "
                            "the real decisions its error was measured on, where the model "
                            "forecast something similar, outcomes landed across the scale).")
    raw = issue_line(numbers(calibrated=False, interval90=(0.0, 100.0))).narrows
    assert raw is not None and raw.endswith("at 90% the forecast rules out no outcome.")
    assert line.models is None and line.runs is None and line.pulled is None
    assert line.unreached is None


def test_a_narrower_90_interval_is_given_in_numbers() -> None:
    line = issue_line(numbers(interval90=(12.5, 95.0)))
    assert line.narrows == ("That is 55 of the scale's 100 points; the 90% interval, "
                            "12.5-95.0, spans 82.")
    plain = issue_line(numbers(calibrated=False, median=47.0, interval90=(5.0, 90.0)))
    assert plain.ends.startswith("The median of the samples is 47.0, near 50 (half); half "
                                 "the samples lie")
    assert "the middle 90% of the samples, 5.0-90.0, spans 85" in plain.narrows


def test_models_more_than_the_threshold_apart_disagree_and_are_named_at_either_end() -> None:
    runs = {"eum": 11.5, "smp": 62.8, "compromise": 53.6, "median": 65.0}
    line = issue_line(numbers(models=runs))
    assert line.models == ("The models disagree: single runs at the ranges' midpoints put it "
                           "from 11.5 (eum) to 65.0 (median), 53.5 points apart (smp 62.8, "
                           "compromise 53.6).")
    close = {"eum": 40.0, "smp": 40.0 + DISAGREE_AT, "median": 45.0}
    agree = issue_line(numbers(models=close)).models
    assert agree is not None and agree.startswith("The models agree: single runs at the "
                                                  "ranges' midpoints lie within 10.0 points")
    wider = {"eum": 40.0, "smp": 40.0 + DISAGREE_AT + 0.1}
    assert issue_line(numbers(models=wider)).models.startswith(  # type: ignore[union-attr]
        "The models disagree")
    assert issue_line(numbers(models={"eum": 40.0})).models is None  # nothing to compare


def test_a_calibrated_median_outside_the_inputs_spread_is_explained() -> None:
    above = issue_line(numbers(median=40.0, spread=(9.0, 25.0), reached=(2.0, 55.4)))
    assert above.pulled == ("The calibrated median lies above the model's own 5-95% spread "
                            "over the inputs (9.0-25.0): calibration pulls the forecast toward "
                            "where real outcomes landed when the model forecast something "
                            "similar.")
    below = issue_line(numbers(median=20.0, spread=(30.0, 70.0)))
    assert below.pulled is not None and "lies below" in below.pulled
    assert issue_line(numbers(median=50.0, spread=(30.0, 70.0))).pulled is None
    # uncalibrated, the median is the samples' own: nothing pulls it
    assert issue_line(numbers(calibrated=False, median=20.0)).pulled is None


def test_a_named_point_no_sample_reached_is_never_named_without_saying_so() -> None:
    line = issue_line(numbers(median=70.0, interval50=(40.0, 80.0), reached=(55.1, 100.0),
                              spread=(59.6, 92.7)))
    assert line.ends.startswith("The calibrated median is 70.0, near 75 (most); ")  # reached
    line = issue_line(numbers(median=52.0, interval50=(45.0, 80.0), reached=(55.1, 100.0),
                              spread=(59.6, 92.7)))
    assert line.ends.startswith("The calibrated median is 52.0, near 50 (half), which no "
                                "sample of the model reached (they ran from 55.1 to 100.0); ")
    assert line.median_point.outside and line.as_dict()["named_point"]["reached"] is False
    # the interval's lower end is near 50 too: said once, at the median
    assert line.unreached is None
    ends = issue_line(numbers(median=70.0, interval50=(20.0, 80.0), reached=(55.1, 100.0),
                              spread=(59.6, 92.7)))
    assert ends.unreached == "No sample of the model reached 25 (they ran from 55.1 to 100.0)."
    # an end between two named points names neither as where it lies: nothing to retract
    between = issue_line(numbers(median=70.0, interval50=(37.5, 80.0), reached=(55.1, 100.0),
                                 spread=(59.6, 92.7)))
    assert "its low end, 37.5, is halfway between 25 (a quarter) and 50 (half)" in between.ends
    assert between.unreached is None


def test_samples_that_cycled_or_did_not_settle_are_counted() -> None:
    conv = IssueConvergence("x", runs=2000, fixed_point=20, by_rule=10, cycled=1069,
                            not_converged=901, shortest_cycle=2, longest_cycle=12)
    line = issue_line(numbers(convergence=conv, max_rounds=50))
    assert line.runs == ("Not every run settled: of 2,000 samples, 1,069 cycled (every 2 to "
                         "12 rounds), 901 did not settle in 50 rounds and 30 settled.")
    two = IssueConvergence("x", runs=300, fixed_point=0, by_rule=0, cycled=300,
                           not_converged=0, shortest_cycle=2, longest_cycle=2)
    assert issue_line(numbers(convergence=two, max_rounds=50)).runs == (
        "Not every run settled: of 300 samples, 300 cycled (every 2 rounds) and 0 settled.")
    settled = IssueConvergence("x", 300, 300, 0, 0, 0, 0, 0)
    assert issue_line(numbers(convergence=settled)).runs is None


def test_samples_whose_forecast_held_still_are_not_said_to_have_not_settled() -> None:
    conv = IssueConvergence("x", runs=1000, fixed_point=0, by_rule=0, cycled=0,
                            not_converged=0, shortest_cycle=0, longest_cycle=0, steady=1000)
    line = issue_line(numbers(convergence=conv, max_rounds=50))
    assert line.runs == ("Not every run settled: of 1,000 samples, 1,000 samples' forecasts "
                         "held still over rounds 26-50 though positions kept moving and 0 "
                         "settled.")
    assert "did not settle" not in (line.runs or "")
    mixed = IssueConvergence("x", runs=1000, fixed_point=100, by_rule=0, cycled=200,
                             not_converged=300, shortest_cycle=2, longest_cycle=2,
                             steady=400)
    assert issue_line(numbers(convergence=mixed, max_rounds=50)).runs == (
        "Not every run settled: of 1,000 samples, 200 cycled (every 2 rounds), 400 samples' "
        "forecasts held still over rounds 26-50 though positions kept moving, 300 did not "
        "settle in 50 rounds and 100 settled.")
    assert bottom_line([numbers(convergence=conv)], model="eum").settled is None


def test_a_forecast_worse_than_always_one_half_is_said_to_be_worse() -> None:
    said = [False, True]
    mine = score("forecast", [0.9, 0.1], said)  # Brier (0.81 + 0.81) / 2 = 0.81
    half = score("always 0.5", [0.5, 0.5], said)  # 0.25
    sq = score("status quo", [1.0, 1.0], said)  # (1 + 0) / 2 = 0.5
    assert mine.brier == pytest.approx(0.81)
    first, second = score_sentences(Scores(mine, half, sq, calibrated=True))
    assert first == ("On the 2 resolved questions, the forecast's calibrated probabilities "
                     "scored a Brier score of 0.810 (lower is better): it did worse than "
                     "always saying 0.5, which scores 0.250.")
    assert second == ("Against the status quo (forecasting that nothing changes), it did "
                      "worse: 0.810 against 0.500.")
    good = score("forecast", [0.2, 0.7], said)  # (0.04 + 0.09) / 2 = 0.065
    first, second = score_sentences(Scores(good, half, sq, calibrated=False))
    assert "probabilities (inputs only) scored a Brier score of 0.065" in first
    assert "it did better than always saying 0.5" in first
    assert second.endswith("it did better: 0.065 against 0.500.")
    same = score("forecast", [0.5, 0.5], said)
    first, _ = score_sentences(Scores(same, half, sq, calibrated=True))
    assert "it did as well as always saying 0.5" in first


def test_the_bottom_line_leads_with_what_it_is_and_says_when_all_settled() -> None:
    settled = IssueConvergence("x", 1000, 1000, 0, 0, 0, 0, 0)
    line = bottom_line([numbers(convergence=settled)], model="eum")
    assert line.lead == ("Bottom line (eum, 1,000 samples, calibrated by the model's measured "
                         "error on real decisions):")
    assert line.settled == "Every sample's run settled on every issue."
    assert line.scores == ()
    text = line.lines()
    assert text[0] == line.lead and text[1].startswith("x: The calibrated median is 50.0, at "
                                                       "50 (half)")
    assert str(line).split("\n") == text  # print(bottom_line) gives every paragraph
    cycling = IssueConvergence("x", 1000, 0, 0, 1000, 0, 2, 2)
    assert bottom_line([numbers(convergence=cycling)], model="eum").settled is None
    assert bottom_line([numbers()], model="eum").settled is None  # not known: not claimed
    with pytest.raises(ValueError, match="no issues"):
        bottom_line([], model="eum")


def test_issue_numbers_from_samples_and_measured_errors() -> None:
    x = np.linspace(20.0, 40.0, 101)
    plain = issue_numbers("x", SCALE, x, None)
    assert plain.median == pytest.approx(30.0) and not plain.calibrated
    assert plain.reached == (20.0, 40.0)
    assert plain.spread == pytest.approx((21.0, 39.0))
    # errors whose outcomes all landed at 80 whatever was forecast: the calibrated median
    # is 80, outside the samples' spread, and the bottom line says why
    errors = ErrorModel.from_pairs("eum", np.linspace(0, 100, 60), np.full(60, 80.0))
    cal = issue_numbers("x", SCALE, x, errors)
    assert cal.calibrated and cal.median == pytest.approx(80.0)
    line = issue_line(cal)
    assert line.pulled is not None and "lies above" in line.pulled
    assert "which no sample of the model reached (they ran from 20.0 to 40.0)" in line.ends


def test_run_notes_say_it_is_one_run_and_which_issues_have_several_modes() -> None:
    two = Modes((Mode(15.8, 0.3, 41.3, 0.4), Mode(71.4, 42.3, 79.9, 0.6)), 500, 7.0)
    one = Modes((Mode(50.0, 30.0, 70.0, 1.0),), 500, 3.0)
    notes = [RunNote("karabakh", two, 11.5, named_point(11.5, SCALE, (0.3, 79.9))),
             RunNote("y", one, 50.0, named_point(50.0, SCALE, (30.0, 70.0)))]
    text = run_notes(notes)
    assert text[0] == "This is a single run of the model at the midpoints of the scenario's ranges."
    assert text[1] == ("karabakh: the distribution of 500 samples of the ranges has 2 modes, "
                       "near 15.8 (40% of the samples) and near 71.4 (60% of the samples); "
                       "this single run at the midpoints shows one outcome, 11.5: run "
                       "statecraft forecast for the whole distribution.")
    assert len(text) == 2
    unimodal = run_notes([notes[1]])
    assert unimodal[1] == ("The distribution of 500 samples of the ranges has one mode on "
                           "every issue.")
    far = RunNote("z", one, 60.0, named_point(60.0, SCALE, (55.0, 99.7)))
    assert run_notes([far])[-1] == ("z: the nearest named point, 50 (half), which no sample "
                                    "of the model reached (they ran from 55.0 to 99.7).")


# a scale like the peacekeepers' (unevenly spaced) and one with wide gaps
UNEVEN = {0.0: "gone by 2024", 40.0: "gone at term end", 60.0: "extended", 100.0: "permanent"}
WIDE = {0.0: "none", 50.0: "half", 100.0: "all"}


def test_a_value_is_placed_at_near_halfway_or_between_named_points() -> None:
    def said(v: float, scale: dict[float, str]) -> str:
        return place(v, scale).words()

    assert said(40.0, UNEVEN) == "40 (gone at term end)"
    assert said(40.04, UNEVEN) == "40 (gone at term end)"  # prints as 40.0
    # within a quarter of the 20-point gap between 40 and 60: near
    assert said(45.0, UNEVEN) == "45.0, near 40 (gone at term end)"
    assert said(56.0, UNEVEN) == "56.0, near 60 (extended)"
    # equally far from 40 and 60: neither is "near" it
    assert said(50.0, UNEVEN) == ("50.0, halfway between 40 (gone at term end) and 60 "
                                  "(extended)")
    assert said(46.0, UNEVEN) == "46.0, between 40 (gone at term end) and 60 (extended)"
    # 88 is 12 from 100, more than a quarter of the 40-point gap: between
    assert said(88.0, UNEVEN) == "88.0, between 60 (extended) and 100 (permanent)"
    assert said(91.0, UNEVEN) == "91.0, near 100 (permanent)"
    # the review's 20-70 on a scale of 0, 50, 100: far from every named point
    assert said(20.0, WIDE) == "20.0, between 0 (none) and 50 (half)"
    assert said(70.0, WIDE) == "70.0, between 50 (half) and 100 (all)"
    assert said(60.0, WIDE) == "60.0, near 50 (half)"
    # the same 20 is near 25 on a scale with a point there
    assert said(20.0, SCALE) == "20.0, near 25 (a quarter)"
    assert place(50.0, UNEVEN).named is None and place(56.0, UNEVEN).named == 60.0
    # beyond the outermost point, near it within its gap's quarter, else plainly beyond
    assert said(95.0, {10.0: "a", 90.0: "b"}) == "95.0, near 90 (b)"
    assert said(0.0, {30.0: "a", 40.0: "b"}) == "0.0, below 30 (a)"
    with pytest.raises(ValueError, match="no named points"):
        place(1.0, {})


def test_an_interval_end_equally_far_from_two_points_says_so() -> None:
    """The review's peacekeepers line: 50.0-88.0 read 'from near 40 ...', followed by 'No
    sample of the model reached 40'."""
    line = issue_line(numbers(scale=UNEVEN, median=75.0, interval50=(50.0, 88.0),
                              reached=(65.0, 100.0), spread=(66.8, 98.5)))
    assert line.ends == (
        "The calibrated median is 75.0, between 60 (extended) and 100 (permanent); half the "
        "probability lies within 50.0-88.0: its low end, 50.0, is halfway between 40 (gone "
        "at term end) and 60, and its high end, 88.0, between 60 and 100.")
    assert "near 40" not in line.ends and line.unreached is None
    wide = issue_line(numbers(scale=WIDE, median=45.0, interval50=(20.0, 70.0),
                              reached=(0.0, 100.0)))
    assert ("its low end, 20.0, is between 0 (none) and 50, and its high end, 70.0, between "
            "50 and 100 (all)") in wide.ends
    assert "near 0" not in wide.ends


def _modes(*modes: tuple[float, float]) -> Modes:
    """Modes at (location, share), their basins split halfway between them."""
    locs = [m[0] for m in modes]
    cuts = [0.0, *[(a + b) / 2 for a, b in pairwise(locs)], 100.0]
    return Modes(tuple(Mode(loc, cuts[k], cuts[k + 1], share)
                       for k, (loc, share) in enumerate(modes)), 1000, 3.0)


def test_two_modes_are_named_with_their_shares_and_the_median_between_them() -> None:
    """The review's karabakh_status: modes near 15.8 (40%) and 71.4 (60%), the calibrated
    median 50 in the trough, said to be 'most likely'."""
    line = issue_line(numbers(median=50.0, modes=_modes((15.8, 0.4), (71.4, 0.6))))
    text = " ".join(line.sentences())
    assert "most likely" not in text.lower()
    assert line.modes == ("The model's 1,000 samples have 2 modes: 15.8, between 0 (none) and "
                          "25, with 40% of them and 71.4, near 75, with 60%; the calibrated "
                          "median, 50.0, lies between them: calibration spreads each run's "
                          "forecast over where real outcomes landed, so the median can fall "
                          "where few runs did.")  # 25 and 75: said before
    # a median inside a mode's range is not said to lie between modes
    high = issue_line(numbers(median=80.0, modes=_modes((15.8, 0.4), (71.4, 0.6))))
    assert high.modes is not None and "between them" not in high.modes
    three = issue_line(numbers(median=40.0, calibrated=False, reached=(0.3, 95.0),
                               modes=_modes((5.0, 0.2), (30.0, 0.5), (90.0, 0.3))))
    assert three.modes == ("The model's 1,000 samples have 3 modes: 5.0, near 0 (none), with "
                           "20% of them, 30.0, near 25, with 50% and 90.0, between 75 and 100 "
                           "(all), with 30%; the median of the samples, 40.0, lies between the "
                           "modes at 30.0 and 90.0, where few runs land.")
    data = line.as_dict()
    assert [m["share"] for m in data["mode_list"]] == [0.4, 0.6]
    assert data["median_place"] == {"where": "at", "points": [50.0], "text": "at 50 (half)"}


def test_most_likely_names_a_single_mode_never_the_median() -> None:
    one = _modes((24.0, 1.0))
    plain = issue_line(numbers(calibrated=False, median=40.0, modes=one))
    assert plain.modes == ("Most likely it ends around 24.0, near 25: the one mode of the "
                           "samples.")  # 25 was named with its label by the interval
    assert "40.0" not in (plain.modes or "")
    # calibrated, the one mode is where the model's runs most likely land, not the outcome
    cal = issue_line(numbers(median=40.0, modes=one))
    assert cal.modes == ("The model's samples have one mode, around 24.0, near 25: where its "
                         "runs most likely land.")
    assert not cal.ends.lower().startswith("most likely")
    assert issue_line(numbers()).modes is None  # not looked for: nothing said


def test_issue_numbers_find_the_samples_modes() -> None:
    rng = np.random.default_rng(4)
    x = np.clip(np.concatenate([rng.normal(15.0, 3.0, 400), rng.normal(72.0, 4.0, 600)]),
                0, 100)
    n = issue_numbers("x", SCALE, x, None)
    assert n.modes is not None and n.modes.count == 2
    assert [round(m.share, 1) for m in n.modes.modes] == [0.4, 0.6]
    line = issue_line(n)
    assert line.modes is not None and "lies between them" in line.modes


def test_one_steady_sample_is_said_in_the_singular() -> None:
    one = IssueConvergence("x", runs=1000, fixed_point=799, by_rule=0, cycled=200,
                           not_converged=0, shortest_cycle=2, longest_cycle=2, steady=1)
    runs = issue_line(numbers(convergence=one, max_rounds=50)).runs
    assert runs is not None and "200 cycled (every 2 rounds), 1 sample's forecast held " \
        "still over rounds 26-50" in runs and "1 samples" not in runs
