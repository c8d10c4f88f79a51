"""Small frictions a new user meets: what the timeline calls in force, how ``options``
names outcomes, what ``explain`` does without a question and with a negative estimate,
and that the run ids ``runs list`` prints are the ones ``runs show``/``compare`` take."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.rules import allows, due_date, timeline
from statecraft.scenario.options_schema import Rule
from statecraft.store import RunStore
from tests.conftest import DATA

D = dt.date
runner = CliRunner()
WITHDRAWALS = {"withdrawal_aghdam": D(2020, 11, 20), "withdrawal_kalbajar": D(2020, 11, 15),
               "withdrawal_lachin": D(2020, 12, 1)}


def _section(text: str, title: str) -> str:
    """The lines of the timeline's text under ``title``, up to the next heading."""
    after = text.split(f"\n{title}\n", 1)[1]
    return re.split(r"\n(?=\S)", after, maxsplit=1)[0]


def test_a_one_off_clause_past_its_deadline_is_passed_not_in_force() -> None:
    # the bundled scenario's district returns were due in November 2020: on the scenario's
    # date (1 October 2021) they are passed; the new-route plan (due 36 months after 10
    # November 2020, on 10 November 2023) holds until and including that day
    tl = api.timeline(api.load())
    assert not set(WITHDRAWALS) & set(tl.in_force)
    assert {(d.rule, d.date) for d in tl.ended} == set(WITHDRAWALS.items())
    assert {"peacekeeping_term", "lachin_corridor", "lachin_new_route"} <= set(tl.in_force)
    rule = next(r for r in api.load().scenario.rules if r.id == "lachin_new_route")
    assert due_date(rule) == D(2023, 11, 10)
    assert allows(rule, D(2023, 11, 10)) and not allows(rule, D(2023, 11, 11))
    later = api.timeline(api.load(), D(2023, 11, 11))
    assert "lachin_new_route" not in later.in_force
    assert ("lachin_new_route", D(2023, 11, 10)) in {(d.rule, d.date) for d in later.ended}


def test_a_clause_with_a_term_or_no_deadline_is_not_one_off() -> None:
    # a due date beside a term does not end the clause (its term does); a clause with
    # neither stays in force
    with_term = Rule(id="t", text="five years, report due in one", in_force_from=D(2020, 1, 1),
                     term={"years": 5}, due=D(2021, 1, 1))
    standing = Rule(id="s", text="a corridor", in_force_from=D(2020, 1, 1))
    both = Rule(id="b", text="two ways of saying when", in_force_from=D(2020, 1, 1),
                due=D(2020, 3, 1), due_within_months=6)
    assert due_date(with_term) is None and due_date(standing) is None
    assert due_date(both) == D(2020, 7, 1)  # the later of the two
    tl = timeline([with_term, standing, both], D(2024, 1, 1))
    assert tl.in_force == ("t", "s")
    assert [(d.rule, d.label) for d in tl.ended] == [("b", "deadline passed")]
    assert [(d.rule, d.label) for d in timeline([with_term], D(2025, 1, 1)).ended] == [
        ("t", "last term ended")]


def test_timeline_command_lists_passed_one_off_clauses_apart() -> None:
    text = runner.invoke(app, ["timeline"])
    assert text.exit_code == 0, text.output
    in_force = _section(text.stdout, "In force:")
    passed = _section(text.stdout, "Passed, no longer in force:")
    for rule, due in WITHDRAWALS.items():
        assert f"{rule} (" not in in_force
        assert re.search(rf"^  {rule} \(in force from 2020-11-10, due {due.isoformat()}, "
                         rf"passed\):\s+\w", passed, re.MULTILINE)
    assert "lachin_new_route (" in in_force
    data = json.loads(runner.invoke(app, ["timeline", "--json"]).stdout)
    assert not set(WITHDRAWALS) & set(data["in_force"])
    assert {(d["rule"], d["date"]) for d in data["no_longer_in_force"]} == {
        (r, d.isoformat()) for r, d in WITHDRAWALS.items()}


def test_options_names_each_outcome_with_its_scale_point(tmp_path: Path) -> None:
    scenario = api.load().scenario
    scales = {i.id: i.scale for i in scenario.issues}
    data = json.loads(runner.invoke(app, ["options", "--json"]).stdout)
    named = data["spe_outcome_named"]
    assert set(named) == set(scales) == set(data["spe_outcome"])
    for issue, n in named.items():
        position, scale = data["spe_outcome"][issue], scales[issue]
        nearest = min(sorted(scale), key=lambda p: abs(p - position))
        assert (n["position"], n["point"], n["text"]) == (position, nearest, scale[nearest])
        assert n["on_point"] == (position in scale)
    # the bundled game ends on named points for some issues and between them for one
    assert named["peacekeepers"]["label"] == "60 (extended for a further term)"
    assert not named["karabakh_status"]["on_point"]
    assert named["karabakh_status"]["label"] == (
        "65 (not a named point; nearest 75: " + scales["karabakh_status"][75] + ")")
    text = " ".join(runner.invoke(app, ["options"]).stdout.split())  # wrapped lines joined
    for issue, n in named.items():
        assert f" {issue}: {n['label']} " in text
    report = tmp_path / "report.html"
    made = runner.invoke(app, ["report", "-o", str(report), "--samples", "10"])
    assert made.exit_code == 0, made.output
    listed = re.search(r'<ul id="options-outcome">(.*?)</ul>', report.read_text(), re.S)
    assert listed is not None
    items = [html.unescape(li) for li in re.findall(r"<li>(.*?)</li>", listed[1], re.S)]
    assert items == [f"{issue}: {n['label']}" for issue, n in named.items()]


def test_explain_without_a_question_lists_the_questions() -> None:
    qfile = DATA / "small-questions.yaml"
    asked = yaml.safe_load(qfile.read_text())["questions"]
    args = ["explain", str(DATA / "small.yaml"), "--questions", str(qfile)]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    conditions = {q.id: q.condition
                  for q in api.load_questions(qfile, api.load(DATA / "small.yaml")).questions}
    for q in asked:
        assert f"  {q['id']}  ({conditions[q['id']]})\n      {q['text']}\n" in text.stdout
    assert "--question" in text.stderr  # how to explain one
    data = json.loads(runner.invoke(app, [*args, "--json"]).stdout)
    assert [(q["id"], q["text"]) for q in data["questions"]] == [
        (q["id"], q["text"]) for q in asked]
    assert data["questions"][0]["condition"] == "x >= 50"
    # the bundled set of the bundled scenario, by default
    bundled = json.loads(runner.invoke(app, ["explain", "--json"]).stdout)
    ids = [q["id"] for q in yaml.safe_load(
        (api.bundled_questions_dir() / api.DEFAULT_SCENARIO).read_text())["questions"]]
    assert [q["id"] for q in bundled["questions"]] == ids


def test_explain_marks_a_negative_share_of_variance_as_noise() -> None:
    # Sobol' first-order estimates of inputs that barely matter stray below 0 at 64 base
    # samples; the table must not print them as shares, the JSON keeps them, flagged
    args = ["explain", "--question", "route-third-party", "--samples", "500", "--total", "64",
            "--top", "8"]
    wide = {"COLUMNS": "200"}
    data = json.loads(runner.invoke(app, [*args, "--json"], env=wide).stdout)
    rows = {r["input"]: r for r in data["inputs"]}
    assert any(r["index"] < 0 for r in rows.values())  # the case this test is about
    for r in rows.values():
        assert r["index_noise"] == (not 0 <= r["index"] <= 1)
        assert r["total_noise"] == (not 0 <= r["total"] <= 1)
    text = runner.invoke(app, args, env=wide)
    assert text.exit_code == 0, text.output
    # the text names each input's actor by its name: "Russia: salience on peacekeepers"
    names = {a.id: a.name for a in api.load().scenario.actors}
    shown_as = {}
    for name in rows:
        field, actor, *issue = name.split(".")
        shown_as[f"{names[actor]}: {field}" + (f" on {issue[0]}" if issue else "")] = name
    shown = 0
    for line in text.stdout.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if not cells or cells[0] not in shown_as:
            continue
        r = rows[shown_as[cells[0]]]
        for cell, value in ((cells[1], r["index"]), (cells[2], r["total"])):
            if 0 <= value <= 1:
                assert re.fullmatch(r"\d\.\d{3} ± \d\.\d{3}", cell), cell
            else:
                assert cell == f"~{0 if value < 0 else 1} (est. {value:.3f} ± " + (
                    f"{r['index_conf' if value == r['index'] else 'total_conf']:.3f}, noise)")
            shown += 1
    assert shown == 2 * len(rows)
    assert "estimation noise" in " ".join(text.stdout.split())


def test_runs_show_and_compare_take_the_unique_prefix_of_a_listed_id(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    made = []
    for seed in (1, 2):
        run = api.forecast_run(api.load(DATA / "small.yaml"), samples=50, seed=seed,
                           model="compromise", store=store)
        assert run.run_id is not None
        made.append(run.run_id)
    listed = runner.invoke(app, ["runs", "list", "--store", str(tmp_path)],
                           env={"COLUMNS": "80"})
    assert all(run_id in listed.stdout for run_id in made)  # whole ids, not cut short

    def unique(run_id: str) -> str:
        other = next(r for r in made if r != run_id)
        return next(run_id[:n] for n in range(1, len(run_id) + 1)
                    if not other.startswith(run_id[:n]))

    for run_id in made:
        shown = runner.invoke(app, ["runs", "show", unique(run_id), "--store", str(tmp_path),
                                    "--json"])
        assert shown.exit_code == 0, shown.output
        assert json.loads(shown.stdout)["id"] == run_id
    compared = runner.invoke(app, ["runs", "compare", unique(made[0]), unique(made[1]),
                                   "--store", str(tmp_path), "--json"])
    assert compared.exit_code == 0, compared.output
    data = json.loads(compared.stdout)
    assert (data["a"], data["b"]) == (made[0], made[1])
    common = next(made[0][:n] for n in range(len(made[0]), 0, -1)
                  if made[1].startswith(made[0][:n]))
    both = runner.invoke(app, ["runs", "show", common, "--store", str(tmp_path)])
    assert both.exit_code == 1 and "matches 2 runs; give more of the id" in both.output
