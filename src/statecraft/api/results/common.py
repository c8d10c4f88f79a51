"""What every typed result shares: where it came from (``Provenance``), the rows several
results hold (a question's probability, an issue's forecast), and the JSON and table
forms they take.

A result is a frozen record of what was computed. Its ``to_dict()`` is the JSON the
command line's ``--json`` and the web app give; its ``to_frame()`` (and named
``*_frame()`` methods for its other tables) the same rows as a pandas DataFrame, for a
notebook. pandas is imported only when a frame is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NotRequired, TypeAlias, TypedDict

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

    from statecraft.analysis.questions import QuestionForecast

Json: TypeAlias = bool | int | float | str | Sequence["Json"] | Mapping[str, "Json"] | None
"""A value that ``json.dumps`` writes as it is."""

SettingValue: TypeAlias = int | float | bool | str | None
"""One model setting's value (``statecraft.models.registry``)."""

Settings: TypeAlias = Mapping[str, SettingValue]
"""A model's settings by their shared names."""


def frame(rows: Iterable[Mapping[str, Json]], columns: Sequence[str] | None = None
          ) -> DataFrame:
    """Rows as a pandas DataFrame (imported here: a result that is never framed never
    imports pandas); ``columns`` keeps their order when there are no rows."""
    import pandas as pd

    return pd.DataFrame(list(rows), columns=list(columns) if columns is not None else None)


@dataclass(frozen=True)
class Provenance:
    """What produced a result: the analysis (``forecast``, ``backtest``, ``explain``,
    ``compare``, ``options``), the scenario, the models and each one's settings (those
    that differ from its defaults, by their shared names), the seed, the number of
    samples and how they were drawn (``method``), the statecraft version, and the
    identity of the model-error file that calibrated it (None: uncalibrated)."""

    analysis: str
    scenario: str
    models: tuple[str, ...]
    settings: Mapping[str, Settings]
    seed: int | None
    samples: int
    method: str
    version: str
    calibration: Mapping[str, Json] | None

    @classmethod
    def now(cls, analysis: str, scenario: str, models: Sequence[str], *,
            settings: Mapping[str, Settings] | None = None, seed: int | None,
            samples: int, method: str = "random",
            calibration: Mapping[str, Json] | None = None) -> Provenance:
        """A provenance stamped with this statecraft's version."""
        from statecraft import __version__

        return cls(analysis, scenario, tuple(models),
                   {m: dict(s) for m, s in (settings or {}).items()}, seed, samples, method,
                   __version__, None if calibration is None else dict(calibration))

    @property
    def model(self) -> str:
        """The model, or the models comma-separated."""
        return ",".join(self.models)

    def to_dict(self) -> dict[str, Json]:
        return {"analysis": self.analysis, "scenario": self.scenario,
                "models": list(self.models),
                "settings": {m: dict(s) for m, s in self.settings.items()},
                "seed": self.seed, "samples": self.samples, "method": self.method,
                "version": self.version,
                "calibration": None if self.calibration is None else dict(self.calibration)}


class FromProvenance:
    """What every result with a ``provenance`` says of it, by the same names: its model,
    settings, seed, samples, sampling method, statecraft version, the error file that
    calibrated it (``calibration``) and whether one did (``calibrated``). A result class
    inherits these and declares a ``provenance`` field."""

    provenance: Provenance

    @property
    def model(self) -> str:
        """The model, or the models comma-separated."""
        return self.provenance.model

    @property
    def settings(self) -> Mapping[str, Settings]:
        """Each model's settings that differ from its defaults, by their shared names."""
        return self.provenance.settings

    @property
    def seed(self) -> int | None:
        return self.provenance.seed

    @property
    def samples(self) -> int:
        return self.provenance.samples

    @property
    def method(self) -> str:
        """How the samples were drawn (``random``, ``lhs``)."""
        return self.provenance.method

    @property
    def version(self) -> str:
        """The statecraft version that computed it."""
        return self.provenance.version

    @property
    def calibration(self) -> Mapping[str, Json] | None:
        """The identity of the error file that calibrated it (None: uncalibrated)."""
        return self.provenance.calibration

    @property
    def calibrated(self) -> bool:
        """Whether it is calibrated (an error file calibrated it)."""
        return self.provenance.calibration is not None


@dataclass(frozen=True)
class QuestionProbability:
    """One question's probability over a forecast's samples: calibrated (the mean of the
    calibrated predictive probabilities) or the share of samples that meet it, with its
    Monte Carlo standard error; ``uncalibrated`` is the share of samples beside a
    calibrated probability, where it was computed. The one row every surface shows for
    a question (the command line, the page, the report, a comparison's two sides)."""

    id: str
    text: str
    issue: str
    condition: str
    probability: float
    std_error: float
    calibrated: bool
    resolution: bool | None = None
    resolved_on: dt.date | None = None
    uncalibrated: float | None = None

    @classmethod
    def of(cls, p: QuestionForecast, raw: QuestionForecast | None = None
           ) -> QuestionProbability:
        """The row of ``analysis.questions.probabilities``' answer for a question, with
        the same question's uncalibrated answer beside it when given."""
        q = p.question
        return cls(q.id, q.text, q.issue, q.condition, p.probability, p.std_error,
                   p.calibrated, q.resolution, q.resolved_on,
                   None if raw is None else raw.probability)

    @property
    def low(self) -> float:
        """The lower end of the normal-approximation 95% Monte Carlo interval (>= 0)."""
        return max(self.probability - 1.96 * self.std_error, 0.0)

    @property
    def high(self) -> float:
        """The upper end of that interval (<= 1)."""
        return min(self.probability + 1.96 * self.std_error, 1.0)

    def to_dict(self) -> dict[str, Json]:
        return {"id": self.id, "text": self.text, "issue": self.issue,
                "condition": self.condition, "probability": self.probability,
                "std_error": self.std_error, "low": self.low, "high": self.high,
                "resolution": self.resolution,
                "resolved_on": None if self.resolved_on is None
                else self.resolved_on.isoformat(),
                "uncalibrated": self.uncalibrated, "calibrated": self.calibrated}


QUESTION_COLUMNS = ("id", "text", "issue", "condition", "probability", "std_error", "low",
                    "high", "resolution", "resolved_on", "uncalibrated", "calibrated")


class CalibratedRow(TypedDict):
    """An issue's calibrated predictive summary as a plain row (``api.calibrated_rows``):
    median, the central intervals by level ("50", "80", "90") as [low, high], and a
    10-bin histogram of probabilities; ``issue`` where rows of several issues are listed."""

    median: float
    intervals: dict[str, list[float]]
    histogram: list[float]
    issue: NotRequired[str]


@dataclass(frozen=True)
class CalibratedSummary:
    """An issue's calibrated predictive distribution: its median, central intervals by
    level ("50", "80", "90") and a 10-bin histogram of probabilities over 0-100."""

    median: float
    intervals: Mapping[str, tuple[float, float]]
    histogram: tuple[float, ...]

    @classmethod
    def of(cls, row: CalibratedRow) -> CalibratedSummary:
        """From ``api.calibrated_rows``' row of the issue."""
        return cls(float(row["median"]),
                   {level: (float(lo), float(hi)) for level, (lo, hi) in row["intervals"].items()},
                   tuple(float(v) for v in row["histogram"]))

    def row(self) -> CalibratedRow:
        """As ``api.calibrated_rows`` gives it (without the issue)."""
        return {"median": self.median,
                "intervals": {k: list(v) for k, v in self.intervals.items()},
                "histogram": list(self.histogram)}

    def to_dict(self) -> dict[str, Json]:
        return {"median": self.median,
                "intervals": {k: list(v) for k, v in self.intervals.items()},
                "histogram": list(self.histogram)}


@dataclass(frozen=True)
class IssueSummary:
    """One issue's forecast: its status quo; the median, 5% and 95% of the samples (the
    inputs' spread) and their counts in ten bins over 0-100; the calibrated predictive
    summary when calibrated (``predictive``; ``calibrated`` says whether there is one, as
    it says of a question's probability); and the named point of the scale nearest the
    median (the calibrated one when there is one), ``anchor``, which says so when no
    sample reached it (``anchor_reached`` False; ``reached``: the lowest and highest
    sample)."""

    issue: str
    question: str
    status_quo: float
    median: float
    p05: float
    p95: float
    counts: tuple[int, ...]
    anchor: str
    anchor_reached: bool
    reached: tuple[float, float]
    predictive: CalibratedSummary | None = field(default=None)

    @property
    def calibrated(self) -> bool:
        """Whether the issue's forecast is calibrated (has a predictive summary)."""
        return self.predictive is not None

    @property
    def histogram(self) -> tuple[float, ...]:
        """The samples' ten bins as shares (as the calibrated histogram is)."""
        total = max(1, sum(self.counts))
        return tuple(c / total for c in self.counts)

    @property
    def centre(self) -> float:
        """The calibrated median when calibrated, else the samples' median."""
        return self.median if self.predictive is None else self.predictive.median

    def to_dict(self) -> dict[str, Json]:
        return {"issue": self.issue, "question": self.question,
                "status_quo": self.status_quo, "median": self.median, "p05": self.p05,
                "p95": self.p95, "anchor": self.anchor,
                "anchor_reached": self.anchor_reached, "reached": list(self.reached),
                "histogram": list(self.histogram), "counts": list(self.counts),
                "calibrated": self.calibrated,
                "predictive": None if self.predictive is None else self.predictive.to_dict()}

    def row(self) -> dict[str, Json]:
        """The flat row of ``Forecast.to_frame``."""
        cal = self.predictive
        out: dict[str, Json] = {"issue": self.issue, "status_quo": self.status_quo,
                                "median": self.median, "p05": self.p05, "p95": self.p95,
                                "anchor": self.anchor}
        out["calibrated_median"] = None if cal is None else cal.median
        for level in ("50", "90"):
            lo, hi = (None, None) if cal is None else cal.intervals[level]
            out[f"calibrated_{level}_low"], out[f"calibrated_{level}_high"] = lo, hi
        return out


ISSUE_COLUMNS = ("issue", "status_quo", "median", "p05", "p95", "anchor",
                 "calibrated_median", "calibrated_50_low", "calibrated_50_high",
                 "calibrated_90_low", "calibrated_90_high")
