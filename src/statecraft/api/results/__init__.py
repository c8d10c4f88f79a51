"""The typed results of the API: frozen records of what was computed, each with its
provenance (``Provenance``), ``to_dict()`` (its JSON, as the command line's ``--json`` and
the web app give it) and ``to_frame()`` (its main table as a pandas DataFrame; other
tables by named ``*_frame()`` methods).

The command line, the web app and the report render these same objects.
"""

from __future__ import annotations

from statecraft.api.results.backtest import Backtest, BacktestQuestion
from statecraft.api.results.common import (
    CalibratedSummary,
    IssueSummary,
    Json,
    Provenance,
    QuestionProbability,
    Settings,
    SettingValue,
)
from statecraft.api.results.comparison import Comparison, IssueShift, QuestionShift
from statecraft.api.results.explanation import Explanation, InputEffect
from statecraft.api.results.forecast import Forecast
from statecraft.api.results.options import GameNode, GameOption, NamedOutcome, OptionsGame

__all__ = [
    "Backtest",
    "BacktestQuestion",
    "CalibratedSummary",
    "Comparison",
    "Explanation",
    "Forecast",
    "GameNode",
    "GameOption",
    "InputEffect",
    "IssueShift",
    "IssueSummary",
    "Json",
    "NamedOutcome",
    "OptionsGame",
    "Provenance",
    "QuestionProbability",
    "QuestionShift",
    "SettingValue",
    "Settings",
]
