"""The "what it would take" panel's routes: POST /api/advise gives the API's advice for
the scenario as edited, the page's fragment says it in the command line's words; bad
input is a 4xx naming it; the search is bounded by the web's work and time limits."""

from __future__ import annotations

import html
import re
from functools import partial
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="needs the 'web' extra")

from fastapi.testclient import TestClient

from statecraft import api
from statecraft.api.advice_words import option_words, price_words
from statecraft.api.deals import advise
from statecraft.web import create_app
from statecraft.web.bounded import check_work

DEFAULT = "south-caucasus-2021.yaml"
ASK = {"bundled": DEFAULT, "actor": "aze", "issue": "peacekeepers", "target": "<= 40",
       "samples": 200}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_api_advice_is_the_apis(client: TestClient) -> None:
    got = client.post("/api/advise", json=ASK)
    assert got.status_code == 200, got.text
    want = advise(api.load(None), "aze", issue="peacekeepers", target="<= 40", samples=200,
                  seed=7).to_dict()
    assert got.json() == want
    assert want["options"] and want["prices"] and want["probability_before"] < 0.5


def test_one_lever_a_call_gives_the_same_advice() -> None:
    """The web runs the model on one lever's samples at a time (rows_per_call), so that
    each call is a forecast's size and the search can stop between calls."""
    loaded = api.load(None)
    whole = advise(loaded, "aze", issue="peacekeepers", target="<= 40", samples=100)
    calls: list[int] = []

    def go_on() -> str | None:
        calls.append(1)
        return None

    each = advise(loaded, "aze", issue="peacekeepers", target="<= 40", samples=100,
                  rows_per_call=100, should_stop=go_on)
    assert each.to_dict() == whole.to_dict()
    assert len(calls) >= each.forecasts  # asked before each call of the model, and within


def test_an_edit_changes_the_advice(client: TestClient) -> None:
    plain = client.post("/api/advise", json=ASK).json()
    edited = client.post("/api/advise", json={**ASK, "changes": [
        {"actor": "rus", "issue": "peacekeepers", "position": 30}]}).json()
    assert edited["probability_before"] > plain["probability_before"]


def test_the_panel_says_it_in_the_command_lines_words(client: TestClient) -> None:
    got = client.post("/ui/advise", json=ASK)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/html")
    page = _text(got.text)
    loaded = api.load(None)
    advice = advise(loaded, "aze", issue="peacekeepers", target="<= 40", samples=200)
    names = {a.id: a.name for a in loaded.scenario.actors}
    assert (f"What it would take for peacekeepers <= 40 to have probability at least 0.5 "
            f"(now {advice.before:.3f}), for Azerbaijan") in page
    from statecraft.api.advice_words import option_brief, unreached_groups
    from statecraft.web.advise import PANEL_DEALS

    raising, lowering, idle = unreached_groups(advice.options)
    for o in [*advice.reaching(), *raising, *lowering]:  # the arrow drawn as one character
        assert option_words(o, names, deals=PANEL_DEALS).replace(" -> ", " → ") in page
    for o in idle:
        assert option_brief(o, names, deals=PANEL_DEALS) in page
    for p in advice.prices:
        for line in price_words(p, names):
            assert line in page
    reach = got.text[got.text.index('id="advice-reaching"'):]
    assert option_words(advice.reaching()[0], names, deals=PANEL_DEALS).replace(
        " -> ", " → ") in _text(reach.split("</ol>")[0])


def test_the_panel_escapes_the_scenarios_text(client: TestClient) -> None:
    text = (api.bundled_scenarios_dir() / DEFAULT).read_text()
    evil = text.replace("name: Russia\n", "name: \"<img src=x onerror=alert(1)>\"\n", 1)
    got = client.post("/ui/advise", json={**ASK, "bundled": None, "text": evil})
    assert got.status_code == 200, got.text
    assert "<img" not in got.text and "&lt;img src=x" in got.text


@pytest.mark.parametrize(("body", "status", "words"), [
    ({**ASK, "actor": "zzz"}, 400, "unknown actor 'zzz'"),
    ({**ASK, "issue": "zzz"}, 400, "unknown issue 'zzz'"),
    ({**ASK, "target": "about 40"}, 400, "target"),
    ({**ASK, "target": "<= 400"}, 400, "outside the issue's scale"),
    ({**ASK, "probability": 1.0}, 422, "probability"),
    ({**ASK, "probability": True}, 422, "probability"),
    ({**ASK, "samples": 2001}, 422, "samples"),
    ({**ASK, "samples": "10"}, 422, "samples"),
    ({**ASK, "model": "bdm"}, 400, "bdm"),
    ({k: v for k, v in ASK.items() if k != "target"}, 422, "target"),
])
def test_bad_requests_are_refused_naming_what(client: TestClient, body: dict[str, object],
                                              status: int, words: str) -> None:
    got = client.post("/api/advise", json=body)
    assert got.status_code == status, got.text
    assert words in got.text


def test_a_search_over_the_webs_work_limit_is_refused_before_it_runs(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    import statecraft.web.advise as module

    ran: list[object] = []
    monkeypatch.setattr(module, "check_work", partial(check_work, limit=8 * 7 * 200 * 50 - 1))
    monkeypatch.setattr("statecraft.api.deals.advise", lambda *a, **k: ran.append(a))
    got = client.post("/api/advise", json=ASK)
    assert got.status_code == 413, got.text
    assert "8 actors x 7 issues x 200 samples x 50 rounds" in got.json()["detail"]
    assert ran == []


def test_a_search_past_the_webs_time_limit_is_stopped(tmp_path: Path) -> None:
    quick = TestClient(create_app(tmp_path / "store", forecast_seconds=0.0),
                       base_url="http://127.0.0.1:8000")
    got = quick.post("/api/advise", json=ASK)
    assert got.status_code == 503, got.text
    assert "stopped" in got.json()["detail"] and "web limit" in got.json()["detail"]


def test_options_that_change_nothing_are_one_line_and_those_that_lower_it_are_said(
        client: TestClient) -> None:
    """Eleven options leaving the probability where it was were listed one by one under
    'Not enough alone', and one that lowered it was not told apart."""
    from statecraft.api.advice_words import unreached_groups

    loaded = api.load(None)
    advice = advise(loaded, "aze", issue="peacekeepers", target="<= 40", samples=200)
    raising, lowering, idle = unreached_groups(advice.options)
    assert idle and all(round(o.after, 3) == round(o.before, 3) for o in idle)
    assert all(o.after > o.before for o in raising)
    assert all(o.after < o.before for o in lowering)
    assert len(raising) + len(lowering) + len(idle) == sum(not o.reaches for o in advice.options)
    page = _text(client.post("/ui/advise", json=ASK).text)
    assert f"No effect even at full size (P stays {advice.before:.3f}): " in page
    assert "persuade: Armenia's position" in page and "of the Deals panel with actor aze" in page
    assert "--actor" not in page  # the command line's words stay on the command line
    others = client.post("/ui/advise", json={**ASK, "actor": "arm", "issue": "transit_route",
                                            "target": ">= 60"})
    assert others.status_code == 200, others.text
    lowered = advise(loaded, "arm", issue="transit_route", target=">= 60", samples=200)
    if unreached_groups(lowered.options)[1]:
        assert 'id="advice-lowering"' in others.text and "These lower it:" in others.text


def test_an_actor_by_name_and_an_issue_written_loosely_are_understood(
        client: TestClient) -> None:
    by_id = client.post("/api/advise", json=ASK).json()
    loose = client.post("/api/advise", json={**ASK, "actor": "Azerbaijan",
                                              "issue": "Peacekeepers"}).json()
    assert loose == by_id and loose["actor"] == "aze"
    wrong = client.post("/api/advise", json={**ASK, "actor": "Atlantis"})
    assert wrong.status_code == 400 and "unknown actor 'Atlantis'" in wrong.text


def test_a_price_that_can_be_paid_ends_on_a_verdict_as_one_that_cannot() -> None:
    from statecraft.analysis.advise import Concession, Price

    def price(gain: float) -> Price:
        c = Concession("mediation", -45.0, 10.0, -5.0, 2.0, True, 1.5)
        return Price("arm", "aze", "peacekeepers", 70.2, 40.0, 2.0, gain, (c,), (c,), True)

    names = {"arm": "Armenia", "aze": "Azerbaijan"}
    assert price(25.68).package_cost == 1.5
    assert price_words(price(25.68), names)[-1].endswith(
        "total cost 1.50 against its gain of 25.68: Azerbaijan can pay Armenia's price and "
        "still gain 24.18.")
    assert price_words(price(1.0), names)[-1].endswith(
        "total cost 1.50 against its gain of 1.00: Armenia's price is more than Azerbaijan "
        "gains by the target.")


def test_a_search_whose_one_run_is_slow_stops_within_a_run_of_a_few_samples() -> None:
    """The search asked whether to stop only between runs of the model, so one slow run
    (the exchange model on 30 actors x 30 issues) outlasted the web's 60 s by minutes and
    went on after its client left."""
    import time

    from statecraft.api.deals import AdviceStopped
    from tests.web.test_deals_panel import wide_scenario

    loaded = api.load_scenario_text(wide_scenario(30, 30), "wide.yaml")
    start = time.monotonic()

    def after_a_second() -> str | None:
        return "the client disconnected" if time.monotonic() - start > 1.0 else None

    with pytest.raises(AdviceStopped, match=r"^the search for advice was stopped: the "
                                            r"client disconnected$"):
        advise(loaded, "a0", issue="i0", target="<= 5", samples=20, model="exchange",
               probability=0.99, should_stop=after_a_second, rows_per_call=20)
    assert time.monotonic() - start < 8.0  # one sample's run at most past the second


def test_searches_at_once_are_limited(client: TestClient) -> None:
    from statecraft.web.advise import SEARCHES_AT_ONCE

    held = client.app.state.advice_searches  # type: ignore[attr-defined]
    for _ in range(SEARCHES_AT_ONCE):
        assert held.acquire(blocking=False)
    got = client.post("/api/advise", json=ASK)
    assert got.status_code == 503 and got.headers["retry-after"] == "5"
    assert got.json()["detail"].startswith(f"{SEARCHES_AT_ONCE} searches for advice are")
    held.release()
    assert client.post("/ui/advise", json=ASK).status_code == 200  # and lets its place go
    assert client.post("/api/advise", json={**ASK, "actor": "zzz"}).status_code == 400
    assert held.acquire(blocking=False) and not held.acquire(blocking=False)


@pytest.mark.parametrize("value", [True, "30", [True, 40], [20, "40"]])
def test_an_edit_of_true_or_a_number_as_text_is_refused(client: TestClient,
                                                        value: object) -> None:
    """An edit's position true was read as 1 and the search ran on it."""
    got = client.post("/api/advise", json={**ASK, "changes": [
        {"actor": "rus", "issue": "peacekeepers", "position": value}]})
    assert got.status_code == 422, got.text
    assert any(d["loc"][:4] == ["body", "changes", 0, "position"] for d in got.json()["detail"])
