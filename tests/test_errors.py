"""One hierarchy of errors, mapped to exit codes and HTTP statuses by type."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from statecraft import api, errors
from statecraft.calibration.errorfile import ErrorFileError
from statecraft.cli.common import EXIT_CODES, exit_code
from statecraft.files import InputFileError
from statecraft.games.tree import GameTooLarge
from statecraft.scenario.xlsx import WorkbookError
from statecraft.web.app import HTTP_STATUS, http_status
from statecraft.web.bounded import TooMuchWork

KINDS = (errors.InputError, errors.LimitError, errors.NotFoundError, errors.BusyError,
         errors.DamagedError, errors.StoppedError)

EXISTING: list[tuple[BaseException, type[BaseException], int, int]] = [
    # (an error the code raises, its kind, its HTTP status, its exit code)
    (api.ScenarioError([]), errors.InputError, 422, 1),
    (api.SettingError("unknown model 'x'", "x"), errors.InputError, 400, 1),
    (InputFileError("f.yaml", "scenario", "missing", cause="missing"), errors.InputError, 400,
     1),
    (ErrorFileError("bad"), errors.InputError, 400, 1),
    (WorkbookError([]), errors.InputError, 400, 1),
    (GameTooLarge("too many nodes"), errors.LimitError, 413, 1),
    (TooMuchWork("too large for the web"), errors.LimitError, 413, 1),
    (api.RunNotFound("no run 'x'"), errors.NotFoundError, 404, 1),
    (api.StoreBusy("busy"), errors.BusyError, 503, 1),
    (api.StoreDamaged("damaged"), errors.DamagedError, 500, 1),
    (api.StoreError("run x is running, not complete"), errors.StatecraftError, 409, 1),
    (api.ForecastStopped("ran out of time", "r1"), errors.StoppedError, 503, 130),
]


@pytest.mark.parametrize(("exc", "kind", "status", "code"), EXISTING,
                         ids=[type(e[0]).__name__ for e in EXISTING])
def test_each_error_is_its_kind_and_maps_by_type(exc: BaseException,
                                                  kind: type[BaseException], status: int,
                                                  code: int) -> None:
    assert isinstance(exc, kind) and isinstance(exc, errors.StatecraftError)
    assert http_status(exc) == status
    assert exit_code(exc) == code


def test_bad_input_is_still_a_value_error_for_callers_that_catch_one() -> None:
    for exc, kind, _, _ in EXISTING:
        if issubclass(kind, errors.InputError):
            assert isinstance(exc, ValueError)


def test_errors_without_a_kind() -> None:
    assert http_status(ValueError("refused by a lower layer")) == 400
    assert http_status(RuntimeError("a bug")) == 500
    assert exit_code(RuntimeError("a bug")) == 1


def test_the_tables_list_every_kind_and_nothing_by_message() -> None:
    assert set(KINDS) <= set(HTTP_STATUS)
    assert errors.StatecraftError in EXIT_CODES and errors.StoppedError in EXIT_CODES
    assert all(isinstance(k, type) for k in (*HTTP_STATUS, *EXIT_CODES))


def test_an_uncaught_error_is_one_line_and_its_exit_code(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from statecraft import cli

    def stopped(*args: object, **kwargs: object) -> None:
        raise api.ForecastStopped("was interrupted")

    monkeypatch.setattr(api, "timeline", stopped)
    monkeypatch.setattr(sys, "argv", ["statecraft", "timeline", "-q"])
    with pytest.raises(SystemExit) as ended:
        cli.main()
    assert ended.value.code == 130
    said = capsys.readouterr().err
    assert "error: was interrupted" in said and "Traceback" not in said
