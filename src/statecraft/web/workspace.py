"""The workspace page (``GET /workspace``) and its JSON API (``/api/workspace/*``): a
scenario built and edited as a document (the JSON form of its file), checked after each
change, saved as YAML or a workbook (``statecraft.api.workspace``).

Every POST passes the app's guard (same origin, token) and body limit (1 MiB) as the
other endpoints do; a file that cannot be read at all is answered 422 with a detail
naming it; no path the client gives is opened. At most ``CHECKS_AT_ONCE`` documents are
read at once and ``EXTRACTIONS_AT_ONCE`` uploads' texts extracted; past that, 503.
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import Literal

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field, JsonValue

from statecraft import __version__
from statecraft.api import InputError, LimitError
from statecraft.api import workspace as ws
from statecraft.web.body import MAX_BODY
from statecraft.web.bounded import WEB_FORECAST_SECONDS, one_place, run_stoppable

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXTRACTIONS_AT_ONCE = 2
"""Most uploads whose text is extracted at the same time (each is bounded on its own:
``statecraft.scenario.extract``); another is answered 503 at once, so that concurrent
extractions cannot add up."""


CHECKS_AT_ONCE = 4
"""Most requests that read a whole document at the same time (open, check, save, xlsx,
quotes: each parses and validates up to the 1 MiB body, about 5 s of CPU at that size);
another is answered 503 at once with Retry-After, so that many at once cannot pile up
threads and memory. The page checks again a moment later."""


def _one_of(places: threading.BoundedSemaphore) -> AbstractContextManager[None]:
    """One of the places for reading a whole document (``CHECKS_AT_ONCE``)."""
    return one_place(places, f"{CHECKS_AT_ONCE} documents are being opened, checked or "
                     "saved already; try again in a moment", retry_after=1)


class Documents(BaseModel):
    """A scenario's document and its questions' (null: none), as the page holds them."""

    model_config = ConfigDict(extra="forbid")
    scenario: dict[str, JsonValue]
    questions: dict[str, JsonValue] | None = None


class QuotesRequest(BaseModel):
    """Candidate quotes for an actor (and an issue) from one source's text."""

    model_config = ConfigDict(extra="forbid")
    scenario: dict[str, JsonValue]
    source: str = Field(max_length=64, description="the id of a source with a text")
    actor: str = Field(max_length=64, description="the id of an actor")
    issue: str | None = Field(None, max_length=64, description="the id of an issue")
    limit: int = Field(10, ge=1, le=ws.MAX_SUGGESTIONS, strict=True)


def _read_upload(file: UploadFile) -> bytes:
    """An upload's bytes, within the body limit (which the app enforces first)."""
    raw = file.file.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise HTTPException(status_code=413, detail=(
            f"{file.filename or 'the upload'}: over {MAX_BODY:,} bytes; the limit is 1 MiB"))
    return raw


def _unreadable(exc: InputError) -> HTTPException:
    """A file that could not be read at all: 422, its detail naming it; a request over a
    limit of the work it may cause: 413, as the app answers every ``LimitError``."""
    return HTTPException(status_code=413 if isinstance(exc, LimitError) else 422,
                         detail=str(exc))


def add_workspace_routes(app: FastAPI, templates: Jinja2Templates) -> None:
    """Register the workspace's page and endpoints on ``app``."""
    extracting = threading.BoundedSemaphore(EXTRACTIONS_AT_ONCE)
    app.state.extractions = extracting
    checking = threading.BoundedSemaphore(CHECKS_AT_ONCE)
    app.state.document_checks = checking

    @app.get("/workspace", response_class=HTMLResponse, include_in_schema=False)
    def workspace_page(request: Request) -> Response:
        return templates.TemplateResponse(request, "workspace.html.j2", {
            "bundled": ws.bundled_names(), "max_upload": MAX_BODY,
            "version": __version__})

    @app.get("/api/workspace/start")
    def workspace_start(start: str = Query("empty", alias="from", max_length=300,
                                           description="empty, or bundled:NAME")
                        ) -> dict[str, JsonValue]:
        """A document to start from: an empty one, or a bundled scenario (its source
        texts inlined) with its bundled questions."""
        return ws.workspace_start(start).to_dict()  # type: ignore[return-value]

    @app.post("/api/workspace/open")
    def workspace_open(file: UploadFile = File(...),  # noqa: B008
                       kind: Literal["scenario", "questions"] = Form("scenario")
                       ) -> dict[str, JsonValue]:
        """An uploaded scenario (.yaml, .yml, .xlsx) or, with kind=questions, a questions
        file, as documents with their problems; 422 when it cannot be parsed at all."""
        raw = _read_upload(file)
        try:
            with _one_of(checking):
                opened = ws.workspace_open(raw, file.filename or "upload", kind)
        except InputError as exc:
            raise _unreadable(exc) from None
        return opened.to_dict()  # type: ignore[return-value]

    @app.post("/api/workspace/check")
    def workspace_check(body: Documents) -> dict[str, JsonValue]:
        """The validator's problems of the documents, each at its field path."""
        try:
            with _one_of(checking):
                return ws.workspace_check(body.scenario, body.questions).to_dict()  # type: ignore[return-value]
        except InputError as exc:
            raise _unreadable(exc) from None

    @app.post("/api/workspace/save")
    def workspace_save(body: Documents) -> dict[str, JsonValue]:
        """The documents as YAML files to download, with their check."""
        try:
            with _one_of(checking):
                return ws.workspace_save(body.scenario, body.questions).to_dict()  # type: ignore[return-value]
        except InputError as exc:
            raise _unreadable(exc) from None

    @app.post("/api/workspace/xlsx", response_class=Response,
              responses={200: {"content": {XLSX_TYPE: {}}}})
    def workspace_xlsx(body: Documents) -> Response:
        """The scenario as a workbook (.xlsx), as a download; a scenario with errors is
        answered 422 with its problems."""
        try:
            with _one_of(checking):
                data = ws.workspace_xlsx(body.scenario)
        except ws.DocumentInvalid as exc:
            return JSONResponse(status_code=422, content=exc.check.to_dict())
        except InputError as exc:
            raise _unreadable(exc) from None
        name = ws.workspace_xlsx_name(body.scenario)
        return Response(data, media_type=XLSX_TYPE, headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    @app.post("/api/workspace/extract")
    async def workspace_extract(request: Request, file: UploadFile = File(...)  # noqa: B008
                                ) -> dict[str, JsonValue]:
        """The text of an uploaded .txt, .md or .pdf file, to be a source's text; 422
        naming the file when it has none to give; 503 while ``EXTRACTIONS_AT_ONCE``
        others are under way. A PDF's reading is stopped (its process killed) when the
        client goes, so that a client that leaves does not hold its place."""
        raw = _read_upload(file)
        name = file.filename or "upload"
        busy = (f"{file.filename or 'the upload'}: {EXTRACTIONS_AT_ONCE} files' texts are "
                "being extracted already; try again in a moment")
        try:
            with one_place(extracting, busy, retry_after=5):
                got = await run_stoppable(request, lambda stop: ws.extract_source_text(
                    raw, name, should_stop=stop), seconds=WEB_FORECAST_SECONDS)
            return got.to_dict()  # type: ignore[return-value]
        except InputError as exc:
            raise _unreadable(exc) from None

    @app.post("/api/workspace/quotes")
    def workspace_quotes(body: QuotesRequest) -> dict[str, JsonValue]:
        """Sentences of a source's text worth citing for an actor (and an issue), best
        first, with their offsets in the text."""
        try:
            with _one_of(checking):
                return ws.workspace_quotes(body.scenario, body.source, body.actor,
                                           body.issue, body.limit).to_dict()  # type: ignore[return-value]
        except InputError as exc:
            raise _unreadable(exc) from None
