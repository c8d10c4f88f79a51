"""An error about a setting names it as the API does (``as_of``), carries it as
``option``, and each interface names it its own way: the command line by its flag
(``--as-of``), the web app by its request's field or the scenario's."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statecraft import api
from statecraft.cli import app
from statecraft.cli.common import flag, message_of
from tests.conftest import DATA

FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _bundled_without_as_of() -> str:
    text = api.read_scenario_text(api.default_scenario_path())
    kept = [line for line in text.splitlines() if not line.startswith("as_of:")]
    assert len(kept) == len(text.splitlines()) - 1
    return "\n".join(kept) + "\n"


def test_an_api_error_names_the_setting_not_a_flag() -> None:
    loaded = api.load(DATA / "small.yaml")  # no as_of
    with pytest.raises(api.OptionError) as got:
        api.timeline(loaded)
    assert got.value.option == "as_of"
    assert str(got.value).endswith("(as_of)") and not FLAG.search(str(got.value))
    assert isinstance(got.value, api.InputError) and isinstance(got.value, ValueError)
    with pytest.raises(api.OptionError) as uncal:
        api.forecast_run(loaded, samples=5, seed=1, model="eum",
                         params={"max_rounds": 7})
    assert uncal.value.option == "calibrated" and not FLAG.search(str(uncal.value))


def test_an_option_error_survives_pickling_whole() -> None:
    exc = api.OptionError("the number of sentences is 0; expected 1 or more", "top")
    back = pickle.loads(pickle.dumps(exc))
    assert (type(back), str(back), back.option, back.message) == (
        api.OptionError, str(exc), "top", exc.message)


def test_the_command_line_names_the_flag_that_gives_the_setting() -> None:
    assert [flag(o) for o in ("as_of", "calibrated", "top", "force")] == [
        "--as-of", "--uncalibrated", "--top", "--force"]
    exc = api.OptionError("the scenario has no as_of date; give the date", "as_of")
    assert message_of(exc) == "the scenario has no as_of date; give the date (--as-of)"
    runner = CliRunner()
    shown = runner.invoke(app, ["timeline", str(DATA / "small.yaml"), "-q"])
    assert shown.exit_code == 1
    assert "(--as-of)" in shown.stderr and "(as_of)" not in shown.stderr
    rounds = runner.invoke(app, ["forecast", str(DATA / "small.yaml"), "--model", "eum",
                                 "--rounds", "7", "--samples", "5", "--no-store", "-q"])
    assert rounds.exit_code == 1
    assert "without calibration (--uncalibrated)" in " ".join(rounds.stderr.split())


def test_the_web_app_names_the_field_never_a_flag(tmp_path: Path) -> None:
    pytest.importorskip("fastapi", reason="needs the 'web' extra")
    from fastapi.testclient import TestClient

    from statecraft.web import create_app

    client = TestClient(create_app(tmp_path / "store"), base_url="http://127.0.0.1:8000")
    got = client.post("/api/options", json={"text": _bundled_without_as_of()})
    assert got.status_code == 400
    detail = got.json()["detail"]
    assert detail.endswith("(the scenario's as_of)") and not FLAG.search(detail)
