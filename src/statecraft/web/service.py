"""What the web app does, apart from HTTP: resolve a scenario, apply edits, forecast.

A scenario comes either by name from the bundled ones (never by a path the client gives)
or as text the client uploaded and sends back; edits to stances are applied to its text
and the result validated like any file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from statecraft import api
from statecraft.web.bounded import WEB_WORK_LIMIT, check_work


def _not_a_switch(value: object) -> object:
    """A number from a request, never ``true`` or ``false`` (which pydantic reads as 1 and
    0) nor a number written as text."""
    if isinstance(value, bool | str):
        raise ValueError("expected a number")
    return value


Number = Annotated[float, BeforeValidator(_not_a_switch)]
Value = Number | tuple[Number, Number]


class Change(BaseModel):
    """New values for one stance: a number, or a [low, high] range."""

    model_config = ConfigDict(extra="forbid")
    actor: str = Field(max_length=64)
    issue: str = Field(max_length=64)
    position: Value | None = Field(None, description="0-100")
    salience: Value | None = Field(None, description="0-1")


class ScenarioRef(BaseModel):
    """A bundled scenario by name, or a scenario's full text (as uploaded); neither means
    the bundled default scenario, as on the command line."""

    model_config = ConfigDict(extra="forbid")
    bundled: str | None = Field(None, description="the file name of a bundled scenario "
                                "(default: " + api.DEFAULT_SCENARIO + ", when no text is "
                                "given either)")
    text: str | None = Field(None, max_length=1024 * 1024, description="scenario YAML")
    changes: list[Change] = Field(default_factory=list, max_length=2000)


class ForecastRequest(ScenarioRef):
    """A forecast to run; its numbers and switch are strict (``true`` is not a count,
    ``"10"`` not a number, ``1`` not a switch)."""

    model: str = api.DEFAULT_MODEL
    samples: int = Field(1000, ge=1, le=5000, strict=True, description=(
        f"at most 5,000, and actors x issues x samples x rounds at most {WEB_WORK_LIMIT:,}: "
        "larger runs belong to the command line"))
    seed: int = Field(7, ge=0, le=2**63 - 1, strict=True)
    calibrated: bool = Field(True, strict=True, description="combine the samples with the model's "
                             "measured error on real decisions (false: the inputs' spread "
                             "alone)")
    questions: str | None = Field(None, max_length=1024 * 1024, description=(
        "a questions file's YAML, asked of the forecast in place of the bundled "
        "questions (its problems are answered 422, each named)"))
    progress_token: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9-]+$",
                                       description="a name of the client's choosing under "
                                       "which GET /api/progress/TOKEN reports how far the "
                                       "forecast has got")


class Progress:
    """How far running forecasts have got, by the token their clients chose; the newest
    ``keep`` tokens are remembered (thread-safe: forecasts run on the server's threads)."""

    def __init__(self, keep: int = 256) -> None:
        self._lock = threading.Lock()
        self._done: OrderedDict[str, tuple[int, int]] = OrderedDict()
        self.keep = keep

    def update(self, token: str, done: int, total: int) -> None:
        with self._lock:
            self._done[token] = (done, total)
            self._done.move_to_end(token)
            while len(self._done) > self.keep:
                self._done.popitem(last=False)

    def get(self, token: str) -> tuple[int, int] | None:
        with self._lock:
            return self._done.get(token)


def bundled_names() -> list[str]:
    """The bundled scenarios' file names."""
    return sorted(p.name for p in api.bundled_scenarios_dir().glob("*.yaml"))


def bundled_name(ref: ScenarioRef) -> str | None:
    """The bundled scenario a request means: the one it names, the default when it gives
    no text either, or None for uploaded text."""
    if ref.bundled is not None and ref.text is not None:
        raise ValueError("give either a bundled scenario's name or a scenario's text, "
                         "not both")
    if ref.text is not None:
        return None
    return ref.bundled if ref.bundled is not None else api.DEFAULT_SCENARIO


def resolve(ref: ScenarioRef) -> api.Loaded:
    """Validate the scenario a request names, with its edits applied. An edited scenario
    knows what it was edited from (``Loaded.cited``) and has no path: its run records the
    bundled file (or the upload) as its cited original, never as the file that ran."""
    bundled = bundled_name(ref)
    path = None
    if bundled is not None:
        if bundled not in bundled_names():
            raise ValueError(f"no bundled scenario {bundled!r}; expected one of "
                             + ", ".join(bundled_names()))
        path = api.bundled_scenarios_dir() / bundled
        text, name, base = api.read_scenario_text(path), bundled, path.parent
    else:
        text, name, base = ref.text or "", "uploaded scenario", None
    twice = duplicate_changes(ref.changes, name)
    if twice:
        raise api.ScenarioError(twice)
    # the client's text names its own source paths: never open them
    try:
        loaded = api.edit_scenario(text, name, [
            api.StanceChange(c.actor, c.issue, c.position, c.salience) for c in ref.changes],
            path=path, base_dir=base, read_documents=base is not None,
            sources_dirs=api.bundled_sources_dirs())
    except api.ScenarioError as exc:
        raise worded(exc, text) from None
    if path is not None and loaded.cited is None:  # the bundled file as it is
        loaded = replace(loaded, path=path)
    return loaded


def duplicate_changes(changes: list[Change], name: str) -> list[api.Problem]:
    """A problem for each change of a stance an earlier change already changed: which
    one would count is not the client's to guess (the last won, silently)."""
    first: dict[tuple[str, str], int] = {}
    out = []
    for k, c in enumerate(changes):
        if (c.actor, c.issue) in first:
            out.append(api.Problem(
                name, None, None, ("changes", k),
                f"actor {c.actor!r} on issue {c.issue!r} is changed twice (changes "
                f"{first[c.actor, c.issue]} and {k}); give one change per stance, with its "
                "position and salience together"))
        else:
            first[c.actor, c.issue] = k
    return out


def worded(exc: api.ScenarioError, text: str | bytes) -> api.ScenarioError:
    """The problems of a scenario's text with whose value each names in words ("Turkey on
    karabakh_status, salience: found ...", ``api.in_words``): the page shows them to
    someone who may not read field paths."""
    return api.in_words(exc, text)


def bundled_questions(ref: ScenarioRef, loaded: api.Loaded) -> api.QuestionSet | None:
    """The bundled question set of a bundled scenario (same file name), if any."""
    bundled = bundled_name(ref)
    if bundled is None:
        return None
    path = api.bundled_questions_dir() / bundled
    if not path.is_file():
        return None
    try:
        return api.load_questions(path, loaded)
    except api.ScenarioError:
        return None


def asked_questions(req: ForecastRequest, loaded: api.Loaded) -> api.QuestionSet | None:
    """The questions a forecast asks: those of the request's questions text, validated
    against the scenario (a ``ScenarioError`` naming each problem), or else the bundled
    ones of a bundled scenario."""
    if req.questions is None:
        return bundled_questions(req, loaded)
    return api.questions_from_text(req.questions, loaded, "uploaded questions")


HISTORY_SAMPLES = 100
"""How many of a run's samples the round-by-round plot follows (it recomputes them)."""


@dataclass(frozen=True)
class ForecastView:
    """A forecast (``api.Forecast``) shaped for the page and the API: its JSON form, and
    the URLs of its figures.

    The figures are not in it: they are drawn from the saved run when the page (or a
    client) fetches their URLs, so a forecast comes back as soon as it is computed.
    """

    forecast: api.Forecast
    data: Mapping[str, api.Json]  # forecast.to_dict(), made once
    distributions_url: str | None = None  # PNG of the forecast distributions
    trajectories_url: str | None = None  # PNG of the forecasts round by round

    @classmethod
    def of(cls, forecast: api.Forecast, distributions_url: str | None = None,
           trajectories_url: str | None = None) -> ForecastView:
        return cls(forecast, forecast.to_dict(), distributions_url, trajectories_url)

    def __getattr__(self, name: str) -> api.Json:
        """The forecast's JSON fields by name (``view.issues``, ``view.bottom_line``, ...),
        as the page's template reads them."""
        if name.startswith("_") or name in ("forecast", "data"):
            raise AttributeError(name)
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    def as_dict(self) -> dict[str, api.Json]:
        return {**self.data, "distributions_url": self.distributions_url,
                "trajectories_url": self.trajectories_url}


def model_rounds(model: str) -> int:
    """The most rounds a model runs at its defaults, from the model registry: one for a
    model without rounds, the sum of those it runs for one that runs others (the
    ensemble)."""
    spec = api.model_spec(model)
    if spec.runs:
        return sum(model_rounds(m) for m in spec.runs)
    return max(1, int(spec.defaults.as_dict().get("max_rounds", 1)))


def forecast(req: ForecastRequest, store: api.RunStore, progress: Progress | None = None,
             should_stop: Callable[[], str | None] | None = None) -> ForecastView:
    """Run and save a forecast; per issue and per question (the request's, or else the
    bundled ones), what it says. With
    ``progress`` and a request token, how far it has got is reported block by block.

    A forecast over the web's size limit is refused before anything runs (``TooMuchWork``);
    ``should_stop`` is handed to the forecast, which stops (``api.ForecastStopped``, the run
    marked interrupted) once it gives a reason."""
    rounds = model_rounds(req.model)
    loaded = resolve(req)
    questions = asked_questions(req, loaded)  # before anything runs: a bad text runs nothing
    check_work(actors=len(loaded.scenario.actors), issues=len(loaded.scenario.issues),
               samples=req.samples, rounds=rounds)
    token = req.progress_token
    report = None
    if progress is not None and token:
        progress.update(token, 0, req.samples)

        def report(n: int) -> None:
            progress.update(token, n, req.samples)

    # chunks of one seed block, so progress moves every 1,024 samples (the seeding is by
    # block: the result is the same whatever the chunk size)
    fc = api.forecast(loaded, samples=req.samples, seed=req.seed, model=req.model,
                      questions=questions, store=store,
                      calibrated=req.calibrated, chunk_size=1024, progress=report,
                      should_stop=should_stop)
    if fc.failures:
        raise ValueError(f"the forecast failed: {fc.failures[0].error}")
    if fc.run_id is None:
        return ForecastView.of(fc)
    by_round = (f"/api/runs/{fc.run_id}/trajectories.png"
                if req.model in api.HISTORY_MODELS else None)
    return ForecastView.of(fc, f"/api/runs/{fc.run_id}/distributions.png", by_round)
