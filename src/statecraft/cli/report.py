"""The HTML report and the web app: ``report`` and ``serve``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from statecraft import api
from statecraft.cli.common import (
    QuietOpt,
    ScenarioArg,
    SourcesDirOpt,
    _fail,
    _fail_with,
    _load,
    app,
    err,
)
from statecraft.cli.models import ModelOpt, RoundsOpt, SettingOpt, chosen_settings
from statecraft.cli.runs import StoreOpt, _open_store


@app.command()
def report(
    scenario: ScenarioArg = None,
    run_id: Annotated[str | None, typer.Option(
        "--run", help="Report a saved run instead of forecasting anew.")] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")
                      ] = Path("report.html"),
    questions: Annotated[Path | None, typer.Option(
        "--questions", help="A question file: probabilities, and a backtest of the "
        "resolved ones (default: the bundled set of a bundled scenario).")] = None,
    model: ModelOpt = api.DEFAULT_MODEL,
    rounds: RoundsOpt = None,
    setting: SettingOpt = None,
    samples: Annotated[int, typer.Option(min=1, help="Monte Carlo samples.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed; the same seed gives the same result.")] = 7,
    store: StoreOpt = None,
    no_store: Annotated[bool, typer.Option(
        "--no-store", help="Do not save the forecast in the run store.")] = False,
    force: Annotated[bool, typer.Option(help="Replace an existing output file.")] = False,
    uncalibrated: Annotated[bool, typer.Option(
        "--uncalibrated", help="Show the inputs' spread alone, without the model's measured "
        "error on real decisions.")] = False,
    sources_dir: SourcesDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML report: summary, plots, options, backtest, sources."""
    try:
        import jinja2  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError:
        raise _fail("the report needs the 'report' extra: pip install 'statecraft[report]'"
                    ) from None
    if output.exists() and not force:
        raise _fail(f"{output} exists; pass --force to replace it")
    if run_id is not None and scenario is not None:
        raise _fail("give a scenario or --run, not both")
    if run_id is not None and (rounds is not None or setting):
        raise _fail("--run reports a saved run with the settings it ran with; --rounds and "
                    "--setting are for a new forecast")
    rid: str | None
    method, params = "random", None
    try:
        if run_id is not None:
            stored = api.load_run(_open_store(store), run_id)
            loaded, model, seed = stored.loaded, stored.model, stored.seed
            issue_ids, outcomes, rid = stored.issue_ids, stored.outcomes, stored.run_id
            method, params = stored.record.method, stored.record.params
            errors = None if uncalibrated else api.stored_errors(stored)
            conv = stored.convergence()
        else:
            loaded = _load(scenario, strict=False, quiet=quiet, sources_dirs=sources_dir)
            params = chosen_settings(model, rounds=rounds, setting=setting)
            done = api.forecast_run(loaded, samples=samples, seed=seed, model=model,
                                    params=params,
                                    store=None if no_store else _open_store(store),
                                    calibrated=not uncalibrated)
            if done.result.failures:
                raise _fail(f"the forecast failed: {done.result.failures[0].error}")
            result = done.result
            issue_ids, outcomes, rid = result.issue_ids, result.outcomes, done.run_id
            errors = done.errors
            conv = done.convergence()
        qset = (api.load_questions(questions, loaded) if questions is not None
                else api.stored_questions(stored) if run_id is not None else None)
        html = api.report_html(loaded, model=model, seed=seed, issue_ids=issue_ids,
                               outcomes=outcomes, questions=qset, run_id=rid,
                               method=method, params=params, errors=errors,
                               convergence=conv)
    except api.ScenarioError as exc:
        raise _fail_with(exc, "an input file has errors; no report was written") from None
    try:
        api.write_atomic(output, html)
    except OSError as exc:
        raise _fail(f"{output}: cannot write the report ({exc.strerror})") from None
    if not quiet:
        err.print(f"wrote {output} ({len(html) // 1024} KiB)", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind (loopback unless told; any "
                                      "other needs a token).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    store: StoreOpt = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Another name (or address) clients may reach the app by, "
        "besides 127.0.0.1, localhost and ::1; repeatable.")] = None,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="STATECRAFT_TOKEN", show_envvar=True,
        help="The access token every request must carry (at least 16 letters, digits, "
        "'-' or '_'); generated and printed when --host is not loopback.")] = None,
) -> None:
    """Serve the web app: pick or upload a scenario, change stances, forecast, browse runs."""
    import secrets

    try:
        import uvicorn

        from statecraft.web import LOOPBACK_HOSTS, create_app
    except ImportError:
        raise _fail("the web app needs the 'web' extra: pip install 'statecraft[web]'") from None
    loopback = host in LOOPBACK_HOSTS
    wildcard = host in ("0.0.0.0", "::", "")
    if token is None and not loopback:
        token = secrets.token_urlsafe(24)
    allowed = list(allowed_host or [])
    if not loopback and not wildcard:
        allowed.append(host)  # clients reach it by the address it is bound to
    sign_in = secrets.token_urlsafe(16) if token else None
    web = create_app(store, allowed_hosts=allowed, token=token, sign_in_code=sign_in)
    name = allowed[0] if wildcard and allowed else "127.0.0.1" if wildcard else host
    url = f"http://{f'[{name}]' if ':' in name else name}:{port}"
    err.print(f"serving on {url} (bound to {host or 'every address'}:{port}); Ctrl-C stops",
              highlight=False, markup=False)
    if not loopback:
        err.print(f"note: serving on {host}: other machines can reach the app; every "
                  "request must carry the access token", highlight=False, markup=False)
        if wildcard and not allowed_host:
            err.print("note: it answers only to 127.0.0.1, localhost and ::1 until you add "
                      "the name clients use with --allowed-host NAME", highlight=False,
                      markup=False)
    if token:
        err.print(f"access token: {token} (send 'Authorization: Bearer TOKEN' or "
                  "'X-Statecraft-Token: TOKEN')", highlight=False, markup=False)
        err.print(f"sign in a browser (this link works once): {url}/?token={sign_in}",
                  highlight=False, markup=False)
    uvicorn.run(web, host=host, port=port, log_level="warning")
