"""The web app: a server-rendered page (Jinja2, plain JavaScript) and a JSON API.

Safety (see ``guard``, ``body`` and ``bounded`` for each piece):

- every template is autoescaped whatever its name, and the page runs no inline script or
  style: a Content-Security-Policy allows only the app's own script and style files;
- only the app's own pages may use it: a request naming another host is refused (400), a
  state-changing request from another site is refused (403), and a server other machines
  can reach wants its access token (401);
- request bodies are counted as they arrive and refused (413) past ``MAX_UPLOAD`` bytes;
- a forecast larger than the web's limit is refused before it starts (413); one that runs
  too long, or whose client leaves, is stopped and its run marked interrupted;
- scenario YAML is parsed by the same safe loader as files; no endpoint reads or writes a
  path the client gives (bundled scenarios are chosen by name from a fixed list, runs by
  id from the store), and no message sent to a client names a path on the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp

from statecraft import __version__, api
from statecraft.web import service
from statecraft.web.body import MAX_BODY, BodyLimit
from statecraft.web.bounded import WEB_FORECAST_SECONDS, run_stoppable
from statecraft.web.cards import actor_rows, issue_cards, source_groups
from statecraft.web.guard import Guard, check_secrets
from statecraft.web.service import ForecastRequest, ScenarioRef

MAX_UPLOAD = MAX_BODY
"""The largest request body accepted, in bytes (1 MiB)."""

PAGE_RUNS = 20
"""Runs shown on the page at a time, and the default ``limit`` of ``GET /api/runs``."""

MAX_RUNS_LIMIT = 200
"""The largest ``limit`` ``GET /api/runs`` accepts."""

HERE = Path(__file__).resolve().parent


def _problems(exc: api.ScenarioError) -> list[dict[str, object]]:
    return [p.as_dict() for p in exc.problems]


def css(**props: str) -> str:
    """A style for the page's script to apply (``data-css``): the CSP allows no inline
    ``style`` attribute, but the script may set an element's style properties."""
    return json.dumps({k.replace("_", "-"): v for k, v in props.items()})


def pct(value: float) -> str:
    """A number as a CSS percentage."""
    return f"{float(value):g}%"


def as_json(value: Any) -> str:
    """A value as JSON text, for an attribute (escaped there like any other text)."""
    return json.dumps(value)


def templates_env() -> jinja2.Environment:
    """The templates' environment: every template autoescaped, whatever its file name
    (Starlette's default escapes only ``.html``, ``.htm`` and ``.xml``; ours are
    ``.html.j2``)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True)
    env.globals.update(css=css, pct=pct, as_json=as_json)
    return env


HTTP_STATUS: dict[type[Exception], int] = {
    api.ScenarioError: 422,  # answered with its located problems
    api.LimitError: 413,  # a request for more than the web runs, a game too large
    api.InputError: 400,  # bad input: an unknown model, setting, actor, issue, ...
    api.NotFoundError: 404,  # no run with this id
    api.BusyError: 503,  # the run store is locked by another process: try again
    api.DamagedError: 500,  # the run store's files are not what it recorded
    api.StoppedError: 503,  # a forecast stopped at the web's deadline or a disconnect
    api.StoreError: 409,  # the store cannot do it: a run not complete, an ambiguous id
    api.StatecraftError: 400,
    ValueError: 400,  # a value a lower layer refused without a kind of its own
}
"""The HTTP status of each kind of error (``statecraft.errors``): the one place the web
app maps errors to statuses. An error takes the status of the first class in its
method resolution order that is listed, so the most specific kind wins."""


PRIVATE_RUN_FIELDS = ("scenario_path", "host", "pid", "process_start")
"""A stored run's fields the web's JSON leaves out: where its scenario file was on the
server, and the machine and process that wrote it (the command line's ``runs show --json``
keeps them); ``edited_from`` loses its ``path`` for the same reason."""


def public_run(summary: dict[str, Any]) -> dict[str, Any]:
    """A stored run's summary as the web's JSON gives it: no path, host or process."""
    out = {k: v for k, v in summary.items() if k not in PRIVATE_RUN_FIELDS}
    if isinstance(out.get("edited_from"), dict):
        out["edited_from"] = {k: v for k, v in out["edited_from"].items() if k != "path"}
    return out


OPTION_FIELDS: dict[str, str] = {
    "as_of": "the scenario's as_of",  # the page and the API read it from the scenario
    "calibrated": "calibrated: false",  # the request's switch, and the value to give
}
"""How the web app names each setting an API error names (``api.OptionError.option``)
where it is not the request's field of the same name (``probability``, ``target``)."""


def error_message(exc: Exception) -> str:
    """An error's message as the web app says it: an ``OptionError`` names its setting as
    a request or the page gives it (``OPTION_FIELDS``), never by a command-line flag."""
    if isinstance(exc, api.OptionError):
        return exc.naming({exc.option: OPTION_FIELDS.get(exc.option, exc.option)})
    return str(exc)


def http_status(exc: Exception) -> int:
    """The HTTP status of an error, by its type (``HTTP_STATUS``); 500 if unlisted."""
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


class StatecraftApp(FastAPI):
    """FastAPI, with the guard and the body limit outside everything else, so that every
    response (a server error's included) carries the security headers."""

    def __init__(self, *, allowed_hosts: Iterable[str] = (), token: str | None = None,
                 sign_in_code: str | None = None, **kwargs: Any) -> None:
        check_secrets(token, sign_in_code)
        super().__init__(**kwargs)
        self.guard_options: dict[str, Any] = {
            "allowed_hosts": tuple(allowed_hosts), "token": token,
            "sign_in_code": sign_in_code}

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(BodyLimit(super().build_middleware_stack(), MAX_BODY),
                     **self.guard_options)


def create_app(store_dir: Path | None = None, *, allowed_hosts: Iterable[str] = (),
               token: str | None = None, sign_in_code: str | None = None,
               forecast_seconds: float = WEB_FORECAST_SECONDS) -> FastAPI:
    """The app, saving runs to ``store_dir`` (default: the run store's default).

    It answers to loopback names and ``allowed_hosts``; with ``token`` every request must
    carry it (``sign_in_code`` is a one-time code that sets the token's cookie); a
    forecast runs at most ``forecast_seconds``."""
    # /docs and /redoc load their script from a CDN, which the page's CSP forbids; the
    # schema stays at /openapi.json
    app = StatecraftApp(title="statecraft", version=__version__, docs_url=None,
                        redoc_url=None, allowed_hosts=allowed_hosts, token=token,
                        sign_in_code=sign_in_code,
                        description="Validate scenarios, forecast, analyse options, "
                                    "browse runs.")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(env=templates_env())
    store = api.RunStore(store_dir)
    progress = service.Progress()

    def problems_fragment(request: Request, message: str, status: int,
                          heading: str = "This was not done:") -> Response:
        """A problem that is not the scenario's, as the page shows it."""
        problem = api.Problem("request", None, None, (), message)
        return templates.TemplateResponse(request, "_problems.html.j2", {
            "problems": [problem], "heading": heading}, status_code=status)

    async def error_answer(request: Request, exc: Exception) -> Response:
        """Any error statecraft raises (or a ValueError), answered with its status from
        ``HTTP_STATUS``: located problems for a scenario's, words for the others (a store
        error's without a path on this machine), as JSON or as the page's fragment."""
        status = http_status(exc)
        page = request.url.path.startswith("/ui/")
        if isinstance(exc, api.ScenarioError):
            if page:
                return templates.TemplateResponse(request, "_problems.html.j2",
                                                  {"problems": exc.problems},
                                                  status_code=status)
            return JSONResponse(status_code=status, content={"problems": _problems(exc)})
        heading = "This was not done:"
        headers = None
        message = error_message(exc)
        if isinstance(exc, api.ForecastStopped):
            saved = f"; run {exc.run_id} is marked interrupted" if exc.run_id else ""
            message = api.stopped_words("the forecast", exc.reason) + saved
        elif isinstance(exc, api.StoreError):
            message, heading = exc.client_message, "The run store could not do this:"
            headers = {"Retry-After": "1"} if isinstance(exc, api.BusyError) else None
        if page:
            return problems_fragment(request, message, status, heading)
        return JSONResponse(status_code=status, content={"detail": message},
                            headers=headers)

    app.add_exception_handler(api.StatecraftError, error_answer)
    app.add_exception_handler(ValueError, error_answer)

    def read_upload(file: UploadFile) -> bytes:
        raw = file.file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ValueError(f"the upload is over {MAX_UPLOAD:,} bytes; the limit is 1 MiB")
        return raw  # bytes: the loader says so when they are not UTF-8

    def scenario_view(loaded: api.Loaded) -> dict[str, Any]:
        return {"loaded": loaded, "cards": issue_cards(loaded), "actors": actor_rows(loaded),
                "source_kinds": source_groups(loaded)}

    def runs_page(before: str | None = None) -> dict[str, Any]:
        """One page of runs, newest first, and the id to ask for the next; a store that
        cannot be read is a problem shown in place of the table."""
        try:
            got = store.list(limit=PAGE_RUNS + 1, before=before)
        except api.StoreError as exc:
            if before is not None:
                raise
            return {"runs": [], "older": None, "store_problem": exc.client_message}
        runs = got[:PAGE_RUNS]
        older = runs[-1].id if len(got) > PAGE_RUNS else None
        return {"runs": runs, "older": older, "store_problem": None,
                "first_page": before is None}

    # ---- the page -------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Response:
        name = api.DEFAULT_SCENARIO
        loaded = service.resolve(ScenarioRef(bundled=name))
        return templates.TemplateResponse(request, "index.html.j2", {
            "bundled": service.bundled_names(), "current": name, **scenario_view(loaded),
            **runs_page(), "max_upload": MAX_UPLOAD,
            "models": {n: s.description for n, s in api.MODEL_SPECS.items()},
            "default_model": api.DEFAULT_MODEL,
            "version": __version__})

    @app.post("/ui/stances", response_class=HTMLResponse, include_in_schema=False)
    def ui_stances(request: Request, ref: ScenarioRef) -> Response:
        loaded = service.resolve(ref)
        return templates.TemplateResponse(request, "_stances.html.j2", {
            **scenario_view(loaded), "text": ref.text})

    def load_upload(raw: bytes, name: str) -> api.Loaded:
        """An uploaded scenario, validated; its problems name whose values they concern."""
        try:
            return api.load_scenario_text(raw, name, read_documents=False)
        except api.ScenarioError as exc:
            raise service.worded(exc, raw) from None

    @app.post("/ui/upload", response_class=HTMLResponse, include_in_schema=False)
    def ui_upload(request: Request, file: UploadFile = File(...)) -> Response:  # noqa: B008
        raw = read_upload(file)
        loaded = load_upload(raw, file.filename or "uploaded scenario")
        return templates.TemplateResponse(request, "_stances.html.j2", {
            **scenario_view(loaded), "text": raw.decode("utf-8")})

    @app.post("/ui/forecast", response_class=HTMLResponse, include_in_schema=False)
    async def ui_forecast(request: Request, req: ForecastRequest) -> Response:
        view = await run_stoppable(
            request, lambda stop: service.forecast(req, store, progress, stop),
            seconds=forecast_seconds)
        return templates.TemplateResponse(request, "_results.html.j2", {"view": view,
                                                                        "req": req})

    @app.get("/ui/runs", response_class=HTMLResponse, include_in_schema=False)
    def ui_runs(request: Request,
                before: str | None = Query(None, max_length=64)) -> Response:
        return templates.TemplateResponse(request, "_runs.html.j2", runs_page(before))

    @app.get("/ui/compare", response_class=HTMLResponse, include_in_schema=False)
    def ui_compare(request: Request, a: str, b: str) -> Response:
        cmp = api.compare_runs(store, a, b)
        return templates.TemplateResponse(request, "_compare.html.j2", {"cmp": cmp})

    from statecraft.web.advise import add_advise_routes
    from statecraft.web.deals import add_deals_routes

    add_deals_routes(app, templates, forecast_seconds)  # the deals panel, POST /api/deals
    add_advise_routes(app, templates, forecast_seconds)  # what it would take, /api/advise

    from statecraft.web.workspace import add_workspace_routes

    add_workspace_routes(app, templates)  # the workspace page, /api/workspace/*

    # ---- the JSON API -----------------------------------------------------------------

    @app.get("/api/progress/{token}")
    def forecast_progress(token: str) -> dict[str, int]:
        """How many samples of the forecast sent with this progress token are done."""
        got = progress.get(token)
        if got is None:
            raise HTTPException(status_code=404, detail=f"no forecast with token {token!r}")
        return {"done": got[0], "total": got[1]}

    @app.get("/api/scenarios")
    def scenarios() -> dict[str, list[str]]:
        """The bundled scenarios, by name."""
        return {"bundled": service.bundled_names()}

    @app.post("/api/validate")
    def validate(ref: ScenarioRef) -> dict[str, Any]:
        """Validate a scenario (bundled or given as text, with any changes)."""
        try:
            loaded = service.resolve(ref)
        except api.ScenarioError as exc:
            return {"ok": False, "problems": _problems(exc), "warnings": []}
        return {"ok": True, "problems": [],
                "warnings": [w.as_dict() for w in loaded.warnings]}

    @app.post("/api/upload")
    def upload(file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
        """Validate an uploaded scenario file; its text comes back for later requests."""
        raw = read_upload(file)
        try:
            load_upload(raw, file.filename or "uploaded scenario")
        except api.ScenarioError as exc:
            return {"ok": False, "problems": _problems(exc),
                    "text": raw.decode("utf-8", errors="replace")}
        return {"ok": True, "problems": [], "text": raw.decode("utf-8")}

    @app.post("/api/forecast")
    async def forecast(request: Request, req: ForecastRequest) -> dict[str, Any]:
        """Run (and save) a Monte Carlo forecast. Refused (413) past actors x issues x
        samples x rounds of the web's limit; stopped, its run marked interrupted, when
        the client disconnects or it runs past the web's time limit (503)."""
        view = await run_stoppable(
            request, lambda stop: service.forecast(req, store, progress, stop),
            seconds=forecast_seconds)
        return view.as_dict()

    @app.post("/api/options")
    def options(ref: ScenarioRef) -> dict[str, Any]:
        """The options game: subgame-perfect choices and QRE probabilities (a game past
        the options game's size limit is refused, saying so)."""
        return dict(api.options_analysis(service.resolve(ref)).to_dict())

    @app.get("/api/runs")
    def runs(limit: int = Query(PAGE_RUNS, ge=1, le=MAX_RUNS_LIMIT,
                                description=f"at most {MAX_RUNS_LIMIT}"),
             before: str | None = Query(None, max_length=64, description=(
                 "the id of a run: list the runs older than it (the last id of the "
                 "previous page)"))) -> list[dict[str, Any]]:
        """Saved runs, newest first, ``limit`` at a time (default 20, at most 200)."""
        return [public_run(r.summary()) for r in store.list(limit=limit, before=before)]

    @app.get("/api/runs/{run_id}")
    def run(run_id: str) -> dict[str, Any]:
        """One saved run and, when complete, its forecast summary and how its samples'
        runs ended (``convergence``); for a run of an edited scenario, each value it used
        that is not the cited one (``edits``)."""
        rec = store.get(run_id)
        out = public_run(rec.summary())
        # an edit made here, or a copy whose own edited_from block lists its edits
        edits = api.run_edits(rec)
        out["edits"] = (None if rec.edited_from is None and not edits
                        else [e.as_dict() for e in edits])
        if rec.status == "complete":
            stored = api.load_run(store, rec.id)
            out["issues"] = [r.to_dict() for r in api.forecast_summary(
                stored.loaded.scenario, stored.issue_ids, stored.outcomes,
                api.stored_errors(stored))]
            conv = stored.convergence()  # None: saved before it was kept
            out["convergence"] = None if conv is None else conv.as_dict()
        return out

    @app.get("/api/compare")
    def compare(a: str, b: str) -> dict[str, Any]:
        """Two saved runs side by side: the inputs that differ, each issue's median and
        summary in both and the shift, each bundled question's probability in both."""
        return dict(api.compare_runs(store, a, b).to_dict())

    @app.get("/api/runs/{run_id}/report", response_class=HTMLResponse)
    def run_report(request: Request, run_id: str) -> Response:
        """The self-contained HTML report of a saved run, as a download; a run with no
        report to give (damaged, not complete, not found) gets a page saying why, with
        the store error's status (the page's report link opens it)."""
        try:
            stored = api.load_run(store, run_id)
        except api.StoreError as exc:
            return templates.TemplateResponse(request, "run_problem.html.j2", {
                "run_id": run_id, "message": exc.client_message,
                "heading": "The run store could not give this run:",
                "damaged": isinstance(exc, api.DamagedError)}, status_code=http_status(exc))
        html = api.report_html(stored.loaded, model=stored.model, seed=stored.seed,
                               issue_ids=stored.issue_ids, outcomes=stored.outcomes,
                               run_id=stored.run_id, method=stored.record.method,
                               params=stored.record.params,
                               errors=api.stored_errors(stored),
                               convergence=stored.convergence())
        return HTMLResponse(html, headers={
            "Content-Disposition": f'attachment; filename="statecraft-{stored.run_id}.html"'})

    @app.get("/api/runs/{run_id}/scenario.yaml", response_class=Response,
             responses={200: {"content": {"text/yaml": {}}}})
    def run_scenario_text(run_id: str, cited: bool = Query(False, description=(
            "the scenario an edited run was edited from (its cited original) instead of "
            "the one it ran"))) -> Response:
        """The exact scenario text a saved run used, as a download (YAML)."""
        rec = store.get(run_id)
        text, name = rec.scenario_text, f"statecraft-{rec.id}"
        if cited:
            if rec.cited_text is None:
                raise HTTPException(status_code=404, detail=(
                    f"run {rec.id} was not made from an edited scenario: its scenario is "
                    "the cited one"))
            text, name = rec.cited_text, f"{name}-cited"
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)
        return Response(text.encode("utf-8"), media_type="text/yaml; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{safe}.yaml"'})

    @app.get("/api/runs/{run_id}/distributions.png", response_class=Response,
             responses={200: {"content": {"image/png": {}}}})
    def run_distributions(run_id: str) -> Response:
        """A saved run's forecasts over its samples, per issue, as a PNG: the status quo,
        the median and each actor's position marked on the issue's named scale."""
        png = api.distributions_png(api.load_run(store, run_id), dpi=80)
        return Response(png, media_type="image/png")

    @app.get("/api/runs/{run_id}/trajectories.png", response_class=Response,
             responses={200: {"content": {"image/png": {}}}})
    def run_trajectories(run_id: str) -> Response:
        """The round-by-round forecasts of a saved run's first samples (EUM and SMP), as
        a PNG: the median and the 5-95% band per issue."""
        stored = api.load_run(store, run_id)
        png = api.trajectories_png(
            stored.loaded, model=stored.model, seed=stored.seed, run_samples=stored.samples,
            samples=service.HISTORY_SAMPLES, method=stored.record.method,
            params=stored.record.params, dpi=80)
        return Response(png, media_type="image/png")

    return app
