"""The model-error file: what ``statecraft calibrate-deu`` measures, in JSON.

It holds, for the decided issues of a DEU file: each issue's id, proposal, fold, outcome
and every component forecast (``statecraft.models.ensemble.COMPONENTS``); per model, its
behaviour version (``statecraft.models.registry``) and its out-of-fold forecasts; the
ensemble's weights; and how it was made (command, source file and its SHA-256, folds,
seed, statecraft version). Error models are always derived from the stored forecasts and
outcomes, never stored themselves.

Parsing is pure (bytes in, ``ErrorFile`` out) and strict: a missing field, a truncated
file, a forecast off the scale or a model measured at another behaviour version is an
``ErrorFileError`` naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from statecraft.calibration.crossval import Table, error_model
from statecraft.calibration.predictive import NEIGHBOURS, ErrorModel
from statecraft.errors import InputError, OptionError
from statecraft.models.ensemble import COMPONENTS
from statecraft.models.registry import MODEL_VERSIONS

FORMAT = "statecraft-model-errors"
FORMAT_VERSION = 1

FloatArray = NDArray[np.float64]


class ErrorFileError(InputError):
    """The error file is missing, unreadable, malformed, or for another model version."""


class UnmeasuredModelError(ErrorFileError, OptionError):
    """The error file has no measured errors for a model: it can be forecast only without
    calibration (the setting ``calibrated``)."""


@dataclass(frozen=True)
class ErrorFile:
    """A parsed model-error file."""

    name: str
    sha256: str
    version: int
    made: Mapping[str, Any]  # command, statecraft version, source file and hash, folds, seed
    table: Table
    proposals: tuple[str, ...]
    models: Mapping[str, tuple[int, FloatArray]]  # name -> (behaviour version, OOF forecasts)
    weights: Mapping[str, float]  # the ensemble's, fitted on every issue
    scores: tuple[Mapping[str, Any], ...]

    @property
    def identity(self) -> dict[str, Any]:
        """What a stored run records of the file that calibrated it."""
        return {"file": self.name.replace("\\", "/").rsplit("/", 1)[-1],
                "version": self.version, "sha256": self.sha256}

    def error_model(self, model: str) -> ErrorModel:
        """The measured errors of ``model``, refusing a model measured at another version."""
        if model not in self.models:
            raise UnmeasuredModelError(
                f"{self.name}: no measured errors for model {model!r} (the file has "
                f"{', '.join(self.models)}); forecast it without calibration, or regenerate "
                "the file", "calibrated")
        measured, forecast = self.models[model]
        current = MODEL_VERSIONS.get(model)
        if measured != current:
            raise ErrorFileError(
                f"{self.name}: field 'models.{model}.version': the errors were measured on "
                f"{model} version {measured}, but this statecraft runs version {current}; "
                f"regenerate the file ({self.made.get('command', 'statecraft calibrate-deu')})")
        return error_model(model, forecast, self.table.outcome)


def _fail(name: str, field: str, found: Any, expected: str) -> ErrorFileError:
    shown = repr(found)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ErrorFileError(f"{name}: field {field!r}: found {shown}; expected {expected}")


def _get(obj: Any, key: str, name: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise ErrorFileError(f"{name}: field {where + key!r} is missing")
    return obj[key]


def _number(v: Any) -> float | None:
    """A JSON number as a float, or None (booleans, text and overflowing integers)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    try:
        return float(v)
    except OverflowError:
        return None


def _numbers(value: Any, n: int, name: str, field: str, lo: float = 0.0,
             hi: float = 100.0) -> FloatArray:
    vals = [_number(v) for v in value] if isinstance(value, list) else []
    ok = isinstance(value, list) and len(value) == n and all(v is not None for v in vals)
    arr = np.asarray(vals, dtype=float) if ok else np.zeros(0)
    if not ok or not np.all(np.isfinite(arr)) or np.any((arr < lo) | (arr > hi)):
        count = len(value) if isinstance(value, list) else type(value).__name__
        raise _fail(name, field, count if not ok else value,
                    f"a list of {n} numbers from {lo:g} to {hi:g}")
    return arr


def parse_error_file(raw: bytes, name: str) -> ErrorFile:
    """Validate and parse an error file's bytes; ``name`` is used in every message."""
    digest = hashlib.sha256(raw).hexdigest()
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError too
        raise ErrorFileError(f"{name}: not a complete JSON document ({exc}); the file is "
                             "damaged or truncated: regenerate it") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ErrorFileError(f"{name}: field 'format': expected {FORMAT!r}; this is not a "
                             "statecraft model-error file")
    fv = doc.get("format_version")
    if type(fv) is not int or fv != FORMAT_VERSION:
        raise _fail(name, "format_version", fv, str(FORMAT_VERSION))
    version = _get(doc, "version", name, "")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(name, "version", version, "a whole number >= 1")
    made = _get(doc, "made", name, "")
    if not isinstance(made, dict):
        raise _fail(name, "made", made, "a mapping")
    for key in ("seed", "folds"):
        v = made.get(key, 0)
        if type(v) is not int or v < 0:
            raise _fail(name, f"made.{key}", v, "a whole number >= 0")
    issues = _get(doc, "issues", name, "")
    ids = _get(issues, "id", name, "issues.")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise _fail(name, "issues.id", ids, "a non-empty list of issue ids")
    n = len(ids)
    proposals = _get(issues, "proposal", name, "issues.")
    if not isinstance(proposals, list) or len(proposals) != n or not all(
            isinstance(p, str) for p in proposals):
        raise _fail(name, "issues.proposal", proposals, f"a list of {n} proposal ids")
    folds = _numbers(_get(issues, "fold", name, "issues."), n, name, "issues.fold", 0, 1e6)
    if np.any(folds != np.round(folds)):
        raise _fail(name, "issues.fold", "a fraction", "whole numbers")
    if np.unique(folds).size < 2 or not np.array_equal(np.unique(folds),
                                                       np.arange(np.unique(folds).size)):
        raise _fail(name, "issues.fold", sorted({int(f) for f in folds})[:5],
                    "folds numbered 0, 1, 2, ... (at least two)")
    outcome = _numbers(_get(issues, "outcome", name, "issues."), n, name, "issues.outcome")
    known = _get(issues, "status_quo_known", name, "issues.")
    if not isinstance(known, list) or len(known) != n or not all(
            isinstance(k, bool) for k in known):
        raise _fail(name, "issues.status_quo_known", known, f"a list of {n} true/false values")
    comps = _get(doc, "components", name, "")
    if not isinstance(comps, dict) or set(comps) != set(COMPONENTS):
        raise _fail(name, "components", sorted(comps) if isinstance(comps, dict) else comps,
                    "one forecast list for each of " + ", ".join(COMPONENTS))
    matrix = np.column_stack([_numbers(comps[c], n, name, f"components.{c}")
                              for c in COMPONENTS])
    table = Table(tuple(ids), COMPONENTS, matrix, outcome, folds.astype(np.intp),
                  np.asarray(known, dtype=bool))
    raw_models = _get(doc, "models", name, "")
    if not isinstance(raw_models, dict) or not raw_models:
        raise _fail(name, "models", raw_models, "a mapping of model name to its errors")
    models: dict[str, tuple[int, FloatArray]] = {}
    for model, entry in raw_models.items():
        v = _get(entry, "version", name, f"models.{model}.")
        if not isinstance(v, int) or isinstance(v, bool):
            raise _fail(name, f"models.{model}.version", v, "a whole number")
        models[model] = (v, _numbers(_get(entry, "forecast", name, f"models.{model}."), n,
                                     name, f"models.{model}.forecast"))
    ens = _get(doc, "ensemble", name, "")
    weights = _get(ens, "weights", name, "ensemble.")
    numbers = ({k: _number(v) for k, v in weights.items()} if isinstance(weights, dict)
               else {})
    if (not numbers or any(k not in COMPONENTS for k in numbers)
            or not all(v is not None and np.isfinite(v) and v >= 0 for v in numbers.values())
            or abs(sum(v or 0.0 for v in numbers.values()) - 1) > 1e-6):
        raise _fail(name, "ensemble.weights", weights,
                    "non-negative weights of ensemble components that sum to 1")
    scores = doc.get("scores", [])
    if not isinstance(scores, list) or not all(isinstance(x, dict) for x in scores):
        raise _fail(name, "scores", scores, "a list of mappings")
    return ErrorFile(name, digest, version, made, table, tuple(proposals), models,
                     {k: float(v or 0.0) for k, v in numbers.items()}, tuple(scores))


def build_error_file(table: Table, proposals: tuple[str, ...], forecasts: Mapping[str, FloatArray],
                     weights: Mapping[str, float], weights_by_fold: list[Mapping[str, float]],
                     scores: list[dict[str, Any]], made: Mapping[str, Any],
                     version: int = 1) -> bytes:
    """The file's bytes (sorted keys, one line per list, ending in a newline)."""
    def nums(a: FloatArray) -> list[float]:
        return [float(v) for v in np.asarray(a, dtype=float)]

    doc = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "version": version,
        "made": dict(made),
        "calibration": {"method": "local outcome window", "neighbours": NEIGHBOURS},
        "issues": {"id": list(table.issue_ids), "proposal": list(proposals),
                   "fold": [int(f) for f in table.fold], "outcome": nums(table.outcome),
                   "status_quo_known": [bool(k) for k in table.status_quo_known]},
        "components": {c: nums(table.column(c)) for c in COMPONENTS},
        "models": {m: {"version": MODEL_VERSIONS[m.split(" ")[0]], "forecast": nums(f)}
                   for m, f in forecasts.items() if m in MODEL_VERSIONS},
        "ensemble": {"weights": dict(weights), "weights_by_fold": [dict(w) for w in
                                                                   weights_by_fold]},
        "scores": scores,
    }
    return (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8")
