"""The API reference builds from the docstrings without a warning (pdoc): every public
name of the front door, the API and its typed results, with its signature resolved."""

from __future__ import annotations

import warnings
from pathlib import Path

import pdoc

MODULES = ("statecraft", "statecraft.api", "statecraft.api.results", "statecraft.api.study")


def test_the_api_reference_builds_without_warnings(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an annotation pdoc cannot resolve, a bad link, ...
        pdoc.pdoc(*MODULES, output_directory=tmp_path)
    api = (tmp_path / "statecraft" / "api.html").read_text(encoding="utf-8")
    results = (tmp_path / "statecraft" / "api" / "results.html").read_text(encoding="utf-8")
    study = (tmp_path / "statecraft" / "api" / "study.html").read_text(encoding="utf-8")
    for name in ("forecast", "forecast_run", "compare_forecasts", "options_analysis", "backtest"):
        assert f'id="{name}"' in api, name
    for name in ("Forecast.to_frame", "Forecast.to_dict", "Comparison.questions_frame",
                 "Provenance"):
        assert f'id="{name}"' in results, name
    for name in ("load", "Study.with_changes", "Study.forecast"):
        assert f'id="{name}"' in study, name
