"""DEU: real EU decisions with known outcomes, imported as scenarios and used to backtest
the models."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from statecraft.analysis.deu import Score
from statecraft.analysis.deu import backtest as deu_backtest
from statecraft.api.running import MODELS, model_spec
from statecraft.atomic import OutputError
from statecraft.errors import OptionError
from statecraft.files import read_input_text
from statecraft.models.inputs import ModelInputs
from statecraft.models.trajectory import Trajectory
from statecraft.scenario import (
    load_scenario_text,
)
from statecraft.scenario.deu import DeuData, read_deu_tsv, scenario_file_name, usable
from statecraft.scenario.deu import to_scenario as deu_to_scenario

DEU_LIMIT = 64 * 1024 * 1024
"""Largest DEU file read, in bytes (the public DEU III file is 54 KB)."""

EUM_GRID: tuple[dict[str, Any], ...] = tuple(
    {"variant": v, "q": q, "max_rounds": r}
    for v in ("scholz2011", "literal") for q in (1.0, 0.5) for r in (10, 50)
)
"""The small, fixed grid of EUM settings reported beside the default (never tuned on)."""


def read_deu(path: str | Path) -> DeuData:
    """Read a DEU tab-separated file; errors name the file, row and column."""
    p = Path(path)
    text = read_input_text(p, limit=DEU_LIMIT, what="DEU file")  # InputFileError names it
    try:
        return read_deu_tsv(text)
    except ValueError as exc:
        raise ValueError(f"{p}: {exc}") from None


def backtest_deu(path: str | Path, models: list[str], *, capability: str = "votes",
                 grid: bool = False) -> list[Score]:
    """MAE of each named model on the DEU issues with outcomes, and the status-quo baseline."""
    data = read_deu(path)
    fns: dict[str, Callable[[ModelInputs], Trajectory]] = {}
    for name in models:
        spec = model_spec(name)  # a ValueError naming every model if unknown
        if spec.fitted:
            raise ValueError(f"the {name} is scored out of fold (its weights are fitted on "
                             "these data); see the out-of-fold table")
        if name == "smp":  # DEU's issues are separate decisions, not dimensions of one
            fns[name] = _smp_each_issue
        elif "sets" in spec.execution:  # exchanges among the issues of one proposal
            fns[name] = partial(MODELS[name], keep_history=False, sets=proposals(data))
        elif spec.history:
            fns[name] = partial(MODELS[name], keep_history=False)
        else:
            fns[name] = MODELS[name]
    if grid:
        for setting in EUM_GRID:
            label = "eum " + " ".join(f"{k}={v}" for k, v in setting.items())
            fns[label] = partial(MODELS["eum"], keep_history=False, **setting)
    return deu_backtest(data, fns, capability=capability)


def proposals(data: DeuData) -> list[str]:
    """The proposal of each issue a model forecasts (``scenario.deu.to_model_inputs``'s
    issues, in its order; an issue without a proposal number is its own): the sets within
    which the exchange model trades."""
    return [i.proposal or i.id for i in data.issues if usable(i)]


def _smp_each_issue(inputs: ModelInputs) -> Trajectory:
    """KTAB's SMP run on each DEU issue alone."""
    from statecraft.models.ensemble import smp_per_issue

    return Trajectory.one_shot("smp", inputs, smp_per_issue(inputs, engine="numpy"),
                               {"per_issue": True})


def import_deu(path: str | Path, out_dir: str | Path, *, capability: str = "votes",
               force: bool = False) -> list[Path]:
    """Write one scenario file per DEU issue, and ``outcomes.yaml`` (issue id -> outcome).

    Every scenario is validated before anything is written; files go to a temporary
    folder renamed into place at the end, so a failure leaves nothing half-written. An
    existing non-empty folder is replaced only with ``force``; a path that exists and is
    not a folder (a file, a symbolic link) is refused, ``force`` or not.
    """
    data = read_deu(path)
    out = Path(out_dir)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"{out} exists and is not a folder; give the name of a folder "
                          "to write the scenarios in (nothing was written)")
    here = Path.cwd().resolve()
    if out.exists() and (out.resolve() == here or out.resolve() in here.parents):
        raise OutputError(f"{out} is the current folder or holds it, which cannot be "
                          "replaced; give the name of a folder inside it (nothing was written)")
    if out.exists() and any(out.iterdir()) and not force:
        raise OptionError(f"{out} exists and is not empty; to replace it, say so", "force")
    texts: dict[str, str] = {}
    outcomes: dict[str, float] = {}
    for issue in data.issues:
        if not usable(issue):
            continue
        scenario = deu_to_scenario(data, issue, capability)
        text = yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
        name = scenario_file_name(issue)
        load_scenario_text(text, name, strict=True)  # raises ScenarioError on any problem
        texts[name] = text
        if issue.outcome is not None:
            outcomes[scenario["issues"][0]["id"]] = issue.outcome
    out.parent.mkdir(parents=True, exist_ok=True)
    # short hidden names beside the folder, whatever the length of its own name
    tmp = Path(tempfile.mkdtemp(prefix=".deu-new-", dir=out.parent))
    try:
        for name, text in texts.items():
            (tmp / name).write_text(text, encoding="utf-8")
        (tmp / "outcomes.yaml").write_text(yaml.safe_dump(outcomes, sort_keys=False),
                                           encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".deu-old-", dir=out.parent))
            old.rmdir()  # a fresh name for the folder replaced, free until renamed to
            out.rename(old)
            try:
                tmp.rename(out)
            except BaseException:
                old.rename(out)  # the folder replaced comes back as it was
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(out.iterdir())
