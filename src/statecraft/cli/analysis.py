"""Scoring and explaining forecasts: ``backtest`` and ``explain``."""

from __future__ import annotations
