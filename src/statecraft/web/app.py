"""The web app: a server-rendered page (Jinja2, plain JavaScript) and a JSON API.

Safety: request bodies over ``MAX_UPLOAD`` bytes are refused with 413 and a message
saying so; scenario YAML is parsed by the same safe loader as files; no endpoint reads or
writes a path the client gives (bundled scenarios are chosen by name from a fixed list,
runs by id from the store); the command line binds to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from statecraft import __version__, api
from statecraft.scenario import Loaded, Problem, ScenarioError, load_scenario_text
from statecraft.store import RunStore, StoreError
from statecraft.web import service
from statecraft.web.cards import actor_rows, issue_cards
from statecraft.web.service import ForecastRequest, ScenarioRef

MAX_UPLOAD = 1024 * 1024
"""The largest request body accepted, in bytes (1 MiB)."""

HERE = Path(__file__).resolve().parent


def _too_large(size: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={
        "detail": f"the upload is {size:,} bytes; the limit is {MAX_UPLOAD:,} bytes (1 MiB)"})


class LimitBody(BaseHTTPMiddleware):
    """Refuse request bodies over MAX_UPLOAD before they are read."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_UPLOAD:
            return _too_large(int(length))
        return await call_next(request)


def _problems(exc: ScenarioError) -> list[dict[str, object]]:
    return [p.as_dict() for p in exc.problems]


def create_app(store_dir: Path | None = None) -> FastAPI:
    """The app, saving runs to ``store_dir`` (default: the run store's default)."""
    app = FastAPI(title="statecraft", version=__version__,
                  description="Validate scenarios, forecast, analyse options, browse runs.")
    app.add_middleware(LimitBody)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=HERE / "templates")
    store = RunStore(store_dir)
    progress = service.Progress()

    @app.exception_handler(ScenarioError)
    async def scenario_error(request: Request, exc: ScenarioError) -> Response:
        if request.url.path.startswith("/ui/"):
            return templates.TemplateResponse(request, "_problems.html.j2",
                                              {"problems": exc.problems}, status_code=422)
        return JSONResponse(status_code=422, content={"problems": _problems(exc)})

    @app.exception_handler(ValueError)
    async def value_error(request: Request, exc: ValueError) -> Response:
        if request.url.path.startswith("/ui/"):
            problem = Problem("request", None, None, (), str(exc))
            return templates.TemplateResponse(request, "_problems.html.j2",
                                              {"problems": [problem]}, status_code=400)
        return JSONResponse(status_code=400, content={"detail": str(exc)})

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return JSONResponse(status_code=404 if "no run" in str(exc) else 409,
                            content={"detail": str(exc)})

    def read_upload(file: UploadFile) -> bytes:
        raw = file.file.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise ValueError(f"the upload is over {MAX_UPLOAD:,} bytes; the limit is 1 MiB")
        return raw  # bytes: the loader says so when they are not UTF-8

    def scenario_view(loaded: Loaded) -> dict[str, Any]:
        return {"loaded": loaded, "cards": issue_cards(loaded), "actors": actor_rows(loaded)}

    # ---- the page -------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Response:
        name = api.DEFAULT_SCENARIO
        loaded = service.resolve(ScenarioRef(bundled=name))
        return templates.TemplateResponse(request, "index.html.j2", {
            "bundled": service.bundled_names(), "current": name, **scenario_view(loaded),
            "runs": store.list()[:20],
            "models": list(api.MODELS), "default_model": api.DEFAULT_MODEL,
            "version": __version__})

    @app.post("/ui/stances", response_class=HTMLResponse, include_in_schema=False)
    def ui_stances(request: Request, ref: ScenarioRef) -> Response:
        loaded = service.resolve(ref)
        return templates.TemplateResponse(request, "_stances.html.j2", {
            **scenario_view(loaded), "text": ref.text})

    @app.post("/ui/upload", response_class=HTMLResponse, include_in_schema=False)
    def ui_upload(request: Request, file: UploadFile = File(...)) -> Response:  # noqa: B008
        raw = read_upload(file)
        loaded = load_scenario_text(raw, file.filename or "uploaded scenario",
                                    read_documents=False)
        return templates.TemplateResponse(request, "_stances.html.j2", {
            **scenario_view(loaded), "text": raw.decode("utf-8")})

    @app.post("/ui/forecast", response_class=HTMLResponse, include_in_schema=False)
    def ui_forecast(request: Request, req: ForecastRequest) -> Response:
        view = service.forecast(req, store, progress)
        return templates.TemplateResponse(request, "_results.html.j2", {"view": view,
                                                                        "req": req})

    @app.get("/ui/runs", response_class=HTMLResponse, include_in_schema=False)
    def ui_runs(request: Request) -> Response:
        return templates.TemplateResponse(request, "_runs.html.j2",
                                          {"runs": store.list()[:20]})

    @app.get("/ui/compare", response_class=HTMLResponse, include_in_schema=False)
    def ui_compare(request: Request, a: str, b: str) -> Response:
        try:
            cmp = api.compare_runs(store, a, b)
        except StoreError as exc:  # shown beside the compare controls, not as JSON
            raise ValueError(str(exc)) from None
        return templates.TemplateResponse(request, "_compare.html.j2", {"cmp": cmp})

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
        except ScenarioError as exc:
            return {"ok": False, "problems": _problems(exc), "warnings": []}
        return {"ok": True, "problems": [],
                "warnings": [w.as_dict() for w in loaded.warnings]}

    @app.post("/api/upload")
    def upload(file: UploadFile = File(...)) -> dict[str, Any]:  # noqa: B008
        """Validate an uploaded scenario file; its text comes back for later requests."""
        raw = read_upload(file)
        try:
            load_scenario_text(raw, file.filename or "uploaded scenario",
                               read_documents=False)
        except ScenarioError as exc:
            return {"ok": False, "problems": _problems(exc),
                    "text": raw.decode("utf-8", errors="replace")}
        return {"ok": True, "problems": [], "text": raw.decode("utf-8")}

    @app.post("/api/forecast")
    def forecast(req: ForecastRequest) -> dict[str, Any]:
        """Run (and save) a Monte Carlo forecast."""
        return service.forecast(req, store, progress).as_dict()

    @app.post("/api/options")
    def options(ref: ScenarioRef) -> dict[str, Any]:
        """The options game: subgame-perfect choices and QRE probabilities."""
        return api.options_analysis(service.resolve(ref))

    @app.get("/api/runs")
    def runs() -> list[dict[str, Any]]:
        """Saved runs, newest first."""
        return [r.summary() for r in store.list()]

    @app.get("/api/runs/{run_id}")
    def run(run_id: str) -> dict[str, Any]:
        """One saved run and, when complete, its forecast summary."""
        rec = store.get(run_id)
        out = rec.summary()
        if rec.status == "complete":
            stored = api.load_run(store, rec.id)
            out["issues"] = api.forecast_summary(stored.loaded.scenario, stored.issue_ids,
                                                 stored.outcomes, api.stored_errors(stored))
        return out

    @app.get("/api/compare")
    def compare(a: str, b: str) -> dict[str, Any]:
        """Two saved runs side by side: the inputs that differ, each issue's median and
        summary in both and the shift, each bundled question's probability in both."""
        return api.compare_runs(store, a, b).as_dict()

    @app.get("/api/runs/{run_id}/report", response_class=HTMLResponse)
    def run_report(run_id: str) -> Response:
        """The self-contained HTML report of a saved run, as a download."""
        stored = api.load_run(store, run_id)
        html = api.report_html(stored.loaded, model=stored.model, seed=stored.seed,
                               issue_ids=stored.issue_ids, outcomes=stored.outcomes,
                               run_id=stored.run_id, method=stored.record.method,
                               params=stored.record.params,
                               errors=api.stored_errors(stored))
        return HTMLResponse(html, headers={
            "Content-Disposition": f'attachment; filename="statecraft-{stored.run_id}.html"'})

    @app.get("/api/runs/{run_id}/distributions.png", response_class=Response,
             responses={200: {"content": {"image/png": {}}}})
    def run_distributions(run_id: str) -> Response:
        """A saved run's forecasts over its samples, per issue, as a PNG: the status quo,
        the median and each actor's position marked on the issue's named scale."""
        from statecraft.report import plots

        stored = api.load_run(store, run_id)
        errors = api.stored_errors(stored)
        calibrated = (None if errors is None else
                      api.calibrated_rows(errors, stored.issue_ids, stored.outcomes))
        png = plots.distributions(stored.loaded.scenario, stored.issue_ids, stored.outcomes,
                                  dpi=80, calibrated=calibrated)
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
