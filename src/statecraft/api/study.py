"""The front door for a notebook: ``statecraft.load`` and the ``Study`` it returns.

    import statecraft

    sc = statecraft.load("south-caucasus-2021")   # a bundled scenario, or a file's path
    fc = sc.forecast(samples=10_000, seed=7)
    fc.to_frame()                                  # per issue, as a DataFrame
    what_if = sc.with_changes({"position.rus.peacekeepers": 100})
    fc.compare(what_if.forecast(samples=10_000, seed=7)).to_frame()

Every method is one call of the API (``statecraft.api``) and returns its typed result
(``statecraft.api.results``); nothing here computes anything itself.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from statecraft.analysis.questions import Question, QuestionSet
from statecraft.api.results.backtest import Backtest
from statecraft.api.results.common import Json, Settings
from statecraft.api.results.explanation import Explanation
from statecraft.api.results.forecast import Forecast
from statecraft.api.results.options import OptionsGame
from statecraft.errors import InputError
from statecraft.models.registry import DEFAULT_MODEL
from statecraft.rules import Timeline
from statecraft.scenario import Loaded, Problem, Scenario
from statecraft.scenario.provenance import Edit
from statecraft.scenario.schema import Uncertain

if TYPE_CHECKING:
    from pandas import DataFrame  # type: ignore[import-untyped]

    from statecraft.analysis.advise import Advice
    from statecraft.analysis.deals import Deals
    from statecraft.scenario.edit import StanceChange
    from statecraft.store import RunStore

Value = float | tuple[float, float]
"""A stance's new position or salience: a number, or a (low, high) range."""

CHANGE_FIELDS = ("position", "salience")
"""What ``Study.with_changes`` can change in a stance."""


def _bundled(name: str) -> Path | None:
    """The bundled scenario called ``name`` (with or without ``.yaml``), if there is one."""
    from statecraft.api.loading import bundled_scenarios_dir

    folder = bundled_scenarios_dir()
    for candidate in (name, f"{name}.yaml"):
        if "/" in candidate or "\\" in candidate or candidate.startswith("."):
            return None
        if (folder / candidate).is_file():
            return folder / candidate
    return None


def load(scenario: str | Path | None = None, *, questions: str | Path | None = None,
         strict: bool = False, sources_dirs: Sequence[str | Path] = ()) -> Study:
    """Load and validate a scenario for analysis: a file's path, the name of a bundled
    scenario (``"south-caucasus-2021"``, with or without ``.yaml``), or None for the
    default one. A path that is a file wins over a bundled name.

    ``questions`` is a question file asked of its forecasts; by default a bundled
    scenario's bundled question set. A file that does not validate is a
    ``ScenarioError`` naming its file, line and field (``strict``: warnings too)."""
    from statecraft.api.bottomline import bundled_questions_for
    from statecraft.api.loading import (
        bundled_scenarios_dir,
        default_scenario_path,
        load_questions,
        sources_dirs_for,
    )
    from statecraft.api.loading import load as load_file

    path: Path | None = None
    if scenario is not None and not isinstance(scenario, str | Path):
        raise InputError(f"scenario: found {scenario!r} ({type(scenario).__name__}); "
                         "expected a scenario file's path, a bundled scenario's name or "
                         "None (the default scenario)")
    if scenario is not None:
        path = Path(scenario)
        if path.suffix.lower() == ".xlsx" and path.is_file():
            raise InputError(f"{path}: a workbook (.xlsx), not a scenario file; turn it "
                             "into one with statecraft.api.import_xlsx (on the command "
                             f"line: statecraft import-xlsx {path} -o scenario.yaml) and "
                             "load that")
        if not path.is_file():
            found = _bundled(str(scenario)) if isinstance(scenario, str) else None
            if found is None and (path.exists() or path.is_symlink()):
                found = path  # a folder, a FIFO, ...: the loader says what it is
            if found is None:
                from statecraft.api.loading import DEFAULT_SCENARIO

                raise FileNotFoundError(
                    f"{scenario}: no such scenario file, nor a bundled scenario of that "
                    f"name (in {bundled_scenarios_dir()}: e.g. "
                    f"{DEFAULT_SCENARIO.removesuffix('.yaml')})")
            path = found
    loaded = load_file(path, strict=strict, sources_dirs=sources_dirs)
    qs = (load_questions(questions, loaded) if questions is not None
          else bundled_questions_for(loaded))
    where = loaded.path if loaded.path is not None else default_scenario_path()
    return Study(loaded, qs, sources_dirs_for(where, sources_dirs))


def _shown(value: object, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters (a 400-digit number is not shown whole;
    ``repr`` of a huge int may itself be refused)."""
    try:
        text = repr(value)
    except ValueError:
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= limit else text[:limit] + "..."


def _changes(changes: Mapping[str, Value]) -> list[StanceChange]:
    """``with_changes``' mapping as the scenario editor's stance changes, one per stance;
    a key not of the form ``position.ACTOR.ISSUE`` or ``salience.ACTOR.ISSUE`` is a
    ``ValueError`` naming it."""
    from statecraft.scenario.edit import StanceChange

    if not isinstance(changes, Mapping):
        raise InputError(f"changes: found {_shown(changes)} ({type(changes).__name__}); "
                         "expected a mapping of 'position.ACTOR.ISSUE' or "
                         "'salience.ACTOR.ISSUE' to a number or a (low, high) pair")
    by_stance: dict[tuple[str, str], dict[str, Value]] = {}
    for key, value in changes.items():
        parts = key.split(".") if isinstance(key, str) else []
        if len(parts) != 3 or parts[0] not in CHANGE_FIELDS or not all(parts):
            raise InputError(f"change {_shown(key)}: expected 'position.ACTOR.ISSUE' or "
                             "'salience.ACTOR.ISSUE' (ids, as explain and compare name "
                             "inputs)")
        if isinstance(value, bool) or not (
                isinstance(value, int | float)
                or (isinstance(value, tuple | list) and len(value) == 2
                    and all(isinstance(v, int | float) and not isinstance(v, bool)
                            for v in value))):
            raise InputError(f"change {key!r}: found {_shown(value)}; expected a number or "
                             "a (low, high) pair")
        try:
            new = (float(value[0]), float(value[1])) if isinstance(value, tuple | list) \
                else float(value)
        except OverflowError:
            new = math.inf
        if not all(math.isfinite(v) for v in (new if isinstance(new, tuple) else (new,))):
            raise InputError(f"change {key!r}: found {_shown(value)}; expected a finite "
                             f"{parts[0]} ({'0 to 100' if parts[0] == 'position' else '0 to 1'})")
        by_stance.setdefault((parts[1], parts[2]), {})[parts[0]] = new
    return [StanceChange(actor, issue, v.get("position"), v.get("salience"))
            for (actor, issue), v in by_stance.items()]


def _ends(value: Uncertain) -> tuple[float, float]:
    """A value's low and high ends (a number's are itself)."""
    return (value[0], value[1]) if isinstance(value, tuple) else (value, value)


@dataclass(frozen=True)
class Study:
    """A scenario under study, and the questions asked of it.

    Named ``Study``, not ``Scenario``: ``statecraft.scenario.Scenario`` is the validated
    file itself (actors, issues, stances), which a study holds (``scenario``) beside what
    an analysis needs around it: where it was read from, what it was edited from, its
    warnings and its questions. Like Nashpy's ``Game``, it is a small object whose
    one-line methods call the pure functions of the API: ``forecast``, ``with_changes``
    (a what-if), ``options``, ``deals``, ``advise``, ``backtest``, ``explain``,
    ``timeline``, ``validate``.
    Frozen: a what-if is a new study, the original unchanged.
    """

    loaded: Loaded
    question_set: QuestionSet | None = field(default=None, repr=False)
    sources_dirs: tuple[Path, ...] = field(default=(), repr=False)  # where else its
    # documents may be read from (as it was loaded), for its what-ifs

    @property
    def scenario(self) -> Scenario:
        """The validated scenario (``statecraft.scenario.Scenario``)."""
        return self.loaded.scenario

    @property
    def name(self) -> str:
        return self.loaded.scenario.name

    @property
    def path(self) -> Path | None:
        """The file it was read from (None for an edited copy: it is not that file)."""
        return self.loaded.path

    @property
    def edits(self) -> tuple[Edit, ...]:
        """Each value that is not the one its sources cite (empty: as cited)."""
        cited = self.loaded.cited
        return () if cited is None else tuple(cited.edits(self.loaded.scenario))

    @property
    def edited_from(self) -> str | None:
        """The name of the scenario this one was edited from (None: not edited)."""
        return None if self.loaded.cited is None else self.loaded.cited.name

    def __repr__(self) -> str:
        s = self.loaded.scenario
        edited = f", edited from {self.edited_from}" if self.edited_from else ""
        return (f"Study({s.name!r}: {len(s.actors)} actors, {len(s.issues)} issues, "
                f"{0 if self.question_set is None else len(self.question_set.questions)} "
                f"questions{edited})")

    def stances_frame(self) -> DataFrame:
        """Each stance (rows): actor, issue, position and salience (low and high ends)."""
        from statecraft.api.results.common import frame

        rows: list[dict[str, Json]] = []
        for st in self.loaded.scenario.stances:
            plo, phi = _ends(st.position)
            slo, shi = _ends(st.salience)
            rows.append({"actor": st.actor, "issue": st.issue, "position_low": plo,
                         "position_high": phi, "salience_low": slo, "salience_high": shi})
        return frame(rows, ("actor", "issue", "position_low", "position_high",
                            "salience_low", "salience_high")).set_index(["actor", "issue"])

    def validate(self, *, strict: bool = False) -> tuple[Problem, ...]:
        """The scenario's warnings (a stance without a source, a quote not found in its
        document, an edited value, ...). ``strict`` makes them errors, as
        ``statecraft validate --strict`` does: a ``ScenarioError`` listing them."""
        from statecraft.scenario import ScenarioError

        if strict and self.loaded.warnings:
            raise ScenarioError(list(self.loaded.warnings))
        return self.loaded.warnings

    def forecast(self, samples: int = 10_000, seed: int = 7, model: str = DEFAULT_MODEL, *,
                 settings: Settings | None = None, calibrated: bool = True,
                 method: str = "random", questions: str | Path | QuestionSet | None = None,
                 store: RunStore | None = None, workers: int = 0) -> Forecast:
        """A Monte Carlo forecast (``api.forecast``): ``samples`` draws of the scenario's
        ranges, seeded, through ``model`` with its ``settings``; calibrated by the model's
        measured errors unless ``calibrated`` is False (other settings than the defaults
        have none). It asks the study's questions (or ``questions``) and is saved in
        ``store`` when one is given."""
        from statecraft.api.loading import load_questions
        from statecraft.api.monte_carlo import forecast

        qs = self.question_set
        if questions is not None:
            qs = (questions if isinstance(questions, QuestionSet)
                  else load_questions(questions, self.loaded))
        fc = forecast(self.loaded, samples=samples, seed=seed, model=model, questions=qs,
                      params=settings, calibrated=calibrated, method=method, store=store,
                      workers=workers)
        if fc.failures:
            raise ValueError(f"the forecast failed: {fc.failures[0].error}")
        return fc

    def with_changes(self, changes: Mapping[str, Value]) -> Study:
        """A what-if: this scenario with stances changed, by the names explain and compare
        give inputs (``{"position.rus.peacekeepers": 100, "salience.tur.corridor":
        (0.6, 0.9)}``). The new study records that it was edited from the original and
        which values are edits (``edits``; its forecasts and reports say so too), as an
        edit made in the web page does. A change that does not validate is a
        ``ScenarioError`` naming whose value it is."""
        from statecraft.api.editing import edit_scenario

        made = _changes(changes)
        loaded = self.loaded
        cited = loaded.cited
        where = loaded.path or (Path(cited.path) if cited and cited.path else None)
        name = cited.name if cited is not None else (
            where.name if where is not None else loaded.scenario.name)
        edited = edit_scenario(
            loaded.text, name, made, path=where,
            base_dir=None if where is None else where.parent,
            read_documents=where is not None, sources_dirs=self.sources_dirs)
        return Study(edited, self.question_set, self.sources_dirs)

    def options(self, samples: int = 0, seed: int | None = None, *, lam: float | None = None,
                as_of: dt.date | None = None) -> OptionsGame:
        """The options game (``api.options_analysis``): subgame-perfect choices and QRE
        probabilities, with ``samples`` Monte Carlo draws of the inputs when asked."""
        from statecraft.api.options import options_analysis

        return options_analysis(self.loaded, samples=samples, seed=seed, lam=lam,
                                as_of=as_of)

    def timeline(self, as_of: dt.date | None = None) -> Timeline:
        """The scenario's treaty clauses on a date (``api.timeline``)."""
        from statecraft.api.options import timeline

        return timeline(self.loaded, as_of)

    def backtest(self, questions: str | Path | QuestionSet | None = None,
                 models: Sequence[str] = (DEFAULT_MODEL,), *, samples: int = 10_000,
                 seed: int = 7, calibrated: bool = True) -> Backtest:
        """Score the resolved questions (the study's, or ``questions``) for each model
        beside the baselines (``api.backtest``)."""
        from statecraft.api.loading import load_questions
        from statecraft.api.monte_carlo import backtest

        qs = self.question_set
        if questions is not None:
            qs = (questions if isinstance(questions, QuestionSet)
                  else load_questions(questions, self.loaded))
        if qs is None:
            raise ValueError(f"{self.name}: no questions to score; give questions= (a "
                             "question file with resolutions)")
        return backtest(self.loaded, qs, list(models), samples=samples, seed=seed,
                        calibrated=calibrated)

    def deals(self, actor: str | None = None, *, samples: int = 0, seed: int = 7) -> Deals:
        """The trades across issues that pay both sides, by joint gain (``api.deals``):
        those ``actor`` is party to, when given; with ``samples``, the share of Monte Carlo
        samples in which each still pays both."""
        from statecraft.api.deals import find_deals

        return find_deals(self.loaded, actor=actor, samples=samples, seed=seed)

    def advise(self, actor: str, *, issue: str, target: str, probability: float = 0.5,
               samples: int = 2000, seed: int = 7, model: str = DEFAULT_MODEL,
               calibrated: bool = True) -> Advice:
        """The smallest changes that make ``issue target`` (e.g. ``"<= 40"``) at least
        ``probability`` likely, cheapest first for ``actor``, and the price of each actor
        who loses by it (``api.advise``)."""
        from statecraft.api.deals import advise

        return advise(self.loaded, actor, issue=issue, target=target,
                      probability=probability, samples=samples, seed=seed, model=model,
                      calibrated=calibrated)

    def question(self, question_id: str) -> Question:
        """One of the study's questions, by id (a ``KeyError`` naming those there are)."""
        qs = self.question_set.questions if self.question_set is not None else []
        for q in qs:
            if q.id == question_id:
                return q
        raise KeyError(f"no question {question_id!r}; expected one of "
                       + (", ".join(q.id for q in qs) or "none (give questions= to load)"))

    def explain(self, question: str | Question, samples: int = 4000, seed: int = 7,
                model: str = DEFAULT_MODEL, *, top: int = 10, total: int = 0,
                calibrated: bool = True) -> Explanation:
        """What drives a question's probability (``api.explain``; needs SALib, the
        ``sensitivity`` extra): the question by id among the study's, or given."""
        from statecraft.api.monte_carlo import explain

        q = self.question(question) if isinstance(question, str) else question
        return explain(self.loaded, q, samples=samples, seed=seed, model=model, top=top,
                       total=total, calibrated=calibrated)
