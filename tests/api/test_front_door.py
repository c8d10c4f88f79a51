"""The notebook front door, used as an analyst would: load the bundled scenario, forecast,
ask a what-if, compare, explain, play the options game, backtest and write a report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import statecraft
from statecraft import api
from statecraft.scenario import ScenarioError

BUNDLED = "south-caucasus-2021"
SAMPLES = 600


@pytest.fixture(scope="module")
def study() -> statecraft.Study:
    return statecraft.load(BUNDLED)


@pytest.fixture(scope="module")
def forecast(study: statecraft.Study) -> api.Forecast:
    return study.forecast(samples=SAMPLES, seed=3)


def _all_positions(study: statecraft.Study, issue: str, value: float) -> dict[str, float]:
    return {f"position.{s.actor}.{s.issue}": value for s in study.scenario.stances
            if s.issue == issue}


def test_importing_statecraft_imports_no_part_of_it() -> None:
    code = ("import sys, statecraft; "
            "print(sorted(m for m in sys.modules if m.startswith('statecraft.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_a_bundled_scenario_loads_by_name_or_file_name_and_a_file_by_its_path() -> None:
    by_name = statecraft.load(BUNDLED)
    by_file = statecraft.load(f"{BUNDLED}.yaml")
    by_path = statecraft.load(api.default_scenario_path())
    assert by_name.path == by_file.path == by_path.path == api.default_scenario_path()
    assert by_name.question_set is not None  # its bundled questions come with it
    assert "8 actors" in repr(by_name) and "questions" in repr(by_name)


def test_an_unknown_scenario_names_where_it_was_looked_for() -> None:
    with pytest.raises(FileNotFoundError, match="no-such-place") as got:
        statecraft.load("no-such-place")
    assert str(api.bundled_scenarios_dir()) in str(got.value)
    with pytest.raises(FileNotFoundError):
        statecraft.load("../scenarios/" + BUNDLED)  # a bundled name is a bare file name


def test_a_forecast_gives_tables_questions_and_its_provenance(
        study: statecraft.Study, forecast: api.Forecast) -> None:
    table = forecast.to_frame()
    assert list(table.index) == [i.id for i in study.scenario.issues]
    assert (table["p05"] <= table["median"]).all() and (table["median"] <= table["p95"]).all()
    assert table["calibrated_median"].notna().all()  # calibrated by default
    asked = forecast.questions()
    assert study.question_set is not None
    assert [q.id for q in asked] == [q.id for q in study.question_set.questions]
    frame = forecast.questions_frame()
    assert ((frame["low"] <= frame["probability"]) & (frame["probability"] <= frame["high"])
            ).all()
    p = forecast.provenance
    assert (p.seed, p.samples, p.models, p.version) == (3, SAMPLES, (api.DEFAULT_MODEL,),
                                                        statecraft.__version__)
    assert p.calibration == dict(api.read_error_file().identity)
    assert forecast.samples_frame().shape == (SAMPLES, len(table))
    json.dumps(forecast.to_dict())  # JSON as it is


def test_the_same_seed_gives_the_same_forecast(study: statecraft.Study,
                                               forecast: api.Forecast) -> None:
    again = study.forecast(samples=SAMPLES, seed=3)
    assert again.to_dict() == forecast.to_dict()
    other = study.forecast(samples=SAMPLES, seed=4)
    assert other.to_dict()["issues"] != forecast.to_dict()["issues"]


def test_the_api_forecast_is_typed_and_holds_the_raw_runs_samples(
        study: statecraft.Study, forecast: api.Forecast) -> None:
    fc = api.forecast(study.loaded, samples=SAMPLES, seed=3, questions=study.question_set)
    assert isinstance(fc, api.Forecast)
    assert fc.to_dict() == forecast.to_dict()  # the notebook's forecast is this one
    run = api.forecast_run(study.loaded, samples=SAMPLES, seed=3)
    assert fc.outcomes is not None and run.result.completed().all()
    assert (fc.outcomes == run.result.outcomes).all()
    assert fc.issue_ids == run.result.issue_ids and fc.run_id is None


def _calibrated_values(data: object) -> list[object]:
    """Every value under a "calibrated" key, at any depth."""
    if isinstance(data, dict):
        return [v for k, v in data.items() if k == "calibrated"] + [
            x for k, v in data.items() if k != "calibrated" for x in _calibrated_values(v)]
    if isinstance(data, list):
        return [x for v in data for x in _calibrated_values(v)]
    return []


def test_calibrated_is_a_flag_in_every_row_of_the_json(study: statecraft.Study,
                                                       forecast: api.Forecast) -> None:
    plain = study.forecast(samples=200, seed=3, calibrated=False)
    for data in (forecast.to_dict(), plain.to_dict(), forecast.compare(plain).to_dict(),
                 forecast.compare(forecast).to_dict()):
        found = _calibrated_values(data)
        assert found and all(isinstance(v, bool) for v in found), found
    issue = forecast.to_dict()["issues"][0]
    assert issue["calibrated"] is True and issue["predictive"]["median"] == (
        forecast.issues[0].centre)
    assert plain.to_dict()["issues"][0]["predictive"] is None


def test_the_command_line_prints_the_same_forecast_the_notebook_gets(
        study: statecraft.Study) -> None:
    from typer.testing import CliRunner

    from statecraft.cli import app

    questions = api.bundled_questions_dir() / f"{BUNDLED}.yaml"
    shown = CliRunner().invoke(app, ["forecast", str(study.path), "--samples", "300",
                                     "--seed", "5", "--no-store", "--json", "--quiet",
                                     "--questions", str(questions)])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout) == study.forecast(
        samples=300, seed=5, questions=questions).to_dict()


def test_questions_can_be_asked_again_of_the_same_samples(forecast: api.Forecast) -> None:
    path = api.bundled_questions_dir() / f"{BUNDLED}.yaml"
    assert forecast.questions(path) == forecast.questions()


def test_a_what_if_moves_the_forecast_the_way_the_change_says(
        study: statecraft.Study) -> None:
    issue = "peacekeepers"
    base = study.forecast(samples=SAMPLES, seed=3, calibrated=False)
    up = study.with_changes(_all_positions(study, issue, 100))
    down = study.with_changes(_all_positions(study, issue, 0))
    high = up.forecast(samples=SAMPLES, seed=3, calibrated=False).issue(issue).median
    low = down.forecast(samples=SAMPLES, seed=3, calibrated=False).issue(issue).median
    assert low < base.issue(issue).median < high
    # the what-if says what it is: edited from the bundled file, each changed value listed
    assert up.edited_from == f"{BUNDLED}.yaml" and up.path is None
    assert {(e.actor, e.issue, e.used) for e in up.edits} == {
        (s.actor, issue, 100.0) for s in study.scenario.stances if s.issue == issue}
    assert study.edits == ()  # the original is unchanged
    fc = up.forecast(samples=200, seed=3, calibrated=False)
    assert fc.edited_from is not None and fc.edited_from["name"] == f"{BUNDLED}.yaml"
    assert fc.edits is not None and len(fc.edits) == len(up.edits)


def test_a_what_if_of_a_what_if_keeps_the_first_original(study: statecraft.Study) -> None:
    once = study.with_changes({"salience.rus.peacekeepers": 0.5})
    twice = once.with_changes({"position.rus.peacekeepers": (10, 20)})
    assert twice.edited_from == f"{BUNDLED}.yaml"
    assert {(e.field, e.used) for e in twice.edits} == {("salience", 0.5),
                                                        ("position", (10.0, 20.0))}


def test_a_bad_change_is_refused_naming_it(study: statecraft.Study) -> None:
    with pytest.raises(ValueError, match=r"'rus\.peacekeepers'"):
        study.with_changes({"rus.peacekeepers": 10})
    with pytest.raises(ValueError, match=r"capability\.rus\.peacekeepers"):
        study.with_changes({"capability.rus.peacekeepers": 10})
    with pytest.raises(ValueError, match="expected a number"):
        study.with_changes({"position.rus.peacekeepers": "high"})  # type: ignore[dict-item]
    with pytest.raises(ScenarioError, match="salience"):
        study.with_changes({"salience.rus.peacekeepers": 1.5})


def test_a_change_of_the_wrong_kind_is_an_input_error_naming_it(
        study: statecraft.Study) -> None:
    from statecraft.errors import InputError
    cases: list[tuple[object, str]] = [
        ({"position.rus.peacekeepers": 10**400},
         r"change 'position\.rus\.peacekeepers': found 1000.*\.\.\.; expected a finite "
         r"position \(0 to 100\)"),
        ({"salience.rus.peacekeepers": (0.2, float("nan"))}, r"expected a finite salience"),
        ({40: 40}, r"change 40: expected 'position\.ACTOR\.ISSUE'"),
        ("position.rus.peacekeepers", r"changes: found 'position.*' \(str\); expected a "
         "mapping"),
        (None, r"changes: found None \(NoneType\); expected a mapping"),
    ]
    for changes, said in cases:
        with pytest.raises(InputError, match=said):
            study.with_changes(changes)  # type: ignore[arg-type]


def test_what_is_not_a_scenario_file_is_named_for_what_it_is(tmp_path: Path) -> None:
    import os

    from statecraft.errors import InputError
    with pytest.raises(ScenarioError, match="is a directory; expected a regular file"):
        statecraft.load(tmp_path)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match=r"is a FIFO \(named pipe\)"):
        statecraft.load(fifo)
    book = tmp_path / "s.xlsx"
    api.export_xlsx(api.load(), book)
    with pytest.raises(InputError, match=r"s\.xlsx: a workbook \(\.xlsx\), not a scenario "
                       r"file; .*import-xlsx"):
        statecraft.load(book)
    with pytest.raises(InputError, match=r"scenario: found 42 \(int\); expected a scenario "
                       "file's path"):
        statecraft.load(42)  # type: ignore[arg-type]


def test_compare_says_how_far_each_issue_and_question_moved(
        study: statecraft.Study, forecast: api.Forecast) -> None:
    what_if = study.with_changes({"salience.rus.peacekeepers": 0.1,
                                  "position.rus.peacekeepers": 0})
    other = what_if.forecast(samples=SAMPLES, seed=3)
    cmp = forecast.compare(other)
    table = cmp.to_frame()
    a, b = forecast.to_frame(), other.to_frame()
    for issue in table.index:  # calibrated on both sides: the calibrated medians
        assert table.loc[issue, "shift"] == pytest.approx(
            b.loc[issue, "calibrated_median"] - a.loc[issue, "calibrated_median"])
    assert table.loc["peacekeepers", "shift"] < 0
    questions = cmp.questions_frame()
    mine = {q.id: q.probability for q in forecast.questions()}
    theirs = {q.id: q.probability for q in other.questions()}
    for qid, row in questions.iterrows():
        assert row["shift"] == pytest.approx(theirs[qid] - mine[qid])
    assert "position.rus.peacekeepers" in set(cmp.inputs_frame().index)
    json.dumps(cmp.to_dict())


def test_the_options_game(study: statecraft.Study) -> None:
    game = study.options(samples=50, seed=1)
    table = game.to_frame()
    decisions = table[table["spe"].notna()]  # an actor's, not chance's
    chosen = decisions.groupby(["node", "after"])["spe"].sum()  # one choice per decision
    assert len(chosen) == len(decisions.groupby(["node", "after"])) > 0
    assert (chosen == 1).all()
    assert set(game.outcome_frame().index) == {i.id for i in study.scenario.issues}
    assert game.to_dict()["nodes"] == api.options_analysis(
        study.loaded, samples=50, seed=1).to_dict()["nodes"]


def test_deals_and_advice(study: statecraft.Study) -> None:
    found = study.deals("rus")
    assert found.deals and all("rus" in (d.actor_a, d.actor_b) for d in found.deals)
    assert [d.rank for d in found.deals] == sorted(d.rank for d in found.deals)
    with pytest.raises(ValueError, match="nobody"):
        study.deals("nobody")
    advice = study.advise("aze", issue="peacekeepers", target="<= 40", samples=200, seed=1,
                          calibrated=False)
    assert advice.actor == "aze" and 0.0 <= advice.before <= 1.0
    reach = [o for o in advice.options if o.reaches]
    assert all(o.after >= advice.probability for o in reach)
    assert [o.cost for o in reach] == sorted(o.cost for o in reach)  # cheapest first


def test_a_backtest_scores_the_models_beside_the_baselines(study: statecraft.Study) -> None:
    bt = study.backtest(samples=300, seed=2)
    scores = bt.scores_frame()
    assert {api.DEFAULT_MODEL, "status quo"} <= set(scores.index)
    assert ((scores["brier"] >= 0) & (scores["brier"] <= 1)).all()
    resolved = [q for q in (study.question_set.questions if study.question_set else [])
                if q.resolution is not None]
    assert list(bt.to_frame().index) == [q.id for q in resolved]


def test_explain_ranks_the_inputs(study: statecraft.Study) -> None:
    pytest.importorskip("SALib")
    ex = study.explain("peacekeepers-extended", samples=512, seed=1, top=5)
    ranked = ex.to_frame()
    assert len(ranked) == 5
    assert ex.question.id == "peacekeepers-extended" and ex.provenance.samples == 512
    with pytest.raises(KeyError, match="no question 'nope'"):
        study.explain("nope")


def test_validate_gives_the_warnings_and_strict_refuses_them(
        study: statecraft.Study) -> None:
    edited = study.with_changes({"salience.rus.peacekeepers": 0.5})
    warnings = edited.validate()
    assert any("edit" in w.message for w in warnings)
    with pytest.raises(ScenarioError):
        edited.validate(strict=True)


def test_a_report_is_written_where_asked(study: statecraft.Study, tmp_path: Path) -> None:
    fc = study.with_changes({"salience.rus.peacekeepers": 0.5}).forecast(
        samples=300, seed=1)
    out = fc.report(tmp_path / "what-if.html", history_samples=10)
    html = out.read_text(encoding="utf-8")
    assert out == tmp_path / "what-if.html"
    assert study.name.split()[0] in html and "peacekeepers-extended" in html


def test_every_result_says_its_provenance_by_the_same_names(
        study: statecraft.Study, forecast: api.Forecast) -> None:
    from statecraft.api.results.common import FromProvenance

    names = {"model", "settings", "seed", "samples", "method", "version", "calibration",
             "calibrated"}
    for cls in (api.Forecast, api.Backtest, api.Explanation, api.OptionsGame):
        assert issubclass(cls, FromProvenance) and not names & set(vars(cls)), cls
    for result in (forecast, study.options()):
        p = result.provenance
        assert (result.model, dict(result.settings), result.seed, result.samples,
                result.method, result.version, result.calibration, result.calibrated) == (
            p.model, dict(p.settings), p.seed, p.samples, p.method, p.version,
            p.calibration, p.calibration is not None)
    assert forecast.calibrated and forecast.seed == 3 and forecast.samples == SAMPLES
