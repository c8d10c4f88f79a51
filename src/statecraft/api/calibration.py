"""Model errors measured on real EU decisions (DEU), the bundled error file, and
calibrated summaries of forecasts."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from statecraft import __version__
from statecraft.atomic import write_output
from statecraft.calibration import crossval
from statecraft.calibration.crossval import ModelScore, Table
from statecraft.calibration.errorfile import (
    ErrorFile,
    ErrorFileError,
    build_error_file,
    parse_error_file,
)
from statecraft.calibration.folds import grouped_folds
from statecraft.calibration.predictive import ErrorModel, summary
from statecraft.files import InputFileError, read_input
from statecraft.models.ensemble import COMPONENTS, components
from statecraft.scenario.deu import to_model_inputs

if TYPE_CHECKING:
    from statecraft.api.results.common import CalibratedRow, Json

ERROR_FILE_LIMIT = 64 * 1024 * 1024
"""Largest model-error file read, in bytes (the bundled one is about 60 KB)."""

ERROR_FILE = Path(__file__).resolve().parent.parent / "calibration" / "data" / "model-errors.json"
"""The bundled model-error file."""

DEFAULT_FOLDS = 10
DEFAULT_SEED = 2021
DEU_ROLES = {"agenda_setter": "com", "co_legislator": "ep"}
"""In EU legislation the Commission proposes and the Parliament co-legislates."""


def read_error_file(path: str | Path | None = None) -> ErrorFile:
    """Read and check a model-error file (default: the bundled one)."""
    p = Path(path) if path is not None else ERROR_FILE
    try:
        stat = p.stat()
    except OSError:
        raise ErrorFileError(f"{p}: the model-error file is missing; reinstall statecraft "
                             "or make it with statecraft calibrate-deu") from None
    return _read_cached(str(p), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> ErrorFile:
    try:
        raw = read_input(path, limit=ERROR_FILE_LIMIT, what="model-error file")
    except InputFileError as exc:
        raise ErrorFileError(str(exc)) from None
    return parse_error_file(raw, path)


def errors_for(model: str, path: str | Path | None = None
               ) -> tuple[ErrorModel, dict[str, Json]]:
    """The measured errors of ``model`` and the identity of the file they come from."""
    ef = read_error_file(path)
    return ef.error_model(model), ef.identity


def ensemble_weights(path: str | Path | None = None) -> dict[str, float]:
    """The ensemble's weights, fitted on every decided DEU issue."""
    return dict(read_error_file(path).weights)


def deu_table(path: str | Path, *, folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED,
              capability: str = "votes") -> tuple[Table, tuple[str, ...]]:
    """Every component forecast of the DEU issues with outcomes, with folds grouped by
    proposal (at most one fold per proposal); and each issue's proposal."""
    from statecraft.api.deu import read_deu

    data = read_deu(path)
    inputs, issues = to_model_inputs(data, capability)
    known = np.array([i.reference_point is not None for i in issues])
    parts = components(inputs, COMPONENTS, roles=DEU_ROLES, status_quo_known=known,
                       per_issue=True, engine="numpy",
                       sets=[i.proposal or i.id for i in issues])
    scored = np.array([i.outcome is not None for i in issues])
    if scored.sum() < 2:
        raise ValueError(f"{path}: fewer than two issues have an outcome; nothing to measure")
    decided = [i for i, s in zip(issues, scored, strict=True) if s]
    proposals = tuple(i.proposal or i.id for i in decided)
    groups = len(set(proposals))
    if groups < 2:
        raise ValueError(f"{path}: out-of-fold scores need issues of at least two proposals "
                         f"with outcomes; the file has {groups}")
    fold = grouped_folds(proposals, min(folds, groups), seed)
    matrix = np.column_stack([parts[c][0, scored] for c in COMPONENTS])
    table = Table(tuple(i.id for i in decided), COMPONENTS, matrix,
                  np.array([float(i.outcome) for i in decided if i.outcome is not None]),
                  fold, known[scored])
    return table, proposals


def score_deu(table: Table, *, seed: int = DEFAULT_SEED) -> list[ModelScore]:
    """Out-of-fold scores of every model, the ensembles and the baselines."""
    return crossval.score_table(table, seed=seed)


def deu_versus_compromise(table: Table, *, seed: int = DEFAULT_SEED
                          ) -> dict[str, dict[str, float]]:
    """Each forecaster's out-of-fold absolute error minus the compromise model's, issue by
    issue: the mean and a 90% bootstrap interval (issues resampled; keys ``mean``, ``low``
    and ``high``)."""
    point = crossval.oof_forecasts(table)
    base = np.abs(point["compromise"] - table.outcome)
    return {n: crossval.paired_difference(np.abs(f - table.outcome), base, seed=seed)
            for n, f in point.items() if n != "compromise"}


def calibrate_deu(path: str | Path, out: str | Path | None = None, *,
                  folds: int = DEFAULT_FOLDS, seed: int = DEFAULT_SEED,
                  capability: str = "votes", version: int = 1) -> tuple[ErrorFile,
                                                                       list[ModelScore]]:
    """Measure every model's out-of-fold errors on a DEU file and write the error file.

    ``out`` defaults to the bundled file. The new file is written under a temporary name,
    checked by reading it back, then renamed into place: a failure leaves the old one.
    """
    from statecraft.api.deu import DEU_LIMIT

    src = Path(path)
    table, proposals = deu_table(src, folds=folds, seed=seed, capability=capability)
    scores = score_deu(table, seed=seed)
    made = {
        "command": f"statecraft calibrate-deu {src.name} --folds {folds} --seed {seed} "
                   f"--capability {capability} --version {version}",
        "source": {"file": src.name, "sha256": hashlib.sha256(
                       read_input(src, limit=DEU_LIMIT, what="DEU file")).hexdigest(),
                   "title": "DEU III dataset, public part (Arregui and Perarnaud 2021), "
                            "doi:10.34810/data53",
                   "issues_with_outcome": len(table.issue_ids)},
        "folds": folds, "seed": seed, "capability": capability,
        "grouping": "proposal", "statecraft": __version__,
    }
    raw = build_error_file(
        table, proposals, crossval.runtime_forecasts(table), crossval.full_fit_weights(table),
        crossval.weights_by_fold(table), [s.as_dict() for s in scores], made, version)
    target = Path(out) if out is not None else ERROR_FILE
    parsed = parse_error_file(raw, target.name)  # never write what could not be read back
    target.parent.mkdir(parents=True, exist_ok=True)
    write_output(target, raw)
    return parsed, scores


def calibrated_rows(err: ErrorModel, issue_ids: tuple[str, ...],
                    outcomes: NDArray[np.float64]) -> list[CalibratedRow]:
    """Per issue, the calibrated predictive median, intervals and histogram of samples."""
    rows: list[CalibratedRow] = []
    for k, issue in enumerate(issue_ids):
        s = summary(err, outcomes[:, k])
        rows.append({"median": s["median"], "intervals": s["intervals"],
                     "histogram": s["histogram"], "issue": issue})
    return rows
